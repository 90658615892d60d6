#!/bin/bash
# SPDX-License-Identifier: MIT
# The short soak: scripts/soak.sh for 8 minutes with the agent's defaults
# (naming from V8's objects on), JIT churn plus Node processes started and
# killed in a loop. The same checks as the 30-minute run: series and fds
# bounded, and RSS growth fitted over the samples after the warm-up under
# 1 MiB. The warm-up is 4 minutes here (not the first third): the churning
# process's caches (its V8 names, its perf map's live entries) take about
# that long to fill, and what is checked is growth once they are full.
source "$(dirname "$0")/lib.sh"
require_root

SOAK_WARMUP_SECONDS=240 "$ROOT/scripts/soak.sh" "${SOAK_MINUTES:-8}" 10 \
	> "$WORK/soak.log" 2>&1; rc=$?
sed 's/^/# /' "$WORK/soak.log"
check "soak: RSS flat after warm-up, series and fds bounded" [ "$rc" -eq 0 ]
finish
