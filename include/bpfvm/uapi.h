/*
 * bpfvm/uapi.h - the eBPF user ABI of Linux v5.1, for bpfvm and its users.
 *
 * Every enum, constant, flag, struct and union that Linux v5.1 declares in
 * <linux/bpf.h>, and the classic-BPF field macros of <linux/bpf_common.h>,
 * with the same names, values and memory layout (that is the ABI; the text
 * and comments here are our own). Code written against <linux/bpf.h> of
 * v5.1 compiles against this header unchanged. It needs only <stdint.h>, so
 * it also works on hosts that have no Linux headers; struct fields use the
 * <stdint.h> types of the same width and signedness as the kernel's __u32,
 * __s16, __be16, ... types.
 *
 * Living together with the system's <linux/bpf.h> (any version >= v5.1):
 *
 *  - <linux/bpf.h> included first: it already declares all of the v5.1 set
 *    below with the same values (later kernels only add), so this header
 *    skips that set and only adds the "beyond v5.1" section at the end, whose
 *    macros are each #ifndef-guarded. An older (< v5.1) <linux/bpf.h> is an
 *    error, because the v5.1 set could then not be completed.
 *
 *  - this header included first: it defines the include guards of
 *    <linux/bpf.h> (__LINUX_BPF_H__ and the kernel tree's _UAPI__LINUX_BPF_H__)
 *    and of <linux/bpf_common.h> (__LINUX_BPF_COMMON_H__,
 *    _UAPI__LINUX_BPF_COMMON_H__), so that a later #include <linux/bpf.h> or
 *    <linux/bpf_common.h> (e.g. from <linux/filter.h>) is a no-op and the
 *    definitions here stay the only ones: names that only newer kernels have
 *    are then not available.
 *
 * The classic-BPF part is skipped on its own when <linux/bpf_common.h> was
 * included first (e.g. through <linux/filter.h>).
 */
#ifndef BPFVM_UAPI_H
#define BPFVM_UAPI_H

#if defined(__bpf__) && !defined(__STDC_HOSTED__)
#include <stdint.h>
#elif defined(__bpf__)
/* BPF programs (clang -target bpf) have no C library: the host's <stdint.h>
 * would pull in glibc headers that do not exist for that target. C11 allows
 * repeating an identical typedef, so a later <stdint.h> still works. */
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
#else
#include <stdint.h>
#endif

/* ------------------------------------------------------------------------ */
/* Classic BPF instruction fields (linux/bpf_common.h)                       */
/* ------------------------------------------------------------------------ */
#if !defined(__LINUX_BPF_COMMON_H__) && !defined(_UAPI__LINUX_BPF_COMMON_H__)
#define __LINUX_BPF_COMMON_H__
#define _UAPI__LINUX_BPF_COMMON_H__

/* instruction class: low 3 bits of the opcode */
#define BPF_CLASS(code) ((code) & 0x07)
#define		BPF_LD		0x00
#define		BPF_LDX		0x01
#define		BPF_ST		0x02
#define		BPF_STX		0x03
#define		BPF_ALU		0x04
#define		BPF_JMP		0x05
#define		BPF_RET		0x06
#define		BPF_MISC	0x07

/* load/store: operand size */
#define BPF_SIZE(code)  ((code) & 0x18)
#define		BPF_W		0x00
#define		BPF_H		0x08
#define		BPF_B		0x10

/* load/store: addressing mode */
#define BPF_MODE(code)  ((code) & 0xe0)
#define		BPF_IMM		0x00
#define		BPF_ABS		0x20
#define		BPF_IND		0x40
#define		BPF_MEM		0x60
#define		BPF_LEN		0x80
#define		BPF_MSH		0xa0

/* alu and jump: operation */
#define BPF_OP(code)    ((code) & 0xf0)
#define		BPF_ADD		0x00
#define		BPF_SUB		0x10
#define		BPF_MUL		0x20
#define		BPF_DIV		0x30
#define		BPF_OR		0x40
#define		BPF_AND		0x50
#define		BPF_LSH		0x60
#define		BPF_RSH		0x70
#define		BPF_NEG		0x80
#define		BPF_MOD		0x90
#define		BPF_XOR		0xa0

#define		BPF_JA		0x00
#define		BPF_JEQ		0x10
#define		BPF_JGT		0x20
#define		BPF_JGE		0x30
#define		BPF_JSET	0x40

/* alu and jump: source operand, immediate (K) or register (X) */
#define BPF_SRC(code)   ((code) & 0x08)
#define		BPF_K		0x00
#define		BPF_X		0x08

#ifndef BPF_MAXINSNS
#define BPF_MAXINSNS 4096
#endif

#endif /* classic BPF */

/* ------------------------------------------------------------------------ */
/* eBPF (linux/bpf.h, v5.1)                                                  */
/* ------------------------------------------------------------------------ */
#if defined(__LINUX_BPF_H__) || defined(_UAPI__LINUX_BPF_H__)

/* The system's <linux/bpf.h> came first and provides the v5.1 set. BPF_JMP32
 * is new in v5.1 and still a macro today: without it the header is older. */
#ifndef BPF_JMP32
#error "<linux/bpf.h> older than Linux v5.1 was included before <bpfvm/uapi.h>"
#endif

#else /* our own v5.1 definitions */

#define __LINUX_BPF_H__
#define _UAPI__LINUX_BPF_H__

/* A 64-bit field that is 8-byte aligned on every architecture. */
#define BPFVM__ALIGNED_U64 uint64_t __attribute__((aligned(8)))

