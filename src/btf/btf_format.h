/* The BTF wire format (include/uapi/linux/btf.h of Linux), our own
 * definitions, layout-identical. The kinds are those of v5.1 plus VAR and
 * DATASEC (v5.2: clang emits them for global data). Kinds newer than that
 * (FLOAT, DECL_TAG, TYPE_TAG, ENUM64) are not part of this ABI. */
#ifndef BPFVM_BTF_FORMAT_H
#define BPFVM_BTF_FORMAT_H
#include <stdint.h>

#define BTF_MAGIC 0xeB9F
#define BTF_VERSION 1

struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;      /* offsets from the end of the header */
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

#define BTF_MAX_TYPE 0x000fffff         /* largest type id */
#define BTF_MAX_NAME_OFFSET 0x00ffffff  /* largest string offset */
#define BTF_MAX_VLEN 0xffff

struct btf_type {
	uint32_t name_off;
	/* bits 0-15: vlen, 24-27: kind, 31: kind_flag; the rest must be 0 */
	uint32_t info;
	union {
		uint32_t size;          /* INT, ENUM, STRUCT, UNION, DATASEC */
		uint32_t type;          /* PTR, TYPEDEF, the qualifiers, FUNC, FUNC_PROTO, VAR */
	};
};

#define BTF_INFO_KIND(info) (((info) >> 24) & 0x0f)
#define BTF_INFO_VLEN(info) ((info) & 0xffff)
#define BTF_INFO_KFLAG(info) ((info) >> 31)
#define BTF_INFO_MASK 0x8f00ffffu       /* the bits v5.1 defines */

enum {
	BTF_KIND_UNKN = 0,
	BTF_KIND_INT = 1,
	BTF_KIND_PTR = 2,
	BTF_KIND_ARRAY = 3,
	BTF_KIND_STRUCT = 4,
	BTF_KIND_UNION = 5,
	BTF_KIND_ENUM = 6,
	BTF_KIND_FWD = 7,
	BTF_KIND_TYPEDEF = 8,
	BTF_KIND_VOLATILE = 9,
	BTF_KIND_CONST = 10,
	BTF_KIND_RESTRICT = 11,
	BTF_KIND_FUNC = 12,
	BTF_KIND_FUNC_PROTO = 13,
	BTF_KIND_VAR = 14,              /* v5.2 */
	BTF_KIND_DATASEC = 15,          /* v5.2 */
	NR_BTF_KINDS,
	BTF_KIND_MAX = NR_BTF_KINDS - 1,
};

/* INT: a u32 after the btf_type */
#define BTF_INT_ENCODING(v) (((v) & 0x0f000000) >> 24)
#define BTF_INT_OFFSET(v) (((v) & 0x00ff0000) >> 16)
#define BTF_INT_BITS(v) ((v) & 0x000000ff)
#define BTF_INT_MASK 0x0fffffffu
#define BTF_INT_SIGNED (1 << 0)
#define BTF_INT_CHAR (1 << 1)
#define BTF_INT_BOOL (1 << 2)

struct btf_array {
	uint32_t type;
	uint32_t index_type;
	uint32_t nelems;
};

struct btf_member {
	uint32_t name_off;
	uint32_t type;
	/* kind_flag 0: bit offset; 1: bitfield size << 24 | bit offset */
	uint32_t offset;
};

#define BTF_MEMBER_BITFIELD_SIZE(v) ((v) >> 24)
#define BTF_MEMBER_BIT_OFFSET(v) ((v) & 0xffffff)

struct btf_enum {
	uint32_t name_off;
	int32_t val;
};

struct btf_param {
	uint32_t name_off;
	uint32_t type;
};

enum { BTF_VAR_STATIC = 0, BTF_VAR_GLOBAL_ALLOCATED = 1 };

struct btf_var {
	uint32_t linkage;
};

struct btf_var_secinfo {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
};

#endif
