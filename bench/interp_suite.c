/* The interpreter suite: each program of bench/progs run natively (clang
 * -O2), by bpfvm on the fast path (BPFVM_EXEC_UNCHECKED) and in checked
 * mode (bpfvm_exec_*), and by the kernel (XDP, JIT) through
 * BPF_PROG_TEST_RUN; executed instructions counted by count.c. */
#include "bench.h"
#include "bench_insn.h"
#include "progs/bench_prog.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM_LEN BENCH_MEM_LEN
#define MAX_REPS 1000000000ull
#define TARGET_NS_PER_INSN 0.6

static uint8_t pristine[MEM_LEN];
static uint8_t *mem;                    /* 64-byte aligned work copy */

static void fill_pristine(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;     /* xorshift64: fixed input */
	for (size_t i = 0; i < MEM_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pristine[i] = (uint8_t)(x >> 24);
	}
}

static void reset_mem(void)
{
	memcpy(mem, pristine, MEM_LEN);
}

/* ---- the measured bodies ---- */

static volatile uint64_t sink;

static int native_body(void *arg, uint64_t reps, double *ns)
{
	const struct bench_prog *p = arg;
	uint64_t (*volatile fn)(uint8_t *, uint64_t) = p->native;
	uint64_t acc = 0;
	double t0 = bench_now_ns();
	for (uint64_t i = 0; i < reps; i++)
		acc += fn(mem, MEM_LEN);
	*ns = (bench_now_ns() - t0) / (double)reps;
	sink = acc;
	return 0;
}

static int exec_body(void *arg, uint64_t reps, double *ns)
{
	struct bpfvm_exec *e = arg;
	uint64_t acc = 0, r0 = 0;
	double t0 = bench_now_ns();
	for (uint64_t i = 0; i < reps; i++) {
		int rc = bpfvm_exec_run(e, mem, MEM_LEN, &r0, NULL, 0);
		if (rc < 0)
			return rc;
		acc += r0;
	}
	*ns = (bench_now_ns() - t0) / (double)reps;
	sink = acc;
	return 0;
}

struct kbody {
	struct bench_sys *k;
	int fd;
};

static int kernel_body(void *arg, uint64_t reps, double *ns)
{
	struct kbody *b = arg;
	return b->k->test_run(b->k, b->fd, pristine, MEM_LEN, (uint32_t)reps, NULL, ns);
}

/* ---- bpfvm ---- */

struct mode_result {
	double ns;              /* per run; NAN if not measured */
	char why[96];
	uint64_t r0;
	int have_r0;
};

static void run_bpfvm(struct bpfvm *vm, const struct bpf_insn *insns, size_t n, uint32_t flags,
		      struct mode_result *m)
{
	struct bpfvm_exec_opts o = { .sz = sizeof(o), .isa = BPFVM_ISA_V51, .flags = flags };
	struct bpfvm_exec *e = NULL;
	char err[160] = "";
	m->ns = NAN;
	int rc = bpfvm_exec_new(vm, insns, n, &o, &e, err, sizeof(err));
	if (rc < 0) {
		snprintf(m->why, sizeof(m->why), "load: %s", err[0] ? err : strerror(-rc));
		return;
	}
	reset_mem();
	rc = bpfvm_exec_run(e, mem, MEM_LEN, &m->r0, err, sizeof(err));
	if (rc == 0) {
		m->have_r0 = 1;
		rc = bench_measure(exec_body, e, MAX_REPS, &m->ns);
	}
	if (rc < 0)
		snprintf(m->why, sizeof(m->why), "run: %s", err[0] ? err : strerror(-rc));
	bpfvm_exec_free(e);
}

/* ---- the kernel ---- */

/* The kernel calls an XDP program with r1 = struct xdp_md *: this prolog
 * proves the 1 KiB packet in bounds (the verifier's packet range) and
 * makes the calling convention of the bench functions, r1 = data,
 * r2 = len; the function's own exit ends the program. */
static const struct bpf_insn kernel_prolog[] = {
	B_LDX(BPF_W, 2, 1, XDP_MD_DATA_END),
	B_LDX(BPF_W, 1, 1, XDP_MD_DATA),
	B_MOV64_REG(3, 1),
	B_ALU64_IMM(BPF_ADD, 3, MEM_LEN),
	B_JMP_REG(BPF_JLE, 3, 2, 2),
	B_MOV64_IMM(0, 0),
	B_EXIT(),
	B_MOV64_IMM(2, MEM_LEN),
};
#define PROLOG_LEN (sizeof(kernel_prolog) / sizeof(kernel_prolog[0]))

