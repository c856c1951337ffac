/* libFuzzer target: the bpf() command layer with attrs from the input.
 *
 * bpfvm_bpf() reads and writes the caller's pointers directly (a wild
 * pointer crashes by design, as it would fault in the kernel), so the input
 * is not one raw attr but a sequence of operations whose pointer fields
 * always name one of a few buffers the input fills (keys, values,
 * instructions, names, logs, packets, contexts, info structs, arrays, BTF),
 * with the lengths that go with them clamped to what the buffer holds, or
 * NULL. Everything else is the input's: commands, fds (mostly from a table
 * of the fds created so far, sometimes raw), ids, flags, sizes, types,
 * names, and the attr size (cut short, or longer with a zero or non-zero
 * tail). A RAW operation is any command number with attr bytes straight
 * from the input, pointers then fixed the same way.
 *
 * Checked after every call (besides ASan/UBSan/LSan):
 *   - the result is -1 with a known errno, an fd for the commands that
 *     make one, or 0;
 *   - nothing of the caller's attr changed but the fields the command
 *     writes back, and nothing beyond `size` (the attr is a heap block of
 *     exactly `size` bytes);
 *   - attr size rules: > 4096 or a non-zero tail is E2BIG, a NULL attr of
 *     non-zero size EFAULT.
 * One vm per input, freed at the end: no state crosses inputs, and LSan
 * sees any object the vm loses.
 *
 * Build and run as tests/fuzz/run.sh does; seeds: tests/fuzz/attr_corpus.sh.
 */
#include <bpfvm/bpfvm.h>
#include "maps/map.h"
#include "sys/sys.h"
#include "core/prog.h"
#include "unit/btf_diff/builder.h"
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define FAIL(...) do { fprintf(stderr, "fuzz_attr: " __VA_ARGS__); fputc('\n', stderr); __builtin_trap(); } while (0)

/* ---- buffers ---- */

enum { B_NULL, B_KEY, B_VAL, B_INSNS, B_NAME, B_LOG, B_DATA, B_OUT, B_CTX, B_INFO, B_ARR, B_BTF, NBUF };
static const size_t buf_size[NBUF] = {
	[B_KEY] = 64 << 10, [B_VAL] = 256 << 10, [B_INSNS] = 4096 * 8, [B_NAME] = PATH_MAX + 256,
	[B_LOG] = 64 << 10, [B_DATA] = 64 << 10, [B_OUT] = 256 << 10, [B_CTX] = 8 << 10,
	[B_INFO] = 8 << 10, [B_ARR] = 64 << 10, [B_BTF] = 64 << 10,
};
static uint8_t *bufs[NBUF];
static int dirty[NBUF];
#define INSN_CAP 4096u

static uint8_t *btf_template;
static uint32_t btf_template_len;
static char long_path[PATH_MAX + 64], long_bpffs_path[PATH_MAX + 64];

/* ---- input ---- */

struct st {
	struct bpfvm *vm;
	const uint8_t *d;
	size_t n, i;
	int fds[32];
	int nfds;
	uint32_t ids[16];
	int nids;
	uint64_t mem;                   /* estimated bytes of maps created */
	unsigned ncpus;
};

static uint8_t u8(struct st *s)
{
	return s->i < s->n ? s->d[s->i++] : 0;
}

static uint16_t u16(struct st *s)
{
	return (uint16_t)(u8(s) | u8(s) << 8);
}

static uint32_t u32(struct st *s)
{
	return (uint32_t)u16(s) | (uint32_t)u16(s) << 16;
}

/* A number: mostly from a list of the interesting ones. */
static uint32_t pick(struct st *s, const uint32_t *v, size_t n)
{
	uint8_t b = u8(s);
	if (b < 224)
		return v[b % n];
	return u32(s);
}
#define PICK(s, ...) pick((s), (const uint32_t[]){ __VA_ARGS__ }, sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

static int pick_fd(struct st *s)
{
	uint8_t b = u8(s);
	if (b < 232 && s->nfds)
		return s->fds[b % s->nfds];
	static const int odd[] = { -1, 0, 1, 2, 3, 4, 1000, INT32_MAX, INT32_MIN, 65536 };
	return odd[b % 10];
}

static uint32_t pick_id(struct st *s)
{
	uint8_t b = u8(s);
	if (b < 200 && s->nids)
		return s->ids[b % s->nids];
	static const uint32_t odd[] = { 0, 1, 2, 3, 4, 5, 100, INT32_MAX, UINT32_MAX, 0x80000000u };
	return odd[b % 10];
}

static uint64_t ptr_to(int b, size_t off)
{
	if (b == B_NULL)
		return 0;
	dirty[b] = 1;
	return (uint64_t)(uintptr_t)(bufs[b] + off);
}

/* A pointer for a field: usually the given buffer, sometimes another one,
 * NULL, or one byte in (unaligned). */
static uint64_t pick_ptr(struct st *s, int usual)
{
	uint8_t b = u8(s);
	if (b < 200)
		return ptr_to(usual, 0);
	if (b < 216)
		return 0;
	if (b < 232)
		return ptr_to(usual, 1 + (b & 7));
	return ptr_to(1 + b % (NBUF - 1), 0);
}

/* Read-only memory the operations point at: constant strings (paths,
 * licenses, names) and the BTF template. */
static struct { const void *p; size_t n; } consts[64];
static int nconsts;

static void add_const(const void *p, size_t n)
{
	if (nconsts < 64)
		consts[nconsts++].p = p, consts[nconsts - 1].n = n;
}

/* the bytes of buffer b from ptr on (0: NULL or not one of ours) */
static size_t room(uint64_t p)
{
	for (int b = 1; b < NBUF; b++) {
		uintptr_t start = (uintptr_t)bufs[b];
		if (p >= start && p < start + buf_size[b])
			return buf_size[b] - (size_t)(p - start);
	}
	for (int k = 0; k < nconsts; k++) {
		uintptr_t start = (uintptr_t)consts[k].p;
		if (p >= start && p < start + consts[k].n)
			return consts[k].n - (size_t)(p - start);
	}
	return 0;
}

/* a raw value in a pointer field: a buffer (at a small offset) or NULL */
static uint64_t fix_ptr(uint64_t v)
{
	if (!v || room(v))
		return v;
	int b = (int)(v % (NBUF + 2));
	if (b >= NBUF)
		return 0;
	return ptr_to(b, (v >> 8) % 3 == 0 ? 1 : 0);
}

