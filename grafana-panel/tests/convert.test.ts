// SPDX-License-Identifier: MIT
// convert.test: src/convert.ts on golden series (tests/golden/NAME.series.json,
// Prometheus API answers per query) against golden frames
// (tests/golden/NAME.frame.json), plus hand-computed cases, hostile names,
// bad values, limits. UPDATE_GOLDEN=1 rewrites the golden frames (review
// the diff). Run by `npm test` (node --test), in TAP: "ok N - name".
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { type DataFrame } from '@grafana/data';

import { type ConvertOptions, type ConvertResult, seriesToFlameGraph } from '../src/convert';
import { type PromSample, promToFrames } from './prom';

// The bundle runs from .build/tests/: the sources are two levels up.
const GOLDEN = join(__dirname, '../../tests/golden');
// Samples ("short"): the numbers stay as given, easy to check by hand.
const base: ConvertOptions = { separator: '#', weight: 'self', maxSeries: 20000, unit: 'short' };

type Columns = Record<string, unknown[]>;
function columns(frame?: DataFrame): Columns | undefined {
  if (!frame) {
    return undefined;
  }
  const out: Columns = {};
  for (const f of frame.fields) {
    out[f.name] = Array.from(f.values);
  }
  return out;
}

// Rows as "level label value self", the easiest way to read a tree.
function rows(r: ConvertResult): string[] {
  const c = columns(r.frame);
  if (!c) {
    return [];
  }
  return c.label.map((l, i) => {
    const right = c.valueRight ? ` ${c.valueRight[i]}/${c.selfRight[i]}` : '';
    return `${c.level[i]} ${l} ${c.value[i]} ${c.self[i]}${right}`;
  });
}

function sample(signature: string | undefined, v: string, more: Record<string, string> = {}): PromSample {
  const metric: Record<string, string> = { ...more };
  if (signature !== undefined) {
    metric.signature = signature;
  }
  return { metric, value: [1764590400, v] };
}

// Checks the invariants @grafana/flamegraph relies on: one root at level 0,
// levels grow by at most one, each node's value is its self plus its
// children's values, no negative or NaN number.
function checkNestedSet(r: ConvertResult): void {
  const c = columns(r.frame)!;
  const n = c.label.length;
  assert.equal(c.level[0], 0, 'the first row is the root');
  assert.equal(c.level.filter((l) => l === 0).length, 1, 'exactly one root');
  for (let i = 1; i < n; i++) {
    assert.ok((c.level[i] as number) <= (c.level[i - 1] as number) + 1, `row ${i}: level jumps`);
  }
  for (const [v, s] of c.valueRight ? [['value', 'self'], ['valueRight', 'selfRight']] : [['value', 'self']]) {
    for (let i = 0; i < n; i++) {
      let kids = 0;
      for (let j = i + 1; j < n && (c.level[j] as number) > (c.level[i] as number); j++) {
        if (c.level[j] === (c.level[i] as number) + 1) {
          kids += c[v][j] as number;
        }
      }
      const val = c[v][i] as number;
      const self = c[s][i] as number;
      assert.ok(Number.isFinite(val) && val >= 0 && self >= 0, `row ${i}: ${val} ${self}`);
      assert.ok(Math.abs(val - self - kids) < 1e-9 * Math.max(1, val), `row ${i} (${c.label[i]}): ${v} ${val} != ${self} + ${kids}`);
    }
  }
}

// --- golden series -> golden frames -------------------------------------
interface GoldenSeries {
  description: string;
  options: Partial<ConvertOptions>;
  format?: 'time_series' | 'table';
  queries: Record<string, PromSample[]>;
}

for (const file of readdirSync(GOLDEN).filter((f) => f.endsWith('.series.json')).sort()) {
  const name = file.replace('.series.json', '');
  test(`golden ${name}`, () => {
    const g: GoldenSeries = JSON.parse(readFileSync(join(GOLDEN, file), 'utf8'));
    const frames = Object.entries(g.queries).flatMap(([refId, result]) => promToFrames(result, refId, g.format));
    const r = seriesToFlameGraph(frames, { ...base, ...g.options });
    const got = { description: g.description, message: r.message ?? null, notices: r.notices, columns: columns(r.frame) ?? null };
    const path = join(GOLDEN, `${name}.frame.json`);
    if (process.env.UPDATE_GOLDEN) {
      writeFileSync(path, JSON.stringify(got, null, 1) + '\n');
    }
    assert.deepEqual(got, JSON.parse(readFileSync(path, 'utf8')));
    if (r.frame) {
      checkNestedSet(r);
    }
  });
}

// --- hand-computed cases -----------------------------------------------
test('self values: totals from the children, same signatures summed over pids, children sorted', () => {
  const frames = promToFrames(
    [
      sample('(root)#main#b', '2', { pid: '1' }),
      sample('(root)#main#a', '1', { pid: '1' }),
      sample('(root)#main#a', '3', { pid: '2' }),
      sample('(root)#main', '0.5', { pid: '2' }),
    ],
    'A'
  );
  const r = seriesToFlameGraph(frames, base);
  assert.deepEqual(rows(r), ['0 (root) 6.5 0', '1 main 6.5 0.5', '2 a 4 4', '2 b 2 2']);
  assert.equal(r.frame!.fields.find((f) => f.name === 'value')!.config.unit, 'short');
  assert.deepEqual(r.notices, []);
});

