/* bpfvm-bench: `make bench`. Runs the interpreter suite and the
 * map-operation suite, each figure measured in this run next to its
 * comparison (native code, the kernel) and printed as ratios.
 *
 *   bpfvm-bench [--json] [--suite interp|maps] [--no-kernel] [--seconds S] [--best-of N]
 *
 * BENCH_SECONDS in the environment sets --seconds (the minimum length of
 * one measurement; the default 0.2 keeps `make bench` well under 2 min). */
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: bpfvm-bench [--json] [--suite interp|maps] [--no-kernel] [--seconds S] "
			"[--best-of N]\n");
	exit(2);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && c) {
			c += 2;
			c[strcspn(c, "\n")] = 0;
			snprintf(buf, len, "%s", c);
			break;
		}
	}
	fclose(f);
}

static int jit_enabled(void)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The mitigations that tax the kernel's calls, returns and indirect jumps
 * (retpolines, SRSO safe-ret): they explain kernel figures far from those
 * measured on other machines. */
static void mitigations(char *buf, size_t len)
{
	static const char *const files[] = { "spectre_v2", "spec_rstack_overflow" };
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128], line[256];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", files[i]);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, ";\n")] = 0;
			used += (size_t)snprintf(buf + used, len - used, "%s%s: %s", used ? "; " : "", files[i], line);
			if (used >= len)
				used = len - 1;
		}
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *env = getenv("BENCH_SECONDS");
	if (env && atof(env) > 0)
		bench_cfg.min_seconds = atof(env);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			bench_cfg.json = 1;
		else if (!strcmp(argv[i], "--no-kernel"))
			bench_cfg.kernel = 0;
		else if (!strcmp(argv[i], "--suite") && i + 1 < argc)
			bench_cfg.only = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc && atof(argv[i + 1]) > 0)
			bench_cfg.min_seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--best-of") && i + 1 < argc && atoi(argv[i + 1]) > 0)
			bench_cfg.best_of = atoi(argv[++i]);
		else
			usage();
	}
	if (bench_cfg.only && strcmp(bench_cfg.only, "interp") && strcmp(bench_cfg.only, "maps"))
		usage();

	struct bench_out *o = bench_out_new(bench_cfg.json);
	if (!o)
		return 1;
	struct utsname u;
	char cpu[256];
	cpu_model(cpu, sizeof(cpu));
	if (uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "?");
	int jit = jit_enabled();
	bench_note(o, "bpfvm bench: %s, %ld CPUs, Linux %s (bpf_jit_enable=%d); each figure the best of %d "
		   "measurements of >= %.2f s", cpu, sysconf(_SC_NPROCESSORS_ONLN), u.release, jit,
		   bench_cfg.best_of, bench_cfg.min_seconds);
	char mit[512];
	mitigations(mit, sizeof(mit));
	if (mit[0])
		bench_note(o, "CPU mitigations: %s", mit);
	int rc = 0;
	if (!bench_cfg.only || !strcmp(bench_cfg.only, "interp"))
		rc |= bench_interp_suite(o) < 0;
	if (!bench_cfg.only || !strcmp(bench_cfg.only, "maps"))
		rc |= bench_map_suite(o) < 0;
	bench_out_finish(o);
	return rc;
}
