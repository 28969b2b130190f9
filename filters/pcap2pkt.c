/* pcap2pkt: TCP segments of packet captures as TSV records. */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture.h"
#include "out.h"
#include "pktfmt.h"
#include "util.h"

static void usage(void)
{
	fprintf(stderr, "usage: pcap2pkt [-hv] [-c columns] [-x bytes] [file ...]\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	const char *columns = NULL;
	unsigned payload = 0;
	int verbose = 0, ch;

	tool_init(argv[0]);
	while ((ch = getopt(argc, argv, "c:hvx:")) != -1) {
		switch (ch) {
		case 'c':
			columns = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'x':
			payload = (unsigned)parse_count_arg("-x", optarg, 0, 65535);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	struct pkt_writer w;
	const char *bad;
	size_t badlen;
	if (pkt_writer_init(&w, columns, payload, &bad, &badlen) < 0)
		errx(2, "-c: unknown column '%.*s'", (int)badlen, bad);

	char *stdin_only[] = { "-", NULL };
	char **files = argc ? argv : stdin_only;
	struct capture cap = { 0 };
	struct pkt p;
	int status = 0;

	pkt_writer_header(&w, &out_stdout);
	for (; *files; files++) {
		if (capture_open(&cap, *files) < 0) {
			status = 1;
			continue;
		}
		while (capture_next(&cap, &p))
			pkt_writer_record(&w, &out_stdout, &p);
		capture_close(&cap);
	}
	out_close(&out_stdout);
	if (verbose)
		capture_report(&cap, "pcap2pkt");
	if (cap.failed)
		status = 1;
	return status;
}
