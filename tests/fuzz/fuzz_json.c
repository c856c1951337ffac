/* libFuzzer target: the CLI's JSON reader (cli/json.c) and what the CLI
 * builds on it for --map-init: the option parser (objcli_option, which
 * checks NAME=JSON at parse time), the value encoder (integers and byte
 * arrays of a key or value size) and map_init itself on the maps of a
 * small object built here. The CLI sources are compiled into this file
 * (tests/fuzz/run.sh links only the library): cli/main.c (cli_error,
 * cli_parse_u64; its main() renamed), cli/json.c and cli/objcli.c.
 *
 * The first input byte picks what runs, the rest is the text:
 *   0  json_parse, then a walk of the tree, and a round trip: the tree
 *      written with the jw_* writer and read again must be the same tree
 *   1  encode() of a parsed value into a key/value of a fuzzer-chosen size;
 *      an accepted integer must come out as its little-endian bytes
 *   2  objcli_option over an argv made of the NUL-separated text, as
 *      `bpfvm run` parses it; cli_parse_u64 on every argument
 *   3  map_init("NAME=JSON") on a freshly loaded object with maps of
 *      several types and sizes (hash, array, per-CPU, LRU, queue, stack,
 *      LPM trie, prog array)
 * Messages the CLI would print go to /dev/null (stderr is redirected for
 * the CLI code only: sanitizer reports still reach fd 2).
 *
 * Build and run as tests/fuzz/run.sh does:
 *   build-fuzz/fuzz_json -max_total_time=60 build-fuzz/corpus/fuzz_json
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *fuzz_devnull;
#undef stderr
#define stderr fuzz_devnull
#define main bpfvm_cli_main
#include "../../cli/main.c"
#undef main
#include "../../cli/json.c"
#include "../../cli/objcli.c"
#undef stderr

/* main.c's command table names every subcommand; none runs here. */
int cmd_run(int argc, char **argv) { (void)argc; (void)argv; return 0; }
void cmd_run_help(FILE *out) { (void)out; }
int cmd_verify(int argc, char **argv) { (void)argc; (void)argv; return 0; }
void cmd_verify_help(FILE *out) { (void)out; }
int cmd_disasm(int argc, char **argv) { (void)argc; (void)argv; return 0; }
void cmd_disasm_help(FILE *out) { (void)out; }
int cmd_map(int argc, char **argv) { (void)argc; (void)argv; return 0; }
void cmd_map_help(FILE *out) { (void)out; }
/* names.c's, used by objcli.c's messages */
const char *cli_errstr(int err) { return strerror(err); }

#define CHECK_OR_TRAP(c) do { if (!(c)) { fprintf(fuzz_real_stderr(), "fuzz_json: check failed: %s (line %d)\n", \
	#c, __LINE__); __builtin_trap(); } } while (0)

static FILE *fuzz_real_stderr(void)
{
	return stderr;
}

/* ---- mode 0: parse, walk, round trip ---- */

static size_t depth_of(const struct json *v)
{
	size_t d = 0;
	if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
		for (size_t i = 0; i < v->n; i++) {
			size_t k = depth_of(&v->items[i]);
			if (k > d)
				d = k;
		}
	return d + 1;
}

/* Writes v as the CLI's writer would; numbers that are not exact integers
 * (and negatives below INT64_MIN) have no exact form there: null. */
static void write_tree(struct jw *w, const struct json *v)
{
	switch (v->type) {
	case JSON_NULL:
		jw_null(w);
		break;
	case JSON_BOOL:
		jw_bool(w, v->boolean);
		break;
	case JSON_NUMBER:
		if (!v->is_int || (v->neg && v->mag > (1ull << 63)))
			jw_null(w);
		else if (v->neg)
			jw_i64(w, v->mag == (1ull << 63) ? INT64_MIN : -(int64_t)v->mag);
		else
			jw_u64(w, v->mag);
		break;
	case JSON_STRING:
		jw_str(w, v->str);
		break;
	case JSON_ARRAY:
		jw_arr(w);
		for (size_t i = 0; i < v->n; i++)
			write_tree(w, &v->items[i]);
		jw_arr_end(w);
		break;
	case JSON_OBJECT:
		jw_obj(w);
		for (size_t i = 0; i < v->n; i++) {
			jw_key(w, v->keys[i]);
			write_tree(w, &v->items[i]);
		}
		jw_obj_end(w);
		break;
	}
}

