#include "pktread.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "mptcp_opt.h"
#include "util.h"

const int pkt_need_tcp[] = {
	COL_FRAME, COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT,
	COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, -1
};

void pkt_cols_bind(struct pkt_cols *c, const struct tsv *t, const int *need)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < PKT_NCOLS; i++)
		c->idx[i] = tsv_col(t, pkt_col_name[i]);
	for (; need && *need >= 0; need++)
		tsv_need(t, pkt_col_name[*need], "pcap2pkt");
}

void pkt_cols_restrict(struct pkt_cols *c, const int *use)
{
	int keep[PKT_NCOLS] = { 0 };
	keep[COL_FRAME] = 1; /* when present, for the order check */
	for (; *use >= 0; use++)
		keep[*use] = 1;
	for (int i = 0; i < PKT_NCOLS; i++)
		if (!keep[i])
			c->idx[i] = -1;
}

void pkt_cols_want(const struct pkt_cols *c, struct tsv *t)
{
	for (int i = 0; i < PKT_NCOLS; i++)
		if (c->idx[i] >= 0)
			tsv_want(t, c->idx[i]);
}

void pkt_cols_free(struct pkt_cols *c)
{
	free(c->numbers);
	free(c->fields);
	c->numbers = c->fields = NULL;
}

/* A number column's value from locate, or dflt when absent or "-" (both
 * marked in c->dash). */
static uint64_t num(const struct pkt_cols *c, int col, uint64_t dflt)
{
	return c->dash >> col & 1 ? dflt : c->val[col];
}

static uint64_t bounded(const struct tsv *t, const struct pkt_cols *c, int col,
    uint64_t dflt, uint64_t max)
{
	uint64_t v = num(c, col, dflt);
	if (v > max && v != dflt)
		tsv_bad(t, c->idx[col], "value out of range:");
	return v;
}

/* An escaped text field (pktfmt's put_text) back into buf; NULL for "-".
 * Longer than an interface name may be: an error naming the line. */
static const char *parse_text(char *buf, const struct tsv *t, int i)
{
	const char *p = t->f[i].p, *end = p + t->f[i].n;
	if (t->f[i].n == 1 && *p == '-')
		return NULL;
	size_t n = 0;
	for (; p < end; p++) {
		char ch = *p;
		if (ch == '\\') {
			if (++p == end)
				tsv_bad(t, i, "a backslash ends the text:");
			ch = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
		}
		if (n == PKT_IFNAME_MAX)
			tsv_bad(t, i, "interface name longer than 64 bytes:");
		buf[n++] = ch;
	}
	buf[n] = 0;
	return n ? buf : NULL;
}

/* Dotted quad, strictly: four numbers up to 255, no leading sign. */
static int parse_ipv4(const char *p, uint32_t n, uint8_t *a)
{
	const char *end = p + n;
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		while (p < end && *p >= '0' && *p <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || v > 255)
			return 0;
		a[i] = (uint8_t)v;
		if (i < 3 && (p == end || *p++ != '.'))
			return 0;
	}
	return p == end;
}

static void parse_addr(const struct tsv *t, int col, int ipv, uint8_t *a)
{
	char buf[64];
	const struct tsv_field *f = &t->f[col];
	if (ipv == 4) {
		if (!parse_ipv4(f->p, f->n, a))
			tsv_bad(t, col, "not an IP address:");
		return;
	}
	if (f->n >= sizeof buf)
		tsv_bad(t, col, "not an IP address:");
	memcpy(buf, f->p, f->n);
	buf[f->n] = 0;
	if (inet_pton(ipv == 6 ? AF_INET6 : AF_INET, buf, a) != 1)
		tsv_bad(t, col, "not an IP address:");
}

/* Whether n bytes at a and b are equal; both have 16 readable bytes (the
 * memo's slot, the TSV pad). An address of up to 16 bytes (every IPv4
 * one) takes two word compares, not a call. */
static int same_text(const char *a, const char *b, uint32_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n <= 16) {
		uint64_t a0, a1, b0, b1;
		memcpy(&a0, a, 8);
		memcpy(&a1, a + 8, 8);
		memcpy(&b0, b, 8);
		memcpy(&b1, b + 8, 8);
		uint64_t d0 = a0 ^ b0, d1 = a1 ^ b1;
		if (n < 8)
			return (d0 & ((1ULL << (8 * n)) - 1)) == 0;
		if (n < 16)
			d1 &= (1ULL << (8 * (n - 8))) - 1;
		return (d0 | d1) == 0;
	}
