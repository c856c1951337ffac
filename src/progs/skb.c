/* The sk_buff model: building one as the kernel's test runs do, growing its
 * buffer, LD_ABS/LD_IND, and the context hooks of a run. */
#include "progs/skb.h"
#include "progs/ctx.h"
#include "progs/net.h"
#include "progs/sock.h"
#include "progs/types.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SKF_NET_OFF (-0x100000)
#define SKF_LL_OFF  (-0x200000)

int bpfvm_skb_type_is_l2(uint32_t type)
{
	return type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT;
}

/* eth_type_trans: pkt_type from the destination address against the
 * device's (the loopback device has address and broadcast address all
 * zero, so a broadcast frame is PACKET_MULTICAST there), and the protocol
 * (802.3 frames: ETH_P_802_3 for raw IPX, else ETH_P_802_2). */
static void eth_type_trans(struct bpfvm_skb *skb, const uint8_t *frame, uint32_t len,
			   const struct bpfvm_net_dev *dev)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6];
	const uint8_t *dev_bcast = dev->ifindex == 1 ? zero : bcast;
	if (frame[0] & 1)
		skb->pkt_type = memcmp(frame, dev_bcast, 6) ? BPFVM_PACKET_MULTICAST : BPFVM_PACKET_BROADCAST;
	else
		skb->pkt_type = memcmp(frame, dev->mac, 6) ? BPFVM_PACKET_OTHERHOST : BPFVM_PACKET_HOST;
	uint16_t proto = (uint16_t)(frame[12] << 8 | frame[13]);
	if (proto >= 0x0600)
		memcpy(&skb->protocol, frame + 12, 2);
	else if (len >= 16 && frame[14] == 0xff && frame[15] == 0xff)
		skb->protocol = 0x0100;         /* htons(ETH_P_802_3) */
	else
		skb->protocol = 0x0400;         /* htons(ETH_P_802_2) */
}

int bpfvm_skb_init(struct bpfvm_skb *skb, struct bpfvm *vm, const uint8_t *frame, uint32_t len, uint32_t prog_type,
		   uint32_t attach_type)
{
	return bpfvm_skb_init_dev(skb, vm, frame, len, prog_type, attach_type, 1);
}

int bpfvm_skb_init_dev(struct bpfvm_skb *skb, struct bpfvm *vm, const uint8_t *frame, uint32_t len,
		       uint32_t prog_type, uint32_t attach_type, uint32_t ifindex)
{
	struct bpfvm_net_dev dev;
	if (len < BPFVM_ETH_HLEN)
		return -EINVAL;
	if (bpfvm_net_dev_get(vm, ifindex, &dev) < 0)
		return -ENODEV;
	memset(skb, 0, sizeof(*skb));
	skb->kind = BPFVM_MODEL_SKB;
	skb->prog_type = prog_type;
	skb->attach_type = attach_type;
	skb->vm = vm;
	skb->srh_off = -1;
	/* bpf_test_init: NET_SKB_PAD of headroom, the frame, room for the
	 * shared info (which a linear buffer may grow into, as build_skb's). */
	size_t cap = BPFVM_NET_SKB_PAD + len + BPFVM_SKB_SHINFO_SIZE;
	skb->head = calloc(1, cap);
	if (!skb->head)
		return -ENOMEM;
	skb->end = skb->head + cap;
	skb->data = skb->head + BPFVM_NET_SKB_PAD;
	memcpy(skb->data, frame, len);
	skb->len = len;
	skb->mtu = dev.mtu;
	skb->ifindex = dev.ifindex;
	skb->transport_header = BPFVM_SKB_UNSET;
	skb->inner_network_header = skb->inner_transport_header = BPFVM_SKB_UNSET;
	/* eth_type_trans: mac header here, pull ETH_HLEN; then the network
	 * header is reset to data. */
	skb->mac_header = BPFVM_NET_SKB_PAD;
	eth_type_trans(skb, frame, len, &dev);
	skb->data += BPFVM_ETH_HLEN;
	skb->len -= BPFVM_ETH_HLEN;
	skb->network_header = (uint32_t)(skb->data - skb->head);
	if (bpfvm_skb_type_is_l2(prog_type)) {  /* __skb_push(skb, hh_len) */
		skb->data -= BPFVM_ETH_HLEN;
		skb->len += BPFVM_ETH_HLEN;
	}
	bpfvm_skb_sync(skb);
	/* The security path the host gave the vm's test-run packets. */
	struct bpfvm_net_xfrm xs[BPFVM_XFRM_MAX_DEPTH];
	uint32_t nx = bpfvm_net_get_xfrm(vm, xs);
	for (uint32_t i = 0; i < nx; i++) {
		skb->xfrm_store[i].reqid = xs[i].reqid;
		skb->xfrm_store[i].spi = xs[i].spi;
		skb->xfrm_store[i].family = xs[i].family;
		memcpy(skb->xfrm_store[i].saddr, xs[i].saddr, 16);
	}
	skb->xfrm = nx ? skb->xfrm_store : NULL;
	skb->xfrm_len = nx;
	/* The zeroed socket the test run attaches (sock_init_data(NULL, sk)). */
	skb->sk = calloc(1, sizeof(*skb->sk));
	if (!skb->sk) {
		free(skb->head);
		skb->head = NULL;
		return -ENOMEM;
	}
	bpfvm_sock_init_dummy(skb->sk);
	skb->sk_view = &skb->sk->sk;
	return 0;
}

