/* The vm's fd table and id spaces. fds are the lowest free number from 3
 * up (0-2 look like stdio, so a host that mixes our fds with real ones in
 * logs is not misled by fd 0); ids count up from 1 and are never reused
 * while the vm lives, like the kernel's cyclic idr in practice. */
#include "sys/sys.h"
#include "core/vm.h"
#include "core/prog.h"
#include "maps/map.h"
#include "btf/btf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_FD 3
#define MAX_FDS (1 << 20)

void bpfvm_obj_get(int kind, void *obj)
{
	switch (kind) {
	case FILE_MAP: bpfvm_map_get(obj); break;
	case FILE_PROG: case FILE_RAW_TP: bpfvm_prog_get(obj); break;
	case FILE_BTF: bpfvm_btf_get(obj); break;
	}
}

void bpfvm_obj_put(int kind, void *obj)
{
	switch (kind) {
	case FILE_MAP: bpfvm_map_put(obj); break;
	case FILE_PROG: case FILE_RAW_TP: bpfvm_prog_put(obj); break;
	case FILE_BTF: bpfvm_btf_put(obj); break;
	}
}

void bpfvm_obj_get_user(int kind, void *obj)
{
	if (kind == FILE_MAP)
		bpfvm_map_get_uref(obj);
	else
		bpfvm_obj_get(kind, obj);
}

void bpfvm_obj_put_user(int kind, void *obj)
{
	if (kind == FILE_MAP)
		bpfvm_map_put_uref(obj);
	else
		bpfvm_obj_put(kind, obj);
}

int bpfvm_fd_install(struct bpfvm *vm, int kind, void *obj, int can_read, int can_write)
{
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	int fd;
	for (fd = FIRST_FD; fd < s->nfiles && s->files[fd].kind; fd++)
		;
	if (fd >= s->nfiles) {
		int n = s->nfiles ? s->nfiles * 2 : 64;
		if (n > MAX_FDS) {
			pthread_mutex_unlock(&s->lock);
			return -EMFILE;
		}
		struct bpfvm_file *f = realloc(s->files, (size_t)n * sizeof(*f));
		if (!f) {
			pthread_mutex_unlock(&s->lock);
			return -ENOMEM;
		}
		memset(f + s->nfiles, 0, (size_t)(n - s->nfiles) * sizeof(*f));
		s->files = f;
		s->nfiles = n;
	}
	s->files[fd] = (struct bpfvm_file){ kind, can_read, can_write, obj };
	pthread_mutex_unlock(&s->lock);
	return fd;
}

