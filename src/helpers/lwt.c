/* Lightweight-tunnel helpers of v5.1: bpf_lwt_push_encap (lwt_in: SRv6
 * encapsulation or inline SRH, or an IP header; lwt_xmit: an IP header),
 * and the SRv6 local-behaviour helpers of lwt_seg6local programs:
 * bpf_lwt_seg6_store_bytes, bpf_lwt_seg6_adjust_srh, bpf_lwt_seg6_action.
 * All on the packet bytes of the skb model, whose data is at the network
 * header for these types. Next-hop lookups (seg6_lookup_nexthop) consult
 * the vm's routes: a unicast route gives 0, none -ENETUNREACH. */
#include "helpers/pkt.h"
#include "progs/net.h"
#include <string.h>

#define IPV6_HLEN 40
#define SRH_HLEN 8                      /* struct ipv6_sr_hdr before the segments */
#define LWT_BPF_MAX_HEADROOM 256
#define NEXTHDR_ROUTING 43
#define NEXTHDR_IPV6 41
#define IPV6_SRCRT_TYPE_4 4

/* seg6_validate_srh: type 4, length from hdrlen, segments_left within the
 * list, TLVs filling the rest exactly. */
static int srh_valid(const uint8_t *srh, uint32_t len)
{
	if (len < SRH_HLEN || srh[2] != IPV6_SRCRT_TYPE_4 || ((uint32_t)srh[1] + 1) * 8 != len || srh[3] > srh[4])
		return 0;
	uint32_t off = SRH_HLEN + ((uint32_t)srh[4] + 1) * 16;
	int32_t trailing = (int32_t)len - (int32_t)off;
	if (trailing < 0)
		return 0;
	while (trailing) {
		if (trailing < 2)
			return 0;
		uint32_t tlv = 2u + srh[off + 1];
		trailing -= (int32_t)tlv;
		if (trailing < 0)
			return 0;
		off += tlv;
	}
	return 1;
}

/* seg6_lookup_nexthop: route to nh (or the packet's destination). */
static int nexthop(struct bpfvm_skb *skb, const uint8_t *nh)
{
	const uint8_t *dst = nh ? nh : skb->head + skb->network_header + 24;
	struct bpfvm_net_route rt;
	if (bpfvm_net_route_lookup(skb->vm, BPFVM_AF_INET6, dst, &rt) < 0 || rt.type != BPFVM_RTN_UNICAST)
		return -ENETUNREACH;
	return 0;
}

/* seg6_bpf_has_valid_srh: after edits, the SRH's hdrlen follows what the
 * program did, and it must validate again. */
static int srh_has_valid(struct bpfvm_skb *skb)
{
	if (skb->srh_off < 0)
		return 0;
	uint8_t *srh = skb->data + skb->srh_off;
	if (!skb->srh_valid) {
		if (skb->srh_hdrlen % 8)
			return 0;
		srh[1] = (uint8_t)(skb->srh_hdrlen >> 3);
		if ((uint32_t)skb->srh_off + ((uint32_t)srh[1] + 1) * 8 > skb->len ||
		    !srh_valid(srh, ((uint32_t)srh[1] + 1) * 8))
			return 0;
		skb->srh_valid = 1;
	}
	return 1;
}

static void set_payload_len(struct bpfvm_skb *skb)
{
	uint16_t pl = pkt_htons((uint16_t)(skb->len - IPV6_HLEN));
	memcpy(skb->data + 4, &pl, 2);
}

/* bpf_push_seg6_encap: an outer IPv6 header with the SRH (encap), or the
 * SRH inserted after the packet's IPv6 header (inline); the destination
 * becomes the first segment. */
