/* BTF, differentially: the same blobs loaded into the running kernel
 * (BPF_BTF_LOAD over the real bpf()) and into bpfvm, comparing acceptance,
 * errno and the last line of the log; then MAP_CREATE with BTF key/value
 * types and PROG_LOAD with func_info/line_info the same way.
 *
 * The corpus: hand-built blobs (corpus.c: every kind, every check), the
 * .BTF of clang -g objects compiled now from tests/data/btf/, and
 * deterministic corruptions of both (truncations, bit flips in the header
 * and the types, bad type ids, loops, bad names).
 *
 * bpfvm implements Linux v5.1; the kernel here is much newer. Where newer
 * kernels changed the rules on purpose, a disagreement is expected: each
 * such change is one entry of enum known_diff (corpus.h), explained in
 * known_diff_text() below, and a disagreement only counts as "listed" when
 * the case has that feature. Any other disagreement fails the test. */
#include "test.h"
#include "builder.h"
#include "clangobj.h"
#include "corpus.h"
#include "sysapi.h"
#include <errno.h>

#define LOG_SIZE 65536

static int verbose;

const char *known_diff_text(int bit)
{
	switch (1 << bit) {
	case KD_FUNC_LINKAGE:
		return "FUNC vlen: v5.1 requires 0; 5.6 made it the linkage (static/global/extern), which clang "
		       "emits (libbpf clears it for older kernels)";
	case KD_ENUM_SIZE:
		return "ENUM: v5.1 requires size 4 (\"Expected size:4\") and no kind_flag; 5.3 allows 1, 2, 8 "
		       "bytes; 6.0 reads kind_flag as signedness (and logs values unsigned)";
	case KD_NAME_LEN:
		return "names: v5.1's KSYM_NAME_LEN is 128 (a name of 129 chars is invalid); 5.18 made it 512";
	case KD_NEW_KINDS:
		return "info bit 28: v5.1's mask 0x8f00ffff rejects it (\"Invalid btf_info\"); newer kernels have "
		       "kinds 16-19 (FLOAT, DECL_TAG, TYPE_TAG, ENUM64)";
	case KD_SIZE_RESOLUTION:
		return "sizes: v5.1 records a typedef's size when resolved, 0 for PTR -> TYPEDEF -> ARRAY; 5.3 "
		       "recomputes it (a map's value_size then matches)";
	case KD_LOG:
		return "log: 6.4 made the log rotating (keeps the end, not the start), accepts buffers under 128 "
		       "bytes, and reports a full log (ENOSPC) even for invalid BTF";
	case KD_NAME_DOT:
		return "names: v5.1 wants C identifiers; 6.5 allows '.' in every name";
	case KD_MAP_KEYLESS:
		return "MAP_CREATE: v5.1 needs both btf_key_type_id and btf_value_type_id; newer kernels take a "
		       "value type alone";
	case KD_DATASEC:
		return "DATASEC: v5.2 rejects vlen 0; newer kernels accept an empty section";
	case KD_FUNC_INFO:
		return "func_info: newer kernels check the records before the subprograms (check_btf_info_early), "
		       "so with several errors another one is reported";
	case KD_DATASEC_NAME:
		return "DATASEC names: v5.2 wants an identifier with dots; 6.8 allows any printable character";
	case KD_REF_FUNC:
		return "a modifier or pointer to a FUNC: v5.1 says \"Invalid type_id\"; newer kernels resolve FUNC "
		       "types and accept it";
	case KD_PROTO_VAR:
		return "a FUNC_PROTO returning or taking a VAR: v5.2 accepts it (a VAR has a size); newer kernels "
		       "refuse (\"Invalid return type\", \"Invalid arg#N\")";
	case KD_SPECIAL_FIELDS:
		return "bpf_spin_lock: 6.2 parses special fields of every struct at BTF load (two locks: E2BIG) and "
		       "sees a lock through const/typedef; v5.1 looks at a map's value, members as declared";
	case KD_EOPNOTSUPP:
		return "MAP_CREATE: a lock in a map type that cannot hold one is ENOTSUPP (524) in v5.1, "
		       "EOPNOTSUPP (95) in newer kernels";
	case KD_FD_MAP_BTF:
		return "MAP_CREATE: v5.1's prog arrays refuse BTF types (map_check_no_btf, ENOTSUPP); newer "
		       "kernels accept them";
	default:
		return "?";
	}
}

static void last_line(const char *log, char *out, size_t n)
{
	size_t len = strlen(log);
	while (len && log[len - 1] == '\n')
		len--;
	size_t start = len;
	while (start && log[start - 1] != '\n')
		start--;
	size_t k = len - start < n - 1 ? len - start : n - 1;
	memcpy(out, log + start, k);
	out[k] = 0;
}

