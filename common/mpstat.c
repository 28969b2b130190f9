#include "mpstat.h"

#include <err.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mpjoin.h"
#include "util.h"

#define NS 1000000000LL



/* A data-level range mapped and not yet DATA_ACKed: the subflow and the
 * subflow sequence numbers (dsn - delta) it was first mapped to, when. */
struct iv {
	uint64_t start, end;
	int64_t t;
	int sf;
	uint64_t delta;
};

/* A mapping waiting for the DATA_ACK that covers it (an RTT sample). */
struct pend {
	uint64_t start, end;
	int64_t t;
	int sf;
	int bad; /* part of it was reinjected: no sample */
};

/* Sorted vectors consumed from the front: [lo, n) are live. */
struct ivvec { struct iv *v; size_t lo, n, cap; };
struct pendvec { struct pend *v; size_t lo, n, cap; };

struct mapping {
	uint8_t valid;
	uint64_t dsn;
	uint32_t ssn, len; /* len: data bytes (DATA_FIN excluded) */
	uint64_t own_lo, own_hi; /* the part this mapping was first to map */
};

/* One MPTCP direction of a subflow (dir = the sending side). */
struct sfdir {
	uint64_t data_pkts, data_bytes, rexmit_bytes;
	uint64_t reinj_origin_bytes, reinj_carried_bytes, reinj_carried_segs;
	int64_t first_data, last_data, last_ack;
	uint8_t has_data, has_ack;
	uint8_t has_isn, has_nxt;
	uint32_t isn, nxt;     /* TCP level, relative: next new byte */
	struct mapping map;    /* the last mapping seen */
};

struct sf {
	struct mps_conn *mc;
	int index, role, ended; /* index: the slot in mc->sfs */
	int label;              /* the subflow index mptcp-join gave */
	uint64_t conn;
	uint8_t ipv, c_addr[16], s_addr[16];
	uint16_t c_port, s_port;
	int64_t first_ns, last_ns, last_ack;
	uint8_t synack, syn, client_fin, has_ack, hs_done, fin_dir[2];
	int64_t last_dir[2];  /* last packet sent by the TCP client / server */
	int8_t backup0, backup; /* -1 unknown */
	int16_t c_id, s_id;
	struct sfdir d[2];
};

struct dstat {
	uint64_t pkts, data_pkts, data_bytes, mappings, reinj_bytes, reinj_segs;
	uint64_t rexmit_bytes;
	uint8_t has_base, has_dack, fin, has_fin_dsn;
	uint64_t base_dsn;   /* lowest DSN mapped, for connections without IDSN */
	uint64_t dack, fin_dsn;
	int64_t dack_ts;
	struct ivvec sent;
	struct pendvec pend;
	int64_t *rtt;
	size_t nrtt, caprtt;
	int cur_sf;          /* subflow of the current burst, -1 none */
	uint64_t bursts, b_maps, b_bytes;
	int64_t b_start, b_end;
	uint64_t infinite, add_addr, rm_addr, prio, fail, fastclose;
};

struct mps_conn {
	struct mps_conn *hnext;
	uint64_t id;
	int live;
	uint8_t ver_synack, ver_any, has_ver_synack, has_ver_any;
	uint8_t has_key[2];
	uint64_t key[2];
	int64_t key_ns[2];   /* when each key (so each IDSN) was first seen */
	int64_t first_ns, last_ns;
	uint8_t digits;
	struct sf **sfs;
	int nsf;
	struct dstat d[2];
};

/* ---- small helpers ---- */

static void out_ts(struct out *o, int64_t ns, int digits)
{
	int64_t sec = ns / NS, frac = ns % NS;
	if (frac < 0)
		sec--, frac += NS;
	out_fixed(o, sec, digits == 9 ? (uint64_t)frac : (uint64_t)frac / 1000, digits);
}

/* Milliseconds with microsecond digits, from nanoseconds (truncated). */
static void out_ms(struct out *o, int64_t ns)
{
	int64_t us = ns / 1000;
	out_fixed(o, us / 1000, (uint64_t)(us % 1000), 3);
}



static void tab_opt_ts(struct out *o, int have, int64_t ns, int digits)
{
	out_tab(o);
	if (have)
		out_ts(o, ns, digits);
	else
		out_dash(o);
}

static int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* ---- connection table ---- */

static size_t slot(const struct mps *s, uint64_t id)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 20) & (s->ntab - 1);
}

static struct mps_conn *conn_get(struct mps *s, uint64_t id, const struct pkt *p)
{
	struct mps_conn *mc = s->tab[slot(s, id)];
	for (; mc; mc = mc->hnext)
		if (mc->id == id)
			return mc;
	if (s->count >= s->ntab) {
		size_t n = s->ntab * 2, old = s->ntab;
		struct mps_conn **t = xcalloc(n, sizeof *t), **ot = s->tab;
		s->tab = t;
		s->ntab = n;
		for (size_t i = 0; i < old; i++)
			for (struct mps_conn *c = ot[i], *nx; c; c = nx) {
				nx = c->hnext;
				c->hnext = t[slot(s, c->id)];
				t[slot(s, c->id)] = c;
			}
		free(ot);
	}
	mc = xcalloc(1, sizeof *mc);
	mc->id = id;
	mc->first_ns = mc->last_ns = pkt_time_ns(p);
	mc->digits = p->ts_digits;
	for (int d = 0; d < 2; d++)
		mc->d[d].cur_sf = -1;
	size_t h = slot(s, id);
	mc->hnext = s->tab[h];
	s->tab[h] = mc;
	s->count++;
	return mc;
}

