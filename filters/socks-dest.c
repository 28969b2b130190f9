/* socks-dest: the destination each connection asked its Shadowsocks
 * proxy for. The original scripts' proxy used the old "table" cipher, a byte
 * substitution derived from MD5(password), so the first client payload
 * of a connection decrypts to the Shadowsocks request header: address
 * type, address, port. One record per connection; see socks-dest(1). */
#include <err.h>
#include <nettle/md5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "hash.h"
#include "out.h"
#include "tsv.h"
#include "util.h"

#define IDLE_DEFAULT 300.0 /* flowsplit's -i default */
#define ADDRMAX 48         /* inet_ntop text of an IPv6 address, and a NUL */

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: socks-dest [-hT] [-C config] [-i idle_s] [-k password] [file]\n");
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

/* ---- Connections: pending (no client payload yet) or done, found by
 * conn id. Entries idle longer than idle_s are swept, pending ones with a
 * no_payload record, so memory follows concurrent connections. */

struct conn {
	uint64_t id;
	int64_t last_ns;
	uint8_t used, done, ipv;
	uint64_t mpconn; /* 0: none */
	int subflow;     /* -1: none */
	char c_addr[ADDRMAX], s_addr[ADDRMAX];
	unsigned c_port, s_port;
};

struct ctab {
	struct conn *slot;
	size_t cap, n;
	int64_t idle_ns, next_sweep, now;
};

struct cols {
	int conn, dir, ts, ipv, src, dst, sport, dport, len, payload;
	int frame;           /* -1: none, then the order is not checked */
	int mpconn, subflow; /* -1 without mptcp-join */
};


static struct conn *ct_find(const struct ctab *t, uint64_t id)
{
	size_t i = (size_t)hash_u64(id) & (t->cap - 1); /* ids may be crafted */
	while (t->slot[i].used && t->slot[i].id != id)
		i = (i + 1) & (t->cap - 1);
	return &t->slot[i];
}

/* Rehashes the live entries into a table of cap slots. */
static void ct_rebuild(struct ctab *t, size_t cap)
{
	struct conn *old = t->slot;
	size_t ocap = t->cap;
	t->slot = xcalloc(cap, sizeof *t->slot);
	t->cap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*ct_find(t, old[i].id) = old[i];
	free(old);
}

/* ---- Output */

static void header(const struct cols *c)
{
	out_str(&out_stdout, "conn\tipv\tc_addr\tc_port\ts_addr\ts_port");
	if (c->mpconn >= 0)
		out_str(&out_stdout, "\tmpconn\tsubflow");
	out_str(&out_stdout, "\treq_ts\tsocks_atyp\tsocks_addr\tsocks_port\tsocks_ok\tsocks_err\n");
}

static void put_req(const struct req *r, enum why w)
{
	struct out *o = &out_stdout;
	static const char *const atyp[] = { [AT_IPV4] = "ipv4", [AT_DOMAIN] = "domain",
		[AT_IPV6] = "ipv6" };
	if (w != OK) {
		out_str(o, "-\t-\t-\t0\t");
		out_str(o, why_name[w]);
		return;
	}
	out_str(o, atyp[r->atyp]);
	out_tab(o);
	if (r->atyp == AT_DOMAIN)
		out_str(o, (const char *)r->addr);
	else
		out_addr(o, r->atyp == AT_IPV4 ? 4 : 6, r->addr);
	out_tab(o);
	out_u64(o, r->port);
	out_str(o, "\t1\t-");
}

/* One record; ts is the request packet's timestamp field, or NULL. */
static void put_conn(const struct conn *e, const struct cols *c, const char *ts,
    size_t tslen, const struct req *r, enum why w)
{
	struct out *o = &out_stdout;
	out_u64(o, e->id);
	out_tab(o);
	out_u64(o, e->ipv);
	out_tab(o);
	out_str(o, e->c_addr);
	out_tab(o);
	out_u64(o, e->c_port);
	out_tab(o);
	out_str(o, e->s_addr);
	out_tab(o);
	out_u64(o, e->s_port);
	if (c->mpconn >= 0) {
		out_tab(o);
		if (e->mpconn)
			out_u64(o, e->mpconn);
		else
			out_dash(o);
		out_tab(o);
		if (e->subflow >= 0)
			out_u64(o, (uint64_t)e->subflow);
		else
			out_dash(o);
	}
	out_tab(o);
	if (ts)
		out_mem(o, ts, tslen);
	else
		out_dash(o);
	out_tab(o);
	put_req(r, w);
	out_nl(o);
}

