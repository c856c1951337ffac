/*
 * The instruction set, described once.
 *
 * Every instruction bpfvm knows is one line of BPFVM_OPCODES. A line is
 *   X(NAME, CODE, DISC, DVAL, ISA, KIND, SYM)
 * NAME  unique handler name (the interpreter's label, the decoder's id)
 * CODE  the opcode byte
 * DISC  which other field tells instructions with the same CODE apart:
 *       D_NONE, D_OFF (off == DVAL) or D_IMM (imm == DVAL)
 * ISA   level that introduced it (ISA_V51, ISA_ATOMICS = Linux 5.12, ISA_V4)
 * KIND  operand shape: drives the validator's reserved-field rules and the
 *       disassembler's syntax
 * SYM   the operator as llvm-objdump prints it
 *
 * The validator, the decoder, the interpreter's label table and the
 * disassembler are all generated from this list: adding an instruction is
 * one line here plus its handler in interp/.
 */
#ifndef BPFVM_ISA_OPCODES_H
#define BPFVM_ISA_OPCODES_H

/* Instruction classes and fields (the values are the ABI's; kept here so that
 * the ISA core does not depend on the big uapi header). */
#define OPC_LD    0x00
#define OPC_LDX   0x01
#define OPC_ST    0x02
#define OPC_STX   0x03
#define OPC_ALU   0x04
#define OPC_JMP   0x05
#define OPC_JMP32 0x06
#define OPC_ALU64 0x07
#define OPC_CLASS(c) ((c) & 0x07)
#define OPC_K 0x00
#define OPC_X 0x08
#define OPC_SIZE_W  0x00
#define OPC_SIZE_H  0x08
#define OPC_SIZE_B  0x10
#define OPC_SIZE_DW 0x18

