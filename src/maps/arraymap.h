/*
 * Internal interface of the array family (maps/arraymap.c): plain and
 * per-CPU arrays, and the "fd array" core that prog arrays, perf event
 * arrays and arrays of maps are built on (as the kernel builds them on
 * struct bpf_array). Also the deferred-release list that the map types
 * holding objects use, and the kernel size limits several families check.
 */
#ifndef BPFVM_MAPS_ARRAYMAP_H
#define BPFVM_MAPS_ARRAYMAP_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "maps/map.h"

/* ---- kernel limits (x86-64, SLUB, 4 KiB pages, Linux v5.1) ---------------- */

#define BPFVM_K_PAGE_SIZE 4096u
/* KMALLOC_MAX_SIZE: 1 << (MAX_ORDER + PAGE_SHIFT - 1). */
#define BPFVM_K_KMALLOC_MAX_SIZE (1u << 22)
/* The largest per-CPU allocation (PCPU_MIN_UNIT_SIZE). */
#define BPFVM_K_PCPU_MIN_UNIT_SIZE 32768u
/* Memory-cost checks compare against U32_MAX - PAGE_SIZE, counting the
 * kernel's struct sizes (all 256: struct bpf_map is 192 bytes and cache-line
 * aligned, and each map struct adds a few fields). */
#define BPFVM_K_COST_LIMIT (UINT32_MAX - BPFVM_K_PAGE_SIZE)
#define BPFVM_K_MAP_STRUCT_SIZE 256u

/* ---- plain and per-CPU arrays ---------------------------------------------- */

/* For inlining ARRAY lookups in the interpreter or a JIT (the kernel's
 * map_gen_lookup): element i lives at base + i * elem_size for
 * i < max_entries. NULL (and *elem_size 0) for any other map type, per-CPU
 * arrays included (the kernel does not inline those either). */
void *bpfvm_array_elem_base(struct bpfvm_map *map, uint32_t *elem_size);

/* array_map_alloc_check of v5.1, shared by every array-like type. */
int bpfvm_array_alloc_check(const union bpf_attr *attr);
/* fd_array_map_alloc_check: value_size must be 4 (an fd), then the above. */
int bpfvm_fd_array_alloc_check(const union bpf_attr *attr);
/* array_map_get_next_key: NULL or out of range -> 0; after the last -> -ENOENT. */
int bpfvm_array_get_next_key(struct bpfvm_map *map, const void *key, void *next_key);

/* ---- deferred release ----------------------------------------------------- */

/* The kernel frees what a map drops (a replaced program, an inner map, a trie
 * node) only after an RCU grace period, because a program running on another
 * CPU may still be using it. bpfvm has no grace-period tracking yet, so a map
 * keeps dropped objects for BPFVM_DEFER_NS before releasing them: far longer
 * than a program run (v5.1 programs have no loops). Released on the next
 * drop after that, on release_uref (prog arrays: cycles must break) and on
 * free. Replace with a vm-wide grace period when the core has one. */
#define BPFVM_DEFER_NS 100000000ull

struct bpfvm_defer_ent;
struct bpfvm_defer {
	pthread_mutex_t lock;
	struct bpfvm_defer_ent *head, *tail;
};
void bpfvm_defer_init(struct bpfvm_defer *d);
/* Calls release(obj) once it has waited BPFVM_DEFER_NS (immediately if
 * memory for the entry cannot be had). */
void bpfvm_defer_release(struct bpfvm_defer *d, void *obj, void (*release)(void *obj));
/* Releases what has waited long enough, or everything if `all`. */
void bpfvm_defer_reap(struct bpfvm_defer *d, int all);
void bpfvm_defer_fini(struct bpfvm_defer *d);

/* ---- fd arrays ------------------------------------------------------------ */

/* Slots of referenced objects (programs, perf events, maps), read without a
 * lock by programs and replaced atomically by commands. */
struct bpfvm_fd_array {
	struct bpfvm_map map;
	void (*put)(void *obj);                 /* drops a slot's reference */
	struct bpfvm_defer defer;
	/* PROG_ARRAY: the first program stored (or checked by the loader)
	 * fixes the type and JIT-ness of all (bpf_prog_array_compatible). */
	atomic_uint owner_prog_type;            /* 0: no owner yet */
	uint32_t owner_jited;
	/* PERF_EVENT_ARRAY: ids of the events opened on this map. */
	atomic_ulong next_event_id;
	_Atomic(void *) ptrs[];
};

