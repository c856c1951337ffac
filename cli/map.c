/* bpfvm map dump: load an object, optionally run a program over a capture
 * or a file (the options of `bpfvm run`), and dump one map as bpftool
 * does. */
#include "objcli.h"
#include <string.h>

void cmd_map_help(FILE *out)
{
	fputs("usage: bpfvm map dump OBJ --map NAME [--prog NAME] [--pcap IN.pcap | --data-in FILE]\n"
	      "                      [--repeat N] [--map-init NAME=JSON]... [--json]\n"
	      "\n"
	      "Loads OBJ, sets --map-init entries, runs the program over --pcap or --data-in if\n"
	      "given (as 'bpfvm run', without its report), then prints map NAME as\n"
	      "'bpftool map dump' does: \"key: .. value: ..\" lines and \"Found N elements\",\n"
	      "or with --json [{\"key\": [\"0x00\", ...], \"value\": [...]}, ...].\n"
	      "NAME is the map's symbol, or for global data its map or section name\n"
	      "(\"prog.bss\" or \".bss\").\n"
	      "\n"
	      "Exit status: 0 on success, 1 on a bad object, map or input, 2 on bad usage.\n", out);
}

int cmd_map(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("map", "give a subcommand: dump");
	if (strcmp(argv[1], "dump"))
		return cli_usage_error("map", "unknown subcommand '%s' (only: dump)", argv[1]);
	struct objcli_opts o = { .cmd = "map dump", .repeat = 1, .quiet = 1 };
	for (int i = 2; i < argc; i++) {
		int rc = objcli_option(&o, argc, argv, &i);
		if (rc == EXIT_USAGE)
			return rc;
		if (rc == 0)
			return cli_usage_error("map dump", "unknown option '%s'", argv[i]);
	}
	if (!o.obj)
		return cli_usage_error("map dump", "give an object file (OBJ)");
	if (!o.map)
		return cli_usage_error("map dump", "give the map to dump with --map NAME");
	if (o.pcap_in && o.data_in)
		return cli_usage_error("map dump", "--pcap and --data-in cannot be used together");
	if (o.pcap_out || o.data_out)
		return cli_usage_error("map dump", "--write-pcap and --data-out are options of 'bpfvm run'");
	struct objcli s;
	int rc = objcli_open(&s, &o, o.pcap_in || o.data_in);
	const struct bpfvm_object_map *m = NULL;
	if (rc == EXIT_OK && !(m = bpfvm_object_find_map(s.obj, o.map))) {
		char names[512];
		objcli_list_maps(s.obj, names, sizeof(names));
		rc = cli_error("%s: no map '%s' (maps: %s)", o.obj, o.map, names);
	}
	if (rc == EXIT_OK)
		rc = objcli_load(&s, &o);
	uint64_t runs = 0;
	if (rc == EXIT_OK && (o.pcap_in || o.data_in))
		rc = objcli_run(&s, &o, NULL, &runs);
	if (rc == EXIT_OK || runs) {
		struct jw w;
		jw_init(&w, stdout);
		int drc = objcli_dump_map(&s, m, o.json ? &w : NULL, 0);
		rc = rc != EXIT_OK ? rc : drc;
	}
	objcli_close(&s);
	return rc;
}
