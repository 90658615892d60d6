// SPDX-License-Identifier: MIT
// check_live.js: opens the agent's own /flamegraph page of a profiled
// fixture (tests/fixtures/hot.js) in headless Chromium and checks it as a
// person would: it loads without errors or network requests, hotFunction's
// frame is the widest leaf, and searching for it reports its share.
//   node check_live.js URL SCREENSHOT.png
// One line per check, "ok - ..." or "not ok - ..."; exits 1 on a failure.
'use strict';

const { chromium } = require('playwright-core');

const [url, shot] = process.argv.slice(2);
let failures = 0;

function check(desc, cond, detail) {
	console.log(`${cond ? 'ok' : 'not ok'} - ${desc}${cond || detail === undefined ? '' : ` (got ${JSON.stringify(detail)})`}`);
	if (!cond) failures++;
}

(async () => {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
	const errors = [], requests = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
	const resp = await page.goto(url);
	check('the page answers 200', resp && resp.status() === 200, resp && resp.status());
	await page.waitForSelector('#flame .frame', { timeout: 10000 });
	const leaves = await page.$$eval('#flame .frame', (els) => {
		const b = els.map((e) => { const r = e.getBoundingClientRect();
			return { text: e.textContent, left: r.left, right: r.right, top: r.top,
				bottom: r.bottom, width: r.width }; });
		return b.filter((x) => !b.some((o) => o !== x && Math.abs(o.bottom - x.top) < 3 &&
			o.left >= x.left - 0.5 && o.right <= x.right + 0.5));
	});
	leaves.sort((a, b) => b.width - a.width);
	check('the widest leaf is hotFunction', leaves.length && leaves[0].text.startsWith('hotFunction'),
		leaves.slice(0, 3).map((l) => l.text));
	await page.fill('#search', 'hotFunction');
	const matched = (await page.textContent('#matched')).trim();
	const share = parseFloat((matched.match(/([\d.]+)%/) || [])[1]);
	check('search finds hotFunction and says its share', share > 30, matched);
	await page.screenshot({ path: shot, fullPage: true });
	check('no JS error and no network request', errors.length === 0 && requests.length === 0,
		{ errors, requests });
	await browser.close();
	process.exit(failures ? 1 : 0);
})().catch((e) => { console.log(`not ok - browser run failed: ${e}`); process.exit(1); });
