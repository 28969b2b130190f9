/* Statistics defined once for every tool (tcp-metrics, mptcp-metrics,
 * aggregate): numpy's default percentile (linear interpolation between
 * the order statistics around (n - 1) q), numpy's median, the sample
 * standard deviation (n - 1; none below two values), and one bounded,
 * deterministic way to keep RTT samples: exact up to RTT_EXACT samples,
 * then a logarithmic histogram whose percentiles are within RTT_REL_ERR
 * (relative) of the exact ones on the same samples. */
#ifndef SUMMARY_H
#define SUMMARY_H
#include <stddef.h>
#include <stdint.h>
#include "out.h"

/* numpy.percentile(v, pct), method 'linear', of n > 0 sorted values. */
double stat_percentile(const double *v, size_t n, double pct);
/* numpy.median of n > 0 sorted values. */
double stat_median(const double *v, size_t n);

/* Running moments (Welford): exact count, min and max; mean and the sum
 * of squared deviations without the cancellation of sum-of-squares. */
struct moments {
	uint64_t n;
	double mean, m2, min, max;
};

void moments_add(struct moments *m, double x);
/* Sample standard deviation (n - 1); NaN below two values. */
double moments_stdev(const struct moments *m);

#define RTT_EXACT 8192        /* samples kept exactly per direction */
#define RTT_REL_ERR 0.01      /* the histogram's relative error bound */

/* RTT samples in nanoseconds (>= 0). */
struct rttset {
	struct moments mo;
	int64_t min, max;       /* exact, in ns */
	int64_t *v;             /* the samples while n <= RTT_EXACT */
	uint32_t len, cap;
	int sorted;
	uint64_t *bucket;       /* then: counts of log buckets lo .. lo+nb-1 */
	int32_t b_lo;
	uint32_t nb;
	uint64_t zeros;         /* samples of 0 ns, kept apart (log(0)) */
};

void rttset_add(struct rttset *r, int64_t ns);
/* numpy.percentile of the samples (ns), or its estimate; r->mo.n > 0. */
double rttset_percentile(struct rttset *r, double pct);
void rttset_free(struct rttset *r);

/* Milliseconds with 3 decimals from nanoseconds, rounded half up, from
 * integers (no double in between). */
void out_ms_ns(struct out *o, int64_t ns);

/* One of the RTT columns both metrics tools write (no tab): the sample
 * count, or min, max, mean, standard deviation or the pct percentile in
 * milliseconds ('-' when there is no sample, or no deviation). */
enum rtt_stat { RTT_N, RTT_MIN, RTT_MAX, RTT_AVG, RTT_STDEV, RTT_PCT };
void rttset_out(struct out *o, struct rttset *r, enum rtt_stat s, double pct);

#endif
