/* Differential test of the command layer against the running kernel.
 *
 * Random sequences of bpf() commands run against Linux (raw bpf(2)) and
 * against bpfvm (bpfvm_bpf), and every answer is compared: success or
 * failure, errno, the fields written back into the attr, the memory written
 * through its pointers; objects are compared as objects (ids translated),
 * and map contents are compared in full (GET_NEXT_KEY iteration + lookups,
 * in order where the order is defined, as sets for hash maps with random
 * seeds) after each sequence and at random points in it.
 *
 * Commands: MAP_CREATE (the 14 map types of v5.1 in scope, valid and
 * invalid attributes: sizes, counts, every v5.1 flag combination, unknown
 * flags, NUMA nodes, names, inner maps, offload ifindex), the element
 * commands (UPDATE with every flag, LOOKUP, DELETE, GET_NEXT_KEY,
 * LOOKUP_AND_DELETE; missing keys, full maps, NULL keys and values, per-CPU
 * values, fd values), PROG_LOAD (with and without map references, bad
 * types, licenses, names, flags), OBJ_PIN / OBJ_GET in a bpffs directory of
 * our own (RDONLY/WRONLY, EEXIST, ENOENT, paths outside the bpffs),
 * OBJ_GET_INFO_BY_FD on maps and programs (info_len variants; the program
 * tag checked against SHA-1 since Linux 6.18 uses SHA-256), *_GET_NEXT_ID,
 * *_GET_FD_BY_ID (with open_flags), close, unknown commands; each attr also
 * handed over short (zero-extended), page-sized, with nonzero tails at every
 * distance, oversized, or NULL.
 *
 * Linux 6.18 is not v5.1: where it legitimately answers otherwise, the
 * difference is recognized and counted (known.c has the list, with the
 * BPFVM BUGs found: places where bpfvm deviates from v5.1 itself);
 * everything else must agree. A mismatch is shrunk (operations removed
 * while it persists), printed, and fails the test.
 *
 * Setup: bpfvm gets the kernel's number of possible CPUs (per-CPU values
 * have the same layout on both sides); the process runs on CPU 0 only (the
 * kernel's LRU lists are per CPU); pins go to /sys/fs/bpf/bpfvm_diff_cmd_
 * <pid>/s<n> (a bpffs is mounted there if none is), removed afterwards. If
 * bpf() cannot create a map here, the test is skipped.
 *
 * The summary counts, per command, the calls where both sides succeeded,
 * failed with the same errno, differed in a known way, were skipped (a full
 * LRU map, a prog array bound differently), or mismatched.
 *
 * Environment:
 *   DIFF_CMD_SEED=S    run only seed S (default: seed 1 and a fresh one)
 *   DIFF_CMD_COUNT=N   sequences per seed (default 1000, ~40 operations each)
 *   DIFF_CMD_START=I   index of the first sequence (reproduce one sequence:
 *                      DIFF_CMD_SEED=S DIFF_CMD_START=I DIFF_CMD_COUNT=1)
 *   DIFF_CMD_KEEP_GOING=1  report every mismatch (first of each kind
 *                      shrunk), do not stop at the first
 *   DIFF_CMD_VERBOSE=1 print every operation of the sequences run
 */
#include "test.h"
#include "dc.h"
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

struct dc_config cfg;

#define OPS_PER_SEQ 40

static uint64_t seq_seed(uint64_t seed, uint64_t idx)
{
	return mix64(seed ^ mix64(idx + 0x1234567));
}

/* Runs ops[0..n) (and the final comparison) on fresh state; returns 1 on a
 * mismatch (r->sig, r->msg, r->failed at op index *at, n for the final
 * comparison). */
static int replay(const struct op *ops, int n, unsigned long seqno, int verbose, struct run *r, int *at)
{
	if (run_init(r, seqno) < 0) {
		fprintf(stderr, "diff_cmd: cannot set up a sequence (pin directory %s)\n", r->dir);
		exit(1);
	}
	int bad = 0;
	*at = n;
	for (int i = 0; i < n && !bad; i++) {
		if (verbose) {
			char buf[512];
			op_print(buf, sizeof(buf), &ops[i]);
			printf("  %2d %s\n", i, buf);
		}
		if (run_op(r, &ops[i])) {
			bad = 1;
			*at = i;
		}
	}
	if (!bad)
		bad = run_check_all(r, 1);
	run_fini(r);
	return bad;
}

