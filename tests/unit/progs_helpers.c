/* The packet helpers, each with exact results and errnos (v5.1's), the
 * checksums checked against an independent computation; the host's network
 * model (devices, routes, neighbours, sockets); the run results (redirect
 * targets); the context in and out; the flow dissector's test run; and the
 * packet region of checked runs when a helper reallocates. */
#include "test.h"
#include "lib/insn.h"
#include "progs/progs.h"
#include "progs/skb.h"
#include "progs/model.h"
#include "sys/sys.h"
#include "core/kerrno.h"
#include "core/prog.h"
#include <errno.h>
#include <stddef.h>

#define SKB(f) offsetof(struct __sk_buff, f)
#define TC BPF_PROG_TYPE_SCHED_CLS
#define XDP BPF_PROG_TYPE_XDP

static struct bpfvm *vm;
static uint8_t out[8192];
static uint32_t out_len;

/* Loads, test-runs once; the retval, or 0xdead0000 | errno on failure;
 * out / out_len hold data_out. */
static uint32_t run(int type, const struct bpf_insn *p, uint32_t n, const uint8_t *pkt, uint32_t len)
{
	union bpf_attr a = { 0 };
	char log[4096] = "";
	a.prog_type = (uint32_t)type;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int fd = bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0) {
		fprintf(stderr, "load failed (%d): %s\n", errno, log);
		return 0xdead0000u | (uint32_t)errno;
	}
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.data_size_out = sizeof(out);
	int rc = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a));
	int err = errno;
	bpfvm_close(vm, fd);
	out_len = a.test.data_size_out;
	/* ENOSPC: a packet grown past `out`; the run's results are still there */
	return rc < 0 && err != ENOSPC ? 0xdead0000u | (uint32_t)err : a.test.retval;
}
#define P(...) ((const struct bpf_insn[]){ __VA_ARGS__ }), \
	(uint32_t)(sizeof((const struct bpf_insn[]){ __VA_ARGS__ }) / sizeof(struct bpf_insn))
#define NEG(e) ((uint32_t)-(e))
#define CALL5(func, a2, a3, a4, a5) MOV64_REG(6, 1), MOV64_IMM(2, a2), MOV64_IMM(3, a3), MOV64_IMM(4, a4), \
	MOV64_IMM(5, a5), CALL(func)

/* ---- independent checksums ---- */

static uint16_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static int ip_csum_ok(const uint8_t *ip)
{
	return sum16(ip, 20, 0) == 0xffff;
}

static uint16_t udp_csum(const uint8_t *ip)
{
	uint32_t ulen = (uint32_t)ip[24] << 8 | ip[25];
	uint32_t s = sum16(ip + 12, 8, 0) + 17 + ulen;
	uint8_t tmp[2048];
	memcpy(tmp, ip + 20, ulen);
	tmp[6] = tmp[7] = 0;
	uint16_t c = (uint16_t)~sum16(tmp, ulen, s);
	return c ? c : 0xffff;
}

static uint32_t udp4(uint8_t *f, uint32_t payload, uint8_t tos)
{
	static const uint8_t hdr[42] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0x00, 0, 0, 0x12, 0x34, 0x40, 0x00, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0, 0, 0, 0 };
	memcpy(f, hdr, sizeof(hdr));
	f[15] = tos;
	f[16] = (uint8_t)((28 + payload) >> 8);
	f[17] = (uint8_t)(28 + payload);
	f[38] = (uint8_t)((8 + payload) >> 8);
	f[39] = (uint8_t)(8 + payload);
	for (uint32_t i = 0; i < payload; i++)
		f[42 + i] = (uint8_t)(i * 13 + 1);
	uint16_t c = (uint16_t)~sum16(f + 14, 20, 0);
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	c = udp_csum(f + 14);
	f[40] = (uint8_t)(c >> 8);
	f[41] = (uint8_t)c;
	return 42 + payload;
}

/* ---- checksums ---- */

static void test_csum(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 40, 0);
	CHECK(ip_csum_ok(f + 14));
	/* new source address: l3 (4 bytes) and l4 with the pseudo header */
	uint32_t r = run(TC, P(MOV64_REG(6, 1), MOV64_IMM(2, 26), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
			       MOV64_IMM(4, 4), CALL(BPF_FUNC_skb_load_bytes), LDX(0, 7, 10, -8),
			       ST(0, 10, -16, 0x6401a8c0), MOV64_REG(1, 6), MOV64_IMM(2, 26), MOV64_REG(3, 10),
			       ALU64_IMM(0x00, 3, -16), MOV64_IMM(4, 4), MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_store_bytes),
			       MOV64_REG(1, 6), MOV64_IMM(2, 24), MOV64_REG(3, 7), MOV64_IMM(4, 0x6401a8c0), MOV64_IMM(5, 4),
			       CALL(BPF_FUNC_l3_csum_replace), MOV64_REG(8, 0), MOV64_REG(1, 6), MOV64_IMM(2, 40),
			       MOV64_REG(3, 7), MOV64_IMM(4, 0x6401a8c0), MOV64_IMM(5, 0x10 | 4),
			       CALL(BPF_FUNC_l4_csum_replace), ALU64_REG(0x40, 0, 8), EXIT()), f, len);
	CHECK_EQ(r, 0);
	CHECK_EQ(out_len, len);
	CHECK(!memcmp(out + 26, "\xc0\xa8\x01\x64", 4));
	CHECK(ip_csum_ok(out + 14));
	CHECK_EQ(((uint16_t)out[40] << 8 | out[41]), udp_csum(out + 14));
	/* TTL through csum_diff and a by-diff replace (flags 0) */
	r = run(TC, P(MOV64_REG(6, 1), MOV64_IMM(2, 22), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 4),
		      CALL(BPF_FUNC_skb_load_bytes), LDX(0, 7, 10, -8), STX(0, 10, 7, -16), ST(0x10, 10, -16, 9),
		      MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 4), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -16),
		      MOV64_IMM(4, 4), MOV64_IMM(5, 0), CALL(BPF_FUNC_csum_diff), MOV64_REG(8, 0), MOV64_REG(1, 6),
		      MOV64_IMM(2, 22), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -16), MOV64_IMM(4, 4), MOV64_IMM(5, 0),
		      CALL(BPF_FUNC_skb_store_bytes), MOV64_REG(1, 6), MOV64_IMM(2, 24), MOV64_IMM(3, 0), MOV64_REG(4, 8),
		      MOV64_IMM(5, 0), CALL(BPF_FUNC_l3_csum_replace), EXIT()), f, len);
	CHECK_EQ(r, 0);
	CHECK_EQ(out[22], 9);
	CHECK(ip_csum_ok(out + 14));
	/* csum_diff: v5.1 returns csum_partial's 32-bit sum: ~from + to + seed */
	r = run(TC, P(ST(0, 10, -8, 0x11111111), ST(0, 10, -4, 0x22222222), MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8),
		      MOV64_IMM(2, 4), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -4), MOV64_IMM(4, 4), MOV64_IMM(5, 5),
		      CALL(BPF_FUNC_csum_diff), EXIT()), f, len);
	uint64_t s = (uint64_t)(uint32_t)~0x11111111u + 0x22222222u + 5;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	CHECK_EQ(r, s);
	r = run(TC, P(MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), ST(0x18, 10, -8, 0), MOV64_IMM(2, 6), MOV64_IMM(3, 0),
		      MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(BPF_FUNC_csum_diff), EXIT()), f, len);
	CHECK_EQ(r, NEG(EINVAL));
	/* errors */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l3_csum_replace, 25, 0, 0, 2), EXIT()), f, len), NEG(EFAULT));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l3_csum_replace, (int32_t)len - 1, 0, 0, 2), EXIT()), f, len), NEG(EFAULT));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l3_csum_replace, 24, 0, 0, 3), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l3_csum_replace, 24, 1, 0, 0), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l4_csum_replace, 40, 0, 0, 0x80 | 2), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_csum_update, 1, 0, 0, 0), EXIT()), f, len), NEG(ENOTSUPP));
	/* mangled 0: a zero UDP checksum stays zero; a result of 0 becomes 0xffff */
	f[40] = f[41] = 0;
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l4_csum_replace, 40, 0x1234, 0x5678, 0x20 | 2), EXIT()), f, len), 0);
	CHECK_EQ(out[40] | out[41], 0);
	f[40] = 0x12;
	f[41] = 0x34;
	/* ~(~0x1234 - 0x1234 + 0) ... choose from/to so the sum becomes 0 */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_l4_csum_replace, 40, 0, 0x3412, 0x20), EXIT()), f, len), 0);
	CHECK_EQ(out[40], 0xff);
	CHECK_EQ(out[41], 0xff);
}

