#!/bin/bash
# SPDX-License-Identifier: MIT
# Accuracy against a reference: profiles one Node workload with promfiler-bpf
# and with `perf record -g` at the same time and frequency, and compares the
# self-time shares of the top 10 leaf frames. Run as root, after `make`:
#
#   sudo scripts/accuracy.sh [SECONDS] [APP.js]
#
# APP.js defaults to tests/fixtures/accuracy/split.js (four functions taking
# about 50/25/15/10% of the CPU); demo/app.js is the demo app. Prints the
# table (frame, promfiler %, perf %, diff pp), the max |diff|, how many of
# perf's samples the newest-entry-wins renaming changed, and the share of
# promfiler's samples with unresolved frames. Exits 1 when the max |diff| is
# above TOLERANCE percentage points (default 3), 2 on a usage or setup error,
# 3 when REUSE (below) could not make the reuse happen.
#
# perf names a JIT address from the oldest perf-map line that starts there,
# though V8 reuses code addresses; the reference therefore re-names perf's
# raw addresses from the perf map itself, newest entry wins, as the agent
# does (tests/fixtures/accuracy/compare.js).
#
# Environment: AGENT (./promfiler-bpf), NODE (node), PERF (perf), FREQ (997),
# TOLERANCE (3), WARMUP seconds before profiling (2), KEEP=1 keeps the raw
# files (their directory is printed), REUSE=FUNCTION [REUSE_AS=NAME] makes
# an address reuse happen (see below), INLINED=FUNCTION reports, for a
# function V8 may inline into its callers, its share on each side and how
# much of it perf credits to its callers instead (perf names a pc by its
# code object: "perf credits caller"), PID=N profiles that running Node
# process (started by the caller with NODE_FLAGS below, under its own load)
# instead of starting APP.js: it is neither warmed up nor stopped here.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_=${1:-10}
APP=${2:-$ROOT/tests/fixtures/accuracy/split.js}
AGENT=${AGENT:-$ROOT/promfiler-bpf}
NODE=${NODE:-node}
FREQ=${FREQ:-997}
TOLERANCE=${TOLERANCE:-3}
WARMUP=${WARMUP:-2}
source "$ROOT/scripts/node-versions.sh"
# shellcheck disable=SC2207
NODE_FLAGS=(--perf-basic-prof --interpreted-frames-native-stack $(no_inlining_flags "$NODE"))

die() { echo "accuracy: $*" >&2; exit 2; }

