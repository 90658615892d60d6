// SPDX-License-Identifier: MIT
'use strict';
// Turns the JSON that scripts/bench/bench.js and the micro-benchmarks left in
// DIR into one Markdown report (stdout, and DIR/report.md): the machine, the
// command that reproduces it, and a table per measurement, each read against
// the goals of issue 8. Pure arithmetic over recorded counts: medians,
// distribution-free confidence intervals, shares of a CPU.
//   node report.js DIR
const fs = require('fs');
const path = require('path');
const L = require('./lib');

const dir = process.argv[2];
if (!dir) {
	console.error('usage: report.js DIR');
	process.exit(2);
}
const J = (f) => L.readJson(path.join(dir, f));
const out = [];
const p = (s = '') => out.push(s);
// The one table: headline figures, each with its goal when it has one.
const summary = [];
const S = (what, figure, goalText = '', verdict = '') => summary.push({ what, figure, goalText, verdict });

// Number formatting: significant figures, thousands separators for counts.
const fmt = (x, d = 3) => {
	if (!Number.isFinite(x))
		return 'n/a';
	if (x !== 0 && Math.abs(x) < 10 ** -(d - 1))
		return x.toPrecision(d - 1 > 0 ? d - 1 : 1);
	const v = Math.abs(x) >= 10 ** d ? Math.round(x) : Number(x.toPrecision(d));
	return v.toLocaleString('en-US', { maximumFractionDigits: 6 });
};
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
// Instructions, where callgrind did not run on this input: said so.
const irs = (x) => (Number.isFinite(x) ? int(x) : 'not counted');
const pct = (x, d = 2) => (Number.isFinite(x) ? `${fmt(x * 100, d)}%` : 'n/a');
const mib = (b) => (Number.isFinite(b) ? `${fmt(b / 1048576, 3)} MiB` : 'n/a');
const ms = (s) => (Number.isFinite(s) ? `${fmt(s * 1000, 3)} ms` : 'n/a');
const goal = (ok) => (ok === undefined || ok === null ? 'n/a' : ok ? '**met**' : '**missed**');

const machine = J('machine.json') || {};
const quick = machine.quick;
p('## Benchmarks');
p();
p(`Measured on ${machine.when || '?'}: ${machine.cpu || '?'}, ${machine.cores || '?'} cores, ` +
  `${machine.memory || '?'}, ${machine.os || '?'}, kernel ${machine.kernel || '?'}, ` +
  `${machine.virt ? 'virtualization ' + machine.virt + ' (systemd-detect-virt), ' : ''}load average ${machine.load || '?'} at the start ` +
  '(a shared, noisy VM: other jobs ran at the same time).');
p(`Node ${machine.node || '?'}, ${machine.perf || 'perf ?'}, ${machine.valgrind || 'valgrind ?'}, ` +
  `wrk ${machine.wrk || '?'}; ${machine.agent_version || 'promfiler-bpf ?'} (commit ${machine.commit || '?'}` +
  `${machine.dirty ? ', with uncommitted changes' : ''}).`);
p(`Reproduce: \`${machine.command || 'sudo make bench'}\` (as root; ${machine.elapsed ? `this run took ${machine.elapsed}` : ''}` +
  `${quick ? ', **quick mode: durations cut for a smoke run**' : ''}). Raw data: \`${machine.out || dir}\`.`);
p();
p('No figure below is an absolute time to be asserted: counts (BPF run time, instructions, CPU ' +
  'nanoseconds) come first, and times are medians on this machine, for scale.');
p();
const SUMMARY_AT = out.length;

