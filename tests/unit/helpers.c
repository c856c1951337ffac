/* The map and runtime helpers, called from programs loaded with
 * BPF_PROG_LOAD and run with BPF_PROG_TEST_RUN (XDP context). */
#include "test.h"
#include "lib/insn.h"
#include <errno.h>

static struct bpfvm *vm;
static char trace[1024];
static size_t trace_len;

static void sink(void *user, const char *line, size_t len)
{
	(void)user;
	if (trace_len + len < sizeof(trace)) {
		memcpy(trace + trace_len, line, len);
		trace_len += len;
		trace[trace_len] = 0;
	}
}

static int load(const struct bpf_insn *p, uint32_t n)
{
	union bpf_attr a = { 0 };
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	return bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
}

static int run(int fd, uint32_t *retval)
{
	uint8_t pkt[64] = { 0 };
	union bpf_attr a = { 0 };
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	int rc = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	return rc;
}

#define PROG(...) ({ struct bpf_insn _p[] = { __VA_ARGS__ }; load(_p, sizeof(_p) / sizeof(_p[0])); })

/* Puts a string on the stack at r10 - 16 (up to 15 chars) and points r1 at it. */
#define STR16(a, b) LD_IMM64(1, a), STX(0x18, 10, 1, -16), LD_IMM64(1, b), STX(0x18, 10, 1, -8), \
	MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -16)

static void test_trace_printk(void)
{
	uint32_t ret;
	bpfvm_set_trace_sink(vm, sink, NULL);
	int fd;
	const char fmt[16] = "a=%d b=%llx %s\n";
	uint64_t w0, w1;
	memcpy(&w0, fmt, 8);
	memcpy(&w1, fmt + 8, 8);
	fd = PROG(STR16(w0, w1), MOV64_IMM(2, 16), MOV64_IMM(3, -5), LD_IMM64(4, 0x1234abcdull),
		  MOV64_IMM(5, 0), CALL(BPF_FUNC_trace_printk), EXIT());
	CHECK(fd >= 0);
	trace_len = 0;
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_STR(trace, "a=-5 b=1234abcd \n");
	CHECK_EQ(ret, strlen("a=-5 b=1234abcd \n"));
	bpfvm_close(vm, fd);
	/* A format that is not NUL-terminated within fmt_size is -EINVAL. */
	fd = PROG(STR16(w0, w1), MOV64_IMM(2, 15), CALL(BPF_FUNC_trace_printk), EXIT());
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_EQ((int32_t)ret, -EINVAL);
	bpfvm_close(vm, fd);
	/* %c is not a conversion trace_printk knows. */
	const char bad[16] = "bad %c\n";
	memcpy(&w0, bad, 8);
	memcpy(&w1, bad + 8, 8);
	fd = PROG(STR16(w0, w1), MOV64_IMM(2, 16), MOV64_IMM(3, 65), CALL(BPF_FUNC_trace_printk), EXIT());
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_EQ((int32_t)ret, -EINVAL);
	bpfvm_close(vm, fd);
	/* A helper argument that is not memory the program owns is refused
	 * by the verifier: here r1 is a number, not a pointer. */
	fd = PROG(MOV64_IMM(1, 4096), MOV64_IMM(2, 16), CALL(BPF_FUNC_trace_printk), EXIT());
	CHECK_EQ(fd, -1);
	CHECK_EQ(errno, EACCES);
}

