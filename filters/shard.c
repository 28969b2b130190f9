/* shard: split a record stream into N record streams by the value of one
 * column, so that a per-connection filter can run as N processes. Each
 * stream gets the header line and its records in input order; they go to
 * files, or to N copies of a command whose outputs are merged into one
 * stream with one header. See shard(1). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "digits.h"
#include "out.h"
#include "tsv.h"
#include "util.h"

#define SHARD_MAX 256
/* The merger's exit status when its standard output was closed. */
#define MERGE_GONE 3

_Noreturn static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: shard [-h] -c column -n count [-i file] [-o pattern] [command [arg ...]]\n");
	exit(status);
}

/* -o's pattern split around its one %d; "%%" stands for '%'. */
struct pattern {
	char *pre, *post;
};

static char *unescape(const char *s, size_t n)
{
	char *r = xrealloc(NULL, n + 1), *w = r;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%')
			i++; /* checked: the next byte is '%' */
		*w++ = s[i];
	}
	*w = 0;
	return r;
}

static void parse_pattern(const char *s, struct pattern *p)
{
	const char *d = NULL;
	for (const char *q = s; *q; q++) {
		if (*q != '%')
			continue;
		if (q[1] == '%') {
			q++;
		} else if (q[1] == 'd' && !d) {
			d = q++;
		} else {
			errx(2, "-o: the pattern takes one %%d and %%%% only: '%s'", s);
		}
	}
	if (!d)
		errx(2, "-o: the pattern has no %%d for the shard number: '%s'", s);
	p->pre = unescape(s, (size_t)(d - s));
	p->post = unescape(d + 2, strlen(d + 2));
}

static char *shard_name(const struct pattern *p, int k)
{
	size_t n = strlen(p->pre) + strlen(p->post) + 12;
	char *s = xrealloc(NULL, n);
	snprintf(s, n, "%s%d%s", p->pre, k, p->post);
	return s;
}

static int open_output(const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		err(1, "%s", name);
	return fd;
}

/* The processes started, stopped when shard fails or is stopped, so that
 * no command reports on a part of its input as if it were all of it. */
static pid_t kids[SHARD_MAX + 1];
static int nkids, finished;

static void stop_kids(void)
{
	if (finished)
		return;
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
}

static void on_signal(int sig)
{
	stop_kids();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Starts argv with standard input from a new pipe (returned, the write
 * end) and standard output to fd_out. */
static int spawn(char **argv, int fd_out)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		err(1, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		nkids = 0; /* its siblings are not this process's to stop */
		/* the command sees a pipeline's usual SIGPIPE, not shard's */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[0], 0) < 0 || dup2(fd_out, 1) < 0) {
			warn("dup2");
			_exit(126);
		}
		execvp(argv[0], argv);
		/* the shell's statuses; _exit: shard's exit handlers are not
		 * this process's */
		int e = errno;
		warn("%s", argv[0]);
		_exit(e == ENOENT ? 127 : 126);
	}
	kids[nkids++] = pid;
	close(p[0]);
	return p[1];
}

/* ---- The merger: a process of its own, so that feeding the commands
 * (which may block) and draining their outputs never wait on each other.
 * It copies whole lines from the commands to standard output, the first
 * header line once, and checks that every command printed the same. */

struct src {
	int fd;
	char *buf;
	size_t len, cap;
	int header_done;
};

static char *merged_header;
static size_t merged_headerlen;

static void merge_line(struct src *s, int k, const char *line, size_t n)
{
	if (s->header_done) {
		out_mem(&out_stdout, line, n);
		out_nl(&out_stdout);
		return;
	}
	s->header_done = 1;
	if (!merged_header) {
		merged_header = xrealloc(NULL, n + 1);
		memcpy(merged_header, line, n);
		merged_headerlen = n;
		out_mem(&out_stdout, line, n);
		out_nl(&out_stdout);
	} else if (n != merged_headerlen || memcmp(line, merged_header, n) != 0) {
		errx(1, "command %d's header line differs from the others': '%.*s'",
		    k, (int)(n > 60 ? 60 : n), line);
	}
}

