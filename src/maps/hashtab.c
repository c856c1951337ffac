/*
 * The hash map family: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and
 * HASH_OF_MAPS, with the semantics of the kernel's kernel/bpf/hashtab.c as of
 * v5.1 (checks, errnos, bucket count, hash function, iteration order,
 * element replacement on update, LRU eviction via maps/lru.c).
 *
 * Concurrency. Programs on several threads look up, update and delete while
 * the host runs commands.
 *  - Writers take the lock of the key's bucket.
 *  - Readers take no lock. Elements are never returned to malloc while the
 *    map lives: a deleted element goes to a free list (or back to the LRU)
 *    and may be reused at once, possibly in another bucket, exactly as the
 *    kernel's preallocated maps allow. Bucket chains end in a "nulls" marker
 *    that names the bucket; a reader that followed a recycled element into
 *    another chain ends on the wrong marker and starts again.
 *  - Everything a lock-free reader looks at (chain links, hash, key) is
 *    written with atomic stores and read with atomic loads; a chain link is
 *    published with release and followed with acquire. Values are copied
 *    plainly: what programs do with value memory is their business.
 *  - BPF_F_NO_PREALLOC: elements are allocated on first need (in small
 *    chunks) but also kept until the map is freed, so the same rules hold.
 *
 * Lock order: LRU locks -> bucket lock -> free-list / chunk locks.
 */
#include "maps/hashtab.h"
#include "maps/lru.h"
#include "maps/map.h"
#include "maps/map_in_map.h"
#include "core/kerrno.h"
#include "core/vm.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Kernel constants that shape v5.1's limits (x86-64). */
#define MAX_BPF_STACK 512u
#define KMALLOC_MAX_SIZE (1u << 22)       /* SLUB: MAX_ORDER + PAGE_SHIFT - 1 */
#define KERNEL_HTAB_ELEM_SIZE 48u         /* sizeof(struct htab_elem) */
#define KERNEL_BUCKET_SIZE 16u            /* sizeof(struct bucket) */
#define KERNEL_PAGE_SIZE 4096u
#define PCPU_MIN_UNIT_SIZE 32768u         /* largest percpu allocation */

#define HTAB_CREATE_FLAG_MASK                                                                      \
	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | \
	 BPF_F_ZERO_SEED)

/* ---- layout -------------------------------------------------------------- */

/* An element: chain link, LRU node (whose hash field is the element's hash
 * in every map type; its link.next is the free-list link of non-LRU maps),
 * the key padded to 8 bytes, then the value area: the value padded to 8
 * bytes, or for per-CPU maps a pointer to the element's per-CPU block, or
 * for HASH_OF_MAPS the inner map pointer. */
struct htab_elem {
	uintptr_t next;                 /* element, or NULLS(bucket) */
	struct bpfvm_lru_node lru;
	uint64_t key[];
};

#define NULLS(idx) (((uintptr_t)(idx) << 1) | 1u)

/* A chain link that is an element (not a nulls marker; 0 is a bucket
 * head never written yet). */
static inline int is_elem(uintptr_t p)
{
	return p && !(p & 1u);
}

struct htab_bucket {
	uintptr_t head;
	uint32_t lock;
	uint32_t unused;
};

/* One per CPU, spread over cache lines: a deleted element is pushed on the
 * deleting CPU's list; a pop tries the own CPU's list first, then the
 * others (the kernel's pcpu_freelist). */
struct htab_freelist {
	uint32_t lock;
	struct htab_elem *head;
	char pad[64 - 16];
};

/* The kernel's per-CPU extra element: an update that replaces an element
 * takes the CPU's spare and leaves the replaced element as the new spare,
 * without touching the free lists. Exchanged atomically, since several
 * threads may run as the same CPU. */
struct htab_spare {
	struct htab_elem *e;
	char pad[64 - 8];
};

/* Elements allocated after creation (NO_PREALLOC, or the rare case where
 * concurrent replacements outrun the spare elements): freed with the map. */
struct htab_chunk {
	struct htab_chunk *next;
	uint64_t pad[7];
};

struct bpfvm_htab {
	struct bpfvm_map map;
	/* read by every lookup */
	struct htab_bucket *buckets;
	uint32_t bucket_mask;           /* n_buckets - 1 */
	uint32_t hashrnd;
	uint32_t key_size;
	uint32_t value_off;             /* offset of the value area in an element */
	uint32_t pcpu_size;             /* round_up(value_size, 8) */
	uint32_t ncpus;                 /* per-CPU slots / free lists / LRU lists */
	/* the rest */
	uint32_t n_buckets;
	uint32_t value_size;
	uint32_t elem_size;
	uint32_t max_entries;           /* after the per-CPU LRU rounding */
	uint8_t is_percpu, is_lru, is_prealloc, is_fd;
	void *elems;                    /* preallocated elements */
	void *pcpu_blocks;              /* their per-CPU value blocks */
	struct htab_freelist *fl;       /* non-LRU maps */
	struct htab_spare *spares;      /* HASH, HASH_OF_MAPS: one per CPU */
	struct bpfvm_lru lru;           /* LRU maps */
	uint32_t chunk_lock;
	struct htab_chunk *chunks;
	char pad0[64];
	long count;                     /* elements in the table (non-LRU) */
	char pad1[64];
};

static inline struct bpfvm_htab *htab_of(const struct bpfvm_map *map)
{
	return (struct bpfvm_htab *)(uintptr_t)map;
}

static inline uint8_t *elem_value(const struct bpfvm_htab *h, struct htab_elem *e)
{
	return (uint8_t *)e + h->value_off;
}

static inline uint8_t *elem_pcpu(const struct bpfvm_htab *h, struct htab_elem *e)
{
	uint8_t *block;
	memcpy(&block, elem_value(h, e), sizeof(block));
	return block;
}

