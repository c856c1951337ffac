/*
 * BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK (the kernel's
 * kernel/bpf/queue_stack_maps.c of v5.1): keyless maps of max_entries
 * values, used through push/pop/peek (bpf_map_push_elem and friends from
 * programs; MAP_UPDATE_ELEM, MAP_LOOKUP_ELEM and MAP_LOOKUP_AND_DELETE_ELEM
 * from user space).
 *
 * One circular buffer of max_entries + 1 slots (one stays free to tell full
 * from empty): push writes at head, a queue takes from tail, a stack from
 * head - 1. A mutex per map stands for the kernel's raw spinlock.
 */
#include "maps/arraymap.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_STACK_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

struct queue_stack {
	struct bpfvm_map map;
	pthread_mutex_t lock;
	uint32_t head, tail;
	uint32_t size;                  /* max_entries + 1 */
	_Alignas(8) uint8_t elements[];
};

static inline struct queue_stack *to_qs(struct bpfvm_map *map)
{
	return (struct queue_stack *)map;
}

static int qs_empty(const struct queue_stack *qs)
{
	return qs->head == qs->tail;
}

static int qs_full(const struct queue_stack *qs)
{
	uint32_t head = qs->head + 1;
	if (head >= qs->size)
		head = 0;
	return head == qs->tail;
}

/* queue_stack_map_alloc_check: no key, a value, some entries, known flags
 * (BPF_F_NO_PREALLOC is not one) -> else -EINVAL; a value user space could
 * not copy -> -E2BIG. */
static int qs_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	if (attr->max_entries == 0 || attr->key_size != 0 || attr->value_size == 0 ||
	    (attr->map_flags & ~QUEUE_STACK_CREATE_FLAG_MASK))
		return -EINVAL;
	if (attr->value_size > BPFVM_K_KMALLOC_MAX_SIZE)
		return -E2BIG;
	return 0;
}

static struct bpfvm_map *qs_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	uint64_t size = (uint64_t)attr->max_entries + 1;
	uint64_t bytes = size * attr->value_size;
	/* queue_stack_map_alloc's cost limit. */
	if (BPFVM_K_MAP_STRUCT_SIZE + bytes >= BPFVM_K_COST_LIMIT) {
		*err = -E2BIG;
		return NULL;
	}
	struct queue_stack *qs = calloc(1, sizeof(*qs) + bytes);
	if (!qs) {
		*err = -ENOMEM;
		return NULL;
	}
	qs->size = (uint32_t)size;
	pthread_mutex_init(&qs->lock, NULL);
	return &qs->map;
}

static void qs_free(struct bpfvm_map *map)
{
	pthread_mutex_destroy(&to_qs(map)->lock);
	free(map);
}

static inline uint8_t *slot(struct queue_stack *qs, uint32_t i)
{
	return qs->elements + (size_t)i * qs->map.value_size;
}

/* Pop or peek. On an empty map the value is zeroed and -ENOENT returned. */
static int qs_get(struct bpfvm_map *map, void *value, int is_stack, int remove)
{
	struct queue_stack *qs = to_qs(map);
	int rc = 0;
	pthread_mutex_lock(&qs->lock);
	if (qs_empty(qs)) {
		memset(value, 0, map->value_size);
		rc = -ENOENT;
	} else if (is_stack) {
		uint32_t index = qs->head ? qs->head - 1 : qs->size - 1;
		memcpy(value, slot(qs, index), map->value_size);
		if (remove)
			qs->head = index;
	} else {
		memcpy(value, slot(qs, qs->tail), map->value_size);
		if (remove && ++qs->tail >= qs->size)
			qs->tail = 0;
	}
	pthread_mutex_unlock(&qs->lock);
	return rc;
}

static int queue_pop(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, 0, 1);
}

static int queue_peek(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, 0, 0);
}

static int stack_pop(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, 1, 1);
}

static int stack_peek(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, 1, 0);
}

/* queue_stack_map_push_elem: BPF_ANY, or BPF_EXIST to make room in a full
 * map by dropping the oldest element (the queue's head of line, the
 * stack's bottom); a full map otherwise gives -E2BIG. */
static int qs_push(struct bpfvm_map *map, const void *value, uint64_t flags)
{
	struct queue_stack *qs = to_qs(map);
	if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
		return -EINVAL;
	int rc = 0;
	pthread_mutex_lock(&qs->lock);
	if (qs_full(qs)) {
		if (!(flags & BPF_EXIST)) {
			rc = -E2BIG;
			goto out;
		}
		if (++qs->tail >= qs->size)
			qs->tail = 0;
	}
	memcpy(slot(qs, qs->head), value, map->value_size);
	if (++qs->head >= qs->size)
		qs->head = 0;
out:
	pthread_mutex_unlock(&qs->lock);
	return rc;
}

/* The key-value operations exist only to fail. */
static void *qs_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return NULL;
}

static int qs_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags, uint32_t cpu)
{
	return -EINVAL;
}

static int qs_delete(struct bpfvm_map *map, const void *key)
{
	return -EINVAL;
}

static int qs_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	return -EINVAL;
}

/* The syscall's view: MAP_LOOKUP_ELEM peeks, MAP_UPDATE_ELEM pushes with
 * attr->flags, MAP_LOOKUP_AND_DELETE_ELEM pops. */
static int queue_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	return queue_peek(map, value);
}

static int stack_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	return stack_peek(map, value);
}

static int qs_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	return qs_push(map, value, flags);
}

static int queue_sys_pop(struct bpfvm_map *map, const void *key, void *value)
{
	return queue_pop(map, value);
}

static int stack_sys_pop(struct bpfvm_map *map, const void *key, void *value)
{
	return stack_pop(map, value);
}

const struct bpfvm_map_ops bpfvm_queue_map_ops = {
	.alloc_check = qs_alloc_check,
	.alloc = qs_alloc,
	.free = qs_free,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.push = qs_push,
	.pop = queue_pop,
	.peek = queue_peek,
	.get_next_key = qs_get_next_key,
	.sys_lookup = queue_sys_lookup,
	.sys_update = qs_sys_update,
	.sys_lookup_and_delete = queue_sys_pop,
};

const struct bpfvm_map_ops bpfvm_stack_map_ops = {
	.alloc_check = qs_alloc_check,
	.alloc = qs_alloc,
	.free = qs_free,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.push = qs_push,
	.pop = stack_pop,
	.peek = stack_peek,
	.get_next_key = qs_get_next_key,
	.sys_lookup = stack_sys_lookup,
	.sys_update = qs_sys_update,
	.sys_lookup_and_delete = stack_sys_pop,
};
