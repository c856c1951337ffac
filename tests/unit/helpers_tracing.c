/* The tracing and process helpers (src/helpers/tracing.c): bpf_probe_read,
 * bpf_probe_read_str, bpf_probe_write_user, the current task's pid/tgid,
 * uid/gid, comm, task and cgroup id, bpf_current_task_under_cgroup, the perf
 * counter reads and bpf_override_return. Called directly through the vm's
 * registry (exact results and errors), through bpfvm_exec (the interpreter's
 * call path, checked and unchecked), and loaded in tracing programs (the
 * verifier's view: helper lists, gpl_only). */
#include "test.h"
#include "lib/insn.h"
#include <bpfvm/bpfvm.h>
#include <bpfvm/perf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "core/vm.h"
#include "interp/interp.h"
#include "maps/map.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static struct bpfvm *vm;

#define P(x) ((uint64_t)(uintptr_t)(x))

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	return sys(BPF_MAP_CREATE, &a);
}

static struct bpfvm_map *map_of(int fd)
{
	struct bpfvm_map *m = NULL;
	if (bpfvm_sys_fd_to_map(vm, fd, &m) < 0)
		return NULL;
	bpfvm_map_put(m);
	return m;
}

static int64_t call(uint32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		    struct bpfvm_run *run)
{
	return (int64_t)vm->helpers[id].proto.fn(r1, r2, r3, r4, r5, run);
}

static void plain_run(struct bpfvm_run *run)
{
	memset(run, 0, sizeof(*run));
	run->vm = vm;
}

static int all(const void *p, int byte, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)byte)
			return 0;
	return 1;
}

/* Two pages, the second unmapped: returns the first. */
static uint8_t *page_before_hole(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p + pg, pg);
	return p;
}

/* ---- prototypes ---------------------------------------------------------------- */

static void test_protos(void)
{
	struct { uint32_t id; uint8_t gpl; uint8_t args[5]; } want[] = {
		{ BPF_FUNC_probe_read, 1, { BPFVM_ARG_PTR_TO_UNINIT_MEM, BPFVM_ARG_CONST_SIZE_OR_ZERO, BPFVM_ARG_ANYTHING } },
		{ BPF_FUNC_get_current_pid_tgid, 0, { 0 } },
		{ BPF_FUNC_get_current_uid_gid, 0, { 0 } },
		{ BPF_FUNC_get_current_comm, 0, { BPFVM_ARG_PTR_TO_UNINIT_MEM, BPFVM_ARG_CONST_SIZE } },
		{ BPF_FUNC_perf_event_read, 1, { BPFVM_ARG_CONST_MAP_PTR, BPFVM_ARG_ANYTHING } },
		{ BPF_FUNC_get_current_task, 1, { 0 } },
		{ BPF_FUNC_probe_write_user, 1, { BPFVM_ARG_ANYTHING, BPFVM_ARG_PTR_TO_MEM, BPFVM_ARG_CONST_SIZE } },
		{ BPF_FUNC_current_task_under_cgroup, 0, { BPFVM_ARG_CONST_MAP_PTR, BPFVM_ARG_ANYTHING } },
		{ BPF_FUNC_probe_read_str, 1, { BPFVM_ARG_PTR_TO_UNINIT_MEM, BPFVM_ARG_CONST_SIZE_OR_ZERO, BPFVM_ARG_ANYTHING } },
		{ BPF_FUNC_perf_event_read_value, 1, { BPFVM_ARG_CONST_MAP_PTR, BPFVM_ARG_ANYTHING,
						       BPFVM_ARG_PTR_TO_UNINIT_MEM, BPFVM_ARG_CONST_SIZE } },
		{ BPF_FUNC_perf_prog_read_value, 1, { BPFVM_ARG_PTR_TO_CTX, BPFVM_ARG_PTR_TO_UNINIT_MEM,
						      BPFVM_ARG_CONST_SIZE } },
		{ BPF_FUNC_override_return, 1, { BPFVM_ARG_PTR_TO_CTX, BPFVM_ARG_ANYTHING } },
		{ BPF_FUNC_get_current_cgroup_id, 0, { 0 } },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct bpfvm_helper_proto *p = &vm->helpers[want[i].id].proto;
		CHECK(p->fn != NULL);
		CHECK_EQ(p->ret_type, BPFVM_RET_INTEGER);
		CHECK_EQ(p->gpl_only, want[i].gpl);
		CHECK_EQ(p->pkt_access, 0);
		CHECK(!memcmp(p->arg_type, want[i].args, 5));
	}
	CHECK_STR(vm->helpers[BPF_FUNC_probe_read_str].proto.name, "probe_read_str");
}

