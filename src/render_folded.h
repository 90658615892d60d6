// SPDX-License-Identifier: MIT
/* render_folded: signature trees -> Brendan Gregg's folded stacks, the input
 * of flamegraph.pl, speedscope, inferno and most flame graph tools
 * (https://github.com/brendangregg/FlameGraph#2-fold-stacks). Pure: trees
 * and names in, bytes out; no clock, no I/O.
 *
 * One line per stack that has self samples, root first and leaf last, the
 * tree's own root left out:
 *   main;fib;fib 2
 * Frames are joined by ';', so a ';' inside a name becomes ':' (and a
 * newline or carriage return a space: each stack is one line). Identical
 * stacks, from several trees or made identical by that substitution, are
 * one line with the sum. Lines are sorted (strcmp of the stack), so equal
 * trees give equal bytes. Self samples of the root itself (stacks with no
 * frame at all) are the line of the root's own name, e.g. "(root) 3". */
#ifndef PROMFILER_RENDER_FOLDED_H
#define PROMFILER_RENDER_FOLDED_H

#include <stddef.h>

#include "buf.h"
#include "profile_view.h"
#include "strtab.h"
#include "tree.h"

struct folded_opts {
	const struct strtab *frames; /* names of the trees' frame ids */
	enum profile_count count;    /* which self count to write */
};

/* Appends the folded stacks of the n trees, summed. 0 or -ENOMEM. */
int render_folded__trees(struct buf *out, const struct tree *const *trees,
			 size_t n, const struct folded_opts *opts);

#endif
