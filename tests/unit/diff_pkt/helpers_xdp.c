/* XDP helpers against the kernel: bpf_xdp_adjust_head, _meta, _tail,
 * bpf_redirect, bpf_csum_diff on the packet, bpf_fib_lookup, socket
 * lookups (nothing listens on the tuples used). */
#include "diff.h"

#define XDP_DATA 0
#define XDP_DATA_END 4
#define XDP_META 8

static uint8_t pkt[512];

#define META_MAX "Linux 6.x allows more than v5.1's 32 bytes of XDP metadata"
#define CSUM_FOLD "Linux 6.13+ folds bpf_csum_diff's result to 16 bits; v5.1 returned csum_partial's 32-bit sum"
static uint32_t plen;

/* meta: the metadata length the program leaves (Linux 5.14+ puts it in
 * front of data_out; v5.1 and bpfvm copy from data). */
static void xcase_meta(const char *name, const struct bpf_insn *p, uint32_t n, unsigned cmp, const char *known,
		       uint32_t meta)
{
	struct pcase c = { name, BPF_PROG_TYPE_XDP, p, n, pkt, plen, NULL, cmp, known, meta };
	diff_case(&c);
}

static void xcase(const char *name, const struct bpf_insn *p, uint32_t n, unsigned cmp, const char *known)
{
	xcase_meta(name, p, n, cmp, known, 0);
}

/* r0 = helper(ctx, arg); the packet as left. */
static void adjust(const char *what, int func, int32_t arg, const char *known)
{
	char name[96];
	snprintf(name, sizeof(name), "xdp %s(%d)", what, arg);
	xcase(name, P(MOV64_IMM(2, arg), CALL(func), EXIT()), CMP_ALL, known);
}

