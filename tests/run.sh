#!/bin/sh
# Runs the unit test binaries named on the command line from $BUILD/tests.
# Exit 77 means skipped (the test printed why). Any other non-zero fails.
BUILD=${BUILD:-build}
pass=0 fail=0 skip=0 failed=""
for t in "$@"; do
	out=$(cd "$(dirname "$0")/.." && timeout 900 "$BUILD/tests/$t" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass+1)); printf 'PASS %-28s %s\n' "$t" "$(echo "$out" | tail -n 1)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip+1)); printf 'SKIP %-28s %s\n' "$t" "$(echo "$out" | grep '^SKIP' | head -n 1)"
	else
		fail=$((fail+1)); failed="$failed $t"; printf 'FAIL %-28s (exit %d)\n' "$t" $rc
		echo "$out" | tail -n 40 | sed 's/^/    /'
	fi
done
echo "[$BUILD] $pass passed, $skip skipped, $fail failed${failed:+:$failed}"
[ $fail -eq 0 ]
