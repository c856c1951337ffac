/* A larger legacy definition (samples/bpf's bpf_load.c layout: inner_map_idx
 * and numa_node after map_flags). libbpf takes it if the extra fields are
 * zero. */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

struct big_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
	unsigned int inner_map_idx, numa_node;
};

struct big_map_def SEC("maps") big = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 2,
};

SEC("socket")
int filter(struct __sk_buff *skb)
{
	__u32 k = 0;
	int *v = bpf_map_lookup_elem(&big, &k);
	return v ? *v : 0;
}

char _license[] SEC("license") = "GPL";
