/* Legacy map definitions in SEC("maps"), as samples/bpf wrote them. */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

struct bpf_map_def SEC("maps") counters = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") flows = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 64,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);
	if (v)
		*v += 1;
	__u64 one = 1;
	bpf_map_update_elem(&flows, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
