/*
 * bpfvm — the Linux eBPF system in userspace.
 *
 * The public API. A struct bpfvm is one isolated "kernel": its own fd table,
 * id spaces, pin namespace, helper registry and CPU count. Everything a host
 * does goes through bpfvm_bpf(), which behaves like syscall(__NR_bpf, ...).
 * Programs can also be run directly (bpfvm_exec_*) without the command layer,
 * which is what the raw runner and the conformance plugin use.
 *
 * Nothing here prints, aborts or exits: errors are returned (-1 + errno for
 * bpfvm_bpf, negative errno elsewhere) with a message where one is useful.
 */
#ifndef BPFVM_H
#define BPFVM_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BPFVM_API __attribute__((visibility("default")))
#else
#define BPFVM_API
#endif

struct bpfvm;
struct bpfvm_run;
struct bpfvm_exec;

/* ---- the vm ------------------------------------------------------------ */

BPFVM_API struct bpfvm *bpfvm_new(void);
BPFVM_API void bpfvm_free(struct bpfvm *vm);

/* Number of simulated CPUs (per-CPU maps have one slot each). Default 2.
 * Only settable before the first map is created: returns -EBUSY after. */
BPFVM_API int bpfvm_set_ncpus(struct bpfvm *vm, unsigned int ncpus);
BPFVM_API unsigned int bpfvm_ncpus(const struct bpfvm *vm);
/* The CPU that programs run by the calling thread see (bpf_get_smp_processor_id,
 * per-CPU map slot). Thread-local; default 0. */
BPFVM_API int bpfvm_set_current_cpu(struct bpfvm *vm, unsigned int cpu);

/* Program statistics (run_cnt, run_time_ns in bpf_prog_info), off by
 * default as the kernel's kernel.bpf_stats_enabled. */
BPFVM_API void bpfvm_enable_stats(struct bpfvm *vm, int on);

/* Where bpf_trace_printk output goes. Default: stderr. */
typedef void (*bpfvm_trace_fn)(void *user, const char *line, size_t len);
BPFVM_API void bpfvm_set_trace_sink(struct bpfvm *vm, bpfvm_trace_fn fn, void *user);

/* ---- the bpf() command interface --------------------------------------- */

/* Like syscall(__NR_bpf, cmd, attr, size): the result, or -1 with errno set
 * to what Linux sets. */
BPFVM_API int bpfvm_bpf(struct bpfvm *vm, int cmd, union bpf_attr *attr, unsigned int size);
/* close(2) for the vm's fds. */
BPFVM_API int bpfvm_close(struct bpfvm *vm, int fd);

/* ---- the verifier's options --------------------------------------------- */

/* The v5.1 ABI has no prog_flags bits for these: they are set on the vm and
 * apply to its later BPF_PROG_LOADs. The default, 0, verifies as the kernel
 * does for root, and accepts loops whose every path provably ends, as Linux
 * 5.3+ (with its precision tracking). */
enum bpfvm_verifier_flags {
	/* Every back-edge is refused ("back-edge from insn X to Y"), as v5.1. */
	BPFVM_VERIFIER_STRICT_LOOPS = 1u << 0,
	/* The rules for a loader without CAP_SYS_ADMIN: no pointer leaks, no
	 * pointer subtraction, no BPF-to-BPF calls, no loops. */
	BPFVM_VERIFIER_UNPRIV = 1u << 1,
	/* Linux v5.1 exactly where later kernels changed (implies
	 * STRICT_LOOPS): only the v5.1 instruction set, no precision
	 * tracking, v5.1's limits (4096 insns, 131072 processed) and wording. */
	BPFVM_VERIFIER_V51 = 1u << 2,
};
BPFVM_API void bpfvm_verifier_set_flags(struct bpfvm *vm, uint32_t flags);

/* ---- instruction-set levels -------------------------------------------- */

enum bpfvm_isa {
	BPFVM_ISA_V51 = 0,      /* Linux v5.1: the seed */
	BPFVM_ISA_ATOMICS = 1,  /* + Linux 5.12 atomics (fetch ops, xchg, cmpxchg) */
	BPFVM_ISA_V4 = 2,       /* + cpu v4: sdiv/smod, movsx, ldsx, bswap, gotol */
};

/* ---- helpers ----------------------------------------------------------- */

/* A helper gets r1..r5 and the run it is called from; it returns r0. */
typedef uint64_t (*bpfvm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				     uint64_t r4, uint64_t r5, struct bpfvm_run *run);

/* Argument and return types, as the kernel's bpf_arg_type / bpf_return_type
 * of v5.1: the verifier checks calls against them. */
