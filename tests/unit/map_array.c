/* The array family: ARRAY, PERCPU_ARRAY, PROG_ARRAY, ARRAY_OF_MAPS — the
 * errnos of Linux v5.1 through bpfvm_bpf(), the value layout, the per-CPU
 * syscall view, tail calls through a prog array. */
#include "test.h"
#include "lib/insn.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include "maps/map.h"
#include "maps/arraymap.h"
#include "maps/map_in_map.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static struct bpfvm *vm;

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static int create_ex(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, uint32_t inner_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	a.map_flags = flags;
	a.inner_map_fd = inner_fd;
	return sys(BPF_MAP_CREATE, &a);
}

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	return create_ex(type, ks, vs, max, flags, 0);
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	if (cmd != BPF_MAP_DELETE_ELEM && cmd != BPF_MAP_LOOKUP_AND_DELETE_ELEM)
		a.flags = flags;
	return sys(cmd, &a);
}

static int update(int fd, uint32_t key, const void *value, uint64_t flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, &key, (void *)value, flags);
}

static int lookup(int fd, uint32_t key, void *value)
{
	return elem(BPF_MAP_LOOKUP_ELEM, fd, &key, value, 0);
}

static int delete(int fd, uint32_t key)
{
	return elem(BPF_MAP_DELETE_ELEM, fd, &key, NULL, 0);
}

static int next_key(int fd, const uint32_t *key, uint32_t *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.next_key = (uint64_t)(uintptr_t)next;
	return sys(BPF_MAP_GET_NEXT_KEY, &a);
}

static struct bpfvm_map *map_of(int fd)
{
	struct bpfvm_map *m = NULL;
	if (bpfvm_sys_fd_to_map(vm, fd, &m) < 0)
		return NULL;
	bpfvm_map_put(m);       /* the fd keeps it alive */
	return m;
}

static int load_xdp(const struct bpf_insn *insns, uint32_t n, uint32_t type)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	return sys(BPF_PROG_LOAD, &a);
}

static int test_run(int prog_fd, uint32_t *retval)
{
	uint8_t pkt[64] = { 0 };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	int rc = sys(BPF_PROG_TEST_RUN, &a);
	*retval = a.test.retval;
	return rc;
}

/* ---- ARRAY ------------------------------------------------------------------------ */

static void test_array_create(void)
{
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0), -EINVAL);      /* key must be 4 */
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_ZERO_SEED), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, (1u << 22) + 1, 1, 0), -E2BIG);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, 8, 1u << 30, 0), -ENOMEM);  /* 8 GiB */
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 1u << 22, 1, 0);           /* KMALLOC_MAX_SIZE itself */
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	fd = create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	fd = create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NUMA_NODE);       /* node 0 */
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
}

