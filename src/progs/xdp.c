/* The XDP model: an xdp_buff over a frame with XDP_PACKET_HEADROOM bytes of
 * headroom, its xdp_md context (xdp_is_valid_access, xdp_convert_ctx_access
 * of v5.1), its helper set (xdp_func_proto), and PROG_TEST_RUN as the
 * kernel's bpf_prog_test_run_xdp of v5.1. */
#include "progs/xdp.h"
#include "progs/ctx.h"
#include "progs/net.h"
#include "progs/test_run.h"
#include "progs/types.h"
#include "core/prog.h"
#include "core/vm.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XDP_OFF(f) offsetof(struct xdp_md, f)
#define XM(f) ((int16_t)offsetof(struct bpfvm_xdp_buff, f))

/* xdp_is_valid_access: 4-byte reads only, nothing writable (writes to
 * rx_queue_index are for device-bound programs, which bpfvm has none of). */
const struct bpfvm_ctx_field bpfvm_xdp_ctx_fields[5] = {
	{ .off = XDP_OFF(data), .size = 4, .read = CTX_R4, .reg = CTX_REG_PKT },
	{ .off = XDP_OFF(data_end), .size = 4, .read = CTX_R4, .reg = CTX_REG_PKT_END },
	{ .off = XDP_OFF(data_meta), .size = 4, .read = CTX_R4, .reg = CTX_REG_PKT_META },
	{ .off = XDP_OFF(ingress_ifindex), .size = 4, .read = CTX_R4 },
	{ .off = XDP_OFF(rx_queue_index), .size = 4, .read = CTX_R4 },
};

/* xdp_convert_ctx_access: the pointers load as 64-bit, the indexes as u32. */
int bpfvm_xdp_convert_ctx_access(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max)
{
	if (!ci_is_load(in) || ci_bytes(in->code) != 4)
		return -EINVAL;
	if (max < 1)
		return -E2BIG;
	switch (off) {
	case XDP_OFF(data): out[0] = CI_LDX(8, in->dst_reg, in->src_reg, XM(data)); return 1;
	case XDP_OFF(data_end): out[0] = CI_LDX(8, in->dst_reg, in->src_reg, XM(data_end)); return 1;
	case XDP_OFF(data_meta): out[0] = CI_LDX(8, in->dst_reg, in->src_reg, XM(data_meta)); return 1;
	case XDP_OFF(ingress_ifindex): out[0] = CI_LDX(4, in->dst_reg, in->src_reg, XM(ingress_ifindex)); return 1;
	case XDP_OFF(rx_queue_index): out[0] = CI_LDX(4, in->dst_reg, in->src_reg, XM(rx_queue_index)); return 1;
	}
	return -EINVAL;
}

static int xdp_ctx_access(struct bpfvm_run *run, uint32_t off, uint32_t size, int write, uint64_t *val)
{
	return bpfvm_ctx_checked_access(bpfvm_prog_type_get(BPF_PROG_TYPE_XDP), 0, run->model, off, size, write, val);
}

void bpfvm_xdp_prepare_run(struct bpfvm_run *run, struct bpfvm_xdp_buff *x)
{
	run->model = x;
	run->ctx_access = xdp_ctx_access;
	x->run = run;
	/* r1 is the model itself; in checked runs its first sizeof(xdp_md)
	 * bytes are the context region, read through the rewrite. */
	bpfvm_run_set_ctx(run, x, sizeof(struct xdp_md));
	/* The whole buffer, headroom included: the verifier's packet range
	 * checks do the rest. */
	bpfvm_run_add_region(run, x->data_hard_start, (size_t)(x->frame_end - x->data_hard_start), 1);
}

int bpfvm_test_run_xdp(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
		       unsigned int size)
{
	uint32_t len = attr->test.data_size_in;
	/* bpf_test_init(size, XDP_PACKET_HEADROOM + NET_IP_ALIGN, 0): at least
	 * an Ethernet header, at most a page with the headroom. */
	if (len < 14 || len > BPFVM_PAGE_SIZE_XDP - XDP_PACKET_HEADROOM)
		return -EINVAL;
	if (!attr->test.data_in)
		return -EFAULT;
	if (attr->test.ctx_in || attr->test.ctx_out)
		return -EINVAL;         /* Linux 5.2 to 5.13: no xdp_md in or out */
	uint8_t *buf = calloc(1, BPFVM_PAGE_SIZE_XDP);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + XDP_PACKET_HEADROOM, (const void *)(uintptr_t)attr->test.data_in, len);
	struct bpfvm_xdp_buff x = {
		.kind = BPFVM_MODEL_XDP,
		.data_hard_start = buf,
		.data = buf + XDP_PACKET_HEADROOM,
		.data_meta = buf + XDP_PACKET_HEADROOM,
		.data_end = buf + XDP_PACKET_HEADROOM + len,
		.frame_end = buf + BPFVM_PAGE_SIZE_XDP,
		.ingress_ifindex = 1,   /* the loopback device's queue 0, as the kernel's test run */
		.rx_queue_index = 0,
		.vm = prog->vm,
	};
	struct bpfvm_run run;
	bpfvm_run_init(&run, prog->vm, !prog->verified);
	run.cpu = bpfvm_current_cpu(prog->vm);
	bpfvm_xdp_prepare_run(&run, &x);
	uint32_t retval = 0, duration = 0;
	int rc = bpfvm_test_run_loop(prog, &run, &x, attr->test.repeat, &retval, &duration);
	if (rc == 0) {
		struct bpfvm_pkt_result res = { .prog_type = prog->type, .redirect_ifindex = x.redirect_ifindex,
						.redirect_flags = x.redirect_flags };
		bpfvm_net_set_last_result(prog->vm, &res);
		rc = bpfvm_test_finish(attr, uattr, size, x.data, (uint32_t)(x.data_end - x.data), retval, duration);
	}
	bpfvm_run_fini(&run);
	free(buf);
	return rc;
}

/* xdp_func_proto of v5.1, with bpf_base_func_proto. */
const uint16_t bpfvm_xdp_helpers[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_get_smp_processor_id, BPF_FUNC_csum_diff,
	BPF_FUNC_xdp_adjust_head, BPF_FUNC_xdp_adjust_meta, BPF_FUNC_redirect, BPF_FUNC_redirect_map,
	BPF_FUNC_xdp_adjust_tail, BPF_FUNC_fib_lookup,
	BPF_FUNC_sk_lookup_udp, BPF_FUNC_sk_lookup_tcp, BPF_FUNC_sk_release,
	BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, BPF_FUNC_map_delete_elem,
	BPF_FUNC_map_push_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_peek_elem,
	BPF_FUNC_get_prandom_u32, BPF_FUNC_get_numa_node_id, BPF_FUNC_tail_call, BPF_FUNC_ktime_get_ns,
	BPF_FUNC_spin_lock, BPF_FUNC_spin_unlock, BPF_FUNC_trace_printk,
	0,
};
