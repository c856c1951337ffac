/* The verifier's model of a program run, shared by its files.
 *
 * The abstract machine follows the kernel's verifier of v5.1 (struct
 * bpf_reg_state, bpf_func_state, bpf_verifier_state, bpf_verifier_env), with
 * later additions: separate 32-bit bounds for ALU32/JMP32 (5.7), branch
 * counting so that bounded loops can be explored (5.3), precision marks and
 * each state's path history for them (5.3), and the ref_obj_id of a socket
 * (5.2). A value of the abstract machine stands for
 * every concrete value the program could hold there; each check in the
 * verifier must hold for all of them, because accepted programs run without
 * runtime checks.
 *
 * Files: check.c walks the program (do_check); regs.c registers and ALU;
 * bounds.c scalar ranges; stack.c the stack; mem.c loads and stores; calls.c
 * helpers, BPF-to-BPF calls and exits; branch.c conditional jumps; state.c
 * state copies, pruning and liveness; precise.c precision tracking; cfg.c
 * the control-flow graph; log.c the log; fixups.c the rewrites after
 * verification; verifier.c the driver.
 */
#ifndef BPFVM_VERIFIER_ENV_H
#define BPFVM_VERIFIER_ENV_H
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <bpfvm/uapi.h>
#include "isa/validate.h"
#include "verifier/tnum.h"

struct bpfvm;
struct bpfvm_prog;
struct bpfvm_prog_type;
struct bpfvm_log;
struct bpfvm_map;
struct bpfvm_ctx_field;

/* Register types (enum bpf_reg_type of v5.1, same order). */
enum vtype {
	T_NOT_INIT = 0,
	T_SCALAR,
	T_CTX,
	T_MAP_PTR,              /* CONST_PTR_TO_MAP */
	T_MAP_VALUE,
	T_MAP_VALUE_OR_NULL,
	T_STACK,                /* PTR_TO_STACK: into the frame `frameno` */
	T_PKT_META,
	T_PKT,
	T_PKT_END,
	T_FLOW_KEYS,
	T_SOCK,
	T_SOCK_OR_NULL,
	T_SOCK_COMMON,
	T_SOCK_COMMON_OR_NULL,
	T_TCP_SOCK,
	T_TCP_SOCK_OR_NULL,
	T__COUNT,
};

/* Liveness marks (enum bpf_reg_liveness). */
enum {
	LIVE_NONE = 0,
	LIVE_READ = 1,          /* a child state read the value before writing it */
	LIVE_WRITTEN = 2,       /* written in this state: screens reads from parents */
	LIVE_DONE = 4,          /* the state is fully explored; marks are final */
};

/* Limits of the kernel. */
#define V_MAX_VAR_OFF (1 << 29)         /* BPF_MAX_VAR_OFF */
#define V_MAX_VAR_SIZ (1 << 29)         /* BPF_MAX_VAR_SIZ */
#define V_MAX_PACKET_OFF 0xffff         /* MAX_PACKET_OFF */
#define V_MAX_SUBPROGS 256              /* BPF_MAX_SUBPROGS */
#define V_JMP_SEQ_LIMIT 8192            /* BPF_COMPLEXITY_LIMIT_JMP_SEQ */
#define V_STACK_LIMIT_V51 1024          /* BPF_COMPLEXITY_LIMIT_STACK of v5.1 */
#define V_STATES_LIMIT 64               /* BPF_COMPLEXITY_LIMIT_STATES (unprivileged) */
#define V_INSN_LIMIT 1000000            /* BPF_COMPLEXITY_LIMIT_INSNS (5.2) */
#define V_INSN_LIMIT_V51 131072         /* BPF_COMPLEXITY_LIMIT_INSNS of v5.1 */
#define V_MAXINSNS_V51 4096             /* BPF_MAXINSNS: program size in v5.1 */
#define V_MAX_REFS 64                   /* acquired references per state */
#define V_HIST_MAX 40                   /* jumps in a path segment before a state is kept anyway */
#define V_REG_SIZE 8                    /* BPF_REG_SIZE: a stack slot */
#define V_MAX_SLOTS (BPFVM_STACK_SIZE / V_REG_SIZE)
#define V_NREGS 11
#define V_CMPXCHG 0xf1               /* BPF_CMPXCHG | BPF_FETCH */

/* An abstract register (struct bpf_reg_state). For pointers, var_off and
 * the bounds describe the variable part of the offset, `off` the fixed one;
 * for scalars they describe the value and off is 0. */
