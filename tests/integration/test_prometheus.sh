#!/bin/bash
# SPDX-License-Identifier: MIT
# The agent as Prometheus sees it: Debian's prometheus, on loopback with a
# generated config (1 s scrapes, storage in the test's temp dir), scrapes the
# agent profiling tests/fixtures/hot.js. Through Prometheus's HTTP API: the
# target is up with no scrape error, no sample is rejected, the counter's
# hottest signature over the last minute is hotFunction's, the gauges are
# stored, deploy/prometheus/recording-rules.yml evaluates to hotFunction on
# these series, and so do the queries of deploy/grafana's dashboard. A
# second job carries the target labels that the Prometheus Operator puts on
# a PodMonitor's targets (namespace, pod of the agent) and the metric
# relabeling of deploy/kubernetes/podmonitor.yaml: the agent's own namespace
# must not end up on the profiled process's series.
source "$(dirname "$0")/lib.sh"
require_root

if ! command -v prometheus >/dev/null; then
	not_ok "prometheus missing (scripts/install-deps.sh installs it)"
	finish
fi

# promql QUERY: Prometheus's answer to an instant query, as JSON.
promql() {
	curl -sf -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"
}
# js EXPR: evaluates EXPR on the JSON document on stdin (as d) and prints
# the result; fails when it throws or gives undefined, null or false.
js() {
	node -e '
		let s = "";
		process.stdin.on("data", (c) => (s += c)).on("end", () => {
			try {
				const d = JSON.parse(s);
				const v = new Function("d", "return (" + process.argv[1] + ")")(d);
				if (v === undefined || v === null || v === false) process.exit(1);
				if (v !== true) console.log(v);
			} catch (e) {
				process.exit(1);
			}
		});' "$1"
}
# query_js QUERY EXPR: js EXPR on the answer to QUERY.
query_js() { promql "$1" | js "$2"; }

start_node "$FIXTURES/hot.js"
check "agent starts with --pid" start_agent --pid "$NODE_PID" --window 2

mkdir -p "$WORK/prometheus"
cat > "$WORK/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $ROOT/deploy/prometheus/recording-rules.yml
scrape_configs:
  - job_name: promfiler
    static_configs:
      - targets: ['127.0.0.1:$PORT']
  # As a PodMonitor's target: the operator's labels, podmonitor.yaml's fix.
  - job_name: podmonitor
    static_configs:
      - targets: ['127.0.0.1:$PORT']
        labels: { namespace: promfiler, pod: promfiler-bpf-x7k2p, container: promfiler-bpf }
    metric_relabel_configs:
