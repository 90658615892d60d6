// SPDX-License-Identifier: MIT
// A small but real express 4 application, for the real-application tests
// and the budget benchmark: routing, middleware, query parsing, an HTML
// table, JSON, a regex search and a CSV report, each route doing the kind
// of work a service does (build strings, escape, sort, serialize).
//
//   node app.js PORT        listens on 127.0.0.1:PORT; prints "listening PORT"
'use strict';
const express = require('express');

const port = Number(process.argv[2] || 0);
const app = express();

const words = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod ' +
	'tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis ' +
	'nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat').split(' ');

function makeRows(n, seed) {
	const rows = [];
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) % 2147483648;
		rows.push({
			id: i, name: words[x % words.length] + ' ' + words[(x >> 8) % words.length],
			score: (x % 10000) / 100, city: words[(x >> 16) % words.length],
			note: '<' + words[(x >> 4) % words.length] + '> & "' + i + '"',
		});
	}
	return rows;
}
const people = makeRows(400, 7);
const corpus = makeRows(2000, 11).map((r) => r.name + ' ' + r.city + ' ' + r.note).join('\n');

function escapeHtml(s) {
	return String(s).replace(/[&<>"']/g, (c) => ({
		'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
	})[c]);
}

function renderTable(rows) {
	let html = '<table><thead><tr><th>id</th><th>name</th><th>score</th><th>city</th><th>note</th></tr></thead><tbody>';
	for (const r of rows)
		html += '<tr><td>' + r.id + '</td><td>' + escapeHtml(r.name) + '</td><td>' +
			r.score.toFixed(2) + '</td><td>' + escapeHtml(r.city) + '</td><td>' +
			escapeHtml(r.note) + '</td></tr>';
	return html + '</tbody></table>';
}

function scoreOf(user) {
	let h = 0;
	for (let i = 0; i < user.length; i++)
		h = (h * 31 + user.charCodeAt(i)) | 0;
	const mine = people.filter((p, i) => (i + h) % 7 === 0);
	const total = mine.reduce((sum, p) => sum + p.score, 0);
	return { user, count: mine.length, total, mean: total / (mine.length || 1),
		best: mine.slice().sort((a, b) => b.score - a.score).slice(0, 5) };
}

function search(q) {
	const re = new RegExp('\\b' + q.replace(/[^a-z]/g, '') + '\\w*', 'g');
	const hits = [];
	for (const line of corpus.split('\n')) {
		const m = line.match(re);
		if (m)
			hits.push({ line: line.slice(0, 40), words: m.length });
	}
	return { q, hits: hits.length, first: hits.slice(0, 20) };
}

function report() {
	const byCity = new Map();
	for (const p of people) {
		const c = byCity.get(p.city) || { city: p.city, n: 0, sum: 0 };
		c.n++;
		c.sum += p.score;
		byCity.set(p.city, c);
	}
	const lines = [...byCity.values()].sort((a, b) => a.city.localeCompare(b.city))
		.map((c) => [c.city, c.n, (c.sum / c.n).toFixed(3)].join(','));
	return 'city,n,mean\n' + lines.join('\n') + '\n';
}

app.disable('x-powered-by');
app.use((req, res, next) => {
	res.setHeader('x-request-start', Date.now());
	next();
});
const api = express.Router();
api.get('/table', (req, res) => {
	const n = Math.min(Number(req.query.rows) || 50, people.length);
	res.type('html').send('<!doctype html><title>table</title>' + renderTable(people.slice(0, n)));
});
api.get('/score', (req, res) => res.json(scoreOf(String(req.query.user || 'anonymous'))));
api.get('/search', (req, res) => res.json(search(String(req.query.q || 'lab'))));
api.get('/report', (req, res) => res.type('text/csv').send(report()));
app.use('/', api);
app.use((req, res) => res.status(404).json({ error: 'not found' }));

const server = app.listen(port, '127.0.0.1', () => {
	console.log('listening ' + server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
