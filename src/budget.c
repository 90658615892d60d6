/* budget: the cardinality budget over one process's tree; see budget.h for
 * what is kept, how the counters stay monotonic and how memory is bounded.
 * Per node state sits in an array parallel to the tree's nodes (same ids;
 * remapped when the tree is pruned). */
#include "budget.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A node's place in the budget. */
struct bnode {
	double weight;      /* decayed inclusive samples (see budget.h) */
	uint64_t acc_self;  /* its own series' counter, samples */
	uint64_t acc_other; /* its (other) child's counter, samples */
	uint32_t series;    /* the node whose series gets its samples */
	bool to_other;      /* ... that node's (other) child, not itself */
	bool kept;          /* a series of its own */
	bool slot;          /* kept, and its (other) child counts in the budget */
};

struct budget {
	struct budget_opts opts;
	struct tree *tree;
	struct bnode *nodes;
	size_t cap;
	size_t used;             /* kept nodes + slots */
	uint64_t folded_samples;
	uint64_t pruned_nodes;
};

#define PRUNE_AT_MIN 1024u
#define PRUNE_TO_MIN 512u
#define HARD_CAP_MIN 4096u

static size_t prune_at(const struct budget *b)
{
	size_t n = (size_t)b->opts.max_series * 4;

	return n > PRUNE_AT_MIN ? n : PRUNE_AT_MIN;
}

static size_t prune_to(const struct budget *b)
{
	size_t n = (size_t)b->opts.max_series * 2;

	return n > PRUNE_TO_MIN ? n : PRUNE_TO_MIN;
}

static size_t hard_cap(const struct budget *b)
{
	size_t n = (size_t)b->opts.max_series * 8;

	return n > HARD_CAP_MIN ? n : HARD_CAP_MIN;
}

/* The root keeps a slot whenever the budget allows two series, so that a
 * folded node always has an (other) to go to. */
static bool root_slot(const struct budget *b)
{
	return b->opts.max_series != 1;
}

