#include "mpstat.h"

#include <err.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "hash.h"
#include "mpjoin.h"
#include "seqset.h"
#include "spans.h"
#include "summary.h"
#include "util.h"

#define NS 1000000000LL

/* Memory bounds per connection direction (man/mptcp-metrics.1). */
#define ORIG_MAX 16000   /* data-level origin ranges (arrays of 2^14) */
#define PEND_MAX 16384   /* mappings waiting for their RTT sample */
#define SFMAP_MAX 4000   /* runs of mappings of one offset, per subflow */
#define HOL_MAX 16384    /* data arrived and waiting for the DATA_ACK (HOL) */
#define HOL_SHIFT_MAX 64 /* waits moved to put out-of-order data in place;
                            farther out of order, data waits in a tree */
/* Subflow slots per connection: mptcp-join gives at most MPJ_MAX_SUBFLOWS
 * indexes, and a TCP connection reusing one (records not from it, or a
 * subflow ended here by -i or -g and seen again) takes a new slot, within
 * the same bound; beyond, it is left out, warned about and counted. */
#define SF_SLOTS_MAX MPJ_MAX_SUBFLOWS

/* What the data-level space of a direction holds at a data sequence
 * number: the origin of data bytes (the mapping, as subflow and DSN minus
 * subflow position, under which the capture first saw them sent, and
 * when), or a DATA_FIN's octet. Adjacent bytes of one origin are one span
 * once DATA_ACKed, so the spans follow subflow switches, not bytes. */
enum { SPAN_ORIGIN, SPAN_FIN };

/* Why bytes were reinjected: what their origin subflow showed before
 * (man page, Reinjections), in the order tried. */
#define REINJ_CAUSES(X) \
	X(RM_ADDR, rm_addr) X(BACKUP, backup) X(CLOSED, closed) X(LOSS, loss) \
	X(SILENT, silent) X(NONE, none)
#define RC_ENUM(E, w) RC_##E,
enum reinj_cause { REINJ_CAUSES(RC_ENUM) RC_N };
#define RC_NAME(E, w) #w,
static const char *const reinj_cause_name[RC_N] = { REINJ_CAUSES(RC_NAME) };

/* struct sfdir's syn_ws when its SYN had no window scale, or was not seen */
enum { WS_NONE = -1, WS_UNSEEN = -2 };

struct origin {
	uint64_t off;   /* dsn - subflow position: the mapping's identity */
	int64_t t;      /* first transmission (of the span's first byte) */
	int32_t sf;
	uint8_t kind;
};

/* New data bytes waiting for the DATA_ACK that covers them (a
 * head-of-line delay sample, man page, Head-of-line delay): keys [lo, hi),
 * when they came, on which slot, and the bytes then waiting above the
 * DATA_ACK (theirs included). */
struct hol_wait {
	uint64_t lo, hi;
	int64_t t;
	uint64_t ofo;
	int32_t sf;
};

/* The waits of the data one subflow brought in a direction, in key order,
 * v[head .. head + n): a queue per subflow, not one spans tree, as a
 * subflow's new data nearly always comes in order (appended) and leaves
 * in order (the head), where a tree's insert and erase cost several times
 * more on every data segment; out-of-order data is put in place. */
struct holq {
	struct hol_wait *v;
	uint32_t head, n, cap;
};

/* A reinjected copy of data bytes (a span of keys in struct dstat's
 * copies) waiting for the DATA_ACK that covers them: the origin's and the
 * copy's subflow slots and mappings (dsn - subflow position), to tell then
 * which subflow had acknowledged them. */
struct copy_wait {
	uint64_t off_o, off_r;
	int32_t sf_o, sf_r;
};
#define COPIES_MAX 16384 /* copies waiting; beyond, not followed (counted) */

/* A mapping waiting for the DATA_ACK that covers it (an RTT sample): a
 * span of keys as in the origin spans, in the spans of struct dstat's
 * pend, so that one first sent below many waiting ones (descending data
 * sequence numbers) costs no more than one sent above them. */
struct pend {
	uint64_t off;
	int64_t t;
	int32_t sf;
	uint8_t bad; /* some byte went under another mapping first: no sample */
};

struct mapping {
	uint8_t valid, infinite;
	uint64_t dsn;
	uint32_t ssn, len; /* len: data bytes (DATA_FIN excluded) */
};

/* One MPTCP direction of a subflow (dir = the sending side). */
struct sfdir {
	uint64_t data_pkts, data_bytes, rexmit_bytes;
	uint64_t reinj_origin_bytes, reinj_carried_bytes, reinj_carried_segs;
	int64_t first_data, last_data, last_ack;
	int64_t last_rexmit;   /* its last TCP retransmission (has_rexmit) */
	uint32_t ack32;        /* the receiver's highest subflow ACK (has_acked) */
	uint8_t has_data, has_ack, has_rexmit, has_acked;
	uint8_t has_isn, has_ref;
	int8_t syn_ws;         /* window scale its SYN announced; WS_NONE: none;
	                          WS_UNSEEN: no SYN seen */
	int8_t win_shift;      /* of the windows it advertises; -1 unknown */
	uint32_t isn;          /* subflow sequence numbers of mappings count from it */
	uint32_t ref;          /* positions count from the first sequence number seen */
	int64_t top;           /* highest position carried: the unwrapping reference */
	struct seqset seen;    /* positions carried: the TCP level */
	struct mapping dss;    /* the last DSS mapping (any kind) */
	/* the mappings seen: position spans, each with its dsn - position;
	 * touching ones of one offset merged */
	struct spans maps;
	struct rttset hol;     /* head-of-line delays of the data it carried */
	uint8_t has_inf;
	int64_t inf_pos;       /* an infinite mapping: nothing placed from it on */
};

struct sf {
	struct mps_conn *mc;
	int index, role, ended; /* index: the slot in mc->sfs */
	int label;              /* the subflow index mptcp-join gave */
	uint64_t conn;
	uint8_t ipv, c_addr[16], s_addr[16];
	uint16_t c_port, s_port;
	int64_t first_ns, last_ns, last_ack;
	uint8_t synack, syn, client_fin, has_ack, hs_done, fin_dir[2], rst;
	int64_t last_dir[2];  /* last packet sent by the TCP client / server */
	int8_t backup0, backup; /* -1 unknown */
	int16_t c_id, s_id;
	/* when backup, c_id and s_id were last set (mc->clock): a v0 MP_PRIO
	 * naming an address id applies to a subflow if it came after the
	 * subflow took that id and after its own last change */
	uint64_t backup_at, c_id_at, s_id_at;
	struct sfdir d[2];
};

struct dstat {
	uint64_t pkts, data_pkts, data_bytes, mappings, reinj_bytes, reinj_segs;
	uint64_t rexmit_bytes, unmapped_bytes, forgotten_bytes;
	uint64_t reinj_cause[RC_N], reinj_redundant; /* reinjected bytes */
	uint64_t reinj_useful;  /* reinjected bytes the copy delivered (Reinjections) */
	struct spans copies;    /* struct copy_wait: copies waiting for the DATA_ACK */
	/* the accounting identity's terms (man page) */
	uint64_t origin_bytes, origin_acked, acked_unseen, fin_acked, fins;
	uint8_t has_kbase, has_base, has_dack, has_acct, has_forgot, fin_flag;
	uint64_t kbase;      /* keys of data sequence numbers: dsn - kbase */
	uint64_t base_dsn;   /* lowest DSN mapped, for connections without IDSN */
	/* the events' data sequence numbers are relative: dsn - rel_base,
	 * rel_base fixed at the direction's first mapping or DATA_ACK (the
	 * IDSN then known, else that first value - 1), so that the first
	 * data byte is 1 and a loader's double holds every value */
	uint8_t has_rel;
	uint64_t rel_base;
	uint64_t dack;
	int64_t dack_ts;
	uint64_t acct_lo, acct_hi; /* keys: [base, DATA_ACK) accounted for */
	uint64_t forgot_hi;  /* keys below it: origins dropped at ORIG_MAX */
	struct spans orig;
	struct spans pend;   /* struct pend: mappings waiting for a DATA_ACK */
	uint64_t pend_over;  /* mappings without a sample: PEND_MAX waiting */
	struct rttset rtt;
	/* new data waiting for the DATA_ACK (HOL): a queue per subflow slot
	 * (nholq of them), those not empty listed in active */
	struct holq *holq;
	struct spans hol_stray; /* struct hol_wait: waits far out of order */
	uint32_t nholq, nactive, cap_active, hol_n;
	int32_t *active;
	uint64_t hol_over;   /* new data not sampled: HOL_MAX waiting */
	uint64_t hol_wait;   /* bytes waiting */
	uint64_t hol_below;  /* of them, below the DATA_ACK (one wait straddling it) */
	uint64_t ofo_max;    /* the most bytes waiting above the DATA_ACK */
	struct rttset holset;
	int cur_sf;          /* subflow of the current burst, -1 none */
	uint64_t bursts, b_maps, b_bytes, b_pkts;
	int64_t b_start, b_end;
	uint64_t infinite, add_addr, rm_addr, prio, fail, fastclose;
	/* stalls (man page, STALLS): since wait_from the DATA_ACK has not
	 * advanced while data was outstanding or the window closed; w_*:
	 * what happened meanwhile */
	uint8_t has_edge, waiting;
	uint8_t w;           /* W_* bits */
	uint64_t sent_lo;    /* key of the lowest data or DATA_FIN octet sent */
	uint64_t edge;       /* key of the receive window's right edge */
	uint64_t wait_key;   /* key of the lowest byte outstanding when it began */
	uint64_t wait_out;   /* bytes outstanding when it began */
	int64_t wait_from;
	uint64_t stalls;
	int64_t stall_total, stall_max;
};

struct mps_conn {
	struct mps_conn *hnext;
	uint64_t id;
	int live;
	/* the connection's state as mptcp-join's tags last gave it (on_state) */
	uint8_t has_ver, ver, has_status, status;
	uint8_t has_idsn[2];
	uint32_t token[2];
	uint64_t idsn[2];
	int64_t key_ns[2];   /* when each IDSN was first given (its key seen) */
	int64_t first_ns, last_ns, prev_ns;
	uint64_t ts_back;    /* packets timestamped before the one before them */
	uint8_t digits;
	/* subflow slots: an ended subflow is freed unless -s lists it or it
	 * is the lowest slot taken (the connection's addresses and status);
	 * its label stays */
	struct sf **sfs;
	int32_t *labels;
	int nsf, cap_sf, low;    /* low: the lowest slot taken, -1 none */
	int nsub, ndata_gone;   /* subflows ever; freed ones that carried data */
	uint64_t over;          /* TCP connections left out: SF_SLOTS_MAX */
	uint64_t clock;         /* counts changes of backup bits and ids */
	/* the last v0 MP_PRIO (with an address id) each side sent for each
	 * id, when it was and its B bit; NULL until one comes */
	struct prio_v0 {
		uint64_t at;
		int8_t backup;
	} *prio_id[2];
	/* when each side last removed each of its address ids (REMOVE_ADDR;
	 * mc->clock), NULL until it removes one */
	uint64_t *rm_id[2];
	/* the last subflow ACKs of freed subflows, per slot (cap_gone), for
	 * the copies that wait on them */
	struct gone_ack {
		int64_t top;
		uint32_t ref, ack32;
		uint8_t has;
	} (*gone)[2];
	int cap_gone;
	struct dstat d[2];
};

/* ---- small helpers ---- */


/* ---- connection table ---- */

/* The ids come from the records, which may be crafted: a keyed hash. */
static size_t slot(const struct mps *s, uint64_t id)
{
	return (size_t)hash_u64(id) & (s->ntab - 1);
}

static struct mps_conn *conn_find(const struct mps *s, uint64_t id)
{
	struct mps_conn *mc = s->tab[slot(s, id)];
	for (; mc; mc = mc->hnext)
		if (mc->id == id)
			return mc;
	return NULL;
}

