// SPDX-License-Identifier: MIT
'use strict';
// The measuring phases of `make bench` (scripts/bench/run.sh runs them in
// order; scripts/bench/report.js turns their JSON into the table). Each
// phase writes OUT/<phase>.json. Nothing here asserts a time: it records
// counts (BPF nanoseconds and runs, callgrind instructions, CPU ns from
// /proc) and the work the workloads report, for the report to compare.
//
//   node bench.js PHASE --out DIR --agent PATH [--floor PATH] [--quick]
//   PHASE: check | bpf | agents | callgrind | v8thread | sidebyside WORKLOAD | flags WORKLOAD
//
// Phases, in short (README-facing descriptions are in report.js):
//   check       the agent starts and serves the self-metrics the others read
//   bpf         kernel.bpf_stats_enabled: the BPF program's ns per run for a
//               process it filters out, then per sample on shallow and deep
//               Node stacks, with and without V8 naming and with --kernel,
//               97/997 Hz, each next to the floor (floor.bpf.c) in the same run
//   agents      the agent's own CPU (schedstat ns) and peak RSS (VmHWM) with
//               1, 10 and 50 Node targets at 97 Hz, scraped every 15 s
//   callgrind   the agent itself under valgrind --tool=callgrind, 10 targets:
//               instructions per drained sample, per frame, per series
//   v8thread    node --cpu-prof --cpu-prof-interval 1000: CPU of its
//               v8:ProfEvntProc thread per second of profiling
//   sidebyside  one long run of a workload in which each profiler is turned
//               on and off in alternating short blocks; work per CPU-second
//               of neighbouring blocks is compared
//   flags       the cost of --perf-basic-prof --interpreted-frames-native-stack
//               (which promfiler-bpf and perf need to name JS frames): short
//               runs with and without them, alternating
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const L = require('./lib');

function parseArgs(argv) {
	const o = { phase: argv[0], arg: argv[1] && !argv[1].startsWith('--') ? argv[1] : null };
	for (let i = 1; i < argv.length; i++) {
		if (argv[i] === '--quick')
			o.quick = true;
		else if (argv[i].startsWith('--'))
			o[argv[i].slice(2)] = argv[++i];
	}
	if (!o.out || !o.agent)
		throw new Error('usage: bench.js PHASE [WORKLOAD] --out DIR --agent PATH [--floor PATH] [--quick]');
	o.tmp = path.join(o.out, 'tmp');
	fs.mkdirSync(o.tmp, { recursive: true });
	return o;
}

// The floor (scripts/bench/floor.c and floor.bpf.c): a minimal sampler of
// pid's user stacks on its own cpu-clock events, which answers each stats()
// with its program's accounting. Its events tick 3 Hz faster than the
// agent's: at the same frequency the two timers keep one phase for a whole
// run, and whichever fires just after the other finds the stack and the
// kernel's paths in the cache (ratios of 0.6x to 1.4x for the same build
// from run to run); 3 Hz apart, the phase sweeps through every value three
// times a second, so each program follows the other as often.
const FLOOR_HZ_OFFSET = 3;
function startFloor(floor, pid, hz) {
	const child = L.track(spawn(floor, ['--pid', String(pid), '-F', String(hz + FLOOR_HZ_OFFSET)],
		{ stdio: ['pipe', 'pipe', 'inherit'] }));
	const waiting = [];
	L.jsonLines(child.stdout, (msg) => {
		const w = waiting.shift();
		if (w)
			w(msg);
	});
	child.stdin.on('error', () => {});
	return {
		child,
		stats: () => new Promise((resolve) => {
			waiting.push(resolve);
			child.stdin.write('\n');
		}),
		stop: async () => {
			child.stdin.end();
			await L.waitExit(child);
		},
	};
}

