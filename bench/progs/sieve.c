/* The sieve of Eratosthenes for the primes below 4096, one bit per number
 * in the first 512 bytes of memory (cleared first, so that every run does
 * the same work); returns the count of primes (564). */
#include "bench_prog.h"

#define LIMIT 4096

BENCH_FN uint64_t bench_sieve(uint8_t *mem, uint64_t len)
{
	(void)len;
	uint64_t *w = (uint64_t *)mem;
	for (uint32_t i = 0; i < LIMIT / 64; i++)
		w[i] = 0;
	for (uint32_t p = 2; p < 64; p++) {
		if (mem[p >> 3] & (1u << (p & 7)))
			continue;
		for (uint32_t j = p * p; j < LIMIT; j += p)
			mem[j >> 3] |= (uint8_t)(1u << (j & 7));
	}
	uint64_t count = 0;
	for (uint32_t i = 2; i < LIMIT; i++)
		count += !(mem[i >> 3] & (1u << (i & 7)));
	return count;
}
