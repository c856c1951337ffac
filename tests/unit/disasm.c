/* The disassembler against llvm-objdump.
 *
 * 1. Hand-built instructions of every KIND, exact strings (these always run).
 * 2. Differential, C programs: each tests/data/disasm/NAME.c is compiled with
 *    clang -O2 -target bpf -mcpu=v3, its executable sections are read from
 *    the ELF, and our listing (bpfvm_disasm_line: address, bytes, text) is
 *    compared line by line with llvm-objdump -d's.
 * 3. Differential, table sweep: every opcode table entry with random
 *    operands, assembled into an object by llvm-mc (.byte), compared the
 *    same way, for the instructions llvm-objdump 14 can decode; and all of
 *    them when a newer llvm-objdump is there ($LLVM_OBJDUMP_NEWER, default
 *    llvm-objdump-19), which checks the syntax chosen for what LLVM 14
 *    does not know.
 *
 * Which llvm-objdump line is the expected one: the default decoder's
 * (--mattr=-alu32, pinned so that a newer llvm-objdump that defaults to
 * alu32 shows the same; --no-print-imm-hex likewise, for those that print
 * hex by default), except for 32-bit atomics other than the plain add,
 * which it only decodes with --mattr=+alu32 (see src/isa/disasm.c). Branch
 * target annotations (" <func+0x28>") are dropped from its lines: a bare
 * program has no symbols.
 *
 * Tools: $CLANG, $LLVM_OBJDUMP, $LLVM_MC (default clang, llvm-objdump,
 * llvm-mc). Without clang or llvm-objdump the differential part is skipped
 * (after the hand-built checks, which fail the test if they fail). */
#include "test.h"
#include "lib/insn.h"
#include "isa/disasm.h"
#include "isa/opcodes.h"
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- 1. hand-built ------------------------------------------------------ */

static char outbuf[256];
static int last_ret;

/* Disassembles p[i] of an n-instruction program; the text is in outbuf, the
 * return value in last_ret. */
static const char *dis_at(const struct bpf_insn *p, size_t n, size_t i)
{
	memset(outbuf, 'X', sizeof outbuf);
	last_ret = bpfvm_disasm_insn(p, n, i, outbuf, sizeof outbuf);
	return outbuf;
}

#define DIS(...) ({ struct bpf_insn _p[] = { __VA_ARGS__ }; dis_at(_p, N(_p), 0); })
/* One instruction: text and return value. */
#define EXPECT(want, ...) do { CHECK_STR(DIS(__VA_ARGS__), want); CHECK_EQ(last_ret, 1); } while (0)
/* An invalid one: the message and 0. */
#define EXPECT_BAD(want, ...) do { CHECK_STR(DIS(__VA_ARGS__), want); CHECK_EQ(last_ret, 0); } while (0)

static void test_alu(void)
{
	static const struct { int op; const char *sym; } ops[] = {
		{ 0x00, "+=" }, { 0x10, "-=" }, { 0x20, "*=" }, { 0x30, "/=" },
		{ 0x40, "|=" }, { 0x50, "&=" }, { 0x60, "<<=" }, { 0x70, ">>=" },
		{ 0x90, "%=" }, { 0xa0, "^=" }, { 0xb0, "=" }, { 0xc0, "s>>=" },
	};
	char want[64];
	for (size_t k = 0; k < N(ops); k++) {
		snprintf(want, sizeof want, "r3 %s -7", ops[k].sym);
		EXPECT(want, ALU64_IMM(ops[k].op, 3, -7));
		snprintf(want, sizeof want, "r3 %s r10", ops[k].sym);
		EXPECT(want, ALU64_REG(ops[k].op, 3, 10));
		snprintf(want, sizeof want, "w0 %s 2147483647", ops[k].sym);
		EXPECT(want, ALU32_IMM(ops[k].op, 0, 2147483647));
		snprintf(want, sizeof want, "w9 %s w1", ops[k].sym);
		EXPECT(want, ALU32_REG(ops[k].op, 9, 1));
	}
	EXPECT("r0 = 0", MOV64_IMM(0, 0));
	EXPECT("w1 += w2", ALU32_REG(0x00, 1, 2));
	EXPECT("w1 = -2147483648", MOV32_IMM(1, INT32_MIN));
	EXPECT("r1 = r10", MOV64_REG(1, 10));
	/* cpu v4 signed division: off 1 */
	EXPECT("r1 s/= r2", I(0x3f, 1, 2, 1, 0));
	EXPECT("r1 s/= -3", I(0x37, 1, 0, 1, -3));
	EXPECT("w1 s/= w2", I(0x3c, 1, 2, 1, 0));
	EXPECT("w1 s/= 3", I(0x34, 1, 0, 1, 3));
	EXPECT("r1 s%= r2", I(0x9f, 1, 2, 1, 0));
	EXPECT("r1 s%= 5", I(0x97, 1, 0, 1, 5));
	EXPECT("w1 s%= w2", I(0x9c, 1, 2, 1, 0));
	EXPECT("w1 s%= 5", I(0x94, 1, 0, 1, 5));
	/* fields the instruction does not use are not shown (as LLVM) */
	EXPECT("r1 += 5", I(0x07, 1, 9, 0, 5));
	EXPECT("r1 += r2", I(0x0f, 1, 2, 0, 77));
}

