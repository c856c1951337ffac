#!/bin/sh
# Seed corpus for fuzz_btf: hand-built BTF blobs (every kind, maps with
# bpf_spin_lock, functions for func_info) made by a small generator over
# tests/unit/btf_diff/builder.h, and the .BTF sections of the clang -g
# objects of tests/data/btf, tests/data/obj and examples (skipped without
# clang / llvm-objcopy). Each seed is fuzz_btf's 8 control bytes, then the
# blob (see tests/fuzz/fuzz_btf.c).
# Usage: btf_corpus.sh [OUTDIR]   (default: build-fuzz/corpus/fuzz_btf)
set -e
out=${1:-build-fuzz/corpus/fuzz_btf}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-cc}

cat > "$tmp/gen.c" <<'EOF'
#include "unit/btf_diff/builder.h"
#include <stdio.h>

static const char *dir;
static int count;

/* control bytes: log level 1 into the whole buffer; map type; key and
 * value type ids; flags; sizes; func_info type id */
static void emit(struct bb *b, const char *name, uint8_t map, uint8_t key, uint8_t value, uint8_t flags,
		 uint8_t fi)
{
	uint32_t n;
	uint8_t *p = bb_blob(b, &n);
	uint8_t c[8] = { 1 | (6 << 2), map, key, value, flags, 4, 4, fi };
	char path[512];
	snprintf(path, sizeof(path), "%s/gen-%02d-%s", dir, count++, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(c, 1, 8, f) != 8 || fwrite(p, 1, n, f) != n || fclose(f))
		exit(1);
	free(p);
	bb_free(b);
}

/* A clang .BTF as libbpf's sanitizer leaves it for an older kernel: FUNC
 * linkage (vlen, 5.6) back to 0, which v5.1 requires. */
static void sanitize(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < 24)
		return;
	uint32_t hdr_len = bb_get_hdr(buf, 1), type_off = bb_get_hdr(buf, 2), type_len = bb_get_hdr(buf, 3);
	if ((uint64_t)hdr_len + type_off + type_len > n)
		return;
	uint8_t *t = buf + hdr_len + type_off, *end = t + type_len;
	while (t + 12 <= end) {
		uint32_t info;
		memcpy(&info, t + 4, 4);
		uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff, extra = 0;
		switch (kind) {
		case BB_INT: case BB_VAR: case 17: extra = 4; break;
		case BB_ARRAY: extra = 12; break;
		case BB_STRUCT: case BB_UNION: case BB_DATASEC: case 19: extra = 12 * vlen; break;
		case BB_ENUM: case BB_FUNC_PROTO: extra = 8 * vlen; break;
		case BB_FUNC:
			info &= ~0xffffu;
			memcpy(t + 4, &info, 4);
			break;
		}
		if (kind == BB_DATASEC && t + 12 + extra <= end) {
			/* sizes and variable offsets come from the ELF symbols:
			 * lay the variables out one after the other */
			uint32_t at = 0, v[3];
			for (uint32_t k = 0; k < vlen; k++) {
				memcpy(v, t + 12 + 12 * k, 12);
				if (v[1] < at)
					v[1] = at;
				at = v[1] + v[2];
				memcpy(t + 12 + 12 * k, v, 12);
			}
			memcpy(t + 8, &at, 4);
		}
		t += 12 + extra;
	}
	/* fuzz_btf's control bytes: log level 1 into the whole buffer; a
	 * HASH map of types 1 and 2, sizes from the types; PROG_LOAD with
	 * func_info naming type 3 */
	uint8_t c[8] = { 1 | (6 << 2), 0, 1, 2, 7, 4, 4, 3 };
	char out[600];
	const char *base = strrchr(path, '/');
	snprintf(out, sizeof(out), "%s/sanitized-%s", dir, base ? base + 1 : path);
	f = fopen(out, "wb");
	if (!f || fwrite(c, 1, 8, f) != 8 || fwrite(buf, 1, n, f) != n || fclose(f))
		exit(1);
}

