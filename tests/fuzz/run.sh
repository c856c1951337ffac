#!/bin/sh
# Builds every tests/fuzz/fuzz_*.c with libFuzzer against an ASan+UBSan
# build of the library, and runs each for FUZZ_SECONDS (default 20).
# Skips (exit 0, saying so) when clang's libFuzzer runtime is missing.
set -eu
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-20}
OUT=build-fuzz
CLANG=${CLANG:-clang}
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' > "$probe/p.c"
if ! $CLANG -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
	echo "SKIP fuzz: $CLANG cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"
	rm -rf "$probe"
	exit 0
fi
rm -rf "$probe"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# The library is instrumented for coverage too (fuzzer-no-link), so the
# fuzzer sees the paths inside it, not just in the target.
make -s CC="$CLANG" BUILD=$OUT OPT=-O1 SAN="$SAN -fsanitize=fuzzer-no-link" $OUT/libbpfvm.a
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	$CLANG -g -O1 -std=c11 -D_GNU_SOURCE $SAN -fsanitize=fuzzer -Iinclude -Isrc -Itests "$src" $OUT/libbpfvm.a \
		-lpthread -lm -lelf -lpcap -o $OUT/$name
	mkdir -p $OUT/corpus/$name
	# A target may come with a script that writes a seed corpus
	# (tests/fuzz/obj_corpus.sh for fuzz_obj).
	gen=tests/fuzz/${name#fuzz_}_corpus.sh
	[ -f "$gen" ] && sh "$gen" $OUT/corpus/$name >/dev/null 2>&1 || true
	seeds=""
	[ -d tests/fuzz/seeds/$name ] && seeds=tests/fuzz/seeds/$name
	echo "fuzz: $name for ${SECS}s"
	# A slow unit is not interrupted by -max_total_time: cap the wall time.
	timeout $((SECS * 4 + 60)) $OUT/$name -max_total_time="$SECS" -print_final_stats=1 -max_len=65536 \
		$OUT/corpus/$name $seeds 2>&1 \
		| grep -E "stat::number_of_executed_units|ERROR|SUMMARY|Done" || true
	# libFuzzer exits non-zero on a finding; the pipe hides it, so check for crash files.
	if ls crash-* leak-* timeout-* 2>/dev/null | grep -q .; then
		echo "FAIL fuzz: $name found a crash (see crash-* files)"
		exit 1
	fi
done
echo "fuzz: all targets ran clean"
