// SPDX-License-Identifier: MIT
/* Unit tests for tree: child creation, self counts, windows, growth, id order. */
#include <criterion/criterion.h>

#include "tree.h"

static struct tree *t;

static void setup(void)
{
	t = tree__new(7);
	cr_assert_not_null(t);
}

static void teardown(void)
{
	tree__free(t);
}

TestSuite(tree, .init = setup, .fini = teardown);

/* Number of children of node, walking the sibling list. */
static size_t n_children(uint32_t node)
{
	size_t n = 0;

	for (uint32_t c = tree__node(t, node)->first_child; c != TREE_NONE;
	     c = tree__node(t, c)->next_sibling) {
		cr_assert_eq(tree__node(t, c)->parent, node);
		n++;
	}
	return n;
}

Test(tree, new_holds_only_the_root)
{
	const struct tree_node *r = tree__node(t, TREE_ROOT);

	cr_assert_eq(tree__size(t), 1);
	cr_assert_not_null(r);
	cr_assert_eq(r->parent, TREE_NONE);
	cr_assert_eq(r->frame, 7);
	cr_assert_eq(r->first_child, TREE_NONE);
	cr_assert_eq(r->next_sibling, TREE_NONE);
	cr_assert_eq(r->self_filling + r->self_window + r->self_total, 0);
	cr_assert_null(tree__node(t, 1));
	cr_assert_null(tree__node(t, TREE_NONE));
}

Test(tree, child_is_idempotent)
{
	uint32_t a = tree__child(t, TREE_ROOT, 1);
	uint32_t b = tree__child(t, TREE_ROOT, 2);
	uint32_t aa = tree__child(t, a, 1);

	cr_assert_neq(a, TREE_NONE);
	cr_assert_neq(a, b);
	cr_assert_neq(aa, a, "same frame under another parent is another node");
	cr_assert_eq(tree__child(t, TREE_ROOT, 1), a);
	cr_assert_eq(tree__child(t, TREE_ROOT, 2), b);
	cr_assert_eq(tree__child(t, a, 1), aa);
	cr_assert_eq(tree__size(t), 4);
	cr_assert_eq(tree__node(t, a)->frame, 1);
	cr_assert_eq(tree__node(t, aa)->parent, a);
	cr_assert_eq(n_children(TREE_ROOT), 2);
	cr_assert_eq(n_children(a), 1);
	cr_assert_eq(n_children(b), 0);
}

Test(tree, child_of_unknown_parent_fails)
{
	cr_assert_eq(tree__child(t, 5, 1), TREE_NONE);
	cr_assert_eq(tree__child(t, TREE_NONE, 1), TREE_NONE);
	cr_assert_eq(tree__size(t), 1);
}

Test(tree, self_counts_and_windows)
{
	uint32_t a = tree__child(t, TREE_ROOT, 1);
	uint32_t b = tree__child(t, a, 2);
	const struct tree_node *na, *nb;

	tree__add(t, a, 3);
	tree__add(t, a, 2);
	tree__add(t, b, 1);
	tree__add(t, 99, 1); /* unknown node: ignored */
	na = tree__node(t, a);
	nb = tree__node(t, b);
	cr_assert_eq(na->self_filling, 5);
	cr_assert_eq(na->self_window, 0);
	cr_assert_eq(na->self_total, 5);
	cr_assert_eq(nb->self_filling, 1);
	cr_assert_eq(tree__node(t, TREE_ROOT)->self_total, 0, "self, not inclusive");

	tree__end_window(t);
	cr_assert_eq(na->self_filling, 0);
	cr_assert_eq(na->self_window, 5);
	cr_assert_eq(nb->self_window, 1);

	tree__add(t, a, 4);
	cr_assert_eq(na->self_filling, 4);
	cr_assert_eq(na->self_window, 5, "filling does not touch the last window");
	cr_assert_eq(na->self_total, 9);

	tree__end_window(t);
	cr_assert_eq(na->self_window, 4);
	cr_assert_eq(nb->self_window, 0, "nothing sampled: window is 0");
	cr_assert_eq(nb->self_total, 1);

	tree__end_window(t);
	cr_assert_eq(na->self_window, 0);
	cr_assert_eq(na->self_total, 9);
}

