/* The generator: operations drawn for the state a sequence is in (which
 * slots hold maps of which type), mostly well-formed so that sequences get
 * somewhere, with every attribute also drawn at its edges and beyond.
 *
 * Not generated (known to differ between Linux 6.18 and v5.1, see known.c,
 * or unusable here):
 *  - map types after v5.1 (24 and up) and the types of a later issue
 *    (CGROUP_ARRAY, DEVMAP, SOCKMAP, CPUMAP, XSKMAP, SOCKHASH,
 *    CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE);
 *  - commands after v5.1 (22 and up: BPF_MAP_FREEZE, BPF_BTF_GET_NEXT_ID,
 *    BPF_ENABLE_STATS, links, iterators, tokens... valid in 6.18);
 *  - prog_flags and verifier log settings after v5.1 (log_level 2 | 4,
 *    log sizes under 128, BPF_F_TEST_RND_HI32 ...);
 *  - sizes whose kernel allocation would be large in 6.18 (which dropped
 *    v5.1's memlock cost limits): array / queue / stack trace / preallocated
 *    hash maps with huge max_entries (v5.1 refuses them cheaply, 6.18 would
 *    allocate gigabytes before failing);
 *  - pins in directories that do not exist (bpfvm's pin namespace has
 *    implicit directories, a bpffs does not) or on the directory itself;
 *  - fds 0-2 (stdio in this process's kernel fd table, never bpfvm fds),
 *    hence no attr cut before an fd field;
 *  - attr cuts inside a pointer (half a pointer is a wild one: the kernel
 *    answers EFAULT, bpfvm, which dereferences user pointers as they come,
 *    would crash) or inside an id (ids are global in the kernel);
 *  - array values between 4 MiB + 64 and INT_MAX (6.18 allocates them);
 *  - programs that exit with r0 unset, while bpfvm has no verifier (HEAD
 *    before the verifier landed): checked at startup.
 */
#include "dc.h"
#include <string.h>

#define KMAX (1u << 22)         /* KMALLOC_MAX_SIZE, x86-64 */

static const uint32_t usable_types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY, BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_LRU_HASH,
	BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS,
	BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
};
static const unsigned type_weight[] = { 12, 8, 4, 3, 7, 6, 3, 8, 6, 9, 4, 5, 5, 5 };

static uint32_t pick(struct rng *g, const uint32_t *v, unsigned n)
{
	return v[rng_below(g, n)];
}
#define PICK(g, arr) pick(g, arr, sizeof(arr) / sizeof(arr[0]))

/* ---- slots ---- */

static int slot_live(const struct run *r, int s)
{
	return s >= 0 && r->slots[s].state == S_LIVE;
}

static const struct obj *slot_obj(const struct run *r, int s)
{
	return slot_live(r, s) ? &r->objs[r->slots[s].obj] : NULL;
}

/* A live slot whose object satisfies want (NULL: any), or -1. */
static int pick_slot(struct rng *g, const struct run *r, int (*want)(const struct obj *))
{
	int cand[MAX_SLOTS], n = 0;
	for (int s = 0; s < MAX_SLOTS; s++)
		if (slot_live(r, s) && (!want || want(&r->objs[r->slots[s].obj])))
			cand[n++] = s;
	return n ? cand[rng_below(g, (uint32_t)n)] : -1;
}

static int is_map(const struct obj *o)
{
	return o->kind == K_MAP;
}

static int is_prog(const struct obj *o)
{
	return o->kind == K_PROG;
}

static int is_elem_map(const struct obj *o)
{
	return o->kind == K_MAP && o->key_size <= 64 && o->value_size <= 4096 && o->max_entries <= 4096;
}

static int is_plain_map(const struct obj *o)       /* can be an inner map */
{
	return o->kind == K_MAP && !type_is_fd_map(o->type);
}

/* The target of an op on a map: mostly a usable map; sometimes anything,
 * a program, a closed slot, or a bad fd. */