/* ---- bytes, sizes, protocol ---- */

static void test_bytes(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 40, 0);
	/* load: offset + len inside; the buffer is zeroed on failure */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), ST(0, 10, -8, -1), MOV64_IMM(2, (int32_t)len - 3), MOV64_REG(3, 10),
			   ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 4), CALL(BPF_FUNC_skb_load_bytes), EXIT()), f, len), NEG(EFAULT));
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), ST(0, 10, -8, -1), MOV64_IMM(2, (int32_t)len - 3), MOV64_REG(3, 10),
			   ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 4), CALL(BPF_FUNC_skb_load_bytes), LDX(0, 0, 10, -8),
			   EXIT()), f, len), 0);        /* the buffer zeroed */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), MOV64_IMM(2, 12), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
			   MOV64_IMM(4, 2), CALL(BPF_FUNC_skb_load_bytes), LDX(0x08, 0, 10, -8), EXIT()), f, len), 0x0008);
	/* relative to the network header from a socket filter (data is there too) */
	CHECK_EQ(run(BPF_PROG_TYPE_SOCKET_FILTER,
		     P(MOV64_REG(6, 1), MOV64_IMM(2, 9), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 1),
		       MOV64_IMM(5, BPF_HDR_START_NET), CALL(BPF_FUNC_skb_load_bytes_relative), LDX(0x10, 0, 10, -8),
		       EXIT()), f, len), 17);
	CHECK_EQ(run(BPF_PROG_TYPE_SOCKET_FILTER,
		     P(MOV64_REG(6, 1), MOV64_IMM(2, 12), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 2),
		       MOV64_IMM(5, BPF_HDR_START_MAC), CALL(BPF_FUNC_skb_load_bytes_relative), LDX(0x08, 0, 10, -8),
		       EXIT()), f, len), 0x0008);
	/* store: flags, range */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), ST(0, 10, -8, 0x04030201), MOV64_IMM(2, 50), MOV64_REG(3, 10),
			   ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 4), MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_store_bytes), EXIT()),
		     f, len), 0);
	CHECK(!memcmp(out + 50, "\x01\x02\x03\x04", 4));
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), ST(0, 10, -8, 1), MOV64_IMM(2, (int32_t)len - 3), MOV64_REG(3, 10),
			   ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 4), MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_store_bytes), EXIT()),
		     f, len), NEG(EFAULT));
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), ST(0, 10, -8, 1), MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
			   MOV64_IMM(4, 4), MOV64_IMM(5, 4), CALL(BPF_FUNC_skb_store_bytes), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_pull_data, (int32_t)len + 1, 0, 0, 0), EXIT()), f, len), NEG(ENOMEM));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_pull_data, 0, 0, 0, 0), EXIT()), f, len), 0);
	/* change_tail: zeroed growth; min is the network offset for tc */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_tail, (int32_t)len + 30, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, len + 30);
	static const uint8_t zero[64];
	CHECK(!memcmp(out + len, zero, 30) && !memcmp(out, f, len));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_tail, 13, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_tail, 14, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, 14);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_tail, 65550, 0, 0, 0), EXIT()), f, len), 0);   /* mtu 65536 + 14 */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_tail, 65551, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	/* change_head from lwt_xmit: zeroed bytes in front */
	CHECK_EQ(run(BPF_PROG_TYPE_LWT_XMIT, P(CALL5(BPF_FUNC_skb_change_head, 100, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, len + 100);
	CHECK(!memcmp(out + 114, f + 14, len - 14));
	/* up to the device's limit (lo: mtu 65536 + 14), reallocating */
	/* (an lwt skb starts at the network header: len - 14 bytes) */
	CHECK_EQ(run(BPF_PROG_TYPE_LWT_XMIT, P(CALL5(BPF_FUNC_skb_change_head, 65550 - (int32_t)(len - 14), 0, 0, 0),
					       EXIT()), f, len), 0);
	CHECK_EQ(out_len, 65550 + 14);          /* and the zeroed Ethernet header of the copy out */
	/* the packet may not then be cut into its (moved) network header */
	CHECK_EQ(run(BPF_PROG_TYPE_LWT_XMIT, P(CALL5(BPF_FUNC_skb_change_head, 1000, 0, 0, 0), MOV64_REG(1, 6),
					       MOV64_IMM(2, 999), MOV64_IMM(3, 0), CALL(BPF_FUNC_skb_change_tail), EXIT()),
		     f, len), NEG(EINVAL));
	CHECK(!memcmp(out, zero, 64));
	CHECK_EQ(run(BPF_PROG_TYPE_LWT_XMIT, P(CALL5(BPF_FUNC_skb_change_head, 65551 - (int32_t)(len - 14), 0, 0, 0),
					       EXIT()),
		     f, len), NEG(EINVAL));
	/* adjust_room: room after the IPv4 header */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, 8, BPF_ADJ_ROOM_NET, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, len + 8);
	CHECK(!memcmp(out, f, 34) && !memcmp(out + 34, zero, 8) && !memcmp(out + 42, f + 34, len - 34));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, -8, BPF_ADJ_ROOM_NET, 0, 0), EXIT()), f, len), 0);
	CHECK(!memcmp(out, f, 34) && !memcmp(out + 34, f + 42, len - 42));
	/* the L3 packet may shrink to its base header, not below */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, -(int32_t)(len - 34), 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, 34);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, -(int32_t)(len - 33), 0, 0, 0), EXIT()), f, len), NEG(ENOTSUPP));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, 0x1000, 0, 0, 0), EXIT()), f, len), NEG(EFAULT));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, 8, 1, 0, 0), EXIT()), f, len), NEG(ENOTSUPP));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_adjust_room, 8, 0, 1, 0), EXIT()), f, len), NEG(EINVAL));
	/* change_proto: 20 zero bytes after the MAC header */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_proto, 0xdd86, 0, 0, 0), LDX(0, 0, 6, SKB(protocol)), EXIT()),
		     f, len), 0xdd86);
	CHECK(!memcmp(out, f, 14) && !memcmp(out + 14, zero, 20) && !memcmp(out + 34, f + 14, len - 14));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_proto, 0x0081, 0, 0, 0), EXIT()), f, len), NEG(ENOTSUPP));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_type, 0, 0, 0, 0), LDX(0, 0, 6, SKB(pkt_type)), EXIT()), f, len), 0);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_change_type, 4, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
}

