/* The command layer: attr size rules, fds, ids, pins, PROG_LOAD (tag, log,
 * license), PROG_TEST_RUN for XDP and socket filters, info by fd. */
#include "test.h"
#include "lib/insn.h"
#include <errno.h>
#include <unistd.h>

static struct bpfvm *vm;

static int sys(int cmd, union bpf_attr *a)
{
	return bpfvm_bpf(vm, cmd, a, sizeof(*a));
}

static int load(int type, const struct bpf_insn *p, uint32_t n, const char *license, char *log, uint32_t logsz)
{
	union bpf_attr a = { 0 };
	a.prog_type = (uint32_t)type;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)license;
	if (log) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = logsz;
		a.log_level = 1;
	}
	return sys(BPF_PROG_LOAD, &a);
}

static void test_attr_size(void)
{
	union bpf_attr a = { 0 };
	uint8_t big[sizeof(a) + 8] = { 0 };
	/* Larger attr with zero tail is fine (and then an empty MAP_CREATE is EINVAL). */
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_CREATE, (union bpf_attr *)big, sizeof(big)), -1);
	CHECK_EQ(errno, EINVAL);
	big[sizeof(a) + 3] = 1;
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_CREATE, (union bpf_attr *)big, sizeof(big)), -1);
	CHECK_EQ(errno, E2BIG);
	CHECK_EQ(bpfvm_bpf(vm, 999, &a, sizeof(a)), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(bpfvm_bpf(vm, BPF_MAP_CREATE, NULL, 8), -1);
	CHECK_EQ(errno, EFAULT);
	CHECK_EQ(bpfvm_close(vm, 12345), -1);
	CHECK_EQ(errno, EBADF);
}

static void test_prog_load_and_run(void)
{
	struct bpf_insn p[] = { MOV64_IMM(0, 2), EXIT() };   /* XDP_PASS */
	char log[256];
	int fd = load(BPF_PROG_TYPE_XDP, p, 2, "GPL", NULL, 0);
	CHECK(fd >= 3);
	/* The tag is the first 8 bytes of the SHA-1 of the instructions, as
	 * v5.1 computes it (Linux 6.18 moved to SHA-256: 614b434cd8324ecc for
	 * this program; the spec's SHA-1 is what we keep). */
	struct bpf_prog_info info = { 0 };
	union bpf_attr a = { 0 };
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(a.info.info_len, sizeof(info));
	CHECK_EQ(info.type, BPF_PROG_TYPE_XDP);
	CHECK(info.id > 0);
	CHECK_EQ(info.gpl_compatible, 1);
	CHECK_EQ(info.xlated_prog_len, 16);
	static const uint8_t want_tag[8] = { 0x3b, 0x18, 0x51, 0x87, 0xf1, 0x85, 0x5c, 0x4c };
	CHECK(!memcmp(info.tag, want_tag, 8));

	uint8_t pkt[64] = { 1, 2, 3 }, out[64];
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.repeat = 10;
	CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), 0);
	CHECK_EQ(a.test.retval, 2);
	CHECK_EQ(a.test.data_size_out, 64);
	CHECK(!memcmp(out, pkt, 64));
	a.test.data_size_out = 10;      /* too small: ENOSPC, results still written */
	a.test.retval = 0;
	CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), -1);
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(a.test.retval, 2);
	CHECK_EQ(a.test.data_size_out, 64);
	CHECK_EQ(bpfvm_close(vm, fd), 0);

	/* XDP program reading the packet through ctx->data / data_end. */
	struct bpf_insn rd[] = {
		LDX(0, 2, 1, 0), LDX(0, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, 2),
		JMP_REG(0x20, 4, 3, 2), LDX(0x08, 0, 2, 0), EXIT(), MOV64_IMM(0, 0), EXIT() };
	fd = load(BPF_PROG_TYPE_XDP, rd, 9, "GPL", NULL, 0);
	CHECK(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), 0);
	CHECK_EQ(a.test.retval, 0x0201);
	bpfvm_close(vm, fd);

	/* Socket filter with LD_ABS: byte 12-13 of the frame is the EtherType,
	 * but a socket filter's offsets start at the network header. */
	struct bpf_insn ld[] = { MOV64_REG(6, 1), I(0x28, 0, 0, 0, 0), EXIT() };
	fd = load(BPF_PROG_TYPE_SOCKET_FILTER, ld, 3, "MIT", NULL, 0);
	CHECK(fd >= 0);
	uint8_t frame[64] = { 0 };
	frame[12] = 0x08; frame[14] = 0x45; frame[15] = 0x10;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)frame;
	a.test.data_size_in = sizeof(frame);
	a.test.data_out = (uint64_t)(uintptr_t)out;
	CHECK_EQ(sys(BPF_PROG_TEST_RUN, &a), 0);
	CHECK_EQ(a.test.retval, 0x4510);
	CHECK_EQ(out[12], 0);           /* the link-layer header comes back zeroed */
	CHECK_EQ(out[14], 0x45);
	bpfvm_close(vm, fd);

	/* Errors, with the kernel's errnos and log lines. */
	struct bpf_insn bad[] = { I(0xff, 0, 0, 0, 0), EXIT() };
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, bad, 2, "GPL", log, sizeof(log)), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_STR(log, "insn 0: unknown opcode ff\n");
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, bad, 0, "GPL", NULL, 0), -1);
	CHECK_EQ(errno, E2BIG);
	CHECK_EQ(load(999, p, 2, "GPL", NULL, 0), -1);
	CHECK_EQ(errno, EINVAL);
	struct bpf_insn gpl[] = { MOV64_IMM(1, 0), MOV64_IMM(2, 1), CALL(BPF_FUNC_trace_printk), EXIT() };
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, gpl, 4, "Proprietary", log, sizeof(log)), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_STR(log, "cannot call GPL-restricted function from non-GPL compatible program\n");
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, bad, 2, "GPL", log, 100), -1);   /* log_size < 128 */
	CHECK_EQ(errno, EINVAL);
}

