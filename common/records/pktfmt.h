/* The packet record: column names (the pcap2pkt contract, see
 * man/pcap2pkt.1) and their formatting from a struct pkt. */
#ifndef PKTFMT_H
#define PKTFMT_H
#include "columns.h"
#include "out.h"
#include "pkt.h"

/* X(ID, name, TYPE, unit, meaning): the columns in record order; the
 * writer's switch (pktfmt.c) is keyed by the enum made from ID, and the
 * per-column writers of a -c list are made from this table. */
#define PKT_COLUMNS(X) \
	X(FRAME, "frame", ID, "-", "frame number in the capture, from 1") \
	X(TS, "ts", TS, "s", "capture time") \
	X(IFINDEX, "ifindex", INT, "-", "interface index of the Linux cooked v2 header") \
	X(IFNAME, "ifname", TEXT, "-", "pcapng interface name (if_name)") \
	X(IPV, "ipv", INT, "-", "IP version, 4 or 6") \
	X(SRC, "src", ADDR, "-", "source address") \
	X(DST, "dst", ADDR, "-", "destination address") \
	X(SPORT, "sport", PORT, "-", "source port") \
	X(DPORT, "dport", PORT, "-", "destination port") \
	X(IP_ID, "ip_id", ID, "-", "IPv4 identification") \
	X(TTL, "ttl", COUNT, "hops", "IPv4 TTL or IPv6 hop limit") \
	X(IP_LEN, "ip_len", COUNT, "bytes", "IP total length") \
	X(LEN, "len", COUNT, "bytes", "TCP payload length") \
	X(FLAGS, "flags", TEXT, "-", "TCP flags as letters FSRPAUEC") \
	X(SEQ, "seq", ID, "-", "sequence number") \
	X(ACK, "ack", ID, "-", "acknowledgement number") \
	X(WIN, "win", COUNT, "-", "window field, not scaled") \
	X(MSS, "mss", COUNT, "bytes", "MSS option") \
	X(WSCALE, "wscale", COUNT, "-", "window scale option") \
	X(SACK_PERM, "sack_perm", BOOL, "-", "SACK-permitted option present") \
	X(SACK, "sack", TEXT, "-", "SACK blocks left-right, comma-separated") \
	X(TSVAL, "tsval", ID, "-", "timestamp option value") \
	X(TSECR, "tsecr", ID, "-", "timestamp option echo reply") \
	X(MPTCP, "mptcp", TEXT, "-", "MPTCP option subtypes in wire order") \
	X(MPC_VER, "mpc_ver", INT, "-", "MP_CAPABLE version") \
	X(MPC_FLAGS, "mpc_flags", INT, "-", "MP_CAPABLE flags byte") \
	X(MPC_SKEY, "mpc_skey", HEX, "-", "MP_CAPABLE first (sender's) key") \
	X(MPC_RKEY, "mpc_rkey", HEX, "-", "MP_CAPABLE second (receiver's) key") \
	X(MPC_DLEN, "mpc_dlen", COUNT, "bytes", "MP_CAPABLE data-level length") \
	X(MPC_CSUM, "mpc_csum", ID, "-", "MP_CAPABLE checksum") \
	X(MPJ_TOKEN, "mpj_token", HEX, "-", "MP_JOIN token") \
	X(MPJ_NONCE, "mpj_nonce", HEX, "-", "MP_JOIN nonce") \
	X(MPJ_ID, "mpj_id", ID, "-", "MP_JOIN address id") \
	X(MPJ_BACKUP, "mpj_backup", BOOL, "-", "MP_JOIN backup flag") \
	X(MPJ_HMAC, "mpj_hmac", HEX, "-", "MP_JOIN HMAC") \
	X(DSS_FLAGS, "dss_flags", INT, "-", "DSS flags byte") \
	X(DACK, "dack", ID, "-", "data ACK as on the wire") \
	X(DACK_W, "dack_w", COUNT, "bytes", "data ACK width, 4 or 8") \
	X(DSN, "dsn", ID, "-", "data sequence number of the mapping as on the wire") \
	X(DSN_W, "dsn_w", COUNT, "bytes", "data sequence number width, 4 or 8") \
	X(SSN, "ssn", ID, "-", "subflow sequence number of the mapping") \
	X(DLEN, "dlen", COUNT, "bytes", "data-level length of the mapping") \
	X(DSS_CSUM, "dss_csum", ID, "-", "DSS checksum") \
	X(DATA_FIN, "data_fin", BOOL, "-", "DSS DATA_FIN flag") \
	X(AA_ID, "aa_id", TEXT, "-", "ADD_ADDR address ids") \
	X(AA_ADDR, "aa_addr", TEXT, "-", "ADD_ADDR addresses") \
	X(AA_PORT, "aa_port", TEXT, "-", "ADD_ADDR ports") \
	X(AA_ECHO, "aa_echo", TEXT, "-", "ADD_ADDR echo flags") \
	X(AA_HMAC, "aa_hmac", TEXT, "-", "ADD_ADDR truncated HMACs in hex") \
	X(RM_IDS, "rm_ids", TEXT, "-", "REMOVE_ADDR address ids") \
	X(PRIO_BACKUP, "prio_backup", BOOL, "-", "MP_PRIO backup flag") \
	X(PRIO_ID, "prio_id", ID, "-", "MP_PRIO address id") \
	X(FAIL_DSN, "fail_dsn", ID, "-", "MP_FAIL data sequence number") \
	X(FCLOSE_KEY, "fclose_key", HEX, "-", "MP_FASTCLOSE receiver's key") \
	X(TCPRST_REASON, "tcprst_reason", INT, "-", "MP_TCPRST reason code") \
	X(TCPRST_FLAGS, "tcprst_flags", INT, "-", "MP_TCPRST flags") \
	X(PAYLOAD, "payload", HEX, "-", "first payload bytes (-x)")

