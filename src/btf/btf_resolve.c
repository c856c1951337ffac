/* The second pass (btf_check_all_types of v5.1): every reference is
 * followed by an iterative DFS with a stack of at most 32 vertices, which
 * finds ids that do not exist, loops, and types whose size cannot be known;
 * struct members are checked against their struct's size on the way, and
 * function prototypes last. A vertex is finished ("resolved") as soon as
 * what it refers to is a sink for the current mode: a pointer need not see
 * past a struct, a struct member need not see past a pointer. */
#include "btf/btf_verify.h"
#include <errno.h>
#include <stdlib.h>

static bool env_is_resolved(const struct btf_env *env, uint32_t id)
{
	return env->visit_states[id] == RESOLVED;
}

/* env_type_is_resolve_sink */
static bool env_is_sink(const struct btf_env *env, const struct btf_type *next)
{
	switch (env->resolve_mode) {
	case RESOLVE_TBD:
		return !btf_needs_resolve(next);
	case RESOLVE_PTR:
		return !btf_is_modifier(next) && !btf_is_ptr(next);
	case RESOLVE_STRUCT_OR_ARRAY:
	default:
		return !btf_is_modifier(next) && !btf_is_array(next) && !btf_is_struct(next);
	}
}

static int env_push(struct btf_env *env, const struct btf_type *t, uint32_t id)
{
	if (env->top_stack == BTF_MAX_RESOLVE_DEPTH)
		return -E2BIG;
	/* seen on the current path, or before: the kernel calls it a loop */
	if (env->visit_states[id] != NOT_VISITED)
		return -EEXIST;
	env->visit_states[id] = VISITED;
	struct btf_vertex *v = &env->stack[env->top_stack++];
	v->t = t;
	v->type_id = id;
	v->next_member = 0;
	if (env->resolve_mode == RESOLVE_TBD) {
		if (btf_is_ptr(t))
			env->resolve_mode = RESOLVE_PTR;
		else if (btf_is_struct(t) || btf_is_array(t))
			env->resolve_mode = RESOLVE_STRUCT_OR_ARRAY;
	}
	return 0;
}

static void env_set_next_member(struct btf_env *env, uint16_t next)
{
	env->stack[env->top_stack - 1].next_member = next;
}

static void env_pop_resolved(struct btf_env *env, uint32_t resolved_id, uint32_t resolved_size)
{
	uint32_t id = env->stack[--env->top_stack].type_id;
	env->btf->resolved_sizes[id] = resolved_size;
	env->btf->resolved_ids[id] = resolved_id;
	env->visit_states[id] = RESOLVED;
}

/* btf_type_id_resolve: only for a type that needs resolving */
static const struct btf_type *id_resolve(const struct bpfvm_btf *btf, uint32_t *id)
{
	*id = btf->resolved_ids[*id];
	return bpfvm_btf_type_by_id(btf, *id);
}

static const struct btf_type *by_id(const struct btf_env *env, uint32_t id)
{
	return bpfvm_btf_type_by_id(env->btf, id);
}

static int check_member(struct btf_env *env, const struct btf_type *s, const struct btf_member *m,
			const struct btf_type *mt)
{
	const struct btf_kind_ops *ops = &btf_kind_ops[btf_kind(mt)];
	return btf_kflag(s) ? ops->check_kflag_member(env, s, m, mt) : ops->check_member(env, s, m, mt);
}

/* ---- resolve, per kind ---- */

int btf_df_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	btf_log_basic(env, v->t, "Unsupported resolve");
	return -EINVAL;
}

/* void, a forward declaration and a function prototype are what a
 * modifier or a pointer may refer to without a size */
static bool ok_without_size(const struct btf_type *t)
{
	return btf_is_void(t) || btf_is_fwd(t) || btf_is_func_proto(t);
}

