#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* numpy's _lerp: from the upper value when gamma >= 0.5, so that results
 * match numpy bit for bit. */
static double lerp(double a, double b, double g)
{
	double d = b - a;
	return g >= 0.5 ? b - d * (1 - g) : a + d * g;
}

/* numpy 'linear': virtual index (n - 1) q, its floor and fraction. */
static size_t pct_index(size_t n, double pct, double *g)
{
	double h = (double)(n - 1) * (pct / 100.0), lo = floor(h);
	*g = h - lo;
	return (size_t)lo;
}

double stat_percentile(const double *v, size_t n, double pct)
{
	double g;
	size_t i = pct_index(n, pct, &g);
	if (i >= n - 1)
		return v[n - 1];
	return lerp(v[i], v[i + 1], g);
}

double stat_median(const double *v, size_t n)
{
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

void moments_add(struct moments *m, double x)
{
	if (m->n == 0 || x < m->min)
		m->min = x;
	if (m->n == 0 || x > m->max)
		m->max = x;
	m->n++;
	double d = x - m->mean;
	m->mean += d / (double)m->n;
	m->m2 += d * (x - m->mean);
}

double moments_stdev(const struct moments *m)
{
	if (m->n < 2)
		return NAN;
	double v = m->m2 / (double)(m->n - 1);
	return v > 0 ? sqrt(v) : 0;
}

/* ---- RTT samples ---- */

/* DDSketch's buckets: x in (gamma^(i-1), gamma^i] is bucket i, whose
 * representative 2 gamma^i / (gamma + 1) is within alpha of every x in
 * it, gamma = (1 + alpha) / (1 - alpha). An interpolation between two
 * order statistics each within alpha is within alpha too (all x >= 0). */
static double gamma_(void) { return (1 + RTT_REL_ERR) / (1 - RTT_REL_ERR); }

static int32_t bucket_of(int64_t ns)
{
	return (int32_t)ceil(log((double)ns) / log(gamma_()));
}

static double bucket_value(int32_t i)
{
	double g = gamma_();
	return 2 * pow(g, i) / (g + 1);
}

static void sketch_add(struct rttset *r, int64_t ns)
{
	if (ns == 0) {
		r->zeros++;
		return;
	}
	int32_t i = bucket_of(ns);
	if (!r->nb) {
		r->b_lo = i;
		r->nb = 1;
		r->bucket = xcalloc(1, sizeof *r->bucket);
	} else if (i < r->b_lo || i >= r->b_lo + (int32_t)r->nb) {
		int32_t lo = i < r->b_lo ? i : r->b_lo;
		int32_t hi = i >= r->b_lo + (int32_t)r->nb ? i + 1 : r->b_lo + (int32_t)r->nb;
		uint64_t *b = xcalloc((size_t)(hi - lo), sizeof *b);
		memcpy(b + (r->b_lo - lo), r->bucket, r->nb * sizeof *b);
		free(r->bucket);
		r->bucket = b;
		r->b_lo = lo;
		r->nb = (uint32_t)(hi - lo);
	}
	r->bucket[i - r->b_lo]++;
}

void rttset_add(struct rttset *r, int64_t ns)
{
	if (r->mo.n == 0 || ns < r->min)
		r->min = ns;
	if (r->mo.n == 0 || ns > r->max)
		r->max = ns;
	moments_add(&r->mo, (double)ns);
	r->sorted = 0;
	if (r->mo.n <= RTT_EXACT) {
		if (r->len == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
		}
		r->v[r->len++] = ns;
		return;
	}
	if (r->v) {
		/* past the exact bound: everything into the histogram */
		for (uint32_t i = 0; i < r->len; i++)
			sketch_add(r, r->v[i]);
		free(r->v);
		r->v = NULL;
		r->len = r->cap = 0;
	}
	sketch_add(r, ns);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The k-th smallest sample (from 0), estimated in the histogram. */
static double sketch_rank(const struct rttset *r, uint64_t k)
{
	if (k == 0)
		return (double)r->min;
	if (k + 1 >= r->mo.n)
		return (double)r->max;
	if (k < r->zeros)
		return 0;
	uint64_t c = r->zeros;
	for (uint32_t j = 0; j < r->nb; j++) {
		c += r->bucket[j];
		if (c > k) {
			double v = bucket_value(r->b_lo + (int32_t)j);
			/* clamping to the exact extremes can only bring it closer */
			return v < (double)r->min ? (double)r->min : v > (double)r->max ? (double)r->max : v;
		}
	}
	return (double)r->max;
}

double rttset_percentile(struct rttset *r, double pct)
{
	size_t n = (size_t)r->mo.n;
	double g;
	size_t i = pct_index(n, pct, &g);
	if (r->v) {
		if (!r->sorted) {
			qsort(r->v, r->len, sizeof *r->v, cmp_i64);
			r->sorted = 1;
		}
		if (i >= n - 1)
			return (double)r->v[n - 1];
		return lerp((double)r->v[i], (double)r->v[i + 1], g);
	}
	if (i >= n - 1)
		return (double)r->max;
	return lerp(sketch_rank(r, i), sketch_rank(r, i + 1), g);
}

void rttset_free(struct rttset *r)
{
	free(r->v);
	free(r->bucket);
	memset(r, 0, sizeof *r);
}

void out_ms_ns(struct out *o, int64_t ns)
{
	int neg = ns < 0;
	uint64_t a = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t us = (a + 500) / 1000;
	if (neg && us)
		out_chr(o, '-');
	out_fixed(o, (int64_t)(us / 1000), us % 1000, 3);
}

void rttset_out(struct out *o, struct rttset *r, enum rtt_stat s, double pct)
{
	if (s == RTT_N) {
		out_u64(o, r->mo.n);
		return;
	}
	if (!r->mo.n) {
		out_dash(o);
		return;
	}
	switch (s) {
	case RTT_MIN:
		out_ms_ns(o, r->min);
		break;
	case RTT_MAX:
		out_ms_ns(o, r->max);
		break;
	case RTT_AVG:
		out_double(o, r->mo.mean / 1e6, 3);
		break;
	case RTT_STDEV:
		out_double(o, moments_stdev(&r->mo) / 1e6, 3);
		break;
	default:
		out_double(o, rttset_percentile(r, pct) / 1e6, 3);
	}
}