static inline struct bpfvm_fd_array *bpfvm_fd_array(struct bpfvm_map *map)
{
	return (struct bpfvm_fd_array *)map;
}

/* Allocates an fd array for MAP_CREATE (after bpfvm_fd_array_alloc_check),
 * with the kernel's size checks (-ENOMEM). */
struct bpfvm_map *bpfvm_fd_array_alloc(struct bpfvm *vm, const union bpf_attr *attr,
				       void (*put)(void *obj), int *err);
/* Drops every slot, then frees the map. */
void bpfvm_fd_array_free(struct bpfvm_map *map);
/* The checks of bpf_fd_array_map_update_elem before the fd is resolved:
 * flags other than BPF_ANY -> -EINVAL; index out of range -> -E2BIG. */
int bpfvm_fd_array_update_check(struct bpfvm_map *map, const void *key, uint64_t flags);
/* Stores a referenced object in slot `index` (checked); the replaced one
 * is released after a grace period. */
void bpfvm_fd_array_set(struct bpfvm_map *map, uint32_t index, void *obj);
/* Replaces slot `index` by NULL if it still holds `obj`; 1 if it did. */
int bpfvm_fd_array_remove_if(struct bpfvm_map *map, uint32_t index, void *obj);
/* fd_array_map_delete_elem: -E2BIG out of range, -ENOENT if empty. */
int bpfvm_fd_array_delete(struct bpfvm_map *map, const void *key);
/* Empties every slot (bpf_fd_array_map_clear). */
void bpfvm_fd_array_clear(struct bpfvm_map *map);

static inline void *bpfvm_fd_array_get(struct bpfvm_map *map, uint32_t index)
{
	if (index >= map->max_entries)
		return NULL;
	return atomic_load_explicit(&bpfvm_fd_array(map)->ptrs[index], memory_order_acquire);
}

/* ---- prog arrays (maps/prog_array.c) ------------------------------------ */

/* bpf_prog_array_compatible: 1 if `prog` may be stored in (or tail-call
 * through) the prog array; the first program seen becomes the owner. For
 * the loader to call on every PROG_ARRAY a new program uses, as the
 * kernel's bpf_check_tail_call does. */
int bpfvm_prog_array_compatible(struct bpfvm_map *map, const struct bpfvm_prog *prog);

/* ---- map sides of helpers (helpers/perf_stack.c) ------------------------------ */

/* __bpf_perf_event_output for a program running on `cpu`, flags already
 * checked (BPF_F_INDEX_MASK bits only): index (BPF_F_CURRENT_CPU: the cpu)
 * out of range -> -E2BIG, empty slot -> -ENOENT, event of another CPU ->
 * -EOPNOTSUPP, ring full -> -ENOSPC (counted lost). (maps/perf_event_array.c) */
int bpfvm_perf_event_output(struct bpfvm_map *map, uint64_t flags, uint32_t cpu, const void *data,
			    uint64_t size);

/* The map side of bpf_get_stackid (maps/stackmap.c): `ips` are the frames
 * left after truncation and skipping (nr >= 1); flags are the helper's
 * (BPF_F_USER_STACK, BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID matter).
 * Returns the stack id or -EEXIST, -ENOMEM. */
int bpfvm_stackmap_get_stackid(struct bpfvm_map *map, const uint64_t *ips, uint32_t nr, uint64_t flags);
/* Frames a stack map's values hold: value_size / (8 or, with
 * BPF_F_STACK_BUILD_ID, sizeof(struct bpf_stack_build_id)). */
uint32_t bpfvm_stackmap_max_depth(const struct bpfvm_map *map);
/* sysctl_perf_event_max_stack's default (PERF_MAX_STACK_DEPTH). */
#define BPFVM_K_PERF_MAX_STACK 127u
/* Fills build-id frames for `ips` as stack_map_get_build_id_offset does
 * where no user memory can be read: status BPF_STACK_BUILD_ID_IP, the ip,
 * a zero build id. */
void bpfvm_stack_build_id_from_ips(struct bpf_stack_build_id *out, const uint64_t *ips, uint32_t nr);
#endif

