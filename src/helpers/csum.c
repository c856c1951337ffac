/* Checksum helpers of v5.1: bpf_l3_csum_replace, bpf_l4_csum_replace,
 * bpf_csum_diff, bpf_csum_update; and the checksum arithmetic the other
 * packet families share. Arithmetic on the 16-bit checksum as loaded by a
 * little-endian host, exactly the kernel's (csum_fold, csum_add,
 * csum16_add, ...), so results are bit-identical to x86-64 Linux. */
#include "helpers/pkt.h"
#include <string.h>

uint32_t bpfvm_csum_partial(const void *p, size_t len, uint32_t seed)
{
	const uint8_t *b = p;
	uint64_t s = seed;
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		uint32_t w;
		memcpy(&w, b + i, 4);
		s += w;
	}
	if (i < len) {
		uint32_t w = 0;
		memcpy(&w, b + i, len - i);
		s += w;
	}
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/* csum_block_add / csum_block_sub: a block at an odd offset is rotated. */
static uint32_t csum_block_add(uint32_t csum, uint32_t csum2, uint32_t off)
{
	if (off & 1)
		csum2 = csum2 >> 8 | csum2 << 24;
	return bpfvm_csum_add(csum, csum2);
}

void bpfvm_skb_postpull_rcsum(struct bpfvm_skb *skb, const void *start, uint32_t len, uint32_t off)
{
	if (skb->ip_summed == BPFVM_CHECKSUM_COMPLETE)
		skb->csum = csum_block_add(skb->csum, ~bpfvm_csum_partial(start, len, 0), off);
}

void bpfvm_skb_postpush_rcsum(struct bpfvm_skb *skb, const void *start, uint32_t len, uint32_t off)
{
	if (skb->ip_summed == BPFVM_CHECKSUM_COMPLETE)
		skb->csum = csum_block_add(skb->csum, bpfvm_csum_partial(start, len, 0), off);
}

uint16_t bpfvm_ip_fast_csum(const void *iph, uint32_t ihl)
{
	return bpfvm_csum_fold(bpfvm_csum_partial(iph, ihl * 4, 0));
}

static uint16_t load16(const void *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void store16(void *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* csum16_add: 16-bit ones'-complement addition. */
static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t res = (uint16_t)(csum + addend);
	return (uint16_t)(res + (res < addend));
}

/* csum_replace2 / csum_replace4 / csum_replace_by_diff */
static void csum_replace2(void *sum, uint16_t from, uint16_t to)
{
	uint16_t s = (uint16_t)~load16(sum);
	store16(sum, (uint16_t)~csum16_add(csum16_add(s, (uint16_t)~from), to));
}

static void csum_replace4(void *sum, uint32_t from, uint32_t to)
{
	uint32_t tmp = bpfvm_csum_sub(~(uint32_t)load16(sum), from);
	store16(sum, bpfvm_csum_fold(bpfvm_csum_add(tmp, to)));
}

static void csum_replace_by_diff(void *sum, uint32_t diff)
{
	store16(sum, bpfvm_csum_fold(bpfvm_csum_add(diff, ~(uint32_t)load16(sum))));
}

/* inet_proto_csum_replace4 / _by_diff: the packet's checksum unless the
 * device finishes it (CHECKSUM_PARTIAL: only the pseudo header part). */
static void proto_csum_replace4(void *sum, struct bpfvm_skb *skb, uint32_t from, uint32_t to, int pseudo)
{
	if (skb->ip_summed != BPFVM_CHECKSUM_PARTIAL) {
		csum_replace4(sum, from, to);
		if (skb->ip_summed == BPFVM_CHECKSUM_COMPLETE && pseudo)
			skb->csum = ~bpfvm_csum_add(bpfvm_csum_sub(~skb->csum, from), to);
	} else if (pseudo) {
		uint32_t s = bpfvm_csum_add(bpfvm_csum_sub(load16(sum), from), to);
		store16(sum, (uint16_t)~bpfvm_csum_fold(s));
	}
}

static void proto_csum_replace_by_diff(void *sum, struct bpfvm_skb *skb, uint32_t diff, int pseudo)
{
	if (skb->ip_summed != BPFVM_CHECKSUM_PARTIAL) {
		csum_replace_by_diff(sum, diff);
		if (skb->ip_summed == BPFVM_CHECKSUM_COMPLETE && pseudo)
			skb->csum = ~bpfvm_csum_add(diff, ~skb->csum);
	} else if (pseudo) {
		store16(sum, (uint16_t)~bpfvm_csum_fold(bpfvm_csum_add(load16(sum), diff)));
	}
}

/* bpf_l3_csum_replace: flags is the field size (0: `to` is a csum_diff);
 * the checksum must be an aligned 16-bit field inside the packet. */
static uint64_t l3_csum_replace(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t off = (uint32_t)offset;
	if (!skb || (flags & ~BPF_F_HDR_FIELD_MASK))
		return RET(-EINVAL);
	if (off > 0xffff || (off & 1) || !pkt_may_pull(skb, (uint64_t)off + 2))
		return RET(-EFAULT);
	void *p = skb->data + off;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return RET(-EINVAL);
		csum_replace_by_diff(p, (uint32_t)to);
		break;
	case 2:
		csum_replace2(p, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(p, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return RET(-EINVAL);
	}
	return 0;
}

/* bpf_l4_csum_replace: as l3, through inet_proto_csum_replace*; with
 * BPF_F_MARK_MANGLED_0 a zero checksum (UDP: none) stays zero and a result
 * of zero becomes CSUM_MANGLED_0. (The 2-byte case widens to 4, as
 * inet_proto_csum_replace2 does.) */
static uint64_t l4_csum_replace(uint64_t ctx, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags,
				struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	uint32_t off = (uint32_t)offset;
	int pseudo = !!(flags & BPF_F_PSEUDO_HDR), mmzero = !!(flags & BPF_F_MARK_MANGLED_0),
	    mforce = !!(flags & BPF_F_MARK_ENFORCE);
	if (!skb || (flags & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK)))
		return RET(-EINVAL);
	if (off > 0xffff || (off & 1) || !pkt_may_pull(skb, (uint64_t)off + 2))
		return RET(-EFAULT);
	void *p = skb->data + off;
	if (mmzero && !mforce && !load16(p))
		return 0;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return RET(-EINVAL);
		proto_csum_replace_by_diff(p, skb, (uint32_t)to, pseudo);
		break;
	case 2:
		proto_csum_replace4(p, skb, (uint16_t)from, (uint16_t)to, pseudo);
		break;
	case 4:
		proto_csum_replace4(p, skb, (uint32_t)from, (uint32_t)to, pseudo);
		break;
	default:
		return RET(-EINVAL);
	}
	if (mmzero && !load16(p))
		store16(p, 0xffff);     /* CSUM_MANGLED_0 */
	return 0;
}

