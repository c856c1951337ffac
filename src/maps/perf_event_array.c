/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY (the kernel's perf_event_array_map_ops of
 * v5.1) and the BPF output events its slots hold (the public side is
 * include/bpfvm/perf.h).
 *
 * An event is a ring of 2^n bytes with the kernel's perf ring protocol:
 * head and tail are free-running byte counters, a writer needs
 * CIRC_SPACE(head, tail) >= record size (so a ring never fills its last
 * byte), records are 8-byte aligned and may wrap around the end. Writers
 * (programs) serialize on the event's lock; the reader consumes without it
 * and publishes the tail with release ordering, as user space does with
 * data_tail.
 *
 * Slots hold a reference on their event, the host's handle another, and the
 * handle a (non-user) reference on the map.
 */
#include <bpfvm/perf.h>
#include "maps/arraymap.h"
#include "core/vm.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PERF_RECORD_MISC_KERNEL 1u
#define DEFAULT_RING_BYTES (64u * 1024u)
#define LOST_RECORD_SIZE 24u            /* header, id, lost */

struct perf_header {
	uint32_t type;
	uint16_t misc;
	uint16_t size;
};

struct bpfvm_perf {
	atomic_long refcnt;
	struct bpfvm_map *map;          /* held until close */
	uint32_t index;
	unsigned int cpu;
	uint64_t id;
	uint8_t *data;
	uint64_t size;                  /* power of two */
	/* Writers. */
	pthread_mutex_t wlock;
	uint64_t lost;                  /* not yet reported in the ring */
	atomic_uint_fast64_t lost_total;
	/* The ring's counters. */
	_Atomic uint64_t head, tail;
	/* The reader. */
	pthread_mutex_t rlock;
	uint8_t *scratch;               /* a record that wraps, made contiguous */
	/* bpfvm_perf_poll. */
	pthread_mutex_t wait_lock;
	pthread_cond_t wait_cond;
	atomic_int waiters;
};

static void perf_get(struct bpfvm_perf *pe)
{
	atomic_fetch_add(&pe->refcnt, 1);
}

static void perf_put(void *obj)
{
	struct bpfvm_perf *pe = obj;
	if (atomic_fetch_sub(&pe->refcnt, 1) != 1)
		return;
	pthread_mutex_destroy(&pe->wlock);
	pthread_mutex_destroy(&pe->rlock);
	pthread_mutex_destroy(&pe->wait_lock);
	pthread_cond_destroy(&pe->wait_cond);
	free(pe->scratch);
	free(pe->data);
	free(pe);
}

/* ---- the ring ---------------------------------------------------------------- */

static void ring_copy_in(struct bpfvm_perf *pe, uint64_t pos, const void *src, uint64_t len)
{
	uint64_t off = pos & (pe->size - 1), first = pe->size - off;
	if (first > len)
		first = len;
	memcpy(pe->data + off, src, first);
	memcpy(pe->data, (const uint8_t *)src + first, len - first);
}

static void ring_zero(struct bpfvm_perf *pe, uint64_t pos, uint64_t len)
{
	uint64_t off = pos & (pe->size - 1), first = pe->size - off;
	if (first > len)
		first = len;
	memset(pe->data + off, 0, first);
	memset(pe->data, 0, len - first);
}

static void ring_copy_out(const struct bpfvm_perf *pe, uint64_t pos, void *dst, uint64_t len)
{
	uint64_t off = pos & (pe->size - 1), first = pe->size - off;
	if (first > len)
		first = len;
	memcpy(dst, pe->data + off, first);
	memcpy((uint8_t *)dst + first, pe->data, len - first);
}

static void wake_reader(struct bpfvm_perf *pe)
{
	if (atomic_load(&pe->waiters) == 0)
		return;
	pthread_mutex_lock(&pe->wait_lock);
	pthread_cond_broadcast(&pe->wait_cond);
	pthread_mutex_unlock(&pe->wait_lock);
}