/* eBPF instruction classes added to the classic ones */
#define BPF_JMP32	0x06
#define BPF_ALU64	0x07

/* eBPF load/store size and mode */
#define BPF_DW		0x18
#define BPF_XADD	0xc0

/* eBPF alu operations */
#define BPF_MOV		0xb0
#define BPF_ARSH	0xc0

/* byte swap: BPF_ALU | BPF_END | BPF_TO_LE/BE */
#define BPF_END		0xd0
#define BPF_TO_LE	0x00
#define BPF_TO_BE	0x08
#define BPF_FROM_LE	BPF_TO_LE
#define BPF_FROM_BE	BPF_TO_BE

/* eBPF jump operations */
#define BPF_JNE		0x50
#define BPF_JLT		0xa0
#define BPF_JLE		0xb0
#define BPF_JSGT	0x60
#define BPF_JSGE	0x70
#define BPF_JSLT	0xc0
#define BPF_JSLE	0xd0
#define BPF_CALL	0x80
#define BPF_EXIT	0x90

/* registers: r0..r9 general purpose, r10 read-only frame pointer */
enum {
	BPF_REG_0 = 0,
	BPF_REG_1,
	BPF_REG_2,
	BPF_REG_3,
	BPF_REG_4,
	BPF_REG_5,
	BPF_REG_6,
	BPF_REG_7,
	BPF_REG_8,
	BPF_REG_9,
	BPF_REG_10,
	__MAX_BPF_REG,
};

#define MAX_BPF_REG	__MAX_BPF_REG

/* one 8-byte instruction; BPF_LD | BPF_IMM | BPF_DW takes two */
struct bpf_insn {
	uint8_t code;
	__extension__ uint8_t dst_reg:4;
	__extension__ uint8_t src_reg:4;
	int16_t off;
	int32_t imm;
};

/* key of BPF_MAP_TYPE_LPM_TRIE: prefix length in bits, then the data */
struct bpf_lpm_trie_key {
	uint32_t prefixlen;
	__extension__ uint8_t data[0];
};

/* key of the cgroup storage maps */
struct bpf_cgroup_storage_key {
	uint64_t cgroup_inode_id;
	uint32_t attach_type;
};

/* bpf(2) commands */
enum bpf_cmd {
	BPF_MAP_CREATE,
	BPF_MAP_LOOKUP_ELEM,
	BPF_MAP_UPDATE_ELEM,
	BPF_MAP_DELETE_ELEM,
	BPF_MAP_GET_NEXT_KEY,
	BPF_PROG_LOAD,
	BPF_OBJ_PIN,
	BPF_OBJ_GET,
	BPF_PROG_ATTACH,
	BPF_PROG_DETACH,
	BPF_PROG_TEST_RUN,
	BPF_PROG_GET_NEXT_ID,
	BPF_MAP_GET_NEXT_ID,
	BPF_PROG_GET_FD_BY_ID,
	BPF_MAP_GET_FD_BY_ID,
	BPF_OBJ_GET_INFO_BY_FD,
	BPF_PROG_QUERY,
	BPF_RAW_TRACEPOINT_OPEN,
	BPF_BTF_LOAD,
	BPF_BTF_GET_FD_BY_ID,
	BPF_TASK_FD_QUERY,
	BPF_MAP_LOOKUP_AND_DELETE_ELEM,
};

/* map types */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC,
	BPF_MAP_TYPE_HASH,
	BPF_MAP_TYPE_ARRAY,
	BPF_MAP_TYPE_PROG_ARRAY,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	BPF_MAP_TYPE_PERCPU_HASH,
	BPF_MAP_TYPE_PERCPU_ARRAY,
	BPF_MAP_TYPE_STACK_TRACE,
	BPF_MAP_TYPE_CGROUP_ARRAY,
	BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH,
	BPF_MAP_TYPE_LPM_TRIE,
	BPF_MAP_TYPE_ARRAY_OF_MAPS,
	BPF_MAP_TYPE_HASH_OF_MAPS,
	BPF_MAP_TYPE_DEVMAP,
	BPF_MAP_TYPE_SOCKMAP,
	BPF_MAP_TYPE_CPUMAP,
	BPF_MAP_TYPE_XSKMAP,
	BPF_MAP_TYPE_SOCKHASH,
	BPF_MAP_TYPE_CGROUP_STORAGE,
	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE,
	BPF_MAP_TYPE_QUEUE,
	BPF_MAP_TYPE_STACK,
};

/* program types */
enum bpf_prog_type {
	BPF_PROG_TYPE_UNSPEC,
	BPF_PROG_TYPE_SOCKET_FILTER,
	BPF_PROG_TYPE_KPROBE,
	BPF_PROG_TYPE_SCHED_CLS,
	BPF_PROG_TYPE_SCHED_ACT,
	BPF_PROG_TYPE_TRACEPOINT,
	BPF_PROG_TYPE_XDP,
	BPF_PROG_TYPE_PERF_EVENT,
	BPF_PROG_TYPE_CGROUP_SKB,
	BPF_PROG_TYPE_CGROUP_SOCK,
	BPF_PROG_TYPE_LWT_IN,
	BPF_PROG_TYPE_LWT_OUT,
	BPF_PROG_TYPE_LWT_XMIT,
	BPF_PROG_TYPE_SOCK_OPS,
	BPF_PROG_TYPE_SK_SKB,
	BPF_PROG_TYPE_CGROUP_DEVICE,
	BPF_PROG_TYPE_SK_MSG,
	BPF_PROG_TYPE_RAW_TRACEPOINT,
	BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	BPF_PROG_TYPE_LWT_SEG6LOCAL,
	BPF_PROG_TYPE_LIRC_MODE2,
	BPF_PROG_TYPE_SK_REUSEPORT,
	BPF_PROG_TYPE_FLOW_DISSECTOR,
};

