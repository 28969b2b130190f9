/* mptcp-join: tag connection-tagged packet records with their MPTCP
 * connection and subflow, and widen DSN / DATA_ACK to 64 bits; or, with
 * -s, list the subflows. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "columns.h"
#include "mpjoin.h"
#include "out.h"
#include "pktfmt.h"
#include "pktread.h"
#include "source.h"
#include "tsv.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: mptcp-join [-hs] [-A time] [-B time] [-b filter] [-g grace_s] "
	    "[-i idle_s] [--capture name] [--schema] [--version] [file ...]\n");
	exit(status);
}

/* The packet columns the engine reads; all come from pcap2pkt. */
static const int need[] = {
	COL_FRAME, COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT,
	COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_MPTCP, COL_MPC_VER, COL_MPC_FLAGS,
	COL_MPC_CSUM,
	COL_MPC_SKEY, COL_MPC_RKEY, COL_MPC_DLEN, COL_MPJ_TOKEN, COL_MPJ_NONCE,
	COL_MPJ_ID, COL_MPJ_BACKUP, COL_MPJ_HMAC, COL_DSS_FLAGS, COL_DACK,
	COL_DACK_W, COL_DSN, COL_DSN_W, COL_DLEN, COL_PRIO_BACKUP, COL_PRIO_ID,
	COL_TCPRST_REASON, -1
};

/* ...and the ones they only pass on to the records when present (the
 * capture's interface of the first packet): not required, so records of
 * an older pcap2pkt still do */
static const int use[] = {
	COL_FRAME, COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT,
	COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_MPTCP, COL_MPC_VER, COL_MPC_FLAGS,
	COL_MPC_CSUM,
	COL_MPC_SKEY, COL_MPC_RKEY, COL_MPC_DLEN, COL_MPJ_TOKEN, COL_MPJ_NONCE,
	COL_MPJ_ID, COL_MPJ_BACKUP, COL_MPJ_HMAC, COL_DSS_FLAGS, COL_DACK,
	COL_DACK_W, COL_DSN, COL_DSN_W, COL_DLEN, COL_PRIO_BACKUP, COL_PRIO_ID,
	COL_TCPRST_REASON, 	COL_IFINDEX, COL_IFNAME, -1
};

static void print_conn(struct mpj_conn *mc, void *ctx)
{
	(void)ctx;
	mpj_sf_rows(&out_stdout, mc);
}


/* The packet as the pipeline would have printed it: the input line, or
 * pcap2pkt's columns plus flowsplit's in capture mode. */
static void print_input(const struct source *s, const struct pkt_writer *w,
    const struct pkt *p, const struct pkt_meta *m)
{
	struct out *o = &out_stdout;
	if (!s->from_capture) {
		size_t n = s->tsv.reclen;
		if (n && s->tsv.rec[n - 1] == '\r')
			n--;
		out_mem(o, s->tsv.rec, n);
		return;
	}
	/* the writer ends the record with a newline, the last byte it put
	 * in the buffer (it flushes only before writing): take it back */
	pkt_writer_record(w, o, p);
	o->len--;
	flow_tags_write(o, m->conn, m->dir, m->hs);
}

static void print_header(const struct source *s, const struct pkt_writer *w)
{
	struct out *o = &out_stdout;
	if (s->from_capture) {
		pkt_writer_header(w, o);
		o->len--;
		col_part_header(o, &flow_tag_part);
	} else {
		size_t n = s->tsv.headerlen;
		if (n && s->tsv.header[n - 1] == '\r')
			n--;
		out_mem(o, s->tsv.header, n);
	}
	col_part_header(o, &mpj_tag_part);
	out_nl(o);
}

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	int table = 0, schema = 0, ch;

	struct capture_sel sel = { 0 };

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:g:hi:s", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'g':
			fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'i':
			fo.idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 's':
			table = 1;
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
	/* the packet records pass through as they came: no column of ours */
	if (col_capture_len && !table)
		errx(2, "--capture: only with -s (the subflow table)");

	if (schema) {
		/* the packet record as pcap2pkt | flowsplit or a capture gives it */
		const struct record_def tagged = { 3, { pkt_default_part, flow_tag_part, mpj_tag_part } };
		record_schema(&out_stdout, table ? &mpj_sf_def : &tagged);
		out_close(&out_stdout);
		return 0;
	}

	struct source src;
	struct pkt_writer w;
	struct mpj j;
	struct pkt p;
	struct pkt_meta m;
	struct mpj_res r;
	const char *bad;
	size_t badlen;

	source_open(&src, argc ? argv : NULL, &fo, &sel, need);
	if (!src.from_capture) {
		pkt_cols_restrict(&src.cols, use);
		source_want(&src);
	}
	if (!src.from_capture && tsv_col(&src.tsv, "mpconn") >= 0)
		errx(1, "%s: input already has an 'mpconn' column", src.tsv.path);
	if (pkt_writer_init(&w, NULL, 0, &bad, &badlen) < 0)
		errx(1, "internal error: packet columns");
	mpj_init(&j, &fo, table ? print_conn : NULL, NULL);
	if (table)
		mpj_sf_header(&out_stdout);
	else
		print_header(&src, &w);
	while (source_next(&src, &p, &m)) {
		mpj_packet(&j, &p, &m, &r);
		if (table)
			continue;
		print_input(&src, &w, &p, &m);
		mpj_tags_write(&out_stdout, &r);
	}
	mpj_finish(&j);
	int status = source_close(&src);
	out_close(&out_stdout);
	return status;
}
