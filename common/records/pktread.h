/* Packet records read back from TSV into struct pkt: the other half of
 * pktfmt, so a filter sees the same packet from a pipe as from a capture. */
#ifndef PKTREAD_H
#define PKTREAD_H
#include "pkt.h"
#include "pktfmt.h"
#include "tsv.h"

#define PKT_ADDR_MEMO 4

struct addr_memo_slot {
	uint8_t n, ipv;
	char text[46];      /* INET6_ADDRSTRLEN - 1 */
	uint8_t addr[16];
};

/* The last addresses parsed from one column, with their text. */
struct addr_memo {
	struct addr_memo_slot slot[PKT_ADDR_MEMO];
	unsigned next;
};

struct col_step {
	uint16_t in; /* input column */
	uint8_t col; /* its packet column */
	uint8_t hex; /* an identifier in hex (type hex): "0x..." */
};

struct pkt_cols {
	int idx[PKT_NCOLS]; /* column of the input, or -1 */
	struct addr_memo memo[2]; /* src, dst */
	/* the columns pkt_parse reads, planned on its first call */
	struct col_step *numbers, *fields;
	int nnumbers, nfields;
	uint64_t mp_key[MP_NSUBTYPES]; /* subtype names' keys (name_key) */
	uint64_t val[PKT_NCOLS];  /* number columns of the current line */
	uint64_t dash;            /* bit per packet column: "-" or absent */
	uint64_t absent;          /* bit per packet column not bound */
	char ifname[PKT_IFNAME_MAX + 1]; /* the current line's, unescaped */
};

/* Binds the packet columns present in t. Columns in need[] (ended by -1)
 * must be there; the error names pcap2pkt as their producer. */
void pkt_cols_bind(struct pkt_cols *c, const struct tsv *t, const int *need);

/* Forgets the bound columns not in use[] (ended by -1), so pkt_parse
 * parses only what a filter reads: parsing is most of a filter's time.
 * The frame column stays when present: pkt_parse checks that frames
 * increase (tsv_frame_order). */
void pkt_cols_restrict(struct pkt_cols *c, const int *use);

/* Frees what pkt_parse planned. */
void pkt_cols_free(struct pkt_cols *c);

/* Marks the bound columns as read (tsv_want), so pkt_parse locates
 * only those and the columns the filter marks itself. */
void pkt_cols_want(const struct pkt_cols *c, struct tsv *t);

/* Fills p from the line read by tsv_next_line: locates the fields of the
 * bound columns and of those marked with tsv_want (all when none is) in
 * t->f, and checks the line's field count. Bad values exit with the line.
 * MPTCP option fields are filled only when the mptcp column lists options. */
void pkt_parse(struct pkt *p, struct pkt_cols *c, struct tsv *t);

/* The columns every connection-level filter needs. */
extern const int pkt_need_tcp[];

#endif
