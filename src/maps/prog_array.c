/*
 * BPF_MAP_TYPE_PROG_ARRAY: the targets of bpf_tail_call (the kernel's
 * prog_array_map_ops of v5.1, built on the fd-array core in arraymap.c).
 *
 * From user space a slot is written with a program fd and read back as the
 * program's id; programs only tail-call through the map (the verifier allows
 * no other helper on it). The map holds a reference on every stored program;
 * when the last user reference of the map goes, all slots are emptied, which
 * breaks the cycle of a program that tail-calls through an array holding it.
 */
#include "maps/arraymap.h"
#include "core/kerrno.h"
#include <errno.h>
#include <string.h>

static void prog_put(void *obj)
{
	bpfvm_prog_put(obj);
}

/* bpf_prog_array_compatible: all programs of one array, and all programs
 * tail-calling through it, share one program type and one JIT-ness, fixed
 * by the first one seen. bpfvm has no JIT yet: every program counts as
 * interpreted (owner_jited stays 0). The kernel's refusal of programs using
 * bpf_override_return (kprobe_override) has no counterpart yet either. */
int bpfvm_prog_array_compatible(struct bpfvm_map *map, const struct bpfvm_prog *prog)
{
	struct bpfvm_fd_array *a = bpfvm_fd_array(map);
	unsigned int type = bpfvm_prog_type(prog), owner = 0;
	/* Type 0 (UNSPEC) is never loaded, so 0 can mean "no owner". */
	if (atomic_compare_exchange_strong(&a->owner_prog_type, &owner, type))
		return 1;
	return owner == type;
}

const struct bpfvm_prog *bpfvm_prog_array_get(struct bpfvm_map *map, uint64_t index)
{
	/* The kernel's interpreter and JITs compare only the low 32 bits of
	 * the index (R3) with max_entries. */
	if (map->map_type != BPF_MAP_TYPE_PROG_ARRAY)
		return NULL;
	return bpfvm_fd_array_get(map, (uint32_t)index);
}

static int prog_array_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	return bpfvm_fd_array_alloc_check(attr);
}

static struct bpfvm_map *prog_array_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	return bpfvm_fd_array_alloc(vm, attr, prog_put, err);
}

/* Programs can neither look up nor update a prog array. */
static void *prog_array_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return NULL;
}

static int prog_array_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			     uint32_t cpu)
{
	return -EINVAL;
}

/* bpf_fd_array_map_update_elem + prog_fd_array_get_ptr. */
static int prog_array_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	int rc = bpfvm_fd_array_update_check(map, key, flags);
	if (rc < 0)
		return rc;
	uint32_t index, ufd;
	memcpy(&index, key, sizeof(index));
	memcpy(&ufd, value, sizeof(ufd));
	struct bpfvm_prog *prog;
	rc = bpfvm_sys_fd_to_prog(map->vm, (int)ufd, &prog);
	if (rc < 0)
		return rc;
	if (!bpfvm_prog_array_compatible(map, prog)) {
		bpfvm_prog_put(prog);
		return -EINVAL;
	}
	bpfvm_fd_array_set(map, index, prog);
	return 0;
}

/* bpf_fd_array_map_lookup_elem with prog_fd_array_sys_lookup_elem: the id
 * of the stored program. */
static int prog_array_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	const struct bpfvm_prog *prog = bpfvm_fd_array_get(map, index);
	if (!prog)
		return -ENOENT;
	uint32_t id = bpfvm_prog_id(prog);
	memcpy(value, &id, sizeof(id));
	return 0;
}

/* The last fd or pin is gone: empty every slot now (the deferred drops
 * included), so that programs referencing this map can be freed. */
static void prog_array_release_uref(struct bpfvm_map *map)
{
	bpfvm_fd_array_clear(map);
	bpfvm_defer_reap(&bpfvm_fd_array(map)->defer, 1);
}

const struct bpfvm_map_ops bpfvm_prog_array_map_ops = {
	.alloc_check = prog_array_alloc_check,
	.alloc = prog_array_alloc,
	.free = bpfvm_fd_array_free,
	.release_uref = prog_array_release_uref,
	.lookup = prog_array_lookup,
	.update = prog_array_update,
	.delete = bpfvm_fd_array_delete,
	.get_next_key = bpfvm_array_get_next_key,
	.sys_lookup = prog_array_sys_lookup,
	.sys_update = prog_array_sys_update,
};
