/* Which path a program loaded with BPF_PROG_LOAD runs on in bpfvm: the
 * fast path once bpfvm's verifier has proven it (prog->verified), checked
 * otherwise. The public API does not say, so this one function reads
 * bpfvm's internals (src/core/prog.h); it is the only such place in the
 * harness, kept apart so that a change there touches one file. */
#include "bench.h"
#include "core/prog.h"
#include "maps/map.h"

const char *bench_bpfvm_prog_mode(struct bpfvm *vm, int fd)
{
	struct bpfvm_prog *p;
	if (bpfvm_sys_fd_to_prog(vm, fd, &p) < 0)
		return "?";
	const char *mode = p->verified ? "fast" : "checked";
	bpfvm_prog_put(p);
	return mode;
}
