/* The verifier: tnum and range arithmetic, then programs with their exact
 * verdict, errno and error line (the kernel's text), loaded through
 * BPF_PROG_LOAD; the rewrites; the log format; pruning on long chains of
 * if/else diamonds (timed). */
#include "test.h"
#include "lib/insn.h"
#include "core/prog.h"
#include "maps/map.h"
#include "verifier/env.h"
#include "verifier/verifier.h"
#include <errno.h>
#include <time.h>
#include <unistd.h>

static struct bpfvm *vm;
static char logbuf[1 << 20];
static int hash_fd, array_fd, big_array_fd, prog_array_fd, lock_fd, queue_fd;

/* ---- instruction builders beyond tests/lib/insn.h ---- */
#define LD_MAP(r, fd) I(0x18, r, 1, 0, fd), I(0, 0, 0, 0, 0)
#define JMP32_IMM(op, d, i, o) I(0x06 | (op), d, 0, o, i)
#define JMP32_REG(op, d, s, o) I(0x0e | (op), d, s, o, 0)
#define XADD(sz, d, s, o) I(0xc3 | (sz), d, s, o, 0)
#define MOV32_REG_(d, s) I(0xbc, d, s, 0, 0)
#define SZ_W 0x00
#define SZ_H 0x08
#define SZ_B 0x10
#define SZ_DW 0x18
enum { ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
       MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0 };
enum { JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70, JLT = 0xa0,
       JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0 };

#define PROG(...) (const struct bpf_insn[]){ __VA_ARGS__ }, \
	(uint32_t)(sizeof((const struct bpf_insn[]){ __VA_ARGS__ }) / sizeof(struct bpf_insn))

/* ---- loading ---- */

static int load_ex(int type, const struct bpf_insn *p, uint32_t n, uint32_t prog_flags, uint32_t level)
{
	union bpf_attr a = { 0 };
	a.prog_type = (uint32_t)type;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.prog_flags = prog_flags;
	logbuf[0] = 0;
	if (level) {
		a.log_buf = (uint64_t)(uintptr_t)logbuf;
		a.log_size = sizeof(logbuf);
		a.log_level = level;
	}
	return bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
}

/* The line before the final "processed ..." line: the verdict. */
static const char *error_line(void)
{
	static char line[512];
	char *end = strstr(logbuf, "processed ");
	line[0] = 0;
	while (end && strstr(end + 1, "\nprocessed "))
		end = strstr(end + 1, "\nprocessed ") + 1;
	if (!end || end == logbuf)
		return line;
	char *s = end - 1;              /* the '\n' ending the line before */
	while (s > logbuf && s[-1] != '\n')
		s--;
	size_t len = (size_t)(end - 1 - s);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, s, len);
	line[len] = 0;
	return line;
}

static bool prog_verified(int fd)
{
	struct bpfvm_prog *p;
	if (bpfvm_sys_fd_to_prog(vm, fd, &p) < 0)
		return false;
	bool v = p->verified;
	bpfvm_prog_put(p);
	return v;
}

/* Loads and checks the verdict: err 0 = accepted; otherwise -1 with that
 * errno and `msg` as the last line before the statistics. */
static int expect_at(int line, int type, uint32_t pflags, int err, const char *msg, const struct bpf_insn *p, uint32_t n)
{
	int fd = load_ex(type, p, n, pflags, 1);
	test_checks++;
	bool ok;
	if (!err)
		ok = fd >= 0;
	else
		ok = fd < 0 && errno == err && (!msg || !strcmp(error_line(), msg));
	if (!ok) {
		test_failures++;
		fprintf(stderr, "verifier.c:%d: expected %s%s%s (errno %d), got fd %d errno %d, line \"%s\"\n--- log:\n%s---\n",
			line, err ? "\"" : "accept", err && msg ? msg : "", err ? "\"" : "", err, fd, fd < 0 ? errno : 0,
			error_line(), logbuf);
	}
	if (fd >= 0 && err)
		bpfvm_close(vm, fd);
	return fd;
}

#define OK(type, ...) do { int _fd = expect_at(__LINE__, type, 0, 0, NULL, PROG(__VA_ARGS__)); \
	if (_fd >= 0) bpfvm_close(vm, _fd); } while (0)
#define BAD(type, err, msg, ...) expect_at(__LINE__, type, 0, err, msg, PROG(__VA_ARGS__))
#define XDP BPF_PROG_TYPE_XDP

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, int btf, uint32_t kid, uint32_t vid)
{
	union bpf_attr a = { 0 };
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = n;
	if (btf > 0) {
		a.btf_fd = (uint32_t)btf;
		a.btf_key_type_id = kid;
		a.btf_value_type_id = vid;
	}
	return bpfvm_bpf(vm, BPF_MAP_CREATE, &a, sizeof(a));
}

/* BTF of: int; struct bpf_spin_lock { int val; }; struct val { struct bpf_spin_lock lock; int x; } */
static int load_lock_btf(void)
{
	static const char strs[] = "\0int\0bpf_spin_lock\0val\0lock\0x";
	const uint32_t types[] = {
		1, 1u << 24, 4, (1u << 24) | 32,
		5, (4u << 24) | 1, 4, 19, 1, 0,
		19, (4u << 24) | 2, 8, 23, 2, 0, 28, 1, 32,
	};
	uint8_t blob[256];
	struct { uint16_t magic; uint8_t version, flags; uint32_t hdr_len, type_off, type_len, str_off, str_len; } h = {
		0xeB9F, 1, 0, 24, 0, sizeof(types), sizeof(types), sizeof(strs) };
	memcpy(blob, &h, 24);
	memcpy(blob + 24, types, sizeof(types));
	memcpy(blob + 24 + sizeof(types), strs, sizeof(strs));
	union bpf_attr a = { 0 };
	a.btf = (uint64_t)(uintptr_t)blob;
	a.btf_size = (uint32_t)(24 + sizeof(types) + sizeof(strs));
	return bpfvm_bpf(vm, BPF_BTF_LOAD, &a, sizeof(a));
}

/* ---- tnum ---- */

static void test_tnum(void)
{
	struct tnum a = tnum_range(0, 7);
	CHECK_EQ_U64(a.value, 0);
	CHECK_EQ_U64(a.mask, 7);
	a = tnum_range(16, 23);
	CHECK_EQ_U64(a.value, 16);
	CHECK_EQ_U64(a.mask, 7);
	CHECK(tnum_is_unknown(tnum_range(0, UINT64_MAX)));
	CHECK(tnum_equals_const(tnum_range(5, 5), 5));
	/* (x in {0..3}) + 4 = {4..7} */
	a = tnum_add(TNUM(0, 3), tnum_const(4));
	CHECK_EQ_U64(a.value, 4);
	CHECK_EQ_U64(a.mask, 3);
	/* carries make higher bits unknown: {0,1} + {0,1} = {0,1,2} */
	a = tnum_add(TNUM(0, 1), TNUM(0, 1));
	CHECK_EQ_U64(a.value, 0);
	CHECK_EQ_U64(a.mask, 3);
	a = tnum_sub(tnum_const(10), tnum_const(3));
	CHECK(tnum_equals_const(a, 7));
	a = tnum_sub(TNUM(8, 3), tnum_const(1));
	CHECK(tnum_in(a, tnum_const(7)) && tnum_in(a, tnum_const(10)));
	a = tnum_and(tnum_unknown(), tnum_const(0xf0));
	CHECK_EQ_U64(a.value, 0);
	CHECK_EQ_U64(a.mask, 0xf0);
	a = tnum_or(TNUM(0, 0xf), tnum_const(0x10));
	CHECK_EQ_U64(a.value, 0x10);
	CHECK_EQ_U64(a.mask, 0xf);
	a = tnum_xor(tnum_const(0xff), TNUM(0, 0xf));
	CHECK_EQ_U64(a.value, 0xf0);
	CHECK_EQ_U64(a.mask, 0xf);
	a = tnum_mul(tnum_const(6), tnum_const(7));
	CHECK(tnum_equals_const(a, 42));
	a = tnum_mul(TNUM(0, 3), tnum_const(4));          /* {0,4,8,12} */
	CHECK(tnum_in(a, tnum_const(12)) && !tnum_in(a, tnum_const(2)));
	a = tnum_lshift(TNUM(1, 2), 4);
	CHECK_EQ_U64(a.value, 0x10);
	CHECK_EQ_U64(a.mask, 0x20);
	a = tnum_rshift(TNUM(0x10, 0x20), 4);
	CHECK_EQ_U64(a.value, 1);
	CHECK_EQ_U64(a.mask, 2);
	a = tnum_arshift(tnum_const(0x80000000u), 4, 32);
	CHECK_EQ_U64(a.value, 0xf8000000u);
	a = tnum_arshift(TNUM(0, 1ull << 63), 60, 64);     /* unknown sign: top bits unknown */
	CHECK_EQ_U64(a.mask, 0xfffffffffffffff8ull);
	a = tnum_cast(tnum_const(0x1234567890ull), 4);
	CHECK_EQ_U64(a.value, 0x34567890u);
	a = tnum_intersect(TNUM(0, 0xff), TNUM(0x10, 0x0f));
	CHECK_EQ_U64(a.value, 0x10);
	CHECK_EQ_U64(a.mask, 0x0f);
	CHECK(tnum_is_aligned(TNUM(8, 0x30), 8));
	CHECK(!tnum_is_aligned(TNUM(8, 0x34), 8));
	CHECK(tnum_in(tnum_unknown(), tnum_const(99)));
	CHECK(!tnum_in(tnum_const(1), tnum_unknown()));
	char buf[48];
	tnum_strn(buf, sizeof(buf), TNUM(0, 0xff));
	CHECK_STR(buf, "(0x0; 0xff)");
	CHECK(tnum_subreg_is_const(TNUM(0x5, 0xffffffff00000000ull)));
	a = tnum_clear_subreg(TNUM(0x100000005ull, 0xf));
	CHECK_EQ_U64(a.value, 0x100000000ull);
	CHECK_EQ_U64(a.mask, 0);
}

