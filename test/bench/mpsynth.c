/* mpsynth: a synthetic capture of many concurrent MPTCP v1 connections for
 * `make bench` (memory per connection). Raw IPv4 (LINKTYPE_RAW), headers
 * only (payload lengths from the IP header, as with a short snap length).
 *
 * usage: mpsynth [-n conns] [-j every] [-t truth.tsv] out.pcap
 *
 * Every connection: SYN / SYN-ACK / ACK with MP_CAPABLE v1 (no checksums,
 * HMAC-SHA256), the client's first data with MP_CAPABLE and its data-level
 * length (as Linux sends it), then DSS mappings and DATA_ACKs derived from
 * the keys' IDSNs, DATA_FIN both ways, FIN both ways. Every `every`-th
 * connection also opens an MP_JOIN subflow (token of the server's key,
 * HMACs as RFC 8684 section 3.2 defines them) that carries one segment.
 * Each step is taken for every connection before the next step starts, so
 * all of them are open at once. Keys come from a fixed-seed generator and
 * are drawn again when a token repeats, as a real stack would: the output
 * is the same on every run. The truth file gives, per connection, the
 * keys, tokens and IDSNs, to check the capture against tshark. */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVER_ADDR 0xC0000201u	/* 192.0.2.1 */
#define SERVER_PORT 443
#define SNAPLEN 128
#define LINKTYPE_RAW 101

/* data per connection: two client segments on the first subflow, one on
 * the join subflow when there is one, two server segments */
enum { C1 = 1000, C2 = 1200, C3 = 800, S1 = 1400, S2 = 600 };

struct conn {
	uint64_t key_c, key_s, idsn_c, idsn_s;
	uint32_t tok_c, tok_s;
	uint32_t isn_c, isn_s, jisn_c, jisn_s;	/* first and join subflow */
	uint32_t nonce_c, nonce_s;
	uint32_t caddr, jcaddr;
	uint16_t cport;
	int join;
};

static FILE *out;
static uint64_t now_us = 1700000000ull * 1000000;
static uint16_t ip_id;
static unsigned long long npkts;

static uint64_t rng_state = 0x6d707463702d6265ull;

/* splitmix64: small, fixed sequence for a fixed seed */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v >> 32); put32(p + 4, v); }

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* RFC 8684 3.1: token = most significant 32 bits of SHA-256(key), IDSN =
 * least significant 64 bits; the key hashed in network byte order */
static void key_hash(uint64_t key, uint32_t *token, uint64_t *idsn)
{
	uint8_t k[8], d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;

	put64(k, key);
	sha256_init(&c);
	sha256_update(&c, sizeof k, k);
	sha256_digest(&c, sizeof d, d);
	*token = (uint32_t)(get64(d) >> 32);
	*idsn = get64(d + SHA256_DIGEST_SIZE - 8);
}

/* RFC 8684 3.2: HMAC-SHA256 keyed with (key_a || key_b) over
 * (nonce_a || nonce_b) */