static int push_seg6(struct bpfvm_skb *skb, uint32_t type, const uint8_t *hdr, uint32_t len)
{
	if (!srh_valid(hdr, len))
		return -EINVAL;
	uint32_t hl = ((uint32_t)hdr[1] + 1) * 8;
	int rc;
	if (type == BPF_LWT_ENCAP_SEG6_INLINE) {
		if (skb->protocol != ETH_P_IPV6_BE || skb->len < IPV6_HLEN)
			return -EBADMSG;
		if ((rc = bpfvm_skb_cow(skb, hl + 14, 0)) < 0)
			return rc;
		skb->data -= hl;
		skb->len += hl;
		memmove(skb->data, skb->data + hl, IPV6_HLEN);
		uint8_t *ip6 = skb->data, *isrh = skb->data + IPV6_HLEN;
		memcpy(isrh, hdr, hl);
		isrh[0] = ip6[6];
		ip6[6] = NEXTHDR_ROUTING;
		memcpy(isrh + SRH_HLEN, ip6 + 24, 16);                    /* segments[0] = daddr */
		memcpy(ip6 + 24, isrh + SRH_HLEN + 16 * isrh[4], 16);   /* daddr = segments[first] */
	} else {
		if (skb->len < IPV6_HLEN && skb->protocol == ETH_P_IPV6_BE)
			return -EINVAL;
		uint32_t tot = hl + IPV6_HLEN;
		if ((rc = bpfvm_skb_cow(skb, tot + 14, 0)) < 0)
			return rc;
		const uint8_t *inner = skb->data;
		uint8_t ip6[IPV6_HLEN] = { 0x60 };
		if (skb->protocol == ETH_P_IPV6_BE) {
			/* the traffic class, flow label and hop limit of the inner header */
			ip6[0] = (uint8_t)(0x60 | (inner[0] & 0x0f));
			ip6[1] = inner[1];
			ip6[2] = inner[2];
			ip6[3] = inner[3];
			ip6[7] = inner[7];
		} else {
			ip6[7] = 64;    /* ip6_dst_hoplimit: the default */
		}
		ip6[6] = NEXTHDR_ROUTING;
		skb->data -= tot;
		skb->len += tot;
		memcpy(skb->data, ip6, IPV6_HLEN);
		uint8_t *isrh = skb->data + IPV6_HLEN;
		memcpy(isrh, hdr, hl);
		isrh[0] = NEXTHDR_IPV6;
		memcpy(skb->data + 24, isrh + SRH_HLEN + 16 * isrh[4], 16);
		skb->encapsulation = 1;
		skb->protocol = ETH_P_IPV6_BE;
	}
	skb->network_header = (uint32_t)(skb->data - skb->head);
	bpfvm_skb_sync(skb);
	set_payload_len(skb);
	skb->transport_header = (uint32_t)(skb->network_header + IPV6_HLEN);
	return nexthop(skb, NULL);
}

/* bpf_lwt_push_ip_encap: an IPv4 (checksum filled in when zero) or IPv6
 * header of at most 256 bytes in front of the packet. */
static int push_ip(struct bpfvm_skb *skb, const uint8_t *hdr, uint32_t len, int ingress)
{
	if (len < 20 || len > LWT_BPF_MAX_HEADROOM)
		return -EINVAL;
	int v4 = (hdr[0] >> 4) == 4;
	if (v4 ? len < (uint32_t)(hdr[0] & 0x0f) * 4 : (hdr[0] >> 4) != 6 || len < IPV6_HLEN)
		return -EINVAL;
	int rc = bpfvm_skb_cow(skb, len + (ingress ? 14 : 16), 0);
	if (rc < 0)
		return rc;
	skb->inner_network_header = skb->network_header;
	skb->inner_transport_header = skb->transport_header;
	skb->encapsulation = 1;
	skb->data -= len;
	skb->len += len;
	bpfvm_skb_postpush_rcsum(skb, hdr, len, 0);
	skb->network_header = (uint32_t)(skb->data - skb->head);
	memcpy(skb->data, hdr, len);
	bpfvm_skb_sync(skb);
	bpfvm_skb_clear_hash(skb);
	if (v4) {
		skb->protocol = ETH_P_IP_BE;
		if (!skb->data[10] && !skb->data[11]) {
			uint16_t c = bpfvm_ip_fast_csum(skb->data, skb->data[0] & 0x0f);
			memcpy(skb->data + 10, &c, 2);
		}
	} else {
		skb->protocol = ETH_P_IPV6_BE;
	}
	return 0;
}

static uint64_t lwt_push_encap(uint64_t ctx, uint64_t type, uint64_t hdr, uint64_t len, uint64_t r5,
			       struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb)
		return RET(-EINVAL);
	int rc = -EINVAL;
	int in = skb->prog_type == BPF_PROG_TYPE_LWT_IN;
	switch ((uint32_t)type) {
	case BPF_LWT_ENCAP_SEG6:
	case BPF_LWT_ENCAP_SEG6_INLINE:
		if (in)
			rc = push_seg6(skb, (uint32_t)type, PTR(hdr), (uint32_t)len);
		break;
	case BPF_LWT_ENCAP_IP:
		rc = push_ip(skb, PTR(hdr), (uint32_t)len, in);
		break;
	}
	bpfvm_skb_sync(skb);
	return RET(rc);
}

/* bpf_lwt_seg6_store_bytes: only the SRH's flags and tag, or its TLVs
 * (which makes it need validating again). */
static uint64_t lwt_seg6_store_bytes(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t len, uint64_t r5,
				     struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb || skb->srh_off < 0)
		return RET(-EINVAL);
	int64_t srh = skb->srh_off, off = (uint32_t)offset, n = (uint32_t)len;
	/* (The kernel starts the TLVs 8 bytes early; so does this.) */
	int64_t tlvs = srh + ((int64_t)skb->data[srh + 4] + 1) * 16, end = srh + SRH_HLEN + skb->srh_hdrlen;
	if (off >= tlvs && off + n <= end)
		skb->srh_valid = 0;
	else if (off < srh + 5 || off + n > srh + SRH_HLEN)
		return RET(-EFAULT);
	if (!pkt_may_pull(skb, (uint64_t)off + n))
		return RET(-EFAULT);
	memmove(skb->data + off, PTR(from), (size_t)n);
	return 0;
}

