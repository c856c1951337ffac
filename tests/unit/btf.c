/* BTF as Linux v5.1 validates it: BPF_BTF_LOAD on hand-built blobs (every
 * kind, every error with its errno and the last line of the kernel-format
 * log), the log itself, the type table's accessors, MAP_CREATE with BTF
 * (sizes, bpf_spin_lock), PROG_LOAD with func_info/line_info, and random
 * corruptions that must fail cleanly. The differential test against the
 * running kernel is tests/unit/btf_diff/. */
#include "test.h"
#include "lib/insn.h"
#include "unit/btf_diff/builder.h"
#include "btf/btf.h"
#include <errno.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524     /* the kernel's, not in <errno.h> */
#endif

static struct bpfvm *vm;
static char log_buf[65536];

static int sys(int cmd, union bpf_attr *a)
{
	int rc = bpfvm_bpf(vm, cmd, a, sizeof(*a));
	return rc < 0 ? -errno : rc;
}

/* BTF_LOAD with a log: the fd, or -errno */
static int load_blob(const void *blob, uint32_t size, uint32_t log_size)
{
	union bpf_attr a = { 0 };
	a.btf = (uint64_t)(uintptr_t)blob;
	a.btf_size = size;
	a.btf_log_buf = (uint64_t)(uintptr_t)log_buf;
	a.btf_log_size = log_size;
	a.btf_log_level = 1;
	return sys(BPF_BTF_LOAD, &a);
}

/* builds b's blob, frees b */
static int load_bb(struct bb *b)
{
	uint32_t n;
	uint8_t *p = bb_blob(b, &n);
	bb_free(b);
	int rc = load_blob(p, n, sizeof(log_buf));
	free(p);
	return rc;
}

static const char *last_line(void)
{
	static char line[512];
	size_t len = strlen(log_buf);
	while (len && log_buf[len - 1] == '\n')
		len--;
	size_t start = len;
	while (start && log_buf[start - 1] != '\n')
		start--;
	snprintf(line, sizeof(line), "%.*s", (int)(len - start), log_buf + start);
	return line;
}

#define EXPECT_OK(rc) do { int _fd = (rc); CHECK(_fd >= 3); if (_fd >= 0) bpfvm_close(vm, _fd); \
	else fprintf(stderr, "  log: %s\n", last_line()); } while (0)
#define EXPECT_ERR(rc, err, msg) do { int _rc = (rc); CHECK_EQ(_rc, -(err)); CHECK_STR(last_line(), msg); \
	if (_rc >= 0) bpfvm_close(vm, _rc); } while (0)

#define INT(b) bb_int((b), "int", 4, BB_SIGNED, 0, 32)

/* ---- valid BTF, and the log of it ---- */

static void test_valid(void)
{
	struct bb b;
	bb_init(&b);
	INT(&b);
	bb_ptr(&b, 1);
	bb_struct(&b, "s", 16, 2);
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "p", 2, 64);
	bb_enum(&b, "e", 4, 2);
	bb_enumval(&b, "X", 1);
	bb_enumval(&b, "Y", -2);
	bb_func_proto(&b, 1, 2);
	bb_param(&b, "a", 2);
	bb_param(&b, NULL, 0);
	bb_func(&b, "f", 5);
	bb_fwd(&b, "u", 1);
	bb_type(&b, "bits", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 1, (3u << 24) | 1);
	EXPECT_OK(load_bb(&b));
	/* The whole log: the header, then one line per type, members and
	 * enum values indented (the kernel's format, byte for byte). */
	CHECK_STR(log_buf, "magic: 0xeb9f\nversion: 1\nflags: 0x0\nhdr_len: 24\ntype_off: 0\ntype_len: 168\n"
			   "str_off: 168\nstr_len: 28\nbtf_total_size: 220\n"
			   "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
			   "[2] PTR (anon) type_id=1\n"
			   "[3] STRUCT s size=16 vlen=2\n\ta type_id=1 bits_offset=0\n\tp type_id=2 bits_offset=64\n"
			   "[4] ENUM e size=4 vlen=2\n\tX val=1\n\tY val=-2\n"
			   "[5] FUNC_PROTO (anon) return=1 args=(2 a, vararg)\n"
			   "[6] FUNC f type_id=5\n"
			   "[7] FWD u union\n"
			   "[8] STRUCT bits size=4 vlen=1\n\tx type_id=1 bitfield_size=3 bits_offset=1\n");

	/* VAR and DATASEC (v5.2), a pointer loop through a struct, void
	 * pointers and qualifiers, a typedef of a function prototype, a
	 * 32-deep chain, an empty struct, char[0], Latin-1 names */
	bb_init(&b);
	INT(&b);                                        /* 1 */
	bb_var(&b, "v", 1, 1);                          /* 2 */
	bb_datasec(&b, ".data", 8, 1);                  /* 3 */
	bb_vsi(&b, 2, 4, 4);
	bb_struct(&b, "node", 8, 1);                    /* 4 */
	bb_member(&b, "next", 5, 0);
	bb_ptr(&b, 4);                                  /* 5 */
	bb_ptr(&b, 0);                                  /* 6 */
	bb_const(&b, 0);                                /* 7 */
	bb_func_proto(&b, 0, 0);                        /* 8 */
	bb_typedef(&b, "fn", 8);                        /* 9 */
	bb_struct(&b, "empty", 0, 0);                   /* 10 */
	bb_array(&b, 1, 1, 0);                          /* 11 */
	bb_typedef(&b, "\xe9t\xe9", 1);                 /* 12 */
	for (int k = 0; k < 32; k++)                    /* 13..44 */
		bb_const(&b, k + 1 < 32 ? (uint32_t)k + 14 : 1);
	EXPECT_OK(load_bb(&b));
	CHECK_STR(last_line(), "[44] CONST (anon) type_id=1");
	CHECK_CONTAINS(log_buf, "[3] DATASEC .data size=8 vlen=1\n\t type_id=2 offset=4 size=4\n");
	CHECK_CONTAINS(log_buf, "[2] VAR v type_id=1 linkage=1\n");

	/* without a log */
	union bpf_attr a = { 0 };
	uint32_t n;
	bb_init(&b);
	INT(&b);
	uint8_t *p = bb_blob(&b, &n);
	bb_free(&b);
	a.btf = (uint64_t)(uintptr_t)p;
	a.btf_size = n;
	int fd = sys(BPF_BTF_LOAD, &a);
	CHECK(fd >= 3);
	/* OBJ_GET_INFO_BY_FD returns the blob, GET_FD_BY_ID finds it again */
	uint8_t back[64] = { 0 };
	struct bpf_btf_info info = { 0 };
	info.btf = (uint64_t)(uintptr_t)back;
	info.btf_size = sizeof(back);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(info.btf_size, n);
	CHECK(!memcmp(back, p, n));
	CHECK(info.id > 0);
	memset(&a, 0, sizeof(a));
	a.btf_id = info.id;
	int fd2 = sys(BPF_BTF_GET_FD_BY_ID, &a);
	CHECK(fd2 >= 3);
	bpfvm_close(vm, fd2);
	bpfvm_close(vm, fd);
	free(p);
}

/* ---- the header and the sections ---- */

static uint8_t *int_blob(uint32_t *n)
{
	struct bb b;
	bb_init(&b);
	INT(&b);
	uint8_t *p = bb_blob(&b, n);
	bb_free(&b);
	return p;
}

static int load_hdr(unsigned field, uint32_t v, uint32_t size_delta)
{
	uint32_t n;
	uint8_t *p = int_blob(&n);
	bb_set_hdr(p, field, v);
	int rc = load_blob(p, n - size_delta, sizeof(log_buf));
	free(p);
	return rc;
}

