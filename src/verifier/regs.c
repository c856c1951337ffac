/* Registers: their initial values, reads and writes (with liveness), and
 * the ALU instructions, including the rules of pointer arithmetic (the
 * kernel's check_reg_arg, check_alu_op, adjust_reg_min_max_vals and
 * adjust_ptr_min_max_vals). */
#include "verifier/env.h"
#include "core/log.h"
#include <string.h>

/* ---- values (the liveness fields live and parent are never touched) ---- */

void reg_set_unknown(struct vreg *r)
{
	r->type = T_SCALAR;
	r->frameno = 0;
	r->range = 0;
	r->off = 0;
	r->map = NULL;
	r->id = 0;
	r->ref_obj_id = 0;
	r->var_off = tnum_unknown();
	reg_mark_unbounded(r);
}

void reg_init_unknown(struct vreg *r)
{
	reg_set_unknown(r);
}

void reg_set_not_init(struct vreg *r)
{
	reg_set_unknown(r);
	r->type = T_NOT_INIT;
}

/* A pointer with no offset at all; the caller sets the type. */
void reg_set_known_zero(struct vreg *r)
{
	uint8_t type = r->type;
	reg_set_unknown(r);
	r->type = type;
	reg_mark_known(r, 0);
}

void reg_set_const(struct vreg *r, uint64_t v)
{
	reg_set_unknown(r);
	reg_mark_known(r, v);
}

/* dst takes src's value but keeps its own place in the liveness chains. */
void reg_copy(struct vreg *dst, const struct vreg *src)
{
	uint8_t live = dst->live;
	struct vreg *parent = dst->parent;
	*dst = *src;
	dst->live = live;
	dst->parent = parent;
}

bool reg_is_null(const struct vreg *r)
{
	return r->type == T_SCALAR && tnum_equals_const(r->var_off, 0);
}

bool reg_is_const(const struct vreg *r)
{
	return r->type == T_SCALAR && tnum_is_const(r->var_off);
}

bool type_is_pkt(int t)
{
	return t == T_PKT || t == T_PKT_META;
}

bool type_is_pkt_any(int t)
{
	return type_is_pkt(t) || t == T_PKT_END;
}

bool type_is_sk(int t)
{
	return t == T_SOCK || t == T_SOCK_COMMON || t == T_TCP_SOCK;
}

bool type_may_be_null(int t)
{
	return t == T_MAP_VALUE_OR_NULL || t == T_SOCK_OR_NULL || t == T_SOCK_COMMON_OR_NULL ||
	       t == T_TCP_SOCK_OR_NULL;
}

/* Types whose register state survives a spill to the stack. */
bool type_spillable(int t)
{
	return t != T_NOT_INIT && t != T_SCALAR && t < T__COUNT;
}

/* __is_pointer_value: for root, pointers may be used as numbers. */
bool is_pointer(struct venv *env, const struct vreg *r)
{
	return !env->opts.allow_ptr_leaks && r->type != T_SCALAR;
}

bool is_pointer_reg(struct venv *env, int regno)
{
	return is_pointer(env, &cur_regs(env)[regno]);
}

/* ---- liveness ---- */

/* The value of `r` (in the current state) was read: every state up the
 * parentage chain whose copy was not overwritten since must keep it
 * (mark_reg_read, with 5.2's stop at an already marked parent). */
int mark_reg_read(struct venv *env, const struct vreg *r, struct vreg *parent)
{
	bool writes = parent == r->parent;
	uint32_t cnt = 0;
	while (parent) {
		if (writes && (r->live & LIVE_WRITTEN))
			break;
		if (parent->live & LIVE_DONE) {
			vlog(env, "verifier BUG type %s var_off %lld off %d\n", vtype_str(parent->type),
			     (long long)parent->var_off.value, parent->off);
			return -EFAULT;
		}
		if (parent->live & LIVE_READ)
			break;
		parent->live |= LIVE_READ;
		r = parent;
		parent = r->parent;
		writes = true;
		cnt++;
	}
	if (env->longest_mark_read < cnt)
		env->longest_mark_read = cnt;
	return 0;
}

