/* mptcp-pair: matches the segments of a client-side and a server-side
 * capture of the same traffic, and reports per subflow and direction the
 * one-way delays, the segments lost between the two capture points, the
 * clock offset between the captures, and for every MPTCP reinjection
 * which copy reached the receiver's capture first. Definitions:
 * man/mptcp-pair.1.
 *
 * A subflow is known across the captures by its server port and its
 * client's ISN (what a NAT rewriting addresses, or the client's port,
 * leaves alone); a subflow whose SYN neither capture holds, by its two
 * ports. A segment is known within its subflow and direction by its
 * sequence and acknowledgement numbers, payload length, SYN/FIN/RST flags,
 * TCP timestamp value and IPv4 identification, so a TCP retransmission is
 * another segment than its original, and so is a duplicate ACK.
 *
 * Both captures are read merged in time order; a segment waits in a hash
 * table for its copy from the other capture at most -w seconds (then it
 * is lost, or was never seen at the sender), and at most -m segments wait
 * at once (the oldest is then given up, counted as evicted). The delay
 * samples of a direction are kept as their excess over that direction's
 * smallest delay, which a first pass over both captures finds: the
 * sample keeper of summary.c holds non-negative values, and a delay
 * between two clocks may be negative. The first pass also finds the
 * reinjections at the senders' captures (data sequence numbers through
 * mpjoin.c's connections and 64-bit widening); the second one their
 * arrivals at the receivers'. */
#include <err.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "flow.h"
#include "hash.h"
#include "mpjoin.h"
#include "out.h"
#include "pkt.h"
#include "source.h"
#include "spans.h"
#include "summary.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: mptcp-pair [-aIhv] [-e owd|lost|reinject] "
	    "[-m segments] [-O offset_s] [-o file] [-w window_s] client.pcap server.pcap\n");
	exit(status);
}

enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 }; /* the capture; sender of dir d is side d */
enum event { EV_NONE, EV_OWD, EV_LOST, EV_REINJECT };

#define WAIT_DEFAULT (1u << 20)
#define WINDOW_DEFAULT 60.0
#define NIL UINT32_MAX

struct sfdir {
	uint64_t snd, rcv, matched, lost, lost_bytes, unsent, evicted;
	uint64_t reinj, reinj_first;  /* reinjected pieces carried; arrived first */
	int has_base;
	int64_t base;          /* smallest raw delay (pass 1), ns */
	struct rttset ex;      /* raw delay - base, ns */
};

struct tuple {
	uint8_t have, ipv;
	uint8_t c_addr[16], s_addr[16];
	uint16_t c_port, s_port;
};

struct sfkey {
	uint8_t syn;           /* 1: by ISN; 0: by ports (low, high) */
	uint8_t pad;
	uint16_t a;            /* server port, or the lower port */
	uint32_t b;            /* client ISN, or the higher port */
};

struct subflow {
	struct sfkey key;
	uint32_t hnext;
	struct tuple tup[2];   /* as each capture shows it */
	struct sfdir d[2];
	struct sfmap {         /* per capture and direction */
		uint8_t has_isn, has_map;
		uint32_t isn;
		uint64_t dsn;      /* the last mapping seen: 64-bit DSN */
		uint32_t ssn, dlen;
	} m[2][2];
};

/* A range of data sent on one subflow after its first transmission on
 * another (the sender's capture), and when each copy first arrived at
 * the receiver's capture. */
struct reinj {
	uint32_t sf_orig, sf_re, len;
	uint8_t dir, digits, have_rcv[2]; /* [0]: the original's subflow */
	uint64_t dsn;          /* 64-bit, as both captures see it */
	int64_t rel;           /* relative to the sender's IDSN (mpj rel_base) */
	int64_t snd[2], rcv[2];
};

/* Where one reinjection's first byte is looked for at the receiver. */
struct reinj_ix {
	uint32_t sf;
	uint8_t dir, which;
	uint64_t dsn;
	uint32_t rec;
};

/* The first transmission of each data byte of a direction: the origin. */
struct origin_val {
	uint32_t sf;
	uint32_t carried[2];   /* the last two other subflows that carried it, + 1 */
	int64_t ts;
};
#define ORIGIN_MAX 16000       /* ranges kept per direction */
#define REINJ_MAX (1u << 18)   /* reinjections followed */

/* A segment waiting for its copy from the other capture. */
struct segkey {
	uint32_t sf;
	uint32_t seq, ack, len, tsval;
	int32_t ip_id;         /* -1: IPv6, or left out (-I) */
	uint8_t dir, flags, has_ts, pad;
};

struct ent {
	struct segkey k;
	uint32_t hnext, prev, next;  /* hash chain; the waiting list, oldest first */
	uint8_t side, digits;
	int64_t t;                   /* merge time (server's corrected by -O) */
	int64_t ts;                  /* capture time, ns */
	uint64_t frame;
};