static void fill(struct st *s, int b, size_t off, size_t n)
{
	if (off >= buf_size[b])
		return;
	if (n > buf_size[b] - off)
		n = buf_size[b] - off;
	if (n > s->n - s->i)
		n = s->n - s->i;
	memcpy(bufs[b] + off, s->d + s->i, n);
	s->i += n;
	dirty[b] = 1;
}

/* ---- the attr: pointer fields and their lengths made safe ---- */

#define OFF(f) offsetof(union bpf_attr, f)

static void clamp_u32(uint32_t *len, size_t unit, uint64_t ptr)
{
	size_t r = room(ptr);
	if (!ptr)
		return;
	if ((uint64_t)*len * unit > r)
		*len = (uint32_t)(r / unit);
}

/* a log: written only when level, buffer and 128 <= size < 2^24 */
static void fix_log(uint64_t *buf, uint32_t *size)
{
	*buf = fix_ptr(*buf);
	if (*size >= 128 && *size <= UINT32_MAX >> 8)
		clamp_u32(size, 1, *buf);
}

/* The info struct OBJ_GET_INFO_BY_FD reads: its arrays point at B_ARR
 * (or NULL) with counts that fit. */
static void fix_info(struct bpfvm *vm, union bpf_attr *a)
{
	a->info.info = fix_ptr(a->info.info);
	if (a->info.info_len <= 4096)
		clamp_u32(&a->info.info_len, 1, a->info.info);
	if (!a->info.info)
		return;
	struct bpfvm_file f;
	int kind = 0;
	if (bpfvm_fd_get(vm, (int)a->info.bpf_fd, 0, &f) == 0) {
		kind = f.kind;
		bpfvm_obj_put(f.kind, f.obj);
	}
	uint8_t *u = (uint8_t *)(uintptr_t)a->info.info;
	size_t len = a->info.info_len < room(a->info.info) ? a->info.info_len : room(a->info.info);
	/* The library reads the first info_len bytes, zero-extended: a
	 * pointer cut by info_len would be its low bytes, wild. Make the cut
	 * part zero: it reads NULL. */
	static const size_t prog_ptrs[] = {
		offsetof(struct bpf_prog_info, jited_prog_insns), offsetof(struct bpf_prog_info, xlated_prog_insns),
		offsetof(struct bpf_prog_info, map_ids), offsetof(struct bpf_prog_info, jited_ksyms),
		offsetof(struct bpf_prog_info, jited_func_lens), offsetof(struct bpf_prog_info, func_info),
		offsetof(struct bpf_prog_info, line_info), offsetof(struct bpf_prog_info, jited_line_info),
		offsetof(struct bpf_prog_info, prog_tags),
	};
	if (kind == FILE_PROG) {
		for (size_t k = 0; k < sizeof(prog_ptrs) / sizeof(prog_ptrs[0]); k++)
			if (len > prog_ptrs[k] && len < prog_ptrs[k] + 8)
				memset(u + prog_ptrs[k], 0, len - prog_ptrs[k]);
	} else if (kind == FILE_BTF && len < 8) {
		memset(u, 0, len);
	}
	/* the struct as the library reads it: at most info_len bytes of it */
	if (kind == FILE_PROG) {
		struct bpf_prog_info pi;
		size_t n = len < sizeof(pi) ? len : sizeof(pi);
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi, u, n);
#define ARR(ptr, cnt, unit) do { pi.ptr = fix_ptr(pi.ptr); if (pi.ptr) clamp_u32(&pi.cnt, (unit), pi.ptr); } while (0)
		ARR(jited_prog_insns, jited_prog_len, 1);
		ARR(xlated_prog_insns, xlated_prog_len, 1);
		ARR(map_ids, nr_map_ids, 4);
		ARR(jited_ksyms, nr_jited_ksyms, 8);
		ARR(jited_func_lens, nr_jited_func_lens, 4);
		ARR(func_info, nr_func_info, 64);
		ARR(line_info, nr_line_info, 64);
		ARR(jited_line_info, nr_jited_line_info, 64);
		ARR(prog_tags, nr_prog_tags, 8);
#undef ARR
		memcpy(u, &pi, n);
	} else if (kind == FILE_BTF) {
		struct bpf_btf_info bi;
		size_t n = len < sizeof(bi) ? len : sizeof(bi);
		memset(&bi, 0, sizeof(bi));
		memcpy(&bi, u, n);
		bi.btf = fix_ptr(bi.btf);
		clamp_u32(&bi.btf_size, 1, bi.btf);
		memcpy(u, &bi, n);
	}
}

/* Makes every pointer of cmd's attr one of ours (or NULL) and the lengths
 * that go with them fit. Returns 0, or -1 if the call would hand the
 * library memory it cannot be given (then it is not made). */
