/* XDP helpers of v5.1: bpf_xdp_adjust_head, bpf_xdp_adjust_meta,
 * bpf_xdp_adjust_tail, with their limits and errnos. The frame never moves
 * (the model's buffer is the whole page), so the checked run's region
 * stays; the verifier forgets packet pointers after these calls. */
#include "helpers/pkt.h"
#include <string.h>

#define ETH_HLEN 14

/* The frame may grow into the headroom, but not over the xdp_frame kept at
 * its top nor over the metadata, and must keep an Ethernet header. The
 * metadata moves with data. */
static uint64_t xdp_adjust_head(uint64_t ctx, uint64_t offset, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	if (!x)
		return RET(-EINVAL);
	int32_t off = (int32_t)offset;
	size_t metalen = (size_t)(x->data - x->data_meta);
	uint8_t *start = x->data_hard_start + BPFVM_XDP_FRAME_SIZE + metalen;
	/* Compare as integers: data + off may point outside the buffer. */
	intptr_t data = (intptr_t)x->data + off;
	if (data < (intptr_t)start || data > (intptr_t)x->data_end - ETH_HLEN)
		return RET(-EINVAL);
	if (metalen)
		memmove(x->data_meta + off, x->data_meta, metalen);
	x->data_meta += off;
	x->data += off;
	return 0;
}

/* Metadata: between the xdp_frame and data, a multiple of 4 bytes, at most
 * 32 (-EACCES otherwise). */
static uint64_t xdp_adjust_meta(uint64_t ctx, uint64_t offset, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	if (!x)
		return RET(-EINVAL);
	intptr_t meta = (intptr_t)x->data_meta + (int32_t)offset;
	if (meta < (intptr_t)(x->data_hard_start + BPFVM_XDP_FRAME_SIZE) || meta > (intptr_t)x->data)
		return RET(-EINVAL);
	uintptr_t metalen = (uintptr_t)x->data - (uintptr_t)meta;
	if ((metalen & 3) || metalen > 32)
		return RET(-EACCES);
	x->data_meta = (uint8_t *)meta;
	return 0;
}

/* v5.1 only shrinks (offset < 0), keeping an Ethernet header; growing, and
 * 0, are -EINVAL. */
static uint64_t xdp_adjust_tail(uint64_t ctx, uint64_t offset, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_xdp_buff *x = pkt_xdp(run);
	int32_t off = (int32_t)offset;
	if (!x || off >= 0)
		return RET(-EINVAL);
	intptr_t end = (intptr_t)x->data_end + off;
	if (end < (intptr_t)x->data + ETH_HLEN)
		return RET(-EINVAL);
	x->data_end = (uint8_t *)end;
	return 0;
}

const struct bpfvm_helper_def bpfvm_helpers_xdp[] = {
	{ BPF_FUNC_xdp_adjust_head, { "xdp_adjust_head", xdp_adjust_head, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_xdp_adjust_meta, { "xdp_adjust_meta", xdp_adjust_meta, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_xdp_adjust_tail, { "xdp_adjust_tail", xdp_adjust_tail, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING) }, 0, 0 } },
	{ 0, { 0 } },
};
