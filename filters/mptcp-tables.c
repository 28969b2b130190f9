/* mptcp-tables: every table analyze(1) makes of a capture, in one pass.
 * The capture is decoded once and split once (common/conn/source.c, as the
 * filters' direct mode does), and each packet goes to one instance of
 * each engine: tcpstat (the connection table and its event tables),
 * mpjoin (the subflow table, and the tags mpstat needs) and mpstat (the
 * MPTCP connection and subflow tables and their event tables). Each
 * table is the bytes the filter that makes it writes when run alone on
 * the capture. For analyze, in the same process: the mode by content
 * (-a), ifmatch's labels (-I), the subflow tables joined and the failed
 * subflows (-J), the counts (-S) and the schema (-T). See
 * mptcp-tables(1). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "config.h"
#include "flow.h"
#include "iflabel.h"
#include "mpjoin.h"
#include "mpstat.h"
#include "out.h"
#include "sfjoin.h"
#include "source.h"
#include "tcpstat.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: mptcp-tables [-achJlMv] [-A time] [-B time] [-b filter] "
	    "[-g grace_s] [-i idle_s]\n"
	    "                    [-I [-C config] [-f capture]] [-S file] [-T file] [-x port[,port...]]\n"
	    "                    [--capture name] -o dir file ...\n"
	    "       mptcp-tables [-lM] [--capture name] --schema\n");
	exit(status);
}

/* The tables: file name, and the filter run that writes the same bytes. */
enum table {
	T_TCP, T_TCP_RTT, T_TCP_REXMIT, T_TCP_ACK,
	T_JOIN, T_MP_CONNS, T_MP_SUBFLOWS,
	T_MP_RTT, T_MP_DACK, T_MP_BURSTS, T_MP_REINJECT, T_MP_ADDR, T_MP_STALL,
	T_N
};
static const struct {
	const char *file;
	int mptcp, event;
} tables[T_N] = {
	[T_TCP] = { "tcp_conns.tsv", 0, 0 },          /* tcp-metrics */
	[T_TCP_RTT] = { "tcp_rtt.tsv", 0, 1 },        /* tcp-metrics -e rtt */
	[T_TCP_REXMIT] = { "tcp_rexmit.tsv", 0, 1 },  /* tcp-metrics -e rexmit */
	[T_TCP_ACK] = { "tcp_ack.tsv", 0, 1 },        /* tcp-metrics -e ack */
	[T_JOIN] = { "mptcp_join.tsv", 1, 0 },        /* mptcp-join -s */
	[T_MP_CONNS] = { "mptcp_conns.tsv", 1, 0 },   /* mptcp-metrics */
	[T_MP_SUBFLOWS] = { "mptcp_subflows.tsv", 1, 0 }, /* mptcp-metrics -s */
	[T_MP_RTT] = { "mptcp_rtt.tsv", 1, 1 },       /* mptcp-metrics -e rtt ... */
	[T_MP_DACK] = { "mptcp_dack.tsv", 1, 1 },
	[T_MP_BURSTS] = { "mptcp_bursts.tsv", 1, 1 },
	[T_MP_REINJECT] = { "mptcp_reinject.tsv", 1, 1 },
	[T_MP_ADDR] = { "mptcp_addr.tsv", 1, 1 },
	[T_MP_STALL] = { "mptcp_stall.tsv", 1, 1 },   /* mptcp-metrics -e stall */
};

