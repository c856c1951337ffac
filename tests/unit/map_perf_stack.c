/* PERF_EVENT_ARRAY with bpf_perf_event_output and the public perf API
 * (records as the kernel lays them out, wrap-around, lost counts, CPU
 * binding, poll, concurrent writers), and STACK_TRACE with bpf_get_stackid /
 * bpf_get_stack over the BPF call stack. */
#include "test.h"
#include "lib/insn.h"
#include <bpfvm/bpfvm.h>
#include <bpfvm/perf.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include "core/vm.h"
#include "interp/interp.h"
#include "maps/map.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static struct bpfvm *vm;

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
	bpfvm_map_put(m);
	return m;
}

static int64_t call(uint32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		    struct bpfvm_run *run)
{
	return (int64_t)vm->helpers[id].proto.fn(r1, r2, r3, r4, r5, run);
}

#define P(x) ((uint64_t)(uintptr_t)(x))

/* ---- perf event arrays ----------------------------------------------------------- */

struct collected {
	int samples, lost_records;
	uint64_t lost;
	uint32_t sizes[256];
	uint8_t data[256][128];
	unsigned int cpu;
};

static void on_sample(void *user, unsigned int cpu, const void *data, uint32_t size)
{
	struct collected *c = user;
	if (c->samples < 256) {
		c->sizes[c->samples] = size;
		memcpy(c->data[c->samples], data, size < 128 ? size : 128);
	}
	c->cpu = cpu;
	c->samples++;
}

static void on_lost(void *user, unsigned int cpu, uint64_t lost)
{
	struct collected *c = user;
	c->lost_records++;
	c->lost += lost;
}

static uint8_t raw_rec[4096];
static size_t raw_len;
static void on_record(void *user, const void *rec, size_t size)
{
	memcpy(raw_rec, rec, size);
	raw_len = size;
	(*(int *)user)++;
}

static void test_perf_map(void)
{
	CHECK_EQ(create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 4, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 8, 4, 4, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0), -EINVAL);
	int fd = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0);
	CHECK(fd >= 0);
	uint32_t k = 0, v = (uint32_t)fd, next;
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_ANY), -EBADF);   /* not a perf event fd */
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_NOEXIST), -EINVAL);
	k = 4;
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_ANY), -E2BIG);
	k = 0;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -ENOENT);
	k = 4;
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -E2BIG);
	CHECK_EQ(next_key(fd, NULL, &next), 0);
	CHECK_EQ(next, 0);

	struct bpfvm_perf *pe;
	int arr = create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0);
	CHECK_EQ(bpfvm_perf_open(vm, 999, 0, 0, 0, &pe), -EBADF);
	CHECK_EQ(bpfvm_perf_open(vm, arr, 0, 0, 0, &pe), -EINVAL);
	CHECK_EQ(bpfvm_perf_open(vm, fd, 4, 0, 0, &pe), -E2BIG);
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 2, 0, &pe), -EINVAL);          /* 2 CPUs */
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 0, 2048, &pe), -EINVAL);
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 0, 12288, &pe), -EINVAL);
	CHECK(pe == NULL);
	bpfvm_close(vm, arr);
	bpfvm_close(vm, fd);
}