struct pair {
	const char *path[2];
	enum event ev;
	struct out *evout;
	int64_t window_ns, merge_off, off;  /* -w; -O (merge order); applied */
	int pass, no_ip_id;
	struct capture stats[2];     /* each capture's counts, after pass 1 */
	/* subflows */
	struct subflow *sf;
	uint32_t nsf, capsf, *sfbucket;
	size_t nsfbucket;
	/* waiting segments */
	struct ent *e;
	uint32_t ne, cape, maxwait, freelist, head, tail, nwait;
	uint32_t *bucket;
	size_t nbucket;
	uint64_t evicted;
	/* reinjections */
	struct mpj j[2];
	struct spans **origin[2];    /* per capture: by mpconn id, the sender's */
	size_t norigin[2];
	uint64_t origin_dropped, reinj_over;
	struct reinj *re;
	uint32_t nre, capre;
	struct reinj_ix *ix;
	size_t nix;
};

static int64_t parse_offset(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !isfinite(v) || fabs(v) > 1e9)
		errx(2, "-O: expected seconds (may be negative, with a fraction), got '%s'", arg);
	return (int64_t)llround(v * 1e9);
}

static void out_sec_ns(struct out *o, int64_t ns, int digits)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	if (ns < 0)
		out_chr(o, '-');
	if (digits == 6)
		out_fixed(o, (int64_t)(a / 1000000000u), (a % 1000000000u) / 1000, 6);
	else
		out_fixed(o, (int64_t)(a / 1000000000u), a % 1000000000u, 9);
}

static void out_tab_ms(struct out *o, double ns)
{
	out_tab(o);
	out_double(o, ns / 1e6, 3);
}

/* Twice the buckets: chains stay short however many subflows come. */
static void sf_rehash(struct pair *pr)
{
	pr->nsfbucket *= 2;
	free(pr->sfbucket);
	pr->sfbucket = xcalloc(pr->nsfbucket, sizeof *pr->sfbucket);
	memset(pr->sfbucket, 0xff, pr->nsfbucket * sizeof *pr->sfbucket);
	for (uint32_t i = 0; i < pr->nsf; i++) {
		size_t h = hash_bytes(&pr->sf[i].key, sizeof pr->sf[i].key) & (pr->nsfbucket - 1);
		pr->sf[i].hnext = pr->sfbucket[h];
		pr->sfbucket[h] = i;
	}
}

/* The subflow p belongs to, created on first sight. */
static uint32_t subflow_of(struct pair *pr, const struct flow *f, const struct pkt *p,
    int side, int *dir)
{
	uint8_t ca[16], sa[16];
	uint16_t cp, sp;
	pkt_endpoints(p, *dir, ca, sa, &cp, &sp);
	struct sfkey k = { 0 };
	if (f->has_isn) {
		k.syn = 1;
		k.a = sp;
		k.b = f->isn;
	} else {
		k.a = cp < sp ? cp : sp;
		k.b = cp < sp ? sp : cp;
	}
	size_t h = hash_bytes(&k, sizeof k) & (pr->nsfbucket - 1);
	uint32_t i;
	for (i = pr->sfbucket[h]; i != NIL; i = pr->sf[i].hnext)
		if (memcmp(&pr->sf[i].key, &k, sizeof k) == 0)
			break;
	if (i == NIL) {
		if (pr->nsf >= 2 * pr->nsfbucket) {
			sf_rehash(pr);
			h = hash_bytes(&k, sizeof k) & (pr->nsfbucket - 1);
		}
		if (pr->nsf == pr->capsf) {
			pr->capsf = pr->capsf ? 2 * pr->capsf : 64;
			pr->sf = xreallocarray(pr->sf, pr->capsf, sizeof *pr->sf);
		}
		i = pr->nsf++;
		memset(&pr->sf[i], 0, sizeof pr->sf[i]);
		pr->sf[i].key = k;
		pr->sf[i].hnext = pr->sfbucket[h];
		pr->sfbucket[h] = i;
	}
	struct subflow *s = &pr->sf[i];
	struct tuple *t = &s->tup[side];
	if (!k.syn) {
		/* no SYN: the flow table guessed the client; follow the first
		 * capture that saw the subflow */
		const struct tuple *first = s->tup[side ^ 1].have ? &s->tup[side ^ 1] : t;
		if (first->have && first->c_port != cp) {
			*dir ^= 1;
			pkt_endpoints(p, *dir, ca, sa, &cp, &sp);
		}
	}
	if (!t->have) {
		t->have = 1;
		t->ipv = p->ipv;
		memcpy(t->c_addr, ca, 16);
		memcpy(t->s_addr, sa, 16);
		t->c_port = cp;
		t->s_port = sp;
	}
	return i;
}

static void wait_unlink(struct pair *pr, uint32_t i)
{
	struct ent *e = &pr->e[i];
	size_t h = hash_bytes(&e->k, sizeof e->k) & (pr->nbucket - 1);
	uint32_t *pp = &pr->bucket[h];
	while (*pp != i)
		pp = &pr->e[*pp].hnext;
	*pp = e->hnext;
	if (e->prev != NIL)
		pr->e[e->prev].next = e->next;
	else
		pr->head = e->next;
	if (e->next != NIL)
		pr->e[e->next].prev = e->prev;
	else
		pr->tail = e->prev;
	e->hnext = pr->freelist;
	pr->freelist = i;
	pr->nwait--;
}

