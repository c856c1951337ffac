/* The disassembler: one instruction in the syntax of llvm-objdump -d for BPF
 * (LLVM 14, default features), driven by the opcode table: the KIND column
 * gives the operand shape, the SYM column the operator or type name.
 *
 * What llvm-objdump 14 prints, it is matched exactly, character for
 * character (tests/unit/disasm.c compares against it). Where LLVM 14 cannot
 * show an instruction, the syntax is the one later LLVM versions use (the BPF
 * backend's BPFInstrInfo.td in llvm-project; the test checks all of these
 * against llvm-objdump 19 when it is installed):
 *
 *   mod (LLVM 14 has no      r1 %= r2         w1 %= 5
 *   BPF_MOD: it expands %)
 *   sdiv/smod (cpu v4)       r1 s/= r2        w1 s%= 5
 *   movsx (cpu v4)           r1 = (s8)r2      w1 = (s16)w2    r1 = (s32)r2
 *   ldsx (cpu v4)            r1 = *(s16 *)(r2 + 4)
 *   bswap (cpu v4)           r1 = bswap16 r1
 *   gotol (cpu v4)           gotol +70000     (32-bit offset, from imm)
 *   callx (cpu v4)           callx r2         (the register in dst_reg, as
 *                            the kernel and current LLVM encode it; the
 *                            LLVM 17-era backend took it from imm)
 *   BPF_ST imm stores        *(u32 *)(r1 + 4) = -1   (the immediate signed,
 *                            as every immediate)
 *   jset (JMP and JMP32)     if r1 & r2 goto +1      if w1 & 5 goto -3
 *                            (the shape of the other conditions)
 *   32-bit atomics other than the plain add: llvm-objdump decodes those only
 *   with --mattr=+alu32 (without it, it shows <unknown>, or takes a 32-bit
 *   fetch-add for a plain add), so its alu32 syntax is used, w registers:
 *                            lock *(u32 *)(r1 + 0) |= w2
 *                            w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)
 *                            w2 = xchg32_32(r1 + 0, w2)
 *                            w0 = cmpxchg32_32(r1 + 0, w0, w2)
 *   while the v5.1 XADD keeps the default decoder's form,
 *                            lock *(u32 *)(r1 + 0) += r2
 *   (the 64-bit atomics are known to LLVM 14 and printed as it does).
 *
 * Everything else is as llvm-objdump's default decoder (no alu32 feature)
 * prints it: 32-bit loads and stores name r registers ("r1 = *(u32 *)(r2 +
 * 0)", "*(u8 *)(r1 + 3) = r2"), immediates are decimal and signed.
 *
 * Pseudo sources are printed as plain numbers, as llvm-objdump does, not
 * resolved the way bpftool does (bpftool shows "r1 = map[id:N]" or
 * "map[id:N][0]+off" for a map, "call pc+N" or the subprogram's name for a
 * local call, "call bpf_map_lookup_elem#1" for a helper):
 *   - LD_IMM64 with src_reg 0:  "r1 = <64-bit value, signed> ll". In a .o, a
 *     map or global reference is such a load of 0 with a relocation
 *     ("r1 = 0 ll").
 *   - LD_IMM64 with any other src_reg (1 map fd, 2 map value, ... as after
 *     libbpf's relocation, or from clang's llvm.bpf.pseudo intrinsic):
 *     "ld_pseudo\tr1, <src_reg>, <low 32 bits of imm, unsigned>", llvm-objdump's
 *     form, tab included; like it, this does not show the second half's imm
 *     (a map value's offset).
 *   - CALL prints its imm whatever src_reg is: "call 1" for a helper,
 *     "call -1" for a local call left unrelocated in a .o, "call 5" for one
 *     already resolved to the callee's relative position.
 *
 * Like LLVM, fields an instruction does not use are not shown (the validator
 * is what rejects them when they are not zero). Register fields the
 * instruction does use must be r0..r10 (LLVM would show r11, its internal
 * register, and fail on 12..15).
 *
 * What is not an instruction (unknown opcode, unknown atomic op, a register
 * above r10, an LD_IMM64 without its second slot) gives 0 and a message in
 * angle brackets, where llvm-objdump says "<unknown>".
 *
 * Listings (disasm.h) use llvm-objdump's layout; they leave out what needs an
 * ELF file: symbol headers ("0000000000000000 <prog>:") and branch target
 * annotations ("goto +4 <LBB0_2>"). */