static void target(struct rng *g, const struct run *r, struct op *op, int (*want)(const struct obj *))
{
	op->fdmode = FD_SLOT;
	unsigned x = rng_below(g, 100);
	if (x < 88)
		op->slot = (int8_t)pick_slot(g, r, want);
	else if (x < 93)
		op->slot = (int8_t)pick_slot(g, r, NULL);
	else if (x < 96)
		op->slot = (int8_t)rng_below(g, MAX_SLOTS);      /* maybe closed / never made */
	else if (x < 99)
		op->fdmode = FD_BAD;
	else
		op->fdmode = FD_NEG;
	if (op->slot < 0 && op->fdmode == FD_SLOT)
		op->fdmode = FD_BAD;
}

/* ---- attr modes ---- */

/* Where each command's v5.1 fields end. */
static unsigned cmd_end(int kind, const struct op *op)
{
	switch (kind) {
	case OP_MAP_CREATE: return 60;
	case OP_UPDATE:
	case OP_LOOKUP: return 32;
	case OP_DELETE: return 16;
	case OP_NEXT_KEY:
	case OP_LOOKUP_DELETE: return 24;
	case OP_PROG_LOAD: return 108;
	case OP_PIN:
	case OP_OBJ_GET:
	case OP_INFO: return 16;
	case OP_NEXT_ID: return 8;
	case OP_FD_BY_ID: return op->variant % 3 == 0 ? 12 : 4;
	default: return 60;
	}
}

/* A size that cuts the attr short: never inside a pointer (half a pointer
 * is a wild one, which bpfvm cannot check as the kernel does) and never
 * before an fd (fd 0 is this process's stdin in the kernel). */
static unsigned gen_cut(struct rng *g, const struct op *op)
{
	static const uint8_t elem[] = { 4, 8, 16, 24, 25, 28, 32 };
	static const uint8_t obj_get[] = { 0, 8, 12, 13, 16 };
	static const uint8_t pin[] = { 12, 13, 16 };
	static const uint8_t info[] = { 4, 8, 16 };
	unsigned end = cmd_end(op->kind, op), c;
	switch (op->kind) {
	case OP_MAP_CREATE:
		c = rng_below(g, end + 1);
		if ((op->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || op->type == BPF_MAP_TYPE_HASH_OF_MAPS) && c < 24)
			c = 24;
		return c;
	case OP_UPDATE:
	case OP_LOOKUP:
	case OP_DELETE:
	case OP_NEXT_KEY:
	case OP_LOOKUP_DELETE:
		do
			c = elem[rng_below(g, sizeof(elem))];
		while (c > end);
		return c;
	case OP_PROG_LOAD:
		do
			c = 4 * rng_below(g, end / 4 + 1);
		while (c == 12 || c == 20 || c == 36 || c == 84 || c == 100);
		return c;
	case OP_OBJ_GET: return obj_get[rng_below(g, sizeof(obj_get))];
	case OP_PIN: return pin[rng_below(g, sizeof(pin))];
	case OP_INFO: return info[rng_below(g, sizeof(info))];
	case OP_NEXT_ID:        /* ids are global in the kernel: keep start_id whole */
		return 4 + rng_below(g, 5);
	case OP_FD_BY_ID:
		return 4 + rng_below(g, end - 3);
	default: return rng_below(g, end + 1);
	}
}

