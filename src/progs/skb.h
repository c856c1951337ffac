/* The sk_buff model: a linear packet buffer with headroom, the header
 * offsets, and the metadata __sk_buff exposes. */
#ifndef BPFVM_PROGS_SKB_H
#define BPFVM_PROGS_SKB_H
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "interp/interp.h"

#define BPFVM_ETH_HLEN 14
#define BPFVM_SKB_HEADROOM 256          /* NET_SKB_PAD + NET_IP_ALIGN as test runs reserve */

struct bpfvm_skb {
	uint8_t *head, *end;            /* the buffer */
	uint8_t *data;                  /* current start (skb->data) */
	uint32_t len;                   /* bytes from data on (linear) */
	uint8_t *data_meta;
	uint32_t mac_header, network_header, transport_header; /* offsets from head */
	uint16_t protocol;              /* network byte order */
	uint8_t pkt_type;
	uint8_t vlan_present;
	uint16_t vlan_tci, vlan_proto;
	uint32_t mark, priority, queue_mapping, ifindex, ingress_ifindex, tc_index, hash, tc_classid, napi_id;
	uint32_t cb[5];
	uint64_t tstamp;
	uint32_t wire_len, gso_segs;
	uint32_t prog_type;             /* which context rules apply */
	struct __sk_buff md;            /* the context's address (contents unused) */
};

/* Builds an skb over frame (from the Ethernet header) as the kernel's test
 * run does (eth_type_trans on the loopback device). */
int bpfvm_skb_init(struct bpfvm_skb *skb, const uint8_t *frame, uint32_t len, uint32_t prog_type);
void bpfvm_skb_fini(struct bpfvm_skb *skb);
void bpfvm_skb_prepare_run(struct bpfvm_run *run, struct bpfvm_skb *skb);
#endif
