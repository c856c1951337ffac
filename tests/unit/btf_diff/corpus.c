/* Hand-built BTF blobs for the differential test: every kind, and every
 * check of v5.1's btf_parse that a blob can trip (the corruptions are in
 * mutate.c). */
#include "corpus.h"
#include "builder.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bcase *cases_add(struct bcases *c, const char *name, uint8_t *blob, uint32_t size, int known)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			abort();
	}
	struct bcase *k = &c->v[c->n++];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->blob = blob;
	k->size = size;
	k->known = known;
	return k;
}

void cases_free(struct bcases *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].blob);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static struct bcase *add_bb(struct bcases *c, const char *name, int known, struct bb *b)
{
	uint32_t n;
	uint8_t *p = bb_blob(b, &n);
	bb_free(b);
	return cases_add(c, name, p, n, known);
}

/* ---- valid BTF ---- */

/* Every kind of v5.1 and VAR/DATASEC; ids in the comments. */
static void every_kind(struct bb *b)
{
	uint32_t i = bb_int(b, "int", 4, BB_SIGNED, 0, 32);                 /* 1 */
	uint32_t u = bb_int(b, "unsigned int", 4, 0, 0, 32);                /* 2: INT names are free */
	bb_int(b, "char", 1, BB_CHAR, 0, 8);                                /* 3 */
	bb_int(b, "_Bool", 1, BB_BOOL, 0, 8);                               /* 4 */
	bb_int(b, "__int128", 16, BB_SIGNED, 0, 128);                       /* 5 */
	uint32_t p = bb_ptr(b, i);                                          /* 6 */
	uint32_t a = bb_array(b, i, u, 4);                                  /* 7 */
	uint32_t s = bb_struct(b, "s", 32, 3);                              /* 8 */
	bb_member(b, "a", i, 0);
	bb_member(b, "p", p, 64);
	bb_member(b, "arr", a, 128);
	bb_union(b, "u", 8, 2);                                             /* 9 */
	bb_member(b, "i", i, 0);
	bb_member(b, "p", p, 0);
	bb_enum(b, "e", 4, 2);                                              /* 10 */
	bb_enumval(b, "A", 0);
	bb_enumval(b, "B", -1);
	bb_fwd(b, "fs", 0);                                                 /* 11 */
	bb_fwd(b, "fu", 1);                                                 /* 12 */
	bb_typedef(b, "td", s);                                             /* 13 */
	uint32_t v = bb_volatile(b, i);                                     /* 14 */
	bb_const(b, v);                                                     /* 15 */
	bb_restrict(b, p);                                                  /* 16 */
	uint32_t fp = bb_func_proto(b, i, 3);                               /* 17 */
	bb_param(b, "x", i);
	bb_param(b, "y", p);
	bb_param(b, NULL, 0);
	bb_func(b, "f", fp);                                                /* 18 */
	uint32_t gv = bb_var(b, "gv", i, 1);                                /* 19 */
	uint32_t sv = bb_var(b, "sv", s, 0);                                /* 20 */
	bb_datasec(b, ".data", 40, 2);                                      /* 21 */
	bb_vsi(b, gv, 0, 4);
	bb_vsi(b, sv, 8, 32);
	/* a kind_flag struct with bitfields */
	bb_type(b, "bits", BB_STRUCT, 1, 3, 4);                             /* 22 */
	bb_member(b, "x", i, 3u << 24);
	bb_member(b, "y", i, (5u << 24) | 3);
	bb_member(b, "z", 3, 16);
	bb_func_proto(b, 0, 0);                                             /* 23: void (void) */
	bb_ptr(b, 23);                                                      /* 24: function pointer */
	bb_ptr(b, 0);                                                       /* 25: void * */
	bb_const(b, 0);                                                     /* 26: const void */
	bb_ptr(b, 11);                                                      /* 27: pointer to a forward */
	uint32_t self = bb_struct(b, "node", 16, 2);                        /* 28 */
	bb_member(b, "val", i, 0);
	bb_member(b, "next", self + 1, 64);
	bb_ptr(b, self);                                                    /* 29 */
	bb_typedef(b, "fn_t", 23);                                          /* 30 */
	bb_struct(b, "empty", 0, 0);                                        /* 31 */
	bb_array(b, 3, i, 0);                                               /* 32: char[0] */
}

uint8_t *corpus_every_kind(uint32_t *size)
{
	struct bb b;
	bb_init(&b);
	every_kind(&b);
	uint8_t *p = bb_blob(&b, size);
	bb_free(&b);
	return p;
}

/* int, then n consts each referring to the next, the last to the int */
static void chain(struct bb *b, int n)
{
	bb_int(b, "int", 4, BB_SIGNED, 0, 32);
	for (int k = 0; k < n; k++)
		bb_const(b, k + 1 < n ? (uint32_t)k + 3 : 1);
}

