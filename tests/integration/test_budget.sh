#!/bin/bash
# SPDX-License-Identifier: MIT
# The cardinality budget: --trim-bootstrap, --max-depth, --max-series (a
# small budget, 0 and 1) and --labels (dropping pid merges processes), on
# real Node processes. What the budget keeps over time is in
# tests/test_budget.c and tests/integration/test_real_app.sh.
source "$(dirname "$0")/lib.sh"
require_root

start_node "$FIXTURES/hot.js"; first=$NODE_PID
start_node "$FIXTURES/hot.js"; second=$NODE_PID
sleep 1
oneshot() { "$AGENT" -p "$first" -p "$second" --duration 3 --format prometheus "$@" 2>/dev/null; }
signatures() { sed -n 's/^promfiler_cpu_profile{signature="\([^"]*\)".*/\1/p' "$1"; }

oneshot --trim-bootstrap > "$WORK/trim"
check "--trim-bootstrap: hotFunction right below the first JS frame" \
	grep -q '^promfiler_cpu_profile{signature="(root)#processImmediate#mainLoop#hotFunction"' "$WORK/trim"
check "--trim-bootstrap: no native bootstrap frame above JS" bash -c \
	"! grep 'hotFunction' '$WORK/trim' | grep -q 'node::Start\|JSEntry'"

oneshot --max-depth 4 > "$WORK/depth"
deepest=$(signatures "$WORK/depth" | awk -F'#' '{ print NF - 1 }' | sort -n | tail -1)
check "--max-depth 4: no signature deeper than 4 frames (deepest $deepest)" [ "${deepest:-99}" -le 4 ]
check "--max-depth 4: cut stacks end in (truncated)" grep -q '#(truncated)"' "$WORK/depth"

# --trim-native-leaves: tests/fixtures/native_leaves.js spends its time in
# libz below node's zlib JS (deflate) and in the kernel (readZeros); with the
# flag, stacks end at their innermost JS frame (a frame with a file:line
# under --frames location), whose own time the frames above it become.
start_node "$FIXTURES/native_leaves.js"; zlib_pid=$NODE_PID
sleep 1
leaves() { "$AGENT" -p "$zlib_pid" --duration 3 -k --frames location --format folded "$@" 2>/dev/null; }
# past_js FILE: the samples of stacks that go on past their innermost JS frame.
past_js() {
	awk '{ n = split($0, f, ";"); sub(/ [0-9]+$/, "", f[n]); last = 0
		for (i = 1; i <= n; i++) if (f[i] ~ /:[0-9]+$/) last = i
		if (last && last < n) s += $NF } END { print s + 0 }' "$1"
}
# share FILE NAME: the percentage of the samples on stacks through NAME.
share() { awk -v w="$2" '{ t += $NF; if (index($0, ";" w " ")) s += $NF } END { print t ? int(100 * s / t) : 0 }' "$1"; }
leaves > "$WORK/leaves-all"
leaves --trim-native-leaves > "$WORK/leaves-trim"
check "without --trim-native-leaves, stacks go on past their innermost JS frame ($(past_js "$WORK/leaves-all") samples)" \
	[ "$(past_js "$WORK/leaves-all")" -gt 0 ]
check "--trim-native-leaves: every stack with a JS frame ends at one ($(past_js "$WORK/leaves-trim") past it)" \
	[ "$(past_js "$WORK/leaves-trim")" -eq 0 -a -s "$WORK/leaves-trim" ]
kernel_above_js() { grep -c ':[0-9]*;.*_\[k\]' "$1"; }
check "--trim-native-leaves: no kernel frame above JS ($(kernel_above_js "$WORK/leaves-all") stacks with one untrimmed)" \
	[ "$(kernel_above_js "$WORK/leaves-trim")" -eq 0 -a "$(kernel_above_js "$WORK/leaves-all")" -gt 0 ]
check "--trim-native-leaves: the stacks through deflate keep their samples ($(share "$WORK/leaves-trim" deflate)%, $(share "$WORK/leaves-all" deflate)% untrimmed)" \
	[ "$(share "$WORK/leaves-trim" deflate)" -ge 50 -a "$(share "$WORK/leaves-all" deflate)" -ge 50 ]

oneshot --max-series 12 > "$WORK/series"
per_pid=$(grep -c "^promfiler_cpu_profile{.*pid=\"$first\"" "$WORK/series")
counters=$(grep -c "^promfiler_cpu_seconds_total{.*pid=\"$first\"" "$WORK/series")
others=$(grep -c "^promfiler_cpu_profile{.*#(other)\",pid=\"$first\"" "$WORK/series")
check "--max-series 12: at most 12 series per family, (other) included ($per_pid gauges, $counters counters, $others other)" \
	[ "$per_pid" -le 12 -a "$counters" -le 12 ]
check "--max-series 12: the rest folds into (other)" [ "$others" -gt 0 ]
# hot.js's stacks are deeper than 12 frames: trimmed, its heaviest path fits.
oneshot --max-series 12 --trim-bootstrap > "$WORK/series-trim"
check "--max-series 12 --trim-bootstrap: hotFunction, the heaviest path, keeps its series" \
	grep -q "^promfiler_cpu_profile{signature=\"(root)#processImmediate#mainLoop#hotFunction\",pid=\"$first\"" "$WORK/series-trim"
folded=$(metric_value "$WORK/series" promfiler_budget_folded_samples_total)
check "--max-series 12: folded samples are counted ($folded)" [ "${folded:-0}" -gt 0 ]

oneshot --max-series 0 > "$WORK/unlimited"
check "--max-series 0: no limit, nothing folds" bash -c \
	"! grep -q '#(other)\"' '$WORK/unlimited' && grep -q '^promfiler_budget_folded_samples_total 0$' '$WORK/unlimited'"
per_target=$(sed -n "s/^promfiler_target_folded_samples_total{pid=\"$first\",comm=\"node\"} //p" "$WORK/series")
per_series=$(sed -n "s/^promfiler_target_series{pid=\"$first\",comm=\"node\"} //p" "$WORK/series")
check "--max-series 12: the target's folded samples ($per_target) are a part of them all ($folded)" \
	[ "${per_target:-0}" -gt 0 -a "${per_target:-0}" -le "${folded:-0}" ]
check "--max-series 12: the target's series gauge says at most 12 (${per_series:-none})" \
	[ -n "$per_series" ] && [ "$per_series" -le 12 ]
oneshot --max-series 1 > "$WORK/one"
check "--max-series 1: one series per family for the process, (root)" bash -c \
	"[ \$(grep -c '^promfiler_cpu_profile{.*pid=\"$first\"' '$WORK/one') -eq 1 ] &&
	 [ \$(grep -c '^promfiler_cpu_seconds_total{.*pid=\"$first\"' '$WORK/one') -eq 1 ] &&
	 grep -q '^promfiler_cpu_profile{signature=\"(root)\",pid=\"$first\"' '$WORK/one'"
check "--max-series 1: promtool accepts it" promtool check metrics < "$WORK/one"

oneshot --labels comm > "$WORK/merged"
check "--labels comm: no pid label" bash -c "! grep '^promfiler_cpu' '$WORK/merged' | grep -q 'pid='"
check "--labels comm: the two processes merge into one series per signature" \
	[ "$(grep -c '^promfiler_cpu_profile{signature="[^"]*#mainLoop#hotFunction",comm="node"}' "$WORK/merged")" -eq 1 ]
check "--labels comm: promtool accepts the merged exposition" promtool check metrics < "$WORK/merged"
finish
