/* The disassembler's internal interface: whole-program listings in
 * llvm-objdump's layout (for the CLI and tests). The one-instruction
 * formatter is public: bpfvm_disasm_insn() in <bpfvm/bpfvm.h>. */
#ifndef BPFVM_ISA_DISASM_H
#define BPFVM_ISA_DISASM_H
#include <stddef.h>
#include <stdio.h>

struct bpf_insn;

/* Enough for any text bpfvm_disasm_insn() writes (the longest is an atomic
 * fetch op with a negative offset, ~50 characters) and for any listing line
 * (address, 16 bytes of LD_IMM64, text). */
#define BPFVM_DISASM_TEXT_MAX 96
#define BPFVM_DISASM_LINE_MAX 192

enum bpfvm_disasm_flags {
	/* Leave out the bytes column, as llvm-objdump --no-show-raw-insn. */
	BPFVM_DISASM_NO_RAW = 1u << 0,
};

/* One listing line for instruction i, without the newline, as llvm-objdump -d
 * prints it for BPF:
 *     "%8zu:\t" + the instruction's bytes as "xx xx ..." (8, or 16 for
 *     LD_IMM64) + "\t" + the text of bpfvm_disasm_insn()
 * (the address is the instruction index, in decimal, as llvm-objdump shows
 * BPF addresses). Returns what bpfvm_disasm_insn() returns: the slots used,
 * or 0 for an invalid instruction, whose line then shows its 8 bytes and the
 * message; the caller moves on by one slot. buf is always NUL-terminated
 * (truncated if short: BPFVM_DISASM_LINE_MAX always suffices). */
int bpfvm_disasm_line(const struct bpf_insn *insns, size_t insn_cnt, size_t i,
		      unsigned flags, char *buf, size_t buflen);

/* The whole program insns[0..insn_cnt), one line per instruction (each ended
 * by "\n"), into buf like snprintf: at most buflen-1 characters and a NUL are
 * written; returns the length of the whole listing (so a return >= buflen
 * means it was truncated; call with buf NULL, buflen 0 to size it). */
size_t bpfvm_disasm_prog(const struct bpf_insn *insns, size_t insn_cnt, unsigned flags,
			 char *buf, size_t buflen);

/* The same listing written to f. Returns the number of invalid instructions
 * (0 if all were valid), or -EIO if writing failed. */
int bpfvm_disasm_prog_file(const struct bpf_insn *insns, size_t insn_cnt, unsigned flags,
			   FILE *f);

#endif