static void valid_cases(struct bcases *c)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
	add_bb(c, "valid: int", 0, &b);

	bb_init(&b);
	every_kind(&b);
	add_bb(c, "valid: every kind", 0, &b);

	/* names: 127 characters, Latin-1 letters (the kernel's ctype), '_' */
	char n127[128];
	memset(n127, 'a', 127);
	n127[127] = 0;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
	bb_typedef(&b, n127, 1);
	bb_typedef(&b, "\xe9t\xe9_\xc0\xff", 1);
	bb_typedef(&b, "_9", 1);
	add_bb(c, "valid: names (127 chars, Latin-1)", 0, &b);

	/* modifiers in every order, a pointer loop broken by a struct */
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);                 /* 1 */
	bb_const(&b, 3);                                        /* 2 -> 3 (forward reference) */
	bb_volatile(&b, 4);                                     /* 3 */
	bb_typedef(&b, "t", 1);                                 /* 4 */
	bb_struct(&b, "a", 8, 1);                               /* 5 */
	bb_member(&b, "b", 6, 0);
	bb_ptr(&b, 7);                                          /* 6 -> struct b */
	bb_struct(&b, "b", 8, 1);                               /* 7 */
	bb_member(&b, "a", 8, 0);
	bb_ptr(&b, 5);                                          /* 8 -> struct a */
	add_bb(c, "valid: forward references, mutual pointers", 0, &b);

	/* a chain of 32 forward references resolves, 33 do not (the DFS
	 * stack holds 32) */
	bb_init(&b);
	chain(&b, 32);
	add_bb(c, "valid: 32-deep resolve", 0, &b);

	/* a struct with a lock, for the map tests */
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
	bb_struct(&b, "bpf_spin_lock", 4, 1);
	bb_member(&b, "val", 1, 0);
	bb_struct(&b, "v", 8, 2);
	bb_member(&b, "n", 1, 0);
	bb_member(&b, "lock", 2, 32);
	add_bb(c, "valid: value with bpf_spin_lock", 0, &b);

	/* v5.1 records a typedef's size when it is resolved: reached through
	 * a pointer first, a typedef of an array keeps size 0 (fixed in 5.3).
	 * The load agrees; the size shows in the map tests. */
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);                 /* 1 */
	bb_ptr(&b, 3);                                          /* 2 */
	bb_typedef(&b, "arr_t", 4);                             /* 3 */
	bb_array(&b, 1, 1, 4);                                  /* 4 */
	add_bb(c, "valid: ptr -> typedef -> array", 0, &b);
}

/* ---- the header and the sections ---- */

static uint8_t *int_blob(uint32_t *size)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
	uint8_t *p = bb_blob(&b, size);
	bb_free(&b);
	return p;
}

/* The int blob with header field f set to v */
static void hdr_case(struct bcases *c, const char *name, unsigned f, uint32_t v)
{
	uint32_t n;
	uint8_t *p = int_blob(&n);
	bb_set_hdr(p, f, v);
	cases_add(c, name, p, n, 0);
}

/* The int blob with its header grown to hdr_len (tail bytes = fill) */
static void long_hdr_case(struct bcases *c, const char *name, uint32_t hdr_len, uint8_t fill)
{
	uint32_t n;
	uint8_t *p = int_blob(&n);
	uint8_t *q = malloc(n + hdr_len - BB_HDR_LEN);
	memcpy(q, p, BB_HDR_LEN);
	memset(q + BB_HDR_LEN, fill, hdr_len - BB_HDR_LEN);
	memcpy(q + hdr_len, p + BB_HDR_LEN, n - BB_HDR_LEN);
	bb_set_hdr(q, 1, hdr_len);
	free(p);
	cases_add(c, name, q, n + hdr_len - BB_HDR_LEN, 0);
}

