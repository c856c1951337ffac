/* Map commands: MAP_CREATE and the *_ELEM commands, with the kernel's order
 * of checks (so the same bad call gets the same errno). User pointers are
 * real pointers in this process; NULL where memory is needed is -EFAULT. */
#include "sys/sys.h"
#include "core/vm.h"
#include "maps/map.h"
#include "btf/btf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void *uptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

int bpfvm_cmd_map_create(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_map *map;
	int rc = bpfvm_map_create(vm, attr, &map);
	if (rc < 0)
		return rc;
	if (attr->btf_key_type_id || attr->btf_value_type_id) {
		/* map_create of v5.1: both type ids, a BTF fd, map_check_btf. */
		struct bpfvm_file f = { 0 };
		rc = !attr->btf_key_type_id || !attr->btf_value_type_id ? -EINVAL
			: bpfvm_fd_get(vm, (int)attr->btf_fd, FILE_BTF, &f);
		if (rc == 0)
			rc = bpfvm_btf_check_map(f.obj, map->map_type, map->key_size, map->value_size,
						 attr->btf_key_type_id, attr->btf_value_type_id, &map->spin_lock_off);
		if (rc < 0) {
			if (f.obj)
				bpfvm_btf_put(f.obj);
			bpfvm_map_put(map);
			return rc;
		}
		map->btf = f.obj;
		map->btf_id = ((struct bpfvm_btf *)f.obj)->id;
		map->btf_key_type_id = attr->btf_key_type_id;
		map->btf_value_type_id = attr->btf_value_type_id;
	}
	rc = bpfvm_id_alloc(vm, FILE_MAP, map, &map->id);
	if (rc < 0) {
		bpfvm_map_put(map);
		return rc;
	}
	/* The creation reference (refcnt 1, usercnt 1) moves to the fd. */
	rc = bpfvm_fd_install(vm, FILE_MAP, map, !(attr->map_flags & BPF_F_WRONLY),
			      !(attr->map_flags & BPF_F_RDONLY));
	if (rc < 0)
		bpfvm_map_put_uref(map);
	return rc;
}

/* __bpf_copy_key: maps without keys take no key pointer. */
static int copy_key(const struct bpfvm_map *map, uint64_t ukey, void **key)
{
	*key = NULL;
	if (map->key_size) {
		if (!ukey)
			return -EFAULT;
		*key = malloc(map->key_size);
		if (!*key)
			return -ENOMEM;
		memcpy(*key, uptr(ukey), map->key_size);
		return 0;
	}
	return ukey ? -EINVAL : 0;
}

static int get_map(struct bpfvm *vm, uint32_t fd, struct bpfvm_file *f)
{
	return bpfvm_fd_get(vm, (int)fd, FILE_MAP, f);
}

int bpfvm_cmd_map_lookup(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(flags)))
		return -EINVAL;
	if (attr->flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	int rc = get_map(vm, attr->map_fd, &f);
	if (rc < 0)
		return rc;
	struct bpfvm_map *map = f.obj;
	void *key = NULL, *value = NULL;
	uint32_t vsize = bpfvm_map_sys_value_size(map);
	if (!f.can_read) {
		rc = -EPERM;
		goto out;
	}
	if ((attr->flags & BPF_F_LOCK) && map->spin_lock_off < 0) {
		rc = -EINVAL;
		goto out;
	}
	if ((rc = copy_key(map, attr->key, &key)) < 0)
		goto out;
	if (!(value = calloc(1, vsize ? vsize : 1))) {
		rc = -ENOMEM;
		goto out;
	}
	if (map->ops->sys_lookup) {
		rc = map->ops->sys_lookup(map, key, value, attr->flags);
	} else if (!map->ops->lookup) {
		rc = -ENOTSUPP;
	} else {
		void *ptr = map->ops->lookup(map, key, bpfvm_current_cpu(vm));
		if (!ptr) {
			rc = -ENOENT;
		} else {
			if (attr->flags & BPF_F_LOCK)
				bpfvm_map_copy_value_locked(map, value, ptr, 0);
			else
				bpfvm_map_copy_value(map, value, ptr);
			/* check_and_init_map_lock: the lock word reads as zero. */
			if (map->spin_lock_off >= 0)
				memset((uint8_t *)value + map->spin_lock_off, 0, sizeof(struct bpf_spin_lock));
			rc = 0;
		}
	}
	if (rc == 0) {
		if (!attr->value)
			rc = -EFAULT;
		else
			memcpy(uptr(attr->value), value, vsize);
	}
out:
	free(key);
	free(value);
	bpfvm_map_put(map);
	return rc;
}