// --- BPF -----------------------------------------------------------------
const bpf = J('bpf.json');
const bpfRows = [];
let filterNs = NaN, floorFilterNs = NaN;
if (bpf) {
	// Per 1-second interval: run time, runs and samples of the agent's
	// program and, read at the same moment, of the floor's.
	const deltas = (rows, pick = (x) => x) => rows.slice(1).map((x, i) => {
		const a = pick(x), b = pick(rows[i]);
		return a && b ? { ns: a.run_ns - b.run_ns, runs: a.runs - b.runs, samples: a.samples - b.samples } : null;
	});
	const floorOf = (x) => x.floor;
	filterNs = L.median(deltas(bpf.filter.rows).map((d) => d.ns / d.runs));
	floorFilterNs = L.median(deltas(bpf.filter.rows, floorOf).filter(Boolean).map((d) => d.ns / d.runs));
	// Runs that did not match the target cost what the filtered runs
	// cost: take them out, the rest is the samples' cost. An interval
	// where that leaves nothing (a few samples among many other runs, on
	// a loaded machine) says nothing: left out.
	const perSample = (d, f) => {
		const x = d && d.samples > 0 ? (d.ns - (d.runs - d.samples) * f) / d.samples : NaN;
		return x > 0 ? x : NaN;
	};
	const modes = [...new Set(bpf.configs.map((c) => c.mode || (c.kernel ? 'kernel' : 'v8')))];
	for (const stack of ['shallow', 'deep']) {
		for (const mode of modes) {
			const row = { stack, mode };
			for (const c of bpf.configs.filter((x) => x.stack === stack && (x.mode || (x.kernel ? 'kernel' : 'v8')) === mode)) {
				const d = deltas(c.rows), fd = c.rows[0] && c.rows[0].floor ? deltas(c.rows, floorOf) : [];
				const ours = d.map((x) => perSample(x, filterNs));
				const floor = fd.map((x) => perSample(x, floorFilterNs));
				const ratio = ours.map((x, i) => x / floor[i]).filter(Number.isFinite);
				row[c.hz] = {
					perSample: L.median(ours.filter(Number.isFinite)), ci: L.medianCI(ours),
					floor: L.median(floor.filter(Number.isFinite)),
					ratio: L.median(ratio), ratioCI: L.medianCI(ratio), n: ratio.length,
					samples: d.reduce((s, x) => s + (x ? x.samples : 0), 0),
				};
				row.frames = c.frames;
			}
			if (row[97] || row[997])
				bpfRows.push(row);
		}
	}
	const modeText = { v8: 'JS frames from V8 (default)', 'no-v8': '`--no-v8-names`', kernel: 'V8 + `--kernel`' };
	const ci = (x) => (x && x.ci && Number.isFinite(x.ci[0]) ? ` [${fmt(x.ci[0])}, ${fmt(x.ci[1])}]` : '');
	const rci = (x) => (x && x.ratioCI && Number.isFinite(x.ratioCI[0]) ? ` [${fmt(x.ratioCI[0])}, ${fmt(x.ratioCI[1])}]` : '');
	const ratio = (x) => (x && Number.isFinite(x.ratio) ? `**${fmt(x.ratio)}x**${rci(x)}` : 'n/a');
	const rx = (v) => (Number.isFinite(v) ? `${fmt(v)}x` : 'n/a');
	p('### 1. BPF program cost per sample, as a ratio to the floor (kernel.bpf_stats_enabled)');
	p();
	p('The program named `sample` runs on every cpu-clock tick of every CPU. Next to it, in the same run, ' +
	  'on the same process, runs the floor: `scripts/bench/floor.bpf.c`, a ' +
	  'minimal sampler of the bench\'s own that only looks the PID up, walks the user stack with ' +
	  '`bpf_get_stack` into per-CPU scratch and counts it in a hash map keyed by a hash of its frames ' +
	  '(emptied every second; the agent\'s drains keep what the buffer\'s last turn sampled), on ' +
	  'cpu-clock events of its own opened as the agent opens its, 3 Hz faster (at one frequency the ' +
	  'two timers keep one phase for a whole run, and the ' +
	  'program that fires just after the other finds a warm cache; 3 Hz apart, each follows the other ' +
	  'as often). Both programs\' own accounting (run_time_ns / run_cnt) is read at the same moment once ' +
	  'a second; runs for other processes only look the PID up and leave ' +
	  `(**${fmt(filterNs)} ns** per filtered run for the agent's program, ${fmt(floorFilterNs)} ns for the ` +
	  'floor\'s, medians), so the cost of a sample is the run time left after taking those out, divided ' +
	  'by the samples. The ratio is the agent\'s cost per sample over the floor\'s, per 1-second interval ' +
	  '(median, 95% interval of the median in brackets): both programs see the same machine at the same ' +
	  'moment, so the ratio holds where the absolute times drift with the load. Workload: ' +
	  '`workloads/cpu.js`, shallow (its own stack) and deep (`--depth 120`: 120 recursive JS frames, ' +
	  'cut by the kernel at 127). Share of a CPU = cost per sample x frequency, for a CPU that the ' +
	  'profiled process keeps busy.');
	p();
	p('| stack | naming | frames per sample | **ratio to the floor** at 97 Hz | at 997 Hz | ns per sample at 97 Hz (floor) | at 997 Hz (floor) | share of one CPU at 97 / 997 Hz |');
	p('|---|---|---|---|---|---|---|---|');
	for (const r of bpfRows) {
		const a = r[97] || {}, b = r[997] || {};
		p(`| ${r.stack} | ${modeText[r.mode] || r.mode} | ` +
		  `${fmt(r.frames && r.frames.mean)} (max ${r.frames ? r.frames.max : '?'}) | ` +
		  `${ratio(r[97])} | ${ratio(r[997])} | ` +
		  `${fmt(a.perSample)}${ci(a)} (${fmt(a.floor)}) | ${fmt(b.perSample)}${ci(b)} (${fmt(b.floor)}) | ` +
		  `${pct(a.perSample * 97 / 1e9, 2)} / ${pct(b.perSample * 997 / 1e9, 2)} |`);
	}
	p();
	const goals = { deep: 1.3, shallow: 1.15 };
	for (const r of bpfRows) {
		const worst = Math.max(...[97, 997].map((hz) => (r[hz] ? r[hz].ratio : NaN)));
		const g = r.mode === 'v8' ? goals[r.stack] : undefined;
		S(`BPF program, ${r.stack} stack (${fmt(r.frames && r.frames.mean)} frames), ${modeText[r.mode] || r.mode}`,
		  `${rx((r[97] || {}).ratio)} the floor at 97 Hz (${fmt((r[97] || {}).perSample / 1000)} µs per sample, ` +
		  `${pct((r[97] || {}).perSample * 97 / 1e9)} of a CPU); ${rx((r[997] || {}).ratio)} at 997 Hz ` +
		  `(${fmt((r[997] || {}).perSample / 1000)} µs)`,
		  g ? `<= ${g}x the floor` : '', g ? goal(Number.isFinite(worst) ? worst <= g : undefined) : '');
	}
	const v8rows = bpfRows.filter((r) => r.mode === 'v8');
	p('Goal: with every naming feature on, at most 1.3x the floor on deep stacks and 1.15x on shallow ones, ' +
	  'at both frequencies: ' + v8rows.map((r) => `${r.stack} ${goal([97, 997].every((hz) => r[hz] && r[hz].ratio <= goals[r.stack]))} ` +
	  `(${rx((r[97] || {}).ratio)}, ${rx((r[997] || {}).ratio)})`).join('; ') + '.');
	p();
}