#include "isa/disasm.h"
#include "isa/opcodes.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Which register fields each operand shape reads. */
enum { USE_DST = 1, USE_SRC = 2 };
static const unsigned char kind_regs[] = {
	[K_ALU_K] = USE_DST,    [K_ALU_X] = USE_DST | USE_SRC,
	[K_NEG] = USE_DST,      [K_MOVSX] = USE_DST | USE_SRC,
	[K_END] = USE_DST,      [K_JA] = 0,
	[K_GOTOL] = 0,          [K_JCOND_K] = USE_DST,
	[K_JCOND_X] = USE_DST | USE_SRC,
	[K_CALL] = 0,           [K_CALLX] = USE_DST,
	[K_EXIT] = 0,           [K_LDDW] = USE_DST,
	[K_LDABS] = 0,          [K_LDIND] = USE_SRC,
	[K_LDX] = USE_DST | USE_SRC,
	[K_ST] = USE_DST,       [K_STX] = USE_DST | USE_SRC,
	[K_ATOMIC] = USE_DST | USE_SRC,
};
_Static_assert(sizeof kind_regs == K_ATOMIC + 1, "kind_regs must cover every kind");

/* Formats into buf (never more than buflen, always NUL-terminated when
 * buflen > 0). */
static void out(char *buf, size_t buflen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void out(char *buf, size_t buflen, const char *fmt, ...)
{
	if (!buf || !buflen)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, buflen, fmt, ap);
	va_end(ap);
	if (k < 0)
		buf[0] = '\0';
}

/* "r1 + 4", "r10 - 8": llvm-objdump's memory operand. */
static void mem_operand(char *m, size_t mlen, int reg, int16_t off)
{
	if (off >= 0)
		snprintf(m, mlen, "r%d + %d", reg, (int)off);
	else
		snprintf(m, mlen, "r%d - %d", reg, -(int)off);
}

/* The message for an instruction the table does not know. When its opcode
 * byte is known but the field that tells instructions apart is not, say
 * which. */
static void unknown(const struct bpf_insn *in, char *buf, size_t buflen)
{
	int disc = -1, kind = -1;
	for (int k = 0; k < OP__COUNT; k++) {
		if (bpfvm_opinfo[k].code == in->code) {
			disc = bpfvm_opinfo[k].disc;
			kind = bpfvm_opinfo[k].kind;
			break;
		}
	}
	if (kind == K_ATOMIC)
		out(buf, buflen, "<unknown atomic op 0x%x>", (unsigned)in->imm);
	else if (disc == D_OFF)
		out(buf, buflen, "<unknown opcode 0x%02x with off %d>", in->code, (int)in->off);
	else if (disc == D_IMM)
		out(buf, buflen, "<unknown opcode 0x%02x with imm %d>", in->code, (int)in->imm);
	else
		out(buf, buflen, "<unknown opcode 0x%02x>", in->code);
}

/* The atomic read-modify-write forms. SYM is the operator of the plain form
 * ("+=", "|=", ...), "fetch_<op>", "xchg" or "cmpxchg". */
static void atomic(const struct bpf_insn *in, const struct bpfvm_opinfo *o, char *buf, size_t buflen)
{
	int dw = (in->code & 0x18) == OPC_SIZE_DW;
	const char *type = dw ? "u64" : "u32";
	/* 32-bit operands are w registers, except in the v5.1 XADD (imm 0),
	 * which llvm-objdump 14 prints with r registers (see the top). */
	char rc = (!dw && o->dval != 0) ? 'w' : 'r';
	char m[24];
	mem_operand(m, sizeof m, in->dst_reg, in->off);
	int s = in->src_reg;

	if (!(o->dval & BPF_FETCH))
		out(buf, buflen, "lock *(%s *)(%s) %s %c%d", type, m, o->sym, rc, s);
	else if (!strncmp(o->sym, "fetch_", 6))
		out(buf, buflen, "%c%d = atomic_%s((%s *)(%s), %c%d)", rc, s, o->sym, type, m, rc, s);
	else if (!strcmp(o->sym, "cmpxchg"))
		out(buf, buflen, "%c0 = %s%s(%s, %c0, %c%d)", rc, o->sym, dw ? "_64" : "32_32",
		    m, rc, rc, s);
	else                                            /* xchg */
		out(buf, buflen, "%c%d = %s%s(%s, %c%d)", rc, s, o->sym, dw ? "_64" : "32_32",
		    m, rc, s);
}