static void join_hmac(uint64_t key_a, uint64_t key_b, uint32_t r_a,
    uint32_t r_b, uint8_t d[SHA256_DIGEST_SIZE])
{
	uint8_t k[16], m[8];
	struct hmac_sha256_ctx c;

	put64(k, key_a);
	put64(k + 8, key_b);
	put32(m, r_a);
	put32(m + 4, r_b);
	hmac_sha256_set_key(&c, sizeof k, k);
	hmac_sha256_update(&c, sizeof m, m);
	hmac_sha256_digest(&c, SHA256_DIGEST_SIZE, d);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One packet. The TCP checksum is the one of a payload of zero bytes
 * (which add nothing to the sum), so it is valid for that payload. */
static void emit(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *opt,
    size_t optlen, unsigned paylen)
{
	uint8_t rec[16 + SNAPLEN];
	uint8_t *ip = rec + 16, *tcp = ip + 20;
	size_t hl = 20 + optlen, caplen = 20 + hl, len = caplen + paylen;

	if (optlen % 4 || optlen > 40)
		errx(1, "bad option length %zu", optlen);
	memset(rec, 0, 16 + caplen);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)len);
	put16(ip + 4, ip_id++);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)(hl / 4) << 4;
	tcp[13] = flags;
	put16(tcp + 14, 502);
	memcpy(tcp + 20, opt, optlen);
	uint8_t pseudo[12];
	put32(pseudo, src);
	put32(pseudo + 4, dst);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, (uint16_t)(hl + paylen));
	put16(tcp + 16, fold(sum16(tcp, hl, sum16(pseudo, 12, 0))));

	uint32_t h[4] = { (uint32_t)(now_us / 1000000), (uint32_t)(now_us % 1000000),
		(uint32_t)caplen, (uint32_t)len };
	memcpy(rec, h, sizeof h);
	if (fwrite(rec, 16 + caplen, 1, out) != 1)
		err(1, "write");
	now_us += 1;
	npkts++;
}

enum { F_FIN = 1, F_SYN = 2, F_PSH = 8, F_ACK = 16 };
enum { DSS_A = 1, DSS_a = 2, DSS_M = 4, DSS_m = 8, DSS_F = 16 };

/* option builders: each returns the length written, a multiple of 4 */
static size_t syn_opts(uint8_t *o)
{
	static const uint8_t base[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2 };
	memcpy(o, base, sizeof base);	/* MSS 1460, NOP, WS 7, NOP NOP, SACK_PERM */
	return sizeof base;
}

static size_t mpc(uint8_t *o, int nkeys, uint64_t k1, uint64_t k2, int dlen)
{
	size_t n = 4 + 8 * nkeys + (dlen >= 0 ? 2 : 0);

	o[0] = 30;
	o[1] = (uint8_t)n;
	o[2] = 0x01;	/* subtype 0, version 1 */
	o[3] = 0x01;	/* H: HMAC-SHA256, no checksums */
	if (nkeys > 0)
		put64(o + 4, k1);
	if (nkeys > 1)
		put64(o + 12, k2);
	if (dlen >= 0)
		put16(o + n - 2, (uint16_t)dlen);
	while (n % 4)
		o[n++] = 1;	/* NOP */
	return n;
}

static size_t dss(uint8_t *o, uint8_t fl, uint64_t dack, uint64_t dsn,
    uint32_t ssn, uint16_t dlen)
{
	size_t n = 4;

	o[0] = 30;
	o[2] = 0x20;	/* subtype 2 */
	o[3] = fl;
	if (fl & DSS_A) {
		if (fl & DSS_a) {
			put64(o + n, dack);
			n += 8;
		} else {
			put32(o + n, (uint32_t)dack);
			n += 4;
		}
	}
	if (fl & DSS_M) {
		if (fl & DSS_m) {
			put64(o + n, dsn);
			n += 8;
		} else {
			put32(o + n, (uint32_t)dsn);
			n += 4;
		}
		put32(o + n, ssn);
		put16(o + n + 4, dlen);
		n += 6;
	}
	o[1] = (uint8_t)n;
	while (n % 4)
		o[n++] = 1;
	return n;
}

/* DSS with an 8-byte DATA_ACK only, as on Linux's pure ACKs */
static size_t dack8(uint8_t *o, uint64_t dack)
{
	return dss(o, DSS_A | DSS_a, dack, 0, 0, 0);
}

/* a data mapping with a 4-byte DATA_ACK and an 8-byte DSN, as Linux */
static size_t map(uint8_t *o, uint64_t dack, uint64_t dsn, uint32_t ssn, uint16_t len)
{
	return dss(o, DSS_A | DSS_M | DSS_m, dack, dsn, ssn, len);
}

