/* Runs the verifier corpus through bpfvm and the running kernel and reports
 * agreement with the v5.1 verdicts written in the cases.
 *
 * bpfvm runs every case in its v5.1 mode (BPFVM_VERIFIER_V51), whose
 * verdicts are the expected ones; the cases where the kernel differs
 * because of a later verifier feature that bpfvm's default mode has too
 * (bounded loops, cpu v4, atomics, ...: modern_reasons) run a second time
 * in the default mode, where the kernel's verdict is expected.
 *
 *   verifier_corpus [-v] [substring]
 *
 * -v prints every case; a substring runs only the cases whose name has it.
 * The test fails only when bpfvm's verdict differs from the expected one on a
 * case not marked bpfvm_todo. */
#include "corpus.h"
#include "kern.h"
#include "verifier/verifier.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLASS(name) { #name, vc_cases_##name, &vc_cases_##name##_n }
static const struct vc_class classes[] = {
	CLASS(cfg), CLASS(alu), CLASS(jmp), CLASS(stack), CLASS(ctx), CLASS(pkt),
	CLASS(map), CLASS(helpers), CLASS(refs), CLASS(calls), CLASS(misc),
};
#define N_CLASSES (sizeof(classes) / sizeof(classes[0]))

/* ---- the BTF blob for spin-lock maps --------------------------------- */

/* Types: 1 int; 2 struct bpf_spin_lock { int val; }; 3 struct lockval
 * { struct bpf_spin_lock l; int cnt; }; 4 struct plain { int a; int b; };
 * 5 struct twolocks { struct bpf_spin_lock a, b; }. */
enum { BTF_INT = 1, BTF_LOCK, BTF_LOCKVAL, BTF_PLAIN, BTF_TWOLOCKS };

struct blob {
	uint8_t *p;
	uint32_t len, cap;
};

static void put32(struct blob *b, uint32_t v)
{
	if (b->len + 4 <= b->cap)
		memcpy(b->p + b->len, &v, 4);
	b->len += 4;
}

static uint32_t vc_btf_blob(uint8_t *buf, uint32_t cap, int two_locks)
{
	static const char strs[] = "\0int\0bpf_spin_lock\0val\0lockval\0l\0cnt\0plain\0a\0b\0twolocks";
	/* offsets into strs */
	enum { S_INT = 1, S_LOCK = 5, S_VAL = 19, S_LOCKVAL = 23, S_L = 31, S_CNT = 33, S_PLAIN = 37,
	       S_A = 43, S_B = 45, S_TWO = 47 };
	struct blob b = { buf, 24, cap };
	const uint32_t kind_int = 1u << 24, kind_struct = 4u << 24;
	/* 1: int, 32 bits, signed */
	put32(&b, S_INT), put32(&b, kind_int), put32(&b, 4), put32(&b, (1u << 24) | 32);
	/* 2: struct bpf_spin_lock { int val; } */
	put32(&b, S_LOCK), put32(&b, kind_struct | 1), put32(&b, 4);
	put32(&b, S_VAL), put32(&b, BTF_INT), put32(&b, 0);
	/* 3: struct lockval { struct bpf_spin_lock l; int cnt; } */
	put32(&b, S_LOCKVAL), put32(&b, kind_struct | 2), put32(&b, 8);
	put32(&b, S_L), put32(&b, BTF_LOCK), put32(&b, 0);
	put32(&b, S_CNT), put32(&b, BTF_INT), put32(&b, 32);
	/* 4: struct plain { int a; int b; } */
	put32(&b, S_PLAIN), put32(&b, kind_struct | 2), put32(&b, 8);
	put32(&b, S_A), put32(&b, BTF_INT), put32(&b, 0);
	put32(&b, S_B), put32(&b, BTF_INT), put32(&b, 32);
	/* 5: struct twolocks { struct bpf_spin_lock a, b; } (its own blob:
	 * later kernels refuse such a struct at BTF_LOAD) */
	if (two_locks) {
		put32(&b, S_TWO), put32(&b, kind_struct | 2), put32(&b, 8);
		put32(&b, S_A), put32(&b, BTF_LOCK), put32(&b, 0);
		put32(&b, S_B), put32(&b, BTF_LOCK), put32(&b, 32);
	}
	uint32_t type_len = b.len - 24;
	if (b.len + sizeof(strs) <= cap)
		memcpy(buf + b.len, strs, sizeof(strs));
	b.len += sizeof(strs);
	if (b.len > cap)
		return 0;
	uint16_t magic = 0xeB9F;
	memcpy(buf, &magic, 2);
	buf[2] = 1, buf[3] = 0;         /* version, flags */
	uint32_t hdr[5] = { 24, 0, type_len, type_len, (uint32_t)sizeof(strs) };
	memcpy(buf + 4, hdr, sizeof(hdr));
	return b.len;
}