static void test_vlan_hash_ecn(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 40, 0);
	/* one push: the skb's tag, the packet unchanged */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_vlan_push, 0x0081, 5, 0, 0), LDX(0, 0, 6, SKB(vlan_tci)),
			   LDX(0, 1, 6, SKB(vlan_present)), ALU64_IMM(0x60, 1, 16), ALU64_REG(0x40, 0, 1), EXIT()), f, len),
		 0x10005);
	CHECK(out_len == len && !memcmp(out, f, len));
	/* two: the first goes into the packet */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_vlan_push, 0x0081, 5, 0, 0), MOV64_REG(1, 6), MOV64_IMM(2, 0x0081),
			   MOV64_IMM(3, 6), CALL(BPF_FUNC_skb_vlan_push), EXIT()), f, len), 0);
	CHECK_EQ(out_len, len + 4);
	CHECK(!memcmp(out, f, 12) && !memcmp(out + 12, "\x81\x00\x00\x05\x08\x00", 6));
	/* pop of a tagged frame */
	uint8_t v[256];
	memcpy(v, out, out_len);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0), LDX(0, 0, 6, SKB(protocol)), EXIT()), v, len + 4),
		 0x0008);
	CHECK(out_len == len && !memcmp(out, f, len));
	/* hash: computed once, then what set_hash says */
	uint32_t h1 = run(TC, P(CALL(BPF_FUNC_get_hash_recalc), EXIT()), f, len);
	uint32_t h2 = run(TC, P(CALL(BPF_FUNC_get_hash_recalc), EXIT()), f, len);
	CHECK(h1 != 0 && h1 == h2);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_set_hash, 99, 0, 0, 0), MOV64_REG(1, 6), CALL(BPF_FUNC_get_hash_recalc), EXIT()),
		     f, len), 99);
	/* ECN: ECT(0) becomes CE with a correct header checksum */
	len = udp4(f, 40, 0x02);
	CHECK_EQ(run(BPF_PROG_TYPE_CGROUP_SKB, P(CALL(BPF_FUNC_skb_ecn_set_ce), ALU64_IMM(0x50, 0, 1), EXIT()), f, len), 1);
	CHECK_EQ(out[15], 0x03);
	CHECK(ip_csum_ok(out + 14));
	len = udp4(f, 40, 0x00);
	CHECK_EQ(run(BPF_PROG_TYPE_CGROUP_SKB, P(CALL(BPF_FUNC_skb_ecn_set_ce), ALU64_IMM(0x50, 0, 1), EXIT()), f, len), 0);
	/* socket facts of the test run's zeroed socket */
	CHECK_EQ(run(TC, P(CALL(BPF_FUNC_get_socket_uid), EXIT()), f, len), 0);
	CHECK(run(TC, P(CALL(BPF_FUNC_get_socket_cookie), EXIT()), f, len) != 0);
	CHECK_EQ(run(TC, P(CALL(BPF_FUNC_skb_cgroup_id), EXIT()), f, len), 1);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_skb_ancestor_cgroup_id, 1, 0, 0, 0), EXIT()), f, len), 0);
}

/* ---- XDP ---- */