static unsigned long scratch_seq = 1000000;

/* Removes operations while the same kind of mismatch persists. */
static int shrink(struct op *ops, int n, const char *sig)
{
	struct run *r = malloc(sizeof(*r));
	struct op *trial = malloc(sizeof(*trial) * MAX_OPS);
	int changed = 1, at;
	while (changed) {
		changed = 0;
		for (int i = n - 1; i >= 0; i--) {
			int m = 0;
			for (int j = 0; j < n; j++)
				if (j != i)
					trial[m++] = ops[j];
			if (replay(trial, m, scratch_seq++, 0, r, &at) && !strcmp(r->sig, sig)) {
				memcpy(ops, trial, sizeof(*ops) * (size_t)m);
				n = m;
				changed = 1;
			}
		}
	}
	free(trial);
	free(r);
	return n;
}

static void report(struct op *ops, int n, uint64_t seed, uint64_t idx, const char *sig)
{
	struct run *r = malloc(sizeof(*r));
	cfg.counting = 0;
	int at;
	int m = shrink(ops, n, sig);
	if (!replay(ops, m, scratch_seq++, 0, r, &at)) {
		fprintf(stderr, "diff_cmd: mismatch [%s] of seed 0x%" PRIx64 " sequence %" PRIu64
			" did not reproduce after shrinking\n", sig, seed, idx);
		free(r);
		cfg.counting = 1;
		return;
	}
	fprintf(stderr, "\ndiff_cmd MISMATCH [%s]: seed 0x%" PRIx64 " sequence %" PRIu64 " (%d of %d operations kept)\n",
		r->sig, seed, idx, m, n);
	for (int i = 0; i < m; i++) {
		char buf[512];
		op_print(buf, sizeof(buf), &ops[i]);
		fprintf(stderr, "  %2d %s%s\n", i, buf, i == at ? "   <== here" : "");
	}
	if (at == m)
		fprintf(stderr, "     (final comparison of the maps)   <== here\n");
	fprintf(stderr, "  %s\n", r->msg);
	fprintf(stderr, "  reproduce: DIFF_CMD_SEED=0x%" PRIx64 " DIFF_CMD_START=%" PRIu64 " DIFF_CMD_COUNT=1\n", seed,
		idx);
	free(r);
	cfg.counting = 1;
}

struct totals {
	unsigned long seqs, ops, skipped, mismatches;
};

static char seen_sigs[64][96];
static int nseen;

static int run_seed(uint64_t seed, uint64_t start, uint64_t count, int keep_going, struct totals *t)
{
	struct run *r = malloc(sizeof(*r));
	struct op ops[MAX_OPS];
	int failed = 0;
	for (uint64_t idx = start; idx < start + count; idx++) {
		struct rng g = { seq_seed(seed, idx) };
		if (run_init(r, scratch_seq++) < 0) {
			fprintf(stderr, "diff_cmd: cannot set up a sequence (pin directory %s): %s\n", r->dir,
				strerror(errno));
			exit(1);
		}
		int n = 0, bad = 0;
		int len = OPS_PER_SEQ / 2 + (int)rng_below(&g, OPS_PER_SEQ);
		if (len > MAX_OPS)
			len = MAX_OPS;
		for (; n < len && !bad; n++) {
			gen_op(&g, r, n, &ops[n]);
			if (cfg.verbose) {
				char buf[512];
				op_print(buf, sizeof(buf), &ops[n]);
				printf("  %2d %s\n", n, buf);
			}
			bad = run_op(r, &ops[n]);
		}
		if (!bad)
			bad = run_check_all(r, 1);
		t->ops += (unsigned long)r->nexec;
		t->skipped += (unsigned long)r->nskip;
		t->seqs++;
		char sig[96];
		snprintf(sig, sizeof(sig), "%s", r->sig);
		run_fini(r);
		if (!bad)
			continue;
		t->mismatches++;
		failed = 1;
		int fresh = 1;
		for (int i = 0; i < nseen; i++)
			fresh &= strcmp(seen_sigs[i], sig) != 0;
		if (fresh && nseen < 64)
			snprintf(seen_sigs[nseen++], sizeof(seen_sigs[0]), "%s", sig);
		if (fresh)
			report(ops, n, seed, idx, sig);
		else
			fprintf(stderr, "diff_cmd: mismatch [%s] again: seed 0x%" PRIx64 " sequence %" PRIu64 "\n", sig,
				seed, idx);
		if (!keep_going)
			break;
	}
	free(r);
	return failed;
}

