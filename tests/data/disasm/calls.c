/* Calls: to helpers (imm = helper id), to static noinline functions in the
 * same section (relative offset already resolved) and in .text (imm -1 and a
 * relocation, in a .o). */
#include "common.h"

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, u32 size, ...) = (void *)6;
static u32 (*bpf_get_prandom_u32)(void) = (void *)7;
static long (*bpf_tail_call)(void *ctx, void *map, u32 index) = (void *)12;

static NOINLINE u64 in_text(u64 a, u64 b)
{
	return a * b + bpf_get_prandom_u32();
}

__attribute__((section("xdp"))) static NOINLINE u64 in_same(u64 a)
{
	return a + bpf_ktime_get_ns();
}

SEC("xdp") int caller(void *ctx)
{
	char fmt[] = "%d\n";
	u32 key = 0;
	u64 v = in_text((u64)ctx, 3) + in_same((u64)ctx);
	bpf_trace_printk(fmt, sizeof fmt, (int)v);
	if (bpf_map_lookup_elem(ctx, &key))
		bpf_tail_call(ctx, ctx, 1);
	return (int)(v + in_text(v, v));
}
