/* The skb-family program types of v5.1 (socket filter, tc, cgroup skb, the
 * four lwt types, sk_skb, flow dissector): their __sk_buff rules, one
 * rewrite of __sk_buff accesses onto struct bpfvm_skb, and their helper
 * sets. */
#include "progs/skb.h"
#include "progs/ctx.h"
#include "progs/types.h"
#include <errno.h>
#include <stddef.h>

#define OFF(f) offsetof(struct __sk_buff, f)
#define SZ(f) sizeof(((struct __sk_buff *)0)->f)

/* __sk_buff, as bpf_skb_is_valid_access and the per-type is_valid_access of
 * v5.1 allow it. Columns: socket filter, tc (cls/act), cgroup skb, lwt
 * (in/out/xmit/seg6local), sk_skb, flow dissector. N: no access, R: read,
 * W: read and write, P: read needing CAP_SYS_ADMIN, Q: read, and write
 * needing CAP_SYS_ADMIN. */
#define SKB_FIELDS(X)                                                                            \
/*  field            read        write   reg                  SF TC CG LWT SKSKB FD */            \
	X(len,             CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(pkt_type,        CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(mark,            CTX_NARROW, CTX_R4, SCALAR,              R, W, W, W,  N,  R)              \
	X(queue_mapping,   CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(protocol,        CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(vlan_present,    CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(vlan_tci,        CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(vlan_proto,      CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(priority,        CTX_NARROW, CTX_R4, SCALAR,              R, W, W, W,  W,  R)              \
	X(ingress_ifindex, CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(ifindex,         CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(tc_index,        CTX_NARROW, CTX_R4, SCALAR,              R, W, R, R,  W,  R)              \
	X(cb,              CTX_ANY,    CTX_ANY, SCALAR,             W, W, W, W,  R,  W)              \
	X(hash,            CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(tc_classid,      CTX_NARROW, CTX_R4, SCALAR,              N, W, N, N,  N,  N)              \
	X(data,            CTX_R4,     0,      PKT,                 N, R, P, R,  R,  R)              \
	X(data_end,        CTX_R4,     0,      PKT_END,             N, R, P, R,  R,  R)              \
	X(napi_id,         CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(family,          CTX_NARROW, 0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(remote_ip4,      CTX_R4,     0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(local_ip4,       CTX_R4,     0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(remote_ip6,      CTX_R4,     0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(local_ip6,       CTX_R4,     0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(remote_port,     CTX_NARROW, 0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(local_port,      CTX_NARROW, 0,      SCALAR,              N, N, R, N,  R,  N)              \
	X(data_meta,       CTX_R4,     0,      PKT_META,            N, R, N, N,  N,  N)              \
	X(flow_keys,       CTX_R8,     0,      FLOW_KEYS,           N, N, N, N,  N,  R)              \
	X(tstamp,          CTX_R8,     CTX_R8, SCALAR,              N, W, Q, N,  N,  N)              \
	X(wire_len,        CTX_NARROW, 0,      SCALAR,              N, R, N, N,  N,  N)              \
	X(gso_segs,        CTX_NARROW, 0,      SCALAR,              R, R, R, R,  R,  R)              \
	X(sk,              CTX_R8,     0,      SOCK_COMMON_OR_NULL, R, R, R, R,  R,  R)

/* Access code -> read mask, write mask, flags. */
#define FIELDX(name, rd, wr, rt, acc) { .off = OFF(name), .size = SZ(name), ACC_INIT_##acc(rd, wr), .reg = CTX_REG_##rt },
#define ACC_INIT_N(rd, wr) .read = 0, .write = 0
#define ACC_INIT_R(rd, wr) .read = rd, .write = 0
#define ACC_INIT_W(rd, wr) .read = rd, .write = wr
#define ACC_INIT_P(rd, wr) .read = (rd) | CTX_PRIV, .write = 0
#define ACC_INIT_Q(rd, wr) .read = rd, .write = (wr) | CTX_PRIV

#define COL_SF(name, rd, wr, reg, sf, tc, cg, lwt, sk, fd) FIELDX(name, rd, wr, reg, sf)
#define COL_TC(name, rd, wr, reg, sf, tc, cg, lwt, sk, fd) FIELDX(name, rd, wr, reg, tc)
#define COL_CG(name, rd, wr, reg, sf, tc, cg, lwt, sk, fd) FIELDX(name, rd, wr, reg, cg)
#define COL_LWT(name, rd, wr, reg, sf, tc, cg, lwt, sk, fd) FIELDX(name, rd, wr, reg, lwt)
#define COL_SKSKB(name, rd, wr, reg, sf, tc, cg, lwt, sk, fd) FIELDX(name, rd, wr, reg, sk)
#define COL_FD(name, rd, wr, reg, sf, tc, cg, lwt, sk, fd) FIELDX(name, rd, wr, reg, fd)

const struct bpfvm_ctx_field bpfvm_skb_fields_sk_filter[BPFVM_SKB_NFIELDS] = { SKB_FIELDS(COL_SF) };
const struct bpfvm_ctx_field bpfvm_skb_fields_tc[BPFVM_SKB_NFIELDS] = { SKB_FIELDS(COL_TC) };
const struct bpfvm_ctx_field bpfvm_skb_fields_cg_skb[BPFVM_SKB_NFIELDS] = { SKB_FIELDS(COL_CG) };
const struct bpfvm_ctx_field bpfvm_skb_fields_lwt[BPFVM_SKB_NFIELDS] = { SKB_FIELDS(COL_LWT) };
const struct bpfvm_ctx_field bpfvm_skb_fields_sk_skb[BPFVM_SKB_NFIELDS] = { SKB_FIELDS(COL_SKSKB) };
const struct bpfvm_ctx_field bpfvm_skb_fields_flow_dissector[BPFVM_SKB_NFIELDS] = { SKB_FIELDS(COL_FD) };

/* ---- the rewrite (bpf_convert_ctx_access of v5.1, onto struct bpfvm_skb) ---- */

#define M(f) ((int16_t)offsetof(struct bpfvm_skb, f))
#define SKV(f) ((int16_t)offsetof(struct bpf_sock, f))

/* A model field the access maps onto: its offset and the size the kernel's
 * rewrite loads (target_size). */
struct skb_target {
	uint16_t ctx_off;
	int16_t model_off;
	uint8_t target;
};

static const struct skb_target plain[] = {
	{ OFF(len), M(len), 4 },
	{ OFF(pkt_type), M(pkt_type), 1 },
	{ OFF(mark), M(mark), 4 },
	{ OFF(queue_mapping), M(queue_mapping), 2 },
	{ OFF(protocol), M(protocol), 2 },
	{ OFF(vlan_present), M(vlan_present), 1 },
	{ OFF(vlan_tci), M(vlan_tci), 2 },
	{ OFF(vlan_proto), M(vlan_proto), 2 },
	{ OFF(priority), M(priority), 4 },
	{ OFF(ingress_ifindex), M(ingress_ifindex), 4 },
	{ OFF(ifindex), M(ifindex), 4 },
	{ OFF(tc_index), M(tc_index), 2 },
	{ OFF(hash), M(hash), 4 },
	{ OFF(tc_classid), M(tc_classid), 2 },
	{ OFF(data), M(data), 8 },
	{ OFF(data_end), M(data_end), 8 },
	{ OFF(napi_id), M(napi_id), 4 },
	{ OFF(data_meta), M(data_meta), 8 },
	{ OFF(flow_keys), M(flow_keys), 8 },
	{ OFF(tstamp), M(tstamp), 8 },
	{ OFF(wire_len), M(wire_len), 4 },
	{ OFF(gso_segs), M(gso_segs), 2 },
	{ OFF(sk), M(sk_view), 8 },
};

/* Socket fields come from skb->sk: offset in struct bpf_sock, load size,
 * and whether the 16-bit port is shifted up (remote_port reads skc_dport
 * << 16 on little-endian, as v5.1 does). */
static int sock_field(uint32_t off, int16_t *sk_off, uint8_t *target, int *lsh)
{
	*lsh = 0;
	if (off == OFF(family)) {
		*sk_off = SKV(family);
		*target = 2;
	} else if (off == OFF(remote_ip4)) {
		*sk_off = SKV(dst_ip4);
		*target = 4;
	} else if (off == OFF(local_ip4)) {
		*sk_off = SKV(src_ip4);
		*target = 4;
	} else if (off >= OFF(remote_ip6) && off < OFF(remote_ip6) + 16) {
		*sk_off = (int16_t)(SKV(dst_ip6) + (off & ~3u) - OFF(remote_ip6));
		*target = 4;
	} else if (off >= OFF(local_ip6) && off < OFF(local_ip6) + 16) {
		*sk_off = (int16_t)(SKV(src_ip6) + (off & ~3u) - OFF(local_ip6));
		*target = 4;
	} else if (off == OFF(remote_port)) {
		*sk_off = SKV(dst_port);
		*target = 2;
		*lsh = 1;
	} else if (off == OFF(local_port)) {
		*sk_off = SKV(src_port);
		*target = 2;
	} else {
		return -1;
	}
	return 0;
}

static int skb_convert(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max)
{
	int load = ci_is_load(in);
	if (!load && (in->code & 0x07) != 0x03)
		return -EINVAL;         /* BPF_ST into the context */
	if (max < 8)
		return -E2BIG;
	uint32_t size = ci_bytes(in->code);
	uint8_t reg = load ? in->dst_reg : in->src_reg, base = load ? in->src_reg : in->dst_reg;
	const struct bpfvm_ctx_field *f = bpfvm_ctx_field_at(bpfvm_skb_fields_tc, BPFVM_SKB_NFIELDS, off);
	if (!f)
		return -EINVAL;
	int n = 0;
	if (f->off == OFF(cb)) {        /* cb: the access itself, on the model's cb */
		int16_t mo = (int16_t)(M(cb) + (off - OFF(cb)));
		out[n++] = load ? CI_LDX(size, reg, base, mo) : CI_STX(size, base, reg, mo);
		return n;
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (plain[i].ctx_off != f->off)
			continue;
		if (!load) {            /* stores keep the model field's width */
			out[n++] = CI_STX(plain[i].target, base, reg, plain[i].model_off);
			return n;
		}
		out[n++] = CI_LDX(plain[i].target, reg, base, plain[i].model_off);
		if (f->size == 4)
			n = bpfvm_ctx_narrow_tail(out, n, reg, off, size, 4, plain[i].target);
		return n;
	}
	int16_t sk_off;
	uint8_t target;
	int lsh;
	if (!load || sock_field(off, &sk_off, &target, &lsh) < 0)
		return -EINVAL;
	/* dst = skb->sk; if (dst) dst = *(target *)(dst + field) [<< 16]: a
	 * NULL socket reads 0 (the kernel's skb always has one here). */
	out[n++] = CI_LDX(8, reg, base, M(sk_view));
	out[n++] = CI_JEQI(reg, 0, (int16_t)(1 + lsh));
	out[n++] = CI_LDX(target, reg, reg, sk_off);
	if (lsh)
		out[n++] = CI_LSH32(reg, 16);
	if (f->size == 4)
		n = bpfvm_ctx_narrow_tail(out, n, reg, off, size, 4, target);
	return n;
}

int bpfvm_skb_convert_ctx_access(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max)
{
	return skb_convert(in, off, out, max);
}

/* ---- helper sets (the *_func_proto of v5.1) ---- */

#define H(x) BPF_FUNC_##x
/* bpf_base_func_proto, for a CAP_SYS_ADMIN loader. */
#define BASE H(map_lookup_elem), H(map_update_elem), H(map_delete_elem), H(map_push_elem), \
	H(map_pop_elem), H(map_peek_elem), H(get_prandom_u32), H(get_smp_processor_id), \
	H(get_numa_node_id), H(tail_call), H(ktime_get_ns), H(spin_lock), H(spin_unlock), H(trace_printk)
#define SK_FILTER H(skb_load_bytes), H(skb_load_bytes_relative), H(get_socket_cookie), H(get_socket_uid)
#define LWT_OUT H(skb_load_bytes), H(skb_pull_data), H(csum_diff), H(get_cgroup_classid), \
	H(get_route_realm), H(get_hash_recalc), H(perf_event_output), H(get_smp_processor_id), \
	H(skb_under_cgroup)

const uint16_t bpfvm_helpers_sk_filter[] = { SK_FILTER, BASE, 0 };
const uint16_t bpfvm_helpers_cg_skb[] = {
	H(get_local_storage), H(sk_fullsock), H(tcp_sock), H(skb_ecn_set_ce), SK_FILTER, BASE, 0 };
const uint16_t bpfvm_helpers_tc[] = {
	H(skb_store_bytes), H(skb_load_bytes), H(skb_load_bytes_relative), H(skb_pull_data), H(csum_diff),
	H(csum_update), H(l3_csum_replace), H(l4_csum_replace), H(clone_redirect), H(get_cgroup_classid),
	H(skb_vlan_push), H(skb_vlan_pop), H(skb_change_proto), H(skb_change_type), H(skb_adjust_room),
	H(skb_change_tail), H(skb_get_tunnel_key), H(skb_set_tunnel_key), H(skb_get_tunnel_opt),
	H(skb_set_tunnel_opt), H(redirect), H(get_route_realm), H(get_hash_recalc), H(set_hash_invalid),
	H(set_hash), H(perf_event_output), H(get_smp_processor_id), H(skb_under_cgroup), H(get_socket_cookie),
	H(get_socket_uid), H(fib_lookup), H(sk_fullsock), H(skb_get_xfrm_state), H(skb_cgroup_id),
	H(skb_ancestor_cgroup_id), H(sk_lookup_tcp), H(sk_lookup_udp), H(sk_release), H(tcp_sock), BASE, 0 };
const uint16_t bpfvm_helpers_lwt_out[] = { LWT_OUT, BASE, 0 };
const uint16_t bpfvm_helpers_lwt_in[] = { H(lwt_push_encap), LWT_OUT, BASE, 0 };
const uint16_t bpfvm_helpers_lwt_xmit[] = {
	H(skb_get_tunnel_key), H(skb_set_tunnel_key), H(skb_get_tunnel_opt), H(skb_set_tunnel_opt),
	H(redirect), H(clone_redirect), H(skb_change_tail), H(skb_change_head), H(skb_store_bytes),
	H(csum_update), H(l3_csum_replace), H(l4_csum_replace), H(set_hash_invalid), H(lwt_push_encap),
	LWT_OUT, BASE, 0 };
const uint16_t bpfvm_helpers_lwt_seg6local[] = {
	H(lwt_seg6_store_bytes), H(lwt_seg6_action), H(lwt_seg6_adjust_srh), LWT_OUT, BASE, 0 };
const uint16_t bpfvm_helpers_sk_skb[] = {
	H(skb_store_bytes), H(skb_load_bytes), H(skb_pull_data), H(skb_change_tail), H(skb_change_head),
	H(get_socket_cookie), H(get_socket_uid), H(sk_redirect_map), H(sk_redirect_hash), H(get_local_storage),
	BASE, 0 };
const uint16_t bpfvm_helpers_flow_dissector[] = { H(skb_load_bytes), BASE, 0 };