static uint64_t fresh_seed(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return mix64(((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 32));
}

/* Pin directories of earlier runs that died (their pins keep maps alive). */
static void remove_stale_dirs(void)
{
	DIR *d = opendir("/sys/fs/bpf");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		int pid;
		char rest;
		if (sscanf(e->d_name, "bpfvm_diff_cmd_%d%c", &pid, &rest) != 1 || pid <= 0 || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/sys/fs/bpf/%s", e->d_name);
		ko_bpffs_rmtree(path);
	}
	closedir(d);
}

static void setup(void)
{
	char why[256];
	int n = ko_possible_cpus();
	if (n < 0) {
		snprintf(why, sizeof(why), "cannot read /sys/devices/system/cpu/possible: %s", strerror(-n));
		test_skip(why);
	}
	cfg.ncpus = (unsigned)n;
	/* Is bpf() there, and ours to use? */
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	int fd = ko_bpf(BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0) {
		snprintf(why, sizeof(why), "bpf(BPF_MAP_CREATE) in the kernel: %s%s", strerror(-fd),
			 fd == -EPERM ? " (needs root or CAP_BPF)" : fd == -ENOSYS ? " (no bpf() syscall)" : "");
		test_skip(why);
	}
	ko_cmd_close(fd);
	int ks = ko_attr_size();
	if (ks < (int)V51_ATTR_SIZE) {
		snprintf(why, sizeof(why), "cannot find the kernel's sizeof(union bpf_attr): %d", ks);
		test_skip(why);
	}
	cfg.kattr = (unsigned)ks;
	/* The kernel's LRU lists are per CPU: stay on one (bpfvm's default
	 * current CPU is 0 too). */
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	cfg.pinned_cpu = sched_setaffinity(0, sizeof(set), &set) == 0;
	snprintf(cfg.base, sizeof(cfg.base), "bpfvm_diff_cmd_%d", (int)getpid());
	int rc = ko_bpffs_mkdir(cfg.base);
	if (rc == 0)
		remove_stale_dirs();
	cfg.pins = rc == 0;
	if (!cfg.pins)
		printf("note: no bpffs directory (%s): OBJ_PIN / OBJ_GET not tested\n", strerror(-rc));
	if (!cfg.pinned_cpu)
		printf("note: cannot run on CPU 0 only: LRU updates not compared\n");
	/* Does bpfvm have its verifier (a program that exits with r0 unset
	 * must be refused)? Without it, such programs are not generated. */
	struct bpfvm *vm = bpfvm_new();
	struct bpf_insn exit_only = { .code = BPF_JMP | BPF_EXIT };
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insn_cnt = 1;
	a.insns = (uint64_t)(uintptr_t)&exit_only;
	a.license = (uint64_t)(uintptr_t)"GPL";
	fd = vm ? bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a)) : -1;
	cfg.vm_verifies = fd < 0 && errno == EACCES;
	bpfvm_free(vm);
	if (!cfg.vm_verifies)
		printf("note: bpfvm loads a program that exits with r0 unset (no verifier): such programs not generated\n");
	const char *v = getenv("DIFF_CMD_VERBOSE");
	cfg.verbose = v && *v && *v != '0';
}

/* The test's own SHA-1 against known vectors: FIPS 180's "abc", and the
 * v5.1 tag of "r0 = 2; exit" (3b185187f1855c4c, as Linux before 6.18 and
 * tests/unit/sys.c have it). */
