#!/bin/bash
# SPDX-License-Identifier: MIT
# `make bench`: measures promfiler-bpf against its peers (V8's in-process
# profiler, perf record) and prints one report: the machine, the command that
# reproduces it, a summary table and the details behind it. As root (BPF,
# kernel.bpf_stats_enabled, perf). About 22 minutes; BENCH_QUICK=1 cuts every
# duration (about 7 minutes, for trying the bench itself, not for numbers).
#
# Phases (scripts/bench/bench.js has the details, report.js the arithmetic):
#   micro       the C micro-benchmarks (microbench.c over src/*.o): timed,
#               then under callgrind for instruction counts
#   bpf         BPF program ns per sample, as a ratio to a minimal sampler's
#               (floor.bpf.c) in the same run: shallow/deep stacks, with and
#               without V8 naming, --kernel, 97/997 Hz
#   agents      agent CPU and peak RSS with 1, 10, 50 targets at 97 Hz
#   callgrind   the agent itself under callgrind: instructions per unit, with
#               perf maps and (callgrind bare) without any flag
#   v8thread    CPU of V8's profiler thread under --cpu-prof
#   flags       cost of the perf map flags, per workload
#   sidebyside  profilers toggled in alternating blocks, per workload
#
# Environment: AGENT, MICROBENCH, FLOOR (the binaries; built if missing),
# BENCH_OUT (results folder; default .output/bench/results), BENCH_QUICK=1,
# BENCH_PHASES (a subset, e.g. "micro bpf"; the report covers what exists).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/scripts/bench
QUICK=${BENCH_QUICK:-0}
OUT=${BENCH_OUT:-$ROOT/.output/bench/results}
PHASES=${BENCH_PHASES:-micro bpf agents callgrind v8thread flags sidebyside}
START=$(date +%s)

say() { echo "bench: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	say "needs root (BPF programs, kernel.bpf_stats_enabled, perf): sudo make bench"
	exit 1
fi

# What the bench needs beyond the build: the load generator, the peers and
# the instruction counter. Installed here, not by install-deps.sh: the tests
# do not need them.
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v perf >/dev/null || need+=(linux-perf)
command -v valgrind >/dev/null || need+=(valgrind)
command -v node >/dev/null || need+=(nodejs)
command -v git >/dev/null || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

AGENT=${AGENT:-$ROOT/promfiler-bpf}
MICROBENCH=${MICROBENCH:-$ROOT/.output/bench/microbench}
FLOOR=${FLOOR:-$ROOT/.output/bench/floor}
if [ ! -x "$AGENT" ] || [ ! -x "$MICROBENCH" ] || [ ! -x "$FLOOR" ]; then
	make -C "$ROOT" --no-print-directory promfiler-bpf .output/bench/microbench .output/bench/floor
fi

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/tmp"
# Private copies: the checkout may be rebuilt while the bench runs.
cp "$AGENT" "$OUT/bin/promfiler-bpf"
cp "$MICROBENCH" "$OUT/bin/microbench"
cp "$FLOOR" "$OUT/bin/floor"
AGENT=$OUT/bin/promfiler-bpf
MICROBENCH=$OUT/bin/microbench
FLOOR=$OUT/bin/floor

# The BPF program's run time is counted for the whole bench (the side-by-side
# blocks read it too); the setting found is put back at the end.
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
cleanup() {
	echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null || true
	rm -rf "$OUT/tmp"
	rm -f "$OUT"/bin/microbench-*.map
}
trap cleanup EXIT

quick=()
[ "$QUICK" = 1 ] && quick=(--quick)
cmd="sudo make bench"
[ "$QUICK" = 1 ] && cmd="sudo BENCH_QUICK=1 make bench"

# The machine as the bench starts, for the report's first lines: machine.json
# (the time the bench took is added at the end).
machine() {
	M_ELAPSED=$1 \
	M_WHEN=$(date -u '+%Y-%m-%d %H:%M UTC') \
	M_CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1) \
	M_CORES=$(nproc) \
	M_MEMORY=$(free -g | awk '/^Mem:/ { print $2 " GB" }') \
	M_OS=$(. /etc/os-release && echo "$PRETTY_NAME") \
	M_KERNEL=$(uname -r) \
	M_VIRT=$(systemd-detect-virt 2>/dev/null || true) \
	M_LOAD=$(cut -d' ' -f1-3 /proc/loadavg) \
	M_NODE=$(node --version) \
	M_PERF=$(perf --version 2>/dev/null || true) \
	M_VALGRIND=$(valgrind --version 2>/dev/null || true) \
	M_WRK=$(wrk -v 2>&1 | sed -n 's/^wrk \([^ ]*\).*/\1/p' | head -1) \
	M_AGENT_VERSION=$("$AGENT" --version 2>/dev/null | head -1) \
	M_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true) \
	M_DIRTY=$(git -C "$ROOT" status --porcelain -- src bpf 2>/dev/null | head -1) \
	M_COMMAND=$cmd M_OUT=${OUT#"$ROOT"/} M_QUICK=$QUICK \
	node -e '
		const e = process.env, m = {};
		for (const k of ["elapsed", "when", "cpu", "cores", "memory", "os", "kernel", "virt", "load",
			"node", "perf", "valgrind", "wrk", "agent_version", "commit", "command", "out"])
			m[k] = e["M_" + k.toUpperCase()] || "";
		m.dirty = !!e.M_DIRTY;
		m.quick = e.M_QUICK === "1";
		require("fs").writeFileSync(process.argv[1], JSON.stringify(m, null, 1) + "\n");
	' "$OUT/machine.json"
}
machine ""

