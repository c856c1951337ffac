/* Control flow: the program's shape (check_subprogs, check_cfg, the opcode
 * and reserved-field checks done before the walk), loops, size limits. */
#include "corpus.h"

static uint32_t fill_movs(struct bpf_insn *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i++)
		p[i] = MOV64_IMM(0, (int32_t)(i & 7));
	p[n - 1] = EXIT();
	return n;
}

static uint32_t fill_4096(struct bpf_insn *p)
{
	return fill_movs(p, 4096);
}

static uint32_t fill_4097(struct bpf_insn *p)
{
	return fill_movs(p, 4097);
}

/* 1025 conditional jumps on an unknown value in a row: each pushes its other
 * branch before any is popped. */
static uint32_t fill_jump_stack(struct bpf_insn *p)
{
	uint32_t n = 0;
	p[n++] = LDX(BPF_W, 6, 1, 0);
	for (int i = 0; i < 1025; i++)
		p[n++] = JMP_IMM(BPF_JEQ, 6, i, 0);
	p[n++] = MOV64_IMM(0, 0);
	p[n++] = EXIT();
	return n;
}

/* 20 diamonds, each recording its direction in a bit of r7 (returned, so
 * live): 2^20 distinct paths that v5.1 cannot prune. */
static uint32_t fill_paths(struct bpf_insn *p)
{
	uint32_t n = 0;
	p[n++] = LDX(BPF_W, 6, 1, 0);
	p[n++] = MOV64_IMM(7, 0);
	p[n++] = MOV64_IMM(0, 0);
	for (int i = 0; i < 20; i++) {
		p[n++] = ALU64_IMM(BPF_LSH, 7, 1);
		/* a bit never tested before: both ways stay open (a range
		 * test such as r6 > 7*i would be decided on all but one path
		 * by v5.1's is_branch_taken already, leaving 21 paths) */
		p[n++] = JMP_IMM(BPF_JSET, 6, 1 << i, 1);
		p[n++] = ALU64_IMM(BPF_OR, 7, 1);
		/* straight-line work keeps the log's state dumps few */
		for (int j = 0; j < 12; j++)
			p[n++] = ALU64_IMM(BPF_ADD, 0, 1);
	}
	p[n++] = MOV64_REG(0, 7);
	p[n++] = EXIT();
	return n;
}

#define LOOPS_53 "bounded loops are accepted for root since 5.3"

