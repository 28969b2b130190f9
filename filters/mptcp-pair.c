/* mptcp-pair: matches the segments of a client-side and a server-side
 * capture of the same traffic, and reports per subflow and direction the
 * one-way delays, the segments lost between the two capture points, and
 * the clock offset between the captures.
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
 * between two clocks may be negative. */
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
#include "out.h"
#include "pkt.h"
#include "source.h"
#include "summary.h"
#include "util.h"

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: mptcp-pair [-aIhv] [-e owd|lost] "
	    "[-m segments] [-O offset_s] [-o file] [-w window_s] client.pcap server.pcap\n");
	exit(status);
}

enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 }; /* the capture; sender of dir d is side d */
enum event { EV_NONE, EV_OWD, EV_LOST };

#define WAIT_DEFAULT (1u << 20)
#define WINDOW_DEFAULT 60.0
#define NIL UINT32_MAX

struct sfdir {
	uint64_t snd, rcv, matched, lost, lost_bytes, unsent, evicted;
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
};

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
};

static int64_t parse_offset(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !isfinite(v) || fabs(v) > 9e9)
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

/* One pass over both captures, merged in time order; returns non-zero
 * when a capture could not be read. */
static int run_pass(struct pair *pr, int pass)
{
	struct capture cap[2];
	struct flowtab ft[2];
	struct pkt p[2];
	int have[2], status = 0;

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
		have[s] = capture_next(&cap[s], &p[s]);
	}
	while (pr->head != NIL)
		give_up(pr, pr->head, 0);
	for (int s = 0; s < 2; s++) {
		flowtab_finish(&ft[s]);
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
	    "\tunsent\tevicted\towd_n\towd_min\towd_max\towd_avg\towd_stdev");
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
	while ((ch = getopt(argc, argv, "ae:hIm:O:o:vw:")) != -1) {
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
			else
				errx(2, "-e: unknown event type '%s' (owd or lost)", optarg);
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
		if (strcmp(argv[s], "-") == 0 || !source_is_capture(argv[s]))
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
	pr.nsfbucket = 4096;
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
	if (apply_est && !have_est)
		errx(1, "-a: no subflow has matched segments in both directions: "
		    "no offset estimate");
	pr.off = apply_est ? est : pr.merge_off;
	pr.evicted = 0;

	event_header(pr.evout, pr.ev);
	status |= run_pass(&pr, 2);
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
	out_close(&out_stdout);
	return status;
}