// --- agent userspace: instructions ------------------------------------------
const cg = J('callgrind.json');
const microCg = J('micro-callgrind.json') || {};
const micro = (J('micro.json') || []);
const microOf = (bench, key, val) => micro.find((m) => m.bench === bench && (key ? m[key] === val : true));
// Instructions per unit of one callgrind run of the agent (callgrind.json,
// or callgrind-bare.json: targets without a perf map).
function agentInstr(cg) {
	const cgInstr = {};
	const f = (n) => cg.fns[n] || { incl: 0, calls: 0 };
	// Per frame: what on_sample calls once per frame (symbolizer__frame, or
	// a variant of it), less one-time ELF table loads inside it.
	const frameEdges = Object.entries(cg.edges || {}).filter(([k]) => /^(on_sample|name_frames) -> symbolizer__frame/.test(k));
	const frameIncl = frameEdges.reduce((s, [, v]) => s + v.incl, 0);
	const frames = frameEdges.reduce((s, [, v]) => s + v.calls, 0);
	const elf = f('elfsym_cache__get_fd');
	const refresh = f('perfmap__refresh');
	const drain = f('sampler__drain').incl || f('profiler__poll').incl;
	cgInstr.perFrame = (frameIncl - elf.incl) / frames;
	cgInstr.perSample = (drain - elf.incl - refresh.incl) / cg.samples_drained;
	cgInstr.perStack = (f('on_sample').incl - elf.incl - refresh.incl) / f('on_sample').calls;
	const series = cg.scrapes.reduce((s, x) => s + x.series, 0);
	const bytes = cg.scrapes.reduce((s, x) => s + x.bytes, 0);
	cgInstr.perSeries = f('profiler__render_metrics').incl / series;
	cgInstr.gzipPerByte = f('deflate').incl / bytes;
	cgInstr.gzipPerSeries = f('deflate').incl / series;
	cgInstr.elfPerFile = elf.calls ? elf.incl / elf.calls : NaN;
	cgInstr.perfMapPerByte = cg.perf_map_bytes ? refresh.incl / cg.perf_map_bytes : NaN;
	cgInstr.load = f('profiler__new').incl;
	// Inlined functions: one symbolizer__inlined call per JS frame named by
	// the perf map (most return at once: not optimized code).
	const inl = Object.entries(cg.edges || {}).filter(([k]) => /^(on_sample|name_frames) -> symbolizer__inlined$/.test(k))
		.reduce((s, [, v]) => ({ incl: s.incl + v.incl, calls: s.calls + v.calls }), { incl: 0, calls: 0 });
	cgInstr.perInlineLookup = inl.calls ? inl.incl / inl.calls : NaN;
	cgInstr.perInlinedFrame = cg.inlined_frames ? inl.incl / cg.inlined_frames : NaN;
	cgInstr.framesPerStack = frames / f('on_sample').calls;
	cgInstr.samplesPerStack = cg.samples_drained / f('on_sample').calls;
	// Without a perf map: finding the code object that holds a pc.
	const at = (cg.edges || {})['symbolizer__inlined -> v8code__inlined_at'] || { incl: 0, calls: 0 };
	cgInstr.perCodeFind = at.calls ? at.incl / at.calls : NaN;
	return { cgInstr, f, elf, refresh, frames, inl, series };
}
const cgBare = J('callgrind-bare.json');
const bare = cgBare ? agentInstr(cgBare).cgInstr : null;
let cgInstr = {};
if (cg) {
	const { cgInstr: ci, f, elf, frames, inl, series } = agentInstr(cg);
	cgInstr = ci;
	p('### 2. Agent userspace cost in instructions (valgrind --tool=callgrind: counted, not timed)');
	p();
	p(`The agent itself runs under callgrind (valgrind warns about BPF commands it does not know, but ` +
	  `the agent works) for ${fmt(cg.seconds)} s, profiling ${cg.targets} \`workloads/service.js\` processes ` +
	  `at ${cg.hz} Hz, scraped with gzip every 10 s. Inclusive instruction counts of its functions ` +
	  `divided by what they handled: ${int(cg.samples_drained)} samples drained in ${int(f('on_sample').calls)} ` +
	  `aggregated stacks (${fmt(cgInstr.samplesPerStack)} samples and ${fmt(cgInstr.framesPerStack)} frames ` +
	  `per stack), ${int(frames)} frames named, ${int(series)} series rendered. One-time work (reading ` +
	  'an ELF symbol table, a perf map\'s new bytes) is counted apart, since a long run pays it once.');
	p();
	S('Agent, instructions (callgrind)', `${int(cgInstr.perSample)} per drained sample, ${int(cgInstr.perFrame)} per ` +
	  `symbolized frame, ${int(cgInstr.perSeries)} per rendered series (+ ${int(cgInstr.gzipPerSeries)} gzip)`);
	p('| what | instructions |');
	p('|---|---|');
	p(`| per drained sample (drain, naming, tree; one-time loads apart) | ${int(cgInstr.perSample)} |`);
	p(`| per aggregated stack (one on_sample call) | ${int(cgInstr.perStack)} |`);
	p(`| per symbolized frame (symbolizer, name normalization, interning) | ${int(cgInstr.perFrame)} |`);
	p(`| per JS frame, looking for what V8 inlined there (symbolizer__inlined, ${int(inl.calls)} calls) | ${int(cgInstr.perInlineLookup)} |`);
	p(`| ... per inlined frame shown (${int(cg.inlined_frames)} sampled) | ${int(cgInstr.perInlinedFrame)} |`);
	if (bare) {
		p(`| targets with no flag (\`callgrind bare\`: JS named from V8's objects): per drained sample | ${int(bare.perSample)} |`);
		p(`| ... per symbolized frame | ${int(bare.perFrame)} |`);
		p(`| ... per JS frame, looking for what V8 inlined there (${int(cgBare.fns.symbolizer__inlined ? cgBare.fns.symbolizer__inlined.calls : 0)} calls) | ${int(bare.perInlineLookup)} |`);
		p(`| ... of which finding the code object that holds the pc (v8code__inlined_at) | ${int(bare.perCodeFind)} |`);
		p(`| ... per inlined frame shown (${int(cgBare.inlined_frames)} sampled, ${int(cgBare.inline_missing)} missing) | ${int(bare.perInlinedFrame)} |`);
	}
	p(`| per rendered series (\`/metrics\`: both profile families and self-metrics) | ${int(cgInstr.perSeries)} |`);
	p(`| gzip, per series / per byte of exposition | ${int(cgInstr.gzipPerSeries)} / ${fmt(cgInstr.gzipPerByte)} |`);
	p(`| once per ELF file: reading its symbol table (${int(elf.calls)} files) | ${int(cgInstr.elfPerFile)} |`);
	p(`| per perf map byte read | ${fmt(cgInstr.perfMapPerByte)} |`);
	p(`| once: start-up (load the BPF program, attach) | ${int(cgInstr.load)} |`);
	p();
}
if (micro.length) {
	if (!cg) {
		p('### 2. Agent userspace cost in instructions (valgrind --tool=callgrind: counted, not timed)');
		p();
	}
	p('The same modules on synthetic input (`scripts/bench/microbench.c`, linked with `src/*.o`), under ' +
	  'callgrind (instructions; on a smaller input where it says so, since per-unit counts do not depend ' +
	  'on the size) and timed: the median CPU time of ' + (microOf('render') || { seconds: [] }).seconds.length +
	  ' runs (the thread\'s CPU clock: on a shared machine, wall time also counts other processes\' turns):');
	p();
	p('| micro-benchmark | input | instructions | per unit | CPU time (median) | throughput |');
	p('|---|---|---|---|---|---|');
	const pm = microOf('perfmap');
	if (pm) {
		const ir = microCg['bench:perfmap'];
		const irBytes = microCg.perfmap_bytes || pm.bytes;
		p(`| perf map parse (perfmap__refresh until all read) | ${fmt(pm.bytes / 1048576)} MB, ${int(pm.lines)} lines ` +
		  `| ${int(ir)}${irBytes !== pm.bytes ? ` (on ${fmt(irBytes / 1048576)} MB)` : ''} ` +
		  `| ${fmt(ir / irBytes)} per byte, ${int(ir / (microCg.perfmap_lines || pm.lines))} per line ` +
		  `| ${ms(L.median(pm.seconds))} | ${fmt(pm.bytes / 1048576 / L.median(pm.seconds))} MB/s, ` +
		  `${fmt(pm.lines / L.median(pm.seconds) / 1e6)} M lines/s |`);
	}
	for (const kind of ['js', 'native', 'mix']) {
		const s = microOf('symbolize', 'kind', kind);
		if (!s)
			continue;
		const ir = microCg[`bench:symbolize:${kind}`];
		const n = microCg[`frames`] || s.frames;
		p(`| symbolize ${kind === 'js' ? 'JS frames (perf map)' : kind === 'native' ? 'native frames (ELF)' : 'mixed frames (3 JS : 1 native)'} ` +
		  `| ${int(s.frames)} frames | ${int(ir)}${n !== s.frames ? ` (on ${int(n)} frames)` : ''} | ${int(ir / n)} per frame | ${ms(L.median(s.seconds))} ` +
		  `| ${fmt(s.frames / L.median(s.seconds) / 1e6)} M frames/s |`);
	}
	for (const r of micro.filter((m) => m.bench === 'render')) {
		const z = micro.find((m) => m.bench === 'gzip' && m.series === r.series);
		const ir = microCg[`bench:render:${r.series}`], irz = microCg[`bench:gzip:${r.series}`];
		p(`| render_prom, ${int(r.series)} series | ${fmt(r.bytes / r.series)} bytes per series | ${irs(ir)} ` +
		  `| ${Number.isFinite(ir) ? int(ir / r.series) + ' per series' : '-'} | ${ms(L.median(r.seconds))} | ${fmt(r.bytes / 1048576 / L.median(r.seconds))} MB/s |`);
		if (z)
			p(`| gzip (level 1, as /metrics), ${int(r.series)} series | ${fmt(z.bytes / 1048576)} MB -> ${fmt(z.gzip_bytes / 1048576)} MB ` +
			  `| ${irs(irz)} | ${Number.isFinite(irz) ? fmt(irz / z.bytes) + ' per byte' : '-'} | ${ms(L.median(z.seconds))} | ${fmt(z.bytes / 1048576 / L.median(z.seconds))} MB/s |`);
	}
	p();
}