static struct mps_conn *conn_get(struct mps *s, uint64_t id, const struct pkt *p)
{
	struct mps_conn *mc = conn_find(s, id);
	if (mc)
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
	mc->first_ns = mc->last_ns = mc->prev_ns = pkt_time_ns(p);
	mc->digits = p->ts_digits;
	mc->low = -1;
	for (int d = 0; d < 2; d++) {
		mc->d[d].cur_sf = -1;
		spans_init(&mc->d[d].orig, sizeof(struct origin));
		spans_init(&mc->d[d].pend, sizeof(struct pend));
		spans_init(&mc->d[d].hol_stray, sizeof(struct hol_wait));
		spans_init(&mc->d[d].copies, sizeof(struct copy_wait));
	}
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

/* The slot of the subflow with index (mptcp-join's); -1 when the
 * connection has SF_SLOTS_MAX slots already. */
static int sf_slot(struct mps_conn *mc, int index)
{
	if (index < mc->nsf && mc->labels[index] >= 0)
		index = mc->nsf; /* a record stream reusing an index: a new slot */
	if (index >= SF_SLOTS_MAX)
		return -1;
	if (index >= mc->cap_sf) {
		int cap = mc->cap_sf ? mc->cap_sf : 8;
		while (cap <= index)
			cap *= 2;
		mc->sfs = xreallocarray(mc->sfs, (size_t)cap, sizeof *mc->sfs);
		mc->labels = xreallocarray(mc->labels, (size_t)cap, sizeof *mc->labels);
		mc->cap_sf = cap;
	}
	for (int i = mc->nsf; i <= index; i++) {
		mc->sfs[i] = NULL;
		mc->labels[i] = -1;
	}
	if (index >= mc->nsf)
		mc->nsf = index + 1;
	return index;
}

static struct sf *sf_new(struct mps_conn *mc, int index, const struct pkt *p,
    const struct pkt_meta *m, int mpdir)
{
	int at = sf_slot(mc, index);
	if (at < 0)
		return NULL;
	struct sf *sf = xcalloc(1, sizeof *sf);
	sf->mc = mc;
	sf->label = index;
	sf->index = at;
	sf->conn = m->conn;
	/* the subflow's TCP client is the MPTCP client when both agree */
	sf->role = (mpdir == m->dir) ? DIR_C2S : DIR_S2C;
	sf->ipv = p->ipv;
	pkt_endpoints(p, m->dir, sf->c_addr, sf->s_addr, &sf->c_port, &sf->s_port);
	sf->first_ns = sf->last_ns = pkt_time_ns(p);
	sf->backup0 = sf->backup = -1;
	sf->c_id = sf->s_id = -1;
	for (int d = 0; d < 2; d++) {
		seqset_init(&sf->d[d].seen);
		spans_init(&sf->d[d].maps, sizeof(uint64_t));
		sf->d[d].syn_ws = WS_UNSEEN;
		sf->d[d].win_shift = -1;
	}
	mc->sfs[at] = sf;
	mc->labels[at] = index;
	if (mc->low < 0 || at < mc->low)
		mc->low = at;
	mc->nsub++;
	mc->live++;
	return sf;
}

static void sf_free(struct sf *sf)
{
	rttset_free(&sf->d[0].hol);
	rttset_free(&sf->d[1].hol);
	free(sf);
}

/* What placed new bytes of a subflow: no use once its TCP connection has
 * ended (a later packet of it is a new subflow). */
static void sf_drop_positions(struct sf *sf)
{
	for (int d = 0; d < 2; d++) {
		seqset_free(&sf->d[d].seen);
		spans_free(&sf->d[d].maps);
	}
}

/* ---- backup bits ---- */

/* The subflow's backup bit now (-1 unknown) and when it was set: its own
 * (MP_JOIN, MP_PRIO without an id) or the latest v0 MP_PRIO naming the id
 * it has from that side, whichever came last. Looked up, not applied to
 * every subflow when the MP_PRIO comes, so that costs O(1) whatever the
 * number of subflows. */
static int8_t sf_backup(const struct mps_conn *mc, const struct sf *sf, uint64_t *at)
{
	int8_t b = sf->backup;
	uint64_t t = sf->backup_at;
	for (int d = 0; d < 2; d++) {
		int16_t id = sf->role == d ? sf->c_id : sf->s_id;
		uint64_t id_at = sf->role == d ? sf->c_id_at : sf->s_id_at;
		if (id < 0 || !mc->prio_id[d])
			continue;
		const struct prio_v0 *e = &mc->prio_id[d][id];
		if (e->at > id_at && e->at > t) {
			b = e->backup;
			t = e->at;
		}
	}
	*at = t;
	return b;
}

/* An address id of the subflow changes: what the old one gave stays. */
static void sf_set_id(struct mps_conn *mc, struct sf *sf, int16_t *id, uint64_t *id_at,
    int16_t v)
{
	if (*id == v)
		return;
	sf->backup = sf_backup(mc, sf, &sf->backup_at);
	*id = v;
	*id_at = ++mc->clock;
}

/* ---- the connection's state, from mptcp-join ---- */

/* Side d's IDSN: 1, or 0 while its key is unknown. */
static int idsn(const struct mps_conn *mc, int d, uint64_t *v)
{
	*v = mc->idsn[d];
	return mc->has_idsn[d];
}

/* What mptcp-join's tags say of the connection: each value holds until
 * a packet gives another (mpjoin.h, struct mpj_res). */
static void on_state(struct mps_conn *mc, const struct mpj_res *t, int64_t now)
{
	if (t->has_version) {
		mc->ver = t->version;
		mc->has_ver = 1;
	}
	if (t->has_status) {
		mc->status = t->status;
		mc->has_status = 1;
	}
	for (int d = 0; d < 2; d++) {
		if (!t->keyed[d])
			continue;
		if (!mc->has_idsn[d])
			mc->key_ns[d] = now; /* con_time_s counts from it */
		mc->token[d] = t->token[d];
		mc->idsn[d] = t->idsn[d];
		mc->has_idsn[d] = 1;
	}
}

/* ---- events ---- */

static const char *const ev_names[] = { "", "bursts", "reinject", "rtt", "dack", "addr", "seq",
	"stall", "hol" };

int mps_event_parse(const char *name)
{
	for (int i = 1; i < (int)(sizeof ev_names / sizeof ev_names[0]); i++)
		if (strcmp(name, ev_names[i]) == 0)
			return i;
	return -1;
}

static const char *const dirname[2] = { "c2s", "s2c" };

/* The subflow index to print for a slot. */
static uint64_t label(const struct mps_conn *mc, int slot)
{
	return slot >= 0 && slot < mc->nsf && mc->labels[slot] >= 0 ? (uint64_t)mc->labels[slot]
	    : (uint64_t)slot;
}

/* The event records' values, each kind using some (slots are subflow
 * slots, printed as their labels). */
struct ev_vals {
	int64_t now;
	int d, sf, from;
	uint64_t dsn, len, dack, newly, frame, id;
	uint8_t have_dsn, have_new, have_id, have_port, have_backup, redundant;
	uint64_t port, backup;
	int64_t rtt, delay;
	int64_t end;                      /* stall: when it ended */
	int64_t arrival;                  /* hol: when the data came */
	uint64_t ofo;                     /* hol: bytes then waiting */
	const char *word;                 /* addr: the event; seq: the kind; stall: the cause */
	const struct mp_add_addr *a;      /* addr: the ADD_ADDR, else NULL */
};

/* A data sequence number of direction d as the events print it:
 * relative to the base fixed by rel_fix (man page, EVENTS). */
static int64_t rel_dsn(const struct mps_conn *mc, int d, uint64_t dsn)
{
	return (int64_t)(dsn - mc->d[d].rel_base);
}

/* Every event record but a burst's starts with its time, connection and
 * direction (mc: the connection, v: the values). */
#define MPS_EV_HEAD(X) \
	X(ts, TS, "s", "time of the packet", out_ts(o, v->now, mc->digits)) \
	X(mpconn, ID, "-", "MPTCP connection id", out_u64(o, mc->id)) \
	X(dir, TEXT, "-", "c2s or s2c: the data's direction", out_str(o, dirname[v->d]))
#define MPS_EV_SUBFLOW(X) \
	X(subflow, ID, "-", "the subflow's index", out_u64(o, label(mc, v->sf)))
#define MPS_EV_BURSTS_COLUMNS(X) \
	X(mpconn, ID, "-", "MPTCP connection id", out_u64(o, mc->id)) \
	X(dir, TEXT, "-", "c2s or s2c: the data's direction", out_str(o, dirname[v->d])) \
	X(burst, COUNT, "-", "the burst's number in its direction, from 1", out_u64(o, ds->bursts)) \
	X(subflow, ID, "-", "the subflow that carried it", out_u64(o, label(mc, ds->cur_sf))) \
	X(start_ts, TS, "s", "its first mapping", out_ts(o, ds->b_start, mc->digits)) \
	X(end_ts, TS, "s", "its last mapping", out_ts(o, ds->b_end, mc->digits)) \
	X(duration_s, DURATION_S, "s", "end_ts - start_ts", \
	    out_ts(o, ds->b_end - ds->b_start, mc->digits)) \
	X(mappings, COUNT, "-", "mappings in the burst", out_u64(o, ds->b_maps)) \
	X(pkts, COUNT, "packets", "segments that carried new mapped data on its subflow during the burst", \
	    out_u64(o, ds->b_pkts)) \
	X(bytes, COUNT, "bytes", "data bytes in the burst", out_u64(o, ds->b_bytes))
#define MPS_EV_REINJECT_COLUMNS(X) \
	MPS_EV_HEAD(X) \
	X(dsn, INT, "-", "first data sequence number reinjected, relative (IDSN + 1 is 1)", \
	    out_i64(o, rel_dsn(mc, v->d, v->dsn))) \
	X(len, COUNT, "bytes", "bytes reinjected", out_u64(o, v->len)) \
	X(from_subflow, ID, "-", "the subflow that first carried them", \
	    out_opt_u64(o, v->from >= 0, label(mc, v->from))) \
	X(to_subflow, ID, "-", "the subflow that carries them again", out_u64(o, label(mc, v->sf))) \
	X(delay_s, DURATION_S, "s", "from their first transmission", \
	    out_opt_ts(o, v->from >= 0, v->delay, mc->digits)) \
	X(cause, TEXT, "-", "rm_addr, backup, closed, loss, silent or none " \
	    "(man page, Reinjections)", out_str(o, v->word)) \
	X(redundant, BOOL, "-", "1: the first subflow had acknowledged them already", \
	    out_u64(o, v->redundant))
#define MPS_EV_RTT_COLUMNS(X) \
	MPS_EV_HEAD(X) MPS_EV_SUBFLOW(X) \
	X(dsn, INT, "-", "first data sequence number of the mapping, relative (IDSN + 1 is 1)", \
	    out_i64(o, rel_dsn(mc, v->d, v->dsn))) \
	X(len, COUNT, "bytes", "the mapping's length", out_u64(o, v->len)) \
	X(rtt_ms, MS, "ms", "from the mapping to the DATA_ACK covering it", out_ms_ns(o, v->rtt))
#define MPS_EV_DACK_COLUMNS(X) \
	MPS_EV_HEAD(X) MPS_EV_SUBFLOW(X) \
	X(dack, INT, "-", "the DATA_ACK, relative as the DSNs (IDSN + 1 is 1)", \
	    out_i64(o, rel_dsn(mc, v->d, v->dack))) \
	X(bytes, COUNT, "bytes", "data bytes newly acknowledged", \
	    out_opt_u64(o, v->have_new, v->newly))
#define MPS_EV_ADDR_COLUMNS(X) \
	MPS_EV_HEAD(X) MPS_EV_SUBFLOW(X) \
	X(event, TEXT, "-", "add_addr, add_addr_echo, rm_addr or prio", out_str(o, v->word)) \
	X(addr_id, ID, "-", "the address id", out_opt_u64(o, v->have_id, v->id)) \
	X(addr, ADDR, "-", "the address announced", \
	    v->a ? out_addr(o, v->a->ipv, v->a->addr) : out_dash(o)) \
	X(port, PORT, "-", "the port announced", out_opt_u64(o, v->have_port, v->port)) \
	X(backup, BOOL, "-", "MP_PRIO's backup flag", out_opt_u64(o, v->have_backup, v->backup))
#define MPS_EV_SEQ_COLUMNS(X) \
	MPS_EV_HEAD(X) MPS_EV_SUBFLOW(X) \
	X(frame, ID, "-", "the segment's frame", out_u64(o, v->frame)) \
	X(dsn, INT, "-", "data sequence number of its first byte, relative (IDSN + 1 is 1)", \
	    out_opt_i64(o, v->have_dsn, rel_dsn(mc, v->d, v->dsn))) \
	X(len, COUNT, "bytes", "its payload length", out_u64(o, v->len)) \
	X(kind, TEXT, "-", "new, rexmit, reinj or unmapped", out_str(o, v->word))

#define MPS_EV_STALL_COLUMNS(X) \
	X(ts, TS, "s", "when the wait began: the last advance of the DATA_ACK, or the " \
	    "first data sent after none was outstanding", out_ts(o, v->now, mc->digits)) \
	X(mpconn, ID, "-", "MPTCP connection id", out_u64(o, mc->id)) \
	X(dir, TEXT, "-", "c2s or s2c: the data's direction", out_str(o, dirname[v->d])) \
	X(end_ts, TS, "s", "the next advance of the DATA_ACK, or the connection's last packet", \
	    out_ts(o, v->end, mc->digits)) \
	X(duration_s, DURATION_S, "s", "end_ts - ts", out_ts(o, v->end - v->now, mc->digits)) \
	X(ack_subflow, ID, "-", "the subflow of the DATA_ACK that ended it; - when the " \
	    "connection ended first", out_opt_u64(o, v->from >= 0, label(mc, v->from))) \
	X(dsn, INT, "-", "the lowest data sequence number outstanding, relative (IDSN + 1 is 1)", \
	    out_i64(o, rel_dsn(mc, v->d, v->dsn))) \
	X(outstanding, COUNT, "bytes", "data bytes sent and not DATA_ACKed when it began", \
	    out_u64(o, v->len)) \
	X(subflow, ID, "-", "the subflow that first carried the lowest byte outstanding", \
	    out_opt_u64(o, v->sf >= 0, label(mc, v->sf))) \
	X(cause, TEXT, "-", "window, dead_path, rto, idle or other (man page, STALLS)", \
	    out_str(o, v->word))

#define MPS_EV_HOL_COLUMNS(X) \
	X(ts, TS, "s", "the DATA_ACK that covered the data", out_ts(o, v->now, mc->digits)) \
	X(mpconn, ID, "-", "MPTCP connection id", out_u64(o, mc->id)) \
	X(dir, TEXT, "-", "c2s or s2c: the data's direction", out_str(o, dirname[v->d])) \
	X(subflow, ID, "-", "the subflow that carried the data", out_u64(o, label(mc, v->sf))) \
	X(dsn, INT, "-", "data sequence number of its first byte, relative (IDSN + 1 is 1)", \
	    out_i64(o, rel_dsn(mc, v->d, v->dsn))) \
	X(len, COUNT, "bytes", "new data bytes the segment carried", out_u64(o, v->len)) \
	X(arrival_ts, TS, "s", "the segment", out_ts(o, v->arrival, mc->digits)) \
	X(hol_ms, MS, "ms", "from arrival_ts to ts", out_ms_ns(o, v->rtt)) \
	X(ofo_bytes, COUNT, "bytes", "data bytes come and not DATA_ACKed at arrival_ts, " \
	    "these included", out_u64(o, v->ofo))

/* One writer per kind, from its table. */
#define MPS_EV_WRITER(fn, COLUMNS) \
	COL_WRITER fn(struct out *o, const struct mps_conn *mc, const struct ev_vals *v) \
	{ \
		int sep = 0; \
		COLUMNS(COL_EMIT) \
		out_nl(o); \
	}
MPS_EV_WRITER(ev_write_reinject, MPS_EV_REINJECT_COLUMNS)
MPS_EV_WRITER(ev_write_rtt, MPS_EV_RTT_COLUMNS)
MPS_EV_WRITER(ev_write_dack, MPS_EV_DACK_COLUMNS)
MPS_EV_WRITER(ev_write_addr, MPS_EV_ADDR_COLUMNS)
MPS_EV_WRITER(ev_write_seq, MPS_EV_SEQ_COLUMNS)
MPS_EV_WRITER(ev_write_stall, MPS_EV_STALL_COLUMNS)
MPS_EV_WRITER(ev_write_hol, MPS_EV_HOL_COLUMNS)

COL_WRITER ev_write_bursts(struct out *o, const struct mps_conn *mc, const struct ev_vals *v)
{
	const struct dstat *ds = &mc->d[v->d];
	int sep = 0;
	MPS_EV_BURSTS_COLUMNS(COL_EMIT)
	out_nl(o);
}

static void ev_burst(struct mps *s, struct mps_conn *mc, int d)
{
	struct dstat *ds = &mc->d[d];
	struct out *o = s->to[MPS_EV_BURSTS];
	if (!o || ds->cur_sf < 0)
		return;
	ev_write_bursts(o, mc, &(struct ev_vals){ .d = d });
}

static void ev_reinject(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    uint64_t dsn, uint64_t len, int from, int to, int64_t first, int cause, int redundant)
{
	struct out *o = s->to[MPS_EV_REINJECT];
	if (!o)
		return;
	ev_write_reinject(o, mc, &(struct ev_vals){ .now = now, .d = d, .dsn = dsn,
	    .len = len, .from = from, .sf = to, .delay = now - first,
	    .word = reinj_cause_name[cause], .redundant = (uint8_t)redundant });
}

static void ev_rtt(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    int sf, uint64_t dsn, uint64_t len, int64_t rtt)
{
	struct out *o = s->to[MPS_EV_RTT];
	if (!o)
		return;
	ev_write_rtt(o, mc, &(struct ev_vals){ .now = now, .d = d, .sf = sf, .dsn = dsn,
	    .len = len, .rtt = rtt });
}

static void ev_dack(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    int sf, uint64_t dack, int have_new, uint64_t newly)
{
	struct out *o = s->to[MPS_EV_DACK];
	if (!o)
		return;
	ev_write_dack(o, mc, &(struct ev_vals){ .now = now, .d = d, .sf = sf, .dack = dack,
	    .have_new = (uint8_t)have_new, .newly = newly });
}

static void ev_addr(struct mps *s, struct mps_conn *mc, int d, int64_t now,
    int sf, const struct pkt *p)
{
	struct out *o = s->to[MPS_EV_ADDR];
	struct ev_vals v = { .now = now, .d = d, .sf = sf, .have_id = 1 };
	for (int i = 0; PKT_HAS(p, MP_ADD_ADDR) && i < p->n_add_addr; i++) {
		const struct mp_add_addr *a = &p->add_addr[i];
		v.word = a->echo ? "add_addr_echo" : "add_addr";
		v.id = a->id;
		v.a = a;
		v.have_port = a->has_port;
		v.port = a->port;
		ev_write_addr(o, mc, &v);
	}
	v.a = NULL;
	v.have_port = 0;
	for (int i = 0; PKT_HAS(p, MP_RM_ADDR) && i < p->n_rm; i++) {
		v.word = "rm_addr";
		v.id = p->rm_ids[i];
		ev_write_addr(o, mc, &v);
	}
	if (PKT_HAS(p, MP_PRIO)) {
		v.word = "prio";
		v.have_id = p->prio_id >= 0;
		v.id = (uint64_t)p->prio_id;
		v.have_backup = 1;
		v.backup = p->prio_backup;
		ev_write_addr(o, mc, &v);
	}
}

/* ---- data-level bookkeeping ---- */
/* ---- data-level bookkeeping ---- */

/* Data sequence numbers as order-preserving keys: the first one seen in a
 * direction sits mid-range, so every DSN within 2^63 of it (all of them,
 * in practice) compares right even across the 2^64 wrap. */
static uint64_t key_of(struct dstat *ds, uint64_t dsn)
{
	if (!ds->has_kbase) {
		ds->kbase = dsn - (1ULL << 63);
		ds->has_kbase = 1;
	}
	return dsn - ds->kbase;
}

static uint64_t dsn_of(const struct dstat *ds, uint64_t key)
{
	return key + ds->kbase;
}

static struct origin *O(const struct dstat *ds, uint32_t i)
{
	return spans_val(&ds->orig, i);
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Span i and p, the one before it, touching and of one origin, become
 * one; the first transmission kept is the earlier. Returns the survivor. */
static uint32_t merge_into(struct dstat *ds, uint32_t p, uint32_t i)
{
	if (!p || spans_at(&ds->orig, p)->hi != spans_at(&ds->orig, i)->lo)
		return i;
	struct origin *a = O(ds, p), *b = O(ds, i);
	if (a->kind != SPAN_ORIGIN || b->kind != SPAN_ORIGIN || a->sf != b->sf || a->off != b->off)
		return i;
	if (b->t < a->t)
		a->t = b->t;
	uint64_t hi = spans_at(&ds->orig, i)->hi;
	spans_erase(&ds->orig, i);
	spans_at(&ds->orig, p)->hi = hi;
	return p;
}

/* [a, b) (keys) joins the data DATA_ACKed above the base: its bytes are
 * first transmissions, DATA_FIN octets, or data the capture never saw
 * sent. Spans it leaves wholly below are merged with their neighbours. */
static void acct_walk(struct dstat *ds, uint64_t a, uint64_t b)
{
	uint64_t cur = a;
	if (ds->has_forgot && cur < ds->forgot_hi) {
		/* origins dropped at the bound: taken as unseen, which moves
		 * bytes between unacked and acked_unseen but keeps the identity */
		uint64_t e = min_u64(b, ds->forgot_hi);
		ds->acked_unseen += e - cur;
		cur = e;
	}
	uint32_t i = cur < b ? spans_find(&ds->orig, cur) : 0, prev = 0;
	int have_prev = 0;
	while (cur < b) {
		if (!i || spans_at(&ds->orig, i)->lo >= b) {
			ds->acked_unseen += b - cur;
			break;
		}
		struct span *x = spans_at(&ds->orig, i);
		if (x->lo > cur) {
			ds->acked_unseen += x->lo - cur;
			cur = x->lo;
		}
		uint64_t e = min_u64(x->hi, b);
		if (O(ds, i)->kind == SPAN_FIN)
			ds->fin_acked += e - cur;
		else
			ds->origin_acked += e - cur;
		cur = e;
		uint32_t next = spans_succ(&ds->orig, i);
		if (x->hi <= b) {
			if (!have_prev)
				prev = spans_prev(&ds->orig, i);
			i = merge_into(ds, prev, i);
		}
		prev = i;
		have_prev = 1;
		i = next;
	}
}

/* The data-level base: IDSN + 1, else the lowest DSN mapped. */
static int base_dsn(const struct mps_conn *mc, int d, uint64_t *v);

/* Brings the accounted part to [base, highest DATA_ACK). The base only
 * moves down (a lower DSN mapped, without the IDSN). */
static void acct_sync(struct mps_conn *mc, int d)
{
	struct dstat *ds = &mc->d[d];
	uint64_t base;
	if (!ds->has_dack || !base_dsn(mc, d, &base))
		return;
	uint64_t lo = key_of(ds, base), hi = key_of(ds, ds->dack);
	if (hi < lo)
		hi = lo;
	if (!ds->has_acct) {
		ds->acct_lo = ds->acct_hi = lo;
		ds->has_acct = 1;
	} else if (lo < ds->acct_lo) {
		if (ds->acct_lo == ds->acct_hi)
			ds->acct_hi = lo;
		else
			acct_walk(ds, lo, ds->acct_lo);
		ds->acct_lo = lo;
	}
	if (hi > ds->acct_hi) {
		acct_walk(ds, ds->acct_hi, hi);
		ds->acct_hi = hi;
	}
}

/* Bytes of [a, b) inside the accounted part. */
static uint64_t acct_overlap(const struct dstat *ds, uint64_t a, uint64_t b)
{
	if (!ds->has_acct)
		return 0;
	uint64_t lo = max_u64(a, ds->acct_lo), hi = min_u64(b, ds->acct_hi);
	return hi > lo ? hi - lo : 0;
}

/* At ORIG_MAX spans: first the spans of one origin merge whatever their
 * times (reinjection delays get coarser); if that is not enough, the
 * lowest spans, furthest below the DATA_ACK, are dropped, and what is
 * sent into them later counts as forgotten. Leaves room for a quarter
 * of the bound, so the cost is amortised over the spans added. */
static void orig_bound(struct dstat *ds)
{
	if (ds->orig.n <= ORIG_MAX)
		return;
	for (uint32_t i = spans_first(&ds->orig), prev = 0; i;) {
		uint32_t next = spans_succ(&ds->orig, i);
		prev = merge_into(ds, prev, i);
		i = next;
	}
	while (ds->orig.n > ORIG_MAX / 4 * 3) {
		uint32_t i = spans_first(&ds->orig);
		ds->forgot_hi = spans_at(&ds->orig, i)->hi;
		ds->has_forgot = 1;
		spans_erase(&ds->orig, i);
	}
}

/* ---- mappings waiting for an RTT sample ---- */

static struct pend *PQ(const struct spans *q, uint32_t i)
{
	return spans_val(q, i);
}

/* Bytes [a, b) went out under mapping (sf, off): the pending samples of
 * other mappings covering them are spoilt. */
static void pend_bad(struct spans *q, uint64_t a, uint64_t b, int sf, uint64_t off)
{
	for (uint32_t i = spans_find(q, a); i && spans_at(q, i)->lo < b; i = spans_succ(q, i)) {
		struct pend *pd = PQ(q, i);
		if (pd->sf != sf || pd->off != off)
			pd->bad = 1;
	}
}

/* A mapping [a, b) sent for the first time, none of whose bytes had gone
 * out before: it waits for its DATA_ACK. One overlapping a waiting one is
 * no clean sample, and spoils it. Returns 0 when PEND_MAX are waiting:
 * no sample for this one. */
static int pend_push(struct dstat *ds, uint64_t a, uint64_t b, int64_t t, int sf, uint64_t off)
{
	struct spans *q = &ds->pend;
	uint32_t i = spans_find(q, a);
	if (i && spans_at(q, i)->lo < b) {
		pend_bad(q, a, b, sf, off);
		return 1;
	}
	if (q->n >= PEND_MAX) {
		ds->pend_over++;
		return 0;
	}
	*PQ(q, spans_insert(q, a, b)) = (struct pend){ off, t, sf, 0 };
	return 1;
}

/* The DATA_ACK reached key dack: samples of the mappings it covers. */
static void pend_ack(struct mps *s, struct mps_conn *mc, int d, uint64_t dack, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	struct spans *q = &ds->pend;
	for (uint32_t i; q->n && (i = spans_first(q)) && spans_at(q, i)->hi <= dack;) {
		struct pend *pd = PQ(q, i);
		/* a timestamp step backwards gives no sample */
		if (!pd->bad && now >= pd->t) {
			uint64_t lo = spans_at(q, i)->lo, hi = spans_at(q, i)->hi;
			rttset_add(&ds->rtt, now - pd->t);
			ev_rtt(s, mc, d, now, pd->sf, dsn_of(ds, lo), hi - lo, now - pd->t);
		}
		spans_erase(q, i);
	}
}

/* ---- head-of-line delay ---- */

/* Wait w (bytes [lo, hi), slot sf) ends at now: a sample (per subflow
 * only when its records are written). */
static void hol_sample(struct mps *s, struct mps_conn *mc, int d, const struct hol_wait *w,
    uint64_t lo, uint64_t hi, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	ds->hol_wait -= hi - lo;
	ds->hol_n--;
	if (now < w->t)
		return; /* a timestamp step backwards gives no sample */
	rttset_add(&ds->holset, now - w->t);
	struct sf *sf = s->to[MPS_SUBFLOWS] && w->sf < mc->nsf ? mc->sfs[w->sf] : NULL;
	if (sf)
		rttset_add(&sf->d[d].hol, now - w->t);
	if (s->to[MPS_EV_HOL])
		ev_write_hol(s->to[MPS_EV_HOL], mc, &(struct ev_vals){ .now = now, .d = d,
		    .sf = w->sf, .dsn = dsn_of(ds, lo), .len = hi - lo, .arrival = w->t,
		    .rtt = now - w->t, .ofo = w->ofo });
}

/* The DATA_ACK reached key dack: the delays of the data it delivers. */
static void hol_ack(struct mps *s, struct mps_conn *mc, int d, uint64_t dack, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	for (uint32_t j = 0; j < ds->nactive; j++) {
		struct holq *q = &ds->holq[ds->active[j]];
		for (; q->n && q->v[q->head].hi <= dack; q->head++, q->n--)
			hol_sample(s, mc, d, &q->v[q->head], q->v[q->head].lo, q->v[q->head].hi, now);
		if (!q->n) {
			q->head = 0;
			ds->active[j--] = ds->active[--ds->nactive];
		}
	}
	struct spans *t = &ds->hol_stray;
	for (uint32_t i; t->n && (i = spans_first(t)) && spans_at(t, i)->hi <= dack;) {
		hol_sample(s, mc, d, spans_val(t, i), spans_at(t, i)->lo, spans_at(t, i)->hi, now);
		spans_erase(t, i);
	}
	/* what stays below it: only one wait may straddle it, the head of its
	 * queue or the tree's first (every wait wholly below it is gone) */
	ds->hol_below = 0;
	for (uint32_t j = 0; j < ds->nactive; j++) {
		const struct hol_wait *w = &ds->holq[ds->active[j]].v[ds->holq[ds->active[j]].head];
		if (w->lo < dack) {
			ds->hol_below = dack - w->lo;
			return;
		}
	}
	uint32_t f = t->n ? spans_first(t) : 0;
	if (f && spans_at(t, f)->lo < dack)
		ds->hol_below = dack - spans_at(t, f)->lo;
}

/* No byte of [a, b) has been sent yet, as far as is known. */
static int all_unsent(const struct dstat *ds, uint64_t a, uint64_t b)
{
	if (ds->has_forgot && a < ds->forgot_hi)
		return 0;
	for (uint32_t i = spans_find(&ds->orig, a); i && spans_at(&ds->orig, i)->lo < b;
	    i = spans_succ(&ds->orig, i))
		if (O(ds, i)->kind == SPAN_ORIGIN)
			return 0;
	return 1;
}

/* ---- stalls ---- */

/* What a wait saw: data sent, some again by TCP, some reinjected, the
 * window closed. */
enum { W_SENT = 1, W_REXMIT = 2, W_REINJ = 4, W_FULL = 8 };

/* The causes, in the order they are tried (man page, STALLS). */
enum stall_cause { STALL_WINDOW, STALL_DEAD_PATH, STALL_RTO, STALL_IDLE, STALL_OTHER };
static const char *const stall_cause_name[] = { "window", "dead_path", "rto", "idle", "other" };

/* Data sent, first transmissions and DATA_FIN octets, is what the
 * origin spans hold (ds->orig.last: some is): the key after the highest
 * byte sent. */
static uint64_t sent_hi(const struct dstat *ds)
{
	return spans_at(&ds->orig, ds->orig.last)->hi;
}

/* Key of the lowest byte not DATA_ACKed (data sent: the key base is set). */
static uint64_t unacked_key(const struct dstat *ds)
{
	uint64_t k = ds->dack - ds->kbase;
	return ds->has_dack && k > ds->sent_lo ? k : ds->sent_lo;
}

/* Data is outstanding, or the receiver's window is closed: the sender
 * waits for the DATA_ACK. */
static int stall_blocked(const struct dstat *ds)
{
	if (!ds->orig.last)
		return 0;
	uint64_t u = unacked_key(ds);
	return sent_hi(ds) > u || (ds->has_edge && ds->edge <= u);
}

/* The receiver's window ends at the DATA_ACK: it takes nothing more
 * (a window merely filled by data in flight is not closed). */
static int window_closed(const struct dstat *ds)
{
	return ds->orig.last && ds->has_edge && ds->edge <= unacked_key(ds);
}

static void wait_begin(struct dstat *ds, int64_t now)
{
	ds->waiting = 1;
	ds->wait_from = now;
	ds->wait_key = unacked_key(ds);
	ds->wait_out = sent_hi(ds) > ds->wait_key ? sent_hi(ds) - ds->wait_key : 0;
	ds->w = window_closed(ds) ? W_FULL : 0;
}

/* origin: the subflow of the lowest byte outstanding; by: the one whose
 * DATA_ACK ended the stall (-1: none did). A path that came back after
 * retransmitting is an RTO (or a loss recovery: one capture cannot tell
 * them apart); data sent round it is a dead path. */
static enum stall_cause stall_cause(const struct dstat *ds, int origin, int by)
{
	if (ds->w & W_FULL)
		return STALL_WINDOW;
	if ((ds->w & W_REXMIT) && by >= 0 && by == origin)
		return STALL_RTO;
	if (ds->w & W_REINJ)
		return STALL_DEAD_PATH;
	if (ds->w & W_REXMIT)
		return STALL_RTO;
	return ds->w & W_SENT ? STALL_OTHER : STALL_IDLE;
}

/* The wait of direction d ends at end, by a DATA_ACK on subflow by (-1:
 * the connection ended): a stall when long enough. */
static void wait_end(struct mps *s, struct mps_conn *mc, int d, int64_t end, int by)
{
	struct dstat *ds = &mc->d[d];
	ds->waiting = 0;
	int64_t len = end - ds->wait_from;
	if (len < s->stall_ns)
		return;
	ds->stalls++;
	ds->stall_total += len;
	if (len > ds->stall_max)
		ds->stall_max = len;
	struct out *o = s->to[MPS_EV_STALL];
	if (!o)
		return;
	uint32_t i = spans_find(&ds->orig, ds->wait_key);
	int origin = i && spans_at(&ds->orig, i)->lo <= ds->wait_key &&
	    O(ds, i)->kind == SPAN_ORIGIN ? O(ds, i)->sf : -1;
	ev_write_stall(o, mc, &(struct ev_vals){ .now = ds->wait_from, .end = end, .d = d,
	    .from = by, .sf = origin, .dsn = dsn_of(ds, ds->wait_key), .len = ds->wait_out,
	    .word = stall_cause_name[stall_cause(ds, origin, by)] });
}

/* A segment with payload went out in direction d: what a wait notes
 * (sending cannot close the window: it ends at or below the DATA_ACK). */
static inline void stall_on_send(struct dstat *ds, int64_t now, uint64_t rexmit, uint64_t reinj)
{
	if (ds->waiting)
		ds->w |= (uint8_t)(W_SENT | (rexmit ? W_REXMIT : 0) | (reinj ? W_REINJ : 0));
	else if (stall_blocked(ds))
		wait_begin(ds, now);
}

/* The DATA_ACK of direction d advanced at now, sent on subflow sf. */
static void stall_on_dack(struct mps *s, struct mps_conn *mc, int d, int sf, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	if (ds->waiting)
		wait_end(s, mc, d, now, sf);
	if (stall_blocked(ds))
		wait_begin(ds, now);
}

/* The receiver of direction d's data advertised a window of win bytes
 * (scaled) from DATA_ACK dack. */
static void stall_on_window(struct dstat *ds, uint64_t dack, uint64_t win, int64_t now)
{
	if (!ds->has_kbase)
		return;
	ds->edge = dack - ds->kbase + win;
	ds->has_edge = 1;
	if (ds->waiting)
		ds->w |= window_closed(ds) ? W_FULL : 0;
	else if (stall_blocked(ds))
		wait_begin(ds, now);
}

/* ---- placing the new bytes of a segment ---- */

/* What on_new needs about the segment being accounted. */
struct seg_ctx {
	struct mps *s;
	struct mps_conn *mc;
	struct sf *sf;
	int d;
	int64_t now;
	uint64_t placed, reinj, same_map, unmapped;
};

/* Room for one more wait at the end of q (HOL_MAX at most). */
static void holq_room(struct holq *q)
{
	if (q->head + q->n < q->cap)
		return;
	if (q->head && q->head >= q->n) { /* half free at least: amortised O(1) */
		memmove(q->v, q->v + q->head, q->n * sizeof *q->v);
		q->head = 0;
		return;
	}
	q->cap = q->cap ? q->cap * 2 : 16;
	q->v = xreallocarray(q->v, q->cap, sizeof *q->v);
}

/* Room for one more wait before the head of q: the waits moved to the
 * middle of an array twice the size (amortised O(1)). */
static void holq_front(struct holq *q)
{
	if (q->head)
		return;
	uint32_t cap = q->cap ? q->cap * 2 : 16;
	struct hol_wait *v = xreallocarray(NULL, cap, sizeof *v);
	uint32_t at = (cap - q->n) / 2;
	if (q->n)
		memcpy(v + at, q->v, q->n * sizeof *v);
	free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = at;
}

/* New data [a, b) waits: counted; the bytes then waiting above the
 * DATA_ACK (these are: a is at or above it). */
static uint64_t hol_count(struct dstat *ds, uint64_t a, uint64_t b)
{
	ds->hol_n++;
	ds->hol_wait += b - a;
	uint64_t ofo = ds->hol_wait - ds->hol_below;
	if (ofo > ds->ofo_max)
		ds->ofo_max = ofo;
	return ofo;
}

/* New data [a, b) far out of order in its subflow's queue: in the tree. */
static void hol_stray(struct seg_ctx *c, struct dstat *ds, uint64_t a, uint64_t b)
{
	uint64_t ofo = hol_count(ds, a, b);
	*(struct hol_wait *)spans_val(&ds->hol_stray, spans_insert(&ds->hol_stray, a, b)) =
	    (struct hol_wait){ a, b, c->now, ofo, c->sf->index };
}

/* The queue of slot in ds, listed active. */
static struct holq *holq_of(struct dstat *ds, int slot)
{
	if ((uint32_t)slot >= ds->nholq) {
		uint32_t n = ds->nholq ? ds->nholq : 4;
		while (n <= (uint32_t)slot)
			n *= 2;
		ds->holq = xreallocarray(ds->holq, n, sizeof *ds->holq);
		memset(ds->holq + ds->nholq, 0, (n - ds->nholq) * sizeof *ds->holq);
		ds->nholq = n;
	}
	struct holq *q = &ds->holq[slot];
	if (!q->n) {
		if (ds->nactive == ds->cap_active) {
			ds->cap_active = ds->cap_active ? ds->cap_active * 2 : 4;
			ds->active = xreallocarray(ds->active, ds->cap_active, sizeof *ds->active);
		}
		ds->active[ds->nactive++] = slot;
	}
	return q;
}

/* New data bytes [a, b) (keys) came: they wait for the DATA_ACK, unless
 * it has passed them already. */
static void hol_push(struct seg_ctx *c, uint64_t a, uint64_t b)
{
	struct dstat *ds = &c->mc->d[c->d];
	uint64_t k = ds->has_dack ? key_of(ds, ds->dack) : 0;
	if (ds->has_dack && b <= k)
		return;
	if (ds->has_dack && a < k)
		a = k;
	if (ds->hol_n >= HOL_MAX) {
		ds->hol_over++;
		c->s->hol_over++;
		return;
	}
	struct holq *q = holq_of(ds, c->sf->index);
	/* its place: nearly always the end, else the front; the waits are
	 * disjoint. In between, at most HOL_SHIFT_MAX waits move; farther,
	 * the tree (an input in random order costs no more per packet). */
	uint32_t at;
	if (!q->n || q->v[q->head + q->n - 1].lo < a) {
		holq_room(q);
		at = q->head + q->n;
	} else if (a < q->v[q->head].lo) {
		holq_front(q);
		at = --q->head;
	} else {
		uint32_t lo = q->head, hi = q->head + q->n;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (q->v[mid].lo < a)
				lo = mid + 1;
			else
				hi = mid;
		}
		uint32_t moved = q->head + q->n - lo;
		if (moved > HOL_SHIFT_MAX) {
			hol_stray(c, ds, a, b);
			return;
		}
		holq_room(q); /* may move the waits: the place counts from the end */
		at = q->head + q->n - moved;
		memmove(q->v + at + 1, q->v + at, moved * sizeof *q->v);
	}
	q->n++;
	uint64_t ofo = hol_count(ds, a, b);
	q->v[at] = (struct hol_wait){ a, b, c->now, ofo, c->sf->index };
}

/* Bytes [a, b) with no origin yet: their first transmission. Only the
 * span before is merged with (the caller still walks the ones after). */
static void new_origin(struct dstat *ds, uint64_t a, uint64_t b, int sf, uint64_t off,
    int64_t now)
{
	ds->origin_bytes += b - a;
	uint64_t ov = acct_overlap(ds, a, b);
	ds->acked_unseen -= ov; /* counted unseen when DATA_ACKed */
	ds->origin_acked += ov;
	/* new data goes last, nearly always */
	uint32_t p = ds->orig.last;
	if (!p || spans_at(&ds->orig, p)->hi > a)
		p = spans_find(&ds->orig, a - 1);
	if (p && spans_at(&ds->orig, p)->hi == a) {
		struct origin *o = O(ds, p);
		if (o->kind == SPAN_ORIGIN && o->sf == sf && o->off == off &&
		    (o->t == now || b <= ds->acct_hi)) {
			spans_at(&ds->orig, p)->hi = b;
			return;
		}
	}
	if (!ds->orig.last || a < ds->sent_lo)
		ds->sent_lo = a; /* (extending a span never lowers it) */
	uint32_t i = spans_insert(&ds->orig, a, b);
	*O(ds, i) = (struct origin){ off, now, sf, SPAN_ORIGIN };
}

/* The position of sequence number seq in direction sd. */
static int64_t position(const struct sfdir *sd, uint32_t seq)
{
	return seq_unwrap(seq - sd->ref, sd->top);
}

/* Whether side x had removed the address id subflow o uses on its side
 * (REMOVE_ADDR after the subflow took the id). */
static int rm_named(const struct mps_conn *mc, const struct sf *o, int x)
{
	int16_t id = o->role == x ? o->c_id : o->s_id;
	uint64_t id_at = o->role == x ? o->c_id_at : o->s_id_at;
	if (id < 0 && o->label == 0)
		id = 0; /* the first subflow's addresses have id 0 (RFC 8684, 3.4.1) */
	return id >= 0 && mc->rm_id[x] && mc->rm_id[x][id & 255] > id_at;
}

/* Why bytes of direction d first sent at t0 on slot from are reinjected
 * now: the first of the causes (man page, Reinjections) that the origin
 * subflow shows. Silent: the receiver sent nothing on it in the second half of
 * the bytes' wait, a path fallen quiet (a scale-free rule: no RTT of the
 * subflow is known here). */
static int reinj_cause(const struct mps_conn *mc, int from, int d, int64_t t0, int64_t now)
{
	const struct sf *o = from >= 0 && from < mc->nsf ? mc->sfs[from] : NULL;
	if (!o)
		return RC_CLOSED; /* freed: it ended */
	if (rm_named(mc, o, 0) || rm_named(mc, o, 1))
		return RC_RM_ADDR;
	uint64_t at;
	if (sf_backup(mc, o, &at) == 1)
		return RC_BACKUP;
	if (o->ended || o->rst || o->fin_dir[0] || o->fin_dir[1])
		return RC_CLOSED;
	const struct sfdir *od = &o->d[d];
	if (od->has_rexmit && od->last_rexmit >= t0)
		return RC_LOSS;
	int rdir = o->role == DIR_C2S ? !d : d; /* the receiver's TCP direction */
	if (o->last_dir[rdir] <= t0 + (now - t0) / 2)
		return RC_SILENT;
	return RC_NONE;
}

/* The key below which subflow slot sf had acknowledged the data of
 * direction d sent under mapping off; lo when it had acknowledged none of
 * [lo, ..) or is gone. */
static uint64_t acked_key(struct mps_conn *mc, int d, int sf, uint64_t off, uint64_t lo)
{
	const struct sf *x = sf >= 0 && sf < mc->nsf ? mc->sfs[sf] : NULL;
	int64_t pos;
	if (x && x->d[d].has_acked && x->d[d].has_ref)
		pos = position(&x->d[d], x->d[d].ack32);
	else if (!x && sf >= 0 && sf < mc->cap_gone && mc->gone[sf][d].has)
		pos = seq_unwrap(mc->gone[sf][d].ack32 - mc->gone[sf][d].ref, mc->gone[sf][d].top);
	else
		return lo;
	uint64_t k = key_of(&mc->d[d], (uint64_t)pos + off);
	return k > lo ? k : lo;
}

/* Copied bytes [a, b) (keys) of origin o, under mapping off of the slot
 * carrying them, wait for the DATA_ACK; bytes it covered already, or
 * another copy waits for, are not followed. */
static void copy_wait(struct seg_ctx *c, const struct origin *o, uint64_t a, uint64_t b,
    uint64_t off)
{
	struct dstat *ds = &c->mc->d[c->d];
	uint64_t k = ds->has_dack ? key_of(ds, ds->dack) : 0;
	if (ds->has_dack && a < k)
		a = k;
	if (a >= b || ds->copies.n >= COPIES_MAX)
		return;
	uint32_t i = spans_find(&ds->copies, a);
	if (i && spans_at(&ds->copies, i)->lo < b)
		return;
	*(struct copy_wait *)spans_val(&ds->copies, spans_insert(&ds->copies, a, b)) =
	    (struct copy_wait){ o->off, off, o->sf, c->sf->index };
}

/* The DATA_ACK reached key dack: the copies it covers are told apart, the
 * bytes the copy's subflow had acknowledged and the origin's had not
 * being those the copy delivered (useful). */
static void copies_ack(struct mps_conn *mc, int d, uint64_t dack)
{
	struct dstat *ds = &mc->d[d];
	struct spans *t = &ds->copies;
	for (uint32_t i; t->n && (i = spans_first(t)) && spans_at(t, i)->hi <= dack;) {
		const struct copy_wait *w = spans_val(t, i);
		uint64_t lo = spans_at(t, i)->lo, hi = spans_at(t, i)->hi;
		uint64_t ko = acked_key(mc, d, w->sf_o, w->off_o, lo);
		uint64_t kr = acked_key(mc, d, w->sf_r, w->off_r, lo);
		if (kr > hi)
			kr = hi;
		if (kr > ko)
			ds->reinj_useful += kr - ko;
		spans_erase(t, i);
	}
}

/* Bytes [a, b) of origin span o reinjected under mapping off: counted
 * and written, split where the origin subflow's acknowledgment ends (the
 * bytes below it first: the copy was not needed, redundant). */
static void reinjected(struct seg_ctx *c, const struct origin *o, uint64_t a, uint64_t b,
    uint64_t off)
{
	struct mps_conn *mc = c->mc;
	struct dstat *ds = &mc->d[c->d];
	int why = reinj_cause(mc, o->sf, c->d, o->t, c->now);
	uint64_t m = min_u64(acked_key(mc, c->d, o->sf, o->off, a), b);
	c->reinj += b - a;
	if (o->sf >= 0 && o->sf < mc->nsf && mc->sfs[o->sf])
		mc->sfs[o->sf]->d[c->d].reinj_origin_bytes += b - a;
	ds->reinj_cause[why] += b - a;
	ds->reinj_redundant += m - a;
	if (m > a)
		ev_reinject(c->s, mc, c->d, c->now, dsn_of(ds, a), m - a, o->sf, c->sf->index,
		    o->t, why, 1);
	if (b > m) {
		ev_reinject(c->s, mc, c->d, c->now, dsn_of(ds, m), b - m, o->sf, c->sf->index,
		    o->t, why, 0);
		copy_wait(c, o, m, b, off);
	}
}

/* Data bytes [a, b) (keys), new at the TCP level, sent under mapping
 * (sf, off): first transmissions, reinjections, or (impossible unless
 * positions were lost) the same mapping again. */
static void place(struct seg_ctx *c, uint64_t a, uint64_t b, uint64_t off)
{
	struct dstat *ds = &c->mc->d[c->d];
	int sf = c->sf->index;
	uint64_t cur = a;
	pend_bad(&ds->pend, a, b, sf, off);
	if (ds->has_forgot && cur < ds->forgot_hi) {
		uint64_t e = min_u64(b, ds->forgot_hi);
		ds->forgotten_bytes += e - cur;
		cur = e;
	}
	uint32_t last = ds->orig.last, i = 0;
	if (cur < b && last && spans_at(&ds->orig, last)->hi > cur)
		i = spans_find(&ds->orig, cur); /* else nothing at or above cur */
	while (cur < b) {
		if (!i || spans_at(&ds->orig, i)->lo >= b) {
			new_origin(ds, cur, b, sf, off, c->now);
			hol_push(c, cur, b);
			break;
		}
		uint64_t lo = spans_at(&ds->orig, i)->lo;
		if (lo > cur) {
			new_origin(ds, cur, lo, sf, off, c->now);
			hol_push(c, cur, lo);
			cur = lo;
			continue;
		}
		uint64_t e = min_u64(spans_at(&ds->orig, i)->hi, b);
		struct origin *o = O(ds, i);
		if (o->kind == SPAN_FIN) {
			/* data where a DATA_FIN was: the octet was data after all */
			*o = (struct origin){ off, c->now, sf, SPAN_ORIGIN };
			ds->origin_bytes += e - cur;
			if (acct_overlap(ds, cur, e)) {
				ds->fin_acked -= e - cur;
				ds->origin_acked += e - cur;
			}
		} else if (o->sf == sf && o->off == off) {
			c->same_map += e - cur;
		} else {
			reinjected(c, o, cur, e, off);
		}
		cur = e;
		i = spans_succ(&ds->orig, i);
	}
}

/* Positions as order-preserving keys of the subflow's mapping spans. */
static uint64_t pkey(int64_t x) { return (uint64_t)x ^ (1ULL << 63); }

static uint64_t *MOFF(const struct sfdir *sd, uint32_t i)
{
	return spans_val(&sd->maps, i);
}

/* Mapping [a, b) (position keys) with offset off joins the mappings seen:
 * where it overlaps older ones it wins (a subflow byte has one mapping,
 * so only a broken sender or a lost position makes them differ). */
static void map_add(struct sfdir *sd, uint64_t a, uint64_t b, uint64_t off)
{
	struct spans *t = &sd->maps;
	uint32_t i = spans_find(t, a);
	if (i && spans_at(t, i)->lo <= a && spans_at(t, i)->hi >= b && *MOFF(sd, i) == off)
		return; /* known: the common case of a mapping seen again */
	while (i && spans_at(t, i)->lo < b) {
		struct span *x = spans_at(t, i);
		uint32_t next = spans_succ(t, i);
		if (x->lo < a && x->hi > b) {
			uint64_t hi = x->hi, o = *MOFF(sd, i);
			x->hi = a;
			uint32_t j = spans_insert(t, b, hi);
			*MOFF(sd, j) = o;
			break;
		}
		if (x->lo < a)
			x->hi = a;
		else if (x->hi > b)
			x->lo = b;
		else
			spans_erase(t, i);
		i = next;
	}
	uint32_t k = spans_insert(t, a, b);
	*MOFF(sd, k) = off;
	/* touching spans of one offset are one run of mappings */
	uint32_t p = spans_prev(t, k);
	if (p && spans_at(t, p)->hi == a && *MOFF(sd, p) == off) {
		spans_erase(t, k);
		spans_at(t, p)->hi = b;
		k = p;
	}
	uint32_t n = spans_succ(t, k);
	if (n && spans_at(t, n)->lo == spans_at(t, k)->hi && *MOFF(sd, n) == off) {
		uint64_t hi = spans_at(t, n)->hi;
		spans_erase(t, n);
		spans_at(t, k)->hi = hi;
	}
	/* mappings of positions every byte of which was carried can place
	 * nothing more: only the TCP-new bytes are placed */
	int64_t lo, hi;
	if (seqset_first(&sd->seen, &lo, &hi))
		for (uint32_t f; (f = spans_first(t)) && f != k &&
		    spans_at(t, f)->lo >= pkey(lo) && spans_at(t, f)->hi <= pkey(hi);)
			spans_erase(t, f);
	while (t->n > SFMAP_MAX) /* the oldest mappings go first */
		spans_erase(t, spans_first(t));
}

/* seqset's callback: positions [a, b) of the segment no earlier segment
 * carried, placed through the mappings seen on the subflow; bytes outside
 * every mapping, or after an infinite one, have no data-level place. */
static void on_new(void *ctx, int64_t a, int64_t b)
{
	struct seg_ctx *c = ctx;
	struct sfdir *sd = &c->sf->d[c->d];
	struct dstat *ds = &c->mc->d[c->d];
	if (sd->has_inf && b > sd->inf_pos) {
		int64_t from = a > sd->inf_pos ? a : sd->inf_pos;
		c->unmapped += (uint64_t)(b - from);
		b = from;
	}
	uint64_t cur = pkey(a), end = pkey(b);
	uint32_t i = cur < end ? spans_find(&sd->maps, cur) : 0;
	while (cur < end) {
		if (!i || spans_at(&sd->maps, i)->lo >= end) {
			c->unmapped += end - cur;
			break;
		}
		uint64_t lo = spans_at(&sd->maps, i)->lo, hi = spans_at(&sd->maps, i)->hi;
		if (lo > cur) {
			c->unmapped += lo - cur;
			cur = lo;
		}
		uint64_t e = min_u64(hi, end), off = *MOFF(sd, i);
		uint32_t next = spans_succ(&sd->maps, i);
		/* dsn = position + offset */
		uint64_t k = key_of(ds, (uint64_t)(int64_t)(cur ^ (1ULL << 63)) + off);
		c->placed += e - cur;
		place(c, k, k + (e - cur), off);
		cur = e;
		i = next;
	}
}

/* The data sequence number of subflow position at, by the mapping
 * covering it; 0 when none does. */
static int dsn_at(const struct sfdir *sd, int64_t at, uint64_t *dsn)
{
	uint64_t k = pkey(at);
	uint32_t i = spans_find(&sd->maps, k);
	if (!i || spans_at(&sd->maps, i)->lo > k || spans_at(&sd->maps, i)->hi <= k)
		return 0;
	*dsn = (uint64_t)at + *MOFF(sd, i);
	return 1;
}

/* -e seq: a data segment and what its bytes were, in the order of the
 * reinjected-segment count: reinj (one byte reinjected or more), rexmit
 * (one byte retransmitted by TCP or more), unmapped, new. */
static void ev_seq(struct mps *s, struct mps_conn *mc, const struct sf *sf, int d,
    const struct pkt *p, int64_t at, const struct seg_ctx *c, uint64_t rexmit)
{
	struct out *o = s->to[MPS_EV_SEQ];
	if (!o || p->len == 0)
		return;
	uint64_t dsn = 0;
	int mapped = dsn_at(&sf->d[d], at + !!(p->flags & TH_SYN), &dsn);
	const char *kind = c->reinj ? "reinj" : rexmit ? "rexmit" : c->unmapped ? "unmapped" : "new";
	ev_write_seq(o, mc, &(struct ev_vals){ .now = c->now, .d = d, .sf = sf->index,
	    .frame = p->frame, .have_dsn = (uint8_t)mapped, .dsn = dsn, .len = p->len,
	    .word = kind });
}

/* The base of direction d's relative data sequence numbers, fixed by its
 * first mapping or DATA_ACK (value first): the IDSN when the key is known
 * by then, so that IDSN + 1, the first data byte, is 1; without it, the
 * first value seen is 1. Set whatever events are written, so that every
 * table of one run agrees. */
static void rel_fix(struct mps_conn *mc, int d, uint64_t first)
{
	struct dstat *ds = &mc->d[d];
	uint64_t v;
	if (ds->has_rel)
		return;
	ds->rel_base = idsn(mc, d, &v) ? v : first - 1;
	ds->has_rel = 1;
}

/* A DATA_ACK of direction d's data, sent on subflow sf. */
static void on_dack(struct mps *s, struct mps_conn *mc, int d, int sf,
    uint64_t dack, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	rel_fix(mc, d, dack);
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
	acct_sync(mc, d);
	pend_ack(s, mc, d, key_of(ds, dack), now);
	hol_ack(s, mc, d, key_of(ds, dack), now);
	if (ds->copies.n)
		copies_ack(mc, d, key_of(ds, dack));
	stall_on_dack(s, mc, d, sf, now);
}

/* The scale of the windows that side d of subflow sf advertises: its
 * SYN's, when both SYNs had the option (RFC 7323), 0 when one had not,
 * -1 when a SYN was not seen. */
static int window_scale(const struct sf *sf, int d)
{
	int mine = sf->d[d].syn_ws, theirs = sf->d[!d].syn_ws;
	if (mine == WS_UNSEEN || theirs == WS_UNSEEN)
		return -1;
	return mine == WS_NONE || theirs == WS_NONE ? 0 : mine;
}

/* The DATA_FIN of a DSS mapping takes the octet after its data. */
static void on_fin_octet(struct dstat *ds, uint64_t dsn)
{
	uint64_t k = key_of(ds, dsn);
	if (ds->has_forgot && k < ds->forgot_hi)
		return;
	uint32_t i = spans_find(&ds->orig, k);
	if (i && spans_at(&ds->orig, i)->lo <= k)
		return; /* this DATA_FIN again, or data there */
	if (!ds->orig.last || k < ds->sent_lo)
		ds->sent_lo = k;
	i = spans_insert(&ds->orig, k, k + 1);
	*O(ds, i) = (struct origin){ 0, 0, -1, SPAN_FIN };
	ds->fins++;
	if (acct_overlap(ds, k, k + 1)) {
		ds->acked_unseen--;
		ds->fin_acked++;
	}
	orig_bound(ds);
}

/* The DSS mapping a packet carries, if any. */
static int packet_mapping(const struct pkt *p, const struct mpj_res *t, struct mapping *m)
{
	memset(m, 0, sizeof *m);
	if (t->has_dsn && PKT_HAS(p, MP_DSS) && (p->dss.flags & DSS_M)) {
		/* an infinite mapping (length 0) places nothing after it */
		m->valid = 1;
		m->dsn = t->dsn64;
		m->ssn = p->dss.ssn;
		m->infinite = p->dss.dlen == 0;
		m->len = p->dss.dlen ? p->dss.dlen - (p->dss.fin ? 1u : 0u) : 0;
	} else if (t->has_dsn && PKT_HAS(p, MP_CAPABLE) && p->cap.has_dlen) {
		m->valid = 1;
		m->dsn = t->dsn64;
		m->ssn = 1;
		m->len = p->cap.dlen;
	}
	return m->valid;
}

static int same_mapping(const struct mapping *a, const struct mapping *b)
{
	return a->valid == b->valid && a->infinite == b->infinite && a->dsn == b->dsn &&
	    a->ssn == b->ssn && a->len == b->len;
}

static void burst_note(struct mps *s, struct mps_conn *mc, int d, int sf,
    uint64_t bytes, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	if (ds->cur_sf != sf) {
		ev_burst(s, mc, d);
		ds->cur_sf = sf;
		ds->bursts++;
		ds->b_start = ds->b_end = now;
		ds->b_maps = ds->b_bytes = ds->b_pkts = 0;
	}
	ds->b_maps++;
	ds->b_bytes += bytes;
	if (now > ds->b_end)
		ds->b_end = now;
}

/* A mapping sent for the first time: counted; without the IDSN, the
 * lowest DSN mapped is the data level's base. */
static void new_mapping(struct mps_conn *mc, int d, const struct mapping *m)
{
	struct dstat *ds = &mc->d[d];
	ds->mappings++;
	if (!ds->has_base || (int64_t)(m->dsn - ds->base_dsn) < 0) {
		ds->base_dsn = m->dsn;
		ds->has_base = 1;
		acct_sync(mc, d);
	}
}


/* Payload and mapping of a packet sent by side d on subflow sf. */
static void on_data(struct mps *s, struct mps_conn *mc, struct sf *sf, int d,
    const struct pkt *p, const struct mpj_res *t, int64_t now)
{
	struct sfdir *sd = &sf->d[d];
	struct dstat *ds = &mc->d[d];
	struct mapping own;
	int has_own = packet_mapping(p, t, &own);
	if (has_own)
		rel_fix(mc, d, own.dsn);
	int fresh = has_own && !same_mapping(&own, &sd->dss);
	int own_data = has_own && (own.len || own.infinite);
	if (fresh)
		sd->dss = own;
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
	if (!sd->has_isn && fresh && own_data && p->len > 0) {
		/* no SYN seen: the segment starts its mapping */
		sd->isn = p->seq - own.ssn;
		sd->has_isn = 1;
	}
	int syn = !!(p->flags & TH_SYN), fin = !!(p->flags & TH_FIN);
	if (!p->len && !syn && !fin) {
		if (fresh)
			new_mapping(mc, d, &own);
		if (PKT_HAS(p, MP_DSS) && p->dss.fin)
			stall_on_send(ds, now, 0, 0); /* a DATA_FIN alone */
		return;
	}
	if (!sd->has_ref) {
		sd->ref = p->seq;
		sd->top = 1LL << 32;
		sd->has_ref = 1;
	}
	int64_t at = position(sd, p->seq);
	struct seg_ctx c = { s, mc, sf, d, now, 0, 0, 0, 0 };
	/* the segment's own mapping (a DATA_FIN-only one maps no data) */
	int64_t m0 = 0;
	if (own_data && sd->has_isn) {
		m0 = position(sd, sd->isn + own.ssn);
		if (own.infinite) {
			if (!sd->has_inf || m0 < sd->inf_pos)
				sd->inf_pos = m0;
			sd->has_inf = 1;
		} else {
			map_add(sd, pkey(m0), pkey(m0 + own.len), own.dsn - (uint64_t)m0);
		}
	}
	/* a first transmission of a mapping none of whose bytes went out
	 * before may give an RTT sample: decided before its bytes count */
	uint64_t mk = 0;
	int sample = 0;
	if (fresh && own_data && !own.infinite && p->len > 0 && sd->has_isn) {
		mk = key_of(ds, own.dsn);
		sample = all_unsent(ds, mk, mk + own.len);
	}
	struct seqset_seg r = seqset_segment(&sd->seen, at, syn, p->len, fin, on_new, &c);
	int64_t end = at + syn + (int64_t)p->len + fin;
	if (end > sd->top)
		sd->top = end;
	/* the same mapping sent again is a TCP retransmission, whatever the
	 * subflow sequence numbers say */
	uint64_t rexmit = r.payload_seen + c.same_map;
	sd->rexmit_bytes += rexmit;
	ds->rexmit_bytes += rexmit;
	if (rexmit) {
		sd->last_rexmit = now;
		sd->has_rexmit = 1;
	}
	ds->unmapped_bytes += c.unmapped;
	if (fresh && (p->len == 0 || r.payload_new > 0))
		new_mapping(mc, d, &own); /* not one repeated by a TCP retransmission */
	if (fresh && own_data && !own.infinite && c.placed > 0) {
		burst_note(s, mc, d, sf->index, own.len, now);
		if (sample && !pend_push(ds, mk, mk + own.len, now, sf->index,
		    own.dsn - (uint64_t)m0)) {
			if (ds->pend_over == 1)
				warnx("frame %llu: MPTCP connection %llu has %d mappings waiting "
				    "for a DATA_ACK (%s): later ones give no RTT sample until "
				    "some are acknowledged", (unsigned long long)p->frame,
				    (unsigned long long)mc->id, PEND_MAX, dirname[d]);
			s->pend_over++;
		}
	}
	/* a segment of the current burst: new mapped data on its subflow,
	 * the one that began it (counted after burst_note) included */
	if (c.placed > 0 && ds->cur_sf == sf->index)
		ds->b_pkts++;
	ev_seq(s, mc, sf, d, p, at, &c, rexmit);
	if (c.reinj) {
		ds->reinj_bytes += c.reinj;
		ds->reinj_segs++;
		sd->reinj_carried_bytes += c.reinj;
		sd->reinj_carried_segs++;
	}
	if (p->len > 0 || fin)
		stall_on_send(ds, now, rexmit, c.reinj);
	orig_bound(ds);
}

static void on_options(struct mps *s, struct mps_conn *mc, struct sf *sf, int d,
    int dir, const struct pkt *p, const struct mpj_res *t, int64_t now)
{
	struct dstat *ds = &mc->d[d];
	if (PKT_HAS(p, MP_JOIN) && (p->flags & TH_SYN)) {
		if (dir == DIR_C2S && p->join.has_token) {
			if (sf->backup0 < 0) {
				sf->backup0 = sf->backup = (int8_t)p->join.backup;
				sf->backup_at = ++mc->clock;
			}
			sf_set_id(mc, sf, &sf->c_id, &sf->c_id_at, p->join.addr_id);
		} else if (dir == DIR_S2C) {
			sf_set_id(mc, sf, &sf->s_id, &sf->s_id_at, p->join.addr_id);
		}
	}
	if (PKT_HAS(p, MP_DSS)) {
		const struct mp_dss *x = &p->dss;
		if ((x->flags & DSS_M) && x->dlen == 0)
			ds->infinite++;
		if (x->fin) {
			ds->fin_flag = 1;
			if (t->has_dsn && (x->flags & DSS_M) && x->dlen)
				on_fin_octet(ds, t->dsn64 + x->dlen - 1);
		}
	}
	if (PKT_HAS(p, MP_ADD_ADDR))
		ds->add_addr += p->n_add_addr;
	if (PKT_HAS(p, MP_RM_ADDR)) {
		ds->rm_addr += p->n_rm;
		if (!mc->rm_id[d])
			mc->rm_id[d] = xcalloc(256, sizeof *mc->rm_id[d]);
		for (int i = 0; i < p->n_rm; i++)
			mc->rm_id[d][p->rm_ids[i]] = ++mc->clock;
	}
	if (PKT_HAS(p, MP_PRIO)) {
		ds->prio++;
		if (p->prio_id < 0) {
			sf->backup = (int8_t)p->prio_backup;
			sf->backup_at = ++mc->clock;
		} else {
			/* v0 form: every subflow using the sender's address id
			 * (sf_backup) */
			if (!mc->prio_id[d])
				mc->prio_id[d] = xcalloc(256, sizeof *mc->prio_id[d]);
			mc->prio_id[d][p->prio_id & 255] =
			    (struct prio_v0){ ++mc->clock, (int8_t)p->prio_backup };
		}
	}
	if (PKT_HAS(p, MP_FAIL))
		ds->fail++;
	if (PKT_HAS(p, MP_FASTCLOSE))
		ds->fastclose++;
	if (s->to[MPS_EV_ADDR])
		ev_addr(s, mc, d, now, sf->index, p);
}

static void on_tcp(struct sf *sf, int d, int dir, const struct pkt *p, int64_t now)
{
	struct sfdir *sd = &sf->d[d];
	if (p->flags & TH_SYN) {
		sd->isn = p->seq;
		sd->has_isn = 1;
		/* a shift above 14 is taken as 14 (RFC 7323) */
		sd->syn_ws = (int8_t)(p->wscale < 0 ? WS_NONE : p->wscale > 14 ? 14 : p->wscale);
		sf->d[0].win_shift = (int8_t)window_scale(sf, 0);
		sf->d[1].win_shift = (int8_t)window_scale(sf, 1);
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
	if (p->flags & TH_RST)
		sf->rst = 1;
	sf->last_dir[dir] = now;
	if (p->flags & TH_ACK) {
		/* the data it acknowledges; placed only when needed (reinjected) */
		struct sfdir *rd = &sf->d[!d];
		if (!rd->has_acked || (int32_t)(p->ack - rd->ack32) > 0)
			rd->ack32 = p->ack;
		rd->has_acked = 1;
		sd->last_ack = now;
		sd->has_ack = 1;
		sf->last_ack = now;
		sf->has_ack = 1;
	}
}

/* ---- records ---- */

/* The connection columns (mc: the connection, sf0: its first subflow,
 * whose TCP client is the MPTCP client unless its role says otherwise). */
#define MPS_CONN_COLUMNS(X) \
	X(mpconn, ID, "-", "MPTCP connection id", out_u64(o, mc->id)) \
	X(version, INT, "-", "MPTCP version, 0 (RFC 6824) or 1 (RFC 8684)", \
	    out_opt_u64(o, mc->has_ver, mc->ver)) \
	X(status, TEXT, "-", "ok, fallback, failed, midstream or unknown_token", \
	    mc->has_status ? out_str(o, mpj_conn_status_name[mc->status]) : out_dash(o)) \
	X(ipv, INT, "-", "IP version of the first subflow", out_u64(o, sf0->ipv)) \
	X(c_addr, ADDR, "-", "the MPTCP client's address on the first subflow", \
	    out_addr(o, sf0->ipv, cli ? sf0->c_addr : sf0->s_addr)) \
	X(c_port, PORT, "-", "its port", out_u64(o, cli ? sf0->c_port : sf0->s_port)) \
	X(s_addr, ADDR, "-", "the MPTCP server's address on the first subflow", \
	    out_addr(o, sf0->ipv, cli ? sf0->s_addr : sf0->c_addr)) \
	X(s_port, PORT, "-", "its port", out_u64(o, cli ? sf0->s_port : sf0->c_port)) \
	X(c_token, HEX, "-", "the client's token, 0x and 8 hex digits", \
	    out_opt_idhex(o, mc->has_idsn[DIR_C2S], mc->token[DIR_C2S], 8)) \
	X(s_token, HEX, "-", "the server's token, 0x and 8 hex digits", \
	    out_opt_idhex(o, mc->has_idsn[DIR_S2C], mc->token[DIR_S2C], 8)) \
	X(c_idsn, HEX, "-", "the client's initial data sequence number, 0x and 16 hex digits", \
	    out_opt_idhex(o, mc->has_idsn[DIR_C2S], mc->idsn[DIR_C2S], 16)) \
	X(s_idsn, HEX, "-", "the server's initial data sequence number, 0x and 16 hex digits", \
	    out_opt_idhex(o, mc->has_idsn[DIR_S2C], mc->idsn[DIR_S2C], 16)) \
	X(subflows, COUNT, "-", "subflows", out_u64(o, (uint64_t)nsf)) \
	X(subflows_data, COUNT, "-", "subflows that carried data", out_u64(o, (uint64_t)ndata)) \
	X(start_ts, TS, "s", "first packet", out_ts(o, mc->first_ns, mc->digits)) \
	X(end_ts, TS, "s", "last packet", out_ts(o, mc->last_ns, mc->digits)) \
	X(duration_s, DURATION_S, "s", "end_ts - start_ts", \
	    out_ts(o, mc->last_ns - mc->first_ns, mc->digits)) \
	X(ts_backwards, COUNT, "packets", "packets timestamped before the one before", \
	    out_u64(o, mc->ts_back))

/* The direction columns, written for c2s then s2c (ds: the direction's
 * counts; uniq, hu: its unique bytes and whether known; con, ht: the
 * connection time and whether known). */
#define MPS_DIR_COLUMNS(X) \
	X(pkts, COUNT, "packets", "packets sent on all subflows", out_u64(o, ds->pkts)) \
	X(data_pkts, COUNT, "packets", "packets with payload", out_u64(o, ds->data_pkts)) \
	X(data_bytes, COUNT, "bytes", "payload bytes on all subflows", out_u64(o, ds->data_bytes)) \
	X(unique_bytes, COUNT, "bytes", "data bytes DATA_ACKed", out_opt_u64(o, hu, uniq)) \
	X(mappings, COUNT, "-", "DSS mappings", out_u64(o, ds->mappings)) \
	X(reinj_bytes, COUNT, "bytes", "data bytes carried again on another subflow", \
	    out_u64(o, ds->reinj_bytes)) \
	X(reinj_segs, COUNT, "packets", "segments carrying reinjected bytes", \
	    out_u64(o, ds->reinj_segs)) \
	X(reinj_frac, FRAC, "-", "reinj_bytes / data_bytes", out_double(o, ds->data_bytes ? \
	    (double)ds->reinj_bytes / (double)ds->data_bytes : NAN, 6)) \
	X(reinj_closed_bytes, COUNT, "bytes", "of reinj_bytes, cause closed (Reinjections)", \
	    out_u64(o, ds->reinj_cause[RC_CLOSED])) \
	X(reinj_rm_addr_bytes, COUNT, "bytes", "of reinj_bytes, cause rm_addr", \
	    out_u64(o, ds->reinj_cause[RC_RM_ADDR])) \
	X(reinj_backup_bytes, COUNT, "bytes", "of reinj_bytes, cause backup", \
	    out_u64(o, ds->reinj_cause[RC_BACKUP])) \
	X(reinj_loss_bytes, COUNT, "bytes", "of reinj_bytes, cause loss", \
	    out_u64(o, ds->reinj_cause[RC_LOSS])) \
	X(reinj_silent_bytes, COUNT, "bytes", "of reinj_bytes, cause silent", \
	    out_u64(o, ds->reinj_cause[RC_SILENT])) \
	X(reinj_none_bytes, COUNT, "bytes", "of reinj_bytes, no cause seen", \
	    out_u64(o, ds->reinj_cause[RC_NONE])) \
	X(reinj_redundant_bytes, COUNT, "bytes", "of reinj_bytes, already acknowledged by " \
	    "the first subflow", out_u64(o, ds->reinj_redundant)) \
	X(reinj_useful_bytes, COUNT, "bytes", "of reinj_bytes, delivered by the copy " \
	    "(Reinjections)", out_u64(o, ds->reinj_useful)) \
	X(tcp_rexmit_bytes, COUNT, "bytes", "bytes retransmitted by TCP on the same subflow", \
	    out_u64(o, ds->rexmit_bytes)) \
	X(unacked_bytes, COUNT, "bytes", "data bytes never DATA_ACKed", \
	    out_u64(o, ds->origin_bytes - ds->origin_acked)) \
	X(acked_unseen_bytes, COUNT, "bytes", "data bytes DATA_ACKed but not captured", \
	    out_opt_u64(o, hu, ds->acked_unseen)) \
	X(unmapped_bytes, COUNT, "bytes", "payload bytes without a mapping", \
	    out_u64(o, ds->unmapped_bytes)) \
	X(origin_forgotten_bytes, COUNT, "bytes", "bytes whose first transmission was forgotten", \
	    out_u64(o, ds->forgotten_bytes)) \
	X(bursts, COUNT, "-", "runs of mappings on one subflow", out_u64(o, ds->bursts)) \
	X(switches, COUNT, "-", "changes of subflow between bursts", \
	    out_u64(o, ds->bursts ? ds->bursts - 1 : 0)) \
	X(rtt_n, COUNT, "samples", "MPTCP-level RTT samples", rttset_out(o, &ds->rtt, RTT_N, 0)) \
	X(rtt_min_ms, MS, "ms", "minimum RTT", rttset_out(o, &ds->rtt, RTT_MIN, 0)) \
	X(rtt_max_ms, MS, "ms", "maximum RTT", rttset_out(o, &ds->rtt, RTT_MAX, 0)) \
	X(rtt_avg_ms, MS, "ms", "mean RTT", rttset_out(o, &ds->rtt, RTT_AVG, 0)) \
	X(rtt_stdev_ms, MS, "ms", "RTT sample standard deviation", \
	    rttset_out(o, &ds->rtt, RTT_STDEV, 0)) \
	X(rtt_p25_ms, MS, "ms", "RTT 25th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 25)) \
	X(rtt_p50_ms, MS, "ms", "RTT median", rttset_out(o, &ds->rtt, RTT_PCT, 50)) \
	X(rtt_p75_ms, MS, "ms", "RTT 75th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 75)) \
	X(rtt_p90_ms, MS, "ms", "RTT 90th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 90)) \
	X(rtt_p95_ms, MS, "ms", "RTT 95th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 95)) \
	X(rtt_p97_ms, MS, "ms", "RTT 97th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 97)) \
	X(rtt_p98_ms, MS, "ms", "RTT 98th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 98)) \
	X(rtt_p99_ms, MS, "ms", "RTT 99th percentile", rttset_out(o, &ds->rtt, RTT_PCT, 99)) \
	X(last_dack_ts, TS, "s", "the last DATA_ACK that raised the acknowledged point", \
	    out_opt_ts(o, ds->has_dack, ds->dack_ts, mc->digits)) \
	X(con_time_s, DURATION_S, "s", "from learning the IDSN to last_dack_ts", \
	    out_opt_ts(o, ht, con, mc->digits)) \
	X(goodput_bytes_s, REAL, "bytes/s", "unique_bytes / con_time_s", \
	    out_double(o, hu && ht && con > 0 ? (double)uniq / ((double)con / 1e9) : NAN, 3)) \
	X(data_fin, COUNT, "-", "DATA_FINs sent", out_u64(o, ds->fins ? ds->fins : ds->fin_flag)) \
	X(data_fin_acked, COUNT, "-", "DATA_FIN octets DATA_ACKed", out_u64(o, ds->fin_acked)) \
	X(infinite, COUNT, "-", "infinite mappings", out_u64(o, ds->infinite)) \
	X(add_addr, COUNT, "-", "ADD_ADDR options sent", out_u64(o, ds->add_addr)) \
	X(rm_addr, COUNT, "-", "REMOVE_ADDR options sent", out_u64(o, ds->rm_addr)) \
	X(mp_prio, COUNT, "-", "MP_PRIO options sent", out_u64(o, ds->prio)) \
	X(mp_fail, COUNT, "-", "MP_FAIL options sent", out_u64(o, ds->fail)) \
	X(fastclose, COUNT, "-", "MP_FASTCLOSE options sent", out_u64(o, ds->fastclose)) \
	X(stalls, COUNT, "-", "waits of the DATA_ACK of at least -T seconds (STALLS)", \
	    out_u64(o, ds->stalls)) \
	X(stall_s, DURATION_S, "s", "the stalls' total duration", \
	    out_ts(o, ds->stall_total, mc->digits)) \
	X(stall_max_s, DURATION_S, "s", "the longest stall", out_ts(o, ds->stall_max, mc->digits)) \
	X(hol_n, COUNT, "samples", "head-of-line delay samples: new data DATA_ACKed", \
	    rttset_out(o, &ds->holset, RTT_N, 0)) \
	X(hol_p50_ms, MS, "ms", "head-of-line delay median", rttset_out(o, &ds->holset, RTT_PCT, 50)) \
	X(hol_p90_ms, MS, "ms", "head-of-line delay 90th percentile", \
	    rttset_out(o, &ds->holset, RTT_PCT, 90)) \
	X(hol_p99_ms, MS, "ms", "head-of-line delay 99th percentile", \
	    rttset_out(o, &ds->holset, RTT_PCT, 99)) \
	X(hol_max_ms, MS, "ms", "the longest head-of-line delay", \
	    rttset_out(o, &ds->holset, RTT_MAX, 0)) \
	X(ofo_max_bytes, COUNT, "bytes", "the most data bytes come and not DATA_ACKed", \
	    out_u64(o, ds->ofo_max))