// Samples of the agent's own BPF accounting, one per scrape, and the
// floor's next to each (read at the same moment) when there is one.
async function bpfSeries(port, seconds, floor = null, stepMs = 1000) {
	const rows = [];
	const end = L.now() + seconds * 1000;
	while (L.now() < end) {
		const t = L.now();
		const [r, f] = await Promise.all([L.get(port, '/metrics'), floor ? floor.stats() : null]);
		if (r.status === 200)
			rows.push({ t, run_ns: L.metric(r.body, 'promfiler_bpf_program_run_seconds_total') * 1e9,
				runs: L.metric(r.body, 'promfiler_bpf_program_runs_total'),
				samples: L.metric(r.body, 'promfiler_samples_total'),
				walk_ns: L.metric(r.body, 'promfiler_v8_walk_seconds_total') * 1e9,
				walks: L.metric(r.body, 'promfiler_v8_walks_total'),
				floor: f });
		await L.sleep(stepMs - (L.now() - t));
	}
	return rows;
}

// The agent's program and the floor side by side, on the same process and
// at the same frequency, in every configuration: shallow and deep stacks,
// JS frames named from V8 (the default: one walk of our own) or not
// (--no-v8-names: the kernel's walk), with --kernel, at 97 and 997 Hz.
async function phaseBpf(o) {
	const file = '/proc/sys/kernel/bpf_stats_enabled';
	const was = fs.readFileSync(file, 'utf8').trim();
	const res = { was_enabled: was, filter: null, configs: [] };
	const restore = () => { try { fs.writeFileSync(file, was); } catch { /* not root */ } };
	process.on('exit', restore);
	fs.writeFileSync(file, '1');
	const log = path.join(o.tmp, 'agent-bpf.log');
	const modes = { v8: [], 'no-v8': ['--no-v8-names'], kernel: ['--kernel'] };
	// --stacks, --modes, --hz, --seconds: a subset, for trying a change.
	const stacks = (o.stacks || 'shallow,deep').split(','), hzs = (o.hz || '97,997').split(',').map(Number);
	const only = (o.modes || Object.keys(modes).join(',')).split(',');
	try {
		// A process both programs filter out on every tick: what every
		// other process on the host pays (a PID-set lookup).
		const idle = L.track(spawn('sleep', ['3600'], { stdio: 'ignore' }));
		const a = await L.startAgent(o.agent, ['--pid', String(idle.pid), '-F', '997'], { logFile: log });
		const fl = startFloor(o.floor, idle.pid, 997);
		await L.sleep(1500);
		res.filter = { hz: 997, rows: await bpfSeries(a.port, o.quick ? 3 : 8, fl) };
		await L.stopAgent(a);
		await fl.stop();
		idle.kill();
		for (const stack of stacks) {
			const w = L.startWorkload('cpu.js', stack === 'deep' ? ['--depth', '120'] : []);
			await L.sleep(3000); // V8 tiers up; the perf map settles
			for (const mode of only) {
				for (const hz of hzs) {
					const args = ['--pid', String(w.pid), '-F', String(hz), ...modes[mode]];
					const ag = await L.startAgent(o.agent, args, { logFile: log });
					const floor = startFloor(o.floor, w.pid, hz);
					await L.sleep(1500);
					const secs = Number(o.seconds || (o.quick ? 4 : hz === 97 ? 15 : 8));
					const rows = await bpfSeries(ag.port, secs, floor);
					const last = await L.get(ag.port, '/metrics');
					res.configs.push({ stack, mode, kernel: mode === 'kernel', hz, rows,
						frames: L.framesPerSample(last.body, w.pid) });
					L.log(`bpf ${stack} ${mode} ${hz} Hz: ${rows.length} scrapes`);
					await L.stopAgent(ag);
					await floor.stop();
				}
			}
			await w.stop();
		}
	} finally {
		restore();
	}
	return res;
}

// N service.js targets whose duties add up to `total` of a core, each up
// (its perf map written, with the perf map flags) before this returns.
async function startServices(n, total, flags = L.PERF_FLAGS) {
	const ws = [];
	for (let i = 0; i < n; i++)
		ws.push(L.startWorkload('service.js', ['--duty', String(total / n), '--seed', String(i + 1)],
			{ flags }));
	const t0 = L.now();
	while (flags.length && L.now() - t0 < 120000 &&
	       !ws.every((w) => fs.existsSync(`/tmp/perf-${w.pid}.map`)))
		await L.sleep(200);
	await L.sleep(2000); // their code compiled, their maps settled
	return ws;
}