/* A waiting segment whose copy never came: lost between the capture
 * points when it was the sender's, else never seen at the sender. */
static void give_up(struct pair *pr, uint32_t i, int evicted)
{
	struct ent *e = &pr->e[i];
	struct sfdir *d = &pr->sf[e->k.sf].d[e->k.dir];
	if (evicted) {
		d->evicted++;
		pr->evicted++;
	} else if (e->side == e->k.dir) {
		d->lost++;
		d->lost_bytes += e->k.len;
		if (pr->pass == 2 && pr->ev == EV_LOST) {
			struct out *o = pr->evout;
			out_u64(o, e->k.sf);
			out_str(o, e->k.dir == DIR_C2S ? "\tc2s\t" : "\ts2c\t");
			out_u64(o, e->frame);
			out_tab(o);
			out_sec_ns(o, e->ts, e->digits);
			out_tab_u64(o, e->k.seq);
			out_tab_u64(o, e->k.len);
			out_nl(o);
		}
	} else {
		d->unsent++;
	}
	wait_unlink(pr, i);
}

static void expire(struct pair *pr, int64_t now)
{
	while (pr->head != NIL && now - pr->e[pr->head].t > pr->window_ns)
		give_up(pr, pr->head, 0);
}

static void matched(struct pair *pr, const struct ent *snd, const struct ent *rcv)
{
	struct sfdir *d = &pr->sf[snd->k.sf].d[snd->k.dir];
	int64_t raw = rcv->ts - snd->ts;
	d->matched++;
	if (pr->pass == 1) {
		if (!d->has_base || raw < d->base)
			d->base = raw;
		d->has_base = 1;
		return;
	}
	if (!d->has_base || raw < d->base)
		errx(1, "internal error: a delay below the first pass's minimum");
	rttset_add(&d->ex, raw - d->base);
	if (pr->ev == EV_OWD) {
		/* c2s: server clock - client clock = delay + offset */
		int64_t owd = snd->k.dir == DIR_C2S ? raw - pr->off : raw + pr->off;
		struct out *o = pr->evout;
		out_u64(o, snd->k.sf);
		out_str(o, snd->k.dir == DIR_C2S ? "\tc2s\t" : "\ts2c\t");
		out_u64(o, snd->frame);
		out_tab_u64(o, rcv->frame);
		out_tab(o);
		out_sec_ns(o, snd->ts, snd->digits);
		out_tab(o);
		out_sec_ns(o, rcv->ts, rcv->digits);
		out_tab_u64(o, snd->k.seq);
		out_tab_u64(o, snd->k.len);
		out_tab(o);
		out_sec_ns(o, owd, 9);
		out_nl(o);
	}
}

static void segment(struct pair *pr, const struct pkt *p, uint64_t frame, int side,
    uint32_t sf, int dir, int64_t ts, int64_t t)
{
	struct ent me = { 0 };
	me.k.sf = sf;
	me.k.dir = (uint8_t)dir;
	me.k.seq = p->seq;
	me.k.ack = (p->flags & TH_ACK) ? p->ack : 0;
	me.k.len = p->len;
	me.k.flags = p->flags & (TH_SYN | TH_FIN | TH_RST);
	me.k.has_ts = p->has_ts;
	me.k.tsval = p->has_ts ? p->tsval : 0;
	me.k.ip_id = pr->no_ip_id ? -1 : p->ip_id;
	me.side = (uint8_t)side;
	me.digits = p->ts_digits;
	me.t = t;
	me.ts = ts;
	me.frame = frame;
	struct sfdir *d = &pr->sf[sf].d[dir];
	if (side == dir)
		d->snd++;
	else
		d->rcv++;

	size_t h = hash_bytes(&me.k, sizeof me.k) & (pr->nbucket - 1);
	uint32_t found = NIL;
	/* copies with the same key pair up in order: the oldest one waiting
	 * is the last in its chain */
	for (uint32_t i = pr->bucket[h]; i != NIL; i = pr->e[i].hnext)
		if (pr->e[i].side != side && memcmp(&pr->e[i].k, &me.k, sizeof me.k) == 0)
			found = i;
	if (found != NIL) {
		struct ent other = pr->e[found];
		wait_unlink(pr, found);
		if (side == dir)
			matched(pr, &me, &other);
		else
			matched(pr, &other, &me);
		return;
	}
	if (pr->nwait == pr->maxwait)
		give_up(pr, pr->head, 1);
	uint32_t i = pr->freelist;
	if (i != NIL) {
		pr->freelist = pr->e[i].hnext;
	} else {
		if (pr->ne == pr->cape) {
			pr->cape = pr->cape ? 2 * pr->cape : 1024;
			pr->e = xreallocarray(pr->e, pr->cape, sizeof *pr->e);
		}
		i = pr->ne++;
	}
	me.hnext = pr->bucket[h];
	pr->bucket[h] = i;
	me.prev = pr->tail;
	me.next = NIL;
	pr->e[i] = me;
	if (pr->tail != NIL)
		pr->e[pr->tail].next = i;
	else
		pr->head = i;
	pr->tail = i;
	pr->nwait++;
}

