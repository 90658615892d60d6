// SPDX-License-Identifier: MIT
/* profiler: the engine that wires the pipeline together: sampler -> targets
 * (symbolize, tree), renders by profiler_render. It is the library behind
 * include/ and the CLI: create it with the library's options, call
 * profiler__poll about once a second, and render its profiles and metrics
 * from any thread. */
#ifndef PROMFILER_PROFILER_H
#define PROMFILER_PROFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <sys/types.h>

#include <promfiler.h>

#include "buf.h"
#include "frame_name.h"
#include "profile.h"
#include "profile_view.h"
#include "render_prom.h"

#define PROFILER_MAX_STACK PROFILE_MAX_STACK_DEPTH /* frames of one user or kernel stack */

struct profiler;

/* Loads and attaches the sampler, with the library's options (checked by
 * options__check; pids and comms are not kept). NULL + errno (EPERM,
 * EINVAL, ...). */
struct profiler *profiler__new(const struct promfiler_options *opts);
void profiler__free(struct profiler *p);
/* Drains new samples into the trees, notices exited targets, and ends the
 * window when it is due. 0 or -errno. */
int profiler__poll(struct profiler *p);

struct profiler_render_req {
	enum promfiler_format format;
	pid_t pid;                  /* one target, or 0 for all merged */
	enum profile_count count;   /* which samples (not for prometheus) */
	int64_t duration_nanos;     /* pprof: what the profile covers */
};

/* Appends one profile in the requested format to out. 0, -ESRCH (pid is no
 * target), or -ENOMEM. Thread-safe against profiler__poll. */
int profiler__render(struct profiler *p, const struct profiler_render_req *req,
		     struct buf *out);

/* Adds a process to profile (launch mode's command). 0 or -errno. */
int profiler__add_pid(struct profiler *p, pid_t pid);
/* Ends the profile window now (one-shot mode's last step). */
void profiler__end_window(struct profiler *p);
/* Samples drained so far, for progress reports. */
uint64_t profiler__samples(struct profiler *p);

struct profiler_target_summary {
	pid_t pid;
	char comm[PROFILE_COMM_LEN];
	uint64_t samples; /* since first seen */
};

/* Fills up to max summaries of the current targets; returns how many there
 * are (may exceed max). */
size_t profiler__targets(struct profiler *p, struct profiler_target_summary *out,
			 size_t max);

#endif
