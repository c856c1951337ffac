/* libFuzzer target: the verifier. The input bytes drive a generator of
 * valid-looking programs (context and packet loads, bounds checks, map
 * lookups, stack traffic, ALU and jumps, helper and BPF-to-BPF calls,
 * atomics, loops), loaded with BPF_PROG_LOAD as XDP, socket filter or tc
 * programs. Whatever the verifier accepts is run, as the program was
 * written (before the verifier's rewrites), on the CHECKED interpreter
 * with several packets: checked mode stops any access outside the memory
 * the run handed out, so a fault there is an access the verifier should
 * have refused: __builtin_trap().
 *
 * Build (from the project root; fuzzer-no-link instruments the library
 * for coverage, without it libFuzzer only sees this file):
 *   make CC=clang BUILD=build-fuzz OPT=-O1 \
 *        SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" build-fuzz/libbpfvm.a
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *        -Iinclude -Isrc -Itests tests/fuzz/fuzz_verifier.c build-fuzz/libbpfvm.a \
 *        -lpthread -lm -lelf -lpcap -o build-fuzz/fuzz_verifier
 *   build-fuzz/fuzz_verifier -max_total_time=600 build-fuzz/corpus/fuzz_verifier
 * Without libFuzzer: add -DFUZZ_STANDALONE (and drop fuzzer from
 * -fsanitize) for a driver that feeds N pseudo-random inputs:
 *   build-fuzz/fuzz_verifier_sa 100000
 */
#include <bpfvm/bpfvm.h>
#include "core/prog.h"
#include "core/vm.h"
#include "interp/interp.h"
#include "isa/validate.h"
#include "maps/map.h"
#include "progs/skb.h"
#include "progs/xdp.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 160
#define NMAPS 5

static struct bpfvm *vm;
static int map_fds[NMAPS];
static struct bpfvm_map *map_ptrs[NMAPS];
static unsigned long n_loaded, n_accepted, n_runs;

/* ---- input ---- */

struct gen {
	const uint8_t *d;
	size_t n, i;
	struct bpf_insn p[MAXN + 16];
	uint32_t len;
	int type;
	bool loops;             /* backward jumps allowed (1 input in 8: loops are slow to verify) */
};

static uint8_t take(struct gen *g)
{
	return g->i < g->n ? g->d[g->i++] : 0;
}

static int32_t take_imm(struct gen *g)
{
	static const int32_t interesting[] = { 0, 1, -1, 2, 4, 7, 8, 12, 14, 15, 16, 20, 31, 32, 40, 48, 63, 64,
					       255, 256, 0xffff, 0x7fffffff, INT32_MIN, -8, -16, -512, 1 << 29 };
	uint8_t b = take(g);
	if (b < 200)
		return interesting[b % (sizeof(interesting) / sizeof(interesting[0]))];
	int32_t v = 0;
	for (int k = 0; k < 4; k++)
		v = (int32_t)((uint32_t)v << 8 | take(g));
	return v;
}

static void emit(struct gen *g, struct bpf_insn in)
{
	if (g->len < MAXN + 16)
		g->p[g->len++] = in;
}

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static uint8_t reg(struct gen *g)
{
	return take(g) % 10;
}

static uint8_t size_code(struct gen *g)
{
	static const uint8_t s[] = { BPF_W, BPF_H, BPF_B, BPF_DW };
	return s[take(g) % 4];
}

/* offsets of the context's packet pointers */
static int ctx_data_off(int type, int end)
{
	if (type == BPF_PROG_TYPE_XDP)
		return end ? 4 : 0;
	return end ? 80 : 76;   /* __sk_buff.data, data_end */
}

static void frag_alu(struct gen *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
				       BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END };
	uint8_t b = take(g);
	uint8_t op = ops[b % sizeof(ops)];
	uint8_t cls = (b & 0x80) || op == BPF_END ? BPF_ALU : BPF_ALU64;
	uint8_t src = (take(g) & 1) && op != BPF_NEG && op != BPF_END ? BPF_X : BPF_K;
	int32_t imm = take_imm(g);
	if (op == BPF_END) {
		static const int32_t w[] = { 16, 32, 64 };
		src = take(g) & 1 ? BPF_X : BPF_K;      /* to_be / to_le */
		imm = w[take(g) % 3];
	} else if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) {
		imm &= cls == BPF_ALU64 ? 63 : 31;
	}
	if (op == BPF_NEG)
		imm = 0;
	uint8_t s = src == BPF_X && op != BPF_END ? take(g) % 11 : 0;
	emit(g, I(cls | op | src, reg(g), s, 0, src == BPF_X && op != BPF_END ? 0 : imm));
}

