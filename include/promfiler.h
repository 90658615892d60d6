// SPDX-License-Identifier: MIT
/* promfiler.h: the public C API of promfiler-bpf, a continuous CPU profiler
 * for Node.js processes on libbpf. It is the C counterpart of the original
 * promfiler's startProfiling() / getMetrics(): create a profiler with
 * options, start it, and render its profiles (the Prometheus exposition, or
 * folded stacks, a flame graph, pprof) into buffers, from any thread. The
 * promfiler-bpf command is built on it; examples/own_server.c serves the
 * metrics from its own HTTP server.
 *
 *   struct promfiler_options o;
 *   promfiler_options_init(&o);
 *   o.pids = pids; o.n_pids = 1;
 *   struct promfiler *pf = promfiler_create(&o);    // NULL + errno
 *   if (!pf || promfiler_start(pf))                  // loads the BPF program
 *       fprintf(stderr, "%s\n", promfiler_error());
 *   ...
 *   char *text; size_t len;
 *   if (promfiler_render(pf, PROMFILER_FORMAT_PROMETHEUS, 0,
 *                        PROMFILER_SPAN_WINDOW, &text, &len) == 0) {
 *       fwrite(text, 1, len, stdout);
 *       promfiler_free_buffer(text);
 *   }
 *   promfiler_destroy(pf);                           // stops it too
 *
 * Conventions: functions returning int return 0 or a negative errno value;
 * the constructor returns NULL and sets errno. After any failure,
 * promfiler_error() has a one-line reason. Starting needs root, or
 * CAP_BPF + CAP_PERFMON, and a kernel with BTF (Linux >= 5.8).
 *
 * Thread-safety: every function may be called from any thread, concurrently
 * with the others on the same handle, except promfiler_destroy, which must
 * be the last call on a handle (no call may be running or follow it).
 *
 * Link: pkg-config --cflags --libs promfiler (add --static for
 * libpromfiler.a). Only the names starting with promfiler_ / PROMFILER_ are
 * part of the API; the library's own modules stay hidden. */
#ifndef PROMFILER_H
#define PROMFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define PROMFILER_API __attribute__((visibility("default")))
#else
#define PROMFILER_API
#endif

/* Labels that the profile series can carry besides `signature` (a set of
 * 1u << PROMFILER_LABEL_*). Series of processes that end up with the same
 * label values are merged: leaving out PID merges processes. */
enum promfiler_label {
	PROMFILER_LABEL_PID,
	PROMFILER_LABEL_COMM,
	PROMFILER_LABEL_CONTAINER_ID,
	PROMFILER_LABEL_POD,
	PROMFILER_LABEL_NAMESPACE,
};
#define PROMFILER_LABELS_DEFAULT \
	((1u << PROMFILER_LABEL_PID) | (1u << PROMFILER_LABEL_COMM))

#define PROMFILER_MAX_COMMS 8  /* comms the kernel side can match */
#define PROMFILER_COMM_LEN 16  /* a kernel comm: 15 characters and a NUL */

struct promfiler_options {
	/* sizeof(struct promfiler_options) as the caller was compiled:
	 * promfiler_options_init sets it. It lets a newer library accept an
	 * older caller's shorter struct (missing fields keep their defaults). */
	size_t size;

	/* What to profile: these processes, processes with these comms
	 * (including ones started later; at most PROMFILER_MAX_COMMS, each cut
	 * to 15 characters as the kernel keeps it), or every process. None of
	 * them: only processes given later to promfiler_add_pid. The arrays
	 * are copied by promfiler_create. */
	const int *pids;
	size_t n_pids;
	const char *const *comms;
	size_t n_comms;
	bool all;
	bool follow_forks;          /* children of profiled PIDs are profiled too */
	bool kernel_frames;         /* add kernel frames (name_[k]) below user frames */