/* Reads what src k has; 0 at its end. */
static int merge_read(struct src *s, int k)
{
	if (s->cap - s->len < 65536) {
		s->cap = s->cap ? 2 * s->cap : 1 << 20;
		s->buf = xrealloc(s->buf, s->cap);
	}
	ssize_t r = read(s->fd, s->buf + s->len, s->cap - s->len);
	if (r < 0 && errno == EINTR)
		return 1;
	if (r < 0)
		err(1, "reading the output of command %d", k);
	size_t done = 0;
	if (r == 0) {
		/* a last line without its newline still counts */
		if (s->len)
			merge_line(s, k, s->buf, s->len);
		close(s->fd);
		return 0;
	}
	size_t old = s->len;
	s->len += (size_t)r;
	char *nl, *from = s->buf + old;
	while ((nl = memchr(from, '\n', (size_t)(s->buf + s->len - from)))) {
		merge_line(s, k, s->buf + done, (size_t)(nl - (s->buf + done)));
		done = (size_t)(nl - s->buf) + 1;
		from = nl + 1;
	}
	/* the bound of every record reader (tsv.h): a command that writes
	 * without end takes no more memory than that */
	if (s->len - done > TSV_LINE_MAX)
		errx(1, "command %d wrote a line of more than %u bytes", k, TSV_LINE_MAX);
	memmove(s->buf, s->buf + done, s->len - done);
	s->len -= done;
	return 1;
}

_Noreturn static void merge(const int *fds, int n)
{
	struct src *src = xcalloc((size_t)n, sizeof *src);
	struct pollfd *pfd = xcalloc((size_t)n, sizeof *pfd);
	int open_n = n;
	for (int k = 0; k < n; k++) {
		src[k].fd = fds[k];
		pfd[k].fd = fds[k];
		pfd[k].events = POLLIN;
	}
	out_stdout.keep_going = 1;
	while (open_n > 0 && !out_stdout.gone) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (int k = 0; k < n; k++) {
			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			if (!merge_read(&src[k], k)) {
				pfd[k].fd = -1;
				open_n--;
			}
		}
	}
	out_flush(&out_stdout);
	if (out_stdout.gone)
		exit(MERGE_GONE);
	out_close(&out_stdout);
	exit(0);
}

/* Forks the merger on the read ends fds; the parent closes them. wfds are
 * the parent's pipes into the commands, which the merger must not hold
 * open (a command would never see its input end). */
static pid_t start_merger(int *fds, int n, const struct out *sinks)
{
	pid_t pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		nkids = 0; /* not the merger's to stop */
		for (int k = 0; k < n; k++)
			close(sinks[k].fd);
		merge(fds, n);
	}
	kids[nkids++] = pid;
	for (int k = 0; k < n; k++)
		close(fds[k]);
	return pid;
}

/* ---- Splitting. */

/* A whole number goes to shard value mod n (connection ids are dense, so
 * the shards get even shares); any other value (such as '-') by its
 * FNV-1a hash. */
static int shard_of(const char *p, uint32_t len, unsigned n)
{
	uint64_t v;
	if (digits_field(p, len, &v) != 1) {
		v = 14695981039346656037ULL;
		for (uint32_t i = 0; i < len; i++)
			v = (v ^ (unsigned char)p[i]) * 1099511628211ULL;
	}
	return (int)(v % n);
}

static void split(struct tsv *in, int col, struct out *sinks, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		out_mem(&sinks[k], in->header, in->headerlen);
		out_nl(&sinks[k]);
	}
	while (tsv_next_line(in)) {
		tsv_index(in);
		uint32_t start = in->tab[col - 1] + 1;
		struct out *o = &sinks[shard_of(in->rec + start, in->tab[col] - start, n)];
		/* the index dropped a final CR: so does the copy */
		size_t len = in->reclen;
		if (len && in->rec[len - 1] == '\r')
			len--;
		out_mem(o, in->rec, len);
		out_nl(o);
	}
	for (unsigned k = 0; k < n; k++)
		out_close(&sinks[k]);
}