/* ---- scalar ranges ---- */

static struct vreg scalar(uint64_t umin, uint64_t umax)
{
	struct vreg r;
	memset(&r, 0, sizeof(r));
	reg_set_unknown(&r);
	r.umin = umin;
	r.umax = umax;
	reg_bounds_sync(&r);
	return r;
}

static struct vreg konst(uint64_t v)
{
	struct vreg r;
	memset(&r, 0, sizeof(r));
	reg_set_const(&r, v);
	return r;
}

static void test_bounds(void)
{
	struct vreg r = scalar(0, 255);
	CHECK_EQ_U64(r.var_off.mask, 255);
	CHECK_EQ(r.smin, 0);
	CHECK_EQ(r.smax, 255);
	CHECK_EQ(r.u32max, 255);
	struct vreg k = konst(10);
	scalar_alu(&r, &k, BPF_ADD, false);
	CHECK_EQ_U64(r.umin, 10);
	CHECK_EQ_U64(r.umax, 265);
	struct vreg s = scalar(0, 1000);
	r = scalar(0, 255);
	scalar_alu(&r, &s, BPF_AND, false);                 /* x & y <= min(maxes) */
	CHECK_EQ_U64(r.umax, 255);
	r = scalar(16, 31);
	k = konst(2);
	scalar_alu(&r, &k, BPF_LSH, false);
	CHECK_EQ_U64(r.umin, 64);
	CHECK_EQ_U64(r.umax, 124);
	r = scalar(64, 127);
	scalar_alu(&r, &k, BPF_RSH, false);
	CHECK_EQ_U64(r.umin, 16);
	CHECK_EQ_U64(r.umax, 31);
	r = scalar(0, 10);
	k = konst(20);
	scalar_alu(&r, &k, BPF_SUB, false);                 /* all negative: the unsigned range follows */
	CHECK_EQ_U64(r.umin, (uint64_t)-20);
	CHECK_EQ_U64(r.umax, (uint64_t)-10);
	CHECK_EQ(r.smin, -20);
	CHECK_EQ(r.smax, -10);
	/* ALU32 results are zero-extended */
	r = scalar(0, UINT64_MAX);
	k = konst(0xff);
	scalar_alu(&r, &k, BPF_AND, true);
	CHECK_EQ_U64(r.umax, 0xff);
	r = konst(0xffffffffull);
	k = konst(1);
	scalar_alu(&r, &k, BPF_ADD, true);                  /* wraps to 0 in 32 bits */
	CHECK(tnum_equals_const(r.var_off, 0));
	r = scalar(0, 100);
	k = konst(3);
	scalar_alu(&r, &k, BPF_MUL, false);
	CHECK_EQ_U64(r.umax, 300);
	r = scalar(0, 100);
	scalar_alu(&r, &k, BPF_DIV, false);                 /* not tracked */
	CHECK_EQ_U64(r.umax, UINT64_MAX);

	/* branches on constants */
	r = scalar(0, 9);
	CHECK_EQ(branch_taken(&r, 10, BPF_JLT, false), 1);
	CHECK_EQ(branch_taken(&r, 9, BPF_JGT, false), 0);
	CHECK_EQ(branch_taken(&r, 5, BPF_JGT, false), -1);
	CHECK_EQ(branch_taken(&r, 100, BPF_JEQ, false), 0);
	CHECK_EQ(branch_taken(&r, 16, BPF_JSET, false), 0);
	r = konst(0x100000005ull);
	CHECK_EQ(branch_taken(&r, 5, BPF_JEQ, true), 1);
	CHECK_EQ(branch_taken(&r, 5, BPF_JEQ, false), 0);
	r = konst((uint64_t)-5);
	CHECK_EQ(branch_taken(&r, 0, BPF_JSLT, false), 1);
	CHECK_EQ(branch_taken(&r, 0, BPF_JLT, false), 0);

	/* learning from a comparison */
	struct vreg t = scalar(0, UINT64_MAX), f = t;
	reg_set_min_max(&t, &f, 7, BPF_JGT, false);        /* if r > 7: t > 7, f <= 7 */
	CHECK_EQ_U64(t.umin, 8);
	CHECK_EQ_U64(f.umax, 7);
	CHECK_EQ_U64(f.var_off.mask, 7);
	t = f = scalar(0, UINT64_MAX);
	reg_set_min_max(&t, &f, (uint64_t)-1, BPF_JSGT, false);
	CHECK_EQ(t.smin, 0);
	CHECK_EQ(f.smax, -1);
	/* 32-bit compare on a zero-extended value bounds all 64 bits */
	t = f = scalar(0, 0xffffffffull);
	reg_set_min_max(&t, &f, 15, BPF_JLE, true);
	CHECK_EQ_U64(t.umax, 15);
	CHECK_EQ_U64(f.umin, 16);
	/* ... but not a value with unknown upper bits */
	t = f = scalar(0, UINT64_MAX);
	reg_set_min_max(&t, &f, 15, BPF_JLE, true);
	CHECK_EQ_U64(t.u32max, 15);
	CHECK_EQ_U64(t.umax, 0xffffffff0000000full);
	t = f = scalar(0, UINT64_MAX);
	reg_set_min_max(&t, &f, 0x10, BPF_JSET, false);
	CHECK_EQ_U64(t.var_off.value, 0x10);
	CHECK_EQ_U64(f.var_off.mask & 0x10, 0);
	t = f = scalar(0, UINT64_MAX);
	reg_set_min_max(&t, &f, 42, BPF_JEQ, false);
	CHECK(tnum_equals_const(t.var_off, 42));
	struct vreg a = scalar(0, 100), b = scalar(50, 200);
	reg_combine_eq(&a, &b);
	CHECK_EQ_U64(a.umin, 50);
	CHECK_EQ_U64(b.umax, 100);
	a = scalar(0, 100);
	b = scalar(10, 20);
	CHECK(range_within(&a, &b));
	CHECK(!range_within(&b, &a));
	/* sign extension (cpu v4) */
	a = scalar(0, 255);
	reg_sext_bounds(&a, 8);
	CHECK_EQ(a.smin, -128);
	CHECK_EQ(a.smax, 127);
}

/* ---- programs: registers, ALU, pointer arithmetic ---- */

