/* The program-type table (every v5.1 type: fields, helper sets, return
 * ranges, test runs), the context access rules, the rewrites onto the
 * models (checked against the models directly), and the test runs of the
 * packet types. Helpers are in progs_helpers.c. */
#include "test.h"
#include "lib/insn.h"
#include "progs/progs.h"
#include "progs/ctx.h"
#include "progs/skb.h"
#include "progs/xdp.h"
#include "progs/sock.h"
#include "progs/test_run.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stddef.h>

static struct bpfvm *vm;

static int load_at(int type, uint32_t attach, const struct bpf_insn *p, uint32_t n)
{
	union bpf_attr a = { 0 };
	a.prog_type = (uint32_t)type;
	a.expected_attach_type = attach;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	return bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
}

static int load(int type, const struct bpf_insn *p, uint32_t n)
{
	return load_at(type, 0, p, n);
}

/* PROG_TEST_RUN: 0 or -errno; *out_len is in/out. */
static int test_run(int fd, const void *pkt, uint32_t len, void *out, uint32_t *out_len, uint32_t *retval)
{
	union bpf_attr a = { 0 };
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.data_size_out = out_len ? *out_len : 0;
	int rc = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a));
	if (out_len)
		*out_len = a.test.data_size_out;
	if (retval)
		*retval = a.test.retval;
	return rc < 0 ? -errno : 0;
}

/* A run of `p` (type) on pkt; returns retval, or ~0u when load or run fail. */
static uint32_t run1(int type, const struct bpf_insn *p, uint32_t n, const uint8_t *pkt, uint32_t len)
{
	int fd = load(type, p, n);
	uint32_t ret = ~0u;
	if (fd >= 0 && test_run(fd, pkt, len, NULL, NULL, &ret) < 0)
		ret = ~0u;
	if (fd >= 0)
		bpfvm_close(vm, fd);
	return ret;
}

/* An IPv4/UDP frame: dst mac 02:..:01, src 02:..:02, 10.0.0.1 -> 10.0.0.2,
 * ports 1000 -> 2000, payload bytes 0..n-1. */
static uint32_t udp_frame(uint8_t *f, uint32_t payload)
{
	static const uint8_t hdr[42] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0x00, 0, 0, 0x12, 0x34, 0x40, 0x00, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0, 0, 0, 0 };
	memcpy(f, hdr, sizeof(hdr));
	uint16_t tot = (uint16_t)(20 + 8 + payload), ul = (uint16_t)(8 + payload);
	f[16] = (uint8_t)(tot >> 8);
	f[17] = (uint8_t)tot;
	f[38] = (uint8_t)(ul >> 8);
	f[39] = (uint8_t)ul;
	for (uint32_t i = 0; i < payload; i++)
		f[42 + i] = (uint8_t)i;
	return 42 + payload;
}

/* ---- the table ---- */

