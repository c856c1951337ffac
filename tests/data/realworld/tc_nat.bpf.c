/* A tc classifier that rewrites connections to `from_port` (a .rodata
 * constant) into `to_addr`:`to_port` (mutable .data, so that user space
 * may change them), IPv4 TCP and UDP, fixing the checksums with
 * bpf_l3_csum_replace and bpf_l4_csum_replace (BPF_F_PSEUDO_HDR for the
 * address, BPF_F_MARK_MANGLED_0 for UDP) and writing with
 * bpf_skb_store_bytes, as real-world tc NAT and load-balancer programs do.
 * It reads headers with bpf_skb_load_bytes (no direct packet access),
 * counts rewrites in .bss with an atomic add and logs with bpf_printk.
 * Written for bpfvm's tests. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))
#define IP_DST_OFF (IP_OFF + offsetof(struct iphdr, daddr))

const volatile __u16 from_port = 8080;
__u16 to_port = 80;
__u32 to_addr = 0x0a000002;             /* 10.0.0.2, host order */
__u64 rewritten;                        /* .bss */

static __always_inline int nat_l4(struct __sk_buff *skb, __u32 l4_off, __u8 proto, __be32 old_ip, __be32 new_ip)
{
	__u32 csum_off, port_off = l4_off + offsetof(struct tcphdr, dest);
	__u64 mangled = 0;
	if (proto == IPPROTO_TCP) {
		csum_off = l4_off + offsetof(struct tcphdr, check);
	} else {
		csum_off = l4_off + offsetof(struct udphdr, check);
		mangled = BPF_F_MARK_MANGLED_0;
	}
	__be16 old_port, new_port = bpf_htons(to_port);
	if (bpf_skb_load_bytes(skb, port_off, &old_port, sizeof(old_port)) < 0)
		return -1;
	if (old_port != bpf_htons(from_port))
		return 0;
	bpf_l4_csum_replace(skb, csum_off, old_ip, new_ip, mangled | BPF_F_PSEUDO_HDR | sizeof(new_ip));
	bpf_l4_csum_replace(skb, csum_off, old_port, new_port, mangled | sizeof(new_port));
	bpf_skb_store_bytes(skb, port_off, &new_port, sizeof(new_port), 0);
	return 1;
}

SEC("tc")
int tc_nat(struct __sk_buff *skb)
{
	struct iphdr iph;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, &iph, sizeof(iph)) < 0)
		return TC_ACT_SHOT;
	if (iph.ihl < 5)
		return TC_ACT_SHOT;
	if (iph.protocol != IPPROTO_TCP && iph.protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	if (iph.frag_off & bpf_htons(0x3fff))   /* MF or an offset: no ports here */
		return TC_ACT_OK;
	__be32 old_ip = iph.daddr, new_ip = bpf_htonl(to_addr);
	int rc = nat_l4(skb, IP_OFF + iph.ihl * 4, iph.protocol, old_ip, new_ip);
	if (rc < 0)
		return TC_ACT_SHOT;
	if (rc == 0)
		return TC_ACT_OK;
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_ip, new_ip, sizeof(new_ip));
	bpf_skb_store_bytes(skb, IP_DST_OFF, &new_ip, sizeof(new_ip), 0);
	__sync_fetch_and_add(&rewritten, 1);
	bpf_printk("nat: proto %d to port %d", iph.protocol, to_port);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
