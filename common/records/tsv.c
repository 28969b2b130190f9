#include "tsv.h"
#include "digits.h"
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
/* Spare index slots: a 64-byte block's tabs are stored unchecked. */
#define TSV_SPARE 65


/* More input for a line the buffer does not end: 1 when some was read
 * (look again), 0 at the end of input, 2 when that end leaves a foreign
 * file's last line without its newline (then t->rec is that line). */
static int refill(struct tsv *t)
{
	if (t->end - t->start > TSV_LINE_MAX)
		errx(1, "%s:%llu: line longer than %u bytes", t->path,
		    (unsigned long long)t->line + 1, TSV_LINE_MAX);
	if (t->eof) {
		if (t->start == t->end)
			return 0;
		if (!t->foreign)
			errx(1, "%s:%llu: input ends inside a record (no final newline): "
			    "was the stage before killed?", t->path,
			    (unsigned long long)t->line + 1);
		t->rec = t->buf + t->start;
		t->reclen = t->end - t->start;
		t->start = t->end;
		t->line++;
		return 2;
	}
	if (t->start > 0) {
		memmove(t->buf, t->buf + t->start, t->end - t->start);
		t->end -= t->start;
		t->start = 0;
	}
	if (t->cap - t->end < TSV_CHUNK) {
		t->cap *= 2;
		t->buf = xrealloc(t->buf, t->cap + TSV_PAD);
	}
	ssize_t n = read(t->fd, t->buf + t->end, t->cap - t->end);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0)
		err(1, "%s", t->path);
	if (n == 0)
		t->eof = 1;
	t->end += (size_t)n;
	t->buf[t->end] = '\n'; /* ends a scan at the end of input */
	/* the pad is read by block loads: keep it defined */
	memset(t->buf + t->end + 1, 0, TSV_PAD - 1);
	return 1;
}

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
		int r = refill(t);
		if (r != 1)
			return r == 2;
	}
}

/* The tabs and the newlines of 64 bytes at p as bit masks (bit i: p[i]). */
static inline void masks64(const char *p, uint64_t *tabs, uint64_t *nls)
{
#ifdef __SSE2__
	/* written out: gcc keeps a loop over the four loads */
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	__m128i d = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
	*tabs = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, tab)) |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, tab)) << 16 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, tab)) << 32 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, tab)) << 48;
	*nls = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, nl)) |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, nl)) << 16 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, nl)) << 32 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, nl)) << 48;
#else
	uint64_t m = 0, l = 0;
	for (int i = 0; i < 64; i++) {
		m |= (uint64_t)(p[i] == '\t') << i;
		l |= (uint64_t)(p[i] == '\n') << i;
	}
	*tabs = m;
	*nls = l;
#endif
}

/* Stores the offsets of the tabs in m (a block at base) from tab[n] on,
 * and returns the new count. */
static inline int put_tabs(uint32_t *tab, int n, uint32_t base, uint64_t m)
{
	uint32_t *o = tab + n;
	for (; m; m &= m - 1)
		*o++ = base + (uint32_t)__builtin_ctzll(m);
	return (int)(o - tab);
}

/* Stores the tabs of a block unless the line is already overlong (more
 * fields than the index holds): then they are only counted. */
static inline int add_tabs(uint32_t *tab, int n, int max, uint32_t base, uint64_t m)
{
	return n > max ? n + __builtin_popcountll(m) : put_tabs(tab, n, base, m);
}

/* Ends the index of a line of len bytes (a final CR not in its last
 * field) with n tabs: returns the number of fields. */
static int end_index(struct tsv *t, const char *rec, uint32_t len, int n, int max)
{
	if (len && rec[len - 1] == '\r')
		len--;
	if (n <= max)
		t->tab[n] = len;
	return n + 1;
}

/* Indexes the current line: t->tab[k] is the offset of the end of field k
 * (its tab, or the line's end for the last), for as many fields as fit;
 * returns the number of fields. Tabs are found 64 bytes at a time and
 * their offsets stored from the bit mask: a record has dozens of short
 * fields, and a search per field cost more than the rest of a filter.
 * The buffer's TSV_PAD bytes let the last block read past the line. */
static int index_line(struct tsv *t)
{
	const char *rec = t->rec;
	uint32_t len = (uint32_t)t->reclen;
	int n = 0, max = t->ncols + TSV_SPARE - 64;
	for (uint32_t base = 0; base < len; base += 64) {
		uint64_t m, l;
		masks64(rec + base, &m, &l);
		if (len - base < 64)
			m &= (1ULL << (len - base)) - 1;
		n = add_tabs(t->tab, n, max, base, m);
	}
	return end_index(t, rec, len, n, max);
}

