/* Reading captures: pcap or pcapng, plain or gzip-compressed, from a file
 * or stdin ("-"), one after another as one stream of decoded segments. */
#ifndef CAPTURE_H
#define CAPTURE_H
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>
#include "decode.h"

struct out;
struct col_part;

/* Which frames to analyse (-b, -A, -B of the tools): the others are read,
 * counted as skipped (filtered, outside_window) and not decoded. */
struct capture_sel {
	const char *filter;   /* BPF expression, or NULL */
	int64_t from_ns, to_ns; /* the window: from <= ts < to */
	int has_from, has_to;
	int from_rel, to_rel; /* "+N": after the stream's first frame */
};

struct capture {
	const char *path;   /* as given, for messages */
	const struct capture_sel *sel; /* or NULL: every frame */
	struct bpf_program bpf;
	int has_bpf;
	int64_t first_ns;   /* the stream's first frame, for +N windows */
	int has_first;
	pcap_t *pcap;
	FILE *fp;
	int dlt;
	int nano;           /* timestamps in nanoseconds */
	uint64_t frame;     /* frames read so far, across files */
	uint64_t frame0;    /* frames read before this file */
	uint64_t skipped[SKIP_NREASONS];
	uint64_t opt_bad;   /* records whose TCP options were malformed or cut */
	uint64_t ip_len_cut; /* records whose IP length went beyond the frame */
	int failed;         /* a file ended with a read error: cut or damaged */
	/* the first such file: its frame that could not be read (1-based in
	 * the file) and byte offset (of the uncompressed stream; -1 unknown) */
	uint64_t damaged, damage_frame;
	int64_t damage_offset;
	uint64_t next_offset; /* byte offset of the frame libpcap reads next */
	int off_known;      /* a format whose offsets are known */
	/* frames timestamped before the frame before them: counted, the first
	 * one warned about; the analysis keeps file order */
	uint64_t ts_back, ts_back_frame;
	int64_t last_ns;
	int has_last;
	struct gz_cookie *cookie; /* the stream under fp (capture.c), or NULL */
};

/* Option parsing of the tools: -b expr, -A time, -B time. Exits 2 with a
 * message on a bad argument (a BPF syntax error included). */
void capture_sel_filter(struct capture_sel *s, const char *expr);
void capture_sel_time(struct capture_sel *s, int from, const char *opt, const char *arg);
/* The three options of a getopt loop: 1 when ch was one of them. */
int capture_sel_option(struct capture_sel *s, int ch, const char *arg);

/* Opens path; on failure prints a message naming it and returns -1. */
int capture_open(struct capture *c, const char *path);
void capture_close(struct capture *c);

/* Exit status of a tool that read captures: 1 when one could not be
 * opened, CAPTURE_PARTIAL when one was cut or damaged (what came before
 * the fault was analysed), else 0. */
#define CAPTURE_PARTIAL 3

/* Next TCP segment: 1 with *p filled, 0 at end of file or after a read
 * error (reported with file, frame and byte offset; c->failed set). Skipped frames are counted, frames
 * whose timestamp would not fit int64 nanoseconds among them. */
int capture_next(struct capture *c, struct pkt *p);

/* Prints the per-reason counts to stderr. */
void capture_report(const struct capture *c, const char *what);

/* The counts of capture_report as one TSV record (-S of pcap2pkt and
 * mptcp-tables): frames, segments, skipped and each reason, bad_options,
 * ip_len_beyond_frame, ts_backwards and its first frame, partial and
 * where the damage is. capture_stats_part is its column table, for the
 * header and the schema; a tool may add columns of its own after it. */
extern const struct col_part capture_stats_part;
void capture_stats_row(struct out *o, const struct capture *c);
/* -S FILE: the header and the record, with a tool's own columns after
 * (extra and its writer more, which writes each led by a tab; NULL for
 * none). Exits with a message when the file cannot be written. */
void capture_stats_write(const char *path, const struct capture *c,
    const struct col_part *extra, void (*more)(struct out *, void *), void *ctx);

#endif
