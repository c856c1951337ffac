/* The ABI table as <bpfvm/uapi.h> defines it, and checks only ours can make.
 *
 * Compiled with -DABI_SIDE=sys and an include path whose bpfvm/uapi.h is a
 * pristine Linux v5.1 <linux/bpf.h>, this file also builds the reference
 * table for main.c's -DABI_STRICT=1 mode (see main.c). */
#include <bpfvm/uapi.h>

/* the helper enum's generator macro is private to the header */
#ifdef __BPF_ENUM_FN
#error "__BPF_ENUM_FN leaks out of <bpfvm/uapi.h>"
#endif

/* the header names the guards of linux/bpf.h and linux/bpf_common.h */
#if !defined(__LINUX_BPF_H__) || !defined(__LINUX_BPF_COMMON_H__)
#error "<bpfvm/uapi.h> does not define the include guards of <linux/bpf.h>"
#endif

#ifndef ABI_SIDE
#define ABI_SIDE ours
#endif
#include "abi_table.h"
