#include "mptcp_opt.h"

#include <string.h>

#include "bytes.h"

/* Stored in 16 bytes each so they can be copied with one fixed move. */
const char mp_subtype_name[MP_NSUBTYPES][16] = {
	"capable", "join", "dss", "add_addr", "rm_addr", "prio", "fail",
	"fastclose", "tcprst",
};
const uint8_t mp_subtype_len[MP_NSUBTYPES] = { 7, 4, 3, 8, 7, 4, 4, 9, 6 };


/* Each parser returns 0 when the option is malformed (its fields are then
 * not trusted); o points at the kind byte, len is the option length. */
typedef int (*mp_parser)(const uint8_t *o, uint32_t len, struct pkt *p);

static int parse_capable(const uint8_t *o, uint32_t len, struct pkt *p)
{
	struct mp_capable *c = &p->cap;
	memset(c, 0, sizeof *c);
	c->ver = o[2] & 15;
	if (len < 4)
		return 0;
	c->flags = o[3];
	if (len != 4 && len != 12 && len != 20 && len != 22 && len != 24)
		return 0;
	if (len == 4 && c->ver == 0)
		return 0;
	if (len >= 12) {
		c->has_skey = 1;
		c->skey = rd64(o + 4);
	}
	if (len >= 20) {
		c->has_rkey = 1;
		c->rkey = rd64(o + 12);
	}
	if (len >= 22) {
		c->has_dlen = 1;
		c->dlen = rd16(o + 20);
	}
	if (len >= 24) {
		c->has_csum = 1;
		c->csum = rd16(o + 22);
	}
	return 1;
}

/* SYN: token + nonce; SYN/ACK: truncated HMAC + nonce; ACK: full HMAC. */
static int parse_join(const uint8_t *o, uint32_t len, struct pkt *p)
{
	struct mp_join *j = &p->join;
	memset(j, 0, sizeof *j);
	switch (len) {
	case 12:
		j->backup = o[2] & 1;
		j->addr_id = o[3];
		j->has_token = j->has_nonce = 1;
		j->token = rd32(o + 4);
		j->nonce = rd32(o + 8);
		return 1;
	case 16:
		j->backup = o[2] & 1;
		j->addr_id = o[3];
		j->hmac_len = 8;
		memcpy(j->hmac, o + 4, 8);
		j->has_nonce = 1;
		j->nonce = rd32(o + 12);
		return 1;
	case 24:
		j->hmac_len = 20;
		memcpy(j->hmac, o + 4, 20);
		return 1;
	}
	return 0;
}

static int parse_dss(const uint8_t *o, uint32_t len, struct pkt *p)
{
	struct mp_dss *s = &p->dss;
	memset(s, 0, sizeof *s);
	if (len < 4)
		return 0;
	s->flags = o[3];
	s->fin = (s->flags & DSS_F) != 0;
	uint32_t need = 4, off = 4;
	if (s->flags & DSS_A)
		need += (s->flags & DSS_a) ? 8 : 4;
	if (s->flags & DSS_M)
		need += ((s->flags & DSS_m) ? 8 : 4) + 6;
	if (len != need && !(len == need + 2 && (s->flags & DSS_M)))
		return 0;
	if (s->flags & DSS_A) {
		s->dack_w = (s->flags & DSS_a) ? 8 : 4;
		s->dack = s->dack_w == 8 ? rd64(o + off) : rd32(o + off);
		off += s->dack_w;
	}
	if (s->flags & DSS_M) {
		s->dsn_w = (s->flags & DSS_m) ? 8 : 4;
		s->dsn = s->dsn_w == 8 ? rd64(o + off) : rd32(o + off);
		off += s->dsn_w;
		s->ssn = rd32(o + off);
		s->dlen = rd16(o + off + 4);
		off += 6;
		if (len == need + 2) {
			s->has_csum = 1;
			s->csum = rd16(o + off);
		}
	}
	return 1;
}

/* v0 (RFC 6824) puts the IP version in the low nibble (4 or 6); v1 puts the
 * echo flag in its lowest bit and tells the family by the length. */
static int parse_add_addr(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (p->n_add_addr == PKT_MAX_ADD_ADDR)
		return 0;
	struct mp_add_addr *a = &p->add_addr[p->n_add_addr];
	memset(a, 0, sizeof *a);
	uint8_t nib = o[2] & 15;
	uint32_t alen, rest;
	if (len < 8)
		return 0;
	a->id = o[3];
	if (nib == 4 || nib == 6) {
		a->ipv = nib;
		a->v0 = 1;
		alen = nib == 4 ? 4 : 16;
		if (len != 4 + alen && len != 6 + alen)
			return 0;
		rest = len - 4 - alen;
	} else if (nib <= 1) {
		a->echo = nib;
		if (len == 8 || len == 10 || len == 16 || len == 18)
			a->ipv = 4, alen = 4;
		else if (len == 20 || len == 22 || len == 28 || len == 30)
			a->ipv = 6, alen = 16;
		else
			return 0;
		rest = len - 4 - alen;
		if (rest >= 8) {
			a->hmac_len = 8;
			memcpy(a->hmac, o + len - 8, 8);
			rest -= 8;
		}
		if (a->echo && a->hmac_len)
			return 0;
	} else {
		return 0;
	}
	memcpy(a->addr, o + 4, alen);
	if (rest == 2) {
		a->has_port = 1;
		a->port = rd16(o + 4 + alen);
	}
	p->n_add_addr++;
	return 1;
}

static int parse_rm_addr(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (len < 4)
		return 0;
	for (uint32_t i = 3; i < len && p->n_rm < PKT_MAX_RM_IDS; i++)
		p->rm_ids[p->n_rm++] = o[i];
	return 1;
}

static int parse_prio(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (len != 3 && len != 4)
		return 0;
	p->prio_backup = o[2] & 1;
	p->prio_id = len == 4 ? o[3] : -1;
	return 1;
}

static int parse_fail(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (len != 12)
		return 0;
	p->fail_dsn = rd64(o + 4);
	return 1;
}

static int parse_fastclose(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (len != 12)
		return 0;
	p->fclose_key = rd64(o + 4);
	return 1;
}

static int parse_tcprst(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (len != 4)
		return 0;
	p->tcprst_flags = o[2] & 15;
	p->tcprst_reason = o[3];
	return 1;
}

static const mp_parser parsers[MP_NSUBTYPES] = {
	parse_capable, parse_join, parse_dss, parse_add_addr, parse_rm_addr,
	parse_prio, parse_fail, parse_fastclose, parse_tcprst,
};

static void note(struct pkt *p, uint8_t subtype, uint8_t bad)
{
	if (p->mp.n == PKT_MAX_MPOPTS) {
		p->mp.more++;
		return;
	}
	p->mp.subtype[p->mp.n] = subtype;
	p->mp.bad[p->mp.n] = bad;
	p->mp.n++;
}

void mptcp_opt_parse(const uint8_t *o, uint32_t len, struct pkt *p)
{
	if (len < 3) {
		note(p, MP_NOSUBTYPE, 1); /* no room for a subtype */
		return;
	}
	uint8_t st = o[2] >> 4;
	if (st >= MP_NSUBTYPES) {
		note(p, st, 0);
		return;
	}
	int ok = parsers[st](o, len, p);
	note(p, st, !ok);
	if (ok)
		p->have |= 1u << st;
}

void mptcp_opt_bad(const uint8_t *o, uint32_t n, struct pkt *p)
{
	note(p, n >= 3 ? o[2] >> 4 : MP_NOSUBTYPE, 1);
}