struct tally {
	const char *what;
	int total, agree, listed, unexpected, logs_equal;
	int listed_by[KD_COUNT_BITS];
};

/* counted under the difference the generator named, else the first one
 * found in the blob */
static void report_listed(struct tally *t, int known, int feats)
{
	int bits = known ? known : feats;
	t->listed++;
	for (int b = 0; b < KD_COUNT_BITS; b++)
		if (bits & (1 << b)) {
			t->listed_by[b]++;
			break;
		}
}

/* 6.0 prints enum values unsigned ("val=4294967295"), v5.1 signed: read
 * them back as v5.1 would print them before comparing whole logs. */
static void normalize_enum_vals(char *log)
{
	char *p = log;
	while ((p = strstr(p, " val="))) {
		char *num = p + 5, *end;
		unsigned long v = strtoul(num, &end, 10);
		if (end != num && v > 0x7fffffffUL && v <= 0xffffffffUL) {
			char buf[16];
			int n = snprintf(buf, sizeof(buf), "%d", (int)(int32_t)(uint32_t)v);
			memmove(num + n, end, strlen(end) + 1);
			memcpy(num, buf, (size_t)n);
			end = num + n;
		}
		p = end;
	}
}

/* One comparison. known: the listed differences the generator built into
 * the case; feats: those it has (known included, and those found in it). */
static void judge2(struct tally *t, const char *name, int known, int feats, int krc, const char *klog, int vrc,
		   const char *vlog)
{
	char kl[256], vl[256];
	last_line(klog, kl, sizeof(kl));
	last_line(vlog, vl, sizeof(vl));
	int same = krc == vrc && (krc >= 0 || !strcmp(kl, vl));
	t->total++;
	if (!strcmp(klog, vlog))
		t->logs_equal++;
	if (same) {
		t->agree++;
		return;
	}
	if (feats) {
		report_listed(t, known, feats);
		if (verbose)
			printf("  listed   %-60s linux %d \"%s\" | bpfvm %d \"%s\"\n", name, krc, kl, vrc, vl);
		return;
	}
	t->unexpected++;
	printf("  DIFFERS  %s: linux %d \"%s\" | bpfvm %d \"%s\"\n", name, krc, kl, vrc, vl);
}

static void judge(struct tally *t, const char *name, int known, int krc, const char *klog, int vrc, const char *vlog)
{
	judge2(t, name, known, known, krc, klog, vrc, vlog);
}

/* ---- BTF_LOAD ---- */

static char klog[LOG_SIZE], vlog[LOG_SIZE];

static void run_btf_case(struct tally *t, const struct bcase *c)
{
	uint32_t level = c->log_level ? c->log_level : 1, size = c->log_size ? c->log_size : LOG_SIZE;
	int krc = kern_sys.btf_load(c->blob, c->size, level, klog, size);
	int vrc = vm_sys.btf_load(c->blob, c->size, level, vlog, size);
	normalize_enum_vals(klog);
	const char *show = getenv("BTF_DIFF_SHOW");
	if (show && strstr(c->name, show))
		printf("== %s\n-- linux %d:\n%s\n-- bpfvm %d:\n%s\n", c->name, krc, klog, vrc, vlog);
	if (krc >= 0)
		kern_sys.close(krc), krc = 0;
	if (vrc >= 0)
		vm_sys.close(vrc), vrc = 0;
	judge2(t, c->name, c->known, c->known | known_differences(c->blob, c->size), krc, klog, vrc, vlog);
}

/* Log attributes and sizes (the kernel's btf_parse prologue) */
static void add_log_cases(struct bcases *c)
{
	uint32_t n;
	uint8_t *every = corpus_every_kind(&n);
	struct bcase *k;
	k = cases_add(c, "log: 128-byte log, valid BTF (ENOSPC)", every, n, KD_LOG);
	k->log_size = 128;
	every = corpus_every_kind(&n);
	k = cases_add(c, "log: 100-byte log", every, n, KD_LOG);
	k->log_size = 100;
	every = corpus_every_kind(&n);
	k = cases_add(c, "log: level 2", every, n, 0);
	k->log_level = 2;
	every = corpus_every_kind(&n);
	every[BB_HDR_LEN + 4] ^= 0x20;      /* type 1: info bit 29: an error early in the log */
	k = cases_add(c, "log: 128-byte log, invalid BTF", every, n, KD_LOG);
	k->log_size = 128;
}

