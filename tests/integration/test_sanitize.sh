#!/bin/bash
# SPDX-License-Identifier: MIT
# The agent and the unit tests built with ASan and UBSan (LeakSanitizer on),
# into .output-san (`make sanitize-build`): every sanitized unit test binary
# passes, and a short sanitized agent run (profile the hot.js fixture,
# scrape, SIGTERM) exits 0 with no sanitizer report: no memory error, no
# undefined behaviour, no leak on a clean exit. `make sanitize` runs every
# integration test against the sanitized agent; this is the part that runs
# in every `make test`.
source "$(dirname "$0")/lib.sh"
require_root

if [ -n "${PROMFILER_SANITIZE:-}" ]; then
	skip "already under make sanitize"
	finish
fi
SAN_OUTPUT=.output-san
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
out=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory \
	-j"$(nproc)" sanitize-build 2>&1); rc=$?
if [ "$rc" -ne 0 ]; then
	echo "$out" | tail -20 | sed 's/^/#   /'
	not_ok "make sanitize-build (exit $rc)"
	finish
fi
ok "make sanitize-build"

for t in "$ROOT/$SAN_OUTPUT"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log="$WORK/$name.log"
	"$t" --jobs 1 >"$log" 2>&1; rc=$?
	syn=$(grep 'Synthesis:' "$log" | tail -1)
	if [ "$rc" -eq 0 ] && ! grep -qE 'Sanitizer|runtime error' "$log"; then
		ok "sanitized $name (${syn#*Synthesis: })"
	else
		not_ok "sanitized $name exits $rc: ${syn:-no synthesis}"
		grep -E 'ERROR: |SUMMARY|runtime error|FAIL' "$log" | head -10 | sed 's/^/#   /'
	fi
done

AGENT="$ROOT/$SAN_OUTPUT/promfiler-bpf"
start_node "$FIXTURES/hot.js"
check "sanitized agent starts" start_agent --pid "$NODE_PID" --window 2
check "sanitized agent completes a window" wait_for "a window" 30 windows_at_least 1
check "sanitized agent serves hot.js's frames" bash -c \
	"curl -sf --max-time 10 http://127.0.0.1:$PORT/metrics | grep -q 'hotFunction'"
check "sanitized agent serves gzip" bash -c \
	"curl -sf --max-time 10 --compressed http://127.0.0.1:$PORT/metrics | grep -q '^promfiler_samples_total'"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
check "sanitized agent: SIGTERM, exit 0" [ "$rc" -eq 0 ]
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error' "$AGENT_LOG"; then
	not_ok "sanitized agent: a sanitizer spoke"
	grep -E -A12 'ERROR: |runtime error' "$AGENT_LOG" | head -40 | sed 's/^/#   /'
else
	ok "sanitized agent: no AddressSanitizer, LeakSanitizer or UBSan report"
fi
finish
