/* Conditional jumps (check_cond_jmp_op of v5.1): a branch that the known
 * values decide is followed alone; otherwise both are, each with what the
 * comparison teaches: narrower scalar ranges, a NULL check that turns
 * "pointer or NULL" into a pointer (or into 0), a comparison of a packet
 * pointer with data_end that proves a range of bytes readable. */
#include "verifier/env.h"
#include "maps/map.h"

static void mark_ptr_or_null_reg(struct vreg *reg, uint32_t id, bool is_null)
{
	if (!type_may_be_null(reg->type) || reg->id != id)
		return;
	/* arithmetic on these is refused, so the offset is still zero */
	if (reg->smin || reg->smax || !tnum_equals_const(reg->var_off, 0) || reg->off) {
		uint8_t type = reg->type;
		reg_set_known_zero(reg);
		reg->type = type;
		reg->id = id;
	}
	if (is_null) {
		uint8_t live = reg->live;
		struct vreg *parent = reg->parent;
		reg_set_const(reg, 0);
		reg->live = live;
		reg->parent = parent;
		return;
	}
	switch (reg->type) {
	case T_MAP_VALUE_OR_NULL:
		if (reg->map->inner_meta) {
			/* map-in-map: the lookup returned an inner map */
			reg->type = T_MAP_PTR;
			reg->map = reg->map->inner_meta;
		} else {
			reg->type = T_MAP_VALUE;
		}
		break;
	case T_SOCK_OR_NULL: reg->type = T_SOCK; break;
	case T_SOCK_COMMON_OR_NULL: reg->type = T_SOCK_COMMON; break;
	case T_TCP_SOCK_OR_NULL: reg->type = T_TCP_SOCK; break;
	}
	/* the id stays for values with a bpf_spin_lock: it names the lock */
	if (!(reg->type == T_MAP_VALUE && reg->map->spin_lock_off >= 0))
		reg->id = 0;
}

/* Every copy of the checked pointer (same id), in all frames and spills. */
static void mark_ptr_or_null_regs(struct vstate *st, struct vreg *checked, bool is_null)
{
	uint32_t id = checked->id, ref = checked->ref_obj_id;
	if (ref && ref == id && is_null) {
		/* NULL: nothing was acquired; no one could have released it */
		struct vframe *f = st->frame[st->curframe];
		for (uint32_t i = 0; i < f->nrefs; i++)
			if (f->refs[i].id == id) {
				f->refs[i] = f->refs[--f->nrefs];
				break;
			}
	}
	for (uint32_t i = 0; i <= st->curframe; i++)
		for (int k = 0; k < V_NREGS; k++)
			mark_ptr_or_null_reg(&st->frame[i]->regs[k], id, is_null);
	struct vreg *r;
	for_each_spilled(st, fr, k, r)
		mark_ptr_or_null_reg(r, id, is_null);
}

/* find_good_pkt_pointers: `dst` (a packet pointer plus off) was found not
 * beyond data_end, so [start, start + off) of its variable base is
 * readable, for every pointer sharing its id. */
static void find_good_pkt_pointers(struct vstate *st, const struct vreg *dst, int type, bool right_open)
{
	if (dst->off < 0 || (dst->off == 0 && right_open))
		return;
	if (dst->umax > V_MAX_PACKET_OFF || dst->umax + (uint64_t)dst->off > V_MAX_PACKET_OFF)
		return;         /* pkt + huge could wrap below data_end */
	uint16_t range = (uint16_t)(dst->off - (right_open ? 1 : 0));
	uint32_t id = dst->id;
	for (uint32_t i = 0; i <= st->curframe; i++)
		for (int k = 0; k < V_NREGS; k++) {
			struct vreg *r = &st->frame[i]->regs[k];
			if (r->type == type && r->id == id && r->range < range)
				r->range = range;
		}
	struct vreg *r;
	for_each_spilled(st, fr, k, r)
		if (r->type == type && r->id == id && r->range < range)
			r->range = range;
}

static bool is_init_pkt(const struct vreg *r, int type)
{
	return r->type == type && r->id == 0 && r->off == 0 && tnum_equals_const(r->var_off, 0);
}