void bpfvm_skb_fini(struct bpfvm_skb *skb)
{
	free(skb->head);
	free(skb->sk);
	skb->head = NULL;
	skb->sk = NULL;
	skb->sk_view = NULL;
}

int bpfvm_skb_cow(struct bpfvm_skb *skb, uint32_t headroom, uint32_t tailroom)
{
	uint32_t head = bpfvm_skb_headroom(skb), tail = bpfvm_skb_tailroom(skb);
	if (head >= headroom && tail >= tailroom)
		return 0;
	/* pskb_expand_head: grow both ends (keeping some slack, as the kernel
	 * rounds its allocation), copy, free the old buffer. */
	uint32_t nhead = head >= headroom ? head : headroom + BPFVM_NET_SKB_PAD;
	uint32_t ntail = tail >= tailroom ? tail : tailroom + BPFVM_SKB_SHINFO_SIZE;
	size_t cap = (size_t)nhead + skb->len + ntail;
	if (cap > 0x7fffffff)
		return -ENOMEM;
	uint8_t *n = calloc(1, cap);
	if (!n)
		return -ENOMEM;
	uint8_t *old = skb->head;
	size_t old_cap = (size_t)(skb->end - skb->head);
	/* Everything from the old head moves by the same delta, so header
	 * offsets (relative to head) shift by (nhead - head). */
	uint32_t used = head + skb->len;
	memcpy(n + nhead - head, old, used);
	int32_t delta = (int32_t)nhead - (int32_t)head;
	if (skb->mac_header != BPFVM_SKB_UNSET)
		skb->mac_header = (uint32_t)(skb->mac_header + delta);
	if (skb->network_header != BPFVM_SKB_UNSET)
		skb->network_header = (uint32_t)(skb->network_header + delta);
	if (skb->transport_header != BPFVM_SKB_UNSET)
		skb->transport_header = (uint32_t)(skb->transport_header + delta);
	if (skb->inner_network_header != BPFVM_SKB_UNSET)
		skb->inner_network_header = (uint32_t)(skb->inner_network_header + delta);
	if (skb->inner_transport_header != BPFVM_SKB_UNSET)
		skb->inner_transport_header = (uint32_t)(skb->inner_transport_header + delta);
	skb->head = n;
	skb->end = n + cap;
	skb->data = n + nhead;
	bpfvm_skb_sync(skb);
	bpfvm_run_region_move(skb->run, old, n, cap, 1);
	(void)old_cap;
	free(old);
	return 0;
}

/* LD_ABS / LD_IND (bpf_skb_load_helper_*_no_cache of v5.1): offsets from
 * skb->data; negative offsets from the network header (SKF_NET_OFF) or the
 * link-layer header (SKF_LL_OFF), as bpf_internal_load_pointer_neg_helper;
 * all of it inside [head, tail). Big-endian values. */
