#include "capture.h"

#include <err.h>
#include <fcntl.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static uint32_t rd32e(const unsigned char *p, int swap);
static uint16_t rd16e(const unsigned char *p, int swap);

#define GZ_MAGIC0 0x1f
#define GZ_MAGIC1 0x8b

/* A stdio stream over zlib, so libpcap reads compressed files and pipes
 * alike; zlib passes uncompressed input through untouched. The first four
 * bytes are read ahead to learn the pcap magic (timestamp resolution). */
#define HEAD_MAX 4096

struct gz_cookie {
	gzFile gz;
	unsigned char head[HEAD_MAX]; /* read ahead, replayed first */
	int nhead, used;
	struct ng_track *track;       /* pcapng: the block chain, or NULL */
};

/* pcapng: the chain of blocks followed through the bytes as they are
 * read, so that when libpcap reports a cut the tool knows whether the
 * cut block was a packet (a truncated frame) or another block (an
 * interface description, statistics...), which is no frame at all. */
struct ng_track {
	uint64_t pos;          /* bytes of the stream seen */
	uint64_t start;        /* where the current block starts */
	uint64_t end;          /* and ends; 0 while its header is incomplete */
	unsigned char hdr[12]; /* type, length, (section) byte-order magic */
	int nhdr, swap, lost;  /* lost: a length made no sense, give up */
	uint32_t type;
	int done;              /* the current block was handled */
	/* interface names, every section's, kept while the file is read
	 * (libpcap may still return packets of a section the tracker has
	 * left); sec_if maps the current section's interface ids to them. An
	 * interface block's bytes are gathered to read its if_name. */
	char (*name)[PKT_IFNAME_MAX + 1];
	uint32_t nname, capname;
	uint32_t *sec_if;
	uint32_t nif, capif;
	unsigned char *blk;    /* the interface block being read, or NULL */
	uint32_t nblk;
	/* interface ids of the packet blocks the tracker passed and libpcap
	 * has not returned yet, oldest first (the stream is read ahead) */
	uint32_t *fifo;
	uint32_t fhead, fcount, fcap;
	int ids_lost;          /* too many ahead: names no longer known */
};

#define NG_IDB_MAX 4096        /* interface block bytes kept for its options */
#define NG_FIFO_MAX (1u << 20)
#define NG_NAMES_MAX 65536     /* interfaces of a file whose names are kept */
#define NG_NO_NAME UINT32_MAX

static void ng_push_id(struct ng_track *t, uint32_t id)
{
	if (t->ids_lost)
		return;
	if (t->fcount == t->fcap) {
		if (t->fcap >= NG_FIFO_MAX) {
			t->ids_lost = 1;
			return;
		}
		uint32_t ncap = t->fcap ? 2 * t->fcap : 256, *f = malloc(ncap * sizeof *f);
		if (!f) {
			t->ids_lost = 1;
			return;
		}
		for (uint32_t i = 0; i < t->fcount; i++)
			f[i] = t->fifo[(t->fhead + i) % t->fcap];
		free(t->fifo);
		t->fifo = f;
		t->fcap = ncap;
		t->fhead = 0;
	}
	t->fifo[(t->fhead + t->fcount++) % t->fcap] = id;
}

/* A packet block of interface id (of the current section). */
static void ng_packet(struct ng_track *t, uint32_t id)
{
	ng_push_id(t, id < t->nif ? t->sec_if[id] : NG_NO_NAME);
}

/* The interface name of the packet libpcap returned last, or NULL. */
static const char *ng_pop_name(struct ng_track *t)
{
	if (t->ids_lost || !t->fcount)
		return NULL;
	uint32_t k = t->fifo[t->fhead];
	t->fhead = (t->fhead + 1) % t->fcap;
	t->fcount--;
	return k != NG_NO_NAME && t->name[k][0] ? t->name[k] : NULL;
}

static void ng_block_header(struct ng_track *t)
{
	uint32_t type, len;
	memcpy(&type, t->hdr, 4);
	if (type == 0x0A0D0D0A) { /* a section: its magic sets the byte order */
		uint32_t bom;
		memcpy(&bom, t->hdr + 8, 4);
		t->swap = bom != 0x1A2B3C4D;
	}
	memcpy(&len, t->hdr + 4, 4);
	if (t->swap) {
		type = __builtin_bswap32(type);
		len = __builtin_bswap32(len);
	}
	t->type = type;
	if (len < 12 || len % 4)
		t->lost = 1;
	t->end = t->start + len;
	t->done = 0;
	if (type == 0x0A0D0D0A)
		t->nif = 0; /* interface ids count again in a new section */
	else if (type == 6)
		ng_packet(t, rd32e(t->hdr + 8, t->swap));
	else if (type == 2)
		ng_packet(t, rd16e(t->hdr + 8, t->swap));
	else if (type == 3)
		ng_packet(t, 0);
	else if (type == 1 && !t->lost) {
		t->nblk = len < NG_IDB_MAX ? len : NG_IDB_MAX;
		t->blk = malloc(t->nblk);
		if (t->blk)
			memcpy(t->blk, t->hdr, 12);
	}
}