static void test_array_ops(void)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 12, 5, 0);
	CHECK(fd >= 0);
	struct bpfvm_map *m = map_of(fd);
	uint8_t v[12], out[12];
	memset(v, 0xab, sizeof(v));

	/* update: unknown flags first, then the index, then NOEXIST */
	CHECK_EQ(update(fd, 0, v, 3), -EINVAL);
	CHECK_EQ(update(fd, 0, v, 8), -EINVAL);
	CHECK_EQ(update(fd, 5, v, BPF_NOEXIST), -E2BIG);
	CHECK_EQ(update(fd, 0, v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(update(fd, 5, v, BPF_ANY), -E2BIG);
	CHECK_EQ(update(fd, 0, v, BPF_F_LOCK), -EINVAL);          /* no spin lock */
	CHECK_EQ(update(fd, 4, v, BPF_EXIST), 0);
	CHECK_EQ(update(fd, 1, v, BPF_ANY), 0);
	/* the ops directly (program side): same order */
	uint32_t k = 0;
	CHECK_EQ(m->ops->update(m, &k, v, BPF_NOEXIST | BPF_F_LOCK, 0), -EEXIST);
	CHECK_EQ(m->ops->update(m, &k, v, BPF_F_LOCK, 0), -EINVAL);

	/* lookup */
	memset(out, 0, sizeof(out));
	CHECK_EQ(lookup(fd, 4, out), 0);
	CHECK(!memcmp(out, v, sizeof(v)));
	CHECK_EQ(lookup(fd, 0, out), 0);
	CHECK_EQ(out[0], 0);                                      /* preallocated, zeroed */
	CHECK_EQ(lookup(fd, 5, out), -ENOENT);
	k = 5;
	CHECK(m->ops->lookup(m, &k, 0) == NULL);

	/* delete is not possible */
	CHECK_EQ(delete(fd, 0), -EINVAL);
	CHECK_EQ(delete(fd, 7), -EINVAL);

	/* get_next_key */
	uint32_t key, next = 99;
	CHECK_EQ(next_key(fd, NULL, &next), 0);
	CHECK_EQ(next, 0);
	key = 0;
	CHECK_EQ(next_key(fd, &key, &next), 0);
	CHECK_EQ(next, 1);
	key = 3;
	CHECK_EQ(next_key(fd, &key, &next), 0);
	CHECK_EQ(next, 4);
	key = 4;
	CHECK_EQ(next_key(fd, &key, &next), -ENOENT);
	key = 100;
	CHECK_EQ(next_key(fd, &key, &next), 0);
	CHECK_EQ(next, 0);

	/* layout: elem_size = round_up(12, 8) = 16, element i at 16 * i */
	uint32_t esz = 0;
	uint8_t *base = bpfvm_array_elem_base(m, &esz);
	CHECK(base != NULL);
	CHECK_EQ(esz, 16);
	for (uint32_t i = 0; i < 5; i++)
		CHECK(m->ops->lookup(m, &i, 0) == base + 16 * i);
	CHECK(!memcmp(base + 16 * 4, v, 12));
	CHECK_EQ((uintptr_t)base % 8, 0);
	bpfvm_close(vm, fd);
}

static void test_array_spin_lock(void)
{
	/* A value { u32 lock; u32 a; u64 b; } as BTF would describe it. */
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 16, 2, 0);
	struct bpfvm_map *m = map_of(fd);
	m->spin_lock_off = 0;
	uint32_t k = 1;
	uint8_t *slot = m->ops->lookup(m, &k, 0);
	uint8_t v[16];
	memset(v, 0x5a, sizeof(v));
	CHECK_EQ(update(fd, 1, v, BPF_F_LOCK), 0);
	CHECK_EQ(slot[0] | slot[1] | slot[2] | slot[3], 0);       /* the lock word is never copied */
	CHECK_EQ(slot[4], 0x5a);
	CHECK_EQ(slot[15], 0x5a);
	memset(v, 0x11, sizeof(v));
	CHECK_EQ(update(fd, 1, v, BPF_EXIST), 0);
	CHECK_EQ(slot[0], 0);
	CHECK_EQ(slot[8], 0x11);
	CHECK_EQ(update(fd, 1, v, BPF_F_LOCK | BPF_NOEXIST), -EEXIST);
	CHECK_EQ(update(fd, 1, v, BPF_F_LOCK | BPF_EXIST | BPF_NOEXIST), -EINVAL);
	uint8_t out[16];
	memset(out, 0xff, sizeof(out));
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, out, BPF_F_LOCK), 0);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(out[9], 0x11);
	bpfvm_close(vm, fd);
}

/* ---- PERCPU_ARRAY -------------------------------------------------------------- */

