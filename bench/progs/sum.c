/* The summing loop: adds the 1024 bytes of memory into a 64-bit total
 * (starting from len, so the argument is used). The shortest loop body:
 * the closest figure to pure dispatch cost. */
#include "bench_prog.h"

BENCH_FN uint64_t bench_sum(uint8_t *mem, uint64_t len)
{
	uint64_t s = len;
	for (uint32_t i = 0; i < BENCH_MEM_LEN; i++)
		s += mem[i];
	return s;
}
