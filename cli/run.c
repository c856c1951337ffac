/* bpfvm run: run a program. --raw takes a file of little-endian
 * instructions; r1 points at a writable copy of --mem, r2 is its length.
 * Otherwise the program comes from an ELF object (see objcli.h): loaded,
 * run over a capture or a file with BPF_PROG_TEST_RUN, its maps shown. */
#include "cli.h"
#include "objcli.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cmd_run_help(FILE *out)
{
	fputs("usage: bpfvm run OBJ [--prog NAME] [--pcap IN.pcap] [--write-pcap OUT.pcap]\n"
	      "                 [--data-in FILE] [--data-out FILE] [--repeat N]\n"
	      "                 [--map-init NAME=JSON]... [--trace] [--json]\n"
	      "       bpfvm run --raw PROG.bin [--mem FILE] [--mem-out FILE] [--repeat N]\n"
	      "                 [--isa v5.1|atomics|v4] [--insn-limit N] [--json]\n"
	      "\n"
	      "With an ELF object (clang -O2 -g -target bpf -c prog.bpf.c -o prog.bpf.o):\n"
	      "  OBJ                  the object; its maps are created and programs loaded\n"
	      "  --prog NAME          the program to run (needed if the object has several)\n"
	      "  --pcap IN.pcap       run on every packet of a capture (pcap or pcapng) and\n"
	      "                       print the verdicts (XDP_*, TC_ACT_*, accept/drop), the rate\n"
	      "  --write-pcap OUT     write the packets that pass (XDP_PASS, TC_ACT_OK, accepted\n"
	      "                       by a socket filter), as the program left them\n"
	      "  --data-in FILE       run once on the bytes of FILE (--data-out: what comes out)\n"
	      "  --repeat N           run each packet N times (for timing)\n"
	      "  --map-init NAME=JSON set map entries before running: {\"key\": K, \"value\": V} or\n"
	      "                       a list of them; K and V are integers (little-endian, of the\n"
	      "                       key or value size) or arrays of bytes; a prog array or map\n"
	      "                       of maps takes a program or map name as value\n"
	      "  --trace              print bpf_trace_printk output and each packet's verdict\n"
	      "  --json               print the report as JSON\n"
	      "The maps' contents are printed at the end (as bpftool map dump).\n"
	      "\n"
	      "With raw instructions:\n"
	      "  --raw PROG.bin   raw little-endian BPF instructions (8 bytes each)\n"
	      "  --mem FILE       r1 points at a writable copy of FILE, r2 holds its length\n"
	      "  --mem-out FILE   write the memory after the (last) run to FILE\n"
	      "  --repeat N       run N times (default 1); the duration is the average\n"
	      "  --isa LEVEL      highest instruction set accepted (default v4)\n"
	      "  --insn-limit N   stop after N jumps and calls (default 1000000000; 0: none)\n"
	      "  --json           print {\"retval\": R, \"duration_ns\": D}\n"
	      "The program runs in checked mode: every memory access is bounds-checked.\n"
	      "\n"
	      "Exit status: 0 on success, 1 on a bad program, object, input or a fault,\n"
	      "2 on bad usage.\n", out);
}

struct run_opts {
	const char *raw, *mem, *mem_out;
	uint64_t repeat;
	uint64_t insn_limit;
	int isa;
	int json;
};

/* An unverified raw program may loop forever: by default it is stopped
 * after this many jumps and calls (a few seconds of running). */
#define RAW_DEFAULT_INSN_LIMIT 1000000000ull