static void test_percpu(void)
{
	CHECK_EQ(bpfvm_ncpus(vm), 4);
	CHECK_EQ(create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, BPF_F_NUMA_NODE), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 1, 0), -ENOMEM);  /* > PCPU_MIN_UNIT_SIZE */
	int fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32768, 1, 0);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	CHECK_EQ(create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1u << 27, 0), -ENOMEM); /* 4 CPUs x 1 GiB */

	fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 3, 0);
	CHECK(fd >= 0);
	struct bpfvm_map *m = map_of(fd);
	CHECK_EQ(bpfvm_map_sys_value_size(m), 64);                  /* 4 x round_up(12, 8) */
	uint32_t esz = 1;
	CHECK(bpfvm_array_elem_base(m, &esz) == NULL);
	CHECK_EQ(esz, 0);

	/* the syscall writes every CPU's 16 bytes, padding included */
	uint8_t all[64], out[64];
	for (int i = 0; i < 64; i++)
		all[i] = (uint8_t)i;
	CHECK_EQ(update(fd, 2, all, BPF_ANY), 0);
	CHECK_EQ(update(fd, 2, all, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(update(fd, 3, all, BPF_ANY), -E2BIG);
	CHECK_EQ(update(fd, 2, all, 3), -EINVAL);
	uint32_t k = 2;
	CHECK_EQ(m->ops->sys_update(m, &k, all, BPF_F_LOCK), -EINVAL);  /* an unknown flag here */
	for (uint32_t cpu = 0; cpu < 4; cpu++) {
		uint8_t *slot = m->ops->lookup(m, &k, cpu);
		CHECK(slot != NULL);
		CHECK(!memcmp(slot, all + 16 * cpu, 16));
	}
	CHECK(m->ops->lookup(m, &k, 4) == NULL);
	/* CPU-major layout: a CPU's slots are one block of max_entries elements */
	CHECK_EQ((uintptr_t)m->ops->lookup(m, &k, 1) - (uintptr_t)m->ops->lookup(m, &k, 0), 3 * 16);

	/* a program on CPU 1 writes value_size bytes of its own slot */
	uint8_t v[12];
	memset(v, 0xee, sizeof(v));
	CHECK_EQ(m->ops->update(m, &k, v, BPF_ANY, 1), 0);
	CHECK_EQ(m->ops->update(m, &k, v, BPF_NOEXIST, 1), -EEXIST);
	CHECK_EQ(lookup(fd, 2, out), 0);
	CHECK(!memcmp(out, all, 16));
	CHECK(!memcmp(out + 16, v, 12));
	CHECK(!memcmp(out + 28, all + 28, 4));                      /* padding kept */
	CHECK(!memcmp(out + 32, all + 32, 32));
	CHECK_EQ(lookup(fd, 3, out), -ENOENT);
	CHECK_EQ(delete(fd, 0), -EINVAL);
	uint32_t next;
	k = 1;
	CHECK_EQ(next_key(fd, &k, &next), 0);
	CHECK_EQ(next, 2);
	bpfvm_close(vm, fd);
}

/* ---- PROG_ARRAY ------------------------------------------------------------------ */

static void test_prog_array(void)
{
	CHECK_EQ(create(BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0), -EINVAL);   /* value: an fd */
	CHECK_EQ(create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 0, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_PROG_ARRAY, 8, 4, 4, 0), -EINVAL);
	int pa = create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	CHECK(pa >= 0);
	struct bpfvm_map *m = map_of(pa);

	struct bpf_insn ret7[] = { MOV64_IMM(0, 7), EXIT() };
	struct bpf_insn ret9[] = { MOV64_IMM(0, 9), EXIT() };
	int p7 = load_xdp(ret7, 2, BPF_PROG_TYPE_XDP);
	int p9 = load_xdp(ret9, 2, BPF_PROG_TYPE_XDP);
	int psk = load_xdp(ret7, 2, BPF_PROG_TYPE_SOCKET_FILTER);
	CHECK(p7 >= 0 && p9 >= 0 && psk >= 0);
	/* the caller: tail call into slot r3 = 1, else return 1 */
	struct bpf_insn caller[] = {
		I(0x18, 2, BPF_PSEUDO_MAP_FD, 0, pa), I(0, 0, 0, 0, 0),
		MOV64_IMM(3, 1),
		CALL(BPF_FUNC_tail_call),
		MOV64_IMM(0, 1),
		EXIT(),
	};
	int pc = load_xdp(caller, 6, BPF_PROG_TYPE_XDP);
	CHECK(pc >= 0);

	uint32_t fdv = (uint32_t)p7, id = 0, retval = 0;
	CHECK_EQ(update(pa, 1, &fdv, BPF_NOEXIST), -EINVAL);        /* only BPF_ANY */
	CHECK_EQ(update(pa, 1, &fdv, BPF_EXIST), -EINVAL);
	CHECK_EQ(update(pa, 4, &fdv, BPF_ANY), -E2BIG);
	fdv = 1000;
	CHECK_EQ(update(pa, 1, &fdv, BPF_ANY), -EBADF);
	fdv = (uint32_t)pa;                                          /* a map, not a program */
	CHECK_EQ(update(pa, 1, &fdv, BPF_ANY), -EINVAL);
	CHECK_EQ(lookup(pa, 1, &id), -ENOENT);

	CHECK_EQ(test_run(pc, &retval), 0);
	CHECK_EQ(retval, 1);                                         /* empty slot: falls through */

	fdv = (uint32_t)p7;
	CHECK_EQ(update(pa, 1, &fdv, BPF_ANY), 0);
	CHECK_EQ(lookup(pa, 1, &id), 0);                             /* v5.1: the program's id */
	CHECK(id != 0);
	CHECK_EQ(test_run(pc, &retval), 0);
	CHECK_EQ(retval, 7);
	CHECK(bpfvm_prog_array_get(m, 1) != NULL);
	CHECK(bpfvm_prog_array_get(m, 1 + (1ull << 32)) == bpfvm_prog_array_get(m, 1)); /* u32 index */
	CHECK(bpfvm_prog_array_get(m, 4) == NULL);
	CHECK(bpfvm_prog_array_get(m, 0) == NULL);

	/* another type than the owner's (XDP, fixed by the first program) */
	fdv = (uint32_t)psk;
	CHECK_EQ(update(pa, 2, &fdv, BPF_ANY), -EINVAL);
	fdv = (uint32_t)p9;
	CHECK_EQ(update(pa, 1, &fdv, BPF_ANY), 0);                   /* replaces */
	uint32_t id9;
	CHECK_EQ(lookup(pa, 1, &id9), 0);
	CHECK(id9 != id);
	CHECK_EQ(test_run(pc, &retval), 0);
	CHECK_EQ(retval, 9);

	/* programs can neither look up nor update */
	uint32_t k = 1;
	CHECK(m->ops->lookup(m, &k, 0) == NULL);
	CHECK_EQ(m->ops->update(m, &k, &fdv, 0, 0), -EINVAL);

	uint32_t next;
	k = 3;
	CHECK_EQ(next_key(pa, &k, &next), -ENOENT);
	CHECK_EQ(delete(pa, 4), -E2BIG);
	CHECK_EQ(delete(pa, 1), 0);
	CHECK_EQ(delete(pa, 1), -ENOENT);
	CHECK_EQ(test_run(pc, &retval), 0);
	CHECK_EQ(retval, 1);

	/* the last user reference clears the slots (release_uref) */
	fdv = (uint32_t)p7;
	CHECK_EQ(update(pa, 0, &fdv, BPF_ANY), 0);
	CHECK_EQ(update(pa, 3, &fdv, BPF_ANY), 0);
	bpfvm_map_get(m);
	bpfvm_close(vm, pa);
	CHECK(bpfvm_prog_array_get(m, 0) == NULL);
	CHECK(bpfvm_prog_array_get(m, 3) == NULL);
	bpfvm_map_put(m);

	/* a program of the prog array's cycle: the caller references a map
	 * that holds the caller itself; closing all fds frees both (ASan
	 * reports the leak otherwise) */
	pa = create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0);
	struct bpf_insn self[] = {
		I(0x18, 2, BPF_PSEUDO_MAP_FD, 0, pa), I(0, 0, 0, 0, 0),
		MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 3), EXIT(),
	};
	int ps = load_xdp(self, 6, BPF_PROG_TYPE_XDP);
	fdv = (uint32_t)ps;
	CHECK_EQ(update(pa, 0, &fdv, BPF_ANY), 0);
	CHECK_EQ(test_run(ps, &retval), 0);                          /* 33 tail calls, then 3 */
	CHECK_EQ(retval, 3);
	bpfvm_close(vm, ps);
	bpfvm_close(vm, pa);

	bpfvm_close(vm, pc);
	bpfvm_close(vm, p7);
	bpfvm_close(vm, p9);
	bpfvm_close(vm, psk);
}

