/*
 * The approximate LRU of LRU_HASH / LRU_PERCPU_HASH, following the algorithm
 * of the kernel's kernel/bpf/bpf_lru_list.c as of v5.1 so that the same
 * sequence of operations (on the same CPUs) evicts the same keys.
 *
 * Two flavours:
 *  - common LRU: one global LRU (active / inactive / free lists) plus, per
 *    CPU, a local free list and a local "pending" list of nodes handed out
 *    since the last refill. A CPU refills its local free list in batches of
 *    LOCAL_FREE_TARGET, first from the global free list, then by shrinking
 *    the global inactive list; when even that fails it steals free or
 *    pending nodes from the CPUs' local lists, round-robin.
 *  - per-CPU LRU (BPF_F_NO_COMMON_LRU): each CPU owns a fixed share of the
 *    nodes and an LRU of its own; no stealing.
 *
 * Lock order: local list -> global list -> hash bucket (del_from_htab).
 * Nothing here is called with a bucket lock held.
 */
#include "maps/lru.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_FREE_TARGET 128u
#define LOCAL_NR_SCANS LOCAL_FREE_TARGET
#define PERCPU_FREE_TARGET 4u
#define PERCPU_NR_SCANS PERCPU_FREE_TARGET

/* List types. The first three index bpfvm_lru_list.lists; the local ones
 * index bpfvm_lru_local.lists after subtracting LRU_LOCAL_BASE. */
enum {
	LRU_ACTIVE = 0,
	LRU_INACTIVE = 1,
	LRU_FREE = 2,
	LRU_LOCAL_FREE = 3,
	LRU_LOCAL_PENDING = 4,
};
#define LRU_LOCAL_BASE LRU_LOCAL_FREE

#define node_of(l) ((struct bpfvm_lru_node *)(void *)(l))

/* ---- intrusive circular lists ------------------------------------------- */

static void list_init(struct bpfvm_lru_link *h)
{
	h->prev = h->next = h;
}

static int list_empty(const struct bpfvm_lru_link *h)
{
	return h->next == h;
}

