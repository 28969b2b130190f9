/* Column tables: every record's columns are defined once, as an X-macro
 * list X(name, TYPE, unit, meaning, emitter) beside the code that writes
 * the record. From that one list follow the header line, the writer (the
 * emitters in table order) and the schema (--schema). The generic part,
 * which knows nothing of any record, is here. */
#ifndef COLUMNS_H
#define COLUMNS_H
#include <stddef.h>
#include "out.h"

/* The types a loader can map to its own (DuckDB, pandas): count (a
 * non-negative count), int (a signed integer or small code), bool (0 or
 * 1), id (an identifier, sequence number, key or token: unsigned, up to
 * 2^64 - 1), ts (seconds since the epoch, fixed-point), duration_s
 * (seconds, fixed-point), ms (milliseconds, 3 decimals), frac (a share in
 * [0, 1]), real (another decimal number), text (a word or a list), addr
 * (an IP address), port, hex (lower-case hex: an identifier such as an
 * MPTCP key or token as "0x" and fixed-width digits, out_idhex; a byte
 * string as bare digit pairs). "-" is a missing
 * value in every type. pcap2pkt(1) lists them for the user. */
#define COL_TYPES(X) \
	X(COUNT, "count") X(INT, "int") X(BOOL, "bool") X(ID, "id") X(TS, "ts") \
	X(DURATION_S, "duration_s") X(MS, "ms") X(FRAC, "frac") X(REAL, "real") \
	X(TEXT, "text") X(ADDR, "addr") X(PORT, "port") X(HEX, "hex")

#define COL_TYPE_ENUM(id, name) CT_##id,
enum col_type { COL_TYPES(COL_TYPE_ENUM) CT_NTYPES };
#undef COL_TYPE_ENUM

struct column {
	const char *name;
	enum col_type type;
	const char *unit;    /* "-" when the value has none */
	const char *meaning; /* one line; the man page has the definition */
};

/* A table entry from an X-macro row; the emitter is left out. */
#define COL_ROW(name, type, unit, meaning, emit) { #name, CT_##type, unit, meaning },
/* The capture column (--capture): its value, escaped as out_text writes
 * text, and a tab, written before a record's first column; empty when
 * not asked for. One per process: a run reads one capture. */
extern const char *col_capture;
extern size_t col_capture_len;
/* Sets the capture column's value; NULL or "" (the default): no column. */
void col_set_capture(const char *name);
static inline void col_record_start(struct out *o)
{
	if (col_capture_len)
		out_mem(o, col_capture, col_capture_len);
}
/* The writer's step for a row: a tab before every column but a record's
 * first, the capture column before that one (sep is a local the compiler
 * folds away), then the emitter. */
#define COL_EMIT(name, type, unit, meaning, emit) \
	do { if (sep) out_tab(o); else col_record_start(o); sep = 1; emit; } while (0);
/* The same step for a per-packet writer with a cursor w into reserved
 * room (no capture column: such records carry none); its emitters are
 * statements that advance w. */
#define COL_EMIT_AT(name, type, unit, meaning, emit) *w++ = '\t'; emit;
/* For a writer of per-packet event records: kept out of line, so the
 * per-packet code that calls it only when the event is on stays small
 * enough to be inlined where it was before. */
#define COL_WRITER static __attribute__((noinline)) void
#define COL_COUNT(name, type, unit, meaning, emit) + 1

/* A record is a few parts in order; a per-direction part is written
 * twice, its names prefixed c2s_ then s2c_. */
struct col_part {
	const struct column *col;
	size_t n;
	int per_dir;
};

#define REC_MAX_PARTS 4
struct record_def {
	int nparts;
	struct col_part part[REC_MAX_PARTS];
};

#define COL_PART(table, per_dir) { table, sizeof table / sizeof *table, per_dir }

extern const char *const col_type_name[CT_NTYPES];

/* The header line: the column names, tab-separated, newline-ended
 * (with the capture column first when it is set). */
void record_header(struct out *o, const struct record_def *r);
/* The names of one part, each led by a tab: for a record that extends
 * another tool's (flowsplit's and mptcp-join's added columns). */
void col_part_header(struct out *o, const struct col_part *p);
/* The schema: a header line "column type unit meaning", then one line
 * per column in record order. */
void record_schema(struct out *o, const struct record_def *r);
/* The same lines without the header, each led by `table` and a tab: for
 * a schema of several tables (mptcp-tables --schema). */
void record_schema_rows(struct out *o, const struct record_def *r, const char *table);
/* 1 when r has a column of that name (a per-direction one with its
 * prefix). */
int record_has_column(const struct record_def *r, const char *name);
/* record_schema_rows for the columns of r that other lacks (other NULL:
 * every column), without the capture column: the columns a join or a
 * labelling step adds to a table (mptcp-tables -J, -I). */
void record_schema_rows_except(struct out *o, const struct record_def *r,
    const struct record_def *other, const char *table);
/* The capture column's own definition. */
extern const struct column col_capture_def;

#endif
