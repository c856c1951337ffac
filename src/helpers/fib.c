/* bpf_fib_lookup of v5.1 (XDP and skb variants) against the routes,
 * neighbours and devices the host gave the vm (bpfvm_net_add_route, _neigh,
 * _dev). One table (the main one; policy rules are not modelled), longest
 * prefix first. */
#include "helpers/pkt.h"
#include "progs/net.h"
#include <string.h>

#define VLAN_HLEN 4

/* rt6_need_strict: multicast, link-local and loopback are never forwarded. */
static int v6_strict(const uint8_t *a)
{
	static const uint8_t loopback[16] = { [15] = 1 };
	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || !memcmp(a, loopback, 16);
}

/* bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup of v5.1. */
static int fib_lookup_af(struct bpfvm *vm, struct bpf_fib_lookup *p, int check_mtu)
{
	int v6 = p->family == BPFVM_AF_INET6;
	uint8_t *dst = v6 ? (uint8_t *)p->ipv6_dst : (uint8_t *)&p->ipv4_dst;
	struct bpfvm_net_dev dev;
	struct bpfvm_net_route rt;
	if (v6 && (v6_strict(dst) || v6_strict((const uint8_t *)p->ipv6_src)))
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	if (bpfvm_net_dev_get(vm, p->ifindex, &dev) < 0)
		return -ENODEV;
	if (!dev.forwarding)
		return BPF_FIB_LKUP_RET_FWD_DISABLED;
	if (bpfvm_net_route_lookup(vm, p->family, dst, &rt) < 0)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	switch (rt.type) {
	case BPFVM_RTN_UNICAST: break;
	case BPFVM_RTN_BLACKHOLE: return BPF_FIB_LKUP_RET_BLACKHOLE;
	case BPFVM_RTN_UNREACHABLE: return BPF_FIB_LKUP_RET_UNREACHABLE;
	case BPFVM_RTN_PROHIBIT: return BPF_FIB_LKUP_RET_PROHIBIT;
	default: return BPF_FIB_LKUP_RET_NOT_FWDED;
	}
	struct bpfvm_net_dev out;
	if (bpfvm_net_dev_get(vm, rt.ifindex, &out) < 0)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	if (check_mtu && p->tot_len > (rt.mtu ? rt.mtu : out.mtu))
		return BPF_FIB_LKUP_RET_FRAG_NEEDED;
	if (rt.has_gateway)
		memcpy(dst, rt.gateway, v6 ? 16 : 4);
	p->rt_metric = rt.metric;
	uint8_t mac[6];
	if (bpfvm_net_neigh_lookup(vm, out.ifindex, p->family, dst, mac) < 0)
		return BPF_FIB_LKUP_RET_NO_NEIGH;
	/* bpf_fib_set_fwd_params */
	memcpy(p->dmac, mac, 6);
	memcpy(p->smac, out.mac, 6);
	p->h_vlan_TCI = 0;
	p->h_vlan_proto = 0;
	p->ifindex = out.ifindex;
	return 0;
}

static uint64_t fib_lookup(uint64_t ctx, uint64_t params, uint64_t plen, uint64_t flags, uint64_t r5,
			   struct bpfvm_run *run)
{
	struct bpf_fib_lookup *p = PTR(params);
	struct bpfvm_skb *skb = pkt_skb(run);
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	if (!skb && !x)
		return RET(-EINVAL);
	if ((int32_t)plen < (int32_t)sizeof(*p) || ((uint32_t)flags & ~(BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT)))
		return RET(-EINVAL);
	if (p->family != BPFVM_AF_INET && p->family != BPFVM_AF_INET6)
		return RET(-EAFNOSUPPORT);
	/* XDP checks tot_len against the route's mtu; an skb is checked
	 * against the output device (is_skb_forwardable) after a success. */
	int rc = fib_lookup_af(bpfvm_run_vm(run), p, x != NULL);
	if (rc == 0 && skb) {
		struct bpfvm_net_dev dev;
		if (bpfvm_net_dev_get(skb->vm, p->ifindex, &dev) == 0 &&
		    skb->len > dev.mtu + 14 + VLAN_HLEN && !skb->gso_size)
			rc = BPF_FIB_LKUP_RET_FRAG_NEEDED;
	}
	return RET(rc);
}

const struct bpfvm_helper_def bpfvm_helpers_fib[] = {
	{ BPF_FUNC_fib_lookup, { "fib_lookup", fib_lookup, BPFVM_RET_INTEGER,
				 { A(PTR_TO_CTX), A(PTR_TO_MEM), A(CONST_SIZE), A(ANYTHING) }, 1, 0 } },
	{ 0, { 0 } },
};