case $SECONDS_ in ''|*[!0-9]*|0) die "usage: $0 [SECONDS] [APP.js]" ;; esac
if [ -n "${PID:-}" ]; then
	kill -0 "$PID" 2>/dev/null || die "no such process: $PID"
	APP=$(tr '\0' '\n' <"/proc/$PID/cmdline" | grep -m1 '\.js$')
	case $APP in /*) ;; *) APP=$(readlink "/proc/$PID/cwd")/$APP ;; esac
fi
[ -f "$APP" ] || die "no such app: $APP"
[ "$(id -u)" -eq 0 ] || die "needs root (BPF and perf)"
[ -x "$AGENT" ] || die "no agent at $AGENT: run make"
if [ -z "${PERF:-}" ]; then
	PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | sort -V | tail -1)
fi
if [ -z "$PERF" ] || ! "$PERF" --version >/dev/null 2>&1; then
	die "perf not found: apt-get install -y linux-perf"
fi

WORK=$(mktemp -d /tmp/promfiler-accuracy.XXXXXX)
NODE_PID='' AGENT_PID='' PERF_PID=''
cleanup() {
	local p
	[ -n "${PID:-}" ] && NODE_PID='' # the caller's
	for p in $PERF_PID $AGENT_PID $NODE_PID; do kill "$p" 2>/dev/null; done
	for p in $PERF_PID $AGENT_PID $NODE_PID; do wait "$p" 2>/dev/null; done
	[ -n "$NODE_PID" ] && rm -f "/tmp/perf-$NODE_PID.map"
	if [ "${KEEP:-0}" = 1 ]; then echo "accuracy: raw files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

expect=
case $(basename "$APP") in
split.js) expect=splitFifty=50,splitTwentyFive=25,splitFifteen=15,splitTen=10 ;;
esac

if [ -n "${PID:-}" ]; then
	NODE_PID=$PID
else
	# The demo app listens on DEMO_PORT: a free one, not another run's 3000.
	DEMO_PORT=$((20000 + RANDOM % 20000)) "$NODE" "${NODE_FLAGS[@]}" "$APP" >"$WORK/node.log" 2>&1 &
	NODE_PID=$!
	sleep "$WARMUP"
	kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log" >&2; die "$APP exited"; }
fi
echo "accuracy: $(basename "$APP") (pid $NODE_PID, $($NODE --version)), ${SECONDS_} s at $FREQ Hz," \
	"promfiler-bpf and $(basename "$PERF") record -g at the same time"

# REUSE=FUNCTION: what V8 does when it frees code and puts new code at the
# same address, made to happen: for every perf-map entry of FUNCTION, a
# newer entry at the same start and size, named REUSE_AS (newestEntry).
# promfiler-bpf and the reference must then both give FUNCTION's samples
# the newest name; perf's own naming is counted against it.
if [ -n "${REUSE:-}" ]; then
	REUSE_AS=${REUSE_AS:-newestEntry}
	awk -v f="$REUSE" -v as="$REUSE_AS" '$3 ~ /^(JS|LazyCompile):/ {
		n = $3; sub(/^[^:]*:[*~^+\047]*/, "", n)
		if (n == f) printf "%s %s JS:*%s /reused.js:1:1\n", $1, $2, as }' \
		"/tmp/perf-$NODE_PID.map" >"$WORK/reuse.lines"
	[ -s "$WORK/reuse.lines" ] || die "REUSE: no perf-map entry names $REUSE"
	cat "$WORK/reuse.lines" >>"/tmp/perf-$NODE_PID.map"
	echo "accuracy: REUSE: $(wc -l <"$WORK/reuse.lines") newer perf-map entries at the addresses of $REUSE, named $REUSE_AS"
	[ -n "$expect" ] && expect=$(echo "$expect" | sed "s/\(^\|,\)$REUSE=/\1$REUSE_AS=/")
fi

"$AGENT" -p "$NODE_PID" --duration "$SECONDS_" --format folded -F "$FREQ" \
	-o "$WORK/promfiler.folded" 2>"$WORK/agent.log" &
AGENT_PID=$!
"$PERF" record -q -B -N -F "$FREQ" -g -p "$NODE_PID" -o "$WORK/perf.data" -- sleep "$SECONDS_" \
	>"$WORK/perf.log" 2>&1 &
PERF_PID=$!
wait "$PERF_PID"; perf_rc=$?; PERF_PID=
wait "$AGENT_PID"; agent_rc=$?; AGENT_PID=
[ "$agent_rc" -eq 0 ] || { cat "$WORK/agent.log" >&2; die "promfiler-bpf failed ($agent_rc)"; }
[ "$perf_rc" -eq 0 ] || { cat "$WORK/perf.log" >&2; die "perf record failed ($perf_rc)"; }

# perf script names frames while the perf map is still there: its own names
# are counted against the newest-entry-wins ones.
"$PERF" script -i "$WORK/perf.data" -F comm,tid,ip,sym,dso >"$WORK/perf.txt" 2>"$WORK/perf-script.log" ||
	{ cat "$WORK/perf-script.log" >&2; die "perf script failed"; }
cp "/tmp/perf-$NODE_PID.map" "$WORK/perf.map" 2>/dev/null || : >"$WORK/perf.map"
# V8 writes its map at its own file position: had it written code since, it
# would have written over the appended entries, and the reuse not happened.
if [ -n "${REUSE:-}" ] &&
	[ "$(grep -cxFf "$WORK/reuse.lines" "$WORK/perf.map")" -ne "$(wc -l <"$WORK/reuse.lines")" ]; then
	echo "accuracy: REUSE: V8 wrote over the appended entries; no reuse happened" >&2
	exit 3
fi
if [ -z "${PID:-}" ]; then
	kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
	rm -f "/tmp/perf-$NODE_PID.map"
fi
NODE_PID=

"$NODE" "$ROOT/tests/fixtures/accuracy/compare.js" "$WORK/promfiler.folded" "$WORK/perf.txt" \
	"$WORK/perf.map" --top 10 --tolerance "$TOLERANCE" ${expect:+--expect "$expect"} \
	${INLINED:+--inlined "$INLINED"}
rc=$?
[ "$rc" -le 1 ] || die "compare.js failed ($rc)"
exit "$rc"
