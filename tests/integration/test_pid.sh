#!/bin/bash
# SPDX-License-Identifier: MIT
# The core path for real: a Node fixture with known hot functions, profiled
# by --pid, scraped over HTTP. The hottest signature is hotFunction's, with
# the right pid label; the exposition passes promtool; two scrapes in one
# window give the same gauge values; --weight total is inclusive.
source "$(dirname "$0")/lib.sh"
require_root

start_node "$FIXTURES/hot.js"
check "agent starts with --pid" start_agent --pid "$NODE_PID" --window 3
check "a profile window completes" wait_for "a window" 30 windows_at_least 2
scrape > "$WORK/m1"

hot=$(hottest "$WORK/m1" promfiler_cpu_profile "$NODE_PID")
echo "# hottest gauge signature: $hot"
check "hottest self signature ends in #mainLoop#hotFunction" glob "$hot" "*#mainLoop#hotFunction"
check "signatures start at (root)" glob "$hot" "(root)#*"
hot=$(hottest "$WORK/m1" promfiler_cpu_seconds_total "$NODE_PID")
check "most CPU seconds: hotFunction" glob "$hot" "*#hotFunction"
check "series carry comm=\"node\"" grep -q "promfiler_cpu_profile{.*pid=\"$NODE_PID\",comm=\"node\"}" "$WORK/m1"

# Every ancestor of a sampled node is present.
missing=$(grep "^promfiler_cpu_profile{" "$WORK/m1" | sed 's/.*signature="\([^"]*\)".*/\1/' | sort -u > "$WORK/sigs"
	while read -r sig; do
		parent=${sig%#*}
		[ "$parent" != "$sig" ] && ! grep -qxF "$parent" "$WORK/sigs" && echo "$parent"
	done < "$WORK/sigs")
check "every ancestor of a sampled node is present" [ -z "$missing" ]

check_exposition "the exposition" "$WORK/m1"

# Two scrapes within one window: identical gauges (scrapes reset nothing).
same=no
for _ in 1 2 3; do
	scrape > "$WORK/a"; scrape > "$WORK/b"
	[ "$(metric_value "$WORK/a" promfiler_profile_windows_total)" = \
	  "$(metric_value "$WORK/b" promfiler_profile_windows_total)" ] || continue
	if diff <(grep '^promfiler_cpu_profile{' "$WORK/a") <(grep '^promfiler_cpu_profile{' "$WORK/b") >/dev/null; then
		same=yes
	else
		same=differ
	fi
	break
done
check "two scrapes in the same window return the same gauges" [ "$same" = yes ]

samples=$(metric_value "$WORK/m1" promfiler_samples_total)
check "samples are counted" [ "${samples:-0}" -gt 0 ]
check "HTTP: POST gets 405" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:$PORT/metrics)" = 405 ]
check "HTTP: unknown path gets 404" [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/nope)" = 404 ]
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null

# --weight total: the root's gauge is the sum of the window's samples.
check "agent starts with --weight total" start_agent --pid "$NODE_PID" --window 2 --weight total
check "a window completes" wait_for "a window" 30 windows_at_least 2
scrape > "$WORK/m2"
root=$(grep "^promfiler_cpu_profile{signature=\"(root)\",pid=\"$NODE_PID\"" "$WORK/m2" | awk '{ print $NF }')
top=$(max_value "$WORK/m2" promfiler_cpu_profile "$NODE_PID")
echo "# total weight: root=$root, largest=$top"
check "with --weight total no node exceeds (root)" [ "$top" = "$root" ]
check "with --weight total the root counts the window's samples" [ "${root:-0}" -gt 0 ]
finish
