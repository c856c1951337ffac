/* The ELF object loader (src/obj/): objects compiled at test time by clang
 * from tests/data/obj/ (NAME.bpf.c) — every section kind of libbpf's table,
 * legacy and BTF-defined maps, global data, BPF-to-BPF calls, map-in-map
 * and prog-array slots — then malformed objects: truncated at every offset,
 * headers, section tables, symbols and relocations overwritten, and
 * crafted errors whose messages must name the section and offset. Run it
 * under ASan+UBSan as well (make test-asan): none may crash or leak.
 *
 * Without clang the test is skipped. */
#include "test.h"
#include "obj/obj.h"
#include <bpfvm/bpfvm.h>
#include <bpfvm/object.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static char include_args[512];

/* ---- building objects -------------------------------------------------------- */

static int have_clang(void)
{
	return system("clang --version >/dev/null 2>&1") == 0;
}

static void find_includes(void)
{
	/* <linux/bpf.h> needs <asm/types.h>, which lives in the multiarch
	 * directory that -target bpf does not search. */
	char arch[128] = "";
	FILE *p = popen("clang -print-multiarch 2>/dev/null", "r");
	if (p) {
		if (!fgets(arch, sizeof(arch), p))
			arch[0] = 0;
		pclose(p);
	}
	arch[strcspn(arch, "\n")] = 0;
	char dir[256];
	struct stat st;
	snprintf(dir, sizeof(dir), "/usr/include/%s", arch);
	snprintf(include_args, sizeof(include_args), "-Iinclude%s%s", arch[0] && !stat(dir, &st) ? " -I" : "",
		 arch[0] && !stat(dir, &st) ? dir : "");
}

