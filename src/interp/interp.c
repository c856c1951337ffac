/* The interpreter: decoding for direct threading, the two builds of the
 * loop (loop.inc), and the checked mode's region bookkeeping. */
#include "interp/interp.h"
#include "isa/opcodes.h"
#include "helpers/registry.h"
#include "maps/map.h"
#include "maps/arraymap.h"
#include "helpers/builtin.h"
#include <bpfvm/uapi.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decoder-only handlers beyond the opcode table. */
enum {
	OPX_TAIL_CALL = OP__COUNT,      /* call with imm == BPF_FUNC_tail_call */
	OPX_CALL_LOCAL,                 /* call with src_reg == BPF_PSEUDO_CALL */
	OPX_INVALID,                    /* second slot of LD_IMM64: never run */
	OPX_IDX_LDX_B, OPX_IDX_LDX_H, OPX_IDX_LDX_W, OPX_IDX_LDX_DW,  /* rX = rA; rX += rB; rY = *(rX + off) */
	OPX_JCC_JA_BASE,                /* + index of the JCC op: "JCC +1; JA L" */
	OPX_MOVALU_BASE = OPX_JCC_JA_BASE + 40, /* + 2*(alu index) + (mov32): rX = rY; rX op= K */
	OPX_ARRAY_LOOKUP = OPX_MOVALU_BASE + 32, /* bpf_map_lookup_elem on an ARRAY, inlined */
	OPX_MAP_LOOKUP,                 /* bpf_map_lookup_elem straight to the map's ops */
	/* The whole call sequence "r1 = map; r2 = r10; r2 += K; call lookup",
	 * map load first (A) or last (B), on any map or inlined on an ARRAY. */
	OPX_LOOKUP_SEQ_A, OPX_LOOKUP_SEQ_B, OPX_LOOKUP_SEQ_A_ARRAY, OPX_LOOKUP_SEQ_B_ARRAY,
	/* A loop counter's step and latch: "rX += K; if rX op K2 goto +1; goto L",
	 * + index of the condition (64-bit compare with an immediate). */
	OPX_ADD_LATCH_BASE,
	OPX_ADD_LATCH_END = OPX_ADD_LATCH_BASE + 10,
	OPX__COUNT,
};

#define FUNC_TAIL_CALL 12               /* BPF_FUNC_tail_call */

/* Signed division without C's undefined cases. */
static inline int32_t sdiv32(int32_t a, int32_t b)
{
	if (b == 0)
		return 0;
	if (b == -1)
		return (int32_t)(0u - (uint32_t)a);
	return a / b;
}
static inline int64_t sdiv64(int64_t a, int64_t b)
{
	if (b == 0)
		return 0;
	if (b == -1)
		return (int64_t)(0ull - (uint64_t)a);
	return a / b;
}
static inline int32_t smod32(int32_t a, int32_t b)
{
	if (b == 0)
		return a;
	if (b == -1)
		return 0;
	return a % b;
}
static inline int64_t smod64(int64_t a, int64_t b)
{
	if (b == 0)
		return a;
	if (b == -1)
		return 0;
	return a % b;
}

/* Checked mode: the arguments of a helper call must point where the
 * helper's prototype says they may (memory the run handed out). */
static const struct bpfvm_region *find_region(const struct bpfvm_run *run, uintptr_t addr, uint64_t len);

static int arg_fault(struct bpfvm_run *run, const struct bpfvm_helper_slot *h, int reg, const char *what)
{
	bpfvm_run_fault(run, -EFAULT, "insn %u: helper %s: R%d %s", run->pc, h->proto.name, reg, what);
	return -1;
}

/* Checked mode: the arguments of a helper call must be what the helper's
 * prototype says (a map the program references, memory the run handed
 * out of the right size, the context), so that no helper is given a
 * forged pointer. */
