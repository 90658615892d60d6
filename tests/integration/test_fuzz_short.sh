#!/bin/bash
# SPDX-License-Identifier: MIT
# A short run of every fuzz target (tests/fuzz/, libFuzzer with ASan and
# UBSan): `make fuzz FUZZ_SECONDS=10`, one "ok - fuzz_<target>" line per
# target (written by tests/fuzz/run.sh). Needs no root; needs clang with
# libFuzzer (scripts/install-deps.sh installs it).
source "$(dirname "$0")/lib.sh"

if [ -n "${PROMFILER_SANITIZE:-}" ]; then
	skip "fuzzers under make sanitize: they run in make test"
	finish
fi
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	not_ok "clang missing: the fuzz targets cannot be built (scripts/install-deps.sh)"
	finish
fi
# A make of our own: not the jobserver of the make that runs the tests.
out=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory \
	fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}" 2>&1); rc=$?
grep -E '^(ok|not ok|skip) - ' <<<"$out"
n=$(grep -cE '^(ok|not ok) - fuzz_' <<<"$out")
targets=$(ls "$ROOT"/tests/fuzz/fuzz_*.c | wc -l)
if [ "$n" -ne "$targets" ]; then
	echo "# make fuzz said:"; grep -vE '^(ok|not ok) - ' <<<"$out" | tail -20 | sed 's/^/#   /'
	not_ok "make fuzz ran $n of $targets targets (exit $rc)"
fi
[ "$rc" -eq 0 ] || FAILURES=$((FAILURES + 1))
finish