int bpfvm_cmd_map_update(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(flags)))
		return -EINVAL;
	int rc = get_map(vm, attr->map_fd, &f);
	if (rc < 0)
		return rc;
	struct bpfvm_map *map = f.obj;
	void *key = NULL;
	uint32_t vsize = bpfvm_map_sys_value_size(map);
	if (!f.can_write) {
		rc = -EPERM;
		goto out;
	}
	if ((attr->flags & BPF_F_LOCK) && map->spin_lock_off < 0) {
		rc = -EINVAL;
		goto out;
	}
	if ((rc = copy_key(map, attr->key, &key)) < 0)
		goto out;
	if (!attr->value) {
		rc = -EFAULT;
		goto out;
	}
	const void *value = uptr(attr->value);
	if (map->map_type == BPF_MAP_TYPE_QUEUE || map->map_type == BPF_MAP_TYPE_STACK)
		rc = map->ops->push ? map->ops->push(map, value, attr->flags) : -ENOTSUPP;
	else if (map->ops->sys_update)
		rc = map->ops->sys_update(map, key, value, attr->flags);
	else if (map->ops->update)
		rc = map->ops->update(map, key, value, attr->flags, bpfvm_current_cpu(vm));
	else
		rc = -ENOTSUPP;
	(void)vsize;
out:
	free(key);
	bpfvm_map_put(map);
	return rc;
}

int bpfvm_cmd_map_delete(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(key)))
		return -EINVAL;
	int rc = get_map(vm, attr->map_fd, &f);
	if (rc < 0)
		return rc;
	struct bpfvm_map *map = f.obj;
	void *key = NULL;
	if (!f.can_write)
		rc = -EPERM;
	else if ((rc = copy_key(map, attr->key, &key)) == 0)
		rc = map->ops->delete ? map->ops->delete(map, key) : -ENOTSUPP;
	free(key);
	bpfvm_map_put(map);
	return rc;
}

int bpfvm_cmd_map_get_next_key(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(next_key)))
		return -EINVAL;
	int rc = get_map(vm, attr->map_fd, &f);
	if (rc < 0)
		return rc;
	struct bpfvm_map *map = f.obj;
	void *key = NULL, *next = NULL;
	if (!f.can_read) {
		rc = -EPERM;
		goto out;
	}
	if (attr->key && (rc = copy_key(map, attr->key, &key)) < 0)
		goto out;
	if (!(next = malloc(map->key_size ? map->key_size : 1))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = map->ops->get_next_key ? map->ops->get_next_key(map, key, next) : -ENOTSUPP;
	if (rc == 0) {
		if (!attr->next_key)
			rc = -EFAULT;
		else
			memcpy(uptr(attr->next_key), next, map->key_size);
	}
out:
	free(key);
	free(next);
	bpfvm_map_put(map);
	return rc;
}

int bpfvm_cmd_map_lookup_and_delete(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr,
				    unsigned int size)
{
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(value)))
		return -EINVAL;
	int rc = get_map(vm, attr->map_fd, &f);
	if (rc < 0)
		return rc;
	struct bpfvm_map *map = f.obj;
	void *key = NULL, *value = NULL;
	uint32_t vsize = bpfvm_map_sys_value_size(map);
	if (!f.can_write) {
		rc = -EPERM;
		goto out;
	}
	if ((rc = copy_key(map, attr->key, &key)) < 0)
		goto out;
	if (!(value = malloc(vsize ? vsize : 1))) {
		rc = -ENOMEM;
		goto out;
	}
	if (map->map_type == BPF_MAP_TYPE_QUEUE || map->map_type == BPF_MAP_TYPE_STACK)
		rc = map->ops->pop ? map->ops->pop(map, value) : -ENOTSUPP;
	else
		rc = -ENOTSUPP;
	if (rc == 0) {
		if (!attr->value)
			rc = -EFAULT;
		else
			memcpy(uptr(attr->value), value, vsize);
	}
out:
	free(key);
	free(value);
	bpfvm_map_put(map);
	return rc;
}