static void test_basics(void)
{
	int fd = expect_at(__LINE__, XDP, 0, 0, NULL, PROG(MOV64_IMM(0, 2), EXIT()));
	CHECK(fd >= 0 && prog_verified(fd));
	bpfvm_close(vm, fd);
	CHECK_STR(logbuf, "0: (b7) r0 = 2\n1: (95) exit\n"
			  "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
	BAD(XDP, EACCES, "R0 !read_ok", EXIT());
	BAD(XDP, EACCES, "R2 !read_ok", MOV64_REG(0, 2), EXIT());
	BAD(XDP, EACCES, "R1 invalid mem access 'inv'", MOV64_IMM(1, 0), LDX(SZ_DW, 0, 1, 0), EXIT());
	BAD(XDP, EINVAL, "div by zero", MOV64_IMM(0, 1), ALU64_IMM(DIV, 0, 0), EXIT());
	BAD(XDP, EINVAL, "div by zero", MOV64_IMM(0, 1), ALU32_IMM(MOD, 0, 0), EXIT());
	BAD(XDP, EINVAL, "invalid shift 64", MOV64_IMM(0, 1), ALU64_IMM(LSH, 0, 64), EXIT());
	BAD(XDP, EINVAL, "invalid shift 32", MOV64_IMM(0, 1), ALU32_IMM(ARSH, 0, 32), EXIT());
	/* division by a register is fine: the interpreter defines x/0 */
	OK(XDP, MOV64_IMM(0, 1), MOV64_IMM(1, 0), ALU64_REG(DIV, 0, 1), ALU64_REG(MOD, 0, 1), EXIT());
	/* 64-bit constants */
	OK(XDP, LD_IMM64(0, 0x123456789abcdefull), EXIT());
	/* root may leak pointers as numbers: return, 32-bit copies, math */
	OK(XDP, MOV64_REG(0, 10), EXIT());
	OK(XDP, MOV32_REG_(0, 10), EXIT());
	OK(XDP, MOV64_REG(0, 10), ALU64_REG(SUB, 0, 1), EXIT());
	BAD(XDP, EACCES, "R0 pointer arithmetic with *= operator prohibited", MOV64_REG(0, 10), ALU64_IMM(MUL, 0, 2),
	    EXIT());
	BAD(XDP, EACCES, "R0 32-bit pointer arithmetic prohibited", MOV64_REG(0, 10), ALU32_IMM(ADD, 0, 1), EXIT());
	BAD(XDP, EACCES, "R1 bitwise operator &= on pointer prohibited", MOV64_REG(1, 10), ALU64_IMM(AND, 1, 7),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R0 tried to subtract pointer from scalar", MOV64_IMM(0, 1), ALU64_REG(SUB, 0, 10), EXIT());
	BAD(XDP, EACCES, "R1 subtraction from stack pointer prohibited", MOV64_REG(1, 10), ALU64_IMM(SUB, 1, 8),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R0 pointer += pointer prohibited", MOV64_REG(0, 10), ALU64_REG(ADD, 0, 1), EXIT());
	BAD(XDP, EINVAL, "math between fp pointer and register with unbounded min value is not allowed",
	    CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(1, 10), ALU64_REG(ADD, 1, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EINVAL, "math between fp pointer and 536870912 is not allowed", MOV64_REG(1, 10),
	    LD_IMM64(2, 1 << 29), ALU64_REG(ADD, 1, 2), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 pointer arithmetic on map_ptr prohibited", LD_MAP(1, hash_fd), ALU64_IMM(ADD, 1, 8),
	    MOV64_IMM(0, 0), EXIT());
	/* constants are tracked through ALU ops, including 32-bit ones */
	OK(XDP, MOV64_IMM(1, -1), ALU32_IMM(RSH, 1, 28), ALU64_IMM(ADD, 1, -16), JMP_IMM(JEQ, 1, -1, 1),
	   LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
}

/* ---- the stack ---- */

static void test_stack(void)
{
	OK(XDP, ST(SZ_DW, 10, -8, 1), LDX(SZ_DW, 0, 10, -8), EXIT());
	OK(XDP, ST(SZ_DW, 10, -512, 1), LDX(SZ_B, 0, 10, -512), EXIT());
	BAD(XDP, EACCES, "invalid read from stack off -8+0 size 8", LDX(SZ_DW, 0, 10, -8), EXIT());
	BAD(XDP, EACCES, "invalid read from stack off -8+4 size 8", ST(SZ_W, 10, -8, 0), LDX(SZ_DW, 0, 10, -8), EXIT());
	BAD(XDP, EACCES, "misaligned stack access off (0x0; 0x0)+0+-4 size 8", ST(SZ_DW, 10, -4, 0), MOV64_IMM(0, 0),
	    EXIT());
	BAD(XDP, EACCES, "invalid stack off=-520 size=8", ST(SZ_DW, 10, -520, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "invalid stack off=0 size=8", ST(SZ_DW, 10, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* a spilled pointer keeps its type */
	OK(XDP, STX(SZ_DW, 10, 1, -8), LDX(SZ_DW, 2, 10, -8), LDX(SZ_W, 0, 2, 16), EXIT());
	BAD(XDP, EACCES, "invalid size of register spill", STX(SZ_W, 10, 1, -8), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "invalid size of register fill", STX(SZ_DW, 10, 1, -8), LDX(SZ_W, 0, 10, -8), EXIT());
	/* ... until data overwrites part of it */
	BAD(XDP, EACCES, "R2 invalid mem access 'inv'", STX(SZ_DW, 10, 1, -8), ST(SZ_W, 10, -8, 0),
	    LDX(SZ_DW, 2, 10, -8), LDX(SZ_W, 0, 2, 16), EXIT());
	BAD(XDP, EACCES, "variable stack access var_off=(0x0; 0x7) off=-16 size=1", CALL(BPF_FUNC_get_prandom_u32),
	    ALU64_IMM(AND, 0, 7), MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), ALU64_REG(ADD, 1, 0), ST(SZ_B, 1, 0, 0),
	    MOV64_IMM(0, 0), EXIT());
	/* zeros stay known: a zero read back can bound a pointer */
	OK(XDP, MOV64_IMM(2, 0), STX(SZ_DW, 10, 2, -8), LDX(SZ_DW, 2, 10, -8), MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8),
	   ALU64_REG(ADD, 1, 2), LDX(SZ_DW, 0, 1, 0), EXIT());
}

/* ---- the context ---- */

static void test_ctx(void)
{
	OK(XDP, LDX(SZ_W, 0, 1, 12), EXIT());
	OK(XDP, LDX(SZ_W, 0, 1, 0), EXIT());           /* a packet pointer, returned by root */
	BAD(XDP, EACCES, "invalid bpf_context access off=12 size=4", MOV64_IMM(2, 0), STX(SZ_W, 1, 2, 12),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "invalid bpf_context access off=0 size=8", LDX(SZ_DW, 0, 1, 0), EXIT());
	BAD(XDP, EACCES, "invalid bpf_context access off=20 size=4", LDX(SZ_W, 0, 1, 20), EXIT());
	BAD(XDP, EACCES, "invalid bpf_context access off=-4 size=4", LDX(SZ_W, 0, 1, -4), EXIT());
	BAD(XDP, EACCES, "BPF_ST stores into R1 ctx is not allowed", ST(SZ_W, 1, 0, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "dereference of modified ctx ptr R1 off=4 disallowed", ALU64_IMM(ADD, 1, 4), LDX(SZ_W, 0, 1, 0),
	    EXIT());
	/* a socket filter's __sk_buff */
	OK(BPF_PROG_TYPE_SOCKET_FILTER, LDX(SZ_W, 0, 1, 0), EXIT());
	/* the same load must not see two kinds of pointers */
	BAD(XDP, EINVAL, "same insn cannot be used with different pointers", MOV64_REG(6, 1),
	    CALL(BPF_FUNC_get_prandom_u32), ST(SZ_DW, 10, -8, 0), MOV64_REG(2, 6), JMP_IMM(JEQ, 0, 0, 2),
	    MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -8), LDX(SZ_W, 0, 2, 0), EXIT());
}

/* ---- maps and helper calls ---- */

#define LOOKUP(fd) ST(SZ_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), LD_MAP(1, fd), \
	CALL(BPF_FUNC_map_lookup_elem)

static void test_maps(void)
{
	OK(XDP, LOOKUP(hash_fd), JMP_IMM(JEQ, 0, 0, 1), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R0 invalid mem access 'map_value_or_null'", LOOKUP(hash_fd), LDX(SZ_DW, 0, 0, 0), EXIT());
	BAD(XDP, EACCES, "R0 min value is outside of the array range", LOOKUP(hash_fd), JMP_IMM(JEQ, 0, 0, 1),
	    LDX(SZ_DW, 0, 0, 8), MOV64_IMM(0, 0), EXIT());
	CHECK_CONTAINS(logbuf, "invalid access to map value, value_size=8 off=8 size=8\n");
	BAD(XDP, EACCES, "R0 pointer arithmetic on map_value_or_null prohibited, null-check it first", LOOKUP(hash_fd),
	    ALU64_IMM(ADD, 0, 1), MOV64_IMM(0, 0), EXIT());
	/* a variable index, bounded by a mask */
	OK(XDP, LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 4), LDX(SZ_W, 1, 0, 0), ALU64_IMM(AND, 1, 63),
	   ALU64_REG(ADD, 0, 1), LDX(SZ_B, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* ... or by a comparison, 32-bit included */
	OK(XDP, LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 4), LDX(SZ_W, 1, 0, 0), JMP32_IMM(JGT, 1, 56, 2),
	   ALU64_REG(ADD, 0, 1), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R0 unbounded memory access, make sure to bounds check any array access into a map",
	    LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 3), LDX(SZ_W, 1, 0, 0), ALU64_REG(ADD, 0, 1),
	    LDX(SZ_B, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R0 max value is outside of the array range", LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 4),
	    LDX(SZ_W, 1, 0, 0), ALU64_IMM(AND, 1, 63), ALU64_REG(ADD, 0, 1), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0),
	    EXIT());
	BAD(XDP, EACCES, "R0 min value is negative, either use unsigned index or do a if (index >=0) check.",
	    LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 4), LDX(SZ_B, 1, 0, 0), ALU64_IMM(SUB, 1, 4),
	    ALU64_REG(ADD, 0, 1), LDX(SZ_B, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* 64-bit unknown upper half: a 32-bit check bounds only the low half */
	BAD(XDP, EINVAL, "math between map_value pointer and register with unbounded min value is not allowed",
	    LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 4), LDX(SZ_DW, 1, 0, 0), JMP32_IMM(JGT, 1, 56, 2),
	    ALU64_REG(ADD, 0, 1), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* helper arguments */
	BAD(XDP, EACCES, "invalid indirect read from stack off -4+0 size 4", MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4),
	    LD_MAP(1, hash_fd), CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 type=inv expected=map_ptr", ST(SZ_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4),
	    MOV64_IMM(1, 0), CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R2 type=inv expected=fp", MOV64_IMM(2, 0), LD_MAP(1, hash_fd), CALL(BPF_FUNC_map_lookup_elem),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "invalid stack type R2 off=-2 access_size=4", MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -2),
	    LD_MAP(1, hash_fd), CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	/* the key may be in a map value or the packet too */
	OK(XDP, LOOKUP(array_fd), JMP_IMM(JEQ, 0, 0, 4), MOV64_REG(2, 0), LD_MAP(1, hash_fd),
	   CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	/* update: key and value from the stack */
	OK(XDP, ST(SZ_W, 10, -4, 0), ST(SZ_DW, 10, -16, 7), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), MOV64_REG(3, 10),
	   ALU64_IMM(ADD, 3, -16), MOV64_IMM(4, 0), LD_MAP(1, hash_fd), CALL(BPF_FUNC_map_update_elem), EXIT());
	/* caller-saved registers are gone after a call */
	BAD(XDP, EACCES, "R2 !read_ok", LOOKUP(hash_fd), MOV64_REG(0, 2), EXIT());
	/* maps work with their helpers only */
	BAD(XDP, EINVAL, "cannot pass map_type 3 into func bpf_map_lookup_elem#1", LOOKUP(prog_array_fd),
	    MOV64_IMM(0, 0), EXIT());
	OK(XDP, LD_MAP(2, prog_array_fd), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 type=inv expected=ctx", MOV64_IMM(1, 0), LD_MAP(2, prog_array_fd), MOV64_IMM(3, 0),
	    CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 0), EXIT());
	/* helpers of the program type only */
	BAD(XDP, EINVAL, "unknown func bpf_skb_load_bytes#26", CALL(BPF_FUNC_skb_load_bytes), EXIT());
	/* a helper writing into uninitialized stack (raw mode): the bytes are then initialized */
	OK(XDP, MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -8), LD_MAP(1, queue_fd), CALL(BPF_FUNC_map_peek_elem),
	   LDX(SZ_DW, 0, 10, -8), EXIT());
}

/* ---- packets ---- */

#define PKT_PTRS LDX(SZ_W, 2, 1, 0), LDX(SZ_W, 3, 1, 4)

static void test_packets(void)
{
	OK(XDP, PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14), JMP_REG(JGT, 4, 3, 2), LDX(SZ_H, 0, 2, 12), EXIT(),
	   MOV64_IMM(0, 0), EXIT());
	/* the other forms of the comparison */
	OK(XDP, PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14), JMP_REG(JLT, 3, 4, 2), LDX(SZ_H, 0, 2, 12), EXIT(),
	   MOV64_IMM(0, 0), EXIT());
	OK(XDP, PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14), JMP_REG(JLE, 4, 3, 1), JA(2), LDX(SZ_H, 0, 2, 12),
	   EXIT(), MOV64_IMM(0, 0), EXIT());
	OK(XDP, PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14), JMP_REG(JGE, 3, 4, 1), JA(2), LDX(SZ_H, 0, 2, 12),
	   EXIT(), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R2 offset is outside of the packet", PKT_PTRS, LDX(SZ_B, 0, 2, 0), EXIT());
	CHECK_CONTAINS(logbuf, "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)\n");
	BAD(XDP, EACCES, "R2 offset is outside of the packet", PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14),
	    JMP_REG(JGT, 4, 3, 2), LDX(SZ_H, 0, 2, 13), EXIT(), MOV64_IMM(0, 0), EXIT());
	CHECK_CONTAINS(logbuf, "invalid access to packet, off=13 size=2, R2(id=0,off=0,r=14)\n");
	/* the checked branch only: the other one knows nothing */
	BAD(XDP, EACCES, "R2 offset is outside of the packet", PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14),
	    JMP_REG(JGT, 4, 3, 1), JA(1), LDX(SZ_B, 0, 2, 0), MOV64_IMM(0, 0), EXIT());
	/* writes: XDP may */
	OK(XDP, PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 4), JMP_REG(JGT, 4, 3, 1), ST(SZ_W, 2, 0, 0),
	   MOV64_IMM(0, 2), EXIT());
	/* variable offsets: bounded, compared again */
	OK(XDP, MOV64_REG(6, 1), CALL(BPF_FUNC_get_prandom_u32), ALU64_IMM(AND, 0, 0xff), LDX(SZ_W, 2, 6, 0),
	   LDX(SZ_W, 3, 6, 4), ALU64_REG(ADD, 2, 0), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 8), JMP_REG(JGT, 4, 3, 1),
	   LDX(SZ_DW, 0, 2, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R3 pointer arithmetic on pkt_end prohibited", PKT_PTRS, ALU64_IMM(ADD, 3, 1), MOV64_IMM(0, 0),
	    EXIT());
	/* strict alignment emulates NET_IP_ALIGN */
	const struct bpf_insn al[] = { PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 8), JMP_REG(JGT, 4, 3, 1),
				       LDX(SZ_W, 0, 2, 0), MOV64_IMM(0, 0), EXIT() };
	int fd = expect_at(__LINE__, XDP, BPF_F_STRICT_ALIGNMENT, EACCES, "misaligned packet access off 2+(0x0; 0x0)+0+0 size 4",
			   al, sizeof(al) / sizeof(al[0]));
	fd = expect_at(__LINE__, XDP, 0, 0, NULL, al, sizeof(al) / sizeof(al[0]));
	if (fd >= 0)
		bpfvm_close(vm, fd);
	/* helpers reading the packet, when allowed to */
	OK(XDP, PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 4), JMP_REG(JGT, 4, 3, 3), LD_MAP(1, hash_fd),
	   CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	/* a helper that moves the packet invalidates packet pointers */
	BAD(XDP, EACCES, "R6 invalid mem access 'inv'", PKT_PTRS, MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 4),
	    JMP_REG(JGT, 4, 3, 5), MOV64_REG(6, 2), MOV64_IMM(2, 4), CALL(BPF_FUNC_xdp_adjust_head), LDX(SZ_B, 0, 6, 0),
	    EXIT(), MOV64_IMM(0, 0), EXIT());
}

