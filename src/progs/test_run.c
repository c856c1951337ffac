/* The test-run loop shared by every program type, and bpf_test_finish. */
#include "progs/test_run.h"
#include "core/prog.h"
#include "core/vm.h"
#include "sys/sys.h"
#include <errno.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bpfvm_test_run_loop(struct bpfvm_prog *prog, struct bpfvm_run *run, void *ctx, uint32_t repeat,
			uint32_t *retval, uint32_t *duration)
{
	uint64_t r0 = 0;
	if (!repeat)
		repeat = 1;
	uint64_t t0 = now_ns();
	for (uint32_t i = 0; i < repeat; i++) {
		int rc = bpfvm_prog_run(prog, run, ctx, &r0);
		if (rc < 0)
			return rc;
	}
	uint64_t dt = (now_ns() - t0) / repeat;
	*retval = (uint32_t)r0;
	*duration = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
	return 0;
}

int bpfvm_test_finish(const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
		      const void *data, uint32_t len, uint32_t retval, uint32_t duration)
{
	int err = 0;
	uint32_t copy = len;
	if (attr->test.data_size_out && copy > attr->test.data_size_out) {
		copy = attr->test.data_size_out;
		err = -ENOSPC;
	}
	if (attr->test.data_out && copy)
		memcpy((void *)(uintptr_t)attr->test.data_out, data, copy);
	bpfvm_attr_put_u32(uattr, size, offsetof(union bpf_attr, test.data_size_out), len);
	bpfvm_attr_put_u32(uattr, size, offsetof(union bpf_attr, test.retval), retval);
	bpfvm_attr_put_u32(uattr, size, offsetof(union bpf_attr, test.duration), duration);
	return err;
}
