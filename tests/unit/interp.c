/* Interpreter semantics, one rule per check: exact results of the edge
 * cases the kernel defines (division by zero, zero extension, shifts,
 * byte order, atomics, calls) and the checked mode's faults. */
#include "test.h"
#include "lib/insn.h"
#include <errno.h>

static struct bpfvm *vm;

static int run_isa(const struct bpf_insn *p, size_t n, int isa, void *mem, size_t len, uint64_t *r0, char *err)
{
	struct bpfvm_exec *e;
	struct bpfvm_exec_opts o = { .sz = sizeof(o), .isa = isa };
	int rc = bpfvm_exec_new(vm, p, n, &o, &e, err, 256);
	if (rc < 0)
		return rc;
	rc = bpfvm_exec_run(e, mem, len, r0, err, 256);
	bpfvm_exec_free(e);
	return rc;
}

static uint64_t run1(const struct bpf_insn *p, size_t n)
{
	uint64_t r0 = 0xdeadbeef;
	char err[256] = "";
	int rc = run_isa(p, n, BPFVM_ISA_V4, NULL, 0, &r0, err);
	if (rc)
		fprintf(stderr, "run failed: %d %s\n", rc, err);
	return r0;
}
#define RUN(...) ({ struct bpf_insn _p[] = { __VA_ARGS__ }; run1(_p, sizeof(_p) / sizeof(_p[0])); })

static void test_alu(void)
{
	/* 32-bit ops zero-extend. */
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0xffffffffffffffffull), ALU32_IMM(0x00, 0, 1), EXIT()), 0);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -1), EXIT()), 0xffffffffffffffffull);
	CHECK_EQ_U64(RUN(MOV32_IMM(0, -1), EXIT()), 0xffffffffull);
	/* Division by zero gives 0, modulo by zero leaves the dividend. */
	CHECK_EQ_U64(RUN(MOV64_IMM(0, 7), MOV64_IMM(1, 0), ALU64_REG(0x30, 0, 1), EXIT()), 0);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -7), MOV64_IMM(1, 0), ALU64_REG(0x90, 0, 1), EXIT()), (uint64_t)-7);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -7), MOV64_IMM(1, 0), ALU32_REG(0x90, 0, 1), EXIT()), 0xfffffff9ull);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x100000007ull), LD_IMM64(1, 0x100000000ull), ALU32_REG(0x30, 0, 1), EXIT()), 0);
	/* Shift counts are masked. */
	CHECK_EQ_U64(RUN(MOV64_IMM(0, 1), MOV64_IMM(1, 65), ALU64_REG(0x60, 0, 1), EXIT()), 2);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, 1), MOV64_IMM(1, 33), ALU32_REG(0x60, 0, 1), EXIT()), 2);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -16), ALU32_IMM(0xc0, 0, 2), EXIT()), 0xfffffffcull);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -16), ALU64_IMM(0xc0, 0, 2), EXIT()), (uint64_t)-4);
	/* NEG */
	CHECK_EQ_U64(RUN(MOV64_IMM(0, 5), I(0x84, 0, 0, 0, 0), EXIT()), 0xfffffffbull);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, 5), I(0x87, 0, 0, 0, 0), EXIT()), (uint64_t)-5);
	/* Byte order. */
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x1122334455667788ull), I(0xdc, 0, 0, 0, 16), EXIT()), 0x8877);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x1122334455667788ull), I(0xdc, 0, 0, 0, 32), EXIT()), 0x88776655);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x1122334455667788ull), I(0xdc, 0, 0, 0, 64), EXIT()), 0x8877665544332211ull);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x1122334455667788ull), I(0xd4, 0, 0, 0, 16), EXIT()), 0x7788);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x1122334455667788ull), I(0xd4, 0, 0, 0, 32), EXIT()), 0x55667788);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x1122334455667788ull), I(0xd7, 0, 0, 0, 16), EXIT()), 0x8877);
	/* cpu v4 */
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -7), MOV64_IMM(1, 2), I(0x3f, 0, 1, 1, 0), EXIT()), (uint64_t)-3);
	CHECK_EQ_U64(RUN(MOV64_IMM(0, -7), MOV64_IMM(1, 2), I(0x9f, 0, 1, 1, 0), EXIT()), (uint64_t)-1);
	CHECK_EQ_U64(RUN(LD_IMM64(0, 0x8000000000000000ull), MOV64_IMM(1, -1), I(0x3f, 0, 1, 1, 0), EXIT()), 0x8000000000000000ull);
	CHECK_EQ_U64(RUN(MOV64_IMM(1, 0x80), I(0xbf, 0, 1, 8, 0), EXIT()), (uint64_t)-128);
	CHECK_EQ_U64(RUN(MOV64_IMM(1, 0x80), I(0xbc, 0, 1, 8, 0), EXIT()), 0xffffff80ull);
}

