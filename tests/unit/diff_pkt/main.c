/* The runner of the packet differential tests: loads each case into the
 * running kernel (tests/lib/kernel_oracle) and into bpfvm, test-runs both
 * and compares. Skips cleanly where bpf() cannot be used.
 *
 * bpfvm's union bpf_attr is layout-identical to the kernel's, so test runs
 * with a context (ctx_in / ctx_out, Linux 5.2+) are made with it through
 * the raw syscall on the kernel side. */
#include "diff.h"
#include "lib/kernel_oracle.h"
#include "progs/progs.h"
#include "sys/sys.h"
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

struct bpfvm *vm;
struct tally tally;
static int verbose;

static int kernel_test_run(int fd, const struct pcase *c, struct side *s)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)c->pkt;
	a.test.data_size_in = c->len;
	a.test.data_out = (uint64_t)(uintptr_t)s->out;
	a.test.data_size_out = sizeof(s->out);
	a.test.repeat = 1;
	if (c->ctx) {
		a.test.ctx_in = (uint64_t)(uintptr_t)c->ctx;
		a.test.ctx_size_in = sizeof(*c->ctx);
		a.test.ctx_out = (uint64_t)(uintptr_t)&s->ctx_out;
		a.test.ctx_size_out = sizeof(s->ctx_out) + sizeof(s->ctx_tail);
	}
	int rc = (int)syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a));
	s->run = rc < 0 ? -errno : 0;
	s->retval = a.test.retval;
	s->out_len = a.test.data_size_out;
	s->ctx_out_len = a.test.ctx_size_out;
	return s->run;
}

void run_kernel(const struct pcase *c, struct side *s)
{
	memset(s, 0, sizeof(*s));
	s->load = ko_prog_load(c->type, c->insns, c->n, NULL, 0);
	if (s->load < 0)
		return;
	kernel_test_run(s->load, c, s);
	ko_close(s->load);
}

/* bpfvm: through bpfvm_bpf; with a context, the type's test_run directly
 * (the command layer takes attrs up to test.duration, v5.1's). */
void run_bpfvm(const struct pcase *c, struct side *s)
{
	memset(s, 0, sizeof(*s));
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = (uint32_t)c->type;
	a.insns = (uint64_t)(uintptr_t)c->insns;
	a.insn_cnt = c->n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	s->load = bpfvm_bpf(vm, BPF_PROG_LOAD, &a, sizeof(a));
	if (s->load < 0) {
		s->load = -errno;
		return;
	}
	int fd = s->load;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)c->pkt;
	a.test.data_size_in = c->len;
	a.test.data_out = (uint64_t)(uintptr_t)s->out;
	a.test.data_size_out = sizeof(s->out);
	a.test.repeat = 1;
	if (!c->ctx) {
		int rc = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a));
		s->run = rc < 0 ? -errno : 0;
	} else {
		a.test.ctx_in = (uint64_t)(uintptr_t)c->ctx;
		a.test.ctx_size_in = sizeof(*c->ctx);
		a.test.ctx_out = (uint64_t)(uintptr_t)&s->ctx_out;
		a.test.ctx_size_out = sizeof(s->ctx_out);
		struct bpfvm_file f;
		s->run = bpfvm_fd_get(vm, fd, FILE_PROG, &f);
		if (s->run == 0) {
			const struct bpfvm_prog_type *t = bpfvm_prog_type_get((uint32_t)c->type);
			s->run = t->test_run(f.obj, &a, &a, sizeof(a));
			bpfvm_obj_put(FILE_PROG, f.obj);
		}
	}
	s->retval = a.test.retval;
	s->out_len = a.test.data_size_out;
	s->ctx_out_len = a.test.ctx_size_out;
	bpfvm_close(vm, fd);
}

