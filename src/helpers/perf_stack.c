/*
 * Helpers of perf events and stack traces: bpf_perf_event_output (25),
 * bpf_get_stackid (27) and bpf_get_stack (67), with the prototypes of their
 * v5.1 tracing versions (kernel/trace/bpf_trace.c, kernel/bpf/stackmap.c).
 * The map sides live in maps/perf_event_array.c and maps/stackmap.c.
 *
 * The kernel stack of a bpfvm program is its BPF call stack. Frame 0 is the
 * helper call being made (run->pc); frame k is the BPF-to-BPF call site in
 * the caller k levels up (run->ret_pc[depth - k]). A frame's address is
 *     (uintptr_t)run->code->insns + 8 * instruction index,
 * the address of that call instruction in the program as run: stable for
 * the program's life, distinct between programs, and turned back into an
 * index by subtracting the program's base. There is no user stack (no
 * process is being traced): BPF_F_USER_STACK sees an empty one, as the
 * kernel does in a kernel thread.
 */
#include "helpers/builtin.h"
#include "interp/interp.h"
#include "maps/arraymap.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "helpers/pkt.h"

#define MAP(r) ((struct bpfvm_map *)(uintptr_t)(r))
#define RET(e) ((uint64_t)(int64_t)(e))

/* ---- bpf_perf_event_output ------------------------------------------------------ */

/* Flags select the slot (BPF_F_INDEX_MASK; BPF_F_CURRENT_CPU is the running
 * CPU). In packet programs (the kernel's bpf_skb_event_output and
 * bpf_xdp_event_output) the BPF_F_CTXLEN_MASK bits ask for that many bytes
 * of the packet after the data, in the same record (-EFAULT beyond the
 * packet); for the tracing version they are unknown flags. */
static uint64_t perf_event_output(uint64_t ctx, uint64_t m, uint64_t flags, uint64_t data, uint64_t size,
				  struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	int packet = pkt_skb(run) || pkt_xdp(run);
	uint64_t ctxlen = (flags & BPF_F_CTXLEN_MASK) >> 32;
	if (flags & ~(BPF_F_INDEX_MASK | (packet ? BPF_F_CTXLEN_MASK : 0)))
		return RET(-EINVAL);
	/* The verifier only passes perf event arrays; a checked run may not. */
	if (map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return RET(-EINVAL);
	flags &= BPF_F_INDEX_MASK;
	if (!ctxlen)
		return RET(bpfvm_perf_event_output(map, flags, run->cpu, (const void *)(uintptr_t)data, size));
	uint8_t stackbuf[4096], *buf = stackbuf;
	if (size + ctxlen > sizeof(stackbuf) && !(buf = malloc(size + ctxlen)))
		return RET(-ENOMEM);
	int rc = bpfvm_pkt_copy_ctx(run, buf + size, ctxlen);
	if (rc == 0) {
		if (size)
			memcpy(buf, (const void *)(uintptr_t)data, size);
		rc = bpfvm_perf_event_output(map, flags, run->cpu, buf, size + ctxlen);
	}
	if (buf != stackbuf)
		free(buf);
	return RET(rc);
}

/* ---- stacks --------------------------------------------------------------------- */

/* Up to `max` frames of the BPF call stack, innermost first. */
static uint32_t bpf_frames(const struct bpfvm_run *run, uint64_t *ips, uint32_t max)
{
	if (!run->code || !max)
		return 0;
	uint64_t base = (uint64_t)(uintptr_t)run->code->insns;
	uint32_t n = 0;
	ips[n++] = base + 8ull * run->pc;
	for (uint32_t d = run->depth; d > 0 && n < max; d--)
		ips[n++] = base + 8ull * run->ret_pc[d - 1];
	return n;
}

/* bpf_get_stackid: the trace keeps the innermost value_size / frame_size
 * frames, then `skip` of them are dropped; nothing left (which is always
 * the case for the user stack) is -EFAULT. */
static uint64_t get_stackid(uint64_t ctx, uint64_t m, uint64_t flags, uint64_t r4, uint64_t r5,
			    struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (flags & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID))
		return RET(-EINVAL);
	if (map->map_type != BPF_MAP_TYPE_STACK_TRACE)
		return RET(-EINVAL);
	uint32_t skip = (uint32_t)(flags & BPF_F_SKIP_FIELD_MASK);
	uint64_t ips[BPFVM_K_PERF_MAX_STACK];
	uint32_t nr = (flags & BPF_F_USER_STACK) ? 0 : bpf_frames(run, ips, bpfvm_stackmap_max_depth(map));
	if (nr <= skip)
		return RET(-EFAULT);
	return RET(bpfvm_stackmap_get_stackid(map, ips + skip, nr - skip, flags));
}