/* attach points (BPF_PROG_ATTACH, expected_attach_type) */
enum bpf_attach_type {
	BPF_CGROUP_INET_INGRESS,
	BPF_CGROUP_INET_EGRESS,
	BPF_CGROUP_INET_SOCK_CREATE,
	BPF_CGROUP_SOCK_OPS,
	BPF_SK_SKB_STREAM_PARSER,
	BPF_SK_SKB_STREAM_VERDICT,
	BPF_CGROUP_DEVICE,
	BPF_SK_MSG_VERDICT,
	BPF_CGROUP_INET4_BIND,
	BPF_CGROUP_INET6_BIND,
	BPF_CGROUP_INET4_CONNECT,
	BPF_CGROUP_INET6_CONNECT,
	BPF_CGROUP_INET4_POST_BIND,
	BPF_CGROUP_INET6_POST_BIND,
	BPF_CGROUP_UDP4_SENDMSG,
	BPF_CGROUP_UDP6_SENDMSG,
	BPF_LIRC_MODE2,
	BPF_FLOW_DISSECTOR,
	__MAX_BPF_ATTACH_TYPE
};

#define MAX_BPF_ATTACH_TYPE __MAX_BPF_ATTACH_TYPE

/* BPF_PROG_ATTACH flags (cgroups) */
#define BPF_F_ALLOW_OVERRIDE	(1U << 0)
#define BPF_F_ALLOW_MULTI	(1U << 1)

/* BPF_PROG_LOAD prog_flags */
#define BPF_F_STRICT_ALIGNMENT	(1U << 0)
#define BPF_F_ANY_ALIGNMENT	(1U << 1)

/* src_reg of ld_imm64: imm is a map fd */
#define BPF_PSEUDO_MAP_FD	1

/* src_reg of call: imm is the pc-relative offset of a bpf function */
#define BPF_PSEUDO_CALL		1

/* BPF_MAP_UPDATE_ELEM / lookup flags */
#define BPF_ANY		0
#define BPF_NOEXIST	1
#define BPF_EXIST	2
#define BPF_F_LOCK	4

/* BPF_MAP_CREATE map_flags */
#define BPF_F_NO_PREALLOC	(1U << 0)
#define BPF_F_NO_COMMON_LRU	(1U << 1)
#define BPF_F_NUMA_NODE		(1U << 2)

/* length of map_name / prog_name, including the NUL */
#define BPF_OBJ_NAME_LEN 16U

/* access flags of map fds (map_flags, file_flags, open_flags) */
#define BPF_F_RDONLY		(1U << 3)
#define BPF_F_WRONLY		(1U << 4)

/* stack trace maps: store build id + offset */
#define BPF_F_STACK_BUILD_ID	(1U << 5)

/* hash maps: zero hash seed (tests only) */
#define BPF_F_ZERO_SEED		(1U << 6)

/* BPF_PROG_QUERY query_flags */
#define BPF_F_QUERY_EFFECTIVE	(1U << 0)

/* status of a bpf_stack_build_id entry */
enum bpf_stack_build_id_status {
	BPF_STACK_BUILD_ID_EMPTY = 0,
	BPF_STACK_BUILD_ID_VALID = 1,
	BPF_STACK_BUILD_ID_IP = 2,
};

#define BPF_BUILD_ID_SIZE 20
/* one frame of a BPF_F_STACK_BUILD_ID stack trace */
struct bpf_stack_build_id {
	int32_t status;
	unsigned char build_id[BPF_BUILD_ID_SIZE];
	union {
		uint64_t offset;
		uint64_t ip;
	};
};

/* bpf(2) argument: one member per command */
union bpf_attr {
	struct { /* BPF_MAP_CREATE */
		uint32_t map_type;
		uint32_t key_size;
		uint32_t value_size;
		uint32_t max_entries;
		uint32_t map_flags;
		uint32_t inner_map_fd;
		uint32_t numa_node;
		char map_name[BPF_OBJ_NAME_LEN];
		uint32_t map_ifindex;
		uint32_t btf_fd;
		uint32_t btf_key_type_id;
		uint32_t btf_value_type_id;
	};

	struct { /* BPF_MAP_*_ELEM, BPF_MAP_GET_NEXT_KEY */
		uint32_t map_fd;
		BPFVM__ALIGNED_U64 key;
		union {
			BPFVM__ALIGNED_U64 value;
			BPFVM__ALIGNED_U64 next_key;
		};
		uint64_t flags;
	};

	struct { /* BPF_PROG_LOAD */
		uint32_t prog_type;
		uint32_t insn_cnt;
		BPFVM__ALIGNED_U64 insns;
		BPFVM__ALIGNED_U64 license;
		uint32_t log_level;
		uint32_t log_size;
		BPFVM__ALIGNED_U64 log_buf;
		uint32_t kern_version;
		uint32_t prog_flags;
		char prog_name[BPF_OBJ_NAME_LEN];
		uint32_t prog_ifindex;
		uint32_t expected_attach_type;
		uint32_t prog_btf_fd;
		uint32_t func_info_rec_size;
		BPFVM__ALIGNED_U64 func_info;
		uint32_t func_info_cnt;
		uint32_t line_info_rec_size;
		BPFVM__ALIGNED_U64 line_info;
		uint32_t line_info_cnt;
	};