/* a (the original) and b (read back) are the same tree, up to what the
 * writer cannot express (see write_tree; strings end at a NUL). */
static int same(const struct json *a, const struct json *b)
{
	if (a->type == JSON_NUMBER && (!a->is_int || (a->neg && a->mag > (1ull << 63))))
		return b->type == JSON_NULL;
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case JSON_NULL:
		return 1;
	case JSON_BOOL:
		return a->boolean == b->boolean;
	case JSON_NUMBER:
		return b->is_int && a->mag == b->mag && (a->neg == b->neg || a->mag == 0);
	case JSON_STRING:
		return !strcmp(a->str, b->str);
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (a->n != b->n)
			return 0;
		for (size_t i = 0; i < a->n; i++) {
			if (a->type == JSON_OBJECT && strcmp(a->keys[i], b->keys[i]))
				return 0;
			if (!same(&a->items[i], &b->items[i]))
				return 0;
		}
		return 1;
	}
	return 0;
}

static void walk(const struct json *v, const char *text, size_t textlen)
{
	char where[64];
	CHECK_OR_TRAP(v->pos <= textlen);
	json_where(text, v->pos, where, sizeof(where));
	if (v->type == JSON_OBJECT) {
		for (size_t i = 0; i < v->n; i++) {
			CHECK_OR_TRAP(v->keys[i]);
			/* the first member of that name */
			const struct json *g = json_get(v, v->keys[i]);
			CHECK_OR_TRAP(g && g <= &v->items[i]);
		}
	}
	if (v->type == JSON_STRING)
		CHECK_OR_TRAP(v->str && strlen(v->str) <= textlen);
	if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
		for (size_t i = 0; i < v->n; i++)
			walk(&v->items[i], text, textlen);
}

static void mode_parse(const char *text, size_t len)
{
	char err[256];
	err[0] = 0;
	struct json *j = json_parse(text, err, sizeof(err));
	if (!j) {
		/* "at offset N (line L, column C): what" */
		CHECK_OR_TRAP(!strncmp(err, "at offset ", 10));
		CHECK_OR_TRAP(strlen(err) < sizeof(err));
		return;
	}
	walk(j, text, len);
	(void)json_get(j, "key");
	/* The writer keeps 64 levels (it is only given the CLI's own,
	 * shallow documents); the reader takes 65. */
	if (depth_of(j) <= 60) {
		char *buf = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&buf, &n);
		if (f) {
			struct jw w;
			jw_init(&w, f);
			write_tree(&w, j);
			fclose(f);
			struct json *k = json_parse(buf, err, sizeof(err));
			if (!k || !same(j, k)) {
				fprintf(stderr, "fuzz_json: round trip differs:\n  in:  %s\n  out: %s\n  %s\n", text, buf,
					k ? "(different tree)" : err);
				__builtin_trap();
			}
			json_free(k);
			free(buf);
		}
	}
	json_free(j);
}

/* ---- mode 1: encode ---- */

static void mode_encode(uint8_t sel, const char *text)
{
	static const uint32_t sizes[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 20, 32, 64, 255, 256, 4096 };
	uint32_t size = sizes[sel % (sizeof(sizes) / sizeof(sizes[0]))];
	char err[256];
	struct json *j = json_parse(text, err, sizeof(err));
	if (!j)
		return;
	struct init_ctx c = { NULL, text, text, "fuzzmap" };
	/* exactly size bytes, so that ASan sees any write past them */
	uint8_t *out = malloc(size ? size : 1);
	if (out && encode(&c, j, "key", out, size) == 0 && j->type == JSON_NUMBER) {
		/* accepted: the value in range, its bytes little-endian and
		 * sign-extended */
		CHECK_OR_TRAP(j->is_int);
		uint64_t v = j->neg ? (uint64_t)0 - j->mag : j->mag;
		if (size == 0)
			CHECK_OR_TRAP(j->mag == 0);
		else if (size < 8 && j->neg && j->mag)
			CHECK_OR_TRAP(j->mag <= (1ull << (8 * size - 1)));
		else if (size < 8)
			CHECK_OR_TRAP(j->mag < (1ull << (8 * size)));
		else if (j->neg)
			CHECK_OR_TRAP(j->mag <= (1ull << 63));
		for (uint32_t i = 0; i < size; i++)
			CHECK_OR_TRAP(out[i] == (i < 8 ? (uint8_t)(v >> (8 * i)) : j->neg && j->mag ? 0xff : 0));
	}
	free(out);
	json_free(j);
}

