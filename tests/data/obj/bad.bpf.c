/* One program that loads and one that cannot: it calls a helper that does
 * not exist (PROG_LOAD refuses it with "invalid func unknown#999"). */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

static long (*no_such_helper)(void) = (void *)999;

SEC("xdp")
int good_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bad_prog(struct xdp_md *ctx)
{
	return no_such_helper() ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
