/* The stack of each frame: 512 bytes in 8-byte slots, each holding either
 * a spilled register (pointers keep their type across a spill and fill) or
 * per-byte facts: uninitialized, some data, or zero. Reads of bytes never
 * written are refused, so no program can see stale memory, and accesses
 * must be at constant offsets (the kernel's check_stack_write,
 * check_stack_read and check_stack_boundary of v5.1). */
#include "verifier/env.h"
#include <stdlib.h>
#include <string.h>

/* The frame's slot array covers at least nslots slots. New slots are
 * uninitialized and not linked to any parent state: nothing before could
 * have read them. */
int stack_grow(struct vframe *f, uint32_t nslots)
{
	if (nslots <= f->nslots)
		return 0;
	struct vslot *s = realloc(f->stack, nslots * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, (nslots - f->nslots) * sizeof(*s));
	for (uint32_t i = f->nslots; i < nslots; i++)
		reg_set_not_init(&s[i].spilled);
	f->stack = s;
	f->nslots = nslots;
	return 0;
}

int check_stack_access(struct venv *env, const struct vreg *reg, int64_t off, int size)
{
	/* Constant offsets only: what a read returns depends on the slot. */
	if (!tnum_is_const(reg->var_off)) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), reg->var_off);
		vlog(env, "variable stack access var_off=%s off=%d size=%d\n", tn, (int)(uint32_t)(uint64_t)off, size);
		return -EACCES;
	}
	if (off >= 0 || off < -BPFVM_STACK_SIZE) {
		vlog(env, "invalid stack off=%lld size=%d\n", (long long)off, size);
		return -EACCES;
	}
	return 0;
}

void update_stack_depth(struct venv *env, const struct vframe *f, int off)
{
	uint32_t need = (uint32_t)-off;
	if (env->subprog[f->subprog].stack_depth < need)
		env->subprog[f->subprog].stack_depth = need;
}

/* A store of `size` bytes at fp+off of frame f (off < 0, aligned to size,
 * both checked by the caller), from register value_regno of the current
 * frame or from an immediate (value_regno < 0). */
int check_stack_write(struct venv *env, struct vframe *f, int off, int size, int value_regno)
{
	int slot = -off - 1, spi = slot / V_REG_SIZE;
	int err = stack_grow(f, (uint32_t)spi + 1);
	if (err)
		return err;
	struct vslot *s = &f->stack[spi];
	if (!env->opts.allow_ptr_leaks && s->type[0] == STACK_SPILL && size != V_REG_SIZE) {
		vlog(env, "attempt to corrupt spilled pointer on stack\n");
		return -EACCES;
	}
	struct vframe *cur = cur_frame(env);
	const struct vreg *val = value_regno >= 0 ? &cur->regs[value_regno] : NULL;
	/* 5.3 keeps constants across a spill too (loop counters on the
	 * stack); v5.1 (strict mode) and unprivileged loaders do not */
	bool spill_const = val && size == V_REG_SIZE && reg_is_const(val) && !reg_is_null(val) &&
			   env->opts.allow_ptr_leaks && !env->opts.strict_loops;
	if (val && (type_spillable(val->type) || spill_const)) {
		if (size != V_REG_SIZE) {
			vlog(env, "invalid size of register spill\n");
			return -EACCES;
		}
		/* a pointer into this frame must not outlive it in a caller's */
		if (f != cur && val->type == T_STACK) {
			vlog(env, "cannot spill pointers to stack into stack frame of the caller\n");
			return -EINVAL;
		}
		reg_copy(&s->spilled, val);
		s->spilled.live |= LIVE_WRITTEN;
		memset(s->type, STACK_SPILL, sizeof(s->type));
		return 0;
	}
	uint8_t type = STACK_MISC;
	/* plain data destroys a spilled pointer: its other bytes become data */
	reg_set_not_init(&s->spilled);
	if (s->type[0] == STACK_SPILL)
		memset(s->type, STACK_MISC, sizeof(s->type));
	/* Only a whole-slot write screens reads from parents: a partial one
	 * leaves bytes that may still come from before. */
	if (size == V_REG_SIZE)
		s->spilled.live |= LIVE_WRITTEN;
	if (val && reg_is_null(val))
		type = STACK_ZERO;
	for (int i = 0; i < size; i++)
		s->type[(slot - i) % V_REG_SIZE] = type;
	return 0;
}

/* A load of `size` bytes at fp+off of frame f into value_regno (< 0: the
 * value is not kept, e.g. an atomic's read). */