/* ---- map kinds --------------------------------------------------------- */

struct map_spec {
	uint32_t type, key, value, max;
	uint32_t key_tid, value_tid;    /* BTF ids; 0: no BTF */
	int inner;                      /* needs the inner-map template */
	int two_locks;                  /* uses the blob with struct twolocks */
};

static const struct map_spec map_specs[VC_N_MAPS] = {
	[VC_MAP_HASH8] = { BPF_MAP_TYPE_HASH, 8, 8, 1, 0, 0, 0, 0 },
	[VC_MAP_HASH16] = { BPF_MAP_TYPE_HASH, 8, 16, 1, 0, 0, 0, 0 },
	[VC_MAP_HASH48] = { BPF_MAP_TYPE_HASH, 8, 48, 1, 0, 0, 0, 0 },
	[VC_MAP_ARRAY48] = { BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, 0, 0, 0 },
	[VC_MAP_ARRAY8] = { BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0, 0, 0 },
	[VC_MAP_PROG_ARRAY] = { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0, 0, 0 },
	[VC_MAP_ARRAY_OF_MAPS] = { BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, 0, 1 },
	[VC_MAP_HASH_OF_MAPS] = { BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 1, 0, 0, 1 },
	[VC_MAP_QUEUE] = { BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0, 0, 0, 0 },
	[VC_MAP_STACK] = { BPF_MAP_TYPE_STACK, 0, 4, 4, 0, 0, 0, 0 },
	[VC_MAP_PERF_EVENT] = { BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0, 0, 0, 0 },
	[VC_MAP_STACK_TRACE] = { BPF_MAP_TYPE_STACK_TRACE, 4, 64, 1, 0, 0, 0, 0 },
	[VC_MAP_PERCPU_ARRAY] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0, 0, 0, 0 },
	[VC_MAP_LOCK_HASH] = { BPF_MAP_TYPE_HASH, 4, 8, 1, BTF_INT, BTF_LOCKVAL, 0, 0 },
	[VC_MAP_LOCK_ARRAY] = { BPF_MAP_TYPE_ARRAY, 4, 8, 1, BTF_INT, BTF_LOCKVAL, 0, 0 },
	[VC_MAP_BTF_PLAIN] = { BPF_MAP_TYPE_HASH, 4, 8, 1, BTF_INT, BTF_PLAIN, 0, 0 },
	[VC_MAP_TWO_LOCKS] = { BPF_MAP_TYPE_HASH, 4, 8, 1, BTF_INT, BTF_TWOLOCKS, 0, 1 },
};

static const char *const map_names[VC_N_MAPS] = {
	"hash8", "hash16", "hash48", "array48", "array8", "prog_array", "array_of_maps", "hash_of_maps",
	"queue", "stack", "perf_event_array", "stack_trace", "percpu_array", "lock_hash", "lock_array",
	"btf_plain", "two_locks",
};

static uint8_t btf_blob[512], btf2_blob[512];
static uint32_t btf_len, btf2_len;

/* ---- bpfvm side ------------------------------------------------------- */

static int vm_sys(struct bpfvm *vm, int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static int vm_map_create(struct bpfvm *vm, const struct map_spec *s, int btf_fd, int inner_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = s->type;
	a.key_size = s->key;
	a.value_size = s->value;
	a.max_entries = s->max;
	if (s->value_tid) {
		a.btf_fd = (uint32_t)btf_fd;
		a.btf_key_type_id = s->key_tid;
		a.btf_value_type_id = s->value_tid;
	}
	if (s->inner)
		a.inner_map_fd = (uint32_t)inner_fd;
	return vm_sys(vm, BPF_MAP_CREATE, &a);
}

static int vm_btf_load(struct bpfvm *vm, int two_locks)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)(two_locks ? btf2_blob : btf_blob);
	a.btf_size = two_locks ? btf2_len : btf_len;
	return vm_sys(vm, BPF_BTF_LOAD, &a);
}

/* ---- one case ------------------------------------------------------------ */

