/* Direct execution: a program validated structurally and run on its own,
 * without the command layer (the raw runner, the conformance plugin, hosts
 * that embed the vm as a plain sandbox). */
#include "core/vm.h"
#include "interp/interp.h"
#include "isa/opcodes.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bpfvm_exec {
	struct bpfvm *vm;
	struct bpfvm_code code;
	uint32_t flags;
	uint64_t insn_limit;
	void *user;
};

/* Every helper a program calls must exist in the vm's registry (the
 * kernel's "invalid func unknown#N"). */
static int check_calls(const struct bpfvm *vm, const struct bpf_insn *insns, const uint16_t *ops,
		       size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i] != OP_CALL || insns[i].src_reg == BPF_PSEUDO_CALL)
			continue;
		int32_t id = insns[i].imm;
		if (id < 0 || id >= BPFVM_MAX_HELPERS || !vm->helpers[id].proto.fn) {
			if (err && errlen)
				snprintf(err, errlen, "insn %zu: invalid func unknown#%d", i, id);
			return -EINVAL;
		}
	}
	return 0;
}

void bpfvm_code_fini(struct bpfvm_code *code)
{
	bpfvm_code_release_decoded(code);
	free(code->ops);
	free(code->insns);
	memset(code, 0, sizeof(*code));
}

int bpfvm_code_init(struct bpfvm_code *code, const struct bpfvm *vm, const struct bpf_insn *insns,
		    size_t n, int isa, unsigned vflags, char *err, size_t errlen)
{
	memset(code, 0, sizeof(*code));
	if (n > BPFVM_MAX_INSNS) {
		if (err && errlen)
			snprintf(err, errlen, "program of %zu insns is too large (limit %u)", n, BPFVM_MAX_INSNS);
		return -E2BIG;
	}
	code->ops = calloc(n ? n : 1, sizeof(*code->ops));
	code->insns = malloc((n ? n : 1) * sizeof(*insns));
	if (!code->ops || !code->insns) {
		bpfvm_code_fini(code);
		return -ENOMEM;
	}
	if (n)
		memcpy(code->insns, insns, n * sizeof(*insns));
	code->len = (uint32_t)n;
	code->isa = isa;
	code->helpers = vm->helpers;
	int rc = bpfvm_validate(insns, n, isa, vflags, code->ops, err, errlen);
	if (rc == 0)
		rc = check_calls(vm, insns, code->ops, n, err, errlen);
	if (rc < 0)
		bpfvm_code_fini(code);
	return rc;
}

BPFVM_API int bpfvm_exec_new(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			     const struct bpfvm_exec_opts *opts, struct bpfvm_exec **out,
			     char *err, size_t errlen)
{
	struct bpfvm_exec_opts o = { .sz = sizeof(o), .isa = BPFVM_ISA_V51 };
	if (err && errlen)
		err[0] = 0;
	if (!vm || !out || (!insns && insn_cnt))
		return -EINVAL;
	*out = NULL;
	if (opts) {
		size_t sz = opts->sz < sizeof(o) ? opts->sz : sizeof(o);
		memcpy(&o, opts, sz);
	}
	if (o.isa > BPFVM_ISA_V4 || (o.flags & ~(uint32_t)BPFVM_EXEC_UNCHECKED))
		return -EINVAL;
	struct bpfvm_exec *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->vm = vm;
	e->flags = o.flags;
	e->insn_limit = o.insn_limit;
	e->user = o.user;
	int rc = bpfvm_code_init(&e->code, vm, insns, insn_cnt, (int)o.isa, 0, err, errlen);
	if (rc == 0)
		rc = bpfvm_code_decode(&e->code, (o.flags & BPFVM_EXEC_UNCHECKED) ? MODE_FAST : MODE_CHECKED);
	if (rc < 0) {
		bpfvm_code_fini(&e->code);
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

BPFVM_API int bpfvm_exec_run(struct bpfvm_exec *e, void *mem, size_t len, uint64_t *r0,
			     char *err, size_t errlen)
{
	struct bpfvm_run run;
	uint64_t ret = 0;
	int checked = !(e->flags & BPFVM_EXEC_UNCHECKED);
	bpfvm_run_init(&run, e->vm, checked);
	run.user = e->user;
	run.cpu = bpfvm_current_cpu(e->vm);
	run.insn_limit = e->insn_limit;
	if (mem && len)
		bpfvm_run_add_region(&run, mem, len, 1);
	int rc = bpfvm_interp_run(&e->code, &run, (uint64_t)(uintptr_t)mem, (uint64_t)len, &ret);
	if (rc < 0 && err && errlen)
		snprintf(err, errlen, "%s", run.err);
	bpfvm_run_fini(&run);
	if (rc == 0 && r0)
		*r0 = ret;
	return rc;
}

BPFVM_API void bpfvm_exec_free(struct bpfvm_exec *e)
{
	if (!e)
		return;
	bpfvm_code_fini(&e->code);
	free(e);
}
