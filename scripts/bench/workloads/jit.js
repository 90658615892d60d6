// SPDX-License-Identifier: MIT
'use strict';
// JIT churn: keeps creating new functions with `new Function` (new source
// text each time, so V8 compiles each one and, with --perf-basic-prof, writes
// new perf map lines for it all the time) and calls each one a thousand
// times, so many reach V8's optimizing tiers. One work unit is one function
// created and run. Chunks of about 5 ms keep the event loop responsive.
//   node jit.js [--interval 500] [--duration 0 (until stdin ends)]
const { arg, now, reporter, listen } = require('./common');

const intervalMs = Number(arg('interval', 500));
const duration = Number(arg('duration', 0)) * 1000;
const rep = reporter(intervalMs);
let n = 0;
let sink = 0;
let stop = false;
const start = now();

function make(i) {
	// A distinct body per function: V8 cannot share the compiled code.
	return new Function('x', `let h = x ^ ${i};
		for (let k = 0; k < 8; k++) h = Math.imul(h ^ (k + ${i % 97}), 16777619);
		return h >>> ${i % 7};`);
}

function chunk() {
	const end = now() + 5;
	while (now() < end) {
		const f = make(n++);
		for (let k = 0; k < 1000; k++)
			sink = (sink + f(k)) | 0;
		rep.add(1);
	}
	rep.tick();
	if (stop || (duration && now() - start > duration))
		process.exit(0);
	setImmediate(chunk);
}

listen(() => { stop = true; }, duration > 0);
chunk();
