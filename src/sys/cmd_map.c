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

/* What every *_ELEM command does around its map operation, in the kernel's
 * order: the fd must be a map open for the access (EBADF, EINVAL, EPERM),
 * BPF_F_LOCK needs a spin lock in the value (EINVAL), the key is copied
 * in, and an output buffer of `out_size` bytes is ready. */
struct elem_op {
	struct bpfvm_map *map;
	void *key;
	void *out;
	uint32_t out_len;
};

enum { NEED_READ = 1, NEED_WRITE = 2 };
/* What the command copies back: nothing, a value as the syscall sees it
 * (all CPUs of a per-CPU map; an id for fd maps), or a key. */
enum { OUT_NONE, OUT_VALUE, OUT_KEY };

static int elem_begin(struct bpfvm *vm, uint32_t fd, int need, uint64_t flags, uint64_t ukey, int key_optional,
		      int out, struct elem_op *op)
{
	struct bpfvm_file f;
	*op = (struct elem_op){ 0 };
	int rc = bpfvm_fd_get(vm, (int)fd, FILE_MAP, &f);
	if (rc < 0)
		return rc;
	op->map = f.obj;
	if (((need & NEED_READ) && !f.can_read) || ((need & NEED_WRITE) && !f.can_write))
		return -EPERM;
	if ((flags & BPF_F_LOCK) && op->map->spin_lock_off < 0)
		return -EINVAL;
	if ((!key_optional || ukey) && (rc = copy_key(op->map, ukey, &op->key)) < 0)
		return rc;
	op->out_len = out == OUT_VALUE ? bpfvm_map_sys_value_size(op->map) : out == OUT_KEY ? op->map->key_size : 0;
	if (out != OUT_NONE && !(op->out = calloc(1, op->out_len ? op->out_len : 1)))
		return -ENOMEM;
	return 0;
}

/* Copies the output to user memory on success, and frees. */
static int elem_end(struct elem_op *op, int rc, uint64_t uout)
{
	uint32_t len = op->out_len;
	if (rc == 0 && len) {
		if (!uout)
			rc = -EFAULT;
		else
			memcpy(uptr(uout), op->out, len);
	}
	free(op->key);
	free(op->out);
	if (op->map)
		bpfvm_map_put(op->map);
	return rc;
}

static int is_queue_or_stack(const struct bpfvm_map *map)
{
	return map->map_type == BPF_MAP_TYPE_QUEUE || map->map_type == BPF_MAP_TYPE_STACK;
}

/* The generic syscall lookup: a copy of the value that respects the spin
 * lock (BPF_F_LOCK copies under it; the lock word reads as zero, as
 * check_and_init_map_lock leaves it). */
static int lookup_copy(struct bpfvm *vm, struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	if (map->ops->sys_lookup)
		return map->ops->sys_lookup(map, key, value, flags);
	if (!map->ops->lookup)
		return -ENOTSUPP;
	void *ptr = map->ops->lookup(map, key, bpfvm_current_cpu(vm));
	if (!ptr)
		return -ENOENT;
	if (flags & BPF_F_LOCK)
		bpfvm_map_copy_value_locked(map, value, ptr, 0);
	else
		bpfvm_map_copy_value(map, value, ptr);
	if (map->spin_lock_off >= 0)
		memset((uint8_t *)value + map->spin_lock_off, 0, sizeof(struct bpf_spin_lock));
	return 0;
}

int bpfvm_cmd_map_lookup(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct elem_op op;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(flags)) || (attr->flags & ~(uint64_t)BPF_F_LOCK))
		return -EINVAL;
	int rc = elem_begin(vm, attr->map_fd, NEED_READ, attr->flags, attr->key, 0, OUT_VALUE, &op);
	if (rc == 0)
		rc = lookup_copy(vm, op.map, op.key, op.out, attr->flags);
	return elem_end(&op, rc, attr->value);
}

int bpfvm_cmd_map_update(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct elem_op op;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(flags)))
		return -EINVAL;
	int rc = elem_begin(vm, attr->map_fd, NEED_WRITE, attr->flags, attr->key, 0, OUT_NONE, &op);
	if (rc == 0 && !attr->value)
		rc = -EFAULT;
	if (rc == 0) {
		struct bpfvm_map *map = op.map;
		const void *value = uptr(attr->value);
		if (is_queue_or_stack(map))
			rc = map->ops->push ? map->ops->push(map, value, attr->flags) : -ENOTSUPP;
		else if (map->ops->sys_update)
			rc = map->ops->sys_update(map, op.key, value, attr->flags);
		else if (map->ops->update)
			rc = map->ops->update(map, op.key, value, attr->flags, bpfvm_current_cpu(vm));
		else
			rc = -ENOTSUPP;
	}
	return elem_end(&op, rc, 0);
}

int bpfvm_cmd_map_delete(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct elem_op op;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(key)))
		return -EINVAL;
	int rc = elem_begin(vm, attr->map_fd, NEED_WRITE, 0, attr->key, 0, OUT_NONE, &op);
	if (rc == 0)
		rc = op.map->ops->delete ? op.map->ops->delete(op.map, op.key) : -ENOTSUPP;
	return elem_end(&op, rc, 0);
}

int bpfvm_cmd_map_get_next_key(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	struct elem_op op;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(next_key)))
		return -EINVAL;
	/* A NULL key asks for the first key. */
	int rc = elem_begin(vm, attr->map_fd, NEED_READ, 0, attr->key, 1, OUT_KEY, &op);
	if (rc == 0)
		rc = op.map->ops->get_next_key ? op.map->ops->get_next_key(op.map, op.key, op.out) : -ENOTSUPP;
	return elem_end(&op, rc, attr->next_key);
}

int bpfvm_cmd_map_lookup_and_delete(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr,
				    unsigned int size)
{
	struct elem_op op;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(value)))
		return -EINVAL;
	int rc = elem_begin(vm, attr->map_fd, NEED_WRITE, 0, attr->key, 0, OUT_VALUE, &op);
	if (rc == 0 && is_queue_or_stack(op.map))
		rc = op.map->ops->pop ? op.map->ops->pop(op.map, op.out) : -ENOTSUPP;
	else if (rc == 0)
		rc = -ENOTSUPP;
	return elem_end(&op, rc, attr->value);
}
