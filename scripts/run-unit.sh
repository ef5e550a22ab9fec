#!/bin/sh
# Run unit test binaries; fail if any fails.  Usage: run-unit.sh LABEL BIN...
label=$1; shift
failed=0
for t in "$@"; do
	echo "== $label: $(basename "$t")"
	"$t" || failed=$((failed + 1))
done
if [ "$failed" -ne 0 ]; then
	echo "$label: $failed test program(s) failed" >&2
	exit 1
fi
