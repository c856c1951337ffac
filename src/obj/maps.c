/* Map definitions: the legacy "maps" section (struct bpf_map_def), BTF-
 * defined ".maps" (a struct of __uint/__type/__array members, read from
 * .BTF), and global data sections (one-element arrays). The rules are
 * libbpf's: bpf_object__init_user_maps, parse_btf_map_def and
 * bpf_object__init_global_data_maps. */
#include "obj/obj.h"
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEGACY_DEF_SZ 20u               /* type, key_size, value_size, max_entries, map_flags */

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.';
}

/* The kernel's name: the first 15 characters, others than [A-Za-z0-9_.]
 * replaced by '_' (what the kernel accepts). */
static void set_kname(char kname[BPF_OBJ_NAME_LEN], const char *name)
{
	size_t i;
	for (i = 0; i < BPF_OBJ_NAME_LEN - 1 && name[i]; i++)
		kname[i] = is_name_char(name[i]) ? name[i] : '_';
	memset(kname + i, 0, BPF_OBJ_NAME_LEN - i);
}

static struct bpfvm_object_map *add_map(struct bpfvm_object *obj, const char *name, uint32_t sec)
{
	struct bpfvm_object_map *m = realloc(obj->maps, (obj->nmaps + 1) * sizeof(*m));
	if (!m) {
		obj_err(obj, ENOMEM, "out of memory");
		return NULL;
	}
	obj->maps = m;
	m = &obj->maps[obj->nmaps];
	memset(m, 0, sizeof(*m));
	m->obj = obj;
	m->sec = sec;
	m->fd = -1;
	if (!(m->name = strdup(name))) {
		obj_err(obj, ENOMEM, "out of memory");
		return NULL;
	}
	set_kname(m->kname, name);
	obj->nmaps++;
	return m;
}

/* A map whose definition shares bytes with [off, off + size), or -1. */
static int overlapping(const struct bpfvm_object *obj, uint32_t sec, uint64_t off, uint64_t size)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		const struct bpfvm_object_map *m = &obj->maps[i];
		if (m->sec == sec && !m->internal && off < m->sec_off + (m->sec_size ? m->sec_size : 1) &&
		    m->sec_off < off + (size ? size : 1))
			return (int)i;
	}
	return -1;
}

static int is_map_sym(const struct obj_sym *y, uint32_t sec)
{
	return y->shndx == sec && y->type != STT_SECTION && y->type != STT_FILE;
}

/* bpf_object__init_user_maps: definitions of equal size, the section's
 * size divided by the number of symbols in it. A larger definition than
 * struct bpf_map_def is taken if its extra bytes are zero. */
static int legacy_maps(struct bpfvm_object *obj)
{
	uint32_t sec = obj->maps_sec;
	const struct obj_sec *s = &obj->secs[sec];
	uint32_t n = 0;
	for (uint32_t i = 1; i < obj->nsyms; i++)
		n += is_map_sym(&obj->syms[i], sec);
	if (!s->data || !n || s->size % n)
		return obj_err(obj, EINVAL, "section 'maps' (index %u): cannot tell the size of a map definition "
			       "(%llu bytes, %u symbols)", sec, (unsigned long long)s->size, n);
	uint64_t def_sz = s->size / n;
	for (uint32_t i = 1; i < obj->nsyms; i++) {
		const struct obj_sym *y = &obj->syms[i];
		if (!is_map_sym(y, sec))
			continue;
		if (y->bind == STB_LOCAL)
			return obj_err(obj, ENOTSUP, "map '%s' (section 'maps', offset %llu): static maps are not "
				       "supported", y->name, (unsigned long long)y->value);
		if (y->value > s->size || def_sz > s->size - y->value)
			return obj_err(obj, EINVAL, "map '%s': definition at offset %llu (%llu bytes) is past the end "
				       "of section 'maps' (%llu bytes)", y->name, (unsigned long long)y->value,
				       (unsigned long long)def_sz, (unsigned long long)s->size);
		int o = overlapping(obj, sec, y->value, def_sz);
		if (o >= 0)
			return obj_err(obj, EINVAL, "map '%s' (offset %llu in section 'maps') overlaps map '%s' "
				       "(offset %llu)", y->name, (unsigned long long)y->value, obj->maps[o].name,
				       (unsigned long long)obj->maps[o].sec_off);
		const uint8_t *d = s->data + y->value;
		for (uint64_t b = LEGACY_DEF_SZ; b < def_sz; b++)
			if (d[b])
				return obj_err(obj, EINVAL, "map '%s': definition has non-zero fields that are not "
					       "understood (byte %llu of %llu, offset %llu in section 'maps')", y->name,
					       (unsigned long long)b, (unsigned long long)def_sz,
					       (unsigned long long)(y->value + b));
		uint32_t f[5] = { 0 };
		memcpy(f, d, def_sz < LEGACY_DEF_SZ ? def_sz : LEGACY_DEF_SZ);
		struct bpfvm_object_map *m = add_map(obj, y->name, sec);
		if (!m)
			return -ENOMEM;
		m->sec_off = y->value;
		m->sec_size = def_sz;
		m->def = (struct obj_map_def){ f[0], f[1], f[2], f[3], f[4], 0, 0, 0, 0 };
	}
	return 0;
}

