/* profiler: the engine that wires the pipeline together: sampler -> targets
 * (symbolize, tree) -> render_prom. It is the library behind include/ and
 * the CLI: create it with options, call profiler__poll about once a second,
 * and render its metrics from any thread. */
#ifndef PROMFILER_PROFILER_H
#define PROMFILER_PROFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <sys/types.h>

#include "buf.h"
#include "frame_name.h"
#include "profile.h"
#include "profile_view.h"
#include "render_prom.h"

struct profiler_opts {
	const pid_t *pids;        /* processes to profile */
	size_t n_pids;
	const char *const *comms; /* and processes with these comms */
	size_t n_comms;
	bool all;                 /* or every process */
	bool kernel;              /* add kernel frames (name_[k]) below user frames */
	bool follow_forks;        /* children of profiled PIDs are profiled too */
	/* Cardinality budget (0: no limit). */
	unsigned int max_depth;   /* frames per signature, "(truncated)" marks a cut */
	unsigned int max_series;  /* tree nodes per target, then "(other)" */
	bool trim_bootstrap;      /* drop native frames outward of the first JS frame */
	unsigned int labels;      /* 1 << PROFILER_LABEL_*: labels of the series */
	unsigned int frequency;   /* Hz per CPU */
	unsigned int window_seconds;
	bool manual_windows;      /* windows end only by profiler__end_window */
	enum prom_weight weight;
	const char *separator;
	enum frame_style frame_style;
	bool no_v8_names;         /* JS frames named by perf maps only (no V8 objects) */
	bool verbose;
	/* Where diagnostics go (one line each, no newline); NULL: nowhere. */
	void (*log)(const char *line);
};

/* Labels the profile series can carry besides signature (--labels). */
enum profiler_label {
	PROFILER_LABEL_PID,
	PROFILER_LABEL_COMM,
	PROFILER_LABEL_CONTAINER_ID,
	PROFILER_LABEL_POD,
	PROFILER_LABEL_NAMESPACE,
	PROFILER_LABEL_COUNT
};
#define PROFILER_LABELS_DEFAULT ((1u << PROFILER_LABEL_PID) | (1u << PROFILER_LABEL_COMM))

extern const char *const profiler_label_names[PROFILER_LABEL_COUNT];
/* "pid,comm,pod" -> a set of 1 << PROFILER_LABEL_*; 0 or -EINVAL. */
int profiler__parse_labels(const char *list, unsigned int *out);

#define PROFILER_MAX_STACK PROFILE_MAX_STACK_DEPTH /* frames of one user or kernel stack */

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

enum profiler_format {
	PROFILER_FORMAT_PROMETHEUS, /* the /metrics exposition */
	PROFILER_FORMAT_FOLDED,     /* Brendan Gregg's folded stacks */
	PROFILER_FORMAT_SVG,
	PROFILER_FORMAT_HTML,       /* self-contained flame graph page */
	PROFILER_FORMAT_PPROF,      /* gzipped pprof protobuf */
};

struct profiler_render_req {
	enum profiler_format format;
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
