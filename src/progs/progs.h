/* The program-type table: one entry per enum bpf_prog_type of the seed.
 * It says what the command layer and the verifier need to know of a type:
 * its name, its context (which fields may be read and written, with which
 * sizes, and what a read gives), the helpers it may call, the return values
 * it may have, how a verified context access is rewritten onto bpfvm's model
 * structs, and how a test run builds its context.
 *
 * Everything here follows Linux v5.1: the per-type *_is_valid_access,
 * *_func_proto and *_convert_ctx_access of net/core/filter.c and
 * kernel/trace/bpf_trace.c, and check_return_code of the verifier. */
#ifndef BPFVM_PROGS_PROGS_H
#define BPFVM_PROGS_PROGS_H
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>

struct bpfvm_prog;

/* What a read of a context field gives the verifier (the kernel's
 * bpf_reg_type for ctx loads). */
enum bpfvm_ctx_reg {
	CTX_REG_SCALAR = 0,
	CTX_REG_PKT,                    /* PTR_TO_PACKET */
	CTX_REG_PKT_END,                /* PTR_TO_PACKET_END */
	CTX_REG_PKT_META,               /* PTR_TO_PACKET_META */
	CTX_REG_FLOW_KEYS,              /* PTR_TO_FLOW_KEYS */
	CTX_REG_SOCK_COMMON_OR_NULL,    /* PTR_TO_SOCK_COMMON_OR_NULL */
	CTX_REG_SOCKET,                 /* PTR_TO_SOCKET (sock_ops, cgroup/sock) */
};

/* Access sizes as a bit mask: bit k allows accesses of 1 << k bytes. */
#define CTX_SZ(bytes) (1u << ((bytes) == 1 ? 0 : (bytes) == 2 ? 1 : (bytes) == 4 ? 2 : 3))
#define CTX_R1 CTX_SZ(1)
#define CTX_R2 CTX_SZ(2)
#define CTX_R4 CTX_SZ(4)
#define CTX_R8 CTX_SZ(8)
#define CTX_NARROW (CTX_R1 | CTX_R2 | CTX_R4)  /* narrow loads of a u32 field */
#define CTX_ANY (CTX_R1 | CTX_R2 | CTX_R4 | CTX_R8)
#define CTX_SIZES 0x0fu                 /* the size bits of a mask */

/* Flags in the high bits of the read / write masks (the size bits are 0-3). */
#define CTX_START 0x10u                 /* read: narrow reads only at the field's first byte
					   (the kernel's `case offsetof(...)` fields) */
#define CTX_PRIV  0x20u                 /* needs CAP_SYS_ADMIN in v5.1 (bpfvm's loaders run
					   as root: informational) */

/* One field of a context struct and who may touch it how: the kernel's
 * per-type is_valid_access, written as data.
 *
 * An access of `s` bytes at offset `o` is allowed by field F when
 *   F.off <= o and o + s <= F.off + F.size,   (inside the field)
 *   o % s == 0,                               (naturally aligned: the kernel's off % size;
 *                                              every field starts at a multiple of its
 *                                              largest access size, so (o - F.off) % s works too)
 *   the size bit of s is in F.read (F.write for stores),
 *   CTX_START in F.read: reads smaller than F.size only at o == F.off,
 *   and the type's ctx_attach[i] (if any) has bit expected_attach_type.
 * No field: the access is refused ("invalid bpf_context access"). A read of
 * the full field size gives register type F.reg; smaller reads give a scalar.
 * Arrays (cb[5], remote_ip6[4], pt_regs) are one field. A field a type may
 * not touch at all can be listed with read = write = 0.
 * bpfvm_ctx_access() below implements exactly this. */
struct bpfvm_ctx_field {
	uint16_t off;                   /* offset in the context struct */
	uint16_t size;                  /* the field's size in bytes */
	uint8_t read;                   /* allowed read sizes (CTX_SZ mask) | CTX_START | CTX_PRIV; 0: no read */
	uint8_t write;                  /* allowed write sizes | CTX_PRIV; 0: read-only */
	uint8_t reg;                    /* enum bpfvm_ctx_reg of a full-size read */
};

