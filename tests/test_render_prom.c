// SPDX-License-Identifier: MIT
/* Unit tests for render_prom: golden exposition, label escaping, promtool check. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fixture_tree.h"
#include "render_prom.h"

static struct tree *t1, *t2;
static struct buf out;

static const struct prom_label labels1[] = { { "pid", "4242" }, { "comm", "node" } };
static const struct prom_label labels2[] = { { "pid", "77" }, { "comm", "worker" } };

/* Two processes (fixture_tree.h). t1 (pid 4242), with its early window:
 * gc 3, main>helper>leaf 2. Last window: main 1, main>fib 5, main>fib>fib 2.
 * Filling: main>fib 4. t2 (pid 77): one window with main 3. */
static void setup(void)
{
	fixture__init();
	t1 = fixture__process(true);
	t2 = fixture__main_only();
	buf__init(&out);
}

static void teardown(void)
{
	buf__release(&out);
	tree__free(t1);
	tree__free(t2);
	fixture__fini();
}

TestSuite(render_prom, .init = setup, .fini = teardown);

static void render(enum prom_weight weight)
{
	const struct prom_profile profiles[] = {
		{ t1, labels1, 2 },
		{ t2, labels2, 2 },
	};
	const struct prom_profile_opts opts = {
		.frames = st, .separator = "#", .weight = weight,
		.seconds_per_sample = 0.01,
	};

	cr_assert_eq(render_prom__profiles(&out, profiles, 2, &opts), 0);
}

static char *slurp(const char *name)
{
	char path[512], *data = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/golden/%s", FIXTURES, name);
	f = fopen(path, "re");
	cr_assert_not_null(f, "open %s", path);
	cr_assert_eq(getdelim(&data, &len, '\0', f) > 0, true);
	fclose(f);
	return data;
}

/* Asserts that `promtool check metrics` accepts text (skipped without promtool). */
static void promtool_check(const char *text)
{
	FILE *p;
	int status;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		cr_log_warn("promtool not on PATH: exposition not checked by promtool");
		return;
	}
	signal(SIGPIPE, SIG_IGN);
	p = popen("promtool check metrics 1>&2", "w");
	cr_assert_not_null(p);
	fputs(text, p);
	status = pclose(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "promtool check metrics rejected:\n%s", text);
}

Test(render_prom, golden_self)
{
	char *want = slurp("profile_self.prom");

	render(PROM_WEIGHT_SELF);
	cr_assert_str_eq(out.data, want);
	free(want);
	promtool_check(out.data);
}

Test(render_prom, golden_total)
{
	char *want = slurp("profile_total.prom");

	render(PROM_WEIGHT_TOTAL);
	cr_assert_str_eq(out.data, want);
	free(want);
	promtool_check(out.data);
}

Test(render_prom, next_window_drops_unsampled_nodes)
{
	/* End the window in which only main>fib (4) was sampled. */
	tree__end_window(t1);
	render(PROM_WEIGHT_SELF);
	cr_assert_not_null(strstr(out.data,
		"promfiler_cpu_profile{signature=\"(root)#main#fib\",pid=\"4242\",comm=\"node\"} 4\n"));
	cr_assert_not_null(strstr(out.data,
		"promfiler_cpu_profile{signature=\"(root)#main\",pid=\"4242\",comm=\"node\"} 0\n"));
	cr_assert_null(strstr(out.data, "promfiler_cpu_profile{signature=\"(root)#main#fib#fib\""));
	cr_assert_not_null(strstr(out.data,
		"promfiler_cpu_seconds_total{signature=\"(root)#main#fib#fib\",pid=\"4242\",comm=\"node\"} 0.02\n"),
		"the counter keeps every node with self time");
}

Test(render_prom, empty_tree_has_no_series)
{
	struct tree *t = fixture__tree();
	const struct prom_profile p = { t, labels1, 2 };
	const struct prom_profile_opts opts = {
		.frames = st, .separator = "#", .weight = PROM_WEIGHT_TOTAL,
		.seconds_per_sample = 0.01,
	};

	cr_assert_eq(render_prom__profiles(&out, &p, 1, &opts), 0);
	cr_assert_null(strstr(out.data, "{signature="), "got:\n%s", out.data);
	cr_assert_not_null(strstr(out.data, "# TYPE promfiler_cpu_profile gauge\n"));
	cr_assert_not_null(strstr(out.data, "# TYPE promfiler_cpu_seconds_total counter\n"));
	tree__free(t);
	promtool_check(out.data);
}

Test(render_prom, escapes_frame_names_and_label_values)
{
	struct tree *t = fixture__tree();
	const struct prom_label labels[] = { { "pid", "1" }, { "comm", "x\\y\"z\nw" } };
	const struct prom_profile p = { t, labels, 2 };
	const struct prom_profile_opts opts = {
		.frames = st, .separator = "#", .weight = PROM_WEIGHT_SELF,
		.seconds_per_sample = 0.5,
	};

	tree__add(t, child(t, TREE_ROOT, "a\\b\"c\nd"), 3);
	tree__end_window(t);
	cr_assert_eq(render_prom__profiles(&out, &p, 1, &opts), 0);
	cr_assert_not_null(strstr(out.data,
		"promfiler_cpu_profile{signature=\"(root)#a\\\\b\\\"c\\nd\",pid=\"1\",comm=\"x\\\\y\\\"z\\nw\"} 3\n"),
		"got:\n%s", out.data);
	cr_assert_not_null(strstr(out.data,
		"promfiler_cpu_seconds_total{signature=\"(root)#a\\\\b\\\"c\\nd\",pid=\"1\",comm=\"x\\\\y\\\"z\\nw\"} 1.5\n"),
		"got:\n%s", out.data);
	tree__free(t);
	promtool_check(out.data);
}

Test(render_prom, escape_and_sample)
{
	const struct prom_label l[] = { { "reason", "a\"b" }, { "path", "c:\\d\n" } };

	render_prom__escape(&out, "plain");
	cr_assert_str_eq(out.data, "plain");
	buf__reset(&out);
	render_prom__escape(&out, "\\\"\n\\\\");
	cr_assert_str_eq(out.data, "\\\\\\\"\\n\\\\\\\\");
	buf__reset(&out);
	render_prom__header(&out, "promfiler_x_total", "counter", "Things.");
	render_prom__sample(&out, "promfiler_x_total", l, 2, 2);
	render_prom__sample(&out, "promfiler_x_total", NULL, 0, 0.25);
	cr_assert_str_eq(out.data,
		"# HELP promfiler_x_total Things.\n"
		"# TYPE promfiler_x_total counter\n"
		"promfiler_x_total{reason=\"a\\\"b\",path=\"c:\\\\d\\n\"} 2\n"
		"promfiler_x_total 0.25\n");
	promtool_check(out.data);
}

Test(render_prom, values_keep_their_digits)
{
	render_prom__sample(&out, "a", NULL, 0, 1731234567.89);
	render_prom__sample(&out, "b", NULL, 0, 0.1);
	render_prom__sample(&out, "c", NULL, 0, 1.0 / 3);
	render_prom__sample(&out, "d", NULL, 0, 1e300);
	render_prom__sample(&out, "e", NULL, 0, -0.5);
	cr_assert_str_eq(out.data, "a 1731234567.89\nb 0.1\nc 0.3333333333333333\n"
				   "d 1e+300\ne -0.5\n");
}
