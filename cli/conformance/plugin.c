/*
 * bpfvm-conformance-plugin — runs one program for bpf_conformance_runner
 * (github.com/Alan-Jowett/bpf_conformance).
 *
 * The runner's protocol (lib/src/bpf_conformance.cc, tools/bpf_conformance.cc):
 *
 *   PLUGIN [MEM] [PLUGIN_OPTIONS...] [--elf]
 *
 * MEM, present only when the test has a "-- mem" section, is one argument:
 * every byte as two lower-case hex digits followed by two spaces. The
 * program comes on stdin in the same encoding, on one line: raw instructions,
 * or with --elf an ELF64 relocatable file holding them. The program runs with
 * r1 = a writable copy of MEM (NULL without MEM) and r2 = its length.
 *
 * Success: r0 in hex ("0x..."; the runner reads it with stoull(s, 0, 16)) on
 * stdout, exit 0. Failure: one line on stderr, nothing on stdout, exit 1
 * (the program was refused or faulted) or 2 (bad usage or input). For a test
 * with "-- error", the runner compares that stderr line, trailing whitespace
 * stripped, with the expected text.
 *
 * Helper 5 is the one the suite calls (call_unwind_fail.data: "call 5" with
 * r1 = -1; callx.data: "callx %r2" with r2 = 5). In uBPF, where the tests come
 * from, it is the "unwind" helper: it returns r1, and only a 0 result would
 * stop the program. The tests need it to return normally.
 *
 * Input is read liberally: any whitespace between bytes, upper or lower case,
 * several bytes run together ("b4000000") within one token.
 */
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG_NAME "bpfvm-conformance-plugin"
#define DEFAULT_INSN_LIMIT 100000000ull

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* Every failure is reported here: one line on stderr, nothing on stdout.
 * Newlines inside the message would make it several lines; they become
 * spaces. */
static void fail_line(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	size_t n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	fprintf(stderr, "%s\n", buf);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG_NAME " [MEM] [--elf] [--debug] [--insn-limit N] [--program HEX]\n"
		"  MEM      input memory as hex bytes (\"11  22  33  \"); r1 points to a copy, r2 is its length\n"
		"  stdin    the program as hex bytes on one line (an ELF64 object with --elf)\n"
		"  prints r0 as 0x... on success; one line on stderr and a non-zero exit on failure\n"
		"  --elf          stdin holds an ELF file: the code of function \"main\" (or the first\n"
		"                 executable section) is run\n"
		"  --debug        describe the program on stderr before running it\n"
		"  --insn-limit N stop after N jumps and calls (default %llu; 0: no limit)\n"
		"  --program HEX  take the program from this argument instead of stdin\n",
		DEFAULT_INSN_LIMIT);
}

/* ---- hex --------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Decodes whitespace-separated hex bytes. Each token must hold an even
 * number of hex digits. On success *out (malloc'd, NULL when empty) and *len
 * are set and 0 returned; otherwise a message is written to why. */
