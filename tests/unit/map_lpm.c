/* LPM_TRIE: creation limits, longest-prefix lookups (IPv4 /0 /8 /16 /24 /32,
 * IPv6), v5.1's update flags and -ENOSPC, exact-match delete, the post-order
 * of get_next_key, a randomized comparison with a brute-force model, and
 * readers running while a writer changes the trie. */
#include "test.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <pthread.h>
#include "maps/map.h"

static struct bpfvm *vm;

extern const struct bpfvm_map_ops bpfvm_lpm_trie_map_ops;
/* Pulls maps/lpm_trie.o out of libbpfvm.a (map_types.c refers weakly). */
static const struct bpfvm_map_ops *volatile linked = &bpfvm_lpm_trie_map_ops;

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static int create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_LPM_TRIE;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	a.map_flags = flags;
	return sys(BPF_MAP_CREATE, &a);
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	if (cmd != BPF_MAP_DELETE_ELEM)
		a.flags = flags;
	return sys(cmd, &a);
}

static int next_key(int fd, const void *key, void *next)
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
	bpfvm_map_put(m);
	return m;
}

struct key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static struct key4 k4(uint32_t plen, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct key4 k = { plen, { a, b, c, d } };
	return k;
}

static int add4(int fd, struct key4 k, uint64_t v, uint64_t flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, flags);
}

/* The value the longest matching prefix holds, or -ENOENT. */
static int64_t get4(int fd, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct key4 k = k4(32, a, b, c, d);
	uint64_t v;
	int rc = elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0);
	return rc < 0 ? rc : (int64_t)v;
}

static void test_create(void)
{
	CHECK_EQ(create(8, 8, 16, 0), -EINVAL);                      /* BPF_F_NO_PREALLOC required */
	CHECK_EQ(create(8, 8, 0, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(4, 8, 16, BPF_F_NO_PREALLOC), -EINVAL);      /* data: at least 1 byte */
	int fd = create(5, 1, 16, BPF_F_NO_PREALLOC);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	fd = create(260, 8, 16, BPF_F_NO_PREALLOC);                  /* 256 bytes of data */
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	CHECK_EQ(create(261, 8, 16, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(8, 0, 16, BPF_F_NO_PREALLOC), -EINVAL);
	fd = create(8, 4194008, 1, BPF_F_NO_PREALLOC);               /* KMALLOC_MAX_SIZE - 256 - 40 */
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	CHECK_EQ(create(8, 4194009, 1, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(8, 8, 16, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED), -EINVAL);
	CHECK_EQ(create(8, 1u << 20, 4096, BPF_F_NO_PREALLOC), -E2BIG);  /* cost limit */
	fd = create(8, 8, 16, BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
}

static void test_ipv4(void)
{
	int fd = create(8, 8, 100, BPF_F_NO_PREALLOC);
	CHECK(fd >= 0);
	CHECK_EQ(get4(fd, 10, 1, 2, 3), -ENOENT);
	CHECK_EQ(add4(fd, k4(0, 0, 0, 0, 0), 100, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(8, 10, 0, 0, 0), 108, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(16, 10, 1, 0, 0), 116, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(24, 10, 1, 2, 0), 124, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(32, 10, 1, 2, 3), 132, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(24, 10, 1, 3, 0), 224, BPF_ANY), 0);    /* a sibling */
	CHECK_EQ(get4(fd, 10, 1, 2, 3), 132);
	CHECK_EQ(get4(fd, 10, 1, 2, 4), 124);
	CHECK_EQ(get4(fd, 10, 1, 3, 77), 224);
	CHECK_EQ(get4(fd, 10, 1, 4, 0), 116);
	CHECK_EQ(get4(fd, 10, 2, 0, 0), 108);
	CHECK_EQ(get4(fd, 11, 0, 0, 0), 100);
	CHECK_EQ(get4(fd, 255, 255, 255, 255), 100);
	/* bits beyond the prefix length are ignored when storing and matching */
	CHECK_EQ(add4(fd, k4(12, 172, 16, 99, 99), 112, BPF_ANY), 0);
	CHECK_EQ(get4(fd, 172, 31, 255, 1), 112);
	CHECK_EQ(get4(fd, 172, 32, 0, 0), 100);
	/* a lookup key's own prefix length limits the match */
	struct key4 k = k4(16, 10, 1, 2, 3);
	uint64_t v;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0), 0);
	CHECK_EQ(v, 116);
	/* the program side returns a pointer into the map */
	struct bpfvm_map *m = map_of(fd);
	k = k4(32, 10, 1, 2, 9);
	uint64_t *p = m->ops->lookup(m, &k, 0);
	CHECK(p != NULL && *p == 124);
	*p = 999;                                                    /* programs write in place */
	CHECK_EQ(get4(fd, 10, 1, 2, 200), 999);

	/* delete: exact prefix only */
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, (k = k4(24, 10, 1, 2, 5), &k), NULL, 0), 0);  /* host bits ignored */
	CHECK_EQ(get4(fd, 10, 1, 2, 200), 116);
	CHECK_EQ(get4(fd, 10, 1, 2, 3), 132);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -ENOENT);
	k = k4(20, 10, 1, 0, 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -ENOENT);
	k = k4(24, 10, 9, 9, 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -ENOENT);
	k = k4(33, 10, 1, 2, 3);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -EINVAL);
	k = k4(0, 0, 0, 0, 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), 0);
	CHECK_EQ(get4(fd, 11, 0, 0, 0), -ENOENT);
	CHECK_EQ(get4(fd, 10, 200, 0, 0), 108);
	bpfvm_close(vm, fd);
}

