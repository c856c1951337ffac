/* The vm's lifecycle and host-settable knobs. */
#include "core/vm.h"
#include "sys/sys.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The current CPU is per thread; it is remembered together with the vm it
 * was set for, so that a thread driving two vms does not leak a setting
 * from one into the other. */
static _Thread_local const struct bpfvm *cpu_vm;
static _Thread_local unsigned int cpu_id;

static void trace_to_stderr(void *user, const char *line, size_t len)
{
	(void)user;
	fwrite(line, 1, len, stderr);
}

BPFVM_API struct bpfvm *bpfvm_new(void)
{
	struct bpfvm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->ncpus = 2;
	vm->trace_fn = trace_to_stderr;
	pthread_mutex_init(&vm->net_lock, NULL);
	bpfvm_helpers_install_builtin(vm);
	if (bpfvm_sys_init(vm) < 0) {
		free(vm);
		return NULL;
	}
	return vm;
}

BPFVM_API void bpfvm_free(struct bpfvm *vm)
{
	if (!vm)
		return;
	bpfvm_sys_fini(vm);
	bpfvm_net_clear(vm);
	pthread_mutex_destroy(&vm->net_lock);
	if (cpu_vm == vm)
		cpu_vm = NULL;
	free(vm);
}

BPFVM_API int bpfvm_set_ncpus(struct bpfvm *vm, unsigned int ncpus)
{
	if (ncpus == 0 || ncpus > 1024)
		return -EINVAL;
	if (vm->ncpus_frozen)
		return -EBUSY;
	vm->ncpus = ncpus;
	return 0;
}

BPFVM_API unsigned int bpfvm_ncpus(const struct bpfvm *vm)
{
	return vm->ncpus;
}

BPFVM_API int bpfvm_set_current_cpu(struct bpfvm *vm, unsigned int cpu)
{
	if (cpu >= vm->ncpus)
		return -EINVAL;
	cpu_vm = vm;
	cpu_id = cpu;
	return 0;
}

unsigned int bpfvm_current_cpu(const struct bpfvm *vm)
{
	return cpu_vm == vm ? cpu_id : 0;
}

BPFVM_API void bpfvm_set_trace_sink(struct bpfvm *vm, bpfvm_trace_fn fn, void *user)
{
	vm->trace_fn = fn ? fn : trace_to_stderr;
	vm->trace_user = fn ? user : NULL;
}

BPFVM_API void bpfvm_enable_stats(struct bpfvm *vm, int on)
{
	vm->stats_enabled = !!on;
}