static void run_btf_loads(struct tally *t, struct bcases *cases)
{
	for (size_t i = 0; i < cases->n; i++)
		run_btf_case(t, &cases->v[i]);
	/* the blob pointer and size checks (no log) */
	uint8_t *big = calloc(1, 16 * 1024 * 1024 + 1);
	int krc = kern_sys.btf_load(big, 16 * 1024 * 1024 + 1, 0, NULL, 0);
	int vrc = vm_sys.btf_load(big, 16 * 1024 * 1024 + 1, 0, NULL, 0);
	judge(t, "size: 16 MiB + 1", 0, krc, "", vrc, "");
	free(big);
	krc = kern_sys.btf_load(NULL, 64, 0, NULL, 0);
	vrc = vm_sys.btf_load(NULL, 64, 0, NULL, 0);
	judge(t, "pointer: NULL blob of 64 bytes", 0, krc, "", vrc, "");
	krc = kern_sys.btf_load(NULL, 0, 1, klog, LOG_SIZE);
	vrc = vm_sys.btf_load(NULL, 0, 1, vlog, LOG_SIZE);
	judge(t, "pointer: NULL blob of 0 bytes", 0, krc, klog, vrc, vlog);
	krc = kern_sys.btf_load(klog, 64, 1, NULL, LOG_SIZE);
	vrc = vm_sys.btf_load(vlog, 64, 1, NULL, LOG_SIZE);
	judge(t, "log: level 1 without a buffer", 0, krc, "", vrc, "");
}

/* ---- MAP_CREATE with BTF ---- */

/* The types of the map cases: key int (1), value struct v (3) with a lock
 * at 4; u64 (4); char[4] (6); typedef int (7); struct empty (8); a typedef
 * of an array reached through a pointer first (9 ptr -> 10 typedef -> 11
 * array int[4]); fwd (12); func_proto (13); an LPM key (14). */
static uint8_t *map_btf(uint32_t *size)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);                         /* 1 */
	bb_struct(&b, "bpf_spin_lock", 4, 1);                           /* 2 */
	bb_member(&b, "val", 1, 0);
	bb_struct(&b, "v", 8, 2);                                       /* 3 */
	bb_member(&b, "n", 1, 0);
	bb_member(&b, "lock", 2, 32);
	bb_int(&b, "long long unsigned int", 8, 0, 0, 64);              /* 4 */
	bb_int(&b, "char", 1, BB_SIGNED, 0, 8);                         /* 5 */
	bb_array(&b, 5, 1, 4);                                          /* 6 */
	bb_typedef(&b, "u32", 1);                                       /* 7 */
	bb_struct(&b, "empty", 0, 0);                                   /* 8 */
	bb_ptr(&b, 10);                                                 /* 9 */
	bb_typedef(&b, "arr_t", 11);                                    /* 10 */
	bb_array(&b, 1, 1, 4);                                          /* 11 */
	bb_fwd(&b, "opaque", 0);                                        /* 12 */
	bb_func_proto(&b, 1, 0);                                        /* 13 */
	bb_struct(&b, "lpm_key", 8, 2);                                 /* 14 */
	bb_member(&b, "prefixlen", 1, 0);
	bb_member(&b, "data", 6, 32);
	uint8_t *p = bb_blob(&b, size);
	bb_free(&b);
	return p;
}

/* Values with a lock that v5.1 does not count as one, each in a blob of
 * its own (newer kernels may refuse the blob itself): int (1),
 * bpf_spin_lock (2), the value (3). */
static uint8_t *odd_lock_btf(int which, uint32_t *size)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
	bb_struct(&b, "bpf_spin_lock", 4, 1);
	bb_member(&b, "val", 1, 0);
	switch (which) {
	case 1:         /* two locks: -E2BIG from btf_find_spin_lock, so no lock */
		bb_struct(&b, "two", 8, 2);
		bb_member(&b, "a", 2, 0);
		bb_member(&b, "b", 2, 32);
		break;
	case 2:         /* a lock at byte 2: -EINVAL, no lock */
		bb_struct(&b, "mis", 8, 2);
		bb_member(&b, "n", 1, 0);
		bb_member(&b, "lock", 2, 16);
		break;
	case 3:         /* a union holding a lock: not a struct, no lock */
		bb_union(&b, "un", 4, 2);
		bb_member(&b, "n", 1, 0);
		bb_member(&b, "lock", 2, 0);
		break;
	case 4:         /* const struct bpf_spin_lock: v5.1 does not see through const */
		bb_const(&b, 2);
		bb_struct(&b, "c", 8, 2);
		bb_member(&b, "n", 1, 0);
		bb_member(&b, "lock", 3, 32);
		break;
	}
	uint8_t *p = bb_blob(&b, size);
	bb_free(&b);
	return p;
}