/* ---- mode 2: options ---- */

static void mode_options(const char *text, size_t len)
{
	char *argv[24];
	int argc = 0;
	argv[argc++] = "run";
	for (size_t i = 0; i < len && argc < 23; i += strlen(text + i) + 1)
		argv[argc++] = (char *)text + i;
	argv[argc] = NULL;
	struct objcli_opts o = { .cmd = "run", .repeat = 1 };
	for (int i = 1; i < argc; i++) {
		uint64_t v;
		if (cli_parse_u64(argv[i], UINT32_MAX, &v) == 0)
			CHECK_OR_TRAP(v <= UINT32_MAX);
		(void)cli_parse_u64(argv[i], UINT64_MAX, &v);
		(void)cli_parse_u64(argv[i], 7, &v);
	}
	int rc = 1;
	for (int i = 1; i < argc && rc == 1; i++) {
		rc = objcli_option(&o, argc, argv, &i);
		CHECK_OR_TRAP(rc == 0 || rc == 1 || rc == EXIT_USAGE);
		CHECK_OR_TRAP(i < argc);
	}
	CHECK_OR_TRAP(o.nmap_init <= OBJCLI_MAX_INIT);
	/* all taken: what was taken is valid (after a usage error the
	 * options are not used) */
	if (rc == 1) {
		CHECK_OR_TRAP(o.repeat >= 1 && o.repeat <= UINT32_MAX);
		for (int k = 0; k < o.nmap_init; k++)
			CHECK_OR_TRAP(strchr(o.map_init[k], '=') && o.map_init[k][0] != '=');
	}
}

/* ---- mode 3: map_init on an object's maps ---- */

