#include "capture.h"
#include "columns.h"
#include "out.h"

#include <err.h>
#include <fcntl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static uint32_t rd32e(const unsigned char *p, int swap);
static uint16_t rd16e(const unsigned char *p, int swap);

#define GZ_MAGIC0 0x1f
#define GZ_MAGIC1 0x8b

/* The stream libpcap reads: a stdio stream over zlib (compressed files,
 * and pipes: zlib passes uncompressed input through untouched) or over
 * read(2) (plain files), counting the bytes it hands over, so that the
 * byte offset of the frame libpcap reads next is known (that count less
 * what waits in the stdio buffer): where a cut or damaged file breaks.
 * The first bytes are read ahead to learn the format and the timestamp
 * resolution, and replayed. */
#define HEAD_MAX 4096

struct gz_cookie {
	gzFile gz;                    /* or NULL: plain file, read(2) on fd */
	int fd;
	unsigned char head[HEAD_MAX]; /* read ahead, replayed first */
	size_t nhead, used;
	uint64_t pos;                 /* bytes handed to stdio */
	int gz_failed;                /* zlib said why: gzerror */
	struct ng_track *track;       /* pcapng: the block chain, or NULL */
};

/* pcapng: the chain of blocks followed through the bytes as they are
 * read, so that when libpcap reports a cut the tool knows whether the
 * cut block was a packet (a truncated frame) or another block (an
 * interface description, statistics...), which is no frame at all. */
struct ng_track {
	uint64_t pos;          /* bytes of the stream seen */
	uint64_t start;        /* where the current block starts */
	uint64_t prev;         /* and the block before it */
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
			t->prev = t->start;
			t->start = t->end; /* the next block starts in these bytes */
			t->end = 0;
			t->nhdr = 0;
		}
		uint64_t at = t->start + (uint64_t)t->nhdr;
		if (at >= to)
			return;
		size_t k = (size_t)(to - at) < (size_t)(12 - t->nhdr) ? (size_t)(to - at) :
		    (size_t)(12 - t->nhdr);
		if (k == 12) /* a whole header in these bytes: the usual case */
			memcpy(t->hdr, b + (at - from), 12);
		else
			memcpy(t->hdr + t->nhdr, b + (at - from), k);
		t->nhdr += (int)k;
		if (t->nhdr < 12)
			return;
		ng_block_header(t);
	}
}

