/* Loads and stores: every access through a register is checked against
 * what the register points to (the kernel's check_mem_access and its
 * per-type checks of v5.1): the context through the program type's field
 * table, the stack (stack.c), map values against value_size, packets
 * against the range proven by comparisons with data_end, flow keys and
 * sockets against their structs. Anything else is refused. */
#include "verifier/env.h"
#include "core/prog.h"
#include "maps/map.h"
#include "progs/progs.h"
#include <stddef.h>

/* ---- alignment (check_ptr_alignment) ---- */

static int check_generic_alignment(struct venv *env, const struct vreg *reg, const char *desc, int off, int size,
				   bool strict)
{
	if (!strict || size == 1)
		return 0;
	struct tnum t = tnum_add(reg->var_off, tnum_const((uint64_t)(int64_t)reg->off + (uint64_t)(int64_t)off));
	if (!tnum_is_aligned(t, (uint64_t)size)) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), reg->var_off);
		vlog(env, "misaligned %saccess off %s+%d+%d size %d\n", desc, tn, reg->off, off, size);
		return -EACCES;
	}
	return 0;
}

static int check_pkt_alignment(struct venv *env, const struct vreg *reg, int off, int size, bool strict)
{
	if (!strict || size == 1)
		return 0;
	/* strict mode emulates NET_IP_ALIGN == 2: the IP header is 4-aligned */
	const int ip_align = 2;
	struct tnum t = tnum_add(reg->var_off, tnum_const((uint64_t)(int64_t)(ip_align + reg->off + off)));
	if (!tnum_is_aligned(t, (uint64_t)size)) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), reg->var_off);
		vlog(env, "misaligned packet access off %d+%s+%d+%d size %d\n", ip_align, tn, reg->off, off, size);
		return -EACCES;
	}
	return 0;
}

/* By default (x86-64 and arm64 handle unaligned accesses) only stack
 * accesses must be aligned: the spill tracking relies on it. */
static int check_ptr_alignment(struct venv *env, const struct vreg *reg, int off, int size, bool strict_once)
{
	bool strict = env->strict_alignment || strict_once;
	const char *desc = "";
	switch (reg->type) {
	case T_PKT:
	case T_PKT_META:
		return check_pkt_alignment(env, reg, off, size, strict);
	case T_FLOW_KEYS: desc = "flow keys "; break;
	case T_MAP_VALUE: desc = "value "; break;
	case T_CTX: desc = "context "; break;
	case T_STACK: desc = "stack "; strict = true; break;
	case T_SOCK: desc = "sock "; break;
	case T_SOCK_COMMON: desc = "sock_common "; break;
	case T_TCP_SOCK: desc = "tcp_sock "; break;
	default: break;
	}
	return check_generic_alignment(env, reg, desc, off, size, strict);
}

/* ---- context ---- */

static int ctx_reg_type(uint8_t r)
{
	switch (r) {
	case CTX_REG_PKT: return T_PKT;
	case CTX_REG_PKT_END: return T_PKT_END;
	case CTX_REG_PKT_META: return T_PKT_META;
	case CTX_REG_FLOW_KEYS: return T_FLOW_KEYS;
	case CTX_REG_SOCK_COMMON_OR_NULL: return T_SOCK_COMMON_OR_NULL;
	case CTX_REG_SOCKET: return T_SOCK;
	default: return T_SCALAR;
	}
}

/* check_ctx_access: the type's field table decides (its is_valid_access,
 * as progs/ writes it down). */
static int check_ctx_access(struct venv *env, uint32_t insn_idx, int off, int size, bool write, int *reg_type)
{
	enum bpfvm_ctx_reg reg = CTX_REG_SCALAR;
	const struct bpfvm_ctx_field *f = NULL;
	if (off < 0 || bpfvm_ctx_access(env->type, env->prog->expected_attach_type, (uint32_t)off, (uint32_t)size,
					write, &reg, &f) < 0) {
		vlog(env, "invalid bpf_context access off=%d size=%d\n", off, size);
		return -EACCES;
	}
	*reg_type = ctx_reg_type((uint8_t)reg);
	env->aux[insn_idx].ctx_narrow = f && size < f->size;
	return 0;
}