struct vreg {
	uint8_t type;           /* enum vtype */
	uint8_t frameno;        /* T_STACK: the frame pointed into */
	uint16_t range;         /* packet pointers: bytes readable from off 0 */
	int32_t off;
	struct bpfvm_map *map;  /* T_MAP_PTR, T_MAP_VALUE(_OR_NULL) */
	uint32_t id;            /* or-null and packet pointers: shared by copies */
	uint32_t ref_obj_id;    /* the acquired socket this pointer stems from */
	struct tnum var_off;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32min, s32max; /* bounds of the low 32 bits */
	uint32_t u32min, u32max;
	/* Liveness (not part of the value). */
	uint8_t live;
	/* Precision (5.3): set only in explored states, by backtracking
	 * (precise.c), on scalars whose exact range a later check relied on;
	 * an imprecise scalar of an explored state matches any scalar. */
	uint8_t precise;
	struct vreg *parent;    /* the same register in the parent state */
};

enum { STACK_INVALID = 0, STACK_SPILL, STACK_MISC, STACK_ZERO };

/* One 8-byte stack slot: a spilled register, or the type of each byte.
 * type[j] describes the byte at fp - 8*(slot+1) + 7 - j... as the kernel
 * indexes it: byte at offset off has index (-off - 1) % 8. The liveness of
 * the whole slot is kept in spilled.live. */
struct vslot {
	struct vreg spilled;
	uint8_t type[V_REG_SIZE];
};

struct vref {
	uint32_t id;
	uint32_t insn;
};

/* One call frame (struct bpf_func_state). */
struct vframe {
	struct vreg regs[V_NREGS];
	int32_t callsite;       /* insn of the call that made this frame; -1: main */
	uint32_t frameno;
	uint32_t subprog;
	uint32_t nslots;        /* allocated_stack / 8 */
	struct vslot *stack;    /* nslots slots; slot i covers fp-8*(i+1) .. fp-8*i-1 */
	uint32_t nrefs;         /* acquired references (sockets) */
	struct vref *refs;
};

/* One non-sequential step of a path (struct bpf_idx_pair): insn `idx`
 * was reached from `prev` (a jump, a call, a return, LD_IMM64's skip). */
struct vhist {
	uint32_t idx, prev;
};

/* A whole verifier state (struct bpf_verifier_state). */
struct vstate {
	struct vframe *frame[BPFVM_MAX_CALL_FRAMES];
	uint32_t curframe;
	uint32_t active_lock;   /* id of the map value whose lock is held; 0: none */
	struct vstate *parent;  /* the explored state this one descends from */
	uint32_t branches;      /* paths still being explored below this state */
	uint32_t insn_idx;      /* for explored states: where they were taken */
	/* The path since the parent state (jmp_history): the insns from
	 * first_insn to last_insn, with every non-sequential step. For an
	 * explored state, the segment that led to it. */
	uint32_t first_insn, last_insn;
	bool has_last;          /* last_insn is set (not at the program start) */
	uint32_t nhist, hist_cap;
	struct vhist *hist;
};

/* An explored state, on the list of its instruction. */
struct vstate_list {
	struct vstate st;
	struct vstate_list *next;
	uint32_t hit, miss;
};

/* A branch waiting to be explored (struct bpf_verifier_stack_elem). */
struct vpending {
	struct vstate st;
	uint32_t insn, prev_insn;
	struct vpending *next;
};

/* Per-instruction facts (struct bpf_insn_aux_data). */
struct vaux {
	uint8_t seen;           /* reached by some path */
	uint8_t prune;          /* a pruning point (cfg.c) */
	uint8_t ptr_type;       /* type of the base register of a load/store */
	uint8_t ctx_narrow;     /* ctx access narrower than its field */
	uint8_t stack_nonfp;    /* accessed the stack through a register other than r10 */
	struct bpfvm_map *map;  /* map of a map helper call; MAP_POISON if several */
};
#define MAP_POISON ((struct bpfvm_map *)(uintptr_t)1)

struct vsubprog {
	uint32_t start;
	uint32_t stack_depth;
};

/* Options (see verifier.h). */
struct venv_opts {
	bool strict_loops;      /* v5.1: every back-edge is an error */
	bool allow_ptr_leaks;   /* privileged (root) rules */
	bool v51;               /* v5.1 exactly (BPFVM_VERIFIER_V51) */
	uint32_t insn_limit;
};

