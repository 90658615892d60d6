// SPDX-License-Identifier: MIT
/* Unit tests for profile_view: merging trees, counts, sorting, pruning. */
#include <criterion/criterion.h>
#include <string.h>

#include "fixture_tree.h"
#include "profile_view.h"

static struct profile_view v;

static const char *name_of(uint32_t node)
{
	return profile_view__name(st, v.nodes[node].frame);
}

static void setup(void)
{
	fixture__init();
	memset(&v, 0, sizeof(v));
}

static void teardown(void)
{
	profile_view__release(&v);
	fixture__fini();
}

TestSuite(profile_view, .init = setup, .fini = teardown);

Test(profile_view, self_picks_the_count)
{
	const struct tree_node n = { .self_filling = 1, .self_window = 2, .self_total = 3 };

	cr_assert_eq(profile_view__self(&n, COUNT_FILLING), 1);
	cr_assert_eq(profile_view__self(&n, COUNT_WINDOW), 2);
	cr_assert_eq(profile_view__self(&n, COUNT_TOTAL), 3);
}

/* Children come out by name whatever their creation order, in preorder,
 * with inclusive totals and depths. */
Test(profile_view, preorder_sorted_inclusive)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };
	uint32_t zeta, alpha, mid;

	zeta = child(t, TREE_ROOT, "zeta");
	alpha = child(t, TREE_ROOT, "alpha");
	mid = child(t, alpha, "mid");
	tree__add(t, child(t, mid, "z"), 1);
	tree__add(t, child(t, mid, "b"), 2);
	tree__add(t, zeta, 4);
	tree__add(t, alpha, 8);
	tree__end_window(t);

	cr_assert_eq(profile_view__build(&v, trees, 1, st, COUNT_WINDOW), 0);
	cr_assert_eq(v.n_nodes, 6);
	cr_assert_eq(v.max_depth, 3);
	const char *want[] = { "(root)", "alpha", "mid", "b", "z", "zeta" };
	const uint64_t total[] = { 15, 11, 3, 2, 1, 4 };
	const uint64_t self[] = { 0, 8, 0, 2, 1, 4 };
	const uint32_t depth[] = { 0, 1, 2, 3, 3, 1 };
	const uint32_t parent[] = { PROFILE_NONE, 0, 1, 2, 2, 0 };
	for (uint32_t i = 0; i < 6; i++) {
		cr_assert_str_eq(name_of(i), want[i], "node %u", i);
		cr_assert_eq(v.nodes[i].total, total[i], "node %u", i);
		cr_assert_eq(v.nodes[i].self, self[i], "node %u", i);
		cr_assert_eq(v.nodes[i].depth, depth[i], "node %u", i);
		cr_assert_eq(v.nodes[i].parent, parent[i], "node %u", i);
	}
	cr_assert_eq(v.nodes[0].first_child, 1);
	cr_assert_eq(v.nodes[1].next_sibling, 5);
	cr_assert_eq(v.nodes[5].next_sibling, PROFILE_NONE);
	cr_assert_eq(v.nodes[2].first_child, 3);
	cr_assert_eq(v.nodes[3].next_sibling, 4);
	cr_assert_eq(v.nodes[4].first_child, PROFILE_NONE);
	tree__free(t);
}

/* Two trees with a common path are summed node by node; nodes not sampled
 * in the chosen count are dropped, and so is a subtree without samples. */
Test(profile_view, merges_trees_and_drops_unsampled)
{
	struct tree *a = fixture__tree(), *b = fixture__tree();
	const struct tree *trees[] = { a, b };
	uint32_t a_main, a_fib, b_main;

	a_main = child(a, TREE_ROOT, "main");
	a_fib = child(a, a_main, "fib");
	tree__add(a, a_fib, 5);
	tree__add(a, child(a, TREE_ROOT, "idle"), 7);
	tree__end_window(a);
	tree__end_window(a); /* idle and fib: total only */
	tree__add(a, a_fib, 1); /* filling */
	child(a, a_main, "never");

	b_main = child(b, TREE_ROOT, "main");
	tree__add(b, child(b, b_main, "fib"), 2);
	tree__add(b, b_main, 3);
	tree__end_window(b);

	cr_assert_eq(profile_view__build(&v, trees, 2, st, COUNT_TOTAL), 0);
	cr_assert_eq(v.n_nodes, 4, "root, idle, main, main>fib");
	cr_assert_str_eq(name_of(1), "idle");
	cr_assert_eq(v.nodes[1].total, 7);
	cr_assert_str_eq(name_of(2), "main");
	cr_assert_eq(v.nodes[2].self, 3);
	cr_assert_eq(v.nodes[2].total, 11);
	cr_assert_str_eq(name_of(3), "fib");
	cr_assert_eq(v.nodes[3].self, 8, "5 + 1 from a, 2 from b");
	cr_assert_eq(v.nodes[0].total, 18);
	profile_view__release(&v);

	cr_assert_eq(profile_view__build(&v, trees, 2, st, COUNT_WINDOW), 0);
	cr_assert_eq(v.n_nodes, 3, "a's last window is empty: root, main, fib");
	cr_assert_eq(v.nodes[2].self, 2);
	cr_assert_eq(v.nodes[0].total, 5);
	profile_view__release(&v);

	cr_assert_eq(profile_view__build(&v, trees, 2, st, COUNT_FILLING), 0);
	cr_assert_eq(v.n_nodes, 3);
	cr_assert_eq(v.nodes[2].self, 1);
	tree__free(a);
	tree__free(b);
}

Test(profile_view, empty_inputs)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };

	child(t, TREE_ROOT, "unsampled");
	cr_assert_eq(profile_view__build(&v, trees, 1, st, COUNT_WINDOW), 0);
	cr_assert_eq(v.n_nodes, 1, "the root only");
	cr_assert_eq(v.nodes[0].total, 0);
	cr_assert_str_eq(name_of(0), "(root)");
	profile_view__release(&v);
	cr_assert_eq(profile_view__build(&v, NULL, 0, st, COUNT_WINDOW), 0);
	cr_assert_eq(v.n_nodes, 1);
	cr_assert_eq(v.nodes[0].first_child, PROFILE_NONE);
	tree__free(t);
}

Test(profile_view, root_self_and_unknown_names)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };
	uint32_t ghost = tree__child(t, TREE_ROOT, 999);

	cr_assert_neq(ghost, TREE_NONE);
	tree__add(t, ghost, 1);
	tree__add(t, TREE_ROOT, 2);
	tree__end_window(t);
	cr_assert_eq(profile_view__build(&v, trees, 1, st, COUNT_WINDOW), 0);
	cr_assert_eq(v.nodes[0].self, 2);
	cr_assert_eq(v.nodes[0].total, 3);
	cr_assert_str_eq(name_of(1), "(unknown)");
	tree__free(t);
}

/* A deep chain (recursion) is walked without recursion in the builder. */
Test(profile_view, deep_chain)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };
	uint32_t n = TREE_ROOT;

	for (int i = 0; i < 5000; i++)
		n = child(t, n, "fib");
	tree__add(t, n, 1);
	tree__end_window(t);
	cr_assert_eq(profile_view__build(&v, trees, 1, st, COUNT_WINDOW), 0);
	cr_assert_eq(v.n_nodes, 5001);
	cr_assert_eq(v.max_depth, 5000);
	cr_assert_eq(v.nodes[5000].depth, 5000);
	cr_assert_eq(v.nodes[1].total, 1);
	tree__free(t);
}
