/* The sequence ranges a TCP direction has carried: the one definition of
 * a TCP retransmission shared by tcp-metrics and mptcp-metrics. A payload
 * byte is retransmitted when its sequence number was carried by an earlier
 * captured segment of the same connection and direction, whatever the
 * highest sequence number sent; a segment filling a hole (data lost
 * before the capture point) carries new bytes. Positions are 64-bit,
 * unwrapped by the caller (seq_unwrap), so 2^31 and 2^32 are nothing
 * special. Memory: at most SEQSET_MAX ranges, i.e. holes; beyond, the
 * lowest hole is forgotten (counted in `forgotten`) and would count as
 * carried, which only matters if data is ever sent into it again. */
#ifndef SEQSET_H
#define SEQSET_H
#include <stdint.h>
#include "spans.h"

#define SEQSET_MAX 16384

struct seqset {
	struct spans sp;
	uint64_t forgotten;   /* bytes of holes forgotten at the bound */
};

/* A part of a segment's payload that no earlier segment carried. */
typedef void seqset_fresh_fn(void *ctx, int64_t a, int64_t b);

void seqset_init(struct seqset *s);
void seqset_free(struct seqset *s);

/* The 64-bit position of a 32-bit sequence number, the one nearest to
 * ref: modular comparison, so crossing 2^31 or 2^32 is ordinary. */
static inline int64_t seq_unwrap(uint32_t seq, int64_t ref)
{
	return ref + (int32_t)(seq - (uint32_t)ref);
}

/* The lowest range carried, [*lo, *hi): 0 when nothing was. Below *hi
 * and from *lo on, no byte can be new again. */
int seqset_first(const struct seqset *s, int64_t *lo, int64_t *hi);

struct seqset_seg {
	uint64_t payload_seen;  /* payload bytes carried before: retransmitted */
	uint64_t payload_new;
	int any_seen;           /* some of its sequence space (SYN, payload,
	                           FIN) was carried before */
	int64_t new_lo;         /* where its first new part starts (INT64_MAX:
	                           none) */
};

/* A segment occupying [start, start + syn + len + fin) with its payload
 * at [start + syn, start + syn + len): records it, calls fresh (when not
 * NULL) for each new part of the payload in order, and says what of it
 * was carried before. */
struct seqset_seg seqset_segment(struct seqset *s, int64_t start, int syn,
    uint32_t len, int fin, seqset_fresh_fn *fresh, void *ctx);

#endif