static int hex_decode(const char *s, size_t slen, uint8_t **out, size_t *len,
		      char *why, size_t whylen)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	*out = NULL;
	*len = 0;
	if (slen / 2 > 0) {
		buf = malloc(slen / 2);
		if (!buf) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	size_t i = 0;
	while (i < slen) {
		if (is_space((unsigned char)s[i])) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < slen && !is_space((unsigned char)s[i])) {
			if (hexval((unsigned char)s[i]) < 0) {
				unsigned char c = (unsigned char)s[i];
				if (c >= 0x20 && c < 0x7f)
					snprintf(why, whylen, "invalid character '%c' at offset %zu (expected hex digits)", c, i);
				else
					snprintf(why, whylen, "invalid byte 0x%02x at offset %zu (expected hex digits)", c, i);
				free(buf);
				return -1;
			}
			i++;
		}
		if ((i - start) % 2) {
			snprintf(why, whylen, "odd number of hex digits in \"%.*s\" at offset %zu",
				 (int)(i - start > 32 ? 32 : i - start), s + start, start);
			free(buf);
			return -1;
		}
		for (size_t k = start; k < i; k += 2)
			buf[n++] = (uint8_t)(hexval((unsigned char)s[k]) << 4 | hexval((unsigned char)s[k + 1]));
	}
	if (n == 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Reads all of stdin. Returns 0, or -1 with why set. */
static int read_stdin(char **out, size_t *len, char *why, size_t whylen)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (;;) {
		if (n == cap) {
			if (cap > SIZE_MAX / 2) {
				free(buf);
				snprintf(why, whylen, "program input too large");
				return -1;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				snprintf(why, whylen, "out of memory");
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, stdin);
		n += got;
		if (got == 0) {
			if (ferror(stdin)) {
				free(buf);
				snprintf(why, whylen, "cannot read the program from stdin: %s", strerror(errno));
				return -1;
			}
			break;
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

/* ---- ELF --------------------------------------------------------------- */

/* A minimal ELF64 little-endian reader: enough for the files the runner
 * writes (bpf_writer_classic: .symtab, one code section, function "main",
 * no relocations). Every offset is bounds-checked. */

static uint64_t rd(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

struct shdr {
	uint32_t name, type;
	uint64_t flags, offset, size, entsize;
	uint32_t link, info;
};

#define SHT_PROGBITS 1
#define SHT_SYMTAB 2
#define SHT_RELA 4
#define SHT_NOBITS 8
#define SHT_REL 9
#define SHF_EXECINSTR 0x4
#define STT_FUNC 2

static int in_bounds(uint64_t off, uint64_t size, size_t total)
{
	return off <= total && size <= total - off;
}

static int elf_section(const uint8_t *f, size_t n, uint64_t shoff, uint16_t shentsize,
		       size_t idx, struct shdr *sh)
{
	const uint8_t *p = f + shoff + (uint64_t)idx * shentsize;
	sh->name = (uint32_t)rd(p, 4);
	sh->type = (uint32_t)rd(p + 4, 4);
	sh->flags = rd(p + 8, 8);
	sh->offset = rd(p + 24, 8);
	sh->size = rd(p + 32, 8);
	sh->link = (uint32_t)rd(p + 40, 4);
	sh->info = (uint32_t)rd(p + 44, 4);
	sh->entsize = rd(p + 56, 8);
	if (sh->type == SHT_NOBITS || sh->type == 0) {
		/* No data in the file: nothing may be read from it. */
		sh->offset = sh->size = 0;
		return 0;
	}
	return in_bounds(sh->offset, sh->size, n) ? 0 : -1;
}

/* The NUL-terminated string at off in section strtab, or NULL. */
static const char *elf_str(const uint8_t *f, const struct shdr *strtab, uint64_t off)
{
	if (off >= strtab->size)
		return NULL;
	const char *s = (const char *)f + strtab->offset + off;
	if (!memchr(s, '\0', strtab->size - off))
		return NULL;
	return s;
}

/* Finds the code to run in the ELF file f[0..n). On success *code points into
 * f and 0 is returned; otherwise why says what is wrong. */
static int elf_extract(const uint8_t *f, size_t n, const uint8_t **code, size_t *code_len,
		       char *why, size_t whylen)
{
	if (n < 4 || memcmp(f, "\x7f" "ELF", 4) != 0) {
		snprintf(why, whylen, "--elf: input is not an ELF file");
		return -1;
	}
	if (n < 64) {
		snprintf(why, whylen, "--elf: truncated ELF header (%zu bytes)", n);
		return -1;
	}
	if (f[4] != 2 || f[5] != 1) {
		snprintf(why, whylen, "--elf: only 64-bit little-endian ELF files are supported");
		return -1;
	}
	uint64_t shoff = rd(f + 40, 8);
	uint16_t shentsize = (uint16_t)rd(f + 58, 2);
	uint16_t shnum = (uint16_t)rd(f + 60, 2);
	uint16_t shstrndx = (uint16_t)rd(f + 62, 2);
	if (shnum == 0 || shentsize < 64 || !in_bounds(shoff, (uint64_t)shnum * shentsize, n)) {
		snprintf(why, whylen, "--elf: bad section header table");
		return -1;
	}
	struct shdr sh, strsh, shstr;
	if (shstrndx >= shnum || elf_section(f, n, shoff, shentsize, shstrndx, &shstr) < 0) {
		snprintf(why, whylen, "--elf: bad section name table");
		return -1;
	}
	/* The section and offset of function "main", else of the first function. */
	long sec = -1;
	uint64_t value = 0, size = 0;
	for (size_t i = 0; i < shnum && sec < 0; i++) {
		if (elf_section(f, n, shoff, shentsize, i, &sh) < 0) {
			snprintf(why, whylen, "--elf: section %zu lies outside the file", i);
			return -1;
		}
		if (sh.type != SHT_SYMTAB)
			continue;
		if (sh.link >= shnum || elf_section(f, n, shoff, shentsize, sh.link, &strsh) < 0 ||
		    sh.entsize < 24) {
			snprintf(why, whylen, "--elf: bad symbol table");
			return -1;
		}
		long first = -1;
		uint64_t fvalue = 0, fsize = 0;
		for (uint64_t off = 0; sh.size >= 24 && off <= sh.size - 24;
		     off = sh.entsize > sh.size - off ? sh.size : off + sh.entsize) {
			const uint8_t *s = f + sh.offset + off;
			uint16_t shndx = (uint16_t)rd(s + 6, 2);
			if ((s[4] & 0xf) != STT_FUNC || shndx == 0 || shndx >= shnum)
				continue;
			const char *name = elf_str(f, &strsh, rd(s, 4));
			if (name && strcmp(name, "main") == 0) {
				sec = shndx;
				value = rd(s + 8, 8);
				size = rd(s + 16, 8);
				break;
			}
			if (first < 0) {
				first = shndx;
				fvalue = rd(s + 8, 8);
				fsize = rd(s + 16, 8);
			}
		}
		if (sec < 0 && first >= 0) {
			sec = first;
			value = fvalue;
			size = fsize;
		}
	}
	if (sec < 0) {
		/* No symbols: the first non-empty executable section. */
		for (size_t i = 0; i < shnum; i++) {
			if (elf_section(f, n, shoff, shentsize, i, &sh) < 0)
				continue;
			if (sh.type == SHT_PROGBITS && (sh.flags & SHF_EXECINSTR) && sh.size) {
				sec = (long)i;
				value = 0;
				size = sh.size;
				break;
			}
		}
	}
	if (sec < 0) {
		snprintf(why, whylen, "--elf: no function \"main\" and no executable section");
		return -1;
	}
	if (elf_section(f, n, shoff, shentsize, (size_t)sec, &sh) < 0 || sh.type != SHT_PROGBITS) {
		snprintf(why, whylen, "--elf: the code section %ld is not in the file", sec);
		return -1;
	}
	if (size == 0 && value <= sh.size)
		size = sh.size - value;
	if (value > sh.size || size > sh.size - value) {
		snprintf(why, whylen, "--elf: function lies outside its section");
		return -1;
	}
	for (size_t i = 0; i < shnum; i++) {
		struct shdr r;
		if (elf_section(f, n, shoff, shentsize, i, &r) < 0)
			continue;
		if ((r.type == SHT_REL || r.type == SHT_RELA) && r.info == (uint32_t)sec && r.size) {
			snprintf(why, whylen, "--elf: relocations are not supported");
			return -1;
		}
	}
	*code = f + sh.offset + value;
	*code_len = (size_t)size;
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* uBPF's "unwind" helper: returns its argument. */
static uint64_t helper_unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfvm_run *run)
{
	(void)r2; (void)r3; (void)r4; (void)r5; (void)run;
	return r1;
}

/* ---- main -------------------------------------------------------------- */

struct opts {
	const char *mem;
	const char *program;
	int elf, debug;
	uint64_t insn_limit;
};

/* Returns 0, 1 (--help was given) or -1 (bad usage, reported). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	o->insn_limit = DEFAULT_INSN_LIMIT;
	int positional = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		/* The runner splits --plugin_options on single spaces: "a  b"
		 * gives an empty argument. */
		if (a[0] == '\0')
			continue;
		if (strcmp(a, "--elf") == 0) {
			o->elf = 1;
		} else if (strcmp(a, "--debug") == 0) {
			o->debug = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return 1;
		} else if (strcmp(a, "--insn-limit") == 0 || strcmp(a, "--program") == 0) {
			if (i + 1 >= argc) {
				fail_line("option %s needs a value (see --help)", a);
				return -1;
			}
			const char *v = argv[++i];
			if (a[2] == 'p') {
				o->program = v;
			} else {
				char *end;
				errno = 0;
				unsigned long long l = strtoull(v, &end, 0);
				if (errno || end == v || *end || v[0] == '-') {
					fail_line("--insn-limit: \"%s\" is not a number", v);
					return -1;
				}
				o->insn_limit = l;
			}
		} else if (a[0] == '-' && a[1] == '-') {
			fail_line("unknown option \"%s\" (see --help)", a);
			return -1;
		} else if (positional++ == 0) {
			o->mem = a;
		} else {
			fail_line("unexpected argument \"%.40s\": memory was already given (see --help)", a);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	int pr = parse_args(argc, argv, &o);
	if (pr == 1) {
		usage(stdout);
		return 0;
	}
	if (pr < 0)
		return EXIT_USAGE;

	int rc = EXIT_USAGE;
	char why[512] = "";
	char *text = NULL;
	uint8_t *mem = NULL, *prog = NULL;
	struct bpf_insn *insns = NULL;
	struct bpfvm *vm = NULL;
	struct bpfvm_exec *e = NULL;
	size_t mem_len = 0, prog_len = 0, text_len = 0;

	if (o.mem && hex_decode(o.mem, strlen(o.mem), &mem, &mem_len, why, sizeof(why)) < 0) {
		fail_line("invalid memory argument: %s", why);
		goto out;
	}
	const char *src;
	if (o.program) {
		src = o.program;
		text_len = strlen(o.program);
	} else {
		if (read_stdin(&text, &text_len, why, sizeof(why)) < 0) {
			fail_line("%s", why);
			goto out;
		}
		src = text;
	}
	if (hex_decode(src, text_len, &prog, &prog_len, why, sizeof(why)) < 0) {
		fail_line("invalid program: %s", why);
		goto out;
	}
	const uint8_t *code = prog;
	size_t code_len = prog_len;
	if (o.elf && prog_len && elf_extract(prog, prog_len, &code, &code_len, why, sizeof(why)) < 0) {
		fail_line("invalid program: %s", why);
		goto out;
	}
	if (code_len == 0) {
		fail_line("invalid program: empty (expected hex instruction bytes on stdin)");
		goto out;
	}
	if (code_len % sizeof(struct bpf_insn)) {
		fail_line("invalid program: %zu bytes is not a multiple of the instruction size (%zu)",
			  code_len, sizeof(struct bpf_insn));
		goto out;
	}
	size_t n = code_len / sizeof(struct bpf_insn);
	insns = malloc(code_len);
	if (!insns) {
		fail_line("out of memory");
		goto out;
	}
	memcpy(insns, code, code_len);

	if (o.debug) {
		fprintf(stderr, "program: %zu insns; memory: %zu bytes\n", n, mem_len);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %4zu: code=%02x dst=r%u src=r%u off=%d imm=%" PRId32 "\n", i,
				insns[i].code, insns[i].dst_reg, insns[i].src_reg, insns[i].off, insns[i].imm);
	}

	rc = EXIT_REFUSED;
	vm = bpfvm_new();
	if (!vm) {
		fail_line("bpfvm_new failed");
		goto out;
	}
	static const struct bpfvm_helper_proto unwind = {
		.name = "unwind",
		.fn = helper_unwind,
		.ret_type = BPFVM_RET_INTEGER,
		.arg_type = { BPFVM_ARG_ANYTHING },
	};
	int err = bpfvm_register_helper(vm, 5, &unwind);
	if (err < 0) {
		fail_line("cannot register helper 5: %s", strerror(-err));
		goto out;
	}

	struct bpfvm_exec_opts eo = {
		.sz = sizeof(eo),
		.isa = BPFVM_ISA_V4,
		.insn_limit = o.insn_limit,
	};
	why[0] = '\0';
	err = bpfvm_exec_new(vm, insns, n, &eo, &e, why, sizeof(why));
	if (err != 0 || !e) {
		fail_line("program refused: %s", why[0] ? why : err < 0 ? strerror(-err) : "bpfvm_exec_new failed");
		goto out;
	}
	uint64_t r0 = 0;
	why[0] = '\0';
	err = bpfvm_exec_run(e, mem, mem_len, &r0, why, sizeof(why));
	if (err != 0) {
		/* Only a negative errno is documented; anything else non-zero is a
		 * failure too. */
		if (why[0])
			fail_line("program failed: %s", why);
		else if (err < 0)
			fail_line("program failed: %s", strerror(-err));
		else
			fail_line("program failed: bpfvm_exec_run returned %d", err);
		goto out;
	}
	if (o.debug)
		fprintf(stderr, "r0 = 0x%" PRIx64 "\n", r0);
	printf("0x%" PRIx64 "\n", r0);
	if (fflush(stdout) != 0) {
		fail_line("cannot write the result: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (e)
		bpfvm_exec_free(e);
	if (vm)
		bpfvm_free(vm);
	free(insns);
	free(prog);
	free(text);
	free(mem);
	return rc;
}
