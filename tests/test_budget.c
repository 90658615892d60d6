// SPDX-License-Identifier: MIT
/* Unit tests for budget: stack -> path (trim, depth), the series budget
 * (bound, ancestors, what is kept, hot paths taking their place), the
 * counters (never down; their increases add up to the samples), bad budgets
 * (0, 1, below one stack's depth) and bounded memory under churn. Frames are
 * plain numbers here: the module knows no names. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"

enum { ROOT = 1, OTHER = 2, TRUNC = 3, F = 10 };

static struct budget *new_budget(unsigned int max_series, bool hold)
{
	struct budget_opts o = {
		.max_series = max_series, .hold_new = hold,
		.root_frame = ROOT, .other_frame = OTHER, .truncated_frame = TRUNC,
	};
	struct budget *b = budget__new(&o);

	cr_assert_not_null(b);
	return b;
}

static void add(struct budget *b, const uint32_t *frames, size_t n, uint64_t count)
{
	cr_assert_eq(budget__add(b, frames, n, n, count), 0);
}

/* One series, as render_prom would see it: its frames joined, and values. */
struct series {
	char key[512];
	uint64_t window, total, waiting;
};

struct snapshot {
	struct series *s;
	size_t n;
};

static void walk(const struct tree *t, uint32_t id, char *key, struct snapshot *out)
{
	const struct tree_node *n = tree__node(t, id);
	size_t len = strlen(key);

	snprintf(key + len, 512 - len, "%s%u", len ? "/" : "", n->frame);
	out->s = realloc(out->s, (out->n + 1) * sizeof(*out->s));
	cr_assert_not_null(out->s);
	snprintf(out->s[out->n].key, sizeof(out->s[out->n].key), "%s", key);
	out->s[out->n].window = n->self_window;
	out->s[out->n].total = n->self_total;
	out->s[out->n].waiting = n->self_filling;
	out->n++;
	for (uint32_t c = n->first_child; c != TREE_NONE; c = tree__node(t, c)->next_sibling)
		walk(t, c, key, out);
	key[len] = '\0';
}

static struct snapshot snap(const struct budget *b)
{
	struct tree *t = budget__series(b);
	struct snapshot s = { 0 };
	char key[512] = "";

	cr_assert_not_null(t);
	walk(t, TREE_ROOT, key, &s);
	tree__free(t);
	return s;
}

static const struct series *find(const struct snapshot *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->s[i].key, key) == 0)
			return &s->s[i];
	return NULL;
}

/* Series of a family: gauge (inclusive window samples > 0) or counter. */
static size_t gauge_series(const struct budget *b)
{
	struct tree *t = budget__series(b);
	size_t n = tree__size(t), count = 0;
	uint64_t *incl = calloc(n, sizeof(*incl));

	for (size_t i = 0; i < n; i++)
		incl[i] = tree__node(t, (uint32_t)i)->self_window;
	for (size_t i = n - 1; i > 0; i--)
		incl[tree__node(t, (uint32_t)i)->parent] += incl[i];
	for (size_t i = 0; i < n; i++)
		count += incl[i] > 0;
	free(incl);
	tree__free(t);
	return count;
}

static size_t counter_series(const struct snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->s[i].total || s->s[i].waiting;
	return n;
}

static bool is_other(const char *key)
{
	const char *slash = strrchr(key, '/');

	return slash && atoi(slash + 1) == OTHER;
}

static uint64_t window_other(const struct snapshot *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (is_other(s->s[i].key))
			n += s->s[i].window;
	return n;
}

static uint64_t window_all(const struct snapshot *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->s[i].window;
	return n;
}

static void release(struct snapshot *s)
{
	free(s->s);
	s->s = NULL;
	s->n = 0;
}

