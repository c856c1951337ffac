/* Verifier states: copies, the stack of branches still to explore, and
 * pruning. At pruning points (cfg.c) the current state is compared with
 * the states already explored there; if one of them is "at least as
 * general" for everything its continuation read, the current path is safe
 * for the same reasons and is not walked again (is_state_visited,
 * states_equal). Liveness makes this linear on long chains of diamonds: a
 * register a finished continuation never read does not have to match.
 *
 * Bounded loops (5.3): a state is only used for pruning once every path
 * below it is finished (branches == 0), so its read marks are final; a
 * state still being explored that the current one falls inside means the
 * program can loop without progress: "infinite loop detected". */
#include "verifier/env.h"
#include "core/log.h"
#include "maps/map.h"
#include <stdlib.h>
#include <string.h>

/* ---- frames and states ---- */

struct vframe *frame_new(int32_t callsite, uint32_t frameno, uint32_t subprog)
{
	struct vframe *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	for (int i = 0; i < V_NREGS; i++)
		reg_set_not_init(&f->regs[i]);
	struct vreg *fp = &f->regs[BPF_REG_10];
	fp->type = T_STACK;
	reg_set_known_zero(fp);
	fp->frameno = (uint8_t)frameno;
	f->callsite = callsite;
	f->frameno = frameno;
	f->subprog = subprog;
	return f;
}

void frame_free(struct vframe *f)
{
	if (!f)
		return;
	free(f->stack);
	free(f->refs);
	free(f);
}

static struct vframe *frame_dup(const struct vframe *src)
{
	struct vframe *f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	*f = *src;
	f->stack = NULL;
	f->refs = NULL;
	if (src->nslots) {
		f->stack = malloc(src->nslots * sizeof(*f->stack));
		if (!f->stack)
			goto fail;
		memcpy(f->stack, src->stack, src->nslots * sizeof(*f->stack));
	}
	if (src->nrefs) {
		f->refs = malloc(src->nrefs * sizeof(*f->refs));
		if (!f->refs)
			goto fail;
		memcpy(f->refs, src->refs, src->nrefs * sizeof(*f->refs));
	}
	return f;
fail:
	frame_free(f);
	return NULL;
}

void state_free(struct vstate *st)
{
	for (uint32_t i = 0; i < BPFVM_MAX_CALL_FRAMES; i++) {
		frame_free(st->frame[i]);
		st->frame[i] = NULL;
	}
	free(st->hist);
	st->hist = NULL;
	st->nhist = st->hist_cap = 0;
}