static void gen_attr_mode(struct rng *g, struct op *op)
{
	op->am = AM_FULL;
	if (op->kind == OP_CLOSE || op->kind == OP_CHECK || op->kind == OP_RAW || rng_pct(g, 92))
		return;
	unsigned end = cmd_end(op->kind, op);
	op->am_byte = (uint8_t)(1 + rng_below(g, 255));
	switch (rng_below(g, 8)) {
	case 0:
	case 1:
		op->am = AM_SHORT;
		op->am_off = (uint16_t)gen_cut(g, op);
		break;
	case 2:
		op->am = AM_BIG;
		break;
	case 3:
		if (end < V51_ATTR_SIZE) {
			op->am = AM_TAIL;
			op->am_off = (uint16_t)(end + rng_below(g, V51_ATTR_SIZE - end));
		}
		break;
	case 4:
		if (cfg.kattr > V51_ATTR_SIZE) {
			op->am = AM_MID;
			op->am_off = (uint16_t)(V51_ATTR_SIZE + rng_below(g, cfg.kattr - V51_ATTR_SIZE));
		}
		break;
	case 5:
		op->am = AM_FAR;
		op->am_off = (uint16_t)(cfg.kattr + rng_below(g, PAGE - cfg.kattr));
		break;
	case 6:
		op->am = AM_HUGE;
		break;
	default:
		op->am = AM_NULL;
		break;
	}
}

/* ---- names ---- */

static void gen_name(struct rng *g, char name[16])
{
	/* "\xc9t\xe9": Latin-1 letters, which the kernel's isalnum() takes */
	static const char *const good[] = { "", "m", "map_1", "A_b_C", "x.y", "0123456789abcde", "_", "\xc9t\xe9" };
	static const char *const bad[] = { "bad-name", "sp ace", "tab\tx", "\xc3\xa9t\xc3\xa9", "a/b", "q?" };
	memset(name, 0, 16);
	unsigned x = rng_below(g, 100);
	if (x < 90)
		strcpy(name, good[rng_below(g, 7)]);
	else if (x < 93)
		strcpy(name, good[7]);
	else if (x < 97)
		strcpy(name, bad[rng_below(g, 6)]);
	else
		memcpy(name, "0123456789abcdef", 16);          /* no NUL */
}

/* ---- MAP_CREATE ---- */

static uint32_t gen_flags(struct rng *g, uint32_t type)
{
	uint32_t f = 0;
	if (type_is_hash(type) || type == BPF_MAP_TYPE_LPM_TRIE) {
		if (type == BPF_MAP_TYPE_LPM_TRIE ? rng_pct(g, 92) : rng_pct(g, type_is_lru(type) ? 4 : 30))
			f |= BPF_F_NO_PREALLOC;
		if (type_is_hash(type) && rng_pct(g, 45))
			f |= BPF_F_ZERO_SEED;
	}
	if (type_is_lru(type) && rng_pct(g, 35))
		f |= BPF_F_NO_COMMON_LRU;
	if (rng_pct(g, 6))
		f |= BPF_F_RDONLY;
	if (rng_pct(g, 6))
		f |= BPF_F_WRONLY;
	if (rng_pct(g, 5))
		f |= BPF_F_NUMA_NODE;
	if (type == BPF_MAP_TYPE_STACK_TRACE && rng_pct(g, 20))
		f |= BPF_F_STACK_BUILD_ID;
	return f;
}

static void gen_sane_map(struct rng *g, struct op *op, uint32_t type)
{
	static const uint32_t hks[] = { 1, 2, 3, 4, 4, 4, 6, 8, 8, 12, 16, 20, 32, 64 };
	static const uint32_t vss[] = { 1, 2, 4, 4, 7, 8, 8, 12, 16, 24, 32, 64, 100 };
	static const uint32_t maxs[] = { 1, 2, 3, 4, 5, 8, 8, 13, 16, 16, 32, 64 };
	op->type = type;
	op->key_size = PICK(g, hks);
	op->value_size = PICK(g, vss);
	op->max_entries = PICK(g, maxs);
	op->map_flags = gen_flags(g, type);
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		op->key_size = 4;
		break;
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		op->key_size = 4;
		op->value_size = 4;
		break;
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		op->value_size = 4;
		break;
	case BPF_MAP_TYPE_STACK_TRACE: {
		static const uint32_t st[] = { 8, 16, 64, 127 * 8 };
		static const uint32_t bid[] = { 32, 64, 96 };
		op->key_size = 4;
		op->value_size = op->map_flags & BPF_F_STACK_BUILD_ID ? PICK(g, bid) : PICK(g, st);
		break;
	}
	case BPF_MAP_TYPE_LPM_TRIE: {
		static const uint32_t d[] = { 1, 2, 4, 4, 8, 16 };
		op->key_size = 4 + PICK(g, d);
		break;
	}
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		op->key_size = 0;
		break;
	}
}