static void test_unary(void)
{
	EXPECT("r0 = -r0", I(0x87, 0, 0, 0, 0));
	EXPECT("w7 = -w7", I(0x84, 7, 0, 0, 0));
	EXPECT("r1 = (s8)r2", I(0xbf, 1, 2, 8, 0));
	EXPECT("r1 = (s16)r2", I(0xbf, 1, 2, 16, 0));
	EXPECT("r1 = (s32)r2", I(0xbf, 1, 2, 32, 0));
	EXPECT("w1 = (s8)w2", I(0xbc, 1, 2, 8, 0));
	EXPECT("w1 = (s16)w2", I(0xbc, 1, 2, 16, 0));
	EXPECT("r0 = be16 r0", I(0xdc, 0, 0, 0, 16));
	EXPECT("r2 = be32 r2", I(0xdc, 2, 0, 0, 32));
	EXPECT("r3 = be64 r3", I(0xdc, 3, 0, 0, 64));
	EXPECT("r4 = le16 r4", I(0xd4, 4, 0, 0, 16));
	EXPECT("r5 = le32 r5", I(0xd4, 5, 0, 0, 32));
	EXPECT("r6 = le64 r6", I(0xd4, 6, 0, 0, 64));
	EXPECT("r7 = bswap16 r7", I(0xd7, 7, 0, 0, 16));
	EXPECT("r8 = bswap32 r8", I(0xd7, 8, 0, 0, 32));
	EXPECT("r9 = bswap64 r9", I(0xd7, 9, 0, 0, 64));
}

static void test_jumps(void)
{
	static const struct { int op; const char *sym; } ops[] = {
		{ 0x10, "==" }, { 0x20, ">" }, { 0x30, ">=" }, { 0x40, "&" },
		{ 0x50, "!=" }, { 0x60, "s>" }, { 0x70, "s>=" }, { 0xa0, "<" },
		{ 0xb0, "<=" }, { 0xc0, "s<" }, { 0xd0, "s<=" },
	};
	char want[64];
	for (size_t k = 0; k < N(ops); k++) {
		snprintf(want, sizeof want, "if r1 %s 5 goto +3", ops[k].sym);
		EXPECT(want, JMP_IMM(ops[k].op, 1, 5, 3));
		snprintf(want, sizeof want, "if r1 %s r2 goto -2", ops[k].sym);
		EXPECT(want, JMP_REG(ops[k].op, 1, 2, -2));
		snprintf(want, sizeof want, "if w1 %s -5 goto +0", ops[k].sym);
		EXPECT(want, I(0x06 | ops[k].op, 1, 0, 0, -5));
		snprintf(want, sizeof want, "if w10 %s w0 goto -32768", ops[k].sym);
		EXPECT(want, I(0x0e | ops[k].op, 10, 0, -32768, 0));
	}
	EXPECT("if r1 > r2 goto +3", JMP_REG(0x20, 1, 2, 3));
	EXPECT("if w1 s< 5 goto -2", I(0xc6, 1, 0, -2, 5));
	EXPECT("goto +1", JA(1));
	EXPECT("goto +0", JA(0));
	EXPECT("goto -1", JA(-1));
	EXPECT("goto +32767", JA(32767));
	EXPECT("gotol +70000", I(0x06, 0, 0, 0, 70000));
	EXPECT("gotol -2147483648", I(0x06, 0, 0, 0, INT32_MIN));
	EXPECT("gotol +0", I(0x06, 0, 0, 0, 0));
	EXPECT("call 1", CALL(1));
	EXPECT("call -1", CALL_LOCAL(-1));
	EXPECT("call 12", CALL_LOCAL(12));
	EXPECT("call 2147483647", I(0x85, 0, 2, 0, INT32_MAX));      /* kfunc */
	EXPECT("callx r2", I(0x8d, 2, 0, 0, 0));
	EXPECT("exit", EXIT());
}

static void test_memory(void)
{
	EXPECT("r1 = *(u64 *)(r10 - 8)", LDX(0x18, 1, 10, -8));
	EXPECT("r1 = *(u32 *)(r2 + 4)", LDX(0x00, 1, 2, 4));
	EXPECT("r1 = *(u16 *)(r2 + 0)", LDX(0x08, 1, 2, 0));
	EXPECT("r1 = *(u8 *)(r2 - 32768)", LDX(0x10, 1, 2, -32768));
	EXPECT("r1 = *(u8 *)(r2 + 32767)", LDX(0x10, 1, 2, 32767));
	EXPECT("r1 = *(s32 *)(r2 + 4)", I(0x81, 1, 2, 4, 0));
	EXPECT("r1 = *(s16 *)(r2 - 2)", I(0x89, 1, 2, -2, 0));
	EXPECT("r1 = *(s8 *)(r2 + 0)", I(0x91, 1, 2, 0, 0));
	EXPECT("*(u32 *)(r1 + 4) = r2", STX(0x00, 1, 2, 4));
	EXPECT("*(u16 *)(r1 - 4) = r2", STX(0x08, 1, 2, -4));
	EXPECT("*(u8 *)(r1 + 0) = r2", STX(0x10, 1, 2, 0));
	EXPECT("*(u64 *)(r10 - 512) = r0", STX(0x18, 10, 0, -512));
	EXPECT("*(u8 *)(r1 + 0) = 5", ST(0x10, 1, 0, 5));
	EXPECT("*(u16 *)(r1 + 2) = -1", ST(0x08, 1, 2, -1));
	EXPECT("*(u32 *)(r1 - 4) = 2147483647", ST(0x00, 1, -4, INT32_MAX));
	EXPECT("*(u64 *)(r10 - 8) = -2147483648", ST(0x18, 10, -8, INT32_MIN));
	EXPECT("r0 = *(u16 *)skb[12]", I(0x28, 0, 0, 0, 12));
	EXPECT("r0 = *(u32 *)skb[-1]", I(0x20, 0, 0, 0, -1));
	EXPECT("r0 = *(u8 *)skb[0]", I(0x30, 0, 0, 0, 0));
	EXPECT("r0 = *(u32 *)skb[r1]", I(0x40, 0, 1, 0, 0));
	EXPECT("r0 = *(u16 *)skb[r7]", I(0x48, 0, 7, 0, 0));
	EXPECT("r0 = *(u8 *)skb[r10]", I(0x50, 0, 10, 0, 0));
}