static int check_helper_args(struct bpfvm_run *run, const struct bpfvm_helper_slot *h,
			     const uint64_t *regs)
{
	const uint8_t *t = h->proto.arg_type;
	const struct bpfvm_map *map = NULL;
	for (int i = 0; i < 5 && t[i] != BPFVM_ARG_DONTCARE; i++) {
		uint64_t v = regs[i + 1];
		switch (t[i]) {
		case BPFVM_ARG_CONST_MAP_PTR: {
			const struct bpfvm_code *c = run->code;
			uint32_t k = 0;
			while (k < c->nmaps && (uint64_t)(uintptr_t)c->maps[k] != v)
				k++;
			if (k < c->nmaps) {
				map = c->maps[k];
			} else {
				const struct bpfvm_region *r = find_region(run, (uintptr_t)v, 1);
				if (!r || r->kind != REGION_MAP || r->start != (uintptr_t)v)
					return arg_fault(run, h, i + 1, "is not a map of this program");
				map = (const struct bpfvm_map *)(uintptr_t)v;
			}
			break;
		}
		case BPFVM_ARG_PTR_TO_MAP_KEY:
		case BPFVM_ARG_PTR_TO_MAP_VALUE:
		case BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE: {
			uint32_t len = !map ? 0 : t[i] == BPFVM_ARG_PTR_TO_MAP_KEY ? bpfvm_map_key_size(map)
									 : bpfvm_map_value_size(map);
			if (len && !bpfvm_run_mem_ok(run, (uintptr_t)v, len, t[i] == BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE))
				return arg_fault(run, h, i + 1, "does not point to a whole key or value");
			break;
		}
		case BPFVM_ARG_PTR_TO_MEM_OR_NULL:
			if (!v)
				break;
			/* fall through */
		case BPFVM_ARG_PTR_TO_MEM:
		case BPFVM_ARG_PTR_TO_UNINIT_MEM: {
			uint64_t len = i < 4 ? regs[i + 2] : 0;
			if (len && !bpfvm_run_mem_ok(run, (uintptr_t)v, len, t[i] == BPFVM_ARG_PTR_TO_UNINIT_MEM))
				return arg_fault(run, h, i + 1, "does not point to enough accessible memory");
			break;
		}
		case BPFVM_ARG_PTR_TO_CTX:
			if (v != (uint64_t)(uintptr_t)run->ctx)
				return arg_fault(run, h, i + 1, "is not the context");
			break;
		case BPFVM_ARG_PTR_TO_SPIN_LOCK:
			if (!bpfvm_run_mem_ok(run, (uintptr_t)v, 4, 1) || (v & 3))
				return arg_fault(run, h, i + 1, "is not a spin lock in a map value");
			break;
		default:
			break;
		}
	}
	return 0;
}

static const struct bpfvm_region *find_region(const struct bpfvm_run *run, uintptr_t addr, uint64_t len)
{
	if (addr + len < addr)
		return NULL;
	for (uint32_t i = 0; i < run->nregions; i++) {
		const struct bpfvm_region *r = &run->regions[i];
		if (addr >= r->start && addr + len <= r->end)
			return r;
	}
	return NULL;
}

int bpfvm_run_mem_ok(const struct bpfvm_run *run, uintptr_t addr, uint64_t len, int write)
{
	const struct bpfvm_region *r = find_region(run, addr, len);
	return r && r->kind == REGION_MEM && (!write || r->writable);
}

int bpfvm_run_add_map(struct bpfvm_run *run, const void *map)
{
	int rc = bpfvm_run_add_region(run, map, 1, 0);
	if (rc == 0 && run->checked)
		run->regions[run->nregions - 1].kind = REGION_MAP;
	return rc;
}

int bpfvm_run_set_ctx(struct bpfvm_run *run, void *ctx, uint32_t size)
{
	int rc = bpfvm_run_add_region(run, ctx, size, 0);
	if (rc == 0 && run->checked)
		run->regions[run->nregions - 1].kind = REGION_CTX;
	return rc;
}

/* Checked loads and stores, out of line: the access must fall in one
 * region (regions[0], the live frames' stack, is kept current by the loop). */