static void frag_ctx_load(struct gen *g)
{
	uint8_t sz = take(g) & 3 ? BPF_W : size_code(g);
	int off = (take(g) % 48) * 4 + (sz == BPF_B ? take(g) % 4 : 0);
	if (g->type == BPF_PROG_TYPE_XDP)
		off %= 24;
	emit(g, I(BPF_LDX | BPF_MEM | sz, reg(g), 6, (int16_t)off, 0));
}

static void frag_stack(struct gen *g)
{
	uint8_t sz = size_code(g);
	int slot = take(g) % 8;
	int16_t off = (int16_t)(-8 * (slot + 1) + (sz == BPF_DW ? 0 : (take(g) % 2) * 4));
	switch (take(g) % 3) {
	case 0:
		emit(g, I(BPF_STX | BPF_MEM | sz, 10, reg(g), off, 0));
		break;
	case 1:
		emit(g, I(BPF_ST | BPF_MEM | sz, 10, 0, off, take_imm(g)));
		break;
	default:
		emit(g, I(BPF_LDX | BPF_MEM | sz, reg(g), 10, off, 0));
		break;
	}
}

static void frag_lookup(struct gen *g)
{
	int m = take(g) % NMAPS;
	emit(g, I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, take_imm(g) & 7));
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0));
	emit(g, I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4));
	emit(g, I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map_fds[m]));
	emit(g, I(0, 0, 0, 0, 0));
	emit(g, I(BPF_JMP | BPF_CALL, 0, 0, 0, m == 4 ? BPF_FUNC_map_peek_elem : BPF_FUNC_map_lookup_elem));
	if (take(g) & 3)
		emit(g, I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, (int16_t)(take(g) % 6), 0));
	if (take(g) & 1)
		emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 7 + take(g) % 3, 0, 0, 0));
}

static void frag_jump(struct gen *g)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT,
				       BPF_JLE, BPF_JSLT, BPF_JSLE };
	uint8_t b = take(g);
	uint8_t cls = b & 0x80 ? BPF_JMP32 : BPF_JMP;
	uint8_t src = take(g) & 1 ? BPF_X : BPF_K;
	int16_t off = (int16_t)(take(g) % 10);
	if (g->loops && (b & 0x70) == 0x70)
		off = (int16_t)-(1 + take(g) % 6);     /* a loop */
	emit(g, I(cls | ops[b % sizeof(ops)] | src, reg(g), src == BPF_X ? take(g) % 11 : 0, off,
		  src == BPF_K ? take_imm(g) : 0));
}

static void frag_pkt(struct gen *g)
{
	emit(g, I(BPF_LDX | BPF_MEM | BPF_W, 2, 6, (int16_t)ctx_data_off(g->type, 0), 0));
	emit(g, I(BPF_LDX | BPF_MEM | BPF_W, 3, 6, (int16_t)ctx_data_off(g->type, 1), 0));
	uint8_t p = 2 + take(g) % 3 * 2;       /* r2, r4 or r6?.. keep r2 */
	(void)p;
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0));
	if (take(g) & 1) {
		emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 5, take(g) % 10, 0, 0));
		emit(g, I(BPF_ALU64 | BPF_AND | BPF_K, 5, 0, 0, take(g) & 0x3f));
		emit(g, I(BPF_ALU64 | BPF_ADD | BPF_X, 2, 5, 0, 0));
		emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0));
	}
	emit(g, I(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, take(g) % 40));
	static const uint8_t ops[] = { BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE };
	uint8_t op = ops[take(g) % 4];
	if (take(g) & 1)
		emit(g, I(BPF_JMP | op | BPF_X, 4, 3, (int16_t)(take(g) % 6), 0));
	else
		emit(g, I(BPF_JMP | op | BPF_X, 3, 4, (int16_t)(take(g) % 6), 0));
}

