#include "tcpstat.h"

#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "flow.h"
#include "hash.h"
#include "pktfmt.h"
#include "seqset.h"
#include "summary.h"
#include "util.h"

#define MS_NS 1000000LL
#define SEC_NS 1000000000LL

/* tstat's constants (rexmit.c, tstat.h) for the rules' thresholds. */
#define RTO_MIN_NS (100 * MS_NS)
#define RTT_MIN_NS (1 * MS_NS)
#define INITIAL_RTO_NS (500 * MS_NS)
#define INITIAL_RTT_MIN_NS (5 * MS_NS)

/* Bounds that keep a connection's memory independent of its length. */
#define SEG_MAX 4096          /* sequence runs remembered per direction */
/* A segment lying over more than this many whole runs (a retransmission
 * of many small segments at once) merges them into one: they were last
 * sent together, and without it every such segment would cost a step per
 * run (4096 at most) again. Linux retransmits at most an MSS or a TSO
 * burst of full segments at once, far fewer runs. */
#define SEG_COVER_MERGE 64

const char *const tcp_class_name[TC_NCLASS] = {
	"-", "rto", "fr", "reorder", "netdup", "flowctl", "unknown",
	"unnec_rto", "unnec_fr",
};

/* A run of sequence space sent by one transmission (unwrapped, [start,
 * end)), with what identifies that transmission on the wire. */
struct seg {
	int64_t start, end;
	int64_t sent_ns;              /* last transmission */
	int32_t ip_id;                /* -1: none (IPv6) */
	uint32_t tsval, tsecr;
	uint8_t has_ts;
	uint8_t rexmit;               /* sent more than once */
	uint8_t acked;                /* some of it acknowledged */
	uint8_t cls;                  /* class of its last transmission */
};

/* The runs of a direction, sorted by start and not overlapping, in a
 * skip list (Pugh, 1990) over a pool of nodes addressed by 16-bit index:
 * finding, inserting and removing a run cost O(log n) expected whatever
 * the order of the segments, appending at the end and removing at the
 * front O(1). Node heights come from a generator seeded with the
 * process's hash key, so no input can be made to line the list up. */
#define SL_LEVELS 8
#define SL_NIL 0xffffu   /* no node */
#define SL_HEAD 0xfffeu  /* the list head, as a predecessor */
_Static_assert(SL_NIL == 0xffffu, "runs_link sets the links to SL_NIL bytewise");

struct segnode {
	struct seg s;
	uint16_t next[SL_LEVELS];
	uint16_t prev;                /* level 0, SL_NIL for the first */
	uint8_t height;
};

struct runs {
	struct segnode *pool;
	uint32_t cap, n;              /* nodes allocated; runs in the list */
	uint16_t first[SL_LEVELS];    /* the head's links */
	uint16_t tail[SL_LEVELS];     /* last node of each level, or SL_NIL */
	uint16_t free;                /* unused nodes, through next[0] */
	uint8_t levels;               /* levels in use */
	uint64_t rng;
};

struct dirstat {
	/* sequence state, unwrapped to 64 bits around snd_max */
	uint8_t init, syn_seen, fin_seen, in_recovery;
	int64_t snd_max, snd_una, isn, fin_end, recover;
	int64_t acked_sent_max;       /* latest transmission among acked runs */
	uint32_t dupacks_cur;         /* dup ACKs received for snd_una */
	struct runs runs;             /* what was sent, not yet forgotten */
	struct seqset seen;           /* what was carried: new vs retransmitted */

	/* what this side last advertised and sent */
	uint8_t has_win, has_last, has_dack;
	uint32_t last_win_raw;
	uint64_t last_win;
	int32_t last_ip_id;
	uint64_t last_dack;
	int16_t syn_wscale;           /* -1: no window scale option in a SYN */

	/* counters (see the man page for each definition) */
	uint64_t pkts, ip_bytes, data_pkts, data_bytes, unique_bytes;
	uint64_t rexmit_pkts, rexmit_bytes, ooo_pkts;
	uint64_t syn, fin, rst, ack, pure_ack, dupacks, keepalive, zwp, sack_pkts, win_zero;
	uint64_t cls[TC_NCLASS];
	int64_t first_payload_ns, last_payload_ns, last_payload_rx_ns;
	int64_t first_ack_ns, last_ack_ns, fin_ack_ns;
	uint8_t ttl_min, ttl_max, sack_perm, ts;
	int32_t mss;
	uint32_t seg_min, seg_max;
	uint64_t win_max, win_min;
	int64_t inflight_max, inflight_min, inflight_last;

	/* RTT: the running sums tstat's thresholds use, and the samples */
	uint64_t rtt_n, rtt_sum;
	double rtt_sum2;
	int64_t rtt_min, rtt_max;
	struct rttset rtt;
};

struct tcpconn {
	const struct tcpstat_cfg *cfg;
	uint64_t id;
	uint8_t hs, ipv, ts_digits;
	int8_t mp_backup;             /* -1: first SYN had no MP_JOIN */
	uint8_t saw_c_syn;
	int64_t ifindex;              /* of the first packet; -1: none */
	char ifname[PKT_IFNAME_MAX + 1]; /* of the first packet; "": none */
	uint8_t c_addr[16], s_addr[16];
	uint16_t c_port, s_port;
	int64_t first_ns, last_ns;
	struct dirstat d[2];
};


/* ---- sequence numbers ---- */

/* The 64-bit position of seq nearest to ref: modular 32-bit comparison,
 * so a segment crossing 2^31 or 2^32 is an ordinary segment. */
static inline int64_t unwrap(uint32_t seq, int64_t ref)
{
	return ref + (int32_t)(seq - (uint32_t)ref);
}

/* First positions start above 2^32 so that nothing near them is < 0. */
static void dir_init(struct dirstat *d, uint32_t seq)
{
	d->init = 1;
	d->snd_max = d->snd_una = (int64_t)seq + (1LL << 32);
}

/* ---- the run list (struct runs) ---- */

static inline struct seg *S(struct dirstat *d, uint16_t i)
{
	return &d->runs.pool[i].s;
}

static inline uint16_t seg_first(const struct dirstat *d)
{
	return d->runs.n ? d->runs.first[0] : SL_NIL;
}

static inline uint16_t seg_next(const struct dirstat *d, uint16_t i)
{
	return d->runs.pool[i].next[0];
}

static inline uint16_t seg_prev(const struct dirstat *d, uint16_t i)
{
	return d->runs.pool[i].prev;
}

static inline uint16_t seg_last(const struct dirstat *d)
{
	return d->runs.n ? d->runs.tail[0] : SL_NIL;
}

static void runs_init(struct runs *r, uint64_t seed)
{
	memset(r, 0, sizeof *r);
	for (int l = 0; l < SL_LEVELS; l++)
		r->first[l] = r->tail[l] = SL_NIL;
	r->free = SL_NIL;
	r->rng = seed | 1;
}

