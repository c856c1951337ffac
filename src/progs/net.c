/* The vm's network model: devices, routes, neighbours and sockets the host
 * configures for bpf_fib_lookup and bpf_sk_lookup_*.
 *
 * It hangs off struct bpfvm (created on first use, under the vm's net_lock)
 * and is freed by bpfvm_free(); bpfvm_net_clear() empties it earlier. */
#include "progs/net.h"
#include "progs/sock.h"
#include "core/vm.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LO_IFINDEX 1
#define LO_MTU 65536

struct net {
	const struct bpfvm *vm;
	struct bpfvm_net_dev *devs;
	uint32_t ndevs;
	struct bpfvm_net_route *routes;
	uint32_t nroutes;
	struct bpfvm_net_neigh *neighs;
	uint32_t nneighs;
	struct bpfvm_sock *socks;
	struct bpfvm_net_xfrm xfrm[BPFVM_XFRM_MAX_DEPTH];
	uint32_t nxfrm;
};

#define NET_LOCK(vm) pthread_mutex_lock(&((struct bpfvm *)(vm))->net_lock)
#define NET_UNLOCK(vm) pthread_mutex_unlock(&((struct bpfvm *)(vm))->net_lock)

/* Under the vm's net_lock. */
static struct net *net_find(const struct bpfvm *vm, int create)
{
	struct net *n = vm->net;
	if (n || !create)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->vm = vm;
	((struct bpfvm *)vm)->net = n;
	return n;
}

static int grow(void **arr, uint32_t n, size_t elem)
{
	void *p = realloc(*arr, (n + 1) * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

BPFVM_API int bpfvm_net_add_dev(struct bpfvm *vm, const struct bpfvm_net_dev *dev)
{
	if (!vm || !dev || dev->ifindex <= LO_IFINDEX)
		return dev && dev->ifindex == LO_IFINDEX ? -EEXIST : -EINVAL;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 1);
	int rc = n ? 0 : -ENOMEM;
	for (uint32_t i = 0; rc == 0 && i < n->ndevs; i++)
		if (n->devs[i].ifindex == dev->ifindex)
			rc = -EEXIST;
	if (rc == 0 && (rc = grow((void **)&n->devs, n->ndevs, sizeof(*dev))) == 0) {
		n->devs[n->ndevs] = *dev;
		if (!n->devs[n->ndevs].mtu)
			n->devs[n->ndevs].mtu = 1500;
		n->ndevs++;
	}
	NET_UNLOCK(vm);
	return rc;
}

int bpfvm_net_dev_get(struct bpfvm *vm, uint32_t ifindex, struct bpfvm_net_dev *out)
{
	if (ifindex == LO_IFINDEX) {
		memset(out, 0, sizeof(*out));
		out->ifindex = LO_IFINDEX;
		out->mtu = LO_MTU;
		return 0;
	}
	int rc = -ENODEV;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 0);
	for (uint32_t i = 0; n && i < n->ndevs; i++)
		if (n->devs[i].ifindex == ifindex) {
			*out = n->devs[i];
			rc = 0;
		}
	NET_UNLOCK(vm);
	return rc;
}

static uint32_t addr_len(uint8_t family)
{
	return family == BPFVM_AF_INET ? 4 : family == BPFVM_AF_INET6 ? 16 : 0;
}

BPFVM_API int bpfvm_net_add_route(struct bpfvm *vm, const struct bpfvm_net_route *route)
{
	uint32_t alen = route ? addr_len(route->family) : 0;
	if (!vm || !alen || route->prefix_len > alen * 8)
		return -EINVAL;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 1);
	int rc = n ? grow((void **)&n->routes, n->nroutes, sizeof(*route)) : -ENOMEM;
	if (rc == 0)
		n->routes[n->nroutes++] = *route;
	NET_UNLOCK(vm);
	return rc;
}

static int prefix_match(const uint8_t *a, const uint8_t *prefix, uint32_t bits)
{
	uint32_t bytes = bits / 8, rem = bits % 8;
	if (memcmp(a, prefix, bytes))
		return 0;
	if (!rem)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rem));
	return (a[bytes] & mask) == (prefix[bytes] & mask);
}

int bpfvm_net_route_lookup(struct bpfvm *vm, uint8_t family, const uint8_t *dst, struct bpfvm_net_route *out)
{
	int rc = -ENOENT, best = -1;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 0);
	for (uint32_t i = 0; n && i < n->nroutes; i++) {
		const struct bpfvm_net_route *r = &n->routes[i];
		if (r->family != family || !prefix_match(dst, r->dst, r->prefix_len))
			continue;
		/* Longest prefix; among equal prefixes the lowest metric. */
		if (r->prefix_len > best || (r->prefix_len == best && r->metric < out->metric)) {
			*out = *r;
			best = r->prefix_len;
			rc = 0;
		}
	}
	NET_UNLOCK(vm);
	return rc;
}

