/* aggregate: group-by over TSV/CSV records. Summary statistics (count,
 * sum, min, max, mean, stdev, median, percentiles, distinct, first, last),
 * ratios of two columns' sums (ratio:NUM/DEN), CDF and byte-weighted
 * CDF points, histograms. Statistics are the
 * toolkit's (common/stats/summary.h): numpy's percentiles and median, the
 * sample standard deviation (n - 1). See aggregate(1).
 *
 * Memory: count/sum/min/max/mean/stdev/first/last are constant per group;
 * median, percentiles and CDFs keep the group's values of their column;
 * distinct keeps the group's distinct values. */
#include <csv.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "out.h"
#include "summary.h"
#include "tsv.h"
#include "util.h"

enum fn { F_COUNT, F_SUM, F_MIN, F_MAX, F_MEAN, F_STDEV, F_MEDIAN, F_PCT,
	F_DISTINCT, F_FIRST, F_LAST, F_RATIO };
enum kind { K_ROWS, K_NUM, K_VALS, K_STR };
static const struct {
	const char *name;
	enum kind kind;
} fns[] = {
	[F_COUNT] = { "count", K_STR }, [F_SUM] = { "sum", K_NUM },
	[F_MIN] = { "min", K_NUM }, [F_MAX] = { "max", K_NUM },
	[F_MEAN] = { "mean", K_NUM }, [F_STDEV] = { "stdev", K_NUM },
	[F_MEDIAN] = { "median", K_VALS }, [F_PCT] = { "p", K_VALS },
	[F_DISTINCT] = { "distinct", K_STR }, [F_FIRST] = { "first", K_STR },
	[F_LAST] = { "last", K_STR }, [F_RATIO] = { "ratio", K_NUM },
};

enum mode { M_SUMMARY, M_CDF, M_HIST };

struct agg {
	enum fn fn;
	enum kind kind;
	double pct;   /* F_PCT, in [0, 100] */
	int col;      /* input column (index into need[]); -1: count rows */
	int slot;     /* numeric column slot, or string state slot */
	int den;      /* F_RATIO: the denominator's numeric slot; -1: the rows */
	char *oname;
};

/* Streaming moments: compensated sum (Neumaier) and Welford's variance
 * (struct moments), so long groups keep the precision numpy's two-pass
 * formulas have. */
struct nstat {
	struct moments mo;
	double sum, comp;
};

struct dvec {
	double *v;
	size_t n, cap;
};

struct vw {
	double v, w;
};

struct pvec {
	struct vw *p;
	size_t n, cap;
};

/* A set of strings (distinct counts) or of groups: open addressing. */
struct hent {
	uint64_t h;
	size_t len;
	void *data;
	char key[];
};

struct htab {
	struct hent **slot;
	size_t cap, n;
};

struct sstate {
	uint64_t count;
	struct htab set;
	char *s;
	size_t len, cap;
	int set_once;
};

struct group {
	const char *key; /* group fields joined by NUL */
	size_t klen;
	uint64_t rows;
	struct nstat *ns;
	struct dvec *dv;
	struct sstate *ss;
	struct pvec pv;    /* weighted CDF */
	uint64_t *hc;      /* histogram counts */
	double *hw;        /* histogram weights */
};

/* Everything the options decide. */
struct spec {
	enum mode mode;
	char **need;       /* input column names used */
	int nneed;
	int *grp, ngrp;    /* group columns (into need[]) */
	struct agg *agg;
	int nagg;
	int *numcol;       /* numeric slot -> need[] index */
	int *keepvals;     /* numeric slot keeps its values */
	int nnum, nstr;
	uint64_t *skipped; /* per need[]: non-numeric values skipped */
	int skip_bad;
	int valcol, wcol;  /* cdf/hist value and weight (need[] index, -1) */
	double *edges;
	int nedges;
	int csv_in, delim;
	int csv_out;
};

struct state {
	struct spec *sp;
	struct htab groups;
	struct group **gv;
	size_t ng, gcap;
	char *kbuf;
	size_t kcap;
	/* current input */
	const char *path;
	uint64_t line;
	int *idx;          /* need[] -> field index in this input */
	char **names;
	int ncols;
};

_Noreturn static void usage(int status)
{
	/* the name it was invoked by: installed, it is mptcp-aggregate */
	const char *n = program_invocation_short_name;
	int w = (int)strlen(n);
	fprintf(status ? stderr : stdout,
	    "usage: %s [-hs] [--csv] [-d delim] [-o tsv|csv] [-g col[,col...]]\n"
	    "       %*s [-a fn[:col][=name][,...]] ... [file ...]\n"
	    "       %s [options] -c col [-w weight_col] [file ...]\n"
	    "       %s [options] -H col -b edges|lo:hi:n [-w weight_col] [file ...]\n"
	    "fn: count sum min max mean stdev median pN distinct first last ratio:num[/den]\n", n, w, "", n, n);
	exit(status);
}




/* ---- hash set */

