/* The interpreter: decoding for direct threading, the two builds of the
 * loop (loop.inc), and the checked mode's region bookkeeping. */
#include "interp/interp.h"
#include "isa/opcodes.h"
#include "helpers/registry.h"
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
static int check_helper_args(struct bpfvm_run *run, const struct bpfvm_helper_slot *h,
			     const uint64_t *regs)
{
	const uint8_t *t = h->proto.arg_type;
	for (int i = 0; i < 5 && t[i] != BPFVM_ARG_DONTCARE; i++) {
		uint64_t v = regs[i + 1];
		int need_mem = t[i] == BPFVM_ARG_PTR_TO_MEM || t[i] == BPFVM_ARG_PTR_TO_UNINIT_MEM ||
			       (t[i] == BPFVM_ARG_PTR_TO_MEM_OR_NULL && v != 0);
		if (need_mem && i < 4) {
			uint64_t len = regs[i + 2];
			if (len && !bpfvm_run_mem_ok(run, (uintptr_t)v, len, t[i] == BPFVM_ARG_PTR_TO_UNINIT_MEM)) {
				bpfvm_run_fault(run, -EFAULT, "insn %u: helper %s: R%d does not point to %" PRIu64
						" accessible bytes", run->pc, h->proto.name, i + 1, len);
				return -1;
			}
		}
		if (t[i] == BPFVM_ARG_PTR_TO_CTX && v != (uint64_t)(uintptr_t)run->ctx) {
			bpfvm_run_fault(run, -EFAULT, "insn %u: helper %s: R%d is not the context",
					run->pc, h->proto.name, i + 1);
			return -1;
		}
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
	run->inline_regions[0] = (struct bpfvm_region){ 0, 0, 1 };
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

int bpfvm_run_mem_ok(const struct bpfvm_run *run, uintptr_t addr, uint64_t len, int write)
{
	if (addr + len < addr)
		return 0;
	for (uint32_t i = 0; i < run->nregions; i++) {
		const struct bpfvm_region *r = &run->regions[i];
		if (addr >= r->start && addr + len <= r->end && len <= r->end - r->start)
			return !write || r->writable;
	}
	return 0;
}

BPFVM_API int bpfvm_run_add_region(struct bpfvm_run *run, const void *ptr, size_t len, int writable)
{
	if (!run->checked || !ptr)
		return 0;
	uintptr_t s = (uintptr_t)ptr;
	for (uint32_t i = 1; i < run->nregions; i++)
		if (run->regions[i].start == s && run->regions[i].end == s + len) {
			run->regions[i].writable |= writable;
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
	run->regions[run->nregions++] = (struct bpfvm_region){ s, s + len, writable };
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
	if (run->checked)
		return run_checked(code, run, regs, r0, NULL);
	return run_fast(code, run, regs, r0, NULL);
}
