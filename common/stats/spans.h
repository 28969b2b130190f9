/* An ordered set of disjoint half-open spans [lo, hi) of 64-bit keys,
 * each with a payload of a fixed size: the sequence ranges seen of a TCP
 * direction (seqset.h), the data-level origins of an MPTCP direction
 * (mpstat.c). A treap in one array, its priorities drawn from a
 * generator seeded with the process's hash key (hash.h), so finding,
 * inserting and erasing cost O(log n) expected whatever the order of the
 * operations, even one chosen against the tree; the priorities shape the
 * tree only, never a result. The largest span is at hand for appending.
 * Indexes are stable; pointers into the array are not across
 * spans_insert. */
#ifndef SPANS_H
#define SPANS_H
#include <stddef.h>
#include <stdint.h>

struct span {
	uint64_t lo, hi;
	uint32_t left, right, prio;
};

struct spans {
	struct span *s;        /* s[0]: the empty tree */
	unsigned char *val;    /* payload of span i at val + i * vsize */
	size_t vsize;
	uint32_t root, last;   /* last: the span with the highest keys */
	uint32_t freelist, used, cap, n;
	uint32_t rng;
};

void spans_init(struct spans *t, size_t vsize);
void spans_free(struct spans *t);

static inline struct span *spans_at(const struct spans *t, uint32_t i)
{
	return &t->s[i];
}

static inline void *spans_val(const struct spans *t, uint32_t i)
{
	return t->val + (size_t)i * t->vsize;
}

/* The first span ending after x (hi > x), or 0. Inline, as spans_next:
 * the engines call them on every packet. New keys go last nearly always:
 * when the last span starts at or below x it is the answer or there is
 * none (the spans are disjoint, every other one ends at or below x), and
 * there is no descent. */
static inline uint32_t spans_find(const struct spans *t, uint64_t x)
{
	uint32_t l = t->last;
	if (!l)
		return 0;
	if (t->s[l].lo <= x)
		return t->s[l].hi > x ? l : 0;
	uint32_t i = t->root, best = 0;
	while (i) {
		if (t->s[i].hi > x) {
			best = i;
			i = t->s[i].left;
		} else {
			i = t->s[i].right;
		}
	}
	return best;
}

/* The span after / before span i, or 0. */
static inline uint32_t spans_next(const struct spans *t, uint32_t i)
{
	return spans_find(t, t->s[i].hi);
}
/* The span after i in the tree's order, or 0: as spans_next for spans
 * that are not empty (lo < hi), found from i when it has a
 * right subtree (a short descent), else from the root. */
static inline uint32_t spans_succ(const struct spans *t, uint32_t i)
{
	if (i == t->last)
		return 0;
	uint32_t j = t->s[i].right;
	if (!j)
		return spans_find(t, t->s[i].hi);
	while (t->s[j].left)
		j = t->s[j].left;
	return j;
}
uint32_t spans_prev(const struct spans *t, uint32_t i);
uint32_t spans_first(const struct spans *t);

/* Adds [lo, hi), which must overlap no span; its payload is zeroed. */
uint32_t spans_insert(struct spans *t, uint64_t lo, uint64_t hi);
void spans_erase(struct spans *t, uint32_t i);

#endif