static int sanitize(struct st *s, int cmd, union bpf_attr *a)
{
	struct bpfvm_map *map;
	struct bpfvm_prog *prog;
	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM: case BPF_MAP_UPDATE_ELEM: case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_GET_NEXT_KEY: case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		a->key = fix_ptr(a->key);
		a->value = fix_ptr(a->value);
		/* the map decides how much is read and written */
		if (bpfvm_sys_fd_to_map(s->vm, (int)a->map_fd, &map) == 0) {
			uint32_t ks = map->key_size, vs = bpfvm_map_sys_value_size(map);
			bpfvm_map_put(map);
			if ((a->key && room(a->key) < ks) || (a->value && room(a->value) < vs) ||
			    (a->value && room(a->value) < ks))
				return -1;
		}
		return 0;
	case BPF_PROG_LOAD:
		a->insns = fix_ptr(a->insns);
		if (a->insn_cnt <= 1000000)
			clamp_u32(&a->insn_cnt, 8, a->insns);
		a->license = fix_ptr(a->license);
		fix_log(&a->log_buf, &a->log_size);
		a->func_info = fix_ptr(a->func_info);
		if (a->func_info && (uint64_t)a->func_info_cnt * a->func_info_rec_size > room(a->func_info))
			a->func_info_cnt = (uint32_t)(room(a->func_info) / (a->func_info_rec_size ? a->func_info_rec_size : 1));
		a->line_info = fix_ptr(a->line_info);
		if (a->line_info && (uint64_t)a->line_info_cnt * a->line_info_rec_size > room(a->line_info))
			a->line_info_cnt = (uint32_t)(room(a->line_info) / (a->line_info_rec_size ? a->line_info_rec_size : 1));
		/* (kernel: kvcalloc(cnt) before reading; here calloc, whose
		 * failure ASan reports: keep the counts of a size ASan takes) */
		if (a->line_info_cnt > (1u << 20))
			a->line_info_cnt = 1u << 20;
		return 0;
	case BPF_OBJ_PIN: case BPF_OBJ_GET:
		a->pathname = fix_ptr(a->pathname);
		return 0;
	case BPF_PROG_TEST_RUN:
		a->test.data_in = fix_ptr(a->test.data_in);
		clamp_u32(&a->test.data_size_in, 1, a->test.data_in);
		a->test.data_out = fix_ptr(a->test.data_out);
		/* data_size_out 0: the whole packet is written, which only an
		 * XDP frame bounds (a page) */
		if (a->test.data_out) {
			int xdp = 0;
			if (bpfvm_sys_fd_to_prog(s->vm, (int)a->test.prog_fd, &prog) == 0) {
				xdp = bpfvm_prog_type(prog) == BPF_PROG_TYPE_XDP;
				bpfvm_prog_put(prog);
			}
			if (!a->test.data_size_out && !xdp)
				a->test.data_size_out = 1;
			clamp_u32(&a->test.data_size_out, 1, a->test.data_out);
		}
		a->test.ctx_in = fix_ptr(a->test.ctx_in);
		clamp_u32(&a->test.ctx_size_in, 1, a->test.ctx_in);
		a->test.ctx_out = fix_ptr(a->test.ctx_out);
		clamp_u32(&a->test.ctx_size_out, 1, a->test.ctx_out);
		if (a->test.repeat > 4)
			a->test.repeat = a->test.repeat % 5;
		return 0;
	case BPF_OBJ_GET_INFO_BY_FD:
		fix_info(s->vm, a);
		return 0;
	case BPF_PROG_QUERY:
		a->query.prog_ids = fix_ptr(a->query.prog_ids);
		clamp_u32(&a->query.prog_cnt, 4, a->query.prog_ids);
		return 0;
	case BPF_RAW_TRACEPOINT_OPEN:
		a->raw_tracepoint.name = fix_ptr(a->raw_tracepoint.name);
		return 0;
	case BPF_BTF_LOAD:
		a->btf = fix_ptr(a->btf);
		if (a->btf_size <= (16u << 20))
			clamp_u32(&a->btf_size, 1, a->btf);
		fix_log(&a->btf_log_buf, &a->btf_log_size);
		return 0;
	case BPF_TASK_FD_QUERY:
		a->task_fd_query.buf = fix_ptr(a->task_fd_query.buf);
		clamp_u32(&a->task_fd_query.buf_len, 1, a->task_fd_query.buf);
		return 0;
	case BPF_MAP_CREATE: {
		/* Maps are as large as the kernel allows (about 4 GB of values):
		 * leave out the ones that would take the fuzzer's memory. What
		 * the kernel cannot allocate (8 GB of values and more) is made:
		 * it must be refused, quickly. */
		uint64_t vs = a->value_size;
		if (bpfvm_map_is_percpu(a->map_type))
			vs = (uint64_t)((a->value_size + 7u) & ~7u) * s->ncpus;
		if (vs * a->max_entries >= (8ull << 30))
			return 0;
		/* no map type of v5.1 takes keys above 512 bytes (LPM: 260) */
		if (a->key_size > 65536)
			return 0;
		uint64_t total = ((uint64_t)a->key_size + vs + 64) * a->max_entries * 2;
		if (total > (32u << 20) || s->mem + total > (64u << 20))
			return -1;
		s->mem += total;
		return 0;
	}
	}
	return 0;
}

/* ---- a call, and what is checked of it ---- */

/* The pointer fields of each command's attr (offsets + 1: 0 ends). */
static const size_t ptr_fields[][6] = {
#define P(f) (OFF(f) + 1)
	[BPF_MAP_LOOKUP_ELEM] = { P(key), P(value) },
	[BPF_MAP_UPDATE_ELEM] = { P(key), P(value) },
	[BPF_MAP_DELETE_ELEM] = { P(key), P(value) },
	[BPF_MAP_GET_NEXT_KEY] = { P(key), P(value) },
	[BPF_PROG_LOAD] = { P(insns), P(license), P(log_buf), P(func_info), P(line_info) },
	[BPF_OBJ_PIN] = { P(pathname) },
	[BPF_OBJ_GET] = { P(pathname) },
	[BPF_PROG_TEST_RUN] = { P(test.data_in), P(test.data_out), P(test.ctx_in), P(test.ctx_out) },
	[BPF_OBJ_GET_INFO_BY_FD] = { P(info.info) },
	[BPF_PROG_QUERY] = { P(query.prog_ids) },
	[BPF_RAW_TRACEPOINT_OPEN] = { P(raw_tracepoint.name) },
	[BPF_BTF_LOAD] = { P(btf), P(btf_log_buf) },
	[BPF_TASK_FD_QUERY] = { P(task_fd_query.buf) },
	[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = { P(key), P(value) },
#undef P
};

/* an attr size below sizeof(attr) must not cut a pointer in two */
static unsigned safe_size(int cmd, unsigned size)
{
	if (cmd < 0 || (size_t)cmd >= sizeof(ptr_fields) / sizeof(ptr_fields[0]))
		return size;
	for (int k = 0; k < 6 && ptr_fields[cmd][k]; k++) {
		size_t p = ptr_fields[cmd][k] - 1;
		if (size > p && size < p + 8)
			return (unsigned)p;
	}
	return size;
}

/* Fields a command writes back into the caller's attr. */
static int written_back(int cmd, size_t off)
{
#define IN(f) (off >= OFF(f) && off < OFF(f) + 4)
	switch (cmd) {
	case BPF_PROG_GET_NEXT_ID: case BPF_MAP_GET_NEXT_ID:
		return IN(next_id);
	case BPF_PROG_TEST_RUN:
		return IN(test.retval) || IN(test.data_size_out) || IN(test.duration) || IN(test.ctx_size_out);
	case BPF_OBJ_GET_INFO_BY_FD:
		return IN(info.info_len);
	case BPF_PROG_LOAD:
		return IN(func_info_rec_size) || IN(line_info_rec_size);
	case BPF_PROG_QUERY:
		return IN(query.attach_flags) || IN(query.prog_cnt);
	case BPF_TASK_FD_QUERY:
		return IN(task_fd_query.buf_len) || IN(task_fd_query.prog_id) || IN(task_fd_query.fd_type) ||
		       off >= OFF(task_fd_query.probe_offset);
	}
	return 0;
#undef IN
}

static int makes_fd(int cmd)
{
	return cmd == BPF_MAP_CREATE || cmd == BPF_PROG_LOAD || cmd == BPF_OBJ_GET || cmd == BPF_PROG_GET_FD_BY_ID ||
	       cmd == BPF_MAP_GET_FD_BY_ID || cmd == BPF_BTF_LOAD || cmd == BPF_BTF_GET_FD_BY_ID ||
	       cmd == BPF_RAW_TRACEPOINT_OPEN;
}

static int known_errno(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case E2BIG: case ENOENT: case EBADF: case EPERM: case ENOMEM: case ENOSPC:
	case EEXIST: case ENOTSUPP: case EOPNOTSUPP: case ENAMETOOLONG: case ENOTDIR: case EBADFD: case EBUSY:
	case EACCES: case ELOOP: case EISDIR: case ERANGE: case EAGAIN: case EMFILE: case ENODEV:
		return 1;
	}
	return 0;
}

