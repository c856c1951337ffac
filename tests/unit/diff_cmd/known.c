/* Known differences: where Linux 6.18 answers otherwise than v5.1 (whose
 * semantics bpfvm follows), and where bpfvm deviates from v5.1 (BPFVM BUG,
 * reported, to be fixed in src/). The executor recognizes each by the exact
 * pair of answers in its situation and counts it; anything else fails. */
#include "dc.h"

unsigned long known_hits[KD__COUNT];
unsigned long known_seen;

const struct known_diff known_diffs[KD__COUNT] = {
	[KD_ATTR_GROWN] = { "attr-grown",
		"a nonzero byte beyond v5.1's union bpf_attr (112 bytes) but inside 6.18's (168): v5.1 E2BIG, "
		"6.18 reads it as one of its newer fields", 0 },
	[KD_NEW_ATTR_FIELDS] = { "new-attr-fields",
		"nonzero attr bytes after a command's last v5.1 field that 6.18 uses: v5.1 EINVAL (CHECK_ATTR), "
		"6.18 reads them (MAP_CREATE: btf_vmlinux_value_type_id, map_extra, value_type_btf_obj_fd, "
		"map_token_fd, excl_prog_hash; PROG_LOAD: attach_btf_id; OBJ_PIN/OBJ_GET: path_fd; "
		"LOOKUP_AND_DELETE: flags; BTF_GET_FD_BY_ID: next_id, open_flags, fd_by_id_token_fd)", 0 },
	[KD_NEW_MAP_FLAGS] = { "new-map-flags",
		"map_flags bits 7-18 (RDONLY_PROG, WRONLY_PROG, CLONE, MMAPABLE, PRESERVE_ELEMS, INNER_MAP, ...): "
		"EINVAL in v5.1, accepted by 6.18 where they apply", 0 },
	[KD_PERCPU_VALUE_LIMIT] = { "percpu-value-limit",
		"per-CPU values over 32 KiB (PCPU_MIN_UNIT_SIZE): v5.1 fails the per-CPU allocation (ENOMEM, at "
		"update for BPF_F_NO_PREALLOC hash maps), 6.12+ refuses at creation with E2BIG", 0 },
	[KD_ARRAY_VALUE_LIMIT] = { "array-value-limit",
		"ARRAY value_size over KMALLOC_MAX_SIZE (4 MiB): E2BIG in v5.1, allowed by 6.18 (up to INT_MAX)", 0 },
	[KD_HASH_SIZE_LIMITS] = { "hash-size-limits",
		"hash maps: v5.1 refuses key_size > 512 (MAX_BPF_STACK) and value_size >= 4 MiB - 512 - 48 with "
		"E2BIG; 6.18 only key_size + value_size >= 4 MiB - 48", 0 },
	[KD_COST_LIMIT] = { "cost-limit",
		"v5.1 refuses maps whose memory cost reaches U32_MAX - PAGE_SIZE (E2BIG; LPM_TRIE with huge "
		"max_entries); 6.18 has no such limit (memcg accounting) and allocates lazily", 0 },
	[KD_INNER_MAX_ENTRIES] = { "inner-max-entries",
		"map-in-map update with an inner map that differs from the template only in max_entries: v5.1 "
		"EINVAL (bpf_map_meta_equal compares it), 5.10+ accept it for non-array inner maps (resynced: "
		"the kernel's slot is put back)", 0 },
	[KD_HTAB_OF_MAPS_IN_PLACE] = { "hash-of-maps-in-place",
		"HASH_OF_MAPS update of an existing key: v5.1 puts a new element at the head of the bucket (the "
		"key moves in iteration order), 6.15+ replaces the inner map in place (\"bpf: Support atomic "
		"update for htab of maps\"): compared as sets, GET_NEXT_KEY answers not compared", 0 },
	[KD_LPM_NOEXIST] = { "lpm-noexist",
		"LPM_TRIE update with BPF_NOEXIST of an existing prefix: v5.1 ignores the flag and replaces, "
		"6.13+ EEXIST (resynced: the kernel is updated with BPF_ANY)", 0 },
	[KD_LPM_EXIST] = { "lpm-exist",
		"LPM_TRIE update with BPF_EXIST of a missing prefix: v5.1 ignores the flag and inserts (or "
		"ENOSPC when full), 6.13+ ENOENT (resynced)", 0 },
	[KD_LPM_FULL_REPLACE] = { "lpm-full-replace",
		"LPM_TRIE update of an existing prefix in a full trie: v5.1 ENOSPC, 6.13+ replaces the value "
		"(resynced: the old value is put back)", 0 },
	[KD_LPM_NEXT_KEY_ABSENT] = { "lpm-next-key-absent",
		"LPM_TRIE GET_NEXT_KEY of an absent key: v5.1 takes a node of equal prefix length on the "
		"key's path as the key even if the bits differ; 6.13 fixed the exact-match test", 0 },
	[KD_LPM_LOOKUP_TOO_LONG] = { "lpm-lookup-too-long",
		"LPM_TRIE lookup of a key whose prefixlen exceeds the trie's: v5.1 walks the trie and returns "
		"the longest match, 6.2+ ENOENT at once (\"bpf, lpm: Fix check prefixlen before walking trie\")", 0 },
	[KD_HASH_LOOKUP_DELETE] = { "hash-lookup-and-delete",
		"MAP_LOOKUP_AND_DELETE_ELEM on hash maps and STACK_TRACE: ENOTSUPP in v5.1 (queue/stack only), "
		"supported since 5.14 (resynced: bpfvm deletes too; the value the kernel returned is compared)", 0 },
	[KD_LOOKUP_DELETE_WRONLY] = { "lookup-and-delete-wronly",
		"MAP_LOOKUP_AND_DELETE_ELEM through a write-only fd: v5.1 checks write access only, 6.18 "
		"read and write (EPERM) (resynced: the kernel pops through a read-write fd, compared)", 0 },
	[KD_LOOKUP_DELETE_FLAGS] = { "lookup-and-delete-flags",
		"MAP_LOOKUP_AND_DELETE_ELEM with 6.18's flags field set: v5.1 EINVAL (CHECK_ATTR) before "
		"the fd, 6.18 EBADF/EPERM from the fd and its access first", 0 },
	[KD_LRU_EVICTION] = { "lru-eviction",
		"an update of a full LRU map evicts; which element goes depends on the LRU's internals, which "
		"changed after v5.1 (and v5.1's syscall lookups set reference bits, 5.2+ do not): such updates "
		"are not made (counted here), LRU maps are compared while they have room", 0 },
	[KD_INFO_GROWN] = { "info-grown",
		"OBJ_GET_INFO_BY_FD with info_len beyond v5.1's struct: 6.18's bpf_map_info / bpf_prog_info "
		"are longer, so more is filled and a larger info_len comes back", 0 },
	[KD_INFO_FD_FLAGS] = { "fd-flags-in-map-flags",
		"BPF_F_RDONLY / BPF_F_WRONLY given at MAP_CREATE: v5.1 keeps them in the map's map_flags (map "
		"info reports them; an inner map must match a map-in-map's template in them), 5.2+ clears them "
		"(bpf_map_flags_retain_permanent: they belong to the fd, not the map)", 0 },
	[KD_PIN_BAD_FD] = { "pin-bad-fd",
		"OBJ_PIN of an fd that is not open: v5.1 EBADF (bpf_fd_probe_obj returns bpf_prog_get's error), "
		"5.7+ EINVAL (it tries links too and answers EINVAL for anything else)", 0 },
	[KD_PROG_LOAD_ORDER] = { "prog-load-order",
		"PROG_LOAD with insn_cnt 0 and no license: v5.1 copies the license first (EFAULT), 6.18 checks "
		"insn_cnt first (E2BIG) and copies the license after the instructions", 0 },
	[KD_BPFVM_NAME_LATIN1] = { "name-latin1",
		"map and program names with bytes 0xc0-0xff other than 0xd7 and 0xf7: the kernel's isalnum() "
		"(lib/ctype.c, Latin-1) takes them as letters, so v5.1 and 6.18 accept such names; bpfvm "
		"accepts ASCII only and answers EINVAL (src/maps/map.c bpfvm_obj_name_check)", 1 },
	[KD_BPFVM_LRU_MAX_ROUND] = { "lru-max-entries-rounding",
		"LRU maps with BPF_F_NO_COMMON_LRU: v5.1 rounds max_entries up to a multiple of the possible "
		"CPUs and reports that (map info); bpfvm rounds only internally and reports what was asked "
		"(src/maps/hashtab.c htab_size sets h->max_entries, not map.max_entries)", 1 },
	[KD_BPFVM_INFO_LEN_PAGE] = { "info-len-page",
		"OBJ_GET_INFO_BY_FD with info_len > PAGE_SIZE: v5.1 E2BIG (bpf_check_uarg_tail_zero: \"silly "
		"large\"), bpfvm copies and succeeds (src/sys/info.c info_prologue)", 1 },
	[KD_BPFVM_PATH_TRAILING_SLASH] = { "pin-path-trailing-slash",
		"OBJ_PIN / OBJ_GET of \"<bpffs dir>/name/\": the kernel's path walk says ENOENT (EEXIST when pinning "
		"over an existing name, ENOTDIR when getting one), bpfvm EPERM / ENOENT (src/sys/cmd_obj.c "
		"check_path refuses a trailing slash as outside the bpffs)", 1 },
	[KD_BPFVM_NUMA_NO_NODE] = { "numa-no-node",
		"MAP_CREATE with BPF_F_NUMA_NODE and numa_node = -1 (NUMA_NO_NODE): v5.1 and 6.18 accept it "
		"(any map type), bpfvm EINVAL (src/maps/map.c checks numa_node != 0)", 1 },
	[KD_BPFVM_MAP_IFINDEX] = { "map-ifindex",
		"MAP_CREATE with map_ifindex set (offload): v5.1 and 6.18 EINVAL (type not HASH/ARRAY, or no "
		"such device) or EOPNOTSUPP (a device without ndo_bpf, like lo); bpfvm ignores the field and "
		"creates a map", 1 },
	[KD_BPFVM_INFO_NULL_EMPTY] = { "info-null-empty",
		"OBJ_GET_INFO_BY_FD with info = NULL and info_len = 0: v5.1 and 6.18 succeed (nothing to copy), "
		"bpfvm EFAULT (src/sys/info.c info_prologue)", 1 },
	[KD_BPFVM_ID_INT_MAX] = { "next-id-int-max",
		"*_GET_NEXT_ID with start_id >= INT_MAX: v5.1 and 6.18 EINVAL, bpfvm ENOENT "
		"(src/sys/cmd_obj.c get_next_id)", 1 },
	[KD_BPFVM_WRITEBACK_BEYOND_SIZE] = { "writeback-beyond-size",
		"fields written back (next_id, info.info_len) when the attr size given does not cover them: "
		"the kernel writes them anyway (put_user on uattr), bpfvm does not, on purpose: writing past "
		"the size the caller declared could overwrite its memory", 0 },
};