/* The subflow columns (-s; sf: the subflow, b0 and b: its first and
 * latest backup flag, -1 unknown). */
#define MPS_SF_COLUMNS(X) \
	MP_SF_IDENT_COLUMNS(X, sf->label) \
	X(role, TEXT, "-", "client or server: which MPTCP side opened the subflow", \
	    out_str(o, sf->role == DIR_C2S ? "client" : "server")) \
	X(handshake, BOOL, "-", "the three-way handshake completed", \
	    out_opt_u64(o, sf->syn, sf->hs_done)) \
	X(start_ts, TS, "s", "first packet of the subflow", out_ts(o, sf->first_ns, mc->digits)) \
	X(end_ts, TS, "s", "last packet of the subflow", out_ts(o, sf->last_ns, mc->digits)) \
	X(join_delay_s, DURATION_S, "s", "from the connection's first packet to the subflow's", \
	    out_ts(o, sf->first_ns - mc->first_ns, mc->digits)) \
	X(backup_initial, BOOL, "-", "backup flag of the subflow's SYN", \
	    out_opt_u64(o, b0 >= 0, (uint64_t)b0)) \
	X(backup, BOOL, "-", "the last backup flag (MP_PRIO)", \
	    out_opt_u64(o, b >= 0 || b0 >= 0, (uint64_t)(b >= 0 ? b : b0))) \
	X(handover, BOOL, "-", "the subflow fell silent while another carried data on", \
	    out_u64(o, (uint64_t)handover(mc, sf)))