static void test_update_flags(void)
{
	int fd = create(8, 8, 2, BPF_F_NO_PREALLOC);
	struct key4 k = k4(33, 1, 2, 3, 4);
	uint64_t v = 1;
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_ANY), -EINVAL);   /* prefixlen > 32 */
	k.prefixlen = 8;
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, 3), -EINVAL);
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_F_LOCK), -EINVAL);
	/* v5.1 ignores NOEXIST and EXIST: both just store */
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_EXIST), 0);
	v = 2;
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_NOEXIST), 0);
	CHECK_EQ(get4(fd, 1, 0, 0, 0), 2);
	CHECK_EQ(add4(fd, k4(16, 1, 2, 0, 0), 3, BPF_ANY), 0);
	/* full: a new prefix, and (v5.1) even a replacement, get -ENOSPC */
	CHECK_EQ(add4(fd, k4(24, 1, 2, 3, 0), 4, BPF_ANY), -ENOSPC);
	CHECK_EQ(add4(fd, k4(16, 1, 2, 0, 0), 5, BPF_ANY), -ENOSPC);
	k = k4(16, 1, 2, 0, 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), 0);
	CHECK_EQ(add4(fd, k4(24, 1, 2, 3, 0), 4, BPF_ANY), 0);
	/* an intermediate node turned into a real one counts once */
	int fd2 = create(8, 8, 3, BPF_F_NO_PREALLOC);
	CHECK_EQ(add4(fd2, k4(24, 10, 0, 0, 0), 1, BPF_ANY), 0);
	CHECK_EQ(add4(fd2, k4(24, 10, 0, 1, 0), 2, BPF_ANY), 0);     /* creates 10.0.0.0/23 (im) */
	CHECK_EQ(add4(fd2, k4(23, 10, 0, 0, 0), 3, BPF_ANY), 0);     /* fills it */
	CHECK_EQ(get4(fd2, 10, 0, 1, 255), 2);
	CHECK_EQ(get4(fd2, 10, 0, 0, 255), 1);
	CHECK_EQ(add4(fd2, k4(23, 10, 0, 0, 0), 4, BPF_ANY), -ENOSPC);
	k = k4(23, 10, 0, 0, 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd2, &k, NULL, 0), 0);     /* two children: stays as im */
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd2, &k, NULL, 0), -ENOENT);
	k = k4(24, 10, 0, 0, 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd2, &k, NULL, 0), 0);     /* takes the im parent along */
	CHECK_EQ(get4(fd2, 10, 0, 1, 1), 2);
	CHECK_EQ(get4(fd2, 10, 0, 0, 1), -ENOENT);
	bpfvm_close(vm, fd2);
	bpfvm_close(vm, fd);
}

static void test_ipv6(void)
{
	struct key6 {
		uint32_t prefixlen;
		uint8_t data[16];
	} k;
	int fd = create(20, 4, 16, BPF_F_NO_PREALLOC);
	CHECK(fd >= 0);
	const uint8_t net[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
	uint32_t plens[] = { 32, 48, 64, 127, 128 };
	for (uint32_t i = 0; i < 5; i++) {
		k.prefixlen = plens[i];
		memcpy(k.data, net, 16);
		uint32_t v = plens[i];
		CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_ANY), 0);
	}
	struct { uint8_t flip_byte, flip_bit; uint32_t want; } cases[] = {
		{ 15, 0x01, 127 },      /* last bit differs */
		{ 15, 0x02, 64 },       /* bit 126 */
		{ 8, 0x80, 64 },        /* bit 64: just past /64 */
		{ 7, 0x01, 48 },        /* bit 63: the last of /64 */
		{ 6, 0x80, 48 },        /* bit 48 */
		{ 5, 0x01, 32 },        /* bit 47 */
		{ 3, 0x01, 0 },         /* bit 31: outside every prefix */
	};
	k.prefixlen = 128;
	memcpy(k.data, net, 16);
	uint32_t v = 0;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0), 0);
	CHECK_EQ(v, 128);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(k.data, net, 16);
		k.data[cases[i].flip_byte] ^= cases[i].flip_bit;
		int rc = elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0);
		if (cases[i].want) {
			CHECK_EQ(rc, 0);
			CHECK_EQ(v, cases[i].want);
		} else {
			CHECK_EQ(rc, -ENOENT);
		}
	}
	bpfvm_close(vm, fd);
}

