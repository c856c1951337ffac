/* Scalar range tracking: the tnum (known bits) and the signed and unsigned
 * bounds of a register, for the whole 64-bit value and for its low 32 bits
 * (the kernel's __update_reg_bounds, __reg_deduce_bounds, __reg_bound_offset
 * and adjust_scalar_min_max_vals, in their 5.7+ form with 32-bit bounds).
 *
 * Each fact (tnum, s64, u64, s32, u32 bounds) is an over-approximation of
 * the set of values the register can hold; syncing intersects what each one
 * implies about the others. The set may be empty on a branch that cannot be
 * taken: then nothing done on that path matters, but no function here may
 * misbehave (no C undefined behaviour on odd bounds). */
#include "verifier/env.h"
#include <limits.h>

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

static inline int64_t max_s64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t min_s64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline int32_t max_s32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_s32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

void reg_mark_known(struct vreg *r, uint64_t imm)
{
	r->var_off = tnum_const(imm);
	r->smin = r->smax = (int64_t)imm;
	r->umin = r->umax = imm;
	r->s32min = r->s32max = (int32_t)(uint32_t)imm;
	r->u32min = r->u32max = (uint32_t)imm;
}

/* Only the low 32 bits become known. */
void reg_mark_known32(struct vreg *r, uint32_t imm)
{
	r->var_off = tnum_or(tnum_clear_subreg(r->var_off), tnum_const(imm));
	r->s32min = r->s32max = (int32_t)imm;
	r->u32min = r->u32max = imm;
}

void reg_mark_unbounded64(struct vreg *r)
{
	r->smin = S64_MIN;
	r->smax = S64_MAX;
	r->umin = 0;
	r->umax = U64_MAX;
}

void reg_mark_unbounded32(struct vreg *r)
{
	r->s32min = S32_MIN;
	r->s32max = S32_MAX;
	r->u32min = 0;
	r->u32max = U32_MAX;
}

void reg_mark_unbounded(struct vreg *r)
{
	reg_mark_unbounded64(r);
	reg_mark_unbounded32(r);
}

/* Bounds implied by the known bits. */
static void update_bounds32(struct vreg *r)
{
	struct tnum t = tnum_subreg(r->var_off);
	/* The smallest signed value has the sign bit set if it may be, the
	 * largest has it clear if it may be. */
	r->s32min = max_s32(r->s32min, (int32_t)(uint32_t)(t.value | (t.mask & 0x80000000u)));
	r->s32max = min_s32(r->s32max, (int32_t)(uint32_t)(t.value | (t.mask & 0x7fffffffu)));
	r->u32min = max_u32(r->u32min, (uint32_t)t.value);
	r->u32max = min_u32(r->u32max, (uint32_t)(t.value | t.mask));
}

static void update_bounds64(struct vreg *r)
{
	struct tnum t = r->var_off;
	r->smin = max_s64(r->smin, (int64_t)(t.value | (t.mask & (1ull << 63))));
	r->smax = min_s64(r->smax, (int64_t)(t.value | (t.mask & ~(1ull << 63))));
	r->umin = max_u64(r->umin, t.value);
	r->umax = min_u64(r->umax, t.value | t.mask);
}

void reg_update_bounds(struct vreg *r)
{
	update_bounds32(r);
	update_bounds64(r);
}

/* Signed bounds inform unsigned ones and back, when the range does not
 * cross the sign boundary. */
static void deduce_bounds32(struct vreg *r)
{
	if (r->s32min >= 0 || r->s32max < 0) {
		r->s32min = (int32_t)(r->u32min = max_u32((uint32_t)r->s32min, r->u32min));
		r->s32max = (int32_t)(r->u32max = min_u32((uint32_t)r->s32max, r->u32max));
		return;
	}
	if ((int32_t)r->u32max >= 0) {
		/* Non-negative: smin tells nothing, smax caps umax. */
		r->s32min = (int32_t)r->u32min;
		r->s32max = (int32_t)(r->u32max = min_u32((uint32_t)r->s32max, r->u32max));
	} else if ((int32_t)r->u32min < 0) {
		/* Negative: smax tells nothing, smin raises umin. */
		r->s32min = (int32_t)(r->u32min = max_u32((uint32_t)r->s32min, r->u32min));
		r->s32max = (int32_t)r->u32max;
	}
}

