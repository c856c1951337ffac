/* What every program-type model struct starts with, so that helpers shared
 * by several types (redirect, sk_lookup, fib_lookup, get_socket_cookie, ...)
 * can tell which model the running program's context is: run->model points
 * at a struct whose first member is a uint32_t kind. */
#ifndef BPFVM_PROGS_MODEL_H
#define BPFVM_PROGS_MODEL_H
#include <stdint.h>
#include "interp/interp.h"

enum bpfvm_model_kind {
	BPFVM_MODEL_NONE = 0,
	BPFVM_MODEL_SKB = 0x4d6b0001,   /* struct bpfvm_skb (skb.h) */
	BPFVM_MODEL_XDP,                /* struct bpfvm_xdp_buff (xdp.h) */
	BPFVM_MODEL_SOCK,               /* struct bpfvm_sock (sock.h): cgroup/sock, sockets */
	BPFVM_MODEL_SOCK_ADDR,          /* struct bpfvm_sock_addr */
	BPFVM_MODEL_SOCK_OPS,           /* struct bpfvm_sock_ops */
	BPFVM_MODEL_SK_MSG,             /* struct bpfvm_sk_msg */
	BPFVM_MODEL_REUSEPORT,          /* struct bpfvm_reuseport */
	BPFVM_MODEL_DEV,                /* struct bpfvm_cgroup_dev */
};

static inline uint32_t bpfvm_model_kind(const struct bpfvm_run *run)
{
	return run && run->model ? *(const uint32_t *)run->model : BPFVM_MODEL_NONE;
}

/* Checked runs: the region that starts at old_start (the packet buffer)
 * now is [start, start + len), or goes away (start NULL), so that pointers
 * into a buffer a helper freed fault instead of reading freed memory.
 * No effect on unchecked runs. */
int bpfvm_run_region_move(struct bpfvm_run *run, const void *old_start, const void *start, size_t len,
			  int writable);
#endif
