/* socks-dest: the destination each connection asked its Shadowsocks
 * proxy for. The original scripts' proxy used the old "table" cipher, a byte
 * substitution derived from MD5(password), so the first client payload
 * of a connection decrypts to the Shadowsocks request header: address
 * type, address, port. One record per connection; see socks-dest(1).
 * Packets come from the shared source (records of pcap2pkt -x N |
 * flowsplit [| mptcp-join], or captures decoded and split in-process,
 * joined by mptcp-join's engine), and connections live in a flow table
 * ended by the same rules as every other connection-level filter's. */
#include <err.h>
#include <nettle/md5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "columns.h"
#include "config.h"
#include "flow.h"
#include "mpjoin.h"
#include "out.h"
#include "pktread.h"
#include "source.h"
#include "tsv.h"
#include "util.h"

/* The longest request header: type, length, a 255-byte name, port. A
 * capture read directly gives its first payload bytes up to this many,
 * as pcap2pkt -x 259 would. */
#define REQ_MAX (2 + 255 + 2)

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: socks-dest [-h] [-A time] [-B time] [-b filter] "
	    "[-C config] [-g grace_s] [-i idle_s] [-k password] [--capture name] [--schema] [--version] [file ...]\n"
	    "       socks-dest -T [-C config] [-k password]\n");
	exit(status);
}

/* ---- The table cipher */

/* Shadowsocks' get_table: the byte values stably sorted by a % (x + i)
 * for i = 1..1023 in turn. A key is below x + i <= 1278, so a counting
 * sort does each pass in linear time and is stable by construction. */
static void make_table(const char *password, uint8_t enc[256], uint8_t dec[256])
{
	struct md5_ctx md5;
	uint8_t digest[MD5_DIGEST_SIZE], tmp[256];
	uint64_t a = 0;
	md5_init(&md5);
	md5_update(&md5, strlen(password), (const uint8_t *)password);
	md5_digest(&md5, sizeof digest, digest);
	for (int i = 7; i >= 0; i--)
		a = a << 8 | digest[i]; /* little-endian */
	for (int x = 0; x < 256; x++)
		enc[x] = (uint8_t)x;
	for (unsigned i = 1; i < 1024; i++) {
		static unsigned count[256 + 1024 + 1];
		unsigned key[256];
		memset(count, 0, sizeof count);
		for (int j = 0; j < 256; j++) {
			key[j] = (unsigned)(a % (enc[j] + i));
			count[key[j] + 1]++;
		}
		for (size_t k = 1; k < sizeof count / sizeof count[0]; k++)
			count[k] += count[k - 1];
		for (int j = 0; j < 256; j++)
			tmp[count[key[j]]++] = enc[j];
		memcpy(enc, tmp, 256);
	}
	for (int x = 0; x < 256; x++)
		dec[enc[x]] = (uint8_t)x;
}

/* ---- The request header */

enum why {
	OK, NO_PAYLOAD, NOT_CAPTURED, TRUNCATED, SHORT, BAD_ATYP, BAD_ADDR,
	BAD_PORT, JOIN
};
static const char *const why_name[] = {
	"-", "no_payload", "not_captured", "truncated", "short", "bad_atyp",
	"bad_addr", "bad_port", "join"
};

enum atyp { AT_NONE, AT_IPV4 = 1, AT_DOMAIN = 3, AT_IPV6 = 4 };

struct req {
	int atyp;
	uint8_t addr[256]; /* 4 or 16 bytes, or the name (NUL-terminated) */
	unsigned port;
};

static int host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* Why check addresses at all: the cipher has no integrity check, so a
 * wrong password yields random bytes; these rules turn nearly all of them
 * into a failure instead of a plausible-looking destination. */
static enum why check_addr(const struct req *r, size_t alen)
{
	const uint8_t *a = r->addr;
	switch (r->atyp) {
	case AT_IPV4: /* not 0/8, not multicast, reserved or broadcast */
		return a[0] == 0 || a[0] >= 224 ? BAD_ADDR : OK;
	case AT_IPV6: { /* not ::, not multicast */
		static const uint8_t zero[16];
		return a[0] == 0xff || memcmp(a, zero, 16) == 0 ? BAD_ADDR : OK;
	}
	default: /* a host name: letters, digits, - . _ and no empty label */
		if (alen == 0 || a[0] == '.' || memmem(a, alen, "..", 2))
			return BAD_ADDR;
		for (size_t i = 0; i < alen; i++)
			if (!host_char(a[i]))
				return BAD_ADDR;
		return OK;
	}
}

