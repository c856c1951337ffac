/* A small builder of raw BTF blobs for tests: types appended one by one
 * (ids from 1), names interned into a string section, then one blob with
 * the standard layout (24-byte header, types, strings). It uses neither
 * bpfvm's nor Linux's headers, so any test translation unit can include
 * it; the kind numbers are the ABI's. Nothing here validates: a test may
 * build any bytes it likes, and corrupt the blob afterwards. */
#ifndef BPFVM_TEST_BTF_BUILDER_H
#define BPFVM_TEST_BTF_BUILDER_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	BB_INT = 1, BB_PTR, BB_ARRAY, BB_STRUCT, BB_UNION, BB_ENUM, BB_FWD, BB_TYPEDEF, BB_VOLATILE,
	BB_CONST, BB_RESTRICT, BB_FUNC, BB_FUNC_PROTO, BB_VAR, BB_DATASEC,
};
#define BB_SIGNED 1
#define BB_CHAR 2
#define BB_BOOL 4
#define BB_HDR_LEN 24u
#define BB_INFO(kind, kflag, vlen) (((uint32_t)(kflag) << 31) | ((uint32_t)(kind) << 24) | ((vlen) & 0xffffu))

struct bb {
	uint8_t *t;                     /* the type section */
	uint32_t tlen, tcap;
	char *s;                        /* the string section, "\0" first */
	uint32_t slen, scap;
	uint32_t ntypes;
};

static inline void bb_grow(void **p, uint32_t *cap, uint32_t need)
{
	if (need <= *cap)
		return;
	uint32_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c);
	if (!n)
		abort();
	*p = n;
	*cap = c;
}

static inline void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	bb_grow((void **)&b->s, &b->scap, 1);
	b->s[0] = 0;
	b->slen = 1;
}

static inline void bb_free(struct bb *b)
{
	free(b->t);
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* The offset of str in the string section (added if new); NULL or "": 0 */
static inline uint32_t bb_str(struct bb *b, const char *str)
{
	if (!str || !*str)
		return 0;
	uint32_t n = (uint32_t)strlen(str) + 1;
	for (uint32_t off = 1; off + n <= b->slen; off += (uint32_t)strlen(b->s + off) + 1)
		if (!memcmp(b->s + off, str, n))
			return off;
	bb_grow((void **)&b->s, &b->scap, b->slen + n);
	memcpy(b->s + b->slen, str, n);
	b->slen += n;
	return b->slen - n;
}

/* Raw bytes into the string section (no terminator added) */
static inline uint32_t bb_str_raw(struct bb *b, const void *bytes, uint32_t n)
{
	bb_grow((void **)&b->s, &b->scap, b->slen + n);
	memcpy(b->s + b->slen, bytes, n);
	b->slen += n;
	return b->slen - n;
}

static inline void bb_u32(struct bb *b, uint32_t v)
{
	bb_grow((void **)&b->t, &b->tcap, b->tlen + 4);
	memcpy(b->t + b->tlen, &v, 4);
	b->tlen += 4;
}

/* A btf_type with a raw name offset and info word: its id */
static inline uint32_t bb_raw(struct bb *b, uint32_t name_off, uint32_t info, uint32_t size_or_type)
{
	bb_u32(b, name_off);
	bb_u32(b, info);
	bb_u32(b, size_or_type);
	return ++b->ntypes;
}

static inline uint32_t bb_type(struct bb *b, const char *name, unsigned kind, unsigned kflag, unsigned vlen,
			       uint32_t size_or_type)
{
	return bb_raw(b, bb_str(b, name), BB_INFO(kind, kflag, vlen), size_or_type);
}

static inline uint32_t bb_int(struct bb *b, const char *name, uint32_t size, unsigned enc, unsigned bits_off,
			      unsigned nr_bits)
{
	uint32_t id = bb_type(b, name, BB_INT, 0, 0, size);
	bb_u32(b, ((uint32_t)enc << 24) | ((uint32_t)bits_off << 16) | nr_bits);
	return id;
}

static inline uint32_t bb_ref(struct bb *b, unsigned kind, const char *name, uint32_t type)
{
	return bb_type(b, name, kind, 0, 0, type);
}
#define bb_ptr(b, type) bb_ref((b), BB_PTR, NULL, (type))
#define bb_typedef(b, name, type) bb_ref((b), BB_TYPEDEF, (name), (type))
#define bb_const(b, type) bb_ref((b), BB_CONST, NULL, (type))
#define bb_volatile(b, type) bb_ref((b), BB_VOLATILE, NULL, (type))
#define bb_restrict(b, type) bb_ref((b), BB_RESTRICT, NULL, (type))

static inline uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t nelems)
{
	uint32_t id = bb_type(b, NULL, BB_ARRAY, 0, 0, 0);
	bb_u32(b, elem);
	bb_u32(b, index);
	bb_u32(b, nelems);
	return id;
}