/* ---- the current task ------------------------------------------------------------ */

struct thread_result {
	uint64_t pid_tgid, task;
	pid_t tid;
	char comm[16];
	int comm_rc;
};

static void *thread_fn(void *arg)
{
	struct thread_result *r = arg;
	struct bpfvm_run run;
	plain_run(&run);
	prctl(PR_SET_NAME, "trc-worker", 0, 0, 0);
	r->tid = (pid_t)syscall(SYS_gettid);
	r->pid_tgid = (uint64_t)call(BPF_FUNC_get_current_pid_tgid, 0, 0, 0, 0, 0, &run);
	r->task = (uint64_t)call(BPF_FUNC_get_current_task, 0, 0, 0, 0, 0, &run);
	r->comm_rc = (int)call(BPF_FUNC_get_current_comm, P(r->comm), sizeof(r->comm), 0, 0, 0, &run);
	return NULL;
}

static void test_current(void)
{
	struct bpfvm_run run;
	plain_run(&run);
	uint64_t v = (uint64_t)call(BPF_FUNC_get_current_pid_tgid, 0, 0, 0, 0, 0, &run);
	CHECK_EQ(v >> 32, (uint32_t)getpid());
	CHECK_EQ((uint32_t)v, (uint32_t)syscall(SYS_gettid));
	/* The main thread: tid == tgid. */
	CHECK_EQ(v >> 32, (uint32_t)v);

	v = (uint64_t)call(BPF_FUNC_get_current_uid_gid, 0, 0, 0, 0, 0, &run);
	CHECK_EQ((uint32_t)v, (uint32_t)getuid());
	CHECK_EQ(v >> 32, (uint32_t)getgid());

	uint64_t task = (uint64_t)call(BPF_FUNC_get_current_task, 0, 0, 0, 0, 0, &run);
	CHECK(task != 0);
	CHECK_EQ_U64(call(BPF_FUNC_get_current_task, 0, 0, 0, 0, 0, &run), task);

	/* comm: the thread's name, NUL-padded, truncated to size - 1. */
	CHECK_EQ(prctl(PR_SET_NAME, "bpfvm-tracing-x", 0, 0, 0), 0);
	char want[17] = { 0 };
	CHECK_EQ(prctl(PR_GET_NAME, want, 0, 0, 0), 0);
	CHECK_STR(want, "bpfvm-tracing-x");
	char buf[32];
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), 16, 0, 0, 0, &run), 0);
	CHECK_STR(buf, "bpfvm-tracing-x");
	CHECK(all(buf + 16, 0xaa, 16));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), 32, 0, 0, 0, &run), 0);
	CHECK_STR(buf, "bpfvm-tracing-x");
	CHECK(all(buf + 15, 0, 17));             /* strncpy pads to size */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), 6, 0, 0, 0, &run), 0);
	CHECK_STR(buf, "bpfvm");
	CHECK(all(buf + 6, 0xaa, 26));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), 1, 0, 0, 0, &run), 0);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ((uint8_t)buf[1], 0xaa);
	CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), 0, 0, 0, 0, &run), -EINVAL);
	prctl(PR_SET_NAME, "short", 0, 0, 0);
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_get_current_comm, P(buf), 16, 0, 0, 0, &run), 0);
	CHECK_STR(buf, "short");
	CHECK(all(buf + 5, 0, 11));

	/* Another thread: same tgid, its own tid, task and comm. */
	struct thread_result r;
	memset(&r, 0, sizeof(r));
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, thread_fn, &r), 0);
	pthread_join(t, NULL);
	CHECK_EQ(r.pid_tgid >> 32, (uint32_t)getpid());
	CHECK_EQ((uint32_t)r.pid_tgid, (uint32_t)r.tid);
	CHECK((uint32_t)r.pid_tgid != (uint32_t)getpid());
	CHECK(r.task != 0 && r.task != task);
	CHECK_EQ(r.comm_rc, 0);
	CHECK_STR(r.comm, "trc-worker");
}

