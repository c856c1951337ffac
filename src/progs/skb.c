/* The sk_buff model and PROG_TEST_RUN for skb program types, as the
 * kernel's bpf_prog_test_run_skb of v5.1. */
#include "progs/skb.h"
#include "progs/test_run.h"
#include "progs/xdp.h"
#include "core/prog.h"
#include "core/vm.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SKF_NET_OFF (-0x100000)
#define SKF_LL_OFF  (-0x200000)
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

/* Types whose programs see the frame from the Ethernet header (tc). */
static int is_l2(uint32_t type)
{
	return type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT;
}

static int has_direct_packet_access(uint32_t type)
{
	return is_l2(type) || type == BPF_PROG_TYPE_LWT_IN || type == BPF_PROG_TYPE_LWT_OUT ||
	       type == BPF_PROG_TYPE_LWT_XMIT || type == BPF_PROG_TYPE_SK_SKB ||
	       type == BPF_PROG_TYPE_CGROUP_SKB;
}

int bpfvm_skb_init(struct bpfvm_skb *skb, const uint8_t *frame, uint32_t len, uint32_t prog_type)
{
	memset(skb, 0, sizeof(*skb));
	size_t cap = BPFVM_PAGE_SIZE;
	skb->head = calloc(1, cap);
	if (!skb->head)
		return -ENOMEM;
	skb->end = skb->head + cap - BPFVM_SKB_SHINFO_SIZE;
	skb->data = skb->head + BPFVM_SKB_HEADROOM;
	memcpy(skb->data, frame, len);
	skb->len = len;
	skb->prog_type = prog_type;
	/* eth_type_trans on the loopback device (address 00:00:00:00:00:00). */
	skb->mac_header = BPFVM_SKB_HEADROOM;
	const uint8_t *dst = frame;
	static const uint8_t zero[6];
	if (dst[0] & 1)
		skb->pkt_type = memcmp(dst, "\xff\xff\xff\xff\xff\xff", 6) ? PACKET_MULTICAST : PACKET_BROADCAST;
	else
		skb->pkt_type = memcmp(dst, zero, 6) ? PACKET_OTHERHOST : PACKET_HOST;
	memcpy(&skb->protocol, frame + 12, 2);
	skb->data += BPFVM_ETH_HLEN;
	skb->len -= BPFVM_ETH_HLEN;
	skb->network_header = skb->mac_header + BPFVM_ETH_HLEN;
	skb->transport_header = skb->network_header;
	skb->ifindex = 1;
	skb->data_meta = skb->data;
	if (is_l2(prog_type)) {                /* __skb_push(hh_len) */
		skb->data -= BPFVM_ETH_HLEN;
		skb->len += BPFVM_ETH_HLEN;
		skb->data_meta = skb->data;
	}
	return 0;
}

void bpfvm_skb_fini(struct bpfvm_skb *skb)
{
	free(skb->head);
	skb->head = NULL;
}

/* LD_ABS / LD_IND (bpf_skb_load_helper): offsets from skb->data, or
 * relative to the network / link-layer header through the SKF_* bases. */