static void test_header(void)
{
	uint32_t n;
	uint8_t *p = int_blob(&n);
	EXPECT_ERR(load_blob(p, 7, sizeof(log_buf)), EINVAL, "hdr_len not found");
	EXPECT_ERR(load_blob(p, 20, sizeof(log_buf)), EINVAL, "btf_header not found");
	EXPECT_ERR(load_blob(p, 24, sizeof(log_buf)), EINVAL, "No data");
	/* a longer header must end in zeros */
	uint8_t *q = calloc(1, n + 8);
	memcpy(q, p, 24);
	memcpy(q + 32, p + 24, n - 24);
	bb_set_hdr(q, 1, 32);
	EXPECT_OK(load_blob(q, n + 8, sizeof(log_buf)));
	q[30] = 1;
	EXPECT_ERR(load_blob(q, n + 8, sizeof(log_buf)), E2BIG, "Unsupported btf_header");
	/* an odd header length: the types are then unaligned in the blob */
	memset(q, 0, n + 8);
	memcpy(q, p, 24);
	memcpy(q + 27, p + 24, n - 24);
	bb_set_hdr(q, 1, 27);
	EXPECT_OK(load_blob(q, n + 3, sizeof(log_buf)));
	free(q);
	free(p);
	EXPECT_ERR(load_hdr(0, 0x0001eb9e, 0), EINVAL, "Invalid magic");
	EXPECT_ERR(load_hdr(0, 0x0002eb9f, 0), ENOTSUPP, "Unsupported version");
	EXPECT_ERR(load_hdr(0, 0x0101eb9f, 0), ENOTSUPP, "Unsupported flags");
	CHECK_CONTAINS(log_buf, "magic: 0xeb9f\nversion: 1\nflags: 0x1\nhdr_len: 24\n");
	/* a header shorter than 24 bytes is zero-extended: with 16, the
	 * string section is empty and the strings are left over */
	EXPECT_ERR(load_hdr(1, 16, 0), EINVAL, "Unsupported section found");
	/* shorter than 8: even hdr_len reads as 0, the header is data */
	EXPECT_ERR(load_hdr(1, 4, 0), EINVAL, "Unsupported section found");
	CHECK_CONTAINS(log_buf, "hdr_len: 0\n");
	/* the sections sorted: a gap first, or both past the end */
	EXPECT_ERR(load_hdr(2, 1000, 0), EINVAL, "Unsupported section found");
	p = int_blob(&n);
	bb_set_hdr(p, 2, 500);
	bb_set_hdr(p, 4, 600);
	EXPECT_ERR(load_blob(p, n, sizeof(log_buf)), EINVAL, "Invalid section offset");
	free(p);
	EXPECT_ERR(load_hdr(2, 4, 0), EINVAL, "Unsupported section found");
	EXPECT_ERR(load_hdr(4, 8, 0), EINVAL, "Section overlap found");
	EXPECT_ERR(load_hdr(3, 100, 0), EINVAL, "Total section length too long");
	EXPECT_ERR(load_hdr(5, 4, 0), EINVAL, "Unsupported section found");
	EXPECT_ERR(load_hdr(5, 0, 5), EINVAL, "Invalid string section");
	/* str_off 0, type_off 2: strings first (not last), types unaligned */
	p = int_blob(&n);
	q = malloc(n);
	memcpy(q, p, 24);
	memcpy(q + 24, p + 40, 5);
	memcpy(q + 29, p + 24, 16);
	bb_set_hdr(q, 2, 5);
	bb_set_hdr(q, 4, 0);
	EXPECT_ERR(load_blob(q, n, sizeof(log_buf)), EINVAL, "String section is not at the end");
	free(q);
	p[n - 5] = 'x';
	EXPECT_ERR(load_blob(p, n, sizeof(log_buf)), EINVAL, "Invalid string section");
	p[n - 5] = 0;
	p[n - 1] = 'x';
	EXPECT_ERR(load_blob(p, n, sizeof(log_buf)), EINVAL, "Invalid string section");
	free(p);
	/* An empty type section may sit anywhere the order allows: after
	 * two bytes of strings, it is unaligned; after four, there are no
	 * types. */
	uint32_t hdr[6] = { 0x0001eb9f, 24, 2, 0, 0, 2 };
	uint8_t tiny[28] = { 0 };
	memcpy(tiny, hdr, sizeof(hdr));
	EXPECT_ERR(load_blob(tiny, 26, sizeof(log_buf)), EINVAL, "Unaligned type_off");
	hdr[2] = 4, hdr[5] = 4;
	memcpy(tiny, hdr, sizeof(hdr));
	EXPECT_ERR(load_blob(tiny, 28, sizeof(log_buf)), EINVAL, "No type found");
	struct bb b;
	bb_init(&b);
	bb_str(&b, "x");
	EXPECT_ERR(load_bb(&b), EINVAL, "No type found");
}

/* ---- the meta pass ---- */

struct ecase {
	const char *name;
	void (*build)(struct bb *b);
	int err;
	const char *msg;
};

