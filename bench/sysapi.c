/* The two systems the map suite compares, behind one bpf()-shaped
 * interface: bpfvm through bpfvm_bpf(), the running kernel through the
 * kernel oracle of tests/lib (raw bpf() syscalls). The suite builds the
 * same instructions for both, differing only in the map fds. */
#include "bench.h"
#include "lib/kernel_oracle.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How bpfvm loads the map suite's programs: the one line to change for a
 * trusted-load flag. Without one, bpfvm runs a program on the fast path
 * when its verifier proves it, checked otherwise (the table's mode). */
const uint32_t bench_bpfvm_prog_flags = 0;

const char *bench_log_tail(char *log)
{
	size_t n = strlen(log);
	while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
		log[--n] = 0;
	char *nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

/* ---- bpfvm ---- */

static struct bpfvm *VM(struct bench_sys *s)
{
	return s->ctx;
}

static int vm_map_create(struct bench_sys *s, uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	int fd = bpfvm_bpf(VM(s), BPF_MAP_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int vm_map_update(struct bench_sys *s, int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return bpfvm_bpf(VM(s), BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int vm_map_lookup(struct bench_sys *s, int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	return bpfvm_bpf(VM(s), BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int vm_load_once(struct bench_sys *s, const struct bpf_insn *insns, size_t n, char *log, size_t loglen)
{
	static const char license[] = "GPL";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)license;
	a.prog_flags = bench_bpfvm_prog_flags;
	if (log) {
		a.log_level = 1;
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)loglen;
	}
	return bpfvm_bpf(VM(s), BPF_PROG_LOAD, &a, sizeof(a));
}

/* As the kernel oracle: without a log first (a verifier's log of a long
 * loop could fill any buffer), then, on failure, again for the log. */
static int vm_prog_load(struct bench_sys *s, const struct bpf_insn *insns, size_t n, char *log, size_t loglen)
{
	if (log && loglen)
		log[0] = 0;
	int fd = vm_load_once(s, insns, n, NULL, 0);
	if (fd >= 0)
		return fd;
	int err = errno;
	if (log && loglen >= 128 && loglen <= UINT32_MAX && (fd = vm_load_once(s, insns, n, log, loglen)) >= 0)
		bpfvm_close(VM(s), fd);
	return -err;
}

static int vm_test_run(struct bench_sys *s, int fd, const void *data, uint32_t len, uint32_t repeat,
		       uint32_t *retval, double *ns)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = len;
	a.test.repeat = repeat;
	double t0 = bench_now_ns();
	if (bpfvm_bpf(VM(s), BPF_PROG_TEST_RUN, &a, sizeof(a)) < 0)
		return -errno;
	double t1 = bench_now_ns();
	if (retval)
		*retval = a.test.retval;
	if (ns)
		*ns = (t1 - t0) / (repeat ? repeat : 1);
	return 0;
}

static const char *vm_prog_mode(struct bench_sys *s, int fd)
{
	return bench_bpfvm_prog_mode(VM(s), fd);
}

static void vm_close(struct bench_sys *s, int fd)
{
	if (fd >= 0)
		bpfvm_close(VM(s), fd);
}

struct bench_sys *bench_sys_bpfvm(void)
{
	struct bench_sys *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	*s = (struct bench_sys){ "bpfvm", bpfvm_new(), vm_map_create, vm_map_update, vm_map_lookup,
				 vm_prog_load, vm_test_run, vm_prog_mode, vm_close };
	if (!s->ctx) {
		free(s);
		return NULL;
	}
	return s;
}

/* ---- the kernel ---- */

static int k_map_create(struct bench_sys *s, uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
	return ko_map_create((int)type, ks, vs, max, 0);
}

static int k_map_update(struct bench_sys *s, int fd, const void *key, const void *value, uint64_t flags)
{
	return ko_map_update(fd, key, value, flags);
}

static int k_map_lookup(struct bench_sys *s, int fd, const void *key, void *value)
{
	return ko_map_lookup(fd, key, value);
}

static int k_prog_load(struct bench_sys *s, const struct bpf_insn *insns, size_t n, char *log, size_t loglen)
{
	return ko_prog_load(KO_PROG_TYPE_XDP, insns, n, log, loglen);
}

static int k_test_run(struct bench_sys *s, int fd, const void *data, uint32_t len, uint32_t repeat,
		      uint32_t *retval, double *ns)
{
	uint32_t dur = 0;
	int rc = ko_test_run(fd, data, len, NULL, NULL, repeat, retval, &dur);
	if (rc == 0 && ns)
		*ns = dur;
	return rc;
}

/* The kernel JITs every program when bpf_jit_enable is set (or the kernel
 * has CONFIG_BPF_JIT_ALWAYS_ON, which then reads 1). */
static const char *k_prog_mode(struct bench_sys *s, int fd)
{
	static int jit = -1;
	if (jit < 0) {
		FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
		jit = 1;
		if (f) {
			if (fscanf(f, "%d", &jit) != 1)
				jit = 1;
			fclose(f);
		}
	}
	return jit ? "JIT" : "interp";
}

static void k_close(struct bench_sys *s, int fd)
{
	ko_close(fd);
}

struct bench_sys *bench_sys_kernel(char *why, size_t len)
{
	if (!bench_cfg.kernel) {
		snprintf(why, len, "--no-kernel");
		return NULL;
	}
	if (!ko_available(why, len))
		return NULL;
	struct bench_sys *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	*s = (struct bench_sys){ "kernel", NULL, k_map_create, k_map_update, k_map_lookup, k_prog_load,
				 k_test_run, k_prog_mode, k_close };
	return s;
}

void bench_sys_free(struct bench_sys *s)
{
	if (!s)
		return;
	if (s->ctx)
		bpfvm_free(s->ctx);
	free(s);
}
