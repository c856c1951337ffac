/*
 * uapi: <bpfvm/uapi.h> declares the Linux v5.1 eBPF ABI exactly.
 *
 * abi_list.h names every constant, enum member, struct/union and field of
 * Linux v5.1's <linux/bpf.h> and <linux/bpf_common.h>. tab_sys.c evaluates
 * the list against the system's <linux/bpf.h>, tab_ours.c against
 * <bpfvm/uapi.h> (the two cannot share a translation unit); this file
 * compares the two tables entry by entry and prints every mismatch. Where a
 * later kernel legitimately differs from v5.1 (a struct extended at its end,
 * a "max" sentinel, a re-typed field) the list says so and ours is held to
 * the v5.1 value instead. both_sys_first.c and both_ours_first.c prove the
 * two headers compile together in either order.
 *
 * Run with -v to also list those tolerated differences.
 *
 * Strict mode, against a pristine v5.1 header instead of the system's (every
 * entry must then be equal, sentinels and sizes included):
 *   mkdir -p /tmp/v51/bpfvm
 *   { echo "#define BIT(n) (1U << (n))"; cat V51_BPF_H; } > /tmp/v51/bpfvm/uapi.h
 *   cc -std=c11 -D_GNU_SOURCE -I/tmp/v51 -Itests -DABI_SIDE=sys -c \
 *      tests/unit/uapi/tab_ours.c -o /tmp/v51/ref.o
 *   cc -std=c11 -D_GNU_SOURCE -Iinclude -Itests -DABI_STRICT=1 \
 *      tests/unit/uapi/main.c tests/unit/uapi/tab_ours.c \
 *      tests/unit/uapi/both_*.c /tmp/v51/ref.o -o /tmp/v51/uapi && /tmp/v51/uapi
 * where V51_BPF_H is Linux v5.1's installed <linux/bpf.h> (its text uses BIT(),
 * which user space does not define).
 */
#include "test.h"

#include "abi.h"

#ifndef ABI_STRICT
#define ABI_STRICT 0
#endif

#define MAX_RECS 2048

/* what the "sys" table was built from */
#define OTHER (ABI_STRICT ? "the v5.1 reference" : "the system header")

static struct abi_rec sys_t[MAX_RECS], ours_t[MAX_RECS];
static int verbose;
static unsigned n_const, n_agg, n_field, n_tolerated;

static const char *const kind_names[] = {
	"DEF", "DEFS", "FNMACRO", "ENUM", "ENUMC", "ENUMS", "HELPER", "SIZE",
	"GROWN", "FIELD", "SFIELD", "GFIELD", "RETYPED", "BITFIELD", "EXT",
};

/* ours vs the system's value of one property of entry r */
static void same(const struct abi_rec *r, const char *what, uint64_t ours, uint64_t sys)
{
	test_checks++;
	if (ours != sys) {
		test_failures++;
		fprintf(stderr, "abi_list.h:%d: %s: %s differs: ours 0x%" PRIx64 " (%" PRId64
			"), system 0x%" PRIx64 " (%" PRId64 ")\n",
			r->line, r->name, what, ours, (int64_t)ours, sys, (int64_t)sys);
	}
}

/* ours vs the v5.1 value the list states */
static void is_v51(const struct abi_rec *r, const char *what, uint64_t ours, uint64_t v51)
{
	test_checks++;
	if (ours != v51) {
		test_failures++;
		fprintf(stderr, "abi_list.h:%d: %s: %s: ours 0x%" PRIx64 " (%" PRId64
			"), v5.1 0x%" PRIx64 " (%" PRId64 ")\n",
			r->line, r->name, what, ours, (int64_t)ours, v51, (int64_t)v51);
	}
}

