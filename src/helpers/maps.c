/* Helpers that belong to maps: lookup/update/delete, push/pop/peek, the
 * spin lock, and tail_call (whose work the interpreter does). */
#include "helpers/builtin.h"
#include "interp/interp.h"
#include "maps/map.h"
#include <errno.h>

#define MAP(r) ((struct bpfvm_map *)(uintptr_t)(r))
#define PTR(r) ((void *)(uintptr_t)(r))

uint64_t bpfvm_helper_map_lookup_elem(uint64_t m, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				      struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (!map->ops->lookup)
		return 0;
	void *v = map->ops->lookup(map, PTR(key), run->cpu);
	/* A checked run may now use the value (map-in-map lookups return a
	 * map, which is not memory). */
	if (v && run->checked) {
		if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS)
			bpfvm_run_add_map(run, v);
		else
			bpfvm_run_add_region(run, v, map->value_size, 1);
	}
	return (uint64_t)(uintptr_t)v;
}

static uint64_t map_update_elem(uint64_t m, uint64_t key, uint64_t value, uint64_t flags, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (!map->ops->update)
		return (uint64_t)-EINVAL;
	return (uint64_t)(int64_t)map->ops->update(map, PTR(key), PTR(value), flags, run->cpu);
}

static uint64_t map_delete_elem(uint64_t m, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (!map->ops->delete)
		return (uint64_t)-EINVAL;
	return (uint64_t)(int64_t)map->ops->delete(map, PTR(key));
}

static uint64_t map_push_elem(uint64_t m, uint64_t value, uint64_t flags, uint64_t r4, uint64_t r5,
			      struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (!map->ops->push)
		return (uint64_t)-ENOTSUPP;
	return (uint64_t)(int64_t)map->ops->push(map, PTR(value), flags);
}

static uint64_t map_pop_elem(uint64_t m, uint64_t value, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (!map->ops->pop)
		return (uint64_t)-ENOTSUPP;
	return (uint64_t)(int64_t)map->ops->pop(map, PTR(value));
}

static uint64_t map_peek_elem(uint64_t m, uint64_t value, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfvm_run *run)
{
	struct bpfvm_map *map = MAP(m);
	if (!map->ops->peek)
		return (uint64_t)-ENOTSUPP;
	return (uint64_t)(int64_t)map->ops->peek(map, PTR(value));
}

/* Verified programs hold one lock at a time and release it (the verifier's
 * spin-lock rules). Checked runs enforce the same rules as they go, and
 * give up on a lock another thread has held for 100 ms: an unverified
 * program (or a host's bytes given as the lock word) must not hang the
 * host. */
#define CHECKED_LOCK_WAIT_NS 100000000ll

static uint64_t spin_lock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	if (!run->checked) {
		bpfvm_spin_lock(PTR(lock));
		return 0;
	}
	if (run->held_lock) {
		bpfvm_run_fault(run, -EDEADLK, "insn %u: bpf_spin_lock while a lock is held", run->pc);
		return 0;
	}
	if (!bpfvm_spin_trylock_for(PTR(lock), CHECKED_LOCK_WAIT_NS)) {
		bpfvm_run_fault(run, -EDEADLK, "insn %u: bpf_spin_lock not released by its holder for 100 ms",
				run->pc);
		return 0;
	}
	run->held_lock = PTR(lock);
	return 0;
}

static uint64_t spin_unlock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	if (run->checked) {
		if (run->held_lock != PTR(lock)) {
			bpfvm_run_fault(run, -EINVAL, "insn %u: bpf_spin_unlock of a lock this program does not hold",
					run->pc);
			return 0;
		}
		run->held_lock = NULL;
	}
	bpfvm_spin_unlock(PTR(lock));
	return 0;
}

/* Never called: the interpreter performs tail calls itself. Registered so
 * that the id exists with its prototype. */
static uint64_t tail_call(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run *run)
{
	return 0;
}

#define A(x) BPFVM_ARG_##x
const struct bpfvm_helper_def bpfvm_helpers_maps[] = {
	{ BPF_FUNC_map_lookup_elem, { "map_lookup_elem", bpfvm_helper_map_lookup_elem, BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL,
				      { A(CONST_MAP_PTR), A(PTR_TO_MAP_KEY) }, 0, 1 } },
	{ BPF_FUNC_map_update_elem, { "map_update_elem", map_update_elem, BPFVM_RET_INTEGER,
				      { A(CONST_MAP_PTR), A(PTR_TO_MAP_KEY), A(PTR_TO_MAP_VALUE), A(ANYTHING) }, 0, 1 } },
	{ BPF_FUNC_map_delete_elem, { "map_delete_elem", map_delete_elem, BPFVM_RET_INTEGER,
				      { A(CONST_MAP_PTR), A(PTR_TO_MAP_KEY) }, 0, 1 } },
	{ BPF_FUNC_map_push_elem, { "map_push_elem", map_push_elem, BPFVM_RET_INTEGER,
				    { A(CONST_MAP_PTR), A(PTR_TO_MAP_VALUE), A(ANYTHING) }, 0, 1 } },
	{ BPF_FUNC_map_pop_elem, { "map_pop_elem", map_pop_elem, BPFVM_RET_INTEGER,
				   { A(CONST_MAP_PTR), A(PTR_TO_UNINIT_MAP_VALUE) }, 0, 0 } },
	{ BPF_FUNC_map_peek_elem, { "map_peek_elem", map_peek_elem, BPFVM_RET_INTEGER,
				    { A(CONST_MAP_PTR), A(PTR_TO_UNINIT_MAP_VALUE) }, 0, 0 } },
	{ BPF_FUNC_spin_lock, { "spin_lock", spin_lock, BPFVM_RET_VOID, { A(PTR_TO_SPIN_LOCK) }, 0, 0 } },
	{ BPF_FUNC_spin_unlock, { "spin_unlock", spin_unlock, BPFVM_RET_VOID, { A(PTR_TO_SPIN_LOCK) }, 0, 0 } },
	{ BPF_FUNC_tail_call, { "tail_call", tail_call, BPFVM_RET_VOID,
				{ A(PTR_TO_CTX), A(CONST_MAP_PTR), A(ANYTHING) }, 0, 0 } },
	{ 0, { 0 } },
};
