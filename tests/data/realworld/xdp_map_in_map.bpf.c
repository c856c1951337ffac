/* Per-protocol, per-source packet counts through a map of maps: an
 * ARRAY_OF_MAPS whose slots are filled at load from its BTF definition
 * (`.values = { [0] = &tcp_src, ... }`), inner hashes keyed by the IPv4
 * source; a protocol whose slot is empty (ICMP) is counted in a legacy
 * `struct bpf_map_def SEC("maps")` array, as objects in transition between
 * libbpf 0.x and BTF maps mixed both. The section name is the old
 * libbpf 0.x style "xdp_prog" (a prefix of "xdp"). Written for bpfvm's
 * tests. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct src_counts {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
};

struct src_counts tcp_src SEC(".maps"), udp_src SEC(".maps");

enum { SLOT_TCP, SLOT_UDP, SLOT_ICMP, NSLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__array(values, struct src_counts);
} by_proto SEC(".maps") = {
	.values = { [SLOT_TCP] = &tcp_src, [SLOT_UDP] = &udp_src },
};

struct bpf_map_def SEC("maps") unmatched = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = NSLOTS,
};

SEC("xdp_prog")
int xdp_count_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 slot;
	switch (iph->protocol) {
	case IPPROTO_TCP: slot = SLOT_TCP; break;
	case IPPROTO_UDP: slot = SLOT_UDP; break;
	case IPPROTO_ICMP: slot = SLOT_ICMP; break;
	default: return XDP_PASS;
	}
	void *inner = bpf_map_lookup_elem(&by_proto, &slot);
	if (!inner) {
		__u64 *n = bpf_map_lookup_elem(&unmatched, &slot);
		if (n)
			__sync_fetch_and_add(n, 1);
		return XDP_PASS;
	}
	__u32 src = bpf_ntohl(iph->saddr);
	__u64 *cnt = bpf_map_lookup_elem(inner, &src);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
	} else {
		__u64 one = 1;
		if (bpf_map_update_elem(inner, &src, &one, BPF_NOEXIST) < 0)
			return XDP_DROP;        /* inner map full */
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
