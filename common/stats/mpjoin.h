/* MPTCP connection reconstruction (RFC 6824 v0, RFC 8684 v1): groups the
 * TCP connections of a packet stream into MPTCP connections and subflows,
 * and widens DSN / DATA_ACK to 64 bits. Shared by mptcp-join (which prints
 * what it finds) and mptcp-metrics (which runs it in-process when it reads
 * a capture directly), so both give the same answers.
 *
 * Lifetime: a subflow's state lives in a flow table keyed by the TCP
 * connection id, ended by the same rules as flowsplit's; an MPTCP
 * connection lives until its last subflow ended, then it is handed to a
 * callback and freed, so memory follows the concurrent connections. */
#ifndef MPJOIN_H
#define MPJOIN_H
#include <stdint.h>
#include <string.h>
#include "columns.h"
#include "flow.h"
#include "out.h"
#include "pkt.h"
#include "source.h"

/* Keys -> token and IDSN: the first 32 and the last 64 bits of SHA-1 (v0)
 * or SHA-256 (v1) of the key as 8 big-endian bytes. */
void mp_key_hash(int version, uint64_t key, uint32_t *token, uint64_t *idsn);

/* MP_JOIN HMAC (RFC 6824 / 8684 s3.2): HMAC(key_a || key_b, r_a || r_b)
 * with SHA-1 (v0) or SHA-256 (v1), all values big-endian; out gets 20
 * bytes (the leftmost 160 bits). */
void mp_join_hmac(int version, uint64_t key_a, uint64_t key_b, uint32_t r_a,
    uint32_t r_b, uint8_t out[20]);

/* The value with the low 32 bits lo that is nearest to ref (mod 2^64). */
uint64_t mp_widen32(uint64_t ref, uint32_t lo);

/* Subflows one MPTCP connection may have over its life (RFC 8684 sets no
 * limit; Linux keeps at most 8 at a time). A join beyond it is left
 * untagged (plain TCP), counted and warned about: the bound keeps a
 * connection that never ends, while joins keep coming, from growing
 * without end here and in mptcp-metrics (which refuses a larger index). */
#define MPJ_MAX_SUBFLOWS 4096

enum mpj_status {
	MPJ_ESTABLISHED, MPJ_FALLBACK, MPJ_FAILED_NO_SYNACK, MPJ_FAILED_NO_ACK,
	MPJ_FAILED_RST, MPJ_FAILED_TCPRST, MPJ_UNKNOWN_TOKEN, MPJ_MIDSTREAM,
	MPJ_FASTCLOSE,
};

/* An MPTCP connection's status, as mptcp-metrics' status column gives it
 * and mptcp-join's mpstatus tag says it (conn_status in mpjoin.c). */
enum mpj_conn_status {
	MPJ_CS_OK, MPJ_CS_FALLBACK, MPJ_CS_FAILED, MPJ_CS_MIDSTREAM, MPJ_CS_UNKNOWN_TOKEN,
	MPJ_CS_N
};
/* The words: ok, fallback, failed, midstream, unknown_token. */
extern const char *const mpj_conn_status_name[MPJ_CS_N];

enum mpj_close { MPJ_CLOSE_NONE, MPJ_CLOSE_FIN, MPJ_CLOSE_RST, MPJ_CLOSE_TCPRST,
	MPJ_CLOSE_FASTCLOSE };

struct mpj_conn;

/* One subflow (a TCP connection carrying MP_CAPABLE or MP_JOIN, or MPTCP
 * options without a captured handshake). Owned by its connection. */
struct mpj_sf {
	struct mpj_conn *mc;
	uint64_t conn;
	int index;                    /* 0 = the first subflow */
	uint8_t role;                 /* DIR_C2S: opened by the MPTCP client */
	uint8_t ipv;
	uint8_t c_addr[16], s_addr[16]; /* TCP client / server of the subflow */
	uint16_t c_port, s_port;
	uint8_t is_join, syn, synack, established, midstream, unknown_token;
	uint8_t synack_no_mp;         /* SYN/ACK without MP_CAPABLE/MP_JOIN */
	uint8_t infinite;             /* an infinite mapping was seen */
	uint8_t fastclose;            /* carried an MP_FASTCLOSE */
	uint8_t rst, tcprst, tcprst_reason, fin;
	uint8_t tcprst_dir;           /* the side whose MP_TCPRST reason is kept */
	uint8_t backup0, backup;      /* MP_JOIN SYN B flag; latest (MP_PRIO) */
	int16_t c_id, s_id;           /* address ids (-1 unknown) */
	uint8_t backup_known;         /* 1: initial value (SYN) seen, 2: MP_PRIO seen */
	uint8_t has_nonce_c, has_nonce_s, hmac_s_len, hmac_c_len;
	uint32_t nonce_c, nonce_s;    /* nonces of the TCP client / server */
	uint8_t hmac_s[8], hmac_c[20]; /* SYN/ACK's and third ACK's HMACs */
	uint32_t join_token;
	int64_t first_ns, last_ns;
	int64_t ifindex;              /* of the first packet; -1: none */
	char ifname[PKT_IFNAME_MAX + 1]; /* of the first packet; "": none */
	uint8_t ts_digits;
	struct mpj_sf *next;          /* connection's list, by index */
};

