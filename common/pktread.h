/* Packet records read back from TSV into struct pkt: the other half of
 * pktfmt, so a filter sees the same packet from a pipe as from a capture. */
#ifndef PKTREAD_H
#define PKTREAD_H
#include "pkt.h"
#include "pktfmt.h"
#include "tsv.h"

struct pkt_cols {
	int idx[PKT_NCOLS]; /* column of the input, or -1 */
};

/* Binds the packet columns present in t. Columns in need[] (ended by -1)
 * must be there; the error names pcap2pkt as their producer. */
void pkt_cols_bind(struct pkt_cols *c, const struct tsv *t, const int *need);

/* Forgets the bound columns not in use[] (ended by -1), so pkt_parse
 * parses only what a filter reads: parsing is most of a filter's time. */
void pkt_cols_restrict(struct pkt_cols *c, const int *use);

/* Marks the bound columns as the ones t splits out (tsv_want). */
void pkt_cols_want(const struct pkt_cols *c, struct tsv *t);

/* Fills p from the current record; bad values exit with the line. MPTCP
 * option fields are parsed only when the mptcp column lists options. */
void pkt_parse(struct pkt *p, const struct pkt_cols *c, const struct tsv *t);

/* The columns every connection-level filter needs. */
extern const int pkt_need_tcp[];

#endif