struct mcase {
	const char *name;
	int blob;                       /* 0: map_btf, else odd_lock_btf(blob) */
	uint32_t type, ksz, vsz, kid, vid;
	int known;
};

enum { M_HASH = 1, M_ARRAY = 2, M_PROG_ARRAY = 3, M_PERCPU_HASH = 5, M_PERCPU_ARRAY = 6, M_STACK_TRACE = 7,
       M_LRU_HASH = 9, M_LRU_PERCPU_HASH = 10, M_LPM = 11, M_QUEUE = 22, M_STACK = 23 };

static const struct mcase map_cases[] = {
	{ "hash: int -> v with lock", 0, M_HASH, 4, 8, 1, 3, 0 },
	{ "array: int -> v with lock", 0, M_ARRAY, 4, 8, 1, 3, 0 },
	{ "percpu hash: lock (ENOTSUPP)", 0, M_PERCPU_HASH, 4, 8, 1, 3, KD_EOPNOTSUPP },
	{ "percpu array: lock (ENOTSUPP)", 0, M_PERCPU_ARRAY, 4, 8, 1, 3, KD_EOPNOTSUPP },
	{ "lru hash: lock (ENOTSUPP)", 0, M_LRU_HASH, 4, 8, 1, 3, KD_EOPNOTSUPP },
	{ "lru percpu hash: lock (ENOTSUPP)", 0, M_LRU_PERCPU_HASH, 4, 8, 1, 3, KD_EOPNOTSUPP },
	{ "hash: key size mismatch", 0, M_HASH, 8, 8, 1, 3, 0 },
	{ "hash: value size mismatch", 0, M_HASH, 4, 16, 1, 3, 0 },
	{ "hash: u64 key, int value", 0, M_HASH, 8, 4, 4, 1, 0 },
	{ "hash: key id 0", 0, M_HASH, 4, 4, 0, 1, KD_MAP_KEYLESS },
	{ "hash: value id 0", 0, M_HASH, 4, 4, 1, 0, 0 },
	{ "hash: key id missing", 0, M_HASH, 4, 4, 99, 1, 0 },
	{ "hash: key of a forward", 0, M_HASH, 4, 4, 12, 1, 0 },
	{ "hash: value a func_proto", 0, M_HASH, 4, 4, 1, 13, 0 },
	{ "hash: key typedef int", 0, M_HASH, 4, 4, 7, 1, 0 },
	{ "hash: char[4] key", 0, M_HASH, 4, 4, 6, 1, 0 },
	{ "array: char[4] key", 0, M_ARRAY, 4, 4, 6, 1, 0 },
	{ "array: typedef int key", 0, M_ARRAY, 4, 4, 7, 1, 0 },
	{ "array: int -> u64", 0, M_ARRAY, 4, 8, 1, 4, 0 },
	{ "percpu array: char[4] key", 0, M_PERCPU_ARRAY, 4, 4, 6, 1, 0 },
	{ "prog array: BTF (ENOTSUPP)", 0, M_PROG_ARRAY, 4, 4, 1, 1, KD_FD_MAP_BTF },
	{ "stack trace: BTF", 0, M_STACK_TRACE, 4, 8, 1, 4, 0 },
	{ "queue: empty struct key", 0, M_QUEUE, 0, 4, 8, 1, KD_MAP_KEYLESS },
	{ "stack: empty struct key", 0, M_STACK, 0, 4, 8, 1, KD_MAP_KEYLESS },
	{ "lpm: struct key", 0, M_LPM, 8, 4, 14, 1, 0 },
	{ "lpm: u64 key", 0, M_LPM, 8, 4, 4, 1, 0 },
	{ "hash: typedef array value, reached by a ptr first", 0, M_HASH, 4, 16, 1, 10, KD_SIZE_RESOLUTION },
	{ "hash: the array value itself", 0, M_HASH, 4, 16, 1, 11, 0 },
	{ "hash: two locks (no lock, accepted)", 1, M_HASH, 4, 8, 1, 3, KD_SPECIAL_FIELDS },
	{ "percpu hash: two locks", 1, M_PERCPU_HASH, 4, 8, 1, 3, KD_SPECIAL_FIELDS },
	{ "hash: lock at byte 2 (no lock)", 2, M_HASH, 4, 8, 1, 3, KD_SPECIAL_FIELDS },
	{ "percpu hash: lock at byte 2 (no lock)", 2, M_PERCPU_HASH, 4, 8, 1, 3, KD_SPECIAL_FIELDS },
	{ "percpu hash: union with a lock", 3, M_PERCPU_HASH, 4, 4, 1, 3, KD_SPECIAL_FIELDS },
	{ "percpu hash: the lock itself as value", 3, M_PERCPU_HASH, 4, 4, 1, 2, 0 },
	{ "hash: const lock", 4, M_HASH, 4, 8, 1, 4, KD_SPECIAL_FIELDS },
	{ "percpu hash: const lock (not a lock in v5.1)", 4, M_PERCPU_HASH, 4, 8, 1, 4, KD_SPECIAL_FIELDS },
};