int check_reg_arg(struct venv *env, uint32_t regno, enum reg_arg t)
{
	struct vreg *regs = cur_regs(env);
	if (regno >= V_NREGS) {
		vlog(env, "R%u is invalid\n", regno);
		return -EINVAL;
	}
	if (t == SRC_OP) {
		if (regs[regno].type == T_NOT_INIT) {
			vlog(env, "R%u !read_ok\n", regno);
			return -EACCES;
		}
		/* r10 never changes: its liveness does not matter */
		if (regno != BPF_REG_10)
			return mark_reg_read(env, &regs[regno], regs[regno].parent);
		return 0;
	}
	if (regno == BPF_REG_10) {
		vlog(env, "frame pointer is read only\n");
		return -EACCES;
	}
	regs[regno].live |= LIVE_WRITTEN;
	if (t == DST_OP)
		reg_set_unknown(&regs[regno]);
	return 0;
}

/* ---- pointer arithmetic ---- */

/* check_reg_sane_offset: offsets that could overflow later checks. */
static bool sane_offset(struct venv *env, const struct vreg *r, int type)
{
	bool known = tnum_is_const(r->var_off);
	int64_t val = (int64_t)r->var_off.value;
	if (known && (val >= V_MAX_VAR_OFF || val <= -V_MAX_VAR_OFF)) {
		vlog(env, "math between %s pointer and %lld is not allowed\n", vtype_str(type), (long long)val);
		return false;
	}
	if (r->off >= V_MAX_VAR_OFF || r->off <= -V_MAX_VAR_OFF) {
		vlog(env, "%s pointer offset %d is not allowed\n", vtype_str(type), r->off);
		return false;
	}
	if (r->smin == INT64_MIN) {
		vlog(env, "math between %s pointer and register with unbounded min value is not allowed\n",
		     vtype_str(type));
		return false;
	}
	if (r->smin >= V_MAX_VAR_OFF || r->smin <= -V_MAX_VAR_OFF) {
		vlog(env, "value %lld makes %s pointer be out of bounds\n", (long long)r->smin, vtype_str(type));
		return false;
	}
	return true;
}

static bool fits_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static int check_ptr_arith_type(struct venv *env, const struct bpf_insn *insn, const struct vreg *ptr,
				const struct vreg *offr, const struct vreg *dst);
static int ptr_add_sub(struct venv *env, const struct bpf_insn *insn, const struct vreg *pp, const struct vreg *op,
		       bool off_is_dst);

/* ptr = ptr OP scalar (or scalar += ptr): the fixed offset absorbs known
 * constants, the variable part accumulates the rest. */
static int adjust_ptr(struct venv *env, const struct bpf_insn *insn, const struct vreg *ptr,
		      const struct vreg *offr)
{
	struct vreg *dst = &cur_regs(env)[insn->dst_reg];
	bool known = tnum_is_const(offr->var_off);
	const struct vreg p = *ptr, o = *offr;  /* dst may alias either */

	if ((known && (o.smin != o.smax || o.umin != o.umax)) || o.smin > o.smax || o.umin > o.umax) {
		/* bounds from a dead branch: nothing safe can be said */
		reg_set_unknown(dst);
		return 0;
	}
	int err = check_ptr_arith_type(env, insn, &p, offr, dst);
	if (err)
		return err;
	if (!sane_offset(env, &o, p.type) || !sane_offset(env, &p, p.type))
		return -EINVAL;
	return ptr_add_sub(env, insn, &p, &o, offr == dst);
}

