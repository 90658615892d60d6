// SPDX-License-Identifier: MIT
'use strict';
// Shared by the bench workloads: reports the work done in each interval with
// the CPU the whole process used for it (process.cpuUsage: every thread, so an
// in-process profiler's own thread is counted), one JSON line per interval on
// stdout:
//   {"t0":ms,"t1":ms,"work":units,"cpu_us":user+system}
// t0/t1 are CLOCK_MONOTONIC milliseconds (process.hrtime), the clock the
// bench driver uses too, so it can tell which profiler state an interval was
// in. Commands on stdin (one a line) drive V8's in-process CPU profiler
// through the inspector, the same CpuProfiler that `node --cpu-prof` uses:
//   v8 start US    setSamplingInterval(US) + Profiler.start
//   v8 stop        Profiler.stop (the profile is dropped)
//   exit
const inspector = require('inspector');

const now = () => Number(process.hrtime.bigint()) / 1e6;

function arg(name, def) {
	const i = process.argv.indexOf('--' + name);
	return i >= 0 ? process.argv[i + 1] : def;
}

let session = null;
let profiling = false;

function v8Start(us) {
	if (!session) {
		session = new inspector.Session();
		session.connect();
		session.post('Profiler.enable');
	}
	if (profiling)
		return;
	session.post('Profiler.setSamplingInterval', { interval: us });
	session.post('Profiler.start');
	profiling = true;
}

function v8Stop() {
	if (!profiling)
		return;
	session.post('Profiler.stop', () => {});
	profiling = false;
}

function reply(s) {
	process.stdout.write(JSON.stringify(s) + '\n');
}

// Reporter: call add(units) as work completes, tick() often (cheap).
function reporter(intervalMs) {
	let t0 = now();
	let cpu0 = process.cpuUsage();
	let work = 0;
	return {
		add(n) { work += n; },
		tick() {
			const t = now();
			if (t - t0 < intervalMs)
				return;
			const c = process.cpuUsage();
			reply({ t0, t1: t, work, cpu_us: c.user - cpu0.user + c.system - cpu0.system });
			t0 = t;
			cpu0 = c;
			work = 0;
		},
	};
}

// onExit runs on `exit`, and when stdin ends unless keepOnEof (timed runs).
function listen(onExit, keepOnEof) {
	let buf = '';
	process.stdin.setEncoding('utf8');
	process.stdin.on('data', (d) => {
		buf += d;
		let nl;
		while ((nl = buf.indexOf('\n')) >= 0) {
			const line = buf.slice(0, nl).trim().split(/\s+/);
			buf = buf.slice(nl + 1);
			if (line[0] === 'v8' && line[1] === 'start') {
				v8Start(Number(line[2] || 1000));
				reply({ ack: 'v8 start', t: now() });
			} else if (line[0] === 'v8' && line[1] === 'stop') {
				v8Stop();
				reply({ ack: 'v8 stop', t: now() });
			} else if (line[0] === 'exit') {
				onExit();
			}
		}
	});
	process.stdin.on('end', () => { if (!keepOnEof) onExit(); });
}

module.exports = { arg, now, reporter, listen, reply };