/* perf_event_output of a PERF_SAMPLE_RAW sample: perf_prepare_sample sizes
 * the raw part as round_up(size + 4, 8) (the u32 size field counts the
 * padding), perf_output_begin reserves room for a pending LOST record too
 * and fails with -ENOSPC (counting one more lost) if the ring lacks it. */
static int ring_output(struct bpfvm_perf *pe, const void *data, uint64_t size)
{
	uint64_t raw = ((size + 4 + 7) & ~7ull) - 4;
	uint64_t rec = sizeof(struct perf_header) + 4 + raw;
	/* perf_event_header.size is 16 bits: Linux v5.1 would wrap it and
	 * corrupt the ring; refuse instead. */
	if (rec > UINT16_MAX)
		return -E2BIG;
	pthread_mutex_lock(&pe->wlock);
	uint64_t head = atomic_load_explicit(&pe->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&pe->tail, memory_order_acquire);
	uint64_t need = rec + (pe->lost ? LOST_RECORD_SIZE : 0);
	if (((tail - (head + 1)) & (pe->size - 1)) < need) {
		pe->lost++;
		atomic_fetch_add(&pe->lost_total, 1);
		pthread_mutex_unlock(&pe->wlock);
		return -ENOSPC;
	}
	if (pe->lost) {
		struct { struct perf_header h; uint64_t id, lost; } l = {
			{ BPFVM_PERF_RECORD_LOST, 0, LOST_RECORD_SIZE }, pe->id, pe->lost };
		ring_copy_in(pe, head, &l, sizeof(l));
		head += sizeof(l);
		pe->lost = 0;
	}
	struct { struct perf_header h; uint32_t raw; } s = {
		{ BPFVM_PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, (uint16_t)rec }, (uint32_t)raw };
	ring_copy_in(pe, head, &s, sizeof(s));
	ring_copy_in(pe, head + sizeof(s), data, size);
	ring_zero(pe, head + sizeof(s) + size, raw - size);
	atomic_store(&pe->head, head + rec);
	pthread_mutex_unlock(&pe->wlock);
	wake_reader(pe);
	return 0;
}

int bpfvm_perf_event_output(struct bpfvm_map *map, uint64_t flags, uint32_t cpu, const void *data,
			    uint64_t size)
{
	uint64_t index = flags & BPF_F_INDEX_MASK;
	if (index == BPF_F_CURRENT_CPU)
		index = cpu;
	if (index >= map->max_entries)
		return -E2BIG;
	struct bpfvm_perf *pe = bpfvm_fd_array_get(map, (uint32_t)index);
	if (!pe)
		return -ENOENT;
	/* A per-CPU event only counts while its CPU runs it. */
	if (pe->cpu != cpu)
		return -EOPNOTSUPP;
	return ring_output(pe, data, size);
}

/* ---- the map -------------------------------------------------------------------- */

static int perf_array_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	return bpfvm_fd_array_alloc_check(attr);
}

static struct bpfvm_map *perf_array_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	return bpfvm_fd_array_alloc(vm, attr, perf_put, err);
}

static void *perf_array_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return NULL;
}

static int perf_array_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
			     uint32_t cpu)
{
	return -EINVAL;
}

/* The value would be a perf event fd (perf_event_get): bpfvm's fd table
 * holds none, and the kernel answers -EBADF for an fd that is not a perf
 * event. Events are stored with bpfvm_perf_open(). */
static int perf_array_sys_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	int rc = bpfvm_fd_array_update_check(map, key, flags);
	return rc < 0 ? rc : -EBADF;
}

/* No map_fd_sys_lookup_elem for perf events: lookups are not supported. */
static int perf_array_sys_lookup(struct bpfvm_map *map, const void *key, void *value, uint64_t flags)
{
	return -ENOTSUPP;
}

/* The kernel removes an event when the map file it was stored through is
 * closed (perf_event_fd_array_release); bpfvm has no per-fd bookkeeping in
 * maps and empties the slots when the last fd or pin of the map goes. */
