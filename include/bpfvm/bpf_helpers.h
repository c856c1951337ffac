/*
 * bpf_helpers.h — for programs compiled with `clang -O2 -g -target bpf`.
 *
 * bpfvm's own counterpart of libbpf's header of the same name, so that
 * programs written for libbpf compile unchanged against it: the SEC()
 * annotation, the BTF-defined map macros (__uint, __type, __array, __ulong),
 * enum libbpf_pin_type, the legacy struct bpf_map_def, bpf_printk(),
 * bpf_tail_call_static(), the utility macros programs lean on
 * (__always_inline, __noinline, __weak, __hidden, likely, unlikely,
 * offsetof, container_of, barrier, barrier_var, KERNEL_VERSION, NULL), and a
 * declaration of every helper of Linux v5.1, in call-number order (the
 * order of __BPF_FUNC_MAPPER in <bpfvm/uapi.h>; tests/unit/obj.c checks that
 * both lists agree), with libbpf's names and prototypes.
 *
 * Helpers that came after v5.1 (bpf_ringbuf_*, bpf_probe_read_kernel,
 * bpf_loop, ...) are not declared: a program that calls one fails to
 * compile, which is the earliest and plainest way to say that bpfvm's
 * v5.1 verifier would refuse it. For the same reason bpf_printk() takes at
 * most three arguments (more needs bpf_trace_vprintk, 5.16).
 *
 * It needs no other header: integer types are spelled out and context
 * structs are only declared, so it can be included before or after
 * <linux/bpf.h> (or <bpfvm/uapi.h>), which give the constants
 * (BPF_MAP_TYPE_*, XDP_*, BPF_F_*). Programs that write
 * `#include <bpf/bpf_helpers.h>` find this header through
 * `-I<bpfvm>/include/bpfvm/compat` (see compat/bpf/bpf_helpers.h).
 *
 * Define BPFVM_NO_BPF_MAP_DEF before including it if the program defines
 * its own struct bpf_map_def (libbpf 1.0 dropped it from this header).
 */
#ifndef BPFVM_BPF_HELPERS_H
#define BPFVM_BPF_HELPERS_H

/* Places a program, a map or a license string in an ELF section (the
 * pragmas keep `extern ... SEC(".maps")` from warning, as libbpf's). */
#if defined(__clang__)
#define SEC(name)                                                       \
	_Pragma("GCC diagnostic push")                                  \
	_Pragma("GCC diagnostic ignored \"-Wignored-attributes\"")      \
	__attribute__((section(name), used))                            \
	_Pragma("GCC diagnostic pop")
#else
#define SEC(name) __attribute__((section(name), used))
#endif

/* Calling a function that nothing declares compiles, in C, to a call of
 * an undefined symbol that no loader can resolve; with libbpf's header
 * that is how a helper newer than v5.1 would look here. Make it an error
 * at compile time instead. */
#if defined(__clang__)
#pragma clang diagnostic error "-Wimplicit-function-declaration"
#endif

#ifndef ___bpf_concat
#define ___bpf_concat(a, b) a ## b
#endif
#ifndef ___bpf_apply
#define ___bpf_apply(fn, n) ___bpf_concat(fn, n)
#endif
#ifndef ___bpf_nth
#define ___bpf_nth(_, _1, _2, _3, _4, _5, _6, _7, _8, _9, _a, _b, _c, N, ...) N
#endif
#ifndef ___bpf_narg
#define ___bpf_narg(...) ___bpf_nth(_, ##__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#endif

/* BTF-defined maps (the .maps section): the value of an integer attribute
 * is the element count of the array pointed to (__ulong: the value of an
 * enumerator, for values above INT_MAX); types are pointed to. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __array(name, val) __typeof__(val) *name[]
#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name

/* __uint(pinning, LIBBPF_PIN_BY_NAME): at load, the map pinned at
 * /sys/fs/bpf/NAME (in the vm's pin namespace) is reused if its type, sizes,
 * max_entries and flags match the definition (load fails if not), else the
 * map is created and pinned there, as libbpf does with its default
 * pin_root_path. Other values are refused, as libbpf refuses them. */
