/* bpfvm disasm: the instructions of an object's programs as they go to
 * PROG_LOAD (subprograms appended, calls relocated), with the source lines
 * of .BTF.ext interleaved as `bpftool prog dump xlated linum` does, map
 * references by name and helpers by name. The object is only opened: no map
 * is created, nothing is verified. */
#include "objcli.h"
#include <string.h>

void cmd_disasm_help(FILE *out)
{
	fputs("usage: bpfvm disasm OBJ [--prog NAME] [--json]\n"
	      "\n"
	      "Prints each program's instructions as loaded: \"INDEX: (OPCODE) TEXT\", with\n"
	      "  ; source line  [file:line]       before the instructions of a source line\n"
	      "  <function>:                       where each function starts\n"
	      "  r1 = map[NAME] ll                 a map reference\n"
	      "  r1 = map[NAME]+OFF ll             a global variable (OFF bytes into the\n"
	      "                                    .data/.rodata/.bss map NAME)\n"
	      "  call bpf_map_lookup_elem#1        a helper call\n"
	      "  call pc+N <function>              a BPF-to-BPF call\n"
	      "  --prog NAME   only this program\n"
	      "  --json        [{\"name\", \"section\", \"type\", \"insns\": [{\"insn\", \"code\",\n"
	      "                \"text\", \"line\"}]}]\n"
	      "\n"
	      "Exit status: 0 on success, 1 if the object cannot be read, 2 on bad usage.\n", out);
}

static const char *func_at(const struct bpfvm_func_sym *f, size_t nf, size_t i)
{
	for (size_t k = 0; k < nf; k++)
		if (f[k].insn == i)
			return f[k].name;
	return NULL;
}

/* The text of instruction i; returns the slots it takes. */
static int insn_text(const struct bpfvm_program *p, const struct bpf_insn *in, size_t n, size_t i,
		     const struct bpfvm_func_sym *f, size_t nf, char *buf, size_t len)
{
	const struct bpf_insn *x = &in[i];
	uint32_t off = 0;
	const struct bpfvm_object_map *m = bpfvm_program_insn_map(p, i, &off);
	if (m && i + 1 < n) {
		if (x->src_reg == BPF_PSEUDO_MAP_VALUE)
			snprintf(buf, len, "r%u = map[%s]+%u ll", x->dst_reg, bpfvm_object_map_name(m), off);
		else
			snprintf(buf, len, "r%u = map[%s] ll", x->dst_reg, bpfvm_object_map_name(m));
		return 2;
	}
	if (x->code == (BPF_JMP | BPF_CALL) && x->src_reg == 0 && cli_helper_name(x->imm)) {
		snprintf(buf, len, "call %s#%d", cli_helper_name(x->imm), x->imm);
		return 1;
	}
	if (x->code == (BPF_JMP | BPF_CALL) && x->src_reg == BPF_PSEUDO_CALL) {
		const char *callee = func_at(f, nf, i + 1 + (size_t)(int64_t)x->imm);
		snprintf(buf, len, "call pc%+d%s%s%s", x->imm, callee ? " <" : "", callee ? callee : "",
			 callee ? ">" : "");
		return 1;
	}
	int k = bpfvm_disasm_insn(in, n, i, buf, len);
	return k > 0 ? k : 1;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void line_json(struct jw *w, const struct bpfvm_line_info *l)
{
	jw_key(w, "line");
	jw_obj(w);
	jw_key(w, "file");
	jw_str(w, l->file);
	jw_key(w, "line");
	jw_u64(w, l->line);
	jw_key(w, "col");
	jw_u64(w, l->col);
	jw_key(w, "src");
	jw_str(w, l->src);
	jw_obj_end(w);
}

static void dump_prog(const struct bpfvm_program *p, struct jw *w)
{
	size_t n, nl, nf;
	const struct bpf_insn *in = bpfvm_program_insns(p, &n);
	const struct bpfvm_line_info *lines;
	const struct bpfvm_func_sym *funcs;
	nl = bpfvm_program_lines(p, &lines);
	nf = bpfvm_program_funcs(p, &funcs);
	if (w) {
		jw_obj(w);
		jw_key(w, "name");
		jw_str(w, bpfvm_program_name(p));
		jw_key(w, "section");
		jw_str(w, bpfvm_program_section(p));
		jw_key(w, "type");
		jw_str(w, cli_prog_type_name(bpfvm_program_type(p)));
		jw_key(w, "insns");
		jw_arr(w);
	} else {
		printf("%s: section %s, type %s, %zu instructions\n", bpfvm_program_name(p), bpfvm_program_section(p),
		       cli_prog_type_name(bpfvm_program_type(p)), n);
	}
	size_t li = 0;
	const struct bpfvm_line_info *shown = NULL;
	for (size_t i = 0; i < n;) {
		char text[160];
		int k = insn_text(p, in, n, i, funcs, nf, text, sizeof(text));
		const struct bpfvm_line_info *l = NULL;
		while (li < nl && lines[li].insn <= i) {
			if (lines[li].insn == i)
				l = &lines[li];
			li++;
		}
		const char *fn = func_at(funcs, nf, i);
		if (w) {
			char code[8];
			snprintf(code, sizeof(code), "0x%02x", in[i].code);
			jw_obj(w);
			jw_key(w, "insn");
			jw_u64(w, i);
			jw_key(w, "code");
			jw_str(w, code);
			jw_key(w, "text");
			jw_str(w, text);
			if (fn) {
				jw_key(w, "func");
				jw_str(w, fn);
			}
			if (l)
				line_json(w, l);
			jw_obj_end(w);
		} else {
			if (fn)
				printf("<%s>:\n", fn);
			if (l && l->line == 0)
				l = NULL;       /* compiler-made code, no source line */
			if (l && (!shown || shown->line != l->line || strcmp(shown->file, l->file) || fn)) {
				const char *src = l->src;
				while (*src == ' ' || *src == '\t')
					src++;
				printf("; %s  [%s:%u]\n", src, base_name(l->file), l->line);
				shown = l;
			}
			printf("%4zu: (%02x) %s\n", i, in[i].code, text);
		}
		i += (size_t)k;
	}
	if (w) {
		jw_arr_end(w);
		jw_obj_end(w);
	}
}

int cmd_disasm(int argc, char **argv)
{
	struct objcli_opts o = { .cmd = "disasm" };
	for (int i = 1; i < argc; i++) {
		int rc = strcmp(argv[i], "--prog") && strcmp(argv[i], "--json") && argv[i][0] == '-' ? 0 :
			 objcli_option(&o, argc, argv, &i);
		if (rc == EXIT_USAGE)
			return rc;
		if (rc == 0)
			return cli_usage_error("disasm", "unknown option '%s'", argv[i]);
	}
	if (!o.obj)
		return cli_usage_error("disasm", "give an object file (OBJ)");
	struct objcli s;
	int rc = objcli_open(&s, &o, 0);
	if (rc != EXIT_OK) {
		objcli_close(&s);
		return rc;
	}
	struct jw w;
	jw_init(&w, stdout);
	if (o.json)
		jw_arr(&w);
	size_t shown = 0;
	for (size_t i = 0; i < bpfvm_object_program_count(s.obj); i++) {
		const struct bpfvm_program *p = bpfvm_object_program(s.obj, i);
		if (o.prog && p != s.prog)
			continue;
		if (shown++ && !o.json)
			printf("\n");
		dump_prog(p, o.json ? &w : NULL);
	}
	if (o.json)
		jw_arr_end(&w);
	objcli_close(&s);
	return EXIT_OK;
}
