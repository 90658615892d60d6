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
#   - then the same app at V8's defaults (TurboFan and Maglev inline), under
#     load on its /score route, twice at once: with no flag at all, where
#     its scoring function scoreOf shows as a frame of its own under the
#     route's handler and frames of inlined functions are counted; and with
#     the perf map, where scripts/accuracy.sh INLINED=scoreOf reports
#     scoreOf's share on both sides and what perf credits to the handler
#     that inlined it ("perf credits caller").
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
	--seconds "$WATCH_SECONDS" --interval 5 --range 60 --row 30 --max-series 3000 \
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

# V8's defaults (inlining on), twice: with no flag at all, and with the perf
# map (for perf), each under its own load on /score.
for run in bare map; do
	port=$(free_port)
	if [ "$run" = bare ]; then
		"$NODE" "$APPDIR/app.js" "$port" >/dev/null 2>&1 &
		bare=$!
	else
		"$NODE" "${PERF_MAP_FLAGS[@]}" "$APPDIR/app.js" "$port" >/dev/null 2>&1 &
		mapped=$!
	fi
	PIDS+=("$!")
	for _ in $(seq 50); do
		curl -sf "http://127.0.0.1:$port/score?user=t" >/dev/null && break
		sleep 0.2
	done
	(cd "$APPDIR" && "$NODE" load.js "$port" 25 4 '/score?user=ann') >"$WORK/load.$run.log" 2>&1 &
	PIDS+=("$!")
done
sleep 5 # their code optimized, scoreOf inlined where V8 chooses to
"$AGENT" -p "$bare" --duration 10 --format prometheus -o "$WORK/bare.prom" 2>"$WORK/agent.bare.log" &
agent_bare=$!
out=$(PID=$mapped INLINED=scoreOf TOLERANCE=100 "$ROOT/scripts/accuracy.sh" 10 2>&1); arc=$?
wait "$agent_bare"; rc=$?
kill "$bare" "$mapped" 2>/dev/null
inl=$(awk '$1 == "promfiler_v8_inlined_frames_total" { print $2 }' "$WORK/bare.prom")
share=$(awk -v pid="$bare" '/^promfiler_cpu_seconds_total\{/ && index($0, "pid=\"" pid "\"") {
	all += $NF; if ($0 ~ /#scoreOf[#"]/) hit += $NF }
	END { printf "%.1f\n", (all > 0 ? 100 * hit / all : 0) }' "$WORK/bare.prom")
echo "# express at V8's defaults, no flags: scoreOf on the stack in $share% of the samples, $inl inlined frames"
check "express at V8's defaults, no flags: the agent profiled it (exit $rc)" [ "$rc" -eq 0 ]
check "express at V8's defaults, no flags: scoreOf shows under the /score handler" \
	grep -q "^promfiler_cpu_seconds_total{signature=\"[^\"]*#(anonymous app.js:[0-9]*)#scoreOf[#\"]" "$WORK/bare.prom"
check "express at V8's defaults, no flags: inlined frames counted (${inl:-?})" [ "${inl:-0}" -gt 0 ]
grep -E '^inlined |^RESULT|^samples' <<<"$out" | sed 's/^/# perf map, defaults: /'
line=$(grep '^INLINED ' <<<"$out")
ours=$(sed -n 's/.* promfiler_pct=\([0-9.]*\).*/\1/p' <<<"$line")
theirs=$(sed -n 's/.* perf_pct=\([0-9.]*\).*/\1/p' <<<"$line")
reported() { [ -n "$ours" ] && [ -n "$theirs" ] && [ "$arc" -eq 0 ]; }
check "express at V8's defaults, perf map: accuracy.sh reports scoreOf's share and what perf credits its caller (exit $arc)" \
	reported
check "express at V8's defaults, perf map: the agent shows scoreOf ($ours%) at least where perf does ($theirs%)" \
	awk -v o="${ours:-0}" -v t="${theirs:-100}" 'BEGIN { exit !(o > 0 && o >= t - 1) }'
# Time conserved: scoreOf and its caller without it, together, on each side
# (perf's walks lose a caller's frame more often than ours: 5 pp).
ours2=$(sed -n 's/.* promfiler_together_pct=\([0-9.]*\).*/\1/p' <<<"$line")
theirs2=$(sed -n 's/.* perf_together_pct=\([0-9.]*\).*/\1/p' <<<"$line")
check "express at V8's defaults, perf map: scoreOf and its caller together ($ours2%) are perf's caller ($theirs2%) within 5 pp" \
	awk -v o="${ours2:-0}" -v t="${theirs2:-100}" 'BEGIN { d = o - t; exit !(o > 0 && d <= 5 && -d <= 5) }'
finish