static void deduce_bounds64(struct vreg *r)
{
	if (r->smin >= 0 || r->smax < 0) {
		r->smin = (int64_t)(r->umin = max_u64((uint64_t)r->smin, r->umin));
		r->smax = (int64_t)(r->umax = min_u64((uint64_t)r->smax, r->umax));
		return;
	}
	if ((int64_t)r->umax >= 0) {
		r->smin = (int64_t)r->umin;
		r->smax = (int64_t)(r->umax = min_u64((uint64_t)r->smax, r->umax));
	} else if ((int64_t)r->umin < 0) {
		r->smin = (int64_t)(r->umin = max_u64((uint64_t)r->smin, r->umin));
		r->smax = (int64_t)r->umax;
	}
}

/* When every value of the 64-bit range has the same upper half, the low
 * halves range from low(min) to low(max) (the kernel's 6.x
 * __reg_deduce_mixed_bounds, in its simplest, always-valid form). */
static void deduce_64_into_32(struct vreg *r)
{
	if (r->umin <= r->umax && (r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = max_u32(r->u32min, (uint32_t)r->umin);
		r->u32max = min_u32(r->u32max, (uint32_t)r->umax);
	}
	if (r->smin <= r->smax && (r->smin >> 32) == (r->smax >> 32) && (int32_t)r->smin <= (int32_t)r->smax) {
		r->s32min = max_s32(r->s32min, (int32_t)r->smin);
		r->s32max = min_s32(r->s32max, (int32_t)r->smax);
	}
}

/* And back: when the upper half is the same for every value, the 64-bit
 * range is that half with the low half's range. */
static void deduce_32_into_64(struct vreg *r)
{
	const uint64_t hi = ~0xffffffffull;
	if (r->umin <= r->umax && (r->umin >> 32) == (r->umax >> 32)) {
		r->umin = max_u64(r->umin, (r->umin & hi) | r->u32min);
		r->umax = min_u64(r->umax, (r->umax & hi) | r->u32max);
	}
	if (r->smin <= r->smax && (r->smin >> 32) == (r->smax >> 32)) {
		r->smin = max_s64(r->smin, (int64_t)(((uint64_t)r->smin & hi) | r->u32min));
		r->smax = min_s64(r->smax, (int64_t)(((uint64_t)r->smax & hi) | r->u32max));
	}
}

/* Known bits implied by the unsigned bounds. */
static void bound_offset(struct vreg *r)
{
	struct tnum t64 = tnum_intersect(r->var_off, tnum_range(r->umin, r->umax));
	struct tnum t32 = tnum_intersect(tnum_subreg(t64), tnum_range(r->u32min, r->u32max));
	r->var_off = tnum_or(tnum_clear_subreg(t64), t32);
}

void reg_bounds_sync(struct vreg *r)
{
	reg_update_bounds(r);
	deduce_64_into_32(r);
	deduce_bounds32(r);
	deduce_32_into_64(r);
	deduce_bounds64(r);
	bound_offset(r);
	reg_update_bounds(r);
}

/* The 64-bit value is the zero-extended low half. */
void reg_zext32(struct vreg *r)
{
	r->var_off = tnum_subreg(r->var_off);
	r->umin = r->smin = r->u32min;
	r->umax = r->smax = r->u32max;
}

/* After a load of `size` (< 8) bytes: the value is zero-extended. */
void reg_coerce(struct vreg *r, int size)
{
	if (size >= 8)
		return;
	if (size == 4) {
		reg_zext32(r);
		reg_bounds_sync(r);
		return;
	}
	uint64_t mask = (1ull << (size * 8)) - 1;
	r->var_off = tnum_cast(r->var_off, (unsigned)size);
	if ((r->umin & ~mask) == (r->umax & ~mask)) {
		r->umin &= mask;
		r->umax &= mask;
	} else {
		r->umin = 0;
		r->umax = mask;
	}
	if (r->umin > r->umax) {
		r->umin = 0;
		r->umax = mask;
	}
	r->smin = (int64_t)r->umin;
	r->smax = (int64_t)r->umax;
	r->u32min = (uint32_t)r->umin;
	r->u32max = (uint32_t)r->umax;
	r->s32min = (int32_t)r->u32min;
	r->s32max = (int32_t)r->u32max;
	reg_bounds_sync(r);
}

/* The register becomes the sign extension of its low `bits` bits (movsx,
 * sign-extending loads). */
void reg_sext_bounds(struct vreg *r, int bits)
{
	struct tnum low = tnum_cast(r->var_off, (unsigned)bits / 8);
	if (tnum_is_const(low)) {
		uint64_t v = low.value;
		if (bits < 64 && (v & (1ull << (bits - 1))))
			v |= ~0ull << bits;
		reg_mark_known(r, v);
		return;
	}
	int64_t lo = bits >= 64 ? S64_MIN : -(1ll << (bits - 1));
	int64_t hi = bits >= 64 ? S64_MAX : (1ll << (bits - 1)) - 1;
	r->var_off = tnum_unknown();
	reg_mark_unbounded(r);
	r->smin = lo;
	r->smax = hi;
	if (bits < 32) {
		r->s32min = (int32_t)lo;
		r->s32max = (int32_t)hi;
	}
	reg_bounds_sync(r);
}

/* Bounds that cannot describe any value (a dead branch): the kernel then
 * makes the result of an ALU op unknown instead of computing on them. */
bool reg_bounds_sane(const struct vreg *r, bool alu32)
{
	if (alu32) {
		bool known = tnum_subreg_is_const(r->var_off);
		if (known && (r->s32min != r->s32max || r->u32min != r->u32max))
			return false;
		return r->s32min <= r->s32max && r->u32min <= r->u32max;
	}
	bool known = tnum_is_const(r->var_off);
	if (known && (r->smin != r->smax || r->umin != r->umax))
		return false;
	return r->smin <= r->smax && r->umin <= r->umax;
}

/* ---- ALU on scalars ---- */

static void add32(struct vreg *d, const struct vreg *s)
{
	int32_t a, b;
	if (__builtin_add_overflow(d->s32min, s->s32min, &a) || __builtin_add_overflow(d->s32max, s->s32max, &b)) {
		d->s32min = S32_MIN;
		d->s32max = S32_MAX;
	} else {
		d->s32min = a;
		d->s32max = b;
	}
	uint32_t ua, ub;
	if (__builtin_add_overflow(d->u32min, s->u32min, &ua) || __builtin_add_overflow(d->u32max, s->u32max, &ub)) {
		d->u32min = 0;
		d->u32max = U32_MAX;
	} else {
		d->u32min = ua;
		d->u32max = ub;
	}
}

static void add64(struct vreg *d, const struct vreg *s)
{
	int64_t a, b;
	if (__builtin_add_overflow(d->smin, s->smin, &a) || __builtin_add_overflow(d->smax, s->smax, &b)) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = a;
		d->smax = b;
	}
	uint64_t ua, ub;
	if (__builtin_add_overflow(d->umin, s->umin, &ua) || __builtin_add_overflow(d->umax, s->umax, &ub)) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin = ua;
		d->umax = ub;
	}
}