/* ---- control flow: loops, unreachable code ---- */

static void test_loops(void)
{
	const struct bpf_insn loop[] = { MOV64_IMM(0, 0), ALU64_IMM(ADD, 0, 1), JMP_IMM(JLT, 0, 10, -2), EXIT() };
	/* bounded: accepted by default (5.3), refused in v5.1's strict mode */
	int fd = expect_at(__LINE__, XDP, 0, 0, NULL, loop, 4);
	if (fd >= 0)
		bpfvm_close(vm, fd);
	bpfvm_verifier_set_flags(vm, BPFVM_VERIFIER_STRICT_LOOPS);
	expect_at(__LINE__, XDP, 0, EINVAL, "back-edge from insn 2 to 1", loop, 4);
	bpfvm_verifier_set_flags(vm, 0);
	BAD(XDP, EINVAL, "infinite loop detected at insn 1", MOV64_IMM(0, 0), JMP_IMM(JEQ, 0, 0, -1), EXIT());
	BAD(XDP, EINVAL, "infinite loop detected at insn 1", MOV64_IMM(0, 0), JA(-1));
	/* a loop whose exit depends on nothing known */
	BAD(XDP, EINVAL, "infinite loop detected at insn 2", CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(6, 0),
	    JMP_IMM(JEQ, 6, 0, -1), MOV64_IMM(0, 0), EXIT());
	/* too long to explore (log level 4: statistics only, the insns would
	 * not fit any log) */
	const struct bpf_insn big[] = { MOV64_IMM(1, 0), ALU64_IMM(ADD, 1, 1), JMP_IMM(JLT, 1, 1000000, -2),
					MOV64_IMM(0, 0), EXIT() };
	CHECK_EQ(load_ex(XDP, big, 5, 0, 4), -1);
	CHECK_EQ(errno, E2BIG);
	CHECK_CONTAINS(logbuf, "BPF program is too large. Processed 1000001 insn\nverification time ");
	CHECK_CONTAINS(logbuf, "stack depth 0\nprocessed 1000001 insns (limit 1000000)");
	/* a loop closed by falling through is refused even now: the walk
	 * meets insn 3 again from 2 */
	BAD(XDP, EINVAL, "back-edge from insn 2 to 3", MOV64_IMM(0, 0), JA(1), ALU64_IMM(ADD, 0, 1),
	    JMP_IMM(JLT, 0, 10, -2), EXIT());
	BAD(XDP, EINVAL, "unreachable insn 2", MOV64_IMM(0, 0), EXIT(), EXIT());
	/* a dead branch: never explored */
	OK(XDP, MOV64_IMM(0, 0), JMP_IMM(JNE, 0, 0, 1), EXIT(), LDX(SZ_DW, 0, 0, 0), EXIT());
	/* loops with a counter on the stack: constants survive a spill (5.3) */
	const struct bpf_insn sc[] = { MOV64_IMM(0, 0), STX(SZ_DW, 10, 0, -8), LDX(SZ_DW, 0, 10, -8),
				       ALU64_IMM(ADD, 0, 1), STX(SZ_DW, 10, 0, -8), JMP_IMM(JLT, 0, 4, -4), EXIT() };
	fd = expect_at(__LINE__, XDP, 0, 0, NULL, sc, 7);
	if (fd >= 0)
		bpfvm_close(vm, fd);
	/* ... a part of a spilled number is some number */
	OK(XDP, MOV64_IMM(0, 7), STX(SZ_DW, 10, 0, -8), LDX(SZ_B, 0, 10, -8), EXIT());
}

