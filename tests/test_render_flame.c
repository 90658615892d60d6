// SPDX-License-Identifier: MIT
/* Unit tests for render_flame: escaping (XML, JSON in <script>), the SVG's
 * rects, tooltips, labels and well-formedness (xmllint when installed), the
 * HTML page's structure and embedded data (node's JSON.parse when
 * installed). The browser test is tests/integration/test_flame_html.sh. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fixture_tree.h"
#include "render_flame.h"

static struct tree *t;
static struct buf out;

static const char hostile[] = "<b>&\"x'</script><!--\xe2\x80\xa8\x01\xef\xbf\xbe";

/* main 12 = self 1 + fib 7 (self 5 + fib 2) (fixture__fib) + a very long
 * name 3 + hostile 1 */
static void setup(void)
{
	uint32_t main_;

	fixture__init();
	t = fixture__tree();
	main_ = fixture__fib(t);
	tree__add(t, child(t, main_, "averyveryverylongfunctionnamethatcannotfit"
			   "inthreesamplesofwidth\xc3\xa9\xc3\xa9\xc3\xa9"), 3);
	tree__add(t, child(t, main_, hostile), 1);
	tree__end_window(t);
	buf__init(&out);
}

static void teardown(void)
{
	buf__release(&out);
	tree__free(t);
	fixture__fini();
}

TestSuite(render_flame, .init = setup, .fini = teardown);

