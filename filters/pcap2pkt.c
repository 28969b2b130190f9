/* pcap2pkt: TCP segments of packet captures as TSV records. */
#include <err.h>
#include <errno.h>
#include <stdint.h>
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
#define NFORMAT 2         /* formatting threads */
#define NBATCH 6          /* batches in flight */
#define PAYLOAD_MAX 4096  /* -x limit: bounds the batch's payload copies */

/* Formatting the records costs more than reading and decoding the
 * capture, so one thread decodes into batches while two others format
 * alternate batches; each formatted batch is written in its turn, so the
 * records keep the capture's order. */
struct batch {
	enum { FREE, FULL } state;
	uint64_t seq;
	int n;
	struct pkt pkt[BATCH];
	uint8_t *payload; /* BATCH slots of payload_max bytes, with -x */
	char *text;       /* BATCH records at their longest */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch batch[NBATCH];
	uint64_t next_write;  /* sequence number of the batch to write next */
	uint64_t nbatches;    /* set when reading is over: batches made */
	int done;
	unsigned payload_max;
	const struct pkt_writer *writer;
} ring = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static void usage(void)
{
	fprintf(stderr, "usage: pcap2pkt [-hv] [-c columns] [-x bytes] [file ...]\n");
	exit(2);
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			exit(0); /* the reader went away: not our failure */
		if (w < 0)
			err(1, "write error on standard output");
		p += w;
		n -= (size_t)w;
	}
}

/* Waits (lock held) until batch seq is full or reading ended before it;
 * returns 0 in the latter case. */
static int wait_full(uint64_t seq, struct batch *b)
{
	while (!(b->state == FULL && b->seq == seq)) {
		if (ring.done && seq >= ring.nbatches)
			return 0;
		pthread_cond_wait(&ring.changed, &ring.lock);
	}
	return 1;
}

static void *format_batches(void *arg)
{
	for (uint64_t seq = (uint64_t)(uintptr_t)arg;; seq += NFORMAT) {
		struct batch *b = &ring.batch[seq % NBATCH];
		pthread_mutex_lock(&ring.lock);
		int more = wait_full(seq, b);
		pthread_mutex_unlock(&ring.lock);
		if (!more)
			return NULL;
		char *w = b->text;
		for (int k = 0; k < b->n; k++)
			w = pkt_writer_put(ring.writer, w, &b->pkt[k]);
		pthread_mutex_lock(&ring.lock);
		while (ring.next_write != seq)
			pthread_cond_wait(&ring.changed, &ring.lock);
		pthread_mutex_unlock(&ring.lock);
		write_all(b->text, (size_t)(w - b->text));
		pthread_mutex_lock(&ring.lock);
		ring.next_write++;
		b->state = FREE;
		pthread_cond_broadcast(&ring.changed);
		pthread_mutex_unlock(&ring.lock);
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

static struct batch *next_free(uint64_t seq)
{
	struct batch *b = &ring.batch[seq % NBATCH];
	pthread_mutex_lock(&ring.lock);
	while (b->state != FREE)
		pthread_cond_wait(&ring.changed, &ring.lock);
	pthread_mutex_unlock(&ring.lock);
	b->seq = seq;
	b->n = 0;
	return b;
}

static void hand_over(struct batch *b)
{
	pthread_mutex_lock(&ring.lock);
	b->state = FULL;
	pthread_cond_broadcast(&ring.changed);
	pthread_mutex_unlock(&ring.lock);
}

/* Reads every file into batches; returns 1 when some file failed. */
static int read_files(char **files, struct capture *cap)
{
	int status = 0;
	uint64_t seq = 0;
	struct batch *b = next_free(seq);
	for (; *files; files++) {
		if (capture_open(cap, *files) < 0) {
			status = 1;
			continue;
		}
		while (capture_next(cap, &b->pkt[b->n])) {
			if (ring.payload_max)
				keep_payload(b, b->n);
			if (++b->n < BATCH)
				continue;
			hand_over(b);
			b = next_free(++seq);
		}
		capture_close(cap);
	}
	if (b->n) {
		hand_over(b);
		seq++;
	}
	pthread_mutex_lock(&ring.lock);
	ring.done = 1;
	ring.nbatches = seq;
	pthread_cond_broadcast(&ring.changed);
	pthread_mutex_unlock(&ring.lock);
	return status || cap->failed;
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
			payload = (unsigned)parse_count_arg("-x", optarg, 0, PAYLOAD_MAX);
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
	ring.writer = &w;
	ring.payload_max = payload;
	for (int i = 0; i < NBATCH; i++) {
		struct batch *b = &ring.batch[i];
		b->text = malloc((size_t)BATCH * w.max_record);
		b->payload = payload ? malloc((size_t)BATCH * payload) : NULL;
		if (!b->text || (payload && !b->payload))
			err(1, "out of memory");
	}

	char *stdin_only[] = { "-", NULL };
	struct capture cap = { 0 };
	pthread_t formatter[NFORMAT];

	pkt_writer_header(&w, &out_stdout);
	out_flush(&out_stdout);
	for (uintptr_t k = 0; k < NFORMAT; k++)
		if (pthread_create(&formatter[k], NULL, format_batches, (void *)k) != 0)
			errx(1, "cannot start a formatting thread");
	int status = read_files(argc ? argv : stdin_only, &cap);
	for (int k = 0; k < NFORMAT; k++)
		pthread_join(formatter[k], NULL);
	out_close(&out_stdout);
	if (verbose)
		capture_report(&cap, "pcap2pkt");
	return status;
}