/* The subflow's direction columns (x: its counts, tot: the connection's
 * data bytes in that direction). */
#define MPS_SFDIR_COLUMNS(X) \
	X(data_pkts, COUNT, "packets", "packets with payload", out_u64(o, x->data_pkts)) \
	X(data_bytes, COUNT, "bytes", "payload bytes", out_u64(o, x->data_bytes)) \
	X(share, FRAC, "-", "data_bytes / the connection's data_bytes", \
	    out_double(o, tot ? (double)x->data_bytes / (double)tot : NAN, 6)) \
	X(tcp_rexmit_bytes, COUNT, "bytes", "bytes retransmitted by TCP", \
	    out_u64(o, x->rexmit_bytes)) \
	X(reinj_origin_bytes, COUNT, "bytes", "its bytes carried again on another subflow", \
	    out_u64(o, x->reinj_origin_bytes)) \
	X(reinj_carried_bytes, COUNT, "bytes", "bytes it carried that another had carried", \
	    out_u64(o, x->reinj_carried_bytes)) \
	X(reinj_carried_segs, COUNT, "packets", "segments carrying such bytes", \
	    out_u64(o, x->reinj_carried_segs)) \
	X(first_data_ts, TS, "s", "first packet with payload", \
	    out_opt_ts(o, x->has_data, x->first_data, mc->digits)) \
	X(last_data_ts, TS, "s", "last packet with payload", \
	    out_opt_ts(o, x->has_data, x->last_data, mc->digits)) \
	X(last_ack_ts, TS, "s", "last packet with ACK", \
	    out_opt_ts(o, x->has_ack, x->last_ack, mc->digits)) \
	X(hol_n, COUNT, "samples", "head-of-line delay samples of the data it carried", \
	    rttset_out(o, &x->hol, RTT_N, 0)) \
	X(hol_p50_ms, MS, "ms", "their median", rttset_out(o, &x->hol, RTT_PCT, 50)) \
	X(hol_p90_ms, MS, "ms", "their 90th percentile", rttset_out(o, &x->hol, RTT_PCT, 90)) \
	X(hol_p99_ms, MS, "ms", "their 99th percentile", rttset_out(o, &x->hol, RTT_PCT, 99)) \
	X(hol_max_ms, MS, "ms", "the longest", rttset_out(o, &x->hol, RTT_MAX, 0))

