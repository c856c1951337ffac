/* Inside src/btf: the validation state of one BPF_BTF_LOAD (the kernel's
 * struct btf_verifier_env), the per-kind operations table (its kind_ops),
 * and the log in the kernel's format. Not used outside src/btf. */
#ifndef BPFVM_BTF_VERIFY_H
#define BPFVM_BTF_VERIFY_H
#include <stdbool.h>
#include <stdint.h>
#include "btf/btf.h"

struct bpfvm_log;

/* Depth of the DFS that resolves type references (MAX_RESOLVE_DEPTH). */
#define BTF_MAX_RESOLVE_DEPTH 32
/* KSYM_NAME_LEN of v5.1: names longer than this are invalid. */
#define BTF_KSYM_NAME_LEN 128

#define BITS_PER_U128 128u
#define BITS_PER_BYTE_MASKED(bits) ((bits) & 7u)
#define BITS_ROUNDDOWN_BYTES(bits) ((bits) >> 3)
#define BITS_ROUNDUP_BYTES(bits) (BITS_ROUNDDOWN_BYTES(bits) + !!BITS_PER_BYTE_MASKED(bits))

enum btf_phase { CHECK_META, CHECK_TYPE };
enum btf_visit { NOT_VISITED, VISITED, RESOLVED };
/* What ends a DFS: a pointer need not see through structs, a struct or
 * array member need not see through pointers (btf.c's resolve_mode). */
enum btf_resolve_mode { RESOLVE_TBD, RESOLVE_PTR, RESOLVE_STRUCT_OR_ARRAY };

struct btf_vertex {
	const struct btf_type *t;
	uint32_t type_id;
	uint16_t next_member;
};

struct btf_env {
	struct bpfvm_btf *btf;
	struct bpfvm_log *log;          /* NULL: no log */
	uint8_t *visit_states;
	struct btf_vertex stack[BTF_MAX_RESOLVE_DEPTH];
	uint32_t top_stack;
	uint32_t log_type_id;           /* the [N] of log lines */
	uint32_t types_cap;
	enum btf_phase phase;
	enum btf_resolve_mode resolve_mode;
};

/* One entry per kind: what the kernel's struct btf_kind_operations holds. */
struct btf_kind_ops {
	const char *name;
	/* CHECK_META: bytes used after the btf_type, or a negative errno */
	int (*check_meta)(struct btf_env *env, const struct btf_type *t, uint32_t meta_left);
	int (*resolve)(struct btf_env *env, const struct btf_vertex *v);
	int (*check_member)(struct btf_env *env, const struct btf_type *s, const struct btf_member *m,
			    const struct btf_type *mt);
	int (*check_kflag_member)(struct btf_env *env, const struct btf_type *s, const struct btf_member *m,
				  const struct btf_type *mt);
	void (*log_details)(struct btf_env *env, const struct btf_type *t);
};
extern const struct btf_kind_ops btf_kind_ops[NR_BTF_KINDS];

/* ---- type helpers ---- */
extern const struct btf_type btf_void;
static inline unsigned int btf_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline uint16_t btf_vlen(const struct btf_type *t) { return (uint16_t)BTF_INFO_VLEN(t->info); }
static inline bool btf_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }
static inline const void *btf_extra(const struct btf_type *t) { return t + 1; }
static inline uint32_t btf_int_data(const struct btf_type *t) { return *(const uint32_t *)btf_extra(t); }
static inline const struct btf_member *btf_members(const struct btf_type *t) { return btf_extra(t); }
static inline const struct btf_array *btf_array_of(const struct btf_type *t) { return btf_extra(t); }
static inline const struct btf_param *btf_params(const struct btf_type *t) { return btf_extra(t); }
static inline const struct btf_enum *btf_enums(const struct btf_type *t) { return btf_extra(t); }
static inline const struct btf_var_secinfo *btf_vsis(const struct btf_type *t) { return btf_extra(t); }
static inline bool btf_is_void(const struct btf_type *t) { return t == &btf_void; }
static inline bool btf_is_kind(const struct btf_type *t, unsigned int k) { return btf_kind(t) == k; }
static inline bool btf_is_ptr(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_PTR); }
static inline bool btf_is_int(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_INT); }
static inline bool btf_is_array(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_ARRAY); }
static inline bool btf_is_fwd(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_FWD); }
static inline bool btf_is_func(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_FUNC); }
static inline bool btf_is_func_proto(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_FUNC_PROTO); }
static inline bool btf_is_var(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_VAR); }
static inline bool btf_is_datasec(const struct btf_type *t) { return btf_is_kind(t, BTF_KIND_DATASEC); }
static inline bool btf_is_struct(const struct btf_type *t)      /* struct or union */
{
	return btf_is_kind(t, BTF_KIND_STRUCT) || btf_is_kind(t, BTF_KIND_UNION);
}
bool btf_is_modifier(const struct btf_type *t);                 /* typedef, volatile, const, restrict */
bool btf_has_size(const struct btf_type *t);                    /* t->size is the size */
bool btf_nosize_or_null(const struct btf_type *t);
bool btf_needs_resolve(const struct btf_type *t);
bool btf_is_resolve_source_only(const struct btf_type *t);      /* VAR, DATASEC */
bool btf_int_is_regular(const struct btf_type *t);
uint32_t btf_member_bit_offset(const struct btf_type *s, const struct btf_member *m);
bool btf_name_offset_valid(const struct bpfvm_btf *btf, uint32_t off);
bool btf_name_valid_identifier(const struct bpfvm_btf *btf, uint32_t off);
bool btf_name_valid_section(const struct bpfvm_btf *btf, uint32_t off);
const char *btf_name_or_anon(const struct bpfvm_btf *btf, uint32_t off);
/* btf_type_id_size of v5.1: NULL for a type without size */
const struct btf_type *btf_type_id_size(const struct bpfvm_btf *btf, uint32_t *type_id, uint32_t *ret_size);

