/* LD_IMM64: constants that do not fit in 32 bits, addresses of globals (a
 * load of 0 with a relocation, in a .o), and pseudo sources from clang's
 * llvm.bpf.pseudo intrinsic (the map-fd form libbpf writes). */
#include "common.h"

u64 counter;
u32 table[16];
static volatile u64 state = 3;

unsigned long long ld_pseudo(unsigned long long kind, unsigned long long v)
	asm("llvm.bpf.pseudo");

SEC("socket") int constants(volatile u64 *p)
{
	p[0] = 0x1122334455667788ULL;
	p[1] = 0xffffffffULL;
	p[2] = 0x100000000ULL;
	p[3] = (u64)-0x123456789LL;
	p[4] = 0x8000000000000000ULL;
	p[5] = 0x7fffffffffffffffULL;
	p[6] = 0x80000000ULL;
	return 0;
}

SEC("socket") int globals(volatile u64 *p)
{
	counter += p[0];
	table[3] = (u32)p[1];
	state = p[2];
	return (int)(counter + state);
}

SEC("socket") int pseudo(volatile u64 *p)
{
	p[0] = ld_pseudo(1, 7);
	p[1] = ld_pseudo(2, 0xffffffffULL);
	p[2] = ld_pseudo(1, 0);
	return 0;
}
