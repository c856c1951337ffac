/* The little of BTF the loader needs, on its own (src/btf/ validates BTF
 * for BPF_BTF_LOAD; this reads an untrusted .BTF section to find map
 * definitions, sizes and line strings, and prepares the blob for loading).
 *
 * Parsing indexes every type and checks that each record lies inside the
 * type section and that the string section is NUL-terminated; references
 * between types are checked where they are followed (with a depth limit, so
 * cycles end). */
#include "obj/obj.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC 0xeb9f
#define MAX_DEPTH 32

struct btf_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

struct obj_btf {
	uint8_t *data;                  /* our copy; fixups are written here */
	uint32_t size;
	struct btf_hdr hdr;
	uint8_t *types;
	const char *strs;
	uint32_t *offs;                 /* offs[id]: record offset in types (id >= 1) */
	uint32_t ntypes;                /* including void (id 0) */
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Bytes after the 12-byte struct btf_type, by kind; -1: unknown kind. */
static int64_t extra_size(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_K_INT: case BTF_K_VAR: case BTF_K_DECL_TAG: return 4;
	case BTF_K_PTR: case BTF_K_FWD: case BTF_K_TYPEDEF: case BTF_K_VOLATILE: case BTF_K_CONST:
	case BTF_K_RESTRICT: case BTF_K_FUNC: case BTF_K_FLOAT: case BTF_K_TYPE_TAG: return 0;
	case BTF_K_ARRAY: return 12;
	case BTF_K_STRUCT: case BTF_K_UNION: case BTF_K_DATASEC: case BTF_K_ENUM64: return 12 * (int64_t)vlen;
	case BTF_K_ENUM: case BTF_K_FUNC_PROTO: return 8 * (int64_t)vlen;
	}
	return -1;
}

static int why_fail(char *why, size_t n, const char *fmt, uint32_t a, uint32_t b)
{
	snprintf(why, n, fmt, a, b);
	return -EINVAL;
}

static int index_types(struct obj_btf *b, char *why, size_t whylen)
{
	uint32_t cap = 64, pos = 0, n = 1;
	b->offs = malloc(cap * sizeof(*b->offs));
	if (!b->offs)
		return -ENOMEM;
	b->offs[0] = 0;
	while (pos < b->hdr.type_len) {
		if (b->hdr.type_len - pos < 12)
			return why_fail(why, whylen, "type #%u at offset %u is truncated", n, pos);
		uint32_t info = rd32(b->types + pos + 4);
		uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		int64_t extra = extra_size(kind, vlen);
		if (extra < 0)
			return why_fail(why, whylen, "type #%u has unknown kind %u", n, kind);
		if ((uint64_t)b->hdr.type_len - pos - 12 < (uint64_t)extra)
			return why_fail(why, whylen, "type #%u at offset %u is truncated", n, pos);
		if (n == cap) {
			if (cap >= (1u << 24))
				return why_fail(why, whylen, "too many types (%u at offset %u)", n, pos);
			uint32_t *o = realloc(b->offs, 2 * cap * sizeof(*o));
			if (!o)
				return -ENOMEM;
			b->offs = o;
			cap *= 2;
		}
		b->offs[n++] = pos;
		pos += 12 + (uint32_t)extra;
	}
	b->ntypes = n;
	return 0;
}

int obj_btf_parse(const void *data, size_t size, struct obj_btf **out, char *why, size_t whylen)
{
	*out = NULL;
	struct btf_hdr h;
	if (size < sizeof(h))
		return why_fail(why, whylen, "%u bytes is too short for a header (%u)", (uint32_t)size, sizeof(h));
	if (size > (16u << 20))
		return why_fail(why, whylen, "%u bytes is more than the %u allowed", (uint32_t)size, 16u << 20);
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC)
		return why_fail(why, whylen, "bad magic 0x%x (want 0x%x)", h.magic, BTF_MAGIC);
	if (h.version != 1 || h.flags)
		return why_fail(why, whylen, "unsupported version %u or flags %u", h.version, h.flags);
	if (h.hdr_len < sizeof(h) || h.hdr_len > size)
		return why_fail(why, whylen, "bad header length %u (size %u)", h.hdr_len, (uint32_t)size);
	uint64_t body = size - h.hdr_len;
	if ((uint64_t)h.type_off + h.type_len > body || (uint64_t)h.str_off + h.str_len > body)
		return why_fail(why, whylen, "type or string section past the end (%u bytes after the header %u)",
				(uint32_t)body, h.hdr_len);
	if (h.type_off % 4)
		return why_fail(why, whylen, "unaligned type section offset %u (length %u)", h.type_off, h.type_len);
	const uint8_t *strs = (const uint8_t *)data + h.hdr_len + h.str_off;
	if (!h.str_len || strs[h.str_len - 1])
		return why_fail(why, whylen, "string section (%u bytes at %u) is not NUL-terminated", h.str_len,
				h.str_off);
	struct obj_btf *b = calloc(1, sizeof(*b));
	if (!b || !(b->data = malloc(size))) {
		free(b);
		return -ENOMEM;
	}
	memcpy(b->data, data, size);
	b->size = (uint32_t)size;
	b->hdr = h;
	b->types = b->data + h.hdr_len + h.type_off;
	b->strs = (const char *)b->data + h.hdr_len + h.str_off;
	int rc = index_types(b, why, whylen);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(why, whylen, "out of memory");
		obj_btf_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void obj_btf_free(struct obj_btf *b)
{
	if (!b)
		return;
	free(b->offs);
	free(b->data);
	free(b);
}