/* An interface block read whole (or its first NG_IDB_MAX bytes): its
 * id is the next one; its if_name option (code 2) names it. */
static void ng_interface(struct ng_track *t)
{
	if (t->nif == t->capif) {
		uint32_t ncap = t->capif ? 2 * t->capif : 8;
		void *n = ncap <= NG_NAMES_MAX ? realloc(t->sec_if, ncap * sizeof *t->sec_if) : NULL;
		if (!n)
			return;
		t->sec_if = n;
		t->capif = ncap;
	}
	if (t->nname == t->capname) {
		uint32_t ncap = t->capname ? 2 * t->capname : 8;
		void *n = ncap <= NG_NAMES_MAX ? realloc(t->name, ncap * sizeof *t->name) : NULL;
		if (!n) {
			t->sec_if[t->nif++] = NG_NO_NAME;
			return;
		}
		t->name = n;
		t->capname = ncap;
	}
	t->sec_if[t->nif++] = t->nname;
	char *name = t->name[t->nname++];
	name[0] = 0;
	uint32_t end = t->nblk == t->end - t->start ? t->nblk - 4 : t->nblk;
	for (uint32_t at = 16; at + 4 <= end;) {
		uint16_t code = rd16e(t->blk + at, t->swap), n = rd16e(t->blk + at + 2, t->swap);
		if (code == 0 || at + 4 + n > end)
			break;
		if (code == 2) {
			size_t k = n < PKT_IFNAME_MAX ? n : PKT_IFNAME_MAX;
			memcpy(name, t->blk + at + 4, k);
			name[k] = 0;
			name[strlen(name)] = 0; /* a NUL inside ends it */
			break;
		}
		at += 4 + ((n + 3u) & ~3u);
	}
}

/* The bytes [from, to) of the stream: the part inside the current
 * interface block is kept; a block seen whole is handled once. */
static void ng_block_bytes(struct ng_track *t, const unsigned char *b, uint64_t from, uint64_t to)
{
	if (t->blk) {
		uint64_t lo = from > t->start + 12 ? from : t->start + 12;
		uint64_t hi = to < t->start + t->nblk ? to : t->start + t->nblk;
		if (hi > lo)
			memcpy(t->blk + (lo - t->start), b + (lo - from), hi - lo);
	}
	if (t->end > to || t->done)
		return;
	t->done = 1;
	if (t->blk) {
		ng_interface(t);
		free(t->blk);
		t->blk = NULL;
	}
}

/* Follows the block chain through n more bytes of the stream. */
static void ng_track_bytes(struct ng_track *t, const unsigned char *b, size_t n)
{
	uint64_t from = t->pos, to = t->pos + n;
	t->pos = to;
	while (!t->lost) {
		if (t->end) {
			ng_block_bytes(t, b, from, to);
			if (t->end >= to)
				return;
			t->start = t->end; /* the next block starts in these bytes */
			t->end = 0;
			t->nhdr = 0;
		}
		uint64_t at = t->start + (uint64_t)t->nhdr;
		if (at >= to)
			return;
		size_t k = (size_t)(to - at) < (size_t)(12 - t->nhdr) ? (size_t)(to - at) :
		    (size_t)(12 - t->nhdr);
		memcpy(t->hdr + t->nhdr, b + (at - from), k);
		t->nhdr += (int)k;
		if (t->nhdr < 12)
			return;
		ng_block_header(t);
	}
}

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t n)
{
	struct gz_cookie *g = cookie;
	size_t done = 0;
	if (g->used < g->nhead) {
		done = (size_t)(g->nhead - g->used) < n ? (size_t)(g->nhead - g->used) : n;
		memcpy(buf, g->head + g->used, done);
		g->used += (int)done;
	}
	if (done < n) {
		size_t want = n - done > (1u << 30) ? (1u << 30) : n - done;
		int r = gzread(g->gz, buf + done, (unsigned)want);
		if (r < 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)r;
	}
	if (g->track)
		ng_track_bytes(g->track, (const unsigned char *)buf, done);
	return (ssize_t)done;
}

static int gz_cookie_close(void *cookie)
{
	struct gz_cookie *g = cookie;
	int r = gzclose_r(g->gz);
	if (g->track) {
		free(g->track->name);
		free(g->track->sec_if);
		free(g->track->blk);
		free(g->track->fifo);
	}
	free(g->track);
	free(g);
	return r == Z_OK ? 0 : EOF;
}

