/* BTF-defined maps in SEC(".maps"). */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

struct flow_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
};

struct stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct flow_key);
	__type(value, struct stats);
} flow_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
} sizes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

SEC("xdp")
int account(struct xdp_md *ctx)
{
	struct flow_key k = { .saddr = 1, .daddr = 2, .sport = 3, .dport = 4 };
	struct stats *s = bpf_map_lookup_elem(&flow_stats, &k);
	__u64 len = ctx->data_end - ctx->data;
	if (s) {
		s->packets++;
		s->bytes += len;
	} else {
		struct stats n = { 1, len };
		bpf_map_update_elem(&flow_stats, &k, &n, BPF_NOEXIST);
	}
	__u32 i = 0;
	__u64 *c = bpf_map_lookup_elem(&sizes, &i);
	if (c)
		*c += len;
	c = bpf_map_lookup_elem(&percpu, &i);
	if (c)
		*c += 1;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
