/* The Internet checksum (RFC 1071) over 1 KiB: 16-bit big-endian words
 * summed into 32 bits, carries folded, complemented. */
#include "bench_prog.h"

BENCH_FN uint64_t bench_csum(uint8_t *mem, uint64_t len)
{
	(void)len;
	uint32_t sum = 0;
	for (uint32_t i = 0; i < BENCH_MEM_LEN; i += 2)
		sum += (uint32_t)mem[i] << 8 | mem[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
