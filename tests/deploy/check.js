// SPDX-License-Identifier: MIT
// Offline checks of deploy/ for tests/integration/test_deploy.sh: Kubernetes
// manifests validated against the Kubernetes schema (kubernetes-models) and
// the fields that matter asserted one by one (schema validation accepts
// unknown fields, so a misspelt field is caught here), the plain Prometheus
// config's relabeling run on made-up discovered pods, and the Dockerfile
// compared with scripts/install-deps.sh, the Makefile and the binary's
// libraries. Prints one house line per check ("ok - ", "not ok - ",
// "skip - "); exits 1 when a check failed.
//   node check.js ROOT OUT_DIR
// Environment: RUNTIME_PKGS = Debian packages of the libraries that
// ./promfiler-bpf links directly ("" when it is not built: skipped).
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const { DaemonSet } = require('kubernetes-models/apps/v1/DaemonSet');
const { Namespace } = require('kubernetes-models/v1/Namespace');
const { Service } = require('kubernetes-models/v1/Service');
const { ServiceAccount } = require('kubernetes-models/v1/ServiceAccount');
const { PodMonitor } = require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor');

const [root, outDir] = process.argv.slice(2);
const deploy = path.join(root, 'deploy');
let failures = 0;

function check(desc, fn) {
	let ok = false;
	let why = '';
	try {
		const r = fn();
		ok = r === undefined || r === true;
		if (!ok && typeof r === 'string') why = r;
	} catch (e) {
		why = e.message.split('\n')[0];
	}
	if (ok) {
		console.log(`ok - ${desc}`);
	} else {
		console.log(`not ok - ${desc}${why ? ` (${why})` : ''}`);
		failures++;
	}
}
const read = (p) => fs.readFileSync(path.join(root, p), 'utf8');
const load = (p) => yaml.load(read(p));
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sameSet = (a, b) => eq([...new Set(a)].sort(), [...new Set(b)].sort());
// Kubernetes quantities, enough for cpu and memory ("50m", "64Mi", "1").
function quantity(q) {
	const m = /^([0-9.]+)(m|Ki|Mi|Gi|k|M|G)?$/.exec(String(q));
	if (!m) throw new Error(`bad quantity ${q}`);
	const mult = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
	return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

// --- Kubernetes manifests ---------------------------------------------------
const ds = load('deploy/kubernetes/daemonset.yaml');
const pod = ds.spec.template.spec;
const c = pod.containers[0];
const sc = c.securityContext || {};
const podLabels = ds.spec.template.metadata.labels;
const matches = (sel) => Object.entries(sel).every(([k, v]) => podLabels[k] === v);

check('daemonset.yaml validates against the Kubernetes schema', () => new DaemonSet(ds).validate());
check('daemonset: in namespace promfiler', () => ds.metadata.namespace === 'promfiler');
check('daemonset: selector matches the pod template', () => matches(ds.spec.selector.matchLabels));
check('daemonset: hostPID is true', () => pod.hostPID === true);
check('daemonset: no host network, no hostPath volume', () =>
	!pod.hostNetwork && !(pod.volumes || []).some((v) => v.hostPath));
check('daemonset: one container, image promfiler-bpf:0.1.0', () =>
	pod.containers.length === 1 && c.image === 'promfiler-bpf:0.1.0');
check('daemonset: args are --comm node', () => eq(c.args.slice(0, 2), ['--comm', 'node']));
check('daemonset: not privileged, no privilege escalation', () =>
	sc.privileged !== true && sc.allowPrivilegeEscalation === false);
check('daemonset: capabilities add BPF, PERFMON, SYS_PTRACE and drop ALL', () =>
	['BPF', 'PERFMON', 'SYS_PTRACE'].every((k) => sc.capabilities.add.includes(k)) &&
	eq(sc.capabilities.drop, ['ALL']));
check('daemonset: no SYS_ADMIN (CAP_BPF + CAP_PERFMON are enough on Linux >= 5.8)', () =>
	!sc.capabilities.add.some((k) => /SYS_ADMIN/.test(k)));
check('daemonset: readOnlyRootFilesystem', () => sc.readOnlyRootFilesystem === true);
check('daemonset: runs as root (runAsUser 0)', () => sc.runAsUser === 0 && sc.runAsNonRoot !== true);
check('daemonset: cpu and memory requests and limits set, requests <= limits', () => {
	const r = c.resources;
	return ['cpu', 'memory'].every((k) =>
		r.requests[k] && r.limits[k] && quantity(r.requests[k]) <= quantity(r.limits[k]));
});
check('daemonset: port 9142 named metrics', () =>
	c.ports.some((p) => p.name === 'metrics' && p.containerPort === 9142 && (p.protocol || 'TCP') === 'TCP'));
for (const probe of ['livenessProbe', 'readinessProbe']) {
	check(`daemonset: ${probe} is GET /healthz on the metrics port`, () => {
		const g = c[probe].httpGet;
		return g.path === '/healthz' && (g.port === 'metrics' || g.port === 9142);
	});
}

const sa = load('deploy/kubernetes/serviceaccount.yaml');
check('serviceaccount.yaml validates', () => new ServiceAccount(sa).validate());
check('serviceaccount: the daemonset uses it, and it mounts no token', () =>
	pod.serviceAccountName === sa.metadata.name && sa.metadata.namespace === 'promfiler' &&
	sa.automountServiceAccountToken === false && pod.automountServiceAccountToken === false);

const ns = load('deploy/kubernetes/namespace.yaml');
check('namespace.yaml validates; promfiler at pod-security level privileged', () => {
	new Namespace(ns).validate();
	return ns.metadata.name === 'promfiler' &&
		ns.metadata.labels['pod-security.kubernetes.io/enforce'] === 'privileged';
});

const svc = load('deploy/kubernetes/service.yaml');
check('service.yaml validates', () => new Service(svc).validate());
check('service: headless, port metrics 9142, selects the agent pods', () =>
	svc.spec.clusterIP === 'None' && svc.metadata.namespace === 'promfiler' &&
	svc.spec.ports.some((p) => p.name === 'metrics' && p.port === 9142) && matches(svc.spec.selector));

const pm = load('deploy/kubernetes/podmonitor.yaml');
const ep = pm.spec.podMetricsEndpoints[0];
check('podmonitor.yaml validates against the Prometheus Operator schema', () => new PodMonitor(pm).validate());
check('podmonitor: selects the agent pods in promfiler, port metrics, /metrics', () =>
	matches(pm.spec.selector.matchLabels) && pm.spec.namespaceSelector.matchNames.includes('promfiler') &&
	ep.port === 'metrics' && (ep.path || '/metrics') === '/metrics');
check('podmonitor: node and instance from __meta_kubernetes_pod_node_name', () =>
	['node', 'instance'].every((t) => ep.relabelings.some((r) =>
		r.targetLabel === t && eq(r.sourceLabels, ['__meta_kubernetes_pod_node_name']))));
check('podmonitor: the agent\'s namespace and pod labels are given back (exported_*)', () =>
	['namespace', 'pod'].every((t) => ep.metricRelabelings.some((r) =>
		r.targetLabel === t && eq(r.sourceLabels, [`exported_${t}`]))));

const kust = load('deploy/kubernetes/kustomization.yaml');
check('kustomization lists every manifest but the PodMonitor, namespace first', () => {
	const all = fs.readdirSync(path.join(deploy, 'kubernetes'))
		.filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && f !== 'podmonitor.yaml');
	return sameSet(kust.resources, all) && kust.resources[0] === 'namespace.yaml';
});

