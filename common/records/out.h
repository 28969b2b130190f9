/* Buffered TSV writer for stdout: integers, timestamps and addresses are
 * formatted by hand because printf dominates the hot path otherwise. */
#ifndef OUT_H
#define OUT_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OUT_BUFSZ (1 << 18)

struct out {
	int fd;
	/* For a writer other than a filter's standard output: messages name
	 * `name` (NULL: "standard output"); with keep_going, a reader that
	 * went away (EPIPE) sets `gone` and the data is dropped, instead of
	 * ending the tool with status 0 (shard feeds several commands and
	 * must outlive one that stops). */
	const char *name;
	int keep_going, gone;
	size_t len;
	char buf[OUT_BUFSZ];
};

extern struct out out_stdout;

void out_flush(struct out *o);
/* Flush and report a write error; returns only on success. */
void out_close(struct out *o);

static inline void out_room(struct out *o, size_t n)
{
	if (o->len + n > OUT_BUFSZ)
		out_flush(o);
}

static inline void out_mem(struct out *o, const void *p, size_t n)
{
	if (n > OUT_BUFSZ / 2) {
		out_flush(o);
		size_t off = 0;
		while (n - off > OUT_BUFSZ / 2) {
			memcpy(o->buf, (const char *)p + off, OUT_BUFSZ / 2);
			o->len = OUT_BUFSZ / 2;
			out_flush(o);
			off += OUT_BUFSZ / 2;
		}
		p = (const char *)p + off;
		n -= off;
	}
	out_room(o, n);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static inline void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static inline void out_chr(struct out *o, char c)
{
	out_room(o, 1);
	o->buf[o->len++] = c;
}

static inline void out_tab(struct out *o) { out_chr(o, '\t'); }
static inline void out_nl(struct out *o) { out_chr(o, '\n'); }
static inline void out_dash(struct out *o) { out_chr(o, '-'); }

/* Writes the decimal digits of v into the end of a 20-byte buffer and
 * returns the first digit's position. */
static inline char *u64_digits(uint64_t v, char *end)
{
	char *p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

/* The decimal writers of the cursor writers (pcap2pkt's record, the
 * tags of flowsplit and mptcp-join): write at w, return the end.
 * Integers are written in blocks of four digits from a table of all
 * 10,000 of them (made by the compiler, out.c): one division by a
 * constant (a multiplication) and one 4-byte copy per block, no loop.
 * The table is padded so that a copy may read up to 3 bytes past its
 * last entry. Inlined whatever the compiler's size limits say: a record
 * is some fifty small fields, and the calls cost more than most. */
#define OUT_HOT static inline __attribute__((always_inline))
extern const char out_digit_pairs[201];
extern const char out_digit4[4 * (10000 + 1)];
/* The most put_u64 touches at w: 20 digits; a number of 3 touches 4. */
#define PUT_U64_MAX 20

OUT_HOT char *put4_fixed(char *w, uint32_t v)
{
	memcpy(w, out_digit4 + 4 * (size_t)(v), 4);
	return w + 4;
}

OUT_HOT char *put8_fixed(char *w, uint32_t v)
{
	uint32_t hi = v / 10000;
	memcpy(w, out_digit4 + 4 * (size_t)(hi), 4);
	memcpy(w + 4, out_digit4 + 4 * (size_t)(v - hi * 10000), 4);
	return w + 8;
}

/* v < 10^6, all six digits. */
OUT_HOT char *put6_fixed(char *w, uint32_t v)
{
	uint32_t hi = v / 10000;
	memcpy(w, out_digit_pairs + 2 * hi, 2);
	memcpy(w + 2, out_digit4 + 4 * (size_t)(v - hi * 10000), 4);
	return w + 6;
}

/* 1 to 4 digits, no leading zeros; 3 and 4 digits are the table's last
 * ones, copied as 4 bytes (one beyond a 3-digit number, in the slack). */
OUT_HOT char *put4(char *w, uint32_t v)
{
	if (v < 10) {
		*w = (char)('0' + v);
		return w + 1;
	}
	if (v < 100) {
		memcpy(w, out_digit_pairs + 2 * v, 2);
		return w + 2;
	}
	uint32_t skip = v < 1000;
	memcpy(w, out_digit4 + 4 * (size_t)(v) + skip, 4);
	return w + 4 - skip;
}

OUT_HOT char *put_u32(char *w, uint32_t v)
{
	if (v < 10000)
		return put4(w, v);
	if (v < 100000000) {
		uint32_t hi = v / 10000;
		return put4_fixed(put4(w, hi), v - hi * 10000);
	}
	uint32_t q = v / 100000000; /* 1 to 42 */
	return put8_fixed(put4(w, q), v - q * 100000000);
}

OUT_HOT char *put_u64(char *w, uint64_t v)
{
	if (v <= UINT32_MAX)
		return put_u32(w, (uint32_t)v);
	uint64_t hi = v / 100000000;
	uint32_t lo = (uint32_t)(v - hi * 100000000);
	if (hi <= UINT32_MAX)
		w = put_u32(w, (uint32_t)hi);
	else
		w = put8_fixed(put_u32(w, (uint32_t)(hi / 100000000)), (uint32_t)(hi % 100000000));
	return put8_fixed(w, lo);
}

static inline void out_u64(struct out *o, uint64_t v)
{
	char tmp[24], *e = tmp + sizeof tmp, *p = u64_digits(v, e);
	out_mem(o, p, (size_t)(e - p));
}

static inline void out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		out_chr(o, '-');
		out_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		out_u64(o, (uint64_t)v);
	}
}