static void conn_unlink(struct mps *s, struct mps_conn *mc)
{
	struct mps_conn **pp = &s->tab[slot(s, mc->id)];
	while (*pp != mc)
		pp = &(*pp)->hnext;
	*pp = mc->hnext;
	s->count--;
}

static struct sf *sf_new(struct mps_conn *mc, int index, const struct pkt *p,
    const struct pkt_meta *m, int mpdir)
{
	struct sf *sf = xcalloc(1, sizeof *sf);
	sf->mc = mc;
	sf->label = index;
	if (index < mc->nsf && mc->sfs[index])
		index = mc->nsf; /* a record stream reusing an index: a new slot */
	sf->index = index;
	sf->conn = m->conn;
	/* the subflow's TCP client is the MPTCP client when both agree */
	sf->role = (mpdir == m->dir) ? DIR_C2S : DIR_S2C;
	sf->ipv = p->ipv;
	pkt_endpoints(p, m->dir, sf->c_addr, sf->s_addr, &sf->c_port, &sf->s_port);
	sf->first_ns = sf->last_ns = pkt_time_ns(p);
	sf->backup0 = sf->backup = -1;
	sf->c_id = sf->s_id = -1;
	if (index >= mc->nsf) {
		mc->sfs = xrealloc(mc->sfs, (size_t)(index + 1) * sizeof *mc->sfs);
		for (int i = mc->nsf; i <= index; i++)
			mc->sfs[i] = NULL;
		mc->nsf = index + 1;
	}
	mc->sfs[index] = sf;
	mc->live++;
	return sf;
}

/* ---- keys: the IDSN of each side, as mptcp-join finds them ---- */

static int conn_version(const struct mps_conn *mc)
{
	return mc->has_ver_synack ? mc->ver_synack : mc->ver_any;
}

static int idsn(const struct mps_conn *mc, int d, uint64_t *v)
{
	uint32_t tok;
	if (!mc->has_key[d] || !(mc->has_ver_synack || mc->has_ver_any))
		return 0;
	mp_key_hash(conn_version(mc), mc->key[d], &tok, v);
	return 1;
}

static int token(const struct mps_conn *mc, int d, uint32_t *tok)
{
	uint64_t v;
	if (!mc->has_key[d] || !(mc->has_ver_synack || mc->has_ver_any))
		return 0;
	mp_key_hash(conn_version(mc), mc->key[d], tok, &v);
	return 1;
}

