/* bpf2c: turns the BPF objects of bench/progs (clang -target bpf) into C
 * arrays of instructions, plus the table of programs the harness runs.
 *
 *   bpf2c OUT.c progs/NAME.bpf.o ...
 *
 * Each object must hold exactly one function, bench_NAME, filling its .text
 * and needing no relocation (no calls to other functions, no global data):
 * then its instructions run unchanged in bpfvm and, after a prolog, in the
 * kernel. A plain <elf.h> reader: the harness must not depend on libbpf. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

static int fail(const char *path, const char *what)
{
	fprintf(stderr, "bpf2c: %s: %s\n", path, what);
	return -1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *b = realloc(buf, cap);
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* "dir/sum.bpf.o" -> "sum" */
static void prog_name(const char *path, char *name, size_t len)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strcspn(b, ".");
	if (n >= len)
		n = len - 1;
	memcpy(name, b, n);
	name[n] = 0;
}

static int in_file(size_t flen, uint64_t off, uint64_t size)
{
	return off <= flen && size <= flen - off;
}

/* Emits `static const struct bpf_insn bpf_NAME[]` for one object. */
static int convert(const char *path, const char *name, FILE *out)
{
	size_t flen;
	unsigned char *f = slurp(path, &flen);
	if (!f)
		return fail(path, strerror(errno));
	int rc = -1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
	if (flen < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_BPF) {
		fail(path, "not a little-endian 64-bit BPF ELF object");
		goto out;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !in_file(flen, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
	    eh->e_shstrndx >= eh->e_shnum) {
		fail(path, "bad section header table");
		goto out;
	}
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	if (!in_file(flen, strs->sh_offset, strs->sh_size)) {
		fail(path, "bad section name table");
		goto out;
	}
	int text = -1, symtab = -1;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= strs->sh_size)
			continue;
		const char *sn = (const char *)f + strs->sh_offset + sh[i].sh_name;
		if (!strcmp(sn, ".text"))
			text = i;
		if (sh[i].sh_type == SHT_SYMTAB)
			symtab = i;
	}
	if (text < 0 || symtab < 0 || !in_file(flen, sh[text].sh_offset, sh[text].sh_size) ||
	    sh[text].sh_size == 0 || sh[text].sh_size % 8) {
		fail(path, "no .text of whole instructions, or no symbol table");
		goto out;
	}
	for (int i = 0; i < eh->e_shnum; i++)
		if ((sh[i].sh_type == SHT_REL || sh[i].sh_type == SHT_RELA) && (int)sh[i].sh_info == text &&
		    sh[i].sh_size) {
			fail(path, ".text has relocations (a call or global data): not self-contained");
			goto out;
		}
	/* The entry must be bench_NAME at offset 0, covering all of .text. */
	char want[96];
	snprintf(want, sizeof(want), "bench_%.80s", name);
	const Elf64_Shdr *st = &sh[symtab];
	if (st->sh_link >= eh->e_shnum || !in_file(flen, st->sh_offset, st->sh_size) ||
	    !in_file(flen, sh[st->sh_link].sh_offset, sh[st->sh_link].sh_size)) {
		fail(path, "bad symbol table");
		goto out;
	}
	const Elf64_Sym *syms = (const Elf64_Sym *)(f + st->sh_offset);
	const char *symstr = (const char *)f + sh[st->sh_link].sh_offset;
	int found = 0;
	for (size_t i = 0; i < st->sh_size / sizeof(Elf64_Sym); i++) {
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC || syms[i].st_name >= sh[st->sh_link].sh_size)
			continue;
		if (strcmp(symstr + syms[i].st_name, want) != 0) {
			fail(path, "a second function in .text");
			goto out;
		}
		if (syms[i].st_shndx != text || syms[i].st_value != 0 || syms[i].st_size != sh[text].sh_size) {
			fail(path, "the function does not fill .text");
			goto out;
		}
		found = 1;
	}
	if (!found) {
		fprintf(stderr, "bpf2c: %s: no function %s\n", path, want);
		goto out;
	}
	fprintf(out, "static const struct bpf_insn bpf_%s[] = {\n", name);
	const unsigned char *p = f + sh[text].sh_offset;
	for (uint64_t i = 0; i < sh[text].sh_size / 8; i++, p += 8) {
		int16_t off = (int16_t)(p[2] | p[3] << 8);
		int32_t imm = (int32_t)((uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24);
		fprintf(out, "\t{ .code = 0x%02x, .dst_reg = %u, .src_reg = %u, .off = %d, .imm = %ld },\n", p[0],
			p[1] & 0xf, p[1] >> 4, off, (long)imm);
	}
	fprintf(out, "};\n");
	rc = 0;
out:
	free(f);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bpf2c OUT.c NAME.bpf.o...\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out) {
		fprintf(stderr, "bpf2c: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	char names[64][64];
	int n = argc - 2;
	if (n > 64) {
		fprintf(stderr, "bpf2c: too many programs\n");
		return 2;
	}
	fprintf(out, "/* Generated by bench/bpf2c from bench/progs: do not edit. */\n#include \"bench.h\"\n\n");
	for (int i = 0; i < n; i++) {
		prog_name(argv[i + 2], names[i], sizeof(names[i]));
		fprintf(out, "uint64_t bench_%s(uint8_t *mem, uint64_t len);\n", names[i]);
		if (convert(argv[i + 2], names[i], out) < 0) {
			fclose(out);
			remove(argv[1]);
			return 1;
		}
	}
	fprintf(out, "\nconst struct bench_prog bench_progs[] = {\n");
	for (int i = 0; i < n; i++)
		fprintf(out, "\t{ \"%s\", bench_%s, bpf_%s, sizeof(bpf_%s) / sizeof(bpf_%s[0]) },\n", names[i],
			names[i], names[i], names[i], names[i]);
	fprintf(out, "};\nconst unsigned int bench_nprogs = %d;\n", n);
	if (fclose(out) != 0) {
		remove(argv[1]);
		return 1;
	}
	return 0;
}