static void test_atomics(void)
{
	EXPECT("lock *(u64 *)(r1 + 0) += r2", I(0xdb, 1, 2, 0, 0x00));
	EXPECT("lock *(u32 *)(r1 + 8) += r2", I(0xc3, 1, 2, 8, 0x00));
	EXPECT("lock *(u64 *)(r1 - 8) |= r2", I(0xdb, 1, 2, -8, 0x40));
	EXPECT("lock *(u64 *)(r1 + 0) &= r2", I(0xdb, 1, 2, 0, 0x50));
	EXPECT("lock *(u64 *)(r1 + 0) ^= r2", I(0xdb, 1, 2, 0, 0xa0));
	EXPECT("lock *(u32 *)(r1 + 0) |= w2", I(0xc3, 1, 2, 0, 0x40));
	EXPECT("lock *(u32 *)(r1 + 0) &= w2", I(0xc3, 1, 2, 0, 0x50));
	EXPECT("lock *(u32 *)(r1 + 0) ^= w2", I(0xc3, 1, 2, 0, 0xa0));
	EXPECT("r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)", I(0xdb, 1, 2, 0, 0x01));
	EXPECT("r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)", I(0xdb, 1, 2, 0, 0x41));
	EXPECT("r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)", I(0xdb, 1, 2, 0, 0x51));
	EXPECT("r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)", I(0xdb, 1, 2, 0, 0xa1));
	EXPECT("w3 = atomic_fetch_add((u32 *)(r10 - 4), w3)", I(0xc3, 10, 3, -4, 0x01));
	EXPECT("w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)", I(0xc3, 1, 2, 0, 0x41));
	EXPECT("w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)", I(0xc3, 1, 2, 0, 0x51));
	EXPECT("w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)", I(0xc3, 1, 2, 0, 0xa1));
	EXPECT("r2 = xchg_64(r1 + 0, r2)", I(0xdb, 1, 2, 0, 0xe1));
	EXPECT("w2 = xchg32_32(r1 + 4, w2)", I(0xc3, 1, 2, 4, 0xe1));
	EXPECT("r0 = cmpxchg_64(r1 + 0, r0, r2)", I(0xdb, 1, 2, 0, 0xf1));
	EXPECT("w0 = cmpxchg32_32(r1 - 4, w0, w2)", I(0xc3, 1, 2, -4, 0xf1));
	EXPECT_BAD("<unknown atomic op 0x2>", I(0xdb, 1, 2, 0, 0x02));
	EXPECT_BAD("<unknown atomic op 0x100>", I(0xc3, 1, 2, 0, 0x100));
}

static void test_ld_imm64(void)
{
	struct bpf_insn p[] = {
		LD_IMM64(1, 0x1122334455667788ull),
		LD_IMM64(2, 0xffffffffffffffffull),
		LD_IMM64(3, 0xffffffffull),
		LD_IMM64(4, 0x8000000000000000ull),
		I(0x18, 1, 1, 0, 5), I(0, 0, 0, 0, 0),           /* map fd 5 */
		I(0x18, 2, 2, 0, -1), I(0, 0, 0, 0, 8),          /* map value, off 8 */
		I(0x18, 0, 0, 0, 0), I(0, 0, 0, 0, 0),
		I(0x18, 0, 0, 0, 0),                             /* truncated */
	};
	CHECK_STR(dis_at(p, N(p), 0), "r1 = 1234605616436508552 ll");
	CHECK_EQ(last_ret, 2);
	CHECK_STR(dis_at(p, N(p), 2), "r2 = -1 ll");
	CHECK_EQ(last_ret, 2);
	CHECK_STR(dis_at(p, N(p), 4), "r3 = 4294967295 ll");
	CHECK_STR(dis_at(p, N(p), 6), "r4 = -9223372036854775808 ll");
	CHECK_STR(dis_at(p, N(p), 8), "ld_pseudo\tr1, 1, 5");
	CHECK_EQ(last_ret, 2);
	CHECK_STR(dis_at(p, N(p), 10), "ld_pseudo\tr2, 2, 4294967295");
	CHECK_STR(dis_at(p, N(p), 12), "r0 = 0 ll");
	CHECK_EQ(last_ret, 2);
	CHECK_STR(dis_at(p, N(p), 14), "<truncated ld_imm64>");
	CHECK_EQ(last_ret, 0);
	/* cut short by insn_cnt, not by the array */
	CHECK_STR(dis_at(p, 1, 0), "<truncated ld_imm64>");
	CHECK_EQ(last_ret, 0);
	/* the second half alone is no instruction */
	CHECK_STR(dis_at(p, N(p), 1), "<unknown opcode 0x00>");
	CHECK_EQ(last_ret, 0);
}