struct outcome {
	int ran;                        /* 0: could not run (map creation failed) */
	int accepted;
	int err;                        /* -errno of a rejection */
	char why[128];                  /* why it could not run */
};

static struct bpf_insn *fill_buf;
static char *log_buf;
/* The largest log v5.1 accepts (log_size <= UINT_MAX >> 8). */
#define LOG_SIZE ((16u << 20) - 1)

/* Large programs need room for a level-1 log of every insn walked. */
static uint32_t log_size(const struct vc_case *c)
{
	return c->fill ? LOG_SIZE : 1u << 20;
}

static uint32_t prog_len(const struct vc_case *c)
{
	if (c->len)
		return c->len;
	uint32_t n = VC_MAX_INSNS;
	static const struct bpf_insn zero;
	while (n > 0 && !memcmp(&c->insns[n - 1], &zero, sizeof(zero)))
		n--;
	return n;
}

static uint32_t case_insns(const struct vc_case *c, struct bpf_insn *out)
{
	if (c->fill)
		return c->fill(out);
	uint32_t n = prog_len(c);
	memcpy(out, c->insns, n * sizeof(*out));
	return n;
}

static int uses_map(const struct vc_case *c, int k)
{
	return c->fixup[k][0] != 0;
}

/* A fixup that does not name a map load is a mistake in the corpus. */
static int fixups_ok(const struct vc_case *c, const struct bpf_insn *insns, uint32_t n)
{
	for (int k = 0; k < VC_N_MAPS; k++)
		for (int j = 0; j < VC_MAX_FIXUPS && c->fixup[k][j]; j++) {
			uint32_t at = (uint32_t)c->fixup[k][j];
			if (at + 1 >= n || insns[at].code != (BPF_LD | BPF_IMM | BPF_DW) || insns[at].src_reg != 1)
				return 0;
		}
	return 1;
}

static void patch(const struct vc_case *c, struct bpf_insn *insns, uint32_t n, const int *fds)
{
	for (int k = 0; k < VC_N_MAPS; k++)
		for (int j = 0; j < VC_MAX_FIXUPS && c->fixup[k][j]; j++) {
			uint32_t at = (uint32_t)c->fixup[k][j];
			if (at < n)
				insns[at].imm = fds[k];
		}
}

static const char *license_of(const struct vc_case *c)
{
	return c->license ? c->license : "GPL";
}

static uint32_t type_of(const struct vc_case *c)
{
	return c->prog_type ? c->prog_type : BPF_PROG_TYPE_SOCKET_FILTER;
}

static void run_bpfvm(const struct vc_case *c, struct bpf_insn *insns, uint32_t n, struct outcome *o,
		      uint32_t vflags)
{
	int fds[VC_N_MAPS];
	struct bpfvm *vm = bpfvm_new();
	int btf_fd = -1, inner_fd = -1;
	memset(o, 0, sizeof(*o));
	log_buf[0] = 0;
	if (!vm) {
		snprintf(o->why, sizeof(o->why), "bpfvm_new failed");
		return;
	}
	bpfvm_verifier_set_flags(vm, vflags);
	for (int k = 0; k < VC_N_MAPS; k++) {
		fds[k] = -1;
		if (!uses_map(c, k))
			continue;
		const struct map_spec *s = &map_specs[k];
		/* a case uses at most one of the two BTF blobs */
		if (s->value_tid && btf_fd < 0 && (btf_fd = vm_btf_load(vm, s->two_locks)) < 0) {
			snprintf(o->why, sizeof(o->why), "BPF_BTF_LOAD: %s", strerror(-btf_fd));
			goto out;
		}
		if (s->inner && inner_fd < 0) {
			static const struct map_spec inner = { BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0, 0, 0 };
			if ((inner_fd = vm_map_create(vm, &inner, -1, -1)) < 0) {
				snprintf(o->why, sizeof(o->why), "inner map: %s", strerror(-inner_fd));
				goto out;
			}
		}
		if ((fds[k] = vm_map_create(vm, s, btf_fd, inner_fd)) < 0) {
			snprintf(o->why, sizeof(o->why), "map %s: %s", map_names[k], strerror(-fds[k]));
			goto out;
		}
	}
	patch(c, insns, n, fds);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type_of(c);
	a.expected_attach_type = c->attach_type;
	a.prog_flags = c->prog_flags;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)license_of(c);
	a.log_level = 1;
	a.log_buf = (uint64_t)(uintptr_t)log_buf;
	a.log_size = log_size(c);
	int fd = vm_sys(vm, BPF_PROG_LOAD, &a);
	o->ran = 1;
	o->accepted = fd >= 0;
	o->err = fd < 0 ? fd : 0;
	log_buf[log_size(c) - 1] = 0;
