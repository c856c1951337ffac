/* Differential test of the instruction set against the running kernel.
 *
 * A seeded generator makes random valid programs (every ALU/ALU64 op in imm
 * and reg form, byte swaps, moves, JMP/JMP32 conditional jumps forward,
 * if/else diamonds, stack and packet loads and stores of all sizes, XADD and
 * the 5.12 atomics on the stack, and cpu v4's sdiv/smod/movsx/ldsx/bswap/
 * gotol where the kernel has them), runs each one in the kernel as an XDP
 * program (BPF_PROG_TEST_RUN) and in bpfvm (checked mode), and compares.
 *
 * Program layout (the body is the same bytes in both):
 *   kernel prolog  r2 = ctx->data_end; r1 = ctx->data;
 *                  if r1 + PKT_LEN > r2: r0 = 0, exit
 *   (bpfvm: no prolog, r1 = the packet copy, r2 = its length)
 *   init           stack[-64..-1] and r0, r2..r9 = random values
 *   body           generated; never writes r1 (the packet) nor r10
 *   epilog         packet[REGS_OFF..] = r0, r2..r9; packet[STK_OFF..] =
 *                  the 64 stack bytes; r0 = fold(r0); exit
 * so that comparing the returned 32 bits and the packet afterwards compares
 * every register in full, the stack and the packet.
 *
 * On a mismatch the kernel is asked again, with the program's path twin
 * (build_twin): the instructions along the path this run takes, as
 * straight-line code with every branch kept as a check. If the kernel's
 * result for the twin is bpfvm's, the kernel contradicts itself (its
 * verifier pruned a path it should not have): a kernel bug, counted and
 * reported with a reproducer under kernel-bug-*, not a failure. Any other
 * mismatch is minimized (delta debugging over the body, then the initial
 * values and the packet), saved under DIFF_ISA_OUT, printed, and fails.
 *
 * Environment:
 *   DIFF_ISA_SEED=S     run only seed S (default: seed 1 and a fresh one)
 *   DIFF_ISA_COUNT=N    programs per seed (default 5000)
 *   DIFF_ISA_START=I    index of the first program (reproduce one program:
 *                       DIFF_ISA_SEED=S DIFF_ISA_START=I DIFF_ISA_COUNT=1)
 *   DIFF_ISA_ISA=v51|atomics|v4   highest ISA level generated (default: the
 *                       highest the kernel takes)
 *   DIFF_ISA_OUT=DIR    where minimized reproducers go (default:
 *                       <build>/diff-isa-failures/)
 *   DIFF_ISA_VERBOSE=1  print every rejected program's verifier log
 *   DIFF_ISA_STATS=1    print what the programs exercised (per the test's
 *                       reference model)
 *   DIFF_ISA_INJECT=1   test the test: run bpfvm on programs whose mod64
 *                       by register became div64 (must find mismatches)
 *
 * Quirks where the spec wins: the kernel refuses constant shifts by >= the
 * operand width and division/modulo by an immediate 0; they are not
 * generated (shifts and divisions by registers of any value are). Kernel
 * bugs seen (Linux 6.18, x86-64), all after a branch whose two paths join
 * before a fetching atomic on a stack slot, once the verifier prunes the
 * second path: a branch on the value an xchg / atomic_fetch_* loaded from
 * the stack is decided wrongly (code removed as dead), and a successful
 * 32-bit cmpxchg leaves r0's upper half instead of zero-extending it.
 */
#include "test.h"
#include "lib/insn.h"
#include "lib/kernel_oracle.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- layout ------------------------------------------------------------ */

#define PKT_LEN    256
#define BODY_PKT   64                   /* the body touches packet[0..64) */
#define REGS_OFF   64                   /* r0, r2..r9: 9 x 8 bytes */
#define STK_BYTES  64                   /* the body uses stack [-64, 0) */
#define STK_SLOTS  (STK_BYTES / 8)
#define STK_OFF    (REGS_OFF + 9 * 8)   /* 136..200 */
#define MAXU       256                  /* body units */
#define MAXINSN    (MAXU * 2 + 128)

enum { LVL_V51 = BPFVM_ISA_V51, LVL_ATOMICS = BPFVM_ISA_ATOMICS, LVL_V4 = BPFVM_ISA_V4 };
static const char *const level_name[] = { "v51", "atomics", "v4" };

static const uint8_t GREGS[9] = { 0, 2, 3, 4, 5, 6, 7, 8, 9 };   /* scalar registers */

/* A body unit: one instruction, or the two slots of LD_IMM64. Jumps keep
 * their target as a unit index (n: the epilog) so that units can be removed
 * while minimizing; offsets are computed when the program is built. */
struct unit {
	struct bpf_insn in[2];
	uint8_t n;              /* slots: 1 or 2 */
	uint8_t jk;             /* 0: no jump, 1: offset in off, 2: offset in imm (gotol) */
	int16_t target;         /* unit index; -1 while unresolved */
};

struct prog {
	uint64_t regv[10];      /* initial r0, r2..r9 ([1] unused) */
	uint64_t stkv[STK_SLOTS];/* initial stack: slot k at r10 - 8 * (k + 1) */
	uint8_t pkt[PKT_LEN];
	int n;
	struct unit u[MAXU];
};

/* ---- random numbers ---------------------------------------------------- */

struct rng { uint64_t s; };

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static uint32_t below(struct rng *r, uint32_t n) { return (uint32_t)(rnd(r) % n); }
static int chance(struct rng *r, unsigned pct) { return below(r, 100) < pct; }