#define NBLOBS 5

static void run_maps(struct tally *t, struct tally *tb)
{
	int kb[NBLOBS], vb[NBLOBS];
	for (int i = 0; i < NBLOBS; i++) {
		uint32_t n;
		uint8_t *blob = i ? odd_lock_btf(i, &n) : map_btf(&n);
		kb[i] = kern_sys.btf_load(blob, n, 1, klog, LOG_SIZE);
		vb[i] = vm_sys.btf_load(blob, n, 1, vlog, LOG_SIZE);
		char name[64];
		snprintf(name, sizeof(name), "maps: BTF #%d", i);
		judge(tb, name, known_differences(blob, n), kb[i] < 0 ? kb[i] : 0, klog, vb[i] < 0 ? vb[i] : 0, vlog);
		free(blob);
	}
	for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		const struct mcase *m = &map_cases[i];
		uint32_t max = m->type == M_STACK_TRACE ? 4 : 16;
		int krc = kb[m->blob] < 0 ? kb[m->blob]
			: kern_sys.map_create(m->type, m->ksz, m->vsz, max, kb[m->blob], m->kid, m->vid);
		int vrc = vm_sys.map_create(m->type, m->ksz, m->vsz, max, vb[m->blob], m->kid, m->vid);
		kern_sys.close(krc);
		vm_sys.close(vrc);
		judge(t, m->name, m->known, krc < 0 ? krc : 0, "", vrc < 0 ? vrc : 0, "");
	}
	/* the fd: not a BTF, not an fd */
	int kh = kern_sys.map_create(M_HASH, 4, 4, 4, -1, 0, 0), vh = vm_sys.map_create(M_HASH, 4, 4, 4, -1, 0, 0);
	int krc = kern_sys.map_create(M_HASH, 4, 4, 4, kh, 1, 1), vrc = vm_sys.map_create(M_HASH, 4, 4, 4, vh, 1, 1);
	kern_sys.close(krc), vm_sys.close(vrc);
	judge(t, "hash: btf_fd is a map", 0, krc < 0 ? krc : 0, "", vrc < 0 ? vrc : 0, "");
	krc = kern_sys.map_create(M_HASH, 4, 4, 4, 9999, 1, 1);
	vrc = vm_sys.map_create(M_HASH, 4, 4, 4, 9999, 1, 1);
	judge(t, "hash: btf_fd not open", 0, krc < 0 ? krc : 0, "", vrc < 0 ? vrc : 0, "");
	kern_sys.close(kh), vm_sys.close(vh);
	for (int i = 0; i < NBLOBS; i++)
		kern_sys.close(kb[i]), vm_sys.close(vb[i]);
}

/* ---- PROG_LOAD with func_info / line_info ---- */

struct insn { uint8_t code, regs; int16_t off; int32_t imm; };
#define INSN(c, d, s, o, i) { (c), (uint8_t)((d) | ((s) << 4)), (o), (i) }

/* main: call sub; exit. sub: r0 = 0; exit. Then an LD_IMM64 for the
 * line_info check on its second half. */
static const struct insn two_funcs[] = {
	INSN(0x85, 0, 1, 0, 3),                 /* 0: call pc+3 -> 4 */
	INSN(0x18, 1, 0, 0, 7), INSN(0, 0, 0, 0, 0), /* 1-2: r1 = 7 ll */
	INSN(0x95, 0, 0, 0, 0),                 /* 3: exit */
	INSN(0xb7, 0, 0, 0, 0),                 /* 4: r0 = 0 */
	INSN(0x95, 0, 0, 0, 0),                 /* 5: exit */
};

/* BTF: int (1), proto int(void) (2), FUNC main (3), FUNC sub (4), an int
 * (5) that is not a FUNC; strings for file and lines */
static uint8_t *prog_btf(uint32_t *size, uint32_t *file_off, uint32_t *line_off)
{
	struct bb b;
	bb_init(&b);
	bb_int(&b, "int", 4, BB_SIGNED, 0, 32);
	bb_func_proto(&b, 1, 0);
	bb_func(&b, "main", 2);
	bb_func(&b, "sub", 2);
	bb_int(&b, "x", 4, 0, 0, 32);
	*file_off = bb_str(&b, "prog.c");
	*line_off = bb_str(&b, "return 0;");
	uint8_t *p = bb_blob(&b, size);
	bb_free(&b);
	return p;
}

