/* 64-bit FNV-1a over the 1 KiB of memory: one load, xor and multiply per
 * byte, a serial dependency through the hash. */
#include "bench_prog.h"

BENCH_FN uint64_t bench_fnv1a(uint8_t *mem, uint64_t len)
{
	(void)len;
	uint64_t h = 0xcbf29ce484222325ull;
	for (uint32_t i = 0; i < BENCH_MEM_LEN; i++) {
		h ^= mem[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