static void test_perf_output(void)
{
	int fd = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 3, 0);
	struct bpfvm_map *m = map_of(fd);
	struct bpfvm_perf *pe0, *pe1;
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 0, 4096, &pe0), 0);
	CHECK_EQ(bpfvm_perf_open(vm, fd, 1, 1, 0, &pe1), 0);
	CHECK_EQ(bpfvm_perf_cpu(pe1), 1);
	CHECK(bpfvm_perf_id(pe0) != bpfvm_perf_id(pe1));

	const struct bpfvm_helper_proto *p = &vm->helpers[BPF_FUNC_perf_event_output].proto;
	CHECK_STR(p->name, "perf_event_output");
	CHECK_EQ(p->gpl_only, 1);
	CHECK_EQ(p->ret_type, BPFVM_RET_INTEGER);
	CHECK_EQ(p->arg_type[0], BPFVM_ARG_PTR_TO_CTX);
	CHECK_EQ(p->arg_type[1], BPFVM_ARG_CONST_MAP_PTR);
	CHECK_EQ(p->arg_type[2], BPFVM_ARG_ANYTHING);
	CHECK_EQ(p->arg_type[3], BPFVM_ARG_PTR_TO_MEM);
	CHECK_EQ(p->arg_type[4], BPFVM_ARG_CONST_SIZE_OR_ZERO);

	struct bpfvm_run run;
	memset(&run, 0, sizeof(run));
	run.vm = vm;
	uint8_t data[100];
	for (int i = 0; i < 100; i++)
		data[i] = (uint8_t)(i + 1);
	/* flags */
	CHECK_EQ(call(25, 0, P(m), BPF_F_CURRENT_CPU | (8ull << 32), P(data), 5, &run), -EINVAL); /* ctxlen */
	CHECK_EQ(call(25, 0, P(m), 1ull << 63, P(data), 5, &run), -EINVAL);
	CHECK_EQ(call(25, 0, P(m), 3, P(data), 5, &run), -E2BIG);
	CHECK_EQ(call(25, 0, P(m), 2, P(data), 5, &run), -ENOENT);
	CHECK_EQ(call(25, 0, P(m), 1, P(data), 5, &run), -EOPNOTSUPP);    /* event of CPU 1 */
	run.cpu = 2;
	CHECK_EQ(call(25, 0, P(m), BPF_F_CURRENT_CPU, P(data), 5, &run), -ENOENT);
	run.cpu = 1;
	CHECK_EQ(call(25, 0, P(m), BPF_F_CURRENT_CPU, P(data), 5, &run), 0);
	run.cpu = 0;
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 0, &run), 0);               /* an empty sample */
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 70000, &run), -E2BIG);      /* beyond a u16 record */

	/* the record as the kernel writes it */
	int n = 0;
	CHECK_EQ(bpfvm_perf_pending(pe1), 24);
	CHECK_EQ(bpfvm_perf_read_raw(pe1, on_record, &n), 1);
	CHECK_EQ(n, 1);
	CHECK_EQ(raw_len, 24);
	uint32_t type, rawsize;
	uint16_t misc, size;
	memcpy(&type, raw_rec, 4);
	memcpy(&misc, raw_rec + 4, 2);
	memcpy(&size, raw_rec + 6, 2);
	memcpy(&rawsize, raw_rec + 8, 4);
	CHECK_EQ(type, BPFVM_PERF_RECORD_SAMPLE);
	CHECK_EQ(misc, 1);                                                  /* PERF_RECORD_MISC_KERNEL */
	CHECK_EQ(size, 24);
	CHECK_EQ(rawsize, 12);                                              /* round_up(5 + 4, 8) - 4 */
	CHECK(!memcmp(raw_rec + 12, data, 5));
	CHECK_EQ(raw_rec[17] | raw_rec[18] | raw_rec[19] | raw_rec[20] | raw_rec[21] | raw_rec[22] | raw_rec[23], 0);
	CHECK_EQ(bpfvm_perf_pending(pe1), 0);

	struct collected c;
	memset(&c, 0, sizeof(c));
	CHECK_EQ(bpfvm_perf_read(pe0, on_sample, on_lost, &c), 1);
	CHECK_EQ(c.samples, 1);
	CHECK_EQ(c.sizes[0], 4);                                            /* round_up(0 + 4, 8) - 4 */
	CHECK_EQ(c.cpu, 0);

	/* fill the 4096-byte ring with 112-byte records: 36 fit (a ring never
	 * fills its last byte), then samples are lost */
	memset(&c, 0, sizeof(c));
	int ok = 0, nospc = 0;
	for (int i = 0; i < 40; i++) {
		data[0] = (uint8_t)i;
		int64_t rc = call(25, 0, P(m), BPF_F_CURRENT_CPU, P(data), 100, &run);
		ok += rc == 0;
		nospc += rc == -ENOSPC;
	}
	CHECK_EQ(ok, 36);
	CHECK_EQ(nospc, 4);
	CHECK_EQ(bpfvm_perf_lost_total(pe0), 4);
	CHECK_EQ(bpfvm_perf_read(pe0, on_sample, on_lost, &c), 36);
	CHECK_EQ(c.samples, 36);
	CHECK_EQ(c.lost_records, 0);
	for (int i = 0; i < 36; i++) {
		CHECK_EQ(c.sizes[i], 100);
		CHECK_EQ(c.data[i][0], i);
	}
	/* the next sample is preceded by a LOST record of 4 */
	memset(&c, 0, sizeof(c));
	data[0] = 200;
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 100, &run), 0);
	CHECK_EQ(bpfvm_perf_pending(pe0), 24 + 112);
	CHECK_EQ(bpfvm_perf_read(pe0, on_sample, on_lost, &c), 2);
	CHECK_EQ(c.lost_records, 1);
	CHECK_EQ(c.lost, 4);
	CHECK_EQ(c.samples, 1);
	CHECK_EQ(c.data[0][0], 200);

	/* another loss after a full ring, reported before the next sample */
	for (int i = 0; i < 36; i++)
		call(25, 0, P(m), 0, P(data), 100, &run);
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 100, &run), -ENOSPC);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(bpfvm_perf_read(pe0, on_sample, on_lost, &c), 36);
	CHECK_EQ(c.lost_records, 0);
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 100, &run), 0);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(bpfvm_perf_read(pe0, on_sample, on_lost, &c), 2);
	CHECK_EQ(c.lost, 1);
	CHECK_EQ(bpfvm_perf_lost_total(pe0), 5);

	/* wrap-around: records of every size cross the end of the ring */
	uint32_t seq = 0, got = 0, bad = 0;
	for (int round = 0; round < 500; round++) {
		for (int j = 0; j < 7; j++) {
			uint8_t buf[100];
			uint32_t len = 4 + (seq * 13) % 93;
			memset(buf, (int)(seq & 0xff), len);
			memcpy(buf, &seq, 4);
			if (call(25, 0, P(m), 0, P(buf), len, &run) == 0)
				seq++;
		}
		memset(&c, 0, sizeof(c));
		bpfvm_perf_read(pe0, on_sample, on_lost, &c);
		for (int i = 0; i < c.samples; i++) {
			uint32_t s, len;
			memcpy(&s, c.data[i], 4);
			len = 4 + (s * 13) % 93;
			bad += s != got || c.sizes[i] != ((len + 4 + 7) & ~7u) - 4;
			for (uint32_t b = 4; b < len; b++)
				bad += c.data[i][b] != (uint8_t)(s & 0xff);
			for (uint32_t b = len; b < c.sizes[i]; b++)
				bad += c.data[i][b] != 0;
			got++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(got, seq);
	CHECK_EQ(seq, 3500);

	/* close: the slot empties */
	bpfvm_perf_close(pe1);
	run.cpu = 1;
	CHECK_EQ(call(25, 0, P(m), BPF_F_CURRENT_CPU, P(data), 8, &run), -ENOENT);
	/* delete from the syscall: the handle stays readable */
	run.cpu = 0;
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 8, &run), 0);
	uint32_t k = 0;
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -ENOENT);
	CHECK_EQ(call(25, 0, P(m), 0, P(data), 8, &run), -ENOENT);
	CHECK_EQ(bpfvm_perf_read(pe0, NULL, NULL, NULL), 1);
	/* a new event replaces the one in the slot */
	struct bpfvm_perf *pe2, *pe3;
	CHECK_EQ(bpfvm_perf_open(vm, fd, 2, 0, 0, &pe2), 0);
	CHECK_EQ(bpfvm_perf_open(vm, fd, 2, 0, 0, &pe3), 0);
	CHECK_EQ(call(25, 0, P(m), 2, P(data), 8, &run), 0);
	CHECK_EQ(bpfvm_perf_pending(pe2), 0);
	CHECK_EQ(bpfvm_perf_pending(pe3), 24);
	bpfvm_perf_close(pe2);                                             /* not in the slot: no effect */
	CHECK_EQ(call(25, 0, P(m), 2, P(data), 8, &run), 0);
	/* the map's last fd empties the slots; the handles keep working */
	bpfvm_close(vm, fd);
	CHECK_EQ(call(25, 0, P(m), 2, P(data), 8, &run), -ENOENT);
	CHECK_EQ(bpfvm_perf_read(pe3, NULL, NULL, NULL), 2);
	bpfvm_perf_close(pe3);
	bpfvm_perf_close(pe0);
}

