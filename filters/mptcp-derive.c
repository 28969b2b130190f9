/* mptcp-derive: the derived per-connection metrics of MPTCP captures
 * (Wi-Fi and cellular shares, the RTT spread of the subflows, the
 * switching rate, the overheads), computed once from the tables analyze
 * writes (tcp-metrics, mptcp-metrics -s with ifmatch's iface, mptcp-
 * metrics), for summary and plot-share alike. One record per run (-r).
 * The numbers are those the awk of summary and plot-share printed before
 * (issue 14), to the byte. See mptcp-derive(1). */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "hash.h"
#include "out.h"
#include "tsv.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: mptcp-derive -r record [-h] [-A tcp_ack] [-D mptcp_dack] [-J mptcp_reinject]\n"
	    "                    [-X tcp_rexmit] [-a addr_events] [-b c2s|s2c|both] [-d c2s|s2c]\n"
	    "                    [-e bursts] [-k socks] [-m mptcp_conns] [-s subflows] [-t tcp_conns]\n"
	    "       mptcp-derive -r record --schema\n"
	    "records: conn mptcp subflow burst share default share_dir sfrtt rtt overhead size pm pmevents\n"
	    "         socks ack when burstsize unused\n");
	exit(status);
}

/* ---- tables of connections by their id, as text (an awk subscript) */

struct ent {
	char *key;
	size_t klen;
	void *val;
};

struct map {
	struct ent *slot;
	size_t cap, n;
	size_t vsize;
	/* the values in order of first appearance (plot-share's bars) */
	void **order;
};

static void map_init(struct map *m, size_t vsize)
{
	memset(m, 0, sizeof *m);
	m->vsize = vsize;
}

static struct ent *map_slot(const struct map *m, const char *k, size_t n)
{
	size_t i = (size_t)hash_bytes(k, n) & (m->cap - 1);
	while (m->slot[i].key && (m->slot[i].klen != n || memcmp(m->slot[i].key, k, n)))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static void map_grow(struct map *m)
{
	struct map old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->slot = xcalloc(m->cap, sizeof *m->slot);
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].key)
			*map_slot(m, old.slot[i].key, old.slot[i].klen) = old.slot[i];
	free(old.slot);
	m->order = xreallocarray(m->order, m->cap, sizeof *m->order);
}

/* The value of key k, or NULL. */
static void *map_get(const struct map *m, const char *k, size_t n)
{
	return m->cap ? map_slot(m, k, n)->val : NULL;
}

/* The value of key k, a zeroed one when it is new. */
static void *map_put(struct map *m, const char *k, size_t n)
{
	void *v = map_get(m, k, n);
	if (v)
		return v;
	if (2 * (m->n + 1) > m->cap)
		map_grow(m);
	struct ent *e = map_slot(m, k, n);
	e->key = xcalloc(1, n + 1);
	memcpy(e->key, k, n);
	e->klen = n;
	e->val = xcalloc(1, m->vsize);
	/* every value begins with its key, for the writers that walk the
	 * values in order */
	*(const char **)e->val = e->key;
	m->order[m->n++] = e->val;
	return e->val;
}

/* Frees the table, its keys and values. */
static void map_free(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key) {
			free(m->slot[i].key);
			free(m->slot[i].val);
		}
	free(m->slot);
	free(m->order);
	memset(m, 0, sizeof *m);
}

/* ---- fields */

struct fld {
	const char *p;
	uint32_t n;
};

static struct fld field(const struct tsv *t, int col)
{
	return (struct fld){ t->f[col].p, t->f[col].n };
}

static void out_fld(struct out *o, struct fld f)
{
	out_mem(o, f.p, f.n);
}

/* A column the record needs, or an error naming the file, the header
 * line and the tool that makes the column. */
static int need(const struct tsv *t, const char *name, const char *producer)
{
	int c = tsv_col(t, name);
	if (c < 0)
		errx(1, "%s:1: no column '%s' (made by %s)", t->path, name, producer);
	return c;
}

/* A byte count; "-" (none measured) counts 0, as awk's num() did. */
static uint64_t count0(const struct tsv *t, int col)
{
	return tsv_u64_or(t, col, 0);
}

/* A decimal number (RTT, duration), "-" giving dflt; anything but a
 * finite decimal (digits, point, exponent: no hex, inf, nan or blanks,
 * which strtod would take) is an error naming the line. */
static double real_or(const struct tsv *t, int col, double dflt)
{
	char buf[64], *end;
	if (tsv_dash(t, col))
		return dflt;
	uint32_t n = t->f[col].n;
	if (n == 0 || n >= sizeof buf)
		tsv_bad(t, col, "not a number:");
	memcpy(buf, t->f[col].p, n);
	buf[n] = 0;
	if (strspn(buf, "0123456789.eE+-") != n)
		tsv_bad(t, col, "not a number:");
	double v = strtod(buf, &end);
	if (*end || end == buf || !isfinite(v))
		tsv_bad(t, col, "not a number:");
	return v;
}

/* Columns copied as they are must still be what their type says: a
 * table damaged there is an error, not a value passed on. */
static void check_real(const struct tsv *t, int col)
{
	(void)real_or(t, col, 0);
}

static void check_count(const struct tsv *t, int col)
{
	(void)tsv_u64_or(t, col, 0);
}

/* ---- what the three tables give */

enum { C2S, S2C };
static const char *const dir_name[2] = { "c2s", "s2c" };

/* An event's direction field: C2S or S2C, else an error naming the line */
static int field_dir(const struct tsv *t, int col)
{
	if (tsv_eq(t, col, "c2s"))
		return C2S;
	if (!tsv_eq(t, col, "s2c"))
		tsv_bad(t, col, "not c2s or s2c:");
	return S2C;
}

/* A TCP connection's RTT per direction (tcp-metrics), as text for the
 * subflow record and as numbers for the spread. */
struct tcpc {
	const char *key; /* first: map_put */
	char *n_txt[2], *avg_txt[2];
	uint64_t n[2];
	uint64_t rexmit_pkts[2]; /* only for the share_dir record */
	double avg[2];
	int has_n[2], has_avg[2];
};

/* An MPTCP connection's sums over its subflows. */
struct mpc {
	const char *key; /* first: map_put */
	uint64_t tot, init, wifi, cell, other;
	uint64_t share[3]; /* wifi, cellular, unknown: the -b direction */
	uint64_t est, failed, joins, nrtt;
	int guessed, ho;
	double best, worst;
	/* per MPTCP direction and interface (wifi, cellular, other): the
	 * share_dir record */
	uint64_t if_pkts[2][3], if_bytes[2][3], if_rexmit[2][3];
	/* per MPTCP direction, over the subflows with an RTT mean of 3
	 * samples or more: their number, the lowest mean per interface and
	 * of all (the rtt record), the interface of the lowest */
	uint64_t dir_nrtt[2], if_nrtt[2][3];
	double if_best[2][3], dir_best[2];
	int dir_best_k[2];
	/* the burst events of -e (burst record): per direction the bursts,
	 * their bytes and packets; the latest start of a burst (unused) */
	uint64_t ev_n[2], ev_bytes[2], ev_pkts[2];
	int has_last_burst;
	int64_t last_burst;
	/* the unused record: counts over its subflows, the data bytes of the
	 * best-RTT subflow (-d direction, as rtt_best_ms) and the fewest of
	 * the subflows with an RTT mean */
	uint64_t u_sf, u_nodata, u_rst, u_backup, u_late;
	uint64_t best_data, least_data;
	/* the burstsize record: the unique bytes per direction of -m */
	int has_ub;
	uint64_t ub[2];
	/* the pm and pmevents records: its subflows and address events */
	struct pmsf *pm_sf;
	size_t pm_nsf, pm_capsf;
	struct pmad *pm_ad;
	size_t pm_nad, pm_capad;
};

enum rec { R_CONN, R_MPTCP, R_SUBFLOW, R_BURST, R_SHARE, R_DEFAULT, R_SHARE_DIR, R_SFRTT, R_RTT, R_OVERHEAD, R_SIZE,
	R_PM, R_PMEVENTS, R_SOCKS, R_ACK, R_WHEN, R_BURSTSIZE, R_UNUSED };

struct opts {
	const char *rec;
	int rdir;      /* RTT direction of the MPTCP connection */
	int bdir;      /* byte direction of the share record: C2S, S2C, or 2 both */
	const char *tcp, *sf, *mp, *addr, *socks, *bursts;
	/* the event tables of the ack and when records */
	const char *acks, *dacks, *rexmits, *reinj;
};

static struct map tcp_map, mp_map;

/* Opens an input table; NULL (no such option) or an empty file: none. */
static int open_table(struct tsv *t, const char *path)
{
	if (!path)
		return 0;
	tsv_open(t, path);
	if (t->ncols == 0) {
		tsv_close(t);
		return 0;
	}
	return 1;
}

static char *dup_fld(struct fld f)
{
	char *s = xcalloc(1, f.n + 1);
	memcpy(s, f.p, f.n);
	return s;
}

/* ---- the conn record: one row per TCP connection of -t, then per MPTCP
 * connection of -m */

struct conn_row {
	const char *level;
	struct fld id, dur;
	uint64_t b[2];
};

#define CONN_COLUMNS(X) \
	X(level, TEXT, "-", "tcp: a connection of the -t table; mptcp: one of the -m table", \
	    out_str(o, r->level)) \
	X(id, ID, "-", "its conn (tcp) or mpconn (mptcp)", out_fld(o, r->id)) \
	X(duration_s, DURATION_S, "s", "its duration_s, as the table has it", out_fld(o, r->dur)) \
	X(c2s_bytes, COUNT, "bytes", "unique payload bytes, client to server", out_u64(o, r->b[C2S])) \
	X(s2c_bytes, COUNT, "bytes", "unique payload bytes, server to client", out_u64(o, r->b[S2C])) \
	X(bytes, COUNT, "bytes", "unique payload bytes, both directions", out_u64(o, r->b[C2S] + r->b[S2C]))

static const struct column conn_cols[] = { CONN_COLUMNS(COL_ROW) };

