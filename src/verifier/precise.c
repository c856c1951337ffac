/* Precision tracking (the backtracking of Linux 5.3, with the fixes of
 * later kernels). A scalar of an explored state is "precise" when some
 * check on the paths below it relied on its exact range: a branch it
 * decided, a pointer offset, a helper's size argument, a return code. Only
 * those have to be matched when the state is used for pruning; any scalar
 * matches an imprecise one (states_equal). So the loop counter that
 * decides a loop's exit keeps iterations apart, while a counter that is
 * only returned does not multiply the states.
 *
 * When a check needs a scalar exactly, the instructions of the current
 * path are walked backwards (the path's history: the insns since the last
 * explored state, with every non-sequential step recorded) to find the
 * registers and stack slots the value was computed from; those are marked
 * precise in every explored state on the way, up the parent chain, until
 * the value comes from a constant or an unknown load. Marks are only ever
 * put on explored states, never on the state being walked: a mark means
 * "my continuation needed this", and the walk below an explored state is
 * what decides it. Pruning only uses finished states, whose marks are
 * final; a path pruned against one inherits its marks
 * (propagate_precision), since the pruned path's safety rests on the same
 * checks.
 *
 * Whatever the walk cannot follow (a stack slot written or read through a
 * register other than r10, a BPF-to-BPF call, an atomic fetch) makes every
 * scalar of every state on the chain precise: sound, only slower. */
#include "verifier/env.h"
#include <stdlib.h>

int push_hist(struct vstate *st, uint32_t idx, uint32_t prev)
{
	if (st->nhist == st->hist_cap) {
		uint32_t cap = st->hist_cap ? st->hist_cap * 2 : 8;
		struct vhist *h = realloc(st->hist, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		st->hist = h;
		st->hist_cap = cap;
	}
	st->hist[st->nhist].idx = idx;
	st->hist[st->nhist].prev = prev;
	st->nhist++;
	return 0;
}

/* The walk gives up: every scalar of every explored state of the chain is
 * precise (mark_all_scalars_precise). */
static void mark_all_precise(struct venv *env)
{
	for (struct vstate *st = env->cur->parent; st; st = st->parent) {
		for (uint32_t fr = 0; fr <= st->curframe; fr++) {
			struct vframe *f = st->frame[fr];
			for (int r = 0; r < V_NREGS; r++)
				if (f->regs[r].type == T_SCALAR)
					f->regs[r].precise = 1;
			for (uint32_t k = 0; k < f->nslots; k++)
				if (f->stack[k].type[0] == STACK_SPILL && f->stack[k].spilled.type == T_SCALAR)
					f->stack[k].spilled.precise = 1;
		}
	}
}

#define GIVE_UP 1
#define BIT(r) (1u << (r))

static int fp_slot(int16_t off)
{
	if (off >= 0 || off < -BPFVM_STACK_SIZE)
		return -1;
	return (-off - 1) / V_REG_SIZE;
}

/* One instruction backwards: the registers (rm) and stack slots (sm) that
 * must be precise after insn i, turned into those that must be precise
 * before it. GIVE_UP when the instruction cannot be followed. */
static int backtrack_insn(struct venv *env, uint32_t i, uint32_t *rm, uint64_t *sm)
{
	const struct bpf_insn *insn = &env->insns[i];
	uint8_t cls = V_CLASS(insn->code), op = V_OP(insn->code), mode = V_MODE(insn->code);
	uint32_t d = BIT(insn->dst_reg), s = BIT(insn->src_reg);

	if (insn->dst_reg >= V_NREGS || insn->src_reg >= V_NREGS)
		return GIVE_UP;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!(*rm & d))
			return 0;
		if (op == BPF_MOV) {
			/* dst = imm: a constant ends the chain; dst = src
			 * (also 32-bit and sign-extending): src's value */
			*rm &= ~d;
			if (V_SRC(insn->code) == BPF_X)
				*rm |= s;
		} else if (op != BPF_NEG && op != BPF_END && V_SRC(insn->code) == BPF_X) {
			/* dst op= src: both */
			*rm |= s;
		}
		return 0;
	case BPF_LDX: {
		if (!(*rm & d))
			return 0;
		*rm &= ~d;
		if (insn->src_reg == BPF_REG_10) {
			/* a fill: the value spilled in that slot (a number
			 * read from data slots is unknown, or zero, and slot
			 * types are compared exactly anyway) */
			int spi = fp_slot(insn->off);
			if (spi < 0)
				return GIVE_UP;
			if (V_SIZE(insn->code) == BPF_DW)
				*sm |= 1ull << spi;
			return 0;
		}
		/* a stack slot through another pointer: which one is not known */
		return env->aux[i].stack_nonfp ? GIVE_UP : 0;
	}
	case BPF_STX:
	case BPF_ST:
		if (cls == BPF_STX && mode == BPF_ATOMIC) {
			/* a fetch loads the old value (a spilled number
			 * included): not followed */
			int load = -1;
			if (insn->imm & BPF_FETCH)
				load = insn->imm == V_CMPXCHG ? BPF_REG_0 : insn->src_reg;
			if (load >= 0 && (*rm & BIT(load)))
				return GIVE_UP;
			if (insn->dst_reg == BPF_REG_10) {
				int spi = fp_slot(insn->off);
				if (spi < 0)
					return GIVE_UP;
				*sm &= ~(1ull << spi);       /* the slot is data now */
			}
			return 0;
		}
		if (insn->dst_reg == BPF_REG_10) {
			int spi = fp_slot(insn->off);
			if (spi < 0)
				return GIVE_UP;
			if (!(*sm & (1ull << spi)))
				return 0;
			*sm &= ~(1ull << spi);
			/* only a whole-slot store of a register spills it */
			if (cls == BPF_STX && V_SIZE(insn->code) == BPF_DW)
				*rm |= s;
			return 0;
		}
		/* a store through another pointer may have been the spill */
		return env->aux[i].stack_nonfp && *sm ? GIVE_UP : 0;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			if (insn->src_reg == BPF_PSEUDO_CALL || V_SRC(insn->code) == BPF_X)
				return GIVE_UP;
			*rm &= ~BIT(BPF_REG_0);         /* the helper's result */
			/* r1-r5 die at a call: none can be needed after it */
			return *rm & 0x3e ? GIVE_UP : 0;
		}
		if (op == BPF_EXIT)
			return GIVE_UP;
		if (op == BPF_JA || V_SRC(insn->code) == BPF_K)
			return 0;
		/* dst <cond> src: each side narrowed the other (the fix of
		 * CVE-2023-2163: both are needed before the jump) */
		if (*rm & (d | s))
			*rm |= d | s;
		return 0;
	case BPF_LD:
		if (mode == BPF_IMM) {
			if (V_SIZE(insn->code) != BPF_DW)
				return GIVE_UP;     /* the second half of LD_IMM64: never walked */
			*rm &= ~d;
			return 0;
		}
		/* LD_ABS/IND: r0 from the packet; r1-r5 clobbered */
		*rm &= ~BIT(BPF_REG_0);
		return *rm & 0x3e ? GIVE_UP : 0;
	}
	return GIVE_UP;
}