enum libbpf_pin_type {
	LIBBPF_PIN_NONE,
	LIBBPF_PIN_BY_NAME,
};

enum libbpf_tristate {
	TRI_NO = 0,
	TRI_YES = 1,
	TRI_MODULE = 2,
};

/* <linux/stddef.h> defines __always_inline as plain __inline__; libbpf
 * replaces it so that helpers taking packet pointers really are inlined,
 * and so does this header. */
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif
/* Externs (Kconfig values, kernel symbols) compile; the loader refuses
 * them (they came after v5.1). */
#ifndef __kconfig
#define __kconfig __attribute__((section(".kconfig")))
#endif
#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

#ifndef likely
#define likely(x) (__builtin_expect(!!(x), 1))
#endif
#ifndef unlikely
#define unlikely(x) (__builtin_expect(!!(x), 0))
#endif

#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef KERNEL_VERSION
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#endif

/* libbpf's own offsetof (and container_of on top of it). */
#undef offsetof
#define offsetof(type, member) ((unsigned long)&((type *)0)->member)
#undef container_of
#define container_of(ptr, type, member)                                 \
	({                                                              \
		void *__mptr = (void *)(ptr);                           \
		((type *)(__mptr - offsetof(type, member)));            \
	})

#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif
#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif
/* The BPF back end has no trap: a __bpf_unreachable() left in the code
 * after optimisation fails the build. */
#ifndef __bpf_unreachable
#define __bpf_unreachable() __builtin_trap()
#endif

/* Legacy map definitions (the "maps" section). */
#ifndef BPFVM_NO_BPF_MAP_DEF
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};
#endif

/* bpf_printk("fmt", args...): bpf_trace_printk with the format on the stack
 * (global data came with 5.2; the stack copy verifies on v5.1), at most
 * three arguments, as the helper takes. */
#define __bpf_printk(fmt, ...)                                          \
	({                                                              \
		char ____fmt[] = fmt;                                   \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__); \
	})
#define ___bpf_pick_printk(...)                                                                    \
	___bpf_nth(_, ##__VA_ARGS__, __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,  \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk_more_than_3_args_needs_bpf_trace_vprintk_5_16,                      \
		   __bpf_printk, __bpf_printk, __bpf_printk, __bpf_printk)
#define bpf_printk(fmt, ...) ___bpf_pick_printk(__VA_ARGS__)(fmt, ##__VA_ARGS__)

struct __sk_buff;
struct xdp_md;
struct pt_regs;
struct sockaddr;
struct sk_msg_md;
struct sk_reuseport_md;
struct bpf_sock;
struct bpf_tcp_sock;
struct bpf_sock_ops;
struct bpf_sock_addr;
struct bpf_sock_tuple;
struct bpf_tunnel_key;
struct bpf_xfrm_state;
struct bpf_fib_lookup;
struct bpf_spin_lock;
struct bpf_perf_event_data;
struct bpf_perf_event_value;