/* ---- BPF-to-BPF calls ---- */

static void test_calls(void)
{
	OK(XDP, CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT());
	/* the caller's stack through a pointer */
	OK(XDP, ST(SZ_DW, 10, -8, 5), MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), CALL_LOCAL(1), EXIT(),
	   LDX(SZ_DW, 0, 1, 0), EXIT());
	BAD(XDP, EINVAL, "cannot return stack pointer to the caller", CALL_LOCAL(1), EXIT(), MOV64_REG(0, 10), EXIT());
	BAD(XDP, EACCES, "R6 !read_ok", MOV64_IMM(6, 1), CALL_LOCAL(1), EXIT(), MOV64_REG(0, 6), EXIT());
	BAD(XDP, EACCES, "R1 !read_ok", CALL_LOCAL(2), MOV64_REG(0, 1), EXIT(), MOV64_IMM(0, 1), EXIT());
	/* r6-r9 survive a call */
	OK(XDP, MOV64_IMM(6, 3), CALL_LOCAL(2), MOV64_REG(0, 6), EXIT(), MOV64_IMM(6, 9), MOV64_IMM(0, 1), EXIT());
	/* eight frames at most */
	BAD(XDP, E2BIG, "the call stack of 9 frames is too deep", CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(),
	    CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(1),
	    EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "combined stack size of 2 calls is 640. Too large", ST(SZ_DW, 10, -296, 0), CALL_LOCAL(1),
	    EXIT(), ST(SZ_DW, 10, -296, 0), MOV64_IMM(0, 0), EXIT());
	OK(XDP, ST(SZ_DW, 10, -256, 0), CALL_LOCAL(1), EXIT(), ST(SZ_DW, 10, -256, 0), MOV64_IMM(0, 0), EXIT());
	/* recursion is a loop through calls */
	BAD(XDP, EINVAL, "back-edge from insn 2 to 2", CALL_LOCAL(1), EXIT(), CALL_LOCAL(-1), EXIT());
	BAD(XDP, EINVAL, "jump out of range from insn 1 to 4", CALL_LOCAL(2), JA(2), EXIT(), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EINVAL, "last insn is not an exit or jmp", CALL_LOCAL(1), MOV64_IMM(0, 0), MOV64_IMM(0, 1), EXIT());
	BAD(XDP, EINVAL, "tail_calls are not allowed in programs with bpf-to-bpf calls", LD_MAP(2, prog_array_fd),
	    MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EINVAL, "cannot spill pointers to stack into stack frame of the caller", ST(SZ_DW, 10, -8, 0),
	    MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), CALL_LOCAL(1), EXIT(), STX(SZ_DW, 1, 10, 0), MOV64_IMM(0, 0),
	    EXIT());
}

/* ---- references: socket lookups ---- */

#define SK_LOOKUP ST(SZ_DW, 10, -8, 0), ST(SZ_DW, 10, -16, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -16), \
	MOV64_IMM(3, 12), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(BPF_FUNC_sk_lookup_tcp)

static void test_refs(void)
{
	BAD(XDP, EINVAL, "Unreleased reference id=1 alloc_insn=7", SK_LOOKUP, MOV64_IMM(0, 0), EXIT());
	OK(XDP, SK_LOOKUP, JMP_IMM(JEQ, 0, 0, 2), MOV64_REG(1, 0), CALL(BPF_FUNC_sk_release), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 type=sock_or_null expected=sock", SK_LOOKUP, MOV64_REG(1, 0), CALL(BPF_FUNC_sk_release),
	    MOV64_IMM(0, 0), EXIT());
	/* released: every copy is gone */
	BAD(XDP, EACCES, "R1 type=inv expected=sock", SK_LOOKUP, JMP_IMM(JEQ, 0, 0, 5), MOV64_REG(6, 0),
	    MOV64_REG(1, 0), CALL(BPF_FUNC_sk_release), MOV64_REG(1, 6), CALL(BPF_FUNC_sk_release), MOV64_IMM(0, 0),
	    EXIT());
	BAD(XDP, EINVAL, "tail_call would lead to reference leak", MOV64_REG(7, 1), SK_LOOKUP, MOV64_REG(6, 0),
	    MOV64_REG(1, 7), LD_MAP(2, prog_array_fd), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 0),
	    EXIT());
	CHECK_CONTAINS(logbuf, "Unreleased reference id=1 alloc_insn=8\n");
	/* a socket is read-only, in bounds */
	OK(XDP, SK_LOOKUP, JMP_IMM(JEQ, 0, 0, 3), MOV64_REG(1, 0), LDX(SZ_W, 6, 1, 4), CALL(BPF_FUNC_sk_release),
	   MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 cannot write into sock", SK_LOOKUP, JMP_IMM(JEQ, 0, 0, 4), MOV64_REG(1, 0),
	    ST(SZ_W, 1, 4, 0), CALL(BPF_FUNC_sk_release), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 invalid sock access off=200 size=4", SK_LOOKUP, JMP_IMM(JEQ, 0, 0, 4), MOV64_REG(1, 0),
	    LDX(SZ_W, 6, 1, 200), CALL(BPF_FUNC_sk_release), MOV64_IMM(0, 0), EXIT());
}

/* ---- bpf_spin_lock ---- */

#define LOCK_LOOKUP LOOKUP(lock_fd), JMP_IMM(JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(), MOV64_REG(6, 0)

static void test_spin_lock(void)
{
	if (lock_fd < 0) {
		fprintf(stderr, "spin lock map unavailable: skipped\n");
		return;
	}
	OK(XDP, LOCK_LOOKUP, MOV64_REG(1, 6), CALL(BPF_FUNC_spin_lock), ST(SZ_W, 6, 4, 1), MOV64_REG(1, 6),
	   CALL(BPF_FUNC_spin_unlock), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EINVAL, "bpf_spin_unlock is missing", LOCK_LOOKUP, MOV64_REG(1, 6), CALL(BPF_FUNC_spin_lock),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EINVAL, "function calls are not allowed while holding a lock", LOCK_LOOKUP, MOV64_REG(1, 6),
	    CALL(BPF_FUNC_spin_lock), CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(1, 6), CALL(BPF_FUNC_spin_unlock),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "bpf_spin_lock cannot be accessed directly by load/store", LOCK_LOOKUP, LDX(SZ_W, 0, 6, 0),
	    EXIT());
	/* a second lock is a call while holding one */
	BAD(XDP, EINVAL, "function calls are not allowed while holding a lock", LOCK_LOOKUP, MOV64_REG(1, 6),
	    CALL(BPF_FUNC_spin_lock), MOV64_REG(1, 6), CALL(BPF_FUNC_spin_lock), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "bpf_spin_unlock without taking a lock", LOCK_LOOKUP, MOV64_REG(1, 6),
	    CALL(BPF_FUNC_spin_unlock), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "off 4 doesn't point to 'struct bpf_spin_lock'", LOCK_LOOKUP, MOV64_REG(1, 6),
	    ALU64_IMM(ADD, 1, 4), CALL(BPF_FUNC_spin_lock), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 type=fp expected=map_value", MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8),
	    CALL(BPF_FUNC_spin_lock), MOV64_IMM(0, 0), EXIT());
	BAD(BPF_PROG_TYPE_SOCKET_FILTER, EINVAL, "tracing progs cannot use bpf_spin_lock yet", LD_MAP(1, lock_fd),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "map '' has to have BTF in order to use bpf_spin_lock", LOOKUP(hash_fd), JMP_IMM(JNE, 0, 0, 2),
	    MOV64_IMM(0, 0), EXIT(), MOV64_REG(1, 0), CALL(BPF_FUNC_spin_lock), MOV64_IMM(0, 0), EXIT());
}

/* ---- return codes, LD_ABS, atomics ---- */

