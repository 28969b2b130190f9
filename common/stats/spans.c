#include "spans.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

#define S(i) (t->s[i])

void spans_init(struct spans *t, size_t vsize)
{
	memset(t, 0, sizeof *t);
	t->vsize = vsize;
	/* priorities from the process's hash key: with a fixed seed the k-th
	 * span inserted had a known priority, and segments placed in the
	 * order of those priorities made the tree one path (275,000
	 * instructions a packet in tcp-metrics instead of 2,400) */
	uint32_t r = (uint32_t)hash_u64((uint64_t)(uintptr_t)t);
	t->rng = r ? r : 0x9E3779B9u;
}

void spans_free(struct spans *t)
{
	free(t->s);
	free(t->val);
	spans_init(t, t->vsize);
}

/* xorshift32: priorities only shape the tree, never the results. */
static uint32_t next_prio(struct spans *t)
{
	uint32_t x = t->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return t->rng = x;
}

uint32_t spans_prev(const struct spans *t, uint32_t i)
{
	uint64_t lo = S(i).lo;
	uint32_t j = t->root, best = 0;
	while (j) {
		if (S(j).lo < lo) {
			best = j;
			j = S(j).right;
		} else {
			j = S(j).left;
		}
	}
	return best;
}

uint32_t spans_first(const struct spans *t)
{
	uint32_t i = t->root;
	while (i && S(i).left)
		i = S(i).left;
	return i;
}

/* Splits tree i into the spans below key and the rest. */
static void split(struct spans *t, uint32_t i, uint64_t key, uint32_t *l, uint32_t *r)
{
	while (i) {
		if (S(i).lo < key) {
			*l = i;
			l = &S(i).right;
			i = S(i).right;
		} else {
			*r = i;
			r = &S(i).left;
			i = S(i).left;
		}
	}
	*l = *r = 0;
}

/* Joins two trees, every key of a below every key of b. */
static uint32_t merge(struct spans *t, uint32_t a, uint32_t b)
{
	uint32_t root = 0, *link = &root;
	while (a && b) {
		if (S(a).prio > S(b).prio) {
			*link = a;
			link = &S(a).right;
			a = S(a).right;
		} else {
			*link = b;
			link = &S(b).left;
			b = S(b).left;
		}
	}
	*link = a ? a : b;
	return root;
}

static uint32_t node_alloc(struct spans *t)
{
	uint32_t i = t->freelist;
	if (i) {
		t->freelist = S(i).left;
		return i;
	}
	if (t->used + 1 >= t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 8;
		if (cap < t->cap)
			abort(); /* 2^32 spans: the callers' bounds make this impossible */
		t->s = xreallocarray(t->s, cap, sizeof *t->s);
		if (t->vsize)
			t->val = xreallocarray(t->val, cap, t->vsize);
		t->cap = cap;
	}
	return ++t->used;
}

uint32_t spans_insert(struct spans *t, uint64_t lo, uint64_t hi)
{
	uint32_t k = node_alloc(t);
	S(k) = (struct span){ lo, hi, 0, 0, next_prio(t) };
	if (t->vsize)
		memset(spans_val(t, k), 0, t->vsize);
	/* descend while the new node's priority is lower, then split there */
	uint32_t *link = &t->root;
	while (*link && S(*link).prio >= S(k).prio)
		link = lo < S(*link).lo ? &S(*link).left : &S(*link).right;
	split(t, *link, lo, &S(k).left, &S(k).right);
	*link = k;
	if (!t->last || lo > S(t->last).lo)
		t->last = k;
	t->n++;
	return k;
}

void spans_erase(struct spans *t, uint32_t i)
{
	if (i == t->last)
		t->last = spans_prev(t, i);
	uint64_t lo = S(i).lo;
	uint32_t *link = &t->root;
	while (*link != i)
		link = lo < S(*link).lo ? &S(*link).left : &S(*link).right;
	*link = merge(t, S(i).left, S(i).right);
	S(i).left = t->freelist;
	t->freelist = i;
	t->n--;
}