	struct { /* BPF_OBJ_PIN, BPF_OBJ_GET */
		BPFVM__ALIGNED_U64 pathname;
		uint32_t bpf_fd;
		uint32_t file_flags;
	};

	struct { /* BPF_PROG_ATTACH, BPF_PROG_DETACH */
		uint32_t target_fd;
		uint32_t attach_bpf_fd;
		uint32_t attach_type;
		uint32_t attach_flags;
	};

	struct { /* BPF_PROG_TEST_RUN */
		uint32_t prog_fd;
		uint32_t retval;
		uint32_t data_size_in;
		uint32_t data_size_out;
		BPFVM__ALIGNED_U64 data_in;
		BPFVM__ALIGNED_U64 data_out;
		uint32_t repeat;
		uint32_t duration;
		/* Beyond v5.1 (Linux 5.2): the context in and out, for program
		 * types whose test run takes one (__sk_buff of skb types). */
		uint32_t ctx_size_in;		/* input: bytes of ctx_in */
		uint32_t ctx_size_out;		/* input/output: bytes of ctx_out;
						 * ENOSPC if ctx_out is too small */
		BPFVM__ALIGNED_U64 ctx_in;
		BPFVM__ALIGNED_U64 ctx_out;
	} test;

	struct { /* BPF_*_GET_NEXT_ID, BPF_*_GET_FD_BY_ID */
		union {
			uint32_t start_id;
			uint32_t prog_id;
			uint32_t map_id;
			uint32_t btf_id;
		};
		uint32_t next_id;
		uint32_t open_flags;
	};

	struct { /* BPF_OBJ_GET_INFO_BY_FD */
		uint32_t bpf_fd;
		uint32_t info_len;
		BPFVM__ALIGNED_U64 info;
	} info;

	struct { /* BPF_PROG_QUERY */
		uint32_t target_fd;
		uint32_t attach_type;
		uint32_t query_flags;
		uint32_t attach_flags;
		BPFVM__ALIGNED_U64 prog_ids;
		uint32_t prog_cnt;
	} query;

	struct { /* BPF_RAW_TRACEPOINT_OPEN */
		uint64_t name;
		uint32_t prog_fd;
	} raw_tracepoint;

	struct { /* BPF_BTF_LOAD */
		BPFVM__ALIGNED_U64 btf;
		BPFVM__ALIGNED_U64 btf_log_buf;
		uint32_t btf_size;
		uint32_t btf_log_size;
		uint32_t btf_log_level;
	};

	struct { /* BPF_TASK_FD_QUERY */
		uint32_t pid;
		uint32_t fd;
		uint32_t flags;
		uint32_t buf_len;
		BPFVM__ALIGNED_U64 buf;
		uint32_t prog_id;
		uint32_t fd_type;
		uint64_t probe_offset;
		uint64_t probe_addr;
	} task_fd_query;
} __attribute__((aligned(8)));

/* Helper functions, in call-number order: FN(name) for each; the call
 * number of BPF_FUNC_name is its position (unspec is 0). */
#define __BPF_FUNC_MAPPER(FN)		\
	FN(unspec),			\
	FN(map_lookup_elem),		\
	FN(map_update_elem),		\
	FN(map_delete_elem),		\
	FN(probe_read),			\
	FN(ktime_get_ns),		\
	FN(trace_printk),		\
	FN(get_prandom_u32),		\
	FN(get_smp_processor_id),	\
	FN(skb_store_bytes),		\
	FN(l3_csum_replace),		\
	FN(l4_csum_replace),		\
	FN(tail_call),			\
	FN(clone_redirect),		\
	FN(get_current_pid_tgid),	\
	FN(get_current_uid_gid),	\
	FN(get_current_comm),		\
	FN(get_cgroup_classid),		\
	FN(skb_vlan_push),		\
	FN(skb_vlan_pop),		\
	FN(skb_get_tunnel_key),		\
	FN(skb_set_tunnel_key),		\
	FN(perf_event_read),		\
	FN(redirect),			\
	FN(get_route_realm),		\
	FN(perf_event_output),		\
	FN(skb_load_bytes),		\
	FN(get_stackid),		\
	FN(csum_diff),			\
	FN(skb_get_tunnel_opt),		\
	FN(skb_set_tunnel_opt),		\
	FN(skb_change_proto),		\
	FN(skb_change_type),		\
	FN(skb_under_cgroup),		\
	FN(get_hash_recalc),		\
	FN(get_current_task),		\
	FN(probe_write_user),		\
	FN(current_task_under_cgroup),	\
	FN(skb_change_tail),		\
	FN(skb_pull_data),		\
	FN(csum_update),		\
	FN(set_hash_invalid),		\
	FN(get_numa_node_id),		\
	FN(skb_change_head),		\
	FN(xdp_adjust_head),		\
	FN(probe_read_str),		\
	FN(get_socket_cookie),		\
	FN(get_socket_uid),		\
	FN(set_hash),			\
	FN(setsockopt),			\
	FN(skb_adjust_room),		\
	FN(redirect_map),		\
	FN(sk_redirect_map),		\
	FN(sock_map_update),		\
	FN(xdp_adjust_meta),		\
	FN(perf_event_read_value),	\
	FN(perf_prog_read_value),	\
	FN(getsockopt),			\
	FN(override_return),		\
	FN(sock_ops_cb_flags_set),	\
	FN(msg_redirect_map),		\
	FN(msg_apply_bytes),		\
	FN(msg_cork_bytes),		\
	FN(msg_pull_data),		\
	FN(bind),			\
	FN(xdp_adjust_tail),		\
	FN(skb_get_xfrm_state),		\
	FN(get_stack),			\
	FN(skb_load_bytes_relative),	\
	FN(fib_lookup),			\
	FN(sock_hash_update),		\
	FN(msg_redirect_hash),		\
	FN(sk_redirect_hash),		\
	FN(lwt_push_encap),		\
	FN(lwt_seg6_store_bytes),	\
	FN(lwt_seg6_adjust_srh),	\
	FN(lwt_seg6_action),		\
	FN(rc_repeat),			\
	FN(rc_keydown),			\
	FN(skb_cgroup_id),		\
	FN(get_current_cgroup_id),	\
	FN(get_local_storage),		\
	FN(sk_select_reuseport),	\
	FN(skb_ancestor_cgroup_id),	\
	FN(sk_lookup_tcp),		\
	FN(sk_lookup_udp),		\
	FN(sk_release),			\
	FN(map_push_elem),		\
	FN(map_pop_elem),		\
	FN(map_peek_elem),		\
	FN(msg_push_data),		\
	FN(msg_pop_data),		\
	FN(rc_pointer_rel),		\
	FN(spin_lock),			\
	FN(spin_unlock),		\
	FN(sk_fullsock),		\
	FN(tcp_sock),			\
	FN(skb_ecn_set_ce),

