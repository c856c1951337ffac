/* Robustness: bad input gets a clear error, never a crash, a hang or a
 * leak. Deterministic checks of what the fuzz targets (tests/fuzz/) found
 * worth pinning down, and of the edges they cannot reach:
 *   - bpf() attrs: size 0, 1, short, larger than the kernel's with a zero
 *     and a non-zero tail, above a page, NULL; every command with an
 *     all-zero attr and with an all-0xff one (pointers NULL), with the
 *     errnos Linux v5.1 gives; write-backs that stop at the caller's size;
 *     OBJ_GET_INFO_BY_FD's info_len rules;
 *   - the CLI (`$BUILD/bpfvm`, spawned without a shell): for run, verify,
 *     disasm and map dump, unknown options, missing values, huge and
 *     negative numbers, empty strings -> exit 2 and one usage line; files
 *     that are not there, empty, directories -> exit 1 and one line;
 *   - the raw runner on truncated, empty, invalid and never-ending programs;
 *   - captures: truncated and corrupted pcap and pcapng files -> exit 1 and
 *     one error line naming the file (the object is compiled from
 *     examples/xdp_firewall.bpf.c: skipped without clang);
 *   - --map-init on keyless and wide maps of a hand-built object.
 * Every spawned run must end by itself (10 s at most), by exit, without a
 * sanitizer report. The bugs these checks found are fixed (87f5d66); their
 * checks stay as regressions, each saying what it was.
 *
 * The test runs from the project root (tests/run.sh); BUILD names the build
 * directory whose bpfvm is run (default: build). */
#include "test.h"
#include <bpfvm/bpfvm.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

extern char **environ;

static char dir[64], bin[512];
static char *out, *err;                 /* of the last spawned run */

/* ---- bpf() attrs ----------------------------------------------------------- */

static struct bpfvm *vm;

/* bpf() with an attr of exactly `size` bytes on the heap (ASan sees a
 * write-back past it): the result, or -errno. */
static int sys_sized(int cmd, const void *attr, unsigned size)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (size)
		memcpy(copy, attr, size);
	errno = 0;
	int rc = bpfvm_bpf(vm, cmd, size ? (union bpf_attr *)copy : NULL, size);
	int e = errno;
	free(copy);
	return rc < 0 ? -e : rc;
}

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

#define NCMDS 22

/* What Linux v5.1 answers to each command with an all-zero attr, in a
 * process with no bpf objects (fd 0 is no map, program or BTF). */
static const int zero_attr_errno[NCMDS] = {
	[BPF_MAP_CREATE] = EINVAL,                      /* map type 0 */
	[BPF_MAP_LOOKUP_ELEM] = EBADF,
	[BPF_MAP_UPDATE_ELEM] = EBADF,
	[BPF_MAP_DELETE_ELEM] = EBADF,
	[BPF_MAP_GET_NEXT_KEY] = EBADF,
	[BPF_PROG_LOAD] = EFAULT,                       /* license NULL */
	[BPF_OBJ_PIN] = EBADF,
	[BPF_OBJ_GET] = EFAULT,                         /* pathname NULL */
	[BPF_PROG_ATTACH] = EBADF,                      /* cgroup attach, no prog fd 0 */
	[BPF_PROG_DETACH] = EBADF,                      /* fd 0 is no cgroup */
	[BPF_PROG_TEST_RUN] = EBADF,
	[BPF_PROG_GET_NEXT_ID] = ENOENT,
	[BPF_MAP_GET_NEXT_ID] = ENOENT,
	[BPF_PROG_GET_FD_BY_ID] = ENOENT,
	[BPF_MAP_GET_FD_BY_ID] = ENOENT,
	[BPF_OBJ_GET_INFO_BY_FD] = EBADFD,
	[BPF_PROG_QUERY] = EBADF,
	[BPF_RAW_TRACEPOINT_OPEN] = EFAULT,             /* name NULL */
	[BPF_BTF_LOAD] = EINVAL,                        /* no header */
	[BPF_BTF_GET_FD_BY_ID] = ENOENT,
	[BPF_TASK_FD_QUERY] = ENOENT,                   /* pid 0 */
	[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = EBADF,
};

/* pointer fields of each command, to leave NULL in an all-0xff attr */
static void null_pointers(int cmd, union bpf_attr *a)
{
	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM: case BPF_MAP_UPDATE_ELEM: case BPF_MAP_DELETE_ELEM: case BPF_MAP_GET_NEXT_KEY:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		a->key = a->value = 0;
		break;
	case BPF_PROG_LOAD:
		a->insns = a->license = a->log_buf = a->func_info = a->line_info = 0;
		break;
	case BPF_OBJ_PIN: case BPF_OBJ_GET:
		a->pathname = 0;
		break;
	case BPF_PROG_TEST_RUN:
		a->test.data_in = a->test.data_out = a->test.ctx_in = a->test.ctx_out = 0;
		break;
	case BPF_OBJ_GET_INFO_BY_FD:
		a->info.info = 0;
		break;
	case BPF_PROG_QUERY:
		a->query.prog_ids = 0;
		break;
	case BPF_RAW_TRACEPOINT_OPEN:
		a->raw_tracepoint.name = 0;
		break;
	case BPF_BTF_LOAD:
		a->btf = a->btf_log_buf = 0;
		break;
	case BPF_TASK_FD_QUERY:
		a->task_fd_query.buf = 0;
		break;
	}
}