static void on_capable(struct mps_conn *mc, const struct pkt *p, int mpdir, int64_t now)
{
	const struct mp_capable *c = &p->cap;
	if ((p->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && !mc->has_ver_synack) {
		mc->ver_synack = c->ver;
		mc->has_ver_synack = 1;
	}
	if (!mc->has_ver_any) {
		mc->ver_any = c->ver;
		mc->has_ver_any = 1;
	}
	if (c->has_skey && !mc->has_key[mpdir]) {
		mc->key[mpdir] = c->skey;
		mc->has_key[mpdir] = 1;
		mc->key_ns[mpdir] = now;
	}
	if (c->has_rkey && !mc->has_key[!mpdir]) {
		mc->key[!mpdir] = c->rkey;
		mc->has_key[!mpdir] = 1;
		mc->key_ns[!mpdir] = now;
	}
}

/* ---- events ---- */

static const char *const ev_names[] = { "", "bursts", "reinject", "rtt", "dack", "addr" };

int mps_event_parse(const char *name)
{
	for (int i = 1; i < 6; i++)
		if (strcmp(name, ev_names[i]) == 0)
			return i;
	return -1;
}

static const char *const dirname[2] = { "c2s", "s2c" };

/* The subflow index to print for a slot. */
static uint64_t label(const struct mps_conn *mc, int slot)
{
	return slot >= 0 && slot < mc->nsf && mc->sfs[slot] ? (uint64_t)mc->sfs[slot]->label
	    : (uint64_t)slot;
}

/* Every event record starts with its time, connection and direction. */
static void ev_start(struct out *o, const struct mps_conn *mc, int d, int64_t now)
{
	out_ts(o, now, mc->digits);
	out_tab_u64(o, mc->id);
	out_tab(o);
	out_str(o, dirname[d]);
}

static void ev_burst(struct mps *s, struct mps_conn *mc, int d)
{
	struct dstat *ds = &mc->d[d];
	if (s->ev != MPS_EV_BURSTS || ds->cur_sf < 0)
		return;
	struct out *o = s->o;
	out_u64(o, mc->id);
	out_tab(o);
	out_str(o, dirname[d]);
	out_tab_u64(o, ds->bursts);
	out_tab_u64(o, label(mc, ds->cur_sf));
	out_tab(o);
	out_ts(o, ds->b_start, mc->digits);
	out_tab(o);
	out_ts(o, ds->b_end, mc->digits);
	out_tab(o);
	out_ts(o, ds->b_end - ds->b_start, mc->digits);
	out_tab_u64(o, ds->b_maps);
	out_tab_u64(o, ds->b_bytes);
	out_nl(o);
}

static void ev_reinject(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    uint64_t dsn, uint64_t len, int from, int to, int64_t first)
{
	if (s->ev != MPS_EV_REINJECT)
		return;
	struct out *o = s->o;
	ev_start(o, mc, d, now);
	out_tab_u64(o, dsn);
	out_tab_u64(o, len);
	out_tab_opt_u64(o, from >= 0, label(mc, from));
	out_tab_u64(o, label(mc, to));
	tab_opt_ts(o, from >= 0, now - first, mc->digits);
	out_nl(o);
}

static void ev_rtt(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    const struct pend *pd)
{
	if (s->ev != MPS_EV_RTT)
		return;
	struct out *o = s->o;
	ev_start(o, mc, d, now);
	out_tab_u64(o, label(mc, pd->sf));
	out_tab_u64(o, pd->start);
	out_tab_u64(o, pd->end - pd->start);
	out_tab(o);
	out_ms(o, now - pd->t);
	out_nl(o);
}

static void ev_dack(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    int sf, uint64_t dack, int have_new, uint64_t newly)
{
	if (s->ev != MPS_EV_DACK)
		return;
	struct out *o = s->o;
	ev_start(o, mc, d, now);
	out_tab_u64(o, label(mc, sf));
	out_tab_u64(o, dack);
	out_tab_opt_u64(o, have_new, newly);
	out_nl(o);
}

static void ev_addr_head(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    int sf, const char *what)
{
	struct out *o = s->o;
	ev_start(o, mc, d, now);
	out_tab_u64(o, label(mc, sf));
	out_tab(o);
	out_str(o, what);
}

static void ev_addr(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    int sf, const struct pkt *p)
{
	struct out *o = s->o;
	for (int i = 0; PKT_HAS(p, MP_ADD_ADDR) && i < p->n_add_addr; i++) {
		const struct mp_add_addr *a = &p->add_addr[i];
		ev_addr_head(s, mc, d, now, sf, a->echo ? "add_addr_echo" : "add_addr");
		out_tab_u64(o, a->id);
		out_tab(o);
		out_addr(o, a->ipv, a->addr);
		out_tab_opt_u64(o, a->has_port, a->port);
		out_str(o, "\t-\n");
	}
	for (int i = 0; PKT_HAS(p, MP_RM_ADDR) && i < p->n_rm; i++) {
		ev_addr_head(s, mc, d, now, sf, "rm_addr");
		out_tab_u64(o, p->rm_ids[i]);
		out_str(o, "\t-\t-\t-\n");
	}
	if (PKT_HAS(p, MP_PRIO)) {
		ev_addr_head(s, mc, d, now, sf, "prio");
		out_tab_opt_u64(o, p->prio_id >= 0, (uint64_t)p->prio_id);
		out_str(o, "\t-\t-\t");
		out_u64(o, p->prio_backup);
		out_nl(o);
	}
}

/* ---- data-level bookkeeping ---- */

static void iv_compact(struct ivvec *v)
{
	if (v->lo > 64 && v->lo > v->n / 2) {
		memmove(v->v, v->v + v->lo, (v->n - v->lo) * sizeof *v->v);
		v->n -= v->lo;
		v->lo = 0;
	}
}

static void iv_insert(struct ivvec *v, size_t at, uint64_t a, uint64_t b, int64_t t,
    int sf, uint64_t delta)
{
	if (v->n == v->cap) {
		iv_compact(v);
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 16;
			v->v = xrealloc(v->v, v->cap * sizeof *v->v);
		}
		at = at > v->n ? v->n : at;
	}
	memmove(v->v + at + 1, v->v + at, (v->n - at) * sizeof *v->v);
	v->v[at] = (struct iv){ a, b, t, sf, delta };
	v->n++;
}

