#include "decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "bytes.h"
#include "mptcp_opt.h"

const char *const skip_reason_name[SKIP_NREASONS] = {
	"decoded", "non_ip", "non_tcp", "ip_fragment", "truncated",
	"bad_ip_header", "bad_tcp_header", "bad_timestamp", "filtered",
	"outside_window",
};

/* Link types not always named by older pcap headers. */
#define LT_LINUX_SLL2 276
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_RAW 101


int decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case LT_LINUX_SLL2:
	case DLT_RAW: case LT_RAW: case LT_IPV4: case LT_IPV6:
	case DLT_NULL: case DLT_LOOP: case DLT_PPP: case DLT_PPP_SERIAL:
	case DLT_C_HDLC:
		return 1;
	}
	return 0;
}

static enum skip_reason decode_ip(const uint8_t *d, uint32_t n, struct pkt *p);

/* Ethertype dispatch, after any 802.1Q / 802.1ad / QinQ tags. */
static enum skip_reason decode_ethertype(uint16_t type, const uint8_t *d,
    uint32_t n, struct pkt *p)
{
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (n < 4)
			return SKIP_TRUNCATED;
		type = rd16(d + 2);
		d += 4;
		n -= 4;
	}
	if (type != 0x0800 && type != 0x86dd)
		return SKIP_NON_IP;
	return decode_ip(d, n, p);
}

/* BSD loopback: address family in host (NULL) or network (LOOP) order. */
static enum skip_reason decode_null(int dlt, const uint8_t *d, uint32_t n,
    struct pkt *p)
{
	if (n < 4)
		return SKIP_TRUNCATED;
	uint32_t af = dlt == DLT_LOOP ? rd32(d) :
	    (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
	if (dlt == DLT_NULL && af > 0xffff) /* written on a big-endian host */
		af = rd32(d);
	switch (af) {
	case 2: case 10: case 24: case 28: case 30:
		return decode_ip(d + 4, n - 4, p);
	}
	return SKIP_NON_IP;
}

/* PPP, optionally with HDLC address/control bytes (ff 03). */
static enum skip_reason decode_ppp(const uint8_t *d, uint32_t n, struct pkt *p)
{
	if (n >= 2 && d[0] == 0xff && d[1] == 0x03) {
		d += 2;
		n -= 2;
	}
	if (n < 1)
		return SKIP_TRUNCATED;
	uint16_t proto;
	if (d[0] & 1) { /* protocol field compressed to one byte */
		proto = d[0];
		d += 1;
		n -= 1;
	} else {
		if (n < 2)
			return SKIP_TRUNCATED;
		proto = rd16(d);
		d += 2;
		n -= 2;
	}
	if (proto == 0x0021 || proto == 0x0057 || proto == 0x0800 || proto == 0x86dd)
		return decode_ip(d, n, p);
	return SKIP_NON_IP;
}

enum skip_reason decode_frame(int dlt, const uint8_t *d, uint32_t n, uint32_t wirelen,
    struct pkt *p)
{
	/* every layer strips the same header from both lengths */
	p->wire_extra = wirelen > n ? wirelen - n : 0;
	p->ip_len_cut = 0;
	p->ifindex = -1;
	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return SKIP_TRUNCATED;
		return decode_ethertype(rd16(d + 12), d + 14, n - 14, p);
	case DLT_LINUX_SLL:
		if (n < 16)
			return SKIP_TRUNCATED;
		return decode_ethertype(rd16(d + 14), d + 16, n - 16, p);
	case LT_LINUX_SLL2:
		if (n < 20)
			return SKIP_TRUNCATED;
		p->ifindex = rd32(d + 4);
		return decode_ethertype(rd16(d), d + 20, n - 20, p);
	case DLT_RAW: case LT_RAW: case LT_IPV4: case LT_IPV6:
		return decode_ip(d, n, p);
	case DLT_NULL: case DLT_LOOP:
		return decode_null(dlt, d, n, p);
	case DLT_PPP: case DLT_PPP_SERIAL: case DLT_C_HDLC:
		return decode_ppp(d, n, p);
	}
	return SKIP_NON_IP;
}

static enum skip_reason decode_tcp(const uint8_t *d, uint32_t n,
    uint32_t ip_payload, struct pkt *p);

static enum skip_reason decode_ipv4(const uint8_t *d, uint32_t n, struct pkt *p)
{
	if (n < 20)
		return SKIP_TRUNCATED;
	uint32_t hl = (uint32_t)(d[0] & 15) * 4, total = rd16(d + 2);
	if (hl < 20 || total < hl)
		return SKIP_BAD_IP;
	if (n < hl)
		return SKIP_TRUNCATED;
	if (total > n + p->wire_extra) {
		/* longer than the frame itself: not a snap-length cut */
		total = n + p->wire_extra;
		p->ip_len_cut = 1;
	}
	uint16_t frag = rd16(d + 6);
	if (frag & 0x3fff) /* MF set or non-zero offset */
		return SKIP_IP_FRAGMENT;
	if (d[9] != 6)
		return SKIP_NON_TCP;
	p->ipv = 4;
	p->ip_id = rd16(d + 4);
	p->ttl = d[8];
	p->ip_len = total;
	memcpy(p->src, d + 12, 4);
	memcpy(p->dst, d + 16, 4);
	return decode_tcp(d + hl, n - hl, total - hl, p);
}

