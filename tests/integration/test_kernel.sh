#!/bin/bash
# SPDX-License-Identifier: MIT
# --kernel: kernel frames, named from /proc/kallsyms with the suffix _[k],
# appear below the user frames of the same sample.
source "$(dirname "$0")/lib.sh"
require_root

cat > "$WORK/stat.js" <<'JS'
const fs = require('fs');
function statLoop() { for (let i = 0; i < 2000; i++) fs.statSync('/'); }
for (;;) statLoop();
JS
start_node "$WORK/stat.js"
check "agent starts with --kernel" start_agent --pid "$NODE_PID" --kernel --window 2
has_kernel() { scrape | grep -q "^promfiler_cpu_seconds_total{signature=\"[^\"]*_\[k\]\",pid=\"$NODE_PID\""; }
check "kernel frames appear" wait_for "kernel frames" 30 has_kernel
scrape > "$WORK/m"
check "a syscall entry is named" grep -q "entry_SYSCALL_64[a-z_]*_\[k\]" "$WORK/m"
# After the first kernel frame of a signature, every frame is a kernel frame.
kernel_last() {
	sed -n 's/.*signature="\([^"]*\)".*/\1/p' "$WORK/m" | awk -F'#' '
		{ k = 0; for (i = 1; i <= NF; i++) { if ($i ~ /_\[k\]$/) k = 1; else if (k) bad++ } }
		END { exit bad > 0 }'
}
check "kernel frames come after the user frames" kernel_last
check "user frames are there too" grep -q "statLoop#" "$WORK/m"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
check "agent starts without --kernel" start_agent --pid "$NODE_PID" --window 2
wait_for "series" 30 bash -c "curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'pid=\"$NODE_PID\"'"
check "no kernel frames without --kernel" bash -c "! curl -sf http://127.0.0.1:$PORT/metrics | grep -q '_\[k\]'"
finish