static void test_invalid(void)
{
	EXPECT_BAD("<unknown opcode 0xff>", I(0xff, 0, 0, 0, 0));
	EXPECT_BAD("<unknown opcode 0x8f>", I(0x8f, 0, 0, 0, 0));
	EXPECT_BAD("<unknown opcode 0x07 with off 5>", I(0x07, 1, 0, 5, 1));
	EXPECT_BAD("<unknown opcode 0xbf with off 64>", I(0xbf, 1, 2, 64, 0));
	EXPECT_BAD("<unknown opcode 0xdc with imm 8>", I(0xdc, 1, 0, 0, 8));
	EXPECT_BAD("<invalid register r11>", MOV64_IMM(11, 0));
	EXPECT_BAD("<invalid register r15>", MOV64_REG(1, 15));
	EXPECT_BAD("<invalid register r12>", LDX(0x18, 1, 12, 0));
	EXPECT_BAD("<invalid register r11>", I(0x18, 11, 0, 0, 0), I(0, 0, 0, 0, 0));
	/* out of range, no program */
	struct bpf_insn one = EXIT();
	CHECK_STR(dis_at(&one, 1, 1), "<no instruction 1>");
	CHECK_EQ(last_ret, 0);
	CHECK_STR(dis_at(NULL, 0, 0), "<no instruction 0>");
	CHECK_EQ(last_ret, 0);
	/* a NULL or empty buffer: only the result */
	CHECK_EQ(bpfvm_disasm_insn(&one, 1, 0, NULL, 0), 1);
	char b[4] = "abc";
	CHECK_EQ(bpfvm_disasm_insn(&one, 1, 0, b, 0), 1);
	CHECK_STR(b, "abc");
	/* a short buffer is truncated and terminated */
	CHECK_EQ(bpfvm_disasm_insn(&one, 1, 0, b, sizeof b), 1);
	CHECK_STR(b, "exi");
	/* every opcode byte, every register: no crash, and the text fits */
	char big[BPFVM_DISASM_TEXT_MAX + 8];
	for (int c = 0; c < 256; c++)
		for (int r = 0; r < 16; r++) {
			struct bpf_insn q[2] = { I(c, r, 15 - r, -32768, INT32_MIN), I(0, 0, 0, 0, -1) };
			for (size_t n = 1; n <= 2; n++) {
				memset(big, 0, sizeof big);
				int ret = bpfvm_disasm_insn(q, n, 0, big, sizeof big);
				if (ret < 0 || ret > 2 || strlen(big) >= BPFVM_DISASM_TEXT_MAX || !big[0]) {
					CHECK(!"bad result over all opcodes");
					fprintf(stderr, "  code 0x%02x reg %d: %d \"%s\"\n", c, r, ret, big);
				}
			}
		}
}

static void test_listing(void)
{
	struct bpf_insn p[] = {
		MOV64_IMM(0, 5),
		LD_IMM64(1, 0x1122334455667788ull),
		I(0xff, 0, 0, 0, 0),
		JMP_IMM(0x10, 1, 5, -4),
		EXIT(),
	};
	const char *want =
		"       0:\tb7 00 00 00 05 00 00 00\tr0 = 5\n"
		"       1:\t18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr1 = 1234605616436508552 ll\n"
		"       3:\tff 00 00 00 00 00 00 00\t<unknown opcode 0xff>\n"
		"       4:\t15 01 fc ff 05 00 00 00\tif r1 == 5 goto -4\n"
		"       5:\t95 00 00 00 00 00 00 00\texit\n";
	const char *want_noraw =
		"       0:\tr0 = 5\n"
		"       1:\tr1 = 1234605616436508552 ll\n"
		"       3:\t<unknown opcode 0xff>\n"
		"       4:\tif r1 == 5 goto -4\n"
		"       5:\texit\n";
	char buf[1024];
	size_t len = bpfvm_disasm_prog(p, N(p), 0, buf, sizeof buf);
	CHECK_STR(buf, want);
	CHECK_EQ(len, strlen(want));
	CHECK_EQ(bpfvm_disasm_prog(p, N(p), 0, NULL, 0), strlen(want));
	len = bpfvm_disasm_prog(p, N(p), BPFVM_DISASM_NO_RAW, buf, sizeof buf);
	CHECK_STR(buf, want_noraw);
	CHECK_EQ(len, strlen(want_noraw));
	/* truncation: like snprintf */
	char small[20];
	len = bpfvm_disasm_prog(p, N(p), 0, small, sizeof small);
	CHECK_EQ(len, strlen(want));
	CHECK_EQ(strlen(small), sizeof small - 1);
	CHECK(!strncmp(small, want, sizeof small - 1));
	/* to a FILE: the same text, and the count of invalid instructions */
	FILE *f = tmpfile();
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(bpfvm_disasm_prog_file(p, N(p), 0, f), 1);
		rewind(f);
		size_t got = fread(buf, 1, sizeof buf - 1, f);
		buf[got] = '\0';
		CHECK_STR(buf, want);
		fclose(f);
	}
	/* one line */
	char line[BPFVM_DISASM_LINE_MAX];
	CHECK_EQ(bpfvm_disasm_line(p, N(p), 1, 0, line, sizeof line), 2);
	CHECK_STR(line, "       1:\t18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr1 = 1234605616436508552 ll");
	CHECK_EQ(bpfvm_disasm_line(p, N(p), 3, BPFVM_DISASM_NO_RAW, line, sizeof line), 0);
	CHECK_STR(line, "       3:\t<unknown opcode 0xff>");
	/* a truncated LD_IMM64 at the end shows its 8 bytes */
	struct bpf_insn t[] = { MOV64_IMM(0, 0), I(0x18, 1, 0, 0, 7) };
	len = bpfvm_disasm_prog(t, N(t), 0, buf, sizeof buf);
	CHECK_STR(buf, "       0:\tb7 00 00 00 00 00 00 00\tr0 = 0\n"
		       "       1:\t18 01 00 00 07 00 00 00\t<truncated ld_imm64>\n");
	CHECK_EQ(bpfvm_disasm_prog(NULL, 5, 0, buf, sizeof buf), 0);
	CHECK_STR(buf, "");
}

