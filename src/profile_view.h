// SPDX-License-Identifier: MIT
/* profile_view: the read-only call tree that the folded, flame graph and
 * pprof renderers draw. It merges one or more signature trees (say, every
 * process) by frame path, keeps one of a node's three self counts (the
 * caller's choice), adds inclusive counts, drops what was not sampled, and
 * orders children by frame name, so that output does not depend on the
 * order in which frames were first seen. Pure: no clock, no I/O. */
#ifndef PROMFILER_PROFILE_VIEW_H
#define PROMFILER_PROFILE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "strtab.h"
#include "tree.h"

#define PROFILE_NONE UINT32_MAX

/* Which of a tree node's self counts a renderer shows. */
enum profile_count {
	COUNT_WINDOW,  /* the last completed window (what /metrics shows) */
	COUNT_TOTAL,   /* since the target was first seen */
	COUNT_FILLING, /* the window being filled (partial) */
};

struct profile_node {
	uint32_t parent;       /* PROFILE_NONE for the root */
	uint32_t frame;        /* strtab id */
	uint32_t first_child;  /* PROFILE_NONE if a leaf */
	uint32_t next_sibling; /* PROFILE_NONE if the last child */
	uint32_t depth;        /* 0 for the root */
	uint64_t self;         /* the chosen self count */
	uint64_t total;        /* self + every descendant's self (inclusive) */
};

/* Nodes are in preorder: node 0 is the root, a node's descendants follow it
 * and siblings are sorted by name (strcmp; equal names by frame id). Only
 * nodes with total > 0 are kept, and the root always. */
struct profile_view {
	struct profile_node *nodes;
	size_t n_nodes;
	uint32_t max_depth;
};

/* A node's self count of the chosen kind. */
uint64_t profile_view__self(const struct tree_node *n, enum profile_count count);

/* Builds *view from n_trees trees whose frame ids all name strings of
 * `frames`; the root takes trees[0]'s root frame (the merged roots are one
 * node). n_trees may be 0 (an empty view: a root with total 0). The view
 * owns its nodes and no longer needs the trees. 0, or -ENOMEM (then *view
 * is empty and needs no release, though releasing it is harmless). */
int profile_view__build(struct profile_view *view,
			const struct tree *const *trees, size_t n_trees,
			const struct strtab *frames, enum profile_count count);
void profile_view__release(struct profile_view *view);

/* The name of a frame id, "(unknown)" for an id the strtab lacks. */
const char *profile_view__name(const struct strtab *frames, uint32_t frame);

#endif