/* try_match_pkt_pointers: pkt' > pkt_end and the other forms. */
static bool match_pkt_pointers(const struct bpf_insn *insn, const struct vreg *dst, const struct vreg *src,
			       struct vstate *this_branch, struct vstate *other)
{
	if (V_SRC(insn->code) != BPF_X || V_CLASS(insn->code) == BPF_JMP32)
		return false;
	/* data' OP end (or meta' OP data), and the mirrored end OP data' */
	bool fwd = (dst->type == T_PKT && src->type == T_PKT_END) ||
		   (dst->type == T_PKT_META && is_init_pkt(src, T_PKT));
	bool rev = (dst->type == T_PKT_END && src->type == T_PKT) ||
		   (is_init_pkt(dst, T_PKT) && src->type == T_PKT_META);
	if (!fwd && !rev)
		return false;
	const struct vreg *p = fwd ? dst : src;
	switch (V_OP(insn->code)) {
	case BPF_JGT:   /* p > end: fall-through knows p <= end */
		if (fwd)
			find_good_pkt_pointers(this_branch, p, p->type, false);
		else    /* end > p: the target knows p < end */
			find_good_pkt_pointers(other, p, p->type, true);
		break;
	case BPF_JLT:
		if (fwd)        /* p < end: target */
			find_good_pkt_pointers(other, p, p->type, true);
		else            /* end < p: fall-through knows p <= end */
			find_good_pkt_pointers(this_branch, p, p->type, false);
		break;
	case BPF_JGE:
		if (fwd)        /* p >= end: fall-through knows p < end */
			find_good_pkt_pointers(this_branch, p, p->type, true);
		else            /* end >= p: target knows p <= end */
			find_good_pkt_pointers(other, p, p->type, false);
		break;
	case BPF_JLE:
		if (fwd)        /* p <= end: target */
			find_good_pkt_pointers(other, p, p->type, false);
		else            /* end <= p: fall-through knows p < end */
			find_good_pkt_pointers(this_branch, p, p->type, true);
		break;
	default:
		return false;
	}
	return true;
}

int check_cond_jmp_op(struct venv *env, const struct bpf_insn *insn, uint32_t *insn_idx)
{
	struct vstate *this_branch = env->cur;
	struct vreg *regs = cur_regs(env);
	uint8_t op = V_OP(insn->code);
	bool is32 = V_CLASS(insn->code) == BPF_JMP32;
	int err;

	if (op == BPF_JA || op > BPF_JSLE) {
		vlog(env, "invalid BPF_JMP/JMP32 opcode %x\n", op);
		return -EINVAL;
	}
	if (V_SRC(insn->code) == BPF_X) {
		if ((err = check_reg_arg(env, insn->src_reg, SRC_OP)))
			return err;
		if (is_pointer_reg(env, insn->src_reg)) {
			vlog(env, "R%d pointer comparison prohibited\n", insn->src_reg);
			return -EACCES;
		}
	}
	if ((err = check_reg_arg(env, insn->dst_reg, SRC_OP)))
		return err;
	struct vreg *dst = &regs[insn->dst_reg];
	if (V_SRC(insn->code) == BPF_K) {
		int pred = branch_taken(dst, (uint64_t)(int64_t)insn->imm, op, is32);
		/* a decided branch: the paths below rely on dst's range */
		if (pred >= 0 && dst->type == T_SCALAR && (err = mark_chain_precision(env, insn->dst_reg)))
			return err;
		if (pred == 1) {
			*insn_idx += (uint32_t)(int32_t)insn->off;
			return 0;
		}
		if (pred == 0)
			return 0;
	}
	struct vstate *other = push_stack(env, *insn_idx + (uint32_t)(int32_t)insn->off + 1, *insn_idx);
	if (!other)
		return -EFAULT;
	struct vreg *oregs = other->frame[other->curframe]->regs;

	if (V_SRC(insn->code) == BPF_X) {
		struct vreg *src = &regs[insn->src_reg];
		if (dst->type == T_SCALAR && src->type == T_SCALAR) {
			bool src_const = is32 ? tnum_subreg_is_const(src->var_off) : tnum_is_const(src->var_off);
			bool dst_const = is32 ? tnum_subreg_is_const(dst->var_off) : tnum_is_const(dst->var_off);
			if (src_const)
				reg_set_min_max(&oregs[insn->dst_reg], dst, src->var_off.value, op, is32);
			else if (dst_const)
				reg_set_min_max_inv(&oregs[insn->src_reg], src, dst->var_off.value, op, is32);
			else if (!is32 && op == BPF_JEQ)
				reg_combine_eq(&oregs[insn->src_reg], &oregs[insn->dst_reg]);
			else if (!is32 && op == BPF_JNE)
				reg_combine_eq(src, dst);
		}
	} else if (dst->type == T_SCALAR) {
		reg_set_min_max(&oregs[insn->dst_reg], dst, (uint64_t)(int64_t)insn->imm, op, is32);
	}

	if (!is32 && V_SRC(insn->code) == BPF_K && insn->imm == 0 && (op == BPF_JEQ || op == BPF_JNE) &&
	    type_may_be_null(dst->type)) {
		/* both branches from the same register state: take the id
		 * before marking changes it */
		struct vreg checked = *dst;
		mark_ptr_or_null_regs(this_branch, &checked, op == BPF_JNE);
		mark_ptr_or_null_regs(other, &checked, op == BPF_JEQ);
	} else if (!match_pkt_pointers(insn, dst, &regs[insn->src_reg], this_branch, other) &&
		   is_pointer_reg(env, insn->dst_reg)) {
		vlog(env, "R%d pointer comparison prohibited\n", insn->dst_reg);
		return -EACCES;
	}
	if (env->log_level & 3)
		vprint_state(env, cur_frame(env));
	return 0;
}