/* get_map_field_int: an integer is the element count of the array that a
 * PTR member points to. */
static int field_int(struct bpfvm_object *obj, const char *map, const struct obj_btf_member *mb, uint32_t *out)
{
	struct obj_btf_type t, a;
	if (obj_btf_skip_mods(obj->btf, mb->type, &t) < 0 || t.kind != BTF_K_PTR ||
	    obj_btf_type(obj->btf, t.size_or_type, &a) < 0 || a.kind != BTF_K_ARRAY)
		return obj_err(obj, EINVAL, "map '%s': attribute '%s' is not __uint(%s, N) (a pointer to an array)",
			       map, mb->name, mb->name);
	memcpy(out, a.extra + 8, 4);
	return 0;
}

static int field_type(struct bpfvm_object *obj, const char *map, const struct obj_btf_member *mb,
		      uint32_t *size, uint32_t *type_id)
{
	struct obj_btf_type t;
	if (obj_btf_type(obj->btf, mb->type, &t) < 0 || t.kind != BTF_K_PTR)
		return obj_err(obj, EINVAL, "map '%s': '%s' is not __type(%s, T) (a pointer)", map, mb->name,
			       mb->name);
	int64_t sz = obj_btf_resolve_size(obj->btf, t.size_or_type);
	if (sz < 0 || sz > UINT32_MAX)
		return obj_err(obj, EINVAL, "map '%s': cannot tell the size of the %s type [%u]", map, mb->name,
			       t.size_or_type);
	if (*size && *size != (uint64_t)sz)
		return obj_err(obj, EINVAL, "map '%s': conflicting %s sizes %u and %lld", map, mb->name, *size,
			       (long long)sz);
	*size = (uint32_t)sz;
	*type_id = t.size_or_type;
	return 0;
}

static int is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int parse_def(struct bpfvm_object *obj, const char *map, const struct obj_btf_type *st,
		     struct obj_map_def *d, struct bpfvm_object_map *outer);

/* "values": __array(values, struct inner) for map-in-map, __array(values,
 * int (void *)) for prog arrays; it must be the last member. */
static int field_values(struct bpfvm_object *obj, const char *map, const struct obj_btf_type *st, uint32_t i,
			const struct obj_btf_member *mb, struct obj_map_def *d, struct bpfvm_object_map *outer)
{
	int mim = is_map_in_map(d->type), pa = d->type == BPF_MAP_TYPE_PROG_ARRAY;
	struct obj_btf_type a, t;
	if (!outer)
		return obj_err(obj, ENOTSUP, "map '%s': inner maps cannot have values of their own", map);
	if (i != st->vlen - 1)
		return obj_err(obj, EINVAL, "map '%s': 'values' must be the last member", map);
	if (!mim && !pa)
		return obj_err(obj, ENOTSUP, "map '%s': 'values' needs a map-in-map or a prog array type", map);
	if (d->value_size && d->value_size != 4)
		return obj_err(obj, EINVAL, "map '%s': conflicting value sizes %u and 4", map, d->value_size);
	d->value_size = 4;
	if (obj_btf_type(obj->btf, mb->type, &a) < 0 || a.kind != BTF_K_ARRAY || memcmp(a.extra + 8, "\0\0\0", 4))
		return obj_err(obj, EINVAL, "map '%s': 'values' is not a zero-sized array", map);
	uint32_t elem;
	memcpy(&elem, a.extra, 4);
	if (obj_btf_skip_mods(obj->btf, elem, &t) < 0 || t.kind != BTF_K_PTR ||
	    obj_btf_skip_mods(obj->btf, t.size_or_type, &t) < 0)
		return obj_err(obj, EINVAL, "map '%s': 'values' is not an array of pointers", map);
	outer->values_off = mb->offset / 8;
	if (pa) {
		if (t.kind != BTF_K_FUNC_PROTO)
			return obj_err(obj, EINVAL, "map '%s': prog array values must be functions", map);
		return 0;
	}
	if (t.kind != BTF_K_STRUCT)
		return obj_err(obj, EINVAL, "map '%s': inner map definition is not a struct", map);
	char inner[300];
	snprintf(inner, sizeof(inner), "%s.inner", map);
	outer->has_inner = 1;
	return parse_def(obj, inner, &t, &outer->inner, NULL);
}

