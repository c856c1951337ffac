/* Checksum helpers against the kernel: bpf_l3_csum_replace and
 * bpf_l4_csum_replace on a real IPv4/UDP packet (all field sizes, the
 * pseudo-header and mangled-0 flags, bad arguments), bpf_csum_diff over
 * stack data with seeds. The packet bytes after the helpers and the values
 * returned must be bit-identical. */
#include "diff.h"

#define TC BPF_PROG_TYPE_SCHED_CLS

static uint8_t u4[512], z4[512];
static uint32_t u4len;

#define CSUM_FOLD "Linux 6.13+ folds bpf_csum_diff's result to 16 bits; v5.1 returned csum_partial's 32-bit sum"

static void ccase_k(const char *name, const uint8_t *pkt, const struct bpf_insn *p, uint32_t n, const char *known)
{
	struct pcase c = { name, TC, p, n, pkt, u4len, NULL, CMP_ALL, known, 0 };
	diff_case(&c);
}

static void ccase(const char *name, const uint8_t *pkt, const struct bpf_insn *p, uint32_t n)
{
	ccase_k(name, pkt, p, n, NULL);
}

/* r6 = ctx; a 4-byte word of the packet at `off` into r7 (as stored). */
#define LOAD_WORD(off) MOV64_REG(6, 1), MOV64_IMM(2, off), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8), \
	MOV64_IMM(4, 4), CALL(BPF_FUNC_skb_load_bytes), LDX(0, 7, 10, -8)

