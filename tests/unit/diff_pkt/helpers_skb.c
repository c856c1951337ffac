/* skb helpers against the kernel, mostly from tc programs (the type with
 * most of them): loading and storing bytes, checksums, growing and
 * shrinking, protocol and type changes, VLAN, hash, redirect, socket and
 * cgroup facts, ECN, tunnel metadata, fib_lookup. */
#include "diff.h"
#include <stddef.h>

#define SKB(f) offsetof(struct __sk_buff, f)
#define TC BPF_PROG_TYPE_SCHED_CLS

static uint8_t u4[512], t6[512], vl[512], small[64];
static uint32_t u4len, t6len, vllen, smalllen;

static void tcase(const char *name, int type, const uint8_t *pkt, uint32_t len, const struct bpf_insn *p, uint32_t n,
		  unsigned cmp, const char *known)
{
	struct pcase c = { name, type, p, n, pkt, len, NULL, cmp, known, 0 };
	diff_case(&c);
}

/* r0 = func(ctx, a2, a3[, a4, a5]) with r6 = ctx kept; data_out compared. */
#define CALL5(func, a2, a3, a4, a5) MOV64_REG(6, 1), MOV64_IMM(2, a2), MOV64_IMM(3, a3), MOV64_IMM(4, a4), \
	MOV64_IMM(5, a5), CALL(func)

static void bytes(void)
{
	char name[96];
	/* load_bytes of 4 bytes at offsets around the end, result | value */
	int32_t offs[] = { 0, 14, (int32_t)u4len - 4, (int32_t)u4len - 3, 0xffff, 0x10000, -1 };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (int t = 0; t < 3; t++) {
			int type = t == 0 ? TC : t == 1 ? BPF_PROG_TYPE_SOCKET_FILTER : BPF_PROG_TYPE_LWT_OUT;
			snprintf(name, sizeof(name), "type %d skb_load_bytes(%d, 4)", type, offs[i]);
			tcase(name, type, u4, u4len,
			      P(MOV64_REG(6, 1), ST(0, 10, -8, 0x77777777), MOV64_IMM(2, offs[i]), MOV64_REG(3, 10),
				ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 4), CALL(BPF_FUNC_skb_load_bytes),
				LDX(0, 1, 10, -8), ALU64_IMM(0x60, 0, 32), ALU64_REG(0x40, 0, 1), EXIT()),
			      CMP_ALL, NULL);
		}
	}
	/* load_bytes_relative: mac / net / bad start */
	for (int start = 0; start < 3; start++) {
		for (int32_t off = 0; off <= 40; off += 20) {
			snprintf(name, sizeof(name), "tc skb_load_bytes_relative(%d, 8, start %d)", off, start);
			tcase(name, TC, u4, u4len,
			      P(MOV64_REG(6, 1), MOV64_IMM(2, off), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
				MOV64_IMM(4, 8), MOV64_IMM(5, start), CALL(BPF_FUNC_skb_load_bytes_relative),
				LDX(0, 1, 10, -8), ALU64_IMM(0x60, 0, 32), ALU64_REG(0x40, 0, 1), EXIT()),
			      CMP_ALL, NULL);
			snprintf(name, sizeof(name), "sk_filter skb_load_bytes_relative(%d, 8, start %d)", off, start);
			tcase(name, BPF_PROG_TYPE_SOCKET_FILTER, u4, u4len,
			      P(MOV64_REG(6, 1), MOV64_IMM(2, off), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
				MOV64_IMM(4, 8), MOV64_IMM(5, start), CALL(BPF_FUNC_skb_load_bytes_relative),
				LDX(0, 1, 10, -8), ALU64_IMM(0x60, 0, 32), ALU64_REG(0x40, 0, 1), EXIT()),
			      CMP_ALL, NULL);
		}
	}
	/* store_bytes: where, how much, flags */
	struct { int32_t off, len; int64_t flags; } st[] = {
		{ 0, 4, 0 }, { 30, 8, 0 }, { (int32_t)u4len - 8, 8, 0 }, { (int32_t)u4len - 7, 8, 0 },
		{ 0x10000, 4, 0 }, { 20, 4, 1 }, { 20, 4, 2 }, { 20, 4, 3 }, { 20, 4, 4 },
	};
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		snprintf(name, sizeof(name), "tc skb_store_bytes(%d, %d, 0x%llx)", st[i].off, st[i].len,
			 (long long)st[i].flags);
		tcase(name, TC, u4, u4len,
		      P(MOV64_REG(6, 1), LD_IMM64(2, 0xa1b2c3d4e5f60718ull), STX(0x18, 10, 2, -8), MOV64_IMM(2, st[i].off),
			MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, st[i].len), MOV64_IMM(5, (int32_t)st[i].flags),
			CALL(BPF_FUNC_skb_store_bytes), EXIT()),
		      CMP_ALL, NULL);
	}
	/* store_bytes with BPF_F_INVALIDATE_HASH after set_hash: hash is 0 */
	tcase("tc store_bytes invalidates hash", TC, u4, u4len,
	      P(MOV64_REG(6, 1), MOV64_IMM(2, 0x1234), CALL(BPF_FUNC_set_hash), MOV64_REG(1, 6), ST(0, 10, -8, 0),
		MOV64_IMM(2, 50), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 2), MOV64_IMM(5, 2),
		CALL(BPF_FUNC_skb_store_bytes), LDX(0, 0, 6, SKB(hash)), EXIT()), CMP_ALL, NULL);
	/* pull_data */
	int32_t pulls[] = { 0, 1, (int32_t)u4len, (int32_t)u4len + 1, 0x7fffffff };
	for (size_t i = 0; i < sizeof(pulls) / sizeof(pulls[0]); i++) {
		snprintf(name, sizeof(name), "tc skb_pull_data(%d)", pulls[i]);
		tcase(name, TC, u4, u4len, P(MOV64_IMM(2, pulls[i]), CALL(BPF_FUNC_skb_pull_data), EXIT()), CMP_ALL, NULL);
	}
}