async function phaseAgents(o) {
	const res = { hz: 97, total_duty: 0.5, scrape_every_s: 15, runs: [] };
	const counts = o.quick ? [1, 10] : [1, 10, 50];
	const warm = o.quick ? 3 : 10, secs = o.quick ? 10 : 45;
	for (const n of counts) {
		const ws = await startServices(n, res.total_duty);
		const pids = ws.flatMap((w) => ['--pid', String(w.pid)]);
		// Start-up reads every target's /proc and perf map: on a loaded
		// machine, 50 targets take a while.
		const a = await L.startAgent(o.agent, [...pids, '-F', '97'],
			{ logFile: path.join(o.tmp, `agent-agents-${n}.log`), healthMs: 120000 });
		await L.sleep(warm * 1000);
		const c0 = L.cpuNs(a.pid), t0 = L.now();
		const targets0 = ws.reduce((s, w) => s + L.cpuNs(w.pid), 0);
		const scrapes = [];
		while (L.now() - t0 < secs * 1000) {
			await L.sleep(Math.min(res.scrape_every_s * 1000, secs * 1000 - (L.now() - t0)));
			const r = await L.get(a.port, '/metrics', { gzip: true });
			scrapes.push({ t: L.now(), series: L.seriesCount(r.body), bytes: r.body.length, gzip_bytes: r.bytes, ms: r.ms,
				samples: L.metric(r.body, 'promfiler_samples_total') });
		}
		const c1 = L.cpuNs(a.pid), t1 = L.now();
		const targets1 = ws.reduce((s, w) => s + L.cpuNs(w.pid), 0);
		const run = {
			targets: n, seconds: (t1 - t0) / 1000, warm_s: warm, agent_cpu_ns: c1 - c0,
			agent_cpu_total_ns: L.cpuTotalNs(a.pid), agent_age_s: (t1 - a.started) / 1000,
			peak_rss: L.statusBytes(a.pid, 'VmHWM'), rss: L.statusBytes(a.pid, 'VmRSS'),
			targets_cpu_ns: targets1 - targets0, scrapes,
		};
		res.runs.push(run);
		L.log(`agents ${n}: agent ${(run.agent_cpu_ns / 1e9 / run.seconds * 100).toFixed(3)}% of a core, peak RSS ${(run.peak_rss / 1048576).toFixed(1)} MiB`);
		await L.stopAgent(a);
		await Promise.all(ws.map((w) => w.stop()));
	}
	return res;
}

// Inclusive instructions and call counts per function of a callgrind output
// file (format: https://valgrind.org/docs/manual/cl-format.html). A
// function's inclusive cost is the sum of the costs of the calls to it from
// other functions (recursive calls are not added twice).
function parseCallgrind(file) {
	const names = new Map();
	const fns = new Map();
	const edges = new Map(); // "caller\tcallee" -> { incl, calls }
	let fn = null, cfn = null, callCount = 0, inCall = false, summary = NaN;
	const lines = fs.readFileSync(file, 'utf8').split('\n');
	const nameOf = (spec) => {
		const m = spec.match(/^\((\d+)\)(?: (.*))?$/);
		if (!m)
			return spec;
		if (m[2] !== undefined)
			names.set(m[1], m[2]);
		return names.get(m[1]);
	};
	const entry = (n) => {
		if (!fns.has(n))
			fns.set(n, { incl: 0, calls: 0, self: 0 });
		return fns.get(n);
	};
	for (const line of lines) {
		if (line.startsWith('fn=')) {
			fn = nameOf(line.slice(3));
		} else if (line.startsWith('cfn=')) {
			cfn = nameOf(line.slice(4));
		} else if (line.startsWith('calls=')) {
			callCount = Number(line.slice(6).split(' ')[0]);
			inCall = true;
		} else if (line.startsWith('summary:')) {
			summary = Number(line.split(/\s+/)[1]);
		} else if (/^[+\-*0-9]/.test(line)) {
			const cost = Number(line.split(' ')[1] || 0);
			if (inCall) {
				if (cfn !== fn) {
					const e = entry(cfn);
					e.incl += cost;
					e.calls += callCount;
					const k = `${fn}\t${cfn}`;
					if (!edges.has(k))
						edges.set(k, { incl: 0, calls: 0 });
					edges.get(k).incl += cost;
					edges.get(k).calls += callCount;
				}
				inCall = false;
			} else if (fn) {
				entry(fn).self += cost;
			}
		}
	}
	return { summary, fns, edges };
}