static const uint64_t EDGE64[] = {
	0, 1, UINT64_MAX, 0xffffffff80000000ull /* INT32_MIN */, 0x7fffffff /* INT32_MAX */,
	0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull, 0xffffffffull,
	0x100000000ull, 0xffffffff7fffffffull, 0x00000001ffffffffull, 2, 7, 31, 32, 33, 63, 64, 65,
	0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0xfffffffffffffffeull, 0xffffffff00000000ull,
};
static const int32_t EDGE32[] = {
	0, 1, -1, INT32_MIN, INT32_MAX, 2, -2, 7, 8, 16, 31, 32, 33, 63, 64, 65,
	0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, -0x8000, (int32_t)0xffff0000,
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t gen_val64(struct rng *r)
{
	switch (below(r, 10)) {
	case 0: case 1: case 2: case 3:
		return EDGE64[below(r, NELEM(EDGE64))];
	case 4:
		return EDGE64[below(r, NELEM(EDGE64))] + (uint64_t)(int64_t)((int)below(r, 5) - 2);
	case 5:
		return (uint64_t)(int64_t)((int)below(r, 80) - 8);
	case 6:
		return (uint64_t)(int64_t)(int32_t)rnd(r);
	case 7:
		return (uint32_t)rnd(r);
	default:
		return rnd(r);
	}
}

static int32_t gen_imm32(struct rng *r)
{
	switch (below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4:
		return EDGE32[below(r, NELEM(EDGE32))];
	case 5: case 6:
		return (int)below(r, 80) - 8;
	default:
		return (int32_t)rnd(r);
	}
}

/* ---- the generator ----------------------------------------------------- */

struct gen {
	struct rng *r;
	struct prog *p;
	int level;
};

static int greg(struct rng *r) { return GREGS[below(r, 9)]; }

static struct unit *add(struct gen *g, struct bpf_insn in, int jk, int target)
{
	struct unit *u = &g->p->u[g->p->n++];
	memset(u, 0, sizeof(*u));
	u->in[0] = in;
	u->n = 1;
	u->jk = (uint8_t)jk;
	u->target = (int16_t)target;
	return u;
}

static void add_ldimm64(struct gen *g, int dst, uint64_t v)
{
	struct bpf_insn two[2] = { LD_IMM64(dst, v) };
	struct unit *u = add(g, two[0], 0, 0);
	u->in[1] = two[1];
	u->n = 2;
}

/* Size fields and byte counts: W, H, B, DW. */
static const uint8_t SZ_BITS[4] = { 0x00, 0x08, 0x10, 0x18 };
static const int SZ_BYTES[4] = { 4, 2, 1, 8 };

static void gen_alu(struct gen *g)
{
	struct rng *r = g->r;
	static const uint8_t OPS[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70,
				       0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0 };
	int is64 = chance(r, 55), x = chance(r, 50);
	uint8_t cls = is64 ? 0x07 : 0x04, op = OPS[below(r, NELEM(OPS))];
	int width = is64 ? 64 : 32;
	struct bpf_insn in = { 0 };
	in.dst_reg = (uint8_t)greg(r);
	int src = greg(r);

	switch (op) {
	case 0x80:                                      /* neg */
		in.code = cls | op;
		break;
	case 0xd0:                                      /* end / bswap */
		in.imm = 16 << below(r, 3);
		if (is64 && g->level >= LVL_V4)
			in.code = 0xd7;                 /* bswap: ALU64 | END | TO_LE */
		else
			in.code = 0xd4 | (chance(r, 50) ? 0x08 : 0x00);
		break;
	case 0x60: case 0x70: case 0xc0:                /* shifts */
		if (x) {
			if (chance(r, 35))              /* a nearby amount, sometimes >= width */
				add(g, MOV64_IMM(src, (int32_t)below(r, (uint32_t)width * 2 + 4)), 0, 0);
			in.code = cls | op | 0x08;
			in.src_reg = (uint8_t)src;
		} else {
			in.code = cls | op;
			in.imm = (int32_t)below(r, (uint32_t)width);
		}
		break;
	case 0x30: case 0x90:                           /* div / mod */
		if (g->level >= LVL_V4 && chance(r, 35))
			in.off = 1;                     /* sdiv / smod */
		if (x) {
			unsigned k = below(r, 100);
			if (k < 12)
				add(g, MOV64_IMM(src, 0), 0, 0);
			else if (k < 20)
				add(g, MOV64_IMM(src, -1), 0, 0);
			else if (k < 24)
				add_ldimm64(g, src, 0xffffffff00000000ull);  /* zero in 32 bits */
			in.code = cls | op | 0x08;
			in.src_reg = (uint8_t)src;
		} else {
			in.code = cls | op;
			do
				in.imm = gen_imm32(r);
			while (in.imm == 0);
		}
		break;
	case 0xb0:                                      /* mov / movsx */
		if (x) {
			in.code = cls | op | 0x08;
			in.src_reg = (uint8_t)src;
			if (g->level >= LVL_V4 && chance(r, 30))
				in.off = (int16_t)(8 << below(r, is64 ? 3 : 2));
		} else {
			in.code = cls | op;
			in.imm = gen_imm32(r);
		}
		break;
	default:
		if (x) {
			in.code = cls | op | 0x08;
			in.src_reg = (uint8_t)src;
		} else {
			in.code = cls | op;
			in.imm = gen_imm32(r);
		}
		break;
	}
	add(g, in, 0, 0);
}

static struct bpf_insn gen_jcond(struct rng *r)
{
	static const uint8_t OPS[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0 };
	struct bpf_insn in = { 0 };
	uint8_t cls = chance(r, 50) ? 0x05 : 0x06;
	in.code = cls | OPS[below(r, NELEM(OPS))];
	in.dst_reg = (uint8_t)greg(r);
	if (chance(r, 50)) {
		in.code |= 0x08;
		in.src_reg = (uint8_t)greg(r);
	} else {
		in.imm = gen_imm32(r);
	}
	return in;
}

static int stack_off(struct rng *r, int bytes)
{
	return -STK_BYTES + bytes * (int)below(r, (uint32_t)(STK_BYTES / bytes));
}

static int pkt_off(struct rng *r, int bytes)
{
	if (chance(r, 70))
		return bytes * (int)below(r, (uint32_t)(BODY_PKT / bytes));
	return (int)below(r, (uint32_t)(BODY_PKT - bytes + 1));
}

/* A load (or, with sx, a sign-extending load) from base at off. */
static void gen_load(struct gen *g, int base, int szi, int off)
{
	struct rng *r = g->r;
	uint8_t code = 0x61 | SZ_BITS[szi];
	if (g->level >= LVL_V4 && szi != 3 && chance(r, 30))
		code = 0x81 | SZ_BITS[szi];             /* LDX | MEMSX */
	add(g, I(code, greg(r), base, off, 0), 0, 0);
}

static void gen_store(struct gen *g, int base, int szi, int off)
{
	struct rng *r = g->r;
	if (chance(r, 70))
		add(g, STX(SZ_BITS[szi], base, greg(r), off), 0, 0);
	else
		add(g, ST(SZ_BITS[szi], base, off, gen_imm32(r)), 0, 0);
}

static int32_t gen_atomic_op(struct gen *g)
{
	static const int32_t OPS[] = { 0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1 };
	if (g->level < LVL_ATOMICS || chance(g->r, 30))
		return 0x00;                            /* XADD */
	return OPS[below(g->r, NELEM(OPS))];
}

static void gen_atomic(struct gen *g)
{
	struct rng *r = g->r;
	int szi = chance(r, 50) ? 0 : 3;
	add(g, I(0xc3 | SZ_BITS[szi], 10, greg(r), stack_off(r, SZ_BYTES[szi]), gen_atomic_op(g)), 0, 0);
}

/* The kernel refuses atomics on packet memory: copy packet bytes to the
 * stack, do the atomic there, copy the result back. */
static void gen_pkt_atomic(struct gen *g)
{
	struct rng *r = g->r;
	int szi = chance(r, 50) ? 0 : 3, bytes = SZ_BYTES[szi];
	int t = greg(r), v = greg(r), po = pkt_off(r, bytes), so = stack_off(r, bytes);
	add(g, LDX(SZ_BITS[szi], t, 1, po), 0, 0);
	add(g, STX(SZ_BITS[szi], 10, t, so), 0, 0);
	add(g, I(0xc3 | SZ_BITS[szi], 10, v, so, gen_atomic_op(g)), 0, 0);
	add(g, LDX(SZ_BITS[szi], t, 10, so), 0, 0);
	add(g, STX(SZ_BITS[szi], 1, t, po), 0, 0);
}

static void gen_block(struct gen *g, int depth, int count);

/* if (cond) { else-block } : { then-block }, with an unconditional jump
 * (ja, or gotol on v4) over the second block. */
static void gen_diamond(struct gen *g, int depth)
{
	struct rng *r = g->r;
	int c = g->p->n;
	add(g, gen_jcond(r), 1, -1);
	gen_block(g, depth + 1, 1 + (int)below(r, 4));
	int j = g->p->n;
	if (g->level >= LVL_V4 && chance(r, 30))
		add(g, I(0x06, 0, 0, 0, 0), 2, -1);     /* gotol */
	else
		add(g, JA(0), 1, -1);
	gen_block(g, depth + 1, 1 + (int)below(r, 4));
	g->p->u[c].target = (int16_t)(j + 1);
	g->p->u[j].target = (int16_t)g->p->n;
}

static void gen_one(struct gen *g, int depth)
{
	struct rng *r = g->r;
	unsigned k = below(r, 100);
	int szi = (int)below(r, 4);
	if (k < 40)
		gen_alu(g);
	else if (k < 45)
		add_ldimm64(g, greg(r), gen_val64(r));
	else if (k < 56)
		add(g, gen_jcond(r), 1, -1);
	else if (k < 62)
		gen_store(g, 10, szi, stack_off(r, SZ_BYTES[szi]));
	else if (k < 68)
		gen_load(g, 10, szi, stack_off(r, SZ_BYTES[szi]));
	else if (k < 74)
		gen_store(g, 1, szi, pkt_off(r, SZ_BYTES[szi]));
	else if (k < 80)
		gen_load(g, 1, szi, pkt_off(r, SZ_BYTES[szi]));
	else if (k < 87)
		gen_atomic(g);
	else if (k < 90)
		gen_pkt_atomic(g);
	else if (depth < 2)
		gen_diamond(g, depth);
	else
		gen_alu(g);
}

static void gen_block(struct gen *g, int depth, int count)
{
	for (int i = 0; i < count && g->p->n < MAXU - 24; i++)
		gen_one(g, depth);
}

static void gen_prog(struct prog *p, uint64_t seed, int level)
{
	struct rng r = { seed };
	struct gen g = { &r, p, level };
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 10; i++)
		p->regv[i] = gen_val64(&r);
	p->regv[1] = 0;
	for (int i = 0; i < STK_SLOTS; i++)
		p->stkv[i] = gen_val64(&r);
	for (int i = 0; i < PKT_LEN; i++)
		p->pkt[i] = (uint8_t)rnd(&r);
	/* A few packet words get edge values too. */
	for (int i = 0; i < 4; i++) {
		uint64_t v = gen_val64(&r);
		memcpy(&p->pkt[8 * below(&r, BODY_PKT / 8)], &v, 8);
	}
	unsigned len = chance(&r, 20) ? 1 + below(&r, 8) : 8 + below(&r, 56);
	gen_block(&g, 0, (int)len);
	/* Resolve the free forward jumps: near targets more often. */
	for (int i = 0; i < p->n; i++) {
		if (!p->u[i].jk || p->u[i].target >= 0)
			continue;
		int room = p->n - i;                    /* targets i+1 .. n */
		int span = chance(&r, 70) ? (room < 6 ? room : 6) : room;
		p->u[i].target = (int16_t)(i + 1 + (int)below(&r, (uint32_t)span));
	}
}

