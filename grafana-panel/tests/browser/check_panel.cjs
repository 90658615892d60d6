// SPDX-License-Identifier: MIT
// check_panel: the built plugin (dist/module.js) in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium), inside the test host page
// (.build/browser: real React, @grafana/data, @grafana/ui), fed with real
// Prometheus answers. Prints one line per check, "ok - ..." / "not ok - ...",
// as tests/integration/lib.sh does; exits 1 when one fails.
//   node check_panel.cjs QUERIES.json OUTDIR [react19]
// react19: in the host of @grafana/ui, @grafana/data 13.2.3 and React 19
// (.build/browser19, tests/browser/react19/), as Grafana 13.2 gives them.
// QUERIES.json: Prometheus /api/v1/query answers' data.result, by name:
//   counter  the dashboard's flame graph of the range (deploy/grafana, panel 1)
//            for process HOT: sum by (signature) (increase(...[1m]))
//   gauge    its flame graph "now" (panel 6): sum by (signature) (promfiler_cpu_profile)
//   before   the counter query for the baseline process (hot.js)
//   after    the same for the changed process (warmFunction made slower)
// OUTDIR gets panel.png, panel-search.png, panel-gauge.png, panel-diff.png.
//
// How the drawing is read: @grafana/flamegraph draws on a <canvas>. Each
// row's bars are found from the canvas's pixels (runs of colour between the
// white bar borders), then named by hovering each bar and reading the
// component's own tooltip. A leaf is a bar with no bar under it.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const HERE = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ROW = 22; // PIXELS_PER_LEVEL of @grafana/flamegraph, in CSS pixels
const [queriesFile, outdir, hostKind] = process.argv.slice(2);
const REACT19 = hostKind === 'react19';
const HOST_DIR = path.join(HERE, REACT19 ? '.build/browser19' : '.build/browser');
const HOST_MODULES = REACT19 ? path.join(HERE, 'tests/browser/react19/node_modules') : path.join(HERE, 'node_modules');
const TAG = REACT19 ? 'panel browser (React 19 host)' : 'panel browser';
const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8'));
let failures = 0;

function check(desc, cond, detail) {
  if (cond) {
    console.log(`ok - ${TAG}: ${desc}`);
  } else {
    failures++;
    console.log(`not ok - ${TAG}: ${desc}${detail === undefined ? '' : ` (got ${JSON.stringify(detail)})`}`);
  }
}

// Files the page asks for, from disk: the host page, the built plugin, and
// the icons Grafana serves under public/ (@grafana/ui ships most of them).
function serve(route) {
  const u = new URL(route.request().url());
  let f;
  if (u.pathname.startsWith('/plugin/')) {
    f = path.join(HERE, 'dist', u.pathname.slice('/plugin/'.length));
  } else if (u.pathname.startsWith('/public/build/img/')) {
    f = path.join(HOST_MODULES, '@grafana/ui/dist/public/img', u.pathname.slice('/public/build/img/'.length));
  } else {
    f = path.join(HOST_DIR, u.pathname.slice(1) || 'index.html');
  }
  if (fs.existsSync(f) && fs.statSync(f).isFile()) {
    return route.fulfill({ path: f });
  }
  return route.fulfill({ status: 404, body: '' });
}

// Bars per row, from the canvas pixels: [{ row, x0, x1, rgb }], CSS pixels
// relative to the canvas. A bar pixel is opaque and not the white border.
async function bars(page) {
  return page.evaluate((ROW) => {
    const canvas = document.querySelector('canvas[data-testid="flameGraph"]');
    if (!canvas) {
      return null;
    }
    const dpr = window.devicePixelRatio;
    const ctx = canvas.getContext('2d');
    const { width, height } = canvas;
    const img = ctx.getImageData(0, 0, width, height).data;
    const out = [];
    const rows = Math.floor(height / (ROW * dpr));
    for (let row = 0; row < rows; row++) {
      // A line near the bar's top: above the label's text.
      const y = Math.floor((row * ROW + 4) * dpr);
      // A bar pixel is opaque and not the white border; a bar ends where
      // that stops or where the colour changes (the next bar).
      let start = -1;
      let prev = null;
      const end = (x) => {
        if (start >= 0 && x - start >= 2) {
          const m = (y * width + Math.floor((start + x) / 2)) * 4;
          out.push({ row, x0: start / dpr, x1: x / dpr, rgb: [img[m], img[m + 1], img[m + 2]] });
        }
        start = -1;
      };
      for (let x = 0; x <= width; x++) {
        const i = (y * width + x) * 4;
        const px = [img[i], img[i + 1], img[i + 2]];
        const bar = x < width && img[i + 3] >= 250 && !(px[0] > 235 && px[1] > 235 && px[2] > 235);
        if (!bar) {
          end(x);
        } else if (start < 0) {
          start = x;
        } else if (Math.abs(px[0] - prev[0]) + Math.abs(px[1] - prev[1]) + Math.abs(px[2] - prev[2]) > 60) {
          end(x);
          start = x;
        }
        prev = px;
      }
    }
    return out;
  }, ROW);
}