static const char *build(const char *name)
{
	static char out[256];
	char cmd[1024];
	snprintf(out, sizeof(out), "%s/%s.o", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "clang -O2 -g -target bpf %s -c tests/data/obj/%s.bpf.c -o %s", include_args, name,
		 out);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
	return out;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* ---- ELF surgery --------------------------------------------------------------- */

static Elf64_Shdr *shdr(uint8_t *buf, unsigned i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	return (Elf64_Shdr *)(buf + eh->e_shoff + (size_t)i * eh->e_shentsize);
}

static int sec_index(uint8_t *buf, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	const char *strs = (const char *)buf + shdr(buf, eh->e_shstrndx)->sh_offset;
	for (unsigned i = 1; i < eh->e_shnum; i++)
		if (!strcmp(strs + shdr(buf, i)->sh_name, name))
			return (int)i;
	return -1;
}

static Elf64_Sym *sym(uint8_t *buf, const char *name)
{
	int st = sec_index(buf, ".symtab");
	Elf64_Shdr *s = shdr(buf, (unsigned)st);
	const char *strs = (const char *)buf + shdr(buf, s->sh_link)->sh_offset;
	for (size_t i = 1; i < s->sh_size / sizeof(Elf64_Sym); i++) {
		Elf64_Sym *y = (Elf64_Sym *)(buf + s->sh_offset) + i;
		if (!strcmp(strs + y->st_name, name))
			return y;
	}
	return NULL;
}

static const char *sym_name(uint8_t *buf, const Elf64_Rel *r)
{
	Elf64_Shdr *s = shdr(buf, (unsigned)sec_index(buf, ".symtab"));
	const Elf64_Sym *y = (Elf64_Sym *)(buf + s->sh_offset) + ELF64_R_SYM(r->r_info);
	return (const char *)buf + shdr(buf, s->sh_link)->sh_offset + y->st_name;
}

/* Opens a modified copy and expects failure with msg in the error. */
static void expect_open_error(const uint8_t *buf, size_t len, const char *msg, int line)
{
	struct bpfvm *vm = bpfvm_new();
	char err[512] = "";
	struct bpfvm_object *o = bpfvm_object_open_mem(vm, buf, len, "crafted.o", err, sizeof(err));
	test_checks++;
	if (o || !strstr(err, msg)) {
		test_failures++;
		fprintf(stderr, "%s:%d: expected an open error with \"%s\", got %s \"%s\"\n", __FILE__, line, msg,
			o ? "success" : "error", err);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}
#define EXPECT_OPEN_ERROR(buf, len, msg) expect_open_error(buf, len, msg, __LINE__)

/* ---- vm helpers ------------------------------------------------------------------ */

static int lookup(struct bpfvm *vm, int fd, const void *key, void *val)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	return bpfvm_bpf(vm, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int test_run(struct bpfvm *vm, const struct bpfvm_program *p, uint32_t len, uint32_t *retval)
{
	uint8_t pkt[256] = { 0 };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(pkt, 0xff, 6);
	pkt[12] = 0x08;                 /* IPv4 */
	a.test.prog_fd = (uint32_t)bpfvm_program_fd(p);
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = len;
	int rc = bpfvm_bpf(vm, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	return rc < 0 ? -errno : 0;
}

static uint32_t map_id(struct bpfvm *vm, int fd)
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

static uint32_t prog_id(struct bpfvm *vm, int fd)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	return bpfvm_bpf(vm, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) < 0 ? 0 : info.id;
}

static char loadlog[1 << 16];

static struct bpfvm_object *open_load(struct bpfvm *vm, const char *path, int load)
{
	char err[512];
	struct bpfvm_object *o = bpfvm_object_open(vm, path, err, sizeof(err));
	if (!o) {
		fprintf(stderr, "open %s: %s\n", path, err);
		return NULL;
	}
	if (load) {
		int rc = bpfvm_object_load(o, loadlog, sizeof(loadlog));
		if (rc < 0)
			fprintf(stderr, "load %s: %d\n%s", path, rc, loadlog);
		CHECK_EQ(rc, 0);
	}
	return o;
}

/* ---- bpf_helpers.h against the ABI's FN list ------------------------------------ */

#define FN_NAME(x) #x
static const char *const fn_list[] = { __BPF_FUNC_MAPPER(FN_NAME) };

static void test_helpers_header(void)
{
	size_t len;
	char *h = (char *)slurp("include/bpfvm/bpf_helpers.h", &len);
	CHECK(h != NULL);
	if (!h)
		return;
	h = realloc(h, len + 1);
	h[len] = 0;
	int seen = 0;
	for (char *p = strstr(h, "(*bpf_"); p; p = strstr(p + 1, "(*bpf_")) {
		char name[64];
		int id;
		const char *eq = strstr(p, "= (void *)");
		if (sscanf(p, "(*bpf_%63[a-z0-9_])", name) != 1 || !eq || sscanf(eq, "= (void *)%d", &id) != 1)
			continue;
		CHECK(id > 0 && (size_t)id < sizeof(fn_list) / sizeof(fn_list[0]));
		if (id > 0 && (size_t)id < sizeof(fn_list) / sizeof(fn_list[0]))
			CHECK_STR(name, fn_list[id]);
		CHECK_EQ(id, seen + 1);
		seen = id;
	}
	CHECK_EQ(seen, 97);
	CHECK_EQ(sizeof(fn_list) / sizeof(fn_list[0]), 98);
	free(h);
}

/* ---- section names ---------------------------------------------------------------- */

static void test_section_table(void)
{
	static const struct { const char *sec; int type; int attach; } cases[] = {
		{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
		{ "socket1", BPF_PROG_TYPE_SOCKET_FILTER, 0 },          /* libbpf 0.x prefix */
		{ "xdp_prog", BPF_PROG_TYPE_XDP, 0 },
		{ "kprobe/do_sys_open", BPF_PROG_TYPE_KPROBE, 0 },
		{ "kprobe", BPF_PROG_TYPE_KPROBE, 0 },
		{ "kprobex", -1, 0 },                                   /* kprobe+: exact or kprobe/... */
		{ "tp/sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT, 0 },
		{ "raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
		{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0 },
		{ "tcx", -1, 0 },                                       /* exact only */
		{ "classifier/ingress", BPF_PROG_TYPE_SCHED_CLS, 0 },
		{ "cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
		{ "cgroup/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
		{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB, 0 },
		{ "sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER },
		{ "sk_skb/other", BPF_PROG_TYPE_SK_SKB, 0 },
		{ ".text", -1, 0 },
		{ "foo", -1, 0 },
		{ "", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct obj_sec_def *d = obj_sec_def_find(cases[i].sec);
		if (cases[i].type < 0) {
			CHECK(d == NULL);
			continue;
		}
		CHECK(d != NULL);
		if (d) {
			CHECK_EQ(d->prog_type, cases[i].type);
			CHECK_EQ(d->attach_type, cases[i].attach);
		}
	}
}

static void test_sections(void)
{
	static const struct { const char *name; const char *sec; int type; int attach; } want[] = {
		{ "sock_prog", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
		{ "xdp_prog", "xdp", BPF_PROG_TYPE_XDP, 0 },
		{ "cls_prog", "classifier", BPF_PROG_TYPE_SCHED_CLS, 0 },
		{ "tc_prog", "tc", BPF_PROG_TYPE_SCHED_CLS, 0 },
		{ "act_prog", "action", BPF_PROG_TYPE_SCHED_ACT, 0 },
		{ "cg_ingress", "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
		{ "cg_egress", "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
		{ "cg_sock", "cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
		{ "cg_dev", "cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
		{ "cg_bind4", "cgroup/bind4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND },
		{ "cg_bind6", "cgroup/bind6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND },
		{ "cg_connect4", "cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
		{ "cg_connect6", "cgroup/connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT },
		{ "cg_sendmsg4", "cgroup/sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG },
		{ "cg_sendmsg6", "cgroup/sendmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG },
		{ "cg_post_bind4", "cgroup/post_bind4", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND },
		{ "cg_post_bind6", "cgroup/post_bind6", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND },
		{ "lwt_in_prog", "lwt_in", BPF_PROG_TYPE_LWT_IN, 0 },
		{ "lwt_out_prog", "lwt_out", BPF_PROG_TYPE_LWT_OUT, 0 },
		{ "lwt_xmit_prog", "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0 },
		{ "lwt_seg6_prog", "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0 },
		{ "skb_parser", "sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER },
		{ "skb_verdict", "sk_skb/stream_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT },
		{ "skb_prog", "sk_skb", BPF_PROG_TYPE_SK_SKB, 0 },
		{ "msg_prog", "sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT },
		{ "sockops_prog", "sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
		{ "dissect_prog", "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR },
		{ "kprobe_prog", "kprobe/sys_nanosleep", BPF_PROG_TYPE_KPROBE, 0 },
		{ "kretprobe_prog", "kretprobe/sys_nanosleep", BPF_PROG_TYPE_KPROBE, 0 },
		{ "tp_prog", "tracepoint/syscalls/sys_enter_write", BPF_PROG_TYPE_TRACEPOINT, 0 },
		{ "raw_tp_prog", "raw_tracepoint/sched_switch", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
		{ "perf_prog", "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0 },
		{ "lirc_prog", "lirc_mode2", BPF_PROG_TYPE_LIRC_MODE2, BPF_LIRC_MODE2 },
		{ "reuseport_prog", "sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, 0 },
	};
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("sections"), 1);
	CHECK(o != NULL);
	if (o) {
		CHECK_EQ(bpfvm_object_program_count(o), sizeof(want) / sizeof(want[0]));
		CHECK_STR(bpfvm_object_license(o), "GPL");
		CHECK_EQ(bpfvm_object_kversion(o), 0x050100);
		CHECK_STR(bpfvm_object_name(o), "sections");
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			struct bpfvm_program *p = bpfvm_object_find_program(o, want[i].name);
			CHECK(p != NULL);
			if (!p)
				continue;
			CHECK(p == bpfvm_object_program(o, i));         /* file order */
			CHECK_STR(bpfvm_program_section(p), want[i].sec);
			CHECK_EQ(bpfvm_program_type(p), want[i].type);
			CHECK_EQ(bpfvm_program_expected_attach_type(p), want[i].attach);
			CHECK(bpfvm_program_fd(p) >= 0);
			CHECK_EQ(bpfvm_program_load_error(p), 0);
			size_t n;
			bpfvm_program_insns(p, &n);
			CHECK_EQ(n, 2);
		}
		CHECK_EQ(bpfvm_object_load(o, NULL, 0), -EBUSY);
		CHECK(bpfvm_object_find_program(o, "nope") == NULL);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

/* ---- maps ------------------------------------------------------------------------ */

static void test_legacy_maps(void)
{
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("legacy_maps"), 1);
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	struct bpfvm_object_map *c = bpfvm_object_find_map(o, "counters"), *f = bpfvm_object_find_map(o, "flows");
	CHECK(c && f);
	if (c && f) {
		CHECK_EQ(bpfvm_object_map_type(c), BPF_MAP_TYPE_ARRAY);
		CHECK_EQ(bpfvm_object_map_key_size(c), 4);
		CHECK_EQ(bpfvm_object_map_value_size(c), 8);
		CHECK_EQ(bpfvm_object_map_max_entries(c), 4);
		CHECK_STR(bpfvm_object_map_section(c), "maps");
		CHECK_EQ(bpfvm_object_map_type(f), BPF_MAP_TYPE_HASH);
		CHECK_EQ(bpfvm_object_map_flags(f), BPF_F_NO_PREALLOC);
		CHECK_EQ(bpfvm_object_map_max_entries(f), 64);
		struct bpfvm_program *p = bpfvm_object_find_program(o, "count");
		uint32_t rv = 0, k = 1;
		uint64_t v = 0;
		CHECK_EQ(test_run(vm, p, 64, &rv), 0);
		CHECK_EQ(rv, XDP_PASS);
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(c), &k, &v), 0);
		CHECK_EQ(v, 1);
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(f), &k, &v), 0);
		CHECK_EQ(v, 1);
		uint32_t off = 99;
		size_t n;
		const struct bpf_insn *in = bpfvm_program_insns(p, &n);
		int refs = 0;
		for (size_t i = 0; i < n; i++) {
			const struct bpfvm_object_map *m = bpfvm_program_insn_map(p, i, &off);
			if (!m)
				continue;
			refs++;
			CHECK_EQ(in[i].src_reg, BPF_PSEUDO_MAP_FD);
			CHECK_EQ(in[i].imm, bpfvm_object_map_fd(m));
			CHECK_EQ(off, 0);
		}
		CHECK_EQ(refs, 2);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

static void test_legacy_big(void)
{
	const char *path = build("legacy_big");
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, path, 1);
	CHECK(o != NULL);
	if (o) {
		struct bpfvm_object_map *m = bpfvm_object_find_map(o, "big");
		CHECK(m && bpfvm_object_map_value_size(m) == 4 && bpfvm_object_map_max_entries(m) == 2);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
	/* A non-zero field beyond struct bpf_map_def (inner_map_idx) is refused,
	 * as libbpf's strict mode does. */
	size_t len;
	uint8_t *buf = slurp(path, &len);
	int ms = sec_index(buf, "maps");
	CHECK(ms > 0);
	buf[shdr(buf, (unsigned)ms)->sh_offset + 20] = 1;
	EXPECT_OPEN_ERROR(buf, len, "map 'big': definition has non-zero fields that are not understood (byte 20 of 28");
	free(buf);
}

static void test_btf_maps(void)
{
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("btf_maps"), 1);
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	struct bpfvm_object_map *fs = bpfvm_object_find_map(o, "flow_stats"), *sz = bpfvm_object_find_map(o, "sizes"),
				*pc = bpfvm_object_find_map(o, "percpu");
	CHECK(fs && sz && pc);
	if (fs && sz && pc) {
		CHECK_EQ(bpfvm_object_map_type(fs), BPF_MAP_TYPE_HASH);
		CHECK_EQ(bpfvm_object_map_key_size(fs), 12);
		CHECK_EQ(bpfvm_object_map_value_size(fs), 16);
		CHECK_EQ(bpfvm_object_map_max_entries(fs), 128);
		CHECK_STR(bpfvm_object_map_section(fs), ".maps");
		CHECK_EQ(bpfvm_object_map_type(sz), BPF_MAP_TYPE_ARRAY);
		CHECK_EQ(bpfvm_object_map_value_size(sz), 8);
		CHECK_EQ(bpfvm_object_map_type(pc), BPF_MAP_TYPE_PERCPU_ARRAY);
		uint32_t rv;
		CHECK_EQ(test_run(vm, bpfvm_object_find_program(o, "account"), 64, &rv), 0);
		CHECK_EQ(rv, XDP_PASS);
		struct { uint32_t s, d; uint16_t sp, dp; } key = { 1, 2, 3, 4 };
		uint64_t st[2] = { 0, 0 };
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(fs), &key, st), 0);
		CHECK_EQ(st[0], 1);
		CHECK_EQ(st[1], 64);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

static void test_global_data(void)
{
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("global_data"), 0);
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	struct bpfvm_object_map *ro = bpfvm_object_find_map(o, "global_d.rodata");
	struct bpfvm_object_map *da = bpfvm_object_find_map(o, ".data"), *bs = bpfvm_object_find_map(o, "global_d.bss");
	CHECK(ro && da && bs);
	if (!ro || !da || !bs)
		goto out;
	CHECK(bpfvm_object_map_is_internal(ro) && bpfvm_object_map_is_internal(bs));
	CHECK_STR(bpfvm_object_map_name(da), "global_d.data");
	CHECK_EQ(bpfvm_object_map_value_size(ro), 8);
	CHECK_EQ(bpfvm_object_map_value_size(da), 24);
	CHECK_EQ(bpfvm_object_map_value_size(bs), 16);
	CHECK_EQ(bpfvm_object_map_max_entries(bs), 1);
	/* Every LD_IMM64 of a variable: its map and offset (the static
	 * small_packets through the .bss section symbol + imm). */
	struct bpfvm_program *p = bpfvm_object_find_program(o, "classify");
	static const struct { const char *map; uint32_t off; } refs[] = {
		{ "global_d.data", 0 }, { "global_d.data", 8 }, { "global_d.rodata", 4 },
		{ "global_d.bss", 0 }, { "global_d.rodata", 0 }, { "global_d.bss", 8 },
	};
	size_t n, k = 0;
	const struct bpf_insn *in = bpfvm_program_insns(p, &n);
	for (size_t i = 0; i < n; i++) {
		uint32_t off;
		const struct bpfvm_object_map *m = bpfvm_program_insn_map(p, i, &off);
		if (!m)
			continue;
		CHECK(k < 6);
		if (k < 6) {
			CHECK_STR(bpfvm_object_map_name(m), refs[k].map);
			CHECK_EQ(off, refs[k].off);
			CHECK_EQ(in[i].src_reg, BPF_PSEUDO_MAP_VALUE);
			CHECK_EQ(in[i + 1].imm, (int32_t)refs[k].off);
		}
		k++;
	}
	CHECK_EQ(k, 6);
	struct bpfvm_object_load_opts lo = { sizeof(lo), 0, BPFVM_OBJECT_LOAD_KEEP_GOING };
	int rc = bpfvm_object_load_opts(o, &lo, loadlog, sizeof(loadlog));
	/* The maps exist and hold the sections' bytes either way. */
	uint32_t zero = 0, ro_v[2] = { 0, 0 }, da_v[6] = { 0 };
	CHECK_EQ(lookup(vm, bpfvm_object_map_fd(ro), &zero, ro_v), 0);
	CHECK_EQ(ro_v[0], XDP_DROP);
	CHECK_EQ(ro_v[1], 100);
	CHECK_EQ(lookup(vm, bpfvm_object_map_fd(da), &zero, da_v), 0);
	CHECK_EQ(da_v[0], 7);
	CHECK_EQ(da_v[2], 1);
	CHECK_EQ(da_v[5], 4);
	CHECK_EQ(rc, 0);
	uint32_t rv;
	uint64_t bss[2], data0[3];
	CHECK_EQ(test_run(vm, p, 200, &rv), 0);
	CHECK_EQ(rv, XDP_DROP);                             /* big: the .rodata verdict */
	CHECK_EQ(test_run(vm, p, 60, &rv), 0);
	CHECK_EQ(rv, XDP_PASS);
	CHECK_EQ(lookup(vm, bpfvm_object_map_fd(bs), &zero, bss), 0);
	CHECK_EQ(bss[0], 1);
	CHECK_EQ(bss[1], 1);
	CHECK_EQ(lookup(vm, bpfvm_object_map_fd(da), &zero, data0), 0);
	CHECK_EQ(data0[0], 9);
out:
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

/* ---- calls ------------------------------------------------------------------------- */

static void check_funcs(const struct bpfvm_program *p, const char *const *names, const uint32_t *at, size_t n)
{
	const struct bpfvm_func_sym *f;
	size_t nf = bpfvm_program_funcs(p, &f);
	CHECK_EQ(nf, n);
	for (size_t i = 0; i < n && i < nf; i++) {
		CHECK_STR(f[i].name, names[i]);
		CHECK_EQ(f[i].insn, at[i]);
	}
	if (p->nfunc_info)                      /* with BTF: one func_info a function */
		CHECK_EQ(p->nfunc_info, n);
	for (size_t i = 0; i < p->nfunc_info && i < n; i++)
		CHECK_EQ(p->func_info[i].insn_off, at[i]);
}

static void test_calls(void)
{
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("calls"), 1);
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	struct bpfvm_program *a = bpfvm_object_find_program(o, "calls_a"), *b = bpfvm_object_find_program(o, "calls_b");
	CHECK(a && b);
	CHECK_EQ(bpfvm_object_program_count(o), 2);    /* .text functions are not programs */
	if (a && b) {
		static const char *const an[] = { "calls_a", "twice", "add3" };
		static const uint32_t aat[] = { 0, 9, 13 };
		static const char *const bn[] = { "calls_b", "global_sum", "twice", "add3" };
		static const uint32_t bat[] = { 0, 9, 27, 31 };
		check_funcs(a, an, aat, 3);
		check_funcs(b, bn, bat, 4);
		size_t n;
		const struct bpf_insn *in = bpfvm_program_insns(a, &n);
		CHECK_EQ(n, 17);
		CHECK_EQ(in[1].imm, 7);                     /* call twice: 1 + 7 + 1 = 9 */
		CHECK_EQ(in[6].imm, 6);                     /* call add3: 6 + 6 + 1 = 13 */
		CHECK_EQ(in[11].imm, 1);                    /* twice -> add3 */
		uint32_t rv;
		CHECK_EQ(test_run(vm, a, 64, &rv), 0);
		CHECK_EQ(rv, 16);
		CHECK_EQ(test_run(vm, b, 64, &rv), 0);
		CHECK_EQ(rv, XDP_PASS);
		const struct bpfvm_line_info *l;
		size_t nl = bpfvm_program_lines(a, &l);
		CHECK(nl >= 3);
		if (nl) {
			CHECK_EQ(l[0].insn, 0);
			CHECK_CONTAINS(l[0].src, "twice(5) + add3(1, 2, 3)");
			CHECK_CONTAINS(l[0].file, "calls.bpf.c");
			CHECK_EQ(l[0].line, 32);
		}
		for (size_t i = 1; i < nl; i++)
			CHECK(l[i].insn > l[i - 1].insn);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

static void test_handwritten(void)
{
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("handwritten"), 1);
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	struct bpfvm_program *s = bpfvm_object_find_program(o, "bpf_prog1"), *x = bpfvm_object_find_program(o, "xdp_prog1");
	struct bpfvm_object_map *h = bpfvm_object_find_map(o, "hits");
	CHECK(s && x && h);
	if (s && x && h) {
		CHECK_EQ(bpfvm_program_type(s), BPF_PROG_TYPE_SOCKET_FILTER);
		CHECK_EQ(bpfvm_program_type(x), BPF_PROG_TYPE_XDP);
		/* bump's map reference is relocated in both copies. */
		for (int k = 0; k < 2; k++) {
			const struct bpfvm_program *p = k ? x : s;
			const struct bpfvm_func_sym *f;
			CHECK_EQ(bpfvm_program_funcs(p, &f), 2);
			size_t n, refs = 0;
			bpfvm_program_insns(p, &n);
			for (size_t i = 0; i < n; i++)
				if (bpfvm_program_insn_map(p, i, NULL) == h) {
					refs++;
					CHECK(i >= f[1].insn);
				}
			CHECK_EQ(refs, 1);
		}
		uint32_t rv, k0 = 0, k1 = 1;
		uint64_t v = 0;
		CHECK_EQ(test_run(vm, s, 64, &rv), 0);
		CHECK_EQ(rv, UINT32_MAX);
		CHECK_EQ(test_run(vm, x, 64, &rv), 0);
		CHECK_EQ(rv, XDP_PASS);
		CHECK_EQ(test_run(vm, x, 64, &rv), 0);
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(h), &k0, &v), 0);
		CHECK_EQ(v, 1);
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(h), &k1, &v), 0);
		CHECK_EQ(v, 2);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

/* ---- map-in-map and prog arrays ------------------------------------------------- */

static void test_map_in_map(void)
{
	struct bpfvm *vm = bpfvm_new();
	struct bpfvm_object *o = open_load(vm, build("map_in_map"), 1);
	CHECK(o != NULL);
	if (!o) {
		bpfvm_free(vm);
		return;
	}
	struct bpfvm_object_map *outer = bpfvm_object_find_map(o, "outer"), *jump = bpfvm_object_find_map(o, "jump");
	struct bpfvm_object_map *ia = bpfvm_object_find_map(o, "inner_a"), *ib = bpfvm_object_find_map(o, "inner_b");
	CHECK(outer && jump && ia && ib);
	if (outer && jump && ia && ib) {
		CHECK_EQ(bpfvm_object_map_type(outer), BPF_MAP_TYPE_ARRAY_OF_MAPS);
		CHECK_EQ(bpfvm_object_map_value_size(outer), 4);
		uint32_t k, id;
		k = 0;
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(outer), &k, &id), 0);
		CHECK_EQ(id, map_id(vm, bpfvm_object_map_fd(ia)));
		k = 2;
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(outer), &k, &id), 0);
		CHECK_EQ(id, map_id(vm, bpfvm_object_map_fd(ib)));
		k = 1;
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(outer), &k, &id), -ENOENT);
		k = 1;
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(jump), &k, &id), 0);
		CHECK_EQ(id, prog_id(vm, bpfvm_program_fd(bpfvm_object_find_program(o, "tail_pass"))));
		k = 2;
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(jump), &k, &id), 0);
		CHECK_EQ(id, prog_id(vm, bpfvm_program_fd(bpfvm_object_find_program(o, "tail_drop"))));
		k = 0;
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(jump), &k, &id), -ENOENT);
		struct bpfvm_program *e = bpfvm_object_find_program(o, "entry");
		uint32_t rv, zero = 0, cnt = 0;
		CHECK_EQ(test_run(vm, e, 100, &rv), 0);
		CHECK_EQ(rv, XDP_DROP);                     /* long: slot 2, tail_drop */
		CHECK_EQ(test_run(vm, e, 40, &rv), 0);
		CHECK_EQ(rv, XDP_PASS);                     /* short: slot 1, tail_pass */
		struct bpfvm_program *u = bpfvm_object_find_program(o, "use_inner");
		CHECK_EQ(test_run(vm, u, 40, &rv), 0);
		CHECK_EQ(rv, XDP_PASS);
		CHECK_EQ(lookup(vm, bpfvm_object_map_fd(ib), &zero, &cnt), 0);
		CHECK_EQ(cnt, 1);                           /* through outer[2] */
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
}

/* ---- errors ------------------------------------------------------------------------ */

static void test_crafted(void)
{
	size_t len;
	const char *path = build("map_in_map");
	uint8_t *orig = slurp(path, &len), *b = malloc(len);
	CHECK(orig && b);
	if (!orig || !b)
		return;
#define FRESH() memcpy(b, orig, len)
	int xdp = sec_index(orig, "xdp"), relxdp = sec_index(orig, ".relxdp");
	CHECK(xdp > 0 && relxdp > 0);

	EXPECT_OPEN_ERROR(orig, 0, "empty file");
	EXPECT_OPEN_ERROR((const uint8_t *)"hello, world", 12, "not an ELF file");
	FRESH();
	b[EI_DATA] = ELFDATA2MSB;
	EXPECT_OPEN_ERROR(b, len, "big-endian");
	FRESH();
	((Elf64_Ehdr *)b)->e_machine = EM_X86_64;
	EXPECT_OPEN_ERROR(b, len, "not a BPF object file");
	char want[256];
	FRESH();
	uint64_t xsz = shdr(b, (unsigned)xdp)->sh_size -= 4;
	snprintf(want, sizeof(want), "section 'xdp' (index %d): size %llu is not a multiple of 8 (the instruction "
		 "at offset %llu is truncated)", xdp, (unsigned long long)xsz, (unsigned long long)(xsz - 4));
	EXPECT_OPEN_ERROR(b, len, want);
	FRESH();
	shdr(b, (unsigned)xdp)->sh_offset = len - 8;
	EXPECT_OPEN_ERROR(b, len, "is past the end of the file");
	FRESH();
	sym(b, "tail_drop")->st_shndx = 0x7000;
	EXPECT_OPEN_ERROR(b, len, "symbol 'tail_drop' (#14, offset 336 in '.symtab'): section index 28672 is out of "
			  "range");
	FRESH();
	sym(b, "tail_drop")->st_value = 8;
	EXPECT_OPEN_ERROR(b, len, "section 'xdp': symbols 'tail_pass' (offset 0, 16 bytes) and 'tail_drop' (offset 8) "
			  "overlap");
	FRESH();
	sym(b, "tail_drop")->st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC);
	EXPECT_OPEN_ERROR(b, len, "program 'tail_drop' (offset 16) is static");
	FRESH();
	Elf64_Rel *r = (Elf64_Rel *)(b + shdr(b, (unsigned)relxdp)->sh_offset);
	r[0].r_offset = 0x10000;
	snprintf(want, sizeof(want), "relocation #0 of '.relxdp' (offset 65536 in section 'xdp', symbol '%s'): not "
		 "at an instruction", sym_name(b, &r[0]));
	EXPECT_OPEN_ERROR(b, len, want);
	FRESH();
	uint64_t roff = r[1].r_offset -= 8;     /* onto an instruction that is no LD_IMM64 */
	snprintf(want, sizeof(want), "relocation #1 of '.relxdp' (offset %llu in section 'xdp', symbol '%s'): "
		 "instruction code 0x", (unsigned long long)roff, sym_name(b, &r[1]));
	EXPECT_OPEN_ERROR(b, len, want);
	FRESH();
	r[0].r_info = ELF64_R_INFO(5000, 1);
	EXPECT_OPEN_ERROR(b, len, "symbol index 5000 is out of range");
	FRESH();
	shdr(b, (unsigned)relxdp)->sh_info = 200;
	EXPECT_OPEN_ERROR(b, len, "relocations for section index 200, which does not exist");
	FRESH();
	sym(b, "outer")->st_value = 4;          /* a relocation to no map */
	EXPECT_OPEN_ERROR(b, len, "overlaps map");
	FRESH();
	/* The name of section "xdp" (shared with ".relxdp") made unknown. */
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	char *name = (char *)b + shdr(b, eh->e_shstrndx)->sh_offset + shdr(b, (unsigned)xdp)->sh_name;
	name[0] = 'z';
	EXPECT_OPEN_ERROR(b, len, "section 'zdp' (index 3): code in a section whose name is not a program type");
	FRESH();
	b[shdr(b, (unsigned)sec_index(b, ".BTF"))->sh_offset] ^= 0xff;       /* BTF magic */
	EXPECT_OPEN_ERROR(b, len, "section '.maps': BTF-defined maps need .BTF: section '.BTF': bad magic");
	FRESH();
	Elf64_Rel *mr = (Elf64_Rel *)(b + shdr(b, (unsigned)sec_index(b, ".rel.maps"))->sh_offset);
	mr[0].r_offset = 0x40;                  /* outer's "type" field, not a slot */
	EXPECT_OPEN_ERROR(b, len, "relocation #0 of '.rel.maps' (offset 64 in '.maps', symbol 'inner_a'): not a slot "
			  "of a map's 'values'");
	FRESH();
	mr[2].r_info = ELF64_R_INFO(ELF64_R_SYM(mr[0].r_info), 2);   /* a map into the prog array */
	EXPECT_OPEN_ERROR(b, len, "map 'jump': slot 1: 'inner_a' is not a program");
	free(b);
	free(orig);

	/* A map the vm refuses: the load fails, names the map, closes all. */
	orig = slurp(build("legacy_maps"), &len);
	int ms = sec_index(orig, "maps");
	memcpy(orig + shdr(orig, (unsigned)ms)->sh_offset, "\xc8\0\0\0", 4);  /* type 200 */
	struct bpfvm *vm = bpfvm_new();
	char err[256];
	struct bpfvm_object *o = bpfvm_object_open_mem(vm, orig, len, "x.o", err, sizeof(err));
	CHECK(o != NULL);
	if (o) {
		CHECK_EQ(bpfvm_object_load(o, loadlog, sizeof(loadlog)), -EINVAL);
		CHECK_CONTAINS(loadlog, "map 'counters': BPF_MAP_CREATE failed: Invalid argument (type 200, key 4, value 8, "
			       "max_entries 4, flags 0x0)");
		CHECK_EQ(bpfvm_object_map_fd(bpfvm_object_find_map(o, "flows")), -1);
		CHECK_EQ(bpfvm_program_fd(bpfvm_object_program(o, 0)), -1);
	}
	bpfvm_object_close(o);
	/* Broken BTF without BTF-defined maps: loads, with a warning. */
	free(orig);
	orig = slurp(build("legacy_maps"), &len);
	orig[shdr(orig, (unsigned)sec_index(orig, ".BTF"))->sh_offset + 1] = 0;
	o = bpfvm_object_open_mem(vm, orig, len, "x.o", err, sizeof(err));
	CHECK(o != NULL);
	if (o) {
		CHECK(!bpfvm_object_has_btf(o));
		CHECK_EQ(bpfvm_object_load(o, loadlog, sizeof(loadlog)), 0);
		CHECK_CONTAINS(loadlog, "warning: .BTF ignored: section '.BTF': bad magic");
		CHECK_EQ(bpfvm_object_btf_fd(o), -1);
	}
	bpfvm_object_close(o);
	bpfvm_free(vm);
	free(orig);
}

/* Maps as big as a kernel allows (4 GB) are not what these tests are
 * about: objects whose maps would take more than 64 MB are only opened. */
static int small_maps(const struct bpfvm_object *o)
{
	for (size_t i = 0; i < bpfvm_object_map_count(o); i++) {
		const struct bpfvm_object_map *m = bpfvm_object_map(o, i);
		uint64_t elem = (uint64_t)bpfvm_object_map_key_size(m) + bpfvm_object_map_value_size(m) + 64;
		if (elem * bpfvm_object_map_max_entries(m) * 2 > (64u << 20))
			return 0;
	}
	return 1;
}

/* What must hold for any bytes: open fails with a message, or the object
 * opens (and then loads or fails to, with a message); nothing crashes. */
static int try_bytes(struct bpfvm *vm, const uint8_t *buf, size_t len)
{
	char err[512] = "";
	struct bpfvm_object *o = bpfvm_object_open_mem(vm, buf, len, "fuzz.o", err, sizeof(err));
	if (!o) {
		test_checks++;
		if (!err[0]) {
			test_failures++;
			fprintf(stderr, "open failed without a message (%zu bytes)\n", len);
		}
		return 0;
	}
	int rc = small_maps(o) ? bpfvm_object_load(o, loadlog, sizeof(loadlog)) : 0;
	test_checks++;
	if (rc < 0 && !loadlog[0]) {
		test_failures++;
		fprintf(stderr, "load failed (%d) without a message (%zu bytes)\n", rc, len);
	}
	bpfvm_object_close(o);
	return 1;
}

static void test_truncated(const char *name, size_t step)
{
	size_t len;
	uint8_t *buf = slurp(build(name), &len);
	struct bpfvm *vm = bpfvm_new();
	int opened = 0;
	for (size_t n = 0; n < len; n += step) {
		uint8_t *cut = malloc(n ? n : 1);       /* exact size: ASan sees reads past it */
		memcpy(cut, buf, n);
		opened += try_bytes(vm, cut, n);
		free(cut);
	}
	CHECK_EQ(opened, 0);                    /* the section table is at the end */
	bpfvm_free(vm);
	free(buf);
}

/* Overwrites bytes of the parts that steer the parser: the ELF header, the
 * section headers, the symbol table, relocations, BTF and map sections. */
static void test_flipped(const char *name)
{
	size_t len;
	uint8_t *orig = slurp(build(name), &len), *b = malloc(len);
	struct bpfvm *vm = bpfvm_new();
	Elf64_Ehdr *eh = (Elf64_Ehdr *)orig;
	struct part { size_t off, size, step; } parts[16];
	size_t np = 0;
	parts[np++] = (struct part){ 0, sizeof(Elf64_Ehdr), 1 };
	parts[np++] = (struct part){ eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr), 1 };
	static const char *const secs[] = { ".symtab", ".relxdp", ".rel.maps", ".relsocket", ".BTF", ".BTF.ext",
					    ".maps", "maps", ".text", "license" };
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		int s = sec_index(orig, secs[i]);
		if (s > 0 && np < 16) {
			Elf64_Shdr *h = shdr(orig, (unsigned)s);
			size_t size = h->sh_size, step = !strcmp(secs[i], ".BTF") ? 3 : 1;
			parts[np++] = (struct part){ h->sh_offset, size, step };
		}
	}
	static const uint8_t vals[] = { 0x00, 0xff, 0x80, 0x01, 0x7f };
	size_t tries = 0;
	for (size_t p = 0; p < np; p++)
		for (size_t off = parts[p].off; off < parts[p].off + parts[p].size && off < len; off += parts[p].step)
			for (size_t v = 0; v < sizeof(vals); v++) {
				if (orig[off] == vals[v])
					continue;
				memcpy(b, orig, len);
				b[off] = vals[v];
				try_bytes(vm, b, len);
				tries++;
			}
	CHECK(tries > 1000);
	bpfvm_free(vm);
	free(b);
	free(orig);
}

int main(void)
{
	if (!have_clang())
		test_skip("clang is not installed (needed to build BPF objects)");
	strcpy(tmpdir, "/tmp/bpfvm-obj-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	find_includes();
	char probe[1024];
	snprintf(probe, sizeof(probe), "clang -O2 -g -target bpf %s -c tests/data/obj/sections.bpf.c -o %s/probe.o",
		 include_args, tmpdir);
	if (system(probe) != 0)
		test_skip("clang cannot build BPF objects here (no <linux/bpf.h>? install linux-libc-dev)");
	test_helpers_header();
	test_section_table();
	test_sections();
	test_legacy_maps();
	test_legacy_big();
	test_btf_maps();
	test_global_data();
	test_calls();
	test_handwritten();
	test_map_in_map();
	test_crafted();
	test_truncated("calls", 1);
	static const char *const objs[] = { "sections", "legacy_maps", "btf_maps", "global_data", "map_in_map",
					    "legacy_big", "handwritten" };
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		test_truncated(objs[i], 13);
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		test_flipped(objs[i]);
	test_flipped("calls");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return test_done();
}
