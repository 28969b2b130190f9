/* mptcp-metrics: one record per MPTCP connection (or per subflow, or one
 * per event) from packets tagged by mptcp-join, or from captures read
 * directly through the same join code. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "columns.h"
#include "mpjoin.h"
#include "mpstat.h"
#include "out.h"
#include "pktread.h"
#include "source.h"
#include "tsv.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: mptcp-metrics [-hs] [-A time] [-B time] [-b filter] "
	    "[-e bursts|reinject|rtt|dack|addr|seq] [-g grace_s] [-i idle_s] [--capture name] [--schema] [--version] [file ...]\n");
	exit(status);
}

/* The packet columns the statistics read; all come from pcap2pkt. */
static const int need[] = {
	COL_FRAME, COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT,
	COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_MPTCP, COL_MPC_VER, COL_MPC_FLAGS,
	COL_MPC_CSUM,
	COL_MPC_SKEY, COL_MPC_RKEY, COL_MPC_DLEN, COL_MPJ_TOKEN, COL_MPJ_ID,
	COL_MPJ_BACKUP, COL_DSS_FLAGS, COL_SSN, COL_DLEN, COL_DATA_FIN,
	COL_AA_ID, COL_AA_ADDR, COL_AA_PORT, COL_AA_ECHO, COL_RM_IDS, COL_PRIO_BACKUP,
	COL_PRIO_ID, -1
};

/* mptcp-join's columns. */
struct tag_cols {
	int mpconn, subflow, dsn64, dack64, mpdir;
};

static void bind_tags(struct tag_cols *c, const struct tsv *t)
{
	c->mpconn = tsv_need(t, "mpconn", "mptcp-join");
	c->subflow = tsv_need(t, "subflow", "mptcp-join");
	c->dsn64 = tsv_need(t, "dsn64", "mptcp-join");
	c->dack64 = tsv_need(t, "dack64", "mptcp-join");
	c->mpdir = tsv_need(t, "mpdir", "mptcp-join");
}

_Static_assert(MPJ_MAX_SUBFLOWS == 4096, "the message below names the bound");

static void read_tags(const struct tag_cols *c, const struct tsv *t, struct mps_tag *g)
{
	g->mpconn = tsv_u64_or(t, c->mpconn, 0);
	if (!g->mpconn) {
		g->has_dsn = g->has_dack = 0;
		return;
	}
	uint64_t sf = tsv_u64(t, c->subflow);
	if (sf >= MPJ_MAX_SUBFLOWS) /* mptcp-join gives no more */
		tsv_bad(t, c->subflow, "subflow index beyond the 4096 subflows of a connection:");
	g->subflow = (int)sf;
	g->has_dsn = !tsv_dash(t, c->dsn64);
	g->dsn64 = tsv_u64_or(t, c->dsn64, 0);
	g->has_dack = !tsv_dash(t, c->dack64);
	g->dack64 = tsv_u64_or(t, c->dack64, 0);
	if (tsv_eq(t, c->mpdir, "c2s"))
		g->mpdir = DIR_C2S;
	else if (tsv_eq(t, c->mpdir, "s2c"))
		g->mpdir = DIR_S2C;
	else
		tsv_bad(t, c->mpdir, "expected c2s or s2c, got");
}

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	int subflows = 0, ev = MPS_EV_NONE, schema = 0, ch;

	struct capture_sel sel = { 0 };

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:e:g:hi:s", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'e':
			if ((ev = mps_event_parse(optarg)) < 0)
				errx(2, "-e: expected bursts, reinject, rtt, dack, addr or seq, got '%s'", optarg);
			break;
		case 'g':
			fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'i':
			fo.idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 's':
			subflows = 1;
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
	if (subflows && ev)
		errx(2, "-s and -e: one kind of record at a time");
	if (schema) {
		record_schema(&out_stdout, mps_record_def(subflows, (enum mps_event)ev));
		out_close(&out_stdout);
		return 0;
	}

	struct source src;
	struct tag_cols tc = { 0 };
	struct mpj j;
	struct mps st;
	struct pkt p;
	struct pkt_meta m;
	struct mpj_res r;
	struct mps_tag g;

	source_open(&src, argc ? argv : NULL, &fo, &sel, need);
	if (src.from_capture) {
		mpj_init(&j, &fo, NULL, NULL);
	} else {
		bind_tags(&tc, &src.tsv);
		pkt_cols_restrict(&src.cols, need);
		source_want(&src);
		int tags[] = { tc.mpconn, tc.subflow, tc.dsn64, tc.dack64, tc.mpdir };
		for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
			tsv_want(&src.tsv, tags[i]);
	}
	mps_init(&st, &fo, subflows, (enum mps_event)ev, &out_stdout);
	mps_header(&st);
	while (source_next(&src, &p, &m)) {
		if (src.from_capture) {
			mpj_packet(&j, &p, &m, &r);
			mps_tag_from_join(&g, &r);
		} else {
			read_tags(&tc, &src.tsv, &g);
		}
		mps_packet(&st, &p, &m, &g);
	}
	if (src.from_capture)
		mpj_finish(&j);
	mps_finish(&st);
	int status = source_close(&src);
	out_close(&out_stdout);
	return status;
}
