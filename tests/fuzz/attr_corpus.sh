#!/bin/sh
# Seed corpus for fuzz_attr: short operation sequences that get somewhere
# (a map filled and read, a pin and a get, programs loaded from each
# template and test-run, BTF with a spin-lock map, info and ids). The bytes
# are fuzz_attr's operation encoding (see tests/fuzz/fuzz_attr.c): the
# first byte picks the CPU count, then each operation is its number
# followed by its fields; a 00 after each picks the full attr size.
# Usage: attr_corpus.sh [OUTDIR]   (default: build-fuzz/corpus/fuzz_attr)
set -e
out=${1:-build-fuzz/corpus/fuzz_attr}
mkdir -p "$out"

# seed NAME HEX...: the bytes, given in hex
seed() {
	f="$out/$1"
	shift
	: > "$f"
	for b in "$@"; do
		printf "\\$(printf '%03o' "0x$b")" >> "$f"
	done
}

HASH="00 00 00 00 00 00 00 00"            # op 0: HASH, key 4, value 4, 1 entry

# a hash map: update, lookup, next key, lookup-and-delete, delete
seed map-elems 01 $HASH \
	02 00 23 01 02 03 04 05 06 00 00 00 00 00 \
	04 00 00 00 00 00 00 00 \
	06 00 00 00 00 00 00 \
	07 00 00 00 00 00 \
	05 00 00 00 00 00
# pin the map, get it back, pin again (EEXIST), a path outside the bpffs
seed pin-get 00 $HASH 0b 00 00 00 00 0c 00 00 00 0b 00 00 00 00 0b 07 00 00 00
# socket filter "r0 = 0; exit", test-run on 64 bytes
seed prog-run 00 08 00 00 00 00 00 00 00 00 00 0a 00 00 00 00 00 00
# a lookup program on the hash map, test-run
seed prog-lookup 01 $HASH 08 00 01 00 00 00 00 00 00 00 0a 01 00 00 00 00 00
# XDP: adjust the head by -16, test-run with data out
seed prog-xdp 00 08 01 04 00 f0 01 00 00 00 00 00 0a 00 00 00 00 01 00 00 00
# an update program, a tail call program, an skb program
seed prog-update 00 $HASH 08 02 02 00 05 01 02 03 04 01 00 00 00 00 00 0a 01 00 00 00 00 00
seed prog-tail 00 00 02 00 00 00 00 00 00 08 00 03 00 01 00 00 00 00 00 0a 01 00 00 00 00 00
seed prog-skb 00 08 02 05 00 08 00 00 00 00 00 0a 00 00 00 00 00 00
# BTF: the template; a HASH map with BTF key int, value struct with a
# bpf_spin_lock; an update with BPF_F_LOCK
seed btf-spinlock 00 0f 03 00 00 00 00 01 00 00 20 00 00 00 00 02 01 00 00 00 00 04 00 0e 01 00 00 00 00
# info of a program with every array, then ids: next prog id, fd by id
seed info-ids 00 08 00 00 00 00 00 00 00 00 00 \
	0e 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
	0d 01 00 00 0d 00 00 00
# a queue (no key): push, then pop with LOOKUP_AND_DELETE
seed queue 00 00 15 03 00 00 00 00 00 02 00 00 c8 00 00 00 00 07 00 00 c8 00 00 04 00 00 c8 00 00 00 00
# a flow dissector program attached and detached
seed flow 00 08 15 00 00 00 00 00 00 00 00 11 00 00 00 00 00 00 11 01 00 00 00 00 00 11 01 00 00 00 00 00
# every command with an all-zero attr
seed raw-zero 00 12 02 00 00 12 03 00 00 12 04 00 00 12 05 00 00 12 06 00 00 12 07 00 00 12 08 00 00 \
	12 09 00 00 12 0a 00 00 12 0b 00 00 12 0c 00 00 12 0d 00 00 12 0e 00 00 12 0f 00 00 12 10 00 00 \
	12 11 00 00 12 12 00 00 12 13 00 00 12 14 00 00 12 15 00 00 12 16 00 00 12 17 00 00 12 18 00 00
echo "$(ls "$out" | wc -l) seeds in $out"
