#!/bin/bash
# SPDX-License-Identifier: MIT
# The Grafana panel plugin (grafana-panel/): `make panel` (npm ci from the
# committed lock file, the esbuild build, the zip), the plugin folder Grafana
# loads, the type check, the conversion's unit tests (golden series ->
# golden frames, hostile names, limits), the exports of the Grafana releases
# plugin.json claims (tests/host_exports.cjs), and the browser check: the
# real agent profiling tests/fixtures/hot.js, and hot.js changed (warmFunction slower), scraped by a
# real Prometheus (Debian's, on loopback), whose HTTP API answers to the
# dashboard's own queries feed the built panel in headless Chromium with
# real React, @grafana/data and @grafana/ui (13.0.1 with React 18, and 13.2.3
# with React 19: grafana-panel/tests/browser/check_panel.cjs): hotFunction is
# the widest leaf, search finds it, the diff colours the function that changed.
source "$(dirname "$0")/lib.sh"

PANEL=$ROOT/grafana-panel
ARTIFACTS=${PANEL_SCREENSHOTS:-$ROOT/.output/artifacts}
if ! command -v npm >/dev/null || ! command -v zip >/dev/null; then
	not_ok "npm or zip missing (scripts/install-deps.sh installs them)"
	finish
fi

if make -C "$ROOT" --no-print-directory panel >"$WORK/make-panel.log" 2>&1; then
	ok "make panel: npm ci from package-lock.json, build, zip"
else
	not_ok "make panel: npm ci from package-lock.json, build, zip"
	sed 's/^/#   /' "$WORK/make-panel.log" | tail -30
	finish
fi

# The plugin folder and the zip.
version=$(node -p "require('$PANEL/package.json').version")
zipfile=$ROOT/.output/promfiler-flamegraph-panel-$version.zip
check "dist/plugin.json: a panel, id promfiler-flamegraph-panel, version $version, Grafana >=12 <14, logos present" node -e '
	const fs = require("fs"), dist = process.argv[1];
	const p = JSON.parse(fs.readFileSync(dist + "/plugin.json", "utf8"));
	const ok = p.type === "panel" && p.id === "promfiler-flamegraph-panel" && p.info.version === process.argv[2] &&
		p.dependencies.grafanaDependency === ">=12.0.0 <14.0.0" && /^\d{4}-\d\d-\d\d$/.test(p.info.updated) &&
		fs.existsSync(dist + "/" + p.info.logos.small) && fs.existsSync(dist + "/" + p.info.logos.large);
	process.exit(ok ? 0 : 1);' "$PANEL/dist" "$version"
check "dist/module.js is an AMD module over react, react-dom, @grafana/data, @grafana/ui" bash -c \
	"head -c 200 '$PANEL/dist/module.js' | grep -q '^define(\[\"react\",\"react-dom\",\"@grafana/data\",\"@grafana/ui\"\]'"
check "the zip holds the plugin folder (plugin.json, module.js, logo, README, CHANGELOG)" bash -c "
	unzip -Z1 '$zipfile' > '$WORK/zip.list' &&
	for f in plugin.json module.js img/logo.svg README.md CHANGELOG.md; do
		grep -qx \"promfiler-flamegraph-panel/\$f\" '$WORK/zip.list' || exit 1
	done"

if (cd "$PANEL" && npx --no-install tsc --noEmit -p tsconfig.json) >"$WORK/tsc.log" 2>&1; then
	ok "the panel type-checks (tsc --noEmit, strict)"
else
	not_ok "the panel type-checks (tsc --noEmit, strict)"
	sed 's/^/#   /' "$WORK/tsc.log" | head -20
fi

# The unit tests, in TAP: each top-level result becomes one of our lines.
(cd "$PANEL" && node build.mjs --tests && node --test --test-reporter=tap .build/tests/) >"$WORK/unit.tap" 2>&1
unit_rc=$?
sed -n -e 's/^ok [0-9]* - \(.*\)/ok - panel unit: \1/p' -e 's/^not ok [0-9]* - \(.*\)/not ok - panel unit: \1/p' "$WORK/unit.tap"
unit_failed=$(grep -c '^not ok [0-9]* - ' "$WORK/unit.tap")
unit_passed=$(grep -c '^ok [0-9]* - ' "$WORK/unit.tap")
FAILURES=$((FAILURES + unit_failed))
if [ "$unit_failed" -gt 0 ]; then
	grep -E '^\s+(error|expected|actual):' "$WORK/unit.tap" | head -20 | sed 's/^/#   /'
fi
if [ "$unit_rc" -ne 0 ] && [ "$unit_failed" -eq 0 ] || [ "$unit_passed" -eq 0 ]; then
	not_ok "panel unit tests ran (rc $unit_rc, $unit_passed passed)"
	tail -20 "$WORK/unit.tap" | sed 's/^/#   /'
fi

# The Grafana releases claimed: what module.js takes from @grafana/ui and
# @grafana/data is there in 12.0.0, 13.0.1 and 13.2.3.
(cd "$PANEL" && node tests/host_exports.cjs) || FAILURES=$((FAILURES + 1))

# The browser check, on real series.
if [ "$(id -u)" -ne 0 ]; then
	skip "panel browser check: needs root to run the agent"
	finish
fi
if ! command -v prometheus >/dev/null || [ ! -x /usr/bin/chromium ]; then
	not_ok "prometheus or chromium missing (scripts/install-deps.sh installs them)"
	finish
fi
if ! (cd "$PANEL" && node build.mjs --browser) >"$WORK/host.log" 2>&1; then
	not_ok "the browser test page builds"
	sed 's/^/#   /' "$WORK/host.log" | tail -20
	finish