int btf_modifier_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	uint32_t next_id = v->t->type, next_size = 0;
	const struct btf_type *next = by_id(env, next_id);
	if (!next || btf_is_resolve_source_only(next)) {
		btf_log_type(env, v->t, "Invalid type_id");
		return -EINVAL;
	}
	if (!env_is_sink(env, next) && !env_is_resolved(env, next_id))
		return env_push(env, next, next_id);
	/* Remember what the modifier resolves to and (v5.1) its size then. */
	if (!btf_type_id_size(env->btf, &next_id, &next_size)) {
		if (env_is_resolved(env, next_id))
			next = id_resolve(env->btf, &next_id);
		if (!ok_without_size(next)) {
			btf_log_type(env, v->t, "Invalid type_id");
			return -EINVAL;
		}
	}
	env_pop_resolved(env, next_id, next_size);
	return 0;
}

/* A modifier finished in struct mode may have stopped at a pointer: a
 * pointer (or variable) reached through it continues from that pointer, so
 * that pointer loops through modifiers are found. */
static int continue_past_modifier(struct btf_env *env, const struct btf_type *next, uint32_t next_id, bool *pushed)
{
	*pushed = false;
	if (!btf_is_modifier(next))
		return 0;
	uint32_t rid = next_id;
	const struct btf_type *rt = id_resolve(env->btf, &rid);
	if (btf_is_ptr(rt) && !env_is_sink(env, rt) && !env_is_resolved(env, rid)) {
		*pushed = true;
		return env_push(env, rt, rid);
	}
	return 0;
}

int btf_ptr_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	uint32_t next_id = v->t->type;
	const struct btf_type *next = by_id(env, next_id);
	if (!next || btf_is_resolve_source_only(next)) {
		btf_log_type(env, v->t, "Invalid type_id");
		return -EINVAL;
	}
	if (!env_is_sink(env, next) && !env_is_resolved(env, next_id))
		return env_push(env, next, next_id);
	bool pushed;
	int rc = continue_past_modifier(env, next, next_id, &pushed);
	if (pushed)
		return rc;
	if (!btf_type_id_size(env->btf, &next_id, NULL)) {
		if (env_is_resolved(env, next_id))
			next = id_resolve(env->btf, &next_id);
		if (!ok_without_size(next)) {
			btf_log_type(env, v->t, "Invalid type_id");
			return -EINVAL;
		}
	}
	env_pop_resolved(env, next_id, 0);
	return 0;
}

int btf_var_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	uint32_t next_id = v->t->type, next_size = 0;
	const struct btf_type *next = by_id(env, next_id);
	if (!next || btf_is_resolve_source_only(next)) {
		btf_log_type(env, v->t, "Invalid type_id");
		return -EINVAL;
	}
	if (!env_is_sink(env, next) && !env_is_resolved(env, next_id))
		return env_push(env, next, next_id);
	bool pushed;
	int rc = continue_past_modifier(env, next, next_id, &pushed);
	if (pushed)
		return rc;
	/* a variable has a concrete type: no forward, no void */
	if (!btf_type_id_size(env->btf, &next_id, &next_size)) {
		btf_log_type(env, v->t, "Invalid type_id");
		return -EINVAL;
	}
	env_pop_resolved(env, next_id, next_size);
	return 0;
}

int btf_array_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	const struct btf_array *a = btf_array_of(v->t);
	uint32_t index_id = a->index_type, elem_id = a->type, elem_size = 0;
	const struct btf_type *index = by_id(env, index_id);
	if (btf_nosize_or_null(index) || btf_is_resolve_source_only(index)) {
		btf_log_type(env, v->t, "Invalid index");
		return -EINVAL;
	}
	if (!env_is_sink(env, index) && !env_is_resolved(env, index_id))
		return env_push(env, index, index_id);
	index = btf_type_id_size(env->btf, &index_id, NULL);
	if (!index || !btf_is_int(index) || !btf_int_is_regular(index)) {
		btf_log_type(env, v->t, "Invalid index");
		return -EINVAL;
	}
	const struct btf_type *elem = by_id(env, elem_id);
	if (btf_nosize_or_null(elem) || btf_is_resolve_source_only(elem)) {
		btf_log_type(env, v->t, "Invalid elem");
		return -EINVAL;
	}
	if (!env_is_sink(env, elem) && !env_is_resolved(env, elem_id))
		return env_push(env, elem, elem_id);
	elem = btf_type_id_size(env->btf, &elem_id, &elem_size);
	if (!elem) {
		btf_log_type(env, v->t, "Invalid elem");
		return -EINVAL;
	}
	if (btf_is_int(elem) && !btf_int_is_regular(elem)) {
		btf_log_type(env, v->t, "Invalid array of int");
		return -EINVAL;
	}
	if (a->nelems && elem_size > UINT32_MAX / a->nelems) {
		btf_log_type(env, v->t, "Array size overflows U32_MAX");
		return -EINVAL;
	}
	env_pop_resolved(env, elem_id, elem_size * a->nelems);
	return 0;
}

