/* A loaded program: what PROG_LOAD creates and fds, pins, prog arrays and
 * attachments hold. */
#ifndef BPFVM_CORE_PROG_H
#define BPFVM_CORE_PROG_H
#include <stdatomic.h>
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "interp/interp.h"

struct bpfvm_map;

/* Maps one program may reference (MAX_USED_MAPS). */
#define BPFVM_MAX_USED_MAPS 64

struct bpfvm_prog {
	/* First, so that the interpreter's tail call finds a program's code
	 * at the program's address (it does not know this struct). */
	struct bpfvm_code code;         /* insns as run: maps resolved to pointers */
	atomic_long refcnt;
	struct bpfvm *vm;
	uint32_t type;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	uint32_t id;
	uint32_t gpl_compatible;
	uint32_t verified;              /* may run on the unchecked fast path */
	char name[BPF_OBJ_NAME_LEN];
	uint8_t tag[BPF_TAG_SIZE];
	uint64_t load_time;             /* ns since boot (CLOCK_BOOTTIME) */
	uint32_t uid;
	struct bpfvm_map **used_maps;   /* held references */
	uint32_t used_map_cnt;
	atomic_uint_fast64_t run_time_ns;
	atomic_uint_fast64_t run_cnt;
	void *btf;                      /* struct bpfvm_btf *, held (issue: BTF) */
	void *func_info;                /* struct bpf_func_info[func_info_cnt] */
	uint32_t func_info_cnt;
	void *line_info;                /* struct bpf_line_info[line_info_cnt] */
	uint32_t line_info_cnt;
};

void bpfvm_prog_free(struct bpfvm_prog *prog);

/* Runs prog once on `run` (prepared by the program type: ctx region, model,
 * hooks) with r1 = ctx: checked unless the program was verified. Counts
 * run_cnt/run_time_ns when the vm's stats are on. */
int bpfvm_prog_run(struct bpfvm_prog *prog, struct bpfvm_run *run, void *ctx, uint64_t *r0);
#endif