struct bpfvm_prog_type {
	const char *name;               /* as bpftool names it */
	uint32_t ctx_size;              /* sizeof the context struct (0: none) */
	/* expected_attach_type values the type accepts at load (0-terminated
	 * list; NULL: anything, as the kernel for most types). */
	const uint32_t *attach_types;
	uint32_t default_attach_type;   /* fixed up when 0 is given */
	/* The context's fields (sorted by off, not overlapping); accesses
	 * outside them are refused ("invalid bpf_context access"). */
	const struct bpfvm_ctx_field *ctx_fields;
	uint32_t n_ctx_fields;
	/* Attach-type dependent fields (cgroup/sock, sock_addr): ctx_attach[i]
	 * is the mask of expected_attach_type values (1 << type) that see
	 * field i; 0 or no array: every attach type. */
	const uint32_t *ctx_attach;
	/* Helpers the type may call: the kernel's get_func_proto of v5.1 for
	 * the type (bpf_base_func_proto included, run as root), as a list
	 * ending with 0. */
	const uint16_t *helpers;
	/* Return values (check_return_code): when ret_checked, r0 at exit
	 * must be a known value in [ret_min, ret_max]. */
	uint8_t ret_checked;
	int32_t ret_min, ret_max;
	/* May LD_ABS / LD_IND be used (may_access_skb)? */
	uint8_t ld_abs;
	/* The verifier's context rewrite (convert_ctx_access). The program's r1
	 * points at the type's model struct (struct bpfvm_xdp_buff, struct
	 * bpfvm_skb, the sock models, ...), not at the UAPI struct, so a
	 * verified access to the UAPI context becomes loads/stores on the model.
	 *
	 * `in` is the LDX or STX whose base register holds the (unmodified)
	 * context pointer; `off` is the access's offset in the UAPI struct
	 * (in->off). The access must have passed bpfvm_ctx_access() first.
	 * Writes the complete replacement to out (at most `max`, 16 always
	 * suffice) and returns how many insns, or -EINVAL (BPF_ST, or an access
	 * the table refuses) / -E2BIG (max too small). Conventions:
	 *   - narrow loads are handled here (shift and mask included), exactly
	 *     as the v5.1 verifier's convert_ctx_accesses finishes them: the
	 *     verifier must not add its own shift/mask;
	 *   - only in->dst_reg and in->src_reg are used (no scratch register);
	 *     the base register is never changed, except when it is the
	 *     destination of a load;
	 *   - jumps stay inside the sequence (they only skip forward in it).
	 * NULL: the type has no context (or none that a program may access). */
	int (*convert_ctx_access)(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max);
	/* PROG_TEST_RUN; NULL: -ENOTSUPP as the kernel's missing test_run. */
	int (*test_run)(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
			unsigned int size);
};

extern const struct bpfvm_prog_type bpfvm_prog_types[];
extern const uint32_t bpfvm_prog_types_count;

static inline const struct bpfvm_prog_type *bpfvm_prog_type_get(uint32_t type)
{
	return type < bpfvm_prog_types_count && bpfvm_prog_types[type].name ? &bpfvm_prog_types[type] : NULL;
}

/* The access rule above for a type's context: 0 with *reg (what the
 * access gives the verifier) and *field (either may be NULL), or -EACCES.
 * `write` is 1 for stores. */
int bpfvm_ctx_access(const struct bpfvm_prog_type *t, uint32_t attach_type, uint32_t off, uint32_t size,
		     int write, enum bpfvm_ctx_reg *reg, const struct bpfvm_ctx_field **field);
/* The same rule over a bare field table (no attach types): socket views. */
int bpfvm_ctx_fields_access(const struct bpfvm_ctx_field *fields, uint32_t n, uint32_t off, uint32_t size,
			    int write, enum bpfvm_ctx_reg *reg, const struct bpfvm_ctx_field **field);

/* 1 when the table's hand-written field counts match their arrays (tests). */
int bpfvm_prog_types_self_check(void);

/* Is helper `id` in the type's list? */
int bpfvm_prog_type_has_helper(const struct bpfvm_prog_type *t, uint32_t id);

/* Pointers a program gets from helpers or context fields (PTR_TO_SOCKET,
 * PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK) point at UAPI-layout views inside
 * bpfvm's socket model (struct bpf_sock, struct bpf_tcp_sock): accesses
 * through them need no rewrite, only these rules (bpf_sock_is_valid_access,
 * bpf_sock_common_is_valid_access, bpf_tcp_sock_is_valid_access of v5.1).
 * All read-only. */
extern const struct bpfvm_ctx_field bpfvm_sock_fields[];
extern const uint32_t bpfvm_sock_fields_count;
extern const struct bpfvm_ctx_field bpfvm_sock_common_fields[];
extern const uint32_t bpfvm_sock_common_fields_count;
extern const struct bpfvm_ctx_field bpfvm_tcp_sock_fields[];
extern const uint32_t bpfvm_tcp_sock_fields_count;
/* PTR_TO_FLOW_KEYS: any access inside struct bpf_flow_keys
 * (check_flow_keys_access), read and write; the pointer is to a plain
 * struct bpf_flow_keys, no rewrite. */
#endif