static void test_jumps_and_calls(void)
{
	/* JMP32 compares the low halves, signed where asked. */
	CHECK_EQ_U64(RUN(LD_IMM64(1, 0x1ffffffffull), MOV64_IMM(0, 0), I(0x15, 1, 0, 1, -1), EXIT(), MOV64_IMM(0, 1), EXIT()), 0);
	CHECK_EQ_U64(RUN(LD_IMM64(1, 0x1ffffffffull), MOV64_IMM(0, 0), I(0x16, 1, 0, 1, -1), EXIT(), MOV64_IMM(0, 1), EXIT()), 1);
	/* BPF-to-BPF call: r6..r9 survive the callee, which has its own stack. */
	CHECK_EQ_U64(RUN(MOV64_IMM(6, 10), ST(0x18, 10, -8, 5), CALL_LOCAL(4), ALU64_REG(0x00, 0, 6),
			 LDX(0x18, 1, 10, -8), ALU64_REG(0x00, 0, 1), EXIT(),
			 MOV64_IMM(6, 100), ST(0x18, 10, -8, 77), MOV64_IMM(0, 1), EXIT()), 16);
	/* Recursion deeper than 8 frames is stopped in checked mode. */
	{
		struct bpf_insn p[] = { CALL_LOCAL(-1), EXIT() };
		uint64_t r0; char err[256];
		CHECK_EQ(run_isa(p, 2, BPFVM_ISA_V51, NULL, 0, &r0, err), -EFAULT);
		CHECK_CONTAINS(err, "call stack of 8 frames is too deep");
	}
}

