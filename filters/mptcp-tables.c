/* mptcp-tables: every table analyze(1) makes of a capture, in one pass.
 * The capture is decoded once and split once (common/source.c, as the
 * filters' direct mode does), and each packet goes to one instance of
 * each engine: tcpstat (the connection table and its event tables),
 * mpjoin (the subflow table, and the tags mpstat needs) and mpstat (the
 * MPTCP connection and subflow tables and their event tables). Each
 * table is the bytes the filter that makes it writes when run alone on
 * the capture. See mptcp-tables(1). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "flow.h"
#include "mpjoin.h"
#include "mpstat.h"
#include "out.h"
#include "source.h"
#include "tcpstat.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: mptcp-tables [-chlMv] [-A time] [-B time] [-b filter] "
	    "[-g grace_s] [-i idle_s] [-x port[,port...]] [--capture name] -o dir file ...\n"
	    "       mptcp-tables [-lM] [--capture name] --schema\n");
	exit(status);
}

/* The tables: file name, and the filter run that writes the same bytes. */
enum table {
	T_TCP, T_TCP_RTT, T_TCP_REXMIT, T_TCP_ACK,
	T_JOIN, T_MP_CONNS, T_MP_SUBFLOWS,
	T_MP_RTT, T_MP_DACK, T_MP_BURSTS, T_MP_REINJECT, T_MP_ADDR,
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
	default: abort();
	}
}

static int table_made(enum table t, int mptcp, int light)
{
	return (mptcp || !tables[t].mptcp) && (!light || !tables[t].event);
}

/* --schema: every table of the mode, a line per column. */
_Noreturn static void print_schema(int mptcp, int light)
{
	out_str(&out_stdout, "table\tcolumn\ttype\tunit\tmeaning\n");
	for (int t = 0; t < T_N; t++)
		if (table_made((enum table)t, mptcp, light))
			record_schema_rows(&out_stdout, table_def((enum table)t), tables[t].file);
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

static struct out *open_table(int dir, const char *name)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		err(1, "%s", name);
	struct out *o = xcalloc(1, sizeof *o);
	o->fd = fd;
	o->name = name;
	return o;
}

struct run {
	struct out *to[T_N];     /* NULL: the table is not made */
	struct tcpstat_cfg tcfg;
	struct flowtab tcp;
};

static void tcp_end(struct flow *f, void *ctx)
{
	struct run *r = ctx;
	tcpstat_record(r->to[T_TCP], f->user);
	tcpconn_free(f->user);
}

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

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	static struct drop drop;
	static struct run run;
	const char *dirpath = NULL;
	int light = 0, mptcp = 0, verbose = 0, schema = 0, ch;
	struct capture_sel sel = { 0 };

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:cg:hi:lMo:vx:", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'c':
			drop.loopback = 1;
			break;
		case 'g':
			fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'i':
			fo.idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 'l':
			light = 1;
			break;
		case 'M':
			mptcp = 1;
			break;
		case 'o':
			dirpath = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'x':
			parse_ports(&drop, optarg);
			break;
		case OPT_CAPTURE:
			col_set_capture(optarg);
			break;
		case OPT_SCHEMA:
			schema = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (schema)
		print_schema(mptcp, light);
	if (!dirpath) {
		warnx("-o: the folder of the tables is needed");
		usage(2);
	}
	if (argc == 0) {
		warnx("no capture given");
		usage(2);
	}
	/* a folder of its own for the tables, made here when new */
	if (mkdir(dirpath, 0777) < 0 && errno != EEXIST)
		err(1, "%s", dirpath);
	int dir = open(dirpath, O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		err(1, "%s", dirpath);
	check_inputs(argv);
	for (int t = 0; t < T_N; t++)
		if (table_made((enum table)t, mptcp, light))
			run.to[t] = open_table(dir, tables[t].file);
	close(dir);

	/* the engines, each writing the tables it makes */
	run.tcfg.ev[TEV_RTT] = run.to[T_TCP_RTT];
	run.tcfg.ev[TEV_REXMIT] = run.to[T_TCP_REXMIT];
	run.tcfg.ev[TEV_ACK] = run.to[T_TCP_ACK];
	flowtab_init(&run.tcp, fo.idle_s, fo.grace_s, tcp_end, &run);
	tcpstat_header(run.to[T_TCP]);
	for (int e = TEV_RTT; e <= TEV_INFLIGHT; e++)
		if (run.tcfg.ev[e])
			tcpstat_event_header(run.tcfg.ev[e], (enum tcp_event)e);
	struct mpj j;
	struct mps st;
	if (mptcp) {
		struct out *to[MPS_NREC] = { NULL };
		to[MPS_EV_NONE] = run.to[T_MP_CONNS];
		to[MPS_SUBFLOWS] = run.to[T_MP_SUBFLOWS];
		to[MPS_EV_RTT] = run.to[T_MP_RTT];
		to[MPS_EV_DACK] = run.to[T_MP_DACK];
		to[MPS_EV_BURSTS] = run.to[T_MP_BURSTS];
		to[MPS_EV_REINJECT] = run.to[T_MP_REINJECT];
		to[MPS_EV_ADDR] = run.to[T_MP_ADDR];
		/* One join for both: keeping ended subflows for the subflow
		 * table changes none of the tags (only the table's own
		 * backup columns see a later v0 MP_PRIO). */
		mpj_init(&j, &fo, join_end, &run);
		mpj_sf_header(run.to[T_JOIN]);
		mps_init_outs(&st, &fo, to);
		mps_header(&st);
	}

	struct source src;
	struct pkt p;
	struct pkt_meta m;
	struct mpj_res r;
	struct mps_tag g;
	source_open(&src, argv, &fo, &sel, NULL);
	if (drop.loopback || memchr(drop.port, 1, sizeof drop.port)) {
		src.keep = keep_segment;
		src.keep_ctx = &drop;
	}
	while (source_next(&src, &p, &m)) {
		int64_t now = pkt_time_ns(&p);
		int created;
		flowtab_expire(&run.tcp, now);
		struct flow *f = flowtab_by_id(&run.tcp, m.conn, now, &created);
		if (created)
			f->user = tcpconn_new(&run.tcfg, m.conn, &p, m.dir, m.hs);
		flow_track(&run.tcp, f, &p, m.dir);
		tcpconn_packet(f->user, &p, m.dir);
		if (!mptcp)
			continue;
		mpj_packet(&j, &p, &m, &r);
		mps_tag_from_join(&g, &r);
		mps_packet(&st, &p, &m, &g);
	}
	flowtab_finish(&run.tcp);
	if (mptcp) {
		mpj_finish(&j);
		mps_finish(&st);
	}
	int status = source_close(&src);
	for (int t = 0; t < T_N; t++)
		if (run.to[t]) {
			out_close(run.to[t]);
			free(run.to[t]);
		}
	if (verbose)
		capture_report(&src.cap, "mptcp-tables");
	return status;
}
