/* TSV record reader: finds columns by header name once, then indexes each
 * line's tabs without copying, so unknown columns pass through as they
 * are. Errors name the tool, the input and the line. */
#ifndef TSV_H
#define TSV_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "digits.h"

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
	/* Field ends of the current line (tsv_index); tab[-1] is UINT32_MAX,
	 * so field k always starts at tab[k - 1] + 1. */
	uint32_t *tab;
	int nf;             /* fields of the current line */
	int tab_lim;        /* tabs past this one are only counted */
	/* Columns a filter reads (tsv_want), or NULL for all. */
	uint8_t *want;
	int foreign;        /* tsv_open_foreign */
	uint8_t has_frame;  /* tsv_frame_order: a frame was seen */
	uint64_t frame;     /* the last one */
};

/* Bounds that keep a hostile line from taking the memory: a line (the
 * header included) of more than TSV_LINE_MAX bytes, or a header of more
 * than TSV_COLS_MAX columns, is an error naming the file and line. The
 * longest record the tools write (pcap2pkt -x 4096 with 110 payload
 * columns) is under 1 MiB. */
#define TSV_LINE_MAX (4u << 20)
#define TSV_COLS_MAX 65535

/* Opens path ("-" for stdin) and reads the header; exits on failure. An
 * empty input yields ncols == 0 and no records. The input must end with
 * a newline: the record streams between the tools always do, so a last
 * line without one means the stage before was cut off (killed), and is
 * an error. */
void tsv_open(struct tsv *t, const char *path);
/* The same for files from elsewhere (aggregate): a last line without its
 * newline is a record. */
void tsv_open_foreign(struct tsv *t, const char *path);
void tsv_close(struct tsv *t);

/* Reads the next record: 1, or 0 at end of input. A record with a wrong
 * number of fields is an error naming the line. */
int tsv_next(struct tsv *t);

/* Reads the next line without splitting it (t->rec, t->reclen): 1, or
 * 0 at end of input. Its tabs are indexed in the same pass (t->tab); the
 * caller then locates the fields it needs and checks their number
 * (tsv_index; pkt_parse does). The buffer holds TSV_PAD readable bytes
 * past the line, for word and block loads. */
int tsv_next_line(struct tsv *t);
#define TSV_PAD 64

/* Checks the index of the line read by tsv_next_line: field k ends at
 * t->rec + t->tab[k] (a tab, or the end of the line). Exits naming the
 * line when the number of fields differs from the header's. */
int tsv_index(struct tsv *t);

/* Indexes the next lines up to field col only (the others' tabs are
 * counted, not stored): for a reader that locates none after it. */
void tsv_index_upto(struct tsv *t, int col);

/* Exits with "FILE:LINE: N fields, the header has M". */
_Noreturn void tsv_bad_count(const struct tsv *t, int n);

/* Column index by name, or -1. */
int tsv_col(const struct tsv *t, const char *name);

/* Marks a column a filter reads, for readers that locate only those
 * (pkt_parse); tsv_next splits every field. */
void tsv_want(struct tsv *t, int col);
/* Column index by name; exits naming the producer when missing. */
int tsv_need(const struct tsv *t, const char *name, const char *producer);

/* Exits with "FILE:LINE: column 'NAME': WHAT 'VALUE'". */
_Noreturn void tsv_bad(const struct tsv *t, int col, const char *what);

static inline int tsv_dash(const struct tsv *t, int col)
{
	return t->f[col].n == 1 && t->f[col].p[0] == '-';
}

/* Exits naming the field that digits_field found bad (r: its result). */
_Noreturn void tsv_bad_u64(const struct tsv *t, int col, int r);

/* Strict parsers: the field must be all digits (u64) or "-" where allowed.
 * Inline, as they run per record. */
static inline uint64_t tsv_u64(const struct tsv *t, int col)
{
	uint64_t v;
	int r = digits_field(t->f[col].p, t->f[col].n, &v);
	if (r <= 0)
		tsv_bad_u64(t, col, r);
	return v;
}

/* Like tsv_u64 but "-" gives dflt. */
static inline uint64_t tsv_u64_or(const struct tsv *t, int col, uint64_t dflt)
{
	return tsv_dash(t, col) ? dflt : tsv_u64(t, col);
}

/* An identifier in hex ("0x" and up to 16 digits, as out_idhex writes
 * it); strict like tsv_u64. */
static inline uint64_t tsv_hex(const struct tsv *t, int col)
{
	uint64_t v;
	if (hex_id_field(t->f[col].p, t->f[col].n, &v) <= 0)
		tsv_bad(t, col, "expected 0x and up to 16 hex digits, got");
	return v;
}

/* Timestamp "S.F" into whole seconds and nanoseconds; digits kept. */
void tsv_ts(const struct tsv *t, int col, int64_t *sec, uint32_t *nsec, uint8_t *digits);

/* 1 when the field equals s (a literal, whose length is then known). */
static inline int tsv_eq(const struct tsv *t, int col, const char *s)
{
	size_t n = strlen(s);
	return t->f[col].n == n && memcmp(t->f[col].p, s, n) == 0;
}

/* Checks that frame v of the current line (column col) is above the
 * previous line's: the record readers need their input in capture order,
 * as pcap2pkt writes it (a stream split by connection keeps it in each
 * part). Exits naming the line and both frames. */
void tsv_frame_order(struct tsv *t, int col, uint64_t v);

#endif
