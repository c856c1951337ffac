/* bpfvm: entry point and the table of subcommands. */
#include "cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const struct cli_cmd cli_cmds[] = {
	{ "run", "run a program (raw instructions, or an ELF object over a capture)", cmd_run, cmd_run_help },
	{ "verify", "load an object's programs and print the verifier's verdict", cmd_verify, cmd_verify_help },
	{ "disasm", "print an object's programs with their source lines", cmd_disasm, cmd_disasm_help },
	{ "map", "dump a map of an object (after an optional run)", cmd_map, cmd_map_help },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: bpfvm COMMAND [ARGS...]\n       bpfvm COMMAND --help\n\ncommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("bpfvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "bpfvm %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'bpfvm %s --help')\n", cmd);
	return EXIT_USAGE;
}

uint8_t *cli_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	errno = 0;
	while (buf) {
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	int bad = ferror(f), err = errno;       /* fread's reason (EISDIR, EIO, ...) */
	fclose(f);
	if (bad) {
		free(buf);
		errno = err ? err : EIO;
		return NULL;
	}
	if (!buf)
		errno = ENOMEM;
	*len = n;
	return buf;
}

int cli_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t k = fwrite(data, 1, len, f);
	int rc = fclose(f);
	return (k == len && rc == 0) ? 0 : -1;
}

int cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("bpfvm 0.1.0");
		return EXIT_OK;
	}
	for (const struct cli_cmd *c = cli_cmds; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
				c->help(stdout);
				return EXIT_OK;
			}
		return c->main(argc - 1, argv + 1);
	}
	fprintf(stderr, "bpfvm: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
