/* The walk over every path of the program (the kernel's do_check): one
 * instruction at a time on the current state, branches pushed to be
 * explored later, paths pruned where an equivalent state was already
 * proven safe, until every path has reached its exit. */
#include "verifier/env.h"
#include "core/prog.h"
#include "maps/map.h"
#include <stdlib.h>

/* LD_IMM64: a constant, a map (src 1) or the address of a map's value
 * (src 2); the command layer already replaced map fds with addresses. */
static int check_ld_imm(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	int err;
	if (V_SIZE(insn->code) != BPF_DW) {
		vlog(env, "invalid BPF_LD_IMM insn\n");
		return -EINVAL;
	}
	if (insn->off != 0) {
		vlog(env, "BPF_LD_IMM64 uses reserved fields\n");
		return -EINVAL;
	}
	if ((err = check_reg_arg(env, insn->dst_reg, DST_OP)))
		return err;
	struct vreg *dst = &regs[insn->dst_reg];
	uint64_t imm = (uint64_t)(uint32_t)insn[1].imm << 32 | (uint32_t)insn[0].imm;
	if (insn->src_reg == 0) {
		reg_set_const(dst, imm);
		return 0;
	}
	const struct bpfvm_prog *prog = env->prog;
	for (uint32_t i = 0; i < prog->used_map_cnt; i++) {
		struct bpfvm_map *m = prog->used_maps[i];
		if (insn->src_reg == BPF_PSEUDO_MAP_FD && imm == (uint64_t)(uintptr_t)m) {
			dst->type = T_MAP_PTR;
			reg_set_known_zero(dst);
			dst->map = m;
			return 0;
		}
		if (insn->src_reg == BPF_PSEUDO_MAP_VALUE && m->ops->direct_value_addr) {
			uint64_t base = (uint64_t)(uintptr_t)m->ops->direct_value_addr(m);
			if (base && imm >= base && imm < base + m->value_size) {
				dst->type = T_MAP_VALUE;
				reg_set_known_zero(dst);
				dst->map = m;
				dst->off = (int32_t)(imm - base);
				if (m->spin_lock_off >= 0)
					dst->id = ++env->id_gen;
				return 0;
			}
		}
	}
	vlog(env, "bpf verifier is misconfigured\n");
	return -EINVAL;
}

static int check_exit(struct venv *env, bool *done)
{
	int err;
	if (env->cur->active_lock) {
		vlog(env, "bpf_spin_unlock is missing\n");
		return -EINVAL;
	}
	if (env->cur->curframe) {
		/* return from a BPF function to its caller */
		env->prev_insn_idx = env->insn_idx;
		if ((err = prepare_func_exit(env, &env->insn_idx)))
			return err;
		env->do_print_state = true;
		*done = false;
		return 0;
	}
	if ((err = check_reference_leak(env)))
		return err;
	/* r0 is the program's result: it must have been written */
	if ((err = check_reg_arg(env, BPF_REG_0, SRC_OP)))
		return err;
	if (is_pointer_reg(env, BPF_REG_0)) {
		vlog(env, "R0 leaks addr as return value\n");
		return -EACCES;
	}
	if ((err = check_return_code(env)))
		return err;
	*done = true;
	return 0;
}

/* One path ended: its ancestors are one path closer to finished; go on
 * with the next branch. Returns 1 when there is none left. */
static int next_path(struct venv *env)
{
	update_branch_counts(env, env->cur);
	int err = pop_stack(env, &env->prev_insn_idx, &env->insn_idx);
	if (err == -ENOENT)
		return 1;
	env->do_print_state = true;
	return err;
}