static void test_cgroup_id(void)
{
	struct bpfvm_run run;
	plain_run(&run);
	uint64_t id = (uint64_t)call(BPF_FUNC_get_current_cgroup_id, 0, 0, 0, 0, 0, &run);
	CHECK_EQ_U64(call(BPF_FUNC_get_current_cgroup_id, 0, 0, 0, 0, 0, &run), id);
	/* Where the process's cgroup v2 directory is visible, the id is its
	 * file handle (the kernel's kernfs id), which on 64-bit kernels since
	 * 5.5 is the directory's inode number. */
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[4096], path[4200];
	int v2 = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			v2 = 1;
			break;
		}
	}
	if (f)
		fclose(f);
	struct statfs sf;
	struct stat st;
	if (!f) {
		CHECK_EQ(id, 0);
	} else if (!v2) {
		CHECK_EQ(id, 1);
	} else {
		const char *mnt = NULL;
		if (statfs("/sys/fs/cgroup", &sf) == 0 && (unsigned long)sf.f_type == 0x63677270)
			mnt = "/sys/fs/cgroup";
		else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && (unsigned long)sf.f_type == 0x63677270)
			mnt = "/sys/fs/cgroup/unified";
		snprintf(path, sizeof(path), "%s%s", mnt ? mnt : "/nonexistent", line + 3);
		if (!mnt) {
			CHECK_EQ(id, 0);
		} else if (stat(path, &st) == 0) {
			CHECK(id != 0);
			printf("cgroup %s: id %llu, inode %llu\n", path, (unsigned long long)id,
			       (unsigned long long)st.st_ino);
			CHECK_EQ_U64(id, st.st_ino);
		}
	}
}

/* ---- probe_read, probe_read_str, probe_write_user ------------------------------------- */

static uint64_t secret = 0x1122334455667788ull;
static const char hello[] = "hello";

static void test_probe_read(void)
{
	struct bpfvm_run run;
	plain_run(&run);
	uint8_t buf[64];
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 8, P(&secret), 0, 0, &run), 0);
	CHECK(!memcmp(buf, &secret, 8));
	CHECK(all(buf + 8, 0xaa, 56));
	/* Bad addresses: -EFAULT, the destination zeroed. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 16, 8, 0, 0, &run), -EFAULT);
	CHECK(all(buf, 0, 16));
	CHECK(all(buf + 16, 0xaa, 48));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 8, 0xffffffffffff0000ull, 0, 0, &run), -EFAULT);
	CHECK(all(buf, 0, 8));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 16, UINT64_MAX - 3, 0, 0, &run), -EFAULT);
	/* Size 0: nothing read, nothing written. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 0, 8, 0, 0, &run), 0);
	CHECK(all(buf, 0xaa, 64));
	CHECK_EQ(call(BPF_FUNC_probe_read, 0, 0, P(&secret), 0, 0, &run), 0);

	/* A read that runs into an unmapped page fails as a whole. */
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *p = page_before_hole();
	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 0x5a, pg);
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 8, P(p + pg - 8), 0, 0, &run), 0);
	CHECK(all(buf, 0x5a, 8));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read, P(buf), 9, P(p + pg - 8), 0, 0, &run), -EFAULT);
	CHECK(all(buf, 0, 9));
	CHECK_EQ((uint8_t)buf[9], 0xaa);

	/* probe_read_str: the length with the NUL; the rest of dst untouched. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 16, P(hello), 0, 0, &run), 6);
	CHECK_STR((char *)buf, "hello");
	CHECK(all(buf + 6, 0xaa, 58));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 6, P(hello), 0, 0, &run), 6);
	CHECK_STR((char *)buf, "hello");
	CHECK_EQ((uint8_t)buf[6], 0xaa);
	/* Truncated: size - 1 bytes and a NUL, the result is size. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 5, P(hello), 0, 0, &run), 5);
	CHECK_STR((char *)buf, "hell");
	CHECK_EQ((uint8_t)buf[5], 0xaa);
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 1, P(hello), 0, 0, &run), 1);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ((uint8_t)buf[1], 0xaa);
	/* The empty string: 1. */
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 8, P(""), 0, 0, &run), 1);
	CHECK_EQ(buf[0], 0);
	/* Size 0: 0, nothing written. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 0, P(hello), 0, 0, &run), 0);
	CHECK(all(buf, 0xaa, 64));
	/* Faults: -EFAULT and all of dst zeroed. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 32, 16, 0, 0, &run), -EFAULT);
	CHECK(all(buf, 0, 32));
	CHECK(all(buf + 32, 0xaa, 32));
	/* A string ending at the last byte of a page before a hole reads fine
	 * (nothing past the NUL is touched); one without a NUL faults. */
	memcpy(p + pg - 4, "abc", 4);
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 64, P(p + pg - 4), 0, 0, &run), 4);
	CHECK_STR((char *)buf, "abc");
	CHECK(all(buf + 4, 0xaa, 60));
	memcpy(p + pg - 4, "abcd", 4);
	/* size reaches the hole only past the 4 bytes: truncation first. */
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 4, P(p + pg - 4), 0, 0, &run), 4);
	CHECK_STR((char *)buf, "abc");
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(buf), 5, P(p + pg - 4), 0, 0, &run), -EFAULT);
	CHECK(all(buf, 0, 5));
	/* Long strings across pages and chunks. */
	memset(p, 'x', pg);
	p[pg - 1] = 0;
	uint8_t *big = malloc(2 * pg);
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(big), 2 * pg, P(p), 0, 0, &run), pg);
	CHECK(all(big, 'x', pg - 1));
	CHECK_EQ(big[pg - 1], 0);
	CHECK_EQ(call(BPF_FUNC_probe_read_str, P(big), 1000, P(p + 100), 0, 0, &run), 1000);
	CHECK(all(big, 'x', 999));
	CHECK_EQ(big[999], 0);
	free(big);
	munmap(p, pg);
}