#endif
	return memcmp(a, b, n) == 0;
}

/* An address column through its memo: a capture has few hosts, and the
 * same text parses to the same bytes. */
static void memo_addr(struct addr_memo *m, const struct tsv *t, int col, int ipv, uint8_t *a)
{
	const struct tsv_field *f = &t->f[col];
	for (int i = 0; i < PKT_ADDR_MEMO; i++) {
		struct addr_memo_slot *e = &m->slot[i];
		if (e->n == f->n && e->ipv == ipv && same_text(e->text, f->p, f->n)) {
			memcpy(a, e->addr, ipv == 6 ? 16 : 4);
			return;
		}
	}
	parse_addr(t, col, ipv, a);
	if (f->n > sizeof m->slot[0].text)
		return;
	struct addr_memo_slot *e = &m->slot[m->next++ % PKT_ADDR_MEMO];
	e->n = (uint8_t)f->n;
	e->ipv = (uint8_t)ipv;
	memcpy(e->text, f->p, f->n);
	memcpy(e->addr, a, ipv == 6 ? 16 : 4);
}

static uint8_t parse_flags(const struct tsv *t, int col)
{
	/* 1 + the bit of each letter of "FSRPAUEC", 0 for any other byte */
	static const uint8_t bit[256] = { ['F'] = 1, ['S'] = 2, ['R'] = 3, ['P'] = 4,
		['A'] = 5, ['U'] = 6, ['E'] = 7, ['C'] = 8 };
	const struct tsv_field *f = &t->f[col];
	uint8_t v = 0;
	if (f->n == 1 && f->p[0] == '.')
		return 0;
	for (uint32_t i = 0; i < f->n; i++) {
		unsigned b = bit[(unsigned char)f->p[i]];
		if (!b)
			tsv_bad(t, col, "not TCP flag letters:");
		v |= (uint8_t)(1u << (b - 1));
	}
	return v;
}

/* Splits a comma list field into at most max pieces. The lists are a
 * few bytes long: a byte loop costs less than a search call per piece. */
static int pieces(const struct tsv_field *f, struct tsv_field *out, int max)
{
	const char *p = f->p, *end = f->p + f->n, *e;
	int n = 0;
	while (n < max) {
		for (e = p; e < end && *e != ','; e++)
			;
		out[n].p = p;
		out[n].n = (uint32_t)(e - p);
		n++;
		if (e == end)
			break;
		p = e + 1;
	}
	return n;
}

static uint64_t piece_u64(const struct tsv *t, int col, const struct tsv_field *f)
{
	uint64_t v = 0;
	if (!f->n || f->n > 20)
		tsv_bad(t, col, "not a list of numbers:");
	for (uint32_t i = 0; i < f->n; i++) {
		unsigned d = (unsigned)(f->p[i] - '0');
		if (d > 9)
			tsv_bad(t, col, "not a list of numbers:");
		v = v * 10 + d;
	}
	return v;
}

static void parse_sack(struct pkt *p, const struct tsv *t, int col)
{
	struct tsv_field blk[PKT_MAX_SACK];
	p->nsack = 0;
	if (col < 0 || tsv_dash(t, col))
		return;
	int n = pieces(&t->f[col], blk, PKT_MAX_SACK);
	for (int i = 0; i < n; i++) {
		const char *dash = memchr(blk[i].p, '-', blk[i].n);
		if (!dash)
			tsv_bad(t, col, "not SACK blocks:");
		struct tsv_field l = { blk[i].p, (uint32_t)(dash - blk[i].p) };
		struct tsv_field r = { dash + 1, (uint32_t)(blk[i].n - l.n - 1) };
		p->sack[i][0] = (uint32_t)piece_u64(t, col, &l);
		p->sack[i][1] = (uint32_t)piece_u64(t, col, &r);
	}
	p->nsack = (uint8_t)n;
}


static uint8_t parse_hex(const struct tsv *t, int col, const struct tsv_field *f,
    uint8_t *out, size_t max)
{
	if (f->n % 2 || f->n / 2 > max)
		tsv_bad(t, col, "not a hex string of the expected length:");
	for (uint32_t i = 0; i < f->n; i += 2) {
		int hi = hexval(f->p[i]), lo = hexval(f->p[i + 1]);
		if (hi < 0 || lo < 0)
			tsv_bad(t, col, "not a hex string:");
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (uint8_t)(f->n / 2);
}

/* The first 8 bytes of a name of n bytes, zero past its end: a subtype
 * name (up to 9 bytes) is matched by one compare of this key and its
 * length, and its ninth byte. p has 8 readable bytes (the TSV pad, the
 * names' 16-byte slots). */
static uint64_t name_key(const char *p, uint32_t n)
{
	uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&w, p, 8);
	if (n < 8)
		w &= (1ULL << (8 * n)) - 1;
#else
	for (uint32_t i = 0; i < n && i < 8; i++)
		w |= (uint64_t)(unsigned char)p[i] << (8 * i);
#endif
	return w;
}

