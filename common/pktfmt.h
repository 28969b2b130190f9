/* The packet record: column names (the pcap2pkt contract, see
 * man/pcap2pkt.1) and their formatting from a struct pkt. */
#ifndef PKTFMT_H
#define PKTFMT_H
#include "out.h"
#include "pkt.h"

#define PKT_COLUMNS(X) \
	X(FRAME, "frame") X(TS, "ts") X(IFINDEX, "ifindex") X(IFNAME, "ifname") X(IPV, "ipv") X(SRC, "src") X(DST, "dst") \
	X(SPORT, "sport") X(DPORT, "dport") X(IP_ID, "ip_id") X(TTL, "ttl") \
	X(IP_LEN, "ip_len") X(LEN, "len") X(FLAGS, "flags") X(SEQ, "seq") \
	X(ACK, "ack") X(WIN, "win") X(MSS, "mss") X(WSCALE, "wscale") \
	X(SACK_PERM, "sack_perm") X(SACK, "sack") X(TSVAL, "tsval") \
	X(TSECR, "tsecr") X(MPTCP, "mptcp") \
	X(MPC_VER, "mpc_ver") X(MPC_FLAGS, "mpc_flags") X(MPC_SKEY, "mpc_skey") \
	X(MPC_RKEY, "mpc_rkey") X(MPC_DLEN, "mpc_dlen") X(MPC_CSUM, "mpc_csum") \
	X(MPJ_TOKEN, "mpj_token") X(MPJ_NONCE, "mpj_nonce") X(MPJ_ID, "mpj_id") \
	X(MPJ_BACKUP, "mpj_backup") X(MPJ_HMAC, "mpj_hmac") \
	X(DSS_FLAGS, "dss_flags") X(DACK, "dack") X(DACK_W, "dack_w") \
	X(DSN, "dsn") X(DSN_W, "dsn_w") X(SSN, "ssn") X(DLEN, "dlen") \
	X(DSS_CSUM, "dss_csum") X(DATA_FIN, "data_fin") \
	X(AA_ID, "aa_id") X(AA_ADDR, "aa_addr") X(AA_PORT, "aa_port") \
	X(AA_ECHO, "aa_echo") X(AA_HMAC, "aa_hmac") X(RM_IDS, "rm_ids") \
	X(PRIO_BACKUP, "prio_backup") X(PRIO_ID, "prio_id") \
	X(FAIL_DSN, "fail_dsn") X(FCLOSE_KEY, "fclose_key") \
	X(TCPRST_REASON, "tcprst_reason") X(TCPRST_FLAGS, "tcprst_flags") \
	X(PAYLOAD, "payload")

#define PKT_COL_ENUM(id, name) COL_##id,
enum pkt_col { PKT_COLUMNS(PKT_COL_ENUM) PKT_NCOLS };
#undef PKT_COL_ENUM

extern const char *const pkt_col_name[PKT_NCOLS];

/* Column index by name, or -1. */
int pkt_col_lookup(const char *name, size_t len);

/* The first column that belongs to an MPTCP option group, in table order;
 * columns from here to COL_TCPRST_FLAGS are "-" on plain TCP segments. */
#define PKT_FIRST_MP_FIELD COL_MPC_VER
#define PKT_LAST_MP_FIELD COL_TCPRST_FLAGS

/* TCP flags as letters F S R P A U E C ("." when none). */
void pkt_format_flags(struct out *o, uint8_t flags);


/* A chosen list of columns, written record by record. Columns are
 * grouped by MPTCP option subtype: the fields of an option a segment does
 * not carry are written as one block of dashes, which keeps records cheap. */
struct pkt_segment {
	uint8_t group;      /* 0: per-column; else 1 + MPTCP subtype */
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
/* Writes the record, ended by a newline. */
void pkt_writer_record(const struct pkt_writer *w, struct out *o, const struct pkt *p);
/* The same into memory at w, which must have w->max_record bytes free;
 * returns the end of the record. */
char *pkt_writer_put(const struct pkt_writer *pw, char *w, const struct pkt *p);

#endif
