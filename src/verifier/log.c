/* The verifier log in the kernel's words: register states as
 * print_verifier_state prints them ("R1=ctx(id=0,off=0,imm=0) R10=fp0") and
 * instructions as the kernel's disassembler (kernel/bpf/disasm.c) does
 * ("0: (b7) r0 = 0"), which differs from llvm-objdump's syntax in isa/. */
#include "verifier/env.h"
#include "core/log.h"
#include "core/vm.h"
#include "maps/map.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vlog(struct venv *env, const char *fmt, ...)
{
	char buf[1024];
	if (!env->log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	bpfvm_log(env->log, "%s", buf);
}

static const char *const type_str[T__COUNT] = {
	[T_NOT_INIT] = "?",
	[T_SCALAR] = "inv",
	[T_CTX] = "ctx",
	[T_MAP_PTR] = "map_ptr",
	[T_MAP_VALUE] = "map_value",
	[T_MAP_VALUE_OR_NULL] = "map_value_or_null",
	[T_STACK] = "fp",
	[T_PKT_META] = "pkt_meta",
	[T_PKT] = "pkt",
	[T_PKT_END] = "pkt_end",
	[T_FLOW_KEYS] = "flow_keys",
	[T_SOCK] = "sock",
	[T_SOCK_OR_NULL] = "sock_or_null",
	[T_SOCK_COMMON] = "sock_common",
	[T_SOCK_COMMON_OR_NULL] = "sock_common_or_null",
	[T_TCP_SOCK] = "tcp_sock",
	[T_TCP_SOCK_OR_NULL] = "tcp_sock_or_null",
};

const char *vtype_str(int type)
{
	return type >= 0 && type < T__COUNT ? type_str[type] : "?";
}

const char *const valu_str[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?",
};

static const char *const jmp_str[16] = {
	"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "?", "?",
};

static const char *const ldst_str[4] = { "u32", "u16", "u8", "u64" };

/* func_id_name: "bpf_" + the registry's name for the kernel's helpers, the
 * name as registered for a host's own, "unknown" without one. */
const char *vhelper_name(struct venv *env, int32_t id)
{
	if (id < 0 || id >= BPFVM_MAX_HELPERS || !env->vm->helpers[id].proto.name)
		return "unknown";
	const char *name = env->vm->helpers[id].proto.name;
	if (id >= __BPF_FUNC_MAX_ID)
		return name;
	snprintf(env->namebuf, sizeof(env->namebuf), "bpf_%s", name);
	return env->namebuf;
}

static void print_liveness(char *out, size_t n, uint8_t live)
{
	out[0] = 0;
	if (live & (LIVE_READ | LIVE_WRITTEN | LIVE_DONE))
		strncat(out, "_", n - strlen(out) - 1);
	if (live & LIVE_READ)
		strncat(out, "r", n - strlen(out) - 1);
	if (live & LIVE_WRITTEN)
		strncat(out, "w", n - strlen(out) - 1);
	if (live & LIVE_DONE)
		strncat(out, "D", n - strlen(out) - 1);
}

/* One register as print_verifier_state of v5.1 prints it, after "=". */
static int format_reg(char *buf, size_t n, const struct vreg *r)
{
	int t = r->type;
	size_t k = 0;
#define OUT(...) do { int _w = snprintf(buf + k, k < n ? n - k : 0, __VA_ARGS__); \
	if (_w > 0) k += (size_t)_w; } while (0)
	OUT("%s", vtype_str(t));
	if ((t == T_SCALAR || t == T_STACK) && tnum_is_const(r->var_off)) {
		OUT("%lld", (long long)(r->var_off.value + (uint64_t)(int64_t)r->off));
		return (int)k;
	}
	OUT("(id=%u", r->id);
	if (t != T_SCALAR)
		OUT(",off=%d", r->off);
	if (type_is_pkt(t))
		OUT(",r=%u", r->range);
	else if (t == T_MAP_PTR || t == T_MAP_VALUE || t == T_MAP_VALUE_OR_NULL)
		OUT(",ks=%u,vs=%u", r->map->key_size, r->map->value_size);
	if (tnum_is_const(r->var_off)) {
		OUT(",imm=%llx", (unsigned long long)r->var_off.value);
	} else {
		if (r->smin != (int64_t)r->umin && r->smin != INT64_MIN)
			OUT(",smin_value=%lld", (long long)r->smin);
		if (r->smax != (int64_t)r->umax && r->smax != INT64_MAX)
			OUT(",smax_value=%lld", (long long)r->smax);
		if (r->umin != 0)
			OUT(",umin_value=%llu", (unsigned long long)r->umin);
		if (r->umax != UINT64_MAX)
			OUT(",umax_value=%llu", (unsigned long long)r->umax);
		if (!tnum_is_unknown(r->var_off)) {
			char tn[48];
			tnum_strn(tn, sizeof(tn), r->var_off);
			OUT(",var_off=%s", tn);
		}
	}
	OUT(")");
#undef OUT
	return (int)k;
}