int btf_struct_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	const struct btf_member *members = btf_members(v->t);
	/* Back from resolving the previous member's type: check it now. */
	if (v->next_member) {
		const struct btf_member *last = &members[v->next_member - 1];
		/* The kernel keeps this id in a u16; ids above 65535 wrap. */
		uint16_t last_id = (uint16_t)last->type;
		if (!env_is_resolved(env, last_id))
			return -EINVAL;     /* the kernel's WARN_ON_ONCE: no log */
		int rc = check_member(env, v->t, last, by_id(env, last_id));
		if (rc)
			return rc;
	}
	for (uint16_t i = v->next_member; i < btf_vlen(v->t); i++) {
		const struct btf_member *m = &members[i];
		const struct btf_type *mt = by_id(env, m->type);
		if (btf_nosize_or_null(mt) || btf_is_resolve_source_only(mt)) {
			btf_log_member(env, v->t, m, "Invalid member");
			return -EINVAL;
		}
		if (!env_is_sink(env, mt) && !env_is_resolved(env, m->type)) {
			env_set_next_member(env, (uint16_t)(i + 1));
			return env_push(env, mt, m->type);
		}
		int rc = check_member(env, v->t, m, mt);
		if (rc)
			return rc;
	}
	env_pop_resolved(env, 0, 0);
	return 0;
}

int btf_datasec_resolve(struct btf_env *env, const struct btf_vertex *v)
{
	const struct btf_var_secinfo *vsis = btf_vsis(v->t);
	/* Unlike a struct, the variable that was pushed is not checked again
	 * when the DFS comes back here: the kernel resumes after it. */
	for (uint16_t i = v->next_member; i < btf_vlen(v->t); i++) {
		const struct btf_var_secinfo *vsi = &vsis[i];
		const struct btf_type *var = by_id(env, vsi->type);
		if (!var || !btf_is_var(var)) {
			btf_log_vsi(env, v->t, vsi, "Not a VAR kind member");
			return -EINVAL;
		}
		if (!env_is_sink(env, var) && !env_is_resolved(env, vsi->type)) {
			env_set_next_member(env, (uint16_t)(i + 1));
			return env_push(env, var, vsi->type);
		}
		uint32_t type_id = var->type, type_size = 0;
		if (!btf_type_id_size(env->btf, &type_id, &type_size)) {
			btf_log_vsi(env, v->t, vsi, "Invalid type");
			return -EINVAL;
		}
		if (vsi->size < type_size) {
			btf_log_vsi(env, v->t, vsi, "Invalid size");
			return -EINVAL;
		}
	}
	env_pop_resolved(env, 0, 0);
	return 0;
}

/* ---- struct members against their struct (check_member, per member kind) ---- */

BTF_CHECK_MEMBER_FN(btf_df_check_member)
{
	btf_log_basic(env, s, "Unsupported check_member");
	return -EINVAL;
}

BTF_CHECK_MEMBER_FN(btf_df_check_kflag_member)
{
	btf_log_basic(env, s, "Unsupported check_kflag_member");
	return -EINVAL;
}

/* pointers, arrays and structs as members of a kind_flag struct: no
 * bitfield, and then the plain check */
BTF_CHECK_MEMBER_FN(btf_generic_check_kflag_member)
{
	if (BTF_MEMBER_BITFIELD_SIZE(m->offset)) {
		btf_log_member(env, s, m, "Invalid member bitfield_size");
		return -EINVAL;
	}
	return btf_kind_ops[btf_kind(mt)].check_member(env, s, m, mt);
}