/* First live interval ending after a. */
static size_t iv_find(const struct ivvec *v, uint64_t a)
{
	size_t lo = v->lo, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->v[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void pend_bad(struct pendvec *pv, uint64_t a, uint64_t b)
{
	for (size_t i = pv->n; i > pv->lo; i--) {
		struct pend *pd = &pv->v[i - 1];
		if (pd->end <= a)
			break;
		if (pd->start < b)
			pd->bad = 1;
	}
}

/* A fresh mapping [a, b) of direction d on subflow sf: the parts no
 * mapping above the DATA_ACK covers yet become this mapping's. Returns 1
 * when all of it was new (an RTT sample can be taken). */
static int map_range(struct mps_conn *mc, int d, struct sf *sf, struct mapping *m,
    uint64_t delta, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	struct ivvec *v = &ds->sent;
	uint64_t a = m->dsn, b = m->dsn + m->len;
	int all_new = !(ds->has_dack && a < ds->dack);
	if (ds->has_dack && a < ds->dack)
		a = b < ds->dack ? b : ds->dack;
	m->own_lo = m->own_hi = a;
	size_t i = iv_find(v, a);
	while (a < b) {
		if (i < v->n && v->v[i].start <= a) {
			all_new = 0;
			a = b < v->v[i].end ? b : v->v[i].end;
			i++;
			continue;
		}
		uint64_t e = (i < v->n && v->v[i].start < b) ? v->v[i].start : b;
		iv_insert(v, i, a, e, now, sf->index, delta);
		if (m->own_lo == m->own_hi)
			m->own_lo = a;
		m->own_hi = e;
		i++;
		a = e;
	}
	return all_new;
}

/* Payload [a, b) of direction d, new at the TCP level on subflow sf under
 * mapping m: every byte some other mapping (another subflow, or other
 * subflow sequence numbers) mapped before is reinjected. */
static void data_range(struct mps *s, struct mps_conn *mc, int d, struct sf *sf,
    const struct mapping *m, uint64_t delta, uint64_t a, uint64_t b, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	uint64_t reinj = 0;
	if (ds->has_dack && a < ds->dack) {
		/* DATA_ACKed, so mapped before: by this mapping only if it was
		 * the first to map it; who else did is no longer kept */
		uint64_t e = b < ds->dack ? b : ds->dack;
		if (!(a >= m->own_lo && e <= m->own_hi)) {
			reinj += e - a;
			ev_reinject(s, mc, d, now, a, e - a, -1, sf->index, 0);
			pend_bad(&ds->pend, a, e);
		}
		a = e;
	}
	struct ivvec *v = &ds->sent;
	size_t i = iv_find(v, a);
	while (a < b) {
		if (i < v->n && v->v[i].start <= a) {
			struct iv *x = &v->v[i];
			uint64_t e = b < x->end ? b : x->end;
			if (x->sf != sf->index || x->delta != delta) {
				reinj += e - a;
				if (x->sf >= 0 && x->sf < mc->nsf && mc->sfs[x->sf])
					mc->sfs[x->sf]->d[d].reinj_origin_bytes += e - a;
				ev_reinject(s, mc, d, now, a, e - a, x->sf, sf->index, x->t);
				pend_bad(&ds->pend, a, e);
			}
			a = e;
			i++;
			continue;
		}
		/* not mapped yet (its mapping's range was not seen): now it is */
		uint64_t e = (i < v->n && v->v[i].start < b) ? v->v[i].start : b;
		iv_insert(v, i, a, e, now, sf->index, delta);
		i++;
		a = e;
	}
	if (reinj) {
		ds->reinj_bytes += reinj;
		ds->reinj_segs++;
		sf->d[d].reinj_carried_bytes += reinj;
		sf->d[d].reinj_carried_segs++;
	}
}

static void rtt_add(struct dstat *ds, int64_t v)
{
	if (ds->nrtt == ds->caprtt) {
		ds->caprtt = ds->caprtt ? ds->caprtt * 2 : 64;
		ds->rtt = xrealloc(ds->rtt, ds->caprtt * sizeof *ds->rtt);
	}
	ds->rtt[ds->nrtt++] = v;
}

static void pend_push(struct pendvec *pv, uint64_t a, uint64_t b, int64_t t, int sf)
{
	if (pv->n == pv->cap && pv->lo > 0) {
		memmove(pv->v, pv->v + pv->lo, (pv->n - pv->lo) * sizeof *pv->v);
		pv->n -= pv->lo;
		pv->lo = 0;
	}
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? pv->cap * 2 : 16;
		pv->v = xrealloc(pv->v, pv->cap * sizeof *pv->v);
	}
	/* kept sorted by end; new data nearly always goes last */
	size_t i = pv->n;
	while (i > pv->lo && pv->v[i - 1].end > b)
		i--;
	memmove(pv->v + i + 1, pv->v + i, (pv->n - i) * sizeof *pv->v);
	pv->v[i] = (struct pend){ a, b, t, sf, 0 };
	pv->n++;
}

/* A DATA_ACK of direction d's data, sent on subflow sf. */
static void on_dack(struct mps *s, struct mps_conn *mc, int d, int sf,
    uint64_t dack, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	if (ds->has_dack && (int64_t)(dack - ds->dack) <= 0)
		return;
	uint64_t base;
	int have_new = 1;
	uint64_t newly = 0;
	if (ds->has_dack)
		newly = dack - ds->dack;
	else if (idsn(mc, d, &base))
		newly = dack - (base + 1);
	else
		have_new = 0;
	ds->dack = dack;
	ds->has_dack = 1;
	ds->dack_ts = now;
	ev_dack(s, mc, d, now, sf, dack, have_new, newly);
	struct ivvec *v = &ds->sent;
	while (v->lo < v->n && v->v[v->lo].end <= dack)
		v->lo++;
	if (v->lo < v->n && v->v[v->lo].start < dack)
		v->v[v->lo].start = dack;
	if (v->lo == v->n)
		v->lo = v->n = 0;
	struct pendvec *pv = &ds->pend;
	while (pv->lo < pv->n && pv->v[pv->lo].end <= dack) {
		struct pend *pd = &pv->v[pv->lo++];
		if (!pd->bad) {
			rtt_add(ds, now - pd->t);
			ev_rtt(s, mc, d, now, pd);
		}
	}
	if (pv->lo == pv->n)
		pv->lo = pv->n = 0;
}

/* The mapping a packet's data belongs to: its own, or the subflow's last. */
static int packet_mapping(const struct pkt *p, const struct mps_tag *t,
    struct sfdir *sd, int *fresh)
{
	struct mapping m = { 0 };
	*fresh = 0;
	if (t->has_dsn && PKT_HAS(p, MP_DSS) && (p->dss.flags & DSS_M)) {
		/* an infinite mapping (length 0) places nothing after it */
		m.valid = 1;
		m.dsn = t->dsn64;
		m.ssn = p->dss.ssn;
		m.len = p->dss.dlen ? p->dss.dlen - (p->dss.fin ? 1u : 0u) : 0;
	} else if (t->has_dsn && PKT_HAS(p, MP_CAPABLE) && p->cap.has_dlen) {
		m.valid = 1;
		m.dsn = t->dsn64;
		m.ssn = 1;
		m.len = p->cap.dlen;
	}
	if (m.valid) {
		*fresh = !(sd->map.valid && sd->map.dsn == m.dsn && sd->map.ssn == m.ssn &&
		    sd->map.len == m.len);
		if (*fresh)
			sd->map = m;
	}
	return sd->map.valid;
}

static void burst_note(struct mps *s, struct mps_conn *mc, int d, int sf,
    uint64_t bytes, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	if (ds->cur_sf != sf) {
		ev_burst(s, mc, d);
		ds->cur_sf = sf;
		ds->bursts++;
		ds->b_start = now;
		ds->b_maps = ds->b_bytes = 0;
	}
	ds->b_maps++;
	ds->b_bytes += bytes;
	ds->b_end = now;
}

/* TCP level: the part of a segment below the highest subflow sequence
 * number sent before is a TCP retransmission; returns its length. */
static uint32_t tcp_skip(struct sfdir *sd, struct dstat *ds, uint32_t rel, uint32_t len)
{
	uint32_t skip = 0;
	if (sd->has_nxt && seq_lt(rel, sd->nxt)) {
		skip = sd->nxt - rel;
		if (skip > len)
			skip = len;
		sd->rexmit_bytes += skip;
		ds->rexmit_bytes += skip;
	}
	if (!sd->has_nxt || seq_lt(sd->nxt, rel + len)) {
		sd->nxt = rel + len;
		sd->has_nxt = 1;
	}
	return skip;
}

/* Payload and mapping of a packet sent by side d on subflow sf. */
static void on_data(struct mps *s, struct mps_conn *mc, struct sf *sf, int d,
    const struct pkt *p, const struct mps_tag *t, int64_t now)
{
	struct sfdir *sd = &sf->d[d];
	struct dstat *ds = &mc->d[d];
	int fresh;
	int mapped = packet_mapping(p, t, sd, &fresh);
	if (p->len > 0) {
		ds->data_pkts++;
		ds->data_bytes += p->len;
		sd->data_pkts++;
		sd->data_bytes += p->len;
		if (!sd->has_data)
			sd->first_data = now;
		sd->has_data = 1;
		sd->last_data = now;
	}
	if (!sd->has_isn && mapped && fresh && p->len > 0) {
		/* no SYN seen: the segment starts its mapping */
		sd->isn = p->seq - sd->map.ssn;
		sd->has_isn = 1;
	}
	uint32_t rel = p->seq - sd->isn, skip = 0;
	if (p->len > 0 && sd->has_isn)
		skip = tcp_skip(sd, ds, rel, p->len);
	if (fresh && (p->len == 0 || skip < p->len)) {
		/* a new mapping, not one repeated by a TCP retransmission */
		ds->mappings++;
		if (!ds->has_base || (int64_t)(sd->map.dsn - ds->base_dsn) < 0) {
			ds->base_dsn = sd->map.dsn;
			ds->has_base = 1;
		}
	}
	uint64_t delta = sd->map.dsn - sd->map.ssn;
	if (fresh && sd->map.len) {
		int all_new = map_range(mc, d, sf, &sd->map, delta, now);
		if (skip == 0 && p->len > 0) {
			burst_note(s, mc, d, sf->index, sd->map.len, now);
			if (all_new)
				pend_push(&ds->pend, sd->map.dsn, sd->map.dsn + sd->map.len,
				    now, sf->index);
		}
	}
	if (p->len == 0 || !sd->has_isn || !mapped || skip == p->len)
		return;
	uint32_t off = rel + skip - sd->map.ssn;
	if (off >= sd->map.len)
		return; /* beyond the mapping: not placed at the data level */
	uint32_t n = p->len - skip;
	if (n > sd->map.len - off)
		n = sd->map.len - off;
	uint64_t a = sd->map.dsn + off;
	data_range(s, mc, d, sf, &sd->map, delta, a, a + n, now);
}

static void on_options(struct mps *s, struct mps_conn *mc, struct sf *sf, int d,
    int dir, const struct pkt *p, const struct mps_tag *t, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	if (PKT_HAS(p, MP_CAPABLE))
		on_capable(mc, p, d, now);
	if (PKT_HAS(p, MP_JOIN) && (p->flags & TH_SYN)) {
		if (dir == DIR_C2S && p->join.has_token) {
			if (sf->backup0 < 0)
				sf->backup0 = sf->backup = (int8_t)p->join.backup;
			sf->c_id = p->join.addr_id;
		} else if (dir == DIR_S2C) {
			sf->s_id = p->join.addr_id;
		}
	}
	if (PKT_HAS(p, MP_DSS)) {
		const struct mp_dss *x = &p->dss;
		if ((x->flags & DSS_M) && x->dlen == 0)
			ds->infinite++;
		if (x->fin && t->has_dsn && x->dlen) {
			ds->fin = 1;
			ds->fin_dsn = t->dsn64 + x->dlen - 1;
			ds->has_fin_dsn = 1;
		} else if (x->fin) {
			ds->fin = 1;
		}
	}
	if (PKT_HAS(p, MP_ADD_ADDR))
		ds->add_addr += p->n_add_addr;
	if (PKT_HAS(p, MP_RM_ADDR))
		ds->rm_addr += p->n_rm;
	if (PKT_HAS(p, MP_PRIO)) {
		ds->prio++;
		if (p->prio_id < 0) {
			sf->backup = (int8_t)p->prio_backup;
		} else {
			/* v0 form: every subflow using the sender's address id */
			for (int i = 0; i < mc->nsf; i++) {
				struct sf *x = mc->sfs[i];
				if (x && ((x->role == d) ? x->c_id : x->s_id) == p->prio_id)
					x->backup = (int8_t)p->prio_backup;
			}
		}
	}
	if (PKT_HAS(p, MP_FAIL))
		ds->fail++;
	if (PKT_HAS(p, MP_FASTCLOSE))
		ds->fastclose++;
	if (s->ev == MPS_EV_ADDR)
		ev_addr(s, mc, d, now, sf->index, p);
}

static void on_tcp(struct sf *sf, int d, int dir, const struct pkt *p, int64_t now)
{
	struct sfdir *sd = &sf->d[d];
	if (p->flags & TH_SYN) {
		sd->isn = p->seq;
		sd->has_isn = 1;
		sd->nxt = 1;
		sd->has_nxt = 1;
		if (p->flags & TH_ACK)
			sf->synack = 1;
		else
			sf->syn = 1;
	}
	if (!(p->flags & (TH_SYN | TH_RST)) && dir == DIR_C2S && sf->synack && sf->syn)
		sf->hs_done = 1; /* the opener's first packet after the SYN/ACK */
	if ((p->flags & TH_FIN) && d == DIR_C2S)
		sf->client_fin = 1;
	if (p->flags & TH_FIN)
		sf->fin_dir[dir] = 1;
	sf->last_dir[dir] = now;
	if (p->flags & TH_ACK) {
		sd->last_ack = now;
		sd->has_ack = 1;
		sf->last_ack = now;
		sf->has_ack = 1;
	}
}

/* ---- records ---- */

static const char *const conn_cols[] = {
	"mpconn", "version", "status", "ipv", "c_addr", "c_port", "s_addr", "s_port",
	"c_token", "s_token", "c_idsn", "s_idsn", "subflows", "subflows_data",
	"start_ts", "end_ts", "duration_s", NULL
};

static const char *const dir_cols[] = {
	"pkts", "data_pkts", "data_bytes", "unique_bytes", "mappings",
	"reinj_bytes", "reinj_segs", "reinj_frac", "tcp_rexmit_bytes",
	"bursts", "switches", "rtt_n", "rtt_min_ms", "rtt_max_ms", "rtt_avg_ms",
	"rtt_stdev_ms", "rtt_p25_ms", "rtt_p50_ms", "rtt_p75_ms", "rtt_p90_ms",
	"rtt_p95_ms", "rtt_p97_ms", "rtt_p98_ms", "rtt_p99_ms",
	"last_dack_ts", "con_time_s", "goodput_bytes_s", "data_fin", "data_fin_acked",
	"infinite", "add_addr", "rm_addr", "mp_prio", "mp_fail", "fastclose", NULL
};

static const char *const sf_cols[] = {
	"mpconn", "subflow", "conn", "ipv", "c_addr", "c_port", "s_addr", "s_port",
	"role", "handshake", "start_ts", "end_ts", "join_delay_s", "backup_initial",
	"backup", "handover", NULL
};

static const char *const sfdir_cols[] = {
	"data_pkts", "data_bytes", "share", "tcp_rexmit_bytes", "reinj_origin_bytes",
	"reinj_carried_bytes", "reinj_carried_segs", "first_data_ts", "last_data_ts",
	"last_ack_ts", NULL
};

static void header_cols(struct out *o, const char *const *cols, int *first)
{
	for (int i = 0; cols[i]; i++) {
		if (!*first)
			out_tab(o);
		*first = 0;
		out_str(o, cols[i]);
	}
}

static void header_dir(struct out *o, const char *const *cols)
{
	for (int d = 0; d < 2; d++)
		for (int i = 0; cols[i]; i++) {
			out_tab(o);
			out_str(o, dirname[d]);
			out_chr(o, '_');
			out_str(o, cols[i]);
		}
}

void mps_header(const struct mps *s)
{
	struct out *o = s->o;
	int first = 1;
	static const char *const ev_cols[][10] = {
		[MPS_EV_BURSTS] = { "mpconn", "dir", "burst", "subflow", "start_ts", "end_ts",
		    "duration_s", "mappings", "bytes", NULL },
		[MPS_EV_REINJECT] = { "ts", "mpconn", "dir", "dsn", "len", "from_subflow",
		    "to_subflow", "delay_s", NULL },
		[MPS_EV_RTT] = { "ts", "mpconn", "dir", "subflow", "dsn", "len", "rtt_ms", NULL },
		[MPS_EV_DACK] = { "ts", "mpconn", "dir", "subflow", "dack", "bytes", NULL },
		[MPS_EV_ADDR] = { "ts", "mpconn", "dir", "subflow", "event", "addr_id", "addr",
		    "port", "backup", NULL },
	};
	if (s->ev) {
		header_cols(o, ev_cols[s->ev], &first);
	} else if (s->subflows) {
		header_cols(o, sf_cols, &first);
		header_dir(o, sfdir_cols);
	} else {
		header_cols(o, conn_cols, &first);
		header_dir(o, dir_cols);
	}
	out_nl(o);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* numpy.percentile's default ('linear'): between the order statistics
 * around (n - 1) * q, in nanoseconds. */
static double pctl(const int64_t *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t i = (size_t)floor(h);
	if (i + 1 >= n)
		return (double)v[n - 1];
	return (double)v[i] + (h - (double)i) * (double)(v[i + 1] - v[i]);
}

static void out_rtt(struct out *o, struct dstat *ds)
{
	static const double q[] = { .25, .5, .75, .90, .95, .97, .98, .99 };
	size_t n = ds->nrtt;
	out_tab_u64(o, n);
	if (!n) {
		for (int i = 0; i < 12; i++)
			out_str(o, "\t-");
		return;
	}
	qsort(ds->rtt, n, sizeof *ds->rtt, cmp_i64);
	double sum = 0, sq = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)ds->rtt[i];
	double avg = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += ((double)ds->rtt[i] - avg) * ((double)ds->rtt[i] - avg);
	out_tab(o);
	out_ms(o, ds->rtt[0]);
	out_tab(o);
	out_ms(o, ds->rtt[n - 1]);
	out_tab(o);
	out_double(o, avg / 1e6, 3);
	out_tab(o);
	out_double(o, n > 1 ? sqrt(sq / (double)(n - 1)) / 1e6 : 0, 3);
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		out_tab(o);
		out_double(o, pctl(ds->rtt, n, q[i]) / 1e6, 3);
	}
}