static void keep_fd(struct st *s, int fd)
{
	if (s->nfds < (int)(sizeof(s->fds) / sizeof(s->fds[0])))
		s->fds[s->nfds++] = fd;
	else
		bpfvm_close(s->vm, fd);
}

#ifdef FUZZ_ATTR_STATS
/* calls and successes per command, printed at exit */
static unsigned long stats[32][2];
static void print_stats(void)
{
	for (int c = 0; c < 32; c++)
		if (stats[c][0])
			fprintf(stderr, "cmd %2d: %8lu calls, %8lu succeeded\n", c, stats[c][0], stats[c][1]);
}
#endif

/* Makes the call with an attr of the size the input picks, checks the
 * answer, keeps a new fd. Returns the result (-errno on failure). */
static int call(struct st *s, int cmd, union bpf_attr *a)
{
	if (sanitize(s, cmd, a) < 0)
		return -EINVAL;
	uint8_t sel = u8(s);
	unsigned size = sizeof(*a);
	int tail_nonzero = 0, null_attr = 0;
	if (sel >= 160 && sel < 192) {
		static const unsigned cuts[] = { 0, 1, 4, 8, 12, 16, 20, 24, 32, 40, 48, 56, 60, 64, 72, 80, 100 };
		size = safe_size(cmd, cuts[sel % (sizeof(cuts) / sizeof(cuts[0]))]);
		if (size > sizeof(*a))
			size = sizeof(*a);
	} else if (sel >= 192 && sel < 240) {
		static const unsigned more[] = { 1, 4, 8, 64, 4096 - sizeof(union bpf_attr), 4097 - sizeof(union bpf_attr) };
		size = sizeof(*a) + more[sel % 6];
		tail_nonzero = sel >= 224;
	} else if (sel >= 240) {
		null_attr = 1;
		size = sel & 1 ? 0 : sizeof(*a);
	}
	uint8_t *ua = NULL, *before = NULL;
	if (!null_attr) {
		ua = malloc(size ? size : 1);
		before = malloc(size ? size : 1);
		if (!ua || !before) {
			free(ua);
			free(before);
			return -ENOMEM;
		}
		memset(ua, 0, size ? size : 1);
		memcpy(ua, a, size < sizeof(*a) ? size : sizeof(*a));
		if (tail_nonzero)
			ua[size - 1] = 1;
		memcpy(before, ua, size ? size : 1);
	}
	errno = 0;
	int rc = bpfvm_bpf(s->vm, cmd, (union bpf_attr *)ua, size);
	int e = errno;
#ifdef FUZZ_ATTR_TRACE
	fprintf(stderr, "bpf(%d, size %u%s) = %d (errno %d)\n", cmd, size, null_attr ? ", NULL" : "", rc, rc < 0 ? e : 0);
#endif
#ifdef FUZZ_ATTR_STATS
	if (cmd >= 0 && cmd < 32) {
		stats[cmd][0]++;
		stats[cmd][1] += rc >= 0;
	}
#endif
	if (rc < 0) {
		if (rc != -1 || !known_errno(e))
			FAIL("cmd %d (attr size %u): returned %d, errno %d", cmd, size, rc, e);
		rc = -e;
	} else if (makes_fd(cmd)) {
		keep_fd(s, rc);
	} else if (rc != 0) {
		FAIL("cmd %d (attr size %u): returned %d", cmd, size, rc);
	}
	/* the kernel's attr size rules come first */
	if (size > 4096 || (tail_nonzero && size > sizeof(*a))) {
		if (rc != -E2BIG)
			FAIL("cmd %d with attr size %u%s: %d, not E2BIG", cmd, size, tail_nonzero ? " (non-zero tail)" : "",
			     rc);
	} else if (null_attr && size) {
		if (rc != -EFAULT)
			FAIL("cmd %d with a NULL attr of size %u: %d, not EFAULT", cmd, size, rc);
	}
	if (ua) {
		for (size_t k = 0; k < size; k++)
			if (ua[k] != before[k] && !(k < sizeof(*a) && written_back(cmd, k)))
				FAIL("cmd %d (attr size %u, result %d) changed byte %zu of the caller's attr", cmd, size,
				     rc, k);
		/* write-backs land in the caller's copy: carry them over */
		memcpy(a, ua, size < sizeof(*a) ? size : sizeof(*a));
	}
	free(ua);
	free(before);
	return rc;
}

/* ---- operations ---- */