struct pcase {
	const char *name;
	uint32_t func[4][4];            /* up to 4 records of up to 16 bytes (u32 words) */
	uint32_t func_rec, func_cnt;
	uint32_t line[4][6];
	uint32_t line_rec, line_cnt;
	int null_func, bad_fd, known;
};

/* F: file string, L: line string (patched in at run time) */
#define F 0xffff0001u
#define L 0xffff0002u
static const struct pcase prog_cases[] = {
	{ "ok: func_info and line_info", { { 0, 3 }, { 4, 4 } }, 8, 2,
	  { { 0, F, L, 1 << 10 }, { 4, F, L, 2 << 10 } }, 16, 2, 0, 0, 0 },
	{ "ok: line_info on every insn but the ld_imm64 half", { { 0, 3 }, { 4, 4 } }, 8, 2,
	  { { 0, F, L, 1 }, { 1, F, L, 2 }, { 3, F, L, 3 }, { 4, F, L, 4 } }, 16, 4, 0, 0, 0 },
	{ "ok: func_info only", { { 0, 3 }, { 4, 4 } }, 8, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "ok: line_info only", { { 0 } }, 8, 0, { { 0, F, L, 1 }, { 4, F, L, 1 } }, 16, 2, 0, 0, 0 },
	{ "ok: 16-byte func records, zero tail", { { 0, 3, 0, 0 }, { 4, 4, 0, 0 } }, 16, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "ok: 24-byte line records, zero tail", { { 0 } }, 8, 0, { { 0, F, L, 1, 0, 0 }, { 4, F, L, 1, 0, 0 } }, 24, 2,
	  0, 0, 0 },
	{ "func: one record for two subprogs", { { 0, 3 } }, 8, 1, { { 0 } }, 16, 0, 0, 0, KD_FUNC_INFO },
	{ "func: rec size 4", { { 0, 3 }, { 4, 4 } }, 4, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: rec size 10", { { 0, 3 }, { 4, 4 } }, 10, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: rec size 256", { { 0, 3 }, { 4, 4 } }, 256, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: nonzero tail", { { 0, 3, 1, 0 }, { 4, 4, 0, 0 } }, 16, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: first insn_off 1", { { 1, 3 }, { 4, 4 } }, 8, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: insn_off not increasing", { { 0, 3 }, { 0, 4 } }, 8, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: not a subprog start", { { 0, 3 }, { 3, 4 } }, 8, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: type not a FUNC", { { 0, 3 }, { 4, 5 } }, 8, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: type id missing", { { 0, 3 }, { 4, 77 } }, 8, 2, { { 0 } }, 16, 0, 0, 0, 0 },
	{ "func: NULL records", { { 0 } }, 8, 2, { { 0 } }, 16, 0, 1, 0, 0 },
	{ "func: no BTF fd", { { 0, 3 }, { 4, 4 } }, 8, 2, { { 0 } }, 16, 0, 0, 1, 0 },
	{ "line: rec size 8", { { 0 } }, 8, 0, { { 0, F, L, 1 }, { 4, F, L, 1 } }, 8, 2, 0, 0, 0 },
	{ "line: nonzero tail", { { 0 } }, 8, 0, { { 0, F, L, 1, 5, 0 }, { 4, F, L, 1, 0, 0 } }, 24, 2, 0, 0, 0 },
	{ "line: insn_off past the end", { { 0 } }, 8, 0, { { 0, F, L, 1 }, { 6, F, L, 1 } }, 16, 2, 0, 0, 0 },
	{ "line: insn_off not increasing", { { 0 } }, 8, 0, { { 0, F, L, 1 }, { 0, F, L, 1 } }, 16, 2, 0, 0, 0 },
	{ "line: on the ld_imm64 half", { { 0 } }, 8, 0, { { 0, F, L, 1 }, { 2, F, L, 1 }, { 4, F, L, 1 } }, 16, 3,
	  0, 0, 0 },
	{ "line: line_off past the strings", { { 0 } }, 8, 0, { { 0, F, 999, 1 }, { 4, F, L, 1 } }, 16, 2, 0, 0, 0 },
	{ "line: file_name_off past the strings", { { 0 } }, 8, 0, { { 0, 999, L, 1 }, { 4, F, L, 1 } }, 16, 2, 0, 0,
	  0 },
	{ "line: first at insn 1", { { 0 } }, 8, 0, { { 1, F, L, 1 }, { 4, F, L, 1 } }, 16, 2, 0, 0, 0 },
	{ "line: none for the second subprog", { { 0 } }, 8, 0, { { 0, F, L, 1 }, { 5, F, L, 1 } }, 16, 2, 0, 0, 0 },
	{ "line: only the first subprog", { { 0 } }, 8, 0, { { 0, F, L, 1 } }, 16, 1, 0, 0, 0 },
};