static int cmp_conn(const void *a, const void *b)
{
	uint64_t x = (*(const struct conn *const *)a)->id;
	uint64_t y = (*(const struct conn *const *)b)->id;
	return x < y ? -1 : x > y;
}

/* Drops entries idle since before `before` (all with INT64_MAX); pending
 * ones get their no_payload record, in conn id order. */
static void ct_sweep(struct ctab *t, const struct cols *c, int64_t before)
{
	struct conn **emit = xcalloc(t->n + 1, sizeof *emit);
	size_t ne = 0, live = 0;
	struct req none;
	memset(&none, 0, sizeof none);
	for (size_t i = 0; i < t->cap; i++) {
		struct conn *e = &t->slot[i];
		if (!e->used)
			continue;
		if (e->last_ns >= before) {
			live++;
			continue;
		}
		if (!e->done)
			emit[ne++] = e;
		else
			e->used = 0;
	}
	qsort(emit, ne, sizeof *emit, cmp_conn);
	for (size_t i = 0; i < ne; i++) {
		put_conn(emit[i], c, NULL, 0, &none, NO_PAYLOAD);
		emit[i]->used = 0;
	}
	free(emit);
	t->n = live;
	size_t cap = 64;
	while (cap < 4 * live)
		cap *= 2;
	ct_rebuild(t, cap);
}

/* ---- Input */

static void bind_cols(struct cols *c, const struct tsv *in)
{
	c->conn = tsv_need(in, "conn", "flowsplit");
	c->dir = tsv_need(in, "dir", "flowsplit");
	c->ts = tsv_need(in, "ts", "pcap2pkt");
	c->ipv = tsv_need(in, "ipv", "pcap2pkt");
	c->src = tsv_need(in, "src", "pcap2pkt");
	c->dst = tsv_need(in, "dst", "pcap2pkt");
	c->sport = tsv_need(in, "sport", "pcap2pkt");
	c->dport = tsv_need(in, "dport", "pcap2pkt");
	c->len = tsv_need(in, "len", "pcap2pkt");
	c->payload = tsv_need(in, "payload", "pcap2pkt -x N");
	c->frame = tsv_col(in, "frame");
	c->mpconn = tsv_col(in, "mpconn");
	c->subflow = tsv_col(in, "subflow");
	if ((c->mpconn < 0) != (c->subflow < 0))
		errx(1, "%s: input has only one of the columns 'mpconn' and 'subflow' "
		    "(made by mptcp-join)", in->path);
}

static void copy_addr(const struct tsv *in, int col, char *dst)
{
	if (in->f[col].n >= ADDRMAX)
		tsv_bad(in, col, "not an address:");
	memcpy(dst, in->f[col].p, in->f[col].n);
	dst[in->f[col].n] = 0;
}

static unsigned port_of(const struct tsv *in, int col)
{
	uint64_t v = tsv_u64(in, col);
	if (v > 65535)
		tsv_bad(in, col, "not a port:");
	return (unsigned)v;
}

/* A new entry, its tuple oriented by the record's direction. */
static void conn_init(struct conn *e, uint64_t id, const struct tsv *in,
    const struct cols *c, int c2s)
{
	memset(e, 0, sizeof *e);
	e->used = 1;
	e->id = id;
	e->ipv = (uint8_t)tsv_u64(in, c->ipv);
	copy_addr(in, c2s ? c->src : c->dst, e->c_addr);
	copy_addr(in, c2s ? c->dst : c->src, e->s_addr);
	e->c_port = port_of(in, c2s ? c->sport : c->dport);
	e->s_port = port_of(in, c2s ? c->dport : c->sport);
	e->subflow = -1;
}

/* mptcp-join tags a connection once its MPTCP role is known, which may
 * be after its first packets: keep the latest tags. */
