/*
 * The tracing and process helpers of Linux v5.1 (kernel/trace/bpf_trace.c,
 * kernel/bpf/helpers.c), against a userspace model of "the current task".
 *
 * bpfvm runs programs in a host process, so "current" is the host thread
 * that runs the program, and "kernel" and "user" memory are both the host
 * process's address space:
 *
 *   probe_read (4), probe_read_str (45)   read any address of the host
 *       through process_vm_readv on our own pid, which fails cleanly
 *       (-EFAULT) where a plain load would crash; the destination is zeroed
 *       on error as the kernel does.
 *   probe_write_user (36)                 writes host memory through
 *       process_vm_writev (-EFAULT where unmapped or read-only); -EPERM
 *       outside the user address range (the kernel's access_ok). In checked
 *       runs (programs the host did not prove safe) only memory the run may
 *       write is accepted, anything else is -EFAULT. The kernel's load-time
 *       warning ("... may corrupt user memory!") goes to its log, not
 *       trace_pipe: bpfvm prints nothing.
 *   get_current_pid_tgid (14)             getpid() << 32 | gettid().
 *   get_current_uid_gid (15)              getgid() << 32 | getuid() (the real
 *       ids, as current_uid()/current_gid(), in the host's user namespace).
 *   get_current_comm (16)                 the thread's name, prctl(PR_GET_NAME).
 *   get_current_task (35)                 an opaque non-zero value per live
 *       thread: the address of a thread-local object of this file (so, as a
 *       task_struct address, it may be reused after the thread exits).
 *   get_current_cgroup_id (80)            the id of the process's cgroup v2
 *       (from /proc/thread-self/cgroup, resolved under the cgroup2 mount at
 *       /sys/fs/cgroup or /sys/fs/cgroup/unified with name_to_handle_at, the
 *       id the kernel reports; its inode number if handles are refused).
 *       No cgroup v2 line: 1, the root of the default hierarchy, as the
 *       kernel for a task whose controllers are all on v1. Undeterminable
 *       (no /proc, no cgroup2 mount visible): 0.
 *   current_task_under_cgroup (37)        needs a CGROUP_ARRAY, which bpfvm
 *       does not have: an index in range finds no cgroup (-EAGAIN).
 *   perf_event_read (22), perf_event_read_value (55)   the slots of a
 *       PERF_EVENT_ARRAY hold bpfvm's only events, BPF output events
 *       (bpfvm_perf_open): per-CPU software events whose count the kernel
 *       never increments (bpf_perf_event_output does not count). So a read
 *       on the event's CPU gives 0; enabled/running are 0 too (bpfvm keeps
 *       no enable time for its events). Errors as get_map_perf_counter and
 *       perf_event_read_local.
 *   perf_prog_read_value (56)             no perf event fires a program here:
 *       the event behind the context counts nothing (all zero, 0).
 *   override_return (58)                  no function is probed: the helper
 *       does what the kernel does to the pt_regs context (ax = rc, ip = the
 *       address of a function that just returns) and returns 0; a host that
 *       ran the program on a pt_regs buffer sees both there.
 */
#include "helpers/builtin.h"
#include "interp/interp.h"
#include "maps/map.h"
#include "maps/arraymap.h"
#include "core/kerrno.h"
#include <bpfvm/perf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define RET(e) ((uint64_t)(int64_t)(e))
#define PAGE 4096u
#define TASK_COMM_LEN 16
#define CGROUP2_SUPER_MAGIC 0x63677270

/* ---- safe access to host memory --------------------------------------------------- */

/* Copies n bytes from addr; all or nothing: 0 or -EFAULT. */
static int host_read(void *dst, uint64_t addr, uint64_t n)
{
	if (!n)
		return 0;
	if (addr + n < addr || n > SSIZE_MAX)
		return -EFAULT;
	struct iovec local = { dst, (size_t)n }, remote = { (void *)(uintptr_t)addr, (size_t)n };
	ssize_t r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return r == (ssize_t)n ? 0 : -EFAULT;
}

static int host_write(uint64_t addr, const void *src, uint64_t n)
{
	if (!n)
		return 0;
	if (addr + n < addr || n > SSIZE_MAX)
		return -EFAULT;
	struct iovec local = { (void *)src, (size_t)n }, remote = { (void *)(uintptr_t)addr, (size_t)n };
	ssize_t r = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	return r == (ssize_t)n ? 0 : -EFAULT;
}