static void test_attr_sizes(void)
{
	union bpf_attr a;
	uint8_t big[4200];
	vm = bpfvm_new();
	CHECK(vm != NULL);
	for (int cmd = 0; cmd < NCMDS; cmd++) {
		memset(&a, 0, sizeof(a));
		int want = -zero_attr_errno[cmd];
		/* all zero: the full attr, none at all, one byte, a page of zeros */
		CHECK_EQ(sys(cmd, &a), want);
		CHECK_EQ(sys_sized(cmd, NULL, 0), want);
		CHECK_EQ(sys_sized(cmd, &a, 1), want);
		CHECK_EQ(sys_sized(cmd, &a, 7), want);
		memset(big, 0, sizeof(big));
		CHECK_EQ(sys_sized(cmd, big, sizeof(a) + 1), want);
		CHECK_EQ(sys_sized(cmd, big, 4096), want);
		/* bpf_check_uarg_tail_zero: more than a page, or a non-zero
		 * byte past what the kernel knows: E2BIG, before anything */
		CHECK_EQ(sys_sized(cmd, big, 4097), -E2BIG);
		big[sizeof(a)] = 1;
		CHECK_EQ(sys_sized(cmd, big, sizeof(a) + 1), -E2BIG);
		big[sizeof(a)] = 0;
		big[4095] = 0x80;
		CHECK_EQ(sys_sized(cmd, big, 4096), -E2BIG);
		/* a NULL attr of some size: EFAULT (E2BIG above a page) */
		CHECK_EQ(bpfvm_bpf(vm, cmd, NULL, 1), -1);
		CHECK_EQ(errno, EFAULT);
		CHECK_EQ(bpfvm_bpf(vm, cmd, NULL, sizeof(a)), -1);
		CHECK_EQ(errno, EFAULT);
		CHECK_EQ(bpfvm_bpf(vm, cmd, NULL, UINT32_MAX), -1);
		CHECK_EQ(errno, E2BIG);
		/* all 0xff, pointers NULL: every command has a field that
		 * refuses it (CHECK_ATTR's tail, flags, types): EINVAL */
		memset(&a, 0xff, sizeof(a));
		null_pointers(cmd, &a);
		CHECK_EQ(sys(cmd, &a), -EINVAL);
	}
	/* commands Linux v5.1 does not have, and negative ones */
	static const int bad[] = { NCMDS, 23, 24, 25, 26, 100, -1, -100, INT32_MAX, INT32_MIN };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0, sizeof(a));
		CHECK_EQ(sys(bad[i], &a), -EINVAL);
		CHECK_EQ(sys_sized(bad[i], NULL, 0), -EINVAL);
	}
	/* no vm */
	CHECK_EQ(bpfvm_bpf(NULL, BPF_MAP_CREATE, &a, sizeof(a)), -1);
	CHECK_EQ(errno, EINVAL);
	bpfvm_free(vm);
}

/* Write-backs stop at the caller's size (the attr is a heap block of that
 * size: ASan reports a write past it). */
static void test_attr_writeback(void)
{
	union bpf_attr a;
	vm = bpfvm_new();
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	int map = sys(BPF_MAP_CREATE, &a);
	CHECK(map >= 0);
	/* MAP_GET_NEXT_ID: with 4 bytes (start_id only) it succeeds and
	 * writes nothing; with 8 it writes next_id */
	memset(&a, 0, sizeof(a));
	uint8_t *four = malloc(4);
	memset(four, 0, 4);
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_GET_NEXT_ID, (union bpf_attr *)four, 4), 0);
	free(four);
	uint32_t *eight = malloc(8);           /* start_id, next_id */
	memset(eight, 0, 8);
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_GET_NEXT_ID, (union bpf_attr *)(void *)eight, 8), 0);
	CHECK_EQ(eight[1], 1);
	eight[0] = INT32_MAX;                   /* bpf_obj_get_next_id: >= INT_MAX */
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_GET_NEXT_ID, (union bpf_attr *)(void *)eight, 8), -1);
	CHECK_EQ(errno, EINVAL);
	free(eight);

	/* a program, test-run with an attr that ends before retval, before
	 * duration, before ctx_size_out */
	struct bpf_insn p[2] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 7 },
				 { .code = BPF_JMP | BPF_EXIT } };
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t)"GPL";
	int prog = sys(BPF_PROG_LOAD, &a);
	CHECK(prog >= 0);
	uint8_t pkt[64] = { 0 };
	static const unsigned cuts[] = { 4, 8, 12, 16, 32, 40, 44, 48, 56, 64 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		union bpf_attr t;
		memset(&t, 0, sizeof(t));
		t.test.prog_fd = (uint32_t)prog;
		t.test.data_in = (uint64_t)(uintptr_t)pkt;
		t.test.data_size_in = sizeof(pkt);
		uint8_t *u = malloc(cuts[i]);
		memcpy(u, &t, cuts[i]);
		int rc = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, (union bpf_attr *)u, cuts[i]);
		/* cut before data_size_in: no packet (EINVAL); before data_in:
		 * a size but no pointer (EFAULT); after: it runs */
		if (cuts[i] <= offsetof(union bpf_attr, test.data_size_in)) {
			CHECK_EQ(rc, -1);
			CHECK_EQ(errno, EINVAL);
		} else if (cuts[i] < offsetof(union bpf_attr, test.data_in) + 8) {
			CHECK_EQ(rc, -1);
			CHECK_EQ(errno, EFAULT);
		} else {
			CHECK_EQ(rc, 0);
			CHECK_EQ(((union bpf_attr *)u)->test.retval, 7);
		}
		free(u);
	}

	/* OBJ_GET_INFO_BY_FD: info_len rules of bpf_check_uarg_tail_zero */
	uint8_t info[4200];
	memset(info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)map;
	a.info.info = (uint64_t)(uintptr_t)info;
	a.info.info_len = 4097;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), -E2BIG);
	a.info.info_len = 4096;                 /* longer than ours, zero tail: fine */
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(a.info.info_len, sizeof(struct bpf_map_info));
	CHECK_EQ(((struct bpf_map_info *)(void *)info)->type, BPF_MAP_TYPE_ARRAY);
	info[sizeof(struct bpf_map_info)] = 1;
	a.info.info_len = sizeof(struct bpf_map_info) + 1;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), -E2BIG);
	info[sizeof(struct bpf_map_info)] = 0;
	a.info.info_len = 0;                    /* nothing read or written */
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(a.info.info_len, 0);
	a.info.info_len = 3;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(a.info.info_len, 3);
	a.info.info = 0;
	a.info.info_len = 8;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), -EFAULT);
	a.info.bpf_fd = 1000;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), -EBADFD);
	/* the prog's arrays: asked-for counts larger than what there is
	 * copy what there is and report the real count */
	struct bpf_prog_info pi;
	uint32_t ids[4] = { 0 };
	uint8_t xl[1024];
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = 4;
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	pi.xlated_prog_len = sizeof(xl);
	pi.xlated_prog_insns = (uint64_t)(uintptr_t)xl;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)prog;
	a.info.info = (uint64_t)(uintptr_t)&pi;
	a.info.info_len = sizeof(pi);
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(pi.nr_map_ids, 0);
	CHECK_EQ(pi.xlated_prog_len, 2 * sizeof(struct bpf_insn));
	CHECK_EQ(memcmp(xl, p, sizeof(p)), 0);
	/* an array asked for with a NULL pointer: EFAULT */
	pi.xlated_prog_len = 16;
	pi.xlated_prog_insns = 0;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), -EFAULT);

	/* PROG_LOAD with insn_cnt 0 and above the limit: E2BIG before the
	 * instructions are read (insns NULL here) */
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.insn_cnt = 0;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -E2BIG);
	a.insn_cnt = 1000001;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -E2BIG);
	a.insn_cnt = UINT32_MAX;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -E2BIG);
	a.insn_cnt = 2;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -EFAULT);
	/* log attributes: size under 128 or above 2^24 - 1, or no buffer */
	char log[256];
	a.insns = (uint64_t)(uintptr_t)p;
	a.log_level = 1;
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = 127;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -EINVAL);
	a.log_size = 1u << 24;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -EINVAL);
	a.log_size = sizeof(log);
	a.log_buf = 0;
	CHECK_EQ(sys(BPF_PROG_LOAD, &a), -EINVAL);
	/* BTF_LOAD: over 16 MiB is E2BIG before the blob is read */
	memset(&a, 0, sizeof(a));
	a.btf_size = (16u << 20) + 1;
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -E2BIG);
	a.btf_size = 24;
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -EFAULT);

	CHECK_EQ(bpfvm_close(vm, prog), 0);
	CHECK_EQ(bpfvm_close(vm, map), 0);
	static const int notopen[] = { 0, -1, INT32_MIN, 1 << 30 };
	for (size_t i = 0; i < 4; i++) {
		errno = 0;
		CHECK_EQ(bpfvm_close(vm, notopen[i]), -1);
		CHECK_EQ(errno, EBADF);
	}
	errno = 0;
	CHECK_EQ(bpfvm_close(vm, map), -1);     /* closed already */
	CHECK_EQ(errno, EBADF);
	bpfvm_free(vm);
}

