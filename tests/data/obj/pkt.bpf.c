/* Packet programs for the CLI tests: an XDP filter (TCP passes, marked;
 * UDP is dropped; ARP is sent back; runts abort), a tc classifier and a
 * socket filter. */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} last_udp SEC(".maps");               /* the last UDP destination port */

static __always_inline void count(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &k);
	if (v)
		*v += 1;
}

/* The IP protocol of an Ethernet frame, 0 if not IPv4, -1 if too short. */
static __always_inline int ip_proto(unsigned char *p, unsigned char *end)
{
	if (p + 14 > end)
		return -1;
	if (p[12] != 0x08 || p[13] != 0x00)
		return 0;
	if (p + 34 > end)
		return -1;
	return p[23];
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int proto = ip_proto(p, end);
	if (proto < 0) {
		count(3);
		return XDP_ABORTED;
	}
	if (proto == 17) {
		__u32 zero = 0, port = p + 38 <= end ? (p[36] << 8) | p[37] : 0;
		bpf_map_update_elem(&last_udp, &zero, &port, BPF_ANY);
		bpf_printk("udp dropped, %d bytes", (int)(end - p));
		count(1);
		return XDP_DROP;
	}
	if (proto == 0) {
		count(2);
		return XDP_TX;
	}
	p[0] = 0x02;                    /* mark what passes */
	count(0);
	return XDP_PASS;
}

SEC("tc")
int tc_filter(struct __sk_buff *skb)
{
	unsigned char *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	return ip_proto(p, end) == 17 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	return skb->len > 60 ? 60 : 0;
}

char _license[] SEC("license") = "GPL";