// `callgrind bare`: the same with targets started with no flag at all (no
// perf map: JS frames, and what V8 inlined, named from V8's objects).
async function phaseCallgrind(o) {
	const bare = o.arg === 'bare';
	const res = { hz: 97, targets: 10, total_duty: 0.5, scrapes: [], bare };
	const out = path.join(o.out, bare ? 'callgrind.agent.bare.out' : 'callgrind.agent.out');
	const secs = o.quick ? 15 : 40;
	const ws = await startServices(res.targets, res.total_duty, bare ? [] : L.PERF_FLAGS);
	const pids = ws.flatMap((w) => ['--pid', String(w.pid)]);
	const a = await L.startAgent(o.agent, [...pids, '-F', '97'], {
		wrap: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${out}`],
		logFile: path.join(o.tmp, 'agent-callgrind.log'), healthMs: 120000,
	});
	const t0 = L.now();
	let last = null;
	while (L.now() - t0 < secs * 1000) {
		await L.sleep(10000);
		const r = await L.get(a.port, '/metrics', { gzip: true, timeout: 60000 });
		if (r.status !== 200)
			continue;
		last = r.body;
		res.scrapes.push({ series: L.seriesCount(r.body), bytes: r.body.length, gzip_bytes: r.bytes });
	}
	res.seconds = (L.now() - t0) / 1000;
	res.samples_drained = last ? L.metric(last, 'promfiler_samples_total') : NaN;
	res.drains = last ? L.metric(last, 'promfiler_drains_total') : NaN;
	await L.stopAgent(a, 120000); // callgrind writes its output at exit
	await Promise.all(ws.map((w) => w.stop()));
	const cg = parseCallgrind(out);
	res.summary = cg.summary;
	// The functions the report divides, by name: the drain (sampler__drain
	// -> on_sample per aggregated stack), frame naming (whatever on_sample
	// calls per frame: symbolizer__frame*), one-time loads (ELF tables,
	// perf map reads), rendering and gzip.
	const wanted = /^(profiler__poll|sampler__drain|on_sample|name_frames|symbolizer__\w+|elfsym_cache__get_fd|elfsym__lookup|perfmap__refresh|profiler__render_metrics|render_prom__profiles|deflate|profiler__new|kallsyms__\w+|v8code__\w+)$/;
	res.fns = {};
	for (const [name, v] of cg.fns)
		if (wanted.test(name))
			res.fns[name] = v;
	res.edges = {};
	for (const [k, v] of cg.edges) {
		const [from, to] = k.split('\t');
		if (wanted.test(from) && wanted.test(to))
			res.edges[k.replace('\t', ' -> ')] = v;
	}
	res.perf_map_bytes = last ? L.metric(last, 'promfiler_perf_map_bytes_read_total') : NaN;
	res.inlined_frames = last ? L.metric(last, 'promfiler_v8_inlined_frames_total') : NaN;
	res.inline_missing = last ? L.metric(last, 'promfiler_v8_inline_missing_frames_total') : NaN;
	res.v8_named_frames = last ? L.metric(last, 'promfiler_v8_named_frames_total') : NaN;
	return res;
}

async function phaseV8thread(o) {
	const res = { interval_us: 1000 };
	const secs = o.quick ? 6 : 12;
	const dir = path.join(o.tmp, 'cpuprof');
	const w = L.startWorkload('cpu.js', ['--duration', String(secs + 2)], {
		flags: [], nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '1000', '--cpu-prof-dir', dir],
	});
	await L.sleep(2000);
	const th0 = L.cpuNs(w.pid, 'v8:ProfEvntProc'), p0 = L.cpuNs(w.pid), t0 = L.now();
	await L.sleep(secs * 1000 - 2000);
	const th1 = L.cpuNs(w.pid, 'v8:ProfEvntProc'), p1 = L.cpuNs(w.pid), t1 = L.now();
	res.seconds = (t1 - t0) / 1000;
	res.thread_cpu_ns = th1 - th0;
	res.process_cpu_ns = p1 - p0;
	await L.waitExit(w.child, 30000);
	fs.rmSync(dir, { recursive: true, force: true });
	return res;
}

// --- side by side ---------------------------------------------------------

function mkfifo(p) {
	try { fs.unlinkSync(p); } catch { /* none */ }
	execFileSync('mkfifo', [p]);
}

// perf record attached to pid, started with its events disabled and driven
// through its control FIFO (perf record --control): enable() / disable().
async function startPerf(o, pid, hz) {
	const ctl = path.join(o.tmp, `perf-${hz}.ctl`), ack = path.join(o.tmp, `perf-${hz}.ack`);
	mkfifo(ctl);
	mkfifo(ack);
	const data = path.join(o.tmp, `perf-${hz}.data`);
	const child = L.track(spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-g', '-F', String(hz), '-p', String(pid),
		'-D', '-1', '--control', `fifo:${ctl},${ack}`, '-o', data], { stdio: ['ignore', 'ignore', 'inherit'] }));
	// Opening a FIFO blocks until perf opens its end: do it off the event
	// loop's back, through a promise that polls.
	const ctlFd = fs.openSync(ctl, fs.constants.O_RDWR);
	const ackFd = fs.openSync(ack, fs.constants.O_RDWR);
	const command = async (cmd) => {
		fs.writeSync(ctlFd, cmd + '\n');
		const b = Buffer.alloc(64);
		const n = fs.readSync(ackFd, b); // perf answers "ack\n" at once
		return b.toString('utf8', 0, n);
	};
	await L.sleep(500);
	return {
		child, pid: child.pid, data,
		enable: () => command('enable'),
		disable: () => command('disable'),
		stop: async () => {
			child.kill('SIGINT');
			await L.waitExit(child, 60000);
			fs.closeSync(ctlFd);
			fs.closeSync(ackFd);
			for (const f of [ctl, ack, data, data + '.old'])
				fs.rmSync(f, { force: true });
		},
	};
}

const CONFIGS = ['bpf97', 'bpf997', 'v8', 'perf97', 'perf997'];

async function phaseSidebyside(o) {
	const name = o.arg;
	const duration = Number(o.duration || (o.quick ? 40 : 180));
	const onMs = Number(o['on-ms'] || 2500), offMs = Number(o['off-ms'] || 2000);
	// The agent's first drain, about a second after it starts, reads the
	// whole perf map and the ELF symbol tables: start-up, which a long-lived
	// agent pays once. Its own CPU is counted from after that drain (and at
	// least settleMs), so its blocks are longer.
	const settleMs = 1500, bpfOnMs = Number(o['bpf-on-ms'] || 4000);
	const configs = (o.configs || CONFIGS.join(',')).split(',');
	const res = { workload: name, duration, on_ms: onMs, bpf_on_ms: bpfOnMs, off_ms: offMs, settle_ms: settleMs,
		configs, blocks: [] };
	const args = name === 'http' ? ['--port', '0'] : [];
	const w = L.startWorkload(`${name}.js`, args);
	let wrk = null;
	if (name === 'http') {
		const { listening } = await w.until((m) => 'listening' in m);
		wrk = L.track(spawn('wrk', ['-t1', '-c16', `-d${duration + 30}s`, `http://127.0.0.1:${listening}/api`],
			{ stdio: 'ignore' }));
		res.load = 'wrk -t1 -c16';
	}
	const perf = {};
	for (const c of configs)
		if (c.startsWith('perf'))
			perf[c] = await startPerf(o, w.pid, Number(c.slice(4)));
	const agentLog = path.join(o.tmp, `agent-${name}.log`);
	const starters = {
		bpf97: () => L.startAgent(o.agent, ['--pid', String(w.pid), '-F', '97'], { logFile: agentLog }),
		bpf997: () => L.startAgent(o.agent, ['--pid', String(w.pid), '-F', '997'], { logFile: agentLog }),
		v8: async () => {
			const p = w.until((m) => m.ack === 'v8 start');
			w.send('v8 start 1000');
			await p;
			return {};
		},
	};
	const stoppers = {
		bpf97: L.stopAgent, bpf997: L.stopAgent,
		v8: async () => {
			const p = w.until((m) => m.ack === 'v8 stop');
			w.send('v8 stop');
			await p;
		},
	};
	// CPU ns of the profiler's own process or thread while it is on.
	const own = (c, h) => c.startsWith('bpf') ? L.cpuNs(h.pid) :
		c === 'v8' ? L.cpuNs(w.pid, 'v8:ProfEvntProc') : L.cpuNs(perf[c].pid);

	await L.sleep(4000); // warm-up: V8 tiers up, the load settles
	const end = L.now() + duration * 1000;
	let cycle = 0;
	while (L.now() < end) {
		// Rotate, so that each profiler follows a different one each cycle.
		const order = configs.map((_, i) => configs[(i + cycle) % configs.length]);
		for (const c of order) {
			const off0 = L.now();
			await L.sleep(offMs);
			res.blocks.push({ state: 'off', t0: off0, t1: L.now() });
			let h;
			if (c.startsWith('perf')) {
				await perf[c].enable();
				h = perf[c];
			} else {
				h = await starters[c]();
			}
			const on0 = L.now();
			if (c.startsWith('bpf')) {
				// Until its first drain is over (however late a loaded
				// machine makes it), then a little more.
				while (L.now() - on0 < 10000) {
					const r = await L.get(h.port, '/metrics');
					if (L.metric(r.body, 'promfiler_drains_total') >= 1)
						break;
					await L.sleep(100);
				}
				await L.sleep(Math.max(200, settleMs - (L.now() - on0)));
			} else {
				await L.sleep(100);
			}
			const bpfStats = async () => {
				if (!c.startsWith('bpf'))
					return {};
				const r = await L.get(h.port, '/metrics');
				return { run_ns: L.metric(r.body, 'promfiler_bpf_program_run_seconds_total') * 1e9,
					runs: L.metric(r.body, 'promfiler_bpf_program_runs_total'),
					samples: L.metric(r.body, 'promfiler_samples_total') };
			};
			const bpf0 = await bpfStats(); // before: its render is not in the window
			const s0 = { t: L.now(), own: own(c, h), target: L.cpuNs(w.pid), bpf: bpf0 };
			await L.sleep((c.startsWith('bpf') ? bpfOnMs : onMs) - (L.now() - on0));
			const s1 = { t: L.now(), own: own(c, h), target: L.cpuNs(w.pid), bpf: await bpfStats() };
			const block = { state: 'on', config: c, t0: on0, t1: L.now(), own_ns: s1.own - s0.own,
				target_ns: s1.target - s0.target, span_ms: s1.t - s0.t };
			// The BPF program's own run time (kernel.bpf_stats_enabled),
			// charged to whatever it interrupted, the target mostly.
			if (c.startsWith('bpf'))
				block.bpf = { run_ns: s1.bpf.run_ns - s0.bpf.run_ns, runs: s1.bpf.runs - s0.bpf.runs,
					samples: s1.bpf.samples - s0.bpf.samples };
			res.blocks.push(block);
			if (c.startsWith('perf'))
				await perf[c].disable();
			else
				await stoppers[c](h);
		}
		cycle++;
		L.log(`sidebyside ${name}: cycle ${cycle}, ${Math.max(0, (end - L.now()) / 1000).toFixed(0)} s left`);
	}
	const off0 = L.now();
	await L.sleep(offMs);
	res.blocks.push({ state: 'off', t0: off0, t1: L.now() });
	res.intervals = w.intervals;
	for (const p of Object.values(perf))
		await p.stop();
	if (wrk) {
		wrk.kill('SIGINT');
		await L.waitExit(wrk);
	}
	await w.stop();
	return res;
}