static void sub32(struct vreg *d, const struct vreg *s)
{
	int32_t a, b;
	if (__builtin_sub_overflow(d->s32min, s->s32max, &a) || __builtin_sub_overflow(d->s32max, s->s32min, &b)) {
		d->s32min = S32_MIN;
		d->s32max = S32_MAX;
	} else {
		d->s32min = a;
		d->s32max = b;
	}
	if (d->u32min < s->u32max) {
		d->u32min = 0;
		d->u32max = U32_MAX;
	} else {
		d->u32min -= s->u32max;
		d->u32max -= s->u32min;
	}
}

static void sub64(struct vreg *d, const struct vreg *s)
{
	int64_t a, b;
	if (__builtin_sub_overflow(d->smin, s->smax, &a) || __builtin_sub_overflow(d->smax, s->smin, &b)) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = a;
		d->smax = b;
	}
	if (d->umin < s->umax) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin -= s->umax;
		d->umax -= s->umin;
	}
}

static void mul32(struct vreg *d, const struct vreg *s)
{
	if (s->s32min < 0 || d->s32min < 0 || s->u32max > 0xffff || d->u32max > 0xffff) {
		reg_mark_unbounded32(d);
		return;
	}
	d->u32min *= s->u32min;
	d->u32max *= s->u32max;
	if (d->u32max > (uint32_t)S32_MAX) {
		d->s32min = S32_MIN;
		d->s32max = S32_MAX;
	} else {
		d->s32min = (int32_t)d->u32min;
		d->s32max = (int32_t)d->u32max;
	}
}

