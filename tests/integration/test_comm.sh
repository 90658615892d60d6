#!/bin/bash
# SPDX-License-Identifier: MIT
# Discovery by name: with no target flag the agent profiles processes named
# "node", including one that starts after the agent; a process with another
# name is not profiled.
source "$(dirname "$0")/lib.sh"
require_root

check "agent starts with no target flag (--comm node)" start_agent --window 2
start_node "$FIXTURES/hot.js"
check "a node started later is picked up" wait_for "series of $NODE_PID" 30 bash -c \
	"curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'promfiler_cpu_seconds_total{.*hotFunction\",pid=\"$NODE_PID\",comm=\"node\"'"
check "the log names the new target" grep -q "profiling pid $NODE_PID (node)" "$AGENT_LOG"

# A busy process with another comm stays out.
bash -c 'while :; do :; done' & busy=$!; PIDS+=("$busy")
sleep 3
scrape > "$WORK/m"
check "a busy non-node process is not profiled" bash -c "! grep -q 'pid=\"$busy\"' '$WORK/m'"
kill "$busy"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

# --comm with another name selects that process instead.
check "agent starts with --comm bash" start_agent --comm bash --window 2
bash -c 'while :; do :; done' & busy=$!; PIDS+=("$busy")
check "--comm bash profiles a busy bash" wait_for "bash series" 30 bash -c \
	"curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'pid=\"$busy\",comm=\"bash\"'"
scrape > "$WORK/m"
check "--comm bash leaves node out" bash -c "! grep -q 'pid=\"$NODE_PID\"' '$WORK/m'"
kill "$busy"
finish