/* ---- writers on several threads, a reader polling ---------------------------- */

static struct bpfvm_map *pmap;
static _Atomic long written, dropped;

static void *writer(void *arg)
{
	struct bpfvm_run run;
	memset(&run, 0, sizeof(run));
	run.vm = vm;
	uint8_t buf[40];
	memset(buf, (int)(uintptr_t)arg, sizeof(buf));
	for (int i = 0; i < 20000; i++) {
		int64_t rc = call(25, 0, P(pmap), 0, P(buf), sizeof(buf), &run);
		if (rc == 0)
			written++;
		else if (rc == -ENOSPC)
			dropped++;
	}
	return NULL;
}

struct counts {
	long samples, lost, bad;
};

static void count_sample(void *user, unsigned int cpu, const void *data, uint32_t size)
{
	struct counts *c = user;
	const uint8_t *d = data;
	c->samples++;
	for (uint32_t i = 1; i < 40; i++)
		c->bad += d[i] != d[0];
	c->bad += size != 44;
}

static void count_lost(void *user, unsigned int cpu, uint64_t lost)
{
	((struct counts *)user)->lost += (long)lost;
}

static void test_perf_concurrent(void)
{
	int fd = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0);
	pmap = map_of(fd);
	struct bpfvm_perf *pe;
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 0, 8192, &pe), 0);
	CHECK_EQ(bpfvm_perf_poll(pe, 0), 0);
	pthread_t t[4];
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, writer, (void *)(i + 1));
	struct counts c = { 0, 0, 0 };
	CHECK_EQ(bpfvm_perf_poll(pe, 5000), 1);
	while (written + dropped < 80000) {
		bpfvm_perf_poll(pe, 10);
		bpfvm_perf_read(pe, count_sample, count_lost, &c);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	bpfvm_perf_read(pe, count_sample, count_lost, &c);
	/* a last sample reports what is still pending as lost */
	struct bpfvm_run run;
	memset(&run, 0, sizeof(run));
	uint8_t buf[40] = { 0 };
	CHECK_EQ(call(25, 0, P(pmap), 0, P(buf), sizeof(buf), &run), 0);
	bpfvm_perf_read(pe, count_sample, count_lost, &c);
	CHECK_EQ(c.bad, 0);
	CHECK_EQ(c.samples, written + 1);
	CHECK_EQ(c.lost, dropped);
	CHECK_EQ((long)bpfvm_perf_lost_total(pe), dropped);
	bpfvm_perf_close(pe);
	bpfvm_close(vm, fd);
}

