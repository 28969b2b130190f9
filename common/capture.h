/* Reading captures: pcap or pcapng, plain or gzip-compressed, from a file
 * or stdin ("-"), one after another as one stream of decoded segments. */
#ifndef CAPTURE_H
#define CAPTURE_H
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>
#include "decode.h"

struct capture {
	const char *path;   /* as given, for messages */
	pcap_t *pcap;
	FILE *fp;
	int dlt;
	int nano;           /* timestamps in nanoseconds */
	uint64_t frame;     /* frames read so far, across files */
	uint64_t frame0;    /* frames read before this file */
	uint64_t skipped[SKIP_NREASONS];
	uint64_t opt_bad;   /* records whose TCP options were malformed or cut */
	uint64_t ip_len_cut; /* records whose IP length went beyond the frame */
	int failed;         /* a file ended with a read error */
	/* frames timestamped before the frame before them: counted, the first
	 * one warned about; the analysis keeps file order */
	uint64_t ts_back, ts_back_frame;
	int64_t last_ns;
	int has_last;
	struct gz_cookie *cookie; /* the stream under fp (capture.c), or NULL */
};

/* Opens path; on failure prints a message naming it and returns -1. */
int capture_open(struct capture *c, const char *path);
void capture_close(struct capture *c);

/* Next TCP segment: 1 with *p filled, 0 at end of file or after a read
 * error (reported, c->failed set). Skipped frames are counted, frames
 * whose timestamp would not fit int64 nanoseconds among them. */
int capture_next(struct capture *c, struct pkt *p);

/* Prints the per-reason counts to stderr. */
void capture_report(const struct capture *c, const char *what);

#endif
