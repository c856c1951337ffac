/* The vm's network model (devices, routes, neighbours, sockets) as the
 * packet helpers see it, and the thread's last packet-run result. */
#ifndef BPFVM_PROGS_NET_H
#define BPFVM_PROGS_NET_H
#include <stdint.h>
#include <bpfvm/bpfvm.h>

struct bpfvm_sock;

/* Device `ifindex` (1: the loopback device always exists): 0 or -ENODEV. */
int bpfvm_net_dev_get(struct bpfvm *vm, uint32_t ifindex, struct bpfvm_net_dev *out);
/* Is there a device with that ifindex (the loopback device, 1, always)? */
int bpfvm_net_dev_exists(struct bpfvm *vm, uint32_t ifindex);
#define BPFVM_XFRM_MAX_DEPTH 6
/* The security path the host set for test-run packets: copies it to out
 * (BPFVM_XFRM_MAX_DEPTH entries of room) and returns how many. */
uint32_t bpfvm_net_get_xfrm(struct bpfvm *vm, struct bpfvm_net_xfrm *out);

/* Longest-prefix match over the vm's routes of `family` for dst (network
 * order, 4 or 16 bytes): 0 with *out, or -ENOENT. */
int bpfvm_net_route_lookup(struct bpfvm *vm, uint8_t family, const uint8_t *dst, struct bpfvm_net_route *out);
/* The neighbour entry for addr on ifindex: 0 with its mac, or -ENOENT. */
int bpfvm_net_neigh_lookup(struct bpfvm *vm, uint32_t ifindex, uint8_t family, const uint8_t *addr,
			   uint8_t mac[6]);
/* Socket lookup (sk_lookup of v5.1): the best match for a packet from
 * (saddr, sport) to (daddr, dport), ports in network order; NULL if none. */
struct bpfvm_sock *bpfvm_net_sock_lookup(struct bpfvm *vm, uint8_t family, uint8_t proto, const uint8_t *saddr,
					 uint16_t sport, const uint8_t *daddr, uint16_t dport, uint32_t ifindex);

/* Is s one of the vm's sockets? */
int bpfvm_net_sock_known(const struct bpfvm *vm, const struct bpfvm_sock *s);

/* Records the result of a packet test run for bpfvm_net_last_result(). */
void bpfvm_net_set_last_result(const struct bpfvm *vm, const struct bpfvm_pkt_result *res);
#endif
