/* BTF from clang: small C sources under tests/data/btf/ compiled at test
 * time (clang -O2 -g -target bpf), their .BTF made loadable the way libbpf
 * makes it (DATASEC sizes and variable offsets filled in from the ELF
 * sections and symbols), and one program section linked with .text and its
 * .BTF.ext func_info/line_info. */
#ifndef BPFVM_TEST_BTF_CLANGOBJ_H
#define BPFVM_TEST_BTF_CLANGOBJ_H
#include <stddef.h>
#include <stdint.h>

struct clang_obj {
	uint8_t *btf;                   /* .BTF, fixed up */
	uint32_t btf_size;
	uint8_t *insns;                 /* prog_sec followed by .text, calls fixed */
	uint32_t insn_cnt;
	uint8_t *func_info;             /* 8-byte records, insn_off in instructions */
	uint32_t func_info_cnt;
	uint8_t *line_info;             /* 16-byte records */
	uint32_t line_info_cnt;
};

/* Compiles src to a temporary object and reads it. 0, or -1 with why. */
int clang_obj_load(const char *src, const char *prog_sec, struct clang_obj *o, char *why, size_t len);
void clang_obj_free(struct clang_obj *o);
/* What libbpf does for kernels without FUNC linkage (before 5.6): every
 * FUNC's vlen set to 0. Returns how many it changed. */
int btf_sanitize_func_linkage(uint8_t *btf, uint32_t size);
#endif