static inline struct bpfvm_map *elem_inner(const struct bpfvm_htab *h, struct htab_elem *e)
{
	return __atomic_load_n((struct bpfvm_map **)(void *)elem_value(h, e), __ATOMIC_RELAXED);
}

static inline struct htab_elem *elem_of_node(struct bpfvm_lru_node *n)
{
	return (struct htab_elem *)(void *)((uint8_t *)n - offsetof(struct htab_elem, lru));
}

static inline struct htab_elem *elem_at(const struct bpfvm_htab *h, void *base, uint32_t i)
{
	return (struct htab_elem *)(void *)((uint8_t *)base + (size_t)i * h->elem_size);
}

static inline uint32_t elem_hash(const struct htab_elem *e)
{
	return __atomic_load_n(&e->lru.hash, __ATOMIC_RELAXED);
}

/* ---- keys and hashing ---------------------------------------------------- */

/* The hot paths are compiled for 4- and 8-byte keys, where hashing and
 * comparing come down to a few instructions, and for any size: functions
 * taking `ks` are always inlined, and BY_KEY_SIZE calls them with a
 * constant when it can. */
#define HOT inline __attribute__((always_inline))
#define BY_KEY_SIZE(h, fn, ...)                                                                      \
	((h)->key_size == 4 ? fn(__VA_ARGS__, 4) : (h)->key_size == 8 ? fn(__VA_ARGS__, 8)           \
							  : fn(__VA_ARGS__, (h)->key_size))

static HOT uint32_t hash_ks(const struct bpfvm_htab *h, const void *key, uint32_t ks)
{
	if (ks == 4)
		return bpfvm_jhash_4(key, h->hashrnd);
	if (ks == 8)
		return bpfvm_jhash_8(key, h->hashrnd);
	return bpfvm_jhash(key, ks, h->hashrnd);
}

static uint32_t htab_hash(const struct bpfvm_htab *h, const void *key)
{
	return hash_ks(h, key, h->key_size);
}

/* Keys are stored as zero-padded 64-bit words with atomic stores, so that
 * a reader racing with the reuse of an element reads whole words and the
 * race is a defined one. */
static HOT uint64_t key_word(const uint8_t *k, uint32_t off, uint32_t ks)
{
	uint64_t w = 0;
	if (ks - off >= 8)
		memcpy(&w, k + off, 8);
	else
		memcpy(&w, k + off, ks - off);
	return w;
}

static HOT void key_store(struct htab_elem *e, const void *key, uint32_t ks)
{
	for (uint32_t off = 0; off < ks; off += 8)
		__atomic_store_n(&e->key[off / 8], key_word(key, off, ks), __ATOMIC_RELAXED);
}

static HOT int key_equal(const struct htab_elem *e, const void *key, uint32_t ks)
{
	for (uint32_t off = 0; off < ks; off += 8)
		if (__atomic_load_n(&e->key[off / 8], __ATOMIC_RELAXED) != key_word(key, off, ks))
			return 0;
	return 1;
}

/* ---- chains --------------------------------------------------------------- */

/* Lock-free search (the kernel's lookup_nulls_elem_raw). */
static HOT struct htab_elem *find_nolock(const struct bpfvm_htab *h, const void *key, uint32_t hash, uint32_t ks)
{
	uint32_t idx = hash & h->bucket_mask;
	const struct htab_bucket *b = &h->buckets[idx];
	uintptr_t p;
again:
	p = __atomic_load_n(&b->head, __ATOMIC_ACQUIRE);
	while (is_elem(p)) {
		const struct htab_elem *e = (const struct htab_elem *)p;
		if (elem_hash(e) == hash && key_equal(e, key, ks))
			return (struct htab_elem *)p;
		p = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE);
	}
	/* Ended in another bucket's chain: an element was moved under us. */
	if (__builtin_expect(p && p != NULLS(idx), 0))
		goto again;
	return NULL;
}

static HOT struct htab_elem *find_ks(const struct bpfvm_htab *h, const void *key, uint32_t ks)
{
	return find_nolock(h, key, hash_ks(h, key, ks), ks);
}

static __attribute__((noinline)) struct htab_elem *find_any(const struct bpfvm_htab *h, const void *key)
{
	return find_ks(h, key, h->key_size);
}

static HOT struct htab_elem *htab_find(const struct bpfvm_htab *h, const void *key)
{
	if (h->key_size == 4)
		return find_ks(h, key, 4);
	if (h->key_size == 8)
		return find_ks(h, key, 8);
	return find_any(h, key);
}

/* Search with the bucket lock held; *linkp gets the link that points to
 * the element (the bucket head or the previous element's next). */
