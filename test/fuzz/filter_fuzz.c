/* libFuzzer target: one filter's main() on the input, with options picked
 * by the input's first byte (FUZZ_TARGET picks the filter; test/fuzz/run
 * compiles the filter with -Dmain=filter_main).
 *
 * The filters end on bad input with errx(), and exit without freeing what
 * they hold: run in-process, every refused input would leak its reader's
 * buffers. So each input runs in a child process, where errx is an exit
 * like any other, and the child hands its coverage counters back to the
 * fuzzer before it leaves. A child killed by a signal (an ASan or UBSan
 * report, a crash) makes this process abort, so the fuzzer keeps the
 * input; a child that hangs trips the fuzzer's -timeout here. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int filter_main(int argc, char *argv[]);

/* libFuzzer's edge counters (counters.c) */
uint8_t *fuzz_counters(size_t *n);

static uint8_t *shared_counters;
static int in_child;

/* Leaks are not what these targets look for (make sanitize checks the
 * tools' own exits); the children leave without freeing. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0:abort_on_error=1";
}

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}

/* The child's memory, checked every 20 ms: the fuzzer watches only its
 * own process, and a memory bomb is what these targets look for too. */
#define CHILD_RSS_MAX_KB (1536L * 1024)

static void check_rss(int sig)
{
	struct rusage ru;
	(void)sig;
	if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > CHILD_RSS_MAX_KB) {
		static const char msg[] = "filter_fuzz: the child took more than 1.5 GB\n";
		(void)!write(2, msg, sizeof msg - 1);
		abort();
	}
}

static _Noreturn void child_exit(void)
{
	size_t n;
	uint8_t *c = fuzz_counters(&n);
	memcpy(shared_counters, c, n);
	_exit(0);
}

