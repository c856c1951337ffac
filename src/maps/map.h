/*
 * Maps: the common header every map type embeds, and the ops table each map
 * type provides (one file per family, one table entry per type in
 * maps/map_types.c). The command layer (sys/) and the helpers (helpers/)
 * reach map types only through these ops.
 *
 * Errors are negative errnos, as the kernel's map ops return them.
 */
#ifndef BPFVM_MAPS_MAP_H
#define BPFVM_MAPS_MAP_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "core/kerrno.h"

struct bpfvm;
struct bpfvm_map;
struct bpfvm_prog;

struct bpfvm_map_ops {
	/* MAP_CREATE: check the attributes (the kernel's map_alloc_check and
	 * the checks at the top of each map_alloc), then allocate. alloc
	 * returns the type's struct (which starts with struct bpfvm_map) or
	 * NULL with *err set; the caller fills in the common fields. */
	int (*alloc_check)(struct bpfvm *vm, const union bpf_attr *attr);
	struct bpfvm_map *(*alloc)(struct bpfvm *vm, const union bpf_attr *attr, int *err);
	void (*free)(struct bpfvm_map *map);
	/* The last user reference (fd or pin) is gone: prog arrays drop their
	 * programs here, breaking reference cycles, as the kernel does. */
	void (*release_uref)(struct bpfvm_map *map);

	/* Program side (helpers). lookup returns a pointer into the map (for
	 * per-CPU maps, the slot of `cpu`) or NULL. update/delete/push/pop/peek
	 * return 0 or -errno. */
	void *(*lookup)(struct bpfvm_map *map, const void *key, uint32_t cpu);
	int (*update)(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags, uint32_t cpu);
	int (*delete)(struct bpfvm_map *map, const void *key);
	int (*push)(struct bpfvm_map *map, const void *value, uint64_t flags);
	int (*pop)(struct bpfvm_map *map, void *value);
	int (*peek)(struct bpfvm_map *map, void *value);

	/* Command side. get_next_key: key NULL or absent -> first key;
	 * -ENOENT after the last. sys_lookup/sys_update copy the value as the
	 * syscall sees it: for per-CPU maps, every CPU's slot, each rounded up
	 * to 8 bytes (bpfvm_map_sys_value_size); for fd maps, an id out and an
	 * fd in. NULL means: generic (lookup + copy, update). */
	int (*get_next_key)(struct bpfvm_map *map, const void *key, void *next_key);
	int (*sys_lookup)(struct bpfvm_map *map, const void *key, void *value, uint64_t flags);
	int (*sys_update)(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags);
	int (*sys_lookup_and_delete)(struct bpfvm_map *map, const void *key, void *value);

	/* BPF_PSEUDO_MAP_VALUE: the address of the (single) value that
	 * LD_IMM64 may point into (global data); NULL if the type has none. */
	void *(*direct_value_addr)(struct bpfvm_map *map);
};

struct bpfvm_map {
	const struct bpfvm_map_ops *ops;
	struct bpfvm *vm;
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint32_t id;                    /* 0 until published */
	uint32_t btf_id;                /* 0: no BTF */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	int32_t spin_lock_off;          /* offset of struct bpf_spin_lock in the value, or -1 */
	uint32_t ncpus;                 /* per-CPU maps: slots per element */
	char name[BPF_OBJ_NAME_LEN];
	atomic_long refcnt;             /* fds, pins, programs, outer maps */
	atomic_long usercnt;            /* fds and pins only */
	struct bpfvm_map *inner_meta;   /* map-in-map: template of inner maps */
	void *btf;                      /* struct bpfvm_btf *, held */
};

/* The table of map types: ops per enum bpf_map_type (NULL: unsupported). */
extern const struct bpfvm_map_ops *const bpfvm_map_types[];
extern const unsigned int bpfvm_map_types_count;

/* Reference counting. put frees the map when the last reference goes. */
void bpfvm_map_get(struct bpfvm_map *map);
void bpfvm_map_put(struct bpfvm_map *map);
void bpfvm_map_get_uref(struct bpfvm_map *map);   /* refcnt and usercnt */
void bpfvm_map_put_uref(struct bpfvm_map *map);

/* Create a map from MAP_CREATE attributes (everything but fd and id). */
int bpfvm_map_create(struct bpfvm *vm, const union bpf_attr *attr, struct bpfvm_map **out);

static inline int bpfvm_map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}
static inline uint32_t bpfvm_round_up8(uint32_t v)
{
	return (v + 7u) & ~7u;
}
/* Size of a value as MAP_LOOKUP_ELEM / MAP_UPDATE_ELEM copy it. */
uint32_t bpfvm_map_sys_value_size(const struct bpfvm_map *map);

/* Copies a value into a map slot, skipping the bpf_spin_lock field (the
 * kernel's copy_map_value: the lock word is never overwritten from outside). */
void bpfvm_map_copy_value(const struct bpfvm_map *map, void *dst, const void *src);
/* BPF_F_LOCK copies: with the value's spin lock held. */
void bpfvm_map_copy_value_locked(const struct bpfvm_map *map, void *dst, const void *src, int to_map);

/* The bpf_spin_lock of the v5.1 ABI: a 4-byte word in map values. */
void bpfvm_spin_lock(struct bpf_spin_lock *lock);
void bpfvm_spin_unlock(struct bpf_spin_lock *lock);
/* Takes the lock unless it stays held for wait_ns; 1 if taken. */
int bpfvm_spin_trylock_for(struct bpf_spin_lock *lock, long long wait_ns);

/* Hooks into the command layer for fd maps (prog arrays, map-in-map):
 * resolve an fd of the vm to a referenced object, or -EBADF/-EINVAL. */
int bpfvm_sys_fd_to_map(struct bpfvm *vm, int fd, struct bpfvm_map **out);
int bpfvm_sys_fd_to_prog(struct bpfvm *vm, int fd, struct bpfvm_prog **out);
void bpfvm_prog_get(struct bpfvm_prog *prog);
void bpfvm_prog_put(struct bpfvm_prog *prog);
uint32_t bpfvm_prog_id(const struct bpfvm_prog *prog);
uint32_t bpfvm_prog_type(const struct bpfvm_prog *prog);
struct bpfvm_code;
/* The code a tail call into `prog` runs. */
const struct bpfvm_code *bpfvm_prog_code(const struct bpfvm_prog *prog);
/* Prog arrays: the program at `index` (for tail calls), or NULL. */
const struct bpfvm_prog *bpfvm_prog_array_get(struct bpfvm_map *map, uint64_t index);


static inline uint32_t bpfvm_map_key_size(const struct bpfvm_map *m) { return m->key_size; }
static inline uint32_t bpfvm_map_value_size(const struct bpfvm_map *m) { return m->value_size; }

/* Shared with the command layer. */
int bpfvm_obj_name_check(const char *src, char *dst);
void bpfvm_btf_put(void *btf);
#endif