static uint32_t rd32e(const unsigned char *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16e(const unsigned char *p, int swap)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

/* pcapng: the first interface's if_tsresol, if the head holds it. */
static int pcapng_is_nano(const unsigned char *h, size_t n)
{
	if (n < 12)
		return 0;
	int swap = rd32e(h + 8, 0) != 0x1A2B3C4D;
	/* lengths from the file, in size_t: a huge one must not wrap */
	size_t off = rd32e(h + 4, swap);
	if (off < 28 || off > n || n - off < 16 || rd32e(h + off, swap) != 1)
		return 0;
	size_t end = off + (size_t)rd32e(h + off + 4, swap);
	if (end > n)
		end = n;
	/* the options between the 16-byte head and the trailing length */
	for (size_t o = off + 16; o + 8 <= end;) {
		uint16_t code = rd16e(h + o, swap), len = rd16e(h + o + 2, swap);
		if (code == 0)
			break;
		if (code == 9 && len >= 1 && o + 5 <= end) {
			uint8_t r = h[o + 4];
			return (r & 0x80) ? (r & 0x7f) > 20 : r > 6;
		}
		o += 4 + ((len + 3u) & ~3u);
	}
	return 0;
}

/* Whether the file's native resolution is finer than a microsecond. */
static int head_is_nano(const unsigned char *h, size_t n)
{
	static const unsigned char be[4] = { 0xa1, 0xb2, 0x3c, 0x4d };
	static const unsigned char le[4] = { 0x4d, 0x3c, 0xb2, 0xa1 };
	static const unsigned char ng[4] = { 0x0a, 0x0d, 0x0d, 0x0a };
	if (n < 4)
		return 0;
	if (memcmp(h, ng, 4) == 0)
		return pcapng_is_nano(h, n);
	return memcmp(h, be, 4) == 0 || memcmp(h, le, 4) == 0;
}

static int head_is_pcapng(const unsigned char *h, size_t n)
{
	static const unsigned char ng[4] = { 0x0a, 0x0d, 0x0d, 0x0a };
	return n >= 4 && memcmp(h, ng, 4) == 0;
}

/* The stream of path; pcapng files, plain or compressed, and every
 * compressed file go through zlib (which passes plain bytes through), so
 * a pcapng block chain can be followed; *cookie gets that stream. */
static FILE *open_stream(const char *path, int *nano, struct gz_cookie **cookie)
{
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	unsigned char head[HEAD_MAX];
	ssize_t got = pread(fd, head, sizeof head, 0);
	if (got < 0 && errno != ESPIPE) { /* a directory, an I/O error */
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	*cookie = NULL;
	if (got >= 4 && !(head[0] == GZ_MAGIC0 && head[1] == GZ_MAGIC1) &&
	    !head_is_pcapng(head, (size_t)got)) {
		FILE *fp = fdopen(fd, "rb"); /* plain seekable pcap: no zlib layer */
		if (fp)
			setvbuf(fp, NULL, _IOFBF, 1 << 18);
		*nano = head_is_nano(head, (size_t)got);
		return fp;
	}
	struct gz_cookie *g = calloc(1, sizeof *g);
	if (!g || !(g->gz = gzdopen(fd, "rb"))) {
		free(g);
		close(fd);
		return NULL;
	}
	gzbuffer(g->gz, 1 << 18);
	int r = gzread(g->gz, g->head, HEAD_MAX);
	g->nhead = r > 0 ? r : 0;
	*nano = head_is_nano(g->head, (size_t)g->nhead);
	if (head_is_pcapng(g->head, (size_t)g->nhead))
		g->track = calloc(1, sizeof *g->track);
	cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
	FILE *fp = fopencookie(g, "rb", io);
	if (!fp) {
		gz_cookie_close(g);
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 18);
	/* kept by the caller too: the FILE's hold on it is not one a leak
	 * checker sees, should the tool exit in the middle of the file */
	*cookie = g;
	return fp;
}

int capture_open(struct capture *c, const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	c->path = path;
	c->frame0 = c->frame;
	c->fp = open_stream(path, &c->nano, &c->cookie);
	if (!c->fp) {
		warn("%s", path);
		return -1;
	}
	c->pcap = pcap_fopen_offline_with_tstamp_precision(c->fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->pcap) {
		warnx("%s: not a readable pcap or pcapng capture (%s)", path, ebuf);
		fclose(c->fp);
		c->fp = NULL;
		c->cookie = NULL;
		return -1;
	}
	c->dlt = pcap_datalink(c->pcap);
	if (!decode_link_supported(c->dlt)) {
		const char *name = pcap_datalink_val_to_name(c->dlt);
		warnx("%s: unsupported link type %d (%s)", path, c->dlt,
		    name ? name : "unknown");
		capture_close(c);
		return -1;
	}
	return 0;
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap); /* closes c->fp too, and frees c->cookie */
	c->pcap = NULL;
	c->fp = NULL;
	c->cookie = NULL;
}

/* pcapng block types that hold a packet (RFC draft: obsolete, simple,
 * enhanced). */
static int ng_packet_block(uint32_t type)
{
	return type == 2 || type == 3 || type == 6;
}

/* libpcap could not read the next block: a frame cut or broken, except
 * a pcapng file cut inside a block that holds no packet. */
static void read_failed(struct capture *c)
{
	const struct ng_track *t = c->cookie ? c->cookie->track : NULL;
	const char *why = pcap_geterr(c->pcap);
	c->failed = 1;
	if (t && !t->lost && strstr(why, "truncated") && (t->end == 0 || t->end > t->pos) &&
	    t->nhdr >= 4) {
		uint32_t type;
		memcpy(&type, t->hdr, 4);
		type = t->swap ? __builtin_bswap32(type) : type;
		if (!ng_packet_block(type)) {
			warnx("%s: cut inside a pcapng block of type %u, which holds no packet, "
			    "after frame %llu: %s", c->path, type,
			    (unsigned long long)(c->frame - c->frame0), why);
			return;
		}
	}
	warnx("%s: frame %llu: %s", c->path,
	    (unsigned long long)(c->frame - c->frame0 + 1), why);
	c->frame++; /* the frame that could not be read */
	c->skipped[SKIP_TRUNCATED]++;
}

/* The frame's timestamp fits the int64 nanoseconds every tool computes
 * with (libpcap gives nanoseconds: the file was opened so); one earlier
 * than the frame before is counted, and the first warned about. */
static int time_ok(struct capture *c, const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0 || h->ts.tv_sec > INT64_MAX / 1000000000 - 1 ||
	    h->ts.tv_usec < 0 || h->ts.tv_usec >= 1000000000) {
		c->skipped[SKIP_BAD_TIME]++;
		return 0;
	}
	int64_t ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
	if (!c->nano)
		ns -= ns % 1000; /* what the records keep */
	if (c->has_last && ns < c->last_ns) {
		if (!c->ts_back++) {
			c->ts_back_frame = c->frame;
			warnx("%s: frame %llu: timestamp before the previous frame's: the capture "
			    "is not in time order (analysed in file order; counted, see -v)", c->path,
			    (unsigned long long)(c->frame - c->frame0));
		}
	}
	c->last_ns = ns;
	c->has_last = 1;
	return 1;
}

