/* Every ALU operation, 64 and 32 bits, with a register and an immediate.
 * Except modulo: clang 14 always expands % into /, * and - (and its
 * assembler does not take "%="); the test's table sweep covers BPF_MOD. */
#include "common.h"

SEC("socket") int alu64(volatile u64 *p)
{
	u64 a = p[0], b = p[1];
	s64 sa = (s64)a;

	p[2] = a + b;   p[3] = a - b;   p[4] = a * b;   p[5] = a / b;
	p[6] = a % b;   p[7] = a | b;   p[8] = a & b;   p[9] = a ^ b;
	p[10] = a << b; p[11] = a >> b; p[12] = (u64)(sa >> b);
	p[13] = -a;     p[14] = b;

	p[15] = a + 7;  p[16] = a - 100000; p[17] = a * 9; p[18] = a / 10;
	p[19] = a % 11; p[20] = a | 0x40;  p[21] = a & 0xfff; p[22] = a ^ -3;
	p[23] = a << 3; p[24] = a >> 2;    p[25] = (u64)(sa >> 1);
	p[26] = -1;     p[27] = 0x7fffffff; p[28] = (u64)-0x80000000LL;
	return 0;
}

SEC("socket") int alu32(volatile u32 *p)
{
	u32 a = p[0], b = p[1];
	s32 sa = (s32)a;

	p[2] = a + b;   p[3] = a - b;   p[4] = a * b;   p[5] = a / b;
	p[6] = a % b;   p[7] = a | b;   p[8] = a & b;   p[9] = a ^ b;
	p[10] = a << b; p[11] = a >> b; p[12] = (u32)(sa >> b);
	p[13] = -a;     p[14] = b;

	p[15] = a + 7;  p[16] = a - 100000; p[17] = a * 9; p[18] = a / 10;
	p[19] = a % 11; p[20] = a | 0x40;  p[21] = a & 0xfff; p[22] = a ^ 0xfffffffd;
	p[23] = a << 3; p[24] = a >> 2;    p[25] = (u32)(sa >> 1);
	p[26] = 0xffffffff; p[27] = 12345;
	return 0;
}

/* What C does not say directly. */
SEC("socket") int alu_asm(volatile u64 *p)
{
	u64 a = p[0];
	u32 w = (u32)p[1];
	asm volatile("%0 = -%0" : "+r"(a));
	asm volatile("%0 = -%0" : "+w"(w));
	asm volatile("%0 s>>= 7" : "+w"(w));
	asm volatile("%0 s>>= %1" : "+w"(w) : "w"(w));
	asm volatile("%0 s>>= %1" : "+r"(a) : "r"(a));
	asm volatile("%0 -= 5" : "+r"(a));
	asm volatile("%0 -= -5" : "+w"(w));
	asm volatile("%0 = %1" : "=w"(w) : "w"(w));
	p[2] = a;
	p[3] = w;
	return 0;
}