static HOT struct htab_elem *find_locked(const struct bpfvm_htab *h, struct htab_bucket *b, const void *key,
					 uint32_t hash, uintptr_t **linkp, uint32_t ks)
{
	uintptr_t *link = &b->head;
	uintptr_t p = __atomic_load_n(link, __ATOMIC_RELAXED);
	while (is_elem(p)) {
		struct htab_elem *e = (struct htab_elem *)p;
		if (elem_hash(e) == hash && key_equal(e, key, ks)) {
			if (linkp)
				*linkp = link;
			return e;
		}
		link = &e->next;
		p = __atomic_load_n(link, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* New elements go to the head of the chain (as hlist_nulls_add_head_rcu),
 * which is what makes the kernel's iteration order. */
static void chain_add_head(struct htab_bucket *b, uint32_t idx, struct htab_elem *e)
{
	uintptr_t head = __atomic_load_n(&b->head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->next, head ? head : NULLS(idx), __ATOMIC_RELAXED);
	__atomic_store_n(&b->head, (uintptr_t)e, __ATOMIC_RELEASE);
}

/* The unlinked element keeps its next, so a reader standing on it can go
 * on (hlist_nulls_del_rcu). */
static void chain_unlink(uintptr_t *link, struct htab_elem *e)
{
	__atomic_store_n(link, __atomic_load_n(&e->next, __ATOMIC_RELAXED), __ATOMIC_RELEASE);
}

/* Replace `old` (found through `link`) by `e`: first add e, then unlink
 * old, so that a concurrent lookup finds one or the other. */
static void chain_replace(struct htab_bucket *b, uint32_t idx, uintptr_t *link, struct htab_elem *old,
			  struct htab_elem *e)
{
	chain_add_head(b, idx, e);
	if (!old)
		return;
	if (link == &b->head)
		link = &e->next;
	chain_unlink(link, old);
}

/* ---- element supply (non-LRU) --------------------------------------------- */

static inline struct htab_elem *fl_next(const struct htab_elem *e)
{
	return (struct htab_elem *)(void *)e->lru.link.next;
}

static void fl_push(struct bpfvm_htab *h, struct htab_elem *e, uint32_t cpu)
{
	struct htab_freelist *fl = &h->fl[cpu % h->ncpus];
	htab_lock(&fl->lock);
	e->lru.link.next = (struct bpfvm_lru_link *)(void *)fl->head;
	__atomic_store_n(&fl->head, e, __ATOMIC_RELAXED);
	htab_unlock(&fl->lock);
}

static struct htab_elem *fl_pop(struct bpfvm_htab *h, uint32_t cpu)
{
	uint32_t i = cpu % h->ncpus;
	for (uint32_t n = 0; n < h->ncpus; n++, i = i + 1 < h->ncpus ? i + 1 : 0) {
		struct htab_freelist *fl = &h->fl[i];
		if (!__atomic_load_n(&fl->head, __ATOMIC_RELAXED))
			continue;
		htab_lock(&fl->lock);
		struct htab_elem *e = fl->head;
		if (e)
			__atomic_store_n(&fl->head, fl_next(e), __ATOMIC_RELAXED);
		htab_unlock(&fl->lock);
		if (e)
			return e;
	}
	return NULL;
}

/* Give elements [0, n) of `base` (with per-CPU blocks from `blocks`) their
 * block pointers, and put them on the free lists, spread over the CPUs in
 * runs. At creation (`locked` 0) nobody else can see the lists yet. */
static void elems_setup(struct bpfvm_htab *h, void *base, uint8_t *blocks, uint32_t n, uint32_t cpu,
			int locked)
{
	uint32_t run = n / h->ncpus + 1;
	for (uint32_t i = 0; i < n; i++) {
		struct htab_elem *e = elem_at(h, base, i);
		if (h->is_percpu) {
			uint8_t *blk = blocks + (size_t)i * h->pcpu_size * h->ncpus;
			memcpy(elem_value(h, e), &blk, sizeof(blk));
		}
		uint32_t c = locked ? cpu : cpu + i / run;
		if (locked) {
			fl_push(h, e, c);
		} else {
			struct htab_freelist *fl = &h->fl[c % h->ncpus];
			e->lru.link.next = (struct bpfvm_lru_link *)(void *)fl->head;
			fl->head = e;
		}
	}
}

/* No free element: allocate some (NO_PREALLOC: up to 16 at a time; a
 * preallocated map only gets here when concurrent replacements have all
 * spare elements in flight). calloc'd, so a spin lock in a new value
 * starts unlocked (check_and_init_map_lock). */
static struct htab_elem *elem_alloc_slow(struct bpfvm_htab *h, uint32_t cpu)
{
	if (h->is_percpu && h->pcpu_size > PCPU_MIN_UNIT_SIZE)
		return NULL;    /* what the kernel's percpu allocator refuses */
	uint32_t n = h->is_prealloc ? 1 : (h->max_entries < 16 ? h->max_entries : 16);
	size_t blk = h->is_percpu ? (size_t)h->pcpu_size * h->ncpus : 0;
	struct htab_chunk *c = calloc(1, sizeof(*c) + (size_t)n * (h->elem_size + blk));
	if (!c)
		return NULL;
	uint8_t *base = (uint8_t *)(c + 1);
	htab_lock(&h->chunk_lock);
	c->next = h->chunks;
	h->chunks = c;
	htab_unlock(&h->chunk_lock);
	struct htab_elem *e = elem_at(h, base, 0);
	if (h->is_percpu) {
		uint8_t *b0 = base + (size_t)n * h->elem_size;
		memcpy(elem_value(h, e), &b0, sizeof(b0));
	}
	if (n > 1)
		elems_setup(h, elem_at(h, base, 1), base + (size_t)n * h->elem_size + blk, n - 1, cpu, 1);
	return e;
}

static struct htab_elem *elem_get(struct bpfvm_htab *h, uint32_t cpu)
{
	struct htab_elem *e = fl_pop(h, cpu);
	return e ? e : elem_alloc_slow(h, cpu);
}

/* The element limit of non-LRU maps: a new key needs a free slot
 * (prealloc: the free list; NO_PREALLOC: htab->count), replacing one does
 * not (prealloc: the per-CPU extra element). */
static int count_inc(struct bpfvm_htab *h)
{
	if (__atomic_add_fetch(&h->count, 1, __ATOMIC_RELAXED) > (long)h->max_entries) {
		__atomic_sub_fetch(&h->count, 1, __ATOMIC_RELAXED);
		return 0;
	}
	return 1;
}

static void count_dec(struct bpfvm_htab *h)
{
	__atomic_sub_fetch(&h->count, 1, __ATOMIC_RELAXED);
}

static HOT void elem_init(struct htab_elem *e, const void *key, uint32_t hash, uint32_t ks)
{
	key_store(e, key, ks);
	__atomic_store_n(&e->lru.hash, hash, __ATOMIC_RELAXED);
}

/* ---- per-CPU values -------------------------------------------------------- */

/* Program side (one CPU): value_size bytes into that CPU's slot. Syscall
 * side (all CPUs): each slot from its rounded-up place in the buffer. */
static void pcpu_copy(struct bpfvm_htab *h, struct htab_elem *e, const void *value, int onall, uint32_t cpu)
{
	uint8_t *blk = elem_pcpu(h, e);
	if (!onall) {
		memcpy(blk + (size_t)cpu * h->pcpu_size, value, h->value_size);
		return;
	}
	memcpy(blk, value, (size_t)h->pcpu_size * h->ncpus);
}

/* A new element set from a program: the other CPUs' slots read as zero
 * (v5.1 left whatever a previous user of the element had there; later
 * kernels zero them, and so do we). */
static void pcpu_init(struct bpfvm_htab *h, struct htab_elem *e, const void *value, int onall, uint32_t cpu)
{
	if (!onall)
		memset(elem_pcpu(h, e), 0, (size_t)h->pcpu_size * h->ncpus);
	pcpu_copy(h, e, value, onall, cpu);
}

static inline uint32_t cpu_clamp(const struct bpfvm_htab *h, uint32_t cpu)
{
	return cpu < h->ncpus ? cpu : 0;
}

/* ---- creation ------------------------------------------------------------- */

static int type_is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int type_is_lru(uint32_t t)
{
	return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* htab_map_alloc_check of v5.1, in its order. LRU maps and ZERO_SEED need
 * CAP_SYS_ADMIN there (-EPERM otherwise): the vm's user is root. */
static int htab_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	int percpu = type_is_percpu(attr->map_type);
	int lru = type_is_lru(attr->map_type);
	int percpu_lru = !!(attr->map_flags & BPF_F_NO_COMMON_LRU);
	int prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);
	/* bpf_map_attr_numa_node: node -1 is "none" even with the flag. */
	int numa = (attr->map_flags & BPF_F_NUMA_NODE) && (int32_t)attr->numa_node != -1;

	if (attr->map_flags & ~HTAB_CREATE_FLAG_MASK)
		return -EINVAL;
	if (!lru && percpu_lru)
		return -EINVAL;
	if (lru && !prealloc)
		return -ENOTSUPP;
	if (numa && (percpu || percpu_lru))
		return -EINVAL;
	if (attr->max_entries == 0 || attr->key_size == 0 || attr->value_size == 0)
		return -EINVAL;
	/* Programs build keys on their stack. */
	if (attr->key_size > MAX_BPF_STACK)
		return -E2BIG;
	/* The syscall copies values through kmalloc. */
	if (attr->value_size >= KMALLOC_MAX_SIZE - MAX_BPF_STACK - KERNEL_HTAB_ELEM_SIZE)
		return -E2BIG;
	return 0;
}

static uint32_t pick_seed(void)
{
	uint32_t seed;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)(uintptr_t)&seed ^ (uint32_t)ts.tv_sec * 2654435761u;
}

static void htab_free(struct bpfvm_map *map);
static int htab_lru_evict(void *arg, struct bpfvm_lru_node *node);

/* Sizes and the E2BIG rules of htab_map_alloc (which charges memory as the
 * kernel's structures would take it). */
static int htab_size(struct bpfvm_htab *h, const union bpf_attr *attr, uint32_t ncpus)
{
	uint32_t max = attr->max_entries;
	if (attr->map_flags & BPF_F_NO_COMMON_LRU) {
		/* Every CPU's LRU gets the same share, at least one node:
		 * round up to a multiple of the CPU count (down on overflow). */
		uint32_t up = (max + ncpus - 1) / ncpus * ncpus;
		max = up >= max ? up : max / ncpus * ncpus;
	}
	h->max_entries = max;
	h->map.max_entries = max;       /* what info reports, as the kernel's */
	uint64_t nb = 1;
	while (nb < max)
		nb <<= 1;
	if (nb > UINT32_MAX / KERNEL_BUCKET_SIZE)
		return -E2BIG;
	h->n_buckets = (uint32_t)nb;
	h->bucket_mask = (uint32_t)nb - 1;

	uint32_t key8 = bpfvm_round_up8(attr->key_size);
	h->pcpu_size = bpfvm_round_up8(attr->value_size);
	uint32_t kelem = KERNEL_HTAB_ELEM_SIZE + key8 + (h->is_percpu ? 8 : h->pcpu_size);
	uint64_t cost = nb * KERNEL_BUCKET_SIZE + (uint64_t)kelem * max;
	if (h->is_percpu)
		cost += (uint64_t)h->pcpu_size * ncpus * max;
	else
		cost += (uint64_t)kelem * ncpus;
	if (cost >= UINT32_MAX - KERNEL_PAGE_SIZE)
		return -E2BIG;

	h->value_off = (uint32_t)offsetof(struct htab_elem, key) + key8;
	h->elem_size = h->value_off + (h->is_percpu || h->is_fd ? 8 : h->pcpu_size);
	return 0;
}

static int htab_prealloc(struct bpfvm_htab *h)
{
	uint32_t n = h->max_entries;
	/* Plain hash maps replace an element on update; like the kernel,
	 * keep one spare element per CPU for that. */
	if (!h->is_percpu && !h->is_lru)
		n += h->ncpus;
	if (h->is_percpu && h->pcpu_size > PCPU_MIN_UNIT_SIZE)
		return -ENOMEM;
	h->elems = calloc(n, h->elem_size);
	if (!h->elems)
		return -ENOMEM;
	if (h->is_percpu) {
		h->pcpu_blocks = calloc((size_t)n * h->ncpus, h->pcpu_size);
		if (!h->pcpu_blocks)
			return -ENOMEM;
	}
	if (!h->is_lru) {
		elems_setup(h, h->elems, h->pcpu_blocks, h->max_entries, 0, 0);
		for (uint32_t c = 0; h->spares && c < h->ncpus; c++)
			h->spares[c].e = elem_at(h, h->elems, h->max_entries + c);
		return 0;
	}
	for (uint32_t i = 0; h->is_percpu && i < n; i++) {
		uint8_t *blk = (uint8_t *)h->pcpu_blocks + (size_t)i * h->pcpu_size * h->ncpus;
		memcpy(elem_value(h, elem_at(h, h->elems, i)), &blk, sizeof(blk));
	}
	int rc = bpfvm_lru_init(&h->lru, !!(h->map.map_flags & BPF_F_NO_COMMON_LRU), h->ncpus, htab_lru_evict, h);
	if (rc < 0)
		return rc;
	bpfvm_lru_populate(&h->lru, h->elems, offsetof(struct htab_elem, lru), h->elem_size, n);
	return 0;
}

static struct bpfvm_map *htab_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	struct bpfvm_htab *h = calloc(1, sizeof(*h));
	if (!h) {
		*err = -ENOMEM;
		return NULL;
	}
	h->map.map_type = attr->map_type;
	h->map.map_flags = attr->map_flags;
	h->map.spin_lock_off = -1;
	h->is_percpu = (uint8_t)type_is_percpu(attr->map_type);
	h->is_lru = (uint8_t)type_is_lru(attr->map_type);
	h->is_fd = attr->map_type == BPF_MAP_TYPE_HASH_OF_MAPS;
	h->is_prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);
	h->ncpus = vm->ncpus ? vm->ncpus : 1;
	h->key_size = attr->key_size;
	h->value_size = attr->value_size;

	int rc = htab_size(h, attr, h->ncpus);
	if (rc < 0)
		goto fail;
	rc = -ENOMEM;
	h->buckets = calloc(h->n_buckets, sizeof(*h->buckets));
	if (!h->buckets)
		goto fail;
	h->hashrnd = (attr->map_flags & BPF_F_ZERO_SEED) ? 0 : pick_seed();
	if (!h->is_lru) {
		h->fl = calloc(h->ncpus, sizeof(*h->fl));
		if (!h->fl)
			goto fail;
	}
	if (!h->is_lru && !h->is_percpu) {
		h->spares = calloc(h->ncpus, sizeof(*h->spares));
		if (!h->spares)
			goto fail;
	}
	if (h->is_prealloc && (rc = htab_prealloc(h)) < 0)
		goto fail;
	return &h->map;
