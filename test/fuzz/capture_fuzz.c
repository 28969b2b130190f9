/* libFuzzer target: any bytes as a capture file (pcap, pcapng, gzip of
 * either) must be read to its end or to a reported fault, every segment
 * decoded and formatted, never read out of bounds: libpcap, the zlib
 * layer, the pcapng block follower and the fault's offset (capture.c),
 * the selection (-b compiled for the file's link type, -A/-B windows
 * relative to the first frame; one of three by the input's size) and
 * the decoder. */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"
#include "out.h"
#include "pktfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reader's messages (a cut file, a bad block) are expected here. */
void warnx(const char *fmt, ...)
{
	(void)fmt;
}

void warn(const char *fmt, ...)
{
	(void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt_writer w;
	static struct out o;
	static int ready;
	char path[64];
	if (!ready) {
		const char *bad;
		size_t badlen;
		pkt_writer_init(&w, NULL, 64, &bad, &badlen);
		o.fd = open("/dev/null", O_WRONLY);
		ready = 1;
	}
	int fd = memfd_create("capture", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	static struct capture_sel sel[3];
	static int sel_ready;
	if (!sel_ready) {
		capture_sel_filter(&sel[1], "tcp or ip6");
		capture_sel_filter(&sel[2], "not port 22 and not (ip and tcp[13] & 7 != 0)");
		capture_sel_time(&sel[2], 1, "-A", "+0.5");
		capture_sel_time(&sel[2], 0, "-B", "+3600.000000001");
		sel_ready = 1;
	}
	struct capture cap;
	memset(&cap, 0, sizeof cap);
	cap.sel = size % 3 ? &sel[size % 3] : NULL;
	struct pkt p;
	if (capture_open(&cap, path) == 0) {
		while (capture_next(&cap, &p)) {
			o.len = 0;
			pkt_writer_record(&w, &o, &p);
		}
		capture_close(&cap);
	}
	close(fd);
	return 0;
}