static void resize(void)
{
	char name[96];
	const char *maxlen = "__bpf_skb_max_len: v5.1 mtu + hard_header_len (65550 on lo), 6.x SKB_MAX_ALLOC (16064)";
	/* change_tail on tc (min: the network offset, 14) */
	int32_t tails[] = { 0, 13, 14, 15, (int32_t)u4len - 1, (int32_t)u4len, (int32_t)u4len + 1, (int32_t)u4len + 100,
			    3000, 16064, 16065, 65550, 65551 };
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(name, sizeof(name), "tc skb_change_tail(%d)", tails[i]);
		tcase(name, TC, u4, u4len, P(CALL5(BPF_FUNC_skb_change_tail, tails[i], 0, 0, 0), EXIT()), CMP_ALL,
		      tails[i] > 16064 && tails[i] <= 65550 ? maxlen : NULL);
	}
	tcase("tc skb_change_tail flags", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_change_tail, 100, 1, 0, 0), EXIT()),
	      CMP_ALL, NULL);
	/* change_tail then read len and data_end - data */
	tcase("tc change_tail then len", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_change_tail, 60, 0, 0, 0), LDX(0, 2, 6, SKB(data)), LDX(0, 3, 6, SKB(data_end)),
		MOV64_REG(0, 3), ALU64_REG(0x10, 0, 2), LDX(0, 4, 6, SKB(len)), ALU64_IMM(0x60, 4, 16),
		ALU64_REG(0x40, 0, 4), EXIT()), CMP_ALL, NULL);
	/* lwt_xmit: change_tail (min 0: data is the network header), change_head */
	int32_t heads[] = { 0, 1, 14, 100, 300, 16064, 65550, -1 };
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		snprintf(name, sizeof(name), "lwt_xmit skb_change_head(%d)", heads[i]);
		tcase(name, BPF_PROG_TYPE_LWT_XMIT, u4, u4len, P(CALL5(BPF_FUNC_skb_change_head, heads[i], 0, 0, 0), EXIT()),
		      CMP_ALL, heads[i] >= 16064 - (int32_t)u4len && heads[i] <= 65550 - (int32_t)u4len ? maxlen : NULL);
		snprintf(name, sizeof(name), "lwt_xmit skb_change_tail(%d)", heads[i]);
		tcase(name, BPF_PROG_TYPE_LWT_XMIT, u4, u4len, P(CALL5(BPF_FUNC_skb_change_tail, heads[i], 0, 0, 0), EXIT()),
		      CMP_ALL, heads[i] > 16064 && heads[i] <= 65550 ? maxlen : NULL);
	}
	tcase("lwt_xmit change_head flags", BPF_PROG_TYPE_LWT_XMIT, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_change_head, 14, 1, 0, 0), EXIT()), CMP_ALL, NULL);
	/* adjust_room, BPF_ADJ_ROOM_NET */
	int32_t rooms[] = { 0, 8, 40, -8, -20, -(int32_t)(u4len - 34), -(int32_t)(u4len - 33), 0xfff, 0x1000, -0x1000 };
	for (size_t i = 0; i < sizeof(rooms) / sizeof(rooms[0]); i++) {
		for (int v6 = 0; v6 < 2; v6++) {
			snprintf(name, sizeof(name), "tc skb_adjust_room(%d) %s", rooms[i], v6 ? "v6" : "v4");
			tcase(name, TC, v6 ? t6 : u4, v6 ? t6len : u4len,
			      P(CALL5(BPF_FUNC_skb_adjust_room, rooms[i], 0, 0, 0), EXIT()), CMP_ALL, NULL);
		}
	}
	tcase("tc skb_adjust_room mode 1", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_adjust_room, 8, 1, 0, 0), EXIT()),
	      CMP_ALL, "BPF_ADJ_ROOM_MAC (1) exists since Linux 5.2");
	tcase("tc skb_adjust_room flags 1", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_adjust_room, 8, 0, 1, 0), EXIT()),
	      CMP_ALL, "BPF_F_ADJ_ROOM_FIXED_GSO (1) exists since Linux 5.2");
	tcase("tc skb_adjust_room on ARP", TC, small, smalllen, P(CALL5(BPF_FUNC_skb_adjust_room, 8, 0, 0, 0), EXIT()),
	      CMP_ALL, NULL);
	/* change_proto */
	tcase("tc change_proto v4->v6", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_change_proto, 0xdd86, 0, 0, 0),
							 LDX(0, 1, 6, SKB(protocol)), ALU64_IMM(0x60, 0, 16),
							 ALU64_REG(0x40, 0, 1), EXIT()), CMP_ALL, NULL);
	tcase("tc change_proto v6->v4", TC, t6, t6len, P(CALL5(BPF_FUNC_skb_change_proto, 0x0008, 0, 0, 0),
							 LDX(0, 1, 6, SKB(protocol)), ALU64_IMM(0x60, 0, 16),
							 ALU64_REG(0x40, 0, 1), EXIT()), CMP_ALL, NULL);
	tcase("tc change_proto v4->v4", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_change_proto, 0x0008, 0, 0, 0), EXIT()),
	      CMP_ALL, NULL);
	tcase("tc change_proto flags", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_change_proto, 0xdd86, 1, 0, 0), EXIT()),
	      CMP_ALL, NULL);
	tcase("tc change_proto v6->v4 short", TC, small, smalllen,
	      P(CALL5(BPF_FUNC_skb_change_proto, 0x0008, 0, 0, 0), EXIT()), CMP_ALL, NULL);
	for (int32_t t = 0; t <= 5; t++) {
		snprintf(name, sizeof(name), "tc change_type(%d)", t);
		tcase(name, TC, u4, u4len, P(CALL5(BPF_FUNC_skb_change_type, t, 0, 0, 0), LDX(0, 1, 6, SKB(pkt_type)),
					    ALU64_IMM(0x60, 0, 8), ALU64_REG(0x40, 0, 1), EXIT()), CMP_ALL, NULL);
	}
}

