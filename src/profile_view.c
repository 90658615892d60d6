// SPDX-License-Identifier: MIT
/* profile_view: merges signature trees into one sorted, inclusive call tree
 * for the renderers; see profile_view.h. Three passes: merge by (parent,
 * frame) through a hash, sum subtrees backwards (a child's id is always
 * larger than its parent's, in the trees and in the merge), then lay the
 * sampled nodes out in preorder with sorted children. */
#include "profile_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct merged {
	uint32_t parent;
	uint32_t frame;
	uint64_t self;
	uint64_t total;
};

uint64_t profile_view__self(const struct tree_node *n, enum profile_count count)
{
	switch (count) {
	case COUNT_TOTAL: return n->self_total;
	case COUNT_FILLING: return n->self_filling;
	case COUNT_WINDOW: break;
	}
	return n->self_window;
}

const char *profile_view__name(const struct strtab *frames, uint32_t frame)
{
	const char *s = strtab__get(frames, frame);

	return s ? s : "(unknown)";
}

static size_t slot_of(uint32_t parent, uint32_t frame, size_t nslots)
{
	uint64_t h = ((uint64_t)parent << 32 | frame) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (nslots - 1);
}

/* Sorting key of the kept non-root nodes: siblings become contiguous, in
 * name order. Frame ids break ties so that the order is total. */
struct sort_ctx {
	const struct merged *m;
	const struct strtab *frames;
};

static int by_parent_name(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct merged *x = &ctx->m[*(const uint32_t *)a];
	const struct merged *y = &ctx->m[*(const uint32_t *)b];
	int c;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	c = strcmp(profile_view__name(ctx->frames, x->frame),
		   profile_view__name(ctx->frames, y->frame));
	if (c)
		return c;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Merges the trees into m[0..*count); m and slots are sized by the caller. */
static int merge(struct merged *m, size_t *count, uint32_t *slots, size_t nslots,
		 const struct tree *const *trees, size_t n_trees,
		 enum profile_count which)
{
	size_t n = 1;

	for (size_t t = 0; t < n_trees; t++) {
		size_t size = tree__size(trees[t]);
		uint32_t *map = malloc(size * sizeof(*map));

		if (!map)
			return -ENOMEM;
		map[0] = 0;
		m[0].self += profile_view__self(tree__node(trees[t], TREE_ROOT), which);
		for (size_t i = 1; i < size; i++) {
			const struct tree_node *tn = tree__node(trees[t], (uint32_t)i);
			uint32_t parent = map[tn->parent];
			size_t s = slot_of(parent, tn->frame, nslots);
			uint32_t id = 0;

			for (; slots[s]; s = (s + 1) & (nslots - 1)) {
				id = slots[s] - 1;
				if (m[id].parent == parent && m[id].frame == tn->frame)
					break;
			}
			if (!slots[s]) {
				id = (uint32_t)n++;
				m[id] = (struct merged){ .parent = parent, .frame = tn->frame };
				slots[s] = id + 1;
			}
			map[i] = id;
			m[id].self += profile_view__self(tn, which);
		}
		free(map);
	}
	*count = n;
	return 0;
}

/* Lays the nodes with samples out in preorder into view->nodes. */
static int layout(struct profile_view *view, const struct merged *m, size_t n,
		  const struct strtab *frames)
{
	struct sort_ctx ctx = { m, frames };
	uint32_t *kept = NULL, *first = NULL, *stack = NULL, *new_id = NULL;
	uint32_t *last_child = NULL;
	size_t n_kept = 0, top = 0, out = 0;
	int err = -ENOMEM;

	kept = malloc(n * sizeof(*kept));
	first = malloc((n + 1) * sizeof(*first));
	stack = malloc(n * sizeof(*stack));
	new_id = malloc(n * sizeof(*new_id));
	last_child = malloc(n * sizeof(*last_child));
	view->nodes = malloc(n * sizeof(*view->nodes));
	if (!kept || !first || !stack || !new_id || !last_child || !view->nodes)
		goto out;
	for (size_t i = 1; i < n; i++)
		if (m[i].total)
			kept[n_kept++] = (uint32_t)i;
	qsort_r(kept, n_kept, sizeof(*kept), by_parent_name, &ctx);
	/* first[p]..first[p + 1] is where p's children sit in kept. */
	for (size_t p = 0, k = 0; p <= n; p++) {
		while (k < n_kept && m[kept[k]].parent < p)
			k++;
		first[p] = (uint32_t)k;
	}

	stack[top++] = 0;
	while (top) {
		uint32_t id = stack[--top];
		struct profile_node *pn = &view->nodes[out];

		*pn = (struct profile_node){
			.parent = PROFILE_NONE, .frame = m[id].frame,
			.first_child = PROFILE_NONE, .next_sibling = PROFILE_NONE,
			.self = m[id].self, .total = m[id].total,
		};
		new_id[id] = (uint32_t)out;
		last_child[out] = PROFILE_NONE;
		if (id) {
			uint32_t p = new_id[m[id].parent];

			pn->parent = p;
			pn->depth = view->nodes[p].depth + 1;
			if (last_child[p] == PROFILE_NONE)
				view->nodes[p].first_child = (uint32_t)out;
			else
				view->nodes[last_child[p]].next_sibling = (uint32_t)out;
			last_child[p] = (uint32_t)out;
			if (pn->depth > view->max_depth)
				view->max_depth = pn->depth;
		}
		out++;
		/* Reversed, so that the first child in name order pops first. */
		for (uint32_t k = first[id + 1]; k > first[id]; k--)
			stack[top++] = kept[k - 1];
	}
	view->n_nodes = out;
	err = 0;
out:
	free(kept);
	free(first);
	free(stack);
	free(new_id);
	free(last_child);
	return err;
}

int profile_view__build(struct profile_view *view,
			const struct tree *const *trees, size_t n_trees,
			const struct strtab *frames, enum profile_count count)
{
	struct merged *m;
	uint32_t *slots;
	size_t cap = 1, nslots = 16, n;
	int err;

	memset(view, 0, sizeof(*view));
	for (size_t t = 0; t < n_trees; t++)
		cap += tree__size(trees[t]) - 1;
	while (nslots < cap * 2)
		nslots *= 2;
	m = calloc(cap, sizeof(*m));
	slots = calloc(nslots, sizeof(*slots));
	if (!m || !slots) {
		err = -ENOMEM;
		goto out;
	}
	m[0].frame = n_trees ? tree__node(trees[0], TREE_ROOT)->frame : 0;
	m[0].parent = PROFILE_NONE;
	err = merge(m, &n, slots, nslots, trees, n_trees, count);
	if (err)
		goto out;
	free(slots);
	slots = NULL;
	for (size_t i = 0; i < n; i++)
		m[i].total = m[i].self;
	for (size_t i = n - 1; i > 0; i--)
		m[m[i].parent].total += m[i].total;
	err = layout(view, m, n, frames);
out:
	if (err)
		profile_view__release(view);
	free(m);
	free(slots);
	return err;
}

void profile_view__release(struct profile_view *view)
{
	free(view->nodes);
	memset(view, 0, sizeof(*view));
}