static void test_xdp(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 40, 0);
	/* v5.1: 256 bytes of headroom less a 32-byte xdp_frame */
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_head, -224, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, len + 224);
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_head, -225, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_head, (int32_t)len - 14, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, 14);
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_head, (int32_t)len - 13, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_meta, -32, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_meta, -36, 0, 0, 0), EXIT()), f, len), NEG(EACCES));
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_meta, -2, 0, 0, 0), EXIT()), f, len), NEG(EACCES));
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_meta, 4, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	/* metadata and headroom share the 224 bytes */
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_meta, -32, 0, 0, 0), MOV64_REG(1, 6), MOV64_IMM(2, -193),
			    CALL(BPF_FUNC_xdp_adjust_head), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_tail, 0, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_tail, -10, 0, 0, 0), EXIT()), f, len), 0);
	CHECK_EQ(out_len, len - 10);
	CHECK_EQ(run(XDP, P(CALL5(BPF_FUNC_xdp_adjust_tail, -(int32_t)(len - 13), 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	/* redirect: the target in the run's result */
	struct bpfvm_pkt_result res;
	CHECK_EQ(run(XDP, P(MOV64_IMM(1, 3), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect), EXIT()), f, len), XDP_REDIRECT);
	CHECK_EQ(bpfvm_net_last_result(vm, &res), 0);
	CHECK_EQ(res.redirect_ifindex, 3);
	CHECK_EQ(res.prog_type, XDP);
	CHECK_EQ(run(XDP, P(MOV64_IMM(1, 3), MOV64_IMM(2, 1), CALL(BPF_FUNC_redirect), EXIT()), f, len), XDP_ABORTED);
	CHECK_EQ(run(TC, P(MOV64_IMM(1, 7), MOV64_IMM(2, BPF_F_INGRESS), CALL(BPF_FUNC_redirect), EXIT()), f, len), 7);
	CHECK_EQ(bpfvm_net_last_result(vm, &res), 0);
	CHECK_EQ(res.redirect_ifindex, 7);
	CHECK_EQ(res.redirect_flags, BPF_F_INGRESS);
	CHECK_EQ(run(TC, P(MOV64_IMM(1, 7), MOV64_IMM(2, 2), CALL(BPF_FUNC_redirect), EXIT()), f, len), 2);
	CHECK_EQ(bpfvm_net_last_result(NULL, &res), -EINVAL);
}

/* ---- the network model ---- */

#define FIB_DST(p) ST(0, 10, -64 + 32, p)
static uint32_t fib(int type, uint8_t family, uint32_t ifindex, uint32_t dst, uint32_t tot_len, uint32_t flags,
		    uint8_t *params_out, const uint8_t *pkt, uint32_t len)
{
	/* params on the stack at fp-64; copied into the packet's start after
	 * the call (so data_out shows them) by skb_store_bytes / packet writes */
	uint32_t r;
	if (type == XDP)
		r = run(XDP, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -64), STX(0x18, 10, 0, -56),
			       STX(0x18, 10, 0, -48), STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
			       STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), ST(0x10, 10, -64, family),
			       ST(0x08, 10, -58, (int32_t)tot_len), ST(0, 10, -56, (int32_t)ifindex), FIB_DST((int32_t)dst),
			       MOV64_REG(1, 6), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -64), MOV64_IMM(3, 64),
			       MOV64_IMM(4, (int32_t)flags), CALL(BPF_FUNC_fib_lookup), MOV64_REG(7, 0),
			       LDX(0, 2, 6, 0), LDX(0, 3, 6, 4), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, 64),
			       JMP_REG(0x20, 4, 3, 16),
			       LDX(0x18, 1, 10, -64), STX(0x18, 2, 1, 0), LDX(0x18, 1, 10, -56), STX(0x18, 2, 1, 8),
			       LDX(0x18, 1, 10, -48), STX(0x18, 2, 1, 16), LDX(0x18, 1, 10, -40), STX(0x18, 2, 1, 24),
			       LDX(0x18, 1, 10, -32), STX(0x18, 2, 1, 32), LDX(0x18, 1, 10, -24), STX(0x18, 2, 1, 40),
			       LDX(0x18, 1, 10, -16), STX(0x18, 2, 1, 48), LDX(0x18, 1, 10, -8), STX(0x18, 2, 1, 56),
			       MOV64_REG(0, 7), EXIT()), pkt, len);
	else
		r = run(TC, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -64), STX(0x18, 10, 0, -56),
			      STX(0x18, 10, 0, -48), STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
			      STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), ST(0x10, 10, -64, family),
			      ST(0x08, 10, -58, (int32_t)tot_len), ST(0, 10, -56, (int32_t)ifindex), FIB_DST((int32_t)dst),
			      MOV64_REG(1, 6), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -64), MOV64_IMM(3, 64),
			      MOV64_IMM(4, (int32_t)flags), CALL(BPF_FUNC_fib_lookup), MOV64_REG(7, 0),
			      MOV64_REG(1, 6), MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -64), MOV64_IMM(4, 64),
			      MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_store_bytes), MOV64_REG(0, 7), EXIT()), pkt, len);
	memcpy(params_out, out, 64);
	return r;
}

