/*
 * BPF_MAP_TYPE_STACK_TRACE (the kernel's kernel/bpf/stackmap.c of v5.1): a
 * table of stack traces indexed by stack id = jhash2(trace) & (n_buckets - 1),
 * filled by bpf_get_stackid and read (and emptied) from user space.
 *
 * A value is up to value_size / 8 instruction addresses, innermost first,
 * zero-padded; with BPF_F_STACK_BUILD_ID it is an array of struct
 * bpf_stack_build_id instead. At most max_entries traces are stored at a
 * time (the kernel preallocates that many; bpfvm allocates them as needed
 * and keeps the count). One lock per map serializes writers and readers:
 * the kernel's lock-free bucket swaps rely on RCU, which bpfvm lacks.
 */
#include "maps/arraymap.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STACK_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_STACK_BUILD_ID)
/* sizeof(struct stack_map_bucket) in the kernel: freelist node, hash, nr. */
#define K_BUCKET_HDR 16u

struct bucket {
	struct bucket *next_free;
	uint32_t hash;
	uint32_t nr;                    /* frames in data */
	_Alignas(8) uint8_t data[];
};

struct stack_map {
	struct bpfvm_map map;
	uint32_t n_buckets;             /* power of two */
	uint32_t frame_size;            /* 8, or sizeof(struct bpf_stack_build_id) */
	pthread_mutex_t lock;
	uint32_t allocated;             /* elements created, at most max_entries */
	struct bucket *free_list;
	struct bucket **buckets;
};

static inline struct stack_map *to_smap(struct bpfvm_map *map)
{
	return (struct stack_map *)map;
}

static uint32_t frame_size_of(uint32_t map_flags)
{
	return (map_flags & BPF_F_STACK_BUILD_ID) ? (uint32_t)sizeof(struct bpf_stack_build_id) : 8u;
}

uint32_t bpfvm_stackmap_max_depth(const struct bpfvm_map *map)
{
	return map->value_size / frame_size_of(map->map_flags);
}

void bpfvm_stack_build_id_from_ips(struct bpf_stack_build_id *out, const uint64_t *ips, uint32_t nr)
{
	for (uint32_t i = 0; i < nr; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].status = BPF_STACK_BUILD_ID_IP;
		out[i].ip = ips[i];
	}
}

/* ---- jhash2 (Bob Jenkins' lookup3 hashword, as include/linux/jhash.h) ---- */

static inline uint32_t rol32(uint32_t w, unsigned s)
{
	return (w << s) | (w >> (32 - s));
}

static uint32_t jhash2(const uint32_t *k, uint32_t n, uint32_t initval)
{
	uint32_t a, b, c;
	a = b = c = 0xdeadbeefu + (n << 2) + initval;
	for (; n > 3; n -= 3, k += 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		a -= c; a ^= rol32(c, 4);  c += b;
		b -= a; b ^= rol32(a, 6);  a += c;
		c -= b; c ^= rol32(b, 8);  b += a;
		a -= c; a ^= rol32(c, 16); c += b;
		b -= a; b ^= rol32(a, 19); a += c;
		c -= b; c ^= rol32(b, 4);  b += a;
	}
	if (n == 0)
		return c;
	switch (n) {
	case 3: c += k[2]; /* fall through */
	case 2: b += k[1]; /* fall through */
	default: a += k[0];
	}
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* ---- creation ------------------------------------------------------------------ */

static uint64_t roundup_pow2(uint64_t v)
{
	uint64_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

/* stack_map_alloc's checks: flags, then the attributes, then the frame
 * count against sysctl_perf_event_max_stack (127), all -EINVAL; then the
 * memory cost of the buckets and of the preallocated elements, -E2BIG. */
static int stack_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	uint32_t value_size = attr->value_size;
	if (attr->map_flags & ~STACK_CREATE_FLAG_MASK)
		return -EINVAL;
	if (attr->max_entries == 0 || attr->key_size != 4 || value_size < 8 || value_size % 8)
		return -EINVAL;
	uint32_t frame = frame_size_of(attr->map_flags);
	if (value_size % frame || value_size / frame > BPFVM_K_PERF_MAX_STACK)
		return -EINVAL;
	uint64_t n_buckets = roundup_pow2(attr->max_entries);
	uint64_t cost = n_buckets * sizeof(void *) + BPFVM_K_MAP_STRUCT_SIZE;
	if (cost >= BPFVM_K_COST_LIMIT)
		return -E2BIG;
	cost += n_buckets * (value_size + K_BUCKET_HDR);
	if (cost >= BPFVM_K_COST_LIMIT)
		return -E2BIG;
	return 0;
}

static struct bpfvm_map *stack_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	struct stack_map *s = calloc(1, sizeof(*s));
	*err = -ENOMEM;
	if (!s)
		return NULL;
	s->n_buckets = (uint32_t)roundup_pow2(attr->max_entries);
	s->frame_size = frame_size_of(attr->map_flags);
	if (!(s->buckets = calloc(s->n_buckets, sizeof(*s->buckets)))) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return &s->map;
}

