/* The XDP packet model. */
#ifndef BPFVM_PROGS_XDP_H
#define BPFVM_PROGS_XDP_H
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "interp/interp.h"

#define XDP_PACKET_HEADROOM 256
#define BPFVM_PAGE_SIZE 4096
#define BPFVM_SKB_SHINFO_SIZE 320   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), x86-64 */

struct bpfvm_xdp_buff {
	uint8_t *data_hard_start;
	uint8_t *data;
	uint8_t *data_meta;
	uint8_t *data_end;
	uint8_t *frame_end;             /* end of the room the frame may grow into */
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	struct xdp_md md;               /* the context's address (contents unused) */
};

void bpfvm_xdp_prepare_run(struct bpfvm_run *run, struct bpfvm_xdp_buff *x);
#endif
