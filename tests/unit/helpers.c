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

int main(void)
{
	vm = bpfvm_new();
	test_trace_printk();
	test_runtime();
	bpfvm_free(vm);
	return test_done();
}
