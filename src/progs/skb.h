/* The sk_buff model: a linear packet buffer with headroom and tailroom,
 * the header offsets, and the metadata __sk_buff exposes. Programs of the
 * skb types get a pointer to this struct in r1; their context accesses are
 * rewritten (skb_types.c) into loads and stores of the fields below, which
 * keep the sizes the kernel's sk_buff fields have (so narrow loads work out
 * the same). */
#ifndef BPFVM_PROGS_SKB_H
#define BPFVM_PROGS_SKB_H
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "interp/interp.h"
#include "progs/model.h"

#define BPFVM_ETH_HLEN 14
#define BPFVM_NET_SKB_PAD 64            /* NET_SKB_PAD on x86-64 (NET_IP_ALIGN is 0) */
#define BPFVM_SKB_SHINFO_SIZE 320       /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), x86-64 */
#define BPFVM_SKB_UNSET 0xffffffffu     /* a header offset that was never set */
#define BPFVM_PAGE_SIZE 4096

/* skb->pkt_type */
#define BPFVM_PACKET_HOST 0
#define BPFVM_PACKET_BROADCAST 1
#define BPFVM_PACKET_MULTICAST 2
#define BPFVM_PACKET_OTHERHOST 3

/* skb->ip_summed */
#define BPFVM_CHECKSUM_NONE 0
#define BPFVM_CHECKSUM_UNNECESSARY 1
#define BPFVM_CHECKSUM_COMPLETE 2
#define BPFVM_CHECKSUM_PARTIAL 3

struct bpfvm_sock;

/* Tunnel metadata (ip_tunnel_info of the skb's metadata dst). */
struct bpfvm_tunnel_info {
	uint8_t present;                /* a metadata dst is attached */
	uint8_t ipv6;                   /* IP_TUNNEL_INFO_IPV6 */
	uint8_t tx;                     /* IP_TUNNEL_INFO_TX: set by set_tunnel_key */
	uint8_t tos, ttl;
	uint16_t flags;                 /* TUNNEL_* of v5.1 */
	uint64_t tun_id;                /* host order */
	uint32_t label;                 /* network order */
	uint8_t src[16], dst[16];       /* v4 in the first 4 bytes, network order */
	uint8_t options_len;
	uint8_t options[256];
};

/* One xfrm state of the receive path (skb_sec_path). */
struct bpfvm_xfrm_state {
	uint32_t reqid;
	uint32_t spi;                   /* network order */
	uint16_t family;
	uint8_t saddr[16];              /* network order */
};

struct bpfvm_skb {
	uint32_t kind;                  /* BPFVM_MODEL_SKB */
	uint32_t prog_type;             /* which context rules and helper variants apply */
	uint32_t attach_type;

	/* ---- what rewritten context accesses load and store ---- */
	uint8_t *data;                  /* skb->data */
	uint8_t *data_end;              /* data + len (bpf_compute_data_pointers) */
	uint8_t *data_meta;             /* data - metadata length (0 for skbs made here) */
	struct bpf_flow_keys *flow_keys;/* flow dissector runs */
	struct bpf_sock *sk_view;       /* &sk->sk, or NULL: __sk_buff.sk and the socket fields */
	uint64_t tstamp;
	uint32_t len;
	uint32_t mark, priority, hash, ifindex, ingress_ifindex, napi_id, wire_len;
	uint32_t cb[5];                 /* qdisc_skb_cb data */
	uint16_t protocol;              /* network order */
	uint16_t vlan_proto;            /* network order */
	uint16_t vlan_tci;
	uint16_t queue_mapping, tc_index, tc_classid, gso_segs;
	uint8_t pkt_type, vlan_present;

	/* ---- the buffer ---- */
	uint8_t *head, *end;            /* the allocation; end excludes shared-info room */
	uint32_t mac_header, network_header, transport_header; /* from head, or BPFVM_SKB_UNSET */
	uint32_t inner_network_header, inner_transport_header;