static void list_unlink(struct bpfvm_lru_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

/* Insert right after the head: the "newest" end. Lists are scanned from
 * the tail (head->prev) when looking for old nodes. */
static void list_add_head(struct bpfvm_lru_link *n, struct bpfvm_lru_link *h)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

static void list_move_head(struct bpfvm_lru_link *n, struct bpfvm_lru_link *h)
{
	list_unlink(n);
	list_add_head(n, h);
}

/* ---- node fields read outside locks ------------------------------------- */

static int node_type(const struct bpfvm_lru_node *n)
{
	return __atomic_load_n(&n->type, __ATOMIC_RELAXED);
}

static void node_set_type(struct bpfvm_lru_node *n, int t)
{
	__atomic_store_n(&n->type, (uint8_t)t, __ATOMIC_RELAXED);
}

static int node_ref(const struct bpfvm_lru_node *n)
{
	return __atomic_load_n(&n->ref, __ATOMIC_RELAXED);
}

static void node_clear_ref(struct bpfvm_lru_node *n)
{
	__atomic_store_n(&n->ref, 0, __ATOMIC_RELAXED);
}

/* ---- moves within one LRU (its lock held) ------------------------------- */

static void count_inc(struct bpfvm_lru_list *l, int t)
{
	if (t < LRU_NR_COUNTS)
		l->counts[t]++;
}

static void count_dec(struct bpfvm_lru_list *l, int t)
{
	if (t < LRU_NR_COUNTS)
		l->counts[t]--;
}

/* The inactive rotation resumes where it stopped; a node leaving the
 * inactive list must not leave that cursor dangling. */
static void keep_rotation_cursor(struct bpfvm_lru_list *l, struct bpfvm_lru_node *n)
{
	if (l->next_inactive_rotation == &n->link)
		l->next_inactive_rotation = n->link.prev;
}

/* Out of the LRU into a free list (global, per-CPU or a CPU's local one). */
static void move_to_free(struct bpfvm_lru_list *l, struct bpfvm_lru_node *n,
			 struct bpfvm_lru_link *free_list, int free_type)
{
	keep_rotation_cursor(l, n);
	count_dec(l, node_type(n));
	node_set_type(n, free_type);
	list_move_head(&n->link, free_list);
}

/* From a CPU's pending list into the global active / inactive list. */
static void move_in(struct bpfvm_lru_list *l, struct bpfvm_lru_node *n, int t)
{
	count_inc(l, t);
	node_set_type(n, t);
	node_clear_ref(n);
	list_move_head(&n->link, &l->lists[t]);
}

/* Between (or within) active, inactive and free; clears the ref bit. */
static void move(struct bpfvm_lru_list *l, struct bpfvm_lru_node *n, int t)
{
	int cur = node_type(n);
	if (cur != t) {
		count_dec(l, cur);
		count_inc(l, t);
		node_set_type(n, t);
	}
	node_clear_ref(n);
	keep_rotation_cursor(l, n);
	list_move_head(&n->link, &l->lists[t]);
}

static int inactive_low(const struct bpfvm_lru_list *l)
{
	return l->counts[LRU_INACTIVE] < l->counts[LRU_ACTIVE];
}

/* From the tail of the active list, up to nr_scans nodes: referenced ones
 * go back to the head of the active list (one more chance), the others
 * to the inactive list. */
static void rotate_active(struct bpfvm_lru *lru, struct bpfvm_lru_list *l)
{
	struct bpfvm_lru_link *head = &l->lists[LRU_ACTIVE];
	struct bpfvm_lru_link *first = head->next, *cur, *prev;
	unsigned i = 0;
	for (cur = head->prev; cur != head; cur = prev) {
		prev = cur->prev;
		struct bpfvm_lru_node *n = node_of(cur);
		move(l, n, node_ref(n) ? LRU_ACTIVE : LRU_INACTIVE);
		if (++i == lru->nr_scans || cur == first)
			break;
	}
}

/* Walks the inactive list backwards from where the previous rotation
 * stopped, promoting referenced nodes to the active list and leaving the
 * others in place (they are the next shrink candidates). */
static void rotate_inactive(struct bpfvm_lru *lru, struct bpfvm_lru_list *l)
{
	struct bpfvm_lru_link *head = &l->lists[LRU_INACTIVE];
	struct bpfvm_lru_link *cur, *last, *next = head;
	unsigned i = 0;
	if (list_empty(head))
		return;
	last = l->next_inactive_rotation->next;
	if (last == head)
		last = last->next;
	cur = l->next_inactive_rotation;
	while (i < lru->nr_scans) {
		if (cur == head) {
			cur = cur->prev;
			continue;
		}
		struct bpfvm_lru_node *n = node_of(cur);
		next = cur->prev;
		if (node_ref(n))
			move(l, n, LRU_ACTIVE);
		if (cur == last)
			break;
		cur = next;
		i++;
	}
	l->next_inactive_rotation = next;
}

static void rotate(struct bpfvm_lru *lru, struct bpfvm_lru_list *l)
{
	if (inactive_low(l))
		rotate_active(lru, l);
	rotate_inactive(lru, l);
}

/* From the tail of the inactive list: unreferenced nodes still in the
 * table are evicted onto free_list, up to `want` of them, scanning at most
 * nr_scans nodes; referenced ones are promoted on the way. */
static unsigned shrink_inactive(struct bpfvm_lru *lru, struct bpfvm_lru_list *l, unsigned want,
				struct bpfvm_lru_link *free_list, int free_type)
{
	struct bpfvm_lru_link *head = &l->lists[LRU_INACTIVE], *cur, *prev;
	unsigned done = 0, i = 0;
	for (cur = head->prev; cur != head; cur = prev) {
		prev = cur->prev;
		struct bpfvm_lru_node *n = node_of(cur);
		if (node_ref(n)) {
			move(l, n, LRU_ACTIVE);
		} else if (lru->del_from_htab(lru->del_arg, n)) {
			move_to_free(l, n, free_list, free_type);
			if (++done == want)
				break;
		}
		if (++i == lru->nr_scans)
			break;
	}
	return done;
}

/* shrink_inactive, and if that freed nothing, evict the oldest node that
 * can be removed regardless of its ref bit (inactive list first). */
static unsigned shrink(struct bpfvm_lru *lru, struct bpfvm_lru_list *l, unsigned want,
		       struct bpfvm_lru_link *free_list, int free_type)
{
	unsigned done = shrink_inactive(lru, l, want, free_list, free_type);
	if (done)
		return done;
	struct bpfvm_lru_link *head = !list_empty(&l->lists[LRU_INACTIVE]) ? &l->lists[LRU_INACTIVE]
									    : &l->lists[LRU_ACTIVE];
	struct bpfvm_lru_link *cur, *prev;
	for (cur = head->prev; cur != head; cur = prev) {
		prev = cur->prev;
		if (lru->del_from_htab(lru->del_arg, node_of(cur))) {
			move_to_free(l, node_of(cur), free_list, free_type);
			return 1;
		}
	}
	return 0;
}

/* ---- common LRU ---------------------------------------------------------- */

static struct bpfvm_lru_link *local_list(struct bpfvm_lru_local *loc, int t)
{
	return &loc->lists[t - LRU_LOCAL_BASE];
}

/* Pending nodes (handed out since the last refill) join the global LRU,
 * oldest first so the newest ends up nearest the head. */
static void local_flush(struct bpfvm_lru_list *l, struct bpfvm_lru_local *loc)
{
	struct bpfvm_lru_link *head = local_list(loc, LRU_LOCAL_PENDING), *cur, *prev;
	for (cur = head->prev; cur != head; cur = prev) {
		prev = cur->prev;
		struct bpfvm_lru_node *n = node_of(cur);
		move_in(l, n, node_ref(n) ? LRU_ACTIVE : LRU_INACTIVE);
	}
}

/* Refill a CPU's local free list (its lock held) from the global LRU. */
static void refill_local(struct bpfvm_lru *lru, struct bpfvm_lru_local *loc)
{
	struct bpfvm_lru_list *l = lru->common;
	struct bpfvm_lru_link *gfree = &l->lists[LRU_FREE], *cur, *next;
	unsigned nfree = 0;
	htab_lock(&l->lock);
	local_flush(l, loc);
	rotate(lru, l);
	for (cur = gfree->next; cur != gfree; cur = next) {
		next = cur->next;
		move_to_free(l, node_of(cur), local_list(loc, LRU_LOCAL_FREE), LRU_LOCAL_FREE);
		if (++nfree == LOCAL_FREE_TARGET)
			break;
	}
	if (nfree < LOCAL_FREE_TARGET)
		shrink(lru, l, LOCAL_FREE_TARGET - nfree, local_list(loc, LRU_LOCAL_FREE), LRU_LOCAL_FREE);
	htab_unlock(&l->lock);
}

static void add_pending(struct bpfvm_lru_local *loc, uint32_t cpu, struct bpfvm_lru_node *n, uint32_t hash)
{
	__atomic_store_n(&n->hash, hash, __ATOMIC_RELAXED);
	n->cpu = (uint16_t)cpu;
	node_set_type(n, LRU_LOCAL_PENDING);
	node_clear_ref(n);
	list_add_head(&n->link, local_list(loc, LRU_LOCAL_PENDING));
}

static struct bpfvm_lru_node *local_pop_free(struct bpfvm_lru_local *loc)
{
	struct bpfvm_lru_link *head = local_list(loc, LRU_LOCAL_FREE);
	if (list_empty(head))
		return NULL;
	struct bpfvm_lru_link *n = head->next;
	list_unlink(n);
	return node_of(n);
}

/* Steal the oldest pending node that can be evicted: unreferenced ones
 * first, then any. */
static struct bpfvm_lru_node *local_pop_pending(struct bpfvm_lru *lru, struct bpfvm_lru_local *loc)
{
	struct bpfvm_lru_link *head = local_list(loc, LRU_LOCAL_PENDING), *cur;
	for (int force = 0; force < 2; force++) {
		for (cur = head->prev; cur != head; cur = cur->prev) {
			struct bpfvm_lru_node *n = node_of(cur);
			if ((force || !node_ref(n)) && lru->del_from_htab(lru->del_arg, n)) {
				list_unlink(cur);
				return n;
			}
		}
	}
	return NULL;
}

static struct bpfvm_lru_node *common_pop_free(struct bpfvm_lru *lru, uint32_t hash, uint32_t cpu)
{
	struct bpfvm_lru_local *loc = &lru->locals[cpu];
	struct bpfvm_lru_node *n;

	htab_lock(&loc->lock);
	n = local_pop_free(loc);
	if (!n) {
		refill_local(lru, loc);
		n = local_pop_free(loc);
	}
	if (n)
		add_pending(loc, cpu, n, hash);
	htab_unlock(&loc->lock);
	if (n)
		return n;

	/* Nothing free locally nor globally: steal from the CPUs' local
	 * lists, round-robin, starting where the last steal of this CPU
	 * stopped. */
	uint32_t first = __atomic_load_n(&loc->next_steal, __ATOMIC_RELAXED), steal = first;
	do {
		struct bpfvm_lru_local *s = &lru->locals[steal];
		htab_lock(&s->lock);
		n = local_pop_free(s);
		if (!n)
			n = local_pop_pending(lru, s);
		htab_unlock(&s->lock);
		steal = steal + 1 < lru->ncpus ? steal + 1 : 0;
	} while (!n && steal != first);
	__atomic_store_n(&loc->next_steal, steal, __ATOMIC_RELAXED);

	if (n) {
		htab_lock(&loc->lock);
		add_pending(loc, cpu, n, hash);
		htab_unlock(&loc->lock);
	}
	return n;
}

static void common_push_free(struct bpfvm_lru *lru, struct bpfvm_lru_node *n)
{
	int t = node_type(n);
	if (t == LRU_FREE || t == LRU_LOCAL_FREE)
		return;
	if (t == LRU_LOCAL_PENDING) {
		/* Still pending on the CPU that took it: straight back to that
		 * CPU's local free list, unless a refill moved it into the
		 * global LRU meanwhile (checked again under the lock). */
		struct bpfvm_lru_local *loc = &lru->locals[n->cpu];
		htab_lock(&loc->lock);
		if (node_type(n) == LRU_LOCAL_PENDING) {
			node_set_type(n, LRU_LOCAL_FREE);
			node_clear_ref(n);
			list_move_head(&n->link, local_list(loc, LRU_LOCAL_FREE));
			htab_unlock(&loc->lock);
			return;
		}
		htab_unlock(&loc->lock);
	}
	struct bpfvm_lru_list *l = lru->common;
	htab_lock(&l->lock);
	move(l, n, LRU_FREE);
	htab_unlock(&l->lock);
}

/* ---- per-CPU LRU --------------------------------------------------------- */

static struct bpfvm_lru_node *percpu_pop_free(struct bpfvm_lru *lru, uint32_t hash, uint32_t cpu)
{
	struct bpfvm_lru_list *l = &lru->cpu_lists[cpu];
	struct bpfvm_lru_link *free_list = &l->lists[LRU_FREE];
	struct bpfvm_lru_node *n = NULL;

	htab_lock(&l->lock);
	rotate(lru, l);
	if (list_empty(free_list))
		shrink(lru, l, PERCPU_FREE_TARGET, free_list, LRU_FREE);
	if (!list_empty(free_list)) {
		n = node_of(free_list->next);
		__atomic_store_n(&n->hash, hash, __ATOMIC_RELAXED);
		node_clear_ref(n);
		move(l, n, LRU_INACTIVE);
	}
	htab_unlock(&l->lock);
	return n;
}

static void percpu_push_free(struct bpfvm_lru *lru, struct bpfvm_lru_node *n)
{
	struct bpfvm_lru_list *l = &lru->cpu_lists[n->cpu];
	htab_lock(&l->lock);
	move(l, n, LRU_FREE);
	htab_unlock(&l->lock);
}

/* ---- API ----------------------------------------------------------------- */

struct bpfvm_lru_node *bpfvm_lru_pop_free(struct bpfvm_lru *lru, uint32_t hash, uint32_t cpu)
{
	if (cpu >= lru->ncpus)
		cpu %= lru->ncpus;
	return lru->percpu ? percpu_pop_free(lru, hash, cpu) : common_pop_free(lru, hash, cpu);
}

void bpfvm_lru_push_free(struct bpfvm_lru *lru, struct bpfvm_lru_node *n)
{
	if (lru->percpu)
		percpu_push_free(lru, n);
	else
		common_push_free(lru, n);
}

void bpfvm_lru_populate(struct bpfvm_lru *lru, void *buf, size_t node_offset, size_t elem_size, uint32_t nr)
{
	uint8_t *p = (uint8_t *)buf + node_offset;
	if (!lru->percpu) {
		struct bpfvm_lru_list *l = lru->common;
		for (uint32_t i = 0; i < nr; i++, p += elem_size) {
			struct bpfvm_lru_node *n = (struct bpfvm_lru_node *)(void *)p;
			n->type = LRU_FREE;
			n->ref = 0;
			list_add_head(&n->link, &l->lists[LRU_FREE]);
		}
		return;
	}
	/* Consecutive runs of nr / ncpus nodes per CPU (nr is a multiple of
	 * ncpus: the map rounds max_entries so). */
	uint32_t per_cpu = nr / lru->ncpus, i = 0;
	if (!per_cpu)
		per_cpu = 1;
	for (uint32_t cpu = 0; cpu < lru->ncpus && i < nr; cpu++) {
		struct bpfvm_lru_list *l = &lru->cpu_lists[cpu];
		do {
			struct bpfvm_lru_node *n = (struct bpfvm_lru_node *)(void *)p;
			n->cpu = (uint16_t)cpu;
			n->type = LRU_FREE;
			n->ref = 0;
			list_add_head(&n->link, &l->lists[LRU_FREE]);
			i++;
			p += elem_size;
		} while (i < nr && i % per_cpu);
	}
}

static void lru_list_init(struct bpfvm_lru_list *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < LRU_NR_LISTS; i++)
		list_init(&l->lists[i]);
	l->next_inactive_rotation = &l->lists[LRU_INACTIVE];
}

