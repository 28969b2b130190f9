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

/* Calls fn for every column of r in record order, with its prefix. */
static void each_column(struct out *o, const struct record_def *r,
    void (*fn)(struct out *, const char *, const struct column *, int))
{
	int first = 1;
	for (int i = 0; i < r->nparts; i++) {
		const struct col_part *p = &r->part[i];
		for (int d = 0; d < (p->per_dir ? 2 : 1); d++)
			for (size_t k = 0; k < p->n; k++) {
				fn(o, p->per_dir ? dir_prefix[d] : "", &p->col[k], first);
				first = 0;
			}
	}
}

static void header_col(struct out *o, const char *prefix, const struct column *c, int first)
{
	if (!first)
		out_tab(o);
	out_str(o, prefix);
	out_str(o, c->name);
}

void record_header(struct out *o, const struct record_def *r)
{
	if (col_capture_len)
		out_str(o, "capture\t");
	each_column(o, r, header_col);
	out_nl(o);
}

void col_part_header(struct out *o, const struct col_part *p)
{
	for (size_t k = 0; k < p->n; k++) {
		out_tab(o);
		out_str(o, p->col[k].name);
	}
}

static void schema_col(struct out *o, const char *prefix, const struct column *c, int first)
{
	(void)first;
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
		schema_col(o, "", &col_capture_def, 1);
	each_column(o, r, schema_col);
}

static const char *schema_table;
static void table_schema_col(struct out *o, const char *prefix, const struct column *c, int first)
{
	out_str(o, schema_table);
	out_tab(o);
	schema_col(o, prefix, c, first);
}

void record_schema_rows(struct out *o, const struct record_def *r, const char *table)
{
	schema_table = table;
	if (col_capture_len)
		table_schema_col(o, "", &col_capture_def, 1);
	each_column(o, r, table_schema_col);
}

static const char *find_name;
static int found;
static void match_col(struct out *o, const char *prefix, const struct column *c, int first)
{
	(void)o;
	(void)first;
	size_t n = strlen(prefix);
	if (strncmp(find_name, prefix, n) == 0 && strcmp(find_name + n, c->name) == 0)
		found = 1;
}

int record_has_column(const struct record_def *r, const char *name)
{
	find_name = name;
	found = 0;
	each_column(NULL, r, match_col);
	return found;
}

static const struct record_def *except_def;
static void except_col(struct out *o, const char *prefix, const struct column *c, int first)
{
	char name[256];
	snprintf(name, sizeof name, "%s%s", prefix, c->name);
	/* record_has_column uses the statics of its own */
	const char *t = schema_table;
	int has = except_def && record_has_column(except_def, name);
	schema_table = t;
	if (!has)
		table_schema_col(o, prefix, c, first);
}

void record_schema_rows_except(struct out *o, const struct record_def *r,
    const struct record_def *other, const char *table)
{
	schema_table = table;
	except_def = other;
	each_column(o, r, except_col);
}