/* ---- a program calling bpf_perf_event_output ------------------------------------ */

static void test_perf_program(void)
{
	int fd = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0);
	struct bpfvm_perf *pe;
	CHECK_EQ(bpfvm_perf_open(vm, fd, 0, 0, 0, &pe), 0);
	struct bpf_insn prog[] = {
		ST(0x18, 10, -8, 0x55667788),                   /* *(u64 *)(r10 - 8) = ... */
		I(0x18, 2, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0),
		MOV32_IMM(3, -1),                               /* BPF_F_CURRENT_CPU */
		MOV64_REG(4, 10),
		ALU64_IMM(0x00, 4, -8),                         /* r4 += -8 */
		MOV64_IMM(5, 8),
		CALL(BPF_FUNC_perf_event_output),
		EXIT(),
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = P(prog);
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.license = P("GPL");
	int pfd = sys(BPF_PROG_LOAD, &a);
	CHECK(pfd >= 0);
	uint8_t pkt[64] = { 0 };
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)pfd;
	a.test.data_in = P(pkt);
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 3;
	CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), 0);
	CHECK_EQ(a.test.retval, 0);
	struct collected c;
	memset(&c, 0, sizeof(c));
	CHECK_EQ(bpfvm_perf_read(pe, on_sample, on_lost, &c), 3);
	uint64_t want = 0x55667788;
	CHECK_EQ(c.sizes[0], 12);
	CHECK(!memcmp(c.data[0], &want, 8));
	bpfvm_close(vm, pfd);

	/* Packet programs may append packet bytes: BPF_F_CTXLEN_MASK (the
	 * kernel's bpf_xdp_event_output); more than the packet is -EFAULT. */
	for (int big = 0; big < 2; big++) {
		uint64_t flags = BPF_F_CURRENT_CPU | ((uint64_t)(big ? 65 : 16) << 32);
		struct bpf_insn ctxprog[] = {
			ST(0x18, 10, -8, 0x55667788),
			I(0x18, 2, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0),
			LD_IMM64(3, flags),
			MOV64_REG(4, 10),
			ALU64_IMM(0x00, 4, -8),
			MOV64_IMM(5, 8),
			CALL(BPF_FUNC_perf_event_output),
			EXIT(),
		};
		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_XDP;
		a.insns = P(ctxprog);
		a.insn_cnt = sizeof(ctxprog) / sizeof(ctxprog[0]);
		a.license = P("GPL");
		pfd = sys(BPF_PROG_LOAD, &a);
		CHECK(pfd >= 0);
		for (int i = 0; i < 64; i++)
			pkt[i] = (uint8_t)(i + 1);
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)pfd;
		a.test.data_in = P(pkt);
		a.test.data_size_in = sizeof(pkt);
		CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), 0);
		memset(&c, 0, sizeof(c));
		if (big) {
			CHECK_EQ((int32_t)a.test.retval, -EFAULT);
			CHECK_EQ(bpfvm_perf_read(pe, on_sample, on_lost, &c), 0);
		} else {
			CHECK_EQ(a.test.retval, 0);
			CHECK_EQ(bpfvm_perf_read(pe, on_sample, on_lost, &c), 1);
			CHECK_EQ(c.sizes[0], 8 + 16 + 4);
			CHECK(!memcmp(c.data[0], &want, 8));
			CHECK(!memcmp(c.data[0] + 8, pkt, 16));
		}
		bpfvm_close(vm, pfd);
	}
	bpfvm_perf_close(pe);
	bpfvm_close(vm, fd);
}