void diff_helpers_xdp(void)
{
	plen = pkt_udp4(pkt, 100, 0);
	const char *head = "v5.1's xdp_frame is 32 bytes, Linux 6.x's 40: adjust_head may grow 224 bytes there, 216 here";
	for (int32_t d = -256; d <= 0; d += 8)
		adjust("adjust_head", BPF_FUNC_xdp_adjust_head, d, d < -216 && d >= -224 ? head : NULL);
	int32_t heads[] = { -1, -3, -215, -217, -223, -225, 1, 14, (int32_t)plen - 14, (int32_t)plen - 13, 4096,
			    -4096, (int32_t)0x80000000 };
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		adjust("adjust_head", BPF_FUNC_xdp_adjust_head, heads[i],
		       heads[i] < -216 && heads[i] >= -224 ? head : NULL);
	int32_t metas[] = { 0, -4, -8, -32, -36, -3, -2, 4, -224, -228, -256 };
	for (size_t i = 0; i < sizeof(metas) / sizeof(metas[0]); i++) {
		char name[96];
		int ok = metas[i] <= 0 && metas[i] >= -32 && !(metas[i] & 3);
		snprintf(name, sizeof(name), "xdp adjust_meta(%d)", metas[i]);
		xcase_meta(name, P(MOV64_IMM(2, metas[i]), CALL(BPF_FUNC_xdp_adjust_meta), EXIT()), CMP_ALL,
			   metas[i] < -32 && !(metas[i] & 3) ? META_MAX : NULL, ok ? (uint32_t)-metas[i] : 0);
	}
	/* metadata length seen by the program after adjust_meta */
	for (int32_t m = -40; m <= 0; m += 4) {
		char name[96];
		snprintf(name, sizeof(name), "xdp meta length after adjust_meta(%d)", m);
		xcase_meta(name, P(MOV64_REG(6, 1), MOV64_IMM(2, m), CALL(BPF_FUNC_xdp_adjust_meta),
				   LDX(0, 2, 6, XDP_DATA), LDX(0, 3, 6, XDP_META), MOV64_REG(0, 2), ALU64_REG(0x10, 0, 3),
				   EXIT()), CMP_ALL, m < -32 ? META_MAX : NULL, m < -32 ? 0 : (uint32_t)-m);
	}
	/* adjust_meta, then adjust_head: the metadata moves with data */
	xcase_meta("xdp meta moves with head", P(MOV64_REG(6, 1), MOV64_IMM(2, -8), CALL(BPF_FUNC_xdp_adjust_meta),
						 LDX(0, 2, 6, XDP_META), LDX(0, 3, 6, XDP_DATA), MOV64_REG(4, 2),
						 ALU64_IMM(0x00, 4, 8), MOV64_IMM(0, 0), JMP_REG(0x20, 4, 3, 8),
						 ST(0, 2, 0, 0x11223344), ST(0, 2, 4, 0x55667788),
						 MOV64_REG(1, 6), MOV64_IMM(2, -20), CALL(BPF_FUNC_xdp_adjust_head),
						 LDX(0, 2, 6, XDP_META), LDX(0, 3, 6, XDP_DATA), MOV64_REG(4, 2),
						 ALU64_IMM(0x00, 4, 8), JMP_REG(0x20, 4, 3, 1), LDX(0, 0, 2, 4), EXIT()),
		   CMP_ALL, NULL, 8);
	const char *tail = "v5.1's adjust_tail only shrinks (offset >= 0 is -EINVAL); Linux 5.8+ grows too";
	int32_t tails[] = { -1, -10, -((int32_t)plen - 14), -((int32_t)plen - 13), 0, 1, 100, -4096 };
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		adjust("adjust_tail", BPF_FUNC_xdp_adjust_tail, tails[i], tails[i] >= 0 && tails[i] < 3000 ? tail : NULL);
	/* direct access: swap MACs, TTL - 1 with an incremental checksum */
	xcase("xdp swap macs", P(LDX(0, 2, 1, XDP_DATA), LDX(0, 3, 1, XDP_DATA_END), MOV64_REG(4, 2),
				 ALU64_IMM(0x00, 4, 14), MOV64_IMM(0, 1), JMP_REG(0x20, 4, 3, 9), LDX(0, 5, 2, 0),
				 LDX(0x08, 6, 2, 4), LDX(0, 7, 2, 6), LDX(0x08, 8, 2, 10), STX(0, 2, 7, 0), STX(0x08, 2, 8, 4),
				 STX(0, 2, 5, 6), STX(0x08, 2, 6, 10), MOV64_IMM(0, 3), EXIT()), CMP_ALL, NULL);
	xcase("xdp ttl-1 by csum_diff", P(LDX(0, 2, 1, XDP_DATA), LDX(0, 3, 1, XDP_DATA_END), MOV64_REG(4, 2),
					  ALU64_IMM(0x00, 4, 34), MOV64_IMM(0, 1), JMP_REG(0x20, 4, 3, 20), MOV64_REG(6, 2),
					  LDX(0, 7, 6, 22), STX(0, 10, 7, -8), ALU64_IMM(0x10, 7, 1), STX(0, 10, 7, -4),
					  STX(0, 6, 7, 22), MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 4),
					  MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -4), MOV64_IMM(4, 4), MOV64_IMM(5, 0),
					  CALL(BPF_FUNC_csum_diff), MOV64_REG(8, 0), MOV64_IMM(0, 2), MOV64_IMM(0, 2), EXIT(),
					  EXIT(), EXIT()), CMP_DATA, NULL);
	/* redirect: any flag aborts */
	xcase("xdp redirect(3, 0)", P(MOV64_IMM(1, 3), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect), EXIT()), CMP_ALL, NULL);
	xcase("xdp redirect(3, 1)", P(MOV64_IMM(1, 3), MOV64_IMM(2, 1), CALL(BPF_FUNC_redirect), EXIT()), CMP_ALL,
	      "Linux 5.x: a flag (BPF_F_INGRESS / the return code bits) is no longer XDP_ABORTED");
	/* csum_diff over the first 20 bytes of the packet */
	for (int32_t sz = 4; sz <= 40; sz += 4) {
		char name[96];
		snprintf(name, sizeof(name), "xdp csum_diff(pkt, %d, NULL, 0, 0x%x)", sz, sz * 1000);
		xcase(name, P(LDX(0, 2, 1, XDP_DATA), LDX(0, 3, 1, XDP_DATA_END), MOV64_REG(4, 2), ALU64_IMM(0x00, 4, sz),
			      JMP_REG(0x20, 4, 3, 7), MOV64_REG(1, 2), MOV64_IMM(2, sz), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
			      MOV64_IMM(5, sz * 1000), CALL(BPF_FUNC_csum_diff), EXIT(), MOV64_IMM(0, 99), EXIT()),
		      CMP_ALL, CSUM_FOLD);
	}
	/* fib_lookup: bad size, bad flags, bad family, unknown device, and
	 * the loopback device (forwarding is off there) */
	struct { const char *name; int32_t plen, flags; uint8_t family; uint32_t ifindex; } fl[] = {
		{ "short params", 60, 0, 2, 1 }, { "bad flags", 64, 0x80, 2, 1 }, { "flag 4", 64, 4, 2, 1 }, { "bad family", 64, 0, 3, 1 },
		{ "no device", 64, 0, 2, 4242 }, { "lo v4", 64, 0, 2, 1 }, { "lo v6", 64, 0, 10, 1 },
		{ "lo v4 direct", 64, 1, 2, 1 },
	};
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		char name[96];
		snprintf(name, sizeof(name), "xdp fib_lookup %s", fl[i].name);
		/* params on the stack at fp-64: family, ifindex, dst 10.0.0.2 */
		xcase(name, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -64), STX(0x18, 10, 0, -56),
			      STX(0x18, 10, 0, -48), STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32), STX(0x18, 10, 0, -24),
			      STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8), ST(0x10, 10, -64, fl[i].family),
			      ST(0, 10, -56, (int32_t)fl[i].ifindex), ST(0, 10, -32, 0x0200000a),
			      MOV64_REG(1, 6), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -64), MOV64_IMM(3, fl[i].plen),
			      MOV64_IMM(4, fl[i].flags), CALL(BPF_FUNC_fib_lookup), EXIT()), CMP_ALL,
		      fl[i].flags == 4 ? "Linux 6.x has more fib_lookup flags (BPF_FIB_LOOKUP_SKIP_NEIGH = 4, ...)" : NULL);
	}
	/* socket lookups find nothing on these tuples */
	static const int32_t lens[] = { 12, 36, 8, 13 };
	for (size_t i = 0; i < 4; i++) {
		for (int udp = 0; udp < 2; udp++) {
			char name[96];
			snprintf(name, sizeof(name), "xdp sk_lookup_%s len %d", udp ? "udp" : "tcp", lens[i]);
			xcase(name, P(MOV64_REG(6, 1), MOV64_IMM(0, 0), STX(0x18, 10, 0, -40), STX(0x18, 10, 0, -32),
				      STX(0x18, 10, 0, -24), STX(0x18, 10, 0, -16), STX(0x18, 10, 0, -8),
				      ST(0, 10, -40, 0x0100fe0a), ST(0, 10, -36, 0x0200fe0a), ST(0, 10, -32, 0x01000100),
				      MOV64_REG(1, 6), MOV64_REG(2, 10), ALU64_IMM(0x00, 2, -40), MOV64_IMM(3, lens[i]),
				      MOV64_IMM(4, -1), MOV64_IMM(5, 0),
				      CALL(udp ? BPF_FUNC_sk_lookup_udp : BPF_FUNC_sk_lookup_tcp),
				      JMP_IMM(0x10, 0, 0, 3), MOV64_REG(1, 0), CALL(BPF_FUNC_sk_release), MOV64_IMM(0, 1),
				      EXIT()),
			      CMP_ALL, NULL);
		}
	}
}
