/* The socket models. A socket keeps what programs may read in the UAPI
 * layout (struct bpf_sock, struct bpf_tcp_sock) as its canonical storage, so
 * socket pointers (PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK) and
 * the contexts of cgroup/sock programs need no rewrite. The other socket
 * contexts (sock_addr, sock_ops, sk_msg, sk_reuseport, cgroup device) are
 * kept in their UAPI layout too, after the model header. */
#ifndef BPFVM_PROGS_SOCK_H
#define BPFVM_PROGS_SOCK_H
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "interp/interp.h"
#include "progs/model.h"

#define BPFVM_AF_INET 2
#define BPFVM_AF_INET6 10
#define BPFVM_IPPROTO_TCP 6
#define BPFVM_IPPROTO_UDP 17

struct bpfvm_sock {
	uint32_t kind;                  /* BPFVM_MODEL_SOCK */
	uint32_t refs;                  /* references a run took (sk_lookup) and did not release */
	struct bpf_sock sk;             /* what programs read; cgroup/sock contexts point here */
	struct bpf_tcp_sock tcp;        /* bpf_tcp_sock() points here (TCP sockets) */
	uint64_t cookie;                /* sock_gen_cookie; 0: not yet generated */
	uint32_t uid;                   /* sk_uid */
	uint32_t classid;               /* net_cls classid of the socket's cgroup */
	uint64_t cgroup_id;             /* its cgroup v2 id (1: the root) */
	uint64_t cgroup_ancestors[8];   /* ids from the root (level 0) down to its own level */
	uint32_t cgroup_level;
	struct bpfvm_sock *next;        /* in the vm's socket table */
};

/* The models with UAPI contexts: r1 points at the `ctx` member. */
struct bpfvm_sock_addr {
	uint32_t kind;                  /* BPFVM_MODEL_SOCK_ADDR */
	uint32_t attach_type;
	struct bpfvm_sock *sk;
	struct bpf_sock_addr ctx;
};

struct bpfvm_sock_ops {
	uint32_t kind;                  /* BPFVM_MODEL_SOCK_OPS */
	uint32_t pad;
	struct bpfvm_sock *sk;
	struct bpf_sock_ops ctx;
};

struct bpfvm_sk_msg {
	uint32_t kind;                  /* BPFVM_MODEL_SK_MSG */
	uint32_t pad;
	struct bpfvm_sock *sk;
	struct sk_msg_md ctx;
};

struct bpfvm_reuseport {
	uint32_t kind;                  /* BPFVM_MODEL_REUSEPORT */
	uint32_t pad;
	struct sk_reuseport_md ctx;
};

struct bpfvm_cgroup_dev {
	uint32_t kind;                  /* BPFVM_MODEL_DEV */
	uint32_t pad;
	struct bpf_cgroup_dev_ctx ctx;
};

/* The socket of a v5.1 test run (a zeroed sock after sock_init_data(NULL)):
 * family 0, state TCP_CLOSE, uid 0, the root cgroup. */
void bpfvm_sock_init_dummy(struct bpfvm_sock *sk);
/* sk_fullsock: not TIME_WAIT or NEW_SYN_RECV. */
int bpfvm_sock_is_full(const struct bpfvm_sock *sk);
/* The socket whose bpf_sock view is `view`. */
static inline struct bpfvm_sock *bpfvm_sock_of(const void *view)
{
	return view ? (struct bpfvm_sock *)((uint8_t *)(uintptr_t)view - offsetof(struct bpfvm_sock, sk)) : NULL;
}
/* sock_gen_cookie: a socket's cookie, made on first use. */
uint64_t bpfvm_sock_cookie(struct bpfvm_sock *sk);
/* Checked runs: the program may read the socket's views. */
void bpfvm_sock_expose(struct bpfvm_run *run, struct bpfvm_sock *sk);
#endif
