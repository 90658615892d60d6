// SPDX-License-Identifier: MIT
/* fixture_tree.h: the frame names and profile trees shared by the unit tests
 * of the renderers (test_render_prom.c, _folded, _pprof, _flame) and of
 * profile_view (test_profile_view.c), so that they all check one known
 * profile. Header only: each test binary is one .c file, which includes this
 * after <criterion/criterion.h>. The helpers assert rather than return
 * errors, and `st` is the one strtab of the test binary, made by
 * fixture__init() in the suite's .init and freed by fixture__fini(). */
#ifndef PROMFILER_TESTS_FIXTURE_TREE_H
#define PROMFILER_TESTS_FIXTURE_TREE_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>

#include "strtab.h"
#include "tree.h"

/* The names of every frame of every tree in the test. */
static struct strtab *st;

static inline void fixture__init(void)
{
	st = strtab__new();
	cr_assert_not_null(st);
}

static inline void fixture__fini(void)
{
	strtab__free(st);
	st = NULL;
}

/* The strtab id of name. */
static inline uint32_t id(const char *name)
{
	uint32_t i = strtab__intern(st, name);

	cr_assert_neq(i, STRTAB_NONE);
	return i;
}

/* The child of parent named name, created if missing. */
static inline uint32_t child(struct tree *t, uint32_t parent, const char *name)
{
	uint32_t n = tree__child(t, parent, id(name));

	cr_assert_neq(n, TREE_NONE);
	return n;
}

/* A tree holding only "(root)"; the caller frees it. */
static inline struct tree *fixture__tree(void)
{
	struct tree *t = tree__new(id("(root)"));

	cr_assert_not_null(t);
	return t;
}

/* Adds to t's window being filled: main 1, main>fib 5, main>fib>fib 2.
 * Returns main, for callers that add more below it. */
static inline uint32_t fixture__fib(struct tree *t)
{
	uint32_t main_ = child(t, TREE_ROOT, "main");
	uint32_t fib = child(t, main_, "fib");

	tree__add(t, main_, 1);
	tree__add(t, fib, 5);
	tree__add(t, child(t, fib, "fib"), 2);
	return main_;
}

/* One process's tree (pid 4242 in test_render_prom.c). Creation order
 * matters to the exposition, where children are listed newest first.
 *   window 1 (with early_window): gc 3, main>helper>leaf 2
 *   last completed window: main 1, main>fib 5, main>fib>fib 2, and gc 3
 *                          when there is no window 1
 *   window being filled: main>fib 4 */
static inline struct tree *fixture__process(bool early_window)
{
	struct tree *t = fixture__tree();
	uint32_t main_ = child(t, TREE_ROOT, "main");
	uint32_t gc = child(t, TREE_ROOT, "gc");
	uint32_t fib = child(t, main_, "fib");

	tree__add(t, gc, 3);
	if (early_window) {
		tree__add(t, child(t, child(t, main_, "helper"), "leaf"), 2);
		tree__end_window(t);
	}
	fixture__fib(t);
	tree__end_window(t);
	tree__add(t, fib, 4);
	return t;
}

/* Another process's tree (pid 77 in test_render_prom.c): one completed
 * window with main 3. */
static inline struct tree *fixture__main_only(void)
{
	struct tree *t = fixture__tree();

	tree__add(t, child(t, TREE_ROOT, "main"), 3);
	tree__end_window(t);
	return t;
}

#endif
