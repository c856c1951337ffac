/* A socket filter built from functions: a global (non-static, noinline)
 * function, which libbpf ≥0.x and clang emit as its own BTF FUNC with
 * global linkage, static noinline subprograms, and static __always_inline
 * helpers. It keeps DNS (UDP or TCP port 53) and ICMP, truncating DNS to
 * `dns_snaplen` bytes (.rodata) and dropping the rest; bpf_printk logs
 * each DNS packet. Offsets start at the network header, which is where a
 * socket filter's packet starts (the kernel's BPF_PROG_TEST_RUN pulls the
 * Ethernet header as the receive path does). Written for bpfvm's tests. */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u32 dns_snaplen = 64;

static __always_inline int load_u8(struct __sk_buff *skb, __u32 off, __u8 *v)
{
	return bpf_skb_load_bytes(skb, off, v, 1);
}

static __noinline int is_dns_port(__u32 port)
{
	return port == 53;
}

/* The transport protocol of an IPv4 packet, -1 if not IPv4. */
static __noinline int ip_proto(struct __sk_buff *skb)
{
	__u8 proto;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return -1;
	if (load_u8(skb, offsetof(struct iphdr, protocol), &proto) < 0)
		return -1;
	return proto;
}

__noinline int classify(struct __sk_buff *skb)
{
	int proto = ip_proto(skb);
	if (proto == IPPROTO_ICMP)
		return 1;
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return 0;
	__u8 vihl;
	if (load_u8(skb, 0, &vihl) < 0)
		return 0;
	__be16 dport;
	if (bpf_skb_load_bytes(skb, (vihl & 0xf) * 4 + offsetof(struct udphdr, dest), &dport, 2) < 0)
		return 0;
	return is_dns_port(bpf_ntohs(dport)) ? 2 : 0;
}

SEC("socket")
int socket_dns_icmp(struct __sk_buff *skb)
{
	switch (classify(skb)) {
	case 1:
		return skb->len;
	case 2:
		bpf_printk("dns: %u bytes", skb->len);
		return skb->len < dns_snaplen ? skb->len : dns_snaplen;
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
