#!/bin/bash
# SPDX-License-Identifier: MIT
# The exporter's other views of a live, profiled fixture: the index, the
# HTML flame graph in headless Chromium, SVG, folded stacks, and pprof read
# over HTTP by go tool pprof; bad and unknown pids.
source "$(dirname "$0")/lib.sh"
require_root

start_node "$FIXTURES/hot.js"
check "agent starts" start_agent --pid "$NODE_PID" --window 3
check "a window completes" wait_for "a window" 30 windows_at_least 2
base="http://127.0.0.1:$PORT"
code() { curl -s -o /dev/null -w '%{http_code}' "$1"; }

curl -sf "$base/" > "$WORK/index.html"
check "index lists the target with its flame graph link" grep -q "/flamegraph?pid=$NODE_PID" "$WORK/index.html"
curl -sf "$base/folded?pid=$NODE_PID" > "$WORK/folded"
top=$(awk '{ print $NF "\t" $0 }' "$WORK/folded" | sort -n | tail -1 | cut -f2-)
check "folded: the heaviest stack ends in hotFunction" glob "$top" "*;mainLoop;hotFunction [0-9]*"
check "svg: an SVG with hotFunction" bash -c "curl -sf '$base/flamegraph.svg?pid=$NODE_PID' | grep -q hotFunction"
check "flame graph of all targets" bash -c "curl -sf '$base/flamegraph' | grep -q hotFunction"
check "a bad pid is a 400" [ "$(code "$base/folded?pid=abc")" = 400 ]
check "a pid that is no target is a 404" [ "$(code "$base/flamegraph?pid=999999999")" = 404 ]

if command -v go >/dev/null; then
	first=$(go tool pprof -top "$base/debug/pprof/profile?pid=$NODE_PID&seconds=3" 2>/dev/null |
		awk '/flat%/ { getline; print $NF; exit }')
	check "go tool pprof reads /debug/pprof/profile over HTTP: hotFunction first ($first)" [ "$first" = hotFunction ]
else
	skip "go missing: pprof over HTTP not read back"
fi

BROWSER_DIR=$ROOT/tests/browser
if [ -x /usr/bin/chromium ] && { [ -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ] ||
	(cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); }; then
	mkdir -p "$ROOT/.output/artifacts"
	node "$BROWSER_DIR/check_live.js" "$base/flamegraph?pid=$NODE_PID" \
		"$ROOT/.output/artifacts/flamegraph_live.png" || FAILURES=$((FAILURES + 1))
else
	skip "chromium or playwright-core missing: live page not checked in a browser"
fi
finish
