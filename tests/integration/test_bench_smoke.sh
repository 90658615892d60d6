#!/bin/bash
# SPDX-License-Identifier: MIT
# The bench's C micro-benchmark driver (scripts/bench/microbench.c, which
# `make bench` runs for minutes) still builds against the src/ modules and
# runs, in its seconds-long --quick mode. Nothing is timed or compared: the
# checks are that each benchmark ran on the input it was given. Needs no
# root and no BPF.
. "$(dirname "$0")/lib.sh"

OUTPUT_DIR=${OUTPUT:-.output}
MICROBENCH=${MICROBENCH:-$ROOT/$OUTPUT_DIR/bench/microbench}
LOG="$WORK/microbench.log"

# `make test` builds it first; alone, this test builds it.
if make -s -C "$ROOT" --no-print-directory "$OUTPUT_DIR/bench/microbench" >"$WORK/make.log" 2>&1 &&
	[ -x "$MICROBENCH" ]; then
	ok "microbench builds"
else
	not_ok "microbench builds"
	sed 's/^/#   /' "$WORK/make.log" | tail -20
	finish
fi

if "$MICROBENCH" --quick --dir "$WORK" >"$WORK/out.jsonl" 2>"$LOG"; then
	ok "microbench --quick exits 0"
else
	not_ok "microbench --quick exits 0"
	sed 's/^/#   /' "$LOG"
fi

# field BENCH [KEY VALUE] FIELD: a number from the benchmark's JSON line.
field() {
	local line
	if [ $# -eq 4 ]; then
		line=$(grep "\"bench\":\"$1\"" "$WORK/out.jsonl" | grep "\"$2\":$3[,}]" | head -1)
	else
		line=$(grep "\"bench\":\"$1\"" "$WORK/out.jsonl" | head -1)
	fi
	sed -n "s/.*\"${!#}\":\([0-9.]*\).*/\1/p" <<<"$line"
}
positive() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
at_least() { [ -n "$1" ] && [ "$1" -ge "$2" ]; }
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
smaller() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -gt 0 ] && [ "$1" -lt "$2" ]; }

bytes=$(field perfmap bytes)
entries=$(field perfmap entries)
check "perfmap read the whole generated 1 MB map ($bytes bytes)" at_least "$bytes" 1048576
check "perfmap accepted every generated line ($entries entries)" \
	same "$entries" "$(field perfmap lines)"
check "symbolize named every JS frame from the perf map" \
	same "$(field symbolize kind '"js"' resolved)" 10000
check "symbolize named native frames from ELF symbols" \
	positive "$(field symbolize kind '"native"' resolved)"
for n in 100 1000; do
	check "render_prom wrote $n series" same "$(field render series "$n" series)" "$n"
	check "gzip of the $n-series exposition is smaller than it" \
		smaller "$(field gzip series "$n" gzip_bytes)" "$(field gzip series "$n" bytes)"
done
for b in perfmap symbolize render gzip; do
	check "$b reported its run time" grep -q "\"bench\":\"$b\".*\"seconds\":\[[0-9]" "$WORK/out.jsonl"
done
check "no perf map left behind" [ -z "$(ls "$WORK"/microbench-*.map 2>/dev/null)" ]

if "$MICROBENCH" --runs x >/dev/null 2>&1; then
	not_ok "microbench refuses a bad argument"
else
	ok "microbench refuses a bad argument"
fi
finish
