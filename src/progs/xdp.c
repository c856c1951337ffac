/* The XDP model: an xdp_buff over a frame with XDP_PACKET_HEADROOM bytes of
 * headroom, its xdp_md context, and PROG_TEST_RUN as the kernel's
 * bpf_prog_test_run_xdp. */
#include "progs/xdp.h"
#include "progs/test_run.h"
#include "core/prog.h"
#include "core/vm.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* xdp_md field access as the kernel's xdp_convert_ctx_access: 4-byte
 * reads only; data/data_end/data_meta read as full pointers. */
static int xdp_ctx_access(struct bpfvm_run *run, uint32_t off, uint32_t size, int write, uint64_t *val)
{
	const struct bpfvm_xdp_buff *x = run->model;
	if (write || size != 4 || (off & 3))
		return -EACCES;
	switch (off) {
	case offsetof(struct xdp_md, data): *val = (uint64_t)(uintptr_t)x->data; return 0;
	case offsetof(struct xdp_md, data_end): *val = (uint64_t)(uintptr_t)x->data_end; return 0;
	case offsetof(struct xdp_md, data_meta): *val = (uint64_t)(uintptr_t)x->data_meta; return 0;
	case offsetof(struct xdp_md, ingress_ifindex): *val = x->ingress_ifindex; return 0;
	case offsetof(struct xdp_md, rx_queue_index): *val = x->rx_queue_index; return 0;
	}
	return -EACCES;
}

void bpfvm_xdp_prepare_run(struct bpfvm_run *run, struct bpfvm_xdp_buff *x)
{
	run->model = x;
	run->ctx_access = xdp_ctx_access;
	bpfvm_run_set_ctx(run, &x->md, sizeof(x->md));
	/* The program may touch the whole buffer between headroom start and
	 * the frame's end; the verifier's packet range checks do the rest. */
	bpfvm_run_add_region(run, x->data_hard_start, (size_t)(x->frame_end - x->data_hard_start), 1);
}

int bpfvm_test_run_xdp(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
		       unsigned int size)
{
	uint32_t len = attr->test.data_size_in;
	/* The frame must fit a page with headroom and skb_shared_info tailroom. */
	if (len > BPFVM_PAGE_SIZE - XDP_PACKET_HEADROOM - BPFVM_SKB_SHINFO_SIZE)
		return -EINVAL;
	if (len && !attr->test.data_in)
		return -EFAULT;
	uint8_t *buf = calloc(1, BPFVM_PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + XDP_PACKET_HEADROOM, (const void *)(uintptr_t)attr->test.data_in, len);
	struct bpfvm_xdp_buff x = {
		.data_hard_start = buf,
		.data = buf + XDP_PACKET_HEADROOM,
		.data_meta = buf + XDP_PACKET_HEADROOM,
		.data_end = buf + XDP_PACKET_HEADROOM + len,
		.frame_end = buf + BPFVM_PAGE_SIZE - BPFVM_SKB_SHINFO_SIZE,
		.ingress_ifindex = 1,   /* the loopback device, as the kernel's test run */
		.rx_queue_index = 0,
	};
	struct bpfvm_run run;
	bpfvm_run_init(&run, prog->vm, !prog->verified);
	run.cpu = bpfvm_current_cpu(prog->vm);
	bpfvm_xdp_prepare_run(&run, &x);
	uint32_t retval = 0, duration = 0;
	int rc = bpfvm_test_run_loop(prog, &run, &x.md, attr->test.repeat, &retval, &duration);
	if (rc == 0)
		rc = bpfvm_test_finish(attr, uattr, size, x.data, (uint32_t)(x.data_end - x.data), retval, duration);
	bpfvm_run_fini(&run);
	free(buf);
	return rc;
}