#define BUILD(fn) static void fn(struct bb *b)
BUILD(short_type) { INT(b); bb_u32(b, 0); bb_u32(b, 0); }
BUILD(info_bit29) { INT(b); bb_raw(b, 0, 0x22000000u, 1); }
BUILD(info_bit28) { INT(b); bb_raw(b, 0, 0x10000000u, 4); }
BUILD(kind0) { INT(b); bb_raw(b, 0, 0, 0); }
BUILD(name_off_bad) { INT(b); bb_raw(b, 99, 2u << 24, 1); }
BUILD(int_short) { bb_type(b, "int", BB_INT, 0, 0, 4); }
BUILD(int_vlen) { bb_type(b, "int", BB_INT, 0, 1, 4); bb_u32(b, 32); }
BUILD(int_kflag) { bb_type(b, "int", BB_INT, 1, 0, 4); bb_u32(b, 32); }
BUILD(int_data) { bb_int(b, "int", 4, 0x10, 0, 32); }
BUILD(int_bits) { bb_int(b, "int", 32, 0, 8, 128); }
BUILD(int_size) { bb_int(b, "int", 2, 0, 0, 32); }
BUILD(int_enc) { bb_int(b, "int", 4, 3, 0, 32); }
BUILD(ptr_vlen) { INT(b); bb_type(b, NULL, BB_PTR, 0, 1, 1); }
BUILD(ptr_kflag) { INT(b); bb_type(b, NULL, BB_PTR, 1, 0, 1); }
BUILD(ptr_id) { INT(b); bb_ptr(b, 0x100000); }
BUILD(ptr_named) { INT(b); bb_type(b, "p", BB_PTR, 0, 0, 1); }
BUILD(typedef_anon) { INT(b); bb_typedef(b, NULL, 1); }
BUILD(typedef_digit) { INT(b); bb_typedef(b, "1t", 1); }
BUILD(typedef_dot) { INT(b); bb_typedef(b, "a.b", 1); }
BUILD(typedef_129)
{
	char n[130];
	memset(n, 'x', 129);
	n[129] = 0;
	INT(b);
	bb_typedef(b, n, 1);
}
BUILD(typedef_128)
{
	char n[129];
	memset(n, 'x', 128);
	n[128] = 0;
	INT(b);
	bb_typedef(b, n, 1);
}
BUILD(fwd_vlen) { bb_type(b, "f", BB_FWD, 0, 1, 0); }
BUILD(fwd_type) { bb_type(b, "f", BB_FWD, 0, 0, 1); }
BUILD(fwd_anon) { bb_fwd(b, NULL, 0); }
BUILD(array_short) { INT(b); bb_type(b, NULL, BB_ARRAY, 0, 0, 0); bb_u32(b, 1); }
BUILD(array_named) { INT(b); bb_type(b, "a", BB_ARRAY, 0, 0, 0); bb_u32(b, 1), bb_u32(b, 1), bb_u32(b, 1); }
BUILD(array_size) { INT(b); bb_type(b, NULL, BB_ARRAY, 0, 0, 4); bb_u32(b, 1), bb_u32(b, 1), bb_u32(b, 1); }
BUILD(array_elem0) { INT(b); bb_array(b, 0, 1, 1); }
BUILD(array_index0) { INT(b); bb_array(b, 1, 0, 1); }
BUILD(struct_short) { INT(b); bb_struct(b, "s", 8, 2); bb_member(b, "a", 1, 0); }
BUILD(struct_name) { INT(b); bb_struct(b, "s s", 4, 1); bb_member(b, "a", 1, 0); }
BUILD(member_name_off) { INT(b); bb_struct(b, "s", 4, 1); bb_u32(b, 99), bb_u32(b, 1), bb_u32(b, 0); }
BUILD(member_name) { INT(b); bb_struct(b, "s", 4, 1); bb_member(b, "-", 1, 0); }
BUILD(member_void) { INT(b); bb_struct(b, "s", 4, 1); bb_member(b, "a", 0, 0); }
BUILD(union_off) { INT(b); bb_union(b, "u", 8, 2); bb_member(b, "a", 1, 0); bb_member(b, "b", 1, 32); }
BUILD(struct_order) { INT(b); bb_struct(b, "s", 8, 2); bb_member(b, "a", 1, 32); bb_member(b, "b", 1, 0); }
BUILD(struct_past) { INT(b); bb_struct(b, "s", 4, 1); bb_member(b, "a", 1, 40); }
BUILD(enum_short) { bb_enum(b, "e", 4, 2); bb_enumval(b, "a", 1); }
BUILD(enum_kflag) { bb_type(b, "e", BB_ENUM, 1, 1, 4); bb_enumval(b, "a", 1); }
BUILD(enum_size) { bb_enum(b, "e", 8, 1); bb_enumval(b, "a", 1); }
BUILD(enum_name) { bb_enum(b, "e!", 4, 1); bb_enumval(b, "a", 1); }
BUILD(enum_val_off) { bb_enum(b, "e", 4, 1); bb_u32(b, 99), bb_u32(b, 1); }
BUILD(enum_val_anon) { bb_enum(b, "e", 4, 1); bb_enumval(b, NULL, 1); }
BUILD(proto_short) { INT(b); bb_func_proto(b, 1, 2); bb_param(b, "a", 1); }
BUILD(proto_named) { INT(b); bb_type(b, "p", BB_FUNC_PROTO, 0, 0, 1); }
BUILD(proto_kflag) { INT(b); bb_type(b, NULL, BB_FUNC_PROTO, 1, 0, 1); }
BUILD(func_anon) { INT(b); bb_func_proto(b, 1, 0); bb_func(b, NULL, 2); }
BUILD(func_vlen) { INT(b); bb_func_proto(b, 1, 0); bb_type(b, "f", BB_FUNC, 0, 1, 2); }
BUILD(func_kflag) { INT(b); bb_func_proto(b, 1, 0); bb_type(b, "f", BB_FUNC, 1, 0, 2); }
BUILD(var_short) { INT(b); bb_type(b, "v", BB_VAR, 0, 0, 1); }
BUILD(var_vlen) { INT(b); bb_type(b, "v", BB_VAR, 0, 1, 1); bb_u32(b, 0); }
BUILD(var_kflag) { INT(b); bb_type(b, "v", BB_VAR, 1, 0, 1); bb_u32(b, 0); }
BUILD(var_name) { INT(b); bb_var(b, "a.b", 1, 0); }
BUILD(var_void) { INT(b); bb_var(b, "v", 0, 0); }
BUILD(var_linkage) { INT(b); bb_var(b, "v", 1, 2); }
BUILD(ds_short) { INT(b); bb_var(b, "v", 1, 0); bb_type(b, ".d", BB_DATASEC, 0, 1, 4); }
BUILD(ds_vlen0) { INT(b); bb_datasec(b, ".d", 4, 0); }
BUILD(ds_size0) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, ".d", 0, 1); bb_vsi(b, 2, 0, 4); }
BUILD(ds_kflag) { INT(b); bb_var(b, "v", 1, 0); bb_type(b, ".d", BB_DATASEC, 1, 1, 4); bb_vsi(b, 2, 0, 4); }
BUILD(ds_name) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, "d!", 4, 1); bb_vsi(b, 2, 0, 4); }
BUILD(ds_void) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, ".d", 4, 1); bb_vsi(b, 0, 0, 4); }
BUILD(ds_off) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, ".d", 4, 1); bb_vsi(b, 2, 4, 4); }
BUILD(ds_size) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, ".d", 4, 1); bb_vsi(b, 2, 0, 0); }
BUILD(ds_end) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, ".d", 6, 1); bb_vsi(b, 2, 4, 4); }
BUILD(ds_overlap)
{
	INT(b);
	bb_var(b, "v", 1, 0);
	bb_datasec(b, ".d", 8, 2);
	bb_vsi(b, 2, 0, 4);
	bb_vsi(b, 2, 2, 4);
}

