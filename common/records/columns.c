#include "columns.h"

#include <err.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define COL_TYPE_NAME(id, name) name,
const char *const col_type_name[CT_NTYPES] = { COL_TYPES(COL_TYPE_NAME) };

static const char *const dir_prefix[2] = { "c2s_", "s2c_" };

const struct column col_capture_def = {
	"capture", CT_TEXT, "-", "the capture's name (--capture; analyze: its folder under the output directory)",
};
#define CAPTURE_NAME_MAX 4096 /* PATH_MAX */
const char *col_capture = "";
size_t col_capture_len;

void col_set_capture(const char *name)
{
	if (!name || !*name) {
		col_capture = "";
		col_capture_len = 0;
		return;
	}
	/* escaped as out_text does, in a writer that is never flushed: at
	 * most twice the name's length and a tab */
	if (strlen(name) > CAPTURE_NAME_MAX)
		errx(2, "--capture: a name of at most %d bytes", CAPTURE_NAME_MAX);
	static struct out esc;
	esc.len = 0;
	out_text(&esc, name);
	esc.buf[esc.len++] = '\t';
	char *v = xcalloc(1, esc.len);
	memcpy(v, esc.buf, esc.len);
	col_capture = v;
	col_capture_len = esc.len;
}

/* Calls fn for every column of r in record order, with its prefix and
 * the caller's ctx. */
typedef void col_fn(struct out *o, const char *prefix, const struct column *c, int first, void *ctx);
static void each_column(struct out *o, const struct record_def *r, col_fn *fn, void *ctx)
{
	int first = 1;
	for (int i = 0; i < r->nparts; i++) {
		const struct col_part *p = &r->part[i];
		for (int d = 0; d < (p->per_dir ? 2 : 1); d++)
			for (size_t k = 0; k < p->n; k++) {
				fn(o, p->per_dir ? dir_prefix[d] : "", &p->col[k], first, ctx);
				first = 0;
			}
	}
}

static void header_col(struct out *o, const char *prefix, const struct column *c, int first, void *ctx)
{
	(void)ctx;
	if (!first)
		out_tab(o);
	out_str(o, prefix);
	out_str(o, c->name);
}

void record_header(struct out *o, const struct record_def *r)
{
	if (col_capture_len)
		out_str(o, "capture\t");
	each_column(o, r, header_col, NULL);
	out_nl(o);
}

void col_part_header(struct out *o, const struct col_part *p)
{
	for (size_t k = 0; k < p->n; k++) {
		out_tab(o);
		out_str(o, p->col[k].name);
	}
}

/* A schema line; ctx: the table's name to lead it, or NULL. */
static void schema_col(struct out *o, const char *prefix, const struct column *c, int first, void *ctx)
{
	(void)first;
	if (ctx) {
		out_str(o, ctx);
		out_tab(o);
	}
	out_str(o, prefix);
	out_str(o, c->name);
	out_tab(o);
	out_str(o, col_type_name[c->type]);
	out_tab(o);
	out_str(o, c->unit);
	out_tab(o);
	out_str(o, c->meaning);
	out_nl(o);
}

void record_schema(struct out *o, const struct record_def *r)
{
	out_str(o, "column\ttype\tunit\tmeaning\n");
	if (col_capture_len)
		schema_col(o, "", &col_capture_def, 1, NULL);
	each_column(o, r, schema_col, NULL);
}

void record_schema_rows(struct out *o, const struct record_def *r, const char *table)
{
	if (col_capture_len)
		schema_col(o, "", &col_capture_def, 1, (void *)table);
	each_column(o, r, schema_col, (void *)table);
}

struct find {
	const char *name;
	int found;
};

static void match_col(struct out *o, const char *prefix, const struct column *c, int first, void *ctx)
{
	(void)o;
	(void)first;
	struct find *f = ctx;
	size_t n = strlen(prefix);
	if (strncmp(f->name, prefix, n) == 0 && strcmp(f->name + n, c->name) == 0)
		f->found = 1;
}

int record_has_column(const struct record_def *r, const char *name)
{
	struct find f = { name, 0 };
	each_column(NULL, r, match_col, &f);
	return f.found;
}

struct except {
	const struct record_def *other;
	const char *table;
};

static void except_col(struct out *o, const char *prefix, const struct column *c, int first, void *ctx)
{
	const struct except *x = ctx;
	char name[256];
	snprintf(name, sizeof name, "%s%s", prefix, c->name);
	if (!x->other || !record_has_column(x->other, name))
		schema_col(o, prefix, c, first, (void *)x->table);
}

void record_schema_rows_except(struct out *o, const struct record_def *r,
    const struct record_def *other, const char *table)
{
	struct except x = { other, table };
	each_column(o, r, except_col, &x);
}