BTF_CHECK_MEMBER_FN(btf_int_check_member)
{
	uint32_t d = btf_int_data(mt), bits_off = m->offset, size = s->size;
	if (UINT32_MAX - bits_off < BTF_INT_OFFSET(d)) {
		btf_log_member(env, s, m, "bits_offset exceeds U32_MAX");
		return -EINVAL;
	}
	bits_off += BTF_INT_OFFSET(d);
	uint32_t bytes_off = BITS_ROUNDDOWN_BYTES(bits_off);
	uint32_t nr_copy_bits = BTF_INT_BITS(d) + BITS_PER_BYTE_MASKED(bits_off);
	if (nr_copy_bits > BITS_PER_U128) {
		btf_log_member(env, s, m, "nr_copy_bits exceeds 128");
		return -EINVAL;
	}
	if (size < bytes_off || size - bytes_off < BITS_ROUNDUP_BYTES(nr_copy_bits)) {
		btf_log_member(env, s, m, "Member exceeds struct_size");
		return -EINVAL;
	}
	return 0;
}

BTF_CHECK_MEMBER_FN(btf_int_check_kflag_member)
{
	/* a bitfield of a kind_flag struct is carved from a regular int */
	if (!btf_int_is_regular(mt)) {
		btf_log_member(env, s, m, "Invalid member base type");
		return -EINVAL;
	}
	uint32_t nr_bits = BTF_MEMBER_BITFIELD_SIZE(m->offset);
	uint32_t bits_off = BTF_MEMBER_BIT_OFFSET(m->offset);
	uint32_t nr_int_bits = BTF_INT_BITS(btf_int_data(mt));
	if (!nr_bits) {
		/* not a bitfield: byte aligned */
		if (BITS_PER_BYTE_MASKED(bits_off)) {
			btf_log_member(env, s, m, "Invalid member offset");
			return -EINVAL;
		}
		nr_bits = nr_int_bits;
	} else if (nr_bits > nr_int_bits) {
		btf_log_member(env, s, m, "Invalid member bitfield_size");
		return -EINVAL;
	}
	uint32_t bytes_off = BITS_ROUNDDOWN_BYTES(bits_off);
	uint32_t nr_copy_bits = nr_bits + BITS_PER_BYTE_MASKED(bits_off);
	if (nr_copy_bits > BITS_PER_U128) {
		btf_log_member(env, s, m, "nr_copy_bits exceeds 128");
		return -EINVAL;
	}
	if (s->size < bytes_off || s->size - bytes_off < BITS_ROUNDUP_BYTES(nr_copy_bits)) {
		btf_log_member(env, s, m, "Member exceeds struct_size");
		return -EINVAL;
	}
	return 0;
}

/* A member whose type is a modifier: check it as the type the modifier
 * resolves to (the logged member then carries that type's id). */
static int modifier_check(struct btf_env *env, const struct btf_type *s, const struct btf_member *m, bool kflag)
{
	uint32_t rid = m->type;
	const struct btf_type *rt = btf_type_id_size(env->btf, &rid, NULL);
	if (!rt) {
		btf_log_member(env, s, m, "Invalid member");
		return -EINVAL;
	}
	struct btf_member rm = *m;
	rm.type = rid;
	const struct btf_kind_ops *ops = &btf_kind_ops[btf_kind(rt)];
	return kflag ? ops->check_kflag_member(env, s, &rm, rt) : ops->check_member(env, s, &rm, rt);
}

BTF_CHECK_MEMBER_FN(btf_modifier_check_member)
{
	return modifier_check(env, s, m, false);
}

BTF_CHECK_MEMBER_FN(btf_modifier_check_kflag_member)
{
	return modifier_check(env, s, m, true);
}

/* The subtractions below are u32 as in the kernel; the meta pass already
 * bounded the member offset by the struct size. */