/* ---- run statistics ---------------------------------------------------- */

struct reason {
	char text[160];
	unsigned count;
	uint64_t seed, idx;
};

static struct {
	uint64_t programs, same, differ, kbugs, rejected, kerrors, minimized, kbug_minimized;
	struct reason reasons[32];
	int nreasons;
	const char *outdir;
	int verbose;
	int stats;              /* DIFF_ISA_STATS: coverage from the reference model */
	uint64_t exec_op[256][2];/* [code][variant]: executed by the model */
	uint64_t jmp_taken, jmp_not, div0, shift_big, atomics_run;
} st;

/* ---- building the two programs ----------------------------------------- */

static int inject_bug;

static size_t put_value(struct bpf_insn *out, size_t n, int dst, uint64_t v)
{
	if ((uint64_t)(int64_t)(int32_t)v == v) {
		out[n++] = MOV64_IMM(dst, (int32_t)v);
	} else if (v <= 0xffffffffull) {
		out[n++] = MOV32_IMM(dst, (int32_t)(uint32_t)v);
	} else {
		struct bpf_insn two[2] = { LD_IMM64(dst, v) };
		out[n++] = two[0];
		out[n++] = two[1];
	}
	return n;
}

/* The prolog (kernel only) and the init part. */
static size_t build_head(const struct prog *p, int kernel, struct bpf_insn *out)
{
	size_t n = 0;
	if (kernel) {
		out[n++] = LDX(0x00, 2, 1, 4);          /* r2 = ctx->data_end */
		out[n++] = LDX(0x00, 1, 1, 0);          /* r1 = ctx->data */
		out[n++] = MOV64_REG(3, 1);
		out[n++] = ALU64_IMM(0x00, 3, PKT_LEN);
		out[n++] = JMP_REG(0xb0, 3, 2, 2);      /* if r3 <= r2 goto +2 */
		out[n++] = MOV64_IMM(0, 0);
		out[n++] = EXIT();
	}
	for (int k = 0; k < STK_SLOTS; k++) {
		uint64_t v = p->stkv[k];
		if ((uint64_t)(int64_t)(int32_t)v == v) {
			out[n++] = ST(0x18, 10, -8 * (k + 1), (int32_t)v);
		} else {
			n = put_value(out, n, 0, v);
			out[n++] = STX(0x18, 10, 0, -8 * (k + 1));
		}
	}
	for (int i = 0; i < 9; i++)
		n = put_value(out, n, GREGS[i], p->regv[GREGS[i]]);
	return n;
}

#define EPILOG_LEN (9 + 2 * STK_SLOTS + 5)

static size_t build_epilog(struct bpf_insn *out, size_t n)
{
	for (int i = 0; i < 9; i++)
		out[n++] = STX(0x18, 1, GREGS[i], REGS_OFF + 8 * i);
	for (int k = 0; k < STK_SLOTS; k++) {
		out[n++] = LDX(0x18, 0, 10, -8 * (k + 1));
		out[n++] = STX(0x18, 1, 0, STK_OFF + 8 * k);
	}
	out[n++] = LDX(0x18, 0, 1, REGS_OFF);
	out[n++] = MOV64_REG(2, 0);
	out[n++] = ALU64_IMM(0x70, 2, 32);
	out[n++] = ALU64_REG(0xa0, 0, 2);               /* r0 ^= r0 >> 32 */
	out[n++] = EXIT();
	return n;
}

/* Builds the kernel's (kernel = 1) or bpfvm's version into out[MAXINSN];
 * *body_at gets the index of the body's first instruction. */
static size_t build(const struct prog *p, int kernel, struct bpf_insn *out, size_t *body_at)
{
	size_t n = build_head(p, kernel, out);
	if (body_at)
		*body_at = n;
	int pos[MAXU + 1];
	pos[0] = (int)n;
	for (int i = 0; i < p->n; i++)
		pos[i + 1] = pos[i] + p->u[i].n;
	for (int i = 0; i < p->n; i++) {
		const struct unit *u = &p->u[i];
		struct bpf_insn in = u->in[0];
		if (u->jk == 1)
			in.off = (int16_t)(pos[u->target] - pos[i] - 1);
		else if (u->jk == 2)
			in.imm = pos[u->target] - pos[i] - 1;
		if (inject_bug && !kernel && in.code == 0x9f)
			in.code = 0x3f;                 /* mod64 -> div64 */
		out[n++] = in;
		if (u->n == 2)
			out[n++] = u->in[1];
	}
	return build_epilog(out, n);
}

/* ---- the reference model and the path twin ----------------------------- */

/* A plain model of the body (RFC 9669 semantics) over the stack and the
 * packet. It only serves to find the path a run takes, for the twin below,
 * and to tell in a report which side it agrees with: no verdict rests on it. */
struct model {
	uint64_t r[11];
	uint8_t stack[STK_BYTES];
	uint8_t pkt[PKT_LEN];
	uint8_t ran[MAXU];      /* 1: executed, 2: executed and the jump taken */
	int fault;              /* an access outside the model's memory: a generator bug */
};

static uint8_t *model_mem(struct model *m, int base, int off, int size)
{
	if (base == 10 && off >= -STK_BYTES && off + size <= 0)
		return &m->stack[STK_BYTES + off];
	if (base == 1 && off >= 0 && off + size <= PKT_LEN)
		return &m->pkt[off];
	m->fault = 1;
	return NULL;
}

static uint64_t model_load(struct model *m, int base, int off, int size)
{
	uint64_t v = 0;
	uint8_t *q = model_mem(m, base, off, size);
	if (q)
		memcpy(&v, q, (size_t)size);    /* little-endian host */
	return v;
}

static void model_store(struct model *m, int base, int off, int size, uint64_t v)
{
	uint8_t *q = model_mem(m, base, off, size);
	if (q)
		memcpy(q, &v, (size_t)size);
}

