#!/bin/bash
# SPDX-License-Identifier: MIT
# The --max-series budget on a real application, over time: how much of each
# window's samples and of the counter's increase the budget folds into
# "(other)", and how many series each process has. As root, after `make`:
#
#   sudo scripts/bench/budget.sh [MINUTES]      (default 30)
#
# The application is tests/apps/express (express 4 and autocannon, pinned in
# its package-lock.json), run as a new user would run it (plain `node`, no
# flags), under autocannon with 8 connections on each of its routes at once,
# against 127.0.0.1. Six configurations run at the same time, in one run
# (the machine has 2 cores; running them one after the other would take six
# times as long, and they would not see the same load):
#   defaults   the agent's defaults, on app A (/table and /score throughout)
#   500        --max-series 500, on the same process A
#   500trim    --max-series 500 --trim-native-leaves, on A (what a small
#              budget needs on this app: see the README)
#   500trim10  the same with --window 10 (scraped every 5 s)
#   phase      the defaults, on app B, whose load moves half-way from /table
#              and /score to /search and /report
#   unlimited  --max-series 0 on A: how many series a window needs
# Each agent is scraped every 15 s (500trim10: 5 s) by
# scripts/bench/budget-watch.js, which prints one table per configuration (a
# row per 5 minutes). The raw figures
# (JSON) and the tables stay in BUDGET_OUT (default .output/bench/budget).
#
# Environment: AGENT (./promfiler-bpf), NODE (node), BUDGET_OUT.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MINUTES=${1:-30}
AGENT=${AGENT:-$ROOT/promfiler-bpf}
NODE=${NODE:-node}
OUT=${BUDGET_OUT:-$ROOT/.output/bench/budget}
APPDIR=$ROOT/tests/apps/express
SECONDS_=$((MINUTES * 60))
HALF=$((SECONDS_ / 2))

die() { echo "budget: $*" >&2; exit 2; }
case $MINUTES in ''|*[!0-9]*|0) die "usage: $0 [MINUTES]" ;; esac
[ "$(id -u)" -eq 0 ] || die "needs root (BPF)"
[ -x "$AGENT" ] || die "no agent at $AGENT: run make"
if [ ! -d "$APPDIR/node_modules" ]; then
	(cd "$APPDIR" && npm ci --silent --no-audit --no-fund) || die "npm ci in $APPDIR failed"
fi
rm -rf "$OUT"
mkdir -p "$OUT"

PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_app NAME: sets APP_PID and APP_PORT.
start_app() {
	"$NODE" "$APPDIR/app.js" 0 >"$OUT/$1.log" 2>&1 &
	APP_PID=$!
	PIDS+=("$APP_PID")
	for _ in $(seq 50); do
		APP_PORT=$(sed -n 's/^listening //p' "$OUT/$1.log" 2>/dev/null)
		[ -n "$APP_PORT" ] && return 0
		sleep 0.2
	done
	die "$1 did not start: $(cat "$OUT/$1.log")"
}

# start_agent NAME PID ARGS...: sets the port in PORT_<NAME>.
agent_port=$((30000 + RANDOM % 20000))
start_agent() {
	local name=$1 pid=$2
	shift 2
	agent_port=$((agent_port + 1))
	"$AGENT" -p "$pid" --hostname 127.0.0.1 --port "$agent_port" "$@" 2>"$OUT/agent-$name.log" &
	PIDS+=("$!")
	printf -v "PORT_$name" %s "$agent_port"
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$agent_port/healthz" >/dev/null && return 0
		sleep 0.2
	done
	die "agent $name did not start: $(cat "$OUT/agent-$name.log")"
}

start_app appA; A=$APP_PID A_PORT=$APP_PORT
start_app appB; B=$APP_PID B_PORT=$APP_PORT
start_agent defaults "$A"
start_agent b500 "$A" --max-series 500
start_agent b500trim "$A" --max-series 500 --trim-native-leaves
start_agent b500trim10 "$A" --max-series 500 --trim-native-leaves --window 10
start_agent unlimited "$A" --max-series 0
start_agent phase "$B"

echo "budget: $MINUTES min; app A pid $A, app B pid $B ($("$NODE" --version)); agents at their" \
	"defaults but where said; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
load() { (cd "$APPDIR" && "$NODE" load.js "$@"); }
load "$A_PORT" "$((SECONDS_ + 5))" 8 '/table?rows=50' '/score?user=ann' >"$OUT/load-A.log" 2>&1 &
load_a=$!
PIDS+=("$load_a")
( load "$B_PORT" "$HALF" 8 '/table?rows=50' '/score?user=ann' &&
	load "$B_PORT" "$((SECONDS_ - HALF + 5))" 8 '/search?q=lab' '/report' ) >"$OUT/load-B.log" 2>&1 &
load_b=$!
PIDS+=("$load_b")

watch() {
	local name=$1 pid=$2 port=$3
	shift 3
	node "$ROOT/scripts/bench/budget-watch.js" --url "http://127.0.0.1:$port/metrics" \
		--pid "$pid" --seconds "$SECONDS_" --interval 15 --range 300 --row 300 \
		--label "$name" --out "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>&1
}
watch defaults "$A" "$PORT_defaults" --max-series 3000 &
w1=$!
watch b500 "$A" "$PORT_b500" --max-series 500 &
w2=$!
watch b500trim "$A" "$PORT_b500trim" --max-series 500 &
w5=$!
watch b500trim10 "$A" "$PORT_b500trim10" --max-series 500 --interval 5 &
w6=$!
watch phase "$B" "$PORT_phase" --max-series 3000 &
w3=$!
watch unlimited "$A" "$PORT_unlimited" --max-other 100 &
w4=$!
rc=0
for w in $w1 $w2 $w3 $w4 $w5 $w6; do wait "$w" || rc=1; done
# Where app B's CPU went in its last window (after the phase change, its
# new routes): the samples of each route's function and below it.
curl -sf "http://127.0.0.1:$PORT_phase/metrics" | grep "^promfiler_cpu_profile{.*pid=\"$B\"" |
	awk '{ for (f = split("renderTable scoreOf search report", w, " "); f > 0; f--)
		if (index($0, "#" w[f] "#") || index($0, "#" w[f] "\"")) n[w[f]] += $NF }
	END { for (k in n) printf "%s %d samples\n", k, n[k] }' >"$OUT/phase-top.txt"
wait "$load_a" "$load_b"
for name in defaults phase b500 b500trim b500trim10 unlimited; do
	echo
	cat "$OUT/$name.txt"
done
echo
echo "budget: load A: $(tr '\n' ';' <"$OUT/load-A.log")"
echo "budget: load B: $(tr '\n' ';' <"$OUT/load-B.log")"
echo "budget: app B's last window, by route function (after the phase change: search, report):"
sed 's/^/  /' "$OUT/phase-top.txt"
echo "budget: raw figures in $OUT"
exit "$rc"