/* BPF_FUNC_<name>: the imm of a BPF_CALL to that helper */
#define __BPF_ENUM_FN(x) BPF_FUNC_ ## x
enum bpf_func_id {
	__BPF_FUNC_MAPPER(__BPF_ENUM_FN)
	__BPF_FUNC_MAX_ID,
};
#undef __BPF_ENUM_FN

/* Helper flags. skb_store_bytes: */
#define BPF_F_RECOMPUTE_CSUM		(1ULL << 0)
#define BPF_F_INVALIDATE_HASH		(1ULL << 1)

/* l3/l4_csum_replace: low 4 bits are the field size */
#define BPF_F_HDR_FIELD_MASK		0xfULL

/* l4_csum_replace */
#define BPF_F_PSEUDO_HDR		(1ULL << 4)
#define BPF_F_MARK_MANGLED_0		(1ULL << 5)
#define BPF_F_MARK_ENFORCE		(1ULL << 6)

/* redirect, clone_redirect */
#define BPF_F_INGRESS			(1ULL << 0)

/* skb_get/set_tunnel_key */
#define BPF_F_TUNINFO_IPV6		(1ULL << 0)

/* get_stackid, get_stack: low 8 bits are frames to skip */
#define BPF_F_SKIP_FIELD_MASK		0xffULL
#define BPF_F_USER_STACK		(1ULL << 8)
/* get_stackid */
#define BPF_F_FAST_STACK_CMP		(1ULL << 9)
#define BPF_F_REUSE_STACKID		(1ULL << 10)
/* get_stack */
#define BPF_F_USER_BUILD_ID		(1ULL << 11)

/* skb_set_tunnel_key */
#define BPF_F_ZERO_CSUM_TX		(1ULL << 1)
#define BPF_F_DONT_FRAGMENT		(1ULL << 2)
#define BPF_F_SEQ_NUMBER		(1ULL << 3)

/* perf_event_output, perf_event_read, perf_event_read_value */
#define BPF_F_INDEX_MASK		0xffffffffULL
#define BPF_F_CURRENT_CPU		BPF_F_INDEX_MASK
/* perf_event_output from an skb: bytes of the packet to append */
#define BPF_F_CTXLEN_MASK		(0xfffffULL << 32)

/* sk_lookup_tcp/udp netns argument: the caller's namespace */
#define BPF_F_CURRENT_NETNS		(-1L)

/* skb_adjust_room mode */
enum bpf_adj_room_mode {
	BPF_ADJ_ROOM_NET,
};

/* skb_load_bytes_relative start */
enum bpf_hdr_start_off {
	BPF_HDR_START_MAC,
	BPF_HDR_START_NET,
};

/* lwt_push_encap type */
enum bpf_lwt_encap_mode {
	BPF_LWT_ENCAP_SEG6,
	BPF_LWT_ENCAP_SEG6_INLINE,
	BPF_LWT_ENCAP_IP,
};

/* A pointer field of a context struct, 8 bytes on every architecture. */
#define __bpf_md_ptr(type, name)	\
__extension__ union {			\
	type name;			\
	uint64_t :64;			\
} __attribute__((aligned(8)))

/* context of socket filter, tc, cgroup skb, lwt, sk_skb, flow dissector */
struct __sk_buff {
	uint32_t len;
	uint32_t pkt_type;
	uint32_t mark;
	uint32_t queue_mapping;
	uint32_t protocol;
	uint32_t vlan_present;
	uint32_t vlan_tci;
	uint32_t vlan_proto;
	uint32_t priority;
	uint32_t ingress_ifindex;
	uint32_t ifindex;
	uint32_t tc_index;
	uint32_t cb[5];
	uint32_t hash;
	uint32_t tc_classid;
	uint32_t data;
	uint32_t data_end;
	uint32_t napi_id;
	/* socket fields (sk_skb programs): */
	uint32_t family;
	uint32_t remote_ip4;		/* network order */
	uint32_t local_ip4;		/* network order */
	uint32_t remote_ip6[4];		/* network order */
	uint32_t local_ip6[4];		/* network order */
	uint32_t remote_port;		/* network order */
	uint32_t local_port;		/* host order */
	uint32_t data_meta;
	__bpf_md_ptr(struct bpf_flow_keys *, flow_keys);
	uint64_t tstamp;
	uint32_t wire_len;
	uint32_t gso_segs;
	__bpf_md_ptr(struct bpf_sock *, sk);
};

