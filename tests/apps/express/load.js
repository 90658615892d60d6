// SPDX-License-Identifier: MIT
// Load for app.js with autocannon's API, against 127.0.0.1 only: one
// autocannon instance per route at once, each with its own connections,
// for a bounded time.
//
//   node load.js PORT SECONDS CONNECTIONS ROUTE...   e.g. 3000 30 8 /table?rows=50 /score?user=ann
// Prints one line per route: "ROUTE requests N errors E non2xx X".
'use strict';
const autocannon = require('autocannon');

const [port, seconds, connections, ...routes] = process.argv.slice(2);
if (!port || !(Number(seconds) > 0) || !(Number(connections) > 0) || !routes.length) {
	console.error('usage: node load.js PORT SECONDS CONNECTIONS ROUTE...');
	process.exit(2);
}
Promise.all(routes.map((route) => autocannon({
	url: 'http://127.0.0.1:' + port + route,
	connections: Number(connections),
	duration: Number(seconds),
}))).then((results) => {
	results.forEach((r, i) => console.log(routes[i] + ' requests ' + r.requests.total +
		' errors ' + r.errors + ' non2xx ' + r.non2xx));
	process.exit(results.some((r) => r.requests.total === 0 || r.non2xx > 0) ? 1 : 0);
}, (err) => {
	console.error(err);
	process.exit(1);
});
