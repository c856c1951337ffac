/* Calls: helpers checked against their prototypes (the kernel's
 * check_helper_call and check_func_arg of v5.1), calls between BPF
 * functions (a new frame; r1-r5 passed, r6-r9 kept), exits, the
 * references that socket lookups acquire, bpf_spin_lock rules, program
 * return codes and the legacy LD_ABS/LD_IND. */
#include "verifier/env.h"
#include "core/prog.h"
#include "core/vm.h"
#include "maps/map.h"
#include "progs/progs.h"
#include <stdlib.h>
#include <string.h>

static const int caller_saved[] = { BPF_REG_0, BPF_REG_1, BPF_REG_2, BPF_REG_3, BPF_REG_4, BPF_REG_5 };

/* ---- references (acquired sockets) ---- */

static int acquire_reference(struct venv *env, uint32_t insn_idx)
{
	struct vframe *f = cur_frame(env);
	if (f->nrefs >= V_MAX_REFS) {
		vlog(env, "too many acquired references\n");
		return -E2BIG;
	}
	struct vref *r = realloc(f->refs, (f->nrefs + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	f->refs = r;
	uint32_t id = ++env->id_gen;
	f->refs[f->nrefs++] = (struct vref){ id, insn_idx };
	return (int)id;
}

static int release_reference_state(struct vframe *f, uint32_t id)
{
	for (uint32_t i = 0; i < f->nrefs; i++) {
		if (f->refs[i].id == id) {
			f->refs[i] = f->refs[--f->nrefs];
			return 0;
		}
	}
	return -EINVAL;
}

/* The reference is gone: so are all pointers derived from it. */
static int release_reference(struct venv *env, uint32_t ref_obj_id)
{
	int err = release_reference_state(cur_frame(env), ref_obj_id);
	if (err)
		return err;
	struct vstate *st = env->cur;
	for (uint32_t i = 0; i <= st->curframe; i++)
		for (int k = 0; k < V_NREGS; k++)
			if (st->frame[i]->regs[k].ref_obj_id == ref_obj_id)
				reg_set_unknown(&st->frame[i]->regs[k]);
	struct vreg *r;
	for_each_spilled(st, fr, k, r)
		if (r->ref_obj_id == ref_obj_id)
			reg_set_unknown(r);
	return 0;
}

int check_reference_leak(struct venv *env)
{
	const struct vframe *f = cur_frame(env);
	for (uint32_t i = 0; i < f->nrefs; i++)
		vlog(env, "Unreleased reference id=%u alloc_insn=%u\n", f->refs[i].id, f->refs[i].insn);
	return f->nrefs ? -EINVAL : 0;
}

/* References move with the flow of control between frames. */
static int transfer_refs(struct vframe *dst, struct vframe *src)
{
	free(dst->refs);
	dst->refs = src->refs;
	dst->nrefs = src->nrefs;
	src->refs = NULL;
	src->nrefs = 0;
	return 0;
}

/* ---- helper prototypes ---- */

static bool arg_is_mem_ptr(int t)
{
	return t == BPFVM_ARG_PTR_TO_MEM || t == BPFVM_ARG_PTR_TO_MEM_OR_NULL || t == BPFVM_ARG_PTR_TO_UNINIT_MEM;
}

static bool arg_is_mem_size(int t)
{
	return t == BPFVM_ARG_CONST_SIZE || t == BPFVM_ARG_CONST_SIZE_OR_ZERO;
}

/* check_func_proto: a buffer argument is always followed by its size,
 * at most one argument is written without being read. A host-registered
 * helper breaking this would let a program pass memory it does not own. */
static bool proto_ok(const struct bpfvm_helper_proto *fn)
{
	const uint8_t *a = fn->arg_type;
	int raw = 0;
	if (arg_is_mem_size(a[0]) || arg_is_mem_ptr(a[4]))
		return false;
	for (int i = 0; i < 5; i++) {
		if (a[i] > BPFVM_ARG_PTR_TO_SOCKET)
			return false;
		if (a[i] == BPFVM_ARG_PTR_TO_UNINIT_MEM)
			raw++;
		if (i < 4 && arg_is_mem_ptr(a[i]) != arg_is_mem_size(a[i + 1]))
			return false;
	}
	return raw <= 1;
}

static bool helper_in_type(const struct bpfvm_prog_type *t, int32_t id)
{
	/* A type without a list allows every registered helper; helpers a
	 * host registers beyond the kernel's ids are allowed everywhere. */
	if (!t->helpers || id >= __BPF_FUNC_MAX_ID)
		return true;
	return bpfvm_prog_type_has_helper(t, (uint32_t)id);
}

/* bpf_helper_changes_pkt_data: after these, packet pointers are stale. */
static bool changes_pkt_data(int32_t id, const struct bpfvm_helper_proto *fn)
{
	switch (id) {
	case BPF_FUNC_skb_vlan_push: case BPF_FUNC_skb_vlan_pop: case BPF_FUNC_skb_store_bytes:
	case BPF_FUNC_skb_change_proto: case BPF_FUNC_skb_change_head: case BPF_FUNC_skb_change_tail:
	case BPF_FUNC_skb_adjust_room: case BPF_FUNC_skb_pull_data: case BPF_FUNC_clone_redirect:
	case BPF_FUNC_l3_csum_replace: case BPF_FUNC_l4_csum_replace: case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_msg_pull_data: case BPF_FUNC_msg_push_data:
	case BPF_FUNC_msg_pop_data: case BPF_FUNC_xdp_adjust_tail: case BPF_FUNC_lwt_seg6_store_bytes:
	case BPF_FUNC_lwt_seg6_adjust_srh: case BPF_FUNC_lwt_seg6_action: case BPF_FUNC_lwt_push_encap:
		return true;
	}
	/* a host helper given the context might move the packet too */
	return id >= __BPF_FUNC_MAX_ID && fn->arg_type[0] == BPFVM_ARG_PTR_TO_CTX;
}

static void clear_all_pkt_pointers(struct venv *env)
{
	struct vstate *st = env->cur;
	for (uint32_t i = 0; i <= st->curframe; i++)
		for (int k = 0; k < V_NREGS; k++)
			if (type_is_pkt_any(st->frame[i]->regs[k].type))
				reg_set_unknown(&st->frame[i]->regs[k]);
	struct vreg *r;
	for_each_spilled(st, fr, k, r)
		if (type_is_pkt_any(r->type))
			reg_set_unknown(r);
}

/* ---- arguments ---- */

static int process_spin_lock(struct venv *env, int regno, bool lock)
{
	const struct vreg *reg = &cur_regs(env)[regno];
	struct vstate *st = env->cur;
	if (reg->type != T_MAP_VALUE) {
		vlog(env, "R%d is not a pointer to map_value\n", regno);
		return -EINVAL;
	}
	if (!tnum_is_const(reg->var_off)) {
		vlog(env, "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset\n", regno);
		return -EINVAL;
	}
	const struct bpfvm_map *map = reg->map;
	if (!map->btf) {
		vlog(env, "map '%s' has to have BTF in order to use bpf_spin_lock\n", map->name);
		return -EINVAL;
	}
	if (map->spin_lock_off < 0) {
		if (map->spin_lock_off == -E2BIG)
			vlog(env, "map '%s' has more than one 'struct bpf_spin_lock'\n", map->name);
		else if (map->spin_lock_off == -ENOENT || map->spin_lock_off == -1)
			vlog(env, "map '%s' doesn't have 'struct bpf_spin_lock'\n", map->name);
		else
			vlog(env, "map '%s' is not a struct type or bpf_spin_lock is mangled\n", map->name);
		return -EINVAL;
	}
	int64_t at = (int64_t)reg->var_off.value + reg->off;
	if (at != map->spin_lock_off) {
		vlog(env, "off %lld doesn't point to 'struct bpf_spin_lock'\n", (long long)at);
		return -EINVAL;
	}
	if (lock) {
		if (st->active_lock) {
			vlog(env, "Locking two bpf_spin_locks are not allowed\n");
			return -EINVAL;
		}
		st->active_lock = reg->id;
	} else {
		if (!st->active_lock) {
			vlog(env, "bpf_spin_unlock without taking a lock\n");
			return -EINVAL;
		}
		if (st->active_lock != reg->id) {
			vlog(env, "bpf_spin_unlock of different lock\n");
			return -EINVAL;
		}
		st->active_lock = 0;
	}
	return 0;
}

static int arg_type_error(struct venv *env, int regno, int type, int expected)
{
	vlog(env, "R%d type=%s expected=%s\n", regno, vtype_str(type), vtype_str(expected));
	return -EACCES;
}

/* The size of the buffer in the previous argument: the buffer is checked
 * for every size the register may hold. */
static int check_size_arg(struct venv *env, int regno, bool zero_ok, struct vcall_meta *meta)
{
	const struct vreg *reg = &cur_regs(env)[regno];
	int err;
	/* a variable size: the whole buffer must be initialized, since the
	 * helper may fill only part of it */
	struct vcall_meta *m = tnum_is_const(reg->var_off) ? meta : NULL;
	/* the buffer is checked for this size's range (and a NULL buffer
	 * for a zero size): both must hold exactly below a pruned state */
	if ((err = mark_chain_precision(env, regno)))
		return err;
	if (cur_regs(env)[regno - 1].type == T_SCALAR && (err = mark_chain_precision(env, regno - 1)))
		return err;
	if (reg->smin < 0) {
		vlog(env, "R%d min value is negative, either use unsigned or 'var &= const'\n", regno);
		return -EACCES;
	}
	if (reg->umin == 0 && (err = check_helper_mem_access(env, regno - 1, 0, zero_ok, m)))
		return err;
	if (reg->umax >= V_MAX_VAR_SIZ) {
		vlog(env, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
		return -EACCES;
	}
	return check_helper_mem_access(env, regno - 1, (int)reg->umax, zero_ok, m);
}

static int check_func_arg(struct venv *env, int regno, int arg, struct vcall_meta *meta)
{
	struct vreg *reg = &cur_regs(env)[regno];
	int err;
	if (arg == BPFVM_ARG_DONTCARE)
		return 0;
	if ((err = check_reg_arg(env, (uint32_t)regno, SRC_OP)))
		return err;
	int type = reg->type;
	if (arg == BPFVM_ARG_ANYTHING) {
		if (is_pointer(env, reg)) {
			vlog(env, "R%d leaks addr into helper function\n", regno);
			return -EACCES;
		}
		return 0;
	}
	if (type_is_pkt(type) && !may_access_pkt(env, meta, false)) {
		vlog(env, "helper access to the packet is not allowed\n");
		return -EACCES;
	}
	switch (arg) {
	case BPFVM_ARG_PTR_TO_MAP_KEY:
	case BPFVM_ARG_PTR_TO_MAP_VALUE:
	case BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE:
		if (!type_is_pkt(type) && type != T_MAP_VALUE && type != T_STACK)
			return arg_type_error(env, regno, type, T_STACK);
		if (!meta->map) {
			vlog(env, arg == BPFVM_ARG_PTR_TO_MAP_KEY ? "invalid map_ptr to access map->key\n"
								  : "invalid map_ptr to access map->value\n");
			return -EACCES;
		}
		if (arg == BPFVM_ARG_PTR_TO_MAP_KEY)
			return check_helper_mem_access(env, regno, (int)meta->map->key_size, false, NULL);
		meta->raw_mode = arg == BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE;
		return check_helper_mem_access(env, regno, (int)meta->map->value_size, false, meta);
	case BPFVM_ARG_CONST_SIZE:
	case BPFVM_ARG_CONST_SIZE_OR_ZERO:
		if (type != T_SCALAR)
			return arg_type_error(env, regno, type, T_SCALAR);
		return check_size_arg(env, regno, arg == BPFVM_ARG_CONST_SIZE_OR_ZERO, meta);
	case BPFVM_ARG_CONST_MAP_PTR:
		if (type != T_MAP_PTR)
			return arg_type_error(env, regno, type, T_MAP_PTR);
		meta->map = reg->map;
		return 0;
	case BPFVM_ARG_PTR_TO_CTX:
		if (type != T_CTX)
			return arg_type_error(env, regno, type, T_CTX);
		return check_ctx_reg(env, reg, regno);
	case BPFVM_ARG_PTR_TO_SOCK_COMMON:
		if (!type_is_sk(type))
			return arg_type_error(env, regno, type, T_SOCK_COMMON);
		if (reg->ref_obj_id) {
			if (meta->ref_obj_id) {
				vlog(env, "verifier internal error: more than one arg with ref_obj_id R%d %u %u\n",
				     regno, reg->ref_obj_id, meta->ref_obj_id);
				return -EFAULT;
			}
			meta->ref_obj_id = reg->ref_obj_id;
		}
		return 0;
	case BPFVM_ARG_PTR_TO_SOCKET:
		if (type != T_SOCK)
			return arg_type_error(env, regno, type, T_SOCK);
		if (reg->ref_obj_id) {
			if (meta->ref_obj_id) {
				vlog(env, "verifier internal error: more than one arg with ref_obj_id R%d %u %u\n",
				     regno, reg->ref_obj_id, meta->ref_obj_id);
				return -EFAULT;
			}
			meta->ref_obj_id = reg->ref_obj_id;
		}
		return 0;
	case BPFVM_ARG_PTR_TO_SPIN_LOCK:
		if (type != T_MAP_VALUE)
			return arg_type_error(env, regno, type, T_MAP_VALUE);
		if (meta->func_id != BPF_FUNC_spin_lock && meta->func_id != BPF_FUNC_spin_unlock) {
			vlog(env, "verifier internal error\n");
			return -EFAULT;
		}
		return process_spin_lock(env, regno, meta->func_id == BPF_FUNC_spin_lock) ? -EACCES : 0;
	case BPFVM_ARG_PTR_TO_MEM:
	case BPFVM_ARG_PTR_TO_MEM_OR_NULL:
	case BPFVM_ARG_PTR_TO_UNINIT_MEM:
		/* NULL is checked with the size (next argument) */
		if (!(reg_is_null(reg) && arg == BPFVM_ARG_PTR_TO_MEM_OR_NULL) && !type_is_pkt(type) &&
		    type != T_MAP_VALUE && type != T_STACK)
			return arg_type_error(env, regno, type, T_STACK);
		meta->raw_mode = arg == BPFVM_ARG_PTR_TO_UNINIT_MEM;
		return 0;
	default:
		vlog(env, "unsupported arg_type %d\n", arg);
		return -EFAULT;
	}
}

/* check_map_func_compatibility: each map type works with its helpers only
 * (a lookup into a prog array would hand out program pointers as data). */
static int check_map_func(struct venv *env, const struct bpfvm_map *map, int32_t id)
{
	if (!map)
		return 0;
	bool ok = true;
	switch (map->map_type) {
	case BPF_MAP_TYPE_PROG_ARRAY: ok = id == BPF_FUNC_tail_call; break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		ok = id == BPF_FUNC_perf_event_read || id == BPF_FUNC_perf_event_output ||
		     id == BPF_FUNC_perf_event_read_value;
		break;
	case BPF_MAP_TYPE_STACK_TRACE: ok = id == BPF_FUNC_get_stackid; break;
	case BPF_MAP_TYPE_CGROUP_ARRAY:
		ok = id == BPF_FUNC_skb_under_cgroup || id == BPF_FUNC_current_task_under_cgroup;
		break;
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE: ok = id == BPF_FUNC_get_local_storage; break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP: ok = id == BPF_FUNC_redirect_map; break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS: ok = id == BPF_FUNC_map_lookup_elem; break;
	case BPF_MAP_TYPE_SOCKMAP:
		ok = id == BPF_FUNC_sk_redirect_map || id == BPF_FUNC_sock_map_update || id == BPF_FUNC_map_delete_elem ||
		     id == BPF_FUNC_msg_redirect_map;
		break;
	case BPF_MAP_TYPE_SOCKHASH:
		ok = id == BPF_FUNC_sk_redirect_hash || id == BPF_FUNC_sock_hash_update ||
		     id == BPF_FUNC_map_delete_elem || id == BPF_FUNC_msg_redirect_hash;
		break;
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY: ok = id == BPF_FUNC_sk_select_reuseport; break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		ok = id == BPF_FUNC_map_peek_elem || id == BPF_FUNC_map_pop_elem || id == BPF_FUNC_map_push_elem;
		break;
	default:
		break;
	}
	if (ok) {
		uint32_t t = map->map_type;
		switch (id) {
		case BPF_FUNC_tail_call:
			ok = t == BPF_MAP_TYPE_PROG_ARRAY;
			if (ok && env->nsubprog > 1) {
				vlog(env, "tail_calls are not allowed in programs with bpf-to-bpf calls\n");
				return -EINVAL;
			}
			break;
		case BPF_FUNC_perf_event_read:
		case BPF_FUNC_perf_event_output:
		case BPF_FUNC_perf_event_read_value: ok = t == BPF_MAP_TYPE_PERF_EVENT_ARRAY; break;
		case BPF_FUNC_get_stackid: ok = t == BPF_MAP_TYPE_STACK_TRACE; break;
		case BPF_FUNC_current_task_under_cgroup:
		case BPF_FUNC_skb_under_cgroup: ok = t == BPF_MAP_TYPE_CGROUP_ARRAY; break;
		case BPF_FUNC_redirect_map:
			ok = t == BPF_MAP_TYPE_DEVMAP || t == BPF_MAP_TYPE_CPUMAP || t == BPF_MAP_TYPE_XSKMAP;
			break;
		case BPF_FUNC_sk_redirect_map:
		case BPF_FUNC_msg_redirect_map:
		case BPF_FUNC_sock_map_update: ok = t == BPF_MAP_TYPE_SOCKMAP; break;
		case BPF_FUNC_sk_redirect_hash:
		case BPF_FUNC_msg_redirect_hash:
		case BPF_FUNC_sock_hash_update: ok = t == BPF_MAP_TYPE_SOCKHASH; break;
		case BPF_FUNC_get_local_storage:
			ok = t == BPF_MAP_TYPE_CGROUP_STORAGE || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
			break;
		case BPF_FUNC_sk_select_reuseport: ok = t == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY; break;
		case BPF_FUNC_map_peek_elem:
		case BPF_FUNC_map_pop_elem:
		case BPF_FUNC_map_push_elem: ok = t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK; break;
		default: break;
		}
	}
	if (!ok) {
		vlog(env, "cannot pass map_type %u into func %s#%d\n", map->map_type, vhelper_name(env, id), id);
		return -EINVAL;
	}
	return 0;
}

/* record_func_map: which map a map helper call uses, for the rewrites. */
static int record_func_map(struct venv *env, const struct vcall_meta *meta, int32_t id, uint32_t insn_idx)
{
	switch (id) {
	case BPF_FUNC_tail_call: case BPF_FUNC_map_lookup_elem: case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem: case BPF_FUNC_map_push_elem: case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
		break;
	default:
		return 0;
	}
	if (!meta->map) {
		vlog(env, "kernel subsystem misconfigured verifier\n");
		return -EINVAL;
	}
	struct vaux *aux = &env->aux[insn_idx];
	if (!aux->map)
		aux->map = meta->map;
	else if (aux->map != meta->map)
		aux->map = MAP_POISON;
	return 0;
}

static bool is_acquire_function(int32_t id)
{
	return id == BPF_FUNC_sk_lookup_tcp || id == BPF_FUNC_sk_lookup_udp;
}

static bool is_ptr_cast_function(int32_t id)
{
	return id == BPF_FUNC_tcp_sock || id == BPF_FUNC_sk_fullsock;
}

static int set_return(struct venv *env, const struct bpfvm_helper_proto *fn, int32_t id, const struct vcall_meta *meta,
		      uint32_t insn_idx)
{
	struct vreg *r0 = &cur_regs(env)[BPF_REG_0];
	switch (fn->ret_type) {
	case BPFVM_RET_INTEGER:
		reg_set_unknown(r0);
		return 0;
	case BPFVM_RET_VOID:
		r0->type = T_NOT_INIT;
		return 0;
	case BPFVM_RET_PTR_TO_MAP_VALUE:
	case BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL:
		reg_set_known_zero(r0);
		if (!meta->map) {
			vlog(env, "kernel subsystem misconfigured verifier\n");
			return -EINVAL;
		}
		r0->map = meta->map;
		if (fn->ret_type == BPFVM_RET_PTR_TO_MAP_VALUE) {
			r0->type = T_MAP_VALUE;
			if (meta->map->spin_lock_off >= 0)
				r0->id = ++env->id_gen;
		} else {
			r0->type = T_MAP_VALUE_OR_NULL;
			r0->id = ++env->id_gen;
		}
		return 0;
	case BPFVM_RET_PTR_TO_SOCKET_OR_NULL:
	case BPFVM_RET_PTR_TO_SOCK_COMMON_OR_NULL:
	case BPFVM_RET_PTR_TO_TCP_SOCK_OR_NULL:
		reg_set_known_zero(r0);
		r0->type = fn->ret_type == BPFVM_RET_PTR_TO_SOCKET_OR_NULL ? T_SOCK_OR_NULL
			 : fn->ret_type == BPFVM_RET_PTR_TO_TCP_SOCK_OR_NULL ? T_TCP_SOCK_OR_NULL
									 : T_SOCK_COMMON_OR_NULL;
		if (is_acquire_function(id)) {
			int ref = acquire_reference(env, insn_idx);
			if (ref < 0)
				return ref;
			r0->id = r0->ref_obj_id = (uint32_t)ref;
		} else {
			r0->id = ++env->id_gen;
			if (is_ptr_cast_function(id))
				r0->ref_obj_id = meta->ref_obj_id;
		}
		return 0;
	default:
		vlog(env, "unknown return type %d of func %s#%d\n", fn->ret_type, vhelper_name(env, id), id);
		return -EINVAL;
	}
}

int check_helper_call(struct venv *env, int32_t id, uint32_t insn_idx)
{
	const struct bpfvm_helper_proto *fn = NULL;
	int err;
	if (id >= 0 && id < BPFVM_MAX_HELPERS && env->vm->helpers[id].proto.fn)
		fn = &env->vm->helpers[id].proto;
	if (!fn && (id < 0 || id >= __BPF_FUNC_MAX_ID)) {
		vlog(env, "invalid func %s#%d\n", vhelper_name(env, id), id);
		return -EINVAL;
	}
	if (!fn || !helper_in_type(env->type, id)) {
		vlog(env, "unknown func %s#%d\n", vhelper_name(env, id), id);
		return -EINVAL;
	}
	if (!env->prog->gpl_compatible && fn->gpl_only) {
		vlog(env, "cannot call GPL-restricted function from non-GPL compatible program\n");
		return -EINVAL;
	}
	bool changes_data = changes_pkt_data(id, fn);
	if (changes_data && fn->arg_type[0] != BPFVM_ARG_PTR_TO_CTX) {
		vlog(env, "kernel subsystem misconfigured func %s#%d: r1 != ctx\n", vhelper_name(env, id), id);
		return -EINVAL;
	}
	if (!proto_ok(fn)) {
		vlog(env, "kernel subsystem misconfigured func %s#%d\n", vhelper_name(env, id), id);
		return -EINVAL;
	}
	struct vcall_meta meta = { .pkt_access = fn->pkt_access, .func_id = id, .regno = -1 };
	for (int i = 0; i < 5; i++) {
		if ((err = check_func_arg(env, BPF_REG_1 + i, fn->arg_type[i], &meta)))
			return err;
		/* a tail call never returns: nothing may be held across it */
		if (i == 1 && id == BPF_FUNC_tail_call && check_reference_leak(env)) {
			vlog(env, "tail_call would lead to reference leak\n");
			return -EINVAL;
		}
	}
	if ((err = record_func_map(env, &meta, id, insn_idx)))
		return err;
	/* raw-mode stack memory is now written by the helper */
	for (int i = 0; i < meta.access_size; i++)
		if ((err = check_mem_access(env, insn_idx, (uint32_t)meta.regno, i, BPF_B, true, -1, false, false)))
			return err;
	if (id == BPF_FUNC_sk_release) {
		if (release_reference(env, meta.ref_obj_id)) {
			vlog(env, "func %s#%d reference has not been acquired before\n", vhelper_name(env, id), id);
			return -EINVAL;
		}
	}
	struct vreg *regs = cur_regs(env);
	if (id == BPF_FUNC_get_local_storage && regs[BPF_REG_2].type == T_SCALAR &&
	    (err = mark_chain_precision(env, BPF_REG_2)))
		return err;
	if (id == BPF_FUNC_get_local_storage && !reg_is_null(&regs[BPF_REG_2])) {
		vlog(env, "get_local_storage() doesn't support non-zero flags\n");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(caller_saved) / sizeof(caller_saved[0]); i++) {
		reg_set_not_init(&regs[caller_saved[i]]);
		check_reg_arg(env, (uint32_t)caller_saved[i], DST_OP_NO_MARK);
	}
	if ((err = set_return(env, fn, id, &meta, insn_idx)))
		return err;
	if ((err = check_map_func(env, meta.map, id)))
		return err;
	if (changes_data)
		clear_all_pkt_pointers(env);
	return 0;
}

/* ---- BPF-to-BPF calls ---- */

int check_func_call(struct venv *env, const struct bpf_insn *insn, uint32_t *insn_idx)
{
	struct vstate *st = env->cur;
	if (st->curframe + 1 >= BPFVM_MAX_CALL_FRAMES) {
		vlog(env, "the call stack of %u frames is too deep\n", st->curframe + 2);
		return -E2BIG;
	}
	uint32_t target = *insn_idx + (uint32_t)insn->imm;
	int sub = find_subprog(env, target + 1);
	if (sub < 0) {
		vlog(env, "verifier bug. No program starts at insn %u\n", target + 1);
		return -EFAULT;
	}
	struct vframe *caller = st->frame[st->curframe];
	struct vframe *callee = frame_new((int32_t)*insn_idx, st->curframe + 1, (uint32_t)sub);
	if (!callee)
		return -ENOMEM;
	st->frame[st->curframe + 1] = callee;
	transfer_refs(callee, caller);
	/* the arguments, with their places in the liveness chains: a read
	 * in the callee is a read of the caller's value */
	for (int i = BPF_REG_1; i <= BPF_REG_5; i++)
		callee->regs[i] = caller->regs[i];
	for (size_t i = 0; i < sizeof(caller_saved) / sizeof(caller_saved[0]); i++) {
		reg_set_not_init(&caller->regs[caller_saved[i]]);
		check_reg_arg(env, (uint32_t)caller_saved[i], DST_OP_NO_MARK);
	}
	st->curframe++;
	*insn_idx = target;
	if (env->log_level & 3) {
		vlog(env, "caller:\n");
		vprint_state(env, caller);
		vlog(env, "callee:\n");
		vprint_state(env, callee);
	}
	return 0;
}

int prepare_func_exit(struct venv *env, uint32_t *insn_idx)
{
	struct vstate *st = env->cur;
	struct vframe *callee = st->frame[st->curframe];
	const struct vreg *r0 = &callee->regs[BPF_REG_0];
	/* the callee's frame dies: a pointer into it must not escape */
	if (r0->type == T_STACK) {
		vlog(env, "cannot return stack pointer to the caller\n");
		return -EINVAL;
	}
	st->curframe--;
	struct vframe *caller = st->frame[st->curframe];
	caller->regs[BPF_REG_0] = *r0;
	transfer_refs(caller, callee);
	*insn_idx = (uint32_t)callee->callsite + 1;
	if (env->log_level & 3) {
		vlog(env, "returning from callee:\n");
		vprint_state(env, callee);
		vlog(env, "to caller at %u:\n", *insn_idx);
		vprint_state(env, caller);
	}
	frame_free(callee);
	st->frame[st->curframe + 1] = NULL;
	return 0;
}

/* check_return_code: some program types must return a value in a range. */
int check_return_code(struct venv *env)
{
	const struct bpfvm_prog_type *t = env->type;
	if (!t->ret_checked)
		return 0;
	const struct vreg *r0 = &cur_regs(env)[BPF_REG_0];
	if (r0->type != T_SCALAR) {
		vlog(env, "At program exit the register R0 is not a known value (%s)\n", vtype_str(r0->type));
		return -EINVAL;
	}
	/* a pruned path returns what the old one did: its range matters
	 * (5.3 did not mark it; later kernels do) */
	int err = mark_chain_precision(env, BPF_REG_0);
	if (err)
		return err;
	struct tnum range = tnum_range((uint64_t)(int64_t)t->ret_min, (uint64_t)(int64_t)t->ret_max);
	bool ok = t->ret_min >= 0 ? r0->umin >= (uint64_t)t->ret_min && r0->umax <= (uint64_t)(int64_t)t->ret_max
				  : r0->smin >= t->ret_min && r0->smax <= t->ret_max;
	if (!ok) {
		char tn[48];
		vlog(env, "At program exit the register R0 ");
		if (!tnum_is_unknown(r0->var_off)) {
			tnum_strn(tn, sizeof(tn), r0->var_off);
			vlog(env, "has value %s", tn);
		} else {
			vlog(env, "has unknown scalar value");
		}
		/* v5.1's wording; ranges other than [0, 1] came later, with
		 * their "in (value; mask)" form */
		if (t->ret_min == 0 && t->ret_max == 1) {
			vlog(env, " should have been 0 or 1\n");
		} else {
			tnum_strn(tn, sizeof(tn), range);
			vlog(env, " should have been in %s\n", tn);
		}
		return -EINVAL;
	}
	return 0;
}

/* ---- LD_ABS / LD_IND ---- */

int check_ld_abs(struct venv *env, const struct bpf_insn *insn)
{
	struct vreg *regs = cur_regs(env);
	int err;
	if (!env->type->ld_abs) {
		vlog(env, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
		return -EINVAL;
	}
	/* the interpreter takes the packet from the run, not from r1 of a
	 * callee; and a failing load ends the whole program */
	if (env->nsubprog > 1) {
		vlog(env, "BPF_LD_[ABS|IND] instructions cannot be mixed with bpf-to-bpf calls\n");
		return -EINVAL;
	}
	if (insn->dst_reg != BPF_REG_0 || insn->off != 0 || V_SIZE(insn->code) == BPF_DW ||
	    (V_MODE(insn->code) == BPF_ABS && insn->src_reg != BPF_REG_0)) {
		vlog(env, "BPF_LD_[ABS|IND] uses reserved fields\n");
		return -EINVAL;
	}
	if ((err = check_reg_arg(env, BPF_REG_6, SRC_OP)))
		return err;
	if (check_reference_leak(env)) {
		vlog(env, "BPF_LD_[ABS|IND] cannot be mixed with socket references\n");
		return -EINVAL;
	}
	if (env->cur->active_lock) {
		vlog(env, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region\n");
		return -EINVAL;
	}
	if (regs[BPF_REG_6].type != T_CTX) {
		vlog(env, "at the time of BPF_LD_ABS|IND R6 != pointer to skb\n");
		return -EINVAL;
	}
	if (V_MODE(insn->code) == BPF_IND && (err = check_reg_arg(env, insn->src_reg, SRC_OP)))
		return err;
	for (size_t i = 0; i < sizeof(caller_saved) / sizeof(caller_saved[0]); i++) {
		reg_set_not_init(&regs[caller_saved[i]]);
		check_reg_arg(env, (uint32_t)caller_saved[i], DST_OP_NO_MARK);
	}
	reg_set_unknown(&regs[BPF_REG_0]);
	/* loads of 1 and 2 bytes are zero-extended */
	if (V_SIZE(insn->code) != BPF_W)
		reg_coerce(&regs[BPF_REG_0], size_bytes(V_SIZE(insn->code)));
	else
		reg_coerce(&regs[BPF_REG_0], 4);
	return 0;
}
