/* Tristate-number arithmetic. Each operation returns a tnum that allows at
 * least every result the operation can produce from values its operands
 * allow (soundness), and is as tight as cheaply possible. */
#include "verifier/tnum.h"
#include <stdio.h>

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max;
	if (min > max)
		return tnum_unknown();
	if (!chi)
		return tnum_const(min);
	/* The bits above the highest differing bit are common to every value
	 * of the range; everything from that bit down can vary. */
	unsigned bits = 64 - (unsigned)__builtin_clzll(chi);
	if (bits > 63)
		return tnum_unknown();
	uint64_t delta = (1ull << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_lshift(struct tnum a, unsigned shift)
{
	if (shift >= 64)
		return tnum_const(0);
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, unsigned shift)
{
	if (shift >= 64)
		return tnum_const(0);
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits)
{
	/* The sign bit of value and mask is copied down: an unknown sign makes
	 * every shifted-in bit unknown, a known one makes them known. */
	if (bits == 32) {
		if (shift > 31)
			shift = 31;
		return TNUM((uint32_t)((int32_t)(uint32_t)a.value >> shift),
			    (uint32_t)((int32_t)(uint32_t)a.mask >> shift));
	}
	if (shift > 63)
		shift = 63;
	return TNUM((uint64_t)((int64_t)a.value >> shift), (uint64_t)((int64_t)a.mask >> shift));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	/* Bits where a carry may differ between the lowest and highest
	 * possible sums are unknown, as are the unknown input bits. */
	uint64_t sm = a.mask + b.mask;
	uint64_t sv = a.value + b.value;
	uint64_t sigma = sm + sv;
	uint64_t chi = sigma ^ sv;
	uint64_t mu = chi | a.mask | b.mask;
	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask;
	uint64_t beta = dv - b.mask;
	uint64_t chi = alpha ^ beta;
	uint64_t mu = chi | a.mask | b.mask;
	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask;
	uint64_t beta = b.value | b.mask;
	uint64_t v = a.value & b.value;
	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value;
	uint64_t mu = a.mask | b.mask;
	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value;
	uint64_t mu = a.mask | b.mask;
	return TNUM(v & ~mu, mu);
}

/* Long multiplication: the known product of the known parts, plus for each
 * bit of a that is set or unknown, b (shifted) added in as uncertainty. */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	uint64_t acc_v = a.value * b.value;
	struct tnum acc_m = tnum_const(0);
	while (a.value || a.mask) {
		if (a.value & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.mask));
		else if (a.mask & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(tnum_const(acc_v), acc_m);
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value;
	uint64_t mu = a.mask & b.mask;
	return TNUM(v & ~mu, mu);
}

struct tnum tnum_cast(struct tnum a, unsigned size)
{
	if (size >= 8)
		return a;
	uint64_t keep = (1ull << (size * 8)) - 1;
	return TNUM(a.value & keep, a.mask & keep);
}

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

int tnum_strn(char *str, size_t size, struct tnum a)
{
	/* The kernel's %#llx prints 0 as 0x0, unlike C's. */
	return snprintf(str, size, "(0x%llx; 0x%llx)", (unsigned long long)a.value, (unsigned long long)a.mask);
}