/* Group keys and values come from any file: keyed (common/base/hash.h). */
static uint64_t hash(const char *p, size_t n)
{
	return hash_bytes(p, n);
}

static struct hent **ht_slot(const struct htab *t, uint64_t h, const char *k, size_t n)
{
	size_t i = (size_t)h & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		struct hent *e = t->slot[i];
		if (!e || (e->h == h && e->len == n && memcmp(e->key, k, n) == 0))
			return &t->slot[i];
	}
}

/* Finds key or inserts it; *isnew says which. */
static struct hent *ht_get(struct htab *t, const char *k, size_t n, int *isnew)
{
	if (2 * (t->n + 1) > t->cap) {
		struct hent **old = t->slot;
		size_t ocap = t->cap;
		t->cap = ocap ? 2 * ocap : 16;
		t->slot = xcalloc(t->cap, sizeof *t->slot);
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				*ht_slot(t, old[i]->h, old[i]->key, old[i]->len) = old[i];
		free(old);
	}
	uint64_t h = hash(k, n);
	struct hent **s = ht_slot(t, h, k, n);
	*isnew = !*s;
	if (*s)
		return *s;
	struct hent *e = xrealloc(NULL, sizeof *e + n + 1);
	e->h = h;
	e->len = n;
	e->data = NULL;
	memcpy(e->key, k, n);
	e->key[n] = 0;
	*s = e;
	t->n++;
	return e;
}

/* ---- numbers */

/* Parses a decimal number. 1: ok, 0: missing ("-" or empty), -1: not a
 * number. Plain integers up to 15 digits skip strtod (exact anyway);
 * nan, inf and hex floats are refused: they are not measurements. */
static int parse_num(const char *p, size_t n, double *v)
{
	if (n == 0 || (n == 1 && p[0] == '-'))
		return 0;
	size_t i = p[0] == '-' || p[0] == '+';
	if (i < n && n - i <= 15) {
		uint64_t u = 0;
		size_t j = i;
		for (; j < n && (unsigned)(p[j] - '0') < 10; j++)
			u = u * 10 + (uint64_t)(p[j] - '0');
		if (j == n && j > i) {
			*v = p[0] == '-' ? -(double)u : (double)u;
			return 1;
		}
	}
	char buf[128];
	if (n >= sizeof buf || i == n || !((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
		return -1;
	for (size_t j = i; j < n; j++)
		if (p[j] == 'x' || p[j] == 'X')
			return -1;
	memcpy(buf, p, n);
	buf[n] = 0;
	char *end;
	*v = strtod(buf, &end);
	return end == buf + n && isfinite(*v) ? 1 : -1;
}

static void ns_add(struct nstat *s, double x)
{
	double t = s->sum + x;
	s->comp += fabs(s->sum) >= fabs(x) ? (s->sum - t) + x : (x - t) + s->sum;
	s->sum = t;
	moments_add(&s->mo, x);
}

static void dv_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = x;
}

static void pv_push(struct pvec *d, double v, double w)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->p = xrealloc(d->p, d->cap * sizeof *d->p);
	}
	d->p[d->n].v = v;
	d->p[d->n++].w = w;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Ties broken by weight: the output does not depend on input order. */
static int cmp_vw(const void *a, const void *b)
{
	const struct vw *x = a, *y = b;
	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->w > y->w) - (x->w < y->w);
}

/* ---- output */

static struct spec *osp;

static void put_field(const char *s, size_t n)
{
	if (!osp->csv_out) {
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
				errx(1, "value '%.*s' holds a tab or newline: use -o csv",
				    (int)(n > 40 ? 40 : n), s);
		out_mem(&out_stdout, s, n);
		return;
	}
	if (strcspn(s, ",\"\r\n") >= n && !(n && (s[0] == ' ' || s[n - 1] == ' '))) {
		out_mem(&out_stdout, s, n);
		return;
	}
	out_chr(&out_stdout, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			out_chr(&out_stdout, '"');
		out_chr(&out_stdout, s[i]);
	}
	out_chr(&out_stdout, '"');
}

static void put_sep(void)
{
	out_chr(&out_stdout, osp->csv_out ? ',' : '\t');
}

/* An input value (a minimum, a maximum, a CDF's x): the shortest text
 * that reads back as the same double (as Python's repr), so that it is
 * written as it was read; whole numbers as integers. */
static void put_exact(double v)
{
	if (isnan(v)) {
		out_dash(&out_stdout);
		return;
	}
	if (v == trunc(v) && fabs(v) < 1e15) {
		out_i64(&out_stdout, (int64_t)v);
		return;
	}
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	out_str(&out_stdout, buf);
}

/* A computed number (a sum, mean, deviation, percentile, fraction): 12
 * significant digits, printf's %.12g, so that binary rounding (0.1 + 0.2
 * = 0.30000000000000004) and a percentile's interpolation, whose errors
 * reach the 13th digit of its operands, do not show; whole numbers as
 * integers. */
