/* The bpfvm tool: shared declarations of the subcommands. */
#ifndef BPFVM_CLI_H
#define BPFVM_CLI_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes scripts can rely on. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_cmd {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
	void (*help)(FILE *out);
};

extern const struct cli_cmd cli_cmds[];

/* One-line error to stderr, prefixed "bpfvm: "; returns EXIT_FAIL. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a whole file; NULL with errno on failure. */
uint8_t *cli_read_file(const char *path, size_t *len);
int cli_write_file(const char *path, const void *data, size_t len);
/* Parses an unsigned decimal/hex number in [0, max]; -1 if malformed. */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

int cmd_run(int argc, char **argv);
void cmd_run_help(FILE *out);
int cmd_verify(int argc, char **argv);
void cmd_verify_help(FILE *out);
int cmd_disasm(int argc, char **argv);
void cmd_disasm_help(FILE *out);
int cmd_map(int argc, char **argv);
void cmd_map_help(FILE *out);
#endif
