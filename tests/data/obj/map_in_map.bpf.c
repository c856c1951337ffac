/* Map-in-map and prog-array initial contents from .maps relocations. */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

SEC("xdp")
int tail_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int tail_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&tail_pass, [2] = (void *)&tail_drop },
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump, (ctx->data_end - ctx->data) > 60 ? 2 : 1);
	return XDP_ABORTED;
}

SEC("xdp")
int use_inner(struct xdp_md *ctx)
{
	__u32 k = 2, zero = 0;
	void *m = bpf_map_lookup_elem(&outer, &k);
	if (!m)
		return XDP_ABORTED;
	__u32 *v = bpf_map_lookup_elem(m, &zero);
	if (v)
		*v += 1;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
