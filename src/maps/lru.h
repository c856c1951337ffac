/*
 * The LRU lists behind LRU_HASH and LRU_PERCPU_HASH: the approximate LRU of
 * the kernel's bpf_lru_list.c (v5.1), rewritten. Elements are never
 * allocated after creation; every one is on exactly one list: active,
 * inactive or free (of the common LRU or of one CPU's LRU), or a CPU's local
 * free / pending list (common LRU only).
 *
 * Eviction is approximate and batched, as in the kernel: a CPU that runs out
 * of local free nodes refills up to 128 at once from the global free list,
 * shrinking the inactive list (oldest first, skipping referenced nodes) when
 * the free list is short; a per-CPU LRU (BPF_F_NO_COMMON_LRU) shrinks 4 at a
 * time from its own lists only. Lookups set a node's `ref` bit; rotations
 * give referenced nodes another round on the active list.
 *
 * Also here: the tiny spin lock the hash table family uses (buckets, free
 * lists, LRU lists). Critical sections are short and never sleep.
 */
#ifndef BPFVM_MAPS_LRU_H
#define BPFVM_MAPS_LRU_H
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

/* ---- spin lock ---------------------------------------------------------- */

static inline void htab_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void htab_lock(uint32_t *l)
{
	unsigned spins = 0;
	while (__atomic_exchange_n(l, 1u, __ATOMIC_ACQUIRE)) {
		/* Wait on a plain load so the cache line is not bounced; yield
		 * now and then, since the holder may be a preempted thread
		 * (there may be more threads than cores). */
		while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
			if (++spins % 128 == 0)
				sched_yield();
			else
				htab_cpu_relax();
		}
	}
}

static inline void htab_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0u, __ATOMIC_RELEASE);
}

/* ---- LRU ---------------------------------------------------------------- */

struct bpfvm_lru_link {
	struct bpfvm_lru_link *prev, *next;
};

/* Embedded in each element. `type` is read without a lock by push_free and
 * `ref` is set by lock-free lookups, so both are accessed atomically.
 * `hash` belongs to the hash table (the kernel's LRU likewise stores the
 * element's hash when it hands out a node); it is read by lock-free lookups. */
struct bpfvm_lru_node {
	struct bpfvm_lru_link link;
	uint16_t cpu;
	uint8_t type;
	uint8_t ref;
	uint32_t hash;
};

/* Removes the element owning `node` from its hash bucket; returns 1 if it
 * was there (the LRU may then recycle the node), 0 if not. Called with LRU
 * locks held; takes a bucket lock. */
typedef int (*bpfvm_lru_del_fn)(void *arg, struct bpfvm_lru_node *node);

enum { LRU_NR_LISTS = 3, LRU_NR_COUNTS = 2, LRU_NR_LOCAL = 2 };

struct bpfvm_lru_list {
	struct bpfvm_lru_link lists[LRU_NR_LISTS];   /* active, inactive, free */
	uint32_t counts[LRU_NR_COUNTS];              /* active, inactive */
	struct bpfvm_lru_link *next_inactive_rotation;
	uint32_t lock;
	char pad[64 - (LRU_NR_LISTS * 16 + LRU_NR_COUNTS * 4 + 8 + 4) % 64];
};

struct bpfvm_lru_local {
	struct bpfvm_lru_link lists[LRU_NR_LOCAL];   /* free, pending */
	uint32_t next_steal;
	uint32_t lock;
	char pad[64 - (LRU_NR_LOCAL * 16 + 8) % 64];
};

struct bpfvm_lru {
	int percpu;                       /* BPF_F_NO_COMMON_LRU */
	uint32_t ncpus;
	uint32_t nr_scans;
	struct bpfvm_lru_list *cpu_lists; /* percpu: one LRU per CPU */
	struct bpfvm_lru_list *common;    /* else: the global LRU ... */
	struct bpfvm_lru_local *locals;   /* ... and each CPU's local lists */
	bpfvm_lru_del_fn del_from_htab;
	void *del_arg;
};

int bpfvm_lru_init(struct bpfvm_lru *lru, int percpu, uint32_t ncpus, bpfvm_lru_del_fn del, void *arg);
void bpfvm_lru_destroy(struct bpfvm_lru *lru);
/* Puts nr nodes, found at buf + node_offset + i * elem_size, on the free
 * lists (per-CPU LRU: split evenly, in order, between the CPUs). */
void bpfvm_lru_populate(struct bpfvm_lru *lru, void *buf, size_t node_offset, size_t elem_size, uint32_t nr);
/* A free node for `cpu` (evicting if needed), with its hash set; NULL if
 * none can be found. Must not be called with a bucket lock held. */
struct bpfvm_lru_node *bpfvm_lru_pop_free(struct bpfvm_lru *lru, uint32_t hash, uint32_t cpu);
/* Gives back a node no longer in the hash table. */
void bpfvm_lru_push_free(struct bpfvm_lru *lru, struct bpfvm_lru_node *node);

/* An approximation of access frequency: racy by design, but atomic. Only
 * written when clear, so hot lookups do not dirty the cache line. */
static inline void bpfvm_lru_node_set_ref(struct bpfvm_lru_node *node)
{
	if (!__atomic_load_n(&node->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&node->ref, 1, __ATOMIC_RELAXED);
}
#endif