/* bpf_lwt_seg6_adjust_srh: grow or shrink the SRH's TLV area at offset. */
static uint64_t lwt_seg6_adjust_srh(uint64_t ctx, uint64_t offset, uint64_t delta, uint64_t r4, uint64_t r5,
				    struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb || skb->srh_off < 0)
		return RET(-EINVAL);
	int32_t len = (int32_t)delta;
	int64_t srh = skb->srh_off, off = (uint32_t)offset;
	int64_t tlvs = srh + SRH_HLEN + ((int64_t)skb->data[srh + 4] + 1) * 16, end = srh + SRH_HLEN + skb->srh_hdrlen;
	if (off < tlvs || off > end || (len < 0 && off - len > end))
		return RET(-EFAULT);
	int rc = len > 0 ? bpfvm_skb_net_hdr_push(skb, (uint32_t)off, (uint32_t)len)
			 : bpfvm_skb_net_hdr_pop(skb, (uint32_t)off, (uint32_t)-len);
	bpfvm_skb_sync(skb);
	if (rc < 0)
		return RET(rc);
	set_payload_len(skb);
	int32_t s = bpfvm_skb_ipv6_find(skb, NEXTHDR_ROUTING);
	if (s < 0)
		return RET(-EINVAL);
	skb->srh_off = s;
	skb->srh_hdrlen = (uint16_t)(skb->srh_hdrlen + len);
	skb->srh_valid = 0;
	return 0;
}

enum { END_X = 2, END_T = 3, END_DT6 = 7, END_B6 = 9, END_B6_ENCAP = 10 };

/* bpf_lwt_seg6_action: End.X, End.T, End.DT6, End.B6, End.B6.Encaps. */
static uint64_t lwt_seg6_action(uint64_t ctx, uint64_t action, uint64_t param, uint64_t param_len, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t plen = (uint32_t)param_len;
	int rc;
	if (!skb)
		return RET(-EINVAL);
	switch ((uint32_t)action) {
	case END_X:
		if (!srh_has_valid(skb))
			return RET(-EBADMSG);
		return plen != 16 ? RET(-EINVAL) : RET(nexthop(skb, PTR(param)));
	case END_T:
		if (!srh_has_valid(skb))
			return RET(-EBADMSG);
		return plen != 4 ? RET(-EINVAL) : RET(nexthop(skb, NULL));
	case END_DT6: {
		if (!srh_has_valid(skb))
			return RET(-EBADMSG);
		if (plen != 4)
			return RET(-EINVAL);
		int32_t off = bpfvm_skb_ipv6_find(skb, NEXTHDR_IPV6);
		if (off < 0 || !pkt_may_pull(skb, (uint32_t)off))
			return RET(-EBADMSG);
		skb->data += off;
		skb->len -= (uint32_t)off;
		skb->network_header = (uint32_t)(skb->data - skb->head);
		skb->transport_header = skb->network_header;
		skb->encapsulation = 0;
		bpfvm_skb_sync(skb);
		bpfvm_skb_seg6_srh_update(skb);
		return RET(nexthop(skb, NULL));
	}
	case END_B6:
	case END_B6_ENCAP:
		if (skb->srh_off >= 0 && !srh_has_valid(skb))
			return RET(-EBADMSG);
		rc = push_seg6(skb, (uint32_t)action == END_B6 ? BPF_LWT_ENCAP_SEG6_INLINE : BPF_LWT_ENCAP_SEG6,
			       PTR(param), plen);
		if (rc == 0)
			bpfvm_skb_seg6_srh_update(skb);
		bpfvm_skb_sync(skb);
		return RET(rc);
	}
	return RET(-EINVAL);
}

const struct bpfvm_helper_def bpfvm_helpers_lwt[] = {
	{ BPF_FUNC_lwt_push_encap, { "lwt_push_encap", lwt_push_encap, BPFVM_RET_INTEGER,
				     { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ BPF_FUNC_lwt_seg6_store_bytes, { "lwt_seg6_store_bytes", lwt_seg6_store_bytes, BPFVM_RET_INTEGER,
					   { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ BPF_FUNC_lwt_seg6_adjust_srh, { "lwt_seg6_adjust_srh", lwt_seg6_adjust_srh, BPFVM_RET_INTEGER,
					  { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_lwt_seg6_action, { "lwt_seg6_action", lwt_seg6_action, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ 0, { 0 } },
};