static void test_misc(void)
{
	const int cg = BPF_PROG_TYPE_CGROUP_SKB, sf = BPF_PROG_TYPE_SOCKET_FILTER;
	OK(cg, MOV64_IMM(0, 1), EXIT());
	BAD(cg, EINVAL, "At program exit the register R0 has value (0x2; 0x0) should have been 0 or 1",
	    MOV64_IMM(0, 2), EXIT());
	BAD(cg, EINVAL, "At program exit the register R0 has unknown scalar value should have been 0 or 1",
	    CALL(BPF_FUNC_get_prandom_u32), EXIT());
	OK(cg, CALL(BPF_FUNC_get_prandom_u32), ALU64_IMM(AND, 0, 1), EXIT());
	BAD(cg, EINVAL, "At program exit the register R0 is not a known value (fp)", MOV64_REG(0, 10), EXIT());

	OK(sf, MOV64_REG(6, 1), I(0x28, 0, 0, 0, 12), EXIT());
	OK(sf, MOV64_REG(6, 1), MOV64_IMM(2, 3), I(0x50, 0, 2, 0, 12), EXIT());
	BAD(XDP, EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type", MOV64_REG(6, 1),
	    I(0x28, 0, 0, 0, 12), EXIT());
	BAD(sf, EACCES, "R6 !read_ok", I(0x28, 0, 0, 0, 12), EXIT());
	BAD(sf, EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb", MOV64_IMM(6, 0), I(0x28, 0, 0, 0, 12),
	    EXIT());
	BAD(sf, EINVAL, "BPF_LD_[ABS|IND] instructions cannot be mixed with bpf-to-bpf calls", MOV64_REG(6, 1),
	    I(0x28, 0, 0, 0, 12), CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 0), EXIT());
	/* r1-r5 are clobbered by LD_ABS */
	BAD(sf, EACCES, "R1 !read_ok", MOV64_REG(6, 1), I(0x28, 0, 0, 0, 12), LDX(SZ_W, 0, 1, 0), EXIT());

	OK(XDP, ST(SZ_DW, 10, -8, 0), MOV64_IMM(1, 1), XADD(SZ_DW, 10, 1, -8), LDX(SZ_DW, 0, 10, -8), EXIT());
	/* "BPF_ATOMIC" since 5.12 (v5.1 mode: "BPF_XADD") */
	BAD(XDP, EACCES, "BPF_ATOMIC stores into R1 ctx is not allowed", MOV64_IMM(2, 1), XADD(SZ_W, 1, 2, 0),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "misaligned value access off (0x0; 0x0)+1+0 size 4", LOOKUP(hash_fd), JMP_IMM(JEQ, 0, 0, 3),
	    ALU64_IMM(ADD, 0, 1), MOV64_IMM(1, 1), XADD(SZ_W, 0, 1, 0), MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "invalid read from stack off -8+0 size 8", MOV64_IMM(1, 1), XADD(SZ_DW, 10, 1, -8),
	    MOV64_IMM(0, 0), EXIT());
	/* atomics of 5.12: the fetching forms load the old value */
	OK(XDP, ST(SZ_DW, 10, -8, 3), MOV64_IMM(1, 1), I(0xdb, 10, 1, -8, 0x01), MOV64_REG(0, 1), EXIT());
	OK(XDP, ST(SZ_DW, 10, -8, 3), MOV64_IMM(0, 3), MOV64_IMM(1, 1), I(0xdb, 10, 1, -8, 0xf1), EXIT());
}

/* ---- v5.1 exactly ---- */