fail:
	htab_free(&h->map);
	*err = rc;
	return NULL;
}

/* Also undoes a partial htab_alloc. Programs are gone (the map's last
 * reference is), so no lock is needed. */
static void htab_free(struct bpfvm_map *map)
{
	struct bpfvm_htab *h = htab_of(map);
	if (h->is_fd && h->buckets) {
		for (uint32_t i = 0; i < h->n_buckets; i++)
			for (uintptr_t p = h->buckets[i].head; is_elem(p); p = ((struct htab_elem *)p)->next)
				bpfvm_map_put(elem_inner(h, (struct htab_elem *)p));
	}
	while (h->chunks) {
		struct htab_chunk *c = h->chunks;
		h->chunks = c->next;
		free(c);
	}
	if (h->is_lru)
		bpfvm_lru_destroy(&h->lru);
	free(h->elems);
	free(h->pcpu_blocks);
	free(h->fl);
	free(h->spares);
	free(h->buckets);
	free(h);
}

/* ---- lookups (program side) ------------------------------------------------ */

static void *htab_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key);
	return e ? elem_value(h, e) : NULL;
}

/* LRU lookups mark the element referenced; the syscall side in v5.1 goes
 * through the same function (the kernel only stopped marking on syscall
 * lookups in 5.2). */
