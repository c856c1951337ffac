/* sk_buff helpers of v5.1 (net/core/filter.c): loading and storing bytes,
 * pulling, growing and shrinking the packet, changing protocol and type,
 * VLAN tags, the hash, and what the skb knows of its socket and cgroup.
 * Every helper works on the linear struct bpfvm_skb of the running
 * program; one that changes the packet's bounds recomputes data_end (and
 * moves the checked run's packet region when it reallocates). */
#include "helpers/pkt.h"
#include "maps/map.h"
#include <string.h>

#define VLAN_HLEN 4
#define VLAN_ETH_HLEN 18
#define IPV4_HLEN 20
#define IPV6_HLEN 40

static int eth_type_vlan(uint16_t be_proto)
{
	return be_proto == ETH_P_8021Q_BE || be_proto == ETH_P_8021AD_BE;
}

/* ---- bytes ---- */

/* bpf_skb_load_bytes: offset + len inside the packet, else the buffer is
 * zeroed and -EFAULT. */
static uint64_t skb_load_bytes(uint64_t ctx, uint64_t offset, uint64_t to, uint64_t len, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;
	if (skb && off <= 0xffff && (uint64_t)off + n <= skb->len) {
		memmove(PTR(to), skb->data + off, n);
		return 0;
	}
	bpfvm_helper_zero(PTR(to), n);
	return RET(-EFAULT);
}

/* bpf_skb_load_bytes_relative: from the MAC or network header, up to the
 * tail. */
static uint64_t skb_load_bytes_relative(uint64_t ctx, uint64_t offset, uint64_t to, uint64_t len,
					uint64_t start_header, struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;
	if (skb && skb->mac_header != BPFVM_SKB_UNSET && off <= 0xffff) {
		const uint8_t *end = skb->data + skb->len, *mac = skb->head + skb->mac_header;
		const uint8_t *base = (uint32_t)start_header == BPF_HDR_START_MAC ? mac
				      : (uint32_t)start_header == BPF_HDR_START_NET ? skb->head + skb->network_header
				      : NULL;
		if (base && base + off >= mac && base + off <= end && (size_t)(end - (base + off)) >= n) {
			memmove(PTR(to), base + off, n);
			return 0;
		}
	}
	bpfvm_helper_zero(PTR(to), n);
	return RET(-EFAULT);
}

/* bpf_skb_store_bytes: BPF_F_RECOMPUTE_CSUM keeps a CHECKSUM_COMPLETE sum
 * right, BPF_F_INVALIDATE_HASH clears the hash. */
static uint64_t skb_store_bytes(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t len, uint64_t flags,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;
	if (!skb || (flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)))
		return RET(-EINVAL);
	if (off > 0xffff || !pkt_may_pull(skb, (uint64_t)off + n))
		return RET(-EFAULT);
	uint8_t *p = skb->data + off;
	if (flags & BPF_F_RECOMPUTE_CSUM)
		bpfvm_skb_postpull_rcsum(skb, p, n, off);
	memmove(p, PTR(from), n);
	if (flags & BPF_F_RECOMPUTE_CSUM)
		bpfvm_skb_postpush_rcsum(skb, p, n, off);
	if (flags & BPF_F_INVALIDATE_HASH)
		bpfvm_skb_clear_hash(skb);
	return 0;
}

/* bpf_skb_pull_data: make the first len bytes (0: the whole head) direct
 * accessible; a linear skb already is, as long as len fits: -ENOMEM. */
static uint64_t skb_pull_data(uint64_t ctx, uint64_t len, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb)
		return RET(-EINVAL);
	uint32_t n = (uint32_t)len ? (uint32_t)len : skb->len;
	bpfvm_skb_sync(skb);
	return pkt_may_pull(skb, n) ? 0 : RET(-ENOMEM);
}

/* ---- growing and shrinking ---- */