enum bpfvm_arg_type {
	BPFVM_ARG_DONTCARE = 0,
	BPFVM_ARG_CONST_MAP_PTR,
	BPFVM_ARG_PTR_TO_MAP_KEY,
	BPFVM_ARG_PTR_TO_MAP_VALUE,
	BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE,
	BPFVM_ARG_PTR_TO_MEM,
	BPFVM_ARG_PTR_TO_MEM_OR_NULL,
	BPFVM_ARG_PTR_TO_UNINIT_MEM,
	BPFVM_ARG_CONST_SIZE,
	BPFVM_ARG_CONST_SIZE_OR_ZERO,
	BPFVM_ARG_PTR_TO_CTX,
	BPFVM_ARG_ANYTHING,
	BPFVM_ARG_PTR_TO_SPIN_LOCK,
	BPFVM_ARG_PTR_TO_SOCK_COMMON,
	BPFVM_ARG_PTR_TO_SOCKET,
};

enum bpfvm_ret_type {
	BPFVM_RET_INTEGER = 0,
	BPFVM_RET_VOID,
	BPFVM_RET_PTR_TO_MAP_VALUE,
	BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL,
	BPFVM_RET_PTR_TO_SOCKET_OR_NULL,
	BPFVM_RET_PTR_TO_TCP_SOCK_OR_NULL,
	BPFVM_RET_PTR_TO_SOCK_COMMON_OR_NULL,
};

struct bpfvm_helper_proto {
	const char *name;               /* "map_lookup_elem" (no bpf_ prefix) */
	bpfvm_helper_fn fn;
	uint8_t ret_type;               /* enum bpfvm_ret_type */
	uint8_t arg_type[5];            /* enum bpfvm_arg_type, DONTCARE ends */
	uint8_t gpl_only;
	uint8_t pkt_access;             /* may be given packet pointers */
};

/* Registers (or replaces) helper `id` in this vm. ids above 1023 are -EINVAL. */
BPFVM_API int bpfvm_register_helper(struct bpfvm *vm, uint32_t id,
				    const struct bpfvm_helper_proto *proto);

/* From inside a helper: the vm, and the host pointer given to the run. */
BPFVM_API struct bpfvm *bpfvm_run_vm(const struct bpfvm_run *run);
BPFVM_API void *bpfvm_run_user(const struct bpfvm_run *run);
/* Tells a checked run that [ptr, ptr+len) may be accessed by the program
 * (a helper handing out memory). No effect on unchecked runs. */
BPFVM_API int bpfvm_run_add_region(struct bpfvm_run *run, const void *ptr, size_t len, int writable);

/* ---- direct execution --------------------------------------------------- */

enum bpfvm_exec_flags {
	/* Run without bounds checks. Only for programs proven safe (verified,
	 * or trusted by the host): a wrong program then corrupts the host. */
	BPFVM_EXEC_UNCHECKED = 1u << 0,
};

struct bpfvm_exec_opts {
	size_t sz;                      /* sizeof(struct bpfvm_exec_opts) */
	enum bpfvm_isa isa;             /* highest ISA level accepted */
	uint32_t flags;                 /* enum bpfvm_exec_flags */
	uint64_t insn_limit;            /* checked mode: stop after this many
					   jumps/calls (0: no limit) */
	void *user;                     /* returned by bpfvm_run_user() */
};

/* Validates insns structurally and prepares them to run. LD_IMM64 with a map
 * pseudo source is refused here (no command layer): load such programs with
 * BPF_PROG_LOAD. On error returns -EINVAL and writes one line to err naming
 * the instruction index. */
BPFVM_API int bpfvm_exec_new(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			     const struct bpfvm_exec_opts *opts, struct bpfvm_exec **out,
			     char *err, size_t errlen);
/* Runs with r1 = mem, r2 = len (mem may be NULL). Returns 0 and r0, or a
 * negative errno with a message in err (checked-mode fault, limit reached). */
BPFVM_API int bpfvm_exec_run(struct bpfvm_exec *e, void *mem, size_t len, uint64_t *r0,
			     char *err, size_t errlen);
BPFVM_API void bpfvm_exec_free(struct bpfvm_exec *e);

/* ---- disassembly -------------------------------------------------------- */

/* Formats instruction `i` of insns as llvm-objdump does for BPF (without the
 * address and bytes). Returns the number of slots it used (2 for LD_IMM64),
 * or 0 if it is not a valid instruction (then buf says so). */
BPFVM_API int bpfvm_disasm_insn(const struct bpf_insn *insns, size_t insn_cnt, size_t i,
				char *buf, size_t buflen);

/* ======================================================================== */
/* ---- host-side network model (packet programs) ------------------------- */
/* ======================================================================== */
/* What packet programs see of "the network namespace" of a vm: its devices,
 * its routing and neighbour tables (bpf_fib_lookup), and its sockets
 * (bpf_sk_lookup_tcp/udp). The loopback device, ifindex 1 (mtu 65536,
 * address 00:00:00:00:00:00, forwarding off), always exists; everything
 * else is what the host adds. Addresses are in network byte order. All
 * functions return 0 or a negative errno (-EINVAL bad argument, -EEXIST,
 * -ENOMEM, -ENOENT). */