/* a later kernel may have a larger value than v5.1 (strict: equal) */
static void sys_at_least(const struct abi_rec *r, const char *what, uint64_t ours, uint64_t sys)
{
	if (ABI_STRICT) {
		same(r, what, ours, sys);
		return;
	}
	test_checks++;
	if (sys < ours) {
		test_failures++;
		fprintf(stderr, "abi_list.h:%d: %s: %s: system 0x%" PRIx64 " is below v5.1's 0x%" PRIx64 "\n",
			r->line, r->name, what, sys, ours);
	} else if (sys != ours) {
		n_tolerated++;
		if (verbose)
			printf("note: %s: %s is %" PRIu64 " in v5.1, %" PRIu64 " in %s\n",
			       r->name, what, ours, sys, OTHER);
	}
}

/* the C type of a constant is that of v5.1 (1U vs 1ULL matters to ~x) */
static void type_is(const struct abi_rec *r, const char *who, uint64_t code, uint64_t v51)
{
	static const char *const names[] = {
		"?", "int", "unsigned int", "long", "unsigned long", "long long",
		"unsigned long long", "another type",
	};

	test_checks++;
	if (code != v51) {
		test_failures++;
		fprintf(stderr, "abi_list.h:%d: %s: C type in %s is %s, in v5.1 %s\n", r->line,
			r->name, who, names[code < 8 ? code : 0], names[v51 < 8 ? v51 : 0]);
	}
}

static const struct abi_rec *find(const struct abi_rec *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static void compare_entry(const struct abi_rec *o, const struct abi_rec *s, int u64_align8)
{
	switch (o->kind) {
	case ABI_K_DEF:
	case ABI_K_DEFS:
		n_const++;
		if (o->kind == ABI_K_DEF) {
			same(o, "value", o->v[0], s->v[0]);
		} else {
			is_v51(o, "value", o->v[0], o->v[3]);
			sys_at_least(o, "value", o->v[0], s->v[0]);
		}
		type_is(o, "ours", o->v[1], o->v[2]);
		/* later headers turned many of these macros into enum
		 * constants, whose type is int (or the enum's) */
		if (ABI_STRICT)
			type_is(o, OTHER, s->v[1], o->v[2]);
		break;
	case ABI_K_FNMACRO:
		n_const++;
		for (int i = 0; i < 4; i++)
			same(o, "result", o->v[i], s->v[i]);
		break;
	case ABI_K_ENUM:
		same(o, "member count", o->v[0], s->v[0]);
		break;
	case ABI_K_ENUMC:
	case ABI_K_HELPER:
		n_const++;
		same(o, "value", o->v[0], s->v[0]);
		break;
	case ABI_K_ENUMS:
		n_const++;
		is_v51(o, "value", o->v[0], o->v[1]);
		sys_at_least(o, "value", o->v[0], s->v[0]);
		break;
	case ABI_K_SIZE:
		n_agg++;
		same(o, "sizeof", o->v[0], s->v[0]);
		same(o, "_Alignof", o->v[1], s->v[1]);
		break;
	case ABI_K_GROWN:
		n_agg++;
		/* the v5.1 numbers of the list hold where uint64_t is 8-aligned */
		if (u64_align8) {
			is_v51(o, "sizeof", o->v[0], o->v[2]);
			is_v51(o, "_Alignof", o->v[1], o->v[3]);
		}
		sys_at_least(o, "sizeof", o->v[0], s->v[0]);
		if (ABI_STRICT)
			same(o, "_Alignof", o->v[1], s->v[1]);
		break;
	case ABI_K_FIELD:
		n_field++;
		same(o, "offsetof", o->v[0], s->v[0]);
		same(o, "sizeof", o->v[1], s->v[1]);
		break;
	case ABI_K_SFIELD:
		n_field++;
		same(o, "offsetof", o->v[0], s->v[0]);
		same(o, "sizeof", o->v[1], s->v[1]);
		is_v51(o, "signedness", o->v[2], o->v[3]);
		same(o, "signedness", o->v[2], s->v[2]);
		break;
	case ABI_K_GFIELD:
		n_field++;
		same(o, "offsetof", o->v[0], s->v[0]);
		is_v51(o, "sizeof", o->v[1], o->v[2]);
		sys_at_least(o, "sizeof", o->v[1], s->v[1]);
		break;
	case ABI_K_RETYPED:
		n_field++;
		same(o, "offsetof", o->v[0], s->v[0]);
		is_v51(o, "sizeof", o->v[1], o->v[2]);
		if (ABI_STRICT) {
			same(o, "sizeof", o->v[1], s->v[1]);
		} else if (o->v[1] != s->v[1]) {
			n_tolerated++;
			if (verbose)
				printf("note: %s: re-typed by a later kernel: %" PRIu64
				       " bytes in v5.1, %" PRIu64 " in the system header\n",
				       o->name, o->v[1], s->v[1]);
		}
		break;
	case ABI_K_BITFIELD:
		n_field++;
		same(o, "first byte", o->v[0], s->v[0]);
		same(o, "bytes set", o->v[1], s->v[1]);
		same(o, "all-ones value", o->v[2], s->v[2]);
		is_v51(o, "all-ones value", o->v[2], (UINT64_C(1) << o->v[3]) - 1);
		break;
	case ABI_K_EXT:
		n_const++;
		is_v51(o, "value (later Linux)", o->v[0], o->v[1]);
		if (s->v[0] != ABI_EXT_ABSENT)
			same(o, "value", o->v[0], s->v[0]);
		else if (verbose)
			printf("note: %s: not in %s\n", o->name, OTHER);
		break;
	default:
		CHECK(!"unknown entry kind");
	}
}

/* Every enum of the list has as many members as in v5.1, and sequential
 * ones have the values FIRST, FIRST+1, ... in list order. */
static void check_enum_groups(const struct abi_rec *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].kind != ABI_K_ENUM)
			continue;
		const struct abi_rec *e = &t[i];
		int64_t first = (int64_t)e->v[1];
		uint64_t count = 0;
		for (size_t j = 0; j < n; j++) {
			const struct abi_rec *m = &t[j];
			if ((m->kind != ABI_K_ENUMC && m->kind != ABI_K_ENUMS &&
			     m->kind != ABI_K_HELPER) || strcmp(m->group, e->group))
				continue;
			if (first >= 0)
				is_v51(m, "value (position in its enum)", m->v[0],
				       (uint64_t)first + count);
			count++;
		}
		is_v51(e, "members listed", count, e->v[0]);
	}
}

