/* Loading an opened object into its vm, through bpfvm_bpf() only, in
 * libbpf's order (bpf_object_load): BTF, maps (with their initial
 * contents), programs, then prog-array slots (which need the programs).
 *
 * Fallbacks are libbpf's: BTF the vm refuses is retried rewritten for an
 * older kernel (bpf_object__sanitize_btf), then dropped with a warning; a
 * map the vm refuses with BTF type ids is retried without them (map types
 * that never take them get none); a program that fails without a log asked
 * for is retried with log_level 1, so the error comes with the verifier's
 * explanation.
 *
 * Maps with __uint(pinning, LIBBPF_PIN_BY_NAME) are reused from, or pinned
 * at, /sys/fs/bpf/NAME in the vm's pin namespace (bpf_object__reuse_map,
 * bpf_map__pin). Programs with CO-RE relocations are not given to
 * PROG_LOAD: they fail with ESRCH, as libbpf fails on a kernel without
 * BTF. */
#include "obj/obj.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MIN (1u << 20)
#define LOG_MAX (16u << 20)

struct logw {
	char *buf;
	size_t cap, len;
};

static void wlog(struct logw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wlog(struct logw *w, const char *fmt, ...)
{
	if (!w->buf || w->cap == 0 || w->len + 1 >= w->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len = w->len + (size_t)n < w->cap ? w->len + (size_t)n : w->cap - 1;
}

static int sys(struct bpfvm *vm, int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static const char *err_str(int err)
{
	return err == -524 ? "operation not supported (ENOTSUPP)" : strerror(-err);
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The last non-empty line of a kernel-style log: where BTF and verifier
 * logs say what is wrong (BTF logs start with a dump of the header). */
static void last_line(const char *log, char *out, size_t n)
{
	size_t len = strlen(log);
	while (len && (log[len - 1] == '\n' || log[len - 1] == ' '))
		len--;
	size_t start = len;
	while (start && log[start - 1] != '\n')
		start--;
	snprintf(out, n, "%.*s", (int)(len - start), log + start);
}

/* BPF_BTF_LOAD, without a log if klog is NULL. */
static int try_btf(struct bpfvm_object *obj, const void *data, uint32_t size, char *klog, uint32_t klogsz)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = ptr(data);
	a.btf_size = size;
	if (klog) {
		klog[0] = 0;
		a.btf_log_buf = ptr(klog);
		a.btf_log_size = klogsz;
		a.btf_log_level = 1;
	}
	return sys(obj->vm, BPF_BTF_LOAD, &a);
}

/* libbpf's btf_load_into_kernel: no log the first time (a level 1 log
 * dumps every type, and one that does not fit fails the load with
 * ENOSPC), then, for the reason, a log as large as it takes. The object's
 * BTF is tried as it is, then rewritten for v5.1. */
static void load_btf(struct bpfvm_object *obj, struct logw *w)
{
	if (!obj->btf) {
		if (obj->btf_warning)
			wlog(w, "warning: .BTF ignored: %s\n", obj->btf_warning);
		return;
	}
	uint32_t size, san_size = 0;
	const void *raw = obj_btf_raw(obj->btf, &size);
	int fd = try_btf(obj, raw, size, NULL, 0);
	void *san = NULL;
	if (fd < 0 && (san = obj_btf_sanitized(obj->btf, &san_size)) != NULL) {
		int fd2 = try_btf(obj, san, san_size, NULL, 0);
		if (fd2 >= 0)
			fd = fd2;
	}
	if (fd >= 0) {
		free(san);
		obj->btf_fd = fd;
		return;
	}
	char line[256] = "", *klog = NULL;
	for (uint32_t sz = 1u << 16; sz <= LOG_MAX; sz *= 2) {
		char *nb = realloc(klog, sz);
		if (!nb)
			break;
		klog = nb;
		int rc = san ? try_btf(obj, san, san_size, klog, sz) : try_btf(obj, raw, size, klog, sz);
		if (rc >= 0) {              /* accepted this time: keep it */
			free(san);
			free(klog);
			obj->btf_fd = rc;
			return;
		}
		fd = rc;
		if (rc != -ENOSPC)
			break;
	}
	if (klog)
		last_line(klog, line, sizeof(line));
	free(klog);
	free(san);
	wlog(w, "warning: BPF_BTF_LOAD refused the object's BTF (%s%s%s): continuing without BTF\n",
	     err_str(fd), line[0] ? ": " : "", line);
}

/* Map types whose map_check_btf refuses key and value types (v5.1's
 * map_check_no_btf): libbpf leaves the types out for them rather than be
 * refused and retry. */
static int map_takes_btf(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY: case BPF_MAP_TYPE_PERF_EVENT_ARRAY: case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE: case BPF_MAP_TYPE_ARRAY_OF_MAPS: case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP: case BPF_MAP_TYPE_SOCKMAP: case BPF_MAP_TYPE_CPUMAP: case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKHASH: case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY: case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return 0;
	}
	return 1;
}

static int create_one(struct bpfvm_object *obj, const struct obj_map_def *d, const char *kname, int inner_fd,
		      struct logw *w)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = d->type;
	a.key_size = d->key_size;
	a.value_size = d->value_size;
	a.max_entries = d->max_entries;
	/* libbpf's map_set_def_max_entries: one slot per CPU by default. */
	if (d->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !a.max_entries)
		a.max_entries = bpfvm_ncpus(obj->vm);
	a.map_flags = d->map_flags;
	if (d->numa_node) {
		a.map_flags |= BPF_F_NUMA_NODE;
		a.numa_node = d->numa_node;
	}
	a.inner_map_fd = inner_fd >= 0 ? (uint32_t)inner_fd : 0;
	memcpy(a.map_name, kname, BPF_OBJ_NAME_LEN);
	/* v5.1 wants both types (key-less BTF came with global data, 5.2). */
	if (obj->btf_fd >= 0 && d->key_type_id && d->value_type_id && map_takes_btf(d->type)) {
		a.btf_fd = (uint32_t)obj->btf_fd;
		a.btf_key_type_id = d->key_type_id;
		a.btf_value_type_id = d->value_type_id;
	}
	int fd = sys(obj->vm, BPF_MAP_CREATE, &a);
	if (fd < 0 && (a.btf_key_type_id || a.btf_value_type_id)) {
		a.btf_fd = a.btf_key_type_id = a.btf_value_type_id = 0;
		int fd2 = sys(obj->vm, BPF_MAP_CREATE, &a);
		if (fd2 >= 0)
			wlog(w, "warning: map '%s': created without BTF (with it: %s)\n", kname, err_str(fd));
		fd = fd2;
	}
	return fd;
}

static int update(struct bpfvm_object *obj, int fd, uint32_t key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr(&key);
	a.value = ptr(value);
	return sys(obj->vm, BPF_MAP_UPDATE_ELEM, &a);
}

static const char *map_desc(const struct obj_map_def *d, char *buf, size_t n)
{
	snprintf(buf, n, "type %u, key %u, value %u, max_entries %u, flags 0x%x", d->type, d->key_size,
		 d->value_size, d->max_entries, d->map_flags);
	return buf;
}

/* bpf_object__reuse_map: the map pinned at the map's path, if there is
 * one, must match the definition (map_is_reuse_compat); 0 with m->fd set,
 * 0 with none pinned, or a negative errno. */
static int reuse_pinned(struct bpfvm_object *obj, struct bpfvm_object_map *m, uint32_t max_entries,
			struct logw *w)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = ptr(m->pin_path);
	int fd = sys(obj->vm, BPF_OBJ_GET, &a);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		wlog(w, "map '%s': cannot get the map pinned at '%s': %s\n", m->name, m->pin_path, err_str(fd));
		return fd;
	}
	struct bpf_map_info info;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = ptr(&info);
	int rc = sys(obj->vm, BPF_OBJ_GET_INFO_BY_FD, &a);
	if (rc < 0) {
		wlog(w, "map '%s': '%s' is pinned but not a map: %s\n", m->name, m->pin_path, err_str(rc));
		bpfvm_close(obj->vm, fd);
		return rc;
	}
	const struct obj_map_def *d = &m->def;
	if (info.type != d->type || info.key_size != d->key_size || info.value_size != d->value_size ||
	    info.max_entries != max_entries || info.map_flags != d->map_flags) {
		wlog(w, "map '%s': cannot reuse the map pinned at '%s': parameter mismatch (pinned: type %u, key %u, "
		     "value %u, max_entries %u, flags 0x%x; object: type %u, key %u, value %u, max_entries %u, "
		     "flags 0x%x)\n", m->name, m->pin_path, info.type, info.key_size, info.value_size,
		     info.max_entries, info.map_flags, d->type, d->key_size, d->value_size, max_entries,
		     d->map_flags);
		bpfvm_close(obj->vm, fd);
		return -EINVAL;
	}
	m->fd = fd;
	m->reused = 1;
	return 0;
}