static void vlan(void)
{
	/* push: the tag is the skb's, not the packet's; a second push writes
	 * the first into the packet */
	tcase("tc vlan_push once", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_vlan_push, 0x0081, 0x1005, 0, 0), LDX(0, 1, 6, SKB(vlan_present)),
		LDX(0, 2, 6, SKB(vlan_tci)), LDX(0, 3, 6, SKB(vlan_proto)), ALU64_IMM(0x60, 1, 32),
		ALU64_IMM(0x60, 2, 16), ALU64_REG(0x40, 0, 1), ALU64_REG(0x40, 0, 2), ALU64_REG(0x40, 0, 3), EXIT()),
	      CMP_ALL, NULL);
	tcase("tc vlan_push twice", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_vlan_push, 0xa888, 7, 0, 0), MOV64_REG(1, 6), MOV64_IMM(2, 0x0081), MOV64_IMM(3, 9),
		CALL(BPF_FUNC_skb_vlan_push), LDX(0, 1, 6, SKB(vlan_tci)), LDX(0, 3, 6, SKB(protocol)),
		ALU64_IMM(0x60, 1, 32), ALU64_REG(0x40, 0, 1), ALU64_IMM(0x60, 3, 16), ALU64_REG(0x40, 0, 3), EXIT()),
	      CMP_ALL, NULL);
	tcase("tc vlan_push bad proto", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_vlan_push, 0x1234, 3, 0, 0), LDX(0, 0, 6, SKB(vlan_proto)), EXIT()), CMP_ALL, NULL);
	tcase("tc vlan_pop untagged", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0), EXIT()), CMP_ALL, NULL);
	tcase("tc vlan_pop tagged", TC, vl, vllen,
	      P(CALL5(BPF_FUNC_skb_vlan_pop, 0, 0, 0, 0), LDX(0, 1, 6, SKB(protocol)), ALU64_IMM(0x60, 1, 16),
		ALU64_REG(0x40, 0, 1), LDX(0, 1, 6, SKB(vlan_present)), ALU64_IMM(0x60, 1, 40), ALU64_REG(0x40, 0, 1),
		EXIT()), CMP_ALL, NULL);
	tcase("tc vlan_push then pop (vlan_tci kept)", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_vlan_push, 0x0081, 0x123, 0, 0), MOV64_REG(1, 6), CALL(BPF_FUNC_skb_vlan_pop),
		LDX(0, 1, 6, SKB(vlan_present)), LDX(0, 2, 6, SKB(vlan_tci)), ALU64_IMM(0x60, 1, 32),
		ALU64_IMM(0x60, 2, 16), ALU64_REG(0x40, 0, 1), ALU64_REG(0x40, 0, 2), EXIT()), CMP_ALL,
	      "v5.1 pops the accelerated tag by clearing vlan_present only (vlan_tci stays); Linux 6.2+ clears vlan_all");
	tcase("tc read vlan fields of a tagged frame", TC, vl, vllen,
	      P(LDX(0, 0, 1, SKB(vlan_present)), LDX(0, 2, 1, SKB(protocol)), ALU64_IMM(0x60, 2, 8),
		ALU64_REG(0x40, 0, 2), EXIT()), CMP_ALL, NULL);
}

