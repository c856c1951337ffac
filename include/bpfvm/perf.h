/*
 * bpfvm — reading what programs send with bpf_perf_event_output().
 *
 * In Linux a program's bpf_perf_event_output(ctx, map, flags, data, size)
 * appends a sample to the ring buffer of a "BPF output" perf event
 * (PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT) that user space opened on
 * one CPU with perf_event_open(), mmap()ed, and stored in a slot of a
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY with BPF_MAP_UPDATE_ELEM (usually the slot
 * whose index is the CPU, which is what BPF_F_CURRENT_CPU selects).
 *
 * bpfvm has no perf_event_open(): bpfvm_perf_open() does the three steps at
 * once on a map given by its fd. The event then behaves as in the kernel:
 * a program writes into it only when running on the event's CPU (else the
 * helper returns -EOPNOTSUPP), a full ring drops the sample (-ENOSPC to the
 * program) and counts it lost, and the next sample that fits is preceded by
 * a PERF_RECORD_LOST record with that count.
 *
 * The ring holds records laid out exactly as the kernel's: a struct
 * perf_event_header { u32 type; u16 misc; u16 size; } then, for
 * PERF_RECORD_SAMPLE (sample_type PERF_SAMPLE_RAW), a u32 size and the raw
 * bytes, zero-padded so that the size field plus the bytes fill a multiple
 * of 8 (the size field counts the padding, as in Linux); for
 * PERF_RECORD_LOST a u64 event id and a u64 count.
 *
 * One thread at a time may read an event; programs on any number of threads
 * may write to it while it reads.
 */
#ifndef BPFVM_PERF_H
#define BPFVM_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <bpfvm/bpfvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One opened BPF output event and its ring. */
struct bpfvm_perf;

/* perf_event_header.type of the records found in the ring. */
#define BPFVM_PERF_RECORD_LOST   2u
#define BPFVM_PERF_RECORD_SAMPLE 9u

/* Opens a BPF output event on `cpu` (below bpfvm_ncpus()) with a ring of
 * `ring_bytes` (a power of two, at least 4096; 0 means 64 KiB) and stores it
 * in slot `index` of the PERF_EVENT_ARRAY `map_fd`, replacing what was there.
 * The event leaves the slot when it is closed, when the slot is deleted or
 * overwritten, or when the map's last fd or pin goes.
 * Returns 0 and *out, or -EBADF (no such fd), -EINVAL (not a perf event
 * array, bad cpu or ring size), -E2BIG (index out of range), -ENOMEM. */
BPFVM_API int bpfvm_perf_open(struct bpfvm *vm, int map_fd, uint32_t index, unsigned int cpu,
			      size_t ring_bytes, struct bpfvm_perf **out);

/* Called for each sample: the raw bytes and their size as the record gives
 * it (the program's size rounded up so that 4 + size is a multiple of 8;
 * the extra bytes are zero). */
typedef void (*bpfvm_perf_sample_fn)(void *user, unsigned int cpu, const void *data, uint32_t size);
/* Called for each PERF_RECORD_LOST: how many samples were dropped. */
typedef void (*bpfvm_perf_lost_fn)(void *user, unsigned int cpu, uint64_t lost);

/* Consumes every record in the ring, oldest first, calling on_sample or
 * on_lost (either may be NULL). Returns the number of records consumed. */
BPFVM_API int bpfvm_perf_read(struct bpfvm_perf *pe, bpfvm_perf_sample_fn on_sample,
			      bpfvm_perf_lost_fn on_lost, void *user);

/* The same, handing over each whole record (header included, `size` =
 * header.size bytes), as a reader of the mmap()ed ring would see it. */
typedef void (*bpfvm_perf_record_fn)(void *user, const void *record, size_t size);
BPFVM_API int bpfvm_perf_read_raw(struct bpfvm_perf *pe, bpfvm_perf_record_fn fn, void *user);

/* Waits until the ring holds a record, at most timeout_ms (negative: no
 * limit). Returns 1 if it does, 0 on timeout. */
BPFVM_API int bpfvm_perf_poll(struct bpfvm_perf *pe, int timeout_ms);

/* Bytes waiting in the ring. */
BPFVM_API size_t bpfvm_perf_pending(const struct bpfvm_perf *pe);
/* Samples dropped since the event was opened (whether or not a
 * PERF_RECORD_LOST has reported them yet). */
BPFVM_API uint64_t bpfvm_perf_lost_total(const struct bpfvm_perf *pe);
/* The event's CPU, and its id (the id field of its PERF_RECORD_LOST). */
BPFVM_API unsigned int bpfvm_perf_cpu(const struct bpfvm_perf *pe);
BPFVM_API uint64_t bpfvm_perf_id(const struct bpfvm_perf *pe);

/* Takes the event out of its slot (if it is still there) and frees it once
 * no program can be writing to it. */
BPFVM_API void bpfvm_perf_close(struct bpfvm_perf *pe);

#ifdef __cplusplus
}
#endif
#endif
