/* An XDP packet parser in the style of the xdp-tutorial lessons (written
 * for bpfvm's tests): a header cursor, up to two VLAN tags (802.1Q and
 * 802.1ad) skipped in an unrolled loop, IPv4 with a variable header length,
 * IPv6, ICMP and ICMPv6 echo requests. Echo requests with an odd sequence
 * number are dropped, as are frames whose outer VLAN is `blocked_vlan`
 * (a `const volatile` in .rodata); truncated headers abort. Every verdict
 * is counted in a per-CPU array pinned by name (libbpf's
 * LIBBPF_PIN_BY_NAME), as the tutorial's xdp_stats_map.
 *
 * Libbpf-style includes: <bpf/bpf_helpers.h>, <bpf/bpf_endian.h>, resolved
 * by -Iinclude/bpfvm/compat. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VLAN_MAX_DEPTH 2

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct icmp_echo {                      /* ICMP echo, without <linux/icmp.h> */
	__u8 type, code;
	__sum16 checksum;
	__be16 id, sequence;
};

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_REDIRECT + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rw_xdp_stats SEC(".maps");

const volatile __u16 blocked_vlan = 42;

struct hdr_cursor {
	void *pos;
};

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* The EtherType after the VLAN tags (network order), or -1. */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end, __u16 *outer_vid)
{
	struct ethhdr *eth = nh->pos;
	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	__u16 h_proto = eth->h_proto;
	struct vlan_hdr *vlh = nh->pos;
#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		if ((void *)(vlh + 1) > data_end)
			return -1;
		if (i == 0)
			*outer_vid = bpf_ntohs(vlh->h_vlan_TCI) & 0x0fff;
		h_proto = vlh->h_vlan_encapsulated_proto;
		vlh++;
	}
	nh->pos = vlh;
	return h_proto;
}

static __always_inline int parse_ip6(struct hdr_cursor *nh, void *data_end)
{
	struct ipv6hdr *ip6h = nh->pos;
	if ((void *)(ip6h + 1) > data_end)
		return -1;
	nh->pos = ip6h + 1;
	return ip6h->nexthdr;
}

static __always_inline int parse_ip4(struct hdr_cursor *nh, void *data_end)
{
	struct iphdr *iph = nh->pos;
	if ((void *)(iph + 1) > data_end)
		return -1;
	int hdrsize = iph->ihl * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (nh->pos + hdrsize > data_end)
		return -1;
	nh->pos += hdrsize;
	return iph->protocol;
}

static __always_inline __u32 record(struct xdp_md *ctx, __u32 action)
{
	struct datarec *rec = bpf_map_lookup_elem(&rw_xdp_stats, &action);
	if (!rec)
		return XDP_ABORTED;
	rec->rx_packets++;
	rec->rx_bytes += ctx->data_end - ctx->data;
	return action;
}

SEC("xdp")
int xdp_vlan_parser(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { data };
	__u16 vid = 0xffff;
	__u32 action = XDP_PASS;

	int proto = parse_ethhdr(&nh, data_end, &vid);
	if (proto < 0) {
		action = XDP_ABORTED;
		goto out;
	}
	if (vid == blocked_vlan) {
		action = XDP_DROP;
		goto out;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		int next = parse_ip6(&nh, data_end);
		if (next < 0) {
			action = XDP_ABORTED;
			goto out;
		}
		if (next != IPPROTO_ICMPV6)
			goto out;
		struct icmp6hdr *icmp6 = nh.pos;
		if ((void *)(icmp6 + 1) > data_end) {
			action = XDP_ABORTED;
			goto out;
		}
		if (icmp6->icmp6_type == ICMPV6_ECHO_REQUEST && (bpf_ntohs(icmp6->icmp6_sequence) & 1))
			action = XDP_DROP;
	} else if (proto == bpf_htons(ETH_P_IP)) {
		int next = parse_ip4(&nh, data_end);
		if (next < 0) {
			action = XDP_ABORTED;
			goto out;
		}
		if (next != IPPROTO_ICMP)
			goto out;
		struct icmp_echo *icmp = nh.pos;
		if ((void *)(icmp + 1) > data_end) {
			action = XDP_ABORTED;
			goto out;
		}
		if (icmp->type == 8 && (bpf_ntohs(icmp->sequence) & 1))
			action = XDP_DROP;
	}
out:
	return record(ctx, action);
}

char _license[] SEC("license") = "GPL";