/* The subtype named by n bytes at p, or -1. */
static int subtype_of(const struct pkt_cols *c, const char *p, uint32_t n)
{
	if (n > 9)
		return -1;
	uint64_t k = name_key(p, n);
	for (int s = 0; s < MP_NSUBTYPES; s++)
		if (c->mp_key[s] == k && mp_subtype_len[s] == n &&
		    (n < 9 || mp_subtype_name[s][8] == p[8]))
			return s;
	static const char short_name[16] = "short";
	if (n == 5 && k == name_key(short_name, 5))
		return MP_NOSUBTYPE;
	return -1;
}

/* The mptcp column: subtype names, "!" marking malformed ones. */
static void parse_mp_list(struct pkt *p, const struct pkt_cols *c, const struct tsv *t, int col)
{
	struct tsv_field item[PKT_MAX_MPOPTS];
	p->mp.n = p->mp.more = 0;
	p->have = 0;
	if (col < 0 || tsv_dash(t, col))
		return;
	int n = pieces(&t->f[col], item, PKT_MAX_MPOPTS);
	for (int i = 0; i < n; i++) {
		struct tsv_field f = item[i];
		int bad = f.n && f.p[f.n - 1] == '!';
		f.n -= (uint32_t)bad;
		int st = subtype_of(c, f.p, f.n);
		if (st < 0 && f.n > 3 && memcmp(f.p, "sub", 3) == 0)
			st = (int)piece_u64(t, col, &(struct tsv_field){ f.p + 3, f.n - 3 });
		if (st < 0 || st > 255)
			tsv_bad(t, col, "unknown MPTCP option name in");
		p->mp.subtype[i] = (uint8_t)st;
		p->mp.bad[i] = (uint8_t)bad;
		if (!bad && st < MP_NSUBTYPES)
			p->have |= 1u << st;
	}
	p->mp.n = (uint8_t)n;
}

static void parse_add_addr(struct pkt *p, const struct tsv *t, const struct pkt_cols *c)
{
	struct tsv_field id[PKT_MAX_ADD_ADDR], ad[PKT_MAX_ADD_ADDR], po[PKT_MAX_ADD_ADDR],
	    ec[PKT_MAX_ADD_ADDR], hm[PKT_MAX_ADD_ADDR];
	int ci = c->idx[COL_AA_ID], ca = c->idx[COL_AA_ADDR], cp = c->idx[COL_AA_PORT],
	    ce = c->idx[COL_AA_ECHO], ch = c->idx[COL_AA_HMAC];
	p->n_add_addr = 0;
	if (ci < 0 || ca < 0 || tsv_dash(t, ci))
		return;
	int n = pieces(&t->f[ci], id, PKT_MAX_ADD_ADDR);
	if (pieces(&t->f[ca], ad, PKT_MAX_ADD_ADDR) != n)
		tsv_bad(t, ca, "ADD_ADDR lists of different lengths at");
	for (int i = 0; i < n; i++) {
		struct mp_add_addr *a = &p->add_addr[i];
		char buf[64];
		memset(a, 0, sizeof *a);
		a->id = (uint8_t)piece_u64(t, ci, &id[i]);
		if (ad[i].n >= sizeof buf)
			tsv_bad(t, ca, "not an IP address:");
		memcpy(buf, ad[i].p, ad[i].n);
		buf[ad[i].n] = 0;
		a->ipv = memchr(buf, ':', ad[i].n) ? 6 : 4;
		if (inet_pton(a->ipv == 6 ? AF_INET6 : AF_INET, buf, a->addr) != 1)
			tsv_bad(t, ca, "not an IP address:");
	}
	if (cp >= 0 && pieces(&t->f[cp], po, n) == n)
		for (int i = 0; i < n; i++)
			if (!(po[i].n == 1 && po[i].p[0] == '-')) {
				p->add_addr[i].has_port = 1;
				p->add_addr[i].port = (uint16_t)piece_u64(t, cp, &po[i]);
			}
	if (ce >= 0 && pieces(&t->f[ce], ec, n) == n) {
		for (int i = 0; i < n; i++) {
			if (ec[i].n == 1 && ec[i].p[0] == '-')
				p->add_addr[i].v0 = 1;
			else
				p->add_addr[i].echo = (uint8_t)piece_u64(t, ce, &ec[i]);
		}
	}
	if (ch >= 0 && pieces(&t->f[ch], hm, n) == n)
		for (int i = 0; i < n; i++)
			if (!(hm[i].n == 1 && hm[i].p[0] == '-'))
				p->add_addr[i].hmac_len = parse_hex(t, ch, &hm[i],
				    p->add_addr[i].hmac, 8);
	p->n_add_addr = (uint8_t)n;
}