/* ---- stack traces ------------------------------------------------------------- */

static struct bpf_insn fake_insns[64];
static struct bpfvm_code fake_code;

/* A run stopped at a helper call at insn `pc`, `depth` BPF-to-BPF calls
 * deep (the call sites of the callers in ret_pc). */
static void stack_run(struct bpfvm_run *run, uint32_t pc, uint32_t depth, const uint32_t *ret_pc)
{
	memset(run, 0, sizeof(*run));
	run->vm = vm;
	fake_code.insns = fake_insns;
	fake_code.len = 64;
	run->code = &fake_code;
	run->pc = pc;
	run->depth = depth;
	for (uint32_t i = 0; i < depth; i++)
		run->ret_pc[i] = ret_pc[i];
}

static uint64_t ip(uint32_t index)
{
	return (uint64_t)(uintptr_t)fake_insns + 8ull * index;
}

static void test_stack_create(void)
{
	uint32_t T = BPF_MAP_TYPE_STACK_TRACE;
	CHECK_EQ(create(T, 8, 8, 4, 0), -EINVAL);
	CHECK_EQ(create(T, 4, 4, 4, 0), -EINVAL);
	CHECK_EQ(create(T, 4, 12, 4, 0), -EINVAL);
	CHECK_EQ(create(T, 4, 8, 0, 0), -EINVAL);
	CHECK_EQ(create(T, 4, 8, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(T, 4, 128 * 8, 4, 0), -EINVAL);                 /* > 127 frames */
	int fd = create(T, 4, 127 * 8, 4, 0);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	CHECK_EQ(create(T, 4, 40, 4, BPF_F_STACK_BUILD_ID), -EINVAL);   /* not a multiple of 32 */
	CHECK_EQ(create(T, 4, 128 * 32, 4, BPF_F_STACK_BUILD_ID), -EINVAL);
	fd = create(T, 4, 127 * 32, 4, BPF_F_STACK_BUILD_ID);
	CHECK(fd >= 0);
	bpfvm_close(vm, fd);
	CHECK_EQ(create(T, 4, 8, 1u << 29, 0), -E2BIG);                 /* bucket table */
	CHECK_EQ(create(T, 4, 1016, 1u << 22, 0), -E2BIG);              /* elements */
}

static void test_get_stackid(void)
{
	const struct bpfvm_helper_proto *p = &vm->helpers[BPF_FUNC_get_stackid].proto;
	CHECK_STR(p->name, "get_stackid");
	CHECK_EQ(p->gpl_only, 1);
	CHECK_EQ(p->arg_type[0], BPFVM_ARG_PTR_TO_CTX);
	CHECK_EQ(p->arg_type[1], BPFVM_ARG_CONST_MAP_PTR);
	CHECK_EQ(p->arg_type[2], BPFVM_ARG_ANYTHING);
	CHECK_EQ(p->arg_type[3], BPFVM_ARG_DONTCARE);

	int fd = create(BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 8, 1000, 0);   /* 1024 buckets */
	struct bpfvm_map *m = map_of(fd);
	struct bpfvm_run run;
	uint32_t rets[] = { 10, 20 };
	stack_run(&run, 5, 2, rets);
	int64_t id = call(27, 0, P(m), 0, 0, 0, &run);
	CHECK(id >= 0 && id < 1024);
	uint64_t val[8];
	uint32_t key = (uint32_t)id;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &key, val, 0), 0);
	CHECK_EQ_U64(val[0], ip(5));                                    /* the helper call */
	CHECK_EQ_U64(val[1], ip(20));                                   /* its caller's call site */
	CHECK_EQ_U64(val[2], ip(10));                                   /* the outermost */
	CHECK_EQ_U64(val[3], 0);
	CHECK_EQ_U64(val[7], 0);
	CHECK_EQ(call(27, 0, P(m), 0, 0, 0, &run), id);                 /* the same stack, the same id */
	CHECK_EQ(call(27, 0, P(m), BPF_F_FAST_STACK_CMP, 0, 0, &run), id);

	/* skip */
	int64_t id1 = call(27, 0, P(m), 1, 0, 0, &run);
	CHECK(id1 >= 0);
	key = (uint32_t)id1;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &key, val, 0), 0);
	CHECK_EQ_U64(val[0], ip(20));
	CHECK_EQ_U64(val[1], ip(10));
	CHECK_EQ_U64(val[2], 0);
	CHECK(call(27, 0, P(m), 2, 0, 0, &run) >= 0);
	CHECK_EQ(call(27, 0, P(m), 3, 0, 0, &run), -EFAULT);            /* nothing left */
	CHECK_EQ(call(27, 0, P(m), 255, 0, 0, &run), -EFAULT);
	CHECK_EQ(call(27, 0, P(m), BPF_F_USER_STACK, 0, 0, &run), -EFAULT);  /* no user stack */
	CHECK_EQ(call(27, 0, P(m), BPF_F_USER_BUILD_ID, 0, 0, &run), -EINVAL);
	CHECK_EQ(call(27, 0, P(m), 1ull << 12, 0, 0, &run), -EINVAL);

	/* the user-space side */
	uint32_t k = (uint32_t)id, next;
	uint64_t v[8] = { 0 };
	CHECK_EQ(elem(BPF_MAP_UPDATE_ELEM, fd, &k, v, BPF_ANY), -EINVAL);
	CHECK(m->ops->lookup(m, &k, 0) == NULL);
	k = 1024;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, v, 0), -ENOENT);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -E2BIG);
	int count = 0;
	uint32_t *kp = NULL, cur;
	while (next_key(fd, kp, &next) == 0) {
		CHECK(next < 1024);
		CHECK(!kp || next > cur);
		cur = next;
		kp = &cur;
		count++;
	}
	CHECK_EQ(count, 3);
	k = (uint32_t)id;
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), 0);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0), -ENOENT);
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &k, v, 0), -ENOENT);
	/* an empty key restarts from the first */
	CHECK_EQ(next_key(fd, &k, &next), 0);
	CHECK(next != k);
	bpfvm_close(vm, fd);

	/* a map of 2-frame values keeps the innermost 2 */
	fd = create(BPF_MAP_TYPE_STACK_TRACE, 4, 16, 8, 0);
	m = map_of(fd);
	id = call(27, 0, P(m), 0, 0, 0, &run);
	CHECK(id >= 0);
	key = (uint32_t)id;
	uint64_t two[2];
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &key, two, 0), 0);
	CHECK_EQ_U64(two[0], ip(5));
	CHECK_EQ_U64(two[1], ip(20));
	CHECK_EQ(call(27, 0, P(m), 2, 0, 0, &run), -EFAULT);            /* truncated to 2, skip 2 */
	bpfvm_close(vm, fd);
}

