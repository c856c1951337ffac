/* The running Linux kernel as an oracle: a thin layer over the raw bpf()
 * syscall for tests and benchmarks that compare bpfvm against the real thing.
 *
 * This header deliberately uses no bpfvm or <linux/bpf.h> types (the two
 * define the same names): instructions are passed as `const void *insns,
 * size_t insn_cnt` (8-byte struct bpf_insn records), program and map types as
 * the ABI's plain numbers (the KO_* constants below equal the uapi values, so
 * BPF_PROG_TYPE_XDP etc. from either header work too).
 *
 * Errors are returned as negative errno values; nothing prints or exits.
 * Every fd returned is the caller's, to release with ko_close(). */
#ifndef BPFVM_TEST_KERNEL_ORACLE_H
#define BPFVM_TEST_KERNEL_ORACLE_H
#include <stddef.h>
#include <stdint.h>

/* Program and map types (values of enum bpf_prog_type / bpf_map_type). */
#define KO_PROG_TYPE_SOCKET_FILTER 1
#define KO_PROG_TYPE_SCHED_CLS     3
#define KO_PROG_TYPE_XDP           6
#define KO_MAP_TYPE_HASH           1
#define KO_MAP_TYPE_ARRAY          2

/* Can this process load and test-run a trivial XDP program? Returns 1 if so.
 * Otherwise returns 0 and writes a one-line reason to why (e.g.
 * "bpf(BPF_PROG_LOAD): Operation not permitted (EPERM: needs root or
 * CAP_BPF+CAP_NET_ADMIN)"). May raise RLIMIT_MEMLOCK (pre-5.11 kernels charge
 * programs against it). */
int ko_available(char *why, size_t len);

/* Loads a program (license "GPL"). Returns its fd or -errno. On failure, if
 * log is non-NULL, the load is retried with log_level 1 and log receives the
 * verifier's log (NUL-terminated, possibly truncated); the first attempt's
 * errno is returned. */
int ko_prog_load(int prog_type, const void *insns, size_t insn_cnt, char *log, size_t loglen);

/* BPF_PROG_TEST_RUN: runs prog `fd` `repeat` times (0 means 1) on a copy of
 * data_in. If data_out is non-NULL, *out_len is its capacity on entry and the
 * output's size on return. retval / duration_ns may be NULL. Returns 0 or
 * -errno (-ENOSPC: data_out too small; the kernel still fills *out_len). */
int ko_test_run(int fd, const void *data_in, uint32_t len, void *data_out, uint32_t *out_len,
		uint32_t repeat, uint32_t *retval, uint32_t *duration_ns);

/* Maps, mainly to read memory back out of a program. ko_map_create returns
 * an fd or -errno; use the fd in LD_IMM64 with src_reg 1 (BPF_PSEUDO_MAP_FD).
 * lookup/update/delete return 0 or -errno. */
int ko_map_create(int map_type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		  uint32_t flags);
int ko_map_lookup(int fd, const void *key, void *value);
int ko_map_update(int fd, const void *key, const void *value, uint64_t flags);
int ko_map_delete(int fd, const void *key);

/* close(2), ignoring fd < 0. */
void ko_close(int fd);
#endif