out:
	bpfvm_free(vm);
}

static int kern_btf_fd = -1;

static void run_kernel(const struct vc_case *c, struct bpf_insn *insns, uint32_t n, struct outcome *o)
{
	int fds[VC_N_MAPS], inner_fd = -1, btf2_fd = -1;
	memset(o, 0, sizeof(*o));
	log_buf[0] = 0;
	for (int k = 0; k < VC_N_MAPS; k++)
		fds[k] = -1;
	for (int k = 0; k < VC_N_MAPS; k++) {
		if (!uses_map(c, k))
			continue;
		const struct map_spec *s = &map_specs[k];
		if (s->inner && inner_fd < 0 &&
		    (inner_fd = vck_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, -1, 0, 0, -1)) < 0) {
			snprintf(o->why, sizeof(o->why), "inner map: %s", strerror(-inner_fd));
			goto out;
		}
		int btf_fd = kern_btf_fd;
		if (s->two_locks) {
			if (btf2_fd < 0)
				btf2_fd = vck_btf_load(btf2_blob, btf2_len, NULL, 0);
			btf_fd = btf2_fd;
		}
		if (s->value_tid && btf_fd < 0)
			fds[k] = btf_fd;
		else
			fds[k] = vck_map_create(s->type, s->key, s->value, s->max, 0, s->value_tid ? btf_fd : -1,
						s->key_tid, s->value_tid, s->inner ? inner_fd : -1);
		if (fds[k] < 0) {
			/* A map the kernel refuses is a rejection of the case. */
			o->ran = 1;
			o->err = fds[k];
			snprintf(log_buf, 256, "map creation failed: %s map: %s\n", map_names[k], strerror(-fds[k]));
			goto out;
		}
	}
	patch(c, insns, n, fds);
	struct vck_load l = { type_of(c), c->attach_type, c->prog_flags, license_of(c), insns, n };
	int fd = vck_prog_load(&l, log_buf, log_size(c));
	o->ran = 1;
	o->accepted = fd >= 0;
	o->err = fd < 0 ? fd : 0;
	vck_close(fd);
out:
	for (int k = 0; k < VC_N_MAPS; k++)
		vck_close(fds[k]);
	vck_close(inner_fd);
	vck_close(btf2_fd);
}

/* The error block of a log: what follows its last instruction line
 * ("12: (85) call ..."), where the verifier explains the rejection; the
 * whole log when no instruction was printed (checks before the walk). */
static const char *error_block(const char *log)
{
	const char *block = log, *p = log;
	while (*p) {
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p && q[0] == ':' && q[1] == ' ' && q[2] == '(') {
			const char *nl = strchr(p, '\n');
			block = nl ? nl + 1 : p + strlen(p);
		}
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return block;
}

static int text_ok(const char *log, const char *want)
{
	return !want || strstr(error_block(log), want) != NULL;
}

/* The last lines of the error block, for reports. */
static void print_tail(const char *who, const char *log, int err)
{
	const char *b = error_block(log);
	size_t len = strlen(b);
	if (len > 400)
		b += len - 400;
	fprintf(stderr, "    %s (%s) log tail: ", who, strerror(-err));
	for (; *b; b++) {
		if (*b == '\n') {
			if (b[1])
				fputs(" | ", stderr);
		} else {
			fputc(*b, stderr);
		}
	}
	fputc('\n', stderr);
}

static const char *verdict(int accepted)
{
	return accepted ? "accept" : "reject";
}

/* Reasons (kernel_differs prefixes) that are later verifier features
 * bpfvm's default mode implements: there the kernel's verdict and text
 * are expected. */
static const char *const modern_reasons[] = {
	"loops are checked by the walk since 5.3",
	"bounded loops are accepted for root since 5.3",
	"root programs may have up to 1M insns since 5.2",
	"recursion is caught by the walk since 5.3",
	"the pending-branch limit is 8192 since 5.2",
	"1M-insn budget since 5.2 and precision tracking since 5.3",
	"signed division (cpu v4)",
	"signed modulo (cpu v4)",
	"sign-extending moves (cpu v4)",
	"cpu v4 ",
	"atomic fetch operations since 5.12",
	"XADD is BPF_ATOMIC since 5.12",
	"BPF_XOR is range-tracked since 5.10",
};

