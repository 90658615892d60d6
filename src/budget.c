// SPDX-License-Identifier: MIT
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
	uint64_t pending;   /* its self samples not credited yet */
	uint32_t series;    /* the node whose series gets its samples */
	bool to_other;      /* ... that node's (other) child, not itself */
	bool kept;          /* a series of its own */
	bool slot;          /* kept, and its (other) child counts in the budget */
	bool shown_self;    /* its counter was served the whole last window */
	bool shown_other;   /* its (other) counter was */
	uint64_t hash;      /* of its path, to find its counters if pruned */
};

/* The counters of a pruned node that had been a series, kept so that its
 * series resumes where it was if its path comes back. */
struct frozen {
	uint64_t hash;      /* 0: taken back */
	uint64_t acc_self, acc_other;
};

struct budget {
	struct budget_opts opts;
	struct tree *tree;
	struct bnode *nodes;
	size_t cap;
	size_t used;             /* kept nodes + slots */
	uint64_t folded_samples;
	uint64_t pruned_nodes;
	struct frozen *frozen;   /* oldest first, at most frozen_max() */
	size_t n_frozen;
	uint32_t *frozen_index;  /* open addressing: frozen id + 1, 0 = empty */
	size_t n_index;          /* power of two, or 0 */
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

/* Pruned series remembered: past that, the oldest are forgotten (a path
 * that comes back after that restarts its counter: a counter reset). */
static size_t frozen_max(const struct budget *b)
{
	return prune_at(b);
}

static uint64_t path_hash(uint64_t parent, uint32_t frame)
{
	uint64_t x = parent + frame + 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x ? x : 1;
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
		.series = TREE_ROOT, .kept = true, .slot = root_slot(b), .hash = 1,
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
	free(b->frozen);
	free(b->frozen_index);
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

/* A new node takes back the counters its path had when it was pruned. */
static void thaw(struct budget *b, struct bnode *n)
{
	if (!b->n_index)
		return;
	for (size_t i = n->hash & (b->n_index - 1); b->frozen_index[i];
	     i = (i + 1) & (b->n_index - 1)) {
		struct frozen *f = &b->frozen[b->frozen_index[i] - 1];

		if (f->hash != n->hash)
			continue;
		n->acc_self = f->acc_self;
		n->acc_other = f->acc_other;
		f->hash = 0;
		return;
	}
}

/* Remembers the counters of the pruned nodes that were series (hashes in
 * add[0..n_add)), forgets the oldest past frozen_max(), and indexes them. */
static int freeze(struct budget *b, const struct frozen *add, size_t n_add)
{
	size_t keep = b->n_frozen, total, drop, n_index = 16;
	struct frozen *all;
	uint32_t *index;

	total = keep + n_add;
	drop = total > frozen_max(b) ? total - frozen_max(b) : 0;
	all = malloc((total - drop + 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	total = 0;
	for (size_t i = 0; i < keep + n_add; i++) {
		const struct frozen *f = i < keep ? &b->frozen[i] : &add[i - keep];

		if (i >= drop && f->hash)
			all[total++] = *f;
	}
	while (n_index < total * 2)
		n_index *= 2;
	index = calloc(n_index, sizeof(*index));
	if (!index) {
		free(all);
		return -ENOMEM;
	}
	for (size_t k = 0; k < total; k++) {
		size_t i = all[k].hash & (n_index - 1);

		while (index[i])
			i = (i + 1) & (n_index - 1);
		index[i] = (uint32_t)k + 1;
	}
	free(b->frozen);
	free(b->frozen_index);
	b->frozen = all;
	b->n_frozen = total;
	b->frozen_index = index;
	b->n_index = n_index;
	return 0;
}

/* A new node below parent: kept while there is room, else folded. */
static void place_new(struct budget *b, uint32_t id, uint32_t parent, uint32_t frame)
{
	struct bnode *n = &b->nodes[id];

	*n = (struct bnode){ .series = id, .hash = path_hash(b->nodes[parent].hash, frame) };
	thaw(b, n);
	if (b->nodes[parent].kept && frame != b->opts.other_frame && has_room(b)) {
		n->kept = true;
		b->used++;
		return;
	}
	route_folded(b, id, parent);
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
		uint64_t count)
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
	b->nodes[node].pending += count;
	return 0;
}

/* Candidates in choosing order: those with samples to credit first (sampled
 * in the last window, or waiting for their series to be served), then
 * heavier first, then by id, so that a parent (counted as having samples
 * whenever its child has, never lighter, and of a smaller id) always comes
 * before its child. */
struct choose_ctx {
	const struct bnode *nodes;
	const bool *recent;
};

static int by_weight(const void *x, const void *y, void *arg)
{
	const struct choose_ctx *c = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (c->recent[a] != c->recent[b])
		return c->recent[a] ? -1 : 1;
	if (c->nodes[a].weight != c->nodes[b].weight)
		return c->nodes[a].weight > c->nodes[b].weight ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* The seed of the choice: the connected set that keeps the most decayed
 * samples in their own node's series for the series it spends (a Lagrangian
 * relaxation of the budget, solved exactly on the tree): at a
 * price of lambda per series, a node is worth its own decayed samples (gain,
 * 0 unless its subtree has samples to credit), less lambda, less lambda more
 * for its (other) if a child with samples to credit stays folded, plus what
 * its children are worth where that is positive; it is kept when worth more
 * than nothing and its parent is kept. A bisection finds the lowest price
 * whose set fits the budget. Heaviest-first alone keeps wide nodes whose
 * samples are spread over many light leaves: on a real express app half of
 * a 500-series budget went to such nodes and their (other) children. */
struct seed {
	const struct tree *tree;
	const double *gain;     /* per node; < 0: never kept (an (other) node) */
	const bool *recent;
	double *worth, *below;  /* per node, scratch */
	bool *open_child;       /* per node: a child with samples stays folded */
	bool *kept;             /* per node: the result */
	size_t size;
	bool root_slot;
};

/* The series the set at lambda spends, its nodes in s->kept. */
static size_t seed_at(struct seed *s, double lambda)
{
	size_t used = 1 + s->root_slot;

	for (size_t i = 0; i < s->size; i++) {
		s->below[i] = 0;
		s->open_child[i] = false;
	}
	for (size_t i = s->size - 1; i > 0; i--) { /* children after parents */
		uint32_t parent = tree__node(s->tree, (uint32_t)i)->parent;

		s->worth[i] = s->gain[i] < 0 ? -1 :
			      s->gain[i] - lambda - (s->open_child[i] ? lambda : 0) + s->below[i];
		if (s->worth[i] > 0)
			s->below[parent] += s->worth[i];
		else if (s->recent[i])
			s->open_child[parent] = true;
	}
	s->kept[TREE_ROOT] = true;
	for (size_t i = 1; i < s->size; i++) {
		uint32_t parent = tree__node(s->tree, (uint32_t)i)->parent;

		s->kept[i] = s->kept[parent] && s->worth[i] > 0;
		if (s->kept[i])
			used += 1 + s->open_child[i];
	}
	if (!s->root_slot && s->open_child[TREE_ROOT])
		used++; /* no (other) of the root otherwise */
	return used;
}

/* Fills kept[] with the seed for b's budget. */
static int seed_choice(struct budget *b, const bool *recent, bool *kept)
{
	size_t size = tree__size(b->tree);
	double *gain = malloc(size * sizeof(*gain)), *children = calloc(size, sizeof(double));
	double *worth = malloc(size * sizeof(*worth)), *below = malloc(size * sizeof(*below));
	bool *open_child = malloc(size * sizeof(*open_child));
	struct seed s = { b->tree, gain, recent, worth, below, open_child, kept, size,
			  root_slot(b) };
	double lo = 0, hi = 1;
	int err = -ENOMEM;

	if (!gain || !children || !worth || !below || !open_child)
		goto out;
	for (uint32_t id = 1; id < size; id++)
		children[tree__node(b->tree, id)->parent] += b->nodes[id].weight;
	for (uint32_t id = 0; id < size; id++) {
		double own = b->nodes[id].weight - children[id]; /* decayed self */

		gain[id] = tree__node(b->tree, id)->frame == b->opts.other_frame && id ? -1 :
			   recent[id] && own > 0 ? own : 0;
		hi += gain[id] > 0 ? gain[id] : 0;
	}
	err = 0;
	if (seed_at(&s, lo) <= b->opts.max_series)
		goto out;
	for (int k = 0; k < 50 && hi - lo > 1e-9 * hi; k++) {
		double mid = (lo + hi) / 2;

		if (seed_at(&s, mid) <= b->opts.max_series)
			hi = mid;
		else
			lo = mid;
	}
	seed_at(&s, hi); /* hi fits: the first hi keeps nothing but the root */
out:
	free(gain);
	free(children);
	free(worth);
	free(below);
	free(open_child);
	return err;
}

/* Chooses the kept set: the seed, then greedily in by_weight's order where
 * the budget still has room: a node costs its own series, plus its (other)
 * if it has children with samples to credit, minus its parent's (other)
 * when it is the last such child of the parent still folded. A folded node
 * without samples to credit needs no (other). */
static int choose(struct budget *b, const bool *recent)
{
	size_t size = tree__size(b->tree), n_cand = 0;
	uint32_t *cand = malloc(size * sizeof(*cand));
	uint32_t *children = calloc(size, sizeof(*children));
	uint32_t *folded_children = calloc(size, sizeof(*folded_children));
	bool *seed = calloc(size, sizeof(*seed));
	struct choose_ctx ctx = { b->nodes, recent };
	size_t used = 1 + root_slot(b);
	int err = -ENOMEM;

	if (!cand || !children || !folded_children || !seed || seed_choice(b, recent, seed))
		goto out;
	/* Only children with samples to credit need an (other) when folded. */
	for (uint32_t id = 1; id < size; id++) {
		const struct tree_node *tn = tree__node(b->tree, id);

		children[tn->parent] += recent[id];
		if (tn->frame != b->opts.other_frame)
			cand[n_cand++] = id;
	}
	qsort_r(cand, n_cand, sizeof(*cand), by_weight, &ctx);
	for (uint32_t id = 0; id < size; id++)
		b->nodes[id].kept = b->nodes[id].slot = false;
	b->nodes[TREE_ROOT].kept = true;
	folded_children[TREE_ROOT] = children[TREE_ROOT];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < n_cand; k++) {
			uint32_t id = cand[k];
			uint32_t parent = tree__node(b->tree, id)->parent;
			size_t cost = 1 + (children[id] > 0);

			if (b->nodes[id].kept || !b->nodes[parent].kept || (!pass && !seed[id]))
				continue;
			if (recent[id] && folded_children[parent] == 1 &&
			    (parent != TREE_ROOT || !root_slot(b)))
				cost--; /* the parent's (other) is no longer needed */
			if (used + cost > b->opts.max_series)
				continue;
			used += cost;
			b->nodes[id].kept = true;
			folded_children[parent] -= recent[id];
			folded_children[id] = children[id];
		}
	}
	for (uint32_t id = 0; id < size; id++)
		b->nodes[id].slot = b->nodes[id].kept && folded_children[id] > 0;
	b->nodes[TREE_ROOT].slot = root_slot(b);
	b->used = used;
	err = 0;
out:
	free(cand);
	free(children);
	free(folded_children);
	free(seed);
	return err;
}

/* Each node's series, from the kept set and slots (parents first). Without
 * a budget every node is kept. */
static void route_all(struct budget *b)
{
	size_t size = tree__size(b->tree);

	for (uint32_t id = 0; id < size; id++) {
		struct bnode *n = &b->nodes[id];
		const struct bnode *p;
		uint32_t parent = tree__node(b->tree, id)->parent;

		if (!b->opts.max_series)
			n->kept = true;
		if (n->kept || id == TREE_ROOT) {
			n->series = id;
			n->to_other = false;
			continue;
		}
		p = &b->nodes[parent];
		if (!p->kept) {
			n->series = p->series;
			n->to_other = p->to_other;
			continue;
		}
		/* The nearest kept ancestor with an (other); the root has one,
		 * or, with a budget of one series, the root itself. */
		n->series = parent;
		while (!b->nodes[n->series].slot && n->series != TREE_ROOT)
			n->series = tree__node(b->tree, n->series)->parent;
		n->to_other = b->nodes[n->series].slot;
	}
	if (!b->opts.max_series)
		b->used = size;
}

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* Removes the lightest folded subtrees until about prune_to() nodes are left;
 * their counts (and samples not credited yet) go to an (other) node under
 * their nearest surviving ancestor. */
static int prune(struct budget *b)
{
	size_t size = tree__size(b->tree), n_cold = 0, n_drop = size - prune_to(b);
	double *cold = malloc(size * sizeof(*cold));
	bool *drop = calloc(size, sizeof(*drop));
	uint32_t *top = malloc(size * sizeof(*top)), *map = malloc(size * sizeof(*map));
	struct tree_node *moved = calloc(size, sizeof(*moved));
	struct bnode *moved_b = calloc(size, sizeof(*moved_b));
	struct frozen *add = malloc(size * sizeof(*add));
	uint64_t dropped = 0;
	size_t n_add = 0;
	double limit;
	int err = -ENOMEM;

	if (!cold || !drop || !top || !map || !moved || !moved_b || !add)
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
		struct bnode *to;

		drop[id] = drop[parent] || (!b->nodes[id].kept && b->nodes[id].weight <= limit);
		if (!drop[id])
			continue;
		top[id] = drop[parent] ? top[parent] : parent;
		to = &moved_b[top[id]];
		if (!drop[parent])
			to->weight += b->nodes[id].weight;
		to->pending += b->nodes[id].pending;
		to->kept = true; /* here: "has something to move" */
		moved[top[id]].self_filling += tn->self_filling;
		moved[top[id]].self_window += tn->self_window;
		moved[top[id]].self_total += tn->self_total;
		if (b->nodes[id].acc_self || b->nodes[id].acc_other)
			add[n_add++] = (struct frozen){ b->nodes[id].hash, b->nodes[id].acc_self,
							b->nodes[id].acc_other };
		dropped++;
	}
	err = freeze(b, add, n_add);
	if (!err)
		err = tree__prune(b->tree, drop, map);
	if (err)
		goto out;
	for (uint32_t id = 0; id < size; id++) /* map[id] <= id: in place */
		if (map[id] != TREE_NONE)
			b->nodes[map[id]] = b->nodes[id];
	for (uint32_t id = 0; id < size && !err; id++) {
		size_t before = tree__size(b->tree);
		uint32_t o;

		if (drop[id] || !moved_b[id].kept)
			continue;
		o = tree__child(b->tree, map[id], b->opts.other_frame);
		if (o == TREE_NONE) {
			err = -ENOMEM;
			break;
		}
		if (tree__size(b->tree) > before) /* fits: fewer nodes than before */
			b->nodes[o] = (struct bnode){
				.series = o,
				.hash = path_hash(b->nodes[map[id]].hash, b->opts.other_frame),
			};
		b->nodes[o].weight += moved_b[id].weight;
		b->nodes[o].pending += moved_b[id].pending;
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
	free(moved_b);
	free(add);
	return err;
}

/* Credits pending samples to their series: every node's at the end of a
 * window, only kept nodes' in between (a folded node may be kept at the
 * window's end). With hold_new, only to series that a scrape has served
 * (budget__served): a new series is seen at 0 before it counts. */
static void credit(struct budget *b, bool window_end, uint64_t *folded)
{
	size_t size = tree__size(b->tree);

	for (uint32_t id = 0; id < size; id++) {
		struct bnode *n = &b->nodes[id];
		struct bnode *s = &b->nodes[n->series];

		if (!n->pending || (!window_end && !n->kept))
			continue;
		if (b->opts.hold_new && !(n->to_other ? s->shown_other : s->shown_self))
			continue;
		if (n->to_other)
			s->acc_other += n->pending;
		else
			s->acc_self += n->pending;
		if (n->to_other || n->series != id) {
			b->folded_samples += n->pending;
			if (folded)
				*folded += n->pending;
		}
		n->pending = 0;
	}
}

void budget__credit(struct budget *b, uint64_t *folded)
{
	credit(b, false, folded);
}

void budget__served(struct budget *b)
{
	size_t size = tree__size(b->tree);

	/* What budget__series shows as a counter: a value, or samples to come. */
	for (uint32_t id = 0; id < size; id++) {
		const struct bnode *n = &b->nodes[id];
		struct bnode *s = &b->nodes[n->series];

		if (n->kept && n->acc_self)
			b->nodes[id].shown_self = true;
		if (n->slot && n->acc_other)
			b->nodes[id].shown_other = true;
		if (!n->pending)
			continue;
		if (n->to_other)
			s->shown_other = true;
		else
			s->shown_self = true;
	}
}

int budget__end_window(struct budget *b, uint64_t *folded)
{
	size_t size = tree__size(b->tree);
	const double decay = exp2(-1.0 / BUDGET_HALF_LIFE_WINDOWS);
	uint64_t *incl = NULL;
	bool *recent = NULL;
	int err = 0;

	tree__end_window(b->tree);
	if (b->opts.max_series) {
		incl = malloc(size * sizeof(*incl));
		recent = malloc(size * sizeof(*recent));
		if (!incl || !recent) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < size; i++) {
			incl[i] = tree__node(b->tree, (uint32_t)i)->self_window;
			recent[i] = incl[i] || b->nodes[i].pending;
		}
		for (size_t i = size - 1; i > 0; i--) {
			uint32_t parent = tree__node(b->tree, (uint32_t)i)->parent;

			incl[parent] += incl[i];
			recent[parent] |= recent[i];
		}
		for (size_t i = 0; i < size; i++)
			b->nodes[i].weight = b->nodes[i].weight * decay + (double)incl[i];
		err = choose(b, recent);
		if (!err && tree__size(b->tree) > prune_at(b))
			err = prune(b);
	}
out:
	route_all(b);
	/* A series no longer served must be seen again before it counts. */
	for (size_t i = 0; i < tree__size(b->tree); i++) {
		b->nodes[i].shown_self &= b->nodes[i].kept;
		b->nodes[i].shown_other &= b->nodes[i].slot;
	}
	credit(b, true, folded);
	free(incl);
	free(recent);
	return err;
}