static void test_fib(void)
{
	uint8_t f[256], p[64];
	uint32_t len = udp4(f, 40, 0);
	struct bpfvm_net_dev d2 = { .ifindex = 2, .mtu = 1500, .mac = { 2, 0, 0, 0, 0, 2 }, .forwarding = 1 },
			     d3 = { .ifindex = 3, .mtu = 100, .mac = { 2, 0, 0, 0, 0, 3 }, .forwarding = 1 };
	CHECK_EQ(bpfvm_net_add_dev(vm, &d2), 0);
	CHECK_EQ(bpfvm_net_add_dev(vm, &d3), 0);
	CHECK_EQ(bpfvm_net_add_dev(vm, &d3), -EEXIST);
	CHECK_EQ(bpfvm_net_add_dev(vm, &(struct bpfvm_net_dev){ .ifindex = 1 }), -EEXIST);
	struct bpfvm_net_route r1 = { .family = 2, .prefix_len = 16, .type = BPFVM_RTN_UNICAST, .has_gateway = 1,
				      .dst = { 10, 1 }, .gateway = { 10, 3, 0, 1 }, .ifindex = 3, .metric = 7 };
	struct bpfvm_net_route r2 = { .family = 2, .prefix_len = 24, .type = BPFVM_RTN_UNREACHABLE, .dst = { 10, 1, 9 } };
	struct bpfvm_net_route r3 = { .family = 2, .prefix_len = 8, .type = BPFVM_RTN_UNICAST, .dst = { 11 },
				      .ifindex = 2, .metric = 1 };
	CHECK_EQ(bpfvm_net_add_route(vm, &r1), 0);
	CHECK_EQ(bpfvm_net_add_route(vm, &r2), 0);
	CHECK_EQ(bpfvm_net_add_route(vm, &r3), 0);
	struct bpfvm_net_neigh n1 = { .ifindex = 3, .family = 2, .mac = { 0xaa, 0, 0, 0, 0, 1 }, .addr = { 10, 3, 0, 1 } };
	CHECK_EQ(bpfvm_net_add_neigh(vm, &n1), 0);
	for (int type = 0; type < 2; type++) {
		int t = type ? TC : XDP;
		CHECK_EQ(fib(t, 2, 2, 0x0302010a, 0, 0, p, f, len), 0);        /* 10.1.2.3 */
		struct bpf_fib_lookup *fl = (struct bpf_fib_lookup *)p;
		CHECK_EQ(fl->ifindex, 3);
		CHECK_EQ(fl->rt_metric, 7);
		CHECK_EQ(fl->ipv4_dst, 0x0100030a);                     /* the gateway */
		CHECK(!memcmp(fl->dmac, n1.mac, 6) && !memcmp(fl->smac, d3.mac, 6));
		CHECK_EQ(fib(t, 2, 2, 0x0309010a, 0, 0, p, f, len), BPF_FIB_LKUP_RET_UNREACHABLE);
		CHECK_EQ(fib(t, 2, 2, 0x0302010b, 0, 0, p, f, len), BPF_FIB_LKUP_RET_NO_NEIGH);
		CHECK_EQ(fib(t, 2, 2, 0x0302010c, 0, 0, p, f, len), BPF_FIB_LKUP_RET_NOT_FWDED);
		CHECK_EQ(fib(t, 2, 1, 0x0302010a, 0, 0, p, f, len), BPF_FIB_LKUP_RET_FWD_DISABLED);
		CHECK_EQ(fib(t, 2, 99, 0x0302010a, 0, 0, p, f, len), NEG(ENODEV));
		CHECK_EQ(fib(t, 3, 2, 0x0302010a, 0, 0, p, f, len), NEG(EAFNOSUPPORT));
		CHECK_EQ(fib(t, 2, 2, 0x0302010a, 0, 4, p, f, len), NEG(EINVAL));
	}
	/* XDP checks tot_len against the route's device mtu (100) */
	CHECK_EQ(fib(XDP, 2, 2, 0x0302010a, 101, 0, p, f, len), BPF_FIB_LKUP_RET_FRAG_NEEDED);
	CHECK_EQ(fib(XDP, 2, 2, 0x0302010a, 100, 0, p, f, len), 0);
	/* an skb is checked against the output device: at most 100 + 14 + 4 bytes */
	CHECK_EQ(fib(TC, 2, 2, 0x0302010a, 0, 0, p, f, len), 0);
	uint8_t big[512];
	uint32_t blen = udp4(big, 200, 0);
	CHECK_EQ(fib(TC, 2, 2, 0x0302010a, 0, 0, p, big, blen), BPF_FIB_LKUP_RET_FRAG_NEEDED);
	/* clone_redirect needs the device */
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_clone_redirect, 3, 0, 0, 0), EXIT()), f, len), 0);
	struct bpfvm_pkt_result res;
	CHECK_EQ(bpfvm_net_last_result(vm, &res), 0);
	CHECK_EQ(res.clones, 1);
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_clone_redirect, 4, 0, 0, 0), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(CALL5(BPF_FUNC_clone_redirect, 3, 2, 0, 0), EXIT()), f, len), NEG(EINVAL));
}

static void test_sockets(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
	struct bpfvm_net_sock s = { .family = 2, .protocol = 6, .state = BPF_TCP_LISTEN, .uid = 1000,
				    .local_addr = { 10, 0, 0, 2 }, .local_port = 80 };
	CHECK_EQ(bpfvm_net_add_sock(vm, &s), 0);
	struct bpfvm_net_sock u = { .family = 2, .protocol = 17, .local_port = 53 };
	CHECK_EQ(bpfvm_net_add_sock(vm, &u), 0);
	s.protocol = 1;
	CHECK_EQ(bpfvm_net_add_sock(vm, &s), -EINVAL);
	/* tuple 10.0.0.1:1234 -> 10.0.0.2:dport; returns state << 16 | src_port, or 0 */
#define LOOKUP(func, dport) MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), \
	ST(0, 10, -16, 0x0100000a), ST(0, 10, -12, 0x0200000a), ST(0x08, 10, -8, 0xd204), \
	ST(0x08, 10, -6, (int32_t)((dport) >> 8 | ((dport) & 0xff) << 8)), MOV64_REG(1, 6), MOV64_REG(2, 10), \
	ALU64_IMM(0x00, 2, -16), MOV64_IMM(3, 12), MOV64_IMM(4, -1), MOV64_IMM(5, 0), CALL(func), \
	JMP_IMM(0x10, 0, 0, 7), MOV64_REG(1, 0), LDX(0, 7, 0, 72), ALU64_IMM(0x60, 7, 16), LDX(0, 8, 0, 44), \
	ALU64_REG(0x40, 7, 8), CALL(BPF_FUNC_sk_release), MOV64_REG(0, 7), EXIT()
	CHECK_EQ(run(TC, P(LOOKUP(BPF_FUNC_sk_lookup_tcp, 80)), f, len), BPF_TCP_LISTEN << 16 | 80);
	CHECK_EQ(run(XDP, P(LOOKUP(BPF_FUNC_sk_lookup_tcp, 80)), f, len), BPF_TCP_LISTEN << 16 | 80);
	CHECK_EQ(run(TC, P(LOOKUP(BPF_FUNC_sk_lookup_tcp, 81)), f, len), 0);
	CHECK_EQ(run(TC, P(LOOKUP(BPF_FUNC_sk_lookup_udp, 80)), f, len), 0);
	CHECK_EQ(run(TC, P(LOOKUP(BPF_FUNC_sk_lookup_udp, 53)), f, len), BPF_TCP_CLOSE << 16 | 53);
	/* tcp_sock of a looked-up TCP socket: snd_cwnd */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8),
			   ST(0, 10, -12, 0x0200000a), ST(0x08, 10, -6, 0x5000), MOV64_REG(1, 6), MOV64_REG(2, 10),
			   ALU64_IMM(0x00, 2, -16), MOV64_IMM(3, 12), MOV64_IMM(4, -1), MOV64_IMM(5, 0),
			   CALL(BPF_FUNC_sk_lookup_tcp), JMP_IMM(0x10, 0, 0, 9), MOV64_REG(7, 0), MOV64_REG(1, 0),
			   CALL(BPF_FUNC_tcp_sock), MOV64_IMM(8, 0), JMP_IMM(0x10, 0, 0, 1), LDX(0, 8, 0, 0),
			   MOV64_REG(1, 7), CALL(BPF_FUNC_sk_release), MOV64_REG(0, 8), EXIT()), f, len), 10);
}