/* dst must hold no frames. */
int state_copy(struct vstate *dst, const struct vstate *src)
{
	*dst = *src;
	memset(dst->frame, 0, sizeof(dst->frame));
	dst->hist = NULL;
	dst->hist_cap = 0;
	if (src->nhist) {
		if (!(dst->hist = malloc(src->nhist * sizeof(*dst->hist))))
			return -ENOMEM;
		memcpy(dst->hist, src->hist, src->nhist * sizeof(*dst->hist));
		dst->hist_cap = src->nhist;
	}
	for (uint32_t i = 0; i <= src->curframe; i++) {
		if (!(dst->frame[i] = frame_dup(src->frame[i]))) {
			state_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- branches to explore ---- */

struct vstate *push_stack(struct venv *env, uint32_t insn, uint32_t prev_insn)
{
	struct vpending *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (state_copy(&p->st, env->cur) < 0) {
		free(p);
		return NULL;
	}
	p->insn = insn;
	p->prev_insn = prev_insn;
	p->next = env->pending;
	env->pending = p;
	if (++env->npending > (env->opts.v51 ? V_STACK_LIMIT_V51 : V_JMP_SEQ_LIMIT)) {
		if (env->opts.v51)
			vlog(env, "BPF program is too complex\n");
		else
			vlog(env, "The sequence of %u jumps is too complex.\n", env->npending);
		return NULL;
	}
	if (p->st.parent)
		p->st.parent->branches++;
	return &p->st;
}

int pop_stack(struct venv *env, uint32_t *prev_insn, uint32_t *insn)
{
	struct vpending *p = env->pending;
	if (!p)
		return -ENOENT;
	state_free(env->cur);
	*env->cur = p->st;
	if (prev_insn)
		*prev_insn = p->prev_insn;
	if (insn)
		*insn = p->insn;
	env->pending = p->next;
	env->npending--;
	free(p);
	return 0;
}

/* A finished explored state: its read marks are final. Registers and slots
 * nobody read are forgotten (cleaner comparisons, clean_func_state). */
static void clean_state(struct vstate *st)
{
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct vframe *f = st->frame[i];
		for (int r = 0; r < BPF_REG_10; r++) {
			if (!(f->regs[r].live & LIVE_READ))
				reg_set_not_init(&f->regs[r]);
			f->regs[r].live |= LIVE_DONE;
		}
		for (uint32_t k = 0; k < f->nslots; k++) {
			struct vslot *s = &f->stack[k];
			if (!(s->spilled.live & LIVE_READ)) {
				reg_set_not_init(&s->spilled);
				memset(s->type, STACK_INVALID, sizeof(s->type));
			}
			s->spilled.live |= LIVE_DONE;
		}
	}
}

/* A path ended (exit, or pruned): its ancestors have one path fewer to
 * explore; those with none left are finished. */
void update_branch_counts(struct venv *env, struct vstate *st)
{
	while (st) {
		if (st->branches == 0)
			break;          /* cannot happen; be safe */
		if (--st->branches)
			break;
		if (st != env->cur)
			clean_state(st);
		st = st->parent;
	}
}

/* ---- equivalence ---- */

#define IDMAP_SIZE ((V_NREGS + V_MAX_SLOTS) * BPFVM_MAX_CALL_FRAMES + V_MAX_REFS + 1)
struct idmap {
	uint32_t n;
	struct { uint32_t old, cur; } m[IDMAP_SIZE];
};

/* ids of the old state must map to ids of the current one consistently:
 * two pointers that were one object (same id) must still be one. */
static bool check_ids(struct idmap *map, uint32_t old, uint32_t cur)
{
	for (uint32_t i = 0; i < map->n; i++)
		if (map->m[i].old == old)
			return map->m[i].cur == cur;
	if (map->n >= IDMAP_SIZE)
		return false;
	map->m[map->n].old = old;
	map->m[map->n].cur = cur;
	map->n++;
	return true;
}

static bool bounds_equal(const struct vreg *a, const struct vreg *b)
{
	return a->var_off.value == b->var_off.value && a->var_off.mask == b->var_off.mask && a->smin == b->smin &&
	       a->smax == b->smax && a->umin == b->umin && a->umax == b->umax && a->s32min == b->s32min &&
	       a->s32max == b->s32max && a->u32min == b->u32min && a->u32max == b->u32max;
}

/* Everything but the ids. */
static bool same_but_ids(const struct vreg *a, const struct vreg *b)
{
	return a->type == b->type && a->frameno == b->frameno && a->range == b->range && a->off == b->off &&
	       a->map == b->map && bounds_equal(a, b);
}

static bool var_within(const struct vreg *old, const struct vreg *cur)
{
	return range_within(old, cur) && tnum_in(old->var_off, cur->var_off);
}

/* regsafe: everything the old state's continuation relied on about this
 * register holds of cur. check_live: a register the continuation never
 * read matches anything. exact (loop check): scalars are compared by
 * range even when imprecise. precision: imprecise scalars match any. */
static bool regsafe(const struct vreg *rold, const struct vreg *rcur, struct idmap *idmap, bool check_live,
		    bool exact, bool precision)
{
	if (check_live && !(rold->live & LIVE_READ))
		return true;
	if (rold->type == T_NOT_INIT)
		return true;
	if (rcur->type == T_NOT_INIT || rold->type != rcur->type)
		return false;
	switch (rold->type) {
	case T_SCALAR:
		/* no check below the old state needed its exact value */
		if (precision && !exact && !rold->precise)
			return true;
		return var_within(rold, rcur);
	case T_MAP_VALUE:
		/* the id names the value's bpf_spin_lock */
		if (rold->map->spin_lock_off >= 0 && !check_ids(idmap, rold->id, rcur->id))
			return false;
		return rold->off == rcur->off && rold->map == rcur->map && var_within(rold, rcur);
	case T_MAP_VALUE_OR_NULL:
		/* a NULL check marks all copies: ids must correspond */
		return same_but_ids(rold, rcur) && check_ids(idmap, rold->id, rcur->id);
	case T_PKT:
	case T_PKT_META:
		/* at least the range the old pointer had, and the same
		 * relations to other packet pointers */
		if (rold->range > rcur->range || rold->off != rcur->off)
			return false;
		if (!check_ids(idmap, rold->id, rcur->id))
			return false;
		return var_within(rold, rcur);
	case T_SOCK:
	case T_SOCK_OR_NULL:
	case T_SOCK_COMMON:
	case T_SOCK_COMMON_OR_NULL:
	case T_TCP_SOCK:
	case T_TCP_SOCK_OR_NULL:
		return same_but_ids(rold, rcur) && check_ids(idmap, rold->id, rcur->id) &&
		       check_ids(idmap, rold->ref_obj_id | 0x80000000u, rcur->ref_obj_id | 0x80000000u);
	default:
		/* context, map pointers, stack (same frame), pkt_end, flow
		 * keys: only an exact match */
		return same_but_ids(rold, rcur) && rold->id == rcur->id;
	}
}

static bool stacksafe(const struct vframe *old, const struct vframe *cur, struct idmap *idmap, bool exact,
		      bool precision)
{
	for (uint32_t spi = 0; spi < old->nslots; spi++) {
		const struct vslot *o = &old->stack[spi];
		if (!exact && !(o->spilled.live & LIVE_READ))
			continue;
		for (int j = 0; j < V_REG_SIZE; j++) {
			uint8_t ot = o->type[j];
			if (ot == STACK_INVALID)
				continue;
			if (spi >= cur->nslots)
				return false;
			uint8_t ct = cur->stack[spi].type[j];
			/* data was fine, so zeros are */
			if (ot == STACK_MISC && ct == STACK_ZERO)
				continue;
			if (ot != ct)
				return false;
		}
		if (o->type[0] == STACK_SPILL &&
		    !regsafe(&o->spilled, &cur->stack[spi].spilled, idmap, false, exact, precision))
			return false;
	}
	return true;
}

static bool refsafe(const struct vframe *old, const struct vframe *cur, struct idmap *idmap)
{
	if (old->nrefs != cur->nrefs)
		return false;
	for (uint32_t i = 0; i < old->nrefs; i++)
		if (!check_ids(idmap, old->refs[i].id | 0x80000000u, cur->refs[i].id | 0x80000000u))
			return false;
	return true;
}

static bool states_equal(struct venv *env, const struct vstate *old, const struct vstate *cur, bool exact)
{
	bool precision = env->precision;
	struct idmap idmap;
	if (old->curframe != cur->curframe)
		return false;
	idmap.n = 0;
	if (!!old->active_lock != !!cur->active_lock)
		return false;
	if (old->active_lock && !check_ids(&idmap, old->active_lock, cur->active_lock))
		return false;
	for (uint32_t i = 0; i <= old->curframe; i++) {
		const struct vframe *fo = old->frame[i], *fc = cur->frame[i];
		if (fo->callsite != fc->callsite)
			return false;
		for (int r = 0; r < V_NREGS; r++)
			if (!regsafe(&fo->regs[r], &fc->regs[r], &idmap, !exact, exact, precision))
				return false;
		if (!stacksafe(fo, fc, &idmap, exact, precision) || !refsafe(fo, fc, &idmap))
			return false;
	}
	return true;
}

/* The current path is pruned against `old`: what old's continuation read,
 * the current path's history must keep (propagate_liveness). */
static int propagate_liveness(struct venv *env, const struct vstate *old, struct vstate *cur)
{
	int err;
	for (uint32_t i = 0; i <= old->curframe; i++) {
		const struct vframe *fo = old->frame[i];
		struct vframe *fc = cur->frame[i];
		for (int r = i < old->curframe ? BPF_REG_6 : 0; r < BPF_REG_10; r++) {
			if ((fo->regs[r].live & LIVE_READ) && !(fc->regs[r].live & LIVE_READ) &&
			    (err = mark_reg_read(env, &fo->regs[r], &fc->regs[r])))
				return err;
		}
		for (uint32_t k = 0; k < fo->nslots && k < fc->nslots; k++) {
			if ((fo->stack[k].spilled.live & LIVE_READ) && !(fc->stack[k].spilled.live & LIVE_READ) &&
			    (err = mark_reg_read(env, &fo->stack[k].spilled, &fc->stack[k].spilled)))
				return err;
		}
	}
	return 0;
}

/* states_maybe_looping: the current frame's registers are identical, a
 * cheap test before the full comparison with an ancestor. */
static bool maybe_looping(const struct vstate *old, const struct vstate *cur)
{
	if (old->curframe != cur->curframe)
		return false;
	const struct vframe *fo = old->frame[old->curframe], *fc = cur->frame[cur->curframe];
	for (int r = 0; r < V_NREGS; r++)
		if (!same_but_ids(&fo->regs[r], &fc->regs[r]) || fo->regs[r].id != fc->regs[r].id ||
		    fo->regs[r].ref_obj_id != fc->regs[r].ref_obj_id)
			return false;
	return true;
}

static bool same_callsites(const struct vstate *a, const struct vstate *b)
{
	if (a->curframe != b->curframe)
		return false;
	for (uint32_t i = 0; i <= a->curframe; i++)
		if (a->frame[i]->callsite != b->frame[i]->callsite)
			return false;
	return true;
}

static void drop_state(struct venv *env, struct vstate_list *sl)
{
	if (sl->st.branches == 0) {
		/* finished: no live path walks its parent pointers anymore */
		state_free(&sl->st);
		free(sl);
		env->peak_states--;
	} else {
		sl->next = env->free_list;
		env->free_list = sl;
	}
}

/* 1: an equivalent explored state makes the current path safe; 0: go on;
 * < 0: error. */
int is_state_visited(struct venv *env, uint32_t insn_idx, bool jumped)
{
	struct vstate *cur = env->cur;
	if (!env->aux[insn_idx].prune)
		return 0;
	/* Do not add a state for every pruning point: at least 2 jumps and
	 * 8 insns since the last one (5.3's heuristic, halves the states). */
	bool add = env->jmps_processed - env->prev_jmps_processed >= 2 &&
		   env->insn_processed - env->prev_insn_processed >= 8;
	/* A path's history since its last explored state is what precision
	 * backtracking walks, for every mark: keep it short, whatever the
	 * loop heuristic below says (a loop whose every iteration also runs a
	 * branch to the exit would otherwise keep one segment for all its
	 * iterations, and each mark would walk all of them), as 6.x does. */
	bool force = cur->nhist > V_HIST_MAX;
	add = add || force;
	uint32_t cnt = 0;
	struct vstate_list **pprev = &env->explored[insn_idx], *sl;
	while ((sl = *pprev)) {
		cnt++;
		if (sl->st.branches) {
			/* an ancestor still being explored */
			if (maybe_looping(&sl->st, cur) && same_callsites(&sl->st, cur) &&
			    states_equal(env, &sl->st, cur, true)) {
				vlog(env, "infinite loop detected at insn %u\n", insn_idx);
				return -EINVAL;
			}
			/* in a loop, do not keep a state for every iteration */
			if (!force && env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->insn_processed - env->prev_insn_processed < 100)
				add = false;
		} else if (states_equal(env, &sl->st, cur, false)) {
			sl->hit++;
			int err = propagate_liveness(env, &sl->st, cur);
			/* the path so far, up to this insn, inherits the
			 * precision the old state's continuation needed */
			if (!err && jumped)
				err = push_hist(cur, insn_idx, cur->last_insn);
			if (!err)
				err = propagate_precision(env, &sl->st);
			return err ? err : 1;
		}
		if (add)
			sl->miss++;
		/* a state that keeps missing costs time without pruning */
		if (sl->miss > sl->hit * 3 + 3) {
			*pprev = sl->next;
			drop_state(env, sl);
			continue;
		}
		pprev = &sl->next;
	}
	if (env->max_states_per_insn < cnt)
		env->max_states_per_insn = cnt;
	if (!env->opts.allow_ptr_leaks && cnt > V_STATES_LIMIT)
		return 0;
	if (!add)
		return 0;

	struct vstate_list *nsl = calloc(1, sizeof(*nsl));
	if (!nsl)
		return -ENOMEM;
	int err = state_copy(&nsl->st, cur);
	if (err) {
		free(nsl);
		return err;
	}
	env->total_states++;
	env->peak_states++;
	env->prev_jmps_processed = env->jmps_processed;
	env->prev_insn_processed = env->insn_processed;
	struct vstate *nst = &nsl->st;
	nst->insn_idx = insn_idx;
	nsl->next = env->explored[insn_idx];
	env->explored[insn_idx] = nsl;
	cur->parent = nst;
	/* a new segment of the path starts here */
	cur->first_insn = insn_idx;
	cur->nhist = 0;
	env->checkpointed = true;
	/* Link the current state's registers and slots to the copy: reads
	 * from now on mark the copy. Callers' r0-r5 are dead (clobbered by
	 * the call); their r1-r5 live on in the callee's copies. */
	for (uint32_t j = 0; j <= cur->curframe; j++) {
		struct vframe *f = cur->frame[j], *nf = nst->frame[j];
		for (int i = j < cur->curframe ? BPF_REG_6 : 0; i < BPF_REG_10; i++)
			f->regs[i].parent = &nf->regs[i];
		for (int i = 0; i < BPF_REG_10; i++)
			f->regs[i].live = LIVE_NONE;
		for (uint32_t k = 0; k < f->nslots; k++) {
			f->stack[k].spilled.live = LIVE_NONE;
			f->stack[k].spilled.parent = &nf->stack[k].spilled;
		}
	}
	return 0;
}

void free_explored(struct venv *env)
{
	if (env->explored) {
		for (uint32_t i = 0; i < env->len; i++) {
			struct vstate_list *sl = env->explored[i];
			while (sl) {
				struct vstate_list *n = sl->next;
				state_free(&sl->st);
				free(sl);
				sl = n;
			}
		}
	}
	while (env->free_list) {
		struct vstate_list *n = env->free_list->next;
		state_free(&env->free_list->st);
		free(env->free_list);
		env->free_list = n;
	}
	while (env->pending) {
		struct vpending *n = env->pending->next;
		state_free(&env->pending->st);
		free(env->pending);
		env->pending = n;
	}
}