/* ---- the log, in the kernel's format ---- */
bool btf_log_needed(const struct btf_env *env);
void btf_log(struct btf_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "[N] KIND name[ details][ message]\n"; basic: without the kind's details */
void btf_log_type(struct btf_env *env, const struct btf_type *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void btf_log_basic(struct btf_env *env, const struct btf_type *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "\tname type_id=.. bits_offset=..[ message]\n" (after the struct's line
 * when not in the meta pass) */
void btf_log_member(struct btf_env *env, const struct btf_type *s, const struct btf_member *m, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
void btf_log_vsi(struct btf_env *env, const struct btf_type *ds, const struct btf_var_secinfo *vsi,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same without a message (the kernel passes fmt NULL) */
void btf_log_type_plain(struct btf_env *env, const struct btf_type *t);
void btf_log_member_plain(struct btf_env *env, const struct btf_type *s, const struct btf_member *m);
void btf_log_vsi_plain(struct btf_env *env, const struct btf_type *ds, const struct btf_var_secinfo *vsi);

/* ---- the per-kind operations of the second pass (btf_resolve.c) ---- */
int btf_df_resolve(struct btf_env *env, const struct btf_vertex *v);
int btf_modifier_resolve(struct btf_env *env, const struct btf_vertex *v);
int btf_ptr_resolve(struct btf_env *env, const struct btf_vertex *v);
int btf_array_resolve(struct btf_env *env, const struct btf_vertex *v);
int btf_struct_resolve(struct btf_env *env, const struct btf_vertex *v);
int btf_var_resolve(struct btf_env *env, const struct btf_vertex *v);
int btf_datasec_resolve(struct btf_env *env, const struct btf_vertex *v);
#define BTF_CHECK_MEMBER_FN(name)                                                                      \
	int name(struct btf_env *env, const struct btf_type *s, const struct btf_member *m,            \
		 const struct btf_type *mt)
BTF_CHECK_MEMBER_FN(btf_df_check_member);
BTF_CHECK_MEMBER_FN(btf_df_check_kflag_member);
BTF_CHECK_MEMBER_FN(btf_generic_check_kflag_member);
BTF_CHECK_MEMBER_FN(btf_int_check_member);
BTF_CHECK_MEMBER_FN(btf_int_check_kflag_member);
BTF_CHECK_MEMBER_FN(btf_modifier_check_member);
BTF_CHECK_MEMBER_FN(btf_modifier_check_kflag_member);
BTF_CHECK_MEMBER_FN(btf_ptr_check_member);
BTF_CHECK_MEMBER_FN(btf_array_check_member);
BTF_CHECK_MEMBER_FN(btf_struct_check_member);
BTF_CHECK_MEMBER_FN(btf_enum_check_member);
BTF_CHECK_MEMBER_FN(btf_enum_check_kflag_member);

/* ---- the passes ---- */
int btf_check_all_metas(struct btf_env *env);   /* btf_meta.c */
int btf_check_all_types(struct btf_env *env);   /* btf_resolve.c */
#endif
