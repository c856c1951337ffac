/* The socket types of v5.1 (cgroup/sock, cgroup sock_addr, sock_ops,
 * sk_msg, sk_reuseport) and cgroup device: their contexts' rules
 * (*_is_valid_access), helper sets (*_func_proto), and the socket model
 * packet programs reach through skb->sk and the lookups. Their models keep
 * the UAPI layout, so the rewrite is the access itself. */
#include "progs/sock.h"
#include "progs/ctx.h"
#include "progs/types.h"
#include <string.h>

#define A(t) (1u << (t))
#define SK(f) offsetof(struct bpf_sock, f)
#define SKSZ(f) sizeof(((struct bpf_sock *)0)->f)

void bpfvm_sock_init_dummy(struct bpfvm_sock *sk)
{
	memset(sk, 0, sizeof(*sk));
	sk->kind = BPFVM_MODEL_SOCK;
	sk->sk.state = BPF_TCP_CLOSE;           /* sock_init_data */
	sk->cgroup_id = 1;                      /* no cgroup data: the default root */
	sk->cgroup_ancestors[0] = 1;
}

int bpfvm_sock_is_full(const struct bpfvm_sock *sk)
{
	return sk->sk.state != BPF_TCP_TIME_WAIT && sk->sk.state != BPF_TCP_NEW_SYN_RECV;
}

void bpfvm_sock_expose(struct bpfvm_run *run, struct bpfvm_sock *sk)
{
	bpfvm_run_add_region(run, &sk->sk, sizeof(sk->sk), 0);
	bpfvm_run_add_region(run, &sk->tcp, sizeof(sk->tcp), 0);
}

/* ---- struct bpf_sock ---- */

/* bpf_sock_is_valid_access of v5.1 (state, family, type, protocol and the
 * ports read narrow at their start, addresses narrow anywhere, the rest as
 * u32), for cgroup/sock contexts further limited by the attach type
 * (__sock_filter_check_attach_type). */
#define SOCK_FIELDS(X, CREATE, POST4, POST6, POST46, RW)                                          \
	X(bound_dev_if, CTX_R4, RW, 0, CREATE)                                                    \
	X(family, CTX_NARROW, 0, CTX_START, 0)                                                  \
	X(type, CTX_NARROW, 0, CTX_START, 0)                                                    \
	X(protocol, CTX_NARROW, 0, CTX_START, 0)                                                \
	X(mark, CTX_R4, RW, 0, CREATE)                                                            \
	X(priority, CTX_R4, RW, 0, CREATE)                                                        \
	X(src_ip4, CTX_NARROW, 0, 0, POST4)                                                       \
	X(src_ip6, CTX_NARROW, 0, 0, POST6)                                                       \
	X(src_port, CTX_NARROW, 0, CTX_START, POST46)                                           \
	X(dst_port, CTX_NARROW, 0, CTX_START, 0)                                                \
	X(dst_ip4, CTX_NARROW, 0, 0, 0)                                                           \
	X(dst_ip6, CTX_NARROW, 0, 0, 0)                                                           \
	X(state, CTX_NARROW, 0, CTX_START, 0)
#define SOCK_F(name, rd, wr, fl, att) { .off = SK(name), .size = SKSZ(name), .read = (rd) | (fl), .write = wr },
#define SOCK_ATT(name, rd, wr, fl, att) att,

const struct bpfvm_ctx_field bpfvm_cg_sock_fields[] = {
	SOCK_FIELDS(SOCK_F, A(BPF_CGROUP_INET_SOCK_CREATE), A(BPF_CGROUP_INET4_POST_BIND),
		    A(BPF_CGROUP_INET6_POST_BIND), A(BPF_CGROUP_INET4_POST_BIND) | A(BPF_CGROUP_INET6_POST_BIND),
		    CTX_R4)
};
const uint32_t bpfvm_cg_sock_fields_count = sizeof(bpfvm_cg_sock_fields) / sizeof(bpfvm_cg_sock_fields[0]);
const uint32_t bpfvm_cg_sock_attach[] = {
	SOCK_FIELDS(SOCK_ATT, A(BPF_CGROUP_INET_SOCK_CREATE), A(BPF_CGROUP_INET4_POST_BIND),
		    A(BPF_CGROUP_INET6_POST_BIND), A(BPF_CGROUP_INET4_POST_BIND) | A(BPF_CGROUP_INET6_POST_BIND),
		    CTX_R4)
};