/* ---- 2 and 3. against llvm-objdump --------------------------------------- */

static const char *tool(const char *env, const char *dflt)
{
	const char *v = getenv(env);
	return v && *v ? v : dflt;
}

/* Runs a shell command; 0 if it exited with 0. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof cmd)
		return -1;
	int st = system(cmd);
	return (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -1;
}

static int have(const char *prog)
{
	if (strchr(prog, '\''))
		return 0;
	return sh("command -v '%s' >/dev/null 2>&1", prog) == 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(b, 2 * cap + 1);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	fclose(f);
	if (b) {
		b[n] = '\0';
		if (len)
			*len = n;
	}
	return b;
}

/* An executable section of an object: its name and instructions. */
struct sect {
	char name[128];
	struct bpf_insn *insns;
	size_t n;
};

/* The SHF_EXECINSTR sections of a little-endian ELF64 BPF object, in
 * section header order (the order llvm-objdump shows them in). Headers are
 * copied out: the file gives no alignment guarantee. */
static int elf_sections(const char *path, struct sect *out, int max)
{
	size_t len;
	char *b = read_file(path, &len);
	if (!b)
		return -1;
	int cnt = 0;
	Elf64_Ehdr eh;
	Elf64_Shdr strs;
	if (len < sizeof eh)
		goto bad;
	memcpy(&eh, b, sizeof eh);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_BPF ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > len ||
	    eh.e_shnum > (len - eh.e_shoff) / sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum)
		goto bad;
	memcpy(&strs, b + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof strs, sizeof strs);
	if (strs.sh_offset > len || strs.sh_size > len - strs.sh_offset)
		goto bad;
	for (int k = 0; k < eh.e_shnum && cnt < max; k++) {
		Elf64_Shdr s;
		memcpy(&s, b + eh.e_shoff + (size_t)k * sizeof s, sizeof s);
		if (s.sh_type != SHT_PROGBITS || !(s.sh_flags & SHF_EXECINSTR) || !s.sh_size)
			continue;
		if (s.sh_offset > len || s.sh_size > len - s.sh_offset || s.sh_size % 8 ||
		    s.sh_name >= strs.sh_size)
			goto bad;
		struct sect *o = &out[cnt];
		const char *nm = b + strs.sh_offset + s.sh_name;
		snprintf(o->name, sizeof o->name, "%.*s",
			 (int)strnlen(nm, strs.sh_size - s.sh_name), nm);
		o->n = s.sh_size / 8;
		o->insns = malloc(s.sh_size);
		if (!o->insns)
			goto bad;
		memcpy(o->insns, b + s.sh_offset, s.sh_size);
		cnt++;
	}
	free(b);
	return cnt;
bad:
	while (cnt > 0)
		free(out[--cnt].insns);
	free(b);
	return -1;
}

/* llvm-objdump's lines, per "Disassembly of section" block: line[addr]. */
struct dump_sect {
	char name[128];
	char **line;            /* n entries, NULL where no instruction starts */
	size_t n;
	size_t count;           /* instruction lines in the block */
	int used;
};
struct dump {
	struct dump_sect s[32];
	int ns;
	char *text;
};

static void dump_free(struct dump *d)
{
	for (int k = 0; k < d->ns; k++)
		free(d->s[k].line);
	free(d->text);
	memset(d, 0, sizeof *d);
}

/* Drops llvm-objdump's branch target annotation (" <caller+0x28>",
 * " <LBB0_2>") from the end of an instruction line. */
static void strip_annotation(char *line)
{
	size_t len = strlen(line);
	char *tab = strrchr(line, '\t');
	if (!len || line[len - 1] != '>' || !tab || tab[1] == '<')
		return;
	char *lt = strrchr(tab, '<');
	if (lt && lt > tab + 1 && lt[-1] == ' ')
		lt[-1] = '\0';
}

/* Parses `llvm-objdump -d` output: sizes each section's table by the
 * matching ELF section (so addresses index it directly). */