static void put_num(double v)
{
	if (isnan(v) || (v == trunc(v) && fabs(v) < 1e15)) {
		put_exact(v);
		return;
	}
	char buf[40];
	snprintf(buf, sizeof buf, "%.12g", v);
	out_str(&out_stdout, buf);
}

static void put_key(const struct group *g)
{
	const char *p = g->key;
	for (int i = 0; i < osp->ngrp; i++) {
		size_t n = strlen(p);
		put_field(p, n);
		put_sep();
		p += n + 1;
	}
}

/* ---- options */

static int need_col(struct spec *sp, const char *name)
{
	for (int i = 0; i < sp->nneed; i++)
		if (strcmp(sp->need[i], name) == 0)
			return i;
	sp->need = xrealloc(sp->need, (size_t)(sp->nneed + 1) * sizeof *sp->need);
	sp->need[sp->nneed] = xstrdup(name);
	return sp->nneed++;
}

static int num_slot(struct spec *sp, int col, int keep)
{
	for (int i = 0; i < sp->nnum; i++)
		if (sp->numcol[i] == col) {
			sp->keepvals[i] |= keep;
			return i;
		}
	sp->numcol = xrealloc(sp->numcol, (size_t)(sp->nnum + 1) * sizeof(int));
	sp->keepvals = xrealloc(sp->keepvals, (size_t)(sp->nnum + 1) * sizeof(int));
	sp->numcol[sp->nnum] = col;
	sp->keepvals[sp->nnum] = keep;
	return sp->nnum++;
}

/* "p90", "p99.9": the percentile, or -1. */
static double parse_pct(const char *s, size_t n)
{
	if (n < 2 || s[0] != 'p' || strspn(s + 1, "0123456789.") < n - 1)
		return -1;
	char buf[32];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s + 1, n - 1);
	buf[n - 1] = 0;
	char *end;
	double p = strtod(buf, &end);
	return *end || !(p >= 0 && p <= 100) ? -1 : p;
}

/* One "fn[:col][=name]" item of -a. */
static void add_agg(struct spec *sp, char *item)
{
	struct agg a = { .col = -1, .den = -1 };
	char *eq = strchr(item, '='), *colon;
	if (eq)
		*eq++ = 0;
	if ((colon = strchr(item, ':')))
		*colon++ = 0;
	size_t fl = strlen(item);
	int fn = -1;
	for (int i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++)
		if (i != F_PCT && strcmp(item, fns[i].name) == 0)
			fn = i;
	if (fn < 0 && (a.pct = parse_pct(item, fl)) >= 0)
		fn = F_PCT;
	if (fn < 0)
		errx(2, "-a: unknown function '%s' (count sum min max mean stdev "
		    "median pN distinct first last ratio)", item);
	if ((colon && !*colon) || (eq && !*eq))
		errx(2, "-a %s: empty column or output name", item);
	a.fn = (enum fn)fn;
	a.kind = fns[fn].kind;
	if (!colon && fn != F_COUNT)
		errx(2, "-a %s: needs a column (%s:COLUMN)", item, item);
	/* ratio:NUM/DEN, split at the last slash; ratio:NUM is over the rows */
	char *slash = fn == F_RATIO ? strrchr(colon, '/') : NULL;
	if (slash) {
		*slash++ = 0;
		if (!*slash || !*colon)
			errx(2, "-a ratio:%s/%s: empty column name", colon, slash);
		a.den = num_slot(sp, need_col(sp, slash), 0);
	}
	if (!colon)
		a.kind = K_ROWS;
	else
		a.col = need_col(sp, colon);
	if (a.kind == K_NUM || a.kind == K_VALS)
		a.slot = num_slot(sp, a.col, a.kind == K_VALS);
	else if (a.kind == K_STR)
		a.slot = sp->nstr++;
	char name[256];
	if (eq) {
		snprintf(name, sizeof name, "%s", eq);
	} else if (!colon) {
		snprintf(name, sizeof name, "count");
	} else if (slash) {
		snprintf(name, sizeof name, "ratio_%s_%s", colon, slash);
	} else {
		/* "p99.9" -> "p99_9": column names stay snake_case */
		snprintf(name, sizeof name, "%s_%s", item, colon);
		for (char *p = name; *p && p < name + fl; p++)
			if (*p == '.')
				*p = '_';
	}
	a.oname = xstrdup(name);
	sp->agg = xrealloc(sp->agg, (size_t)(sp->nagg + 1) * sizeof *sp->agg);
	sp->agg[sp->nagg++] = a;
}

/* Splits a comma list; a backslash before a comma keeps it in the name
 * (column names of foreign CSV may hold commas). Calls
 * fn for each non-empty item. */
static void split_list(struct spec *sp, const char *arg, void (*fn)(struct spec *, char *))
{
	char *s = xstrdup(arg), *item = s, *w = s;
	for (const char *r = arg;; r++) {
		if (*r == '\\' && r[1] == ',') {
			*w++ = *++r;
			continue;
		}
		if (*r == ',' || *r == 0) {
			*w = 0;
			if (*item)
				fn(sp, item);
			if (*r == 0)
				break;
			item = ++w;
			continue;
		}
		*w++ = *r;
	}
	free(s);
}