	/* Sampling and windows. */
	unsigned int frequency_hz;  /* samples per second per CPU, 1..100000 (97) */
	unsigned int window_seconds; /* what promfiler_cpu_profile covers, 1..86400 (30) */
	bool manual_windows;        /* windows end only at promfiler_end_window */

	/* The series. */
	bool weight_total;          /* gauge = inclusive samples (default: self) */
	const char *separator;      /* between frames, 1..8 bytes, no ", \ or newline ("#") */
	unsigned int labels;        /* 1u << PROMFILER_LABEL_* (PROMFILER_LABELS_DEFAULT) */
	bool frame_locations;       /* "fib /app.js:1" rather than "fib" */
	bool no_v8_names;           /* name JS frames from perf maps only */
	/* Cardinality budget; 0 is no limit (1 is refused). */
	unsigned int max_series;    /* series per process, the rest in "(other)" (3000) */
	unsigned int max_depth;     /* frames per signature, then "(truncated)" (0) */
	bool trim_bootstrap;        /* drop native frames outward of the first JS frame */

	/* Diagnostics: one line each, no newline, for the life of the handle
	 * ("profiling pid 12 (node)", "pid 12: no perf map ..."). Called from
	 * the polling thread and from promfiler_start (with verbose, also
	 * from promfiler_destroy: libbpf's messages as it unloads); NULL:
	 * none. Each handle's go to its own log, also with several handles. */
	void (*log)(const char *line);
	bool verbose;               /* libbpf's messages too (through log) */

	/* Called first on the polling thread, each time promfiler_start starts
	 * it (the BPF program is attached by then); NULL: nothing. For what is
	 * per thread on Linux: capset(2), so a caller that drops capabilities
	 * after starting drops them here too; a thread name, CPU affinity. */
	void (*thread_start)(void);

	/* Stacks end at their innermost JS frame: the native code a JS
	 * function calls (V8's runtime, libc, kernel frames) counts as its own
	 * time, as in V8's profiler. Fewer call-tree nodes, so a small
	 * max_series folds less. Stacks with no JS frame keep every frame. */
	bool trim_native_leaves;
};

/* Fills *opts with the defaults given above and sets opts->size. */
PROMFILER_API void promfiler_options_init(struct promfiler_options *opts);

struct promfiler;

/* Checks and copies the options; loads nothing (no privileges needed).
 * Returns the handle, or NULL with errno EINVAL (a bad option: see
 * promfiler_error) or ENOMEM. Free it with promfiler_destroy. */
PROMFILER_API struct promfiler *promfiler_create(const struct promfiler_options *opts);

/* Loads and attaches the BPF program and starts a background thread that
 * reads the samples once a second (it blocks every signal: they go to the
 * caller's threads). Each start begins a new profile: after
 * a promfiler_stop, the previous profiles and counters are dropped here.
 * Returns 0, or -EALREADY (running), -EPERM (missing privileges),
 * -ENOTSUP (no BTF), -EINVAL (e.g. a frequency above
 * kernel.perf_event_max_sample_rate), -ENOMEM, or what the kernel said;
 * promfiler_error says which. */
PROMFILER_API int promfiler_start(struct promfiler *pf);

/* Stops reading samples: joins the background thread (promptly, not at the
 * next second) and takes the samples gathered up to now. The profiles are
 * frozen, not dropped: promfiler_render keeps working until the next
 * promfiler_start or promfiler_destroy, which unload the BPF program
 * (destroy a handle that will not be rendered again). Returns 0, also when
 * it was not running, or the last drain's -errno (stopped all the same). */
PROMFILER_API int promfiler_stop(struct promfiler *pf);

/* Profiles one more process from now on (as launch mode does with the
 * command it runs). Before promfiler_start, it joins the initial PID set;
 * it also stays in the set of later starts. Returns 0, -EINVAL (pid <= 0),
 * -ENOMEM, or the kernel's error. */
PROMFILER_API int promfiler_add_pid(struct promfiler *pf, int pid);

