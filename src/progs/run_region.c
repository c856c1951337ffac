/* Moving a checked run's packet region when a helper reallocates the
 * packet: the old buffer's region is replaced (or dropped), so a pointer
 * the program kept into the freed buffer faults. */
#include "progs/model.h"

int bpfvm_run_region_move(struct bpfvm_run *run, const void *old_start, const void *start, size_t len,
			  int writable)
{
	if (!run || !run->checked)
		return 0;
	uintptr_t old = (uintptr_t)old_start;
	for (uint32_t i = 1; i < run->nregions; i++) {
		struct bpfvm_region *r = &run->regions[i];
		if (r->start != old || r->kind != REGION_MEM)
			continue;
		if (start) {
			r->start = (uintptr_t)start;
			r->end = (uintptr_t)start + len;
			r->writable = (uint8_t)writable;
		} else {
			run->regions[i] = run->regions[--run->nregions];
		}
		return 0;
	}
	return start ? bpfvm_run_add_region(run, start, len, writable) : 0;
}