static uint64_t c_end(const struct conn *c)
{
	return c->idsn_c + 1 + C1 + C2 + (c->join ? C3 : 0);
}

static uint64_t s_end(const struct conn *c)
{
	return c->idsn_s + 1 + S1 + S2;
}

#define C2S(c, fl, seq, ack, n, len) \
	emit((c)->caddr, (c)->cport, SERVER_ADDR, SERVER_PORT, fl, seq, ack, o, n, len)
#define S2C(c, fl, seq, ack, n, len) \
	emit(SERVER_ADDR, SERVER_PORT, (c)->caddr, (c)->cport, fl, seq, ack, o, n, len)
#define JC2S(c, fl, seq, ack, n, len) \
	emit((c)->jcaddr, (c)->cport, SERVER_ADDR, SERVER_PORT, fl, seq, ack, o, n, len)
#define JS2C(c, fl, seq, ack, n, len) \
	emit(SERVER_ADDR, SERVER_PORT, (c)->jcaddr, (c)->cport, fl, seq, ack, o, n, len)

/* Step `step` of connection c: one packet, or none when the step belongs
 * to a join subflow c does not have. Returns 0 past the last step. */
static int step(const struct conn *c, int st)
{
	uint8_t o[40], d[SHA256_DIGEST_SIZE];
	size_t n;
	uint32_t ic = c->isn_c, is = c->isn_s, jc = c->jisn_c, js = c->jisn_s;
	uint64_t cdata = c->idsn_c + 1 + C1 + C2 + (c->join ? C3 : 0);

	switch (st) {
	case 0:
		n = syn_opts(o);
		C2S(c, F_SYN, ic, 0, n + mpc(o + n, 0, 0, 0, -1), 0);
		break;
	case 1:
		n = syn_opts(o);
		S2C(c, F_SYN | F_ACK, is, ic + 1, n + mpc(o + n, 1, c->key_s, 0, -1), 0);
		break;
	case 2:
		C2S(c, F_ACK, ic + 1, is + 1, mpc(o, 2, c->key_c, c->key_s, -1), 0);
		break;
	case 3:	/* first data: MP_CAPABLE with the data-level length */
		C2S(c, F_PSH | F_ACK, ic + 1, is + 1, mpc(o, 2, c->key_c, c->key_s, C1), C1);
		break;
	case 4:
		S2C(c, F_ACK, is + 1, ic + 1 + C1, dack8(o, c->idsn_c + 1 + C1), 0);
		break;
	case 5:	/* MP_JOIN SYN: token of the server's key, client's nonce */
		if (!c->join)
			break;
		n = syn_opts(o);
		o[n] = 30, o[n + 1] = 12, o[n + 2] = 0x10, o[n + 3] = 1;
		put32(o + n + 4, c->tok_s);
		put32(o + n + 8, c->nonce_c);
		JC2S(c, F_SYN, jc, 0, n + 12, 0);
		break;
	case 6:	/* SYN/ACK: HMAC-B truncated to 64 bits, server's nonce */
		if (!c->join)
			break;
		n = syn_opts(o);
		join_hmac(c->key_s, c->key_c, c->nonce_s, c->nonce_c, d);
		o[n] = 30, o[n + 1] = 16, o[n + 2] = 0x10, o[n + 3] = 0;
		memcpy(o + n + 4, d, 8);
		put32(o + n + 12, c->nonce_s);
		JS2C(c, F_SYN | F_ACK, js, jc + 1, n + 16, 0);
		break;
	case 7:	/* third ACK: HMAC-A, 160 bits */
		if (!c->join)
			break;
		join_hmac(c->key_c, c->key_s, c->nonce_c, c->nonce_s, d);
		o[0] = 30, o[1] = 24, o[2] = 0x10, o[3] = 0;
		memcpy(o + 4, d, 20);
		JC2S(c, F_ACK, jc + 1, js + 1, 24, 0);
		break;
	case 8:
		if (!c->join)
			break;
		JS2C(c, F_ACK, js + 1, jc + 1, dack8(o, c->idsn_c + 1 + C1), 0);
		break;
	case 9:
		C2S(c, F_PSH | F_ACK, ic + 1 + C1, is + 1,
		    map(o, c->idsn_s + 1, c->idsn_c + 1 + C1, 1 + C1, C2), C2);
		break;
	case 10:
		if (!c->join)
			break;
		JC2S(c, F_PSH | F_ACK, jc + 1, js + 1,
		    map(o, c->idsn_s + 1, c->idsn_c + 1 + C1 + C2, 1, C3), C3);
		break;
	case 11:
		S2C(c, F_PSH | F_ACK, is + 1, ic + 1 + C1 + C2,
		    map(o, cdata, c->idsn_s + 1, 1, S1), S1);
		break;
	case 12:
		if (!c->join)
			break;
		JS2C(c, F_ACK, js + 1, jc + 1 + C3, dack8(o, cdata), 0);
		break;
	case 13:
		C2S(c, F_ACK, ic + 1 + C1 + C2, is + 1 + S1, dack8(o, c->idsn_s + 1 + S1), 0);
		break;
	case 14:
		S2C(c, F_PSH | F_ACK, is + 1 + S1, ic + 1 + C1 + C2,
		    map(o, cdata, c->idsn_s + 1 + S1, 1 + S1, S2), S2);
		break;
	case 15:	/* client's DATA_FIN on a bare ACK: SSN 0, length 1 */
		C2S(c, F_ACK, ic + 1 + C1 + C2, is + 1 + S1 + S2,
		    dss(o, DSS_A | DSS_a | DSS_M | DSS_m | DSS_F, s_end(c), c_end(c), 0, 1), 0);
		break;
	case 16:
		S2C(c, F_ACK, is + 1 + S1 + S2, ic + 1 + C1 + C2,
		    dss(o, DSS_A | DSS_a | DSS_M | DSS_m | DSS_F, c_end(c) + 1, s_end(c), 0, 1), 0);
		break;
	case 17:
		C2S(c, F_ACK, ic + 1 + C1 + C2, is + 1 + S1 + S2, dack8(o, s_end(c) + 1), 0);
		break;
	case 18:
		C2S(c, F_FIN | F_ACK, ic + 1 + C1 + C2, is + 1 + S1 + S2, dack8(o, s_end(c) + 1), 0);
		break;
	case 19:
		if (!c->join)
			break;
		JC2S(c, F_FIN | F_ACK, jc + 1 + C3, js + 1, dack8(o, s_end(c) + 1), 0);
		break;
	case 20:
		S2C(c, F_FIN | F_ACK, is + 1 + S1 + S2, ic + 2 + C1 + C2, dack8(o, c_end(c) + 1), 0);
		break;
	case 21:
		if (!c->join)
			break;
		JS2C(c, F_FIN | F_ACK, js + 1, jc + 2 + C3, dack8(o, c_end(c) + 1), 0);
		break;
	case 22:
		C2S(c, F_ACK, ic + 2 + C1 + C2, is + 2 + S1 + S2, dack8(o, s_end(c) + 1), 0);
		break;
	case 23:
		if (!c->join)
			break;
		JC2S(c, F_ACK, jc + 2 + C3, js + 2, dack8(o, s_end(c) + 1), 0);
		break;
	default:
		return 0;
	}
	return 1;
}