static void stack_free(struct bpfvm_map *map)
{
	struct stack_map *s = to_smap(map);
	for (uint32_t i = 0; i < s->n_buckets; i++)
		free(s->buckets[i]);
	while (s->free_list) {
		struct bucket *b = s->free_list;
		s->free_list = b->next_free;
		free(b);
	}
	free(s->buckets);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- elements (lock held) ----------------------------------------------------- */

/* pcpu_freelist_pop: an element, while fewer than max_entries are in use. */
static struct bucket *elem_pop(struct stack_map *s)
{
	struct bucket *b = s->free_list;
	if (b) {
		s->free_list = b->next_free;
		return b;
	}
	if (s->allocated >= s->map.max_entries)
		return NULL;
	b = malloc(sizeof(*b) + s->map.value_size);
	if (b)
		s->allocated++;
	return b;
}

static void elem_push(struct stack_map *s, struct bucket *b)
{
	b->next_free = s->free_list;
	s->free_list = b;
}

/* __bpf_get_stackid after the trace is taken. The hash is over the ips
 * (as u32 words) even for build-id maps; a bucket whose hash matches is
 * compared in full unless BPF_F_FAST_STACK_CMP; another trace in the bucket
 * is replaced only with BPF_F_REUSE_STACKID, else -EEXIST. Build-id maps
 * take an element before comparing, so a full map answers -ENOMEM even for
 * a trace it holds (as the kernel). */
int bpfvm_stackmap_get_stackid(struct bpfvm_map *map, const uint64_t *ips, uint32_t nr, uint64_t flags)
{
	struct stack_map *s = to_smap(map);
	/* The kernel hashes the u64 array as u32 words: low half first on
	 * x86-64. */
	uint32_t words[2 * BPFVM_K_PERF_MAX_STACK];
	for (uint32_t i = 0; i < nr; i++) {
		words[2 * i] = (uint32_t)ips[i];
		words[2 * i + 1] = (uint32_t)(ips[i] >> 32);
	}
	uint32_t hash = jhash2(words, nr * 2, 0);
	uint32_t id = hash & (s->n_buckets - 1);
	uint32_t len = nr * s->frame_size;
	int rc = (int)id;
	pthread_mutex_lock(&s->lock);
	struct bucket *b = s->buckets[id], *nb;
	int hash_matches = b && b->hash == hash;
	if (hash_matches && (flags & BPF_F_FAST_STACK_CMP))
		goto out;
	if (map->map_flags & BPF_F_STACK_BUILD_ID) {
		if (!(nb = elem_pop(s))) {
			rc = -ENOMEM;
			goto out;
		}
		bpfvm_stack_build_id_from_ips((struct bpf_stack_build_id *)nb->data, ips, nr);
		if (hash_matches && b->nr == nr && !memcmp(b->data, nb->data, len)) {
			elem_push(s, nb);
			goto out;
		}
		if (b && !(flags & BPF_F_REUSE_STACKID)) {
			elem_push(s, nb);
			rc = -EEXIST;
			goto out;
		}
	} else {
		if (hash_matches && b->nr == nr && !memcmp(b->data, ips, len))
			goto out;
		if (b && !(flags & BPF_F_REUSE_STACKID)) {
			rc = -EEXIST;
			goto out;
		}
		if (!(nb = elem_pop(s))) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(nb->data, ips, len);
	}
	nb->hash = hash;
	nb->nr = nr;
	s->buckets[id] = nb;
	if (b)
		elem_push(s, b);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- ops ---------------------------------------------------------------------- */

/* Programs only reach the map through bpf_get_stackid. */
static void *stack_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return NULL;
}

static int stack_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			uint32_t cpu)
{
	return -EINVAL;
}

/* bpf_stackmap_copy: the trace, zero-padded to value_size. */
static int stack_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	struct stack_map *s = to_smap(map);
	uint32_t id;
	memcpy(&id, key, sizeof(id));
	if (id >= s->n_buckets)
		return -ENOENT;
	int rc = -ENOENT;
	pthread_mutex_lock(&s->lock);
	struct bucket *b = s->buckets[id];
	if (b) {
		uint32_t len = b->nr * s->frame_size;
		memcpy(value, b->data, len);
		memset((uint8_t *)value + len, 0, map->value_size - len);
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int stack_delete(struct bpfvm_map *map, const void *key)
{
	struct stack_map *s = to_smap(map);
	uint32_t id;
	memcpy(&id, key, sizeof(id));
	if (id >= s->n_buckets)
		return -E2BIG;
	pthread_mutex_lock(&s->lock);
	struct bucket *b = s->buckets[id];
	s->buckets[id] = NULL;
	if (b)
		elem_push(s, b);
	pthread_mutex_unlock(&s->lock);
	return b ? 0 : -ENOENT;
}

/* stack_map_get_next_key: the next occupied bucket after `key`; a missing,
 * out-of-range or empty key starts from bucket 0 (inclusive). */
static int stack_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct stack_map *s = to_smap(map);
	uint32_t id = 0;
	pthread_mutex_lock(&s->lock);
	if (key) {
		memcpy(&id, key, sizeof(id));
		if (id >= s->n_buckets || !s->buckets[id])
			id = 0;
		else
			id++;
	}
	while (id < s->n_buckets && !s->buckets[id])
		id++;
	pthread_mutex_unlock(&s->lock);
	if (id >= s->n_buckets)
		return -ENOENT;
	memcpy(next_key, &id, sizeof(id));
	return 0;
}

const struct bpfvm_map_ops bpfvm_stack_trace_map_ops = {
	.alloc_check = stack_alloc_check,
	.alloc = stack_alloc,
	.free = stack_free,
	.lookup = stack_lookup,
	.update = stack_update,
	.delete = stack_delete,
	.get_next_key = stack_get_next_key,
	.sys_lookup = stack_sys_lookup,
};