static void header_cases(struct bcases *c)
{
	uint32_t n;
	uint8_t *p = int_blob(&n);
	cases_add(c, "hdr: 4 bytes", p, 4, 0);
	p = int_blob(&n);
	cases_add(c, "hdr: 20 bytes", p, 20, 0);
	hdr_case(c, "hdr: hdr_len past the end", 1, 1000);
	hdr_case(c, "hdr: bad magic", 0, 0x0001eb9e);
	hdr_case(c, "hdr: big-endian magic", 0, 0x00019feb);
	hdr_case(c, "hdr: version 2", 0, 0x0002eb9f);
	hdr_case(c, "hdr: version 0", 0, 0x0000eb9f);
	hdr_case(c, "hdr: flags 1", 0, 0x0101eb9f);
	hdr_case(c, "hdr: hdr_len 16 (zero-extended)", 1, 16);
	hdr_case(c, "hdr: hdr_len 4", 1, 4);
	hdr_case(c, "hdr: hdr_len 0", 1, 0);
	long_hdr_case(c, "hdr: hdr_len 32, zero tail", 32, 0);
	long_hdr_case(c, "hdr: hdr_len 32, nonzero tail", 32, 1);
	long_hdr_case(c, "hdr: hdr_len 27, zero tail (types unaligned in the blob)", 27, 0);
	p = int_blob(&n);
	cases_add(c, "hdr: no data", p, BB_HDR_LEN, 0);
	hdr_case(c, "sec: type_off past the end", 2, 1000);
	hdr_case(c, "sec: str_off past the end", 4, 1000);
	hdr_case(c, "sec: gap before types", 2, 4);
	hdr_case(c, "sec: overlap", 4, 8);
	hdr_case(c, "sec: type_len too long", 3, 100);
	hdr_case(c, "sec: str_len too long", 5, 100);
	hdr_case(c, "sec: str_len short (data after)", 5, 4);
	hdr_case(c, "sec: type_len 0x80000000", 3, 0x80000000u);
	hdr_case(c, "sec: type_off 0xfffffff0", 2, 0xfffffff0u);
	hdr_case(c, "sec: str_off huge, overlaps by sort", 4, 0x80000010u);
	hdr_case(c, "sec: unaligned type_off", 2, 2);
	/* strings first, then types */
	p = int_blob(&n);
	{
		uint32_t tl = bb_get_hdr(p, 3), sl = bb_get_hdr(p, 5);
		uint8_t *q = malloc(n);
		memcpy(q, p, BB_HDR_LEN);
		memcpy(q + BB_HDR_LEN, p + BB_HDR_LEN + tl, sl);
		memcpy(q + BB_HDR_LEN + sl, p + BB_HDR_LEN, tl);
		bb_set_hdr(q, 2, sl);
		bb_set_hdr(q, 4, 0);
		free(p);
		cases_add(c, "str: not at the end", q, n, 0);
		/* with the types aligned, but unaligned string offset: still not last */
	}
	/* no types */
	{
		struct bb b;
		bb_init(&b);
		bb_str(&b, "x");
		add_bb(c, "types: none", 0, &b);
	}
	/* string section without NUL first / last, or empty */
	{
		struct bb b;
		bb_init(&b);
		bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
		uint8_t *q = bb_blob(&b, &n);
		bb_free(&b);
		q[n - 5] = 'x';         /* the leading NUL */
		cases_add(c, "str: no leading NUL", q, n, 0);
		q = int_blob(&n);
		q[n - 1] = 'x';
		cases_add(c, "str: no trailing NUL", q, n, 0);
		q = int_blob(&n);
		bb_set_hdr(q, 5, 0);
		cases_add(c, "str: empty", q, n - 5, 0);
	}
}

/* ---- the first pass: each kind's fields ---- */

/* A blob of the given types after "int" (id 1); the caller fills b. */
#define WITH_INT(b) (bb_init(b), bb_int((b), "int", 4, BB_SIGNED, 0, 32))

