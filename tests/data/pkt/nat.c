/* A tc program as clang writes it: destination NAT of an IPv4/UDP packet
 * (address and port), both checksums fixed with the csum helpers, some
 * context reads (narrow too) and writes. Built at test time by
 * tests/unit/diff_pkt (clang -O2 -target bpf) and run on Linux and bpfvm. */
#include <bpfvm/uapi.h>
#include <bpfvm/bpf_helpers.h>

#define IP_CSUM_OFF (14 + 10)
#define UDP_CSUM_OFF (14 + 20 + 6)

SEC("tc") int nat(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	unsigned char *p = data;
	if (data + 42 > end)
		return 2;
	if (p[12] != 8 || p[13] != 0 || p[23] != 17)
		return 0;
	uint32_t old_dst, new_dst = 0x6401a8c0;         /* 192.168.1.100 */
	uint16_t old_port, new_port = __builtin_bswap16(8080);
	__builtin_memcpy(&old_dst, p + 30, 4);
	__builtin_memcpy(&old_port, p + 36, 2);
	bpf_l4_csum_replace(skb, UDP_CSUM_OFF, old_dst, new_dst, BPF_F_PSEUDO_HDR | 4);
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_dst, new_dst, 4);
	bpf_skb_store_bytes(skb, 30, &new_dst, 4, 0);
	bpf_l4_csum_replace(skb, UDP_CSUM_OFF, old_port, new_port, 2);
	bpf_skb_store_bytes(skb, 36, &new_port, 2, 0);
	unsigned char len_hi = ((volatile unsigned char *)&skb->len)[1];
	unsigned short proto = ((volatile unsigned short *)&skb->protocol)[0];
	skb->mark = skb->len + proto;
	skb->cb[0] = skb->pkt_type;
	skb->tc_index = len_hi;
	return (int)(skb->mark + skb->tc_index + skb->cb[0]);
}

char _license[] SEC("license") = "GPL";
