/* Conditional jumps: every condition, signed and unsigned, against a register
 * and an immediate, on 64-bit values (JMP) and 32-bit ones (JMP32, which
 * -mcpu=v3 uses for int comparisons). */
#include "common.h"

#define CMP(T, p, a, b, k)                                              \
	do {                                                            \
		if ((T)(a) == (T)(b)) p[k + 0] = 1;                     \
		if ((T)(a) != (T)(b)) p[k + 1] = 2;                     \
		if ((T)(a) <  (T)(b)) p[k + 2] = 3;                     \
		if ((T)(a) <= (T)(b)) p[k + 3] = 4;                     \
		if ((T)(a) >  (T)(b)) p[k + 4] = 5;                     \
		if ((T)(a) >= (T)(b)) p[k + 5] = 6;                     \
	} while (0)

SEC("socket") int jmp64(volatile u64 *p)
{
	u64 a = p[0], b = p[1];
	CMP(u64, p, a, b, 2);
	CMP(s64, p, a, b, 8);
	CMP(u64, p, a, 1000, 14);
	CMP(s64, p, a, -1000, 20);
	CMP(u64, p, 77, b, 26);
	return 0;
}

SEC("socket") int jmp32(volatile u32 *p)
{
	u32 a = p[0], b = p[1];
	CMP(u32, p, a, b, 2);
	CMP(s32, p, a, b, 8);
	CMP(u32, p, a, 1000, 14);
	CMP(s32, p, a, -1000, 20);
	CMP(u32, p, 77, b, 26);
	return 0;
}

/* Loops: backward jumps, and an unconditional goto. */
SEC("socket") int loops(volatile u32 *p)
{
	u32 s = 0;
	for (u32 i = 0; i < p[0] && i < 64; i++) {
		if (p[i + 1] == 0)
			continue;
		s += p[i + 1];
		if (s > 1000)
			break;
	}
	return (int)s;
}

/* Far jumps: offsets in the hundreds. */
SEC("socket") int far(volatile u64 *p)
{
	if (p[0] != 12345) {
#define S4(k) p[k] = k; p[k + 1] = k; p[k + 2] = k; p[k + 3] = k;
#define S16(k) S4(k) S4(k + 4) S4(k + 8) S4(k + 12)
		S16(1) S16(17) S16(33) S16(49) S16(65) S16(81) S16(97) S16(113)
	}
	return 0;
}

/* Each condition spelled out (offset +0: falls through either way), as the
 * compiler only picks some of them: it inverts and swaps comparisons. */
#define J(R, op, a, b)                                                  \
	asm volatile("if %0 " op " %1 goto +0" :: R(a), R(b));          \
	asm volatile("if %0 " op " -7 goto +0" :: R(a));                \
	asm volatile("if %0 " op " 2147483647 goto +0" :: R(a))
#define ALL(R, a, b)                                                    \
	J(R, "==", a, b); J(R, "!=", a, b); J(R, ">", a, b);            \
	J(R, ">=", a, b); J(R, "<", a, b); J(R, "<=", a, b);            \
	J(R, "s>", a, b); J(R, "s>=", a, b); J(R, "s<", a, b);          \
	J(R, "s<=", a, b)

SEC("socket") int conds(volatile u64 *p)
{
	u64 a = p[0], b = p[1];
	u32 x = (u32)p[2], y = (u32)p[3];
	ALL("r", a, b);
	ALL("w", x, y);
	asm volatile("goto +0");
	asm volatile("if r1 > r2 goto -1\n\tgoto +1\n\tr0 = 0\n\tgoto -3" ::: "r0");
	return 0;
}
