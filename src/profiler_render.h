// SPDX-License-Identifier: MIT
/* profiler_render: the engine's renders, apart from the engine that fills
 * them: the Prometheus exposition (the profiles of every target, grouped by
 * their label values, and the catalogue of self-metrics: samples, drops by
 * reason, naming, drains, the BPF program's cost, targets, windows,
 * process_* and build_info) and the dispatch of a profile request to the
 * folded, SVG, HTML or pprof renderer. The caller (profiler.c) holds the
 * engine's lock and reads the sampler's stats. */
#ifndef PROMFILER_PROFILER_RENDER_H
#define PROMFILER_PROFILER_RENDER_H

#include <stddef.h>

#include "buf.h"
#include "profiler.h"
#include "sampler.h"

/* Appends the exposition of p, with the sampler's stats and attached CPUs,
 * to out. 0 or -ENOMEM. */
int profiler_render__metrics(struct profiler *p, const struct sampler_stats *st,
			     size_t cpus, struct buf *out);
/* Appends one profile of p in req's format (not PROMFILER_FORMAT_PROMETHEUS:
 * -EINVAL) to out. 0, -ESRCH (req->pid is no target), or -ENOMEM. */
int profiler_render__profile(struct profiler *p, const struct profiler_render_req *req,
			     struct buf *out);

#endif
