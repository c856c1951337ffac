/* The map-operation suite: XDP programs that repeat one map operation N
 * times in a bounded loop, run in bpfvm (bpfvm_bpf: MAP_CREATE, PROG_LOAD,
 * PROG_TEST_RUN with repeat) and in the kernel (the same instructions, the
 * same commands, as raw syscalls). ns per operation = (time of the loop
 * program - time of the same loop without the operation) / N.
 *
 * Tail calls cannot loop (a tail call does not return): a program
 * tail-calls itself until the chain limit refuses; the same program over
 * an empty prog array runs once and is the baseline: ns per tail call =
 * (chain - baseline) / (programs in the chain - 1), the programs counted
 * once by a variant that adds to a counter in an array map. */
#include "bench.h"
#include "bench_insn.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OPS 1000              /* operations per program run */
#define PKT_LEN 64              /* test_run wants at least an Ethernet header */
#define MAX_REPS 10000000ull
#define NOT_PRESENT 0x7fffffff  /* a key never inserted */
#define PREFILL 256             /* keys 0..255 in every hash map */

/* The stack of every loop program: keys and a value, written once. */
#define FP_KEY32 (-4)           /* u32 1: present */
#define FP_MISS32 (-8)          /* u32 NOT_PRESENT */
#define FP_KEY16 (-24)          /* 16-byte key of 1: present */
#define FP_VALUE (-32)          /* u64 42, for updates */

/* ---- the maps ---- */

enum { M_NONE = -1, M_ARRAY, M_HASH32, M_HASH16, M_LRU, M_PERCPU, M__COUNT };

static const struct map_def {
	uint32_t type, key_size, value_size, max_entries;
	int prefill;            /* insert keys 0..PREFILL-1 */
} map_defs[M__COUNT] = {
	[M_ARRAY] = { BPF_MAP_TYPE_ARRAY, 4, 8, 256, 0 },
	[M_HASH32] = { BPF_MAP_TYPE_HASH, 4, 8, 1024, 1 },
	[M_HASH16] = { BPF_MAP_TYPE_HASH, 16, 8, 1024, 1 },
	[M_LRU] = { BPF_MAP_TYPE_LRU_HASH, 4, 8, 1024, 1 },
	[M_PERCPU] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 256, 0 },
};

static void key16(uint32_t i, uint32_t k[4])
{
	k[0] = i;
	k[1] = i * 7 + 3;
	k[2] = ~i;
	k[3] = 0x5a5a5a5a;
}

/* Creates and fills the map; fd or -errno. */
static int make_map(struct bench_sys *s, const struct map_def *d)
{
	int fd = s->map_create(s, d->type, d->key_size, d->value_size, d->max_entries);
	for (uint32_t i = 0; fd >= 0 && d->prefill && i < PREFILL; i++) {
		uint32_t k[4];
		uint64_t v = i;
		key16(i, k);
		if (d->key_size == 4)
			k[0] = i;
		int rc = s->map_update(s, fd, k, &v, BPF_ANY);
		if (rc < 0) {
			s->close(s, fd);
			return rc;
		}
	}
	return fd;
}

/* ---- the operations: each emits its instructions given the map fd ---- */

enum op_kind { K_NONE, K_LOOKUP, K_LOOKUP_XADD, K_UPDATE, K_TAIL_CONST, K_TAIL_VAR };

