/*
 * Maps of maps: the inner-map template and its compatibility rule (the
 * kernel's kernel/bpf/map_in_map.c of v5.1), shared with HASH_OF_MAPS, and
 * BPF_MAP_TYPE_ARRAY_OF_MAPS on the fd-array core.
 *
 * From user space a slot is written with a map fd and read back as the map's
 * id; programs look up a slot and get the inner map itself (NULL if empty),
 * to use with the map helpers.
 */
#include "maps/map_in_map.h"
#include "maps/arraymap.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the template ------------------------------------------------------------ */

static void meta_free(struct bpfvm_map *map)
{
	free(map);
}

const struct bpfvm_map_ops bpfvm_map_meta_ops = {
	.free = meta_free,
};

static int is_map_in_map(const struct bpfvm_map *map)
{
	return map->inner_meta || map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

int bpfvm_map_meta_alloc(struct bpfvm *vm, int inner_fd, struct bpfvm_map **meta)
{
	struct bpfvm_map *inner;
	*meta = NULL;
	int rc = bpfvm_sys_fd_to_map(vm, inner_fd, &inner);
	if (rc < 0)
		return rc;
	/* A prog array's owner type is bound at run time, which a check at
	 * load time cannot cover; cgroup storages are bound to one program. */
	if (inner->map_type == BPF_MAP_TYPE_PROG_ARRAY || inner->map_type == BPF_MAP_TYPE_CGROUP_STORAGE ||
	    inner->map_type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE)
		rc = -ENOTSUPP;
	else if (is_map_in_map(inner))
		rc = -EINVAL;           /* one level of nesting only */
	else if (inner->spin_lock_off >= 0)
		rc = -ENOTSUPP;
	if (rc == 0) {
		struct bpfvm_map *m = calloc(1, sizeof(*m));
		if (!m) {
			rc = -ENOMEM;
		} else {
			m->ops = &bpfvm_map_meta_ops;
			m->vm = vm;
			m->map_type = inner->map_type;
			m->key_size = inner->key_size;
			m->value_size = inner->value_size;
			m->max_entries = inner->max_entries;
			m->map_flags = inner->map_flags;
			m->numa_node = inner->numa_node;
			m->spin_lock_off = inner->spin_lock_off;
			m->ncpus = inner->ncpus;
			atomic_init(&m->refcnt, 1);
			atomic_init(&m->usercnt, 0);
			*meta = m;
		}
	}
	bpfvm_map_put(inner);
	return rc;
}

void bpfvm_map_meta_free(struct bpfvm_map *meta)
{
	bpfvm_map_put(meta);
}

int bpfvm_map_meta_compatible(const struct bpfvm_map *meta, const struct bpfvm_map *inner)
{
	return meta->map_type == inner->map_type && meta->key_size == inner->key_size &&
	       meta->value_size == inner->value_size && meta->map_flags == inner->map_flags &&
	       meta->max_entries == inner->max_entries;
}

int bpfvm_map_fd_get_inner(struct bpfvm_map *outer, const void *value, struct bpfvm_map **inner)
{
	uint32_t ufd;
	memcpy(&ufd, value, sizeof(ufd));
	*inner = NULL;
	struct bpfvm_map *m;
	int rc = bpfvm_sys_fd_to_map(outer->vm, (int)ufd, &m);
	if (rc < 0)
		return rc;
	if (!outer->inner_meta || !bpfvm_map_meta_compatible(outer->inner_meta, m)) {
		bpfvm_map_put(m);
		return -EINVAL;
	}
	*inner = m;                     /* the reference of the fd lookup */
	return 0;
}

/* ---- ARRAY_OF_MAPS --------------------------------------------------------- */

static void map_put(void *obj)
{
	bpfvm_map_put(obj);
}

static int array_of_maps_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	return bpfvm_fd_array_alloc_check(attr);
}

/* array_of_map_alloc: the template first, then the array. */
static struct bpfvm_map *array_of_maps_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	struct bpfvm_map *meta;
	*err = bpfvm_map_meta_alloc(vm, (int)attr->inner_map_fd, &meta);
	if (*err < 0)
		return NULL;
	struct bpfvm_map *map = bpfvm_fd_array_alloc(vm, attr, map_put, err);
	if (!map) {
		bpfvm_map_meta_free(meta);
		return NULL;
	}
	map->inner_meta = meta;         /* released by bpfvm_map_put() */
	return map;
}

/* Programs get the inner map itself. */
static void *array_of_maps_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	return bpfvm_fd_array_get(map, index);
}

static int array_of_maps_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
				uint32_t cpu)
{
	return -EINVAL;                 /* only the syscall stores maps */
}

static int array_of_maps_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	int rc = bpfvm_fd_array_update_check(map, key, flags);
	if (rc < 0)
		return rc;
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	struct bpfvm_map *inner;
	if ((rc = bpfvm_map_fd_get_inner(map, value, &inner)) < 0)
		return rc;
	bpfvm_fd_array_set(map, index, inner);
	return 0;
}

static int array_of_maps_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	const struct bpfvm_map *inner = bpfvm_fd_array_get(map, index);
	if (!inner)
		return -ENOENT;
	uint32_t id = bpfvm_map_fd_sys_lookup(inner);
	memcpy(value, &id, sizeof(id));
	return 0;
}

const struct bpfvm_map_ops bpfvm_array_of_maps_map_ops = {
	.alloc_check = array_of_maps_alloc_check,
	.alloc = array_of_maps_alloc,
	.free = bpfvm_fd_array_free,
	.lookup = array_of_maps_lookup,
	.update = array_of_maps_update,
	.delete = bpfvm_fd_array_delete,
	.get_next_key = bpfvm_array_get_next_key,
	.sys_lookup = array_of_maps_sys_lookup,
	.sys_update = array_of_maps_sys_update,
};