static int checked_access(struct bpfvm_run *run, uint64_t addr, uint32_t size, int write, uint64_t *val,
			  uint32_t index)
{
	const struct bpfvm_region *r = find_region(run, (uintptr_t)addr, size);
	if (r && r->kind == REGION_CTX) {
		uint32_t off = (uint32_t)((uintptr_t)addr - r->start);
		if (run->ctx_access && run->ctx_access(run, off, size, write, val) == 0)
			return 0;
		bpfvm_run_fault(run, -EACCES, "insn %u: invalid bpf_context access off=%u size=%u", index, off, size);
		return -1;
	}
	if (!r || (write && !r->writable)) {
		bpfvm_run_fault(run, -EFAULT, "insn %u: invalid %s of %u bytes at 0x%" PRIx64, index,
				write ? "store" : "load", size, addr);
		return -1;
	}
	if (write)
		memcpy((void *)(uintptr_t)addr, val, size);     /* little-endian host */
	else {
		*val = 0;
		memcpy(val, (const void *)(uintptr_t)addr, size);
	}
	return 0;
}

#define CHECKED 0
#define LOOP_FN run_fast
#include "interp/loop.inc"
#undef CHECKED
#undef LOOP_FN
#define CHECKED 1
#define LOOP_FN run_checked
#include "interp/loop.inc"
#undef CHECKED
#undef LOOP_FN

/* Fast-path superinstructions, chosen at decode time. Each keeps one decoded
 * slot per instruction: the fused handler sits in the first slot and reads
 * its partners' operands from the next ones, so jump offsets and indices
 * stay the program's. A sequence is fused only if no jump lands inside it.
 *  - "if cond goto +1; goto L": one handler with both exits (clang's loop
 *    latch), so a taken loop branch costs one dispatch instead of two;
 *  - "rX = rA; rX += rB; rY = *(rX + off)": clang's p[i] load;
 *  - "rX = rY; rX op= K": a three-address ALU op written in two. */
static const uint16_t jcc_ops[40] = {
#define J4(N) OP_##N##_K, OP_##N##_X, OP_##N##32_K, OP_##N##32_X,
	J4(JEQ) J4(JNE) J4(JGT) J4(JGE) J4(JLT) J4(JLE) J4(JSGT) J4(JSGE) J4(JSLT) J4(JSLE)
#undef J4
};
/* Does instruction i (not the second half of an LD_IMM64) write register r? */
static int writes_reg(const struct bpfvm_code *code, uint32_t i, unsigned r)
{
	const struct bpf_insn *in = &code->insns[i];
	switch (bpfvm_opinfo[code->ops[i]].kind) {
	case K_ALU_K: case K_ALU_X: case K_NEG: case K_MOVSX: case K_END: case K_LDX: case K_LDDW:
		return in->dst_reg == r;
	case K_ATOMIC:
		return ((in->imm & BPF_FETCH) && in->src_reg == r) || (in->imm == BPF_CMPXCHG && r == 0);
	case K_CALL: case K_CALLX: case K_LDABS: case K_LDIND:
		return 1;               /* r0-r5 are clobbered */
	}
	return 0;
}

static void inline_array_lookup(const struct bpfvm_code *code, struct bpfvm_xinsn *x, const void *const *labels,
				const uint8_t *tgt, uint32_t call)
{
	for (uint32_t k = call; k-- > 0;) {
		if (tgt[k + 1])
			return;                 /* control may enter between k and the call */
		if (code->ops[k] == BPFVM_OP_LDDW_HI)
			continue;
		if (!writes_reg(code, k, 1)) {
			int kind = bpfvm_opinfo[code->ops[k]].kind;
			if (kind == K_JA || kind == K_GOTOL || kind == K_EXIT || kind == K_JCOND_K || kind == K_JCOND_X)
				return;
			continue;
		}
		const struct bpf_insn *in = &code->insns[k];
		if (code->ops[k] != OP_LDDW || in->src_reg != BPF_PSEUDO_MAP_FD)
			return;
		struct bpfvm_map *map = (struct bpfvm_map *)(uintptr_t)((uint32_t)in[0].imm |
									 (uint64_t)(uint32_t)in[1].imm << 32);
		uint32_t esz;
		uint8_t *base = bpfvm_array_elem_base(map, &esz);
		if (!base)
			return;
		intptr_t delta = base - (uint8_t *)map;
		if (delta < 0 || delta > INT16_MAX || esz > INT32_MAX)
			return;
		x[call].op = labels[OPX_ARRAY_LOOKUP];
		x[call].off = (int16_t)delta;
		x[call].imm = (int32_t)esz;
		return;
	}
}