Test(budget, path_from_the_first_js_frame_with_trim)
{
	struct budget_opts o = {
		.trim_bootstrap = true, .root_frame = ROOT, .other_frame = OTHER,
		.truncated_frame = TRUNC,
	};
	struct budget *b = budget__new(&o);
	const uint32_t frames[] = { 20, 21, 22, 23 }; /* 22 is the first JS frame */
	const struct tree *t = budget__tree(b);

	cr_assert_eq(budget__add(b, frames, 4, 2, 5), 0);
	cr_assert_eq(tree__size(t), 3, "root, 22, 23");
	cr_assert_neq(tree__find(t, TREE_ROOT, 22), TREE_NONE);
	cr_assert_eq(tree__find(t, TREE_ROOT, 20), TREE_NONE);
	/* No JS frame at all: nothing to trim. */
	cr_assert_eq(budget__add(b, frames, 2, 2, 1), 0);
	cr_assert_neq(tree__find(t, TREE_ROOT, 20), TREE_NONE);
	budget__free(b);
}

Test(budget, depth_cut_ends_in_truncated)
{
	struct budget_opts o = {
		.max_depth = 3, .root_frame = ROOT, .other_frame = OTHER, .truncated_frame = TRUNC,
	};
	struct budget *b = budget__new(&o);
	const uint32_t frames[] = { 20, 21, 22, 23, 24 };
	const struct tree *t = budget__tree(b);
	uint32_t a, c;

	cr_assert_eq(budget__add(b, frames, 5, 5, 1), 0);
	a = tree__find(t, TREE_ROOT, 20);
	c = tree__find(t, tree__find(t, a, 21), TRUNC);
	cr_assert_neq(c, TREE_NONE, "two frames kept, then (truncated)");
	cr_assert_eq(tree__node(t, c)->self_total, 1);
	cr_assert_eq(tree__size(t), 4);
	/* A stack of exactly max_depth frames is not cut. */
	cr_assert_eq(budget__add(b, frames + 1, 3, 3, 1), 0);
	cr_assert_eq(tree__size(t), 7);
	budget__free(b);
}

Test(budget, no_limit_keeps_every_node_and_its_counts)
{
	struct budget *b = new_budget(0, false);
	struct snapshot s;

	for (uint32_t i = 0; i < 300; i++) {
		const uint32_t frames[] = { F, F + 1 + i % 30, F + 100 + i };

		add(b, frames, 3, 1 + i % 3);
	}
	cr_assert_eq(budget__end_window(b, NULL), 0);
	s = snap(b);
	cr_assert_eq(s.n, tree__size(budget__tree(b)), "every node is a series");
	cr_assert_eq(window_other(&s), 0);
	cr_assert_eq(window_all(&s), 600, "300 stacks, 1 + i %% 3 samples each");
	release(&s);
	budget__free(b);
}

/* A service-like load: a few hot paths and a long tail of rare ones. */
static void load(struct budget *b, unsigned int window, uint32_t base, uint64_t *taken)
{
	for (uint32_t i = 0; i < 400; i++) {
		uint32_t r = (i * 2654435761u + window * 40503u) % 1000;
		/* 70%: 12 hot paths of 3 frames; 30%: 6 frames, mostly unique. */
		uint32_t frames[6] = { F, base + 1 + r % 4, base + 10 + (r < 700 ? r % 3 : r % 13),
				       base + 30 + r % 37, base + 100 + r % 211, base + 400 + r };

		add(b, frames, r < 700 ? 3 : 6, 1);
		(*taken)++;
	}
}

/* The (other) share of a window and the series, window after window. */
Test(budget, series_stay_within_the_budget_with_every_ancestor)
{
	struct budget *b = new_budget(100, false);
	uint64_t taken = 0;

	for (unsigned int w = 0; w < 20; w++) {
		struct snapshot s;

		load(b, w, 1000, &taken);
		cr_assert_eq(budget__end_window(b, NULL), 0);
		s = snap(b);
		cr_assert_leq(gauge_series(b), 100);
		cr_assert_leq(counter_series(&s), 100);
		/* Every series' parent is a series: the tree has no gaps. */
		for (size_t i = 0; i < s.n; i++) {
			char parent[512];
			char *slash;

			snprintf(parent, sizeof(parent), "%s", s.s[i].key);
			slash = strrchr(parent, '/');
			if (!slash)
				continue;
			*slash = '\0';
			cr_assert_not_null(find(&s, parent), "%s has no parent series", s.s[i].key);
		}
		cr_assert_eq(window_all(&s), 400, "every sample of the window is shown");
		/* The hot paths (70% of the samples) are never folded. */
		if (w > 0)
			cr_assert_lt(window_other(&s), 400 * 40 / 100, "window %u: %lu of 400 in (other)",
				     w, (unsigned long)window_other(&s));
		release(&s);
	}
	budget__free(b);
}