int main(int argc, char **argv)
{
	struct bb b;
	dir = argc > 1 ? argv[1] : ".";
	if (argc > 2) {
		for (int i = 2; i < argc; i++)
			sanitize(argv[i]);
		return 0;
	}

	/* int key, struct value with a spin lock: a HASH map (type 0) */
	bb_init(&b);
	bb_int(&b, "int", 4, 1, 0, 32);                         /* 1 */
	bb_int(&b, "u32", 4, 0, 0, 32);                         /* 2 */
	bb_struct(&b, "bpf_spin_lock", 4, 1);                   /* 3 */
	bb_member(&b, "val", 2, 0);
	bb_struct(&b, "value", 8, 2);                           /* 4 */
	bb_member(&b, "n", 1, 0);
	bb_member(&b, "lock", 3, 32);
	emit(&b, "spinlock-hash", 0, 1, 4, 3, 0);

	/* the same as an ARRAY (type 1), u32 key */
	bb_init(&b);
	bb_int(&b, "int", 4, 1, 0, 32);
	bb_int(&b, "u32", 4, 0, 0, 32);
	bb_struct(&b, "bpf_spin_lock", 4, 1);
	bb_member(&b, "val", 2, 0);
	bb_struct(&b, "value", 8, 2);
	bb_member(&b, "n", 1, 0);
	bb_member(&b, "lock", 3, 32);
	emit(&b, "spinlock-array", 1, 2, 4, 3, 0);

	/* every kind, and functions for func_info (FUNC id 7, 8) */
	bb_init(&b);
	bb_int(&b, "int", 4, 1, 0, 32);                         /* 1 */
	bb_ptr(&b, 1);                                          /* 2 */
	bb_struct(&b, "s", 16, 2);                              /* 3 */
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "p", 2, 64);
	bb_enum(&b, "e", 4, 2);                                 /* 4 */
	bb_enumval(&b, "X", 1);
	bb_enumval(&b, "Y", -2);
	bb_func_proto(&b, 1, 1);                                /* 5 */
	bb_param(&b, "ctx", 2);
	bb_fwd(&b, "u", 1);                                     /* 6 */
	bb_func(&b, "f", 5);                                    /* 7 */
	bb_func(&b, "g", 5);                                    /* 8 */
	bb_typedef(&b, "t", 3);                                 /* 9 */
	bb_const(&b, 9);                                        /* 10 */
	bb_volatile(&b, 10);                                    /* 11 */
	bb_restrict(&b, 2);                                     /* 12 */
	bb_array(&b, 1, 1, 4);                                  /* 13 */
	bb_union(&b, "un", 4, 2);                               /* 14 */
	bb_member(&b, "i", 1, 0);
	bb_member(&b, "e", 4, 0);
	emit(&b, "kinds-prog", 0, 1, 3, 4 | 8 | 32 | 2, 7);
	bb_init(&b);
	bb_int(&b, "int", 4, 1, 0, 32);
	bb_ptr(&b, 1);
	bb_func_proto(&b, 1, 1);
	bb_param(&b, "ctx", 2);
	bb_func(&b, "f", 3);
	emit(&b, "func", 0, 1, 1, 4 | 8, 4);

	/* bitfields in a kind_flag struct, an LPM key struct, 64-bit ints */
	bb_init(&b);
	bb_int(&b, "u32", 4, 0, 0, 32);                         /* 1 */
	bb_int(&b, "u64", 8, 0, 0, 64);                         /* 2 */
	bb_type(&b, "bits", BB_STRUCT, 1, 2, 4);                /* 3 */
	bb_member(&b, "lo", 1, (3u << 24) | 0);
	bb_member(&b, "hi", 1, (29u << 24) | 3);
	bb_struct(&b, "lpm_key", 8, 2);                         /* 4 */
	bb_member(&b, "prefixlen", 1, 0);
	bb_member(&b, "addr", 5, 32);
	bb_array(&b, 6, 1, 4);                                  /* 5 */
	bb_int(&b, "u8", 1, 0, 0, 8);                           /* 6 */
	emit(&b, "lpm", 6, 4, 1, 3 | 16, 0);
	bb_init(&b);
	bb_int(&b, "u64", 8, 0, 0, 64);
	bb_struct(&b, "pair", 16, 2);
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "b", 1, 64);
	emit(&b, "percpu", 3, 1, 2, 3, 0);

	/* VAR and DATASEC (global data), a pointer loop, a deep chain */
	bb_init(&b);
	bb_int(&b, "int", 4, 1, 0, 32);                         /* 1 */
	bb_var(&b, "v", 1, 1);                                  /* 2 */
	bb_datasec(&b, ".data", 8, 1);                          /* 3 */
	bb_vsi(&b, 2, 4, 4);
	bb_struct(&b, "node", 8, 1);                            /* 4 */
	bb_member(&b, "next", 5, 0);
	bb_ptr(&b, 4);                                          /* 5 */
	uint32_t t = 1;
	for (int i = 0; i < 30; i++)
		t = bb_typedef(&b, "chain", t);
	emit(&b, "datasec-chain", 1, 1, 36, 3, 0);

	/* a minimal one: one int */
	bb_init(&b);
	bb_int(&b, "int", 4, 1, 0, 32);
	emit(&b, "one-int", 0, 1, 1, 3, 0);
	return 0;
}
EOF
if $CC -std=c11 -Itests -o "$tmp/gen" "$tmp/gen.c" 2>/dev/null; then
	"$tmp/gen" "$out"
fi

# .BTF of clang -g objects: the same control bytes before each.
if command -v clang >/dev/null 2>&1 && command -v llvm-objcopy >/dev/null 2>&1; then
	arch=$(clang -print-multiarch 2>/dev/null || true)
	inc="-Iinclude"
	[ -n "$arch" ] && [ -d "/usr/include/$arch" ] && inc="$inc -I/usr/include/$arch"
	for src in tests/data/btf/*.c tests/data/obj/*.bpf.c examples/*.bpf.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		clang -O2 -g -target bpf $inc -c "$src" -o "$tmp/$name.o" 2>/dev/null || continue
		# (.BTF is not SHF_ALLOC: -O binary --only-section=.BTF writes
		# nothing for it, --dump-section writes its bytes)
		llvm-objcopy --dump-section ".BTF=$tmp/$name.btf" "$tmp/$name.o" "$tmp/$name.tmp.o" 2>/dev/null ||
			continue
		[ -s "$tmp/$name.btf" ] || continue
		# log level 1, whole buffer; a HASH map of types 1 and 2, sizes
		# from the types; PROG_LOAD with func_info naming type 3
		printf '\031\000\001\002\007\004\004\003' > "$out/obj-$name"
		cat "$tmp/$name.btf" >> "$out/obj-$name"
		# and as v5.1 takes it
		[ -x "$tmp/gen" ] && "$tmp/gen" "$out" "$tmp/$name.btf"
	done
fi
echo "$(ls "$out" | wc -l) seeds in $out"
