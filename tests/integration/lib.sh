# SPDX-License-Identifier: MIT
# Shared helpers of the integration tests (sourced). They run the real agent
# (as root, with its BPF program) against real Node processes, scrape it over
# HTTP, and report one line per check: "ok - ...", "not ok - ...", "skip - ...".
# Waits are bounded retries; nothing is timed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AGENT=${AGENT:-$ROOT/promfiler-bpf}
FIXTURES="$ROOT/tests/fixtures"
NODE=${NODE:-node}
# Exact Node versions installed from npm, and no_inlining_flags.
source "$ROOT/scripts/node-versions.sh"
# Name JS frames from the perf map, and keep V8 from inlining the fixture's
# functions into their callers (each function stays a frame of its own).
PERF_MAP_FLAGS=(--perf-basic-prof --interpreted-frames-native-stack)
# shellcheck disable=SC2207
NODE_FLAGS=("${PERF_MAP_FLAGS[@]}" $(no_inlining_flags "$NODE"))
FAILURES=0
PIDS=()
WORK=$(mktemp -d /tmp/promfiler-it.XXXXXX)
# Node writes V8 logs (isolate-*.log; --perf-basic-prof turns them on in
# Node 20) to its working directory: the tests run in WORK, removed at exit.
cd "$WORK" || exit 1

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; rm -f "/tmp/perf-$p.map"; done
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILURES=$((FAILURES + 1)); }
skip() { echo "skip - $*"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() { exit $((FAILURES > 0)); }

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "$(basename "$0"): needs root to load BPF programs"
		exit 0
	fi
}

# start_node SCRIPT [ARGS...]: starts $NODE with perf-map flags and no
# inlining (its own version's flags); sets NODE_PID.
start_node() {
	# shellcheck disable=SC2046
	"$NODE" "${PERF_MAP_FLAGS[@]}" $(no_inlining_flags "$NODE") "$@" >/dev/null 2>&1 &
	NODE_PID=$!
	PIDS+=("$NODE_PID")
}

free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 20000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
			echo "$port"; return
		fi
	done
	echo 29142
}

# start_agent ARGS...: runs the agent on a free loopback port, waits until
# it answers /healthz; sets AGENT_PID, PORT, AGENT_LOG.
start_agent() {
	PORT=$(free_port)
	AGENT_LOG="$WORK/agent.$PORT.log"
	"$AGENT" --hostname 127.0.0.1 --port "$PORT" "$@" 2>"$AGENT_LOG" &
	AGENT_PID=$!
	PIDS+=("$AGENT_PID")
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "# agent did not come up; its log:"; sed 's/^/#   /' "$AGENT_LOG"
	return 1
}

scrape() { curl -sf "http://127.0.0.1:$PORT/metrics"; }

# check_exposition WHAT FILE: FILE (a scrape of /metrics on $PORT) passes
# promtool check metrics, and /metrics says it is the text format 0.0.4.
check_exposition() {
	if command -v promtool >/dev/null; then
		check "$1 passes promtool check metrics" promtool check metrics <"$2"
	else
		not_ok "promtool missing (scripts/install-deps.sh installs it)"
	fi
	check "$1 has Content-Type text/plain version 0.0.4" bash -c \
		"curl -sI http://127.0.0.1:$PORT/metrics | grep -qi '^content-type: text/plain; version=0.0.4'"
}

# node_for VERSION: the path of a node binary: "system" is the one on PATH;
# a major line (24) is its pinned release (scripts/node-versions.sh); an
# exact version (24.22.3) is that release. npm's are installed into
# .output/nodes/ at their first use; nothing when npm cannot provide it.
node_for() {
	if [ "$1" = system ]; then command -v node; return; fi
	local v=${NODE_PINNED[$1]:-$1}
	node_install "$v" "$ROOT/.output/nodes/$v"
}

# start_prometheus: runs Debian's prometheus on a free loopback port with
# the config the caller wrote to $WORK/prometheus/prometheus.yml (storage in
# WORK; it stops with the test), and checks that it becomes ready; sets
# PROM_PORT. Fails, after showing its log, when it does not come up.
prom_ready() { curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null; }
start_prometheus() {
	PROM_PORT=$(free_port)
	prometheus --config.file="$WORK/prometheus/prometheus.yml" \
		--storage.tsdb.path="$WORK/prometheus/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" \
		--log.level=warn >"$WORK/prometheus/log" 2>&1 &
	PIDS+=("$!")
	check "prometheus starts on 127.0.0.1:$PROM_PORT" wait_for "prometheus ready" 60 prom_ready && return 0
	sed 's/^/#   /' "$WORK/prometheus/log"
	return 1
}

# metric_value FILE NAME: value of a label-less series.
metric_value() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

# wait_for DESCRIPTION TRIES COMMAND...: retries COMMAND once a second.
wait_for() {
	local d=$1 tries=$2; shift 2
	for _ in $(seq "$tries"); do
		"$@" && return 0
		sleep 1
	done
	echo "# gave up waiting: $d"
	return 1
}

# windows_at_least N: the agent has completed N profile windows.
windows_at_least() {
	local v
	v=$(scrape | awk '$1 == "promfiler_profile_windows_total" { print $2 }')
	[ -n "$v" ] && [ "$v" -ge "$1" ]
}

# hottest FILE FAMILY PID: signature with the largest value of FAMILY for PID.
hottest() {
	grep "^$2{" "$1" | grep "pid=\"$3\"" | awk '{ print $NF "\t" $0 }' |
		sort -g -k1,1 | tail -1 | sed 's/.*signature="\([^"]*\)".*/\1/'
}

# glob STRING PATTERN: STRING matches the shell PATTERN.
glob() { case $1 in $2) return 0 ;; esac; return 1; }
# max_value FILE FAMILY PID: the largest value of FAMILY for PID.
max_value() {
	grep "^$2{" "$1" | grep "pid=\"$3\"" | awk '{ print $NF }' | sort -g | tail -1
}