static void op_map_create(struct st *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = PICK(s, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 0, 24,
			  1, 2, 1, 2, 6, 9, 11, 22, 23);
	a.key_size = PICK(s, 4, 4, 8, 0, 1, 2, 3, 5, 16, 20, 64, 255, 256, 512, 513, 4096, 65535, UINT32_MAX);
	a.value_size = PICK(s, 4, 8, 16, 0, 1, 3, 7, 12, 64, 100, 4096, 32768, 32769, 65536, 1u << 20,
			    (4u << 20) + 1, UINT32_MAX, 0x80000000u);
	a.max_entries = PICK(s, 1, 2, 4, 16, 0, 3, 64, 256, 1024, 65536, 1u << 24, UINT32_MAX, 0x80000000u);
	uint8_t f = u8(s);
	a.map_flags = f < 128 ? 0 : f < 240 ? (f & 0x7f) : u32(s);
	if (a.map_type == BPF_MAP_TYPE_LPM_TRIE && f < 128)
		a.map_flags = BPF_F_NO_PREALLOC;
	uint8_t g = u8(s);
	if (g & 1)
		a.inner_map_fd = (uint32_t)pick_fd(s);
	if (g & 2)
		a.numa_node = PICK(s, 0, UINT32_MAX, 1, 2);
	if (g & 4) {
		for (int k = 0; k < (int)BPF_OBJ_NAME_LEN; k++)
			a.map_name[k] = (char)u8(s);
	} else if (g & 8) {
		memcpy(a.map_name, "map_1.x", 8);
	}
	if (g & 16)
		a.map_ifindex = PICK(s, 1, 2, 0, UINT32_MAX);
	if (g & 32) {
		a.btf_fd = (uint32_t)pick_fd(s);
		a.btf_key_type_id = PICK(s, 1, 2, 4, 9, 0, 3, 5, 11, 100, UINT32_MAX);
		a.btf_value_type_id = PICK(s, 4, 1, 2, 9, 0, 3, 5, 11, 100, UINT32_MAX);
	}
	call(s, BPF_MAP_CREATE, &a);
}

static void op_elem(struct st *s, int cmd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)pick_fd(s);
	uint8_t g = u8(s);
	/* key and value: bytes from the input, or an fd of the table (prog
	 * arrays and maps of maps) */
	fill(s, B_KEY, 0, g & 15);
	if (g & 0x10) {
		int fd = pick_fd(s);
		memcpy(bufs[B_VAL], &fd, 4);
		dirty[B_VAL] = 1;
	} else {
		fill(s, B_VAL, 0, (g >> 5) * 3);
	}
	a.key = pick_ptr(s, B_KEY);
	a.value = pick_ptr(s, cmd == BPF_MAP_GET_NEXT_KEY ? B_KEY : B_VAL);
	if (cmd == BPF_MAP_GET_NEXT_KEY)
		a.next_key = pick_ptr(s, B_OUT);
	if (cmd == BPF_MAP_LOOKUP_ELEM || cmd == BPF_MAP_UPDATE_ELEM)
		a.flags = u8(s) < 240 ? PICK(s, 0, 0, 1, 2, BPF_F_LOCK, BPF_F_LOCK | 1, 3, 8) : (uint64_t)u32(s) << 32;
	call(s, cmd, &a);
}