static void test_table(void)
{
	static const char *const names[] = {
		[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter", [BPF_PROG_TYPE_KPROBE] = "kprobe",
		[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls", [BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
		[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint", [BPF_PROG_TYPE_XDP] = "xdp",
		[BPF_PROG_TYPE_PERF_EVENT] = "perf_event", [BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
		[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock", [BPF_PROG_TYPE_LWT_IN] = "lwt_in",
		[BPF_PROG_TYPE_LWT_OUT] = "lwt_out", [BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
		[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops", [BPF_PROG_TYPE_SK_SKB] = "sk_skb",
		[BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device", [BPF_PROG_TYPE_SK_MSG] = "sk_msg",
		[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint", [BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
		[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local", [BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
		[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport", [BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
	};
	CHECK_EQ(bpfvm_prog_types_count, BPF_PROG_TYPE_FLOW_DISSECTOR + 1);
	CHECK(bpfvm_prog_types_self_check());
	for (uint32_t t = 1; t <= BPF_PROG_TYPE_FLOW_DISSECTOR; t++) {
		const struct bpfvm_prog_type *pt = bpfvm_prog_type_get(t);
		CHECK(pt != NULL);
		if (!pt)
			continue;
		CHECK_STR(pt->name, names[t]);
		CHECK(pt->ctx_fields != NULL && pt->n_ctx_fields > 0);
		CHECK(pt->helpers != NULL);
		/* fields sorted and not overlapping */
		for (uint32_t i = 1; i < pt->n_ctx_fields; i++)
			CHECK(pt->ctx_fields[i].off >= pt->ctx_fields[i - 1].off + pt->ctx_fields[i - 1].size);
		/* every type may look up maps */
		CHECK(bpfvm_prog_type_has_helper(pt, BPF_FUNC_map_lookup_elem));
	}
	/* v5.1's test_run: skb types, XDP, flow dissector; not sk_skb. */
	static const uint32_t runnable[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS,
		BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_LWT_IN,
		BPF_PROG_TYPE_LWT_OUT, BPF_PROG_TYPE_LWT_XMIT, BPF_PROG_TYPE_LWT_SEG6LOCAL,
		BPF_PROG_TYPE_FLOW_DISSECTOR };
	uint32_t nrun = 0;
	for (uint32_t t = 1; t <= BPF_PROG_TYPE_FLOW_DISSECTOR; t++)
		nrun += bpfvm_prog_type_get(t)->test_run != NULL;
	CHECK_EQ(nrun, sizeof(runnable) / sizeof(runnable[0]));
	for (size_t i = 0; i < sizeof(runnable) / sizeof(runnable[0]); i++)
		CHECK(bpfvm_prog_type_get(runnable[i])->test_run != NULL);
	/* Return ranges (check_return_code of v5.1). */
	CHECK(bpfvm_prog_type_get(BPF_PROG_TYPE_CGROUP_SKB)->ret_checked);
	CHECK(bpfvm_prog_type_get(BPF_PROG_TYPE_SOCK_OPS)->ret_checked);
	CHECK(!bpfvm_prog_type_get(BPF_PROG_TYPE_XDP)->ret_checked);
	CHECK(!bpfvm_prog_type_get(BPF_PROG_TYPE_SCHED_CLS)->ret_checked);
	/* Helper sets: a few v5.1 facts. */
	const struct bpfvm_prog_type *sf = bpfvm_prog_type_get(BPF_PROG_TYPE_SOCKET_FILTER),
				     *tc = bpfvm_prog_type_get(BPF_PROG_TYPE_SCHED_CLS),
				     *xdp = bpfvm_prog_type_get(BPF_PROG_TYPE_XDP),
				     *cg = bpfvm_prog_type_get(BPF_PROG_TYPE_CGROUP_SKB),
				     *lx = bpfvm_prog_type_get(BPF_PROG_TYPE_LWT_XMIT);
	CHECK(bpfvm_prog_type_has_helper(sf, BPF_FUNC_skb_load_bytes));
	CHECK(!bpfvm_prog_type_has_helper(sf, BPF_FUNC_skb_store_bytes));
	CHECK(!bpfvm_prog_type_has_helper(sf, BPF_FUNC_perf_event_output));   /* 5.4 */
	CHECK(bpfvm_prog_type_has_helper(tc, BPF_FUNC_skb_adjust_room));
	CHECK(!bpfvm_prog_type_has_helper(tc, BPF_FUNC_skb_change_head));      /* tc got it later */
	CHECK(bpfvm_prog_type_has_helper(tc, BPF_FUNC_sk_lookup_tcp));
	CHECK(bpfvm_prog_type_has_helper(xdp, BPF_FUNC_xdp_adjust_tail));
	CHECK(!bpfvm_prog_type_has_helper(xdp, BPF_FUNC_skb_load_bytes));
	CHECK(bpfvm_prog_type_has_helper(cg, BPF_FUNC_skb_ecn_set_ce));
	CHECK(bpfvm_prog_type_has_helper(lx, BPF_FUNC_skb_change_head));
	CHECK(bpfvm_prog_type_has_helper(lx, BPF_FUNC_lwt_push_encap));
	CHECK(!bpfvm_prog_type_has_helper(bpfvm_prog_type_get(BPF_PROG_TYPE_KPROBE), BPF_FUNC_spin_lock));
}

/* ---- access rules ---- */

#define SKB(f) offsetof(struct __sk_buff, f)

static int acc(uint32_t type, uint32_t attach, uint32_t off, uint32_t size, int write)
{
	return bpfvm_ctx_access(bpfvm_prog_type_get(type), attach, off, size, write, NULL, NULL);
}

static void test_access_rules(void)
{
	const uint32_t SF = BPF_PROG_TYPE_SOCKET_FILTER, TC = BPF_PROG_TYPE_SCHED_CLS, CG = BPF_PROG_TYPE_CGROUP_SKB,
		       LWT = BPF_PROG_TYPE_LWT_IN, SK = BPF_PROG_TYPE_SK_SKB, FD = BPF_PROG_TYPE_FLOW_DISSECTOR,
		       XDP = BPF_PROG_TYPE_XDP;
	/* narrow reads of u32 fields, at any aligned offset inside */
	CHECK_EQ(acc(SF, 0, SKB(len), 4, 0), 0);
	CHECK_EQ(acc(SF, 0, SKB(len) + 3, 1, 0), 0);
	CHECK_EQ(acc(SF, 0, SKB(len) + 2, 2, 0), 0);
	CHECK_EQ(acc(SF, 0, SKB(len) + 1, 2, 0), -EACCES);
	CHECK_EQ(acc(SF, 0, SKB(len), 8, 0), -EACCES);
	/* writes */
	CHECK_EQ(acc(SF, 0, SKB(mark), 4, 1), -EACCES);
	CHECK_EQ(acc(TC, 0, SKB(mark), 4, 1), 0);
	CHECK_EQ(acc(TC, 0, SKB(mark), 2, 1), -EACCES);
	CHECK_EQ(acc(SK, 0, SKB(mark), 4, 0), -EACCES);      /* sk_skb: no mark at all */
	CHECK_EQ(acc(TC, 0, SKB(queue_mapping), 4, 1), -EACCES);   /* writable only since 5.17 */
	CHECK_EQ(acc(TC, 0, SKB(tc_classid), 4, 1), 0);
	CHECK_EQ(acc(LWT, 0, SKB(tc_classid), 4, 0), -EACCES);
	/* cb: any size, naturally aligned, inside cb */
	CHECK_EQ(acc(SF, 0, SKB(cb), 8, 1), 0);
	CHECK_EQ(acc(SF, 0, SKB(cb[1]), 8, 1), -EACCES);
	CHECK_EQ(acc(SF, 0, SKB(cb[4]), 8, 0), -EACCES);
	CHECK_EQ(acc(SF, 0, SKB(cb[4]) + 3, 1, 1), 0);
	CHECK_EQ(acc(SK, 0, SKB(cb), 4, 1), -EACCES);
	/* packet pointers */
	enum bpfvm_ctx_reg reg = CTX_REG_SCALAR;
	CHECK_EQ(acc(SF, 0, SKB(data), 4, 0), -EACCES);
	CHECK_EQ(bpfvm_ctx_access(bpfvm_prog_type_get(TC), 0, SKB(data), 4, 0, &reg, NULL), 0);
	CHECK_EQ(reg, CTX_REG_PKT);
	CHECK_EQ(acc(TC, 0, SKB(data), 2, 0), -EACCES);
	CHECK_EQ(acc(TC, 0, SKB(data_meta), 4, 0), 0);
	CHECK_EQ(acc(CG, 0, SKB(data_meta), 4, 0), -EACCES);
	CHECK_EQ(acc(CG, 0, SKB(data_end), 4, 0), 0);
	CHECK_EQ(bpfvm_ctx_access(bpfvm_prog_type_get(FD), 0, SKB(flow_keys), 8, 0, &reg, NULL), 0);
	CHECK_EQ(reg, CTX_REG_FLOW_KEYS);
	CHECK_EQ(acc(TC, 0, SKB(flow_keys), 8, 0), -EACCES);
	CHECK_EQ(bpfvm_ctx_access(bpfvm_prog_type_get(SF), 0, SKB(sk), 8, 0, &reg, NULL), 0);
	CHECK_EQ(reg, CTX_REG_SOCK_COMMON_OR_NULL);
	CHECK_EQ(acc(SF, 0, SKB(sk), 4, 0), -EACCES);
	/* socket fields: cgroup skb and sk_skb only */
	CHECK_EQ(acc(CG, 0, SKB(family), 4, 0), 0);
	CHECK_EQ(acc(TC, 0, SKB(family), 4, 0), -EACCES);
	CHECK_EQ(acc(SK, 0, SKB(remote_ip6[2]), 4, 0), 0);
	CHECK_EQ(acc(SK, 0, SKB(remote_ip6[2]), 2, 0), -EACCES);
	/* tstamp: 8 bytes, tc and cgroup skb */
	CHECK_EQ(acc(TC, 0, SKB(tstamp), 8, 1), 0);
	CHECK_EQ(acc(TC, 0, SKB(tstamp), 4, 0), -EACCES);
	CHECK_EQ(acc(CG, 0, SKB(tstamp), 8, 1), 0);
	CHECK_EQ(acc(SF, 0, SKB(tstamp), 8, 0), -EACCES);
	CHECK_EQ(acc(TC, 0, SKB(wire_len), 4, 0), 0);
	CHECK_EQ(acc(CG, 0, SKB(wire_len), 4, 0), -EACCES);
	CHECK_EQ(acc(SF, 0, SKB(gso_segs), 4, 0), 0);
	CHECK_EQ(acc(SF, 0, sizeof(struct __sk_buff), 4, 0), -EACCES);
	/* XDP: 4-byte reads only */
	CHECK_EQ(acc(XDP, 0, 0, 4, 0), 0);
	CHECK_EQ(acc(XDP, 0, 0, 8, 0), -EACCES);
	CHECK_EQ(acc(XDP, 0, 12, 2, 0), -EACCES);
	CHECK_EQ(acc(XDP, 0, 12, 4, 1), -EACCES);
	CHECK_EQ(acc(XDP, 0, 20, 4, 0), -EACCES);
	/* cgroup/sock: by attach type */
	const uint32_t CS = BPF_PROG_TYPE_CGROUP_SOCK;
	CHECK_EQ(acc(CS, BPF_CGROUP_INET_SOCK_CREATE, offsetof(struct bpf_sock, mark), 4, 1), 0);
	CHECK_EQ(acc(CS, BPF_CGROUP_INET4_POST_BIND, offsetof(struct bpf_sock, mark), 4, 0), -EACCES);
	CHECK_EQ(acc(CS, BPF_CGROUP_INET4_POST_BIND, offsetof(struct bpf_sock, src_ip4), 1, 0), 0);
	CHECK_EQ(acc(CS, BPF_CGROUP_INET6_POST_BIND, offsetof(struct bpf_sock, src_ip4), 4, 0), -EACCES);
	CHECK_EQ(acc(CS, BPF_CGROUP_INET_SOCK_CREATE, offsetof(struct bpf_sock, family), 1, 0), 0);
	CHECK_EQ(acc(CS, BPF_CGROUP_INET_SOCK_CREATE, offsetof(struct bpf_sock, family) + 1, 1, 0), -EACCES);
	const uint32_t SA = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
	CHECK_EQ(acc(SA, BPF_CGROUP_INET4_CONNECT, offsetof(struct bpf_sock_addr, user_ip4), 4, 1), 0);
	CHECK_EQ(acc(SA, BPF_CGROUP_INET6_CONNECT, offsetof(struct bpf_sock_addr, user_ip4), 4, 0), -EACCES);
	CHECK_EQ(acc(SA, BPF_CGROUP_UDP4_SENDMSG, offsetof(struct bpf_sock_addr, msg_src_ip4), 4, 1), 0);
	CHECK_EQ(acc(SA, BPF_CGROUP_INET4_BIND, offsetof(struct bpf_sock_addr, family), 4, 1), -EACCES);
	/* kprobe: any aligned read of pt_regs */
	CHECK_EQ(acc(BPF_PROG_TYPE_KPROBE, 0, 160, 8, 0), 0);
	CHECK_EQ(acc(BPF_PROG_TYPE_KPROBE, 0, 164, 8, 0), -EACCES);
	CHECK_EQ(acc(BPF_PROG_TYPE_KPROBE, 0, 0, 8, 1), -EACCES);
	CHECK_EQ(acc(BPF_PROG_TYPE_TRACEPOINT, 0, 0, 8, 0), -EACCES);
	CHECK_EQ(acc(BPF_PROG_TYPE_TRACEPOINT, 0, 8, 8, 0), 0);
	/* socket views */
	CHECK_EQ(bpfvm_ctx_fields_access(bpfvm_sock_fields, bpfvm_sock_fields_count, offsetof(struct bpf_sock, type),
					 4, 0, NULL, NULL), 0);
	CHECK_EQ(bpfvm_ctx_fields_access(bpfvm_sock_common_fields, bpfvm_sock_common_fields_count,
					 offsetof(struct bpf_sock, type), 4, 0, NULL, NULL), -EACCES);
	CHECK_EQ(bpfvm_ctx_fields_access(bpfvm_tcp_sock_fields, bpfvm_tcp_sock_fields_count,
					 offsetof(struct bpf_tcp_sock, bytes_acked), 8, 0, NULL, NULL), 0);
}

/* ---- rewrites: the checked path evaluates the same rewrite, so check the
 * values it produces against the model, for every readable field and size ---- */

static uint64_t ctxread(struct bpfvm_skb *skb, uint32_t off, uint32_t size, int *rc)
{
	uint64_t v = 0;
	*rc = bpfvm_ctx_checked_access(bpfvm_prog_type_get(skb->prog_type), 0, skb, off, size, 0, &v);
	return v;
}

static void test_rewrites(void)
{
	uint8_t f[128];
	uint32_t len = udp_frame(f, 20);
	struct bpfvm_skb skb;
	CHECK_EQ(bpfvm_skb_init(&skb, vm, f, len, BPF_PROG_TYPE_SCHED_CLS, 0), 0);
	int rc;
	CHECK_EQ(ctxread(&skb, SKB(len), 4, &rc), len);
	CHECK_EQ(ctxread(&skb, SKB(protocol), 4, &rc), 0x0008);
	CHECK_EQ(ctxread(&skb, SKB(protocol), 1, &rc), 0x08);
	CHECK_EQ(ctxread(&skb, SKB(protocol) + 1, 1, &rc), 0x00);
	CHECK_EQ(ctxread(&skb, SKB(protocol) + 2, 1, &rc), 0);
	/* v5.1 (and 6.x): a 2-byte read no smaller than the 2-byte field it
	 * maps to is not shifted: the upper half reads the field itself. */
	CHECK_EQ(ctxread(&skb, SKB(protocol) + 2, 2, &rc), 0x0008);
	CHECK_EQ(ctxread(&skb, SKB(ifindex), 4, &rc), 1);
	CHECK_EQ(ctxread(&skb, SKB(pkt_type), 4, &rc), BPFVM_PACKET_OTHERHOST);
	CHECK_EQ_U64(ctxread(&skb, SKB(data), 4, &rc), (uint64_t)(uintptr_t)skb.data);
	CHECK_EQ_U64(ctxread(&skb, SKB(data_end), 4, &rc), (uint64_t)(uintptr_t)(skb.data + len));
	CHECK_EQ_U64(ctxread(&skb, SKB(sk), 8, &rc), (uint64_t)(uintptr_t)&skb.sk->sk);
	skb.mark = 0x11223344;
	CHECK_EQ(ctxread(&skb, SKB(mark) + 1, 1, &rc), 0x33);
	CHECK_EQ(ctxread(&skb, SKB(mark) + 2, 2, &rc), 0x1122);
	/* stores */
	uint64_t v = 0xaabbccdd;
	const struct bpfvm_prog_type *tc = bpfvm_prog_type_get(BPF_PROG_TYPE_SCHED_CLS);
	CHECK_EQ(bpfvm_ctx_checked_access(tc, 0, &skb, SKB(tc_index), 4, 1, &v), 0);
	CHECK_EQ(skb.tc_index, 0xccdd);
	CHECK_EQ(bpfvm_ctx_checked_access(tc, 0, &skb, SKB(cb[2]) + 2, 2, 1, &v), 0);
	CHECK_EQ(skb.cb[2], 0xccdd0000u);
	v = 0x0102030405060708ull;
	CHECK_EQ(bpfvm_ctx_checked_access(tc, 0, &skb, SKB(cb[0]), 8, 1, &v), 0);
	CHECK_EQ(skb.cb[0], 0x05060708u);
	CHECK_EQ(skb.cb[1], 0x01020304u);
	CHECK_EQ(bpfvm_ctx_checked_access(tc, 0, &skb, SKB(len), 4, 1, &v), -EACCES);
	/* rewrites emit only what they may: dst/src registers, no ST */
	struct bpf_insn out[16], in = LDX(0x08, 3, 7, SKB(protocol) + 2);
	int n = tc->convert_ctx_access(&in, SKB(protocol) + 2, out, 16);
	CHECK(n >= 1);
	for (int i = 0; i < n; i++)
		CHECK(out[i].dst_reg == 3 || out[i].dst_reg == 7);
	struct bpf_insn st = ST(0, 1, SKB(mark), 1);
	CHECK_EQ(tc->convert_ctx_access(&st, SKB(mark), out, 16), -EINVAL);
	bpfvm_skb_fini(&skb);

	/* cgroup skb: socket fields from the (zeroed) test-run socket */
	CHECK_EQ(bpfvm_skb_init(&skb, vm, f, len, BPF_PROG_TYPE_CGROUP_SKB, 0), 0);
	skb.sk->sk.family = 2;
	skb.sk->sk.dst_port = 0x5000;   /* port 80, network order */
	skb.sk->sk.src_port = 8080;
	CHECK_EQ(ctxread(&skb, SKB(family), 4, &rc), 2);
	CHECK_EQ(ctxread(&skb, SKB(remote_port), 4, &rc), 0x50000000u);   /* skc_dport << 16, as v5.1 */
	CHECK_EQ(ctxread(&skb, SKB(local_port), 4, &rc), 8080);
	bpfvm_skb_fini(&skb);
}

/* ---- test runs ---- */

static void test_skb_runs(void)
{
	uint8_t f[128], out[256];
	uint32_t len = udp_frame(f, 20), olen, ret;
	/* r0 = skb->len; socket filters see the L3 packet, tc the frame */
	struct bpf_insn rlen[] = { LDX(0, 0, 1, SKB(len)), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, rlen, 2, f, len), len - 14);
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, rlen, 2, f, len), len);
	CHECK_EQ(run1(BPF_PROG_TYPE_LWT_IN, rlen, 2, f, len), len - 14);
	/* (cgroup skb programs must return 0 or 1) */
	struct bpf_insn rlen01[] = { LDX(0, 2, 1, SKB(len)), MOV64_IMM(0, 0), JMP_IMM(0x50, 2, (int32_t)len - 14, 1),
				     MOV64_IMM(0, 1), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_CGROUP_SKB, rlen01, 5, f, len), 1);
	/* protocol, pkt_type, ifindex */
	struct bpf_insn rproto[] = { LDX(0, 0, 1, SKB(protocol)), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, rproto, 2, f, len), 0x0008);
	struct bpf_insn rtype[] = { LDX(0, 0, 1, SKB(pkt_type)), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, rtype, 2, f, len), BPFVM_PACKET_OTHERHOST);
	uint8_t g[128];
	memcpy(g, f, len);
	memset(g, 0, 6);        /* to the loopback device's own address */
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, rtype, 2, g, len), BPFVM_PACKET_HOST);
	memset(g, 0xff, 6);     /* broadcast: the loopback device has no broadcast address */
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, rtype, 2, g, len), BPFVM_PACKET_MULTICAST);
	struct bpf_insn rif[] = { LDX(0, 0, 1, SKB(ifindex)), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, rif, 2, f, len), 1);
	/* data_out: an L3 type gets a zeroed Ethernet header back */
	struct bpf_insn pass[] = { MOV64_IMM(0, 1), EXIT() };
	int fd = load(BPF_PROG_TYPE_LWT_OUT, pass, 2);
	olen = sizeof(out);
	CHECK_EQ(test_run(fd, f, len, out, &olen, &ret), 0);
	CHECK_EQ(olen, len);
	CHECK(!memcmp(out + 14, f + 14, len - 14));
	static const uint8_t zero[14];
	CHECK(!memcmp(out, zero, 14));
	/* size limits of bpf_test_init: ETH_HLEN .. PAGE_SIZE - NET_SKB_PAD - shinfo */
	uint8_t big[4096] = { 0 };
	CHECK_EQ(test_run(fd, big, 13, NULL, NULL, &ret), -EINVAL);
	CHECK_EQ(test_run(fd, big, 4096 - 64 - 320, NULL, NULL, &ret), 0);
	CHECK_EQ(test_run(fd, big, 4096 - 64 - 320 + 1, NULL, NULL, &ret), -EINVAL);
	CHECK_EQ(test_run(fd, NULL, 64, NULL, NULL, &ret), -EFAULT);
	bpfvm_close(vm, fd);
	/* stores to the context show in what follows */
	struct bpf_insn wmark[] = { MOV64_IMM(2, 0x1234), STX(0, 1, 2, SKB(mark)), LDX(0, 0, 1, SKB(mark)), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, wmark, 4, f, len), 0x1234);
	/* a disallowed access stops a checked run with -EACCES */
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, wmark, 4, f, len), ~0u);
	/* LD_ABS: offsets from data; SKF_NET_OFF / SKF_LL_OFF bases */
	struct bpf_insn ldabs[] = { MOV64_REG(6, 1), I(0x28, 0, 0, 0, 12), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SCHED_CLS, ldabs, 3, f, len), 0x0800);
	struct bpf_insn ldnet[] = { MOV64_REG(6, 1), I(0x30, 0, 0, 0, -0x100000 + 9), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, ldnet, 3, f, len), 17);
	struct bpf_insn ldll[] = { MOV64_REG(6, 1), I(0x20, 0, 0, 0, -0x200000 + 6), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, ldll, 3, f, len), 0x02000000);
	struct bpf_insn ldbad[] = { MOV64_REG(6, 1), MOV64_IMM(0, 7), I(0x20, 0, 0, 0, 1000), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, ldbad, 4, f, len), 0);      /* out of range: r0 = 0, exit */
	struct bpf_insn ldneg[] = { MOV64_REG(6, 1), MOV64_IMM(0, 7), I(0x20, 0, 0, 0, -0x300000), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, ldneg, 4, f, len), 0);
	struct bpf_insn ldind[] = { MOV64_REG(6, 1), MOV64_IMM(7, -1), I(0x50, 0, 7, 0, 10), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_SOCKET_FILTER, ldind, 4, f, len), 17);     /* data[-1 + 10] */
	/* types without a test run */
	fd = load(BPF_PROG_TYPE_SK_SKB, pass, 2);
	CHECK_EQ(test_run(fd, f, len, NULL, NULL, &ret), -ENOTSUPP);
	bpfvm_close(vm, fd);
	fd = load(BPF_PROG_TYPE_KPROBE, pass, 2);
	CHECK_EQ(test_run(fd, f, len, NULL, NULL, &ret), -ENOTSUPP);
	bpfvm_close(vm, fd);
}

