// SPDX-License-Identifier: MIT
// host_exports: every name dist/module.js takes from Grafana's @grafana/ui
// and @grafana/data (node build.mjs --host-imports) is exported by each
// release of tests/grafana-hosts.json: 12.0.0 and 13.2.3, the oldest and the
// newest Grafana within what plugin.json claims (tarballs fetched with `npm
// pack`, their sha512 checked against the pinned integrity, cached in
// .build/hosts/), and the installed 13.0.1.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 when one fails.
//   node tests/host_exports.cjs
'use strict';

const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const HERE = path.resolve(__dirname, '..');
const hosts = JSON.parse(fs.readFileSync(path.join(__dirname, 'grafana-hosts.json'), 'utf8'));
const cache = path.join(HERE, '.build/hosts');
let failures = 0;

function check(desc, cond, detail) {
  console.log(cond ? `ok - ${desc}` : `not ok - ${desc}${detail ? ` (${detail})` : ''}`);
  if (!cond) failures++;
}

// The names a CommonJS build exports: `exports.X = ` and defineProperty.
function exportsOf(file) {
  const s = fs.readFileSync(file, 'utf8');
  const out = new Set();
  for (const m of s.matchAll(/^exports\.(\w+) =/gm)) out.add(m[1]);
  for (const m of s.matchAll(/Object\.defineProperty\(exports, ['"](\w+)['"]/g)) out.add(m[1]);
  return out;
}

// spec "@grafana/ui@12.0.0" -> its dist/cjs/index.cjs, unpacked in the cache.
function fetched(spec, integrity) {
  const dir = path.join(cache, spec.replace(/[@/]/g, '_'));
  const index = path.join(dir, 'package/dist/cjs/index.cjs');
  if (fs.existsSync(index)) return index;
  fs.mkdirSync(dir, { recursive: true });
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', dir, spec], { encoding: 'utf8' }));
  const tgz = path.join(dir, info.filename);
  const sum = 'sha512-' + crypto.createHash('sha512').update(fs.readFileSync(tgz)).digest('base64');
  if (sum !== integrity) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${spec}: sha512 ${sum}, pinned ${integrity}`);
  }
  execFileSync('tar', ['xzf', tgz, '-C', dir, 'package/dist/cjs/index.cjs', 'package/package.json']);
  return index;
}

const used = JSON.parse(execFileSync('node', [path.join(HERE, 'build.mjs'), '--host-imports'], { encoding: 'utf8' }));
check(`module.js takes names from @grafana/ui (${used['@grafana/ui'].length}) and @grafana/data (${used['@grafana/data'].length})`,
  used['@grafana/ui'].length > 5 && used['@grafana/data'].length > 3);
const releases = [];
for (const [spec, integrity] of Object.entries(hosts.fetch)) {
  try {
    releases.push([spec, fetched(spec, integrity)]);
  } catch (e) {
    check(`${spec} fetched with its pinned integrity`, false, String(e.message).split('\n')[0]);
  }
}
for (const name of hosts.installed) {
  const pkg = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8'));
  releases.push([`${name}@${pkg.version}`, path.join(HERE, 'node_modules', name, 'dist/cjs/index.cjs')]);
}
for (const [spec, index] of releases) {
  const name = spec.slice(0, spec.lastIndexOf('@'));
  const have = exportsOf(index);
  const missing = used[name].filter((n) => !have.has(n));
  check(`${spec} exports every name module.js takes from it (${used[name].length})`, missing.length === 0, `missing: ${missing.join(', ')}`);
}
process.exit(failures ? 1 : 0);