static void meta_cases(struct bcases *c)
{
	struct bb b;
	uint32_t n;
	/* common fields */
	WITH_INT(&b);
	bb_u32(&b, 0);
	bb_u32(&b, 0);
	add_bb(c, "meta: truncated btf_type (8 bytes)", 0, &b);
	WITH_INT(&b);
	bb_raw(&b, 0, 0x20000000u | (1u << 24), 4);
	bb_u32(&b, 32);
	add_bb(c, "meta: info bit 29", 0, &b);
	WITH_INT(&b);
	bb_raw(&b, 0, 0x00010000u | (2u << 24), 1);
	add_bb(c, "meta: info bit 16", 0, &b);
	WITH_INT(&b);
	bb_raw(&b, 0, 0, 0);
	add_bb(c, "meta: kind 0", 0, &b);
	WITH_INT(&b);
	bb_raw(&b, bb_str(&b, "f"), 16u << 24, 4);     /* FLOAT since 5.13 */
	add_bb(c, "meta: kind 16 (FLOAT)", KD_NEW_KINDS, &b);
	WITH_INT(&b);
	bb_raw(&b, 0, 31u << 24, 0);
	add_bb(c, "meta: kind 31", KD_NEW_KINDS, &b);
	WITH_INT(&b);
	bb_raw(&b, 1000, 2u << 24, 1);
	add_bb(c, "meta: name_off past the strings", 0, &b);
	WITH_INT(&b);
	bb_raw(&b, 0x1000000, 2u << 24, 1);
	add_bb(c, "meta: name_off over BTF_MAX_NAME_OFFSET", 0, &b);

	/* INT */
	bb_init(&b);
	bb_type(&b, "int", BB_INT, 0, 0, 4);
	add_bb(c, "int: no int_data", 0, &b);
	bb_init(&b);
	bb_type(&b, "int", BB_INT, 0, 1, 4);
	bb_u32(&b, 32);
	add_bb(c, "int: vlen 1", 0, &b);
	bb_init(&b);
	bb_type(&b, "int", BB_INT, 1, 0, 4);
	bb_u32(&b, 32);
	add_bb(c, "int: kind_flag", 0, &b);
	bb_init(&b);
	bb_int(&b, "int", 4, 0x10, 0, 32);
	add_bb(c, "int: int_data bit 28", 0, &b);
	bb_init(&b);
	bb_int(&b, "int", 32, 0, 8, 128);
	add_bb(c, "int: nr_bits + offset > 128", 0, &b);
	bb_init(&b);
	bb_int(&b, "int", 2, 0, 0, 32);
	add_bb(c, "int: nr_bits > size", 0, &b);
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED | BB_CHAR, 0, 32);
	add_bb(c, "int: two encodings", 0, &b);
	bb_init(&b);
	bb_int(&b, "int", 4, 8, 0, 32);
	add_bb(c, "int: encoding 8", 0, &b);
	bb_init(&b);
	bb_int(&b, "", 0, 0, 0, 0);
	add_bb(c, "int: size 0, 0 bits, anonymous", 0, &b);
	bb_init(&b);
	bb_int(&b, "int", 4, 0, 7, 9);
	add_bb(c, "int: bitfield int (offset 7, 9 bits)", 0, &b);
	bb_init(&b);
	bb_int(&b, "weird name!", 3, 0, 0, 24);
	add_bb(c, "int: 3 bytes, any name", 0, &b);

	/* PTR and the modifiers */
	WITH_INT(&b);
	bb_type(&b, NULL, BB_PTR, 0, 1, 1);
	add_bb(c, "ptr: vlen 1", 0, &b);
	WITH_INT(&b);
	bb_type(&b, NULL, BB_PTR, 1, 0, 1);
	add_bb(c, "ptr: kind_flag", 0, &b);
	WITH_INT(&b);
	bb_ptr(&b, 0x100000);
	add_bb(c, "ptr: type over BTF_MAX_TYPE", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "p", BB_PTR, 0, 0, 1);
	add_bb(c, "ptr: named", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "c", BB_CONST, 0, 0, 1);
	add_bb(c, "const: named", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "v", BB_VOLATILE, 0, 0, 1);
	add_bb(c, "volatile: named", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "r", BB_RESTRICT, 0, 0, 1);
	add_bb(c, "restrict: named", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, NULL, 1);
	add_bb(c, "typedef: anonymous", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "1abc", 1);
	add_bb(c, "typedef: name starts with a digit", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "a.b", 1);
	add_bb(c, "typedef: name with a dot", KD_NAME_DOT, &b);
	WITH_INT(&b);
	bb_typedef(&b, "a b", 1);
	add_bb(c, "typedef: name with a space", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "\xd7x", 1);
	add_bb(c, "typedef: name with 0xd7 (not a Latin-1 letter)", 0, &b);
	{
		char n128[130];
		memset(n128, 'b', 129);
		n128[128] = 0;
		WITH_INT(&b);
		bb_typedef(&b, n128, 1);
		add_bb(c, "valid: typedef name of 128 chars", 0, &b);
		n128[128] = 'b';
		n128[129] = 0;
		WITH_INT(&b);
		bb_typedef(&b, n128, 1);
		add_bb(c, "typedef: name of 129 chars", KD_NAME_LEN, &b);
		char n600[601];
		memset(n600, 'c', 600);
		n600[600] = 0;
		WITH_INT(&b);
		bb_typedef(&b, n600, 1);
		add_bb(c, "typedef: name of 600 chars", 0, &b);
	}
	WITH_INT(&b);
	bb_type(&b, "t", BB_TYPEDEF, 0, 2, 1);
	add_bb(c, "typedef: vlen 2", 0, &b);

	/* FWD */
	bb_init(&b);
	bb_type(&b, "f", BB_FWD, 0, 1, 0);
	add_bb(c, "fwd: vlen 1", 0, &b);
	bb_init(&b);
	bb_type(&b, "f", BB_FWD, 0, 0, 4);
	add_bb(c, "fwd: type 4", 0, &b);
	bb_init(&b);
	bb_fwd(&b, NULL, 0);
	add_bb(c, "fwd: anonymous", 0, &b);

	/* ARRAY */
	WITH_INT(&b);
	bb_type(&b, NULL, BB_ARRAY, 0, 0, 0);
	bb_u32(&b, 1);
	add_bb(c, "array: 4 bytes of btf_array", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "a", BB_ARRAY, 0, 0, 0);
	bb_u32(&b, 1), bb_u32(&b, 1), bb_u32(&b, 1);
	add_bb(c, "array: named", 0, &b);
	WITH_INT(&b);
	bb_type(&b, NULL, BB_ARRAY, 0, 1, 0);
	bb_u32(&b, 1), bb_u32(&b, 1), bb_u32(&b, 1);
	add_bb(c, "array: vlen 1", 0, &b);
	WITH_INT(&b);
	bb_type(&b, NULL, BB_ARRAY, 1, 0, 0);
	bb_u32(&b, 1), bb_u32(&b, 1), bb_u32(&b, 1);
	add_bb(c, "array: kind_flag", 0, &b);
	WITH_INT(&b);
	bb_type(&b, NULL, BB_ARRAY, 0, 0, 4);
	bb_u32(&b, 1), bb_u32(&b, 1), bb_u32(&b, 1);
	add_bb(c, "array: size 4", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 0, 1, 1);
	add_bb(c, "array: elem void", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 1, 0, 1);
	add_bb(c, "array: index void", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 0x100000, 1, 1);
	add_bb(c, "array: elem over BTF_MAX_TYPE", 0, &b);

	/* STRUCT, UNION */
	WITH_INT(&b);
	bb_struct(&b, "s", 8, 2);
	bb_member(&b, "a", 1, 0);
	add_bb(c, "struct: one member of two", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s-s", 4, 1);
	bb_member(&b, "a", 1, 0);
	add_bb(c, "struct: bad name", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_u32(&b, 999), bb_u32(&b, 1), bb_u32(&b, 0);
	add_bb(c, "struct: member name_off past the strings", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "9a", 1, 0);
	add_bb(c, "struct: member bad name", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "a", 0, 0);
	add_bb(c, "struct: member of void", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "a", 0x100000, 0);
	add_bb(c, "struct: member type over BTF_MAX_TYPE", 0, &b);
	WITH_INT(&b);
	bb_union(&b, "u", 8, 2);
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "b", 1, 32);
	add_bb(c, "union: member at offset 32", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 8, 2);
	bb_member(&b, "a", 1, 32);
	bb_member(&b, "b", 1, 0);
	add_bb(c, "struct: offsets decrease", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "a", 1, 40);
	add_bb(c, "struct: member offset past the size", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, NULL, 8, 2);
	bb_member(&b, NULL, 1, 0);
	bb_member(&b, NULL, 1, 32);
	add_bb(c, "valid: anonymous struct and members", 0, &b);

	/* ENUM */
	bb_init(&b);
	bb_enum(&b, "e", 4, 2);
	bb_enumval(&b, "a", 1);
	add_bb(c, "enum: one value of two", 0, &b);
	bb_init(&b);
	bb_type(&b, "e", BB_ENUM, 1, 1, 4);
	bb_enumval(&b, "a", 1);
	add_bb(c, "enum: kind_flag", KD_ENUM_SIZE, &b);
	bb_init(&b);
	bb_enum(&b, "e", 8, 1);
	bb_enumval(&b, "a", 1);
	add_bb(c, "enum: size 8", KD_ENUM_SIZE, &b);
	bb_init(&b);
	bb_enum(&b, "e", 1, 1);
	bb_enumval(&b, "a", 1);
	add_bb(c, "enum: size 1", KD_ENUM_SIZE, &b);
	bb_init(&b);
	bb_enum(&b, "e", 3, 1);
	bb_enumval(&b, "a", 1);
	add_bb(c, "enum: size 3", 0, &b);
	bb_init(&b);
	bb_enum(&b, "e$", 4, 1);
	bb_enumval(&b, "a", 1);
	add_bb(c, "enum: bad name", 0, &b);
	bb_init(&b);
	bb_enum(&b, "e", 4, 1);
	bb_u32(&b, 500), bb_u32(&b, 1);
	add_bb(c, "enum: value name_off past the strings", 0, &b);
	bb_init(&b);
	bb_enum(&b, "e", 4, 1);
	bb_enumval(&b, NULL, 1);
	add_bb(c, "enum: anonymous value", 0, &b);
	bb_init(&b);
	bb_enum(&b, NULL, 4, 0);
	add_bb(c, "valid: anonymous enum without values", 0, &b);

	/* FUNC_PROTO, FUNC */
	WITH_INT(&b);
	bb_func_proto(&b, 1, 2);
	bb_param(&b, "a", 1);
	add_bb(c, "func_proto: one param of two", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "fp", BB_FUNC_PROTO, 0, 0, 1);
	add_bb(c, "func_proto: named", 0, &b);
	WITH_INT(&b);
	bb_type(&b, NULL, BB_FUNC_PROTO, 1, 0, 1);
	add_bb(c, "func_proto: kind_flag", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_func(&b, NULL, 2);
	add_bb(c, "func: anonymous", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_type(&b, "f", BB_FUNC, 0, 1, 2);
	add_bb(c, "func: vlen 1 (global linkage)", KD_FUNC_LINKAGE, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_type(&b, "f", BB_FUNC, 0, 3, 2);
	add_bb(c, "func: vlen 3", KD_FUNC_LINKAGE, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_type(&b, "f", BB_FUNC, 1, 0, 2);
	add_bb(c, "func: kind_flag", 0, &b);

	/* VAR, DATASEC */
	WITH_INT(&b);
	bb_type(&b, "v", BB_VAR, 0, 0, 1);
	add_bb(c, "var: no linkage word", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "v", BB_VAR, 0, 1, 1);
	bb_u32(&b, 0);
	add_bb(c, "var: vlen 1", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "v", BB_VAR, 1, 0, 1);
	bb_u32(&b, 0);
	add_bb(c, "var: kind_flag", 0, &b);
	WITH_INT(&b);
	bb_var(&b, NULL, 1, 0);
	add_bb(c, "var: anonymous", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "a.b", 1, 0);
	add_bb(c, "var: name with a dot", KD_NAME_DOT, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 0, 0);
	add_bb(c, "var: of void", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 2);
	add_bb(c, "var: linkage 2 (extern)", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_type(&b, ".data", BB_DATASEC, 0, 1, 4);
	add_bb(c, "datasec: no secinfo", 0, &b);
	WITH_INT(&b);
	bb_datasec(&b, ".data", 4, 0);
	add_bb(c, "datasec: vlen 0", KD_DATASEC, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".data", 0, 1);
	bb_vsi(&b, 2, 0, 4);
	add_bb(c, "datasec: size 0", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_type(&b, ".data", BB_DATASEC, 1, 1, 4);
	bb_vsi(&b, 2, 0, 4);
	add_bb(c, "datasec: kind_flag", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, "data!", 4, 1);
	bb_vsi(&b, 2, 0, 4);
	add_bb(c, "datasec: bad name", KD_DATASEC_NAME, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".data", 4, 1);
	bb_vsi(&b, 0, 0, 4);
	add_bb(c, "datasec: secinfo of void", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_var(&b, "w", 1, 0);
	bb_datasec(&b, ".data", 8, 2);
	bb_vsi(&b, 2, 0, 4);
	bb_vsi(&b, 3, 2, 4);
	add_bb(c, "datasec: overlapping secinfo", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".data", 4, 1);
	bb_vsi(&b, 2, 4, 4);
	add_bb(c, "datasec: offset at the size", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".data", 4, 1);
	bb_vsi(&b, 2, 0, 0);
	add_bb(c, "datasec: secinfo size 0", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".data", 6, 1);
	bb_vsi(&b, 2, 4, 4);
	add_bb(c, "datasec: offset+size past the size", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".data", 8, 1);
	bb_vsi(&b, 2, 0, 2);
	add_bb(c, "datasec: secinfo smaller than the var", 0, &b);
	WITH_INT(&b);
	bb_datasec(&b, ".data", 8, 1);
	bb_vsi(&b, 1, 0, 4);
	add_bb(c, "datasec: secinfo of an int", 0, &b);
	WITH_INT(&b);
	bb_fwd(&b, "f", 0);
	bb_var(&b, "v", 2, 0);
	add_bb(c, "var: of a forward", 0, &b);
	(void)n;
}

/* ---- the second pass: references ---- */

static void resolve_cases(struct bcases *c)
{
	struct bb b;
	WITH_INT(&b);
	bb_ptr(&b, 5);
	add_bb(c, "ref: ptr to a missing id", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "t", 9);
	add_bb(c, "ref: typedef to a missing id", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_func(&b, "f", 2);
	bb_const(&b, 3);
	add_bb(c, "ref: const of a func", KD_REF_FUNC, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_func(&b, "f", 2);
	bb_ptr(&b, 3);
	add_bb(c, "ref: ptr to a func", KD_REF_FUNC, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_func(&b, "f", 2);
	bb_typedef(&b, "t", 3);
	add_bb(c, "ref: typedef of a func", KD_REF_FUNC, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_func_proto(&b, 2, 0);
	add_bb(c, "func_proto: returns a var", KD_PROTO_VAR, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, "a", 2);
	add_bb(c, "func_proto: takes a var", KD_PROTO_VAR, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_array(&b, 2, 1, 2);
	add_bb(c, "array: of a var", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "m", 2, 0);
	add_bb(c, "member: a var", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_var(&b, "w", 2, 0);
	add_bb(c, "var: of a var", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_ptr(&b, 2);
	add_bb(c, "ref: ptr to a var", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "a", 3);
	bb_typedef(&b, "b", 2);
	add_bb(c, "loop: typedef a <-> b", 0, &b);
	WITH_INT(&b);
	bb_const(&b, 2);
	add_bb(c, "loop: const of itself", 0, &b);
	WITH_INT(&b);
	bb_ptr(&b, 2);
	add_bb(c, "loop: ptr to itself", 0, &b);
	WITH_INT(&b);
	bb_const(&b, 3);
	bb_ptr(&b, 4);
	bb_volatile(&b, 2);
	add_bb(c, "loop: const -> ptr -> volatile -> const", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "a", 4, 1);
	bb_member(&b, "b", 3, 0);
	bb_struct(&b, "b", 4, 1);
	bb_member(&b, "a", 2, 0);
	add_bb(c, "loop: struct a { struct b } b { struct a }", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 2, 1, 2);
	add_bb(c, "loop: array of itself", 0, &b);
	bb_init(&b);
	chain(&b, 33);
	add_bb(c, "depth: 33-deep resolve", 0, &b);
	WITH_INT(&b);
	for (int k = 0; k < 40; k++)
		bb_ptr(&b, (uint32_t)k + 3);
	bb_ptr(&b, 1);
	add_bb(c, "depth: 41 pointers, forward", 0, &b);

	/* ARRAY */
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "a", 1, 0);
	bb_array(&b, 1, 2, 4);
	add_bb(c, "array: index is a struct", 0, &b);
	WITH_INT(&b);
	bb_int(&b, "bf", 4, 0, 0, 5);
	bb_array(&b, 1, 2, 4);
	add_bb(c, "array: index is a bitfield int", 0, &b);
	WITH_INT(&b);
	bb_fwd(&b, "f", 0);
	bb_array(&b, 2, 1, 4);
	add_bb(c, "array: elem is a forward", 0, &b);
	WITH_INT(&b);
	bb_int(&b, "bf", 4, 0, 0, 5);
	bb_array(&b, 2, 1, 4);
	add_bb(c, "array: elem is a bitfield int", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 1, 1, 0x40000001);
	add_bb(c, "array: size overflows u32", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 1, 9, 4);
	add_bb(c, "array: index missing", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "idx", 1);
	bb_array(&b, 1, 2, 4);
	add_bb(c, "valid: array index through a typedef", 0, &b);

	/* struct members */
	WITH_INT(&b);
	bb_fwd(&b, "f", 0);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "a", 2, 0);
	add_bb(c, "member: of a forward", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "a", 9, 0);
	add_bb(c, "member: of a missing id", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "s", 6, 1);
	bb_member(&b, "a", 1, 24);
	add_bb(c, "member: int past the end", 0, &b);
	WITH_INT(&b);
	bb_ptr(&b, 1);
	bb_struct(&b, "s", 12, 1);
	bb_member(&b, "p", 2, 4);
	add_bb(c, "member: ptr not byte aligned", 0, &b);
	WITH_INT(&b);
	bb_ptr(&b, 1);
	bb_struct(&b, "s", 12, 1);
	bb_member(&b, "p", 2, 64);
	add_bb(c, "member: ptr past the end", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 1, 1, 4);
	bb_struct(&b, "s", 12, 1);
	bb_member(&b, "a", 2, 0);
	add_bb(c, "member: array past the end", 0, &b);
	WITH_INT(&b);
	bb_array(&b, 1, 1, 4);
	bb_struct(&b, "s", 24, 1);
	bb_member(&b, "a", 2, 3);
	add_bb(c, "member: array not byte aligned", 0, &b);
	WITH_INT(&b);
	bb_struct(&b, "in", 8, 1);
	bb_member(&b, "a", 1, 0);
	bb_struct(&b, "s", 12, 1);
	bb_member(&b, "x", 2, 64);
	add_bb(c, "member: struct past the end", 0, &b);
	WITH_INT(&b);
	bb_enum(&b, "e", 4, 0);
	bb_struct(&b, "s", 8, 1);
	bb_member(&b, "x", 2, 1);
	add_bb(c, "member: enum not byte aligned", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "t", 1);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "x", 2, 8);
	add_bb(c, "member: typedef'd int past the end", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 0);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "x", 2, 0);
	add_bb(c, "member: a func_proto", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "t", 0);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "x", 2, 0);
	add_bb(c, "member: typedef of void", 0, &b);
	WITH_INT(&b);
	bb_int(&b, "i", 4, 0, 16, 16);
	bb_struct(&b, "s", 4, 1);
	bb_member(&b, "x", 2, 8);
	add_bb(c, "member: int with offset past the end", 0, &b);
	/* kind_flag members */
	WITH_INT(&b);
	bb_int(&b, "bf", 4, 0, 0, 5);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 2, 3u << 24);
	add_bb(c, "kflag: bitfield of a bitfield int", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 8);
	bb_member(&b, "x", 1, 3);
	add_bb(c, "kflag: int not byte aligned", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 8);
	bb_member(&b, "x", 1, 33u << 24);
	add_bb(c, "kflag: bitfield wider than its int", 0, &b);
	WITH_INT(&b);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 1, (8u << 24) | 30);
	add_bb(c, "kflag: bitfield past the end", 0, &b);
	WITH_INT(&b);
	bb_enum(&b, "e", 4, 0);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 2, 40u << 24);
	add_bb(c, "kflag: enum bitfield of 40", 0, &b);
	WITH_INT(&b);
	bb_enum(&b, "e", 4, 0);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 2, 3);
	add_bb(c, "kflag: enum not byte aligned", 0, &b);
	WITH_INT(&b);
	bb_enum(&b, "e", 4, 0);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 2, (4u << 24) | 4);
	add_bb(c, "valid: kflag enum bitfield", 0, &b);
	WITH_INT(&b);
	bb_ptr(&b, 1);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 8);
	bb_member(&b, "p", 2, 1u << 24);
	add_bb(c, "kflag: bitfield of a ptr", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "t", 1);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 2, (3u << 24) | 1);
	add_bb(c, "valid: kflag bitfield through a typedef", 0, &b);
	WITH_INT(&b);
	bb_int(&b, "i128", 16, 0, 0, 128);
	bb_type(&b, "s", BB_STRUCT, 1, 1, 32);
	bb_member(&b, "x", 2, 4);
	add_bb(c, "kflag: 128-bit int at bit 4", 0, &b);
	WITH_INT(&b);
	bb_int(&b, "i128", 16, 0, 0, 128);
	bb_struct(&b, "s", 32, 1);
	bb_member(&b, "x", 2, 4);
	add_bb(c, "member: 128-bit int at bit 4", 0, &b);

	/* functions */
	WITH_INT(&b);
	bb_func_proto(&b, 7, 0);
	add_bb(c, "func_proto: return type missing", 0, &b);
	WITH_INT(&b);
	bb_fwd(&b, "f", 0);
	bb_func_proto(&b, 2, 0);
	add_bb(c, "func_proto: returns a forward", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "a", 3);
	bb_typedef(&b, "b", 2);
	bb_func_proto(&b, 2, 0);
	add_bb(c, "func_proto: return type loops", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, "a", 7);
	add_bb(c, "func_proto: arg missing", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, "1a", 1);
	add_bb(c, "func_proto: arg bad name", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 1);
	bb_u32(&b, 777), bb_u32(&b, 1);
	add_bb(c, "func_proto: arg name_off past the strings", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 2);
	bb_param(&b, "a", 0);
	bb_param(&b, "b", 1);
	add_bb(c, "func_proto: void arg in the middle", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 2);
	bb_param(&b, "a", 1);
	bb_param(&b, "b", 0);
	add_bb(c, "func_proto: named vararg", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, NULL, 0);
	add_bb(c, "valid: func_proto (...)", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, NULL, 1);
	add_bb(c, "valid: func_proto with an unnamed arg", 0, &b);
	WITH_INT(&b);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, NULL, 1);
	bb_func(&b, "f", 2);
	add_bb(c, "func: unnamed arg", 0, &b);
	WITH_INT(&b);
	bb_func(&b, "f", 1);
	add_bb(c, "func: of an int", 0, &b);
	WITH_INT(&b);
	bb_func(&b, "f", 8);
	add_bb(c, "func: of a missing id", 0, &b);
	WITH_INT(&b);
	bb_func(&b, "f", 0);
	add_bb(c, "func: of void", 0, &b);

	/* DATASEC resolution */
	WITH_INT(&b);
	bb_var(&b, "v", 1, 0);
	bb_datasec(&b, ".bss", 4, 1);
	bb_vsi(&b, 9, 0, 4);
	add_bb(c, "datasec: secinfo of a missing id", 0, &b);
	WITH_INT(&b);
	bb_fwd(&b, "f", 0);
	bb_ptr(&b, 2);
	bb_var(&b, "v", 3, 0);
	bb_datasec(&b, ".bss", 8, 1);
	bb_vsi(&b, 4, 0, 8);
	add_bb(c, "valid: datasec of a pointer to a forward", 0, &b);
	WITH_INT(&b);
	bb_var(&b, "v", 3, 0);                                  /* 2, of the typedef */
	bb_typedef(&b, "t", 1);                                 /* 3 */
	bb_datasec(&b, ".bss", 2, 1);
	bb_vsi(&b, 2, 0, 2);
	add_bb(c, "datasec: var pushed, its size not checked after", 0, &b);
	WITH_INT(&b);
	bb_typedef(&b, "t", 1);                                 /* 2 */
	bb_var(&b, "v", 2, 0);                                  /* 3 */
	bb_datasec(&b, ".bss", 2, 1);
	bb_vsi(&b, 3, 0, 2);
	add_bb(c, "datasec: var resolved before, size checked", 0, &b);
}

void corpus_handbuilt(struct bcases *c)
{
	valid_cases(c);
	header_cases(c);
	meta_cases(c);
	resolve_cases(c);
}