// --- agent CPU and RSS --------------------------------------------------------
const agents = J('agents.json');
let agent10 = null;
if (agents) {
	p(`### 3. Agent CPU and memory with 1, 10 and 50 Node targets at ${agents.hz} Hz`);
	p();
	const secs = agents.runs.length ? agents.runs[0].seconds : NaN;
	p(`Each target is \`workloads/service.js\` (300 generated functions calling each other along varied ` +
	  `paths: thousands of distinct stacks); the targets together ask for ${agents.total_duty} of a core ` +
	  `whatever their number (what they got on this machine is in the table), so the table shows the cost ` +
	  `of more processes, not of more CPU. The agent is ` +
	  `scraped with gzip every ${agents.scrape_every_s} s. Its CPU comes from /proc/PID/task/*/schedstat ` +
	  `(ns) over ${fmt(secs)} s after a ${agents.runs.length ? agents.runs[0].warm_s : '?'} s warm-up ` +
	  `(scaled down from an hour to keep \`make bench\` under 25 minutes; the per-hour figure is that rate ` +
	  'x 3600), its peak RSS is VmHWM.');
	p();
	p('| targets | their CPU (cores) | samples/s | agent CPU (share of one core) | CPU seconds per hour | CPU incl. start-up (s) | peak RSS | series | /metrics plain / gzip | scrape, wall time (loaded machine) |');
	p('|---|---|---|---|---|---|---|---|---|---|');
	for (const r of agents.runs) {
		const share = r.agent_cpu_ns / 1e9 / r.seconds;
		const last = r.scrapes[r.scrapes.length - 1] || {};
		const first = r.scrapes[0] || {};
		const rate = r.scrapes.length > 1 && first.t ? (last.samples - first.samples) /
			((last.t - first.t) / 1000) : NaN;
		if (r.targets === 10)
			agent10 = { share, rss: r.peak_rss };
		S(`Agent, ${r.targets} target${r.targets > 1 ? 's' : ''} at ${agents.hz} Hz`,
		  `${pct(share, 3)} of a core (${fmt(share * 3600)} CPU s per hour), peak RSS ${mib(r.peak_rss)}`,
		  r.targets === 10 ? '< 2% of a core, < 64 MiB' : '',
		  r.targets === 10 ? goal(share < 0.02 && r.peak_rss < 64 * 1048576) : '');
		p(`| ${r.targets} | ${fmt(r.targets_cpu_ns / 1e9 / r.seconds, 2)} | ${fmt(rate)} | ${pct(share, 3)} | ${fmt(share * 3600)} | ${fmt(r.agent_cpu_total_ns / 1e9)} in ${fmt(r.agent_age_s)} s ` +
		  `| ${mib(r.peak_rss)} | ${int(last.series)} | ${fmt(last.bytes / 1024)} KiB / ${fmt(last.gzip_bytes / 1024)} KiB | ${ms(L.median(r.scrapes.map((s) => s.ms)) / 1000)} |`);
	}
	p();
	if (agent10)
		p(`Goal: agent under 2% of one core and under 64 MiB RSS with 10 targets at 97 Hz: ` +
		  `${goal(agent10.share < 0.02 && agent10.rss < 64 * 1048576)} (${pct(agent10.share, 3)}, ${mib(agent10.rss)}).`);
	p();
}

