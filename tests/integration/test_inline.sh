#!/bin/bash
# SPDX-License-Identifier: MIT
# Inlined functions as frames of their own (src/v8code.c, src/v8inline.c).
# tests/fixtures/v8inline/inline.js runs three times per Node version: with
# V8's defaults, where TurboFan or Maglev inline scoreItem (and route) into
# their caller, once with the perf map on and once with no flag at all (JS
# named from V8's objects, the optimized code found from the pc), and with
# inlining off (no_inlining_flags), where each function is its own code.
# The agent profiles the three at once, and `perf record` the inlined one
# with a perf map at the same time. Checks, per version, for both inlined
# processes:
#   - scoreItem shows under route (it did not at all before: its time was
#     the caller's);
#   - time conserved: the three functions' leaf share together is perf's
#     share of the code that holds them (perf names a pc by its code
#     object only; perf cannot name the flagless process's JIT code, so
#     its twin with a perf map, running the same code, is the reference),
#     within 3 pp;
#   - time split where V8 split it: scoreItem's own share with inlining on
#     is its share with inlining off, within 9 pp (or 4 sigma, if more):
#     inlined code is not the same work. In two runs of all five versions
#     (2026-12-01), Node 20, 22 and 26 agreed within 1.9 pp either way, but
#     Node 24's and 25's inlined scoreItem was 2.1 to 5.3 pp lower every
#     time (their V8 optimizes it differently; the why was not found),
#     against a sampling noise of about 1.3 pp;
#   - promfiler_v8_inlined_frames_total counts the frames, and
#     promfiler_v8_inline_missing_frames_total stays small.
# Where the agent does not read V8's objects for that version (its V8
# layout is refused), frames are named as before and the missing-inlining
# metric counts them: that is checked instead.
# NODE_VERSIONS="system 22 24 25 26" (the default) chooses the versions.
source "$(dirname "$0")/lib.sh"
require_root

PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | sort -V | tail -1)
if [ -z "$PERF" ] || ! "$PERF" --version >/dev/null 2>&1; then
	skip "perf missing (apt-get install -y linux-perf): no reference to compare with"
	PERF=
fi
FREQ=499
SECS=8
FIXTURE="$FIXTURES/v8inline/inline.js"

