#!/bin/bash
# SPDX-License-Identifier: MIT
# The BPF program walks a V8 process's user stack itself, once per sample
# (return addresses and JS functions in one pass), instead of bpf_get_stack
# and then a walk of its own. Its walk must be no worse than the kernel's:
# with PROMFILER_CHECK_WALK set, the program also walks every such stack
# with bpf_get_stack and counts the samples where the two callchains differ
# (the stats map, read through bpftool). The workloads run through code
# built without frame pointers (libz, libcrypto, libc), where both walks
# read the same garbage, and through deep JS recursion.
source "$(dirname "$0")/lib.sh"
require_root
command -v bpftool >/dev/null || { skip "$(basename "$0"): needs bpftool"; exit 0; }

cat > "$WORK/native.js" <<'JS'
const zlib = require('zlib'), crypto = require('crypto');
const data = Buffer.alloc(1 << 16, 'promfiler');
function deflate() { return zlib.deflateSync(data, { level: 9 }).length; }
function hash() { let h = 0; for (let i = 0; i < 8; i++) h += crypto.createHash("sha256").update(data).digest()[0]; return h; }
function json() { return JSON.parse(JSON.stringify({ a: [data.length, 'x'.repeat(2000)] })).a[0]; }
function sortNumbers() { return Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000).sort((a, b) => a - b)[1]; }
function deep(n) { return n ? deep(n - 1) + 1 : deflate() + hash() + json() + sortNumbers(); }
let sink = 0, i = 0;
for (;;) sink += deep(i++ & 1 ? 3 : 150);
JS

# The stats map of the agent AGENT_PID: its fds name their map ids.
stats_map() {
	local ids id
	ids=$(grep -h '^map_id:' /proc/"$AGENT_PID"/fdinfo/* 2>/dev/null | awk '{ print $2 }')
	for id in $ids; do
		bpftool map show id "$id" 2>/dev/null | grep -q " name stats " && { echo "$id"; return; }
	done
}
# stat ID INDEX: the sum over CPUs of counter INDEX (enum profile_stat).
stat() {
	bpftool map lookup id "$1" key "$2" 0 0 0 -j 2>/dev/null | node -e '
		let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
			const v = JSON.parse(s), vals = v.values || (v.formatted && v.formatted.values) || [];
			let n = 0n;
			for (const c of vals) {
				const x = c.value;
				n += Array.isArray(x) ? BigInt("0x" + x.map((b) => b.replace("0x", "")).reverse().join("")) : BigInt(x);
			}
			console.log(n.toString());
		});'
}
STAT_WALK_CHECKED=7 STAT_WALK_DIFFERENT=8 STAT_WALK_SHORTER=9

"$NODE" "$WORK/native.js" >/dev/null 2>&1 & # no perf-map flags: named from V8
NODE_PID=$!
PIDS+=("$NODE_PID")
PROMFILER_CHECK_WALK=1 start_agent --pid "$NODE_PID" -F 499 --window 2 ||
	{ not_ok "agent starts"; finish; }
walked() { [ "$(metric_value <(scrape) promfiler_v8_walks_total)" -gt 1000 ] 2>/dev/null; }
check "the program walks the stacks itself (over 1,000 walks)" wait_for "walks" 60 walked
scrape > "$WORK/m"
map=$(stats_map)
checked=$(stat "$map" $STAT_WALK_CHECKED)
different=$(stat "$map" $STAT_WALK_DIFFERENT)
shorter=$(stat "$map" $STAT_WALK_SHORTER)
check "walks compared with bpf_get_stack's ($checked)" [ "${checked:-0}" -gt 1000 ]
check "every callchain the same as the kernel's ($different of $checked differ)" [ "${different:-x}" = 0 ]
check "no callchain shorter than the kernel's ($shorter)" [ "${shorter:-x}" = 0 ]
# Frames of the libraries' own code (libz's deflate_slow, OpenSSL's
# sha256_block_data_order*), below which both walks go on through frames
# they cannot know.
native() { grep -c "^promfiler_cpu_seconds_total{signature=\"[^\"]*#$1[^\"]*\",pid=\"$NODE_PID\"" "$WORK/m"; }
zlib=$(native 'deflate_slow') sha=$(native 'sha256_block')
check "stacks through libz, built without frame pointers ($zlib series)" [ "$zlib" -gt 0 ]
check "stacks through libcrypto, built without frame pointers ($sha series)" [ "$sha" -gt 0 ]
check "JS frames named on those stacks" grep -q "#deep#deep#deep" "$WORK/m"
finish