static void mul64(struct vreg *d, const struct vreg *s)
{
	if (s->smin < 0 || d->smin < 0 || s->umax > U32_MAX || d->umax > U32_MAX) {
		reg_mark_unbounded64(d);
		return;
	}
	d->umin *= s->umin;
	d->umax *= s->umax;
	if (d->umax > (uint64_t)S64_MAX) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = (int64_t)d->umin;
		d->smax = (int64_t)d->umax;
	}
}

/* AND/OR/XOR: the tnum (already computed into d) gives one end of the
 * unsigned range; signs survive only for non-negative operands. */
static void bitop32(struct vreg *d, const struct vreg *s, uint8_t op)
{
	struct tnum t = tnum_subreg(d->var_off);
	if (tnum_subreg_is_const(s->var_off) && tnum_subreg_is_const(d->var_off)) {
		reg_mark_known32(d, (uint32_t)t.value);
		return;
	}
	bool nonneg = d->s32min >= 0 && s->s32min >= 0;
	if (op == BPF_AND) {
		d->u32min = (uint32_t)t.value;
		d->u32max = min_u32(d->u32max, s->u32max);
	} else if (op == BPF_OR) {
		d->u32min = max_u32(d->u32min, s->u32min);
		d->u32max = (uint32_t)(t.value | t.mask);
	} else {
		d->u32min = (uint32_t)t.value;
		d->u32max = (uint32_t)(t.value | t.mask);
	}
	if (nonneg) {
		d->s32min = (int32_t)d->u32min;
		d->s32max = (int32_t)d->u32max;
	} else {
		d->s32min = S32_MIN;
		d->s32max = S32_MAX;
	}
}

static void bitop64(struct vreg *d, const struct vreg *s, uint8_t op)
{
	struct tnum t = d->var_off;
	if (tnum_is_const(s->var_off) && tnum_is_const(t)) {
		uint64_t v = t.value;
		int32_t s32min = d->s32min, s32max = d->s32max;
		uint32_t u32min = d->u32min, u32max = d->u32max;
		reg_mark_known(d, v);
		/* the 32-bit half is bitop32's business */
		d->s32min = s32min;
		d->s32max = s32max;
		d->u32min = u32min;
		d->u32max = u32max;
		return;
	}
	bool nonneg = d->smin >= 0 && s->smin >= 0;
	if (op == BPF_AND) {
		d->umin = t.value;
		d->umax = min_u64(d->umax, s->umax);
	} else if (op == BPF_OR) {
		d->umin = max_u64(d->umin, s->umin);
		d->umax = t.value | t.mask;
	} else {
		d->umin = t.value;
		d->umax = t.value | t.mask;
	}
	if (nonneg) {
		d->smin = (int64_t)d->umin;
		d->smax = (int64_t)d->umax;
	} else {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	}
}

/* Shifts by a known amount k (< width), as the kernel's scalar*_min_max_*sh. */
static void lsh32(struct vreg *d, uint32_t k)
{
	struct tnum sub = tnum_subreg(d->var_off);
	d->s32min = S32_MIN;
	d->s32max = S32_MAX;
	if (d->u32max > (1u << (31 - k))) {
		d->u32min = 0;
		d->u32max = U32_MAX;
	} else {
		d->u32min <<= k;
		d->u32max <<= k;
	}
	d->var_off = tnum_subreg(tnum_lshift(sub, k));
	reg_mark_unbounded64(d);
	update_bounds32(d);
}