/* ---- spawning the CLI --------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096, k;
	char *b = malloc(cap + 1);
	while (f && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			b = realloc(b, (cap *= 2) + 1);
	}
	if (f)
		fclose(f);
	b[n] = 0;
	return b;
}

#define HUNG (-1000)

/* Runs bpfvm with argv (NULL-terminated, argv[0] not included), no shell;
 * stdout and stderr into out and err. Returns the exit status, -SIGNAL if
 * killed by a signal, HUNG if it was still running after `secs`. */
static int spawn_timeout(int secs, const char *const *args)
{
	char opath[128], epath[128];
	const char *argv[64];
	int n = 0;
	argv[n++] = bin;
	for (; args[n - 1] && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	snprintf(opath, sizeof(opath), "%s/stdout", dir);
	snprintf(epath, sizeof(epath), "%s/stderr", dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, bin, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(out);
	free(err);
	if (rc != 0) {
		out = strdup("");
		err = strdup("posix_spawn failed");
		return -2000;
	}
	int st = 0;
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	for (long waited = 0;; waited += 5) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (waited >= secs * 1000L) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			st = -1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	out = slurp(opath);
	err = slurp(epath);
	if (st == -1)
		return HUNG;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

#define RUN(...) spawn_timeout(10, (const char *const[]){ __VA_ARGS__, NULL })

static int nlines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int sanitizer_report(const char *s)
{
	return strstr(s, "Sanitizer") || strstr(s, "runtime error") || strstr(s, "LeakSanitizer");
}

static void show(const char *what, int line, int rc)
{
	fprintf(stderr, "  (line %d: %s) exit %d\n  stdout: %.600s\n  stderr: %.1200s\n", line, what, rc, out, err);
}

/* exit code `want`, one line on stderr that begins with `prefix`, no
 * sanitizer report */
#define EXPECT(rc_expr, want, prefix) do { int _rc = (rc_expr); int _before = test_failures; \
	CHECK_EQ(_rc, (want)); CHECK(!sanitizer_report(err)); CHECK_EQ(nlines(err), 1); \
	CHECK(!strncmp(err, (prefix), strlen(prefix))); \
	if (test_failures != _before) show(#rc_expr, __LINE__, _rc); } while (0)

/* a usage error of cmd: exit 2, one line "bpfvm CMD: ... (see 'bpfvm CMD --help')" */
#define USAGE(cmdname, ...) do { int _rc = RUN(__VA_ARGS__); int _before = test_failures; \
	CHECK_EQ(_rc, 2); CHECK(!sanitizer_report(err)); CHECK_EQ(nlines(err), 1); \
	CHECK(!strncmp(err, "bpfvm " cmdname ": ", strlen("bpfvm " cmdname ": "))); \
	CHECK_CONTAINS(err, "(see 'bpfvm " cmdname " --help')"); \
	if (test_failures != _before) show(#__VA_ARGS__, __LINE__, _rc); } while (0)

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

static const char *path_of(const char *name)
{
	static char bufs[8][256];
	static int k;
	char *p = bufs[k++ % 8];
	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

/* ---- CLI arguments ------------------------------------------------------------ */

static void test_cli_args(void)
{
	/* no object needed: arguments are checked before anything is opened */
	static char obj[256];
	snprintf(obj, sizeof(obj), "%s", path_of("none.o"));
	const char *huge = "99999999999999999999999999999999999999";

	/* the top level */
	int rc = RUN("nope");
	CHECK_EQ(rc, 2);
	CHECK_CONTAINS(err, "bpfvm: unknown command 'nope'");
	rc = RUN("");
	CHECK_EQ(rc, 2);
	CHECK_CONTAINS(err, "usage: bpfvm");
	rc = spawn_timeout(10, (const char *const[]){ NULL });
	CHECK_EQ(rc, 2);
	CHECK_CONTAINS(err, "usage: bpfvm");

	/* run with an object */
	USAGE("run", "run");
	USAGE("run", "run", obj, "--bogus");
	USAGE("run", "run", obj, "-x");
	USAGE("run", "run", obj, "--");
	USAGE("run", "run", obj, "extra");
	USAGE("run", "run", obj, "--prog");
	USAGE("run", "run", obj, "--pcap");
	USAGE("run", "run", obj, "--write-pcap");
	USAGE("run", "run", obj, "--data-in");
	USAGE("run", "run", obj, "--data-out");
	USAGE("run", "run", obj, "--map-init");
	USAGE("run", "run", obj, "--repeat");
	USAGE("run", "run", obj, "--repeat", "0");
	USAGE("run", "run", obj, "--repeat", "-1");
	USAGE("run", "run", obj, "--repeat", "4294967296");
	USAGE("run", "run", obj, "--repeat", "18446744073709551616");
	USAGE("run", "run", obj, "--repeat", huge);
	USAGE("run", "run", obj, "--repeat", "");
	USAGE("run", "run", obj, "--repeat", "1x");
	USAGE("run", "run", obj, "--map-init", "");
	USAGE("run", "run", obj, "--map-init", "=1");
	USAGE("run", "run", obj, "--map-init", "m");
	USAGE("run", "run", obj, "--map-init", "m=");
	USAGE("run", "run", obj, "--map-init", "m={");
	USAGE("run", "run", obj, "--map-init", "m=[1,]");
	USAGE("run", "run", obj, "--map-init", "m=\"\\u12\"");
	USAGE("run", "run", obj, "--map-init",
	      "m=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	USAGE("run", "run", obj, "--pcap", "a", "--data-in", "b");
	USAGE("run", "run", obj, "--write-pcap", "a");
	USAGE("run", "run", obj, "--data-out", "a");
	USAGE("run", "run", obj, "--map", "m");
	/* run --raw */
	USAGE("run", "run", "--raw");
	USAGE("run", "run", "--raw", "p.bin", "--mem");
	USAGE("run", "run", "--raw", "p.bin", "--mem-out");
	USAGE("run", "run", "--raw", "p.bin", "--isa");
	USAGE("run", "run", "--raw", "p.bin", "--isa", "");
	USAGE("run", "run", "--raw", "p.bin", "--isa", "v5");
	USAGE("run", "run", "--raw", "p.bin", "--repeat", "0");
	USAGE("run", "run", "--raw", "p.bin", "--repeat", huge);
	USAGE("run", "run", "--raw", "p.bin", "--repeat", "-5");
	USAGE("run", "run", "--raw", "p.bin", "--bogus");
	USAGE("run", "run", "--raw", "p.bin", "extra");
	USAGE("run", "run", "--mem", "m.bin", "--raw");

	/* verify */
	USAGE("verify", "verify");
	USAGE("verify", "verify", obj, "--bogus");
	USAGE("verify", "verify", obj, "extra");
	USAGE("verify", "verify", obj, "--prog");
	USAGE("verify", "verify", obj, "--log-level");
	USAGE("verify", "verify", obj, "--log-level", "8");
	USAGE("verify", "verify", obj, "--log-level", "-1");
	USAGE("verify", "verify", obj, "--log-level", huge);
	USAGE("verify", "verify", obj, "--log-level", "");
	USAGE("verify", "verify", obj, "--pcap", "x.pcap");
	USAGE("verify", "verify", obj, "--map-init", "m=1");

	/* disasm */
	USAGE("disasm", "disasm");
	USAGE("disasm", "disasm", obj, "--bogus");
	USAGE("disasm", "disasm", obj, "extra");
	USAGE("disasm", "disasm", obj, "--prog");
	USAGE("disasm", "disasm", obj, "--log-level", "1");

	/* map dump */
	USAGE("map", "map");
	USAGE("map", "map", "");
	USAGE("map", "map", "show");
	USAGE("map dump", "map", "dump");
	USAGE("map dump", "map", "dump", obj);
	USAGE("map dump", "map", "dump", obj, "--map");
	USAGE("map dump", "map", "dump", obj, "--bogus");
	USAGE("map dump", "map", "dump", obj, "--map", "m", "extra");
	USAGE("map dump", "map", "dump", obj, "--map", "m", "--repeat", huge);
	USAGE("map dump", "map", "dump", obj, "--map", "m", "--write-pcap", "x");
	USAGE("map dump", "map", "dump", obj, "--map", "m", "--data-out", "x");
	USAGE("map dump", "map", "dump", obj, "--map", "m", "--pcap", "a", "--data-in", "b");
	USAGE("map dump", "map", "dump", obj, "--map", "m", "--map-init", "m={\"key\":");

	/* files that are not there, are empty, are directories: exit 1, one
	 * line naming the file */
	static const char *const cmds[][2] = { { "run", NULL }, { "verify", NULL }, { "disasm", NULL },
					       { "map", "dump" } };
	write_file("empty.o", "", 0);
	for (int i = 0; i < 4; i++) {
		const char *c0 = cmds[i][0], *c1 = cmds[i][1];
		const char *names[] = { path_of("nothere.o"), path_of("empty.o"), dir };
		for (int k = 0; k < 3; k++) {
			if (c1)
				rc = RUN(c0, c1, names[k], "--map", "m");
			else
				rc = RUN(c0, names[k]);
			int before = test_failures;
			CHECK_EQ(rc, 1);
			CHECK_EQ(nlines(err), 1);
			CHECK(!sanitizer_report(err));
			CHECK_CONTAINS(err, names[k]);
			if (test_failures != before)
				show(names[k], __LINE__, rc);
		}
	}
	/* an empty object name */
	rc = RUN("run", "");
	CHECK_EQ(rc, 1);
	CHECK_EQ(nlines(err), 1);
}

/* ---- the raw runner ----------------------------------------------------------- */

static void test_raw(void)
{
	static const uint8_t ok[] = { 0xb7, 0, 0, 0, 42, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("ok.bin", ok, sizeof(ok));
	int rc = RUN("run", "--raw", path_of("ok.bin"));
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "Return value: 42");
	CHECK_EQ(nlines(err), 0);

	/* 15 bytes: the second instruction cut */
	write_file("cut.bin", ok, 15);
	EXPECT(RUN("run", "--raw", path_of("cut.bin")), 1, "bpfvm: ");
	CHECK_CONTAINS(err, "truncated instruction at index 1");
	write_file("one.bin", ok, 1);
	EXPECT(RUN("run", "--raw", path_of("one.bin")), 1, "bpfvm: ");
	write_file("empty.bin", "", 0);
	EXPECT(RUN("run", "--raw", path_of("empty.bin")), 1, "bpfvm: ");
	CHECK_CONTAINS(err, "empty program");
	/* no exit; an unknown opcode; a jump out of the program; a register
	 * that does not exist; a lone half of LD_IMM64 */
	static const uint8_t bad[][16] = {
		{ 0xb7, 0, 0, 0, 1, 0, 0, 0, 0xb7, 0, 0, 0, 2, 0, 0, 0 },
		{ 0xff, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 },
		{ 0x05, 0, 5, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 },
		{ 0xb7, 0x0b, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 },
		{ 0x95, 0, 0, 0, 0, 0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file("bad.bin", bad[i], 16);
		EXPECT(RUN("run", "--raw", path_of("bad.bin")), 1, "bpfvm: ");
	}
	/* a load outside the memory given (none): a checked-mode fault */
	static const uint8_t oob[] = { 0x79, 0x10, 100, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("oob.bin", oob, sizeof(oob));
	EXPECT(RUN("run", "--raw", path_of("oob.bin")), 1, "bpfvm: ");
	write_file("mem.bin", "abcd", 4);
	EXPECT(RUN("run", "--raw", path_of("oob.bin"), "--mem", path_of("mem.bin")), 1, "bpfvm: ");
	EXPECT(RUN("run", "--raw", path_of("ok.bin"), "--mem", path_of("nothere.bin")), 1, "bpfvm: ");
	EXPECT(RUN("run", "--raw", path_of("nothere.bin")), 1, "bpfvm: ");
	/* an --isa below what the program uses */
	static const uint8_t atomic[] = { 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x0a, 0xf8, 0xff, 0, 0, 0, 0,
					  0xb7, 1, 0, 0, 1, 0, 0, 0, 0xdb, 0x1a, 0xf8, 0xff, 1, 0, 0, 0,
					  0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("atomic.bin", atomic, sizeof(atomic));
	EXPECT(RUN("run", "--raw", path_of("atomic.bin"), "--isa", "v5.1"), 1, "bpfvm: ");

	/* a directory given as the program: its reason, not EIO (regression:
	 * cli_read_file turned every ferror into "Input/output error" before
	 * 87f5d66) */
	rc = RUN("run", "--raw", dir);
	CHECK_EQ(rc, 1);
	CHECK_EQ(nlines(err), 1);
	CHECK_CONTAINS(err, "Is a directory");

	/* A program that never ends: `ja -1`. The raw runner runs unverified
	 * code, so it stops it after --insn-limit jumps and calls (regression:
	 * before 87f5d66 there was no limit and `bpfvm run --raw` never
	 * returned). */
	static const uint8_t loop[] = { 0x05, 0, 0xff, 0xff, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("loop.bin", loop, sizeof(loop));
	EXPECT(RUN("run", "--raw", path_of("loop.bin"), "--insn-limit", "100000"), 1, "bpfvm: ");
	CHECK_CONTAINS(err, "limit");
	/* the default limit (10^9 jumps: seconds, tens of them under ASan,
	 * so only in a build without sanitizers) */
	const char *build = getenv("BUILD");
	if (!build || !strstr(build, "san")) {
		rc = spawn_timeout(60, (const char *const[]){ "run", "--raw", path_of("loop.bin"), NULL });
		if (rc == HUNG)
			fprintf(stderr, "%s:%d: bpfvm run --raw loop.bin still running after 60 s (killed)\n", __FILE__,
				__LINE__);
		CHECK_EQ(rc, 1);
		CHECK_CONTAINS(err, "limit");
	}
	USAGE("run", "run", "--raw", path_of("loop.bin"), "--insn-limit");
	USAGE("run", "run", "--raw", path_of("loop.bin"), "--insn-limit", "");
	USAGE("run", "run", "--raw", path_of("loop.bin"), "--insn-limit", "-1");
	USAGE("run", "run", "--raw", path_of("loop.bin"), "--insn-limit", "18446744073709551616");
	USAGE("run", "run", "--raw", path_of("loop.bin"), "--insn-limit", "1e9");

	/* bpf_spin_lock twice on the same word of --mem: an error, not a
	 * deadlock (regression: before 87f5d66 the second call spun forever
	 * in bpfvm_spin_lock, src/maps/map.c, called from src/helpers/maps.c;
	 * found by tests/fuzz/fuzz_interp.c, whose run then stalled `make
	 * test` until libFuzzer's 20-minute timeout).
	 *   r6 = r1; call 93; r1 = r6; call 93; r0 = 0; exit */
	static const uint8_t dlock[] = { 0xbf, 0x16, 0, 0, 0, 0, 0, 0, 0x85, 0, 0, 0, 93, 0, 0, 0,
					 0xbf, 0x61, 0, 0, 0, 0, 0, 0, 0x85, 0, 0, 0, 93, 0, 0, 0,
					 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("dlock.bin", dlock, sizeof(dlock));
	write_file("mem8.bin", "\0\0\0\0\0\0\0\0", 8);
	rc = spawn_timeout(10, (const char *const[]){ "run", "--raw", path_of("dlock.bin"), "--mem",
						      path_of("mem8.bin"), NULL });
	if (rc == HUNG)
		fprintf(stderr, "%s:%d: bpfvm run --raw dlock.bin still running after 10 s (killed)\n", __FILE__,
			__LINE__);
	EXPECT(rc, 1, "bpfvm: ");
	/* a lock word that is already taken (memory of ones): the same */
	write_file("mem1.bin", "\1\0\0\0\0\0\0\0", 8);
	static const uint8_t lock1[] = { 0x85, 0, 0, 0, 93, 0, 0, 0, 0xb7, 0, 0, 0, 0, 0, 0, 0,
					 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("lock1.bin", lock1, sizeof(lock1));
	rc = spawn_timeout(10, (const char *const[]){ "run", "--raw", path_of("lock1.bin"), "--mem",
						      path_of("mem1.bin"), NULL });
	CHECK(rc == 0 || rc == 1);
	CHECK(!sanitizer_report(err));
	/* unlock without lock, and a lock outside the memory given */
	static const uint8_t unlock[] = { 0x85, 0, 0, 0, 94, 0, 0, 0, 0xb7, 0, 0, 0, 0, 0, 0, 0,
					  0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("unlock.bin", unlock, sizeof(unlock));
	rc = spawn_timeout(5, (const char *const[]){ "run", "--raw", path_of("unlock.bin"), "--mem", path_of("mem8.bin"),
						     NULL });
	CHECK(rc == 0 || rc == 1);
	CHECK(!sanitizer_report(err));
	static const uint8_t wild[] = { 0xb7, 1, 0, 0, 0, 0x10, 0, 0, 0x85, 0, 0, 0, 93, 0, 0, 0,
					0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	write_file("wild.bin", wild, sizeof(wild));
	rc = spawn_timeout(5, (const char *const[]){ "run", "--raw", path_of("wild.bin"), NULL });
	EXPECT(rc, 1, "bpfvm: ");
}

/* ---- captures ----------------------------------------------------------------- */

static void put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void put32(FILE *f, uint32_t v)
{
	put(f, &v, 4);
}

static void pcap_header(FILE *f, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	uint16_t v[2] = { 2, 4 };
	put32(f, magic);
	put(f, v, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, snaplen);
	put32(f, linktype);
}

static void pcap_record(FILE *f, const uint8_t *data, uint32_t caplen, uint32_t len, uint32_t written)
{
	put32(f, 1);
	put32(f, 0);
	put32(f, caplen);
	put32(f, len);
	put(f, data, written);
}

static uint8_t frame[64];

/* name: a capture of two good packets, then what `bad` says */
static const char *write_pcap(const char *name, int bad)
{
	const char *path = path_of(name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return path;
	switch (bad) {
	case 0:         /* fine */
	case 1:         /* a record header cut after 8 bytes */
	case 2:         /* a packet cut after 20 of its 64 bytes */
	case 3:         /* a caplen beyond snaplen (2^31 - 1) */
	case 4:         /* caplen 0xffffffff */
		pcap_header(f, 0xa1b2c3d4, 65535, 1);
		pcap_record(f, frame, 64, 64, 64);
		pcap_record(f, frame, 64, 64, 64);
		if (bad == 1)
			put(f, "\1\0\0\0\0\0\0\0", 8);
		else if (bad == 2)
			pcap_record(f, frame, 64, 64, 20);
		else if (bad == 3)
			pcap_record(f, frame, 0x7fffffff, 0x7fffffff, 64);
		else if (bad == 4)
			pcap_record(f, frame, UINT32_MAX, 64, 64);
		break;
	case 5:         /* the file header cut */
		pcap_header(f, 0xa1b2c3d4, 65535, 1);
		fclose(f);
		if (truncate(path, 10) != 0)
			CHECK(!"truncate");
		return path;
	case 6:         /* no magic */
		put(f, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
		pcap_record(f, frame, 64, 64, 64);
		break;
	case 7:         /* big-endian magic, then little-endian fields: absurd lengths */
		pcap_header(f, 0xd4c3b2a1, 65535, 1);
		pcap_record(f, frame, 64, 64, 64);
		break;
	case 8:         /* nanosecond magic, snaplen 0 */
		pcap_header(f, 0xa1b23c4d, 0, 1);
		pcap_record(f, frame, 64, 64, 64);
		break;
	}
	fclose(f);
	return path;
}

/* pcapng: a section header, an interface, an enhanced packet */
static const char *write_pcapng(const char *name, int bad)
{
	const char *path = path_of(name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return path;
	put32(f, 0x0A0D0D0A);
	put32(f, 28);
	put32(f, 0x1A2B3C4D);
	uint16_t ver[2] = { 1, 0 };
	put(f, ver, 4);
	uint64_t seclen = UINT64_MAX;
	put(f, &seclen, 8);
	put32(f, 28);
	if (bad != 1) {
		put32(f, 1);            /* IDB */
		put32(f, 20);
		uint16_t lt[2] = { 1, 0 };
		put(f, lt, 4);
		put32(f, 65535);
		put32(f, 20);
	}
	uint32_t total = 28 + 64 + 4;
	put32(f, 6);                    /* EPB */
	put32(f, bad == 3 ? 12 : total); /* 3: a block length smaller than the block */
	put32(f, 0);
	put32(f, 0);
	put32(f, 0);
	put32(f, bad == 4 ? 1000 : 64); /* 4: a caplen past the block */
	put32(f, 64);
	put(f, frame, bad == 2 ? 10 : 64); /* 2: the packet cut */
	if (bad != 2)
		put32(f, total);
	fclose(f);
	return path;
}

static int have_clang(void)
{
	return system("clang --version >/dev/null 2>&1") == 0;
}

static void test_captures(void)
{
	if (!have_clang() || access("examples/xdp_firewall.bpf.c", R_OK) != 0) {
		printf("(captures: no clang or no examples/xdp_firewall.bpf.c here, skipped)\n");
		return;
	}
	char cmd[1024];
	static char obj[256];
	snprintf(obj, sizeof(obj), "%s", path_of("fw.o"));
	snprintf(cmd, sizeof(cmd),
		 "arch=$(clang -print-multiarch 2>/dev/null); "
		 "clang -O2 -g -target bpf -Iinclude ${arch:+-I/usr/include/$arch} "
		 "-c examples/xdp_firewall.bpf.c -o %s", obj);
	if (system(cmd) != 0) {
		CHECK(!"clang could not compile examples/xdp_firewall.bpf.c");
		return;
	}
	memset(frame, 0, sizeof(frame));
	memcpy(frame + 12, "\x08\x00\x45", 3);

	int rc = RUN("run", obj, "--pcap", write_pcap("good.pcap", 0));
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "2 packets");

	/* broken files: exit 1, one line "bpfvm: FILE: what" (libpcap's
	 * words), whatever ran before the break reported on stdout */
	static const char *const names[] = { NULL, "rec-cut.pcap", "data-cut.pcap", "caplen-big.pcap",
					     "caplen-max.pcap", "hdr-cut.pcap", "nomagic.pcap", "swapped.pcap" };
	for (int bad = 1; bad <= 7; bad++) {
		const char *p = write_pcap(names[bad], bad);
		char prefix[300];
		snprintf(prefix, sizeof(prefix), "bpfvm: %s: ", p);
		EXPECT(RUN("run", obj, "--pcap", p), 1, prefix);
		/* the same through map dump and with --write-pcap */
		EXPECT(RUN("map", "dump", obj, "--map", "proto_stats", "--pcap", p), 1, prefix);
		EXPECT(RUN("run", obj, "--pcap", p, "--write-pcap", path_of("out.pcap")), 1, prefix);
	}
	/* snaplen 0 with nanosecond timestamps: libpcap takes it */
	rc = RUN("run", obj, "--pcap", write_pcap("nsec.pcap", 8));
	CHECK(rc == 0 || rc == 1);
	CHECK(!sanitizer_report(err));
	CHECK(nlines(err) <= 1);

	rc = RUN("run", obj, "--pcap", write_pcapng("good.pcapng", 0));
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "1 packets");
	static const char *const ng[] = { NULL, "noidb.pcapng", "cut.pcapng", "shortblock.pcapng", "caplen.pcapng" };
	for (int bad = 1; bad <= 4; bad++) {
		const char *p = write_pcapng(ng[bad], bad);
		char prefix[300];
		snprintf(prefix, sizeof(prefix), "bpfvm: %s: ", p);
		EXPECT(RUN("run", obj, "--pcap", p), 1, prefix);
	}

	/* an empty file, a directory, a file that is not there */
	write_file("empty.pcap", "", 0);
	char prefix[300];
	snprintf(prefix, sizeof(prefix), "bpfvm: %s: ", path_of("empty.pcap"));
	EXPECT(RUN("run", obj, "--pcap", path_of("empty.pcap")), 1, prefix);
	rc = RUN("run", obj, "--pcap", dir);
	CHECK_EQ(rc, 1);
	CHECK_EQ(nlines(err), 1);
	/* a capture that is not there: the path once (regression: before
	 * 87f5d66 cli/objrun.c run_pcap prefixed libpcap's message, which
	 * names the file already: "bpfvm: P: P: No such file or directory") */
	const char *missing = path_of("nothere.pcap");
	rc = RUN("run", obj, "--pcap", missing);
	CHECK_EQ(rc, 1);
	CHECK_EQ(nlines(err), 1);
	CHECK_CONTAINS(err, "No such file or directory");
	const char *first = strstr(err, missing);
	CHECK(first && !strstr(first + strlen(missing), missing));

	/* --write-pcap where nothing can be written */
	snprintf(prefix, sizeof(prefix), "bpfvm: %s/no/such/dir/out.pcap: ", dir);
	char outp[300];
	snprintf(outp, sizeof(outp), "%s/no/such/dir/out.pcap", dir);
	EXPECT(RUN("run", obj, "--pcap", path_of("good.pcap"), "--write-pcap", outp), 1, prefix);

	/* packets the program cannot be run on (shorter than an Ethernet
	 * header, longer than an XDP frame): exit 1, the errors counted in
	 * the report */
	const char *p = path_of("runts.pcap");
	FILE *f = fopen(p, "wb");
	if (f) {
		static uint8_t jumbo[9000];
		pcap_header(f, 0xa1b2c3d4, 262144, 1);
		pcap_record(f, frame, 0, 0, 0);
		pcap_record(f, frame, 13, 13, 13);
		pcap_record(f, jumbo, sizeof(jumbo), sizeof(jumbo), sizeof(jumbo));
		fclose(f);
	}
	rc = RUN("run", obj, "--pcap", p);
	CHECK_EQ(rc, 1);
	CHECK(!sanitizer_report(err));
	CHECK_CONTAINS(out, "3 packets");
	CHECK_CONTAINS(out, "error: ");

	/* --data-in: an empty file, a directory */
	write_file("empty.bin", "", 0);
	EXPECT(RUN("run", obj, "--data-in", path_of("empty.bin")), 1, "bpfvm: ");
	EXPECT(RUN("run", obj, "--data-in", dir), 1, "bpfvm: ");
}

/* ---- --map-init on a hand-built object ----------------------------------------- */

struct mdef { const char *name; uint32_t type, key_size, value_size, max_entries; };
static const struct mdef mdefs[] = {
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 8, 4 },
	{ "wide", BPF_MAP_TYPE_HASH, 9, 9, 4 },
	{ "hash", BPF_MAP_TYPE_HASH, 4, 8, 4 },
};
#define NMDEFS (sizeof(mdefs) / sizeof(mdefs[0]))

/* An ELF object with a legacy "maps" section and a license, no programs:
 * what `struct bpf_map_def SEC("maps") NAME = {...};` compiles to. */
static void write_map_object(const char *path)
{
	static uint8_t b[4096];
	char strtab[256] = "\0.strtab\0maps\0.symtab\0license";
	size_t slen = 30, off, name_off[NMDEFS];
	memset(b, 0, sizeof(b));
	for (size_t i = 0; i < NMDEFS; i++) {
		name_off[i] = slen;
		memcpy(strtab + slen, mdefs[i].name, strlen(mdefs[i].name) + 1);
		slen += strlen(mdefs[i].name) + 1;
	}
	size_t str_at = sizeof(Elf64_Ehdr);
	memcpy(b + str_at, strtab, slen);
	size_t maps_at = (str_at + slen + 7) & ~(size_t)7;
	for (size_t i = 0; i < NMDEFS; i++) {
		uint32_t d[5] = { mdefs[i].type, mdefs[i].key_size, mdefs[i].value_size, mdefs[i].max_entries, 0 };
		memcpy(b + maps_at + 20 * i, d, 20);
	}
	size_t sym_at = (maps_at + 20 * NMDEFS + 7) & ~(size_t)7;
	for (size_t i = 0; i < NMDEFS; i++) {
		Elf64_Sym s = { .st_name = (uint32_t)name_off[i], .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
				.st_shndx = 2, .st_value = 20 * i, .st_size = 20 };
		memcpy(b + sym_at + sizeof(Elf64_Sym) * (i + 1), &s, sizeof(s));
	}
	size_t lic_at = sym_at + sizeof(Elf64_Sym) * (NMDEFS + 1);
	memcpy(b + lic_at, "GPL", 4);
	size_t sh_at = (lic_at + 4 + 7) & ~(size_t)7;
	Elf64_Shdr sh[5];
	memset(sh, 0, sizeof(sh));
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = str_at, .sh_size = slen,
			      .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = 9, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
			      .sh_offset = maps_at, .sh_size = 20 * NMDEFS, .sh_addralign = 4 };
	sh[3] = (Elf64_Shdr){ .sh_name = 14, .sh_type = SHT_SYMTAB, .sh_offset = sym_at,
			      .sh_size = sizeof(Elf64_Sym) * (NMDEFS + 1), .sh_link = 1, .sh_info = 1,
			      .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	sh[4] = (Elf64_Shdr){ .sh_name = 22, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
			      .sh_offset = lic_at, .sh_size = 4, .sh_addralign = 1 };
	memcpy(b + sh_at, sh, sizeof(sh));
	off = sh_at + sizeof(sh);
	Elf64_Ehdr eh = { .e_type = ET_REL, .e_machine = 247 /* EM_BPF */, .e_version = EV_CURRENT,
			  .e_shoff = sh_at, .e_ehsize = sizeof(Elf64_Ehdr), .e_shentsize = sizeof(Elf64_Shdr),
			  .e_shnum = 5, .e_shstrndx = 1 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(b, &eh, sizeof(eh));
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(b, 1, off, f);
		fclose(f);
	}
}

static void test_map_init(void)
{
	static char obj[256];
	snprintf(obj, sizeof(obj), "%s", path_of("maps.o"));
	write_map_object(obj);
	/* sanity: the object loads, a hash map takes an entry */
	int rc = RUN("map", "dump", obj, "--map", "hash", "--map-init", "hash={\"key\": 1, \"value\": 2}");
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "key: 01 00 00 00  value: 02 00 00 00 00 00 00 00");
	/* bad entries: exit 1, one line */
	static const char *const bad[] = {
		"hash={\"key\": 4294967296, \"value\": 1}", "hash={\"key\": -2147483649, \"value\": 1}",
		"hash={\"key\": 1.5, \"value\": 1}", "hash={\"key\": [1, 2, 3], \"value\": 1}",
		"hash={\"key\": [1, 2, 3, 256], \"value\": 1}", "hash={\"key\": [\"0x1g\", 0, 0, 0], \"value\": 1}",
		"hash={\"key\": 1}", "hash=[1]", "hash={\"key\": 1, \"value\": \"x\"}", "nomap={\"key\": 1, \"value\": 1}",
		"hash=[{\"key\": 1, \"value\": 1}, {\"key\": 2, \"value\": 1}, {\"key\": 3, \"value\": 1}, "
		"{\"key\": 4, \"value\": 1}, {\"key\": 5, \"value\": 1}]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT(RUN("map", "dump", obj, "--map", "hash", "--map-init", bad[i]), 1, "bpfvm: --map-init");

	/* a queue takes values without a key (regression: before 87f5d66
	 * init_entry, cli/objcli.c, always passed a key pointer, and
	 * MAP_UPDATE_ELEM on a keyless map wants NULL: EINVAL) */
	rc = RUN("map", "dump", obj, "--map", "queue", "--map-init", "queue={\"key\": 0, \"value\": 7}");
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "value: 07 00 00 00 00 00 00 00");
	CHECK(!sanitizer_report(err));
	rc = RUN("map", "dump", obj, "--map", "queue", "--map-init",
		 "queue=[{\"key\": 0, \"value\": 1}, {\"key\": 0, \"value\": 2}, {\"key\": 0, \"value\": 3}, "
		 "{\"key\": 0, \"value\": 4}, {\"key\": 0, \"value\": 5}]");
	CHECK_EQ(rc, 1);                        /* 4 entries at most */
	CHECK_EQ(nlines(err), 1);

	/* a negative key for a map with 0-byte keys: refused (regression:
	 * before 87f5d66 cli/objcli.c:195 encode() computed
	 * 1ull << (8 * size - 1) with size 0, a shift by 4294967295 — UBSan:
	 * "shift exponent 4294967295 is too large for 64-bit type 'unsigned
	 * long long'", found by tests/fuzz/fuzz_json.c) */
	rc = RUN("map", "dump", obj, "--map", "queue", "--map-init", "queue={\"key\": -1, \"value\": 7}");
	CHECK_EQ(rc, 1);
	CHECK(!sanitizer_report(err));
	CHECK_CONTAINS(err, "does not fit in 0 bytes");

	/* "-0" as a key of more than 8 bytes is 0 (regression: before
	 * 87f5d66 encode() filled bytes 8.. with 0xff, the sign of a
	 * negative number: the key read 00 00 00 00 00 00 00 00 ff) */
	rc = RUN("map", "dump", obj, "--map", "wide", "--map-init", "wide={\"key\": -0, \"value\": 0}");
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "key: 00 00 00 00 00 00 00 00  00  value:");
	/* and -1 in 9 bytes is all ones, 1 is 01 then zeros */
	rc = RUN("map", "dump", obj, "--map", "wide", "--map-init",
		 "wide=[{\"key\": -1, \"value\": 1}, {\"key\": 1, \"value\": -1}]");
	CHECK_EQ(rc, 0);
	CHECK_CONTAINS(out, "key: ff ff ff ff ff ff ff ff  ff  value: 01 00 00 00 00 00 00 00  00");
	CHECK_CONTAINS(out, "key: 01 00 00 00 00 00 00 00  00  value: ff ff ff ff ff ff ff ff  ff");
}

int main(void)
{
	const char *build = getenv("BUILD");
	snprintf(bin, sizeof(bin), "%s/bpfvm", build && *build ? build : "build");
	snprintf(dir, sizeof(dir), "/tmp/bpfvm-robust-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_attr_sizes();
	test_attr_writeback();
	if (access(bin, X_OK) != 0) {
		printf("(%s not built: CLI checks skipped)\n", bin);
	} else {
		test_cli_args();
		test_raw();
		test_captures();
		test_map_init();
	}
	free(out);
	free(err);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done();
}