/* bpf_get_stack: fills buf with up to size / 8 addresses (or, for a user
 * stack with BPF_F_USER_BUILD_ID, struct bpf_stack_build_id entries) and
 * zeroes the rest; returns the bytes filled. On error the whole buffer is
 * zeroed: bad flags or a size that is not a multiple of the entry -EINVAL,
 * skipping more frames than there are -EFAULT. */
static uint64_t get_stack(uint64_t ctx, uint64_t b, uint64_t sz, uint64_t flags, uint64_t r5,
			  struct bpfvm_run *run)
{
	uint8_t *buf = (uint8_t *)(uintptr_t)b;
	uint32_t size = (uint32_t)sz;
	int user = !!(flags & BPF_F_USER_STACK), user_build_id = !!(flags & BPF_F_USER_BUILD_ID);
	uint32_t skip = (uint32_t)(flags & BPF_F_SKIP_FIELD_MASK);
	int err = -EINVAL;
	if (flags & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID))
		goto clear;
	if (!user && user_build_id)
		goto clear;
	uint32_t elem_size = (user && user_build_id) ? (uint32_t)sizeof(struct bpf_stack_build_id) : 8u;
	if (size % elem_size)
		goto clear;
	uint32_t num_elem = size / elem_size;
	uint64_t ips[BPFVM_K_PERF_MAX_STACK] = { 0 };
	uint32_t limit = num_elem < BPFVM_K_PERF_MAX_STACK ? num_elem : BPFVM_K_PERF_MAX_STACK;
	uint32_t nr = user ? 0 : bpf_frames(run, ips, limit);
	if (nr < skip) {
		err = -EFAULT;
		goto clear;
	}
	nr -= skip;
	if (nr > num_elem)
		nr = num_elem;
	uint32_t copy_len = nr * elem_size;
	if (user && user_build_id)
		bpfvm_stack_build_id_from_ips((struct bpf_stack_build_id *)buf, ips + skip, nr);
	else
		memcpy(buf, ips + skip, copy_len);
	memset(buf + copy_len, 0, size - copy_len);
	return copy_len;
clear:
	bpfvm_helper_zero(buf, size);
	return RET(err);
}

#undef A
#define A(t) BPFVM_ARG_##t
const struct bpfvm_helper_def bpfvm_helpers_perf_stack[] = {
	{ 25, { "perf_event_output", perf_event_output, BPFVM_RET_INTEGER,
		{ A(PTR_TO_CTX), A(CONST_MAP_PTR), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE_OR_ZERO) }, 1, 0 } },
	{ 27, { "get_stackid", get_stackid, BPFVM_RET_INTEGER,
		{ A(PTR_TO_CTX), A(CONST_MAP_PTR), A(ANYTHING) }, 1, 0 } },
	{ 67, { "get_stack", get_stack, BPFVM_RET_INTEGER,
		{ A(PTR_TO_CTX), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE_OR_ZERO), A(ANYTHING) }, 1, 0 } },
	{ 0, { NULL, NULL, 0, { 0 }, 0, 0 } },
};