int obj_btf_str_ok(const struct obj_btf *b, uint32_t off)
{
	return off < b->hdr.str_len;
}

const char *obj_btf_str(const struct obj_btf *b, uint32_t off)
{
	return off < b->hdr.str_len ? b->strs + off : "";
}

int obj_btf_type(const struct obj_btf *b, uint32_t id, struct obj_btf_type *t)
{
	if (id == 0 || id >= b->ntypes)
		return -EINVAL;
	const uint8_t *p = b->types + b->offs[id];
	uint32_t info = rd32(p + 4);
	t->id = id;
	t->name = obj_btf_str(b, rd32(p));
	t->kind = (info >> 24) & 0x1f;
	t->vlen = info & 0xffff;
	t->kflag = info >> 31;
	t->size_or_type = rd32(p + 8);
	t->extra = p + 12;
	return 0;
}

int obj_btf_member(const struct obj_btf *b, const struct obj_btf_type *t, uint32_t i, struct obj_btf_member *m)
{
	if (i >= t->vlen)
		return -EINVAL;
	const uint8_t *p = t->extra + 12 * i;
	if (t->kind == BTF_K_STRUCT || t->kind == BTF_K_UNION) {
		m->name = obj_btf_str(b, rd32(p));
		m->type = rd32(p + 4);
		uint32_t off = rd32(p + 8);
		m->offset = t->kflag ? off & 0xffffff : off;  /* kflag: bitfield size in the top 8 bits */
		m->size = 0;
		return 0;
	}
	if (t->kind == BTF_K_DATASEC) {
		m->type = rd32(p);
		m->offset = rd32(p + 4);
		m->size = rd32(p + 8);
		struct obj_btf_type v;
		m->name = obj_btf_type(b, m->type, &v) == 0 ? v.name : "";
		return 0;
	}
	return -EINVAL;
}

static int is_mod(uint32_t kind)
{
	return kind == BTF_K_TYPEDEF || kind == BTF_K_VOLATILE || kind == BTF_K_CONST ||
	       kind == BTF_K_RESTRICT || kind == BTF_K_TYPE_TAG;
}

int obj_btf_skip_mods(const struct obj_btf *b, uint32_t id, struct obj_btf_type *t)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		if (obj_btf_type(b, id, t) < 0)
			return -EINVAL;
		if (!is_mod(t->kind))
			return 0;
		id = t->size_or_type;
	}
	return -ELOOP;
}