/* ---- bpf_probe_read, bpf_probe_read_str, bpf_probe_write_user ------------------------ */

/* probe_kernel_read; the destination is zeroed on failure. */
static uint64_t probe_read(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4, uint64_t r5,
			   struct bpfvm_run *run)
{
	uint32_t n = (uint32_t)size;
	int rc = host_read((void *)(uintptr_t)dst, src, n);
	if (rc < 0 && n)
		memset((void *)(uintptr_t)dst, 0, n);
	return RET(rc);
}

/* strncpy_from_unsafe: copies up to the NUL (included) or size - 1 bytes
 * then a NUL; returns the bytes written including the NUL; size 0 is 0.
 * Bytes after the NUL are not touched; on a fault the whole destination is
 * zeroed and the result is -EFAULT. The source is read a page at most at a
 * time (a page is readable or not as a whole), never past the string's
 * page. */
static uint64_t probe_read_str(uint64_t dst_p, uint64_t size, uint64_t src, uint64_t r4, uint64_t r5,
			       struct bpfvm_run *run)
{
	char *dst = (char *)(uintptr_t)dst_p;
	uint32_t count = (uint32_t)size;
	char tmp[512];
	uint32_t done = 0;
	if (!count)
		return 0;
	while (done < count) {
		uint64_t addr = src + done;
		if (addr < src)
			goto fault;
		uint64_t chunk = PAGE - (addr & (PAGE - 1));
		if (chunk > sizeof(tmp))
			chunk = sizeof(tmp);
		if (chunk > count - done)
			chunk = count - done;
		if (host_read(tmp, addr, chunk) < 0)
			goto fault;
		char *nul = memchr(tmp, 0, chunk);
		if (nul) {
			uint32_t len = (uint32_t)(nul - tmp) + 1;
			memcpy(dst + done, tmp, len);
			return done + len;
		}
		memcpy(dst + done, tmp, chunk);
		done += (uint32_t)chunk;
	}
	dst[count - 1] = 0;
	return count;
fault:
	memset(dst, 0, count);
	return RET(-EFAULT);
}

/* The top of the user address range (x86-64 TASK_SIZE_MAX with 4-level
 * page tables). */
#if defined(__x86_64__)
#define USER_ADDR_MAX 0x00007ffffffff000ull
#else
#define USER_ADDR_MAX UINT64_MAX
#endif

/* bpf_probe_write_user: access_ok (-EPERM), then probe_kernel_write
 * (-EFAULT). */
static uint64_t probe_write_user(uint64_t dst, uint64_t src, uint64_t size, uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	uint32_t n = (uint32_t)size;
	if (dst + n < dst || dst + n > USER_ADDR_MAX)
		return RET(-EPERM);
	if (run && run->checked && n && !bpfvm_run_mem_ok(run, (uintptr_t)dst, n, 1))
		return RET(-EFAULT);
	return RET(host_write(dst, (const void *)(uintptr_t)src, n));
}

/* ---- the current task ------------------------------------------------------------ */

static uint64_t get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				     struct bpfvm_run *run)
{
	uint32_t tgid = (uint32_t)getpid(), tid = (uint32_t)syscall(SYS_gettid);
	return (uint64_t)tgid << 32 | tid;
}

static uint64_t get_current_uid_gid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				    struct bpfvm_run *run)
{
	return (uint64_t)(uint32_t)getgid() << 32 | (uint32_t)getuid();
}

/* strncpy of the 16-byte comm (NUL-padded up to size), then buf[size - 1]
 * = 0. The verifier makes size > 0; a direct call with 0 writes nothing
 * and gets -EINVAL, the helper's error. */
static uint64_t get_current_comm(uint64_t b, uint64_t size, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	char *buf = (char *)(uintptr_t)b;
	uint32_t n = (uint32_t)size;
	char comm[TASK_COMM_LEN + 1] = { 0 };
	if (!n)
		return RET(-EINVAL);
	if (prctl(PR_GET_NAME, comm, 0, 0, 0) != 0) {
		memset(buf, 0, n);
		return RET(-EINVAL);
	}
	comm[TASK_COMM_LEN - 1] = 0;
	strncpy(buf, comm, n);
	buf[n - 1] = 0;
	return 0;
}

static _Thread_local char current_task_token;

static uint64_t get_current_task(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct bpfvm_run *run)
{
	return (uint64_t)(uintptr_t)&current_task_token;
}

/* The cgroup v2 path of the calling thread: 1 found, 0 no v2 line, -1
 * unreadable. */