/* Data bytes DATA_ACKed: from the IDSN + 1 (else the lowest DSN mapped) to
 * the highest DATA_ACK, less the DATA_FIN's octet when it was acked. */
static int unique_bytes(const struct mps_conn *mc, int d, uint64_t *v, int *fin_acked)
{
	const struct dstat *ds = &mc->d[d];
	uint64_t base;
	*fin_acked = ds->has_fin_dsn && ds->has_dack && (int64_t)(ds->dack - ds->fin_dsn) > 0;
	if (idsn(mc, d, &base))
		base += 1;
	else if (ds->has_base)
		base = ds->base_dsn;
	else
		return 0;
	if (!ds->has_dack || (int64_t)(ds->dack - base) < 0) {
		*v = 0;
		return 1;
	}
	*v = ds->dack - base - (uint64_t)*fin_acked;
	return 1;
}

static const char *conn_status(const struct mps_conn *mc)
{
	const struct sf *sf0 = mc->nsf ? mc->sfs[0] : NULL;
	if (!sf0 || !sf0->syn)
		return "midstream";
	if (!mc->has_ver_any)
		return "unknown_token";
	if (sf0->synack && !mc->has_ver_synack)
		return "fallback";
	if (mc->d[0].infinite || mc->d[1].infinite)
		return "fallback";
	if (!sf0->synack)
		return "failed";
	return "ok";
}