static int dump_parse(struct dump *d, const char *path, const struct sect *secs, int nsecs)
{
	memset(d, 0, sizeof *d);
	d->text = read_file(path, NULL);
	if (!d->text)
		return -1;
	struct dump_sect *cur = NULL;
	int next_elf = 0;
	for (char *l = d->text, *nl; l && *l; l = nl) {
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		const char *hdr = "Disassembly of section ";
		if (!strncmp(l, hdr, strlen(hdr))) {
			if (d->ns == (int)N(d->s) || next_elf >= nsecs)
				return -1;
			cur = &d->s[d->ns++];
			snprintf(cur->name, sizeof cur->name, "%s", l + strlen(hdr));
			size_t nlen = strlen(cur->name);
			if (nlen && cur->name[nlen - 1] == ':')
				cur->name[nlen - 1] = '\0';
			/* the blocks come in ELF order, with empty sections left out */
			cur->n = secs[next_elf++].n;
			cur->line = calloc(cur->n ? cur->n : 1, sizeof *cur->line);
			if (!cur->line)
				return -1;
			continue;
		}
		/* "%8u:\t..." */
		const char *q = l;
		while (*q == ' ')
			q++;
		if (!cur || q == l || *q < '0' || *q > '9')
			continue;
		char *end;
		unsigned long addr = strtoul(q, &end, 10);
		if (end[0] != ':' || end[1] != '\t')
			continue;
		strip_annotation(l);
		cur->count++;
		if (addr < cur->n && !cur->line[addr])
			cur->line[addr] = l;
		else
			return -1;
	}
	return 0;
}

/* Counts of instructions compared, and of table entries among them, with
 * the main llvm-objdump [0] and the newer one [1]. */
static int compared, newer;
static int ncompared[2], covered_ops[2];
static unsigned char covered[2][OP__COUNT];

/* The line llvm-objdump is expected to print for insns[i] (see the top). */
static const char *expected_line(const struct dump_sect *dflt, const struct dump_sect *alu32,
				 const struct bpf_insn *in, size_t i)
{
	if (in->code == 0xc3 && in->imm != 0)
		return alu32->line[i];
	return dflt->line[i];
}

/* Compares our listing of one section with llvm-objdump's two. skip(in)
 * says which instructions to leave out (counted in *skipped). Returns the
 * number of mismatches. */
static int compare_section(const char *what, const struct sect *s, const struct dump_sect *dflt,
			   const struct dump_sect *alu32, int (*skip)(const struct bpf_insn *, const char *),
			   int *skipped)
{
	int bad = 0;
	size_t ours = 0;
	char line[BPFVM_DISASM_LINE_MAX];
	for (size_t i = 0; i < s->n;) {
		int r = bpfvm_disasm_line(s->insns, s->n, i, 0, line, sizeof line);
		ours++;
		const char *exp = expected_line(dflt, alu32, &s->insns[i], i);
		if (skip && skip(&s->insns[i], exp)) {
			(*skipped)++;
		} else {
			test_checks++;
			compared++;
			ncompared[newer]++;
			int op = bpfvm_op_lookup(&s->insns[i]);
			if (op >= 0 && !covered[newer][op]++)
				covered_ops[newer]++;
			if (!exp || strcmp(line, exp)) {
				test_failures++;
				if (bad++ < 20)
					fprintf(stderr, "%s [%s] insn %zu:\n  ours:         %s\n  llvm-objdump: %s\n",
						what, s->name, i, line, exp ? exp : "(no line)");
			}
		}
		i += r > 0 ? (size_t)r : 1;
	}
	/* and no instruction of llvm-objdump's that we did not list */
	test_checks++;
	if (ours != dflt->count || ours != alu32->count) {
		test_failures++;
		bad++;
		fprintf(stderr, "%s [%s]: %zu lines, llvm-objdump %zu (alu32: %zu)\n", what, s->name,
			ours, dflt->count, alu32->count);
	}
	return bad;
}

struct tools {
	const char *clang, *objdump, *mc;
	const char *newer;      /* an llvm-objdump that knows cpu v4, or NULL */
	char tmp[PATH_MAX];
};

