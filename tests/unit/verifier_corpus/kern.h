/* The running kernel's side of the verifier corpus: raw bpf() calls with
 * everything a case needs (license, prog_flags, expected_attach_type, maps
 * with BTF or an inner map, BTF blobs). Like tests/lib/kernel_oracle.h this
 * header uses neither <linux/bpf.h> nor bpfvm's headers: kern.c includes the
 * system's <linux/bpf.h>, the rest of the corpus bpfvm's. Errors are -errno. */
#ifndef VC_KERN_H
#define VC_KERN_H
#include <stddef.h>
#include <stdint.h>

struct vck_load {
	uint32_t prog_type;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	const char *license;
	const void *insns;              /* 8-byte struct bpf_insn records */
	uint32_t insn_cnt;
};

/* Loads without a log first; on failure loads again with log_level 1 into
 * log (NUL-terminated). Returns an fd or the first attempt's -errno. */
int vck_prog_load(const struct vck_load *l, char *log, size_t loglen);
/* BPF_MAP_CREATE; btf_fd < 0: no BTF; inner_fd < 0: none. */
int vck_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		   uint32_t flags, int btf_fd, uint32_t key_type_id, uint32_t value_type_id, int inner_fd);
/* BPF_BTF_LOAD of a raw blob. */
int vck_btf_load(const void *blob, uint32_t size, char *log, size_t loglen);
void vck_close(int fd);
#endif