/* The buffer's next line, found and indexed in one pass over its blocks
 * (a search for the newline first read every byte twice): 1 with
 * t->rec, t->reclen and t->nf set, 0 when the buffer does not end it. */
static int scan_line(struct tsv *t)
{
	const char *rec = t->buf + t->start;
	uint32_t avail = (uint32_t)(t->end - t->start);
	int n = 0, max = t->ncols + TSV_SPARE - 64, lim = t->tab_lim;
	/* buf[end] is a newline: the loop stops at the end of the data */
	for (uint32_t base = 0;; base += 64) {
		uint64_t m, l;
		masks64(rec + base, &m, &l);
		if (!l) {
			n = add_tabs(t->tab, n, lim, base, m);
			continue;
		}
		uint32_t at = base + (uint32_t)__builtin_ctzll(l);
		if (at >= avail)
			return 0;
		n = add_tabs(t->tab, n, lim, base, m & ((l & -l) - 1));
		t->rec = rec;
		t->reclen = at;
		t->start += at + 1;
		t->line++;
		t->nf = end_index(t, rec, at, n, max);
		return 1;
	}
}

void tsv_index_upto(struct tsv *t, int col)
{
	int max = t->ncols + TSV_SPARE - 64;
	t->tab_lim = col < max ? col : max;
}

int tsv_index(struct tsv *t)
{
	if (t->nf != t->ncols)
		tsv_bad_count(t, t->nf);
	return t->nf;
}

/* Fills t->f from the index for every field. */
static void split(struct tsv *t)
{
	for (int i = 0; i < t->ncols; i++) {
		uint32_t start = t->tab[i - 1] + 1;
		t->f[i].p = t->rec + start;
		t->f[i].n = t->tab[i] - start;
	}
}

void tsv_want(struct tsv *t, int col)
{
	if (col < 0 || col >= t->ncols)
		return;
	if (!t->want)
		t->want = xcalloc((size_t)t->ncols, 1);
	t->want[col] = 1;
}

