/* The table of program types. Context fields, rewrites and helper sets of
 * each type live beside its model (skb_types.c, xdp.c, sock.c, tracing.c);
 * this file ties them together with the return ranges (check_return_code
 * of v5.1) and the test runs (the prog_ops of v5.1; types without one
 * answer PROG_TEST_RUN with -ENOTSUPP, as the kernel). */
#include "progs/progs.h"
#include "progs/ctx.h"
#include "progs/test_run.h"
#include "progs/types.h"

static const uint32_t sock_attach[] = {
	BPF_CGROUP_INET_SOCK_CREATE, BPF_CGROUP_INET4_POST_BIND, BPF_CGROUP_INET6_POST_BIND, 0 };
static const uint32_t sock_addr_attach[] = {
	BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND, BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT,
	BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG, 0 };

#define FIELDS(a) .ctx_fields = a, .n_ctx_fields = sizeof(a) / sizeof(a[0])
#define RET01 .ret_checked = 1, .ret_min = 0, .ret_max = 1

const struct bpfvm_prog_type bpfvm_prog_types[] = {
	[BPF_PROG_TYPE_SOCKET_FILTER] = { .name = "socket_filter", .ctx_size = sizeof(struct __sk_buff),
					  FIELDS(bpfvm_skb_fields_sk_filter), .helpers = bpfvm_helpers_sk_filter,
					  .ld_abs = 1, .convert_ctx_access = bpfvm_skb_convert_ctx_access,
					  .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_KPROBE] = { .name = "kprobe", .ctx_size = 168 /* struct pt_regs, x86-64 */,
				   .ctx_fields = bpfvm_kprobe_fields, .n_ctx_fields = 1,
				   .helpers = bpfvm_helpers_kprobe },
	[BPF_PROG_TYPE_SCHED_CLS] = { .name = "sched_cls", .ctx_size = sizeof(struct __sk_buff),
				      FIELDS(bpfvm_skb_fields_tc), .helpers = bpfvm_helpers_tc, .ld_abs = 1,
				      .convert_ctx_access = bpfvm_skb_convert_ctx_access,
				      .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_SCHED_ACT] = { .name = "sched_act", .ctx_size = sizeof(struct __sk_buff),
				      FIELDS(bpfvm_skb_fields_tc), .helpers = bpfvm_helpers_tc, .ld_abs = 1,
				      .convert_ctx_access = bpfvm_skb_convert_ctx_access,
				      .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_TRACEPOINT] = { .name = "tracepoint", .ctx_size = 2048 /* PERF_MAX_TRACE_SIZE */,
				       .ctx_fields = bpfvm_tracepoint_fields, .n_ctx_fields = 1,
				       .helpers = bpfvm_helpers_tracepoint },
	[BPF_PROG_TYPE_XDP] = { .name = "xdp", .ctx_size = sizeof(struct xdp_md), FIELDS(bpfvm_xdp_ctx_fields),
				.helpers = bpfvm_xdp_helpers, .convert_ctx_access = bpfvm_xdp_convert_ctx_access,
				.test_run = bpfvm_test_run_xdp },
	[BPF_PROG_TYPE_PERF_EVENT] = { .name = "perf_event", .ctx_size = 184 /* bpf_perf_event_data */,
				       .ctx_fields = bpfvm_perf_event_fields, .n_ctx_fields = 3,
				       .helpers = bpfvm_helpers_perf_event },
	[BPF_PROG_TYPE_CGROUP_SKB] = { .name = "cgroup_skb", .ctx_size = sizeof(struct __sk_buff),
				       FIELDS(bpfvm_skb_fields_cg_skb), .helpers = bpfvm_helpers_cg_skb, RET01,
				       .convert_ctx_access = bpfvm_skb_convert_ctx_access,
				       .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_CGROUP_SOCK] = { .name = "cgroup_sock", .ctx_size = sizeof(struct bpf_sock),
					.attach_types = sock_attach, .default_attach_type = BPF_CGROUP_INET_SOCK_CREATE,
					.ctx_fields = bpfvm_cg_sock_fields, .n_ctx_fields = 13, .ctx_attach = bpfvm_cg_sock_attach,
					.helpers = bpfvm_helpers_cg_sock, RET01,
					.convert_ctx_access = bpfvm_ctx_convert_identity },
	[BPF_PROG_TYPE_LWT_IN] = { .name = "lwt_in", .ctx_size = sizeof(struct __sk_buff),
				   FIELDS(bpfvm_skb_fields_lwt), .helpers = bpfvm_helpers_lwt_in,
				   .convert_ctx_access = bpfvm_skb_convert_ctx_access, .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_LWT_OUT] = { .name = "lwt_out", .ctx_size = sizeof(struct __sk_buff),
				    FIELDS(bpfvm_skb_fields_lwt), .helpers = bpfvm_helpers_lwt_out,
				    .convert_ctx_access = bpfvm_skb_convert_ctx_access, .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_LWT_XMIT] = { .name = "lwt_xmit", .ctx_size = sizeof(struct __sk_buff),
				     FIELDS(bpfvm_skb_fields_lwt), .helpers = bpfvm_helpers_lwt_xmit,
				     .convert_ctx_access = bpfvm_skb_convert_ctx_access,
				     .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_SOCK_OPS] = { .name = "sock_ops", .ctx_size = sizeof(struct bpf_sock_ops),
				     .ctx_fields = bpfvm_sock_ops_fields, .n_ctx_fields = 5,
				     .helpers = bpfvm_helpers_sock_ops, RET01,
				     .convert_ctx_access = bpfvm_ctx_convert_identity },
	[BPF_PROG_TYPE_SK_SKB] = { .name = "sk_skb", .ctx_size = sizeof(struct __sk_buff),
				   FIELDS(bpfvm_skb_fields_sk_skb), .helpers = bpfvm_helpers_sk_skb,
				   .convert_ctx_access = bpfvm_skb_convert_ctx_access },
	[BPF_PROG_TYPE_CGROUP_DEVICE] = { .name = "cgroup_device", .ctx_size = sizeof(struct bpf_cgroup_dev_ctx),
					  .ctx_fields = bpfvm_cgroup_dev_fields, .n_ctx_fields = 2,
					  .helpers = bpfvm_helpers_cgroup_dev, RET01,
					  .convert_ctx_access = bpfvm_ctx_convert_identity },
	[BPF_PROG_TYPE_SK_MSG] = { .name = "sk_msg", .ctx_size = sizeof(struct sk_msg_md),
				   .ctx_fields = bpfvm_sk_msg_fields, .n_ctx_fields = 3,
				   .helpers = bpfvm_helpers_sk_msg, .convert_ctx_access = bpfvm_ctx_convert_identity },
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = { .name = "raw_tracepoint", .ctx_size = 96,
					   .ctx_fields = bpfvm_raw_tp_fields, .n_ctx_fields = 1,
					   .helpers = bpfvm_helpers_raw_tp },
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = { .name = "cgroup_sock_addr", .ctx_size = sizeof(struct bpf_sock_addr),
					     .attach_types = sock_addr_attach,
					     .ctx_fields = bpfvm_sock_addr_fields, .n_ctx_fields = 9,
					     .ctx_attach = bpfvm_sock_addr_attach,
					     .helpers = bpfvm_helpers_sock_addr, RET01,
					     .convert_ctx_access = bpfvm_ctx_convert_identity },
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = { .name = "lwt_seg6local", .ctx_size = sizeof(struct __sk_buff),
					  FIELDS(bpfvm_skb_fields_lwt), .helpers = bpfvm_helpers_lwt_seg6local,
					  .convert_ctx_access = bpfvm_skb_convert_ctx_access,
					  .test_run = bpfvm_test_run_skb },
	[BPF_PROG_TYPE_LIRC_MODE2] = { .name = "lirc_mode2", .ctx_size = 4, .ctx_fields = bpfvm_lirc_fields,
				       .n_ctx_fields = 1, .helpers = bpfvm_helpers_lirc },
	[BPF_PROG_TYPE_SK_REUSEPORT] = { .name = "sk_reuseport", .ctx_size = sizeof(struct sk_reuseport_md),
					 .ctx_fields = bpfvm_reuseport_fields, .n_ctx_fields = 7,
					 .helpers = bpfvm_helpers_reuseport,
					 .convert_ctx_access = bpfvm_ctx_convert_identity },
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = { .name = "flow_dissector", .ctx_size = sizeof(struct __sk_buff),
					   FIELDS(bpfvm_skb_fields_flow_dissector),
					   .helpers = bpfvm_helpers_flow_dissector,
					   .convert_ctx_access = bpfvm_skb_convert_ctx_access,
					   .test_run = bpfvm_test_run_flow_dissector },
};
const uint32_t bpfvm_prog_types_count = sizeof(bpfvm_prog_types) / sizeof(bpfvm_prog_types[0]);

/* The counts written out above must match the arrays (they live in other
 * files, so the compiler cannot count them here). */
int bpfvm_prog_types_self_check(void)
{
	return bpfvm_prog_types[BPF_PROG_TYPE_CGROUP_SOCK].n_ctx_fields == bpfvm_cg_sock_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_SOCK_OPS].n_ctx_fields == bpfvm_sock_ops_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_SK_MSG].n_ctx_fields == bpfvm_sk_msg_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_CGROUP_SOCK_ADDR].n_ctx_fields == bpfvm_sock_addr_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_SK_REUSEPORT].n_ctx_fields == bpfvm_reuseport_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_CGROUP_DEVICE].n_ctx_fields == bpfvm_cgroup_dev_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_KPROBE].n_ctx_fields == bpfvm_kprobe_fields_count &&
	       bpfvm_prog_types[BPF_PROG_TYPE_PERF_EVENT].n_ctx_fields == bpfvm_perf_event_fields_count;
}