static int parse_isa(const char *s)
{
	if (!strcmp(s, "v5.1"))
		return BPFVM_ISA_V51;
	if (!strcmp(s, "atomics"))
		return BPFVM_ISA_ATOMICS;
	if (!strcmp(s, "v4"))
		return BPFVM_ISA_V4;
	return -1;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	*o = (struct run_opts){ .repeat = 1, .isa = BPFVM_ISA_V4, .insn_limit = RAW_DEFAULT_INSN_LIMIT };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_val = i + 1 < argc;
		if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--raw") || !strcmp(a, "--mem") || !strcmp(a, "--mem-out") ||
			   !strcmp(a, "--repeat") || !strcmp(a, "--isa") || !strcmp(a, "--insn-limit")) {
			if (!has_val)
				return cli_usage_error("run", "%s needs a value", a);
			const char *v = argv[++i];
			if (!strcmp(a, "--raw"))
				o->raw = v;
			else if (!strcmp(a, "--mem"))
				o->mem = v;
			else if (!strcmp(a, "--mem-out"))
				o->mem_out = v;
			else if (!strcmp(a, "--insn-limit")) {
				if (cli_parse_u64(v, UINT64_MAX, &o->insn_limit) < 0)
					return cli_usage_error("run", "--insn-limit needs a count (0: no limit), not '%s'", v);
			} else if (!strcmp(a, "--isa")) {
				if ((o->isa = parse_isa(v)) < 0)
					return cli_usage_error("run", "unknown ISA level '%s' (v5.1, atomics or v4)", v);
			} else if (cli_parse_u64(v, UINT32_MAX, &o->repeat) < 0 || o->repeat == 0)
				return cli_usage_error("run", "--repeat needs a count from 1 to %u, not '%s'", UINT32_MAX, v);
		} else {
			return cli_usage_error("run", "unexpected argument '%s'", a);
		}
	}
	if (!o->raw)
		return cli_usage_error("run", "nothing to run: give --raw PROG.bin");
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run_raw(const struct run_opts *o)
{
	size_t plen, mlen = 0;
	uint8_t *prog = cli_read_file(o->raw, &plen), *mem = NULL;
	if (!prog)
		return cli_error("%s: %s", o->raw, strerror(errno));
	int rc = EXIT_FAIL;
	struct bpfvm *vm = NULL;
	struct bpfvm_exec *e = NULL;
	char err[256];
	if (plen % 8) {
		cli_error("%s: truncated instruction at index %zu (%zu bytes is not a multiple of 8)",
			  o->raw, plen / 8, plen);
		goto out;
	}
	if (plen == 0) {
		cli_error("%s: empty program", o->raw);
		goto out;
	}
	if (o->mem && !(mem = cli_read_file(o->mem, &mlen))) {
		cli_error("%s: %s", o->mem, strerror(errno));
		goto out;
	}
	vm = bpfvm_new();
	if (!vm) {
		cli_error("out of memory");
		goto out;
	}
	struct bpfvm_exec_opts eo = { .sz = sizeof(eo), .isa = o->isa, .insn_limit = o->insn_limit };
	struct bpf_insn *insns = malloc(plen);
	if (!insns) {
		cli_error("out of memory");
		goto out;
	}
	memcpy(insns, prog, plen);
	int erc = bpfvm_exec_new(vm, insns, plen / 8, &eo, &e, err, sizeof(err));
	free(insns);
	if (erc < 0) {
		cli_error("%s: %s", o->raw, err[0] ? err : strerror(-erc));
		goto out;
	}
	uint64_t r0 = 0, t0 = now_ns();
	for (uint64_t i = 0; i < o->repeat; i++) {
		erc = bpfvm_exec_run(e, mlen ? mem : NULL, mlen, &r0, err, sizeof(err));
		if (erc < 0) {
			cli_error("%s: %s", o->raw, err[0] ? err : strerror(-erc));
			goto out;
		}
	}
	uint64_t avg = (now_ns() - t0) / o->repeat;
	if (o->mem_out && cli_write_file(o->mem_out, mem ? mem : (uint8_t *)"", mlen) < 0) {
		cli_error("%s: %s", o->mem_out, strerror(errno));
		goto out;
	}
	if (o->json)
		printf("{\"retval\":%" PRIu64 ",\"duration_ns\":%" PRIu64 ",\"repeat\":%" PRIu64 "}\n", r0, avg, o->repeat);
	else
		printf("Return value: %" PRIu64 ", duration (average): %" PRIu64 "ns\n", r0, avg);
	rc = EXIT_OK;
out:
	bpfvm_exec_free(e);
	bpfvm_free(vm);
	free(prog);
	free(mem);
	return rc;
}

