/* Programs written for libbpf load unchanged: objects compiled at test time
 * by clang from tests/data/realworld/ (bpfvm's own sources, after the
 * patterns of xdp-tutorial, libbpf-bootstrap and cilium/ebpf's test data)
 * with libbpf-style includes — <bpf/bpf_helpers.h>, <bpf/bpf_endian.h>,
 * resolved by -Iinclude/bpfvm/compat to bpfvm's headers — and the system's
 * <linux/...> headers. Each is loaded, run over packets built here, and
 * checked for exact verdicts, packet bytes and map contents; where bpf()
 * is available (root), the same instructions and maps are also loaded into
 * the running kernel, run over the same packets, and the two compared
 * (verdicts, output packets, maps).
 *
 * Also: the headers (what compiles and what must not), map pinning by name
 * (LIBBPF_PIN_BY_NAME, in the vm's pin namespace), and loader messages.
 *
 * As a tool: `build/tests/realworld --compare OBJ...` prints, for each
 * program of each object, whether it loads in bpfvm and in the kernel and
 * whether test runs over a fixed set of packets agree.
 *
 * Without clang (or <linux/bpf.h>) the test is skipped. */
#include "test.h"
#include "obj/obj.h"
#include "lib/kernel_cmd.h"
#include "lib/kernel_oracle.h"
#include <bpfvm/bpfvm.h>
#include <bpfvm/object.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static char include_args[512];

/* ---- building objects -------------------------------------------------------- */

static void find_includes(void)
{
	/* <linux/bpf.h> needs <asm/types.h>, in the multiarch directory that
	 * -target bpf does not search. */
	char arch[128] = "", dir[256];
	struct stat st;
	FILE *p = popen("clang -print-multiarch 2>/dev/null", "r");
	if (p) {
		if (!fgets(arch, sizeof(arch), p))
			arch[0] = 0;
		pclose(p);
	}
	arch[strcspn(arch, "\n")] = 0;
	snprintf(dir, sizeof(dir), "/usr/include/%s", arch);
	int multi = arch[0] && !stat(dir, &st);
	snprintf(include_args, sizeof(include_args), "-Iinclude/bpfvm/compat%s%s", multi ? " -I" : "",
		 multi ? dir : "");
}

/* Compiles src into tmpdir/name.o; 0 or the compiler's status, its
 * messages in errs (if given). */
static int compile(const char *src, const char *name, const char *extra, char *errs, size_t errlen)
{
	char cmd[2048], errf[128];
	snprintf(errf, sizeof(errf), "%s/%s.err", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "clang -O2 -g -target bpf -Wall -Werror %s %s -c %s -o %s/%s.o 2>%s", include_args,
		 extra ? extra : "", src, tmpdir, name, errf);
	int rc = system(cmd);
	if (errs && errlen) {
		errs[0] = 0;
		FILE *f = fopen(errf, "r");
		if (f) {
			size_t n = fread(errs, 1, errlen - 1, f);
			errs[n] = 0;
			fclose(f);
		}
	}
	return rc;
}

static const char *build(const char *name)
{
	static char out[256];
	char src[256], errs[4096];
	snprintf(src, sizeof(src), "tests/data/realworld/%s.bpf.c", name);
	if (compile(src, name, NULL, errs, sizeof(errs)) != 0) {
		fprintf(stderr, "clang failed on %s:\n%s\n", src, errs);
		exit(1);
	}
	snprintf(out, sizeof(out), "%s/%s.o", tmpdir, name);
	return out;
}

/* A source given as text, compiled: 0 or the compiler's status. */
static int compile_text(const char *name, const char *text, char *errs, size_t errlen)
{
	char src[128];
	snprintf(src, sizeof(src), "%s/%s.bpf.c", tmpdir, name);
	FILE *f = fopen(src, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return compile(src, name, NULL, errs, errlen);
}

static const char *obj_path(const char *name)
{
	static char out[256];
	snprintf(out, sizeof(out), "%s/%s.o", tmpdir, name);
	return out;
}

/* ---- packets ------------------------------------------------------------------ */

struct spec {
	int nvlan;
	uint16_t tpid[2], vid[2];       /* 0x8100 (802.1Q) or 0x88a8 (802.1ad) */
	int l3;                         /* 4, 6, or 0: just `ethertype` */
	uint16_t ethertype;
	uint8_t proto;                  /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	uint32_t saddr, daddr;          /* IPv4, host order */
	uint16_t sport, dport;
	uint16_t seq;                   /* ICMP/ICMPv6 echo sequence */
	uint8_t icmp_type;              /* default: echo request */
	int ip_opts;                    /* IPv4 option words (NOPs) */
	uint16_t frag;                  /* IPv4 frag_off field */
	int payload;
	int udp_nocsum;
	int cut;                        /* truncate to this length (0: no) */
};

#define SRC_A 0xc0a80001u              /* 192.168.0.1 */
#define SRC_B 0xc0a80002u
#define DST_X 0x0a0000feu              /* 10.0.0.254 */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static const uint8_t ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static uint32_t build_pkt(const struct spec *s, uint8_t *b)
{
	uint32_t n = 0;
	memset(b, 0, 512);
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	memcpy(b, macs, 12);
	n = 12;
	for (int i = 0; i < s->nvlan; i++) {
		put16(b + n, s->tpid[i]);
		put16(b + n + 2, s->vid[i]);
		n += 4;
	}
	uint16_t et = s->l3 == 4 ? 0x0800 : s->l3 == 6 ? 0x86dd : s->ethertype;
	put16(b + n, et);
	n += 2;
	uint32_t l3 = n, l4;
	if (s->l3 == 4) {
		l4 = l3 + 20 + 4 * (uint32_t)s->ip_opts;
		memset(b + l3 + 20, 1, 4 * (size_t)s->ip_opts);
	} else if (s->l3 == 6) {
		l4 = l3 + 40;
	} else {
		memset(b + n, 0xab, (size_t)s->payload);
		n += (uint32_t)s->payload;
		return s->cut ? (uint32_t)s->cut : n;
	}
	uint32_t l4len;
	uint8_t *t = b + l4;
	if (s->proto == 6) {
		put16(t, s->sport);
		put16(t + 2, s->dport);
		put32(t + 4, 1);
		t[12] = 5 << 4;
		t[13] = 0x02;           /* SYN */
		put16(t + 14, 65535);
		l4len = 20;
	} else if (s->proto == 17) {
		put16(t, s->sport);
		put16(t + 2, s->dport);
		l4len = 8;
	} else if (s->proto == 1 || s->proto == 58) {
		t[0] = s->icmp_type ? s->icmp_type : s->proto == 1 ? 8 : 128;
		put16(t + 4, 0x42);
		put16(t + 6, s->seq);
		l4len = 8;
	} else {
		l4len = 0;
	}
	for (int i = 0; i < s->payload; i++)
		t[l4len + (uint32_t)i] = (uint8_t)i;
	l4len += (uint32_t)s->payload;
	if (s->proto == 17)
		put16(t + 4, (uint16_t)l4len);
	/* the pseudo header's sum */
	uint32_t ph = 0;
	if (s->l3 == 4) {
		uint8_t *ip = b + l3;
		ip[0] = (uint8_t)(0x45 + s->ip_opts);
		put16(ip + 2, (uint16_t)(l4 - l3 + l4len));
		put16(ip + 4, 0x1234);
		put16(ip + 6, s->frag);
		ip[8] = 64;
		ip[9] = s->proto;
		put32(ip + 12, s->saddr);
		put32(ip + 16, s->daddr);
		put16(ip + 10, fold(sum16(ip, l4 - l3, 0)));
		ph = sum16(ip + 12, 8, 0) + s->proto + l4len;
	} else {
		uint8_t *ip = b + l3;
		put32(ip, 0x60000000);
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = s->proto;
		ip[7] = 64;
		memcpy(ip + 8, ip6_src, 16);
		memcpy(ip + 24, ip6_dst, 16);
		ph = sum16(ip + 8, 32, 0) + s->proto + l4len;
	}
	uint32_t csum_off = s->proto == 6 ? 16 : s->proto == 17 ? 6 : 2;
	if (s->proto == 6 || s->proto == 17 || s->proto == 58)
		put16(t + csum_off, fold(sum16(t, l4len, ph)));
	else if (s->proto == 1)
		put16(t + csum_off, fold(sum16(t, l4len, 0)));
	if (s->proto == 17 && s->udp_nocsum)
		put16(t + 6, 0);
	n = l4 + l4len;
	return s->cut ? (uint32_t)s->cut : n;
}

/* ---- running in the vm --------------------------------------------------------- */

static void trace_discard(void *user, const char *line, size_t len) {}

/* A vm whose bpf_trace_printk output goes nowhere (tests that look at it
 * set their own sink). */
static struct bpfvm *new_vm(void)
{
	struct bpfvm *vm = bpfvm_new();
	if (!vm)
		abort();
	bpfvm_set_trace_sink(vm, trace_discard, NULL);
	return vm;
}

struct result {
	int err;                        /* 0 or -errno of the test run */
	uint32_t retval;
	uint32_t len;
	uint8_t out[512];
};

static void vm_run(struct bpfvm *vm, int prog_fd, const uint8_t *pkt, uint32_t len, struct result *r)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(r, 0, sizeof(*r));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)r->out;
	a.test.data_size_out = sizeof(r->out);
	a.test.repeat = 1;
	r->err = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a)) < 0 ? -errno : 0;
	r->retval = a.test.retval;
	r->len = a.test.data_size_out;
}