static void run_kernel(struct bench_sys *k, const struct bpf_insn *body, size_t n, struct mode_result *m)
{
	struct bpf_insn *insns = malloc((PROLOG_LEN + n) * sizeof(*insns));
	static char log[1 << 20];
	m->ns = NAN;
	if (!insns) {
		snprintf(m->why, sizeof(m->why), "out of memory");
		return;
	}
	memcpy(insns, kernel_prolog, sizeof(kernel_prolog));
	memcpy(insns + PROLOG_LEN, body, n * sizeof(*body));
	int fd = k->prog_load(k, insns, PROLOG_LEN + n, log, sizeof(log));
	free(insns);
	if (fd < 0) {
		snprintf(m->why, sizeof(m->why), "verifier: %s (%s)", strerror(-fd), bench_log_tail(log));
		return;
	}
	uint32_t ret = 0;
	struct kbody b = { k, fd };
	int rc = k->test_run(k, fd, pristine, MEM_LEN, 1, &ret, NULL);
	if (rc == 0) {
		m->r0 = ret;
		m->have_r0 = 1;
		rc = bench_measure(kernel_body, &b, UINT32_MAX, &m->ns);
	}
	if (rc < 0)
		snprintf(m->why, sizeof(m->why), "test_run: %s", strerror(-rc));
	k->close(k, fd);
}

/* ---- the suite ---- */

struct prog_result {
	const struct bench_prog *p;
	uint64_t insns;                 /* executed per run (count.c) */
	char count_why[96];
	uint64_t expect;                /* native r0 */
	double native_ns;
	struct mode_result fast, checked, kernel;
};

static const char *r0_check(const struct prog_result *r, char *buf, size_t len)
{
	const char *bad = NULL;
	if (r->fast.have_r0 && r->fast.r0 != r->expect)
		bad = "fast";
	else if (r->checked.have_r0 && r->checked.r0 != r->expect)
		bad = "checked";
	else if (r->kernel.have_r0 && r->kernel.r0 != (uint32_t)r->expect)
		bad = "kernel";
	else if (!r->count_why[0] && r->insns == 0)
		bad = "count";
	if (!bad)
		return "ok";
	snprintf(buf, len, "MISMATCH(%s)", bad);
	return buf;
}

static void print_row(struct bench_out *o, const struct prog_result *r, const char *mode,
		      const struct mode_result *m, double kernel_ns, const char *kernel_why)
{
	char chk[48];
	double insns = r->count_why[0] ? NAN : (double)r->insns;
	bench_row_begin(o);
	bench_cell_str(o, r->p->name);
	bench_cell_str(o, mode);
	bench_cell_num(o, insns, 0, "n/a");
	bench_cell_num(o, m->ns, 1, m->why);
	bench_cell_num(o, m->ns / insns, 3, "n/a");
	bench_cell_num(o, r->native_ns, 1, "n/a");
	bench_cell_num(o, m->ns / r->native_ns, 1, "n/a");
	bench_cell_num(o, kernel_ns, 1, kernel_why);
	bench_cell_num(o, m->ns / kernel_ns, 2, "n/a");
	bench_cell_str(o, r0_check(r, chk, sizeof(chk)));
	bench_row_end(o);
}

static double empty_exec_ns(struct bpfvm *vm, uint32_t flags)
{
	static const struct bpf_insn empty[] = { B_MOV64_IMM(0, 0), B_EXIT() };
	struct mode_result m = { 0 };
	run_bpfvm(vm, empty, 2, flags, &m);
	return m.ns;
}

