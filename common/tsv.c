#include "tsv.h"
#include "util.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define TSV_CHUNK (1 << 18)


/* Finds the next line in the buffer, reading more as needed. */
static int next_line(struct tsv *t)
{
	for (;;) {
		char *nl = memchr(t->buf + t->start, '\n', t->end - t->start);
		if (nl) {
			t->rec = t->buf + t->start;
			t->reclen = (size_t)(nl - t->rec);
			t->start = (size_t)(nl - t->buf) + 1;
			t->line++;
			return 1;
		}
		if (t->eof) {
			if (t->start == t->end)
				return 0;
			/* last line without a newline */
			t->rec = t->buf + t->start;
			t->reclen = t->end - t->start;
			t->start = t->end;
			t->line++;
			return 1;
		}
		if (t->start > 0) {
			memmove(t->buf, t->buf + t->start, t->end - t->start);
			t->end -= t->start;
			t->start = 0;
		}
		if (t->cap - t->end < TSV_CHUNK) {
			t->cap *= 2;
			t->buf = xrealloc(t->buf, t->cap);
		}
		ssize_t n = read(t->fd, t->buf + t->end, t->cap - t->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "%s", t->path);
		if (n == 0)
			t->eof = 1;
		t->end += (size_t)n;
	}
}

static inline void add_field(struct tsv *t, int *n, int max, const char *p, const char *e)
{
	if (*n < max) {
		t->f[*n].p = p;
		t->f[*n].n = (uint32_t)(e - p);
	}
	(*n)++;
}

/* The wanted columns among [a, b], as a mask of bits a..b; a range
 * reaching column 63 counts as all wanted. */
static inline uint64_t wanted_in(const struct tsv *t, int a, int b, uint64_t *range)
{
	if (t->want_all || b >= 63) {
		*range = 1;
		return 1;
	}
	*range = ((2ULL << b) - 1) & ~((1ULL << a) - 1);
	return t->want & *range;
}

static inline int wanted_range(const struct tsv *t, int a, int b)
{
	uint64_t range;
	return wanted_in(t, a, b, &range) != 0;
}

/* Set bits of a 16-bit mask (no POPCNT in baseline x86-64). */
static inline int popcount16(unsigned m)
{
	static const uint8_t bits[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
		B6(0), B6(1), B6(1), B6(2)
#undef B6
#undef B4
#undef B2
	};
	return bits[m & 255] + bits[m >> 8];
}

/* Splits the current line; returns the number of fields seen. Tabs are
 * found sixteen bytes at a time: a record has dozens of short fields, and
 * one search call per field cost more than the rest of a filter. Stretches
 * holding only unwanted fields are just counted. */
static int split(struct tsv *t, int max)
{
	const char *p = t->rec, *end = t->rec + t->reclen, *start = p;
	int n = 0;
	if (t->reclen && end[-1] == '\r')
		end--;
#ifdef __SSE2__
	const __m128i tab = _mm_set1_epi8('\t');
	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab));
		if (!m)
			continue;
		int tabs = popcount16(m);
		uint64_t range, w = wanted_in(t, n, n + tabs, &range);
		if (!w) {
			n += tabs;
			start = p + (31 - __builtin_clz(m)) + 1;
			continue;
		}
		if (w == range) { /* every field here is wanted */
			for (; m; m &= m - 1) {
				const char *at = p + __builtin_ctz(m);
				add_field(t, &n, max, start, at);
				start = at + 1;
			}
			continue;
		}
		while (m) {
			const char *at = p + __builtin_ctz(m);
			if (wanted_range(t, n, n))
				add_field(t, &n, max, start, at);
			else
				n++;
			start = at + 1;
			m &= m - 1;
		}
	}
#endif
	for (; p < end; p++) {
		if (*p == '\t') {
			if (wanted_range(t, n, n))
				add_field(t, &n, max, start, p);
			else
				n++;
			start = p + 1;
		}
	}
	add_field(t, &n, max, start, end);
	return n;
}

void tsv_want(struct tsv *t, int col)
{
	if (col < 0)
		return;
	t->want_all = 0;
	if (col < 63) /* from 63 on every field is split out */
		t->want |= 1ULL << col;
}

