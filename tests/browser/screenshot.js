// SPDX-License-Identifier: MIT
// screenshot.js: a PNG of a page, as headless Chromium draws it (for the
// README's picture of the demo app's flame graph).
//   node screenshot.js URL OUT.png [SEARCH]
'use strict';
const { chromium } = require('playwright-core');

const [url, out, search] = process.argv.slice(2);
(async () => {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
	await page.goto(url);
	await page.waitForSelector('#flame .frame', { timeout: 10000 });
	if (search)
		await page.fill('#search', search);
	await page.screenshot({ path: out, fullPage: true });
	await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
