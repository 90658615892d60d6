// SPDX-License-Identifier: MIT
// Watches one agent's /metrics for one process and measures what the
// --max-series budget folds (scripts/bench/budget.sh; the real-application
// test uses it too). It scrapes every INTERVAL seconds for SECONDS and
// records, for the process PID:
//   - each completed window (promfiler_profile_windows_total moved): the
//     share of the gauge's samples (promfiler_cpu_profile, --weight self)
//     in "(other)" series, and the number of gauge series;
//   - each scrape: the counter series (promfiler_cpu_seconds_total), to get
//     the "(other)" share of the counter's increase over every RANGE-second
//     range, computed as Prometheus's increase() does without extrapolation
//     (last minus first sample in the range, a decrease read as a reset), the
//     series that ever went down, and the sum of every series' increase next
//     to the samples the agent took (promfiler_samples_total).
// Writes the raw figures as JSON to OUT and prints a table, one row per
// ROW seconds. Exits 1 when a bound is broken: (other) above MAX_OTHER
// percent of a window or of a range's increase (windows and ranges that
// end after WARMUP seconds), series above MAX_SERIES, a counter that went
// down.
//
//   node budget-watch.js --url URL --pid PID --seconds S [--interval 5]
//        [--range 300] [--row 300] [--warmup 0] [--max-other 3]
//        [--max-series N] [--out FILE] [--label NAME]
'use strict';
const fs = require('fs');
const http = require('http');

const args = { interval: 5, range: 300, row: 300, warmup: 0, 'max-other': 3, label: '' };
for (let i = 2; i < process.argv.length; i += 2)
	args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['url', 'pid', 'seconds'])
	if (!args[k]) {
		console.error('usage: node budget-watch.js --url URL --pid PID --seconds S [options]');
		process.exit(2);
	}
const seconds = Number(args.seconds), interval = Number(args.interval);
const range = Number(args.range), warmup = Number(args.warmup);
const maxOther = Number(args['max-other']);
const maxSeries = args['max-series'] ? Number(args['max-series']) : Infinity;
const isOther = (sig) => sig.endsWith('#(other)');
let frequency = 0;

function get(url) {
	return new Promise((resolve, reject) => {
		const req = http.get(url, { timeout: 20000 }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { body += d; });
			res.on('end', () => res.statusCode === 200 ? resolve(body) :
				reject(new Error('HTTP ' + res.statusCode)));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
	});
}

// One scrape: the process's gauge and counter series, and the scalars.
function parse(text) {
	const out = { gauge: new Map(), counter: new Map(), windows: 0, samples: 0 };
	const pidLabel = 'pid="' + args.pid + '"';
	for (const line of text.split('\n')) {
		if (line.startsWith('promfiler_profile_windows_total '))
			out.windows = Number(line.split(' ')[1]);
		else if (line.startsWith('promfiler_samples_total '))
			out.samples = Number(line.split(' ')[1]);
		else if (line.startsWith('promfiler_sampling_frequency_hertz '))
			frequency = Number(line.split(' ')[1]);
		const fam = line.startsWith('promfiler_cpu_profile{') ? out.gauge :
			line.startsWith('promfiler_cpu_seconds_total{') ? out.counter : null;
		if (!fam || !line.includes(pidLabel))
			continue;
		// signature is the first label; its value may hold escaped quotes.
		const m = /^[a-z_]+\{signature="((?:[^"\\]|\\.)*)"/.exec(line);
		if (m)
			fam.set(m[1], Number(line.slice(line.lastIndexOf(' ') + 1)));
	}
	return out;
}

const scrapes = [];   // { t, counter: Map, samples }
const windows = [];   // { t, total, other, series }
const wentDown = new Map(); // signature -> how many times
let maxGaugeSeries = 0, maxCounterSeries = 0;

function increase(values) { // as Prometheus, without extrapolation
	let inc = 0;
	for (let i = 1; i < values.length; i++)
		inc += values[i] >= values[i - 1] ? values[i] - values[i - 1] : values[i];
	return inc;
}

// The (other) share of the counter's increase over [t - range, t].
function rangeShare(end) {
	const inRange = scrapes.filter((s) => s.t >= end.t - range && s.t <= end.t);
	const series = new Map();
	for (const s of inRange)
		for (const [sig, v] of s.counter) {
			if (!series.has(sig))
				series.set(sig, []);
			series.get(sig).push(v);
		}
	let total = 0, other = 0;
	for (const [sig, vals] of series) {
		const inc = increase(vals);
		total += inc;
		if (isOther(sig))
			other += inc;
	}
	const taken = inRange.length ? (inRange[inRange.length - 1].samples - inRange[0].samples) : 0;
	return { t: end.t, total, other, taken };
}