static void test_probe_write_user(void)
{
	struct bpfvm_run run;
	plain_run(&run);
	uint64_t target = 0, val = 0xdeadbeefcafef00dull;
	CHECK_EQ(call(BPF_FUNC_probe_write_user, P(&target), P(&val), 8, 0, 0, &run), 0);
	CHECK_EQ_U64(target, val);
	CHECK_EQ(call(BPF_FUNC_probe_write_user, P(&target), P(&val), 0, 0, 0, &run), 0);
	/* Unmapped and read-only memory: -EFAULT. */
	CHECK_EQ(call(BPF_FUNC_probe_write_user, 4096, P(&val), 8, 0, 0, &run), -EFAULT);
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	CHECK_EQ(call(BPF_FUNC_probe_write_user, P(ro), P(&val), 8, 0, 0, &run), -EFAULT);
	CHECK(all(ro, 0, 8));
	munmap(ro, pg);
#if defined(__x86_64__)
	/* Outside the user address range (access_ok): -EPERM. */
	CHECK_EQ(call(BPF_FUNC_probe_write_user, 0xffff888000000000ull, P(&val), 8, 0, 0, &run), -EPERM);
	CHECK_EQ(call(BPF_FUNC_probe_write_user, 0x00007ffffffff000ull - 4, P(&val), 8, 0, 0, &run), -EPERM);
#endif
	CHECK_EQ(call(BPF_FUNC_probe_write_user, UINT64_MAX - 3, P(&val), 8, 0, 0, &run), -EPERM);

	/* A checked run writes only where the run may write. */
	struct bpfvm_run crun;
	bpfvm_run_init(&crun, vm, 1);
	target = 0;
	CHECK_EQ(call(BPF_FUNC_probe_write_user, P(&target), P(&val), 8, 0, 0, &crun), -EFAULT);
	CHECK_EQ(target, 0);
	uint64_t region[2] = { 0, 0 };
	CHECK_EQ(bpfvm_run_add_region(&crun, region, sizeof(region), 0), 0);
	CHECK_EQ(call(BPF_FUNC_probe_write_user, P(&region[0]), P(&val), 8, 0, 0, &crun), -EFAULT);
	CHECK_EQ(bpfvm_run_add_region(&crun, region, sizeof(region), 1), 0);
	CHECK_EQ(call(BPF_FUNC_probe_write_user, P(&region[1]), P(&val), 8, 0, 0, &crun), 0);
	CHECK_EQ_U64(region[1], val);
	bpfvm_run_fini(&crun);
}

