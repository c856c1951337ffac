/* Kernel-internal errnos that reach user space through bpf(2) but have no
 * name in <errno.h>. */
#ifndef BPFVM_CORE_KERRNO_H
#define BPFVM_CORE_KERRNO_H
#include <errno.h>
#ifndef ENOTSUPP
#define ENOTSUPP 524    /* the kernel's "operation is not supported" */
#endif
#endif