Test(tree, many_nodes_grow_the_hash)
{
	enum { WIDE = 50000, DEEP = 50000 };
	uint32_t ids[WIDE], node = TREE_ROOT;

	for (uint32_t f = 0; f < WIDE; f++) {
		ids[f] = tree__child(t, TREE_ROOT, f);
		cr_assert_neq(ids[f], TREE_NONE);
	}
	for (uint32_t d = 0; d < DEEP; d++) {
		node = tree__child(t, node, WIDE + d);
		cr_assert_neq(node, TREE_NONE);
		tree__add(t, node, d);
	}
	cr_assert_eq(tree__size(t), 1 + WIDE + DEEP);
	for (uint32_t f = 0; f < WIDE; f++)
		cr_assert_eq(tree__child(t, TREE_ROOT, f), ids[f], "frame %u", f);
	cr_assert_eq(tree__size(t), 1 + WIDE + DEEP, "lookups created nothing");
	cr_assert_eq(n_children(TREE_ROOT), WIDE + 1);
	/* Walk the chain down again: same nodes, counts kept. */
	node = TREE_ROOT;
	for (uint32_t d = 0; d < DEEP; d++) {
		uint32_t next = tree__child(t, node, WIDE + d);

		cr_assert_eq(tree__node(t, next)->parent, node);
		cr_assert_eq(tree__node(t, next)->self_total, d);
		node = next;
	}
}

Test(tree, parents_have_smaller_ids)
{
	uint32_t x = 12345;

	for (int i = 0; i < 20000; i++) {
		uint32_t parent, frame;

		x = x * 1103515245u + 12345u;
		parent = (uint32_t)((x >> 8) % tree__size(t));
		frame = (x >> 20) % 8;
		cr_assert_neq(tree__child(t, parent, frame), TREE_NONE);
	}
	cr_assert_gt(tree__size(t), 1000);
	for (uint32_t id = 1; id < tree__size(t); id++)
		cr_assert_lt(tree__node(t, id)->parent, id, "node %u", id);
}

Test(tree, prune_removes_subtrees_and_keeps_order)
{
	uint32_t a = tree__child(t, TREE_ROOT, 1);
	uint32_t b = tree__child(t, TREE_ROOT, 2);
	uint32_t aa = tree__child(t, a, 3);
	uint32_t ba = tree__child(t, b, 4);
	uint32_t bab = tree__child(t, ba, 5);
	bool drop[6] = { false };
	uint32_t map[6];

	tree__add(t, aa, 2);
	tree__add(t, bab, 3);
	drop[b] = true; /* b, ba and bab go */
	cr_assert_eq(tree__prune(t, drop, map), 0);
	cr_assert_eq(tree__size(t), 3);
	cr_assert_eq(map[TREE_ROOT], TREE_ROOT);
	cr_assert_eq(map[b], TREE_NONE);
	cr_assert_eq(map[ba], TREE_NONE);
	cr_assert_eq(map[bab], TREE_NONE);
	cr_assert_eq(tree__find(t, TREE_ROOT, 1), map[a]);
	cr_assert_eq(tree__find(t, map[a], 3), map[aa]);
	cr_assert_eq(tree__find(t, TREE_ROOT, 2), TREE_NONE);
	cr_assert_eq(tree__node(t, map[aa])->self_total, 2);
	cr_assert_eq(n_children(TREE_ROOT), 1);
	cr_assert_eq(n_children(map[a]), 1);
	for (uint32_t id = 1; id < tree__size(t); id++)
		cr_assert_lt(tree__node(t, id)->parent, id, "parents still come first");
	/* The tree grows again as before. */
	uint32_t c = tree__child(t, TREE_ROOT, 2);

	cr_assert_eq(c, 3);
	cr_assert_eq(tree__find(t, TREE_ROOT, 2), c);
	cr_assert_eq(n_children(TREE_ROOT), 2);
}

Test(tree, add_counts_adds_each_count)
{
	uint32_t a = tree__child(t, TREE_ROOT, 1);

	tree__add_counts(t, a, 1, 2, 3);
	tree__add_counts(t, a, 1, 2, 3);
	cr_assert_eq(tree__node(t, a)->self_filling, 2);
	cr_assert_eq(tree__node(t, a)->self_window, 4);
	cr_assert_eq(tree__node(t, a)->self_total, 6);
}
