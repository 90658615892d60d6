#!/bin/bash
# Soak: runs the agent for MINUTES against a Node process that
# keeps compiling new functions and against short-lived Node processes
# started and killed in a loop, and records the agent's RSS, its series count
# and its open fds every INTERVAL seconds. Then checks, after a warm-up of
# the first third: RSS growth under 1 MiB per 10 minutes (pro rata, at least
# 1 MiB allowed), series and fds bounded. Prints a table. Needs root.
# Its Node processes run a copy of node named "soaknode" and the agent
# profiles --comm soaknode, so other Node processes on the host stay out.
#   sudo scripts/soak.sh MINUTES [INTERVAL]     (default interval: 60 s)
# SOAK_MAX_GROWTH_KIB replaces the allowed growth (the short run's caches
# are still filling: it looks for gross leaks only).
# SOAK_AGENT_FLAGS adds agent flags (the short run in make test caps the
# trees low, so bounded structures are full before the checks start).
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
printf "%8s %10s %8s %6s %8s\n" elapsed rss_kib series fds targets | tee "$work/table"
for i in $(seq "$samples"); do
	sleep "$interval"
	curl -sf "http://127.0.0.1:$port/metrics" > "$work/m" || { echo "soak: scrape failed"; exit 1; }
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$agent/status)
	series=$(grep -c '^promfiler_cpu' "$work/m")
	fds=$(ls /proc/$agent/fd | wc -l)
	targets=$(awk '$1 == "promfiler_targets" { print $2 }' "$work/m")
	printf "%7ss %10s %8s %6s %8s\n" $((i * interval)) "$rss" "$series" "$fds" "$targets" | tee -a "$work/table"
done

# Checks on the samples after the warm-up (first third).
awk -v total="$samples" -v interval="$interval" -v fixed="${SOAK_MAX_GROWTH_KIB:-0}" '
	NR > 1 { n++; t[n] = n * interval; rss[n] = $2; ser[n] = $3; fd[n] = $4 }
	END {
		w = int(total / 3) + 1; if (w >= n) w = n - 1; if (w < 1) w = 1
		span = t[n] - t[w]; allowed = 1024 * span / 600; if (allowed < 1024) allowed = 1024
		if (fixed > 0) allowed = fixed
		growth = rss[n] - rss[w]
		maxser = 0; for (i = w; i <= n; i++) if (ser[i] > maxser) maxser = ser[i]
		maxfd = 0; for (i = 1; i <= n; i++) if (fd[i] > maxfd) maxfd = fd[i]
		printf "soak: RSS %d KiB after warm-up, %d KiB at the end: growth %d KiB (allowed %d KiB)\n", rss[w], rss[n], growth, allowed
		printf "soak: series at most %d after warm-up; fds at most %d\n", maxser, maxfd
		bad = 0
		if (growth > allowed) { print "soak: FAIL: RSS grows"; bad = 1 }
		if (maxser > 20000) { print "soak: FAIL: series unbounded"; bad = 1 }
		if (fd[n] > fd[w] + 8) { print "soak: FAIL: fds grow"; bad = 1 }
		exit bad
	}' "$work/table"