static uint64_t sext(uint64_t v, int bits)
{
	return bits >= 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static uint64_t model_alu(uint8_t op, int is64, int off, uint64_t a, uint64_t b)
{
	int w = is64 ? 64 : 32;
	uint64_t mask = is64 ? UINT64_MAX : 0xffffffffull, r;
	a &= mask;
	b &= mask;
	switch (op) {
	case 0x00: r = a + b; break;
	case 0x10: r = a - b; break;
	case 0x20: r = a * b; break;
	case 0x30:
		if (off == 1) {                 /* sdiv */
			int64_t sa = (int64_t)sext(a, w), sb = (int64_t)sext(b, w);
			r = sb == 0 ? 0 : sb == -1 ? 0 - (uint64_t)sa : (uint64_t)(sa / sb);
		} else {
			r = b ? a / b : 0;
		}
		break;
	case 0x40: r = a | b; break;
	case 0x50: r = a & b; break;
	case 0x60: r = a << (b & (uint64_t)(w - 1)); break;
	case 0x70: r = a >> (b & (uint64_t)(w - 1)); break;
	case 0x80: r = 0 - a; break;
	case 0x90:
		if (off == 1) {                 /* smod */
			int64_t sa = (int64_t)sext(a, w), sb = (int64_t)sext(b, w);
			r = sb == 0 ? (uint64_t)sa : sb == -1 ? 0 : (uint64_t)(sa % sb);
		} else {
			r = b ? a % b : a;
		}
		break;
	case 0xa0: r = a ^ b; break;
	case 0xb0: r = off ? sext(b, off) : b; break;
	case 0xc0: r = (uint64_t)((int64_t)sext(a, w) >> (b & (uint64_t)(w - 1))); break;
	default: r = 0; break;
	}
	return r & mask;
}

static uint64_t bswap(uint64_t v, int bits)
{
	return bits == 16 ? __builtin_bswap16((uint16_t)v) : bits == 32 ? __builtin_bswap32((uint32_t)v) :
	       __builtin_bswap64(v);
}

static int model_cond(uint8_t op, int is64, uint64_t a, uint64_t b)
{
	int w = is64 ? 64 : 32;
	if (!is64) {
		a &= 0xffffffffull;
		b &= 0xffffffffull;
	}
	int64_t sa = (int64_t)sext(a, w), sb = (int64_t)sext(b, w);
	switch (op) {
	case 0x10: return a == b;
	case 0x20: return a > b;
	case 0x30: return a >= b;
	case 0x40: return (a & b) != 0;
	case 0x50: return a != b;
	case 0x60: return sa > sb;
	case 0x70: return sa >= sb;
	case 0xa0: return a < b;
	case 0xb0: return a <= b;
	case 0xc0: return sa < sb;
	case 0xd0: return sa <= sb;
	default: return 0;
	}
}

static uint64_t model_atomic(struct model *m, const struct bpf_insn *in)
{
	int size = (in->code & 0x18) == 0x18 ? 8 : 4;
	uint64_t mask = size == 8 ? UINT64_MAX : 0xffffffffull;
	uint64_t old = model_load(m, in->dst_reg, in->off, size), src = m->r[in->src_reg] & mask, nw;
	switch (in->imm & ~1) {
	case 0x00: nw = old + src; break;
	case 0x40: nw = old | src; break;
	case 0x50: nw = old & src; break;
	case 0xa0: nw = old ^ src; break;
	case 0xe0: nw = src; break;                                     /* xchg */
	case 0xf0: nw = old == (m->r[0] & mask) ? src : old; break;     /* cmpxchg */
	default: m->fault = 1; return 0;
	}
	model_store(m, in->dst_reg, in->off, size, nw & mask);
	if (in->imm == 0xf1)
		m->r[0] = old;
	else if (in->imm & 1)
		m->r[in->src_reg] = old;
	return old;
}

/* Coverage: the variant tells apart instructions sharing a code (signed
 * div/mod, movsx widths, END widths, atomic ops). */
static void model_note(const struct bpf_insn *in, uint64_t d, uint64_t s)
{
	uint8_t c = in->code, cls = c & 7, op = c & 0xf0;
	int var = (cls == 0x04 || cls == 0x07) && in->off != 0;
	if ((cls == 0x04 || cls == 0x07) && op == 0xd0)
		var = in->imm == 64;
	if (cls == 0x03 && (c & 0xe0) == 0xc0) {
		var = in->imm & 1;
		st.atomics_run++;
	}
	st.exec_op[c][var]++;
	if ((cls == 0x04 || cls == 0x07) && (op == 0x30 || op == 0x90) && (c & 0x08) &&
	    (cls == 0x07 ? s : (uint32_t)s) == 0)
		st.div0++;
	if ((cls == 0x04 || cls == 0x07) && (op == 0x60 || op == 0x70 || op == 0xc0) && (c & 0x08) &&
	    s >= (cls == 0x07 ? 64u : 32u))
		st.shift_big++;
	(void)d;
}

static void model_run(const struct prog *p, struct model *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < 10; i++)
		m->r[i] = p->regv[i];
	for (int k = 0; k < STK_SLOTS; k++)
		memcpy(&m->stack[STK_BYTES - 8 * (k + 1)], &p->stkv[k], 8);
	memcpy(m->pkt, p->pkt, PKT_LEN);
	for (int i = 0; i < p->n && !m->fault;) {
		const struct unit *u = &p->u[i];
		const struct bpf_insn *in = &u->in[0];
		uint8_t c = in->code, cls = c & 7, op = c & 0xf0;
		uint64_t *d = &m->r[in->dst_reg], s = m->r[in->src_reg];
		m->ran[i] = 1;
		if (st.stats)
			model_note(in, *d, s);
		switch (cls) {
		case 0x04: case 0x07: {
			int is64 = cls == 0x07;
			if (op == 0xd0) {
				if (is64 || (c & 0x08))
					*d = bswap(*d, in->imm);
				else
					*d = in->imm == 64 ? *d : *d & ((1ull << in->imm) - 1);
			} else {
				uint64_t b = (c & 0x08) ? s : is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm;
				*d = model_alu(op, is64, in->off, *d, b);
			}
			break;
		}
		case 0x05: case 0x06:
			if (op == 0x00) {
				m->ran[i] = 2;
				i = u->target;
				continue;
			} else {
				int is64 = cls == 0x05;
				uint64_t b = (c & 0x08) ? s : is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm;
				if (model_cond(op, is64, *d, b)) {
					m->ran[i] = 2;
					i = u->target;
					st.jmp_taken++;
					continue;
				}
				st.jmp_not++;
			}
			break;
		case 0x00:                              /* ld_imm64 */
			*d = (uint32_t)in->imm | (uint64_t)(uint32_t)u->in[1].imm << 32;
			break;
		case 0x01: {
			int size = SZ_BYTES[(c >> 3) & 3];
			uint64_t v = model_load(m, in->src_reg, in->off, size);
			*d = (c & 0xe0) == 0x80 ? sext(v, size * 8) : v;
			break;
		}
		case 0x02:
			model_store(m, in->dst_reg, in->off, SZ_BYTES[(c >> 3) & 3], (uint64_t)(int64_t)in->imm);
			break;
		case 0x03:
			if ((c & 0xe0) == 0xc0)
				model_atomic(m, in);
			else
				model_store(m, in->dst_reg, in->off, SZ_BYTES[(c >> 3) & 3], s);
			break;
		default:
			m->fault = 1;
		}
		i++;
	}
}

/* The model's outcome in the epilog's format: the packet, registers at
 * REGS_OFF, stack at STK_OFF; returns the 32-bit fold. */
static uint32_t model_output(const struct model *m, uint8_t *out)
{
	memcpy(out, m->pkt, PKT_LEN);
	for (int i = 0; i < 9; i++)
		memcpy(&out[REGS_OFF + 8 * i], &m->r[GREGS[i]], 8);
	for (int k = 0; k < STK_SLOTS; k++)
		memcpy(&out[STK_OFF + 8 * k], &m->stack[STK_BYTES - 8 * (k + 1)], 8);
	return (uint32_t)(m->r[0] ^ (m->r[0] >> 32));
}

#define TRAP_R0 0x7a7a0000u     /* + unit index: the twin left the model's path */

/* The path twin: the program cut down to the path the model says this run
 * takes, as straight-line code. Every conditional jump on the path stays,
 * as a check that traps (exits with TRAP_R0 + unit, the packet untouched)
 * if the kernel goes the other way; unconditional jumps and the code off
 * the path go. Per the spec the twin computes exactly what the program
 * computes on this input, and since no two paths join, the verifier has
 * nothing to prune and no join where its bookkeeping (precision, zero
 * extension marks) can go wrong. */
static size_t build_twin(const struct prog *p, const struct model *m, struct bpf_insn *out)
{
	size_t n = build_head(p, 1, out);
	for (int i = 0; i < p->n; i++) {
		const struct unit *u = &p->u[i];
		if (!m->ran[i])
			continue;
		if (!u->jk) {
			out[n++] = u->in[0];
			if (u->n == 2)
				out[n++] = u->in[1];
			continue;
		}
		if ((u->in[0].code & 0xf0) == 0x00)     /* ja / gotol */
			continue;
		struct bpf_insn j = u->in[0];
		if (m->ran[i] == 2) {                   /* taken: falling through traps */
			j.off = 2;
			out[n++] = j;
		} else {                                /* not taken: jumping traps */
			j.off = 1;
			out[n++] = j;
			out[n++] = JA(2);
		}
		out[n++] = MOV64_IMM(0, (int32_t)(TRAP_R0 + (uint32_t)i));
		out[n++] = EXIT();
	}
	return build_epilog(out, n);
}

