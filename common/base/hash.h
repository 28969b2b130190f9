/* Keyed hashing for every hash table whose keys come from the input
 * (tuples, tokens, connection ids, group keys): SipHash (Aumasson and
 * Bernstein, 2012) with a key drawn at random once per process, so no
 * capture or record stream can be made whose keys fall into one bucket.
 * With 1 compression and 3 finalisation rounds (SipHash-1-3, as in the
 * hash tables of Python and Rust). Outputs never depend on the key: the
 * tables are looked into, and what they print is ordered otherwise. */
#ifndef HASH_H
#define HASH_H
#include <stddef.h>
#include <stdint.h>

/* SipHash-c-d of n bytes under the 128-bit key k0, k1 (for tests). */
uint64_t siphash(int c, int d, uint64_t k0, uint64_t k1, const void *p, size_t n);

/* SipHash-1-3 under the process key. */
uint64_t hash_bytes(const void *p, size_t n);
/* The same for one 64-bit value (as its 8 little-endian bytes). */
uint64_t hash_u64(uint64_t v);

#endif