/* __BPF_FUNC_MAPPER: ours has exactly the 98 names of v5.1 (the list's
 * ABI_HELPER entries, in order); the system's starts with the same ones. */
static void check_helpers(const struct abi_rec *t, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i].kind != ABI_K_HELPER)
			continue;
		const char *name = t[i].name + strlen("BPF_FUNC_");
		if (k < abi_helper_count_ours)
			CHECK_STR(abi_helper_names_ours[k], name);
		if (k < abi_helper_count_sys)
			CHECK_STR(abi_helper_names_sys[k], name);
		is_v51(&t[i], "value (position in __BPF_FUNC_MAPPER)", t[i].v[0], k);
		k++;
	}
	CHECK_EQ(k, 98);
	CHECK_EQ(abi_helper_count_ours, 98);
	if (ABI_STRICT)
		CHECK_EQ(abi_helper_count_sys, 98);
	else
		CHECK(abi_helper_count_sys >= 98);
}

static uint64_t rec_v0(const struct abi_rec *t, size_t n, const char *name)
{
	const struct abi_rec *r = find(t, n, name);

	CHECK(r != NULL);
	return r ? r->v[0] : 0;
}

/* The headers compile together in either order (see both_*.c). */
static void check_both(size_t ns, size_t no, int little_endian)
{
	static const uint64_t ext[6] = { 2, 0xc0, 0x01, 0xe1, 0xf1, 0x80 };
	/* ldx memsx half r1 = *(s16 *)(r2 + 4) */
	static const uint8_t insn_le[8] = { 0x89, 0x21, 0x04, 0x00, 0, 0, 0, 0 };
	struct abi_both a, b;

	abi_both_sys_first(&a);
	abi_both_ours_first(&b);
	for (int i = 0; i < 6; i++) {
		CHECK_EQ_U64(a.ext[i], ext[i]);
		CHECK_EQ_U64(b.ext[i], ext[i]);
	}
	CHECK(!memcmp(a.insn, b.insn, 8));
	if (little_endian)
		CHECK(!memcmp(a.insn, insn_le, 8));

	/* system first: the system's definitions are the ones in effect */
	if (!ABI_STRICT) {
		CHECK_EQ(a.attr_size, rec_v0(sys_t, ns, "union bpf_attr"));
		CHECK_EQ(a.func_max_id, rec_v0(sys_t, ns, "__BPF_FUNC_MAX_ID"));
		CHECK_EQ(a.max_attach, rec_v0(sys_t, ns, "__MAX_BPF_ATTACH_TYPE"));
		CHECK_EQ(a.extra, rec_v0(sys_t, ns, "struct __sk_buff.sk"));
	}
	/* ours first: <linux/bpf.h> was a no-op, the v5.1 definitions hold */
	CHECK_EQ(b.attr_size, rec_v0(ours_t, no, "union bpf_attr"));
	CHECK_EQ(b.attr_size, 112);
	CHECK_EQ(b.func_max_id, 98);
	CHECK_EQ(b.max_attach, 18);
	CHECK_EQ_U64(b.extra, (UINT64_C(0x06) << 32) | 0x1234);
}