static const char *render(bool html, const char *title)
{
	const struct tree *trees[] = { t };
	const struct flame_opts opts = {
		.frames = st, .count = COUNT_WINDOW, .seconds_per_sample = 0.01,
		.title = title, .width = 1000,
	};

	buf__reset(&out);
	cr_assert_eq(html ? render_flame__html(&out, trees, 1, &opts) :
			    render_flame__svg(&out, trees, 1, &opts), 0);
	return out.data;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Pipes text to a shell command; its exit status (or -1 when `tool` is not
 * installed: the check is then only logged as skipped). */
static int pipe_to(const char *tool, const char *cmd, const char *text)
{
	char probe[128];
	FILE *p;
	int status;

	snprintf(probe, sizeof(probe), "command -v %s >/dev/null 2>&1", tool);
	if (system(probe) != 0) {
		cr_log_warn("%s not on PATH: check skipped", tool);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	p = popen(cmd, "w");
	cr_assert_not_null(p);
	fputs(text, p);
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Test(render_flame, xml_escape)
{
	render_flame__xml_escape(&out, "a&b<c>d\"e'f \xc3\xa9\t\x1f\xef\xbf\xbf\xef\xbf\xbd");
	cr_assert_str_eq(out.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f \xc3\xa9"
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	buf__reset(&out);
	render_flame__xml_escape(&out, "");
	cr_assert_str_eq(out.data ? out.data : "", "");
}

Test(render_flame, json_string)
{
	render_flame__json_string(&out, "q\"b\\s/<x>&\n\t\x01\x7f"
				  "\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa\xc3\xa9");
	cr_assert_str_eq(out.data, "\"q\\\"b\\\\s/\\u003cx\\u003e\\u0026\\u000a"
			 "\\u0009\\u0001\\u007f\\u2028\\u2029\xe2\x80\xaa\xc3\xa9\"");
	buf__reset(&out);
	render_flame__json_string(&out, "</script>");
	cr_assert_str_eq(out.data, "\"\\u003c/script\\u003e\"");
}

Test(render_flame, svg_rects_titles_and_widths)
{
	const char *svg = render(false, NULL);

	cr_assert_eq(strncmp(svg, "<?xml ", 6), 0);
	cr_assert_eq(count(svg, "<g><title>"), 6, "one per node:\n%s", svg);
	cr_assert_eq(count(svg, "<rect "), 7, "6 frames + background");
	cr_assert_not_null(strstr(svg, "<title>fib (7 samples, 58.33%)</title>"), "%s", svg);
	cr_assert_not_null(strstr(svg, "<title>fib (2 samples, 16.67%)</title>"));
	cr_assert_not_null(strstr(svg, "<title>(root) (12 samples, 100.00%)</title>"));
	cr_assert_not_null(strstr(svg, ">promfiler-bpf</text>"), "default title");
	cr_assert_not_null(strstr(svg, ">12 samples, 0.120 s of CPU</text>"));
	/* 1000 px less 2 x 10 of padding: 980 for 12 samples, rows of 16 px from
	 * the bottom (height 132 less 12). fib's 7 follow the hostile name's 1
	 * and the long name's 3 (byte order: '<' < 'a' < 'f'). */
	cr_assert_not_null(strstr(svg, "height=\"132\""), "%s", svg);
	cr_assert_not_null(strstr(svg, "<rect x=\"10.0\" y=\"104\" width=\"980.0\""), "%s", svg);
	cr_assert_not_null(strstr(svg, "<rect x=\"10.0\" y=\"88\" width=\"980.0\""));
	cr_assert_not_null(strstr(svg, "<rect x=\"10.0\" y=\"72\" width=\"81.7\""));
	cr_assert_not_null(strstr(svg, "<rect x=\"91.7\" y=\"72\" width=\"245.0\""));
	cr_assert_not_null(strstr(svg, "<rect x=\"336.7\" y=\"72\" width=\"571.7\""));
	cr_assert_not_null(strstr(svg, "<rect x=\"336.7\" y=\"56\" width=\"163.3\""));
	cr_assert_not_null(strstr(svg, "fill=\"rgb("));
	cr_assert_eq(strcmp(svg + strlen(svg) - 7, "</svg>\n"), 0);
}

Test(render_flame, svg_labels_clipped)
{
	const char *svg = render(false, NULL);
	/* 3 of 12 samples: 245 px, room for 33 characters: 31 and "..". */
	const char *want = ">averyveryverylongfunctionnameth..</text>";

	cr_assert_not_null(strstr(svg, want), "%s", svg);
	cr_assert_not_null(strstr(svg, ">main</text>"));
	/* 1 sample: 81.7 px, 10 characters: 8 code points of the escaped name */
	cr_assert_not_null(strstr(svg, ">&lt;b&gt;&amp;&quot;x&#39;&lt;..</text>"), "%s", svg);
}

Test(render_flame, svg_escapes_names_and_is_well_formed_xml)
{
	const char *svg = render(false, "pid 1 <x> & \"y\"");
	int rc;

	cr_assert_not_null(strstr(svg, ">pid 1 &lt;x&gt; &amp; &quot;y&quot;</text>"));
	cr_assert_not_null(strstr(svg, "<title>&lt;b&gt;&amp;&quot;x&#39;&lt;/script&gt;"
				  "&lt;!--\xe2\x80\xa8\xef\xbf\xbd\xef\xbf\xbd (1 sample, 8.33%)</title>"),
			   "%s", svg);
	cr_assert_null(strstr(svg, "<b>"));
	rc = pipe_to("xmllint", "xmllint --noout - 1>&2", svg);
	cr_assert(rc <= 0, "xmllint rejected:\n%s", svg);
}

Test(render_flame, svg_empty_profile)
{
	struct tree *saved = t;
	const char *svg;
	int rc;

	t = fixture__tree();
	child(t, TREE_ROOT, "unsampled");
	svg = render(false, NULL);
	cr_assert_eq(count(svg, "<g><title>"), 0, "%s", svg);
	cr_assert_not_null(strstr(svg, ">No samples</text>"));
	rc = pipe_to("xmllint", "xmllint --noout - 1>&2", svg);
	cr_assert(rc <= 0, "xmllint rejected:\n%s", svg);
	tree__free(t);
	t = saved;
}

Test(render_flame, html_is_self_contained)
{
	const char *html = render(true, "promfiler-bpf: pid 1234 (node) <&>");

	cr_assert_eq(strncmp(html, "<!DOCTYPE html>\n", 16), 0);
	cr_assert_null(strstr(html, "://"), "no URL at all in the page");
	cr_assert_not_null(strstr(html, "Content-Security-Policy\" content=\"default-src 'none';"));
	cr_assert_not_null(strstr(html,
		"<title>promfiler-bpf: pid 1234 (node) &lt;&amp;&gt;</title>"));
	cr_assert_not_null(strstr(html, "<h1 id=\"title\">promfiler-bpf: pid 1234 (node) &lt;&amp;&gt;</h1>"));
	cr_assert_eq(count(html, "<script"), 2, "the data and the code");
	cr_assert_eq(count(html, "</script>"), 2, "names cannot end a script");
	cr_assert_eq(count(html, "<style>"), 1);
	cr_assert_not_null(strstr(html, "function draw()"), "flame.js is embedded");
	cr_assert_not_null(strstr(html, ".frame.match"), "flame.css is embedded");
	cr_assert_not_null(strstr(html, "id=\"search\""));
	cr_assert_not_null(strstr(html, "id=\"reset\""));
	cr_assert_eq(strcmp(html + strlen(html) - 8, "</html>\n"), 0);
}

Test(render_flame, html_data)
{
	const char *html = render(true, NULL);
	const char *start = strstr(html, "<script type=\"application/json\" id=\"flame-data\">");
	char *data;
	int rc;

	cr_assert_not_null(start);
	start = strchr(start, '>') + 1;
	data = strndup(start, (size_t)(strstr(start, "</script>") - start));
	cr_assert_not_null(strstr(data, "\"secondsPerSample\":0.01,"), "%s", data);
	cr_assert_not_null(strstr(data, "\"title\":\"promfiler-bpf\""));
	/* preorder, children by name: root, main, <b>..., averyvery..., fib, fib */
	cr_assert_not_null(strstr(data, "\"nodes\":[\n[0,-1,0,12],\n[1,0,1,12],\n"
				  "[2,1,1,1],\n[3,1,3,3],\n[4,1,5,7],\n[4,4,2,2]]}"), "%s", data);
	cr_assert_not_null(strstr(data, "\"\\u003cb\\u003e\\u0026\\\"x'\\u003c/script\\u003e"
				  "\\u003c!--\\u2028\\u0001\xef\xbf\xbe\""), "%s", data);
	/* The data must parse, and the hostile name must come back intact. */
	rc = pipe_to("node", "node -e '"
		"const d = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));"
		"process.exit(d.names.length === 5 && d.nodes.length === 6 &&"
		" d.names[2] === \"<b>&\\\"x\\x27</script><!--\\u2028\\u0001\\ufffe\" ? 0 : 1)'",
		data);
	cr_assert(rc <= 0, "JSON.parse or names mismatch:\n%s", data);
	free(data);
}

/* The embedded assets must not close their own element early. */
Test(render_flame, html_assets_cannot_break_out)
{
	const char *html = render(true, NULL);
	const char *js = strstr(html, "<script>\n");
	const char *css = strstr(html, "<style>\n");

	cr_assert(js && css);
	cr_assert_eq(strstr(js, "</script>"), strstr(js + 1, "</script>\n</body>"));
	/* "<!--" then "<script" would make the parser skip the next "</script>". */
	cr_assert_null(strstr(js, "<!--"));
	cr_assert_null(strstr(js + 1, "<script"));
	cr_assert_eq(strstr(css, "</style>"), strstr(css, "</style>\n</head>"));
}

Test(render_flame, merges_trees)
{
	struct tree *other = fixture__tree();
	const struct tree *trees[] = { t, other };
	const struct flame_opts opts = { .frames = st, .count = COUNT_WINDOW };

	tree__add(other, child(other, child(other, TREE_ROOT, "main"), "fib"), 5);
	tree__end_window(other);
	cr_assert_eq(render_flame__svg(&out, trees, 2, &opts), 0);
	cr_assert_not_null(strstr(out.data, "<title>fib (12 samples, 70.59%)</title>"), "%s", out.data);
	cr_assert_not_null(strstr(out.data, ">17 samples</text>"), "no period, no seconds");
	tree__free(other);
}
