/* Per-connection TCP statistics (tcp-metrics): counters, Karn RTT
 * samples, and the retransmission classes of Mellia et al. as tstat's
 * rexmit.c applies them, with modular sequence numbers throughout. The
 * definitions are the contract of man/tcp-metrics.1. */
#ifndef TCPSTAT_H
#define TCPSTAT_H
#include <stdint.h>
#include "out.h"
#include "pkt.h"

/* Retransmission / out-of-sequence classes; 0 is "in sequence". */
enum tcp_class {
	TC_NONE, TC_RTO, TC_FR, TC_REORDER, TC_NETDUP, TC_FLOWCTL, TC_UNKNOWN,
	TC_UNNEC_RTO, TC_UNNEC_FR, TC_NCLASS
};
extern const char *const tcp_class_name[TC_NCLASS];

enum tcp_event { TEV_NONE, TEV_RTT, TEV_REXMIT, TEV_ACK, TEV_INFLIGHT };

/* What a connection reports as it goes: the events of each type to
 * their own output (NULL: not reported). One engine feeds several event
 * tables this way (mptcp-tables), each byte for byte what a run with one
 * type alone writes. */
struct tcpstat_cfg {
	struct out *ev[TEV_INFLIGHT + 1];
};

struct tcpconn;

/* New state for connection id whose first packet is p, sent in dir
 * (DIR_C2S or DIR_S2C); hs: flowsplit saw the client's SYN. */
struct tcpconn *tcpconn_new(const struct tcpstat_cfg *cfg, uint64_t id,
    const struct pkt *p, int dir, int hs);
/* Accounts one packet. Never allocates except when a connection's
 * run list or sample array has to grow. */
void tcpconn_packet(struct tcpconn *c, const struct pkt *p, int dir);
void tcpconn_free(struct tcpconn *c);

/* The connection record: header line, then one line per connection. */
void tcpstat_header(struct out *o);
void tcpstat_record(struct out *o, struct tcpconn *c);
/* The header of the event records of type ev. */
void tcpstat_event_header(struct out *o, enum tcp_event ev);
/* The columns of the connection record (TEV_NONE) or of an event record. */
struct record_def;
const struct record_def *tcpstat_record_def(enum tcp_event ev);

/* ---- The engine: its flow table, its connections, its outputs, as the
 * MPTCP engines (mpjoin, mpstat) have theirs. */
#include "flow.h"

/* Every packet column a statistic depends on (a record stream cut down
 * with pcap2pkt -c must fail loudly, not give zeros), and those it only
 * passes on when present (the capture's interface of the first packet),
 * each list -1 ended, for source_open and pkt_cols_restrict. */
extern const int tcpeng_need[], tcpeng_use[];

struct tcpeng {
	struct flowtab tab;
	struct tcpstat_cfg cfg;
	struct out *rec;   /* connection records, or NULL */
	uint64_t rows;     /* connection records written */
};

/* rec: where the connection records go (NULL: none); ev: where each
 * event type goes (NULL entries, or ev NULL: none). Writes the headers. */
void tcpeng_init(struct tcpeng *e, const struct flow_opts *fo, struct out *rec,
    struct out *const ev[TEV_INFLIGHT + 1]);
void tcpeng_packet(struct tcpeng *e, const struct pkt *p, const struct pkt_meta *m);
/* Ends every connection still open, writing its record. */
void tcpeng_finish(struct tcpeng *e);

#endif