/* Disassembles obj both ways and compares every executable section. */
static int check_object(struct tools *t, const char *objdump, const char *what, const char *obj,
			int (*skip)(const struct bpf_insn *, const char *), int *skipped)
{
	struct sect secs[32];
	int ns = elf_sections(obj, secs, (int)N(secs));
	if (ns < 0) {
		CHECK(!"cannot read the object");
		fprintf(stderr, "  %s\n", obj);
		return -1;
	}
	char d1[PATH_MAX + 16], d2[PATH_MAX + 16];
	snprintf(d1, sizeof d1, "%s/dump", t->tmp);
	snprintf(d2, sizeof d2, "%s/dump32", t->tmp);
	int bad = 0;
	if (sh("'%s' -d --no-print-imm-hex --mattr=-alu32 '%s' > '%s'", objdump, obj, d1) ||
	    sh("'%s' -d --no-print-imm-hex --mattr=+alu32 '%s' > '%s'", objdump, obj, d2)) {
		CHECK(!"llvm-objdump failed");
		bad = -1;
		goto out;
	}
	struct dump a = { 0 }, b = { 0 };
	if (dump_parse(&a, d1, secs, ns) || dump_parse(&b, d2, secs, ns) || a.ns != ns || b.ns != ns) {
		CHECK(!"cannot parse llvm-objdump's output");
		fprintf(stderr, "  %s: %d sections in the ELF, %d and %d in the dumps\n", what, ns, a.ns, b.ns);
		bad = -1;
	} else {
		for (int k = 0; k < ns; k++) {
			CHECK_STR(a.s[k].name, secs[k].name);
			bad += compare_section(what, &secs[k], &a.s[k], &b.s[k], skip, skipped);
		}
	}
	dump_free(&a);
	dump_free(&b);
out:
	for (int k = 0; k < ns; k++)
		free(secs[k].insns);
	unlink(d1);
	unlink(d2);
	return bad;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *data_dir(void)
{
	static char dir[PATH_MAX + 32];
	if (access("tests/data/disasm", R_OK) == 0)
		return "tests/data/disasm";
	/* from the binary: BUILD/tests/disasm -> ../../tests/data/disasm */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *sl = strrchr(exe, '/');
		if (!sl)
			return NULL;
		*sl = '\0';
		snprintf(dir, sizeof dir, "%s/tests/data/disasm", exe);
		if (access(dir, R_OK) == 0)
			return dir;
	}
	return NULL;
}

static void test_programs(struct tools *t, const char *dir)
{
	DIR *dp = opendir(dir);
	CHECK(dp != NULL);
	if (!dp)
		return;
	char *names[64];
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(dp)) && nn < N(names)) {
		size_t len = strlen(de->d_name);
		if (len > 2 && !strcmp(de->d_name + len - 2, ".c") && !strchr(de->d_name, '\''))
			names[nn++] = strdup(de->d_name);
	}
	closedir(dp);
	qsort(names, nn, sizeof *names, cmp_str);
	CHECK(nn >= 6);
	int before = compared;
	for (size_t k = 0; k < nn; k++) {
		char obj[PATH_MAX + 16], err[PATH_MAX + 16];
		snprintf(obj, sizeof obj, "%s/prog.o", t->tmp);
		snprintf(err, sizeof err, "%s/clang.err", t->tmp);
		if (sh("'%s' -O2 -target bpf -mcpu=v3 -I'%s' -c '%s/%s' -o '%s' 2> '%s'",
		       t->clang, dir, dir, names[k], obj, err)) {
			CHECK(!"clang failed");
			char *msg = read_file(err, NULL);
			fprintf(stderr, "  %s/%s:\n%s\n", dir, names[k], msg ? msg : "");
			free(msg);
		} else {
			check_object(t, t->objdump, names[k], obj, NULL, NULL);
		}
		unlink(obj);
		unlink(err);
		free(names[k]);
	}
	printf("C programs: %zu files, %d instructions compared with llvm-objdump\n", nn,
	       compared - before);
}

/* ---- the table sweep ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int16_t rnd_off(void)
{
	static const int16_t pick[] = { 0, 1, -1, 8, -8, 512, -512, 32767, -32768 };
	return (rnd() & 1) ? pick[rnd() % N(pick)] : (int16_t)rnd();
}

static int32_t rnd_imm(void)
{
	static const int32_t pick[] = { 0, 1, -1, 7, -7, 255, 65536, INT32_MAX, INT32_MIN };
	return (rnd() & 1) ? pick[rnd() % N(pick)] : (int32_t)rnd();
}

/* LLVM 14 cannot show these: cpu v4 (it takes sdiv for div, movsx for mov,
 * ...), BPF_ST, JSET and BPF_MOD (it has neither). Left out of the comparison
 * (the hand-built checks cover them); anything else it does not decode is a
 * failure. */
static int sweep_skip(const struct bpf_insn *in, const char *exp)
{
	int op = bpfvm_op_lookup(in);
	if (op < 0)
		return 0;
	const struct bpfvm_opinfo *o = &bpfvm_opinfo[op];
	int alu = o->kind == K_ALU_K || o->kind == K_ALU_X;
	int jcond = o->kind == K_JCOND_K || o->kind == K_JCOND_X;
	(void)exp;
	return o->isa == ISA_V4 || o->kind == K_ST ||
	       (jcond && (o->code & 0xf0) == 0x40) || (alu && (o->code & 0xf0) == 0x90);
}