static void frag_mem(struct gen *g)
{
	static const uint8_t bases[] = { 0, 2, 4, 7, 8, 9, 10, 6, 3 };
	uint8_t base = bases[take(g) % sizeof(bases)];
	uint8_t sz = size_code(g);
	int16_t off = (int16_t)((int8_t)take(g));
	if (base == 10 || base == 7)   /* mostly aligned, inside the frame */
		off = (int16_t)(take(g) & 1 ? -8 * (1 + take(g) % 8) : off);
	switch (take(g) % 3) {
	case 0:
		emit(g, I(BPF_LDX | BPF_MEM | sz, reg(g), base, off, 0));
		break;
	case 1:
		emit(g, I(BPF_STX | BPF_MEM | sz, base, reg(g), off, 0));
		break;
	default:
		emit(g, I(BPF_ST | BPF_MEM | sz, base, 0, off, take_imm(g)));
		break;
	}
}

static void frag_call(struct gen *g)
{
	static const int32_t helpers[] = { BPF_FUNC_get_prandom_u32, BPF_FUNC_ktime_get_ns,
					   BPF_FUNC_get_smp_processor_id, BPF_FUNC_map_update_elem,
					   BPF_FUNC_map_delete_elem, BPF_FUNC_csum_diff, BPF_FUNC_xdp_adjust_head,
					   BPF_FUNC_skb_load_bytes, BPF_FUNC_spin_lock, BPF_FUNC_spin_unlock,
					   BPF_FUNC_map_push_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_trace_printk };
	int32_t id = helpers[take(g) % (sizeof(helpers) / sizeof(helpers[0]))];
	if (take(g) & 1) {
		int m = take(g) % NMAPS;
		emit(g, I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map_fds[m]));
		emit(g, I(0, 0, 0, 0, 0));
	}
	if (take(g) & 1)
		emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 1 + take(g) % 5, 10 - (take(g) & 1) * 3, 0, 0));
	emit(g, I(BPF_JMP | BPF_CALL, 0, 0, 0, id));
}

static void frag_atomic(struct gen *g)
{
	static const int32_t ops[] = { 0, 0, 0x01, 0x40, 0x51, 0xa1, 0xe1, 0xf1 };
	uint8_t base = take(g) & 1 ? 10 : 7 + take(g) % 3;
	int16_t off = base == 10 ? (int16_t)(-8 * (1 + take(g) % 4)) : (int16_t)(take(g) % 16);
	emit(g, I(BPF_STX | BPF_ATOMIC | (take(g) & 1 ? BPF_DW : BPF_W), base, reg(g), off,
		  ops[take(g) % (sizeof(ops) / sizeof(ops[0]))]));
}

static void frag_ldabs(struct gen *g)
{
	uint8_t sz = (uint8_t[]){ BPF_W, BPF_H, BPF_B }[take(g) % 3];
	if (take(g) & 1)
		emit(g, I(BPF_LD | BPF_ABS | sz, 0, 0, 0, take(g) % 64));
	else
		emit(g, I(BPF_LD | BPF_IND | sz, 0, reg(g), 0, take(g) % 32));
}

/* if/else writing a different constant (or copy) into one register on
 * each side: the value differs between the paths that meet after it, so
 * pruning there must tell whether anything below relies on it (precision
 * tracking). */
static void frag_diamond(struct gen *g)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JSET, BPF_JNE, BPF_JSLT, BPF_JLE };
	uint8_t b = take(g);
	uint8_t r = reg(g);
	emit(g, I(BPF_JMP | ops[b % sizeof(ops)] | BPF_K, reg(g), 0, 2, take_imm(g)));
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, take_imm(g)));
	emit(g, I(BPF_JMP | BPF_JA, 0, 0, 1, 0));
	if (b & 0x80)
		emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, r, reg(g), 0, 0));
	else
		emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, take_imm(g)));
	/* sometimes spilled, to be filled later by frag_stack */
	if (b & 0x40)
		emit(g, I(BPF_STX | BPF_MEM | BPF_DW, 10, r, (int16_t)(-8 * (1 + take(g) % 8)), 0));
}