static void hexdump(const char *who, const uint8_t *p, uint32_t n)
{
	fprintf(stderr, "    %s (%u):", who, n);
	for (uint32_t i = 0; i < n && i < 96; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n      ", p[i]);
	fprintf(stderr, "\n");
}

static int same(const struct pcase *c, const struct side *k, const struct side *b, char *why, size_t wn)
{
	if ((k->load >= 0) != (b->load >= 0)) {
		snprintf(why, wn, "load: kernel %d, bpfvm %d", k->load, b->load);
		return 0;
	}
	if (k->load < 0)
		return 1;
	if (k->run != b->run) {
		snprintf(why, wn, "run: kernel %d, bpfvm %d", k->run, b->run);
		return 0;
	}
	if (k->run && k->run != -ENOSPC)
		return 1;
	if ((c->cmp & CMP_RET) && k->retval != b->retval) {
		snprintf(why, wn, "retval: kernel %u (%d), bpfvm %u (%d)", k->retval, (int32_t)k->retval, b->retval,
			 (int32_t)b->retval);
		return 0;
	}
	if ((c->cmp & CMP_NONZERO) && !k->retval != !b->retval) {
		snprintf(why, wn, "retval zero-ness: kernel %u, bpfvm %u", k->retval, b->retval);
		return 0;
	}
	uint32_t shown = k->out_len < sizeof(k->out) ? k->out_len : (uint32_t)sizeof(k->out);
	uint32_t meta = c->kernel_meta <= shown ? c->kernel_meta : shown;
	if ((c->cmp & CMP_DATA) && (k->out_len - meta != b->out_len || memcmp(k->out + meta, b->out, shown - meta))) {
		snprintf(why, wn, "data_out differs (kernel %u bytes, bpfvm %u)", k->out_len, b->out_len);
		return 0;
	}
	/* Linux 6.x's __sk_buff is longer than v5.1's: its ctx_size_out
	 * says so; the v5.1 part must agree. */
	if ((c->cmp & CMP_CTX) && (k->ctx_out_len < sizeof(struct __sk_buff) ||
				   memcmp(&k->ctx_out, &b->ctx_out, sizeof(struct __sk_buff)))) {
		snprintf(why, wn, "ctx_out differs");
		return 0;
	}
	return 1;
}

void diff_case(const struct pcase *c)
{
	static struct side k, b;
	char why[160];
	run_kernel(c, &k);
	run_bpfvm(c, &b);
	tally.cases++;
	int ok = same(c, &k, &b, why, sizeof(why));
	if (ok && !c->known) {
		tally.agree++;
		if (verbose)
			printf("ok    %s\n", c->name);
		return;
	}
	if (ok) {
		tally.known_agree++;
		if (verbose)
			printf("note  %s: agrees although listed as a known difference (%s)\n", c->name, c->known);
		return;
	}
	if (c->known) {
		tally.known++;
		printf("known %s: %s -- %s\n", c->name, why, c->known);
		return;
	}
	tally.differ++;
	test_checks++;
	test_failures++;
	fprintf(stderr, "DIFF  %s: %s\n", c->name, why);
	if (strstr(why, "data_out")) {
		uint32_t first = 0;
		while (first < k.out_len && first < b.out_len && k.out[first] == b.out[first])
			first++;
		fprintf(stderr, "    first difference at byte %u\n", first);
		hexdump("kernel", k.out, k.out_len);
		hexdump("bpfvm", b.out, b.out_len);
	}
}

void diff_verdict(const char *name, int type, const struct bpf_insn *p, uint32_t n, int ours, const char *known)
{
	int fd = ko_prog_load(type, p, n, NULL, 0);
	int theirs = fd >= 0;
	ko_close(fd);
	tally.cases++;
	if (theirs == ours && !known) {
		tally.agree++;
		return;
	}
	if (theirs == ours) {
		tally.known_agree++;
		if (verbose)
			printf("note  %s: agrees although listed as a known difference (%s)\n", name, known);
		return;
	}
	if (known) {
		tally.known++;
		printf("known %s: kernel %s, bpfvm %s -- %s\n", name, theirs ? "accepts" : "refuses",
		       ours ? "accepts" : "refuses", known);
		return;
	}
	tally.differ++;
	test_checks++;
	test_failures++;
	fprintf(stderr, "DIFF  %s: kernel %s, bpfvm %s\n", name, theirs ? "accepts" : "refuses", ours ? "accepts" : "refuses");
}

/* ---- packets ---- */

static void ip_csum(uint8_t *ip)
{
	uint32_t s = 0;
	ip[10] = ip[11] = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	ip[10] = (uint8_t)(s >> 8);
	ip[11] = (uint8_t)s;
}

uint32_t pkt_udp4(uint8_t *f, uint32_t payload, uint8_t tos)
{
	static const uint8_t hdr[42] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0x00, 0, 0, 0x12, 0x34, 0x40, 0x00, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0, 0, 0x12, 0x34 };
	memcpy(f, hdr, sizeof(hdr));
	f[15] = tos;
	uint16_t tot = (uint16_t)(28 + payload), ul = (uint16_t)(8 + payload);
	f[16] = (uint8_t)(tot >> 8);
	f[17] = (uint8_t)tot;
	f[38] = (uint8_t)(ul >> 8);
	f[39] = (uint8_t)ul;
	for (uint32_t i = 0; i < payload; i++)
		f[42 + i] = (uint8_t)(i * 7 + 3);
	ip_csum(f + 14);
	return 42 + payload;
}