static void test_tunnel(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
	/* set (v4, id 42, remote 10.0.0.9), then get: the id, and the remote
	 * address read back as v5.1 reads it (the metadata's source: 0) */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
			   STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), ST(0, 10, -32, 42), ST(0, 10, -28, 0x0a000009),
			   MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32), MOV64_IMM(3, 28), MOV64_IMM(4, 0),
			   CALL(BPF_FUNC_skb_set_tunnel_key), JMP_IMM(0x50, 0, 0, 11), MOV64_REG(1, 6), MOV64_REG(2, 10),
			   ALU64_IMM(0x00, 2, -64), MOV64_IMM(3, 28), MOV64_IMM(4, 0), CALL(BPF_FUNC_skb_get_tunnel_key),
			   LDX(0, 1, 10, -64), LDX(0, 2, 10, -60), ALU64_IMM(0x60, 0, 16), ALU64_REG(0x40, 0, 1),
			   ALU64_REG(0x40, 0, 2), EXIT()), f, len), 42);
	/* options only on our own key; whole words; at most 255 bytes */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), ST(0x18, 10, -8, 7), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -8),
			   MOV64_IMM(3, 8), CALL(BPF_FUNC_skb_set_tunnel_opt), EXIT()), f, len), NEG(EINVAL));
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
			   STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32),
			   MOV64_IMM(3, 28), MOV64_IMM(4, 0), CALL(BPF_FUNC_skb_set_tunnel_key), MOV64_REG(1, 6),
			   ST(0, 10, -40, 0x01020304), ST(0, 10, -36, 0x05060708), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -40),
			   MOV64_IMM(3, 8), CALL(BPF_FUNC_skb_set_tunnel_opt), JMP_IMM(0x50, 0, 0, 8), MOV64_REG(1, 6),
			   MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -64), MOV64_IMM(3, 16), CALL(BPF_FUNC_skb_get_tunnel_opt),
			   LDX(0, 1, 10, -60), ALU64_IMM(0x60, 0, 32), ALU64_REG(0x40, 0, 1), EXIT()), f, len),
		 0x05060708u);
	/* get with IPv6 on IPv4 metadata: -EPROTO; none at all: -EINVAL */
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
			   STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32),
			   MOV64_IMM(3, 28), MOV64_IMM(4, 0), CALL(BPF_FUNC_skb_set_tunnel_key), MOV64_REG(1, 6),
			   MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32), MOV64_IMM(3, 28), MOV64_IMM(4, BPF_F_TUNINFO_IPV6),
			   CALL(BPF_FUNC_skb_get_tunnel_key), EXIT()), f, len), NEG(EPROTO));
	CHECK_EQ(run(TC, P(MOV64_REG(6, 1), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32), MOV64_IMM(3, 28), MOV64_IMM(4, 0),
			   CALL(BPF_FUNC_skb_get_tunnel_key), EXIT()), f, len), NEG(EINVAL));
}

/* bpf_skb_get_xfrm_state reads the security path the host gave the vm's
 * test-run packets: spi of state `idx` (or the helper's error), and the
 * IPv4 remote address. */
static void test_xfrm(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
#define XFRM_PROG(idx, size) P(MOV64_IMM(2, idx), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -32), MOV64_IMM(4, size), \
	MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_get_xfrm_state), JMP_IMM(0x50, 0, 0, 4), LDX(0, 0, 10, -28), \
	LDX(0, 1, 10, -20), ALU64_REG(0xa0, 0, 1), EXIT(), EXIT())
	/* No security path: -EINVAL. */
	CHECK_EQ(run(TC, XFRM_PROG(0, 28), f, len), NEG(EINVAL));
	struct bpfvm_net_xfrm xs[2] = {
		{ .reqid = 7, .spi = 0x11223344, .family = 2, .saddr = { 10, 0, 0, 9 } },
		{ .reqid = 8, .spi = 0x55667788, .family = 10, .saddr = { 0x20, 0x01, 0x0d, 0xb8 } },
	};
	CHECK_EQ(bpfvm_net_set_xfrm(vm, xs, 2), 0);
	CHECK_EQ(run(TC, XFRM_PROG(0, 28), f, len), 0x11223344u ^ 0x0900000au);  /* spi ^ remote_ipv4 */
	CHECK_EQ(run(TC, XFRM_PROG(1, 28), f, len), 0x55667788u ^ 0xb80d0120u);
	CHECK_EQ(run(TC, XFRM_PROG(2, 28), f, len), NEG(EINVAL));              /* no such state */
	CHECK_EQ(run(TC, XFRM_PROG(0, 24), f, len), NEG(EINVAL));              /* wrong size */
	struct bpfvm_net_xfrm many[7] = { { 0 } };
	CHECK_EQ(bpfvm_net_set_xfrm(vm, many, 7), -E2BIG);
	CHECK_EQ(bpfvm_net_set_xfrm(vm, NULL, 0), 0);
	CHECK_EQ(run(TC, XFRM_PROG(0, 28), f, len), NEG(EINVAL));
#undef XFRM_PROG
}

/* ---- lwt ---- */

