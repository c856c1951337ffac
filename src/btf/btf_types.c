/* Type and name predicates shared by the passes, and the kernel-format log.
 * The rules are v5.1's kernel/bpf/btf.c (VAR and DATASEC as v5.2 added
 * them); the comments name the kernel function each mirrors. */
#include "btf/btf_verify.h"
#include "core/log.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Type id 0: void. Kind 0, so no predicate below matches it by kind. */
const struct btf_type btf_void;

/* btf_type_is_modifier: refers on through t->type, and its size is that
 * of what it refers to (a pointer is not one: its size is its own). */
bool btf_is_modifier(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
		return true;
	}
	return false;
}

bool btf_has_size(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_DATASEC:
		return true;
	}
	return false;
}

/* btf_type_nosize_or_null: missing, or a type a value cannot have */
bool btf_nosize_or_null(const struct btf_type *t)
{
	return !t || btf_is_void(t) || btf_is_fwd(t) || btf_is_func(t) || btf_is_func_proto(t);
}

bool btf_is_resolve_source_only(const struct btf_type *t)
{
	return btf_is_var(t) || btf_is_datasec(t);
}

bool btf_needs_resolve(const struct btf_type *t)
{
	return btf_is_modifier(t) || btf_is_ptr(t) || btf_is_struct(t) || btf_is_array(t) || btf_is_var(t) ||
	       btf_is_datasec(t);
}

/* btf_type_int_is_regular: a whole u8/u16/u32/u64/u128, not a bitfield */
bool btf_int_is_regular(const struct btf_type *t)
{
	uint32_t d = btf_int_data(t);
	uint8_t nr_bits = (uint8_t)BTF_INT_BITS(d);
	uint8_t nr_bytes = (uint8_t)BITS_ROUNDUP_BYTES(nr_bits);
	if (BITS_PER_BYTE_MASKED(nr_bits) || BTF_INT_OFFSET(d))
		return false;
	return nr_bytes == 1 || nr_bytes == 2 || nr_bytes == 4 || nr_bytes == 8 || nr_bytes == 16;
}

uint32_t btf_member_bit_offset(const struct btf_type *s, const struct btf_member *m)
{
	return btf_kflag(s) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}

bool btf_name_offset_valid(const struct bpfvm_btf *btf, uint32_t off)
{
	return off <= BTF_MAX_NAME_OFFSET && off < btf->hdr.str_len;
}

/* The kernel's <linux/ctype.h> is Latin-1: besides ASCII letters, the bytes
 * 0xc0-0xff except 0xd7 and 0xf7 are letters, so names may contain them. */
static bool k_isalpha(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c >= 0xc0 && c != 0xd7 && c != 0xf7;
}

static bool k_isalnum(unsigned char c)
{
	return k_isalpha(c) || (c >= '0' && c <= '9');
}

static bool name_char_ok(unsigned char c, bool first, bool dot_ok)
{
	if (first ? k_isalpha(c) : k_isalnum(c))
		return true;
	return c == '_' || (c == '.' && dot_ok);
}

/* __btf_name_valid: a C identifier (DATASEC names may have dots) shorter
 * than KSYM_NAME_LEN. off must be valid; the string section ends in NUL, so
 * the scan stays inside it. */
static bool name_valid(const struct bpfvm_btf *btf, uint32_t off, bool dot_ok)
{
	const unsigned char *src = (const unsigned char *)btf->strings + off;
	const unsigned char *limit = src + BTF_KSYM_NAME_LEN;
	if (!name_char_ok(*src, true, dot_ok))
		return false;
	for (src++; *src && src < limit; src++)
		if (!name_char_ok(*src, false, dot_ok))
			return false;
	return !*src;
}

bool btf_name_valid_identifier(const struct bpfvm_btf *btf, uint32_t off)
{
	return name_valid(btf, off, false);
}

bool btf_name_valid_section(const struct bpfvm_btf *btf, uint32_t off)
{
	return name_valid(btf, off, true);
}

/* __btf_name_by_offset: what the log prints for a name */
const char *btf_name_or_anon(const struct bpfvm_btf *btf, uint32_t off)
{
	if (!off)
		return "(anon)";
	if (off < btf->hdr.str_len)
		return btf->strings + off;
	return "(invalid-name-offset)";
}

/* btf_type_id_size as v5.1 has it: a modifier's size is the size recorded
 * for it when it was resolved. (v5.3 recomputes it from the resolved type:
 * see "fix BTF verifier size resolution logic"; a typedef of an array first
 * reached through a pointer keeps size 0 here, as it did in v5.1.) */
const struct btf_type *btf_type_id_size(const struct bpfvm_btf *btf, uint32_t *type_id, uint32_t *ret_size)
{
	uint32_t id = *type_id, size;
	const struct btf_type *t = bpfvm_btf_type_by_id(btf, id);
	if (btf_nosize_or_null(t))
		return NULL;
	if (btf_has_size(t)) {
		size = t->size;
	} else if (btf_is_array(t)) {
		size = btf->resolved_sizes[id];
	} else if (btf_is_ptr(t)) {
		size = 8;
	} else {
		if (!btf_is_modifier(t) && !btf_is_var(t))
			return NULL;
		size = btf->resolved_sizes[id];
		id = btf->resolved_ids[id];
		t = bpfvm_btf_type_by_id(btf, id);
		if (btf_nosize_or_null(t))
			return NULL;
	}
	*type_id = id;
	if (ret_size)
		*ret_size = size;
	return t;
}