static const struct ecase meta_cases[] = {
	{ "truncated type", short_type, EINVAL, "[2] meta_left:8 meta_needed:12" },
	{ "info bit 29", info_bit29, EINVAL, "[2] Invalid btf_info:22000000" },
	{ "info bit 28 (kinds 16+)", info_bit28, EINVAL, "[2] Invalid btf_info:10000000" },
	{ "kind 0", kind0, EINVAL, "[2] Invalid kind:0" },
	{ "name_off", name_off_bad, EINVAL, "[2] Invalid name_offset:99" },
	{ "int: short", int_short, EINVAL, "[1] INT int meta_left:0 meta_needed:4" },
	{ "int: vlen", int_vlen, EINVAL, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=(none) vlen != 0" },
	{ "int: kflag", int_kflag, EINVAL,
	  "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=(none) Invalid btf_info kind_flag" },
	{ "int: int_data", int_data, EINVAL, "[1] INT int Invalid int_data:10000020" },
	{ "int: bits", int_bits, EINVAL, "[1] INT int size=32 bits_offset=8 nr_bits=128 encoding=(none) nr_bits exceeds 128" },
	{ "int: size", int_size, EINVAL, "[1] INT int size=2 bits_offset=0 nr_bits=32 encoding=(none) nr_bits exceeds type_size" },
	{ "int: encoding", int_enc, ENOTSUPP, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=UNKN Unsupported encoding" },
	{ "ptr: vlen", ptr_vlen, EINVAL, "[2] PTR (anon) type_id=1 vlen != 0" },
	{ "ptr: kflag", ptr_kflag, EINVAL, "[2] PTR (anon) type_id=1 Invalid btf_info kind_flag" },
	{ "ptr: id", ptr_id, EINVAL, "[2] PTR (anon) type_id=1048576 Invalid type_id" },
	{ "ptr: named", ptr_named, EINVAL, "[2] PTR p type_id=1 Invalid name" },
	{ "typedef: anonymous", typedef_anon, EINVAL, "[2] TYPEDEF (anon) type_id=1 Invalid name" },
	{ "typedef: digit", typedef_digit, EINVAL, "[2] TYPEDEF 1t type_id=1 Invalid name" },
	{ "typedef: dot", typedef_dot, EINVAL, "[2] TYPEDEF a.b type_id=1 Invalid name" },
	{ "fwd: vlen", fwd_vlen, EINVAL, "[1] FWD f struct vlen != 0" },
	{ "fwd: type", fwd_type, EINVAL, "[1] FWD f struct type != 0" },
	{ "fwd: anonymous", fwd_anon, EINVAL, "[1] FWD (anon) struct Invalid name" },
	{ "array: short", array_short, EINVAL, "[2] ARRAY (anon) meta_left:4 meta_needed:12" },
	{ "array: named", array_named, EINVAL, "[2] ARRAY a type_id=1 index_type_id=1 nr_elems=1 Invalid name" },
	{ "array: size", array_size, EINVAL, "[2] ARRAY (anon) type_id=1 index_type_id=1 nr_elems=1 size != 0" },
	{ "array: elem void", array_elem0, EINVAL, "[2] ARRAY (anon) type_id=0 index_type_id=1 nr_elems=1 Invalid elem" },
	{ "array: index void", array_index0, EINVAL, "[2] ARRAY (anon) type_id=1 index_type_id=0 nr_elems=1 Invalid index" },
	{ "struct: short", struct_short, EINVAL, "[2] STRUCT s meta_left:12 meta_needed:24" },
	{ "struct: name", struct_name, EINVAL, "[2] STRUCT s s size=4 vlen=1 Invalid name" },
	{ "member: name_off", member_name_off, EINVAL,
	  "\t(invalid-name-offset) type_id=1 bits_offset=0 Invalid member name_offset:99" },
	{ "member: name", member_name, EINVAL, "\t- type_id=1 bits_offset=0 Invalid name" },
	{ "member: void", member_void, EINVAL, "\ta type_id=0 bits_offset=0 Invalid type_id" },
	{ "union: offset", union_off, EINVAL, "\tb type_id=1 bits_offset=32 Invalid member bits_offset" },
	{ "struct: order", struct_order, EINVAL, "\tb type_id=1 bits_offset=0 Invalid member bits_offset" },
	{ "struct: past", struct_past, EINVAL, "\ta type_id=1 bits_offset=40 Member bits_offset exceeds its struct size" },
	{ "enum: short", enum_short, EINVAL, "[1] ENUM e meta_left:8 meta_needed:16" },
	{ "enum: kflag", enum_kflag, EINVAL, "[1] ENUM e size=4 vlen=1 Invalid btf_info kind_flag" },
	{ "enum: size 8", enum_size, EINVAL, "[1] ENUM e size=8 vlen=1 Expected size:4" },
	{ "enum: name", enum_name, EINVAL, "[1] ENUM e! size=4 vlen=1 Invalid name" },
	{ "enum: value name_off", enum_val_off, EINVAL, "\tInvalid name_offset:99" },
	{ "enum: anonymous value", enum_val_anon, EINVAL, "[1] ENUM e size=4 vlen=1 Invalid name" },
	{ "func_proto: short", proto_short, EINVAL, "[2] FUNC_PROTO (anon) meta_left:8 meta_needed:16" },
	{ "func_proto: named", proto_named, EINVAL, "[2] FUNC_PROTO p return=1 args=(void) Invalid name" },
	{ "func_proto: kflag", proto_kflag, EINVAL, "[2] FUNC_PROTO (anon) return=1 args=(void) Invalid btf_info kind_flag" },
	{ "func: anonymous", func_anon, EINVAL, "[3] FUNC (anon) type_id=2 Invalid name" },
	{ "func: vlen (linkage)", func_vlen, EINVAL, "[3] FUNC f type_id=2 vlen != 0" },
	{ "func: kflag", func_kflag, EINVAL, "[3] FUNC f type_id=2 Invalid btf_info kind_flag" },
	{ "var: short", var_short, EINVAL, "[2] VAR v meta_left:0 meta_needed:4" },
	{ "var: vlen", var_vlen, EINVAL, "[2] VAR v type_id=1 linkage=0 vlen != 0" },
	{ "var: kflag", var_kflag, EINVAL, "[2] VAR v type_id=1 linkage=0 Invalid btf_info kind_flag" },
	{ "var: name", var_name, EINVAL, "[2] VAR a.b type_id=1 linkage=0 Invalid name" },
	{ "var: void", var_void, EINVAL, "[2] VAR v type_id=0 linkage=0 Invalid type_id" },
	{ "var: linkage", var_linkage, EINVAL, "[2] VAR v type_id=1 linkage=2 Linkage not supported" },
	{ "datasec: short", ds_short, EINVAL, "[3] DATASEC .d meta_left:0 meta_needed:12" },
	{ "datasec: vlen 0", ds_vlen0, EINVAL, "[2] DATASEC .d size=4 vlen=0 vlen == 0" },
	{ "datasec: size 0", ds_size0, EINVAL, "[3] DATASEC .d size=0 vlen=1 size == 0" },
	{ "datasec: kflag", ds_kflag, EINVAL, "[3] DATASEC .d size=4 vlen=1 Invalid btf_info kind_flag" },
	{ "datasec: name", ds_name, EINVAL, "[3] DATASEC d! size=4 vlen=1 Invalid name" },
	{ "datasec: void", ds_void, EINVAL, "\t type_id=0 offset=0 size=4 Invalid type_id" },
	{ "datasec: offset", ds_off, EINVAL, "\t type_id=2 offset=4 size=4 Invalid offset" },
	{ "datasec: size", ds_size, EINVAL, "\t type_id=2 offset=0 size=0 Invalid size" },
	{ "datasec: end", ds_end, EINVAL, "\t type_id=2 offset=4 size=4 Invalid offset+size" },
	{ "datasec: overlap", ds_overlap, EINVAL, "\t type_id=2 offset=2 size=4 Invalid offset" },
	{ "name: 129 chars", typedef_129, EINVAL, NULL },
};

/* ---- the resolve pass ---- */

BUILD(ref_missing) { INT(b); bb_ptr(b, 5); }
BUILD(ref_func) { INT(b); bb_func_proto(b, 1, 0); bb_func(b, "f", 2); bb_const(b, 3); }
BUILD(ref_var) { INT(b); bb_var(b, "v", 1, 0); bb_ptr(b, 2); }
BUILD(loop_typedef) { INT(b); bb_typedef(b, "a", 3); bb_typedef(b, "b", 2); }
BUILD(loop_ptr) { INT(b); bb_const(b, 3); bb_ptr(b, 4); bb_volatile(b, 2); }
BUILD(loop_struct)
{
	INT(b);
	bb_struct(b, "a", 4, 1);
	bb_member(b, "b", 3, 0);
	bb_struct(b, "b", 4, 1);
	bb_member(b, "a", 2, 0);
}
BUILD(depth33)
{
	INT(b);
	for (int k = 0; k < 33; k++)
		bb_const(b, k + 1 < 33 ? (uint32_t)k + 3 : 1);
}
BUILD(index_struct) { INT(b); bb_struct(b, "s", 4, 1); bb_member(b, "a", 1, 0); bb_array(b, 1, 2, 4); }
BUILD(elem_fwd) { INT(b); bb_fwd(b, "f", 0); bb_array(b, 2, 1, 4); }
BUILD(elem_bits) { INT(b); bb_int(b, "bf", 4, 0, 0, 5); bb_array(b, 2, 1, 4); }
BUILD(array_big) { INT(b); bb_array(b, 1, 1, 0x40000001); }
BUILD(member_fwd) { INT(b); bb_fwd(b, "f", 0); bb_struct(b, "s", 4, 1); bb_member(b, "a", 2, 0); }
BUILD(member_int_past) { INT(b); bb_struct(b, "s", 6, 1); bb_member(b, "a", 1, 24); }
BUILD(member_ptr_align) { INT(b); bb_ptr(b, 1); bb_struct(b, "s", 12, 1); bb_member(b, "p", 2, 4); }
BUILD(member_ptr_past) { INT(b); bb_ptr(b, 1); bb_struct(b, "s", 12, 1); bb_member(b, "p", 2, 64); }
BUILD(member_array_past) { INT(b); bb_array(b, 1, 1, 4); bb_struct(b, "s", 12, 1); bb_member(b, "a", 2, 0); }
BUILD(member_typedef_void) { INT(b); bb_typedef(b, "t", 0); bb_struct(b, "s", 4, 1); bb_member(b, "x", 2, 0); }
BUILD(kflag_base) { INT(b); bb_int(b, "bf", 4, 0, 0, 5); bb_type(b, "s", BB_STRUCT, 1, 1, 4); bb_member(b, "x", 2, 3u << 24); }
BUILD(kflag_offset) { INT(b); bb_type(b, "s", BB_STRUCT, 1, 1, 8); bb_member(b, "x", 1, 3); }
BUILD(kflag_wide) { INT(b); bb_type(b, "s", BB_STRUCT, 1, 1, 8); bb_member(b, "x", 1, 33u << 24); }
BUILD(kflag_ptr) { INT(b); bb_ptr(b, 1); bb_type(b, "s", BB_STRUCT, 1, 1, 8); bb_member(b, "p", 2, 1u << 24); }
BUILD(kflag_enum) { bb_enum(b, "e", 4, 0); bb_type(b, "s", BB_STRUCT, 1, 1, 8); bb_member(b, "x", 1, 40u << 24); }
BUILD(proto_ret) { INT(b); bb_func_proto(b, 7, 0); }
BUILD(proto_ret_fwd) { INT(b); bb_fwd(b, "f", 0); bb_func_proto(b, 2, 0); }
BUILD(proto_arg) { INT(b); bb_func_proto(b, 1, 1); bb_param(b, "a", 7); }
BUILD(proto_arg_name) { INT(b); bb_func_proto(b, 1, 1); bb_param(b, "1a", 1); }
BUILD(proto_void_arg) { INT(b); bb_func_proto(b, 1, 2); bb_param(b, "a", 0); bb_param(b, "b", 1); }
BUILD(proto_named_vararg) { INT(b); bb_func_proto(b, 1, 2); bb_param(b, "a", 1); bb_param(b, "b", 0); }
BUILD(func_of_int) { INT(b); bb_func(b, "f", 1); }
BUILD(func_unnamed_arg) { INT(b); bb_func_proto(b, 1, 1); bb_param(b, NULL, 1); bb_func(b, "f", 2); }
BUILD(var_of_fwd) { INT(b); bb_fwd(b, "f", 0); bb_var(b, "v", 2, 0); }
BUILD(ds_not_var) { INT(b); bb_datasec(b, ".d", 4, 1); bb_vsi(b, 1, 0, 4); }
BUILD(ds_small) { INT(b); bb_var(b, "v", 1, 0); bb_datasec(b, ".d", 8, 1); bb_vsi(b, 2, 0, 2); }

static const struct ecase resolve_cases[] = {
	{ "ref: missing", ref_missing, EINVAL, "[2] PTR (anon) type_id=5 Invalid type_id" },
	{ "ref: const of a func", ref_func, EINVAL, "[4] CONST (anon) type_id=3 Invalid type_id" },
	{ "ref: ptr to a var", ref_var, EINVAL, "[3] PTR (anon) type_id=2 Invalid type_id" },
	{ "loop: typedefs", loop_typedef, EEXIST, "[2] TYPEDEF a type_id=3 Loop detected" },
	{ "loop: through a ptr", loop_ptr, EEXIST, "[2] CONST (anon) type_id=3 Loop detected" },
	{ "loop: structs", loop_struct, EEXIST, "[2] STRUCT a size=4 vlen=1 Loop detected" },
	{ "depth: 33", depth33, E2BIG, "[2] CONST (anon) type_id=3 Exceeded max resolving depth:32" },
	{ "array: index a struct", index_struct, EINVAL, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4 Invalid index" },
	{ "array: elem a forward", elem_fwd, EINVAL, "[3] ARRAY (anon) type_id=2 index_type_id=1 nr_elems=4 Invalid elem" },
	{ "array: elem a bitfield", elem_bits, EINVAL,
	  "[3] ARRAY (anon) type_id=2 index_type_id=1 nr_elems=4 Invalid array of int" },
	{ "array: too big", array_big, EINVAL,
	  "[2] ARRAY (anon) type_id=1 index_type_id=1 nr_elems=1073741825 Array size overflows U32_MAX" },
	{ "member: forward", member_fwd, EINVAL, "\ta type_id=2 bits_offset=0 Invalid member" },
	{ "member: int past the end", member_int_past, EINVAL, "\ta type_id=1 bits_offset=24 Member exceeds struct_size" },
	{ "member: ptr unaligned", member_ptr_align, EINVAL, "\tp type_id=2 bits_offset=4 Member is not byte aligned" },
	{ "member: ptr past the end", member_ptr_past, EINVAL, "\tp type_id=2 bits_offset=64 Member exceeds struct_size" },
	{ "member: array past the end", member_array_past, EINVAL, "\ta type_id=2 bits_offset=0 Member exceeds struct_size" },
	{ "member: typedef of void", member_typedef_void, EINVAL, "\tx type_id=2 bits_offset=0 Invalid member" },
	{ "kflag: base type", kflag_base, EINVAL, "\tx type_id=2 bitfield_size=3 bits_offset=0 Invalid member base type" },
	{ "kflag: offset", kflag_offset, EINVAL, "\tx type_id=1 bitfield_size=0 bits_offset=3 Invalid member offset" },
	{ "kflag: too wide", kflag_wide, EINVAL,
	  "\tx type_id=1 bitfield_size=33 bits_offset=0 Invalid member bitfield_size" },
	{ "kflag: ptr bitfield", kflag_ptr, EINVAL,
	  "\tp type_id=2 bitfield_size=1 bits_offset=0 Invalid member bitfield_size" },
	{ "kflag: enum bitfield", kflag_enum, EINVAL,
	  "\tx type_id=1 bitfield_size=40 bits_offset=0 Invalid member bitfield_size" },
	{ "func_proto: return", proto_ret, EINVAL, "[2] FUNC_PROTO (anon) return=7 args=(void) Invalid return type" },
	{ "func_proto: returns a forward", proto_ret_fwd, EINVAL,
	  "[3] FUNC_PROTO (anon) return=2 args=(void) Invalid return type" },
	{ "func_proto: arg", proto_arg, EINVAL, "[2] FUNC_PROTO (anon) return=1 args=(7 a) Invalid arg#1" },
	{ "func_proto: arg name", proto_arg_name, EINVAL, "[2] FUNC_PROTO (anon) return=1 args=(1 1a) Invalid arg#1" },
	{ "func_proto: void arg", proto_void_arg, EINVAL, "[2] FUNC_PROTO (anon) return=1 args=(0 a, 1 b) Invalid arg#1" },
	{ "func_proto: named vararg", proto_named_vararg, EINVAL,
	  "[2] FUNC_PROTO (anon) return=1 args=(1 a, vararg) Invalid arg#2" },
	{ "func: of an int", func_of_int, EINVAL, "[2] FUNC f type_id=1 Invalid type_id" },
	{ "func: unnamed arg", func_unnamed_arg, EINVAL, "[3] FUNC f type_id=2 Invalid arg#1" },
	{ "var: of a forward", var_of_fwd, EINVAL, "[3] VAR v type_id=2 linkage=0 Invalid type_id" },
	{ "datasec: not a var", ds_not_var, EINVAL, "\t type_id=1 offset=0 size=4 Not a VAR kind member" },
	{ "datasec: secinfo too small", ds_small, EINVAL, "\t type_id=2 offset=0 size=2 Invalid size" },
};

static void run_cases(const struct ecase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct bb b;
		bb_init(&b);
		c[i].build(&b);
		int rc = load_bb(&b);
		if (rc != -c[i].err || (c[i].msg && strcmp(last_line(), c[i].msg)))
			fprintf(stderr, "case \"%s\":\n", c[i].name);
		CHECK_EQ(rc, -c[i].err);
		if (c[i].msg)
			CHECK_STR(last_line(), c[i].msg);
		if (rc >= 0)
			bpfvm_close(vm, rc);
	}
}

static void test_names(void)
{
	struct bb b;
	/* KSYM_NAME_LEN (128) characters at most */
	bb_init(&b);
	typedef_128(&b);
	EXPECT_OK(load_bb(&b));
	bb_init(&b);
	typedef_129(&b);
	CHECK_EQ(load_bb(&b), -EINVAL);
	CHECK_CONTAINS(last_line(), " Invalid name");
	/* struct members after the struct line in the resolve pass */
	bb_init(&b);
	member_int_past(&b);
	CHECK_EQ(load_bb(&b), -EINVAL);
	CHECK_CONTAINS(log_buf, "[2] STRUCT s size=6 vlen=1\n\ta type_id=1 bits_offset=24\n"
				"[2] STRUCT s size=6 vlen=1\n\ta type_id=1 bits_offset=24 Member exceeds struct_size\n");
}

/* ---- the log ---- */

static void test_log(void)
{
	uint32_t n;
	uint8_t *p = int_blob(&n);
	union bpf_attr a = { 0 };
	/* a valid blob, a log too small: ENOSPC, and the log holds the start */
	CHECK_EQ(load_blob(p, n, 128), -ENOSPC);
	CHECK_EQ(strlen(log_buf), 127);
	CHECK(!strncmp(log_buf, "magic: 0xeb9f\n", 14));
	/* an invalid one: its own errno */
	bb_set_hdr(p, 0, 0x0001eb9e);
	CHECK_EQ(load_blob(p, n, 128), -EINVAL);
	bb_set_hdr(p, 0, 0x0001eb9f);
	/* log attributes: all or none, 128 bytes at least */
	CHECK_EQ(load_blob(p, n, 127), -EINVAL);
	a.btf = (uint64_t)(uintptr_t)p;
	a.btf_size = n;
	a.btf_log_level = 1;
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -EINVAL);
	a.btf_log_level = 0;
	a.btf_log_buf = (uint64_t)(uintptr_t)log_buf;
	a.btf_log_size = sizeof(log_buf);
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -EINVAL);
	/* the blob: at most 16 MiB (before the log is looked at), and there */
	memset(&a, 0, sizeof(a));
	a.btf_size = 16 * 1024 * 1024 + 1;
	a.btf = (uint64_t)(uintptr_t)p;
	a.btf_log_level = 1;        /* bad log attributes: still E2BIG */
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -E2BIG);
	memset(&a, 0, sizeof(a));
	a.btf_size = 64;
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -EFAULT);
	a.btf_size = 0;
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -EINVAL);
	/* attr bytes past btf_log_level */
	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)p;
	a.btf_size = n;
	((uint8_t *)&a)[offsetof(union bpf_attr, btf_log_level) + 4] = 1;
	CHECK_EQ(sys(BPF_BTF_LOAD, &a), -EINVAL);
	free(p);
	/* bpfvm_btf_parse into a plain buffer */
	struct bb b;
	bb_init(&b);
	ptr_id(&b);
	p = bb_blob(&b, &n);
	bb_free(&b);
	char small[64];
	struct bpfvm_btf *btf;
	CHECK_EQ(bpfvm_btf_parse(NULL, p, n, small, sizeof(small), &btf), -EINVAL);
	CHECK(btf == NULL);
	CHECK_EQ(strlen(small), 63);
	CHECK(!strncmp(small, "magic: 0xeb9f\n", 14));
	CHECK_EQ(bpfvm_btf_parse(NULL, p, n, NULL, 0, &btf), -EINVAL);
	free(p);
}

