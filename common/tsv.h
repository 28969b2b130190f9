/* TSV record reader: finds columns by header name once, then splits each
 * line on tabs without copying, so unknown columns pass through as they
 * are. Errors name the tool, the input and the line. */
#ifndef TSV_H
#define TSV_H
#include <stddef.h>
#include <stdint.h>

struct tsv_field {
	const char *p;
	uint32_t n;
};

struct tsv {
	const char *path;   /* for messages: the file name or "stdin" */
	int fd;
	char *buf;
	size_t cap, start, end;
	int eof;
	uint64_t line;      /* number of the current line; the header is 1 */
	const char *rec;    /* the current line without its newline */
	size_t reclen;
	const char *header;
	size_t headerlen;
	int ncols;
	char **names;
	struct tsv_field *f;
	/* Columns a filter reads: only those get their field located (see
	 * tsv_want); all when want_all. */
	int want_all;
	uint64_t want;
};

/* Opens path ("-" for stdin) and reads the header; exits on failure. An
 * empty input yields ncols == 0 and no records. */
void tsv_open(struct tsv *t, const char *path);
void tsv_close(struct tsv *t);

/* Reads the next record: 1, or 0 at end of input. A record with a wrong
 * number of fields is an error naming the line. */
int tsv_next(struct tsv *t);

/* Column index by name, or -1. */
int tsv_col(const struct tsv *t, const char *name);

/* Restricts field splitting to the columns marked with tsv_want (at least
 * one call); the other fields of t->f are then not set. Records are still
 * checked for their number of fields. Columns from the 64th on are
 * always split out. */
void tsv_want(struct tsv *t, int col);
/* Column index by name; exits naming the producer when missing. */
int tsv_need(const struct tsv *t, const char *name, const char *producer);

/* Exits with "FILE:LINE: column 'NAME': WHAT 'VALUE'". */
_Noreturn void tsv_bad(const struct tsv *t, int col, const char *what);

static inline int tsv_dash(const struct tsv *t, int col)
{
	return t->f[col].n == 1 && t->f[col].p[0] == '-';
}

/* Strict parsers: the field must be all digits (u64) or "-" where allowed. */
uint64_t tsv_u64(const struct tsv *t, int col);
/* Like tsv_u64 but "-" gives dflt. */
uint64_t tsv_u64_or(const struct tsv *t, int col, uint64_t dflt);
/* Timestamp "S.F" into whole seconds and nanoseconds; digits kept. */
void tsv_ts(const struct tsv *t, int col, int64_t *sec, uint32_t *nsec, uint8_t *digits);
/* 1 when the field equals s. */
int tsv_eq(const struct tsv *t, int col, const char *s);

#endif