static void perf_array_release_uref(struct bpfvm_map *map)
{
	bpfvm_fd_array_clear(map);
}

const struct bpfvm_map_ops bpfvm_perf_event_array_map_ops = {
	.alloc_check = perf_array_alloc_check,
	.alloc = perf_array_alloc,
	.free = bpfvm_fd_array_free,
	.release_uref = perf_array_release_uref,
	.lookup = perf_array_lookup,
	.update = perf_array_update,
	.delete = bpfvm_fd_array_delete,
	.get_next_key = bpfvm_array_get_next_key,
	.sys_lookup = perf_array_sys_lookup,
	.sys_update = perf_array_sys_update,
};

/* ---- the public API ------------------------------------------------------------ */

static struct bpfvm_perf *perf_new(unsigned int cpu, uint64_t size)
{
	struct bpfvm_perf *pe = calloc(1, sizeof(*pe));
	if (!pe || !(pe->data = calloc(1, size))) {
		free(pe);
		return NULL;
	}
	atomic_init(&pe->refcnt, 1);
	pe->cpu = cpu;
	pe->size = size;
	atomic_init(&pe->lost_total, 0);
	atomic_init(&pe->head, 0);
	atomic_init(&pe->tail, 0);
	atomic_init(&pe->waiters, 0);
	pthread_mutex_init(&pe->wlock, NULL);
	pthread_mutex_init(&pe->rlock, NULL);
	pthread_mutex_init(&pe->wait_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pe->wait_cond, &ca);
	pthread_condattr_destroy(&ca);
	return pe;
}

