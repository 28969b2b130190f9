/* flowsplit: tag packet records with a connection id and a direction. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "flow.h"
#include "out.h"
#include "pktfmt.h"
#include "pktread.h"
#include "source.h"
#include "tsv.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: flowsplit [-h] [-g grace_s] [-i idle_s] [--schema] [--version] [file]\n");
	exit(status);
}

/* Only the columns the flow rules use are parsed. */
static const int used[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_FLAGS, COL_SEQ,
	-1
};

static void bind_used(struct pkt_cols *c, const struct tsv *t)
{
	pkt_cols_bind(c, t, used);
	pkt_cols_restrict(c, used);
}

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	int schema = 0, ch;

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "g:hi:", schema_longopts)) != -1) {
		switch (ch) {
		case 'g':
			fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'i':
			fo.idle_s = parse_seconds_arg("-i", optarg);
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
	if (argc > 1)
		usage(2);
	if (schema) {
		/* the packet record as pcap2pkt writes it by default, tagged */
		const struct record_def tagged = { 2, { pkt_default_part, flow_tag_part } };
		record_schema(&out_stdout, &tagged);
		out_close(&out_stdout);
		return 0;
	}

	struct tsv in;
	struct pkt_cols cols;
	struct flowtab tab;
	struct pkt p;
	tsv_open(&in, argc ? argv[0] : "-");
	if (in.ncols == 0)
		errx(1, "%s: empty input: no header line", in.path);
	bind_used(&cols, &in);
	pkt_cols_want(&cols, &in);
	if (tsv_col(&in, "conn") >= 0)
		errx(1, "%s: input already has a 'conn' column", in.path);
	flowtab_init(&tab, fo.idle_s, fo.grace_s, NULL, NULL);

	out_mem(&out_stdout, in.header, in.headerlen);
	col_part_header(&out_stdout, &flow_tag_part);
	out_nl(&out_stdout);
	while (tsv_next_line(&in)) {
		int dir;
		pkt_parse(&p, &cols, &in);
		flowtab_expire(&tab, pkt_time_ns(&p));
		struct flow *f = flowtab_packet(&tab, &p, &dir);
		size_t n = in.reclen;
		if (n && in.rec[n - 1] == '\r')
			n--;
		out_mem(&out_stdout, in.rec, n);
		flow_tags_write(&out_stdout, f->id, dir, f->hs);
		out_nl(&out_stdout);
	}
	flowtab_finish(&tab);
	pkt_cols_free(&cols);
	tsv_close(&in);
	out_close(&out_stdout);
	return 0;
}
