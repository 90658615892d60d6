#!/bin/bash
# SPDX-License-Identifier: MIT
# One-shot mode (--duration, --format, -o) and launch mode (-- COMMAND):
# every format is written and readable by its consumer, the launched
# command gets the perf-map flags, its children are profiled, its exit
# status and signals pass through.
source "$(dirname "$0")/lib.sh"
require_root

start_node "$FIXTURES/hot.js"
sleep 1
for fmt in folded svg html pprof prometheus; do
	"$AGENT" -p "$NODE_PID" --duration 3 --format "$fmt" -o "$WORK/out.$fmt" 2>"$WORK/err.$fmt"
	check "--format $fmt: exit 0 and a non-empty file" [ $? -eq 0 -a -s "$WORK/out.$fmt" ]
done
top=$(awk '{ print $NF "\t" $0 }' "$WORK/out.folded" | sort -n | tail -1 | cut -f2-)
check "folded: the heaviest stack ends in hotFunction" glob "$top" "*;mainLoop;hotFunction [0-9]*"
check "svg: an SVG document naming hotFunction" bash -c "head -c 300 '$WORK/out.svg' | grep -q '<svg' && grep -q hotFunction '$WORK/out.svg'"
check "html: a page naming hotFunction, no external URL" bash -c \
	"grep -q '<html' '$WORK/out.html' && grep -q hotFunction '$WORK/out.html' && ! grep -Eq '(src|href)=\"https?:' '$WORK/out.html'"
check "prometheus: promtool accepts it" promtool check metrics < "$WORK/out.prometheus"
check "prometheus: the one window is the run" grep -q "^promfiler_cpu_profile{signature=\"[^\"]*#hotFunction\",pid=\"$NODE_PID\"" "$WORK/out.prometheus"
if command -v go >/dev/null; then
	first=$(go tool pprof -top "$WORK/out.pprof" 2>/dev/null | awk '/flat%/ { getline; print $NF; exit }')
	check "pprof: go tool pprof lists hotFunction first (got '$first')" [ "$first" = hotFunction ]
else
	skip "go missing: pprof not read back"
fi
check "no progress line on a pipe" bash -c "! grep -q 's left' '$WORK/err.folded'"
"$AGENT" -p "$NODE_PID" --duration 1 -o /nonexistent/dir/x.svg --format svg 2>"$WORK/err"
check "unwritable -o: exit 1 before profiling, said" [ $? -eq 1 -a -n "$(grep 'cannot write /nonexistent/dir/x.svg' "$WORK/err")" ]

# Launch mode.
cat > "$WORK/parent.js" <<'JS'
const { spawn } = require('child_process');
const fs = require('fs');
fs.writeFileSync(process.argv[2], process.env.NODE_OPTIONS || '');
function parentSpin() { let s = 0; for (let i = 0; i < 3e7; i++) s += i % 7; return s; }
const child = spawn(process.execPath, ['-e',
  'function childSpin(){let s=0;for(let i=0;i<3e7;i++)s+=i%5;return s} const t=Date.now(); while(Date.now()-t<2500) childSpin();'],
  { stdio: 'inherit' });
const t = Date.now(); while (Date.now() - t < 2500) parentSpin();
child.on('exit', () => process.exit(7));
JS
"$AGENT" --duration 20 --format prometheus -o "$WORK/launch.prom" -- "$NODE" "$WORK/parent.js" "$WORK/opts" 2>"$WORK/launch.err"
rc=$?
check "launch: exits with the command's status (7, got $rc)" [ "$rc" -eq 7 ]
check "launch: NODE_OPTIONS gained the perf-map flags" grep -q -- "--perf-basic-prof --interpreted-frames-native-stack" "$WORK/opts"
check "launch: the command's JS is named" grep -q "#parentSpin\"" "$WORK/launch.prom"
check "launch: its child process is profiled" grep -q "#childSpin\"" "$WORK/launch.prom"
pids=$(grep -o 'pid="[0-9]*"' "$WORK/launch.prom" | sort -u | wc -l)
check "launch: two processes, two pids ($pids)" [ "$pids" -eq 2 ]

# Server mode with a command: SIGTERM goes to the command, its status back.
"$AGENT" --hostname 127.0.0.1 --port "$(free_port)" -- "$NODE" -e 'setInterval(() => {}, 1000)' 2>"$WORK/serve.err" &
agent=$!
sleep 2
kill -TERM "$agent"; wait "$agent"; rc=$?
check "launch: SIGTERM is forwarded and the command's status returned (143, got $rc)" [ "$rc" -eq 143 ]
"$AGENT" --duration 5 -- /nonexistent/command 2>"$WORK/err"; rc=$?
check "launch: a command that cannot run: 127 and said" [ "$rc" -eq 127 -a -n "$(grep 'cannot run /nonexistent/command' "$WORK/err")" ]
finish
