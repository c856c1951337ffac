/* Pins and ids: OBJ_PIN, OBJ_GET, *_GET_NEXT_ID, *_GET_FD_BY_ID.
 *
 * The pin namespace models a bpffs mounted at /sys/fs/bpf: a path must be
 * absolute and under it (elsewhere is -EPERM, as pinning outside a bpffs);
 * directories below it exist implicitly (bpf() has no mkdir). */
#include "sys/sys.h"
#include "core/vm.h"
#include "core/prog.h"
#include "maps/map.h"
#include "btf/btf.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define BPFFS_ROOT "/sys/fs/bpf"

/* Copies the path into buf without trailing slashes; *dir says there were
 * some (the caller then names a directory, and pins are files). */
static int check_path(uint64_t upath, char buf[PATH_MAX], int *dir)
{
	const char *p = (const char *)(uintptr_t)upath;
	if (!p)
		return -EFAULT;
	size_t n = strnlen(p, PATH_MAX);
	if (n == 0)
		return -ENOENT;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, p, n + 1);
	*dir = 0;
	while (n > 1 && buf[n - 1] == '/') {
		buf[--n] = 0;
		*dir = 1;
	}
	size_t r = strlen(BPFFS_ROOT);
	if (strncmp(buf, BPFFS_ROOT, r) != 0 || buf[r] != '/' || buf[r + 1] == 0)
		return -EPERM;
	return 0;
}

static struct bpfvm_pin *find_pin(struct bpfvm_sys *s, const char *path)
{
	for (uint32_t i = 0; i < s->npins; i++)
		if (!strcmp(s->pins[i].path, path))
			return &s->pins[i];
	return NULL;
}

int bpfvm_cmd_obj_pin(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	char path[PATH_MAX];
	int dir;
	struct bpfvm_file f;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(file_flags)) || attr->file_flags)
		return -EINVAL;
	int rc = bpfvm_fd_get(vm, (int)attr->bpf_fd, 0, &f);
	if (rc < 0)
		return rc;
	if (f.kind != FILE_MAP && f.kind != FILE_PROG) {
		bpfvm_obj_put(f.kind, f.obj);
		return -EINVAL;
	}
	if ((rc = check_path(attr->pathname, path, &dir)) < 0) {
		bpfvm_obj_put(f.kind, f.obj);
		return rc;
	}
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	if (find_pin(s, path)) {
		rc = -EEXIST;
	} else if (dir) {
		rc = -ENOENT;           /* "name/" is a directory that does not exist */
	} else if (s->npins == s->cap_pins) {
		uint32_t cap = s->cap_pins ? s->cap_pins * 2 : 16;
		struct bpfvm_pin *p = realloc(s->pins, cap * sizeof(*p));
		if (!p)
			rc = -ENOMEM;
		else {
			s->pins = p;
			s->cap_pins = cap;
		}
	}
	char *copy = rc ? NULL : strdup(path);
	if (!rc && !copy)
		rc = -ENOMEM;
	if (!rc)
		s->pins[s->npins++] = (struct bpfvm_pin){ copy, f.kind, f.obj };
	pthread_mutex_unlock(&s->lock);
	if (rc) {
		bpfvm_obj_put(f.kind, f.obj);
		return rc;
	}
	/* The pin keeps the reference taken above, as a user reference. */
	if (f.kind == FILE_MAP)
		atomic_fetch_add(&((struct bpfvm_map *)f.obj)->usercnt, 1);
	return 0;
}

