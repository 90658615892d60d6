// SPDX-License-Identifier: MIT
/* render_prom: Prometheus text rendering of signature trees; see
 * render_prom.h for the families and their meaning. */
#include "render_prom.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void render_prom__escape(struct buf *out, const char *v)
{
	const char *run = v;

	while (*v) {
		const char *rep;
		size_t n;

		switch (*v) {
		case '\\': rep = "\\\\"; break;
		case '"': rep = "\\\""; break;
		case '\n': rep = "\\n"; break;
		default:
			n = utf8__seq_len(v);
			if (n) {
				v += n;
				continue;
			}
			/* The text format is UTF-8 and Prometheus drops a
			 * whole scrape over one bad byte: values come from
			 * processes (comm, perf maps, cgroup paths). */
			rep = UTF8_REPLACEMENT;
		}
		buf__append(out, run, (size_t)(v - run));
		buf__puts(out, rep);
		run = ++v;
	}
	buf__append(out, run, (size_t)(v - run));
}

void render_prom__header(struct buf *out, const char *name, const char *type,
			 const char *help)
{
	buf__printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The fewest digits (15 to 17) that read back as the same double, as
 * Prometheus's own clients write values: a start time in seconds since
 * 1970 keeps its fraction. */
static void write_shortest(struct buf *out, double value)
{
	char s[32];

	for (int digits = 15; digits <= 17; digits++) {
		snprintf(s, sizeof(s), "%.*g", digits, value);
		if (strtod(s, NULL) == value)
			break; /* 17 digits always do */
	}
	buf__puts(out, s);
}

static void write_value(struct buf *out, double value)
{
	if (isnan(value))
		buf__puts(out, "NaN");
	else if (isinf(value))
		buf__puts(out, value > 0 ? "+Inf" : "-Inf");
	else if (value == floor(value) && fabs(value) < 1e15)
		buf__printf(out, "%.0f", value);
	else
		write_shortest(out, value);
}

static void write_labels(struct buf *out, const struct prom_label *labels,
			 size_t n, bool comma_first)
{
	for (size_t i = 0; i < n; i++) {
		buf__printf(out, "%s%s=\"", (i || comma_first) ? "," : "",
			    labels[i].name);
		render_prom__escape(out, labels[i].value);
		buf__puts(out, "\"");
	}
}

void render_prom__sample(struct buf *out, const char *name,
			 const struct prom_label *labels, size_t n_labels,
			 double value)
{
	buf__puts(out, name);
	if (n_labels) {
		buf__puts(out, "{");
		write_labels(out, labels, n_labels, false);
		buf__puts(out, "}");
	}
	buf__puts(out, " ");
	write_value(out, value);
	buf__puts(out, "\n");
}

enum family { FAMILY_PROFILE, FAMILY_SECONDS };

struct walk {
	struct buf *out;
	struct buf path;           /* signature of the current node */
	const struct prom_profile *profile;
	const struct prom_profile_opts *opts;
	const uint64_t *window_total; /* inclusive window samples by node */
	enum family family;
};

static void emit(struct walk *w, const char *name, double value)
{
	buf__printf(w->out, "%s{signature=\"", name);
	render_prom__escape(w->out, w->path.data ? w->path.data : "");
	buf__puts(w->out, "\"");
	write_labels(w->out, w->profile->labels, w->profile->n_labels, true);
	buf__puts(w->out, "} ");
	write_value(w->out, value);
	buf__puts(w->out, "\n");
}

static void visit(struct walk *w, uint32_t id)
{
	const struct tree *t = w->profile->tree;
	const struct tree_node *n = tree__node(t, id);
	const char *frame = strtab__get(w->opts->frames, n->frame);
	size_t path_len = w->path.len;

	if (w->family == FAMILY_PROFILE && w->window_total[id] == 0)
		return; /* nothing sampled below: no series */
	if (id != TREE_ROOT)
		buf__puts(&w->path, w->opts->separator);
	buf__puts(&w->path, frame ? frame : "(unknown)");

	if (w->family == FAMILY_PROFILE)
		emit(w, "promfiler_cpu_profile",
		     (double)(w->opts->weight == PROM_WEIGHT_TOTAL ?
				      w->window_total[id] : n->self_window));
	else if (n->self_total || n->self_filling)
		emit(w, "promfiler_cpu_seconds_total",
		     (double)n->self_total * w->opts->seconds_per_sample);

	for (uint32_t c = n->first_child; c != TREE_NONE;
	     c = tree__node(t, c)->next_sibling)
		visit(w, c);
	w->path.len = path_len;
	if (w->path.data)
		w->path.data[path_len] = '\0';
}

/* Inclusive window samples by node: children always have larger ids than
 * their parent, so one backward pass sums every subtree. */
static uint64_t *window_totals(const struct tree *t)
{
	size_t n = tree__size(t);
	uint64_t *total = malloc(n * sizeof(*total));

	if (!total)
		return NULL;
	for (size_t i = 0; i < n; i++)
		total[i] = tree__node(t, (uint32_t)i)->self_window;
	for (size_t i = n - 1; i > 0; i--)
		total[tree__node(t, (uint32_t)i)->parent] += total[i];
	return total;
}

int render_prom__profiles(struct buf *out, const struct prom_profile *profiles,
			  size_t n, const struct prom_profile_opts *opts)
{
	static const struct {
		const char *name, *type, *help;
	} families[] = {
		[FAMILY_PROFILE] = { "promfiler_cpu_profile", "gauge",
			"CPU samples of each call-tree node (signature) in the last completed window." },
		[FAMILY_SECONDS] = { "promfiler_cpu_seconds_total", "counter",
			"Self CPU seconds of each call-tree node (signature) since the process was first seen." },
	};
	int err = 0;

	for (int f = FAMILY_PROFILE; f <= FAMILY_SECONDS; f++) {
		render_prom__header(out, families[f].name, families[f].type,
				    families[f].help);
		for (size_t i = 0; i < n; i++) {
			struct walk w = {
				.out = out, .profile = &profiles[i], .opts = opts,
				.family = (enum family)f,
			};
			uint64_t *totals = window_totals(profiles[i].tree);

			if (!totals) {
				err = -ENOMEM;
				break;
			}
			w.window_total = totals;
			buf__init(&w.path);
			visit(&w, TREE_ROOT);
			if (buf__error(&w.path))
				err = -ENOMEM;
			buf__release(&w.path);
			free(totals);
		}
	}
	return err ? err : buf__error(out);
}