/* ---- perf counters, cgroups, override_return ----------------------------------------- */

static void test_perf_read(void)
{
	int fd = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
	CHECK(fd >= 0);
	struct bpfvm_map *m = map_of(fd);
	struct bpfvm_perf *pe;
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 0, 0, &pe), 0);
	struct bpfvm_run run;
	plain_run(&run);
	run.cpu = 0;
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 0, 0, 0, 0, &run), 0);
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), BPF_F_CURRENT_CPU, 0, 0, 0, &run), 0);
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 4, 0, 0, 0, &run), -E2BIG);
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 1, 0, 0, 0, &run), -ENOENT);
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 1ull << 32, 0, 0, 0, &run), -EINVAL);
	/* A per-CPU event read from another CPU: -EINVAL. */
	run.cpu = 1;
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 0, 0, 0, 0, &run), -EINVAL);
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), BPF_F_CURRENT_CPU, 0, 0, 0, &run), -ENOENT);

	/* perf_event_read_value: the struct, zeroed on error. */
	struct bpf_perf_event_value v;
	run.cpu = 0;
	memset(&v, 0xaa, sizeof(v));
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 0, P(&v), sizeof(v), 0, &run), 0);
	CHECK(all(&v, 0, sizeof(v)));
	uint8_t buf[32];
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 0, P(buf), 16, 0, &run), -EINVAL);
	CHECK(all(buf, 0, 16));
	CHECK(all(buf + 16, 0xaa, 16));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 0, P(buf), 32, 0, &run), -EINVAL);
	CHECK(all(buf, 0, 32));
	memset(&v, 0xaa, sizeof(v));
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 2, P(&v), sizeof(v), 0, &run), -ENOENT);
	CHECK(all(&v, 0, sizeof(v)));
	memset(&v, 0xaa, sizeof(v));
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 7, P(&v), sizeof(v), 0, &run), -E2BIG);
	CHECK(all(&v, 0, sizeof(v)));
	memset(&v, 0xaa, sizeof(v));
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 1ull << 40, P(&v), sizeof(v), 0, &run), -EINVAL);
	CHECK(all(&v, 0, sizeof(v)));
	run.cpu = 1;
	CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 0, P(&v), sizeof(v), 0, &run), -EINVAL);
	/* A closed event leaves its slot. */
	bpfvm_perf_close(pe);
	run.cpu = 0;
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 0, 0, 0, 0, &run), -ENOENT);
	/* Not a perf event array (only unverified code can pass one). */
	int afd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4);
	CHECK_EQ(call(BPF_FUNC_perf_event_read, P(map_of(afd)), 0, 0, 0, 0, &run), -EINVAL);
	bpfvm_close(vm, afd);
	bpfvm_close(vm, fd);

	/* perf_prog_read_value. */
	uint8_t ctx[184] = { 0 };
	memset(&v, 0xaa, sizeof(v));
	CHECK_EQ(call(BPF_FUNC_perf_prog_read_value, P(ctx), P(&v), sizeof(v), 0, 0, &run), 0);
	CHECK(all(&v, 0, sizeof(v)));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(call(BPF_FUNC_perf_prog_read_value, P(ctx), P(buf), 8, 0, 0, &run), -EINVAL);
	CHECK(all(buf, 0, 8));
	CHECK(all(buf + 8, 0xaa, 24));
}

static void test_cgroup_array(void)
{
	/* No CGROUP_ARRAY in bpfvm. */
	CHECK(create(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4) < 0);
	struct bpfvm_map fake;
	memset(&fake, 0, sizeof(fake));
	fake.map_type = BPF_MAP_TYPE_CGROUP_ARRAY;
	fake.max_entries = 4;
	struct bpfvm_run run;
	plain_run(&run);
	CHECK_EQ(call(BPF_FUNC_current_task_under_cgroup, P(&fake), 0, 0, 0, 0, &run), -EAGAIN);
	CHECK_EQ(call(BPF_FUNC_current_task_under_cgroup, P(&fake), 3, 0, 0, 0, &run), -EAGAIN);
	CHECK_EQ(call(BPF_FUNC_current_task_under_cgroup, P(&fake), 4, 0, 0, 0, &run), -E2BIG);
	fake.map_type = BPF_MAP_TYPE_ARRAY;
	CHECK_EQ(call(BPF_FUNC_current_task_under_cgroup, P(&fake), 0, 0, 0, 0, &run), -EINVAL);
}

