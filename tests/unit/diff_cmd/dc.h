/* diff_cmd: the command layer's differential test against the kernel.
 * Shared declarations of the generator (gen.c), the executor (exec.c), the
 * list of known differences (known.c) and the driver (main.c). */
#ifndef BPFVM_TEST_DIFF_CMD_H
#define BPFVM_TEST_DIFF_CMD_H
#include <bpfvm/bpfvm.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include "lib/kernel_cmd.h"

#define V51_ATTR_SIZE ((unsigned)sizeof(union bpf_attr))
#define MAX_OPS 64              /* operations of one sequence */
#define MAX_SLOTS MAX_OPS       /* fds: op i puts its fd in slot i */
#define PAGE 4096u
#ifndef ENOTSUPP
#define ENOTSUPP 524            /* the kernel's "not supported" */
#endif

/* ---- configuration, fixed for a run ---- */
struct dc_config {
	unsigned ncpus;         /* the kernel's possible CPUs (bpfvm_set_ncpus) */
	unsigned kattr;         /* the kernel's sizeof(union bpf_attr) */
	int pins;               /* a bpffs directory could be made */
	int pinned_cpu;         /* this process runs on CPU 0 only (LRU determinism) */
	int vm_verifies;        /* bpfvm refuses a program without r0 set */
	char base[128];         /* "bpfvm_diff_cmd_<pid>" under /sys/fs/bpf */
	int verbose;
	int counting;           /* figures are kept (not while shrinking) */
};
extern struct dc_config cfg;

/* ---- random numbers ---- */
struct rng {
	uint64_t s;
};
uint64_t rng_next(struct rng *r);
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}
static inline int rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}
uint64_t mix64(uint64_t x);

/* ---- operations ---- */
enum op_kind {
	OP_MAP_CREATE,
	OP_UPDATE,
	OP_LOOKUP,
	OP_DELETE,
	OP_NEXT_KEY,
	OP_LOOKUP_DELETE,
	OP_PROG_LOAD,
	OP_PIN,
	OP_OBJ_GET,
	OP_INFO,
	OP_NEXT_ID,
	OP_FD_BY_ID,
	OP_CLOSE,
	OP_RAW,
	OP_CHECK,
	OP__COUNT
};

/* How the attr is handed over. */
enum attr_mode {
	AM_FULL,        /* sizeof(union bpf_attr) of v5.1 */
	AM_SHORT,       /* cut at am_off (<= the command's last field): zero-extended */
	AM_BIG,         /* a page, the tail zero */
	AM_TAIL,        /* nonzero byte at am_off, after the command's last v5.1 field */
	AM_MID,         /* nonzero byte at am_off in [v5.1 size, kernel size) of a page */
	AM_FAR,         /* nonzero byte at am_off beyond both unions, in a page */
	AM_HUGE,        /* size 4097: more than a page */
	AM_NULL,        /* attr NULL, size 8 */
};

/* How an fd field is filled. */
enum fd_mode {
	FD_SLOT,        /* the slot's fd on each side */
	FD_BAD,         /* a number open on neither side */
	FD_NEG,         /* (u32)-1 */
};

enum key_mode { KM_NORMAL, KM_NULL };

struct op {
	uint8_t kind;
	uint8_t am;
	uint16_t am_off;
	uint8_t am_byte;
	int8_t slot;            /* target slot, -1: none */
	int8_t slot2;           /* inner map / stored fd / referenced map */
	int8_t out;             /* the slot an fd result goes to */
	uint8_t fdmode;         /* of the target */
	uint8_t fdmode2;        /* of slot2 */
	uint8_t keymode, valmode;
	uint8_t variant;
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node;
	uint32_t u32a;          /* op-specific: imm, info_len, start id, cmd ... */
	uint64_t flags;
	uint32_t kidx;          /* which key */
	uint64_t vseed;         /* value contents */
	char name[16];
};

/* ---- the state of a sequence on both sides ---- */
enum slot_state { S_NONE, S_LIVE, S_CLOSED };
enum obj_kind { K_MAP = 1, K_PROG = 2 };

struct slot {
	int state;
	int kfd, vfd;
	int obj;                /* index into run.objs */
	int can_read, can_write;
};

struct obj {
	int kind;
	uint32_t kid, vid;      /* ids on each side */
	/* maps, as bpfvm reports them */
	uint32_t type, key_size, value_size, max_entries, map_flags;
	struct {                /* map-in-map: the inner map template */
		uint32_t type, key_size, value_size, max_entries, map_flags;
	} inner;
	uint32_t owner_type;    /* prog arrays: the program type bound (0: none) */
	int owner_diverged;     /* ... by a PROG_LOAD that only the kernel took */
	/* programs */
	struct bpf_insn insns[4];
	uint32_t insn_cnt;
	int map_obj;            /* object a program references, -1: none */
	uint32_t prog_type;
	char name[16];
	int gpl;
};

