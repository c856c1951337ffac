/* The test-run loop shared by every program type, bpf_test_finish, the
 * context in/out of Linux 5.2+, and the test runs of the skb types and the
 * flow dissector (net/bpf/test_run.c of v5.1). */
#include "progs/test_run.h"
#include "progs/net.h"
#include "progs/skb.h"
#include "core/prog.h"
#include "core/vm.h"
#include "sys/sys.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t mean_ns(uint64_t total, uint32_t repeat)
{
	uint64_t dt = total / repeat;
	return dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
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
	*retval = (uint32_t)r0;
	*duration = mean_ns(now_ns() - t0, repeat);
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

int bpfvm_test_ctx_init(const union bpf_attr *attr, uint32_t max_size, void **ctx)
{
	const uint8_t *in = (const uint8_t *)(uintptr_t)attr->test.ctx_in;
	uint32_t size = attr->test.ctx_size_in;
	*ctx = NULL;
	if (!attr->test.ctx_in && !attr->test.ctx_out)
		return 0;
	uint8_t *c = calloc(1, max_size);
	if (!c)
		return -ENOMEM;
	if (in) {
		/* bpf_check_uarg_tail_zero: a larger struct of a newer ABI is
		 * fine as long as what we do not know is zero. */
		for (uint32_t i = max_size; i < size; i++)
			if (in[i]) {
				free(c);
				return -E2BIG;
			}
		memcpy(c, in, size < max_size ? size : max_size);
	}
	*ctx = c;
	return 0;
}

int bpfvm_test_ctx_finish(const union bpf_attr *attr, union bpf_attr *uattr, unsigned int size,
			  const void *ctx, uint32_t len)
{
	if (!ctx || !attr->test.ctx_out)
		return 0;
	int err = 0;
	uint32_t copy = len;
	if (copy > attr->test.ctx_size_out) {
		copy = attr->test.ctx_size_out;
		err = -ENOSPC;
	}
	memcpy((void *)(uintptr_t)attr->test.ctx_out, ctx, copy);
	bpfvm_attr_put_u32(uattr, size, offsetof(union bpf_attr, test.ctx_size_out), len);
	return err;
}

/* bpf_test_init's checks: at least an Ethernet header, and the frame must
 * fit a page with the headroom and tailroom the type reserves. */
static int check_data_in(const union bpf_attr *attr, uint32_t headroom, uint32_t tailroom)
{
	uint32_t len = attr->test.data_size_in;
	if (len < 14 || len > BPFVM_PAGE_SIZE - headroom - tailroom)
		return -EINVAL;
	return attr->test.data_in ? 0 : -EFAULT;
}

static void record(struct bpfvm_prog *prog, const struct bpfvm_skb *skb)
{
	struct bpfvm_pkt_result res = {
		.prog_type = prog->type,
		.redirect_ifindex = skb->redirect_ifindex,
		.redirect_flags = skb->redirect_flags,
		.clones = skb->clones,
	};
	bpfvm_net_set_last_result(prog->vm, &res);
}

int bpfvm_test_run_skb(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
		       unsigned int size)
{
	int rc = check_data_in(attr, BPFVM_NET_SKB_PAD, BPFVM_SKB_SHINFO_SIZE);
	if (rc < 0)
		return rc;
	struct __sk_buff *ctx;
	if ((rc = bpfvm_test_ctx_init(attr, sizeof(struct __sk_buff), (void **)&ctx)) < 0)
		return rc;
	/* A context naming a device makes the packet arrive on it (Linux 5.9+). */
	uint32_t ifindex = ctx && ctx->ifindex > 1 ? ctx->ifindex : 1;
	struct bpfvm_skb skb;
	rc = bpfvm_skb_init_dev(&skb, prog->vm, (const uint8_t *)(uintptr_t)attr->test.data_in,
				attr->test.data_size_in, prog->type, prog->expected_attach_type, ifindex);
	if (rc < 0) {
		free(ctx);
		return rc;
	}
	struct bpfvm_run run;
	bpfvm_run_init(&run, prog->vm, !prog->verified);
	run.cpu = bpfvm_current_cpu(prog->vm);
	bpfvm_skb_prepare_run(&run, &skb);
	if (prog->type == BPF_PROG_TYPE_LWT_SEG6LOCAL)
		bpfvm_skb_seg6_srh_update(&skb);        /* what End.BPF hands the program */
	uint32_t retval = 0, duration = 0;
	rc = bpfvm_skb_ctx_in(&skb, ctx);
	if (rc == 0)
		rc = bpfvm_test_run_loop(prog, &run, &skb, attr->test.repeat, &retval, &duration);
	if (rc == 0 && !bpfvm_skb_type_is_l2(prog->type)) {
		/* The program ran on the L3 packet: the copy out gets the
		 * link-layer header back, zeroed, as the kernel pushes it. */
		rc = bpfvm_skb_cow(&skb, BPFVM_ETH_HLEN, 0);
		if (rc == 0) {
			skb.data -= BPFVM_ETH_HLEN;
			skb.len += BPFVM_ETH_HLEN;
			memset(skb.data, 0, BPFVM_ETH_HLEN);
		}
	}
	if (rc == 0) {
		record(prog, &skb);
		bpfvm_skb_ctx_out(&skb, ctx);
		rc = bpfvm_test_finish(attr, uattr, size, skb.data, skb.len, retval, duration);
		if (rc == 0)
			rc = bpfvm_test_ctx_finish(attr, uattr, size, ctx, sizeof(*ctx));
	}
	bpfvm_run_fini(&run);
	bpfvm_skb_fini(&skb);
	free(ctx);
	return rc;
}

static uint16_t clamp16(uint16_t v, uint32_t lo, uint32_t hi)
{
	return (uint16_t)(v < lo ? lo : v > hi ? hi : v);
}

/* One __skb_flow_bpf_dissect of v5.1: the control block is saved and
 * cleared around the program, the keys zeroed with nhoff = thoff = the
 * network offset, and after the run nhoff and thoff are clamped into the
 * packet. True when the program said BPF_OK. */
static int flow_dissect(struct bpfvm_prog *prog, struct bpfvm_run *run, struct bpfvm_skb *skb,
			struct bpf_flow_keys *keys, uint32_t *ok)
{
	uint32_t cb[5];
	uint64_t r0 = 0;
	memcpy(cb, skb->cb, sizeof(cb));
	memset(skb->cb, 0, sizeof(skb->cb));
	memset(keys, 0, sizeof(*keys));
	int32_t nhoff = bpfvm_skb_network_offset(skb);
	keys->nhoff = (uint16_t)nhoff;
	keys->thoff = keys->nhoff;
	bpfvm_skb_sync(skb);
	int rc = bpfvm_prog_run(prog, run, skb, &r0);
	memcpy(skb->cb, cb, sizeof(cb));
	keys->nhoff = clamp16(keys->nhoff, (uint32_t)nhoff, skb->len);
	keys->thoff = clamp16(keys->thoff, keys->nhoff, skb->len);
	*ok = (uint32_t)r0 == BPF_OK;
	return rc;
}

int bpfvm_test_run_flow_dissector(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
				  unsigned int size)
{
	if (prog->type != BPF_PROG_TYPE_FLOW_DISSECTOR)
		return -EINVAL;
	if (attr->test.ctx_in || attr->test.ctx_out)
		return -EINVAL;         /* Linux 5.2+: no context for this type */
	int rc = check_data_in(attr, BPFVM_NET_SKB_PAD, BPFVM_SKB_SHINFO_SIZE);
	if (rc < 0)
		return rc;
	struct bpfvm_skb skb;
	rc = bpfvm_skb_init(&skb, prog->vm, (const uint8_t *)(uintptr_t)attr->test.data_in, attr->test.data_size_in,
			    prog->type, prog->expected_attach_type);
	if (rc < 0)
		return rc;
	struct bpf_flow_keys keys;
	memset(&keys, 0, sizeof(keys));
	skb.flow_keys = &keys;
	struct bpfvm_run run;
	bpfvm_run_init(&run, prog->vm, !prog->verified);
	run.cpu = bpfvm_current_cpu(prog->vm);
	bpfvm_skb_prepare_run(&run, &skb);
	uint32_t repeat = attr->test.repeat ? attr->test.repeat : 1, retval = 0;
	uint64_t t0 = now_ns();
	for (uint32_t i = 0; i < repeat && rc == 0; i++)
		rc = flow_dissect(prog, &run, &skb, &keys, &retval);
	uint32_t duration = mean_ns(now_ns() - t0, repeat);
	if (rc == 0)
		rc = bpfvm_test_finish(attr, uattr, size, &keys, sizeof(keys), retval, duration);
	bpfvm_run_fini(&run);
	bpfvm_skb_fini(&skb);
	return rc;
}