static const struct map_op {
	const char *key, *name;
	int map;
	enum op_kind kind;
	int16_t key_off;
	double target;          /* the target, ns/op (NAN: none) */
} ops[] = {
	{ "array_lookup", "array lookup", M_ARRAY, K_LOOKUP, FP_KEY32, 0.3 },
	{ "hash_lookup_u32", "hash lookup (u32 key, hit)", M_HASH32, K_LOOKUP, FP_KEY32, 6 },
	{ "hash_lookup_miss", "hash lookup (u32 key, miss)", M_HASH32, K_LOOKUP, FP_MISS32, NAN },
	{ "hash_lookup_16b", "hash lookup (16-byte key, hit)", M_HASH16, K_LOOKUP, FP_KEY16, NAN },
	{ "hash_update", "hash update (existing key)", M_HASH32, K_UPDATE, FP_KEY32, 20 },
	{ "lru_hash_update", "LRU hash update (existing key)", M_LRU, K_UPDATE, FP_KEY32, NAN },
	{ "percpu_array_lookup", "per-CPU array lookup", M_PERCPU, K_LOOKUP, FP_KEY32, NAN },
	{ "lookup_xadd", "array lookup + atomic add", M_ARRAY, K_LOOKUP_XADD, FP_KEY32, NAN },
	{ "tail_call_const", "tail call (constant index)", M_NONE, K_TAIL_CONST, 0, 2 },
	{ "tail_call_var", "tail call (variable index)", M_NONE, K_TAIL_VAR, 0, 2 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static int emit_op(struct bpf_insn *p, const struct map_op *op, int fd)
{
	struct bpf_insn *s = p;
	switch (op->kind) {
	case K_NONE:
		break;
	case K_LOOKUP:
	case K_LOOKUP_XADD:
		p = b_ld_map_fd(p, 1, fd);
		*p++ = B_MOV64_REG(2, 10);
		*p++ = B_ALU64_IMM(BPF_ADD, 2, op->key_off);
		*p++ = B_CALL(BPF_FUNC_map_lookup_elem);
		if (op->kind == K_LOOKUP) {
			/* A program uses what it looked up: null check, load. */
			*p++ = B_JMP_IMM(BPF_JEQ, 0, 0, 1);
			*p++ = B_LDX(BPF_DW, 1, 0, 0);
		} else {
			*p++ = B_JMP_IMM(BPF_JEQ, 0, 0, 2);
			*p++ = B_MOV64_IMM(1, 1);
			*p++ = B_XADD(BPF_DW, 0, 1, 0);
		}
		break;
	case K_UPDATE:
		p = b_ld_map_fd(p, 1, fd);
		*p++ = B_MOV64_REG(2, 10);
		*p++ = B_ALU64_IMM(BPF_ADD, 2, op->key_off);
		*p++ = B_MOV64_REG(3, 10);
		*p++ = B_ALU64_IMM(BPF_ADD, 3, FP_VALUE);
		*p++ = B_MOV64_IMM(4, BPF_ANY);
		*p++ = B_CALL(BPF_FUNC_map_update_elem);
		break;
	default:
		break;
	}
	return (int)(p - s);
}

/* prolog (keys on the stack), r7 = 0; loop: op; r7 += 1; if r7 < N goto
 * loop; r0 = XDP_PASS; exit. The kernel's verifier walks the N iterations
 * (r7 is a known constant in each). */
static size_t build_loop(struct bpf_insn *p0, const struct map_op *op, int fd)
{
	struct bpf_insn *p = p0;
	uint32_t k[4];
	key16(1, k);
	*p++ = B_ST(BPF_W, 10, FP_KEY32, 1);
	*p++ = B_ST(BPF_W, 10, FP_MISS32, NOT_PRESENT);
	for (int i = 0; i < 4; i++)
		*p++ = B_ST(BPF_W, 10, FP_KEY16 + 4 * i, (int32_t)k[i]);
	*p++ = B_ST(BPF_DW, 10, FP_VALUE, 42);
	*p++ = B_MOV64_IMM(7, 0);
	int n = op ? emit_op(p, op, fd) : 0;
	p += n;
	*p++ = B_ALU64_IMM(BPF_ADD, 7, 1);
	*p++ = B_JMP_IMM(BPF_JLT, 7, N_OPS, (int16_t)-(n + 2));
	*p++ = B_MOV64_IMM(0, XDP_PASS_CODE);
	*p++ = B_EXIT();
	return (size_t)(p - p0);
}

/* The tail-call program: tail-call index 0 of prog array `fd` and, when
 * that fails, return XDP_PASS. The index is the constant 0, or (variable)
 * xdp_md.rx_queue_index, 0 in a test run but unknown to the verifier,
 * which then cannot give the kernel's JIT a direct jump. With `counter` >= 0
 * the program first adds 1 to the u64 at key 0 of that array: that variant
 * runs once, to count the programs in a chain; the timed one has no body. */
static size_t build_tail(struct bpf_insn *p0, int variable, int fd, int counter)
{
	struct bpf_insn *p = p0;
	if (counter >= 0) {
		*p++ = B_MOV64_REG(6, 1);
		*p++ = B_ST(BPF_W, 10, FP_KEY32, 0);
		p = b_ld_map_fd(p, 1, counter);
		*p++ = B_MOV64_REG(2, 10);
		*p++ = B_ALU64_IMM(BPF_ADD, 2, FP_KEY32);
		*p++ = B_CALL(BPF_FUNC_map_lookup_elem);
		*p++ = B_JMP_IMM(BPF_JEQ, 0, 0, 2);
		*p++ = B_MOV64_IMM(1, 1);
		*p++ = B_XADD(BPF_DW, 0, 1, 0);
		*p++ = B_MOV64_REG(1, 6);
	}
	p = b_ld_map_fd(p, 2, fd);
	*p++ = variable ? B_LDX(BPF_W, 3, 1, XDP_MD_RX_QUEUE) : B_MOV64_IMM(3, 0);
	*p++ = B_CALL(BPF_FUNC_tail_call);
	*p++ = B_MOV64_IMM(0, XDP_PASS_CODE);
	*p++ = B_EXIT();
	return (size_t)(p - p0);
}

/* ---- measuring ---- */

static uint8_t pkt[PKT_LEN];

struct run_body {
	struct bench_sys *s;
	int fd;
};

static int run_body(void *arg, uint64_t reps, double *ns)
{
	struct run_body *b = arg;
	return b->s->test_run(b->s, b->fd, pkt, PKT_LEN, (uint32_t)reps, NULL, ns);
}

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case E2BIG: return "E2BIG";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case ENOSPC: return "ENOSPC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case 524: return "ENOTSUPP";
	default: return strerror(e);
	}
}