/* Instructions: a few templates around the table's fds, or raw. */
#define INS(c, d, sr, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (sr), .off = (o), .imm = (i) })
static uint32_t build_insns(struct st *s, uint32_t *type)
{
	struct bpf_insn *p = (struct bpf_insn *)(void *)bufs[B_INSNS];
	uint32_t n = 0;
	uint8_t t = u8(s);
	dirty[B_INSNS] = 1;
	int map = pick_fd(s);
	switch (t % 8) {
	case 0: /* r0 = K; exit */
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, (int32_t)PICK(s, 0, 1, 2, 3, UINT32_MAX));
		break;
	case 1: /* a lookup, 8-byte key on the stack */
		p[n++] = INS(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, (int32_t)u8(s));
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8);
		p[n++] = INS(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map);
		p[n++] = INS(0, 0, 0, 0, 0);
		p[n++] = INS(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
		p[n++] = INS(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0);
		p[n++] = INS(BPF_LDX | BPF_MEM | BPF_B, 0, 0, 0, 0);
		p[n++] = INS(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		break;
	case 2: /* an update: key and value on the stack */
		p[n++] = INS(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, (int32_t)u8(s));
		p[n++] = INS(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, (int32_t)u32(s));
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -16);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, (int32_t)(u8(s) % 3));
		p[n++] = INS(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map);
		p[n++] = INS(0, 0, 0, 0, 0);
		p[n++] = INS(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2);
		break;
	case 3: /* a tail call */
		p[n++] = INS(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_FD, 0, map);
		p[n++] = INS(0, 0, 0, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (int32_t)(u8(s) % 5));
		p[n++] = INS(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
		break;
	case 4: /* XDP: move the packet's head, then read it */
		*type = BPF_PROG_TYPE_XDP;
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)(int8_t)u8(s));
		p[n++] = INS(BPF_JMP | BPF_CALL, 0, 0, 0, u8(s) & 1 ? BPF_FUNC_xdp_adjust_head : BPF_FUNC_xdp_adjust_tail);
		p[n++] = INS(BPF_LDX | BPF_MEM | BPF_W, 2, 6, 0, 0);
		p[n++] = INS(BPF_LDX | BPF_MEM | BPF_W, 3, 6, 4, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 14);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
		p[n++] = INS(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 1, 0);
		p[n++] = INS(BPF_LDX | BPF_MEM | BPF_B, 0, 2, 12, 0);
		break;
	case 5: /* skb: load bytes, change the tail */
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)u8(s));
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
		p[n++] = INS(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_change_tail);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
		p[n++] = INS(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -16);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 16);
		p[n++] = INS(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes);
		p[n++] = INS(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		break;
	default: { /* raw instructions */
		uint32_t k = 1 + u8(s) % 48;
		for (uint32_t i = 0; i < k; i++) {
			struct bpf_insn in;
			in.code = u8(s);
			uint8_t r = u8(s);
			in.dst_reg = r & 15;
			in.src_reg = r >> 4;
			in.off = (int16_t)u16(s);
			in.imm = u8(s) & 0x80 ? (int32_t)u32(s) : (int32_t)(u8(s) % 16);
			if (in.code == (BPF_LD | BPF_IMM | BPF_DW) && in.src_reg == BPF_PSEUDO_MAP_FD)
				in.imm = map;
			p[n++] = in;
		}
		return n;
	}
	}
	p[n++] = INS(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

static const char *const licenses[] = { "GPL", "Dual BSD/GPL", "Proprietary", "", "GPL v2" };
static const char raw_tp_name[] = "sys_enter";

static void op_prog_load(struct st *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	uint32_t type = PICK(s, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS,
			     BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT,
			     BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_CGROUP_SOCK,
			     BPF_PROG_TYPE_LWT_IN, BPF_PROG_TYPE_LWT_OUT, BPF_PROG_TYPE_LWT_XMIT, BPF_PROG_TYPE_SOCK_OPS,
			     BPF_PROG_TYPE_SK_SKB, BPF_PROG_TYPE_CGROUP_DEVICE, BPF_PROG_TYPE_SK_MSG,
			     BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_LWT_SEG6LOCAL,
			     BPF_PROG_TYPE_LIRC_MODE2, BPF_PROG_TYPE_SK_REUSEPORT, BPF_PROG_TYPE_FLOW_DISSECTOR, 0, 23,
			     BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS);
	uint32_t n = build_insns(s, &type);
	/* a few bytes of the program changed */
	for (uint8_t k = u8(s) % 4; k; k--) {
		uint32_t at = u16(s) % (n * 8);
		bufs[B_INSNS][at] = u8(s);
	}
	a.prog_type = type;
	a.insns = pick_ptr(s, B_INSNS);
	a.insn_cnt = u8(s) < 240 ? n : PICK(s, 0, INSN_CAP, INSN_CAP + 1, 1000001, UINT32_MAX, n + 1, n - 1);
	uint8_t g = u8(s);
	a.license = g & 1 ? pick_ptr(s, B_NAME) : (uint64_t)(uintptr_t)licenses[(g >> 1) % 5];
	if (g & 8) {
		a.log_level = PICK(s, 1, 2, 3, 0, 4, UINT32_MAX);
		a.log_size = PICK(s, 65536, 128, 127, 256, 0, 1000, 1u << 24, UINT32_MAX >> 8, (UINT32_MAX >> 8) + 1);
		a.log_buf = pick_ptr(s, B_LOG);
	}
	if (g & 16) {
		a.kern_version = u32(s);
		a.prog_flags = PICK(s, 0, BPF_F_STRICT_ALIGNMENT, BPF_F_ANY_ALIGNMENT, 3, 4, UINT32_MAX);
		a.expected_attach_type = PICK(s, 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 16, 17, 18, 19, 20, 100);
	}
	if (g & 32)
		for (int k = 0; k < (int)BPF_OBJ_NAME_LEN; k++)
			a.prog_name[k] = (char)u8(s);
	if (g & 64)
		a.prog_ifindex = PICK(s, 1, 2, UINT32_MAX);
	if (g & 128) {
		/* func_info / line_info records from the input, against a BTF fd */
		a.prog_btf_fd = (uint32_t)pick_fd(s);
		fill(s, B_ARR, 0, u8(s));
		a.func_info = pick_ptr(s, B_ARR);
		a.func_info_rec_size = PICK(s, 8, 16, 4, 0, 12, 4096, 4097);
		a.func_info_cnt = PICK(s, 1, 2, 0, 3, 100);
		a.line_info = pick_ptr(s, B_ARR);
		a.line_info_rec_size = PICK(s, 16, 32, 8, 0, 20, 4096);
		a.line_info_cnt = PICK(s, 0, 1, 2, 3, 100, UINT32_MAX);
	}
	call(s, BPF_PROG_LOAD, &a);
}

static void op_test_run(struct st *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)pick_fd(s);
	uint32_t len = PICK(s, 64, 14, 60, 0, 13, 100, 1500, 1514, 4096 - 256 - 320, 4096, 9000, 65535, 65536);
	fill(s, B_DATA, 0, u8(s));
	a.test.data_in = pick_ptr(s, B_DATA);
	a.test.data_size_in = len;
	uint8_t g = u8(s);
	if (g & 1) {
		a.test.data_out = pick_ptr(s, B_OUT);
		a.test.data_size_out = PICK(s, 0, 65536, 1, 13, 14, 100, 4096);
	}
	if (g & 2) {
		fill(s, B_CTX, 0, u8(s));
		a.test.ctx_in = pick_ptr(s, B_CTX);
		a.test.ctx_size_in = PICK(s, 184, 0, 4, 8, 100, 192, 200, 1024);
	}
	if (g & 4) {
		a.test.ctx_out = pick_ptr(s, B_CTX);
		a.test.ctx_size_out = PICK(s, 184, 0, 4, 100, 192, 1024);
	}
	a.test.repeat = (g >> 3) % 4;
	if (g & 0x80) {
		a.test.retval = u32(s);
		a.test.duration = u32(s);
	}
	call(s, BPF_PROG_TEST_RUN, &a);
}

static const char *const paths[] = {
	"/sys/fs/bpf/a", "/sys/fs/bpf/b", "/sys/fs/bpf/d/c", "/sys/fs/bpf/a/", "/sys/fs/bpf//a",
	"/sys/fs/bpf", "/sys/fs/bpf/", "/sys/fs/bpfx/a", "/tmp/a", "", "a", "/sys/fs/bpf/a/b",
	"/sys/fs/bpf/../a", "/sys/fs/bpf/./a", "/sys/fs/bpf/a//",
};

static uint64_t pick_path(struct st *s)
{
	uint8_t b = u8(s);
	if (b < 200)
		return (uint64_t)(uintptr_t)paths[b % (sizeof(paths) / sizeof(paths[0]))];
	if (b < 210)
		return (uint64_t)(uintptr_t)long_path;
	if (b < 220)
		return (uint64_t)(uintptr_t)long_bpffs_path;
	if (b < 240) {
		/* bytes of the input, NUL-terminated */
		size_t k = u8(s);
		memset(bufs[B_NAME], 0, k + 2);
		fill(s, B_NAME, 0, k);
		return ptr_to(B_NAME, 0);
	}
	return pick_ptr(s, B_NAME);
}

static void op_pin_get(struct st *s, int cmd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = pick_path(s);
	uint8_t g = u8(s);
	a.bpf_fd = cmd == BPF_OBJ_PIN || (g & 1) ? (uint32_t)pick_fd(s) : 0;
	a.file_flags = g & 2 ? PICK(s, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY | BPF_F_WRONLY, 1, UINT32_MAX) : 0;
	call(s, cmd, &a);
}

