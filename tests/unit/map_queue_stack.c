/* QUEUE and STACK maps: creation errnos, FIFO/LIFO order through the syscall
 * (update = push, lookup = peek, lookup_and_delete = pop) and the ops,
 * BPF_EXIST overwriting the oldest element, concurrent pushers and poppers. */
#include "test.h"
#include <bpfvm/bpfvm.h>
#include <errno.h>
#include <pthread.h>
#include "maps/map.h"

static struct bpfvm *vm;

/* maps/map_types.c refers to the ops weakly, which does not pull their
 * object out of libbpfvm.a: refer to them strongly here. */
extern const struct bpfvm_map_ops bpfvm_queue_map_ops, bpfvm_stack_map_ops;
static const struct bpfvm_map_ops *volatile linked[] = { &bpfvm_queue_map_ops, &bpfvm_stack_map_ops };

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	a.map_flags = flags;
	return sys(BPF_MAP_CREATE, &a);
}

static int elem(int cmd, int fd, void *key, void *value, uint64_t flags)
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

static int push(int fd, uint32_t v, uint64_t flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, NULL, &v, flags);
}

static int peek(int fd, uint32_t *v)
{
	return elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, v, 0);
}

static int pop(int fd, uint32_t *v)
{
	return elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, v, 0);
}

static struct bpfvm_map *map_of(int fd)
{
	struct bpfvm_map *m = NULL;
	if (bpfvm_sys_fd_to_map(vm, fd, &m) < 0)
		return NULL;
	bpfvm_map_put(m);
	return m;
}

static void test_create(uint32_t type)
{
	CHECK_EQ(create(type, 4, 4, 4, 0), -EINVAL);                 /* no key */
	CHECK_EQ(create(type, 0, 0, 4, 0), -EINVAL);
	CHECK_EQ(create(type, 0, 4, 0, 0), -EINVAL);
	CHECK_EQ(create(type, 0, 4, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(type, 0, 4, 4, BPF_F_ZERO_SEED), -EINVAL);
	CHECK_EQ(create(type, 0, (1u << 22) + 1, 4, 0), -E2BIG);
	CHECK_EQ(create(type, 0, 1u << 22, 1024, 0), -E2BIG);        /* 4 GiB: the cost limit */
	CHECK_EQ(create(type, 0, 8, UINT32_MAX, 0), -E2BIG);         /* max_entries + 1 in 64 bits */
	int fd = create(type, 0, 4, 4, BPF_F_NUMA_NODE | BPF_F_RDONLY);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
}

static void test_queue(void)
{
	int fd = create(BPF_MAP_TYPE_QUEUE, 0, 4, 3, 0);
	CHECK(fd >= 0);
	uint32_t v = 77;
	/* The syscall copies nothing out on failure (the kernel zeroes its
	 * own buffer); programs get a zeroed value (below). */
	CHECK_EQ(peek(fd, &v), -ENOENT);
	CHECK_EQ(v, 77);
	CHECK_EQ(pop(fd, &v), -ENOENT);
	CHECK_EQ(v, 77);
	CHECK_EQ(push(fd, 1, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(push(fd, 1, 3), -EINVAL);
	CHECK_EQ(push(fd, 1, 4), -EINVAL);
	CHECK_EQ(push(fd, 1, BPF_ANY), 0);
	CHECK_EQ(push(fd, 2, BPF_EXIST), 0);                          /* room: EXIST just pushes */
	CHECK_EQ(push(fd, 3, BPF_ANY), 0);
	CHECK_EQ(push(fd, 4, BPF_ANY), -E2BIG);                       /* full */
	CHECK_EQ(peek(fd, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(push(fd, 4, BPF_EXIST), 0);                          /* drops 1 */
	CHECK_EQ(push(fd, 5, BPF_EXIST), 0);                          /* drops 2 */
	for (uint32_t want = 3; want <= 5; want++) {
		CHECK_EQ(pop(fd, &v), 0);
		CHECK_EQ(v, want);
	}
	CHECK_EQ(pop(fd, &v), -ENOENT);
	/* wrap around many times */
	for (uint32_t i = 0; i < 100; i++) {
		CHECK_EQ(push(fd, i, BPF_ANY), 0);
		if (i >= 2) {
			CHECK_EQ(pop(fd, &v), 0);
			CHECK_EQ(v, i - 2);
		}
	}
	CHECK_EQ(pop(fd, &v), 0);
	CHECK_EQ(v, 98);
	CHECK_EQ(pop(fd, &v), 0);
	CHECK_EQ(v, 99);

	/* the key-value interface */
	uint32_t key = 0, next;
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, NULL, NULL, 0), -EINVAL);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.next_key = (uint64_t)(uintptr_t)&next;
	CHECK_EQ(sys(BPF_MAP_GET_NEXT_KEY, &a), -EINVAL);
	struct bpfvm_map *m = map_of(fd);
	CHECK(m->ops->lookup(m, &key, 0) == NULL);
	CHECK_EQ(m->ops->update(m, &key, &v, 0, 0), -EINVAL);
	CHECK_EQ(m->ops->delete(m, &key), -EINVAL);

	/* program side */
	v = 10;
	CHECK_EQ(m->ops->push(m, &v, BPF_ANY), 0);
	v = 11;
	CHECK_EQ(m->ops->push(m, &v, BPF_ANY), 0);
	CHECK_EQ(m->ops->peek(m, &v), 0);
	CHECK_EQ(v, 10);
	CHECK_EQ(m->ops->pop(m, &v), 0);
	CHECK_EQ(v, 10);
	CHECK_EQ(m->ops->pop(m, &v), 0);
	CHECK_EQ(v, 11);
	CHECK_EQ(m->ops->pop(m, &v), -ENOENT);
	CHECK_EQ(v, 0);                                              /* zeroed on failure */
	v = 5;
	CHECK_EQ(m->ops->peek(m, &v), -ENOENT);
	CHECK_EQ(v, 0);
	bpfvm_close(vm, fd);
}

static void test_stack(void)
{
	int fd = create(BPF_MAP_TYPE_STACK, 0, 4, 3, 0);
	CHECK(fd >= 0);
	uint32_t v = 5;
	CHECK_EQ(pop(fd, &v), -ENOENT);
	CHECK_EQ(v, 5);
	CHECK_EQ(push(fd, 1, BPF_ANY), 0);
	CHECK_EQ(push(fd, 2, BPF_ANY), 0);
	CHECK_EQ(push(fd, 3, BPF_ANY), 0);
	CHECK_EQ(push(fd, 4, BPF_ANY), -E2BIG);
	CHECK_EQ(peek(fd, &v), 0);
	CHECK_EQ(v, 3);
	CHECK_EQ(push(fd, 4, BPF_EXIST), 0);                          /* drops the bottom (1) */
	uint32_t want[] = { 4, 3, 2 };
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(pop(fd, &v), 0);
		CHECK_EQ(v, want[i]);
	}
	CHECK_EQ(pop(fd, &v), -ENOENT);
	/* across the wrap point of the buffer */
	for (uint32_t i = 0; i < 10; i++) {
		CHECK_EQ(push(fd, i, BPF_EXIST), 0);
	}
	uint32_t want2[] = { 9, 8, 7 };
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(pop(fd, &v), 0);
		CHECK_EQ(v, want2[i]);
	}
	CHECK_EQ(pop(fd, &v), -ENOENT);
	struct bpfvm_map *m = map_of(fd);
	v = 1;
	CHECK_EQ(m->ops->push(m, &v, BPF_ANY), 0);
	v = 2;
	CHECK_EQ(m->ops->push(m, &v, BPF_ANY), 0);
	CHECK_EQ(m->ops->peek(m, &v), 0);
	CHECK_EQ(v, 2);
	CHECK_EQ(m->ops->pop(m, &v), 0);
	CHECK_EQ(v, 2);
	bpfvm_close(vm, fd);
}

/* Values larger than 8 bytes and of odd size. */
static void test_wide_values(void)
{
	int fd = create(BPF_MAP_TYPE_QUEUE, 0, 13, 2, 0);
	uint8_t a[13], b[13], out[13];
	memset(a, 0xa1, sizeof(a));
	memset(b, 0xb2, sizeof(b));
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, a, 0), 0);
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, NULL, b, 0), 0);
	CHECK_EQ(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, out, 0), 0);
	CHECK(!memcmp(out, a, 13));
	CHECK_EQ(elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, out, 0), 0);
	CHECK(!memcmp(out, b, 13));
	bpfvm_close(vm, fd);
}