static void misc(void)
{
	char name[96];
	tcase("tc set_hash then hash", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_set_hash, 0x12345678, 0, 0, 0), LDX(0, 0, 6, SKB(hash)), EXIT()), CMP_ALL, NULL);
	tcase("tc set_hash_invalid then hash", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_set_hash, 0x1234, 0, 0, 0), MOV64_REG(1, 6), CALL(BPF_FUNC_set_hash_invalid),
		LDX(0, 0, 6, SKB(hash)), EXIT()), CMP_ALL, NULL);
	tcase("tc get_hash_recalc nonzero", TC, u4, u4len, P(CALL(BPF_FUNC_get_hash_recalc), EXIT()),
	      CMP_NONZERO | CMP_DATA, NULL);
	tcase("tc get_hash_recalc after set_hash", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_set_hash, 77, 0, 0, 0), MOV64_REG(1, 6), CALL(BPF_FUNC_get_hash_recalc), EXIT()),
	      CMP_ALL, NULL);
	/* redirect: the verdict only */
	for (int64_t fl = 0; fl < 4; fl++) {
		snprintf(name, sizeof(name), "tc redirect(5, %lld)", (long long)fl);
		tcase(name, TC, u4, u4len, P(MOV64_IMM(1, 5), MOV64_IMM(2, (int32_t)fl), CALL(BPF_FUNC_redirect), EXIT()),
		      CMP_ALL, NULL);
	}
	/* clone_redirect: to lo (the copy goes out on the loopback device) or
	 * to no device */
	int32_t devs[] = { 1, 4242 };
	for (size_t i = 0; i < 2; i++)
		for (int32_t fl = 0; fl < 3; fl++) {
			snprintf(name, sizeof(name), "tc clone_redirect(%d, %d)", devs[i], fl);
			tcase(name, TC, u4, u4len, P(CALL5(BPF_FUNC_clone_redirect, devs[i], fl, 0, 0), EXIT()), CMP_ALL, NULL);
		}
	tcase("tc get_socket_cookie nonzero", TC, u4, u4len, P(CALL(BPF_FUNC_get_socket_cookie), EXIT()),
	      CMP_NONZERO, NULL);
	tcase("tc get_socket_uid", TC, u4, u4len, P(CALL(BPF_FUNC_get_socket_uid), EXIT()), CMP_ALL, NULL);
	tcase("sk_filter get_socket_uid", BPF_PROG_TYPE_SOCKET_FILTER, u4, u4len, P(CALL(BPF_FUNC_get_socket_uid), EXIT()),
	      CMP_ALL, NULL);
	tcase("tc get_cgroup_classid", TC, u4, u4len, P(CALL(BPF_FUNC_get_cgroup_classid), EXIT()), CMP_ALL, NULL);
	tcase("tc get_route_realm", TC, u4, u4len, P(CALL(BPF_FUNC_get_route_realm), EXIT()), CMP_ALL, NULL);
	tcase("tc skb_cgroup_id nonzero", TC, u4, u4len, P(CALL(BPF_FUNC_skb_cgroup_id), EXIT()), CMP_NONZERO, NULL);
	tcase("tc skb_ancestor_cgroup_id(0)", TC, u4, u4len, P(CALL5(BPF_FUNC_skb_ancestor_cgroup_id, 0, 0, 0, 0), EXIT()),
	      CMP_NONZERO, NULL);
	tcase("tc skb_ancestor_cgroup_id(100)", TC, u4, u4len,
	      P(CALL5(BPF_FUNC_skb_ancestor_cgroup_id, 100, 0, 0, 0), EXIT()), CMP_ALL, NULL);
	tcase("tc csum_update", TC, u4, u4len, P(CALL5(BPF_FUNC_csum_update, 0x1234, 0, 0, 0), EXIT()), CMP_ALL, NULL);
	/* sockets: the test run's socket is a full one, not TCP */
	tcase("tc sk_fullsock(skb->sk)", TC, u4, u4len,
	      P(LDX(0x18, 1, 1, SKB(sk)), MOV64_IMM(0, 7), JMP_IMM(0x10, 1, 0, 4), CALL(BPF_FUNC_sk_fullsock),
		JMP_IMM(0x10, 0, 0, 2), LDX(0, 0, 0, 4), ALU64_IMM(0x00, 0, 100), EXIT()), CMP_ALL,
	      "Linux 5.9+ test runs give the socket the packet's family (v5.1: a zeroed socket)");
	tcase("tc tcp_sock(skb->sk)", TC, u4, u4len,
	      P(LDX(0x18, 1, 1, SKB(sk)), MOV64_IMM(0, 7), JMP_IMM(0x10, 1, 0, 3), CALL(BPF_FUNC_tcp_sock),
		JMP_IMM(0x10, 0, 0, 1), MOV64_IMM(0, 1), EXIT()), CMP_ALL, NULL);
	tcase("tc skb->sk state", TC, u4, u4len,
	      P(LDX(0x18, 1, 1, SKB(sk)), MOV64_IMM(0, 77), JMP_IMM(0x10, 1, 0, 1), LDX(0, 0, 1, 72), EXIT()),
	      CMP_ALL, NULL);
	/* fib_lookup from tc on the loopback device */
	tcase("tc fib_lookup lo", TC, u4, u4len,
	      P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -64), STX(0x18, 10, 0, -56), STX(0x18, 10, 0, -48),
		STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24), STX(0x18, 10, 0, -16),
		STX(0x18, 10, 0, -8), ST(0x10, 10, -64, 2), ST(0, 10, -56, 1), ST(0, 10, -32, 0x0200000a),
		MOV64_REG(1, 6), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -64), MOV64_IMM(3, 64), MOV64_IMM(4, 0),
		CALL(BPF_FUNC_fib_lookup), EXIT()), CMP_ALL, NULL);
	/* tunnel metadata */
	tcase("tc get_tunnel_key without", TC, u4, u4len,
	      P(MOV64_REG(6, 1), ST(0, 10, -32, 0x55), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32), MOV64_IMM(3, 28),
		MOV64_IMM(4, 0), CALL(BPF_FUNC_skb_get_tunnel_key), LDX(0, 1, 10, -32), ALU64_IMM(0x60, 1, 32),
		ALU64_REG(0x40, 0, 1), EXIT()), CMP_ALL, NULL);
	tcase("tc get_tunnel_opt without", TC, u4, u4len,
	      P(MOV64_REG(6, 1), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -32), MOV64_IMM(3, 32),
		CALL(BPF_FUNC_skb_get_tunnel_opt), EXIT()), CMP_ALL, NULL);
	tcase("tc set_tunnel_opt without key", TC, u4, u4len,
	      P(MOV64_REG(6, 1), ST(0x18, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -8), MOV64_IMM(3, 8),
		CALL(BPF_FUNC_skb_set_tunnel_opt), EXIT()), CMP_ALL, NULL);
	tcase("tc get_xfrm_state", TC, u4, u4len,
	      P(MOV64_REG(6, 1), MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -32), MOV64_IMM(4, 28),
		MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_get_xfrm_state), EXIT()), CMP_ALL, NULL);
	/* ECN from cgroup skb programs: not-ECT, ECT(1), ECT(0), CE; IPv6 */
	static uint8_t e[4][512], e6[3][512];
	static uint32_t elen[4], e6len[3];
	for (int i = 0; i < 4; i++) {
		elen[i] = pkt_udp4(e[i], 30, (uint8_t)(0xb8 | i));
		snprintf(name, sizeof(name), "cgroup_skb skb_ecn_set_ce tos 0x%x", 0xb8 | i);
		tcase(name, BPF_PROG_TYPE_CGROUP_SKB, e[i], elen[i], P(CALL(BPF_FUNC_skb_ecn_set_ce), EXIT()), CMP_ALL, NULL);
	}
	for (int i = 0; i < 3; i++) {
		e6len[i] = pkt_tcp6(e6[i], 10, (uint8_t)(0x20 | i));
		snprintf(name, sizeof(name), "cgroup_skb skb_ecn_set_ce v6 tclass 0x%x", 0x20 | i);
		tcase(name, BPF_PROG_TYPE_CGROUP_SKB, e6[i], e6len[i], P(CALL(BPF_FUNC_skb_ecn_set_ce), EXIT()), CMP_ALL, NULL);
	}
}