static void test_sweep(struct tools *t)
{
	enum { PER_OP = 12 };
	struct bpf_insn *p = calloc((size_t)OP__COUNT * PER_OP * 2, sizeof *p);
	CHECK(p != NULL);
	if (!p)
		return;
	size_t n = 0;
	for (int op = 0; op < OP__COUNT; op++) {
		const struct bpfvm_opinfo *o = &bpfvm_opinfo[op];
		for (int k = 0; k < PER_OP; k++) {
			struct bpf_insn in = { .code = o->code };
			int dst = rnd() % 11, src = rnd() % 11;
			int16_t off = rnd_off();
			int32_t imm = rnd_imm();
			/* only the fields the instruction uses; the rest stay 0 */
			switch (o->kind) {
			case K_ALU_K: in.dst_reg = dst; in.imm = imm; break;
			case K_ALU_X: in.dst_reg = dst; in.src_reg = src; break;
			case K_NEG: case K_END: in.dst_reg = dst; break;
			case K_MOVSX: in.dst_reg = dst; in.src_reg = src; break;
			case K_JA: in.off = off; break;
			case K_GOTOL: in.imm = imm; break;
			case K_JCOND_K: in.dst_reg = dst; in.imm = imm; in.off = off; break;
			case K_JCOND_X: in.dst_reg = dst; in.src_reg = src; in.off = off; break;
			case K_CALL: in.src_reg = rnd() % 3; in.imm = imm; break;
			case K_CALLX: in.dst_reg = dst; break;
			case K_EXIT: break;
			case K_LDDW: in.dst_reg = dst; in.src_reg = (k < PER_OP / 2) ? 0 : rnd() % 16;
				in.imm = imm; break;
			case K_LDABS: in.imm = imm; break;
			case K_LDIND: in.src_reg = src; break;
			case K_LDX: in.dst_reg = dst; in.src_reg = src; in.off = off; break;
			case K_ST: in.dst_reg = dst; in.off = off; in.imm = imm; break;
			case K_STX: case K_ATOMIC: in.dst_reg = dst; in.src_reg = src; in.off = off; break;
			}
			if (o->disc == D_OFF)
				in.off = (int16_t)o->dval;
			else if (o->disc == D_IMM)
				in.imm = o->dval;
			p[n++] = in;
			if (o->kind == K_LDDW)
				p[n++] = (struct bpf_insn){ .imm = rnd_imm() };
		}
	}
	char src[PATH_MAX + 16], obj[PATH_MAX + 16];
	snprintf(src, sizeof src, "%s/sweep.s", t->tmp);
	snprintf(obj, sizeof obj, "%s/sweep.o", t->tmp);
	FILE *f = fopen(src, "w");
	CHECK(f != NULL);
	if (f) {
		fprintf(f, "\t.text\n");
		for (size_t i = 0; i < n; i++) {
			const unsigned char *b = (const unsigned char *)&p[i];
			fprintf(f, "\t.byte 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x\n",
				b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
		}
		fclose(f);
		if (sh("'%s' -triple bpfel -filetype=obj '%s' -o '%s'", t->mc, src, obj)) {
			CHECK(!"llvm-mc failed");
		} else {
			int before = compared, skipped = 0;
			check_object(t, t->objdump, "table sweep", obj, sweep_skip, &skipped);
			printf("table sweep: %d instructions compared with llvm-objdump, "
			       "%d left out (unknown to LLVM 14)\n", compared - before, skipped);
			/* A newer llvm-objdump, when there is one, knows them all:
			 * the syntax chosen for them is checked too. */
			if (t->newer) {
				before = compared;
				newer = 1;
				check_object(t, t->newer, "table sweep (newer)", obj, NULL, NULL);
				newer = 0;
				printf("table sweep: %d instructions compared with %s\n",
				       compared - before, t->newer);
			}
		}
	}
	unlink(src);
	unlink(obj);
	free(p);
}

static void differential(void)
{
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	test_skip("differential part: a little-endian host is needed to read BPF objects as struct bpf_insn");
#endif
	struct tools t = {
		.clang = tool("CLANG", "clang"),
		.objdump = tool("LLVM_OBJDUMP", "llvm-objdump"),
		.mc = tool("LLVM_MC", "llvm-mc"),
	};
	char why[256];
	if (!have(t.clang) || !have(t.objdump)) {
		if (test_failures)
			return;
		snprintf(why, sizeof why, "differential part: %s not found (the hand-built checks passed)",
			 !have(t.clang) ? t.clang : t.objdump);
		test_skip(why);
	}
	const char *dir = data_dir();
	CHECK(dir != NULL);
	if (!dir || strchr(dir, '\''))
		return;
	const char *base = getenv("TMPDIR");
	snprintf(t.tmp, sizeof t.tmp, "%s/bpfvm-disasm-XXXXXX", base && *base ? base : "/tmp");
	if (strchr(t.tmp, '\'') || !mkdtemp(t.tmp)) {
		CHECK(!"mkdtemp");
		return;
	}
	test_programs(&t, dir);
	/* LLVM 19's is known to print every instruction of the table as
	 * src/isa/disasm.c does (older ones differ in places: the LLVM 17-era
	 * backend encodes callx in imm and has no jset), so it is the one
	 * looked for; $LLVM_OBJDUMP_NEWER names another. */
	t.newer = tool("LLVM_OBJDUMP_NEWER", "llvm-objdump-19");
	if (!have(t.newer))
		t.newer = NULL;
	if (have(t.mc))
		test_sweep(&t);
	else
		printf("table sweep skipped: %s not found\n", t.mc);
	if (rmdir(t.tmp))
		fprintf(stderr, "warning: cannot remove %s: %s\n", t.tmp, strerror(errno));
	printf("%d instructions compared with %s, %d of the %d table entries among them\n",
	       ncompared[0], t.objdump, covered_ops[0], (int)OP__COUNT);
	if (t.newer)
		printf("%d instructions compared with %s, %d of the %d table entries among them\n",
		       ncompared[1], t.newer, covered_ops[1], (int)OP__COUNT);
}

int main(void)
{
	test_alu();
	test_unary();
	test_jumps();
	test_memory();
	test_atomics();
	test_ld_imm64();
	test_invalid();
	test_listing();
	differential();
	return test_done();
}