/* Parses the decrypted header. cap bytes were captured of a payload of
 * len bytes: a header longer than the payload is garbage (short), one
 * longer than the capture needs a larger pcap2pkt -x (truncated). */
static enum why parse_req(const uint8_t *p, size_t cap, uint64_t len, struct req *r)
{
	size_t need, alen, off = 1;
	memset(r, 0, sizeof *r);
	if (cap < 1)
		return NOT_CAPTURED;
	switch (p[0]) {
	case AT_IPV4: alen = 4; break;
	case AT_IPV6: alen = 16; break;
	case AT_DOMAIN:
		if (cap < 2)
			return len < 2 ? SHORT : TRUNCATED;
		alen = p[1];
		off = 2;
		break;
	default:
		return BAD_ATYP;
	}
	need = off + alen + 2;
	if (need > len)
		return SHORT;
	if (need > cap)
		return TRUNCATED;
	r->atyp = p[0];
	memcpy(r->addr, p + off, alen);
	r->port = (unsigned)p[off + alen] << 8 | p[off + alen + 1];
	enum why w = check_addr(r, alen);
	if (w == OK && r->port == 0)
		w = BAD_PORT;
	if (w != OK)
		r->atyp = AT_NONE;
	return w;
}

/* ---- Connections: the client payload not seen yet, or the request
 * decoded (done); ended by the flow table's rules, a pending one with a
 * no_payload record. */

struct sconn {
	uint8_t done, ipv;
	uint8_t c_addr[16], s_addr[16]; /* pkt_endpoints' form */
	uint16_t c_port, s_port;
	uint64_t mpconn; /* 0: none */
	int subflow;     /* -1: none */
};

/* ---- Output: the record's column table */

/* One record: the connection, its request (or why none). */
struct srec {
	uint64_t id;
	const struct sconn *c;
	const struct req *r;
	enum why w;
	int has_ts;
	int64_t ts_ns;
	int digits;
};

static void put_atyp(struct out *o, const struct srec *v)
{
	static const char *const atyp[] = { [AT_IPV4] = "ipv4", [AT_DOMAIN] = "domain",
		[AT_IPV6] = "ipv6" };
	if (v->w == OK)
		out_str(o, atyp[v->r->atyp]);
	else
		out_dash(o);
}

static void put_dest(struct out *o, const struct srec *v)
{
	if (v->w != OK)
		out_dash(o);
	else if (v->r->atyp == AT_DOMAIN)
		out_str(o, (const char *)v->r->addr);
	else
		out_addr(o, v->r->atyp == AT_IPV4 ? 4 : 6, v->r->addr);
}

#define SOCKS_CONN_COLUMNS(X) \
	X(conn, ID, "-", "TCP connection id (flowsplit)", out_u64(o, v->id)) \
	X(ipv, INT, "-", "IP version, 4 or 6", out_u64(o, v->c->ipv)) \
	X(c_addr, ADDR, "-", "client address", out_addr(o, v->c->ipv, v->c->c_addr)) \
	X(c_port, PORT, "-", "client port", out_u64(o, v->c->c_port)) \
	X(s_addr, ADDR, "-", "server (proxy) address", out_addr(o, v->c->ipv, v->c->s_addr)) \
	X(s_port, PORT, "-", "server (proxy) port", out_u64(o, v->c->s_port))

/* Only with mptcp-join's tags: in its records, or a capture read directly. */
#define SOCKS_MPJ_COLUMNS(X) \
	X(mpconn, ID, "-", "MPTCP connection id (mptcp-join) as of the request", \
	    out_opt_u64(o, v->c->mpconn != 0, v->c->mpconn)) \
	X(subflow, ID, "-", "subflow index in that MPTCP connection, 0 first", \
	    out_opt_u64(o, v->c->subflow >= 0, (uint64_t)v->c->subflow))

#define SOCKS_REQ_COLUMNS(X) \
	X(req_ts, TS, "s", "time of the request packet (the first client payload)", \
	    out_opt_ts(o, v->has_ts, v->ts_ns, v->digits)) \
	X(socks_atyp, TEXT, "-", "requested address type: ipv4, ipv6 or domain", put_atyp(o, v)) \
	X(socks_addr, TEXT, "-", "requested address (inet_ntop form) or host name", put_dest(o, v)) \
	X(socks_port, PORT, "-", "requested port", \
	    v->w == OK ? out_u64(o, v->r->port) : out_dash(o)) \
	X(socks_ok, BOOL, "-", "a request was decoded", out_chr(o, v->w == OK ? '1' : '0')) \
	X(socks_err, TEXT, "-", "why not (no_payload, not_captured, truncated, short, bad_atyp, " \
	    "bad_addr, bad_port, join); - when decoded", out_str(o, why_name[v->w]))

