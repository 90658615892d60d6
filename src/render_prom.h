// SPDX-License-Identifier: MIT
/* render_prom: signature trees -> Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Pure: tree
 * and names in, bytes out; no clock, no I/O.
 *
 * Families written by render_prom__profiles, in the original promfiler's form:
 *   promfiler_cpu_profile{signature="(root)#main#fib",LABELS} N
 *     gauge, samples in the last completed window, for every node whose
 *     subtree was sampled (ancestors included, 0 when they have no self
 *     samples); self or total (inclusive) weight.
 *   promfiler_cpu_seconds_total{signature=...,LABELS} S
 *     counter, self CPU seconds since the tree began (self_total), for nodes
 *     with self time, counted or still to come (self_filling): a budget's
 *     series tree (budget.h) shows a new series at 0 before it counts. */
#ifndef PROMFILER_RENDER_PROM_H
#define PROMFILER_RENDER_PROM_H

#include <stddef.h>

#include "buf.h"
#include "strtab.h"
#include "tree.h"

enum prom_weight {
	PROM_WEIGHT_SELF,  /* the original promfiler's documented meaning */
	PROM_WEIGHT_TOTAL, /* inclusive, what grafana-flamegraph-panel expects */
};

struct prom_label {
	const char *name;
	const char *value; /* any bytes; escaped when written */
};

/* One tree and the labels its series carry besides `signature`. */
struct prom_profile {
	const struct tree *tree;
	const struct prom_label *labels;
	size_t n_labels;
};

struct prom_profile_opts {
	const struct strtab *frames; /* names of the trees' frame ids */
	const char *separator;       /* between frames of a signature */
	enum prom_weight weight;
	double seconds_per_sample;   /* the sampling period */
};

/* Appends both profile families for all profiles. 0 or -ENOMEM. */
int render_prom__profiles(struct buf *out, const struct prom_profile *profiles,
			  size_t n, const struct prom_profile_opts *opts);

/* Building blocks for other families (self-metrics). */
void render_prom__header(struct buf *out, const char *name, const char *type,
			 const char *help);
void render_prom__sample(struct buf *out, const char *name,
			 const struct prom_label *labels, size_t n_labels,
			 double value);
/* Appends v escaped as a label value: \ -> \\, " -> \", newline -> \n,
 * and each byte that is not part of valid UTF-8 -> U+FFFD. */
void render_prom__escape(struct buf *out, const char *v);

#endif