/* The columns of table t, as the filter that makes it defines them. */
static const struct record_def *table_def(enum table t)
{
	switch (t) {
	case T_TCP: return tcpstat_record_def(TEV_NONE);
	case T_TCP_RTT: return tcpstat_record_def(TEV_RTT);
	case T_TCP_REXMIT: return tcpstat_record_def(TEV_REXMIT);
	case T_TCP_ACK: return tcpstat_record_def(TEV_ACK);
	case T_JOIN: return &mpj_sf_def;
	case T_MP_CONNS: return mps_record_def(0, MPS_EV_NONE);
	case T_MP_SUBFLOWS: return mps_record_def(1, MPS_EV_NONE);
	case T_MP_RTT: return mps_record_def(0, MPS_EV_RTT);
	case T_MP_DACK: return mps_record_def(0, MPS_EV_DACK);
	case T_MP_BURSTS: return mps_record_def(0, MPS_EV_BURSTS);
	case T_MP_REINJECT: return mps_record_def(0, MPS_EV_REINJECT);
	case T_MP_ADDR: return mps_record_def(0, MPS_EV_ADDR);
	case T_MP_STALL: return mps_record_def(0, MPS_EV_STALL);
	default: abort();
	}
}

static int table_made(enum table t, int mptcp, int light)
{
	return (mptcp || !tables[t].mptcp) && (!light || !tables[t].event);
}

/* --schema: every table of the mode as it is written, a line per column:
 * with -I the labels after tcp_conns' and the subflows' columns, with -J
 * the subflow table joined (mptcp_join.tsv not written) and the failed
 * subflows as it. */
static void stats_schema_rows(struct out *o, const char *table);

static void write_schema(struct out *o, int mptcp, int light, int join, int label,
    const char *stats)
{
	out_str(o, "table\tcolumn\ttype\tunit\tmeaning\n");
	for (int t = 0; t < T_N; t++) {
		if (!table_made((enum table)t, mptcp, light) || (join && t == T_JOIN))
			continue;
		record_schema_rows(o, table_def((enum table)t), tables[t].file);
		if (join && t == T_MP_SUBFLOWS)
			record_schema_rows_except(o, &mpj_sf_def, table_def(T_MP_SUBFLOWS), tables[t].file);
		if (label && (t == T_TCP || (join && t == T_MP_SUBFLOWS)))
			iflabel_schema_rows(o, "iface", tables[t].file);
		if (join && t == T_MP_SUBFLOWS) {
			record_schema_rows(o, table_def(T_MP_SUBFLOWS), "mptcp_failed.tsv");
			record_schema_rows_except(o, &mpj_sf_def, table_def(T_MP_SUBFLOWS), "mptcp_failed.tsv");
			if (label)
				iflabel_schema_rows(o, "iface", "mptcp_failed.tsv");
		}
	}
	if (stats)
		stats_schema_rows(o, stats);
}

_Noreturn static void print_schema(int mptcp, int light, int join, int label,
    const char *stats)
{
	write_schema(&out_stdout, mptcp, light, join, label, stats);
	out_close(&out_stdout);
	exit(0);
}

/* What -c and -x drop, as analyze's clean-up step did before flowsplit. */
struct drop {
	int loopback;
	uint8_t port[65536];
};

static int keep_segment(const struct pkt *p, void *ctx)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	const struct drop *d = ctx;
	if (d->port[p->sport] || d->port[p->dport])
		return 0;
	if (!d->loopback)
		return 1;
	if (p->ipv == 4)
		return p->src[0] != 127 && p->dst[0] != 127;
	return memcmp(p->src, lo6, 16) != 0 && memcmp(p->dst, lo6, 16) != 0;
}

/* -x: ports in decimal, comma-separated; empty items are passed over and
 * a number beyond 65535 matches no port, as analyze has always taken them. */
static void parse_ports(struct drop *d, const char *s)
{
	while (*s) {
		unsigned long v = 0;
		int big = 0;
		const char *q = s;
		for (; *q >= '0' && *q <= '9'; q++)
			if ((v = v * 10 + (unsigned long)(*q - '0')) > 65535)
				big = 1, v = 65536;
		if (*q && *q != ',')
			errx(2, "-x: expected port numbers separated by commas, got '%s'", s);
		if (q > s && !big)
			d->port[v] = 1;
		s = *q ? q + 1 : q;
	}
}

static struct out *out_on(int fd, const char *name)
{
	struct out *o = xcalloc(1, sizeof *o);
	o->fd = fd;
	o->name = name;
	return o;
}