static void test_override_return(void)
{
	uint64_t regs[21];
	memset(regs, 0, sizeof(regs));
	regs[16] = 0x1234;                      /* ip */
	struct bpfvm_run run;
	plain_run(&run);
	CHECK_EQ(call(BPF_FUNC_override_return, P(regs), (uint64_t)-ENOMEM, 0, 0, 0, &run), 0);
	CHECK_EQ((int64_t)regs[10], -ENOMEM);   /* ax */
	CHECK(regs[16] != 0x1234 && regs[16] != 0);
	uint64_t ip = regs[16];
	/* The same stand-in for just_return_func every time. */
	CHECK_EQ(call(BPF_FUNC_override_return, P(regs), 7, 0, 0, 0, &run), 0);
	CHECK_EQ(regs[10], 7);
	CHECK_EQ_U64(regs[16], ip);
	/* A checked run whose context is not a whole pt_regs: nothing written. */
	struct bpfvm_run crun;
	bpfvm_run_init(&crun, vm, 1);
	uint64_t small[4] = { 0 };
	CHECK_EQ(bpfvm_run_add_region(&crun, small, sizeof(small), 1), 0);
	CHECK_EQ(call(BPF_FUNC_override_return, P(small), 9, 0, 0, 0, &crun), 0);
	CHECK(all(small, 0, sizeof(small)));
	uint64_t regs2[21] = { 0 };
	CHECK_EQ(bpfvm_run_add_region(&crun, regs2, sizeof(regs2), 1), 0);
	CHECK_EQ(call(BPF_FUNC_override_return, P(regs2), 9, 0, 0, 0, &crun), 0);
	CHECK_EQ(regs2[10], 9);
	CHECK_EQ_U64(regs2[16], ip);
	bpfvm_run_fini(&crun);
	CHECK_EQ(call(BPF_FUNC_override_return, 0, 9, 0, 0, 0, &run), 0);
}

/* ---- through the interpreter --------------------------------------------------- */

static int exec(const struct bpf_insn *insns, size_t n, int checked, void *mem, size_t len, uint64_t *r0)
{
	struct bpfvm_exec_opts o;
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.flags = checked ? 0 : BPFVM_EXEC_UNCHECKED;
	struct bpfvm_exec *e;
	char err[256];
	int rc = bpfvm_exec_new(vm, insns, n, &o, &e, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "exec_new: %s\n", err);
		return rc;
	}
	rc = bpfvm_exec_run(e, mem, len, r0, err, sizeof(err));
	if (rc < 0 && getenv("TRACE_LOG"))
		fprintf(stderr, "exec_run: %s\n", err);
	bpfvm_exec_free(e);
	return rc;
}

