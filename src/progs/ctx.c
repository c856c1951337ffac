/* Context access rules over field tables, the narrow-load tail, and the
 * evaluator checked runs use to access contexts through the rewrites. */
#include "progs/ctx.h"
#include <errno.h>
#include <string.h>

const struct bpfvm_ctx_field *bpfvm_ctx_field_at(const struct bpfvm_ctx_field *fields, uint32_t n, uint32_t off)
{
	for (uint32_t i = 0; i < n; i++)
		if (off >= fields[i].off && off < (uint32_t)fields[i].off + fields[i].size)
			return &fields[i];
	return NULL;
}

static int fields_access(const struct bpfvm_ctx_field *fields, const uint32_t *attach, uint32_t n,
			 uint32_t attach_type, uint32_t off, uint32_t size, int write, enum bpfvm_ctx_reg *reg,
			 const struct bpfvm_ctx_field **field)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EACCES;
	const struct bpfvm_ctx_field *f = bpfvm_ctx_field_at(fields, n, off);
	if (!f || off % size || off + size > (uint32_t)f->off + f->size)
		return -EACCES;
	uint8_t mask = write ? f->write : f->read;
	if (!(mask & CTX_SIZES & CTX_SZ(size)))
		return -EACCES;
	uint32_t am = attach ? attach[f - fields] : 0;
	if (am && (attach_type >= 32 || !(am & (1u << attach_type))))
		return -EACCES;
	if (!write && (f->read & CTX_START) && size < f->size && off != f->off)
		return -EACCES;
	if (reg)
		*reg = (off == f->off && size == f->size) ? (enum bpfvm_ctx_reg)f->reg : CTX_REG_SCALAR;
	if (field)
		*field = f;
	return 0;
}

int bpfvm_ctx_access(const struct bpfvm_prog_type *t, uint32_t attach_type, uint32_t off, uint32_t size,
		     int write, enum bpfvm_ctx_reg *reg, const struct bpfvm_ctx_field **field)
{
	if (!t || !t->ctx_fields)
		return -EACCES;
	return fields_access(t->ctx_fields, t->ctx_attach, t->n_ctx_fields, attach_type, off, size, write, reg,
			     field);
}

int bpfvm_ctx_fields_access(const struct bpfvm_ctx_field *fields, uint32_t n, uint32_t off, uint32_t size,
			    int write, enum bpfvm_ctx_reg *reg, const struct bpfvm_ctx_field **field)
{
	return fields_access(fields, NULL, n, 0, off, size, write, reg, field);
}

int bpfvm_prog_type_has_helper(const struct bpfvm_prog_type *t, uint32_t id)
{
	if (!t || !t->helpers || !id)
		return 0;
	for (const uint16_t *h = t->helpers; *h; h++)
		if (*h == id)
			return 1;
	return 0;
}

int bpfvm_ctx_narrow_tail(struct bpf_insn *out, int n, uint8_t dst, uint32_t off, uint32_t size,
			  uint32_t field_size, uint32_t target_size)
{
	if (size >= field_size || size >= target_size)
		return n;
	uint32_t shift = (off & (field_size - 1)) * 8;
	if (shift)
		out[n++] = CI_RSH32(dst, (int32_t)shift);
	out[n++] = CI_AND32(dst, (int32_t)((1u << (size * 8)) - 1));
	return n;
}

int bpfvm_ctx_convert_identity(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max)
{
	if ((in->code & 0x07) != 0x01 && (in->code & 0x07) != 0x03)
		return -EINVAL;         /* BPF_ST into the context: refused as v5.1 */
	if (max < 1)
		return -E2BIG;
	out[0] = *in;
	return 1;
}

/* Runs a rewrite: only what the converters emit (LDX, STX, ALU imm, MOV,
 * JEQ/JGE imm). Memory is the model's own, so loads and stores are plain. */
static int eval(const struct bpf_insn *p, int n, uint64_t *r)
{
	for (int pc = 0; pc < n; pc++) {
		const struct bpf_insn *in = &p[pc];
		uint64_t imm = (uint64_t)(int64_t)in->imm;
		uint32_t sz = ci_bytes(in->code);
		switch (in->code) {
		case 0x61: case 0x69: case 0x71: case 0x79: {          /* LDX */
			uint64_t v = 0;
			memcpy(&v, (const void *)(uintptr_t)(r[in->src_reg] + (uint64_t)(int64_t)in->off), sz);
			r[in->dst_reg] = v;
			break;
		}
		case 0x63: case 0x6b: case 0x73: case 0x7b:            /* STX */
			memcpy((void *)(uintptr_t)(r[in->dst_reg] + (uint64_t)(int64_t)in->off), &r[in->src_reg], sz);
			break;
		case 0x74: r[in->dst_reg] = (uint32_t)r[in->dst_reg] >> (imm & 31); break;
		case 0x64: r[in->dst_reg] = (uint32_t)((uint32_t)r[in->dst_reg] << (imm & 31)); break;
		case 0x54: r[in->dst_reg] = (uint32_t)r[in->dst_reg] & (uint32_t)imm; break;
		case 0x77: r[in->dst_reg] >>= imm & 63; break;
		case 0x57: r[in->dst_reg] &= imm; break;
		case 0xb7: r[in->dst_reg] = imm; break;
		case 0xbf: r[in->dst_reg] = r[in->src_reg]; break;
		case 0x15: if (r[in->dst_reg] == imm) pc += in->off; break;
		case 0x35: if (r[in->dst_reg] >= imm) pc += in->off; break;
		case 0x05: pc += in->off; break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int bpfvm_ctx_checked_access(const struct bpfvm_prog_type *t, uint32_t attach_type, void *ctx, uint32_t off,
			     uint32_t size, int write, uint64_t *val)
{
	if (!t || !t->convert_ctx_access || bpfvm_ctx_access(t, attach_type, off, size, write, NULL, NULL) < 0)
		return -EACCES;
	/* r1 = the context, r0 = the value: as `r0 = *(size *)(r1 + off)` or
	 * `*(size *)(r1 + off) = r0` would be rewritten. */
	struct bpf_insn in = write ? CI_STX(size, 1, 0, (int16_t)off) : CI_LDX(size, 0, 1, (int16_t)off);
	struct bpf_insn seq[16];
	int n = t->convert_ctx_access(&in, off, seq, 16);
	if (n <= 0)
		return -EACCES;
	uint64_t r[11] = { 0 };
	r[1] = (uint64_t)(uintptr_t)ctx;
	r[0] = write ? *val : 0;
	if (eval(seq, n, r) < 0)
		return -EACCES;
	if (!write)
		*val = r[0];
	return 0;
}
