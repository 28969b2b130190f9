/* tcp-metrics: one record of TCP statistics per connection, or one
 * record per RTT sample, retransmission, ACK or in-flight change. */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "flow.h"
#include "out.h"
#include "pktread.h"
#include "source.h"
#include "tcpstat.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: tcp-metrics [-h] [-A time] [-B time] [-b filter] "
	    "[-e rtt|rexmit|ack|inflight] [-g grace_s] [-i idle_s] [-o file] [--capture name] [--schema] [--version] [file ...]\n");
	exit(status);
}

/* Every packet column a statistic depends on: a record stream cut down
 * with pcap2pkt -c must fail loudly, not give zeros. */
static const int need[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_IP_ID,
	COL_TTL, COL_IP_LEN, COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_WIN,
	COL_MSS, COL_WSCALE, COL_SACK_PERM, COL_SACK, COL_TSVAL, COL_TSECR,
	COL_MPTCP, COL_MPJ_BACKUP, COL_DSS_FLAGS, COL_DACK, COL_DACK_W, -1
};

/* ...and the ones they only pass on to the records when present (the
 * capture's interface of the first packet): not required, so records of
 * an older pcap2pkt still do */
static const int use[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_IP_ID,
	COL_TTL, COL_IP_LEN, COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_WIN,
	COL_MSS, COL_WSCALE, COL_SACK_PERM, COL_SACK, COL_TSVAL, COL_TSECR,
	COL_MPTCP, COL_MPJ_BACKUP, COL_DSS_FLAGS, COL_DACK, COL_DACK_W, 	COL_IFINDEX, COL_IFNAME, -1
};

static enum tcp_event parse_event(const char *s)
{
	static const char *const names[] = { "", "rtt", "rexmit", "ack", "inflight" };
	for (int i = TEV_RTT; i <= TEV_INFLIGHT; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum tcp_event)i;
	warnx("-e: unknown event type '%s' (rtt, rexmit, ack or inflight)", s);
	usage(2);
	return TEV_NONE; /* not reached */
}

struct run {
	struct out *rec;              /* connection records, or NULL */
};

/* A connection ended (closed and quiet, idle, or end of input). */
static void on_end(struct flow *f, void *ctx)
{
	struct run *r = ctx;
	if (r->rec)
		tcpstat_record(r->rec, f->user);
	tcpconn_free(f->user);
}

static struct out *open_records(const char *path)
{
	static struct out file_out;
	if (strcmp(path, "-") == 0)
		return &out_stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		err(1, "%s", path);
	file_out.fd = fd;
	file_out.name = path;
	return &file_out;
}

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	struct tcpstat_cfg cfg = { { NULL } };
	enum tcp_event ev = TEV_NONE;
	const char *recpath = NULL;
	int schema = 0, ch;

	struct capture_sel sel = { 0 };

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:e:g:hi:o:", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'e':
			if (ev != TEV_NONE)
				errx(2, "-e: one event type per run");
			ev = parse_event(optarg);
			break;
		case 'g':
			fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'i':
			fo.idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 'o':
			recpath = optarg;
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

	if (schema) {
		/* what goes to standard output: the events with -e */
		record_schema(&out_stdout, tcpstat_record_def(ev));
		out_close(&out_stdout);
		return 0;
	}

	/* Records go to stdout, or to -o; with -e, only to -o. */
	struct run run = { NULL };
	if (recpath)
		run.rec = open_records(recpath);
	else if (ev == TEV_NONE)
		run.rec = &out_stdout;
	if (ev != TEV_NONE && run.rec == &out_stdout)
		errx(2, "-o: records and events cannot both go to standard output");

	struct source src;
	struct flowtab tab;
	struct pkt p;
	struct pkt_meta m;
	source_open(&src, argc ? argv : NULL, &fo, &sel, need);
	if (!src.from_capture) {
		pkt_cols_restrict(&src.cols, use);
		source_want(&src);
	}
	if (!src.from_capture && src.tsv.ncols == 0)
		errx(1, "%s: empty input: no header line", src.tsv.path);
	flowtab_init(&tab, fo.idle_s, fo.grace_s, on_end, &run);
	if (run.rec)
		tcpstat_header(run.rec);
	if (ev != TEV_NONE) {
		cfg.ev[ev] = &out_stdout;
		tcpstat_event_header(&out_stdout, ev);
	}

	while (source_next(&src, &p, &m)) {
		int64_t now = pkt_time_ns(&p);
		int created;
		flowtab_expire(&tab, now);
		struct flow *f = flowtab_by_id(&tab, m.conn, now, &created);
		if (created)
			f->user = tcpconn_new(&cfg, m.conn, &p, m.dir, m.hs);
		flow_track(&tab, f, &p, m.dir);
		tcpconn_packet(f->user, &p, m.dir);
	}
	flowtab_finish(&tab);
	int status = source_close(&src);
	if (run.rec && run.rec != &out_stdout)
		out_close(run.rec);
	out_close(&out_stdout);
	return status;
}
