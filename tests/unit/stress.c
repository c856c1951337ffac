/* Concurrency: programs run on several threads (each BPF_PROG_TEST_RUN runs
 * on the calling thread) while the host changes the same maps through
 * commands. Invariants: XADD counters add up exactly; hash maps never hold
 * more than max_entries and stay iterable; nothing crashes. `make test`
 * also runs this under ThreadSanitizer (build-tsan/). */
#include "test.h"
#include "lib/insn.h"
#include <errno.h>
#include <pthread.h>

#define THREADS 4
#define RUNS 20000
#define REPEAT 10

static struct bpfvm *vm;
static int array_fd, hash_fd, prog_fd;
static volatile int stop;

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
	union bpf_attr a = { 0 };
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	return bpfvm_bpf(vm, BPF_MAP_CREATE, &a, sizeof(a));
}

/* r6 = ctx; key = packet byte 0 & 15;
 * v = array[0]; if v: lock *v += 1
 * hash[key] = key (update); lookup hash[key]
 * if key == 7: delete hash[key]
 * Programs do not write through hash value pointers: an element may be
 * recycled by a concurrent update (as in Linux's preallocated maps), and a
 * plain store racing with that copy is the program's business, not a bug
 * of ours that ThreadSanitizer should look for.
 * return 2 */
static int load_prog(void)
{
	struct bpf_insn p[] = {
		MOV64_REG(6, 1),
		LDX(0, 2, 6, 0), LDX(0, 3, 6, 4), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, 1),
		JMP_REG(0x20, 4, 3, 32),                         /* if data + 1 > data_end: exit */
		LDX(0x10, 7, 2, 0), ALU64_IMM(0x50, 7, 15),      /* r7 = key */
		ST(0, 10, -4, 0),                                /* array key 0 */
		LD_IMM64(1, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(0x10, 0, 0, 2), MOV64_IMM(1, 1), I(0xdb, 0, 1, 0, 0),
		STX(0, 10, 7, -8), STX(0x18, 10, 7, -16),        /* key at -8, value at -16 */
		LD_IMM64(1, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -8), MOV64_REG(3, 10),
		ALU64_IMM(0x00, 3, -16), MOV64_IMM(4, 0), CALL(BPF_FUNC_map_update_elem),
		LD_IMM64(1, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -8), CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(0x50, 7, 7, 5),
		LD_IMM64(1, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -8),
		CALL(BPF_FUNC_map_delete_elem),
		MOV64_IMM(0, 2), EXIT(),
	};
	/* Patch the three map loads: the array, then the hash twice, then the hash. */
	int seen = 0;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (p[i].code == 0x18) {
			p[i].src_reg = BPF_PSEUDO_MAP_FD;
			p[i].imm = seen++ == 0 ? array_fd : hash_fd;
			i++;
		}
	union bpf_attr a = { 0 };
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = sizeof(p) / sizeof(p[0]);
	a.license = (uint64_t)(uintptr_t)"GPL";
	static char log[65536];
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int fd = bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		fprintf(stderr, "load: %s\n%s\n", strerror(errno), log);
	return fd;
}

static void *runner(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	uint8_t pkt[64];
	long failures = 0;
	bpfvm_set_current_cpu(vm, (unsigned)(id % 2));
	for (int i = 0; i < RUNS; i++) {
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = (uint8_t)(i + id);
		union bpf_attr a = { 0 };
		a.test.prog_fd = (uint32_t)prog_fd;
		a.test.data_in = (uint64_t)(uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		a.test.repeat = REPEAT;
		if (bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a)) != 0 || a.test.retval != 2)
			failures++;
	}
	return (void *)failures;
}

static void *host(void *arg)
{
	(void)arg;
	uint32_t key, next;
	uint64_t val = 0;
	long iterations = 0;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		union bpf_attr a = { 0 };
		key = (uint32_t)(iterations % 16);
		a.map_fd = (uint32_t)hash_fd;
		a.key = (uint64_t)(uintptr_t)&key;
		a.value = (uint64_t)(uintptr_t)&val;
		bpfvm_bpf(vm, iterations % 3 ? BPF_MAP_UPDATE_ELEM : BPF_MAP_DELETE_ELEM, &a, sizeof(a));
		/* A full walk terminates whatever the programs do meanwhile. */
		int steps = 0;
		a.key = 0;
		a.next_key = (uint64_t)(uintptr_t)&next;
		while (bpfvm_bpf(vm, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) == 0 && steps < 1000) {
			key = next;
			a.key = (uint64_t)(uintptr_t)&key;
			steps++;
		}
		iterations++;
	}
	return (void *)iterations;
}

int main(void)
{
	vm = bpfvm_new();
	array_fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	hash_fd = map_create(BPF_MAP_TYPE_HASH, 4, 8, 8);
	CHECK(array_fd >= 0 && hash_fd >= 0);
	prog_fd = load_prog();
	CHECK(prog_fd >= 0);
	if (prog_fd < 0)
		return test_done();
	pthread_t t[THREADS], h;
	pthread_create(&h, NULL, host, NULL);
	for (uintptr_t i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, runner, (void *)i);
	long failures = 0;
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		failures += (long)r;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	void *iters;
	pthread_join(h, &iters);
	CHECK_EQ(failures, 0);
	CHECK((long)iters > 0);
	/* Every run added exactly one to array[0]. */
	uint32_t key = 0;
	uint64_t count = 0;
	union bpf_attr a = { 0 };
	a.map_fd = (uint32_t)array_fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)&count;
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)), 0);
	CHECK_EQ_U64(count, (uint64_t)THREADS * RUNS * REPEAT);
	/* The hash never holds more than max_entries keys. */
	uint32_t next, n = 0;
	a.map_fd = (uint32_t)hash_fd;
	a.key = 0;
	a.next_key = (uint64_t)(uintptr_t)&next;
	while (bpfvm_bpf(vm, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) == 0 && n < 100) {
		key = next;
		a.key = (uint64_t)(uintptr_t)&key;
		n++;
	}
	CHECK(n <= 8);
	bpfvm_free(vm);
	return test_done();
}