/* The link at level l out of node x (or out of the head). */
static inline uint16_t *link_of(struct runs *r, uint16_t x, int l)
{
	return x == SL_HEAD ? &r->first[l] : &r->pool[x].next[l];
}

/* up[l]: the last node at level l whose run starts before start. */
static void runs_path(struct runs *r, int64_t start, uint16_t *up)
{
	uint16_t x = SL_HEAD;
	for (int l = r->levels - 1; l >= 0; l--) {
		uint16_t nx;
		while ((nx = *link_of(r, x, l)) != SL_NIL && r->pool[nx].s.start < start)
			x = nx;
		up[l] = x;
	}
	for (int l = r->levels; l < SL_LEVELS; l++)
		up[l] = SL_HEAD;
}

static uint16_t node_alloc(struct runs *r)
{
	if (r->free == SL_NIL) {
		uint32_t old = r->cap;
		r->cap = r->cap ? 2 * r->cap : 16;
		r->pool = xreallocarray(r->pool, r->cap, sizeof *r->pool);
		for (uint32_t i = r->cap; i-- > old;) {
			r->pool[i].next[0] = r->free;
			r->free = (uint16_t)i;
		}
	}
	uint16_t i = r->free;
	r->free = r->pool[i].next[0];
	return i;
}

static uint8_t node_height(struct runs *r)
{
	uint64_t x = r->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->rng = x;
	uint8_t h = 1;
	while (h < SL_LEVELS && (x & 3) == 0) { /* each level a quarter of the one below */
		h++;
		x >>= 2;
	}
	return h;
}

/* Links a new node for [start, end) after the path up; returns it. */
static uint16_t runs_link(struct runs *r, const uint16_t *up, int64_t start, int64_t end)
{
	uint16_t i = node_alloc(r);
	struct segnode *nd = &r->pool[i];
	memset(nd, 0, sizeof *nd);
	memset(nd->next, 0xff, sizeof nd->next); /* SL_NIL at every level */
	nd->s.start = start;
	nd->s.end = end;
	nd->height = node_height(r);
	if (nd->height > r->levels)
		r->levels = nd->height;
	for (int l = 0; l < nd->height; l++) {
		uint16_t *in = link_of(r, up[l], l);
		nd->next[l] = *in;
		*in = i;
		if (nd->next[l] == SL_NIL)
			r->tail[l] = i;
	}
	nd->prev = up[0] == SL_HEAD ? SL_NIL : up[0];
	if (nd->next[0] != SL_NIL)
		r->pool[nd->next[0]].prev = i;
	r->n++;
	return i;
}

/* Unlinks node i, whose predecessors are up. */
static void runs_unlink(struct runs *r, uint16_t i, const uint16_t *up)
{
	struct segnode *nd = &r->pool[i];
	for (int l = 0; l < nd->height; l++) {
		*link_of(r, up[l], l) = nd->next[l];
		if (r->tail[l] == i)
			r->tail[l] = up[l] == SL_HEAD ? SL_NIL : up[l];
	}
	if (nd->next[0] != SL_NIL)
		r->pool[nd->next[0]].prev = nd->prev;
	while (r->levels > 0 && r->first[r->levels - 1] == SL_NIL)
		r->levels--;
	nd->next[0] = r->free;
	r->free = i;
	r->n--;
}

static void runs_unlink_first(struct runs *r)
{
	static const uint16_t head[SL_LEVELS] = { SL_HEAD, SL_HEAD, SL_HEAD, SL_HEAD,
		SL_HEAD, SL_HEAD, SL_HEAD, SL_HEAD };
	runs_unlink(r, r->first[0], head);
}

/* Takes b's transmission into a when it is the later one. */
static void seg_take_later(struct seg *a, const struct seg *b)
{
	if (b->sent_ns >= a->sent_ns) {
		a->sent_ns = b->sent_ns;
		a->ip_id = b->ip_id;
		a->tsval = b->tsval;
		a->tsecr = b->tsecr;
		a->has_ts = b->has_ts;
		a->cls = b->cls;
	}
}

/* The list at its bound: two neighbouring runs become one, covering the
 * gap between them, which is the cost. Normally the two lowest (they
 * are mostly acknowledged); when the new run goes before the second
 * one, the two highest, as merging the lowest would swallow the very
 * gap being filled (segments in descending order do that every time). */
static void runs_merge_first(struct dirstat *d)
{
	struct runs *r = &d->runs;
	uint16_t a = r->first[0], b = seg_next(d, a);
	struct seg *sa = S(d, a), *sb = S(d, b);
	struct seg m = *sa; /* a with b merged in, as if b had been merged into a */
	m.end = sb->end;
	seg_take_later(&m, sb);
	m.rexmit |= sb->rexmit;
	m.acked &= sb->acked;
	*sb = m;
	runs_unlink_first(r);
}

static void runs_merge_last(struct dirstat *d)
{
	struct runs *r = &d->runs;
	uint16_t b = seg_last(d), a = seg_prev(d, b), up[SL_LEVELS];
	struct seg *sa = S(d, a), *sb = S(d, b);
	sa->end = sb->end;
	seg_take_later(sa, sb);
	sa->rexmit |= sb->rexmit;
	sa->acked &= sb->acked;
	runs_path(r, sb->start, up);
	runs_unlink(r, b, up);
}

/* Run b, right after run a and sent by the same transmission, becomes
 * part of a. */
static void runs_absorb(struct dirstat *d, uint16_t a, uint16_t b)
{
	uint16_t up[SL_LEVELS];
	S(d, a)->end = S(d, b)->end;
	runs_path(&d->runs, S(d, b)->start, up);
	runs_unlink(&d->runs, b, up);
}

/* Inserts the run [start, end), which overlaps none, keeping the list
 * within SEG_MAX runs; returns it, zeroed but for its range. */
static uint16_t seg_insert(struct dirstat *d, int64_t start, int64_t end)
{
	struct runs *r = &d->runs;
	uint16_t up[SL_LEVELS], last = seg_last(d);
	int append = last == SL_NIL || S(d, last)->start < start;
	if (append) {
		for (int l = 0; l < SL_LEVELS; l++)
			up[l] = r->tail[l] == SL_NIL ? SL_HEAD : r->tail[l];
	} else {
		runs_path(r, start, up);
	}
	if (r->n >= SEG_MAX) {
		uint16_t first = r->first[0];
		/* at least two runs before the new one */
		if (up[0] != SL_HEAD && up[0] != first) {
			runs_merge_first(d);
			for (int l = 0; l < SL_LEVELS; l++)
				if (up[l] == first)
					up[l] = SL_HEAD;
		} else {
			runs_merge_last(d); /* up holds the head and the first run only */
		}
	}
	return runs_link(r, up, start, end);
}

/* The first run ending after pos (SL_NIL when none). The first two are
 * tried before a search: that is where an ACK's runs are. */