static int skb_ld_abs(struct bpfvm_run *run, int64_t off, uint32_t size, uint32_t *val)
{
	struct bpfvm_skb *skb = run->model;
	const uint8_t *tail = skb->data + skb->len, *p;
	int32_t k = (int32_t)off;
	if (k >= 0) {
		if ((int64_t)skb->len - k < (int64_t)size)
			return -EFAULT;
		p = skb->data + k;
	} else if (k >= SKF_NET_OFF) {
		p = skb->head + skb->network_header + (k - SKF_NET_OFF);
	} else if (k >= SKF_LL_OFF) {
		if (skb->mac_header == BPFVM_SKB_UNSET)
			return -EFAULT;
		p = skb->head + skb->mac_header + (k - SKF_LL_OFF);
	} else {
		return -EFAULT;
	}
	if (p < skb->head || p > tail || (size_t)(tail - p) < size)
		return -EFAULT;
	*val = size == 1 ? p[0] : size == 2 ? (uint32_t)p[0] << 8 | p[1]
					    : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

static int skb_ctx_access(struct bpfvm_run *run, uint32_t off, uint32_t size, int write, uint64_t *val)
{
	struct bpfvm_skb *skb = run->model;
	return bpfvm_ctx_checked_access(bpfvm_prog_type_get(skb->prog_type), skb->attach_type, skb, off, size,
					write, val);
}

void bpfvm_skb_prepare_run(struct bpfvm_run *run, struct bpfvm_skb *skb)
{
	run->model = skb;
	run->ctx_access = skb_ctx_access;
	run->ld_abs = skb_ld_abs;
	skb->run = run;
	/* r1 is the model itself: its first sizeof(__sk_buff) bytes are the
	 * context region, accessed through the rewrites. */
	bpfvm_run_set_ctx(run, skb, sizeof(struct __sk_buff));
	/* The whole buffer: the verifier's packet range checks do the rest;
	 * checked runs only need the program not to leave the buffer. */
	bpfvm_run_add_region(run, skb->head, (size_t)(skb->end - skb->head), 1);
	if (skb->flow_keys)
		bpfvm_run_add_region(run, skb->flow_keys, sizeof(*skb->flow_keys), 1);
	if (skb->sk)
		bpfvm_sock_expose(run, skb->sk);
}

/* ipv6_find_hdr for `target`: offset from data, or -1 (-ENOENT). */
int32_t bpfvm_skb_ipv6_find(const struct bpfvm_skb *skb, uint8_t target)
{
	const uint8_t *p = skb->head + skb->network_header, *tail = skb->data + skb->len;
	if (p + 40 > tail || (p[0] >> 4) != 6)
		return -1;
	uint8_t nexthdr = p[6];
	uint32_t off = 40;
	while (nexthdr != target) {
		if (nexthdr != 0 && nexthdr != 43 && nexthdr != 44 && nexthdr != 51 && nexthdr != 60)
			return -1;
		if (p + off + 8 > tail)
			return -1;
		uint32_t hl = nexthdr == 44 ? 8 : nexthdr == 51 ? ((uint32_t)p[off + 1] + 2) * 4
							   : ((uint32_t)p[off + 1] + 1) * 8;
		nexthdr = p[off];
		off += hl;
	}
	if (p + off > tail)
		return -1;
	return (int32_t)(p + off - skb->data);
}

/* The SRH the program may edit (seg6_bpf_srh_state), found again after
 * the packet changed. */
void bpfvm_skb_seg6_srh_update(struct bpfvm_skb *skb)
{
	int32_t off = bpfvm_skb_ipv6_find(skb, 43);
	skb->srh_off = off;
	if (off >= 0) {
		skb->srh_hdrlen = (uint16_t)(skb->data[off + 1] << 3);
		skb->srh_valid = 1;
	}
}

/* ---- the __sk_buff a test run takes and gives (Linux >= 5.2) ---- */

static int range_is_zero(const void *p, size_t from, size_t to)
{
	const uint8_t *b = p;
	for (size_t i = from; i < to; i++)
		if (b[i])
			return 0;
	return 1;
}

#define SKB_OFF(f) offsetof(struct __sk_buff, f)
#define SKB_END(f) (offsetof(struct __sk_buff, f) + sizeof(((struct __sk_buff *)0)->f))

/* convert___skb_to_skb of Linux 6.x, for the fields v5.1's __sk_buff has:
 * mark, priority, ingress_ifindex, ifindex (checked by the caller), cb,
 * tstamp, wire_len and gso_segs may be set, everything else must be zero. */
int bpfvm_skb_ctx_in(struct bpfvm_skb *skb, const struct __sk_buff *ctx)
{
	if (!ctx)
		return 0;
	if (!range_is_zero(ctx, 0, SKB_OFF(mark)) || !range_is_zero(ctx, SKB_END(mark), SKB_OFF(priority)) ||
	    !range_is_zero(ctx, SKB_END(ifindex), SKB_OFF(cb)) ||
	    !range_is_zero(ctx, SKB_END(cb), SKB_OFF(tstamp)) ||
	    !range_is_zero(ctx, SKB_END(gso_segs), sizeof(*ctx)))
		return -EINVAL;
	skb->mark = ctx->mark;
	skb->priority = ctx->priority;
	skb->ingress_ifindex = ctx->ingress_ifindex;
	skb->tstamp = ctx->tstamp;
	memcpy(skb->cb, ctx->cb, sizeof(skb->cb));
	if (!ctx->wire_len) {
		skb->wire_len = skb->len;
	} else {
		if (ctx->wire_len < skb->len || ctx->wire_len > 65536)     /* GSO_LEGACY_MAX_SIZE */
			return -EINVAL;
		skb->wire_len = ctx->wire_len;
	}
	if (ctx->gso_segs > 65535)                                          /* GSO_MAX_SEGS */
		return -EINVAL;
	skb->gso_segs = (uint16_t)ctx->gso_segs;
	return 0;
}

/* convert_skb_to___skb */
void bpfvm_skb_ctx_out(const struct bpfvm_skb *skb, struct __sk_buff *ctx)
{
	if (!ctx)
		return;
	ctx->mark = skb->mark;
	ctx->priority = skb->priority;
	ctx->ingress_ifindex = skb->ingress_ifindex;
	ctx->ifindex = skb->ifindex;
	ctx->tstamp = skb->tstamp;
	memcpy(ctx->cb, skb->cb, sizeof(ctx->cb));
	ctx->wire_len = skb->wire_len;
	ctx->gso_segs = skb->gso_segs;
}
