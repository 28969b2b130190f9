#include "mpjoin.h"
#include "columns.h"
#include "hash.h"
#include "util.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

/* f->user of a TCP connection that is plain TCP for good (its SYN had no
 * MP_CAPABLE or MP_JOIN). */
static char plain_marker;
#define PLAIN ((void *)&plain_marker)


static void be64(uint8_t *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static void be32(uint8_t *b, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t rd64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

void mp_key_hash(int version, uint64_t key, uint32_t *token, uint64_t *idsn)
{
	uint8_t k[8], d[SHA256_DIGEST_SIZE];
	size_t n;
	be64(k, key);
	if (version == 0) {
		struct sha1_ctx c;
		sha1_init(&c);
		sha1_update(&c, 8, k);
		sha1_digest(&c, SHA1_DIGEST_SIZE, d);
		n = SHA1_DIGEST_SIZE;
	} else {
		struct sha256_ctx c;
		sha256_init(&c);
		sha256_update(&c, 8, k);
		sha256_digest(&c, SHA256_DIGEST_SIZE, d);
		n = SHA256_DIGEST_SIZE;
	}
	*token = (uint32_t)(rd64(d) >> 32);
	*idsn = rd64(d + n - 8);
}

void mp_join_hmac(int version, uint64_t key_a, uint64_t key_b, uint32_t r_a,
    uint32_t r_b, uint8_t out[20])
{
	uint8_t k[16], m[8], d[SHA256_DIGEST_SIZE];
	be64(k, key_a);
	be64(k + 8, key_b);
	be32(m, r_a);
	be32(m + 4, r_b);
	if (version == 0) {
		struct hmac_sha1_ctx c;
		hmac_sha1_set_key(&c, 16, k);
		hmac_sha1_update(&c, 8, m);
		hmac_sha1_digest(&c, SHA1_DIGEST_SIZE, d);
	} else {
		struct hmac_sha256_ctx c;
		hmac_sha256_set_key(&c, 16, k);
		hmac_sha256_update(&c, 8, m);
		hmac_sha256_digest(&c, SHA256_DIGEST_SIZE, d);
	}
	memcpy(out, d, 20);
}

uint64_t mp_widen32(uint64_t ref, uint32_t lo)
{
	/* the signed 32-bit distance from ref's low half picks the nearest */
	int32_t delta = (int32_t)(lo - (uint32_t)ref);
	return ref + (uint64_t)(int64_t)delta;
}

/* ---- token table: token -> (connection, side whose key it hashes) ---- */

/* Tokens are chosen by whoever made the capture (a join SYN names any
 * token it likes): keyed, or chosen tokens would share one chain. */
static size_t tok_slot(const struct mpj *j, uint32_t token)
{
	return (size_t)hash_u64(token) & (j->ntok - 1);
}

static void tok_grow(struct mpj *j)
{
	size_t n = j->ntok * 2;
	struct mpj_tok **b = xcalloc(n, sizeof *b), **old = j->tok;
	size_t oldn = j->ntok;
	j->tok = b;
	j->ntok = n;
	for (size_t i = 0; i < oldn; i++) {
		struct mpj_tok *t = old[i], *next;
		for (; t; t = next) {
			next = t->next;
			size_t h = tok_slot(j, t->token);
			t->next = b[h];
			b[h] = t;
		}
	}
	free(old);
}

static void tok_insert(struct mpj *j, struct mpj_conn *mc, int side)
{
	struct mpj_tok *t = &mc->tok[side];
	if (t->used)
		return;
	if (j->tokcount >= j->ntok)
		tok_grow(j);
	t->mc = mc;
	t->token = mc->token[side];
	t->side = (uint8_t)side;
	t->used = 1;
	size_t h = tok_slot(j, t->token);
	t->next = j->tok[h];
	j->tok[h] = t;
	j->tokcount++;
}

static void tok_remove(struct mpj *j, struct mpj_tok *t)
{
	if (!t->used)
		return;
	struct mpj_tok **pp = &j->tok[tok_slot(j, t->token)];
	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	t->used = 0;
	j->tokcount--;
}

/* The newest connection with that token: a reused token belongs to the
 * connection that announced it last. */
static struct mpj_tok *tok_find(const struct mpj *j, uint32_t token)
{
	struct mpj_tok *t = j->tok[tok_slot(j, token)];
	for (; t; t = t->next)
		if (t->token == token)
			return t;
	return NULL;
}

/* ---- connections and keys ---- */

static void set_token(struct mpj *j, struct mpj_conn *mc, int side)
{
	uint32_t token;
	uint64_t idsn;
	mp_key_hash(mc->version, mc->key[side], &token, &idsn);
	tok_remove(j, &mc->tok[side]);
	mc->token[side] = token;
	mc->has_token[side] = 1;
	mc->idsn[side] = idsn;
	mc->key_news[side] = 1;
	tok_insert(j, mc, side);
	if (!mc->ref_known[side]) {
		mc->ref[side] = idsn;
		mc->ref_known[side] = 1;
	}
}

/* The SYN/ACK's version is the negotiated one; a key hashed under the
 * SYN's proposal is hashed again. */
static void set_version(struct mpj *j, struct mpj_conn *mc, int version)
{
	if (mc->has_version && mc->version == version)
		return;
	mc->version = (uint8_t)version;
	mc->has_version = 1;
	for (int side = 0; side < 2; side++)
		if (mc->has_key[side])
			set_token(j, mc, side);
}

static void set_key(struct mpj *j, struct mpj_conn *mc, int side, uint64_t key)
{
	if (mc->has_key[side])
		return; /* the first key announced is the connection's */
	mc->key[side] = key;
	mc->has_key[side] = 1;
	set_token(j, mc, side);
}

static struct mpj_conn *new_conn(struct mpj *j, int64_t now, uint8_t digits)
{
	struct mpj_conn *mc = xcalloc(1, sizeof *mc);
	mc->id = ++j->next_id;
	mc->said_status = MPJ_CS_N;
	mc->first_ns = now;
	mc->ts_digits = digits;
	return mc;
}

static struct mpj_sf *add_subflow(struct mpj_conn *mc, const struct pkt *p,
    const struct pkt_meta *m, int role)
{
	struct mpj_sf *sf = xcalloc(1, sizeof *sf);
	sf->mc = mc;
	sf->conn = m->conn;
	sf->index = mc->nsub++;
	sf->role = (uint8_t)role;
	sf->ipv = p->ipv;
	pkt_endpoints(p, m->dir, sf->c_addr, sf->s_addr, &sf->c_port, &sf->s_port);
	sf->c_id = sf->s_id = -1;
	sf->first_ns = sf->last_ns = pkt_time_ns(p);
	sf->ts_digits = p->ts_digits;
	sf->ifindex = p->ifindex;
	if (p->ifname)
		snprintf(sf->ifname, sizeof sf->ifname, "%s", p->ifname);
	if (mc->last)
		mc->last->next = sf;
	else
		mc->sfs = sf;
	mc->last = sf;
	mc->live++;
	return sf;
}

/* A join SYN: attached to the connection whose token it names, else to a
 * new connection flagged unknown_token (its handshake was not captured);
 * later joins with the same token find that one. PLAIN when the
 * connection has all the subflows it may have. */
static void *start_join(struct mpj *j, const struct pkt *p, const struct pkt_meta *m)
{
	struct mpj_tok *t = tok_find(j, p->join.token);
	struct mpj_sf *sf;
	if (t && t->mc->nsub >= MPJ_MAX_SUBFLOWS) {
		if (!t->mc->over++)
			warnx("frame %llu: MPTCP connection %llu has had %d subflows: "
			    "this join and later ones are left untagged",
			    (unsigned long long)p->frame, (unsigned long long)t->mc->id,
			    MPJ_MAX_SUBFLOWS);
		j->over++;
		return PLAIN;
	}
	if (t) {
		/* the server's token is named by joins the client opens */
		sf = add_subflow(t->mc, p, m, t->side == DIR_S2C ? DIR_C2S : DIR_S2C);
		sf->unknown_token = t->mc->unknown_token;
	} else {
		struct mpj_conn *mc = new_conn(j, pkt_time_ns(p), p->ts_digits);
		mc->unknown_token = 1;
		mc->token[DIR_S2C] = p->join.token;
		mc->has_token[DIR_S2C] = 1;
		tok_insert(j, mc, DIR_S2C);
		sf = add_subflow(mc, p, m, DIR_C2S);
		sf->unknown_token = 1;
	}
	sf->is_join = 1;
	sf->join_token = p->join.token;
	return sf;
}

static int has_mp(const struct pkt *p)
{
	return p->have != 0;
}

/* First packet of a TCP connection, or the first with MPTCP options of
 * one seen without its SYN: decides what it is. Returns NULL while a
 * connection seen mid-stream has shown no MPTCP option yet. */
static void *start_flow(struct mpj *j, const struct pkt *p, const struct pkt_meta *m)
{
	int syn = (p->flags & (TH_SYN | TH_ACK)) == TH_SYN;
	if (syn && PKT_HAS(p, MP_CAPABLE)) {
		struct mpj_conn *mc = new_conn(j, pkt_time_ns(p), p->ts_digits);
		struct mpj_sf *sf = add_subflow(mc, p, m, DIR_C2S);
		sf->c_id = sf->s_id = 0; /* the initial addresses have id 0 */
		sf->backup_known = 1;
		return sf;
	}
	if (syn && PKT_HAS(p, MP_JOIN) && p->join.has_token)
		return start_join(j, p, m);
	if (syn)
		return PLAIN;
	if (!has_mp(p))
		return NULL;
	/* MPTCP options without a captured handshake: its own connection;
	 * the TCP client (flowsplit's guess) is taken as the MPTCP client */
	struct mpj_conn *mc = new_conn(j, pkt_time_ns(p), p->ts_digits);
	mc->midstream = 1;
	struct mpj_sf *sf = add_subflow(mc, p, m, DIR_C2S);
	sf->midstream = 1;
	sf->is_join = PKT_HAS(p, MP_JOIN);
	return sf;
}

/* ---- per packet ---- */

/* 64-bit value in data space `side`; updates the space's reference. */
static inline __attribute__((always_inline)) int widen(struct mpj_conn *mc, int side, int w, uint64_t v, uint64_t *out)
{
	if (w == 8)
		*out = v;
	else if (mc->ref_known[side])
		*out = mp_widen32(mc->ref[side], (uint32_t)v);
	else
		return 0; /* no IDSN and no 64-bit value yet: cannot place it */
	if (!mc->ref_known[side] || (int64_t)(*out - mc->ref[side]) > 0) {
		mc->ref[side] = *out;
		mc->ref_known[side] = 1;
	}
	if (!mc->rel_known[side]) {
		mc->rel_base[side] = mc->has_key[side] ? mc->idsn[side] : *out - 1;
		mc->rel_known[side] = 1;
	}
	return 1;
}

/* Address id of MPTCP side `side` on subflow s. */
static int side_id(const struct mpj_sf *s, int side)
{
	return (s->role == side) ? s->c_id : s->s_id;
}

static void on_prio(struct mpj_sf *sf, const struct pkt *p, int mpdir)
{
	if (p->prio_id < 0) {
		sf->backup = p->prio_backup;
		sf->backup_known |= 2;
		return;
	}
	/* v0 form: every subflow using the sender's address id */
	for (struct mpj_sf *s = sf->mc->sfs; s; s = s->next)
		if (side_id(s, mpdir) == p->prio_id) {
			s->backup = p->prio_backup;
			s->backup_known |= 2;
		}
}

static void on_capable(struct mpj *j, struct mpj_sf *sf, const struct pkt *p,
    int mpdir, struct mpj_res *r)
{
	struct mpj_conn *mc = sf->mc;
	const struct mp_capable *c = &p->cap;
	int synack = (p->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
	/* the first MP_CAPABLE proposes a version, the first SYN/ACK's is
	 * the one negotiated: a SYN/ACK sent again does not change it */
	if ((synack && !mc->ver_synack) || !mc->has_version)
		set_version(j, mc, c->ver);
	if (synack)
		mc->ver_synack = 1;
	if (c->has_skey)
		set_key(j, mc, mpdir, c->skey);
	if (c->has_rkey)
		set_key(j, mc, !mpdir, c->rkey);
	/* v1: the first data packet maps its data at IDSN + 1 */
	if (c->has_dlen && p->len > 0 && mc->has_key[mpdir]) {
		r->has_dsn = 1;
		r->dsn64 = mc->idsn[mpdir] + 1;
		widen(mc, mpdir, 8, r->dsn64, &r->dsn64);
	}
}

static void on_join(struct mpj_sf *sf, const struct pkt *p, int dir)
{
	const struct mp_join *jn = &p->join;
	int syn = (p->flags & TH_SYN) != 0;
	if (syn && dir == DIR_C2S && jn->has_token) {
		if (!sf->has_nonce_c) {
			sf->backup0 = sf->backup = jn->backup;
			sf->backup_known = 1;
		}
		sf->nonce_c = jn->nonce;
		sf->has_nonce_c = 1;
		sf->c_id = jn->addr_id;
	} else if (syn && dir == DIR_S2C && jn->hmac_len == 8) {
		sf->nonce_s = jn->nonce;
		sf->has_nonce_s = 1;
		sf->s_id = jn->addr_id;
		memcpy(sf->hmac_s, jn->hmac, 8);
		sf->hmac_s_len = 8;
	} else if (!syn && dir == DIR_C2S && jn->hmac_len == 20) {
		memcpy(sf->hmac_c, jn->hmac, 20);
		sf->hmac_c_len = 20;
	}
}

static void on_dss(struct mpj_sf *sf, const struct pkt *p, int mpdir, struct mpj_res *r)
{
	const struct mp_dss *d = &p->dss;
	if (d->dsn_w)
		r->has_dsn = (uint8_t)widen(sf->mc, mpdir, d->dsn_w, d->dsn, &r->dsn64);
	if (d->dack_w)
		r->has_dack = (uint8_t)widen(sf->mc, !mpdir, d->dack_w, d->dack, &r->dack64);
	if ((d->flags & DSS_M) && d->dlen == 0) {
		/* infinite mapping: the connection falls back to TCP */
		sf->infinite = 1;
		sf->mc->fallback = 1;
		sf->mc->infinite = 1;
	}
}

/* The TCP handshake of the subflow, seen from its flags. */
static void on_flags(struct mpj_sf *sf, const struct pkt *p, int dir)
{
	uint8_t fl = p->flags;
	if (sf->index == 0 && (fl & TH_SYN)) {
		/* either way: the status asks whether one was captured */
		if (fl & TH_ACK)
			sf->mc->synack0 = 1;
		else
			sf->mc->syn0 = 1;
	}
	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN && dir == DIR_C2S)
		sf->syn = 1;
	if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && dir == DIR_S2C && !sf->rst) {
		sf->synack = 1;
		int want = sf->is_join ? MP_JOIN : MP_CAPABLE;
		if (!PKT_HAS(p, want) && !sf->midstream) {
			sf->synack_no_mp = 1;
			if (!sf->is_join)
				sf->mc->fallback = 1;
		}
	}
	if (!(fl & (TH_SYN | TH_RST)) && dir == DIR_C2S && sf->synack)
		sf->established = 1;
	if (fl & TH_FIN)
		sf->fin = 1;
	if (fl & TH_RST) {
		sf->rst = 1;
		/* the reason of the side that sent the first MP_TCPRST (its
		 * last one): the side that reset first says why, the other's
		 * answer (often 0, unspecified) would hide it */
		if (PKT_HAS(p, MP_TCPRST) && (!sf->tcprst || sf->tcprst_dir == dir)) {
			sf->tcprst = 1;
			sf->tcprst_dir = (uint8_t)dir;
			sf->tcprst_reason = p->tcprst_reason;
		}
	}
}

/* The connection's status (the words of mptcp-metrics' status column):
 * midstream without the first subflow's SYN, unknown_token when no
 * MP_CAPABLE came (a join naming a token not captured), fallback when the
 * first subflow's SYN/ACK came and none had MP_CAPABLE or an infinite
 * mapping was sent, failed without the first subflow's SYN/ACK. */
static enum mpj_conn_status conn_status(const struct mpj_conn *mc)
{
	if (!mc->syn0)
		return MPJ_CS_MIDSTREAM;
	if (!mc->has_version)
		return MPJ_CS_UNKNOWN_TOKEN;
	if ((mc->synack0 && !mc->ver_synack) || mc->infinite)
		return MPJ_CS_FALLBACK;
	if (!mc->synack0)
		return MPJ_CS_FAILED;
	return MPJ_CS_OK;
}

const char *const mpj_conn_status_name[MPJ_CS_N] = {
	[MPJ_CS_OK] = "ok", [MPJ_CS_FALLBACK] = "fallback", [MPJ_CS_FAILED] = "failed",
	[MPJ_CS_MIDSTREAM] = "midstream", [MPJ_CS_UNKNOWN_TOKEN] = "unknown_token",
};

/* The connection's state after a packet, into its tags: what changed
 * since the last packet's tags said it, and the version. */
static void conn_tags(struct mpj_conn *mc, struct mpj_res *r)
{
	r->has_version = mc->has_version;
	r->version = mc->version;
	enum mpj_conn_status st = conn_status(mc);
	if (st != mc->said_status) {
		r->has_status = 1;
		r->status = (uint8_t)st;
		mc->said_status = (uint8_t)st;
	}
	for (int side = 0; side < 2; side++) {
		if (!mc->key_news[side])
			continue;
		r->keyed[side] = 1;
		r->token[side] = mc->token[side];
		r->idsn[side] = mc->idsn[side];
		mc->key_news[side] = 0;
	}
}

static void subflow_packet(struct mpj *j, struct mpj_sf *sf, const struct pkt *p,
    const struct pkt_meta *m, struct mpj_res *r)
{
	int mpdir = sf->role == DIR_C2S ? m->dir : !m->dir;
	int64_t now = pkt_time_ns(p);
	if (now > sf->last_ns)
		sf->last_ns = now;
	on_flags(sf, p, m->dir);
	if (PKT_HAS(p, MP_CAPABLE))
		on_capable(j, sf, p, mpdir, r);
	if (PKT_HAS(p, MP_JOIN))
		on_join(sf, p, m->dir);
	if (PKT_HAS(p, MP_DSS))
		on_dss(sf, p, mpdir, r);
	if (PKT_HAS(p, MP_PRIO))
		on_prio(sf, p, mpdir);
	if (PKT_HAS(p, MP_FASTCLOSE)) {
		sf->fastclose = 1;
		sf->mc->fastclose = 1;
	}
	r->mpconn = sf->mc->id;
	r->subflow = sf->index;
	r->mpdir = mpdir;
	r->sf = sf;
	conn_tags(sf->mc, r);
}

static void end_conn(struct mpj *j, struct mpj_conn *mc)
{
	tok_remove(j, &mc->tok[0]);
	tok_remove(j, &mc->tok[1]);
	if (j->on_end)
		j->on_end(mc, j->ctx);
	struct mpj_sf *sf = mc->sfs, *next;
	for (; sf; sf = next) {
		next = sf->next;
		free(sf);
	}
	free(mc);
}

/* Takes an ended subflow out of its live connection: only the subflow
 * table (-s, an on_end callback) needs it any more. */
static void drop_subflow(struct mpj_conn *mc, struct mpj_sf *sf)
{
	struct mpj_sf **pp = &mc->sfs, *prev = NULL;
	while (*pp != sf) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = sf->next;
	if (mc->last == sf)
		mc->last = prev;
	free(sf);
}

static void flow_end(struct flow *f, void *ctx)
{
	struct mpj *j = ctx;
	struct mpj_sf *sf = f->user;
	if (!sf || f->user == PLAIN)
		return;
	if (--sf->mc->live == 0)
		end_conn(j, sf->mc);
	else if (!j->on_end)
		drop_subflow(sf->mc, sf);
}

void mpj_init(struct mpj *j, const struct flow_opts *fo, mpj_end_fn on_end, void *ctx)
{
	memset(j, 0, sizeof *j);
	flowtab_init(&j->subflows, fo->idle_s, fo->grace_s, flow_end, j);
	j->ntok = 256;
	j->tok = xcalloc(j->ntok, sizeof *j->tok);
	j->on_end = on_end;
	j->ctx = ctx;
}

void mpj_packet(struct mpj *j, const struct pkt *p, const struct pkt_meta *m,
    struct mpj_res *r)
{
	int created;
	memset(r, 0, sizeof *r);
	struct flow *f = flowtab_follow(&j->subflows, p, m, &created);
	if (f->user == PLAIN)
		return;
	if (!f->user)
		f->user = start_flow(j, p, m);
	if (f->user && f->user != PLAIN)
		subflow_packet(j, f->user, p, m, r);
}

void mpj_finish(struct mpj *j)
{
	flowtab_finish(&j->subflows);
	if (j->over)
		warnx("%llu join%s beyond %d subflows per MPTCP connection left untagged",
		    (unsigned long long)j->over, j->over == 1 ? "" : "s", MPJ_MAX_SUBFLOWS);
	free(j->tok);
	j->tok = NULL;
}

/* ---- the subflow table ---- */

/* The subflow table's columns (sf: the subflow, mc: its connection). */
#define MPJ_SF_COLUMNS(X) \
	MP_SF_IDENT_COLUMNS(X, sf->index) \
	X(version, INT, "-", "MPTCP version, 0 (RFC 6824) or 1 (RFC 8684)", \
	    out_opt_u64(o, mc->has_version, mc->version)) \
	X(role, TEXT, "-", "client or server: which MPTCP side opened the subflow", \
	    out_str(o, sf->role == DIR_C2S ? "client" : "server")) \
	X(c_key, HEX, "-", "the MPTCP client's key, 0x and 16 hex digits", \
	    out_opt_idhex(o, mc->has_key[DIR_C2S], mc->key[DIR_C2S], 16)) \
	X(s_key, HEX, "-", "the MPTCP server's key, 0x and 16 hex digits", \
	    out_opt_idhex(o, mc->has_key[DIR_S2C], mc->key[DIR_S2C], 16)) \
	X(c_token, HEX, "-", "the client's token, 0x and 8 hex digits", \
	    out_opt_idhex(o, mc->has_token[DIR_C2S], mc->token[DIR_C2S], 8)) \
	X(s_token, HEX, "-", "the server's token, 0x and 8 hex digits", \
	    out_opt_idhex(o, mc->has_token[DIR_S2C], mc->token[DIR_S2C], 8)) \
	X(join_token, HEX, "-", "the token of the MP_JOIN SYN, 0x and 8 hex digits", \
	    out_opt_idhex(o, sf->is_join && !sf->midstream, sf->join_token, 8)) \
	X(start_ts, TS, "s", "first packet of the subflow", out_ts(o, sf->first_ns, mc->ts_digits)) \
	X(end_ts, TS, "s", "last packet of the subflow", out_ts(o, sf->last_ns, mc->ts_digits)) \
	X(join_delay_s, DURATION_S, "s", "from the connection's first packet to the subflow's", \
	    out_ts(o, sf->first_ns - mc->first_ns, mc->ts_digits)) \
	X(backup_initial, BOOL, "-", "backup flag of the MP_JOIN SYN", \
	    out_opt_u64(o, sf->backup_known & 1, sf->backup0)) \
	X(backup, BOOL, "-", "the last backup flag (MP_PRIO)", \
	    out_opt_u64(o, sf->backup_known != 0, sf->backup)) \
	X(c_addr_id, ID, "-", "the TCP client's address id", \
	    out_opt_u64(o, sf->c_id >= 0, (uint64_t)sf->c_id)) \
	X(s_addr_id, ID, "-", "the TCP server's address id", \
	    out_opt_u64(o, sf->s_id >= 0, (uint64_t)sf->s_id)) \
	X(hmac_ok, BOOL, "-", "every captured MP_JOIN HMAC checks out", \
	    out_opt_u64(o, hmac >= 0, (uint64_t)hmac)) \
	X(status, TEXT, "-", "how the subflow ended up (established, fallback, ...)", \
	    out_status(o, sf)) \
	X(close, TEXT, "-", "how it was closed: fin, rst, tcprst_N, fastclose", \
	    out_close_reason(o, sf)) \
	X(ifindex, INT, "-", "interface index of the subflow's first packet (Linux cooked v2)", \
	    out_opt_u64(o, sf->ifindex >= 0, (uint64_t)sf->ifindex)) \
	X(ifname, TEXT, "-", "pcapng interface name of the subflow's first packet", \
	    out_text(o, sf->ifname))

static const struct column sf_cols[] = { MPJ_SF_COLUMNS(COL_ROW) };
static const struct column tag_cols[] = { MPJ_TAG_COLUMNS(COL_ROW) };
const struct col_part mpj_tag_part = COL_PART(tag_cols, 0);
const struct record_def mpj_sf_def = { 1, { COL_PART(sf_cols, 0) } };

void mpj_sf_header(struct out *o)
{
	record_header(o, &mpj_sf_def);
}

static enum mpj_status sf_status(const struct mpj_sf *sf)
{
	if (sf->midstream)
		return MPJ_MIDSTREAM;
	if (!sf->synack)
		return !sf->rst ? MPJ_FAILED_NO_SYNACK :
		    sf->tcprst ? MPJ_FAILED_TCPRST : MPJ_FAILED_RST;
	if (sf->synack_no_mp && !sf->is_join)
		return MPJ_FALLBACK;
	if (!sf->established || sf->synack_no_mp)
		return !sf->rst ? MPJ_FAILED_NO_ACK :
		    sf->tcprst ? MPJ_FAILED_TCPRST : MPJ_FAILED_RST;
	if (sf->unknown_token)
		return MPJ_UNKNOWN_TOKEN;
	if (sf->infinite)
		return MPJ_FALLBACK;
	if (sf->fastclose)
		return MPJ_FASTCLOSE;
	return MPJ_ESTABLISHED;
}

static const char *const status_name[] = {
	[MPJ_ESTABLISHED] = "established", [MPJ_FALLBACK] = "fallback",
	[MPJ_FAILED_NO_SYNACK] = "failed_no_synack", [MPJ_FAILED_NO_ACK] = "failed_no_ack",
	[MPJ_FAILED_RST] = "failed_rst", [MPJ_FAILED_TCPRST] = "failed_tcprst_",
	[MPJ_UNKNOWN_TOKEN] = "unknown_token", [MPJ_MIDSTREAM] = "midstream",
	[MPJ_FASTCLOSE] = "fastclose",
};

void mpj_status_str(const struct mpj_sf *sf, char *buf, size_t n)
{
	enum mpj_status st = sf_status(sf);
	char num[24], *e = num + sizeof num - 1, *d;
	*e = 0;
	d = u64_digits(sf->tcprst_reason, e);
	if (st == MPJ_FAILED_TCPRST)
		snprintf(buf, n, "%s%s", status_name[st], d);
	else
		snprintf(buf, n, "%s", status_name[st]);
}

/* 1 when every HMAC captured checks out, 0 on a mismatch, -1 when none
 * could be checked (a key or a nonce not captured). */
static int hmac_check(const struct mpj_sf *sf)
{
	const struct mpj_conn *mc = sf->mc;
	if (!sf->is_join || !mc->has_key[0] || !mc->has_key[1] || !mc->has_version ||
	    !sf->has_nonce_c || !sf->has_nonce_s)
		return -1;
	/* A opened the subflow (its TCP client), B answered */
	uint64_t ka = mc->key[sf->role], kb = mc->key[!sf->role];
	uint8_t h[20];
	int checked = 0, ok = 1;
	if (sf->hmac_s_len == 8) {
		mp_join_hmac(mc->version, kb, ka, sf->nonce_s, sf->nonce_c, h);
		ok &= memcmp(h, sf->hmac_s, 8) == 0;
		checked = 1;
	}
	if (sf->hmac_c_len == 20) {
		mp_join_hmac(mc->version, ka, kb, sf->nonce_c, sf->nonce_s, h);
		ok &= memcmp(h, sf->hmac_c, 20) == 0;
		checked = 1;
	}
	return checked ? ok : -1;
}

static void out_close_reason(struct out *o, const struct mpj_sf *sf)
{
	if (sf->fastclose)
		out_str(o, "fastclose");
	else if (sf->tcprst) {
		out_str(o, "tcprst_");
		out_u64(o, sf->tcprst_reason);
	} else if (sf->rst)
		out_str(o, "rst");
	else if (sf->fin)
		out_str(o, "fin");
	else
		out_dash(o);
}

static void out_status(struct out *o, const struct mpj_sf *sf)
{
	char st[40];
	mpj_status_str(sf, st, sizeof st);
	out_str(o, st);
}

static void sf_row(struct out *o, const struct mpj_sf *sf)
{
	const struct mpj_conn *mc = sf->mc;
	int hmac = hmac_check(sf);
	int sep = 0;
	MPJ_SF_COLUMNS(COL_EMIT)
	out_nl(o);
}

void mpj_sf_rows(struct out *o, const struct mpj_conn *mc)
{
	for (const struct mpj_sf *sf = mc->sfs; sf; sf = sf->next)
		sf_row(o, sf);
}