static enum skip_reason decode_ipv6(const uint8_t *d, uint32_t n, struct pkt *p)
{
	if (n < 40)
		return SKIP_TRUNCATED;
	uint32_t payload = rd16(d + 4), off = 40;
	uint8_t next = d[6];
	if (40 + payload > n + p->wire_extra) {
		payload = n + p->wire_extra - 40;
		p->ip_len_cut = 1;
	}
	p->ipv = 6;
	p->ip_id = -1;
	p->ttl = d[7];
	p->ip_len = 40 + payload;
	memcpy(p->src, d + 8, 16);
	memcpy(p->dst, d + 24, 16);
	for (;;) {
		uint32_t ext;
		switch (next) {
		case 6:
			if (off - 40 > payload)
				return SKIP_BAD_IP;
			return decode_tcp(d + off, n - off, payload - (off - 40), p);
		case 0: case 43: case 60: case 135: case 139: case 140:
			if (n < off + 8)
				return SKIP_TRUNCATED;
			ext = ((uint32_t)d[off + 1] + 1) * 8;
			break;
		case 44: /* fragment header: only an atomic fragment is whole */
			if (n < off + 8)
				return SKIP_TRUNCATED;
			if (rd16(d + off + 2) & 0xfff9)
				return SKIP_IP_FRAGMENT;
			ext = 8;
			break;
		case 51: /* AH: length in 4-byte units, minus 2 */
			if (n < off + 8)
				return SKIP_TRUNCATED;
			ext = ((uint32_t)d[off + 1] + 2) * 4;
			break;
		default: /* ESP, no next header, ICMPv6, UDP, ... */
			return SKIP_NON_TCP;
		}
		next = d[off];
		off += ext;
		if (n < off)
			return SKIP_TRUNCATED;
	}
}

static enum skip_reason decode_ip(const uint8_t *d, uint32_t n, struct pkt *p)
{
	if (n < 1)
		return SKIP_TRUNCATED;
	switch (d[0] >> 4) {
	case 4:
		return decode_ipv4(d, n, p);
	case 6:
		return decode_ipv6(d, n, p);
	}
	return SKIP_BAD_IP;
}

static void reset_options(struct pkt *p)
{
	p->mss = -1;
	p->wscale = -1;
	p->sack_perm = p->has_ts = p->nsack = p->opt_bad = 0;
	p->mp.n = p->mp.more = 0;
	p->have = 0;
	p->n_add_addr = p->n_rm = 0;
	p->prio_id = -1;
}

static enum skip_reason decode_tcp(const uint8_t *d, uint32_t n,
    uint32_t ip_payload, struct pkt *p)
{
	if (ip_payload < 20)
		return SKIP_BAD_TCP;
	if (n < 20)
		return SKIP_TRUNCATED;
	uint32_t hl = (uint32_t)(d[12] >> 4) * 4;
	if (hl < 20 || hl > ip_payload)
		return SKIP_BAD_TCP;
	p->sport = rd16(d);
	p->dport = rd16(d + 2);
	p->seq = rd32(d + 4);
	p->ack = rd32(d + 8);
	p->flags = d[13];
	p->win = rd16(d + 14);
	p->len = ip_payload - hl;
	reset_options(p);
	uint32_t optcap = (n < hl ? n : hl) - 20;
	decode_tcp_options(d + 20, optcap, p);
	if (n < hl)
		p->opt_bad = 1;
	p->payload = d + hl;
	p->payload_caplen = n > hl ? n - hl : 0;
	if (p->payload_caplen > p->len)
		p->payload_caplen = p->len; /* Ethernet padding */
	return DECODED;
}

void decode_tcp_options(const uint8_t *o, uint32_t n, struct pkt *p)
{
	uint32_t i = 0;
	/* the common head, NOP NOP timestamps, as the loop would read it */
	if (n >= 12 && o[0] == 1 && o[1] == 1 && o[2] == 8 && o[3] == 10) {
		p->has_ts = 1;
		p->tsval = rd32(o + 4);
		p->tsecr = rd32(o + 8);
		i = 12;
	}
	while (i < n) {
		uint8_t kind = o[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			/* NOPs mostly come in pairs (alignment) */
			i += i + 1 < n && o[i + 1] == 1 ? 2 : 1;
			continue;
		}
		/* no length byte, or a length below 2 that cannot be stepped
		 * over: the list ends here; an MPTCP option is listed as "short!" */
		uint32_t len = i + 1 < n ? o[i + 1] : 0;
		if (len < 2) {
			p->opt_bad = 1;
			if (kind == 30)
				mptcp_opt_bad(o + i, 1, p);
			break;
		}
		if (i + len > n) { /* past the header, or cut by the snap length */
			p->opt_bad = 1;
			if (kind == 30)
				mptcp_opt_bad(o + i, n - i, p);
			break;
		}
		const uint8_t *v = o + i;
		switch (kind) {
		case 2:
			if (len == 4)
				p->mss = rd16(v + 2);
			else
				p->opt_bad = 1;
			break;
		case 3:
			if (len == 3)
				p->wscale = v[2];
			else
				p->opt_bad = 1;
			break;
		case 4:
			p->sack_perm = 1;
			break;
		case 5:
			for (uint32_t j = 2; j + 8 <= len && p->nsack < PKT_MAX_SACK; j += 8) {
				p->sack[p->nsack][0] = rd32(v + j);
				p->sack[p->nsack][1] = rd32(v + j + 4);
				p->nsack++;
			}
			break;
		case 8:
			if (len == 10) {
				p->has_ts = 1;
				p->tsval = rd32(v + 2);
				p->tsecr = rd32(v + 6);
			} else {
				p->opt_bad = 1;
			}
			break;
		case 30:
			mptcp_opt_parse(v, len, p);
			break;
		}
		i += len;
	}
}