int main(int argc, char **argv)
{
	const uint16_t one = 1;
	const int little_endian = *(const uint8_t *)&one == 1;
	const int u64_align8 = _Alignof(uint64_t) == 8;
	size_t ns, no;
	uint8_t bs[8], bo[8];

	verbose = argc > 1 && !strcmp(argv[1], "-v");

	ns = abi_fill_sys(sys_t, MAX_RECS);
	no = abi_fill_ours(ours_t, MAX_RECS);
	CHECK(ns <= MAX_RECS && no <= MAX_RECS);
	CHECK_EQ(ns, no);
	if (ns > MAX_RECS || no != ns)
		return test_done();

	for (size_t i = 0; i < no; i++) {
		const struct abi_rec *o = &ours_t[i], *s = &sys_t[i];

		/* both tables come from the same list */
		if (o->kind != s->kind || o->line != s->line || strcmp(o->name, s->name)) {
			CHECK(!"tables out of step");
			fprintf(stderr, "  entry %zu: ours %s %s, system %s %s\n", i,
				kind_names[o->kind], o->name, kind_names[s->kind], s->name);
			return test_done();
		}
		compare_entry(o, s, u64_align8);
	}
	check_enum_groups(ours_t, no);
	check_helpers(ours_t, no);

	/* bpf_insn bit-fields, byte by byte: dst_reg is the low nibble of
	 * byte 1 on little-endian hosts (the kernel's __LITTLE_ENDIAN_BITFIELD) */
	abi_insn_bytes_sys(bs);
	abi_insn_bytes_ours(bo);
	CHECK(!memcmp(bs, bo, 8));
	if (little_endian) {
		static const uint8_t want[8] = { 0x12, 0xa3, 0xfe, 0xff, 0x44, 0x33, 0x22, 0x11 };
		CHECK(!memcmp(bo, want, 8));
	}

	check_both(ns, no, little_endian);

	printf("compared %u constants, %u structs/unions, %u fields (%u tolerated later-kernel differences)%s\n",
	       n_const, n_agg, n_field, n_tolerated, ABI_STRICT ? " [strict, v5.1 reference]" : "");
	return test_done();
}