static uint16_t seg_find(struct dirstat *d, int64_t pos)
{
	struct runs *r = &d->runs;
	uint16_t f = seg_first(d);
	if (f == SL_NIL || S(d, f)->end > pos)
		return f;
	uint16_t g = seg_next(d, f);
	if (g == SL_NIL || S(d, g)->end > pos)
		return g;
	uint16_t x = SL_HEAD;
	for (int l = r->levels - 1; l >= 0; l--) {
		uint16_t nx;
		while ((nx = *link_of(r, x, l)) != SL_NIL && r->pool[nx].s.end <= pos)
			x = nx;
	}
	return *link_of(r, x, 0);
}

static void seg_stamp(struct seg *s, const struct pkt *p, int64_t now, int cls)
{
	s->sent_ns = now;
	s->ip_id = p->ip_id;
	s->tsval = p->tsval;
	s->tsecr = p->tsecr;
	s->has_ts = p->has_ts;
	s->cls = (uint8_t)cls;
}

/* Acknowledged runs at the front collapse into one, as in tcptrace, so
 * the list holds little more than what is in flight. A hole between two
 * acknowledged runs (a segment the capture missed, which the receiver
 * got) is forgotten with them: otherwise one missed segment would keep
 * every later run in the list for the rest of the connection. */
static void seg_collapse_head(struct dirstat *d)
{
	for (;;) {
		uint16_t ia = seg_first(d);
		if (ia == SL_NIL || seg_next(d, ia) == SL_NIL)
			return;
		struct seg *a = S(d, ia), *b = S(d, seg_next(d, ia));
		if (!a->acked || !b->acked)
			return;
		if (a->sent_ns > b->sent_ns) {
			b->sent_ns = a->sent_ns;
			b->ip_id = a->ip_id;
			b->tsval = a->tsval;
			b->tsecr = a->tsecr;
			b->has_ts = a->has_ts;
			b->cls = a->cls;
		}
		b->start = a->start;
		b->rexmit |= a->rexmit;
		runs_unlink_first(&d->runs);
	}
}

/* ---- events ---- */

/* What an event record carries beside its head (one kind's fields). */
struct ev_vals {
	int64_t rtt, n;
	int cls;
	uint64_t seq, len, bytes;
};

/* The event records (c: the connection, now: the time, dir: the sender
 * of the segment the event is about, then each kind's values). */
#define TCP_EV_HEAD(X) \
	X(conn, ID, "-", "connection id from flowsplit", out_u64(o, c->id)) \
	X(ts, TS, "s", "time of the packet that caused the event", out_ts(o, now, c->ts_digits)) \
	X(dir, TEXT, "-", "c2s or s2c: the direction of the data concerned", \
	    out_str(o, dir == DIR_C2S ? "c2s" : "s2c"))
#define TCP_EV_RTT(X) \
	X(rtt_ms, MS, "ms", "an RTT sample of the data sent in dir", out_ms_ns(o, v.rtt))
#define TCP_EV_REXMIT(X) \
	X(class, TEXT, "-", "retransmission or out-of-sequence class", \
	    out_str(o, tcp_class_name[v.cls])) \
	X(seq, ID, "-", "the segment's sequence number", out_u64(o, v.seq)) \
	X(len, COUNT, "bytes", "its payload length", out_u64(o, v.len)) \
	X(bytes, COUNT, "bytes", "its payload bytes sent before", out_u64(o, v.bytes))
#define TCP_EV_ACK(X) \
	X(acked_bytes, INT, "bytes", "payload bytes newly acknowledged", out_i64(o, v.n))
#define TCP_EV_INFLIGHT(X) \
	X(inflight_bytes, INT, "bytes", "bytes in flight after the change", out_i64(o, v.n))

/* An event record: the head's columns, then those of the kind (v holds
 * its values); one function per kind, written from its table. */
#define TCP_EV_WRITER(fn, COLUMNS, KIND) \
	COL_WRITER fn(struct tcpconn *c, int64_t now, int dir, struct ev_vals v) \
	{ \
		struct out *o = c->cfg->ev[KIND]; \
		int sep = 0; \
		TCP_EV_HEAD(COL_EMIT) \
		COLUMNS(COL_EMIT) \
		out_nl(o); \
	}
TCP_EV_WRITER(ev_write_rtt, TCP_EV_RTT, TEV_RTT)
TCP_EV_WRITER(ev_write_rexmit, TCP_EV_REXMIT, TEV_REXMIT)
TCP_EV_WRITER(ev_write_ack, TCP_EV_ACK, TEV_ACK)
TCP_EV_WRITER(ev_write_inflight, TCP_EV_INFLIGHT, TEV_INFLIGHT)

static void ev_inflight(struct tcpconn *c, int dir, int64_t now)
{
	struct dirstat *d = &c->d[dir];
	int64_t fl = d->snd_max > d->snd_una ? d->snd_max - d->snd_una : 0;
	if (fl == d->inflight_last)
		return;
	d->inflight_last = fl;
	if (!c->cfg->ev[TEV_INFLIGHT])
		return;
	ev_write_inflight(c, now, dir, (struct ev_vals){ .n = fl });
}

/* ---- RTT ---- */

static void rtt_sample(struct tcpconn *c, int dir, int64_t now, int64_t rtt)
{
	struct dirstat *d = &c->d[dir];
	if (rtt < 0)
		return; /* timestamps out of order: no sample */
	d->rtt_n++;
	d->rtt_sum += (uint64_t)rtt;
	d->rtt_sum2 += (double)rtt * (double)rtt;
	if (d->rtt_n == 1 || rtt < d->rtt_min)
		d->rtt_min = rtt;
	if (rtt > d->rtt_max)
		d->rtt_max = rtt;
	rttset_add(&d->rtt, rtt);
	if (c->cfg->ev[TEV_RTT]) {
		ev_write_rtt(c, now, dir, (struct ev_vals){ .rtt = rtt });
	}
}

static double rtt_avg(const struct dirstat *d)
{
	return d->rtt_n ? (double)d->rtt_sum / (double)d->rtt_n : 0.0;
}

/* ---- retransmission classes ---- */

/* 1 when p looks like the very transmission recorded in s (a network
 * duplicate): the same non-zero IPv4 ID and, when both carry them, the
 * same timestamps. IPv6 has no ID, and Linux sends ID 0 on segments of
 * sockets without an ID counter (SYN/ACKs, RSTs): there only equal
 * timestamps tell, and without timestamps nothing does. */
static int same_transmission(const struct seg *s, const struct pkt *p)
{
	int evidence = 0, same = 1;
	if (p->ip_id > 0 && s->ip_id > 0) {
		evidence = 1;
		same &= p->ip_id == s->ip_id;
	}
	if (p->has_ts && s->has_ts) {
		evidence = 1;
		same &= p->tsval == s->tsval && p->tsecr == s->tsecr;
	}
	return evidence && same;
}

struct rules {
	int64_t mean, rto, rttmin;
};

/* tstat's estimates from both directions' samples: Mean_RTT = sum of
 * the averages, RTO = max(100 ms, Mean_RTT + 4 pooled stdev), RTTmin =
 * max(1 ms, sum of the minima); 500 ms / 5 ms until both have samples. */