/* __bpf_skb_min_len: the packet may not be cut into its headers. */
static uint32_t skb_min_len(const struct bpfvm_skb *skb)
{
	int32_t min = bpfvm_skb_network_offset(skb);
	if (skb->transport_header != BPFVM_SKB_UNSET)
		min = (int32_t)skb->transport_header - (int32_t)(skb->data - skb->head);
	return min < 0 ? 0 : (uint32_t)min;
}

/* bpf_skb_change_tail: new length in [min, mtu + ETH_HLEN]; growth is
 * zeroed. */
static uint64_t skb_change_tail(uint64_t ctx, uint64_t new_len, uint64_t flags, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t nl = (uint32_t)new_len;
	if (!skb)
		return RET(-EINVAL);
	if (flags || nl > bpfvm_skb_max_len(skb) || nl < skb_min_len(skb))
		return RET(-EINVAL);
	if (skb->encapsulation)
		return RET(-ENOTSUPP);
	int rc = 0;
	if (nl > skb->len) {
		rc = bpfvm_skb_cow(skb, 0, nl - skb->len);
		if (rc == 0)
			memset(skb->data + skb->len, 0, nl - skb->len);
	}
	if (rc == 0) {
		skb->len = nl;
		if (skb->gso_size) {            /* skb_gso_reset */
			skb->gso_size = skb->gso_segs = 0;
			skb->gso_type = 0;
		}
	}
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* bpf_skb_change_head: push head_room zeroed bytes in front (a new MAC
 * header for an L3 packet); the network header stays. */
static uint64_t skb_change_head(uint64_t ctx, uint64_t head_room, uint64_t flags, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t room = (uint32_t)head_room, nl = skb ? skb->len + room : 0;
	if (!skb)
		return RET(-EINVAL);
	if (flags || (!skb->gso_size && nl > bpfvm_skb_max_len(skb)) || nl < skb->len)
		return RET(-EINVAL);
	int rc = bpfvm_skb_cow(skb, room, 0);
	if (rc == 0) {
		skb->data -= room;
		skb->len += room;
		memset(skb->data, 0, room);
		skb->mac_header = (uint32_t)(skb->data - skb->head);
	}
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* bpf_skb_generic_push / _pop at `off` bytes from data, moving the headers
 * before it (bpf_skb_net_hdr_push / _pop). */
int bpfvm_skb_net_hdr_push(struct bpfvm_skb *skb, uint32_t off, uint32_t len)
{
	int trans_same = skb->transport_header == skb->network_header;
	int rc = bpfvm_skb_cow(skb, len, 0);
	if (rc < 0)
		return rc;
	skb->data -= len;
	skb->len += len;
	memmove(skb->data, skb->data + len, off);
	memset(skb->data + off, 0, len);
	skb->mac_header = (uint32_t)(skb->mac_header - len);
	skb->network_header = (uint32_t)(skb->network_header - len);
	if (trans_same)
		skb->transport_header = skb->network_header;
	return 0;
}

int bpfvm_skb_net_hdr_pop(struct bpfvm_skb *skb, uint32_t off, uint32_t len)
{
	int trans_same = skb->transport_header == skb->network_header;
	if (!pkt_may_pull(skb, (uint64_t)off + len))
		return -ENOMEM;
	bpfvm_skb_postpull_rcsum(skb, skb->data + off, len, off);
	memmove(skb->data + len, skb->data, off);
	skb->data += len;
	skb->len -= len;
	skb->mac_header = (uint32_t)(skb->mac_header + len);
	skb->network_header = (uint32_t)(skb->network_header + len);
	if (trans_same)
		skb->transport_header = skb->network_header;
	return 0;
}

static uint32_t mac_header_len(const struct bpfvm_skb *skb)
{
	return (uint32_t)(skb->network_header - skb->mac_header);
}

/* bpf_skb_change_proto: IPv4 <-> IPv6 by inserting or removing the 20
 * bytes the headers differ by, right after the MAC header; the program
 * writes the new header itself. */
static uint64_t skb_change_proto(uint64_t ctx, uint64_t proto, uint64_t flags, uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint16_t to = (uint16_t)proto;
	if (!skb || flags)
		return RET(-EINVAL);
	int rc;
	if (skb->protocol == ETH_P_IP_BE && to == ETH_P_IPV6_BE) {
		rc = bpfvm_skb_net_hdr_push(skb, mac_header_len(skb), IPV6_HLEN - IPV4_HLEN);
		if (rc == 0)
			skb->protocol = ETH_P_IPV6_BE;
	} else if (skb->protocol == ETH_P_IPV6_BE && to == ETH_P_IP_BE) {
		rc = bpfvm_skb_net_hdr_pop(skb, mac_header_len(skb), IPV6_HLEN - IPV4_HLEN);
		if (rc == 0)
			skb->protocol = ETH_P_IP_BE;
	} else {
		rc = -ENOTSUPP;
	}
	if (rc == 0)
		bpfvm_skb_clear_hash(skb);
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* bpf_skb_change_type: only among host, broadcast, multicast, otherhost. */
static uint64_t skb_change_type(uint64_t ctx, uint64_t type, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb || skb->pkt_type > BPFVM_PACKET_OTHERHOST || (uint32_t)type > BPFVM_PACKET_OTHERHOST)
		return RET(-EINVAL);
	skb->pkt_type = (uint8_t)type;
	return 0;
}

/* bpf_skb_adjust_room of v5.1 (bpf_skb_adjust_net): only BPF_ADJ_ROOM_NET
 * and no flags; room is made or taken right after the base L3 header of an
 * IPv4/IPv6 packet. */
static uint64_t skb_adjust_room(uint64_t ctx, uint64_t len_diff, uint64_t mode, uint64_t flags, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	int32_t diff = (int32_t)len_diff;
	uint32_t abs_diff = diff < 0 ? 0u - (uint32_t)diff : (uint32_t)diff;
	if (!skb || flags)
		return RET(-EINVAL);
	if ((uint32_t)mode != BPF_ADJ_ROOM_NET)
		return RET(-ENOTSUPP);
	if (abs_diff > 0xfff)
		return RET(-EFAULT);
	uint32_t base = skb->protocol == ETH_P_IP_BE ? IPV4_HLEN : skb->protocol == ETH_P_IPV6_BE ? IPV6_HLEN : 0;
	if (!base)
		return RET(-ENOTSUPP);
	int trans_same = skb->transport_header == skb->network_header;
	uint32_t cur = skb->len - (uint32_t)bpfvm_skb_network_offset(skb);
	if (skb->transport_header != BPFVM_SKB_UNSET && !trans_same)
		cur = (uint32_t)(skb->transport_header - skb->network_header);
	int shrink = diff < 0;
	if ((shrink && (abs_diff >= cur || cur - abs_diff < base)) ||
	    (!shrink && skb->len + abs_diff > bpfvm_skb_max_len(skb) && !skb->gso_size))
		return RET(-ENOTSUPP);
	uint32_t off = mac_header_len(skb) + base;
	int rc = shrink ? bpfvm_skb_net_hdr_pop(skb, off, abs_diff) : bpfvm_skb_net_hdr_push(skb, off, abs_diff);
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* ---- VLAN ---- */

/* __vlan_insert_tag: the tag goes into the packet after the MAC addresses. */
static int vlan_insert_tag(struct bpfvm_skb *skb, uint16_t proto, uint16_t tci)
{
	int rc = bpfvm_skb_cow(skb, VLAN_HLEN, 0);
	if (rc < 0)
		return rc;
	skb->data -= VLAN_HLEN;
	skb->len += VLAN_HLEN;
	memmove(skb->data, skb->data + VLAN_HLEN, 12);
	skb->mac_header = (uint32_t)(skb->mac_header - VLAN_HLEN);
	uint16_t be_tci = pkt_htons(tci);
	memcpy(skb->data + 12, &proto, 2);
	memcpy(skb->data + 14, &be_tci, 2);
	return 0;
}

/* __skb_vlan_pop: the tag after the MAC addresses comes out of the packet;
 * data must be at the MAC header. */
static int vlan_pop_packet(struct bpfvm_skb *skb, uint16_t *tci)
{
	if (skb->data != skb->head + skb->mac_header)
		return -EINVAL;
	if (!pkt_may_pull(skb, VLAN_ETH_HLEN))
		return -ENOMEM;
	bpfvm_skb_postpull_rcsum(skb, skb->data + 12, VLAN_HLEN, 12);
	uint16_t be;
	memcpy(&be, skb->data + 14, 2);
	*tci = pkt_htons(be);
	uint16_t inner;
	memcpy(&inner, skb->data + 16, 2);
	memmove(skb->data + VLAN_HLEN, skb->data, 12);
	skb->data += VLAN_HLEN;
	skb->len -= VLAN_HLEN;
	/* vlan_set_encap_proto */
	if (pkt_htons(inner) >= 0x0600)
		skb->protocol = inner;
	else if (skb->len >= 16 && skb->data[14] == 0xff && skb->data[15] == 0xff)
		skb->protocol = 0x0100;
	else
		skb->protocol = 0x0400;
	skb->mac_header = (uint32_t)(skb->mac_header + VLAN_HLEN);
	if (bpfvm_skb_network_offset(skb) < 14)
		skb->network_header = (uint32_t)(skb->data - skb->head + 14);
	return 0;
}

/* bpf_skb_vlan_push (skb_vlan_push): the new tag is the skb's "hardware
 * accelerated" one; a tag already there is first written into the packet.
 * An unknown protocol means 802.1Q. */
static uint64_t skb_vlan_push(uint64_t ctx, uint64_t vlan_proto, uint64_t vlan_tci, uint64_t r4, uint64_t r5,
			      struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint16_t proto = (uint16_t)vlan_proto;
	if (!skb)
		return RET(-EINVAL);
	if (!eth_type_vlan(proto))
		proto = ETH_P_8021Q_BE;
	int rc = 0;
	if (skb->vlan_present) {
		if (skb->data != skb->head + skb->mac_header)
			rc = -EINVAL;
		else if ((rc = vlan_insert_tag(skb, skb->vlan_proto, skb->vlan_tci)) == 0)
			skb->protocol = skb->vlan_proto;
	}
	if (rc == 0) {
		skb->vlan_proto = proto;
		skb->vlan_tci = (uint16_t)vlan_tci;
		skb->vlan_present = 1;
	}
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* bpf_skb_vlan_pop (skb_vlan_pop): drops the accelerated tag (vlan_tci
 * keeps its value, only vlan_present clears) or the packet's outer tag;
 * a further tag in the packet becomes the accelerated one. */
static uint64_t skb_vlan_pop(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint16_t tci;
	int rc = 0;
	if (!skb)
		return RET(-EINVAL);
	if (skb->vlan_present) {
		skb->vlan_present = 0;
	} else {
		if (!eth_type_vlan(skb->protocol))
			goto out;
		if ((rc = vlan_pop_packet(skb, &tci)) < 0)
			goto out;
	}
	if (eth_type_vlan(skb->protocol)) {
		uint16_t proto = skb->protocol;
		if ((rc = vlan_pop_packet(skb, &tci)) == 0) {
			skb->vlan_proto = proto;
			skb->vlan_tci = tci;
			skb->vlan_present = 1;
		}
	}
out:
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* ---- the hash ---- */

static uint32_t rol32(uint32_t w, int s)
{
	return w << s | w >> (32 - s);
}

/* jhash_3words with a fixed seed: the kernel seeds its flow hash randomly
 * at boot, so its values cannot be reproduced; this one is deterministic. */
static uint32_t jhash3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t iv = 0xdeadbeef + (3 << 2);
	a += iv; b += iv; c += iv;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* __skb_get_hash: a hash of addresses, protocol and (when there are) ports;
 * never 0; l4_hash when ports took part. */
static void skb_flow_hash(struct bpfvm_skb *skb)
{
	const uint8_t *nh = skb->head + skb->network_header, *tail = skb->data + skb->len;
	uint32_t a = 0, b = 0, ports = 0, proto = 0, l4 = 0;
	const uint8_t *th = NULL;
	if (skb->protocol == ETH_P_IP_BE && nh + IPV4_HLEN <= tail) {
		memcpy(&a, nh + 12, 4);
		memcpy(&b, nh + 16, 4);
		proto = nh[9];
		if (!(nh[6] & 0x3f) && !nh[7])  /* not a fragment */
			th = nh + (nh[0] & 0x0f) * 4;
	} else if (skb->protocol == ETH_P_IPV6_BE && nh + IPV6_HLEN <= tail) {
		a = bpfvm_csum_partial(nh + 8, 16, 0);
		b = bpfvm_csum_partial(nh + 24, 16, 0);
		proto = nh[6];
		th = nh + IPV6_HLEN;
	}
	if (th && (proto == 6 || proto == 17 || proto == 132) && th + 4 <= tail) {
		memcpy(&ports, th, 4);
		l4 = 1;
	}
	uint32_t h = jhash3(a ^ b, ports ^ (ports >> 16 | ports << 16), proto);
	skb->hash = h ? h : 1;
	skb->sw_hash = 1;
	skb->l4_hash = (uint8_t)l4;
}

static uint64_t get_hash_recalc(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb)
		return 0;
	if (!skb->l4_hash && !skb->sw_hash)
		skb_flow_hash(skb);
	return skb->hash;
}

static uint64_t set_hash_invalid(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (skb)
		bpfvm_skb_clear_hash(skb);
	return 0;
}

/* bpf_set_hash: a software L4 hash. */
static uint64_t set_hash(uint64_t ctx, uint64_t hash, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (skb) {
		skb->hash = (uint32_t)hash;
		skb->sw_hash = 1;
		skb->l4_hash = 1;
	}
	return 0;
}

/* ---- ECN ---- */

/* bpf_skb_ecn_set_ce (INET_ECN_set_ce): marks an ECN-capable IPv4 or IPv6
 * packet Congestion Experienced (the IPv4 checksum updated incrementally);
 * 1 if the packet is CE now, else 0. */
static uint64_t skb_ecn_set_ce(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb)
		return 0;
	uint8_t *nh = skb->head + skb->network_header, *tail = skb->data + skb->len;
	if (skb->protocol == ETH_P_IP_BE && nh + IPV4_HLEN <= tail) {
		uint32_t ecn = (nh[1] + 1u) & 3;
		if (!(ecn & 2))
			return !ecn;
		uint16_t c16;
		memcpy(&c16, nh + 10, 2);
		uint32_t check = c16;
		check += pkt_htons(0xfffb) + pkt_htons((uint16_t)ecn);
		c16 = (uint16_t)(check + (check >= 0xffff));
		memcpy(nh + 10, &c16, 2);
		nh[1] |= 3;
		return 1;
	}
	if (skb->protocol == ETH_P_IPV6_BE && nh + IPV6_HLEN <= tail) {
		uint32_t from;
		memcpy(&from, nh, 4);
		uint8_t dsfield = (uint8_t)(((nh[0] & 0x0f) << 4) | (nh[1] >> 4));
		if (!(dsfield & 3))
			return 0;
		nh[1] |= 3 << 4;
		uint32_t to;
		memcpy(&to, nh, 4);
		if (skb->ip_summed == BPFVM_CHECKSUM_COMPLETE)
			skb->csum = bpfvm_csum_add(bpfvm_csum_sub(skb->csum, from), to);
		return 1;
	}
	return 0;
}

/* ---- socket and cgroup ---- */

static struct bpfvm_sock *skb_full_sk(struct bpfvm_skb *skb)
{
	return skb && skb->sk && bpfvm_sock_is_full(skb->sk) ? skb->sk : NULL;
}

static uint64_t get_cgroup_classid(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				   struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	return skb ? skb->task_classid : 0;     /* task_get_classid, in process context */
}

static uint64_t get_route_realm(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	return skb ? skb->route_realm : 0;      /* dst_tclassid: no dst, 0 */
}

static uint64_t skb_cgroup_id(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfvm_run *run)
{
	struct bpfvm_sock *sk = skb_full_sk(pkt_skb(run));
	return sk ? sk->cgroup_id : 0;
}

/* cgroup_ancestor: the ancestor at `level` (0: the root), 0 if deeper than
 * the socket's cgroup. */
static uint64_t skb_ancestor_cgroup_id(uint64_t ctx, uint64_t level, uint64_t r3, uint64_t r4, uint64_t r5,
				       struct bpfvm_run *run)
{
	struct bpfvm_sock *sk = skb_full_sk(pkt_skb(run));
	int32_t l = (int32_t)level;
	if (!sk || l < 0 || (uint32_t)l > sk->cgroup_level || l >= 8)
		return 0;
	return sk->cgroup_ancestors[l];
}

/* bpf_skb_under_cgroup: bpfvm has no cgroups to put in a cgroup array, so
 * an index in range finds an empty slot (-EAGAIN). */
static uint64_t skb_under_cgroup(uint64_t ctx, uint64_t m, uint64_t idx, uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	const struct bpfvm_map *map = PTR(m);
	if (!skb_full_sk(pkt_skb(run)))
		return RET(-ENOENT);
	if ((uint32_t)idx >= map->max_entries)
		return RET(-E2BIG);
	return RET(-EAGAIN);
}

static uint64_t get_socket_cookie(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfvm_run *run)
{
	switch (bpfvm_model_kind(run)) {
	case BPFVM_MODEL_SKB: {
		struct bpfvm_skb *skb = run->model;
		return skb->sk ? bpfvm_sock_cookie(skb->sk) : 0;
	}
	case BPFVM_MODEL_SOCK_ADDR:
		return bpfvm_sock_cookie(((struct bpfvm_sock_addr *)run->model)->sk);
	case BPFVM_MODEL_SOCK_OPS:
		return bpfvm_sock_cookie(((struct bpfvm_sock_ops *)run->model)->sk);
	case BPFVM_MODEL_SOCK:
		return bpfvm_sock_cookie(run->model);
	}
	return 0;
}

/* bpf_get_socket_uid: overflowuid (65534) without a full socket. */
static uint64_t get_socket_uid(uint64_t ctx, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_sock *sk = skb_full_sk(pkt_skb(run));
	return sk ? sk->uid : 65534;
}

int bpfvm_pkt_copy_ctx(struct bpfvm_run *run, void *buf, uint64_t len)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	if (skb) {
		if (len > skb->len)
			return -EFAULT;
		memcpy(buf, skb->data, len);
		return 0;
	}
	if (x) {
		if (len > (uint64_t)(x->data_end - x->data))
			return -EFAULT;
		memcpy(buf, x->data, len);
		return 0;
	}
	return -EINVAL;
}

int bpfvm_helper_changes_pkt_data(uint32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_vlan_push: case BPF_FUNC_skb_vlan_pop: case BPF_FUNC_skb_store_bytes:
	case BPF_FUNC_skb_change_proto: case BPF_FUNC_skb_change_head: case BPF_FUNC_skb_change_tail:
	case BPF_FUNC_skb_adjust_room: case BPF_FUNC_skb_pull_data: case BPF_FUNC_clone_redirect:
	case BPF_FUNC_l3_csum_replace: case BPF_FUNC_l4_csum_replace: case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_msg_pull_data: case BPF_FUNC_msg_push_data:
	case BPF_FUNC_msg_pop_data: case BPF_FUNC_xdp_adjust_tail: case BPF_FUNC_lwt_push_encap:
	case BPF_FUNC_lwt_seg6_store_bytes: case BPF_FUNC_lwt_seg6_adjust_srh: case BPF_FUNC_lwt_seg6_action:
		return 1;
	}
	return 0;
}

#define CTX1 { A(PTR_TO_CTX) }
#define CTX2 { A(PTR_TO_CTX), A(ANYTHING) }
#define CTX3 { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) }
const struct bpfvm_helper_def bpfvm_helpers_skb[] = {
	{ BPF_FUNC_skb_load_bytes, { "skb_load_bytes", skb_load_bytes, BPFVM_RET_INTEGER,
				     { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ BPF_FUNC_skb_load_bytes_relative, { "skb_load_bytes_relative", skb_load_bytes_relative, BPFVM_RET_INTEGER,
					      { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE),
						A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_skb_store_bytes, { "skb_store_bytes", skb_store_bytes, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE), A(ANYTHING) },
				      0, 0 } },
	{ BPF_FUNC_skb_pull_data, { "skb_pull_data", skb_pull_data, BPFVM_RET_INTEGER, CTX2, 0, 0 } },
	{ BPF_FUNC_skb_change_tail, { "skb_change_tail", skb_change_tail, BPFVM_RET_INTEGER, CTX3, 0, 0 } },
	{ BPF_FUNC_skb_change_head, { "skb_change_head", skb_change_head, BPFVM_RET_INTEGER, CTX3, 0, 0 } },
	{ BPF_FUNC_skb_change_proto, { "skb_change_proto", skb_change_proto, BPFVM_RET_INTEGER, CTX3, 0, 0 } },
	{ BPF_FUNC_skb_change_type, { "skb_change_type", skb_change_type, BPFVM_RET_INTEGER, CTX2, 0, 0 } },
	{ BPF_FUNC_skb_adjust_room, { "skb_adjust_room", skb_adjust_room, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_skb_vlan_push, { "skb_vlan_push", skb_vlan_push, BPFVM_RET_INTEGER, CTX3, 0, 0 } },
	{ BPF_FUNC_skb_vlan_pop, { "skb_vlan_pop", skb_vlan_pop, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_get_hash_recalc, { "get_hash_recalc", get_hash_recalc, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_set_hash_invalid, { "set_hash_invalid", set_hash_invalid, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_set_hash, { "set_hash", set_hash, BPFVM_RET_INTEGER, CTX2, 0, 0 } },
	{ BPF_FUNC_skb_ecn_set_ce, { "skb_ecn_set_ce", skb_ecn_set_ce, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_get_cgroup_classid, { "get_cgroup_classid", get_cgroup_classid, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_get_route_realm, { "get_route_realm", get_route_realm, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_skb_cgroup_id, { "skb_cgroup_id", skb_cgroup_id, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_skb_ancestor_cgroup_id, { "skb_ancestor_cgroup_id", skb_ancestor_cgroup_id, BPFVM_RET_INTEGER,
					     CTX2, 0, 0 } },
	{ BPF_FUNC_skb_under_cgroup, { "skb_under_cgroup", skb_under_cgroup, BPFVM_RET_INTEGER,
				       { A(PTR_TO_CTX), A(CONST_MAP_PTR), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_get_socket_cookie, { "get_socket_cookie", get_socket_cookie, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ BPF_FUNC_get_socket_uid, { "get_socket_uid", get_socket_uid, BPFVM_RET_INTEGER, CTX1, 0, 0 } },
	{ 0, { 0 } },
};