static void test_memory(void)
{
	uint8_t mem[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t r0; char err[256];
	struct bpf_insn ok[] = { LDX(0x18, 0, 1, 0), EXIT() };
	CHECK_EQ(run_isa(ok, 2, BPFVM_ISA_V51, mem, 8, &r0, err), 0);
	CHECK_EQ_U64(r0, 0x0807060504030201ull);
	struct bpf_insn oob[] = { LDX(0x18, 0, 1, 1), EXIT() };
	CHECK_EQ(run_isa(oob, 2, BPFVM_ISA_V51, mem, 8, &r0, err), -EFAULT);
	CHECK_CONTAINS(err, "insn 0: invalid load of 8 bytes at 0x");
	struct bpf_insn st[] = { ST(0x10, 10, -513, 1), MOV64_IMM(0, 0), EXIT() };
	CHECK_EQ(run_isa(st, 3, BPFVM_ISA_V51, mem, 8, &r0, err), -EFAULT);
	CHECK_CONTAINS(err, "insn 0: invalid store of 1 bytes");
	/* XADD and the 5.12 fetch ops; cmpxchg zero-extends r0. */
	struct bpf_insn at[] = { MOV64_IMM(2, 3), I(0xdb, 1, 2, 0, 0x00), MOV64_IMM(2, 4),
				 I(0xdb, 1, 2, 0, 0x01), MOV64_REG(0, 2), EXIT() };
	memset(mem, 0, sizeof(mem));
	mem[0] = 10;
	CHECK_EQ(run_isa(at, 6, BPFVM_ISA_ATOMICS, mem, 16, &r0, err), 0);
	CHECK_EQ_U64(r0, 13);
	CHECK_EQ(mem[0], 17);
	CHECK_EQ(run_isa(at, 6, BPFVM_ISA_V51, mem, 16, &r0, err), -EINVAL);
	CHECK_CONTAINS(err, "insn 3:");
	struct bpf_insn cx[] = { LD_IMM64(0, 0xffffffff00000011ull), MOV64_IMM(2, 99), I(0xc3, 1, 2, 0, 0xf1), EXIT() };
	mem[0] = 0x11; mem[1] = mem[2] = mem[3] = 0;
	CHECK_EQ(run_isa(cx, 5, BPFVM_ISA_ATOMICS, mem, 16, &r0, err), 0);
	CHECK_EQ_U64(r0, 0x11);
	CHECK_EQ(mem[0], 99);
}

static uint64_t sum_bytes(uint64_t p, uint64_t n, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	uint64_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s += ((const uint8_t *)(uintptr_t)p)[i];
	return s;
}

/* Checked runs check helper arguments against the prototype: memory
 * arguments must lie in regions the run handed out. */
static void test_helper_args(void)
{
	struct bpfvm_helper_proto proto = { .name = "sum_bytes", .fn = sum_bytes,
					    .arg_type = { BPFVM_ARG_PTR_TO_MEM, BPFVM_ARG_CONST_SIZE } };
	CHECK_EQ(bpfvm_register_helper(vm, 100, &proto), 0);
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t r0;
	char err[256];
	struct bpf_insn ok[] = { MOV64_IMM(2, 8), CALL(100), EXIT() };
	CHECK_EQ(run_isa(ok, 3, BPFVM_ISA_V51, mem, 8, &r0, err), 0);
	CHECK_EQ_U64(r0, 36);
	struct bpf_insn past[] = { MOV64_IMM(2, 9), CALL(100), EXIT() };
	CHECK_EQ(run_isa(past, 3, BPFVM_ISA_V51, mem, 8, &r0, err), -EFAULT);
	CHECK_STR(err, "insn 1: helper sum_bytes: R1 does not point to enough accessible memory");
	struct bpf_insn forged[] = { MOV64_IMM(1, 4096), MOV64_IMM(2, 1), CALL(100), EXIT() };
	CHECK_EQ(run_isa(forged, 4, BPFVM_ISA_V51, mem, 8, &r0, err), -EFAULT);
	CHECK_STR(err, "insn 2: helper sum_bytes: R1 does not point to enough accessible memory");
	/* A zero-sized output may be NULL: bpf_skb_load_bytes outside an skb
	 * program fails cleanly (found by fuzz_interp under UBSan). */
	struct bpf_insn nullbuf[] = { MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
				      CALL(BPF_FUNC_skb_load_bytes), EXIT() };
	CHECK_EQ(run_isa(nullbuf, 5, BPFVM_ISA_V51, mem, 8, &r0, err), 0);
	CHECK_EQ((int64_t)r0, -EFAULT);
	/* The stack is memory the program owns, from the start. */
	struct bpf_insn fresh[] = { MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 8), CALL(100), EXIT() };
	CHECK_EQ(run_isa(fresh, 5, BPFVM_ISA_V51, NULL, 0, &r0, err), 0);
	CHECK_EQ_U64(r0, 0);
	struct bpf_insn stack[] = { ST(0x18, 10, -8, 0x0101), MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8),
				    MOV64_IMM(2, 8), CALL(100), EXIT() };
	CHECK_EQ(run_isa(stack, 6, BPFVM_ISA_V51, NULL, 0, &r0, err), 0);
	CHECK_EQ_U64(r0, 2);
}

