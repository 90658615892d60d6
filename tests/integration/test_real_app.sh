#!/bin/bash
# SPDX-License-Identifier: MIT
# A real application: tests/apps/express (express 4, from npm, pinned) under
# a real load generator (autocannon, pinned), 8 connections on each of two
# routes, 127.0.0.1 only. Profiled at the same time by:
#   - the agent and `perf record -g`, side by side (scripts/accuracy.sh with
#     PID=): the top-10 leaf self shares agree within 3 percentage points;
#   - the agent as a server at its defaults (but --window 10, so that the test
#     sees several windows), scraped by scripts/bench/budget-watch.js: the
#     share of "(other)" stays at most 3% of every window's samples and of the
#     counter's increase over every minute, the series within --max-series,
#     and no counter goes down;
#   - then the same app with no flag at all (V8's defaults: TurboFan and
#     Maglev inline; no perf map), under load on its /score route: its
#     scoring function scoreOf shows as a frame of its own under the route's
#     handler, and frames of inlined functions are counted.
source "$(dirname "$0")/lib.sh"
require_root

APPDIR="$ROOT/tests/apps/express"
PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | sort -V | tail -1)
if [ -z "$PERF" ] || ! "$PERF" --version >/dev/null 2>&1; then
	skip "perf missing (apt-get install -y linux-perf): no reference to compare with"
	exit 0
fi
if [ ! -d "$APPDIR/node_modules" ]; then
	if ! (cd "$APPDIR" && npm ci --silent --no-audit --no-fund) >"$WORK/npm.log" 2>&1; then
		if ! npm ping >/dev/null 2>&1; then
			skip "the npm registry cannot be reached: no express app to profile"
			exit 0
		fi
		not_ok "npm ci in tests/apps/express"
		sed 's/^/#   /' "$WORK/npm.log"
		finish
	fi
fi
export AGENT NODE PERF

PROFILE_SECONDS=10
WATCH_SECONDS=75

APP_PORT=$(free_port)
start_node "$APPDIR/app.js" "$APP_PORT"
app=$NODE_PID
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$APP_PORT/score?user=t" >/dev/null && break
	sleep 0.2
done
check "the express app answers" curl -sf "http://127.0.0.1:$APP_PORT/table?rows=3" -o /dev/null
(cd "$APPDIR" && "$NODE" load.js "$APP_PORT" $((WATCH_SECONDS + 10)) 8 '/table?rows=50' '/score?user=ann') \
	>"$WORK/load.log" 2>&1 &
PIDS+=("$!")

check "agent starts on it" start_agent -p "$app" --window 10
node "$ROOT/scripts/bench/budget-watch.js" --url "http://127.0.0.1:$PORT/metrics" --pid "$app" \
	--seconds "$WATCH_SECONDS" --interval 5 --range 60 --row 30 --max-series 2000 \
	--max-other 3 --label "express, --window 10" >"$WORK/watch.log" 2>&1 &
watch=$!
PIDS+=("$watch")

sleep 5 # the load is on, its code optimized
out=$(PID=$app "$ROOT/scripts/accuracy.sh" "$PROFILE_SECONDS" 2>&1); rc=$?
sed 's/^/# /' <<<"$out"
max=$(sed -n 's/^RESULT.* max_diff_pp=\([0-9.]*\).*/\1/p' <<<"$out")
check "express under autocannon: top-10 leaf self shares agree with perf within 3 pp (max ${max:-?} pp)" \
	[ "$rc" -eq 0 ]

wait "$watch"; wrc=$?
sed 's/^/# /' "$WORK/watch.log"
sed 's/^/# load: /' "$WORK/load.log"
summary=$(grep -m1 'windows, worst' "$WORK/watch.log")
check "several windows were seen ($(grep -o '^[^:]*: [0-9]* windows' <<<"$summary"))" \
	grep -q ': \([4-9]\|[1-9][0-9]\) windows' <<<"$summary"
check "(other) at most 3% of each window and of each minute's increase, series within the budget, no counter down" \
	[ "$wrc" -eq 0 ]

BARE_PORT=$(free_port)
"$NODE" "$APPDIR/app.js" "$BARE_PORT" >/dev/null 2>&1 &
bare=$!; PIDS+=("$bare")
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$BARE_PORT/score?user=t" >/dev/null && break
	sleep 0.2
done
(cd "$APPDIR" && "$NODE" load.js "$BARE_PORT" 20 8 '/score?user=ann') >"$WORK/load.bare.log" 2>&1 &
PIDS+=("$!")
sleep 5 # its code optimized, scoreOf inlined where V8 chooses to
"$AGENT" -p "$bare" --duration 10 --format prometheus -o "$WORK/bare.prom" 2>"$WORK/agent.bare.log"
rc=$?
kill "$bare" 2>/dev/null
inl=$(awk '$1 == "promfiler_v8_inlined_frames_total" { print $2 }' "$WORK/bare.prom")
share=$(awk -v pid="$bare" '/^promfiler_cpu_seconds_total\{/ && index($0, "pid=\"" pid "\"") {
	all += $NF; if ($0 ~ /#scoreOf[#"]/) hit += $NF }
	END { printf "%.1f\n", (all > 0 ? 100 * hit / all : 0) }' "$WORK/bare.prom")
echo "# express at V8's defaults, no flags: scoreOf and below $share% of the samples, $inl inlined frames"
check "express at V8's defaults, no flags: the agent profiled it (exit $rc)" [ "$rc" -eq 0 ]
check "express at V8's defaults, no flags: scoreOf shows under the /score handler" \
	grep -q "^promfiler_cpu_seconds_total{signature=\"[^\"]*#(anonymous app.js:[0-9]*)#scoreOf[#\"]" "$WORK/bare.prom"
check "express at V8's defaults, no flags: inlined frames counted (${inl:-?})" [ "${inl:-0}" -gt 0 ]
finish