static void *htab_lru_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key);
	if (!e)
		return NULL;
	bpfvm_lru_node_set_ref(&e->lru);
	return elem_value(h, e);
}

static void *htab_percpu_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key);
	return e ? elem_pcpu(h, e) + (size_t)cpu_clamp(h, cpu) * h->pcpu_size : NULL;
}

static void *htab_lru_percpu_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key);
	if (!e)
		return NULL;
	bpfvm_lru_node_set_ref(&e->lru);
	return elem_pcpu(h, e) + (size_t)cpu_clamp(h, cpu) * h->pcpu_size;
}

/* HASH_OF_MAPS: the inner map itself. */
static void *htab_of_maps_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key);
	return e ? elem_inner(h, e) : NULL;
}

/* ---- updates -------------------------------------------------------------- */

static int check_flags(const struct htab_elem *old, uint64_t flags)
{
	uint64_t f = flags & ~(uint64_t)BPF_F_LOCK;
	if (old && f == BPF_NOEXIST)
		return -EEXIST;
	if (!old && f == BPF_EXIST)
		return -ENOENT;
	return 0;
}

/* copy_map_value (the spin lock word is skipped), inline for the common
 * small sizes. */
static HOT void elem_set_value(struct bpfvm_htab *h, struct htab_elem *e, const void *value)
{
	uint8_t *dst = elem_value(h, e);
	if (h->is_fd)
		__atomic_store_n((struct bpfvm_map **)(void *)dst, *(struct bpfvm_map *const *)value,
				 __ATOMIC_RELAXED);
	else if (h->map.spin_lock_off >= 0)
		bpfvm_map_copy_value(&h->map, dst, value);
	else if (h->value_size == 8)
		memcpy(dst, value, 8);
	else if (h->value_size == 4)
		memcpy(dst, value, 4);
	else
		memcpy(dst, value, h->value_size);
}

