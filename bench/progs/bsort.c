/* Bubble sort of 64 u32 in the first 256 bytes of memory. Each run first
 * fills them from a linear congruential generator, so that every run sorts
 * the same unsorted input (the memory keeps the previous run's result);
 * returns a position-weighted sum of the sorted array. */
#include "bench_prog.h"

#define N 64

BENCH_FN uint64_t bench_bsort(uint8_t *mem, uint64_t len)
{
	(void)len;
	uint32_t *a = (uint32_t *)mem;
	uint32_t x = 12345;
	for (uint32_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = x >> 8;
	}
	for (uint32_t n = N; n > 1; n--) {
		for (uint32_t j = 0; j + 1 < n; j++) {
			uint32_t u = a[j], v = a[j + 1];
			if (u > v) {
				a[j] = v;
				a[j + 1] = u;
			}
		}
	}
	uint64_t s = 0;
	for (uint32_t i = 0; i < N; i++)
		s += (uint64_t)a[i] * (i + 1);
	return s;
}
