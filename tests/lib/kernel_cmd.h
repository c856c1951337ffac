/* Raw bpf() command access to the running kernel, for differential tests of
 * the command layer (tests/unit/diff_cmd). Like kernel_oracle.h this header
 * uses no bpfvm or <linux/bpf.h> types: an attr is a plain buffer of `size`
 * bytes laid out as the ABI's union bpf_attr (which is what bpfvm's
 * <bpfvm/uapi.h> describes, so a TU may build attrs with bpfvm's types and
 * hand them to both bpfvm_bpf() and ko_bpf()).
 *
 * Errors are negative errno values; nothing prints or exits. */
#ifndef BPFVM_TEST_KERNEL_CMD_H
#define BPFVM_TEST_KERNEL_CMD_H
#include <stddef.h>
#include <stdint.h>

/* syscall(__NR_bpf, cmd, attr, size): the result (an fd, 0, ...) or -errno.
 * -ENOSYS where the system has no bpf() syscall. */
int ko_bpf(int cmd, void *attr, unsigned int size);

/* close(2) of a kernel fd (ignores fd < 0). */
void ko_cmd_close(int fd);

/* The number of possible CPUs (/sys/devices/system/cpu/possible, as the
 * kernel sizes per-CPU map values), or -errno. */
int ko_possible_cpus(void);

/* The running kernel's sizeof(union bpf_attr), found by probing which tail
 * bytes of a page-sized attr make bpf() answer E2BIG; -errno if bpf() does
 * not answer as expected. */
int ko_attr_size(void);

/* Makes sure a bpffs is mounted at /sys/fs/bpf (mounting one if nothing is,
 * which needs root), then creates the directory /sys/fs/bpf/<name> (mode
 * 0700). Returns 0 or -errno (then pins cannot be tested). */
int ko_bpffs_mkdir(const char *name);

/* Removes every entry of directory `path` (pins: unlink) and the directory
 * itself. Returns 0 or -errno of the first failure. */
int ko_bpffs_rmtree(const char *path);
#endif