/* skb_get/set_tunnel_key */
struct bpf_tunnel_key {
	uint32_t tunnel_id;
	union {
		uint32_t remote_ipv4;
		uint32_t remote_ipv6[4];
	};
	uint8_t tunnel_tos;
	uint8_t tunnel_ttl;
	uint16_t tunnel_ext;		/* padding */
	uint32_t tunnel_label;
};

/* skb_get_xfrm_state */
struct bpf_xfrm_state {
	uint32_t reqid;
	uint32_t spi;			/* network order */
	uint16_t family;
	uint16_t ext;			/* padding */
	union {
		uint32_t remote_ipv4;	/* network order */
		uint32_t remote_ipv6[4];	/* network order */
	};
};

/* generic return codes (tc / lwt), equal to the TC_ACT_* ones */
enum bpf_ret_code {
	BPF_OK = 0,
	BPF_DROP = 2,
	BPF_REDIRECT = 7,
	BPF_LWT_REROUTE = 128,
};

/* socket view (cgroup sock programs, skb->sk, sk_lookup_*) */
struct bpf_sock {
	uint32_t bound_dev_if;
	uint32_t family;
	uint32_t type;
	uint32_t protocol;
	uint32_t mark;
	uint32_t priority;
	uint32_t src_ip4;
	uint32_t src_ip6[4];
	uint32_t src_port;		/* host order */
	uint32_t dst_port;		/* network order */
	uint32_t dst_ip4;
	uint32_t dst_ip6[4];
	uint32_t state;
};

/* tcp_sock helper result */
struct bpf_tcp_sock {
	uint32_t snd_cwnd;
	uint32_t srtt_us;
	uint32_t rtt_min;
	uint32_t snd_ssthresh;
	uint32_t rcv_nxt;
	uint32_t snd_nxt;
	uint32_t snd_una;
	uint32_t mss_cache;
	uint32_t ecn_flags;
	uint32_t rate_delivered;
	uint32_t rate_interval_us;
	uint32_t packets_out;
	uint32_t retrans_out;
	uint32_t total_retrans;
	uint32_t segs_in;
	uint32_t data_segs_in;
	uint32_t segs_out;
	uint32_t data_segs_out;
	uint32_t lost_out;
	uint32_t sacked_out;
	uint64_t bytes_received;
	uint64_t bytes_acked;
};

/* sk_lookup_tcp/udp key; all fields in network order */
struct bpf_sock_tuple {
	union {
		struct {
			uint32_t saddr;
			uint32_t daddr;
			uint16_t sport;
			uint16_t dport;
		} ipv4;
		struct {
			uint32_t saddr[4];
			uint32_t daddr[4];
			uint16_t sport;
			uint16_t dport;
		} ipv6;
	};
};

#define XDP_PACKET_HEADROOM 256

/* XDP program return codes */
enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP,
	XDP_PASS,
	XDP_TX,
	XDP_REDIRECT,
};

/* XDP context */
struct xdp_md {
	uint32_t data;
	uint32_t data_end;
	uint32_t data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
};

/* sk_skb / sk_msg verdicts */
enum sk_action {
	SK_DROP = 0,
	SK_PASS,
};

/* SK_MSG context */
struct sk_msg_md {
	__bpf_md_ptr(void *, data);
	__bpf_md_ptr(void *, data_end);

	uint32_t family;
	uint32_t remote_ip4;		/* network order */
	uint32_t local_ip4;		/* network order */
	uint32_t remote_ip6[4];		/* network order */
	uint32_t local_ip6[4];		/* network order */
	uint32_t remote_port;		/* network order */
	uint32_t local_port;		/* host order */
	uint32_t size;
};

/* SK_REUSEPORT context */
struct sk_reuseport_md {
	__bpf_md_ptr(void *, data);
	__bpf_md_ptr(void *, data_end);
	uint32_t len;
	uint32_t eth_protocol;		/* network order */
	uint32_t ip_protocol;
	uint32_t bind_inany;
	uint32_t hash;
};

#define BPF_TAG_SIZE	8

/* BPF_OBJ_GET_INFO_BY_FD on a program */
struct bpf_prog_info {
	uint32_t type;
	uint32_t id;
	uint8_t tag[BPF_TAG_SIZE];
	uint32_t jited_prog_len;
	uint32_t xlated_prog_len;
	BPFVM__ALIGNED_U64 jited_prog_insns;
	BPFVM__ALIGNED_U64 xlated_prog_insns;
	uint64_t load_time;
	uint32_t created_by_uid;
	uint32_t nr_map_ids;
	BPFVM__ALIGNED_U64 map_ids;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t ifindex;
	uint32_t gpl_compatible:1;
	uint64_t netns_dev;
	uint64_t netns_ino;
	uint32_t nr_jited_ksyms;
	uint32_t nr_jited_func_lens;
	BPFVM__ALIGNED_U64 jited_ksyms;
	BPFVM__ALIGNED_U64 jited_func_lens;
	uint32_t btf_id;
	uint32_t func_info_rec_size;
	BPFVM__ALIGNED_U64 func_info;
	uint32_t nr_func_info;
	uint32_t nr_line_info;
	BPFVM__ALIGNED_U64 line_info;
	BPFVM__ALIGNED_U64 jited_line_info;
	uint32_t nr_jited_line_info;
	uint32_t line_info_rec_size;
	uint32_t jited_line_info_rec_size;
	uint32_t nr_prog_tags;
	BPFVM__ALIGNED_U64 prog_tags;
	uint64_t run_time_ns;
	uint64_t run_cnt;
} __attribute__((aligned(8)));

