/* Tunnel metadata helpers of v5.1: bpf_skb_get_tunnel_key,
 * bpf_skb_set_tunnel_key, bpf_skb_get_tunnel_opt, bpf_skb_set_tunnel_opt,
 * and bpf_skb_get_xfrm_state, on the skb model's tunnel info (the kernel's
 * metadata dst) and xfrm states. A test-run skb has neither, until the
 * program sets a tunnel key. */
#include "helpers/pkt.h"
#include <string.h>

/* TUNNEL_* flags of v5.1 */
#define TUNNEL_CSUM 0x01
#define TUNNEL_KEY 0x04
#define TUNNEL_SEQ 0x08
#define TUNNEL_DONT_FRAGMENT 0x0100
#define TUNNEL_NOCACHE 0x2000
#define TUNNEL_OPTIONS_PRESENT (0x0800 | 0x1000 | 0x4000)   /* GENEVE, VXLAN, ERSPAN options */
#define IP_TUNNEL_OPTS_MAX 255

#define KEY_SIZE sizeof(struct bpf_tunnel_key)
#define KEY_OFF(f) offsetof(struct bpf_tunnel_key, f)

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/* Returns the key in `to` (size bytes: the whole struct, or an older
 * layout: without tunnel_label, without tunnel_ext, IPv4 only). The remote
 * address is the metadata's source, as the kernel reads it. */
static uint64_t get_tunnel_key(uint64_t ctx, uint64_t to_p, uint64_t size_r, uint64_t flags, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t size = (uint32_t)size_r;
	uint8_t *to = PTR(to_p);
	struct bpf_tunnel_key k;
	int err;
	if (!skb || !skb->tunnel.present || (flags & ~BPF_F_TUNINFO_IPV6)) {
		err = -EINVAL;
		goto clear;
	}
	if (skb->tunnel.ipv6 != !!(flags & BPF_F_TUNINFO_IPV6)) {
		err = -EPROTO;
		goto clear;
	}
	if (size != KEY_SIZE) {
		err = -EINVAL;
		if (size == KEY_OFF(remote_ipv6[1]) ? skb->tunnel.ipv6 :
		    size != KEY_OFF(tunnel_label) && size != KEY_OFF(tunnel_ext))
			goto clear;
	}
	memset(&k, 0, sizeof(k));
	k.tunnel_id = (uint32_t)skb->tunnel.tun_id;
	k.tunnel_tos = skb->tunnel.tos;
	k.tunnel_ttl = skb->tunnel.ttl;
	if (flags & BPF_F_TUNINFO_IPV6) {
		memcpy(k.remote_ipv6, skb->tunnel.src, 16);
		k.tunnel_label = be32(skb->tunnel.label);
	} else {
		uint32_t a;
		memcpy(&a, skb->tunnel.src, 4);
		k.remote_ipv4 = be32(a);
	}
	memcpy(to, &k, size);
	return 0;
clear:
	bpfvm_helper_zero(to, size);
	return RET(err);
}

/* Attaches TX tunnel metadata: the key's remote address becomes the
 * destination (host order in the key), the flags pick checksum, DF and
 * sequence numbers. */
static uint64_t set_tunnel_key(uint64_t ctx, uint64_t from_p, uint64_t size_r, uint64_t flags, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t size = (uint32_t)size_r;
	struct bpf_tunnel_key k;
	if (!skb || (flags & ~(BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER)))
		return RET(-EINVAL);
	if (size != KEY_SIZE && size != KEY_OFF(tunnel_label) && size != KEY_OFF(tunnel_ext) &&
	    size != KEY_OFF(remote_ipv6[1]))
		return RET(-EINVAL);
	memset(&k, 0, sizeof(k));
	memcpy(&k, PTR(from_p), size);
	if ((!(flags & BPF_F_TUNINFO_IPV6) && k.tunnel_label) || k.tunnel_ext)
		return RET(-EINVAL);
	struct bpfvm_tunnel_info *t = &skb->tunnel;
	memset(t, 0, sizeof(*t));
	t->present = 1;
	t->tx = 1;
	t->flags = TUNNEL_KEY | TUNNEL_CSUM | TUNNEL_NOCACHE;
	if (flags & BPF_F_DONT_FRAGMENT)
		t->flags |= TUNNEL_DONT_FRAGMENT;
	if (flags & BPF_F_ZERO_CSUM_TX)
		t->flags &= (uint16_t)~TUNNEL_CSUM;
	if (flags & BPF_F_SEQ_NUMBER)
		t->flags |= TUNNEL_SEQ;
	t->tun_id = k.tunnel_id;
	t->tos = k.tunnel_tos;
	t->ttl = k.tunnel_ttl;
	if (flags & BPF_F_TUNINFO_IPV6) {
		t->ipv6 = 1;
		memcpy(t->dst, k.remote_ipv6, 16);
		t->label = be32(k.tunnel_label) & be32(0x000fffff);
	} else {
		uint32_t a = be32(k.remote_ipv4);
		memcpy(t->dst, &a, 4);
	}
	return 0;
}

