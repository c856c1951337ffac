/* The interpreter: programs decoded for direct-threaded dispatch, run by a
 * computed-goto loop. Two builds of one loop: the fast one trusts the
 * program (it was verified), the checked one bounds-checks every memory
 * access against the regions the runtime handed out. */
#ifndef BPFVM_INTERP_H
#define BPFVM_INTERP_H
#include <stddef.h>
#include <stdint.h>
#include <bpfvm/bpfvm.h>
#include "isa/validate.h"

struct bpfvm_helper_slot;

/* A decoded instruction: the handler's label and the operands. One per
 * original slot, so pc arithmetic and error indices are the program's. */
struct bpfvm_xinsn {
	const void *op;
	uint8_t dst, src;
	int16_t off;
	int32_t imm;
};

enum bpfvm_mode { MODE_FAST = 0, MODE_CHECKED = 1 };

struct bpfvm_code {
	uint32_t len;
	int isa;
	struct bpfvm_xinsn *x[2];               /* per mode; NULL until decoded */
	uint16_t *ops;                          /* enum bpfvm_op per slot */
	struct bpf_insn *insns;                 /* the program as run (maps resolved) */
	const struct bpfvm_helper_slot *helpers;/* the vm's registry */
	struct bpfvm_map *const *maps;          /* maps the program references */
	uint32_t nmaps;
	void *owner;                            /* the prog object, for tail calls */
};

enum bpfvm_region_kind {
	REGION_MEM = 0,         /* plain memory: loads and stores go through */
	REGION_CTX,             /* the context: accesses go to run->ctx_access */
	REGION_MAP,             /* not memory: a map a helper handed out (an inner map) */
};

struct bpfvm_region {
	uintptr_t start, end;
	uint8_t writable;
	uint8_t kind;
};

#define RUN_INLINE_REGIONS 16
/* Tail calls in one chain: Linux runs 33 (MAX_TAIL_CALL_CNT names 33 since
 * 5.17; the v5.1 interpreter and JIT already allowed 32 + 1). */
#define BPFVM_MAX_TAIL_CALLS 33

/* One invocation of a program (and the tail calls it makes). */
struct bpfvm_run {
	struct bpfvm *vm;
	void *user;
	uint32_t cpu;
	uint32_t tail_call_cnt;
	uint32_t pc;                    /* insn index of the current helper call */
	uint32_t depth;                 /* BPF-to-BPF call depth */
	uint32_t ret_pc[BPFVM_MAX_CALL_FRAMES]; /* return slots of the frames */
	const struct bpfvm_code *code;  /* the program running now */
	void *ctx;                      /* r1 at entry: the program's context */
	/* Program-type model (skb, xdp, ...): LD_ABS/LD_IND go through it. */
	void *model;
	int (*ld_abs)(struct bpfvm_run *run, int64_t off, uint32_t size, uint32_t *val);
	/* Checked runs: a load or store of `size` bytes at offset `off` of the
	 * context, as the program type's context rewriting would do it.
	 * Returns 0, or -EACCES for an access the type does not allow. */
	int (*ctx_access)(struct bpfvm_run *run, uint32_t off, uint32_t size, int write, uint64_t *val);
	/* Tail calls: the target code of prog-array `map` at `index`, or NULL. */
	const struct bpfvm_code *(*tail_call)(struct bpfvm_run *run, uint64_t map, uint64_t index);
	/* Checked mode. */
	int checked;
	uint64_t insn_limit, insn_count;
	struct bpfvm_region *regions;
	uint32_t nregions, cap_regions;
	struct bpfvm_region inline_regions[RUN_INLINE_REGIONS];
	void *held_lock;                /* checked runs: the bpf_spin_lock held, if any */
	int errcode;                    /* negative errno once the run faulted */
	char err[192];
};

/* Decodes code->insns (already validated, ops filled) for `mode`. */
int bpfvm_code_decode(struct bpfvm_code *code, enum bpfvm_mode mode);
void bpfvm_code_release_decoded(struct bpfvm_code *code);

void bpfvm_run_init(struct bpfvm_run *run, struct bpfvm *vm, int checked);
void bpfvm_run_fini(struct bpfvm_run *run);
/* Stops a checked run with a message (a helper that finds a bad argument). */
void bpfvm_run_fault(struct bpfvm_run *run, int errcode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Is [addr, addr+len) inside a region the run may touch? */
int bpfvm_run_mem_ok(const struct bpfvm_run *run, uintptr_t addr, uint64_t len, int write);
/* Checked runs: `map` (an inner map from a map-in-map lookup) may now be
 * passed to helpers as a map argument. */
int bpfvm_run_add_map(struct bpfvm_run *run, const void *map);
/* Declares the context region of a checked run. */
int bpfvm_run_set_ctx(struct bpfvm_run *run, void *ctx, uint32_t size);

/* Runs `code` with r1..r2 set; returns 0 with *r0, or run->errcode. */
int bpfvm_interp_run(const struct bpfvm_code *code, struct bpfvm_run *run,
		     uint64_t r1, uint64_t r2, uint64_t *r0);



/* Building a code object: copy, validate at `isa`, check helper ids. */
int bpfvm_code_init(struct bpfvm_code *code, const struct bpfvm *vm, const struct bpf_insn *insns,
		    size_t n, int isa, unsigned validate_flags, char *err, size_t errlen);
void bpfvm_code_fini(struct bpfvm_code *code);
#endif