static const struct column conn_cols[] = { MPS_CONN_COLUMNS(COL_ROW) };
static const struct column dir_cols[] = { MPS_DIR_COLUMNS(COL_ROW) };
static const struct column sf_cols[] = { MPS_SF_COLUMNS(COL_ROW) };
static const struct column sfdir_cols[] = { MPS_SFDIR_COLUMNS(COL_ROW) };
static const struct column ev_bursts_cols[] = { MPS_EV_BURSTS_COLUMNS(COL_ROW) };
static const struct column ev_reinject_cols[] = { MPS_EV_REINJECT_COLUMNS(COL_ROW) };
static const struct column ev_rtt_cols[] = { MPS_EV_RTT_COLUMNS(COL_ROW) };
static const struct column ev_dack_cols[] = { MPS_EV_DACK_COLUMNS(COL_ROW) };
static const struct column ev_addr_cols[] = { MPS_EV_ADDR_COLUMNS(COL_ROW) };
static const struct column ev_seq_cols[] = { MPS_EV_SEQ_COLUMNS(COL_ROW) };
static const struct column ev_stall_cols[] = { MPS_EV_STALL_COLUMNS(COL_ROW) };
static const struct column ev_hol_cols[] = { MPS_EV_HOL_COLUMNS(COL_ROW) };