/* The call at `call` is a map lookup (already decoded as OPX_MAP_LOOKUP or
 * OPX_ARRAY_LOOKUP): if the four instructions before it only set r1 to the
 * map and r2 to a stack slot, one handler at their start does it all. */
static void fuse_lookup_sequence(const struct bpfvm_code *code, struct bpfvm_xinsn *x, const void *const *labels,
				 const uint8_t *tgt, uint32_t call)
{
	if (call < 4 || tgt[call] || tgt[call - 1] || tgt[call - 2] || tgt[call - 3])
		return;
	const struct bpf_insn *in = code->insns;
	uint32_t s = call - 4;
	int array = x[call].op == labels[OPX_ARRAY_LOOKUP];
	int a = code->ops[s] == OP_LDDW && in[s].dst_reg == 1 && in[s].src_reg == BPF_PSEUDO_MAP_FD &&
		code->ops[s + 2] == OP_MOV64_X && in[s + 2].dst_reg == 2 && in[s + 2].src_reg == 10 &&
		code->ops[s + 3] == OP_ADD64_K && in[s + 3].dst_reg == 2;
	int b = code->ops[s] == OP_MOV64_X && in[s].dst_reg == 2 && in[s].src_reg == 10 &&
		code->ops[s + 1] == OP_ADD64_K && in[s + 1].dst_reg == 2 &&
		code->ops[s + 2] == OP_LDDW && in[s + 2].dst_reg == 1 && in[s + 2].src_reg == BPF_PSEUDO_MAP_FD;
	if (a)
		x[s].op = labels[array ? OPX_LOOKUP_SEQ_A_ARRAY : OPX_LOOKUP_SEQ_A];
	else if (b)
		x[s].op = labels[array ? OPX_LOOKUP_SEQ_B_ARRAY : OPX_LOOKUP_SEQ_B];
}

