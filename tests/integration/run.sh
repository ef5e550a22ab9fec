#!/bin/sh
# Run every integration test (tests/integration/t_*.sh) as root; each
# makes its own namespaces and removes them.  Without root or namespaces
# the tests fail loudly: they are part of `make check`, not optional.
cd "$(dirname "$0")" || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root (network namespaces): run make check as root" >&2
	exit 1
fi
passed=0 failed=0 failures=""
for t in t_*.sh; do
	[ -n "${ONLY:-}" ] && case "$t" in *"$ONLY"*) ;; *) continue ;; esac
	echo "== integration: $t"
	if bash "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures $t"
	fi
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed:$failures" >&2; exit 1; }