/* A tab, then v. */
static inline void out_tab_u64(struct out *o, uint64_t v)
{
	out_tab(o);
	out_u64(o, v);
}

/* A tab, then v, or "-" when the value is missing. */
static inline void out_tab_opt_u64(struct out *o, int have, uint64_t v)
{
	out_tab(o);
	if (have)
		out_u64(o, v);
	else
		out_dash(o);
}

/* The value, or "-" when it is missing (no tab). */
static inline void out_opt_u64(struct out *o, int have, uint64_t v)
{
	if (have)
		out_u64(o, v);
	else
		out_dash(o);
}

static inline void out_opt_i64(struct out *o, int have, int64_t v)
{
	if (have)
		out_i64(o, v);
	else
		out_dash(o);
}

/* An identifier (MPTCP key, token, nonce, IDSN) as fixed-width lower-case
 * hex: "0x" and `ndig` digits (16 for 64 bits, 8 for 32), leading zeros
 * kept, so that loaders read it as text, never as a rounded number.
 * Writes at w and returns the end (2 + ndig bytes): the one hex writer,
 * for the cursor of pcap2pkt's record writer and for out_idhex. */
static inline char *hex_fixed(char *w, uint64_t v, int ndig)
{
	static const char hexdig[16] = "0123456789abcdef";
	w[0] = '0';
	w[1] = 'x';
	for (int i = ndig + 1; i >= 2; i--, v >>= 4)
		w[i] = hexdig[v & 15];
	return w + 2 + ndig;
}
#define HEX_FIXED_MAX 18 /* "0x" + 16 digits */

static inline void out_idhex(struct out *o, uint64_t v, int ndig)
{
	out_room(o, HEX_FIXED_MAX);
	o->len = (size_t)(hex_fixed(o->buf + o->len, v, ndig) - o->buf);
}

/* The same, or "-" when the value is missing. */
static inline void out_opt_idhex(struct out *o, int have, uint64_t v, int ndig)
{
	if (have)
		out_idhex(o, v, ndig);
	else
		out_dash(o);
}

/* Fixed-point number: whole part, then `digits` fraction digits of frac
 * (frac < 10^digits). Used for timestamps and milliseconds. */
void out_fixed(struct out *o, int64_t whole, uint64_t frac, int digits);
/* Lower-case hex of a byte string. */
void out_hex(struct out *o, const uint8_t *p, size_t n);
/* Text from a capture (an interface name), "-" when NULL or empty:
 * backslash, tab, newline and carriage return escaped as \\ \t \n \r. */
void out_text(struct out *o, const char *s);
/* IPv4 (4 bytes) or IPv6 (16 bytes) address in inet_ntop form. */
void out_addr(struct out *o, int ipv, const uint8_t *a);
/* A capture time in nanoseconds since the epoch as seconds with `digits`
 * (6 or 9) fraction digits, floored: the one timestamp writer. */
void out_ts(struct out *o, int64_t ns, int digits);
/* The same, or "-" when the value is missing. */
void out_opt_ts(struct out *o, int have, int64_t ns, int digits);
/* A double with `digits` fraction digits, rounded; NaN prints as "-". */
void out_double(struct out *o, double v, int digits);
/* The same as printf's "%.*f" prints it, to the last digit (out_double
 * rounds twice, once to the scale and once to the whole): for numbers
 * that must match what awk's sprintf printed before (mptcp-derive). */
void out_double_exact(struct out *o, double v, int digits);

#endif