/* ---- the type table ---- */

static struct bpfvm_btf *parse_bb(struct bb *b)
{
	uint32_t n;
	uint8_t *p = bb_blob(b, &n);
	bb_free(b);
	struct bpfvm_btf *btf = NULL;
	int rc = bpfvm_btf_parse(NULL, p, n, log_buf, sizeof(log_buf), &btf);
	CHECK_EQ(rc, 0);
	free(p);
	return btf;
}

static void test_accessors(void)
{
	struct bb b;
	bb_init(&b);
	INT(&b);                                        /* 1 */
	bb_struct(&b, "bpf_spin_lock", 4, 1);           /* 2 */
	bb_member(&b, "val", 1, 0);
	bb_struct(&b, "v", 12, 3);                      /* 3: lock at 8 */
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "b", 1, 32);
	bb_member(&b, "l", 2, 64);
	bb_typedef(&b, "v_t", 3);                       /* 4 */
	bb_struct(&b, "two", 8, 2);                     /* 5 */
	bb_member(&b, "x", 2, 0);
	bb_member(&b, "y", 2, 32);
	bb_struct(&b, "mis", 8, 1);                     /* 6 */
	bb_member(&b, "l", 2, 16);
	bb_const(&b, 2);                                /* 7 */
	bb_struct(&b, "c", 4, 1);                       /* 8: a const lock is no lock */
	bb_member(&b, "l", 7, 0);
	bb_ptr(&b, 10);                                 /* 9 */
	bb_typedef(&b, "arr_t", 11);                    /* 10 */
	bb_array(&b, 1, 1, 4);                          /* 11 */
	bb_union(&b, "u", 4, 1);                        /* 12 */
	bb_member(&b, "l", 2, 0);
	bb_type(&b, "k", BB_STRUCT, 1, 1, 8);           /* 13: kind_flag, lock at 4 */
	bb_member(&b, "l", 2, 32);
	struct bpfvm_btf *btf = parse_bb(&b);
	if (!btf)
		return;
	CHECK_EQ(btf->nr_types, 13);
	CHECK_EQ(bpfvm_btf_type_size(btf, 1, NULL), 4);
	uint32_t rid = 0;
	CHECK_EQ(bpfvm_btf_type_size(btf, 4, &rid), 12);
	CHECK_EQ(rid, 3);
	CHECK_EQ(bpfvm_btf_type_size(btf, 11, NULL), 16);
	/* v5.1: the typedef was resolved through the pointer first, before
	 * its array had a size, and keeps size 0 */
	CHECK_EQ(bpfvm_btf_type_size(btf, 10, NULL), 0);
	CHECK_EQ(bpfvm_btf_type_size(btf, 9, NULL), 8);
	CHECK_EQ(bpfvm_btf_type_size(btf, 0, NULL), -EINVAL);
	CHECK_EQ(bpfvm_btf_type_size(btf, 99, NULL), -EINVAL);
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 3), 8);
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 4), 8);          /* through the typedef */
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 1), -EINVAL);    /* not a struct */
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 2), -ENOENT);
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 5), -E2BIG);
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 6), -EINVAL);    /* byte 2 */
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 8), -ENOENT);
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 12), -EINVAL);   /* a union */
	CHECK_EQ(bpfvm_btf_find_spin_lock(btf, 13), 4);
	CHECK_EQ(bpfvm_btf_find_by_name_kind(btf, "v_t", BTF_KIND_TYPEDEF), 4);
	CHECK_EQ(bpfvm_btf_find_by_name_kind(btf, "v_t", BTF_KIND_STRUCT), -ENOENT);
	CHECK_EQ(bpfvm_btf_find_by_name_kind(btf, "bpf_spin_lock", BTF_KIND_STRUCT), 2);
	CHECK_STR(bpfvm_btf_name_by_offset(btf, bpfvm_btf_type_by_id(btf, 3)->name_off), "v");
	CHECK(bpfvm_btf_name_by_offset(btf, 1000) == NULL);
	CHECK(bpfvm_btf_type_by_id(btf, 14) == NULL);
	CHECK(bpfvm_btf_type_by_id(btf, 0) != NULL);
	CHECK_EQ(BTF_INFO_KIND(bpfvm_btf_type_by_id(btf, 13)->info), BTF_KIND_STRUCT);

	/* map_check_btf */
	int32_t off = 0;
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_HASH, 4, 12, 1, 3, &off), 0);
	CHECK_EQ(off, 8);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_ARRAY, 4, 12, 1, 4, &off), 0);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 1, 3, &off), -ENOTSUPP);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_CGROUP_STORAGE, 4, 12, 1, 3, &off), -EINVAL);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 1, 5, &off), 0);
	CHECK_EQ(off, -E2BIG);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_HASH, 8, 12, 1, 3, &off), -EINVAL);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_HASH, 4, 16, 1, 3, &off), -EINVAL);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_HASH, 4, 16, 1, 10, &off), -EINVAL);  /* size 0 */
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_HASH, 4, 16, 1, 11, &off), 0);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_ARRAY, 4, 4, 12, 1, &off), -EINVAL);  /* key a union */
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, 1, &off), -ENOTSUPP);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_LPM_TRIE, 4, 4, 1, 1, &off), -EINVAL);
	CHECK_EQ(bpfvm_btf_check_map(btf, BPF_MAP_TYPE_LPM_TRIE, 12, 4, 3, 1, &off), 0);
	bpfvm_btf_put(btf);
}