static void op_ids(struct st *s)
{
	static const int next_cmds[] = { BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID };
	static const int fd_cmds[] = { BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID, BPF_BTF_GET_FD_BY_ID };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	uint8_t g = u8(s);
	if (g & 1) {
		a.start_id = pick_id(s);
		if (call(s, next_cmds[(g >> 1) & 1], &a) == 0 && s->nids < 16)
			s->ids[s->nids++] = a.next_id;
	} else {
		a.prog_id = pick_id(s);
		if (g & 2)
			a.open_flags = PICK(s, BPF_F_RDONLY, BPF_F_WRONLY, 0, BPF_F_RDONLY | BPF_F_WRONLY, 1);
		call(s, fd_cmds[(g >> 2) % 3], &a);
	}
}

static void op_info(struct st *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)pick_fd(s);
	a.info.info_len = PICK(s, sizeof(struct bpf_prog_info), sizeof(struct bpf_map_info),
			       sizeof(struct bpf_btf_info), 0, 1, 4, 8, 40, 200, 4096, 4097, UINT32_MAX);
	a.info.info = pick_ptr(s, B_INFO);
	/* the struct read: arrays the library fills, sizes from the input */
	memset(bufs[B_INFO], 0, 4200);
	uint8_t g = u8(s);
	if (g & 1) {
		struct bpf_prog_info pi;
		memset(&pi, 0, sizeof(pi));
		pi.xlated_prog_len = PICK(s, 65536, 0, 8, 16, 100);
		pi.xlated_prog_insns = pick_ptr(s, B_ARR);
		pi.jited_prog_len = PICK(s, 0, 100, 65536);
		pi.jited_prog_insns = pick_ptr(s, B_ARR);
		pi.nr_map_ids = PICK(s, 16, 0, 1, 2, 64);
		pi.map_ids = pick_ptr(s, B_ARR);
		pi.nr_func_info = PICK(s, 4, 0, 1, 2, 100);
		pi.func_info_rec_size = PICK(s, 8, 0, 16);
		pi.func_info = pick_ptr(s, B_ARR);
		pi.nr_line_info = PICK(s, 4, 0, 1, 100);
		pi.line_info_rec_size = PICK(s, 16, 0, 32);
		pi.line_info = pick_ptr(s, B_ARR);
		pi.nr_jited_ksyms = u8(s) % 4;
		pi.jited_ksyms = pick_ptr(s, B_ARR);
		pi.nr_prog_tags = u8(s) % 4;
		pi.prog_tags = pick_ptr(s, B_ARR);
		memcpy(bufs[B_INFO], &pi, sizeof(pi));
	} else if (g & 2) {
		struct bpf_btf_info bi = { pick_ptr(s, B_ARR), PICK(s, 65536, 0, 1, 24, 100), 0 };
		memcpy(bufs[B_INFO], &bi, sizeof(bi));
	} else if (g & 4) {
		fill(s, B_INFO, 0, u8(s));
	}
	if (g & 8)
		bufs[B_INFO][sizeof(struct bpf_prog_info) + u8(s) % 64] = 1;  /* a non-zero tail */
	dirty[B_INFO] = 1;
	call(s, BPF_OBJ_GET_INFO_BY_FD, &a);
}

static void op_btf_load(struct st *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	uint8_t g = u8(s);
	if (g & 1) {
		a.btf = (uint64_t)(uintptr_t)btf_template;
		a.btf_size = g & 2 ? btf_template_len : PICK(s, 0, 1, 24, btf_template_len - 1, btf_template_len + 1);
		if (a.btf_size > btf_template_len) {
			memcpy(bufs[B_BTF], btf_template, btf_template_len);
			dirty[B_BTF] = 1;
			a.btf = ptr_to(B_BTF, 0);
		}
	} else {
		/* the template with a few bytes changed, or the input's bytes */
		memcpy(bufs[B_BTF], btf_template, btf_template_len);
		dirty[B_BTF] = 1;
		uint32_t n = btf_template_len;
		if (g & 2) {
			n = u8(s);
			fill(s, B_BTF, 0, n);
		} else {
			for (uint8_t k = 1 + u8(s) % 4; k; k--)
				bufs[B_BTF][u8(s) % btf_template_len] = u8(s);
		}
		a.btf = pick_ptr(s, B_BTF);
		a.btf_size = u8(s) < 240 ? n : PICK(s, 0, 16u << 20, (16u << 20) + 1, UINT32_MAX);
	}
	if (g & 4) {
		a.btf_log_level = PICK(s, 1, 2, 0, 3, 4);
		a.btf_log_size = PICK(s, 65536, 128, 127, 200, 0, 1u << 24, UINT32_MAX);
		a.btf_log_buf = pick_ptr(s, B_LOG);
	}
	call(s, BPF_BTF_LOAD, &a);
}

static void op_close(struct st *s)
{
	uint8_t b = u8(s);
	if (b < 240 && s->nfds) {
		int k = b % s->nfds;
		int rc = bpfvm_close(s->vm, s->fds[k]);
		if (rc != 0)
			FAIL("close of fd %d from the table: %d", s->fds[k], rc);
		s->fds[k] = s->fds[--s->nfds];
	} else {
		/* fds that are not (or no longer) open */
		int fd = (int)(int8_t)b;
		int open = 0;
		for (int k = 0; k < s->nfds; k++)
			open |= s->fds[k] == fd;
		if (!open && bpfvm_close(s->vm, fd) == 0)
			FAIL("close of fd %d, which is not open, succeeded", fd);
	}
}