/* The data sequence numbers [*a, *b) of p's payload: through its own
 * mapping, else the last one seen on its subflow and direction, when the
 * payload starts inside it (the subflow sequence number of a mapping
 * counts from the ISN: the first payload byte is 1). 0 when unmapped. */
static int data_range(struct sfmap *m, const struct pkt *p, const struct mpj_res *r,
    uint64_t *a, uint64_t *b)
{
	if ((p->flags & TH_SYN) && !(p->flags & TH_RST)) {
		m->has_isn = 1;
		m->isn = p->seq;
	}
	if (r->mpconn && r->has_dsn) {
		if (PKT_HAS(p, MP_CAPABLE) && p->cap.has_dlen) {
			m->has_map = 1;
			m->dsn = r->dsn64;
			m->ssn = 1;
			m->dlen = p->cap.dlen;
		} else if (PKT_HAS(p, MP_DSS) && (p->dss.flags & DSS_M) && p->dss.dlen) {
			m->has_map = 1;
			m->dsn = r->dsn64;
			m->ssn = p->dss.ssn;
			m->dlen = p->dss.dlen;
		}
	}
	if (!p->len || !m->has_isn || !m->has_map || !r->mpconn)
		return 0;
	uint32_t off = p->seq - m->isn - m->ssn;
	if (off >= m->dlen)
		return 0;
	uint32_t n = m->dlen - off < p->len ? m->dlen - off : p->len;
	*a = m->dsn + off;
	*b = *a + n;
	return 1;
}

static struct spans *origin_of(struct pair *pr, int side, uint64_t mpconn)
{
	if (mpconn >= pr->norigin[side]) {
		size_t n = pr->norigin[side] ? pr->norigin[side] : 64;
		while (n <= mpconn)
			n *= 2;
		pr->origin[side] = xreallocarray(pr->origin[side], n, sizeof *pr->origin[side]);
		memset(pr->origin[side] + pr->norigin[side], 0,
		    (n - pr->norigin[side]) * sizeof *pr->origin[side]);
		pr->norigin[side] = n;
	}
	struct spans **o = &pr->origin[side][mpconn];
	if (!*o) {
		*o = xcalloc(1, sizeof **o);
		spans_init(*o, sizeof(struct origin_val));
	}
	return *o;
}

static void origin_end(struct pair *pr, int side, const struct mpj_conn *mc)
{
	if (mc->id < pr->norigin[side] && pr->origin[side][mc->id]) {
		spans_free(pr->origin[side][mc->id]);
		free(pr->origin[side][mc->id]);
		pr->origin[side][mc->id] = NULL;
	}
}

static void end_client(struct mpj_conn *mc, void *ctx) { origin_end(ctx, SIDE_CLIENT, mc); }
static void end_server(struct mpj_conn *mc, void *ctx) { origin_end(ctx, SIDE_SERVER, mc); }

static void reinj_add(struct pair *pr, uint32_t sf, int dir, uint64_t a, uint64_t b,
    const struct origin_val *o, int64_t ts, int digits, uint64_t base)
{
	if (pr->nre == REINJ_MAX) {
		pr->reinj_over++;
		return;
	}
	if (pr->nre == pr->capre) {
		pr->capre = pr->capre ? 2 * pr->capre : 256;
		pr->re = xreallocarray(pr->re, pr->capre, sizeof *pr->re);
	}
	struct reinj *r = &pr->re[pr->nre++];
	memset(r, 0, sizeof *r);
	r->sf_orig = o->sf;
	r->sf_re = sf;
	r->dir = (uint8_t)dir;
	r->dsn = a;
	r->rel = (int64_t)(a - base);
	r->len = (uint32_t)(b - a);
	r->snd[0] = o->ts;
	r->snd[1] = ts;
	r->digits = (uint8_t)digits;
}

/* At the bound: the lowest ranges, the longest ago sent, are forgotten. */
static void origin_forget(struct pair *pr, struct spans *t, uint32_t room)
{
	while (t->n && t->n + room > ORIGIN_MAX) {
		spans_erase(t, spans_first(t));
		pr->origin_dropped++;
	}
}

/* Splits span i at x (lo < x < hi), both halves with its payload;
 * returns the upper half. */
static uint32_t origin_split(struct spans *t, uint32_t i, uint64_t x)
{
	uint64_t hi = spans_at(t, i)->hi;
	struct origin_val v = *(struct origin_val *)spans_val(t, i);
	spans_at(t, i)->hi = x;
	uint32_t k = spans_insert(t, x, hi);
	*(struct origin_val *)spans_val(t, k) = v;
	return k;
}

/* The sender's capture: the new bytes of [a, b) get their origin; those
 * first sent on another subflow, and not carried on this one since (a
 * TCP retransmission of a reinjected copy is no new reinjection), are a
 * reinjection, one per origin range. */