static void add_group(struct spec *sp, char *name)
{
	sp->grp = xrealloc(sp->grp, (size_t)(sp->ngrp + 1) * sizeof(int));
	sp->grp[sp->ngrp++] = need_col(sp, name);
}

static void add_groups(struct spec *sp, const char *arg)
{
	int before = sp->ngrp;
	split_list(sp, arg, add_group);
	if (sp->ngrp == before)
		errx(2, "-g: no column named");
}

static double edge_num(const char *s)
{
	double v;
	if (parse_num(s, strlen(s), &v) != 1)
		errx(2, "-b: not a number: '%s'", s);
	return v;
}

/* "e0,e1,...,ek" or "lo:hi:n" (n equal bins, edges as numpy.linspace). */
static void parse_edges(struct spec *sp, const char *arg)
{
	char *s = xstrdup(arg), *save = NULL;
	if (strchr(s, ':')) {
		char *lo = strtok_r(s, ":", &save), *hi = strtok_r(NULL, ":", &save);
		char *n = strtok_r(NULL, ":", &save);
		if (!lo || !hi || !n || strtok_r(NULL, ":", &save))
			errx(2, "-b: expected e0,e1,... or lo:hi:n, got '%s'", arg);
		double a = edge_num(lo), b = edge_num(hi);
		int nb = (int)parse_count_arg("-b", n, 1, 1000000);
		sp->nedges = nb + 1;
		sp->edges = xcalloc((size_t)sp->nedges, sizeof(double));
		double step = (b - a) / nb;
		for (int i = 0; i < nb; i++)
			sp->edges[i] = a + i * step;
		sp->edges[nb] = b;
	} else {
		for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			sp->edges = xrealloc(sp->edges, (size_t)(sp->nedges + 1) * sizeof(double));
			sp->edges[sp->nedges++] = edge_num(t);
		}
	}
	free(s);
	if (sp->nedges < 2)
		errx(2, "-b: at least two edges");
	for (int i = 1; i < sp->nedges; i++)
		if (!(sp->edges[i] > sp->edges[i - 1]))
			errx(2, "-b: edges must increase: '%s'", arg);
}

static int parse_delim(const char *s)
{
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0)
		return '\t';
	if (strcmp(s, "comma") == 0)
		return ',';
	if (strcmp(s, "semicolon") == 0)
		return ';';
	if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
		errx(2, "-d: expected one character, tab, comma or semicolon, got '%s'", s);
	return (unsigned char)s[0];
}

/* ---- records */

/* Fills a new group for a hash entry that ht_get just made. */
static struct group *new_group(struct state *st, struct hent *e)
{
	struct spec *sp = st->sp;
	struct group *g = xcalloc(1, sizeof *g);
	g->ns = xcalloc((size_t)sp->nnum, sizeof *g->ns);
	g->dv = xcalloc((size_t)sp->nnum, sizeof *g->dv);
	g->ss = xcalloc((size_t)sp->nstr, sizeof *g->ss);
	if (sp->mode == M_HIST) {
		g->hc = xcalloc((size_t)sp->nedges, sizeof *g->hc);
		g->hw = xcalloc((size_t)sp->nedges, sizeof *g->hw);
	}
	e->data = g;
	g->key = e->key;
	g->klen = e->len;
	if (st->ng == st->gcap) {
		st->gcap = st->gcap ? 2 * st->gcap : 16;
		st->gv = xrealloc(st->gv, st->gcap * sizeof *st->gv);
	}
	st->gv[st->ng++] = g;
	return g;
}

/* The group of a record: its group fields joined by NUL are the key. */
static struct group *find_group(struct state *st, const struct tsv_field *f)
{
	struct spec *sp = st->sp;
	if (sp->ngrp == 0)
		return st->gv[0];
	size_t n = 0;
	for (int i = 0; i < sp->ngrp; i++)
		n += f[st->idx[sp->grp[i]]].n + 1;
	if (n > st->kcap) {
		st->kcap = 2 * n;
		st->kbuf = xrealloc(st->kbuf, st->kcap);
	}
	char *p = st->kbuf;
	for (int i = 0; i < sp->ngrp; i++) {
		const struct tsv_field *x = &f[st->idx[sp->grp[i]]];
		memcpy(p, x->p, x->n);
		p += x->n;
		*p++ = 0;
	}
	int isnew;
	struct hent *e = ht_get(&st->groups, st->kbuf, n, &isnew);
	return isnew ? new_group(st, e) : e->data;
}