/* LD_ABS / LD_IND of socket filters and tc, all sizes, around the ends and
 * through the SKF_ bases. */
static void ld_abs(void)
{
	char name[96];
	int32_t offs[] = { 0, 1, 12, 13, 14, (int32_t)u4len - 4, (int32_t)u4len - 3, (int32_t)u4len - 1, (int32_t)u4len,
			   -0x100000, -0x100000 + 9, -0x100000 - 1, -0x200000, -0x200000 + 12, -0x200000 - 1, -1, 0x7fffffff };
	static const uint8_t codes[] = { 0x30, 0x28, 0x20 };
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
			for (int s = 0; s < 3; s++) {
				int type = t ? TC : BPF_PROG_TYPE_SOCKET_FILTER;
				snprintf(name, sizeof(name), "type %d ld_abs size %d off %d", type, 1 << s, offs[i]);
				tcase(name, type, u4, u4len, P(MOV64_REG(6, 1), MOV64_IMM(0, 9), I(codes[s], 0, 0, 0, offs[i]),
							       EXIT()), CMP_ALL, NULL);
				snprintf(name, sizeof(name), "type %d ld_ind size %d off 3+%d", type, 1 << s, offs[i]);
				tcase(name, type, u4, u4len, P(MOV64_REG(6, 1), MOV64_IMM(7, offs[i]), I(codes[s] | 0x40, 0, 7, 0, 3),
							       EXIT()), CMP_ALL, NULL);
			}
}

