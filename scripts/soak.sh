#!/bin/bash
# SPDX-License-Identifier: MIT
# Soak: runs the agent for MINUTES against a Node process that
# keeps compiling new functions and against short-lived Node processes
# started and killed in a loop, and records the agent's RSS, its series count
# and its open fds every INTERVAL seconds. Then checks, after a warm-up of
# the first third: RSS growth under 1 MiB per 10 minutes (pro rata, at least
# 1 MiB allowed), series and fds bounded. Prints a table. Needs root.
# Its Node processes run a copy of node named "soaknode" and the agent
# profiles --comm soaknode, so other Node processes on the host stay out.
#   sudo scripts/soak.sh MINUTES [INTERVAL]     (default interval: 60 s)
# SOAK_WARMUP_SECONDS replaces the warm-up (the short run in make test
# waits for the churning process's caches to fill), SOAK_MAX_GROWTH_KIB
# the allowed growth, SOAK_AGENT_FLAGS adds agent flags.
# Exit status 0 when every check holds.
set -u
minutes=${1:?usage: soak.sh MINUTES [INTERVAL]}
interval=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/promfiler-soak.XXXXXX)
port=$((20000 + RANDOM % 20000))
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	# The loop's current child outlives the loop: every copy of node goes.
	pkill -KILL -f "^$work/soaknode" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work" /tmp/perf-"$churn".map
}
trap cleanup EXIT

cp "$(command -v node)" "$work/soaknode"
"$root/promfiler-bpf" --hostname 127.0.0.1 --port "$port" --comm soaknode --window 10 \
	${SOAK_AGENT_FLAGS:-} \
	2>"$work/agent.log" &
agent=$!; pids+=("$agent")
"$work/soaknode" --perf-basic-prof --interpreted-frames-native-stack "$root/tests/fixtures/soak/churn.js" &
churn=$!; pids+=("$churn")
# Short-lived processes: each runs the hot fixture for 1-3 s, then is killed.
(
	while :; do
		"$work/soaknode" --perf-basic-prof "$root/tests/fixtures/hot.js" & p=$!
		sleep $((1 + RANDOM % 3)); kill $p; wait $p 2>/dev/null
		rm -f /tmp/perf-$p.map
	done
) & pids+=("$!")

for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
samples=$((minutes * 60 / interval))
# RSS is read every second: the table has its lowest and highest value in
# each interval. The agent hands freed pages back once a window, so RSS is a
# sawtooth of a few MiB over what it holds; the lowest value is what it
# holds, and what the checks use.
printf "%8s %12s %12s %8s %6s %8s\n" elapsed rss_min_kib rss_max_kib series fds targets | tee "$work/table"
for i in $(seq "$samples"); do
	lo=0 hi=0
	for _ in $(seq "$interval"); do
		sleep 1
		rss=$(awk '/^VmRSS/ { print $2 }' /proc/$agent/status) || { echo "soak: the agent is gone"; exit 1; }
		[ "$lo" -eq 0 ] || [ "$rss" -lt "$lo" ] && lo=$rss
		[ "$rss" -gt "$hi" ] && hi=$rss
	done
	curl -sf "http://127.0.0.1:$port/metrics" > "$work/m" || { echo "soak: scrape failed"; exit 1; }
	series=$(grep -c '^promfiler_cpu' "$work/m")
	fds=$(ls /proc/$agent/fd | wc -l)
	targets=$(awk '$1 == "promfiler_targets" { print $2 }' "$work/m")
	printf "%7ss %12s %12s %8s %6s %8s\n" $((i * interval)) "$lo" "$hi" "$series" "$fds" "$targets" | tee -a "$work/table"
done

# Checks on the samples after the warm-up (the first third, or
# SOAK_WARMUP_SECONDS). RSS growth is the least-squares slope of the lowest
# RSS of each interval after the warm-up, times their span: one noisy sample
# at either end neither hides growth nor fakes it.
awk -v total="$samples" -v interval="$interval" -v fixed="${SOAK_MAX_GROWTH_KIB:-0}" \
    -v warmup="${SOAK_WARMUP_SECONDS:-0}" '
	NR > 1 { n++; t[n] = n * interval; rss[n] = $2; ser[n] = $4; fd[n] = $5 }
	END {
		w = int(total / 3) + 1
		if (warmup > 0) w = int(warmup / interval)
		if (w >= n) w = n - 1; if (w < 1) w = 1
		span = t[n] - t[w]; allowed = 1024 * span / 600; if (allowed < 1024) allowed = 1024
		if (fixed > 0) allowed = fixed
		for (i = w; i <= n; i++) { k++; st += t[i]; sr += rss[i]; stt += t[i] * t[i]; str += t[i] * rss[i] }
		slope = (k * str - st * sr) / (k * stt - st * st)
		growth = slope * span
		maxser = 0; for (i = w; i <= n; i++) if (ser[i] > maxser) maxser = ser[i]
		maxfd = 0; for (i = 1; i <= n; i++) if (fd[i] > maxfd) maxfd = fd[i]
		printf "soak: RSS %d KiB after warm-up (%d s), %d KiB at the end: fitted growth %d KiB over %d s (allowed %d KiB)\n", rss[w], t[w], rss[n], growth, span, allowed
		printf "soak: series at most %d after warm-up; fds at most %d\n", maxser, maxfd
		bad = 0
		if (growth > allowed) { print "soak: FAIL: RSS grows"; bad = 1 }
		if (maxser > 20000) { print "soak: FAIL: series unbounded"; bad = 1 }
		if (fd[n] > fd[w] + 8) { print "soak: FAIL: fds grow"; bad = 1 }
		exit bad
	}' "$work/table"