static struct rules rules_now(const struct dirstat *d, const struct dirstat *o)
{
	struct rules r;
	double mean = rtt_avg(d) + rtt_avg(o);
	uint64_t n = d->rtt_n + o->rtt_n;
	double sd = 0;
	if (n > 2) { /* tstat's Stdev() is 0 for n <= 2 */
		double s = (double)(d->rtt_sum + o->rtt_sum), s2 = d->rtt_sum2 + o->rtt_sum2;
		double v = (s2 - s * s / (double)n) / (double)(n - 1);
		sd = v > 0 ? sqrt(v) : 0;
	}
	r.mean = (int64_t)mean;
	r.rto = (int64_t)(mean + 4 * sd);
	if (r.rto < RTO_MIN_NS)
		r.rto = RTO_MIN_NS;
	r.rttmin = (d->rtt_n ? d->rtt_min : 0) + (o->rtt_n ? o->rtt_min : 0);
	if (r.rttmin < RTT_MIN_NS)
		r.rttmin = RTT_MIN_NS;
	if (!d->rtt_n || !o->rtt_n) {
		r.rto = INITIAL_RTO_NS;
		r.rttmin = INITIAL_RTT_MIN_NS;
	}
	return r;
}

/* What the classifier looks at for one retransmitted or hole-filling
 * packet, taken before the runs are updated. */
struct rx_case {
	int seen;                     /* overlaps sequence space sent before */
	int acked;                    /* its first byte was already ACKed */
	const struct seg *ref;        /* seen: first overlapped run */
	int64_t recovery;             /* now - last send of ref, or of the
	                                 run before the hole */
	int64_t since_next;           /* hole: now - send of the run after */
	int prev_cls;                 /* class of the run before */
};

static int classify(struct tcpconn *c, int dir, const struct pkt *p,
    const struct rx_case *x)
{
	struct dirstat *d = &c->d[dir], *o = &c->d[!dir];
	struct rules r = rules_now(d, o);
	int r1a = x->seen ? !same_transmission(x->ref, p) : 1;
	int r1b = x->recovery > r.rto;
	int r1d = x->recovery < r.mean;
	int r2b = (d->dupacks_cur >= 3 ||
	    (d->in_recovery && d->snd_una < d->recover)) && x->recovery < r.rto;
	int r2c = !x->seen && x->since_next < r.rttmin;

	if (p->len == 1 && o->has_win && o->last_win == 0 && d->syn_seen && o->syn_seen)
		return TC_FLOWCTL;
	if (r1d && x->prev_cls != TC_NONE)
		return x->prev_cls; /* a batch: same cause as the one before */
	if (x->acked) {
		if (!r1a)
			return TC_NETDUP;
		if (r1b || r2b)
			return r2b ? TC_UNNEC_FR : TC_UNNEC_RTO;
		return TC_UNKNOWN;
	}
	if (x->seen) {
		if (!r1a)
			return TC_NETDUP;
		if (r1b || r2b)
			return r2b ? TC_FR : TC_RTO;
		return TC_UNKNOWN;
	}
	if (r1b || r2b)
		return r2b ? TC_FR : TC_RTO;
	if (r2c)
		return TC_REORDER;
	return TC_UNKNOWN;
}

/* Fast recovery lasts until the cumulative ACK reaches what was sent
 * when it began (RFC 6582); an RTO ends it. */
static void recovery_note(struct dirstat *d, int cls)
{
	if (cls == TC_FR) {
		if (!d->in_recovery) {
			d->in_recovery = 1;
			d->recover = d->snd_max;
		}
	} else if (cls == TC_RTO) {
		d->in_recovery = 0;
	}
}

static void ev_rexmit(struct tcpconn *c, int dir, int64_t now, int cls,
    const struct pkt *p, uint64_t bytes)
{
	if (!c->cfg->ev[TEV_REXMIT])
		return;
	ev_write_rexmit(c, now, dir,
	    (struct ev_vals){ .cls = cls, .seq = p->seq, .len = p->len, .bytes = bytes });
}

/* The general case of a packet's sequence space [s, e): it overlaps runs
 * sent before, or fills a hole below snd_max. The runs give its class;
 * how many of its bytes are retransmitted the caller has from the
 * sequence ranges carried (rex_bytes). */
static void seq_general(struct tcpconn *c, int dir, const struct pkt *p,
    int64_t now, int64_t s, int64_t e, uint64_t rex_bytes)
{
	struct dirstat *d = &c->d[dir];
	uint16_t i0 = seg_find(d, s);
	struct rx_case x = { 0 };
	int new_below = 0;
	int64_t cur = s;

	/* what was there before */
	uint32_t inside = 0; /* runs within [s, e) */
	for (uint16_t j = i0; j != SL_NIL && S(d, j)->start < e; j = seg_next(d, j)) {
		struct seg *g = S(d, j);
		inside += g->start >= s && g->end <= e;
		if (!x.seen) {
			x.seen = 1;
			x.ref = g;
			x.prev_cls = seg_prev(d, j) != SL_NIL ? S(d, seg_prev(d, j))->cls : TC_NONE;
		}
		if (g->start > cur)
			new_below |= cur < d->snd_max;
		if (g->end > cur)
			cur = g->end;
	}
	if (cur < e)
		new_below |= cur < d->snd_max;

	int cls = TC_NONE;
	if (x.seen || new_below) {
		if (x.seen) {
			x.recovery = now - x.ref->sent_ns;
		} else {
			uint16_t ip = i0 != SL_NIL ? seg_prev(d, i0) : seg_last(d);
			const struct seg *prev = ip != SL_NIL ? S(d, ip) : NULL;
			const struct seg *next = i0 != SL_NIL ? S(d, i0) : NULL;
			int64_t tn = next ? next->sent_ns : now;
			x.since_next = now - tn;
			x.recovery = now - (prev ? prev->sent_ns : tn);
			x.prev_cls = prev ? prev->cls : TC_NONE;
		}
		x.acked = s < d->snd_una;
		cls = classify(c, dir, p, &x);
		d->cls[cls]++;
		recovery_note(d, cls);
		ev_rexmit(c, dir, now, cls, p, rex_bytes);
	}

	/* now record it: restamp overlapped runs, add runs for new space; a
	 * segment over more than SEG_COVER_MERGE runs merges those within it
	 * (see there) */
	int merge = inside > SEG_COVER_MERGE;
	uint16_t last_inside = SL_NIL;
	cur = s;
	uint16_t j = i0;
	while (cur < e) {
		if (j != SL_NIL && S(d, j)->start <= cur) {
			struct seg *g = S(d, j);
			uint16_t next = seg_next(d, j);
			seg_stamp(g, p, now, cls);
			g->rexmit = 1;
			if (g->acked)
				d->acked_sent_max = now;
			cur = g->end;
			if (merge && g->start >= s && g->end <= e) {
				struct seg *h = last_inside != SL_NIL ? S(d, last_inside) : NULL;
				if (h && h->end == g->start && h->acked == g->acked)
					runs_absorb(d, last_inside, j);
				else
					last_inside = j;
			} else {
				last_inside = SL_NIL;
			}
			j = next;
			continue;
		}
		last_inside = SL_NIL;
		/* a gap below run j (or the end): a new run, placed before j; a
		 * merge at the bound never takes j, two runs or more from it */
		int64_t gap_end = j != SL_NIL && S(d, j)->start < e ? S(d, j)->start : e;
		struct seg *g = S(d, seg_insert(d, cur, gap_end));
		seg_stamp(g, p, now, cls);
		if (cur < d->snd_una) { /* below the ACK: the receiver has it */
			g->acked = 1;
			d->acked_sent_max = now;
		}
		cur = gap_end;
	}
}