int bpfvm_fd_get(struct bpfvm *vm, int fd, int kind, struct bpfvm_file *out)
{
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	if (fd < 0 || fd >= s->nfiles || !s->files[fd].kind) {
		pthread_mutex_unlock(&s->lock);
		return -EBADF;
	}
	if (kind && s->files[fd].kind != kind) {
		pthread_mutex_unlock(&s->lock);
		return -EINVAL;
	}
	*out = s->files[fd];
	bpfvm_obj_get(out->kind, out->obj);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

BPFVM_API int bpfvm_close(struct bpfvm *vm, int fd)
{
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	if (fd < 0 || fd >= s->nfiles || !s->files[fd].kind) {
		pthread_mutex_unlock(&s->lock);
		errno = EBADF;
		return -1;
	}
	struct bpfvm_file f = s->files[fd];
	s->files[fd].kind = FILE_NONE;
	pthread_mutex_unlock(&s->lock);
	bpfvm_obj_put_user(f.kind, f.obj);
	return 0;
}

int bpfvm_sys_fd_to_map(struct bpfvm *vm, int fd, struct bpfvm_map **out)
{
	struct bpfvm_file f;
	int rc = bpfvm_fd_get(vm, fd, FILE_MAP, &f);
	*out = rc ? NULL : f.obj;
	return rc;
}

int bpfvm_sys_fd_to_prog(struct bpfvm *vm, int fd, struct bpfvm_prog **out)
{
	struct bpfvm_file f;
	int rc = bpfvm_fd_get(vm, fd, FILE_PROG, &f);
	*out = rc ? NULL : f.obj;
	return rc;
}

/* ---- ids ---- */

static struct bpfvm_idr *idr_of(struct bpfvm_sys *s, int kind)
{
	return kind == FILE_MAP ? &s->map_ids : kind == FILE_PROG ? &s->prog_ids : &s->btf_ids;
}

/* Index of the first id >= id. */
static uint32_t idr_find(const struct bpfvm_idr *r, uint32_t id)
{
	uint32_t lo = 0, hi = r->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (r->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bpfvm_id_alloc(struct bpfvm *vm, int kind, void *obj, uint32_t *id)
{
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	struct bpfvm_idr *r = idr_of(s, kind);
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 64;
		uint32_t *ids = realloc(r->ids, cap * sizeof(*ids));
		if (ids)
			r->ids = ids;
		void **objs = ids ? realloc(r->objs, cap * sizeof(*objs)) : NULL;
		if (!objs) {
			pthread_mutex_unlock(&s->lock);
			return -ENOMEM;
		}
		r->objs = objs;
		r->cap = cap;
	}
	if (r->next == 0 || r->next > INT32_MAX) {     /* id space exhausted */
		pthread_mutex_unlock(&s->lock);
		return -ENOSPC;
	}
	*id = r->next++;
	r->ids[r->n] = *id;
	r->objs[r->n] = obj;
	r->n++;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void id_release(struct bpfvm *vm, int kind, uint32_t id)
{
	if (!id || !vm->sys)
		return;
	struct bpfvm_sys *s = vm->sys;
	pthread_mutex_lock(&s->lock);
	struct bpfvm_idr *r = idr_of(s, kind);
	uint32_t i = idr_find(r, id);
	if (i < r->n && r->ids[i] == id) {
		memmove(&r->ids[i], &r->ids[i + 1], (r->n - i - 1) * sizeof(*r->ids));
		memmove(&r->objs[i], &r->objs[i + 1], (r->n - i - 1) * sizeof(*r->objs));
		r->n--;
	}
	pthread_mutex_unlock(&s->lock);
}

void bpfvm_map_release_id(struct bpfvm_map *map)
{
	id_release(map->vm, FILE_MAP, map->id);
}

void bpfvm_prog_release_id(struct bpfvm_prog *prog)
{
	id_release(prog->vm, FILE_PROG, prog->id);
}

void bpfvm_btf_release_id(struct bpfvm_btf *btf)
{
	id_release(btf->vm, FILE_BTF, btf->id);
}

/* A reference unless the object is already on its way out (the kernel's
 * *_inc_not_zero). */
static int inc_not_zero(atomic_long *cnt)
{
	long v = atomic_load(cnt);
	while (v > 0)
		if (atomic_compare_exchange_weak(cnt, &v, v + 1))
			return 1;
	return 0;
}

void *bpfvm_id_get(struct bpfvm *vm, int kind, uint32_t id)
{
	struct bpfvm_sys *s = vm->sys;
	void *obj = NULL;
	pthread_mutex_lock(&s->lock);
	struct bpfvm_idr *r = idr_of(s, kind);
	uint32_t i = idr_find(r, id);
	if (i < r->n && r->ids[i] == id) {
		void *o = r->objs[i];
		atomic_long *cnt = kind == FILE_MAP ? &((struct bpfvm_map *)o)->refcnt
				 : kind == FILE_PROG ? &((struct bpfvm_prog *)o)->refcnt
						     : &((struct bpfvm_btf *)o)->refcnt;
		if (inc_not_zero(cnt)) {
			obj = o;
			if (kind == FILE_MAP)   /* the new fd is a user reference */
				atomic_fetch_add(&((struct bpfvm_map *)o)->usercnt, 1);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return obj;
}

int bpfvm_id_next(struct bpfvm *vm, int kind, uint32_t start, uint32_t *next)
{
	struct bpfvm_sys *s = vm->sys;
	int rc = -ENOENT;
	pthread_mutex_lock(&s->lock);
	struct bpfvm_idr *r = idr_of(s, kind);
	if (start < UINT32_MAX) {
		uint32_t i = idr_find(r, start + 1);
		if (i < r->n) {
			*next = r->ids[i];
			rc = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}