struct venv {
	struct bpfvm *vm;
	struct bpfvm_prog *prog;
	const struct bpfvm_prog_type *type;
	uint32_t prog_type;
	struct bpf_insn *insns;
	uint32_t len;
	struct bpfvm_log *log;
	uint32_t log_level;
	struct venv_opts opts;
	bool strict_alignment;
	struct vaux *aux;
	struct vsubprog subprog[V_MAX_SUBPROGS + 1];
	uint32_t nsubprog;

	struct vstate *cur;
	struct vpending *pending;
	uint32_t npending;
	struct vstate_list **explored;  /* per insn */
	struct vstate_list *free_list;  /* dropped but maybe still a parent */
	uint32_t insn_idx, prev_insn_idx;
	uint32_t id_gen;
	bool do_print_state;
	char namebuf[96];               /* vhelper_name */
	bool rewritten;                 /* fixups changed the program */
	bool precision;                 /* precision tracking (else every scalar is precise) */
	bool checkpointed;              /* is_state_visited kept the current state */

	/* statistics, as the kernel reports them */
	uint64_t insn_processed, prev_insn_processed;
	uint64_t jmps_processed, prev_jmps_processed;
	uint32_t max_states_per_insn, total_states, peak_states, longest_mark_read;
};

/* What the arguments of a helper call established (bpf_call_arg_meta). */
struct vcall_meta {
	struct bpfvm_map *map;  /* the CONST_PTR_TO_MAP argument */
	bool raw_mode;          /* the memory argument may be uninitialized */
	bool pkt_access;        /* the helper takes packet pointers */
	int regno;              /* raw-mode stack argument to mark written */
	int access_size;
	int32_t func_id;
	uint32_t ref_obj_id;    /* the acquired socket passed in */
};

