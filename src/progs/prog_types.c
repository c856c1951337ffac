/* The table of program types. */
#include "progs/progs.h"
#include "progs/test_run.h"

static const uint32_t sock_attach[] = {
	BPF_CGROUP_INET_SOCK_CREATE, BPF_CGROUP_INET4_POST_BIND, BPF_CGROUP_INET6_POST_BIND, 0 };
static const uint32_t sock_addr_attach[] = {
	BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND, BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT,
	BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG, 0 };

const struct bpfvm_prog_type bpfvm_prog_types[] = {
	[BPF_PROG_TYPE_SOCKET_FILTER] = { "socket_filter", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_KPROBE] = { "kprobe", 168 /* struct pt_regs, x86-64 */, NULL, 0, NULL },
	[BPF_PROG_TYPE_SCHED_CLS] = { "sched_cls", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_SCHED_ACT] = { "sched_act", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_TRACEPOINT] = { "tracepoint", 0, NULL, 0, NULL },
	[BPF_PROG_TYPE_XDP] = { "xdp", sizeof(struct xdp_md), NULL, 0, bpfvm_test_run_xdp },
	[BPF_PROG_TYPE_PERF_EVENT] = { "perf_event", 0, NULL, 0, NULL },
	[BPF_PROG_TYPE_CGROUP_SKB] = { "cgroup_skb", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_CGROUP_SOCK] = { "cgroup_sock", sizeof(struct bpf_sock), sock_attach,
					BPF_CGROUP_INET_SOCK_CREATE, NULL },
	[BPF_PROG_TYPE_LWT_IN] = { "lwt_in", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_LWT_OUT] = { "lwt_out", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_LWT_XMIT] = { "lwt_xmit", sizeof(struct __sk_buff), NULL, 0, bpfvm_test_run_skb },
	[BPF_PROG_TYPE_SOCK_OPS] = { "sock_ops", sizeof(struct bpf_sock_ops), NULL, 0, NULL },
	[BPF_PROG_TYPE_SK_SKB] = { "sk_skb", sizeof(struct __sk_buff), NULL, 0, NULL },
	[BPF_PROG_TYPE_CGROUP_DEVICE] = { "cgroup_device", sizeof(struct bpf_cgroup_dev_ctx), NULL, 0, NULL },
	[BPF_PROG_TYPE_SK_MSG] = { "sk_msg", sizeof(struct sk_msg_md), NULL, 0, NULL },
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = { "raw_tracepoint", 0, NULL, 0, NULL },
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = { "cgroup_sock_addr", sizeof(struct bpf_sock_addr), sock_addr_attach,
					     0, NULL },
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = { "lwt_seg6local", sizeof(struct __sk_buff), NULL, 0, NULL },
	[BPF_PROG_TYPE_LIRC_MODE2] = { "lirc_mode2", 4, NULL, 0, NULL },
	[BPF_PROG_TYPE_SK_REUSEPORT] = { "sk_reuseport", sizeof(struct sk_reuseport_md), NULL, 0, NULL },
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = { "flow_dissector", sizeof(struct __sk_buff), NULL, 0, NULL },
};
const uint32_t bpfvm_prog_types_count = sizeof(bpfvm_prog_types) / sizeof(bpfvm_prog_types[0]);
