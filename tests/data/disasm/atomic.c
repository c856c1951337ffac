/* Atomic read-modify-write: the v5.1 XADD and the 5.12 atomics, 64 and 32
 * bits, with the old value used (fetch forms) or not. */
#include "common.h"

SEC("socket") int atomics64(u64 *p)
{
	u64 v = p[8];
	__sync_fetch_and_add(&p[0], 5);
	__sync_fetch_and_add(&p[1], v);
	__sync_fetch_and_or(&p[2], v);
	__sync_fetch_and_and(&p[3], v);
	__sync_fetch_and_xor(&p[4], v);
	u64 r = __sync_fetch_and_add(&p[5], v);
	r += __sync_fetch_and_or(&p[5], v);
	r += __sync_fetch_and_and(&p[6], v);
	r += __sync_fetch_and_xor(&p[7], v);
	r += __sync_lock_test_and_set(&p[8], r);
	r += __sync_val_compare_and_swap(&p[9], v, r);
	return (int)r;
}

SEC("socket") int atomics32(u32 *p)
{
	u32 v = p[8];
	__sync_fetch_and_add(&p[0], 5);
	__sync_fetch_and_add(&p[1], v);
	__sync_fetch_and_or(&p[2], v);
	__sync_fetch_and_and(&p[3], v);
	__sync_fetch_and_xor(&p[4], v);
	u32 r = __sync_fetch_and_add(&p[5], v);
	r += __sync_fetch_and_or(&p[5], v);
	r += __sync_fetch_and_and(&p[6], v);
	r += __sync_fetch_and_xor(&p[7], v);
	r += __sync_lock_test_and_set(&p[8], r);
	r += __sync_val_compare_and_swap(&p[9], v, r);
	return (int)r;
}