/* A numeric field: 1 with *v, 0 to leave out (missing, or skipped). */
static int field_num(struct state *st, const struct tsv_field *f, int col, double *v)
{
	const struct tsv_field *x = &f[st->idx[col]];
	int r = parse_num(x->p, x->n, v);
	if (r >= 0)
		return r;
	if (!st->sp->skip_bad)
		errx(1, "%s:%llu: column '%s': not a number '%.*s' (-s skips such values)",
		    st->path, (unsigned long long)st->line, st->sp->need[col],
		    (int)(x->n > 60 ? 60 : x->n), x->p);
	st->sp->skipped[col]++;
	return 0;
}

static void str_update(struct sstate *s, enum fn fn, const struct tsv_field *x)
{
	if (x->n == 0 || (x->n == 1 && x->p[0] == '-'))
		return;
	int isnew;
	switch (fn) {
	case F_COUNT:
		s->count++;
		break;
	case F_DISTINCT:
		ht_get(&s->set, x->p, x->n, &isnew);
		break;
	case F_FIRST:
	case F_LAST:
		if (fn == F_FIRST && s->set_once)
			break;
		if (x->n > s->cap) {
			s->cap = 2 * x->n;
			s->s = xrealloc(s->s, s->cap);
		}
		memcpy(s->s, x->p, x->n);
		s->len = x->n;
		s->set_once = 1;
		break;
	default:
		break;
	}
}

static void hist_add(const struct spec *sp, struct group *g, double v, double w)
{
	const double *e = sp->edges;
	int ne = sp->nedges;
	if (v < e[0] || v > e[ne - 1])
		return; /* outside the edges: ignored, as numpy.histogram */
	int lo = 0, hi = ne - 1; /* bin i is [e[i], e[i+1]), the last closed */
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (v >= e[mid])
			lo = mid;
		else
			hi = mid;
	}
	g->hc[lo]++;
	g->hw[lo] += w;
}

static void on_record(struct state *st, const struct tsv_field *f)
{
	struct spec *sp = st->sp;
	struct group *g = find_group(st, f);
	g->rows++;
	if (sp->mode != M_SUMMARY) {
		double v, w = 1;
		if (!field_num(st, f, sp->valcol, &v))
			return;
		if (sp->wcol >= 0) {
			if (!field_num(st, f, sp->wcol, &w))
				return;
			if (w < 0)
				errx(1, "%s:%llu: column '%s': negative weight", st->path,
				    (unsigned long long)st->line, sp->need[sp->wcol]);
		}
		if (sp->mode == M_HIST)
			hist_add(sp, g, v, w);
		else if (sp->wcol >= 0)
			pv_push(&g->pv, v, w);
		else
			dv_push(&g->dv[0], v);
		return;
	}
	for (int i = 0; i < sp->nnum; i++) {
		double v;
		if (!field_num(st, f, sp->numcol[i], &v))
			continue;
		ns_add(&g->ns[i], v);
		if (sp->keepvals[i])
			dv_push(&g->dv[i], v);
	}
	for (int i = 0; i < sp->nagg; i++) {
		const struct agg *a = &sp->agg[i];
		if (a->kind == K_STR)
			str_update(&g->ss[a->slot], a->fn, &f[st->idx[a->col]]);
	}
}

/* Binds the needed columns to this input's header. */
static void bind(struct state *st, char **names, int ncols)
{
	struct spec *sp = st->sp;
	st->names = names;
	st->ncols = ncols;
	st->idx = xrealloc(st->idx, (size_t)sp->nneed * sizeof(int));
	for (int i = 0; i < sp->nneed; i++) {
		st->idx[i] = -1;
		for (int c = 0; c < ncols; c++)
			if (strcmp(names[c], sp->need[i]) == 0)
				st->idx[i] = c;
		if (st->idx[i] < 0)
			errx(1, "%s: input has no column '%s'", st->path, sp->need[i]);
	}
}

static void read_tsv(struct state *st, const char *path)
{
	struct tsv in;
	tsv_open_foreign(&in, path);
	st->path = in.path;
	if (in.ncols == 0)
		errx(1, "%s: empty input: no header line", in.path);
	bind(st, in.names, in.ncols);
	while (tsv_next(&in)) {
		st->line = in.line;
		on_record(st, in.f);
	}
	tsv_close(&in);
}

/* Foreign CSV/TSV through libcsv: fields gather in one buffer (offsets,
 * since it may move), a whole record goes to on_record. */
struct csvread {
	struct state *st;
	char *buf;
	size_t len, cap;
	size_t *off;
	struct tsv_field *f;
	int nf, fcap, ncols;
	char **names;
	uint64_t line;
	size_t rec_bytes; /* read since the last record ended */
};

#define CSV_CHUNK (1 << 16)

static void csv_cb_field(void *s, size_t n, void *arg)
{
	struct csvread *r = arg;
	if (r->len + n > r->cap || !r->buf) { /* a buffer even for empty fields */
		r->cap = 2 * (r->len + n) + 256;
		r->buf = xrealloc(r->buf, r->cap);
	}
	if (r->nf == r->fcap) {
		r->fcap = r->fcap ? 2 * r->fcap : 32;
		r->off = xrealloc(r->off, (size_t)(r->fcap + 1) * sizeof *r->off);
		r->f = xrealloc(r->f, (size_t)r->fcap * sizeof *r->f);
	}
	if (n)
		memcpy(r->buf + r->len, s, n);
	r->off[r->nf++] = r->len;
	r->len += n;
	r->off[r->nf] = r->len;
}