void diff_helpers_csum(void)
{
	char name[128];
	u4len = pkt_udp4(u4, 64, 0x10);
	memcpy(z4, u4, u4len);
	z4[40] = z4[41] = 0;            /* UDP without a checksum */
	/* l3: TTL 64 -> 63 as a 2-byte change of [ttl, proto] */
	ccase("l3_csum_replace ttl (2 bytes)",
	      u4, P(LOAD_WORD(22), MOV64_REG(8, 7), ALU64_IMM(0x50, 8, 0xffff), MOV64_REG(9, 8), ALU64_IMM(0x10, 9, 1),
		    STX(0x08, 10, 9, -8), MOV64_REG(1, 6), MOV64_IMM(2, 22), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -8),
		    MOV64_IMM(4, 2), MOV64_IMM(5, 0), CALL(BPF_FUNC_skb_store_bytes), MOV64_REG(1, 6), MOV64_IMM(2, 24),
		    MOV64_REG(3, 8), MOV64_REG(4, 9), MOV64_IMM(5, 2), CALL(BPF_FUNC_l3_csum_replace), EXIT()));
	/* l3 and l4 (pseudo header): a new source address, 4 bytes */
	for (int pseudo = 0; pseudo < 2; pseudo++)
		for (int mm = 0; mm < 4; mm++) {
			int64_t l4flags = 4 | (pseudo ? 0x10 : 0) | (mm & 1 ? 0x20 : 0) | (mm & 2 ? 0x40 : 0);
			for (int z = 0; z < 2; z++) {
				snprintf(name, sizeof(name), "saddr rewrite, l4 flags 0x%llx%s", (long long)l4flags,
					 z ? ", udp csum 0" : "");
				ccase(name, z ? z4 : u4,
				      P(LOAD_WORD(26), ST(0, 10, -16, 0x0a0b0c0d), MOV64_REG(1, 6), MOV64_IMM(2, 26),
					MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -16), MOV64_IMM(4, 4), MOV64_IMM(5, 0),
					CALL(BPF_FUNC_skb_store_bytes), MOV64_REG(1, 6), MOV64_IMM(2, 24), MOV64_REG(3, 7),
					MOV64_IMM(4, 0x0a0b0c0d), MOV64_IMM(5, 4), CALL(BPF_FUNC_l3_csum_replace),
					MOV64_REG(8, 0), MOV64_REG(1, 6), MOV64_IMM(2, 40), MOV64_REG(3, 7),
					MOV64_IMM(4, 0x0a0b0c0d), MOV64_IMM(5, (int32_t)l4flags),
					CALL(BPF_FUNC_l4_csum_replace), ALU64_IMM(0x60, 8, 8), ALU64_REG(0x40, 0, 8), EXIT()));
			}
		}
	/* by a csum_diff (size 0) */
	uint32_t seeds[] = { 0, 1, 0xffff, 0x10000, 0xffffffff, 0x12345678 };
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		for (int l4 = 0; l4 < 2; l4++) {
			snprintf(name, sizeof(name), "%s_csum_replace by diff seed 0x%x", l4 ? "l4" : "l3", seeds[i]);
			ccase(name, u4,
			      P(MOV64_REG(6, 1), ST(0, 10, -8, 0x01020304), ST(0, 10, -4, (int32_t)0xfffefdfc),
				ST(0, 10, -16, (int32_t)0xa0b0c0d0), ST(0, 10, -12, 0x7f), MOV64_REG(1, 10),
				ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 8), MOV64_REG(3, 10), ALU64_IMM(0x00, 3, -16),
				MOV64_IMM(4, 8), LD_IMM64(5, seeds[i]), CALL(BPF_FUNC_csum_diff), MOV64_REG(7, 0),
				MOV64_REG(1, 6), MOV64_IMM(2, l4 ? 40 : 24), MOV64_IMM(3, 0), MOV64_REG(4, 7),
				MOV64_IMM(5, l4 ? 0x10 : 0), CALL(l4 ? BPF_FUNC_l4_csum_replace : BPF_FUNC_l3_csum_replace),
				EXIT()));
		}
	}
	/* bad arguments: odd or far offsets, flags, from != 0 with size 0 */
	struct { int32_t off; int64_t from, flags; int l4; } bad[] = {
		{ 25, 0, 2, 0 }, { 0x10000, 0, 2, 0 }, { (int32_t)u4len - 1, 0, 2, 0 }, { (int32_t)u4len - 2, 0, 2, 0 },
		{ 24, 0, 3, 0 }, { 24, 0, 0x12, 0 }, { 24, 5, 0, 0 }, { 40, 0, 0x100 | 2, 1 }, { 40, 0, 8, 1 },
		{ 41, 0, 2, 1 }, { 40, 1, 0x10, 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "%s_csum_replace(off %d, from %lld, flags 0x%llx)", bad[i].l4 ? "l4" : "l3",
			 bad[i].off, (long long)bad[i].from, (long long)bad[i].flags);
		ccase(name, u4, P(MOV64_IMM(2, bad[i].off), MOV64_IMM(3, (int32_t)bad[i].from), MOV64_IMM(4, 0x1234),
				  MOV64_IMM(5, (int32_t)bad[i].flags),
				  CALL(bad[i].l4 ? BPF_FUNC_l4_csum_replace : BPF_FUNC_l3_csum_replace), EXIT()));
	}
	/* csum_diff: sizes and seeds over 64 bytes of stack */
	for (int32_t fs = 0; fs <= 32; fs += 4) {
		for (int32_t ts = 0; ts <= 32; ts += 12) {
			for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s += 2) {
				snprintf(name, sizeof(name), "csum_diff(%d, %d, seed 0x%x)", fs, ts, seeds[s]);
				ccase_k(name, u4,
				      P(LD_IMM64(1, 0x8899aabbccddeeffull), STX(0x18, 10, 1, -64), LD_IMM64(1, 0xffffffff00000001ull),
					STX(0x18, 10, 1, -56), LD_IMM64(1, 0x0123456789abcdefull), STX(0x18, 10, 1, -48),
					LD_IMM64(1, 0xfedcba9876543210ull), STX(0x18, 10, 1, -40), STX(0x18, 10, 1, -32),
					LD_IMM64(1, 0xffffffffffffffffull), STX(0x18, 10, 1, -24), STX(0x18, 10, 1, -16),
					MOV64_IMM(1, 0), STX(0x18, 10, 1, -8),
					MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -64), MOV64_IMM(2, fs), MOV64_REG(3, 10),
					ALU64_IMM(0x00, 3, -32), MOV64_IMM(4, ts), LD_IMM64(5, seeds[s]),
					CALL(BPF_FUNC_csum_diff), EXIT()), CSUM_FOLD);
			}
		}
	}
	ccase_k("csum_diff(3, 0)", u4, P(ST(0, 10, -8, 1), MOV64_REG(1, 10), ALU64_IMM(0x00, 1, -8), MOV64_IMM(2, 3),
				      MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(BPF_FUNC_csum_diff), EXIT()),
		"Linux 6.13+ takes any sizes in bpf_csum_diff; v5.1 only whole words (-EINVAL)");
	ccase_k("csum_diff(0, 0)", u4, P(MOV64_IMM(1, 0), MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
				      MOV64_IMM(5, 77), CALL(BPF_FUNC_csum_diff), EXIT()), CSUM_FOLD);
}