static void origin_segment(struct pair *pr, struct spans *t, uint32_t sf, int dir,
    uint64_t a, uint64_t b, int64_t ts, int digits, uint64_t base)
{
	uint64_t cur = a;
	while (cur < b) {
		uint32_t i = spans_find(t, cur);
		uint64_t end = b;
		if (i && spans_at(t, i)->lo <= cur) {
			struct origin_val *o = spans_val(t, i);
			if (o->sf == sf || o->carried[0] == sf + 1 || o->carried[1] == sf + 1) {
				end = spans_at(t, i)->hi < b ? spans_at(t, i)->hi : b;
				cur = end;
				continue;
			}
			/* the piece gets a span of its own, to note who carried it */
			if (t->n + 2 > ORIGIN_MAX)
				origin_forget(pr, t, 2);
			i = spans_find(t, cur);
			if (!i || spans_at(t, i)->lo > cur)
				continue; /* its origin was just forgotten */
			if (spans_at(t, i)->lo < cur)
				i = origin_split(t, i, cur);
			if (spans_at(t, i)->hi > b)
				origin_split(t, i, b);
			end = spans_at(t, i)->hi;
			o = spans_val(t, i);
			reinj_add(pr, sf, dir, cur, end, o, ts, digits, base);
			o->carried[1] = o->carried[0];
			o->carried[0] = sf + 1;
			cur = end;
			continue;
		}
		if (i && spans_at(t, i)->lo < b)
			end = spans_at(t, i)->lo;
		if (t->n + 1 > ORIGIN_MAX)
			origin_forget(pr, t, 1);
		uint32_t k = spans_insert(t, cur, end);
		struct origin_val *v = spans_val(t, k);
		v->sf = sf;
		v->ts = ts;
		cur = end;
	}
}

static int cmp_ix(const void *x, const void *y)
{
	const struct reinj_ix *a = x, *b = y;
	if (a->sf != b->sf)
		return a->sf < b->sf ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->dsn != b->dsn)
		return a->dsn < b->dsn ? -1 : 1;
	if (a->rec != b->rec)
		return a->rec < b->rec ? -1 : 1;
	return (int)a->which - (int)b->which;
}

/* After the first pass: each reinjection's first byte is looked for on
 * both its subflows at the receiver. */
static void reinj_index(struct pair *pr)
{
	pr->nix = 2 * (size_t)pr->nre;
	pr->ix = xreallocarray(NULL, pr->nix ? pr->nix : 1, sizeof *pr->ix);
	for (uint32_t i = 0; i < pr->nre; i++)
		for (int w = 0; w < 2; w++) {
			struct reinj_ix *x = &pr->ix[2 * (size_t)i + (size_t)w];
			x->sf = w ? pr->re[i].sf_re : pr->re[i].sf_orig;
			x->dir = pr->re[i].dir;
			x->which = (uint8_t)w;
			x->dsn = pr->re[i].dsn;
			x->rec = i;
		}
	qsort(pr->ix, pr->nix, sizeof *pr->ix, cmp_ix);
}