struct result {
	double ns;              /* per operation; NAN with why */
	char why[48];
	char mode[16];          /* how the system ran it: fast, checked, JIT */
	char detail[200];       /* a verifier line, for the notes */
};

static void fail(struct result *r, const char *stage, int err)
{
	r->ns = NAN;
	snprintf(r->why, sizeof(r->why), "n/a (%s%s%s)", stage, stage[0] ? " " : "", errname(-err));
}

/* Loads insns, checks one run (its retval in *retval) and times it. */
static int load_and_time(struct bench_sys *s, const struct bpf_insn *insns, size_t n, double *ns,
			 uint32_t *retval, struct result *r)
{
	static char log[1 << 20];
	int fd = s->prog_load(s, insns, n, log, sizeof(log));
	if (fd < 0) {
		fail(r, "load", fd);
		snprintf(r->detail, sizeof(r->detail), "%s", bench_log_tail(log));
		return fd;
	}
	struct run_body b = { s, fd };
	snprintf(r->mode, sizeof(r->mode), "%s", s->prog_mode(s, fd));
	int rc = s->test_run(s, fd, pkt, PKT_LEN, 1, retval, NULL);
	if (rc == 0)
		rc = bench_measure(run_body, &b, MAX_REPS, ns);
	if (rc < 0)
		fail(r, "run", rc);
	s->close(s, fd);
	return rc;
}

/* The mode of a difference: that of both programs, or "a/b" if the
 * operation's program and its baseline ran differently. */
static void diff_mode(struct result *r, const char *base_mode)
{
	if (strcmp(r->mode, base_mode) != 0) {
		char m[sizeof(r->mode)];
		snprintf(m, sizeof(m), "%.7s/%.7s", r->mode, base_mode);
		memcpy(r->mode, m, sizeof(m));
	}
}

static void measure_loop_op(struct bench_sys *s, const struct map_op *op, double base_ns, const char *base_mode,
			    struct result *r)
{
	struct bpf_insn insns[64];
	const struct map_def *d = &map_defs[op->map];
	int mfd = make_map(s, d);
	if (mfd < 0) {
		fail(r, "", mfd);
		return;
	}
	size_t n = build_loop(insns, op, mfd);
	double ns = 0;
	uint32_t ret = 0;
	if (load_and_time(s, insns, n, &ns, &ret, r) == 0) {
		r->ns = (ns - base_ns) / N_OPS;
		diff_mode(r, base_mode);
	}
	s->close(s, mfd);
}

