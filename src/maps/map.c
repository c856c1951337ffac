/* Map dispatch and what all map types share: creation checks common to all
 * types (the kernel's map_create), reference counting, value copies that
 * respect bpf_spin_lock, and the ABI's spin lock itself. */
#include "maps/map.h"
#include "core/vm.h"
#include "progs/net.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fields of union bpf_attr that MAP_CREATE reads in v5.1; anything after the
 * last one must be zero (the kernel's CHECK_ATTR). */
#define MAP_CREATE_END (offsetof(union bpf_attr, btf_value_type_id) + sizeof(uint32_t))

static int attr_tail_zero(const union bpf_attr *attr, size_t end)
{
	const uint8_t *p = (const uint8_t *)attr;
	for (size_t i = end; i < sizeof(*attr); i++)
		if (p[i])
			return 0;
	return 1;
}

/* The kernel's isalnum() over Latin-1: its ctype table makes 0xc0-0xff
 * letters, but for the multiplication and division signs. */
static int kernel_isalnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}

/* Object names: up to 15 characters of isalnum, '_' and '.', NUL-terminated
 * (bpf_obj_name_cpy; '.' is allowed from 5.2 on, for libbpf's ".rodata"
 * style names, and we allow it too). */
int bpfvm_obj_name_check(const char *src, char *dst)
{
	size_t i;
	for (i = 0; i < BPF_OBJ_NAME_LEN; i++) {
		unsigned char c = (unsigned char)src[i];
		if (!c)
			break;
		if (!kernel_isalnum(c) && c != '_' && c != '.')
			return -EINVAL;
	}
	if (i == BPF_OBJ_NAME_LEN)
		return -EINVAL;
	memset(dst, 0, BPF_OBJ_NAME_LEN);
	memcpy(dst, src, i);
	return 0;
}

int bpfvm_map_create(struct bpfvm *vm, const union bpf_attr *attr, struct bpfvm_map **out)
{
	*out = NULL;
	if (!attr_tail_zero(attr, MAP_CREATE_END))
		return -EINVAL;
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return -EINVAL;
	/* One NUMA node (0) exists; -1 means none (bpf_map_attr_numa_node). */
	if ((attr->map_flags & BPF_F_NUMA_NODE) && attr->numa_node != 0 && (int32_t)attr->numa_node != -1)
		return -EINVAL;
	if (attr->map_type >= bpfvm_map_types_count || !bpfvm_map_types[attr->map_type])
		return -EINVAL;
	const struct bpfvm_map_ops *ops = bpfvm_map_types[attr->map_type];
	if (ops->alloc_check) {
		int rc = ops->alloc_check(vm, attr);
		if (rc < 0)
			return rc;
	}
	/* After the type's checks, a device-bound map goes to the offload ops
	 * (bpf_map_offload_map_alloc): only arrays and hashes, on a device
	 * that can offload; no device of the vm can. */
	if (attr->map_ifindex) {
		if (attr->map_type != BPF_MAP_TYPE_ARRAY && attr->map_type != BPF_MAP_TYPE_HASH)
			return -EINVAL;
		return bpfvm_net_dev_exists(vm, attr->map_ifindex) ? -EOPNOTSUPP : -EINVAL;
	}
	int err = -ENOMEM;
	struct bpfvm_map *map = ops->alloc(vm, attr, &err);
	if (!map)
		return err < 0 ? err : -ENOMEM;
	map->ops = ops;
	map->vm = vm;
	map->map_type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	/* A type may have adjusted max_entries (LRU with per-CPU lists rounds
	 * it to a multiple of the CPUs); info reports what it uses. */
	if (!map->max_entries)
		map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;
	map->numa_node = (attr->map_flags & BPF_F_NUMA_NODE) && (int32_t)attr->numa_node != -1 ? attr->numa_node : 0;
	map->spin_lock_off = -1;
	map->ncpus = vm->ncpus;
	atomic_store(&map->refcnt, 1);
	atomic_store(&map->usercnt, 1);
	if (bpfvm_obj_name_check(attr->map_name, map->name) < 0) {
		bpfvm_map_put(map);     /* also drops what alloc took (inner template) */
		return -EINVAL;
	}
	if (bpfvm_map_is_percpu(attr->map_type))
		vm->ncpus_frozen = 1;
	*out = map;
	return 0;
}