	/* ---- state the helpers keep ---- */
	struct bpfvm_sock *sk;
	uint8_t ip_summed;
	uint8_t sw_hash, l4_hash;
	uint8_t encapsulation;
	uint32_t csum;                  /* CHECKSUM_COMPLETE sum */
	uint16_t gso_size;
	uint32_t gso_type;
	uint32_t mtu;                   /* of skb->dev: __bpf_skb_max_len is mtu + ETH_HLEN */
	uint32_t route_realm;           /* dst->tclassid (get_route_realm) */
	uint32_t task_classid;          /* net_cls classid of the running task */
	struct bpfvm_tunnel_info tunnel;
	const struct bpfvm_xfrm_state *xfrm;
	uint32_t xfrm_len;
	struct bpfvm_xfrm_state xfrm_store[6];  /* the host's sec_path, copied */
	/* seg6local: the SRH the program may edit (seg6_bpf_srh_state) */
	int32_t srh_off;                /* from data, or -1 */
	uint16_t srh_hdrlen;
	uint8_t srh_valid;
	/* results */
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
	uint32_t clones;                /* clone_redirect calls that sent a copy */
	struct bpfvm_run *run;          /* for moving the packet region when reallocating */
	struct bpfvm *vm;
};

/* Builds an skb over frame (from the Ethernet header) as v5.1's
 * bpf_prog_test_run_skb does: NET_SKB_PAD headroom, eth_type_trans on the
 * loopback device (ifindex 1), the network header at the end of the
 * Ethernet header, data at the network header except for tc types (which
 * see the Ethernet header), a zeroed socket. */
int bpfvm_skb_init(struct bpfvm_skb *skb, struct bpfvm *vm, const uint8_t *frame, uint32_t len, uint32_t prog_type,
		   uint32_t attach_type);
/* The same, received on device ifindex (which must exist: -ENODEV). */
int bpfvm_skb_init_dev(struct bpfvm_skb *skb, struct bpfvm *vm, const uint8_t *frame, uint32_t len,
		       uint32_t prog_type, uint32_t attach_type, uint32_t ifindex);
void bpfvm_skb_fini(struct bpfvm_skb *skb);
/* Context region, model, ctx_access and LD_ABS hooks of a run. */
void bpfvm_skb_prepare_run(struct bpfvm_run *run, struct bpfvm_skb *skb);

/* ---- for helpers ---- */

/* data_end and data_meta after data or len changed (bpf_compute_data_pointers). */
static inline void bpfvm_skb_sync(struct bpfvm_skb *skb)
{
	skb->data_end = skb->data + skb->len;
	skb->data_meta = skb->data;
}
static inline uint32_t bpfvm_skb_headroom(const struct bpfvm_skb *skb)
{
	return (uint32_t)(skb->data - skb->head);
}
static inline uint32_t bpfvm_skb_tailroom(const struct bpfvm_skb *skb)
{
	return (uint32_t)(skb->end - (skb->data + skb->len));
}
/* skb_network_offset: network header relative to data (may be < 0). */
static inline int32_t bpfvm_skb_network_offset(const struct bpfvm_skb *skb)
{
	return (int32_t)skb->network_header - (int32_t)(skb->data - skb->head);
}
/* Makes room: at least `headroom` bytes before data and `tailroom` after
 * the packet, reallocating like pskb_expand_head (the old buffer is freed
 * and, in checked runs, its region replaced). 0 or -ENOMEM. */
int bpfvm_skb_cow(struct bpfvm_skb *skb, uint32_t headroom, uint32_t tailroom);
/* __bpf_skb_max_len: the device's mtu plus its link-layer header. */
static inline uint32_t bpfvm_skb_max_len(const struct bpfvm_skb *skb)
{
	return skb->mtu + BPFVM_ETH_HLEN;
}
/* skb_clear_hash */
static inline void bpfvm_skb_clear_hash(struct bpfvm_skb *skb)
{
	skb->hash = 0;
	skb->sw_hash = 0;
	skb->l4_hash = 0;
}
/* Does the program type see the frame from the link-layer header? */
int bpfvm_skb_type_is_l2(uint32_t prog_type);

/* ipv6_find_hdr: the offset from data of the header `target` (43: routing,
 * 41: IPv6) in the IPv6 packet at the network header, or -1. */
int32_t bpfvm_skb_ipv6_find(const struct bpfvm_skb *skb, uint8_t target);
/* seg6local: the SRH the program may edit (seg6_bpf_srh_state), found
 * (again) in the packet. */
void bpfvm_skb_seg6_srh_update(struct bpfvm_skb *skb);

/* The __sk_buff a test run takes and gives (Linux 5.2+). */
int bpfvm_skb_ctx_in(struct bpfvm_skb *skb, const struct __sk_buff *ctx);
void bpfvm_skb_ctx_out(const struct bpfvm_skb *skb, struct __sk_buff *ctx);
#endif
