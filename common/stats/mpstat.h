/* MPTCP connection statistics (mptcp-metrics): data-level bytes,
 * reinjections, bursts, MPTCP-level RTT, per-subflow shares. Works from
 * packets tagged by mptcp-join (struct mpj_res: the connection, subflow,
 * 64-bit DSN and DATA_ACK, and the connection's version, status, tokens
 * and IDSNs, which mptcp-join alone tracks), whether read back from its
 * records or computed in-process, so both give the same output.
 * Definitions: man/mptcp-metrics.1. */
#ifndef MPSTAT_H
#define MPSTAT_H
#include <stdint.h>
#include "flow.h"
#include "mpjoin.h"
#include "out.h"
#include "pkt.h"
#include "source.h"

enum mps_event { MPS_EV_NONE, MPS_EV_BURSTS, MPS_EV_REINJECT, MPS_EV_RTT,
	MPS_EV_DACK, MPS_EV_ADDR, MPS_EV_SEQ, MPS_EV_STALL, MPS_EV_HOL };

/* The kinds of record, an output each: the connection records (at
 * MPS_EV_NONE), the events, and the subflow records. */
#define MPS_SUBFLOWS (MPS_EV_HOL + 1)
#define MPS_NREC (MPS_SUBFLOWS + 1)

struct mps_conn;

struct mps {
	struct flowtab flows;   /* TCP conn id -> its subflow */
	struct mps_conn **tab;  /* mpconn id -> connection */
	size_t ntab, count;
	struct out *to[MPS_NREC]; /* [kind]: where its records go; NULL: none */
	uint64_t over;          /* TCP connections left out: too many subflows */
	uint64_t pend_over;     /* mappings without an RTT sample: too many waiting */
	uint64_t hol_over;      /* data without a head-of-line delay: too many waiting */
	uint64_t conn_rows, sf_rows; /* connection and subflow records written */
	int64_t stall_ns;       /* the shortest stall (mps_set_stall) */
};

/* A stall lasts at least this long by default: seconds. */
#define MPS_STALL_DEFAULT 0.2

/* One kind of record: subflow records (-s), else those of ev (-e), else
 * the connection records. */
void mps_init(struct mps *s, const struct flow_opts *fo, int subflows,
    enum mps_event ev, struct out *o);
/* Several kinds at once, each to its own output, each byte for byte what
 * a run with that kind alone writes (mptcp-tables). */
void mps_init_outs(struct mps *s, const struct flow_opts *fo, struct out *const to[MPS_NREC]);
/* The shortest wait of the DATA_ACK that is a stall, in seconds (> 0,
 * finite; the caller checks). */
void mps_set_stall(struct mps *s, double stall_s);
/* Parses an -e argument; -1 when unknown. */
int mps_event_parse(const char *name);
void mps_header(const struct mps *s);
/* The columns of the record that -s (subflows) or -e ev selects. */
struct record_def;
const struct record_def *mps_record_def(int subflows, enum mps_event ev);
void mps_packet(struct mps *s, const struct pkt *p, const struct pkt_meta *m,
    const struct mpj_res *t);
void mps_finish(struct mps *s);

#endif