/* struct/union header: then vlen bb_member() calls */
static inline uint32_t bb_struct(struct bb *b, const char *name, uint32_t size, unsigned vlen)
{
	return bb_type(b, name, BB_STRUCT, 0, vlen, size);
}
static inline uint32_t bb_union(struct bb *b, const char *name, uint32_t size, unsigned vlen)
{
	return bb_type(b, name, BB_UNION, 0, vlen, size);
}
/* off: bit offset (kind_flag structs: bitfield_size << 24 | bit offset) */
static inline void bb_member(struct bb *b, const char *name, uint32_t type, uint32_t off)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, type);
	bb_u32(b, off);
}

static inline uint32_t bb_enum(struct bb *b, const char *name, uint32_t size, unsigned vlen)
{
	return bb_type(b, name, BB_ENUM, 0, vlen, size);
}
static inline void bb_enumval(struct bb *b, const char *name, int32_t val)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, (uint32_t)val);
}

static inline uint32_t bb_fwd(struct bb *b, const char *name, int is_union)
{
	return bb_type(b, name, BB_FWD, is_union ? 1 : 0, 0, 0);
}

/* func_proto header: then vlen bb_param() calls (type 0 last: "...") */
static inline uint32_t bb_func_proto(struct bb *b, uint32_t ret, unsigned vlen)
{
	return bb_type(b, NULL, BB_FUNC_PROTO, 0, vlen, ret);
}
static inline void bb_param(struct bb *b, const char *name, uint32_t type)
{
	bb_u32(b, bb_str(b, name));
	bb_u32(b, type);
}
static inline uint32_t bb_func(struct bb *b, const char *name, uint32_t proto)
{
	return bb_type(b, name, BB_FUNC, 0, 0, proto);
}

static inline uint32_t bb_var(struct bb *b, const char *name, uint32_t type, uint32_t linkage)
{
	uint32_t id = bb_type(b, name, BB_VAR, 0, 0, type);
	bb_u32(b, linkage);
	return id;
}
/* datasec header: then vlen bb_vsi() calls */
static inline uint32_t bb_datasec(struct bb *b, const char *name, uint32_t size, unsigned vlen)
{
	return bb_type(b, name, BB_DATASEC, 0, vlen, size);
}
static inline void bb_vsi(struct bb *b, uint32_t type, uint32_t off, uint32_t size)
{
	bb_u32(b, type);
	bb_u32(b, off);
	bb_u32(b, size);
}

/* The blob: header, types, strings. malloc'ed; *size is its length. */
static inline uint8_t *bb_blob(const struct bb *b, uint32_t *size)
{
	uint32_t hdr[6] = { 0xeb9f | (1u << 16), BB_HDR_LEN, 0, b->tlen, b->tlen, b->slen };
	*size = BB_HDR_LEN + b->tlen + b->slen;
	uint8_t *p = malloc(*size);
	if (!p)
		abort();
	memcpy(p, hdr, BB_HDR_LEN);
	if (b->tlen)
		memcpy(p + BB_HDR_LEN, b->t, b->tlen);
	memcpy(p + BB_HDR_LEN + b->tlen, b->s, b->slen);
	return p;
}

/* Header fields of a blob, by index: 0 magic/version/flags word, 1 hdr_len,
 * 2 type_off, 3 type_len, 4 str_off, 5 str_len */
static inline void bb_set_hdr(uint8_t *blob, unsigned field, uint32_t v)
{
	memcpy(blob + 4 * field, &v, 4);
}
static inline uint32_t bb_get_hdr(const uint8_t *blob, unsigned field)
{
	uint32_t v;
	memcpy(&v, blob + 4 * field, 4);
	return v;
}
/* A u32 of the type section (at byte offset off from its start) */
static inline void bb_poke(uint8_t *blob, uint32_t off, uint32_t v)
{
	memcpy(blob + BB_HDR_LEN + off, &v, 4);
}
#endif