static void fuse(const struct bpfvm_code *code, struct bpfvm_xinsn *x, const void *const *labels)
{
	uint32_t n = code->len;
	uint8_t *tgt = calloc(n + 1, 1);
	if (!tgt)
		return;
	/* Every instruction something can jump or call to. */
	for (uint32_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &code->insns[i];
		unsigned op = code->ops[i];
		if (op == BPFVM_OP_LDDW_HI)
			continue;
		int kind = bpfvm_opinfo[op].kind;
		int64_t t;
		if (kind == K_JA || kind == K_JCOND_K || kind == K_JCOND_X)
			t = (int64_t)i + 1 + in->off;
		else if (kind == K_GOTOL || (kind == K_CALL && in->src_reg == BPF_PSEUDO_CALL))
			t = (int64_t)i + 1 + in->imm;
		else
			continue;
		if (t >= 0 && t <= n)
			tgt[t] = 1;
	}
	for (uint32_t i = 0; i + 1 < n; i++) {
		unsigned op = code->ops[i];
		for (int k = 0; k < 40; k++)
			if (op == jcc_ops[k] && code->insns[i].off == 1 && code->ops[i + 1] == OP_JA) {
				x[i].op = labels[OPX_JCC_JA_BASE + k];
				break;
			}
		if (i + 2 < n && op == OP_MOV64_X && code->ops[i + 1] == OP_ADD64_X && !tgt[i + 1] && !tgt[i + 2] &&
		    code->insns[i + 1].dst_reg == code->insns[i].dst_reg &&
		    code->insns[i + 1].src_reg != code->insns[i].dst_reg &&
		    code->insns[i + 2].src_reg == code->insns[i].dst_reg) {
			unsigned l = code->ops[i + 2];
			int f = l == OP_LDX_B ? OPX_IDX_LDX_B : l == OP_LDX_H ? OPX_IDX_LDX_H : l == OP_LDX_W ? OPX_IDX_LDX_W
				: l == OP_LDX_DW ? OPX_IDX_LDX_DW : -1;
			if (f >= 0)
				x[i].op = labels[f];
		}
	}
	/* rX = rY (64 or 32); rX op= K (op: add sub and or xor lsh rsh mul, 64 or 32) */
	static const uint16_t alu_ops[16] = { OP_ADD64_K, OP_ADD32_K, OP_SUB64_K, OP_SUB32_K, OP_AND64_K, OP_AND32_K,
		OP_OR64_K, OP_OR32_K, OP_XOR64_K, OP_XOR32_K, OP_LSH64_K, OP_LSH32_K, OP_RSH64_K, OP_RSH32_K,
		OP_MUL64_K, OP_MUL32_K };
	for (uint32_t i = 0; i + 1 < n; i++) {
		unsigned op = code->ops[i];
		if ((op != OP_MOV64_X && op != OP_MOV32_X) || tgt[i + 1] || x[i].op != labels[op] ||
		    code->insns[i + 1].dst_reg != code->insns[i].dst_reg)
			continue;
		for (int k = 0; k < 16; k++)
			if (code->ops[i + 1] == alu_ops[k]) {
				x[i].op = labels[OPX_MOVALU_BASE + 2 * k + (op == OP_MOV32_X)];
				break;
			}
	}
	/* rX += K followed by its latch (fused above as JCC_JA). */
	for (uint32_t i = 0; i + 2 < n; i++) {
		if (x[i].op != labels[OP_ADD64_K] || tgt[i + 1] || code->insns[i + 1].dst_reg != code->insns[i].dst_reg)
			continue;
		for (int c = 0; c < 10; c++)
			if (x[i + 1].op == labels[OPX_JCC_JA_BASE + 4 * c]) {
				x[i].op = labels[OPX_ADD_LATCH_BASE + c];
				break;
			}
	}
	/* bpf_map_lookup_elem(map, key) where r1 was set from an ARRAY map
	 * constant in the same basic block: the element's address is computed
	 * in place (the kernel's array_map_gen_lookup). The handler finds the
	 * values at the map's address + off and steps by imm. */
	if (code->helpers[BPF_FUNC_map_lookup_elem].proto.fn == bpfvm_helper_map_lookup_elem)
		for (uint32_t i = 0; i < n; i++)
			if (code->ops[i] == OP_CALL && code->insns[i].src_reg == 0 &&
			    code->insns[i].imm == BPF_FUNC_map_lookup_elem) {
				/* Any map: skip the helper, call the type's lookup. */
				x[i].op = labels[OPX_MAP_LOOKUP];
				inline_array_lookup(code, x, labels, tgt, i);
				fuse_lookup_sequence(code, x, labels, tgt, i);
			}
	free(tgt);
}