/* htab_map_update_elem: the new value goes into a fresh element that
 * replaces the old one (so a pointer from an earlier lookup keeps seeing
 * the old value, and the key moves to the head of its bucket), except with
 * BPF_F_LOCK, which updates an existing value in place under its lock. For
 * HASH_OF_MAPS `value` points to a referenced struct bpfvm_map *. */
static HOT int update_ks(struct bpfvm_htab *h, const void *key, const void *value, uint64_t flags,
			 uint32_t cpu, uint32_t ks)
{
	struct bpfvm_map *map = &h->map;
	struct htab_elem *old, *e, *victim = NULL;
	uintptr_t *link = NULL;
	int ret;

	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	uint32_t hash = hash_ks(h, key, ks), idx = hash & h->bucket_mask;
	struct htab_bucket *b = &h->buckets[idx];

	if (flags & BPF_F_LOCK) {
		if (map->spin_lock_off < 0)
			return -EINVAL;
		/* Usually the element exists: no bucket lock needed. */
		old = find_nolock(h, key, hash, ks);
		if ((ret = check_flags(old, flags)) != 0)
			return ret;
		if (old) {
			bpfvm_map_copy_value_locked(map, elem_value(h, old), value, 1);
			return 0;
		}
	}

	htab_lock(&b->lock);
	old = find_locked(h, b, key, hash, &link, ks);
	if ((ret = check_flags(old, flags)) != 0)
		goto out;
	if (old && (flags & BPF_F_LOCK)) {
		/* Appeared since the lock-free look. */
		bpfvm_map_copy_value_locked(map, elem_value(h, old), value, 1);
		goto out;
	}
	if (!old && !count_inc(h)) {
		ret = -E2BIG;
		goto out;
	}
	e = old ? __atomic_exchange_n(&h->spares[cpu % h->ncpus].e, NULL, __ATOMIC_ACQUIRE) : NULL;
	if (!e && !(e = elem_get(h, cpu))) {
		if (!old)
			count_dec(h);
		ret = -ENOMEM;
		goto out;
	}
	elem_init(e, key, hash, ks);
	elem_set_value(h, e, value);
	chain_replace(b, idx, link, old, e);
	victim = old;
out:
	htab_unlock(&b->lock);
	if (victim) {
		if (h->is_fd)
			bpfvm_map_put(elem_inner(h, victim));
		victim = __atomic_exchange_n(&h->spares[cpu % h->ncpus].e, victim, __ATOMIC_ACQ_REL);
		if (victim)
			fl_push(h, victim, cpu);
	}
	return ret;
}

static int htab_update_elem(struct bpfvm_htab *h, const void *key, const void *value, uint64_t flags,
			    uint32_t cpu)
{
	return BY_KEY_SIZE(h, update_ks, h, key, value, flags, cpu);
}

static int htab_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags, uint32_t cpu)
{
	return htab_update_elem(htab_of(map), key, value, flags, cpu);
}

/* A node from the LRU (evicting if it must), keyed; NULL if none. */
static HOT struct htab_elem *lru_pop(struct bpfvm_htab *h, const void *key, uint32_t hash, uint32_t cpu,
				     uint32_t ks)
{
	struct bpfvm_lru_node *n = bpfvm_lru_pop_free(&h->lru, hash, cpu);
	if (!n)
		return NULL;
	struct htab_elem *e = elem_of_node(n);
	key_store(e, key, ks);
	return e;
}

/* htab_lru_map_update_elem: a node is taken from the LRU before the bucket
 * lock (taking it may evict, which locks other buckets), even when the key
 * exists and even if the flags then fail: an update of a full LRU map can
 * evict some other key. */
static HOT int lru_update_ks(struct bpfvm_htab *h, const void *key, const void *value, uint64_t flags,
			     uint32_t cpu, uint32_t ks)
{
	uintptr_t *link = NULL;
	int ret;

	if (flags > BPF_EXIST)
		return -EINVAL;
	uint32_t hash = hash_ks(h, key, ks), idx = hash & h->bucket_mask;
	struct htab_bucket *b = &h->buckets[idx];
	struct htab_elem *e = lru_pop(h, key, hash, cpu, ks);
	if (!e)
		return -ENOMEM;
	memcpy(elem_value(h, e), value, h->value_size);

	htab_lock(&b->lock);
	struct htab_elem *old = find_locked(h, b, key, hash, &link, ks);
	ret = check_flags(old, flags);
	if (!ret) {
		chain_replace(b, idx, link, old, e);
		if (old)
			bpfvm_lru_node_set_ref(&e->lru);
	}
	htab_unlock(&b->lock);

	if (ret)
		bpfvm_lru_push_free(&h->lru, &e->lru);
	else if (old)
		bpfvm_lru_push_free(&h->lru, &old->lru);
	return ret;
}

static int htab_lru_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			   uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	return BY_KEY_SIZE(h, lru_update_ks, h, key, value, flags, cpu);
}

/* Per-CPU maps update values in place; a new key takes a new element. */
static HOT int percpu_update_ks(struct bpfvm_htab *h, const void *key, const void *value, uint64_t flags,
				uint32_t cpu, int onall, uint32_t ks)
{
	int ret;
	if (flags > BPF_EXIST)
		return -EINVAL;
	uint32_t hash = hash_ks(h, key, ks), idx = hash & h->bucket_mask;
	struct htab_bucket *b = &h->buckets[idx];

	htab_lock(&b->lock);
	struct htab_elem *old = find_locked(h, b, key, hash, NULL, ks);
	if ((ret = check_flags(old, flags)) != 0)
		goto out;
	if (old) {
		pcpu_copy(h, old, value, onall, cpu);
		goto out;
	}
	if (!count_inc(h)) {
		ret = -E2BIG;
		goto out;
	}
	struct htab_elem *e = elem_get(h, cpu);
	if (!e) {
		count_dec(h);
		ret = -ENOMEM;
		goto out;
	}
	elem_init(e, key, hash, ks);
	pcpu_init(h, e, value, onall, cpu);
	chain_add_head(b, idx, e);
out:
	htab_unlock(&b->lock);
	return ret;
}