static void test_ids_and_pins(void)
{
	struct bpf_insn p[] = { MOV64_IMM(0, 1), EXIT() };
	int fd = load(BPF_PROG_TYPE_SOCKET_FILTER, p, 2, "GPL", NULL, 0);
	CHECK(fd >= 0);
	union bpf_attr a = { 0 };
	CHECK_EQ(sys(BPF_PROG_GET_NEXT_ID, &a), 0);
	uint32_t id = a.next_id;
	CHECK(id > 0);
	a.start_id = id;
	CHECK_EQ(sys(BPF_PROG_GET_NEXT_ID, &a), -1);
	CHECK_EQ(errno, ENOENT);
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)"/sys/fs/bpf/p";
	a.bpf_fd = (uint32_t)fd;
	CHECK_EQ(sys(BPF_OBJ_PIN, &a), 0);
	CHECK_EQ(sys(BPF_OBJ_PIN, &a), -1);
	CHECK_EQ(errno, EEXIST);
	a.pathname = (uint64_t)(uintptr_t)"/tmp/p";
	CHECK_EQ(sys(BPF_OBJ_PIN, &a), -1);
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(bpfvm_close(vm, fd), 0);
	/* The pin keeps the program alive: its id still resolves. */
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	int fd2 = sys(BPF_PROG_GET_FD_BY_ID, &a);
	CHECK(fd2 >= 0);
	bpfvm_close(vm, fd2);
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)"/sys/fs/bpf/p";
	int fd3 = sys(BPF_OBJ_GET, &a);
	CHECK(fd3 >= 0);
	bpfvm_close(vm, fd3);
	a.pathname = (uint64_t)(uintptr_t)"/sys/fs/bpf/nope";
	CHECK_EQ(sys(BPF_OBJ_GET, &a), -1);
	CHECK_EQ(errno, ENOENT);
	memset(&a, 0, sizeof(a));
	a.prog_id = 99999;
	CHECK_EQ(sys(BPF_PROG_GET_FD_BY_ID, &a), -1);
	CHECK_EQ(errno, ENOENT);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = 4242;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), -1);
	CHECK_EQ(errno, EBADFD);
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.name = (uint64_t)(uintptr_t)"sched_switch";
	CHECK_EQ(sys(BPF_RAW_TRACEPOINT_OPEN, &a), -1);
	CHECK_EQ(errno, ENOENT);
}

int main(void)
{
	vm = bpfvm_new();
	test_attr_size();
	test_prog_load_and_run();
	test_ids_and_pins();
	bpfvm_free(vm);
	return test_done();
}