const struct bpfvm_ctx_field bpfvm_sock_fields[] = { SOCK_FIELDS(SOCK_F, 0, 0, 0, 0, 0) };
const uint32_t bpfvm_sock_fields_count = sizeof(bpfvm_sock_fields) / sizeof(bpfvm_sock_fields[0]);

/* bpf_sock_common_is_valid_access: type..priority need a full socket. */
#define SOCK_COMMON_F(name, rd, wr, fl, att) \
	{ .off = SK(name), .size = SKSZ(name), .read = (SK(name) >= SK(type) && SK(name) <= SK(priority)) ? 0 : (rd) | (fl) },
const struct bpfvm_ctx_field bpfvm_sock_common_fields[] = { SOCK_FIELDS(SOCK_COMMON_F, 0, 0, 0, 0, 0) };
const uint32_t bpfvm_sock_common_fields_count =
	sizeof(bpfvm_sock_common_fields) / sizeof(bpfvm_sock_common_fields[0]);

/* bpf_tcp_sock_is_valid_access: u32 fields as u32, the two counters as u64. */
#define TCP(f) offsetof(struct bpf_tcp_sock, f)
const struct bpfvm_ctx_field bpfvm_tcp_sock_fields[] = {
	{ .off = 0, .size = TCP(bytes_received), .read = CTX_R4 },
	{ .off = TCP(bytes_received), .size = 16, .read = CTX_R8 },
};
const uint32_t bpfvm_tcp_sock_fields_count = 2;

/* ---- cgroup sock_addr (sock_addr_is_valid_access) ---- */

#define SA(f) offsetof(struct bpf_sock_addr, f)
#define SASZ(f) sizeof(((struct bpf_sock_addr *)0)->f)
const struct bpfvm_ctx_field bpfvm_sock_addr_fields[] = {
	{ .off = SA(user_family), .size = 4, .read = CTX_R4 },
	{ .off = SA(user_ip4), .size = 4, .read = CTX_NARROW, .write = CTX_R4 },
	{ .off = SA(user_ip6), .size = SASZ(user_ip6), .read = CTX_NARROW, .write = CTX_R4 },
	{ .off = SA(user_port), .size = 4, .read = CTX_R4, .write = CTX_R4 },
	{ .off = SA(family), .size = 4, .read = CTX_R4 },
	{ .off = SA(type), .size = 4, .read = CTX_R4 },
	{ .off = SA(protocol), .size = 4, .read = CTX_R4 },
	{ .off = SA(msg_src_ip4), .size = 4, .read = CTX_NARROW, .write = CTX_R4 },
	{ .off = SA(msg_src_ip6), .size = SASZ(msg_src_ip6), .read = CTX_NARROW, .write = CTX_R4 },
};
/* IPv4 fields for IPv4 hooks, IPv6 fields for IPv6 hooks, the message
 * source for sendmsg only. */
const uint32_t bpfvm_sock_addr_attach[] = {
	0,
	A(BPF_CGROUP_INET4_BIND) | A(BPF_CGROUP_INET4_CONNECT) | A(BPF_CGROUP_UDP4_SENDMSG),
	A(BPF_CGROUP_INET6_BIND) | A(BPF_CGROUP_INET6_CONNECT) | A(BPF_CGROUP_UDP6_SENDMSG),
	0, 0, 0, 0,
	A(BPF_CGROUP_UDP4_SENDMSG),
	A(BPF_CGROUP_UDP6_SENDMSG),
};
const uint32_t bpfvm_sock_addr_fields_count = sizeof(bpfvm_sock_addr_fields) / sizeof(bpfvm_sock_addr_fields[0]);

/* ---- sock_ops (sock_ops_is_valid_access): u32 reads, the byte counters
 * as u64; only reply and sk_txhash are written ---- */

#define SO(f) offsetof(struct bpf_sock_ops, f)
const struct bpfvm_ctx_field bpfvm_sock_ops_fields[] = {
	{ .off = SO(op), .size = 4, .read = CTX_R4 },
	{ .off = SO(reply), .size = 4, .read = CTX_R4, .write = CTX_R4 },
	{ .off = SO(reply) + 4, .size = SO(sk_txhash) - SO(reply) - 4, .read = CTX_R4 },
	{ .off = SO(sk_txhash), .size = 4, .read = CTX_R4, .write = CTX_R4 },
	{ .off = SO(bytes_received), .size = 16, .read = CTX_R8 },
};
const uint32_t bpfvm_sock_ops_fields_count = sizeof(bpfvm_sock_ops_fields) / sizeof(bpfvm_sock_ops_fields[0]);