/* The tools' error exits, silent here (but with FUZZ_DEBUG set). */
void errx(int status, const char *fmt, ...)
{
	(void)status;
	if (getenv("FUZZ_DEBUG")) {
		va_list ap;
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (in_child)
		child_exit();
	_exit(1);
}

void err(int status, const char *fmt, ...)
{
	(void)status, (void)fmt;
	if (in_child)
		child_exit();
	_exit(1);
}

void warnx(const char *fmt, ...)
{
	(void)fmt;
}

void warn(const char *fmt, ...)
{
	(void)fmt;
}

static void at_exit_in_child(void)
{
	if (in_child)
		child_exit();
}

/* A file holding bytes, as a path the filter can open. */
static int file_of(const uint8_t *p, size_t n, char *path, size_t pathlen)
{
	int fd = memfd_create("input", 0);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, p + off, n - off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

#define MAXARG 24

struct args {
	int argc;
	char *argv[MAXARG];
	char buf[MAXARG][256];
};

static void add(struct args *a, const char *s)
{
	if (a->argc + 1 >= MAXARG)
		abort();
	snprintf(a->buf[a->argc], sizeof a->buf[0], "%s", s);
	a->argv[a->argc] = a->buf[a->argc];
	a->argc++;
	a->argv[a->argc] = NULL;
}

/* Several options separated by spaces. */
static void add_words(struct args *a, const char *s)
{
	char w[256];
	while (*s) {
		size_t n = strcspn(s, " ");
		if (n) {
			snprintf(w, sizeof w, "%.*s", (int)n, s);
			add(a, w);
		}
		s += n;
		s += *s == ' ';
	}
}

static const char *pick(const char *const *opts, size_t n, uint8_t sel)
{
	return opts[sel % n];
}

#define PICK(opts, sel) pick(opts, sizeof opts / sizeof opts[0], sel)

#if defined(FUZZ_AGGREGATE)
/* Column k of the header line of p (n bytes), split at delim, into w. */
static void header_col(const uint8_t *p, size_t n, char delim, int k, char *w, size_t wn)
{
	size_t i = 0;
	for (int c = 0; c < k && i < n; i++)
		if (p[i] == (uint8_t)delim)
			c++;
	else if (p[i] == '\n')
		break;
	size_t j = 0;
	while (i < n && p[i] != (uint8_t)delim && p[i] != '\n' && p[i] != '\r' && j + 1 < wn)
		w[j++] = (char)p[i++];
	w[j] = 0;
	if (!j)
		snprintf(w, wn, "x");
}
#endif

/* The filter's arguments for this input: sel picks the options, path
 * holds the records or file (d, n), path2 ifmatch's address table or
 * mptcp-derive's subflow table, path3 mptcp-derive's MPTCP table; for
 * series path to path4 its four tables. */
static void make_args(struct args *a, const uint8_t *d, size_t n, uint8_t sel,
    const char *path, const char *path2, const char *path3, const char *path4)
{
	(void)path4;
#if defined(FUZZ_FLOWSPLIT)
	static const char *const opts[] = { "", "-i 0.001", "-g 0", "-i inf -g inf" };
	add(a, "flowsplit");
	add_words(a, PICK(opts, sel));
#elif defined(FUZZ_TCP_METRICS)
	static const char *const opts[] = { "", "-e rtt -o /dev/null", "-e rexmit -o /dev/null",
		"-e ack -o /dev/null", "-e inflight -o /dev/null", "-i 0.5 -g 0" };
	add(a, "tcp-metrics");
	add_words(a, PICK(opts, sel));
#elif defined(FUZZ_MPTCP_JOIN)
	static const char *const opts[] = { "", "-s", "-g 0 -i 1" };
	add(a, "mptcp-join");
	add_words(a, PICK(opts, sel));
#elif defined(FUZZ_MPTCP_METRICS)
	static const char *const opts[] = { "", "-s", "-e bursts", "-e reinject", "-e rtt",
		"-e dack", "-e addr", "-e stall", "-e stall -T 0.001", "-e hol" };
	add(a, "mptcp-metrics");
	add_words(a, PICK(opts, sel));
#elif defined(FUZZ_SOCKS_DEST)
	static const char *const opts[] = { "-k s3cret#1", "-k x -i 1" };
	add(a, "socks-dest");
	add_words(a, PICK(opts, sel));
#elif defined(FUZZ_IFMATCH)
	/* the address table, then a NUL, then the records */
	static const char *const opts[] = { "-N", "-w 192.168.0.0/16 -c 10.0.0.0/8 -p 198.51.100.1",
		"-a c_addr,s_addr", "-w 2001:db8::/32" };
	add(a, "ifmatch");
	add_words(a, PICK(opts, sel));
	add(a, "-t");
	add(a, path2);
#elif defined(FUZZ_MPTCP_DERIVE)
	/* three tables, NUL-separated: tcp-metrics' (the address events
	 * for pm and pmevents, which read no TCP table; the burst events
	 * for burstsize and unused; the ACK events for ack; for when both
	 * -t and -X, its header naming both tables' columns), the subflows
	 * (socks-dest's for socks), mptcp-metrics' (the DATA_ACK events for
	 * ack; for when both -m and -J); the low 5 bits pick the record,
	 * the high ones directions */
	static const char *const rec[] = { "conn", "mptcp", "subflow", "burst", "share", "default",
		"share_dir", "sfrtt", "rtt", "overhead", "size", "pm", "pmevents", "socks", "burstsize", "unused",
		"ack", "when" };
	static const char *const dirs[] = { "", "-d c2s", "-b c2s", "-d s2c -b s2c" };
	size_t r = (sel & 31) % (sizeof rec / sizeof *rec);
	add(a, "mptcp-derive");
	add(a, "-r");
	add(a, rec[r]);
	add_words(a, dirs[(sel >> 5) % 4]);
	add(a, r == 11 || r == 12 ? "-a" : r == 14 || r == 15 ? "-e" : r == 16 ? "-A" : "-t");
	add(a, path);
	if (r == 17) {
		add(a, "-X");
		add(a, path);
	}
	/* socks: the second table as socks-dest's */
	add(a, r == 13 ? "-k" : "-s");
	add(a, path2);
	add(a, r == 16 ? "-D" : "-m");
	add(a, path3);
	if (r == 17) {
		add(a, "-J");
		add(a, path3);
	}
	(void)d, (void)n;
	return;
#elif defined(FUZZ_SERIES)
	/* four tables, NUL-separated: mptcp_conns, mptcp_subflows, then the
	 * record's event tables (goodput: mptcp_dack and tcp_ack; rtt:
	 * tcp_rtt; inflight: tcp-metrics -e inflight); the low bits pick the
	 * record, the next three the width, connection and direction, and
	 * bits 5-6 the mode: 1, -t (tcp_conns, its table unused, the event
	 * table: tcp_ack, tcp_rtt or the in-flight one); 2, -r trace
	 * (tcp_conns, mptcp_subflows, tcp_ack); 0 and 3 as before */
	static const char *const rec[] = { "goodput", "rtt", "inflight" };
	static const char *const more[] = { "", "-w 0.001", "-w 1 -c 1", "-d c2s -w 0.000000001",
		"-d s2c", "-c 0 -w 86400", "--capture x", "-w 0.25 -d c2s" };
	int r = (sel & 3) % 3, mode = (sel >> 5) & 3;
	add(a, "series");
	if (mode == 1)
		add(a, "-t");
	add(a, "-r");
	add(a, mode == 2 ? "trace" : rec[r]);
	add_words(a, more[(sel >> 2) % 8]);
	if (mode == 1 || mode == 2) {
		add(a, "-T");
		add(a, path);
		if (mode == 2) {
			add(a, "-S");
			add(a, path2);
		}
		add(a, mode == 2 || r == 0 ? "-A" : r == 1 ? "-R" : "-I");
		add(a, path3);
		(void)d, (void)n;
		return;
	}
	add(a, "-M");
	add(a, path);
	add(a, "-S");
	add(a, path2);
	add(a, r == 0 ? "-D" : r == 1 ? "-R" : "-I");
	add(a, path3);
	if (r == 0) {
		add(a, "-A");
		add(a, path4);
	}
	(void)d, (void)n;
	return;
#elif defined(FUZZ_CONFIG)
	/* the whole input is a configuration file, read and printed back
	 * (ifmatch -P), its prefixes parsed as ifmatch does */
	static const char *const opts[] = { "-P", "-P -w 10.1.0.0/16", "-N -P" };
	add(a, "ifmatch");
	add_words(a, PICK(opts, sel));
	add(a, "-C");
	add(a, path);
	(void)d, (void)n;
	return;
#elif defined(FUZZ_AGGREGATE)
	/* the spec names the input's own first three columns */
	static const char *const mode[] = { "", "--csv", "-d ;", "-o csv", "-s", "--csv -s" };
	char c0[64], c1[64], c2[64], w[256];
	const char *m = PICK(mode, sel);
	char delim = strstr(m, "csv") && !strstr(m, "-o") ? ',' : strstr(m, ";") ? ';' : '\t';
	header_col(d, n, delim, 0, c0, sizeof c0);
	header_col(d, n, delim, 1, c1, sizeof c1);
	header_col(d, n, delim, 2, c2, sizeof c2);
	add(a, "aggregate");
	add_words(a, m);
	switch ((sel >> 3) % 4) {
	case 0:
		add(a, "-g");
		add(a, c0);
		snprintf(w, sizeof w, "count,sum:%s,mean:%s,stdev:%s,min:%s,max:%s,median:%s,p95:%s,"
		    "distinct:%s,first:%s,last:%s,ratio:%s/%s,ratio:%s", c1, c1, c1, c1, c1, c1, c1,
		    c2, c2, c2, c1, c2, c2);
		add(a, "-a");
		add(a, w);
		break;
	case 1:
		add(a, "-c");
		add(a, c1);
		break;
	case 2:
		add(a, "-c");
		add(a, c1);
		add(a, "-w");
		add(a, c2);
		break;
	default:
		add(a, "-H");
		add(a, c1);
		add(a, "-b");
		add(a, (sel & 0x80) ? "0:1000:7" : "0,1,10,100,1e6");
		if (sel & 0x40) {
			add(a, "-w");
			add(a, c2);
		}
	}
#else
#error "FUZZ_TARGET: which filter?"
#endif
	(void)d, (void)n;
	add(a, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nc;
	uint8_t *counters = fuzz_counters(&nc);
	if (size < 1)
		return 0;
	if (!shared_counters) {
		shared_counters = mmap(NULL, nc ? nc : 1, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared_counters == MAP_FAILED)
			abort();
	}
	uint8_t sel = data[0];
	const uint8_t *d = data + 1, *table = d, *third = d, *fourth = d;
	size_t n = size - 1, tn = 0, thn = 0, fon = 0;
#if defined(FUZZ_IFMATCH)
	const uint8_t *nul = memchr(d, 0, n);
	if (nul) {
		tn = (size_t)(nul - d);
		d = nul + 1;
		n -= tn + 1;
	}
#elif defined(FUZZ_MPTCP_DERIVE)
	/* d: up to the first NUL; table: to the second; third: the rest */
	const uint8_t *nul = memchr(d, 0, n);
	if (nul) {
		size_t rest = n - (size_t)(nul - d) - 1;
		table = nul + 1;
		n = (size_t)(nul - d);
		const uint8_t *nul2 = memchr(table, 0, rest);
		tn = nul2 ? (size_t)(nul2 - table) : rest;
		if (nul2) {
			third = nul2 + 1;
			thn = rest - tn - 1;
		}
	}
#elif defined(FUZZ_SERIES)
	/* four parts at the first three NULs: d, table, third, fourth */
	const uint8_t *part[4] = { d, d, d, d };
	size_t len[4] = { n, 0, 0, 0 };
	for (int k = 0; k < 3; k++) {
		const uint8_t *nul = memchr(part[k], 0, len[k]);
		if (!nul)
			break;
		part[k + 1] = nul + 1;
		len[k + 1] = len[k] - (size_t)(nul - part[k]) - 1;
		len[k] = (size_t)(nul - part[k]);
	}
	d = part[0], n = len[0], table = part[1], tn = len[1];
	third = part[2], thn = len[2], fourth = part[3], fon = len[3];
#endif
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		in_child = 1;
		atexit(at_exit_in_child);
		signal(SIGALRM, check_rss);
		struct itimerval every = { { 0, 20000 }, { 0, 20000 } };
		setitimer(ITIMER_REAL, &every, NULL);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		char path[64], path2[64], path3[64], path4[64];
		struct args a = { 0 };
		file_of(d, n, path, sizeof path);
		file_of(table, tn, path2, sizeof path2);
		file_of(third, thn, path3, sizeof path3);
		file_of(fourth, fon, path4, sizeof path4);
		make_args(&a, d, n, sel, path, path2, path3, path4);
		filter_main(a.argc, a.argv);
		child_exit();
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			abort();
	/* the child's coverage, as if it had run here */
	memcpy(counters, shared_counters, nc);
	if (WIFSIGNALED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "filter_fuzz: the child %s %d\n",
		    WIFSIGNALED(st) ? "died of signal" : "exited with", WIFSIGNALED(st) ?
		    WTERMSIG(st) : WEXITSTATUS(st));
		abort();
	}
	return 0;
}
