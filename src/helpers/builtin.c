/* Which helper families a fresh vm gets. Adding a family: one line here. */
#include "helpers/builtin.h"

const struct bpfvm_helper_def *const bpfvm_builtin_helper_sets[] = {
	bpfvm_helpers_maps,
	bpfvm_helpers_runtime,
	bpfvm_helpers_perf_stack,
	bpfvm_helpers_skb,
	bpfvm_helpers_csum,
	bpfvm_helpers_xdp,
	bpfvm_helpers_redirect,
	bpfvm_helpers_sock,
	bpfvm_helpers_tunnel,
	bpfvm_helpers_fib,
	bpfvm_helpers_lwt,
	bpfvm_helpers_tracing,
	NULL,
};
