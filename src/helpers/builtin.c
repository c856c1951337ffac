/* Which helper families a fresh vm gets. Adding a family: one line here. */
#include "helpers/builtin.h"

const struct bpfvm_helper_def *const bpfvm_builtin_helper_sets[] = {
	bpfvm_helpers_maps,
	bpfvm_helpers_runtime,
	bpfvm_helpers_perf_stack,
	NULL,
};