static const struct record_def mps_records[] = {
	[MPS_EV_NONE] = { 2, { COL_PART(conn_cols, 0), COL_PART(dir_cols, 1) } },
	[MPS_EV_BURSTS] = { 1, { COL_PART(ev_bursts_cols, 0) } },
	[MPS_EV_REINJECT] = { 1, { COL_PART(ev_reinject_cols, 0) } },
	[MPS_EV_RTT] = { 1, { COL_PART(ev_rtt_cols, 0) } },
	[MPS_EV_DACK] = { 1, { COL_PART(ev_dack_cols, 0) } },
	[MPS_EV_ADDR] = { 1, { COL_PART(ev_addr_cols, 0) } },
	[MPS_EV_SEQ] = { 1, { COL_PART(ev_seq_cols, 0) } },
	[MPS_EV_STALL] = { 1, { COL_PART(ev_stall_cols, 0) } },
	[MPS_EV_HOL] = { 1, { COL_PART(ev_hol_cols, 0) } },
};
static const struct record_def mps_sf_record = {
	2, { COL_PART(sf_cols, 0), COL_PART(sfdir_cols, 1) }
};

const struct record_def *mps_record_def(int subflows, enum mps_event ev)
{
	return ev || !subflows ? &mps_records[ev] : &mps_sf_record;
}