void bpfvm_map_get(struct bpfvm_map *map)
{
	atomic_fetch_add(&map->refcnt, 1);
}

void bpfvm_map_release_id(struct bpfvm_map *map);

void bpfvm_map_put(struct bpfvm_map *map)
{
	if (!map || atomic_fetch_sub(&map->refcnt, 1) != 1)
		return;
	bpfvm_map_release_id(map);
	struct bpfvm_map *meta = map->inner_meta;
	void *btf = map->btf;
	map->ops->free(map);
	if (meta)
		bpfvm_map_put(meta);
	if (btf)
		bpfvm_btf_put(btf);
}

void bpfvm_map_get_uref(struct bpfvm_map *map)
{
	atomic_fetch_add(&map->refcnt, 1);
	atomic_fetch_add(&map->usercnt, 1);
}

void bpfvm_map_put_uref(struct bpfvm_map *map)
{
	if (atomic_fetch_sub(&map->usercnt, 1) == 1 && map->ops->release_uref)
		map->ops->release_uref(map);
	bpfvm_map_put(map);
}

uint32_t bpfvm_map_sys_value_size(const struct bpfvm_map *map)
{
	if (bpfvm_map_is_percpu(map->map_type))
		return bpfvm_round_up8(map->value_size) * map->ncpus;
	if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	    map->map_type == BPF_MAP_TYPE_PROG_ARRAY || map->map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    map->map_type == BPF_MAP_TYPE_CGROUP_ARRAY)
		return sizeof(uint32_t);
	return map->value_size;
}

void bpfvm_map_copy_value(const struct bpfvm_map *map, void *dst, const void *src)
{
	if (map->spin_lock_off < 0) {
		memcpy(dst, src, map->value_size);
		return;
	}
	uint32_t off = (uint32_t)map->spin_lock_off, end = off + sizeof(struct bpf_spin_lock);
	memcpy(dst, src, off);
	memcpy((uint8_t *)dst + end, (const uint8_t *)src + end, map->value_size - end);
}

void bpfvm_map_copy_value_locked(const struct bpfvm_map *map, void *dst, const void *src, int to_map)
{
	struct bpf_spin_lock *lock = (struct bpf_spin_lock *)((uint8_t *)(to_map ? dst : (void *)src) +
							      map->spin_lock_off);
	bpfvm_spin_lock(lock);
	bpfvm_map_copy_value(map, dst, src);
	bpfvm_spin_unlock(lock);
}

/* A test-and-set lock on the ABI's 4-byte word. Programs hold it for a few
 * instructions only (the verifier forbids calls while it is held), so
 * spinning with a yield now and then is right. */
void bpfvm_spin_lock(struct bpf_spin_lock *lock)
{
	uint32_t *w = (uint32_t *)lock;
	for (unsigned spins = 0;; spins++) {
		if (!__atomic_exchange_n(w, 1u, __ATOMIC_ACQUIRE))
			return;
		while (__atomic_load_n(w, __ATOMIC_RELAXED))
			if (++spins % 1024 == 0)
				sched_yield();
	}
}

int bpfvm_spin_trylock_for(struct bpf_spin_lock *lock, long long wait_ns)
{
	uint32_t *w = (uint32_t *)lock;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned spins = 1;; spins++) {
		if (!__atomic_load_n(w, __ATOMIC_RELAXED) && !__atomic_exchange_n(w, 1u, __ATOMIC_ACQUIRE))
			return 1;
		if (spins % 1024 == 0) {
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000ll + (t.tv_nsec - t0.tv_nsec) > wait_ns)
				return 0;
		}
	}
}

void bpfvm_spin_unlock(struct bpf_spin_lock *lock)
{
	__atomic_store_n((uint32_t *)lock, 0u, __ATOMIC_RELEASE);
}
