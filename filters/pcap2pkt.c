/* pcap2pkt: TCP segments of packet captures as TSV records. */
#include <err.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "out.h"
#include "pktfmt.h"
#include "util.h"

#define BATCH 1024        /* segments handed over at a time */
#define NBATCH 4          /* batches in flight */
#define PAYLOAD_MAX 4096  /* -x limit: bounds the batch's payload copies */

/* Decoding and formatting run in two threads, handing over batches of
 * decoded segments, because formatting the records costs about twice
 * what reading and decoding the capture does. Records keep input order. */
struct batch {
	int n, last;
	struct pkt pkt[BATCH];
	uint8_t *payload; /* BATCH slots of payload_max bytes, with -x */
	char ifname[BATCH][PKT_IFNAME_MAX + 1];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch batch[NBATCH];
	int full[NBATCH];
	unsigned payload_max;
	const struct pkt_writer *writer;
} ring = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: pcap2pkt [-hv] [-A time] [-B time] [-b filter] [-c columns] "
	    "[-S file] [-x bytes] [--schema] [--version] [file ...]\n");
	exit(status);
}

static void wait_for(int i, int full)
{
	pthread_mutex_lock(&ring.lock);
	while (ring.full[i] != full)
		pthread_cond_wait(&ring.changed, &ring.lock);
	pthread_mutex_unlock(&ring.lock);
}

static void set_full(int i, int full)
{
	pthread_mutex_lock(&ring.lock);
	ring.full[i] = full;
	pthread_cond_broadcast(&ring.changed);
	pthread_mutex_unlock(&ring.lock);
}

static void *format_batches(void *unused)
{
	(void)unused;
	for (int i = 0;; i = (i + 1) % NBATCH) {
		wait_for(i, 1);
		struct batch *b = &ring.batch[i];
		for (int k = 0; k < b->n; k++)
			pkt_writer_record(ring.writer, &out_stdout, &b->pkt[k]);
		int last = b->last;
		set_full(i, 0);
		if (last)
			return NULL;
	}
}

/* The payload points into libpcap's buffer, which the next read reuses. */
static void keep_payload(struct batch *b, int k)
{
	struct pkt *p = &b->pkt[k];
	uint32_t n = p->payload_caplen < ring.payload_max ? p->payload_caplen : ring.payload_max;
	uint8_t *slot = b->payload + (size_t)k * ring.payload_max;
	memcpy(slot, p->payload, n);
	p->payload = slot;
	p->payload_caplen = n;
}

/* The interface name lives in the capture's tables, which the next file
 * frees while the writer may not have reached the packet yet. */
static void keep_ifname(struct batch *b, int k)
{
	struct pkt *p = &b->pkt[k];
	if (p->ifname) {
		strcpy(b->ifname[k], p->ifname); /* at most PKT_IFNAME_MAX bytes */
		p->ifname = b->ifname[k];
	}
}

/* Reads every file into batches; returns 1 when some file could not be
 * opened, CAPTURE_PARTIAL when one was cut or damaged. */
static int read_files(char **files, struct capture *cap)
{
	int status = 0, i = 0;
	struct batch *b = &ring.batch[0];
	b->n = 0;
	for (; *files; files++) {
		if (capture_open(cap, *files) < 0) {
			status = 1;
			continue;
		}
		while (capture_next(cap, &b->pkt[b->n])) {
			if (ring.payload_max)
				keep_payload(b, b->n);
			keep_ifname(b, b->n);
			if (++b->n < BATCH)
				continue;
			set_full(i, 1);
			i = (i + 1) % NBATCH;
			wait_for(i, 0);
			b = &ring.batch[i];
			b->n = 0;
		}
		capture_close(cap);
	}
	b->last = 1;
	set_full(i, 1);
	return status ? 1 : cap->damaged ? CAPTURE_PARTIAL : 0;
}

int main(int argc, char *argv[])
{
	const char *columns = NULL, *stats = NULL;
	unsigned payload = 0;
	int verbose = 0, schema = 0, ch;
	struct capture_sel sel = { 0 };

	tool_init(argv[0]);
	while ((ch = tool_getopt(argc, argv, "A:B:b:c:hS:vx:", schema_longopts)) != -1) {
		switch (ch) {
		case 'A':
		case 'B':
		case 'b':
			capture_sel_option(&sel, ch, optarg);
			break;
		case 'c':
			columns = optarg;
			break;
		case 'S':
			stats = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'x':
			payload = (unsigned)parse_count_arg("-x", optarg, 0, PAYLOAD_MAX);
			break;
		case OPT_SCHEMA:
			schema = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;

	struct pkt_writer w;
	const char *bad;
	size_t badlen;
	switch (pkt_writer_init(&w, columns, payload, &bad, &badlen)) {
	case -1:
		errx(2, "-c: unknown column '%.*s'", (int)badlen, bad);
	case -2:
		errx(2, "-c: more than %d columns", PKT_MAX_CHOSEN);
	}
	if (schema) {
		pkt_writer_schema(&w, &out_stdout);
		out_close(&out_stdout);
		pkt_writer_free(&w);
		return 0;
	}
	ring.writer = &w;
	ring.payload_max = payload;
	for (int i = 0; payload && i < NBATCH; i++)
		if (!(ring.batch[i].payload = malloc((size_t)BATCH * payload)))
			err(1, "out of memory");

	char *stdin_only[] = { "-", NULL };
	struct capture cap = { .sel = &sel };
	pthread_t formatter;

	pkt_writer_header(&w, &out_stdout);
	if (pthread_create(&formatter, NULL, format_batches, NULL) != 0)
		errx(1, "cannot start the formatting thread");
	int status = read_files(argc ? argv : stdin_only, &cap);
	pthread_join(formatter, NULL);
	out_close(&out_stdout);
	if (stats)
		capture_stats_write(stats, &cap, NULL, NULL, NULL);
	if (verbose)
		capture_report(&cap, "pcap2pkt");
	pkt_writer_free(&w);
	for (int i = 0; i < NBATCH; i++)
		free(ring.batch[i].payload);
	return status;
}