static const struct column conn_cols[] = { SOCKS_CONN_COLUMNS(COL_ROW) };
static const struct column mpj_cols[] = { SOCKS_MPJ_COLUMNS(COL_ROW) };
static const struct column req_cols[] = { SOCKS_REQ_COLUMNS(COL_ROW) };
static const struct record_def rec_plain = { 2, { COL_PART(conn_cols, 0), COL_PART(req_cols, 0) } };
static const struct record_def rec_tagged = { 3, { COL_PART(conn_cols, 0), COL_PART(mpj_cols, 0),
	COL_PART(req_cols, 0) } };

static void put_record(struct out *o, const struct srec *v, int tags)
{
	int sep = 0;
	SOCKS_CONN_COLUMNS(COL_EMIT)
	if (tags) {
		SOCKS_MPJ_COLUMNS(COL_EMIT)
	}
	SOCKS_REQ_COLUMNS(COL_EMIT)
	out_nl(o);
}

/* ---- Input */

struct run {
	struct out *o;
	int tags;                 /* mptcp-join's columns: read and written */
	int c_payload;            /* records: the payload column */
	int c_mpconn, c_subflow;  /* records: mptcp-join's, or -1 */
	const uint8_t *dec;       /* the decryption table */
};

/* A connection ended (closed and quiet, idle, or end of input): one
 * without a request gets its no_payload record now. */
static void on_end(struct flow *f, void *ctx)
{
	const struct run *run = ctx;
	struct sconn *c = f->user;
	if (!c->done) {
		struct req none;
		memset(&none, 0, sizeof none);
		struct srec v = { f->id, c, &none, NO_PAYLOAD, 0, 0, 6 };
		put_record(run->o, &v, run->tags);
	}
	free(c);
}

/* A new connection, its tuple oriented by the first packet's direction. */
static struct sconn *conn_new(const struct pkt *p, int dir)
{
	struct sconn *c = xcalloc(1, sizeof *c);
	c->ipv = p->ipv;
	pkt_endpoints(p, dir, c->c_addr, c->s_addr, &c->c_port, &c->s_port);
	c->subflow = -1;
	return c;
}

/* mptcp-join tags a connection once its MPTCP role is known, which may
 * be after its first packets: keep the latest tags. */
static void tags_from_records(struct sconn *c, const struct tsv *in, const struct run *run)
{
	if (tsv_dash(in, run->c_mpconn))
		return;
	c->mpconn = tsv_u64(in, run->c_mpconn);
	uint64_t sf = tsv_u64(in, run->c_subflow);
	if (sf > 1000000)
		tsv_bad(in, run->c_subflow, "subflow index out of range:");
	c->subflow = (int)sf;
}

/* Decodes the payload field through the decryption table; returns the
 * number of bytes (0 for "-"). */
static size_t payload_from_record(const struct tsv *in, int col, const uint8_t dec[256],
    uint8_t *buf, size_t max)
{
	const char *p = in->f[col].p;
	size_t n = in->f[col].n;
	if (tsv_dash(in, col))
		return 0;
	if (n % 2)
		tsv_bad(in, col, "odd number of hex digits:");
	if (n / 2 < max)
		max = n / 2;
	for (size_t i = 0; i < max; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			tsv_bad(in, col, "not hex:");
		buf[i] = dec[hi << 4 | lo];
	}
	return max;
}

/* The captured payload bytes of a decoded frame, decrypted. */
static size_t payload_from_capture(const struct pkt *p, const uint8_t dec[256],
    uint8_t *buf, size_t max)
{
	size_t n = p->payload_caplen < max ? p->payload_caplen : max;
	for (size_t i = 0; i < n; i++)
		buf[i] = dec[p->payload[i]];
	return n;
}

/* The first client payload of a pending connection: decode and report. */
static void request(uint64_t id, struct sconn *c, const struct pkt *p,
    const struct source *src, const struct run *run)
{
	uint8_t buf[REQ_MAX];
	struct req r;
	enum why w;
	if (c->subflow > 0) {
		/* an MPTCP join carries data from the middle of the stream */
		memset(&r, 0, sizeof r);
		w = JOIN;
	} else {
		size_t n = src->from_capture ? payload_from_capture(p, run->dec, buf, sizeof buf) :
		    payload_from_record(&src->tsv, run->c_payload, run->dec, buf, sizeof buf);
		w = parse_req(buf, n, p->len, &r);
	}
	struct srec v = { id, c, &r, w, 1, pkt_time_ns(p), p->ts_digits == 9 ? 9 : 6 };
	put_record(run->o, &v, run->tags);
	c->done = 1;
}