static void check_sha1(void)
{
	static const uint8_t abc[20] = { 0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
					 0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d };
	static const uint8_t tag[8] = { 0x3b, 0x18, 0x51, 0x87, 0xf1, 0x85, 0x5c, 0x4c };
	struct bpf_insn p[2] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 2 }, { .code = BPF_JMP | BPF_EXIT } };
	uint8_t d[20];
	sha1("abc", 3, d);
	CHECK(!memcmp(d, abc, 20));
	sha1(p, sizeof(p), d);
	CHECK(!memcmp(d, tag, 8));
}

int main(void)
{
	setup();
	check_sha1();
	cfg.counting = 1;
	const char *s = getenv("DIFF_CMD_SEED"), *c = getenv("DIFF_CMD_COUNT"), *st = getenv("DIFF_CMD_START");
	const char *kg = getenv("DIFF_CMD_KEEP_GOING");
	int keep_going = kg && *kg && *kg != '0';
	uint64_t count = c ? strtoull(c, NULL, 0) : 1000, start = st ? strtoull(st, NULL, 0) : 0;
	uint64_t seeds[2] = { 1, fresh_seed() };
	int nseeds = 2;
	if (s) {
		seeds[0] = strtoull(s, NULL, 0);
		nseeds = 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct totals t = { 0, 0, 0, 0 };
	int failed = 0;
	printf("diff_cmd: Linux attr %u bytes, v5.1 %u; %u possible CPUs%s\n", cfg.kattr, V51_ATTR_SIZE, cfg.ncpus,
	       cfg.pins ? "; pins under /sys/fs/bpf" : "");
	for (int i = 0; i < nseeds && (!failed || keep_going); i++) {
		printf("diff_cmd: seed 0x%" PRIx64 ", sequences %" PRIu64 "..%" PRIu64 "\n", seeds[i], start,
		       start + count - 1);
		fflush(stdout);
		failed |= run_seed(seeds[i], start, count, keep_going, &t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (cfg.pins) {
		char dir[256];
		snprintf(dir, sizeof(dir), "/sys/fs/bpf/%s", cfg.base);
		ko_bpffs_rmtree(dir);
	}
	unsigned long kh = 0;
	for (int i = 0; i < KD__COUNT; i++)
		kh += known_hits[i];
	printf("diff_cmd: %lu sequences, %lu operations on both sides (%lu skipped), %lu known differences, "
	       "%lu mismatching sequences, %.1f s\n",
	       t.seqs, t.ops, t.skipped, kh, t.mismatches, secs);
	static const char *const names[OP__COUNT] = {
		"MAP_CREATE", "MAP_UPDATE_ELEM", "MAP_LOOKUP_ELEM", "MAP_DELETE_ELEM", "MAP_GET_NEXT_KEY",
		"MAP_LOOKUP_AND_DELETE_ELEM", "PROG_LOAD", "OBJ_PIN", "OBJ_GET", "OBJ_GET_INFO_BY_FD",
		"*_GET_NEXT_ID", "*_GET_FD_BY_ID", "close", "other commands", "content comparisons",
	};
	printf("  %-28s %8s %8s %8s %8s %8s\n", "operation", "agree:ok", "agree:err", "known", "skipped", "MISMATCH");
	for (int k = 0; k < OP__COUNT; k++)
		printf("  %-28s %8lu %8lu %8lu %8lu %8lu\n", names[k], stats.ops[k][ST_OK], stats.ops[k][ST_ERR],
		       stats.ops[k][ST_KNOWN], stats.ops[k][ST_SKIP], stats.ops[k][ST_MISMATCH]);
	printf("  maps compared in full: %lu (%lu entries; %lu hash maps with >= 2 entries in iteration order), "
	       "program tags checked against SHA-1: %lu\n",
	       stats.maps_compared, stats.entries_compared, stats.ordered_hash, stats.tags_checked);
	for (int i = 0; i < KD__COUNT; i++)
		if (known_hits[i])
			printf("  known %-28s %6lu  %s%s\n", known_diffs[i].name, known_hits[i],
			       known_diffs[i].bpfvm_bug ? "BPFVM BUG: " : "", known_diffs[i].what);
	CHECK(!failed);
	CHECK(t.ops > 0);
	return test_done();
}