/* ---- MAP_CREATE with BTF ---- */

static int map_create(uint32_t type, uint32_t ksz, uint32_t vsz, int btf_fd, uint32_t kid, uint32_t vid)
{
	union bpf_attr a = { 0 };
	a.map_type = type;
	a.key_size = ksz;
	a.value_size = vsz;
	a.max_entries = 4;
	a.btf_fd = (uint32_t)btf_fd;
	a.btf_key_type_id = kid;
	a.btf_value_type_id = vid;
	return sys(BPF_MAP_CREATE, &a);
}

static void test_maps(void)
{
	struct bb b;
	bb_init(&b);
	INT(&b);                                        /* 1 */
	bb_struct(&b, "bpf_spin_lock", 4, 1);           /* 2 */
	bb_member(&b, "val", 1, 0);
	bb_struct(&b, "v", 8, 2);                       /* 3 */
	bb_member(&b, "n", 1, 0);
	bb_member(&b, "l", 2, 32);
	bb_array(&b, 1, 1, 1);                          /* 4: int[1] */
	int btf = load_bb(&b);
	CHECK(btf >= 3);
	/* a lock: hash and array yes, the others ENOTSUPP */
	int fd = map_create(BPF_MAP_TYPE_HASH, 4, 8, btf, 1, 3);
	CHECK(fd >= 3);
	int key = 1;
	uint8_t val[8] = { 1, 2, 3, 4, 0, 0, 0, 0 }, out[8];
	union bpf_attr a = { 0 };
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)val;
	a.flags = BPF_F_LOCK;
	CHECK_EQ(sys(BPF_MAP_UPDATE_ELEM, &a), 0);      /* BPF_F_LOCK needs the lock */
	a.value = (uint64_t)(uintptr_t)out;
	CHECK_EQ(sys(BPF_MAP_LOOKUP_ELEM, &a), 0);
	CHECK(!memcmp(out, val, 4));
	struct bpf_map_info info = { 0 };
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(info.btf_key_type_id, 1);
	CHECK_EQ(info.btf_value_type_id, 3);
	CHECK(info.btf_id > 0);
	bpfvm_close(vm, fd);
	fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, btf, 1, 3);
	CHECK(fd >= 3);
	bpfvm_close(vm, fd);
	CHECK_EQ(map_create(BPF_MAP_TYPE_PERCPU_HASH, 4, 8, btf, 1, 3), -ENOTSUPP);
	CHECK_EQ(map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, btf, 1, 3), -ENOTSUPP);
	CHECK_EQ(map_create(BPF_MAP_TYPE_LRU_HASH, 4, 8, btf, 1, 3), -ENOTSUPP);
	/* sizes, ids, fds */
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 8, 8, btf, 1, 3), -EINVAL);
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 4, 12, btf, 1, 3), -EINVAL);
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 4, 8, btf, 0, 3), -EINVAL);
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 4, 8, btf, 1, 0), -EINVAL);
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 4, 8, btf, 1, 30), -EINVAL);
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 4, 8, 999, 1, 3), -EBADF);
	CHECK_EQ(map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, btf, 1, 1), -ENOTSUPP);
	/* an array's key must be a 32-bit int */
	CHECK_EQ(map_create(BPF_MAP_TYPE_ARRAY, 4, 4, btf, 4, 1), -EINVAL);
	fd = map_create(BPF_MAP_TYPE_HASH, 4, 4, btf, 4, 1);
	CHECK(fd >= 3);
	int notbtf = fd;
	CHECK_EQ(map_create(BPF_MAP_TYPE_HASH, 4, 8, notbtf, 1, 3), -EINVAL);
	bpfvm_close(vm, fd);
	/* without BTF, BPF_F_LOCK is refused */
	fd = map_create(BPF_MAP_TYPE_HASH, 4, 8, 0, 0, 0);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)val;
	a.flags = BPF_F_LOCK;
	CHECK_EQ(sys(BPF_MAP_UPDATE_ELEM, &a), -EINVAL);
	bpfvm_close(vm, fd);
	/* the map keeps its BTF after the fd is closed */
	fd = map_create(BPF_MAP_TYPE_HASH, 4, 8, btf, 1, 3);
	bpfvm_close(vm, btf);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)val;
	a.flags = BPF_F_LOCK;
	CHECK_EQ(sys(BPF_MAP_UPDATE_ELEM, &a), 0);
	bpfvm_close(vm, fd);
}

