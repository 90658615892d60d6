// SPDX-License-Identifier: MIT
/* Unit tests for render_folded: golden files, merging, name substitutions,
 * sort order. The trees are those of test_render_prom.c (fixture_tree.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_tree.h"
#include "render_folded.h"

static struct tree *t1, *t2;
static struct buf out;

/* t1, window 1: gc 3, main>helper>leaf 2. Window 2 (the last completed):
 * main 1, main>fib 5, main>fib>fib 2. Filling: main>fib 4.
 * t2: one window with main 3. */
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

TestSuite(render_folded, .init = setup, .fini = teardown);

static const char *render(const struct tree *const *trees, size_t n,
			  enum profile_count count)
{
	const struct folded_opts opts = { .frames = st, .count = count };

	buf__reset(&out);
	cr_assert_eq(render_folded__trees(&out, trees, n, &opts), 0);
	return out.data ? out.data : "";
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

Test(render_folded, golden_window_two_trees_summed)
{
	const struct tree *trees[] = { t1, t2 };
	char *want = slurp("folded_window.txt");

	cr_assert_str_eq(render(trees, 2, COUNT_WINDOW), want);
	free(want);
}

Test(render_folded, golden_total_two_trees_summed)
{
	const struct tree *trees[] = { t1, t2 };
	char *want = slurp("folded_total.txt");

	cr_assert_str_eq(render(trees, 2, COUNT_TOTAL), want);
	free(want);
}

Test(render_folded, filling_and_single_tree)
{
	const struct tree *trees[] = { t1, t2 };

	cr_assert_str_eq(render(trees, 2, COUNT_FILLING), "main;fib 4\n");
	cr_assert_str_eq(render(trees + 1, 1, COUNT_WINDOW), "main 3\n");
}

Test(render_folded, empty_tree_and_no_trees_write_nothing)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };

	child(t, TREE_ROOT, "never-sampled");
	cr_assert_str_eq(render(trees, 1, COUNT_TOTAL), "");
	cr_assert_str_eq(render(NULL, 0, COUNT_TOTAL), "");
	tree__free(t);
}

/* ';' would split a frame in two: it becomes ':', and two names that become
 * equal are one line. A newline would split the line. */
Test(render_folded, separator_and_newline_substituted)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };
	uint32_t cls = child(t, TREE_ROOT, "Foo;bar");

	tree__add(t, child(t, cls, "x;y"), 1);
	tree__add(t, child(t, cls, "x:y"), 2);
	tree__add(t, child(t, TREE_ROOT, "line\nbreak\r"), 4);
	tree__add(t, child(t, TREE_ROOT, "Foo:bar"), 8);
	tree__end_window(t);
	cr_assert_str_eq(render(trees, 1, COUNT_WINDOW),
			 "Foo:bar 8\n"
			 "Foo:bar;x:y 3\n"
			 "line break  4\n");
	tree__free(t);
}

/* Lines are sorted as strings, not in tree order: "a-x" sorts between "a"
 * and "a;b" although "a;b" is a's child. */
Test(render_folded, lines_sorted_as_strings)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };
	uint32_t a = child(t, TREE_ROOT, "a");

	tree__add(t, child(t, a, "b"), 1);
	tree__add(t, a, 2);
	tree__add(t, child(t, TREE_ROOT, "a-x"), 3);
	tree__add(t, child(t, TREE_ROOT, "B"), 4);
	tree__end_window(t);
	cr_assert_str_eq(render(trees, 1, COUNT_WINDOW),
			 "B 4\na 2\na-x 3\na;b 1\n");
	tree__free(t);
}

Test(render_folded, root_self_samples_under_the_root_name)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };

	tree__add(t, TREE_ROOT, 5);
	tree__add(t, child(t, TREE_ROOT, "main"), 1);
	tree__end_window(t);
	cr_assert_str_eq(render(trees, 1, COUNT_WINDOW), "(root) 5\nmain 1\n");
	tree__free(t);
}

Test(render_folded, appends_to_the_buffer)
{
	const struct tree *trees[] = { t2 };
	const struct folded_opts opts = { .frames = st, .count = COUNT_WINDOW };

	buf__puts(&out, "# head\n");
	cr_assert_eq(render_folded__trees(&out, trees, 1, &opts), 0);
	cr_assert_str_eq(out.data, "# head\nmain 3\n");
}