struct bpfvm_net_dev {
	uint32_t ifindex;               /* > 1 */
	uint32_t mtu;                   /* 0: 1500 */
	uint8_t mac[6];
	uint8_t forwarding;             /* net.ipv4/ipv6.conf.DEV.forwarding (fib_lookup needs it) */
	uint8_t pad;
};
BPFVM_API int bpfvm_net_add_dev(struct bpfvm *vm, const struct bpfvm_net_dev *dev);

/* Route types (the kernel's RTN_* numbers). */
enum bpfvm_route_type {
	BPFVM_RTN_UNICAST = 1,
	BPFVM_RTN_LOCAL = 2,
	BPFVM_RTN_BLACKHOLE = 6,
	BPFVM_RTN_UNREACHABLE = 7,
	BPFVM_RTN_PROHIBIT = 8,
};

struct bpfvm_net_route {
	uint8_t family;                 /* AF_INET (2) or AF_INET6 (10) */
	uint8_t prefix_len;
	uint8_t type;                   /* enum bpfvm_route_type */
	uint8_t has_gateway;
	uint8_t dst[16];                /* the prefix (IPv4: first 4 bytes) */
	uint8_t gateway[16];
	uint32_t ifindex;               /* the output device (unicast routes) */
	uint32_t metric;                /* returned as rt_metric */
	uint32_t mtu;                   /* route mtu; 0: the device's */
};
BPFVM_API int bpfvm_net_add_route(struct bpfvm *vm, const struct bpfvm_net_route *route);

struct bpfvm_net_neigh {
	uint32_t ifindex;
	uint8_t family;                 /* AF_INET or AF_INET6 */
	uint8_t mac[6];
	uint8_t pad;
	uint8_t addr[16];
};
BPFVM_API int bpfvm_net_add_neigh(struct bpfvm *vm, const struct bpfvm_net_neigh *neigh);

/* A socket for bpf_sk_lookup_tcp/udp (and what programs then read of it
 * through struct bpf_sock / struct bpf_tcp_sock). A TCP socket in state
 * BPF_TCP_LISTEN matches by local address (any: all zero) and port; other
 * sockets match the 4-tuple, or (UDP, remote all zero) the local side. */
struct bpfvm_net_sock {
	uint32_t family;                /* AF_INET or AF_INET6 */
	uint32_t protocol;              /* IPPROTO_TCP (6) or IPPROTO_UDP (17) */
	uint32_t state;                 /* BPF_TCP_* (TCP); UDP: 7 (close) unless connected */
	uint32_t bound_dev_if, mark, priority;
	uint32_t uid;
	uint64_t cookie;                /* 0: one is made on first use */
	uint64_t cgroup_id;             /* 0: the root (1) */
	uint8_t local_addr[16];
	uint8_t remote_addr[16];
	uint16_t local_port;            /* host order */
	uint16_t remote_port;           /* host order */
};
BPFVM_API int bpfvm_net_add_sock(struct bpfvm *vm, const struct bpfvm_net_sock *sock);

/* Empties the vm's network model (devices, routes, neighbours, sockets);
 * bpfvm_free() does it too. */
BPFVM_API void bpfvm_net_clear(struct bpfvm *vm);

/* What the last packet test run (BPF_PROG_TEST_RUN) of the calling thread
 * on `vm` left besides its return value and packet: the redirect target of
 * bpf_redirect / bpf_redirect_map, the copies bpf_clone_redirect sent. */
struct bpfvm_pkt_result {
	uint32_t prog_type;
	uint32_t redirect_ifindex;      /* bpf_redirect(_map)'s target (0: none) */
	uint64_t redirect_flags;
	uint32_t clones;                /* bpf_clone_redirect copies sent */
};
/* -ENOENT if the thread ran no packet test run on vm. */
BPFVM_API int bpfvm_net_last_result(const struct bpfvm *vm, struct bpfvm_pkt_result *out);

/* An IPsec state the packet was received through (the kernel's sec_path,
 * what bpf_skb_get_xfrm_state reads). */
struct bpfvm_net_xfrm {
	uint32_t reqid;
	uint32_t spi;                   /* network byte order */
	uint16_t family;                /* AF_INET or AF_INET6 */
	uint8_t saddr[16];              /* remote address, network order (IPv4: first 4) */
};
/* The security path of every packet of the vm's later skb test runs: up to
 * 6 states (XFRM_MAX_DEPTH), -E2BIG beyond; n = 0 clears it. */
BPFVM_API int bpfvm_net_set_xfrm(struct bpfvm *vm, const struct bpfvm_net_xfrm *states, uint32_t n);

#ifdef __cplusplus
}
#endif
#endif
