#!/bin/sh
# The scenario harness (tests/scenario/README.md).  Fails unless:
# every tests/scenario/*.scn passes, in the plain and the ASan+UBSan
# build; every tests/scenario/bad/*.scn fails with the text of its
# must-fail line; and some scenario fails when the harness leaves out
# the cache purge on lease changes (--no-purge), so a harness that checks
# nothing cannot pass.  Usage: run-scenario.sh PLAIN-BIN SAN-BIN
plain=$1
san=$2
dir=tests/scenario
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=0

echo "== scenario: $dir/*.scn"
"$plain" "$dir"/*.scn || failed=1

echo "== scenario (ASan+UBSan): $dir/*.scn"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$san" "$dir"/*.scn >"$out" 2>&1 ||
	failed=1
grep -v '^ok ' "$out"

echo "== scenario: $dir/bad/*.scn must fail"
ASAN_OPTIONS=detect_leaks=1 "$san" --must-fail "$dir"/bad/*.scn >"$out" 2>&1 || failed=1
grep -v '^ok [^ ]*:[0-9]*: ' "$out" | grep -v '^FAIL [^ ]*:[0-9]*: '

echo "== scenario: without the cache purge some scenario must fail"
if "$plain" --no-purge "$dir"/*.scn >"$out" 2>&1; then
	echo "scenario: every scenario passes without the cache purge" >&2
	failed=1
else
	echo "ok: $(grep -c '^FAIL' "$out") failure(s) without it, first: $(grep -m1 '^FAIL' "$out")"
fi

if [ "$failed" -ne 0 ]; then
	echo "scenario: FAILED" >&2
	exit 1
fi