/* ---- sk_msg (sk_msg_is_valid_access): the pointers as u64, the rest u32 ---- */

#define SM(f) offsetof(struct sk_msg_md, f)
const struct bpfvm_ctx_field bpfvm_sk_msg_fields[] = {
	{ .off = SM(data), .size = 8, .read = CTX_R8, .reg = CTX_REG_PKT },
	{ .off = SM(data_end), .size = 8, .read = CTX_R8, .reg = CTX_REG_PKT_END },
	{ .off = SM(family), .size = SM(size) + 4 - SM(family), .read = CTX_R4 },
};
const uint32_t bpfvm_sk_msg_fields_count = sizeof(bpfvm_sk_msg_fields) / sizeof(bpfvm_sk_msg_fields[0]);

/* ---- sk_reuseport (sk_reuseport_is_valid_access) ---- */

#define RP(f) offsetof(struct sk_reuseport_md, f)
const struct bpfvm_ctx_field bpfvm_reuseport_fields[] = {
	{ .off = RP(data), .size = 8, .read = CTX_R8, .reg = CTX_REG_PKT },
	{ .off = RP(data_end), .size = 8, .read = CTX_R8, .reg = CTX_REG_PKT_END },
	{ .off = RP(len), .size = 4, .read = CTX_NARROW | CTX_START },
	{ .off = RP(eth_protocol), .size = 4, .read = CTX_R2 | CTX_R4 | CTX_START },
	{ .off = RP(ip_protocol), .size = 4, .read = CTX_NARROW | CTX_START },
	{ .off = RP(bind_inany), .size = 4, .read = CTX_NARROW | CTX_START },
	{ .off = RP(hash), .size = 4, .read = CTX_R4 },
};
const uint32_t bpfvm_reuseport_fields_count = sizeof(bpfvm_reuseport_fields) / sizeof(bpfvm_reuseport_fields[0]);

/* ---- cgroup device (cgroup_dev_is_valid_access) ---- */

const struct bpfvm_ctx_field bpfvm_cgroup_dev_fields[] = {
	{ .off = 0, .size = 4, .read = CTX_NARROW },    /* access_type */
	{ .off = 4, .size = 8, .read = CTX_R4 },        /* major, minor */
};
const uint32_t bpfvm_cgroup_dev_fields_count = 2;

/* ---- helper sets of v5.1 ---- */

#define H(x) BPF_FUNC_##x
#define BASE H(map_lookup_elem), H(map_update_elem), H(map_delete_elem), H(map_push_elem), \
	H(map_pop_elem), H(map_peek_elem), H(get_prandom_u32), H(get_smp_processor_id), \
	H(get_numa_node_id), H(tail_call), H(ktime_get_ns), H(spin_lock), H(spin_unlock), H(trace_printk)

/* sock_filter_func_proto */
const uint16_t bpfvm_helpers_cg_sock[] = { H(get_current_uid_gid), H(get_local_storage), BASE, 0 };
/* sock_addr_func_proto (bind: BPF_CGROUP_INET4/6_CONNECT only) */
const uint16_t bpfvm_helpers_sock_addr[] = {
	H(get_current_uid_gid), H(bind), H(get_socket_cookie), H(get_local_storage), BASE, 0 };
/* sock_ops_func_proto */
const uint16_t bpfvm_helpers_sock_ops[] = {
	H(setsockopt), H(getsockopt), H(sock_ops_cb_flags_set), H(sock_map_update), H(sock_hash_update),
	H(get_socket_cookie), H(get_local_storage), BASE, 0 };
/* sk_msg_func_proto */
const uint16_t bpfvm_helpers_sk_msg[] = {
	H(msg_redirect_map), H(msg_redirect_hash), H(msg_apply_bytes), H(msg_cork_bytes), H(msg_pull_data),
	H(msg_push_data), H(msg_pop_data), H(get_local_storage), BASE, 0 };
/* sk_reuseport_func_proto */
const uint16_t bpfvm_helpers_reuseport[] = {
	H(sk_select_reuseport), H(skb_load_bytes), H(skb_load_bytes_relative), BASE, 0 };
/* cgroup_dev_func_proto */
const uint16_t bpfvm_helpers_cgroup_dev[] = {
	H(map_lookup_elem), H(map_update_elem), H(map_delete_elem), H(get_current_uid_gid), H(get_local_storage),
	H(trace_printk), 0 };