static int is_modern(const struct vc_case *c)
{
	if (!c->kernel_differs)
		return 0;
	for (size_t i = 0; i < sizeof(modern_reasons) / sizeof(modern_reasons[0]); i++)
		if (!strncmp(c->kernel_differs, modern_reasons[i], strlen(modern_reasons[i])))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int verbose = 0;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else
			only = argv[i];
	}
	fill_buf = calloc(VC_FILL_MAX, sizeof(*fill_buf));
	log_buf = malloc(LOG_SIZE);
	btf_len = vc_btf_blob(btf_blob, sizeof(btf_blob), 0);
	btf2_len = vc_btf_blob(btf2_blob, sizeof(btf2_blob), 1);
	if (!fill_buf || !log_buf || !btf_len || !btf2_len) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	/* Is the kernel there? A trivial socket filter must load. */
	static const struct bpf_insn trivial[] = { MOV64_IMM(0, 0), EXIT() };
	struct vck_load tl = { BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, "GPL", trivial, 2 };
	int kfd = vck_prog_load(&tl, NULL, 0);
	int have_kernel = kfd >= 0;
	vck_close(kfd);
	if (!have_kernel)
		printf("kernel: bpf(BPF_PROG_LOAD) fails (%s): kernel part skipped\n", strerror(-kfd));
	else if ((kern_btf_fd = vck_btf_load(btf_blob, btf_len, NULL, 0)) < 0)
		printf("kernel: BPF_BTF_LOAD fails (%s): spin-lock cases will not run there\n",
		       strerror(-kern_btf_fd));

	unsigned n = 0, vm_ok = 0, gaps = 0, gap_fixed = 0, text = 0, failures = 0;
	unsigned m_n = 0, m_ok = 0, m_text = 0;
	unsigned k_m = 0, k_ok = 0, k_listed = 0, k_listed_ok = 0, k_bad_verdict = 0, k_bad_text = 0;
	for (size_t ci = 0; ci < N_CLASSES; ci++) {
		const struct vc_class *cl = &classes[ci];
		size_t cn = *cl->n;
		unsigned class_n = 0, class_ok = 0;
		for (size_t i = 0; i < cn; i++) {
			const struct vc_case *c = &cl->cases[i];
			if (only && !strstr(c->name, only))
				continue;
			n++, class_n++;
			struct outcome vo, ko;
			uint32_t len = case_insns(c, fill_buf);
			if (!fixups_ok(c, fill_buf, len)) {
				fprintf(stderr, "FAIL [%s] %s: a map fixup does not point at a map load\n", cl->name,
					c->name);
				failures++;
				continue;
			}
			run_bpfvm(c, fill_buf, len, &vo, BPFVM_VERIFIER_V51);
			int want_accept = c->result == ACCEPT;
			int v_match = vo.ran && vo.accepted == want_accept;
			int v_text = v_match && (want_accept || text_ok(log_buf, c->errstr));
			vm_ok += v_match, class_ok += v_match, text += v_text;
			gaps += c->bpfvm_todo;
			if (c->bpfvm_todo && v_match)
				gap_fixed++;
			if (!v_match && !c->bpfvm_todo)
				failures++;
			if ((!v_match && !c->bpfvm_todo) || (verbose && !v_text) || (c->bpfvm_todo && v_match)) {
				fprintf(stderr, "%s [%s] %s: bpfvm %s, expected %s%s%s%s\n",
					!v_match && !c->bpfvm_todo ? "FAIL" : c->bpfvm_todo && v_match ? "FIXED" : "note",
					cl->name, c->name, vo.ran ? verdict(vo.accepted) : "did not run",
					verdict(want_accept), c->errstr ? " (\"" : "", c->errstr ? c->errstr : "",
					c->errstr ? "\")" : "");
				if (!vo.ran)
					fprintf(stderr, "    %s\n", vo.why);
				else if (!vo.accepted)
					print_tail("bpfvm", log_buf, vo.err);
			} else if (verbose) {
				printf("ok   [%s] %s%s\n", cl->name, c->name, c->bpfvm_todo ? " (todo)" : "");
			}
			if (is_modern(c)) {
				/* the default mode: the later kernels' verdict */
				len = case_insns(c, fill_buf);
				run_bpfvm(c, fill_buf, len, &vo, 0);
				int m_want = (c->kernel_result ? c->kernel_result : c->result) == ACCEPT;
				const char *m_str = c->kernel_errstr ? c->kernel_errstr : c->errstr;
				int m_match = vo.ran && vo.accepted == m_want;
				int m_tmatch = m_match && (m_want || text_ok(log_buf, m_str));
				m_n++, m_ok += m_match, m_text += m_tmatch;
				if (!m_match)
					failures++;
				if (!m_match || (verbose && !m_tmatch)) {
					fprintf(stderr, "%s [%s] %s (default mode): bpfvm %s, expected %s%s%s%s\n",
						m_match ? "note" : "FAIL", cl->name, c->name,
						vo.ran ? verdict(vo.accepted) : "did not run", verdict(m_want),
						m_str ? " (\"" : "", m_str ? m_str : "", m_str ? "\")" : "");
					if (vo.ran && !vo.accepted)
						print_tail("bpfvm", log_buf, vo.err);
				}
			}
			if (!have_kernel)
				continue;
			len = case_insns(c, fill_buf);
			run_kernel(c, fill_buf, len, &ko);
			int k_want_accept = (c->kernel_result ? c->kernel_result : c->result) == ACCEPT;
			const char *k_text = c->kernel_errstr ? c->kernel_errstr : c->errstr;
			int k_vmatch = ko.ran && ko.accepted == k_want_accept;
			int k_match = k_vmatch && (k_want_accept || text_ok(log_buf, k_text));
			if (c->kernel_differs)
				k_listed++, k_listed_ok += k_match;
			if (!c->kernel_result) {
				k_m++;
				k_ok += k_match;
			}
			if (!k_match) {
				k_bad_verdict += !k_vmatch;
				k_bad_text += k_vmatch;
				fprintf(stderr, "KERNEL [%s] %s: kernel %s, expected %s%s%s%s\n", cl->name, c->name,
					ko.ran ? verdict(ko.accepted) : "did not run", verdict(k_want_accept),
					k_text ? " (\"" : "", k_text ? k_text : "", k_text ? "\")" : "");
				if (!ko.ran)
					fprintf(stderr, "    %s\n", ko.why);
				else if (!ko.accepted)
					print_tail("kernel", log_buf, ko.err);
			}
		}
		if (class_n)
			printf("  %-8s %3u cases, bpfvm verdicts match: %u\n", cl->name, class_n, class_ok);
	}
	if (have_kernel) {
		printf("kernel-vs-v5.1 differences listed in the cases:\n");
		for (size_t ci = 0; ci < N_CLASSES; ci++)
			for (size_t i = 0; i < *classes[ci].n; i++) {
				const struct vc_case *c = &classes[ci].cases[i];
				if (!c->kernel_differs || (only && !strstr(c->name, only)))
					continue;
				printf("  [%s] %s: %s", classes[ci].name, c->name, c->kernel_differs);
				if (c->kernel_result)
					printf(" (kernel %s)", c->kernel_result == ACCEPT ? "accepts" : "rejects");
				if (c->kernel_errstr)
					printf(" (kernel: \"%s\")", c->kernel_errstr);
				printf("\n");
			}
		printf("listed differences confirmed by the kernel: %u/%u; kernel verdict mismatches: %u, "
		       "text mismatches: %u\n", k_listed_ok, k_listed, k_bad_verdict, k_bad_text);
	}
	if (gap_fixed)
		printf("%u cases marked bpfvm_todo now pass (see FIXED lines): remove their marks\n", gap_fixed);
	char kpart[96];
	if (have_kernel)
		snprintf(kpart, sizeof(kpart), "%u/%u (%u listed differences)", k_ok, k_m, k_listed);
	else
		snprintf(kpart, sizeof(kpart), "skipped (bpf() unavailable)");
	printf("verifier corpus: %u cases; bpfvm verdicts match expected: %u/%u (%u known gaps); "
	       "error text matches: %u/%u; kernel agrees with expected: %s; default mode (later features): "
	       "%u/%u verdicts, %u/%u texts\n",
	       n, vm_ok, n, gaps, text, n, kpart, m_ok, m_n, m_text, m_n);
	vck_close(kern_btf_fd);
	free(fill_buf);
	free(log_buf);
	if (failures) {
		fprintf(stderr, "%u cases: bpfvm's verdict differs from the expected one (not marked bpfvm_todo)\n",
			failures);
		return 1;
	}
	return 0;
}