/* ---- the log ---------------------------------------------------------------
 * Each call below is one bpf_verifier_vlog() of the kernel: formatted into a
 * 1024-byte buffer, then appended as far as the user's buffer has room. The
 * calls are split exactly where the kernel splits them, so that truncation
 * falls on the same byte. */

bool btf_log_needed(const struct btf_env *env)
{
	const struct bpfvm_log *log = env->log;
	return log && log->level && log->ubuf && !bpfvm_log_full(log);
}

static void vlog(struct btf_env *env, const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	bpfvm_log(env->log, "%s", buf);
}

void btf_log(struct btf_env *env, const char *fmt, ...)
{
	if (!btf_log_needed(env))
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(env, fmt, ap);
	va_end(ap);
}

/* __btf_verifier_log_type; fmt NULL: no message */
static void log_type_v(struct btf_env *env, const struct btf_type *t, bool details, const char *fmt, va_list ap)
{
	if (!btf_log_needed(env))
		return;
	const struct btf_kind_ops *ops = &btf_kind_ops[btf_kind(t)];
	btf_log(env, "[%u] %s %s%s", env->log_type_id, ops->name, btf_name_or_anon(env->btf, t->name_off),
		details ? " " : "");
	if (details)
		ops->log_details(env, t);
	if (fmt && *fmt) {
		btf_log(env, " ");
		vlog(env, fmt, ap);
	}
	btf_log(env, "\n");
}

void btf_log_type(struct btf_env *env, const struct btf_type *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_type_v(env, t, true, fmt, ap);
	va_end(ap);
}

void btf_log_basic(struct btf_env *env, const struct btf_type *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_type_v(env, t, false, fmt, ap);
	va_end(ap);
}

/* btf_verifier_log_type(env, t, NULL): the line the meta pass prints for
 * every type it accepts. (A wrapper so that NULL never meets a printf
 * format attribute.) */
static void log_type_plain_(struct btf_env *env, const struct btf_type *t, ...)
{
	va_list ap;
	va_start(ap, t);
	log_type_v(env, t, true, NULL, ap);
	va_end(ap);
}

void btf_log_type_plain(struct btf_env *env, const struct btf_type *t)
{
	log_type_plain_(env, t);
}

static void log_member_v(struct btf_env *env, const struct btf_type *s, const struct btf_member *m, const char *fmt,
			 va_list ap)
{
	if (!btf_log_needed(env))
		return;
	/* Past the meta pass the member's struct was printed long ago: name
	 * it again before the member. */
	if (env->phase != CHECK_META)
		btf_log_type_plain(env, s);
	const char *name = btf_name_or_anon(env->btf, m->name_off);
	if (btf_kflag(s))
		btf_log(env, "\t%s type_id=%u bitfield_size=%u bits_offset=%u", name, m->type,
			BTF_MEMBER_BITFIELD_SIZE(m->offset), BTF_MEMBER_BIT_OFFSET(m->offset));
	else
		btf_log(env, "\t%s type_id=%u bits_offset=%u", name, m->type, m->offset);
	if (fmt && *fmt) {
		btf_log(env, " ");
		vlog(env, fmt, ap);
	}
	btf_log(env, "\n");
}

void btf_log_member(struct btf_env *env, const struct btf_type *s, const struct btf_member *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_member_v(env, s, m, fmt, ap);
	va_end(ap);
}

static void log_member_plain_(struct btf_env *env, const struct btf_type *s, const struct btf_member *m, ...)
{
	va_list ap;
	va_start(ap, m);
	log_member_v(env, s, m, NULL, ap);
	va_end(ap);
}

void btf_log_member_plain(struct btf_env *env, const struct btf_type *s, const struct btf_member *m)
{
	log_member_plain_(env, s, m);
}

static void log_vsi_v(struct btf_env *env, const struct btf_type *ds, const struct btf_var_secinfo *vsi,
		      const char *fmt, va_list ap)
{
	if (!btf_log_needed(env))
		return;
	if (env->phase != CHECK_META)
		btf_log_type_plain(env, ds);
	btf_log(env, "\t type_id=%u offset=%u size=%u", vsi->type, vsi->offset, vsi->size);
	if (fmt && *fmt) {
		btf_log(env, " ");
		vlog(env, fmt, ap);
	}
	btf_log(env, "\n");
}

void btf_log_vsi(struct btf_env *env, const struct btf_type *ds, const struct btf_var_secinfo *vsi, const char *fmt,
		 ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vsi_v(env, ds, vsi, fmt, ap);
	va_end(ap);
}

static void log_vsi_plain_(struct btf_env *env, const struct btf_type *ds, const struct btf_var_secinfo *vsi, ...)
{
	va_list ap;
	va_start(ap, vsi);
	log_vsi_v(env, ds, vsi, NULL, ap);
	va_end(ap);
}

void btf_log_vsi_plain(struct btf_env *env, const struct btf_type *ds, const struct btf_var_secinfo *vsi)
{
	log_vsi_plain_(env, ds, vsi);
}
