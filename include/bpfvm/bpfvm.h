/*
 * bpfvm — the Linux eBPF system in userspace.
 *
 * The public API. A struct bpfvm is one isolated "kernel": its own fd table,
 * id spaces, pin namespace, helper registry and CPU count. Everything a host
 * does goes through bpfvm_bpf(), which behaves like syscall(__NR_bpf, ...).
 * Programs can also be run directly (bpfvm_exec_*) without the command layer,
 * which is what the raw runner and the conformance plugin use.
 *
 * Nothing here prints, aborts or exits: errors are returned (-1 + errno for
 * bpfvm_bpf, negative errno elsewhere) with a message where one is useful.
 */
#ifndef BPFVM_H
#define BPFVM_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/uapi.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BPFVM_API __attribute__((visibility("default")))
#else
#define BPFVM_API
#endif

struct bpfvm;
struct bpfvm_run;
struct bpfvm_exec;

/* ---- the vm ------------------------------------------------------------ */

BPFVM_API struct bpfvm *bpfvm_new(void);
BPFVM_API void bpfvm_free(struct bpfvm *vm);

/* Number of simulated CPUs (per-CPU maps have one slot each). Default 2.
 * Only settable before the first map is created: returns -EBUSY after. */
BPFVM_API int bpfvm_set_ncpus(struct bpfvm *vm, unsigned int ncpus);
BPFVM_API unsigned int bpfvm_ncpus(const struct bpfvm *vm);
/* The CPU that programs run by the calling thread see (bpf_get_smp_processor_id,
 * per-CPU map slot). Thread-local; default 0. */
BPFVM_API int bpfvm_set_current_cpu(struct bpfvm *vm, unsigned int cpu);

/* Program statistics (run_cnt, run_time_ns in bpf_prog_info), off by
 * default as the kernel's kernel.bpf_stats_enabled. */
BPFVM_API void bpfvm_enable_stats(struct bpfvm *vm, int on);

/* Where bpf_trace_printk output goes. Default: stderr. */
typedef void (*bpfvm_trace_fn)(void *user, const char *line, size_t len);
BPFVM_API void bpfvm_set_trace_sink(struct bpfvm *vm, bpfvm_trace_fn fn, void *user);

/* ---- the bpf() command interface --------------------------------------- */

/* Like syscall(__NR_bpf, cmd, attr, size): the result, or -1 with errno set
 * to what Linux sets. */
BPFVM_API int bpfvm_bpf(struct bpfvm *vm, int cmd, union bpf_attr *attr, unsigned int size);
/* close(2) for the vm's fds. */
BPFVM_API int bpfvm_close(struct bpfvm *vm, int fd);

/* ---- instruction-set levels -------------------------------------------- */

enum bpfvm_isa {
	BPFVM_ISA_V51 = 0,      /* Linux v5.1: the seed */
	BPFVM_ISA_ATOMICS = 1,  /* + Linux 5.12 atomics (fetch ops, xchg, cmpxchg) */
	BPFVM_ISA_V4 = 2,       /* + cpu v4: sdiv/smod, movsx, ldsx, bswap, gotol */
};

/* ---- helpers ----------------------------------------------------------- */

/* A helper gets r1..r5 and the run it is called from; it returns r0. */
typedef uint64_t (*bpfvm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				     uint64_t r4, uint64_t r5, struct bpfvm_run *run);

/* Argument and return types, as the kernel's bpf_arg_type / bpf_return_type
 * of v5.1: the verifier checks calls against them. */
enum bpfvm_arg_type {
	BPFVM_ARG_DONTCARE = 0,
	BPFVM_ARG_CONST_MAP_PTR,
	BPFVM_ARG_PTR_TO_MAP_KEY,
	BPFVM_ARG_PTR_TO_MAP_VALUE,
	BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE,
	BPFVM_ARG_PTR_TO_MEM,
	BPFVM_ARG_PTR_TO_MEM_OR_NULL,
	BPFVM_ARG_PTR_TO_UNINIT_MEM,
	BPFVM_ARG_CONST_SIZE,
	BPFVM_ARG_CONST_SIZE_OR_ZERO,
	BPFVM_ARG_PTR_TO_CTX,
	BPFVM_ARG_ANYTHING,
	BPFVM_ARG_PTR_TO_SPIN_LOCK,
	BPFVM_ARG_PTR_TO_SOCK_COMMON,
	BPFVM_ARG_PTR_TO_SOCKET,
};

