#include "seqset.h"

#include <stddef.h>

/* Signed positions as order-preserving unsigned keys. */
static inline uint64_t key(int64_t x) { return (uint64_t)x ^ (1ULL << 63); }
static inline int64_t pos(uint64_t k) { return (int64_t)(k ^ (1ULL << 63)); }

void seqset_init(struct seqset *s)
{
	spans_init(&s->sp, 0);
	s->forgotten = 0;
}

void seqset_free(struct seqset *s)
{
	spans_free(&s->sp);
}

int seqset_first(const struct seqset *s, int64_t *lo, int64_t *hi)
{
	uint32_t i = spans_first(&s->sp);
	if (!i)
		return 0;
	*lo = pos(spans_at(&s->sp, i)->lo);
	*hi = pos(spans_at(&s->sp, i)->hi);
	return 1;
}

/* What the new parts of [a, b) are reported to. */
struct sink {
	uint64_t plo, phi;      /* the payload's keys */
	seqset_fresh_fn *fresh;
	void *ctx;
	uint64_t payload_new;
	uint64_t new_lo;        /* key of the first new part, UINT64_MAX none */
};

static inline void fresh_part(struct sink *k, uint64_t a, uint64_t b)
{
	if (a < b && a < k->new_lo)
		k->new_lo = a;
	if (a < k->plo)
		a = k->plo;
	if (b > k->phi)
		b = k->phi;
	if (a >= b)
		return;
	k->payload_new += b - a;
	if (k->fresh)
		k->fresh(k->ctx, pos(a), pos(b));
}

/* At the bound, the two lowest ranges become one: the lowest hole. */
static void bound(struct seqset *s)
{
	if (s->sp.n <= SEQSET_MAX)
		return;
	uint32_t a = spans_first(&s->sp), b = spans_next(&s->sp, a);
	struct span *x = spans_at(&s->sp, a);
	uint64_t hi = spans_at(&s->sp, b)->hi;
	s->forgotten += spans_at(&s->sp, b)->lo - x->hi;
	spans_erase(&s->sp, b);
	spans_at(&s->sp, a)->hi = hi;
}

/* Adds [a, b); returns how much of it was there before. */
static uint64_t add(struct seqset *s, uint64_t a, uint64_t b, struct sink *k)
{
	struct spans *t = &s->sp;
	uint32_t last = t->last;
	if (!last || a >= spans_at(t, last)->hi) {
		/* the common case: beyond everything carried so far */
		fresh_part(k, a, b);
		if (last && a == spans_at(t, last)->hi)
			spans_at(t, last)->hi = b;
		else
			spans_insert(t, a, b);
		bound(s);
		return 0;
	}
	/* ranges overlapping or touching [a, b) become one, the first kept */
	uint32_t i = spans_find(t, a ? a - 1 : 0), keep = 0;
	uint64_t cur = a, seen = 0, lo = a, hi = b;
	while (i && spans_at(t, i)->lo <= b) {
		struct span *x = spans_at(t, i);
		uint32_t next = spans_next(t, i);
		if (x->lo > cur)
			fresh_part(k, cur, x->lo < b ? x->lo : b);
		uint64_t ol = x->lo > a ? x->lo : a, oh = x->hi < b ? x->hi : b;
		if (oh > ol)
			seen += oh - ol;
		if (x->hi > cur)
			cur = x->hi;
		if (x->lo < lo)
			lo = x->lo;
		if (x->hi > hi)
			hi = x->hi;
		if (keep)
			spans_erase(t, i);
		else
			keep = i;
		i = next;
	}
	if (cur < b)
		fresh_part(k, cur, b);
	if (keep) {
		spans_at(t, keep)->lo = lo;
		spans_at(t, keep)->hi = hi;
	} else {
		spans_insert(t, a, b);
		bound(s);
	}
	return seen;
}

struct seqset_seg seqset_segment(struct seqset *s, int64_t start, int syn,
    uint32_t len, int fin, seqset_fresh_fn *fresh, void *ctx)
{
	struct seqset_seg r = { 0, 0, 0, INT64_MAX };
	uint64_t a = key(start), b = a + (uint64_t)(syn != 0) + len + (uint64_t)(fin != 0);
	if (a == b)
		return r;
	struct sink k = { a + (uint64_t)(syn != 0), a + (uint64_t)(syn != 0) + len, fresh, ctx, 0,
		UINT64_MAX };
	uint64_t seen = add(s, a, b, &k);
	r.any_seen = seen > 0;
	r.payload_new = k.payload_new;
	r.payload_seen = len - k.payload_new;
	if (k.new_lo != UINT64_MAX)
		r.new_lo = pos(k.new_lo);
	return r;
}
