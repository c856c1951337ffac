/* An XDP program as clang writes it: send an IPv4 packet back where it
 * came from (MACs and addresses swapped, TTL decremented with an
 * incremental checksum update, 4 bytes of metadata recorded). Built at test
 * time by tests/unit/diff_pkt and run on Linux and bpfvm. */
#include <bpfvm/uapi.h>
#include <bpfvm/bpf_helpers.h>

static __always_inline uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

SEC("xdp") int reflect(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -4))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	void *meta = (void *)(long)ctx->data_meta;
	unsigned char *p = data;
	if (data + 34 > end || meta + 4 > data)
		return XDP_DROP;
	*(uint32_t *)meta = ctx->ingress_ifindex + (ctx->rx_queue_index << 8);
	if (p[12] != 8 || p[13] != 0)
		return XDP_PASS;
	unsigned char mac[6];
	__builtin_memcpy(mac, p, 6);
	__builtin_memcpy(p, p + 6, 6);
	__builtin_memcpy(p + 6, mac, 6);
	uint32_t a, b;
	__builtin_memcpy(&a, p + 26, 4);
	__builtin_memcpy(&b, p + 30, 4);
	__builtin_memcpy(p + 26, &b, 4);
	__builtin_memcpy(p + 30, &a, 4);
	uint16_t old = *(uint16_t *)(p + 22), check = *(uint16_t *)(p + 24);
	p[22]--;
	uint16_t new = *(uint16_t *)(p + 22);
	*(uint16_t *)(p + 24) = csum_fold((uint16_t)~check + (uint32_t)(uint16_t)~old + new);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
