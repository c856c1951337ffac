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

/* The families. */
extern const struct bpfvm_helper_def bpfvm_helpers_maps[];
extern const struct bpfvm_helper_def bpfvm_helpers_runtime[];
extern const struct bpfvm_helper_def bpfvm_helpers_perf_stack[];
#endif