static int pin_map(struct bpfvm_object *obj, struct bpfvm_object_map *m)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = ptr(m->pin_path);
	a.bpf_fd = (uint32_t)m->fd;
	return sys(obj->vm, BPF_OBJ_PIN, &a);
}

static int create_new(struct bpfvm_object *obj, struct bpfvm_object_map *m, struct logw *w);

/* bpf_object__create_maps for one map: a map pinned by name is reused if
 * compatible, else created and pinned; if someone pinned one in between
 * (EEXIST), that one is reused, once. */
static int create_map(struct bpfvm_object *obj, struct bpfvm_object_map *m, struct logw *w)
{
	if (!m->pin_path)
		return create_new(obj, m, w);
	uint32_t max_entries = m->def.max_entries;
	if (m->def.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !max_entries)
		max_entries = (uint32_t)bpfvm_ncpus(obj->vm);
	for (int retried = 0;; retried = 1) {
		int rc = reuse_pinned(obj, m, max_entries, w);
		if (rc < 0)
			return rc;
		if (m->reused)
			return 0;
		if (retried) {
			wlog(w, "map '%s': the map pinned at '%s' went away\n", m->name, m->pin_path);
			return -ENOENT;
		}
		if ((rc = create_new(obj, m, w)) < 0)
			return rc;
		if ((rc = pin_map(obj, m)) == 0)
			return 0;
		bpfvm_close(obj->vm, m->fd);
		m->fd = -1;
		if (rc != -EEXIST) {
			wlog(w, "map '%s': pinning it at '%s' failed: %s\n", m->name, m->pin_path, err_str(rc));
			return rc;
		}
	}
}