static int current_cgroup_path(char *path, size_t len)
{
	FILE *f = fopen("/proc/thread-self/cgroup", "re");
	if (!f)
		f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -1;
	char line[4096];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		size_t l = strcspn(line + 3, "\n");
		if (l + 1 > len)
			break;
		memcpy(path, line + 3, l);
		path[l] = 0;
		found = 1;
		break;
	}
	fclose(f);
	return found;
}

static int is_cgroup2(const char *dir)
{
	struct statfs sf;
	return statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC;
}

static uint64_t get_current_cgroup_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				      struct bpfvm_run *run)
{
	char cg[2048], path[2200];
	int rc = current_cgroup_path(cg, sizeof(cg));
	if (rc < 0)
		return 0;
	if (rc == 0)
		return 1;
	const char *mnt = is_cgroup2("/sys/fs/cgroup") ? "/sys/fs/cgroup"
			  : is_cgroup2("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : NULL;
	if (!mnt)
		return 0;
	snprintf(path, sizeof(path), "%s%s", mnt, cg);
	struct {
		struct file_handle fh;
		unsigned char id[8];
	} h;
	int mount_id;
	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) == 0 && h.fh.handle_bytes == 8) {
		uint64_t id;
		memcpy(&id, h.fh.f_handle, sizeof(id));
		return id;
	}
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* A CGROUP_ARRAY cannot be created in bpfvm: every slot is empty. */
static uint64_t current_task_under_cgroup(uint64_t m, uint64_t idx, uint64_t r3, uint64_t r4, uint64_t r5,
					  struct bpfvm_run *run)
{
	const struct bpfvm_map *map = (const struct bpfvm_map *)(uintptr_t)m;
	if (map->map_type != BPF_MAP_TYPE_CGROUP_ARRAY)
		return RET(-EINVAL);
	if ((uint32_t)idx >= map->max_entries)
		return RET(-E2BIG);
	return RET(-EAGAIN);
}

/* ---- perf counters --------------------------------------------------------------- */