struct mdef { const char *name; uint32_t type, key_size, value_size, max_entries, flags; };
static const struct mdef mdefs[] = {
	{ "hash", BPF_MAP_TYPE_HASH, 4, 8, 16, 0 },
	{ "array", BPF_MAP_TYPE_ARRAY, 4, 16, 8, 0 },
	{ "pcpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 4, 0 },
	{ "pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 2, 3, 8, 0 },
	{ "lru", BPF_MAP_TYPE_LRU_HASH, 16, 1, 8, 0 },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0 },
	{ "stack", BPF_MAP_TYPE_STACK, 0, 4, 4, 0 },
	{ "lpm", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16, BPF_F_NO_PREALLOC },
	{ "progs", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 },
	{ "big", BPF_MAP_TYPE_HASH, 64, 256, 4, 0 },
	{ "byte", BPF_MAP_TYPE_ARRAY, 4, 1, 300, 0 },
	{ "wide", BPF_MAP_TYPE_HASH, 9, 9, 4, 0 },
};
#define NMDEFS (sizeof(mdefs) / sizeof(mdefs[0]))

static uint8_t elf_obj[8192];
static size_t elf_len;

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* An ELF object with only a legacy "maps" section (struct bpf_map_def per
 * symbol) and a license: what `clang -target bpf` makes of
 * `struct bpf_map_def SEC("maps") NAME = {...};` without programs. */
static void build_object(void)
{
	uint8_t *b = elf_obj;
	char strtab[512] = "\0.strtab\0maps\0.symtab\0license";
	size_t slen = 1 + 8 + 5 + 8 + 8;
	uint32_t name_off[NMDEFS];
	for (size_t i = 0; i < NMDEFS; i++) {
		name_off[i] = (uint32_t)slen;
		memcpy(strtab + slen, mdefs[i].name, strlen(mdefs[i].name) + 1);
		slen += strlen(mdefs[i].name) + 1;
	}
	size_t off = sizeof(Elf64_Ehdr);
	size_t str_at = off;
	memcpy(b + off, strtab, slen);
	off = align8(off + slen);
	size_t maps_at = off;
	for (size_t i = 0; i < NMDEFS; i++) {
		uint32_t d[5] = { mdefs[i].type, mdefs[i].key_size, mdefs[i].value_size, mdefs[i].max_entries,
				  mdefs[i].flags };
		memcpy(b + off, d, sizeof(d));
		off += sizeof(d);
	}
	size_t maps_len = off - maps_at;
	off = align8(off);
	size_t sym_at = off;
	memset(b + off, 0, sizeof(Elf64_Sym));
	off += sizeof(Elf64_Sym);
	for (size_t i = 0; i < NMDEFS; i++) {
		Elf64_Sym s = { .st_name = name_off[i], .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
				.st_shndx = 2, .st_value = i * 20, .st_size = 20 };
		memcpy(b + off, &s, sizeof(s));
		off += sizeof(s);
	}
	size_t sym_len = off - sym_at;
	size_t lic_at = off;
	memcpy(b + off, "GPL", 4);
	off = align8(off + 4);
	size_t sh_at = off;
	Elf64_Shdr sh[5];
	memset(sh, 0, sizeof(sh));
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = str_at, .sh_size = slen,
			      .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = 9, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
			      .sh_offset = maps_at, .sh_size = maps_len, .sh_addralign = 4 };
	sh[3] = (Elf64_Shdr){ .sh_name = 14, .sh_type = SHT_SYMTAB, .sh_offset = sym_at, .sh_size = sym_len,
			      .sh_link = 1, .sh_info = 1, .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	sh[4] = (Elf64_Shdr){ .sh_name = 22, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
			      .sh_offset = lic_at, .sh_size = 4, .sh_addralign = 1 };
	memcpy(b + sh_at, sh, sizeof(sh));
	off = sh_at + sizeof(sh);
	Elf64_Ehdr eh = { .e_type = ET_REL, .e_machine = 247 /* EM_BPF */, .e_version = EV_CURRENT,
			  .e_shoff = sh_at, .e_ehsize = sizeof(Elf64_Ehdr), .e_shentsize = sizeof(Elf64_Shdr),
			  .e_shnum = 5, .e_shstrndx = 1 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(b, &eh, sizeof(eh));
	elf_len = off;
}

static void mode_map_init(uint8_t sel, const char *text, size_t len)
{
	struct objcli s;
	char err[512];
	memset(&s, 0, sizeof(s));
	s.vm = bpfvm_new();
	if (!s.vm)
		return;
	s.obj = bpfvm_object_open_mem(s.vm, elf_obj, elf_len, "fuzz.bpf.o", err, sizeof(err));
	if (!s.obj) {
		fprintf(stderr, "fuzz_json: the map object does not open: %s\n", err);
		__builtin_trap();
	}
	char log[4096];
	if (bpfvm_object_load(s.obj, log, sizeof(log)) < 0) {
		fprintf(stderr, "fuzz_json: the map object does not load: %s\n", log);
		__builtin_trap();
	}
	/* "NAME=JSON": a map of the object, or (1 in 16) a missing one */
	const char *name = (sel & 0xf0) == 0xf0 ? "nosuchmap" : mdefs[sel % NMDEFS].name;
	size_t nl = strlen(name);
	char *spec = malloc(nl + 1 + len + 1);
	if (spec) {
		memcpy(spec, name, nl);
		spec[nl] = '=';
		memcpy(spec + nl + 1, text, len + 1);
		int rc = map_init(&s, spec);
		CHECK_OR_TRAP(rc == EXIT_OK || rc == EXIT_FAIL);
		free(spec);
	}
	objcli_close(&s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_devnull = fopen("/dev/null", "w");
	if (!fuzz_devnull)
		abort();
	build_object();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 1 << 16)
		return 0;
	uint8_t mode = data[0], sel = data[1];
	/* the text: NUL-terminated, as argv strings are; mode 2 keeps the
	 * NULs inside as argument separators */
	size_t len = size - 2;
	char *text = malloc(len + 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, len);
	text[len] = 0;
	switch (mode % 4) {
	case 0:
		mode_parse(text, strlen(text));
		break;
	case 1:
		mode_encode(sel, text);
		break;
	case 2:
		mode_options(text, len);
		break;
	default:
		mode_map_init(sel, text, strlen(text));
		break;
	}
	free(text);
	return 0;
}