void tsv_open(struct tsv *t, const char *path)
{
	memset(t, 0, sizeof *t);
	t->path = strcmp(path, "-") == 0 ? "stdin" : path;
	t->fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
	if (t->fd < 0)
		err(1, "%s", path);
	t->want_all = 1;
	t->cap = 4 * TSV_CHUNK;
	t->buf = xrealloc(NULL, t->cap);
	if (!next_line(t))
		return; /* empty input: no header, no records */
	int n = 0;
	for (size_t i = 0; i < t->reclen; i++)
		n += t->rec[i] == '\t';
	t->ncols = n + 1;
	t->f = xrealloc(NULL, sizeof *t->f * (size_t)t->ncols);
	t->names = xrealloc(NULL, sizeof *t->names * (size_t)t->ncols);
	split(t, t->ncols);
	for (int i = 0; i < t->ncols; i++)
		t->names[i] = strndup(t->f[i].p, t->f[i].n);
	/* keep the header text: rec points into the buffer, which moves */
	char *h = xrealloc(NULL, t->reclen + 1);
	memcpy(h, t->rec, t->reclen);
	h[t->reclen] = 0;
	t->header = h;
	t->headerlen = t->reclen;
	if (t->headerlen && h[t->headerlen - 1] == '\r')
		t->headerlen--;
}

void tsv_close(struct tsv *t)
{
	if (t->fd > 0)
		close(t->fd);
	for (int i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	free(t->f);
	free(t->buf);
	free((void *)t->header);
}

int tsv_next(struct tsv *t)
{
	if (!t->ncols || !next_line(t))
		return 0;
	int n = split(t, t->ncols);
	if (n != t->ncols)
		errx(1, "%s:%llu: %d fields, the header has %d", t->path,
		    (unsigned long long)t->line, n, t->ncols);
	return 1;
}

int tsv_col(const struct tsv *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	return -1;
}

int tsv_need(const struct tsv *t, const char *name, const char *producer)
{
	int c = tsv_col(t, name);
	if (c < 0)
		errx(1, "%s: input has no column '%s' (made by %s)",
		    t->path, name, producer);
	return c;
}

void tsv_bad(const struct tsv *t, int col, const char *what)
{
	errx(1, "%s:%llu: column '%s': %s '%.*s'", t->path,
	    (unsigned long long)t->line, t->names[col], what,
	    (int)(t->f[col].n > 60 ? 60 : t->f[col].n), t->f[col].p);
}

uint64_t tsv_u64(const struct tsv *t, int col)
{
	const char *p = t->f[col].p;
	uint32_t n = t->f[col].n;
	uint64_t v = 0;
	if (n == 0 || n > 20)
		tsv_bad(t, col, n ? "number too large:" : "not a whole number:");
	/* up to 19 digits cannot overflow: only the 20th needs a check */
	uint32_t safe = n < 19 ? n : 19;
	for (uint32_t i = 0; i < safe; i++) {
		unsigned d = (unsigned)(p[i] - '0');
		if (d > 9)
			tsv_bad(t, col, "not a whole number:");
		v = v * 10 + d;
	}
	if (n == 20) {
		unsigned d = (unsigned)(p[19] - '0');
		if (d > 9)
			tsv_bad(t, col, "not a whole number:");
		if (v > (UINT64_MAX - d) / 10)
			tsv_bad(t, col, "number too large:");
		v = v * 10 + d;
	}
	return v;
}

uint64_t tsv_u64_or(const struct tsv *t, int col, uint64_t dflt)
{
	return tsv_dash(t, col) ? dflt : tsv_u64(t, col);
}

void tsv_ts(const struct tsv *t, int col, int64_t *sec, uint32_t *nsec, uint8_t *digits)
{
	const char *p = t->f[col].p, *end = p + t->f[col].n;
	uint64_t s = 0;
	uint32_t frac = 0;
	int nd = 0;
	if (p == end)
		tsv_bad(t, col, "not a timestamp:");
	for (; p < end && *p != '.'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (d > 9 || s > UINT64_MAX / 20)
			tsv_bad(t, col, "not a timestamp:");
		s = s * 10 + d;
	}
	if (p < end) {
		for (p++; p < end; p++, nd++) {
			unsigned d = (unsigned)(*p - '0');
			if (d > 9 || nd >= 9)
				tsv_bad(t, col, "not a timestamp:");
			frac = frac * 10 + d;
		}
	}
	for (int i = nd; i < 9; i++)
		frac *= 10;
	/* times are kept as int64 nanoseconds (pkt_time_ns) */
	if (s > INT64_MAX / 1000000000 - 1)
		tsv_bad(t, col, "timestamp out of range:");
	*sec = (int64_t)s;
	*nsec = frac;
	*digits = (uint8_t)(nd > 6 ? 9 : 6);
}

int tsv_eq(const struct tsv *t, int col, const char *s)
{
	size_t n = strlen(s);
	return t->f[col].n == n && memcmp(t->f[col].p, s, n) == 0;
}