/* The packet columns read from records; the flags, when there, for the
 * end rules (without them connections end by the idle timeout only). */
static const int need[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_LEN, -1
};
static const int use[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_LEN, COL_FLAGS, -1
};

static void bind_records(struct source *src, struct run *run)
{
	struct tsv *in = &src->tsv;
	pkt_cols_restrict(&src->cols, use);
	source_want(src);
	run->c_payload = tsv_need(in, "payload", "pcap2pkt -x N");
	run->c_mpconn = tsv_col(in, "mpconn");
	run->c_subflow = tsv_col(in, "subflow");
	if ((run->c_mpconn < 0) != (run->c_subflow < 0))
		errx(1, "%s: input has only one of the columns 'mpconn' and 'subflow' "
		    "(made by mptcp-join)", in->path);
	tsv_want(in, run->c_payload);
	run->tags = run->c_mpconn >= 0;
	if (run->tags) {
		tsv_want(in, run->c_mpconn);
		tsv_want(in, run->c_subflow);
	}
}

static int run_source(char **files, const struct flow_opts *fo, const struct capture_sel *sel,
    const uint8_t dec[256])
{
	struct source src;
	struct flowtab tab;
	struct mpj j;
	struct pkt p;
	struct pkt_meta m;
	struct mpj_res mr;
	struct run run = { &out_stdout, 1, -1, -1, -1, dec };

	source_open(&src, files, fo, sel, need);
	if (src.from_capture)
		mpj_init(&j, fo, NULL, NULL); /* the tags mptcp-join would add */
	else
		bind_records(&src, &run);
	flowtab_init(&tab, fo->idle_s, fo->grace_s, on_end, &run);
	record_header(run.o, run.tags ? &rec_tagged : &rec_plain);
	while (source_next(&src, &p, &m)) {
		int created;
		struct flow *f = flowtab_follow(&tab, &p, &m, &created);
		if (created)
			f->user = conn_new(&p, m.dir);
		struct sconn *c = f->user;
		if (src.from_capture) {
			mpj_packet(&j, &p, &m, &mr);
			if (!c->done && mr.mpconn) {
				c->mpconn = mr.mpconn;
				c->subflow = mr.subflow;
			}
		} else if (run.tags && !c->done) {
			tags_from_records(c, &src.tsv, &run);
		}
		if (!c->done && m.dir == DIR_C2S && p.len > 0)
			request(m.conn, c, &p, &src, &run);
	}
	flowtab_finish(&tab);
	if (src.from_capture)
		mpj_finish(&j);
	return source_close(&src);
}

int main(int argc, char *argv[])
{
	struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };
	struct capture_sel sel = { 0 };
	const char *cfile = NULL, *password = NULL;
	int table = 0, schema = 0, status = 0, ch;

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:C:g:hi:k:T", table_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'C':
			cfile = optarg;
			break;
		case 'g':
			fo.grace_s = parse_seconds_arg("-g", optarg);
			break;
		case 'i':
			fo.idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 'k':
			password = optarg;
			break;
		case 'T':
			table = 1;
			break;
		case OPT_SCHEMA:
			schema = 1;
			break;
		case OPT_CAPTURE:
			col_set_capture(optarg);
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (table && argc)
		usage(2);
	if (schema) {
		/* the record of a capture, or of records tagged by mptcp-join;
		 * without mptcp-join's columns, mpconn and subflow are left out */
		record_schema(&out_stdout, &rec_tagged);
		out_close(&out_stdout);
		return 0;
	}

	struct config cfg;
	config_load(&cfg, cfile);
	if (password)
		config_flag(&cfg, CFG_SOCKS_PASSWORD, password);
	password = config_str(&cfg, CFG_SOCKS_PASSWORD);
	if (!password)
		errx(2, "no password: give -k or socks_password in the config file%s%s",
		    cfg.path ? " " : "", cfg.path ? cfg.path : "");

	uint8_t enc[256], dec[256];
	make_table(password, enc, dec);
	if (table) {
		out_hex(&out_stdout, enc, sizeof enc);
		out_nl(&out_stdout);
	} else {
		status = run_source(argc ? argv : NULL, &fo, &sel, dec);
	}
	out_close(&out_stdout);
	config_free(&cfg);
	return status;
}