/* Helpers: name, call number, prototype as documented in v5.1's bpf.h. */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, unsigned long long flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static long (*bpf_probe_read)(void *dst, unsigned int size, const void *unsafe_ptr) = (void *)4;
static unsigned long long (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, unsigned int fmt_size, ...) = (void *)6;
static unsigned int (*bpf_get_prandom_u32)(void) = (void *)7;
static unsigned int (*bpf_get_smp_processor_id)(void) = (void *)8;
static long (*bpf_skb_store_bytes)(struct __sk_buff *skb, unsigned int offset, const void *from, unsigned int len, unsigned long long flags) = (void *)9;
static long (*bpf_l3_csum_replace)(struct __sk_buff *skb, unsigned int offset, unsigned long long from, unsigned long long to, unsigned long long size) = (void *)10;
static long (*bpf_l4_csum_replace)(struct __sk_buff *skb, unsigned int offset, unsigned long long from, unsigned long long to, unsigned long long flags) = (void *)11;
static long (*bpf_tail_call)(void *ctx, void *prog_array_map, unsigned int index) = (void *)12;
static long (*bpf_clone_redirect)(struct __sk_buff *skb, unsigned int ifindex, unsigned long long flags) = (void *)13;
static unsigned long long (*bpf_get_current_pid_tgid)(void) = (void *)14;
static unsigned long long (*bpf_get_current_uid_gid)(void) = (void *)15;
static long (*bpf_get_current_comm)(void *buf, unsigned int size_of_buf) = (void *)16;
static unsigned int (*bpf_get_cgroup_classid)(struct __sk_buff *skb) = (void *)17;
static long (*bpf_skb_vlan_push)(struct __sk_buff *skb, unsigned short vlan_proto, unsigned short vlan_tci) = (void *)18;
static long (*bpf_skb_vlan_pop)(struct __sk_buff *skb) = (void *)19;
static long (*bpf_skb_get_tunnel_key)(struct __sk_buff *skb, struct bpf_tunnel_key *key, unsigned int size, unsigned long long flags) = (void *)20;
static long (*bpf_skb_set_tunnel_key)(struct __sk_buff *skb, struct bpf_tunnel_key *key, unsigned int size, unsigned long long flags) = (void *)21;
static unsigned long long (*bpf_perf_event_read)(void *map, unsigned long long flags) = (void *)22;
static long (*bpf_redirect)(unsigned int ifindex, unsigned long long flags) = (void *)23;
static unsigned int (*bpf_get_route_realm)(struct __sk_buff *skb) = (void *)24;
static long (*bpf_perf_event_output)(void *ctx, void *map, unsigned long long flags, void *data, unsigned long long size) = (void *)25;
static long (*bpf_skb_load_bytes)(const void *skb, unsigned int offset, void *to, unsigned int len) = (void *)26;
static long (*bpf_get_stackid)(void *ctx, void *map, unsigned long long flags) = (void *)27;
static long long (*bpf_csum_diff)(unsigned int *from, unsigned int from_size, unsigned int *to, unsigned int to_size, unsigned int seed) = (void *)28;
static long (*bpf_skb_get_tunnel_opt)(struct __sk_buff *skb, void *opt, unsigned int size) = (void *)29;
static long (*bpf_skb_set_tunnel_opt)(struct __sk_buff *skb, void *opt, unsigned int size) = (void *)30;
static long (*bpf_skb_change_proto)(struct __sk_buff *skb, unsigned short proto, unsigned long long flags) = (void *)31;
static long (*bpf_skb_change_type)(struct __sk_buff *skb, unsigned int type) = (void *)32;
static long (*bpf_skb_under_cgroup)(struct __sk_buff *skb, void *map, unsigned int index) = (void *)33;
static unsigned int (*bpf_get_hash_recalc)(struct __sk_buff *skb) = (void *)34;
static unsigned long long (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_write_user)(void *dst, const void *src, unsigned int len) = (void *)36;
static long (*bpf_current_task_under_cgroup)(void *map, unsigned int index) = (void *)37;
static long (*bpf_skb_change_tail)(struct __sk_buff *skb, unsigned int len, unsigned long long flags) = (void *)38;
static long (*bpf_skb_pull_data)(struct __sk_buff *skb, unsigned int len) = (void *)39;
static long long (*bpf_csum_update)(struct __sk_buff *skb, unsigned int csum) = (void *)40;
static void (*bpf_set_hash_invalid)(struct __sk_buff *skb) = (void *)41;
static long (*bpf_get_numa_node_id)(void) = (void *)42;
static long (*bpf_skb_change_head)(struct __sk_buff *skb, unsigned int len, unsigned long long flags) = (void *)43;
static long (*bpf_xdp_adjust_head)(struct xdp_md *xdp_md, int delta) = (void *)44;
static long (*bpf_probe_read_str)(void *dst, unsigned int size, const void *unsafe_ptr) = (void *)45;
static unsigned long long (*bpf_get_socket_cookie)(void *ctx) = (void *)46;
static unsigned int (*bpf_get_socket_uid)(struct __sk_buff *skb) = (void *)47;
static long (*bpf_set_hash)(struct __sk_buff *skb, unsigned int hash) = (void *)48;
static long (*bpf_setsockopt)(void *bpf_socket, int level, int optname, void *optval, int optlen) = (void *)49;
static long (*bpf_skb_adjust_room)(struct __sk_buff *skb, int len_diff, unsigned int mode, unsigned long long flags) = (void *)50;
static long (*bpf_redirect_map)(void *map, unsigned long long key, unsigned long long flags) = (void *)51;
static long (*bpf_sk_redirect_map)(struct __sk_buff *skb, void *map, unsigned int key, unsigned long long flags) = (void *)52;
static long (*bpf_sock_map_update)(struct bpf_sock_ops *skops, void *map, void *key, unsigned long long flags) = (void *)53;
static long (*bpf_xdp_adjust_meta)(struct xdp_md *xdp_md, int delta) = (void *)54;
static long (*bpf_perf_event_read_value)(void *map, unsigned long long flags, struct bpf_perf_event_value *buf, unsigned int buf_size) = (void *)55;
static long (*bpf_perf_prog_read_value)(struct bpf_perf_event_data *ctx, struct bpf_perf_event_value *buf, unsigned int buf_size) = (void *)56;
static long (*bpf_getsockopt)(void *bpf_socket, int level, int optname, void *optval, int optlen) = (void *)57;
static long (*bpf_override_return)(struct pt_regs *regs, unsigned long long rc) = (void *)58;
static long (*bpf_sock_ops_cb_flags_set)(struct bpf_sock_ops *bpf_sock, int argval) = (void *)59;
static long (*bpf_msg_redirect_map)(struct sk_msg_md *msg, void *map, unsigned int key, unsigned long long flags) = (void *)60;
static long (*bpf_msg_apply_bytes)(struct sk_msg_md *msg, unsigned int bytes) = (void *)61;
static long (*bpf_msg_cork_bytes)(struct sk_msg_md *msg, unsigned int bytes) = (void *)62;
static long (*bpf_msg_pull_data)(struct sk_msg_md *msg, unsigned int start, unsigned int end, unsigned long long flags) = (void *)63;
static long (*bpf_bind)(struct bpf_sock_addr *ctx, struct sockaddr *addr, int addr_len) = (void *)64;
static long (*bpf_xdp_adjust_tail)(struct xdp_md *xdp_md, int delta) = (void *)65;
static long (*bpf_skb_get_xfrm_state)(struct __sk_buff *skb, unsigned int index, struct bpf_xfrm_state *xfrm_state, unsigned int size, unsigned long long flags) = (void *)66;
static long (*bpf_get_stack)(void *ctx, void *buf, unsigned int size, unsigned long long flags) = (void *)67;
static long (*bpf_skb_load_bytes_relative)(const void *skb, unsigned int offset, void *to, unsigned int len, unsigned int start_header) = (void *)68;
static long (*bpf_fib_lookup)(void *ctx, struct bpf_fib_lookup *params, int plen, unsigned int flags) = (void *)69;
static long (*bpf_sock_hash_update)(struct bpf_sock_ops *skops, void *map, void *key, unsigned long long flags) = (void *)70;
static long (*bpf_msg_redirect_hash)(struct sk_msg_md *msg, void *map, void *key, unsigned long long flags) = (void *)71;
static long (*bpf_sk_redirect_hash)(struct __sk_buff *skb, void *map, void *key, unsigned long long flags) = (void *)72;
static long (*bpf_lwt_push_encap)(struct __sk_buff *skb, unsigned int type, void *hdr, unsigned int len) = (void *)73;
static long (*bpf_lwt_seg6_store_bytes)(struct __sk_buff *skb, unsigned int offset, const void *from, unsigned int len) = (void *)74;
static long (*bpf_lwt_seg6_adjust_srh)(struct __sk_buff *skb, unsigned int offset, int delta) = (void *)75;
static long (*bpf_lwt_seg6_action)(struct __sk_buff *skb, unsigned int action, void *param, unsigned int param_len) = (void *)76;
static long (*bpf_rc_repeat)(void *ctx) = (void *)77;
static long (*bpf_rc_keydown)(void *ctx, unsigned int protocol, unsigned long long scancode, unsigned int toggle) = (void *)78;
static unsigned long long (*bpf_skb_cgroup_id)(struct __sk_buff *skb) = (void *)79;
static unsigned long long (*bpf_get_current_cgroup_id)(void) = (void *)80;
static void *(*bpf_get_local_storage)(void *map, unsigned long long flags) = (void *)81;
static long (*bpf_sk_select_reuseport)(struct sk_reuseport_md *reuse, void *map, void *key, unsigned long long flags) = (void *)82;
static unsigned long long (*bpf_skb_ancestor_cgroup_id)(struct __sk_buff *skb, int ancestor_level) = (void *)83;
static struct bpf_sock *(*bpf_sk_lookup_tcp)(void *ctx, struct bpf_sock_tuple *tuple, unsigned int tuple_size, unsigned long long netns, unsigned long long flags) = (void *)84;
static struct bpf_sock *(*bpf_sk_lookup_udp)(void *ctx, struct bpf_sock_tuple *tuple, unsigned int tuple_size, unsigned long long netns, unsigned long long flags) = (void *)85;
static long (*bpf_sk_release)(void *sock) = (void *)86;
static long (*bpf_map_push_elem)(void *map, const void *value, unsigned long long flags) = (void *)87;
static long (*bpf_map_pop_elem)(void *map, void *value) = (void *)88;
static long (*bpf_map_peek_elem)(void *map, void *value) = (void *)89;
static long (*bpf_msg_push_data)(struct sk_msg_md *msg, unsigned int start, unsigned int len, unsigned long long flags) = (void *)90;
static long (*bpf_msg_pop_data)(struct sk_msg_md *msg, unsigned int start, unsigned int len, unsigned long long flags) = (void *)91;
static long (*bpf_rc_pointer_rel)(void *ctx, int rel_x, int rel_y) = (void *)92;
static long (*bpf_spin_lock)(struct bpf_spin_lock *lock) = (void *)93;
static long (*bpf_spin_unlock)(struct bpf_spin_lock *lock) = (void *)94;
static struct bpf_sock *(*bpf_sk_fullsock)(struct bpf_sock *sk) = (void *)95;
static struct bpf_tcp_sock *(*bpf_tcp_sock)(struct bpf_sock *sk) = (void *)96;
static long (*bpf_skb_ecn_set_ce)(struct __sk_buff *skb) = (void *)97;

/* A tail call with a constant slot, the map and the index in r2 and r3
 * on every path to the one call instruction (libbpf's). */
#if defined(__clang__) && defined(__bpf__)
static __always_inline void bpf_tail_call_static(void *ctx, const void *map, const unsigned int slot)
{
	if (!__builtin_constant_p(slot))
		__bpf_unreachable();
	asm volatile("r1 = %[ctx]\n\t"
		     "r2 = %[map]\n\t"
		     "r3 = %[slot]\n\t"
		     "call 12"
		     :: [ctx]"r"(ctx), [map]"r"(map), [slot]"i"(slot)
		     : "r0", "r1", "r2", "r3", "r4", "r5");
}
#endif

#endif
