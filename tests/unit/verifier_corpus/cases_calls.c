/* BPF-to-BPF calls: subprogram boundaries, recursion, call depth, the
 * combined stack, arguments and results, pointers to the caller's stack,
 * references crossing calls. */
#include "corpus.h"

#define SK_LOOKUP_TCP ST(BPF_DW, 10, -16, 0), ST(BPF_DW, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16), \
		      MOV64_IMM(3, 12), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(BPF_FUNC_sk_lookup_tcp)
#define CALL_EXIT(rel) CALL_LOCAL(rel), EXIT()

/* main calls f1, f1 calls f2, ..., f(n) returns 0. */
static uint32_t nest(struct bpf_insn *p, int n)
{
	uint32_t k = 0;
	for (int i = 0; i < n; i++) {
		p[k++] = CALL_LOCAL(1);
		p[k++] = EXIT();
	}
	p[k++] = MOV64_IMM(0, 0);
	p[k++] = EXIT();
	return k;
}

static uint32_t fill_8_frames(struct bpf_insn *p)
{
	return nest(p, 7);
}

static uint32_t fill_9_frames(struct bpf_insn *p)
{
	return nest(p, 8);
}

const struct vc_case vc_cases_calls[] = {
{ .name = "calls: call a subprog returning 1", .insns = { CALL_EXIT(1), MOV64_IMM(0, 1), EXIT() },
  .result = ACCEPT },
{ .name = "calls: the callee reads the caller's r1", .insns = { CALL_EXIT(1), LDX(BPF_W, 0, 1, 0), EXIT() },
  .result = ACCEPT },
{ .name = "calls: the callee reads r6", .insns = { MOV64_IMM(6, 1), CALL_EXIT(1), MOV64_REG(0, 6), EXIT() },
  .result = REJECT, .errstr = "R6 !read_ok" },
{ .name = "calls: the callee reads r0", .insns = { MOV64_IMM(0, 1), CALL_EXIT(1), ALU64_IMM(BPF_ADD, 0, 1),
  EXIT() }, .result = REJECT, .errstr = "R0 !read_ok" },
{ .name = "calls: the caller's r1 after the call", .insns = { CALL_LOCAL(2), MOV64_REG(0, 1), EXIT(),
  MOV64_IMM(0, 0), EXIT() }, .result = REJECT, .errstr = "R1 !read_ok" },
{ .name = "calls: r6 survives the call", .insns = { MOV64_IMM(6, 5), CALL_LOCAL(2), MOV64_REG(0, 6), EXIT(),
  MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: the callee leaves r0 unset", .insns = { CALL_EXIT(1), EXIT() }, .result = REJECT,
  .errstr = "R0 !read_ok" },
{ .name = "calls: the callee writes r10", .insns = { CALL_EXIT(1), MOV64_IMM(10, 0), EXIT() }, .result = REJECT,
  .errstr = "frame pointer is read only" },
{ .name = "calls: call past the end", .insns = { CALL_EXIT(10), MOV64_IMM(0, 0), EXIT() }, .result = REJECT,
  .errstr = "call to invalid destination",
  .kernel_differs = "phrasing", .kernel_errstr = "call to invalid destination" },
{ .name = "calls: call before the start", .insns = { MOV64_IMM(0, 0), CALL_LOCAL(-3), EXIT() }, .result = REJECT,
  .errstr = "call to invalid destination" },
{ .name = "calls: a function calls itself", .insns = { CALL_EXIT(1), CALL_LOCAL(-1), EXIT() }, .result = REJECT,
  .errstr = "back-edge from insn 2 to 2",
  .kernel_differs = "recursion is caught by the walk since 5.3", .kernel_errstr = "the call stack of 9 frames is too deep" },
{ .name = "calls: two functions call each other", .insns = { CALL_EXIT(1), CALL_EXIT(1), CALL_LOCAL(-3), EXIT() },
  .result = REJECT, .errstr = "back-edge from insn 4 to 2",
  .kernel_differs = "recursion is caught by the walk since 5.3", .kernel_errstr = "the call stack of 9 frames is too deep" },
{ .name = "calls: jump from main into a subprog", .insns = { CALL_LOCAL(3), JMP_IMM(BPF_JEQ, 0, 0, 2),
  MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT() }, .result = REJECT, .errstr = "jump out of range from insn 1 to 4" },
{ .name = "calls: jump from a subprog back into main", .insns = { CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 1),
  JMP_IMM(BPF_JEQ, 0, 1, -3), EXIT() }, .result = REJECT, .errstr = "jump out of range from insn 3 to 1" },
{ .name = "calls: a subprog falls into the next", .insns = { CALL_LOCAL(3), CALL_LOCAL(3), MOV64_IMM(0, 0),
  EXIT(), MOV64_IMM(0, 1), EXIT() }, .result = REJECT, .errstr = "last insn is not an exit or jmp" },
{ .name = "calls: a subprog ending in ja", .insns = { CALL_EXIT(1), MOV64_IMM(0, 1), JA(1), EXIT(), JA(-2) },
  .result = ACCEPT },
{ .name = "calls: code after main's exit that nothing calls", .insns = { MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1),
  EXIT() }, .result = REJECT, .errstr = "unreachable insn 2" },
{ .name = "calls: 8 frames", .fill = fill_8_frames, .result = ACCEPT },
{ .name = "calls: 9 frames", .fill = fill_9_frames, .result = REJECT, .errstr = "the call stack of 9 frames is too deep" },
{ .name = "calls: combined stack of 640 bytes", .insns = { ST(BPF_DW, 10, -304, 0), CALL_EXIT(1),
  ST(BPF_DW, 10, -304, 0), MOV64_IMM(0, 0), EXIT() }, .result = REJECT,
  .errstr = "combined stack size of 2 calls is 640. Too large",
  .kernel_differs = "stack depth rounds to 16, not 32, for JITed programs",
  .kernel_errstr = "combined stack size of 2 calls is 608. Too large" },
{ .name = "calls: combined stack of 512 bytes", .insns = { ST(BPF_DW, 10, -256, 0), CALL_EXIT(1),
  ST(BPF_DW, 10, -256, 0), MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: combined stack of 3 frames", .insns = { ST(BPF_DW, 10, -160, 0), CALL_EXIT(1),
  ST(BPF_DW, 10, -160, 0), CALL_EXIT(1), ST(BPF_DW, 10, -200, 0), MOV64_IMM(0, 0), EXIT() }, .result = REJECT,
  .errstr = "combined stack size of 3 calls is 544. Too large",
  .kernel_differs = "stack depth rounds to 16, not 32, for JITed programs",
  .kernel_errstr = "combined stack size of 3 calls is 528. Too large" },
{ .name = "calls: two callees in turn share the budget", .insns = { ST(BPF_DW, 10, -256, 0), CALL_LOCAL(3),
  CALL_LOCAL(5), MOV64_IMM(0, 0), EXIT(), ST(BPF_DW, 10, -256, 0), MOV64_IMM(0, 0), EXIT(), ST(BPF_DW, 10, -200, 0),
  MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: the callee's own stack overflows", .insns = { CALL_EXIT(1), ST(BPF_DW, 10, -520, 0),
  MOV64_IMM(0, 0), EXIT() }, .result = REJECT, .errstr = "invalid stack off=-520 size=8",
  .kernel_differs = "phrasing", .kernel_errstr = "invalid write to stack R10 off=-520 size=8" },
{ .name = "calls: the callee reads the caller's stack", .insns = { ST(BPF_DW, 10, -8, 7), MOV64_REG(1, 10),
  ALU64_IMM(BPF_ADD, 1, -8), CALL_EXIT(1), LDX(BPF_DW, 0, 1, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: the callee writes the caller's stack", .insns = { MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
  CALL_LOCAL(2), LDX(BPF_DW, 0, 10, -8), EXIT(), ST(BPF_DW, 1, 0, 3), MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: the callee reads uninitialized caller stack", .insns = { MOV64_REG(1, 10),
  ALU64_IMM(BPF_ADD, 1, -8), CALL_EXIT(1), LDX(BPF_DW, 0, 1, 0), EXIT() }, .result = REJECT,
  .errstr = "invalid read from stack off -8+0 size 8",
  .kernel_differs = "privileged programs may read uninitialized stack since 6.x", .kernel_result = ACCEPT },
{ .name = "calls: the callee returns a pointer to its stack", .insns = { CALL_EXIT(1), MOV64_REG(0, 10),
  ALU64_IMM(BPF_ADD, 0, -8), EXIT() }, .result = REJECT, .errstr = "cannot return stack pointer to the caller" },
{ .name = "calls: the callee returns the caller's stack pointer", .insns = { MOV64_REG(1, 10),
  ALU64_IMM(BPF_ADD, 1, -8), CALL_EXIT(1), MOV64_REG(0, 1), EXIT() }, .result = REJECT,
  .errstr = "cannot return stack pointer to the caller" },
{ .name = "calls: the callee spills a stack pointer into the caller's frame", .insns = { MOV64_REG(1, 10),
  ALU64_IMM(BPF_ADD, 1, -8), CALL_EXIT(1), STX(BPF_DW, 1, 1, 0), MOV64_IMM(0, 0), EXIT() }, .result = REJECT,
  .errstr = "cannot spill pointers to stack into stack frame of the caller" },
{ .name = "calls: the callee spills ctx into the caller's frame", .insns = { MOV64_REG(2, 1), MOV64_REG(1, 10),
  ALU64_IMM(BPF_ADD, 1, -8), CALL_LOCAL(3), LDX(BPF_DW, 1, 10, -8), LDX(BPF_W, 0, 1, 0), EXIT(),
  STX(BPF_DW, 1, 2, 0), MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: the callee returns ctx", .insns = { CALL_LOCAL(2), LDX(BPF_W, 0, 0, 0), EXIT(), MOV64_REG(0, 1),
  EXIT() }, .result = ACCEPT },
{ .name = "calls: the result is a known constant", .insns = { VALUE_OR_EXIT, MOV64_REG(6, 0), CALL_LOCAL(3),
  ALU64_REG(BPF_ADD, 6, 0), LDX(BPF_DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 40), EXIT() }, F_HASH48,
  .result = ACCEPT },
{ .name = "calls: the result is one past the value", .insns = { VALUE_OR_EXIT, MOV64_REG(6, 0), CALL_LOCAL(3),
  ALU64_REG(BPF_ADD, 6, 0), LDX(BPF_DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 41), EXIT() }, F_HASH48,
  .result = REJECT, .errstr = "invalid access to map value, value_size=48 off=41 size=8" },
{ .name = "calls: the callee null-checks the caller's lookup", .insns = { LOOKUP8, MOV64_REG(1, 0),
  CALL_EXIT(1), JMP_IMM(BPF_JEQ, 1, 0, 1), LDX(BPF_DW, 1, 1, 0), MOV64_IMM(0, 0), EXIT() }, F_HASH8,
  .result = ACCEPT },
{ .name = "calls: the callee uses the caller's lookup unchecked", .insns = { LOOKUP8, MOV64_REG(1, 0),
  CALL_EXIT(1), LDX(BPF_DW, 1, 1, 0), MOV64_IMM(0, 0), EXIT() }, F_HASH8, .result = REJECT,
  .errstr = "R1 invalid mem access 'map_value_or_null'" },
{ .name = "calls: the callee does the lookup", .insns = { CALL_EXIT(1), LOOKUP8, JMP_IMM(BPF_JEQ, 0, 0, 1),
  LDX(BPF_DW, 0, 0, 0), EXIT() }, .fixup[VC_MAP_HASH8] = { 5 }, .result = ACCEPT },
{ .name = "calls: LD_ABS in a program with calls", .insns = { MOV64_REG(6, 1), LD_ABS(BPF_B, 0), CALL_EXIT(1),
  MOV64_IMM(0, 0), EXIT() }, .result = REJECT,
  .errstr = "BPF_LD_[ABS|IND] instructions cannot be mixed with bpf-to-bpf calls",
  .kernel_differs = "LD_ABS/LD_IND may be mixed with bpf-to-bpf calls since 5.x", .kernel_result = ACCEPT },
{ .name = "calls: a socket released by the callee", .prog_type = TC, .insns = { SK_LOOKUP_TCP,
  JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_REG(1, 0), CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), CALL(BPF_FUNC_sk_release),
  MOV64_IMM(0, 0), EXIT() }, .result = ACCEPT },
{ .name = "calls: a socket leaked by the callee", .prog_type = TC, .insns = { CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
  SK_LOOKUP_TCP, MOV64_IMM(0, 0), EXIT() }, .result = REJECT, .errstr = "Unreleased reference id=1 alloc_insn=10",
  .kernel_differs = "acquired sockets take two ids (id and ref_obj_id) since 5.2",
  .kernel_errstr = "Unreleased reference id=2 alloc_insn=10" },
};
VC_CASES_END(vc_cases_calls)