/* Sequence space of a segment of this direction: SYN, payload, FIN. */
static void seq_in(struct tcpconn *c, int dir, const struct pkt *p, int64_t now)
{
	struct dirstat *d = &c->d[dir];
	int syn = !!(p->flags & TH_SYN), fin = !!(p->flags & TH_FIN);
	if (!d->init)
		dir_init(d, p->seq);
	int64_t s = unwrap(p->seq, d->snd_max);
	int64_t e = s + syn + p->len + fin;
	/* new or retransmitted: by the sequence ranges carried, as in
	 * mptcp-metrics (common/stats/seqset.h) */
	struct seqset_seg r = seqset_segment(&d->seen, s, syn, p->len, fin, NULL, NULL);
	if (r.any_seen) {
		d->rexmit_pkts++;
		d->rexmit_bytes += r.payload_seen;
	} else if (r.new_lo < d->snd_max) {
		d->ooo_pkts++; /* it fills a hole */
	}
	if (r.payload_new) {
		d->unique_bytes += r.payload_new;
		d->last_payload_ns = now;
	}
	if (syn) {
		d->isn = s;
		d->syn_seen = 1;
	}
	if (fin) {
		d->fin_end = e;
		d->fin_seen = 1;
	}
	if (s >= d->snd_max) {
		/* the common case: new data at or beyond the highest sent */
		struct seg *g = S(d, seg_insert(d, s, e));
		seg_stamp(g, p, now, TC_NONE);
	} else {
		seq_general(c, dir, p, now, s, e, r.payload_seen);
	}
	if (e > d->snd_max)
		d->snd_max = e;
	if (p->len) {
		int64_t fl = d->snd_max - d->snd_una;
		if (fl > d->inflight_max)
			d->inflight_max = fl;
		if (fl > 0 && (d->inflight_min == 0 || fl < d->inflight_min))
			d->inflight_min = fl;
	}
	ev_inflight(c, dir, now);
}

/* ---- ACKs ---- */

/* An ACK that only carries MPTCP signalling (a DATA_ACK that moved, a
 * mapping, or another MPTCP option) is no TCP duplicate ACK: counting it
 * as one (tstat does) would invent fast retransmits on subflows. */
static int mptcp_signal(const struct dirstat *a, const struct pkt *p)
{
	if (!p->mp.n)
		return 0;
	if (p->have & ~(1u << MP_DSS))
		return 1;
	if (!PKT_HAS(p, MP_DSS))
		return 1; /* malformed options only */
	if (p->dss.flags & DSS_M)
		return 1;
	if (p->dss.dack_w && (!a->has_dack || a->last_dack != p->dss.dack))
		return 1;
	return 0;
}

/* A copy of the previous segment from the same side (the same packet
 * captured twice) repeats no information. Only a non-zero IPv4 ID tells:
 * real duplicate ACKs sent within one timestamp tick share timestamps. */
static int same_as_last(const struct dirstat *a, const struct pkt *p)
{
	return a->has_last && p->ip_id > 0 && p->ip_id == a->last_ip_id;
}

/* RFC 5681 duplicate ACK: no data, no SYN/FIN/RST, same ACK as the
 * highest, same window, data outstanding. */
static void dupack_check(struct tcpconn *c, int adir, const struct pkt *p)
{
	struct dirstat *a = &c->d[adir], *d = &c->d[!adir];
	if (p->len || (p->flags & (TH_SYN | TH_FIN | TH_RST)))
		return;
	if (!a->has_win || p->win != a->last_win_raw || d->snd_max <= d->snd_una)
		return;
	if (mptcp_signal(a, p) || same_as_last(a, p))
		return;
	a->dupacks++;
	d->dupacks_cur++;
}

/* Bytes of payload in (from, to]: the SYN and FIN take sequence space. */
static int64_t acked_payload(const struct dirstat *d, int64_t from, int64_t to)
{
	int64_t n = to - from;
	if (d->syn_seen && d->isn >= from && d->isn < to)
		n--;
	if (d->fin_seen && d->fin_end - 1 >= from && d->fin_end - 1 < to)
		n--;
	return n > 0 ? n : 0;
}

/* ack from side adir acknowledges data of the other side. */
static void ack_in(struct tcpconn *c, int adir, const struct pkt *p, int64_t now)
{
	int dir = !adir;
	struct dirstat *d = &c->d[dir], *a = &c->d[adir];
	if (!d->init)
		return; /* acknowledges nothing seen: no position to anchor it */
	int64_t A = unwrap(p->ack, d->snd_max);
	if (A == d->snd_una)
		dupack_check(c, adir, p);
	if (A <= d->snd_una)
		return;

	/* Karn: sample the run this ACK ends exactly, when it was sent once
	 * and nothing before it was sent later (tstat's rtt_ackin). */
	int64_t newest = d->acked_sent_max;
	for (uint16_t j = seg_find(d, d->snd_una); j != SL_NIL; j = seg_next(d, j)) {
		struct seg *g = S(d, j);
		if (g->start >= A)
			break;
		if (!g->acked) {
			g->acked = 1;
			if (g->end == A && !g->rexmit && newest <= g->sent_ns)
				rtt_sample(c, dir, now, now - g->sent_ns);
		}
		if (g->sent_ns > newest)
			newest = g->sent_ns;
	}
	d->acked_sent_max = newest;
	seg_collapse_head(d);

	if (!a->fin_ack_ns && d->fin_seen && A >= d->fin_end)
		d->fin_ack_ns = now;
	if (c->cfg->ev[TEV_ACK]) {
		ev_write_ack(c, now, dir, (struct ev_vals){ .n = acked_payload(d, d->snd_una, A) });
	}
	d->snd_una = A;
	d->dupacks_cur = 0;
	if (d->in_recovery && A >= d->recover)
		d->in_recovery = 0;
	ev_inflight(c, dir, now);
}

/* ---- per packet ---- */