/* Exit status of a command as a shell reports it. */
static int shell_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Waits for the commands and the merger (the last process, when
 * merging). The first command that failed decides the status, else the
 * merger. Commands killed by SIGPIPE after the merger stopped reading
 * (its reader went away, or it failed and said why) are not at fault. */
static int wait_all(const char *cmd, int merging)
{
	int st[SHARD_MAX + 1];
	for (int i = 0; i < nkids; i++)
		while (waitpid(kids[i], &st[i], 0) < 0)
			if (errno != EINTR)
				err(1, "waitpid");
	int ncmd = merging ? nkids - 1 : nkids;
	int mst = merging ? shell_status(st[nkids - 1]) : 0;
	for (int i = 0; i < ncmd; i++) {
		if (shell_status(st[i]) == 0)
			continue;
		if (WIFSIGNALED(st[i]) && WTERMSIG(st[i]) == SIGPIPE && mst != 0)
			continue;
		if (WIFSIGNALED(st[i]))
			warnx("command %d (%s) killed by signal %d", i, cmd, WTERMSIG(st[i]));
		else
			warnx("command %d (%s) exited with status %d", i, cmd, shell_status(st[i]));
		return shell_status(st[i]);
	}
	return mst == MERGE_GONE ? 0 : mst;
}

int main(int argc, char *argv[])
{
	const char *column = NULL, *input = "-", *pat = NULL;
	unsigned n = 0;
	int ch;

	tool_init(argv[0]);
	/* '+': options end at the command, whose own options are its own */
	while ((ch = tool_getopt(argc, argv, "+c:hi:n:o:", NULL)) != -1) {
		switch (ch) {
		case 'c':
			column = optarg;
			break;
		case 'h':
			usage(0);
		case 'i':
			input = optarg;
			break;
		case 'n':
			n = (unsigned)parse_count_arg("-n", optarg, 1, SHARD_MAX);
			break;
		case 'o':
			pat = optarg;
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (!column || !n)
		usage(2);
	if (!argc && !pat)
		errx(2, "nowhere to write: give a command or -o pattern");
	struct pattern p = { 0 };
	if (pat)
		parse_pattern(pat, &p);

	struct tsv in;
	tsv_open(&in, input);
	if (in.ncols == 0)
		errx(1, "%s: empty input: no header line", in.path);
	int col = tsv_col(&in, column);
	if (col < 0)
		errx(1, "%s: input has no column '%s'", in.path, column);

	struct out *sinks = xcalloc(n, sizeof *sinks);
	char **names = xcalloc(n, sizeof *names);
	atexit(stop_kids);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (!argc) {
		for (unsigned k = 0; k < n; k++) {
			names[k] = shard_name(&p, (int)k);
			sinks[k].fd = open_output(names[k]);
			sinks[k].name = names[k];
		}
	} else {
		int *outs = xcalloc(n, sizeof *outs);
		for (unsigned k = 0; k < n; k++) {
			int o[2];
			if (pat) {
				names[k] = shard_name(&p, (int)k);
				o[1] = open_output(names[k]);
			} else if (pipe2(o, O_CLOEXEC) < 0) {
				err(1, "pipe");
			}
			sinks[k].fd = spawn(argv, o[1]);
			sinks[k].keep_going = 1;
			close(o[1]);
			outs[k] = o[0];
		}
		if (!pat)
			start_merger(outs, (int)n, sinks);
		free(outs);
	}
	split(&in, col, sinks, n);
	tsv_close(&in);
	for (unsigned k = 0; k < n; k++)
		free(names[k]);
	free(names);
	free(sinks);
	free(p.pre);
	free(p.post);

	finished = 1;
	return wait_all(argv[0], argc && !pat);
}
