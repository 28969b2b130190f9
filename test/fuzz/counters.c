/* The fuzzer's edge counters (SanitizerCoverage's inline 8-bit counters),
 * for filter_fuzz.c to hand a child's coverage back. Compiled without
 * coverage: a file that names the section's bounds and is instrumented
 * itself makes the compiler's own counter registration go wrong. */
#include <stddef.h>
#include <stdint.h>

extern uint8_t __start___sancov_cntrs[], __stop___sancov_cntrs[];

uint8_t *fuzz_counters(size_t *n);

uint8_t *fuzz_counters(size_t *n)
{
	*n = (size_t)(__stop___sancov_cntrs - __start___sancov_cntrs);
	return __start___sancov_cntrs;
}
