/* BTF objects: type information loaded with BPF_BTF_LOAD, held by maps and
 * programs. */
#ifndef BPFVM_BTF_BTF_H
#define BPFVM_BTF_BTF_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct bpfvm;

struct bpfvm_btf {
	atomic_long refcnt;
	struct bpfvm *vm;
	uint32_t id;
	uint8_t *data;                  /* the blob as loaded */
	uint32_t size;
};

/* Validates and copies a BTF blob; on error writes the reason to log
 * (kernel style) and returns -EINVAL (or -E2BIG, -ENOMEM). */
int bpfvm_btf_parse(struct bpfvm *vm, const void *data, uint32_t size, char *log, size_t log_size,
		    struct bpfvm_btf **out);
void bpfvm_btf_get(struct bpfvm_btf *btf);
void bpfvm_btf_put(void *btf);
#endif