test('CPU seconds become nanoseconds (unit ns), which the flame graph shows as time', () => {
  const r = seriesToFlameGraph(promToFrames([sample('(root)#a', '1.5'), sample('(root)', '0.25')], 'A'), { ...base, unit: 's' });
  assert.deepEqual(rows(r), ['0 (root) 1750000000 250000000', '1 a 1500000000 1500000000']);
  for (const f of r.frame!.fields.filter((f) => f.type === 'number' && f.name !== 'level')) {
    assert.equal(f.config.unit, 'ns', f.name);
  }
});

test('total values (--weight total): self = total - children, clamped at 0', () => {
  const frames = promToFrames(
    [
      sample('(root)', '10'),
      sample('(root)#main', '9'),
      sample('(root)#main#a', '5'),
      sample('(root)#main#b', '3'),
      // inconsistent: a child bigger than its parent (different windows)
      sample('(root)#gc', '1'),
      sample('(root)#gc#sweep', '2'),
    ],
    'A'
  );
  const r = seriesToFlameGraph(frames, { ...base, weight: 'total' });
  assert.deepEqual(rows(r), ['0 (root) 11 0', '1 gc 2 0', '2 sweep 2 2', '1 main 9 1', '2 a 5 5', '2 b 3 3']);
  checkNestedSet(r);
});

test('hostile frame names are labels, verbatim but for control characters', () => {
  const names = ['say "hi"', 'back\\slash', 'sharp♯name', 'new\nline', '日本語 🔥', '{label="x"}', 'tab\there', ''];
  const frames = promToFrames(names.map((n, i) => sample(`(root)#${n}`, String(i + 1))), 'A');
  const r = seriesToFlameGraph(frames, base);
  const labels = columns(r.frame)!.label.slice(1);
  assert.deepEqual(
    [...labels].sort(),
    ['say "hi"', 'back\\slash', 'sharp♯name', 'new\\nline', '日本語 🔥', '{label="x"}', 'tab\\there', '(empty)'].sort()
  );
  // The empty name got its value: 8 (the 8th series).
  const c = columns(r.frame)!;
  assert.equal(c.value[c.label.indexOf('(empty)')], 8);
  checkNestedSet(r);
});

test('the separator splits every signature; another separator keeps # in names', () => {
  const frames = promToFrames([sample('(root);Foo#bar;x#y', '1'), sample('(root);Foo#bar', '1')], 'A');
  assert.deepEqual(rows(seriesToFlameGraph(frames, { ...base, separator: ';' })), ['0 (root) 2 0', '1 Foo#bar 2 1', '2 x#y 1 1']);
  assert.deepEqual(rows(seriesToFlameGraph(frames, { ...base, separator: '' }))[0], '0 (root);Foo 2 0', 'empty separator: #');
  const multi = promToFrames([sample('a::b::c', '2')], 'A');
  assert.deepEqual(rows(seriesToFlameGraph(multi, { ...base, separator: '::' })), ['0 a 2 0', '1 b 2 0', '2 c 2 2']);
});

test('bad values and series without a signature are left out and said', () => {
  const frames = promToFrames(
    [sample('(root)#a', '1'), sample('(root)#b', 'NaN'), sample('(root)#c', '+Inf'), sample('(root)#d', '-2'), sample(undefined, '5', { pid: '3' })],
    'A'
  );
  const r = seriesToFlameGraph(frames, base);
  assert.deepEqual(rows(r), ['0 (root) 1 0', '1 a 1 1']);
  assert.deepEqual(r.notices, [
    '1 series without a signature label ignored',
    '2 series with a NaN or infinite value ignored',
    '1 series with a negative value ignored',
  ]);
});

test('no data, nothing usable, all zero: a message, no frame', () => {
  const none = seriesToFlameGraph([], base);
  assert.equal(none.frame, undefined);
  assert.match(none.message!, /^No data/);
  const noSig = seriesToFlameGraph(promToFrames([sample(undefined, '1')], 'A'), base);
  assert.equal(noSig.frame, undefined);
  assert.match(noSig.message!, /^No series with a signature/);
  const zero = seriesToFlameGraph(promToFrames([sample('(root)#a', '0')], 'A'), base);
  assert.equal(zero.frame, undefined);
  assert.match(zero.message!, /every series is 0/);
  // Frames that are not Prometheus series at all.
  const junk = seriesToFlameGraph([{ fields: [], length: 0 } as DataFrame, {} as DataFrame], base);
  assert.match(junk.message!, /^No data/);
});