int check_ctx_reg(struct venv *env, const struct vreg *reg, int regno)
{
	/* only the context as the program got it may be used */
	if (reg->off) {
		vlog(env, "dereference of modified ctx ptr R%d off=%d disallowed\n", regno, reg->off);
		return -EACCES;
	}
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), reg->var_off);
		vlog(env, "variable ctx access var_off=%s disallowed\n", tn);
		return -EACCES;
	}
	return 0;
}

/* ---- map values ---- */

static int map_access_range(struct venv *env, const struct bpfvm_map *map, int64_t off, int size, bool zero_ok)
{
	if (off < 0 || size < 0 || (size == 0 && !zero_ok) || off > (int64_t)map->value_size ||
	    off + size > (int64_t)map->value_size) {
		vlog(env, "invalid access to map value, value_size=%u off=%lld size=%d\n", map->value_size,
		     (long long)off, size);
		return -EACCES;
	}
	return 0;
}

/* [reg + off, reg + off + size) inside the value for every offset the
 * register may have. */
int check_map_access(struct venv *env, uint32_t regno, int off, int size, bool zero_ok)
{
	struct vframe *f = cur_frame(env);
	const struct vreg *reg = &f->regs[regno];
	const struct bpfvm_map *map = reg->map;
	int err;
	if (env->log_level & 3)
		vprint_state(env, f);
	if (reg->smin < 0 && (reg->smin < -(1ll << 40) || reg->smin + off < INT32_MIN || reg->smin + off > INT32_MAX ||
			      reg->smin + off < 0)) {
		vlog(env, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n",
		     regno);
		return -EACCES;
	}
	int64_t lo;
	if (__builtin_add_overflow(reg->smin, (int64_t)off, &lo))
		lo = INT64_MAX;
	if ((err = map_access_range(env, map, lo, size, zero_ok))) {
		vlog(env, "R%u min value is outside of the array range\n", regno);
		return err;
	}
	if (reg->umax >= V_MAX_VAR_OFF) {
		vlog(env, "R%u unbounded memory access, make sure to bounds check any array access into a map\n",
		     regno);
		return -EACCES;
	}
	if ((err = map_access_range(env, map, (int64_t)reg->umax + off, size, zero_ok))) {
		vlog(env, "R%u max value is outside of the array range\n", regno);
		return err;
	}
	if (map->spin_lock_off >= 0) {
		int64_t lock = map->spin_lock_off;
		if (reg->smin + off < lock + (int64_t)sizeof(struct bpf_spin_lock) &&
		    lock < (int64_t)reg->umax + off + size) {
			vlog(env, "bpf_spin_lock cannot be accessed directly by load/store\n");
			return -EACCES;
		}
	}
	return 0;
}

/* ---- packets ---- */

int check_packet_access(struct venv *env, uint32_t regno, int off, int size, bool zero_ok)
{
	const struct vreg *reg = &cur_regs(env)[regno];
	/* The range counts from the variable offset on; the variable part
	 * itself was bounded (< 64k, >= 0) when the range was proven. */
	if (reg->smin < 0) {
		vlog(env, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n",
		     regno);
		return -EACCES;
	}
	if (off < 0 || size < 0 || (size == 0 && !zero_ok) || (uint64_t)(int64_t)off + (uint64_t)size > reg->range) {
		vlog(env, "invalid access to packet, off=%d size=%d, R%u(id=%u,off=%d,r=%u)\n", off, size, regno,
		     reg->id, reg->off, reg->range);
		vlog(env, "R%u offset is outside of the packet\n", regno);
		return -EACCES;
	}
	return 0;
}

/* may_access_direct_pkt_data: which types may read or write packets. */
bool may_access_pkt(struct venv *env, const struct vcall_meta *meta, bool write)
{
	switch (env->prog_type) {
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_SK_REUSEPORT:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
	case BPF_PROG_TYPE_CGROUP_SKB:
		if (write)
			return false;
		/* fall through */
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_SK_SKB:
	case BPF_PROG_TYPE_SK_MSG:
		return meta ? meta->pkt_access : true;
	default:
		return false;
	}
}

