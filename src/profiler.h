/* profiler: the engine that wires the pipeline together: sampler -> targets
 * (symbolize, tree) -> render_prom. It is the library behind include/ and
 * the CLI: create it with options, call profiler__poll about once a second,
 * and render its metrics from any thread. */
#ifndef PROMFILER_PROFILER_H
#define PROMFILER_PROFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "frame_name.h"
#include "render_prom.h"

struct profiler_opts {
	const pid_t *pids;        /* processes to profile */
	size_t n_pids;
	const char *const *comms; /* and processes with these comms */
	size_t n_comms;
	bool all;                 /* or every process */
	bool kernel;              /* add kernel frames (name_[k]) below user frames */
	unsigned int frequency;   /* Hz per CPU */
	unsigned int window_seconds;
	enum prom_weight weight;
	const char *separator;
	enum frame_style frame_style;
	bool verbose;
	/* Where diagnostics go (one line each, no newline); NULL: nowhere. */
	void (*log)(const char *line);
};

struct profiler;

/* Loads and attaches the sampler. NULL + errno (EPERM, EINVAL, ...). */
struct profiler *profiler__new(const struct profiler_opts *opts);
void profiler__free(struct profiler *p);
/* Drains new samples into the trees, notices exited targets, and ends the
 * window when it is due. 0 or -errno. */
int profiler__poll(struct profiler *p);
/* Appends the Prometheus exposition (profiles and self-metrics) to out.
 * Thread-safe against profiler__poll. 0 or -ENOMEM. */
int profiler__render_metrics(struct profiler *p, struct buf *out);

#endif