/* One attribute pushed to an edge. */
static void mutate_map(struct rng *g, struct op *op)
{
	uint32_t t = op->type;
	switch (rng_below(g, 9)) {
	case 0: {
		static const uint32_t ks[] = { 0, 1, 3, 4, 5, 8, 260, 261, 511, 512, 513, 4096, 0xffffffffu };
		op->key_size = PICK(g, ks);
		break;
	}
	case 1: {
		static const uint32_t vs[] = { 0, 1, 4, 8, 32767, 32768, 32769, 32776, 65536, KMAX - 512 - 48 - 1,
					       KMAX - 512 - 48, KMAX - 256, KMAX, KMAX + 1, 0x7fffffffu, 0xffffffffu };
		op->value_size = PICK(g, vs);
		if (op->value_size > 4096)
			op->max_entries = 1;    /* one big element at most */
		/* 6.18 takes array values up to INT_MAX: keep them small. */
		if ((t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY) && op->value_size > KMAX + 64 &&
		    op->value_size <= 0x7fffffffu)
			op->value_size = KMAX + 8;
		break;
	}
	case 2: {
		/* Huge counts only where both refuse them without allocating,
		 * or (LPM, no preallocation) where nothing is allocated. */
		static const uint32_t small[] = { 0, 1, 2, 1000, 4096 };
		static const uint32_t huge[] = { (1u << 28) + 1, 0x80000001u, 0xffffffffu };
		static const uint32_t huge_st[] = { 0x80000001u, 0xffffffffu };    /* 6.18: > 2^31 is E2BIG */
		if (type_is_hash(t) || t == BPF_MAP_TYPE_LPM_TRIE)
			op->max_entries = rng_pct(g, 50) ? PICK(g, huge) : PICK(g, small);
		else if (t == BPF_MAP_TYPE_STACK_TRACE)
			op->max_entries = rng_pct(g, 50) ? PICK(g, huge_st) : PICK(g, small);
		else
			op->max_entries = PICK(g, small);
		if (op->max_entries > 64 && op->value_size > 64)
			op->value_size = 8;
		break;
	}
	case 3:         /* any combination of v5.1's flags */
		op->map_flags = rng_below(g, 128);
		break;
	case 4:         /* flags v5.1 does not know: unknown to 6.18 too, or new in it */
		op->map_flags |= rng_pct(g, 70) ? 1u << (19 + rng_below(g, 13)) : 1u << (7 + rng_below(g, 12));
		break;
	case 5: {
		static const uint32_t nodes[] = { 0, 1, 2, 0xffffffffu, 0x7fffffffu };
		op->map_flags |= rng_pct(g, 80) ? BPF_F_NUMA_NODE : 0;
		op->numa_node = PICK(g, nodes);
		break;
	}
	case 6: {
		static const uint32_t bad[] = { 0, 8, 14, 21, 1000, 0xffffffffu };
		static const uint32_t bad_safe[] = { 0, 1000, 0xffffffffu };
		(void)bad;
		op->type = PICK(g, bad_safe);
		break;
	}
	case 7:         /* offloaded map: ifindex 1 is lo (no ndo_bpf), 999 none */
		op->u32a = rng_pct(g, 50) ? 1 : 999;
		break;
	default:
		op->key_size = rng_pct(g, 50) ? op->key_size + 1 : op->key_size ? op->key_size - 1 : 0;
		op->value_size = rng_pct(g, 50) ? op->value_size + 4 : op->value_size / 2;
		break;
	}
}