static void parse_mp_fields(struct pkt *p, const struct tsv *t, const struct pkt_cols *c)
{
	if (PKT_HAS(p, MP_CAPABLE)) {
		struct mp_capable *m = &p->cap;
		m->ver = (uint8_t)bounded(t, c, COL_MPC_VER, 0, 15);
		m->flags = (uint8_t)bounded(t, c, COL_MPC_FLAGS, 0, 255);
		int ks = c->idx[COL_MPC_SKEY], kr = c->idx[COL_MPC_RKEY];
		int dl = c->idx[COL_MPC_DLEN], cs = c->idx[COL_MPC_CSUM];
		m->has_skey = ks >= 0 && !tsv_dash(t, ks);
		m->has_rkey = kr >= 0 && !tsv_dash(t, kr);
		m->has_dlen = dl >= 0 && !tsv_dash(t, dl);
		m->has_csum = cs >= 0 && !tsv_dash(t, cs);
		m->skey = num(c, COL_MPC_SKEY, 0);
		m->rkey = num(c, COL_MPC_RKEY, 0);
		m->dlen = (uint16_t)bounded(t, c, COL_MPC_DLEN, 0, 65535);
		m->csum = (uint16_t)bounded(t, c, COL_MPC_CSUM, 0, 65535);
	}
	if (PKT_HAS(p, MP_JOIN)) {
		struct mp_join *j = &p->join;
		int tk = c->idx[COL_MPJ_TOKEN], nc = c->idx[COL_MPJ_NONCE], hm = c->idx[COL_MPJ_HMAC];
		memset(j, 0, sizeof *j);
		j->has_token = tk >= 0 && !tsv_dash(t, tk);
		j->has_nonce = nc >= 0 && !tsv_dash(t, nc);
		j->token = (uint32_t)bounded(t, c, COL_MPJ_TOKEN, 0, UINT32_MAX);
		j->nonce = (uint32_t)bounded(t, c, COL_MPJ_NONCE, 0, UINT32_MAX);
		j->addr_id = (uint8_t)bounded(t, c, COL_MPJ_ID, 0, 255);
		j->backup = (uint8_t)bounded(t, c, COL_MPJ_BACKUP, 0, 1);
		if (hm >= 0 && !tsv_dash(t, hm))
			j->hmac_len = parse_hex(t, hm, &t->f[hm], j->hmac, 20);
	}
	if (PKT_HAS(p, MP_DSS)) {
		struct mp_dss *d = &p->dss;
		int cs = c->idx[COL_DSS_CSUM];
		d->flags = (uint8_t)bounded(t, c, COL_DSS_FLAGS, 0, 255);
		d->dack_w = (uint8_t)bounded(t, c, COL_DACK_W, 0, 8);
		d->dack = num(c, COL_DACK, 0);
		d->dsn_w = (uint8_t)bounded(t, c, COL_DSN_W, 0, 8);
		d->dsn = num(c, COL_DSN, 0);
		d->ssn = (uint32_t)bounded(t, c, COL_SSN, 0, UINT32_MAX);
		d->dlen = (uint16_t)bounded(t, c, COL_DLEN, 0, 65535);
		d->has_csum = cs >= 0 && !tsv_dash(t, cs);
		d->csum = (uint16_t)bounded(t, c, COL_DSS_CSUM, 0, 65535);
		d->fin = (uint8_t)bounded(t, c, COL_DATA_FIN, 0, 1);
	}
	if (PKT_HAS(p, MP_ADD_ADDR))
		parse_add_addr(p, t, c);
	if (PKT_HAS(p, MP_RM_ADDR) && c->idx[COL_RM_IDS] >= 0 && !tsv_dash(t, c->idx[COL_RM_IDS])) {
		struct tsv_field ids[PKT_MAX_RM_IDS];
		int col = c->idx[COL_RM_IDS];
		int n = pieces(&t->f[col], ids, PKT_MAX_RM_IDS);
		for (int i = 0; i < n; i++)
			p->rm_ids[i] = (uint8_t)piece_u64(t, col, &ids[i]);
		p->n_rm = (uint8_t)n;
	}
	if (PKT_HAS(p, MP_PRIO)) {
		p->prio_backup = (uint8_t)bounded(t, c, COL_PRIO_BACKUP, 0, 1);
		p->prio_id = (int16_t)(int64_t)bounded(t, c, COL_PRIO_ID, (uint64_t)-1, 255);
	}
	if (PKT_HAS(p, MP_FAIL))
		p->fail_dsn = num(c, COL_FAIL_DSN, 0);
	if (PKT_HAS(p, MP_FASTCLOSE))
		p->fclose_key = num(c, COL_FCLOSE_KEY, 0);
	if (PKT_HAS(p, MP_TCPRST)) {
		p->tcprst_reason = (uint8_t)bounded(t, c, COL_TCPRST_REASON, 0, 255);
		p->tcprst_flags = (uint8_t)bounded(t, c, COL_TCPRST_FLAGS, 0, 15);
	}
}

