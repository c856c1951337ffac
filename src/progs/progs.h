/* The program-type table: one entry per enum bpf_prog_type of the seed.
 * It says what the command layer and (later) the verifier need to know of a
 * type: its name, its context, which attach types it may expect, and how a
 * test run builds its context. */
#ifndef BPFVM_PROGS_PROGS_H
#define BPFVM_PROGS_PROGS_H
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>

struct bpfvm_prog;

struct bpfvm_prog_type {
	const char *name;               /* as bpftool names it */
	uint32_t ctx_size;              /* sizeof the context struct (0: none) */
	/* expected_attach_type values the type accepts at load (0-terminated
	 * list; NULL: anything, as the kernel for most types). */
	const uint32_t *attach_types;
	uint32_t default_attach_type;   /* fixed up when 0 is given */
	/* PROG_TEST_RUN; NULL: -ENOTSUPP as the kernel's missing test_run. */
	int (*test_run)(struct bpfvm_prog *prog, const union bpf_attr *attr, union bpf_attr *uattr,
			unsigned int size);
};

extern const struct bpfvm_prog_type bpfvm_prog_types[];
extern const uint32_t bpfvm_prog_types_count;

static inline const struct bpfvm_prog_type *bpfvm_prog_type_get(uint32_t type)
{
	return type < bpfvm_prog_types_count && bpfvm_prog_types[type].name ? &bpfvm_prog_types[type] : NULL;
}
#endif