/* BPF_OBJ_GET_INFO_BY_FD on a map */
struct bpf_map_info {
	uint32_t type;
	uint32_t id;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t ifindex;
	uint32_t :32;
	uint64_t netns_dev;
	uint64_t netns_ino;
	uint32_t btf_id;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
} __attribute__((aligned(8)));

/* BPF_OBJ_GET_INFO_BY_FD on a BTF object */
struct bpf_btf_info {
	BPFVM__ALIGNED_U64 btf;
	uint32_t btf_size;
	uint32_t id;
} __attribute__((aligned(8)));

/* CGROUP_SOCK_ADDR context; user_* come from the sockaddr of the call */
struct bpf_sock_addr {
	uint32_t user_family;
	uint32_t user_ip4;		/* network order */
	uint32_t user_ip6[4];		/* network order */
	uint32_t user_port;		/* network order */
	uint32_t family;
	uint32_t type;
	uint32_t protocol;
	uint32_t msg_src_ip4;		/* network order */
	uint32_t msg_src_ip6[4];	/* network order */
};

/* SOCK_OPS context; op is one of BPF_SOCK_OPS_*, reply is the result */
struct bpf_sock_ops {
	uint32_t op;
	union {
		uint32_t args[4];
		uint32_t reply;
		uint32_t replylong[4];
	};
	uint32_t family;
	uint32_t remote_ip4;		/* network order */
	uint32_t local_ip4;		/* network order */
	uint32_t remote_ip6[4];		/* network order */
	uint32_t local_ip6[4];		/* network order */
	uint32_t remote_port;		/* network order */
	uint32_t local_port;		/* host order */
	uint32_t is_fullsock;
	uint32_t snd_cwnd;
	uint32_t srtt_us;
	uint32_t bpf_sock_ops_cb_flags;
	uint32_t state;
	uint32_t rtt_min;
	uint32_t snd_ssthresh;
	uint32_t rcv_nxt;
	uint32_t snd_nxt;
	uint32_t snd_una;
	uint32_t mss_cache;
	uint32_t ecn_flags;
	uint32_t rate_delivered;
	uint32_t rate_interval_us;
	uint32_t packets_out;
	uint32_t retrans_out;
	uint32_t total_retrans;
	uint32_t segs_in;
	uint32_t data_segs_in;
	uint32_t segs_out;
	uint32_t data_segs_out;
	uint32_t lost_out;
	uint32_t sacked_out;
	uint32_t sk_txhash;
	uint64_t bytes_received;
	uint64_t bytes_acked;
};

/* bpf_sock_ops_cb_flags bits */
#define BPF_SOCK_OPS_RTO_CB_FLAG	(1<<0)
#define BPF_SOCK_OPS_RETRANS_CB_FLAG	(1<<1)
#define BPF_SOCK_OPS_STATE_CB_FLAG	(1<<2)
#define BPF_SOCK_OPS_ALL_CB_FLAGS	0x7

/* bpf_sock_ops.op values */
enum {
	BPF_SOCK_OPS_VOID,
	BPF_SOCK_OPS_TIMEOUT_INIT,
	BPF_SOCK_OPS_RWND_INIT,
	BPF_SOCK_OPS_TCP_CONNECT_CB,
	BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
	BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB,
	BPF_SOCK_OPS_NEEDS_ECN,
	BPF_SOCK_OPS_BASE_RTT,
	BPF_SOCK_OPS_RTO_CB,
	BPF_SOCK_OPS_RETRANS_CB,
	BPF_SOCK_OPS_STATE_CB,
	BPF_SOCK_OPS_TCP_LISTEN_CB,
};

/* TCP states as seen by bpf programs (same numbers as the kernel's) */
enum {
	BPF_TCP_ESTABLISHED = 1,
	BPF_TCP_SYN_SENT,
	BPF_TCP_SYN_RECV,
	BPF_TCP_FIN_WAIT1,
	BPF_TCP_FIN_WAIT2,
	BPF_TCP_TIME_WAIT,
	BPF_TCP_CLOSE,
	BPF_TCP_CLOSE_WAIT,
	BPF_TCP_LAST_ACK,
	BPF_TCP_LISTEN,
	BPF_TCP_CLOSING,
	BPF_TCP_NEW_SYN_RECV,

	BPF_TCP_MAX_STATES
};

/* setsockopt/getsockopt helper options at level SOL_TCP */
#define TCP_BPF_IW		1001
#define TCP_BPF_SNDCWND_CLAMP	1002

/* perf_event_read_value / perf_prog_read_value result */
struct bpf_perf_event_value {
	uint64_t counter;
	uint64_t enabled;
	uint64_t running;
};

/* CGROUP_DEVICE access_type = (ACC << 16) | DEV */
#define BPF_DEVCG_ACC_MKNOD	(1ULL << 0)
#define BPF_DEVCG_ACC_READ	(1ULL << 1)
#define BPF_DEVCG_ACC_WRITE	(1ULL << 2)

#define BPF_DEVCG_DEV_BLOCK	(1ULL << 0)
#define BPF_DEVCG_DEV_CHAR	(1ULL << 1)

