#include "source.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int capture_magic(const unsigned char *m)
{
	uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	return (m[0] == 0x1f && m[1] == 0x8b) || be == 0xa1b2c3d4 || be == 0xd4c3b2a1 ||
	    be == 0xa1b23c4d || be == 0x4d3cb2a1 || be == 0x0a0d0d0a;
}

/* The first 4 bytes of the pipe on standard input, left in it: tee(2)
 * copies them into a pipe of our own. tee gives what the pipe holds, so
 * while fewer than 4 bytes are there and the writer is still open, wait
 * for more. Returns the bytes got, -1 on an error. */
static ssize_t peek_pipe(unsigned char *m)
{
	int p[2];
	ssize_t n;
	if (pipe(p) < 0)
		return -1;
	for (;;) {
		n = tee(0, p[1], 4, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || n >= 4)
			break;
		struct pollfd pf = { .fd = 0, .events = POLLIN };
		if (poll(&pf, 1, 0) < 0 || (pf.revents & (POLLHUP | POLLERR)))
			break; /* no writer: the input is that short */
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		/* a later tee copies from the start again: empty ours */
		unsigned char junk[4];
		if (read(p[0], junk, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	if (n > 0 && read(p[0], m, (size_t)n) != n)
		n = -1;
	close(p[0]);
	close(p[1]);
	return n;
}

/* Whether standard input starts like a capture, looked at without
 * taking its bytes: a file at its offset, a pipe through tee(2); any
 * other kind (a terminal, a socket) is taken for records. */
static int stdin_is_capture(void)
{
	unsigned char m[4];
	struct stat st;
	ssize_t n = -1;
	if (fstat(0, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		off_t at = lseek(0, 0, SEEK_CUR);
		n = at < 0 ? -1 : pread(0, m, 4, at);
	} else if (S_ISFIFO(st.st_mode)) {
		n = peek_pipe(m);
	}
	return n == 4 && capture_magic(m);
}

int source_is_capture(const char *path)
{
	unsigned char m[4];
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	/* A pipe (bash's <(...)) cannot be read twice: what a look at its
	 * first bytes takes is gone. It holds records, like stdin. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	ssize_t n = read(fd, m, 4);
	close(fd);
	return n == 4 && capture_magic(m);
}

static int open_next_capture(struct source *s)
{
	while (*s->files) {
		const char *path = *s->files++;
		if (capture_open(&s->cap, path) == 0)
			return 1;
		s->status = 1;
	}
	return 0;
}

void source_open(struct source *s, char **files, const struct flow_opts *fo,
    const struct capture_sel *sel, const int *need)
{
	static char *stdin_only[] = { "-", NULL };
	memset(s, 0, sizeof *s);
	int on_stdin = !files || !files[0] || (strcmp(files[0], "-") == 0 && !files[1]);
	if (on_stdin ? stdin_is_capture() : source_is_capture(files[0])) {
		if (on_stdin)
			files = stdin_only;
		for (char **f = files; *f; f++)
			if (!source_is_capture(*f) && access(*f, R_OK) == 0)
				errx(1, "%s: not a capture; give either capture files or one record file", *f);
		s->from_capture = 1;
		s->files = files;
		s->cap.sel = sel;
		flowtab_init(&s->split, fo->idle_s, fo->grace_s, NULL, NULL);
		if (!open_next_capture(s))
			s->files = NULL;
		return;
	}
	if (files && files[0] && files[1])
		errx(2, "one record file at a time (or capture files)");
	if (sel && (sel->filter || sel->has_from || sel->has_to))
		errx(2, "-b, -A and -B select frames of captures; the input is records "
		    "(give them to pcap2pkt)");
	tsv_open(&s->tsv, files && files[0] ? files[0] : "-");
	if (s->tsv.ncols == 0)
		errx(1, "%s: empty input: neither a capture nor records", s->tsv.path);
	if (tsv_col(&s->tsv, "conn") < 0 && tsv_col(&s->tsv, "frame") < 0)
		errx(1, "%s: neither a capture (pcap, pcapng, gzip) nor packet "
		    "records (no 'frame' or 'conn' column in the first line)", s->tsv.path);
	pkt_cols_bind(&s->cols, &s->tsv, need);
	s->c_conn = tsv_need(&s->tsv, "conn", "flowsplit");
	s->c_dir = tsv_need(&s->tsv, "dir", "flowsplit");
	s->c_hs = tsv_col(&s->tsv, "hs");
}

static int next_from_capture(struct source *s, struct pkt *p, struct pkt_meta *m)
{
	if (!s->files)
		return 0;
	for (;;) {
		if (capture_next(&s->cap, p)) {
			if (s->keep && !s->keep(p, s->keep_ctx))
				continue;
			int64_t now = pkt_time_ns(p);
			flowtab_expire(&s->split, now);
			struct flow *f = flowtab_packet(&s->split, p, &m->dir);
			m->conn = f->id;
			m->hs = f->hs;
			return 1;
		}
		if (s->cap.failed && !s->status)
			s->status = CAPTURE_PARTIAL;
		capture_close(&s->cap);
		if (!open_next_capture(s)) {
			s->files = NULL;
			return 0;
		}
	}
}

int source_next(struct source *s, struct pkt *p, struct pkt_meta *m)
{
	if (s->from_capture)
		return next_from_capture(s, p, m);
	if (!tsv_next_line(&s->tsv))
		return 0;
	pkt_parse(p, &s->cols, &s->tsv);
	m->conn = tsv_u64(&s->tsv, s->c_conn);
	if (tsv_eq(&s->tsv, s->c_dir, "c2s"))
		m->dir = DIR_C2S;
	else if (tsv_eq(&s->tsv, s->c_dir, "s2c"))
		m->dir = DIR_S2C;
	else
		tsv_bad(&s->tsv, s->c_dir, "expected c2s or s2c, got");
	m->hs = s->c_hs >= 0 ? (int)tsv_u64(&s->tsv, s->c_hs) : 1;
	return 1;
}

void source_want(struct source *s)
{
	pkt_cols_want(&s->cols, &s->tsv);
	tsv_want(&s->tsv, s->c_conn);
	tsv_want(&s->tsv, s->c_dir);
	tsv_want(&s->tsv, s->c_hs);
}

int source_close(struct source *s)
{
	if (s->from_capture) {
		flowtab_finish(&s->split);
		return s->status;
	}
	pkt_cols_free(&s->cols);
	tsv_close(&s->tsv);
	return 0;
}