/* tokens seen so far: open addressing, zero marks a free slot (a token of
 * zero is drawn again too) */
static uint32_t *tokens;
static size_t tokmask;

static int token_taken(uint32_t t)
{
	size_t i = (t * 2654435761u) & tokmask;

	if (t == 0)
		return 1;
	for (; tokens[i]; i = (i + 1) & tokmask)
		if (tokens[i] == t)
			return 1;
	tokens[i] = t;
	return 0;
}

static uint64_t new_key(uint32_t *tok, uint64_t *idsn)
{
	uint64_t k;

	do {
		k = rnd();
		key_hash(k, tok, idsn);
	} while (token_taken(*tok));
	return k;
}

static void usage(void)
{
	fprintf(stderr, "usage: mpsynth [-n conns] [-j every] [-t truth.tsv] out.pcap\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	long n = 100000, every = 10;
	const char *truth = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "j:n:t:")) != -1) {
		switch (ch) {
		case 'j': every = strtol(optarg, NULL, 10); break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 't': truth = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 1 || n < 1 || n > 1 << 22 || every < 0)
		usage();

	struct conn *cs = calloc((size_t)n, sizeof *cs);
	for (tokmask = 1; tokmask < (size_t)n * 4; tokmask <<= 1)
		;
	tokens = calloc(tokmask, sizeof *tokens);
	tokmask--;
	if (!cs || !tokens)
		err(1, "calloc");
	for (long i = 0; i < n; i++) {
		struct conn *c = &cs[i];
		c->key_c = new_key(&c->tok_c, &c->idsn_c);
		c->key_s = new_key(&c->tok_s, &c->idsn_s);
		uint64_t r = rnd(), q = rnd();
		c->isn_c = (uint32_t)r, c->isn_s = (uint32_t)(r >> 32);
		c->jisn_c = (uint32_t)q, c->jisn_s = (uint32_t)(q >> 32);
		r = rnd();
		c->nonce_c = (uint32_t)r, c->nonce_s = (uint32_t)(r >> 32);
		/* 256 ports on each client address: 10.0.0.1 up; joins from 10.128.0.1 up */
		c->caddr = 0x0a000001u + (uint32_t)(i >> 8);
		c->jcaddr = 0x0a800001u + (uint32_t)(i >> 8);
		c->cport = (uint16_t)(33000 + (i & 0xff));
		c->join = every > 0 && i % every == every - 1;
	}

	if (!(out = fopen(argv[optind], "wb")))
		err(1, "%s", argv[optind]);
	uint32_t gh[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0, SNAPLEN, LINKTYPE_RAW };
	if (fwrite(gh, sizeof gh, 1, out) != 1)
		err(1, "write");
	for (int st = 0;; st++) {
		int any = 0;
		for (long i = 0; i < n; i++)
			any |= step(&cs[i], st);
		if (!any)
			break;
	}
	if (fclose(out))
		err(1, "%s", argv[optind]);

	if (truth) {
		FILE *t = fopen(truth, "w");
		if (!t)
			err(1, "%s", truth);
		fprintf(t, "conn\tclient\tcport\tjoin_client\tkey_c\tkey_s\ttoken_c\ttoken_s\tidsn_c\tidsn_s\tjoin\n");
		for (long i = 0; i < n; i++) {
			const struct conn *c = &cs[i];
			fprintf(t, "%ld\t%u.%u.%u.%u\t%u\t%u.%u.%u.%u\t%llu\t%llu\t%u\t%u\t%llu\t%llu\t%d\n", i,
			    c->caddr >> 24, c->caddr >> 16 & 255, c->caddr >> 8 & 255, c->caddr & 255, c->cport,
			    c->jcaddr >> 24, c->jcaddr >> 16 & 255, c->jcaddr >> 8 & 255, c->jcaddr & 255,
			    (unsigned long long)c->key_c, (unsigned long long)c->key_s, c->tok_c, c->tok_s,
			    (unsigned long long)c->idsn_c, (unsigned long long)c->idsn_s, c->join);
		}
		if (fclose(t))
			err(1, "%s", truth);
	}
	fprintf(stderr, "mpsynth: %s: %ld MPTCP connections, %lld joins, %llu packets\n",
	    argv[optind], n, every > 0 ? (long long)(n / every) : 0LL, npkts);
	free(cs);
	free(tokens);
	return 0;
}