/* Stacks that land in one bucket: -EEXIST, BPF_F_REUSE_STACKID, and the
 * element budget (max_entries). */
static void test_stackid_collisions(void)
{
	int fd = create(BPF_MAP_TYPE_STACK_TRACE, 4, 8, 2, 0);          /* 2 buckets, 2 elements */
	struct bpfvm_map *m = map_of(fd);
	struct bpfvm_run run;
	stack_run(&run, 0, 0, NULL);
	int64_t id0 = call(27, 0, P(m), 0, 0, 0, &run);
	CHECK(id0 == 0 || id0 == 1);
	/* find a stack that collides with id0's bucket (the other bucket is
	 * kept empty, so a stack hashing there is stored, then removed) and
	 * one that hashes to the other bucket */
	uint32_t other = (uint32_t)(1 - id0), pc, collider = 0, elsewhere = 0;
	for (pc = 1; pc < 64 && (!collider || !elsewhere); pc++) {
		stack_run(&run, pc, 0, NULL);
		int64_t rc = call(27, 0, P(m), 0, 0, 0, &run);
		if (rc == -EEXIST && !collider)
			collider = pc;
		if (rc == other) {
			elsewhere = pc;
			CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &other, NULL, 0), 0);
		}
	}
	CHECK(collider && elsewhere);
	stack_run(&run, elsewhere, 0, NULL);
	CHECK_EQ(call(27, 0, P(m), 0, 0, 0, &run), other);
	stack_run(&run, collider, 0, NULL);
	CHECK_EQ(call(27, 0, P(m), 0, 0, 0, &run), -EEXIST);
	/* both elements are in use: replacing needs a third -> -ENOMEM */
	CHECK_EQ(call(27, 0, P(m), BPF_F_REUSE_STACKID, 0, 0, &run), -ENOMEM);
	CHECK_EQ(elem(BPF_MAP_DELETE_ELEM, fd, &other, NULL, 0), 0);
	CHECK_EQ(call(27, 0, P(m), BPF_F_REUSE_STACKID, 0, 0, &run), id0);
	uint64_t v;
	uint32_t key = (uint32_t)id0;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &key, &v, 0), 0);
	CHECK_EQ_U64(v, ip(collider));
	bpfvm_close(vm, fd);
}

