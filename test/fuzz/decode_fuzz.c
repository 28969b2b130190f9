/* libFuzzer target: any bytes as a frame of any supported link type must
 * decode or be skipped without reading out of bounds, and a decoded
 * segment must format into a record. The first byte picks the link type
 * and how many bytes the frame had beyond the capture (a snap length). */
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "out.h"
#include "pktfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int link_types[] = { 0, 1, 9, 12, 101, 104, 108, 113, 228, 229, 276 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt_writer w;
	static struct out o = { .fd = -1 };
	static int ready;
	const char *bad;
	size_t badlen;

	if (!ready) {
		pkt_writer_init(&w, NULL, 64, &bad, &badlen);
		ready = 1;
	}
	if (size < 1)
		return 0;
	size_t nlt = sizeof link_types / sizeof link_types[0];
	int dlt = link_types[data[0] % nlt];
	uint32_t caplen = (uint32_t)(size - 1), extra = (uint32_t)(data[0] / nlt) * 64;
	struct pkt p = { 0 };
	if (decode_frame(dlt, data + 1, caplen, caplen + extra, &p) == DECODED) {
		o.len = 0;
		pkt_writer_record(&w, &o, &p);
	}
	return 0;
}