// Whole runs with and without the perf map flags, alternating the order.
async function phaseFlags(o) {
	const name = o.arg;
	const pairs = Number(o.pairs || (o.quick ? 2 : 4)), secs = Number(o.seconds || (o.quick ? 4 : 5));
	const res = { workload: name, pairs: [], seconds: secs, warm_s: 1.5 };
	for (let i = 0; i < pairs; i++) {
		const pair = {};
		for (const withFlags of i % 2 ? [true, false] : [false, true]) {
			const w = L.startWorkload(`${name}.js`, name === 'http' ? ['--port', '0'] : [],
				{ flags: withFlags ? L.PERF_FLAGS : [] });
			let wrk = null;
			if (name === 'http') {
				const { listening } = await w.until((m) => 'listening' in m);
				wrk = L.track(spawn('wrk', ['-t1', '-c16', `-d${secs + 5}s`, `http://127.0.0.1:${listening}/api`],
					{ stdio: 'ignore' }));
			}
			const t0 = L.now();
			await L.sleep(secs * 1000);
			const iv = w.intervals.filter((x) => x.t0 >= t0 + res.warm_s * 1000);
			pair[withFlags ? 'flags' : 'plain'] = {
				work: iv.reduce((s, x) => s + x.work, 0), cpu_us: iv.reduce((s, x) => s + x.cpu_us, 0),
				intervals: iv.length,
			};
			if (wrk) {
				wrk.kill('SIGINT');
				await L.waitExit(wrk);
			}
			await w.stop();
		}
		res.pairs.push(pair);
	}
	return res;
}