/* Jumps stay inside their function and off the second halves of LD_IMM64. */
static void fix_jumps(struct gen *g, uint32_t start, uint32_t end)
{
	uint8_t half[MAXN + 16] = { 0 };
	for (uint32_t i = start; i + 1 < end; i++)
		if (g->p[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			half[++i] = 1;
	for (uint32_t i = start; i < end; i++) {
		struct bpf_insn *in = &g->p[i];
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;
			continue;
		}
		uint8_t cls = in->code & 7, op = in->code & 0xf0;
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_CALL || op == BPF_EXIT)
			continue;
		int64_t t = (int64_t)i + 1 + in->off;
		if (t >= end)
			t = end - 1;
		if (t < start)
			t = start;
		if (half[t])
			t--;
		in->off = (int16_t)(t - i - 1);
	}
}

static void build(struct gen *g)
{
	uint8_t t = take(g) % 3;
	g->type = t == 0 ? BPF_PROG_TYPE_XDP : t == 1 ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_SOCKET_FILTER;
	uint8_t h = take(g);
	bool subprog = (h & 7) == 0;
	g->loops = (h & 0x38) == 0;
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0));
	/* The checked interpreter learns where the stack is at the first
	 * load or store (helpers given a stack pointer before that fault):
	 * touch it first, in every function. */
	emit(g, I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0));
	/* registers start as numbers, some pointers */
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, take_imm(g)));
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_X, 7, 10, 0, 0));
	emit(g, I(BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, -8 * (1 + take(g) % 8)));
	for (uint8_t r = 2; r <= 9; r++)
		if (r != 6 && r != 7)
			emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, take_imm(g)));
	uint32_t calls[8], ncalls = 0, budget = 16 + take(g) % (subprog ? MAXN / 2 - 16 : MAXN - 16);
	while (g->i < g->n && g->len < budget) {
		switch (take(g) % 18) {
		case 16: case 17: frag_diamond(g); break;
		case 0: case 1: case 2: frag_alu(g); break;
		case 3: frag_ctx_load(g); break;
		case 4: case 5: frag_stack(g); break;
		case 6: frag_lookup(g); break;
		case 7: case 8: frag_jump(g); break;
		case 9: frag_pkt(g); break;
		case 10: case 11: frag_mem(g); break;
		case 12: frag_call(g); break;
		case 13: frag_atomic(g); break;
		case 14:
			if (g->type != BPF_PROG_TYPE_XDP)
				frag_ldabs(g);
			else
				frag_alu(g);
			break;
		default:
			if (subprog && ncalls < 8) {
				calls[ncalls++] = g->len;
				emit(g, I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
			} else {
				/* an early exit, skipped on some values */
				emit(g, I(BPF_JMP | BPF_JGT | BPF_K, reg(g), 0, 2, take_imm(g)));
				emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, take_imm(g)));
				emit(g, I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
			}
			break;
		}
	}
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, take(g) & 3));
	emit(g, I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	uint32_t main_end = g->len;
	fix_jumps(g, 0, main_end);
	if (!subprog)
		return;
	/* one callee: r1..r5 may be pointers into the caller's stack */
	uint32_t sub = g->len;
	emit(g, I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0));
	while (g->i < g->n && g->len < MAXN) {
		switch (take(g) % 6) {
		case 0: frag_alu(g); break;
		case 1: frag_stack(g); break;
		case 2: frag_mem(g); break;
		case 3: frag_jump(g); break;
		case 4: frag_atomic(g); break;
		default: frag_call(g); break;
		}
	}
	emit(g, I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));
	emit(g, I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	fix_jumps(g, sub, g->len);
	for (uint32_t k = 0; k < ncalls; k++)
		g->p[calls[k]].imm = (int32_t)(sub - calls[k] - 1);
}

/* ---- running what was accepted, checked ---- */