/* A scrape, as a scraper sees the counters: a new series starts at 0, one
 * seen before never went down. seen keeps every series served and its last
 * value. */
static void scrape(struct budget *b, struct snapshot *seen)
{
	struct snapshot s = snap(b);

	budget__served(b);
	for (size_t i = 0; i < s.n; i++) {
		struct series *was = (struct series *)find(seen, s.s[i].key);

		if (!s.s[i].total && !s.s[i].waiting)
			continue; /* not served */
		if (!was) {
			cr_assert_eq(s.s[i].total, 0, "%s is new but starts at %lu", s.s[i].key,
				     (unsigned long)s.s[i].total);
			seen->s = realloc(seen->s, (seen->n + 1) * sizeof(*seen->s));
			was = &seen->s[seen->n++];
			*was = s.s[i];
			continue;
		}
		cr_assert_geq(s.s[i].total, was->total, "%s went down", s.s[i].key);
		was->total = s.s[i].total;
	}
	release(&s);
}

/* Never down, and every sample in one counter: the last values of all the
 * series ever served add up to the samples taken. */
Test(budget, counters_never_go_down_and_add_up)
{
	struct budget *b = new_budget(60, true);
	struct snapshot seen = { 0 };
	uint64_t taken = 0, sum = 0;

	for (unsigned int w = 0; w < 40; w++) {
		load(b, w, w < 20 ? 1000 : 5000, &taken); /* a phase change half-way */
		budget__credit(b, NULL);
		scrape(b, &seen);
		cr_assert_eq(budget__end_window(b, NULL), 0);
		scrape(b, &seen);
	}
	/* Quiet windows credit what still waits for its series. */
	for (int w = 0; w < 3; w++) {
		cr_assert_eq(budget__end_window(b, NULL), 0);
		scrape(b, &seen);
	}
	for (size_t i = 0; i < seen.n; i++)
		sum += seen.s[i].total;
	cr_assert_eq(sum, taken, "counters hold %lu of %lu samples", (unsigned long)sum,
		     (unsigned long)taken);
	release(&seen);
	budget__free(b);
}

/* A path that becomes hot gets its series at the next window's end; one that
 * went cold gives its place back. */
Test(budget, a_path_hot_later_gets_its_own_series)
{
	struct budget *b = new_budget(40, false);
	uint64_t taken = 0;
	const uint32_t hot[] = { F, 7001, 7002, 7003 };
	char key[64];
	struct snapshot s;

	for (unsigned int w = 0; w < 10; w++) {
		load(b, w, 1000, &taken);
		cr_assert_eq(budget__end_window(b, NULL), 0);
	}
	load(b, 10, 1000, &taken);
	add(b, hot, 4, 200);
	cr_assert_eq(budget__end_window(b, NULL), 0);
	s = snap(b);
	snprintf(key, sizeof(key), "%u/%u/7001/7002/7003", ROOT, F);
	cr_assert_not_null(find(&s, key), "the new hot path is a series after one window");
	cr_assert_eq(find(&s, key)->window, 200);
	release(&s);
	/* It goes cold; the old load comes back: its place is given back. */
	for (unsigned int w = 11; w < 30; w++) {
		load(b, w, 1000, &taken);
		cr_assert_eq(budget__end_window(b, NULL), 0);
	}
	s = snap(b);
	cr_assert_null(find(&s, key), "a cold path keeps no place");
	release(&s);
	budget__free(b);
}

