#!/bin/bash
# SPDX-License-Identifier: MIT
# Frame naming on real Node processes: flag diagnosis (promfiler_target_info
# and one log line with the flag to add), the honest "(interpreted)" frame,
# --frames location, and a Node process in its own PID and mount namespace
# with a private /tmp, named through /proc/PID/root and its own PID.
source "$(dirname "$0")/lib.sh"
require_root

# 1. Perf map but no --interpreted-frames-native-stack.
"$NODE" --perf-basic-prof "$FIXTURES/hot.js" >/dev/null 2>&1 & plain=$!; PIDS+=("$plain")
# 2. No flag at all.
"$NODE" "$FIXTURES/hot.js" >/dev/null 2>&1 & bare=$!; PIDS+=("$bare")
# 3. Both flags, through NODE_OPTIONS.
NODE_OPTIONS="--perf-basic-prof --interpreted-frames-native-stack" \
	"$NODE" $(no_inlining_flags "$NODE") "$FIXTURES/hot.js" >/dev/null 2>&1 & full=$!; PIDS+=("$full")

check "agent starts on three Node processes" start_agent -p "$plain" -p "$bare" -p "$full" --window 2
info() { grep "^promfiler_target_info{pid=\"$1\"" "$WORK/m"; }
has_all_info() {
	scrape > "$WORK/m"
	info "$plain" >/dev/null && info "$bare" >/dev/null && info "$full" >/dev/null
}
check "target info for all three" wait_for "target info" 30 has_all_info
check "perf map only: perf_map=true, interpreted_frames=false" \
	grep -q "pid=\"$plain\",comm=\"node\",perf_map=\"true\",interpreted_frames=\"false\"" "$WORK/m"
check "no flags: perf_map=false, interpreted_frames=false" \
	grep -q "pid=\"$bare\",comm=\"node\",perf_map=\"false\",interpreted_frames=\"false\"" "$WORK/m"
check "flags in NODE_OPTIONS: perf_map=true, interpreted_frames=true" \
	grep -q "pid=\"$full\",comm=\"node\",perf_map=\"true\",interpreted_frames=\"true\"" "$WORK/m"
# With no perf map, V8's own objects name JS frames where its layout is
# known (and what V8 inlined); elsewhere the log says which flag names them.
if grep -q "pid=\"$bare\",.*v8_names=\"true\"" "$WORK/m"; then
	check "log says V8's objects name the bare process's JS frames, no flag advice" \
		bash -c "grep -q 'pid $bare (node): no perf map: JS frames named from V8' '$AGENT_LOG' &&
			 ! grep -q 'pid $bare (node).*--perf-basic-prof' '$AGENT_LOG'"
else
	check "log names --perf-basic-prof for the bare process" \
		grep -q "pid $bare (node): no perf map.*--perf-basic-prof" "$AGENT_LOG"
fi
# Where V8's own objects name JS frames (v8_names="true", see
# test_v8names.sh), interpreted frames need no flag and a process without
# a perf map is named too; elsewhere the advice and [unknown] stand.
if grep -q "pid=\"$plain\",.*v8_names=\"true\"" "$WORK/m"; then
	check "V8 names the plain process's interpreted frames: no flag advice" \
		bash -c "! grep -q 'pid $plain (node): interpreted' '$AGENT_LOG'"
else
	check "log names --interpreted-frames-native-stack for the plain process" \
		grep -q "pid $plain (node): interpreted functions show as (interpreted).*--interpreted-frames-native-stack" "$AGENT_LOG"
	check "each problem is logged once" [ "$(grep -c "pid $plain (node): interpreted" "$AGENT_LOG")" -eq 1 ]
fi
if grep -q "pid=\"$bare\",.*v8_names=\"true\"" "$WORK/m"; then
	has_bare_names() { scrape | grep "pid=\"$bare\"" | grep -q '#mainLoop#hotFunction"'; }
	check "the bare process's JS frames are named from V8's objects" \
		wait_for "bare names" 30 has_bare_names
else
	check "the bare process's JS frames are [unknown], not misnamed" bash -c \
		"grep 'pid=\"$bare\"' '$WORK/m' | grep -q '\[unknown\]' && ! grep 'pid=\"$bare\"' '$WORK/m' | grep -q 'hotFunction'"
fi
check "no frame is named InterpreterEntryTrampoline" bash -c "! grep -q 'InterpreterEntryTrampoline' '$WORK/m'"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

# --frames location: name plus file:line.
check "agent starts with --frames location" start_agent -p "$full" --frames location --window 2
line=$(grep -n '^function hotFunction' "$FIXTURES/hot.js" | cut -d: -f1)
has_location() { scrape | grep -q "#hotFunction $FIXTURES/hot.js:$line\",pid=\"$full\""; }
check "frames carry file:line" wait_for "location frames" 30 has_location
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

# A container: own PID namespace (node is PID 1 there), own mounts, private
# /tmp. The script is copied into that /tmp: a checkout under /tmp would be
# hidden by it.
if unshare --pid --mount --fork true 2>/dev/null; then
	unshare --pid --mount --fork --propagation private bash -c \
		"script=\$(cat '$FIXTURES/hot.js') && mount -t tmpfs tmpfs /tmp &&
		 printf '%s\n' \"\$script\" > /tmp/hot.js && exec $NODE ${NODE_FLAGS[*]} /tmp/hot.js" \
		>/dev/null 2>&1 & outer=$!; PIDS+=("$outer")
	inner=""
	for _ in $(seq 50); do inner=$(pgrep -P "$outer" node) && break; sleep 0.1; done
	check "containerized node runs (host pid $inner)" [ -n "$inner" ]
	# It is PID 1 of its namespace: it ignores SIGTERM, and killing unshare
	# would leave it running.
	trap 'kill -KILL $inner 2>/dev/null; cleanup' EXIT
	check "its perf map is not in the host's /tmp" [ ! -e "/tmp/perf-$inner.map" -a ! -e /tmp/perf-1.map ]
	check "agent starts on it" start_agent -p "$inner" --window 2
	named() { scrape | grep -q "#mainLoop#hotFunction\",pid=\"$inner\""; }
	what="its JS frames are named through /proc/PID/root/tmp/perf-1.map"
	if wait_for "container names" 60 named; then
		ok "$what"
	else
		not_ok "$what"
		echo "# its heaviest series, its target info and the agent's log:"
		scrape | grep "pid=\"$inner\"" | grep '^promfiler_cpu_seconds_total' | sort -t' ' -k2 -gr | head -5 | sed 's/^/#   /'
		scrape | grep "^promfiler_target_info.*pid=\"$inner\"" | sed 's/^/#   /'
		sed 's/^/#   /' "$AGENT_LOG" | tail -20
		ls -la "/proc/$inner/root/tmp/" 2>&1 | sed 's/^/#   /'
	fi
else
	skip "unshare --pid --mount is not permitted here"
fi
finish