/* ---- flow keys and sockets ---- */

static int check_flow_keys_access(struct venv *env, const struct vreg *reg, int off, int size)
{
	if (size < 0 || off < 0 || !tnum_equals_const(reg->var_off, 0) || (uint64_t)off + (uint64_t)size > sizeof(struct bpf_flow_keys)) {
		vlog(env, "invalid access to flow keys off=%d size=%d\n", off, size);
		return -EACCES;
	}
	return 0;
}

static int check_sock_access(struct venv *env, uint32_t regno, int off, int size, bool write)
{
	const struct vreg *reg = &cur_regs(env)[regno];
	if (reg->smin < 0) {
		vlog(env, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n",
		     regno);
		return -EACCES;
	}
	const struct bpfvm_ctx_field *fields = reg->type == T_SOCK ? bpfvm_sock_fields
					       : reg->type == T_SOCK_COMMON ? bpfvm_sock_common_fields
									    : bpfvm_tcp_sock_fields;
	uint32_t n = reg->type == T_SOCK ? bpfvm_sock_fields_count
		   : reg->type == T_SOCK_COMMON ? bpfvm_sock_common_fields_count
						: bpfvm_tcp_sock_fields_count;
	/* no arithmetic on sockets reaches here; the offset is insn + fixed */
	if (off >= 0 && tnum_equals_const(reg->var_off, 0) &&
	    bpfvm_ctx_fields_access(fields, n, (uint32_t)off, (uint32_t)size, write, NULL, NULL) == 0)
		return 0;
	vlog(env, "R%u invalid %s access off=%d size=%d\n", regno, vtype_str(reg->type), off, size);
	return -EACCES;
}

/* ---- the dispatcher ---- */

