// SPDX-License-Identifier: MIT
/* tree: signature tree storage; see tree.h. Nodes sit in one array (ids are
 * indexes); a hash of (parent, frame) -> node finds children in O(1). */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tree {
	struct tree_node *nodes;
	size_t count, cap;
	uint32_t *slots; /* node id + 1, 0 = empty */
	size_t nslots;   /* power of two */
};

static size_t slot_of(uint32_t parent, uint32_t frame, size_t nslots)
{
	uint64_t h = ((uint64_t)parent << 32 | frame) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (nslots - 1);
}

struct tree *tree__new(uint32_t root_frame)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cap = 64;
	t->nodes = calloc(t->cap, sizeof(*t->nodes));
	t->nslots = 128;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->nodes || !t->slots) {
		tree__free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->nodes[0] = (struct tree_node){
		.parent = TREE_NONE, .frame = root_frame,
		.first_child = TREE_NONE, .next_sibling = TREE_NONE,
	};
	t->count = 1;
	return t;
}

void tree__free(struct tree *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->slots);
	free(t);
}

static int grow_slots(struct tree *t)
{
	size_t n = t->nslots * 2;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 1; id < t->count; id++) {
		size_t i = slot_of(t->nodes[id].parent, t->nodes[id].frame, n);

		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

uint32_t tree__find(const struct tree *t, uint32_t parent, uint32_t frame)
{
	for (size_t i = slot_of(parent, frame, t->nslots); t->slots[i];
	     i = (i + 1) & (t->nslots - 1)) {
		uint32_t id = t->slots[i] - 1;

		if (t->nodes[id].parent == parent && t->nodes[id].frame == frame)
			return id;
	}
	return TREE_NONE;
}

uint32_t tree__child(struct tree *t, uint32_t parent, uint32_t frame)
{
	uint32_t id = tree__find(t, parent, frame);
	size_t i = slot_of(parent, frame, t->nslots);
	struct tree_node *n;

	if (id != TREE_NONE)
		return id;
	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	if (parent >= t->count || t->count >= TREE_NONE - 1 ||
	    (t->count + 1) * 4 > t->nslots * 3)
		return TREE_NONE; /* the slot table failed to grow earlier */
	if (t->count == t->cap) {
		struct tree_node *nodes = realloc(t->nodes, t->cap * 2 * sizeof(*nodes));

		if (!nodes)
			return TREE_NONE;
		t->nodes = nodes;
		t->cap *= 2;
	}
	id = (uint32_t)t->count++;
	n = &t->nodes[id];
	*n = (struct tree_node){
		.parent = parent, .frame = frame,
		.first_child = TREE_NONE, .next_sibling = t->nodes[parent].first_child,
	};
	t->nodes[parent].first_child = id;
	t->slots[i] = id + 1;
	if (t->count * 2 > t->nslots)
		grow_slots(t); /* keeps the load under one half when it can */
	return id;
}

void tree__add(struct tree *t, uint32_t node, uint64_t count)
{
	if (node >= t->count)
		return;
	t->nodes[node].self_filling += count;
	t->nodes[node].self_total += count;
}

void tree__add_counts(struct tree *t, uint32_t node, uint64_t filling,
		      uint64_t window, uint64_t total)
{
	if (node >= t->count)
		return;
	t->nodes[node].self_filling += filling;
	t->nodes[node].self_window += window;
	t->nodes[node].self_total += total;
}

int tree__prune(struct tree *t, const bool *drop, uint32_t *map)
{
	uint32_t *slots = calloc(t->nslots, sizeof(*slots));
	size_t kept = 1;

	if (!slots)
		return -ENOMEM;
	map[TREE_ROOT] = TREE_ROOT;
	t->nodes[TREE_ROOT].first_child = TREE_NONE;
	for (uint32_t id = 1; id < t->count; id++) {
		struct tree_node n = t->nodes[id];
		uint32_t parent = map[n.parent];
		uint32_t to = (uint32_t)kept;
		size_t i;

		if (drop[id] || parent == TREE_NONE) {
			map[id] = TREE_NONE;
			continue;
		}
		/* Sibling links are rebuilt: the new id is never above the old. */
		n.parent = parent;
		n.first_child = TREE_NONE;
		n.next_sibling = t->nodes[parent].first_child;
		t->nodes[parent].first_child = to;
		t->nodes[to] = n;
		map[id] = to;
		for (i = slot_of(parent, n.frame, t->nslots); slots[i];
		     i = (i + 1) & (t->nslots - 1))
			;
		slots[i] = to + 1;
		kept++;
	}
	t->count = kept;
	free(t->slots);
	t->slots = slots;
	return 0;
}

int tree__merge(struct tree *dst, const struct tree *src)
{
	uint32_t *to = malloc(src->count * sizeof(*to));

	if (!to)
		return -ENOMEM;
	for (uint32_t id = 0; id < src->count; id++) {
		const struct tree_node *n = &src->nodes[id];
		struct tree_node *d;

		/* Parents come before their children: their place is known. */
		to[id] = id == TREE_ROOT ? TREE_ROOT : tree__child(dst, to[n->parent], n->frame);
		if (to[id] == TREE_NONE) {
			free(to);
			return -ENOMEM;
		}
		d = &dst->nodes[to[id]];
		d->self_filling += n->self_filling;
		d->self_window += n->self_window;
		d->self_total += n->self_total;
	}
	free(to);
	return 0;
}

void tree__end_window(struct tree *t)
{
	for (size_t i = 0; i < t->count; i++) {
		t->nodes[i].self_window = t->nodes[i].self_filling;
		t->nodes[i].self_filling = 0;
	}
}

size_t tree__size(const struct tree *t)
{
	return t->count;
}

const struct tree_node *tree__node(const struct tree *t, uint32_t node)
{
	return node < t->count ? &t->nodes[node] : NULL;
}
