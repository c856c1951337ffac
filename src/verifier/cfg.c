/* The control-flow graph, before any state is tracked: subprograms (the
 * targets of BPF-to-BPF calls) and their boundaries, a depth-first walk
 * that finds back-edges (loops) and unreachable instructions and marks the
 * pruning points, and the combined stack depth of call chains (the
 * kernel's check_subprogs, check_cfg and check_max_stack_depth). */
#include "verifier/env.h"
#include <stdlib.h>
#include <string.h>

static bool is_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL);
}

static bool is_pseudo_call(const struct bpf_insn *in)
{
	return is_call(in) && in->src_reg == BPF_PSEUDO_CALL;
}

static bool is_gotol(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP32 | BPF_JA);
}

/* Relative target of a jump: off, or imm for cpu v4's gotol. */
static int64_t jump_target(const struct bpf_insn *insns, uint32_t i)
{
	return (int64_t)i + 1 + (is_gotol(&insns[i]) ? (int64_t)insns[i].imm : (int64_t)insns[i].off);
}

int find_subprog(struct venv *env, uint32_t insn)
{
	uint32_t lo = 0, hi = env->nsubprog;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (env->subprog[mid].start == insn)
			return (int)mid;
		if (env->subprog[mid].start < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int add_subprog(struct venv *env, int64_t off)
{
	if (off < 0 || off >= env->len) {
		vlog(env, "call to invalid destination\n");
		return -EINVAL;
	}
	if (find_subprog(env, (uint32_t)off) >= 0)
		return 0;
	if (env->nsubprog >= V_MAX_SUBPROGS) {
		vlog(env, "too many subprograms\n");
		return -E2BIG;
	}
	/* keep them sorted by start */
	uint32_t k = env->nsubprog;
	while (k > 0 && env->subprog[k - 1].start > (uint32_t)off) {
		env->subprog[k] = env->subprog[k - 1];
		k--;
	}
	env->subprog[k].start = (uint32_t)off;
	env->subprog[k].stack_depth = 0;
	env->nsubprog++;
	return 0;
}

int check_subprogs(struct venv *env)
{
	const struct bpf_insn *in = env->insns;
	int err;
	if ((err = add_subprog(env, 0)))
		return err;
	for (uint32_t i = 0; i < env->len; i++) {
		if (!is_pseudo_call(&in[i]))
			continue;
		if (!env->opts.allow_ptr_leaks) {
			vlog(env, "function calls to other bpf functions are allowed for root only\n");
			return -EPERM;
		}
		if ((err = add_subprog(env, (int64_t)i + in[i].imm + 1)))
			return err;
	}
	/* a fake last subprog that ends the real ones */
	env->subprog[env->nsubprog].start = env->len;
	if (env->log_level > 1)
		for (uint32_t i = 0; i < env->nsubprog; i++)
			vlog(env, "func#%u @%u\n", i, env->subprog[i].start);

	uint32_t cur = 0, start = env->subprog[0].start, end = env->subprog[1].start;
	for (uint32_t i = 0; i < env->len; i++) {
		uint8_t code = in[i].code;
		uint8_t cls = V_CLASS(code);
		if ((cls == BPF_JMP || cls == BPF_JMP32) && V_OP(code) != BPF_EXIT && V_OP(code) != BPF_CALL) {
			int64_t off = jump_target(in, i);
			if (off < start || off >= end) {
				vlog(env, "jump out of range from insn %u to %lld\n", i, (long long)off);
				return -EINVAL;
			}
		}
		if (i == end - 1) {
			/* no falling through from one function into the next */
			if (code != (BPF_JMP | BPF_EXIT) && code != (BPF_JMP | BPF_JA) && !is_gotol(&in[i])) {
				vlog(env, "last insn is not an exit or jmp\n");
				return -EINVAL;
			}
			start = end;
			cur++;
			if (cur < env->nsubprog)
				end = env->subprog[cur + 1].start;
		}
	}
	return 0;
}

/* ---- depth-first walk ---- */

enum { FALLTHROUGH = 1, BRANCH = 2 };

struct edge {
	int64_t to;
	uint8_t kind;
	bool loop_ok;           /* may close a loop (jumps; not calls, not fall-through) */
};

/* The successors of insn t, in the kernel's order (fall-through first). */
static int successors(struct venv *env, uint32_t t, struct edge e[2])
{
	const struct bpf_insn *in = &env->insns[t];
	uint8_t cls = V_CLASS(in->code), op = V_OP(in->code);
	if (cls != BPF_JMP && cls != BPF_JMP32) {
		e[0] = (struct edge){ (int64_t)t + 1, FALLTHROUGH, false };
		return 1;
	}
	if (op == BPF_EXIT)
		return 0;
	if (op == BPF_CALL) {
		e[0] = (struct edge){ (int64_t)t + 1, FALLTHROUGH, false };
		if (in->src_reg == BPF_PSEUDO_CALL) {
			e[1] = (struct edge){ (int64_t)t + in->imm + 1, BRANCH, false };
			return 2;
		}
		return 1;
	}
	if (op == BPF_JA) {
		e[0] = (struct edge){ jump_target(env->insns, t), FALLTHROUGH, true };
		return 1;
	}
	e[0] = (struct edge){ (int64_t)t + 1, FALLTHROUGH, true };
	e[1] = (struct edge){ jump_target(env->insns, t), BRANCH, true };
	return 2;
}

/* Pruning points: where paths meet (jump targets), after calls and
 * unconditional jumps, and the conditional jumps themselves. */
static void mark_prune_points(struct venv *env, uint32_t t)
{
	const struct bpf_insn *in = &env->insns[t];
	uint8_t cls = V_CLASS(in->code), op = V_OP(in->code);
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return;
	if (op == BPF_EXIT)
		return;
	if (op == BPF_CALL) {
		if (t + 1 < env->len)
			env->aux[t + 1].prune = 1;
		if (in->src_reg == BPF_PSEUDO_CALL)
			env->aux[t].prune = 1;
		return;
	}
	if (op == BPF_JA) {
		int64_t w = jump_target(env->insns, t);
		if (w >= 0 && w < env->len)
			env->aux[w].prune = 1;
		if (t + 1 < env->len)
			env->aux[t + 1].prune = 1;
		return;
	}
	env->aux[t].prune = 1;
}

int check_cfg(struct venv *env)
{
	uint32_t n = env->len;
	uint8_t *state = calloc(n, 1);          /* 0 new, 1 on the path, 2 done */
	struct frame { uint32_t t; uint8_t next; } *stack = malloc(n * sizeof(*stack));
	int err = 0;
	if (!state || !stack) {
		err = -ENOMEM;
		goto out;
	}
	uint32_t sp = 0;
	stack[sp++] = (struct frame){ 0, 0 };
	state[0] = 1;
	while (sp) {
		struct frame *top = &stack[sp - 1];
		uint32_t t = top->t;
		struct edge e[2];
		int ne = successors(env, t, e);
		if (top->next == 0)
			mark_prune_points(env, t);
		if (top->next >= ne) {
			state[t] = 2;
			sp--;
			continue;
		}
		struct edge *ed = &e[top->next++];
		if (ed->to < 0 || ed->to >= n) {
			vlog(env, "jump out of range from insn %u to %lld\n", t, (long long)ed->to);
			err = -EINVAL;
			goto out;
		}
		uint32_t w = (uint32_t)ed->to;
		if (ed->kind == BRANCH)
			env->aux[w].prune = 1;
		if (state[w] == 0) {
			state[w] = 1;
			stack[sp++] = (struct frame){ w, 0 };
		} else if (state[w] == 1) {
			/* Loops: v5.1 refuses all; since 5.3 a privileged program
			 * may loop if every path provably ends (do_check). */
			if (ed->loop_ok && !env->opts.strict_loops && env->opts.allow_ptr_leaks)
				continue;
			vlog(env, "back-edge from insn %u to %u\n", t, w);
			err = -EINVAL;
			goto out;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (state[i] != 2) {
			vlog(env, "unreachable insn %u\n", i);
			err = -EINVAL;
			goto out;
		}
	}
out:
	free(state);
	free(stack);
	return err;
}

/* check_max_stack_depth: the stacks of a call chain, each rounded up to
 * 32 bytes, must fit in 512 bytes together (as in the kernel, whose
 * interpreter gives each frame only what it needs). The kernel walks every
 * chain; the deepest stack below each function is memoized here so that
 * many calls of many functions stay cheap, and the walk only enters a call
 * whose chains can overflow: the first overflow found is the kernel's. */
static uint32_t frame_size(const struct venv *env, uint32_t idx)
{
	uint32_t d = env->subprog[idx].stack_depth;
	return ((d ? d : 1) + 31) & ~31u;
}

static int deepest(struct venv *env, uint32_t idx, uint32_t level, uint32_t *memo, uint32_t *frames)
{
	if (memo[idx] && level + frames[idx] <= BPFVM_MAX_CALL_FRAMES)
		return 0;
	if (level >= BPFVM_MAX_CALL_FRAMES) {
		vlog(env, "the call stack of %u frames is too deep\n", level + 1);
		return -E2BIG;
	}
	uint32_t below = 0, fbelow = 0;
	for (uint32_t i = env->subprog[idx].start; i < env->subprog[idx + 1].start; i++) {
		if (!is_pseudo_call(&env->insns[i]))
			continue;
		int sub = find_subprog(env, i + (uint32_t)env->insns[i].imm + 1);
		if (sub < 0) {
			vlog(env, "verifier bug. No program starts at insn %u\n", i + (uint32_t)env->insns[i].imm + 1);
			return -EFAULT;
		}
		int err = deepest(env, (uint32_t)sub, level + 1, memo, frames);
		if (err)
			return err;
		if (below < memo[sub])
			below = memo[sub];
		if (fbelow < frames[sub])
			fbelow = frames[sub];
	}
	memo[idx] = frame_size(env, idx) + below;
	frames[idx] = 1 + fbelow;
	return 0;
}

static int walk_depth(struct venv *env, uint32_t idx, uint32_t depth, uint32_t frame, const uint32_t *memo)
{
	depth += frame_size(env, idx);
	if (depth > BPFVM_STACK_SIZE) {
		vlog(env, "combined stack size of %u calls is %u. Too large\n", frame + 1, depth);
		return -EACCES;
	}
	for (uint32_t i = env->subprog[idx].start; i < env->subprog[idx + 1].start; i++) {
		if (!is_pseudo_call(&env->insns[i]))
			continue;
		uint32_t sub = (uint32_t)find_subprog(env, i + (uint32_t)env->insns[i].imm + 1);
		if (depth + memo[sub] > BPFVM_STACK_SIZE)
			return walk_depth(env, sub, depth, frame + 1, memo);
	}
	return 0;
}

int check_max_stack_depth(struct venv *env)
{
	uint32_t *memo = calloc(2 * (env->nsubprog + 1), sizeof(*memo));
	if (!memo)
		return -ENOMEM;
	int err = deepest(env, 0, 0, memo, memo + env->nsubprog + 1);
	if (!err && memo[0] > BPFVM_STACK_SIZE)
		err = walk_depth(env, 0, 0, 0, memo);
	free(memo);
	return err;
}