static void lsh64(struct vreg *d, uint32_t k)
{
	/* << 32 of a non-negative low half keeps its signed range (the
	 * compiler's sign-extension idiom <<32 s>>32). */
	if (k == 32 && d->s32max >= 0)
		d->smax = (int64_t)d->s32max << 32;
	else
		d->smax = S64_MAX;
	if (k == 32 && d->s32min >= 0)
		d->smin = (int64_t)d->s32min << 32;
	else
		d->smin = S64_MIN;
	if (d->umax > (1ull << (63 - k))) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin <<= k;
		d->umax <<= k;
	}
	/* low half */
	d->s32min = S32_MIN;
	d->s32max = S32_MAX;
	if (k > 31 || d->u32max > (1u << (31 - k))) {
		d->u32min = 0;
		d->u32max = U32_MAX;
	} else {
		d->u32min <<= k;
		d->u32max <<= k;
	}
	d->var_off = tnum_lshift(d->var_off, k);
	reg_update_bounds(d);
}

static void rsh32(struct vreg *d, uint32_t k)
{
	struct tnum sub = tnum_subreg(d->var_off);
	d->s32min = S32_MIN;
	d->s32max = S32_MAX;
	d->var_off = tnum_rshift(sub, k);
	d->u32min >>= k;
	d->u32max >>= k;
	reg_mark_unbounded64(d);
	update_bounds32(d);
}

static void rsh64(struct vreg *d, uint32_t k)
{
	d->smin = S64_MIN;
	d->smax = S64_MAX;
	d->var_off = tnum_rshift(d->var_off, k);
	d->umin >>= k;
	d->umax >>= k;
	reg_mark_unbounded32(d);
	reg_update_bounds(d);
}

static void arsh32(struct vreg *d, uint32_t k)
{
	d->s32min >>= k;
	d->s32max >>= k;
	d->var_off = tnum_arshift(tnum_subreg(d->var_off), k, 32);
	d->u32min = 0;
	d->u32max = U32_MAX;
	reg_mark_unbounded64(d);
	update_bounds32(d);
}

static void arsh64(struct vreg *d, uint32_t k)
{
	d->smin >>= k;
	d->smax >>= k;
	d->var_off = tnum_arshift(d->var_off, k, 64);
	d->umin = 0;
	d->umax = U64_MAX;
	reg_mark_unbounded32(d);
	reg_update_bounds(d);
}

static void to_unknown(struct vreg *d)
{
	d->var_off = tnum_unknown();
	reg_mark_unbounded(d);
}

/* dst = dst OP src on two scalars (adjust_scalar_min_max_vals). dst keeps
 * its type; the result is zero-extended for ALU32. */