// --- Prometheus scrape config ------------------------------------------------
// Prometheus's relabeling (relabel_configs), enough for these rules.
function relabel(labels, rules) {
	const l = { ...labels };
	for (const r of rules) {
		const action = r.action || 'replace';
		const re = new RegExp(`^(?:${r.regex === undefined ? '(.*)' : r.regex})$`);
		const value = (r.source_labels || []).map((s) => l[s] || '').join(r.separator || ';');
		if (action === 'keep' && !re.test(value)) return null;
		if (action === 'drop' && re.test(value)) return null;
		if (action === 'labeldrop') for (const k of Object.keys(l)) if (re.test(k)) delete l[k];
		if (action === 'replace') {
			const m = re.exec(value);
			if (!m) continue;
			const v = (r.replacement === undefined ? '$1' : r.replacement)
				.replace(/\$\{?(\d+)\}?/g, (_, i) => m[i] || '');
			if (v === '') delete l[r.target_label];
			else l[r.target_label] = v;
		}
	}
	for (const k of Object.keys(l)) if (k.startsWith('__') && k !== '__address__') delete l[k];
	if (!l.instance) l.instance = l.__address__;
	delete l.__address__;
	return l;
}

const prom = load('deploy/prometheus/prometheus.yml');
const job = prom.scrape_configs.find((j) => j.job_name === 'promfiler-bpf');
check('prometheus.yml: job promfiler-bpf discovers pods (kubernetes_sd role pod) in promfiler', () =>
	job.kubernetes_sd_configs[0].role === 'pod' &&
	job.kubernetes_sd_configs[0].namespaces.names.includes('promfiler'));