/* CGROUP_DEVICE context */
struct bpf_cgroup_dev_ctx {
	uint32_t access_type;
	uint32_t major;
	uint32_t minor;
};

/* RAW_TRACEPOINT context: the tracepoint's arguments */
struct bpf_raw_tracepoint_args {
	__extension__ uint64_t args[0];
};

/* fib_lookup flags. v5.1 spells these BIT(0)/BIT(1), a macro user space does
 * not have; the value is the same. */
#define BPF_FIB_LOOKUP_DIRECT  (1U << 0)
#define BPF_FIB_LOOKUP_OUTPUT  (1U << 1)

/* fib_lookup return codes */
enum {
	BPF_FIB_LKUP_RET_SUCCESS,
	BPF_FIB_LKUP_RET_BLACKHOLE,
	BPF_FIB_LKUP_RET_UNREACHABLE,
	BPF_FIB_LKUP_RET_PROHIBIT,
	BPF_FIB_LKUP_RET_NOT_FWDED,
	BPF_FIB_LKUP_RET_FWD_DISABLED,
	BPF_FIB_LKUP_RET_UNSUPP_LWT,
	BPF_FIB_LKUP_RET_NO_NEIGH,
	BPF_FIB_LKUP_RET_FRAG_NEEDED,
};

/* fib_lookup parameters and result */
struct bpf_fib_lookup {
	uint8_t family;
	uint8_t l4_protocol;
	uint16_t sport;			/* network order */
	uint16_t dport;			/* network order */
	uint16_t tot_len;
	uint32_t ifindex;

	union {
		uint8_t tos;		/* input, AF_INET */
		uint32_t flowinfo;	/* input, AF_INET6, network order */
		uint32_t rt_metric;	/* output */
	};

	union {
		uint32_t ipv4_src;	/* network order */
		uint32_t ipv6_src[4];	/* network order */
	};

	union {
		uint32_t ipv4_dst;	/* network order */
		uint32_t ipv6_dst[4];	/* network order */
	};

	uint16_t h_vlan_proto;		/* network order */
	uint16_t h_vlan_TCI;		/* network order */
	uint8_t smac[6];
	uint8_t dmac[6];
};

/* BPF_TASK_FD_QUERY fd_type */
enum bpf_task_fd_type {
	BPF_FD_TYPE_RAW_TRACEPOINT,
	BPF_FD_TYPE_TRACEPOINT,
	BPF_FD_TYPE_KPROBE,
	BPF_FD_TYPE_KRETPROBE,
	BPF_FD_TYPE_UPROBE,
	BPF_FD_TYPE_URETPROBE,
};

/* flow dissector result (__sk_buff.flow_keys) */
struct bpf_flow_keys {
	uint16_t nhoff;
	uint16_t thoff;
	uint16_t addr_proto;
	uint8_t is_frag;
	uint8_t is_first_frag;
	uint8_t is_encap;
	uint8_t ip_proto;
	uint16_t n_proto;		/* network order */
	uint16_t sport;			/* network order */
	uint16_t dport;			/* network order */
	union {
		struct {
			uint32_t ipv4_src;	/* network order */
			uint32_t ipv4_dst;	/* network order */
		};
		struct {
			uint32_t ipv6_src[4];	/* network order */
			uint32_t ipv6_dst[4];	/* network order */
		};
	};
};

/* BTF func info record (BPF_PROG_LOAD func_info) */
struct bpf_func_info {
	uint32_t insn_off;
	uint32_t type_id;
};

/* line_col: line number in the high 22 bits, column in the low 10 */
#define BPF_LINE_INFO_LINE_NUM(line_col)	((line_col) >> 10)
#define BPF_LINE_INFO_LINE_COL(line_col)	((line_col) & 0x3ff)

/* BTF line info record (BPF_PROG_LOAD line_info) */
struct bpf_line_info {
	uint32_t insn_off;
	uint32_t file_name_off;
	uint32_t line_off;
	uint32_t line_col;
};

/* lock inside a map value (spin_lock / spin_unlock helpers, BPF_F_LOCK) */
struct bpf_spin_lock {
	uint32_t val;
};

#undef BPFVM__ALIGNED_U64

#endif /* our own v5.1 definitions */

/* ------------------------------------------------------------------------ */
/* Beyond v5.1 - instruction set extensions bpfvm also runs                   */
/* (values of later Linux releases; each one kept if already defined)        */
/* ------------------------------------------------------------------------ */

/* src_reg of ld_imm64: imm is a map fd, the second imm an offset into the
 * value of that (array) map (Linux 5.2) */
#ifndef BPF_PSEUDO_MAP_VALUE
#define BPF_PSEUDO_MAP_VALUE	2
#endif

/* atomic operations: BPF_STX | BPF_ATOMIC | BPF_W/DW, op in imm (Linux 5.12) */
#ifndef BPF_ATOMIC
#define BPF_ATOMIC	0xc0
#endif
/* imm flag: also return the old value in src_reg */
#ifndef BPF_FETCH
#define BPF_FETCH	0x01
#endif
/* imm: exchange */
#ifndef BPF_XCHG
#define BPF_XCHG	(0xe0 | BPF_FETCH)
#endif
/* imm: compare with r0 and exchange */
#ifndef BPF_CMPXCHG
#define BPF_CMPXCHG	(0xf0 | BPF_FETCH)
#endif

/* load mode: sign-extending load, BPF_LDX | BPF_MEMSX | size (Linux 6.6) */
#ifndef BPF_MEMSX
#define BPF_MEMSX	0x80
#endif

#endif /* BPFVM_UAPI_H */