static void gen_map_create(struct rng *g, const struct run *r, struct op *op, int sane)
{
	unsigned total = 0, x;
	for (unsigned i = 0; i < sizeof(type_weight) / sizeof(type_weight[0]); i++)
		total += type_weight[i];
	x = rng_below(g, total);
	unsigned i = 0;
	while (x >= type_weight[i])
		x -= type_weight[i++];
	gen_sane_map(g, op, usable_types[i]);
	gen_name(g, op->name);
	op->slot2 = -1;
	op->fdmode2 = FD_SLOT;
	if (op->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || op->type == BPF_MAP_TYPE_HASH_OF_MAPS || rng_pct(g, 3)) {
		unsigned y = rng_below(g, 100);
		if (y < 80)
			op->slot2 = (int8_t)pick_slot(g, r, is_plain_map);
		else if (y < 92)
			op->slot2 = (int8_t)pick_slot(g, r, NULL);
		else if (y < 96)
			op->fdmode2 = FD_BAD;
		else
			op->fdmode2 = FD_NEG;
		if (op->slot2 < 0 && op->fdmode2 == FD_SLOT)
			op->fdmode2 = FD_BAD;
	}
	if (!sane && rng_pct(g, 30)) {
		mutate_map(g, op);
		if (rng_pct(g, 25))
			mutate_map(g, op);
	}
}

/* ---- element operations ---- */

static uint32_t gen_kidx(struct rng *g, const struct obj *o)
{
	if (!o)
		return rng_below(g, 16);
	if (o->type == BPF_MAP_TYPE_LPM_TRIE)
		return rng_below(g, 72);
	if (type_is_array(o->type)) {
		if (rng_pct(g, 3))
			return 0xffffffffu;
		return rng_below(g, o->max_entries + 2);
	}
	/* Mostly a few keys, so that lookups and deletes find what updates put. */
	uint32_t m = o->max_entries < 64 ? o->max_entries : 64;
	return rng_pct(g, 65) ? rng_below(g, m < 6 ? m + 1 : 6) : rng_below(g, m * 2 + 2);
}

static uint64_t gen_elem_flags(struct rng *g, int kind)
{
	unsigned x = rng_below(g, 100);
	if (x < 45)
		return BPF_ANY;
	if (x < 65)
		return BPF_NOEXIST;
	if (x < 85)
		return BPF_EXIST;
	if (x < 91)
		return BPF_F_LOCK | rng_below(g, 3);
	if (x < 96)
		return 3 + rng_below(g, 30);
	(void)kind;
	return 1ull << (32 + rng_below(g, 32));
}

