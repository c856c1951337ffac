/* bpfvm run: run a program. --raw takes a file of little-endian
 * instructions; r1 points at a writable copy of --mem, r2 is its length. */
#include "cli.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cmd_run_help(FILE *out)
{
	fputs("usage: bpfvm run --raw PROG.bin [--mem FILE] [--mem-out FILE] [--repeat N]\n"
	      "                 [--isa v5.1|atomics|v4] [--json]\n"
	      "\n"
	      "  --raw PROG.bin   raw little-endian BPF instructions (8 bytes each)\n"
	      "  --mem FILE       r1 points at a writable copy of FILE, r2 holds its length\n"
	      "  --mem-out FILE   write the memory after the (last) run to FILE\n"
	      "  --repeat N       run N times (default 1); the duration is the average\n"
	      "  --isa LEVEL      highest instruction set accepted (default v4)\n"
	      "  --json           print {\"retval\": R, \"duration_ns\": D}\n"
	      "\n"
	      "The program runs in checked mode: every memory access is bounds-checked.\n"
	      "Exit status: 0 on success, 1 on a bad program or a fault, 2 on bad usage.\n", out);
}

struct run_opts {
	const char *raw, *mem, *mem_out;
	uint64_t repeat;
	int isa;
	int json;
};

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
	*o = (struct run_opts){ .repeat = 1, .isa = BPFVM_ISA_V4 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_val = i + 1 < argc;
		if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--raw") || !strcmp(a, "--mem") || !strcmp(a, "--mem-out") ||
			   !strcmp(a, "--repeat") || !strcmp(a, "--isa")) {
			if (!has_val)
				return cli_usage_error("run", "%s needs a value", a);
			const char *v = argv[++i];
			if (!strcmp(a, "--raw"))
				o->raw = v;
			else if (!strcmp(a, "--mem"))
				o->mem = v;
			else if (!strcmp(a, "--mem-out"))
				o->mem_out = v;
			else if (!strcmp(a, "--isa")) {
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
	struct bpfvm_exec_opts eo = { .sz = sizeof(eo), .isa = o->isa };
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

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	return run_raw(&o);
}
