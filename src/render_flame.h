// SPDX-License-Identifier: MIT
/* render_flame: signature trees -> flame graphs that need no network to view.
 *   - SVG, in the spirit of flamegraph.pl's output
 *     (https://github.com/brendangregg/FlameGraph): one rect per call-tree
 *     node, the root at the bottom, width by inclusive samples, a label
 *     clipped to the width, a <title> tooltip "name (N samples, P%)", warm
 *     colors from a hash of the name.
 *   - A self-contained HTML page (inline CSS and JS, a Content-Security-Policy
 *     that forbids any fetch) that draws the same tree from JSON embedded in
 *     it: click to zoom, reset, a search box that highlights matching frames
 *     (case-insensitive substring, or regex) and shows "Matched: X% of
 *     samples", tooltips with samples and percentages. The JS and CSS are
 *     src/flame.js and src/flame.css, embedded at build time.
 * Pure: trees and names in, bytes out; no clock, no I/O. Names may hold any
 * valid UTF-8: they are escaped for XML, HTML and JSON (in a <script>). */
#ifndef PROMFILER_RENDER_FLAME_H
#define PROMFILER_RENDER_FLAME_H

#include <stddef.h>

#include "buf.h"
#include "profile_view.h"
#include "strtab.h"
#include "tree.h"

struct flame_opts {
	const struct strtab *frames; /* names of the trees' frame ids */
	enum profile_count count;    /* which self count to draw */
	double seconds_per_sample;   /* the sampling period; 0 hides CPU seconds */
	const char *title;           /* plain text, e.g. "promfiler-bpf: pid 1234
					(node)"; NULL for "promfiler-bpf" */
	unsigned width;              /* SVG width in pixels; 0 for 1200 */
};

/* Append the flame graph of the n trees, merged by frame path. 0 or -ENOMEM. */
int render_flame__svg(struct buf *out, const struct tree *const *trees,
		      size_t n, const struct flame_opts *opts);
int render_flame__html(struct buf *out, const struct tree *const *trees,
		       size_t n, const struct flame_opts *opts);

/* Building blocks. Append s escaped as XML/HTML text or attribute value:
 * & < > " ' as entities, and what XML 1.0 cannot carry at all (C0 controls,
 * U+FFFE, U+FFFF) as U+FFFD. */
void render_flame__xml_escape(struct buf *out, const char *s);
/* Append s as a JSON string literal, quotes included, safe inside an HTML
 * <script> element: < > & as \u003c \u003e \u0026 (no "</script>" or
 * "<!--"), U+2028 and U+2029 and control characters as \u escapes. */
void render_flame__json_string(struct buf *out, const char *s);

#endif