static int create_new(struct bpfvm_object *obj, struct bpfvm_object_map *m, struct logw *w)
{
	char desc[128];
	int inner = -1;
	if (m->has_inner) {
		char kname[BPF_OBJ_NAME_LEN + 8];
		snprintf(kname, sizeof(kname), "%.9s.inner", m->kname);
		inner = create_one(obj, &m->inner, kname, -1, w);
		if (inner < 0) {
			wlog(w, "map '%s': creating its inner map template failed: %s (%s)\n", m->name, err_str(inner),
			     map_desc(&m->inner, desc, sizeof(desc)));
			return inner;
		}
	}
	int fd = create_one(obj, &m->def, m->kname, inner, w);
	if (inner >= 0)
		bpfvm_close(obj->vm, inner);    /* the outer map keeps what it needs */
	if (fd < 0) {
		wlog(w, "map '%s': BPF_MAP_CREATE failed: %s (%s)\n", m->name, err_str(fd),
		     map_desc(&m->def, desc, sizeof(desc)));
		return fd;
	}
	m->fd = fd;
	const struct obj_sec *s = &obj->secs[m->sec];
	if (m->internal && s->data) {
		int rc = update(obj, fd, 0, s->data);
		if (rc < 0) {
			wlog(w, "map '%s': setting the contents of section '%s' failed: %s\n", m->name, s->name,
			     err_str(rc));
			return rc;
		}
	}
	return 0;
}

/* Slots of map-in-map (maps) or prog arrays (programs not loaded are left
 * empty). */
static int fill_slots(struct bpfvm_object *obj, int progs, struct logw *w)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		struct bpfvm_object_map *m = &obj->maps[i];
		if ((m->def.type == BPF_MAP_TYPE_PROG_ARRAY) != progs)
			continue;
		/* libbpf fills the slots of a map-in-map it created, not of one
		 * it found pinned; prog arrays get the programs either way. */
		if (m->reused && !progs)
			continue;
		for (uint32_t k = 0; k < m->nslots; k++) {
			if (m->slots[k] < 0)
				continue;
			const char *tname = progs ? obj->progs[m->slots[k]].name : obj->maps[m->slots[k]].name;
			int fd = progs ? obj->progs[m->slots[k]].fd : obj->maps[m->slots[k]].fd;
			if (fd < 0)
				continue;
			int rc = update(obj, m->fd, k, &fd);
			if (rc < 0) {
				wlog(w, "map '%s': setting slot %u to %s '%s' failed: %s\n", m->name, k,
				     progs ? "program" : "map", tname, err_str(rc));
				return rc;
			}
		}
	}
	return 0;
}

static int prog_load_once(struct bpfvm_object *obj, struct bpfvm_program *p, uint32_t level, char *buf,
			  uint32_t bufsz)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = p->def->prog_type;
	a.expected_attach_type = p->def->attach_type;
	a.insns = ptr(p->insns);
	a.insn_cnt = p->insn_cnt;
	a.license = ptr(obj->license);
	a.kern_version = obj->kversion;
	for (size_t i = 0; i < BPF_OBJ_NAME_LEN - 1 && p->name[i]; i++) {
		char c = p->name[i];
		a.prog_name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				 c == '_' || c == '.' ? c : '_';
	}
	if (obj->btf_fd >= 0 && p->nfunc_info) {
		a.prog_btf_fd = (uint32_t)obj->btf_fd;
		a.func_info_rec_size = sizeof(struct bpf_func_info);
		a.func_info = ptr(p->func_info);
		a.func_info_cnt = p->nfunc_info;
		if (p->nline_info) {
			a.line_info_rec_size = sizeof(struct bpf_line_info);
			a.line_info = ptr(p->line_info);
			a.line_info_cnt = p->nline_info;
		}
	}
	if (level) {
		buf[0] = 0;
		a.log_level = level;
		a.log_buf = ptr(buf);
		a.log_size = bufsz;
	}
	return sys(obj->vm, BPF_PROG_LOAD, &a);
}

