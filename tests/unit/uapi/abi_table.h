/*
 * Builds the ABI table of one side from abi_list.h. Include it after the ABI
 * header of that side, with ABI_SIDE defined as sys or ours; it defines
 * abi_fill_<side>(), abi_helper_names_<side>[], abi_helper_count_<side> and
 * abi_insn_bytes_<side>() (see abi.h).
 */
#ifndef ABI_SIDE
#error "define ABI_SIDE (sys or ours) before including abi_table.h"
#endif

#include <stddef.h>
#include <string.h>

#include "abi.h"

#define ABI_CAT_(a, b) a##b
#define ABI_CAT(a, b) ABI_CAT_(a, b)

/* Names beyond v5.1 that the side's header may lack. */
#ifndef BPF_PSEUDO_MAP_VALUE
#define BPF_PSEUDO_MAP_VALUE ABI_EXT_ABSENT
#endif
#ifndef BPF_ATOMIC
#define BPF_ATOMIC ABI_EXT_ABSENT
#endif
#ifndef BPF_FETCH
#define BPF_FETCH ABI_EXT_ABSENT
#endif
#ifndef BPF_XCHG
#define BPF_XCHG ABI_EXT_ABSENT
#endif
#ifndef BPF_CMPXCHG
#define BPF_CMPXCHG ABI_EXT_ABSENT
#endif
#ifndef BPF_MEMSX
#define BPF_MEMSX ABI_EXT_ABSENT
#endif

/* __bpf_md_ptr, as the side's header defines it. */
struct abi_mdptr_probe {
	uint32_t before;
	__bpf_md_ptr(void *, ptr);
	uint32_t after;
};

#define ABI_TYPE_CODE(x) _Generic((x),					\
	int: ABI_TY_I, unsigned int: ABI_TY_U,				\
	long: ABI_TY_L, unsigned long: ABI_TY_UL,			\
	long long: ABI_TY_LL, unsigned long long: ABI_TY_ULL,		\
	default: ABI_TY_OTHER)

/* 1 if the scalar member T.M has a signed type */
#define ABI_IS_SIGNED(T, M)						\
	(!((__typeof__(((T *)0)->M))((__typeof__(((T *)0)->M))0 - 1) > 0))

#define ABI_SG_S 1
#define ABI_SG_U 0

#define ABI_REC(K, NAME, GROUP, A, B, C, D) \
	{ (K), __LINE__, (NAME), (GROUP), { (uint64_t)(A), (uint64_t)(B), (uint64_t)(C), (uint64_t)(D) } },

#define ABI_FN_IN0 0x00u
#define ABI_FN_IN1 0xffu
#define ABI_FN_IN2 0x1234u
#define ABI_FN_IN3 0xdeadbeefu