static bool moves_packet(const struct gen *g)
{
	for (uint32_t i = 0; i < g->len; i++)
		if (g->p[i].code == (BPF_JMP | BPF_CALL) && g->p[i].src_reg == 0 &&
		    (g->p[i].imm == BPF_FUNC_xdp_adjust_head || g->p[i].imm == BPF_FUNC_xdp_adjust_meta ||
		     g->p[i].imm == BPF_FUNC_xdp_adjust_tail || g->p[i].imm == BPF_FUNC_skb_change_head ||
		     g->p[i].imm == BPF_FUNC_skb_change_tail || g->p[i].imm == BPF_FUNC_skb_pull_data ||
		     g->p[i].imm == BPF_FUNC_skb_store_bytes || g->p[i].imm == BPF_FUNC_skb_adjust_room))
			return true;
	return false;
}

/* The packet the verifier reasoned about is [data_meta, data_end): narrow
 * the model's buffer region to it, so that reading past data_end faults. */
static void tighten(struct bpfvm_run *run, const uint8_t *lo, const uint8_t *hi)
{
	for (uint32_t i = 1; i < run->nregions; i++) {
		struct bpfvm_region *r = &run->regions[i];
		if (r->kind == REGION_MEM && r->start <= (uintptr_t)lo && (uintptr_t)hi <= r->end &&
		    r->end - r->start > (uintptr_t)(hi - lo)) {
			r->start = (uintptr_t)lo;
			r->end = (uintptr_t)hi;
			return;
		}
	}
}

static void report(const struct gen *g, const struct bpfvm_run *run, int rc)
{
	fprintf(stderr, "VERIFIER BUG: accepted program faulted in checked mode (%d): %s\nprogram type %d:\n", rc,
		run->err, g->type);
	for (uint32_t i = 0; i < g->len; i++) {
		char buf[128];
		if (bpfvm_disasm_insn(g->p, g->len, i, buf, sizeof(buf)))
			fprintf(stderr, "  %3u: %02x %u %u %d %d  %s\n", i, g->p[i].code, g->p[i].dst_reg,
				g->p[i].src_reg, g->p[i].off, g->p[i].imm, buf);
	}
	__builtin_trap();
}

static void run_one(struct gen *g, struct bpfvm_code *code, const uint8_t *pkt, uint32_t len, bool tight)
{
	struct bpfvm_run run;
	uint64_t r0;
	int rc;
	bpfvm_run_init(&run, vm, 1);
	run.insn_limit = 1u << 21;
	if (g->type == BPF_PROG_TYPE_XDP) {
		uint8_t *buf = calloc(1, BPFVM_PAGE_SIZE_XDP);
		memcpy(buf + XDP_PACKET_HEADROOM, pkt, len);
		struct bpfvm_xdp_buff x = { .kind = BPFVM_MODEL_XDP, .data_hard_start = buf,
					    .data = buf + XDP_PACKET_HEADROOM, .data_meta = buf + XDP_PACKET_HEADROOM,
					    .data_end = buf + XDP_PACKET_HEADROOM + len,
					    .frame_end = buf + BPFVM_PAGE_SIZE_XDP, .ingress_ifindex = 1, .vm = vm };
		bpfvm_xdp_prepare_run(&run, &x);
		if (tight)
			tighten(&run, x.data_meta, x.data_end);
		rc = bpfvm_interp_run(code, &run, (uint64_t)(uintptr_t)&x, 0, &r0);
		if (rc < 0)
			report(g, &run, rc);
		bpfvm_run_fini(&run);
		free(buf);
	} else {
		struct bpfvm_skb skb;
		if (bpfvm_skb_init(&skb, vm, pkt, len, (uint32_t)g->type, 0) < 0) {
			bpfvm_run_fini(&run);
			return;
		}
		bpfvm_skb_prepare_run(&run, &skb);
		if (tight)
			tighten(&run, skb.data_meta < skb.data ? skb.data_meta : skb.data, skb.data_end);
		rc = bpfvm_interp_run(code, &run, (uint64_t)(uintptr_t)&skb, 0, &r0);
		if (rc < 0)
			report(g, &run, rc);
		bpfvm_run_fini(&run);
		bpfvm_skb_fini(&skb);
	}
	n_runs++;
}

