/* The first pass over the type section (btf_check_all_metas of v5.1): each
 * type's fixed fields, the size of what follows it, names, and ids in range;
 * it also collects the type table. References are followed in the second
 * pass (btf_resolve.c). The table of kinds at the end is the kernel's
 * kind_ops. */
#include "btf/btf_verify.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/kerrno.h"

static bool type_id_valid(uint32_t id)
{
	return id <= BTF_MAX_TYPE;
}

/* The type's trailing data must fit in what is left of the section. */
static int meta_fits(struct btf_env *env, const struct btf_type *t, uint32_t meta_left, uint32_t meta_needed)
{
	if (meta_left >= meta_needed)
		return 1;
	btf_log_basic(env, t, "meta_left:%u meta_needed:%u", meta_left, meta_needed);
	return 0;
}

/* Kinds without members and without a kind_flag meaning. */
static int no_vlen_no_kflag(struct btf_env *env, const struct btf_type *t)
{
	if (btf_vlen(t)) {
		btf_log_type(env, t, "vlen != 0");
		return 0;
	}
	if (btf_kflag(t)) {
		btf_log_type(env, t, "Invalid btf_info kind_flag");
		return 0;
	}
	return 1;
}

/* ---- INT ---- */

static int int_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	const uint32_t meta_needed = sizeof(uint32_t);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (!no_vlen_no_kflag(env, t))
		return -EINVAL;
	uint32_t d = btf_int_data(t);
	if (d & ~BTF_INT_MASK) {
		btf_log_basic(env, t, "Invalid int_data:%x", d);
		return -EINVAL;
	}
	uint32_t nr_bits = BTF_INT_BITS(d) + BTF_INT_OFFSET(d);
	if (nr_bits > BITS_PER_U128) {
		btf_log_type(env, t, "nr_bits exceeds %zu", (size_t)BITS_PER_U128);
		return -EINVAL;
	}
	if (BITS_ROUNDUP_BYTES(nr_bits) > t->size) {
		btf_log_type(env, t, "nr_bits exceeds type_size");
		return -EINVAL;
	}
	/* One encoding bit at most: enough to print values. */
	uint32_t enc = BTF_INT_ENCODING(d);
	if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL) {
		btf_log_type(env, t, "Unsupported encoding");
		return -ENOTSUPP;
	}
	btf_log_type_plain(env, t);
	return (int)meta_needed;
}

static const char *int_encoding_str(uint32_t enc)
{
	switch (enc) {
	case 0: return "(none)";
	case BTF_INT_SIGNED: return "SIGNED";
	case BTF_INT_CHAR: return "CHAR";
	case BTF_INT_BOOL: return "BOOL";
	default: return "UNKN";
	}
}

static void int_log(struct btf_env *env, const struct btf_type *t)
{
	uint32_t d = btf_int_data(t);
	btf_log(env, "size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size, BTF_INT_OFFSET(d), BTF_INT_BITS(d),
		int_encoding_str(BTF_INT_ENCODING(d)));
}

/* ---- PTR, TYPEDEF, VOLATILE, CONST, RESTRICT ---- */

static int ref_type_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	if (!no_vlen_no_kflag(env, t))
		return -EINVAL;
	if (!type_id_valid(t->type)) {
		btf_log_type(env, t, "Invalid type_id");
		return -EINVAL;
	}
	/* A typedef has a name; pointers and qualifiers have none. */
	if (btf_kind(t) == BTF_KIND_TYPEDEF) {
		if (!t->name_off || !btf_name_valid_identifier(env->btf, t->name_off)) {
			btf_log_type(env, t, "Invalid name");
			return -EINVAL;
		}
	} else if (t->name_off) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	return 0;
}

static void ref_type_log(struct btf_env *env, const struct btf_type *t)
{
	btf_log(env, "type_id=%u", t->type);
}

/* ---- FWD ---- */

static int fwd_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	if (btf_vlen(t)) {
		btf_log_type(env, t, "vlen != 0");
		return -EINVAL;
	}
	if (t->type) {
		btf_log_type(env, t, "type != 0");
		return -EINVAL;
	}
	if (!t->name_off || !btf_name_valid_identifier(env->btf, t->name_off)) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	return 0;
}

static void fwd_log(struct btf_env *env, const struct btf_type *t)
{
	btf_log(env, "%s", btf_kflag(t) ? "union" : "struct");
}

/* ---- ARRAY ---- */

static int array_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	const uint32_t meta_needed = sizeof(struct btf_array);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (t->name_off) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	if (!no_vlen_no_kflag(env, t))
		return -EINVAL;
	if (t->size) {
		btf_log_type(env, t, "size != 0");
		return -EINVAL;
	}
	/* Neither the element nor the index can be void. */
	const struct btf_array *a = btf_array_of(t);
	if (!a->type || !type_id_valid(a->type)) {
		btf_log_type(env, t, "Invalid elem");
		return -EINVAL;
	}
	if (!a->index_type || !type_id_valid(a->index_type)) {
		btf_log_type(env, t, "Invalid index");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	return (int)meta_needed;
}