// The label @grafana/flamegraph's tooltip shows for the bar under the mouse.
async function tooltipAt(page, box, x, y) {
  await page.mouse.move(box.x + x, box.y + y);
  return page
    .waitForFunction(
      () => {
        for (const p of document.querySelectorAll('p')) {
          const next = p.nextElementSibling;
          if (next && /Total:|Baseline/.test(next.textContent) && p.parentElement.childElementCount <= 3) {
            return { name: p.textContent, details: next.textContent };
          }
        }
        return null;
      },
      null,
      { timeout: 2000 }
    )
    .then((h) => h.jsonValue())
    .catch(() => null);
}

// Every bar, named: [{ row, x0, x1, width, rgb, name, details, leaf }].
async function namedBars(page) {
  const canvas = await page.$('canvas[data-testid="flameGraph"]');
  const box = await canvas.boundingBox();
  const list = (await bars(page)) || [];
  for (const b of list) {
    b.width = b.x1 - b.x0;
    if (b.width >= 3) {
      const t = await tooltipAt(page, box, (b.x0 + b.x1) / 2, b.row * ROW + ROW / 2);
      b.name = t && t.name.replace(/and \d+ similar items$/, '').trim();
      b.details = t && t.details;
    }
  }
  for (const b of list) {
    b.leaf = !list.some((o) => o.row === b.row + 1 && o.x1 > b.x0 + 0.5 && o.x0 < b.x1 - 0.5);
  }
  await page.mouse.move(0, 0);
  return list;
}

function dist(a, b) {
  return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
}

function saturation([r, g, b]) {
  const max = Math.max(r, g, b), min = Math.min(r, g, b);
  return max === 0 ? 0 : (max - min) / max;
}

async function render(page, args) {
  await page.evaluate((a) => window.promfilerHost.render(a), args);
  await page.waitForSelector('canvas[data-testid="flameGraph"], [data-testid="promfiler-message"]', { timeout: 15000 });
  await page.waitForTimeout(500);
}

