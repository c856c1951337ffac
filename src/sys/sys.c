/* The bpf() command layer. */
#include "sys/sys.h"
#include "core/vm.h"
#include <errno.h>

int bpfvm_sys_init(struct bpfvm *vm)
{
	(void)vm;
	return 0;
}

void bpfvm_sys_fini(struct bpfvm *vm)
{
	(void)vm;
}

BPFVM_API int bpfvm_bpf(struct bpfvm *vm, int cmd, union bpf_attr *attr, unsigned int size)
{
	(void)vm; (void)cmd; (void)attr; (void)size;
	errno = EINVAL;
	return -1;
}

BPFVM_API int bpfvm_close(struct bpfvm *vm, int fd)
{
	(void)vm; (void)fd;
	errno = EBADF;
	return -1;
}