static void array_log(struct btf_env *env, const struct btf_type *t)
{
	const struct btf_array *a = btf_array_of(t);
	btf_log(env, "type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type, a->nelems);
}

/* ---- STRUCT, UNION ---- */

static int struct_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	bool is_union = btf_kind(t) == BTF_KIND_UNION;
	uint32_t meta_needed = btf_vlen(t) * (uint32_t)sizeof(struct btf_member);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (t->name_off && !btf_name_valid_identifier(env->btf, t->name_off)) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	uint32_t last_offset = 0;
	const struct btf_member *m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		if (!btf_name_offset_valid(env->btf, m->name_off)) {
			btf_log_member(env, t, m, "Invalid member name_offset:%u", m->name_off);
			return -EINVAL;
		}
		if (m->name_off && !btf_name_valid_identifier(env->btf, m->name_off)) {
			btf_log_member(env, t, m, "Invalid name");
			return -EINVAL;
		}
		/* a member cannot be void */
		if (!m->type || !type_id_valid(m->type)) {
			btf_log_member(env, t, m, "Invalid type_id");
			return -EINVAL;
		}
		uint32_t off = btf_member_bit_offset(t, m);
		if (is_union && off) {
			btf_log_member(env, t, m, "Invalid member bits_offset");
			return -EINVAL;
		}
		/* ">" rather than ">=": the last member may be "char a[0]" */
		if (last_offset > off) {
			btf_log_member(env, t, m, "Invalid member bits_offset");
			return -EINVAL;
		}
		if (BITS_ROUNDUP_BYTES(off) > t->size) {
			btf_log_member(env, t, m, "Member bits_offset exceeds its struct size");
			return -EINVAL;
		}
		btf_log_member_plain(env, t, m);
		last_offset = off;
	}
	return (int)meta_needed;
}

static void size_vlen_log(struct btf_env *env, const struct btf_type *t)
{
	btf_log(env, "size=%u vlen=%u", t->size, btf_vlen(t));
}

/* ---- ENUM ---- */

static int enum_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	uint16_t nr = btf_vlen(t);
	uint32_t meta_needed = nr * (uint32_t)sizeof(struct btf_enum);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (btf_kflag(t)) {
		btf_log_type(env, t, "Invalid btf_info kind_flag");
		return -EINVAL;
	}
	/* v5.1: an enum is an int (v5.3 allows 1, 2 and 8 bytes too) */
	if (t->size != sizeof(int)) {
		btf_log_type(env, t, "Expected size:%zu", sizeof(int));
		return -EINVAL;
	}
	if (t->name_off && !btf_name_valid_identifier(env->btf, t->name_off)) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	const struct btf_enum *e = btf_enums(t);
	for (uint16_t i = 0; i < nr; i++) {
		if (!btf_name_offset_valid(env->btf, e[i].name_off)) {
			btf_log(env, "\tInvalid name_offset:%u", e[i].name_off);
			return -EINVAL;
		}
		if (!e[i].name_off || !btf_name_valid_identifier(env->btf, e[i].name_off)) {
			btf_log_type(env, t, "Invalid name");
			return -EINVAL;
		}
		btf_log(env, "\t%s val=%d\n", btf_name_or_anon(env->btf, e[i].name_off), e[i].val);
	}
	return (int)meta_needed;
}

/* ---- FUNC_PROTO, FUNC ---- */

static int func_proto_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	uint32_t meta_needed = btf_vlen(t) * (uint32_t)sizeof(struct btf_param);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (t->name_off) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	if (btf_kflag(t)) {
		btf_log_type(env, t, "Invalid btf_info kind_flag");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	return (int)meta_needed;
}

static void func_proto_log(struct btf_env *env, const struct btf_type *t)
{
	const struct btf_param *args = btf_params(t);
	uint16_t n = btf_vlen(t);
	btf_log(env, "return=%u args=(", t->type);
	if (!n) {
		btf_log(env, "void");
	} else if (n == 1 && !args[0].type) {
		btf_log(env, "vararg");     /* a lone vararg */
	} else {
		btf_log(env, "%u %s", args[0].type, btf_name_or_anon(env->btf, args[0].name_off));
		for (uint16_t i = 1; i + 1 < n; i++)
			btf_log(env, ", %u %s", args[i].type, btf_name_or_anon(env->btf, args[i].name_off));
		if (n > 1) {
			const struct btf_param *last = &args[n - 1];
			if (last->type)
				btf_log(env, ", %u %s", last->type, btf_name_or_anon(env->btf, last->name_off));
			else
				btf_log(env, ", vararg");
		}
	}
	btf_log(env, ")");
}