int bpfvm_cmd_obj_get(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	char path[PATH_MAX];
	int dir;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(file_flags)) || attr->bpf_fd ||
	    (attr->file_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY)))
		return -EINVAL;
	if ((attr->file_flags & BPF_F_RDONLY) && (attr->file_flags & BPF_F_WRONLY))
		return -EINVAL;
	int rc = check_path(attr->pathname, path, &dir);
	if (rc == -EPERM)
		rc = -ENOENT;   /* nothing is pinned outside the bpffs */
	if (rc < 0)
		return rc;
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	struct bpfvm_pin *p = find_pin(s, path);
	if (p && dir) {                 /* "pin/": a file is not a directory */
		pthread_mutex_unlock(&s->lock);
		return -ENOTDIR;
	}
	int kind = p ? p->kind : 0;
	void *obj = p ? p->obj : NULL;
	if (obj)
		bpfvm_obj_get_user(kind, obj);
	pthread_mutex_unlock(&s->lock);
	if (!obj)
		return -ENOENT;
	/* The new fd's mode comes from file_flags alone (bpf_get_file_flag);
	 * the map's own RDONLY/WRONLY only shaped the fd MAP_CREATE returned. */
	int can_read = !(attr->file_flags & BPF_F_WRONLY);
	int can_write = !(attr->file_flags & BPF_F_RDONLY);
	rc = bpfvm_fd_install(vm, kind, obj, can_read, can_write);
	if (rc < 0)
		bpfvm_obj_put_user(kind, obj);
	return rc;
}

static int get_next_id(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size, int kind)
{
	uint32_t next;
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(next_id)))
		return -EINVAL;
	if (attr->start_id >= INT32_MAX)        /* bpf_obj_get_next_id */
		return -EINVAL;
	int rc = bpfvm_id_next(vm, kind, attr->start_id, &next);
	if (rc < 0)
		return rc;
	bpfvm_attr_put_u32(uattr, size, offsetof(union bpf_attr, next_id), next);
	return 0;
}

int bpfvm_cmd_prog_get_next_id(struct bpfvm *vm, union bpf_attr *a, union bpf_attr *u, unsigned int size)
{
	return get_next_id(vm, a, u, size, FILE_PROG);
}

int bpfvm_cmd_map_get_next_id(struct bpfvm *vm, union bpf_attr *a, union bpf_attr *u, unsigned int size)
{
	return get_next_id(vm, a, u, size, FILE_MAP);
}

int bpfvm_cmd_prog_get_fd_by_id(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *u, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(prog_id)))
		return -EINVAL;
	struct bpfvm_prog *prog = bpfvm_id_get(vm, FILE_PROG, attr->prog_id);
	if (!prog)
		return -ENOENT;
	int rc = bpfvm_fd_install(vm, FILE_PROG, prog, 1, 1);
	if (rc < 0)
		bpfvm_prog_put(prog);
	return rc;
}

int bpfvm_cmd_map_get_fd_by_id(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *u, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(open_flags)) ||
	    (attr->open_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY)))
		return -EINVAL;
	if ((attr->open_flags & BPF_F_RDONLY) && (attr->open_flags & BPF_F_WRONLY))
		return -EINVAL;
	struct bpfvm_map *map = bpfvm_id_get(vm, FILE_MAP, attr->map_id);
	if (!map)
		return -ENOENT;
	int rc = bpfvm_fd_install(vm, FILE_MAP, map, !(attr->open_flags & BPF_F_WRONLY),
				  !(attr->open_flags & BPF_F_RDONLY));
	if (rc < 0)
		bpfvm_map_put_uref(map);
	return rc;
}

int bpfvm_cmd_btf_get_fd_by_id(struct bpfvm *vm, union bpf_attr *attr, union bpf_attr *u, unsigned int size)
{
	if (!bpfvm_attr_tail_zero(attr, ATTR_END(btf_id)))
		return -EINVAL;
	struct bpfvm_btf *btf = bpfvm_id_get(vm, FILE_BTF, attr->btf_id);
	if (!btf)
		return -ENOENT;
	int rc = bpfvm_fd_install(vm, FILE_BTF, btf, 1, 1);
	if (rc < 0)
		bpfvm_btf_put(btf);
	return rc;
}

int bpfvm_cmd_btf_get_next_id(struct bpfvm *vm, union bpf_attr *a, union bpf_attr *u, unsigned int size)
{
	return get_next_id(vm, a, u, size, FILE_BTF);
}
