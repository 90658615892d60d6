// SPDX-License-Identifier: MIT
'use strict';
// Shared helpers of the bench phases (bench.js) and the report (report.js):
// processes, the agent, /proc accounting, scrapes, statistics. Times are
// CLOCK_MONOTONIC milliseconds (process.hrtime), the clock the workloads
// report in, so intervals and profiler states line up.
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const zlib = require('zlib');

const HERE = __dirname;
const WORKLOADS = path.join(HERE, 'workloads');
// What promfiler-bpf's launch mode adds to NODE_OPTIONS: JS frames named by
// the perf map, interpreted ones as well.
const PERF_FLAGS = ['--perf-basic-prof', '--interpreted-frames-native-stack'];

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function log(...a) {
	process.stderr.write(`bench: ${a.join(' ')}\n`);
}

// Every process a phase starts, so that a phase that fails half-way leaves
// none behind (killAll runs on exit).
const children = new Set();
function track(child) {
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}
function killAll() {
	for (const c of children) {
		try { c.kill('SIGKILL'); } catch { /* gone */ }
		try { fs.unlinkSync(`/tmp/perf-${c.pid}.map`); } catch { /* none */ }
	}
	children.clear();
}
process.on('exit', killAll);

// CPU time of a whole process in ns: the sum over its live threads of
// /proc/PID/task/TID/schedstat's first field (time on CPU, ns, which on a
// kernel without IRQ time accounting includes the interrupts it took, as
// the profilers' sampling ones). Threads that ended are not in it: use
// cpuTotalNs for a process whose threads come and go.
function cpuNs(pid, threadName) {
	let sum = 0;
	let tasks;
	try {
		tasks = fs.readdirSync(`/proc/${pid}/task`);
	} catch {
		return NaN;
	}
	for (const t of tasks) {
		try {
			if (threadName &&
			    fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim() !== threadName)
				continue;
			sum += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
		} catch { /* the thread ended meanwhile */ }
	}
	return sum;
}

// utime + stime of /proc/PID/stat in ns (clock ticks: 10 ms resolution, but
// ended threads included).
function cpuTotalNs(pid) {
	try {
		const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
		return (Number(f[11]) + Number(f[12])) * 1e9 / 100;
	} catch {
		return NaN;
	}
}

// A field of /proc/PID/status in bytes (VmHWM: peak RSS, VmRSS).
function statusBytes(pid, field) {
	try {
		const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
		return m ? Number(m[1]) * 1024 : NaN;
	} catch {
		return NaN;
	}
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// GET http://127.0.0.1:PORT/PATH; resolves { status, body (decoded),
// bytes (as sent), ms }. gzip: ask for it (Accept-Encoding).
function get(port, p, { gzip = false, timeout = 30000 } = {}) {
	return new Promise((resolve) => {
		const t0 = now();
		const req = http.get({ host: '127.0.0.1', port, path: p, timeout,
			headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				let raw = Buffer.concat(chunks);
				const bytes = raw.length;
				if (res.headers['content-encoding'] === 'gzip')
					raw = zlib.gunzipSync(raw);
				resolve({ status: res.statusCode, body: raw.toString('utf8'), bytes, ms: now() - t0 });
			});
			res.on('error', () => resolve({ status: 0, body: '', bytes: 0, ms: now() - t0 }));
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve({ status: 0, body: '', bytes: 0, ms: now() - t0 }));
	});
}

// Value of a label-less series in an exposition.
function metric(body, name) {
	const m = body.match(new RegExp(`^${name} (\\S+)$`, 'm'));
	return m ? Number(m[1]) : NaN;
}

// Series (sample lines) in an exposition.
function seriesCount(body) {
	let n = 0;
	for (const line of body.split('\n'))
		if (line && line[0] !== '#')
			n++;
	return n;
}

// Frames per sample of one pid, weighted by samples: from
// promfiler_cpu_seconds_total (self time per signature) and how many frames
// each signature has (the "(root)" frame not counted).
function framesPerSample(body, pid, sep = '#') {
	let w = 0, f = 0, max = 0;
	const re = /^promfiler_cpu_seconds_total\{signature="((?:[^"\\]|\\.)*)",(.*)\} (\S+)$/gm;
	let m;
	while ((m = re.exec(body))) {
		if (!m[2].includes(`pid="${pid}"`))
			continue;
		const frames = m[1].split(sep).length - 1;
		const v = Number(m[3]);
		w += v;
		f += v * frames;
		max = Math.max(max, frames);
	}
	return { mean: w ? f / w : NaN, max };
}

function waitExit(child, ms = 15000) {
	if (child.exitCode !== null || child.signalCode !== null)
		return Promise.resolve();
	return new Promise((resolve) => {
		const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, ms);
		child.once('exit', () => { clearTimeout(t); resolve(); });
	});
}