check('prometheus.yml: rule_files loads recording-rules.yml beside it', () =>
	prom.rule_files.includes('recording-rules.yml') &&
	fs.existsSync(path.join(deploy, 'prometheus', 'recording-rules.yml')));
// Pods as kubernetes_sd role pod describes them, one per declared port.
const discovered = (over) => ({
	job: 'promfiler-bpf',
	__address__: '10.0.0.5:9142',
	__meta_kubernetes_namespace: 'promfiler',
	__meta_kubernetes_pod_name: 'promfiler-bpf-x7k2p',
	__meta_kubernetes_pod_label_app_kubernetes_io_name: 'promfiler-bpf',
	__meta_kubernetes_pod_container_port_name: 'metrics',
	__meta_kubernetes_pod_phase: 'Running',
	__meta_kubernetes_pod_node_name: 'node-a',
	...over,
});
const rules = job.relabel_configs;
check('relabeling keeps a running agent pod\'s metrics port, as node=instance=<node>', () => {
	const t = relabel(discovered({}), rules);
	return eq(t, { job: 'promfiler-bpf', node: 'node-a', instance: 'node-a' }) || JSON.stringify(t);
});
check('relabeling drops other apps\' pods', () =>
	relabel(discovered({ __meta_kubernetes_pod_label_app_kubernetes_io_name: 'shop' }), rules) === null);
check('relabeling drops the agent\'s other ports', () =>
	relabel(discovered({ __meta_kubernetes_pod_container_port_name: 'debug' }), rules) === null);
check('relabeling drops pods not running (Pending, Succeeded, Failed)', () =>
	['Pending', 'Succeeded', 'Failed'].every((p) =>
		relabel(discovered({ __meta_kubernetes_pod_phase: p }), rules) === null));
check('relabeling sets no namespace or pod label (those name the profiled process)', () =>
	rules.every((r) => !['namespace', 'pod'].includes(r.target_label)));
// The same job with static targets, for promtool check config (Debian's
// Prometheus is built without Kubernetes discovery).
{
	const copy = JSON.parse(JSON.stringify(prom));
	const j = copy.scrape_configs.find((x) => x.job_name === 'promfiler-bpf');
	delete j.kubernetes_sd_configs;
	j.static_configs = [{ targets: ['127.0.0.1:9142'] }];
	fs.writeFileSync(path.join(outDir, 'prometheus-static.yml'), yaml.dump(copy));
}