phase() {
	local name=$1; shift
	say "phase $name$( [ $# -gt 0 ] && echo " $*")"
	node "$HERE/bench.js" "$name" "$@" --out "$OUT" --agent "$AGENT" --floor "$FLOOR" "${quick[@]}"
}

# The agent answers with the self-metrics the phases read (fails early on a
# broken build instead of after twenty minutes).
phase check

for p in $PHASES; do
	case $p in
	micro)
		say "phase micro (timed)"
		if [ "$QUICK" = 1 ]; then
			"$MICROBENCH" --dir "$OUT/tmp" --runs 3 --perfmap-mb 10 --frames 100000 >"$OUT/micro.jsonl"
			cg_args=(--runs 1 --perfmap-mb 2 --frames 5000 --series 1000)
		else
			"$MICROBENCH" --dir "$OUT/tmp" --runs 5 --perfmap-mb 100 --frames 1000000 >"$OUT/micro.jsonl"
			# Instructions per unit hardly depend on the input's size: a
			# 5 MB map, 10k frames and up to 10k series keep callgrind
			# (50 times slower) to about a minute.
			cg_args=(--runs 1 --perfmap-mb 5 --frames 10000 --series 1000,10000)
		fi
		say "phase micro (callgrind)"
		mkdir -p "$OUT/callgrind-micro"
		valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind-micro/micro.out" \
			"$MICROBENCH" --dir "$OUT/tmp" "${cg_args[@]}" \
			>"$OUT/callgrind-micro/micro.jsonl" 2>"$OUT/callgrind-micro/valgrind.log"
		node - "$OUT" <<'EOF'
// micro.json: the timed runs; micro-callgrind.json: instructions per dump
// ("bench:NAME" -> Ir), and the sizes of the callgrind run's inputs.
const fs = require('fs'), path = require('path');
const out = process.argv[2];
const lines = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
fs.writeFileSync(path.join(out, 'micro.json'), JSON.stringify(lines(path.join(out, 'micro.jsonl')), null, 1));
const cgDir = path.join(out, 'callgrind-micro');
const res = {};
for (const f of fs.readdirSync(cgDir).filter((f) => /^micro\.out\.\d+$/.test(f))) {
	const t = fs.readFileSync(path.join(cgDir, f), 'utf8');
	const desc = (t.match(/^desc: Trigger: Client Request: (\S+)/m) || [])[1];
	const sum = (t.match(/^summary: (\d+)/m) || [])[1];
	if (desc)
		res[desc] = Number(sum);
}
for (const m of lines(path.join(cgDir, 'micro.jsonl'))) {
	if (m.bench === 'perfmap') { res.perfmap_bytes = m.bytes; res.perfmap_lines = m.lines; }
	if (m.bench === 'symbolize') res.frames = m.frames;
}
fs.writeFileSync(path.join(out, 'micro-callgrind.json'), JSON.stringify(res, null, 1));
EOF
		;;
	bpf | agents | v8thread) phase "$p" ;;
	callgrind) phase callgrind; phase callgrind bare ;;
	flags) for w in cpu http jit; do phase flags "$w"; done ;;
	sidebyside)
		for w in cpu http jit; do
			if [ "$QUICK" = 1 ]; then phase sidebyside "$w" --duration 45
			elif [ "$w" = jit ]; then phase sidebyside "$w" --duration 240
			else phase sidebyside "$w" --duration 200
			fi
		done
		;;
	*) say "unknown phase $p"; exit 2 ;;
	esac
done

elapsed=$(( $(date +%s) - START ))
node -e '
	const fs = require("fs"), [file, took] = process.argv.slice(1);
	const m = JSON.parse(fs.readFileSync(file, "utf8"));
	m.elapsed = took;
	fs.writeFileSync(file, JSON.stringify(m, null, 1) + "\n");
' "$OUT/machine.json" "$((elapsed / 60)) min $((elapsed % 60)) s"
node "$HERE/report.js" "$OUT"
say "done in $((elapsed / 60)) min $((elapsed % 60)) s; report in $OUT/report.md"