static void test_exec(void)
{
	for (int checked = 0; checked < 2; checked++) {
		struct bpf_insn pid[] = { CALL(BPF_FUNC_get_current_pid_tgid), EXIT() };
		uint64_t r0 = 0;
		CHECK_EQ(exec(pid, 2, checked, NULL, 0, &r0), 0);
		CHECK_EQ(r0 >> 32, (uint32_t)getpid());
		CHECK_EQ((uint32_t)r0, (uint32_t)syscall(SYS_gettid));

		/* probe_read(fp - 8, 8, &secret); return *(u64 *)(fp - 8) */
		struct bpf_insn rd[] = {
			MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 8), LD_IMM64(3, P(&secret)),
			CALL(BPF_FUNC_probe_read), LDX(0x18, 0, 10, -8), EXIT(),
		};
		r0 = 0;
		CHECK_EQ(exec(rd, sizeof(rd) / sizeof(rd[0]), checked, NULL, 0, &r0), 0);
		CHECK_EQ_U64(r0, secret);
		/* The same at a bad address: -EFAULT, the stack slot zeroed. */
		struct bpf_insn bad[] = {
			ST(0x18, 10, -8, 77),
			MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 8), MOV64_IMM(3, 64),
			CALL(BPF_FUNC_probe_read), MOV64_REG(6, 0), LDX(0x18, 0, 10, -8), ALU64_REG(0x00, 0, 6), EXIT(),
		};
		r0 = 0;
		CHECK_EQ(exec(bad, sizeof(bad) / sizeof(bad[0]), checked, NULL, 0, &r0), 0);
		CHECK_EQ((int64_t)r0, -EFAULT);

		/* probe_read_str(fp - 16, 16, hello) returns 6. */
		struct bpf_insn str[] = {
			MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -16), MOV64_IMM(2, 16), LD_IMM64(3, P(hello)),
			CALL(BPF_FUNC_probe_read_str), EXIT(),
		};
		r0 = 0;
		CHECK_EQ(exec(str, sizeof(str) / sizeof(str[0]), checked, NULL, 0, &r0), 0);
		CHECK_EQ(r0, 6);

		/* get_current_comm(fp - 16, 16); return the first 8 bytes */
		prctl(PR_SET_NAME, "abcdefg", 0, 0, 0);
		struct bpf_insn comm[] = {
			MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -16), MOV64_IMM(2, 16),
			CALL(BPF_FUNC_get_current_comm), LDX(0x18, 0, 10, -16), EXIT(),
		};
		r0 = 0;
		CHECK_EQ(exec(comm, sizeof(comm) / sizeof(comm[0]), checked, NULL, 0, &r0), 0);
		CHECK(!memcmp(&r0, "abcdefg", 8));

		/* override_return(ctx, -5) on a pt_regs given as memory. */
		uint64_t regs[21] = { 0 };
		struct bpf_insn ovr[] = { MOV64_IMM(2, -5), CALL(BPF_FUNC_override_return), EXIT() };
		r0 = 1;
		CHECK_EQ(exec(ovr, 3, checked, regs, sizeof(regs), &r0), 0);
		CHECK_EQ(r0, 0);
		CHECK_EQ((int64_t)regs[10], -5);
	}
	/* A checked run passes no forged destination to probe_read. */
	struct bpf_insn forged[] = {
		LD_IMM64(1, P(&secret)), MOV64_IMM(2, 8), LD_IMM64(3, P(hello)), CALL(BPF_FUNC_probe_read), EXIT(),
	};
	uint64_t r0;
	uint64_t before = secret;
	CHECK(exec(forged, sizeof(forged) / sizeof(forged[0]), 1, NULL, 0, &r0) < 0);
	CHECK_EQ_U64(secret, before);
}

/* ---- loading tracing programs ---------------------------------------------------- */

static int load(uint32_t type, const struct bpf_insn *insns, size_t n, const char *license)
{
	static char log[8192];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = P(insns);
	a.insn_cnt = (uint32_t)n;
	a.license = P(license);
	a.log_buf = P(log);
	a.log_size = sizeof(log);
	a.log_level = 1;
	log[0] = 0;
	int fd = sys(BPF_PROG_LOAD, &a);
	if (fd < 0 && getenv("TRACE_LOG"))
		fprintf(stderr, "load: %d\n%s\n", fd, log);
	return fd;
}