/* Columns holding one number or "-": locate parses them, the hex ones
 * (keys, tokens, nonces: out_idhex's form) as hex. */
static int hex_column(int col)
{
	return pkt_col_def[col].type == CT_HEX;
}

static int number_column(int col)
{
	switch (col) {
	case COL_TS: case COL_IFNAME: case COL_SRC: case COL_DST: case COL_FLAGS: case COL_SACK:
	case COL_MPTCP: case COL_MPJ_HMAC: case COL_AA_ID: case COL_AA_ADDR:
	case COL_AA_PORT: case COL_AA_ECHO: case COL_AA_HMAC: case COL_RM_IDS:
	case COL_PAYLOAD:
		return 0;
	}
	return 1;
}

/* The input columns pkt_parse reads, in input order: the bound number
 * columns, and the other bound columns plus those marked with tsv_want
 * (all when none is). */
static void plan(struct pkt_cols *c, struct tsv *t)
{
	int8_t *number = xcalloc((size_t)t->ncols, 1);
	int *pcol = xcalloc((size_t)t->ncols, sizeof *pcol);
	c->numbers = xcalloc((size_t)t->ncols, sizeof *c->numbers);
	c->fields = xcalloc((size_t)t->ncols, sizeof *c->fields);
	for (int k = 0; k < PKT_NCOLS; k++)
		if (c->idx[k] >= 0) {
			number[c->idx[k]] = (int8_t)(1 + number_column(k));
			pcol[c->idx[k]] = k;
		}
	c->nfields = c->nnumbers = 0;
	c->absent = 0;
	for (int k = 0; k < PKT_NCOLS; k++)
		if (c->idx[k] < 0)
			c->absent |= 1ULL << k;
	for (int i = 0; i < t->ncols; i++) {
		struct col_step s = { (uint16_t)i, (uint8_t)pcol[i],
		    (uint8_t)(number[i] == 2 && hex_column(pcol[i])) };
		if (number[i] == 2)
			c->numbers[c->nnumbers++] = s;
		else if (number[i] || !t->want || t->want[i])
			c->fields[c->nfields++] = s;
	}
	free(number);
	free(pcol);
	/* no field after the last planned one is located */
	int last = 0;
	if (c->nfields)
		last = c->fields[c->nfields - 1].in;
	if (c->nnumbers && c->numbers[c->nnumbers - 1].in > last)
		last = c->numbers[c->nnumbers - 1].in;
	tsv_index_upto(t, last);
	for (int s = 0; s < MP_NSUBTYPES; s++)
		c->mp_key[s] = name_key(mp_subtype_name[s], mp_subtype_len[s]);
}

/* Locates the planned fields through the line's tab index and parses the
 * number columns into c->val (marking "-" in c->dash): each byte of a
 * number is read once, eight at a time. */
