/* The verifier corpus: programs with the verdict Linux v5.1's verifier gives
 * them (as root), in the manner of the kernel selftests' test_verifier but
 * written for bpfvm. Each case runs through bpfvm's BPF_PROG_LOAD and, where
 * bpf() works, through the running kernel (kern.h), which is the oracle for
 * the verdicts; the kernel's post-5.1 changes are listed per case.
 *
 * Cases live in cases_*.c, one file per rule class; main.c runs them. */
#ifndef VC_CORPUS_H
#define VC_CORPUS_H
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/bpfvm.h>
#include "lib/insn.h"

#define VC_MAX_INSNS 80
#define VC_MAX_FIXUPS 6

enum { ACCEPT = 1, REJECT = 2 };

/* The maps a case can ask for. A case lists, per kind, the indices of the
 * LD_IMM64 insns (src_reg 1) whose imm becomes that map's fd; insn 0 cannot
 * be listed (0 ends a list). Every kind is created fresh for the case on both
 * sides. */
enum vc_map {
	VC_MAP_HASH8,           /* hash, key 8, value 8 */
	VC_MAP_HASH16,          /* hash, key 8, value 16 */
	VC_MAP_HASH48,          /* hash, key 8, value 48 */
	VC_MAP_ARRAY48,         /* array, key 4, value 48 */
	VC_MAP_ARRAY8,          /* array, key 4, value 8 */
	VC_MAP_PROG_ARRAY,      /* prog array, 4 slots */
	VC_MAP_ARRAY_OF_MAPS,   /* array of maps, inner: array key 4 value 8 */
	VC_MAP_HASH_OF_MAPS,    /* hash of maps, key 4, same inner */
	VC_MAP_QUEUE,           /* queue, value 4 */
	VC_MAP_STACK,           /* stack, value 4 */
	VC_MAP_PERF_EVENT,      /* perf event array */
	VC_MAP_STACK_TRACE,     /* stack trace, value 64 */
	VC_MAP_PERCPU_ARRAY,    /* per-cpu array, key 4, value 8 */
	VC_MAP_LOCK_HASH,       /* hash, key int, value struct { bpf_spin_lock l; int cnt; } (BTF) */
	VC_MAP_LOCK_ARRAY,      /* array, same value */
	VC_MAP_BTF_PLAIN,       /* hash, key int, value struct { int a, b; } (BTF, no lock) */
	VC_MAP_TWO_LOCKS,       /* hash, key int, value with two bpf_spin_locks (BTF) */
	VC_N_MAPS
};

struct vc_case {
	const char *name;
	struct bpf_insn insns[VC_MAX_INSNS];
	uint32_t len;                   /* 0: up to the last insn that is not all zero */
	/* Large programs: writes the program into insns (room for VC_FILL_MAX)
	 * and returns its length; used instead of .insns. */
	uint32_t (*fill)(struct bpf_insn *insns);
	uint32_t prog_type;             /* 0: BPF_PROG_TYPE_SOCKET_FILTER */
	uint32_t attach_type;           /* expected_attach_type */
	uint32_t prog_flags;            /* BPF_F_STRICT_ALIGNMENT, ... */
	const char *license;            /* NULL: "GPL" */
	int result;                     /* ACCEPT or REJECT under Linux v5.1 */
	/* REJECT: a substring of the error the v5.1 verifier logs (the text
	 * after the log's last instruction line); NULL: no log is expected
	 * (the load fails before the verifier). */
	const char *errstr;
	int16_t fixup[VC_N_MAPS][VC_MAX_FIXUPS];
	/* Where the running (post-5.1) kernel behaves otherwise: why, and its
	 * verdict (0: the same) and phrasing (NULL: errstr). A case with a
	 * kernel_result is left out of the kernel-agreement figure. */
	const char *kernel_differs;
	int kernel_result;
	const char *kernel_errstr;
	/* bpfvm gets this case wrong today: reported, not a failure. */
	uint8_t bpfvm_todo;
};

#define VC_FILL_MAX (1u << 17)

struct vc_class {
	const char *name;
	const struct vc_case *cases;
	const size_t *n;
};