static int load_prog(struct bpfvm_object *obj, struct bpfvm_program *p, uint32_t level, struct logw *w)
{
	if (p->ncore) {
		/* libbpf on a kernel without BTF: "failed to find valid kernel
		 * BTF", ESRCH, before any PROG_LOAD. */
		free(p->log);
		p->log = NULL;
		if (asprintf(&p->log, "%u CO-RE relocation%s (the first: %s): CO-RE needs the kernel's BTF, which "
			     "came after v5.1, and the loader does not apply it\n", p->ncore, p->ncore > 1 ? "s" : "",
			     p->core_desc ? p->core_desc : "?") < 0)
			p->log = NULL;
		p->load_err = -ESRCH;
		wlog(w, "program '%s' (section '%s'): %s", p->name, p->sec_name, p->log ? p->log : "CO-RE\n");
		return -ESRCH;
	}
	for (uint32_t i = 0; i < p->nldmaps; i++)
		p->insns[p->ldmaps[i].insn].imm = obj->maps[p->ldmaps[i].map].fd;
	uint32_t sz = LOG_MIN, lvl = level;
	char *buf = NULL;
	/* Without a log asked for, the first try needs no buffer. */
	int fd = lvl ? -ENOSPC : prog_load_once(obj, p, 0, NULL, 0);
	if (fd < 0)
		lvl = lvl ? lvl : 1;            /* ask again, for the reason */
	while (fd < 0) {
		char *nb = realloc(buf, sz);
		if (!nb) {
			fd = -ENOMEM;
			break;
		}
		buf = nb;
		fd = prog_load_once(obj, p, lvl, buf, sz);
		if (fd != -ENOSPC || sz >= LOG_MAX)
			break;
		sz *= 2;
	}
	free(p->log);
	p->log = strdup(buf ? buf : "");
	free(buf);
	p->load_err = fd < 0 ? fd : 0;
	if (fd >= 0) {
		p->fd = fd;
		return 0;
	}
	wlog(w, "program '%s' (section '%s'): BPF_PROG_LOAD failed: %s\n", p->name, p->sec_name, err_str(fd));
	if (p->log && p->log[0])
		wlog(w, "-- BEGIN PROG LOAD LOG --\n%s%s-- END PROG LOAD LOG --\n", p->log,
		     p->log[strlen(p->log) - 1] == '\n' ? "" : "\n");
	return fd;
}

void obj_unload(struct bpfvm_object *obj)
{
	for (uint32_t i = 0; i < obj->nprogs; i++)
		if (obj->progs[i].fd >= 0) {
			bpfvm_close(obj->vm, obj->progs[i].fd);
			obj->progs[i].fd = -1;
		}
	for (uint32_t i = 0; i < obj->nmaps; i++)
		if (obj->maps[i].fd >= 0) {
			bpfvm_close(obj->vm, obj->maps[i].fd);
			obj->maps[i].fd = -1;
		}
	if (obj->btf_fd >= 0)
		bpfvm_close(obj->vm, obj->btf_fd);
	obj->btf_fd = -1;
}

int obj_load(struct bpfvm_object *obj, const struct bpfvm_object_load_opts *opts, char *log, size_t logsz)
{
	struct logw w = { log, logsz, 0 };
	if (log && logsz)
		log[0] = 0;
	if (obj->loaded) {
		wlog(&w, "object '%s' is already loaded\n", obj->name);
		return -EBUSY;
	}
	obj->loaded = 1;
	load_btf(obj, &w);
	int rc = 0;
	for (uint32_t i = 0; i < obj->nmaps && rc == 0; i++)
		rc = create_map(obj, &obj->maps[i], &w);
	if (rc == 0)
		rc = fill_slots(obj, 0, &w);
	int keep = opts && (opts->flags & BPFVM_OBJECT_LOAD_KEEP_GOING);
	int prc = 0;
	for (uint32_t i = 0; i < obj->nprogs && rc == 0; i++) {
		struct bpfvm_program *p = &obj->progs[i];
		if (!p->autoload)
			continue;
		int r = load_prog(obj, p, opts ? opts->log_level : 0, &w);
		if (r < 0 && !prc)
			prc = r;
		if (r < 0 && !keep)
			rc = r;
	}
	if (rc == 0)
		rc = fill_slots(obj, 1, &w);
	if (rc < 0 || (prc < 0 && !keep)) {
		obj_unload(obj);
		return rc < 0 ? rc : prc;
	}
	return prc;
}