static int skb_ld_abs(struct bpfvm_run *run, int64_t off, uint32_t size, uint32_t *val)
{
	struct bpfvm_skb *skb = run->model;
	const uint8_t *p;
	int64_t avail;
	if (off >= 0) {
		p = skb->data + off;
		avail = (int64_t)skb->len - off;
	} else if (off >= SKF_NET_OFF) {
		p = skb->head + skb->network_header + (off - SKF_NET_OFF);
		avail = (skb->data + skb->len) - p;
	} else if (off >= SKF_LL_OFF) {
		p = skb->head + skb->mac_header + (off - SKF_LL_OFF);
		avail = (skb->data + skb->len) - p;
	} else {
		return -EFAULT;
	}
	if (avail < (int64_t)size || p < skb->head)
		return -EFAULT;
	*val = size == 1 ? p[0] : size == 2 ? (uint32_t)p[0] << 8 | p[1]
					    : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

#define SKB_OFF(f) offsetof(struct __sk_buff, f)

static uint32_t *skb_u32_field(struct bpfvm_skb *skb, uint32_t off)
{
	switch (off) {
	case SKB_OFF(mark): return &skb->mark;
	case SKB_OFF(priority): return &skb->priority;
	case SKB_OFF(queue_mapping): return &skb->queue_mapping;
	case SKB_OFF(ingress_ifindex): return &skb->ingress_ifindex;
	case SKB_OFF(ifindex): return &skb->ifindex;
	case SKB_OFF(tc_index): return &skb->tc_index;
	case SKB_OFF(hash): return &skb->hash;
	case SKB_OFF(tc_classid): return &skb->tc_classid;
	case SKB_OFF(napi_id): return &skb->napi_id;
	case SKB_OFF(wire_len): return &skb->wire_len;
	case SKB_OFF(gso_segs): return &skb->gso_segs;
	}
	if (off >= SKB_OFF(cb) && off < SKB_OFF(cb) + sizeof(skb->cb))
		return &skb->cb[(off - SKB_OFF(cb)) / 4];
	return NULL;
}

/* Which fields a store may change (the kernel's per-type is_valid_access:
 * cb and mark, priority for all skb types; tc_index, tc_classid,
 * queue_mapping for tc; tstamp for tc and cgroup). */
static int skb_field_writable(uint32_t type, uint32_t off)
{
	if (off >= SKB_OFF(cb) && off < SKB_OFF(cb) + 20)
		return 1;
	switch (off) {
	case SKB_OFF(mark): case SKB_OFF(priority):
		return type != BPF_PROG_TYPE_SOCKET_FILTER;
	case SKB_OFF(tc_index): case SKB_OFF(tc_classid): case SKB_OFF(queue_mapping):
		return is_l2(type);
	case SKB_OFF(tstamp):
		return is_l2(type) || type == BPF_PROG_TYPE_CGROUP_SKB;
	}
	return 0;
}

static int skb_ctx_access(struct bpfvm_run *run, uint32_t off, uint32_t size, int write, uint64_t *val)
{
	struct bpfvm_skb *skb = run->model;
	if (off == SKB_OFF(tstamp) && size == 8) {
		if (write) {
			if (!skb_field_writable(skb->prog_type, off))
				return -EACCES;
			skb->tstamp = *val;
		} else {
			*val = skb->tstamp;
		}
		return 0;
	}
	if (size != 4 || (off & 3))
		return -EACCES;
	if (write) {
		uint32_t *f = skb_u32_field(skb, off);
		if (!f || !skb_field_writable(skb->prog_type, off))
			return -EACCES;
		*f = (uint32_t)*val;
		return 0;
	}
	int direct = has_direct_packet_access(skb->prog_type);
	switch (off) {
	case SKB_OFF(len): *val = skb->len; return 0;
	case SKB_OFF(pkt_type): *val = skb->pkt_type; return 0;
	case SKB_OFF(protocol): *val = skb->protocol; return 0;
	case SKB_OFF(vlan_present): *val = skb->vlan_present; return 0;
	case SKB_OFF(vlan_tci): *val = skb->vlan_tci; return 0;
	case SKB_OFF(vlan_proto): *val = skb->vlan_proto; return 0;
	case SKB_OFF(data):
		if (!direct)
			return -EACCES;
		*val = (uint64_t)(uintptr_t)skb->data;
		return 0;
	case SKB_OFF(data_end):
		if (!direct)
			return -EACCES;
		*val = (uint64_t)(uintptr_t)(skb->data + skb->len);
		return 0;
	case SKB_OFF(data_meta):
		if (!is_l2(skb->prog_type))
			return -EACCES;
		*val = (uint64_t)(uintptr_t)skb->data_meta;
		return 0;
	}
	uint32_t *f = skb_u32_field(skb, off);
	if (!f)
		return -EACCES;
	*val = *f;
	return 0;
}

void bpfvm_skb_prepare_run(struct bpfvm_run *run, struct bpfvm_skb *skb)
{
	run->model = skb;
	run->ctx_access = skb_ctx_access;
	run->ld_abs = skb_ld_abs;
	bpfvm_run_set_ctx(run, &skb->md, sizeof(skb->md));
	if (has_direct_packet_access(skb->prog_type))
		bpfvm_run_add_region(run, skb->head, (size_t)(skb->end - skb->head), 1);
}

int bpfvm_test_run_skb(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
		       unsigned int size)
{
	uint32_t len = attr->test.data_size_in;
	if (len < BPFVM_ETH_HLEN || len > BPFVM_PAGE_SIZE - BPFVM_SKB_HEADROOM - BPFVM_SKB_SHINFO_SIZE)
		return -EINVAL;
	if (!attr->test.data_in)
		return -EFAULT;
	struct bpfvm_skb skb;
	int rc = bpfvm_skb_init(&skb, (const uint8_t *)(uintptr_t)attr->test.data_in, len, prog->type);
	if (rc < 0)
		return rc;
	struct bpfvm_run run;
	bpfvm_run_init(&run, prog->vm, !prog->verified);
	run.cpu = bpfvm_current_cpu(prog->vm);
	bpfvm_skb_prepare_run(&run, &skb);
	uint32_t retval = 0, duration = 0;
	rc = bpfvm_test_run_loop(prog, &run, &skb.md, attr->test.repeat, &retval, &duration);
	if (rc == 0) {
		/* Non-L2 types ran on the L3 packet: the copy out gets the
		 * link-layer header back, zeroed, as the kernel pushes it. */
		if (!is_l2(prog->type)) {
			skb.data -= BPFVM_ETH_HLEN;
			skb.len += BPFVM_ETH_HLEN;
			memset(skb.data, 0, BPFVM_ETH_HLEN);
		}
		rc = bpfvm_test_finish(attr, uattr, size, skb.data, skb.len, retval, duration);
	}
	bpfvm_run_fini(&run);
	bpfvm_skb_fini(&skb);
	return rc;
}