static void test_load(void)
{
	struct bpf_insn rd[] = {
		MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 8), MOV64_IMM(3, 0),
		CALL(BPF_FUNC_probe_read), MOV64_IMM(0, 0), EXIT(),
	};
	size_t nrd = sizeof(rd) / sizeof(rd[0]);
	struct bpf_insn ids[] = {
		CALL(BPF_FUNC_get_current_pid_tgid), CALL(BPF_FUNC_get_current_uid_gid),
		CALL(BPF_FUNC_get_current_cgroup_id), MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -16), MOV64_IMM(2, 16),
		CALL(BPF_FUNC_get_current_comm), MOV64_IMM(0, 0), EXIT(),
	};
	size_t nids = sizeof(ids) / sizeof(ids[0]);
	uint32_t types[] = { BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_PERF_EVENT,
			     BPF_PROG_TYPE_RAW_TRACEPOINT };
	for (size_t i = 0; i < 4; i++) {
		int fd = load(types[i], rd, nrd, "GPL");
		CHECK(fd >= 0);
		if (fd >= 0)
			bpfvm_close(vm, fd);
		/* gpl_only: probe_read needs a GPL program, the task ids not. */
		CHECK_EQ(load(types[i], rd, nrd, "MIT"), -EINVAL);
		fd = load(types[i], ids, nids, "MIT");
		CHECK(fd >= 0);
		if (fd >= 0)
			bpfvm_close(vm, fd);
	}
	/* Not a tracing type: no probe_read. */
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, rd, nrd, "GPL"), -EINVAL);
	CHECK_EQ(load(BPF_PROG_TYPE_SOCKET_FILTER, ids, 2, "GPL"), -EINVAL);

	/* override_return is kprobe-only; perf_prog_read_value perf_event-only. */
	struct bpf_insn ovr[] = { MOV64_IMM(2, 0), CALL(BPF_FUNC_override_return), EXIT() };
	int fd = load(BPF_PROG_TYPE_KPROBE, ovr, 3, "GPL");
	CHECK(fd >= 0);
	CHECK_EQ(load(BPF_PROG_TYPE_TRACEPOINT, ovr, 3, "GPL"), -EINVAL);
	/* No test run for kprobes in v5.1. */
	if (fd >= 0) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		uint8_t data[168] = { 0 };
		a.test.prog_fd = (uint32_t)fd;
		a.test.data_in = P(data);
		a.test.data_size_in = sizeof(data);
		CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), -ENOTSUPP);
		bpfvm_close(vm, fd);
	}
	struct bpf_insn ppr[] = {
		MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -24), MOV64_IMM(3, 24), CALL(BPF_FUNC_perf_prog_read_value), EXIT(),
	};
	fd = load(BPF_PROG_TYPE_PERF_EVENT, ppr, 5, "GPL");
	CHECK(fd >= 0);
	if (fd >= 0)
		bpfvm_close(vm, fd);
	CHECK_EQ(load(BPF_PROG_TYPE_KPROBE, ppr, 5, "GPL"), -EINVAL);

	/* perf_event_read(_value) on a perf event array. */
	int pfd = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2);
	struct bpf_insn per[] = {
		I(0x18, 1, BPF_PSEUDO_MAP_FD, 0, pfd), I(0, 0, 0, 0, 0),
		LD_IMM64(2, BPF_F_CURRENT_CPU), CALL(BPF_FUNC_perf_event_read), EXIT(),
	};
	fd = load(BPF_PROG_TYPE_KPROBE, per, sizeof(per) / sizeof(per[0]), "GPL");
	CHECK(fd >= 0);
	if (fd >= 0)
		bpfvm_close(vm, fd);
	struct bpf_insn perv[] = {
		I(0x18, 1, BPF_PSEUDO_MAP_FD, 0, pfd), I(0, 0, 0, 0, 0),
		MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -24), MOV64_IMM(4, 24),
		CALL(BPF_FUNC_perf_event_read_value), EXIT(),
	};
	fd = load(BPF_PROG_TYPE_KPROBE, perv, 8, "GPL");
	CHECK(fd >= 0);
	if (fd >= 0)
		bpfvm_close(vm, fd);
	CHECK_EQ(load(BPF_PROG_TYPE_RAW_TRACEPOINT, perv, 8, "GPL"), -EINVAL);
	bpfvm_close(vm, pfd);

	/* probe_write_user and get_current_task from a raw tracepoint. */
	struct bpf_insn wr[] = {
		ST(0x18, 10, -8, 1), MOV64_IMM(1, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -8), MOV64_IMM(3, 8),
		CALL(BPF_FUNC_probe_write_user), CALL(BPF_FUNC_get_current_task), CALL(BPF_FUNC_probe_read_str),
		EXIT(),
	};
	/* probe_read_str gets r1..r3 from nowhere: refused; without it the program loads. */
	CHECK(load(BPF_PROG_TYPE_RAW_TRACEPOINT, wr, 9, "GPL") < 0);
	wr[7] = MOV64_IMM(0, 0);
	fd = load(BPF_PROG_TYPE_RAW_TRACEPOINT, wr, 9, "GPL");
	CHECK(fd >= 0);
	if (fd >= 0)
		bpfvm_close(vm, fd);
}

int main(void)
{
	vm = bpfvm_new();
	test_protos();
	test_current();
	test_cgroup_id();
	test_probe_read();
	test_probe_write_user();
	test_perf_read();
	test_cgroup_array();
	test_override_return();
	test_exec();
	test_load();
	bpfvm_free(vm);
	return test_done();
}
