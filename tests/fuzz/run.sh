#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the libFuzzer targets built by `make fuzz`, each for a while, and
# prints one line per target in the house's test format ("ok - ...",
# "not ok - ...").
#   tests/fuzz/run.sh FUZZ_DIR SECONDS TARGET...
# Each target starts from its checked-in seeds (tests/fuzz/corpus/TARGET/,
# never written to) plus what earlier runs found (FUZZ_DIR/corpus/TARGET/,
# where new inputs go). A crash leaves its input as FUZZ_DIR/crash-TARGET-*:
# copy it to tests/fixtures/fuzz-regressions/TARGET/ once fixed, and
# tests/test_fuzz_regressions.c replays it forever.
set -u
dir=$1 seconds=$2; shift 2
seeds=$(cd "$(dirname "$0")" && pwd)/corpus
failed=0
for t in "$@"; do
	mkdir -p "$dir/corpus/$t" "$seeds/$t"
	log="$dir/$t.log"
	# -rss_limit_mb: the targets hold one input at a time; more is a leak.
	"$dir/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
		-rss_limit_mb=1024 -timeout=10 -artifact_prefix="$dir/crash-$t-" \
		"$dir/corpus/$t" "$seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - fuzz_$t: ${runs} executions in ${seconds} s, no crash"
	else
		echo "not ok - fuzz_$t: exit $rc after ${runs:-?} executions; the end of $log:"
		grep -E 'ERROR|SUMMARY|Test unit written|abort|bad|want|got' "$log" | head -15 | sed 's/^/#   /'
		failed=1
	fi
done
exit $failed
