/* Differential tests of the packet program types: the same program and
 * packet through Linux's BPF_PROG_TEST_RUN and bpfvm's, comparing the load
 * verdict, retval, data_out and (where given) ctx_out. */
#ifndef DIFF_PKT_H
#define DIFF_PKT_H
#include "test.h"
#include "lib/insn.h"
#include <bpfvm/bpfvm.h>

/* One side's result. */
struct side {
	int load;                       /* fd, or -errno */
	int run;                        /* 0 or -errno */
	uint32_t retval;
	uint32_t out_len;
	uint8_t out[8192];
	uint32_t ctx_out_len;
	struct __sk_buff ctx_out;
	uint8_t ctx_tail[64];           /* what a later kernel's longer __sk_buff adds */
};

/* What to compare. */
enum {
	CMP_RET = 1,            /* retval */
	CMP_DATA = 2,           /* data_out and its size */
	CMP_CTX = 4,            /* ctx_out */
	CMP_NONZERO = 8,        /* retval: only whether it is 0 (random-seeded values) */
	CMP_ALL = CMP_RET | CMP_DATA,
};

struct pcase {
	const char *name;
	int type;
	const struct bpf_insn *insns;
	uint32_t n;
	const uint8_t *pkt;
	uint32_t len;
	const struct __sk_buff *ctx;    /* ctx_in (and ask for ctx_out), or NULL */
	unsigned cmp;
	/* A difference that is expected, and why (Linux 6.x is not v5.1);
	 * NULL: the two must agree. */
	const char *known;
	/* Linux 5.14+ copies an XDP frame out from data_meta: the metadata
	 * length to skip in the kernel's data_out before comparing. */
	uint32_t kernel_meta;
};

extern struct bpfvm *vm;

/* Runs a case on both sides and compares; counts and reports. */
void diff_case(const struct pcase *c);
/* Only the load verdict of a program (both sides: accepted or refused);
 * bpfvm's verdict is `ours` (its table says the access is fine). */
void diff_verdict(const char *name, int type, const struct bpf_insn *p, uint32_t n, int ours, const char *known);
/* Runs on one side. */
void run_kernel(const struct pcase *c, struct side *s);
void run_bpfvm(const struct pcase *c, struct side *s);

/* The cases. */
void diff_ctx_sweep(void);
void diff_helpers_xdp(void);
void diff_helpers_skb(void);
void diff_helpers_csum(void);
void diff_clang(void);

/* Packets. */
uint32_t pkt_udp4(uint8_t *f, uint32_t payload, uint8_t tos);
uint32_t pkt_tcp6(uint8_t *f, uint32_t payload, uint8_t tclass);
uint32_t pkt_vlan(uint8_t *f, uint32_t payload);

/* The tallies. */
struct tally {
	unsigned cases, agree, known, known_agree, differ, skipped;
};
extern struct tally tally;

#define P(...) ((const struct bpf_insn[]){ __VA_ARGS__ }), (uint32_t)(sizeof((const struct bpf_insn[]){ __VA_ARGS__ }) / sizeof(struct bpf_insn))
#endif