static void out_dir(struct out *o, struct mps_conn *mc, int d)
{
	struct dstat *ds = &mc->d[d];
	uint64_t uniq = 0;
	int fin_acked = 0, hu = unique_bytes(mc, d, &uniq, &fin_acked);
	out_tab_u64(o, ds->pkts);
	out_tab_u64(o, ds->data_pkts);
	out_tab_u64(o, ds->data_bytes);
	out_tab_opt_u64(o, hu, uniq);
	out_tab_u64(o, ds->mappings);
	out_tab_u64(o, ds->reinj_bytes);
	out_tab_u64(o, ds->reinj_segs);
	out_tab(o);
	out_double(o, ds->data_bytes ? (double)ds->reinj_bytes / (double)ds->data_bytes : NAN, 6);
	out_tab_u64(o, ds->rexmit_bytes);
	out_tab_u64(o, ds->bursts);
	out_tab_u64(o, ds->bursts ? ds->bursts - 1 : 0);
	out_rtt(o, ds);
	/* mptcptrace's conTime: from learning the IDSN to the last DATA_ACK
	 * that raised the acknowledged point */
	int ht = ds->has_dack && mc->has_key[d];
	int64_t con = ht ? ds->dack_ts - mc->key_ns[d] : 0;
	tab_opt_ts(o, ds->has_dack, ds->dack_ts, mc->digits);
	tab_opt_ts(o, ht, con, mc->digits);
	out_tab(o);
	out_double(o, hu && ht && con > 0 ? (double)uniq / ((double)con / 1e9) : NAN, 3);
	out_tab_u64(o, ds->fin);
	out_tab_u64(o, (uint64_t)fin_acked);
	out_tab_u64(o, ds->infinite);
	out_tab_u64(o, ds->add_addr);
	out_tab_u64(o, ds->rm_addr);
	out_tab_u64(o, ds->prio);
	out_tab_u64(o, ds->fail);
	out_tab_u64(o, ds->fastclose);
}

