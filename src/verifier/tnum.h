/* Tristate numbers: a 64-bit value of which some bits are known (0 or 1)
 * and the others unknown, as the kernel's kernel/bpf/tnum.c models them.
 * `mask` has a 1 for every unknown bit; `value` holds the known bits and
 * is 0 wherever mask is 1 (the invariant every operation keeps). */
#ifndef BPFVM_VERIFIER_TNUM_H
#define BPFVM_VERIFIER_TNUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tnum {
	uint64_t value;
	uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })

static inline struct tnum tnum_const(uint64_t v) { return TNUM(v, 0); }
static inline struct tnum tnum_unknown(void) { return TNUM(0, ~0ull); }
static inline bool tnum_is_const(struct tnum a) { return !a.mask; }
static inline bool tnum_equals_const(struct tnum a, uint64_t b) { return !a.mask && a.value == b; }
static inline bool tnum_is_unknown(struct tnum a) { return !~a.mask; }

/* Every value in [min, max] (unsigned). */
struct tnum tnum_range(uint64_t min, uint64_t max);
/* Shifts by a known amount (shift < 64). */
struct tnum tnum_lshift(struct tnum a, unsigned shift);
struct tnum tnum_rshift(struct tnum a, unsigned shift);
/* Arithmetic shift of a 32- or 64-bit quantity. */
struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
/* The values both a and b allow (assuming some value satisfies both). */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
/* Truncated to the low `size` bytes (zero-extended). */
struct tnum tnum_cast(struct tnum a, unsigned size);
/* Every value of a is a multiple of size (a power of two). */
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* Every value b allows, a allows too. */
bool tnum_in(struct tnum a, struct tnum b);
/* "(0x..; 0x..)", as the kernel's log prints it. */
int tnum_strn(char *str, size_t size, struct tnum a);

static inline struct tnum tnum_subreg(struct tnum a) { return tnum_cast(a, 4); }
static inline struct tnum tnum_clear_subreg(struct tnum a) { return tnum_lshift(tnum_rshift(a, 32), 32); }
static inline bool tnum_subreg_is_const(struct tnum a) { return !(uint32_t)a.mask; }
#endif