/* Pushers and poppers on several threads: every value comes out once. */
#define PER_THREAD 20000
static struct bpfvm_map *shared;
static int seen[4 * PER_THREAD];
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void *pusher(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg * PER_THREAD;
	for (uint32_t i = 0; i < PER_THREAD; i++) {
		uint32_t v = base + i;
		while (shared->ops->push(shared, &v, BPF_ANY) == -E2BIG)
			;
	}
	return NULL;
}

static void *popper(void *arg)
{
	int got = 0;
	while (got < 2 * PER_THREAD) {
		uint32_t v;
		if (shared->ops->pop(shared, &v) == 0) {
			pthread_mutex_lock(&seen_lock);
			seen[v]++;
			pthread_mutex_unlock(&seen_lock);
			got++;
		}
	}
	return NULL;
}

static void test_concurrent(void)
{
	int fd = create(BPF_MAP_TYPE_QUEUE, 0, 4, 64, 0);
	shared = map_of(fd);
	pthread_t t[6];
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, pusher, (void *)i);
	pthread_create(&t[4], NULL, popper, NULL);
	pthread_create(&t[5], NULL, popper, NULL);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	int bad = 0;
	for (int i = 0; i < 4 * PER_THREAD; i++)
		bad += seen[i] != 1;
	CHECK_EQ(bad, 0);
	uint32_t v;
	CHECK_EQ(pop(fd, &v), -ENOENT);
	bpfvm_close(vm, fd);
}

int main(void)
{
	vm = bpfvm_new();
	CHECK(linked[0] && linked[1]);
	test_create(BPF_MAP_TYPE_QUEUE);
	test_create(BPF_MAP_TYPE_STACK);
	test_queue();
	test_stack();
	test_wide_values();
	test_concurrent();
	bpfvm_free(vm);
	return test_done();
}