$(sed -n '/^ *metricRelabelings:/,/^ *# end metricRelabelings/p' "$ROOT/deploy/kubernetes/podmonitor.yaml" |
	node -e '
		// The PodMonitor fields in camelCase become the config file'"'"'s
		// snake_case; the list stays as it is.
		let s = "";
		process.stdin.on("data", (c) => (s += c)).on("end", () => {
			const lines = s.split("\n").slice(1).filter((l) => !/^\s*#/.test(l) && l.trim());
			const indent = Math.min(...lines.map((l) => l.match(/^ */)[0].length));
			for (const l of lines)
				console.log("      " + l.slice(indent)
					.replace("sourceLabels", "source_labels")
					.replace("targetLabel", "target_label"));
		});')
EOF
start_prometheus || finish
check "prometheus loaded the generated config and the recording rules" bash -c \
	"curl -sf http://127.0.0.1:$PROM_PORT/api/v1/rules | grep -q 'promfiler:cpu_seconds:rate5m'"

check "the agent's target is up (up == 1)" wait_for "up == 1" 30 \
	query_js 'up{job="promfiler"}' 'd.data.result.length === 1 && d.data.result[0].value[1] === "1"'

# Both jobs scrape the agent, each on its own schedule: a target not yet
# scraped is "unknown", so this waits for both to have been.
targets() { curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/targets?state=active"; }
both_healthy() {
	targets > "$WORK/targets.json" && js \
		'd.data.activeTargets.length === 2 && d.data.activeTargets.every((t) => t.health === "up" && t.lastError === "")' \
		< "$WORK/targets.json"
}
check "both jobs' targets are healthy with no scrape error" wait_for "both targets up" 30 both_healthy
health=$(js 'd.data.activeTargets.map((t) => t.labels.job + ":" + t.health + ":" + JSON.stringify(t.lastError)).join(" ")' < "$WORK/targets.json")
echo "# targets: $health"

# Let a few scrapes land, then ask which signature got the most CPU.
hot_sig() {
	query_js 'topk(1, sum by (signature) (increase(promfiler_cpu_seconds_total{job="promfiler"}[1m])))' \
		'd.data.result.length === 1 && d.data.result[0].metric.signature' > "$WORK/hot" &&
		glob "$(cat "$WORK/hot")" "*#hotFunction"
}
check "topk(1, increase(promfiler_cpu_seconds_total[1m])) is hotFunction" \
	wait_for "hotFunction on top" 40 hot_sig
echo "# top signature over 1m: $(cat "$WORK/hot")"

check "promfiler_cpu_profile series are stored (count > 0)" wait_for "gauges" 30 \
	query_js 'count(promfiler_cpu_profile{job="promfiler"})' 'Number(d.data.result[0].value[1]) > 0'
n=$(query_js 'count(promfiler_cpu_profile{job="promfiler"})' 'd.data.result[0].value[1]')
echo "# promfiler_cpu_profile series: $n"
check "the stored series carry the target's pid" \
	query_js "count(promfiler_cpu_profile{job=\"promfiler\",pid=\"$NODE_PID\",comm=\"node\"})" \
	'Number(d.data.result[0].value[1]) > 0'

# Prometheus rejects duplicate series and bad timestamps without failing the
# scrape: its own counters tell.
curl -sf "http://127.0.0.1:$PROM_PORT/metrics" > "$WORK/prom-self"
# "N S": how many of those counters Prometheus has, and their sum.
rejected=$(awk '/^prometheus_target_scrapes_(sample_duplicate_timestamp|sample_out_of_order|sample_out_of_bounds)_total / { n++; s += $2 }
	END { print n + 0, s + 0 }' "$WORK/prom-self")
echo "# rejection counters (count, sum): $rejected"
check "no sample rejected (duplicate, out of order, out of bounds)" [ "$rejected" = "3 0" ]

leaf() {
	query_js 'topk(1, promfiler:function_cpu_seconds:rate5m)' \
		'd.data.result.length === 1 && d.data.result[0].metric.function' > "$WORK/leaf" &&
		[ "$(cat "$WORK/leaf")" = hotFunction ]
}
check "recording rule promfiler:function_cpu_seconds:rate5m tops with hotFunction" \
	wait_for "leaf rule" 30 leaf
check "recording rule promfiler:cpu_seconds:rate5m has the hot signature" \
	wait_for "signature rule" 30 query_js \
	'topk(1, promfiler:cpu_seconds:rate5m)' \
	'/#hotFunction$/.test(d.data.result[0].metric.signature)'

# The Grafana dashboard's queries, with its variables at "All", its range
# at 1m and the diff's baseline 2 s back (its choices, 1h to 1w, are
# older than this Prometheus), as Grafana would send them.
node -e '
	const d = require(process.argv[1]);
	for (const p of d.panels)
		for (const t of p.targets)
			console.log(p.type + "\t" + t.expr.replace(/\$(node|pod|pid)\b/g, ".*")
				.replace(/\$__range|\$__rate_interval/g, "1m").replace(/\$offset\b/g, "2s"));
' "$ROOT/deploy/grafana/promfiler-dashboard.json" > "$WORK/dashboard-queries"
# A query over data a few seconds old (the diff's offset) answers once
# Prometheus holds two scrapes before it: each query is tried for 30 s.
answers() { promql "$1" | js 'd.status === "success" && d.data.result.length > 0' >/dev/null; }
bad=0
while IFS=$'\t' read -r panel expr; do
	if ! wait_for "dashboard query ($panel)" 30 answers "$expr" </dev/null; then
		echo "# dashboard query ($panel) failed or returned nothing: $expr"
		bad=$((bad + 1))
	fi
done < "$WORK/dashboard-queries"
check "every query of the Grafana dashboard runs and returns data ($(wc -l < "$WORK/dashboard-queries") queries)" [ "$bad" = 0 ]
top_fn=$(promql "$(awk -F'\t' '$1 == "bargauge" { print $2; exit }' "$WORK/dashboard-queries")" |
	js 'd.data.result.sort((a, b) => b.value[1] - a.value[1])[0].metric.function')
check "the dashboard's top-functions panel shows hotFunction first (got: $top_fn)" [ "$top_fn" = hotFunction ]

check "PodMonitor relabeling: the agent's own namespace and pod are not the process's" \
	wait_for "relabeled series" 30 query_js \
	"count(promfiler_cpu_seconds_total{job=\"podmonitor\",pid=\"$NODE_PID\",namespace=\"\",pod=\"\",exported_namespace=\"\",exported_pod=\"\"})" \
	'Number(d.data.result[0].value[1]) > 0'
check "PodMonitor relabeling leaves no series with the agent's namespace" \
	query_js 'count(promfiler_cpu_seconds_total{job="podmonitor",namespace="promfiler"}) or vector(0)' \
	'd.data.result[0].value[1] === "0"'
finish
