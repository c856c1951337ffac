/* Raw bpf() command access to the running kernel (see kernel_cmd.h). This
 * translation unit needs neither <linux/bpf.h> nor bpfvm's headers. */
#include "lib/kernel_cmd.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BPFFS_ROOT "/sys/fs/bpf"
#define BPF_FS_MAGIC_NUMBER 0xcafe4a11

int ko_bpf(int cmd, void *attr, unsigned int size)
{
#ifdef __NR_bpf
	long rc = syscall(__NR_bpf, cmd, attr, size);
	return rc < 0 ? -errno : (int)rc;
#else
	(void)cmd, (void)attr, (void)size;
	return -ENOSYS;
#endif
}

void ko_cmd_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* "0-3,5,7-8" -> 7 */
int ko_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f)
		return -errno;
	char buf[256];
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	int n = 0;
	for (char *p = buf; *p && *p != '\n';) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			return -EINVAL;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1)
				return -EINVAL;
			p = end;
		}
		if (b < a)
			return -EINVAL;
		n += (int)(b - a + 1);
		if (*p == ',')
			p++;
	}
	return n > 0 ? n : -EINVAL;
}

/* With an unknown command the kernel checks the attr's tail before looking
 * at the command: a nonzero byte at or after sizeof(union bpf_attr) gives
 * E2BIG, one before it EINVAL (unknown command). */
int ko_attr_size(void)
{
	enum { PAGE = 4096 };
	static _Alignas(8) unsigned char buf[PAGE];
	unsigned lo = 1, hi = PAGE - 1;         /* the answer lies in (lo, hi] */
	memset(buf, 0, sizeof(buf));
	buf[PAGE - 1] = 1;
	if (ko_bpf(0x7fffff00, buf, PAGE) != -E2BIG)
		return -EPROTO;
	buf[PAGE - 1] = 0;
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;
		buf[mid] = 1;
		int rc = ko_bpf(0x7fffff00, buf, PAGE);
		buf[mid] = 0;
		if (rc == -E2BIG)
			hi = mid;
		else if (rc == -EINVAL)
			lo = mid;
		else
			return rc < 0 ? rc : -EPROTO;
	}
	return (int)hi;
}

static int is_bpffs(const char *path)
{
	struct statfs st;
	return statfs(path, &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC_NUMBER;
}

int ko_bpffs_mkdir(const char *name)
{
	char path[512];
	if (!is_bpffs(BPFFS_ROOT)) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700") != 0)
			return -errno;
		if (!is_bpffs(BPFFS_ROOT))
			return -ENODEV;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", BPFFS_ROOT, name) >= sizeof(path))
		return -ENAMETOOLONG;
	if (mkdir(path, 0700) != 0)
		return -errno;
	return 0;
}

int ko_bpffs_rmtree(const char *path)
{
	int err = 0;
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char sub[1024];
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub)) {
			if (!err)
				err = -ENAMETOOLONG;
			continue;
		}
		struct stat st;
		int rc = 0;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rc = ko_bpffs_rmtree(sub);
		else if (unlink(sub) != 0)
			rc = -errno;
		if (rc && !err)
			err = rc;
	}
	closedir(d);
	if (rmdir(path) != 0 && !err)
		err = -errno;
	return err;
}