/* ---- ARRAY_OF_MAPS --------------------------------------------------------------- */

static void test_array_of_maps(void)
{
	int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	int pa = create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	CHECK(tmpl >= 0 && pa >= 0);
	CHECK_EQ(create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 4, 0, tmpl), -EINVAL);   /* value: an fd */
	CHECK_EQ(create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 0, 0, tmpl), -EINVAL);
	CHECK_EQ(create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, 999), -EBADF);
	CHECK_EQ(create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, pa), -ENOTSUPP);
	int outer = create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, tmpl);
	CHECK(outer >= 0);
	CHECK_EQ(create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, outer), -EINVAL);  /* one level */
	/* a template with a spin lock */
	int locked = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	map_of(locked)->spin_lock_off = 0;
	CHECK_EQ(create_ex(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, locked), -ENOTSUPP);
	bpfvm_close(vm, locked);

	struct bpfvm_map *om = map_of(outer);
	CHECK(om->inner_meta != NULL);
	CHECK_EQ(om->inner_meta->map_type, BPF_MAP_TYPE_ARRAY);
	CHECK_EQ(om->inner_meta->value_size, 8);
	CHECK_EQ(om->inner_meta->id, 0);                              /* a copy, not the template */

	int in1 = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	int bad_max = create(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
	int bad_flags = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY);
	int bad_type = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0);
	bpfvm_close(vm, tmpl);                                       /* the meta outlives it */
	uint32_t v = (uint32_t)bad_max, id;
	CHECK_EQ(update(outer, 0, &v, BPF_ANY), -EINVAL);
	v = (uint32_t)bad_flags;
	CHECK_EQ(update(outer, 0, &v, BPF_ANY), -EINVAL);
	v = (uint32_t)bad_type;
	CHECK_EQ(update(outer, 0, &v, BPF_ANY), -EINVAL);
	v = 12345;
	CHECK_EQ(update(outer, 0, &v, BPF_ANY), -EBADF);
	v = (uint32_t)in1;
	CHECK_EQ(update(outer, 0, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(update(outer, 4, &v, BPF_ANY), -E2BIG);
	CHECK_EQ(lookup(outer, 0, &id), -ENOENT);
	CHECK_EQ(update(outer, 0, &v, BPF_ANY), 0);
	CHECK_EQ(lookup(outer, 0, &id), 0);
	struct bpfvm_map *im = map_of(in1);
	CHECK_EQ(id, im->id);
	uint32_t k = 0;
	CHECK(om->ops->lookup(om, &k, 0) == im);                      /* programs get the map */
	k = 1;
	CHECK(om->ops->lookup(om, &k, 0) == NULL);
	k = 9;
	CHECK(om->ops->lookup(om, &k, 0) == NULL);
	CHECK_EQ(om->ops->update(om, &k, &v, 0, 0), -EINVAL);

	/* the slot holds its own reference */
	bpfvm_close(vm, in1);
	CHECK_EQ(lookup(outer, 0, &id), 0);
	CHECK_EQ(delete(outer, 0), 0);
	CHECK_EQ(delete(outer, 0), -ENOENT);
	CHECK_EQ(delete(outer, 4), -E2BIG);
	uint32_t next;
	CHECK_EQ(next_key(outer, NULL, &next), 0);
	CHECK_EQ(next, 0);

	/* a template shared with hash-of-maps users */
	struct bpfvm_map *meta;
	int t2 = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	CHECK_EQ(bpfvm_map_meta_alloc(vm, t2, &meta), 0);
	CHECK(bpfvm_map_meta_compatible(meta, map_of(t2)));
	CHECK(!bpfvm_map_meta_compatible(meta, map_of(bad_max)));
	bpfvm_map_meta_free(meta);
	CHECK_EQ(bpfvm_map_meta_alloc(vm, pa, &meta), -ENOTSUPP);
	CHECK_EQ(bpfvm_map_meta_alloc(vm, -1, &meta), -EBADF);

	bpfvm_close(vm, t2);
	bpfvm_close(vm, bad_max);
	bpfvm_close(vm, bad_flags);
	bpfvm_close(vm, bad_type);
	bpfvm_close(vm, outer);
	bpfvm_close(vm, pa);
}

/* bpfvm_map_create without the command layer. */
static void test_direct_create(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 2;
	struct bpfvm_map *m;
	CHECK_EQ(bpfvm_map_create(vm, &a, &m), 0);
	uint32_t k = 1, v = 42;
	CHECK_EQ(m->ops->update(m, &k, &v, BPF_ANY, 0), 0);
	CHECK_EQ(*(uint32_t *)m->ops->lookup(m, &k, 0), 42);
	bpfvm_map_put_uref(m);
}

int main(void)
{
	vm = bpfvm_new();
	CHECK(vm != NULL);
	CHECK_EQ(bpfvm_set_ncpus(vm, 4), 0);
	test_array_create();
	test_array_ops();
	test_array_spin_lock();
	test_percpu();
	test_prog_array();
	test_array_of_maps();
	test_direct_create();
	bpfvm_free(vm);
	return test_done();
}