int bench_interp_suite(struct bench_out *o)
{
	char why[256] = "";
	mem = aligned_alloc(64, MEM_LEN);
	struct bpfvm *vm = bpfvm_new();
	struct prog_result *res = calloc(bench_nprogs, sizeof(*res));
	if (!mem || !vm || !res) {
		bench_note(o, "interpreter suite: out of memory");
		free(mem);
		bpfvm_free(vm);
		free(res);
		return -ENOMEM;
	}
	fill_pristine();
	struct bench_sys *k = bench_sys_kernel(why, sizeof(why));

	/* The fixed costs, to read the per-run figures against. */
	double fast0 = empty_exec_ns(vm, BPFVM_EXEC_UNCHECKED), checked0 = empty_exec_ns(vm, 0);
	double kernel0 = NAN;
	if (k) {
		static const struct bpf_insn ret0[] = { B_MOV64_IMM(0, 0), B_EXIT() };
		struct mode_result m = { 0 };
		run_kernel(k, ret0, 2, &m);
		kernel0 = m.ns;
		if (isnan(kernel0)) {
			snprintf(why, sizeof(why), "empty program: %s", m.why);
			bench_sys_free(k);
			k = NULL;
		}
	}

	for (unsigned i = 0; i < bench_nprogs; i++) {
		struct prog_result *r = &res[i];
		const struct bench_prog *p = &bench_progs[i];
		uint64_t r0c = 0;
		r->p = p;
		reset_mem();
		if (bench_count(p->insns, p->insn_cnt, mem, MEM_LEN, &r0c, &r->insns, r->count_why,
				sizeof(r->count_why)) < 0)
			r->insns = 0;
		reset_mem();
		r->expect = p->native(mem, MEM_LEN);
		if (!r->count_why[0] && r0c != r->expect)
			r->insns = 0;   /* shown as a count mismatch */
		reset_mem();
		bench_measure(native_body, (void *)p, MAX_REPS, &r->native_ns);
		run_bpfvm(vm, p->insns, p->insn_cnt, BPFVM_EXEC_UNCHECKED, &r->fast);
		run_bpfvm(vm, p->insns, p->insn_cnt, 0, &r->checked);
		if (k) {
			run_kernel(k, p->insns, p->insn_cnt, &r->kernel);
			r->kernel.ns -= kernel0;
		} else {
			r->kernel.ns = NAN;
			snprintf(r->kernel.why, sizeof(r->kernel.why), "unavailable");
		}
	}

	bench_section(o, "interp", "Interpreter suite: bench/progs/NAME.c, 1 KiB of memory, r1 = mem, r2 = len");
	static const char *const keys[] = { "program", "mode", "insns_per_run", "ns_per_run", "ns_per_insn",
					    "native_ns", "x_native", "kernel_ns", "x_kernel", "r0" };
	static const char *const heads[] = { "program", "mode", "insns/run", "bpfvm ns/run", "ns/insn",
					     "native ns", "x native", "kernel ns", "x kernel", "r0" };
	static const int widths[] = { 8, 8, 9, 12, 8, 9, 8, 10, 8, 8 };
	bench_columns(o, 10, keys, heads, widths);
	for (unsigned i = 0; i < bench_nprogs; i++) {
		print_row(o, &res[i], "fast", &res[i].fast, res[i].kernel.ns, res[i].kernel.why);
		print_row(o, &res[i], "checked", &res[i].checked, res[i].kernel.ns, res[i].kernel.why);
	}
	bench_section_end(o);

	/* The target is for the fast path. */
	int met = 0, measured = 0;
	double logsum = 0;
	char missed[256] = "";
	for (unsigned i = 0; i < bench_nprogs; i++) {
		double v = res[i].fast.ns / (double)res[i].insns;
		if (isnan(v) || res[i].count_why[0] || !res[i].insns)
			continue;
		measured++;
		logsum += log(v);
		if (v <= TARGET_NS_PER_INSN)
			met++;
		else
			snprintf(missed + strlen(missed), sizeof(missed) - strlen(missed), "%s%s (%.3f)",
				 missed[0] ? ", " : "", res[i].p->name, v);
	}
	if (measured)
		bench_note(o, "fast path: %d of %d programs within the target of %.1f ns/insn (geometric mean %.3f)%s%s",
			   met, measured, TARGET_NS_PER_INSN, exp(logsum / measured), missed[0] ? "; missed: " : "",
			   missed);
	for (unsigned i = 0; i < bench_nprogs; i++)
		if (res[i].count_why[0])
			bench_note(o, "%s: instruction count unavailable: %s", res[i].p->name, res[i].count_why);
	bench_note(o, "bpfvm ns/run: bpfvm_exec_run() per call, its fixed cost included (an empty program: "
		   "fast %.1f ns, checked %.1f ns)", fast0, checked0);
	bench_note(o, "insns/run: executed instructions, counted by bench/count.c; r0 checked against the "
		   "native result (kernel: its low 32 bits, the XDP retval)");
	if (k)
		bench_note(o, "kernel ns: BPF_PROG_TEST_RUN duration of the same instructions as XDP after a "
			   "%zu-insn prolog (r1 = data, r2 = len), minus that of an empty program (%.1f ns, "
			   "the test_run overhead)", PROLOG_LEN, kernel0);
	else
		bench_note(o, "kernel: unavailable (%s)", why);
	bench_sys_free(k);
	bpfvm_free(vm);
	free(res);
	free(mem);
	return 0;
}