int bpfvm_lru_init(struct bpfvm_lru *lru, int percpu, uint32_t ncpus, bpfvm_lru_del_fn del, void *arg)
{
	memset(lru, 0, sizeof(*lru));
	lru->percpu = percpu;
	lru->ncpus = ncpus ? ncpus : 1;
	lru->del_from_htab = del;
	lru->del_arg = arg;
	if (percpu) {
		lru->cpu_lists = calloc(lru->ncpus, sizeof(*lru->cpu_lists));
		if (!lru->cpu_lists)
			return -ENOMEM;
		for (uint32_t c = 0; c < lru->ncpus; c++)
			lru_list_init(&lru->cpu_lists[c]);
		lru->nr_scans = PERCPU_NR_SCANS;
		return 0;
	}
	lru->common = calloc(1, sizeof(*lru->common));
	lru->locals = calloc(lru->ncpus, sizeof(*lru->locals));
	if (!lru->common || !lru->locals) {
		bpfvm_lru_destroy(lru);
		return -ENOMEM;
	}
	lru_list_init(lru->common);
	for (uint32_t c = 0; c < lru->ncpus; c++) {
		for (int i = 0; i < LRU_NR_LOCAL; i++)
			list_init(&lru->locals[c].lists[i]);
		lru->locals[c].next_steal = c;
	}
	lru->nr_scans = LOCAL_NR_SCANS;
	return 0;
}

void bpfvm_lru_destroy(struct bpfvm_lru *lru)
{
	free(lru->cpu_lists);
	free(lru->common);
	free(lru->locals);
	lru->cpu_lists = NULL;
	lru->common = NULL;
	lru->locals = NULL;
}
