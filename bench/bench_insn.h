/* Instruction builders for the hand-assembled benchmark programs, in the
 * style of the kernel's BPF_*() macros (include/linux/filter.h). */
#ifndef BENCH_INSN_H
#define BENCH_INSN_H
#include <bpfvm/uapi.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

#define B_MOV64_IMM(d, i)       INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define B_MOV64_REG(d, s)       INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define B_ALU64_IMM(op, d, i)   INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define B_LDX(sz, d, s, o)      INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define B_STX(sz, d, s, o)      INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define B_ST(sz, d, o, i)       INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define B_XADD(sz, d, s, o)     INSN(BPF_STX | BPF_XADD | (sz), d, s, o, 0)
#define B_JMP_IMM(op, d, i, o)  INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define B_JMP_REG(op, d, s, o)  INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define B_CALL(id)              INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define B_EXIT()                INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Two slots: dst = the map of `fd` (BPF_PSEUDO_MAP_FD). Returns p + 2. */
static inline struct bpf_insn *b_ld_map_fd(struct bpf_insn *p, uint8_t dst, int fd)
{
	p[0] = INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
	p[1] = INSN(0, 0, 0, 0, 0);
	return p + 2;
}

/* XDP: r1 is struct xdp_md *; data and data_end are its first two u32. */
#define XDP_MD_DATA     0
#define XDP_MD_DATA_END 4
#define XDP_MD_RX_QUEUE 16
#define XDP_PASS_CODE   2
#endif
