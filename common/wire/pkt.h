/* One decoded TCP segment: what pcap2pkt prints and what every filter
 * works on, whether it came from a capture or from a TSV record. */
#ifndef PKT_H
#define PKT_H
#include <stdint.h>

enum tcp_flag {
	TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PUSH = 0x08,
	TH_ACK = 0x10, TH_URG = 0x20, TH_ECE = 0x40, TH_CWR = 0x80,
};

enum mp_subtype {
	MP_CAPABLE, MP_JOIN, MP_DSS, MP_ADD_ADDR, MP_RM_ADDR, MP_PRIO,
	MP_FAIL, MP_FASTCLOSE, MP_TCPRST, MP_NSUBTYPES,
	MP_EXPERIMENTAL = 15,
	MP_NOSUBTYPE = 255, /* option too short to carry a subtype */
};

#define PKT_IFNAME_MAX 64 /* bytes of an interface name kept */
#define PKT_MAX_SACK 4
#define PKT_MAX_MPOPTS 8
#define PKT_MAX_ADD_ADDR 4
#define PKT_MAX_RM_IDS 32

struct mp_capable {
	uint8_t ver, flags;
	uint8_t has_skey, has_rkey, has_dlen, has_csum;
	uint64_t skey, rkey;
	uint16_t dlen, csum;
};

struct mp_join {
	uint8_t has_token, has_nonce, backup, addr_id, hmac_len;
	uint32_t token, nonce;
	uint8_t hmac[20];
};

enum dss_flag {
	DSS_A = 0x01, DSS_a = 0x02, DSS_M = 0x04, DSS_m = 0x08, DSS_F = 0x10,
};

struct mp_dss {
	uint8_t flags;
	uint8_t dack_w, dsn_w; /* 0 when absent, else 4 or 8 */
	uint8_t has_csum, fin;
	uint64_t dack, dsn;
	uint32_t ssn;
	uint16_t dlen, csum;
};

struct mp_add_addr {
	uint8_t ipv, id, echo, has_port, hmac_len;
	uint8_t v0; /* RFC 6824 form: no echo flag */
	uint16_t port;
	uint8_t addr[16];
	uint8_t hmac[8];
};

struct mp_opt_list {
	uint8_t n;
	uint8_t subtype[PKT_MAX_MPOPTS]; /* in wire order */
	uint8_t bad[PKT_MAX_MPOPTS];     /* malformed: fields not trusted */
	uint8_t more;                    /* options beyond PKT_MAX_MPOPTS */
};

struct pkt {
	uint64_t frame;
	int64_t ts_sec;
	uint32_t ts_frac;  /* micro- or nanoseconds */
	uint8_t ts_digits; /* 6 or 9 */
	int64_t ifindex;   /* the link header's interface index (Linux cooked
	                    * v2); -1 when it has none */
	const char *ifname; /* the pcapng interface's if_name, at most
	                     * PKT_IFNAME_MAX bytes; NULL when none */

	uint8_t ipv, ttl;
	uint8_t src[16], dst[16];
	int32_t ip_id; /* -1: IPv6 */
	uint32_t ip_len, len;
	uint16_t sport, dport, win;
	uint8_t flags;
	uint32_t seq, ack;

	/* TCP options; -1 / 0 when absent */
	int32_t mss;
	int16_t wscale;
	uint8_t sack_perm, has_ts, nsack;
	uint32_t tsval, tsecr;
	uint32_t sack[PKT_MAX_SACK][2];
	uint8_t opt_bad; /* TCP options malformed or cut by the snap length */
	/* the IP length claimed more bytes than the frame carried on the wire:
	 * ip_len and len were cut to the frame (no payload is invented) */
	uint8_t ip_len_cut;
	uint32_t wire_extra; /* decoding: bytes the frame had beyond the capture */

	/* MPTCP: mp.n == 0 when no MPTCP option; have is a bit per subtype */
	struct mp_opt_list mp;
	uint32_t have;
	struct mp_capable cap;
	struct mp_join join;
	struct mp_dss dss;
	uint8_t n_add_addr;
	struct mp_add_addr add_addr[PKT_MAX_ADD_ADDR];
	uint8_t n_rm;
	uint8_t rm_ids[PKT_MAX_RM_IDS];
	uint8_t prio_backup;
	int16_t prio_id; /* -1: absent */
	uint64_t fail_dsn;
	uint64_t fclose_key;
	uint8_t tcprst_reason, tcprst_flags;

	/* first captured payload bytes (pcap2pkt -x) */
	const uint8_t *payload;
	uint32_t payload_caplen;
};

#define PKT_HAS(p, st) (((p)->have >> (st)) & 1u)



/* Capture time in nanoseconds since the epoch. */
static inline int64_t pkt_time_ns(const struct pkt *p)
{
	return p->ts_sec * 1000000000LL +
	    (p->ts_digits == 9 ? (int64_t)p->ts_frac : (int64_t)p->ts_frac * 1000);
}
#endif