int check_mem_access(struct venv *env, uint32_t insn_idx, uint32_t regno, int off, int bpf_size, bool write,
		     int value_regno, bool strict_once, bool sign_ext)
{
	struct vreg *regs = cur_regs(env);
	struct vreg *reg = &regs[regno];
	int size = size_bytes(bpf_size);
	int err = check_ptr_alignment(env, reg, off, size, strict_once);
	if (err)
		return err;
	/* for the checks, the register's fixed offset is part of off */
	int64_t off64 = (int64_t)off + reg->off;
	if (off64 < INT32_MIN || off64 > INT32_MAX) {
		vlog(env, "R%u invalid mem access '%s'\n", regno, vtype_str(reg->type));
		return -EACCES;
	}
	off = (int)off64;
	bool value_ptr = write && value_regno >= 0 && is_pointer_reg(env, value_regno);

	switch (reg->type) {
	case T_MAP_VALUE:
		if (value_ptr) {
			vlog(env, "R%d leaks addr into map\n", value_regno);
			return -EACCES;
		}
		err = check_map_access(env, regno, off, size, false);
		if (!err && !write && value_regno >= 0)
			reg_set_unknown(&regs[value_regno]);
		break;
	case T_CTX: {
		int type = T_SCALAR;
		if (value_ptr) {
			vlog(env, "R%d leaks addr into ctx\n", value_regno);
			return -EACCES;
		}
		if ((err = check_ctx_reg(env, reg, (int)regno)))
			return err;
		if (sign_ext) {
			vlog(env, "invalid bpf_context access off=%d size=%d\n", off, size);
			return -EACCES;
		}
		err = check_ctx_access(env, insn_idx, off, size, write, &type);
		if (!err && !write && value_regno >= 0) {
			struct vreg *v = &regs[value_regno];
			if (type == T_SCALAR) {
				reg_set_unknown(v);
			} else {
				v->type = (uint8_t)type;
				reg_set_known_zero(v);
				/* a pointer that may be NULL gets an id, so that
				 * a NULL check marks all its copies */
				if (type_may_be_null(type))
					v->id = ++env->id_gen;
			}
		}
		break;
	}
	case T_STACK: {
		int64_t soff = (int64_t)off + (int64_t)reg->var_off.value;
		/* precision backtracking follows slots named through r10 only */
		if (regno != BPF_REG_10)
			env->aux[insn_idx].stack_nonfp = 1;
		if ((err = check_stack_access(env, reg, soff, size)))
			return err;
		off = (int)soff;
		struct vframe *f = env->cur->frame[reg->frameno];
		update_stack_depth(env, f, off);
		err = write ? check_stack_write(env, f, off, size, value_regno)
			    : check_stack_read(env, f, off, size, value_regno);
		break;
	}
	case T_PKT:
	case T_PKT_META:
		if (write && !may_access_pkt(env, NULL, true)) {
			vlog(env, "cannot write into packet\n");
			return -EACCES;
		}
		if (value_ptr) {
			vlog(env, "R%d leaks addr into packet\n", value_regno);
			return -EACCES;
		}
		err = check_packet_access(env, regno, off, size, false);
		if (!err && !write && value_regno >= 0)
			reg_set_unknown(&regs[value_regno]);
		break;
	case T_FLOW_KEYS:
		if (value_ptr) {
			vlog(env, "R%d leaks addr into flow keys\n", value_regno);
			return -EACCES;
		}
		err = check_flow_keys_access(env, reg, off, size);
		if (!err && !write && value_regno >= 0)
			reg_set_unknown(&regs[value_regno]);
		break;
	case T_SOCK:
	case T_SOCK_COMMON:
	case T_TCP_SOCK:
		if (write) {
			vlog(env, "R%u cannot write into %s\n", regno, vtype_str(reg->type));
			return -EACCES;
		}
		if (sign_ext) {
			vlog(env, "R%u invalid %s access off=%d size=%d\n", regno, vtype_str(reg->type), off, size);
			return -EACCES;
		}
		err = check_sock_access(env, regno, off, size, write);
		if (!err && value_regno >= 0)
			reg_set_unknown(&regs[value_regno]);
		break;
	default:
		vlog(env, "R%u invalid mem access '%s'\n", regno, vtype_str(reg->type));
		return -EACCES;
	}
	if (!err && !write && value_regno >= 0 && regs[value_regno].type == T_SCALAR) {
		/* narrow loads zero-extend (or sign-extend, cpu v4) */
		if (sign_ext)
			reg_sext_bounds(&regs[value_regno], size * 8);
		else if (size < V_REG_SIZE)
			reg_coerce(&regs[value_regno], size);
	}
	return err;
}

/* A helper's memory argument (check_helper_mem_access). */
int check_helper_mem_access(struct venv *env, int regno, int size, bool zero_ok, struct vcall_meta *meta)
{
	struct vreg *reg = &cur_regs(env)[regno];
	switch (reg->type) {
	case T_PKT:
	case T_PKT_META:
		return check_packet_access(env, (uint32_t)regno, reg->off, size, zero_ok);
	case T_MAP_VALUE:
		return check_map_access(env, (uint32_t)regno, reg->off, size, zero_ok);
	default:
		return check_stack_boundary(env, regno, size, zero_ok, meta);
	}
}

/* ---- the load/store instructions ---- */

/* "same insn cannot be used with different pointers": an instruction
 * rewritten for one pointer type (context, sockets) must never see another. */
static int record_ptr_type(struct venv *env, uint32_t idx, int type)
{
	uint8_t *prev = &env->aux[idx].ptr_type;
	bool special_prev = *prev == T_CTX || (*prev >= T_SOCK && *prev <= T_TCP_SOCK_OR_NULL);
	bool special_cur = type == T_CTX || (type >= T_SOCK && type <= T_TCP_SOCK_OR_NULL);
	if (*prev == T_NOT_INIT) {
		*prev = (uint8_t)type;
	} else if (*prev != type && (special_prev || special_cur)) {
		vlog(env, "same insn cannot be used with different pointers\n");
		return -EINVAL;
	}
	return 0;
}