async function main() {
  fs.mkdirSync(outdir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1240, height: 640 }, deviceScaleFactor: 1 });
  const errors = [];
  const outside = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.host !== 'panel.test') {
      outside.push(u.href);
      return route.abort();
    }
    return serve(route);
  });
  await page.goto('http://panel.test/index.html');

  const deps = await page.evaluate(() => window.promfilerHost.load('/plugin/module.js'));
  console.log(`# host React ${await page.evaluate(() => window.promfilerHost.reactVersion)}`);
  check('module.js is an AMD module asking only for what Grafana provides', deps.every((d) => ['react', 'react-dom', '@grafana/data', '@grafana/ui'].includes(d)), deps);

  // 1. The counter over the range: hotFunction is the widest leaf.
  const opts = await page.evaluate((q) => window.promfilerHost.render({ queries: { A: q } }), queries.counter);
  check("the plugin's own option defaults: separator #, weight self, unit s", opts.separator === '#' && opts.weight === 'self' && opts.unit === 's', opts);
  await page.waitForSelector('canvas[data-testid="flameGraph"]', { timeout: 15000 });
  await page.waitForTimeout(500);
  check('no error on the page while drawing real series', errors.length === 0, errors.slice(0, 3));
  let list = await namedBars(page);
  const leaves = list.filter((b) => b.leaf && b.name).sort((a, b) => b.width - a.width);
  console.log(`# ${list.length} bars drawn, ${leaves.length} leaves; widest: ${leaves.slice(0, 3).map((b) => `${b.name} ${b.width.toFixed(0)}px`).join(', ')}`);
  check('the counter: the widest leaf bar is hotFunction', leaves[0] && leaves[0].name === 'hotFunction', leaves[0] && leaves[0].name);
  const root = list.find((b) => b.row === 0);
  check('the root bar spans the canvas width', root && root.width > 500, root && root.width);
  check('the tooltip shows CPU time (unit ns, "Time")', leaves[0] && /^Time/.test(leaves[0].details || ''), leaves[0] && leaves[0].details);
  const topRows = await page.$$eval('[data-testid="topTable"] a', (as) => as.map((a) => a.textContent));
  check("the top table's first symbol (by self) is hotFunction", topRows[0] === 'hotFunction', topRows.slice(0, 3));
  const shot = (name) => path.join(outdir, REACT19 ? name.replace('panel', 'panel-react19') : name);
  await page.screenshot({ path: shot('panel.png') });

  // 2. Search: hotFunction found, the others muted.
  await page.fill('input[placeholder^="Search"]', 'hotFunction');
  await page.waitForTimeout(800);
  const searched = await bars(page);
  const hot = leaves[0];
  // Every other bar wide enough to see: the callers above hotFunction, the
  // other leaves.
  const others = list.filter((b) => b.name && b.name !== 'hotFunction' && b.width >= 10);
  // The bar drawn after the search under the middle of bar b: two muted
  // neighbours of one grey can read as one bar, so match by place, not extent.
  const at = (b) => {
    const mid = (b.x0 + b.x1) / 2;
    return searched.find((s) => s.row === b.row && s.x0 <= mid && mid <= s.x1);
  };
  const hotAfter = hot && at(hot);
  check('search: the hotFunction bar keeps its colour', hotAfter && dist(hotAfter.rgb, hot.rgb) < 10 && saturation(hot.rgb) > 0.3, hotAfter && [hot.rgb, hotAfter.rgb]);
  // Muted: every other bar turns to one grey, and the bars that had a
  // colour of their own lost it (a bar can be drawn grey before, too).
  const after = others.map(at);
  const grey = after[0] && after[0].rgb;
  const muted = after.filter((s) => s && dist(s.rgb, grey) < 6 && saturation(s.rgb) < 0.25);
  const changed = after.filter((s, i) => s && dist(s.rgb, others[i].rgb) > 60);
  const coloured = others.filter((b) => saturation(b.rgb) >= 0.25);
  check(`search: the other bars are muted (${muted.length} of ${others.length}, ${changed.length} of the ${coloured.length} coloured ones changed)`,
    others.length > 0 && muted.length === others.length && coloured.length > 0 && changed.length >= coloured.length,
    [others.map((b) => b.rgb), after.map((s) => s && s.rgb)]);
  const filtered = await page.$$eval('[data-testid="topTable"] a', (as) => as.map((a) => a.textContent));
  check('search: the top table lists hotFunction alone', filtered.length === 1 && filtered[0] === 'hotFunction', filtered);
  await page.screenshot({ path: shot('panel-search.png') });

  // 3. The gauge, "now" (--weight self, samples).
  await render(page, { queries: { A: queries.gauge }, options: { unit: 'short' } });
  list = await namedBars(page);
  const gaugeLeaves = list.filter((b) => b.leaf && b.name).sort((a, b) => b.width - a.width);
  console.log(`# gauge: ${list.length} bars drawn; widest leaves: ${gaugeLeaves.slice(0, 3).map((b) => `${b.name} ${b.width.toFixed(0)}px`).join(', ')}`);
  check('the gauge: the widest leaf bar is hotFunction', gaugeLeaves[0] && gaugeLeaves[0].name === 'hotFunction', gaugeLeaves[0] && gaugeLeaves[0].name);
  await page.screenshot({ path: shot('panel-gauge.png') });

  // 4. Diff: baseline hot.js (B) against the changed process (A).
  await render(page, { queries: { B: queries.before, A: queries.after }, options: { compare: true, baselineRefId: 'B' } });
  list = await namedBars(page);
  // The widest bar of each function: a function can be drawn at more than
  // one place (hot.js's first call of mainLoop is not from processImmediate).
  const widest = (name) => list.filter((b) => b.name === name).sort((a, b) => b.width - a.width)[0];
  const warm = widest('warmFunction');
  const hotDiff = widest('hotFunction');
  console.log(`# diff colours: warmFunction ${warm && warm.rgb}, hotFunction ${hotDiff && hotDiff.rgb}`);
  check('diff: the tooltip compares baseline and comparison', warm && /Baseline/.test(warm.details || ''), warm && warm.details);
  check('diff: warmFunction, slower after the change, is red', warm && warm.rgb[0] > warm.rgb[1] + 60 && warm.rgb[0] > warm.rgb[2] + 60, warm && warm.rgb);
  check('diff: hotFunction, a smaller share after the change, is green', hotDiff && hotDiff.rgb[1] > hotDiff.rgb[0] + 30 && hotDiff.rgb[1] > hotDiff.rgb[2] + 30, hotDiff && hotDiff.rgb);
  await page.screenshot({ path: shot('panel-diff.png') });

  // 5. Bad input in the real page: said, not a crash.
  await render(page, { queries: { A: [] } });
  const msg = await page.textContent('[data-testid="promfiler-message"]').catch(() => null);
  check('no data: the panel says so', msg && /No data/.test(msg), msg);
  const hostile = ['say "hi"', 'back\\slash', '♯sharp', 'new\nline', '日本語 🔥', ''].map((n, i) => ({ metric: { signature: `(root)#${n}` }, value: [1, String(i + 1)] }));
  hostile.push({ metric: { pid: '1' }, value: [1, '5'] }, { metric: { signature: '(root)#nan' }, value: [1, 'NaN'] });
  await render(page, { queries: { A: hostile } });
  list = await namedBars(page);
  const names = list.filter((b) => b.row === 1).map((b) => b.name).sort();
  check('hostile names are drawn as they are (control characters escaped)', JSON.stringify(names) === JSON.stringify(['(empty)', 'back\\slash', 'new\\nline', 'say "hi"', '日本語 🔥', '♯sharp'].sort()), names);
  const notice = await page.textContent('[data-testid="promfiler-notice"]').catch(() => null);
  check('ignored series are said', notice && /1 series without a signature/.test(notice) && /NaN/.test(notice), notice);

  check('no error on the page in all of it', errors.length === 0, errors.slice(0, 3));
  check('no request left the page', outside.length === 0, outside.slice(0, 3));
  await browser.close();
}

main().then(
  () => process.exit(failures ? 1 : 0),
  (e) => {
    console.log(`not ok - ${TAG}: ${String(e).split('\n')[0]}`);
    process.exit(1);
  }
);
