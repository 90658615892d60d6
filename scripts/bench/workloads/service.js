// SPDX-License-Identifier: MIT
'use strict';
// A stand-in for one service on a host, for the agent's own cost with many
// targets: a module of --functions generated functions calling each other
// along varied paths (so its call tree has thousands of distinct stacks),
// busy for --duty of every 100 ms and idle the rest. N of these with duty
// D/N keep the host's profiled CPU the same whatever N is.
//   node service.js [--duty 0.05] [--functions 300] [--seed 1]
const { arg, now } = require('./common');

const duty = Number(arg('duty', 0.05));
const nfun = Number(arg('functions', 300));
let seed = Number(arg('seed', 1)) >>> 0 || 1;

const fns = [];
const verbs = ['get', 'load', 'parse', 'render', 'handle', 'validate', 'resolve', 'emit'];
const nouns = ['User', 'Order', 'Session', 'Cart', 'Token', 'Route', 'Query', 'Item'];
// fn 0..N-1 -> getUser0, loadUser0, ...: names as an application has them.
const name = (i) => verbs[i % 8] + nouns[(i >> 3) % 8] + (i >> 6);
for (let i = 0; i < nfun; i++) {
	// Each (d, s): below depth 0 it computes; else it calls one of three
	// other functions picked by s, so paths vary from call to call.
	fns.push(new Function('fns', `return function ${name(i)}(fns, d, s) {
		if (d <= 0) { let h = s; for (let k = 0; k < 200; k++) h = Math.imul(h ^ k, 16777619); return h; }
		const t = (s ^ ${i * 2654435761 >>> 0}) >>> 0;
		const next = fns[[${(i * 7 + 1) % nfun}, ${(i * 13 + 5) % nfun}, ${(i * 31 + 11) % nfun}][t % 3]];
		return next(fns, d - 1, Math.imul(t, 2246822519) >>> 0) + ${i};
	};`)(fns));
}
// Two entry points, as a service has request handlers and jobs.
function handleRequest(s) { return fns[s % nfun](fns, 4 + (s % 12), s); }
function runJob(s) { return fns[(s >>> 3) % nfun](fns, 8 + (s % 16), s); }

let sink = 0;
function burst() {
	const end = now() + 100 * duty;
	while (now() < end) {
		seed = Math.imul(seed ^ (seed >>> 15), 2246822519) >>> 0;
		sink = (sink + (seed & 1 ? handleRequest(seed) : runJob(seed))) | 0;
	}
}
setInterval(burst, 100);
process.on('SIGTERM', () => process.exit(0));