static void test_lwt(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
	/* IP encapsulation at ingress: an IPv4 header without checksum gets one */
	uint32_t r = run(BPF_PROG_TYPE_LWT_IN,
			 P(MOV64_REG(6, 1), ST(0, 10, -20, 0x00140045), ST(0, 10, -16, 0), ST(0, 10, -12, 0x00000440),
			   ST(0, 10, -8, 0x0101a8c0), ST(0, 10, -4, 0x0201a8c0), MOV64_IMM(2, BPF_LWT_ENCAP_IP),
			   MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -20), MOV64_IMM(4, 20), CALL(BPF_FUNC_lwt_push_encap),
			   LDX(0, 1, 6, SKB(protocol)), ALU64_IMM(0x60, 1, 16), ALU64_REG(0x40, 0, 1), EXIT()), f, len);
	CHECK_EQ(r, 0x0008u << 16);
	CHECK_EQ(out_len, len + 20);
	CHECK(ip_csum_ok(out + 14));
	CHECK(!memcmp(out + 34, f + 14, len - 14));
	r = run(BPF_PROG_TYPE_LWT_IN, P(MOV64_REG(6, 1), ST(0x18, 10, -8, 0x45), MOV64_IMM(2, BPF_LWT_ENCAP_IP),
					MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 8),
					CALL(BPF_FUNC_lwt_push_encap), EXIT()), f, len);
	CHECK_EQ(r, NEG(EINVAL));
	/* seg6 inline on an IPv6 packet: SRH with segments [B, A]; the
	 * destination becomes segments[first]; segments[0] the old one */
	uint8_t v6[200] = { 0 };
	memcpy(v6, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x86\xdd", 14);
	uint8_t *ip = v6 + 14;
	ip[0] = 0x60;
	ip[5] = 8;
	ip[6] = 17;
	ip[7] = 64;
	ip[8] = 0xfd;
	ip[23] = 1;
	ip[24] = 0xfd;
	ip[39] = 2;
	uint32_t v6len = 14 + 40 + 8;
	/* srh: nexthdr 0, hdrlen 4 (40 bytes), type 4, segments_left 1, first 1 */
	r = run(BPF_PROG_TYPE_LWT_IN,
		P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
		  STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), ST(0, 10, -40, 0x01040400), ST(0, 10, -36, 1),
		  ST(0x10, 10, -32, 0xfd), ST(0x10, 10, -17, 0xaa), ST(0x10, 10, -16, 0xfd), ST(0x10, 10, -1, 0xbb),
		  MOV64_IMM(2, BPF_LWT_ENCAP_SEG6_INLINE), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -40), MOV64_IMM(4, 40),
		  CALL(BPF_FUNC_lwt_push_encap), EXIT()), v6, v6len);
	CHECK_EQ(r, NEG(ENETUNREACH));          /* no route to the new destination */
	CHECK_EQ(out_len, v6len + 40);
	CHECK_EQ(out[14 + 6], 43);              /* nexthdr routing */
	CHECK_EQ(out[14 + 40], 17);             /* the SRH's nexthdr: the old one */
	CHECK_EQ(out[14 + 5], 48);              /* payload length 8 + 40 */
	CHECK_EQ(out[14 + 39], 0xbb);           /* daddr = segments[1] */
	CHECK_EQ(out[14 + 48 + 15], 2);         /* segments[0] = the old daddr */
	uint8_t s6[256];
	memcpy(s6, out, v6len + 40);
	uint32_t s6len = v6len + 40;
	struct bpfvm_net_route rt6 = { .family = 10, .prefix_len = 8, .type = BPFVM_RTN_UNICAST, .dst = { 0xfd },
				       .ifindex = 2 };
	CHECK_EQ(bpfvm_net_add_route(vm, &rt6), 0);
	r = run(BPF_PROG_TYPE_LWT_IN,
		P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
		  STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), ST(0, 10, -40, 0x01040400), ST(0, 10, -36, 1),
		  ST(0x10, 10, -32, 0xfd), ST(0x10, 10, -16, 0xfd), MOV64_IMM(2, BPF_LWT_ENCAP_SEG6),
		  MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -40), MOV64_IMM(4, 40), CALL(BPF_FUNC_lwt_push_encap), EXIT()),
		v6, v6len);
	CHECK_EQ(r, 0);
	CHECK_EQ(out_len, v6len + 80);
	CHECK_EQ(out[14 + 40], 41);             /* SRH then the inner IPv6 packet */
	CHECK(!memcmp(out + 14 + 80, v6 + 14, v6len - 14));
	/* a bad SRH */
	r = run(BPF_PROG_TYPE_LWT_IN, P(MOV64_REG(6, 1), ST(0x18, 10, -8, 0x01050400), MOV64_IMM(2, BPF_LWT_ENCAP_SEG6),
					MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 8),
					CALL(BPF_FUNC_lwt_push_encap), EXIT()), v6, v6len);
	CHECK_EQ(r, NEG(EINVAL));
	/* seg6local: the packet carries an SRH; store into its tag, grow its
	 * TLV area, then End.X */
	r = run(BPF_PROG_TYPE_LWT_SEG6LOCAL,
		P(MOV64_REG(6, 1), ST(0x08, 10, -8, 0x4242), MOV64_IMM(2, 40 + 6), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
		  MOV64_IMM(4, 2), CALL(BPF_FUNC_lwt_seg6_store_bytes), MOV64_REG(7, 0), MOV64_REG(1, 6),
		  MOV64_IMM(2, 40), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 2),
		  CALL(BPF_FUNC_lwt_seg6_store_bytes), ALU64_IMM(0x60, 7, 8), ALU64_IMM(0x50, 0, 0xff),
		  ALU64_REG(0x40, 0, 7), EXIT()), s6, s6len);
	CHECK_EQ(r, (0u << 8) | (NEG(EFAULT) & 0xff));
	CHECK_EQ(out[14 + 46], 0x42);
	r = run(BPF_PROG_TYPE_LWT_SEG6LOCAL,
		P(CALL5(BPF_FUNC_lwt_seg6_adjust_srh, 40 + 40, 8, 0, 0), MOV64_REG(7, 0), MOV64_REG(1, 6),
		  ST(0, 10, -16, 0x000000fd), ST(0, 10, -12, 0), ST(0, 10, -8, 0), ST(0, 10, -4, 0x01000000),
		  MOV64_IMM(2, 2), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -16), MOV64_IMM(4, 16),
		  CALL(BPF_FUNC_lwt_seg6_action), ALU64_IMM(0x60, 7, 16), ALU64_REG(0x40, 0, 7), EXIT()), s6, s6len);
	/* the SRH grew by 8 bytes of zero TLVs (valid: four empty TLVs);
	 * End.X to fd00::1, which has a route */
	CHECK_EQ(r, 0);
	CHECK_EQ(out_len, s6len + 8);
	CHECK_EQ(out[14 + 5], 48 + 8);
}

/* ---- context in and out (Linux 5.2+), flow dissector, regions ---- */

static int test_run_attr(int fd, union bpf_attr *a)
{
	struct bpfvm_file fl;
	int rc = bpfvm_fd_get(vm, fd, FILE_PROG, &fl);
	if (rc < 0)
		return rc;
	struct bpfvm_prog *prog = fl.obj;
	rc = bpfvm_prog_type_get(prog->type)->test_run(prog, a, a, sizeof(*a));
	bpfvm_obj_put(FILE_PROG, prog);
	return rc;
}

static int load(int type, const struct bpf_insn *p, uint32_t n)
{
	union bpf_attr a = { 0 };
	a.prog_type = (uint32_t)type;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	return bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
}