int check_stack_read(struct venv *env, struct vframe *f, int off, int size, int value_regno)
{
	int slot = -off - 1, spi = slot / V_REG_SIZE;
	struct vreg *regs = cur_regs(env);
	if ((int)f->nslots * V_REG_SIZE <= slot) {
		vlog(env, "invalid read from stack off %d+0 size %d\n", off, size);
		return -EACCES;
	}
	struct vslot *s = &f->stack[spi];
	if (s->type[0] == STACK_SPILL && s->spilled.type == T_SCALAR && size != V_REG_SIZE) {
		/* part of a spilled number: just some data */
		if (value_regno >= 0) {
			reg_set_unknown(&regs[value_regno]);
			regs[value_regno].live |= LIVE_WRITTEN;
		}
		return mark_reg_read(env, &s->spilled, s->spilled.parent);
	}
	if (s->type[0] == STACK_SPILL) {
		if (size != V_REG_SIZE) {
			/* reworded "fill" in 5.3, with the spilling of constants */
			vlog(env, env->opts.v51 ? "invalid size of register spill\n" : "invalid size of register fill\n");
			return -EACCES;
		}
		for (int i = 1; i < V_REG_SIZE; i++) {
			if (s->type[(slot - i) % V_REG_SIZE] != STACK_SPILL) {
				vlog(env, "corrupted spill memory\n");
				return -EACCES;
			}
		}
		if (value_regno >= 0) {
			reg_copy(&regs[value_regno], &s->spilled);
			regs[value_regno].live |= LIVE_WRITTEN;
		}
		return mark_reg_read(env, &s->spilled, s->spilled.parent);
	}
	int zeros = 0;
	for (int i = 0; i < size; i++) {
		uint8_t t = s->type[(slot - i) % V_REG_SIZE];
		if (t == STACK_MISC)
			continue;
		if (t == STACK_ZERO) {
			zeros++;
			continue;
		}
		vlog(env, "invalid read from stack off %d+%d size %d\n", off, i, size);
		return -EACCES;
	}
	int err = mark_reg_read(env, &s->spilled, s->spilled.parent);
	if (err)
		return err;
	if (value_regno >= 0) {
		if (zeros == size)
			reg_set_const(&regs[value_regno], 0);
		else
			reg_set_unknown(&regs[value_regno]);
		regs[value_regno].live |= LIVE_WRITTEN;
	}
	return 0;
}

/* A helper's memory argument on the stack: [reg, reg+size) must be inside
 * the frame and initialized, unless the helper only writes it (raw mode,
 * then the caller marks the bytes written after the call). */
int check_stack_boundary(struct venv *env, int regno, int size, bool zero_ok, struct vcall_meta *meta)
{
	struct vreg *reg = &cur_regs(env)[regno];
	if (reg->type != T_STACK) {
		/* a NULL pointer with a zero size is allowed, whatever its type */
		if (zero_ok && size == 0 && reg_is_null(reg))
			return 0;
		vlog(env, "R%d type=%s expected=%s\n", regno, vtype_str(reg->type), vtype_str(T_STACK));
		return -EACCES;
	}
	struct vframe *f = env->cur->frame[reg->frameno];
	if (!tnum_is_const(reg->var_off)) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), reg->var_off);
		vlog(env, "invalid variable stack read R%d var_off=%s\n", regno, tn);
		return -EACCES;
	}
	int64_t off64 = (int64_t)reg->off + (int64_t)reg->var_off.value;
	if (off64 >= 0 || off64 < -BPFVM_STACK_SIZE || off64 + size > 0 || size < 0 || (size == 0 && !zero_ok)) {
		vlog(env, "invalid stack type R%d off=%lld access_size=%d\n", regno, (long long)off64, size);
		return -EACCES;
	}
	int off = (int)off64;
	if (meta && meta->raw_mode) {
		meta->access_size = size;
		meta->regno = regno;
		return 0;
	}
	for (int i = 0; i < size; i++) {
		int slot = -(off + i) - 1, spi = slot / V_REG_SIZE;
		uint8_t *t = (int)f->nslots * V_REG_SIZE > slot ? &f->stack[spi].type[slot % V_REG_SIZE] : NULL;
		struct vslot *s = t ? &f->stack[spi] : NULL;
		if (s && s->type[0] == STACK_SPILL && s->spilled.type == T_SCALAR) {
			/* a spilled number: the helper may overwrite it */
			reg_set_not_init(&s->spilled);
			memset(s->type, STACK_MISC, sizeof(s->type));
		}
		if (!t || (*t != STACK_MISC && *t != STACK_ZERO)) {
			vlog(env, "invalid indirect read from stack off %d+%d size %d\n", off, i, size);
			return -EACCES;
		}
		/* the helper may write anything where zeros were */
		if (*t == STACK_ZERO)
			*t = STACK_MISC;
		/* any byte read makes the whole slot read */
		int err = mark_reg_read(env, &f->stack[spi].spilled, f->stack[spi].spilled.parent);
		if (err)
			return err;
	}
	update_stack_depth(env, f, off);
	return 0;
}