/* records in the attr's layout; returns a malloc'ed buffer */
static void *pack(const uint32_t *words, uint32_t nwords, uint32_t rec, uint32_t cnt, uint32_t f, uint32_t l)
{
	uint8_t *p = calloc(cnt ? cnt : 1, rec ? rec : 1);
	for (uint32_t i = 0; i < cnt; i++)
		for (uint32_t w = 0; w < nwords && (w + 1) * 4 <= rec; w++) {
			uint32_t v = words[i * nwords + w];
			v = v == F ? f : v == L ? l : v;
			memcpy(p + i * rec + w * 4, &v, 4);
		}
	return p;
}

static int load_prog(const struct t_sys *s, struct t_prog *p, char *log, uint32_t *nf, uint32_t *nl, uint8_t *fi,
		     uint8_t *li)
{
	int rc = s->prog_load(p, log, LOG_SIZE);
	if (rc >= 0) {
		s->prog_info(rc, nf, fi, nl, li, 8);
		s->close(rc);
		rc = 0;
	}
	return rc;
}

/* Newer verifiers end every log with their statistics ("processed N insns
 * ..."), right after the last message, which may lack its newline; v5.1
 * printed them only after a full check, which bpfvm does not do yet. */
static void strip_stats(char *log)
{
	char *p = NULL, *q = log;
	while ((q = strstr(q, "processed ")))
		p = q++;
	if (p && strstr(p, " insns (limit "))
		*p = 0;
}

static void run_prog(struct tally *t, const char *name, int known, int kb, int vb, struct t_prog *proto)
{
	struct t_prog kp = *proto, vp = *proto;
	uint32_t knf = 0, knl = 0, vnf = 0, vnl = 0;
	uint8_t kfi[64] = { 0 }, vfi[64] = { 0 }, kli[128] = { 0 }, vli[128] = { 0 };
	kp.btf_fd = proto->btf_fd < 0 ? proto->btf_fd : kb;
	vp.btf_fd = proto->btf_fd < 0 ? proto->btf_fd : vb;
	int krc = load_prog(&kern_sys, &kp, klog, &knf, &knl, kfi, kli);
	int vrc = load_prog(&vm_sys, &vp, vlog, &vnf, &vnl, vfi, vli);
	strip_stats(klog);
	strip_stats(vlog);
	/* the record sizes written back, and what OBJ_GET_INFO_BY_FD returns */
	if (kp.func_info_rec_size_out != vp.func_info_rec_size_out ||
	    kp.line_info_rec_size_out != vp.line_info_rec_size_out) {
		printf("  %s: rec sizes after the call: linux %u/%u bpfvm %u/%u\n", name, kp.func_info_rec_size_out,
		       kp.line_info_rec_size_out, vp.func_info_rec_size_out, vp.line_info_rec_size_out);
		vrc = -1000;
	}
	if (krc == 0 && vrc == 0 && (knf != vnf || knl != vnl || memcmp(kfi, vfi, sizeof(kfi)) ||
				     memcmp(kli, vli, sizeof(kli)))) {
		printf("  %s: prog info: linux %u func %u line, bpfvm %u func %u line (or records differ)\n", name,
		       knf, knl, vnf, vnl);
		vrc = -1001;
	}
	judge(t, name, known, krc, klog, vrc, vlog);
}

static void run_progs(struct tally *t)
{
	uint32_t n, f, l;
	uint8_t *blob = prog_btf(&n, &f, &l);
	int kb = kern_sys.btf_load(blob, n, 0, NULL, 0), vb = vm_sys.btf_load(blob, n, 0, NULL, 0);
	free(blob);
	for (size_t i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		const struct pcase *c = &prog_cases[i];
		void *fi = pack(&c->func[0][0], 4, c->func_rec, c->func_cnt, f, l);
		void *li = pack(&c->line[0][0], 6, c->line_rec, c->line_cnt, f, l);
		struct t_prog p = { 1 /* socket filter */, two_funcs, 6, c->bad_fd ? -1 : 0, c->null_func ? NULL : fi,
				    c->func_rec, c->func_cnt, li, c->line_rec, c->line_cnt, 0, 0 };
		run_prog(t, c->name, c->known, kb, vb, &p);
		free(fi);
		free(li);
	}
	kern_sys.close(kb), vm_sys.close(vb);
}

