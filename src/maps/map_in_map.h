/*
 * Map-in-map support shared by ARRAY_OF_MAPS (map_in_map.c) and
 * HASH_OF_MAPS (hashtab.c): the inner-map template ("meta") an outer map
 * keeps in map->inner_meta, and the rule an inner map must satisfy to be
 * stored (the kernel's bpf_map_meta_alloc / bpf_map_meta_equal /
 * bpf_map_fd_get_ptr of v5.1).
 *
 * The meta is, as in the kernel, a copy of the template's attributes, not a
 * reference to the template map: closing the template's fd frees it. The
 * copy is a struct bpfvm_map of refcnt 1 and id 0 whose ops
 * (bpfvm_map_meta_ops) only free it, so bpfvm_map_put() of the outer map
 * releases it like any map. Its ops are NOT the template type's ops: to
 * reach the type's behaviour use bpfvm_map_types[meta->map_type].
 */
#ifndef BPFVM_MAPS_MAP_IN_MAP_H
#define BPFVM_MAPS_MAP_IN_MAP_H
#include <stdint.h>
#include "maps/map.h"

struct bpfvm;

extern const struct bpfvm_map_ops bpfvm_map_meta_ops;

/* From MAP_CREATE's inner_map_fd: builds the template. Errors, in the
 * kernel's order: the fd's (-EBADF: no such fd; -EINVAL: not a map),
 * -ENOTSUPP if the template is a PROG_ARRAY or a cgroup storage, -EINVAL if
 * it is itself a map-in-map, -ENOTSUPP if its value holds a bpf_spin_lock,
 * -ENOMEM. Call it from alloc, after the outer type's own alloc_check (the
 * kernel resolves inner_map_fd in map_alloc). */
int bpfvm_map_meta_alloc(struct bpfvm *vm, int inner_fd, struct bpfvm_map **meta);
void bpfvm_map_meta_free(struct bpfvm_map *meta);

/* 1 if `inner` may be stored in an outer map whose template is `meta`
 * (bpf_map_meta_equal: same map_type, key_size, value_size, map_flags and
 * max_entries), else 0. */
int bpfvm_map_meta_compatible(const struct bpfvm_map *meta, const struct bpfvm_map *inner);

/* Syscall update of an outer map: `value` points to a u32 map fd. Returns
 * in *inner a referenced map (bpfvm_map_get; drop with bpfvm_map_put) that
 * is compatible with outer->inner_meta. Errors: -EBADF, -EINVAL (not a map,
 * or incompatible). The caller checks flags and the key first, as the
 * kernel does. */
int bpfvm_map_fd_get_inner(struct bpfvm_map *outer, const void *value, struct bpfvm_map **inner);

/* Syscall lookup of an outer map: the value is the inner map's id. */
static inline uint32_t bpfvm_map_fd_sys_lookup(const struct bpfvm_map *inner)
{
	return inner->id;
}
#endif