static void csv_cb_record(int c, void *arg)
{
	struct csvread *r = arg;
	struct state *st = r->st;
	(void)c;
	for (int i = 0; i < r->nf; i++) {
		r->f[i].p = r->buf + r->off[i];
		r->f[i].n = (uint32_t)(r->off[i + 1] - r->off[i]);
	}
	st->line = r->line;
	if (!r->names) {
		r->ncols = r->nf;
		r->names = xcalloc((size_t)r->nf, sizeof *r->names);
		for (int i = 0; i < r->nf; i++)
			r->names[i] = strndup(r->f[i].p, r->f[i].n);
		bind(st, r->names, r->ncols);
	} else if (r->nf != r->ncols) {
		errx(1, "%s:%llu: %d fields, the header has %d", st->path,
		    (unsigned long long)r->line, r->nf, r->ncols);
	} else {
		on_record(st, r->f);
	}
	r->nf = 0;
	r->len = 0;
	r->rec_bytes = 0;
}

static void read_csv(struct state *st, const char *path)
{
	int std = strcmp(path, "-") == 0;
	FILE *fp = std ? stdin : fopen(path, "r");
	if (!fp)
		err(1, "%s", path);
	st->path = std ? "stdin" : path;
	struct csv_parser p;
	struct csvread r = { .st = st };
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		errx(1, "out of memory");
	csv_set_delim(&p, (unsigned char)st->sp->delim);
	char *buf = xrealloc(NULL, CSV_CHUNK);
	size_t n, linelen = 0;
	/* line by line, so errors can name the line; a line, or a record
	 * (newlines in quotes), longer than TSV_LINE_MAX is an error, so a
	 * hostile file cannot take the memory */
	while ((n = fread(buf, 1, CSV_CHUNK, fp)) > 0) {
		for (size_t off = 0; off < n;) {
			char *nl = memchr(buf + off, '\n', n - off);
			size_t k = nl ? (size_t)(nl - buf) + 1 - off : n - off;
			if (linelen == 0)
				r.line++;
			linelen += k;
			r.rec_bytes += k;
			if (linelen > TSV_LINE_MAX + 1)
				errx(1, "%s:%llu: line longer than %u bytes", st->path,
				    (unsigned long long)r.line, TSV_LINE_MAX);
			if (r.rec_bytes > TSV_LINE_MAX + 1)
				errx(1, "%s:%llu: record longer than %u bytes (a quote not closed?)",
				    st->path, (unsigned long long)r.line, TSV_LINE_MAX);
			if (csv_parse(&p, buf + off, k, csv_cb_field, csv_cb_record, &r) != k)
				errx(1, "%s:%llu: %s", st->path, (unsigned long long)r.line,
				    csv_strerror(csv_error(&p)));
			off += k;
			if (nl)
				linelen = 0;
		}
	}
	if (ferror(fp))
		err(1, "%s", path);
	if (csv_fini(&p, csv_cb_field, csv_cb_record, &r) != 0)
		errx(1, "%s:%llu: %s", st->path, (unsigned long long)r.line,
		    csv_strerror(csv_error(&p)));
	if (!r.names)
		errx(1, "%s: empty input: no header line", st->path);
	csv_free(&p);
	for (int i = 0; i < r.ncols; i++)
		free(r.names[i]);
	free(r.names);
	free(r.buf);
	free(r.off);
	free(r.f);
	free(buf);
	if (!std)
		fclose(fp);
}

/* ---- results */

static void header(const struct spec *sp)
{
	for (int i = 0; i < sp->ngrp; i++) {
		put_field(sp->need[sp->grp[i]], strlen(sp->need[sp->grp[i]]));
		put_sep();
	}
	if (sp->mode == M_SUMMARY) {
		for (int i = 0; i < sp->nagg; i++) {
			if (i)
				put_sep();
			put_field(sp->agg[i].oname, strlen(sp->agg[i].oname));
		}
	} else if (sp->mode == M_CDF) {
		put_field(sp->need[sp->valcol], strlen(sp->need[sp->valcol]));
		out_str(&out_stdout, sp->wcol >= 0 ? (sp->csv_out ? ",wcdf" : "\twcdf") :
		    (sp->csv_out ? ",cdf" : "\tcdf"));
	} else {
		const char *h = sp->wcol >= 0 ? "bin_lo bin_hi count weight fraction" :
		    "bin_lo bin_hi count fraction";
		for (; *h; h++)
			*h == ' ' ? put_sep() : out_chr(&out_stdout, *h);
	}
	out_nl(&out_stdout);
}