enum bpfvm_ret_type {
	BPFVM_RET_INTEGER = 0,
	BPFVM_RET_VOID,
	BPFVM_RET_PTR_TO_MAP_VALUE,
	BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL,
	BPFVM_RET_PTR_TO_SOCKET_OR_NULL,
	BPFVM_RET_PTR_TO_TCP_SOCK_OR_NULL,
	BPFVM_RET_PTR_TO_SOCK_COMMON_OR_NULL,
};

struct bpfvm_helper_proto {
	const char *name;               /* "map_lookup_elem" (no bpf_ prefix) */
	bpfvm_helper_fn fn;
	uint8_t ret_type;               /* enum bpfvm_ret_type */
	uint8_t arg_type[5];            /* enum bpfvm_arg_type, DONTCARE ends */
	uint8_t gpl_only;
	uint8_t pkt_access;             /* may be given packet pointers */
};

/* Registers (or replaces) helper `id` in this vm. ids above 1023 are -EINVAL. */
BPFVM_API int bpfvm_register_helper(struct bpfvm *vm, uint32_t id,
				    const struct bpfvm_helper_proto *proto);

/* From inside a helper: the vm, and the host pointer given to the run. */
BPFVM_API struct bpfvm *bpfvm_run_vm(const struct bpfvm_run *run);
BPFVM_API void *bpfvm_run_user(const struct bpfvm_run *run);
/* Tells a checked run that [ptr, ptr+len) may be accessed by the program
 * (a helper handing out memory). No effect on unchecked runs. */
BPFVM_API int bpfvm_run_add_region(struct bpfvm_run *run, const void *ptr, size_t len, int writable);

/* ---- direct execution --------------------------------------------------- */

enum bpfvm_exec_flags {
	/* Run without bounds checks. Only for programs proven safe (verified,
	 * or trusted by the host): a wrong program then corrupts the host. */
	BPFVM_EXEC_UNCHECKED = 1u << 0,
};

struct bpfvm_exec_opts {
	size_t sz;                      /* sizeof(struct bpfvm_exec_opts) */
	enum bpfvm_isa isa;             /* highest ISA level accepted */
	uint32_t flags;                 /* enum bpfvm_exec_flags */
	uint64_t insn_limit;            /* checked mode: stop after this many
					   jumps/calls (0: no limit) */
	void *user;                     /* returned by bpfvm_run_user() */
};

/* Validates insns structurally and prepares them to run. LD_IMM64 with a map
 * pseudo source is refused here (no command layer): load such programs with
 * BPF_PROG_LOAD. On error returns -EINVAL and writes one line to err naming
 * the instruction index. */
BPFVM_API int bpfvm_exec_new(struct bpfvm *vm, const struct bpf_insn *insns, size_t insn_cnt,
			     const struct bpfvm_exec_opts *opts, struct bpfvm_exec **out,
			     char *err, size_t errlen);
/* Runs with r1 = mem, r2 = len (mem may be NULL). Returns 0 and r0, or a
 * negative errno with a message in err (checked-mode fault, limit reached). */
BPFVM_API int bpfvm_exec_run(struct bpfvm_exec *e, void *mem, size_t len, uint64_t *r0,
			     char *err, size_t errlen);
BPFVM_API void bpfvm_exec_free(struct bpfvm_exec *e);

/* ---- disassembly -------------------------------------------------------- */

/* Formats instruction `i` of insns as llvm-objdump does for BPF (without the
 * address and bytes). Returns the number of slots it used (2 for LD_IMM64),
 * or 0 if it is not a valid instruction (then buf says so). */
BPFVM_API int bpfvm_disasm_insn(const struct bpf_insn *insns, size_t insn_cnt, size_t i,
				char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif
#endif
