/* Structural validation, following the checks of the kernel's verifier that
 * do not depend on register state: known opcodes, reserved fields zero,
 * registers in range, no write to the frame pointer, jump targets inside the
 * program and not into the middle of LD_IMM64, a last instruction that
 * cannot fall off the end. Messages use the kernel's phrasing where it has
 * one, prefixed with the instruction index. */
#include "isa/validate.h"
#include "isa/opcodes.h"
#include <bpfvm/uapi.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, size_t i, const char *fmt, ...)
{
	if (err && errlen) {
		int k = snprintf(err, errlen, "insn %zu: ", i);
		if (k >= 0 && (size_t)k < errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

/* Reserved-field rules per operand shape (the kernel's "uses reserved
 * fields" checks in do_check and its helpers). */
static const char *reserved_fields(const struct bpf_insn *in, const struct bpfvm_opinfo *o)
{
	int mov = (in->code & 0xf0) == 0xb0;
	switch (o->kind) {
	case K_ALU_K:
		return in->src_reg ? (mov ? "BPF_MOV uses reserved fields" : "BPF_ALU uses reserved fields") : NULL;
	case K_ALU_X:
		return in->imm ? (mov ? "BPF_MOV uses reserved fields" : "BPF_ALU uses reserved fields") : NULL;
	case K_NEG:
		return (in->src_reg || in->off || in->imm) ? "BPF_NEG uses reserved fields" : NULL;
	case K_MOVSX:
		return in->imm ? "BPF_MOV uses reserved fields" : NULL;
	case K_END:
		return (in->src_reg || in->off) ? "BPF_END uses reserved fields" : NULL;
	case K_JA:
		return (in->src_reg || in->dst_reg || in->imm) ? "BPF_JA uses reserved fields" : NULL;
	case K_GOTOL:
		return (in->src_reg || in->dst_reg || in->off) ? "BPF_JA uses reserved fields" : NULL;
	case K_JCOND_K:
		return in->src_reg ? "BPF_JMP/JMP32 uses reserved fields" : NULL;
	case K_JCOND_X:
		return in->imm ? "BPF_JMP/JMP32 uses reserved fields" : NULL;
	case K_CALL:
		if (in->off || in->dst_reg || in->src_reg > BPF_PSEUDO_CALL)
			return "BPF_CALL uses reserved fields";
		return NULL;
	case K_CALLX:
		return (in->off || in->src_reg || in->imm) ? "BPF_CALLX uses reserved fields" : NULL;
	case K_EXIT:
		/* The kernel does not look at off here. */
		return (in->src_reg || in->dst_reg || in->imm) ? "BPF_EXIT uses reserved fields" : NULL;
	case K_LDABS:
		return (in->dst_reg || in->src_reg || in->off) ? "BPF_LD_[ABS|IND] uses reserved fields" : NULL;
	case K_LDIND:
		return (in->dst_reg || in->off) ? "BPF_LD_[ABS|IND] uses reserved fields" : NULL;
	case K_LDX:
		return in->imm ? "BPF_LDX uses reserved fields" : NULL;
	case K_ST:
		return in->src_reg ? "BPF_ST uses reserved fields" : NULL;
	case K_STX:
		return in->imm ? "BPF_STX uses reserved fields" : NULL;
	case K_ATOMIC:
		return NULL;
	case K_LDDW:
		return in->off ? "invalid BPF_LD_IMM insn" : NULL;
	}
	return NULL;
}

/* An instruction no table line matches: the kernel names the family whose
 * fields are wrong when the opcode byte itself is one it knows (an ALU op
 * with a nonzero off, an END of width 8, a load in a mode it has no use
 * for), and says "unknown opcode" otherwise. */
static const char *unmatched(const struct bpf_insn *in)
{
	int known = 0;
	for (int i = 0; i < OP__COUNT && !known; i++)
		known = bpfvm_opinfo[i].code == in->code;
	switch (in->code & 0x07) {
	case OPC_LDX:
		return "BPF_LDX uses reserved fields";
	case OPC_ST:
		return "BPF_ST uses reserved fields";
	case OPC_STX:
		return (in->code & 0xe0) == 0xc0 ? NULL : "BPF_STX uses reserved fields";
	case OPC_ALU:
	case OPC_ALU64:
		if (!known)
			return NULL;
		switch (in->code & 0xf0) {
		case 0xb0: return "BPF_MOV uses reserved fields";
		case 0xd0: return "BPF_END uses reserved fields";
		case 0x80: return "BPF_NEG uses reserved fields";
		}
		return "BPF_ALU uses reserved fields";
	}
	return NULL;
}

static int writes_dst(int kind)
{
	switch (kind) {
	case K_ALU_K: case K_ALU_X: case K_NEG: case K_MOVSX: case K_END:
	case K_LDX: case K_LDDW:
		return 1;
	}
	return 0;
}

static int is_jump(int kind)
{
	return kind == K_JA || kind == K_GOTOL || kind == K_JCOND_K || kind == K_JCOND_X;
}

int bpfvm_validate(const struct bpf_insn *insns, size_t n, int isa_level,
		   unsigned flags, uint16_t *ops, char *err, size_t errlen)
{
	if (n == 0) {
		if (err && errlen)
			snprintf(err, errlen, "empty program");
		return -EINVAL;
	}
	if (n > BPFVM_MAX_INSNS) {
		if (err && errlen)
			snprintf(err, errlen, "program of %zu insns is too large (limit %u)", n, BPFVM_MAX_INSNS);
		return -E2BIG;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &insns[i];
		int op = bpfvm_op_lookup(in);
		if (op < 0) {
			const char *family = unmatched(in);
			if (family)
				return fail(err, errlen, i, "%s", family);
			if ((in->code & 0x07) == OPC_STX && (in->code & 0xe0) == 0xc0)
				return fail(err, errlen, i, "BPF_ATOMIC uses invalid atomic opcode %02x", (unsigned)in->imm & 0xff);
			return fail(err, errlen, i, "unknown opcode %02x", in->code);
		}
		const struct bpfvm_opinfo *o = &bpfvm_opinfo[op];
		if (o->isa > isa_level)
			return fail(err, errlen, i, "opcode %02x (%s) needs a newer ISA level", in->code, o->name);
		const char *why = reserved_fields(in, o);
		if (why)
			return fail(err, errlen, i, "%s", why);
		if (in->dst_reg > 10)
			return fail(err, errlen, i, "R%d is invalid", in->dst_reg);
		if (in->src_reg > 10 && o->kind != K_LDDW && o->kind != K_CALL)
			return fail(err, errlen, i, "R%d is invalid", in->src_reg);
		if (in->dst_reg == 10 && writes_dst(o->kind))
			return fail(err, errlen, i, "frame pointer is read only");
		if (o->kind == K_ATOMIC && (in->imm & BPF_FETCH) && in->src_reg == 10)
			return fail(err, errlen, i, "frame pointer is read only");
		if (o->kind == K_CALLX && in->dst_reg == 10)
			return fail(err, errlen, i, "R10 is not a valid call target");
		if (o->kind == K_LDDW) {
			if (i + 1 >= n || insns[i + 1].code || insns[i + 1].dst_reg ||
			    insns[i + 1].src_reg || insns[i + 1].off)
				return fail(err, errlen, i, "invalid bpf_ld_imm64 insn");
			if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
				if (!(flags & VALIDATE_ALLOW_PSEUDO_MAP))
					return fail(err, errlen, i, "map reference (src_reg %d) needs BPF_PROG_LOAD", in->src_reg);
				if (in->src_reg == BPF_PSEUDO_MAP_FD && insns[i + 1].imm)
					return fail(err, errlen, i, "unrecognized bpf_ld_imm64 insn");
			} else if (in->src_reg != 0) {
				return fail(err, errlen, i, "unrecognized bpf_ld_imm64 insn");
			}
			if (ops) {
				ops[i] = (uint16_t)op;
				ops[i + 1] = BPFVM_OP_LDDW_HI;
			}
			i++;
			continue;
		}
		if (ops)
			ops[i] = (uint16_t)op;
	}
	/* Second pass: control flow targets, now that LD_IMM64 halves are known. */
	for (size_t i = 0; i < n; i++) {
		if (ops && ops[i] == BPFVM_OP_LDDW_HI)
			continue;
		const struct bpf_insn *in = &insns[i];
		int op = ops ? ops[i] : bpfvm_op_lookup(in);
		int kind = bpfvm_opinfo[op].kind;
		if (kind == K_LDDW) {
			i++;
			continue;
		}
		long long target;
		if (is_jump(kind))
			target = (long long)i + 1 + (kind == K_GOTOL ? (long long)in->imm : (long long)in->off);
		else if (kind == K_CALL && in->src_reg == BPF_PSEUDO_CALL)
			target = (long long)i + 1 + (long long)in->imm;
		else
			continue;
		if (target < 0 || target >= (long long)n)
			return kind == K_CALL ? fail(err, errlen, i, "call to invalid destination")
					      : fail(err, errlen, i, "jump out of range from insn %zu to %lld", i, target);
		/* The kernel would run the second half as an LD of another size. */
		if (ops && ops[target] == BPFVM_OP_LDDW_HI)
			return fail(err, errlen, i, "jump into the middle of ldimm64 insn %lld: invalid BPF_LD_IMM insn",
				    target - 1);
	}
	int last = ops ? ops[n - 1] : bpfvm_op_lookup(&insns[n - 1]);
	if (last == BPFVM_OP_LDDW_HI || (bpfvm_opinfo[last].kind != K_EXIT &&
					 bpfvm_opinfo[last].kind != K_JA && bpfvm_opinfo[last].kind != K_GOTOL))
		return fail(err, errlen, n - 1, "last insn is not an exit or jmp");
	return 0;
}