fi

start_node "$FIXTURES/hot.js"
HOT=$NODE_PID
# hot.js after a change that made warmFunction slower (in hot.js, one of
# hotFunction's iterations costs about five of warmFunction's: i * i leaves
# V8's small integers): warmFunction now gets most of the CPU.
start_node "$FIXTURES/hot.js" 100000 1600000
CHANGED=$NODE_PID
# A 10 s window: the gauge of a busy 2-core machine holds enough samples.
check "agent starts with --pid $HOT --pid $CHANGED" start_agent --pid "$HOT" --pid "$CHANGED" --window 10

mkdir -p "$WORK/prometheus"
cat > "$WORK/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: promfiler
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
start_prometheus || finish

# promql NAME QUERY: saves the answer's data.result as $WORK/q/NAME.json;
# fails unless the query succeeded with at least one series.
mkdir -p "$WORK/q"
promql() {
	curl -sf -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$2" |
		node -e '
			let s = "";
			process.stdin.on("data", (c) => (s += c)).on("end", () => {
				const d = JSON.parse(s);
				if (d.status !== "success" || !d.data.result.length) process.exit(1);
				require("fs").writeFileSync(process.argv[1], JSON.stringify(d.data.result));
			});' "$WORK/q/$1.json"
}
# dashboard_query ID PID: the query of deploy/grafana's panel ID as Grafana
# sends it for one process over the last minute.
dashboard_query() {
	node -e '
		const d = require(process.argv[1]);
		const p = d.panels.find((p) => p.id === Number(process.argv[2]));
		if (p.type !== "promfiler-flamegraph-panel") process.exit(1);
		console.log(p.targets[0].expr.replace(/\$(node|pod)\b/g, ".*").replace(/\$pid\b/g, process.argv[3])
			.replace(/\$__range/g, "1m"));' "$ROOT/deploy/grafana/promfiler-dashboard.json" "$1" "$2"
}
# The dashboard's flame graph of the range (panel 1) and "now" (panel 6).
counter() { dashboard_query 1 "$1"; }
gauge() { dashboard_query 6 "$1"; }
# has NAME FUNCTION: a signature of $WORK/q/NAME.json ends in FUNCTION.
has() {
	node -e 'process.exit(require(process.argv[1]).some((s) => s.metric.signature.endsWith("#" + process.argv[2])) ? 0 : 1)' \
		"$WORK/q/$1.json" "$2"
}
# top NAME: the leaf frame of the heaviest signature in $WORK/q/NAME.json.
top() {
	node -e 'const r = require(process.argv[1]);
		r.sort((a, b) => b.value[1] - a.value[1]);
		console.log(r[0].metric.signature.split("#").pop());' "$WORK/q/$1.json"
}
# Both functions of both processes: increase() needs two scrapes of a
# series, so a function first sampled a moment ago is not there yet.
ready() {
	promql counter "$(counter "$HOT")" && [ "$(top counter)" = hotFunction ] && has counter warmFunction &&
		promql changed "$(counter "$CHANGED")" && [ "$(top changed)" = warmFunction ] && has changed hotFunction &&
		promql gauge "$(gauge "$HOT")" && [ "$(top gauge)" = hotFunction ]
}
check "the dashboard's flame graph panels use the plugin: $(counter "$HOT")" [ -n "$(counter "$HOT")" -a -n "$(gauge "$HOT")" ]
if ! check "Prometheus has both processes' counters (hot.js: hotFunction on top, hot.js changed: warmFunction) and hot.js's gauge" \
	wait_for "both processes' counters" 60 ready; then
	for q in counter changed gauge; do [ -f "$WORK/q/$q.json" ] && echo "# top of $q: $(top $q)"; done
	finish
fi
echo "# series: counter $(node -p "require('$WORK/q/counter.json').length"), gauge $(node -p "require('$WORK/q/gauge.json').length" 2>/dev/null)"
node -e '
	const q = (n) => require(process.argv[1] + "/" + n + ".json");
	const out = { counter: q("counter"), gauge: q("gauge"), before: q("counter"), after: q("changed") };
	require("fs").writeFileSync(process.argv[1] + "/all.json", JSON.stringify(out));' "$WORK/q"

mkdir -p "$ARTIFACTS" && cp "$WORK/q/all.json" "$ARTIFACTS/panel-queries.json"
node "$PANEL/tests/browser/check_panel.cjs" "$WORK/q/all.json" "$ARTIFACTS" || FAILURES=$((FAILURES + 1))

# The same in the host Grafana 13.2 gives a plugin: @grafana/ui and
# @grafana/data 13.2.3, React 19 (tests/browser/react19/, its own lock file;
# npm ci again only when that changes).
R19=$PANEL/tests/browser/react19
if [ "$R19/node_modules/.package-lock.json" -nt "$R19/package-lock.json" ] ||
	(cd "$R19" && npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm19.log" 2>&1; then
	if (cd "$PANEL" && node build.mjs --browser react19) >"$WORK/host19.log" 2>&1; then
		node "$PANEL/tests/browser/check_panel.cjs" "$WORK/q/all.json" "$ARTIFACTS" react19 || FAILURES=$((FAILURES + 1))
	else
		not_ok "the React 19 test page builds"
		sed 's/^/#   /' "$WORK/host19.log" | tail -20
	fi
else
	not_ok "npm ci of the React 19 test host (tests/browser/react19)"
	sed 's/^/#   /' "$WORK/npm19.log" | tail -20
fi
finish