struct tree *budget__series(const struct budget *b)
{
	size_t size = tree__size(b->tree);
	uint32_t *to = malloc(size * sizeof(*to));
	struct tree_node *held = calloc(size, sizeof(*held)); /* for the series */
	struct tree_node *held_other = calloc(size, sizeof(*held_other));
	struct tree *s = tree__new(b->opts.root_frame);

	if (!to || !held || !held_other || !s)
		goto fail;
	/* Window samples and pending ones, by the series that holds them;
	 * between two windows a new node's series is where route_folded or
	 * place_new put it. */
	for (uint32_t id = 0; id < size; id++) {
		const struct bnode *n = &b->nodes[id];
		struct tree_node *h = n->to_other ? &held_other[n->series] : &held[n->series];

		h->self_window += tree__node(b->tree, id)->self_window;
		h->self_filling += n->pending;
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
		tree__add_counts(s, to[id], held[id].self_filling, held[id].self_window,
				 n->acc_self);
		if (n->slot && (n->acc_other || held_other[id].self_window ||
				held_other[id].self_filling)) {
			uint32_t o = tree__child(s, to[id], b->opts.other_frame);

			if (o == TREE_NONE)
				goto fail;
			tree__add_counts(s, o, held_other[id].self_filling,
					 held_other[id].self_window, n->acc_other);
		}
	}
	free(to);
	free(held);
	free(held_other);
	return s;
fail:
	free(to);
	free(held);
	free(held_other);
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