BTF_CHECK_MEMBER_FN(btf_ptr_check_member)
{
	uint32_t bytes_off = BITS_ROUNDDOWN_BYTES(m->offset);
	if (BITS_PER_BYTE_MASKED(m->offset)) {
		btf_log_member(env, s, m, "Member is not byte aligned");
		return -EINVAL;
	}
	if (s->size - bytes_off < 8) {
		btf_log_member(env, s, m, "Member exceeds struct_size");
		return -EINVAL;
	}
	return 0;
}

BTF_CHECK_MEMBER_FN(btf_array_check_member)
{
	if (BITS_PER_BYTE_MASKED(m->offset)) {
		btf_log_member(env, s, m, "Member is not byte aligned");
		return -EINVAL;
	}
	uint32_t id = m->type, array_size = 0;
	btf_type_id_size(env->btf, &id, &array_size);
	if (s->size - BITS_ROUNDDOWN_BYTES(m->offset) < array_size) {
		btf_log_member(env, s, m, "Member exceeds struct_size");
		return -EINVAL;
	}
	return 0;
}

/* structs, unions and enums: byte aligned, and inside */
BTF_CHECK_MEMBER_FN(btf_struct_check_member)
{
	if (BITS_PER_BYTE_MASKED(m->offset)) {
		btf_log_member(env, s, m, "Member is not byte aligned");
		return -EINVAL;
	}
	if (s->size - BITS_ROUNDDOWN_BYTES(m->offset) < mt->size) {
		btf_log_member(env, s, m, "Member exceeds struct_size");
		return -EINVAL;
	}
	return 0;
}

BTF_CHECK_MEMBER_FN(btf_enum_check_member)
{
	return btf_struct_check_member(env, s, m, mt);
}

BTF_CHECK_MEMBER_FN(btf_enum_check_kflag_member)
{
	const uint32_t int_bits = 32;
	uint32_t bits_off = BTF_MEMBER_BIT_OFFSET(m->offset);
	uint32_t nr_bits = BTF_MEMBER_BITFIELD_SIZE(m->offset);
	if (!nr_bits) {
		if (BITS_PER_BYTE_MASKED(bits_off)) {
			btf_log_member(env, s, m, "Member is not byte aligned");
			return -EINVAL;
		}
		nr_bits = int_bits;
	} else if (nr_bits > int_bits) {
		btf_log_member(env, s, m, "Invalid member bitfield_size");
		return -EINVAL;
	}
	if (s->size < BITS_ROUNDUP_BYTES(bits_off + nr_bits)) {
		btf_log_member(env, s, m, "Member exceeds struct_size");
		return -EINVAL;
	}
	return 0;
}

/* ---- the DFS from one type ---- */

/* btf_resolve_valid: the final sanity check of a resolved type */
static bool resolve_valid(struct btf_env *env, const struct btf_type *t, uint32_t id)
{
	const struct bpfvm_btf *btf = env->btf;
	if (!env_is_resolved(env, id))
		return false;
	if (btf_is_struct(t) || btf_is_datasec(t))
		return !btf->resolved_ids[id] && !btf->resolved_sizes[id];
	if (btf_is_modifier(t) || btf_is_ptr(t) || btf_is_var(t)) {
		const struct btf_type *r = id_resolve(btf, &id);
		return r && !btf_is_modifier(r) && !btf_is_var(r) && !btf_is_datasec(r);
	}
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array_of(t);
		uint32_t elem_id = a->type, elem_size = 0;
		const struct btf_type *elem = btf_type_id_size(btf, &elem_id, &elem_size);
		return elem && !btf_is_modifier(elem) && a->nelems * elem_size == btf->resolved_sizes[id];
	}
	return false;
}

static int resolve(struct btf_env *env, const struct btf_type *t, uint32_t id)
{
	uint32_t saved = env->log_type_id;
	const struct btf_vertex *v;
	int err = 0;
	env->resolve_mode = RESOLVE_TBD;
	env_push(env, t, id);
	while (!err && env->top_stack) {
		v = &env->stack[env->top_stack - 1];
		env->log_type_id = v->type_id;
		err = btf_kind_ops[btf_kind(v->t)].resolve(env, v);
	}
	env->log_type_id = id;
	if (err == -E2BIG)
		btf_log_type(env, t, "Exceeded max resolving depth:%u", BTF_MAX_RESOLVE_DEPTH);
	else if (err == -EEXIST)
		btf_log_type(env, t, "Loop detected");
	if (!err && !resolve_valid(env, t, id)) {
		btf_log_type(env, t, "Invalid resolve state");
		err = -EINVAL;
	}
	env->log_type_id = saved;
	return err;
}

