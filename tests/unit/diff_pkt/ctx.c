/* Context sweeps: every offset and size of the packet types' contexts,
 * read and written, with the kernel's verdict (does the verifier accept
 * the access?) against bpfvm's table (bpfvm_ctx_access), and, where both
 * accept, the value the access gives in a test run. */
#include "diff.h"
#include "progs/progs.h"
#include <stddef.h>

#define SKB(f) offsetof(struct __sk_buff, f)

static uint8_t pkt[256];
static uint32_t plen;

/* Why Linux 6.x answers differently from v5.1 for this access, or NULL. */
static const char *known_access(int type, uint32_t off, uint32_t size, int write)
{
	int tc = type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT;
	if (type != BPF_PROG_TYPE_XDP && !write && off >= 176 && off < 180 && size <= 4)
		return "Linux 5.7+ has __sk_buff.gso_size after sk";
	if (tc && !write && off == 180 && size == 1)
		return "Linux 5.18+ has __sk_buff.tstamp_type after gso_size";
	if (type == BPF_PROG_TYPE_XDP && off >= sizeof(struct xdp_md))
		return NULL;
	if (write && tc && off == SKB(queue_mapping) && size == 4)
		return "tc may write queue_mapping since Linux 5.17";
	return NULL;
}

static int pointer_read(int type, uint32_t off, uint32_t size)
{
	enum bpfvm_ctx_reg reg = CTX_REG_SCALAR;
	if (bpfvm_ctx_access(bpfvm_prog_type_get((uint32_t)type), 0, off, size, 0, &reg, NULL) < 0)
		return 0;
	return reg != CTX_REG_SCALAR;
}

static uint8_t ldx(uint32_t size)
{
	return size == 1 ? 0x10 : size == 2 ? 0x08 : size == 4 ? 0x00 : 0x18;
}

static void sweep_read(int type, const char *tname, uint32_t ctx_size)
{
	char name[96];
	for (uint32_t size = 1; size <= 8; size *= 2) {
		for (uint32_t off = 0; off < ctx_size + 8; off += size) {
			int ours = bpfvm_ctx_access(bpfvm_prog_type_get((uint32_t)type), 0, off, size, 0, NULL, NULL) == 0;
			snprintf(name, sizeof(name), "%s read off %u size %u", tname, off, size);
			const char *known = known_access(type, off, size, 0);
			if (pointer_read(type, off, size) || !ours) {
				/* a pointer is no value to compare: the verdict only */
				diff_verdict(name, type, P(LDX(ldx(size), 2, 1, (int16_t)off), MOV64_IMM(0, 0), EXIT()),
					     ours, ours ? known : known_access(type, off, size, 0));
				continue;
			}
			struct pcase c = { name, type, P(LDX(ldx(size), 0, 1, (int16_t)off), EXIT()), pkt, plen, NULL,
					   CMP_RET, known, 0 };
			diff_case(&c);
		}
	}
}

static void sweep_write(int type, const char *tname, uint32_t ctx_size)
{
	char name[96];
	for (uint32_t size = 1; size <= 8; size *= 2) {
		for (uint32_t off = 0; off < ctx_size + 8; off += size) {
			const struct bpfvm_prog_type *t = bpfvm_prog_type_get((uint32_t)type);
			int ours = bpfvm_ctx_access(t, 0, off, size, 1, NULL, NULL) == 0;
			int readable = bpfvm_ctx_access(t, 0, off, size, 0, NULL, NULL) == 0;
			snprintf(name, sizeof(name), "%s write off %u size %u", tname, off, size);
			const char *known = known_access(type, off, size, 1);
			if (!ours) {
				diff_verdict(name, type, P(MOV64_IMM(2, 0x7a), STX(ldx(size), 1, 2, (int16_t)off),
							   MOV64_IMM(0, 0), EXIT()), ours, known);
				continue;
			}
			/* write, then read back what the context now says */
			struct pcase c = { name, type,
					   P(LD_IMM64(2, 0x0102030405060708ull), STX(ldx(size), 1, 2, (int16_t)off),
					     MOV64_IMM(0, 0), readable ? LDX(ldx(size), 0, 1, (int16_t)off) : MOV64_IMM(0, 0),
					     EXIT()),
					   pkt, plen, NULL, CMP_RET | CMP_DATA, known, 0 };
			diff_case(&c);
		}
	}
}

/* A context in and out (Linux 5.2+ test runs): what may be given, what
 * comes back. */
static void ctx_in_out(void)
{
	static struct __sk_buff in[6];
	in[0].mark = 0x1234;
	in[0].priority = 7;
	in[0].cb[0] = 0xdeadbeef;
	in[0].cb[4] = 0x55;
	in[0].tstamp = 123456789;
	in[1].len = 5;                  /* not settable: -EINVAL */
	in[2].wire_len = 1000;
	in[2].gso_segs = 3;
	in[3].wire_len = 10;            /* less than the packet: -EINVAL */
	in[4].ingress_ifindex = 11;
	in[5].ifindex = 4242;           /* no such device: -ENODEV */
	static const int types[] = { BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_CGROUP_SKB,
				     BPF_PROG_TYPE_LWT_OUT };
	char name[96];
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
			snprintf(name, sizeof(name), "type %d ctx_in #%zu", types[t], i);
			/* cb[1] = mark + 1 (types that may write cb) */
			struct pcase c = { name, types[t],
					   P(LDX(0, 2, 1, SKB(mark)), ALU64_IMM(0x00, 2, 1), STX(0, 1, 2, SKB(cb[1])),
					     LDX(0, 0, 1, SKB(priority)), EXIT()),
					   pkt, plen, &in[i], CMP_RET | CMP_DATA | CMP_CTX, NULL, 0 };
			diff_case(&c);
		}
	}
}

void diff_ctx_sweep(void)
{
	plen = pkt_udp4(pkt, 64, 0);
	static const struct { int type; const char *name; } skb_types[] = {
		{ BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter" }, { BPF_PROG_TYPE_SCHED_CLS, "sched_cls" },
		{ BPF_PROG_TYPE_SCHED_ACT, "sched_act" }, { BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb" },
		{ BPF_PROG_TYPE_LWT_IN, "lwt_in" }, { BPF_PROG_TYPE_LWT_OUT, "lwt_out" },
		{ BPF_PROG_TYPE_LWT_XMIT, "lwt_xmit" },
	};
	for (size_t i = 0; i < sizeof(skb_types) / sizeof(skb_types[0]); i++) {
		sweep_read(skb_types[i].type, skb_types[i].name, sizeof(struct __sk_buff));
		sweep_write(skb_types[i].type, skb_types[i].name, sizeof(struct __sk_buff));
	}
	sweep_read(BPF_PROG_TYPE_XDP, "xdp", sizeof(struct xdp_md));
	sweep_write(BPF_PROG_TYPE_XDP, "xdp", sizeof(struct xdp_md));
	ctx_in_out();
}
