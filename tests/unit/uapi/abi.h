/* Shared by the uapi test's translation units: one record per abi_list.h
 * entry, filled once against the system's <linux/bpf.h> (side "sys",
 * tab_sys.c) and once against <bpfvm/uapi.h> (side "ours", tab_ours.c). This
 * header includes neither ABI header. */
#ifndef BPFVM_TEST_UAPI_ABI_H
#define BPFVM_TEST_UAPI_ABI_H

#include <stddef.h>
#include <stdint.h>

enum abi_kind {
	ABI_K_DEF, ABI_K_DEFS, ABI_K_FNMACRO,
	ABI_K_ENUM, ABI_K_ENUMC, ABI_K_ENUMS, ABI_K_HELPER,
	ABI_K_SIZE, ABI_K_GROWN,
	ABI_K_FIELD, ABI_K_SFIELD, ABI_K_GFIELD, ABI_K_RETYPED, ABI_K_BITFIELD,
	ABI_K_EXT,
};

/* C type of a constant (ABI_DEF's TY) */
enum { ABI_TY_I = 1, ABI_TY_U, ABI_TY_L, ABI_TY_UL, ABI_TY_LL, ABI_TY_ULL, ABI_TY_OTHER };

/* Value recorded for an ABI_EXT name the header does not define. */
#define ABI_EXT_ABSENT UINT64_C(0xab5e47ab5e47)

/*
 * v[] per kind:
 *   DEF      value, type code of the side, type code of v5.1
 *   DEFS     value, type code of the side, type code of v5.1, v5.1 value
 *   FNMACRO  the macro applied to four inputs
 *   ENUM     member count in v5.1, first value (or -1)
 *   ENUMC, HELPER  value;  ENUMS  value, v5.1 value
 *   SIZE     sizeof, _Alignof;  GROWN  sizeof, _Alignof, v5.1 sizeof, _Alignof
 *   FIELD    offsetof, sizeof;  SFIELD  offsetof, sizeof, is signed, v5.1 signed
 *   GFIELD, RETYPED  offsetof, sizeof, v5.1 sizeof
 *   BITFIELD first byte it sets, those bytes (up to 8, little-endian packed),
 *            its value with all bits set, width in v5.1
 *   EXT      value (or ABI_EXT_ABSENT), expected value
 */
struct abi_rec {
	int kind;
	int line;		/* of the entry in abi_list.h */
	const char *name;	/* "BPF_MAP_CREATE", "struct bpf_insn.off", ... */
	const char *group;	/* enum group of ENUM/ENUMC/ENUMS/HELPER */
	uint64_t v[4];
};

size_t abi_fill_sys(struct abi_rec *out, size_t max);
size_t abi_fill_ours(struct abi_rec *out, size_t max);

/* The names __BPF_FUNC_MAPPER(FN) produces, in order. */
extern const char *const abi_helper_names_sys[];
extern const size_t abi_helper_count_sys;
extern const char *const abi_helper_names_ours[];
extern const size_t abi_helper_count_ours;

/* The 8 bytes of bpf_insn {code 0x12, dst 3, src 0xa, off -2, imm 0x11223344}. */
void abi_insn_bytes_sys(uint8_t out[8]);
void abi_insn_bytes_ours(uint8_t out[8]);

/* What a TU that includes both headers sees (both_sys_first.c,
 * both_ours_first.c). */
struct abi_both {
	size_t attr_size;	/* sizeof(union bpf_attr) */
	uint64_t func_max_id;	/* __BPF_FUNC_MAX_ID */
	uint64_t max_attach;	/* __MAX_BPF_ATTACH_TYPE */
	uint64_t ext[6];	/* PSEUDO_MAP_VALUE ATOMIC FETCH XCHG CMPXCHG MEMSX */
	uint8_t insn[8];	/* an ldx memsx instruction, as bytes */
	uint64_t extra;		/* a per-TU probe, see each file */
};
void abi_both_sys_first(struct abi_both *r);
void abi_both_ours_first(struct abi_both *r);

#endif
