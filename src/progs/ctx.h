/* Shared machinery of the context rewrites: instruction builders, the
 * narrow-load tail of the v5.1 verifier, and a tiny evaluator that runs a
 * rewrite on the model, which is how checked runs access the context (so
 * that checked and verified programs see exactly the same fields). */
#ifndef BPFVM_PROGS_CTX_H
#define BPFVM_PROGS_CTX_H
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "progs/progs.h"

/* Instruction builders (raw opcodes, so that no header's macros clash). */
#define CI(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define CI_SZ(bytes) ((bytes) == 1 ? 0x10 : (bytes) == 2 ? 0x08 : (bytes) == 4 ? 0x00 : 0x18)
#define CI_LDX(bytes, d, s, o) CI(0x61 | CI_SZ(bytes), d, s, o, 0)
#define CI_STX(bytes, d, s, o) CI(0x63 | CI_SZ(bytes), d, s, o, 0)
#define CI_RSH32(d, i)  CI(0x74, d, 0, 0, i)
#define CI_LSH32(d, i)  CI(0x64, d, 0, 0, i)
#define CI_AND32(d, i)  CI(0x54, d, 0, 0, i)
#define CI_MOV64I(d, i) CI(0xb7, d, 0, 0, i)
#define CI_JEQI(d, i, o) CI(0x15, d, 0, o, i)
#define CI_JGEI(d, i, o) CI(0x35, d, 0, o, i)

/* Bytes of an LDX/STX/ST (BPF_SIZE). */
static inline uint32_t ci_bytes(uint8_t code)
{
	switch (code & 0x18) {
	case 0x10: return 1;
	case 0x08: return 2;
	case 0x00: return 4;
	default: return 8;
	}
}

static inline int ci_is_load(const struct bpf_insn *in)
{
	return (in->code & 0x07) == 0x01;      /* BPF_LDX */
}

/* The field of `fields` that holds byte `off`, or NULL. */
const struct bpfvm_ctx_field *bpfvm_ctx_field_at(const struct bpfvm_ctx_field *fields, uint32_t n, uint32_t off);

/* The v5.1 verifier's finish of a narrow load (convert_ctx_accesses): when
 * a read of `size` bytes at `off` is smaller than the field's recorded size
 * (`field_size`, 4 for the u32 fields) and smaller than what the rewrite
 * loaded (`target_size`), the value is shifted right by the byte offset in
 * the field and masked. (A read no smaller than target_size gets neither:
 * a 2-byte read of the upper half of `protocol` gives `protocol` itself, in
 * v5.1 as in Linux 6.x.) Appends to out[n]; returns the new count. */
int bpfvm_ctx_narrow_tail(struct bpf_insn *out, int n, uint8_t dst, uint32_t off, uint32_t size,
			  uint32_t field_size, uint32_t target_size);

/* A rewrite that is the access itself: for models that keep the UAPI
 * struct's layout at r1 (the socket types). */
int bpfvm_ctx_convert_identity(const struct bpf_insn *in, uint32_t off, struct bpf_insn *out, int max);

/* Checked runs: performs a context access of `size` bytes at `off` (a load,
 * or a store of *val) as type t's rewrite does on the model at `ctx`.
 * Returns 0 (a load's result in *val) or -EACCES. */
int bpfvm_ctx_checked_access(const struct bpfvm_prog_type *t, uint32_t attach_type, void *ctx, uint32_t off,
			     uint32_t size, int write, uint64_t *val);
#endif