/* ---- running and comparing --------------------------------------------- */

static struct bpfvm *vm;
static int level = LVL_V4;


/* KBUG: bpfvm differs from the kernel on the program but agrees with the
 * kernel on its path twin (see build_twin): the kernel contradicts itself,
 * which is a kernel bug, not a bpfvm one. */
enum { SAME, DIFFER, KBUG, REJECTED, KERROR };

struct outcome {
	int kerr;               /* load errno, or test_run errno */
	uint32_t kret;
	uint8_t kpkt[PKT_LEN];
	int verr;               /* bpfvm error (exec_new or run) */
	char vmsg[256];
	uint64_t vr0;
	uint8_t vpkt[PKT_LEN];
	int twin;               /* 1: the twin ran; 0: not built; < 0: -errno */
	size_t twin_len;
	uint32_t tret;
	uint8_t tpkt[PKT_LEN];
	int model_ok;           /* the reference model's outcome (reports only) */
	uint32_t mret;
	uint8_t mpkt[PKT_LEN];
};

/* Loads and runs a kernel version: 0, or -errno (REJECTED) / 1 (KERROR). */
static int kernel_run(const struct bpf_insn *insns, size_t n, const uint8_t *pkt, uint32_t *ret,
		      uint8_t *out, int *err, char *log, size_t loglen)
{
	int fd = ko_prog_load(KO_PROG_TYPE_XDP, insns, n, log, loglen);
	if (fd < 0) {
		*err = -fd;
		return REJECTED;
	}
	uint32_t out_len = PKT_LEN;
	int rc = ko_test_run(fd, pkt, PKT_LEN, out, &out_len, 1, ret, NULL);
	ko_close(fd);
	if (rc < 0 || out_len != PKT_LEN) {
		*err = rc < 0 ? -rc : EMSGSIZE;
		return KERROR;
	}
	return SAME;
}

static int check(const struct prog *p, struct outcome *o, char *log, size_t loglen)
{
	struct bpf_insn insns[MAXINSN];
	size_t n = build(p, 1, insns, NULL);
	memset(o, 0, sizeof(*o));

	int rc = kernel_run(insns, n, p->pkt, &o->kret, o->kpkt, &o->kerr, log, loglen);
	if (rc != SAME)
		return rc;

	n = build(p, 0, insns, NULL);
	struct bpfvm_exec *e = NULL;
	struct bpfvm_exec_opts opts = { .sz = sizeof(opts), .isa = (enum bpfvm_isa)level };
	memcpy(o->vpkt, p->pkt, PKT_LEN);
	o->verr = bpfvm_exec_new(vm, insns, n, &opts, &e, o->vmsg, sizeof(o->vmsg));
	if (o->verr == 0) {
		o->verr = bpfvm_exec_run(e, o->vpkt, PKT_LEN, &o->vr0, o->vmsg, sizeof(o->vmsg));
		bpfvm_exec_free(e);
	} else {
		char tmp[sizeof(o->vmsg)];
		memcpy(tmp, o->vmsg, sizeof(tmp));
		snprintf(o->vmsg, sizeof(o->vmsg), "bpfvm_exec_new: %.200s", tmp);
	}
	/* The kernel's verifier accepted the program, so it is safe to run on
	 * the unchecked fast path too (with its superinstructions): it must
	 * give exactly what the checked run gave. */
	if (!o->verr) {
		uint8_t fpkt[PKT_LEN];
		uint64_t fr0 = 0;
		struct bpfvm_exec_opts fopts = opts;
		fopts.flags = BPFVM_EXEC_UNCHECKED;
		memcpy(fpkt, p->pkt, PKT_LEN);
		int ferr = bpfvm_exec_new(vm, insns, n, &fopts, &e, o->vmsg, sizeof(o->vmsg));
		if (ferr == 0) {
			ferr = bpfvm_exec_run(e, fpkt, PKT_LEN, &fr0, o->vmsg, sizeof(o->vmsg));
			bpfvm_exec_free(e);
		}
		if (ferr || fr0 != o->vr0 || memcmp(fpkt, o->vpkt, PKT_LEN)) {
			snprintf(o->vmsg, sizeof(o->vmsg), "fast path differs from checked run: r0 0x%llx vs 0x%llx",
				 (unsigned long long)fr0, (unsigned long long)o->vr0);
			o->verr = ferr ? ferr : -EDOM;
			return DIFFER;
		}
	}
	if (!o->verr && (uint32_t)o->vr0 == o->kret && !memcmp(o->vpkt, o->kpkt, PKT_LEN))
		return SAME;
	if (o->verr)
		return DIFFER;

	/* A mismatch: does the kernel agree with itself? */
	static struct model m;
	model_run(p, &m);
	o->mret = model_output(&m, o->mpkt);
	o->model_ok = !m.fault;
	if (m.fault)
		return DIFFER;
	struct bpf_insn twin[MAXINSN * 2];
	o->twin_len = build_twin(p, &m, twin);
	int terr = 0;
	static char tlog[1 << 16];
	rc = kernel_run(twin, o->twin_len, p->pkt, &o->tret, o->tpkt, &terr, tlog, sizeof(tlog));
	o->twin = rc == SAME ? 1 : -terr;
	if (rc == REJECTED && st.verbose)
		fprintf(stderr, "the kernel refused the path twin (%zu insns): %s\n%s\n", o->twin_len,
			strerror(terr), tlog);
	if (rc == SAME && o->tret == (uint32_t)o->vr0 && !memcmp(o->tpkt, o->vpkt, PKT_LEN))
		return KBUG;
	return DIFFER;
}

/* ---- minimizing -------------------------------------------------------- */

static int still_same_kind(const struct prog *p, int kind)
{
	struct outcome o;
	return check(p, &o, NULL, 0) == kind;
}

/* Removes units [a, b), retargeting jumps. */
static void remove_units(struct prog *p, int a, int b)
{
	int w = 0;
	for (int i = 0; i < p->n; i++) {
		if (i >= a && i < b)
			continue;
		struct unit u = p->u[i];
		if (u.jk) {
			int t = u.target;
			u.target = (int16_t)(t >= b ? t - (b - a) : t >= a ? a : t);
		}
		p->u[w++] = u;
	}
	p->n = w;
}

static int minimize(struct prog *p, int kind)
{
	static struct prog c;           /* candidate (too large for the stack) */
	int tries = 0, progress = 1;
	while (progress && tries < 3000) {
		progress = 0;
		/* Delete chunks of units, halving the chunk size. */
		for (int chunk = p->n / 2 > 0 ? p->n / 2 : 1; chunk >= 1; chunk /= 2) {
			for (int a = 0; a < p->n && tries < 3000;) {
				int b = a + chunk < p->n ? a + chunk : p->n;
				c = *p;
				remove_units(&c, a, b);
				tries++;
				if (still_same_kind(&c, kind)) {
					*p = c;
					progress = 1;
				} else {
					a += chunk;
				}
			}
		}
		/* Simplify the initial values and the packet. */
		for (int i = 0; i < 10; i++) {
			if (!p->regv[i])
				continue;
			c = *p;
			c.regv[i] = 0;
			tries++;
			if (still_same_kind(&c, kind)) {
				*p = c;
				progress = 1;
			}
		}
		for (int k = 0; k < STK_SLOTS; k++) {
			if (!p->stkv[k])
				continue;
			c = *p;
			c.stkv[k] = 0;
			tries++;
			if (still_same_kind(&c, kind)) {
				*p = c;
				progress = 1;
			}
		}
		for (int off = 0; off < PKT_LEN; off += 8) {
			static const uint8_t zero[8];
			if (!memcmp(&p->pkt[off], zero, 8))
				continue;
			c = *p;
			memset(&c.pkt[off], 0, 8);
			tries++;
			if (still_same_kind(&c, kind)) {
				*p = c;
				progress = 1;
			}
		}
	}
	return tries;
}