static void test_v51(void)
{
	bpfvm_verifier_set_flags(vm, BPFVM_VERIFIER_V51);
	BAD(XDP, EINVAL, "unknown opcode 06", MOV64_IMM(0, 0), I(0x06, 0, 0, 0, 0), EXIT());
	BAD(XDP, EINVAL, "unknown opcode d7", MOV64_IMM(0, 0), I(0xd7, 0, 0, 0, 16), EXIT());
	/* v5.1's first pass checks LDX modes before the opcode table */
	BAD(XDP, EINVAL, "BPF_LDX uses reserved fields", ST(SZ_W, 10, -8, 0), I(0x81, 0, 10, -8, 0), EXIT());
	BAD(XDP, EINVAL, "BPF_ALU uses reserved fields", MOV64_IMM(0, 4), MOV64_IMM(1, 2), I(0x3f, 0, 1, 1, 0), EXIT());
	BAD(XDP, EINVAL, "BPF_MOV uses reserved fields", MOV64_IMM(1, 2), I(0xbf, 0, 1, 8, 0), EXIT());
	BAD(XDP, EINVAL, "BPF_STX uses reserved fields", ST(SZ_DW, 10, -8, 3), MOV64_IMM(1, 1), I(0xdb, 10, 1, -8, 1),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "invalid size of register spill", STX(SZ_DW, 10, 1, -8), LDX(SZ_W, 0, 10, -8), EXIT());
	BAD(XDP, EACCES, "BPF_XADD stores into R1 ctx is not allowed", MOV64_IMM(2, 1), XADD(SZ_W, 1, 2, 0),
	    MOV64_IMM(0, 0), EXIT());
	/* v5.1 had no precision tracking: the paths stay apart (and the
	 * budget is v5.1's 131072 insns) */
	{
		struct bpf_insn p[80];
		uint32_t k = 0;
		p[k++] = CALL(BPF_FUNC_get_prandom_u32);
		p[k++] = MOV64_REG(6, 0);
		p[k++] = MOV64_IMM(7, 0);
		for (uint32_t i = 0; i < 24; i++) {
			p[k++] = JMP_IMM(JSET, 6, (int32_t)(1u << i), 1);
			p[k++] = ALU64_IMM(ADD, 7, 1);
		}
		p[k++] = MOV64_REG(0, 7);
		p[k++] = EXIT();
		CHECK_EQ(load_ex(XDP, p, k, 0, 4), -1);
		CHECK_EQ(errno, E2BIG);
		CHECK_CONTAINS(logbuf, "BPF program is too large. Processed 131073 insn");
	}
	BAD(XDP, EINVAL, "back-edge from insn 2 to 1", MOV64_IMM(0, 0), ALU64_IMM(ADD, 0, 1), JMP_IMM(JLT, 0, 10, -2),
	    EXIT());
	/* xor was not range-tracked */
	BAD(XDP, EINVAL, "math between map_value pointer and register with unbounded min value is not allowed",
	    LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 5), LDX(SZ_W, 1, 0, 0), ALU64_IMM(AND, 1, 15), ALU64_IMM(XOR, 1, 16),
	    ALU64_REG(ADD, 0, 1), LDX(SZ_B, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	bpfvm_verifier_set_flags(vm, 0);
	OK(XDP, LOOKUP(big_array_fd), JMP_IMM(JEQ, 0, 0, 5), LDX(SZ_W, 1, 0, 0), ALU64_IMM(AND, 1, 15),
	   ALU64_IMM(XOR, 1, 16), ALU64_REG(ADD, 0, 1), LDX(SZ_B, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
}

/* ---- an unprivileged loader ---- */

static void test_unpriv(void)
{
	bpfvm_verifier_set_flags(vm, BPFVM_VERIFIER_UNPRIV);
	BAD(XDP, EACCES, "R0 leaks addr as return value", MOV64_REG(0, 10), EXIT());
	BAD(XDP, EACCES, "R10 leaks addr into map", LOOKUP(hash_fd), JMP_IMM(JEQ, 0, 0, 1), STX(SZ_DW, 0, 10, 0),
	    MOV64_IMM(0, 0), EXIT());
	BAD(XDP, EACCES, "R1 pointer comparison prohibited", MOV64_IMM(0, 0), JMP_IMM(JEQ, 1, 0, 0), EXIT());
	BAD(XDP, EACCES, "R0 pointer -= pointer prohibited", MOV64_REG(0, 10), ALU64_REG(SUB, 0, 1), EXIT());
	BAD(XDP, EACCES, "R10 partial copy of pointer", MOV32_REG_(0, 10), EXIT());
	BAD(XDP, EPERM, "function calls to other bpf functions are allowed for root only", CALL_LOCAL(2),
	    MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT());
	BAD(XDP, EINVAL, "back-edge from insn 2 to 1", MOV64_IMM(0, 0), ALU64_IMM(ADD, 0, 1), JMP_IMM(JLT, 0, 10, -2),
	    EXIT());
	BAD(XDP, EACCES, "R1 stack pointer arithmetic goes out of range, prohibited for !root", MOV64_REG(1, 10),
	    ALU64_IMM(ADD, 1, 8), MOV64_IMM(0, 0), EXIT());
	/* still fine */
	OK(XDP, LOOKUP(hash_fd), JMP_IMM(JEQ, 0, 0, 1), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	bpfvm_verifier_set_flags(vm, 0);
}

/* ---- the rewrites, as OBJ_GET_INFO_BY_FD shows them, and running ---- */

static uint32_t xlated(int fd, struct bpf_insn *out, uint32_t max)
{
	struct bpf_prog_info info = { 0 };
	union bpf_attr a = { 0 };
	info.xlated_prog_len = max * (uint32_t)sizeof(*out);
	info.xlated_prog_insns = (uint64_t)(uintptr_t)out;
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (bpfvm_bpf(vm, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) < 0)
		return 0;
	return info.xlated_prog_len / (uint32_t)sizeof(*out);
}

static void test_fixups(void)
{
	struct bpf_insn x[64];
	/* dead code becomes a trap */
	int fd = expect_at(__LINE__, XDP, 0, 0, NULL, PROG(MOV64_IMM(0, 0), JMP_IMM(JNE, 0, 0, 1), EXIT(), EXIT()));
	CHECK_EQ(xlated(fd, x, 64), 4);
	CHECK_EQ(x[3].code, BPF_JMP | BPF_JA);
	CHECK_EQ(x[3].off, -1);
	CHECK_EQ(x[2].code, BPF_JMP | BPF_EXIT);
	bpfvm_close(vm, fd);

	/* context accesses rewritten onto the model: the program runs on the
	 * fast path and still reads the packet right */
	fd = expect_at(__LINE__, XDP, 0, 0, NULL,
		       PROG(LDX(SZ_W, 2, 1, 0), LDX(SZ_W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 16),
			    JMP_REG(JGT, 4, 3, 2), LDX(SZ_H, 0, 2, 14), EXIT(), MOV64_IMM(0, 0), EXIT()));
	CHECK(fd >= 0 && prog_verified(fd));
	if (fd >= 0) {
		uint8_t pkt[64] = { 0 };
		pkt[14] = 0x08;
		pkt[15] = 0x06;
		union bpf_attr a = { 0 };
		a.test.prog_fd = (uint32_t)fd;
		a.test.data_in = (uint64_t)(uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		CHECK_EQ(bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
		CHECK_EQ(a.test.retval, 0x0608);
		a.test.data_size_in = 14;       /* too short: the other branch */
		CHECK_EQ(bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
		CHECK_EQ(a.test.retval, 0);
		bpfvm_close(vm, fd);
	}
	/* a map's value by address (BPF_PSEUDO_MAP_VALUE) */
	int one = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0, 0);
	const struct bpf_insn dv[] = { I(0x18, 1, 2, 0, one), I(0, 0, 0, 0, 0), LDX(SZ_DW, 0, 1, 0), EXIT() };
	if (load_ex(XDP, dv, 4, 0, 1) < 0 && errno == EOPNOTSUPP) {
		fprintf(stderr, "direct map value access unsupported by the array map: skipped\n");
	} else {
		OK(XDP, I(0x18, 1, 2, 0, one), I(0, 0, 0, 0, 0), LDX(SZ_DW, 0, 1, 0), EXIT());
		BAD(XDP, EACCES, "R1 min value is outside of the array range", I(0x18, 1, 2, 0, one),
		    I(0, 0, 0, 0, 4), LDX(SZ_DW, 0, 1, 0), EXIT());
	}
	bpfvm_close(vm, one);
}

/* ---- the log ---- */

static void test_log(void)
{
	const struct bpf_insn p[] = { CALL(BPF_FUNC_get_prandom_u32), JMP_IMM(JGT, 0, 5, 1), MOV64_IMM(0, 0), EXIT() };
	int fd = load_ex(XDP, p, 4, 0, 1);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	CHECK_STR(logbuf,
		  "0: (85) call bpf_get_prandom_u32#7\n"
		  "1: (25) if r0 > 0x5 goto pc+1\n"
		  " R0_w=inv(id=0,umax_value=5,var_off=(0x0; 0x7)) R10=fp0\n"
		  "2: (b7) r0 = 0\n"
		  "3: (95) exit\n"
		  "\n"
		  "from 1 to 3: R0_w=inv(id=0,umin_value=6) R10=fp0\n"
		  "3: (95) exit\n"
		  "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
	/* level 2: the state before every instruction */
	fd = load_ex(XDP, p, 4, 0, 2);
	bpfvm_close(vm, fd);
	CHECK_CONTAINS(logbuf, "0: R1=ctx(id=0,off=0,imm=0) R10=fp0\n0: (85) call bpf_get_prandom_u32#7\n");
	/* a too small log: ENOSPC, like the kernel */
	char small[128];
	union bpf_attr a = { 0 };
	a.prog_type = XDP;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = 4;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)small;
	a.log_size = sizeof(small);
	a.log_level = 2;
	CHECK_EQ(bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a)), -1);
	CHECK_EQ(errno, ENOSPC);
}

/* ---- pruning: chains of if/else diamonds ---- */

/* n pairs of if/else. Each side writes r7 and a stack slot that nothing
 * reads before they are written again (dead at the join), so the second
 * side of every diamond is pruned where the paths meet: 2^n paths, work
 * linear in n.
 *   fresh = 1: "if (rand() > 1000) ... else ..." (a new value each time)
 *   fresh = 0: "if (x == i) ... else ..." on one live register x. */
static double diamonds(uint32_t n, int fresh, uint32_t *processed, int *verdict)
{
	uint32_t len = 2 + n * 7 + 2;
	struct bpf_insn *p = calloc(len, sizeof(*p));
	uint32_t k = 0;
	p[k++] = CALL(BPF_FUNC_get_prandom_u32);
	p[k++] = MOV64_REG(6, 0);
	for (uint32_t i = 0; i < n; i++) {
		if (fresh) {
			p[k++] = CALL(BPF_FUNC_get_prandom_u32);
			p[k++] = JMP_IMM(JGT, 0, 1000, 3);
		} else {
			p[k++] = JMP_IMM(JEQ, 6, (int32_t)i, 3);
		}
		p[k++] = MOV64_IMM(7, (int32_t)i);
		p[k++] = ST(SZ_DW, 10, -8, 1);
		p[k++] = JA(2);
		p[k++] = MOV64_IMM(7, -(int32_t)i);
		p[k++] = ST(SZ_DW, 10, -8, 2);
	}
	p[k++] = MOV64_IMM(0, 0);
	p[k++] = EXIT();
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int fd = load_ex(XDP, p, k, 0, 4);      /* statistics only */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(p);
	*verdict = fd >= 0 ? 0 : errno;
	if (fd >= 0)
		bpfvm_close(vm, fd);
	const char *s = strstr(logbuf, "processed ");
	*processed = s ? (uint32_t)strtoul(s + 10, NULL, 10) : 0;
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* A join where the first path (explored first, its state kept) was safe
 * and the second is not: pruning must not let the second through. */
#define FILLER MOV64_IMM(7, 1), MOV64_IMM(7, 2), MOV64_IMM(7, 3), MOV64_IMM(7, 4), MOV64_IMM(7, 5), \
	MOV64_IMM(7, 6), MOV64_IMM(7, 7), MOV64_IMM(7, 8)
static void test_pruning_safety(void)
{
	/* a packet range proven on one side only */
	BAD(XDP, EACCES, "R2 offset is outside of the packet", LDX(SZ_W, 5, 1, 12), PKT_PTRS, MOV64_REG(4, 2),
	    ALU64_IMM(ADD, 4, 8), FILLER, JMP_IMM(JSET, 5, 1, 2), JMP_REG(JGT, 4, 3, 11), JA(0), FILLER,
	    LDX(SZ_B, 0, 2, 0), EXIT(), MOV64_IMM(0, 0), EXIT());
	/* a pointer spilled on one side, a number on the other */
	BAD(XDP, EACCES, "R2 invalid mem access 'inv'", LDX(SZ_W, 5, 1, 12), FILLER, JMP_IMM(JSET, 5, 1, 2),
	    STX(SZ_DW, 10, 1, -8), JA(1), STX(SZ_DW, 10, 5, -8), FILLER, LDX(SZ_DW, 2, 10, -8), LDX(SZ_W, 0, 2, 0),
	    EXIT());
	/* a NULL check on one side only */
	BAD(XDP, EACCES, "R6 invalid mem access 'map_value_or_null'", LDX(SZ_W, 8, 1, 12), LOOKUP(hash_fd),
	    MOV64_REG(6, 0), FILLER, JMP_IMM(JSET, 8, 1, 2), JMP_IMM(JEQ, 6, 0, 11), JA(0), FILLER,
	    LDX(SZ_DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT());
	/* a bound on one side only */
	BAD(XDP, EACCES, "R0 max value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JEQ, 0, 0, 25), LDX(SZ_W, 1, 0, 0), ALU64_IMM(AND, 1, 63), FILLER, JMP_IMM(JSET, 8, 1, 2),
	    JMP_IMM(JGT, 1, 56, 13), JA(0), FILLER, ALU64_REG(ADD, 0, 1), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT(),
	    MOV64_IMM(0, 0), EXIT());
}

/* Precision: a value that differs between two paths and that a later
 * check needs exactly must keep the paths apart. */
static void test_precision_safety(void)
{
	const int cg = BPF_PROG_TYPE_CGROUP_SKB;
	/* a constant offset chosen on each side, used after the join */
	BAD(XDP, EACCES, "R0 min value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JNE, 0, 0, 1), EXIT(), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 0), JA(1), MOV64_IMM(6, 100), FILLER,
	    ALU64_REG(ADD, 0, 6), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* the same through a spilled constant */
	BAD(XDP, EACCES, "R0 min value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JNE, 0, 0, 1), EXIT(), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 0), JA(1), MOV64_IMM(6, 100),
	    STX(SZ_DW, 10, 6, -16), MOV64_IMM(6, 0), FILLER, LDX(SZ_DW, 6, 10, -16), ALU64_REG(ADD, 0, 6),
	    LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* a bound from a comparison with a register whose constant differs
	 * per side (CVE-2023-2163) */
	BAD(XDP, EACCES, "R0 max value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JNE, 0, 0, 1), EXIT(), LDX(SZ_W, 4, 0, 0), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 56), JA(1),
	    MOV64_IMM(6, 57), FILLER, JMP_REG(JGT, 4, 6, 4), ALU64_REG(ADD, 0, 4), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0),
	    EXIT(), MOV64_IMM(0, 0), EXIT());
	/* a helper's size argument */
	BAD(XDP, EACCES, "invalid stack type R1 off=-8 access_size=16", LDX(SZ_W, 8, 1, 12), ST(SZ_DW, 10, -8, 0),
	    FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(2, 8), JA(1), MOV64_IMM(2, 16), FILLER, MOV64_REG(1, 10),
	    ALU64_IMM(ADD, 1, -8), MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(BPF_FUNC_csum_diff),
	    EXIT());
	/* a return code */
	BAD(cg, EINVAL, "At program exit the register R0 has value (0x2; 0x0) should have been 0 or 1",
	    LDX(SZ_W, 8, 1, 0), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(0, 1), JA(1), MOV64_IMM(0, 2), FILLER,
	    EXIT());
	/* a bound decided by a branch after the join */
	BAD(XDP, EACCES, "R0 min value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JNE, 0, 0, 1), EXIT(), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 0), JA(1), MOV64_IMM(6, 100), FILLER,
	    JMP_IMM(JGT, 6, 200, 4), ALU64_REG(ADD, 0, 6), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT(),
	    MOV64_IMM(0, 0), EXIT());
	/* a fill through a copy of r10 */
	BAD(XDP, EACCES, "R0 min value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JNE, 0, 0, 1), EXIT(), MOV64_REG(9, 10), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 0), JA(1),
	    MOV64_IMM(6, 100), STX(SZ_DW, 10, 6, -16), MOV64_IMM(6, 0), FILLER, LDX(SZ_DW, 6, 9, -16),
	    ALU64_REG(ADD, 0, 6), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
	/* a checked return code, through a copy */
	BAD(cg, EINVAL, "At program exit the register R0 has value (0x2; 0x0) should have been 0 or 1",
	    LDX(SZ_W, 8, 1, 0), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 1), JA(1), MOV64_IMM(6, 2), FILLER,
	    MOV64_REG(0, 6), EXIT());
	/* a store of a constant through a copy of r10 */
	BAD(XDP, EACCES, "R0 min value is outside of the array range", LDX(SZ_W, 8, 1, 12), LOOKUP(big_array_fd),
	    JMP_IMM(JNE, 0, 0, 1), EXIT(), MOV64_REG(9, 10), FILLER, JMP_IMM(JSET, 8, 1, 2), MOV64_IMM(6, 0), JA(1),
	    MOV64_IMM(6, 100), STX(SZ_DW, 9, 6, -16), MOV64_IMM(6, 0), FILLER, LDX(SZ_DW, 6, 10, -16),
	    ALU64_REG(ADD, 0, 6), LDX(SZ_DW, 0, 0, 0), MOV64_IMM(0, 0), EXIT());
}

static void test_pruning(void)
{
	for (int fresh = 0; fresh <= 1; fresh++) {
		uint32_t n24, n1000;
		int v24, v1000;
		double t24 = diamonds(24, fresh, &n24, &v24), t1000 = diamonds(1000, fresh, &n1000, &v1000);
		printf("diamonds (%s): 24 pairs %.3f ms, %u insns processed; 1000 pairs %.3f ms, %u insns processed\n",
		       fresh ? "fresh value" : "same register", t24 * 1e3, n24, t1000 * 1e3, n1000);
		CHECK_EQ(v24, 0);
		CHECK_EQ(v1000, 0);
		CHECK(t24 < 1.0);
		CHECK(t1000 < 1.0);
		CHECK(n24 < 24 * 20);
		CHECK(n1000 < 1000 * 20);
	}
}

/* Loads p at log level 4 (statistics only), timed: verdict (0 or errno),
 * insns processed, seconds. */
static double timed_load(const struct bpf_insn *p, uint32_t n, uint32_t *processed, int *verdict)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int fd = load_ex(XDP, p, n, 0, 4);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*verdict = fd >= 0 ? 0 : errno;
	if (fd >= 0)
		bpfvm_close(vm, fd);
	const char *s = strstr(logbuf, "processed ");
	*processed = s ? (uint32_t)strtoul(s + 10, NULL, 10) : 0;
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Precision tracking (5.3): values whose exact value no later check needs
 * (a counter returned, a register only tested bit by bit, constants that
 * are only returned) must not keep states apart. */
static void test_precision(void)
{
	uint32_t n;
	int v;
	double t;
	/* 32 iterations: r0 = rand(); if (r0 > saved) cnt++; return cnt */
	const struct bpf_insn loop[] = {
		MOV64_IMM(6, 0), MOV64_IMM(7, 0), CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(8, 0),
		CALL(BPF_FUNC_get_prandom_u32), JMP_REG(JGT, 0, 8, 1), ALU64_IMM(ADD, 6, 1), ALU64_IMM(ADD, 7, 1),
		JMP_IMM(JLT, 7, 32, -5), MOV64_REG(0, 6), EXIT() };
	t = timed_load(loop, sizeof(loop) / sizeof(loop[0]), &n, &v);
	printf("precision: prandom loop of 32: %.3f ms, %u insns processed\n", t * 1e3, n);
	CHECK_EQ(v, 0);
	CHECK(n < 20000);
	/* the same with the loop index spilled to the stack */
	const struct bpf_insn loop2[] = {
		MOV64_IMM(6, 0), STX(SZ_DW, 10, 6, -8), CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(8, 0),
		CALL(BPF_FUNC_get_prandom_u32), JMP_REG(JGT, 0, 8, 1), ALU64_IMM(ADD, 6, 1), LDX(SZ_DW, 7, 10, -8),
		ALU64_IMM(ADD, 7, 1), STX(SZ_DW, 10, 7, -8), JMP_IMM(JLT, 7, 32, -7), MOV64_REG(0, 6), EXIT() };
	t = timed_load(loop2, sizeof(loop2) / sizeof(loop2[0]), &n, &v);
	printf("precision: prandom loop of 32, index on the stack: %.3f ms, %u insns processed\n", t * 1e3, n);
	CHECK_EQ(v, 0);
	CHECK(n < 20000);
	/* diamonds whose sides add different constants to a register and
	 * spill it to one of two slots, all returned (live at every join) */
	for (uint32_t len = 24; len <= 1000; len += 976) {
		struct bpf_insn *p = calloc(8 * len + 16, sizeof(*p));
		uint32_t k = 0;
		p[k++] = MOV64_IMM(7, 0);
		p[k++] = ST(SZ_DW, 10, -8, 0);
		p[k++] = ST(SZ_DW, 10, -16, 0);
		for (uint32_t i = 0; i < len; i++) {
			p[k++] = CALL(BPF_FUNC_get_prandom_u32);
			p[k++] = JMP_IMM(JGT, 0, 1000, 3);
			p[k++] = ALU64_IMM(ADD, 7, 1);
			p[k++] = STX(SZ_DW, 10, 7, -8);
			p[k++] = JA(2);
			p[k++] = ALU64_IMM(ADD, 7, 2);
			p[k++] = STX(SZ_DW, 10, 7, -16);
		}
		p[k++] = LDX(SZ_DW, 0, 10, -8);
		p[k++] = LDX(SZ_DW, 1, 10, -16);
		p[k++] = ALU64_REG(ADD, 0, 1);
		p[k++] = ALU64_REG(ADD, 0, 7);
		p[k++] = EXIT();
		t = timed_load(p, k, &n, &v);
		free(p);
		printf("precision: %u live diamonds: %.3f ms, %u insns processed\n", len, t * 1e3, n);
		CHECK_EQ(v, 0);
		CHECK(n < len * 40);
	}
	/* a chain of bit tests on one live register, a counter returned */
	for (uint32_t len = 24; len <= 31; len += 7) {
		struct bpf_insn p[128];
		uint32_t k = 0;
		p[k++] = CALL(BPF_FUNC_get_prandom_u32);
		p[k++] = MOV64_REG(6, 0);
		p[k++] = MOV64_IMM(7, 0);
		for (uint32_t i = 0; i < len; i++) {
			p[k++] = JMP_IMM(JSET, 6, (int32_t)(1u << i), 1);
			p[k++] = ALU64_IMM(ADD, 7, 1);
		}
		p[k++] = MOV64_REG(0, 7);
		p[k++] = EXIT();
		t = timed_load(p, k, &n, &v);
		printf("precision: JSET chain of %u on one register: %.3f ms, %u insns processed\n", len, t * 1e3, n);
		CHECK_EQ(v, 0);
		CHECK(n < len * 40);
	}
}

int main(void)
{
	vm = bpfvm_new();
	hash_fd = map_create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0, 0);
	array_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0, 0);
	big_array_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 64, 4, 0, 0, 0);
	prog_array_fd = map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0, 0);
	queue_fd = map_create(BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, 0, 0);
	int btf = load_lock_btf();
	lock_fd = btf >= 0 ? map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, btf, 1, 3) : -1;
	CHECK(hash_fd >= 0 && array_fd >= 0 && big_array_fd >= 0 && prog_array_fd >= 0 && queue_fd >= 0);
	test_tnum();
	test_bounds();
	test_basics();
	test_stack();
	test_ctx();
	test_maps();
	test_packets();
	test_loops();
	test_calls();
	test_refs();
	test_spin_lock();
	test_misc();
	test_unpriv();
	test_v51();
	test_fixups();
	test_log();
	test_pruning_safety();
	test_precision_safety();
	test_pruning();
	test_precision();
	bpfvm_free(vm);
	return test_done();
}
