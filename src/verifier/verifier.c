/* The driver (the kernel's bpf_check): the control-flow checks, the walk
 * over all paths, the combined stack depth, then the rewrites, the
 * statistics line and the decoding that prepares the program to run. */
#include "verifier/verifier.h"
#include "verifier/env.h"
#include "core/log.h"
#include "core/prog.h"
#include "core/vm.h"
#include "interp/interp.h"
#include "maps/map.h"
#include "progs/progs.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

BPFVM_API void bpfvm_verifier_set_flags(struct bpfvm *vm, uint32_t flags)
{
	vm->verifier_flags = flags;
}

static void print_stats(struct venv *env, uint64_t ns)
{
	if (env->log_level & 4) {
		vlog(env, "verification time %llu usec\n", (unsigned long long)(ns / 1000));
		vlog(env, "stack depth ");
		for (uint32_t i = 0; i < env->nsubprog; i++)
			vlog(env, "%u%s", env->subprog[i].stack_depth, i + 1 < env->nsubprog ? "+" : "");
		vlog(env, "\n");
	}
	vlog(env, "processed %llu insns (limit %u) max_states_per_insn %u total_states %u peak_states %u mark_read %u\n",
	     (unsigned long long)env->insn_processed, env->opts.insn_limit, env->max_states_per_insn,
	     env->total_states, env->peak_states, env->longest_mark_read);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void free_env(struct venv *env)
{
	free_explored(env);
	free(env->explored);
	env->explored = NULL;
	if (env->cur) {
		state_free(env->cur);
		free(env->cur);
		env->cur = NULL;
	}
}

static bool map_prealloc(const struct bpfvm_map *m)
{
	return (m->map_type != BPF_MAP_TYPE_HASH && m->map_type != BPF_MAP_TYPE_PERCPU_HASH &&
		m->map_type != BPF_MAP_TYPE_HASH_OF_MAPS) || !(m->map_flags & BPF_F_NO_PREALLOC);
}

/* check_map_prog_compatibility: maps a program type may not use. */
static int check_map_prog(struct venv *env, const struct bpfvm_map *m)
{
	uint32_t t = env->prog_type;
	if (t == BPF_PROG_TYPE_PERF_EVENT) {
		if (!map_prealloc(m)) {
			vlog(env, "perf_event programs can only use preallocated hash map\n");
			return -EINVAL;
		}
		if (m->inner_meta && !map_prealloc(m->inner_meta)) {
			vlog(env, "perf_event programs can only use preallocated inner hash map\n");
			return -EINVAL;
		}
	}
	bool tracing = t == BPF_PROG_TYPE_KPROBE || t == BPF_PROG_TYPE_TRACEPOINT || t == BPF_PROG_TYPE_PERF_EVENT ||
		       t == BPF_PROG_TYPE_RAW_TRACEPOINT;
	if ((tracing || t == BPF_PROG_TYPE_SOCKET_FILTER) && m->spin_lock_off >= 0) {
		vlog(env, "tracing progs cannot use bpf_spin_lock yet\n");
		return -EINVAL;
	}
	return 0;
}

/* The pass of replace_map_fd_with_map_ptr that precedes everything: the
 * opcodes v5.1 knows (in v5.1 mode) and the maps' compatibility with the
 * program type, insn by insn. */
static int check_insns_and_maps(struct venv *env)
{
	for (uint32_t i = 0; i < env->len; i++) {
		const struct bpf_insn *in = &env->insns[i];
		uint8_t c = in->code;
		/* v5.1's loop checked, in this order: LDX and STX reserved
		 * fields (an XADD with imm != 0 included: the atomics of 5.12
		 * came later), LD_IMM64, then the opcode table */
		if (env->opts.v51 && V_CLASS(c) == BPF_LDX && (V_MODE(c) != BPF_MEM || in->imm)) {
			vlog(env, "BPF_LDX uses reserved fields\n");
			return -EINVAL;
		}
		if (env->opts.v51 && V_CLASS(c) == BPF_STX &&
		    ((V_MODE(c) != BPF_MEM && V_MODE(c) != BPF_ATOMIC) || in->imm)) {
			vlog(env, "BPF_STX uses reserved fields\n");
			return -EINVAL;
		}
		if (env->opts.v51 && (c == (BPF_JMP32 | BPF_JA) || c == 0xd7 || c == (BPF_JMP | BPF_CALL | BPF_X))) {
			vlog(env, "unknown opcode %02x\n", c);
			return -EINVAL;
		}
		if (c != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			uint64_t addr = (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm;
			for (uint32_t k = 0; k < env->prog->used_map_cnt; k++) {
				const struct bpfvm_map *m = env->prog->used_maps[k];
				if (addr == (uint64_t)(uintptr_t)m || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
					int err = check_map_prog(env, m);
					if (err)
						return err;
				}
			}
		}
		i++;
	}
	return 0;
}

/* Decodes for running: the fast path only for programs proven safe; the
 * checked path for the program as the context model's checked accessors
 * expect it (not after context rewrites, which target the model). */
static int prepare_to_run(struct bpfvm_prog *prog, bool rewritten)
{
	int rc = 0;
	if (!rewritten)
		rc = bpfvm_code_decode(&prog->code, MODE_CHECKED);
	if (rc == 0 && prog->verified)
		rc = bpfvm_code_decode(&prog->code, MODE_FAST);
	return rc;
}

int bpfvm_verify_flags(struct bpfvm *vm, struct bpfvm_prog *prog, const union bpf_attr *attr, struct bpfvm_log *log,
		       uint32_t flags)
{
	uint64_t t0 = now_ns();
	/* v5.1 refused more than BPF_MAXINSNS (4096) insns at the syscall,
	 * before the verifier opened the log; root got 1M only in 5.2 */
	if ((flags & BPFVM_VERIFIER_V51) && prog->code.len > V_MAXINSNS_V51)
		return -E2BIG;
	struct venv *env = calloc(1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	env->vm = vm;
	env->prog = prog;
	env->prog_type = prog->type;
	env->type = bpfvm_prog_type_get(prog->type);
	env->insns = prog->code.insns;
	env->len = prog->code.len;
	env->log = log;
	env->log_level = log ? log->level : 0;
	env->opts.v51 = flags & BPFVM_VERIFIER_V51;
	env->opts.strict_loops = (flags & BPFVM_VERIFIER_STRICT_LOOPS) || env->opts.v51;
	env->opts.allow_ptr_leaks = !(flags & BPFVM_VERIFIER_UNPRIV);
	env->opts.insn_limit = env->opts.v51 ? V_INSN_LIMIT_V51 : V_INSN_LIMIT;
	/* x86-64 and arm64 have efficient unaligned access: strict only on
	 * request (check_ptr_alignment keeps the stack strict anyway) */
	env->strict_alignment = (attr->prog_flags & BPF_F_STRICT_ALIGNMENT) && !(attr->prog_flags & BPF_F_ANY_ALIGNMENT);
	prog->verified = 0;

	int err = -ENOMEM;
	env->aux = calloc(env->len, sizeof(*env->aux));
	env->explored = calloc(env->len, sizeof(*env->explored));
	if (!env->type)
		err = -EINVAL;
	else if (env->aux && env->explored) {
		err = check_insns_and_maps(env);
		if (!err)
			err = check_subprogs(env);
		if (!err)
			err = check_cfg(env);
		/* precision tracking as 5.3 has it: root only, one function
		 * (otherwise every scalar is precise); v5.1 had none */
		env->precision = env->opts.allow_ptr_leaks && !env->opts.v51 && env->nsubprog <= 1;
		if (!err)
			err = do_check(env);
	}
	free_env(env);
	if (!err)
		err = check_max_stack_depth(env);
	bool fast_ok = false;
	if (!err)
		err = verifier_fixups(env, &fast_ok);
	print_stats(env, now_ns() - t0);
	if (!err) {
		prog->verified = fast_ok;
		err = prepare_to_run(prog, env->rewritten);
	}
	free(env->aux);
	free(env);
	return err;
}

int bpfvm_verify(struct bpfvm *vm, struct bpfvm_prog *prog, const union bpf_attr *attr, struct bpfvm_log *log)
{
	return bpfvm_verify_flags(vm, prog, attr, log, vm->verifier_flags);
}