/* A wide node whose samples are spread over many light leaves against a
 * deep chain with one heavy leaf: heaviest-first would spend the budget on
 * the wide node (50 samples), its (other) and the chain's top, and fold all
 * 80; the kept set instead holds the whole chain and folds only the 50. */
Test(budget, the_budget_goes_where_it_keeps_the_most_samples)
{
	struct budget *b = new_budget(6, false);
	const uint32_t deep[] = { 20, 21, 22, 23 };
	uint64_t folded = 0;
	char key[64];
	struct snapshot s;

	for (uint32_t i = 0; i < 50; i++)
		add(b, (const uint32_t[]){ 10, 100 + i }, 2, 1);
	add(b, deep, 4, 30);
	cr_assert_eq(budget__end_window(b, &folded), 0);
	s = snap(b);
	snprintf(key, sizeof(key), "%u/20/21/22/23", ROOT);
	cr_assert_not_null(find(&s, key), "the heavy leaf keeps its series");
	cr_assert_eq(find(&s, key)->window, 30);
	cr_assert_eq(window_other(&s), 50);
	cr_assert_leq(s.n, 6);
	release(&s);
	budget__free(b);
}

Test(budget, one_series_is_the_root_with_every_sample)
{
	struct budget *b = new_budget(1, false);
	uint64_t taken = 0;
	struct snapshot s;

	load(b, 0, 1000, &taken);
	cr_assert_eq(budget__end_window(b, NULL), 0);
	s = snap(b);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.s[0].window, 400);
	cr_assert_eq(s.s[0].total, 400);
	release(&s);
	budget__free(b);
}

Test(budget, a_budget_below_one_stack_keeps_its_outer_frames)
{
	struct budget *b = new_budget(5, false);
	uint32_t frames[20];
	struct snapshot s;
	char key[256];

	for (uint32_t i = 0; i < 20; i++)
		frames[i] = F + i;
	add(b, frames, 20, 10);
	cr_assert_eq(budget__end_window(b, NULL), 0);
	s = snap(b);
	cr_assert_leq(s.n, 5);
	/* (root) + 3 frames + their (other): 5 series. */
	/* (root), 2 frames and their (other); the root's (other) is held in
	 * reserve (for new paths between two windows) and counts too. */
	snprintf(key, sizeof(key), "%u/%u/%u/%u", ROOT, F, F + 1, OTHER);
	cr_assert_not_null(find(&s, key));
	cr_assert_eq(find(&s, key)->window, 10);
	cr_assert_eq(window_all(&s), 10);
	release(&s);
	budget__free(b);
}

/* Unique paths without end (code that churns): the tree stays bounded, and a
 * pruned series that comes back resumes its counter. */
Test(budget, memory_stays_bounded_under_churn)
{
	struct budget *b = new_budget(50, true);
	const uint32_t back[] = { F, 42, 43 };
	const struct tree *t = budget__tree(b);
	struct budget_stats st;
	uint64_t before = 0;
	char key[64];
	struct snapshot s;

	snprintf(key, sizeof(key), "%u/%u/42/43", ROOT, F);
	for (unsigned int w = 0; w < 200; w++) {
		for (uint32_t i = 0; i < 100; i++) {
			const uint32_t frames[] = { F, 100000 + w * 100 + i, 900 + i % 7 };

			add(b, frames, 3, 1);
		}
		if (w < 3 || w == 60)
			add(b, back, 3, 500);
		budget__credit(b, NULL);
		cr_assert_eq(budget__end_window(b, NULL), 0);
		cr_assert_leq(tree__size(t), 4096 + 3 * 100, "window %u: %zu nodes", w,
			      tree__size(t));
		s = snap(b);
		budget__served(b);
		if (find(&s, key)) {
			cr_assert_geq(find(&s, key)->total, before);
			before = find(&s, key)->total;
		}
		release(&s);
	}
	budget__stats(b, &st);
	cr_assert_gt(st.pruned_nodes, 10000);
	cr_assert_geq(before, 1500, "the path's counter resumed after its node was pruned");
	budget__free(b);
}