static void gen_elem(struct rng *g, const struct run *r, struct op *op)
{
	target(g, r, op, is_elem_map);
	const struct obj *o = slot_obj(r, op->slot);
	op->kidx = gen_kidx(g, o);
	/* Lookups and deletes: often a key an update stored lately. */
	if (op->kind != OP_UPDATE && r->nrecent && rng_pct(g, 50)) {
		unsigned i = rng_below(g, r->nrecent < 8 ? r->nrecent : 8);
		if (slot_live(r, r->recent[i].slot)) {
			op->slot = (int8_t)r->recent[i].slot;
			op->fdmode = FD_SLOT;
			op->kidx = r->recent[i].kidx;
			o = slot_obj(r, op->slot);
		}
	}
	op->vseed = rng_next(g);
	op->keymode = KM_NORMAL;
	op->valmode = KM_NORMAL;
	int keyless = o && o->kind == K_MAP && o->key_size == 0;
	/* NULL keys are right for keyless maps (and a start for GET_NEXT_KEY). */
	if (keyless ? rng_pct(g, 90) : rng_pct(g, op->kind == OP_NEXT_KEY ? 25 : 4))
		op->keymode = KM_NULL;
	if (rng_pct(g, 4))
		op->valmode = KM_NULL;
	op->flags = 0;
	if (op->kind == OP_UPDATE || op->kind == OP_LOOKUP)
		op->flags = op->kind == OP_LOOKUP ? (rng_pct(g, 90) ? 0 : gen_elem_flags(g, op->kind))
						  : gen_elem_flags(g, op->kind);
	if (op->kind == OP_LOOKUP_DELETE && rng_pct(g, 8))
		op->flags = rng_pct(g, 50) ? BPF_F_LOCK : 1 + rng_below(g, 8);
	op->slot2 = -1;
	op->fdmode2 = FD_SLOT;
	if (op->kind == OP_UPDATE && o && type_is_fd_map(o->type)) {
		unsigned y = rng_below(g, 100);
		if (o->type == BPF_MAP_TYPE_PROG_ARRAY)
			op->slot2 = (int8_t)pick_slot(g, r, y < 80 ? is_prog : NULL);
		else if (o->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			op->slot2 = (int8_t)pick_slot(g, r, NULL);
		else
			op->slot2 = (int8_t)pick_slot(g, r, y < 85 ? is_plain_map : NULL);
		if (rng_pct(g, 6) || op->slot2 < 0)
			op->fdmode2 = FD_BAD;
	}
}

/* ---- the rest ---- */

static void gen_prog_load(struct rng *g, const struct run *r, struct op *op)
{
	static const uint32_t types[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP,
					  BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, 0, 1000 };
	op->type = PICK(g, types);
	unsigned body = rng_below(g, 100) < 55 ? 0 : rng_below(g, 100) < 70 ? 1 : 2 + rng_below(g, 3);
	if (body == 2 && !cfg.vm_verifies)
		body = 0;       /* bpfvm without its verifier would take it */
	unsigned lic = rng_pct(g, 85) ? rng_below(g, 3) : 3 + rng_below(g, 4);  /* 6: NULL */
	op->variant = (uint8_t)(lic * 5 + body);
	op->u32a = rng_pct(g, 50) ? 2 : rng_below(g, 4);
	op->map_flags = rng_pct(g, 90) ? 0 : rng_pct(g, 70) ? rng_below(g, 4) : 1u << 30;
	gen_name(g, op->name);
	op->slot2 = -1;
	op->fdmode2 = FD_SLOT;
	if (body == 1) {
		op->slot2 = (int8_t)pick_slot(g, r, rng_pct(g, 90) ? is_map : NULL);
		if (op->slot2 < 0 || rng_pct(g, 5))
			op->fdmode2 = FD_BAD;
	}
}

static void gen_path(struct rng *g, struct op *op)
{
	op->variant = (uint8_t)(rng_pct(g, 85) ? rng_below(g, 6) : 6 + rng_below(g, 5));
}

static void gen_info(struct rng *g, const struct run *r, struct op *op)
{
	target(g, r, op, NULL);
	op->variant = (uint8_t)(rng_pct(g, 50) ? (rng_pct(g, 50) ? 0 : 9) : rng_below(g, 10));
	op->u32a = (uint32_t)rng_next(g);
}

void gen_op(struct rng *g, const struct run *r, int index, struct op *op)
{
	memset(op, 0, sizeof(*op));
	op->slot = op->slot2 = -1;
	op->out = (int8_t)index;
	if (index < 3 || pick_slot(g, r, is_map) < 0) {
		op->kind = OP_MAP_CREATE;
		gen_map_create(g, r, op, 1);
		return;
	}
	static const unsigned w[OP__COUNT] = {
		[OP_MAP_CREATE] = 12, [OP_UPDATE] = 26, [OP_LOOKUP] = 14, [OP_DELETE] = 8, [OP_NEXT_KEY] = 8,
		[OP_LOOKUP_DELETE] = 5, [OP_PROG_LOAD] = 4, [OP_PIN] = 4, [OP_OBJ_GET] = 4, [OP_INFO] = 5,
		[OP_NEXT_ID] = 2, [OP_FD_BY_ID] = 3, [OP_CLOSE] = 2, [OP_RAW] = 1, [OP_CHECK] = 4,
	};
	unsigned total = 0;
	for (int i = 0; i < OP__COUNT; i++)
		total += w[i];
	unsigned x = rng_below(g, total);
	int k = 0;
	while (x >= w[k])
		x -= w[k++];
	op->kind = (uint8_t)k;
	switch (k) {
	case OP_MAP_CREATE:
		gen_map_create(g, r, op, 0);
		break;
	case OP_UPDATE:
	case OP_LOOKUP:
	case OP_DELETE:
	case OP_NEXT_KEY:
	case OP_LOOKUP_DELETE:
		gen_elem(g, r, op);
		break;
	case OP_PROG_LOAD:
		gen_prog_load(g, r, op);
		break;
	case OP_PIN:
		target(g, r, op, NULL);
		gen_path(g, op);
		op->u32a = rng_pct(g, 92) ? 0 : rng_pct(g, 50) ? BPF_F_RDONLY : BPF_F_WRONLY;
		break;
	case OP_OBJ_GET: {
		static const uint32_t ff[] = { BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY | BPF_F_WRONLY, 1u << 20, 1 };
		gen_path(g, op);
		int pinned[6], np = 0;
		for (int i = 0; i < 6; i++)
			if (r->pins[i] >= 0)
				pinned[np++] = i;
		if (np && rng_pct(g, 70))
			op->variant = (uint8_t)pinned[rng_below(g, (uint32_t)np)];
		op->u32a = rng_pct(g, 70) ? 0 : PICK(g, ff);
		op->fdmode = rng_pct(g, 4) ? FD_BAD : FD_SLOT;  /* FD_BAD: bpf_fd nonzero */
		break;
	}
	case OP_INFO:
		gen_info(g, r, op);
		break;
	case OP_NEXT_ID: {
		op->slot = (int8_t)pick_slot(g, r, NULL);
		unsigned prog = op->slot >= 0 && r->objs[r->slots[op->slot].obj].kind == K_PROG;
		unsigned start = op->slot >= 0 && rng_pct(g, 60) ? 0 : 1 + rng_below(g, 4);
		if (start)
			prog = rng_below(g, 2);
		op->variant = (uint8_t)(prog | start << 1);
		break;
	}
	case OP_FD_BY_ID: {
		static const uint32_t of[] = { BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY | BPF_F_WRONLY, 1u << 20, 1 };
		op->slot = (int8_t)pick_slot(g, r, NULL);
		unsigned which = op->slot >= 0 && r->objs[r->slots[op->slot].obj].kind == K_PROG ? 1 : 0;
		unsigned idmode = op->slot >= 0 && rng_pct(g, 75) ? 0 : 1 + rng_below(g, 2);
		if (idmode && rng_pct(g, 25))
			which = 2;      /* BTF: no BTF objects here, only ENOENT paths */
		op->variant = (uint8_t)(idmode * 3 + which);
		op->u32a = rng_pct(g, 65) ? 0 : PICK(g, of);
		break;
	}
	case OP_CLOSE:
		op->slot = (int8_t)pick_slot(g, r, NULL);
		break;
	case OP_RAW: {
		static const uint32_t cmds[] = { 0xffffffffu, 1000, 0x7fffffffu, 0x80000000u, BPF_MAP_CREATE,
						 BPF_PROG_LOAD };
		op->variant = (uint8_t)rng_below(g, 3);
		if (op->variant == 2)
			op->u32a = BPF_BTF_GET_FD_BY_ID;
		else
			op->u32a = PICK(g, cmds);
		break;
	}
	case OP_CHECK:
		op->slot = (int8_t)pick_slot(g, r, is_map);
		break;
	}
	gen_attr_mode(g, op);
}