test('a series of 0 (a counter that did not move in the range) is no row', () => {
  const frames = promToFrames([sample('(root)#a', '2'), sample('(root)#b', '0'), sample('(root)#b#c', '0')], 'A');
  assert.deepEqual(rows(seriesToFlameGraph(frames, base)), ['0 (root) 2 0', '1 a 2 2']);
  // In a diff, a frame with time on one side only stays.
  const diff = [...promToFrames([sample('(root)#b', '1')], 'B'), ...promToFrames([sample('(root)#a', '2'), sample('(root)#b', '0')], 'A')];
  assert.deepEqual(rows(seriesToFlameGraph(diff, { ...base, baselineRefId: 'B' })), ['0 (root) 3 0 2/0', '1 a 2 2 2/2', '1 b 1 1 0/0']);
});

test('several first frames: one synthetic root', () => {
  const r = seriesToFlameGraph(promToFrames([sample('x#a', '1'), sample('y', '2')], 'A'), base);
  assert.deepEqual(rows(r), ['0 total 3 0', '1 x 1 0', '2 a 1 1', '1 y 2 2']);
});

test('diff: the baseline query is the left side, the others the right', () => {
  const frames = [
    ...promToFrames([sample('(root)#hot', '3'), sample('(root)#warm', '1')], 'B'),
    ...promToFrames([sample('(root)#hot', '3'), sample('(root)#warm', '3'), sample('(root)#new', '1')], 'A'),
  ];
  const r = seriesToFlameGraph(frames, { ...base, baselineRefId: 'B' });
  // value/self: both sides; valueRight/selfRight: the right side (A).
  assert.deepEqual(rows(r), ['0 (root) 11 0 7/0', '1 hot 6 6 3/3', '1 new 1 1 1/1', '1 warm 4 4 3/3']);
  checkNestedSet(r);
  const missing = seriesToFlameGraph(promToFrames([sample('(root)#a', '1')], 'A'), { ...base, baselineRefId: 'B' });
  assert.equal(missing.frame, undefined);
  assert.match(missing.message!, /baseline query B returns no series/);
  const only = seriesToFlameGraph(promToFrames([sample('(root)#a', '1')], 'B'), { ...base, baselineRefId: 'B' });
  assert.match(only.message!, /only the baseline query B/);
});

test('table format: a signature column and a Value column', () => {
  const frames = promToFrames([sample('(root)#a', '2', { pid: '1' }), sample('(root)#a', '1', { pid: '2' }), sample(undefined, '4', { pid: '3' })], 'A', 'table');
  const r = seriesToFlameGraph(frames, base);
  assert.deepEqual(rows(r), ['0 (root) 3 0', '1 a 3 3']);
  assert.deepEqual(r.notices, ['1 series without a signature label ignored']);
});

test('a range query: the last point of each series', () => {
  const s: PromSample = { metric: { signature: '(root)#a' }, values: [[1, '5'], [2, '7']] };
  assert.deepEqual(rows(seriesToFlameGraph(promToFrames([s], 'A'), base)), ['0 (root) 7 0', '1 a 7 7']);
});

test('past the series limit the lightest fold into (other), the total kept', () => {
  const frames = promToFrames([1, 2, 3, 4, 5].map((v) => sample(`(root)#f${v}`, String(v))), 'A');
  const r = seriesToFlameGraph(frames, { ...base, maxSeries: 3 });
  assert.deepEqual(rows(r), ['0 (root) 15 0', '1 (other) 3 3', '1 f3 3 3', '1 f4 4 4', '1 f5 5 5']);
  assert.deepEqual(r.notices, ['2 lightest of 5 signatures folded into (other) (limit 3)']);
  const t = seriesToFlameGraph(frames, { ...base, maxSeries: 3, weight: 'total' });
  assert.match(t.notices[0], /^2 lightest of 5 signatures left out/);
});

test('a million series: folded to the limit', () => {
  const n = 1_000_000;
  const series = [];
  for (let i = 0; i < n; i++) {
    series.push(sample(`(root)#m${i % 100}#f${i}`, '1'));
  }
  series.push(sample('(root)#hot', '5000'));
  const frames = promToFrames(series, 'A');
  const t0 = Date.now();
  const r = seriesToFlameGraph(frames, base);
  const ms = Date.now() - t0;
  const c = columns(r.frame)!;
  // Timed for the log only (a test times nothing: the machine is shared).
  console.log(`# a million series converted in ${ms} ms`);
  assert.equal(c.value[0], n + 5000, 'the root holds every series');
  assert.ok(c.label.length <= 20000 + 100 + 3, `${c.label.length} rows`);
  assert.equal(c.value[c.label.indexOf('hot')], 5000, 'the heaviest signature is kept');
  assert.ok((c.value[c.label.indexOf('(other)')] as number) > 0);
  assert.match(r.notices[0], /folded into \(other\)/);
  checkNestedSet(r);
});

test('a 100,000-frame signature does not overflow the stack', () => {
  const sig = Array.from({ length: 100000 }, (_, i) => `f${i}`).join('#');
  const r = seriesToFlameGraph(promToFrames([sample(sig, '1')], 'A'), base);
  const c = columns(r.frame)!;
  assert.equal(c.label.length, 100000);
  assert.equal(c.level[99999], 99999);
  assert.equal(c.self[99999], 1);
});