/* ---- log.c ---- */
void vlog(struct venv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *vtype_str(int type);
const char *vhelper_name(struct venv *env, int32_t id);
void vprint_state(struct venv *env, const struct vframe *f);
void vprint_insn(struct venv *env, const struct bpf_insn *insn);
extern const char *const valu_str[16];

/* ---- bounds.c: scalar ranges ---- */
void reg_mark_known(struct vreg *r, uint64_t imm);
void reg_mark_known32(struct vreg *r, uint32_t imm);
void reg_mark_unbounded(struct vreg *r);
void reg_mark_unbounded64(struct vreg *r);
void reg_mark_unbounded32(struct vreg *r);
void reg_bounds_sync(struct vreg *r);
void reg_update_bounds(struct vreg *r);
void reg_zext32(struct vreg *r);
void reg_coerce(struct vreg *r, int size);
void reg_sext_bounds(struct vreg *r, int bits);
bool reg_bounds_sane(const struct vreg *r, bool alu32);
void scalar_alu(struct vreg *dst, const struct vreg *src, uint8_t op, bool alu32);
int branch_taken(const struct vreg *r, uint64_t val, uint8_t op, bool is32);
void reg_set_min_max(struct vreg *t, struct vreg *f, uint64_t val, uint8_t op, bool is32);
void reg_set_min_max_inv(struct vreg *t, struct vreg *f, uint64_t val, uint8_t op, bool is32);
void reg_combine_eq(struct vreg *a, struct vreg *b);
bool range_within(const struct vreg *old, const struct vreg *cur);

/* ---- regs.c ---- */
enum reg_arg { SRC_OP, DST_OP, DST_OP_NO_MARK };
static inline struct vframe *cur_frame(struct venv *env) { return env->cur->frame[env->cur->curframe]; }
static inline struct vreg *cur_regs(struct venv *env) { return cur_frame(env)->regs; }
void reg_init_unknown(struct vreg *r);
void reg_set_unknown(struct vreg *r);
void reg_set_not_init(struct vreg *r);
void reg_set_known_zero(struct vreg *r);
void reg_set_const(struct vreg *r, uint64_t v);
void reg_copy(struct vreg *dst, const struct vreg *src);
bool reg_is_null(const struct vreg *r);
bool reg_is_const(const struct vreg *r);
bool type_is_pkt(int t);
bool type_is_pkt_any(int t);
bool type_is_sk(int t);
bool type_may_be_null(int t);
bool type_spillable(int t);
bool is_pointer(struct venv *env, const struct vreg *r);
bool is_pointer_reg(struct venv *env, int regno);
int mark_reg_read(struct venv *env, const struct vreg *r, struct vreg *parent);
int check_reg_arg(struct venv *env, uint32_t regno, enum reg_arg t);
int check_alu_op(struct venv *env, const struct bpf_insn *insn);

/* ---- stack.c ---- */
int stack_grow(struct vframe *f, uint32_t nslots);
int check_stack_access(struct venv *env, const struct vreg *reg, int64_t off, int size);
int check_stack_write(struct venv *env, struct vframe *f, int off, int size, int value_regno);
int check_stack_read(struct venv *env, struct vframe *f, int off, int size, int value_regno);
void update_stack_depth(struct venv *env, const struct vframe *f, int off);
int check_stack_boundary(struct venv *env, int regno, int size, bool zero_ok, struct vcall_meta *meta);

/* ---- mem.c ---- */
int check_mem_access(struct venv *env, uint32_t insn_idx, uint32_t regno, int off, int bpf_size,
		     bool write, int value_regno, bool strict_once, bool sign_ext);
int check_map_access(struct venv *env, uint32_t regno, int off, int size, bool zero_ok);
int check_packet_access(struct venv *env, uint32_t regno, int off, int size, bool zero_ok);
int check_ctx_reg(struct venv *env, const struct vreg *reg, int regno);
int check_helper_mem_access(struct venv *env, int regno, int size, bool zero_ok, struct vcall_meta *meta);
bool may_access_pkt(struct venv *env, const struct vcall_meta *meta, bool write);
int check_ldx(struct venv *env, const struct bpf_insn *insn);
int check_stx(struct venv *env, const struct bpf_insn *insn);
int check_st(struct venv *env, const struct bpf_insn *insn);
int check_atomic(struct venv *env, const struct bpf_insn *insn);

/* ---- calls.c ---- */
int check_helper_call(struct venv *env, int32_t func_id, uint32_t insn_idx);
int check_func_call(struct venv *env, const struct bpf_insn *insn, uint32_t *insn_idx);
int prepare_func_exit(struct venv *env, uint32_t *insn_idx);
int check_reference_leak(struct venv *env);
int check_return_code(struct venv *env);
int check_ld_abs(struct venv *env, const struct bpf_insn *insn);

/* ---- branch.c ---- */
int check_cond_jmp_op(struct venv *env, const struct bpf_insn *insn, uint32_t *insn_idx);

/* ---- state.c ---- */
struct vframe *frame_new(int32_t callsite, uint32_t frameno, uint32_t subprog);
void frame_free(struct vframe *f);
int state_copy(struct vstate *dst, const struct vstate *src);
void state_free(struct vstate *st);          /* frees the frames, not st */
struct vstate *push_stack(struct venv *env, uint32_t insn, uint32_t prev_insn);
int pop_stack(struct venv *env, uint32_t *prev_insn, uint32_t *insn);
void update_branch_counts(struct venv *env, struct vstate *st);
int is_state_visited(struct venv *env, uint32_t insn_idx, bool jumped);
void free_explored(struct venv *env);
/* Calls fn on every spilled register of every frame of st. */
#define for_each_spilled(st, fr, k, r)                                             \
	for (uint32_t fr = 0; fr <= (st)->curframe; fr++)                          \
		for (uint32_t k = 0; k < (st)->frame[fr]->nslots; k++)             \
			if ((st)->frame[fr]->stack[k].type[0] == STACK_SPILL &&     \
			    ((r) = &(st)->frame[fr]->stack[k].spilled, 1))

/* ---- precise.c: precision tracking (5.3) ---- */
int push_hist(struct vstate *st, uint32_t idx, uint32_t prev);
int mark_chain_precision(struct venv *env, int regno);
int mark_chain_precision_stack(struct venv *env, int spi);
int propagate_precision(struct venv *env, const struct vstate *old);

/* ---- cfg.c ---- */
int check_subprogs(struct venv *env);
int check_cfg(struct venv *env);
int check_max_stack_depth(struct venv *env);
int find_subprog(struct venv *env, uint32_t insn);

/* ---- check.c ---- */
int do_check(struct venv *env);

/* ---- fixups.c ---- */
int verifier_fixups(struct venv *env, bool *fast_ok);
struct bpfvm_code;
int vcode_replace(struct bpfvm_code *code, struct bpf_insn *insns, uint32_t n);

/* Opcode fields (the ABI's). */
#define V_CLASS(c) ((c) & 0x07)
#define V_OP(c) ((c) & 0xf0)
#define V_SRC(c) ((c) & 0x08)
#define V_SIZE(c) ((c) & 0x18)
#define V_MODE(c) ((c) & 0xe0)
static inline int size_bytes(int sz)
{
	return sz == BPF_W ? 4 : sz == BPF_H ? 2 : sz == BPF_B ? 1 : 8;
}
#endif