#define PKT_COL_ENUM(id, name, type, unit, meaning) COL_##id,
enum pkt_col { PKT_COLUMNS(PKT_COL_ENUM) PKT_NCOLS };
#undef PKT_COL_ENUM

extern const char *const pkt_col_name[PKT_NCOLS];
/* Each column's name, type, unit and meaning, for schemas. */
extern const struct column pkt_col_def[PKT_NCOLS];

/* pcap2pkt's default record: every column but the payload. */
extern const struct col_part pkt_default_part;

/* Column index by name, or -1. */
int pkt_col_lookup(const char *name, size_t len);

/* The first column that belongs to an MPTCP option group, in table order;
 * columns from here to COL_TCPRST_FLAGS are "-" on plain TCP segments. */
#define PKT_FIRST_MP_FIELD COL_MPC_VER
#define PKT_LAST_MP_FIELD COL_TCPRST_FLAGS

/* TCP flags as letters F S R P A U E C ("." when none). */
void pkt_format_flags(struct out *o, uint8_t flags);


/* A chosen list of columns, written record by record through a plan of
 * segments made once, a call each. Columns are grouped by MPTCP option
 * subtype: the fields of an option a segment does not carry are written
 * as one block of dashes, which keeps records cheap. */
struct pkt_writer;
struct pkt_segment;
/* Writes a segment's columns, each ended by a tab. */
typedef char *pkt_put_fn(char *w, const struct pkt *p, const struct pkt_writer *pw,
    const struct pkt_segment *seg);
struct pkt_segment {
	pkt_put_fn *put;
	uint8_t group;      /* 0: one column; else 1 + MPTCP subtype */
	uint8_t start, len; /* positions in cols */
};

/* Columns a -c list may name, repeats included. */
#define PKT_MAX_CHOSEN (2 * PKT_NCOLS)

struct pkt_writer {
	int ncols;
	enum pkt_col cols[PKT_MAX_CHOSEN];
	unsigned payload_max;
	int nseg;
	struct pkt_segment seg[PKT_MAX_CHOSEN];
	char dashes[2 * PKT_MAX_CHOSEN];
	size_t max_record; /* bytes a record may take at most, for these columns */
	int is_default;    /* all columns in table order */
	char *big;         /* a record's room when it may exceed the output buffer */
};

/* spec: comma-separated column names, or NULL for all (payload only when
 * payload_max > 0). Returns -1 and names the bad column in *bad, or -2
 * when the list has more than PKT_MAX_CHOSEN columns (*bad: the first
 * one too many). */
int pkt_writer_init(struct pkt_writer *w, const char *spec, unsigned payload_max,
    const char **bad, size_t *badlen);
void pkt_writer_free(struct pkt_writer *w);
void pkt_writer_header(const struct pkt_writer *w, struct out *o);
/* The chosen columns' schema (see record_schema). */
void pkt_writer_schema(const struct pkt_writer *w, struct out *o);
/* Writes the record, ended by a newline. */
void pkt_writer_record(const struct pkt_writer *w, struct out *o, const struct pkt *p);
/* The same into memory at w, which must have w->max_record bytes free;
 * returns the end of the record. */
char *pkt_writer_put(const struct pkt_writer *pw, char *w, const struct pkt *p);

#endif