/* ---- printing ---------------------------------------------------------- */

static void fmt_insn(const struct bpf_insn *p, size_t n, size_t i, char *b, size_t bl)
{
	const struct bpf_insn *in = &p[i];
	uint8_t c = in->code, cls = c & 7, op = c & 0xf0;
	int x = c & 0x08, d = in->dst_reg, s = in->src_reg, off = in->off;
	static const char *const sz[4] = { "32", "16", "8", "64" };
	const char *w = sz[(c >> 3) & 3];
	char sign = off < 0 ? '-' : '+';
	int aoff = off < 0 ? -off : off;

	switch (cls) {
	case 0x04: case 0x07: {
		char R = cls == 0x07 ? 'r' : 'w';
		static const char *const sym[16] = { "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
						    "neg", "%=", "^=", "=", "s>>=", "end", "?", "?" };
		if (op == 0xd0) {
			if (cls == 0x07)
				snprintf(b, bl, "r%d = bswap%d r%d", d, in->imm, d);
			else
				snprintf(b, bl, "r%d = %s%d r%d", d, x ? "be" : "le", in->imm, d);
		} else if (op == 0x80) {
			snprintf(b, bl, "%c%d = -%c%d", R, d, R, d);
		} else if (op == 0xb0 && x && off) {
			snprintf(b, bl, "%c%d = (s%d)%c%d", R, d, off, R, s);
		} else {
			const char *sy = sym[op >> 4];
			if (off == 1 && op == 0x30)
				sy = "s/=";
			if (off == 1 && op == 0x90)
				sy = "s%=";
			if (x)
				snprintf(b, bl, "%c%d %s %c%d", R, d, sy, R, s);
			else
				snprintf(b, bl, "%c%d %s %d", R, d, sy, in->imm);
		}
		return;
	}
	case 0x05: case 0x06: {
		static const char *const sym[16] = { "ja", "==", ">", ">=", "&", "!=", "s>", "s>=",
						    "call", "exit", "<", "<=", "s<", "s<=", "?", "?" };
		char R = cls == 0x05 ? 'r' : 'w';
		if (op == 0x00)
			snprintf(b, bl, cls == 0x05 ? "goto %+d" : "gotol %+d", cls == 0x05 ? off : in->imm);
		else if (op == 0x90)
			snprintf(b, bl, "exit");
		else if (op == 0x80)
			snprintf(b, bl, "call %d", in->imm);
		else if (x)
			snprintf(b, bl, "if %c%d %s %c%d goto %+d", R, d, sym[op >> 4], R, s, off);
		else
			snprintf(b, bl, "if %c%d %s %d goto %+d", R, d, sym[op >> 4], in->imm, off);
		return;
	}
	case 0x00:
		if (c == 0x18 && i + 1 < n)
			snprintf(b, bl, "r%d = 0x%" PRIx64 " ll", d,
				 (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)p[i + 1].imm << 32);
		else if (c == 0 && i > 0 && p[i - 1].code == 0x18)
			snprintf(b, bl, "(ld_imm64, second half)");
		else
			snprintf(b, bl, "(code 0x%02x)", c);
		return;
	case 0x01:
		snprintf(b, bl, "r%d = *(%c%s *)(r%d %c %d)", d, (c & 0xe0) == 0x80 ? 's' : 'u', w, s, sign, aoff);
		return;
	case 0x02:
		snprintf(b, bl, "*(u%s *)(r%d %c %d) = %d", w, d, sign, aoff, in->imm);
		return;
	case 0x03:
		if ((c & 0xe0) == 0x60) {
			snprintf(b, bl, "*(u%s *)(r%d %c %d) = r%d", w, d, sign, aoff, s);
		} else if ((c & 0xe0) == 0xc0) {
			static const char *const aop[16] = { "add", "?", "?", "?", "or", "and", "?", "?",
							    "?", "?", "xor", "?", "?", "?", "xchg", "cmpxchg" };
			static const char *const asym[16] = { "+=", "", "", "", "|=", "&=", "", "",
							     "", "", "^=", "", "", "", "", "" };
			int ai = (in->imm >> 4) & 15;
			if (in->imm == 0xf1)
				snprintf(b, bl, "r0 = cmpxchg_%s(r%d %c %d, r0, r%d)", w, d, sign, aoff, s);
			else if (in->imm == 0xe1)
				snprintf(b, bl, "r%d = xchg_%s(r%d %c %d, r%d)", s, w, d, sign, aoff, s);
			else if (in->imm & 1)
				snprintf(b, bl, "r%d = atomic_fetch_%s((u%s *)(r%d %c %d), r%d)", s, aop[ai], w, d,
					 sign, aoff, s);
			else
				snprintf(b, bl, "lock *(u%s *)(r%d %c %d) %s r%d", w, d, sign, aoff, asym[ai], s);
		} else {
			snprintf(b, bl, "(code 0x%02x)", c);
		}
		return;
	default:
		snprintf(b, bl, "(code 0x%02x)", c);
	}
}

static void print_prog(FILE *f, const struct bpf_insn *p, size_t n, size_t body_at, size_t body_end)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *raw = (const uint8_t *)&p[i];
		char txt[96];
		fmt_insn(p, n, i, txt, sizeof(txt));
		if (i == body_at)
			fprintf(f, "  ; body\n");
		if (i == body_end)
			fprintf(f, "  ; epilog\n");
		fprintf(f, "  %4zu: %02x %02x %02x %02x %02x %02x %02x %02x   %s\n", i, raw[0], raw[1],
			raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], txt);
	}
}

static void print_hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 32) {
		fprintf(f, "  %3zu:", i);
		for (size_t j = i; j < n && j < i + 32; j++)
			fprintf(f, "%s%02x", (j % 8) ? "" : " ", b[j]);
		fprintf(f, "\n");
	}
}

static void print_diff(FILE *f, const struct outcome *o)
{
	if (o->verr) {
		fprintf(f, "  bpfvm failed: %d (%s): %s\n", o->verr, strerror(-o->verr), o->vmsg);
		fprintf(f, "  kernel: retval 0x%08x\n", o->kret);
		return;
	}
	if ((uint32_t)o->vr0 != o->kret)
		fprintf(f, "  retval: kernel 0x%08x, bpfvm 0x%08x\n", o->kret, (uint32_t)o->vr0);
	for (int i = 0; i < 9; i++) {
		uint64_t k, v;
		memcpy(&k, &o->kpkt[REGS_OFF + 8 * i], 8);
		memcpy(&v, &o->vpkt[REGS_OFF + 8 * i], 8);
		if (k != v)
			fprintf(f, "  r%d: kernel 0x%016" PRIx64 ", bpfvm 0x%016" PRIx64 "\n", GREGS[i], k, v);
	}
	for (int k = 0; k < STK_SLOTS; k++) {
		uint64_t a, b;
		memcpy(&a, &o->kpkt[STK_OFF + 8 * k], 8);
		memcpy(&b, &o->vpkt[STK_OFF + 8 * k], 8);
		if (a != b)
			fprintf(f, "  *(u64 *)(r10 - %d): kernel 0x%016" PRIx64 ", bpfvm 0x%016" PRIx64 "\n",
				8 * (k + 1), a, b);
	}
	for (int i = 0; i < PKT_LEN; i++) {
		if (i == REGS_OFF)
			i = STK_OFF + STK_BYTES;
		if (o->kpkt[i] != o->vpkt[i])
			fprintf(f, "  packet[%d]: kernel 0x%02x, bpfvm 0x%02x\n", i, o->kpkt[i], o->vpkt[i]);
	}
}