/* The kernel's own example: 192.168.0.0/16 above 192.168.0.0/24,
 * 192.168.1.0/24 (under an intermediate /23) and 192.168.128.0/24;
 * iteration returns the more specific prefixes first. */
static void test_next_key_order(void)
{
	int fd = create(8, 8, 16, BPF_F_NO_PREALLOC);
	struct key4 k, nk;
	CHECK_EQ(next_key(fd, NULL, &nk), -ENOENT);
	CHECK_EQ(add4(fd, k4(16, 192, 168, 0, 0), 1, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(24, 192, 168, 0, 0), 2, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(24, 192, 168, 1, 0), 3, BPF_ANY), 0);
	CHECK_EQ(add4(fd, k4(24, 192, 168, 128, 0), 4, BPF_ANY), 0);
	struct key4 want[] = { k4(24, 192, 168, 0, 0), k4(24, 192, 168, 1, 0), k4(24, 192, 168, 128, 0),
			       k4(16, 192, 168, 0, 0) };
	CHECK_EQ(next_key(fd, NULL, &nk), 0);
	CHECK(!memcmp(&nk, &want[0], sizeof(nk)));
	for (int i = 1; i < 4; i++) {
		k = nk;
		CHECK_EQ(next_key(fd, &k, &nk), 0);
		CHECK(!memcmp(&nk, &want[i], sizeof(nk)));
	}
	k = nk;
	CHECK_EQ(next_key(fd, &k, &nk), -ENOENT);
	/* a key not in the trie, or an invalid one, restarts from the first */
	k = k4(8, 1, 0, 0, 0);
	CHECK_EQ(next_key(fd, &k, &nk), 0);
	CHECK(!memcmp(&nk, &want[0], sizeof(nk)));
	k = k4(40, 1, 0, 0, 0);
	CHECK_EQ(next_key(fd, &k, &nk), 0);
	CHECK(!memcmp(&nk, &want[0], sizeof(nk)));
	/* the /23 intermediate node is never returned, and not a valid start */
	k = k4(23, 192, 168, 0, 0);
	CHECK_EQ(next_key(fd, &k, &nk), 0);
	CHECK(!memcmp(&nk, &want[0], sizeof(nk)));
	/* v5.1: a key whose length matches a node on its path counts as that
	 * node even if the bits differ (fixed in Linux 6.13) */
	k = k4(24, 192, 168, 129, 0);                                 /* taken as .128.0/24 */
	CHECK_EQ(next_key(fd, &k, &nk), 0);
	CHECK(!memcmp(&nk, &want[3], sizeof(nk)));
	k = k4(16, 192, 169, 0, 0);                                   /* differs from the /16 */
	CHECK_EQ(next_key(fd, &k, &nk), -ENOENT);                     /* taken as the /16: the last */
	bpfvm_close(vm, fd);
}

/* ---- a randomized comparison with a brute-force model ------------------------- */

#define NKEYS 300
static struct { struct key4 k; uint64_t v; int live; } model[NKEYS];

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static int prefix_covers(const struct key4 *p, const uint8_t *addr)
{
	for (uint32_t b = 0; b < p->prefixlen; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));
		if ((p->data[b / 8] & m) != (addr[b / 8] & m))
			return 0;
	}
	return 1;
}

static int same_prefix(const struct key4 *a, const struct key4 *b)
{
	struct key4 x = *a;
	return a->prefixlen == b->prefixlen && prefix_covers(&x, b->data);
}

static int64_t model_lookup(const uint8_t *addr)
{
	int best = -1;
	for (int i = 0; i < NKEYS; i++)
		if (model[i].live && prefix_covers(&model[i].k, addr) &&
		    (best < 0 || model[i].k.prefixlen > model[best].k.prefixlen))
			best = i;
	return best < 0 ? -ENOENT : (int64_t)model[best].v;
}

