/* MAP_CREATE with BTF: map_check_btf of v5.1 (kernel/bpf/syscall.c) and the
 * map types' own map_check_btf callbacks, described once in a table. */
#include "btf/btf.h"
#include "btf/btf_verify.h"
#include "core/kerrno.h"
#include <errno.h>

/* What a map type says about its key and value types (its map_ops). */
enum map_btf_rule {
	MAP_BTF_ANY = 0,        /* no callback: sizes are enough (hashes, queue, stack) */
	MAP_BTF_NONE,           /* map_check_no_btf: fd maps and the like */
	MAP_BTF_ARRAY_KEY,      /* array_map_check_btf: the key is a 32-bit int */
	MAP_BTF_LPM_KEY,        /* trie_check_btf: the key is a struct */
	MAP_BTF_CGROUP_KEY,     /* cgroup_storage_check_btf: struct bpf_cgroup_storage_key */
};

static const uint8_t map_btf_rules[] = {
	[BPF_MAP_TYPE_ARRAY] = MAP_BTF_ARRAY_KEY,
	[BPF_MAP_TYPE_PERCPU_ARRAY] = MAP_BTF_ARRAY_KEY,
	[BPF_MAP_TYPE_PROG_ARRAY] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_CGROUP_ARRAY] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_HASH_OF_MAPS] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_STACK_TRACE] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_DEVMAP] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_SOCKMAP] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_CPUMAP] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_XSKMAP] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_SOCKHASH] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = MAP_BTF_NONE,
	[BPF_MAP_TYPE_LPM_TRIE] = MAP_BTF_LPM_KEY,
	[BPF_MAP_TYPE_CGROUP_STORAGE] = MAP_BTF_CGROUP_KEY,
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = MAP_BTF_CGROUP_KEY,
};

/* btf_member_is_reg_int: a whole int of that byte offset and size */
static bool member_is_reg_int(const struct bpfvm_btf *btf, const struct btf_type *s, const struct btf_member *m,
			      uint32_t want_off, uint32_t want_size)
{
	uint32_t id = m->type;
	const struct btf_type *t = btf_type_id_size(btf, &id, NULL);
	if (!t || !btf_is_int(t))
		return false;
	uint32_t d = btf_int_data(t), nr_bits = BTF_INT_BITS(d);
	if (btf_kflag(s)) {
		uint32_t bits_off = BTF_MEMBER_BIT_OFFSET(m->offset);
		return !BTF_MEMBER_BITFIELD_SIZE(m->offset) && BITS_ROUNDUP_BYTES(bits_off) == want_off &&
		       BITS_ROUNDUP_BYTES(nr_bits) == want_size;
	}
	return !BTF_INT_OFFSET(d) && !BITS_PER_BYTE_MASKED(m->offset) &&
	       BITS_ROUNDUP_BYTES(m->offset) == want_off && !BITS_PER_BYTE_MASKED(nr_bits) &&
	       BITS_ROUNDUP_BYTES(nr_bits) == want_size;
}

static int check_key(const struct bpfvm_btf *btf, uint32_t map_type, const struct btf_type *key)
{
	int rule = map_type < sizeof(map_btf_rules) ? map_btf_rules[map_type] : MAP_BTF_ANY;
	switch (rule) {
	case MAP_BTF_NONE:
		return -ENOTSUPP;
	case MAP_BTF_ARRAY_KEY: {
		/* an array index is a u32: key_size alone cannot tell */
		if (!btf_is_int(key))
			return -EINVAL;
		uint32_t d = btf_int_data(key);
		return BTF_INT_BITS(d) != 32 || BTF_INT_OFFSET(d) ? -EINVAL : 0;
	}
	case MAP_BTF_LPM_KEY:
		/* struct bpf_lpm_trie_key embedded in the key */
		return btf_kind(key) != BTF_KIND_STRUCT ? -EINVAL : 0;
	case MAP_BTF_CGROUP_KEY: {
		/* { u64 cgroup_inode_id; u32 attach_type; } */
		if (btf_kind(key) != BTF_KIND_STRUCT || btf_vlen(key) != 2)
			return -EINVAL;
		const struct btf_member *m = btf_members(key);
		if (!member_is_reg_int(btf, key, &m[0], 0, 8) || !member_is_reg_int(btf, key, &m[1], 8, 4))
			return -EINVAL;
		return 0;
	}
	default:
		return 0;
	}
}

int bpfvm_btf_check_map(const struct bpfvm_btf *btf, uint32_t map_type, uint32_t key_size, uint32_t value_size,
			uint32_t key_type_id, uint32_t value_type_id, int32_t *spin_lock_off)
{
	uint32_t ksize = 0, vsize = 0;
	const struct btf_type *key = btf_type_id_size(btf, &key_type_id, &ksize);
	if (!key || ksize != key_size)
		return -EINVAL;
	const struct btf_type *value = btf_type_id_size(btf, &value_type_id, &vsize);
	if (!value || vsize != value_size)
		return -EINVAL;
	int off = bpfvm_btf_find_spin_lock(btf, value_type_id);
	*spin_lock_off = off;
	if (off >= 0) {
		/* only maps whose update path takes the lock may hold one */
		if (map_type != BPF_MAP_TYPE_HASH && map_type != BPF_MAP_TYPE_ARRAY &&
		    map_type != BPF_MAP_TYPE_CGROUP_STORAGE)
			return -ENOTSUPP;
		if ((uint64_t)off + sizeof(struct bpf_spin_lock) > value_size)
			return -EFAULT;     /* the kernel's "verifier bug" */
	}
	return check_key(btf, map_type, key);
}
