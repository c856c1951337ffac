/* The kernel side of the corpus (see kern.h). This TU alone includes the
 * system's <linux/bpf.h>. */
#include "kern.h"
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *a)
{
#ifdef __NR_bpf
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
#else
	(void)cmd, (void)a;
	errno = ENOSYS;
	return -1;
#endif
}

static uint64_t u64p(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int load_once(const struct vck_load *l, char *log, size_t loglen)
{
	union bpf_attr a;
	int tries = 0;
	long fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = l->prog_type;
	a.expected_attach_type = l->expected_attach_type;
	a.prog_flags = l->prog_flags;
	a.license = u64p(l->license);
	a.insns = u64p(l->insns);
	a.insn_cnt = l->insn_cnt;
	if (log) {
		a.log_level = 1;
		a.log_buf = u64p(log);
		a.log_size = (uint32_t)loglen;
	}
	/* EAGAIN: verification was interrupted; try again as libbpf does. */
	do
		fd = sys_bpf(BPF_PROG_LOAD, &a);
	while (fd < 0 && errno == EAGAIN && ++tries < 5);
	return fd < 0 ? -errno : (int)fd;
}

int vck_prog_load(const struct vck_load *l, char *log, size_t loglen)
{
	if (log && loglen)
		log[0] = 0;
	int fd = load_once(l, NULL, 0);
	if (fd >= 0 || !log || loglen < 128)
		return fd;
	int fd2 = load_once(l, log, loglen);
	if (fd2 >= 0)
		close(fd2);
	log[loglen - 1] = 0;
	return fd;
}

int vck_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		   uint32_t flags, int btf_fd, uint32_t key_type_id, uint32_t value_type_id, int inner_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	if (btf_fd >= 0) {
		a.btf_fd = (uint32_t)btf_fd;
		a.btf_key_type_id = key_type_id;
		a.btf_value_type_id = value_type_id;
	}
	if (inner_fd >= 0)
		a.inner_map_fd = (uint32_t)inner_fd;
	long fd = sys_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : (int)fd;
}

int vck_btf_load(const void *blob, uint32_t size, char *log, size_t loglen)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = u64p(blob);
	a.btf_size = size;
	if (log && loglen >= 128) {
		log[0] = 0;
		a.btf_log_buf = u64p(log);
		a.btf_log_size = (uint32_t)loglen;
		a.btf_log_level = 1;
	}
	long fd = sys_bpf(BPF_BTF_LOAD, &a);
	return fd < 0 ? -errno : (int)fd;
}

void vck_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