/* Takes the samples gathered up to now (unless stopped) and ends the
 * current window at once: PROMFILER_SPAN_WINDOW and the
 * promfiler_cpu_profile gauges then cover the window that just ended. It is
 * how a one-shot run closes its profile (with manual_windows, it is the only
 * way windows end). Returns 0, or -ENODATA (never started). */
PROMFILER_API int promfiler_end_window(struct promfiler *pf);

enum promfiler_format {
	PROMFILER_FORMAT_PROMETHEUS, /* text exposition 0.0.4: profiles and self-metrics */
	PROMFILER_FORMAT_FOLDED,     /* folded stacks, one "main;fib;fib 2" per line */
	PROMFILER_FORMAT_SVG,        /* flame graph image */
	PROMFILER_FORMAT_HTML,       /* self-contained flame graph page */
	PROMFILER_FORMAT_PPROF,      /* gzipped pprof protobuf (go tool pprof), binary */
};

/* Which samples a folded, SVG, HTML or pprof profile counts. */
enum promfiler_span {
	PROMFILER_SPAN_WINDOW, /* the last completed window, as the gauges */
	PROMFILER_SPAN_ALL,    /* everything since each process was first seen */
};

/* Renders one profile into a new buffer. On success *buf is a malloc'd
 * buffer of *len bytes (followed by a NUL that *len does not count), owned
 * by the caller, who frees it with promfiler_free_buffer (it is free(3));
 * on failure *buf is NULL and *len 0. A library-allocated buffer, rather
 * than the caller's, because a profile's size is known only once rendered
 * and changes with every poll.
 *   PROMFILER_FORMAT_PROMETHEUS: all processes (pid must be 0); span is
 *     ignored (the gauges are the window's, the counters everything's).
 *   Other formats: pid's process, or every process merged (pid 0); span
 *     chooses the samples.
 * Returns 0, -EINVAL (bad format, span or pid), -ESRCH (pid is not being
 * profiled, or exited more than a window ago), -ENODATA (never started), or
 * -ENOMEM. */
PROMFILER_API int promfiler_render(struct promfiler *pf, enum promfiler_format format,
				   int pid, enum promfiler_span span, char **buf,
				   size_t *len);

/* promfiler_render(pf, PROMFILER_FORMAT_PROMETHEUS, 0, PROMFILER_SPAN_WINDOW,
 * buf, len): what the original promfiler's getMetrics() returned. */
PROMFILER_API int promfiler_metrics(struct promfiler *pf, char **buf, size_t *len);

/* Frees a buffer from promfiler_render; NULL is a no-op. */
PROMFILER_API void promfiler_free_buffer(void *buf);

struct promfiler_target {
	int pid;
	char comm[PROMFILER_COMM_LEN];
	uint64_t samples; /* since the process was first seen */
};

/* Fills up to max entries of out with the processes being profiled (those
 * sampled at least once, and exited ones for one more window). Returns how
 * many there are, which may exceed max; 0 before the first start. */
PROMFILER_API size_t promfiler_targets(struct promfiler *pf, struct promfiler_target *out,
				       size_t max);

/* Samples read since the last start (0 before it): for progress reports. */
PROMFILER_API uint64_t promfiler_samples(struct promfiler *pf);

/* Stops (as promfiler_stop), unloads the BPF program and frees everything.
 * NULL is a no-op. */
PROMFILER_API void promfiler_destroy(struct promfiler *pf);

/* The one-line reason (no newline) for the last failure of a promfiler_
 * call on the calling thread; "" if none failed yet. Successes leave it
 * alone: read it right after a failure. Thread-local, never freed. */
PROMFILER_API const char *promfiler_error(void);

/* The library's version, "MAJOR.MINOR.PATCH". A static string. */
PROMFILER_API const char *promfiler_version(void);

#ifdef __cplusplus
}
#endif

#endif