// Before minutes of measuring: the agent starts, and its /metrics has the
// self-metrics the phases read.
async function phaseCheck(o) {
	const idle = L.track(spawn('sleep', ['60'], { stdio: 'ignore' }));
	const log = path.join(o.tmp, 'agent-check.log');
	try {
		const a = await L.startAgent(o.agent, ['--pid', String(idle.pid)], { logFile: log });
		const r = await L.get(a.port, '/metrics');
		await L.stopAgent(a);
		const missing = ['promfiler_samples_total', 'promfiler_bpf_program_runs_total',
			'promfiler_bpf_program_run_seconds_total', 'promfiler_drains_total']
			.filter((m) => !Number.isFinite(L.metric(r.body, m)));
		if (r.status !== 200 || missing.length)
			throw new Error(`${o.agent}: /metrics answered ${r.status} with ${r.body.length} bytes, ` +
				`lacking ${missing.join(', ')}: a broken build? (make, then again)`);
		return { ok: true, bytes: r.body.length };
	} finally {
		idle.kill();
	}
}

async function main() {
	// Interrupted (make bench stopped): exit through 'exit', which stops
	// every process the phase started.
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
		process.on(sig, () => process.exit(1));
	const o = parseArgs(process.argv.slice(2));
	const phases = { check: phaseCheck, bpf: phaseBpf, agents: phaseAgents, callgrind: phaseCallgrind,
		v8thread: phaseV8thread, sidebyside: phaseSidebyside, flags: phaseFlags };
	if (!phases[o.phase])
		throw new Error(`unknown phase ${o.phase}`);
	const t0 = L.now();
	const res = await phases[o.phase](o);
	res.phase_seconds = (L.now() - t0) / 1000;
	const file = path.join(o.out, o.arg ? `${o.phase}-${o.arg}.json` : `${o.phase}.json`);
	L.writeJson(file, res);
	L.log(`${o.phase}${o.arg ? ' ' + o.arg : ''}: done in ${res.phase_seconds.toFixed(0)} s -> ${file}`);
}

main().then(() => process.exit(0), (e) => {
	console.error(`bench: ${e.stack || e}`);
	process.exit(1);
});
