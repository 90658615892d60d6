// SPDX-License-Identifier: MIT
/* flame.js: the interactive flame graph of render_flame's HTML page
 * (embedded in it at build time, see src/render_flame.c). It reads the
 * profile from the JSON in the page's "flame-data" script element (format in
 * render_flame.c: names, and nodes [name, parent, self, total] in preorder
 * with children sorted by name) and draws one div per frame: the root at the
 * bottom, width by inclusive samples. Click a frame to zoom into it (its
 * ancestors stay, dimmed, and zoom back out when clicked), "Reset zoom" to
 * see everything; the search box highlights matching frames (substring, or
 * regex when ticked; both case-insensitive) and shows the share of samples
 * they cover, counting nested matches once. No network, no libraries. */
(function () {
	'use strict';

	var ROW = 18; /* px per stack level; .frame is 17px high */
	var MATCH_ROUND = 2; /* decimals of percentages */

	var data = JSON.parse(document.getElementById('flame-data').textContent);
	var flame = document.getElementById('flame');
	var tip = document.getElementById('tooltip');
	var search = document.getElementById('search');
	var regexBox = document.getElementById('regex');
	var matchedEl = document.getElementById('matched');
	var resetBtn = document.getElementById('reset');

	var n = data.nodes.length;
	var name = new Array(n);
	var parent = new Int32Array(n);
	var self = new Float64Array(n);
	var total = new Float64Array(n);
	var depth = new Int32Array(n);
	var x = new Float64Array(n); /* samples left of the frame */
	var end = new Int32Array(n); /* a node's subtree is [i, end[i]) */
	var matched = new Uint8Array(n);
	var lower = null; /* lowercased names, made on the first search */
	var maxDepth = 0;
	var zoomed = 0;

	(function layout() {
		var next = new Float64Array(n);
		var i, p;

		for (i = 0; i < n; i++) {
			p = data.nodes[i][1];
			name[i] = data.names[data.nodes[i][0]];
			parent[i] = p;
			self[i] = data.nodes[i][2];
			total[i] = data.nodes[i][3];
			end[i] = i + 1;
			if (p >= 0) {
				depth[i] = depth[p] + 1;
				x[i] = x[p] + next[p];
				next[p] += total[i];
			}
			if (depth[i] > maxDepth)
				maxDepth = depth[i];
		}
		/* Preorder: a subtree ends where its last descendant does. */
		for (i = n - 1; i > 0; i--)
			if (end[i] > end[parent[i]])
				end[parent[i]] = end[i];
	})();

	/* FNV-1a over UTF-8 bytes and flamegraph.pl's "hot" palette, as
	 * render_flame.c does for the SVG: a frame keeps its color. */
	var colors = Object.create(null);
	var encoder = new TextEncoder();

	function color(s) {
		var c = colors[s];
		var bytes, h, i;

		if (c)
			return c;
		bytes = encoder.encode(s);
		h = 0x811c9dc5;
		for (i = 0; i < bytes.length; i++)
			h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
		c = 'rgb(' + (205 + Math.floor(((h >>> 16) & 0xff) * 50 / 255)) +
			',' + Math.floor((h & 0xff) * 230 / 255) +
			',' + Math.floor(((h >>> 8) & 0xff) * 55 / 255) + ')';
		colors[s] = c;
		return c;
	}

	function percent(part, whole) {
		return (whole ? 100 * part / whole : 0).toFixed(MATCH_ROUND) + '%';
	}

	function plural(v, what) {
		return v + ' ' + what + (v === 1 ? '' : 's');
	}

	function seconds(samples) {
		return (samples * data.secondsPerSample).toFixed(3) + ' s';
	}

	function frameDiv(id, left, width, cls, px) {
		var d = document.createElement('div');

		d.className = cls + (matched[id] ? ' match' : '');
		d.style.left = (left * 100) + '%';
		d.style.width = (width * 100) + '%';
		d.style.bottom = (depth[id] * ROW) + 'px';
		d.style.background = color(name[id]);
		d.dataset.id = id;
		if (width * px >= 14)
			d.textContent = name[id];
		else if (width * px < 8)
			d.classList.add('thin'); /* padding and borders would overflow */
		return d;
	}

	function draw() {
		var frag = document.createDocumentFragment();
		var px = flame.clientWidth || 1;
		var zt = total[zoomed];
		var i, p, w, empty;

		flame.style.height = ((maxDepth + 1) * ROW + 2) + 'px';
		resetBtn.disabled = zoomed === 0;
		if (!total[0]) {
			empty = document.createElement('div');
			empty.className = 'empty';
			empty.textContent = 'No samples in this profile.';
			flame.replaceChildren(empty);
			return;
		}
		/* The zoomed frame and its ancestors span the whole width. */
		for (p = zoomed; p >= 0; p = parent[p])
			frag.appendChild(frameDiv(p, 0, 1, p === zoomed ? 'frame' :
				'frame ancestor', px));
		for (i = zoomed + 1; i < end[zoomed]; i++) {
			w = total[i] / zt;
			if (w * px < 0.5) {
				i = end[i] - 1; /* too thin to see, and so are its callees */
				continue;
			}
			frag.appendChild(frameDiv(i, (x[i] - x[zoomed]) / zt, w,
				'frame', px));
		}
		flame.replaceChildren(frag);
	}

	function zoom(id) {
		zoomed = id;
		draw();
	}

	function match() {
		var q = search.value;
		var re = null;
		var covered = new Uint8Array(n);
		var sum = 0;
		var i, lq;

		matched.fill(0);
		search.classList.remove('bad');
		matchedEl.textContent = '';
		if (q && regexBox.checked) {
			try {
				re = new RegExp(q, 'i');
			} catch (e) {
				search.classList.add('bad');
				matchedEl.textContent = 'Invalid regex';
				q = '';
			}
		}
		if (q) {
			lq = q.toLowerCase();
			if (!lower)
				lower = name.map(function (s) { return s.toLowerCase(); });
			for (i = 0; i < n; i++) {
				/* A match inside a matching frame is already counted. */
				if (i > 0)
					covered[i] = covered[parent[i]] | matched[parent[i]];
				matched[i] = re ? re.test(name[i]) :
					lower[i].indexOf(lq) >= 0;
				if (matched[i] && !covered[i])
					sum += total[i];
			}
			matchedEl.textContent = 'Matched: ' + percent(sum, total[0]) +
				' of samples';
		}
		draw();
	}

	function showTip(ev) {
		var t = ev.target.closest && ev.target.closest('.frame');
		var id, lines, r;

		if (!t) {
			tip.hidden = true;
			return;
		}
		id = +t.dataset.id;
		lines = [name[id],
			plural(total[id], 'sample') + ' (' + percent(total[id], total[0]) +
				' of all' + (zoomed ? ', ' + percent(total[id], total[zoomed]) +
				' of the zoomed frame' : '') + ')',
			'self: ' + plural(self[id], 'sample') + ' (' +
				percent(self[id], total[0]) + ')'];
		if (data.secondsPerSample > 0)
			lines.push('CPU: ' + seconds(total[id]) + ' (self ' +
				seconds(self[id]) + ')');
		tip.textContent = lines.join('\n');
		tip.hidden = false;
		r = tip.getBoundingClientRect();
		tip.style.left = Math.max(0, Math.min(ev.clientX + 12,
			window.innerWidth - r.width - 4)) + 'px';
		tip.style.top = (ev.clientY + 16 + r.height > window.innerHeight ?
			ev.clientY - r.height - 8 : ev.clientY + 16) + 'px';
	}

	flame.addEventListener('click', function (ev) {
		var t = ev.target.closest('.frame');

		if (t) {
			zoom(+t.dataset.id);
			showTip(ev); /* its percentages changed */
		}
	});
	flame.addEventListener('mousemove', showTip);
	flame.addEventListener('mouseleave', function () {
		tip.hidden = true;
	});
	resetBtn.addEventListener('click', function () {
		zoom(0);
	});
	search.addEventListener('input', match);
	regexBox.addEventListener('change', match);
	document.addEventListener('keydown', function (ev) {
		if (ev.key === 'Escape' && document.activeElement !== search)
			zoom(0);
	});
	window.addEventListener('resize', draw);

	document.getElementById('summary').textContent = plural(total[0], 'sample') +
		(data.secondsPerSample > 0 ? ', ' + seconds(total[0]) + ' of CPU' : '') +
		'. Click a frame to zoom in, Reset zoom (or Escape) to zoom out.';
	draw();
})();