static HOT int lru_percpu_update_ks(struct bpfvm_htab *h, const void *key, const void *value,
				    uint64_t flags, uint32_t cpu, int onall, uint32_t ks)
{
	struct htab_elem *e = NULL;
	int ret;
	if (flags > BPF_EXIST)
		return -EINVAL;
	uint32_t hash = hash_ks(h, key, ks), idx = hash & h->bucket_mask;
	struct htab_bucket *b = &h->buckets[idx];
	/* As for LRU_HASH, but BPF_EXIST never needs a new node. */
	if (flags != BPF_EXIST && !(e = lru_pop(h, key, hash, cpu, ks)))
		return -ENOMEM;

	htab_lock(&b->lock);
	struct htab_elem *old = find_locked(h, b, key, hash, NULL, ks);
	if ((ret = check_flags(old, flags)) == 0) {
		if (old) {
			bpfvm_lru_node_set_ref(&old->lru);
			pcpu_copy(h, old, value, onall, cpu);
		} else {
			pcpu_init(h, e, value, onall, cpu);
			chain_add_head(b, idx, e);
			e = NULL;
		}
	}
	htab_unlock(&b->lock);
	if (e)
		bpfvm_lru_push_free(&h->lru, &e->lru);
	return ret;
}

static int htab_percpu_update_elem(struct bpfvm_htab *h, const void *key, const void *value, uint64_t flags,
				   uint32_t cpu, int onall)
{
	if (h->is_lru)
		return BY_KEY_SIZE(h, lru_percpu_update_ks, h, key, value, flags, cpu, onall);
	return BY_KEY_SIZE(h, percpu_update_ks, h, key, value, flags, cpu, onall);
}

static int htab_percpu_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			      uint32_t cpu)
{
	struct bpfvm_htab *h = htab_of(map);
	return htab_percpu_update_elem(h, key, value, flags, cpu_clamp(h, cpu), 0);
}

/* ---- deletes ---------------------------------------------------------------- */

/* Unlinks the element of `key` under its bucket lock; NULL if absent. */
static HOT struct htab_elem *unlink_ks(struct bpfvm_htab *h, const void *key, uint32_t ks)
{
	uintptr_t *link;
	uint32_t hash = hash_ks(h, key, ks);
	struct htab_bucket *b = &h->buckets[hash & h->bucket_mask];

	htab_lock(&b->lock);
	struct htab_elem *e = find_locked(h, b, key, hash, &link, ks);
	if (e)
		chain_unlink(link, e);
	htab_unlock(&b->lock);
	return e;
}

static int htab_delete(struct bpfvm_map *map, const void *key)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = BY_KEY_SIZE(h, unlink_ks, h, key);
	if (!e)
		return -ENOENT;
	if (h->is_fd)
		bpfvm_map_put(elem_inner(h, e));
	fl_push(h, e, bpfvm_current_cpu(map->vm));
	count_dec(h);
	return 0;
}

static int htab_lru_delete(struct bpfvm_map *map, const void *key)
{
	struct bpfvm_htab *h = htab_of(map);
	struct htab_elem *e = BY_KEY_SIZE(h, unlink_ks, h, key);
	if (!e)
		return -ENOENT;
	bpfvm_lru_push_free(&h->lru, &e->lru);
	return 0;
}

/* The LRU's eviction callback (htab_lru_map_delete_node): unlink this very
 * element if it is still in its bucket. */
static int htab_lru_evict(void *arg, struct bpfvm_lru_node *node)
{
	struct bpfvm_htab *h = arg;
	struct htab_elem *target = elem_of_node(node);
	struct htab_bucket *b = &h->buckets[elem_hash(target) & h->bucket_mask];
	int found = 0;

	htab_lock(&b->lock);
	uintptr_t *link = &b->head;
	for (uintptr_t p = __atomic_load_n(link, __ATOMIC_RELAXED); is_elem(p);
	     p = __atomic_load_n(link, __ATOMIC_RELAXED)) {
		if (p == (uintptr_t)target) {
			chain_unlink(link, target);
			found = 1;
			break;
		}
		link = &((struct htab_elem *)p)->next;
	}
	htab_unlock(&b->lock);
	return found;
}

/* ---- iteration ---------------------------------------------------------------- */

/* htab_map_get_next_key: the element after `key` in its bucket, else the
 * first element of the next non-empty bucket; a missing or NULL key starts
 * from bucket 0. Each step runs under the lock of the bucket it reads, so
 * the key copied out is consistent; an iteration racing with deletes may
 * restart (a deleted current key) but never loops on its own. */
static int htab_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct bpfvm_htab *h = htab_of(map);
	uint32_t i = 0;

	if (key) {
		uint32_t hash = htab_hash(h, key), idx = hash & h->bucket_mask;
		struct htab_bucket *b = &h->buckets[idx];
		htab_lock(&b->lock);
		struct htab_elem *e = find_locked(h, b, key, hash, NULL, h->key_size);
		if (e) {
			uintptr_t n = __atomic_load_n(&e->next, __ATOMIC_RELAXED);
			if (is_elem(n)) {
				memcpy(next_key, ((struct htab_elem *)n)->key, h->key_size);
				htab_unlock(&b->lock);
				return 0;
			}
			i = idx + 1;
		}
		htab_unlock(&b->lock);
	}
	for (; i < h->n_buckets; i++) {
		struct htab_bucket *b = &h->buckets[i];
		if (!is_elem(__atomic_load_n(&b->head, __ATOMIC_ACQUIRE)))
			continue;
		htab_lock(&b->lock);
		uintptr_t p = __atomic_load_n(&b->head, __ATOMIC_RELAXED);
		if (is_elem(p))
			memcpy(next_key, ((struct htab_elem *)p)->key, h->key_size);
		htab_unlock(&b->lock);
		if (is_elem(p))
			return 0;
	}
	return -ENOENT;
}

