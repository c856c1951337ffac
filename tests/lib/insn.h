/* Instruction builders for tests: I(code, dst, src, off, imm) and friends. */
#ifndef BPFVM_TEST_INSN_H
#define BPFVM_TEST_INSN_H
#include <bpfvm/bpfvm.h>

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)  I(0xb7, d, 0, 0, i)
#define MOV64_REG(d, s)  I(0xbf, d, s, 0, 0)
#define MOV32_IMM(d, i)  I(0xb4, d, 0, 0, i)
#define ALU64_IMM(op, d, i) I(0x07 | (op), d, 0, 0, i)
#define ALU64_REG(op, d, s) I(0x0f | (op), d, s, 0, 0)
#define ALU32_IMM(op, d, i) I(0x04 | (op), d, 0, 0, i)
#define ALU32_REG(op, d, s) I(0x0c | (op), d, s, 0, 0)
#define LD_IMM64(d, v)   I(0x18, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)), I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LDX(sz, d, s, o) I(0x61 | (sz), d, s, o, 0)   /* sz: 0 W, 0x08 H, 0x10 B, 0x18 DW */
#define STX(sz, d, s, o) I(0x63 | (sz), d, s, o, 0)
#define ST(sz, d, o, i)  I(0x62 | (sz), d, 0, o, i)
#define JMP_IMM(op, d, i, o) I(0x05 | (op), d, 0, o, i)
#define JMP_REG(op, d, s, o) I(0x0d | (op), d, s, o, 0)
#define JA(o)            I(0x05, 0, 0, o, 0)
#define CALL(id)         I(0x85, 0, 0, 0, id)
#define CALL_LOCAL(rel)  I(0x85, 0, 1, 0, rel)
#define EXIT()           I(0x95, 0, 0, 0, 0)
#endif