/* ---- PROG_LOAD with func_info and line_info ---- */

static const struct bpf_insn two_funcs[] = {
	CALL_LOCAL(3),                                  /* 0 -> 4 */
	LD_IMM64(1, 7),                                 /* 1, 2 */
	EXIT(),                                         /* 3 */
	MOV64_IMM(0, 0),                                /* 4 */
	EXIT(),                                         /* 5 */
};

static int prog_btf, str_file, str_line;

static int prog_load(const void *fi, uint32_t frec, uint32_t fcnt, const void *li, uint32_t lrec, uint32_t lcnt,
		     union bpf_attr *out)
{
	union bpf_attr a = { 0 };
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)two_funcs;
	a.insn_cnt = 6;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log_buf;
	a.log_size = sizeof(log_buf);
	a.log_level = 1;
	a.prog_btf_fd = (uint32_t)prog_btf;
	a.func_info = (uint64_t)(uintptr_t)fi;
	a.func_info_rec_size = frec;
	a.func_info_cnt = fcnt;
	a.line_info = (uint64_t)(uintptr_t)li;
	a.line_info_rec_size = lrec;
	a.line_info_cnt = lcnt;
	log_buf[0] = 0;
	int rc = sys(BPF_PROG_LOAD, &a);
	if (out)
		*out = a;
	return rc;
}

