/* The tracing types of v5.1 (kernel/trace/bpf_trace.c) and lirc_mode2:
 * their contexts' rules and helper sets. They have no model yet (no test
 * run in v5.1, and nothing to trace in a userspace vm), so no rewrite. */
#include "progs/types.h"

#define H(x) BPF_FUNC_##x
#define PT_REGS_SIZE 168                /* struct pt_regs, x86-64 */
#define PERF_MAX_TRACE_SIZE 2048

/* kprobe_prog_is_valid_access: any aligned read inside pt_regs. */
const struct bpfvm_ctx_field bpfvm_kprobe_fields[] = {
	{ .off = 0, .size = PT_REGS_SIZE, .read = CTX_ANY },
};
const uint32_t bpfvm_kprobe_fields_count = 1;

/* tp_prog_is_valid_access: reads after the first 8 bytes (the common
 * fields), up to PERF_MAX_TRACE_SIZE. */
const struct bpfvm_ctx_field bpfvm_tracepoint_fields[] = {
	{ .off = 8, .size = PERF_MAX_TRACE_SIZE - 8, .read = CTX_ANY },
};
const uint32_t bpfvm_tracepoint_fields_count = 1;

/* pe_prog_is_valid_access: struct bpf_perf_event_data { pt_regs regs;
 * u64 sample_period; u64 addr; }: the registers as longs, the two u64
 * narrow. */
const struct bpfvm_ctx_field bpfvm_perf_event_fields[] = {
	{ .off = 0, .size = PT_REGS_SIZE, .read = CTX_R8 },
	{ .off = PT_REGS_SIZE, .size = 8, .read = CTX_ANY },
	{ .off = PT_REGS_SIZE + 8, .size = 8, .read = CTX_ANY },
};
const uint32_t bpfvm_perf_event_fields_count = 3;

/* raw_tp_prog_is_valid_access: the 12 u64 arguments, any aligned read. */
const struct bpfvm_ctx_field bpfvm_raw_tp_fields[] = {
	{ .off = 0, .size = 12 * 8, .read = CTX_ANY },
};
const uint32_t bpfvm_raw_tp_fields_count = 1;

/* lirc_mode2_is_valid_access: the u32 sample. */
const struct bpfvm_ctx_field bpfvm_lirc_fields[] = {
	{ .off = 0, .size = 4, .read = CTX_R4 },
};
const uint32_t bpfvm_lirc_fields_count = 1;

/* tracing_func_proto of v5.1 (no spin locks for tracing programs). */
#define TRACING H(map_lookup_elem), H(map_update_elem), H(map_delete_elem), H(map_push_elem), \
	H(map_pop_elem), H(map_peek_elem), H(probe_read), H(ktime_get_ns), H(tail_call), \
	H(get_current_pid_tgid), H(get_current_task), H(get_current_uid_gid), H(get_current_comm), \
	H(trace_printk), H(get_smp_processor_id), H(get_numa_node_id), H(perf_event_read), \
	H(probe_write_user), H(current_task_under_cgroup), H(get_prandom_u32), H(probe_read_str), \
	H(get_current_cgroup_id)

/* kprobe_prog_func_proto */
const uint16_t bpfvm_helpers_kprobe[] = {
	H(perf_event_output), H(get_stackid), H(get_stack), H(perf_event_read_value), H(override_return),
	TRACING, 0 };
/* tp_prog_func_proto */
const uint16_t bpfvm_helpers_tracepoint[] = { H(perf_event_output), H(get_stackid), H(get_stack), TRACING, 0 };
/* pe_prog_func_proto */
const uint16_t bpfvm_helpers_perf_event[] = {
	H(perf_event_output), H(get_stackid), H(get_stack), H(perf_prog_read_value), TRACING, 0 };
/* raw_tp_prog_func_proto */
const uint16_t bpfvm_helpers_raw_tp[] = { H(perf_event_output), H(get_stackid), H(get_stack), TRACING, 0 };
/* lirc_mode2_func_proto */
const uint16_t bpfvm_helpers_lirc[] = {
	H(rc_repeat), H(rc_keydown), H(rc_pointer_rel), H(map_lookup_elem), H(map_update_elem),
	H(map_delete_elem), H(map_push_elem), H(map_pop_elem), H(map_peek_elem), H(ktime_get_ns), H(tail_call),
	H(get_prandom_u32), H(trace_printk), 0 };