// The agent in server mode on a free loopback port, up when /healthz answers.
// Resolves { child, pid, port, log } or throws with the agent's log.
async function startAgent(agent, args, { wrap = [], logFile, healthMs = 15000 } = {}) {
	const port = await freePort();
	const full = [...wrap, agent, '--hostname', '127.0.0.1', '--port', String(port), ...args];
	const out = fs.openSync(logFile || '/dev/null', 'a');
	const child = track(spawn(full[0], full.slice(1), { stdio: ['ignore', out, out] }));
	fs.closeSync(out);
	const t0 = now();
	while (now() - t0 < healthMs) {
		if (child.exitCode !== null)
			break;
		const r = await get(port, '/healthz', { timeout: 2000 });
		if (r.status === 200)
			return { child, pid: child.pid, port, started: t0, healthy: now() };
		await sleep(20);
	}
	child.kill('SIGKILL');
	const text = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
	throw new Error(`agent did not come up (${full.join(' ')}): ${text}`);
}

// ms: how long it may take before it is killed (longer under valgrind).
async function stopAgent(a, ms) {
	if (!a)
		return;
	a.child.kill('SIGTERM');
	await waitExit(a.child, ms);
}

// Calls fn with each line of a child's stdout that parses as JSON.
function jsonLines(stream, fn) {
	let buf = '';
	stream.setEncoding('utf8');
	stream.on('data', (d) => {
		buf += d;
		let nl;
		while ((nl = buf.indexOf('\n')) >= 0) {
			const line = buf.slice(0, nl);
			buf = buf.slice(nl + 1);
			let msg;
			try {
				msg = JSON.parse(line);
			} catch {
				continue;
			}
			fn(msg);
		}
	});
}

// A Node workload from workloads/; resolves a handle that collects its
// interval lines ({t0,t1,work,cpu_us}) and its acks.
function startWorkload(name, args = [], { flags = PERF_FLAGS, nodeArgs = [] } = {}) {
	const child = track(spawn(process.execPath, [...flags, ...nodeArgs, path.join(WORKLOADS, name), ...args],
		{ stdio: ['pipe', 'pipe', 'inherit'] }));
	const w = { child, pid: child.pid, intervals: [], waiters: [], listening: null };
	jsonLines(child.stdout, (msg) => {
		if ('work' in msg)
			w.intervals.push(msg);
		for (const waiter of w.waiters.splice(0))
			if (!waiter(msg))
				w.waiters.push(waiter);
	});
	child.stdin.on('error', () => {});
	// until(pred): resolves with the first message pred accepts.
	w.until = (pred, ms = 10000) => new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`${name}: no answer`)), ms);
		w.waiters.push((msg) => {
			if (!pred(msg))
				return false;
			clearTimeout(t);
			resolve(msg);
			return true;
		});
	});
	w.send = (line) => child.stdin.write(line + '\n');
	w.stop = async () => {
		w.send('exit');
		child.stdin.end();
		setTimeout(() => child.kill('SIGTERM'), 3000).unref();
		await waitExit(child);
		try { fs.unlinkSync(`/tmp/perf-${child.pid}.map`); } catch { /* none */ }
	};
	return w;
}

function median(xs) {
	const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	if (!s.length)
		return NaN;
	const m = s.length >> 1;
	return s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Distribution-free confidence interval of a median (the sign test's): the
// k-th smallest and k-th largest of n values, k the largest with
// P(Binomial(n, 1/2) < k) <= (1 - level) / 2. Returns [lo, hi, level
// actually reached], or NaNs when n is too small for the level.
function medianCI(xs, level = 0.95) {
	const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	const n = s.length;
	const pmf = [];
	let c = 1;
	for (let k = 0; k <= n; k++) {
		pmf.push(c / 2 ** n);
		c = c * (n - k) / (k + 1);
	}
	let k = 0, tail = 0;
	while (k < n && tail + pmf[k] <= (1 - level) / 2) {
		tail += pmf[k];
		k++;
	}
	if (k === 0)
		return [NaN, NaN, NaN];
	return [s[k - 1], s[n - k], 1 - 2 * tail];
}

function readJson(file, def = null) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return def;
	}
}

function writeJson(file, v) {
	fs.writeFileSync(file, JSON.stringify(v, null, 1) + '\n');
}

function which(cmd) {
	try {
		return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
	} catch {
		return '';
	}
}

module.exports = {
	HERE, WORKLOADS, PERF_FLAGS, now, sleep, log, cpuNs, cpuTotalNs, statusBytes,
	track, killAll, freePort, get, metric, seriesCount, framesPerSample, waitExit, startAgent,
	stopAgent, startWorkload, jsonLines, median, medianCI, readJson, writeJson, which,
};