static void open_tsv(struct tsv *t, const char *path, int foreign)
{
	memset(t, 0, sizeof *t);
	t->foreign = foreign;
	t->path = strcmp(path, "-") == 0 ? "stdin" : path;
	t->fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
	if (t->fd < 0)
		err(1, "%s", path);
	t->cap = 4 * TSV_CHUNK;
	t->buf = xrealloc(NULL, t->cap + TSV_PAD);
	if (!next_line(t))
		return; /* empty input: no header, no records */
	int n = 0;
	for (size_t i = 0; i < t->reclen; i++)
		n += t->rec[i] == '\t';
	if (n >= TSV_COLS_MAX)
		errx(1, "%s:1: more than %d columns", t->path, TSV_COLS_MAX);
	t->ncols = n + 1;
	t->f = xrealloc(NULL, sizeof *t->f * (size_t)t->ncols);
	/* tab[-1] is the "tab" before the first field */
	t->tab = (uint32_t *)xrealloc(NULL, sizeof *t->tab * (size_t)(t->ncols + TSV_SPARE + 1)) + 1;
	t->tab[-1] = UINT32_MAX;
	t->tab_lim = t->ncols + TSV_SPARE - 64;
	t->names = xrealloc(NULL, sizeof *t->names * (size_t)t->ncols);
	index_line(t);
	split(t);
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

void tsv_open(struct tsv *t, const char *path)
{
	open_tsv(t, path, 0);
}

void tsv_open_foreign(struct tsv *t, const char *path)
{
	open_tsv(t, path, 1);
}

void tsv_close(struct tsv *t)
{
	if (t->fd > 0)
		close(t->fd);
	for (int i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	free(t->f);
	free(t->tab ? t->tab - 1 : NULL);
	free(t->want);
	free(t->buf);
	free((void *)t->header);
}

int tsv_next_line(struct tsv *t)
{
	if (!t->ncols)
		return 0;
	for (;;) {
		if (scan_line(t))
			return 1;
		int r = refill(t);
		if (r == 0)
			return 0;
		if (r == 2) { /* a foreign file's last line */
			t->nf = index_line(t);
			return 1;
		}
	}
}

void tsv_bad_count(const struct tsv *t, int n)
{
	errx(1, "%s:%llu: %d fields, the header has %d", t->path,
	    (unsigned long long)t->line, n, t->ncols);
}

int tsv_next(struct tsv *t)
{
	if (!tsv_next_line(t))
		return 0;
	tsv_index(t);
	split(t);
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

void tsv_bad_u64(const struct tsv *t, int col, int r)
{
	tsv_bad(t, col, r ? "number too large:" : "not a whole number:");
}

enum { TSV_TS_OK, TSV_TS_BAD, TSV_TS_RANGE };

/* Timestamp "S.F" of n bytes at p: TSV_TS_OK, or why not. */
static int ts_at(const char *p, uint32_t n, int64_t *sec, uint32_t *nsec, uint8_t *digits)
{
	static const uint32_t scale[10] = { 1000000000, 100000000, 10000000,
		1000000, 100000, 10000, 1000, 100, 10, 1 };
	uint64_t s = 0, frac = 0;
	int ni = 0, nd = 0;
	if (n == 0 || n > 64)
		return TSV_TS_BAD;
	/* either part may be empty, as in ".5" or "5." */
	if ((ni = digits_scan(p, &s)) < 0)
		return TSV_TS_RANGE;
	if ((uint32_t)ni < n) {
		if (p[ni] != '.' || (nd = digits_scan(p + ni + 1, &frac)) < 0 || nd > 9 ||
		    (uint32_t)(ni + 1 + nd) != n)
			return TSV_TS_BAD;
	}
	/* times are kept as int64 nanoseconds (pkt_time_ns) */
	if (s > INT64_MAX / 1000000000 - 1)
		return TSV_TS_RANGE;
	*sec = (int64_t)s;
	*nsec = (uint32_t)frac * scale[nd];
	*digits = (uint8_t)(nd > 6 ? 9 : 6);
	return TSV_TS_OK;
}

/* The timestamps the tools write, "S.FFFFFF" or 9 fraction digits, as
 * two fields of known length; 0 when of another form (ts_at decides). */
static int ts_fast(const char *p, uint32_t n, int64_t *sec, uint32_t *nsec, uint8_t *digits)
{
	uint64_t s, f;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* ten digits of seconds and six of fraction, the commonest: the last
	 * two of the seconds and the fraction make one word of eight digits,
	 * so the whole takes two words (the pad is past the line) */
	if (n == 17 && p[10] == '.') {
		uint64_t w, a, b;
		memcpy(&w, p, 8);
		memcpy(&a, p + 8, 8);
		memcpy(&b, p + 11, 8);
		a = (a & 0xffff) | b << 16;
		if (digits_run(w) == 8 && digits_run(a) == 8) {
			uint64_t v = digits_value(a, 8);
			s = digits_value(w, 8) * 100 + v / 1000000;
			if (s > INT64_MAX / 1000000000 - 1)
				return 0;
			*sec = (int64_t)s;
			*nsec = (uint32_t)(v % 1000000) * 1000;
			*digits = 6;
			return 1;
		}
		return 0;
	}
#endif
	uint32_t nd = n > 7 && p[n - 7] == '.' ? 6 : n > 10 && p[n - 10] == '.' ? 9 : 0;
	if (!nd || n > 64 || digits_field(p, n - nd - 1, &s) != 1 ||
	    digits_field(p + n - nd, nd, &f) != 1 || s > INT64_MAX / 1000000000 - 1)
		return 0;
	*sec = (int64_t)s;
	*nsec = (uint32_t)f * (nd == 6 ? 1000 : 1);
	*digits = (uint8_t)nd;
	return 1;
}

void tsv_ts(const struct tsv *t, int col, int64_t *sec, uint32_t *nsec, uint8_t *digits)
{
	if (ts_fast(t->f[col].p, t->f[col].n, sec, nsec, digits))
		return;
	int r = ts_at(t->f[col].p, t->f[col].n, sec, nsec, digits);
	if (r != TSV_TS_OK)
		tsv_bad(t, col, r == TSV_TS_RANGE ? "timestamp out of range:" : "not a timestamp:");
}

void tsv_frame_order(struct tsv *t, int col, uint64_t v)
{
	if (t->has_frame && v <= t->frame)
		errx(1, "%s:%llu: column '%s': frame %llu after frame %llu: records must be "
		    "in frame order, as pcap2pkt writes them", t->path,
		    (unsigned long long)t->line, t->names[col], (unsigned long long)v,
		    (unsigned long long)t->frame);
	t->has_frame = 1;
	t->frame = v;
}
