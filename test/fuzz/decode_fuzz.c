/* libFuzzer target: any bytes as a frame of any supported link type must
 * decode or be skipped without reading out of bounds, and a decoded
 * segment must format into a record, whatever columns pcap2pkt -c and -x
 * ask for. Input: link type (index), a byte whose low two bits pick the
 * -x choice and whose other bits how many bytes the frame had beyond the
 * capture (a snap length, in steps of 64), number of -c columns (0: all),
 * that many column bytes, then the frame. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "out.h"
#include "pktfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int link_types[] = { 0, 1, 9, 12, 101, 104, 108, 113, 228, 229, 276 };
static const unsigned payload_max[] = { 0, 1, 64, 4096 };

static struct out o;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	if (!o.fd)
		o.fd = open("/dev/null", O_WRONLY);
	int dlt = link_types[data[0] % (sizeof link_types / sizeof link_types[0])];
	unsigned px = payload_max[data[1] % 4];
	uint32_t extra = (uint32_t)(data[1] / 4) * 64;
	size_t want = data[2] % 16, ncols = 0, off = 3;
	/* the -c list: names of the chosen columns, repeats allowed */
	char spec[16 * 24] = "";
	for (; ncols < want && off < size; ncols++, off++) {
		if (ncols)
			strcat(spec, ",");
		strcat(spec, pkt_col_name[data[off] % PKT_NCOLS]);
	}
	struct pkt_writer w;
	const char *bad;
	size_t badlen;
	if (pkt_writer_init(&w, ncols ? spec : NULL, px, &bad, &badlen) < 0)
		__builtin_trap(); /* every name in the list is a column */
	struct pkt p;
	memset(&p, 0, sizeof p);
	uint32_t caplen = (uint32_t)(size - off);
	if (decode_frame(dlt, data + off, caplen, caplen + extra, &p) == DECODED) {
		/* into exactly the room the writer says a record may need: ASan
		 * reports any byte written past it */
		char *room = malloc(w.max_record);
		char *end = pkt_writer_put(&w, room, &p);
		if (end[-1] != '\n')
			__builtin_trap();
		free(room);
		o.len = 0;
		pkt_writer_record(&w, &o, &p);
	}
	pkt_writer_free(&w);
	return 0;
}