static void run_checked(struct gen *g)
{
	struct bpfvm_code code;
	char err[256];
	if (bpfvm_code_init(&code, vm, g->p, g->len, BPFVM_ISA_V4, VALIDATE_ALLOW_PSEUDO_MAP, err, sizeof(err)) < 0) {
		fprintf(stderr, "accepted by PROG_LOAD but not by the validator: %s\n", err);
		__builtin_trap();
	}
	/* map fds become map addresses, as PROG_LOAD does */
	for (uint32_t i = 0; i + 1 < code.len; i++) {
		struct bpf_insn *in = &code.insns[i];
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD)
			for (int m = 0; m < NMAPS; m++)
				if (in->imm == map_fds[m]) {
					uint64_t a = (uint64_t)(uintptr_t)map_ptrs[m];
					in[0].imm = (int32_t)(uint32_t)a;
					in[1].imm = (int32_t)(uint32_t)(a >> 32);
				}
		i++;
	}
	code.maps = map_ptrs;
	code.nmaps = NMAPS;
	if (bpfvm_code_decode(&code, MODE_CHECKED) < 0)
		__builtin_trap();
	bool tight = !moves_packet(g);
	uint8_t pkt[256];
	for (int k = 0; k < 3; k++) {
		uint32_t len = 14 + take(g) % 120;
		for (uint32_t j = 0; j < len; j++)
			pkt[j] = take(g);
		run_one(g, &code, pkt, len, tight);
	}
	bpfvm_code_fini(&code);
}

static void setup(void)
{
	vm = bpfvm_new();
	static const struct { uint32_t type, ks, vs, n; } specs[NMAPS] = {
		{ BPF_MAP_TYPE_HASH, 4, 8, 16 }, { BPF_MAP_TYPE_ARRAY, 4, 64, 8 }, { BPF_MAP_TYPE_ARRAY, 4, 8, 2 },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 4 }, { BPF_MAP_TYPE_QUEUE, 0, 8, 8 },
	};
	for (int m = 0; m < NMAPS; m++) {
		union bpf_attr a = { 0 };
		a.map_type = specs[m].type;
		a.key_size = specs[m].ks;
		a.value_size = specs[m].vs;
		a.max_entries = specs[m].n;
		map_fds[m] = bpfvm_bpf(vm, BPF_MAP_CREATE, &a, sizeof(a));
		if (map_fds[m] < 0 || bpfvm_sys_fd_to_map(vm, map_fds[m], &map_ptrs[m]) < 0)
			abort();
	}
	/* something to find in the maps */
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t v[8] = { k, k * 2 };
		union bpf_attr a = { 0 };
		a.map_fd = (uint32_t)map_fds[0];
		a.key = (uint64_t)(uintptr_t)&k;
		a.value = (uint64_t)(uintptr_t)v;
		bpfvm_bpf(vm, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!vm)
		setup();
	if (size < 4)
		return 0;
	static struct gen g;
	memset(&g, 0, sizeof(g));
	g.d = data;
	g.n = size;
	build(&g);
	union bpf_attr a = { 0 };
	a.prog_type = (uint32_t)g.type;
	a.insns = (uint64_t)(uintptr_t)g.p;
	a.insn_cnt = g.len;
	a.license = (uint64_t)(uintptr_t)"GPL";
#ifdef FUZZ_WHY
	static char lb[1 << 20];
	a.log_buf = (uint64_t)(uintptr_t)lb;
	a.log_size = sizeof(lb);
	a.log_level = 1;
	lb[0] = 0;
#endif
	int fd = bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
#ifdef FUZZ_WHY
	if (fd < 0) {
		char *e = strstr(lb, "\nprocessed ");
		if (e) {
			*e = 0;
			char *l = strrchr(lb, '\n');
			printf("WHY %s\n", l ? l + 1 : lb);
		} else {
			printf("WHY %.80s\n", lb);
		}
	}
#endif
	n_loaded++;
	if (fd < 0)
		return 0;
	n_accepted++;
	bpfvm_close(vm, fd);
	run_checked(&g);
	return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	uint64_t s = argc > 2 ? strtoull(argv[2], NULL, 10) : 0x9e3779b97f4a7c15ull;
	uint8_t buf[1024];
	for (unsigned long it = 0; it < iters; it++) {
		size_t n = 16 + (size_t)(s % 900);
		for (size_t k = 0; k < n; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			buf[k] = (uint8_t)s;
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%lu programs, %lu accepted, %lu checked runs, no fault\n", n_loaded, n_accepted, n_runs);
	return 0;
}
#endif