/* One ALU operation in its four forms: 32/64 bit, immediate/register. */
#define ALU4(X, N, OP, ISA, SYM)                                         \
	X(N##32_K, 0x04 | (OP), D_OFF, 0, ISA, K_ALU_K, SYM)            \
	X(N##32_X, 0x0c | (OP), D_OFF, 0, ISA, K_ALU_X, SYM)            \
	X(N##64_K, 0x07 | (OP), D_OFF, 0, ISA, K_ALU_K, SYM)            \
	X(N##64_X, 0x0f | (OP), D_OFF, 0, ISA, K_ALU_X, SYM)
/* The signed variants of cpu v4 share the opcode, with off == 1. */
#define ALU4S(X, N, OP, SYM)                                             \
	X(N##32_K, 0x04 | (OP), D_OFF, 1, ISA_V4, K_ALU_K, SYM)         \
	X(N##32_X, 0x0c | (OP), D_OFF, 1, ISA_V4, K_ALU_X, SYM)         \
	X(N##64_K, 0x07 | (OP), D_OFF, 1, ISA_V4, K_ALU_K, SYM)         \
	X(N##64_X, 0x0f | (OP), D_OFF, 1, ISA_V4, K_ALU_X, SYM)
/* A conditional jump in its four forms: 64/32-bit compare, imm/reg. */
#define JMP4(X, N, OP, ISA, SYM)                                         \
	X(N##_K,   0x05 | (OP), D_NONE, 0, ISA, K_JCOND_K, SYM)          \
	X(N##_X,   0x0d | (OP), D_NONE, 0, ISA, K_JCOND_X, SYM)          \
	X(N##32_K, 0x06 | (OP), D_NONE, 0, ISA, K_JCOND_K, SYM)          \
	X(N##32_X, 0x0e | (OP), D_NONE, 0, ISA, K_JCOND_X, SYM)
/* An atomic read-modify-write on 32 and 64 bits. */
#define ATOMIC2(X, N, IMM, ISA, SYM)                                     \
	X(N##_W,  0xc3, D_IMM, IMM, ISA, K_ATOMIC, SYM)                  \
	X(N##_DW, 0xdb, D_IMM, IMM, ISA, K_ATOMIC, SYM)

#define BPFVM_OPCODES(X)                                                 \
	ALU4(X, ADD, 0x00, ISA_V51, "+=")                                \
	ALU4(X, SUB, 0x10, ISA_V51, "-=")                                \
	ALU4(X, MUL, 0x20, ISA_V51, "*=")                                \
	ALU4(X, DIV, 0x30, ISA_V51, "/=")                                \
	ALU4(X, OR,  0x40, ISA_V51, "|=")                                \
	ALU4(X, AND, 0x50, ISA_V51, "&=")                                \
	ALU4(X, LSH, 0x60, ISA_V51, "<<=")                               \
	ALU4(X, RSH, 0x70, ISA_V51, ">>=")                               \
	ALU4(X, MOD, 0x90, ISA_V51, "%=")                                \
	ALU4(X, XOR, 0xa0, ISA_V51, "^=")                                \
	ALU4(X, MOV, 0xb0, ISA_V51, "=")                                 \
	ALU4(X, ARSH, 0xc0, ISA_V51, "s>>=")                             \
	ALU4S(X, SDIV, 0x30, "s/=")                                      \
	ALU4S(X, SMOD, 0x90, "s%=")                                      \
	X(NEG32, 0x84, D_NONE, 0, ISA_V51, K_NEG, "-")                   \
	X(NEG64, 0x87, D_NONE, 0, ISA_V51, K_NEG, "-")                   \
	X(MOVSX8_32,  0xbc, D_OFF, 8,  ISA_V4, K_MOVSX, "s8")            \
	X(MOVSX16_32, 0xbc, D_OFF, 16, ISA_V4, K_MOVSX, "s16")           \
	X(MOVSX8_64,  0xbf, D_OFF, 8,  ISA_V4, K_MOVSX, "s8")            \
	X(MOVSX16_64, 0xbf, D_OFF, 16, ISA_V4, K_MOVSX, "s16")           \
	X(MOVSX32_64, 0xbf, D_OFF, 32, ISA_V4, K_MOVSX, "s32")           \
	X(LE16, 0xd4, D_IMM, 16, ISA_V51, K_END, "le16")                 \
	X(LE32, 0xd4, D_IMM, 32, ISA_V51, K_END, "le32")                 \
	X(LE64, 0xd4, D_IMM, 64, ISA_V51, K_END, "le64")                 \
	X(BE16, 0xdc, D_IMM, 16, ISA_V51, K_END, "be16")                 \
	X(BE32, 0xdc, D_IMM, 32, ISA_V51, K_END, "be32")                 \
	X(BE64, 0xdc, D_IMM, 64, ISA_V51, K_END, "be64")                 \
	X(BSWAP16, 0xd7, D_IMM, 16, ISA_V4, K_END, "bswap16")            \
	X(BSWAP32, 0xd7, D_IMM, 32, ISA_V4, K_END, "bswap32")            \
	X(BSWAP64, 0xd7, D_IMM, 64, ISA_V4, K_END, "bswap64")            \
	X(JA, 0x05, D_NONE, 0, ISA_V51, K_JA, "goto")                    \
	X(GOTOL, 0x06, D_NONE, 0, ISA_V4, K_GOTOL, "gotol")              \
	JMP4(X, JEQ,  0x10, ISA_V51, "==")                               \
	JMP4(X, JGT,  0x20, ISA_V51, ">")                                \
	JMP4(X, JGE,  0x30, ISA_V51, ">=")                               \
	JMP4(X, JSET, 0x40, ISA_V51, "&")                                \
	JMP4(X, JNE,  0x50, ISA_V51, "!=")                               \
	JMP4(X, JSGT, 0x60, ISA_V51, "s>")                               \
	JMP4(X, JSGE, 0x70, ISA_V51, "s>=")                              \
	JMP4(X, JLT,  0xa0, ISA_V51, "<")                                \
	JMP4(X, JLE,  0xb0, ISA_V51, "<=")                               \
	JMP4(X, JSLT, 0xc0, ISA_V51, "s<")                               \
	JMP4(X, JSLE, 0xd0, ISA_V51, "s<=")                              \
	X(CALL, 0x85, D_NONE, 0, ISA_V51, K_CALL, "call")                \
	X(CALLX, 0x8d, D_NONE, 0, ISA_V4, K_CALLX, "callx")              \
	X(EXIT, 0x95, D_NONE, 0, ISA_V51, K_EXIT, "exit")                \
	X(LDDW, 0x18, D_NONE, 0, ISA_V51, K_LDDW, "ll")                  \
	X(LDABS_W, 0x20, D_NONE, 0, ISA_V51, K_LDABS, "u32")             \
	X(LDABS_H, 0x28, D_NONE, 0, ISA_V51, K_LDABS, "u16")             \
	X(LDABS_B, 0x30, D_NONE, 0, ISA_V51, K_LDABS, "u8")              \
	X(LDIND_W, 0x40, D_NONE, 0, ISA_V51, K_LDIND, "u32")             \
	X(LDIND_H, 0x48, D_NONE, 0, ISA_V51, K_LDIND, "u16")             \
	X(LDIND_B, 0x50, D_NONE, 0, ISA_V51, K_LDIND, "u8")              \
	X(LDX_W,  0x61, D_NONE, 0, ISA_V51, K_LDX, "u32")                \
	X(LDX_H,  0x69, D_NONE, 0, ISA_V51, K_LDX, "u16")                \
	X(LDX_B,  0x71, D_NONE, 0, ISA_V51, K_LDX, "u8")                 \
	X(LDX_DW, 0x79, D_NONE, 0, ISA_V51, K_LDX, "u64")                \
	X(LDXSX_W, 0x81, D_NONE, 0, ISA_V4, K_LDX, "s32")                \
	X(LDXSX_H, 0x89, D_NONE, 0, ISA_V4, K_LDX, "s16")                \
	X(LDXSX_B, 0x91, D_NONE, 0, ISA_V4, K_LDX, "s8")                 \
	X(ST_W,  0x62, D_NONE, 0, ISA_V51, K_ST, "u32")                  \
	X(ST_H,  0x6a, D_NONE, 0, ISA_V51, K_ST, "u16")                  \
	X(ST_B,  0x72, D_NONE, 0, ISA_V51, K_ST, "u8")                   \
	X(ST_DW, 0x7a, D_NONE, 0, ISA_V51, K_ST, "u64")                  \
	X(STX_W,  0x63, D_NONE, 0, ISA_V51, K_STX, "u32")                \
	X(STX_H,  0x6b, D_NONE, 0, ISA_V51, K_STX, "u16")                \
	X(STX_B,  0x73, D_NONE, 0, ISA_V51, K_STX, "u8")                 \
	X(STX_DW, 0x7b, D_NONE, 0, ISA_V51, K_STX, "u64")                \
	ATOMIC2(X, XADD,      0x00, ISA_V51,     "+=")                   \
	ATOMIC2(X, AFETCH_ADD, 0x01, ISA_ATOMICS, "fetch_add")           \
	ATOMIC2(X, AOR,       0x40, ISA_ATOMICS, "|=")                   \
	ATOMIC2(X, AFETCH_OR, 0x41, ISA_ATOMICS, "fetch_or")             \
	ATOMIC2(X, AAND,      0x50, ISA_ATOMICS, "&=")                   \
	ATOMIC2(X, AFETCH_AND, 0x51, ISA_ATOMICS, "fetch_and")           \
	ATOMIC2(X, AXOR,      0xa0, ISA_ATOMICS, "^=")                   \
	ATOMIC2(X, AFETCH_XOR, 0xa1, ISA_ATOMICS, "fetch_xor")           \
	ATOMIC2(X, AXCHG,     0xe1, ISA_ATOMICS, "xchg")                 \
	ATOMIC2(X, ACMPXCHG,  0xf1, ISA_ATOMICS, "cmpxchg")

enum bpfvm_disc { D_NONE, D_OFF, D_IMM };
enum bpfvm_isa_level { ISA_V51, ISA_ATOMICS, ISA_V4 };
enum bpfvm_kind {
	K_ALU_K, K_ALU_X, K_NEG, K_MOVSX, K_END, K_JA, K_GOTOL, K_JCOND_K, K_JCOND_X,
	K_CALL, K_CALLX, K_EXIT, K_LDDW, K_LDABS, K_LDIND, K_LDX, K_ST, K_STX, K_ATOMIC,
};

/* Handler ids: OP_ADD32_K, ... then the decoder's internal pseudo-ops. */
enum bpfvm_op {
#define X(NAME, CODE, DISC, DVAL, ISA, KIND, SYM) OP_##NAME,
	BPFVM_OPCODES(X)
#undef X
	OP__COUNT,
};

struct bpfvm_opinfo {
	const char *name;
	unsigned char code;
	unsigned char disc;     /* enum bpfvm_disc */
	unsigned char isa;      /* enum bpfvm_isa_level */
	unsigned char kind;     /* enum bpfvm_kind */
	int dval;
	const char *sym;
};

extern const struct bpfvm_opinfo bpfvm_opinfo[OP__COUNT];

struct bpf_insn;
/* The table entry that `insn` is, or -1 if it matches none. */
int bpfvm_op_lookup(const struct bpf_insn *insn);

#endif