static double agg_value(const struct agg *a, struct group *g)
{
	const struct nstat *s = a->kind == K_NUM || a->kind == K_VALS ? &g->ns[a->slot] : NULL;
	const struct dvec *d = s ? &g->dv[a->slot] : NULL;
	switch (a->fn) {
	case F_COUNT:
		return a->kind == K_ROWS ? (double)g->rows : (double)g->ss[a->slot].count;
	case F_SUM:
		return s->sum + s->comp;
	case F_MIN:
		return s->mo.n ? s->mo.min : NAN;
	case F_MAX:
		return s->mo.n ? s->mo.max : NAN;
	case F_MEAN:
		return s->mo.n ? (s->sum + s->comp) / (double)s->mo.n : NAN;
	case F_STDEV:
		return moments_stdev(&s->mo);
	case F_MEDIAN:
		return d->n ? stat_median(d->v, d->n) : NAN;
	case F_PCT:
		return d->n ? stat_percentile(d->v, d->n, a->pct) : NAN;
	case F_DISTINCT:
		return (double)g->ss[a->slot].set.n;
	default:
		return NAN;
	}
}

/* The sum of NUM over the sum of DEN (or the rows) with 6 decimals, as
 * printf's %.6f prints it; '-' when the denominator is 0. */
static void put_ratio(const struct agg *a, const struct group *g)
{
	const struct nstat *n = &g->ns[a->slot];
	double num = n->sum + n->comp, den = (double)g->rows;
	if (a->den >= 0)
		den = g->ns[a->den].sum + g->ns[a->den].comp;
	if (den == 0 || isnan(num) || isnan(den))
		out_dash(&out_stdout);
	else
		out_double_exact(&out_stdout, num / den, 6);
}

static void put_summary(const struct spec *sp, struct group *g)
{
	for (int i = 0; i < sp->nnum; i++)
		if (sp->keepvals[i] && g->dv[i].n > 1)
			qsort(g->dv[i].v, g->dv[i].n, sizeof(double), cmp_double);
	put_key(g);
	for (int i = 0; i < sp->nagg; i++) {
		const struct agg *a = &sp->agg[i];
		const struct sstate *s = a->kind == K_STR ? &g->ss[a->slot] : NULL;
		if (i)
			put_sep();
		if (a->fn == F_FIRST || a->fn == F_LAST) {
			if (s->set_once)
				put_field(s->s, s->len);
			else
				out_dash(&out_stdout);
		} else if (a->fn == F_RATIO) {
			put_ratio(a, g);
		} else if (a->fn == F_MIN || a->fn == F_MAX) {
			put_exact(agg_value(a, g));
		} else {
			put_num(agg_value(a, g));
		}
	}
	out_nl(&out_stdout);
}

static void put_point(const struct group *g, double x, double y)
{
	put_key(g);
	put_exact(x);
	put_sep();
	put_num(y);
	out_nl(&out_stdout);
}

/* The original scripts' CDF: sorted values x_i with y = i/n (i from 0), then the
 * final (max, 1.0) point. The weighted CDF: y = running sum of the
 * weights up to and including x_i over their total (ends at 1.0). */
static void put_cdf(const struct spec *sp, struct group *g)
{
	if (sp->wcol < 0) {
		struct dvec *d = &g->dv[0];
		if (!d->n)
			return;
		qsort(d->v, d->n, sizeof(double), cmp_double);
		for (size_t i = 0; i < d->n; i++)
			put_point(g, d->v[i], (double)i / (double)d->n);
		put_point(g, d->v[d->n - 1], 1.0);
		return;
	}
	struct pvec *p = &g->pv;
	double total = 0, run = 0, comp = 0;
	for (size_t i = 0; i < p->n; i++)
		total += p->p[i].w;
	if (!p->n || total <= 0)
		return;
	qsort(p->p, p->n, sizeof *p->p, cmp_vw);
	for (size_t i = 0; i < p->n; i++) {
		/* Kahan: many small weights must still end at exactly 1 */
		double y = p->p[i].w - comp, t = run + y;
		comp = (t - run) - y;
		run = t;
		put_point(g, p->p[i].v, i + 1 == p->n ? 1.0 : run / total);
	}
}

static void put_hist(const struct spec *sp, const struct group *g)
{
	uint64_t n = 0;
	double w = 0;
	for (int i = 0; i < sp->nedges - 1; i++)
		n += g->hc[i], w += g->hw[i];
	for (int i = 0; i < sp->nedges - 1; i++) {
		put_key(g);
		put_num(sp->edges[i]);
		put_sep();
		put_num(sp->edges[i + 1]);
		put_sep();
		out_u64(&out_stdout, g->hc[i]);
		put_sep();
		if (sp->wcol >= 0) {
			put_num(g->hw[i]);
			put_sep();
			put_num(w > 0 ? g->hw[i] / w : NAN);
		} else {
			put_num(n ? (double)g->hc[i] / (double)n : NAN);
		}
		out_nl(&out_stdout);
	}
}

