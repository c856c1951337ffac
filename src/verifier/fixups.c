/* After verification: the rewrites that let the program run unchecked.
 *
 * - Instructions no path reached become "goto -1" (the kernel's
 *   sanitize_dead_code of v5.1): jumping there would take a verifier bug.
 * - Context accesses go through the program type's convert_ctx_access
 *   hook: r1 points at the type's model, not at the UAPI struct. Without a
 *   hook (or if it refuses a field), nothing is rewritten and the program
 *   stays on the checked path. Socket pointers point at UAPI-layout views
 *   in the socket model and flow keys at a plain struct: no rewrite.
 * - Jumps and calls across a rewritten instruction are moved, as the
 *   kernel's bpf_patch_insn_data / adjust_branches do.
 * 32-bit zero extension needs nothing: the interpreter always zero-extends.
 */
#include "verifier/env.h"
#include "core/prog.h"
#include "interp/interp.h"
#include "isa/opcodes.h"
#include "progs/progs.h"
#include <stdlib.h>
#include <string.h>

#define MAX_PATCH 16

struct patch {
	uint32_t idx;
	uint32_t n;
	struct bpf_insn insns[MAX_PATCH];
};

/* Replaces code's instructions with insns[0..n) (taking ownership): the
 * validator recomputes the per-slot ops; decodes are dropped. */
int vcode_replace(struct bpfvm_code *code, struct bpf_insn *insns, uint32_t n)
{
	uint16_t *ops = calloc(n ? n : 1, sizeof(*ops));
	struct bpf_insn *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	char err[160];
	int rc = -ENOMEM;
	if (!ops || !tmp)
		goto fail;
	/* map addresses fill the second half of LD_IMM64 by now; the
	 * validator wants it as user space wrote it */
	memcpy(tmp, insns, n * sizeof(*tmp));
	for (uint32_t i = 0; i + 1 < n; i++)
		if (tmp[i].code == (BPF_LD | BPF_IMM | BPF_DW) && tmp[i].src_reg) {
			tmp[i + 1].imm = 0;
			i++;
		}
	rc = bpfvm_validate(tmp, n, code->isa, VALIDATE_ALLOW_PSEUDO_MAP, ops, err, sizeof(err));
	if (rc < 0)
		goto fail;
	free(tmp);
	bpfvm_code_release_decoded(code);
	free(code->insns);
	free(code->ops);
	code->insns = insns;
	code->ops = ops;
	code->len = n;
	return 0;
fail:
	free(ops);
	free(tmp);
	return rc;
}

static void sanitize_dead_code(struct venv *env)
{
	for (uint32_t i = 0; i < env->len; i++)
		if (!env->aux[i].seen)
			env->insns[i] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = -1 };
}

static bool is_jump(const struct bpf_insn *in)
{
	uint8_t cls = V_CLASS(in->code), op = V_OP(in->code);
	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_EXIT && op != BPF_CALL;
}

/* BTF's func_info and line_info name instructions: they follow them (the
 * kernel's adjust_subprog_starts and line info adjustment). */
static void move_btf_info(struct bpfvm_prog *prog, const uint32_t *start, uint32_t n)
{
	struct bpf_func_info *fi = prog->func_info;
	struct bpf_line_info *li = prog->line_info;
	for (uint32_t i = 0; fi && i < prog->func_info_cnt; i++)
		if (fi[i].insn_off < n)
			fi[i].insn_off = start[fi[i].insn_off];
	for (uint32_t i = 0; li && i < prog->line_info_cnt; i++)
		if (li[i].insn_off < n)
			li[i].insn_off = start[li[i].insn_off];
}

/* Builds the patched program; -ERANGE if a jump no longer fits. *start
 * receives where each old instruction went (n + 1 entries). */
