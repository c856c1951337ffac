/* What the object subcommands (run OBJ, verify, disasm, map dump) share:
 * their options, opening and loading an object with one-line errors,
 * --map-init, running a program over a capture or a file, and printing
 * maps as bpftool does. */
#ifndef BPFVM_CLI_OBJCLI_H
#define BPFVM_CLI_OBJCLI_H
#include "cli.h"
#include "json.h"
#include <bpfvm/bpfvm.h>
#include <bpfvm/object.h>

#define OBJCLI_MAX_INIT 64

struct objcli_opts {
	const char *cmd;                /* "run", "map dump": for usage errors */
	const char *obj;
	const char *prog;
	const char *pcap_in, *pcap_out;
	const char *data_in, *data_out;
	const char *map;                /* map dump */
	const char *map_init[OBJCLI_MAX_INIT];
	int nmap_init;
	uint64_t repeat;
	int trace, json, quiet;         /* quiet: no run report (map dump) */
};

/* Takes argv[*i] (and its value) if it is an option of run/map dump:
 * returns 1 if taken, 0 if not one of ours, or EXIT_USAGE after printing
 * a usage error. */
int objcli_option(struct objcli_opts *o, int argc, char **argv, int *i);

struct objcli {
	struct bpfvm *vm;
	struct bpfvm_object *obj;
	struct bpfvm_program *prog;     /* the one to run */
};

/* Opens o->obj in a new vm and picks the program (--prog, or the only one;
 * need_prog: fail if none can be picked). Returns EXIT_OK or an exit code
 * after printing one line. */
int objcli_open(struct objcli *s, const struct objcli_opts *o, int need_prog);
/* Loads (warnings to stderr) and applies --map-init. */
int objcli_load(struct objcli *s, const struct objcli_opts *o);
void objcli_close(struct objcli *s);
/* "OBJ has programs a, b" style lists. */
void objcli_list_programs(const struct bpfvm_object *obj, char *buf, size_t n);
void objcli_list_maps(const struct bpfvm_object *obj, char *buf, size_t n);

/* Runs s->prog over --pcap or --data-in (or nothing), printing the report
 * unless quiet; the JSON report stays open (the caller adds "maps" and
 * closes it) when w is given. *runs: how many test runs were made. */
int objcli_run(struct objcli *s, const struct objcli_opts *o, struct jw *w, uint64_t *runs);

/* Prints a map's entries as `bpftool map dump` (plain), or as a JSON array
 * of entries (w). header: a first line naming the map (plain). */
enum {
	DUMP_HEADER = 1 << 0,           /* a line naming the map first */
	DUMP_SKIP_ZERO = 1 << 1,        /* arrays: leave out all-zero elements (text only) */
};
int objcli_dump_map(struct objcli *s, const struct bpfvm_object_map *m, struct jw *w, int flags);

/* names.c */
const char *cli_prog_type_name(uint32_t type);
const char *cli_map_type_name(uint32_t type);
const char *cli_helper_name(int32_t id);        /* NULL if unknown */
const char *cli_errstr(int err);                 /* err > 0; knows ENOTSUPP */
#endif
