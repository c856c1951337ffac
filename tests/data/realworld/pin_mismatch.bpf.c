/* A map pinned by name whose definition differs from the one of
 * xdp_vlan_parser.bpf.c (the value is 8 bytes, not 16): loading it after
 * that object in the same vm must fail, as libbpf's map_is_reuse_compat
 * refuses it. Written for bpfvm's tests. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, XDP_REDIRECT + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rw_xdp_stats SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 k = XDP_PASS;
	__u64 *v = bpf_map_lookup_elem(&rw_xdp_stats, &k);
	if (v)
		*v += 1;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