/* ---- clang objects ---- */

static int add_clang_cases(struct bcases *cases, struct tally *pt)
{
	char why[256];
	struct clang_obj o;
	int found = 0;
	if (clang_obj_load("tests/data/btf/types.c", NULL, &o, why, sizeof(why)) == 0) {
		found++;
		uint8_t *raw = malloc(o.btf_size);
		memcpy(raw, o.btf, o.btf_size);
		/* As clang emits it: global FUNCs carry linkage 1. */
		cases_add(cases, "clang types.c: .BTF as emitted", raw, o.btf_size, 0);
		btf_sanitize_func_linkage(o.btf, o.btf_size);
		uint8_t *san = malloc(o.btf_size);
		memcpy(san, o.btf, o.btf_size);
		cases_add(cases, "clang types.c: .BTF, linkage cleared", san, o.btf_size, 0);
		corpus_mutations(cases, "clang types.c", o.btf, o.btf_size, 0x5eed5eedull, 600);
		clang_obj_free(&o);
	} else {
		printf("  (no clang object: %s)\n", why);
	}
	if (clang_obj_load("tests/data/btf/prog.c", "socket", &o, why, sizeof(why)) == 0) {
		found++;
		btf_sanitize_func_linkage(o.btf, o.btf_size);
		int kb = kern_sys.btf_load(o.btf, o.btf_size, 0, NULL, 0), vb = vm_sys.btf_load(o.btf, o.btf_size, 0, NULL, 0);
		struct t_prog p = { 1, o.insns, o.insn_cnt, 0, o.func_info, 8, o.func_info_cnt, o.line_info, 16,
				    o.line_info_cnt, 0, 0 };
		if (kb >= 0 && vb >= 0)
			run_prog(pt, "clang prog.c: func_info and line_info from .BTF.ext", 0, kb, vb, &p);
		else
			judge(pt, "clang prog.c: its BTF", 0, kb < 0 ? kb : 0, "", vb < 0 ? vb : 0, "");
		kern_sys.close(kb), vm_sys.close(vb);
		uint8_t *raw = malloc(o.btf_size);
		memcpy(raw, o.btf, o.btf_size);
		cases_add(cases, "clang prog.c: .BTF, linkage cleared", raw, o.btf_size, 0);
		clang_obj_free(&o);
	} else {
		printf("  (no clang object: %s)\n", why);
	}
	return found;
}

static void print_tally(const struct tally *t)
{
	printf("%-12s %4d of %4d agree; %3d disagree as listed; %d unexpected; %d identical logs\n", t->what,
	       t->agree, t->total, t->listed, t->unexpected, t->logs_equal);
	for (int b = 0; b < KD_COUNT_BITS; b++)
		if (t->listed_by[b])
			printf("    %3d  %s\n", t->listed_by[b], known_diff_text(b));
}

int main(int argc, char **argv)
{
	char why[256];
	verbose = argc > 1 && !strcmp(argv[1], "-v");
	if (!kern_available(why, sizeof(why)))
		test_skip(why);
	if (vm_open() < 0)
		test_skip("bpfvm_new failed");
	struct tally tb = { .what = "BTF_LOAD" }, tm = { .what = "MAP_CREATE" }, tp = { .what = "PROG_LOAD" };
	struct bcases cases = { 0 };
	corpus_handbuilt(&cases);
	add_log_cases(&cases);
	uint32_t n;
	uint8_t *every = corpus_every_kind(&n);
	corpus_mutations(&cases, "every kind", every, n, 0x1234567ull, 1500);
	free(every);
	int nclang = add_clang_cases(&cases, &tp);
	run_btf_loads(&tb, &cases);
	run_maps(&tm, &tb);
	run_progs(&tp);
	cases_free(&cases);
	vm_close();

	print_tally(&tb);
	print_tally(&tm);
	print_tally(&tp);
	int total = tb.total + tm.total + tp.total, agree = tb.agree + tm.agree + tp.agree;
	int listed = tb.listed + tm.listed + tp.listed, unexpected = tb.unexpected + tm.unexpected + tp.unexpected;
	printf("%d of %d agree (%d listed differences, %d unexpected; %d clang objects)\n", agree, total, listed,
	       unexpected, nclang);
	CHECK_EQ(unexpected, 0);
	/* the clang objects are part of the corpus wherever clang is */
	if (system("${CLANG:-clang} --version >/dev/null 2>&1") == 0)
		CHECK_EQ(nclang, 2);
	return test_done();
}
