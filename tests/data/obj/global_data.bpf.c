/* Global data: .rodata, .data and .bss become one-element array maps. */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

const volatile __u32 verdict = XDP_DROP;   /* .rodata */
const volatile __u32 threshold = 100;      /* .rodata */
__u64 seen = 7;                            /* .data */
__u32 hist[4] = { 1, 2, 3, 4 };            /* .data */
__u64 big_packets;                         /* .bss */
static __u64 small_packets;                /* .bss, static */

SEC("xdp")
int classify(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	seen++;
	hist[len & 3]++;
	if (len > threshold) {
		big_packets++;
		return verdict;
	}
	small_packets++;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
