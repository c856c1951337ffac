/* Socket helpers of v5.1 for packet programs: bpf_sk_lookup_tcp,
 * bpf_sk_lookup_udp (skb and XDP variants), bpf_sk_release,
 * bpf_sk_fullsock, bpf_tcp_sock. Lookups search the sockets the host
 * registered on the vm (bpfvm_net_add_sock): with none registered they
 * find nothing and return NULL. Socket pointers point at the socket's
 * struct bpf_sock view (struct bpf_tcp_sock for bpf_tcp_sock). */
#include "helpers/pkt.h"
#include "progs/net.h"
#include <string.h>

/* A socket pointer a program passed: the run's own socket or one of the
 * vm's (a checked run may pass anything; nothing else is dereferenced). */
static struct bpfvm_sock *known_sock(struct bpfvm_run *run, uint64_t view)
{
	if (!view)
		return NULL;
	struct bpfvm_skb *skb = pkt_skb(run);
	if (skb && skb->sk && (uint64_t)(uintptr_t)&skb->sk->sk == view)
		return skb->sk;
	struct bpfvm_sock *s = bpfvm_sock_of(PTR(view));
	return bpfvm_net_sock_known(bpfvm_run_vm(run), s) ? s : NULL;
}

/* __bpf_sk_lookup: the tuple is IPv4 (12 bytes) or IPv6 (36 bytes); flags
 * must be 0; netns_id may only name the caller's namespace (a negative
 * 32-bit value, BPF_F_CURRENT_NETNS) since a vm has one. (v5.1 took any
 * other length as IPv6; bpfvm finds nothing, as later kernels.) */
static uint64_t sk_lookup(struct bpfvm_run *run, uint64_t tuple, uint64_t len, uint64_t netns, uint64_t flags,
			  uint8_t proto)
{
	uint32_t ifindex;
	if (pkt_skb(run))
		ifindex = pkt_skb(run)->ifindex;
	else if (pkt_xdp(run))
		ifindex = pkt_xdp(run)->ingress_ifindex;
	else
		return 0;
	if (flags || (int32_t)netns >= 0)
		return 0;
	const struct bpf_sock_tuple *t = PTR(tuple);
	struct bpfvm_sock *s;
	if ((uint32_t)len == sizeof(t->ipv4))
		s = bpfvm_net_sock_lookup(bpfvm_run_vm(run), BPFVM_AF_INET, proto, (const uint8_t *)&t->ipv4.saddr,
					  t->ipv4.sport, (const uint8_t *)&t->ipv4.daddr, t->ipv4.dport, ifindex);
	else if ((uint32_t)len == sizeof(t->ipv6))
		s = bpfvm_net_sock_lookup(bpfvm_run_vm(run), BPFVM_AF_INET6, proto, (const uint8_t *)t->ipv6.saddr,
					  t->ipv6.sport, (const uint8_t *)t->ipv6.daddr, t->ipv6.dport, ifindex);
	else
		return 0;
	if (!s || !bpfvm_sock_is_full(s))
		return 0;
	__atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
	bpfvm_sock_expose(run, s);
	return (uint64_t)(uintptr_t)&s->sk;
}

static uint64_t sk_lookup_tcp(uint64_t ctx, uint64_t tuple, uint64_t len, uint64_t netns, uint64_t flags,
			      struct bpfvm_run *run)
{
	return sk_lookup(run, tuple, len, netns, flags, BPFVM_IPPROTO_TCP);
}

static uint64_t sk_lookup_udp(uint64_t ctx, uint64_t tuple, uint64_t len, uint64_t netns, uint64_t flags,
			      struct bpfvm_run *run)
{
	return sk_lookup(run, tuple, len, netns, flags, BPFVM_IPPROTO_UDP);
}

static uint64_t sk_release(uint64_t sk, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct bpfvm_sock *s = known_sock(run, sk);
	/* sockets of the vm are shared by concurrent runs */
	if (s && __atomic_load_n(&s->refs, __ATOMIC_RELAXED))
		__atomic_fetch_sub(&s->refs, 1, __ATOMIC_RELAXED);
	return 0;
}

static uint64_t sk_fullsock(uint64_t sk, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct bpfvm_sock *s = known_sock(run, sk);
	return s && bpfvm_sock_is_full(s) ? (uint64_t)(uintptr_t)&s->sk : 0;
}

static uint64_t tcp_sock(uint64_t sk, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	struct bpfvm_sock *s = known_sock(run, sk);
	return s && bpfvm_sock_is_full(s) && s->sk.protocol == BPFVM_IPPROTO_TCP ? (uint64_t)(uintptr_t)&s->tcp : 0;
}

#define LOOKUP_ARGS { A(PTR_TO_CTX), A(PTR_TO_MEM), A(CONST_SIZE), A(ANYTHING), A(ANYTHING) }
const struct bpfvm_helper_def bpfvm_helpers_sock[] = {
	{ BPF_FUNC_sk_lookup_tcp, { "sk_lookup_tcp", sk_lookup_tcp, BPFVM_RET_PTR_TO_SOCKET_OR_NULL, LOOKUP_ARGS,
				    0, 1 } },
	{ BPF_FUNC_sk_lookup_udp, { "sk_lookup_udp", sk_lookup_udp, BPFVM_RET_PTR_TO_SOCKET_OR_NULL, LOOKUP_ARGS,
				    0, 1 } },
	{ BPF_FUNC_sk_release, { "sk_release", sk_release, BPFVM_RET_INTEGER, { A(PTR_TO_SOCKET) }, 0, 0 } },
	{ BPF_FUNC_sk_fullsock, { "sk_fullsock", sk_fullsock, BPFVM_RET_PTR_TO_SOCKET_OR_NULL,
				  { A(PTR_TO_SOCK_COMMON) }, 0, 0 } },
	{ BPF_FUNC_tcp_sock, { "tcp_sock", tcp_sock, BPFVM_RET_PTR_TO_TCP_SOCK_OR_NULL, { A(PTR_TO_SOCK_COMMON) },
			       0, 0 } },
	{ 0, { 0 } },
};
