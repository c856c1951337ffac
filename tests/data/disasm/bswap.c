/* Byte swaps: __builtin_bswap16/32/64 and the bpf_htons/htonl style (on the
 * little-endian target, converting to big endian is a swap: be16 ...). */
#include "common.h"

#define bpf_htons(x) __builtin_bswap16(x)
#define bpf_htonl(x) __builtin_bswap32(x)
#define bpf_cpu_to_be64(x) __builtin_bswap64(x)

SEC("socket") int swaps(volatile u64 *p)
{
	p[1] = __builtin_bswap16((u16)p[0]);
	p[2] = __builtin_bswap32((u32)p[0]);
	p[3] = __builtin_bswap64(p[0]);
	p[4] = bpf_htons((u16)p[1]);
	p[5] = bpf_htonl((u32)p[2]);
	p[6] = bpf_cpu_to_be64(p[3]);
	return 0;
}

/* le16/32/64 are no-ops on this target; only the assembler says them. */
SEC("socket") int le(volatile u64 *p)
{
	u64 v = p[0];
	asm volatile("%0 = le16 %0" : "+r"(v));
	asm volatile("%0 = le32 %0" : "+r"(v));
	asm volatile("%0 = le64 %0" : "+r"(v));
	asm volatile("%0 = be16 %0" : "+r"(v));
	p[1] = v;
	return 0;
}