void mps_header(const struct mps *s)
{
	for (int k = 0; k < MPS_NREC; k++)
		if (s->to[k])
			record_header(s->to[k], k == MPS_SUBFLOWS ? mps_record_def(1, MPS_EV_NONE) :
			    mps_record_def(0, (enum mps_event)k));
}

static int base_dsn(const struct mps_conn *mc, int d, uint64_t *v)
{
	if (idsn(mc, d, v)) {
		*v += 1;
		return 1;
	}
	*v = mc->d[d].base_dsn;
	return mc->d[d].has_base;
}

/* Data bytes DATA_ACKed: from the base to the highest DATA_ACK, less the
 * DATA_FIN octets in between; none without a base. */
static int unique_bytes(const struct mps_conn *mc, int d, uint64_t *v)
{
	const struct dstat *ds = &mc->d[d];
	uint64_t base;
	if (!base_dsn(mc, d, &base))
		return 0;
	*v = ds->has_acct ? ds->acct_hi - ds->acct_lo - ds->fin_acked : 0;
	return 1;
}

static void out_dir(struct out *o, struct mps_conn *mc, int d)
{
	struct dstat *ds = &mc->d[d];
	uint64_t uniq = 0;
	acct_sync(mc, d); /* a key learned after the last DATA_ACK moves the base */
	int hu = unique_bytes(mc, d, &uniq);
	/* mptcptrace's conTime: from learning the IDSN to the last DATA_ACK
	 * that raised the acknowledged point */
	int ht = ds->has_dack && mc->has_idsn[d];
	int64_t con = ht ? ds->dack_ts - mc->key_ns[d] : 0;
	int sep = 1;
	MPS_DIR_COLUMNS(COL_EMIT)
}

