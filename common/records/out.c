#include "out.h"

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct out out_stdout = { .fd = 1 };

const char out_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* "0000" to "9999", each four bytes, spelt out by the preprocessor. */
#define D1(p) p "0" p "1" p "2" p "3" p "4" p "5" p "6" p "7" p "8" p "9"
#define D2(p) D1(p "0") D1(p "1") D1(p "2") D1(p "3") D1(p "4") \
	D1(p "5") D1(p "6") D1(p "7") D1(p "8") D1(p "9")
#define D3(p) D2(p "0") D2(p "1") D2(p "2") D2(p "3") D2(p "4") \
	D2(p "5") D2(p "6") D2(p "7") D2(p "8") D2(p "9")
#define D4(p) D3(p "0") D3(p "1") D3(p "2") D3(p "3") D3(p "4") \
	D3(p "5") D3(p "6") D3(p "7") D3(p "8") D3(p "9")
const char out_digit4[4 * (10000 + 1)] = D4("");
#undef D1
#undef D2
#undef D3
#undef D4

void out_flush(struct out *o)
{
	size_t off = 0;
	if (o->gone)
		o->len = 0;
	while (off < o->len) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE && o->keep_going) {
			o->gone = 1;
			break;
		}
		if (n < 0 && errno == EPIPE)
			exit(0); /* the reader went away: not our failure */
		if (n < 0)
			err(1, "write error on %s", o->name ? o->name : "standard output");
		off += (size_t)n;
	}
	o->len = 0;
}

void out_close(struct out *o)
{
	out_flush(o);
	/* Some file systems (NFS) report a full disk only at close. */
	if (close(o->fd) < 0 && errno != EINTR)
		err(1, "write error on %s", o->name ? o->name : "standard output");
}

void out_fixed(struct out *o, int64_t whole, uint64_t frac, int digits)
{
	char tmp[24];
	out_i64(o, whole);
	out_chr(o, '.');
	for (int i = digits - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	out_mem(o, tmp, (size_t)digits);
}

void out_hex(struct out *o, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out_room(o, 2);
		o->buf[o->len++] = hex[p[i] >> 4];
		o->buf[o->len++] = hex[p[i] & 15];
	}
}

void out_text(struct out *o, const char *s)
{
	if (!s || !*s) {
		out_dash(o);
		return;
	}
	for (; *s; s++) {
		char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 0;
		if (e) {
			out_chr(o, '\\');
			out_chr(o, e);
		} else {
			out_chr(o, *s);
		}
	}
}

void out_addr(struct out *o, int ipv, const uint8_t *a)
{
	if (ipv == 4) {
		for (int i = 0; i < 4; i++) {
			if (i)
				out_chr(o, '.');
			out_u64(o, a[i]);
		}
		return;
	}
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, a, buf, sizeof buf))
		buf[0] = '?', buf[1] = 0;
	out_str(o, buf);
}

void out_ts(struct out *o, int64_t ns, int digits)
{
	int64_t sec = ns / 1000000000LL, frac = ns % 1000000000LL;
	if (frac < 0)
		sec--, frac += 1000000000LL;
	out_fixed(o, sec, digits == 9 ? (uint64_t)frac : (uint64_t)frac / 1000, digits);
}

void out_opt_ts(struct out *o, int have, int64_t ns, int digits)
{
	if (have)
		out_ts(o, ns, digits);
	else
		out_dash(o);
}

void out_double(struct out *o, double v, int digits)
{
	if (isnan(v)) {
		out_dash(o);
		return;
	}
	uint64_t scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	int neg = v < 0;
	double a = neg ? -v : v;
	if (!(a < 9e18)) {
		/* beyond the integer path (and inf): rare, so stdio will do */
		char big[400];
		snprintf(big, sizeof big, "%.*f", digits, v);
		out_str(o, big);
		return;
	}
	uint64_t whole = (uint64_t)a;
	uint64_t frac = (uint64_t)llround((a - (double)whole) * (double)scale);
	if (frac >= scale) {
		whole++;
		frac -= scale;
	}
	if (neg && (whole || frac))
		out_chr(o, '-');
	if (digits == 0) {
		out_u64(o, whole);
		return;
	}
	out_fixed(o, (int64_t)whole, frac, digits);
}

void out_double_exact(struct out *o, double v, int digits)
{
	char buf[400];
	int n = snprintf(buf, sizeof buf, "%.*f", digits, v);
	if (n < 0 || (size_t)n >= sizeof buf)
		errx(1, "internal error: a number too long to print");
	out_mem(o, buf, (size_t)n);
}