/* Everything but the bit-fields is a constant expression. */
static const struct abi_rec ABI_CAT(abi_table_, ABI_SIDE)[] = {
#define ABI_DEF(NAME, TY) \
	ABI_REC(ABI_K_DEF, #NAME, NULL, NAME, ABI_TYPE_CODE(NAME), ABI_TY_##TY, 0)
#define ABI_DEFS(NAME, TY, V) \
	ABI_REC(ABI_K_DEFS, #NAME, NULL, NAME, ABI_TYPE_CODE(NAME), ABI_TY_##TY, V)
#define ABI_FNMACRO(NAME) \
	ABI_REC(ABI_K_FNMACRO, #NAME, NULL, NAME(ABI_FN_IN0), NAME(ABI_FN_IN1), \
		NAME(ABI_FN_IN2), NAME(ABI_FN_IN3))
#define ABI_ENUM(G, N, FIRST) \
	ABI_REC(ABI_K_ENUM, "enum " #G, #G, N, (int64_t)(FIRST), 0, 0)
#define ABI_ENUMC(G, NAME) \
	ABI_REC(ABI_K_ENUMC, #NAME, #G, (int64_t)(NAME), 0, 0, 0)
#define ABI_ENUMS(G, NAME, V) \
	ABI_REC(ABI_K_ENUMS, #NAME, #G, (int64_t)(NAME), V, 0, 0)
#define ABI_HELPER(G, name) \
	ABI_REC(ABI_K_HELPER, "BPF_FUNC_" #name, #G, (int64_t)(BPF_FUNC_##name), 0, 0, 0)
#define ABI_SIZE(T) \
	ABI_REC(ABI_K_SIZE, #T, NULL, sizeof(T), _Alignof(T), 0, 0)
#define ABI_GROWN(T, S, A) \
	ABI_REC(ABI_K_GROWN, #T, NULL, sizeof(T), _Alignof(T), S, A)
#define ABI_FIELD(T, M) \
	ABI_REC(ABI_K_FIELD, #T "." #M, NULL, offsetof(T, M), sizeof(((T *)0)->M), 0, 0)
#define ABI_SFIELD(T, M, SG) \
	ABI_REC(ABI_K_SFIELD, #T "." #M, NULL, offsetof(T, M), sizeof(((T *)0)->M), \
		ABI_IS_SIGNED(T, M), ABI_SG_##SG)
#define ABI_GFIELD(T, M, S) \
	ABI_REC(ABI_K_GFIELD, #T "." #M, NULL, offsetof(T, M), sizeof(((T *)0)->M), S, 0)
#define ABI_RETYPED(T, M, S) \
	ABI_REC(ABI_K_RETYPED, #T "." #M, NULL, offsetof(T, M), sizeof(((T *)0)->M), S, 0)
/* measured at run time by abi_fill_*() */
#define ABI_BITFIELD(T, M, W) \
	ABI_REC(ABI_K_BITFIELD, #T "." #M, NULL, 0, 0, 0, W)
#define ABI_EXT(NAME, V) \
	ABI_REC(ABI_K_EXT, #NAME, NULL, NAME, V, 0, 0)

#include "abi_list.h"

#undef ABI_DEF
#undef ABI_DEFS
#undef ABI_FNMACRO
#undef ABI_ENUM
#undef ABI_ENUMC
#undef ABI_ENUMS
#undef ABI_HELPER
#undef ABI_SIZE
#undef ABI_GROWN
#undef ABI_FIELD
#undef ABI_SFIELD
#undef ABI_GFIELD
#undef ABI_RETYPED
#undef ABI_BITFIELD
#undef ABI_EXT
};

/* Stores into the BITFIELD record of that name the first byte that setting
 * the field to all ones sets in a zeroed object, the bytes from there, and the
 * field's all-ones value. */
static void ABI_CAT(abi_bitfield_, ABI_SIDE)(struct abi_rec *out, size_t n, const char *name,
					    const void *obj, size_t size, uint64_t all_ones)
{
	const unsigned char *p = obj;
	size_t first = size, i;
	uint64_t bytes = 0;

	for (i = 0; i < size; i++) {
		if (p[i]) {
			first = i;
			break;
		}
	}
	for (i = 0; i < 8 && first + i < size; i++)
		bytes |= (uint64_t)p[first + i] << (8 * i);
	for (i = 0; i < n; i++) {
		if (out[i].kind == ABI_K_BITFIELD && !strcmp(out[i].name, name)) {
			out[i].v[0] = first;
			out[i].v[1] = bytes;
			out[i].v[2] = all_ones;
		}
	}
}

size_t ABI_CAT(abi_fill_, ABI_SIDE)(struct abi_rec *out, size_t max)
{
	size_t n = sizeof(ABI_CAT(abi_table_, ABI_SIDE)) / sizeof(ABI_CAT(abi_table_, ABI_SIDE)[0]);

	if (n > max)
		return n;
	memcpy(out, ABI_CAT(abi_table_, ABI_SIDE), sizeof(ABI_CAT(abi_table_, ABI_SIDE)));

#define ABI_DEF(NAME, TY)
#define ABI_DEFS(NAME, TY, V)
#define ABI_FNMACRO(NAME)
#define ABI_ENUM(G, N, FIRST)
#define ABI_ENUMC(G, NAME)
#define ABI_ENUMS(G, NAME, V)
#define ABI_HELPER(G, name)
#define ABI_SIZE(T)
#define ABI_GROWN(T, S, A)
#define ABI_FIELD(T, M)
#define ABI_SFIELD(T, M, SG)
#define ABI_GFIELD(T, M, S)
#define ABI_RETYPED(T, M, S)
#define ABI_EXT(NAME, V)
	/* all bits of the field set (unsigned wrap-around), nothing else */
#define ABI_BITFIELD(T, M, W) {						\
		T o_;							\
		memset(&o_, 0, sizeof o_);				\
		o_.M = 0;						\
		o_.M--;							\
		ABI_CAT(abi_bitfield_, ABI_SIDE)(out, n, #T "." #M, &o_, sizeof o_, o_.M); \
	}

#include "abi_list.h"

#undef ABI_DEF
#undef ABI_DEFS
#undef ABI_FNMACRO
#undef ABI_ENUM
#undef ABI_ENUMC
#undef ABI_ENUMS
#undef ABI_HELPER
#undef ABI_SIZE
#undef ABI_GROWN
#undef ABI_FIELD
#undef ABI_SFIELD
#undef ABI_GFIELD
#undef ABI_RETYPED
#undef ABI_BITFIELD
#undef ABI_EXT
	return n;
}

/* FN(name) in v5.1; later kernels may pass more arguments after the name. */
#define ABI_HNAME_(x, ...) #x
#define ABI_HNAME(...) ABI_HNAME_(__VA_ARGS__, ~)

const char *const ABI_CAT(abi_helper_names_, ABI_SIDE)[] = {
	__BPF_FUNC_MAPPER(ABI_HNAME)
};
const size_t ABI_CAT(abi_helper_count_, ABI_SIDE) =
	sizeof(ABI_CAT(abi_helper_names_, ABI_SIDE)) /
	sizeof(ABI_CAT(abi_helper_names_, ABI_SIDE)[0]);

void ABI_CAT(abi_insn_bytes_, ABI_SIDE)(uint8_t out[8])
{
	struct bpf_insn insn;

	memset(&insn, 0, sizeof insn);
	insn.code = 0x12;
	insn.dst_reg = 3;
	insn.src_reg = 0xa;
	insn.off = -2;
	insn.imm = 0x11223344;
	memcpy(out, &insn, 8);
}
