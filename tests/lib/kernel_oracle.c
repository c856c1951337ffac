/* The running kernel as an oracle: raw bpf() calls (see kernel_oracle.h).
 * This translation unit uses the system's <linux/bpf.h> and must not include
 * bpfvm's headers, which define the same names. */
#include "lib/kernel_oracle.h"
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
#ifdef __NR_bpf
	return (int)syscall(__NR_bpf, cmd, attr, size);
#else
	(void)cmd, (void)attr, (void)size;
	errno = ENOSYS;
	return -1;
#endif
}

static uint64_t ptr64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int ko_prog_load(int prog_type, const void *insns, size_t insn_cnt, char *log, size_t loglen)
{
	static const char license[] = "GPL";
	union bpf_attr a;
	int fd, err = 0;

	if (log && loglen)
		log[0] = 0;
	if (insn_cnt > UINT32_MAX)
		return -E2BIG;
	for (int attempt = 0; attempt < 2; attempt++) {
		int tries = 0;
		memset(&a, 0, sizeof(a));
		a.prog_type = (uint32_t)prog_type;
		a.insns = ptr64(insns);
		a.insn_cnt = (uint32_t)insn_cnt;
		a.license = ptr64(license);
		if (attempt == 1) {
			a.log_level = 1;
			a.log_buf = ptr64(log);
			a.log_size = loglen > UINT32_MAX ? UINT32_MAX : (uint32_t)loglen;
		}
		/* EAGAIN: the verifier was interrupted; libbpf retries too. */
		do
			fd = sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		while (fd < 0 && errno == EAGAIN && ++tries < 5);
		if (fd >= 0) {
			if (attempt == 0)
				return fd;
			/* Accepted on the retry (should not happen): report the
			 * first failure, release the program. */
			close(fd);
			return -err;
		}
		if (attempt == 0) {
			err = errno;
			/* The log needs room for at least a line; level 1 logs
			 * need a buffer of >= 128 bytes on some kernels. */
			if (!log || loglen < 128 || loglen > UINT32_MAX)
				return -err;
		}
	}
	if (log && loglen)
		log[loglen - 1] = 0;
	return -err;
}

int ko_test_run(int fd, const void *data_in, uint32_t len, void *data_out, uint32_t *out_len,
		uint32_t repeat, uint32_t *retval, uint32_t *duration_ns)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = ptr64(data_in);
	a.test.data_size_in = len;
	if (data_out) {
		a.test.data_out = ptr64(data_out);
		a.test.data_size_out = out_len ? *out_len : 0;
	}
	a.test.repeat = repeat ? repeat : 1;
	int rc = sys_bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	int err = rc < 0 ? errno : 0;
	if (rc < 0 && err != ENOSPC)
		return -err;
	if (data_out && out_len)
		*out_len = a.test.data_size_out;
	if (retval)
		*retval = a.test.retval;
	if (duration_ns)
		*duration_ns = a.test.duration;
	return rc < 0 ? -err : 0;
}

int ko_map_create(int map_type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		  uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = (uint32_t)map_type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	int fd = sys_bpf(BPF_MAP_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int map_elem(int cmd, int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr64(key);
	a.value = ptr64(value);
	a.flags = flags;
	return sys_bpf(cmd, &a, sizeof(a)) < 0 ? -errno : 0;
}

int ko_map_lookup(int fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int ko_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int ko_map_delete(int fd, const void *key)
{
	return map_elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

void ko_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static const char *errno_hint(int err)
{
	switch (err) {
	case ENOSYS: return "ENOSYS: no bpf() syscall (kernel without CONFIG_BPF_SYSCALL, or filtered by seccomp)";
	case EPERM: return "EPERM: needs root or CAP_BPF+CAP_NET_ADMIN (or blocked by seccomp/lockdown)";
	case EACCES: return "EACCES: refused by an LSM or unprivileged_bpf_disabled";
	case EINVAL: return "EINVAL: kernel too old or XDP unsupported";
	case ENOTSUP: return "ENOTSUPP: BPF_PROG_TEST_RUN unsupported for XDP";
	case 524: return "ENOTSUPP: BPF_PROG_TEST_RUN unsupported for XDP";
	case ENOMEM: return "ENOMEM: RLIMIT_MEMLOCK or memory cgroup limit";
	default: return "";
	}
}

static int say(char *why, size_t len, const char *what, int err)
{
	if (why && len)
		snprintf(why, len, "%s: %s (%s)", what, err == 524 ? "Unknown error 524" : strerror(err),
			 errno_hint(err));
	return 0;
}

int ko_available(char *why, size_t len)
{
	/* r0 = XDP_PASS; exit */
	static const struct bpf_insn prog[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 2 /* XDP_PASS */ },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint8_t pkt[64] = { 0 }, out[64];
	uint32_t out_len = sizeof(out), ret = 0;

	if (why && len)
		why[0] = 0;
	int fd = ko_prog_load(KO_PROG_TYPE_XDP, prog, 2, NULL, 0);
	if (fd == -EPERM || fd == -ENOMEM) {
		/* Kernels before 5.11 charge programs to RLIMIT_MEMLOCK. */
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
		if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
			fd = ko_prog_load(KO_PROG_TYPE_XDP, prog, 2, NULL, 0);
	}
	if (fd < 0)
		return say(why, len, "bpf(BPF_PROG_LOAD)", -fd);
	int rc = ko_test_run(fd, pkt, sizeof(pkt), out, &out_len, 1, &ret, NULL);
	ko_close(fd);
	if (rc < 0)
		return say(why, len, "bpf(BPF_PROG_TEST_RUN)", -rc);
	if (ret != 2 || out_len != sizeof(pkt)) {
		if (why && len)
			snprintf(why, len, "bpf(BPF_PROG_TEST_RUN) of a trivial XDP program returned %u "
				 "with %u bytes (expected 2 with %zu)", ret, out_len, sizeof(pkt));
		return 0;
	}
	return 1;
}
