/*
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (the kernel's
 * kernel/bpf/arraymap.c of v5.1), and what the other array-like types share:
 * the creation checks, get_next_key, the fd-array core and the deferred
 * release of dropped objects.
 *
 * Values are preallocated and zeroed, each element elem_size =
 * round_up(value_size, 8) bytes, element i at i * elem_size: programs (and
 * inlined lookups) rely on that layout. Lookups take no lock; programs read
 * and write values in place, as in the kernel.
 *
 * Per-CPU arrays keep one block of max_entries elements per CPU (slot of
 * element i on cpu c at (c * max_entries + i) * elem_size), so that CPUs
 * updating the same element do not share cache lines.
 */
#include "maps/arraymap.h"
#include "core/vm.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bpfvm_array {
	struct bpfvm_map map;
	uint32_t elem_size;
	uint32_t ncpus;                 /* PERCPU_ARRAY: blocks; else 1 */
	_Alignas(8) uint8_t value[];
};

static inline struct bpfvm_array *to_array(struct bpfvm_map *map)
{
	return (struct bpfvm_array *)map;
}

/* ---- creation ------------------------------------------------------------ */

#define ARRAY_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

int bpfvm_array_alloc_check(const union bpf_attr *attr)
{
	int percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	/* A per-CPU array cannot be bound to a NUMA node (node -1, "none",
	 * passes, as bpf_map_attr_numa_node makes it NUMA_NO_NODE). */
	int numa = (attr->map_flags & BPF_F_NUMA_NODE) && (int32_t)attr->numa_node != -1;
	if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0 ||
	    (attr->map_flags & ~ARRAY_CREATE_FLAG_MASK) || (percpu && numa))
		return -EINVAL;
	/* Larger values could not be copied to or from user space. */
	if (attr->value_size > BPFVM_K_KMALLOC_MAX_SIZE)
		return -E2BIG;
	return 0;
}

int bpfvm_fd_array_alloc_check(const union bpf_attr *attr)
{
	if (attr->value_size != sizeof(uint32_t))
		return -EINVAL;
	return bpfvm_array_alloc_check(attr);
}

static int array_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	return bpfvm_array_alloc_check(attr);
}

/* The memory-cost rule of array_map_alloc: the array (for per-CPU maps, its
 * pointer table) must stay below U32_MAX - PAGE_SIZE, and for per-CPU maps
 * also everything the CPUs' copies add; else -ENOMEM. */
static int array_cost_ok(uint32_t max_entries, uint32_t elem_size, int percpu, uint32_t ncpus)
{
	uint64_t cost = BPFVM_K_MAP_STRUCT_SIZE + (uint64_t)max_entries * (percpu ? 8u : elem_size);
	if (cost >= BPFVM_K_COST_LIMIT)
		return 0;
	if (percpu) {
		cost += (uint64_t)max_entries * elem_size * ncpus;
		if (cost >= BPFVM_K_COST_LIMIT)
			return 0;
	}
	return 1;
}

static struct bpfvm_map *array_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	int percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	uint32_t elem_size = bpfvm_round_up8(attr->value_size);
	uint32_t ncpus = percpu ? vm->ncpus : 1;
	*err = -ENOMEM;
	if (!array_cost_ok(attr->max_entries, elem_size, percpu, ncpus))
		return NULL;
	/* The per-CPU allocator refuses units above PCPU_MIN_UNIT_SIZE. */
	if (percpu && elem_size > BPFVM_K_PCPU_MIN_UNIT_SIZE)
		return NULL;
	size_t bytes = (size_t)attr->max_entries * elem_size * ncpus;
	struct bpfvm_array *a = calloc(1, sizeof(*a) + bytes);
	if (!a)
		return NULL;
	a->elem_size = elem_size;
	a->ncpus = ncpus;
	return &a->map;
}

static void array_free(struct bpfvm_map *map)
{
	free(map);
}

void *bpfvm_array_elem_base(struct bpfvm_map *map, uint32_t *elem_size)
{
	if (map->map_type != BPF_MAP_TYPE_ARRAY) {
		*elem_size = 0;
		return NULL;
	}
	*elem_size = to_array(map)->elem_size;
	return to_array(map)->value;
}

