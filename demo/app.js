// SPDX-License-Identifier: MIT
// The demo app: a small HTTP service that loads itself, so a newcomer sees
// flame-graph series at once. Three routes with different CPU costs; a timer
// calls them in a loop. Start it with:
//   node --perf-basic-prof --interpreted-frames-native-stack demo/app.js
'use strict';
const http = require('http');

function fibonacci(n) {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

function sortNumbers(count) {
  const values = [];
  for (let i = 0; i < count; i++) values.push((i * 7919) % 10007);
  return values.sort((a, b) => a - b)[count >> 1];
}

function renderReport(rows) {
  const lines = [];
  for (let i = 0; i < rows; i++) lines.push(JSON.stringify({ row: i, label: `item-${i}` }));
  return lines.join('\n').length;
}

const routes = {
  '/fib': () => String(fibonacci(25)),
  '/sort': () => String(sortNumbers(20000)),
  '/report': () => String(renderReport(2000)),
};

const port = Number(process.env.DEMO_PORT || 3000);
const server = http.createServer((req, res) => {
  const route = routes[req.url];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  res.end(route());
});

server.listen(port, '127.0.0.1', () => {
  console.log(`demo app on http://127.0.0.1:${port} (pid ${process.pid})`);
  const paths = Object.keys(routes);
  let next = 0;
  // Self-load: one request at a time, forever, to loopback only.
  const load = () => {
    const path = paths[next++ % paths.length];
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => setImmediate(load));
    }).on('error', () => setTimeout(load, 100));
  };
  load();
});