/* Loads a tail-call program and makes it slot 0 of `chain`; fd or -errno. */
static int load_tail(struct bench_sys *s, int variable, int chain, int counter, struct result *r)
{
	struct bpf_insn insns[32];
	static char log[1 << 16];
	size_t n = build_tail(insns, variable, chain, counter);
	int fd = s->prog_load(s, insns, n, log, sizeof(log));
	if (fd < 0) {
		fail(r, "load", fd);
		snprintf(r->detail, sizeof(r->detail), "%s", bench_log_tail(log));
		return fd;
	}
	uint32_t zero = 0, pv = (uint32_t)fd;
	int rc = s->map_update(s, chain, &zero, &pv, BPF_ANY);
	if (rc < 0) {
		fail(r, "update", rc);
		s->close(s, fd);
		return rc;
	}
	return fd;
}

static void measure_tail(struct bench_sys *s, const struct map_op *op, struct result *r)
{
	struct bpf_insn insns[32];
	int variable = op->kind == K_TAIL_VAR;
	int chain = s->map_create(s, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
	int empty = chain >= 0 ? s->map_create(s, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4) : -1;
	int counter = empty >= 0 ? s->map_create(s, BPF_MAP_TYPE_ARRAY, 4, 8, 1) : -1;
	int cfd = -1, pfd = -1, rc;
	uint32_t zero = 0, ret = 0;
	uint64_t progs = 0;
	double chain_ns = 0, base_ns = 0;
	if (chain < 0 || empty < 0 || counter < 0) {
		fail(r, "", chain < 0 ? chain : empty < 0 ? empty : counter);
		goto out;
	}
	/* How many programs one chain runs (the tail-call limit + 1). */
	if ((cfd = load_tail(s, variable, chain, counter, r)) < 0)
		goto out;
	if ((rc = s->test_run(s, cfd, pkt, PKT_LEN, 1, &ret, NULL)) < 0 ||
	    (rc = s->map_lookup(s, counter, &zero, &progs)) < 0) {
		fail(r, "run", rc);
		goto out;
	}
	/* The chain, timed; then the same program over an empty array. */
	if ((pfd = load_tail(s, variable, chain, -1, r)) < 0)
		goto out;
	struct run_body b = { s, pfd };
	char chain_mode[sizeof(r->mode)];
	snprintf(chain_mode, sizeof(chain_mode), "%s", s->prog_mode(s, pfd));
	if ((rc = bench_measure(run_body, &b, MAX_REPS, &chain_ns)) < 0) {
		fail(r, "run", rc);
		goto out;
	}
	size_t n = build_tail(insns, variable, empty, -1);
	if (load_and_time(s, insns, n, &base_ns, &ret, r) < 0)
		goto out;
	if (progs < 2) {
		r->ns = NAN;
		snprintf(r->why, sizeof(r->why), "n/a (chain of %llu)", (unsigned long long)progs);
		goto out;
	}
	r->ns = (chain_ns - base_ns) / (double)(progs - 1);
	{
		char base_mode[sizeof(r->mode)];
		memcpy(base_mode, r->mode, sizeof(base_mode));
		memcpy(r->mode, chain_mode, sizeof(chain_mode));
		diff_mode(r, base_mode);
	}
	snprintf(r->detail, sizeof(r->detail), "%llu programs per chain", (unsigned long long)progs);
out:
	/* Closing a prog array's last fd empties it, which breaks the
	 * program <-> array reference cycle (release_uref). */
	s->close(s, chain);
	s->close(s, empty);
	s->close(s, counter);
	s->close(s, cfd);
	s->close(s, pfd);
}

/* The empty loop: N iterations of r7 += 1 and the compare. */
static int measure_base(struct bench_sys *s, double *ns, struct result *r)
{
	struct bpf_insn insns[32];
	size_t n = build_loop(insns, NULL, -1);
	uint32_t ret = 0;
	return load_and_time(s, insns, n, ns, &ret, r);
}

static void run_system(struct bench_sys *s, struct result *res, double *base_ns, struct result *base_r)
{
	if (measure_base(s, base_ns, base_r) < 0) {
		for (size_t i = 0; i < NOPS; i++)
			res[i] = *base_r;
		return;
	}
	for (size_t i = 0; i < NOPS; i++) {
		if (ops[i].kind == K_TAIL_CONST || ops[i].kind == K_TAIL_VAR)
			measure_tail(s, &ops[i], &res[i]);
		else
			measure_loop_op(s, &ops[i], *base_ns, base_r->mode, &res[i]);
	}
}

int bench_map_suite(struct bench_out *o)
{
	struct result vm_res[NOPS], k_res[NOPS], vm_base = { 0 }, k_base = { 0 };
	double vm_base_ns = NAN, k_base_ns = NAN;
	char why[256] = "";
	memset(vm_res, 0, sizeof(vm_res));
	memset(k_res, 0, sizeof(k_res));

	struct bench_sys *vm = bench_sys_bpfvm();
	if (!vm) {
		bench_note(o, "map suite: cannot create a vm");
		return -ENOMEM;
	}
	run_system(vm, vm_res, &vm_base_ns, &vm_base);
	struct bench_sys *k = bench_sys_kernel(why, sizeof(why));
	if (k)
		run_system(k, k_res, &k_base_ns, &k_base);
	else
		for (size_t i = 0; i < NOPS; i++) {
			k_res[i].ns = NAN;
			snprintf(k_res[i].why, sizeof(k_res[i].why), "unavailable");
		}

	char title[160];
	snprintf(title, sizeof(title), "Map-operation suite: ns per operation, %d per program run", N_OPS);
	bench_section(o, "maps", title);
	static const char *const keys[] = { "operation", "bpfvm_ns", "bpfvm_mode", "kernel_ns", "x_kernel",
					    "target_ns", "meets" };
	static const char *const heads[] = { "operation", "bpfvm ns/op", "mode", "kernel ns/op", "x kernel",
					     "target", "meets" };
	static const int widths[] = { 31, 14, 8, 14, 9, 7, 5 };
	bench_columns(o, 7, keys, heads, widths);
	for (size_t i = 0; i < NOPS; i++) {
		const struct map_op *op = &ops[i];
		double v = vm_res[i].ns, kn = k_res[i].ns;
		bench_row_begin(o);
		bench_cell_str(o, op->name);
		bench_cell_num(o, v, 2, vm_res[i].why);
		bench_cell_str(o, vm_res[i].mode[0] ? vm_res[i].mode : "-");
		bench_cell_num(o, kn, 2, k_res[i].why);
		bench_cell_num(o, v / kn, 1, "n/a");
		bench_cell_num(o, op->target, 1, "-");
		bench_cell_str(o, isnan(op->target) || isnan(v) ? "-" : v <= op->target ? "yes" : "no");
		bench_row_end(o);
	}
	bench_section_end(o);

	bench_note(o, "mode: bpfvm runs a program loaded with BPF_PROG_LOAD on the fast path when its verifier "
		   "proves it, checked otherwise (read by bench/probe_mode.c); \"a/b\": the operation's program "
		   "ran a, its baseline b; prog_flags for a trusted load: bench_bpfvm_prog_flags in bench/sysapi.c");
	bench_note(o, "each operation: map pointer (LD_IMM64), key pointer, the call; lookups then test for NULL and "
		   "load the value; update: BPF_ANY of an existing key; maps hold %d keys", PREFILL);
	if (!isnan(vm_base_ns) && !isnan(k_base_ns))
		bench_note(o, "baseline (subtracted): the empty loop, %.2f ns/iteration in bpfvm, %.2f in the kernel",
			   vm_base_ns / N_OPS, k_base_ns / N_OPS);
	else if (!isnan(vm_base_ns))
		bench_note(o, "baseline (subtracted): the empty loop, %.2f ns/iteration in bpfvm", vm_base_ns / N_OPS);
	for (size_t i = 0; i < NOPS; i++) {
		if (vm_res[i].detail[0])
			bench_note(o, "%s, bpfvm: %s", ops[i].name, vm_res[i].detail);
		if (k_res[i].detail[0])
			bench_note(o, "%s, kernel: %s", ops[i].name, k_res[i].detail);
	}
	if (!k)
		bench_note(o, "kernel: unavailable (%s)", why);
	else if (isnan(k_base_ns))
		bench_note(o, "kernel: the empty loop failed: %s %s", k_base.why, k_base.detail);
	if (isnan(vm_base_ns))
		bench_note(o, "bpfvm: the empty loop failed: %s %s", vm_base.why, vm_base.detail);
	bench_sys_free(k);
	bench_sys_free(vm);
	return 0;
}