static void test_xdp_runs(void)
{
	uint8_t f[128];
	uint32_t len = udp_frame(f, 20);
	/* ingress_ifindex 1, rx queue 0, data_end - data == len */
	struct bpf_insn rif[] = { LDX(0, 0, 1, 12), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_XDP, rif, 2, f, len), 1);
	struct bpf_insn rq[] = { LDX(0, 0, 1, 16), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_XDP, rq, 2, f, len), 0);
	struct bpf_insn rlen[] = { LDX(0, 2, 1, 0), LDX(0, 0, 1, 4), ALU64_REG(0x10, 0, 2), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_XDP, rlen, 4, f, len), len);
	struct bpf_insn rmeta[] = { LDX(0, 2, 1, 0), LDX(0, 0, 1, 8), ALU64_REG(0x10, 0, 2), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_XDP, rmeta, 4, f, len), 0);
	/* v5.1's limits: ETH_HLEN .. PAGE_SIZE - XDP_PACKET_HEADROOM */
	struct bpf_insn pass[] = { MOV64_IMM(0, 2), EXIT() };
	int fd = load(BPF_PROG_TYPE_XDP, pass, 2);
	uint8_t big[4096] = { 0 };
	uint32_t ret;
	CHECK_EQ(test_run(fd, big, 13, NULL, NULL, &ret), -EINVAL);
	CHECK_EQ(test_run(fd, big, 3840, NULL, NULL, &ret), 0);
	CHECK_EQ(test_run(fd, big, 3841, NULL, NULL, &ret), -EINVAL);
	bpfvm_close(vm, fd);
	/* writing the context faults a checked run */
	struct bpf_insn wr[] = { MOV64_IMM(2, 1), STX(0, 1, 2, 16), MOV64_IMM(0, 2), EXIT() };
	CHECK_EQ(run1(BPF_PROG_TYPE_XDP, wr, 4, f, len), ~0u);
}

int main(void)
{
	vm = bpfvm_new();
	test_table();
	test_access_rules();
	test_rewrites();
	test_skb_runs();
	test_xdp_runs();
	bpfvm_net_clear(vm);
	bpfvm_free(vm);
	return test_done();
}
