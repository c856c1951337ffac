/* The XDP packet model: an xdp_buff over one page (v5.1's test run gives
 * the frame exactly its length after XDP_PACKET_HEADROOM of headroom). */
#ifndef BPFVM_PROGS_XDP_H
#define BPFVM_PROGS_XDP_H
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "interp/interp.h"
#include "progs/model.h"

#ifndef XDP_PACKET_HEADROOM
#define XDP_PACKET_HEADROOM 256
#endif
/* sizeof(struct xdp_frame) of v5.1 (x86-64): the top of the headroom that
 * bpf_xdp_adjust_head and bpf_xdp_adjust_meta may not reach into. */
#define BPFVM_XDP_FRAME_SIZE 32
#define BPFVM_PAGE_SIZE_XDP 4096

struct bpfvm_xdp_buff {
	uint32_t kind;                  /* BPFVM_MODEL_XDP */
	uint32_t ingress_ifindex;       /* xdp->rxq->dev->ifindex */
	uint32_t rx_queue_index;        /* xdp->rxq->queue_index */
	uint32_t pad;
	/* what rewritten context accesses load */
	uint8_t *data;
	uint8_t *data_end;
	uint8_t *data_meta;
	uint8_t *data_hard_start;
	uint8_t *frame_end;             /* end of the buffer (bpf_xdp_adjust_tail may not go past) */
	/* results */
	uint32_t redirect_ifindex;
	uint32_t redirect_flags;
	void *redirect_map;
	struct bpfvm *vm;
	struct bpfvm_run *run;
};

void bpfvm_xdp_prepare_run(struct bpfvm_run *run, struct bpfvm_xdp_buff *x);
#endif
