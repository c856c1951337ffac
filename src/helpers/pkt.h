/* What the packet helper families share: finding the running program's
 * model, checksum arithmetic (helpers/csum.c), and the list of helpers that
 * change packet data (for the verifier). */
#ifndef BPFVM_HELPERS_PKT_H
#define BPFVM_HELPERS_PKT_H
#include <stddef.h>
#include <stdint.h>
#include "helpers/builtin.h"
#include "interp/interp.h"
#include "progs/skb.h"
#include "progs/sock.h"
#include "progs/xdp.h"
#include "core/kerrno.h"

#define RET(e) ((uint64_t)(int64_t)(e))
#define PTR(r) ((void *)(uintptr_t)(r))
#define A(x) BPFVM_ARG_##x

/* The running program's skb / xdp model, or NULL when the run has another
 * context (a helper called where the verifier would not allow it, from a
 * checked run; the helper then fails with -EINVAL). */
static inline struct bpfvm_skb *pkt_skb(struct bpfvm_run *run)
{
	return bpfvm_model_kind(run) == BPFVM_MODEL_SKB ? (struct bpfvm_skb *)run->model : NULL;
}
static inline struct bpfvm_xdp_buff *pkt_xdp(struct bpfvm_run *run)
{
	return bpfvm_model_kind(run) == BPFVM_MODEL_XDP ? (struct bpfvm_xdp_buff *)run->model : NULL;
}

static inline uint16_t pkt_htons(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}
#define ETH_P_IP_BE 0x0008              /* htons(ETH_P_IP) as stored */
#define ETH_P_IPV6_BE 0xdd86            /* htons(ETH_P_IPV6) */
#define ETH_P_8021Q_BE 0x0081
#define ETH_P_8021AD_BE 0xa888

/* ---- checksums (the kernel's generic definitions; x86-64 values) ---- */

/* csum_partial: the 32-bit ones'-complement sum of the bytes as
 * little-endian words (a short tail zero-padded), with seed; 0 only when
 * everything summed is zero, as the kernel's end-around-carry sum. */
uint32_t bpfvm_csum_partial(const void *p, size_t len, uint32_t seed);
static inline uint32_t bpfvm_csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;
	return r + (r < b);
}
static inline uint32_t bpfvm_csum_sub(uint32_t a, uint32_t b)
{
	return bpfvm_csum_add(a, ~b);
}
static inline uint16_t bpfvm_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
/* skb->csum upkeep when bytes are pulled or pushed (CHECKSUM_COMPLETE). */
void bpfvm_skb_postpull_rcsum(struct bpfvm_skb *skb, const void *start, uint32_t len, uint32_t off);
void bpfvm_skb_postpush_rcsum(struct bpfvm_skb *skb, const void *start, uint32_t len, uint32_t off);
/* ip_fast_csum: the IPv4 header checksum over ihl words. */
uint16_t bpfvm_ip_fast_csum(const void *iph, uint32_t ihl);

/* bpf_try_make_writable of a linear skb: the first len bytes exist. */
static inline int pkt_may_pull(const struct bpfvm_skb *skb, uint64_t len)
{
	return len <= skb->len;
}

/* bpf_skb_net_hdr_push / _pop (helpers/skb.c): len zeroed bytes inserted
 * at (removed from) `off` bytes past data, the bytes before moving; the MAC
 * and network header offsets move with them. 0, -ENOMEM. */
int bpfvm_skb_net_hdr_push(struct bpfvm_skb *skb, uint32_t off, uint32_t len);
int bpfvm_skb_net_hdr_pop(struct bpfvm_skb *skb, uint32_t off, uint32_t len);

/* bpf_helper_changes_pkt_data of v5.1, by helper id: after a call to one
 * of these, the verifier forgets every packet pointer. */
int bpfvm_helper_changes_pkt_data(uint32_t id);

/* For other families (perf_event_output of skb / xdp programs with
 * BPF_F_CTXLEN_MASK): copies `len` bytes from the start of the running
 * program's packet (skb->data / xdp->data); -EFAULT when the packet is
 * shorter, -EINVAL without a packet model. */
int bpfvm_pkt_copy_ctx(struct bpfvm_run *run, void *buf, uint64_t len);
#endif
