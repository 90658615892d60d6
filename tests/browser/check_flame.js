// SPDX-License-Identifier: MIT
// check_flame.js: drives render_flame's HTML page in headless Chromium
// (playwright-core, the system's /usr/bin/chromium) and reports one line per
// check, "ok - ..." or "not ok - ...", as tests/integration/lib.sh does.
//   node check_flame.js PAGE.html SCREENSHOT_DIR
// PAGE is `render_fixture html` (tests/tools/render_fixture.c): 348 samples,
// hotFunction 281 of them, under mainLoop (334); two frames with hostile
// names. Exits 1 when a check fails.
'use strict';

const path = require('path');
const { chromium } = require('playwright-core');

const [page_path, shots] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
let failures = 0;

function check(desc, cond, detail) {
	if (cond) {
		console.log(`ok - ${desc}`);
	} else {
		console.log(`not ok - ${desc}${detail === undefined ? '' : ` (got ${JSON.stringify(detail)})`}`);
		failures++;
	}
}

// Every drawn frame: its text, box, and whether it is a leaf (no frame
// drawn on the row above within its span: the root is at the bottom).
function frames(page) {
	return page.$$eval('#flame .frame', (els) => {
		const boxes = els.map((e) => {
			const r = e.getBoundingClientRect();
			return { text: e.textContent, id: e.dataset.id, cls: e.className,
				left: r.left, right: r.right, top: r.top, bottom: r.bottom,
				width: r.width };
		});
		for (const b of boxes)
			b.leaf = !boxes.some((o) => o !== b && Math.abs(o.bottom - b.top) < 3 &&
				o.left >= b.left - 0.5 && o.right <= b.right + 0.5);
		return boxes;
	});
}

async function search(page, text, regex) {
	await page.setChecked('#regex', !!regex);
	await page.fill('#search', text);
	return (await page.textContent('#matched')).trim();
}

async function main() {
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync'],
	});
	const page = await browser.newPage({ viewport: { width: 1280, height: 400 } });
	const errors = [];
	const requests = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });

	await page.goto('file://' + path.resolve(page_path), { waitUntil: 'load' });
	await page.waitForSelector('#flame .frame', { timeout: 10000 });

	check('the page loads without JS errors', errors.length === 0, errors);
	check('the page makes no network request', requests.length === 0, requests);
	check('title is the escaped fixture title, not changed by a frame name',
		(await page.title()) === 'promfiler-bpf: pid 1234 (node) <fixture> & "co"',
		await page.title());
	check('frame names inject no element (no <img>, only the page\'s two scripts)',
		(await page.$$eval('img', (e) => e.length)) === 0 &&
		(await page.$$eval('script', (e) => e.length)) === 2);

	let fs = await frames(page);
	check('12 frames are drawn', fs.length === 12, fs.length);
	const hot = fs.find((f) => f.text === 'hotFunction');
	const leaves = fs.filter((f) => f.leaf).sort((a, b) => b.width - a.width);
	check('hotFunction is drawn', !!hot);
	check('hotFunction is the widest leaf', hot && leaves[0] === hot,
		leaves.map((f) => f.text || f.id));
	const root = fs.find((f) => f.text === '(root)');
	check('hotFunction is 281/348 of the root\'s width',
		hot && root && Math.abs(hot.width / root.width - 281 / 348) < 0.01,
		hot && root && hot.width / root.width);
	check('the root is at the bottom', root && fs.every((f) => f.bottom <= root.bottom + 0.5));

	await page.hover(`#flame .frame[data-id="${hot.id}"]`);
	const tip = await page.textContent('#tooltip');
	check('hovering hotFunction shows a tooltip with samples and percentages',
		await page.isVisible('#tooltip') && tip.includes('hotFunction') &&
		tip.includes('281 samples (80.75% of all)'), tip);
	await page.screenshot({ path: path.join(shots, 'flame_html.png'), fullPage: true });

	check('search "hot" reports its share', (await search(page, 'hot')) ===
		'Matched: 80.75% of samples', await page.textContent('#matched'));
	fs = await frames(page);
	const marked = fs.filter((f) => / match/.test(f.cls)).map((f) => f.text);
	check('search "hot" highlights hotFunction and nothing else',
		marked.length === 1 && marked[0] === 'hotFunction', marked);
	await page.screenshot({ path: path.join(shots, 'flame_html_search.png'), fullPage: true });
	check('search is case-insensitive', (await search(page, 'HOTFUNC')) ===
		'Matched: 80.75% of samples');
	check('nested matches count once (mainLoop contains hotFunction)',
		(await search(page, 'mainLoop|hotFunction', true)) === 'Matched: 95.98% of samples',
		await page.textContent('#matched'));
	check('a regex matches whole names', (await search(page, '^(hot|warm)function$', true)) ===
		'Matched: 92.24% of samples', await page.textContent('#matched'));
	check('an invalid regex is said, without a JS error',
		(await search(page, '(', true)) === 'Invalid regex' && errors.length === 0);
	check('a hostile name is one frame, found as plain text',
		(await search(page, '</script><script>document.title=')) ===
		'Matched: 0.86% of samples', await page.textContent('#matched'));
	check('U+2028 and ";" survive in a name', (await search(page, 'line\u2028separated;name')) ===
		'Matched: 0.57% of samples', await page.textContent('#matched'));
	await search(page, '');
	check('an empty search clears the highlight',
		(await page.$$eval('#flame .frame.match', (e) => e.length)) === 0);

	const main_loop = fs.find((f) => f.text === 'mainLoop');
	await page.click(`#flame .frame[data-id="${main_loop.id}"]`);
	fs = await frames(page);
	const z_hot = fs.find((f) => f.text === 'hotFunction');
	const z_main = fs.find((f) => f.text === 'mainLoop');
	check('clicking mainLoop zooms: it spans the width',
		z_main && root && Math.abs(z_main.width - root.width) < 1, z_main);
	check('zoomed: hotFunction is 281/334 of the width',
		z_hot && z_main && Math.abs(z_hot.width / z_main.width - 281 / 334) < 0.01,
		z_hot && z_main && z_hot.width / z_main.width);
	check('zoomed: frames outside mainLoop are hidden',
		!fs.some((f) => f.text === 'v8::internal::Heap::Scavenge'));
	check('zoomed: Reset zoom is enabled', await page.isEnabled('#reset'));
	await page.screenshot({ path: path.join(shots, 'flame_html_zoom.png'), fullPage: true });
	await page.click('#reset');
	fs = await frames(page);
	check('Reset zoom shows every frame again', fs.length === 12 &&
		!(await page.isEnabled('#reset')), fs.length);
	check('no JS error after all that', errors.length === 0, errors);

	await browser.close();
}

main().then(() => process.exit(failures ? 1 : 0), (e) => {
	console.log(`not ok - browser check crashed: ${e && e.stack || e}`);
	process.exit(1);
});