/* ---- functions ---- */

/* A type used by a prototype must have a size once resolved. */
static int resolve_sized(struct btf_env *env, uint32_t id, bool *sized)
{
	const struct btf_type *t = by_id(env, id);
	*sized = false;
	if (btf_needs_resolve(t) && !env_is_resolved(env, id)) {
		int rc = resolve(env, t, id);
		if (rc)
			return rc;
	}
	*sized = btf_type_id_size(env->btf, &id, NULL) != NULL;
	return 0;
}

/* btf_func_proto_check: the return type (0 is void) and the arguments (a
 * last one of type 0 without a name is "..."). */
static int func_proto_check(struct btf_env *env, const struct btf_type *t)
{
	const struct btf_param *args = btf_params(t);
	uint16_t nr = btf_vlen(t);
	bool sized;
	int rc;
	if (t->type) {
		if (!by_id(env, t->type)) {
			btf_log_type(env, t, "Invalid return type");
			return -EINVAL;
		}
		if ((rc = resolve_sized(env, t->type, &sized)))
			return rc;
		if (!sized) {
			btf_log_type(env, t, "Invalid return type");
			return -EINVAL;
		}
	}
	if (!nr)
		return 0;
	if (!args[nr - 1].type) {
		if (args[nr - 1].name_off) {
			btf_log_type(env, t, "Invalid arg#%u", nr);
			return -EINVAL;
		}
		nr--;
	}
	for (uint16_t i = 0; i < nr; i++) {
		if (!by_id(env, args[i].type)) {
			btf_log_type(env, t, "Invalid arg#%u", i + 1);
			return -EINVAL;
		}
		if (args[i].name_off && (!btf_name_offset_valid(env->btf, args[i].name_off) ||
					 !btf_name_valid_identifier(env->btf, args[i].name_off))) {
			btf_log_type(env, t, "Invalid arg#%u", i + 1);
			return -EINVAL;
		}
		if ((rc = resolve_sized(env, args[i].type, &sized)))
			return rc;
		if (!sized) {
			btf_log_type(env, t, "Invalid arg#%u", i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* btf_func_check: a FUNC is a FUNC_PROTO whose arguments all have names */
static int func_check(struct btf_env *env, const struct btf_type *t)
{
	const struct btf_type *proto = by_id(env, t->type);
	if (!proto || !btf_is_func_proto(proto)) {
		btf_log_type(env, t, "Invalid type_id");
		return -EINVAL;
	}
	const struct btf_param *args = btf_params(proto);
	for (uint16_t i = 0; i < btf_vlen(proto); i++) {
		if (!args[i].name_off && args[i].type) {
			btf_log_type(env, t, "Invalid arg#%u", i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

int btf_check_all_types(struct btf_env *env)
{
	struct bpfvm_btf *btf = env->btf;
	uint32_t n = btf->nr_types + 1;     /* + void */
	btf->resolved_sizes = calloc(n, sizeof(uint32_t));
	btf->resolved_ids = calloc(n, sizeof(uint32_t));
	env->visit_states = calloc(n, 1);
	if (!btf->resolved_sizes || !btf->resolved_ids || !env->visit_states)
		return -ENOMEM;
	env->phase = CHECK_TYPE;
	for (uint32_t id = 1; id <= btf->nr_types; id++) {
		const struct btf_type *t = btf->types[id];
		int rc = 0;
		env->log_type_id = id;
		if (btf_needs_resolve(t) && !env_is_resolved(env, id))
			rc = resolve(env, t, id);
		if (!rc && btf_is_func_proto(t))
			rc = func_proto_check(env, t);
		if (!rc && btf_is_func(t))
			rc = func_check(env, t);
		if (rc)
			return rc;
	}
	return 0;
}