/* bpf_csum_diff: csum_partial over the complement of `from` followed by
 * `to` (both whole 32-bit words, 512 bytes at most together), with seed. */
static uint64_t csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed,
			  struct bpfvm_run *run)
{
	uint32_t fs = (uint32_t)from_size, ts = (uint32_t)to_size;
	uint32_t diff[128];
	if (((fs | ts) & 3) || (uint64_t)fs + ts > sizeof(diff))
		return RET(-EINVAL);
	uint32_t j = 0;
	for (uint32_t i = 0; i < fs / 4; i++, j++) {
		memcpy(&diff[j], (const uint8_t *)PTR(from) + 4 * i, 4);
		diff[j] = ~diff[j];
	}
	for (uint32_t i = 0; i < ts / 4; i++, j++)
		memcpy(&diff[j], (const uint8_t *)PTR(to) + 4 * i, 4);
	return bpfvm_csum_partial(diff, (size_t)fs + ts, (uint32_t)seed);
}

/* bpf_csum_update: only for CHECKSUM_COMPLETE skbs (received with a full
 * checksum); test-run skbs are CHECKSUM_NONE, so -ENOTSUPP. */
static uint64_t csum_update(uint64_t ctx, uint64_t csum, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct bpfvm_skb *skb = pkt_skb(run);
	if (!skb)
		return RET(-EINVAL);
	if (skb->ip_summed == BPFVM_CHECKSUM_COMPLETE)
		return skb->csum = bpfvm_csum_add(skb->csum, (uint32_t)csum);
	return RET(-ENOTSUPP);
}

const struct bpfvm_helper_def bpfvm_helpers_csum[] = {
	{ BPF_FUNC_l3_csum_replace, { "l3_csum_replace", l3_csum_replace, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING), A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_l4_csum_replace, { "l4_csum_replace", l4_csum_replace, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING), A(ANYTHING), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_csum_diff, { "csum_diff", csum_diff, BPFVM_RET_INTEGER,
				{ A(PTR_TO_MEM_OR_NULL), A(CONST_SIZE_OR_ZERO), A(PTR_TO_MEM_OR_NULL),
				  A(CONST_SIZE_OR_ZERO), A(ANYTHING) }, 0, 1 } },
	{ BPF_FUNC_csum_update, { "csum_update", csum_update, BPFVM_RET_INTEGER,
				  { A(PTR_TO_CTX), A(ANYTHING) }, 0, 0 } },
	{ 0, { 0 } },
};