static void report(FILE *f, const struct prog *p, const struct outcome *o, int kind, uint64_t seed,
		   uint64_t idx, int orig_units)
{
	struct bpf_insn insns[MAXINSN];
	size_t body_at, n;
	if (kind == KBUG) {
		fprintf(f, "# diff_isa: KERNEL inconsistency, not a bpfvm failure: seed 0x%" PRIx64 " program %"
			PRIu64 " (isa %s)\n", seed, idx, level_name[level]);
		fprintf(f, "# The kernel's result for this program differs from its result for the program's\n"
			"# path twin (the same instructions along the path this run takes, straight-line,\n"
			"# every branch kept as a check: no joins, so nothing for the verifier to prune);\n"
			"# bpfvm agrees with the twin. \"kernel\" below is the program as written.\n");
	} else {
		fprintf(f, "# diff_isa mismatch: seed 0x%" PRIx64 " program %" PRIu64 " (isa %s%s)\n", seed, idx,
			level_name[level], inject_bug ? ", DIFF_ISA_INJECT" : "");
		if (o->twin == 1 && o->tret >= TRAP_R0 && o->tret < TRAP_R0 + MAXU &&
		    !memcmp(o->tpkt, o->kpkt, REGS_OFF))
			fprintf(f, "# the kernel's path twin trapped at body unit %u: the kernel and the reference\n"
				"# model disagree on that branch\n", o->tret - TRAP_R0);
		else if (o->twin == 1)
			fprintf(f, "# the kernel's path twin (%zu insns) %s\n", o->twin_len,
				o->tret == o->kret && !memcmp(o->tpkt, o->kpkt, PKT_LEN) ?
				"gives the same result as the program" : "gives yet another result");
		else if (o->twin < 0)
			fprintf(f, "# the kernel refused the path twin: %s\n", strerror(-o->twin));
	}
	if (o->model_ok && !o->verr) {
		uint8_t m[PKT_LEN];
		memcpy(m, o->mpkt, PKT_LEN);
		int mk = o->mret == o->kret && !memcmp(m, o->kpkt, PKT_LEN);
		int mv = o->mret == (uint32_t)o->vr0 && !memcmp(m, o->vpkt, PKT_LEN);
		fprintf(f, "# the test's reference model agrees with %s\n",
			mk && mv ? "both" : mk ? "the kernel" : mv ? "bpfvm" : "neither");
	}
	fprintf(f, "# reproduce: DIFF_ISA_SEED=0x%" PRIx64 " DIFF_ISA_START=%" PRIu64
		" DIFF_ISA_COUNT=1 DIFF_ISA_ISA=%s\n", seed, idx, level_name[level]);
	fprintf(f, "# minimized from %d to %d body units\n", orig_units, p->n);
	fprintf(f, "# differences (kernel vs bpfvm):\n");
	print_diff(f, o);
	n = build(p, 0, insns, &body_at);
	fprintf(f, "# program as bpfvm runs it (r1 = packet, r2 = %d), %zu insns:\n", PKT_LEN, n);
	size_t slots = 0;
	for (int i = 0; i < p->n; i++)
		slots += p->u[i].n;
	print_prog(f, insns, n, body_at, body_at + slots);
	n = build(p, 1, insns, &body_at);
	fprintf(f, "# kernel version (XDP; BPF_PROG_TEST_RUN with the packet below), %zu insns:\n", n);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *raw = (const uint8_t *)&insns[i];
		fprintf(f, "%s%02x%02x%02x%02x%02x%02x%02x%02x", i % 4 ? " " : "  ", raw[0], raw[1], raw[2],
			raw[3], raw[4], raw[5], raw[6], raw[7]);
		if (i % 4 == 3 || i + 1 == n)
			fprintf(f, "\n");
	}
	fprintf(f, "# input packet (%d bytes):\n", PKT_LEN);
	print_hex(f, p->pkt, PKT_LEN);
	fprintf(f, "# kernel output packet (registers at %d, stack at %d), retval 0x%08x:\n", REGS_OFF,
		STK_OFF, o->kret);
	print_hex(f, o->kpkt, PKT_LEN);
	if (o->twin == 1) {
		fprintf(f, "# kernel output packet for the twin, retval 0x%08x:\n", o->tret);
		print_hex(f, o->tpkt, PKT_LEN);
	}
	if (!o->verr) {
		fprintf(f, "# bpfvm output packet, r0 0x%016" PRIx64 ":\n", o->vr0);
		print_hex(f, o->vpkt, PKT_LEN);
	}
}

/* ---- the run ----------------------------------------------------------- */

/* The verifier's verdict: the last line that is not the statistics, with
 * digits folded so that like reasons group together. */
static void note_rejection(const char *log, int err, uint64_t seed, uint64_t idx)
{
	char line[160] = "";
	const char *end = log + strlen(log);
	while (end > log) {
		const char *e = end;
		while (e > log && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		const char *b = e;
		while (b > log && b[-1] != '\n')
			b--;
		if (e > b && strncmp(b, "processed ", 10) && strncmp(b, "verification time", 17) &&
		    strncmp(b, "stack depth", 11)) {
			size_t l = (size_t)(e - b) < sizeof(line) - 1 ? (size_t)(e - b) : sizeof(line) - 1;
			memcpy(line, b, l);
			line[l] = 0;
			break;
		}
		end = b;
	}
	if (!line[0])
		snprintf(line, sizeof(line), "(no log) %s", strerror(err));
	for (char *c = line; *c; c++)
		if (*c >= '0' && *c <= '9')
			*c = '#';
	for (int i = 0; i < st.nreasons; i++) {
		if (!strcmp(st.reasons[i].text, line)) {
			st.reasons[i].count++;
			return;
		}
	}
	if (st.nreasons < (int)NELEM(st.reasons)) {
		struct reason *r = &st.reasons[st.nreasons++];
		snprintf(r->text, sizeof(r->text), "%s", line);
		r->count = 1;
		r->seed = seed;
		r->idx = idx;
	}
}

static void mkdirs(const char *path)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *c = tmp + 1; *c; c++) {
		if (*c == '/') {
			*c = 0;
			mkdir(tmp, 0777);
			*c = '/';
		}
	}
	mkdir(tmp, 0777);
}

static uint64_t prog_seed(uint64_t seed, uint64_t idx)
{
	struct rng r = { seed ^ (idx * 0xd1342543de82ef95ull) };
	rnd(&r);
	return rnd(&r);
}

#define MAX_MINIMIZED 3          /* bpfvm mismatches minimized per run */
#define MAX_KBUG_MINIMIZED 1     /* kernel inconsistencies minimized per run */

static void handle_mismatch(struct prog *p, int kind, uint64_t seed, uint64_t idx)
{
	struct outcome o;
	int orig = p->n;
	uint64_t *done = kind == KBUG ? &st.kbug_minimized : &st.minimized;
	const char *what = kind == KBUG ? "kernel inconsistency" : "mismatch";
	if (*done >= (kind == KBUG ? MAX_KBUG_MINIMIZED : MAX_MINIMIZED)) {
		fprintf(kind == KBUG ? stdout : stderr, "%s: seed 0x%" PRIx64 " program %" PRIu64
			" (not minimized: enough already)\n", what, seed, idx);
		return;
	}
	(*done)++;
	int tries = minimize(p, kind);
	if (check(p, &o, NULL, 0) != kind) {
		fprintf(stderr, "%s: seed 0x%" PRIx64 " program %" PRIu64 " is not reproducible\n", what, seed, idx);
		return;
	}
	if (kind != KBUG) {
		fprintf(stderr, "\n");
		report(stderr, p, &o, kind, seed, idx, orig);
		fprintf(stderr, "(minimized with %d runs)\n", tries);
	}
	char path[600];
	mkdirs(st.outdir);
	snprintf(path, sizeof(path), "%s/%sseed-%" PRIx64 "-%" PRIu64 ".txt", st.outdir,
		 kind == KBUG ? "kernel-bug-" : "", seed, idx);
	FILE *f = fopen(path, "w");
	if (f) {
		report(f, p, &o, kind, seed, idx, orig);
		fclose(f);
		fprintf(kind == KBUG ? stdout : stderr, "%s: seed 0x%" PRIx64 " program %" PRIu64
			", minimized to %d body units, saved to %s\n", what, seed, idx, p->n, path);
	} else {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
	}
}