/* get_map_perf_counter + perf_event_read_local on a BPF output event. */
static int map_perf_counter(struct bpfvm_map *map, uint64_t flags, uint32_t cpu, struct bpf_perf_event_value *v)
{
	uint64_t index = flags & BPF_F_INDEX_MASK;
	if (map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;         /* the verifier lets only these through */
	if (flags & ~BPF_F_INDEX_MASK)
		return -EINVAL;
	if (index == BPF_F_CURRENT_CPU)
		index = cpu;
	if (index >= map->max_entries)
		return -E2BIG;
	struct bpfvm_perf *pe = bpfvm_fd_array_get(map, (uint32_t)index);
	if (!pe)
		return -ENOENT;
	/* A per-CPU event is read only on its CPU. */
	if (bpfvm_perf_cpu(pe) != cpu)
		return -EINVAL;
	v->counter = 0;
	v->enabled = 0;
	v->running = 0;
	return 0;
}

/* The value, or the error as a negative number (the helper cannot tell
 * them apart, which the kernel notes too). */
static uint64_t perf_event_read(uint64_t m, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	struct bpf_perf_event_value v;
	int rc = map_perf_counter((struct bpfvm_map *)(uintptr_t)m, flags, run->cpu, &v);
	return rc ? RET(rc) : v.counter;
}

static uint64_t perf_event_read_value(uint64_t m, uint64_t flags, uint64_t b, uint64_t size, uint64_t r5,
				      struct bpfvm_run *run)
{
	void *buf = (void *)(uintptr_t)b;
	uint32_t n = (uint32_t)size;
	struct bpf_perf_event_value v;
	int rc = -EINVAL;
	if (n == sizeof(v)) {
		rc = map_perf_counter((struct bpfvm_map *)(uintptr_t)m, flags, run->cpu, &v);
		if (rc == 0) {
			memcpy(buf, &v, sizeof(v));
			return 0;
		}
	}
	if (n)
		memset(buf, 0, n);
	return RET(rc);
}

static uint64_t perf_prog_read_value(uint64_t ctx, uint64_t b, uint64_t size, uint64_t r4, uint64_t r5,
				     struct bpfvm_run *run)
{
	void *buf = (void *)(uintptr_t)b;
	uint32_t n = (uint32_t)size;
	if (n)
		memset(buf, 0, n);
	return n == sizeof(struct bpf_perf_event_value) ? 0 : RET(-EINVAL);
}

/* ---- bpf_override_return ------------------------------------------------------- */

#define PT_REGS_SIZE 168
#define PT_REGS_AX 80
#define PT_REGS_IP 128

/* The kernel's just_return_func: where an overridden function "returns". */
static __attribute__((noinline, used)) void just_return_func(void)
{
	__asm__ volatile("");
}

/* Is [ctx, ctx + PT_REGS_SIZE) memory the run may have written for it? */
static int regs_ok(const struct bpfvm_run *run, uint64_t ctx)
{
	if (!ctx)
		return 0;
	if (!run->checked)
		return 1;
	if (bpfvm_run_mem_ok(run, (uintptr_t)ctx, PT_REGS_SIZE, 0))
		return 1;
	for (uint32_t i = 0; i < run->nregions; i++) {
		const struct bpfvm_region *r = &run->regions[i];
		if (r->kind == REGION_CTX && r->start == (uintptr_t)ctx && r->end - r->start >= PT_REGS_SIZE)
			return 1;
	}
	return 0;
}

static uint64_t override_return(uint64_t ctx, uint64_t rc, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfvm_run *run)
{
	if (regs_ok(run, ctx)) {
		uint8_t *regs = (uint8_t *)(uintptr_t)ctx;
		uint64_t ip = (uint64_t)(uintptr_t)&just_return_func;
		memcpy(regs + PT_REGS_AX, &rc, 8);
		memcpy(regs + PT_REGS_IP, &ip, 8);
	}
	return 0;
}

#define A(x) BPFVM_ARG_##x
const struct bpfvm_helper_def bpfvm_helpers_tracing[] = {
	{ BPF_FUNC_probe_read, { "probe_read", probe_read, BPFVM_RET_INTEGER,
				 { A(PTR_TO_UNINIT_MEM), A(CONST_SIZE_OR_ZERO), A(ANYTHING) }, 1, 0 } },
	{ BPF_FUNC_get_current_pid_tgid, { "get_current_pid_tgid", get_current_pid_tgid, BPFVM_RET_INTEGER,
					   { 0 }, 0, 0 } },
	{ BPF_FUNC_get_current_uid_gid, { "get_current_uid_gid", get_current_uid_gid, BPFVM_RET_INTEGER,
					  { 0 }, 0, 0 } },
	{ BPF_FUNC_get_current_comm, { "get_current_comm", get_current_comm, BPFVM_RET_INTEGER,
				       { A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) }, 0, 0 } },
	{ BPF_FUNC_perf_event_read, { "perf_event_read", perf_event_read, BPFVM_RET_INTEGER,
				      { A(CONST_MAP_PTR), A(ANYTHING) }, 1, 0 } },
	{ BPF_FUNC_get_current_task, { "get_current_task", get_current_task, BPFVM_RET_INTEGER, { 0 }, 1, 0 } },
	{ BPF_FUNC_probe_write_user, { "probe_write_user", probe_write_user, BPFVM_RET_INTEGER,
				       { A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE) }, 1, 0 } },
	{ BPF_FUNC_current_task_under_cgroup, { "current_task_under_cgroup", current_task_under_cgroup,
						BPFVM_RET_INTEGER, { A(CONST_MAP_PTR), A(ANYTHING) }, 0, 0 } },
	{ BPF_FUNC_probe_read_str, { "probe_read_str", probe_read_str, BPFVM_RET_INTEGER,
				     { A(PTR_TO_UNINIT_MEM), A(CONST_SIZE_OR_ZERO), A(ANYTHING) }, 1, 0 } },
	{ BPF_FUNC_perf_event_read_value, { "perf_event_read_value", perf_event_read_value, BPFVM_RET_INTEGER,
					    { A(CONST_MAP_PTR), A(ANYTHING), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) },
					    1, 0 } },
	{ BPF_FUNC_perf_prog_read_value, { "perf_prog_read_value", perf_prog_read_value, BPFVM_RET_INTEGER,
					   { A(PTR_TO_CTX), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) }, 1, 0 } },
	{ BPF_FUNC_override_return, { "override_return", override_return, BPFVM_RET_INTEGER,
				      { A(PTR_TO_CTX), A(ANYTHING) }, 1, 0 } },
	{ BPF_FUNC_get_current_cgroup_id, { "get_current_cgroup_id", get_current_cgroup_id, BPFVM_RET_INTEGER,
					    { 0 }, 0, 0 } },
	{ 0, { 0 } },
};
