// SPDX-License-Identifier: MIT
'use strict';
// A Node HTTP server (node:http, keep-alive) that answers every request with a
// small JSON document built per request, as an API would. One work unit is
// one response sent. The load comes from outside (wrk on loopback).
//   node http.js --port N [--interval 500]
// Prints {"listening":PORT} once ready, then one interval line per --interval.
const http = require('http');
const { arg, reporter, listen, reply } = require('./common');

const port = Number(arg('port', 0));
const intervalMs = Number(arg('interval', 500));
const rep = reporter(intervalMs);
let seq = 0;

function body(url) {
	const items = [];
	for (let i = 0; i < 100; i++)
		items.push({ id: seq * 100 + i, name: 'item-' + i, path: url, score: (i * 7919) % 101 });
	return JSON.stringify({ seq: seq++, items });
}

const server = http.createServer((req, res) => {
	const b = body(req.url);
	res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
	res.end(b);
	rep.add(1);
});
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => reply({ listening: server.address().port }));
setInterval(() => rep.tick(), 20);
listen(() => process.exit(0));
