/* bpfvm verify: load every program of an object (or one) with a verifier
 * log level, print each log and "OK" or the error; exit 1 if any fails. */
#include "objcli.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What bpfvm_program_load_error() says of a program that was not loaded. */
#define NOT_LOADED (-ENOENT)

void cmd_verify_help(FILE *out)
{
	fputs("usage: bpfvm verify OBJ [--prog NAME] [--log-level N] [--json]\n"
	      "\n"
	      "Loads the object's maps and programs (BPF_PROG_LOAD) and reports, for each\n"
	      "program, the verifier's log and OK or the error.\n"
	      "  --prog NAME       only this program\n"
	      "  --log-level N     PROG_LOAD log_level (0: the log only when a program fails,\n"
	      "                    1: the verifier's decisions, 2: with every state)\n"
	      "  --json            [{\"name\", \"section\", \"type\", \"ok\", \"error\", \"log\"}, ...]\n"
	      "\n"
	      "Exit status: 0 if every program loads, 1 if one fails (or the object is bad),\n"
	      "2 on bad usage.\n", out);
}

static void print_log(const char *log)
{
	if (!log[0])
		return;
	fputs(log, stdout);
	if (log[strlen(log) - 1] != '\n')
		fputc('\n', stdout);
}

static void report(const struct bpfvm_program *p, struct jw *w)
{
	int err = bpfvm_program_load_error(p);
	const char *msg = err == NOT_LOADED ? "not loaded" : cli_errstr(-err);
	if (!w) {
		print_log(bpfvm_program_log(p));
		if (err)
			printf("%s: FAILED (%s)\n", bpfvm_program_name(p), msg);
		else
			printf("%s: OK\n", bpfvm_program_name(p));
		return;
	}
	jw_obj(w);
	jw_key(w, "name");
	jw_str(w, bpfvm_program_name(p));
	jw_key(w, "section");
	jw_str(w, bpfvm_program_section(p));
	jw_key(w, "type");
	jw_str(w, cli_prog_type_name(bpfvm_program_type(p)));
	jw_key(w, "ok");
	jw_bool(w, !err);
	jw_key(w, "error");
	if (err)
		jw_str(w, msg);
	else
		jw_null(w);
	jw_key(w, "log");
	jw_str(w, bpfvm_program_log(p));
	jw_obj_end(w);
}

int cmd_verify(int argc, char **argv)
{
	struct objcli_opts o = { .cmd = "verify" };
	uint64_t level = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--log-level")) {
			if (i + 1 >= argc)
				return cli_usage_error("verify", "--log-level needs a value");
			if (cli_parse_u64(argv[++i], 7, &level) < 0)
				return cli_usage_error("verify", "--log-level needs a level from 0 to 7, not '%s'", argv[i]);
			continue;
		}
		int rc = strcmp(argv[i], "--prog") && strcmp(argv[i], "--json") && argv[i][0] == '-' ? 0 :
			 objcli_option(&o, argc, argv, &i);
		if (rc == EXIT_USAGE)
			return rc;
		if (rc == 0)
			return cli_usage_error("verify", "unknown option '%s'", argv[i]);
	}
	if (!o.obj)
		return cli_usage_error("verify", "give an object file (OBJ)");
	struct objcli s;
	int rc = objcli_open(&s, &o, 0);
	if (rc != EXIT_OK) {
		objcli_close(&s);
		return rc;
	}
	for (size_t i = 0; s.prog && i < bpfvm_object_program_count(s.obj); i++) {
		struct bpfvm_program *p = bpfvm_object_program(s.obj, i);
		bpfvm_program_set_autoload(p, p == s.prog || !o.prog);
	}
	struct bpfvm_object_load_opts lo = { sizeof(lo), (uint32_t)level, BPFVM_OBJECT_LOAD_KEEP_GOING };
	char *log = malloc(1 << 20);
	if (!log) {
		objcli_close(&s);
		return cli_error("out of memory");
	}
	int lrc = bpfvm_object_load_opts(s.obj, &lo, log, 1 << 20);
	/* Warnings and map errors; the programs' own logs come below. */
	for (const char *l = log; *l;) {
		size_t n = strcspn(l, "\n");
		if (!strncmp(l, "warning: ", 9) || !strncmp(l, "map '", 5))
			fprintf(stderr, "bpfvm: %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	free(log);
	int loaded = 0;
	for (size_t i = 0; i < bpfvm_object_program_count(s.obj); i++)
		loaded |= bpfvm_program_fd(bpfvm_object_program(s.obj, i)) >= 0 ||
			  bpfvm_program_load_error(bpfvm_object_program(s.obj, i)) != NOT_LOADED;
	if (lrc < 0 && !loaded) {
		objcli_close(&s);
		return cli_error("%s: loading failed: %s", o.obj, cli_errstr(-lrc));
	}
	struct jw w;
	jw_init(&w, stdout);
	if (o.json)
		jw_arr(&w);
	int failed = 0;
	for (size_t i = 0; i < bpfvm_object_program_count(s.obj); i++) {
		const struct bpfvm_program *p = bpfvm_object_program(s.obj, i);
		if (o.prog && p != s.prog)
			continue;
		report(p, o.json ? &w : NULL);
		failed |= bpfvm_program_load_error(p) != 0;
	}
	if (o.json)
		jw_arr_end(&w);
	objcli_close(&s);
	return failed ? EXIT_FAIL : EXIT_OK;
}