async function main() {
	const t0 = Date.now();
	let lastWindows = -1, failures = 0;
	const last = new Map();
	for (let t = 0; t <= seconds; t += interval) {
		const wait = t0 + t * 1000 - Date.now();
		if (wait > 0)
			await new Promise((r) => setTimeout(r, wait));
		let m;
		try {
			m = parse(await get(args.url));
		} catch (e) {
			if (++failures > 3)
				throw e;
			continue;
		}
		const now = (Date.now() - t0) / 1000;
		if (m.windows !== lastWindows && lastWindows >= 0 && m.gauge.size) {
			let total = 0, other = 0;
			for (const [sig, v] of m.gauge) {
				total += v;
				if (isOther(sig))
					other += v;
			}
			windows.push({ t: now, total, other, series: m.gauge.size });
		}
		lastWindows = m.windows;
		for (const [sig, v] of m.counter) {
			if (last.has(sig) && v < last.get(sig))
				wentDown.set(sig, (wentDown.get(sig) || 0) + 1);
			last.set(sig, v);
		}
		maxGaugeSeries = Math.max(maxGaugeSeries, m.gauge.size);
		maxCounterSeries = Math.max(maxCounterSeries, m.counter.size);
		scrapes.push({ t: now, counter: m.counter, samples: m.samples, gaugeSeries: m.gauge.size });
	}
}

function pct(a, b) { return b ? (100 * a / b) : 0; }

main().then(() => {
	const ranges = scrapes.filter((s) => s.t >= range - interval).map(rangeShare);
	const row = Number(args.row);
	const bad = [];
	const lines = [];
	lines.push(`| ${args.label || 'run'}: until | windows | (other) % of a window's samples, max (mean) | ` +
		`(other) % of the counter's ${range / 60}-min increase, max | gauge series, max | counter series, max |`);
	lines.push('|---:|---:|---:|---:|---:|---:|');
	const end = scrapes.length ? scrapes[scrapes.length - 1].t : 0;
	for (let from = 0; from < end; from += row) {
		const to = from + row;
		const w = windows.filter((x) => x.t > from && x.t <= to);
		const r = ranges.filter((x) => x.t > from && x.t <= to);
		const sc = scrapes.filter((x) => x.t > from && x.t <= to);
		const wmax = Math.max(0, ...w.map((x) => pct(x.other, x.total)));
		const wmean = w.length ? w.reduce((s, x) => s + pct(x.other, x.total), 0) / w.length : 0;
		const rmax = r.length ? Math.max(...r.map((x) => pct(x.other, x.total))).toFixed(2) : '';
		lines.push(`| ${to % 60 ? to + ' s' : to / 60 + ' min'} | ${w.length} | ${wmax.toFixed(2)} (${wmean.toFixed(2)}) | ${rmax} | ` +
			`${Math.max(0, ...sc.map((x) => x.gaugeSeries))} | ${Math.max(0, ...sc.map((x) => x.counter.size))} |`);
	}
	for (const w of windows)
		if (w.t > warmup && pct(w.other, w.total) > maxOther)
			bad.push(`window at ${w.t.toFixed(0)} s: (other) ${pct(w.other, w.total).toFixed(2)}% of ${w.total}`);
	for (const r of ranges)
		if (r.t > warmup && pct(r.other, r.total) > maxOther)
			bad.push(`range ending ${r.t.toFixed(0)} s: (other) ${pct(r.other, r.total).toFixed(2)}% of the increase`);
	if (maxGaugeSeries > maxSeries || maxCounterSeries > maxSeries)
		bad.push(`series above the budget: gauge ${maxGaugeSeries}, counter ${maxCounterSeries}`);
	if (wentDown.size)
		bad.push(`${wentDown.size} counter series went down`);
	const all = scrapes.length > 1 ? rangeShare({ t: end }) : { total: 0, taken: 0 };
	const summary = {
		label: args.label, windows: windows.length, scrapes: scrapes.length,
		maxGaugeSeries, maxCounterSeries, wentDown: wentDown.size,
		worstWindowOtherPct: Math.max(0, ...windows.filter((w) => w.t > warmup).map((w) => pct(w.other, w.total))),
		worstRangeOtherPct: Math.max(0, ...ranges.filter((r) => r.t > warmup).map((r) => pct(r.other, r.total))),
		lastRange: all, failures: bad,
	};
	lines.push('');
	lines.push(`${args.label || 'run'}: ${windows.length} windows, worst (other) ${summary.worstWindowOtherPct.toFixed(2)}% of a window, ` +
		`${summary.worstRangeOtherPct.toFixed(2)}% of a ${range / 60}-min increase (after ${warmup} s); ` +
		`series at most ${maxGaugeSeries} (gauge), ${maxCounterSeries} (counter); counters that went down: ${wentDown.size}; ` +
		`last ${range / 60} min: sum of the counters' increases ${Math.round(all.total * frequency)} samples, ` +
		`samples taken ${all.taken}`);
	console.log(lines.join('\n'));
	if (args.out)
		fs.writeFileSync(args.out, JSON.stringify({ summary, windows, ranges }, null, 1));
	for (const b of bad)
		console.log('FAIL: ' + b);
	process.exit(bad.length ? 1 : 0);
}, (err) => {
	console.error('budget-watch: ' + err.message);
	process.exit(2);
});