/* The receiver's capture: [a, b) arrived on sf at ts. */
static void reinj_arrival(struct pair *pr, uint32_t sf, int dir, uint64_t a, uint64_t b,
    int64_t ts)
{
	size_t lo = 0, hi = pr->nix;
	struct reinj_ix key = { sf, (uint8_t)dir, 0, a, 0 };
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_ix(&pr->ix[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < pr->nix; lo++) {
		const struct reinj_ix *x = &pr->ix[lo];
		if (x->sf != sf || x->dir != dir || x->dsn >= b)
			break;
		struct reinj *r = &pr->re[x->rec];
		if (!r->have_rcv[x->which] || ts < r->rcv[x->which]) {
			r->have_rcv[x->which] = 1;
			r->rcv[x->which] = ts;
		}
	}
}

static void data_segment(struct pair *pr, const struct pkt *p, int side, uint32_t sf,
    int dir, int64_t ts, const struct mpj_res *r)
{
	uint64_t a, b;
	if (!data_range(&pr->sf[sf].m[side][dir], p, r, &a, &b))
		return;
	if (pr->pass == 1 && side == dir)
		origin_segment(pr, origin_of(pr, side, r->mpconn), sf, dir, a, b, ts,
		    p->ts_digits, r->sf->mc->rel_base[r->mpdir]);
	else if (pr->pass == 2 && side != dir)
		reinj_arrival(pr, sf, dir, a, b, ts);
}

static void reinj_events(struct pair *pr, struct out *o)
{
	for (uint32_t i = 0; i < pr->nre; i++) {
		struct reinj *r = &pr->re[i];
		struct sfdir *d = &pr->sf[r->sf_re].d[r->dir];
		d->reinj++;
		int first = -1; /* 0: the original's copy, 1: the reinjected one */
		if (r->have_rcv[0] && r->have_rcv[1] && r->rcv[0] != r->rcv[1])
			first = r->rcv[1] < r->rcv[0];
		else if (r->have_rcv[0] != r->have_rcv[1])
			first = r->have_rcv[1];
		if (first == 1)
			d->reinj_first++;
		if (pr->ev != EV_REINJECT)
			continue;
		out_u64(o, r->sf_orig);
		out_tab_u64(o, r->sf_re);
		out_str(o, r->dir == DIR_C2S ? "\tc2s\t" : "\ts2c\t");
		out_i64(o, r->rel);
		out_tab_u64(o, r->len);
		for (int w = 0; w < 2; w++) {
			out_tab(o);
			out_sec_ns(o, r->snd[w], r->digits);
		}
		for (int w = 0; w < 2; w++) {
			out_tab(o);
			if (r->have_rcv[w])
				out_sec_ns(o, r->rcv[w], r->digits);
			else
				out_dash(o);
		}
		out_str(o, first == 0 ? "\torig" : first == 1 ? "\treinj" :
		    r->have_rcv[0] && r->have_rcv[1] ? "\ttie" : "\t-");
		out_tab(o);
		if (r->have_rcv[0] && r->have_rcv[1])
			out_sec_ns(o, r->rcv[0] > r->rcv[1] ? r->rcv[0] - r->rcv[1] :
			    r->rcv[1] - r->rcv[0], 9);
		else
			out_dash(o);
		out_nl(o);
	}
}

/* One pass over both captures, merged in time order; returns non-zero
 * when a capture could not be read. */
static int run_pass(struct pair *pr, int pass)
{
	struct capture cap[2];
	struct flowtab ft[2];
	struct pkt p[2];
	int have[2], status = 0;
	const struct flow_opts fo = { FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT };

	pr->pass = pass;
	for (int s = 0; s < 2; s++) {
		memset(&cap[s], 0, sizeof cap[s]);
		if (capture_open(&cap[s], pr->path[s]) < 0)
			exit(1);
		/* the first pass warned about timestamps going backwards already:
		 * the warning comes with the first one counted */
		if (pass == 2)
			cap[s].ts_back = 1;
		flowtab_init(&ft[s], FLOW_IDLE_DEFAULT, FLOW_GRACE_DEFAULT, NULL, NULL);
		mpj_init(&pr->j[s], &fo, s == SIDE_CLIENT ? end_client : end_server, pr);
		have[s] = capture_next(&cap[s], &p[s]);
	}
	for (;;) {
		int64_t t[2];
		for (int s = 0; s < 2; s++)
			if (have[s])
				t[s] = pkt_time_ns(&p[s]) - (s == SIDE_SERVER ? pr->merge_off : 0);
		int s;
		if (have[0] && have[1])
			s = t[1] < t[0];
		else if (have[0] || have[1])
			s = have[1];
		else
			break;
		int64_t ts = pkt_time_ns(&p[s]);
		expire(pr, t[s]);
		flowtab_expire(&ft[s], ts);
		int dir;
		struct flow *f = flowtab_packet(&ft[s], &p[s], &dir);
		struct pkt_meta meta = { f->id, dir, f->hs };
		struct mpj_res res;
		mpj_packet(&pr->j[s], &p[s], &meta, &res);
		uint32_t sf;
		if (f->user) {
			sf = (uint32_t)((uintptr_t)f->user - 1);
			if (!pr->sf[sf].key.syn)
				dir = pr->sf[sf].tup[s].c_port == p[s].sport ? DIR_C2S : DIR_S2C;
		} else {
			sf = subflow_of(pr, f, &p[s], s, &dir);
			f->user = (void *)((uintptr_t)sf + 1);
		}
		segment(pr, &p[s], cap[s].frame, s, sf, dir, ts, t[s]);
		data_segment(pr, &p[s], s, sf, dir, ts, &res);
		have[s] = capture_next(&cap[s], &p[s]);
	}
	while (pr->head != NIL)
		give_up(pr, pr->head, 0);
	for (int s = 0; s < 2; s++) {
		flowtab_finish(&ft[s]);
		mpj_finish(&pr->j[s]);
		if (cap[s].failed)
			status = 1;
		capture_close(&cap[s]);
		if (pass == 1)
			pr->stats[s] = cap[s];
	}
	return status;
}

static const double pct[] = { 25, 50, 75, 90, 95, 99 };
#define NPCT ((int)(sizeof pct / sizeof *pct))

static void header(struct out *o)
{
	out_str(o, "sf\tipv\tc_addr\tc_port\ts_addr\ts_port\tsrv_c_addr\tsrv_c_port"
	    "\tsrv_s_addr\tsrv_s_port\tnat\tdir\tsnd\trcv\tmatched\tlost\tlost_bytes"
	    "\tunsent\tevicted\treinj\treinj_first\towd_n\towd_min\towd_max\towd_avg\towd_stdev");
	for (int i = 0; i < NPCT; i++) {
		out_str(o, "\towd_p");
		out_u64(o, (uint64_t)pct[i]);
	}
	out_str(o, "\toffset\toffset_est\tsf_offset_est\n");
}

static void tab_tuple(struct out *o, const struct tuple *t)
{
	if (!t->have) {
		out_str(o, "\t-\t-\t-\t-");
		return;
	}
	out_tab(o);
	out_addr(o, t->ipv, t->c_addr);
	out_tab_u64(o, t->c_port);
	out_tab(o);
	out_addr(o, t->ipv, t->s_addr);
	out_tab_u64(o, t->s_port);
}

/* The offset (server clock - client clock) the smallest delays of the
 * two directions give, taking them for equal. */
static int sf_offset(const struct subflow *s, int64_t *off)
{
	if (!s->d[0].has_base || !s->d[1].has_base)
		return 0;
	*off = (s->d[DIR_C2S].base - s->d[DIR_S2C].base) / 2;
	return 1;
}

static void row(struct out *o, struct pair *pr, uint32_t i, int dir, int have_est, int64_t est)
{
	struct subflow *s = &pr->sf[i];
	struct sfdir *d = &s->d[dir];
	const struct tuple *v = s->tup[0].have ? &s->tup[0] : &s->tup[1];
	out_u64(o, i);
	out_tab_u64(o, v->ipv);
	tab_tuple(o, v);
	tab_tuple(o, &s->tup[1]);
	out_tab(o);
	if (s->tup[0].have && s->tup[1].have)
		out_chr(o, memcmp(s->tup[0].c_addr, s->tup[1].c_addr, 16) ||
		    memcmp(s->tup[0].s_addr, s->tup[1].s_addr, 16) ||
		    s->tup[0].c_port != s->tup[1].c_port ||
		    s->tup[0].s_port != s->tup[1].s_port ? '1' : '0');
	else
		out_dash(o);
	out_str(o, dir == DIR_C2S ? "\tc2s" : "\ts2c");
	out_tab_u64(o, d->snd);
	out_tab_u64(o, d->rcv);
	out_tab_u64(o, d->matched);
	out_tab_u64(o, d->lost);
	out_tab_u64(o, d->lost_bytes);
	out_tab_u64(o, d->unsent);
	out_tab_u64(o, d->evicted);
	out_tab_u64(o, d->reinj);
	out_tab_u64(o, d->reinj_first);
	out_tab_u64(o, d->ex.mo.n);
	if (!d->ex.mo.n) {
		for (int k = 0; k < 4 + NPCT; k++)
			out_str(o, "\t-");
	} else {
		double shift = (double)(d->base - (dir == DIR_C2S ? pr->off : -pr->off));
		out_tab_ms(o, shift + (double)d->ex.min);
		out_tab_ms(o, shift + (double)d->ex.max);
		out_tab_ms(o, shift + d->ex.mo.mean);
		out_tab(o);
		out_double(o, moments_stdev(&d->ex.mo) / 1e6, 3);
		for (int k = 0; k < NPCT; k++)
			out_tab_ms(o, shift + rttset_percentile(&d->ex, pct[k]));
	}
	out_tab(o);
	out_sec_ns(o, pr->off, 9);
	out_tab(o);
	if (have_est)
		out_sec_ns(o, est, 9);
	else
		out_dash(o);
	int64_t so;
	out_tab(o);
	if (sf_offset(s, &so))
		out_sec_ns(o, so, 9);
	else
		out_dash(o);
	out_nl(o);
}

static struct out *open_records(const char *path)
{
	static struct out file_out;
	if (strcmp(path, "-") == 0)
		return &out_stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		err(1, "%s", path);
	file_out.fd = fd;
	file_out.name = path;
	return &file_out;
}

static void event_header(struct out *o, enum event ev)
{
	if (ev == EV_OWD)
		out_str(o, "sf\tdir\tframe_snd\tframe_rcv\tts_snd\tts_rcv\tseq\tlen\towd\n");
	else if (ev == EV_LOST)
		out_str(o, "sf\tdir\tframe\tts\tseq\tlen\n");
	else if (ev == EV_REINJECT)
		out_str(o, "sf_orig\tsf_reinj\tdir\tdsn\tlen\tts_snd_orig\tts_snd_reinj"
		    "\tts_rcv_orig\tts_rcv_reinj\tfirst\tlead\n");
}

static void pair_free(struct pair *pr)
{
	for (uint32_t i = 0; i < pr->nsf; i++)
		for (int d = 0; d < 2; d++)
			rttset_free(&pr->sf[i].d[d].ex);
	for (int s = 0; s < 2; s++)
		free(pr->origin[s]);
	free(pr->sf);
	free(pr->sfbucket);
	free(pr->e);
	free(pr->bucket);
	free(pr->re);
	free(pr->ix);
}

int main(int argc, char *argv[])
{
	struct pair pr;
	const char *recpath = NULL;
	int ch, apply_est = 0, have_off = 0, verbose = 0;

	memset(&pr, 0, sizeof pr);
	pr.maxwait = WAIT_DEFAULT;
	pr.window_ns = seconds_to_ns(WINDOW_DEFAULT);
	pr.evout = &out_stdout;
	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "ae:hIm:O:o:vw:", NULL)) != -1) {
		switch (ch) {
		case 'a':
			apply_est = 1;
			break;
		case 'e':
			if (pr.ev != EV_NONE)
				errx(2, "-e: one event type per run");
			if (strcmp(optarg, "owd") == 0)
				pr.ev = EV_OWD;
			else if (strcmp(optarg, "lost") == 0)
				pr.ev = EV_LOST;
			else if (strcmp(optarg, "reinject") == 0)
				pr.ev = EV_REINJECT;
			else
				errx(2, "-e: unknown event type '%s' (owd, lost or reinject)", optarg);
			break;
		case 'I':
			pr.no_ip_id = 1;
			break;
		case 'm':
			pr.maxwait = (uint32_t)parse_count_arg("-m", optarg, 1, 1 << 28);
			break;
		case 'O':
			pr.merge_off = parse_offset(optarg);
			have_off = 1;
			break;
		case 'o':
			recpath = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w':
			pr.window_ns = seconds_to_ns(parse_seconds_arg("-w", optarg));
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2) {
		warnx("two captures expected: the client's, then the server's");
		usage(2);
	}
	if (apply_est && have_off)
		errx(2, "-a and -O: one offset at a time");
	pr.path[SIDE_CLIENT] = argv[0];
	pr.path[SIDE_SERVER] = argv[1];
	for (int s = 0; s < 2; s++)
		if (strcmp(argv[s], "-") == 0)
			errx(2, "-: the captures are read twice: give files, not standard input");
	for (int s = 0; s < 2; s++)
		if (!source_is_capture(argv[s]))
			if (access(argv[s], R_OK) == 0)
				errx(1, "%s: not a capture file (pcap, pcapng or gzip; "
				    "both are read twice, so no pipe)", argv[s]);

	struct out *rec = NULL;
	if (recpath)
		rec = open_records(recpath);
	else if (pr.ev == EV_NONE)
		rec = &out_stdout;
	if (pr.ev != EV_NONE && rec == &out_stdout)
		errx(2, "-o: records and events cannot both go to standard output");

	pr.nbucket = 1;
	while (pr.nbucket < pr.maxwait)
		pr.nbucket <<= 1;
	pr.bucket = xcalloc(pr.nbucket, sizeof *pr.bucket);
	memset(pr.bucket, 0xff, pr.nbucket * sizeof *pr.bucket);
	pr.nsfbucket = 64;
	pr.sfbucket = xcalloc(pr.nsfbucket, sizeof *pr.sfbucket);
	memset(pr.sfbucket, 0xff, pr.nsfbucket * sizeof *pr.sfbucket);
	pr.head = pr.tail = pr.freelist = NIL;

	int status = run_pass(&pr, 1);
	int any = 0;
	for (uint32_t i = 0; i < pr.nsf; i++) {
		struct subflow *s = &pr.sf[i];
		any |= s->tup[0].have && s->tup[1].have;
		for (int d = 0; d < 2; d++) {
			int64_t base = s->d[d].base, hb = s->d[d].has_base;
			memset(&s->d[d], 0, sizeof s->d[d]);
			memset(s->m, 0, sizeof s->m);
			s->d[d].base = base;
			s->d[d].has_base = (int)hb;
		}
	}
	if (!any)
		errx(1, "%s, %s: no subflow in common (by server port and client ISN, "
		    "or ports): not captures of the same traffic?", pr.path[0], pr.path[1]);

	/* The estimate: from the subflow with the smallest sum of the two
	 * directions' smallest delays (the offset cancels out of the sum), the
	 * path most likely to be symmetric and least queued. */
	int have_est = 0;
	int64_t est = 0, best = 0;
	for (uint32_t i = 0; i < pr.nsf; i++) {
		int64_t so;
		if (!sf_offset(&pr.sf[i], &so))
			continue;
		int64_t sum = pr.sf[i].d[0].base + pr.sf[i].d[1].base;
		if (!have_est || sum < best) {
			have_est = 1;
			best = sum;
			est = so;
		}
	}
	uint64_t nmatched = 0;
	for (uint32_t i = 0; i < pr.nsf; i++)
		nmatched += pr.sf[i].d[0].has_base + pr.sf[i].d[1].has_base;
	if (!nmatched)
		warnx("no segment of one capture found in the other: clocks further apart "
		    "than the window (-w)? give the offset with -O");
	else if (have_est && llabs(est - pr.merge_off) > pr.window_ns / 2)
		warnx("the clocks' offset (%.3f s, less -O) is near the window (-w): "
		    "segments may have been counted lost; give the offset with -O",
		    (double)(est - pr.merge_off) / 1e9);
	if (apply_est && !have_est)
		errx(1, "-a: no subflow has matched segments in both directions: "
		    "no offset estimate");
	pr.off = apply_est ? est : pr.merge_off;
	pr.evicted = 0;
	reinj_index(&pr);

	event_header(pr.evout, pr.ev);
	status |= run_pass(&pr, 2);
	reinj_events(&pr, pr.evout);
	if (pr.reinj_over)
		warnx("%llu reinjections beyond the %u followed: left out",
		    (unsigned long long)pr.reinj_over, REINJ_MAX);
	if (pr.origin_dropped)
		warnx("%llu data ranges of the origin table forgotten (%d kept per direction): "
		    "data sent again into them is not seen as a reinjection",
		    (unsigned long long)pr.origin_dropped, ORIGIN_MAX);
	if (verbose)
		for (int s = 0; s < 2; s++)
			capture_report(&pr.stats[s], pr.path[s]);
	if (pr.evicted)
		warnx("%llu segments gave up waiting for their copy: more than %u at once "
		    "(-m); counted as evicted", (unsigned long long)pr.evicted, pr.maxwait);
	if (rec) {
		header(rec);
		for (uint32_t i = 0; i < pr.nsf; i++)
			for (int d = 0; d < 2; d++)
				row(rec, &pr, i, d, have_est, est);
		if (rec != &out_stdout)
			out_close(rec);
	}
	pair_free(&pr);
	out_close(&out_stdout);
	return status;
}
