/* mptcp-metrics: one record per MPTCP connection (or per subflow, or one
 * per event) from packets tagged by mptcp-join, or from captures read
 * directly through the same join code. */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	    "[-e bursts|reinject|rtt|dack|addr|seq|stall|hol] [-g grace_s] [-i idle_s] [-T stall_s] [--capture name] [--schema] [--version] [file ...]\n");
	exit(status);
}

/* The packet columns the statistics read; all come from pcap2pkt (the
 * window and its scale for the stalls' cause). Of
 * MP_CAPABLE only the data length: the version, keys, tokens and IDSNs
 * come from mptcp-join's tags. */
static const int need[] = {
	COL_FRAME, COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT,
	COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_WIN, COL_WSCALE, COL_MPTCP,
	COL_MPC_DLEN, COL_MPJ_TOKEN, COL_MPJ_ID,
	COL_MPJ_BACKUP, COL_DSS_FLAGS, COL_SSN, COL_DLEN, COL_DATA_FIN,
	COL_AA_ID, COL_AA_ADDR, COL_AA_PORT, COL_AA_ECHO, COL_RM_IDS, COL_PRIO_BACKUP,
	COL_PRIO_ID, -1
};

/* mptcp-join's columns, by their place in its table (mpj_tag_part). */
struct tag_cols {
	int col[MPJ_NTAGS];
};

static void bind_tags(struct tag_cols *c, struct tsv *t)
{
	for (size_t i = 0; i < mpj_tag_part.n; i++) {
		c->col[i] = tsv_need(t, mpj_tag_part.col[i].name, "mptcp-join");
		tsv_want(t, c->col[i]);
	}
}

_Static_assert(MPJ_MAX_SUBFLOWS == 4096, "the message below names the bound");

/* The connection's state columns, each "-" unless it changed on this
 * packet (mpver: unless unknown). */
static void read_state(const struct tag_cols *c, const struct tsv *t, struct mpj_res *g)
{
	int cv = c->col[MPJ_TAG_mpver], cs = c->col[MPJ_TAG_mpstatus];
	if (!tsv_dash(t, cv)) {
		uint64_t v = tsv_u64(t, cv);
		if (v > 15) /* MP_CAPABLE's version field has 4 bits */
			tsv_bad(t, cv, "MPTCP version beyond 15:");
		g->has_version = 1;
		g->version = (uint8_t)v;
	}
	if (!tsv_dash(t, cs)) {
		int k = 0;
		while (k < MPJ_CS_N && !tsv_eq(t, cs, mpj_conn_status_name[k]))
			k++;
		if (k == MPJ_CS_N)
			tsv_bad(t, cs, "expected ok, fallback, failed, midstream or unknown_token, got");
		g->has_status = 1;
		g->status = (uint8_t)k;
	}
	static const int tok[2] = { MPJ_TAG_c_token, MPJ_TAG_s_token };
	static const int ids[2] = { MPJ_TAG_c_idsn, MPJ_TAG_s_idsn };
	for (int d = 0; d < 2; d++) {
		int ct = c->col[tok[d]], ci = c->col[ids[d]];
		if (tsv_dash(t, ct) != tsv_dash(t, ci))
			tsv_bad(t, tsv_dash(t, ct) ? ct : ci,
			    "a token and its IDSN come together; this one alone:");
		if (tsv_dash(t, ct))
			continue;
		uint64_t v = tsv_hex(t, ct);
		if (v > UINT32_MAX)
			tsv_bad(t, ct, "a token has 32 bits:");
		g->keyed[d] = 1;
		g->token[d] = (uint32_t)v;
		g->idsn[d] = tsv_hex(t, ci);
	}
}

static void read_tags(const struct tag_cols *c, const struct tsv *t, struct mpj_res *g)
{
	memset(g, 0, sizeof *g);
	g->mpconn = tsv_u64_or(t, c->col[MPJ_TAG_mpconn], 0);
	if (!g->mpconn)
		return;
	int csf = c->col[MPJ_TAG_subflow], cdsn = c->col[MPJ_TAG_dsn64];
	int cdack = c->col[MPJ_TAG_dack64], cdir = c->col[MPJ_TAG_mpdir];
	uint64_t sf = tsv_u64(t, csf);
	if (sf >= MPJ_MAX_SUBFLOWS) /* mptcp-join gives no more */
		tsv_bad(t, csf, "subflow index beyond the 4096 subflows of a connection:");
	g->subflow = (int)sf;
	g->has_dsn = !tsv_dash(t, cdsn);
	g->dsn64 = tsv_u64_or(t, cdsn, 0);
	g->has_dack = !tsv_dash(t, cdack);
	g->dack64 = tsv_u64_or(t, cdack, 0);
	if (tsv_eq(t, cdir, "c2s"))
		g->mpdir = DIR_C2S;
	else if (tsv_eq(t, cdir, "s2c"))
		g->mpdir = DIR_S2C;
	else
		tsv_bad(t, cdir, "expected c2s or s2c, got");
	read_state(c, t, g);
}

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	int subflows = 0, ev = MPS_EV_NONE, schema = 0, ch;
	double stall_s = MPS_STALL_DEFAULT;

	struct capture_sel sel = { 0 };

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:e:g:hi:sT:", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'e':
			if ((ev = mps_event_parse(optarg)) < 0)
				errx(2, "-e: expected bursts, reinject, rtt, dack, addr, seq, stall or hol, got '%s'",
				    optarg);
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
		case 'T':
			stall_s = parse_seconds_arg("-T", optarg);
			if (!(stall_s > 0) || isinf(stall_s))
				errx(2, "-T: expected seconds above 0 and finite, got '%s'", optarg);
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

	source_open(&src, argc ? argv : NULL, &fo, &sel, need);
	if (src.from_capture) {
		mpj_init(&j, &fo, NULL, NULL);
	} else {
		bind_tags(&tc, &src.tsv);
		pkt_cols_restrict(&src.cols, need);
		source_want(&src);
	}
	mps_init(&st, &fo, subflows, (enum mps_event)ev, &out_stdout);
	mps_set_stall(&st, stall_s);
	mps_header(&st);
	while (source_next(&src, &p, &m)) {
		if (src.from_capture)
			mpj_packet(&j, &p, &m, &r);
		else
			read_tags(&tc, &src.tsv, &r);
		mps_packet(&st, &p, &m, &r);
	}
	if (src.from_capture)
		mpj_finish(&j);
	mps_finish(&st);
	int status = source_close(&src);
	out_close(&out_stdout);
	return status;
}