struct mpj_conn {
	uint64_t id;
	uint8_t version, has_version;
	uint8_t ver_synack;           /* a SYN/ACK with MP_CAPABLE: its version holds */
	uint8_t has_key[2];           /* [DIR_C2S]: the MPTCP client's key */
	uint64_t key[2];
	uint8_t has_token[2];
	uint32_t token[2];
	uint64_t idsn[2];
	uint8_t ref_known[2];
	uint64_t ref[2];              /* highest 64-bit DSN per data space */
	/* per data space, the base of relative DSNs (mptcp-pair's tables):
	 * fixed at the first DSN or DATA_ACK widened, the IDSN when the key
	 * is known then (IDSN + 1, the first data byte, is 1), else that
	 * value - 1; mptcp-metrics' rel_fix follows the same rule */
	uint8_t rel_known[2];
	uint64_t rel_base[2];
	uint8_t unknown_token, midstream, fallback, fastclose;
	/* what the status (conn_status) is made of: subflow 0 carried a SYN,
	 * a SYN/ACK (either way); a DSS had an infinite mapping */
	uint8_t syn0, synack0, infinite;
	/* the tags not yet written: side d's token and IDSN changed; the
	 * status last written (MPJ_CS_N: none yet) */
	uint8_t key_news[2], said_status;
	int64_t first_ns;             /* first packet of subflow 0 */
	uint8_t ts_digits;
	int nsub, live;
	uint64_t over;                /* joins refused: MPJ_MAX_SUBFLOWS reached */
	struct mpj_sf *sfs, *last;    /* live subflows; ended ones too with -s */
	struct mpj_tok {              /* token table entry per side */
		struct mpj_tok *next;
		struct mpj_conn *mc;
		uint32_t token;
		uint8_t side, used;
	} tok[2];
};

/* What the engine says about one packet: its tags, which mptcp-metrics
 * takes from here (a capture read directly) or parses from mptcp-join's
 * columns into the same struct. The connection's state (version, status,
 * tokens, IDSNs) is known here alone; the version comes with every
 * tagged packet, the rest only with the packet on which it changed (first
 * known or different), so a reader keeps the last value given. */
struct mpj_res {
	uint64_t mpconn;     /* 0: not (yet) part of an MPTCP connection */
	int subflow;
	int mpdir;           /* DIR_C2S: sent by the MPTCP client */
	uint8_t has_dsn, has_dack;
	uint64_t dsn64, dack64;
	uint8_t has_version, version;
	uint8_t has_status;  /* the status changed: status is the new one */
	uint8_t status;      /* enum mpj_conn_status */
	uint8_t keyed[2];    /* [DIR_C2S]: the client's token and IDSN changed */
	uint32_t token[2];
	uint64_t idsn[2];
	struct mpj_sf *sf;   /* NULL when parsed from records */
};

typedef void (*mpj_end_fn)(struct mpj_conn *mc, void *ctx);

struct mpj {
	struct flowtab subflows;      /* TCP conn id -> struct mpj_sf or marker */
	struct mpj_tok **tok;         /* token hash */
	size_t ntok, tokcount;
	uint64_t next_id;
	uint64_t over;                /* joins refused, all connections */
	mpj_end_fn on_end;            /* NULL: ended subflows are freed at once */
	void *ctx;
};

void mpj_init(struct mpj *j, const struct flow_opts *fo, mpj_end_fn on_end, void *ctx);
/* Runs one packet (in input order) and fills r. */
void mpj_packet(struct mpj *j, const struct pkt *p, const struct pkt_meta *m,
    struct mpj_res *r);
/* Ends every remaining connection (end of input). */
void mpj_finish(struct mpj *j);

/* A subflow's identity: the first columns of both subflow tables
 * (mptcp-join -s, mptcp-metrics -s), defined once. In the writers, mc is
 * the connection, sf the subflow (its conn, ipv, c_addr, c_port, s_addr,
 * s_port) and index the expression of its index in the connection. */
#define MP_SF_IDENT_COLUMNS(X, index) \
	X(mpconn, ID, "-", "MPTCP connection id", out_u64(o, mc->id)) \
	X(subflow, ID, "-", "subflow index in its connection, 0 first", \
	    out_u64(o, (uint64_t)(index))) \
	X(conn, ID, "-", "TCP connection id from flowsplit", out_u64(o, sf->conn)) \
	X(ipv, INT, "-", "IP version, 4 or 6", out_u64(o, sf->ipv)) \
	X(c_addr, ADDR, "-", "the subflow's TCP client address", out_addr(o, sf->ipv, sf->c_addr)) \
	X(c_port, PORT, "-", "its TCP client port", out_u64(o, sf->c_port)) \
	X(s_addr, ADDR, "-", "its TCP server address", out_addr(o, sf->ipv, sf->s_addr)) \
	X(s_port, PORT, "-", "its TCP server port", out_u64(o, sf->s_port))

