#!/bin/sh
# Run each libFuzzer target for SECONDS, from its seed corpus if it has one.
# Usage: run-fuzz.sh SECONDS BIN...
secs=$1; shift
set -e
for f in "$@"; do
	name=$(basename "$f")
	corpus=build/fuzz-corpus/$name
	mkdir -p "$corpus" build/fuzz-artifacts
	# Crashes, leaks and slow inputs land in build/fuzz-artifacts/, not the tree.
	art=-artifact_prefix=build/fuzz-artifacts/$name-
	seeds=tests/fuzz/corpus/$name
	echo "== fuzz: $name for ${secs}s"
	if [ -d "$seeds" ]; then
		"$f" "$art" -max_total_time="$secs" -print_final_stats=0 "$corpus" "$seeds" 2>build/fuzz-$name.log ||
			{ tail -50 build/fuzz-$name.log; exit 1; }
	else
		"$f" "$art" -max_total_time="$secs" "$corpus" 2>build/fuzz-$name.log ||
			{ tail -50 build/fuzz-$name.log; exit 1; }
	fi
	grep -E '^Done|#[0-9]+ *DONE' build/fuzz-$name.log | tail -1 || true
	# FUZZ_KEEP=1 (make fuzz-long): inputs that reach new code join the
	# seed corpus in the tree, minimised by libFuzzer's merge.
	if [ -n "${FUZZ_KEEP:-}" ]; then
		mkdir -p "$seeds"
		before=$(ls "$seeds" | wc -l)
		"$f" -merge=1 "$seeds" "$corpus" 2>build/fuzz-$name.merge.log ||
			{ tail -20 build/fuzz-$name.merge.log; exit 1; }
		echo "   corpus $seeds: $before -> $(ls "$seeds" | wc -l) inputs"
	fi
done
