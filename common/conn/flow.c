#include "flow.h"
#include "hash.h"
#include "util.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

static const struct column flow_tag_cols[] = { FLOW_TAG_COLUMNS(COL_ROW) };
const struct col_part flow_tag_part = COL_PART(flow_tag_cols, 0);



void flowtab_init(struct flowtab *t, double idle_s, double grace_s,
    flow_end_fn on_end, void *ctx)
{
	memset(t, 0, sizeof *t);
	t->nbucket = 1024;
	t->bucket = xcalloc(t->nbucket, sizeof *t->bucket);
	t->idle_ns = seconds_to_ns(idle_s);
	t->grace_ns = seconds_to_ns(grace_s);
	t->on_end = on_end;
	t->ctx = ctx;
}

void pkt_endpoints(const struct pkt *p, int dir, uint8_t *c_addr, uint8_t *s_addr,
    uint16_t *c_port, uint16_t *s_port)
{
	size_t alen = p->ipv == 6 ? 16 : 4;
	int c2s = dir == DIR_C2S;
	memset(c_addr, 0, 16);
	memset(s_addr, 0, 16);
	memcpy(c_addr, c2s ? p->src : p->dst, alen);
	memcpy(s_addr, c2s ? p->dst : p->src, alen);
	*c_port = c2s ? p->sport : p->dport;
	*s_port = c2s ? p->dport : p->sport;
}

/* Keys are 8 bytes (connection ids) or 37 (tuples, which a capture's
 * author chooses): keyed, so no capture puts its connections into one
 * chain. */
static uint64_t hash_key(const uint8_t *k, size_t n)
{
	if (n == 8) {
		uint64_t id;
		memcpy(&id, k, 8);
		return hash_u64(id);
	}
	if (n == 37 && k[0] == 4) {
		/* an IPv4 tuple without its zero padding (see tuple_key): 13
		 * bytes hash in two SipHash words instead of five */
		uint8_t v4[13];
		v4[0] = 4;
		memcpy(v4 + 1, k + 1, 4);
		memcpy(v4 + 5, k + 17, 6);
		memcpy(v4 + 11, k + 35, 2);
		return hash_bytes(v4, sizeof v4);
	}
	return hash_bytes(k, n);
}