/* ---- element access --------------------------------------------------------- */

static inline uint8_t *elem(struct bpfvm_array *a, uint32_t index, uint32_t cpu)
{
	return a->value + ((size_t)cpu * a->map.max_entries + index) * a->elem_size;
}

static void *array_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		return NULL;
	return elem(to_array(map), index, 0);
}

static void *percpu_array_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct bpfvm_array *a = to_array(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries || cpu >= a->ncpus)
		return NULL;
	return elem(a, index, cpu);
}

/* array_map_update_elem (programs and, for ARRAY, the syscall). The order of
 * the checks is the kernel's: unknown flags, index, NOEXIST, then BPF_F_LOCK
 * on a value without a spin lock. */
static int array_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			uint32_t cpu)
{
	struct bpfvm_array *a = to_array(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;              /* every element exists: none can be added */
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	if (map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		if (cpu >= a->ncpus)
			return -EINVAL;
		memcpy(elem(a, index, cpu), value, map->value_size);
	} else if (flags & BPF_F_LOCK) {
		bpfvm_map_copy_value_locked(map, elem(a, index, 0), value, 1);
	} else {
		bpfvm_map_copy_value(map, elem(a, index, 0), value);
	}
	return 0;
}

static int array_delete(struct bpfvm_map *map, const void *key)
{
	return -EINVAL;             /* elements of an array cannot be removed */
}

int bpfvm_array_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	uint32_t index = UINT32_MAX, next;
	if (key)
		memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		next = 0;
	else if (index == map->max_entries - 1)
		return -ENOENT;
	else
		next = index + 1;
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

/* bpf_percpu_array_copy: every CPU's slot, each round_up(value_size, 8)
 * bytes (the padding is zero or what user space wrote there). */
static int percpu_array_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct bpfvm_array *a = to_array(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		return -ENOENT;
	for (uint32_t cpu = 0; cpu < a->ncpus; cpu++)
		memcpy((uint8_t *)value + (size_t)cpu * a->elem_size, elem(a, index, cpu), a->elem_size);
	return 0;
}

/* bpf_percpu_array_update: BPF_F_LOCK is an unknown flag here. */
static int percpu_array_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	struct bpfvm_array *a = to_array(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST;
	for (uint32_t cpu = 0; cpu < a->ncpus; cpu++)
		memcpy(elem(a, index, cpu), (const uint8_t *)value + (size_t)cpu * a->elem_size, a->elem_size);
	return 0;
}

/* BPF_PSEUDO_MAP_VALUE (global data): LD_IMM64 may point into the value of
 * an array with a single element (array_map_direct_value_addr, 5.2). */
static void *array_direct_value_addr(struct bpfvm_map *map)
{
	return map->max_entries == 1 ? elem(to_array(map), 0, 0) : NULL;
}

const struct bpfvm_map_ops bpfvm_array_map_ops = {
	.direct_value_addr = array_direct_value_addr,
	.alloc_check = array_alloc_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = bpfvm_array_get_next_key,
};

const struct bpfvm_map_ops bpfvm_percpu_array_map_ops = {
	.alloc_check = array_alloc_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup = percpu_array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = bpfvm_array_get_next_key,
	.sys_lookup = percpu_array_sys_lookup,
	.sys_update = percpu_array_sys_update,
};

/* ---- deferred release --------------------------------------------------- */

struct bpfvm_defer_ent {
	struct bpfvm_defer_ent *next;
	void *obj;
	void (*release)(void *obj);
	uint64_t when;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bpfvm_defer_init(struct bpfvm_defer *d)
{
	pthread_mutex_init(&d->lock, NULL);
	d->head = d->tail = NULL;
}

/* Unlinks the entries that are due under the lock, releases them outside it
 * (a release may drop the last reference of an object that puts maps). */
static void reap(struct bpfvm_defer *d, int all, uint64_t now)
{
	struct bpfvm_defer_ent *due = NULL, **tailp = &due;
	pthread_mutex_lock(&d->lock);
	while (d->head && (all || now - d->head->when >= BPFVM_DEFER_NS)) {
		struct bpfvm_defer_ent *e = d->head;
		d->head = e->next;
		e->next = NULL;
		*tailp = e;
		tailp = &e->next;
	}
	if (!d->head)
		d->tail = NULL;
	pthread_mutex_unlock(&d->lock);
	while (due) {
		struct bpfvm_defer_ent *e = due;
		due = e->next;
		e->release(e->obj);
		free(e);
	}
}

void bpfvm_defer_release(struct bpfvm_defer *d, void *obj, void (*release)(void *obj))
{
	uint64_t now = now_ns();
	struct bpfvm_defer_ent *e = malloc(sizeof(*e));
	if (e) {
		e->next = NULL;
		e->obj = obj;
		e->release = release;
		e->when = now;
		pthread_mutex_lock(&d->lock);
		if (d->tail)
			d->tail->next = e;
		else
			d->head = e;
		d->tail = e;
		pthread_mutex_unlock(&d->lock);
	}
	reap(d, 0, now);
	if (!e)
		release(obj);
}

void bpfvm_defer_reap(struct bpfvm_defer *d, int all)
{
	reap(d, all, now_ns());
}

void bpfvm_defer_fini(struct bpfvm_defer *d)
{
	reap(d, 1, 0);
	pthread_mutex_destroy(&d->lock);
}

/* ---- fd arrays ---------------------------------------------------------------- */

struct bpfvm_map *bpfvm_fd_array_alloc(struct bpfvm *vm, const union bpf_attr *attr,
				       void (*put)(void *obj), int *err)
{
	*err = -ENOMEM;
	/* array_map_alloc with value_size 4: 8-byte elements. */
	if (!array_cost_ok(attr->max_entries, 8, 0, 1))
		return NULL;
	struct bpfvm_fd_array *a = calloc(1, sizeof(*a) + (size_t)attr->max_entries * sizeof(a->ptrs[0]));
	if (!a)
		return NULL;
	for (uint32_t i = 0; i < attr->max_entries; i++)
		atomic_init(&a->ptrs[i], NULL);
	a->put = put;
	bpfvm_defer_init(&a->defer);
	atomic_init(&a->owner_prog_type, 0);
	atomic_init(&a->next_event_id, 1);
	return &a->map;
}

void bpfvm_fd_array_free(struct bpfvm_map *map)
{
	struct bpfvm_fd_array *a = bpfvm_fd_array(map);
	/* No program can run with this map any more: drop at once. */
	for (uint32_t i = 0; i < map->max_entries; i++) {
		void *old = atomic_exchange(&a->ptrs[i], NULL);
		if (old)
			a->put(old);
	}
	bpfvm_defer_fini(&a->defer);
	free(a);
}

int bpfvm_fd_array_update_check(struct bpfvm_map *map, const void *key, uint64_t flags)
{
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	return 0;
}

void bpfvm_fd_array_set(struct bpfvm_map *map, uint32_t index, void *obj)
{
	struct bpfvm_fd_array *a = bpfvm_fd_array(map);
	void *old = atomic_exchange(&a->ptrs[index], obj);
	if (old)
		bpfvm_defer_release(&a->defer, old, a->put);
}

int bpfvm_fd_array_remove_if(struct bpfvm_map *map, uint32_t index, void *obj)
{
	struct bpfvm_fd_array *a = bpfvm_fd_array(map);
	void *expected = obj;
	if (index >= map->max_entries || !atomic_compare_exchange_strong(&a->ptrs[index], &expected, NULL))
		return 0;
	bpfvm_defer_release(&a->defer, obj, a->put);
	return 1;
}

int bpfvm_fd_array_delete(struct bpfvm_map *map, const void *key)
{
	struct bpfvm_fd_array *a = bpfvm_fd_array(map);
	uint32_t index;
	memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		return -E2BIG;
	void *old = atomic_exchange(&a->ptrs[index], NULL);
	if (!old)
		return -ENOENT;
	bpfvm_defer_release(&a->defer, old, a->put);
	return 0;
}

void bpfvm_fd_array_clear(struct bpfvm_map *map)
{
	for (uint32_t i = 0; i < map->max_entries; i++)
		bpfvm_fd_array_delete(map, &i);
}