void scalar_alu(struct vreg *d, const struct vreg *s, uint8_t op, bool alu32)
{
	unsigned width = alu32 ? 32 : 64;
	if (!reg_bounds_sane(s, alu32)) {
		to_unknown(d);
		if (alu32)
			reg_zext32(d);
		reg_bounds_sync(d);
		return;
	}
	bool src_known = alu32 ? tnum_subreg_is_const(s->var_off) : tnum_is_const(s->var_off);
	if (!src_known && op != BPF_ADD && op != BPF_SUB && op != BPF_AND && op != BPF_OR && op != BPF_XOR) {
		to_unknown(d);
		if (alu32)
			reg_zext32(d);
		reg_bounds_sync(d);
		return;
	}
	uint64_t shift = alu32 ? s->u32max : s->umax;
	switch (op) {
	case BPF_ADD:
		add32(d, s);
		add64(d, s);
		d->var_off = tnum_add(d->var_off, s->var_off);
		break;
	case BPF_SUB:
		sub32(d, s);
		sub64(d, s);
		d->var_off = tnum_sub(d->var_off, s->var_off);
		break;
	case BPF_MUL:
		d->var_off = tnum_mul(d->var_off, s->var_off);
		mul32(d, s);
		mul64(d, s);
		break;
	case BPF_AND:
		d->var_off = tnum_and(d->var_off, s->var_off);
		bitop32(d, s, op);
		bitop64(d, s, op);
		break;
	case BPF_OR:
		d->var_off = tnum_or(d->var_off, s->var_off);
		bitop32(d, s, op);
		bitop64(d, s, op);
		break;
	case BPF_XOR:
		d->var_off = tnum_xor(d->var_off, s->var_off);
		bitop32(d, s, op);
		bitop64(d, s, op);
		break;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		/* Shifts past the width: the interpreter masks the count, the
		 * kernel says "undefined"; either way nothing is known. */
		if (shift >= width) {
			to_unknown(d);
			break;
		}
		if (op == BPF_LSH)
			alu32 ? lsh32(d, (uint32_t)shift) : lsh64(d, (uint32_t)shift);
		else if (op == BPF_RSH)
			alu32 ? rsh32(d, (uint32_t)shift) : rsh64(d, (uint32_t)shift);
		else
			alu32 ? arsh32(d, (uint32_t)shift) : arsh64(d, (uint32_t)shift);
		break;
	default:
		/* DIV, MOD, NEG, END, signed div/mod: nothing is tracked. */
		to_unknown(d);
		break;
	}
	if (alu32)
		reg_zext32(d);
	reg_bounds_sync(d);
}

/* ---- conditional jumps ---- */

/* The bounds a branch decision looks at: 64-bit ones, or the low halves'
 * (widened, so one comparison serves both widths). */
struct jbounds {
	struct tnum t;
	uint64_t umin, umax;
	int64_t smin, smax;
};

/* 1: always taken, 0: never, -1: unknown (the kernel's is_branch_taken). */
static int taken_in(const struct jbounds *r, uint64_t val, int64_t sval, uint8_t op)
{
	switch (op) {
	case BPF_JEQ:
	case BPF_JNE: {
		int eq;
		if (tnum_is_const(r->t))
			eq = r->t.value == val;
		else if (val < r->umin || val > r->umax || sval < r->smin || sval > r->smax)
			eq = 0;
		else
			return -1;
		return op == BPF_JEQ ? eq : !eq;
	}
	case BPF_JSET:
		if ((~r->t.mask & r->t.value) & val)
			return 1;
		if (!((r->t.mask | r->t.value) & val))
			return 0;
		return -1;
	case BPF_JGT:
		return r->umin > val ? 1 : r->umax <= val ? 0 : -1;
	case BPF_JGE:
		return r->umin >= val ? 1 : r->umax < val ? 0 : -1;
	case BPF_JLT:
		return r->umax < val ? 1 : r->umin >= val ? 0 : -1;
	case BPF_JLE:
		return r->umax <= val ? 1 : r->umin > val ? 0 : -1;
	case BPF_JSGT:
		return r->smin > sval ? 1 : r->smax <= sval ? 0 : -1;
	case BPF_JSGE:
		return r->smin >= sval ? 1 : r->smax < sval ? 0 : -1;
	case BPF_JSLT:
		return r->smax < sval ? 1 : r->smin >= sval ? 0 : -1;
	case BPF_JSLE:
		return r->smax <= sval ? 1 : r->smin > sval ? 0 : -1;
	}
	return -1;
}

static int taken32(const struct vreg *r, uint32_t val, uint8_t op)
{
	struct jbounds b = { tnum_subreg(r->var_off), r->u32min, r->u32max, r->s32min, r->s32max };
	return taken_in(&b, val, (int32_t)val, op);
}

static int taken64(const struct vreg *r, uint64_t val, uint8_t op)
{
	struct jbounds b = { r->var_off, r->umin, r->umax, r->smin, r->smax };
	return taken_in(&b, val, (int64_t)val, op);
}

