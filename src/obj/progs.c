/* Functions and programs. Each STT_FUNC symbol of an executable section is
 * a function; in a program section a global function is a program (libbpf
 * allows several per section), in .text every function is a subprogram,
 * copied into the programs that call it. A program section without
 * function symbols (hand-written assembly) is one program named after the
 * section. */
#include "obj/obj.h"
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

static int cmp_func(const void *a, const void *b)
{
	const struct obj_func *x = a, *y = b;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static char *section_prog_name(const char *sec)
{
	char *n = strdup(sec);
	for (char *c = n; c && *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			*c = '_';
	return n;
}

static int add_func(struct bpfvm_object *obj, uint32_t *cap, const char *name, uint32_t sec, uint32_t off,
		    uint32_t cnt, int global)
{
	if (obj->nfuncs == *cap) {
		uint32_t nc = *cap ? 2 * *cap : 16;
		struct obj_func *f = realloc(obj->funcs, nc * sizeof(*f));
		if (!f)
			return obj_err(obj, ENOMEM, "out of memory");
		obj->funcs = f;
		*cap = nc;
	}
	struct obj_func *f = &obj->funcs[obj->nfuncs];
	*f = (struct obj_func){ strdup(name), sec, off, cnt, global };
	if (!f->name)
		return obj_err(obj, ENOMEM, "out of memory");
	obj->nfuncs++;
	return 0;
}

static int collect_funcs(struct bpfvm_object *obj)
{
	uint32_t cap = 0;
	for (uint32_t i = 1; i < obj->nsyms; i++) {
		const struct obj_sym *y = &obj->syms[i];
		if (y->type != STT_FUNC || y->shndx == 0 || y->shndx >= obj->nsecs)
			continue;
		const struct obj_sec *s = &obj->secs[y->shndx];
		if (s->kind != SK_PROG && s->kind != SK_TEXT)
			continue;
		if (y->value % OBJ_INSN_SZ || y->size % OBJ_INSN_SZ || y->value >= s->size ||
		    y->size > s->size - y->value)
			return obj_err(obj, EINVAL, "symbol '%s': function at offset %llu, %llu bytes, is not a "
				       "whole number of instructions inside section '%s' (%llu bytes)", y->name,
				       (unsigned long long)y->value, (unsigned long long)y->size, s->name,
				       (unsigned long long)s->size);
		int rc = add_func(obj, &cap, y->name, y->shndx, (uint32_t)(y->value / OBJ_INSN_SZ),
				  (uint32_t)(y->size / OBJ_INSN_SZ), y->bind != STB_LOCAL);
		if (rc < 0)
			return rc;
	}
	/* Sections of code without a function symbol. */
	for (uint32_t s = 1; s < obj->nsecs; s++) {
		if (obj->secs[s].kind != SK_PROG)
			continue;
		uint32_t k;
		for (k = 0; k < obj->nfuncs && obj->funcs[k].sec != s; k++)
			;
		if (k < obj->nfuncs)
			continue;
		char *n = section_prog_name(obj->secs[s].name);
		int rc = n ? add_func(obj, &cap, n, s, 0, (uint32_t)(obj->secs[s].size / OBJ_INSN_SZ), 1) :
			     obj_err(obj, ENOMEM, "out of memory");
		free(n);
		if (rc < 0)
			return rc;
	}
	if (obj->nfuncs)
		qsort(obj->funcs, obj->nfuncs, sizeof(*obj->funcs), cmp_func);
	return 0;
}

/* A size 0 symbol (assembly) runs to the next function or the section's
 * end; functions must not overlap. */
static int check_layout(struct bpfvm_object *obj)
{
	for (uint32_t i = 0; i < obj->nfuncs; i++) {
		struct obj_func *f = &obj->funcs[i];
		const struct obj_sec *s = &obj->secs[f->sec];
		struct obj_func *next = i + 1 < obj->nfuncs && obj->funcs[i + 1].sec == f->sec ? f + 1 : NULL;
		uint32_t end = next ? next->off : (uint32_t)(s->size / OBJ_INSN_SZ);
		if (f->cnt == 0)
			f->cnt = end - f->off;
		if (next && (next->off == f->off || f->off + f->cnt > next->off))
			return obj_err(obj, EINVAL, "section '%s': symbols '%s' (offset %u, %u bytes) and '%s' "
				       "(offset %u) overlap", s->name, f->name, f->off * OBJ_INSN_SZ,
				       f->cnt * OBJ_INSN_SZ, next->name, next->off * OBJ_INSN_SZ);
		if (f->cnt == 0)
			return obj_err(obj, EINVAL, "section '%s': function '%s' at offset %u is empty", s->name,
				       f->name, f->off * OBJ_INSN_SZ);
	}
	return 0;
}

int obj_find_programs(struct bpfvm_object *obj)
{
	int rc = collect_funcs(obj);
	if (rc < 0 || (rc = check_layout(obj)) < 0)
		return rc;
	uint32_t n = 0;
	for (uint32_t i = 0; i < obj->nfuncs; i++) {
		const struct obj_func *f = &obj->funcs[i];
		if (obj->secs[f->sec].kind != SK_PROG)
			continue;
		if (!f->global)
			return obj_err(obj, ENOTSUP, "section '%s': program '%s' (offset %u) is static: programs "
				       "must be global functions (as libbpf requires)", obj->secs[f->sec].name,
				       f->name, f->off * OBJ_INSN_SZ);
		n++;
	}
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return obj_err(obj, ENOMEM, "out of memory");
	for (uint32_t i = 0; i < obj->nfuncs; i++) {
		const struct obj_func *f = &obj->funcs[i];
		if (obj->secs[f->sec].kind != SK_PROG)
			continue;
		struct bpfvm_program *p = &obj->progs[obj->nprogs++];
		p->obj = obj;
		p->name = f->name;
		p->sec = f->sec;
		p->sec_name = obj->secs[f->sec].name;
		p->def = obj->secs[f->sec].def;
		p->func = i;
		p->autoload = 1;
		if (p->sec_name[0] == '?') {    /* libbpf 1.0: not loaded by default */
			p->sec_name++;
			p->autoload = 0;
		}
		p->fd = -1;
		p->load_err = -ENOENT;
	}
	return 0;
}

int obj_func_at(const struct bpfvm_object *obj, uint32_t sec, uint32_t off)
{
	uint32_t lo = 0, hi = obj->nfuncs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct obj_func *f = &obj->funcs[mid];
		if (f->sec < sec || (f->sec == sec && f->off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < obj->nfuncs && obj->funcs[lo].sec == sec && obj->funcs[lo].off == off)
		return (int)lo;
	return -1;
}

void obj_progs_free(struct bpfvm_object *obj)
{
	for (uint32_t i = 0; i < obj->nprogs; i++) {
		struct bpfvm_program *p = &obj->progs[i];
		free(p->insns);
		free(p->ldmaps);
		free(p->funcs);
		free(p->func_info);
		free(p->line_info);
		free(p->lines);
		free(p->core_desc);
		free(p->log);
	}
	free(obj->progs);
	for (uint32_t i = 0; i < obj->nfuncs; i++)
		free(obj->funcs[i].name);
	free(obj->funcs);
}
