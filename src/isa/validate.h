/* Structural validation: what must hold of a program before anything runs
 * it, independent of types and values (those are the verifier's). */
#ifndef BPFVM_ISA_VALIDATE_H
#define BPFVM_ISA_VALIDATE_H
#include <stddef.h>
#include <stdint.h>

struct bpf_insn;

enum bpfvm_validate_flags {
	/* LD_IMM64 may carry BPF_PSEUDO_MAP_FD / _MAP_VALUE (the command layer
	 * resolves them); without this flag they are refused. */
	VALIDATE_ALLOW_PSEUDO_MAP = 1u << 0,
};

/* Limits of the kernel (include/linux/bpf.h and the verifier). */
#define BPFVM_MAX_INSNS        1000000u   /* BPF_COMPLEXITY_LIMIT_INSNS */
#define BPFVM_STACK_SIZE       512        /* MAX_BPF_STACK */
#define BPFVM_MAX_CALL_FRAMES  8          /* MAX_CALL_FRAMES */

/* Checks insns[0..n) and writes, per instruction, its op id (enum bpfvm_op)
 * into ops (the second slot of LD_IMM64 gets 0xffff). Returns 0, or -EINVAL
 * (-E2BIG for a too long program) with one line in err naming the
 * instruction index. */
/* ops is required (n entries). */
int bpfvm_validate(const struct bpf_insn *insns, size_t n, int isa_level,
		   unsigned flags, uint16_t *ops, char *err, size_t errlen);

#define BPFVM_OP_LDDW_HI 0xffff
#endif