/* is_branch_taken for a scalar compared with a constant. */
int branch_taken(const struct vreg *r, uint64_t val, uint8_t op, bool is32)
{
	if (r->type != T_SCALAR)
		return -1;
	return is32 ? taken32(r, (uint32_t)val, op) : taken64(r, val, op);
}

/* After a 32-bit comparison narrowed the low half: what the 64-bit value
 * learns (__reg_combine_32_into_64; the old 64-bit bounds stay valid since
 * the set of values only shrank). */
static void combine_32_into_64(struct vreg *r)
{
	if (tnum_equals_const(tnum_clear_subreg(r->var_off), 0)) {
		r->umin = max_u64(r->umin, r->u32min);
		r->umax = min_u64(r->umax, r->u32max);
		r->smin = max_s64(r->smin, (int64_t)r->u32min);
		r->smax = min_s64(r->smax, (int64_t)r->u32max);
	}
	reg_bounds_sync(r);
}

/* After a 64-bit comparison: what the low half learns. */
static void combine_64_into_32(struct vreg *r)
{
	if (r->smin >= S32_MIN && r->smax <= S32_MAX && r->smin <= r->smax) {
		r->s32min = max_s32(r->s32min, (int32_t)r->smin);
		r->s32max = min_s32(r->s32max, (int32_t)r->smax);
	}
	if (r->umax <= U32_MAX && r->umin <= r->umax) {
		r->u32min = max_u32(r->u32min, (uint32_t)r->umin);
		r->u32max = min_u32(r->u32max, (uint32_t)r->umax);
	}
	reg_bounds_sync(r);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* `reg op val` is true in t (the jump's target) and false in f (the fall
 * through); narrow both copies (reg_set_min_max). */
void reg_set_min_max(struct vreg *t, struct vreg *f, uint64_t val, uint8_t op, bool is32)
{
	if (t->type != T_SCALAR || f->type != T_SCALAR)
		return;
	uint32_t v32 = (uint32_t)val;
	int32_t s32 = (int32_t)v32;
	int64_t sval = (int64_t)val;
	switch (op) {
	case BPF_JEQ:
	case BPF_JNE: {
		struct vreg *eq = op == BPF_JEQ ? t : f;
		if (is32)
			reg_mark_known32(eq, v32);
		else
			reg_mark_known(eq, val);
		break;
	}
	case BPF_JSET:
		if (is32) {
			f->var_off = tnum_and(f->var_off, tnum_const(~(uint64_t)v32));
			if (is_pow2(v32))
				t->var_off = tnum_or(t->var_off, tnum_const(v32));
		} else {
			f->var_off = tnum_and(f->var_off, tnum_const(~val));
			if (is_pow2(val))
				t->var_off = tnum_or(t->var_off, tnum_const(val));
		}
		break;
	case BPF_JGE:
	case BPF_JGT:
		if (is32) {
			if (op == BPF_JGT || v32) /* false: reg <= v (or < v) */
				f->u32max = min_u32(f->u32max, op == BPF_JGT ? v32 : v32 - 1);
			if (op == BPF_JGE || v32 != U32_MAX)
				t->u32min = max_u32(t->u32min, op == BPF_JGT ? v32 + 1 : v32);
		} else {
			if (op == BPF_JGT || val)
				f->umax = min_u64(f->umax, op == BPF_JGT ? val : val - 1);
			if (op == BPF_JGE || val != U64_MAX)
				t->umin = max_u64(t->umin, op == BPF_JGT ? val + 1 : val);
		}
		break;
	case BPF_JSGE:
	case BPF_JSGT:
		if (is32) {
			if (op == BPF_JSGT || s32 != S32_MIN)
				f->s32max = min_s32(f->s32max, op == BPF_JSGT ? s32 : s32 - 1);
			if (op == BPF_JSGE || s32 != S32_MAX)
				t->s32min = max_s32(t->s32min, op == BPF_JSGT ? s32 + 1 : s32);
		} else {
			if (op == BPF_JSGT || sval != S64_MIN)
				f->smax = min_s64(f->smax, op == BPF_JSGT ? sval : sval - 1);
			if (op == BPF_JSGE || sval != S64_MAX)
				t->smin = max_s64(t->smin, op == BPF_JSGT ? sval + 1 : sval);
		}
		break;
	case BPF_JLE:
	case BPF_JLT:
		if (is32) {
			if (op == BPF_JLT || v32 != U32_MAX)
				f->u32min = max_u32(f->u32min, op == BPF_JLT ? v32 : v32 + 1);
			if (op == BPF_JLE || v32)
				t->u32max = min_u32(t->u32max, op == BPF_JLT ? v32 - 1 : v32);
		} else {
			if (op == BPF_JLT || val != U64_MAX)
				f->umin = max_u64(f->umin, op == BPF_JLT ? val : val + 1);
			if (op == BPF_JLE || val)
				t->umax = min_u64(t->umax, op == BPF_JLT ? val - 1 : val);
		}
		break;
	case BPF_JSLE:
	case BPF_JSLT:
		if (is32) {
			if (op == BPF_JSLT || s32 != S32_MAX)
				f->s32min = max_s32(f->s32min, op == BPF_JSLT ? s32 : s32 + 1);
			if (op == BPF_JSLE || s32 != S32_MIN)
				t->s32max = min_s32(t->s32max, op == BPF_JSLT ? s32 - 1 : s32);
		} else {
			if (op == BPF_JSLT || sval != S64_MAX)
				f->smin = max_s64(f->smin, op == BPF_JSLT ? sval : sval + 1);
			if (op == BPF_JSLE || sval != S64_MIN)
				t->smax = min_s64(t->smax, op == BPF_JSLT ? sval - 1 : sval);
		}
		break;
	default:
		return;
	}
	if (is32) {
		combine_32_into_64(f);
		combine_32_into_64(t);
	} else {
		combine_64_into_32(f);
		combine_64_into_32(t);
	}
}

/* `val op reg`: the same with the comparison mirrored. */
void reg_set_min_max_inv(struct vreg *t, struct vreg *f, uint64_t val, uint8_t op, bool is32)
{
	static const uint8_t flip[16] = {
		[BPF_JEQ >> 4] = BPF_JEQ, [BPF_JNE >> 4] = BPF_JNE, [BPF_JSET >> 4] = BPF_JSET,
		[BPF_JGT >> 4] = BPF_JLT, [BPF_JGE >> 4] = BPF_JLE, [BPF_JLT >> 4] = BPF_JGT,
		[BPF_JLE >> 4] = BPF_JGE, [BPF_JSGT >> 4] = BPF_JSLT, [BPF_JSGE >> 4] = BPF_JSLE,
		[BPF_JSLT >> 4] = BPF_JSGT, [BPF_JSLE >> 4] = BPF_JSGE,
	};
	reg_set_min_max(t, f, val, flip[op >> 4], is32);
}

/* Two scalars found equal: each learns what the other knew. */
void reg_combine_eq(struct vreg *a, struct vreg *b)
{
	a->umin = b->umin = max_u64(a->umin, b->umin);
	a->umax = b->umax = min_u64(a->umax, b->umax);
	a->smin = b->smin = max_s64(a->smin, b->smin);
	a->smax = b->smax = min_s64(a->smax, b->smax);
	a->u32min = b->u32min = max_u32(a->u32min, b->u32min);
	a->u32max = b->u32max = min_u32(a->u32max, b->u32max);
	a->s32min = b->s32min = max_s32(a->s32min, b->s32min);
	a->s32max = b->s32max = min_s32(a->s32max, b->s32max);
	a->var_off = b->var_off = tnum_intersect(a->var_off, b->var_off);
	reg_bounds_sync(a);
	reg_bounds_sync(b);
}

/* Every value cur allows, old allows (by the bounds). */
bool range_within(const struct vreg *old, const struct vreg *cur)
{
	return old->umin <= cur->umin && old->umax >= cur->umax && old->smin <= cur->smin &&
	       old->smax >= cur->smax && old->u32min <= cur->u32min && old->u32max >= cur->u32max &&
	       old->s32min <= cur->s32min && old->s32max >= cur->s32max;
}