// --- scrape and ingest ---------------------------------------------------------
if (micro.length) {
	p('### 4. Scrape and ingest');
	p();
	p('| what | size | CPU time (median) | rate |');
	p('|---|---|---|---|');
	for (const r of micro.filter((m) => m.bench === 'render')) {
		const z = micro.find((m) => m.bench === 'gzip' && m.series === r.series) || {};
		p(`| render /metrics, ${int(r.series)} series | ${fmt(r.bytes / 1048576)} MB plain, ${fmt(z.gzip_bytes / 1048576)} MB gzip ` +
		  `| ${ms(L.median(r.seconds))} render + ${ms(L.median(z.seconds))} gzip | ${fmt(r.series / L.median(r.seconds) / 1e6)} M series/s |`);
	}
	const pm = microOf('perfmap');
	if (pm)
		p(`| perf map read | ${fmt(pm.bytes / 1048576)} MB, ${int(pm.lines)} lines | ${ms(L.median(pm.seconds))} | ${fmt(pm.bytes / 1048576 / L.median(pm.seconds))} MB/s |`);
	for (const kind of ['js', 'native', 'mix']) {
		const s = microOf('symbolize', 'kind', kind);
		if (s)
			p(`| symbolize, ${kind} frames | ${int(s.frames)} frames | ${ms(L.median(s.seconds))} | ${fmt(s.frames / L.median(s.seconds) / 1e6)} M frames/s |`);
	}
	p();
	for (const r of micro.filter((m) => m.bench === 'render')) {
		const z = micro.find((m) => m.bench === 'gzip' && m.series === r.series) || {};
		const irr = microCg[`bench:render:${r.series}`];
		S(`Render /metrics, ${int(r.series)} series`, `${ms(L.median(r.seconds))} CPU${Number.isFinite(irr) ? ` (${int(irr)} instructions)` : ''}, ` +
		  `${fmt(r.bytes / 1048576)} MB plain, ${fmt(z.gzip_bytes / 1048576)} MB gzip (+ ${ms(L.median(z.seconds))})`,
		  r.series === 10000 ? '< 50 ms' : '', r.series === 10000 ? goal(L.median(r.seconds) < 0.05) : '');
	}
	if (pm)
		S('Perf map read', `${fmt(pm.bytes / 1048576 / L.median(pm.seconds))} MB/s (${fmt(pm.bytes / 1048576)} MB map)`);
	const sm = microOf('symbolize', 'kind', 'mix');
	if (sm)
		S('Symbolization', `${fmt(sm.frames / L.median(sm.seconds) / 1e6)} M frames/s (3 JS : 1 native)`);
	const r10 = micro.find((m) => m.bench === 'render' && m.series === 10000);
	if (r10)
		p(`Goal: 10k series rendered in under 50 ms: ${goal(L.median(r10.seconds) < 0.05)} (${ms(L.median(r10.seconds))}; ` +
		  `${int(microCg['bench:render:10000'])} instructions).`);
	p();
}