# near VALUE WANT PP: |VALUE - WANT| <= PP
near() {
	[ -n "$1" ] && [ -n "$2" ] &&
		awk -v v="$1" -v w="$2" -v t="$3" 'BEGIN { d = v - w; exit !(d <= t && -d <= t) }'
}
# ours FILE PID FRAME...: % of PID's self CPU whose leaf frame is one of FRAMEs.
ours() {
	local f=$1 pid=$2; shift 2
	awk -v pid="$pid" -v want="$*" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
		/^promfiler_cpu_seconds_total\{/ && index($0, "pid=\"" pid "\"") {
			s = $0; sub(/.*signature="/, "", s); sub(/".*/, "", s)
			k = split(s, fr, "#"); v = $NF; all += v; if (fr[k] in ok) hit += v }
		END { printf "%.1f\n", (all > 0 ? 100 * hit / all : 0) }' "$f"
}
# under FILE PID PATH: a signature of PID ends with PATH ("#route#scoreItem").
under() { grep '^promfiler_cpu_seconds_total{' "$1" | grep "pid=\"$2\"" | grep -q "$3\""; }
# holds FILE PID FRAME: a signature of PID holds FRAME.
holds() { grep '^promfiler_cpu_seconds_total{' "$1" | grep "pid=\"$2\"" | grep -q "#$3[#\"]"; }
# theirs FILE FRAME...: % of perf's samples whose leaf user frame (the
# agent's leaf: it takes the user stack of a sample in the kernel too) is
# JS code of a FRAME, and the number of samples. FILE: perf script -F ip,sym,dso
# of a perf record -g.
theirs() {
	local f=$1; shift
	awk -v want="$*" '
		BEGIN { RS = ""; FS = "\n"; n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
		{ all++
		  for (i = 1; i <= NF; i++) {
			if ($i ~ /\[kernel\.kallsyms\]|^[^ \t]/) continue
			s = $i; sub(/^[ \t]*[0-9a-f]+ /, "", s)
			if (s ~ /^JS:/) { sub(/^JS:[*+~^]?'"'"'?/, "", s); sub(/ .*/, "", s); if (s in ok) hit++ }
			break } }
		END { printf "%.1f %d\n", (all > 0 ? 100 * hit / all : 0), all }' "$f"
}
# tol MIN SHARE A B: MIN pp, or four standard errors of the difference of
# two shares near SHARE % measured over A and B samples, if that is more
# (on a busy machine the targets get little CPU, and few samples).
tol() {
	awk -v m="$1" -v p="$2" -v a="${3:-0}" -v b="${4:-0}" 'BEGIN {
		if (a < 1 || b < 1) { print m; exit }
		p /= 100; t = 400 * sqrt(p * (1 - p) * (1 / a + 1 / b)); printf "%.1f\n", (t > m ? t : m) }'
}
# samples FILE PID: the agent's samples of PID (self CPU seconds x FREQ).
samples() {
	awk -v pid="$2" -v f="$FREQ" '/^promfiler_cpu_seconds_total\{/ && index($0, "pid=\"" pid "\"") {
		s += $NF } END { printf "%d\n", s * f + 0.5 }' "$1"
}
metric() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

for v in ${NODE_VERSIONS:-system 22 24 25 26}; do
	node=$(node_for "$v")
	if [ -z "$node" ]; then
		skip "node $v: not installed and npm cannot provide it"
		continue
	fi
	ver=$("$node" --version)
	"$node" "${PERF_MAP_FLAGS[@]}" "$FIXTURE" >/dev/null 2>&1 &
	inl=$!; PIDS+=("$inl")
	# shellcheck disable=SC2046
	"$node" "${PERF_MAP_FLAGS[@]}" $(no_inlining_flags "$node") "$FIXTURE" >/dev/null 2>&1 &
	flat=$!; PIDS+=("$flat")
	"$node" "$FIXTURE" >/dev/null 2>&1 &
	bare=$!; PIDS+=("$bare")
	sleep 3 # all three reach their optimized code
	out="$WORK/inline.$v.prom"
	if [ -n "$PERF" ]; then
		"$PERF" record -q -g -F "$FREQ" -p "$inl" -o "$WORK/perf.$v.data" -- sleep "$SECS" \
			>/dev/null 2>&1 &
		perf_pid=$!; PIDS+=("$perf_pid")
	fi
	"$AGENT" -F "$FREQ" -p "$inl" -p "$flat" -p "$bare" --duration "$SECS" --format prometheus \
		-o "$out" 2>"$WORK/agent.$v.log"
	rc=$?
	[ -n "$PERF" ] && wait "$perf_pid"
	[ -n "$PERF" ] && "$PERF" script -i "$WORK/perf.$v.data" -F ip,sym,dso \
		>"$WORK/perf.$v.txt" 2>/dev/null
	kill "$inl" "$flat" "$bare" 2>/dev/null
	check "node $ver: the agent profiled the three processes (exit $rc)" [ "$rc" -eq 0 ]
	inlined=$(metric "$out" promfiler_v8_inlined_frames_total)
	missing=$(metric "$out" promfiler_v8_inline_missing_frames_total)
	total=$(awk '/^promfiler_samples_total / { print $2 }' "$out")
	if grep -q "pid $inl .*not named from V8's objects" "$WORK/agent.$v.log"; then
		# Named as before; what V8 inlined is not read, and counted.
		sed 's/^/# /' "$WORK/agent.$v.log"
		check "node $ver (V8 layout refused): named as before, mainLoop shows" \
			holds "$out" "$inl" mainLoop
		check "node $ver (V8 layout refused): optimized frames counted as missing their inlining (${missing:-?})" \
			[ "${missing:-0}" -gt 0 ]
		continue
	fi
	check "node $ver: promfiler_v8_inlined_frames_total counts them (${inlined:-?})" \
		[ "${inlined:-0}" -gt 0 ]
	# Missing: optimized frames of the first drains (before the agent has
	# read the perf map's newest code), and of other optimized code.
	few() { awk -v m="${missing:-0}" -v t="${total:-0}" 'BEGIN { exit !(t > 0 && m <= 0.05 * t) }'; }
	check "node $ver: promfiler_v8_inline_missing_frames_total is small (${missing:-?} of ${total:-?} samples)" few
	s_off=$(ours "$out" "$flat" scoreItem); r_off=$(ours "$out" "$flat" route)
	n_off=$(samples "$out" "$flat")
	[ -n "$PERF" ] && read -r p3 np <<<"$(theirs "$WORK/perf.$v.txt" mainLoop route scoreItem)"
	for run in "perf map:$inl" "no flags:$bare"; do
		how=${run%%:*} pid=${run#*:}
		check "node $ver ($how): scoreItem shows under route where V8 inlined it" \
			under "$out" "$pid" "#route#scoreItem"
		s_on=$(ours "$out" "$pid" scoreItem); r_on=$(ours "$out" "$pid" route)
		echo "# node $ver ($how): scoreItem $s_on% inlined, $s_off% not; route $r_on% / $r_off%"
		n_on=$(samples "$out" "$pid")
		t=$(tol 9 "$s_off" "$n_on" "$n_off")
		check "node $ver ($how): scoreItem's own share inlined ($s_on% of $n_on) is its share not inlined ($s_off% of $n_off) within $t pp" \
			near "$s_on" "$s_off" "$t"
		if [ -n "$PERF" ]; then
			all3=$(ours "$out" "$pid" mainLoop route scoreItem)
			t=$(tol 3 "$p3" "$n_on" "$np")
			echo "# node $ver ($how): mainLoop+route+scoreItem: agent $all3% of $n_on, perf $p3% of $np samples (perf-map process)"
			check "node $ver ($how): time conserved: the caller and what it inlined ($all3%) match perf's share of their code ($p3%) within $t pp" \
				near "$all3" "$p3" "$t"
		fi
	done
done

unit="$ROOT/.output/tests/test_v8inline"
if [ -x "$unit" ]; then
	check "unit: test_v8inline (tables of real processes, hostile tables, replaced code)" \
		"$unit" --jobs 1
else
	skip "unit: $unit not built (make unit)"
fi
finish