static void test_progs(void)
{
	struct bb b;
	bb_init(&b);
	INT(&b);                                        /* 1 */
	bb_func_proto(&b, 1, 0);                        /* 2 */
	bb_func(&b, "main", 2);                         /* 3 */
	bb_func(&b, "sub", 2);                          /* 4 */
	str_file = (int)bb_str(&b, "prog.c");
	str_line = (int)bb_str(&b, "return 0;");
	prog_btf = load_bb(&b);
	CHECK(prog_btf >= 3);
	struct bpf_func_info fi[2] = { { 0, 3 }, { 4, 4 } };
	uint32_t F = (uint32_t)str_file, L = (uint32_t)str_line;
	struct bpf_line_info li[3] = { { 0, F, L, 1 << 10 | 2 }, { 1, F, L, 2 << 10 }, { 4, F, L, 3 << 10 } };
	int fd = prog_load(fi, 8, 2, li, 16, 3, NULL);
	CHECK(fd >= 3);
	/* kept on the prog, returned by OBJ_GET_INFO_BY_FD */
	struct bpf_func_info fo[2] = { { 0 } };
	struct bpf_line_info lo[3] = { { 0 } };
	struct bpf_prog_info info = { 0 };
	info.nr_func_info = 2;
	info.func_info_rec_size = 8;
	info.func_info = (uint64_t)(uintptr_t)fo;
	info.nr_line_info = 3;
	info.line_info_rec_size = 16;
	info.line_info = (uint64_t)(uintptr_t)lo;
	union bpf_attr a = { 0 };
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	CHECK_EQ(sys(BPF_OBJ_GET_INFO_BY_FD, &a), 0);
	CHECK_EQ(info.nr_func_info, 2);
	CHECK_EQ(info.nr_line_info, 3);
	CHECK(!memcmp(fo, fi, sizeof(fi)));
	CHECK(!memcmp(lo, li, sizeof(li)));
	CHECK(info.btf_id > 0);
	bpfvm_close(vm, fd);

	/* a record bigger than the kernel's: a zero tail is fine */
	uint32_t f16[2][4] = { { 0, 3, 0, 0 }, { 4, 4, 0, 0 } };
	fd = prog_load(f16, 16, 2, NULL, 16, 0, NULL);
	CHECK(fd >= 3);
	bpfvm_close(vm, fd);
	/* a nonzero tail: E2BIG, and the rec size the kernel wants written back */
	f16[1][2] = 1;
	CHECK_EQ(prog_load(f16, 16, 2, NULL, 16, 0, &a), -E2BIG);
	CHECK_STR(last_line(), "nonzero tailing record in func info");
	CHECK_EQ(a.func_info_rec_size, 8);
	uint32_t l20[2][5] = { { 0, F, L, 1, 0 }, { 4, F, L, 1, 9 } };
	CHECK_EQ(prog_load(fi, 8, 2, l20, 20, 2, &a), -E2BIG);
	CHECK_STR(last_line(), "nonzero tailing record in line_info");
	CHECK_EQ(a.line_info_rec_size, 16);

	/* func_info */
	CHECK_EQ(prog_load(fi, 8, 1, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "number of funcs in func_info doesn't match number of subprogs");
	CHECK_EQ(prog_load(fi, 4, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "invalid func info rec size 4");
	CHECK_EQ(prog_load(fi, 256, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "invalid func info rec size 256");
	CHECK_EQ(prog_load(NULL, 8, 2, NULL, 16, 0, NULL), -EFAULT);
	struct bpf_func_info bad[2] = { { 1, 3 }, { 4, 4 } };
	CHECK_EQ(prog_load(bad, 8, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "nonzero insn_off 1 for the first func info record");
	bad[0].insn_off = 0, bad[1].insn_off = 0;
	CHECK_EQ(prog_load(bad, 8, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "same or smaller insn offset (0) than previous func info record (0)");
	bad[1].insn_off = 3;
	CHECK_EQ(prog_load(bad, 8, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "func_info BTF section doesn't match subprog layout in BPF program");
	bad[1].insn_off = 4, bad[1].type_id = 1;
	CHECK_EQ(prog_load(bad, 8, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "invalid type id 1 in func info");
	bad[1].type_id = 0xffffffff;
	CHECK_EQ(prog_load(bad, 8, 2, NULL, 16, 0, NULL), -EINVAL);
	CHECK_STR(last_line(), "invalid type id -1 in func info");

	/* line_info */
	CHECK_EQ(prog_load(NULL, 8, 0, li, 8, 3, NULL), -EINVAL);
	CHECK_STR(log_buf, "");
	CHECK_EQ(prog_load(NULL, 8, 0, NULL, 16, 3, NULL), -EFAULT);
	struct bpf_line_info lb[3] = { { 0, F, L, 1 }, { 6, F, L, 1 }, { 4, F, L, 1 } };
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 2, NULL), -EINVAL);
	CHECK_STR(last_line(), "Invalid line_info[1].insn_off:6 (prev_offset:0 prog->len:6)");
	lb[1].insn_off = 0;
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 2, NULL), -EINVAL);
	CHECK_STR(last_line(), "Invalid line_info[1].insn_off:0 (prev_offset:0 prog->len:6)");
	lb[1].insn_off = 2;
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 3, NULL), -EINVAL);
	CHECK_STR(last_line(), "Invalid insn code at line_info[1].insn_off");
	lb[1].insn_off = 4, lb[1].line_off = 999;
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 2, NULL), -EINVAL);
	CHECK_STR(last_line(), "Invalid line_info[1].line_off or .file_name_off");
	lb[1].line_off = L, lb[0].insn_off = 1;
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 2, NULL), -EINVAL);
	CHECK_STR(last_line(), "missing bpf_line_info for func#0");
	lb[0].insn_off = 0, lb[1].insn_off = 5;
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 2, NULL), -EINVAL);
	CHECK_STR(last_line(), "missing bpf_line_info for func#1");
	CHECK_EQ(prog_load(NULL, 8, 0, lb, 16, 1, NULL), -EINVAL);
	CHECK_STR(last_line(), "missing bpf_line_info for 1 funcs starting from func#1");

	/* the BTF fd: needed with records, not a BTF, not open */
	int saved = prog_btf;
	prog_btf = 999;
	CHECK_EQ(prog_load(fi, 8, 2, NULL, 16, 0, NULL), -EBADF);
	prog_btf = 999;
	fd = prog_load(NULL, 8, 0, NULL, 16, 0, NULL);  /* no records: not looked at */
	CHECK(fd >= 3);
	prog_btf = fd;
	CHECK_EQ(prog_load(fi, 8, 2, NULL, 16, 0, NULL), -EINVAL);
	bpfvm_close(vm, fd);
	prog_btf = saved;
	bpfvm_close(vm, prog_btf);
}

/* ---- corruptions: no crash, no out-of-bounds read (run under ASan) ---- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_fuzz(void)
{
	struct bb b;
	bb_init(&b);
	INT(&b);
	bb_ptr(&b, 3);
	bb_struct(&b, "s", 24, 3);
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "p", 2, 64);
	bb_member(&b, "arr", 8, 128);
	bb_enum(&b, "e", 4, 1);
	bb_enumval(&b, "E", 7);
	bb_func_proto(&b, 1, 2);
	bb_param(&b, "x", 1);
	bb_param(&b, NULL, 0);
	bb_func(&b, "f", 5);
	bb_typedef(&b, "t", 3);
	bb_array(&b, 1, 1, 2);
	bb_var(&b, "v", 3, 0);
	bb_datasec(&b, ".bss", 24, 1);
	bb_vsi(&b, 9, 0, 24);
	bb_type(&b, "k", BB_STRUCT, 1, 1, 4);
	bb_member(&b, "x", 1, 5u << 24);
	bb_fwd(&b, "fw", 0);
	uint32_t n;
	uint8_t *base = bb_blob(&b, &n);
	bb_free(&b);
	uint8_t *p = malloc(n + 64);
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int accepted = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(p, base, n);
		uint32_t size = n;
		int flips = 1 + (int)(rnd(&s) % 4);
		for (int k = 0; k < flips; k++) {
			uint32_t r = (uint32_t)rnd(&s);
			switch (r % 4) {
			case 0: p[(r >> 8) % n] ^= (uint8_t)(1u << ((r >> 4) & 7)); break;
			case 1: p[(r >> 8) % n] = (uint8_t)(r >> 2); break;
			case 2: size = (r >> 8) % (n + 1); break;
			case 3: {
				uint32_t v = (uint32_t)rnd(&s) % 48, at = ((r >> 8) % (n / 4)) * 4;
				memcpy(p + at, &v, 4);
				break;
			}
			}
		}
		struct bpfvm_btf *btf = NULL;
		int rc = bpfvm_btf_parse(NULL, p, size, log_buf, 256, &btf);
		CHECK(rc <= 0);
		if (rc == 0) {
			accepted++;
			/* what the other users call on any valid BTF */
			int32_t off;
			for (uint32_t id = 0; id <= btf->nr_types + 1; id++) {
				bpfvm_btf_type_size(btf, id, NULL);
				bpfvm_btf_find_spin_lock(btf, id);
				bpfvm_btf_check_map(btf, BPF_MAP_TYPE_HASH, 4, 8, id, id, &off);
			}
			bpfvm_btf_put(btf);
		} else {
			CHECK(btf == NULL);
		}
	}
	CHECK(accepted > 0);
	printf("fuzz: %d of 20000 corrupted blobs accepted\n", accepted);
	free(p);
	free(base);
}

int main(void)
{
	vm = bpfvm_new();
	if (!vm)
		test_skip("bpfvm_new failed");
	test_valid();
	test_header();
	run_cases(meta_cases, sizeof(meta_cases) / sizeof(meta_cases[0]));
	run_cases(resolve_cases, sizeof(resolve_cases) / sizeof(resolve_cases[0]));
	test_names();
	test_log();
	test_accessors();
	test_maps();
	test_progs();
	test_fuzz();
	bpfvm_free(vm);
	return test_done();
}