/* Which pointers take which arithmetic. */
static int check_ptr_arith_type(struct venv *env, const struct bpf_insn *insn, const struct vreg *ptr,
				const struct vreg *offr, const struct vreg *dst)
{
	bool known = tnum_is_const(offr->var_off);
	if (V_CLASS(insn->code) != BPF_ALU64) {
		vlog(env, "R%d 32-bit pointer arithmetic prohibited\n", insn->dst_reg);
		return -EACCES;
	}
	switch (ptr->type) {
	case T_MAP_VALUE_OR_NULL:
		vlog(env, "R%d pointer arithmetic on %s prohibited, null-check it first\n", insn->dst_reg,
		     vtype_str(ptr->type));
		return -EACCES;
	case T_FLOW_KEYS:
		/* The kernel of 5.1 let a variable offset through here and
		 * then checked only the fixed one; later kernels (and we)
		 * allow constants only. */
		if (known)
			break;
		/* fall through */
	case T_MAP_PTR:
	case T_PKT_END:
	case T_SOCK:
	case T_SOCK_OR_NULL:
	case T_SOCK_COMMON:
	case T_SOCK_COMMON_OR_NULL:
	case T_TCP_SOCK:
	case T_TCP_SOCK_OR_NULL:
		vlog(env, "R%d pointer arithmetic on %s prohibited\n", insn->dst_reg, vtype_str(ptr->type));
		return -EACCES;
	case T_MAP_VALUE:
		if (!env->opts.allow_ptr_leaks && !known && (offr->smin < 0) != (offr->smax < 0)) {
			vlog(env, "R%d has unknown scalar with mixed signed bounds, pointer arithmetic with it "
				  "prohibited for !root\n",
			     offr == dst ? insn->dst_reg : insn->src_reg);
			return -EACCES;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The arithmetic proper: dst = p OP o, dst being either operand's register
 * (off_is_dst: scalar OP= pointer). */
static int ptr_add_sub(struct venv *env, const struct bpf_insn *insn, const struct vreg *pp, const struct vreg *op,
		       bool off_is_dst)
{
	struct vreg *dst = &cur_regs(env)[insn->dst_reg];
	const struct vreg p = *pp, o = *op;
	uint8_t opc = V_OP(insn->code);
	bool known = tnum_is_const(o.var_off);
	int64_t smin_val = o.smin, smax_val = o.smax;
	uint64_t umin_val = o.umin, umax_val = o.umax;
	int64_t smin_ptr = p.smin, smax_ptr = p.smax;
	uint64_t umin_ptr = p.umin, umax_ptr = p.umax;

	/* dst becomes the pointer (for scalar += pointer, dst was the scalar) */
	reg_copy(dst, &p);
	switch (opc) {
	case BPF_ADD:
		if (known && fits_s32((int64_t)p.off + smin_val)) {
			dst->off = (int32_t)((int64_t)p.off + smin_val);
			break;
		}
		if (__builtin_add_overflow(smin_ptr, smin_val, &dst->smin) ||
		    __builtin_add_overflow(smax_ptr, smax_val, &dst->smax)) {
			dst->smin = INT64_MIN;
			dst->smax = INT64_MAX;
		}
		if (umin_ptr + umin_val < umin_ptr || umax_ptr + umax_val < umax_ptr) {
			dst->umin = 0;
			dst->umax = UINT64_MAX;
		} else {
			dst->umin = umin_ptr + umin_val;
			dst->umax = umax_ptr + umax_val;
		}
		dst->var_off = tnum_add(p.var_off, o.var_off);
		reg_mark_unbounded32(dst);
		if (type_is_pkt(p.type)) {
			/* a new variable offset: ranges proven so far are for
			 * other pointers */
			dst->id = ++env->id_gen;
			dst->range = 0;
		}
		break;
	case BPF_SUB:
		if (off_is_dst) {
			vlog(env, "R%d tried to subtract pointer from scalar\n", insn->dst_reg);
			return -EACCES;
		}
		if (p.type == T_STACK) {
			vlog(env, "R%d subtraction from stack pointer prohibited\n", insn->dst_reg);
			return -EACCES;
		}
		if (known && fits_s32((int64_t)p.off - smin_val)) {
			dst->off = (int32_t)((int64_t)p.off - smin_val);
			break;
		}
		if (__builtin_sub_overflow(smin_ptr, smax_val, &dst->smin) ||
		    __builtin_sub_overflow(smax_ptr, smin_val, &dst->smax)) {
			dst->smin = INT64_MIN;
			dst->smax = INT64_MAX;
		}
		if (umin_ptr < umax_val) {
			dst->umin = 0;
			dst->umax = UINT64_MAX;
		} else {
			dst->umin = umin_ptr - umax_val;
			dst->umax = umax_ptr - umin_val;
		}
		dst->var_off = tnum_sub(p.var_off, o.var_off);
		reg_mark_unbounded32(dst);
		if (type_is_pkt(p.type)) {
			dst->id = ++env->id_gen;
			if (smin_val < 0)
				dst->range = 0;
		}
		break;
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		vlog(env, "R%d bitwise operator %s on pointer prohibited\n", insn->dst_reg, valu_str[opc >> 4]);
		return -EACCES;
	default:
		vlog(env, "R%d pointer arithmetic with %s operator prohibited\n", insn->dst_reg, valu_str[opc >> 4]);
		return -EACCES;
	}

	if (!sane_offset(env, dst, p.type))
		return -EINVAL;
	reg_bounds_sync(dst);

	if (!env->opts.allow_ptr_leaks) {
		if (dst->type == T_MAP_VALUE && check_map_access(env, insn->dst_reg, dst->off, 1, false)) {
			vlog(env, "R%d pointer arithmetic of map value goes out of range, prohibited for !root\n",
			     insn->dst_reg);
			return -EACCES;
		}
		if (dst->type == T_STACK &&
		    check_stack_access(env, dst, (int64_t)dst->off + (int64_t)dst->var_off.value, 1)) {
			vlog(env, "R%d stack pointer arithmetic goes out of range, prohibited for !root\n",
			     insn->dst_reg);
			return -EACCES;
		}
	}
	return 0;
}

/* adjust_reg_min_max_vals: dispatches pointer and scalar arithmetic. */
static int adjust_reg(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	struct vreg *dst = &regs[insn->dst_reg];
	struct vreg *ptr = dst->type != T_SCALAR ? dst : NULL;
	struct vreg imm;
	const struct vreg *src;
	uint8_t op = V_OP(insn->code);

	if (V_SRC(insn->code) == BPF_X) {
		struct vreg *s = &regs[insn->src_reg];
		if (s->type != T_SCALAR) {
			if (dst->type != T_SCALAR) {
				/* two pointers: only their difference, as a
				 * number, and only for root */
				if (op == BPF_SUB && env->opts.allow_ptr_leaks) {
					reg_set_unknown(dst);
					return 0;
				}
				vlog(env, "R%d pointer %s pointer prohibited\n", insn->dst_reg, valu_str[op >> 4]);
				return -EACCES;
			}
			/* scalar += pointer: the offset must be exact */
			int err = mark_chain_precision(env, insn->dst_reg);
			return err ? err : adjust_ptr(env, insn, s, dst);
		}
		if (ptr) {
			/* pointer += scalar */
			int err = mark_chain_precision(env, insn->src_reg);
			return err ? err : adjust_ptr(env, insn, dst, s);
		}
		src = s;
	} else {
		memset(&imm, 0, sizeof(imm));
		reg_set_const(&imm, (uint64_t)(int64_t)insn->imm);
		if (ptr)
			return adjust_ptr(env, insn, dst, &imm);
		src = &imm;
	}
	struct vreg s = *src;
	if (op == BPF_XOR && env->opts.v51) {
		/* v5.1 tracked no range through xor */
		struct vreg k;
		memset(&k, 0, sizeof(k));
		reg_set_const(&k, 0);
		scalar_alu(dst, &k, BPF_DIV, V_CLASS(insn->code) == BPF_ALU);
		return 0;
	}
	scalar_alu(dst, &s, op, V_CLASS(insn->code) == BPF_ALU);
	return 0;
}

/* The value an ALU op computes on constants, as the interpreter does: for
 * NEG and END, whose results the verifier otherwise does not track. */
static uint64_t unary_const(const struct bpf_insn *insn, uint64_t v)
{
	bool alu32 = V_CLASS(insn->code) == BPF_ALU;
	if (V_OP(insn->code) == BPF_NEG)
		return alu32 ? (uint32_t)(0u - (uint32_t)v) : 0 - v;
	bool swap = V_SRC(insn->code) || V_CLASS(insn->code) == BPF_ALU64;     /* to_be, bswap */
	switch (insn->imm) {
	case 16:
		return swap ? __builtin_bswap16((uint16_t)v) : (uint16_t)v;
	case 32:
		return swap ? __builtin_bswap32((uint32_t)v) : (uint32_t)v;
	default:
		return swap ? __builtin_bswap64(v) : v;
	}
}

static int check_neg_end(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	int err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	if (is_pointer_reg(env, insn->dst_reg)) {
		vlog(env, "R%d pointer arithmetic prohibited\n", insn->dst_reg);
		return -EACCES;
	}
	struct vreg old = regs[insn->dst_reg];
	if ((err = check_reg_arg(env, insn->dst_reg, DST_OP)))
		return err;
	struct vreg *dst = &regs[insn->dst_reg];
	if (old.type == T_SCALAR && tnum_is_const(old.var_off)) {
		reg_mark_known(dst, unary_const(insn, old.var_off.value));
	} else if (V_OP(insn->code) == BPF_END) {
		if (insn->imm < 64)
			reg_coerce(dst, insn->imm / 8);
	} else if (V_CLASS(insn->code) == BPF_ALU) {
		reg_coerce(dst, 4);     /* neg of the low half, zero-extended */
	}
	return 0;
}

static int check_mov(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	bool alu64 = V_CLASS(insn->code) == BPF_ALU64;
	int err;
	if (V_SRC(insn->code) == BPF_X && (err = check_reg_arg(env, insn->src_reg, SRC_OP)))
		return err;
	if ((err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK)))
		return err;
	struct vreg *dst = &regs[insn->dst_reg];
	if (V_SRC(insn->code) == BPF_K) {
		reg_set_const(dst, alu64 ? (uint64_t)(int64_t)insn->imm : (uint32_t)insn->imm);
		return 0;
	}
	const struct vreg *src = &regs[insn->src_reg];
	int sx = insn->off;     /* cpu v4 movsx: 8, 16 or 32 */
	if (alu64 && !sx) {
		reg_copy(dst, src);
		dst->live |= LIVE_WRITTEN;
		return 0;
	}
	if (src->type != T_SCALAR) {
		if (!env->opts.allow_ptr_leaks) {
			vlog(env, "R%d %s of pointer\n", insn->src_reg,
			     sx ? "sign-extension part" : "partial copy");
			return -EACCES;
		}
		reg_set_unknown(dst);
	} else {
		reg_copy(dst, src);
		dst->live |= LIVE_WRITTEN;
		dst->id = 0;
	}
	if (sx)
		reg_sext_bounds(dst, sx);
	if (!alu64)
		reg_coerce(dst, 4);
	return 0;
}

int check_alu_op(struct venv *env, const struct bpf_insn *insn)
{
	uint8_t op = V_OP(insn->code);
	int err;
	if (env->opts.v51 && insn->off && op != BPF_NEG && op != BPF_END) {
		/* sdiv, smod, movsx (cpu v4) are reserved fields to v5.1 */
		vlog(env, "%s uses reserved fields\n", op == BPF_MOV ? "BPF_MOV" : "BPF_ALU");
		return -EINVAL;
	}
	if (op == BPF_NEG || op == BPF_END)
		return check_neg_end(env, insn);
	if (op == BPF_MOV)
		return check_mov(env, insn);
	if (op > BPF_END) {
		vlog(env, "invalid BPF_ALU opcode %x\n", op);
		return -EINVAL;
	}
	if (V_SRC(insn->code) == BPF_X && (err = check_reg_arg(env, insn->src_reg, SRC_OP)))
		return err;
	if ((err = check_reg_arg(env, insn->dst_reg, SRC_OP)))
		return err;
	if ((op == BPF_MOD || op == BPF_DIV) && V_SRC(insn->code) == BPF_K && insn->imm == 0) {
		vlog(env, "div by zero\n");
		return -EINVAL;
	}
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && V_SRC(insn->code) == BPF_K) {
		int size = V_CLASS(insn->code) == BPF_ALU64 ? 64 : 32;
		if (insn->imm < 0 || insn->imm >= size) {
			vlog(env, "invalid shift %d\n", insn->imm);
			return -EINVAL;
		}
	}
	if ((err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK)))
		return err;
	if ((op == BPF_DIV || op == BPF_MOD) && insn->off) {
		/* cpu v4 signed division: only scalars, result unknown */
		struct vreg *regs = cur_regs(env);
		if (regs[insn->dst_reg].type != T_SCALAR ||
		    (V_SRC(insn->code) == BPF_X && regs[insn->src_reg].type != T_SCALAR)) {
			vlog(env, "R%d pointer arithmetic with %s operator prohibited\n", insn->dst_reg,
			     valu_str[op >> 4]);
			return -EACCES;
		}
		struct vreg *dst = &regs[insn->dst_reg];
		dst->var_off = tnum_unknown();
		reg_mark_unbounded(dst);
		if (V_CLASS(insn->code) == BPF_ALU)
			reg_zext32(dst);
		reg_bounds_sync(dst);
		return 0;
	}
	return adjust_reg(env, insn);
}