#define VC_CLASS(sym) extern const struct vc_case sym[]; extern const size_t sym##_n;
VC_CLASS(vc_cases_cfg)
VC_CLASS(vc_cases_alu)
VC_CLASS(vc_cases_jmp)
VC_CLASS(vc_cases_stack)
VC_CLASS(vc_cases_ctx)
VC_CLASS(vc_cases_pkt)
VC_CLASS(vc_cases_map)
VC_CLASS(vc_cases_helpers)
VC_CLASS(vc_cases_refs)
VC_CLASS(vc_cases_calls)
VC_CLASS(vc_cases_misc)
#undef VC_CLASS
#define VC_CASES_END(sym) const size_t sym##_n = sizeof(sym) / sizeof(sym[0]);

/* ---- instruction builders beyond tests/lib/insn.h -------------------- */

#define MOV32_REG(d, s)       I(0xbc, d, s, 0, 0)
#define JMP32_IMM(op, d, i, o) I(BPF_JMP32 | BPF_K | (op), d, 0, o, i)
#define JMP32_REG(op, d, s, o) I(BPF_JMP32 | BPF_X | (op), d, s, o, 0)
#define NEG64(d)              I(BPF_ALU64 | BPF_NEG, d, 0, 0, 0)
#define NEG32(d)              I(BPF_ALU | BPF_NEG, d, 0, 0, 0)
#define ENDIAN(src, d, bits)  I(BPF_ALU | BPF_END | (src), d, 0, 0, bits)
#define XADD(sz, d, s, o)     I(BPF_STX | BPF_XADD | (sz), d, s, o, 0)
#define LD_ABS(sz, k)         I(BPF_LD | BPF_ABS | (sz), 0, 0, 0, k)
#define LD_IND(sz, s, k)      I(BPF_LD | BPF_IND | (sz), 0, s, 0, k)
/* A map fd load; the fd comes from the case's fixup list. Two slots. */
#define LD_MAP(d)             I(BPF_LD | BPF_IMM | BPF_DW, d, 1, 0, 0), I(0, 0, 0, 0, 0)
/* r2 = fp-8 holding a zeroed 8-byte key, r1 = map, call lookup: 6 slots,
 * the map load at +3. */
#define LOOKUP_K8(helper)     ST(BPF_DW, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), \
			      LD_MAP(1), CALL(helper)
/* The same with a 4-byte key at fp-4 (array maps, BTF maps): 6 slots. */
#define LOOKUP_K4(helper)     ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), \
			      LD_MAP(1), CALL(helper)
#define LOOKUP8  LOOKUP_K8(BPF_FUNC_map_lookup_elem)
#define LOOKUP4  LOOKUP_K4(BPF_FUNC_map_lookup_elem)
/* Lookup, then exit with r0 = 0 when NULL: 8 slots, the map load at +3;
 * at +8 r0 points to the value. */
#define VALUE_OR_EXIT LOOKUP8, JMP_IMM(BPF_JNE, 0, 0, 1), EXIT()
#define VALUE4_OR_EXIT LOOKUP4, JMP_IMM(BPF_JNE, 0, 0, 1), EXIT()
/* At +8: r1 = the value's first u32, `...` transforms r1, then r0 += r1 and
 * an 8-byte read at r0: indexing a map value with a bounded scalar. */
#define IDX_PROG(...) { VALUE_OR_EXIT, LDX(BPF_W, 1, 0, 0), __VA_ARGS__, ALU64_REG(BPF_ADD, 0, 1), \
			LDX(BPF_DW, 1, 0, 0), MOV64_IMM(0, 0), EXIT() }
/* The same starting from the value's first u64 (unknown in all 64 bits). */
#define IDX64_PROG(...) { VALUE_OR_EXIT, LDX(BPF_DW, 1, 0, 0), __VA_ARGS__, ALU64_REG(BPF_ADD, 0, 1), \
			  LDX(BPF_DW, 1, 0, 0), MOV64_IMM(0, 0), EXIT() }
#define F_HASH8  .fixup[VC_MAP_HASH8] = { 3 }
#define F_HASH48 .fixup[VC_MAP_HASH48] = { 3 }
#define F_ARRAY48 .fixup[VC_MAP_ARRAY48] = { 3 }
#define NOP MOV64_IMM(9, 0)

#define CTX(type, field)      ((int16_t)offsetof(struct type, field))
#define SKB(field)            CTX(__sk_buff, field)

/* Program types, short. */
#define SOCKET  BPF_PROG_TYPE_SOCKET_FILTER
#define TC      BPF_PROG_TYPE_SCHED_CLS
#define XDP     BPF_PROG_TYPE_XDP
#define CGSKB   BPF_PROG_TYPE_CGROUP_SKB
#endif
