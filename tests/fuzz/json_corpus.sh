#!/bin/sh
# Seed corpus for fuzz_json: JSON documents for each of its modes (the first
# byte: 0 parse, 1 encode, 2 options, 3 map_init; the second selects a size
# or a map; see tests/fuzz/fuzz_json.c), from what --map-init takes.
# Usage: json_corpus.sh [OUTDIR]   (default: build-fuzz/corpus/fuzz_json)
set -e
out=${1:-build-fuzz/corpus/fuzz_json}
mkdir -p "$out"
n=0
# seed MODE SEL TEXT: two bytes (octal escapes), then the text
seed() {
	n=$((n + 1))
	printf "$1$2" > "$out/seed-$n"
	printf '%s' "$3" >> "$out/seed-$n"
}
for mode in '\000' '\001' '\003'; do
	for sel in '\000' '\004' '\010' '\011'; do
		seed "$mode" "$sel" '{"key": 1, "value": 2}'
		seed "$mode" "$sel" '[{"key": 0, "value": [1, 2, 3, 4, 5, 6, 7, 8]}, {"key": -1, "value": "0x10"}]'
		seed "$mode" "$sel" '{"key": ["0x01", "0x02", "0x03", "0x04"], "value": 18446744073709551615}'
		seed "$mode" "$sel" '{"key": 4294967295, "value": -9223372036854775808}'
	done
done
seed '\000' '\000' '{"a": [true, false, null, 1.5e-3, -0, "\u00e9\ud83d\ude00\n\t\"\\/"], "b": {}}'
seed '\000' '\000' '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'
seed '\000' '\000' '{"key": 1, "key": 2}'
seed '\000' '\000' '"unterminated'
seed '\003' '\002' '{"key": 1, "value": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}'
seed '\003' '\005' '{"key": 0, "value": 7}'
seed '\003' '\010' '{"key": 0, "value": "nosuchprog"}'
seed '\003' '\007' '{"key": [32, 0, 0, 0, 10, 0, 0, 1], "value": 1}'
seed '\003' '\377' '{"key": 1, "value": 1}'
# options: NUL-separated arguments
printf '\002\000--map-init\000m={"key":1,"value":2}\000--repeat\0004294967295\000--prog\000p\000obj.o' > "$out/opts-1"
printf '\002\000--repeat\0000x10\000--pcap\000--map-init\000=1\000--json\000--trace' > "$out/opts-2"
echo "$(ls "$out" | wc -l) seeds in $out"
