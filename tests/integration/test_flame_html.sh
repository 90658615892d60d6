#!/bin/bash
# SPDX-License-Identifier: MIT
# The HTML flame graph in a real browser: render_fixture (tests/tools/
# render_fixture.c) writes the page of a fixture profile where hotFunction
# holds 281 of 348 samples; tests/browser/check_flame.js opens it in headless
# Chromium (playwright-core driving /usr/bin/chromium) and checks the DOM: no
# JS error or network request, hotFunction the widest leaf, search, zoom,
# tooltips, hostile names kept as text. Screenshots go to
# .output/artifacts/flame_html*.png. Needs no root; skips without Chromium
# (Debian package chromium) or without the npm registry to install
# playwright-core on first use.
source "$(dirname "$0")/lib.sh"

RENDER=${RENDER_FIXTURE:-$ROOT/.output/tests/render_fixture}
BROWSER_DIR=$ROOT/tests/browser
ARTIFACTS=$ROOT/.output/artifacts
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$RENDER" ]; then
	not_ok "$RENDER is missing (make test and make integration build it)"
	finish
fi
if [ ! -x "$CHROMIUM" ]; then
	skip "$CHROMIUM is missing (apt-get install chromium): flame graph page not checked in a browser"
	finish
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	skip "node or npm is missing: flame graph page not checked in a browser"
	finish
fi
if [ ! -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ]; then
	if ! (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1; then
		sed 's/^/#   /' "$WORK/npm.log"
		skip "npm ci in tests/browser failed (no registry?): flame graph page not checked in a browser"
		finish
	fi
fi

mkdir -p "$ARTIFACTS"
"$RENDER" html >"$ARTIFACTS/flame_fixture.html"; rc=$?
check "render_fixture writes the HTML page" [ "$rc" -eq 0 -a -s "$ARTIFACTS/flame_fixture.html" ]
rm -f "$ARTIFACTS"/flame_html*.png
node "$BROWSER_DIR/check_flame.js" "$ARTIFACTS/flame_fixture.html" "$ARTIFACTS"; rc=$?
[ "$rc" -eq 0 ] || FAILURES=$((FAILURES + 1))
check "a screenshot PNG is written to .output/artifacts/flame_html.png" \
	bash -c "head -c 8 '$ARTIFACTS/flame_html.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
finish