// --- Dockerfile ----------------------------------------------------------------
// Instructions, with continuation lines joined and comments dropped.
const instructions = read('deploy/docker/Dockerfile')
	.replace(/\\\n/g, ' ')
	.split('\n')
	.filter((l) => l.trim() && !/^\s*#/.test(l))
	.map((l) => l.trim().replace(/\s+/g, ' '));
const stages = [];
for (const ins of instructions) {
	if (/^FROM /i.test(ins)) stages.push({ from: ins, ins: [] });
	else if (stages.length) stages[stages.length - 1].ins.push(ins);
}
const aptPackages = (stage) => stage.ins.filter((i) => /^RUN /.test(i))
	.flatMap((i) => i.split(/&&|;/))
	.filter((cmd) => /apt-get install/.test(cmd))
	.flatMap((cmd) => cmd.split(' ').slice(cmd.split(' ').indexOf('install') + 1))
	.filter((w) => w && !w.startsWith('-'));
// install-deps.sh's packages=( ... ): the lines before the first one whose
// comment names tests are the build part.
function installDepsBuildPackages() {
	const m = /\npackages=\(\n([\s\S]*?)\n\)/.exec(read('scripts/install-deps.sh'));
	if (!m) throw new Error('no packages=( ... ) in scripts/install-deps.sh');
	const build = [];
	for (const line of m[1].split('\n')) {
		const [words, comment = ''] = line.split('#');
		if (/test/.test(comment)) break;
		build.push(...words.trim().split(/\s+/).filter(Boolean));
	}
	return build;
}
check('Dockerfile: build stage on debian:bookworm, runtime on debian:bookworm-slim', () =>
	stages.length === 2 && /^FROM debian:bookworm AS \w+$/i.test(stages[0].from) &&
	/^FROM debian:bookworm-slim$/i.test(stages[1].from));
check('Dockerfile: build stage installs the build packages of scripts/install-deps.sh', () => {
	const want = installDepsBuildPackages();
	const got = aptPackages(stages[0]);
	return sameSet(got, want) || `Dockerfile: ${got.join(' ')}; install-deps.sh: ${want.join(' ')}`;
});
check('Dockerfile: build stage runs the make target the tests build', () => {
	const makes = stages[0].ins.filter((i) => /^RUN (.* )?make( |$)/.test(i));
	const target = makes.length === 1 && makes[0].replace(/^RUN (.* )?make ?/, '').split(' ')
		.filter((w) => w && !w.startsWith('-') && !w.includes('='))[0];
	// Makefile: `integration: <targets>` and `test: ... <targets>`.
	const mk = read('Makefile');
	const prereq = (t) => ((new RegExp(`^${t}:([^\\n=]*)$`, 'm').exec(mk) || [])[1] || '').trim().split(/\s+/);
	const defaultGoal = /^(\w[\w-]*):/m.exec(mk)[1];
	const built = target || defaultGoal;
	const closure = built === defaultGoal ? [built, ...prereq(built)] : [built];
	return (closure.some((t) => prereq('integration').includes(t)) &&
		closure.some((t) => prereq('test').includes(t))) || `make ${built}`;
});
check('Dockerfile: runtime copies that binary to /usr/local/bin/promfiler-bpf', () =>
	stages[1].ins.some((i) => /^COPY --from=\S+ \S*\/promfiler-bpf \/usr\/local\/bin\/promfiler-bpf$/.test(i)));
check('Dockerfile: ENTRYPOINT ["/usr/local/bin/promfiler-bpf"], CMD ["--comm","node"]', () => {
	const get = (k) => JSON.parse(stages[1].ins.find((i) => i.startsWith(`${k} `)).slice(k.length + 1));
	return eq(get('ENTRYPOINT'), ['/usr/local/bin/promfiler-bpf']) && eq(get('CMD'), ['--comm', 'node']);
});
check('Dockerfile: runtime exposes 9142', () => stages[1].ins.includes('EXPOSE 9142'));
if (process.env.RUNTIME_PKGS) {
	check('Dockerfile: runtime installs exactly the packages of the libraries the binary links', () => {
		// libc6 is in every Debian image.
		const want = process.env.RUNTIME_PKGS.split(/\s+/).filter((p) => p && p !== 'libc6');
		const got = aptPackages(stages[1]);
		return sameSet(got, want) || `Dockerfile: ${got.join(' ')}; binary: ${want.join(' ')}`;
	});
} else {
	console.log('skip - Dockerfile runtime libraries: ./promfiler-bpf is not built (run make)');
}
check('Dockerfile.dockerignore keeps build outputs out of the context', () => {
	const ign = read('deploy/docker/Dockerfile.dockerignore').split('\n');
	return ['.output', 'promfiler-bpf'].every((p) => ign.includes(p));
});

// --- Grafana dashboard ---------------------------------------------------------
const dash = JSON.parse(read('deploy/grafana/promfiler-dashboard.json'));
// The flame graphs are promfiler-flamegraph-panel panels (grafana-panel/):
// the counter's increase over the range, the gauge now, and a diff whose
// second query is the first one offset.
const flames = dash.panels.filter((x) => x.type === 'promfiler-flamegraph-panel');
const instant = (t, re) => t && t.instant === true && re.test(t.expr);
check('dashboard: a flame graph of the counter over the range (instant increase by signature)', () =>
	flames.some((p) => !p.options.compare && instant(p.targets[0],
		/^sum by \(signature\) \(increase\(promfiler_cpu_seconds_total\{.*pid=~"\$pid".*\}\[\$__range\]\)\)$/)));
check('dashboard: a flame graph now, from the gauge promfiler_cpu_profile', () =>
	flames.some((p) => !p.options.compare && instant(p.targets[0],
		/^sum by \(signature\) \(promfiler_cpu_profile\{.*pid=~"\$pid".*\}\)$/)));
check('dashboard: a diff flame graph whose baseline is the same query offset', () =>
	flames.some((p) => {
		const a = p.targets.find((t) => t.refId !== p.options.baselineRefId);
		const b = p.targets.find((t) => t.refId === p.options.baselineRefId);
		return p.options.compare && a && b && instant(b, /offset \$offset\)\)$/) &&
			b.expr.replace(/ offset \$offset/, '') === a.expr;
	}));
check('dashboard: template variables pid and pod from label_values', () =>
	['pid', 'pod'].every((v) => {
		const x = dash.templating.list.find((t) => t.name === v);
		return x && /^label_values\(promfiler_cpu_profile.*, ?\w+\)$/.test(x.query.query || x.query);
	}));
process.exit(failures ? 1 : 0);
