/* Small helpers every tool uses: its name for messages, argument parsing. */
#ifndef UTIL_H
#define UTIL_H
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

/* Sets the name err(3) and warn(3) print; ignores SIGPIPE so a closed
 * pipe shows up as EPIPE on write, which the writer treats as the end. */
void tool_init(const char *argv0);

/* Every tool's options: getopt_long(3) over the tool's short options and
 * its long options (NULL: none), with two more that every tool has:
 * --help, returned as 'h' (each tool's -h prints its usage on standard
 * output and exits 0), and --version, which prints "NAME VERSION" (the
 * name the tool was invoked by, the file VERSION) and exits 0. */
int tool_getopt(int argc, char *const argv[], const char *shortopts, const struct option *longopts);

/* The record-writing filters' long option --schema: prints the columns of
 * the record the other options select, as TSV (column, type, unit,
 * meaning), and exits without reading input. */
enum { OPT_SCHEMA = 256, OPT_VERSION, OPT_CAPTURE };
extern const struct option schema_longopts[];
/* The table-writing filters' long options: --schema, and --capture NAME,
 * which puts a first column `capture` holding NAME in every record they
 * write (col_set_capture), so that rows of many captures stay traceable
 * when their tables are concatenated. */
extern const struct option table_longopts[];
/* Prints "NAME VERSION" on standard output and exits 0. */
_Noreturn void tool_version(void);

/* Parses a decimal option argument in [min, max] or exits with usage error. */
long long parse_count_arg(const char *opt, const char *arg, long long min, long long max);

/* Parses seconds with an optional fraction ("1.5"), "inf" or a huge
 * number for no limit, or exits: NaN and negative values are errors. */
double parse_seconds_arg(const char *opt, const char *arg);
/* Seconds as int64 nanoseconds, INT64_MAX (no limit) when they do not
 * fit, inf included. s must not be NaN or negative. */
int64_t seconds_to_ns(double s);

/* Allocation that ends the tool with a message when memory runs out. */
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t sz);
char *xstrdup(const char *s);

/* Value of a hex digit, or -1. */
int hexval(char ch);

#endif