static void write_conn(struct out *o, const struct conn_row *r)
{
	int sep = 0;
	CONN_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* A conn row of table t (conn or mpconn as id; the producer for messages). */
static void conn_rows(struct tsv *t, const char *level, const char *idcol, const char *producer)
{
	int ci = need(t, idcol, producer), cd = need(t, "duration_s", producer);
	int cb[2] = { need(t, "c2s_unique_bytes", producer), need(t, "s2c_unique_bytes", producer) };
	while (tsv_next(t)) {
		struct conn_row r = { level, field(t, ci), field(t, cd), { count0(t, cb[0]), count0(t, cb[1]) } };
		check_real(t, cd);
		write_conn(&out_stdout, &r);
	}
}

/* ---- the TCP table: RTTs for the subflows */

static void read_tcp(struct tsv *t, int with_rexmit)
{
	const char *by = "tcp-metrics";
	int cc = need(t, "conn", by);
	/* only the share_dir record needs the retransmitted packets */
	int cr[2] = { -1, -1 };
	if (with_rexmit) {
		cr[C2S] = need(t, "c2s_rexmit_pkts", by);
		cr[S2C] = need(t, "s2c_rexmit_pkts", by);
	}
	int cn[2] = { need(t, "c2s_rtt_n", by), need(t, "s2c_rtt_n", by) };
	int ca[2] = { need(t, "c2s_rtt_avg_ms", by), need(t, "s2c_rtt_avg_ms", by) };
	while (tsv_next(t)) {
		struct tcpc *c = map_put(&tcp_map, t->f[cc].p, t->f[cc].n);
		for (int d = 0; d < 2; d++) {
			/* a later row of the same conn replaces the earlier one */
			free(c->n_txt[d]);
			free(c->avg_txt[d]);
			c->n_txt[d] = dup_fld(field(t, cn[d]));
			c->avg_txt[d] = dup_fld(field(t, ca[d]));
			c->has_n[d] = !tsv_dash(t, cn[d]);
			c->n[d] = count0(t, cn[d]);
			c->has_avg[d] = !tsv_dash(t, ca[d]);
			c->avg[d] = real_or(t, ca[d], 0);
			c->rexmit_pkts[d] = cr[d] < 0 ? 0 : count0(t, cr[d]);
		}
	}
}

/* defined with the pm records' readers */
static int tcprst_code(const char *s, const char *prefix);
static int64_t pm_opt_ts(const struct tsv *t, int col, int *have);
static int64_t pm_ts(const struct tsv *t, int col);

/* ---- the subflow table: the subflow record, the per-connection sums */

struct sf_row {
	struct fld mpconn, subflow, conn, role, iface, status, join_delay, handover;
	struct fld bytes[2];
	const char *n, *avg; /* the TCP RTT of the MPTCP direction, or "-" */
	int8_t within[2];    /* a join within 200 ms, 1 s: 1, 0, or -1 (not a join) */
};

#define SUBFLOW_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(subflow, ID, "-", "the subflow, 0 for the initial one", out_fld(o, r->subflow)) \
	X(conn, ID, "-", "its TCP connection (tcp-metrics conn)", out_fld(o, r->conn)) \
	X(role, TEXT, "-", "client or server: which MPTCP side opened it", out_fld(o, r->role)) \
	X(iface, TEXT, "-", "wifi, cellular or another label (ifmatch)", out_fld(o, r->iface)) \
	X(status, TEXT, "-", "how the subflow ended up (mptcp-join)", out_fld(o, r->status)) \
	X(join_delay_s, DURATION_S, "s", "from the connection's first packet to the subflow's", \
	    out_fld(o, r->join_delay)) \
	X(handover, BOOL, "-", "the subflow took over from another", out_fld(o, r->handover)) \
	X(c2s_data_bytes, COUNT, "bytes", "data bytes client to server", out_fld(o, r->bytes[C2S])) \
	X(s2c_data_bytes, COUNT, "bytes", "data bytes server to client", out_fld(o, r->bytes[S2C])) \
	X(rtt_n, COUNT, "-", "RTT samples of the TCP connection in the -d direction", out_str(o, r->n)) \
	X(rtt_avg_ms, MS, "ms", "their mean", out_str(o, r->avg)) \
	X(join_200ms, BOOL, "-", "a join (subflow > 0) whose join_delay_s is 0.2 or less", \
	    out_opt_u64(o, r->within[0] >= 0, (uint64_t)r->within[0])) \
	X(join_1s, BOOL, "-", "a join whose join_delay_s is 1 or less", \
	    out_opt_u64(o, r->within[1] >= 0, (uint64_t)r->within[1]))

static const struct column subflow_cols[] = { SUBFLOW_COLUMNS(COL_ROW) };

static void write_subflow(struct out *o, const struct sf_row *r)
{
	int sep = 0;
	SUBFLOW_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* The TCP direction of a subflow that carries the MPTCP direction rdir:
 * the same when the MPTCP client opened the subflow, else reversed. */
static int tcp_dir(int server_opened, int rdir)
{
	return server_opened ? !rdir : rdir;
}

/* The RTT of subflow r's TCP connection (b data bytes), into the spread
 * of m: a mean over 3 samples or more counts. The first subflow of the
 * lowest mean is the best; its data bytes and the fewest of those with a
 * mean are the unused record's. */
static void sf_rtt(struct mpc *m, struct sf_row *r, int d, uint64_t b)
{
	const struct tcpc *c = map_get(&tcp_map, r->conn.p, r->conn.n);
	r->n = c ? c->n_txt[d] : "-";
	r->avg = c ? c->avg_txt[d] : "-";
	if (!c || !c->has_n[d] || c->n[d] < 3 || !c->has_avg[d])
		return;
	if (!m->nrtt || c->avg[d] < m->best) {
		m->best = c->avg[d];
		m->best_data = b;
	}
	if (!m->nrtt || c->avg[d] > m->worst)
		m->worst = c->avg[d];
	if (!m->nrtt || b < m->least_data)
		m->least_data = b;
	m->nrtt++;
}

static int fld_eq(struct fld f, const char *s)
{
	return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

/* The subflow table's columns. The share record needs only the bytes
 * and the interface (plot-share's input may have no more); the others
 * the whole table as analyze publishes it. */
struct sf_cols {
	int mpconn, iface, bytes[2];
	int subflow, conn, status, role, rule, handover, join;
	int pkts[2]; /* the share_dir record's */
	int close, backup, backup0, start; /* the unused record's */
};

static void sf_cols_find(struct sf_cols *c, const struct tsv *t, int share_only, int with_pkts, int with_unused)
{
	const char *by = "mptcp-metrics -s";
	c->mpconn = need(t, "mpconn", by);
	c->iface = need(t, "iface", "ifmatch");
	c->bytes[C2S] = need(t, "c2s_data_bytes", by);
	c->bytes[S2C] = need(t, "s2c_data_bytes", by);
	if (share_only)
		return;
	c->subflow = need(t, "subflow", by);
	c->conn = need(t, "conn", by);
	c->status = need(t, "status", "mptcp-join -s, joined by mptcp-tables -J");
	c->role = need(t, "role", by);
	c->handover = need(t, "handover", by);
	c->join = need(t, "join_delay_s", by);
	c->rule = need(t, "iface_rule", "ifmatch");
	if (with_pkts) {
		c->pkts[C2S] = need(t, "c2s_data_pkts", by);
		c->pkts[S2C] = need(t, "s2c_data_pkts", by);
	}
	if (with_unused) {
		c->close = need(t, "close", "mptcp-join -s, joined by mptcp-tables -J");
		c->backup0 = need(t, "backup_initial", by);
		c->backup = need(t, "backup", by);
		c->start = need(t, "start_ts", by);
	}
}

/* Subflow r of connection m on interface k, per MPTCP direction: its
 * data packets and bytes, and the packets its TCP connection
 * retransmitted in the TCP direction that carries that MPTCP direction. */
static void sf_dir_sums(struct mpc *m, const struct tsv *t, const struct sf_cols *c,
    const struct sf_row *r, int k)
{
	const struct tcpc *tc = map_get(&tcp_map, r->conn.p, r->conn.n);
	int server_opened = tsv_eq(t, c->role, "server");
	for (int d = 0; d < 2; d++) {
		m->if_pkts[d][k] += count0(t, c->pkts[d]);
		m->if_bytes[d][k] += count0(t, c->bytes[d]);
		if (tc)
			m->if_rexmit[d][k] += tc->rexmit_pkts[tcp_dir(server_opened, d)];
	}
}

/* Subflow sfn of connection m, b data bytes on interface k (wifi,
 * cellular, other): into the sums of the mptcp and default records. */
static void sf_sums(struct mpc *m, const struct tsv *t, const struct sf_cols *c,
    uint64_t sfn, uint64_t b, int k)
{
	m->tot += b;
	if (sfn == 0)
		m->init += b;
	*(k == 0 ? &m->wifi : k == 1 ? &m->cell : &m->other) += b;
	/* a share that rests on ifmatch's default rule, said to the user */
	if (tsv_eq(t, c->rule, "default") && b > 0)
		m->guessed = 1;
	if (tsv_eq(t, c->status, "established"))
		m->est++;
	if (t->f[c->status].n >= 6 && memcmp(t->f[c->status].p, "failed", 6) == 0)
		m->failed++;
	if (sfn > 0)
		m->joins++;
	if (tsv_u64_or(t, c->handover, 0) == 1)
		m->ho = 1;
}

/* ---- the sfrtt record: per subflow and MPTCP direction, its TCP RTT */

static const char *const iface_name[3] = { "wifi", "cellular", "other" };

struct sfrtt_row {
	struct fld mpconn, subflow, conn;
	const char *iface, *dir, *n, *avg;
	int counted; /* 3 samples or more: the mean counts */
};

#define SFRTT_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(subflow, ID, "-", "the subflow, 0 for the initial one", out_fld(o, r->subflow)) \
	X(conn, ID, "-", "its TCP connection (tcp-metrics conn)", out_fld(o, r->conn)) \
	X(iface, TEXT, "-", "wifi, cellular or other (another ifmatch label)", out_str(o, r->iface)) \
	X(dir, TEXT, "-", "the MPTCP direction, c2s or s2c", out_str(o, r->dir)) \
	X(rtt_n, COUNT, "-", "RTT samples of the TCP direction that carries it", out_str(o, r->n)) \
	X(rtt_avg_ms, MS, "ms", "their mean, as tcp-metrics has it", out_str(o, r->avg)) \
	X(rtt_ms, MS, "ms", "rtt_avg_ms when rtt_n is 3 or more, else -", \
	    if (r->counted) out_str(o, r->avg); else out_dash(o))

static const struct column sfrtt_cols[] = { SFRTT_COLUMNS(COL_ROW) };

static void write_sfrtt(struct out *o, const struct sfrtt_row *r)
{
	int sep = 0;
	SFRTT_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* The RTT of subflow r (interface k) in each MPTCP direction: a row of
 * the sfrtt record when print, and into m's per-direction lowest means. */
static void sf_dir_rtt(struct mpc *m, const struct tsv *t, const struct sf_cols *c,
    const struct sf_row *r, int k, int print)
{
	const struct tcpc *tc = map_get(&tcp_map, r->conn.p, r->conn.n);
	int server_opened = tsv_eq(t, c->role, "server");
	for (int d = 0; d < 2; d++) {
		int td = tcp_dir(server_opened, d);
		int counted = tc && tc->has_n[td] && tc->n[td] >= 3 && tc->has_avg[td];
		if (print) {
			struct sfrtt_row row = { r->mpconn, r->subflow, r->conn, iface_name[k], dir_name[d],
				tc ? tc->n_txt[td] : "-", tc ? tc->avg_txt[td] : "-", counted };
			write_sfrtt(&out_stdout, &row);
		}
		if (!counted)
			continue;
		double v = tc->avg[td];
		if (!m->if_nrtt[d][k]++ || v < m->if_best[d][k])
			m->if_best[d][k] = v;
		/* the first subflow of the lowest mean: ties go to the earlier */
		if (!m->dir_nrtt[d]++ || v < m->dir_best[d]) {
			m->dir_best[d] = v;
			m->dir_best_k[d] = k;
		}
	}
}

/* tcprst_code of a field; -1 when too long to be a code's text */
static int fld_tcprst_code(struct fld f, const char *prefix)
{
	char buf[32];
	if (f.n >= sizeof buf)
		return -1;
	memcpy(buf, f.p, f.n);
	buf[f.n] = 0;
	return tcprst_code(buf, prefix);
}

/* A subflow reset: closed by a RST or an MP_TCPRST, or failed by one;
 * a close mptcp-join does not write is an error */
static int sf_reset(const struct tsv *t, const struct sf_cols *c)
{
	struct fld cl = field(t, c->close), st = field(t, c->status);
	int rst_code = fld_tcprst_code(cl, "tcprst_");
	if (!fld_eq(cl, "-") && !fld_eq(cl, "fin") && !fld_eq(cl, "rst") && !fld_eq(cl, "fastclose") && rst_code < 0)
		tsv_bad(t, c->close, "not fin, rst, tcprst_N, fastclose or -:");
	return fld_eq(cl, "rst") || rst_code >= 0 || fld_eq(st, "failed_rst") ||
	    fld_tcprst_code(st, "failed_tcprst_") >= 0;
}

/* Subflow of b data bytes into the unused record's counts of m (its
 * connection's last burst read from -e before) */
static void sf_unused(struct mpc *m, const struct tsv *t, const struct sf_cols *c, uint64_t b)
{
	m->u_sf++;
	if (b == 0)
		m->u_nodata++;
	if (sf_reset(t, c))
		m->u_rst++;
	if (tsv_u64_or(t, c->backup0, 0) == 1 || tsv_u64_or(t, c->backup, 0) == 1)
		m->u_backup++;
	int has_start;
	int64_t start = pm_opt_ts(t, c->start, &has_start);
	if (has_start && m->has_last_burst && start > m->last_burst)
		m->u_late++;
}

static void read_subflows(struct tsv *t, const struct opts *op, enum rec rec)
{
	int share_only = rec == R_SHARE, print = rec == R_SUBFLOW, with_pkts = rec == R_SHARE_DIR;
	int dir_rtt = rec == R_SFRTT || rec == R_RTT;
	/* the share record's unread columns: -1, never looked at */
	struct sf_cols c = { -1, -1, { -1, -1 }, -1, -1, -1, -1, -1, -1, -1, { -1, -1 }, -1, -1, -1, -1 };
	sf_cols_find(&c, t, share_only, with_pkts, rec == R_UNUSED);
	while (tsv_next(t)) {
		struct mpc *m = map_put(&mp_map, t->f[c.mpconn].p, t->f[c.mpconn].n);
		uint64_t b2[2] = { count0(t, c.bytes[C2S]), count0(t, c.bytes[S2C]) };
		uint64_t b = b2[C2S] + b2[S2C];
		struct fld ifc = field(t, c.iface);
		int k = fld_eq(ifc, "wifi") ? 0 : fld_eq(ifc, "cellular") ? 1 : 2;
		m->share[k] += op->bdir == 2 ? b : b2[op->bdir];
		if (share_only)
			continue;
		check_real(t, c.join);
		sf_sums(m, t, &c, tsv_u64(t, c.subflow), b, k);
		struct sf_row r = { field(t, c.mpconn), field(t, c.subflow), field(t, c.conn),
			field(t, c.role), ifc, field(t, c.status), field(t, c.join), field(t, c.handover),
			{ field(t, c.bytes[C2S]), field(t, c.bytes[S2C]) }, "-", "-", { -1, -1 } };
		if (tsv_u64(t, c.subflow) > 0 && !tsv_dash(t, c.join)) {
			double j = real_or(t, c.join, 0);
			r.within[0] = (int8_t)(j <= 0.2);
			r.within[1] = (int8_t)(j <= 1.0);
		}
		sf_rtt(m, &r, tcp_dir(tsv_eq(t, c.role, "server"), op->rdir), b);
		if (rec == R_UNUSED)
			sf_unused(m, t, &c, b);
		if (with_pkts)
			sf_dir_sums(m, t, &c, &r, k);
		if (dir_rtt)
			sf_dir_rtt(m, t, &c, &r, k, rec == R_SFRTT);
		if (print)
			write_subflow(&out_stdout, &r);
	}
}

/* ---- the MPTCP table: the mptcp, burst and default records */

struct mp_row {
	struct fld mpconn, status, dur, subflows;
	const struct mpc *m;
	uint64_t bytes, data, used, rx, rj;
};

static const struct mpc no_subflows;

/* a / b with 6 decimals, as awk's sprintf("%.6f"), or "-" when b is 0 */
static void out_ratio(struct out *o, uint64_t a, uint64_t b)
{
	if (b > 0)
		out_double_exact(o, (double)a / (double)b, 6);
	else
		out_dash(o);
}

/* The RTT spread needs two subflows with a mean. */
static void out_rtt(struct out *o, const struct mpc *m, double v)
{
	if (m->nrtt >= 2)
		out_double_exact(o, v, 3);
	else
		out_dash(o);
}

#define MULTI(r) ((r)->used >= 2)
#define MPTCP_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(status, TEXT, "-", "its status (mptcp-metrics)", out_fld(o, r->status)) \
	X(duration_s, DURATION_S, "s", "its duration_s, as the table has it", out_fld(o, r->dur)) \
	X(bytes, COUNT, "bytes", "unique data bytes, both directions", out_u64(o, r->bytes)) \
	X(data_bytes, COUNT, "bytes", "data bytes, both directions", out_u64(o, r->data)) \
	X(subflows, COUNT, "-", "its subflows (mptcp-metrics)", out_fld(o, r->subflows)) \
	X(subflows_data, COUNT, "-", "subflows that carried data", out_u64(o, r->used)) \
	X(subflows_established, COUNT, "-", "subflows of status established", out_u64(o, r->m->est)) \
	X(joins, COUNT, "-", "subflows after the initial one", out_u64(o, r->m->joins)) \
	X(failed_subflows, COUNT, "-", "subflows of a status failed_*", out_u64(o, r->m->failed)) \
	X(rexmit_bytes, COUNT, "bytes", "TCP retransmitted bytes, both directions", out_u64(o, r->rx)) \
	X(rexmit_frac, FRAC, "-", "rexmit_bytes / data_bytes", out_ratio(o, r->rx, r->data)) \
	X(multi_data_bytes, COUNT, "bytes", "data_bytes when 2 subflows or more carried data", \
	    out_opt_u64(o, MULTI(r), r->data)) \
	X(reinj_bytes, COUNT, "bytes", "reinjected bytes, when 2 subflows or more carried data", \
	    out_opt_u64(o, MULTI(r), r->rj)) \
	X(reinj_frac, FRAC, "-", "reinj_bytes / data_bytes", \
	    if (MULTI(r)) out_ratio(o, r->rj, r->data); else out_dash(o)) \
	X(initial_bytes, COUNT, "bytes", "data bytes of the initial subflow", out_u64(o, r->m->init)) \
	X(initial_share, FRAC, "-", "initial_bytes / the subflows' data bytes", \
	    out_ratio(o, r->m->init, r->m->tot)) \
	X(wifi_bytes, COUNT, "bytes", "data bytes of subflows on wifi", out_u64(o, r->m->wifi)) \
	X(cell_bytes, COUNT, "bytes", "data bytes of subflows on cellular", out_u64(o, r->m->cell)) \
	X(other_bytes, COUNT, "bytes", "data bytes of subflows on another interface", out_u64(o, r->m->other)) \
	X(wifi_share, FRAC, "-", "wifi_bytes / the subflows' data bytes", out_ratio(o, r->m->wifi, r->m->tot)) \
	X(cell_share, FRAC, "-", "cell_bytes / the subflows' data bytes", out_ratio(o, r->m->cell, r->m->tot)) \
	X(rtt_best_ms, MS, "ms", "the lowest subflow RTT mean (-d direction, 3 samples or more)", \
	    out_rtt(o, r->m, r->m->best)) \
	X(rtt_worst_ms, MS, "ms", "the highest", out_rtt(o, r->m, r->m->worst)) \
	X(rtt_diff_ms, MS, "ms", "rtt_worst_ms - rtt_best_ms", out_rtt(o, r->m, r->m->worst - r->m->best)) \
	X(handover, BOOL, "-", "a subflow of the connection took over from another", out_u64(o, (uint64_t)r->m->ho))

static const struct column mptcp_cols[] = { MPTCP_COLUMNS(COL_ROW) };

static void write_mptcp(struct out *o, const struct mp_row *r)
{
	int sep = 0;
	MPTCP_COLUMNS(COL_EMIT)
	out_nl(o);
}

struct burst_row {
	struct fld mpconn, dur, bursts, switches;
	const char *dir;
	uint64_t ub;
	int has_freq, has_per_mb;
	double freq, per_mb;
	int has_ev;   /* -e given: the sums of its burst events */
	uint64_t ev_n, ev_bytes, ev_pkts;
};

/* The connection-size classes of the burst shapes: a direction's unique
 * bytes in decades from 10 kB to 10 MB (kB = 1000 bytes), the sizes of a
 * small web object, a page, an image set, a video segment, a download */
static const struct {
	uint64_t below;
	const char *name;
} size_classes[] = {
	{ 10000, "<10kB" }, { 100000, "10kB-100kB" }, { 1000000, "100kB-1MB" }, { 10000000, "1MB-10MB" },
	{ UINT64_MAX, ">=10MB" },
};

static const char *size_class(uint64_t bytes)
{
	size_t i = 0;
	while (bytes >= size_classes[i].below && size_classes[i].below != UINT64_MAX)
		i++;
	return size_classes[i].name;
}

/* a / n with 3 decimals, "-" without a count (or without -e) */
static void out_mean(struct out *o, int have, uint64_t a, uint64_t n)
{
	if (have && n > 0)
		out_double_exact(o, (double)a / (double)n, 3);
	else
		out_dash(o);
}

#define BURST_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(dir, TEXT, "-", "the direction, c2s or s2c", out_str(o, r->dir)) \
	X(unique_bytes, COUNT, "bytes", "unique data bytes of the direction", out_u64(o, r->ub)) \
	X(duration_s, DURATION_S, "s", "the connection's duration_s", out_fld(o, r->dur)) \
	X(bursts, COUNT, "-", "its bursts in the direction (mptcp-metrics)", out_fld(o, r->bursts)) \
	X(switches, COUNT, "-", "its subflow switches in the direction", out_fld(o, r->switches)) \
	X(switch_freq_hz, REAL, "1/s", "switches / duration_s: 1 MB or more, over 0.1 s, 2 established subflows or more", \
	    if (r->has_freq) out_double_exact(o, r->freq, 6); else out_dash(o)) \
	X(switches_per_mb, REAL, "1/MB", "switches / (unique_bytes / 10^6): 1 MB or more, 2 established subflows or more", \
	    if (r->has_per_mb) out_double_exact(o, r->per_mb, 6); else out_dash(o)) \
	X(size_class, TEXT, "-", "unique_bytes' class: <10kB, 10kB-100kB, 100kB-1MB, 1MB-10MB, >=10MB (kB = 1000 bytes)", \
	    out_str(o, size_class(r->ub))) \
	X(burst_bytes, COUNT, "bytes", "the bytes of the direction's bursts in -e; - without -e", \
	    out_opt_u64(o, r->has_ev, r->ev_bytes)) \
	X(burst_pkts, COUNT, "packets", "their packets", out_opt_u64(o, r->has_ev, r->ev_pkts)) \
	X(burst_bytes_mean, REAL, "bytes", "burst_bytes / the bursts in -e; - without one", \
	    out_mean(o, r->has_ev, r->ev_bytes, r->ev_n)) \
	X(burst_pkts_mean, REAL, "packets", "burst_pkts / the bursts in -e", out_mean(o, r->has_ev, r->ev_pkts, r->ev_n))

static const struct column burst_cols[] = { BURST_COLUMNS(COL_ROW) };

static void write_burst(struct out *o, const struct burst_row *r)
{
	int sep = 0;
	BURST_COLUMNS(COL_EMIT)
	out_nl(o);
}

#define DEFAULT_COLUMNS(X) \
	X(mpconn, ID, "-", "an MPTCP connection whose shares rest on ifmatch's default rule", \
	    out_fld(o, *r))

static const struct column default_cols[] = { DEFAULT_COLUMNS(COL_ROW) };

static void write_default(struct out *o, const struct fld *r)
{
	int sep = 0;
	DEFAULT_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* The switching frequency of one direction: the original scripts
 * counted it for connections of 1 MB or more, longer than 0.1 s, with 2
 * established subflows or more. */
static void burst_rows(const struct tsv *t, const struct mp_row *mr, const int cub[2],
    const int cnb[2], const int csw[2], double dur, int has_ev)
{
	for (int d = 0; d < 2; d++) {
		struct burst_row r = { .mpconn = mr->mpconn, .dur = mr->dur, .bursts = field(t, cnb[d]),
			.switches = field(t, csw[d]), .dir = dir_name[d], .ub = count0(t, cub[d]), .has_ev = has_ev,
			.ev_n = mr->m->ev_n[d], .ev_bytes = mr->m->ev_bytes[d], .ev_pkts = mr->m->ev_pkts[d] };
		check_count(t, cnb[d]);
		int has_sw = !tsv_dash(t, csw[d]);
		uint64_t sw = count0(t, csw[d]);
		/* the rate per MB: the same connections, whatever their duration */
		if (r.ub >= 1000000 && mr->m->est >= 2 && has_sw) {
			r.has_per_mb = 1;
			r.per_mb = (double)sw / ((double)r.ub / 1e6);
		}
		if (r.ub >= 1000000 && dur > 0.1 && mr->m->est >= 2 && has_sw) {
			r.has_freq = 1;
			r.freq = (double)sw / dur;
		}
		write_burst(&out_stdout, &r);
	}
}

/* ---- the share_dir record: per MPTCP connection and direction, the
 * packets, bytes and retransmitted packets of its subflows per interface */

struct share_dir_row {
	struct fld mpconn;
	const char *dir;
	const uint64_t *pkts, *bytes, *rexmit; /* wifi, cellular, other */
	uint64_t tot_pkts, tot_bytes;
};

/* 1 when the condition holds, 0 when not, "-" when the direction
 * carried no data (no share to speak of) */
static void out_flag(struct out *o, int have, int cond)
{
	if (have)
		out_chr(o, cond ? '1' : '0');
	else
		out_dash(o);
}

#define SHARE_DIR_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(dir, TEXT, "-", "the MPTCP direction, c2s or s2c", out_str(o, r->dir)) \
	X(data_pkts, COUNT, "packets", "data packets of its subflows in the direction", out_u64(o, r->tot_pkts)) \
	X(data_bytes, COUNT, "bytes", "data bytes of its subflows in the direction", out_u64(o, r->tot_bytes)) \
	X(wifi_pkts, COUNT, "packets", "data packets of subflows on wifi", out_u64(o, r->pkts[0])) \
	X(cell_pkts, COUNT, "packets", "on cellular", out_u64(o, r->pkts[1])) \
	X(other_pkts, COUNT, "packets", "on another interface", out_u64(o, r->pkts[2])) \
	X(wifi_bytes, COUNT, "bytes", "data bytes of subflows on wifi", out_u64(o, r->bytes[0])) \
	X(cell_bytes, COUNT, "bytes", "on cellular", out_u64(o, r->bytes[1])) \
	X(other_bytes, COUNT, "bytes", "on another interface", out_u64(o, r->bytes[2])) \
	X(wifi_byte_share, FRAC, "-", "wifi_bytes / data_bytes", out_ratio(o, r->bytes[0], r->tot_bytes)) \
	X(cell_byte_share, FRAC, "-", "cell_bytes / data_bytes", out_ratio(o, r->bytes[1], r->tot_bytes)) \
	X(wifi_pkt_share, FRAC, "-", "wifi_pkts / data_pkts", out_ratio(o, r->pkts[0], r->tot_pkts)) \
	X(cell_pkt_share, FRAC, "-", "cell_pkts / data_pkts", out_ratio(o, r->pkts[1], r->tot_pkts)) \
	X(cell_none, BOOL, "-", "data_bytes above 0 and none on cellular", \
	    out_flag(o, r->tot_bytes > 0, r->bytes[1] == 0)) \
	X(cell_all, BOOL, "-", "data_bytes above 0, all on cellular", \
	    out_flag(o, r->tot_bytes > 0, r->bytes[1] == r->tot_bytes)) \
	X(wifi_rexmit_pkts, COUNT, "packets", "packets the TCP connections of its wifi subflows retransmitted", \
	    out_u64(o, r->rexmit[0])) \
	X(cell_rexmit_pkts, COUNT, "packets", "of its cellular subflows", out_u64(o, r->rexmit[1])) \
	X(other_rexmit_pkts, COUNT, "packets", "of its subflows on another interface", out_u64(o, r->rexmit[2]))

static const struct column share_dir_cols[] = { SHARE_DIR_COLUMNS(COL_ROW) };

static void share_dir_rows(struct out *o, struct fld mpconn, const struct mpc *m)
{
	for (int d = 0; d < 2; d++) {
		struct share_dir_row row = { mpconn, dir_name[d], m->if_pkts[d], m->if_bytes[d], m->if_rexmit[d],
			m->if_pkts[d][0] + m->if_pkts[d][1] + m->if_pkts[d][2],
			m->if_bytes[d][0] + m->if_bytes[d][1] + m->if_bytes[d][2] };
		const struct share_dir_row *r = &row;
		int sep = 0;
		SHARE_DIR_COLUMNS(COL_EMIT)
		out_nl(o);
	}
}


/* ---- the rtt record: per MPTCP connection and direction, the lowest
 * subflow RTT mean per interface, the interface of the lowest, and the
 * connection's own data-level RTT */

struct rtt_row {
	struct fld mpconn, mp_n, mp_avg;
	const char *dir;
	const struct mpc *m;
	int d, mp_counted;
};

/* The lowest mean of interface k, or of all (k < 0): "-" when none */
static void out_best(struct out *o, const struct rtt_row *r, int k)
{
	if (k < 0 ? r->m->dir_nrtt[r->d] : r->m->if_nrtt[r->d][k])
		out_double_exact(o, k < 0 ? r->m->dir_best[r->d] : r->m->if_best[r->d][k], 3);
	else
		out_dash(o);
}

/* Which interface has the lowest mean, once 2 subflows or more have one
 * (as the RTT spread): "-" before */
#define BEST_KNOWN(r) ((r)->m->dir_nrtt[(r)->d] >= 2)
#define RTT_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(dir, TEXT, "-", "the MPTCP direction, c2s or s2c", out_str(o, r->dir)) \
	X(mptcp_rtt_n, COUNT, "-", "MPTCP (DATA_ACK) RTT samples of the direction (mptcp-metrics)", \
	    out_fld(o, r->mp_n)) \
	X(mptcp_rtt_avg_ms, MS, "ms", "their mean, as mptcp-metrics has it", out_fld(o, r->mp_avg)) \
	X(mptcp_rtt_ms, MS, "ms", "mptcp_rtt_avg_ms when mptcp_rtt_n is 3 or more, else -", \
	    if (r->mp_counted) out_fld(o, r->mp_avg); else out_dash(o)) \
	X(rtt_subflows, COUNT, "-", "subflows with an rtt_ms (sfrtt record) in the direction", \
	    out_u64(o, r->m->dir_nrtt[r->d])) \
	X(wifi_rtt_ms, MS, "ms", "the lowest rtt_ms of its wifi subflows", out_best(o, r, 0)) \
	X(cell_rtt_ms, MS, "ms", "of its cellular subflows", out_best(o, r, 1)) \
	X(best_rtt_ms, MS, "ms", "of all its subflows", out_best(o, r, -1)) \
	X(best_iface, TEXT, "-", "wifi, cellular or other: the interface of that subflow, with rtt_subflows 2 or more", \
	    if (BEST_KNOWN(r)) out_str(o, iface_name[r->m->dir_best_k[r->d]]); else out_dash(o)) \
	X(best_known, BOOL, "-", "best_iface is known: 1, else 0", out_u64(o, (uint64_t)BEST_KNOWN(r))) \
	X(best_wifi, BOOL, "-", "best_iface is wifi; - when not known", \
	    out_flag(o, BEST_KNOWN(r), r->m->dir_best_k[r->d] == 0)) \
	X(best_cell, BOOL, "-", "best_iface is cellular", out_flag(o, BEST_KNOWN(r), r->m->dir_best_k[r->d] == 1))

static const struct column rtt_cols[] = { RTT_COLUMNS(COL_ROW) };

static void rtt_rows(struct out *o, const struct tsv *t, struct fld mpconn, const struct mpc *m,
    const int cn[2], const int ca[2])
{
	for (int d = 0; d < 2; d++) {
		check_count(t, cn[d]);
		check_real(t, ca[d]);
		struct rtt_row row = { mpconn, field(t, cn[d]), field(t, ca[d]), dir_name[d], m, d,
			!tsv_dash(t, cn[d]) && tsv_u64(t, cn[d]) >= 3 && !tsv_dash(t, ca[d]) };
		const struct rtt_row *r = &row;
		int sep = 0;
		RTT_COLUMNS(COL_EMIT)
		out_nl(o);
	}
}

/* ---- the overhead record: per MPTCP connection its retransmission and
 * reinjection overheads against thresholds, single- or multi-flow */

/* a >= b * pct / 100 in integers, exact at the threshold (and wide
 * enough for any byte count) */
#define AT_LEAST(a, b, pct) ((unsigned __int128)(a) * 100 >= (unsigned __int128)(b) * (pct))
#define HAS_DATA(r) ((r)->data > 0)
#define OVERHEAD_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(flows, TEXT, "-", "multi: 2 subflows or more carried data; single: fewer", \
	    out_str(o, MULTI(r) ? "multi" : "single")) \
	X(data_bytes, COUNT, "bytes", "data bytes, both directions", out_u64(o, r->data)) \
	X(rexmit_bytes, COUNT, "bytes", "TCP retransmitted bytes, both directions", out_u64(o, r->rx)) \
	X(reinj_bytes, COUNT, "bytes", "reinjected bytes, both directions", out_u64(o, r->rj)) \
	X(rexmit_frac, FRAC, "-", "rexmit_bytes / data_bytes", out_ratio(o, r->rx, r->data)) \
	X(reinj_frac, FRAC, "-", "reinj_bytes / data_bytes, single-flow connections too", \
	    out_ratio(o, r->rj, r->data)) \
	X(rexmit_gt0, BOOL, "-", "rexmit_bytes above 0; - without data", out_flag(o, HAS_DATA(r), r->rx > 0)) \
	X(rexmit_ge20, BOOL, "-", "rexmit_frac 0.2 or more", out_flag(o, HAS_DATA(r), AT_LEAST(r->rx, r->data, 20))) \
	X(rexmit_ge50, BOOL, "-", "rexmit_frac 0.5 or more", out_flag(o, HAS_DATA(r), AT_LEAST(r->rx, r->data, 50))) \
	X(reinj_gt0, BOOL, "-", "reinj_bytes above 0", out_flag(o, HAS_DATA(r), r->rj > 0)) \
	X(reinj_ge20, BOOL, "-", "reinj_frac 0.2 or more", out_flag(o, HAS_DATA(r), AT_LEAST(r->rj, r->data, 20))) \
	X(reinj_ge50, BOOL, "-", "reinj_frac 0.5 or more", out_flag(o, HAS_DATA(r), AT_LEAST(r->rj, r->data, 50)))

static const struct column overhead_cols[] = { OVERHEAD_COLUMNS(COL_ROW) };

static void write_overhead(struct out *o, const struct mp_row *r)
{
	int sep = 0;
	OVERHEAD_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* ---- the socks record: per connection of -k (socks-dest's records)
 * its requested destination with its packets and bytes from -t, for the
 * groups by destination */

struct sockc {
	const char *key; /* first: map_put */
	uint64_t pkts, bytes;
};
static struct map sock_map;

struct socks_row {
	struct fld conn, ipv, atyp, addr, port, ok;
	const struct sockc *c; /* its TCP connection, or NULL */
};

#define SOCKS_COLUMNS(X) \
	X(conn, ID, "-", "the TCP connection (socks-dest's and the -t table's conn)", \
	    out_fld(o, r->conn)) \
	X(ipv, INT, "-", "IP version of the connection to the proxy", out_fld(o, r->ipv)) \
	X(socks_atyp, TEXT, "-", "requested address type: ipv4, ipv6 or domain (- not decoded)", \
	    out_fld(o, r->atyp)) \
	X(socks_addr, TEXT, "-", "requested address or host name", out_fld(o, r->addr)) \
	X(socks_port, PORT, "-", "requested port", out_fld(o, r->port)) \
	X(socks_ok, BOOL, "-", "a request was decoded", out_fld(o, r->ok)) \
	X(pkts, COUNT, "packets", "packets of the connection, both directions (- not in -t)", \
	    out_opt_u64(o, r->c != NULL, r->c ? r->c->pkts : 0)) \
	X(data_bytes, COUNT, "bytes", "its payload bytes, both directions", \
	    out_opt_u64(o, r->c != NULL, r->c ? r->c->bytes : 0))

static const struct column socks_cols[] = { SOCKS_COLUMNS(COL_ROW) };

static void write_socks(struct out *o, const struct socks_row *r)
{
	int sep = 0;
	SOCKS_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* The TCP connections of -t: their packets and bytes by conn. */
static void socks_tcp(struct tsv *t)
{
	const char *by = "tcp-metrics";
	int ci = need(t, "conn", by);
	int cp[2] = { need(t, "c2s_pkts", by), need(t, "s2c_pkts", by) };
	int cb[2] = { need(t, "c2s_data_bytes", by), need(t, "s2c_data_bytes", by) };
	while (tsv_next(t)) {
		struct sockc *c = map_put(&sock_map, t->f[ci].p, t->f[ci].n);
		c->pkts = count0(t, cp[0]) + count0(t, cp[1]);
		c->bytes = count0(t, cb[0]) + count0(t, cb[1]);
	}
}

static void socks_rows(struct tsv *t)
{
	const char *by = "socks-dest";
	int ci = need(t, "conn", by), cv = need(t, "ipv", by), ct = need(t, "socks_atyp", by);
	int ca = need(t, "socks_addr", by), cp = need(t, "socks_port", by), ck = need(t, "socks_ok", by);
	while (tsv_next(t)) {
		struct socks_row r = { field(t, ci), field(t, cv), field(t, ct), field(t, ca), field(t, cp),
			field(t, ck), map_get(&sock_map, t->f[ci].p, t->f[ci].n) };
		write_socks(&out_stdout, &r);
	}
}

/* ---- the size record: per connection (TCP of -t, MPTCP of -m) its
 * duration, bytes, bytes per interface and mean RTT: completion times and
 * scatter plots */

struct size_row {
	const char *level;
	struct fld id, dur;
	uint64_t data, ub;
	uint64_t on[3]; /* data bytes on wifi, cellular, another interface */
	uint64_t rtt_n;
	double rtt_sum; /* the directions' means times their samples */
};

/* The mean of both directions' RTT samples, 3 or more. */
static void out_size_rtt(struct out *o, const struct size_row *r)
{
	if (r->rtt_n >= 3)
		out_double_exact(o, r->rtt_sum / (double)r->rtt_n, 3);
	else
		out_dash(o);
}

#define SIZE_ON(r) ((r)->on[0] + (r)->on[1] + (r)->on[2])
#define SIZE_COLUMNS(X) \
	X(level, TEXT, "-", "tcp: a connection of the -t table; mptcp: one of the -m table", \
	    out_str(o, r->level)) \
	X(id, ID, "-", "its conn (tcp) or mpconn (mptcp)", out_fld(o, r->id)) \
	X(duration_s, DURATION_S, "s", "its duration_s (first to last packet), as the table has it", \
	    out_fld(o, r->dur)) \
	X(data_bytes, COUNT, "bytes", "payload bytes, both directions, retransmitted ones included", \
	    out_u64(o, r->data)) \
	X(bytes, COUNT, "bytes", "unique payload bytes, both directions", out_u64(o, r->ub)) \
	X(wifi_bytes, COUNT, "bytes", "data bytes on wifi (mptcp: of its subflows on wifi)", out_u64(o, r->on[0])) \
	X(cell_bytes, COUNT, "bytes", "on cellular", out_u64(o, r->on[1])) \
	X(other_bytes, COUNT, "bytes", "on another interface", out_u64(o, r->on[2])) \
	X(cell_share, FRAC, "-", "cell_bytes / (wifi_bytes + cell_bytes + other_bytes)", \
	    out_ratio(o, r->on[1], SIZE_ON(r))) \
	X(rtt_n, COUNT, "-", "RTT samples, both directions (tcp: TCP RTT; mptcp: DATA_ACK RTT)", \
	    out_u64(o, r->rtt_n)) \
	X(rtt_ms, MS, "ms", "their mean, when rtt_n is 3 or more", out_size_rtt(o, r))

static const struct column size_cols[] = { SIZE_COLUMNS(COL_ROW) };

static void write_size(struct out *o, const struct size_row *r)
{
	int sep = 0;
	SIZE_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* Direction d's RTT samples into r: a count and a mean, both given */
static void size_rtt(struct size_row *r, const struct tsv *t, int cn, int ca)
{
	check_count(t, cn);
	check_real(t, ca);
	if (tsv_dash(t, cn) || tsv_dash(t, ca))
		return;
	uint64_t n = tsv_u64(t, cn);
	r->rtt_n += n;
	r->rtt_sum += (double)n * real_or(t, ca, 0);
}

/* The size rows of the TCP connections of -t; the interface is ifmatch's
 * label of the connection. */
static void size_tcp_rows(struct tsv *t)
{
	const char *by = "tcp-metrics";
	int ci = need(t, "conn", by), cd = need(t, "duration_s", by), cf = need(t, "iface", "ifmatch");
	int cdb[2] = { need(t, "c2s_data_bytes", by), need(t, "s2c_data_bytes", by) };
	int cub[2] = { need(t, "c2s_unique_bytes", by), need(t, "s2c_unique_bytes", by) };
	int cn[2] = { need(t, "c2s_rtt_n", by), need(t, "s2c_rtt_n", by) };
	int ca[2] = { need(t, "c2s_rtt_avg_ms", by), need(t, "s2c_rtt_avg_ms", by) };
	while (tsv_next(t)) {
		struct size_row r = { "tcp", field(t, ci), field(t, cd), count0(t, cdb[0]) + count0(t, cdb[1]),
			count0(t, cub[0]) + count0(t, cub[1]), { 0, 0, 0 }, 0, 0 };
		check_real(t, cd);
		struct fld ifc = field(t, cf);
		r.on[fld_eq(ifc, "wifi") ? 0 : fld_eq(ifc, "cellular") ? 1 : 2] = r.data;
		for (int d = 0; d < 2; d++)
			size_rtt(&r, t, cn[d], ca[d]);
		write_size(&out_stdout, &r);
	}
}

/* ---- the burst events of -e (mptcp_bursts.tsv, mptcp-metrics -e
 * bursts): the burst record's sums, the unused record's last burst, and
 * the burstsize record, a row per burst */

struct burst_cols {
	int mpconn, dir, burst, subflow, start, dur, maps, pkts, bytes;
};

static void burst_cols_find(struct burst_cols *c, const struct tsv *t)
{
	const char *by = "mptcp-metrics -e bursts";
	c->mpconn = need(t, "mpconn", by);
	c->dir = need(t, "dir", by);
	c->burst = need(t, "burst", by);
	c->subflow = need(t, "subflow", by);
	c->start = need(t, "start_ts", by);
	c->dur = need(t, "duration_s", by);
	c->maps = need(t, "mappings", by);
	c->pkts = need(t, "pkts", by);
	c->bytes = need(t, "bytes", by);
}

/* The burst events into the connections' sums (burst, unused records) */
static void read_burst_sums(struct tsv *t)
{
	struct burst_cols c;
	burst_cols_find(&c, t);
	while (tsv_next(t)) {
		struct mpc *m = map_put(&mp_map, t->f[c.mpconn].p, t->f[c.mpconn].n);
		int d = field_dir(t, c.dir);
		m->ev_n[d]++;
		m->ev_bytes[d] += tsv_u64(t, c.bytes);
		m->ev_pkts[d] += tsv_u64(t, c.pkts);
		int64_t start = pm_ts(t, c.start);
		if (!m->has_last_burst || start > m->last_burst)
			m->last_burst = start;
		m->has_last_burst = 1;
	}
}

/* The unique bytes per direction of the connections of -m: the classes
 * of the burstsize rows */
static void read_mp_sizes(struct tsv *t)
{
	const char *by = "mptcp-metrics";
	int cm = need(t, "mpconn", by);
	int cub[2] = { need(t, "c2s_unique_bytes", by), need(t, "s2c_unique_bytes", by) };
	while (tsv_next(t)) {
		struct mpc *m = map_put(&mp_map, t->f[cm].p, t->f[cm].n);
		m->has_ub = 1;
		m->ub[C2S] = count0(t, cub[C2S]);
		m->ub[S2C] = count0(t, cub[S2C]);
	}
}

struct burstsize_row {
	struct fld mpconn, burst, subflow, dur, maps, pkts, bytes;
	const char *dir;
	const struct mpc *m; /* its connection in -m, or NULL */
	int d, first;
};

#define BURSTSIZE_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(dir, TEXT, "-", "the direction, c2s or s2c", out_str(o, r->dir)) \
	X(burst, COUNT, "-", "the burst's number in its direction (mptcp-metrics -e bursts)", out_fld(o, r->burst)) \
	X(first, BOOL, "-", "1 for burst 1, the direction's first: summed, the connections", \
	    out_chr(o, r->first ? '1' : '0')) \
	X(subflow, ID, "-", "the subflow that carried it", out_fld(o, r->subflow)) \
	X(size_class, TEXT, "-", "the class of the direction's unique_bytes in -m (burst record); - not in -m", \
	    if (r->m) out_str(o, size_class(r->m->ub[r->d])); else out_dash(o)) \
	X(duration_s, DURATION_S, "s", "from its first mapping to its last", out_fld(o, r->dur)) \
	X(mappings, COUNT, "-", "its mappings", out_fld(o, r->maps)) \
	X(pkts, COUNT, "packets", "its segments of new mapped data", out_fld(o, r->pkts)) \
	X(bytes, COUNT, "bytes", "its data bytes", out_fld(o, r->bytes))

static const struct column burstsize_cols[] = { BURSTSIZE_COLUMNS(COL_ROW) };

static void burstsize_rows(struct tsv *t)
{
	struct burst_cols c;
	burst_cols_find(&c, t);
	while (tsv_next(t)) {
		const struct mpc *m = map_get(&mp_map, t->f[c.mpconn].p, t->f[c.mpconn].n);
		int d = field_dir(t, c.dir);
		check_count(t, c.burst);
		check_count(t, c.subflow);
		check_real(t, c.dur);
		check_count(t, c.maps);
		check_count(t, c.pkts);
		check_count(t, c.bytes);
		const struct burstsize_row row = { field(t, c.mpconn), field(t, c.burst), field(t, c.subflow),
			field(t, c.dur), field(t, c.maps), field(t, c.pkts), field(t, c.bytes), dir_name[d],
			m && m->has_ub ? m : NULL, d, tsv_u64_or(t, c.burst, 0) == 1 }, *r = &row;
		struct out *o = &out_stdout;
		int sep = 0;
		BURSTSIZE_COLUMNS(COL_EMIT)
		out_nl(o);
	}
}

/* ---- the unused record: per MPTCP connection of -m, its subflows that
 * were of no use, each kind counted (mptcp-derive(1)) */

/* The best-RTT subflow's flags need two subflows with a mean, as the
 * RTT spread */
#define BEST_OK(m) ((m)->nrtt >= 2)
#define UNUSED_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, *mpconn)) \
	X(subflows, COUNT, "-", "its subflows in the subflow table", out_u64(o, m->u_sf)) \
	X(no_data, COUNT, "-", "subflows that carried no data bytes, either direction", out_u64(o, m->u_nodata)) \
	X(ended_rst, COUNT, "-", "subflows closed or failed by a RST or an MP_TCPRST", out_u64(o, m->u_rst)) \
	X(backup, COUNT, "-", "subflows with the backup bit (MP_JOIN or the last MP_PRIO)", out_u64(o, m->u_backup)) \
	X(after_last_burst, COUNT, "-", "subflows whose first packet came after the last burst began; " \
	    "- without a burst in -e", out_opt_u64(o, m->has_last_burst, m->u_late)) \
	X(rtt_subflows, COUNT, "-", "subflows with an RTT mean (-d direction, 3 samples or more)", out_u64(o, m->nrtt)) \
	X(best_rtt_no_data, BOOL, "-", "the first subflow of the lowest mean carried no data; - below 2 means", \
	    out_flag(o, BEST_OK(m), m->best_data == 0)) \
	X(best_rtt_least, BOOL, "-", "it carried no more data bytes than any subflow with a mean", \
	    out_flag(o, BEST_OK(m), m->best_data == m->least_data))

static const struct column unused_cols[] = { UNUSED_COLUMNS(COL_ROW) };

static void write_unused(struct out *o, const struct fld *mpconn, const struct mpc *m)
{
	int sep = 0;
	UNUSED_COLUMNS(COL_EMIT)
	out_nl(o);
}

static void read_mptcp(struct tsv *t, enum rec rec, int has_ev)
{
	const char *by = "mptcp-metrics";
	int cm = need(t, "mpconn", by), cs = need(t, "status", by), cd = need(t, "duration_s", by);
	int cn = need(t, "subflows", by), cu = need(t, "subflows_data", by);
	int cub[2], cdb[2], crx[2], crj[2], cnb[2], csw[2], crn[2], crt[2];
	for (int d = 0; d < 2; d++) {
		char name[64];
#define COL2(arr, suffix) (snprintf(name, sizeof name, "%s_%s", dir_name[d], suffix), arr[d] = need(t, name, by))
		COL2(cub, "unique_bytes");
		COL2(cdb, "data_bytes");
		COL2(crx, "tcp_rexmit_bytes");
		COL2(crj, "reinj_bytes");
		COL2(cnb, "bursts");
		COL2(csw, "switches");
		/* the data-level RTT: only the rtt record reads it */
		crn[d] = crt[d] = -1;
		if (rec == R_RTT || rec == R_SIZE) {
			COL2(crn, "rtt_n");
			COL2(crt, "rtt_avg_ms");
		}
#undef COL2
	}
	while (tsv_next(t)) {
		const struct mpc *m = map_get(&mp_map, t->f[cm].p, t->f[cm].n);
		struct mp_row r = { field(t, cm), field(t, cs), field(t, cd), field(t, cn), m ? m : &no_subflows,
			count0(t, cub[0]) + count0(t, cub[1]), count0(t, cdb[0]) + count0(t, cdb[1]),
			count0(t, cu), count0(t, crx[0]) + count0(t, crx[1]), count0(t, crj[0]) + count0(t, crj[1]) };
		double dur = real_or(t, cd, 0);
		check_count(t, cn);
		if (rec == R_MPTCP)
			write_mptcp(&out_stdout, &r);
		else if (rec == R_BURST)
			burst_rows(t, &r, cub, cnb, csw, dur, has_ev);
		else if (rec == R_UNUSED)
			write_unused(&out_stdout, &r.mpconn, r.m);
		else if (rec == R_DEFAULT && r.m->guessed)
			write_default(&out_stdout, &r.mpconn);
		else if (rec == R_SHARE_DIR)
			share_dir_rows(&out_stdout, r.mpconn, r.m);
		else if (rec == R_RTT)
			rtt_rows(&out_stdout, t, r.mpconn, r.m, crn, crt);
		else if (rec == R_OVERHEAD)
			write_overhead(&out_stdout, &r);
		else if (rec == R_SIZE) {
			struct size_row z = { "mptcp", r.mpconn, r.dur, r.data, r.bytes,
				{ r.m->wifi, r.m->cell, r.m->other }, 0, 0 };
			for (int d = 0; d < 2; d++)
				size_rtt(&z, t, crn[d], crt[d]);
			write_size(&out_stdout, &z);
		}
	}
}

/* ---- the share record: plot-share's bars, per MPTCP connection in
 * order of first appearance in the subflow table */

#define SHARE_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_str(o, key)) \
	X(wifi_bytes, COUNT, "bytes", "data bytes (-b direction) of its subflows on wifi", out_u64(o, m->share[0])) \
	X(cellular_bytes, COUNT, "bytes", "on cellular", out_u64(o, m->share[1])) \
	X(unknown_bytes, COUNT, "bytes", "on another interface or none known", out_u64(o, m->share[2])) \
	X(total_bytes, COUNT, "bytes", "the three", out_u64(o, tot)) \
	X(wifi_share, FRAC, "-", "wifi_bytes / total_bytes, 0 when total_bytes is", out_share(o, m->share[0], tot)) \
	X(cellular_share, FRAC, "-", "cellular_bytes / total_bytes", out_share(o, m->share[1], tot)) \
	X(unknown_share, FRAC, "-", "unknown_bytes / total_bytes", out_share(o, m->share[2], tot))

static const struct column share_cols[] = { SHARE_COLUMNS(COL_ROW) };

/* plot-share drew an empty bar as 0, not a missing value */
static void out_share(struct out *o, uint64_t a, uint64_t tot)
{
	if (tot > 0)
		out_double_exact(o, (double)a / (double)tot, 6);
	else
		out_chr(o, '0');
}

static void write_shares(struct out *o)
{
	for (size_t i = 0; i < mp_map.n; i++) {
		const struct mpc *m = mp_map.order[i];
		const char *key = m->key;
		uint64_t tot = m->share[0] + m->share[1] + m->share[2];
		int sep = 0;
		SHARE_COLUMNS(COL_EMIT)
		out_nl(o);
	}
}

/* ---- the pm and pmevents records: the path manager's timeline per MPTCP
 * connection, from the subflow table (mptcp_subflows.tsv as analyze
 * publishes it, mptcp-join's status and close joined) and the address
 * events (mptcp_addr.tsv, mptcp-metrics -e addr) */

/* A subflow as the timeline needs it. Times in nanoseconds. */
struct pmsf {
	uint64_t index;
	int role_server;       /* opened by the MPTCP server */
	int syn;               /* its SYN was seen: handshake not "-" */
	int failed;            /* status failed_* */
	int refused;           /* a join that carried no data, failed or reset */
	int usable;            /* counted open: neither failed nor refused */
	int handover;          /* mptcp-metrics' handover flag */
	int has_data;
	int64_t start, end, first_data, last_data;
	int has_silent;
	int64_t silent;        /* the earlier of the two sides' last ACKs */
	char *s_addr, *s_port, *c_port, *status, *close;
};

/* An ADD_ADDR (not an echo) or a REMOVE_ADDR of the address table. */
struct pmad {
	int64_t ts;
	int rm;                /* REMOVE_ADDR */
	int dir;               /* C2S: the MPTCP client sent it */
	uint64_t subflow;      /* the subflow that carried it */
	char *addr, *port, *addr_id;
};

/* the finest precision of the timestamps read: durations print with it */
static int pm_digits = 6;

static int64_t pm_ts(const struct tsv *t, int col)
{
	int64_t sec;
	uint32_t nsec;
	uint8_t digits;
	tsv_ts(t, col, &sec, &nsec, &digits);
	if (digits > 6)
		pm_digits = 9;
	return sec * 1000000000 + (int64_t)nsec;
}

/* An optional timestamp: 0 when "-" (*have then 0). */
static int64_t pm_opt_ts(const struct tsv *t, int col, int *have)
{
	*have = !tsv_dash(t, col);
	return *have ? pm_ts(t, col) : 0;
}

/* The statuses mptcp-join writes, and "-" (a subflow it did not see) */
static int pm_status_ok(const char *st)
{
	static const char *const ok[] = { "-", "established", "fallback", "failed_no_synack",
		"failed_no_ack", "failed_rst", "unknown_token", "midstream", "fastclose" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!strcmp(st, ok[i]))
			return 1;
	return tcprst_code(st, "failed_tcprst_") >= 0;
}

static void read_pm_subflows(struct tsv *t)
{
	const char *by = "mptcp-metrics -s";
	const char *byj = "mptcp-join -s, joined by mptcp-tables -J";
	int cm = need(t, "mpconn", by), cx = need(t, "subflow", by), cr = need(t, "role", by);
	int chs = need(t, "handshake", by), cho = need(t, "handover", by);
	int csa = need(t, "s_addr", by), csp = need(t, "s_port", by), ccp = need(t, "c_port", by);
	int cst = need(t, "start_ts", by), cen = need(t, "end_ts", by);
	int cfd[2] = { need(t, "c2s_first_data_ts", by), need(t, "s2c_first_data_ts", by) };
	int cld[2] = { need(t, "c2s_last_data_ts", by), need(t, "s2c_last_data_ts", by) };
	int cla[2] = { need(t, "c2s_last_ack_ts", by), need(t, "s2c_last_ack_ts", by) };
	int cs = need(t, "status", byj), cc = need(t, "close", byj);
	while (tsv_next(t)) {
		/* a subflow mptcp-metrics did not see (only in mptcp-join's
		 * table) has no times: not in the timeline */
		if (tsv_dash(t, cst))
			continue;
		struct mpc *m = map_put(&mp_map, t->f[cm].p, t->f[cm].n);
		if (m->pm_nsf == m->pm_capsf) {
			m->pm_capsf = m->pm_capsf ? 2 * m->pm_capsf : 4;
			m->pm_sf = xreallocarray(m->pm_sf, m->pm_capsf, sizeof *m->pm_sf);
		}
		struct pmsf *x = &m->pm_sf[m->pm_nsf++];
		memset(x, 0, sizeof *x);
		x->index = tsv_u64(t, cx);
		x->role_server = tsv_eq(t, cr, "server");
		x->syn = !tsv_dash(t, chs);
		check_count(t, chs);
		x->handover = tsv_u64_or(t, cho, 0) == 1;
		x->start = pm_ts(t, cst);
		x->end = pm_ts(t, cen);
		int has_first = 0, has_last = 0;
		for (int d = 0; d < 2; d++) {
			int hf, hl, ha;
			int64_t f = pm_opt_ts(t, cfd[d], &hf), l = pm_opt_ts(t, cld[d], &hl);
			int64_t a = pm_opt_ts(t, cla[d], &ha);
			/* the earliest first and the latest last data time of
			 * both directions; data, when a direction has both */
			if (hf && (!has_first || f < x->first_data))
				x->first_data = f;
			if (hl && (!has_last || l > x->last_data))
				x->last_data = l;
			has_first |= hf;
			has_last |= hl;
			if (hf && hl)
				x->has_data = 1;
			if (ha && (!x->has_silent || a < x->silent)) {
				x->silent = a;
				x->has_silent = 1;
			}
		}
		x->s_addr = dup_fld(field(t, csa));
		x->s_port = dup_fld(field(t, csp));
		x->c_port = dup_fld(field(t, ccp));
		x->status = dup_fld(field(t, cs));
		x->close = dup_fld(field(t, cc));
		x->failed = strncmp(x->status, "failed", 6) == 0;
		if (!pm_status_ok(x->status))
			tsv_bad(t, cs, "not a subflow status:");
		if (strcmp(x->close, "-") && strcmp(x->close, "fin") && strcmp(x->close, "rst") &&
		    strcmp(x->close, "fastclose") && tcprst_code(x->close, "tcprst_") < 0)
			tsv_bad(t, cc, "not fin, rst, tcprst_N, fastclose or -:");
		x->refused = x->index > 0 && !x->has_data &&
		    (x->failed || !strcmp(x->close, "rst") || tcprst_code(x->close, "tcprst_") >= 0);
		x->usable = !x->failed && !x->refused;
	}
}

static void read_pm_addr(struct tsv *t)
{
	const char *by = "mptcp-metrics -e addr";
	int cts = need(t, "ts", by), cm = need(t, "mpconn", by), cd = need(t, "dir", by);
	int cx = need(t, "subflow", by), ce = need(t, "event", by), ci = need(t, "addr_id", by);
	int ca = need(t, "addr", by), cp = need(t, "port", by);
	while (tsv_next(t)) {
		int rm = tsv_eq(t, ce, "rm_addr");
		if (!rm && !tsv_eq(t, ce, "add_addr"))
			continue; /* echoes, MP_PRIO */
		struct mpc *m = map_put(&mp_map, t->f[cm].p, t->f[cm].n);
		if (m->pm_nad == m->pm_capad) {
			m->pm_capad = m->pm_capad ? 2 * m->pm_capad : 4;
			m->pm_ad = xreallocarray(m->pm_ad, m->pm_capad, sizeof *m->pm_ad);
		}
		struct pmad *a = &m->pm_ad[m->pm_nad++];
		a->ts = pm_ts(t, cts);
		a->rm = rm;
		a->dir = field_dir(t, cd);
		a->subflow = tsv_u64(t, cx);
		check_count(t, ci);
		if (!tsv_dash(t, cp))
			check_count(t, cp);
		a->addr = dup_fld(field(t, ca));
		a->port = dup_fld(field(t, cp));
		a->addr_id = dup_fld(field(t, ci));
	}
}

/* RFC 8684, section 3.6: the MP_TCPRST reason codes */
static const char *const tcprst_name[] = { "unspecified", "mptcp_error", "no_resources",
	"prohibited", "outstanding_data", "performance", "middlebox" };

/* The reason code N of a text "PREFIXN" (failed_tcprst_N, tcprst_N), or
 * -1 when s is not of that form. */
static int tcprst_code(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0 || !s[n] || strspn(s + n, "0123456789") != strlen(s + n) ||
	    strlen(s + n) > 3)
		return -1;
	int v = atoi(s + n);
	return v <= 255 ? v : -1;
}

static const char *tcprst_text(int code)
{
	return code < 0 ? NULL : code < (int)(sizeof tcprst_name / sizeof *tcprst_name) ? tcprst_name[code] :
	    "other";
}

/* One event of the timeline. */
enum pm_ev { PE_ADD_ADDR, PE_RM_ADDR, PE_OPEN, PE_HANDOVER, PE_END };
static const char *const pm_ev_name[] = { "add_addr", "rm_addr", "open", "handover", "end" };

struct pm_event {
	int64_t ts;
	enum pm_ev ev;
	uint64_t subflow;
	int has_peer;
	uint64_t peer;
	const char *what, *addr, *port, *addr_id, *reason;
	int has_dur;
	int64_t dur;
	uint64_t concurrent;
	const struct pmsf *sf; /* open and end: the subflow */
	size_t seq;  /* the order of making, last of the sort keys */
};

/* What one connection's timeline gives, for the pm record */
struct pm_sum {
	uint64_t subflows, joins, failed, no_synack, no_ack, rst, tcprst;
	uint64_t reasons[256];
	uint64_t add_addr, joined, rm_addr, max_conc;
	uint64_t ended[5]; /* fin, rst, tcprst, fastclose, none */
	int has_life;
	int64_t life_max;
	uint64_t ho, mbb, bbm;
	int has_gap;
	int64_t gap_max;
	int64_t *lat;
	size_t nlat;
};

static int pm_ev_cmp(const void *a, const void *b)
{
	const struct pm_event *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->ev != y->ev)
		return x->ev < y->ev ? -1 : 1;
	if (x->subflow != y->subflow)
		return x->subflow < y->subflow ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int pm_sf_cmp(const void *a, const void *b)
{
	const struct pmsf *x = a, *y = b;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The (first) subflow of index i, m's subflows sorted by index; NULL
 * when none. */
static const struct pmsf *pm_sf_by_index(const struct mpc *m, uint64_t i)
{
	size_t lo = 0, hi = m->pm_nsf;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->pm_sf[mid].index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->pm_nsf && m->pm_sf[lo].index == i ? &m->pm_sf[lo] : NULL;
}

/* The port an ADD_ADDR without one names: the announcer's port on the
 * subflow that carried it; NULL when that subflow is not in the table. */
static const char *pm_announced_port(const struct mpc *m, const struct pmad *a)
{
	if (strcmp(a->port, "-") != 0)
		return a->port;
	const struct pmsf *x = pm_sf_by_index(m, a->subflow);
	if (!x)
		return NULL;
	/* the MPTCP client announced (c2s): its end of the subflow is the
	 * TCP client's when the client opened the subflow */
	return (a->dir == C2S) == !x->role_server ? x->c_port : x->s_port;
}

/* The joins an announcement may have had: the subflows after the
 * initial one whose SYN was seen, sorted by opener, address, port, first
 * packet and index, so that the first join towards an address and port
 * is found in O(log n). */

static int join_key_cmp(const struct pmsf *x, int role_server, const char *addr, const char *port)
{
	if (x->role_server != role_server)
		return x->role_server < role_server ? -1 : 1;
	int c = strcmp(x->s_addr, addr);
	if (c || !port)
		return c;
	return strcmp(x->s_port, port);
}

static int join_cmp(const void *a, const void *b)
{
	const struct pmsf *x = *(const struct pmsf *const *)a, *y = *(const struct pmsf *const *)b;
	int c = join_key_cmp(x, y->role_server, y->s_addr, y->s_port);
	if (c)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The first join towards announcement a (sent by side dir): opened by
 * the other side, to the address (and port, when known), its SYN at or
 * after a; the earliest, then the lowest index. j: the n joins, sorted. */
static const struct pmsf *pm_join_of(struct pmsf *const *j, size_t n, const struct pmad *a, const char *port)
{
	int role_server = a->dir == C2S;
	/* the first entry of the key (and, with a port, at or after a) */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = join_key_cmp(j[mid], role_server, a->addr, port);
		if (c < 0 || (c == 0 && port && j[mid]->start < a->ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (port)
		return lo < n && join_key_cmp(j[lo], role_server, a->addr, port) == 0 ? j[lo] : NULL;
	/* no port known: the earliest over the address's ports */
	const struct pmsf *best = NULL;
	for (size_t i = lo; i < n && join_key_cmp(j[i], role_server, a->addr, NULL) == 0; i++)
		if (j[i]->start >= a->ts && (!best || j[i]->start < best->start ||
		    (j[i]->start == best->start && j[i]->index < best->index)))
			best = j[i];
	return best;
}

/* The last announcement of a side, address and port, and its join */
struct ann_last {
	const char *key; /* first: map_put */
	const struct pmsf *join;
	int has;
};

/* Which of two subflows began to carry data first (then the lower index) */
static int data_before(const struct pmsf *x, const struct pmsf *y)
{
	return x->first_data < y->first_data || (x->first_data == y->first_data && x->index < y->index);
}

static int last_data_cmp(const void *a, const void *b)
{
	const struct pmsf *x = *(const struct pmsf *const *)a, *y = *(const struct pmsf *const *)b;
	if (x->last_data != y->last_data)
		return x->last_data < y->last_data ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* qsort, which may not be given a NULL array even of no elements */
static void sort_n(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* The timeline of connection m: its events, sorted, into *ev (n of them),
 * and the sums of the pm record. */
static struct pm_event *pm_timeline(struct mpc *m, size_t *n, struct pm_sum *s)
{
	memset(s, 0, sizeof *s);
	/* by index, for pm_sf_by_index */
	sort_n(m->pm_sf, m->pm_nsf, sizeof *m->pm_sf, pm_sf_cmp);
	/* at most: each address event, 2 per subflow, 1 handover per subflow */
	struct pm_event *ev = xcalloc(m->pm_nad + 3 * m->pm_nsf + 1, sizeof *ev);
	size_t ne = 0;
	s->lat = xcalloc(m->pm_nad + 1, sizeof *s->lat);
	/* the joins, sorted for the look-ups */
	struct pmsf **jn = xcalloc(m->pm_nsf + 1, sizeof *jn);
	size_t njn = 0;
	for (size_t k = 0; k < m->pm_nsf; k++)
		if (m->pm_sf[k].index > 0 && m->pm_sf[k].syn)
			jn[njn++] = &m->pm_sf[k];
	sort_n(jn, njn, sizeof *jn, join_cmp);
	/* the announcements: an ADD_ADDR is a repeat when the last
	 * announcement from the same side of the same address and port is
	 * still waiting for its join at its time (none, or a later one) */
	struct map last_ann;
	map_init(&last_ann, sizeof(struct ann_last));
	for (size_t i = 0; i < m->pm_nad; i++) {
		const struct pmad *a = &m->pm_ad[i];
		struct pm_event *e = &ev[ne];
		memset(e, 0, sizeof *e);
		e->ts = a->ts;
		e->subflow = a->subflow;
		e->what = dir_name[a->dir];
		e->addr_id = a->addr_id;
		e->addr = e->port = e->reason = "-";
		if (a->rm) {
			e->ev = PE_RM_ADDR;
			s->rm_addr++;
			e->seq = ne++;
			continue;
		}
		const char *port = pm_announced_port(m, a);
		/* the key: side, address, port ("" unknown), NUL-separated */
		size_t la = strlen(a->addr), lp = port ? strlen(port) : 0;
		char *key = xcalloc(1, la + lp + 4);
		key[0] = a->dir == C2S ? 'c' : 's';
		memcpy(key + 1, a->addr, la);
		if (port)
			memcpy(key + 2 + la, port, lp);
		struct ann_last *last = map_put(&last_ann, key, la + lp + 3);
		free(key);
		if (last->has && (!last->join || last->join->start > a->ts))
			continue;
		const struct pmsf *jx = pm_join_of(jn, njn, a, port);
		last->has = 1;
		last->join = jx;
		s->add_addr++;
		e->ev = PE_ADD_ADDR;
		e->addr = a->addr;
		e->port = port ? port : "-";
		if (jx) {
			e->has_peer = 1;
			e->peer = jx->index;
			e->has_dur = 1;
			e->dur = jx->start - a->ts;
			s->lat[s->nlat++] = e->dur;
			s->joined++;
		}
		e->seq = ne++;
	}
	free(jn);
	map_free(&last_ann);
	for (size_t k = 0; k < m->pm_nsf; k++) {
		const struct pmsf *x = &m->pm_sf[k];
		const char *ended = strcmp(x->close, "-") == 0 ? "none" : x->close;
		int code = tcprst_code(x->close, "tcprst_");
		s->subflows++;
		/* the table's values were checked when read */
		s->ended[!strcmp(ended, "fin") ? 0 : !strcmp(ended, "rst") ? 1 : code >= 0 ? 2 :
		    !strcmp(ended, "fastclose") ? 3 : 4]++;
		if (x->index > 0)
			s->joins++;
		if (x->refused) {
			/* why: the MP_TCPRST's reason, else a RST, else the
			 * handshake's missing step */
			int fc = tcprst_code(x->status, "failed_tcprst_");
			if (fc < 0)
				fc = code;
			s->failed++;
			if (fc >= 0) {
				s->tcprst++;
				s->reasons[fc]++;
			} else if (!strcmp(x->status, "failed_rst") || !strcmp(x->close, "rst"))
				s->rst++;
			else if (!strcmp(x->status, "failed_no_synack"))
				s->no_synack++;
			else
				s->no_ack++;
		}
		/* a last packet before the first (the capture's clock stepped
		 * back): the subflow ends where it began */
		int64_t life = x->end > x->start ? x->end - x->start : 0;
		if (x->usable && (!s->has_life || life > s->life_max)) {
			s->life_max = life;
			s->has_life = 1;
		}
		for (int c = 0; c < 2; c++) {
			struct pm_event *e = &ev[ne];
			memset(e, 0, sizeof *e);
			e->ev = c ? PE_END : PE_OPEN;
			e->ts = c ? x->start + life : x->start;
			e->subflow = x->index;
			e->what = c ? ended : x->status;
			e->addr = x->s_addr;
			e->port = x->s_port;
			e->addr_id = "-";
			e->reason = tcprst_text(c ? code : tcprst_code(x->status, "failed_tcprst_"));
			if (!e->reason)
				e->reason = "-";
			e->has_dur = 1;
			e->dur = life;
			e->sf = x;
			e->seq = ne++;
		}
	}
	/* the handovers: a subflow that carried data and then broke (fell
	 * silent: mptcp-metrics' handover flag, or was reset), while another
	 * carried data after the break. The subflows with data by their last
	 * data, and from each place on the two that began carrying data
	 * first: the successor of a break is the first of those after it
	 * that is not the broken subflow itself. */
	struct pmsf **bl = xcalloc(m->pm_nsf + 1, sizeof *bl);
	size_t nbl = 0;
	for (size_t k = 0; k < m->pm_nsf; k++)
		if (m->pm_sf[k].has_data)
			bl[nbl++] = &m->pm_sf[k];
	sort_n(bl, nbl, sizeof *bl, last_data_cmp);
	const struct pmsf **first1 = xcalloc(nbl + 1, sizeof *first1), **first2 = xcalloc(nbl + 1, sizeof *first2);
	for (size_t i = nbl; i-- > 0;) {
		const struct pmsf *c = bl[i], *b1 = first1[i + 1], *b2 = first2[i + 1];
		if (!b1 || data_before(c, b1)) {
			first1[i] = c;
			first2[i] = b1;
		} else {
			first1[i] = b1;
			first2[i] = !b2 || data_before(c, b2) ? c : b2;
		}
	}
	for (size_t k = 0; k < m->pm_nsf; k++) {
		const struct pmsf *x = &m->pm_sf[k];
		if (!x->has_data || !(x->handover || !strcmp(x->close, "rst") || tcprst_code(x->close, "tcprst_") >= 0))
			continue;
		int64_t brk = x->has_silent && x->silent < x->last_data ? x->silent : x->last_data;
		size_t lo = 0, hi = nbl;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (bl[mid]->last_data <= brk)
				lo = mid + 1;
			else
				hi = mid;
		}
		const struct pmsf *y = first1[lo] == x ? first2[lo] : first1[lo];
		if (!y)
			continue;
		struct pm_event *e = &ev[ne];
		memset(e, 0, sizeof *e);
		e->ev = PE_HANDOVER;
		e->ts = brk;
		e->subflow = x->index;
		e->has_peer = 1;
		e->peer = y->index;
		int mbb = y->first_data <= brk;
		e->what = mbb ? "mbb" : "bbm";
		e->addr = e->port = e->addr_id = e->reason = "-";
		e->has_dur = 1;
		e->dur = mbb ? brk - y->first_data : y->first_data - brk;
		e->seq = ne++;
		s->ho++;
		if (mbb) {
			s->mbb++;
		} else {
			s->bbm++;
			if (!s->has_gap || e->dur > s->gap_max)
				s->gap_max = e->dur;
			s->has_gap = 1;
		}
	}
	free(bl);
	free(first1);
	free(first2);
	sort_n(ev, ne, sizeof *ev, pm_ev_cmp);
	/* the subflows open at each event: those not failed, from their
	 * first packet to their last */
	uint64_t conc = 0;
	for (size_t i = 0; i < ne; i++) {
		struct pm_event *e = &ev[i];
		if (e->sf && e->sf->usable) {
			{
				if (e->ev == PE_OPEN)
					conc++;
				else
					conc--;
			}
		}
		e->concurrent = conc;
		if (conc > s->max_conc)
			s->max_conc = conc;
	}
	sort_n(s->lat, s->nlat, sizeof *s->lat, i64_cmp);
	*n = ne;
	return ev;
}

/* A duration of the timeline, or "-" */
static void out_pm_dur(struct out *o, int have, int64_t ns)
{
	if (have)
		out_ts(o, ns, pm_digits);
	else
		out_dash(o);
}

/* The median of the n sorted latencies: the middle one, or the mean of
 * the two middle ones (floored to the nanosecond) */
static int64_t pm_median(const int64_t *v, size_t n)
{
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* The MP_TCPRST reasons of the refused joins: "code:count" by code,
 * comma-separated; "-" when none */
static void out_reasons(struct out *o, const struct pm_sum *s)
{
	int any = 0;
	for (int c = 0; c < 256; c++) {
		if (!s->reasons[c])
			continue;
		if (any)
			out_chr(o, ',');
		out_u64(o, (uint64_t)c);
		out_chr(o, ':');
		out_u64(o, s->reasons[c]);
		any = 1;
	}
	if (!any)
		out_dash(o);
}

struct pm_row {
	struct fld mpconn;
	const struct pm_sum *s;
};

#define PM_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, r->mpconn)) \
	X(subflows, COUNT, "-", "its subflows in the subflow table", out_u64(o, r->s->subflows)) \
	X(joins, COUNT, "-", "subflows after the initial one", out_u64(o, r->s->joins)) \
	X(joins_refused, COUNT, "-", "joins that carried no data and failed or were reset", out_u64(o, r->s->failed)) \
	X(joins_tcprst, COUNT, "-", "of them reset with an MP_TCPRST", out_u64(o, r->s->tcprst)) \
	X(joins_rst, COUNT, "-", "reset without MP_TCPRST", out_u64(o, r->s->rst)) \
	X(joins_no_synack, COUNT, "-", "failed_no_synack: no SYN/ACK seen", out_u64(o, r->s->no_synack)) \
	X(joins_no_ack, COUNT, "-", "failed_no_ack: the handshake's third ACK not seen", out_u64(o, r->s->no_ack)) \
	X(tcprst_reasons, TEXT, "-", "their MP_TCPRST reason codes, code:count by code, comma-separated", \
	    out_reasons(o, r->s)) \
	X(add_addr, COUNT, "-", "ADD_ADDR announcements (not echoes, not repeats)", out_u64(o, r->s->add_addr)) \
	X(add_addr_joined, COUNT, "-", "announcements a join answered", out_u64(o, r->s->joined)) \
	X(join_latency_min_s, DURATION_S, "s", "the lowest ADD_ADDR to join latency", \
	    out_pm_dur(o, r->s->nlat > 0, r->s->nlat ? r->s->lat[0] : 0)) \
	X(join_latency_median_s, DURATION_S, "s", "the median", \
	    out_pm_dur(o, r->s->nlat > 0, r->s->nlat ? pm_median(r->s->lat, r->s->nlat) : 0)) \
	X(join_latency_max_s, DURATION_S, "s", "the highest", \
	    out_pm_dur(o, r->s->nlat > 0, r->s->nlat ? r->s->lat[r->s->nlat - 1] : 0)) \
	X(rm_addr, COUNT, "-", "REMOVE_ADDR options", out_u64(o, r->s->rm_addr)) \
	X(max_concurrent, COUNT, "-", "the most subflows (neither failed nor refused) open at once", out_u64(o, r->s->max_conc)) \
	X(ended_fin, COUNT, "-", "subflows closed with a FIN", out_u64(o, r->s->ended[0])) \
	X(ended_rst, COUNT, "-", "with a RST without MP_TCPRST", out_u64(o, r->s->ended[1])) \
	X(ended_tcprst, COUNT, "-", "with an MP_TCPRST", out_u64(o, r->s->ended[2])) \
	X(ended_fastclose, COUNT, "-", "with an MP_FASTCLOSE", out_u64(o, r->s->ended[3])) \
	X(ended_none, COUNT, "-", "none of these seen: open when the capture ended, idle, or never answered", \
	    out_u64(o, r->s->ended[4])) \
	X(life_max_s, DURATION_S, "s", "the longest lifetime of those subflows, first to last packet", \
	    out_pm_dur(o, r->s->has_life, r->s->life_max)) \
	X(handovers, COUNT, "-", "subflows that broke while another carried data on", out_u64(o, r->s->ho)) \
	X(handovers_mbb, COUNT, "-", "make-before-break: the successor carried data before the break", \
	    out_u64(o, r->s->mbb)) \
	X(handovers_bbm, COUNT, "-", "break-before-make: its first data after the break", out_u64(o, r->s->bbm)) \
	X(bbm_gap_max_s, DURATION_S, "s", "the longest break-before-make gap", \
	    out_pm_dur(o, r->s->has_gap, r->s->gap_max))

static const struct column pm_cols[] = { PM_COLUMNS(COL_ROW) };

#define PMEVENTS_COLUMNS(X) \
	X(mpconn, ID, "-", "the MPTCP connection", out_fld(o, mpconn)) \
	X(ts, TS, "s", "the time of the event", out_ts(o, r->ts, pm_digits)) \
	X(event, TEXT, "-", "add_addr, rm_addr, open, handover or end", out_str(o, pm_ev_name[r->ev])) \
	X(subflow, ID, "-", "the subflow: opened, ended, broken, or that carried the option", \
	    out_u64(o, r->subflow)) \
	X(peer, ID, "-", "add_addr: the join that answered it; handover: the successor", \
	    out_opt_u64(o, r->has_peer, r->peer)) \
	X(what, TEXT, "-", "add_addr, rm_addr: the sender (c2s: the client); open: the status; " \
	    "end: how it ended; handover: mbb or bbm", out_str(o, r->what)) \
	X(addr, ADDR, "-", "add_addr: the address announced; open, end: the subflow's destination", \
	    out_str(o, r->addr)) \
	X(port, PORT, "-", "with it, the port", out_str(o, r->port)) \
	X(addr_id, ID, "-", "add_addr, rm_addr: the address id", out_str(o, r->addr_id)) \
	X(reason, TEXT, "-", "the MP_TCPRST reason (RFC 8684 3.6) of a failed_tcprst_N status or a tcprst_N end", \
	    out_str(o, r->reason)) \
	X(duration_s, DURATION_S, "s", "add_addr: the latency to its join; open, end: the lifetime; " \
	    "handover: the gap (bbm) or overlap (mbb)", out_pm_dur(o, r->has_dur, r->dur)) \
	X(concurrent, COUNT, "-", "subflows (neither failed nor refused) open after the event", out_u64(o, r->concurrent))

static const struct column pmevents_cols[] = { PMEVENTS_COLUMNS(COL_ROW) };

static void pm_rows(struct out *o, struct fld mpconn, struct mpc *m, enum rec rec)
{
	struct pm_sum *sum = xcalloc(1, sizeof *sum);
	size_t ne;
	struct pm_event *ev = pm_timeline(m, &ne, sum);
	if (rec == R_PM) {
		const struct pm_row row = { mpconn, sum }, *r = &row;
		int sep = 0;
		PM_COLUMNS(COL_EMIT)
		out_nl(o);
	} else {
		for (size_t i = 0; i < ne; i++) {
			const struct pm_event *r = &ev[i];
			int sep = 0;
			PMEVENTS_COLUMNS(COL_EMIT)
			out_nl(o);
		}
	}
	free(ev);
	free(sum->lat);
	free(sum);
}

static void read_pm_conns(struct tsv *t, enum rec rec)
{
	int cm = need(t, "mpconn", "mptcp-metrics");
	while (tsv_next(t)) {
		struct mpc *m = map_put(&mp_map, t->f[cm].p, t->f[cm].n);
		pm_rows(&out_stdout, field(t, cm), m, rec);
	}
}

/* ---- the ack and when records: per ACK its size (the subflows' TCP
 * ACKs beside the DATA_ACKs of the same MPTCP connections), per
 * retransmission and reinjection its place in its connection's life */

/* A TCP connection (of -s or -t) or an MPTCP one (of -m) as these two
 * records need it. Times in nanoseconds. */
struct evc {
	const char *key;  /* first: map_put */
	char *mpconn;     /* a subflow of -s: its MPTCP connection, else NULL */
	int role_server;  /* that subflow was opened by the MPTCP server */
	int has_span;     /* a row of -t or -m gave its start and duration */
	int64_t start, dur;
};
static struct map ev_tcp, ev_mp;

/* The subflows of -s: which TCP connection is which MPTCP one's. */
static void ev_subflows(struct tsv *t)
{
	const char *by = "mptcp-metrics -s";
	int cm = need(t, "mpconn", by), cc = need(t, "conn", by), cr = need(t, "role", by);
	while (tsv_next(t)) {
		if (tsv_dash(t, cc))
			continue; /* only in mptcp-join's table: no TCP connection */
		struct evc *c = map_put(&ev_tcp, t->f[cc].p, t->f[cc].n);
		free(c->mpconn);
		c->mpconn = dup_fld(field(t, cm));
		c->role_server = tsv_eq(t, cr, "server");
	}
}

/* The connections of -t (conn, first_ts) or -m (mpconn, start_ts): their
 * start and duration, to place events in. */
static void ev_spans(struct tsv *t, struct map *m, const char *id, const char *start, const char *by)
{
	int ci = need(t, id, by), cs = need(t, start, by), cd = need(t, "duration_s", by);
	while (tsv_next(t)) {
		struct evc *c = map_put(m, t->f[ci].p, t->f[ci].n);
		c->has_span = 1;
		c->start = pm_ts(t, cs);
		c->dur = pm_ts(t, cd);
	}
}

/* The connection a TCP connection's event counts in: its MPTCP connection
 * for a subflow (*dir turned into the MPTCP direction), else itself. */
static const struct evc *ev_owner(const struct tsv *t, int col, int *dir, struct fld *id, const char **level)
{
	const struct evc *c = map_get(&ev_tcp, t->f[col].p, t->f[col].n);
	if (c && c->mpconn) {
		*dir = tcp_dir(c->role_server, *dir);
		*id = (struct fld){ c->mpconn, (uint32_t)strlen(c->mpconn) };
		*level = "mptcp";
		return map_get(&ev_mp, c->mpconn, strlen(c->mpconn));
	}
	*id = field(t, col);
	*level = "tcp";
	return c;
}

struct ack_row {
	const char *level;
	struct fld id, bytes;
	int dir;
};

#define ACK_COLUMNS(X) \
	X(level, TEXT, "-", "subflow: a TCP ACK (-A) on a subflow of -s; data_ack: a DATA_ACK (-D); " \
	    "tcp: a TCP ACK on another connection", out_str(o, r->level)) \
	X(id, ID, "-", "the MPTCP connection (subflow, data_ack) or the TCP connection (tcp)", out_fld(o, r->id)) \
	X(dir, TEXT, "-", "the direction of the data acknowledged; the MPTCP connection's for subflow and data_ack", \
	    out_str(o, dir_name[r->dir])) \
	X(bytes, COUNT, "bytes", "bytes the ACK newly acknowledged, above 0", out_fld(o, r->bytes))

static const struct column ack_cols[] = { ACK_COLUMNS(COL_ROW) };

static void write_ack(struct out *o, const struct ack_row *r)
{
	int sep = 0;
	ACK_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* An ACK of bytes (column cb); none, "-" (a first DATA_ACK) or 0: no row. */
static int ack_bytes(const struct tsv *t, int cb)
{
	return count0(t, cb) > 0;
}

static void ack_tcp_rows(struct tsv *t)
{
	const char *by = "tcp-metrics -e ack";
	int cc = need(t, "conn", by), cd = need(t, "dir", by), cb = need(t, "acked_bytes", by);
	while (tsv_next(t)) {
		struct ack_row r = { "", { NULL, 0 }, field(t, cb), field_dir(t, cd) };
		if (!ack_bytes(t, cb))
			continue;
		(void)ev_owner(t, cc, &r.dir, &r.id, &r.level);
		if (r.level[0] == 'm')
			r.level = "subflow";
		write_ack(&out_stdout, &r);
	}
}

static void ack_dack_rows(struct tsv *t)
{
	const char *by = "mptcp-metrics -e dack";
	int cm = need(t, "mpconn", by), cd = need(t, "dir", by), cb = need(t, "bytes", by);
	while (tsv_next(t)) {
		struct ack_row r = { "data_ack", field(t, cm), field(t, cb), field_dir(t, cd) };
		if (ack_bytes(t, cb))
			write_ack(&out_stdout, &r);
	}
}

struct when_row {
	const char *level, *kind;
	struct fld id, class, bytes, ts_txt;
	int dir;
	int64_t ts;
	const struct evc *c; /* the connection it is placed in, or NULL */
};

/* The event's time since its connection's start over the duration, 6
 * decimals; "-" when the connection is unknown or lasted 0. */
static void out_when_frac(struct out *o, const struct when_row *r)
{
	if (r->c && r->c->has_span && r->c->dur > 0)
		out_double_exact(o, (double)(r->ts - r->c->start) / (double)r->c->dur, 6);
	else
		out_dash(o);
}

#define WHEN_COLUMNS(X) \
	X(level, TEXT, "-", "mptcp: placed in an MPTCP connection of -m (its subflows' retransmissions too); " \
	    "tcp: in a TCP connection of -t", out_str(o, r->level)) \
	X(id, ID, "-", "that connection: mpconn or conn", out_fld(o, r->id)) \
	X(kind, TEXT, "-", "rexmit: a TCP retransmission (-X: payload sent before); reinject: an MPTCP reinjection (-J)", \
	    out_str(o, r->kind)) \
	X(class, TEXT, "-", "rexmit: tcp-metrics' class; reinject: mptcp-metrics' cause", out_fld(o, r->class)) \
	X(dir, TEXT, "-", "the direction of the data; the MPTCP connection's for level mptcp", \
	    out_str(o, dir_name[r->dir])) \
	X(ts, TS, "s", "when it was sent", out_fld(o, r->ts_txt)) \
	X(bytes, COUNT, "bytes", "rexmit: its payload bytes sent before; reinject: its length", out_fld(o, r->bytes)) \
	X(at_s, DURATION_S, "s", "since the connection's start (- when the connection is not in -t or -m)", \
	    out_pm_dur(o, r->c && r->c->has_span, r->c ? r->ts - r->c->start : 0)) \
	X(at_frac, FRAC, "-", "at_s over the connection's duration (- when that is 0 or unknown)", out_when_frac(o, r))

static const struct column when_cols[] = { WHEN_COLUMNS(COL_ROW) };

static void write_when(struct out *o, const struct when_row *r)
{
	int sep = 0;
	WHEN_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* The retransmissions of -X: segments whose payload was sent before. */
static void when_rexmit_rows(struct tsv *t)
{
	const char *by = "tcp-metrics -e rexmit";
	int cc = need(t, "conn", by), cd = need(t, "dir", by), ct = need(t, "ts", by);
	int ck = need(t, "class", by), cb = need(t, "bytes", by);
	while (tsv_next(t)) {
		if (count0(t, cb) == 0)
			continue;
		struct when_row r = { "", "rexmit", { NULL, 0 }, field(t, ck), field(t, cb), field(t, ct),
			field_dir(t, cd), pm_ts(t, ct), NULL };
		r.c = ev_owner(t, cc, &r.dir, &r.id, &r.level);
		write_when(&out_stdout, &r);
	}
}

static void when_reinject_rows(struct tsv *t)
{
	const char *by = "mptcp-metrics -e reinject";
	int cm = need(t, "mpconn", by), cd = need(t, "dir", by), ct = need(t, "ts", by);
	int ck = need(t, "cause", by), cl = need(t, "len", by);
	while (tsv_next(t)) {
		check_count(t, cl);
		struct when_row r = { "mptcp", "reinject", field(t, cm), field(t, ck), field(t, cl), field(t, ct),
			field_dir(t, cd), pm_ts(t, ct), map_get(&ev_mp, t->f[cm].p, t->f[cm].n) };
		write_when(&out_stdout, &r);
	}
}

/* The ack and when records: the subflows first (which connection is
 * whose), then the spans, then the events in the order of the options. */
static void run_events(enum rec rec, const struct opts *op)
{
	struct tsv t;
	if (open_table(&t, op->sf)) {
		ev_subflows(&t);
		tsv_close(&t);
	}
	if (rec == R_ACK) {
		if (open_table(&t, op->acks)) {
			ack_tcp_rows(&t);
			tsv_close(&t);
		}
		if (open_table(&t, op->dacks)) {
			ack_dack_rows(&t);
			tsv_close(&t);
		}
		return;
	}
	if (open_table(&t, op->tcp)) {
		ev_spans(&t, &ev_tcp, "conn", "first_ts", "tcp-metrics");
		tsv_close(&t);
	}
	if (open_table(&t, op->mp)) {
		ev_spans(&t, &ev_mp, "mpconn", "start_ts", "mptcp-metrics");
		tsv_close(&t);
	}
	if (open_table(&t, op->rexmits)) {
		when_rexmit_rows(&t);
		tsv_close(&t);
	}
	if (open_table(&t, op->reinj)) {
		when_reinject_rows(&t);
		tsv_close(&t);
	}
}

/* ---- the records, their names and definitions */

static const struct {
	const char *name;
	struct record_def def;
} records[] = {
	[R_CONN] = { "conn", { 1, { COL_PART(conn_cols, 0) } } },
	[R_MPTCP] = { "mptcp", { 1, { COL_PART(mptcp_cols, 0) } } },
	[R_SUBFLOW] = { "subflow", { 1, { COL_PART(subflow_cols, 0) } } },
	[R_BURST] = { "burst", { 1, { COL_PART(burst_cols, 0) } } },
	[R_SHARE] = { "share", { 1, { COL_PART(share_cols, 0) } } },
	[R_DEFAULT] = { "default", { 1, { COL_PART(default_cols, 0) } } },
	[R_SHARE_DIR] = { "share_dir", { 1, { COL_PART(share_dir_cols, 0) } } },
	[R_SFRTT] = { "sfrtt", { 1, { COL_PART(sfrtt_cols, 0) } } },
	[R_RTT] = { "rtt", { 1, { COL_PART(rtt_cols, 0) } } },
	[R_OVERHEAD] = { "overhead", { 1, { COL_PART(overhead_cols, 0) } } },
	[R_SIZE] = { "size", { 1, { COL_PART(size_cols, 0) } } },
	[R_PM] = { "pm", { 1, { COL_PART(pm_cols, 0) } } },
	[R_PMEVENTS] = { "pmevents", { 1, { COL_PART(pmevents_cols, 0) } } },
	[R_SOCKS] = { "socks", { 1, { COL_PART(socks_cols, 0) } } },
	[R_ACK] = { "ack", { 1, { COL_PART(ack_cols, 0) } } },
	[R_WHEN] = { "when", { 1, { COL_PART(when_cols, 0) } } },
	[R_BURSTSIZE] = { "burstsize", { 1, { COL_PART(burstsize_cols, 0) } } },
	[R_UNUSED] = { "unused", { 1, { COL_PART(unused_cols, 0) } } },
};
#define NREC (sizeof records / sizeof *records)

static enum rec rec_by_name(const char *s)
{
	for (size_t i = 0; i < NREC; i++)
		if (strcmp(s, records[i].name) == 0)
			return (enum rec)i;
	errx(2, "-r: conn, mptcp, subflow, burst, share, default, share_dir, sfrtt, rtt, overhead, size, pm, "
	    "pmevents, socks, ack, when, burstsize or unused, not '%s'", s);
}

static int dir_by_name(const char *opt, const char *s, int both)
{
	if (strcmp(s, "c2s") == 0)
		return C2S;
	if (strcmp(s, "s2c") == 0)
		return S2C;
	if (both && strcmp(s, "both") == 0)
		return 2;
	errx(2, "%s: c2s%s, not '%s'", opt, both ? ", s2c or both" : " or s2c", s);
}

/* Reads the tables the record needs, in the order the sums need them
 * (TCP RTTs, then subflows, then MPTCP connections), and writes it. */
static void run(enum rec rec, const struct opts *op)
{
	struct tsv t;
	record_header(&out_stdout, &records[rec].def);
	if (rec == R_ACK || rec == R_WHEN) {
		run_events(rec, op);
		return;
	}
	if (rec == R_PM || rec == R_PMEVENTS) {
		if (open_table(&t, op->sf)) {
			read_pm_subflows(&t);
			tsv_close(&t);
		}
		if (open_table(&t, op->addr)) {
			read_pm_addr(&t);
			tsv_close(&t);
		}
		if (open_table(&t, op->mp)) {
			read_pm_conns(&t, rec);
			tsv_close(&t);
		}
		return;
	}
	if (rec == R_CONN) {
		if (open_table(&t, op->tcp)) {
			conn_rows(&t, "tcp", "conn", "tcp-metrics");
			tsv_close(&t);
		}
		if (open_table(&t, op->mp)) {
			conn_rows(&t, "mptcp", "mpconn", "mptcp-metrics");
			tsv_close(&t);
		}
		return;
	}
	if (rec == R_SOCKS) {
		if (open_table(&t, op->tcp)) {
			socks_tcp(&t);
			tsv_close(&t);
		}
		if (open_table(&t, op->socks)) {
			socks_rows(&t);
			tsv_close(&t);
		}
		return;
	}
	if (rec == R_BURSTSIZE) {
		if (open_table(&t, op->mp)) {
			read_mp_sizes(&t);
			tsv_close(&t);
		}
		if (open_table(&t, op->bursts)) {
			burstsize_rows(&t);
			tsv_close(&t);
		}
		return;
	}
	/* the burst events before the subflows (the unused record's last
	 * burst) and the connections (the burst record's sums) */
	if ((rec == R_BURST || rec == R_UNUSED) && open_table(&t, op->bursts)) {
		read_burst_sums(&t);
		tsv_close(&t);
	}
	/* size: the TCP connections of -t first, as conn */
	if (rec == R_SIZE && open_table(&t, op->tcp)) {
		size_tcp_rows(&t);
		tsv_close(&t);
	}
	/* the RTTs only where a record has them */
	if ((rec == R_MPTCP || rec == R_SUBFLOW || rec == R_SHARE_DIR || rec == R_SFRTT || rec == R_RTT ||
	    rec == R_UNUSED) &&
	    open_table(&t, op->tcp)) {
		read_tcp(&t, rec == R_SHARE_DIR);
		tsv_close(&t);
	}
	if (open_table(&t, op->sf)) {
		read_subflows(&t, op, rec);
		tsv_close(&t);
	}
	if (rec == R_SHARE) {
		write_shares(&out_stdout);
	} else if (rec != R_SUBFLOW && rec != R_SFRTT && open_table(&t, op->mp)) {
		read_mptcp(&t, rec, op->bursts != NULL);
		tsv_close(&t);
	}
}

int main(int argc, char *argv[])
{
	struct opts op = { .rdir = S2C, .bdir = 2 };
	int schema = 0, ch;

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:D:J:X:a:b:d:e:hk:m:r:s:t:", schema_longopts)) != -1) {
		switch (ch) {
		case 'A': op.acks = optarg; break;
		case 'D': op.dacks = optarg; break;
		case 'J': op.reinj = optarg; break;
		case 'X': op.rexmits = optarg; break;
		case 'a': op.addr = optarg; break;
		case 'b': op.bdir = dir_by_name("-b", optarg, 1); break;
		case 'd': op.rdir = dir_by_name("-d", optarg, 0); break;
		case 'e': op.bursts = optarg; break;
		case 'k': op.socks = optarg; break;
		case 'm': op.mp = optarg; break;
		case 'r': op.rec = optarg; break;
		case 's': op.sf = optarg; break;
		case 't': op.tcp = optarg; break;
		case OPT_SCHEMA: schema = 1; break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	if (optind != argc || !op.rec)
		usage(2);
	enum rec rec = rec_by_name(op.rec);
	if (schema) {
		record_schema(&out_stdout, &records[rec].def);
		out_close(&out_stdout);
		return 0;
	}
	map_init(&tcp_map, sizeof(struct tcpc));
	map_init(&mp_map, sizeof(struct mpc));
	map_init(&sock_map, sizeof(struct sockc));
	map_init(&ev_tcp, sizeof(struct evc));
	map_init(&ev_mp, sizeof(struct evc));
	run(rec, &op);
	out_close(&out_stdout);
	return 0;
}
