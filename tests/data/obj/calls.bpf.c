/* BPF-to-BPF calls: static and global functions in .text, used by two
 * programs, calling each other. */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

static __noinline int add3(int a, int b, int c)
{
	return a + b + c;
}

static __noinline int twice(int x)
{
	return add3(x, x, 0);
}

__noinline int unused_global(int x)
{
	return x * 7;
}

__noinline int global_sum(int n)
{
	int s = 0;
	for (int i = 0; i < 4; i++)
		s += twice(n + i);
	return s;
}

SEC("socket")
int calls_a(struct __sk_buff *skb)
{
	return twice(5) + add3(1, 2, 3);   /* 10 + 6 = 16 */
}

SEC("xdp")
int calls_b(struct xdp_md *ctx)
{
	return global_sum(1) == 20 ? XDP_PASS : XDP_DROP; /* 2+4+6+8 = 20 */
}

char _license[] SEC("license") = "GPL";