static void locate(struct pkt_cols *c, struct tsv *t)
{
	const uint32_t *tab = t->tab;
	tsv_index(t);
	for (int k = 0; k < c->nfields; k++) {
		int i = c->fields[k].in;
		uint32_t start = tab[i - 1] + 1;
		t->f[i].p = t->rec + start;
		t->f[i].n = tab[i] - start;
	}
	c->dash = c->absent;
	for (int k = 0; k < c->nnumbers; k++) {
		int i = c->numbers[k].in;
		uint32_t start = tab[i - 1] + 1, n = tab[i] - start;
		const char *p = t->rec + start;
		int r;
		t->f[i].p = p;
		t->f[i].n = n;
		if (n == 1 && *p == '-')
			c->dash |= 1ULL << c->numbers[k].col;
		else if (c->numbers[k].hex) {
			if ((r = hex_id_field(p, n, &c->val[c->numbers[k].col])) <= 0)
				tsv_bad(t, i, r ? "more than 16 hex digits:" :
				    "not an identifier in hex (0x...):");
		} else if ((r = digits_field(p, n, &c->val[c->numbers[k].col])) <= 0)
			tsv_bad(t, i, r ? "number too large:" : "not a whole number:");
	}
}

void pkt_parse(struct pkt *p, struct pkt_cols *c, struct tsv *t)
{
	if (!c->numbers)
		plan(c, t);
	locate(c, t);
	const int *x = c->idx;
	uint32_t ns;
	p->frame = num(c, COL_FRAME, 0);
	if (x[COL_FRAME] >= 0 && !(c->dash >> COL_FRAME & 1))
		tsv_frame_order(t, x[COL_FRAME], p->frame);
	if (x[COL_TS] >= 0) {
		tsv_ts(t, x[COL_TS], &p->ts_sec, &ns, &p->ts_digits);
		p->ts_frac = p->ts_digits == 9 ? ns : ns / 1000;
	} else {
		p->ts_sec = 0, p->ts_frac = 0, p->ts_digits = 6;
	}
	p->ifindex = (int64_t)bounded(t, c, COL_IFINDEX, (uint64_t)-1, UINT32_MAX);
	p->ifname = x[COL_IFNAME] >= 0 ? parse_text(c->ifname, t, x[COL_IFNAME]) : NULL;
	p->ipv = (uint8_t)num(c, COL_IPV, 4);
	if (p->ipv != 4 && p->ipv != 6)
		tsv_bad(t, x[COL_IPV], "IP version is not 4 or 6:");
	if (x[COL_SRC] >= 0)
		memo_addr(&c->memo[0], t, x[COL_SRC], p->ipv, p->src);
	if (x[COL_DST] >= 0)
		memo_addr(&c->memo[1], t, x[COL_DST], p->ipv, p->dst);
	p->sport = (uint16_t)bounded(t, c, COL_SPORT, 0, 65535);
	p->dport = (uint16_t)bounded(t, c, COL_DPORT, 0, 65535);
	p->ip_id = (int32_t)(int64_t)bounded(t, c, COL_IP_ID, (uint64_t)-1, 65535);
	p->ttl = (uint8_t)bounded(t, c, COL_TTL, 0, 255);
	p->ip_len = (uint32_t)bounded(t, c, COL_IP_LEN, 0, UINT32_MAX);
	p->len = (uint32_t)bounded(t, c, COL_LEN, 0, UINT32_MAX);
	p->flags = x[COL_FLAGS] >= 0 ? parse_flags(t, x[COL_FLAGS]) : 0;
	p->seq = (uint32_t)bounded(t, c, COL_SEQ, 0, UINT32_MAX);
	p->ack = (uint32_t)bounded(t, c, COL_ACK, 0, UINT32_MAX);
	p->win = (uint16_t)bounded(t, c, COL_WIN, 0, 65535);
	p->mss = (int32_t)(int64_t)bounded(t, c, COL_MSS, (uint64_t)-1, 65535);
	p->wscale = (int16_t)(int64_t)bounded(t, c, COL_WSCALE, (uint64_t)-1, 255);
	p->sack_perm = (uint8_t)bounded(t, c, COL_SACK_PERM, 0, 1);
	parse_sack(p, t, x[COL_SACK]);
	p->has_ts = x[COL_TSVAL] >= 0 && !tsv_dash(t, x[COL_TSVAL]);
	p->tsval = (uint32_t)bounded(t, c, COL_TSVAL, 0, UINT32_MAX);
	p->tsecr = (uint32_t)bounded(t, c, COL_TSECR, 0, UINT32_MAX);
	p->opt_bad = 0;
	p->n_add_addr = p->n_rm = 0;
	p->prio_id = -1;
	p->payload = NULL;
	p->payload_caplen = 0;
	parse_mp_list(p, c, t, x[COL_MPTCP]);
	if (p->mp.n)
		parse_mp_fields(p, t, c);
}
