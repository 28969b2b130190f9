#include "util.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct option schema_longopts[] = {
	{ "schema", no_argument, NULL, OPT_SCHEMA },
	{ NULL, 0, NULL, 0 },
};

const struct option table_longopts[] = {
	{ "schema", no_argument, NULL, OPT_SCHEMA },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ NULL, 0, NULL, 0 },
};


/* At exit: what went through stdio's stdout (the usage on -h) must have
 * been written; a closed pipe is the reader's choice, not an error. */
static void check_stdout(void)
{
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE) {
		warn("write error on standard output");
		_exit(1);
	}
}

void tool_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	program_invocation_short_name = (char *)(slash ? slash + 1 : argv0);
	signal(SIGPIPE, SIG_IGN);
	atexit(check_stdout);
	/* Records stream through pipes by the hundred megabytes: larger pipe
	 * buffers mean far fewer context switches between the stages. Not a
	 * pipe, or not allowed: nothing changes. */
	for (int fd = 0; fd <= 1; fd++)
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

long long parse_count_arg(const char *opt, const char *arg, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		errx(2, "%s: expected a whole number from %lld to %lld, got '%s'",
		    opt, min, max, arg);
	return v;
}

double parse_seconds_arg(const char *opt, const char *arg)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end == arg || *end)
		errx(2, "%s: expected a number of seconds, got '%s'", opt, arg);
	if (isnan(v))
		errx(2, "%s: expected a number of seconds, got '%s' (not a number)", opt, arg);
	if (v < 0)
		errx(2, "%s: expected a number of seconds, got '%s' (negative)", opt, arg);
	/* ERANGE: an overflow is infinite (no limit), an underflow is 0 */
	return v;
}

int64_t seconds_to_ns(double s)
{
	/* from 2^63 ns (292 years) on, and for inf: no limit */
	if (!(s * 1e9 < 9223372036854775807.0))
		return INT64_MAX;
	return (int64_t)(s * 1e9);
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		err(1, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		err(1, "out of memory");
	return q;
}

void *xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		errx(1, "out of memory");
	return xrealloc(p, n * sz);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		err(1, "out of memory");
	return p;
}

int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

void tool_version(void)
{
	printf("%s %s\n", program_invocation_short_name, MPTCP_TOOLS_VERSION);
	exit(0); /* check_stdout reports a write error */
}

int tool_getopt(int argc, char *const argv[], const char *shortopts, const struct option *longopts)
{
	/* the tool's long options and ours, made once per table (a tool
	 * parses one argument list, with one table) */
	static struct option *all;
	static const struct option *made_for;
	if (!all || made_for != longopts) {
		size_t n = 0;
		while (longopts && longopts[n].name)
			n++;
		all = xreallocarray(all, n + 3, sizeof *all);
		for (size_t i = 0; i < n; i++)
			all[i] = longopts[i];
		all[n] = (struct option){ "help", no_argument, NULL, 'h' };
		all[n + 1] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
		all[n + 2] = (struct option){ NULL, 0, NULL, 0 };
		made_for = longopts;
	}
	int ch = getopt_long(argc, argv, shortopts, all, NULL);
	if (ch == OPT_VERSION)
		tool_version();
	return ch;
}