BPFVM_API int bpfvm_disasm_insn(const struct bpf_insn *insns, size_t insn_cnt, size_t i,
				char *buf, size_t buflen)
{
	if (!insns || i >= insn_cnt) {
		out(buf, buflen, "<no instruction %zu>", i);
		return 0;
	}
	const struct bpf_insn *in = &insns[i];
	int op = bpfvm_op_lookup(in);
	if (op < 0) {
		unknown(in, buf, buflen);
		return 0;
	}
	const struct bpfvm_opinfo *o = &bpfvm_opinfo[op];
	int d = in->dst_reg, s = in->src_reg;
	unsigned use = kind_regs[o->kind];
	if ((use & USE_DST) && d > 10) {
		out(buf, buflen, "<invalid register r%d>", d);
		return 0;
	}
	if ((use & USE_SRC) && s > 10) {
		out(buf, buflen, "<invalid register r%d>", s);
		return 0;
	}

	int cls = OPC_CLASS(in->code);
	/* ALU and JMP32 operate on the 32-bit subregisters: w0..w10. */
	char rc = (cls == OPC_ALU || cls == OPC_JMP32) ? 'w' : 'r';
	char m[24];

	switch ((enum bpfvm_kind)o->kind) {
	case K_ALU_K:
		out(buf, buflen, "%c%d %s %d", rc, d, o->sym, (int)in->imm);
		break;
	case K_ALU_X:
		out(buf, buflen, "%c%d %s %c%d", rc, d, o->sym, rc, s);
		break;
	case K_NEG:
		out(buf, buflen, "%c%d = %s%c%d", rc, d, o->sym, rc, d);
		break;
	case K_MOVSX:
		out(buf, buflen, "%c%d = (%s)%c%d", rc, d, o->sym, rc, s);
		break;
	case K_END:     /* always printed on the 64-bit register */
		out(buf, buflen, "r%d = %s r%d", d, o->sym, d);
		break;
	case K_JA:
		out(buf, buflen, "%s %+d", o->sym, (int)in->off);
		break;
	case K_GOTOL:
		out(buf, buflen, "%s %+d", o->sym, (int)in->imm);
		break;
	case K_JCOND_K:
		out(buf, buflen, "if %c%d %s %d goto %+d", rc, d, o->sym, (int)in->imm, (int)in->off);
		break;
	case K_JCOND_X:
		out(buf, buflen, "if %c%d %s %c%d goto %+d", rc, d, o->sym, rc, s, (int)in->off);
		break;
	case K_CALL:
		out(buf, buflen, "%s %d", o->sym, (int)in->imm);
		break;
	case K_CALLX:
		out(buf, buflen, "%s r%d", o->sym, d);
		break;
	case K_EXIT:
		out(buf, buflen, "%s", o->sym);
		break;
	case K_LDDW: {
		if (i + 1 >= insn_cnt) {
			out(buf, buflen, "<truncated ld_imm64>");
			return 0;
		}
		uint64_t v = (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)insns[i + 1].imm << 32;
		if (s == 0)
			out(buf, buflen, "r%d = %lld %s", d, (long long)v, o->sym);
		else
			out(buf, buflen, "ld_pseudo\tr%d, %d, %u", d, s, (unsigned)(uint32_t)in->imm);
		return 2;
	}
	case K_LDABS:
		out(buf, buflen, "r0 = *(%s *)skb[%d]", o->sym, (int)in->imm);
		break;
	case K_LDIND:
		out(buf, buflen, "r0 = *(%s *)skb[r%d]", o->sym, s);
		break;
	case K_LDX:
		mem_operand(m, sizeof m, s, in->off);
		out(buf, buflen, "r%d = *(%s *)(%s)", d, o->sym, m);
		break;
	case K_ST:
		mem_operand(m, sizeof m, d, in->off);
		out(buf, buflen, "*(%s *)(%s) = %d", o->sym, m, (int)in->imm);
		break;
	case K_STX:
		mem_operand(m, sizeof m, d, in->off);
		out(buf, buflen, "*(%s *)(%s) = r%d", o->sym, m, s);
		break;
	case K_ATOMIC:
		atomic(in, o, buf, buflen);
		break;
	default:
		out(buf, buflen, "<unknown opcode 0x%02x>", in->code);
		return 0;
	}
	return 1;
}