static int func_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	if (!t->name_off || !btf_name_valid_identifier(env->btf, t->name_off)) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	/* v5.1 has no linkage in vlen (v5.6 allows static/global/extern) */
	if (!no_vlen_no_kflag(env, t))
		return -EINVAL;
	btf_log_type_plain(env, t);
	return 0;
}

/* ---- VAR, DATASEC (v5.2) ---- */

static int var_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	const uint32_t meta_needed = sizeof(struct btf_var);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (!no_vlen_no_kflag(env, t))
		return -EINVAL;
	if (!t->name_off || !btf_name_valid_identifier(env->btf, t->name_off)) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	/* a variable cannot be void */
	if (!t->type || !type_id_valid(t->type)) {
		btf_log_type(env, t, "Invalid type_id");
		return -EINVAL;
	}
	const struct btf_var *var = btf_extra(t);
	if (var->linkage != BTF_VAR_STATIC && var->linkage != BTF_VAR_GLOBAL_ALLOCATED) {
		btf_log_type(env, t, "Linkage not supported");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	return (int)meta_needed;
}

static void var_log(struct btf_env *env, const struct btf_type *t)
{
	const struct btf_var *var = btf_extra(t);
	btf_log(env, "type_id=%u linkage=%u", t->type, var->linkage);
}

static int datasec_check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	uint32_t meta_needed = btf_vlen(t) * (uint32_t)sizeof(struct btf_var_secinfo);
	if (!meta_fits(env, t, meta_left, meta_needed))
		return -EINVAL;
	if (!btf_vlen(t)) {
		btf_log_type(env, t, "vlen == 0");
		return -EINVAL;
	}
	if (!t->size) {
		btf_log_type(env, t, "size == 0");
		return -EINVAL;
	}
	if (btf_kflag(t)) {
		btf_log_type(env, t, "Invalid btf_info kind_flag");
		return -EINVAL;
	}
	if (!t->name_off || !btf_name_valid_section(env->btf, t->name_off)) {
		btf_log_type(env, t, "Invalid name");
		return -EINVAL;
	}
	btf_log_type_plain(env, t);
	uint64_t last_end = 0, sum = 0;
	const struct btf_var_secinfo *vsi = btf_vsis(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, vsi++) {
		if (!vsi->type || !type_id_valid(vsi->type)) {
			btf_log_vsi(env, t, vsi, "Invalid type_id");
			return -EINVAL;
		}
		if (vsi->offset < last_end || vsi->offset >= t->size) {
			btf_log_vsi(env, t, vsi, "Invalid offset");
			return -EINVAL;
		}
		if (!vsi->size || vsi->size > t->size) {
			btf_log_vsi(env, t, vsi, "Invalid size");
			return -EINVAL;
		}
		last_end = (uint64_t)vsi->offset + vsi->size;
		if (last_end > t->size) {
			btf_log_vsi(env, t, vsi, "Invalid offset+size");
			return -EINVAL;
		}
		btf_log_vsi_plain(env, t, vsi);
		sum += vsi->size;
	}
	if (t->size < sum) {
		btf_log_type(env, t, "Invalid btf_info size");
		return -EINVAL;
	}
	return (int)meta_needed;
}

/* ---- the table of kinds ---- */

#define MODIFIER_OPS(kind_name)                                                                        \
	{ kind_name, ref_type_check_meta, btf_modifier_resolve, btf_modifier_check_member,             \
	  btf_modifier_check_kflag_member, ref_type_log }

