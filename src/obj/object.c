/* The object API: open (the pipeline of obj.h), load, close, and the
 * accessors. */
#include "obj/obj.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_MAX 512

int obj_err(struct bpfvm_object *obj, int err, const char *fmt, ...)
{
	if (obj->err && obj->errlen && !obj->err[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(obj->err, obj->errlen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

/* libbpf names an object after its file: the base name up to the first '.'. */
static char *object_name(const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path ? path : "obj";
	return strndup(base, strcspn(base, "."));
}

static void add_warning(struct bpfvm_object *obj, const char *what, const char *why)
{
	char *w = NULL;
	if (asprintf(&w, "%s%s%s: %s", obj->btf_warning ? obj->btf_warning : "", obj->btf_warning ? "; " : "",
		     what, why) < 0)
		return;
	free(obj->btf_warning);
	obj->btf_warning = w;
}

/* .BTF and .BTF.ext are optional: when unreadable, the object goes on
 * without them (with a warning given at load), unless BTF-defined maps
 * need them, which maps.c reports. */
static void read_btf(struct bpfvm_object *obj)
{
	char why[256] = "";
	if (!obj->btf_sec)
		return;
	const struct obj_sec *s = &obj->secs[obj->btf_sec];
	if (!s->data || obj_btf_parse(s->data, s->size, &obj->btf, why, sizeof(why)) < 0) {
		add_warning(obj, "section '.BTF'", s->data ? why : "empty");
		return;
	}
	obj_btf_fixup(obj);
	if (!obj->btf_ext_sec)
		return;
	s = &obj->secs[obj->btf_ext_sec];
	char *saved = obj->err;
	size_t savedlen = obj->errlen;
	obj->err = why;
	obj->errlen = sizeof(why);
	if (!s->data || obj_btf_ext_parse(obj, s->data, s->size, &obj->btf_ext) < 0)
		add_warning(obj, "section '.BTF.ext'", s->data ? why : "empty");
	obj->err = saved;
	obj->errlen = savedlen;
}

static int open_pipeline(struct bpfvm_object *obj)
{
	int rc = obj_elf_read(obj);
	if (rc < 0)
		return rc;
	read_btf(obj);
	if ((rc = obj_find_programs(obj)) < 0 || (rc = obj_find_maps(obj)) < 0 ||
	    (rc = obj_collect_relos(obj)) < 0 || (rc = obj_link_programs(obj)) < 0)
		return rc;
	return 0;
}

struct bpfvm_object *bpfvm_object_open_mem(struct bpfvm *vm, const void *buf, size_t len, const char *name,
					   char *err, size_t errlen)
{
	char msg[ERR_MAX] = "";
	int rc = -ENOMEM;
	if (err && errlen)
		err[0] = 0;
	struct bpfvm_object *obj = calloc(1, sizeof(*obj));
	if (!obj) {
		snprintf(err ? err : msg, err ? errlen : sizeof(msg), "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	obj->vm = vm;
	obj->btf_fd = -1;
	obj->err = msg;
	obj->errlen = sizeof(msg);
	if (!vm || (!buf && len))
		rc = obj_err(obj, EINVAL, "no vm or no buffer");
	else if (!(obj->name = object_name(name)) || !(obj->buf = malloc(len ? len : 1)))
		rc = obj_err(obj, ENOMEM, "out of memory");
	else if (len == 0)
		rc = obj_err(obj, EINVAL, "empty file");
	else {
		memcpy(obj->buf, buf, len);
		obj->len = len;
		rc = open_pipeline(obj);
	}
	obj->err = NULL;
	obj->errlen = 0;
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", msg[0] ? msg : strerror(-rc));
		bpfvm_object_close(obj);
		errno = -rc;
		return NULL;
	}
	return obj;
}

struct bpfvm_object *bpfvm_object_open(struct bpfvm *vm, const char *path, char *err, size_t errlen)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f) {
		int e = path ? errno : EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path ? path : "(null)", strerror(e));
		errno = e;
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (len < cap)
			break;
		uint8_t *nb = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2) : NULL;
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int bad = !buf ? ENOMEM : ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (bad) {
		free(buf);
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, bad == ENOMEM ? "too large or out of memory" : strerror(bad));
		errno = bad;
		return NULL;
	}
	struct bpfvm_object *obj = bpfvm_object_open_mem(vm, buf, len, path, err, errlen);
	free(buf);
	return obj;
}

void bpfvm_object_close(struct bpfvm_object *obj)
{
	if (!obj)
		return;
	if (obj->vm)
		obj_unload(obj);
	obj_progs_free(obj);
	obj_maps_free(obj);
	free(obj->relos);
	obj_btf_ext_free(obj->btf_ext);
	obj_btf_free(obj->btf);
	free(obj->btf_warning);
	free(obj->syms);
	free(obj->secs);
	obj_elf_end(obj);
	free(obj->buf);
	free(obj->name);
	free(obj);
}

int bpfvm_object_load(struct bpfvm_object *obj, char *log, size_t logsz)
{
	return bpfvm_object_load_opts(obj, NULL, log, logsz);
}

int bpfvm_object_load_opts(struct bpfvm_object *obj, const struct bpfvm_object_load_opts *opts, char *log,
			   size_t logsz)
{
	if (!obj)
		return -EINVAL;
	struct bpfvm_object_load_opts o = { sizeof(o), 0, 0 };
	if (opts) {
		if (opts->sz < sizeof(size_t))
			return -EINVAL;
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	}
	return obj_load(obj, &o, log, logsz);
}

/* ---- accessors ----------------------------------------------------------- */

struct bpfvm *bpfvm_object_vm(const struct bpfvm_object *obj) { return obj->vm; }
const char *bpfvm_object_name(const struct bpfvm_object *obj) { return obj->name; }
const char *bpfvm_object_license(const struct bpfvm_object *obj) { return obj->license; }
uint32_t bpfvm_object_kversion(const struct bpfvm_object *obj) { return obj->kversion; }
int bpfvm_object_has_btf(const struct bpfvm_object *obj) { return obj->btf != NULL; }
int bpfvm_object_btf_fd(const struct bpfvm_object *obj) { return obj->btf_fd; }

size_t bpfvm_object_program_count(const struct bpfvm_object *obj) { return obj->nprogs; }

struct bpfvm_program *bpfvm_object_program(const struct bpfvm_object *obj, size_t i)
{
	return i < obj->nprogs ? &obj->progs[i] : NULL;
}

struct bpfvm_program *bpfvm_object_find_program(const struct bpfvm_object *obj, const char *name)
{
	for (uint32_t i = 0; name && i < obj->nprogs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	return NULL;
}

const char *bpfvm_program_name(const struct bpfvm_program *p) { return p->name; }
const char *bpfvm_program_section(const struct bpfvm_program *p) { return p->sec_name; }
uint32_t bpfvm_program_type(const struct bpfvm_program *p) { return p->def->prog_type; }
uint32_t bpfvm_program_expected_attach_type(const struct bpfvm_program *p) { return p->def->attach_type; }
int bpfvm_program_fd(const struct bpfvm_program *p) { return p->fd; }
int bpfvm_program_load_error(const struct bpfvm_program *p) { return p->load_err; }
const char *bpfvm_program_log(const struct bpfvm_program *p) { return p->log ? p->log : ""; }

int bpfvm_program_set_autoload(struct bpfvm_program *p, int on)
{
	if (p->obj->loaded)
		return -EBUSY;
	p->autoload = !!on;
	return 0;
}

const struct bpf_insn *bpfvm_program_insns(const struct bpfvm_program *p, size_t *cnt)
{
	*cnt = p->insn_cnt;
	return p->insns;
}

const struct bpfvm_object_map *bpfvm_program_insn_map(const struct bpfvm_program *p, size_t i, uint32_t *off)
{
	uint32_t lo = 0, hi = p->nldmaps;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->ldmaps[mid].insn < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->nldmaps || p->ldmaps[lo].insn != i)
		return NULL;
	if (off)
		*off = p->ldmaps[lo].off;
	return &p->obj->maps[p->ldmaps[lo].map];
}

size_t bpfvm_program_funcs(const struct bpfvm_program *p, const struct bpfvm_func_sym **out)
{
	*out = p->funcs;
	return p->nfuncs;
}

size_t bpfvm_program_lines(const struct bpfvm_program *p, const struct bpfvm_line_info **out)
{
	*out = p->lines;
	return p->nline_info;
}

size_t bpfvm_object_map_count(const struct bpfvm_object *obj) { return obj->nmaps; }

struct bpfvm_object_map *bpfvm_object_map(const struct bpfvm_object *obj, size_t i)
{
	return i < obj->nmaps ? &obj->maps[i] : NULL;
}

struct bpfvm_object_map *bpfvm_object_find_map(const struct bpfvm_object *obj, const char *name)
{
	for (uint32_t i = 0; name && i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return &obj->maps[i];
	for (uint32_t i = 0; name && i < obj->nmaps; i++)
		if (obj->maps[i].internal && !strcmp(obj->secs[obj->maps[i].sec].name, name))
			return &obj->maps[i];
	return NULL;
}

const char *bpfvm_object_map_name(const struct bpfvm_object_map *m) { return m->name; }
const char *bpfvm_object_map_section(const struct bpfvm_object_map *m) { return m->obj->secs[m->sec].name; }
int bpfvm_object_map_is_internal(const struct bpfvm_object_map *m) { return m->internal; }
uint32_t bpfvm_object_map_type(const struct bpfvm_object_map *m) { return m->def.type; }
uint32_t bpfvm_object_map_key_size(const struct bpfvm_object_map *m) { return m->def.key_size; }
uint32_t bpfvm_object_map_value_size(const struct bpfvm_object_map *m) { return m->def.value_size; }
uint32_t bpfvm_object_map_max_entries(const struct bpfvm_object_map *m) { return m->def.max_entries; }
uint32_t bpfvm_object_map_flags(const struct bpfvm_object_map *m) { return m->def.map_flags; }
int bpfvm_object_map_fd(const struct bpfvm_object_map *m) { return m->fd; }