static int parse_def(struct bpfvm_object *obj, const char *map, const struct obj_btf_type *st,
		     struct obj_map_def *d, struct bpfvm_object_map *outer)
{
	for (uint32_t i = 0; i < st->vlen; i++) {
		struct obj_btf_member mb;
		int rc = 0;
		obj_btf_member(obj->btf, st, i, &mb);
		const char *n = mb.name;
		uint32_t v;
		if (!strcmp(n, "type"))
			rc = field_int(obj, map, &mb, &d->type);
		else if (!strcmp(n, "max_entries"))
			rc = field_int(obj, map, &mb, &d->max_entries);
		else if (!strcmp(n, "map_flags"))
			rc = field_int(obj, map, &mb, &d->map_flags);
		else if (!strcmp(n, "numa_node"))
			rc = field_int(obj, map, &mb, &d->numa_node);
		else if (!strcmp(n, "key_size") || !strcmp(n, "value_size")) {
			uint32_t *sz = n[0] == 'k' ? &d->key_size : &d->value_size;
			if ((rc = field_int(obj, map, &mb, &v)) == 0 && *sz && *sz != v)
				rc = obj_err(obj, EINVAL, "map '%s': conflicting %s %u and %u", map, n, *sz, v);
			*sz = v;
		} else if (!strcmp(n, "key"))
			rc = field_type(obj, map, &mb, &d->key_size, &d->key_type_id);
		else if (!strcmp(n, "value"))
			rc = field_type(obj, map, &mb, &d->value_size, &d->value_type_id);
		else if (!strcmp(n, "values"))
			rc = field_values(obj, map, st, i, &mb, d, outer);
		else if (!strcmp(n, "pinning")) {
			/* libbpf: LIBBPF_PIN_NONE or LIBBPF_PIN_BY_NAME, and
			 * never for an inner map */
			if ((rc = field_int(obj, map, &mb, &d->pinning)) == 0 && d->pinning != OBJ_PIN_NONE &&
			    d->pinning != OBJ_PIN_BY_NAME)
				rc = obj_err(obj, EINVAL, "map '%s': invalid pinning value %u (LIBBPF_PIN_NONE 0 or "
					     "LIBBPF_PIN_BY_NAME 1)", map, d->pinning);
			else if (rc == 0 && d->pinning && !outer)
				rc = obj_err(obj, EINVAL, "map '%s': an inner map definition cannot be pinned", map);
		} else
			rc = obj_err(obj, ENOTSUP, "map '%s': unknown attribute '%s'", map, n);
		if (rc < 0)
			return rc;
	}
	if (d->type == BPF_MAP_TYPE_UNSPEC)
		return obj_err(obj, EINVAL, "map '%s': no map type (__uint(type, ...))", map);
	return 0;
}

static int btf_map(struct bpfvm_object *obj, const struct obj_btf_member *vi)
{
	const struct obj_sec *s = &obj->secs[obj->btf_maps_sec];
	struct obj_btf_type var, st;
	if (obj_btf_type(obj->btf, vi->type, &var) < 0 || var.kind != BTF_K_VAR)
		return obj_err(obj, EINVAL, "section '.maps': BTF variable #%u is not a VAR", vi->type);
	const char *name = var.name;
	uint32_t linkage;
	memcpy(&linkage, var.extra, 4);
	if (!name[0])
		return obj_err(obj, EINVAL, "section '.maps': a map without a name (BTF type %u)", vi->type);
	if (linkage != 1)
		return obj_err(obj, ENOTSUP, "map '%s': static maps are not supported (as in libbpf)", name);
	const struct obj_sym *y = obj_sym_find(obj, obj->btf_maps_sec, name);
	if (!y)
		return obj_err(obj, EINVAL, "map '%s': no symbol of that name in section '.maps'", name);
	if (obj_btf_skip_mods(obj->btf, var.size_or_type, &st) < 0 || st.kind != BTF_K_STRUCT)
		return obj_err(obj, EINVAL, "map '%s': its definition is not a struct", name);
	if (y->value > s->size || st.size_or_type > s->size - y->value)
		return obj_err(obj, EINVAL, "map '%s': definition at offset %llu (%u bytes) is past the end of "
			       "section '.maps' (%llu bytes)", name, (unsigned long long)y->value, st.size_or_type,
			       (unsigned long long)s->size);
	/* The symbol also covers the initial values after the struct. */
	uint64_t extent = y->size > st.size_or_type && y->size <= s->size - y->value ? y->size : st.size_or_type;
	int o = overlapping(obj, obj->btf_maps_sec, y->value, extent);
	if (o >= 0)
		return obj_err(obj, EINVAL, "map '%s' (offset %llu in section '.maps') overlaps map '%s' "
			       "(offset %llu)", name, (unsigned long long)y->value, obj->maps[o].name,
			       (unsigned long long)obj->maps[o].sec_off);
	struct bpfvm_object_map *m = add_map(obj, name, obj->btf_maps_sec);
	if (!m)
		return -ENOMEM;
	m->sec_off = y->value;
	m->sec_size = extent;
	int idx = (int)(m - obj->maps);
	struct obj_map_def d = { 0 };
	int rc = parse_def(obj, name, &st, &d, m);
	obj->maps[idx].def = d;
	if (rc == 0 && d.pinning == OBJ_PIN_BY_NAME &&
	    asprintf(&obj->maps[idx].pin_path, "%s/%s", OBJ_PIN_ROOT, name) < 0) {
		obj->maps[idx].pin_path = NULL;
		rc = obj_err(obj, ENOMEM, "out of memory");
	}
	return rc;
}