struct budget *budget__new(const struct budget_opts *opts)
{
	struct budget *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->opts = *opts;
	b->tree = tree__new(opts->root_frame);
	b->cap = 64;
	b->nodes = calloc(b->cap, sizeof(*b->nodes));
	if (!b->tree || !b->nodes) {
		budget__free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->nodes[TREE_ROOT] = (struct bnode){
		.series = TREE_ROOT, .kept = true, .slot = root_slot(b),
	};
	b->used = 1 + root_slot(b);
	return b;
}

void budget__free(struct budget *b)
{
	if (!b)
		return;
	tree__free(b->tree);
	free(b->nodes);
	free(b);
}

const struct tree *budget__tree(const struct budget *b)
{
	return b->tree;
}

static int reserve(struct budget *b, size_t n)
{
	struct bnode *nodes;
	size_t cap = b->cap;

	if (n <= cap)
		return 0;
	while (cap < n)
		cap *= 2;
	nodes = realloc(b->nodes, cap * sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	b->nodes = nodes;
	b->cap = cap;
	return 0;
}

static bool has_room(const struct budget *b)
{
	return !b->opts.max_series || b->used < b->opts.max_series;
}

/* Where the samples of a folded node below parent go: parent's (other) if
 * parent is kept and has (or can take) a slot, else wherever parent's own
 * folded samples would go, up to the root; with no slot anywhere (a budget
 * of one series), into the nearest kept ancestor itself. */
static void route_folded(struct budget *b, uint32_t id, uint32_t parent)
{
	struct bnode *n = &b->nodes[id];

	for (uint32_t p = parent; p != TREE_NONE; p = tree__node(b->tree, p)->parent) {
		struct bnode *pn = &b->nodes[p];

		if (!pn->kept) {
			n->series = pn->series;
			n->to_other = pn->to_other;
			return;
		}
		if (!pn->slot && has_room(b)) {
			pn->slot = true;
			b->used++;
		}
		if (pn->slot) {
			n->series = p;
			n->to_other = true;
			return;
		}
	}
	n->series = parent;
	n->to_other = false;
}

/* A new node below parent: kept while there is room, else folded. */
static void place_new(struct budget *b, uint32_t id, uint32_t parent, uint32_t frame)
{
	struct bnode *n = &b->nodes[id];

	*n = (struct bnode){ .series = id };
	if (b->nodes[parent].kept && frame != b->opts.other_frame && has_room(b)) {
		n->kept = true;
		b->used++;
		return;
	}
	route_folded(b, id, parent);
}

static void credit(struct budget *b, uint32_t id, uint64_t count, uint64_t *folded)
{
	const struct bnode *n = &b->nodes[id];
	struct bnode *s = &b->nodes[n->series];

	if (n->to_other)
		s->acc_other += count;
	else
		s->acc_self += count;
	if (n->to_other || n->series != id) {
		b->folded_samples += count;
		if (folded)
			*folded += count;
	}
}

/* The child of node for frame, made (and placed) if missing. Past the hard
 * cap a missing child is node's (other), and *stop says to go no deeper. */
static uint32_t child_of(struct budget *b, uint32_t node, uint32_t frame, bool *stop)
{
	uint32_t child = tree__find(b->tree, node, frame);
	size_t size = tree__size(b->tree);

	if (child != TREE_NONE)
		return child;
	if (b->opts.max_series && size >= hard_cap(b)) {
		*stop = true;
		frame = b->opts.other_frame;
		child = tree__find(b->tree, node, frame);
		if (child != TREE_NONE)
			return child;
	}
	if (reserve(b, size + 1))
		return TREE_NONE;
	child = tree__child(b->tree, node, frame);
	if (child != TREE_NONE && tree__size(b->tree) > size)
		place_new(b, child, node, frame);
	return child;
}

int budget__add(struct budget *b, const uint32_t *frames, size_t n, size_t first_js,
		uint64_t count, uint64_t *folded)
{
	size_t from = b->opts.trim_bootstrap && first_js < n ? first_js : 0;
	size_t to = n;
	bool cut = false, stop = false;
	uint32_t node = TREE_ROOT;

	if (b->opts.max_depth && to - from > b->opts.max_depth) {
		/* Keep the outer frames; say that the rest was cut. */
		to = from + b->opts.max_depth - 1;
		cut = true;
	}
	for (size_t i = from; i < to + cut && !stop; i++) {
		uint32_t frame = i == to ? b->opts.truncated_frame : frames[i];

		node = child_of(b, node, frame, &stop);
		if (node == TREE_NONE)
			return -ENOMEM;
	}
	tree__add(b->tree, node, count);
	credit(b, node, count, folded);
	return 0;
}

/* Candidates in choosing order: heavier first, then by id, so a parent
 * (never lighter than its child, and of a smaller id) comes first. */
static int by_weight(const void *x, const void *y, void *arg)
{
	const struct bnode *nodes = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (nodes[a].weight != nodes[b].weight)
		return nodes[a].weight > nodes[b].weight ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Chooses the kept set greedily, heaviest first: a node costs its own series,
 * plus its (other) if it has children, minus its parent's (other) when it is
 * the parent's last folded child. */
static int choose(struct budget *b)
{
	size_t size = tree__size(b->tree), n_cand = 0;
	uint32_t *cand = malloc(size * sizeof(*cand));
	uint32_t *children = calloc(size, sizeof(*children));
	uint32_t *folded_children = calloc(size, sizeof(*folded_children));
	size_t used = 1 + root_slot(b);

	if (!cand || !children || !folded_children) {
		free(cand);
		free(children);
		free(folded_children);
		return -ENOMEM;
	}
	for (uint32_t id = 1; id < size; id++) {
		const struct tree_node *tn = tree__node(b->tree, id);

		children[tn->parent]++;
		if (tn->frame != b->opts.other_frame)
			cand[n_cand++] = id;
	}
	qsort_r(cand, n_cand, sizeof(*cand), by_weight, b->nodes);
	for (uint32_t id = 0; id < size; id++)
		b->nodes[id].kept = b->nodes[id].slot = false;
	b->nodes[TREE_ROOT].kept = true;
	folded_children[TREE_ROOT] = children[TREE_ROOT];
	for (size_t k = 0; k < n_cand; k++) {
		uint32_t id = cand[k];
		uint32_t parent = tree__node(b->tree, id)->parent;
		size_t cost = 1 + (children[id] > 0);

		if (!b->nodes[parent].kept)
			continue;
		if (folded_children[parent] == 1 && (parent != TREE_ROOT || !root_slot(b)))
			cost--; /* the parent's (other) is no longer needed */
		if (used + cost > b->opts.max_series)
			continue;
		used += cost;
		b->nodes[id].kept = true;
		folded_children[parent]--;
		folded_children[id] = children[id];
	}
	for (uint32_t id = 0; id < size; id++)
		b->nodes[id].slot = b->nodes[id].kept && folded_children[id] > 0;
	b->nodes[TREE_ROOT].slot = root_slot(b);
	b->used = used;
	free(cand);
	free(children);
	free(folded_children);
	return 0;
}

/* Each node's series, from the kept set and slots (parents first). */
static void route_all(struct budget *b)
{
	size_t size = tree__size(b->tree);

	for (uint32_t id = 0; id < size; id++) {
		struct bnode *n = &b->nodes[id];
		const struct bnode *p;

		if (n->kept || id == TREE_ROOT) {
			n->series = id;
			n->to_other = false;
			continue;
		}
		p = &b->nodes[tree__node(b->tree, id)->parent];
		if (p->kept) {
			n->series = tree__node(b->tree, id)->parent;
			n->to_other = p->slot;
		} else {
			n->series = p->series;
			n->to_other = p->to_other;
		}
	}
}

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* Removes the lightest folded subtrees until about prune_to() nodes are left;
 * their counts go to an (other) node under their nearest surviving ancestor.
 * Counters were credited when the samples came: nothing is credited here. */
static int prune(struct budget *b)
{
	size_t size = tree__size(b->tree), n_cold = 0, n_drop = size - prune_to(b);
	double *cold = malloc(size * sizeof(*cold));
	bool *drop = calloc(size, sizeof(*drop));
	uint32_t *top = malloc(size * sizeof(*top)), *map = malloc(size * sizeof(*map));
	struct tree_node *moved = calloc(size, sizeof(*moved));
	double *moved_weight = calloc(size, sizeof(*moved_weight));
	uint64_t dropped = 0;
	double limit;
	int err = -ENOMEM;

	if (!cold || !drop || !top || !map || !moved || !moved_weight)
		goto out;
	for (uint32_t id = 1; id < size; id++)
		if (!b->nodes[id].kept)
			cold[n_cold++] = b->nodes[id].weight;
	if (n_cold < n_drop)
		n_drop = n_cold;
	err = 0;
	if (!n_drop)
		goto out;
	qsort(cold, n_cold, sizeof(*cold), by_value);
	/* At or below the n_drop-th lightest weight a folded node goes, and its
	 * descendants (folded too, and no heavier) with it. */
	limit = cold[n_drop - 1];
	for (uint32_t id = 1; id < size; id++) {
		const struct tree_node *tn = tree__node(b->tree, id);
		uint32_t parent = tn->parent;

		drop[id] = drop[parent] || (!b->nodes[id].kept && b->nodes[id].weight <= limit);
		if (!drop[id])
			continue;
		top[id] = drop[parent] ? top[parent] : parent;
		if (!drop[parent])
			moved_weight[parent] += b->nodes[id].weight;
		moved[top[id]].self_filling += tn->self_filling;
		moved[top[id]].self_window += tn->self_window;
		moved[top[id]].self_total += tn->self_total;
		dropped++;
	}
	err = tree__prune(b->tree, drop, map);
	if (err)
		goto out;
	for (uint32_t id = 0; id < size; id++) /* map[id] <= id: in place */
		if (map[id] != TREE_NONE)
			b->nodes[map[id]] = b->nodes[id];
	for (uint32_t id = 0; id < size && !err; id++) {
		size_t before = tree__size(b->tree);
		uint32_t o;

		if (drop[id] || (!moved[id].self_total && !moved[id].self_filling &&
				 !moved[id].self_window && !moved_weight[id]))
			continue;
		o = tree__child(b->tree, map[id], b->opts.other_frame);
		if (o == TREE_NONE) {
			err = -ENOMEM;
			break;
		}
		if (tree__size(b->tree) > before) /* fits: fewer nodes than before */
			b->nodes[o] = (struct bnode){ .series = o };
		b->nodes[o].weight += moved_weight[id];
		tree__add_counts(b->tree, o, moved[id].self_filling, moved[id].self_window,
				 moved[id].self_total);
	}
	b->pruned_nodes += dropped;
out:
	free(cold);
	free(drop);
	free(top);
	free(map);
	free(moved);
	free(moved_weight);
	return err;
}

int budget__end_window(struct budget *b)
{
	size_t size = tree__size(b->tree);
	const double decay = exp2(-1.0 / BUDGET_HALF_LIFE_WINDOWS);
	double *incl;
	int err;

	tree__end_window(b->tree);
	if (!b->opts.max_series)
		return 0;
	incl = malloc(size * sizeof(*incl));
	if (!incl)
		return -ENOMEM;
	for (size_t i = 0; i < size; i++)
		incl[i] = (double)tree__node(b->tree, (uint32_t)i)->self_window;
	for (size_t i = size - 1; i > 0; i--)
		incl[tree__node(b->tree, (uint32_t)i)->parent] += incl[i];
	for (size_t i = 0; i < size; i++)
		b->nodes[i].weight = b->nodes[i].weight * decay + incl[i];
	free(incl);
	err = choose(b);
	if (!err && tree__size(b->tree) > prune_at(b))
		err = prune(b);
	route_all(b);
	return err;
}

struct tree *budget__series(const struct budget *b)
{
	size_t size = tree__size(b->tree);
	uint32_t *to = malloc(size * sizeof(*to));
	uint64_t *other_window = calloc(size, sizeof(*other_window));
	uint64_t *self_window = calloc(size, sizeof(*self_window));
	struct tree *s = tree__new(b->opts.root_frame);

	if (!to || !other_window || !self_window || !s)
		goto fail;
	for (uint32_t id = 0; id < size; id++) {
		const struct bnode *n = &b->nodes[id];
		uint64_t w = tree__node(b->tree, id)->self_window;

		if (n->to_other)
			other_window[n->series] += w;
		else
			self_window[n->series] += w;
	}
	to[TREE_ROOT] = TREE_ROOT;
	for (uint32_t id = 0; id < size; id++) {
		const struct tree_node *tn = tree__node(b->tree, id);
		const struct bnode *n = &b->nodes[id];

		if (!n->kept)
			continue;
		if (id != TREE_ROOT) {
			to[id] = tree__child(s, to[tn->parent], tn->frame);
			if (to[id] == TREE_NONE)
				goto fail;
		}
		tree__add_counts(s, to[id], 0, self_window[id], n->acc_self);
		if (n->slot && (n->acc_other || other_window[id])) {
			uint32_t o = tree__child(s, to[id], b->opts.other_frame);

			if (o == TREE_NONE)
				goto fail;
			tree__add_counts(s, o, 0, other_window[id], n->acc_other);
		}
	}
	free(to);
	free(other_window);
	free(self_window);
	return s;
fail:
	free(to);
	free(other_window);
	free(self_window);
	tree__free(s);
	errno = ENOMEM;
	return NULL;
}

void budget__stats(const struct budget *b, struct budget_stats *st)
{
	*st = (struct budget_stats){
		.nodes = tree__size(b->tree), .series = b->used,
		.folded_samples = b->folded_samples, .pruned_nodes = b->pruned_nodes,
	};
}
