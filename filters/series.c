/* series: per-connection time series of an analysed capture, from the
 * tables analyze wrote (mptcp_conns, mptcp_subflows with ifmatch's iface,
 * mptcp_dack, tcp_ack, tcp_rtt; tcp-metrics -e inflight for in-flight
 * bytes): goodput per MPTCP connection (bytes newly DATA_ACKed) and per
 * subflow (bytes newly acknowledged at the TCP level), RTT and in-flight
 * bytes per subflow, in bins of -w seconds from the connection's start;
 * with -t the same per TCP connection of tcp_conns.tsv (captures without
 * MPTCP); and -r trace, the whole capture's TCP-acknowledged bytes per
 * interface and their running sum (seq_together.py's view).
 * The event tables are read once, in their order; each series keeps one
 * open bin and writes it when an event falls in a later one, so memory
 * grows with the connections and subflows, not with the events. See
 * series(1). */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "columns.h"
#include "hash.h"
#include "out.h"
#include "tsv.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: series [-ht] [-r goodput|rtt|inflight|trace] [-c conn] [-d c2s|s2c] [-w seconds]\n"
	    "              [-M mptcp_conns] [-S mptcp_subflows] [-T tcp_conns] [-D mptcp_dack]\n"
	    "              [-A tcp_ack] [-R tcp_rtt] [-I inflight] [--capture name] [folder]\n"
	    "       series [-t] [-r record] --schema\n");
	exit(status);
}

enum { C2S, S2C };

/* At most this many bins per connection (its end_ts - start_ts over the
 * width), so that the output stays bounded whatever -w asks. */
#define SERIES_BINS_MAX 1000000
static const char *const dir_name[2] = { "c2s", "s2c" };

/* ---- one series' open bin */

struct bin {
	int open;
	int64_t k;        /* the bin's index from the connection's start */
	uint64_t n;       /* events in it */
	uint64_t sum;     /* bytes (goodput), RTT in microseconds (rtt) */
	uint64_t min, max, last;
};

/* An MPTCP connection of mptcp_conns; with -t, a TCP connection's span. */
struct mpc {
	uint64_t id;
	int64_t start, end; /* ns since the epoch */
	struct bin b[2];    /* the connection's goodput per direction */
};

/* A subflow of mptcp_subflows, keyed by its TCP connection; with -t and
 * -r trace, a TCP connection of tcp_conns. */
struct sf {
	uint64_t conn;
	struct mpc *m;
	uint64_t subflow;
	int server_opened;  /* its TCP directions are the MPTCP ones reversed */
	char *iface;
	struct bin b[2];    /* per MPTCP direction */
	int ifc;            /* -r trace: its interface class (enum ifc) */
	int acked[2];       /* -r trace: bytes acknowledged in that direction yet */
};

/* ---- tables keyed by a 64-bit id (keyed hash: the ids come from the
 * input); the values also in order of first appearance, which is the
 * order series end in, so no output depends on the hash */

struct idmap {
	uint64_t *key;
	void **val;
	size_t cap, n;
	void **order;
};