static int btf_maps(struct bpfvm_object *obj)
{
	if (!obj->btf)
		return obj_err(obj, EINVAL, "section '.maps': BTF-defined maps need .BTF%s%s",
			       obj->btf_warning ? ": " : " (the object has none; compile with -g)",
			       obj->btf_warning ? obj->btf_warning : "");
	uint32_t id = obj_btf_find_datasec(obj->btf, ".maps");
	if (!id)
		return obj_err(obj, EINVAL, "section '.maps': no DATASEC '.maps' in .BTF");
	struct obj_btf_type sec;
	obj_btf_type(obj->btf, id, &sec);
	for (uint32_t i = 0; i < sec.vlen; i++) {
		struct obj_btf_member vi;
		obj_btf_member(obj->btf, &sec, i, &vi);
		int rc = btf_map(obj, &vi);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* internal_map_name: as much of the object's name as fits before the
 * section's (at least 7 characters kept for it), or the section's name
 * alone for ".rodata.NAME"-style sections. */
static void internal_name(const struct bpfvm_object *obj, const char *sec, char *out, size_t outlen)
{
	size_t sfx = strlen(sec) > 7 ? strlen(sec) : 7, pfx;
	if (sfx >= BPF_OBJ_NAME_LEN)
		sfx = BPF_OBJ_NAME_LEN - 1;
	if (strchr(sec + 1, '.'))
		pfx = 0;
	else
		pfx = BPF_OBJ_NAME_LEN - sfx - 1 < strlen(obj->name) ? BPF_OBJ_NAME_LEN - sfx - 1 : strlen(obj->name);
	snprintf(out, outlen, "%.*s%.*s", (int)pfx, obj->name, (int)sfx, sec);
}

static int data_maps(struct bpfvm_object *obj)
{
	for (uint32_t i = 1; i < obj->nsecs; i++) {
		const struct obj_sec *s = &obj->secs[i];
		if (s->kind != SK_DATA && s->kind != SK_RODATA && s->kind != SK_BSS)
			continue;
		if (s->size > UINT32_MAX - 8)
			return obj_err(obj, E2BIG, "section '%s': %llu bytes of global data is too much", s->name,
				       (unsigned long long)s->size);
		char name[BPF_OBJ_NAME_LEN + 1];
		internal_name(obj, s->name, name, sizeof(name));
		struct bpfvm_object_map *m = add_map(obj, name, i);
		if (!m)
			return -ENOMEM;
		m->internal = 1;
		m->sec_size = s->size;
		m->def = (struct obj_map_def){ BPF_MAP_TYPE_ARRAY, 4, (uint32_t)s->size, 1, 0, 0, 0, 0, 0 };
		if (obj->btf)
			m->def.value_type_id = obj_btf_find_datasec(obj->btf, s->name);
	}
	return 0;
}

int obj_find_maps(struct bpfvm_object *obj)
{
	int rc = 0;
	if (obj->maps_sec)
		rc = legacy_maps(obj);
	if (rc == 0 && obj->btf_maps_sec)
		rc = btf_maps(obj);
	if (rc == 0)
		rc = data_maps(obj);
	return rc;
}

int obj_map_by_offset(const struct bpfvm_object *obj, uint32_t sec, uint64_t off)
{
	for (uint32_t i = 0; i < obj->nmaps; i++)
		if (obj->maps[i].sec == sec && !obj->maps[i].internal && obj->maps[i].sec_off == off)
			return (int)i;
	return -1;
}

void obj_maps_free(struct bpfvm_object *obj)
{
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		free(obj->maps[i].name);
		free(obj->maps[i].pin_path);
		free(obj->maps[i].slots);
	}
	free(obj->maps);
}
