/* Decimal numbers read eight digits at a time. Records are mostly
 * numbers, and a digit-by-digit loop was the largest cost of reading
 * them. The caller guarantees DIGITS_READAHEAD readable bytes from the
 * start of a number (the TSV reader pads its buffer). */
#ifndef DIGITS_H
#define DIGITS_H
#include <stdint.h>
#include <string.h>

#define DIGITS_READAHEAD 32
#define DIGITS_MAX 20 /* of a uint64_t */

/* The leading digits of w (bytes in memory order) before its first
 * non-digit byte: 0 to 8. */
static inline int digits_run(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t x = w ^ 0x3030303030303030ULL; /* digits become 0..9 */
	/* a byte is not a digit when its high nibble is set, or its low
	 * nibble plus 6 carries into the high one */
	uint64_t bad = (((x & 0x0f0f0f0f0f0f0f0fULL) + 0x0606060606060606ULL) | x) &
	    0xf0f0f0f0f0f0f0f0ULL;
	return bad ? __builtin_ctzll(bad) >> 3 : 8;
#else
	const unsigned char *b = (const unsigned char *)&w;
	int n = 0;
	while (n < 8 && b[n] >= '0' && b[n] <= '9')
		n++;
	return n;
#endif
}

/* The value of the first n (1 to 8) digit bytes of w. */
static inline uint64_t digits_value(uint64_t w, int n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* right-align the digits (the first is the most significant), so the
	 * freed low bytes are leading zeros; then combine pairs, fours, eights */
	uint64_t x = (w ^ 0x3030303030303030ULL) << (8 * (8 - n));
	x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffULL;
	x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffULL;
	return (x * 10000 + (x >> 32)) & 0xffffffffULL;
#else
	const unsigned char *b = (const unsigned char *)&w;
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(b[i] - '0');
	return v;
#endif
}

/* Reads the digits at p into *v: returns how many there were (0 when p
 * does not start with a digit), or -1 when the number exceeds UINT64_MAX
 * (more than DIGITS_MAX digits, or a 20-digit value too large). */
static inline int digits_scan(const char *p, uint64_t *v)
{
	static const uint64_t pow10[9] = { 1, 10, 100, 1000, 10000, 100000,
		1000000, 10000000, 100000000 };
	uint64_t acc = 0, w;
	int n = 0;
	for (;;) {
		memcpy(&w, p + n, 8);
		int k = digits_run(w);
		if (k) {
			uint64_t d = digits_value(w, k);
			if (n + k > 16) { /* only the third word can overflow */
				if (n + k > DIGITS_MAX || __builtin_mul_overflow(acc, pow10[k], &acc) ||
				    __builtin_add_overflow(acc, d, &acc))
					return -1;
			} else {
				acc = acc * pow10[k] + d;
			}
			n += k;
		}
		if (k < 8)
			break;
		if (n > DIGITS_MAX)
			return -1;
	}
	*v = acc;
	return n;
}

/* A whole field of n bytes at p as a number: 1, 0 when empty or not all
 * digits, -1 when all digits but above UINT64_MAX. The length is known
 * (the field's tabs), so a number takes one word per 8 digits and no
 * search for its end; one digit, the commonest, takes no word. */
static inline int digits_field(const char *p, uint32_t n, uint64_t *v)
{
	static const uint64_t pow10[9] = { 1, 10, 100, 1000, 10000, 100000,
		1000000, 10000000, 100000000 };
	uint64_t w, w2;
	if (n == 1) {
		unsigned d = (unsigned)((unsigned char)p[0] - '0');
		*v = d;
		return d <= 9;
	}
	if (n - 1 < 8) {
		memcpy(&w, p, 8);
		if (digits_run(w) < (int)n)
			return 0;
		*v = digits_value(w, (int)n);
		return 1;
	}
	if (n - 9 < 8) {
		memcpy(&w, p, 8);
		memcpy(&w2, p + 8, 8);
		if (digits_run(w) < 8 || digits_run(w2) < (int)n - 8)
			return 0;
		*v = digits_value(w, 8) * pow10[n - 8] + digits_value(w2, (int)n - 8);
		return 1;
	}
	if (n - 17 < 4) { /* 17 to 20: only 20 digits can exceed UINT64_MAX */
		uint64_t w3, hi;
		memcpy(&w, p, 8);
		memcpy(&w2, p + 8, 8);
		memcpy(&w3, p + 16, 8);
		if (digits_run(w) < 8 || digits_run(w2) < 8 || digits_run(w3) < (int)n - 16)
			return 0;
		hi = digits_value(w, 8) * 100000000 + digits_value(w2, 8);
		if (__builtin_mul_overflow(hi, pow10[n - 16], &hi) ||
		    __builtin_add_overflow(hi, digits_value(w3, (int)n - 16), v))
			return -1;
		return 1;
	}
	if (n > DIGITS_MAX) { /* too large only when it is a number at all */
		for (uint32_t i = 0; i < n; i++)
			if ((unsigned char)(p[i] - '0') > 9)
				return 0;
		return -1;
	}
	if (n == 0)
		return 0;
	int r = digits_scan(p, v);
	return r < 0 ? -1 : r == (int)n;
}

/* A whole field of n bytes at p as an identifier in hex (out_idhex's
 * form): "0x" and 1 to 16 hex digits, either case. 1 with the value in
 * *v, 0 when not of that form, -1 when more than 16 digits. */
static inline int hex_id_field(const char *p, uint32_t n, uint64_t *v)
{
	if (n < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return 0;
	uint64_t acc = 0;
	for (uint32_t i = 2; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		unsigned d = (unsigned)(ch - '0');
		if (d > 9) {
			d = (unsigned)((ch | 0x20) - 'a');
			if (d > 5)
				return 0;
			d += 10;
		}
		acc = acc << 4 | d;
	}
	if (n - 2 > 16)
		return -1;
	*v = acc;
	return 1;
}

#endif
