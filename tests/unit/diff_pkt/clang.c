/* Programs as clang writes them (the .c files of tests/data/pkt, built at test time):
 * compiler-generated packet parsing, narrow context loads, checksum helpers,
 * run on Linux and bpfvm with several packets. Skipped without clang. */
#include "diff.h"
#include <gelf.h>
#include <libelf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* The instructions of section `sec` of an ELF object (no relocations to
 * apply: the programs use no maps). */
static struct bpf_insn *section_insns(const char *path, const char *sec, uint32_t *n)
{
	struct bpf_insn *p = NULL;
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
			GElf_Shdr sh;
			const char *name;
			if (!gelf_getshdr(s, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)) || strcmp(name, sec))
				continue;
			Elf_Data *d = elf_getdata(s, NULL);
			if (d && d->d_size && (p = malloc(d->d_size))) {
				memcpy(p, d->d_buf, d->d_size);
				*n = (uint32_t)(d->d_size / sizeof(*p));
			}
			break;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return p;
}

static struct bpf_insn *build(const char *src, const char *sec, uint32_t *n)
{
	char cmd[512], obj[64];
	snprintf(obj, sizeof(obj), "/tmp/bpfvm-diff-pkt-%d-%s.o", (int)getpid(), sec);
	snprintf(cmd, sizeof(cmd), "%s -O2 -target bpf -Iinclude -c tests/data/pkt/%s -o %s 2>/dev/null",
		 getenv("CLANG") ? getenv("CLANG") : "clang", src, obj);
	if (system(cmd) != 0)
		return NULL;
	struct bpf_insn *p = section_insns(obj, sec, n);
	unlink(obj);
	return p;
}

void diff_clang(void)
{
	uint32_t nn = 0, nr = 0;
	struct bpf_insn *nat = build("nat.c", "tc", &nn), *refl = build("reflect.c", "xdp", &nr);
	if (!nat || !refl) {
		printf("skip  clang-built programs: clang -target bpf is not available\n");
		tally.skipped++;
		free(nat);
		free(refl);
		return;
	}
	static uint8_t pk[8][2048];
	uint32_t len[8];
	len[0] = pkt_udp4(pk[0], 0, 0);
	len[1] = pkt_udp4(pk[1], 100, 0x10);
	len[2] = pkt_udp4(pk[2], 1000, 0);
	len[3] = pkt_tcp6(pk[3], 50, 0);
	len[4] = pkt_vlan(pk[4], 30);
	len[5] = pkt_udp4(pk[5], 7, 0);
	pk[5][40] = pk[5][41] = 0;      /* no UDP checksum */
	len[6] = 41;                    /* too short for the NAT */
	memcpy(pk[6], pk[1], 41);
	len[7] = pkt_udp4(pk[7], 1400, 3);
	char name[64];
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "clang nat.c packet %d", i);
		struct pcase c = { name, BPF_PROG_TYPE_SCHED_CLS, nat, nn, pk[i], len[i], NULL, CMP_ALL, NULL, 0 };
		diff_case(&c);
		snprintf(name, sizeof(name), "clang reflect.c packet %d", i);
		/* the kernel's data_out starts with the 4 bytes of metadata */
		struct pcase x = { name, BPF_PROG_TYPE_XDP, refl, nr, pk[i], len[i], NULL, CMP_ALL, NULL, 4 };
		diff_case(&x);
	}
	free(nat);
	free(refl);
}
