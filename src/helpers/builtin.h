/* The built-in helper sets: each helpers/ family file defines one list,
 * terminated by an entry whose proto.fn is NULL. */
#ifndef BPFVM_HELPERS_BUILTIN_H
#define BPFVM_HELPERS_BUILTIN_H
#include <bpfvm/bpfvm.h>

struct bpfvm_helper_def {
	uint32_t id;
	struct bpfvm_helper_proto proto;
};

extern const struct bpfvm_helper_def *const bpfvm_builtin_helper_sets[];

/* Clears a program's output buffer on a helper's error path. A size of 0
 * may come with a NULL pointer (ARG_CONST_SIZE_OR_ZERO), which memset may
 * not be given. */
static inline void bpfvm_helper_zero(void *buf, uint64_t size)
{
	if (size)
		__builtin_memset(buf, 0, size);
}

/* The families. */
extern const struct bpfvm_helper_def bpfvm_helpers_maps[];
/* The built-in bpf_map_lookup_elem: the interpreter inlines calls to it
 * (and only to it, not to a host's replacement) on ARRAY maps. */
uint64_t bpfvm_helper_map_lookup_elem(uint64_t m, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				      struct bpfvm_run *run);
extern const struct bpfvm_helper_def bpfvm_helpers_runtime[];
extern const struct bpfvm_helper_def bpfvm_helpers_perf_stack[];
extern const struct bpfvm_helper_def bpfvm_helpers_skb[];
extern const struct bpfvm_helper_def bpfvm_helpers_csum[];
extern const struct bpfvm_helper_def bpfvm_helpers_xdp[];
extern const struct bpfvm_helper_def bpfvm_helpers_redirect[];
extern const struct bpfvm_helper_def bpfvm_helpers_sock[];
extern const struct bpfvm_helper_def bpfvm_helpers_tunnel[];
extern const struct bpfvm_helper_def bpfvm_helpers_fib[];
extern const struct bpfvm_helper_def bpfvm_helpers_lwt[];
extern const struct bpfvm_helper_def bpfvm_helpers_tracing[];
#endif