static int parse_obj_args(int argc, char **argv, struct objcli_opts *o)
{
	*o = (struct objcli_opts){ .cmd = "run", .repeat = 1 };
	for (int i = 1; i < argc; i++) {
		int rc = objcli_option(o, argc, argv, &i);
		if (rc == EXIT_USAGE)
			return rc;
		if (rc == 0)
			return cli_usage_error("run", "unknown option '%s'", argv[i]);
		if (o->map)
			return cli_usage_error("run", "--map is an option of 'bpfvm map dump'");
	}
	if (!o->obj)
		return cli_usage_error("run", "nothing to run: give an object file (OBJ) or --raw PROG.bin");
	if (o->pcap_in && o->data_in)
		return cli_usage_error("run", "--pcap and --data-in cannot be used together");
	if (o->pcap_out && !o->pcap_in)
		return cli_usage_error("run", "--write-pcap needs --pcap");
	if (o->data_out && !o->data_in)
		return cli_usage_error("run", "--data-out needs --data-in");
	return 0;
}

static void print_programs(const struct objcli *s, struct jw *w)
{
	size_t n = bpfvm_object_program_count(s->obj);
	if (w) {
		jw_key(w, "programs");
		jw_arr(w);
	}
	for (size_t i = 0; i < n; i++) {
		const struct bpfvm_program *p = bpfvm_object_program(s->obj, i);
		size_t cnt;
		bpfvm_program_insns(p, &cnt);
		if (!w) {
			printf("program %s: %s, section %s, %zu instructions\n", bpfvm_program_name(p),
			       cli_prog_type_name(bpfvm_program_type(p)), bpfvm_program_section(p), cnt);
			continue;
		}
		jw_obj(w);
		jw_key(w, "name");
		jw_str(w, bpfvm_program_name(p));
		jw_key(w, "type");
		jw_str(w, cli_prog_type_name(bpfvm_program_type(p)));
		jw_key(w, "section");
		jw_str(w, bpfvm_program_section(p));
		jw_key(w, "insns");
		jw_u64(w, cnt);
		jw_obj_end(w);
	}
	if (w)
		jw_arr_end(w);
}

static int print_maps(struct objcli *s, struct jw *w)
{
	int rc = EXIT_OK;
	if (w) {
		jw_key(w, "maps");
		jw_arr(w);
	}
	for (size_t i = 0; i < bpfvm_object_map_count(s->obj); i++) {
		const struct bpfvm_object_map *m = bpfvm_object_map(s->obj, i);
		if (w) {
			jw_obj(w);
			jw_key(w, "name");
			jw_str(w, bpfvm_object_map_name(m));
			jw_key(w, "type");
			jw_str(w, cli_map_type_name(bpfvm_object_map_type(m)));
			jw_key(w, "key_size");
			jw_u64(w, bpfvm_object_map_key_size(m));
			jw_key(w, "value_size");
			jw_u64(w, bpfvm_object_map_value_size(m));
			jw_key(w, "max_entries");
			jw_u64(w, bpfvm_object_map_max_entries(m));
			jw_key(w, "entries");
		} else {
			printf("\n");
		}
		if (objcli_dump_map(s, m, w, DUMP_HEADER | DUMP_SKIP_ZERO))
			rc = EXIT_FAIL;
		if (w)
			jw_obj_end(w);
	}
	if (w)
		jw_arr_end(w);
	return rc;
}

static int run_obj(const struct objcli_opts *o)
{
	struct objcli s;
	int rc = objcli_open(&s, o, o->pcap_in || o->data_in);
	if (rc == EXIT_OK)
		rc = objcli_load(&s, o);
	if (rc != EXIT_OK) {
		objcli_close(&s);
		return rc;
	}
	struct jw w;
	jw_init(&w, stdout);
	if (o->json)
		jw_obj(&w);
	uint64_t runs = 1;
	if (o->pcap_in || o->data_in)
		rc = objcli_run(&s, o, o->json ? &w : NULL, &runs);
	else
		print_programs(&s, o->json ? &w : NULL);
	/* Maps are worth showing once something ran (and JSON is kept whole). */
	int mrc = runs || o->json ? print_maps(&s, o->json ? &w : NULL) : EXIT_OK;
	if (o->json)
		jw_obj_end(&w);
	objcli_close(&s);
	return rc != EXIT_OK ? rc : mrc;
}

int cmd_run(int argc, char **argv)
{
	int raw = 0;
	for (int i = 1; i < argc; i++)
		raw |= !strcmp(argv[i], "--raw");
	if (raw) {
		struct run_opts o;
		int rc = parse_args(argc, argv, &o);
		if (rc)
			return rc;
		return run_raw(&o);
	}
	struct objcli_opts oo;
	int rc = parse_obj_args(argc, argv, &oo);
	if (rc)
		return rc;
	return run_obj(&oo);
}
