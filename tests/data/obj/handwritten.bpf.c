/* The way samples/bpf wrote programs before libbpf's headers: only
 * <linux/bpf.h>; SEC(), the helpers and struct bpf_map_def declared by
 * hand; section names that libbpf 0.x matched by prefix; a subprogram in
 * .text that uses a map (its relocation follows it into each program). */
#include <linux/bpf.h>

#define SEC(NAME) __attribute__((section(NAME), used))

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) BPF_FUNC_map_lookup_elem;

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") hits = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
};

static __attribute__((noinline)) int bump(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (!v)
		return 0;
	*v += 1;
	return 1;
}

SEC("socket1")
int bpf_prog1(struct __sk_buff *skb)
{
	return bump(0) ? -1 : 0;
}

SEC("xdp_pass")
int xdp_prog1(struct xdp_md *ctx)
{
	bump(1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