BPFVM_API int bpfvm_perf_open(struct bpfvm *vm, int map_fd, uint32_t index, unsigned int cpu,
			      size_t ring_bytes, struct bpfvm_perf **out)
{
	*out = NULL;
	if (!ring_bytes)
		ring_bytes = DEFAULT_RING_BYTES;
	if (ring_bytes < BPFVM_K_PAGE_SIZE || (ring_bytes & (ring_bytes - 1)) || cpu >= bpfvm_ncpus(vm))
		return -EINVAL;
	struct bpfvm_map *map;
	int rc = bpfvm_sys_fd_to_map(vm, map_fd, &map);
	if (rc < 0)
		return rc;
	if (map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		rc = -EINVAL;
	else if (index >= map->max_entries)
		rc = -E2BIG;
	struct bpfvm_perf *pe = rc ? NULL : perf_new(cpu, ring_bytes);
	if (!pe) {
		bpfvm_map_put(map);
		return rc ? rc : -ENOMEM;
	}
	pe->map = map;                  /* the fd lookup's reference */
	pe->index = index;
	pe->id = atomic_fetch_add(&bpfvm_fd_array(map)->next_event_id, 1);
	perf_get(pe);                   /* the slot's */
	bpfvm_fd_array_set(map, index, pe);
	*out = pe;
	return 0;
}

/* Consumes records until the ring is empty; `each` gets a contiguous copy
 * of each record. The tail advances after each record, giving writers
 * room as soon as possible. */
static int consume(struct bpfvm_perf *pe, void (*each)(void *ctx, const uint8_t *rec, size_t size), void *ctx)
{
	int n = 0;
	pthread_mutex_lock(&pe->rlock);
	uint64_t tail = atomic_load_explicit(&pe->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&pe->head, memory_order_acquire);
	while (tail < head) {
		struct perf_header h;
		ring_copy_out(pe, tail, &h, sizeof(h));
		uint64_t off = tail & (pe->size - 1);
		const uint8_t *rec = pe->data + off;
		if (off + h.size > pe->size) {
			if (!pe->scratch && !(pe->scratch = malloc(UINT16_MAX + 1)))
				break;
			ring_copy_out(pe, tail, pe->scratch, h.size);
			rec = pe->scratch;
		}
		each(ctx, rec, h.size);
		tail += h.size;
		atomic_store_explicit(&pe->tail, tail, memory_order_release);
		n++;
		if (tail == head)
			head = atomic_load_explicit(&pe->head, memory_order_acquire);
	}
	pthread_mutex_unlock(&pe->rlock);
	return n;
}

struct read_ctx {
	struct bpfvm_perf *pe;
	bpfvm_perf_sample_fn on_sample;
	bpfvm_perf_lost_fn on_lost;
	bpfvm_perf_record_fn on_record;
	void *user;
};

static void dispatch(void *c, const uint8_t *rec, size_t size)
{
	struct read_ctx *r = c;
	struct perf_header h;
	memcpy(&h, rec, sizeof(h));
	if (h.type == BPFVM_PERF_RECORD_SAMPLE && r->on_sample) {
		uint32_t raw;
		memcpy(&raw, rec + sizeof(h), sizeof(raw));
		r->on_sample(r->user, r->pe->cpu, rec + sizeof(h) + sizeof(raw), raw);
	} else if (h.type == BPFVM_PERF_RECORD_LOST && r->on_lost) {
		uint64_t lost;
		memcpy(&lost, rec + sizeof(h) + sizeof(uint64_t), sizeof(lost));
		r->on_lost(r->user, r->pe->cpu, lost);
	}
}

static void dispatch_raw(void *c, const uint8_t *rec, size_t size)
{
	struct read_ctx *r = c;
	r->on_record(r->user, rec, size);
}

BPFVM_API int bpfvm_perf_read(struct bpfvm_perf *pe, bpfvm_perf_sample_fn on_sample,
			      bpfvm_perf_lost_fn on_lost, void *user)
{
	struct read_ctx r = { pe, on_sample, on_lost, NULL, user };
	return consume(pe, dispatch, &r);
}

BPFVM_API int bpfvm_perf_read_raw(struct bpfvm_perf *pe, bpfvm_perf_record_fn fn, void *user)
{
	struct read_ctx r = { pe, NULL, NULL, fn, user };
	return consume(pe, dispatch_raw, &r);
}

static int has_data(struct bpfvm_perf *pe)
{
	return atomic_load(&pe->head) != atomic_load(&pe->tail);
}

BPFVM_API int bpfvm_perf_poll(struct bpfvm_perf *pe, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	if (timeout_ms > 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&pe->wait_lock);
	/* Announce the wait before looking: a writer that publishes after
	 * this sees a waiter and signals under wait_lock. */
	atomic_fetch_add(&pe->waiters, 1);
	int rc = 0;
	while (!(rc = has_data(pe)) && timeout_ms != 0) {
		int w = timeout_ms < 0 ? pthread_cond_wait(&pe->wait_cond, &pe->wait_lock)
				       : pthread_cond_timedwait(&pe->wait_cond, &pe->wait_lock, &until);
		if (w == ETIMEDOUT) {
			rc = has_data(pe);
			break;
		}
	}
	atomic_fetch_sub(&pe->waiters, 1);
	pthread_mutex_unlock(&pe->wait_lock);
	return rc;
}

BPFVM_API size_t bpfvm_perf_pending(const struct bpfvm_perf *pe)
{
	struct bpfvm_perf *p = (struct bpfvm_perf *)pe;
	return (size_t)(atomic_load(&p->head) - atomic_load(&p->tail));
}

BPFVM_API uint64_t bpfvm_perf_lost_total(const struct bpfvm_perf *pe)
{
	return atomic_load(&((struct bpfvm_perf *)pe)->lost_total);
}

BPFVM_API unsigned int bpfvm_perf_cpu(const struct bpfvm_perf *pe)
{
	return pe->cpu;
}

BPFVM_API uint64_t bpfvm_perf_id(const struct bpfvm_perf *pe)
{
	return pe->id;
}

BPFVM_API void bpfvm_perf_close(struct bpfvm_perf *pe)
{
	if (!pe)
		return;
	bpfvm_fd_array_remove_if(pe->map, pe->index, pe);
	bpfvm_map_put(pe->map);
	perf_put(pe);
}
