/* The instruction counter: a plain switch interpreter, written for clarity
 * and not speed, independent of src/interp so that it can cross-check r0.
 * It knows the subset of eBPF that clang emits for bench/progs (ALU, ALU64,
 * JMP, JMP32, LDX/ST/STX of all sizes, LD_IMM64, EXIT): no helpers, no
 * BPF-to-BPF calls, no atomics. LD_IMM64 counts as one instruction, as in
 * the kernel's insn_processed and in the interpreter's dispatch. */
#include "bench.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define STACK 512
#define MAX_STEPS 100000000ull

static int bad(char *err, size_t errlen, size_t pc, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "count: insn %zu: %s", pc, what);
	return -EINVAL;
}

/* Is [a, a+n) inside mem or the stack? */
static void *addr_ok(uint64_t a, uint32_t n, uint8_t *mem, uint64_t len, uint8_t *stack)
{
	uintptr_t m = (uintptr_t)mem, s = (uintptr_t)stack;
	if (mem && a >= m && a + n >= a && a + n <= m + len)
		return (void *)(uintptr_t)a;
	if (a >= s && a + n <= s + STACK)
		return (void *)(uintptr_t)a;
	return NULL;
}

static int alu(uint8_t op, int is64, uint64_t *d, uint64_t s)
{
	uint64_t a = is64 ? *d : (uint32_t)*d, b = is64 ? s : (uint32_t)s, r;
	unsigned sh = (unsigned)(b & (is64 ? 63 : 31));
	switch (op) {
	case BPF_ADD: r = a + b; break;
	case BPF_SUB: r = a - b; break;
	case BPF_MUL: r = a * b; break;
	case BPF_DIV: r = b ? a / b : 0; break;
	case BPF_MOD: r = b ? a % b : a; break;
	case BPF_OR: r = a | b; break;
	case BPF_AND: r = a & b; break;
	case BPF_XOR: r = a ^ b; break;
	case BPF_LSH: r = a << sh; break;
	case BPF_RSH: r = a >> sh; break;
	case BPF_NEG: r = 0 - a; break;
	case BPF_MOV: r = b; break;
	case BPF_ARSH:
		r = is64 ? (uint64_t)((int64_t)a >> sh) : (uint64_t)(uint32_t)((int32_t)(uint32_t)a >> sh);
		break;
	default: return -1;
	}
	*d = is64 ? r : (uint32_t)r;
	return 0;
}

static int cond(uint8_t op, int is64, uint64_t a, uint64_t b)
{
	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	int64_t sa = is64 ? (int64_t)a : (int32_t)(uint32_t)a, sb = is64 ? (int64_t)b : (int32_t)(uint32_t)b;
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	case BPF_JSET: return (a & b) != 0;
	default: return -1;
	}
}

static const uint32_t size_of[4] = { 4, 2, 1, 8 };     /* BPF_W, BPF_H, BPF_B, BPF_DW */

int bench_count(const struct bpf_insn *insns, size_t n, uint8_t *mem, uint64_t len, uint64_t *r0,
		uint64_t *executed, char *err, size_t errlen)
{
	uint64_t r[11] = { 0, (uint64_t)(uintptr_t)mem, len };
	_Alignas(8) uint8_t stack[STACK];
	uint64_t steps = 0;
	size_t pc = 0;
	memset(stack, 0, sizeof(stack));
	r[10] = (uint64_t)(uintptr_t)(stack + STACK);
	for (;;) {
		if (pc >= n)
			return bad(err, errlen, pc, "fell off the end");
		if (++steps > MAX_STEPS)
			return bad(err, errlen, pc, "more than 1e8 instructions");
		const struct bpf_insn *in = &insns[pc];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		uint8_t d = in->dst_reg, s = in->src_reg;
		if (d > 10 || s > 10)
			return bad(err, errlen, pc, "bad register");
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64: {
			int is64 = cls == BPF_ALU64;
			if (op == BPF_END) {
				/* to_le is a truncation on a little-endian host; to_be swaps. */
				uint64_t v = r[d];
				int be = BPF_SRC(in->code) == BPF_X;
				if (in->imm == 16)
					v = be ? __builtin_bswap16((uint16_t)v) : (uint16_t)v;
				else if (in->imm == 32)
					v = be ? __builtin_bswap32((uint32_t)v) : (uint32_t)v;
				else if (in->imm == 64)
					v = be ? __builtin_bswap64(v) : v;
				else
					return bad(err, errlen, pc, "bad byte swap");
				r[d] = v;
				break;
			}
			uint64_t src = BPF_SRC(in->code) == BPF_X ? r[s] : (uint64_t)(int64_t)in->imm;
			if (in->off != 0 || alu(op, is64, &r[d], src) < 0)
				return bad(err, errlen, pc, "unsupported ALU instruction");
			break;
		}
		case BPF_JMP:
		case BPF_JMP32:
			if (op == BPF_EXIT && cls == BPF_JMP) {
				*r0 = r[0];
				*executed = steps;
				return 0;
			}
			if (op == BPF_JA && cls == BPF_JMP) {
				pc += (size_t)(int64_t)in->off;
				break;
			}
			if (op == BPF_CALL)
				return bad(err, errlen, pc, "calls are not supported");
			{
				uint64_t b = BPF_SRC(in->code) == BPF_X ? r[s] : (uint64_t)(int64_t)in->imm;
				int c = cond(op, cls == BPF_JMP, r[d], b);
				if (c < 0)
					return bad(err, errlen, pc, "unsupported jump");
				if (c)
					pc += (size_t)(int64_t)in->off;
			}
			break;
		case BPF_LD:
			if (in->code != (BPF_LD | BPF_IMM | BPF_DW) || s != 0 || pc + 1 >= n)
				return bad(err, errlen, pc, "unsupported LD instruction");
			r[d] = (uint32_t)in->imm | (uint64_t)(uint32_t)insns[pc + 1].imm << 32;
			pc++;
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX: {
			if (BPF_MODE(in->code) != BPF_MEM)
				return bad(err, errlen, pc, "unsupported memory mode");
			uint32_t sz = size_of[BPF_SIZE(in->code) >> 3];
			uint64_t a = (cls == BPF_LDX ? r[s] : r[d]) + (uint64_t)(int64_t)in->off;
			void *p = addr_ok(a, sz, mem, len, stack);
			if (!p)
				return bad(err, errlen, pc, "access outside memory and stack");
			if (cls == BPF_LDX) {
				uint64_t v = 0;
				memcpy(&v, p, sz);
				r[d] = v;
			} else {
				uint64_t v = cls == BPF_STX ? r[s] : (uint64_t)(int64_t)in->imm;
				memcpy(p, &v, sz);
			}
			break;
		}
		default:
			return bad(err, errlen, pc, "unsupported instruction class");
		}
		pc++;
	}
}