static void window_in(struct tcpconn *c, int dir, const struct pkt *p)
{
	struct dirstat *d = &c->d[dir], *o = &c->d[!dir];
	if (p->flags & TH_RST || !(p->flags & (TH_ACK | TH_SYN)))
		return;
	uint64_t w = p->win;
	/* RFC 7323: scaled only when both SYNs offered it, never in a SYN */
	if (!(p->flags & TH_SYN) && d->syn_wscale >= 0 && o->syn_wscale >= 0)
		w <<= d->syn_wscale > 14 ? 14 : d->syn_wscale;
	if (!d->has_win || w > d->win_max)
		d->win_max = w;
	if (!d->has_win || w < d->win_min)
		d->win_min = w;
	if (w == 0)
		d->win_zero++;
	d->has_win = 1;
	d->last_win = w;
	d->last_win_raw = p->win;
}

static void counters_in(struct tcpconn *c, int dir, const struct pkt *p, int64_t now)
{
	struct dirstat *d = &c->d[dir];
	d->pkts++;
	d->ip_bytes += p->ip_len;
	if (d->pkts == 1 || p->ttl < d->ttl_min)
		d->ttl_min = p->ttl;
	if (p->ttl > d->ttl_max)
		d->ttl_max = p->ttl;
	if (p->flags & TH_SYN) {
		d->syn++;
		if (p->mss >= 0)
			d->mss = p->mss;
		d->syn_wscale = p->wscale;
		d->sack_perm |= p->sack_perm;
	}
	if (p->flags & TH_FIN)
		d->fin++;
	if (p->flags & TH_RST)
		d->rst++;
	if (p->flags & TH_ACK) {
		d->ack++;
		if (!d->first_ack_ns)
			d->first_ack_ns = now;
		d->last_ack_ns = now;
		if (!p->len && !(p->flags & (TH_SYN | TH_FIN | TH_RST)))
			d->pure_ack++;
	}
	if (p->nsack)
		d->sack_pkts++;
	if (p->has_ts)
		d->ts = 1;
	if (p->len) {
		d->data_pkts++;
		d->data_bytes += p->len;
		if (d->data_pkts == 1 || p->len < d->seg_min)
			d->seg_min = p->len;
		if (p->len > d->seg_max)
			d->seg_max = p->len;
		if (!d->first_payload_ns)
			d->first_payload_ns = now;
		d->last_payload_rx_ns = now;
	}
}

static void remember_last(struct dirstat *d, const struct pkt *p)
{
	d->has_last = 1;
	d->last_ip_id = p->ip_id;
	if (PKT_HAS(p, MP_DSS) && p->dss.dack_w) {
		d->has_dack = 1;
		d->last_dack = p->dss.dack;
	}
}

/* The peer's window is closed: what we send is a probe of it. */
static int peer_closed(const struct tcpconn *c, int dir)
{
	const struct dirstat *o = &c->d[!dir];
	return o->has_win && o->last_win == 0;
}

/* Segments one below the peer's ACK with nothing outstanding, of zero
 * or one (garbage) byte, without SYN, FIN or RST: they ask whether the
 * peer is there, and are neither new data nor retransmissions. */
static int below_una(const struct dirstat *d, const struct pkt *p)
{
	if (!d->init || p->len > 1 || (p->flags & (TH_SYN | TH_FIN | TH_RST)))
		return 0;
	return d->snd_max <= d->snd_una && unwrap(p->seq, d->snd_max) == d->snd_una - 1;
}

/* Keep-alive (RFC 9293 3.8.4) or zero-window probe: the same segment
 * at snd_una - 1, told apart by the peer's window (Linux sends both with
 * no payload); a one-byte segment into a closed window is a probe too.
 * Returns 1 for the segments below snd_una, which take no sequence space. */
static int probes_in(struct tcpconn *c, int dir, const struct pkt *p)
{
	struct dirstat *d = &c->d[dir];
	int below = below_una(d, p);
	if (peer_closed(c, dir) && !(p->flags & (TH_SYN | TH_FIN | TH_RST)) &&
	    (p->len == 1 || below))
		d->zwp++;
	else if (below)
		d->keepalive++;
	return below;
}