BPFVM_API int bpfvm_net_add_neigh(struct bpfvm *vm, const struct bpfvm_net_neigh *neigh)
{
	if (!vm || !neigh || !addr_len(neigh->family))
		return -EINVAL;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 1);
	int rc = n ? grow((void **)&n->neighs, n->nneighs, sizeof(*neigh)) : -ENOMEM;
	if (rc == 0)
		n->neighs[n->nneighs++] = *neigh;
	NET_UNLOCK(vm);
	return rc;
}

int bpfvm_net_neigh_lookup(struct bpfvm *vm, uint32_t ifindex, uint8_t family, const uint8_t *addr, uint8_t mac[6])
{
	int rc = -ENOENT;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 0);
	for (uint32_t i = 0; n && i < n->nneighs && rc; i++) {
		const struct bpfvm_net_neigh *e = &n->neighs[i];
		if (e->ifindex == ifindex && e->family == family && !memcmp(e->addr, addr, addr_len(family))) {
			memcpy(mac, e->mac, 6);
			rc = 0;
		}
	}
	NET_UNLOCK(vm);
	return rc;
}

static uint16_t be16(uint16_t host)
{
	return (uint16_t)((host >> 8) | (host << 8));
}

/* struct bpf_sock as v5.1's bpf_sock_convert_ctx_access reads a socket:
 * src_port is skc_num (host order), dst_port is skc_dport (network order,
 * zero-extended), addresses in network order. */
static void sock_fill(struct bpfvm_sock *s, const struct bpfvm_net_sock *d)
{
	memset(s, 0, sizeof(*s));
	s->kind = BPFVM_MODEL_SOCK;
	s->sk.bound_dev_if = d->bound_dev_if;
	s->sk.family = d->family;
	s->sk.type = d->protocol == BPFVM_IPPROTO_TCP ? 1 : 2;   /* SOCK_STREAM, SOCK_DGRAM */
	s->sk.protocol = d->protocol;
	s->sk.mark = d->mark;
	s->sk.priority = d->priority;
	if (d->family == BPFVM_AF_INET) {
		memcpy(&s->sk.src_ip4, d->local_addr, 4);
		memcpy(&s->sk.dst_ip4, d->remote_addr, 4);
	} else {
		memcpy(s->sk.src_ip6, d->local_addr, 16);
		memcpy(s->sk.dst_ip6, d->remote_addr, 16);
	}
	s->sk.src_port = d->local_port;
	s->sk.dst_port = be16(d->remote_port);
	s->sk.state = d->state ? d->state : BPF_TCP_CLOSE;
	s->tcp.snd_cwnd = 10;
	s->tcp.mss_cache = 536;
	s->cookie = d->cookie;
	s->uid = d->uid;
	s->cgroup_id = d->cgroup_id ? d->cgroup_id : 1;
	s->cgroup_ancestors[0] = 1;
	if (s->cgroup_id != 1) {
		s->cgroup_level = 1;
		s->cgroup_ancestors[1] = s->cgroup_id;
	}
}

BPFVM_API int bpfvm_net_add_sock(struct bpfvm *vm, const struct bpfvm_net_sock *sock)
{
	if (!vm || !sock || !addr_len((uint8_t)sock->family) ||
	    (sock->protocol != BPFVM_IPPROTO_TCP && sock->protocol != BPFVM_IPPROTO_UDP))
		return -EINVAL;
	struct bpfvm_sock *s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	sock_fill(s, sock);
	NET_LOCK(vm);
	struct net *n = net_find(vm, 1);
	if (n) {
		s->next = n->socks;
		n->socks = s;
	}
	NET_UNLOCK(vm);
	if (!n) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

static int addr_eq(const struct bpfvm_sock *s, int remote, uint8_t family, const uint8_t *a)
{
	if (family == BPFVM_AF_INET)
		return !memcmp(remote ? (const void *)&s->sk.dst_ip4 : (const void *)&s->sk.src_ip4, a, 4);
	return !memcmp(remote ? s->sk.dst_ip6 : s->sk.src_ip6, a, 16);
}

static int addr_any(const struct bpfvm_sock *s, int remote, uint8_t family)
{
	static const uint8_t zero[16];
	return addr_eq(s, remote, family, zero);
}

/* A score as the kernel's lookups rank candidates: exact 4-tuple matches
 * (established sockets) first, then bound sockets, wildcard addresses last;
 * -1: no match. */
static int sock_score(const struct bpfvm_sock *s, uint8_t family, uint8_t proto, const uint8_t *saddr,
		      uint16_t sport, const uint8_t *daddr, uint16_t dport, uint32_t ifindex)
{
	if (s->sk.family != family || s->sk.protocol != proto || be16((uint16_t)s->sk.src_port) != dport)
		return -1;
	if (s->sk.bound_dev_if && s->sk.bound_dev_if != ifindex)
		return -1;
	int listen = proto == BPFVM_IPPROTO_TCP && s->sk.state == BPF_TCP_LISTEN;
	int connected = !listen && (s->sk.dst_port || !addr_any(s, 1, family));
	int score = 1;
	if (!addr_any(s, 0, family)) {
		if (!addr_eq(s, 0, family, daddr))
			return -1;
		score += 2;
	}
	if (connected) {
		if ((uint16_t)s->sk.dst_port != sport || !addr_eq(s, 1, family, saddr))
			return -1;
		score += 8;
	} else if (proto == BPFVM_IPPROTO_TCP && !listen) {
		return -1;      /* a TCP socket neither listening nor connected takes nothing */
	}
	return score;
}

struct bpfvm_sock *bpfvm_net_sock_lookup(struct bpfvm *vm, uint8_t family, uint8_t proto, const uint8_t *saddr,
					 uint16_t sport, const uint8_t *daddr, uint16_t dport, uint32_t ifindex)
{
	struct bpfvm_sock *best = NULL;
	int best_score = -1;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 0);
	for (struct bpfvm_sock *s = n ? n->socks : NULL; s; s = s->next) {
		int sc = sock_score(s, family, proto, saddr, sport, daddr, dport, ifindex);
		if (sc > best_score) {
			best = s;
			best_score = sc;
		}
	}
	NET_UNLOCK(vm);
	return best;
}

