// SPDX-License-Identifier: MIT
/* budget: one process's call paths under the cardinality budget. It turns a
 * sample's frames into a path of the process's tree (--trim-bootstrap,
 * --max-depth) and decides which nodes are Prometheus series of their own
 * (--max-series). Pure: no clock, no I/O, no names (frames are strtab ids).
 *
 * The tree keeps every node's counts, for the flame graph, folded and pprof
 * outputs. Once a window each node's weight decays and gains the window's
 * inclusive samples: w = w * 2^(-1/BUDGET_HALF_LIFE_WINDOWS) + samples. The
 * series are then chosen so that they and their "(other)" children number
 * at most max_series, the set closed under ancestors: first the set that
 * keeps the most decayed samples in their own node's series (a node's own
 * weight is its weight less its children's) for the series it spends, among
 * the nodes with samples to credit (sampled in that window, or waiting: see
 * below); then, where room is left, greedily among those nodes first and the
 * others after, heaviest first in each group (a parent is sampled whenever
 * its child is, and is never lighter). A node that is not a series of its
 * own is folded: its samples go to the "(other)" child of its nearest kept
 * ancestor. Between two windows a new node is kept while the budget has
 * room, and folded once it is full.
 *
 * The counter stays true for PromQL. A kept node's samples are credited to
 * its series as they come (budget__credit, once a drain); a folded node's
 * wait for the end of the window, and go to the series their node has after
 * that window's choice (its own, if it was kept then). A series' counter is
 * the sum of what it was credited: it never goes down. A node that leaves
 * the kept set stops being served, its counter frozen, and resumes from there
 * if it comes back; what it gets meanwhile goes to an (other) counter. With
 * hold_new, a series is credited only once a scrape has served it
 * (budget__served): a new series is first served at 0 (one coming back at its
 * old value), so that increase() counts its first samples instead of taking
 * them as its starting point. So sum(increase()) over a range is the samples
 * of that range.
 *
 * Memory: past 4 x max_series nodes (at least 1,024), the end of a window
 * prunes the lightest folded subtrees down to 2 x max_series nodes; their
 * counts move to an "(other)" node of the tree under their nearest surviving
 * ancestor. Past 8 x max_series nodes (at least 4,096), a new path goes into
 * the (other) node under its deepest known frame until the next prune.
 * A pruned node that had been a series loses its frozen counter: if its path
 * comes back and is kept again, its counter starts from 0, which Prometheus
 * reads as a counter reset (increase() stays right). */
#ifndef PROMFILER_BUDGET_H
#define PROMFILER_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tree.h"

#define BUDGET_HALF_LIFE_WINDOWS 3

struct budget_opts {
	unsigned int max_depth;   /* frames per path, "(truncated)" marks a cut; 0: no limit */
	unsigned int max_series;  /* series per process; 0: no limit */
	bool trim_bootstrap;      /* drop the frames outward of the first JS frame */
	bool hold_new;            /* credit a series once served (see below) */
	uint32_t root_frame;      /* "(root)" */
	uint32_t other_frame;     /* "(other)" */
	uint32_t truncated_frame; /* "(truncated)" */
};

struct budget_stats {
	size_t nodes;            /* in the tree */
	size_t series;           /* signatures the budget holds now (its own count) */
	uint64_t folded_samples; /* credited to a series other than their node's */
	uint64_t pruned_nodes;   /* removed from the tree to bound its memory */
};

struct budget;

/* An empty tree under the budget. NULL + errno. */
struct budget *budget__new(const struct budget_opts *opts);
void budget__free(struct budget *b);

/* Adds count samples of one stack: frames[0..n) outermost first, first_js
 * the index of the outermost JS frame (n or more: none; then nothing is
 * trimmed). 0 or -ENOMEM (the samples are then not added). */
int budget__add(struct budget *b, const uint32_t *frames, size_t n, size_t first_js,
		uint64_t count);

/* Ends the window: the tree's window counts turn over, weights decay, the
 * series are chosen again, cold nodes pruned and samples credited. *folded
 * (if not NULL) is increased by the samples credited to a series other than
 * their node's. 0 or -ENOMEM (then the previous choice stands, still within
 * the budget). */
int budget__end_window(struct budget *b, uint64_t *folded);

/* Credits the samples of kept nodes to their series (see above). *folded
 * as in budget__end_window. */
void budget__credit(struct budget *b, uint64_t *folded);
/* Says that the series budget__series shows now were served to a scraper:
 * the samples held for them can count from now on. */
void budget__served(struct budget *b);

/* Every node and its counts (the caller must not change it). */
const struct tree *budget__tree(const struct budget *b);

/* The series as a tree of their own, for render_prom: the kept nodes and
 * their "(other)" children, each with self_window the samples of the last
 * window (its own, or those it holds for its folded nodes), self_total its
 * counter in samples and self_filling the samples waiting to be credited to
 * it. NULL + errno. The caller frees it. */
struct tree *budget__series(const struct budget *b);

void budget__stats(const struct budget *b, struct budget_stats *st);

#endif