// --- side by side ---------------------------------------------------------------
const workloads = ['cpu', 'http', 'jit'].map((w) => J(`sidebyside-${w}.json`)).filter(Boolean);
const v8t = J('v8thread.json');
const flags = {};
for (const w of ['cpu', 'http', 'jit']) {
	const f = J(`flags-${w}.json`);
	if (!f)
		continue;
	const ratios = f.pairs.filter((x) => x.plain && x.flags && x.plain.work && x.flags.work)
		.map((x) => (x.flags.cpu_us / x.flags.work) / (x.plain.cpu_us / x.plain.work));
	flags[w] = { median: L.median(ratios), n: ratios.length, ratios };
}
const NAMES = {
	bpf97: 'promfiler-bpf, 97 Hz', bpf997: 'promfiler-bpf, 997 Hz', v8: 'V8 in-process profiler, 1000 µs',
	perf97: '`perf record -g`, 97 Hz', perf997: '`perf record -g`, 997 Hz',
};
const WNAMES = { cpu: 'CPU-bound JS (`cpu.js`)', http: 'HTTP server under wrk (`http.js`)', jit: 'JIT churn (`jit.js`)' };
const totals = {};
if (workloads.length) {
	p('### 5. Side by side: what each profiler costs the profiled process');
	p();
	p('One long run per workload; each profiler in turn is switched on for a block of ' +
	  `${workloads[0].on_ms / 1000} s (promfiler-bpf: ${(workloads[0].bpf_on_ms || workloads[0].on_ms) / 1000} s, its own CPU ` +
	  'counted from the end of its first drain, which reads the whole perf map and ELF symbol tables: start-up) ' +
	  `between blocks of ${workloads[0].off_ms / 1000} s with no profiler ` +
	  '(promfiler-bpf: the agent started, then stopped; V8: the inspector\'s Profiler.start/stop at a ' +
	  '1000 µs interval, the CpuProfiler `node --cpu-prof` drives; perf: one `perf record -e cpu-clock -g ' +
	  '-p PID` per frequency, enabled and disabled through `--control`). The workload reports the work ' +
	  'it did every 500 ms with the CPU its process used (every thread, so V8\'s profiler thread counts); ' +
	  'each on block\'s CPU per unit of work is divided by that of the off blocks on either side. ' +
	  '**Overhead** = median of those ratios - 1, with its 95% interval (sign-test order statistics); ' +
	  '"within noise" when the interval holds 0. **Own CPU** = the profiler\'s own process (agent, ' +
	  'perf) or thread (V8\'s `v8:ProfEvntProc`) while on, as a share of the profiled process\'s CPU. ' +
	  '**Total** = overhead + own CPU for the out-of-process profilers (V8\'s thread is already in its ' +
	  'overhead).');
	p();
	p('| workload | profiler | blocks | overhead on the process [95% CI] | own CPU | total | promfiler-bpf by accounting: BPF + agent |');
	p('|---|---|---|---|---|---|---|');
	for (const r of workloads) {
		const byBlock = (b) => r.intervals.filter((iv) => iv.t0 >= b.t0 && iv.t1 <= b.t1);
		const cost = (ivs) => {
			const work = ivs.reduce((s, x) => s + x.work, 0);
			return work ? ivs.reduce((s, x) => s + x.cpu_us, 0) / work : NaN;
		};
		totals[r.workload] = {};
		for (const c of r.configs) {
			const ratios = [];
			let ownNs = 0, targetNs = 0, bpfNs = 0, bpfSamples = 0;
			r.blocks.forEach((b, i) => {
				if (b.state !== 'on' || b.config !== c)
					return;
				const before = r.blocks.slice(0, i).reverse().find((x) => x.state === 'off');
				const after = r.blocks.slice(i + 1).find((x) => x.state === 'off');
				const off = [...(before ? byBlock(before) : []), ...(after ? byBlock(after) : [])];
				const on = byBlock(b);
				if (on.length && off.length)
					ratios.push(cost(on) / cost(off));
				ownNs += b.own_ns;
				targetNs += b.target_ns - (c === 'v8' ? b.own_ns : 0);
				if (b.bpf && Number.isFinite(b.bpf.run_ns)) {
					// Runs for other processes (filtered) are not the target's.
					bpfNs += b.bpf.run_ns - (b.bpf.runs - b.bpf.samples) * (Number.isFinite(filterNs) ? filterNs : 0);
					bpfSamples += b.bpf.samples;
				}
			});
			const med = L.median(ratios) - 1;
			const ci = L.medianCI(ratios).map((x) => x - 1);
			const noise = Number.isFinite(ci[0]) ? ci[0] <= 0 && ci[1] >= 0 : true;
			const ownShare = ownNs / targetNs;
			const total = c === 'v8' ? med : med + ownShare;
			const extra = c === 'v8' ? 0 : ownShare; // added to the overhead's interval
			const bpfShare = bpfSamples ? bpfNs / targetNs : NaN;
			totals[r.workload][c] = { med, ci, ownShare, total, noise, n: ratios.length,
				lo: ci[0] + extra, hi: ci[1] + extra, bpfShare, bpfPerSample: bpfNs / bpfSamples,
				accounted: bpfShare + ownShare };
			p(`| ${WNAMES[r.workload]} | ${NAMES[c]} | ${ratios.length} | ${pct(med, 2)} ` +
			  `[${pct(ci[0], 2)}, ${pct(ci[1], 2)}]${noise ? ' within noise' : ''} | ${pct(ownShare, 2)} | ${pct(total, 2)} | ` +
			  (c.startsWith('bpf') ? `${pct(bpfShare, 2)} + ${pct(ownShare, 2)} = **${pct(bpfShare + ownShare, 2)}** ` +
			   `(${fmt(bpfNs / bpfSamples / 1000)} µs per sample)` : '') + ' |');
		}
	}
	p();
	p('The last column is exact where the others are statistical: the BPF program\'s run time for the ' +
	  'profiled process\'s samples (bpf_stats, runs for other processes taken out) plus the agent\'s CPU, ' +
	  'over the profiled process\'s CPU in the same span. It leaves out what no counter sees (the timer ' +
	  'interrupt around the program, caches), which the overhead column would show if it were above the noise.');
	p();
	if (v8t)
		S('V8 in-process profiler thread (`--cpu-prof-interval 1000`)', `${fmt(v8t.thread_cpu_ns / 1e9 / v8t.seconds * 1000)} ms CPU per second of profiling`);
	if (v8t)
		p(`V8's profiler thread alone (\`node --cpu-prof --cpu-prof-interval 1000\` on \`cpu.js\`, per-thread CPU ` +
		  `from /proc/PID/task/*/schedstat over ${fmt(v8t.seconds)} s): ${fmt(v8t.thread_cpu_ns / 1e9 / v8t.seconds * 1000)} ms ` +
		  `of CPU per second of profiling, ${pct(v8t.thread_cpu_ns / (v8t.process_cpu_ns - v8t.thread_cpu_ns), 2)} of the ` +
		  'process\'s other CPU; the signal-time stack capture in the main thread comes on top (it is in the overhead column).');
	p();
	if (Object.keys(flags).length) {
		p('Both promfiler-bpf and perf need Node started with `--perf-basic-prof --interpreted-frames-native-stack` ' +
		  'to name JS frames (the side-by-side runs use them throughout, so the table above leaves them out). ' +
		  'Their own cost, from whole runs with and without them, alternating (whole runs are noisier than ' +
		  'neighbouring blocks: with a handful of pairs, only a consistent sign says anything):');
		p();
		p('| workload | pairs | CPU per unit of work with the flags vs without: median | each pair |');
		p('|---|---|---|---|');
		for (const [w, f] of Object.entries(flags))
			p(`| ${WNAMES[w]} | ${f.n} | ${pct(f.median - 1, 2)} | ${f.ratios.map((x) => pct(x - 1, 2)).join(', ')} |`);
		p();
	}
	// Goal: at 997 Hz, below V8 at 1000 µs and below perf at 997 Hz.
	p('Goal: at 997 Hz, total cost below the in-process V8 profiler at 1000 µs and below `perf record -g` at 997 Hz:');
	p();
	for (const [w, t] of Object.entries(totals)) {
		const b = t.bpf997, v = t.v8, pf = t.perf997;
		if (!b)
			continue;
		// Below / above when the intervals do not overlap; else the medians
		// say which way it leans, and the verdict is "within noise".
		const cmp = (o) => (!o ? 0 : b.hi < o.lo ? -1 : b.lo > o.hi ? 1 : 0);
		const vs = (o, name) => {
			if (!o)
				return `${name}: n/a`;
			const c = cmp(o);
			const lean = b.total < o.total ? 'lower' : 'higher';
			return `${c < 0 ? 'below' : c > 0 ? 'above' : `within noise of (median ${lean} than)`} ${name} (${pct(o.total)})`;
		};
		const cs = [cmp(v), cmp(pf)];
		const verdict = cs.some((c) => c > 0) ? goal(false) : cs.every((c) => c < 0) ? goal(true) : '**within noise**';
		S(`Total cost at ~1 kHz (extra CPU per CPU-second of the profiled process), ${WNAMES[w]}`, ['bpf997', 'v8', 'perf997'].filter((c) => t[c])
			.map((c) => `${NAMES[c].replace(/`/g, '')} ${pct(t[c].total)}${t[c].noise ? '*' : ''}`).join('; ') +
			(Number.isFinite(b.accounted) ? ` (promfiler-bpf by accounting: ${pct(b.accounted)})` : ''),
		  'promfiler-bpf 997 Hz < V8 1000 µs and < perf 997 Hz', verdict);
		p(`- ${WNAMES[w]}: promfiler-bpf ${pct(b.total)} [${pct(b.lo)}, ${pct(b.hi)}] (by accounting ${pct(b.accounted)}) - ` +
		  `${vs(v, 'V8')}, ${vs(pf, 'perf')}: ${verdict}.`);
	}
	p();
}

const table = ['| measurement | result | goal | verdict |', '|---|---|---|---|',
	...summary.map((r) => `| ${r.what} | ${r.figure} | ${r.goalText} | ${r.verdict} |`), '',
	...(workloads.length ? ['(* overhead within noise: its 95% interval holds 0.) '] : []), 'Details of each line follow.', ''];
out.splice(SUMMARY_AT, 0, ...table);
const text = out.join('\n') + '\n';
fs.writeFileSync(path.join(dir, 'report.md'), text);
process.stdout.write(text);