/* Marks, in the explored state st (the state at the start of the segment
 * just walked), what rm/sm name; drops what it cannot or need not follow
 * further. Returns whether anything is left to follow. */
static bool mark_in_parent(struct vstate *st, uint32_t *rm, uint64_t *sm)
{
	struct vframe *f = st->frame[st->curframe];
	for (int r = 0; r < V_NREGS; r++) {
		if (!(*rm & BIT(r)))
			continue;
		struct vreg *reg = &f->regs[r];
		/* pointers are compared exactly; a precise scalar's sources
		 * were followed when it was marked */
		if (reg->type != T_SCALAR || reg->precise)
			*rm &= ~BIT(r);
		else
			reg->precise = 1;
	}
	for (int k = 0; k < 64; k++) {
		if (!(*sm & (1ull << k)))
			continue;
		struct vreg *reg = (uint32_t)k < f->nslots && f->stack[k].type[0] == STACK_SPILL ? &f->stack[k].spilled : NULL;
		if (!reg || reg->type != T_SCALAR || reg->precise)
			*sm &= ~(1ull << k);
		else
			reg->precise = 1;
	}
	return *rm || *sm;
}

/* Follows rm/sm (needed at the current insn, which is not walked: it has
 * not executed yet, or its own effect does not matter) back through the
 * current path and the explored states it descends from. */
static int backtrack(struct venv *env, uint32_t rm, uint64_t sm)
{
	if (!env->precision || (!rm && !sm))
		return 0;
	rm &= ~BIT(BPF_REG_10);
	struct vstate *st = env->cur;
	uint32_t i = env->insn_idx;
	bool skip = true;
	uint64_t budget = env->insn_processed + 2;
	if (st->curframe)
		goto give_up;
	for (;;) {
		uint32_t cnt = st->nhist, first = st->first_insn;
		if (st != env->cur && !st->has_last)
			goto next;      /* an empty segment: the program's start */
		for (;;) {
			if (!skip) {
				if (i >= env->len || backtrack_insn(env, i, &rm, &sm))
					goto give_up;
				if (!rm && !sm)
					return 0;
			}
			skip = false;
			if (i == first && cnt == 0)
				break;
			if (cnt && st->hist[cnt - 1].idx == i)
				i = st->hist[--cnt].prev;
			else if (i == 0)
				goto give_up;
			else
				i--;
			if (!budget--)
				goto give_up;
		}
next:
		st = st->parent;
		if (!st)
			return 0;       /* the program's start: r1 and r10 only */
		if (st->curframe || !mark_in_parent(st, &rm, &sm))
			return st->curframe ? (mark_all_precise(env), 0) : 0;
		i = st->last_insn;
	}
give_up:
	mark_all_precise(env);
	return 0;
}

int mark_chain_precision(struct venv *env, int regno)
{
	if (cur_regs(env)[regno].type != T_SCALAR)
		return 0;
	return backtrack(env, BIT(regno), 0);
}

int mark_chain_precision_stack(struct venv *env, int spi)
{
	return backtrack(env, 0, 1ull << spi);
}

/* The current path was pruned against `old`: what old's continuation
 * needed precisely, the current path's explored states need too. */
int propagate_precision(struct venv *env, const struct vstate *old)
{
	if (!env->precision)
		return 0;
	const struct vframe *f = old->frame[old->curframe];
	uint32_t rm = 0;
	uint64_t sm = 0;
	for (int r = 0; r < BPF_REG_10; r++)
		if (f->regs[r].type == T_SCALAR && f->regs[r].precise)
			rm |= BIT(r);
	for (uint32_t k = 0; k < f->nslots && k < 64; k++)
		if (f->stack[k].type[0] == STACK_SPILL && f->stack[k].spilled.type == T_SCALAR &&
		    f->stack[k].spilled.precise)
			sm |= 1ull << k;
	if (old->curframe && (rm || sm)) {
		mark_all_precise(env);
		return 0;
	}
	return backtrack(env, rm, sm);
}
