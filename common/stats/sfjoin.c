#include "sfjoin.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "out.h"
#include "tsv.h"
#include "util.h"

/* A row of the join table, kept whole: its fields point into text. */
struct jrow {
	char *text;
	struct tsv_field *f;
	uint64_t mpconn, subflow;
	int used;
};

struct jtab {
	struct jrow *row;
	size_t n, cap;
	size_t *slot; /* open addressing: row index + 1, 0 empty */
	size_t nslot;
	int ncols;
	char **names;
};

static uint64_t key_hash(uint64_t mpconn, uint64_t subflow)
{
	uint64_t k[2] = { mpconn, subflow };
	return hash_bytes(k, sizeof k);
}

static size_t *find_slot(const struct jtab *t, uint64_t mpconn, uint64_t subflow)
{
	size_t i = key_hash(mpconn, subflow) & (t->nslot - 1);
	for (;; i = (i + 1) & (t->nslot - 1)) {
		size_t *s = &t->slot[i];
		if (!*s || (t->row[*s - 1].mpconn == mpconn && t->row[*s - 1].subflow == subflow))
			return s;
	}
}

/* The join table whole, keyed by (mpconn, subflow); the last row of a
 * key is the one kept, as the awk join it replaces did. */
static void jtab_read(struct jtab *j, struct tsv *t)
{
	int cm = tsv_need(t, "mpconn", "mptcp-join -s"), cs = tsv_need(t, "subflow", "mptcp-join -s");
	j->ncols = t->ncols;
	j->names = t->names;
	j->nslot = 64;
	j->slot = xcalloc(j->nslot, sizeof *j->slot);
	while (tsv_next(t)) {
		if (j->n == j->cap) {
			j->cap = j->cap ? 2 * j->cap : 64;
			j->row = xreallocarray(j->row, j->cap, sizeof *j->row);
		}
		struct jrow *r = &j->row[j->n];
		r->text = xcalloc(1, t->reclen + 1);
		memcpy(r->text, t->rec, t->reclen);
		r->f = xreallocarray(NULL, (size_t)t->ncols, sizeof *r->f);
		for (int i = 0; i < t->ncols; i++)
			r->f[i] = (struct tsv_field){ r->text + (t->f[i].p - t->rec), t->f[i].n };
		r->mpconn = tsv_u64(t, cm);
		r->subflow = tsv_u64(t, cs);
		r->used = 0;
		j->n++;
		if (2 * j->n > j->nslot) {
			free(j->slot);
			j->nslot *= 2;
			j->slot = xcalloc(j->nslot, sizeof *j->slot);
			for (size_t i = 0; i < j->n; i++)
				*find_slot(j, j->row[i].mpconn, j->row[i].subflow) = i + 1;
		} else {
			*find_slot(j, r->mpconn, r->subflow) = j->n;
		}
	}
}

static void field(struct out *o, const struct tsv_field *f)
{
	out_tab(o);
	out_mem(o, f->p, f->n);
}

uint64_t sfjoin_write(const char *subflows, const char *join, struct out *o)
{
	struct tsv m, jt;
	struct jtab j = { 0 };
	uint64_t rows = 0;
	tsv_open(&jt, join);
	tsv_open(&m, subflows);
	if (m.ncols == 0 || jt.ncols == 0)
		errx(1, "%s: empty input: no header line", m.ncols == 0 ? m.path : jt.path);
	jtab_read(&j, &jt);
	/* the join's columns the subflow table lacks, in their order; and
	 * for the join's rows of its own, where each subflow column is */
	int *extra = xreallocarray(NULL, (size_t)j.ncols, sizeof *extra), nx = 0;
	int *from = xreallocarray(NULL, (size_t)m.ncols, sizeof *from);
	for (int i = 0; i < j.ncols; i++)
		if (tsv_col(&m, j.names[i]) < 0)
			extra[nx++] = i;
	for (int i = 0; i < m.ncols; i++)
		from[i] = tsv_col(&jt, m.names[i]);
	out_mem(o, m.header, m.headerlen);
	for (int e = 0; e < nx; e++) {
		out_tab(o);
		out_str(o, j.names[extra[e]]);
	}
	out_nl(o);
	int cm = tsv_need(&m, "mpconn", "mptcp-metrics -s"), cs = tsv_need(&m, "subflow", "mptcp-metrics -s");
	static const struct tsv_field dash = { "-", 1 };
	while (tsv_next(&m)) {
		size_t *s = find_slot(&j, tsv_u64(&m, cm), tsv_u64(&m, cs));
		struct jrow *r = *s ? &j.row[*s - 1] : NULL;
		out_mem(o, m.rec, m.reclen);
		for (int e = 0; e < nx; e++)
			field(o, r ? &r->f[extra[e]] : &dash);
		out_nl(o);
		if (r)
			r->used = 1;
		rows++;
	}
	/* subflows only in the join table: their columns where both have them */
	for (size_t k = 0; k < j.n; k++) {
		struct jrow *r = &j.row[k];
		if (r->used || *find_slot(&j, r->mpconn, r->subflow) != k + 1)
			continue;
		for (int i = 0; i < m.ncols; i++) {
			const struct tsv_field *f = from[i] >= 0 ? &r->f[from[i]] : &dash;
			if (i)
				out_tab(o);
			out_mem(o, f->p, f->n);
		}
		for (int e = 0; e < nx; e++)
			field(o, &r->f[extra[e]]);
		out_nl(o);
		rows++;
	}
	for (size_t k = 0; k < j.n; k++) {
		free(j.row[k].text);
		free(j.row[k].f);
	}
	free(j.row);
	free(j.slot);
	free(extra);
	free(from);
	tsv_close(&m);
	tsv_close(&jt);
	return rows;
}

void sfjoin_failed(const char *path, struct out *o)
{
	struct tsv t;
	tsv_open(&t, path);
	int c = tsv_need(&t, "status", "mptcp-join -s");
	out_mem(o, t.header, t.headerlen);
	out_nl(o);
	while (tsv_next(&t))
		if (t.f[c].n >= 6 && memcmp(t.f[c].p, "failed", 6) == 0) {
			out_mem(o, t.rec, t.reclen);
			out_nl(o);
		}
	tsv_close(&t);
}