int check_ldx(struct venv *env, const struct bpf_insn *insn)
{
	int err;
	if ((err = check_reg_arg(env, insn->src_reg, SRC_OP)) || (err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK)))
		return err;
	int src_type = cur_regs(env)[insn->src_reg].type;
	bool sx = V_MODE(insn->code) == 0x80;       /* BPF_MEMSX, cpu v4 */
	if ((err = check_mem_access(env, env->insn_idx, insn->src_reg, insn->off, V_SIZE(insn->code), false,
				    insn->dst_reg, false, sx)))
		return err;
	return record_ptr_type(env, env->insn_idx, src_type);
}

int check_stx(struct venv *env, const struct bpf_insn *insn)
{
	int err;
	if ((err = check_reg_arg(env, insn->src_reg, SRC_OP)) || (err = check_reg_arg(env, insn->dst_reg, SRC_OP)))
		return err;
	int dst_type = cur_regs(env)[insn->dst_reg].type;
	if ((err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, V_SIZE(insn->code), true,
				    insn->src_reg, false, false)))
		return err;
	return record_ptr_type(env, env->insn_idx, dst_type);
}

int check_st(struct venv *env, const struct bpf_insn *insn)
{
	int err;
	if ((err = check_reg_arg(env, insn->dst_reg, SRC_OP)))
		return err;
	const struct vreg *dst = &cur_regs(env)[insn->dst_reg];
	if (dst->type == T_CTX) {
		vlog(env, "BPF_ST stores into R%d %s is not allowed\n", insn->dst_reg, vtype_str(dst->type));
		return -EACCES;
	}
	int dst_type = dst->type;
	if ((err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, V_SIZE(insn->code), true, -1, false,
				    false)))
		return err;
	return record_ptr_type(env, env->insn_idx, dst_type);
}

/* XADD (v5.1) and the atomics of 5.12: read and write the same memory,
 * aligned; the fetching forms load the old value into a register. */
int check_atomic(struct venv *env, const struct bpf_insn *insn)
{
	int err;
	bool plain_xadd = insn->imm == 0;
	/* every atomic, xadd included, is "BPF_ATOMIC" since 5.12 */
	const char *name = env->opts.v51 ? "BPF_XADD" : "BPF_ATOMIC";
	if ((V_SIZE(insn->code) != BPF_W && V_SIZE(insn->code) != BPF_DW) || (env->opts.v51 && !plain_xadd)) {
		vlog(env, "%s uses reserved fields\n", name);
		return -EINVAL;
	}
	if ((err = check_reg_arg(env, insn->src_reg, SRC_OP)) || (err = check_reg_arg(env, insn->dst_reg, SRC_OP)))
		return err;
	if (insn->imm == V_CMPXCHG && (err = check_reg_arg(env, BPF_REG_0, SRC_OP)))
		return err;
	if (is_pointer_reg(env, insn->src_reg)) {
		vlog(env, "R%d leaks addr into mem\n", insn->src_reg);
		return -EACCES;
	}
	if (insn->imm == V_CMPXCHG && is_pointer_reg(env, BPF_REG_0)) {
		vlog(env, "R0 leaks addr into mem\n");
		return -EACCES;
	}
	const struct vreg *dst = &cur_regs(env)[insn->dst_reg];
	if (dst->type == T_CTX || type_is_pkt(dst->type) || dst->type == T_FLOW_KEYS || type_is_sk(dst->type)) {
		vlog(env, "%s stores into R%d %s is not allowed\n", name, insn->dst_reg, vtype_str(dst->type));
		return -EACCES;
	}
	int load_reg = -1;
	if (insn->imm & BPF_FETCH)
		load_reg = insn->imm == V_CMPXCHG ? BPF_REG_0 : insn->src_reg;
	if (load_reg >= 0 && (err = check_reg_arg(env, (uint32_t)load_reg, DST_OP_NO_MARK)))
		return err;
	if ((err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, V_SIZE(insn->code), false, load_reg,
				    true, false)))
		return err;
	return check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, V_SIZE(insn->code), true, -1, true, false);
}