static void conn_tags(struct conn *e, const struct tsv *in, const struct cols *c)
{
	if (c->mpconn < 0 || tsv_dash(in, c->mpconn))
		return;
	e->mpconn = tsv_u64(in, c->mpconn);
	uint64_t sf = tsv_u64(in, c->subflow);
	if (sf > 1000000)
		tsv_bad(in, c->subflow, "subflow index out of range:");
	e->subflow = (int)sf;
}


/* Decodes the payload field through the decryption table; returns the
 * number of bytes (0 for "-"). */
static size_t payload_bytes(const struct tsv *in, int col, const uint8_t dec[256],
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

/* The first client payload of a pending connection: decode and report. */
static void request(struct conn *e, const struct tsv *in, const struct cols *c,
    const uint8_t dec[256], uint64_t len)
{
	uint8_t buf[2 + 255 + 2];
	struct req r;
	enum why w;
	if (e->subflow > 0) {
		/* an MPTCP join carries data from the middle of the stream */
		memset(&r, 0, sizeof r);
		w = JOIN;
	} else {
		size_t n = payload_bytes(in, c->payload, dec, buf, sizeof buf);
		w = parse_req(buf, n, len, &r);
	}
	put_conn(e, c, in->f[c->ts].p, in->f[c->ts].n, &r, w);
	e->done = 1;
}

static void run(const char *path, const uint8_t dec[256], double idle_s)
{
	struct tsv in;
	struct cols c;
	struct ctab t = { .idle_ns = seconds_to_ns(idle_s), .next_sweep = INT64_MIN };
	tsv_open(&in, path);
	if (in.ncols == 0)
		errx(1, "%s: empty input: no header line", in.path);
	bind_cols(&c, &in);
	ct_rebuild(&t, 64);
	header(&c);
	while (tsv_next(&in)) {
		int64_t sec;
		uint32_t nsec;
		uint8_t digits;
		if (c.frame >= 0 && !tsv_dash(&in, c.frame))
			tsv_frame_order(&in, c.frame, tsv_u64(&in, c.frame));
		tsv_ts(&in, c.ts, &sec, &nsec, &digits);
		int64_t now = sec * 1000000000 + nsec;
		if (now > t.now)
			t.now = now;
		if (t.now >= t.next_sweep) {
			if (t.next_sweep != INT64_MIN)
				ct_sweep(&t, &c, t.now - t.idle_ns);
			int64_t step = t.idle_ns / 4 > 1000000000 ? t.idle_ns / 4 : 1000000000;
			t.next_sweep = t.now > INT64_MAX - step ? INT64_MAX : t.now + step;
		}
		int c2s = tsv_eq(&in, c.dir, "c2s");
		if (!c2s && !tsv_eq(&in, c.dir, "s2c"))
			tsv_bad(&in, c.dir, "expected c2s or s2c, got");
		uint64_t id = tsv_u64(&in, c.conn);
		struct conn *e = ct_find(&t, id);
		if (!e->used) {
			if (4 * (t.n + 1) > 3 * t.cap) {
				ct_rebuild(&t, 2 * t.cap);
				e = ct_find(&t, id);
			}
			conn_init(e, id, &in, &c, c2s);
			t.n++;
		}
		e->last_ns = t.now;
		if (e->done)
			continue;
		conn_tags(e, &in, &c);
		uint64_t len = tsv_u64(&in, c.len);
		if (c2s && len > 0)
			request(e, &in, &c, dec, len);
	}
	ct_sweep(&t, &c, INT64_MAX);
	free(t.slot);
	tsv_close(&in);
}

int main(int argc, char *argv[])
{
	const char *cfile = NULL, *password = NULL;
	double idle_s = IDLE_DEFAULT;
	int table = 0, ch;

	tool_init(argv[0]);
	while ((ch = getopt(argc, argv, "C:hi:k:T")) != -1) {
		switch (ch) {
		case 'C':
			cfile = optarg;
			break;
		case 'i':
			idle_s = parse_seconds_arg("-i", optarg);
			break;
		case 'k':
			password = optarg;
			break;
		case 'T':
			table = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (table && argc))
		usage(2);

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
		run(argc ? argv[0] : "-", dec, idle_s);
	}
	out_close(&out_stdout);
	config_free(&cfg);
	return 0;
}