static void test_ctx_in_out(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
	/* r0 = mark + cb[0]; priority = 77; cb[4] = ifindex */
	int fd = load(TC, P(LDX(0, 0, 1, SKB(mark)), LDX(0, 2, 1, SKB(cb[0])), ALU64_REG(0x00, 0, 2),
			    ST(0, 10, -8, 0), MOV64_IMM(2, 77), STX(0, 1, 2, SKB(priority)), LDX(0, 2, 1, SKB(ifindex)),
			    STX(0, 1, 2, SKB(cb[4])), EXIT()));
	CHECK(fd >= 0);
	struct __sk_buff in = { 0 }, o;
	union bpf_attr a = { 0 };
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)f;
	a.test.data_size_in = len;
	a.test.ctx_in = (uint64_t)(uintptr_t)&in;
	a.test.ctx_size_in = sizeof(in);
	a.test.ctx_out = (uint64_t)(uintptr_t)&o;
	a.test.ctx_size_out = sizeof(o);
	in.mark = 5;
	in.cb[0] = 10;
	memset(&o, 0xee, sizeof(o));
	CHECK_EQ(test_run_attr(fd, &a), 0);
	CHECK_EQ(a.test.retval, 15);
	CHECK_EQ(a.test.ctx_size_out, sizeof(o));
	CHECK_EQ(o.mark, 5);
	CHECK_EQ(o.priority, 77);
	CHECK_EQ(o.cb[0], 10);
	CHECK_EQ(o.cb[4], 1);
	CHECK_EQ(o.ifindex, 1);
	CHECK_EQ(o.wire_len, len);              /* given a context, wire_len defaults to the length */
	CHECK_EQ(o.len, 0);
	/* only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs */
	in.len = 1;
	CHECK_EQ(test_run_attr(fd, &a), -EINVAL);
	in.len = 0;
	in.wire_len = len - 1;
	CHECK_EQ(test_run_attr(fd, &a), -EINVAL);
	in.wire_len = 0;
	in.gso_segs = 70000;
	CHECK_EQ(test_run_attr(fd, &a), -EINVAL);
	in.gso_segs = 0;
	in.ifindex = 77;
	CHECK_EQ(test_run_attr(fd, &a), -ENODEV);
	in.ifindex = 2;                         /* registered in test_fib */
	CHECK_EQ(test_run_attr(fd, &a), 0);
	CHECK_EQ(o.ifindex, 2);
	CHECK_EQ(o.cb[4], 2);
	in.ifindex = 0;
	/* a larger context: zero beyond v5.1's struct is fine, else -E2BIG */
	uint8_t big[256] = { 0 };
	memcpy(big, &in, sizeof(in));
	a.test.ctx_in = (uint64_t)(uintptr_t)big;
	a.test.ctx_size_in = sizeof(big);
	CHECK_EQ(test_run_attr(fd, &a), 0);
	big[200] = 1;
	CHECK_EQ(test_run_attr(fd, &a), -E2BIG);
	a.test.ctx_in = (uint64_t)(uintptr_t)&in;
	a.test.ctx_size_in = sizeof(in);
	/* a short ctx_out: what fits, ENOSPC, the full size */
	a.test.ctx_size_out = 100;
	CHECK_EQ(test_run_attr(fd, &a), -ENOSPC);
	CHECK_EQ(a.test.ctx_size_out, sizeof(o));
	bpfvm_close(vm, fd);
	/* XDP takes none (as Linux 5.2 to 5.13) */
	fd = load(XDP, P(MOV64_IMM(0, 2), EXIT()));
	a.test.prog_fd = (uint32_t)fd;
	a.test.ctx_size_out = sizeof(o);
	CHECK_EQ(test_run_attr(fd, &a), -EINVAL);
	bpfvm_close(vm, fd);
}

static void test_flow_dissector(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
	/* keys->nhoff = 2000 (clamped to the packet), ip_proto = 17; BPF_OK */
	int fd = load(BPF_PROG_TYPE_FLOW_DISSECTOR,
		      P(LDX(0x18, 2, 1, SKB(flow_keys)), MOV64_IMM(3, 2000), STX(0x08, 2, 3, 0), MOV64_IMM(3, 17),
			STX(0x10, 2, 3, 9), LDX(0, 0, 1, SKB(len)), ALU64_IMM(0x60, 0, 8), ALU64_IMM(0x00, 0, 0),
			MOV64_IMM(0, BPF_OK), EXIT()));
	CHECK(fd >= 0);
	struct bpf_flow_keys k;
	uint32_t olen = sizeof(k), ret = 9;
	union bpf_attr a = { 0 };
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)f;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)&k;
	a.test.data_size_out = olen;
	a.test.repeat = 3;
	CHECK_EQ(bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
	ret = a.test.retval;
	CHECK_EQ(ret, 1);                       /* v5.1: 1 when the program said BPF_OK */
	CHECK_EQ(a.test.data_size_out, sizeof(k));
	CHECK_EQ(k.nhoff, len - 14);            /* clamped to skb->len (data is the network header) */
	CHECK_EQ(k.thoff, len - 14);
	CHECK_EQ(k.ip_proto, 17);
	bpfvm_close(vm, fd);
	fd = load(BPF_PROG_TYPE_FLOW_DISSECTOR, P(MOV64_IMM(0, BPF_DROP), EXIT()));
	a.test.prog_fd = (uint32_t)fd;
	CHECK_EQ(bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
	CHECK_EQ(a.test.retval, 0);
	CHECK_EQ(k.nhoff, 0);
	bpfvm_close(vm, fd);
}

/* A checked run's packet region follows the buffer when a helper
 * reallocates it: the old buffer's addresses fault. */
static void test_regions(void)
{
	uint8_t f[256];
	uint32_t len = udp4(f, 20, 0);
	struct bpfvm_skb skb;
	struct bpfvm_run r;
	CHECK_EQ(bpfvm_skb_init(&skb, vm, f, len, TC, 0), 0);
	bpfvm_run_init(&r, vm, 1);
	bpfvm_skb_prepare_run(&r, &skb);
	uintptr_t old = (uintptr_t)skb.data;
	CHECK(bpfvm_run_mem_ok(&r, old, 4, 1));
	CHECK_EQ(bpfvm_skb_cow(&skb, 4000, 0), 0);
	CHECK(!bpfvm_run_mem_ok(&r, old, 4, 0));
	CHECK(bpfvm_run_mem_ok(&r, (uintptr_t)skb.data, len, 1));
	CHECK(!memcmp(skb.data, f, len));
	CHECK_EQ(bpfvm_skb_headroom(&skb) >= 4000, 1);
	CHECK_EQ(bpfvm_skb_network_offset(&skb), 14);
	bpfvm_run_fini(&r);
	bpfvm_skb_fini(&skb);
}

int main(void)
{
	vm = bpfvm_new();
	test_csum();
	test_bytes();
	test_vlan_hash_ecn();
	test_xdp();
	test_fib();
	test_sockets();
	test_tunnel();
	test_xfrm();
	test_lwt();
	test_ctx_in_out();
	test_flow_dissector();
	test_regions();
	bpfvm_net_clear(vm);
	bpfvm_free(vm);
	return test_done();
}