static void test_build_id_map(void)
{
	int fd = create(BPF_MAP_TYPE_STACK_TRACE, 4, 4 * 32, 8, BPF_F_STACK_BUILD_ID);
	struct bpfvm_map *m = map_of(fd);
	struct bpfvm_run run;
	uint32_t rets[] = { 3 };
	stack_run(&run, 9, 1, rets);
	int64_t id = call(27, 0, P(m), 0, 0, 0, &run);
	CHECK(id >= 0);
	CHECK_EQ(call(27, 0, P(m), 0, 0, 0, &run), id);
	struct bpf_stack_build_id v[4];
	memset(v, 0xff, sizeof(v));
	uint32_t key = (uint32_t)id;
	CHECK_EQ(elem(BPF_MAP_LOOKUP_ELEM, fd, &key, v, 0), 0);
	CHECK_EQ(v[0].status, BPF_STACK_BUILD_ID_IP);
	CHECK_EQ_U64(v[0].ip, ip(9));
	CHECK_EQ(v[0].build_id[0] | v[0].build_id[19], 0);
	CHECK_EQ(v[1].status, BPF_STACK_BUILD_ID_IP);
	CHECK_EQ_U64(v[1].ip, ip(3));
	CHECK_EQ(v[2].status, BPF_STACK_BUILD_ID_EMPTY);
	CHECK_EQ_U64(v[3].ip, 0);
	bpfvm_close(vm, fd);
}