static void report_skipped(const struct spec *sp)
{
	for (int i = 0; i < sp->nneed; i++)
		if (sp->skipped[i])
			warnx("skipped %llu non-numeric value%s in column '%s'",
			    (unsigned long long)sp->skipped[i],
			    sp->skipped[i] == 1 ? "" : "s", sp->need[i]);
}

/* Checks option combinations and fills in the defaults. */
static void finish_spec(struct spec *sp, const char *cdf, const char *hist,
    const char *weight, const char *bins)
{
	if (cdf && hist)
		errx(2, "-c and -H exclude each other");
	if ((cdf || hist) && sp->nagg)
		errx(2, "-a does not go with -c or -H");
	if (weight && !cdf && !hist)
		errx(2, "-w goes with -c or -H");
	if (!!hist != !!bins)
		errx(2, "-H and -b go together");
	sp->valcol = sp->wcol = -1;
	if (cdf || hist) {
		sp->mode = cdf ? M_CDF : M_HIST;
		sp->valcol = need_col(sp, cdf ? cdf : hist);
		num_slot(sp, sp->valcol, 1);
		if (weight)
			sp->wcol = need_col(sp, weight);
		if (bins)
			parse_edges(sp, bins);
	} else if (!sp->nagg) {
		add_agg(sp, (char[]){ "count" });
	}
	sp->skipped = xcalloc((size_t)sp->nneed, sizeof *sp->skipped);
}

static void ht_free(struct htab *t, void (*fn)(void *))
{
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slot[i] && fn)
			fn(t->slot[i]->data);
		free(t->slot[i]);
	}
	free(t->slot);
}

static void group_free(void *data)
{
	struct group *g = data;
	for (int i = 0; i < osp->nnum; i++)
		free(g->dv[i].v);
	for (int i = 0; i < osp->nstr; i++) {
		ht_free(&g->ss[i].set, NULL);
		free(g->ss[i].s);
	}
	free(g->ns);
	free(g->dv);
	free(g->ss);
	free(g->pv.p);
	free(g->hc);
	free(g->hw);
	free(g);
}

/* Frees everything, so leak checkers see real leaks only. */
static void teardown(struct state *st, struct spec *sp)
{
	ht_free(&st->groups, group_free);
	free(st->gv);
	free(st->kbuf);
	free(st->idx);
	for (int i = 0; i < sp->nneed; i++)
		free(sp->need[i]);
	for (int i = 0; i < sp->nagg; i++)
		free(sp->agg[i].oname);
	free(sp->need);
	free(sp->grp);
	free(sp->agg);
	free(sp->numcol);
	free(sp->keepvals);
	free(sp->skipped);
	free(sp->edges);
}

int main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "agg", required_argument, NULL, 'a' },
		{ "bins", required_argument, NULL, 'b' },
		{ "cdf", required_argument, NULL, 'c' },
		{ "csv", no_argument, NULL, 'K' },
		{ "delim", required_argument, NULL, 'd' },
		{ "group", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ "hist", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "skip-bad", no_argument, NULL, 's' },
		{ "weight", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct spec sp = { 0 };
	const char *cdf = NULL, *hist = NULL, *weight = NULL, *bins = NULL;
	int ch;

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "a:b:c:d:g:hH:o:sw:", lopts)) != -1) {
		switch (ch) {
		case 'a': split_list(&sp, optarg, add_agg); break;
		case 'b': bins = optarg; break;
		case 'c': cdf = optarg; break;
		case 'd': sp.csv_in = 1, sp.delim = parse_delim(optarg); break;
		case 'g': add_groups(&sp, optarg); break;
		case 'H': hist = optarg; break;
		case 'K': sp.csv_in = 1, sp.delim = ','; break;
		case 's': sp.skip_bad = 1; break;
		case 'w': weight = optarg; break;
		case 'o':
			if (strcmp(optarg, "csv") && strcmp(optarg, "tsv"))
				errx(2, "-o: expected tsv or csv, got '%s'", optarg);
			sp.csv_out = strcmp(optarg, "csv") == 0;
			break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	finish_spec(&sp, cdf, hist, weight, bins);
	osp = &sp;

	struct state st = { .sp = &sp };
	if (sp.ngrp == 0) {
		int isnew; /* one total row, even for no records */
		new_group(&st, ht_get(&st.groups, "", 0, &isnew));
	}
	char *stdin_only[] = { "-" };
	char **files = argc ? argv : stdin_only;
	for (int i = 0; i < (argc ? argc : 1); i++) {
		if (sp.csv_in)
			read_csv(&st, files[i]);
		else
			read_tsv(&st, files[i]);
	}

	header(&sp);
	for (size_t i = 0; i < st.ng; i++) {
		if (sp.mode == M_SUMMARY)
			put_summary(&sp, st.gv[i]);
		else if (sp.mode == M_CDF)
			put_cdf(&sp, st.gv[i]);
		else
			put_hist(&sp, st.gv[i]);
	}
	out_flush(&out_stdout); /* the table first, then the note on stderr */
	report_skipped(&sp);
	out_close(&out_stdout);
	teardown(&st, &sp);
	return 0;
}
