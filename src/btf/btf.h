/* BTF objects: type information loaded with BPF_BTF_LOAD, validated as
 * Linux v5.1 validates it (kernel/bpf/btf.c: btf_parse), held by maps
 * (key/value types, the bpf_spin_lock in a value) and programs (func_info,
 * line_info). */
#ifndef BPFVM_BTF_BTF_H
#define BPFVM_BTF_BTF_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "btf/btf_format.h"

struct bpfvm;
struct bpfvm_log;

struct bpfvm_btf {
	atomic_long refcnt;
	struct bpfvm *vm;
	uint32_t id;
	uint8_t *data;                  /* the blob as loaded (OBJ_GET_INFO_BY_FD) */
	uint32_t size;
	/* The parsed form; read-only once parse returns. */
	struct btf_header hdr;          /* zero-extended copy of the header */
	const char *strings;            /* hdr.str_len bytes, NUL first and last */
	const struct btf_type **types;  /* [0] is void, then ids 1..nr_types */
	uint32_t nr_types;
	uint32_t *resolved_ids;         /* per id: what a modifier/ptr/array resolves to */
	uint32_t *resolved_sizes;       /* per id: its size as v5.1 recorded it */
	void *alloc;                    /* data lives inside, padded so that types are aligned */
};

/* BPF_BTF_LOAD after the attr checks: btf_parse of v5.1 with the user's log
 * (level, buffer, size as the attr gives them). Returns 0 and a new object
 * (refcnt 1), or -E2BIG (blob over 16 MiB, header tail not zero, resolve
 * depth), -EINVAL (bad log attributes, invalid BTF), -EFAULT, -EEXIST (a
 * type loop), -ENOTSUPP (version, flags, int encoding), -ENOSPC (valid BTF
 * but the log was too small), -ENOMEM. */
int bpfvm_btf_load(struct bpfvm *vm, const void *data, uint32_t size, uint32_t log_level, uint64_t log_buf,
		   uint32_t log_size, struct bpfvm_btf **out);
/* The same validation into a plain buffer (the kernel's log text, truncated
 * to log_size - 1 bytes; nothing when log is NULL). */
int bpfvm_btf_parse(struct bpfvm *vm, const void *data, uint32_t size, char *log, size_t log_size,
		    struct bpfvm_btf **out);
void bpfvm_btf_get(struct bpfvm_btf *btf);
void bpfvm_btf_put(void *btf);

/* ---- the type table ------------------------------------------------------ */

/* The type of `id` (0 is void, a static empty type), or NULL past the end. */
const struct btf_type *bpfvm_btf_type_by_id(const struct bpfvm_btf *btf, uint32_t id);
/* The string at `off`, or NULL when off is outside the string section. */
const char *bpfvm_btf_name_by_offset(const struct bpfvm_btf *btf, uint32_t off);
/* The first type of `kind` named `name`: its id, or -ENOENT. */
int bpfvm_btf_find_by_name_kind(const struct bpfvm_btf *btf, const char *name, unsigned int kind);
/* btf_type_id_size of v5.1: the size of `id` with modifiers followed, or
 * -EINVAL for a type without size (void, FWD, FUNC, FUNC_PROTO, missing). If
 * resolved_id is not NULL it receives the id the size belongs to. */
int64_t bpfvm_btf_type_size(const struct bpfvm_btf *btf, uint32_t id, uint32_t *resolved_id);
/* btf_find_spin_lock of v5.1 for the value type `value_type_id` (modifiers
 * followed as map_check_btf does): the byte offset of the one member of type
 * `struct bpf_spin_lock` directly in that struct; -ENOENT if none, -E2BIG if
 * more than one, -EINVAL if the value is not a struct or the lock is not
 * 4-byte aligned. */
int bpfvm_btf_find_spin_lock(const struct bpfvm_btf *btf, uint32_t value_type_id);

/* ---- users of BTF --------------------------------------------------------- */

/* map_check_btf of v5.1 for MAP_CREATE with btf_key_type_id and
 * btf_value_type_id: sizes must match (-EINVAL), a bpf_spin_lock is only
 * allowed in HASH, ARRAY and CGROUP_STORAGE values (-ENOTSUPP), and the map
 * type's own check (array keys are 32-bit ints, fd maps take no BTF, ...).
 * *spin_lock_off receives btf_find_spin_lock's answer (negative: no lock). */
int bpfvm_btf_check_map(const struct bpfvm_btf *btf, uint32_t map_type, uint32_t key_size, uint32_t value_size,
			uint32_t key_type_id, uint32_t value_type_id, int32_t *spin_lock_off);

/* check_btf_func + check_btf_line of v5.1 (PROG_LOAD with func_info or
 * line_info), against the program as it will run (insns, LD_IMM64 halves
 * included). On success the records are copied out (malloc'ed, kernel-sized:
 * struct bpf_func_info / struct bpf_line_info). On -E2BIG for a record with a
 * nonzero tail, fix_off and fix_val say which attr field the kernel rewrites
 * (func_info_rec_size or line_info_rec_size) and to what. */
struct bpfvm_btf_prog_info {
	struct bpf_func_info *func_info;
	uint32_t func_info_cnt;
	struct bpf_line_info *line_info;
	uint32_t line_info_cnt;
	uint32_t fix_off, fix_val;      /* fix_off 0: nothing to write back */
};
int bpfvm_btf_check_prog_info(const struct bpfvm_btf *btf, const struct bpf_insn *insns, uint32_t insn_cnt,
			      const union bpf_attr *attr, struct bpfvm_log *log, struct bpfvm_btf_prog_info *out);
#endif