const struct vc_case vc_cases_cfg[] = {
{ .name = "cfg: r0 set, exit", .insns = { MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "cfg: exit without setting r0", .insns = { EXIT() }, .result = REJECT, .errstr = "R0 !read_ok" },
{ .name = "cfg: r0 set on one path only",
  .insns = { LDX(BPF_W, 1, 1, 0), JMP_IMM(BPF_JEQ, 1, 0, 1), MOV64_IMM(0, 1), EXIT() },
  .result = REJECT, .errstr = "R0 !read_ok" },
{ .name = "cfg: last insn is a mov", .insns = { MOV64_IMM(0, 0), MOV64_IMM(1, 0) }, .len = 2,
  .result = REJECT, .errstr = "last insn is not an exit or jmp" },
{ .name = "cfg: last insn is a conditional jump",
  .insns = { MOV64_IMM(0, 0), EXIT(), JMP_IMM(BPF_JEQ, 0, 0, -2) },
  .result = REJECT, .errstr = "last insn is not an exit or jmp" },
{ .name = "cfg: code falls off the end after a branch",
  .insns = { MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 0, 0, 1), EXIT(), MOV64_IMM(0, 1) },
  .result = REJECT, .errstr = "last insn is not an exit or jmp" },
{ .name = "cfg: ja forward out of range", .insns = { MOV64_IMM(0, 0), JA(5), EXIT() },
  .result = REJECT, .errstr = "jump out of range from insn 1 to 7" },
{ .name = "cfg: ja backward out of range", .insns = { MOV64_IMM(0, 0), JA(-3), EXIT() },
  .result = REJECT, .errstr = "jump out of range from insn 1 to -1" },
{ .name = "cfg: jeq out of range", .insns = { MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 0, 0, 10), EXIT() },
  .result = REJECT, .errstr = "jump out of range from insn 1 to 12" },
{ .name = "cfg: jmp32 out of range", .insns = { MOV64_IMM(0, 0), JMP32_IMM(BPF_JNE, 0, 1, 2), EXIT() },
  .result = REJECT, .errstr = "jump out of range from insn 1 to 4" },
{ .name = "cfg: jump to one past the end", .insns = { MOV64_IMM(0, 0), JMP_IMM(BPF_JGT, 0, 1, 1), EXIT() },
  .result = REJECT, .errstr = "jump out of range from insn 1 to 3" },
{ .name = "cfg: unreachable insn after exit", .insns = { MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT() },
  .result = REJECT, .errstr = "unreachable insn 2" },
{ .name = "cfg: unreachable insn jumped over", .insns = { MOV64_IMM(0, 0), JA(1), MOV64_IMM(0, 1), EXIT() },
  .result = REJECT, .errstr = "unreachable insn 2" },
{ .name = "cfg: unreachable tail block",
  .insns = { MOV64_IMM(0, 0), JA(2), MOV64_IMM(0, 1), EXIT(), EXIT(), MOV64_IMM(0, 3), EXIT() },
  .result = REJECT, .errstr = "unreachable insn 2" },
{ .name = "cfg: branch never taken at run time is still fine",
  .insns = { MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 0, 0, 1), MOV64_IMM(0, 1), EXIT() }, .result = ACCEPT },
{ .name = "cfg: ja +0 is a no-op", .insns = { MOV64_IMM(0, 0), JA(0), EXIT() }, .result = ACCEPT },
{ .name = "cfg: jeq +0 on unknown", .insns = { LDX(BPF_W, 0, 1, 0), JMP_IMM(BPF_JEQ, 0, 3, 0), EXIT() },
  .result = ACCEPT },
{ .name = "cfg: diamond", .insns = { LDX(BPF_W, 1, 1, 0), JMP_IMM(BPF_JGT, 1, 10, 2), MOV64_IMM(0, 1), JA(1),
  MOV64_IMM(0, 2), EXIT() }, .result = ACCEPT },
{ .name = "cfg: several exits", .insns = { LDX(BPF_W, 1, 1, 0), MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 1, 1, 1), EXIT(),
  JMP_IMM(BPF_JEQ, 1, 2, 1), EXIT(), MOV64_IMM(0, 2), EXIT() }, .result = ACCEPT },
{ .name = "cfg: exit reached by a backward ja is not a loop",
  .insns = { MOV64_IMM(0, 0), JA(1), EXIT(), JA(-2) }, .result = ACCEPT },
{ .name = "cfg: ja to itself", .insns = { MOV64_IMM(0, 0), JA(-1) },
  .result = REJECT, .errstr = "back-edge from insn 1 to 1",
  .kernel_differs = "loops are checked by the walk since 5.3", .kernel_errstr = "infinite loop detected at insn 1" },
{ .name = "cfg: ja back to the start", .insns = { MOV64_IMM(0, 0), JA(-2) },
  .result = REJECT, .errstr = "back-edge from insn 1 to 0",
  .kernel_differs = "loops are checked by the walk since 5.3", .kernel_errstr = "infinite loop detected at insn" },
{ .name = "cfg: conditional back-edge on a constant",
  .insns = { MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 0, 0, -2), EXIT() },
  .result = REJECT, .errstr = "back-edge from insn 1 to 0",
  .kernel_differs = "loops are checked by the walk since 5.3", .kernel_errstr = "infinite loop detected at insn" },
{ .name = "cfg: bounded loop counting down",
  .insns = { MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_IMM(BPF_ADD, 0, 1), ALU64_IMM(BPF_SUB, 1, 1),
	     JMP_IMM(BPF_JNE, 1, 0, -3), EXIT() },
  .result = REJECT, .errstr = "back-edge from insn 4 to 2", .kernel_differs = LOOPS_53, .kernel_result = ACCEPT },
{ .name = "cfg: bounded loop counting up, jmp32",
  .insns = { MOV64_IMM(0, 0), MOV32_IMM(1, 0), ALU32_IMM(BPF_ADD, 1, 1), ALU64_IMM(BPF_ADD, 0, 2),
	     JMP32_IMM(BPF_JLT, 1, 4, -3), EXIT() },
  .result = REJECT, .errstr = "back-edge from insn 4 to 2", .kernel_differs = LOOPS_53, .kernel_result = ACCEPT },
{ .name = "cfg: bounded loop with the exit inside",
  .insns = { MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1), JMP_IMM(BPF_JGT, 0, 5, 1), JA(-3), EXIT() },
  .result = REJECT, .errstr = "back-edge from insn 3 to 1", .kernel_differs = LOOPS_53, .kernel_result = ACCEPT },
{ .name = "cfg: loop over the stack",
  .insns = { MOV64_IMM(1, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), ST(BPF_DW, 2, 0, 0),
	     ALU64_IMM(BPF_ADD, 2, -8), ALU64_IMM(BPF_ADD, 1, 1), JMP_IMM(BPF_JLT, 1, 4, -4), MOV64_IMM(0, 0), EXIT() },
  .result = REJECT, .errstr = "back-edge from insn 6 to 3", .kernel_differs = LOOPS_53, .kernel_result = ACCEPT },
{ .name = "cfg: endless loop that changes nothing",
  .insns = { MOV64_IMM(0, 0), MOV64_IMM(1, 1), JA(-2) },
  .result = REJECT, .errstr = "back-edge from insn 2 to 1",
  .kernel_differs = "loops are checked by the walk since 5.3", .kernel_errstr = "infinite loop detected at insn" },
{ .name = "cfg: ld_imm64 is the last insn", .insns = { MOV64_IMM(0, 0), I(0x18, 0, 0, 0, 1) }, .len = 2,
  .result = REJECT, .errstr = "invalid bpf_ld_imm64 insn",
  .kernel_differs = "subprog checks run first since 5.x", .kernel_errstr = "last insn is not an exit or jmp" },
{ .name = "cfg: ld_imm64 second half has an opcode",
  .insns = { I(0x18, 0, 0, 0, 1), MOV64_IMM(0, 0), EXIT() }, .result = REJECT, .errstr = "invalid bpf_ld_imm64 insn" },
{ .name = "cfg: ld_imm64 second half has dst_reg",
  .insns = { I(0x18, 0, 0, 0, 1), I(0, 1, 0, 0, 0), EXIT() }, .result = REJECT, .errstr = "invalid bpf_ld_imm64 insn" },
{ .name = "cfg: ld_imm64 second half has src_reg",
  .insns = { I(0x18, 0, 0, 0, 1), I(0, 0, 2, 0, 0), EXIT() }, .result = REJECT, .errstr = "invalid bpf_ld_imm64 insn" },
{ .name = "cfg: ld_imm64 second half has off",
  .insns = { I(0x18, 0, 0, 0, 1), I(0, 0, 0, 3, 0), EXIT() }, .result = REJECT, .errstr = "invalid bpf_ld_imm64 insn" },
{ .name = "cfg: ld_imm64 with an unknown pseudo src_reg",
  .insns = { I(0x18, 0, 9, 0, 1), I(0, 0, 0, 0, 0), EXIT() }, .result = REJECT,
  .errstr = "unrecognized bpf_ld_imm64 insn" },
{ .name = "cfg: ld_imm64 map fd with nonzero upper imm",
  .insns = { MOV64_IMM(0, 0), I(0x18, 1, 1, 0, 0), I(0, 0, 0, 0, 1), EXIT() },
  .fixup[VC_MAP_HASH8] = { 1 }, .result = REJECT, .errstr = "unrecognized bpf_ld_imm64 insn" },
{ .name = "cfg: ld_imm64 map fd that is no map",
  .insns = { MOV64_IMM(0, 0), I(0x18, 1, 1, 0, 9999), I(0, 0, 0, 0, 0), EXIT() },
  .result = REJECT, .errstr = "fd 9999 is not pointing to valid bpf_map" },
{ .name = "cfg: ld_imm64 64-bit constant", .insns = { LD_IMM64(0, 0x123456789abcdefULL), EXIT() }, .result = ACCEPT },
{ .name = "cfg: jump into the middle of ld_imm64",
  .insns = { LDX(BPF_W, 0, 1, 0), JMP_IMM(BPF_JEQ, 0, 0, 1), LD_IMM64(0, 1), EXIT() },
  .result = REJECT, .errstr = "invalid BPF_LD_IMM insn",
  .kernel_differs = "checked in the cfg pass since 5.x", .kernel_errstr = "jump into the middle of ldimm64 insn 2" },
{ .name = "cfg: unknown opcode 0x8f (neg with X)", .insns = { MOV64_IMM(0, 0), I(0x8f, 0, 0, 0, 0), EXIT() },
  .result = REJECT, .errstr = "unknown opcode 8f" },
{ .name = "cfg: unknown opcode 0xf5", .insns = { MOV64_IMM(0, 0), I(0xf5, 0, 0, 0, 0), EXIT() },
  .result = REJECT, .errstr = "unknown opcode f5" },
{ .name = "cfg: unknown opcode 0x00 (ld imm w)", .insns = { I(0x00, 0, 0, 0, 0), MOV64_IMM(0, 0), EXIT() },
  .result = REJECT, .errstr = "unknown opcode 00" },
{ .name = "cfg: unknown opcode 0x38 (ld abs dw)", .insns = { MOV64_REG(6, 1), I(0x38, 0, 0, 0, 0), EXIT() },
  .result = REJECT, .errstr = "unknown opcode 38" },
{ .name = "cfg: unknown opcode 0x9d (exit with X)", .insns = { MOV64_IMM(0, 0), I(0x9d, 0, 0, 0, 0), EXIT() },
  .result = REJECT, .errstr = "unknown opcode 9d" },
{ .name = "cfg: jmp32 ja (gotol) does not exist in v5.1",
  .insns = { MOV64_IMM(0, 0), I(0x06, 0, 0, 0, 0), EXIT() }, .result = REJECT, .errstr = "unknown opcode 06",
  .kernel_differs = "cpu v4 gotol since 6.6", .kernel_result = ACCEPT },
{ .name = "cfg: alu64 end (bswap) does not exist in v5.1",
  .insns = { MOV64_IMM(0, 0), I(0xd7, 0, 0, 0, 16), EXIT() }, .result = REJECT, .errstr = "unknown opcode d7",
  .kernel_differs = "cpu v4 bswap since 6.6", .kernel_result = ACCEPT },
{ .name = "cfg: ldx with mode other than mem",
  .insns = { ST(BPF_DW, 10, -8, 0), I(0x91, 0, 10, -8, 0), EXIT() }, .result = REJECT,
  .errstr = "BPF_LDX uses reserved fields",
  .kernel_differs = "cpu v4 sign-extending loads (mode 0x80) since 6.6", .kernel_result = ACCEPT },
{ .name = "cfg: ldx msh mode", .insns = { ST(BPF_DW, 10, -8, 0), I(0xb1, 0, 10, -8, 0), EXIT() },
  .result = REJECT, .errstr = "BPF_LDX uses reserved fields" },
{ .name = "cfg: ldx with imm", .insns = { ST(BPF_DW, 10, -8, 0), I(0x79, 0, 10, -8, 1), EXIT() },
  .result = REJECT, .errstr = "BPF_LDX uses reserved fields" },
{ .name = "cfg: stx with imm", .insns = { MOV64_IMM(0, 0), I(0x7b, 10, 0, -8, 1), EXIT() },
  .result = REJECT, .errstr = "BPF_STX uses reserved fields" },
{ .name = "cfg: st with src_reg", .insns = { I(0x7a, 10, 1, -8, 0), MOV64_IMM(0, 0), EXIT() },
  .result = REJECT, .errstr = "BPF_ST uses reserved fields" },
{ .name = "cfg: exit with imm", .insns = { MOV64_IMM(0, 0), I(0x95, 0, 0, 0, 1) },
  .result = REJECT, .errstr = "BPF_EXIT uses reserved fields" },
{ .name = "cfg: exit with src_reg", .insns = { MOV64_IMM(0, 0), I(0x95, 0, 1, 0, 0) },
  .result = REJECT, .errstr = "BPF_EXIT uses reserved fields" },
{ .name = "cfg: exit with dst_reg", .insns = { MOV64_IMM(0, 0), I(0x95, 1, 0, 0, 0) },
  .result = REJECT, .errstr = "BPF_EXIT uses reserved fields" },
{ .name = "cfg: exit with off", .insns = { MOV64_IMM(0, 0), I(0x95, 0, 0, 1, 0) }, .result = ACCEPT },
{ .name = "cfg: ja with imm", .insns = { MOV64_IMM(0, 0), I(0x05, 0, 0, 0, 1), EXIT() },
  .result = REJECT, .errstr = "BPF_JA uses reserved fields" },
{ .name = "cfg: ja with dst_reg", .insns = { MOV64_IMM(0, 0), I(0x05, 1, 0, 0, 0), EXIT() },
  .result = REJECT, .errstr = "BPF_JA uses reserved fields" },
{ .name = "cfg: call with off", .insns = { I(0x85, 0, 0, 1, BPF_FUNC_ktime_get_ns), EXIT() },
  .result = REJECT, .errstr = "BPF_CALL uses reserved fields" },
{ .name = "cfg: call with dst_reg", .insns = { I(0x85, 1, 0, 0, BPF_FUNC_ktime_get_ns), EXIT() },
  .result = REJECT, .errstr = "BPF_CALL uses reserved fields" },
{ .name = "cfg: call with src_reg 2", .insns = { I(0x85, 0, 2, 0, BPF_FUNC_ktime_get_ns), EXIT() },
  .result = REJECT, .errstr = "BPF_CALL uses reserved fields",
  .kernel_differs = "src_reg 2 is a kfunc call since 5.13", .kernel_errstr = "kernel btf_id 5 is not a function" },
{ .name = "cfg: jeq K with src_reg", .insns = { MOV64_IMM(0, 0), I(0x15, 0, 1, 0, 0), EXIT() },
  .result = REJECT, .errstr = "BPF_JMP/JMP32 uses reserved fields" },
{ .name = "cfg: jeq X with imm", .insns = { MOV64_IMM(0, 0), MOV64_IMM(1, 0), I(0x1d, 0, 1, 0, 5), EXIT() },
  .result = REJECT, .errstr = "BPF_JMP/JMP32 uses reserved fields" },
{ .name = "cfg: jmp32 K with src_reg", .insns = { MOV64_IMM(0, 0), I(0x16, 0, 1, 0, 0), EXIT() },
  .result = REJECT, .errstr = "BPF_JMP/JMP32 uses reserved fields" },
{ .name = "cfg: 4096 insns", .fill = fill_4096, .result = ACCEPT },
{ .name = "cfg: 4097 insns", .fill = fill_4097, .result = REJECT, .errstr = NULL,
  .kernel_differs = "root programs may have up to 1M insns since 5.2", .kernel_result = ACCEPT },
{ .name = "cfg: 1025 pending branches", .fill = fill_jump_stack, .result = REJECT,
  .errstr = "BPF program is too complex",
  .kernel_differs = "the pending-branch limit is 8192 since 5.2", .kernel_result = ACCEPT },
{ .name = "cfg: 2^20 paths exceed the insn budget", .fill = fill_paths, .result = REJECT,
  .errstr = "BPF program is too large. Processed 131073 insn",
  .kernel_differs = "1M-insn budget since 5.2 and precision tracking since 5.3 prune these paths",
  .kernel_result = ACCEPT },
};
VC_CASES_END(vc_cases_cfg)
