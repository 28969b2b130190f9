/* Connection tables. flowsplit's table maps a 4-tuple to a connection id
 * and a direction; consumers (tcp-metrics, mptcp-join, ...) keep their own
 * state in a table keyed by that id. Both end a connection the same way:
 * both FINs or a RST, then a grace period for late segments; or no packet
 * for the idle timeout. Ended connections are handed to a callback and
 * freed, so memory follows the concurrent connections, not the trace. */
#ifndef FLOW_H
#define FLOW_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "columns.h"
#include "out.h"
#include "pkt.h"

enum { DIR_C2S = 0, DIR_S2C = 1 };

/* The columns flowsplit adds to every packet record (id, dir, hs: the
 * packet's connection, its direction, the flow's hs). */
#define FLOW_TAG_COLUMNS(X) \
	X(conn, ID, "-", "TCP connection id", w = put_u64(w, id)) \
	X(dir, TEXT, "-", "c2s or s2c: sent by the client or the server", \
	    memcpy(w, dir == DIR_C2S ? "c2s" : "s2c", 3); w += 3) \
	X(hs, BOOL, "-", "the client's SYN was seen", *w++ = hs ? '1' : '0')

extern const struct col_part flow_tag_part;

/* The most the tag columns take: three tabs, a 20-digit id, the
 * direction and hs (put_u64 touches no byte past that). */
#define FLOW_TAGS_MAX (3 + PUT_U64_MAX + 3 + 1)

/* The tag columns, each led by a tab (no newline): those of
 * FLOW_TAG_COLUMNS, whose emitters write at a cursor (per packet). */
static inline void flow_tags_write(struct out *o, uint64_t id, int dir, int hs)
{
	out_room(o, FLOW_TAGS_MAX);
	char *w = o->buf + o->len;
	FLOW_TAG_COLUMNS(COL_EMIT_AT)
	o->len = (size_t)(w - o->buf);
}

/* The client's and the server's address (16 bytes, an IPv4 one zero-
 * padded) and port of a packet travelling in direction dir. */
void pkt_endpoints(const struct pkt *p, int dir, uint8_t *c_addr, uint8_t *s_addr,
    uint16_t *c_port, uint16_t *s_port);

#define FLOW_KEYMAX 40

struct flow {
	struct flow *hnext;           /* hash chain */
	struct flow *prev, *next;     /* open or closed list, oldest first */
	uint8_t keylen;
	uint8_t key[FLOW_KEYMAX];
	uint64_t id;
	int64_t first_ns, last_ns, closed_ns;
	uint8_t closed;               /* both FINs, or a RST, seen */
	uint8_t fin[2], rst;
	uint8_t hs;                   /* the client's SYN was seen */
	uint8_t client[18];           /* client address (16) and port (2) */
	uint8_t has_isn;
	uint32_t isn;                 /* client's ISN */
	void *user;                   /* the consumer's per-connection state */
};

struct flow_list {
	struct flow *head, *tail;
};

/* The end-of-connection rules every engine's flow table keeps: seconds
 * without a packet (-i), seconds a closed connection is kept for late
 * segments (-g). */
struct flow_opts {
	double idle_s, grace_s;
};
#define FLOW_IDLE_DEFAULT 300.0
#define FLOW_GRACE_DEFAULT 10.0

/* What the split adds to a packet (flowsplit's columns, or the source's
 * own flow table): connection id, direction, client's SYN seen. */
struct pkt_meta {
	uint64_t conn;
	int dir;
	int hs;
};

typedef void (*flow_end_fn)(struct flow *f, void *ctx);

struct flowtab {
	struct flow **bucket;
	size_t nbucket, count;
	struct flow_list open, closed;
	int64_t idle_ns, grace_ns;
	uint64_t next_id;
	flow_end_fn on_end;
	void *ctx;
	struct flow *last;            /* found last (find's shortcut) */
};

void flowtab_init(struct flowtab *t, double idle_s, double grace_s,
    flow_end_fn on_end, void *ctx);

/* flowsplit: the connection p belongs to, starting a new one on a new
 * SYN after close, a SYN with another ISN, or after the idle timeout;
 * *dir gets DIR_C2S or DIR_S2C. Also tracks the end state. */
struct flow *flowtab_packet(struct flowtab *t, const struct pkt *p, int *dir);

/* Consumers of flowsplit's ids (the engines, socks-dest): one step per
 * packet, the same end rules as flowsplit's. Ends what expired as of p,
 * then returns the state of connection m->conn, created when new
 * (*created; its user is NULL then), with p noted for the end rules. */
struct flow *flowtab_follow(struct flowtab *t, const struct pkt *p,
    const struct pkt_meta *m, int *created);

/* Ends connections closed for longer than the grace period or idle for
 * longer than the idle timeout, as of now_ns. Inline: on most packets
 * nothing is due, which two comparisons tell. */
void flowtab_expire_due(struct flowtab *t, int64_t now_ns);
static inline void flowtab_expire(struct flowtab *t, int64_t now_ns)
{
	if ((t->closed.head && now_ns - t->closed.head->closed_ns > t->grace_ns) ||
	    (t->open.head && now_ns - t->open.head->last_ns > t->idle_ns))
		flowtab_expire_due(t, now_ns);
}
/* Ends every remaining connection, in order of id. */
void flowtab_finish(struct flowtab *t);

#endif