static int apply_patches(struct venv *env, const struct patch *p, uint32_t np, struct bpf_insn **out,
			 uint32_t *out_len, uint32_t **start_out)
{
	uint32_t n = env->len;
	uint32_t *start = malloc((n + 1) * sizeof(*start));
	if (!start)
		return -ENOMEM;
	uint64_t pos = 0;
	for (uint32_t i = 0, k = 0; i < n; i++) {
		start[i] = (uint32_t)pos;
		pos += k < np && p[k].idx == i ? p[k++].n : 1;
	}
	start[n] = (uint32_t)pos;
	if (pos > BPFVM_MAX_INSNS) {
		free(start);
		return -ERANGE;
	}
	struct bpf_insn *ni = malloc(pos * sizeof(*ni));
	if (!ni) {
		free(start);
		return -ENOMEM;
	}
	int err = 0;
	for (uint32_t i = 0, k = 0; i < n; i++) {
		if (k < np && p[k].idx == i) {
			memcpy(&ni[start[i]], p[k].insns, p[k].n * sizeof(*ni));
			k++;
			continue;
		}
		struct bpf_insn in = env->insns[i];
		bool gotol = in.code == (BPF_JMP32 | BPF_JA);
		bool pcall = in.code == (BPF_JMP | BPF_CALL) && in.src_reg == BPF_PSEUDO_CALL;
		if (is_jump(&in) || pcall) {
			int64_t rel = gotol || pcall ? in.imm : in.off;
			int64_t target = (int64_t)i + 1 + rel;
			int64_t nrel = (int64_t)start[target] - ((int64_t)start[i] + 1);
			if (gotol || pcall) {
				in.imm = (int32_t)nrel;
			} else if (nrel < INT16_MIN || nrel > INT16_MAX) {
				err = -ERANGE;
				break;
			} else {
				in.off = (int16_t)nrel;
			}
		}
		ni[start[i]] = in;
	}
	if (err) {
		free(start);
		free(ni);
		return err;
	}
	*out = ni;
	*out_len = (uint32_t)pos;
	*start_out = start;
	return 0;
}

/* convert_ctx_accesses: 0 with *fast_ok telling whether the program may
 * run unchecked. */
static int convert_ctx_accesses(struct venv *env, bool *fast_ok)
{
	const struct bpfvm_prog_type *t = env->type;
	uint32_t nctx = 0;
	for (uint32_t i = 0; i < env->len; i++)
		if (env->aux[i].seen && env->aux[i].ptr_type == T_CTX)
			nctx++;
	if (!nctx)
		return 0;
	if (!t->convert_ctx_access) {
		*fast_ok = false;
		return 0;
	}
	if (!*fast_ok)
		return 0;
	struct patch *p = malloc(nctx * sizeof(*p));
	if (!p)
		return -ENOMEM;
	uint32_t np = 0;
	for (uint32_t i = 0; i < env->len && *fast_ok; i++) {
		if (!env->aux[i].seen || env->aux[i].ptr_type != T_CTX)
			continue;
		const struct bpf_insn *in = &env->insns[i];
		int n = t->convert_ctx_access(in, (uint32_t)(int32_t)in->off, p[np].insns, MAX_PATCH);
		if (n <= 0 || n > MAX_PATCH) {
			*fast_ok = false;       /* a field the model cannot map: run checked */
			break;
		}
		p[np].idx = i;
		p[np].n = (uint32_t)n;
		np++;
	}
	int err = 0;
	if (*fast_ok) {
		struct bpf_insn *ni;
		uint32_t nlen, *start = NULL;
		err = apply_patches(env, p, np, &ni, &nlen, &start);
		if (err == 0) {
			err = vcode_replace(&env->prog->code, ni, nlen);
			if (err) {
				free(ni);
				*fast_ok = false;
				err = 0;
			} else {
				move_btf_info(env->prog, start, env->len);
				env->insns = ni;
				env->len = nlen;
				env->rewritten = true;
			}
			free(start);
		} else if (err == -ERANGE) {
			*fast_ok = false;
			err = 0;
		}
	}
	free(p);
	return err;
}

int verifier_fixups(struct venv *env, bool *fast_ok)
{
	*fast_ok = true;
	sanitize_dead_code(env);
	return convert_ctx_accesses(env, fast_ok);
}
