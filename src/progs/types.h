/* Per-type context fields, rewrites and helper sets, defined beside each
 * model (skb_types.c, xdp.c, sock.c, tracing.c) and tied together in
 * prog_types.c. */
#ifndef BPFVM_PROGS_TYPES_H
#define BPFVM_PROGS_TYPES_H
#include "progs/progs.h"

/* skb_types.c: __sk_buff for each skb-family type (all fields listed; a
 * field a type may not touch has no read and no write sizes). */
#define BPFVM_SKB_NFIELDS 31
extern const struct bpfvm_ctx_field bpfvm_skb_fields_sk_filter[BPFVM_SKB_NFIELDS];
extern const struct bpfvm_ctx_field bpfvm_skb_fields_tc[BPFVM_SKB_NFIELDS];
extern const struct bpfvm_ctx_field bpfvm_skb_fields_cg_skb[BPFVM_SKB_NFIELDS];
extern const struct bpfvm_ctx_field bpfvm_skb_fields_lwt[BPFVM_SKB_NFIELDS];
extern const struct bpfvm_ctx_field bpfvm_skb_fields_sk_skb[BPFVM_SKB_NFIELDS];
extern const struct bpfvm_ctx_field bpfvm_skb_fields_flow_dissector[BPFVM_SKB_NFIELDS];
int bpfvm_skb_convert_ctx_access(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max);
extern const uint16_t bpfvm_helpers_sk_filter[], bpfvm_helpers_cg_skb[], bpfvm_helpers_tc[],
	bpfvm_helpers_lwt_out[], bpfvm_helpers_lwt_in[], bpfvm_helpers_lwt_xmit[], bpfvm_helpers_lwt_seg6local[],
	bpfvm_helpers_sk_skb[], bpfvm_helpers_flow_dissector[];

/* xdp.c */
extern const struct bpfvm_ctx_field bpfvm_xdp_ctx_fields[5];
extern const uint16_t bpfvm_xdp_helpers[];
int bpfvm_xdp_convert_ctx_access(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max);

/* sock.c: cgroup/sock, sock_addr, sock_ops, sk_msg, sk_reuseport, cgroup device */
extern const struct bpfvm_ctx_field bpfvm_cg_sock_fields[];
extern const uint32_t bpfvm_cg_sock_fields_count;
extern const uint32_t bpfvm_cg_sock_attach[];
extern const struct bpfvm_ctx_field bpfvm_sock_addr_fields[];
extern const uint32_t bpfvm_sock_addr_fields_count;
extern const uint32_t bpfvm_sock_addr_attach[];
extern const struct bpfvm_ctx_field bpfvm_sock_ops_fields[];
extern const uint32_t bpfvm_sock_ops_fields_count;
extern const struct bpfvm_ctx_field bpfvm_sk_msg_fields[];
extern const uint32_t bpfvm_sk_msg_fields_count;
extern const struct bpfvm_ctx_field bpfvm_reuseport_fields[];
extern const uint32_t bpfvm_reuseport_fields_count;
extern const struct bpfvm_ctx_field bpfvm_cgroup_dev_fields[];
extern const uint32_t bpfvm_cgroup_dev_fields_count;
extern const uint16_t bpfvm_helpers_cg_sock[], bpfvm_helpers_sock_addr[], bpfvm_helpers_sock_ops[],
	bpfvm_helpers_sk_msg[], bpfvm_helpers_reuseport[], bpfvm_helpers_cgroup_dev[];

/* tracing.c: kprobe, tracepoint, perf_event, raw_tracepoint, lirc_mode2 */
extern const struct bpfvm_ctx_field bpfvm_kprobe_fields[], bpfvm_tracepoint_fields[], bpfvm_perf_event_fields[],
	bpfvm_raw_tp_fields[], bpfvm_lirc_fields[];
extern const uint32_t bpfvm_kprobe_fields_count, bpfvm_tracepoint_fields_count, bpfvm_perf_event_fields_count,
	bpfvm_raw_tp_fields_count, bpfvm_lirc_fields_count;
extern const uint16_t bpfvm_helpers_kprobe[], bpfvm_helpers_tracepoint[], bpfvm_helpers_perf_event[],
	bpfvm_helpers_raw_tp[], bpfvm_helpers_lirc[];
#endif