static void run_seed(uint64_t seed, uint64_t start, uint64_t count)
{
	static struct prog p;
	static char log[1 << 16];
	struct outcome o;
	for (uint64_t idx = start; idx < start + count; idx++) {
		gen_prog(&p, prog_seed(seed, idx), level);
		if (st.stats) {
			static struct model m;
			model_run(&p, &m);
		}
		int res = check(&p, &o, log, sizeof(log));
		st.programs++;
		switch (res) {
		case SAME:
			st.same++;
			break;
		case REJECTED:
			st.rejected++;
			note_rejection(log, o.kerr, seed, idx);
			if (st.verbose) {
				fprintf(stderr, "rejected: seed 0x%" PRIx64 " program %" PRIu64 ": %s\n%s\n", seed,
					idx, strerror(o.kerr), log);
			}
			break;
		case KERROR:
			st.kerrors++;
			fprintf(stderr, "kernel test run failed: seed 0x%" PRIx64 " program %" PRIu64 ": %s\n",
				seed, idx, strerror(o.kerr));
			break;
		case KBUG:
			st.kbugs++;
			handle_mismatch(&p, KBUG, seed, idx);
			break;
		case DIFFER:
			st.differ++;
			handle_mismatch(&p, DIFFER, seed, idx);
			break;
		}
	}
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	return strtoull(v, NULL, 0);
}

static uint64_t fresh_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, &s, sizeof(s)) != (ssize_t)sizeof(s))
			s = 0;
		close(fd);
	}
	if (!s) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		s = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
	}
	return s & 0xffffffffull;       /* short enough to type */
}

/* Does the kernel take this program? (probing for ISA levels) */
static int kernel_takes(const struct bpf_insn *insns, size_t n)
{
	int fd = ko_prog_load(KO_PROG_TYPE_XDP, insns, n, NULL, 0);
	ko_close(fd);
	return fd >= 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	char why[256], msg[320];
	(void)argc;
	if (!ko_available(why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "kernel bpf() unavailable: %s", why);
		test_skip(msg);
	}
	vm = bpfvm_new();
	if (!vm) {
		fprintf(stderr, "bpfvm_new failed\n");
		return 1;
	}
	inject_bug = (int)env_u64("DIFF_ISA_INJECT", 0);
	st.verbose = (int)env_u64("DIFF_ISA_VERBOSE", 0);
	st.stats = (int)env_u64("DIFF_ISA_STATS", 0);

	/* The ISA level: what the kernel takes, capped by DIFF_ISA_ISA. */
	const struct bpf_insn p_atomic[] = {
		MOV64_IMM(0, 0), STX(0x18, 10, 0, -8), MOV64_IMM(2, 1),
		I(0xdb, 10, 2, -8, 0x01), EXIT(),     /* r2 = atomic_fetch_add(r10-8, r2) */
	};
	const struct bpf_insn p_v4[] = {
		MOV64_IMM(0, 7), I(0x37, 0, 0, 1, -2), I(0xbf, 0, 0, 8, 0), EXIT(),  /* sdiv, movsx */
	};
	level = kernel_takes(p_v4, NELEM(p_v4)) ? LVL_V4 :
		kernel_takes(p_atomic, NELEM(p_atomic)) ? LVL_ATOMICS : LVL_V51;
	const char *want = getenv("DIFF_ISA_ISA");
	if (want && *want) {
		int wl = -1;
		for (int i = 0; i < 3; i++)
			if (!strcmp(want, level_name[i]))
				wl = i;
		if (wl < 0) {
			fprintf(stderr, "DIFF_ISA_ISA=%s: expected v51, atomics or v4\n", want);
			return 2;
		}
		if (wl > level)
			fprintf(stderr, "DIFF_ISA_ISA=%s: the kernel only takes %s\n", want, level_name[level]);
		else
			level = wl;
	}

	/* Reproducers go next to the binary's build tree by default. */
	static char outdir[512];
	const char *od = getenv("DIFF_ISA_OUT");
	if (od && *od) {
		snprintf(outdir, sizeof(outdir), "%s", od);
	} else {
		const char *slash = strrchr(argv[0], '/');
		snprintf(outdir, sizeof(outdir), "build/diff-isa-failures");
		if (slash && slash - argv[0] > 6 && !strncmp(slash - 6, "/tests", 6))
			snprintf(outdir, sizeof(outdir), "%.*s/diff-isa-failures", (int)(slash - 6 - argv[0]),
				 argv[0]);
	}
	st.outdir = outdir;

	uint64_t count = env_u64("DIFF_ISA_COUNT", 5000);
	uint64_t start = env_u64("DIFF_ISA_START", 0);
	uint64_t seeds[2];
	int nseeds;
	if (getenv("DIFF_ISA_SEED") && *getenv("DIFF_ISA_SEED")) {
		seeds[0] = env_u64("DIFF_ISA_SEED", 1);
		nseeds = 1;
		printf("seed: 0x%" PRIx64 ", %" PRIu64 " programs from %" PRIu64 ", isa %s\n", seeds[0], count,
		       start, level_name[level]);
	} else {
		seeds[0] = 1;
		seeds[1] = fresh_seed();
		nseeds = 2;
		printf("seeds: 0x1 and 0x%" PRIx64 " (reproduce with DIFF_ISA_SEED=0x%" PRIx64 "), "
		       "%" PRIu64 " programs each, isa %s\n", seeds[1], seeds[1], count, level_name[level]);
	}
	fflush(stdout);

	double t0 = now();
	for (int i = 0; i < nseeds; i++)
		run_seed(seeds[i], start, count);
	double dt = now() - t0;

	printf("%" PRIu64 " programs in %.2f s (%.0f/s): %" PRIu64 " same, %" PRIu64 " mismatched, %" PRIu64
	       " kernel inconsistencies, %" PRIu64 " rejected by the kernel (%.2f%%), %" PRIu64
	       " kernel run errors\n",
	       st.programs, dt, dt > 0 ? (double)st.programs / dt : 0.0, st.same, st.differ, st.kbugs,
	       st.rejected, st.programs ? 100.0 * (double)st.rejected / (double)st.programs : 0.0, st.kerrors);
	if (st.kbugs)
		printf("  kernel inconsistencies are kernel bugs, not failures: the kernel disagrees with\n"
		       "  itself on the program and its path twin, and bpfvm agrees with the twin\n"
		       "  (reproducers in %s/kernel-bug-*)\n", st.outdir);
	/* The most common rejection reasons, with an example to reproduce. */
	for (int shown = 0; shown < 5; shown++) {
		int best = -1;
		for (int i = 0; i < st.nreasons; i++)
			if (st.reasons[i].count && (best < 0 || st.reasons[i].count > st.reasons[best].count))
				best = i;
		if (best < 0)
			break;
		struct reason *r = &st.reasons[best];
		printf("  rejected %u x: %s (e.g. DIFF_ISA_SEED=0x%" PRIx64 " DIFF_ISA_START=%" PRIu64 ")\n",
		       r->count, r->text, r->seed, r->idx);
		r->count = 0;
	}

	if (st.stats) {
		int codes = 0;
		printf("executed (per the reference model): ");
		for (int c = 0; c < 256; c++)
			for (int v = 0; v < 2; v++)
				if (st.exec_op[c][v]) {
					codes++;
					printf("%02x%s:%" PRIu64 " ", c, v ? "'" : "", st.exec_op[c][v]);
				}
		printf("\n%d opcode variants; conditional jumps %" PRIu64 " taken, %" PRIu64 " not; "
		       "%" PRIu64 " div/mod by a zero register; %" PRIu64 " register shifts by >= width; "
		       "%" PRIu64 " atomics\n", codes, st.jmp_taken, st.jmp_not, st.div0, st.shift_big,
		       st.atomics_run);
	}
	test_checks += (int)(st.same + st.differ + st.kbugs);
	test_failures += (int)st.differ;
	if (st.kerrors) {
		test_checks++;
		test_failures++;
		fprintf(stderr, "%" PRIu64 " kernel test runs failed\n", st.kerrors);
	}
	if (st.differ)
		fprintf(stderr, "%" PRIu64 " mismatches between the kernel and bpfvm%s\n", st.differ,
			st.minimized ? " (reproducers above)" : "");
	bpfvm_free(vm);
	return test_done();
}
