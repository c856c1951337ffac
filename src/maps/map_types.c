/* The table of map types: enum bpf_map_type -> ops. Adding a map type is a
 * new file in maps/ and one line here. */
#include "maps/map.h"

#define MAP_OPS(name) extern const struct bpfvm_map_ops name
MAP_OPS(bpfvm_htab_map_ops);
MAP_OPS(bpfvm_htab_percpu_map_ops);
MAP_OPS(bpfvm_htab_lru_map_ops);
MAP_OPS(bpfvm_htab_lru_percpu_map_ops);
MAP_OPS(bpfvm_htab_of_maps_map_ops);
MAP_OPS(bpfvm_array_map_ops);
MAP_OPS(bpfvm_percpu_array_map_ops);
MAP_OPS(bpfvm_prog_array_map_ops);
MAP_OPS(bpfvm_perf_event_array_map_ops);
MAP_OPS(bpfvm_array_of_maps_map_ops);
MAP_OPS(bpfvm_lpm_trie_map_ops);
MAP_OPS(bpfvm_queue_map_ops);
MAP_OPS(bpfvm_stack_map_ops);
MAP_OPS(bpfvm_stack_trace_map_ops);

const struct bpfvm_map_ops *const bpfvm_map_types[] = {
	[BPF_MAP_TYPE_HASH] = &bpfvm_htab_map_ops,
	[BPF_MAP_TYPE_ARRAY] = &bpfvm_array_map_ops,
	[BPF_MAP_TYPE_PROG_ARRAY] = &bpfvm_prog_array_map_ops,
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = &bpfvm_perf_event_array_map_ops,
	[BPF_MAP_TYPE_PERCPU_HASH] = &bpfvm_htab_percpu_map_ops,
	[BPF_MAP_TYPE_PERCPU_ARRAY] = &bpfvm_percpu_array_map_ops,
	[BPF_MAP_TYPE_STACK_TRACE] = &bpfvm_stack_trace_map_ops,
	[BPF_MAP_TYPE_LRU_HASH] = &bpfvm_htab_lru_map_ops,
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = &bpfvm_htab_lru_percpu_map_ops,
	[BPF_MAP_TYPE_LPM_TRIE] = &bpfvm_lpm_trie_map_ops,
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = &bpfvm_array_of_maps_map_ops,
	[BPF_MAP_TYPE_HASH_OF_MAPS] = &bpfvm_htab_of_maps_map_ops,
	[BPF_MAP_TYPE_QUEUE] = &bpfvm_queue_map_ops,
	[BPF_MAP_TYPE_STACK] = &bpfvm_stack_map_ops,
};
const unsigned int bpfvm_map_types_count = sizeof(bpfvm_map_types) / sizeof(bpfvm_map_types[0]);