static void conn_record(struct mps *s, struct mps_conn *mc)
{
	struct out *o = s->to[MPS_EV_NONE];
	s->conn_rows++;
	const struct sf *sf0 = NULL;
	int ndata = mc->ndata_gone, nsf = mc->nsub;
	for (int i = 0; i < mc->nsf; i++) {
		const struct sf *x = mc->sfs[i];
		if (!x)
			continue;
		if (!sf0)
			sf0 = x; /* the lowest slot (mc->low), never freed */
		ndata += x->d[0].has_data || x->d[1].has_data;
	}
	int cli = sf0->role == DIR_C2S;
	int sep = 0;
	MPS_CONN_COLUMNS(COL_EMIT)
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

static void sfdir_record(struct out *o, const struct mps_conn *mc, struct sf *sf, int d)
{
	struct sfdir *x = &sf->d[d];
	uint64_t tot = mc->d[d].data_bytes;
	int sep = 1;
	MPS_SFDIR_COLUMNS(COL_EMIT)
}

static void sf_record(struct mps *s, struct mps_conn *mc, struct sf *sf)
{
	struct out *o = s->to[MPS_SUBFLOWS];
	s->sf_rows++;
	int8_t b0 = sf->backup0;
	if (b0 < 0 && sf->label == 0 && sf->syn)
		b0 = 0; /* MP_CAPABLE has no B flag */
	uint64_t at;
	int8_t b = sf_backup(mc, sf, &at);
	int sep = 0;
	MPS_SF_COLUMNS(COL_EMIT)
	for (int d = 0; d < 2; d++)
		sfdir_record(o, mc, sf, d);
	out_nl(o);
}

static void conn_end(struct mps *s, struct mps_conn *mc)
{
	conn_unlink(s, mc);
	for (int d = 0; d < 2; d++)
		if (mc->d[d].waiting)
			wait_end(s, mc, d, mc->last_ns, -1);
	for (int d = 0; d < 2; d++)
		ev_burst(s, mc, d);
	if (s->to[MPS_SUBFLOWS])
		for (int i = 0; i < mc->nsf; i++)
			if (mc->sfs[i])
				sf_record(s, mc, mc->sfs[i]);
	if (s->to[MPS_EV_NONE])
		conn_record(s, mc);
	for (int i = 0; i < mc->nsf; i++) {
		if (!mc->sfs[i])
			continue;
		sf_drop_positions(mc->sfs[i]);
		sf_free(mc->sfs[i]);
	}
	free(mc->sfs);
	free(mc->labels);
	free(mc->prio_id[0]);
	free(mc->prio_id[1]);
	free(mc->rm_id[0]);
	free(mc->rm_id[1]);
	free(mc->gone);
	for (int d = 0; d < 2; d++) {
		spans_free(&mc->d[d].orig);
		spans_free(&mc->d[d].pend);
		for (uint32_t i = 0; i < mc->d[d].nholq; i++)
			free(mc->d[d].holq[i].v);
		free(mc->d[d].holq);
		spans_free(&mc->d[d].hol_stray);
		spans_free(&mc->d[d].copies);
		free(mc->d[d].active);
		rttset_free(&mc->d[d].rtt);
		rttset_free(&mc->d[d].holset);
	}
	free(mc);
}

/* A TCP connection left out at SF_SLOTS_MAX: its flow points here. */
static struct sf left_out;

/* An ended subflow of a connection that goes on: its positions go, and
 * so does the rest unless a record (-s) or the connection's addresses
 * (the lowest slot) need it; its counts stay in the connection's. */
static void sf_ended(struct mps *s, struct sf *sf)
{
	struct mps_conn *mc = sf->mc;
	sf_drop_positions(sf);
	if (s->to[MPS_SUBFLOWS])
		return;
	if (sf->index == mc->low)
		return;
	mc->ndata_gone += sf->d[0].has_data || sf->d[1].has_data;
	if (sf->index >= mc->cap_gone) {
		int n = mc->cap_gone ? mc->cap_gone : 8;
		while (n <= sf->index)
			n *= 2;
		mc->gone = xreallocarray(mc->gone, (size_t)n, sizeof *mc->gone);
		memset(mc->gone + mc->cap_gone, 0, (size_t)(n - mc->cap_gone) * sizeof *mc->gone);
		mc->cap_gone = n;
	}
	for (int d = 0; d < 2; d++) {
		const struct sfdir *x = &sf->d[d];
		mc->gone[sf->index][d] = (struct gone_ack){ x->top, x->ref, x->ack32,
		    (uint8_t)(x->has_acked && x->has_ref) };
	}
	mc->sfs[sf->index] = NULL;
	sf_free(sf);
}

static void flow_end(struct flow *f, void *ctx)
{
	struct sf *sf = f->user;
	if (!sf || sf == &left_out)
		return;
	sf->ended = 1;
	if (--sf->mc->live == 0)
		conn_end(ctx, sf->mc);
	else
		sf_ended(ctx, sf);
}

void mps_init_outs(struct mps *s, const struct flow_opts *fo, struct out *const to[MPS_NREC])
{
	memset(s, 0, sizeof *s);
	flowtab_init(&s->flows, fo->idle_s, fo->grace_s, flow_end, s);
	s->ntab = 256;
	s->tab = xcalloc(s->ntab, sizeof *s->tab);
	memcpy(s->to, to, sizeof s->to);
	mps_set_stall(s, MPS_STALL_DEFAULT);
}

void mps_set_stall(struct mps *s, double stall_s)
{
	s->stall_ns = (int64_t)(stall_s * 1e9);
}

void mps_init(struct mps *s, const struct flow_opts *fo, int subflows,
    enum mps_event ev, struct out *o)
{
	struct out *to[MPS_NREC] = { NULL };
	to[subflows ? MPS_SUBFLOWS : (int)ev] = o;
	mps_init_outs(s, fo, to);
}

void mps_packet(struct mps *s, const struct pkt *p, const struct pkt_meta *m,
    const struct mpj_res *t)
{
	int64_t now = pkt_time_ns(p);
	int created;
	struct flow *f = flowtab_follow(&s->flows, p, m, &created);
	if (!t->mpconn)
		return;
	struct sf *sf = f->user;
	if (!sf) {
		struct mps_conn *mc = conn_get(s, t->mpconn, p);
		sf = sf_new(mc, t->subflow, p, m, t->mpdir);
		if (!sf) {
			if (!mc->over++)
				warnx("frame %llu: MPTCP connection %llu has had %d subflows: "
				    "TCP connection %llu and later ones beyond are left out",
				    (unsigned long long)p->frame, (unsigned long long)mc->id,
				    SF_SLOTS_MAX, (unsigned long long)m->conn);
			s->over++;
			sf = &left_out;
		}
		f->user = sf;
	}
	if (sf == &left_out) {
		/* its tags may still say what the connection is */
		struct mps_conn *lc = conn_find(s, t->mpconn);
		if (lc)
			on_state(lc, t, now);
		return;
	}
	struct mps_conn *mc = sf->mc;
	on_state(mc, t, now);
	int d = sf->role == DIR_C2S ? m->dir : !m->dir;
	if (now > mc->last_ns)
		mc->last_ns = now;
	if (now < mc->prev_ns)
		mc->ts_back++;
	mc->prev_ns = now;
	if (now > sf->last_ns)
		sf->last_ns = now;
	mc->d[d].pkts++;
	on_tcp(sf, d, m->dir, p, now);
	on_options(s, mc, sf, d, m->dir, p, t, now);
	on_data(s, mc, sf, d, p, t, now);
	if (t->has_dack) {
		on_dack(s, mc, !d, sf->index, t->dack64, now);
		int ws = sf->d[d].win_shift;
		if (ws >= 0 && (p->flags & (TH_ACK | TH_SYN)) == TH_ACK)
			stall_on_window(&mc->d[!d], t->dack64, (uint64_t)p->win << ws, now);
	}
}

void mps_finish(struct mps *s)
{
	flowtab_finish(&s->flows);
	if (s->over)
		warnx("%llu TCP connection%s beyond %d subflows per MPTCP connection left out",
		    (unsigned long long)s->over, s->over == 1 ? "" : "s", SF_SLOTS_MAX);
	if (s->pend_over)
		warnx("%llu mapping%s without an RTT sample: %d were waiting for a DATA_ACK",
		    (unsigned long long)s->pend_over, s->pend_over == 1 ? "" : "s", PEND_MAX);
	if (s->hol_over)
		warnx("%llu data segment%s without a head-of-line delay: %d were waiting for "
		    "a DATA_ACK", (unsigned long long)s->hol_over, s->hol_over == 1 ? "" : "s",
		    HOL_MAX);
	free(s->tab);
	s->tab = NULL;
}