static void test_runtime(void)
{
	uint32_t ret;
	bpfvm_set_current_cpu(vm, 1);
	int fd = PROG(CALL(BPF_FUNC_get_smp_processor_id), EXIT());
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_EQ(ret, 1);
	bpfvm_close(vm, fd);
	bpfvm_set_current_cpu(vm, 0);
	CHECK_EQ(bpfvm_set_current_cpu(vm, 7), -EINVAL);
	fd = PROG(CALL(BPF_FUNC_get_numa_node_id), EXIT());
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_EQ(ret, 0);
	bpfvm_close(vm, fd);
	/* ktime is monotonic: two reads in a row do not go backwards. */
	fd = PROG(CALL(BPF_FUNC_ktime_get_ns), MOV64_REG(6, 0), CALL(BPF_FUNC_ktime_get_ns),
		  JMP_REG(0x30, 0, 6, 2), MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT());
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_EQ(ret, 1);
	bpfvm_close(vm, fd);
	/* prandom: three more draws all differ from the first (2^-32 odds
	 * each of not) and stay below 2^32. */
#define DRAW_DIFFERS CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(1, 0), ALU64_IMM(0x70, 1, 32), \
	JMP_IMM(0x15, 1, 0, 2), MOV64_IMM(0, 999), EXIT(), JMP_REG(0x1d, 0, 6, 1), ALU64_IMM(0x00, 7, 1)
	fd = PROG(CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(6, 0), MOV64_IMM(7, 0),
		  DRAW_DIFFERS, DRAW_DIFFERS, DRAW_DIFFERS, MOV64_REG(0, 7), EXIT());
#undef DRAW_DIFFERS
	CHECK_EQ(run(fd, &ret), 0);
	CHECK_EQ(ret, 3);
	bpfvm_close(vm, fd);
}

static int map_fd(uint32_t type, uint32_t max)
{
	union bpf_attr a = { 0 };
	a.map_type = type;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = max;
	return bpfvm_bpf(vm, BPF_MAP_CREATE, &a, sizeof(a));
}

static void map_put(int fd, uint32_t key, uint64_t val)
{
	union bpf_attr a = { 0 };
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)&val;
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)), 0);
}

/* bpf_map_lookup_elem as clang writes it, map loaded first or last, on an
 * array (inlined by the interpreter) and a hash (straight to its ops): the
 * value of key `key`, or 0xdead when absent. */
static uint64_t lookup_prog(int fd, int map_last, uint32_t key)
{
	struct bpf_insn p[] = {
		ST(0, 10, -4, (int32_t)key),
		LD_IMM64(1, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -4),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(0x50, 0, 0, 2), MOV64_IMM(0, 0xdead), EXIT(),
		LDX(0x18, 0, 0, 0), EXIT() };
	if (map_last) {         /* r2 = r10; r2 += -4; r1 = map ll */
		struct bpf_insn t[4] = { p[3], p[4], p[1], p[2] };
		memcpy(&p[1], t, sizeof(t));
	}
	for (int i = 0; i < 10; i++)
		if (p[i].code == 0x18) {
			p[i].src_reg = BPF_PSEUDO_MAP_FD;
			p[i].imm = fd;
			break;
		}
	int pfd = load(p, sizeof(p) / sizeof(p[0]));
	uint32_t ret = 0;
	CHECK(pfd >= 0);
	CHECK_EQ(run(pfd, &ret), 0);
	bpfvm_close(vm, pfd);
	return ret;
}

static void test_map_lookups(void)
{
	int arr = map_fd(BPF_MAP_TYPE_ARRAY, 4), hash = map_fd(BPF_MAP_TYPE_HASH, 4);
	CHECK(arr >= 0 && hash >= 0);
	map_put(arr, 2, 0x1234);
	map_put(hash, 7, 0x5678);
	for (int last = 0; last < 2; last++) {
		CHECK_EQ(lookup_prog(arr, last, 2), 0x1234);
		CHECK_EQ(lookup_prog(arr, last, 1), 0);         /* present, zero */
		CHECK_EQ(lookup_prog(arr, last, 4), 0xdead);    /* out of range */
		CHECK_EQ(lookup_prog(hash, last, 7), 0x5678);
		CHECK_EQ(lookup_prog(hash, last, 8), 0xdead);
	}
	bpfvm_close(vm, arr);
	bpfvm_close(vm, hash);
}

int main(void)
{
	vm = bpfvm_new();
	test_trace_printk();
	test_runtime();
	test_map_lookups();
	bpfvm_free(vm);
	return test_done();
}
