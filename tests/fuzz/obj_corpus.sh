#!/bin/sh
# Seed corpus for fuzz_obj: the test objects of tests/data/obj, compiled by
# clang as tests/unit/obj.c compiles them (with and without -g).
# Usage: obj_corpus.sh [OUTDIR]   (default: build-fuzz/corpus/fuzz_obj, the
# corpus directory tests/fuzz/run.sh uses)
set -e
out=${1:-build-fuzz/corpus/fuzz_obj}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
arch=$(clang -print-multiarch 2>/dev/null || true)
inc="-Iinclude"
[ -n "$arch" ] && [ -d "/usr/include/$arch" ] && inc="$inc -I/usr/include/$arch"
for src in tests/data/obj/*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	clang -O2 -g -target bpf $inc -c "$src" -o "$out/$name.o"
	# and without debug info (no .BTF, no .BTF.ext)
	clang -O2 -target bpf $inc -c "$src" -o "$out/$name.nodebug.o"
done
echo "$(ls "$out" | wc -l) seeds in $out"
