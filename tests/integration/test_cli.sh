#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line's errors: exit 2 with a usage line for bad flags and
# numbers, exit 1 with one line naming what is missing without privileges,
# and a --pid that does not exist is said while the others go on.
source "$(dirname "$0")/lib.sh"

out=$("$AGENT" --no-such-flag 2>&1); rc=$?
check "unknown long flag exits 2" [ "$rc" -eq 2 ]
check "unknown flag prints a usage line" grep -q "^usage: promfiler-bpf" <<<"$out"
out=$("$AGENT" -Z 2>&1); rc=$?
check "unknown short flag exits 2 naming it" [ "$rc" -eq 2 -a -n "$(grep -- "'-Z'" <<<"$out")" ]
for bad in "--port 0" "--port 70000" "-F 0" "-F 12x" "--window -1" "-p abc" "--weight both" "-s 5"; do
	"$AGENT" $bad >/dev/null 2>&1; rc=$?
	check "bad value '$bad' exits 2" [ "$rc" -eq 2 ]
done
"$AGENT" --help | grep -q -- "--sampling-interval"; check "--help lists the flags and exits 0" [ "${PIPESTATUS[0]}" -eq 0 ]
check "--version prints the version" bash -c "'$AGENT' -V | grep -q '^promfiler-bpf [0-9]'"

if [ "$(id -u)" -ne 0 ]; then
	skip "privilege and pid checks need root"
	finish
fi
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$AGENT" --pid 1 2>&1); rc=$?
	check "without privileges: exit 1" [ "$rc" -eq 1 ]
	check "without privileges: names CAP_BPF and CAP_PERFMON" grep -q "missing CAP_BPF and CAP_PERFMON" <<<"$out"
	out=$(capsh --drop=cap_bpf,cap_sys_admin -- -c "exec $AGENT --pid 1" 2>&1); rc=$?
	check "root without CAP_BPF (and CAP_SYS_ADMIN): exit 1 naming CAP_BPF only" [ "$rc" -eq 1 -a -n "$(grep 'missing CAP_BPF:' <<<"$out")" ]
else
	skip "setpriv missing: privilege checks not run"
fi

# A dead pid alone: said, exit 1. With a live one: said, and it goes on.
sleep 0 & dead=$!; wait $dead
out=$("$AGENT" --pid "$dead" --port "$(free_port)" 2>&1); rc=$?
check "only a dead --pid: exit 1" [ "$rc" -eq 1 ]
check "only a dead --pid: says no such process" grep -q "pid $dead: no such process" <<<"$out"
start_node "$FIXTURES/hot.js"
check "agent with a dead and a live --pid comes up" start_agent --pid "$dead" --pid "$NODE_PID"
check "the dead pid is reported" grep -q "pid $dead: no such process" "$AGENT_LOG"
check "the live pid is profiled" wait_for "series of $NODE_PID" 20 bash -c \
	"curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'promfiler_cpu_seconds_total{.*pid=\"$NODE_PID\"'"
# Once attached it keeps CAP_BPF, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH and
# CAP_CHECKPOINT_RESTORE only, bounding set included, and still works.
# Capabilities are per thread: every thread of the agent must have dropped.
check "after attaching, only the runtime capabilities are left, in every thread" \
	[ "$(grep -h '^CapEff:' /proc/$AGENT_PID/task/*/status | sort -u | awk '{ print $2 }')" = 0000018000080004 ]
check "the bounding set is cut too" grep -q "^CapBnd:.*0000018000080004" "/proc/$AGENT_PID/status"
check "with them it still drains and names" wait_for "named series" 20 bash -c \
	"curl -sf http://127.0.0.1:$PORT/metrics | grep -q '#hotFunction\",pid=\"$NODE_PID\"'"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
check "SIGTERM stops the agent with exit 0" [ "$rc" -eq 0 ]
finish
