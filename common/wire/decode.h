/* Link, IP and TCP decoding of one captured frame into a struct pkt. */
#ifndef DECODE_H
#define DECODE_H
#include <stdint.h>
#include "pkt.h"

enum skip_reason {
	DECODED,
	SKIP_NON_IP,       /* link payload is not IPv4/IPv6 */
	SKIP_NON_TCP,      /* IP payload is not TCP (or hidden behind ESP) */
	SKIP_IP_FRAGMENT,  /* a fragment: the TCP header is not all there */
	SKIP_TRUNCATED,    /* cut by the snap length before the TCP header ends */
	SKIP_BAD_IP,       /* inconsistent IP header */
	SKIP_BAD_TCP,      /* inconsistent TCP header */
	SKIP_BAD_TIME,     /* a timestamp no 64-bit nanosecond count holds */
	SKIP_FILTERED,     /* rejected by the BPF filter (-b) */
	SKIP_OUT_OF_WINDOW, /* outside the time window (-A, -B) */
	SKIP_NREASONS
};

extern const char *const skip_reason_name[SKIP_NREASONS];

/* 1 if pcap link type dlt can be decoded. */
int decode_link_supported(int dlt);

/* Decodes the frame of wirelen bytes, caplen of them captured; fills p
 * (except frame and timestamp) on DECODED. */
enum skip_reason decode_frame(int dlt, const uint8_t *data, uint32_t caplen,
    uint32_t wirelen, struct pkt *p);

/* Parses the TCP options in [opt, opt + n) into p. */
void decode_tcp_options(const uint8_t *opt, uint32_t n, struct pkt *p);

#endif
