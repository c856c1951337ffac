/* Tail calls through a prog array filled at load from its BTF definition
 * (`.values = { [n] = &prog }`), with libbpf's bpf_tail_call_static(): an
 * entry classifier dispatches IPv4 by protocol to a stage per protocol;
 * the TCP stage drops port 23, the UDP stage passes everything. Protocols
 * without a stage, and the fall-through of a failed tail call, pass.
 * Sections in libbpf 0.x style ("classifier", "classifier/...").
 * Written for bpfvm's tests. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

int stage_tcp(struct __sk_buff *skb);
int stage_udp(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} stages SEC(".maps") = {
	.values = { [0] = (void *)&stage_tcp, [1] = (void *)&stage_udp },
};

__u64 tail_call_missed;

SEC("classifier/tcp")
int stage_tcp(struct __sk_buff *skb)
{
	__u8 vihl;
	__be16 dport;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &vihl, 1) < 0 ||
	    bpf_skb_load_bytes(skb, ETH_HLEN + (vihl & 0xf) * 4 + offsetof(struct tcphdr, dest), &dport, 2) < 0)
		return TC_ACT_SHOT;
	return dport == bpf_htons(23) ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("classifier/udp")
int stage_udp(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

SEC("classifier")
int entry(struct __sk_buff *skb)
{
	__u8 proto;
	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, protocol), &proto, 1) < 0)
		return TC_ACT_OK;
	if (proto == IPPROTO_TCP)
		bpf_tail_call_static(skb, &stages, 0);
	else if (proto == IPPROTO_UDP)
		bpf_tail_call_static(skb, &stages, 1);
	else if (proto == IPPROTO_ICMP)
		bpf_tail_call_static(skb, &stages, 2);     /* empty slot */
	__sync_fetch_and_add(&tail_call_missed, 1);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