const struct btf_kind_ops btf_kind_ops[NR_BTF_KINDS] = {
	/* UNKNOWN never passes the meta check; only its name is used */
	[BTF_KIND_UNKN] = { "UNKNOWN", NULL, btf_df_resolve, btf_df_check_member, btf_df_check_kflag_member,
			    ref_type_log },
	[BTF_KIND_INT] = { "INT", int_check_meta, btf_df_resolve, btf_int_check_member, btf_int_check_kflag_member,
			   int_log },
	[BTF_KIND_PTR] = { "PTR", ref_type_check_meta, btf_ptr_resolve, btf_ptr_check_member,
			   btf_generic_check_kflag_member, ref_type_log },
	[BTF_KIND_ARRAY] = { "ARRAY", array_check_meta, btf_array_resolve, btf_array_check_member,
			     btf_generic_check_kflag_member, array_log },
	[BTF_KIND_STRUCT] = { "STRUCT", struct_check_meta, btf_struct_resolve, btf_struct_check_member,
			      btf_generic_check_kflag_member, size_vlen_log },
	[BTF_KIND_UNION] = { "UNION", struct_check_meta, btf_struct_resolve, btf_struct_check_member,
			     btf_generic_check_kflag_member, size_vlen_log },
	[BTF_KIND_ENUM] = { "ENUM", enum_check_meta, btf_df_resolve, btf_enum_check_member,
			    btf_enum_check_kflag_member, size_vlen_log },
	[BTF_KIND_FWD] = { "FWD", fwd_check_meta, btf_df_resolve, btf_df_check_member, btf_df_check_kflag_member,
			   fwd_log },
	[BTF_KIND_TYPEDEF] = MODIFIER_OPS("TYPEDEF"),
	[BTF_KIND_VOLATILE] = MODIFIER_OPS("VOLATILE"),
	[BTF_KIND_CONST] = MODIFIER_OPS("CONST"),
	[BTF_KIND_RESTRICT] = MODIFIER_OPS("RESTRICT"),
	/* a FUNC or FUNC_PROTO cannot be a member: only a pointer to one */
	[BTF_KIND_FUNC] = { "FUNC", func_check_meta, btf_df_resolve, btf_df_check_member, btf_df_check_kflag_member,
			    ref_type_log },
	[BTF_KIND_FUNC_PROTO] = { "FUNC_PROTO", func_proto_check_meta, btf_df_resolve, btf_df_check_member,
				  btf_df_check_kflag_member, func_proto_log },
	[BTF_KIND_VAR] = { "VAR", var_check_meta, btf_var_resolve, btf_df_check_member, btf_df_check_kflag_member,
			   var_log },
	[BTF_KIND_DATASEC] = { "DATASEC", datasec_check_meta, btf_datasec_resolve, btf_df_check_member,
			       btf_df_check_kflag_member, size_vlen_log },
};

/* ---- the pass ---- */

/* btf_add_type: v5.1 ignores its failure; the type is then left out of the
 * table (ids past the last one kept are "Invalid type_id" later). */
static int add_type(struct btf_env *env, const struct btf_type *t)
{
	struct bpfvm_btf *btf = env->btf;
	/* +1: btf_void holds [0] and is not counted in nr_types */
	if (env->types_cap - btf->nr_types < 2) {
		if (env->types_cap == BTF_MAX_TYPE) {
			btf_log(env, "Exceeded max num of types");
			return -E2BIG;
		}
		uint32_t grow = env->types_cap >> 2 > 16 ? env->types_cap >> 2 : 16;
		uint32_t cap = env->types_cap + grow < BTF_MAX_TYPE ? env->types_cap + grow : BTF_MAX_TYPE;
		const struct btf_type **n = realloc(btf->types, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		n[0] = &btf_void;
		btf->types = n;
		env->types_cap = cap;
	}
	btf->types[++btf->nr_types] = t;
	return 0;
}

/* btf_check_meta: the common fields, then the kind's own check */
static int check_meta(struct btf_env *env, const struct btf_type *t, uint32_t meta_left)
{
	if (meta_left < sizeof(*t)) {
		btf_log(env, "[%u] meta_left:%u meta_needed:%zu", env->log_type_id, meta_left, sizeof(*t));
		return -EINVAL;
	}
	meta_left -= sizeof(*t);
	if (t->info & ~BTF_INFO_MASK) {
		btf_log(env, "[%u] Invalid btf_info:%x", env->log_type_id, t->info);
		return -EINVAL;
	}
	if (btf_kind(t) > BTF_KIND_MAX || btf_kind(t) == BTF_KIND_UNKN) {
		btf_log(env, "[%u] Invalid kind:%u", env->log_type_id, btf_kind(t));
		return -EINVAL;
	}
	if (!btf_name_offset_valid(env->btf, t->name_off)) {
		btf_log(env, "[%u] Invalid name_offset:%u", env->log_type_id, t->name_off);
		return -EINVAL;
	}
	int n = btf_kind_ops[btf_kind(t)].check_meta(env, t, meta_left);
	return n < 0 ? n : (int)sizeof(*t) + n;
}

int btf_check_all_metas(struct btf_env *env)
{
	struct bpfvm_btf *btf = env->btf;
	/* The type section starts 4-aligned in btf->data (see parse), and
	 * every record is a multiple of 4 bytes long. */
	const uint8_t *cur = btf->data + btf->hdr.hdr_len + btf->hdr.type_off;
	const uint8_t *end = cur + btf->hdr.type_len;
	env->log_type_id = 1;
	while (cur < end) {
		const struct btf_type *t = (const struct btf_type *)cur;
		int n = check_meta(env, t, (uint32_t)(end - cur));
		if (n < 0)
			return n;
		if (add_type(env, t) == -ENOMEM)
			return -ENOMEM;
		cur += n;
		env->log_type_id++;
	}
	return 0;
}
