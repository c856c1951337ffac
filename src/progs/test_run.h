/* PROG_TEST_RUN: the shared loop and the per-type context builders. */
#ifndef BPFVM_PROGS_TEST_RUN_H
#define BPFVM_PROGS_TEST_RUN_H
#include <stdint.h>
#include <bpfvm/uapi.h>

struct bpfvm_prog;
struct bpfvm_run;

/* bpf_prog_test_run_skb: socket filter, tc, cgroup skb, the lwt types. */
int bpfvm_test_run_skb(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
		       unsigned int size);
/* bpf_prog_test_run_xdp */
int bpfvm_test_run_xdp(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
		       unsigned int size);
/* bpf_prog_test_run_flow_dissector (v5.0/v5.1: flow keys out in data_out,
 * retval 1 when the program returned BPF_OK). */
int bpfvm_test_run_flow_dissector(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
				  unsigned int size);

/* Runs prog `repeat` times (0 means 1) on a run prepared by the caller
 * (ctx region, model, hooks); *retval is the last r0 (truncated to 32 bits
 * as the ABI's retval), *duration the mean ns per run. Returns 0 or the
 * first run's fault. */
int bpfvm_test_run_loop(struct bpfvm_prog *prog, struct bpfvm_run *run, void *ctx, uint32_t repeat,
			uint32_t *retval, uint32_t *duration);
/* bpf_test_finish: copy data out (-ENOSPC if data_size_out is smaller, still
 * writing what fits and the other results), write size, retval, duration. */
int bpfvm_test_finish(const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
		      const void *data, uint32_t len, uint32_t retval, uint32_t duration);
/* bpf_ctx_init (Linux >= 5.2): NULL in *ctx when neither ctx_in nor
 * ctx_out is given; else a zeroed buffer of max_size with ctx_in copied in
 * (bytes past max_size must be zero: -E2BIG). Free with free(). */
int bpfvm_test_ctx_init(const union bpf_attr *attr, uint32_t max_size, void **ctx);
/* bpf_ctx_finish: copy the context out (-ENOSPC when ctx_size_out is
 * smaller) and write ctx_size_out. */
int bpfvm_test_ctx_finish(const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
			  const void *ctx, uint32_t len);
#endif