static size_t idmap_slot(const struct idmap *m, uint64_t k)
{
	size_t i = (size_t)hash_u64(k) & (m->cap - 1);
	while (m->val[i] && m->key[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *idmap_get(const struct idmap *m, uint64_t k)
{
	return m->cap ? m->val[idmap_slot(m, k)] : NULL;
}

static void idmap_put(struct idmap *m, uint64_t k, void *v)
{
	if (2 * (m->n + 1) > m->cap) {
		struct idmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->key = xcalloc(m->cap, sizeof *m->key);
		m->val = xcalloc(m->cap, sizeof *m->val);
		for (size_t i = 0; i < old.cap; i++)
			if (old.val[i]) {
				size_t j = idmap_slot(m, old.key[i]);
				m->key[j] = old.key[i];
				m->val[j] = old.val[i];
			}
		free(old.key);
		free(old.val);
		m->order = xreallocarray(m->order, m->cap, sizeof *m->order);
	}
	size_t i = idmap_slot(m, k);
	m->key[i] = k;
	m->val[i] = v;
	m->order[m->n++] = v;
}

static struct idmap mp_map, sf_map;

/* ---- options */

enum rec { R_GOODPUT, R_RTT, R_INFLIGHT, R_TRACE };

static struct {
	enum rec rec;
	int tcp;            /* -t: per TCP connection of tcp_conns.tsv */
	int only_conn;
	uint64_t conn;
	int dir;            /* C2S, S2C, or -1 for both */
	int64_t w;          /* bin width, ns */
	int digits;         /* of the timestamps written: 6, or 9 */
} op = { R_GOODPUT, 0, 0, 0, -1, 100000000, 6 };

/* ---- the records */

struct row {
	const struct mpc *m;
	const struct sf *s;   /* NULL: the connection's row */
	int dir;
	const struct bin *b;
};

static void out_bin_ts(struct out *o, const struct row *r)
{
	out_ts(o, r->m->start + r->b->k * op.w, op.digits);
}

static void out_bin_t(struct out *o, const struct row *r)
{
	out_ts(o, r->b->k * op.w, op.digits);
}

/* bytes per bin as Mbit/s, 6 decimals, rounded half up from the exact
 * quotient (bytes * 8000 / width in ns) */
static void out_mbit(struct out *o, const struct row *r)
{
	unsigned __int128 q = ((unsigned __int128)r->b->sum * 8000000000u + (uint64_t)op.w / 2) /
	    (uint64_t)op.w;
	out_fixed(o, (int64_t)(q / 1000000), (uint64_t)(q % 1000000), 6);
}

/* microseconds as milliseconds, 3 decimals */
static void out_us_ms(struct out *o, uint64_t us)
{
	out_fixed(o, (int64_t)(us / 1000), us % 1000, 3);
}

/* the mean of the bin's samples, rounded to the microsecond */
static void out_mean_ms(struct out *o, const struct bin *b)
{
	out_us_ms(o, (b->sum + b->n / 2) / b->n);
}

#define SERIES_HEAD(X) \
	X(mpconn, ID, "-", "the MPTCP connection (mptcp_conns.tsv)", out_u64(o, r->m->id)) \
	X(dir, TEXT, "-", "the MPTCP direction of the data, c2s or s2c", out_str(o, dir_name[r->dir])) \
	X(subflow, ID, "-", "the subflow (mptcp_subflows.tsv), - for the connection's own row", \
	    if (r->s) out_u64(o, r->s->subflow); else out_dash(o)) \
	X(iface, TEXT, "-", "the subflow's interface (ifmatch: wifi, cellular, ?), - for the connection", \
	    if (r->s) out_text(o, r->s->iface); else out_dash(o))

/* -t: a TCP connection's series */
#define TCP_HEAD(X) \
	X(conn, ID, "-", "the TCP connection (tcp_conns.tsv)", out_u64(o, r->s->conn)) \
	X(dir, TEXT, "-", "the TCP direction of the data, c2s or s2c", out_str(o, dir_name[r->dir])) \
	X(iface, TEXT, "-", "the connection's interface (ifmatch: wifi, cellular, ?)", out_text(o, r->s->iface))

#define SERIES_BIN(X) \
	X(t_s, DURATION_S, "s", "start of the bin, from the connection's start_ts (-t: first_ts)", out_bin_t(o, r)) \
	X(ts, TS, "s", "start of the bin, seconds since the epoch", out_bin_ts(o, r))

#define GOODPUT_LEVEL(X) \
	X(level, TEXT, "-", "mptcp: DATA_ACKed bytes (mptcp_dack.tsv); tcp: TCP-acknowledged bytes of the subflow (tcp_ack.tsv)", \
	    out_str(o, r->s ? "tcp" : "mptcp"))

#define GOODPUT_COLUMNS(X) \
	X(bytes, COUNT, "bytes", "bytes newly acknowledged in the bin", out_u64(o, r->b->sum)) \
	X(mbit_s, REAL, "Mbit/s", "bytes * 8 / the bin width / 10^6", out_mbit(o, r))

/* the subflow's TCP connection, in the rtt and inflight records */
#define SF_CONN(X) \
	X(conn, ID, "-", "the subflow's TCP connection (tcp_conns.tsv)", out_u64(o, r->s->conn))

#define RTT_COLUMNS(X) \
	X(n, COUNT, "samples", "RTT samples in the bin (tcp_rtt.tsv)", out_u64(o, r->b->n)) \
	X(min_ms, MS, "ms", "the lowest", out_us_ms(o, r->b->min)) \
	X(mean_ms, MS, "ms", "their mean", out_mean_ms(o, r->b)) \
	X(max_ms, MS, "ms", "the highest", out_us_ms(o, r->b->max))

#define INFLIGHT_COLUMNS(X) \
	X(n, COUNT, "-", "changes of the in-flight bytes in the bin (tcp-metrics -e inflight)", out_u64(o, r->b->n)) \
	X(max_bytes, COUNT, "bytes", "the highest in-flight value set in the bin", out_u64(o, r->b->max)) \
	X(last_bytes, COUNT, "bytes", "the value at the end of the bin", out_u64(o, r->b->last))

static const struct column head_cols[] = { SERIES_HEAD(COL_ROW) };
static const struct column tcp_head_cols[] = { TCP_HEAD(COL_ROW) };
static const struct column bin_cols[] = { SERIES_BIN(COL_ROW) };
static const struct column level_cols[] = { GOODPUT_LEVEL(COL_ROW) };
static const struct column goodput_cols[] = { GOODPUT_COLUMNS(COL_ROW) };
static const struct column sfconn_cols[] = { SF_CONN(COL_ROW) };
static const struct column rtt_cols[] = { RTT_COLUMNS(COL_ROW) };
static const struct column inflight_cols[] = { INFLIGHT_COLUMNS(COL_ROW) };

/* ---- the trace record: the whole capture per direction and interface */

/* ifmatch's labels; a row per label some connection has */
enum ifc { IF_WIFI, IF_CELL, IF_UNKNOWN, IF_N };
static const char *const ifc_name[IF_N] = { "wifi", "cellular", "?" };

struct trow {
	int dir, ifc;
	int64_t k;                 /* the bin, from the capture's start */
	uint64_t bytes, cum, conns;
};

static struct {
	int64_t start, end;        /* the capture's first first_ts, last last_ts */
	int present[IF_N];         /* interfaces of tcp_conns.tsv's connections */
	struct trow cur[2][IF_N];  /* per direction, the open bin's rows */
	int started[2];            /* the direction has acknowledged bytes */
} tr;

static void out_trace_t(struct out *o, const struct trow *r)
{
	out_ts(o, r->k * op.w, op.digits);
}

static void out_trace_ts(struct out *o, const struct trow *r)
{
	out_ts(o, tr.start + r->k * op.w, op.digits);
}

#define TRACE_COLUMNS(X) \
	X(dir, TEXT, "-", "direction of the data: a subflow's MPTCP direction (reversed on one the server opened), else the TCP one", \
	    out_str(o, dir_name[r->dir])) \
	X(iface, TEXT, "-", "interface of the connections (ifmatch: wifi, cellular, ?)", out_str(o, ifc_name[r->ifc])) \
	X(t_s, DURATION_S, "s", "start of the bin, from the capture's first connection's first_ts", out_trace_t(o, r)) \
	X(ts, TS, "s", "start of the bin, seconds since the epoch", out_trace_ts(o, r)) \
	X(bytes, COUNT, "bytes", "bytes newly acknowledged at the TCP level in the bin (tcp_ack.tsv)", out_u64(o, r->bytes)) \
	X(cum_bytes, COUNT, "bytes", "bytes acknowledged from the capture's start to the bin's end", out_u64(o, r->cum)) \
	X(conns, COUNT, "-", "connections of the interface with bytes acknowledged in the direction by the bin's end", \
	    out_u64(o, r->conns))

static const struct column trace_cols[] = { TRACE_COLUMNS(COL_ROW) };

static const char *const rec_name[] = { "goodput", "rtt", "inflight", "trace" };

/* [record][-t] */
static const struct record_def records[][2] = {
	[R_GOODPUT] = {
	    { 4, { COL_PART(head_cols, 0), COL_PART(bin_cols, 0), COL_PART(level_cols, 0), COL_PART(goodput_cols, 0) } },
	    { 3, { COL_PART(tcp_head_cols, 0), COL_PART(bin_cols, 0), COL_PART(goodput_cols, 0) } } },
	[R_RTT] = {
	    { 4, { COL_PART(head_cols, 0), COL_PART(sfconn_cols, 0), COL_PART(rtt_cols, 0), COL_PART(bin_cols, 0) } },
	    { 3, { COL_PART(tcp_head_cols, 0), COL_PART(rtt_cols, 0), COL_PART(bin_cols, 0) } } },
	[R_INFLIGHT] = {
	    { 4, { COL_PART(head_cols, 0), COL_PART(sfconn_cols, 0), COL_PART(inflight_cols, 0), COL_PART(bin_cols, 0) } },
	    { 3, { COL_PART(tcp_head_cols, 0), COL_PART(inflight_cols, 0), COL_PART(bin_cols, 0) } } },
	[R_TRACE] = {
	    { 1, { COL_PART(trace_cols, 0) } },
	    { 1, { COL_PART(trace_cols, 0) } } },
};

/* The rtt and inflight records put the conn column before the bin's,
 * as the tables they come from have it after the subflow's labels. */
static void write_row(struct out *o, const struct row *r)
{
	int sep = 0;
	if (op.tcp) {
		TCP_HEAD(COL_EMIT)
	} else {
		SERIES_HEAD(COL_EMIT)
	}
	switch (op.rec) {
	case R_GOODPUT:
		SERIES_BIN(COL_EMIT)
		if (!op.tcp) {
			GOODPUT_LEVEL(COL_EMIT)
		}
		GOODPUT_COLUMNS(COL_EMIT)
		break;
	case R_RTT:
		if (!op.tcp) {
			SF_CONN(COL_EMIT)
		}
		RTT_COLUMNS(COL_EMIT)
		SERIES_BIN(COL_EMIT)
		break;
	case R_INFLIGHT:
		if (!op.tcp) {
			SF_CONN(COL_EMIT)
		}
		INFLIGHT_COLUMNS(COL_EMIT)
		SERIES_BIN(COL_EMIT)
		break;
	case R_TRACE:
		break;
	}
	out_nl(o);
}

static void write_trace_row(struct out *o, const struct trow *r)
{
	int sep = 0;
	TRACE_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* ---- bins */

/* Events of a series earlier than its open bin (timestamps that went
 * back in the capture): counted in the open bin, and said at the end. */
static uint64_t backwards;

static void flush(const struct mpc *m, const struct sf *s, int dir, struct bin *b)
{
	struct row r = { m, s, dir, b };
	write_row(&out_stdout, &r);
}

/* Goodput bins between two with bytes are written, with 0 bytes, so the
 * series is one row per bin from its first event to its last. */
static void flush_upto(const struct mpc *m, const struct sf *s, int dir, struct bin *b, int64_t k)
{
	flush(m, s, dir, b);
	if (op.rec != R_GOODPUT)
		return;
	struct bin z = { 1, 0, 0, 0, 0, 0, 0 };
	for (z.k = b->k + 1; z.k < k; z.k++)
		flush(m, s, dir, &z);
}

/* Event ts (ns) of value v into the series (m, s, dir) with bin b. The
 * event must lie within the connection's span, which bounds the bins. */
static void add(const struct tsv *t, int tscol, const struct mpc *m, const struct sf *s, int dir,
    struct bin *b, int64_t ts, uint64_t v)
{
	if (ts < m->start || ts > m->end)
		errx(1, "%s:%llu: column '%s': outside %s connection %llu's %s (%s)", t->path,
		    (unsigned long long)t->line, t->names[tscol], op.tcp ? "TCP" : "MPTCP",
		    (unsigned long long)m->id, op.tcp ? "first_ts..last_ts" : "start_ts..end_ts",
		    op.tcp ? "tcp_conns.tsv" : "mptcp_conns.tsv");
	int64_t k = (ts - m->start) / op.w;
	if (b->open && k < b->k) {
		backwards++;
		k = b->k;
	}
	if (b->open && k > b->k) {
		flush_upto(m, s, dir, b, k);
		b->open = 0;
	}
	if (!b->open) {
		*b = (struct bin){ 1, k, 0, 0, v, v, v };
	}
	b->n++;
	b->sum += v;
	if (v < b->min)
		b->min = v;
	if (v > b->max)
		b->max = v;
	b->last = v;
}

/* ---- reading */

/* A column the record needs, or an error naming the file, the header
 * line and the tool that makes the column. */
static int need(const struct tsv *t, const char *name, const char *producer)
{
	int c = tsv_col(t, name);
	if (c < 0)
		errx(1, "%s:1: no column '%s' (made by %s)", t->path, name, producer);
	return c;
}

/* Opens a table the record needs: the option's file, else FILE in the
 * folder; a missing or empty one is an error saying which. */
static void open_need(struct tsv *t, const char *path, const char *dirpath, const char *file,
    const char *opt, const char *producer)
{
	static char buf[4096];
	if (!path) {
		if (!dirpath)
			errx(2, "no %s table: give the capture's folder or %s", file, opt);
		size_t n = strlen(dirpath);
		if ((size_t)snprintf(buf, sizeof buf, "%s%s%s", dirpath,
		    n && dirpath[n - 1] == '/' ? "" : "/", file) >= sizeof buf)
			errx(2, "%s: path too long", dirpath);
		path = buf;
	}
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) != 0)
		err(1, "%s (%s, made by %s)", path, file, producer);
	tsv_open(t, path);
	if (t->ncols == 0)
		errx(1, "%s:1: empty, no header (%s, made by %s)", t->path, file, producer);
}

static int dir_of(const struct tsv *t, int col)
{
	if (tsv_eq(t, col, "c2s"))
		return C2S;
	if (tsv_eq(t, col, "s2c"))
		return S2C;
	tsv_bad(t, col, "expected c2s or s2c, got");
}

/* A decimal number of seconds (or of milliseconds) with up to 9
 * decimals, as integer nano-units; tsv_ts reads it exactly. */
static int64_t fixed9(const struct tsv *t, int col, uint8_t *digits)
{
	int64_t sec;
	uint32_t nsec;
	tsv_ts(t, col, &sec, &nsec, digits);
	if (sec > INT64_MAX / 1000000000LL - 1)
		tsv_bad(t, col, "out of range:");
	return sec * 1000000000LL + nsec;
}

static int64_t ts_ns(const struct tsv *t, int col)
{
	uint8_t digits;
	return fixed9(t, col, &digits);
}

/* A connection's timestamp; one of 9 decimals (a nanosecond capture)
 * makes the output's 9 too. */
static int64_t conn_ts_ns(const struct tsv *t, int col)
{
	uint8_t digits;
	int64_t v = fixed9(t, col, &digits);
	if (digits > 6)
		op.digits = 9;
	return v;
}

/* A connection's start and end (columns cs, ce of the row), the end
 * not before the start, and not more bins apart than a series may have:
 * the goodput record writes every one from its first event to its last. */
static void read_span(const struct tsv *t, int cs, int ce, const char *what, uint64_t id,
    int64_t *start, int64_t *end)
{
	*start = conn_ts_ns(t, cs);
	*end = conn_ts_ns(t, ce);
	if (*end < *start)
		tsv_bad(t, ce, "before the start:");
	if ((*end - *start) / op.w >= SERIES_BINS_MAX)
		errx(1, "%s:%llu: %s connection %llu lasts %.6f s: more than %d bins of %.9g s "
		    "(a wider -w, or -c another connection)", t->path, (unsigned long long)t->line,
		    what, (unsigned long long)id, (double)(*end - *start) / 1e9, SERIES_BINS_MAX,
		    (double)op.w / 1e9);
}

static void read_conns(struct tsv *t)
{
	const char *by = "mptcp-metrics";
	int ci = need(t, "mpconn", by), cs = need(t, "start_ts", by), ce = need(t, "end_ts", by);
	while (tsv_next(t)) {
		uint64_t id = tsv_u64(t, ci);
		if (op.only_conn && id != op.conn)
			continue;
		if (idmap_get(&mp_map, id))
			errx(1, "%s:%llu: MPTCP connection %llu a second time", t->path,
			    (unsigned long long)t->line, (unsigned long long)id);
		/* checked before the connection is kept: an error leaves nothing
		 * unreachable (the sanitizers' leak check) */
		int64_t start, end;
		read_span(t, cs, ce, "MPTCP", id, &start, &end);
		struct mpc *m = xcalloc(1, sizeof *m);
		m->id = id;
		m->start = start;
		m->end = end;
		idmap_put(&mp_map, id, m);
	}
	if (op.only_conn && !mp_map.n)
		errx(1, "%s: no MPTCP connection %llu", t->path, (unsigned long long)op.conn);
}

/* The connection of a row's mpconn; NULL when -c leaves it out, an
 * error when mptcp_conns.tsv does not have it. */
static struct mpc *mpc_of(const struct tsv *t, int col)
{
	uint64_t id = tsv_u64(t, col);
	struct mpc *m = idmap_get(&mp_map, id);
	if (!m && !op.only_conn)
		errx(1, "%s:%llu: MPTCP connection %llu is not in mptcp_conns.tsv", t->path,
		    (unsigned long long)t->line, (unsigned long long)id);
	return m;
}

static void read_subflows(struct tsv *t)
{
	const char *by = "mptcp-metrics -s";
	int cm = need(t, "mpconn", by), cs = need(t, "subflow", by), cc = need(t, "conn", by);
	int cr = need(t, "role", by), ci = need(t, "iface", "ifmatch");
	while (tsv_next(t)) {
		struct mpc *m = mpc_of(t, cm);
		if (!m)
			continue;
		uint64_t conn = tsv_u64(t, cc);
		if (idmap_get(&sf_map, conn))
			errx(1, "%s:%llu: TCP connection %llu is a subflow a second time", t->path,
			    (unsigned long long)t->line, (unsigned long long)conn);
		int server = tsv_eq(t, cr, "server");
		if (!server && !tsv_eq(t, cr, "client"))
			tsv_bad(t, cr, "expected client or server, got");
		struct sf *s = xcalloc(1, sizeof *s);
		s->conn = conn;
		s->m = m;
		s->subflow = tsv_u64(t, cs);
		s->server_opened = server;
		s->iface = xcalloc(1, t->f[ci].n + 1);
		memcpy(s->iface, t->f[ci].p, t->f[ci].n);
		idmap_put(&sf_map, conn, s);
	}
}

/* A row's interface label as its class: ifmatch writes only these. */
static int ifc_of(const struct tsv *t, int col)
{
	for (int i = 0; i < IF_N; i++)
		if (tsv_eq(t, col, ifc_name[i]))
			return i;
	tsv_bad(t, col, "expected wifi, cellular or ?, got");
}

/* -t: a TCP connection's own span, its series' bins counted from its start */
static struct mpc *tcp_span(uint64_t id, int64_t start, int64_t end)
{
	struct mpc *m = xcalloc(1, sizeof *m);
	m->id = id;
	m->start = start;
	m->end = end;
	idmap_put(&mp_map, id, m);
	return m;
}

/* -r trace: the capture's span, from its first connection's start to
 * its last one's end, and the interfaces its connections have */
static void widen_capture(int64_t start, int64_t end, int ifc)
{
	if (!sf_map.n || start < tr.start)
		tr.start = start;
	if (!sf_map.n || end > tr.end)
		tr.end = end;
	tr.present[ifc] = 1;
}

/* tcp_conns.tsv: with -t every TCP connection (or -c's) is a series of
 * its own, spanning first_ts..last_ts; for -r trace the connections'
 * interfaces and the capture's span. */
static void read_tcp_conns(struct tsv *t)
{
	const char *by = "tcp-metrics";
	int cc = need(t, "conn", by), cs = need(t, "first_ts", by), ce = need(t, "last_ts", by);
	int ci = need(t, "iface", "ifmatch");
	while (tsv_next(t)) {
		uint64_t id = tsv_u64(t, cc);
		if (op.only_conn && id != op.conn)
			continue;
		if (idmap_get(&sf_map, id))
			errx(1, "%s:%llu: TCP connection %llu a second time", t->path,
			    (unsigned long long)t->line, (unsigned long long)id);
		int ifc = ifc_of(t, ci);
		int64_t start, end;
		if (op.rec == R_TRACE) {
			/* the capture's span bounds the bins, not the connection's */
			start = conn_ts_ns(t, cs);
			end = conn_ts_ns(t, ce);
			if (end < start)
				tsv_bad(t, ce, "before the start:");
		} else {
			read_span(t, cs, ce, "TCP", id, &start, &end);
		}
		struct sf *s = xcalloc(1, sizeof *s);
		s->conn = id;
		s->ifc = ifc;
		s->iface = xcalloc(1, t->f[ci].n + 1);
		memcpy(s->iface, t->f[ci].p, t->f[ci].n);
		if (op.rec == R_TRACE)
			widen_capture(start, end, ifc);
		else
			s->m = tcp_span(id, start, end);
		idmap_put(&sf_map, id, s);
	}
	if (op.only_conn && !sf_map.n)
		errx(1, "%s: no TCP connection %llu", t->path, (unsigned long long)op.conn);
	if (op.rec == R_TRACE && sf_map.n && (tr.end - tr.start) / op.w >= SERIES_BINS_MAX)
		errx(1, "%s: the capture lasts %.6f s: more than %d bins of %.9g s (a wider -w)", t->path,
		    (double)(tr.end - tr.start) / 1e9, SERIES_BINS_MAX, (double)op.w / 1e9);
}

/* -r trace: the subflows the MPTCP server opened, whose TCP directions
 * are the MPTCP ones reversed, from mptcp_subflows.tsv when there is one. */
static void read_subflow_roles(struct tsv *t)
{
	const char *by = "mptcp-metrics -s";
	int cc = need(t, "conn", by), cr = need(t, "role", by);
	while (tsv_next(t)) {
		struct sf *s = idmap_get(&sf_map, tsv_u64(t, cc));
		if (!s)
			errx(1, "%s:%llu: TCP connection %llu is not in tcp_conns.tsv", t->path,
			    (unsigned long long)t->line, (unsigned long long)tsv_u64(t, cc));
		s->server_opened = tsv_eq(t, cr, "server");
		if (!s->server_opened && !tsv_eq(t, cr, "client"))
			tsv_bad(t, cr, "expected client or server, got");
	}
}

/* The open bin of direction d: a row per interface of the capture, then
 * the next bin, empty, its running sums carried on. */
static void trace_next_bin(int d)
{
	for (int i = 0; i < IF_N; i++) {
		struct trow *r = &tr.cur[d][i];
		if (tr.present[i])
			write_trace_row(&out_stdout, r);
		r->k++;
		r->bytes = 0;
	}
}

/* tcp_ack.tsv for -r trace: every connection's acknowledged bytes, in
 * the bin of the acknowledgement; acknowledgements of no new byte are
 * left out, so that a direction's rows end at its last byte. */
static void read_trace_acks(struct tsv *t)
{
	const char *by = "tcp-metrics -e ack";
	int cc = need(t, "conn", by), ct = need(t, "ts", by), cd = need(t, "dir", by);
	int cv = need(t, "acked_bytes", by);
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < IF_N; i++)
			tr.cur[d][i] = (struct trow){ d, i, 0, 0, 0, 0 };
	while (tsv_next(t)) {
		uint64_t conn = tsv_u64(t, cc);
		struct sf *s = idmap_get(&sf_map, conn);
		if (!s)
			errx(1, "%s:%llu: TCP connection %llu is not in tcp_conns.tsv", t->path,
			    (unsigned long long)t->line, (unsigned long long)conn);
		int d = dir_of(t, cd) ^ s->server_opened;
		int64_t ts = ts_ns(t, ct);
		uint64_t v = tsv_u64(t, cv);
		if (ts < tr.start || ts > tr.end)
			errx(1, "%s:%llu: column '%s': outside the capture's connections, first_ts..last_ts "
			    "(tcp_conns.tsv)", t->path, (unsigned long long)t->line, t->names[ct]);
		if (v == 0 || (op.dir >= 0 && d != op.dir))
			continue;
		int64_t k = (ts - tr.start) / op.w;
		struct trow *r = &tr.cur[d][s->ifc];
		if (k < r->k)
			backwards++;
		while (k > tr.cur[d][0].k)
			trace_next_bin(d);
		tr.started[d] = 1;
		r->bytes += v;
		r->cum += v;
		if (!s->acked[d]) {
			s->acked[d] = 1;
			r->conns++;
		}
	}
	for (int d = 0; d < 2; d++)
		if (tr.started[d])
			trace_next_bin(d);
}

/* mptcp_dack.tsv: the connections' goodput. */
static void read_dack(struct tsv *t)
{
	const char *by = "mptcp-metrics -e dack";
	int cm = need(t, "mpconn", by), ct = need(t, "ts", by), cd = need(t, "dir", by);
	int cb = need(t, "bytes", by);
	while (tsv_next(t)) {
		struct mpc *m = mpc_of(t, cm);
		if (!m)
			continue;
		int d = dir_of(t, cd);
		uint64_t v = tsv_u64_or(t, cb, 0);
		int64_t ts = ts_ns(t, ct);
		if (op.dir >= 0 && d != op.dir)
			continue;
		add(t, ct, m, NULL, d, &m->b[d], ts, v);
	}
}

/* An event table of the subflows' TCP connections (tcp_ack, tcp_rtt,
 * tcp-metrics -e inflight): conn, ts, dir (of the data, at the TCP
 * level) and the value's column. TCP connections that are no subflow of
 * a connection asked for are left out. */
static void read_tcp_events(struct tsv *t, const char *vcol, const char *by)
{
	int cc = need(t, "conn", by), ct = need(t, "ts", by), cd = need(t, "dir", by);
	int cv = need(t, vcol, by);
	while (tsv_next(t)) {
		struct sf *s = idmap_get(&sf_map, tsv_u64(t, cc));
		if (!s)
			continue;
		int d = dir_of(t, cd) ^ s->server_opened;
		int64_t ts = ts_ns(t, ct);
		uint64_t v;
		if (op.rec == R_RTT) {
			/* milliseconds with up to 9 decimals, read as a timestamp is
			 * (nano-milliseconds), kept in microseconds */
			uint8_t digits;
			v = (uint64_t)(fixed9(t, cv, &digits) / 1000000);
		} else {
			v = tsv_u64(t, cv);
		}
		if (op.dir >= 0 && d != op.dir)
			continue;
		add(t, ct, s->m, s, d, &s->b[d], ts, v);
	}
}

/* The open bins, in order of the connections, then of the subflows. */
static void flush_all(void)
{
	for (size_t i = 0; i < mp_map.n; i++) {
		struct mpc *m = mp_map.order[i];
		for (int d = 0; d < 2; d++)
			if (m->b[d].open)
				flush(m, NULL, d, &m->b[d]);
	}
	for (size_t i = 0; i < sf_map.n; i++) {
		struct sf *s = sf_map.order[i];
		for (int d = 0; d < 2; d++)
			if (s->b[d].open)
				flush(s->m, s, d, &s->b[d]);
	}
}

struct paths {
	const char *dir, *conns, *subflows, *tcpconns, *dack, *ack, *rtt, *inflight;
};

/* 1 when the folder has FILE (a table a capture without MPTCP lacks) */
static int in_folder(const char *dirpath, const char *file)
{
	char buf[4096];
	struct stat st;
	return dirpath && (size_t)snprintf(buf, sizeof buf, "%s/%s", dirpath, file) < sizeof buf &&
	    stat(buf, &st) == 0;
}

/* The connections the record's series belong to: MPTCP connections and
 * their subflows, or (-t, -r trace) the TCP connections; -r trace also
 * the subflows' roles, when the capture has subflows. */
static void read_connections(const struct paths *p)
{
	struct tsv t;
	if (op.tcp || op.rec == R_TRACE) {
		open_need(&t, p->tcpconns, p->dir, "tcp_conns.tsv", "-T", "tcp-metrics and ifmatch");
		read_tcp_conns(&t);
		tsv_close(&t);
		if (op.rec == R_TRACE && (p->subflows || in_folder(p->dir, "mptcp_subflows.tsv"))) {
			open_need(&t, p->subflows, p->dir, "mptcp_subflows.tsv", "-S", "mptcp-metrics -s");
			read_subflow_roles(&t);
			tsv_close(&t);
		}
		return;
	}
	open_need(&t, p->conns, p->dir, "mptcp_conns.tsv", "-M", "mptcp-metrics");
	read_conns(&t);
	tsv_close(&t);
	open_need(&t, p->subflows, p->dir, "mptcp_subflows.tsv", "-S", "mptcp-metrics -s and ifmatch");
	read_subflows(&t);
	tsv_close(&t);
}

static void run(const struct paths *p)
{
	struct tsv t;
	read_connections(p);
	record_header(&out_stdout, &records[op.rec][op.tcp]);
	switch (op.rec) {
	case R_TRACE:
		open_need(&t, p->ack, p->dir, "tcp_ack.tsv", "-A", "tcp-metrics -e ack");
		read_trace_acks(&t);
		break;
	case R_GOODPUT:
		if (op.tcp)
			goto tcp_acks;
		open_need(&t, p->dack, p->dir, "mptcp_dack.tsv", "-D", "mptcp-metrics -e dack");
		read_dack(&t);
		tsv_close(&t);
		/* the connections' rows first, each series whole */
		for (size_t i = 0; i < mp_map.n; i++) {
			struct mpc *m = mp_map.order[i];
			for (int d = 0; d < 2; d++)
				if (m->b[d].open) {
					flush(m, NULL, d, &m->b[d]);
					m->b[d].open = 0;
				}
		}
	tcp_acks:
		open_need(&t, p->ack, p->dir, "tcp_ack.tsv", "-A", "tcp-metrics -e ack");
		read_tcp_events(&t, "acked_bytes", "tcp-metrics -e ack");
		break;
	case R_RTT:
		open_need(&t, p->rtt, p->dir, "tcp_rtt.tsv", "-R", "tcp-metrics -e rtt");
		read_tcp_events(&t, "rtt_ms", "tcp-metrics -e rtt");
		break;
	case R_INFLIGHT:
		open_need(&t, p->inflight, p->dir, "tcp_inflight.tsv", "-I", "tcp-metrics -e inflight");
		read_tcp_events(&t, "inflight_bytes", "tcp-metrics -e inflight");
		break;
	}
	tsv_close(&t);
	flush_all();
	if (backwards)
		warnx("%llu events earlier than their series' open bin (timestamps going back) "
		    "were counted in it", (unsigned long long)backwards);
}

/* -w: seconds with up to 9 decimals, above 0 and at most a day. */
static int64_t parse_width(const char *s)
{
	int64_t v = 0;
	int frac = -1;
	const char *p = s;
	for (; *p; p++) {
		if (*p == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || frac >= 9 || v > 86400000000000LL)
			goto bad;
		v = v * 10 + (*p - '0');
		if (frac >= 0)
			frac++;
	}
	if (p == s || (frac == 0 && p == s + 1))
		goto bad;
	for (int i = frac < 0 ? 0 : frac; i < 9; i++)
		v *= 10;
	if (v <= 0 || v > 86400000000000LL)
		goto bad;
	return v;
bad:
	errx(2, "-w: seconds above 0, at most 86400 and 9 decimals, not '%s'", s);
}

int main(int argc, char *argv[])
{
	struct paths p = { 0 };
	int schema = 0, ch;
	const char *rec = "goodput";
	int conn_opt = 0;

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:c:D:d:hI:M:R:r:S:tT:w:", table_longopts)) != -1) {
		switch (ch) {
		case 'A': p.ack = optarg; break;
		case 'c':
			conn_opt = 1;
			op.only_conn = 1;
			op.conn = (uint64_t)parse_count_arg("-c", optarg, 0, INT64_MAX);
			break;
		case 'D': p.dack = optarg; break;
		case 'd':
			if (strcmp(optarg, "c2s") == 0)
				op.dir = C2S;
			else if (strcmp(optarg, "s2c") == 0)
				op.dir = S2C;
			else
				errx(2, "-d: c2s or s2c, not '%s'", optarg);
			break;
		case 'I': p.inflight = optarg; break;
		case 'M': p.conns = optarg; break;
		case 'R': p.rtt = optarg; break;
		case 'r': rec = optarg; break;
		case 'S': p.subflows = optarg; break;
		case 't': op.tcp = 1; break;
		case 'T': p.tcpconns = optarg; break;
		case 'w': op.w = parse_width(optarg); break;
		case OPT_SCHEMA: schema = 1; break;
		case OPT_CAPTURE: col_set_capture(optarg); break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	size_t nrec = sizeof rec_name / sizeof *rec_name, r;
	for (r = 0; r < nrec && strcmp(rec, rec_name[r]); r++)
		;
	if (r == nrec)
		errx(2, "-r: goodput, rtt, inflight or trace, not '%s'", rec);
	op.rec = (enum rec)r;
	/* the trace is the whole capture's: of no one connection, and of TCP
	 * connections whatever the capture */
	if (op.rec == R_TRACE && conn_opt)
		errx(2, "-r trace: the whole capture, no -c");
	if (op.rec == R_TRACE)
		op.tcp = 0;
	if (schema) {
		record_schema(&out_stdout, &records[op.rec][op.tcp]);
		out_close(&out_stdout);
		return 0;
	}
	if (argc - optind > 1)
		usage(2);
	p.dir = optind < argc ? argv[optind] : NULL;
	run(&p);
	out_close(&out_stdout);
	return 0;
}