/* ---- listings ------------------------------------------------------------ */

/* The instruction's bytes as the little-endian encoding lays them out:
 * code, dst | src << 4, off, imm. */
static size_t put_bytes(char *p, const struct bpf_insn *in)
{
	uint8_t b[8] = {
		in->code, (uint8_t)(in->dst_reg | in->src_reg << 4),
		(uint8_t)((uint16_t)in->off & 0xff), (uint8_t)((uint16_t)in->off >> 8),
		(uint8_t)((uint32_t)in->imm & 0xff), (uint8_t)((uint32_t)in->imm >> 8 & 0xff),
		(uint8_t)((uint32_t)in->imm >> 16 & 0xff), (uint8_t)((uint32_t)in->imm >> 24),
	};
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;
	for (int j = 0; j < 8; j++) {
		if (j)
			p[k++] = ' ';
		p[k++] = hex[b[j] >> 4];
		p[k++] = hex[b[j] & 15];
	}
	p[k] = '\0';
	return k;
}

int bpfvm_disasm_line(const struct bpf_insn *insns, size_t insn_cnt, size_t i,
		      unsigned flags, char *buf, size_t buflen)
{
	char text[BPFVM_DISASM_TEXT_MAX];
	int r = bpfvm_disasm_insn(insns, insn_cnt, i, text, sizeof text);
	if (!insns || i >= insn_cnt) {
		out(buf, buflen, "%8zu:\t%s", i, text);
		return 0;
	}
	char bytes[64];         /* 16 bytes: 47 characters */
	if (!(flags & BPFVM_DISASM_NO_RAW)) {
		size_t k = put_bytes(bytes, &insns[i]);
		if (r == 2) {
			bytes[k++] = ' ';
			put_bytes(bytes + k, &insns[i + 1]);
		}
		out(buf, buflen, "%8zu:\t%s\t%s", i, bytes, text);
	} else {
		out(buf, buflen, "%8zu:\t%s", i, text);
	}
	return r;
}

size_t bpfvm_disasm_prog(const struct bpf_insn *insns, size_t insn_cnt, unsigned flags,
			 char *buf, size_t buflen)
{
	size_t total = 0;
	char line[BPFVM_DISASM_LINE_MAX];
	if (buf && buflen)
		buf[0] = '\0';
	for (size_t i = 0; insns && i < insn_cnt;) {
		int r = bpfvm_disasm_line(insns, insn_cnt, i, flags, line, sizeof line);
		size_t len = strlen(line);
		line[len++] = '\n';
		if (buf && total + 1 < buflen) {
			size_t room = buflen - 1 - total;
			size_t n = len < room ? len : room;
			memcpy(buf + total, line, n);
			buf[total + n] = '\0';
		}
		total += len;
		i += r > 0 ? (size_t)r : 1;
	}
	return total;
}

int bpfvm_disasm_prog_file(const struct bpf_insn *insns, size_t insn_cnt, unsigned flags,
			   FILE *f)
{
	int bad = 0;
	char line[BPFVM_DISASM_LINE_MAX];
	for (size_t i = 0; insns && i < insn_cnt;) {
		int r = bpfvm_disasm_line(insns, insn_cnt, i, flags, line, sizeof line);
		if (fprintf(f, "%s\n", line) < 0)
			return -EIO;
		if (r == 0 && bad < INT32_MAX)
			bad++;
		i += r > 0 ? (size_t)r : 1;
	}
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return bad;
}