int bpfvm_code_decode(struct bpfvm_code *code, enum bpfvm_mode mode)
{
	if (code->x[mode])
		return 0;
	const void *const *labels;
	if (mode == MODE_FAST)
		run_fast(NULL, NULL, NULL, NULL, &labels);
	else
		run_checked(NULL, NULL, NULL, NULL, &labels);
	struct bpfvm_xinsn *x = calloc(code->len, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (uint32_t i = 0; i < code->len; i++) {
		const struct bpf_insn *in = &code->insns[i];
		unsigned op = code->ops[i];
		x[i].dst = in->dst_reg;
		x[i].src = in->src_reg;
		x[i].off = in->off;
		x[i].imm = in->imm;
		if (op == BPFVM_OP_LDDW_HI)
			op = OPX_INVALID;
		else if (op == OP_CALL && in->src_reg == BPF_PSEUDO_CALL)
			op = OPX_CALL_LOCAL;
		else if (op == OP_CALL && in->imm == FUNC_TAIL_CALL)
			op = OPX_TAIL_CALL;
		else if (op == OP_CALL && (in->imm < 0 || in->imm >= BPFVM_MAX_HELPERS))
			op = OPX_INVALID;       /* refused by validation before this */
		x[i].op = labels[op];
	}
	if (mode == MODE_FAST)
		fuse(code, x, labels);
	code->x[mode] = x;
	return 0;
}

void bpfvm_code_release_decoded(struct bpfvm_code *code)
{
	free(code->x[0]);
	free(code->x[1]);
	code->x[0] = code->x[1] = NULL;
}

void bpfvm_run_init(struct bpfvm_run *run, struct bpfvm *vm, int checked)
{
	memset(run, 0, offsetof(struct bpfvm_run, inline_regions));
	run->vm = vm;
	run->checked = checked;
	run->regions = run->inline_regions;
	run->cap_regions = RUN_INLINE_REGIONS;
	run->nregions = 1;              /* [0] is the stack, set by the loop */
	run->inline_regions[0] = (struct bpfvm_region){ 0, 0, 1, REGION_MEM };
	run->errcode = 0;
	run->err[0] = 0;
}

void bpfvm_run_fini(struct bpfvm_run *run)
{
	if (run->regions != run->inline_regions)
		free(run->regions);
	run->regions = run->inline_regions;
	run->nregions = 1;
}

void bpfvm_run_fault(struct bpfvm_run *run, int errcode, const char *fmt, ...)
{
	if (run->errcode)
		return;                 /* keep the first fault */
	run->errcode = errcode;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run->err, sizeof(run->err), fmt, ap);
	va_end(ap);
}

BPFVM_API int bpfvm_run_add_region(struct bpfvm_run *run, const void *ptr, size_t len, int writable)
{
	if (!run->checked || !ptr)
		return 0;
	uintptr_t s = (uintptr_t)ptr;
	for (uint32_t i = 1; i < run->nregions; i++)
		if (run->regions[i].start == s && run->regions[i].end == s + len) {
			run->regions[i].writable |= (uint8_t)writable;
			return 0;
		}
	if (run->nregions == run->cap_regions) {
		uint32_t cap = run->cap_regions * 2;
		struct bpfvm_region *r = malloc(cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		memcpy(r, run->regions, run->nregions * sizeof(*r));
		if (run->regions != run->inline_regions)
			free(run->regions);
		run->regions = r;
		run->cap_regions = cap;
	}
	run->regions[run->nregions++] = (struct bpfvm_region){ s, s + len, (uint8_t)writable, REGION_MEM };
	return 0;
}

BPFVM_API struct bpfvm *bpfvm_run_vm(const struct bpfvm_run *run)
{
	return run->vm;
}

BPFVM_API void *bpfvm_run_user(const struct bpfvm_run *run)
{
	return run->user;
}

int bpfvm_interp_run(const struct bpfvm_code *code, struct bpfvm_run *run,
		     uint64_t r1, uint64_t r2, uint64_t *r0)
{
	uint64_t regs[11] = { 0, r1, r2 };
	run->ctx = (void *)(uintptr_t)r1;
	if (!run->checked)
		return run_fast(code, run, regs, r0, NULL);
	run->held_lock = NULL;
	int rc = run_checked(code, run, regs, r0, NULL);
	/* The verifier makes a program release its lock before it ends; an
	 * unverified one that did not is stopped here, and the lock freed. */
	if (run->held_lock) {
		bpfvm_spin_unlock(run->held_lock);
		run->held_lock = NULL;
		if (rc == 0)
			bpfvm_run_fault(run, -EINVAL, "bpf_spin_lock is still held at exit");
		rc = run->errcode;
	}
	return rc;
}