static void test_random(void)
{
	int fd = create(8, 8, NKEYS, BPF_F_NO_PREALLOC);
	/* keys clustered under few networks, so that prefixes nest */
	for (int i = 0; i < NKEYS; i++) {
		uint32_t r = rnd();
		model[i].k = k4(rnd() % 33, 10, (uint8_t)(r % 4), (uint8_t)((r >> 8) % 8), (uint8_t)(r >> 16));
		model[i].v = 1000 + (uint64_t)i;
		/* one slot per distinct prefix */
		for (int j = 0; j < i; j++)
			if (same_prefix(&model[j].k, &model[i].k))
				model[i].k.prefixlen = 33;          /* marks a duplicate: never used */
	}
	int mismatches = 0, ops = 0;
	for (int round = 0; round < 4000; round++) {
		int i = (int)(rnd() % NKEYS);
		if (model[i].k.prefixlen == 33)
			continue;
		ops++;
		if (model[i].live && rnd() % 2) {
			mismatches += elem(BPF_MAP_DELETE_ELEM, fd, &model[i].k, NULL, 0) != 0;
			model[i].live = 0;
		} else {
			model[i].v += 7;
			mismatches += add4(fd, model[i].k, model[i].v, BPF_ANY) != 0;
			model[i].live = 1;
		}
		uint8_t addr[4] = { 10, (uint8_t)(rnd() % 4), (uint8_t)(rnd() % 8), (uint8_t)rnd() };
		mismatches += get4(fd, addr[0], addr[1], addr[2], addr[3]) != model_lookup(addr);
	}
	CHECK_EQ(mismatches, 0);
	CHECK(ops > 1000);
	/* iteration: every live key exactly once, never a more general prefix
	 * before one it contains */
	int live = 0, seen = 0, dup = 0, order = 0;
	for (int i = 0; i < NKEYS; i++)
		live += model[i].live;
	struct key4 k, nk;
	int rc = next_key(fd, NULL, &nk);
	static int hits[NKEYS];
	struct key4 got[NKEYS + 1];
	while (rc == 0 && seen <= NKEYS) {
		int found = -1;
		for (int i = 0; i < NKEYS; i++)
			if (model[i].live && !memcmp(&model[i].k, &nk, sizeof(nk)))
				found = i;
		if (found < 0 || hits[found]++)
			dup++;
		for (int j = 0; j < seen; j++)
			if (got[j].prefixlen < nk.prefixlen && prefix_covers(&got[j], nk.data))
				order++;
		got[seen++] = nk;
		k = nk;
		rc = next_key(fd, &k, &nk);
	}
	CHECK_EQ(rc, -ENOENT);
	CHECK_EQ(seen, live);
	CHECK_EQ(dup, 0);
	CHECK_EQ(order, 0);
	bpfvm_close(vm, fd);
}

/* ---- readers while a writer changes the trie --------------------------------------- */

static struct bpfvm_map *shared;
static _Atomic int stop;

static void *reader(void *arg)
{
	long bad = 0;
	uint32_t r = 99;
	while (!stop) {
		r ^= r << 13;
		r ^= r >> 17;
		r ^= r << 5;
		/* 10.1.x.y always matches the permanent /16 or something longer */
		struct key4 k = k4(32, 10, 1, (uint8_t)r, (uint8_t)(r >> 8));
		uint64_t *p = shared->ops->lookup(shared, &k, 0);
		if (!p || (*p != 16 && *p != 24))
			bad++;
	}
	return (void *)bad;
}

static void test_concurrent(void)
{
	int fd = create(8, 8, 1024, BPF_F_NO_PREALLOC);
	shared = map_of(fd);
	CHECK_EQ(add4(fd, k4(16, 10, 1, 0, 0), 16, BPF_ANY), 0);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	uint64_t v = 24;
	for (int round = 0; round < 20000; round++) {
		struct key4 k = k4(24, 10, 1, (uint8_t)(round % 256), 0);
		if (round % 3 == 2)
			shared->ops->delete(shared, &k);
		else
			shared->ops->update(shared, &k, &v, BPF_ANY, 0);
	}
	stop = 1;
	long bad = 0;
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	CHECK_EQ(bad, 0);
	bpfvm_close(vm, fd);
}

int main(void)
{
	vm = bpfvm_new();
	CHECK(linked != NULL);
	test_create();
	test_ipv4();
	test_update_flags();
	test_ipv6();
	test_next_key_order();
	test_random();
	test_concurrent();
	bpfvm_free(vm);
	return test_done();
}