int bpfvm_net_sock_known(const struct bpfvm *vm, const struct bpfvm_sock *s)
{
	int found = 0;
	NET_LOCK(vm);
	struct net *n = net_find(vm, 0);
	for (struct bpfvm_sock *p = n ? n->socks : NULL; p && !found; p = p->next)
		found = p == s;
	NET_UNLOCK(vm);
	return found;
}

BPFVM_API void bpfvm_net_clear(struct bpfvm *vm)
{
	NET_LOCK(vm);
	struct net *n = vm->net;
	vm->net = NULL;
	NET_UNLOCK(vm);
	if (!n)
		return;
	while (n->socks) {
		struct bpfvm_sock *s = n->socks;
		n->socks = s->next;
		free(s);
	}
	free(n->devs);
	free(n->routes);
	free(n->neighs);
	free(n);
}

/* The thread's last packet test run (the kernel keeps the redirect target
 * per CPU in bpf_redirect_info; per thread is bpfvm's equivalent). */
static _Thread_local const struct bpfvm *last_vm;
static _Thread_local struct bpfvm_pkt_result last;

void bpfvm_net_set_last_result(const struct bpfvm *vm, const struct bpfvm_pkt_result *res)
{
	last_vm = vm;
	last = *res;
}

BPFVM_API int bpfvm_net_last_result(const struct bpfvm *vm, struct bpfvm_pkt_result *out)
{
	if (!vm || !out)
		return -EINVAL;
	if (last_vm != vm)
		return -ENOENT;
	*out = last;
	return 0;
}

/* sock_gen_cookie: unique, never 0 (one counter for the process, as the
 * kernel's counter is one for all its sockets of a namespace). */
static _Atomic uint64_t cookie_gen;

uint64_t bpfvm_sock_cookie(struct bpfvm_sock *sk)
{
	uint64_t c = __atomic_load_n(&sk->cookie, __ATOMIC_ACQUIRE);
	if (c)
		return c;
	uint64_t mine = atomic_fetch_add(&cookie_gen, 1) + 1, expected = 0;
	/* sockets of the vm are shared by concurrent runs: the first wins */
	if (__atomic_compare_exchange_n(&sk->cookie, &expected, mine, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	return expected;
}

int bpfvm_net_dev_exists(struct bpfvm *vm, uint32_t ifindex)
{
	struct bpfvm_net_dev dev;
	return bpfvm_net_dev_get(vm, ifindex, &dev) == 0;
}

BPFVM_API int bpfvm_net_set_xfrm(struct bpfvm *vm, const struct bpfvm_net_xfrm *states, uint32_t n)
{
	if (!vm || (n && !states))
		return -EINVAL;
	if (n > BPFVM_XFRM_MAX_DEPTH)
		return -E2BIG;
	NET_LOCK(vm);
	struct net *nt = net_find(vm, 1);
	if (nt) {
		if (n)
			memcpy(nt->xfrm, states, n * sizeof(*states));
		nt->nxfrm = n;
	}
	NET_UNLOCK(vm);
	return nt ? 0 : -ENOMEM;
}

uint32_t bpfvm_net_get_xfrm(struct bpfvm *vm, struct bpfvm_net_xfrm *out)
{
	NET_LOCK(vm);
	struct net *nt = net_find(vm, 0);
	uint32_t n = nt ? nt->nxfrm : 0;
	if (n)
		memcpy(out, nt->xfrm, n * sizeof(*out));
	NET_UNLOCK(vm);
	return n;
}