void vprint_state(struct venv *env, const struct vframe *f)
{
	char line[4096], reg[256], live[8];
	size_t k = 0;
	if (!env->log_level)
		return;
#define OUT(...) do { int _w = snprintf(line + k, sizeof(line) - k, __VA_ARGS__); \
	if (_w > 0) k = k + (size_t)_w < sizeof(line) ? k + (size_t)_w : sizeof(line) - 1; } while (0)
	if (f->frameno)
		OUT(" frame%u:", f->frameno);
	for (int i = 0; i < V_NREGS; i++) {
		const struct vreg *r = &f->regs[i];
		if (r->type == T_NOT_INIT)
			continue;
		print_liveness(live, sizeof(live), r->live);
		format_reg(reg, sizeof(reg), r);
		OUT(" R%d%s=%s", i, live, reg);
	}
	static const char slot_char[] = { '?', 'r', 'm', '0' };
	for (uint32_t i = 0; i < f->nslots; i++) {
		const struct vslot *s = &f->stack[i];
		char types[V_REG_SIZE + 1];
		bool valid = false;
		for (int j = 0; j < V_REG_SIZE; j++) {
			if (s->type[j] != STACK_INVALID)
				valid = true;
			types[j] = slot_char[s->type[j] & 3];
		}
		types[V_REG_SIZE] = 0;
		if (!valid)
			continue;
		print_liveness(live, sizeof(live), s->spilled.live);
		if (s->type[0] == STACK_SPILL)
			OUT(" fp%d%s=%s", -(int)(i + 1) * V_REG_SIZE, live, vtype_str(s->spilled.type));
		else
			OUT(" fp%d%s=%s", -(int)(i + 1) * V_REG_SIZE, live, types);
	}
	if (f->nrefs) {
		OUT(" refs=%u", f->refs[0].id);
		for (uint32_t i = 1; i < f->nrefs; i++)
			OUT(",%u", f->refs[i].id);
	}
#undef OUT
	bpfvm_log(env->log, "%s\n", line);
}