uint32_t pkt_tcp6(uint8_t *f, uint32_t payload, uint8_t tclass)
{
	memset(f, 0, 74);
	memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x86\xdd", 14);
	uint8_t *ip = f + 14;
	ip[0] = (uint8_t)(0x60 | tclass >> 4);
	ip[1] = (uint8_t)(tclass << 4);
	uint16_t pl = (uint16_t)(20 + payload);
	ip[4] = (uint8_t)(pl >> 8);
	ip[5] = (uint8_t)pl;
	ip[6] = 6;
	ip[7] = 64;
	ip[8] = 0x20; ip[9] = 0x01; ip[23] = 1;        /* 2001::1 */
	ip[24] = 0x20; ip[25] = 0x01; ip[39] = 2;      /* 2001::2 */
	uint8_t *th = ip + 40;
	th[0] = 0x30; th[1] = 0x39; th[2] = 0x00; th[3] = 0x50;
	th[12] = 0x50;
	th[13] = 0x02;
	for (uint32_t i = 0; i < payload; i++)
		th[20 + i] = (uint8_t)(i ^ 0x5a);
	return 74 + payload;
}

uint32_t pkt_vlan(uint8_t *f, uint32_t payload)
{
	uint8_t tmp[2048];
	uint32_t n = pkt_udp4(tmp, payload, 0);
	memcpy(f, tmp, 12);
	f[12] = 0x81; f[13] = 0x00; f[14] = 0x20; f[15] = 0x05;        /* VID 5, PCP 1 */
	memcpy(f + 16, tmp + 12, n - 12);
	return n + 4;
}

int main(int argc, char **argv)
{
	char why[256];
	verbose = argc > 1 && !strcmp(argv[1], "-v");
	if (!ko_available(why, sizeof(why)))
		test_skip(why);
	vm = bpfvm_new();
	diff_ctx_sweep();
	diff_helpers_xdp();
	diff_helpers_skb();
	diff_helpers_csum();
	diff_clang();
	bpfvm_net_clear(vm);
	bpfvm_free(vm);
	printf("%u cases: %u agree, %u known differences (listed above), %u agree despite a listed difference, "
	       "%u unexpected differences, %u skipped\n", tally.cases, tally.agree, tally.known, tally.known_agree,
	       tally.differ, tally.skipped);
	test_checks++;
	return test_done();
}