/* Direct packet access (verified: rewritten loads of data / data_end),
 * the lwt IP encapsulation at ingress, the flow dissector. */
static void direct(void)
{
	/* tc: swap the MAC addresses in place, return the new first word */
	tcase("tc swap macs", TC, u4, u4len,
	      P(LDX(0, 2, 1, SKB(data)), LDX(0, 3, 1, SKB(data_end)), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, 14),
		MOV64_IMM(0, 0), JMP_REG(0x20, 4, 3, 9), LDX(0, 5, 2, 0), LDX(0x08, 6, 2, 4), LDX(0, 7, 2, 6),
		LDX(0x08, 8, 2, 10), STX(0, 2, 7, 0), STX(0x08, 2, 8, 4), STX(0, 2, 5, 6), STX(0x08, 2, 6, 10),
		LDX(0, 0, 2, 0), EXIT()), CMP_ALL, NULL);
	/* cgroup skb: read the IP protocol through data (Linux 5.x computes
	 * data_end for cgroup skb test runs; v5.1 left it unset) */
	tcase("cgroup_skb read ip proto", BPF_PROG_TYPE_CGROUP_SKB, u4, u4len,
	      P(LDX(0, 2, 1, SKB(data)), LDX(0, 3, 1, SKB(data_end)), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, 20),
		MOV64_IMM(0, 0), JMP_REG(0x20, 4, 3, 3), LDX(0x10, 0, 2, 9), ALU64_IMM(0x50, 0, 1), EXIT(), EXIT()),
	      CMP_ALL, NULL);
	/* lwt_out: data at the network header */
	tcase("lwt_out read ttl", BPF_PROG_TYPE_LWT_OUT, u4, u4len,
	      P(LDX(0, 2, 1, SKB(data)), LDX(0, 3, 1, SKB(data_end)), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, 20),
		MOV64_IMM(0, 0), JMP_REG(0x20, 4, 3, 1), LDX(0x10, 0, 2, 8), EXIT()), CMP_ALL, NULL);
	/* lwt_in: an IPv4 header in front (checksum filled in when 0) */
	for (int csum = 0; csum < 2; csum++) {
		char name[64];
		snprintf(name, sizeof(name), "lwt_in push_encap IP csum %d", csum);
		tcase(name, BPF_PROG_TYPE_LWT_IN, u4, u4len,
		      P(MOV64_REG(6, 1), ST(0, 10, -20, 0x00140045), ST(0, 10, -16, 0), ST(0, 10, -12, 0x00000440 | (csum << 16)),
			ST(0, 10, -8, 0x0101a8c0), ST(0, 10, -4, 0x0201a8c0), MOV64_IMM(2, BPF_LWT_ENCAP_IP),
			MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -20), MOV64_IMM(4, 20), CALL(BPF_FUNC_lwt_push_encap),
			LDX(0, 1, 6, SKB(protocol)), ALU64_IMM(0x60, 1, 16), ALU64_REG(0x40, 0, 1), EXIT()), CMP_ALL, NULL);
	}
	tcase("lwt_in push_encap short", BPF_PROG_TYPE_LWT_IN, u4, u4len,
	      P(MOV64_REG(6, 1), ST(0x18, 10, -8, 0x45), MOV64_IMM(2, BPF_LWT_ENCAP_IP), MOV64_REG(3, 10),
		ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 8), CALL(BPF_FUNC_lwt_push_encap), EXIT()), CMP_ALL, NULL);
	tcase("lwt_in push_encap bad type", BPF_PROG_TYPE_LWT_IN, u4, u4len,
	      P(MOV64_REG(6, 1), ST(0x18, 10, -8, 0x45), MOV64_IMM(2, 9), MOV64_REG(3, 10),
		ALU64_IMM(0x00, 3, -8), MOV64_IMM(4, 8), CALL(BPF_FUNC_lwt_push_encap), EXIT()), CMP_ALL, NULL);
	/* flow dissector: v5.1 ran it on the L3 packet with retval = (result
	 * == BPF_OK) and the keys as data_out; 5.3+ gives it the frame from
	 * the Ethernet header (nhoff 14), the program's result, longer keys */
	tcase("flow_dissector BPF_OK", BPF_PROG_TYPE_FLOW_DISSECTOR, u4, u4len,
	      P(LDX(0x18, 2, 1, SKB(flow_keys)), MOV64_IMM(3, 17), STX(0x10, 2, 3, 9), MOV64_IMM(0, BPF_OK), EXIT()),
	      CMP_ALL, "flow dissector test runs: v5.1 semantics (L3 data, retval 1 on BPF_OK, 48-byte keys) vs 5.3+");
}

void diff_helpers_skb(void)
{
	u4len = pkt_udp4(u4, 120, 0);
	t6len = pkt_tcp6(t6, 60, 0);
	vllen = pkt_vlan(vl, 40);
	/* an ARP-ish frame: not IP */
	memset(small, 0, sizeof(small));
	memcpy(small, "\xff\xff\xff\xff\xff\xff\x02\0\0\0\0\x02\x08\x06", 14);
	smalllen = 60;
	bytes();
	resize();
	vlan();
	misc();
	ld_abs();
	direct();
}
