// SPDX-License-Identifier: MIT
/* tree: one process's signature tree (its call tree, as in the original
 * promfiler). Node 0 is "(root)"; each other node is a frame below its
 * parent. Every node counts its own ("self") samples three ways: in the
 * window being filled, in the last completed window, and since the target
 * was first seen. Frames are strtab ids; the tree does not know names. */
#ifndef PROMFILER_TREE_H
#define PROMFILER_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TREE_ROOT 0u
#define TREE_NONE UINT32_MAX

struct tree_node {
	uint32_t parent;       /* TREE_NONE for the root */
	uint32_t frame;        /* strtab id */
	uint32_t first_child;  /* TREE_NONE if a leaf */
	uint32_t next_sibling; /* TREE_NONE if the last child */
	uint64_t self_filling; /* samples in the window being filled */
	uint64_t self_window;  /* samples in the last completed window */
	uint64_t self_total;   /* samples since the tree was created */
};

struct tree;

/* A tree holding only the root, whose frame is root_frame. NULL + errno. */
struct tree *tree__new(uint32_t root_frame);
void tree__free(struct tree *t);
/* The child of parent for frame, created if missing; TREE_NONE when out of
 * memory. */
uint32_t tree__child(struct tree *t, uint32_t parent, uint32_t frame);
/* The child of parent for frame, or TREE_NONE if there is none. */
uint32_t tree__find(const struct tree *t, uint32_t parent, uint32_t frame);
/* Adds count self samples to node (filling window and total). */
void tree__add(struct tree *t, uint32_t node, uint64_t count);
/* Adds to each of node's three self counts: for counts that moved from
 * elsewhere (a pruned subtree, a budget's series), not new samples. */
void tree__add_counts(struct tree *t, uint32_t node, uint64_t filling,
		      uint64_t window, uint64_t total);
/* Removes every node whose drop[id] is true, with its descendants (the
 * root stays). The others keep their order, so parents still come before
 * their children; map[old id] receives the new id, or TREE_NONE for a
 * removed node (map has tree__size() entries). 0 or -ENOMEM (the tree is
 * then unchanged). */
int tree__prune(struct tree *t, const bool *drop, uint32_t *map);
/* Adds every node of src, with its counts, to dst (whose frames must come
 * from the same strtab). 0 or -ENOMEM (dst then holds part of src). */
int tree__merge(struct tree *dst, const struct tree *src);
/* Ends the window: filling becomes the last completed one, filling restarts. */
void tree__end_window(struct tree *t);
size_t tree__size(const struct tree *t);
const struct tree_node *tree__node(const struct tree *t, uint32_t node);

#endif