static void test_get_stack(void)
{
	const struct bpfvm_helper_proto *p = &vm->helpers[BPF_FUNC_get_stack].proto;
	CHECK_STR(p->name, "get_stack");
	CHECK_EQ(p->gpl_only, 1);
	CHECK_EQ(p->arg_type[0], BPFVM_ARG_PTR_TO_CTX);
	CHECK_EQ(p->arg_type[1], BPFVM_ARG_PTR_TO_UNINIT_MEM);
	CHECK_EQ(p->arg_type[2], BPFVM_ARG_CONST_SIZE_OR_ZERO);
	CHECK_EQ(p->arg_type[3], BPFVM_ARG_ANYTHING);

	struct bpfvm_run run;
	uint32_t rets[] = { 10, 20 };
	stack_run(&run, 5, 2, rets);
	uint64_t buf[8];
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(call(67, 0, P(buf), sizeof(buf), 0, 0, &run), 24);
	CHECK_EQ_U64(buf[0], ip(5));
	CHECK_EQ_U64(buf[1], ip(20));
	CHECK_EQ_U64(buf[2], ip(10));
	CHECK_EQ_U64(buf[3], 0);
	CHECK_EQ_U64(buf[7], 0);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(call(67, 0, P(buf), 16, 0, 0, &run), 16);               /* the innermost two */
	CHECK_EQ_U64(buf[1], ip(20));
	CHECK_EQ_U64(buf[2], ~0ull);                                   /* beyond size: untouched */
	CHECK_EQ(call(67, 0, P(buf), 64, 1, 0, &run), 16);
	CHECK_EQ_U64(buf[0], ip(20));
	CHECK_EQ_U64(buf[2], 0);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(call(67, 0, P(buf), 64, 3, 0, &run), 0);                /* skip all: 0 bytes */
	CHECK_EQ_U64(buf[0], 0);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(call(67, 0, P(buf), 64, 4, 0, &run), -EFAULT);          /* errors zero the buffer */
	CHECK_EQ_U64(buf[0], 0);
	CHECK_EQ_U64(buf[7], 0);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(call(67, 0, P(buf), 12, 0, 0, &run), -EINVAL);          /* not a multiple of 8 */
	CHECK_EQ_U64(buf[0], 0);
	CHECK_EQ(buf[1] >> 32, 0xffffffffu);                             /* only 12 bytes zeroed */
	CHECK_EQ(call(67, 0, P(buf), 64, BPF_F_FAST_STACK_CMP, 0, &run), -EINVAL);
	CHECK_EQ(call(67, 0, P(buf), 64, BPF_F_USER_BUILD_ID, 0, &run), -EINVAL);  /* kernel stack */
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(call(67, 0, P(buf), 64, BPF_F_USER_STACK, 0, &run), 0);  /* no user stack */
	CHECK_EQ_U64(buf[7], 0);
	CHECK_EQ(call(67, 0, P(buf), 64, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID, 0, &run), 0);
	CHECK_EQ(call(67, 0, P(buf), 48, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID, 0, &run), -EINVAL);
	CHECK_EQ(call(67, 0, P(buf), 64, BPF_F_USER_STACK | 1, 0, &run), -EFAULT);
	CHECK_EQ(call(67, 0, P(buf), 0, 0, 0, &run), 0);
}

int main(void)
{
	vm = bpfvm_new();
	CHECK_EQ(bpfvm_ncpus(vm), 2);
	test_perf_map();
	test_perf_output();
	test_perf_concurrent();
	test_perf_program();
	test_stack_create();
	test_get_stackid();
	test_stackid_collisions();
	test_build_id_map();
	test_get_stack();
	bpfvm_free(vm);
	return test_done();
}