/* ---- syscall side of per-CPU maps ------------------------------------------- */

/* bpf_percpu_hash_copy: every CPU's slot, rounded up to 8 bytes each. In
 * v5.1 this marks an LRU element referenced, as a program lookup does (5.2
 * stopped syscall lookups from touching the LRU). */
static int htab_percpu_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct bpfvm_htab *h = htab_of(map);
	if (flags)
		return -EINVAL;         /* unknown, or BPF_F_LOCK: no spin lock here */
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = &h->buckets[hash & h->bucket_mask];
	htab_lock(&b->lock);
	struct htab_elem *e = find_locked(h, b, key, hash, NULL, h->key_size);
	if (e) {
		if (h->is_lru)
			bpfvm_lru_node_set_ref(&e->lru);
		memcpy(value, elem_pcpu(h, e), (size_t)h->pcpu_size * h->ncpus);
	}
	htab_unlock(&b->lock);
	return e ? 0 : -ENOENT;
}

/* bpf_percpu_hash_update: sets every CPU's slot. */
static int htab_percpu_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	struct bpfvm_htab *h = htab_of(map);
	return htab_percpu_update_elem(h, key, value, flags, cpu_clamp(h, bpfvm_current_cpu(map->vm)), 1);
}

/* ---- HASH_OF_MAPS -------------------------------------------------------------- */

/* fd_htab_map_alloc_check: the value is a u32 fd. */
static int htab_of_maps_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	if (attr->value_size != sizeof(uint32_t))
		return -EINVAL;
	return htab_alloc_check(vm, attr);
}

/* htab_of_map_alloc: the inner-map template (maps/map_in_map.c) first,
 * then the table. The template is released by bpfvm_map_put through
 * map->inner_meta. */
static struct bpfvm_map *htab_of_maps_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	struct bpfvm_map *meta, *map;
	*err = bpfvm_map_meta_alloc(vm, (int)attr->inner_map_fd, &meta);
	if (*err < 0)
		return NULL;
	if (!(map = htab_alloc(vm, attr, err))) {
		bpfvm_map_meta_free(meta);
		return NULL;
	}
	map->inner_meta = meta;
	return map;
}

/* Programs cannot update map-in-maps (the verifier allows only lookups). */
static int htab_of_maps_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			       uint32_t cpu)
{
	return -EINVAL;
}

/* bpf_fd_htab_map_update_elem: the value is a map fd; the map stored is
 * referenced by the table until deleted or replaced. */
static int htab_of_maps_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	struct bpfvm_map *inner;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	int rc = bpfvm_map_fd_get_inner(map, value, &inner);
	if (rc < 0)
		return rc;
	rc = htab_update_elem(htab_of(map), key, &inner, flags, bpfvm_current_cpu(map->vm));
	if (rc < 0)
		bpfvm_map_put(inner);
	return rc;
}

/* bpf_fd_htab_map_lookup_elem: the id of the inner map. Under the bucket
 * lock, so a concurrent delete cannot drop the map while we read it. */
static int htab_of_maps_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct bpfvm_htab *h = htab_of(map);
	if (flags)
		return -EINVAL;         /* unknown, or BPF_F_LOCK: no spin lock here */
	uint32_t hash = htab_hash(h, key), id = 0;
	struct htab_bucket *b = &h->buckets[hash & h->bucket_mask];
	htab_lock(&b->lock);
	struct htab_elem *e = find_locked(h, b, key, hash, NULL, h->key_size);
	if (e)
		id = elem_inner(h, e)->id;
	htab_unlock(&b->lock);
	if (!e)
		return -ENOENT;
	memcpy(value, &id, sizeof(id));
	return 0;
}

/* ---- the ops tables ------------------------------------------------------------ */

/* sys_lookup / sys_update left NULL take the command layer's generic path
 * (lookup + copy honouring the spin lock, update). No type of this family
 * supports LOOKUP_AND_DELETE in v5.1 (only queue and stack do). */
const struct bpfvm_map_ops bpfvm_htab_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.get_next_key = htab_get_next_key,
};

const struct bpfvm_map_ops bpfvm_htab_lru_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_lru_lookup,
	.update = htab_lru_update,
	.delete = htab_lru_delete,
	.get_next_key = htab_get_next_key,
};

const struct bpfvm_map_ops bpfvm_htab_percpu_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_percpu_lookup,
	.update = htab_percpu_update,
	.delete = htab_delete,
	.get_next_key = htab_get_next_key,
	.sys_lookup = htab_percpu_sys_lookup,
	.sys_update = htab_percpu_sys_update,
};

const struct bpfvm_map_ops bpfvm_htab_lru_percpu_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_lru_percpu_lookup,
	.update = htab_percpu_update,
	.delete = htab_lru_delete,
	.get_next_key = htab_get_next_key,
	.sys_lookup = htab_percpu_sys_lookup,
	.sys_update = htab_percpu_sys_update,
};

const struct bpfvm_map_ops bpfvm_htab_of_maps_map_ops = {
	.alloc_check = htab_of_maps_alloc_check,
	.alloc = htab_of_maps_alloc,
	.free = htab_free,
	.lookup = htab_of_maps_lookup,
	.update = htab_of_maps_update,
	.delete = htab_delete,
	.get_next_key = htab_get_next_key,
	.sys_lookup = htab_of_maps_sys_lookup,
	.sys_update = htab_of_maps_sys_update,
};
