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
	struct out *rec = NULL, *evout[TEV_INFLIGHT + 1] = { NULL };
	if (recpath)
		rec = open_records(recpath);
	else if (ev == TEV_NONE)
		rec = &out_stdout;
	if (ev != TEV_NONE && rec == &out_stdout)
		errx(2, "-o: records and events cannot both go to standard output");
	evout[ev] = ev != TEV_NONE ? &out_stdout : NULL;

	static struct tcpeng eng;
	struct source src;
	struct pkt p;
	struct pkt_meta m;
	source_open(&src, argc ? argv : NULL, &fo, &sel, tcpeng_need);
	if (!src.from_capture) {
		pkt_cols_restrict(&src.cols, tcpeng_use);
		source_want(&src);
	}
	if (!src.from_capture && src.tsv.ncols == 0)
		errx(1, "%s: empty input: no header line", src.tsv.path);
	tcpeng_init(&eng, &fo, rec, evout);
	while (source_next(&src, &p, &m))
		tcpeng_packet(&eng, &p, &m);
	tcpeng_finish(&eng);
	int status = source_close(&src);
	if (rec && rec != &out_stdout)
		out_close(rec);
	out_close(&out_stdout);
	return status;
}