static void op_attach(struct st *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	uint8_t g = u8(s);
	int cmd;
	switch (g % 5) {
	case 0: case 1:
		cmd = g % 5 ? BPF_PROG_DETACH : BPF_PROG_ATTACH;
		a.target_fd = (uint32_t)pick_fd(s);
		a.attach_bpf_fd = (uint32_t)pick_fd(s);
		a.attach_type = PICK(s, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 100);
		a.attach_flags = PICK(s, 0, 1, 2, 3, 4);
		break;
	case 2:
		cmd = BPF_PROG_QUERY;
		a.query.target_fd = (uint32_t)pick_fd(s);
		a.query.attach_type = PICK(s, 0, 1, 17, 16, 100);
		a.query.query_flags = PICK(s, 0, 1, 2);
		a.query.prog_ids = pick_ptr(s, B_ARR);
		a.query.prog_cnt = PICK(s, 0, 1, 16, UINT32_MAX);
		break;
	case 3:
		cmd = BPF_RAW_TRACEPOINT_OPEN;
		a.raw_tracepoint.name = u8(s) & 1 ? (uint64_t)(uintptr_t)raw_tp_name : pick_ptr(s, B_NAME);
		a.raw_tracepoint.prog_fd = (uint32_t)pick_fd(s);
		break;
	default:
		cmd = BPF_TASK_FD_QUERY;
		a.task_fd_query.pid = u8(s) & 1 ? (uint32_t)getpid() : u32(s);
		a.task_fd_query.fd = (uint32_t)pick_fd(s);
		a.task_fd_query.flags = PICK(s, 0, 1);
		a.task_fd_query.buf = pick_ptr(s, B_NAME);
		a.task_fd_query.buf_len = PICK(s, 0, 16, 4096, UINT32_MAX);
		break;
	}
	call(s, cmd, &a);
}

/* Any command (known or not), the attr's bytes from the input. */
static void op_raw(struct st *s)
{
	union bpf_attr a;
	int cmd = (int)(u8(s) % 40) - 2;
	memset(&a, 0, sizeof(a));
	uint8_t n = u8(s);
	size_t k = n % (sizeof(a) + 1);
	if (k > s->n - s->i)
		k = s->n - s->i;
	memcpy(&a, s->d + s->i, k);
	s->i += k;
	/* fds: mostly ones of the table */
	if (s->nfds && (n & 0x80)) {
		uint32_t fd = (uint32_t)pick_fd(s);
		memcpy((uint8_t *)&a + (u8(s) % 12) * 4, &fd, 4);
	}
	call(s, cmd, &a);
}

static void op_fill(struct st *s)
{
	uint8_t b = u8(s);
	int buf = 1 + b % (NBUF - 1);
	fill(s, buf, u16(s) % 8192, u8(s));
}

static void run_ops(struct st *s)
{
	int ops = 0;
	while (s->i < s->n && ops++ < 64) {
		uint8_t op = u8(s);
		switch (op % 20) {
		case 0: case 1: op_map_create(s); break;
		case 2: case 3: op_elem(s, BPF_MAP_UPDATE_ELEM); break;
		case 4: op_elem(s, BPF_MAP_LOOKUP_ELEM); break;
		case 5: op_elem(s, BPF_MAP_DELETE_ELEM); break;
		case 6: op_elem(s, BPF_MAP_GET_NEXT_KEY); break;
		case 7: op_elem(s, BPF_MAP_LOOKUP_AND_DELETE_ELEM); break;
		case 8: case 9: op_prog_load(s); break;
		case 10: op_test_run(s); break;
		case 11: op_pin_get(s, BPF_OBJ_PIN); break;
		case 12: op_pin_get(s, BPF_OBJ_GET); break;
		case 13: op_ids(s); break;
		case 14: op_info(s); break;
		case 15: op_btf_load(s); break;
		case 16: op_close(s); break;
		case 17: op_attach(s); break;
		case 18: op_raw(s); break;
		default: op_fill(s); break;
		}
	}
}

static void no_trace(void *user, const char *line, size_t len)
{
	(void)user;
	(void)line;
	(void)len;
}

static void build_btf_template(void)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);                 /* 1 */
	bb_int(&b, "u32", 4, 0, 0, 32);                         /* 2 */
	bb_struct(&b, "bpf_spin_lock", 4, 1);                   /* 3 */
	bb_member(&b, "val", 2, 0);
	bb_struct(&b, "value", 8, 2);                           /* 4 */
	bb_member(&b, "n", 1, 0);
	bb_member(&b, "lock", 3, 32);
	bb_ptr(&b, 1);                                          /* 5 */
	bb_func_proto(&b, 1, 1);                                /* 6 */
	bb_param(&b, "ctx", 5);
	bb_func(&b, "f", 6);                                    /* 7 */
	bb_func(&b, "g", 6);                                    /* 8 */
	bb_struct(&b, "lpm_key", 8, 2);                         /* 9 */
	bb_member(&b, "prefixlen", 2, 0);
	bb_member(&b, "addr", 11, 32);
	bb_int(&b, "u8", 1, 0, 0, 8);                           /* 10 */
	bb_array(&b, 10, 2, 4);                                 /* 11 */
	bb_int(&b, "u64", 8, 0, 0, 64);                         /* 12 */
	btf_template = bb_blob(&b, &btf_template_len);
	bb_free(&b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (int b = 1; b < NBUF; b++) {
		bufs[b] = calloc(1, buf_size[b]);
		if (!bufs[b])
			abort();
	}
	build_btf_template();
#ifdef FUZZ_ATTR_STATS
	atexit(print_stats);
#endif
	memset(long_path, 'x', sizeof(long_path) - 1);
	memcpy(long_bpffs_path, "/sys/fs/bpf/", 12);
	memset(long_bpffs_path + 12, 'y', PATH_MAX - 12);
	add_const(long_path, sizeof(long_path));
	add_const(long_bpffs_path, sizeof(long_bpffs_path));
	add_const(btf_template, btf_template_len);
	add_const(raw_tp_name, sizeof(raw_tp_name));
	for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
		add_const(paths[k], strlen(paths[k]) + 1);
	for (size_t k = 0; k < sizeof(licenses) / sizeof(licenses[0]); k++)
		add_const(licenses[k], strlen(licenses[k]) + 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	for (int b = 1; b < NBUF; b++)
		if (dirty[b]) {
			memset(bufs[b], 0, buf_size[b]);
			dirty[b] = 0;
		}
	struct st s;
	memset(&s, 0, sizeof(s));
	s.d = data;
	s.n = size;
	s.vm = bpfvm_new();
	if (!s.vm)
		return 0;
	bpfvm_set_trace_sink(s.vm, no_trace, NULL);
	s.ncpus = 1 + u8(&s) % 4;
	if (bpfvm_set_ncpus(s.vm, s.ncpus) != 0)
		FAIL("bpfvm_set_ncpus(%u) on a new vm", s.ncpus);
	run_ops(&s);
	for (int k = 0; k < s.nfds; k++)
		if (bpfvm_close(s.vm, s.fds[k]) != 0)
			FAIL("close of fd %d at the end", s.fds[k]);
	bpfvm_free(s.vm);
	return 0;
}