/* The subflow table (columns: mpj_sf_def). */
extern const struct record_def mpj_sf_def;
void mpj_sf_header(struct out *o);
void mpj_sf_rows(struct out *o, const struct mpj_conn *mc);
/* The tags of the packet records (r: the engine's result). */
#define MPJ_TAG_COLUMNS(X) \
	X(mpconn, ID, "-", "MPTCP connection id", w = put_u64(w, r->mpconn)) \
	X(subflow, ID, "-", "subflow index in its connection, 0 first", \
	    w = put_u64(w, (uint64_t)r->subflow)) \
	X(dsn64, ID, "-", "the mapping's data sequence number, widened to 64 bits", \
	    w = mpj_put_opt_u64(w, r->has_dsn, r->dsn64)) \
	X(dack64, ID, "-", "the DATA_ACK, widened to 64 bits", \
	    w = mpj_put_opt_u64(w, r->has_dack, r->dack64)) \
	X(mpdir, TEXT, "-", "c2s or s2c: sent by the MPTCP client or server", \
	    memcpy(w, r->mpdir == DIR_C2S ? "c2s" : "s2c", 3); w += 3) \
	X(mpver, INT, "-", "the connection's MPTCP version, 0 (RFC 6824) or 1 (RFC 8684)", \
	    w = mpj_put_opt_u64(w, r->has_version, r->version)) \
	X(mpstatus, TEXT, "-", "the connection's status when it changed: ok, fallback, " \
	    "failed, midstream or unknown_token", \
	    w = mpj_put_status(w, r)) \
	X(c_token, HEX, "-", "the client's token when it changed, 0x and 8 hex digits", \
	    w = mpj_put_opt_idhex(w, r->keyed[DIR_C2S], r->token[DIR_C2S], 8)) \
	X(s_token, HEX, "-", "the server's token when it changed, 0x and 8 hex digits", \
	    w = mpj_put_opt_idhex(w, r->keyed[DIR_S2C], r->token[DIR_S2C], 8)) \
	X(c_idsn, HEX, "-", "the client's IDSN when it changed, 0x and 16 hex digits", \
	    w = mpj_put_opt_idhex(w, r->keyed[DIR_C2S], r->idsn[DIR_C2S], 16)) \
	X(s_idsn, HEX, "-", "the server's IDSN when it changed, 0x and 16 hex digits", \
	    w = mpj_put_opt_idhex(w, r->keyed[DIR_S2C], r->idsn[DIR_S2C], 16))

/* The tag columns' positions in the table (a reader binds them by the
 * names of mpj_tag_part, in this order). */
#define MPJ_TAG_ENUM(name, type, unit, meaning, emit) MPJ_TAG_##name,
enum mpj_tag_col { MPJ_TAG_COLUMNS(MPJ_TAG_ENUM) MPJ_NTAGS };
#undef MPJ_TAG_ENUM

extern const struct col_part mpj_tag_part;

static inline char *mpj_put_opt_u64(char *w, int have, uint64_t v)
{
	if (!have) {
		*w = '-';
		return w + 1;
	}
	return put_u64(w, v);
}

static inline char *mpj_put_opt_idhex(char *w, int have, uint64_t v, int ndig)
{
	if (!have) {
		*w = '-';
		return w + 1;
	}
	return hex_fixed(w, v, ndig);
}

static inline char *mpj_put_status(char *w, const struct mpj_res *r)
{
	if (!r->has_status) {
		*w = '-';
		return w + 1;
	}
	const char *st = mpj_conn_status_name[r->status];
	size_t n = strlen(st);
	memcpy(w, st, n);
	return w + n;
}

/* The most a tagged packet's tags take: 11 tabs, a newline, four numbers
 * of 20 digits, mpdir, the version, the longest status word, two tokens
 * and two IDSNs, and the byte put_u64 may touch past a 3-digit number. */
#define MPJ_TAGS_MAX (12 + 4 * 20 + 3 + 20 + 16 + 2 * 10 + 2 * 18 + 1)

/* The tag columns' writer (per packet): tab-led, newline-ended; dashes
 * for a packet of no MPTCP connection. Made from MPJ_TAG_COLUMNS, whose
 * emitters write at a cursor (the per-packet cost of mptcp-join). */
static inline void mpj_tags_write(struct out *o, const struct mpj_res *r)
{
	static const char untagged[] = "\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\n";
	_Static_assert(sizeof untagged - 2 == 2 * MPJ_NTAGS, "a dash per tag");
	if (!r->mpconn) {
		out_mem(o, untagged, sizeof untagged - 1);
		return;
	}
	out_room(o, MPJ_TAGS_MAX);
	char *w = o->buf + o->len;
	MPJ_TAG_COLUMNS(COL_EMIT_AT)
	*w++ = '\n';
	o->len = (size_t)(w - o->buf);
}

/* Final status of a subflow as printed ("failed_tcprst_3", ...). */
void mpj_status_str(const struct mpj_sf *sf, char *buf, size_t n);

#endif