static int vm_map_op(struct bpfvm *vm, int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return bpfvm_bpf(vm, cmd, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int vm_next_key(struct bpfvm *vm, int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.next_key = (uint64_t)(uintptr_t)next;
	return bpfvm_bpf(vm, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) < 0 ? -errno : 0;
}

static uint32_t vm_map_id(struct bpfvm *vm, int fd)
{
	struct bpf_map_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	return bpfvm_bpf(vm, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) < 0 ? 0 : info.id;
}

static int is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* A u64 of a map's value (at byte off), summed over the CPUs of a per-CPU
 * map; ~0 if the key is absent. */
static uint64_t vm_u64(struct bpfvm *vm, const struct bpfvm_object_map *m, uint32_t key, uint32_t off)
{
	uint32_t vs = bpfvm_object_map_value_size(m), ncpu = is_percpu(bpfvm_object_map_type(m)) ? bpfvm_ncpus(vm) : 1;
	uint32_t stride = is_percpu(bpfvm_object_map_type(m)) ? (vs + 7) / 8 * 8 : vs;
	uint8_t *v = calloc(ncpu, stride + 8);
	uint64_t sum = 0;
	if (vm_map_op(vm, BPF_MAP_LOOKUP_ELEM, bpfvm_object_map_fd(m), &key, v, 0) < 0) {
		free(v);
		return ~0ull;
	}
	for (uint32_t c = 0; c < ncpu; c++) {
		uint64_t x;
		memcpy(&x, v + (size_t)c * stride + off, 8);
		sum += x;
	}
	free(v);
	return sum;
}

static struct bpfvm_object *open_load(struct bpfvm *vm, const char *path, char *log, size_t logsz)
{
	char err[512];
	struct bpfvm_object *o = bpfvm_object_open(vm, path, err, sizeof(err));
	if (!o) {
		fprintf(stderr, "open %s: %s\n", path, err);
		return NULL;
	}
	int rc = bpfvm_object_load(o, log, logsz);
	if (rc < 0) {
		fprintf(stderr, "load %s: %d\n%s\n", path, rc, log);
		bpfvm_object_close(o);
		return NULL;
	}
	return o;
}

/* ---- the kernel: the object's maps and programs, through raw bpf() ------------ */

struct kmirror {
	int *map_fd;                    /* per object map, -errno if it failed */
	int *prog_fd;                   /* per program, -errno if it failed */
	char **prog_log;                /* last line of the verifier's log on failure */
	uint32_t nmaps, nprogs;
	int ncpus;
};

static int kmap_create(const struct obj_map_def *d, int inner_fd, int ncpus)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = d->type;
	a.key_size = d->key_size;
	a.value_size = d->value_size;
	a.max_entries = d->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !d->max_entries ? (uint32_t)ncpus : d->max_entries;
	a.map_flags = d->map_flags;
	a.inner_map_fd = inner_fd > 0 ? (uint32_t)inner_fd : 0;
	return ko_bpf(BPF_MAP_CREATE, &a, sizeof(a));
}

static int kmap_op(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	int rc = ko_bpf(cmd, &a, sizeof(a));
	return rc < 0 ? rc : 0;
}

static int k_next_key(int fd, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.next_key = (uint64_t)(uintptr_t)next;
	return ko_bpf(BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
}

static char *last_line_dup(const char *log)
{
	size_t len = strlen(log);
	while (len && (log[len - 1] == '\n' || log[len - 1] == ' '))
		len--;
	size_t s = len;
	while (s && log[s - 1] != '\n')
		s--;
	return strndup(log + s, len - s);
}

static int kprog_load(const struct bpfvm_object *obj, const struct bpfvm_program *p, const struct kmirror *k,
		      char **why)
{
	size_t cnt;
	const struct bpf_insn *src = bpfvm_program_insns(p, &cnt);
	struct bpf_insn *insns = calloc(cnt ? cnt : 1, sizeof(*insns));
	static char log[1 << 20];
	if (!insns)
		return -ENOMEM;
	memcpy(insns, src, cnt * sizeof(*insns));
	for (size_t i = 0; i < cnt; i++) {
		uint32_t off;
		const struct bpfvm_object_map *m = bpfvm_program_insn_map(p, i, &off);
		if (m)
			insns[i].imm = k->map_fd[m - obj->maps];
	}
	union bpf_attr a;
	int fd = -EINVAL;
	for (int attempt = 0; attempt < 2 && fd < 0; attempt++) {
		memset(&a, 0, sizeof(a));
		a.prog_type = bpfvm_program_type(p);
		a.expected_attach_type = bpfvm_program_expected_attach_type(p);
		a.insns = (uint64_t)(uintptr_t)insns;
		a.insn_cnt = (uint32_t)cnt;
		a.license = (uint64_t)(uintptr_t)bpfvm_object_license(obj);
		a.kern_version = bpfvm_object_kversion(obj);
		if (attempt) {
			log[0] = 0;
			a.log_level = 1;
			a.log_buf = (uint64_t)(uintptr_t)log;
			a.log_size = sizeof(log);
		}
		int r = ko_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		if (attempt == 0 || r >= 0)
			fd = r;
		if (attempt == 1 && r >= 0)     /* accepted with a log only: keep the first error */
			ko_cmd_close(r);
	}
	if (fd < 0 && why)
		*why = last_line_dup(log);
	free(insns);
	return fd;
}

/* Creates the object's maps (with their initial contents) and loads its
 * programs in the kernel; what fails is recorded, not fatal. */
static void kmirror_load(const struct bpfvm_object *obj, struct kmirror *k)
{
	memset(k, 0, sizeof(*k));
	k->ncpus = ko_possible_cpus();
	k->nmaps = (uint32_t)bpfvm_object_map_count(obj);
	k->nprogs = (uint32_t)bpfvm_object_program_count(obj);
	k->map_fd = calloc(k->nmaps + 1, sizeof(int));
	k->prog_fd = calloc(k->nprogs + 1, sizeof(int));
	k->prog_log = calloc(k->nprogs + 1, sizeof(char *));
	if (!k->map_fd || !k->prog_fd || !k->prog_log)
		abort();
	for (uint32_t i = 0; i < k->nmaps; i++) {
		const struct bpfvm_object_map *m = &obj->maps[i];
		int inner = m->has_inner ? kmap_create(&m->inner, -1, k->ncpus) : -1;
		k->map_fd[i] = m->has_inner && inner < 0 ? inner : kmap_create(&m->def, inner, k->ncpus);
		ko_cmd_close(inner);
		if (k->map_fd[i] >= 0 && m->internal && obj->secs[m->sec].data) {
			uint32_t zero = 0;
			kmap_op(BPF_MAP_UPDATE_ELEM, k->map_fd[i], &zero, (void *)obj->secs[m->sec].data, 0);
		}
	}
	for (uint32_t i = 0; i < k->nmaps; i++) {
		const struct bpfvm_object_map *m = &obj->maps[i];
		for (uint32_t s = 0; m->def.type != BPF_MAP_TYPE_PROG_ARRAY && s < m->nslots; s++)
			if (m->slots[s] >= 0 && k->map_fd[i] >= 0 && k->map_fd[m->slots[s]] >= 0)
				kmap_op(BPF_MAP_UPDATE_ELEM, k->map_fd[i], &s, &k->map_fd[m->slots[s]], 0);
	}
	for (uint32_t i = 0; i < k->nprogs; i++)
		k->prog_fd[i] = kprog_load(obj, &obj->progs[i], k, &k->prog_log[i]);
	for (uint32_t i = 0; i < k->nmaps; i++) {
		const struct bpfvm_object_map *m = &obj->maps[i];
		for (uint32_t s = 0; m->def.type == BPF_MAP_TYPE_PROG_ARRAY && s < m->nslots; s++)
			if (m->slots[s] >= 0 && k->map_fd[i] >= 0 && k->prog_fd[m->slots[s]] >= 0)
				kmap_op(BPF_MAP_UPDATE_ELEM, k->map_fd[i], &s, &k->prog_fd[m->slots[s]], 0);
	}
}

static void kmirror_free(struct kmirror *k)
{
	for (uint32_t i = 0; i < k->nmaps; i++)
		ko_cmd_close(k->map_fd[i]);
	for (uint32_t i = 0; i < k->nprogs; i++) {
		ko_cmd_close(k->prog_fd[i]);
		free(k->prog_log[i]);
	}
	free(k->map_fd);
	free(k->prog_fd);
	free(k->prog_log);
}

static void k_run(int fd, const uint8_t *pkt, uint32_t len, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->len = sizeof(r->out);
	r->err = ko_test_run(fd, pkt, len, r->out, &r->len, 1, &r->retval, NULL);
}

/* Compares one map's contents in the vm and the kernel: every key of
 * either, values byte for byte (per-CPU values as the sums of their u64
 * words, since the CPUs differ). Map-in-map and prog arrays hold fds and
 * are not compared. Returns the number of differences (described on
 * stderr). */
static int compare_map(struct bpfvm *vm, const struct bpfvm_object_map *m, int kfd, int kncpus)
{
	uint32_t type = bpfvm_object_map_type(m), ks = bpfvm_object_map_key_size(m), vs = bpfvm_object_map_value_size(m);
	if (type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	    type == BPF_MAP_TYPE_PERF_EVENT_ARRAY || kfd < 0 || bpfvm_object_map_fd(m) < 0)
		return 0;
	int pc = is_percpu(type), diffs = 0;
	uint32_t stride = pc ? (vs + 7) / 8 * 8 : vs;
	uint32_t vcpus = pc ? bpfvm_ncpus(vm) : 1, kcpus = pc ? (uint32_t)kncpus : 1;
	uint8_t *key = calloc(1, ks + 8), *next = calloc(1, ks + 8);
	uint8_t *vv = calloc(vcpus, stride + 8), *kv = calloc(kcpus, stride + 8);
	uint64_t *vs_sum = calloc(stride / 8 + 1, 8), *ks_sum = calloc(stride / 8 + 1, 8);
	int vfd = bpfvm_object_map_fd(m);
	for (int side = 0; side < 2; side++) {
		/* side 0: the vm's keys; side 1: the kernel's, for keys only it has */
		int first = 1;
		while (1) {
			int rc = side == 0 ? vm_next_key(vm, vfd, first ? NULL : key, next) :
					     k_next_key(kfd, first ? NULL : key, next);
			if (rc < 0)
				break;
			first = 0;
			memcpy(key, next, ks);
			int vr = vm_map_op(vm, BPF_MAP_LOOKUP_ELEM, vfd, key, vv, 0);
			int kr = kmap_op(BPF_MAP_LOOKUP_ELEM, kfd, key, kv, 0);
			if (side == 1 && vr == 0)
				continue;               /* compared on side 0 */
			if ((vr == 0) != (kr == 0)) {
				fprintf(stderr, "map '%s': key %02x%02x%02x%02x.. is %s the vm and %s the kernel\n",
					bpfvm_object_map_name(m), key[0], key[1 % ks], key[2 % ks], key[3 % ks],
					vr == 0 ? "in" : "not in", kr == 0 ? "in" : "not in");
				diffs++;
				continue;
			}
			int same;
			if (pc) {
				memset(vs_sum, 0, stride);
				memset(ks_sum, 0, stride);
				for (uint32_t c = 0; c < vcpus; c++)
					for (uint32_t w = 0; w < stride / 8; w++) {
						uint64_t x;
						memcpy(&x, vv + (size_t)c * stride + w * 8, 8);
						vs_sum[w] += x;
					}
				for (uint32_t c = 0; c < kcpus; c++)
					for (uint32_t w = 0; w < stride / 8; w++) {
						uint64_t x;
						memcpy(&x, kv + (size_t)c * stride + w * 8, 8);
						ks_sum[w] += x;
					}
				same = !memcmp(vs_sum, ks_sum, stride);
			} else {
				same = !memcmp(vv, kv, vs);
			}
			if (!same) {
				fprintf(stderr, "map '%s': the value of key %02x%02x%02x%02x.. differs\n",
					bpfvm_object_map_name(m), key[0], key[1 % ks], key[2 % ks], key[3 % ks]);
				diffs++;
			}
		}
	}
	free(key);
	free(next);
	free(vv);
	free(kv);
	free(vs_sum);
	free(ks_sum);
	return diffs;
}

/* Newer kernels than v5.1 refuse skb test runs of IPv4 or IPv6 frames
 * shorter than their IP header (EINVAL before the program runs); v5.1,
 * which bpfvm follows, runs them. Such inputs are not compared. */
static int kernel_refuses_input(uint32_t type, const uint8_t *pkt, uint32_t len)
{
	if (type == BPF_PROG_TYPE_XDP || len < 14)
		return 0;
	uint16_t et = (uint16_t)(pkt[12] << 8 | pkt[13]);
	return (et == 0x0800 && len < 14 + 20) || (et == 0x86dd && len < 14 + 40);
}

static int kernel_ok = -1;
static char kernel_why[256];

static int have_kernel(void)
{
	if (kernel_ok < 0)
		kernel_ok = ko_available(kernel_why, sizeof(kernel_why));
	return kernel_ok;
}

static int run_type(uint32_t type)
{
	return type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT ||
	       type == BPF_PROG_TYPE_SOCKET_FILTER;
}

/* Runs packets through program `name` of an opened, loaded object and
 * through the kernel's copy of it (a fresh mirror of the object), then
 * compares every result and the maps. Returns the number of differences,
 * or -1 if the kernel is not available (nothing compared). */
static int kernel_compare(struct bpfvm *vm, struct bpfvm_object *obj, const char *name, const uint8_t (*pkts)[512],
			  const uint32_t *lens, size_t n)
{
	if (!have_kernel())
		return -1;
	struct kmirror k;
	kmirror_load(obj, &k);
	struct bpfvm_program *p = bpfvm_object_find_program(obj, name);
	size_t pi = (size_t)(p - obj->progs);
	int diffs = 0;
	if (k.prog_fd[pi] < 0) {
		fprintf(stderr, "kernel refused '%s' (%d): %s\n", name, k.prog_fd[pi], k.prog_log[pi] ? k.prog_log[pi] : "");
		kmirror_free(&k);
		return 1;
	}
	static struct result vr, kr;
	size_t compared = 0;
	for (size_t i = 0; i < n; i++) {
		if (kernel_refuses_input(bpfvm_program_type(p), pkts[i], lens[i]))
			continue;
		compared++;
		vm_run(vm, bpfvm_program_fd(p), pkts[i], lens[i], &vr);
		k_run(k.prog_fd[pi], pkts[i], lens[i], &kr);
		if (vr.err != kr.err || vr.retval != kr.retval || vr.len != kr.len || memcmp(vr.out, kr.out, vr.len)) {
			fprintf(stderr, "'%s' packet %zu: vm err %d retval %u len %u, kernel err %d retval %u len %u%s\n",
				name, i, vr.err, vr.retval, vr.len, kr.err, kr.retval, kr.len,
				vr.len == kr.len && memcmp(vr.out, kr.out, vr.len) ? " (bytes differ)" : "");
			diffs++;
		}
	}
	for (uint32_t i = 0; i < k.nmaps; i++)
		diffs += compare_map(vm, &obj->maps[i], k.map_fd[i], k.ncpus);
	printf("kernel comparison of '%s': %zu of %zu packets, %s\n", name, compared, n, diffs ? "DIFFERENCES" : "same verdicts, "
	       "packets and maps");
	kmirror_free(&k);
	return diffs;
}

/* Opens and loads a fresh copy of an object in a new vm, for a kernel
 * comparison that starts from the initial map contents. */
#define KCOMPARE(objname, prog, pkts, lens, n)                                                     \
	do {                                                                                      \
		struct bpfvm *kvm_ = new_vm();                                                 \
		char klog_[8192];                                                                 \
		struct bpfvm_object *ko_ = open_load(kvm_, obj_path(objname), klog_, sizeof(klog_)); \
		CHECK(ko_ != NULL);                                                               \
		if (ko_) {                                                                        \
			int d_ = kernel_compare(kvm_, ko_, prog, pkts, lens, n);                  \
			if (d_ < 0)                                                               \
				printf("kernel comparison of %s skipped: %s\n", objname, kernel_why); \
			else                                                                      \
				CHECK_EQ(d_, 0);                                                  \
			bpfvm_object_close(ko_);                                                  \
		}                                                                                 \
		bpfvm_free(kvm_);                                                                 \
	} while (0)

/* ---- the headers ----------------------------------------------------------------- */

static void test_headers(void)
{
	char errs[8192];
	/* What real programs use from libbpf's headers, in both include
	 * orders, and against <bpfvm/uapi.h> instead of <linux/bpf.h>. */
	static const char ok_src[] =
		"#include <linux/types.h>\n"
		"#include <linux/stddef.h>\n"           /* its __always_inline is replaced */
		"#include <bpf/bpf_helpers.h>\n"
		"#include <bpf/bpf_endian.h>\n"
		"#include <linux/bpf.h>\n"
		"#include <linux/if_ether.h>\n"
		"_Static_assert(bpf_htons(ETH_P_IP) == 0x0008, \"htons folds\");\n"
		"_Static_assert(bpf_htonl(0x01020304) == 0x04030201, \"htonl folds\");\n"
		"_Static_assert(bpf_cpu_to_be64(1ull) == 1ull << 56, \"be64 folds\");\n"
		"_Static_assert(KERNEL_VERSION(5, 1, 300) == 0x0501ff, \"KERNEL_VERSION\");\n"
		"_Static_assert(LIBBPF_PIN_BY_NAME == 1, \"pin\");\n"
		"struct s { int a; long b; };\n"

		"struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32);\n"
		"         __type(value, __u64); __uint(pinning, LIBBPF_PIN_NONE); } m SEC(\".maps\");\n"
		"struct { __ulong(big, 5000000000ull); } unused_def;\n"
		"extern int not_defined_map SEC(\".maps\");\n"   /* SEC on an extern: no warning */
		"static __always_inline int f(int x) { return likely(x) ? x : 0; }\n"
		"static __noinline int g(int x) { barrier(); barrier_var(x); return unlikely(x > 3); }\n"
		"__hidden int h(int x) { return x + 1; }\n"
		"SEC(\"xdp\") int prog(struct xdp_md *ctx) {\n"
		"  __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&m, &k);\n"
		"  switch (ctx->ingress_ifindex) { case bpf_htons(1): return XDP_DROP; }\n"
		"  struct s s1 = {0}; struct s *sp = container_of(&s1.b, struct s, b);\n"
		"  bpf_printk(\"none\"); bpf_printk(\"%d %d %d\", 1, 2, 3);\n"
		"  return (v ? 1 : 0) + f(ctx->rx_queue_index) + g(1) + h(2) + sp->a + (int)offsetof(struct s, b) + bpf_ntohs(ctx->data & 0xffff);\n"
		"}\n"
		"char _license[] SEC(\"license\") = \"GPL\";\n";
	CHECK_EQ(compile_text("hdr_ok", ok_src, errs, sizeof(errs)), 0);
	if (errs[0])
		fprintf(stderr, "%s", errs);
	static const char ok_src_uapi[] =
		"#include <bpfvm/uapi.h>\n"
		"#include <bpfvm/bpf_helpers.h>\n"
		"#include <bpfvm/bpf_endian.h>\n"
		"SEC(\"socket\") int prog(struct __sk_buff *skb) { return skb->protocol == bpf_htons(0x86dd); }\n";
	{
		char src[128];
		snprintf(src, sizeof(src), "%s/hdr_uapi.bpf.c", tmpdir);
		FILE *f = fopen(src, "w");
		CHECK(f != NULL);
		if (f) {
			fputs(ok_src_uapi, f);
			fclose(f);
			CHECK_EQ(compile(src, "hdr_uapi", "-Iinclude", errs, sizeof(errs)), 0);
		}
	}
	/* struct bpf_map_def of the program's own (libbpf 1.x dropped it). */
	CHECK_EQ(compile_text("hdr_mapdef",
			      "#define BPFVM_NO_BPF_MAP_DEF\n"
			      "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			      "struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };\n"
			      "struct bpf_map_def SEC(\"maps\") mm = { BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0 };\n",
			      errs, sizeof(errs)), 0);
	/* A helper after v5.1 is a compile error, not an undefined symbol. */
	CHECK(compile_text("hdr_ringbuf",
			   "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			   "SEC(\"xdp\") int p(struct xdp_md *c) { return bpf_ringbuf_output(0, 0, 0, 0); }\n",
			   errs, sizeof(errs)) != 0);
	CHECK_CONTAINS(errs, "bpf_ringbuf_output");
	/* bpf_printk with more than three arguments needs bpf_trace_vprintk. */
	CHECK(compile_text("hdr_printk4",
			   "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			   "SEC(\"xdp\") int p(struct xdp_md *c) { bpf_printk(\"%d%d%d%d\", 1, 2, 3, 4); return 2; }\n",
			   errs, sizeof(errs)) != 0);
	CHECK_CONTAINS(errs, "more_than_3_args");
	/* bpf_tracing.h: kprobe arguments at x86-64's pt_regs offsets. */
	CHECK_EQ(compile_text("hdr_kprobe",
			      "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n"
			      "SEC(\"kprobe/do_sys_open\") int BPF_KPROBE(k, int dfd, const char *name, int flags)\n"
			      "{ return dfd + flags + (name != 0); }\n"
			      "SEC(\"kretprobe/do_sys_open\") int BPF_KRETPROBE(kr, long ret) { return ret > 0; }\n"
			      "SEC(\"raw_tracepoint/sys_enter\") int BPF_PROG(rt, void *regs, long id) { return id == 2; }\n"
			      "char _license[] SEC(\"license\") = \"GPL\";\n",
			      errs, sizeof(errs)), 0);
	if (errs[0])
		fprintf(stderr, "%s", errs);
	struct bpfvm *vm = new_vm();
	char log[8192];
	struct bpfvm_object *o = open_load(vm, obj_path("hdr_kprobe"), log, sizeof(log));
	CHECK(o != NULL);
	if (o) {
		/* rdi (PARM1) is at 112, rsi (PARM2) at 104, rdx (PARM3) at 96,
		 * rax (RC) at 80. */
		static const struct { const char *prog; int16_t offs[3]; } want[] = {
			{ "k", { 112, 104, 96 } }, { "kr", { 80, -1, -1 } }, { "rt", { 8, -1, -1 } },
		};
		for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
			struct bpfvm_program *p = bpfvm_object_find_program(o, want[w].prog);
			CHECK(p != NULL);
			if (!p)
				continue;
			CHECK(bpfvm_program_fd(p) >= 0);
			size_t cnt;
			const struct bpf_insn *in = bpfvm_program_insns(p, &cnt);
			for (int j = 0; j < 3 && want[w].offs[j] >= 0; j++) {
				int found = 0;
				for (size_t i = 0; i < cnt; i++)
					found |= BPF_CLASS(in[i].code) == BPF_LDX && in[i].src_reg == 1 &&
						 in[i].off == want[w].offs[j];
				CHECK(found);
			}
		}
		bpfvm_object_close(o);
	}
	bpfvm_free(vm);
}

/* ---- xdp_vlan_parser: verdicts, counters, pinning -------------------------------- */

enum { XP_ABORTED, XP_DROP, XP_PASS, XP_TX, XP_REDIRECT };

static const struct {
	struct spec s;
	uint32_t verdict;
} vlan_cases[] = {
	{ { .l3 = 6, .proto = 58, .seq = 1 }, XP_DROP },                     /* ICMPv6 echo, odd */
	{ { .l3 = 6, .proto = 58, .seq = 2 }, XP_PASS },
	{ { .l3 = 6, .proto = 58, .seq = 3, .icmp_type = 129 }, XP_PASS },   /* a reply */
	{ { .nvlan = 1, .tpid = { 0x8100 }, .vid = { 5 }, .l3 = 6, .proto = 58, .seq = 7 }, XP_DROP },
	{ { .nvlan = 2, .tpid = { 0x88a8, 0x8100 }, .vid = { 100, 5 }, .l3 = 6, .proto = 58, .seq = 8 }, XP_PASS },
	{ { .nvlan = 2, .tpid = { 0x88a8, 0x8100 }, .vid = { 100, 5 }, .l3 = 4, .proto = 1, .seq = 9 }, XP_DROP },
	{ { .nvlan = 1, .tpid = { 0x8100 }, .vid = { 42 }, .l3 = 4, .proto = 6 }, XP_DROP },   /* blocked */
	{ { .nvlan = 1, .tpid = { 0x8100 }, .vid = { 0x2000 | 42 }, .l3 = 4, .proto = 17 }, XP_DROP },
	{ { .l3 = 4, .proto = 1, .seq = 11, .ip_opts = 2 }, XP_DROP },        /* options skipped */
	{ { .l3 = 4, .proto = 1, .seq = 12 }, XP_PASS },
	{ { .l3 = 4, .proto = 6, .sport = 1, .dport = 80 }, XP_PASS },
	{ { .l3 = 0, .ethertype = 0x0806, .payload = 28 }, XP_PASS },          /* ARP */
	{ { .l3 = 4, .proto = 1, .seq = 13, .cut = 14 + 20 + 4 }, XP_ABORTED }, /* ICMP cut */
	{ { .l3 = 6, .proto = 58, .seq = 1, .cut = 14 + 30 }, XP_ABORTED },     /* IPv6 cut */
	{ { .nvlan = 1, .tpid = { 0x8100 }, .vid = { 5 }, .l3 = 4, .proto = 6, .cut = 16 }, XP_ABORTED },
	{ { .l3 = 4, .proto = 6, .ip_opts = 10, .cut = 14 + 30 }, XP_ABORTED }, /* options past the end */
};
#define N_VLAN (sizeof(vlan_cases) / sizeof(vlan_cases[0]))

static void test_vlan_parser(void)
{
	static uint8_t pkts[N_VLAN][512];
	uint32_t lens[N_VLAN], want_pkts[5] = { 0 }, want_bytes[5] = { 0 };
	for (size_t i = 0; i < N_VLAN; i++) {
		struct spec s = vlan_cases[i].s;
		if (s.l3 == 4 && !s.saddr)
			s.saddr = SRC_A, s.daddr = DST_X;
		lens[i] = build_pkt(&s, pkts[i]);
		want_pkts[vlan_cases[i].verdict]++;
		want_bytes[vlan_cases[i].verdict] += lens[i];
	}
	struct bpfvm *vm = new_vm();
	char log[8192];
	struct bpfvm_object *o = open_load(vm, obj_path("xdp_vlan_parser"), log, sizeof(log));
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	CHECK_STR(log, "");                     /* no warning: BTF, maps, programs */
	CHECK(bpfvm_object_btf_fd(o) >= 0);
	struct bpfvm_program *p = bpfvm_object_find_program(o, "xdp_vlan_parser");
	CHECK(p && bpfvm_program_type(p) == BPF_PROG_TYPE_XDP && bpfvm_program_fd(p) >= 0);
	struct bpfvm_object_map *stats = bpfvm_object_find_map(o, "rw_xdp_stats");
	CHECK(stats != NULL);
	if (!p || !stats)
		goto out;
	static struct result r;
	for (size_t i = 0; i < N_VLAN; i++) {
		vm_run(vm, bpfvm_program_fd(p), pkts[i], lens[i], &r);
		CHECK_EQ(r.err, 0);
		if (r.retval != vlan_cases[i].verdict)
			fprintf(stderr, "vlan case %zu\n", i);
		CHECK_EQ(r.retval, vlan_cases[i].verdict);
		CHECK_EQ(r.len, lens[i]);
		CHECK(!memcmp(r.out, pkts[i], lens[i]));
	}
	for (uint32_t a = 0; a <= XP_REDIRECT; a++) {
		CHECK_EQ(vm_u64(vm, stats, a, 0), want_pkts[a]);
		CHECK_EQ(vm_u64(vm, stats, a, 8), want_bytes[a]);
	}

	/* Pinned by name at /sys/fs/bpf/rw_xdp_stats in the vm's bpffs. */
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)"/sys/fs/bpf/rw_xdp_stats";
	int pfd = bpfvm_bpf(vm, BPF_OBJ_GET, &a, sizeof(a));
	CHECK(pfd >= 0);
	CHECK_EQ(vm_map_id(vm, pfd), vm_map_id(vm, bpfvm_object_map_fd(stats)));

	/* .rodata is a map like the others: another blocked VLAN. */
	struct bpfvm_object_map *ro = bpfvm_object_find_map(o, ".rodata");
	CHECK(ro != NULL);
	if (ro) {
		uint16_t vlan = 5;
		uint32_t zero = 0;
		CHECK_EQ(vm_map_op(vm, BPF_MAP_UPDATE_ELEM, bpfvm_object_map_fd(ro), &zero, &vlan, 0), 0);
		vm_run(vm, bpfvm_program_fd(p), pkts[4], lens[4], &r);         /* outer VLAN 100: passes */
		CHECK_EQ(r.retval, XP_PASS);
		vm_run(vm, bpfvm_program_fd(p), pkts[3], lens[3], &r);         /* VLAN 5, even seq would pass */
		CHECK_EQ(r.retval, XP_DROP);
		want_pkts[XP_PASS]++, want_bytes[XP_PASS] += lens[4];
		want_pkts[XP_DROP]++, want_bytes[XP_DROP] += lens[3];
	}

	/* A second object with the same pinned map reuses it: counts go on. */
	char log2[8192];
	struct bpfvm_object *o2 = open_load(vm, obj_path("xdp_vlan_parser"), log2, sizeof(log2));
	CHECK(o2 != NULL);
	if (o2) {
		struct bpfvm_object_map *stats2 = bpfvm_object_find_map(o2, "rw_xdp_stats");
		CHECK_EQ(vm_map_id(vm, bpfvm_object_map_fd(stats2)), vm_map_id(vm, bpfvm_object_map_fd(stats)));
		struct bpfvm_program *p2 = bpfvm_object_find_program(o2, "xdp_vlan_parser");
		vm_run(vm, bpfvm_program_fd(p2), pkts[0], lens[0], &r);
		CHECK_EQ(r.retval, XP_DROP);
		want_pkts[XP_DROP]++, want_bytes[XP_DROP] += lens[0];
		CHECK_EQ(vm_u64(vm, stats, XP_DROP, 0), want_pkts[XP_DROP]);
		CHECK_EQ(vm_u64(vm, stats, XP_DROP, 8), want_bytes[XP_DROP]);
		bpfvm_object_close(o2);
	}
	/* A map of the same name but another definition is refused. */
	char err[512], log3[8192];
	struct bpfvm_object *o3 = bpfvm_object_open(vm, obj_path("pin_mismatch"), err, sizeof(err));
	CHECK(o3 != NULL);
	if (o3) {
		CHECK_EQ(bpfvm_object_load(o3, log3, sizeof(log3)), -EINVAL);
		CHECK_CONTAINS(log3, "map 'rw_xdp_stats': cannot reuse the map pinned at '/sys/fs/bpf/rw_xdp_stats': "
				     "parameter mismatch");
		CHECK_CONTAINS(log3, "value 16");
		CHECK_CONTAINS(log3, "value 8");
		bpfvm_object_close(o3);
	}
	/* The pin outlives the objects. */
	uint32_t id = vm_map_id(vm, bpfvm_object_map_fd(stats));
	bpfvm_object_close(o);
	o = NULL;
	CHECK_EQ(vm_map_id(vm, pfd), id);
	int pfd2 = bpfvm_bpf(vm, BPF_OBJ_GET, &a, sizeof(a));
	CHECK(pfd2 >= 0);
	CHECK_EQ(vm_map_id(vm, pfd2), id);
	bpfvm_close(vm, pfd);
	bpfvm_close(vm, pfd2);
	/* Pins belong to their vm: in a fresh one the other definition loads. */
	struct bpfvm *vm2 = new_vm();
	char log4[8192];
	struct bpfvm_object *o4 = open_load(vm2, obj_path("pin_mismatch"), log4, sizeof(log4));
	CHECK(o4 != NULL);
	bpfvm_object_close(o4);
	bpfvm_free(vm2);
out:
	bpfvm_object_close(o);
	bpfvm_free(vm);
	KCOMPARE("xdp_vlan_parser", "xdp_vlan_parser", (const uint8_t(*)[512])pkts, lens, N_VLAN);
}

static void trace_sink(void *user, const char *line, size_t len)
{
	char *buf = user;
	size_t have = strlen(buf);
	if (have + len + 2 < 1024) {
		memcpy(buf + have, line, len);
		buf[have + len] = '\n';
		buf[have + len + 1] = 0;
	}
}

/* ---- tc_nat: checksummed rewrites -------------------------------------------------- */

static void test_tc_nat(void)
{
	enum { TCP_8080, UDP_8080, UDP_8080_NOCSUM, TCP_22, IPV6, FRAG, OPTS_8080, SHORT, BAD_IHL, NCASES };
	static const struct spec cases[NCASES] = {
		[TCP_8080] = { .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 40000, .dport = 8080, .payload = 11 },
		[UDP_8080] = { .l3 = 4, .proto = 17, .saddr = SRC_B, .daddr = DST_X, .sport = 5353, .dport = 8080, .payload = 7 },
		[UDP_8080_NOCSUM] = { .l3 = 4, .proto = 17, .saddr = SRC_B, .daddr = DST_X, .sport = 1, .dport = 8080,
				      .payload = 4, .udp_nocsum = 1 },
		[TCP_22] = { .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 40001, .dport = 22 },
		[IPV6] = { .l3 = 6, .proto = 6, .sport = 1, .dport = 8080 },
		[FRAG] = { .l3 = 4, .proto = 17, .saddr = SRC_A, .daddr = DST_X, .sport = 1, .dport = 8080, .frag = 0x2000 },
		[OPTS_8080] = { .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 2, .dport = 8080, .ip_opts = 3 },
		[SHORT] = { .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .cut = 14 + 12 },
		[BAD_IHL] = { .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .dport = 8080 },
	};
	static uint8_t pkts[NCASES][512], want[NCASES][512];
	uint32_t lens[NCASES];
	for (int i = 0; i < NCASES; i++) {
		lens[i] = build_pkt(&cases[i], pkts[i]);
		memcpy(want[i], pkts[i], 512);
	}
	pkts[BAD_IHL][14] = 0x44;              /* IHL 4: too short */
	memcpy(want[BAD_IHL], pkts[BAD_IHL], 512);
	/* The rewritten ones, built afresh with the new address and port
	 * (checksums computed from scratch, UDP's zero kept). */
	int rewritten[] = { TCP_8080, UDP_8080, UDP_8080_NOCSUM, OPTS_8080 };
	for (size_t j = 0; j < sizeof(rewritten) / sizeof(rewritten[0]); j++) {
		struct spec s = cases[rewritten[j]];
		s.daddr = 0x0a000002;
		s.dport = 80;
		build_pkt(&s, want[rewritten[j]]);
	}
	static const uint32_t verdict[NCASES] = { [SHORT] = 2 /* TC_ACT_SHOT */, [BAD_IHL] = 2 };

	struct bpfvm *vm = new_vm();
	char log[8192], trace[1024] = "";
	bpfvm_set_trace_sink(vm, trace_sink, trace);
	struct bpfvm_object *o = open_load(vm, obj_path("tc_nat"), log, sizeof(log));
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	CHECK_STR(log, "");
	struct bpfvm_program *p = bpfvm_object_find_program(o, "tc_nat");
	CHECK(p && bpfvm_program_type(p) == BPF_PROG_TYPE_SCHED_CLS);
	struct bpfvm_object_map *bss = bpfvm_object_find_map(o, ".bss"), *data = bpfvm_object_find_map(o, ".data");
	CHECK(bss && data && bpfvm_object_find_map(o, ".rodata"));
	if (!p || !bss || !data)
		goto out;
	static struct result r;
	for (int i = 0; i < NCASES; i++) {
		vm_run(vm, bpfvm_program_fd(p), pkts[i], lens[i], &r);
		CHECK_EQ(r.err, 0);
		CHECK_EQ(r.retval, verdict[i]);
		CHECK_EQ(r.len, lens[i]);
		if (memcmp(r.out, want[i], lens[i]))
			fprintf(stderr, "tc_nat case %d: output differs\n", i);
		CHECK(!memcmp(r.out, want[i], lens[i]));
		if (cases[i].l3 == 4 && verdict[i] == 0) {
			/* still valid checksums: the IP header's sums to 0xffff */
			CHECK_EQ(fold(sum16(r.out + 14, (size_t)(r.out[14] & 0xf) * 4, 0)), 0);
		}
	}
	CHECK_EQ(vm_u64(vm, bss, 0, 0), 4);
	CHECK_STR(trace, "nat: proto 6 to port 80\nnat: proto 17 to port 80\nnat: proto 17 to port 80\n"
			 "nat: proto 6 to port 80\n");
	/* .data holds to_port (2 bytes, padded) then to_addr: change the port. */
	uint8_t dv[8];
	uint32_t zero = 0;
	CHECK_EQ(vm_map_op(vm, BPF_MAP_LOOKUP_ELEM, bpfvm_object_map_fd(data), &zero, dv, 0), 0);
	uint16_t port;
	memcpy(&port, dv, 2);
	CHECK_EQ(port, 80);
	port = 443;
	memcpy(dv, &port, 2);
	CHECK_EQ(vm_map_op(vm, BPF_MAP_UPDATE_ELEM, bpfvm_object_map_fd(data), &zero, dv, 0), 0);
	vm_run(vm, bpfvm_program_fd(p), pkts[TCP_8080], lens[TCP_8080], &r);
	struct spec s443 = cases[TCP_8080];
	s443.daddr = 0x0a000002;
	s443.dport = 443;
	uint8_t w443[512];
	build_pkt(&s443, w443);
	CHECK(!memcmp(r.out, w443, lens[TCP_8080]));
	CHECK_EQ(vm_u64(vm, bss, 0, 0), 5);
out:
	bpfvm_object_close(o);
	bpfvm_free(vm);
	KCOMPARE("tc_nat", "tc_nat", (const uint8_t(*)[512])pkts, lens, NCASES);
}

/* ---- map in map, legacy maps, "xdp_prog" ------------------------------------------- */

static void test_map_in_map(void)
{
	static const struct spec cases[] = {
		{ .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X },
		{ .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X },
		{ .l3 = 4, .proto = 6, .saddr = SRC_B, .daddr = DST_X },
		{ .l3 = 4, .proto = 17, .saddr = SRC_B, .daddr = DST_X },
		{ .l3 = 4, .proto = 17, .saddr = SRC_B, .daddr = DST_X },
		{ .l3 = 4, .proto = 1, .saddr = SRC_A, .daddr = DST_X },
		{ .l3 = 4, .proto = 1, .saddr = SRC_B, .daddr = DST_X },
		{ .l3 = 6, .proto = 6 },
		{ .l3 = 4, .proto = 47, .saddr = SRC_A, .daddr = DST_X },      /* GRE: not counted */
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	static uint8_t pkts[N][512];
	uint32_t lens[N];
	for (int i = 0; i < N; i++)
		lens[i] = build_pkt(&cases[i], pkts[i]);

	struct bpfvm *vm = new_vm();
	char log[8192];
	struct bpfvm_object *o = open_load(vm, obj_path("xdp_map_in_map"), log, sizeof(log));
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	CHECK_STR(log, "");                     /* no BTF retry warnings for the map of maps */
	struct bpfvm_program *p = bpfvm_object_find_program(o, "xdp_count_sources");
	CHECK(p && bpfvm_program_type(p) == BPF_PROG_TYPE_XDP);
	CHECK_STR(p ? bpfvm_program_section(p) : "", "xdp_prog");
	struct bpfvm_object_map *outer = bpfvm_object_find_map(o, "by_proto"), *tcp = bpfvm_object_find_map(o, "tcp_src"),
				*udp = bpfvm_object_find_map(o, "udp_src"), *un = bpfvm_object_find_map(o, "unmatched");
	CHECK(outer && tcp && udp && un);
	if (!p || !outer || !tcp || !udp || !un)
		goto out;
	CHECK_EQ(bpfvm_object_map_type(un), BPF_MAP_TYPE_ARRAY);
	CHECK_STR(bpfvm_object_map_section(un), "maps");
	/* The slots: the inner maps' ids; slot 2 empty. */
	uint32_t k = 0, id = 0;
	CHECK_EQ(vm_map_op(vm, BPF_MAP_LOOKUP_ELEM, bpfvm_object_map_fd(outer), &k, &id, 0), 0);
	CHECK_EQ(id, vm_map_id(vm, bpfvm_object_map_fd(tcp)));
	k = 1;
	CHECK_EQ(vm_map_op(vm, BPF_MAP_LOOKUP_ELEM, bpfvm_object_map_fd(outer), &k, &id, 0), 0);
	CHECK_EQ(id, vm_map_id(vm, bpfvm_object_map_fd(udp)));
	k = 2;
	CHECK_EQ(vm_map_op(vm, BPF_MAP_LOOKUP_ELEM, bpfvm_object_map_fd(outer), &k, &id, 0), -ENOENT);
	static struct result r;
	for (int i = 0; i < N; i++) {
		vm_run(vm, bpfvm_program_fd(p), pkts[i], lens[i], &r);
		CHECK_EQ(r.err, 0);
		CHECK_EQ(r.retval, XP_PASS);
	}
	CHECK_EQ(vm_u64(vm, tcp, SRC_A, 0), 2);
	CHECK_EQ(vm_u64(vm, tcp, SRC_B, 0), 1);
	CHECK_EQ(vm_u64(vm, udp, SRC_B, 0), 2);
	CHECK_EQ(vm_u64(vm, udp, SRC_A, 0), ~0ull);
	CHECK_EQ(vm_u64(vm, un, 2, 0), 2);
	CHECK_EQ(vm_u64(vm, un, 0, 0), 0);
out:
	bpfvm_object_close(o);
	bpfvm_free(vm);
	KCOMPARE("xdp_map_in_map", "xdp_count_sources", (const uint8_t(*)[512])pkts, lens, N);
}

/* ---- global functions and subprograms, bpf_printk ------------------------------------ */

static void test_socket_calls(void)
{
	static const struct spec cases[] = {
		{ .l3 = 4, .proto = 17, .saddr = SRC_A, .daddr = DST_X, .sport = 999, .dport = 53, .payload = 100 },
		{ .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 999, .dport = 53 },
		{ .l3 = 4, .proto = 1, .saddr = SRC_A, .daddr = DST_X, .payload = 20 },
		{ .l3 = 4, .proto = 17, .saddr = SRC_A, .daddr = DST_X, .sport = 999, .dport = 123 },
		{ .l3 = 6, .proto = 17, .sport = 999, .dport = 53 },
		{ .l3 = 4, .proto = 17, .saddr = SRC_A, .daddr = DST_X, .sport = 53, .dport = 53, .ip_opts = 1 },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	/* socket filters see the packet from the network header */
	const uint32_t want[N] = { 64, 20 + 20, 20 + 8 + 20, 0, 0, 24 + 8 };
	static uint8_t pkts[N][512];
	uint32_t lens[N];
	for (int i = 0; i < N; i++)
		lens[i] = build_pkt(&cases[i], pkts[i]);

	struct bpfvm *vm = new_vm();
	char log[8192], trace[1024] = "";
	bpfvm_set_trace_sink(vm, trace_sink, trace);
	struct bpfvm_object *o = open_load(vm, obj_path("socket_calls"), log, sizeof(log));
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	CHECK_STR(log, "");
	struct bpfvm_program *p = bpfvm_object_find_program(o, "socket_dns_icmp");
	CHECK(p && bpfvm_program_type(p) == BPF_PROG_TYPE_SOCKET_FILTER);
	/* a global function is a subprogram like the static ones, not a program */
	CHECK_EQ(bpfvm_object_program_count(o), 1);
	if (!p)
		goto out;
	const struct bpfvm_func_sym *fs;
	size_t nf = bpfvm_program_funcs(p, &fs);
	CHECK_EQ(nf, 4);
	const char *names[] = { "socket_dns_icmp", "classify", "ip_proto", "is_dns_port" };
	for (size_t i = 0; i < nf && i < 4; i++) {
		int found = 0;
		for (size_t j = 0; j < 4; j++)
			found |= !strcmp(fs[i].name, names[j]);
		CHECK(found);
	}
	static struct result r;
	for (int i = 0; i < N; i++) {
		vm_run(vm, bpfvm_program_fd(p), pkts[i], lens[i], &r);
		CHECK_EQ(r.err, 0);
		if (r.retval != want[i])
			fprintf(stderr, "socket case %d\n", i);
		CHECK_EQ(r.retval, want[i]);
	}
	CHECK_CONTAINS(trace, "dns: 128 bytes");
	CHECK_CONTAINS(trace, "dns: 40 bytes");
	CHECK_CONTAINS(trace, "dns: 32 bytes");
out:
	bpfvm_object_close(o);
	bpfvm_free(vm);
	KCOMPARE("socket_calls", "socket_dns_icmp", (const uint8_t(*)[512])pkts, lens, N);
}

/* ---- tail calls through a prog array filled at load -------------------------------- */

static void test_tail_calls(void)
{
	static const struct spec cases[] = {
		{ .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 1000, .dport = 23 },
		{ .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 1000, .dport = 80 },
		{ .l3 = 4, .proto = 17, .saddr = SRC_A, .daddr = DST_X, .sport = 1000, .dport = 23 },
		{ .l3 = 4, .proto = 1, .saddr = SRC_A, .daddr = DST_X },
		{ .l3 = 4, .proto = 47, .saddr = SRC_A, .daddr = DST_X },
		{ .l3 = 6, .proto = 6, .sport = 1000, .dport = 23 },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	const uint32_t want[N] = { 2, 0, 0, 0, 0, 0 };
	static uint8_t pkts[N][512];
	uint32_t lens[N];
	for (int i = 0; i < N; i++)
		lens[i] = build_pkt(&cases[i], pkts[i]);

	struct bpfvm *vm = new_vm();
	char log[8192];
	struct bpfvm_object *o = open_load(vm, obj_path("tc_tail_calls"), log, sizeof(log));
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	CHECK_STR(log, "");
	struct bpfvm_program *p = bpfvm_object_find_program(o, "entry");
	struct bpfvm_object_map *bss = bpfvm_object_find_map(o, ".bss");
	CHECK(p && bss);
	CHECK_EQ(bpfvm_object_program_count(o), 3);
	if (!p || !bss)
		goto out;
	static struct result r;
	for (int i = 0; i < N; i++) {
		vm_run(vm, bpfvm_program_fd(p), pkts[i], lens[i], &r);
		CHECK_EQ(r.err, 0);
		CHECK_EQ(r.retval, want[i]);
	}
	CHECK_EQ(vm_u64(vm, bss, 0, 0), 2);     /* ICMP (empty slot) and GRE */
out:
	bpfvm_object_close(o);
	bpfvm_free(vm);
	KCOMPARE("tc_tail_calls", "entry", (const uint8_t(*)[512])pkts, lens, N);
}

/* ---- loader: what objects written for newer libbpf get told ------------------------- */

static void expect_open_error(const char *name, const char *text, const char *want)
{
	char errs[8192], err[1024];
	CHECK_EQ(compile_text(name, text, errs, sizeof(errs)), 0);
	if (errs[0])
		fprintf(stderr, "%s", errs);
	struct bpfvm *vm = new_vm();
	struct bpfvm_object *o = bpfvm_object_open(vm, obj_path(name), err, sizeof(err));
	CHECK(o == NULL);
	CHECK_CONTAINS(err, want);
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

static void test_loader_messages(void)
{
	expect_open_error("undef_call",
			  "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			  "extern int other_object_fn(int);\n"
			  "SEC(\"xdp\") int p(struct xdp_md *c) { return other_object_fn(2); }\n",
			  "a call to 'other_object_fn', which the object does not define");
	expect_open_error("kconfig_extern",
			  "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			  "extern unsigned int LINUX_KERNEL_VERSION __kconfig;\n"
			  "SEC(\"xdp\") int p(struct xdp_md *c) { return LINUX_KERNEL_VERSION > 5; }\n",
			  "'LINUX_KERNEL_VERSION' is an extern");
	expect_open_error("bad_pinning",
			  "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			  "struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32);\n"
			  "  __type(value, __u32); __uint(pinning, 2); } m SEC(\".maps\");\n"
			  "SEC(\"xdp\") int p(struct xdp_md *c) { __u32 k = 0; return bpf_map_lookup_elem(&m, &k) != 0; }\n",
			  "map 'm': invalid pinning value 2");
	expect_open_error("inner_pinned",
			  "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
			  "struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32);\n"
			  "  __type(value, __u32); __uint(pinning, LIBBPF_PIN_BY_NAME); };\n"
			  "struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, __u32);\n"
			  "  __array(values, struct inner); } outer SEC(\".maps\");\n"
			  "SEC(\"xdp\") int p(struct xdp_md *c) { __u32 k = 0; return bpf_map_lookup_elem(&outer, &k) != 0; }\n",
			  "an inner map definition cannot be pinned");

	/* CO-RE relocations are not applied: the programs that have them
	 * fail to load, as with libbpf on a kernel without BTF (ESRCH), and
	 * the others load. */
	{
		char errs[4096], log[8192];
		CHECK_EQ(compile_text("core",
				      "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
				      "struct hdr { __u8 a, b; } __attribute__((preserve_access_index));\n"
				      "SEC(\"xdp\") int with_core(struct xdp_md *ctx) {\n"
				      "  struct hdr *h = (void *)(long)ctx->data;\n"
				      "  if ((void *)(h + 1) > (void *)(long)ctx->data_end) return XDP_PASS;\n"
				      "  return h->b ? XDP_DROP : XDP_PASS; }\n"
				      "SEC(\"xdp\") int without_core(struct xdp_md *ctx) { return XDP_PASS; }\n"
				      "char _license[] SEC(\"license\") = \"GPL\";\n",
				      errs, sizeof(errs)), 0);
		struct bpfvm *vm = new_vm();
		char err[512];
		struct bpfvm_object *o = bpfvm_object_open(vm, obj_path("core"), err, sizeof(err));
		CHECK(o != NULL);
		if (o) {
			struct bpfvm_object_load_opts opts = { sizeof(opts), 0, BPFVM_OBJECT_LOAD_KEEP_GOING };
			CHECK_EQ(bpfvm_object_load_opts(o, &opts, log, sizeof(log)), -ESRCH);
			struct bpfvm_program *w = bpfvm_object_find_program(o, "with_core");
			struct bpfvm_program *wo = bpfvm_object_find_program(o, "without_core");
			CHECK(w && wo);
			if (w && wo) {
				CHECK_EQ(bpfvm_program_load_error(w), -ESRCH);
				CHECK_CONTAINS(bpfvm_program_log(w), "1 CO-RE relocation (the first: field byte offset "
								     "of 'hdr' (access 0:1)");
				CHECK_CONTAINS(log, "program 'with_core' (section 'xdp'): 1 CO-RE relocation");
				CHECK(bpfvm_program_fd(wo) >= 0);
			}
			bpfvm_object_close(o);
		}
		bpfvm_free(vm);
	}

	/* Map types that take no BTF key/value types (v5.1's
	 * map_check_no_btf) are created without them, as libbpf does, rather
	 * than refused, retried and warned about. */
	{
		char errs[4096], log[8192];
		CHECK_EQ(compile_text("perf_btf",
				      "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
				      "struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __type(key, int);\n"
				      "  __type(value, __u32); } events SEC(\".maps\");\n"
				      "SEC(\"xdp\") int p(struct xdp_md *ctx) { __u32 v = 1;\n"
				      "  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));\n"
				      "  return XDP_PASS; }\n"
				      "char _license[] SEC(\"license\") = \"GPL\";\n",
				      errs, sizeof(errs)), 0);
		struct bpfvm *vm = new_vm();
		struct bpfvm_object *o = open_load(vm, obj_path("perf_btf"), log, sizeof(log));
		CHECK(o != NULL);
		if (o) {
			CHECK_STR(log, "");
			CHECK(bpfvm_object_btf_fd(o) >= 0);
			CHECK(bpfvm_object_map_fd(bpfvm_object_find_map(o, "events")) >= 0);
			bpfvm_object_close(o);
		}
		bpfvm_free(vm);
	}

	/* libbpf 1.0's "?sec": the program's type is sec's, and it is loaded
	 * only if asked for. */
	{
		char errs[4096], log[8192], err[512];
		CHECK_EQ(compile_text("qmark",
				      "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
				      "SEC(\"?xdp\") int optional(struct xdp_md *ctx) { return XDP_DROP; }\n"
				      "SEC(\"tc\") int always(struct __sk_buff *skb) { return 0; }\n",
				      errs, sizeof(errs)), 0);
		for (int ask = 0; ask < 2; ask++) {
			struct bpfvm *vm = new_vm();
			struct bpfvm_object *o = bpfvm_object_open(vm, obj_path("qmark"), err, sizeof(err));
			CHECK(o != NULL);
			struct bpfvm_program *opt = o ? bpfvm_object_find_program(o, "optional") : NULL;
			CHECK(opt != NULL);
			if (opt) {
				CHECK_EQ(bpfvm_program_type(opt), BPF_PROG_TYPE_XDP);
				CHECK_STR(bpfvm_program_section(opt), "xdp");
				if (ask)
					CHECK_EQ(bpfvm_program_set_autoload(opt, 1), 0);
				CHECK_EQ(bpfvm_object_load(o, log, sizeof(log)), 0);
				CHECK_EQ(bpfvm_program_fd(opt) >= 0, ask);
				CHECK(bpfvm_program_fd(bpfvm_object_find_program(o, "always")) >= 0);
			}
			bpfvm_object_close(o);
			bpfvm_free(vm);
		}
	}

	/* A function's static variable ("func.var" in BTF) does not cost the
	 * object its BTF (libbpf's bpf_printk puts the format there). */
	{
		char errs[4096], log[8192];
		CHECK_EQ(compile_text("static_local",
				      "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
				      "SEC(\"xdp\") int p(struct xdp_md *ctx) {\n"
				      "  static const char fmt[] = \"len %d\";\n"
				      "  bpf_trace_printk(fmt, sizeof(fmt), ctx->data_end - ctx->data);\n"
				      "  return XDP_PASS; }\n"
				      "char _license[] SEC(\"license\") = \"GPL\";\n",
				      errs, sizeof(errs)), 0);
		struct bpfvm *vm = new_vm();
		struct bpfvm_object *o = open_load(vm, obj_path("static_local"), log, sizeof(log));
		CHECK(o != NULL);
		if (o) {
			CHECK(bpfvm_object_btf_fd(o) >= 0);
			CHECK_STR(log, "");
			const struct bpfvm_line_info *li;
			CHECK(bpfvm_program_lines(bpfvm_object_program(o, 0), &li) > 0);
			bpfvm_object_close(o);
		}
		bpfvm_free(vm);
	}

	/* A large BTF: a level 1 BTF log of it does not fit 4 KiB (it used to
	 * be asked for on the first try, and the load failed with it). */
	char src[1 << 16];
	size_t n = (size_t)snprintf(src, sizeof(src), "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n");
	for (int i = 0; i < 80; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n,
				      "struct rather_long_struct_name_number_%d { int field_a_%d; long field_b_%d; } v%d;\n",
				      i, i, i, i);
	n += (size_t)snprintf(src + n, sizeof(src) - n,
			      "SEC(\"xdp\") int p(struct xdp_md *c) { return v3.field_a_3 + v79.field_a_79; }\n"
			      "char _license[] SEC(\"license\") = \"GPL\";\n");
	char errs[4096];
	CHECK_EQ(compile_text("big_btf", src, errs, sizeof(errs)), 0);
	struct bpfvm *vm = new_vm();
	char log[8192];
	struct bpfvm_object *o = open_load(vm, obj_path("big_btf"), log, sizeof(log));
	CHECK(o != NULL);
	if (o) {
		CHECK(bpfvm_object_btf_fd(o) >= 0);
		CHECK_STR(log, "");
		bpfvm_object_close(o);
	}
	bpfvm_free(vm);
}

/* ---- the tool: compare objects with the kernel ---------------------------------------- */

static const char *errname(int e)
{
	static char b[32];
	snprintf(b, sizeof(b), "%s", strerror(-e));
	return b;
}

static int compare_objects(int argc, char **argv)
{
	if (!have_kernel())
		printf("(kernel not available: %s)\n", kernel_why);
	/* the packet set: every case of the tests above */
	static uint8_t pkts[64][512];
	uint32_t lens[64], n = 0;
	for (size_t i = 0; i < N_VLAN && n < 64; i++, n++) {
		struct spec s = vlan_cases[i].s;
		if (s.l3 == 4 && !s.saddr)
			s.saddr = SRC_A, s.daddr = DST_X;
		lens[n] = build_pkt(&s, pkts[n]);
	}
	static const struct spec more[] = {
		{ .l3 = 4, .proto = 6, .saddr = SRC_A, .daddr = DST_X, .sport = 40000, .dport = 8080, .payload = 11 },
		{ .l3 = 4, .proto = 17, .saddr = SRC_B, .daddr = DST_X, .sport = 5353, .dport = 53, .payload = 7 },
		{ .l3 = 4, .proto = 17, .saddr = SRC_B, .daddr = DST_X, .sport = 1, .dport = 8080, .udp_nocsum = 1 },
		{ .l3 = 4, .proto = 6, .saddr = SRC_B, .daddr = DST_X, .sport = 40001, .dport = 22, .payload = 100 },
		{ .l3 = 6, .proto = 17, .sport = 1, .dport = 53, .payload = 30 },
		{ .l3 = 4, .proto = 17, .saddr = SRC_A, .daddr = DST_X, .sport = 1, .dport = 8080, .frag = 0x2000 },
	};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]) && n < 64; i++, n++)
		lens[n] = build_pkt(&more[i], pkts[n]);
	int bad = 0;
	for (int i = 0; i < argc; i++) {
		struct bpfvm *vm = new_vm();
		char err[1024];
		static char log[1 << 16];
		struct bpfvm_object *o = bpfvm_object_open(vm, argv[i], err, sizeof(err));
		if (!o) {
			printf("%s: open: %s\n", argv[i], err);
			bpfvm_free(vm);
			bad = 1;
			continue;
		}
		struct bpfvm_object_load_opts opts = { sizeof(opts), 0, BPFVM_OBJECT_LOAD_KEEP_GOING };
		int lrc = bpfvm_object_load_opts(o, &opts, log, sizeof(log));
		struct kmirror k;
		memset(&k, 0, sizeof(k));
		if (have_kernel())
			kmirror_load(o, &k);
		for (size_t pi = 0; pi < bpfvm_object_program_count(o); pi++) {
			struct bpfvm_program *p = bpfvm_object_program(o, pi);
			int vfd = bpfvm_program_fd(p), verr = bpfvm_program_load_error(p);
			char *vwhy = verr < 0 ? last_line_dup(bpfvm_program_log(p)) : NULL;
			printf("%s: %s (%s): bpfvm %s%s%s", argv[i], bpfvm_program_name(p), bpfvm_program_section(p),
			       vfd >= 0 ? "OK" : lrc < 0 && verr == -ENOENT ? "not loaded (maps failed)" : errname(verr),
			       vwhy && vwhy[0] ? ": " : "", vwhy ? vwhy : "");
			free(vwhy);
			if (k.prog_fd) {
				int kfd = k.prog_fd[pi];
				printf("; kernel %s%s%s", kfd >= 0 ? "OK" : errname(kfd),
				       kfd < 0 && k.prog_log[pi] && k.prog_log[pi][0] ? ": " : "",
				       kfd < 0 && k.prog_log[pi] ? k.prog_log[pi] : "");
				if (vfd >= 0 && kfd >= 0 && run_type(bpfvm_program_type(p))) {
					uint32_t same = 0, ran = 0;
					static struct result vr, kr;
					for (uint32_t j = 0; j < n; j++) {
						if (kernel_refuses_input(bpfvm_program_type(p), pkts[j], lens[j]))
							continue;
						ran++;
						vm_run(vm, vfd, pkts[j], lens[j], &vr);
						k_run(kfd, pkts[j], lens[j], &kr);
						int eq = vr.err == kr.err && vr.retval == kr.retval && vr.len == kr.len &&
							 !memcmp(vr.out, kr.out, vr.len);
						if (!eq && getenv("RW_VERBOSE"))
							fprintf(stderr, "  packet %u (%u bytes): bpfvm err %d retval %u len %u; "
								"kernel err %d retval %u len %u\n", j, lens[j], vr.err,
								vr.retval, vr.len, kr.err, kr.retval, kr.len);
						same += eq;
					}
					printf("; runs %u/%u match", same, ran);
					bad |= same != ran;
				}
				bad |= (vfd >= 0) != (kfd >= 0);
			}
			printf("\n");
		}
		if (lrc < 0 && bpfvm_object_program_count(o) == 0)
			printf("%s: load: %s\n", argv[i], log);
		if (k.map_fd) {
			int diffs = 0;
			for (uint32_t m = 0; m < k.nmaps; m++)
				diffs += compare_map(vm, &o->maps[m], k.map_fd[m], k.ncpus);
			if (diffs)
				printf("%s: %d map differences after the runs\n", argv[i], diffs);
			kmirror_free(&k);
		}
		if (lrc < 0 && log[0])
			printf("%s: load log:\n%s", argv[i], log);
		bpfvm_object_close(o);
		bpfvm_free(vm);
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--compare"))
		return compare_objects(argc - 2, argv + 2);
	if (system("clang --version >/dev/null 2>&1") != 0)
		test_skip("clang is not installed (needed to build BPF objects)");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bpfvm-realworld-XXXXXX");
	if (!mkdtemp(tmpdir))
		test_skip("cannot create a temporary directory");
	find_includes();
	char errs[4096];
	if (compile_text("probe", "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n", errs, sizeof(errs)) != 0) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		test_skip("clang cannot build BPF objects here (no <linux/bpf.h>? install linux-libc-dev)");
	}
	static const char *objects[] = { "xdp_vlan_parser", "tc_nat", "xdp_map_in_map", "socket_calls", "tc_tail_calls",
					 "pin_mismatch" };
	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		build(objects[i]);
	test_headers();
	test_vlan_parser();
	test_tc_nat();
	test_map_in_map();
	test_socket_calls();
	test_tail_calls();
	test_loader_messages();
	if (!have_kernel())
		printf("kernel comparisons skipped: %s\n", kernel_why);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return test_done();
}