static struct out *open_table(int dir, const char *name)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		err(1, "%s", name);
	return out_on(fd, name);
}

/* A table that -J or -I reads back: a file of the folder, unlinked at
 * once, so that nothing is left of it whatever happens; read through
 * /proc/self/fd. */
static struct out *open_temp(int dir, const char *name)
{
	int fd = openat(dir, name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || unlinkat(dir, name, 0) < 0)
		err(1, "%s", name);
	return out_on(fd, name);
}

static const char *temp_path(struct out *o, char *buf, size_t n)
{
	out_flush(o);
	snprintf(buf, n, "/proc/self/fd/%d", o->fd);
	return buf;
}

static void close_table(struct out **o)
{
	if (*o) {
		out_close(*o);
		free(*o);
		*o = NULL;
	}
}

struct run {
	struct out *to[T_N];     /* NULL: the table is not made */
	struct tcpeng tcp;
	uint64_t sf_rows;
	int mp_seen;             /* a segment carried MP_CAPABLE */
};

static void join_end(struct mpj_conn *mc, void *ctx)
{
	struct run *r = ctx;
	mpj_sf_rows(r->to[T_JOIN], mc);
}

/* Each capture file must be one: a record file has no place here. */
static void check_inputs(char **files)
{
	for (char **f = files; *f; f++) {
		if (source_is_capture(*f))
			continue;
		struct capture c = { 0 };
		if (capture_open(&c, *f) < 0)
			exit(1); /* capture.c said why */
		capture_close(&c);
		errx(1, "%s: not a regular file: give capture files", *f);
	}
}

enum mode { MODE_TCP, MODE_MPTCP, MODE_AUTO };

struct opts {
	struct flow_opts fo;
	struct capture_sel sel;
	const char *dir, *stats, *schema_file, *conf, *name;
	int light, verbose, schema, join, label;
	enum mode mode;
};