int capture_next(struct capture *c, struct pkt *p)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	for (;;) {
		int r = pcap_next_ex(c->pcap, &h, &data);
		if (r == PCAP_ERROR_BREAK)
			return 0;
		if (r != 1) {
			read_failed(c);
			return 0;
		}
		c->frame++;
		const char *ifname = c->cookie && c->cookie->track ? ng_pop_name(c->cookie->track) : NULL;
		if (!time_ok(c, h))
			continue;
		enum skip_reason why = decode_frame(c->dlt, data, h->caplen, h->len, p);
		if (why != DECODED) {
			c->skipped[why]++;
			continue;
		}
		c->opt_bad += p->opt_bad;
		c->ip_len_cut += p->ip_len_cut;
		p->frame = c->frame;
		p->ts_sec = h->ts.tv_sec;
		p->ts_frac = c->nano ? (uint32_t)h->ts.tv_usec : (uint32_t)h->ts.tv_usec / 1000;
		p->ts_digits = c->nano ? 9 : 6;
		p->ifname = ifname;
		return 1;
	}
}

void capture_report(const struct capture *c, const char *what)
{
	uint64_t skipped = 0;
	for (int i = 1; i < SKIP_NREASONS; i++)
		skipped += c->skipped[i];
	fprintf(stderr, "%s: %llu frames, %llu TCP segments, %llu skipped",
	    what, (unsigned long long)c->frame,
	    (unsigned long long)(c->frame - skipped), (unsigned long long)skipped);
	for (int i = 1; i < SKIP_NREASONS; i++)
		if (c->skipped[i])
			fprintf(stderr, ", %s %llu", skip_reason_name[i],
			    (unsigned long long)c->skipped[i]);
	fprintf(stderr, "; %llu with malformed or cut TCP options",
	    (unsigned long long)c->opt_bad);
	fprintf(stderr, "; %llu with an IP length beyond the frame",
	    (unsigned long long)c->ip_len_cut);
	fprintf(stderr, "; %llu timestamps backwards", (unsigned long long)c->ts_back);
	if (c->ts_back)
		fprintf(stderr, " (first at frame %llu)", (unsigned long long)c->ts_back_frame);
	fprintf(stderr, "\n");
}
