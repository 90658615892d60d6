// SPDX-License-Identifier: MIT
/* render_folded: folded stacks of signature trees; see render_folded.h.
 * Stacks are built in a scratch buffer while walking the merged view in
 * preorder, then sorted and summed, because the ';' substitution can make
 * two different paths one line. */
#include "render_folded.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct line {
	size_t key;     /* offset of the NUL-terminated stack in keys */
	uint64_t count;
};

/* Appends name with the characters that would split a frame or a line
 * replaced. */
static void append_frame(struct buf *b, const char *name)
{
	const char *run = name;

	for (; *name; name++) {
		const char *rep;

		switch (*name) {
		case ';': rep = ":"; break;
		case '\n': case '\r': rep = " "; break;
		default: continue;
		}
		buf__append(b, run, (size_t)(name - run));
		buf__puts(b, rep);
		run = name + 1;
	}
	buf__append(b, run, (size_t)(name - run));
}

static int by_key(const void *a, const void *b, void *keys)
{
	return strcmp((const char *)keys + ((const struct line *)a)->key,
		      (const char *)keys + ((const struct line *)b)->key);
}

int render_folded__trees(struct buf *out, const struct tree *const *trees,
			 size_t n, const struct folded_opts *opts)
{
	struct profile_view v;
	struct buf keys, path;
	struct line *lines = NULL;
	size_t *at_depth = NULL, n_lines = 0;
	int err;

	err = profile_view__build(&v, trees, n, opts->frames, opts->count);
	if (err)
		return err;
	buf__init(&keys);
	buf__init(&path);
	err = -ENOMEM;
	lines = malloc(v.n_nodes * sizeof(*lines));
	/* at_depth[d]: length of the path of the current node at depth d - 1. */
	at_depth = calloc((size_t)v.max_depth + 2, sizeof(*at_depth));
	if (!lines || !at_depth)
		goto out;

	for (size_t i = 0; i < v.n_nodes; i++) {
		const struct profile_node *pn = &v.nodes[i];
		const char *name = profile_view__name(opts->frames, pn->frame);

		if (pn->depth == 0) {
			buf__reset(&path);
		} else {
			path.len = at_depth[pn->depth];
			if (path.data)
				path.data[path.len] = '\0';
			if (pn->depth > 1)
				buf__puts(&path, ";");
		}
		if (pn->depth > 0 || pn->self)
			append_frame(&path, name);
		at_depth[pn->depth + 1] = pn->depth ? path.len : 0;
		if (!pn->self || buf__error(&path))
			continue;
		lines[n_lines++] = (struct line){ .key = keys.len, .count = pn->self };
		buf__append(&keys, path.data, path.len + 1);
	}
	if (buf__error(&path) || buf__error(&keys))
		goto out;

	qsort_r(lines, n_lines, sizeof(*lines), by_key, keys.data);
	for (size_t i = 0; i < n_lines;) {
		const char *key = keys.data + lines[i].key;
		uint64_t sum = 0;

		for (; i < n_lines && strcmp(keys.data + lines[i].key, key) == 0; i++)
			sum += lines[i].count;
		buf__printf(out, "%s %" PRIu64 "\n", key, sum);
	}
	err = buf__error(out);
out:
	free(lines);
	free(at_depth);
	buf__release(&keys);
	buf__release(&path);
	profile_view__release(&v);
	return err;
}
