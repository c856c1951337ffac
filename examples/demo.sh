#!/bin/sh
# make demo: compile the examples, generate a sample capture, and run the XDP
# firewall over it with a blocklist of two prefixes (10.0.0.0/8 and
# 192.168.66.0/24), printing the verdicts and the per-protocol counters.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=$BUILD/demo
CLANG=${CLANG:-clang}
mkdir -p "$OUT"
cc -std=c11 -O2 -Wall -Wextra -Werror examples/gen_pcap.c -o "$OUT/gen_pcap"
"$OUT/gen_pcap" "$OUT/sample.pcap" 500
for src in examples/*.bpf.c; do
	"$CLANG" -O2 -g -target bpf -Iinclude -c "$src" -o "$OUT/$(basename "$src" .c).o"
done
echo "== XDP firewall over $OUT/sample.pcap (500 packets)"
"$BUILD/bpfvm" run "$OUT/xdp_firewall.bpf.o" --pcap "$OUT/sample.pcap" --write-pcap "$OUT/passed.pcap" \
	--map-init 'blocklist=[{"key":[8,0,0,0,10,0,0,0],"value":[1,0,0,0]},{"key":[24,0,0,0,192,168,66,0],"value":[2,0,0,0]}]'
echo
echo "== socket filter (UDP only) over the same capture"
"$BUILD/bpfvm" run "$OUT/socket_filter.bpf.o" --pcap "$OUT/sample.pcap"