struct run {
	struct bpfvm *vm;
	struct slot slots[MAX_SLOTS];
	struct obj objs[MAX_SLOTS];
	int nobjs;
	char dir[256];          /* this sequence's pin directory (full path) */
	int pins[6];            /* object pinned at <dir>/p<i>, -1: none */
	struct {                /* keys recently stored (for the generator) */
		int slot;
		uint32_t kidx;
	} recent[8];
	unsigned nrecent;
	int dir_made;
	int nexec, nskip;       /* calls made on both sides / operations skipped */
	int last_kr;            /* the kernel's answer to the last call */
	/* first unknown mismatch */
	int failed;
	char sig[96];           /* what kind of mismatch (kept while shrinking) */
	char msg[2048];
};

/* Figures for the summary. */
struct dc_stats {
	unsigned long ops[OP__COUNT][5];        /* [kind][ST_*] */
	unsigned long maps_compared, entries_compared, ordered_hash, tags_checked;
};
enum { ST_OK, ST_ERR, ST_KNOWN, ST_SKIP, ST_MISMATCH };
extern struct dc_stats stats;

int run_init(struct run *r, unsigned long seqno);
void run_fini(struct run *r);
/* Executes op on both sides and compares. Returns 0, or 1 on an unknown
 * mismatch (r->failed, r->sig, r->msg set). */
int run_op(struct run *r, const struct op *op);
/* Compares the contents of every live map; destructive (queues are popped)
 * if final. */
int run_check_all(struct run *r, int final);
void op_print(char *buf, size_t len, const struct op *op);

/* The generator: a new operation for the state r is in. */
void gen_op(struct rng *g, const struct run *r, int index, struct op *op);

/* ---- known differences between Linux 6.18 and v5.1 (known.c) ---- */
enum kd_id {
	KD_ATTR_GROWN,
	KD_NEW_ATTR_FIELDS,
	KD_NEW_MAP_FLAGS,
	KD_PERCPU_VALUE_LIMIT,
	KD_ARRAY_VALUE_LIMIT,
	KD_HASH_SIZE_LIMITS,
	KD_COST_LIMIT,
	KD_INNER_MAX_ENTRIES,
	KD_HTAB_OF_MAPS_IN_PLACE,
	KD_LPM_NOEXIST,
	KD_LPM_EXIST,
	KD_LPM_FULL_REPLACE,
	KD_LPM_NEXT_KEY_ABSENT,
	KD_LPM_LOOKUP_TOO_LONG,
	KD_HASH_LOOKUP_DELETE,
	KD_LOOKUP_DELETE_WRONLY,
	KD_LOOKUP_DELETE_FLAGS,
	KD_LRU_EVICTION,
	KD_INFO_GROWN,
	KD_INFO_FD_FLAGS,
	KD_PIN_BAD_FD,
	KD_PROG_LOAD_ORDER,
	KD_BPFVM_NUMA_NO_NODE,
	KD_BPFVM_NAME_LATIN1,
	KD_BPFVM_LRU_MAX_ROUND,
	KD_BPFVM_INFO_LEN_PAGE,
	KD_BPFVM_PATH_TRAILING_SLASH,
	KD_BPFVM_MAP_IFINDEX,
	KD_BPFVM_INFO_NULL_EMPTY,
	KD_BPFVM_ID_INT_MAX,
	KD_BPFVM_WRITEBACK_BEYOND_SIZE,
	KD__COUNT
};
struct known_diff {
	const char *name;
	const char *what;
	int bpfvm_bug;          /* 1: bpfvm deviates from v5.1 (reported) */
};
extern const struct known_diff known_diffs[KD__COUNT];
extern unsigned long known_hits[KD__COUNT];
extern unsigned long known_seen;        /* known differences met, counted or not */
static inline void known(enum kd_id id)
{
	known_seen++;
	if (cfg.counting)
		known_hits[id]++;
}

/* SHA-1 (util.c): the v5.1 program tag is its first 8 bytes. */
void sha1(const void *data, size_t len, uint8_t out[20]);

/* Map type helpers. */
int type_is_hash(uint32_t t);           /* HASH family incl. HASH_OF_MAPS */
int type_is_lru(uint32_t t);
int type_is_percpu(uint32_t t);
int type_is_array(uint32_t t);          /* index keys: ARRAY, PERCPU_ARRAY, fd arrays, STACK_TRACE */
int type_is_fd_map(uint32_t t);         /* values are fds in, ids out */
const char *type_name(uint32_t t);
#endif
