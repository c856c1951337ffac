/* Program objects: reference counting and the accessors other layers use
 * (maps hold programs in prog arrays; the interpreter tail-calls them). */
#include "core/prog.h"
#include "maps/map.h"
#include <stdlib.h>
#include <time.h>
#include "core/vm.h"

void bpfvm_prog_release_id(struct bpfvm_prog *prog);


void bpfvm_prog_get(struct bpfvm_prog *prog)
{
	atomic_fetch_add(&prog->refcnt, 1);
}

void bpfvm_prog_put(struct bpfvm_prog *prog)
{
	if (prog && atomic_fetch_sub(&prog->refcnt, 1) == 1)
		bpfvm_prog_free(prog);
}

void bpfvm_prog_free(struct bpfvm_prog *prog)
{
	bpfvm_prog_release_id(prog);
	for (uint32_t i = 0; i < prog->used_map_cnt; i++)
		bpfvm_map_put(prog->used_maps[i]);
	free(prog->used_maps);
	if (prog->btf)
		bpfvm_btf_put(prog->btf);
	free(prog->func_info);
	free(prog->line_info);
	bpfvm_code_fini(&prog->code);
	free(prog);
}

uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog)
{
	return prog->id;
}

uint32_t bpfvm_prog_type(const struct bpfvm_prog *prog)
{
	return prog->type;
}

const struct bpfvm_code *bpfvm_prog_code(const struct bpfvm_prog *prog)
{
	return &prog->code;
}

/* bpf_tail_call's lookup in checked runs (the fast path reads the slot
 * itself): r2 must be a prog array the program references, the slot must
 * hold a program. */
static const struct bpfvm_code *tail_call_target(struct bpfvm_run *run, uint64_t map, uint64_t index)
{
	const struct bpfvm_code *c = run->code;
	struct bpfvm_map *m = NULL;
	for (uint32_t i = 0; i < c->nmaps; i++)
		if ((uint64_t)(uintptr_t)c->maps[i] == map)
			m = c->maps[i];
	if (!m || m->map_type != BPF_MAP_TYPE_PROG_ARRAY)
		return NULL;
	const struct bpfvm_prog *p = bpfvm_prog_array_get(m, index);
	return p ? &p->code : NULL;
}

int bpfvm_prog_run(struct bpfvm_prog *prog, struct bpfvm_run *run, void *ctx, uint64_t *r0)
{
	run->tail_call = tail_call_target;
	run->tail_call_cnt = 0;
	if (!prog->vm->stats_enabled)
		return bpfvm_interp_run(&prog->code, run, (uint64_t)(uintptr_t)ctx, 0, r0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = bpfvm_interp_run(&prog->code, run, (uint64_t)(uintptr_t)ctx, 0, r0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_fetch_add(&prog->run_cnt, 1);
	atomic_fetch_add(&prog->run_time_ns, (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec)));
	return rc;
}