static int check_jmp(struct venv *env, const struct bpf_insn *insn, bool *advance)
{
	uint8_t op = V_OP(insn->code);
	int err;
	env->jmps_processed++;
	if (op == BPF_CALL) {
		if (V_SRC(insn->code) == BPF_X) {
			/* callx (cpu v4): a helper chosen at run time */
			vlog(env, "unknown opcode %02x\n", insn->code);
			return -EINVAL;
		}
		if (env->cur->active_lock && (insn->src_reg == BPF_PSEUDO_CALL || insn->imm != BPF_FUNC_spin_unlock)) {
			vlog(env, "function calls are not allowed while holding a lock\n");
			return -EINVAL;
		}
		if (insn->src_reg == BPF_PSEUDO_CALL)
			return check_func_call(env, insn, &env->insn_idx);
		return check_helper_call(env, insn->imm, env->insn_idx);
	}
	if (op == BPF_JA) {
		int32_t off = V_CLASS(insn->code) == BPF_JMP32 ? insn->imm : insn->off;
		env->insn_idx += (uint32_t)off + 1;
		*advance = false;
		return 0;
	}
	if (op == BPF_EXIT) {
		bool done = false;
		if ((err = check_exit(env, &done)))
			return err;
		*advance = false;
		if (!done)
			return 0;
		return next_path(env);
	}
	return check_cond_jmp_op(env, insn, &env->insn_idx);
}

static int check_insn(struct venv *env, const struct bpf_insn *insn, bool *advance)
{
	uint8_t cls = V_CLASS(insn->code);
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu_op(env, insn);
	case BPF_LDX:
		return check_ldx(env, insn);
	case BPF_STX:
		if (V_MODE(insn->code) == BPF_ATOMIC)
			return check_atomic(env, insn);
		return check_stx(env, insn);
	case BPF_ST:
		return check_st(env, insn);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(env, insn, advance);
	case BPF_LD:
		if (V_MODE(insn->code) == BPF_ABS || V_MODE(insn->code) == BPF_IND)
			return check_ld_abs(env, insn);
		if (V_MODE(insn->code) == BPF_IMM) {
			int err = check_ld_imm(env, insn);
			env->insn_idx++;
			env->aux[env->insn_idx].seen = 1;
			return err;
		}
		vlog(env, "invalid BPF_LD mode\n");
		return -EINVAL;
	}
	vlog(env, "unknown insn class %d\n", cls);
	return -EINVAL;
}

int do_check(struct venv *env)
{
	struct vstate *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	env->cur = st;
	if (!(st->frame[0] = frame_new(-1, 0, 0)))
		return -ENOMEM;
	st->branches = 1;
	struct vreg *r1 = &st->frame[0]->regs[BPF_REG_1];
	r1->type = T_CTX;
	reg_set_known_zero(r1);
	env->insn_idx = 0;
	env->prev_insn_idx = 0;

	for (;;) {
		uint32_t idx = env->insn_idx;
		if (idx >= env->len) {
			vlog(env, "invalid insn idx %u insn_cnt %u\n", idx, env->len);
			return -EFAULT;
		}
		const struct bpf_insn *insn = &env->insns[idx];
		if (++env->insn_processed > env->opts.insn_limit) {
			vlog(env, "BPF program is too large. Processed %llu insn\n",
			     (unsigned long long)env->insn_processed);
			return -E2BIG;
		}
		/* the path's history: every step that is not to the next insn */
		struct vstate *cur = env->cur;
		bool jumped = cur->has_last && idx != cur->last_insn + 1;
		env->checkpointed = false;
		int err = is_state_visited(env, idx, jumped);
		if (err < 0)
			return err;
		if (err == 0 && jumped && !env->checkpointed && (err = push_hist(cur, idx, cur->last_insn)) < 0)
			return err;
		if (err == 1) {
			if (env->log_level & 3) {
				if (env->do_print_state)
					vlog(env, "\nfrom %u to %u: safe\n", env->prev_insn_idx, idx);
				else
					vlog(env, "%u: safe\n", idx);
			}
			err = next_path(env);
			if (err < 0)
				return err;
			if (err == 1)
				break;
			continue;
		}
		if ((env->log_level & 2) || ((env->log_level & 3) && env->do_print_state)) {
			if (env->log_level & 2)
				vlog(env, "%u:", idx);
			else
				vlog(env, "\nfrom %u to %u:", env->prev_insn_idx, idx);
			vprint_state(env, cur_frame(env));
			env->do_print_state = false;
		}
		if (env->log_level & 3) {
			vlog(env, "%u: ", idx);
			vprint_insn(env, insn);
		}
		env->aux[idx].seen = 1;
		cur->last_insn = idx;
		cur->has_last = true;
		bool advance = true;
		err = check_insn(env, insn, &advance);
		if (err < 0)
			return err;
		if (err == 1)
			break;          /* the last path ended */
		if (advance)
			env->insn_idx++;
	}
	return 0;
}
