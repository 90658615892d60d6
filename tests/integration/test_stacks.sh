#!/bin/bash
# SPDX-License-Identifier: MIT
# Stacks are never lost to one another: with thousands of distinct stacks
# in one window (tests/fixtures/stacks/many.js: 2^11 call paths), user and
# kernel, no sample is dropped. The kernel's stack-trace map dropped dozens
# of samples here (two stacks in one bucket lose one: 41 of 2,792 in one
# run); the BPF program keys stacks by a seeded 64-bit hash of their frames.
source "$(dirname "$0")/lib.sh"
require_root

start_node "$FIXTURES/stacks/many.js" 11
sleep 1
# The cpu-clock event counts the CPU time the fixture gets: on a busy
# machine 8 s may hold too few samples for 1,000 paths, so a run with fewer
# than 2,000 samples is made again, twice as long (twice at most).
for duration in 8 16 32; do
	"$AGENT" -p "$NODE_PID" -F 499 --duration "$duration" --kernel --max-series 20000 \
		--format prometheus -o "$WORK/many.prom" 2>"$WORK/many.log"
	[ "$(metric_value "$WORK/many.prom" promfiler_samples_total)" -ge 2000 ] 2>/dev/null && break
	echo "# $duration s gave fewer than 2,000 samples: once more, longer"
done
paths=$(grep -c '^promfiler_cpu_seconds_total{.*#spin",' "$WORK/many.prom")
check "many.js: over 1,000 distinct stacks in the run ($paths)" [ "${paths:-0}" -gt 1000 ]
samples=$(metric_value "$WORK/many.prom" promfiler_samples_total)
lost=$(grep '^promfiler_samples_dropped_total{' "$WORK/many.prom" | awk '{ n += $NF } END { print n + 0 }')
check "many.js: none of $samples samples dropped ($lost)" [ "${samples:-0}" -gt 0 -a "$lost" = 0 ]
check "many.js: no stack collision" [ "$(metric_value "$WORK/many.prom" promfiler_stack_collisions_total)" = 0 ]
finish