static void test_validation(void)
{
	uint64_t r0; char err[256];
	struct bpf_insn bad_op[] = { I(0xff, 0, 0, 0, 0), EXIT() };
	CHECK_EQ(run_isa(bad_op, 2, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 0: unknown opcode ff");
	struct bpf_insn jmp[] = { JA(5), EXIT() };
	CHECK_EQ(run_isa(jmp, 2, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 0: jump out of range from insn 0 to 6");
	struct bpf_insn mid[] = { JA(1), LD_IMM64(0, 1), EXIT() };
	CHECK_EQ(run_isa(mid, 4, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 0: jump into the middle of ldimm64 insn 1: invalid BPF_LD_IMM insn");
	struct bpf_insn trunc[] = { MOV64_IMM(0, 0), I(0x18, 0, 0, 0, 0) };
	CHECK_EQ(run_isa(trunc, 2, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 1: invalid bpf_ld_imm64 insn");
	struct bpf_insn fp[] = { MOV64_IMM(10, 0), EXIT() };
	CHECK_EQ(run_isa(fp, 2, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 0: frame pointer is read only");
	struct bpf_insn fall[] = { MOV64_IMM(0, 0) };
	CHECK_EQ(run_isa(fall, 1, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 0: last insn is not an exit or jmp");
	struct bpf_insn helper[] = { CALL(999), EXIT() };
	CHECK_EQ(run_isa(helper, 2, BPFVM_ISA_V4, NULL, 0, &r0, err), -EINVAL);
	CHECK_STR(err, "insn 0: invalid func unknown#999");
	struct bpf_insn loop[] = { JA(-1) };
	struct bpfvm_exec *e;
	struct bpfvm_exec_opts o = { .sz = sizeof(o), .insn_limit = 1000 };
	CHECK_EQ(bpfvm_exec_new(vm, loop, 1, &o, &e, err, sizeof(err)), 0);
	CHECK_EQ(bpfvm_exec_run(e, NULL, 0, &r0, err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "insn 0: instruction limit of 1000 reached");
	bpfvm_exec_free(e);
}

/* The fast path fuses some instruction sequences into one handler; each
 * must compute exactly what the unfused sequence does in a checked run. */
static uint64_t run_mode(const struct bpf_insn *p, size_t n, uint32_t flags, void *mem, size_t len)
{
	struct bpfvm_exec *e;
	struct bpfvm_exec_opts o = { .sz = sizeof(o), .isa = BPFVM_ISA_V4, .flags = flags };
	char err[256];
	uint64_t r0 = 0xbad;
	if (bpfvm_exec_new(vm, p, n, &o, &e, err, sizeof(err)) == 0) {
		if (bpfvm_exec_run(e, mem, len, &r0, err, sizeof(err)) < 0)
			r0 = 0xfa17;
		bpfvm_exec_free(e);
	}
	return r0;
}

static void test_fusion(void)
{
	uint8_t mem[64];
	for (int i = 0; i < 64; i++)
		mem[i] = (uint8_t)(i * 7 + 3);
	/* rX = rY; rX op= K for every fused op, 64- and 32-bit on each side. */
	static const uint8_t ops[] = { 0x00, 0x10, 0x50, 0x40, 0xa0, 0x60, 0x70, 0x20 };
	for (size_t k = 0; k < sizeof(ops); k++)
		for (int movw = 0; movw < 2; movw++)
			for (int aluw = 0; aluw < 2; aluw++) {
				struct bpf_insn p[] = {
					LD_IMM64(2, 0xf0e1d2c3b4a59687ull),
					movw ? I(0xbc, 3, 2, 0, 0) : MOV64_REG(3, 2),
					aluw ? ALU32_IMM(ops[k], 3, 37) : ALU64_IMM(ops[k], 3, -37),
					MOV64_REG(0, 3), EXIT() };
				CHECK_EQ_U64(run_mode(p, 6, BPFVM_EXEC_UNCHECKED, NULL, 0), run_mode(p, 6, 0, NULL, 0));
			}
	/* rX = rA; rX += rB; rY = *(rX + off), every size; and the unfusable
	 * rB == rX case. */
	for (int sz = 0; sz < 4; sz++) {
		static const uint8_t size_bits[] = { 0x10, 0x08, 0x00, 0x18 };
		struct bpf_insn p[] = { MOV64_IMM(2, 5), MOV64_REG(3, 1), ALU64_REG(0x00, 3, 2),
					LDX(size_bits[sz], 0, 3, 3), ALU64_REG(0x00, 0, 3), EXIT() };
		uint64_t want = run_mode(p, 6, 0, mem, sizeof(mem));
		CHECK(want != 0xfa17 && want != 0xbad);
		CHECK_EQ_U64(run_mode(p, 6, BPFVM_EXEC_UNCHECKED, mem, sizeof(mem)), want);
	}
	{
		struct bpf_insn p[] = { MOV64_REG(3, 1), ALU64_REG(0x00, 3, 3), MOV64_REG(3, 1), ALU64_REG(0x00, 3, 3),
					MOV64_REG(4, 1), ALU64_IMM(0x10, 3, 0), MOV64_REG(0, 3), ALU64_REG(0x10, 0, 4), EXIT() };
		CHECK_EQ_U64(run_mode(p, 9, BPFVM_EXEC_UNCHECKED, mem, sizeof(mem)), run_mode(p, 9, 0, mem, sizeof(mem)));
	}
	/* "if cond goto +1; goto L" as a loop latch, taken both ways; and a
	 * jump into the middle of a would-be fused sequence keeps it unfused. */
	{
		struct bpf_insn p[] = { MOV64_IMM(0, 0), MOV64_IMM(1, 0),
					ALU64_IMM(0x00, 0, 3), ALU64_IMM(0x00, 1, 1),
					JMP_IMM(0x10, 1, 100, 1), JA(-4), EXIT() };
		CHECK_EQ_U64(run_mode(p, 7, BPFVM_EXEC_UNCHECKED, NULL, 0), 300);
		CHECK_EQ_U64(run_mode(p, 7, 0, NULL, 0), 300);
		/* Every condition of the fused counter step + latch, counting up
		 * from -5 by 2 until the condition holds (or 40 steps). */
		static const uint8_t conds[] = { 0x10, 0x50, 0x20, 0x30, 0xa0, 0xb0, 0x60, 0x70, 0xc0, 0xd0 };
		for (size_t c = 0; c < sizeof(conds); c++) {
			struct bpf_insn q[] = { MOV64_IMM(0, 0), MOV64_IMM(1, -5),
						ALU64_IMM(0x00, 0, 1), JMP_IMM(0x50, 0, 40, 1), EXIT(),
						ALU64_IMM(0x00, 1, 2), JMP_IMM(conds[c], 1, 3, 1), JA(-6),
						ALU64_IMM(0x00, 0, 1000), EXIT() };
			CHECK_EQ_U64(run_mode(q, 10, BPFVM_EXEC_UNCHECKED, NULL, 0), run_mode(q, 10, 0, NULL, 0));
		}
		struct bpf_insn q[] = { MOV64_IMM(2, 9), JMP_IMM(0x15, 2, 9, 1), MOV64_REG(3, 2),
					ALU64_IMM(0x00, 3, 1), MOV64_REG(0, 3), EXIT() };
		CHECK_EQ_U64(run_mode(q, 6, BPFVM_EXEC_UNCHECKED, NULL, 0), run_mode(q, 6, 0, NULL, 0));
	}
}

int main(void)
{
	vm = bpfvm_new();
	test_alu();
	test_jumps_and_calls();
	test_memory();
	test_validation();
	test_fusion();
	test_helper_args();
	bpfvm_free(vm);
	return test_done();
}