static ssize_t raw_read(struct gz_cookie *g, void *buf, size_t n)
{
	if (n > (1u << 30))
		n = 1u << 30;
	if (g->gz) {
		int r = gzread(g->gz, buf, (unsigned)n);
		if (r < 0) {
			g->gz_failed = 1;
			errno = EIO;
		}
		return r;
	}
	for (;;) {
		ssize_t r = read(g->fd, buf, n);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t n)
{
	struct gz_cookie *g = cookie;
	size_t done = 0;
	if (g->used < g->nhead) {
		done = g->nhead - g->used < n ? g->nhead - g->used : n;
		memcpy(buf, g->head + g->used, done);
		g->used += done;
	}
	if (done < n) {
		ssize_t r = raw_read(g, buf + done, n - done);
		if (r < 0 && done == 0)
			return -1;
		if (r > 0)
			done += (size_t)r;
	}
	g->pos += done;
	if (g->track)
		ng_track_bytes(g->track, (const unsigned char *)buf, done);
	return (ssize_t)done;
}

static int gz_cookie_close(void *cookie)
{
	struct gz_cookie *g = cookie;
	int r = g->gz ? (gzclose_r(g->gz) == Z_OK ? 0 : EOF) : close(g->fd);
	if (g->track) {
		free(g->track->name);
		free(g->track->sec_if);
		free(g->track->blk);
		free(g->track->fifo);
	}
	free(g->track);
	free(g);
	return r;
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

/* The stream of path, over a gz_cookie (*cookie): zlib for compressed
 * files and for input that cannot be looked at before it is read (a
 * pipe), read(2) for plain files. */
static FILE *open_stream(const char *path, int *nano, struct gz_cookie **cookie)
{
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	unsigned char head[2];
	ssize_t got = pread(fd, head, sizeof head, 0);
	if (got < 0 && errno != ESPIPE) { /* a directory, an I/O error */
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	*cookie = NULL;
	struct gz_cookie *g = calloc(1, sizeof *g);
	if (!g)
		goto fail;
	g->fd = fd;
	if (got < 0 || (got == 2 && head[0] == GZ_MAGIC0 && head[1] == GZ_MAGIC1)) {
		if (!(g->gz = gzdopen(fd, "rb")))
			goto fail;
		gzbuffer(g->gz, 1 << 18);
	}
	/* the head, for the format and resolution */
	while (g->nhead < HEAD_MAX) {
		ssize_t r = raw_read(g, g->head + g->nhead, HEAD_MAX - g->nhead);
		if (r <= 0)
			break;
		g->nhead += (size_t)r;
	}
	*nano = head_is_nano(g->head, g->nhead);
	if (head_is_pcapng(g->head, g->nhead))
		g->track = calloc(1, sizeof *g->track);
	cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
	FILE *fp = fopencookie(g, "rb", io);
	if (!fp) {
		gz_cookie_close(g);
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 18);
	/* only libpcap reads it, in this thread: no lock taken per fread */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	/* kept by the caller too: the FILE's hold on it is not one a leak
	 * checker sees, should the tool exit in the middle of the file */
	*cookie = g;
	return fp;
fail:
	if (g && g->gz)
		gzclose_r(g->gz);
	else
		close(fd);
	free(g);
	errno = ENOMEM;
	return NULL;
}

/* -A and -B: seconds since the epoch, or "+seconds" after the first
 * frame; up to 9 digits of fraction, converted exactly to nanoseconds. */
void capture_sel_time(struct capture_sel *s, int from, const char *opt, const char *arg)
{
	const char *p = arg;
	int rel = *p == '+';
	int64_t sec = 0, frac = 0;
	int nd = 0, nf = 0;
	p += rel;
	for (; *p >= '0' && *p <= '9'; p++, nd++) {
		if (sec > (INT64_MAX / 1000000000 - 10) / 10)
			errx(2, "%s: too large: '%s'", opt, arg);
		sec = sec * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nf++) {
			if (nf < 9)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0')
				errx(2, "%s: more than 9 digits of fraction: '%s'", opt, arg);
		}
	}
	if (*p || (nd == 0 && nf == 0))
		errx(2, "%s: expected seconds since the epoch or +seconds after the first "
		    "frame (digits, an optional fraction), got '%s'", opt, arg);
	for (int i = nf; i < 9; i++)
		frac *= 10;
	int64_t ns = sec * 1000000000 + frac;
	if (from) {
		s->from_ns = ns;
		s->from_rel = rel;
		s->has_from = 1;
	} else {
		s->to_ns = ns;
		s->to_rel = rel;
		s->has_to = 1;
	}
}

int capture_sel_option(struct capture_sel *s, int ch, const char *arg)
{
	switch (ch) {
	case 'A':
		capture_sel_time(s, 1, "-A", arg);
		return 1;
	case 'B':
		capture_sel_time(s, 0, "-B", arg);
		return 1;
	case 'b':
		capture_sel_filter(s, arg);
		return 1;
	}
	return 0;
}

/* -b: the syntax is checked here, once; each file compiles it again for
 * its own link type. */
void capture_sel_filter(struct capture_sel *s, const char *expr)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;
	if (!dead)
		errx(1, "out of memory");
	if (pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		errx(2, "-b: %s", pcap_geterr(dead));
	pcap_freecode(&prog);
	pcap_close(dead);
	s->filter = expr;
}

static int head_magic_pcap(const unsigned char *h, size_t n)
{
	static const uint32_t m[4] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1 };
	if (n < 4)
		return 0;
	uint32_t be = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	for (int i = 0; i < 4; i++)
		if (be == m[i])
			return 1;
	return 0;
}

/* Bytes of the stream libpcap has read: handed to stdio, less what
 * waits in its buffer (glibc's; elsewhere the offsets are unknown). */
static uint64_t stream_offset(struct capture *c)
{
#ifdef __GLIBC__
	return c->cookie->pos - (uint64_t)(c->fp->_IO_read_end - c->fp->_IO_read_ptr);
#else
	c->off_known = 0;
	return 0;
#endif
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
	/* the standard pcap formats only: a record is 16 bytes and its data,
	 * so an offset is known; other variants libpcap reads get none */
	c->off_known = c->cookie->track || head_magic_pcap(c->cookie->head, c->cookie->nhead);
	c->pcap = pcap_fopen_offline_with_tstamp_precision(c->fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->pcap) {
		warnx("%s: not a readable pcap or pcapng capture (%s)", path, ebuf);
		fclose(c->fp);
		c->fp = NULL;
		c->cookie = NULL;
		return -1;
	}
	c->next_offset = stream_offset(c);
	c->dlt = pcap_datalink(c->pcap);
	if (!decode_link_supported(c->dlt)) {
		const char *name = pcap_datalink_val_to_name(c->dlt);
		warnx("%s: unsupported link type %d (%s)", path, c->dlt,
		    name ? name : "unknown");
		capture_close(c);
		return -1;
	}
	if (c->sel && c->sel->filter) {
		if (pcap_compile(c->pcap, &c->bpf, c->sel->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			warnx("%s: -b: %s (link type %s)", path, pcap_geterr(c->pcap),
			    pcap_datalink_val_to_name(c->dlt) ? pcap_datalink_val_to_name(c->dlt) : "unknown");
			capture_close(c);
			return -1;
		}
		c->has_bpf = 1;
	}
	return 0;
}

void capture_close(struct capture *c)
{
	if (c->has_bpf)
		pcap_freecode(&c->bpf);
	c->has_bpf = 0;
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

/* Where the frame or block that could not be read starts: pcap, after
 * the last frame read; pcapng, the block libpcap stopped in, which the
 * chain follower knows when it is not more than a block ahead of libpcap
 * (stdio reads ahead). -1 when unknown. */
static int64_t fault_offset(struct capture *c)
{
	const struct ng_track *t = c->cookie ? c->cookie->track : NULL;
	if (!c->off_known)
		return -1;
	uint64_t at = stream_offset(c);
	if (!c->off_known)
		return -1;
	if (!t)
		return (int64_t)c->next_offset;
	if (t->lost && at >= t->start)
		return (int64_t)t->start; /* a block length that made no sense */
	if (at > t->start && (t->end == 0 || at <= t->end))
		return (int64_t)t->start;
	if (at == t->start) /* a block read whole and refused, or a read error */
		return c->cookie->gz_failed || t->start == 0 ? (int64_t)t->start : (int64_t)t->prev;
	return -1;
}

static void note_damage(struct capture *c, uint64_t frame, int64_t off)
{
	c->failed = 1;
	if (c->damaged++)
		return;
	c->damage_frame = frame;
	c->damage_offset = off;
}

/* libpcap could not read the next block: a frame cut or broken, except
 * a pcapng file cut inside a block that holds no packet. Either way the
 * frames before are kept; the message says where the file breaks. */
static void read_failed(struct capture *c)
{
	const struct ng_track *t = c->cookie ? c->cookie->track : NULL;
	const char *why = pcap_geterr(c->pcap);
	char off[64] = "unknown byte offset";
	char gzwhy[300];
	int64_t at = fault_offset(c);
	if (at >= 0)
		snprintf(off, sizeof off, "byte offset %lld%s", (long long)at,
		    c->cookie && c->cookie->gz && !gzdirect(c->cookie->gz) ? " of the uncompressed stream" : "");
	if (c->cookie && c->cookie->gz_failed) {
		int zerr;
		snprintf(gzwhy, sizeof gzwhy, "gzip: %s", gzerror(c->cookie->gz, &zerr));
		why = gzwhy;
	}
	uint64_t before = c->frame - c->frame0;
	if (t && !t->lost && strstr(why, "truncated") && (t->end == 0 || t->end > t->pos) &&
	    t->nhdr >= 4) {
		uint32_t type;
		memcpy(&type, t->hdr, 4);
		type = t->swap ? __builtin_bswap32(type) : type;
		if (!ng_packet_block(type)) {
			warnx("%s: cut inside a pcapng block of type %u, which holds no packet, "
			    "after frame %llu, at %s: %s (the frames before are kept)", c->path, type,
			    (unsigned long long)before, off, why);
			note_damage(c, before + 1, at);
			return;
		}
	}
	warnx("%s: frame %llu, at %s: %s (the file is cut or damaged there; the %llu "
	    "frames before are kept)", c->path, (unsigned long long)(before + 1), off, why,
	    (unsigned long long)before);
	note_damage(c, before + 1, at);
	c->frame++; /* the frame that could not be read */
	c->skipped[SKIP_TRUNCATED]++;
}

/* The frame's timestamp fits the int64 nanoseconds every tool computes
 * with (libpcap gives nanoseconds: the file was opened so); one earlier
 * than the frame before is counted, and the first warned about. */
static int time_ok(struct capture *c, const struct pcap_pkthdr *h, int64_t *nsp)
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
	*nsp = ns;
	return 1;
}

/* The selection of -b, -A and -B on a frame whose time is ns. */
static enum skip_reason selected(struct capture *c, const struct pcap_pkthdr *h,
    const u_char *data, int64_t ns)
{
	const struct capture_sel *s = c->sel;
	if (!c->has_first) {
		c->first_ns = ns;
		c->has_first = 1;
	}
	if (!s)
		return DECODED;
	int64_t base = c->first_ns;
	if (s->has_from && ns < (s->from_rel ? (s->from_ns > INT64_MAX - base ? INT64_MAX :
	    base + s->from_ns) : s->from_ns))
		return SKIP_OUT_OF_WINDOW;
	if (s->has_to && ns >= (s->to_rel ? (s->to_ns > INT64_MAX - base ? INT64_MAX :
	    base + s->to_ns) : s->to_ns))
		return SKIP_OUT_OF_WINDOW;
	if (c->has_bpf && !pcap_offline_filter(&c->bpf, h, data))
		return SKIP_FILTERED;
	return DECODED;
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
		c->next_offset = stream_offset(c);
		c->frame++;
		/* every frame libpcap returns takes its interface, selected or not */
		const char *ifname = c->cookie && c->cookie->track ? ng_pop_name(c->cookie->track) : NULL;
		int64_t ns;
		if (!time_ok(c, h, &ns))
			continue;
		enum skip_reason why = selected(c, h, data, ns);
		if (why == DECODED)
			why = decode_frame(c->dlt, data, h->caplen, h->len, p);
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
	fprintf(stderr, "; %llu files cut or damaged", (unsigned long long)c->damaged);
	if (c->damaged) {
		fprintf(stderr, " (first at its frame %llu", (unsigned long long)c->damage_frame);
		if (c->damage_offset >= 0)
			fprintf(stderr, " byte %lld", (long long)c->damage_offset);
		fprintf(stderr, ")");
	}
	fprintf(stderr, "\n");
}

/* The record of capture_stats_row: one column table. */
#define CAPTURE_STATS_COLUMNS(X) \
	X(frames, COUNT, "frames", "frames read", out_u64(o, c->frame)) \
	X(segments, COUNT, "segments", "TCP segments decoded (frames not skipped)", \
	    out_u64(o, c->frame - skipped)) \
	X(skipped, COUNT, "frames", "frames skipped, for the reasons that follow", out_u64(o, skipped)) \
	X(non_ip, COUNT, "frames", "skipped: not IPv4 or IPv6", out_u64(o, c->skipped[SKIP_NON_IP])) \
	X(non_tcp, COUNT, "frames", "skipped: not TCP", out_u64(o, c->skipped[SKIP_NON_TCP])) \
	X(ip_fragment, COUNT, "frames", "skipped: an IP fragment", out_u64(o, c->skipped[SKIP_IP_FRAGMENT])) \
	X(truncated, COUNT, "frames", "skipped: cut before the TCP header's end", \
	    out_u64(o, c->skipped[SKIP_TRUNCATED])) \
	X(bad_ip_header, COUNT, "frames", "skipped: a malformed IP header", \
	    out_u64(o, c->skipped[SKIP_BAD_IP])) \
	X(bad_tcp_header, COUNT, "frames", "skipped: a malformed TCP header", \
	    out_u64(o, c->skipped[SKIP_BAD_TCP])) \
	X(bad_timestamp, COUNT, "frames", "skipped: a timestamp out of range", \
	    out_u64(o, c->skipped[SKIP_BAD_TIME])) \
	X(filtered, COUNT, "frames", "skipped: left out by the BPF filter (-b)", \
	    out_u64(o, c->skipped[SKIP_FILTERED])) \
	X(outside_window, COUNT, "frames", "skipped: outside the time window (-A, -B)", \
	    out_u64(o, c->skipped[SKIP_OUT_OF_WINDOW])) \
	X(bad_options, COUNT, "segments", "segments with malformed or cut TCP options", out_u64(o, c->opt_bad)) \
	X(ip_len_beyond_frame, COUNT, "segments", "segments whose IP length claimed more than the frame carried", \
	    out_u64(o, c->ip_len_cut)) \
	X(ts_backwards, COUNT, "frames", "frames timestamped before the frame before them", out_u64(o, c->ts_back)) \
	X(ts_backwards_frame, COUNT, "-", "the first of them (1-based), - when none", \
	    out_opt_u64(o, c->ts_back != 0, c->ts_back_frame)) \
	X(partial, BOOL, "-", "1 when a file was cut or damaged: read up to the fault", \
	    out_u64(o, c->damaged != 0)) \
	X(damage_frame, COUNT, "-", "the first such file's frame that could not be read (1-based), - when whole", \
	    out_opt_u64(o, c->damaged != 0, c->damage_frame)) \
	X(damage_offset, COUNT, "bytes", "the byte offset of its record or block, - when whole or unknown", \
	    out_opt_u64(o, c->damaged != 0 && c->damage_offset >= 0, (uint64_t)c->damage_offset))

static const struct column capture_stats_cols[] = { CAPTURE_STATS_COLUMNS(COL_ROW) };
const struct col_part capture_stats_part = COL_PART(capture_stats_cols, 0);

void capture_stats_row(struct out *o, const struct capture *c)
{
	uint64_t skipped = 0;
	for (int i = 1; i < SKIP_NREASONS; i++)
		skipped += c->skipped[i];
	int sep = 0;
	CAPTURE_STATS_COLUMNS(COL_EMIT)
}

void capture_stats_write(const char *path, const struct capture *c,
    const struct col_part *extra, void (*more)(struct out *, void *), void *ctx)
{
	static struct out o;
	o.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	o.name = path;
	o.len = 0;
	if (o.fd < 0)
		err(1, "%s", path);
	struct record_def def = { 1, { capture_stats_part } };
	if (extra)
		def.part[def.nparts++] = *extra;
	record_header(&o, &def);
	capture_stats_row(&o, c);
	if (more)
		more(&o, ctx);
	out_nl(&o);
	out_close(&o);
}