void tcpconn_packet(struct tcpconn *c, const struct pkt *p, int dir)
{
	int64_t now = pkt_time_ns(p);
	struct dirstat *d = &c->d[dir];
	if (now < c->first_ns)
		c->first_ns = now;
	if (now > c->last_ns)
		c->last_ns = now;
	if (dir == DIR_C2S && !c->saw_c_syn && (p->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		c->saw_c_syn = 1;
		c->mp_backup = PKT_HAS(p, MP_JOIN) ? (int8_t)p->join.backup : -1;
	}
	counters_in(c, dir, p, now);
	if (p->flags & TH_ACK)
		ack_in(c, dir, p, now);
	if (!probes_in(c, dir, p) && (p->len || (p->flags & (TH_SYN | TH_FIN))))
		seq_in(c, dir, p, now);
	window_in(c, dir, p);
	remember_last(d, p);
}

struct tcpconn *tcpconn_new(const struct tcpstat_cfg *cfg, uint64_t id,
    const struct pkt *p, int dir, int hs)
{
	struct tcpconn *c = calloc(1, sizeof *c);
	if (!c)
		err(1, "out of memory");
	c->cfg = cfg;
	c->id = id;
	c->hs = (uint8_t)hs;
	c->ipv = p->ipv;
	c->ts_digits = p->ts_digits == 9 ? 9 : 6;
	c->mp_backup = -1;
	c->ifindex = p->ifindex;
	if (p->ifname)
		snprintf(c->ifname, sizeof c->ifname, "%s", p->ifname);
	pkt_endpoints(p, dir, c->c_addr, c->s_addr, &c->c_port, &c->s_port);
	c->first_ns = c->last_ns = pkt_time_ns(p);
	for (int i = 0; i < 2; i++) {
		c->d[i].syn_wscale = -1;
		c->d[i].mss = -1;
		seqset_init(&c->d[i].seen);
		runs_init(&c->d[i].runs, hash_u64(id ^ ((uint64_t)i << 63)));
	}
	return c;
}

void tcpconn_free(struct tcpconn *c)
{
	for (int i = 0; i < 2; i++) {
		free(c->d[i].runs.pool);
		seqset_free(&c->d[i].seen);
		rttset_free(&c->d[i].rtt);
	}
	free(c);
}

/* ---- the record ---- */

/* The connection columns (c: the connection). */
#define TCP_CONN_COLUMNS(X) \
	X(conn, ID, "-", "connection id from flowsplit", out_u64(o, c->id)) \
	X(hs, BOOL, "-", "the client's SYN was captured", out_u64(o, c->hs)) \
	X(ipv, INT, "-", "IP version, 4 or 6", out_u64(o, c->ipv)) \
	X(c_addr, ADDR, "-", "client address (sender of the first SYN)", \
	    out_addr(o, c->ipv, c->c_addr)) \
	X(c_port, PORT, "-", "client port", out_u64(o, c->c_port)) \
	X(s_addr, ADDR, "-", "server address", out_addr(o, c->ipv, c->s_addr)) \
	X(s_port, PORT, "-", "server port", out_u64(o, c->s_port)) \
	X(first_ts, TS, "s", "first packet", f_ts(o, c, c->first_ns)) \
	X(last_ts, TS, "s", "last packet", f_ts(o, c, c->last_ns)) \
	X(duration_s, DURATION_S, "s", "last_ts - first_ts", conn_duration(o, c)) \
	X(mp_backup, BOOL, "-", "MP_JOIN backup bit of the client's first SYN", \
	    out_opt_u64(o, c->mp_backup >= 0, (uint64_t)c->mp_backup)) \
	X(ifindex, INT, "-", "interface index of the first packet (Linux cooked v2)", \
	    out_opt_u64(o, c->ifindex >= 0, (uint64_t)c->ifindex)) \
	X(ifname, TEXT, "-", "pcapng interface name of the first packet", out_text(o, c->ifname))

/* The direction columns, written for c2s then s2c (d: the direction). */
#define TCP_DIR_COLUMNS(X) \
	X(pkts, COUNT, "packets", "segments sent", out_u64(o, d->pkts)) \
	X(ip_bytes, COUNT, "bytes", "sum of their IP total lengths", out_u64(o, d->ip_bytes)) \
	X(data_pkts, COUNT, "packets", "segments with payload", out_u64(o, d->data_pkts)) \
	X(data_bytes, COUNT, "bytes", "payload bytes, retransmissions included", \
	    out_u64(o, d->data_bytes)) \
	X(unique_bytes, COUNT, "bytes", "payload sequence space covered at least once", \
	    out_u64(o, d->unique_bytes)) \
	X(rexmit_pkts, COUNT, "packets", "segments overlapping sequence space sent before", \
	    out_u64(o, d->rexmit_pkts)) \
	X(rexmit_bytes, COUNT, "bytes", "payload bytes sent before", out_u64(o, d->rexmit_bytes)) \
	X(ooo_pkts, COUNT, "packets", "segments with new sequence space below the highest", \
	    out_u64(o, d->ooo_pkts)) \
	X(syn, COUNT, "packets", "segments with SYN", out_u64(o, d->syn)) \
	X(fin, COUNT, "packets", "segments with FIN", out_u64(o, d->fin)) \
	X(rst, COUNT, "packets", "segments with RST", out_u64(o, d->rst)) \
	X(ack, COUNT, "packets", "segments with ACK", out_u64(o, d->ack)) \
	X(pure_ack, COUNT, "packets", "ACKs without payload, SYN, FIN or RST", \
	    out_u64(o, d->pure_ack)) \
	X(dupacks, COUNT, "packets", "duplicate ACKs sent (RFC 5681)", out_u64(o, d->dupacks)) \
	X(keepalive, COUNT, "packets", "keep-alives sent", out_u64(o, d->keepalive)) \
	X(zwp, COUNT, "packets", "zero-window probes sent", out_u64(o, d->zwp)) \
	X(first_payload_ts, TS, "s", "first segment with payload", \
	    f_ts(o, c, d->first_payload_ns)) \
	X(last_payload_ts, TS, "s", "last segment with new payload", \
	    f_ts(o, c, d->last_payload_ns)) \
	X(last_payload_rexmit_ts, TS, "s", "last segment with payload, retransmissions included", \
	    f_ts(o, c, d->last_payload_rx_ns)) \
	X(first_ack_ts, TS, "s", "first segment with ACK", f_ts(o, c, d->first_ack_ns)) \
	X(last_ack_ts, TS, "s", "last segment with ACK", f_ts(o, c, d->last_ack_ns)) \
	X(fin_ack_ts, TS, "s", "this direction's FIN acknowledged", f_ts(o, c, d->fin_ack_ns)) \
	X(rtt_n, COUNT, "samples", "RTT samples (Karn's rule)", rttset_out(o, &d->rtt, RTT_N, 0)) \
	X(rtt_min_ms, MS, "ms", "minimum RTT", rttset_out(o, &d->rtt, RTT_MIN, 0)) \
	X(rtt_max_ms, MS, "ms", "maximum RTT", rttset_out(o, &d->rtt, RTT_MAX, 0)) \
	X(rtt_avg_ms, MS, "ms", "mean RTT", rttset_out(o, &d->rtt, RTT_AVG, 0)) \
	X(rtt_stdev_ms, MS, "ms", "RTT sample standard deviation", \
	    rttset_out(o, &d->rtt, RTT_STDEV, 0)) \
	X(rtt_p50_ms, MS, "ms", "RTT median (numpy percentile)", rttset_out(o, &d->rtt, RTT_PCT, 50)) \
	X(rtt_p90_ms, MS, "ms", "RTT 90th percentile", rttset_out(o, &d->rtt, RTT_PCT, 90)) \
	X(rtt_p95_ms, MS, "ms", "RTT 95th percentile", rttset_out(o, &d->rtt, RTT_PCT, 95)) \
	X(rtt_p99_ms, MS, "ms", "RTT 99th percentile", rttset_out(o, &d->rtt, RTT_PCT, 99)) \
	X(ttl_min, COUNT, "hops", "lowest IP TTL or hop limit", \
	    out_opt_u64(o, d->pkts > 0, d->ttl_min)) \
	X(ttl_max, COUNT, "hops", "highest IP TTL or hop limit", \
	    out_opt_u64(o, d->pkts > 0, d->ttl_max)) \
	X(seg_min, COUNT, "bytes", "smallest payload of a data segment", \
	    out_opt_u64(o, d->data_pkts > 0, d->seg_min)) \
	X(seg_max, COUNT, "bytes", "largest payload of a data segment", \
	    out_opt_u64(o, d->data_pkts > 0, d->seg_max)) \
	X(mss, COUNT, "bytes", "MSS option of the SYN", \
	    out_opt_u64(o, d->mss >= 0, (uint64_t)d->mss)) \
	X(wscale, COUNT, "-", "window scale option of the SYN", \
	    out_opt_u64(o, d->syn_wscale >= 0, (uint64_t)d->syn_wscale)) \
	X(sack, BOOL, "-", "SACK permitted option seen", out_u64(o, d->sack_perm)) \
	X(sack_pkts, COUNT, "packets", "segments with SACK blocks", out_u64(o, d->sack_pkts)) \
	X(ts, BOOL, "-", "timestamp option seen", out_u64(o, d->ts)) \
	X(win_max, COUNT, "bytes", "largest scaled window advertised", \
	    out_opt_u64(o, d->has_win, d->win_max)) \
	X(win_min, COUNT, "bytes", "smallest scaled window advertised", \
	    out_opt_u64(o, d->has_win, d->win_min)) \
	X(win_zero, COUNT, "packets", "segments advertising a zero window", \
	    out_u64(o, d->win_zero)) \
	X(inflight_max, INT, "bytes", "most bytes sent and not acknowledged", \
	    out_opt_i64(o, d->data_pkts > 0, d->inflight_max)) \
	X(inflight_min, INT, "bytes", "fewest bytes in flight after the first data", \
	    out_opt_i64(o, d->data_pkts > 0, d->inflight_min)) \
	X(rexmit_rto, COUNT, "packets", "retransmissions after a timeout", \
	    out_u64(o, d->cls[TC_RTO])) \
	X(rexmit_fr, COUNT, "packets", "fast retransmissions", out_u64(o, d->cls[TC_FR])) \
	X(rexmit_reorder, COUNT, "packets", "out-of-sequence by reordering", \
	    out_u64(o, d->cls[TC_REORDER])) \
	X(rexmit_netdup, COUNT, "packets", "network duplicates", out_u64(o, d->cls[TC_NETDUP])) \
	X(rexmit_flowctl, COUNT, "packets", "retransmissions by flow control (window probes)", \
	    out_u64(o, d->cls[TC_FLOWCTL])) \
	X(rexmit_unknown, COUNT, "packets", "out-of-sequence of no other class", \
	    out_u64(o, d->cls[TC_UNKNOWN])) \
	X(rexmit_unnec_rto, COUNT, "packets", "unneeded retransmissions after a timeout", \
	    out_u64(o, d->cls[TC_UNNEC_RTO])) \
	X(rexmit_unnec_fr, COUNT, "packets", "unneeded fast retransmissions", \
	    out_u64(o, d->cls[TC_UNNEC_FR]))

/* Every class has its column: a class added to enum tcp_class needs one. */
_Static_assert(TC_NCLASS == 9, "a rexmit_ column per retransmission class");

static const struct column tcp_conn_cols[] = { TCP_CONN_COLUMNS(COL_ROW) };
static const struct column tcp_dir_cols[] = { TCP_DIR_COLUMNS(COL_ROW) };
static const struct column tcp_ev_head[] = { TCP_EV_HEAD(COL_ROW) };
static const struct column tcp_ev_rtt[] = { TCP_EV_RTT(COL_ROW) };
static const struct column tcp_ev_rexmit[] = { TCP_EV_REXMIT(COL_ROW) };
static const struct column tcp_ev_ack[] = { TCP_EV_ACK(COL_ROW) };
static const struct column tcp_ev_inflight[] = { TCP_EV_INFLIGHT(COL_ROW) };

static const struct record_def tcp_records[] = {
	[TEV_NONE] = { 2, { COL_PART(tcp_conn_cols, 0), COL_PART(tcp_dir_cols, 1) } },
	[TEV_RTT] = { 2, { COL_PART(tcp_ev_head, 0), COL_PART(tcp_ev_rtt, 0) } },
	[TEV_REXMIT] = { 2, { COL_PART(tcp_ev_head, 0), COL_PART(tcp_ev_rexmit, 0) } },
	[TEV_ACK] = { 2, { COL_PART(tcp_ev_head, 0), COL_PART(tcp_ev_ack, 0) } },
	[TEV_INFLIGHT] = { 2, { COL_PART(tcp_ev_head, 0), COL_PART(tcp_ev_inflight, 0) } },
};

const struct record_def *tcpstat_record_def(enum tcp_event ev)
{
	return &tcp_records[ev];
}

void tcpstat_header(struct out *o)
{
	record_header(o, &tcp_records[TEV_NONE]);
}

void tcpstat_event_header(struct out *o, enum tcp_event ev)
{
	if (ev != TEV_NONE)
		record_header(o, &tcp_records[ev]);
}

/* A timestamp column; 0 means never (no capture is from 1970). */
static void f_ts(struct out *o, const struct tcpconn *c, int64_t ns)
{
	out_opt_ts(o, ns != 0, ns, c->ts_digits);
}

static void conn_duration(struct out *o, const struct tcpconn *c)
{
	int64_t dur = c->last_ns - c->first_ns;
	out_fixed(o, dur / SEC_NS, (uint64_t)(c->ts_digits == 9 ?
	    dur % SEC_NS : dur % SEC_NS / 1000), c->ts_digits);
}

static void dir_record(struct out *o, const struct tcpconn *c, struct dirstat *d)
{
	int sep = 1;
	TCP_DIR_COLUMNS(COL_EMIT)
}

void tcpstat_record(struct out *o, struct tcpconn *c)
{
	int sep = 0;
	TCP_CONN_COLUMNS(COL_EMIT)
	dir_record(o, c, &c->d[DIR_C2S]);
	dir_record(o, c, &c->d[DIR_S2C]);
	out_nl(o);
}

/* ---- the engine */

const int tcpeng_need[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_IP_ID,
	COL_TTL, COL_IP_LEN, COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_WIN,
	COL_MSS, COL_WSCALE, COL_SACK_PERM, COL_SACK, COL_TSVAL, COL_TSECR,
	COL_MPTCP, COL_MPJ_BACKUP, COL_DSS_FLAGS, COL_DACK, COL_DACK_W, -1
};

const int tcpeng_use[] = {
	COL_TS, COL_IPV, COL_SRC, COL_DST, COL_SPORT, COL_DPORT, COL_IP_ID,
	COL_TTL, COL_IP_LEN, COL_LEN, COL_FLAGS, COL_SEQ, COL_ACK, COL_WIN,
	COL_MSS, COL_WSCALE, COL_SACK_PERM, COL_SACK, COL_TSVAL, COL_TSECR,
	COL_MPTCP, COL_MPJ_BACKUP, COL_DSS_FLAGS, COL_DACK, COL_DACK_W,
	COL_IFINDEX, COL_IFNAME, -1
};

/* A connection ended (closed and quiet, idle, or end of input). */
static void tcpeng_end(struct flow *f, void *ctx)
{
	struct tcpeng *e = ctx;
	if (e->rec) {
		tcpstat_record(e->rec, f->user);
		e->rows++;
	}
	tcpconn_free(f->user);
}

void tcpeng_init(struct tcpeng *e, const struct flow_opts *fo, struct out *rec,
    struct out *const ev[TEV_INFLIGHT + 1])
{
	memset(e, 0, sizeof *e);
	e->rec = rec;
	for (int k = TEV_RTT; ev && k <= TEV_INFLIGHT; k++)
		e->cfg.ev[k] = ev[k];
	flowtab_init(&e->tab, fo->idle_s, fo->grace_s, tcpeng_end, e);
	if (rec)
		tcpstat_header(rec);
	for (int k = TEV_RTT; k <= TEV_INFLIGHT; k++)
		if (e->cfg.ev[k])
			tcpstat_event_header(e->cfg.ev[k], (enum tcp_event)k);
}

void tcpeng_packet(struct tcpeng *e, const struct pkt *p, const struct pkt_meta *m)
{
	int created;
	struct flow *f = flowtab_follow(&e->tab, p, m, &created);
	if (created)
		f->user = tcpconn_new(&e->cfg, m->conn, p, m->dir, m->hs);
	tcpconn_packet(f->user, p, m->dir);
}

void tcpeng_finish(struct tcpeng *e)
{
	flowtab_finish(&e->tab);
}
