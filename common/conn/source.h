/* Where a connection-level filter gets its packets: either TSV records
 * from flowsplit (a pipe or file), or capture files decoded in-process
 * and split by the same flow table flowsplit uses, so both give the same
 * packets, connection ids and directions. */
#ifndef SOURCE_H
#define SOURCE_H
#include <stdint.h>
#include "capture.h"
#include "flow.h"
#include "pkt.h"
#include "pktread.h"
#include "tsv.h"

struct source {
	int from_capture;
	char **files;           /* capture mode: remaining files */
	struct capture cap;
	struct flowtab split;
	int status;             /* 1 when a capture could not be read */
	struct tsv tsv;         /* record mode */
	struct pkt_cols cols;
	int c_conn, c_dir, c_hs;
	/* capture mode: when set, a segment it returns 0 for is dropped
	 * before the flow table sees it, as if it were not in the capture */
	int (*keep)(const struct pkt *p, void *ctx);
	void *keep_ctx;
};

/* 1 when path is a regular file that starts like a pcap, pcapng or gzip
 * file (a named pipe is taken for records: its bytes cannot be looked at
 * twice). */
int source_is_capture(const char *path);

/* files: NULL-terminated; none (or "-") means standard input, a capture
 * when it starts like one (a file or a pipe: its first bytes are looked
 * at and left in it), else records. All captures, or one TSV file. sel:
 * the frames of captures to read (or NULL); with records it is a usage
 * error. need: packet columns required in record mode (-1 ended). */
void source_open(struct source *s, char **files, const struct flow_opts *fo,
    const struct capture_sel *sel, const int *need);
/* Record mode: split out only the bound packet columns and flowsplit's
 * (call after narrowing s->cols with pkt_cols_restrict). */
void source_want(struct source *s);

/* Next packet: 1, or 0 at the end of all input. */
int source_next(struct source *s, struct pkt *p, struct pkt_meta *m);
/* Closes; returns non-zero when some input could not be read. */
int source_close(struct source *s);

#endif
