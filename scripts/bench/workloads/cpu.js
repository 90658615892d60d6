// SPDX-License-Identifier: MIT
'use strict';
// CPU-bound JS: a tree of small functions computing hashes, run in chunks of
// about 5 ms so the event loop stays responsive to commands. One work unit is
// one call of work(). --depth N first recurses N frames deep (through
// several distinct functions), so that every sample holds a deep stack.
//   node cpu.js [--depth 0] [--interval 500] [--duration 0 (until stdin ends)]
const { arg, now, reporter, listen } = require('./common');

const depth = Number(arg('depth', 0));
const intervalMs = Number(arg('interval', 500));
const duration = Number(arg('duration', 0)) * 1000;

function mix(h, x) { h ^= x; h = Math.imul(h, 16777619); return h >>> 0; }
function leafA(h, i) { for (let k = 0; k < 40; k++) h = mix(h, i + k); return h; }
function leafB(h, i) { for (let k = 0; k < 25; k++) h = mix(h, i * k); return h; }
function middle(h, i) { return i & 1 ? leafA(h, i) : leafB(h, i); }
function work(i) { let h = 2166136261; for (let j = 0; j < 20; j++) h = middle(h, i + j); return h; }

const rep = reporter(intervalMs);
let sink = 0;
let i = 0;
const start = now();
let stop = false;

function chunk() {
	const end = now() + 5;
	while (now() < end) {
		for (let k = 0; k < 50; k++)
			sink = (sink + work(i++)) | 0;
		rep.add(50);
	}
	rep.tick();
	if (stop || (duration && now() - start > duration))
		process.exit(0);
	setImmediate(chunk);
}

// Deep stacks: recurse through four functions, then run the loop there.
function d0(n) { return n ? d1(n - 1) : run(); }
function d1(n) { return n ? d2(n - 1) : run(); }
function d2(n) { return n ? d3(n - 1) : run(); }
function d3(n) { return n ? d0(n - 1) : run(); }
function run() {
	for (;;) {
		for (let r = 0; r < 2000; r++)
			sink = (sink + work(i++)) | 0;
		rep.add(2000);
		rep.tick();
		if (stop || (duration && now() - start > duration))
			process.exit(0);
	}
}

if (depth > 0) {
	// Stays deep: no return to the event loop (commands are not read).
	d0(depth);
} else {
	listen(() => { stop = true; }, duration > 0);
	chunk();
}