int64_t obj_btf_resolve_size(const struct obj_btf *b, uint32_t id)
{
	int64_t mult = 1;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		struct obj_btf_type t;
		if (obj_btf_type(b, id, &t) < 0)
			return -EINVAL;
		switch (t.kind) {
		case BTF_K_INT: case BTF_K_ENUM: case BTF_K_ENUM64: case BTF_K_STRUCT: case BTF_K_UNION:
		case BTF_K_DATASEC: case BTF_K_FLOAT:
			return mult * t.size_or_type;
		case BTF_K_PTR:
			return mult * 8;
		case BTF_K_TYPEDEF: case BTF_K_VOLATILE: case BTF_K_CONST: case BTF_K_RESTRICT:
		case BTF_K_TYPE_TAG: case BTF_K_VAR: case BTF_K_DECL_TAG:
			id = t.size_or_type;
			break;
		case BTF_K_ARRAY: {
			uint32_t nelems = rd32(t.extra + 8);
			if (nelems && mult > (int64_t)UINT32_MAX / nelems)
				return -E2BIG;
			mult *= nelems;
			id = rd32(t.extra);
			break;
		}
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

uint32_t obj_btf_find_datasec(const struct obj_btf *b, const char *name)
{
	struct obj_btf_type t;
	for (uint32_t id = 1; id < b->ntypes; id++)
		if (obj_btf_type(b, id, &t) == 0 && t.kind == BTF_K_DATASEC && !strcmp(t.name, name))
			return id;
	return 0;
}

const void *obj_btf_raw(const struct obj_btf *b, uint32_t *size)
{
	*size = b->size;
	return b->data;
}

/* btf_fixup_datasec: clang writes DATASEC sizes and VAR offsets as zero;
 * the section's size and each variable's symbol give them. A DATASEC that
 * cannot be fixed stays as it is (BPF_BTF_LOAD will then refuse the blob,
 * and the object loads without BTF). */
int obj_btf_fixup(struct bpfvm_object *obj)
{
	struct obj_btf *b = obj->btf;
	struct obj_btf_type t;
	for (uint32_t id = 1; id < b->ntypes; id++) {
		if (obj_btf_type(b, id, &t) < 0 || t.kind != BTF_K_DATASEC || t.size_or_type)
			continue;
		uint32_t sec = 0;
		for (uint32_t i = 1; i < obj->nsecs && !sec; i++)
			if (!strcmp(obj->secs[i].name, t.name))
				sec = i;
		if (!sec || obj->secs[sec].size > UINT32_MAX)
			continue;
		uint8_t *rec = b->types + b->offs[id];
		wr32(rec + 8, (uint32_t)obj->secs[sec].size);
		for (uint32_t i = 0; i < t.vlen; i++) {
			uint8_t *vi = rec + 12 + 12 * i;
			struct obj_btf_type v;
			if (obj_btf_type(b, rd32(vi), &v) < 0 || v.kind != BTF_K_VAR)
				continue;
			if (rd32(v.extra) != 1 && rd32(v.extra) != 2)
				continue;               /* static: no symbol to ask */
			const struct obj_sym *y = obj_sym_find(obj, sec, v.name);
			if (y && y->value <= UINT32_MAX)
				wr32(vi + 4, (uint32_t)y->value);
		}
	}
	return 0;
}

static void sanitize_type(uint8_t *p, uint8_t *strs, uint32_t str_len, const struct obj_btf *b)
{
	uint32_t info = rd32(p + 4);
	uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
	switch (kind) {
	case BTF_K_VAR: case BTF_K_DECL_TAG: {   /* -> INT of one byte */
		/* A function's static variable is named "func.var": as the
		 * name of a member (of its DATASEC-turned-STRUCT) v5.1 refuses
		 * it, and libbpf's sanitizer, which leaves it, loses all of the
		 * object's BTF to that. */
		uint32_t name = rd32(p);
		for (char *c = (char *)strs + name; kind == BTF_K_VAR && name < str_len && *c; c++)
			if (*c == '.')
				*c = '_';
		wr32(p + 4, (uint32_t)BTF_K_INT << 24);
		wr32(p + 8, 1);
		wr32(p + 12, 8);
		break;
	}
	case BTF_K_DATASEC: {                    /* -> STRUCT, the variables as members */
		uint32_t name = rd32(p);
		for (char *c = (char *)strs + name; name < str_len && *c; c++)
			if (*c == '.' || *c == '?')
				*c = '_';
		wr32(p + 4, ((uint32_t)BTF_K_STRUCT << 24) | vlen);
		for (uint32_t j = 0; j < vlen; j++) {
			uint8_t *m = p + 12 + 12 * j;
			uint32_t type = rd32(m), off = rd32(m + 4), vname = 0;
			if (type && type < b->ntypes)
				vname = rd32(b->types + b->offs[type]);
			wr32(m + 8, off * 8);
			wr32(m + 4, type);
			wr32(m, vname);
		}
		break;
	}
	case BTF_K_FUNC:                         /* linkage (vlen) -> 0 */
		wr32(p + 4, (uint32_t)BTF_K_FUNC << 24);
		break;
	case BTF_K_FLOAT:                        /* -> anonymous empty STRUCT of its size */
		wr32(p, 0);
		wr32(p + 4, (uint32_t)BTF_K_STRUCT << 24);
		break;
	case BTF_K_TYPE_TAG:                     /* -> CONST */
		wr32(p, 0);
		wr32(p + 4, (uint32_t)BTF_K_CONST << 24);
		break;
	case BTF_K_ENUM:
		wr32(p + 4, info & ~(1u << 31));
		break;
	}
}

/* The members of a DATASEC-turned-STRUCT take their names from the VAR
 * records, read from the original (the copy's VARs are INTs by then). */
void *obj_btf_sanitized(const struct obj_btf *b, uint32_t *size)
{
	uint8_t *copy = malloc(b->size);
	if (!copy)
		return NULL;
	memcpy(copy, b->data, b->size);
	uint8_t *types = copy + b->hdr.hdr_len + b->hdr.type_off;
	uint8_t *strs = copy + b->hdr.hdr_len + b->hdr.str_off;
	for (uint32_t id = 1; id < b->ntypes; id++)
		sanitize_type(types + b->offs[id], strs, b->hdr.str_len, b);
	*size = b->size;
	return copy;
}
