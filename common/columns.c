#include "columns.h"

#define COL_TYPE_NAME(id, name) name,
const char *const col_type_name[CT_NTYPES] = { COL_TYPES(COL_TYPE_NAME) };

static const char *const dir_prefix[2] = { "c2s_", "s2c_" };

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
	each_column(o, r, schema_col);
}