static void parse_options(struct opts *op, struct drop *drop, int argc, char *argv[])
{
	int ch;
	while ((ch = tool_getopt(argc, argv, "A:B:b:C:cf:g:hIi:JlMaS:T:o:vx:", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&op->sel, ch, optarg);
			break;
		case 'a':
			op->mode = MODE_AUTO;
			break;
		case 'C':
			op->conf = optarg;
			break;
		case 'c':
			drop->loopback = 1;
			break;
		case 'f':
			op->name = optarg;
			break;
		case 'g':
			op->fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'I':
			op->label = 1;
			break;
		case 'i':
			op->fo.idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 'J':
			op->join = 1;
			break;
		case 'l':
			op->light = 1;
			break;
		case 'M':
			op->mode = MODE_MPTCP;
			break;
		case 'o':
			op->dir = optarg;
			break;
		case 'S':
			op->stats = optarg;
			break;
		case 'T':
			op->schema_file = optarg;
			break;
		case 'v':
			op->verbose = 1;
			break;
		case 'x':
			parse_ports(drop, optarg);
			break;
		case OPT_CAPTURE:
			col_set_capture(optarg);
			break;
		case OPT_SCHEMA:
			op->schema = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if ((op->conf || op->name) && !op->label)
		errx(2, "-C and -f: with -I only (the interface labels)");
}

/* -S: the capture's counts, then the mode and the rows of the main tables. */
#define STATS_COLUMNS(X) \
	X(size_bytes, COUNT, "bytes", "the capture files' size, as stored (compressed or not)", \
	    out_u64(o, x->size)) \
	X(mode, TEXT, "-", "mptcp (the MPTCP tables made) or tcp", out_str(o, mp ? "mptcp" : "tcp")) \
	X(tcp_conns, COUNT, "rows", "records in tcp_conns.tsv", out_u64(o, r->tcp.rows)) \
	X(mptcp_conns, COUNT, "rows", "records in mptcp_conns.tsv, - in TCP mode", \
	    out_opt_u64(o, mp, st->conn_rows)) \
	X(subflows, COUNT, "rows", "records in mptcp_subflows.tsv, - in TCP mode", \
	    out_opt_u64(o, mp, r->sf_rows))

static const struct column stats_cols[] = { STATS_COLUMNS(COL_ROW) };
static const struct col_part stats_part = COL_PART(stats_cols, 0);

/* The -S record's columns, in --schema and -T, under the last part of
 * its file's name (a folder's name would have to be escaped): the record
 * is capture_stats_write's, the capture's counts and then this tool's. */
static void stats_schema_rows(struct out *o, const char *file)
{
	const char *base = strrchr(file, '/');
	struct record_def def = { 2, { capture_stats_part, stats_part } };
	record_schema_rows(o, &def, base ? base + 1 : file);
}

struct stats_ctx {
	const struct run *r;
	const struct mps *st;
	int mp;
	uint64_t size;
};

/* The files' sizes (check_inputs made sure they are regular files). */
static uint64_t files_size(char **files)
{
	uint64_t n = 0;
	struct stat sb;
	for (char **f = files; *f; f++)
		if (stat(*f, &sb) == 0)
			n += (uint64_t)sb.st_size;
	return n;
}

static void stats_more(struct out *o, void *ctx)
{
	const struct stats_ctx *x = ctx;
	const struct run *r = x->r;
	const struct mps *st = x->st;
	int mp = x->mp, sep = 1;
	STATS_COLUMNS(COL_EMIT)
}

/* -I and -J: analyze's tables from the engines' (run->to[] holds the
 * temporary ones): tcp_conns.tsv labelled, mptcp_subflows.tsv joined
 * (and labelled), mptcp_failed.tsv. */
static void finish_tables(struct run *r, const struct opts *op, int dir, int mp)
{
	char p1[32], p2[32], path[4096];
	struct iflabel *lab = NULL;
	struct config cfg;
	if (op->label) {
		config_load(&cfg, op->conf);
		lab = iflabel_new(&cfg, op->name, 1, 1);
		struct out *o = open_table(dir, tables[T_TCP].file);
		iflabel_run(lab, temp_path(r->to[T_TCP], p1, sizeof p1), NULL, "iface", o);
		close_table(&o);
		close_table(&r->to[T_TCP]);
	}
	if (op->join && mp) {
		struct out *sf = open_table(dir, tables[T_MP_SUBFLOWS].file), *joined = sf;
		if (lab)
			joined = open_temp(dir, ".mptcp_subflows.joined");
		r->sf_rows = sfjoin_write(temp_path(r->to[T_MP_SUBFLOWS], p1, sizeof p1),
		    temp_path(r->to[T_JOIN], p2, sizeof p2), joined);
		if (lab) {
			iflabel_run(lab, temp_path(joined, p1, sizeof p1), NULL, "iface", sf);
			close_table(&joined);
		}
		close_table(&sf);
		struct out *f = open_table(dir, "mptcp_failed.tsv");
		snprintf(path, sizeof path, "%s/%s", op->dir, tables[T_MP_SUBFLOWS].file);
		sfjoin_failed(path, f);
		close_table(&f);
	}
	if (lab) {
		iflabel_free(lab);
		config_free(&cfg);
	}
}

int main(int argc, char *argv[])
{
	static struct opts op = { .fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT } };
	static struct drop drop;
	static struct run run;

	tool_init(argv[0]);
	parse_options(&op, &drop, argc, argv);
	argc -= optind;
	argv += optind;
	int mptcp = op.mode != MODE_TCP;
	if (op.schema)
		print_schema(mptcp, op.light, op.join, op.label, op.stats);
	if (!op.dir) {
		warnx("-o: the folder of the tables is needed");
		usage(2);
	}
	if (argc == 0) {
		warnx("no capture given");
		usage(2);
	}
	/* a folder of its own for the tables, made here when new */
	if (mkdir(op.dir, 0777) < 0 && errno != EEXIST)
		err(1, "%s", op.dir);
	int dir = open(op.dir, O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		err(1, "%s", op.dir);
	check_inputs(argv);
	for (int t = 0; t < T_N; t++) {
		if (!table_made((enum table)t, mptcp, op.light))
			continue;
		int temp = (op.label && t == T_TCP) || (op.join && (t == T_JOIN || t == T_MP_SUBFLOWS));
		run.to[t] = temp ? open_temp(dir, tables[t].file) : open_table(dir, tables[t].file);
	}

	/* the engines, each writing the tables it makes */
	struct out *tev[TEV_INFLIGHT + 1] = { NULL };
	tev[TEV_RTT] = run.to[T_TCP_RTT];
	tev[TEV_REXMIT] = run.to[T_TCP_REXMIT];
	tev[TEV_ACK] = run.to[T_TCP_ACK];
	tcpeng_init(&run.tcp, &op.fo, run.to[T_TCP], tev);
	struct mpj j;
	static struct mps st;
	if (mptcp) {
		struct out *to[MPS_NREC] = { NULL };
		to[MPS_EV_NONE] = run.to[T_MP_CONNS];
		to[MPS_SUBFLOWS] = run.to[T_MP_SUBFLOWS];
		to[MPS_EV_RTT] = run.to[T_MP_RTT];
		to[MPS_EV_DACK] = run.to[T_MP_DACK];
		to[MPS_EV_BURSTS] = run.to[T_MP_BURSTS];
		to[MPS_EV_REINJECT] = run.to[T_MP_REINJECT];
		to[MPS_EV_ADDR] = run.to[T_MP_ADDR];
		to[MPS_EV_STALL] = run.to[T_MP_STALL];
		/* One join for both: keeping ended subflows for the subflow
		 * table changes none of the tags (only the table's own
		 * backup columns see a later v0 MP_PRIO). */
		mpj_init(&j, &op.fo, join_end, &run);
		mpj_sf_header(run.to[T_JOIN]);
		mps_init_outs(&st, &op.fo, to);
		mps_header(&st);
	}

	struct source src;
	struct pkt p;
	struct pkt_meta m;
	struct mpj_res r;
	source_open(&src, argv, &op.fo, &op.sel, NULL);
	if (drop.loopback || memchr(drop.port, 1, sizeof drop.port)) {
		src.keep = keep_segment;
		src.keep_ctx = &drop;
	}
	while (source_next(&src, &p, &m)) {
		tcpeng_packet(&run.tcp, &p, &m);
		if (!mptcp)
			continue;
		run.mp_seen |= PKT_HAS(&p, MP_CAPABLE);
		mpj_packet(&j, &p, &m, &r);
		mps_packet(&st, &p, &m, &r);
	}
	tcpeng_finish(&run.tcp);
	if (mptcp) {
		mpj_finish(&j);
		mps_finish(&st);
	}
	int status = source_close(&src);
	/* -a: the MPTCP tables only for a capture that carries MP_CAPABLE */
	int mp = op.mode == MODE_MPTCP || (op.mode == MODE_AUTO && run.mp_seen);
	run.sf_rows = st.sf_rows;
	finish_tables(&run, &op, dir, mp);
	for (int t = 0; t < T_N; t++) {
		if (run.to[t] && tables[t].mptcp && !mp && !(op.join && (t == T_JOIN || t == T_MP_SUBFLOWS)) &&
		    unlinkat(dir, tables[t].file, 0) < 0)
			err(1, "%s", tables[t].file);
		close_table(&run.to[t]);
	}
	close(dir);
	if (op.stats) {
		struct stats_ctx x = { &run, &st, mp, files_size(argv) };
		capture_stats_write(op.stats, &src.cap, &stats_part, stats_more, &x);
	}
	if (op.schema_file) {
		int fd = open(op.schema_file, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0)
			err(1, "%s", op.schema_file);
		struct out *o = out_on(fd, op.schema_file);
		write_schema(o, mp, op.light, op.join, op.label, op.stats);
		close_table(&o);
	}
	if (op.verbose)
		capture_report(&src.cap, "mptcp-tables");
	return status;
}
