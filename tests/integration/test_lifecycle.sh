#!/bin/bash
# SPDX-License-Identifier: MIT
# A target that exits keeps its series for one more window, then they vanish;
# a target that runs exec into a program that no longer matches --comm ends.
source "$(dirname "$0")/lib.sh"
require_root

start_node "$FIXTURES/hot.js"
check "agent starts" start_agent --pid "$NODE_PID" --window 2
has_series() { scrape | grep -q "pid=\"$NODE_PID\""; }
check "the target has series" wait_for "series" 30 has_series
kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
check "its series vanish once it has exited" wait_for "no series" 30 bash -c \
	"! curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'pid=\"$NODE_PID\"'"
check "targets gauge back to 0" wait_for "0 targets" 10 bash -c \
	"curl -sf http://127.0.0.1:$PORT/metrics | grep -qx 'promfiler_targets 0'"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

check "agent starts with --comm bash" start_agent --comm bash --window 2
bash -c 'while [ ! -e '"$WORK"'/stop ]; do :; done; exec sleep 300' & busy=$!; PIDS+=("$busy")
check "the busy bash has series" wait_for "bash series" 30 bash -c \
	"curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'pid=\"$busy\",comm=\"bash\"'"
touch "$WORK/stop"
check "its exec is noticed" wait_for "exec log" 10 grep -q "pid $busy ran exec" "$AGENT_LOG"
check "after exec into sleep, its series vanish" wait_for "no series" 30 bash -c \
	"! curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'pid=\"$busy\"'"
finish
