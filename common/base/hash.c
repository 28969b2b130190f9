#include "hash.h"

#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip *s)
{
	s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

static inline void sip_init(struct sip *s, uint64_t k0, uint64_t k1)
{
	s->v0 = k0 ^ 0x736f6d6570736575ULL; /* "somepseudorandomlygeneratedbytes" */
	s->v1 = k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k1 ^ 0x7465646279746573ULL;
}

static inline void sip_word(struct sip *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t sip_final(struct sip *s, int d)
{
	s->v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

static inline uint64_t le64(const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The last word: the 0 to 7 remaining bytes, the length's low byte on top. */
static inline uint64_t last_word(const uint8_t *b, size_t rest, size_t n)
{
	uint64_t v = (uint64_t)n << 56;
	for (size_t i = 0; i < rest; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

uint64_t siphash(int c, int d, uint64_t k0, uint64_t k1, const void *p, size_t n)
{
	const uint8_t *b = p;
	struct sip s;
	sip_init(&s, k0, k1);
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		sip_word(&s, le64(b + i), c);
	sip_word(&s, last_word(b + i, n - i, n), c);
	return sip_final(&s, d);
}

static uint64_t key[2];
static int have_key;

/* The process key: from the kernel's generator; should that fail (no
 * getrandom, no /dev/urandom), from the clock and the process id, which
 * still differ from run to run. */
static void make_key(void)
{
	if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) {
		int fd = open("/dev/urandom", O_RDONLY);
		if (fd < 0 || read(fd, key, sizeof key) != (ssize_t)sizeof key) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			key[0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec;
			key[1] ^= (uint64_t)getpid() * 0xc2b2ae3d27d4eb4fULL ^ (uint64_t)(uintptr_t)&ts;
		}
		if (fd >= 0)
			close(fd);
	}
	have_key = 1;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	if (!have_key)
		make_key();
	/* siphash(1, 3, ...) with the rounds fixed at compile time: this is
	 * on every packet's path (the flow table) */
	const uint8_t *b = p;
	struct sip s;
	sip_init(&s, key[0], key[1]);
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		sip_word(&s, le64(b + i), 1);
	sip_word(&s, last_word(b + i, n - i, n), 1);
	return sip_final(&s, 3);
}

uint64_t hash_u64(uint64_t v)
{
	if (!have_key)
		make_key();
	struct sip s;
	sip_init(&s, key[0], key[1]);
	sip_word(&s, v, 1);
	sip_word(&s, (uint64_t)8 << 56, 1);
	return sip_final(&s, 3);
}
