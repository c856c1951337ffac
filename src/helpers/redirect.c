/* Redirect helpers of v5.1: bpf_redirect (tc/lwt and XDP variants),
 * bpf_redirect_map (XDP), bpf_clone_redirect. The target and flags are
 * recorded on the model (the kernel's per-CPU bpf_redirect_info) and end
 * up in the run's result (bpfvm_net_last_result). */
#include "helpers/pkt.h"
#include "progs/net.h"

#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

/* tc: flags other than BPF_F_INGRESS drop the packet (TC_ACT_SHOT);
 * XDP: any flag aborts (XDP_ABORTED). */
static uint64_t redirect(uint64_t ifindex, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
			 struct bpfvm_run *run)
{
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	if (x) {
		if (flags)
			return XDP_ABORTED;
		x->redirect_ifindex = (uint32_t)ifindex;
		x->redirect_flags = 0;
		x->redirect_map = NULL;
		return XDP_REDIRECT;
	}
	struct bpfvm_skb *skb = pkt_skb(run);
	if (flags & ~BPF_F_INGRESS)
		return TC_ACT_SHOT;
	if (skb) {
		skb->redirect_ifindex = (uint32_t)ifindex;
		skb->redirect_flags = flags;
	}
	return TC_ACT_REDIRECT;
}

/* v5.1 looks nothing up here: the map entry is resolved when the driver
 * acts on XDP_REDIRECT. */
static uint64_t redirect_map(uint64_t map, uint64_t ifindex, uint64_t flags, uint64_t r4, uint64_t r5,
			     struct bpfvm_run *run)
{
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	if (flags)
		return XDP_ABORTED;
	if (x) {
		x->redirect_ifindex = (uint32_t)ifindex;
		x->redirect_flags = 0;
		x->redirect_map = PTR(map);
	}
	return XDP_REDIRECT;
}

/* bpf_clone_redirect: a copy goes to device ifindex (which must exist:
 * -EINVAL), the program keeps the original. The copy needs a link-layer
 * header on devices that have one (-ERANGE without). */
static uint64_t clone_redirect(uint64_t ctx, uint64_t ifindex, uint64_t flags, uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	struct bpfvm_net_dev dev;
	if (!skb || (flags & ~BPF_F_INGRESS))
		return RET(-EINVAL);
	if (bpfvm_net_dev_get(skb->vm, (uint32_t)ifindex, &dev) < 0)
		return RET(-EINVAL);
	if (skb->mac_header == BPFVM_SKB_UNSET || skb->mac_header >= skb->network_header)
		return RET(-ERANGE);
	skb->clones++;
	bpfvm_skb_sync(skb);
	return 0;
}

const struct bpfvm_helper_def bpfvm_helpers_redirect[] = {
	{ BPF_FUNC_redirect, { "redirect", redirect, BPFVM_RET_INTEGER, { A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_redirect_map, { "redirect_map", redirect_map, BPFVM_RET_INTEGER,
				   { A(CONST_MAP_PTR), A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_clone_redirect, { "clone_redirect", clone_redirect, BPFVM_RET_INTEGER,
				     { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ 0, { 0 } },
};
