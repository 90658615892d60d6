#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs unit test binaries (Criterion) and integration scripts, and prints one
# closing line: "test: N passed, N failed, N skipped".
#   scripts/run-tests.sh LABEL TEST...
# A Criterion binary counts its tests from its "Synthesis" line; an
# integration script counts its "ok - " / "not ok - " / "skip - " lines
# (tests/integration/lib.sh writes them).
set -u
label=$1; shift
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	echo "=== $t"
	case $t in
	*.sh)
		bash "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log"); s=$(grep -c '^skip - ' "$log")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - $t exited $rc"; f=1
		fi
		;;
	*)
		"$t" --jobs 1 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		line=$(grep 'Synthesis:' "$log" | tail -1)
		p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$line")
		f=$(sed -n 's/.*Failing: \([0-9]*\).*Crashing: \([0-9]*\).*/\1+\2/p' <<<"$line")
		f=$(( ${f:-0} )); s=0
		if [ -z "$p" ]; then p=0; f=1; echo "not ok - $t printed no synthesis (rc $rc)"; fi
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		;;
	esac
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
echo
echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