/* print_bpf_insn of the kernel's disassembler. */
void vprint_insn(struct venv *env, const struct bpf_insn *in)
{
	uint8_t cls = V_CLASS(in->code), op = V_OP(in->code);
	const char *sz = ldst_str[V_SIZE(in->code) >> 3];
	char w = cls == BPF_ALU || cls == BPF_JMP32 ? 'w' : 'r';
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_END) {
			if (cls == BPF_ALU64)
				vlog(env, "(%02x) r%d = bswap%d r%d\n", in->code, in->dst_reg, in->imm, in->dst_reg);
			else
				vlog(env, "(%02x) r%d = %s%d r%d\n", in->code, in->dst_reg,
				     V_SRC(in->code) ? "be" : "le", in->imm, in->dst_reg);
		} else if (op == BPF_NEG) {
			vlog(env, "(%02x) %c%d = -%c%d\n", in->code, w, in->dst_reg, w, in->dst_reg);
		} else if (op == BPF_MOV && in->off) {
			vlog(env, "(%02x) %c%d = (s%d)%c%d\n", in->code, w, in->dst_reg, in->off, w, in->src_reg);
		} else if (V_SRC(in->code) == BPF_X) {
			vlog(env, "(%02x) %c%d %s%s %c%d\n", in->code, w, in->dst_reg, in->off ? "s" : "",
			     valu_str[op >> 4], w, in->src_reg);
		} else {
			vlog(env, "(%02x) %c%d %s%s %d\n", in->code, w, in->dst_reg, in->off ? "s" : "",
			     valu_str[op >> 4], in->imm);
		}
		break;
	case BPF_STX:
		if (V_MODE(in->code) == BPF_MEM)
			vlog(env, "(%02x) *(%s *)(r%d %+d) = r%d\n", in->code, sz, in->dst_reg, in->off, in->src_reg);
		else if (in->imm == 0)
			vlog(env, "(%02x) lock *(%s *)(r%d %+d) += r%d\n", in->code, sz, in->dst_reg, in->off, in->src_reg);
		else
			vlog(env, "(%02x) atomic 0x%x *(%s *)(r%d %+d) r%d\n", in->code, (unsigned)in->imm, sz, in->dst_reg,
			     in->off, in->src_reg);
		break;
	case BPF_ST:
		vlog(env, "(%02x) *(%s *)(r%d %+d) = %d\n", in->code, sz, in->dst_reg, in->off, in->imm);
		break;
	case BPF_LDX:
		vlog(env, "(%02x) r%d = *(%s%s *)(r%d %+d)\n", in->code, in->dst_reg,
		     V_MODE(in->code) == 0x80 ? "s" : "", V_MODE(in->code) == 0x80 ? sz + 1 : sz, in->src_reg, in->off);
		break;
	case BPF_LD:
		if (V_MODE(in->code) == BPF_ABS) {
			vlog(env, "(%02x) r0 = *(%s *)skb[%d]\n", in->code, sz, in->imm);
		} else if (V_MODE(in->code) == BPF_IND) {
			vlog(env, "(%02x) r0 = *(%s *)skb[r%d + %d]\n", in->code, sz, in->src_reg, in->imm);
		} else {
			uint64_t imm = (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm;
			if (in->src_reg && !env->opts.allow_ptr_leaks)
				imm = 0;
			vlog(env, "(%02x) r%d = 0x%llx\n", in->code, in->dst_reg, (unsigned long long)imm);
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			if (in->src_reg == BPF_PSEUDO_CALL)
				vlog(env, "(%02x) call pc%+d\n", in->code, in->imm);
			else
				vlog(env, "(%02x) call %s#%d\n", in->code, vhelper_name(env, in->imm), in->imm);
		} else if (in->code == (BPF_JMP | BPF_JA)) {
			vlog(env, "(%02x) goto pc%+d\n", in->code, in->off);
		} else if (in->code == (BPF_JMP32 | BPF_JA)) {
			vlog(env, "(%02x) gotol pc%+d\n", in->code, in->imm);
		} else if (in->code == (BPF_JMP | BPF_EXIT)) {
			vlog(env, "(%02x) exit\n", in->code);
		} else if (V_SRC(in->code) == BPF_X) {
			vlog(env, "(%02x) if %c%d %s %c%d goto pc%+d\n", in->code, w, in->dst_reg, jmp_str[op >> 4], w,
			     in->src_reg, in->off);
		} else {
			vlog(env, "(%02x) if %c%d %s 0x%x goto pc%+d\n", in->code, w, in->dst_reg, jmp_str[op >> 4],
			     (unsigned)in->imm, in->off);
		}
		break;
	}
}