/* Options: -ENOENT without any, -ENOMEM if they do not fit; the rest of
 * the buffer is zeroed; returns their length. */
static uint64_t get_tunnel_opt(uint64_t ctx, uint64_t to_p, uint64_t size_r, uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t size = (uint32_t)size_r;
	uint8_t *to = PTR(to_p);
	int err;
	if (!skb || !skb->tunnel.present || !(skb->tunnel.flags & TUNNEL_OPTIONS_PRESENT)) {
		err = -ENOENT;
		goto clear;
	}
	if (size < skb->tunnel.options_len) {
		err = -ENOMEM;
		goto clear;
	}
	memcpy(to, skb->tunnel.options, skb->tunnel.options_len);
	memset(to + skb->tunnel.options_len, 0, size - skb->tunnel.options_len);
	return skb->tunnel.options_len;
clear:
	bpfvm_helper_zero(to, size);
	return RET(err);
}

/* Only on metadata set_tunnel_key made; whole words, at most 255 bytes. */
static uint64_t set_tunnel_opt(uint64_t ctx, uint64_t from_p, uint64_t size_r, uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t size = (uint32_t)size_r;
	if (!skb || !skb->tunnel.tx || (size & 3))
		return RET(-EINVAL);
	if (size > IP_TUNNEL_OPTS_MAX)
		return RET(-ENOMEM);
	skb->tunnel.options_len = (uint8_t)size;
	if (size) {
		memcpy(skb->tunnel.options, PTR(from_p), size);
		skb->tunnel.flags |= TUNNEL_OPTIONS_PRESENT;
	}
	return 0;
}

/* bpf_skb_get_xfrm_state: state `index` of the receive path's security
 * path; any problem clears the buffer and is -EINVAL. */
static uint64_t skb_get_xfrm_state(uint64_t ctx, uint64_t index, uint64_t to_p, uint64_t size, uint64_t flags,
				   struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	struct bpf_xfrm_state *to = PTR(to_p);
	if (!skb || !skb->xfrm || (uint32_t)index >= skb->xfrm_len || flags ||
	    (uint32_t)size != sizeof(struct bpf_xfrm_state)) {
		bpfvm_helper_zero(to, (uint32_t)size);
		return RET(-EINVAL);
	}
	const struct bpfvm_xfrm_state *x = &skb->xfrm[(uint32_t)index];
	to->reqid = x->reqid;
	to->spi = x->spi;
	to->family = x->family;
	to->ext = 0;
	if (x->family == 10) {
		memcpy(to->remote_ipv6, x->saddr, 16);
	} else {
		memcpy(&to->remote_ipv4, x->saddr, 4);
		memset(&to->remote_ipv6[1], 0, 12);
	}
	return 0;
}

const struct bpfvm_helper_def bpfvm_helpers_tunnel[] = {
	{ BPF_FUNC_skb_get_tunnel_key, { "skb_get_tunnel_key", get_tunnel_key, BPFVM_RET_INTEGER,
					 { A(PTR_TO_CTX), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_skb_set_tunnel_key, { "skb_set_tunnel_key", set_tunnel_key, BPFVM_RET_INTEGER,
					 { A(PTR_TO_CTX), A(PTR_TO_MEM), A(CONST_SIZE), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_skb_get_tunnel_opt, { "skb_get_tunnel_opt", get_tunnel_opt, BPFVM_RET_INTEGER,
					 { A(PTR_TO_CTX), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ BPF_FUNC_skb_set_tunnel_opt, { "skb_set_tunnel_opt", set_tunnel_opt, BPFVM_RET_INTEGER,
					 { A(PTR_TO_CTX), A(PTR_TO_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ BPF_FUNC_skb_get_xfrm_state, { "skb_get_xfrm_state", skb_get_xfrm_state, BPFVM_RET_INTEGER,
					 { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE),
					   A(ANYTHING) }, 0, 0 } },
	{ 0, { 0 } },
};