static void conn_record(struct mps *s, struct mps_conn *mc)
{
	struct out *o = s->o;
	const struct sf *sf0 = NULL;
	int ndata = 0, nsf = 0;
	for (int i = 0; i < mc->nsf; i++) {
		const struct sf *x = mc->sfs[i];
		if (!x)
			continue;
		nsf++;
		if (!sf0)
			sf0 = x;
		ndata += x->d[0].has_data || x->d[1].has_data;
	}
	uint32_t tok;
	uint64_t v;
	out_u64(o, mc->id);
	out_tab_opt_u64(o, mc->has_ver_any, (uint64_t)conn_version(mc));
	out_tab(o);
	out_str(o, conn_status(mc));
	if (sf0->role == DIR_C2S)
		out_tab_endpoints(o, sf0->ipv, sf0->c_addr, sf0->c_port, sf0->s_addr, sf0->s_port);
	else
		out_tab_endpoints(o, sf0->ipv, sf0->s_addr, sf0->s_port, sf0->c_addr, sf0->c_port);
	for (int d = 0; d < 2; d++) {
		int h = token(mc, d, &tok);
		out_tab_opt_u64(o, h, tok);
	}
	for (int d = 0; d < 2; d++) {
		int h = idsn(mc, d, &v);
		out_tab_opt_u64(o, h, v);
	}
	out_tab_u64(o, (uint64_t)nsf);
	out_tab_u64(o, (uint64_t)ndata);
	out_tab(o);
	out_ts(o, mc->first_ns, mc->digits);
	out_tab(o);
	out_ts(o, mc->last_ns, mc->digits);
	out_tab(o);
	out_ts(o, mc->last_ns - mc->first_ns, mc->digits);
	for (int d = 0; d < 2; d++)
		out_dir(o, mc, d);
	out_nl(o);
}

/* The subflow carried data, was not closed by a FIN from each side, and
 * another subflow carried data after one of its sides fell silent (the
 * path died or was dropped while the connection went on elsewhere). */
