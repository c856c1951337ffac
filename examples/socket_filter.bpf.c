/* A socket filter that keeps UDP (IPv4) and drops the rest, using the
 * classic packet loads (LD_ABS) a socket filter reads the packet with:
 * offsets start at the network header. */
#include <bpfvm/uapi.h>
#include <bpfvm/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

SEC("socket")
int udp_only(struct __sk_buff *skb)
{
	if (skb->protocol != __builtin_bswap16(0x0800))
		return 0;
	if (load_byte(skb, 9) != 17)    /* IPv4 protocol field */
		return 0;
	return skb->len;
}

char _license[] SEC("license") = "GPL";