static void list_del(struct flow_list *l, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void list_add(struct flow_list *l, struct flow *f)
{
	f->prev = l->tail;
	f->next = NULL;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

static void grow(struct flowtab *t)
{
	size_t n = t->nbucket * 2;
	struct flow **b = xcalloc(n, sizeof *b);
	for (size_t i = 0; i < t->nbucket; i++) {
		struct flow *f = t->bucket[i], *next;
		for (; f; f = next) {
			next = f->hnext;
			size_t h = hash_key(f->key, f->keylen) & (n - 1);
			f->hnext = b[h];
			b[h] = f;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = n;
}

static inline uint64_t ld64(const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, 8);
	return v;
}

/* Key equality without a call to memcmp for the two sizes there are:
 * 8 (ids) and 37 (tuples; its last word overlaps the one before). */
static inline int key_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (n == 8)
		return ld64(a) == ld64(b);
	if (n == 37)
		return ((ld64(a) ^ ld64(b)) | (ld64(a + 8) ^ ld64(b + 8)) |
		    (ld64(a + 16) ^ ld64(b + 16)) | (ld64(a + 24) ^ ld64(b + 24)) |
		    (ld64(a + 29) ^ ld64(b + 29))) == 0;
	return memcmp(a, b, n) == 0;
}

/* The flow found last is tried first: packets come in runs of one
 * connection, and a comparison costs less than the keyed hash. */
static inline struct flow *find(struct flowtab *t, const uint8_t *key, size_t n)
{
	struct flow *f = t->last;
	if (f && f->keylen == n && key_eq(f->key, key, n))
		return f;
	for (f = t->bucket[hash_key(key, n) & (t->nbucket - 1)]; f; f = f->hnext)
		if (f->keylen == n && key_eq(f->key, key, n))
			return t->last = f;
	return NULL;
}

static struct flow *insert(struct flowtab *t, const uint8_t *key, size_t n, int64_t now)
{
	if (t->count >= t->nbucket)
		grow(t);
	struct flow *f = xcalloc(1, sizeof *f);
	memcpy(f->key, key, n);
	f->keylen = (uint8_t)n;
	f->first_ns = f->last_ns = now;
	size_t h = hash_key(key, n) & (t->nbucket - 1);
	f->hnext = t->bucket[h];
	t->bucket[h] = f;
	t->count++;
	list_add(&t->open, f);
	return f;
}

/* Hands f to the consumer and frees it. */
static void end_flow(struct flowtab *t, struct flow *f)
{
	struct flow **pp = &t->bucket[hash_key(f->key, f->keylen) & (t->nbucket - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	if (t->last == f)
		t->last = NULL;
	list_del(f->closed ? &t->closed : &t->open, f);
	t->count--;
	if (t->on_end)
		t->on_end(f, t->ctx);
	free(f);
}

/* Notes p (direction dir, time now) for the end rules. */
static void flow_track(struct flowtab *t, struct flow *f, const struct pkt *p, int dir,
    int64_t now)
{
	if (now > f->last_ns)
		f->last_ns = now;
	if (f->closed && (p->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		/* the client tries again with the same ISN (flowsplit starts a
		 * new connection for any other SYN): the attempt goes on */
		list_del(&t->closed, f);
		f->closed = f->rst = f->fin[0] = f->fin[1] = 0;
		list_add(&t->open, f);
	}
	if (p->flags & TH_FIN)
		f->fin[dir] = 1;
	if (p->flags & TH_RST)
		f->rst = 1;
	if (!f->closed && ((f->fin[0] && f->fin[1]) || f->rst)) {
		list_del(&t->open, f);
		f->closed = 1;
		f->closed_ns = f->last_ns;
		list_add(&t->closed, f);
		return;
	}
	/* keep each list ordered by last activity */
	struct flow_list *l = f->closed ? &t->closed : &t->open;
	if (!f->closed && l->tail != f) {
		list_del(l, f);
		list_add(l, f);
	}
}

void flowtab_expire_due(struct flowtab *t, int64_t now)
{
	while (t->closed.head && now - t->closed.head->closed_ns > t->grace_ns)
		end_flow(t, t->closed.head);
	while (t->open.head && now - t->open.head->last_ns > t->idle_ns)
		end_flow(t, t->open.head);
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = (*(struct flow *const *)a)->id, y = (*(struct flow *const *)b)->id;
	return x < y ? -1 : x > y;
}

void flowtab_finish(struct flowtab *t)
{
	struct flow **all = xcalloc(t->count + 1, sizeof *all);
	size_t n = 0;
	for (struct flow *f = t->open.head; f; f = f->next)
		all[n++] = f;
	for (struct flow *f = t->closed.head; f; f = f->next)
		all[n++] = f;
	qsort(all, n, sizeof *all, by_id);
	for (size_t i = 0; i < n; i++)
		end_flow(t, all[i]);
	free(all);
	free(t->bucket);
	t->bucket = NULL;
}

struct flow *flowtab_follow(struct flowtab *t, const struct pkt *p,
    const struct pkt_meta *m, int *created)
{
	int64_t now = pkt_time_ns(p);
	uint8_t key[8];
	flowtab_expire(t, now);
	memcpy(key, &m->conn, 8);
	struct flow *f = find(t, key, 8);
	*created = !f;
	if (!f) {
		f = insert(t, key, 8, now);
		f->id = m->conn;
	}
	flow_track(t, f, p, m->dir, now);
	return f;
}

static inline uint64_t ld64be(const uint8_t *b)
{
	return __builtin_bswap64(ld64(b));
}

/* An endpoint of the tuple key: the address zero-padded to 16 bytes,
 * then the port, big-endian. */
static inline void put_endpoint(uint8_t *k, const uint8_t *addr, size_t alen, uint16_t port)
{
	if (alen == 4) /* two fixed moves, not one of a variable length */
		memcpy(k, addr, 4);
	else
		memcpy(k, addr, 16);
	k[16] = (uint8_t)(port >> 8), k[17] = (uint8_t)port;
}

/* The tuple key puts the lower endpoint first (bytewise, as memcmp
 * orders the 18 bytes of each) so both directions meet. */
static inline size_t tuple_key(const struct pkt *p, uint8_t *key, const uint8_t **src_ep)
{
	size_t alen = p->ipv == 6 ? 16 : 4;
	uint64_t s0, s1 = 0, d0, d1 = 0;
	if (alen == 16) {
		s0 = ld64be(p->src), s1 = ld64be(p->src + 8);
		d0 = ld64be(p->dst), d1 = ld64be(p->dst + 8);
	} else {
		uint32_t s, d;
		memcpy(&s, p->src, 4);
		memcpy(&d, p->dst, 4);
		s0 = (uint64_t)__builtin_bswap32(s) << 32;
		d0 = (uint64_t)__builtin_bswap32(d) << 32;
	}
	int src_first = s0 != d0 ? s0 < d0 : s1 != d1 ? s1 < d1 : p->sport <= p->dport;
	memset(key, 0, 37);
	key[0] = p->ipv;
	put_endpoint(key + (src_first ? 1 : 19), p->src, alen, p->sport);
	put_endpoint(key + (src_first ? 19 : 1), p->dst, alen, p->dport);
	*src_ep = key + (src_first ? 1 : 19);
	return 37;
}

/* Direction of a connection whose SYN was not seen: the sender of a
 * SYN/ACK is the server; else the side on a port below 1024 while the
 * other is not; else the sender of the first packet is the client. */
static void guess_client(struct flow *f, const struct pkt *p, const uint8_t *src_ep)
{
	const uint8_t *dst_ep = src_ep == f->key + 1 ? f->key + 19 : f->key + 1;
	int src_is_client;
	if ((p->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		src_is_client = 0;
	else if (p->sport < 1024 && p->dport >= 1024)
		src_is_client = 0;
	else if (p->dport < 1024 && p->sport >= 1024)
		src_is_client = 1;
	else
		src_is_client = 1;
	memcpy(f->client, src_is_client ? src_ep : dst_ep, 18);
	f->hs = 0;
}

static struct flow *start(struct flowtab *t, const uint8_t *key, size_t n,
    const struct pkt *p, const uint8_t *src_ep_in_key, int64_t now)
{
	struct flow *f = insert(t, key, n, now);
	f->id = ++t->next_id;
	const uint8_t *src_ep = f->key + (src_ep_in_key - key);
	if ((p->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		memcpy(f->client, src_ep, 18);
		f->hs = 1;
		f->has_isn = 1;
		f->isn = p->seq;
	} else {
		guess_client(f, p, src_ep);
	}
	return f;
}

struct flow *flowtab_packet(struct flowtab *t, const struct pkt *p, int *dir)
{
	uint8_t key[FLOW_KEYMAX];
	const uint8_t *src_ep;
	size_t n = tuple_key(p, key, &src_ep);
	struct flow *f = find(t, key, n);
	int64_t now = pkt_time_ns(p);
	if (f && now - f->last_ns > t->idle_ns) {
		end_flow(t, f);
		f = NULL;
	}
	if (f && (p->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		/* a SYN with another ISN, or on a connection whose SYN was not
		 * seen, is a new connection; one with the same ISN is a
		 * retransmission, even after a RST answered the first */
		int same = f->has_isn && f->isn == p->seq;
		if (!same) {
			end_flow(t, f);
			f = NULL;
		}
	}
	if (!f)
		f = start(t, key, n, p, src_ep, now);
	const uint8_t *fsrc = f->key + (src_ep - key);
	*dir = ld64(fsrc) == ld64(f->client) && ld64(fsrc + 8) == ld64(f->client + 8) &&
	    fsrc[16] == f->client[16] && fsrc[17] == f->client[17] ? DIR_C2S : DIR_S2C;
	flow_track(t, f, p, *dir, now);
	return f;
}