static int handover(const struct mps_conn *mc, const struct sf *sf)
{
	if (sf->fin_dir[0] && sf->fin_dir[1])
		return 0;
	if (sf->syn && !sf->hs_done)
		return 0;
	if (!sf->d[0].has_data && !sf->d[1].has_data)
		return 0;
	int64_t silent = sf->last_dir[0] < sf->last_dir[1] ? sf->last_dir[0] : sf->last_dir[1];
	for (int i = 0; i < mc->nsf; i++) {
		const struct sf *x = mc->sfs[i];
		if (!x || x == sf)
			continue;
		for (int d = 0; d < 2; d++)
			if (x->d[d].has_data && x->d[d].last_data > silent)
				return 1;
	}
	return 0;
}

static void sf_record(struct mps *s, struct mps_conn *mc, const struct sf *sf)
{
	struct out *o = s->o;
	out_u64(o, mc->id);
	out_tab_u64(o, (uint64_t)sf->label);
	out_tab_u64(o, sf->conn);
	out_tab_endpoints(o, sf->ipv, sf->c_addr, sf->c_port, sf->s_addr, sf->s_port);
	out_str(o, sf->role == DIR_C2S ? "\tclient" : "\tserver");
	out_tab_opt_u64(o, sf->syn, sf->hs_done);
	out_tab(o);
	out_ts(o, sf->first_ns, mc->digits);
	out_tab(o);
	out_ts(o, sf->last_ns, mc->digits);
	out_tab(o);
	out_ts(o, sf->first_ns - mc->first_ns, mc->digits);
	int8_t b0 = sf->backup0;
	if (b0 < 0 && sf->label == 0 && sf->syn)
		b0 = 0; /* MP_CAPABLE has no B flag */
	out_tab_opt_u64(o, b0 >= 0, (uint64_t)b0);
	out_tab_opt_u64(o, sf->backup >= 0 || b0 >= 0, (uint64_t)(sf->backup >= 0 ? sf->backup : b0));
	out_tab_u64(o, (uint64_t)handover(mc, sf));
	for (int d = 0; d < 2; d++) {
		const struct sfdir *x = &sf->d[d];
		uint64_t tot = mc->d[d].data_bytes;
		out_tab_u64(o, x->data_pkts);
		out_tab_u64(o, x->data_bytes);
		out_tab(o);
		out_double(o, tot ? (double)x->data_bytes / (double)tot : NAN, 6);
		out_tab_u64(o, x->rexmit_bytes);
		out_tab_u64(o, x->reinj_origin_bytes);
		out_tab_u64(o, x->reinj_carried_bytes);
		out_tab_u64(o, x->reinj_carried_segs);
		tab_opt_ts(o, x->has_data, x->first_data, mc->digits);
		tab_opt_ts(o, x->has_data, x->last_data, mc->digits);
		tab_opt_ts(o, x->has_ack, x->last_ack, mc->digits);
	}
	out_nl(o);
}

static void conn_end(struct mps *s, struct mps_conn *mc)
{
	conn_unlink(s, mc);
	for (int d = 0; d < 2; d++)
		ev_burst(s, mc, d);
	if (!s->ev && s->subflows) {
		for (int i = 0; i < mc->nsf; i++)
			if (mc->sfs[i])
				sf_record(s, mc, mc->sfs[i]);
	} else if (!s->ev) {
		conn_record(s, mc);
	}
	for (int i = 0; i < mc->nsf; i++)
		free(mc->sfs[i]);
	free(mc->sfs);
	for (int d = 0; d < 2; d++) {
		free(mc->d[d].sent.v);
		free(mc->d[d].pend.v);
		free(mc->d[d].rtt);
	}
	free(mc);
}

static void flow_end(struct flow *f, void *ctx)
{
	struct sf *sf = f->user;
	if (!sf)
		return;
	sf->ended = 1;
	if (--sf->mc->live == 0)
		conn_end(ctx, sf->mc);
}

void mps_init(struct mps *s, const struct flow_opts *fo, int subflows,
    enum mps_event ev, struct out *o)
{
	memset(s, 0, sizeof *s);
	flowtab_init(&s->flows, fo->idle_s, fo->grace_s, flow_end, s);
	s->ntab = 256;
	s->tab = xcalloc(s->ntab, sizeof *s->tab);
	s->subflows = subflows;
	s->ev = ev;
	s->o = o;
}

void mps_packet(struct mps *s, const struct pkt *p, const struct pkt_meta *m,
    const struct mps_tag *t)
{
	int64_t now = pkt_time_ns(p);
	int created;
	flowtab_expire(&s->flows, now);
	struct flow *f = flowtab_by_id(&s->flows, m->conn, now, &created);
	flow_track(&s->flows, f, p, m->dir);
	if (!t->mpconn)
		return;
	struct sf *sf = f->user;
	if (!sf) {
		struct mps_conn *mc = conn_get(s, t->mpconn, p);
		sf = sf_new(mc, t->subflow, p, m, t->mpdir);
		f->user = sf;
	}
	struct mps_conn *mc = sf->mc;
	int d = sf->role == DIR_C2S ? m->dir : !m->dir;
	if (now > mc->last_ns)
		mc->last_ns = now;
	if (now > sf->last_ns)
		sf->last_ns = now;
	mc->d[d].pkts++;
	on_tcp(sf, d, m->dir, p, now);
	on_options(s, mc, sf, d, m->dir, p, t, now);
	on_data(s, mc, sf, d, p, t, now);
	if (t->has_dack)
		on_dack(s, mc, !d, sf->index, t->dack64, now);
}

void mps_finish(struct mps *s)
{
	flowtab_finish(&s->flows);
	free(s->tab);
	s->tab = NULL;
}
