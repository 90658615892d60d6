// SPDX-License-Identifier: MIT
/* promfiler: the public C API (include/promfiler.h) over the profiler
 * engine (profiler.h). Thin on purpose: it checks and copies the options,
 * runs the thread that polls the engine once a second, and hands rendered
 * profiles out as malloc'd buffers. It must not pull in the HTTP module:
 * serving is the caller's business (the CLI's, or an embedder's).
 *
 * Three locks, each for one thing; when nested, taken in this order:
 * - control: start, stop, destroy and the PID list are one at a time;
 * - engine_lock (rwlock): readers render from the engine while start
 *   swaps in a new one (a writer), so a render never sees a freed engine;
 * - poll_lock + poll_cond (nothing taken under it): tell the polling thread
 *   to stop without waiting out its one-second sleep. */
#include "promfiler.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "options.h"
#include "profiler.h"
#include "sampler.h"

struct promfiler {
	/* The caller's options; pids, comms and separator point into this
	 * handle's own copies below. */
	struct promfiler_options opts;
	pid_t *pids;
	size_t cap_pids;
	char comm_storage[PROMFILER_MAX_COMMS][PROMFILER_COMM_LEN];
	const char *comms[PROMFILER_MAX_COMMS];
	char separator[OPTIONS_SEPARATOR_MAX + 1];

	pthread_mutex_t control;
	bool running;                /* the polling thread is alive */
	pthread_t thread;

	pthread_rwlock_t engine_lock;
	struct profiler *engine;     /* NULL until the first start */
	struct timespec started;     /* CLOCK_MONOTONIC, of the engine */
	struct timespec stopped;     /* ... and when it stopped polling */
	bool frozen;

	pthread_mutex_t poll_lock;
	pthread_cond_t poll_cond;
	bool stopping;

};

static _Thread_local char last_error[256];

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

/* Returns err (a -errno) after recording why. */
static int fail(int err, const char *what)
{
	set_error("%s: %s", what, strerror(-err));
	return err;
}

const char *promfiler_error(void)
{
	return last_error;
}

const char *promfiler_version(void)
{
	return PROMFILER_VERSION;
}

void promfiler_options_init(struct promfiler_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->size = sizeof(*opts);
	options__defaults(opts);
}

/* The table's rules (options.h), so that the API refuses what the CLI
 * refuses (an engine given a bad separator would produce ambiguous
 * signatures). 0, or -EINVAL with the reason recorded. */
static int check_options(const struct promfiler_options *o)
{
	char why[sizeof(last_error)];
	int err = options__check(o, why, sizeof(why));

	if (err)
		set_error("%s", why);
	return err;
}

/* Reads an options struct of any size: a shorter one (an older header)
 * keeps the defaults of what it lacks; a longer one (a newer header) is
 * accepted only if what this library does not know is zero. */
static int read_options(const struct promfiler_options *in,
			struct promfiler_options *out)
{
	promfiler_options_init(out);
	if (!in || in->size < sizeof(in->size)) {
		set_error("options not set up by promfiler_options_init");
		return -EINVAL;
	}
	for (size_t i = sizeof(*out); i < in->size; i++) {
		if (((const unsigned char *)in)[i]) {
			set_error("options from a newer promfiler.h than this library's");
			return -EINVAL;
		}
	}
	memcpy(out, in, in->size < sizeof(*out) ? in->size : sizeof(*out));
	out->size = sizeof(*out);
	if (!out->separator) /* NULL: the default */
		out->separator = options__find("separator")->def_str;
	return check_options(out);
}

static int reserve_pids(struct promfiler *pf, size_t n)
{
	pid_t *p;
	size_t cap;

	if (n <= pf->cap_pids)
		return 0;
	cap = pf->cap_pids ? pf->cap_pids : 16;
	while (cap < n)
		cap *= 2;
	p = realloc(pf->pids, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	pf->pids = p;
	pf->cap_pids = cap;
	return 0;
}

struct promfiler *promfiler_create(const struct promfiler_options *opts)
{
	struct promfiler *pf = calloc(1, sizeof(*pf));
	pthread_condattr_t ca;
	int err;

	if (!pf) {
		errno = -fail(-ENOMEM, "cannot create the profiler");
		return NULL;
	}
	err = read_options(opts, &pf->opts);
	if (!err && reserve_pids(pf, pf->opts.n_pids))
		err = fail(-ENOMEM, "cannot create the profiler");
	if (err) {
		free(pf);
		errno = -err;
		return NULL;
	}
	for (size_t i = 0; i < pf->opts.n_pids; i++)
		pf->pids[i] = pf->opts.pids[i];
	for (size_t i = 0; i < pf->opts.n_comms; i++) {
		/* The kernel keeps 15 characters of a comm: match what it keeps. */
		snprintf(pf->comm_storage[i], sizeof(pf->comm_storage[i]), "%s",
			 pf->opts.comms[i]);
		pf->comms[i] = pf->comm_storage[i];
	}
	snprintf(pf->separator, sizeof(pf->separator), "%s", pf->opts.separator);
	pf->opts.pids = NULL; /* the caller's: not kept */
	pf->opts.comms = NULL;
	pf->opts.separator = pf->separator;

	pthread_mutex_init(&pf->control, NULL);
	pthread_rwlock_init(&pf->engine_lock, NULL);
	pthread_mutex_init(&pf->poll_lock, NULL);
	/* The polling thread's deadlines must not jump with the wall clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pf->poll_cond, &ca);
	pthread_condattr_destroy(&ca);
	return pf;
}

static void log_line(const struct promfiler *pf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(const struct promfiler *pf, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!pf->opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pf->opts.log(line);
}

/* Every drain goes through here. 0 or -errno. */
static int drain(struct promfiler *pf)
{
	return profiler__poll(pf->engine);
}

static void poll_engine(struct promfiler *pf)
{
	int err = drain(pf);

	/* One bad drain is not the end: the next second tries again. */
	if (err)
		log_line(pf, "drain failed: %s", strerror(-err));
}

/* The polling thread. It reads pf->engine without engine_lock: the engine
 * is replaced only by promfiler_start, after this thread was joined. */
static void *poll_main(void *arg)
{
	struct promfiler *pf = arg;
	struct timespec next, now;

	if (pf->opts.thread_start)
		pf->opts.thread_start();
	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&pf->poll_lock);
	while (!pf->stopping) {
		next.tv_sec++;
		while (!pf->stopping &&
		       pthread_cond_timedwait(&pf->poll_cond, &pf->poll_lock, &next) != ETIMEDOUT)
			; /* spurious wakeups: wait on */
		if (pf->stopping)
			break;
		pthread_mutex_unlock(&pf->poll_lock);
		poll_engine(pf);
		pthread_mutex_lock(&pf->poll_lock);
		/* Fell a second behind (a slow drain, a suspended machine):
		 * poll a second from now rather than in a burst. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec)
			next = now;
	}
	pthread_mutex_unlock(&pf->poll_lock);
	return NULL;
}

/* The engine's options for this start: the handle's, with the PIDs of
 * the options and of promfiler_add_pid. Callers hold control. */
static void engine_options(const struct promfiler *pf, struct promfiler_options *o)
{
	*o = pf->opts;
	o->pids = pf->pids;
	o->comms = pf->comms;
}

/* Starts the polling thread with every signal blocked, so that the
 * caller's signals (SIGINT, SIGCHLD, ...) reach the caller's threads and
 * cut their sleeps short, never this one. 0 or -errno. */
static int start_thread(struct promfiler *pf)
{
	sigset_t all, old;
	int err;

	pf->stopping = false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&pf->thread, NULL, poll_main, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -err;
}

int promfiler_start(struct promfiler *pf)
{
	struct promfiler_options po;
	struct profiler *engine, *old;
	char why[256];
	int err;

	pthread_mutex_lock(&pf->control);
	if (pf->running) {
		err = fail(-EALREADY, "cannot start");
		goto out;
	}
	/* Say what is missing in one line, rather than libbpf's errors. */
	err = sampler__check_support(why, sizeof(why));
	if (err) {
		set_error("%s", why);
		goto out;
	}
	engine_options(pf, &po);
	engine = profiler__new(&po);
	if (!engine) {
		err = -errno;
		set_error("cannot start the BPF sampler: %s%s", strerror(errno),
			  err == -EINVAL ? " (is the frequency above "
			  "kernel.perf_event_max_sample_rate?)" : "");
		goto out;
	}
	pthread_rwlock_wrlock(&pf->engine_lock);
	old = pf->engine;
	pf->engine = engine;
	pf->frozen = false;
	clock_gettime(CLOCK_MONOTONIC, &pf->started);
	pthread_rwlock_unlock(&pf->engine_lock);
	profiler__free(old);
	err = start_thread(pf);
	if (err) {
		/* Keep the engine, as a stopped one: renders still work. */
		pthread_rwlock_wrlock(&pf->engine_lock);
		pf->frozen = true;
		pf->stopped = pf->started;
		pthread_rwlock_unlock(&pf->engine_lock);
		fail(err, "cannot start the polling thread");
		goto out;
	}
	pf->running = true;
out:
	pthread_mutex_unlock(&pf->control);
	return err;
}

int promfiler_stop(struct promfiler *pf)
{
	int err = 0;

	pthread_mutex_lock(&pf->control);
	if (!pf->running)
		goto out;
	pthread_mutex_lock(&pf->poll_lock);
	pf->stopping = true;
	pthread_cond_signal(&pf->poll_cond);
	pthread_mutex_unlock(&pf->poll_lock);
	pthread_join(pf->thread, NULL);
	pf->running = false;
	/* The samples of the last partial second belong to this run. */
	err = drain(pf);
	if (err)
		fail(err, "last drain failed");
	pthread_rwlock_wrlock(&pf->engine_lock);
	pf->frozen = true;
	clock_gettime(CLOCK_MONOTONIC, &pf->stopped);
	pthread_rwlock_unlock(&pf->engine_lock);
out:
	pthread_mutex_unlock(&pf->control);
	return err;
}

int promfiler_add_pid(struct promfiler *pf, int pid)
{
	int err = 0;

	if (pid <= 0)
		return fail(-EINVAL, "cannot add a pid <= 0");
	pthread_mutex_lock(&pf->control);
	/* Kept for the next start as well. */
	if (reserve_pids(pf, pf->opts.n_pids + 1)) {
		err = fail(-ENOMEM, "cannot add a pid");
		goto out;
	}
	if (pf->running) {
		/* The engine cannot change while control is held. */
		err = profiler__add_pid(pf->engine, pid);
		if (err) {
			set_error("cannot add pid %d: %s", pid, strerror(-err));
			goto out;
		}
	}
	pf->pids[pf->opts.n_pids++] = pid;
out:
	pthread_mutex_unlock(&pf->control);
	return err;
}

int promfiler_end_window(struct promfiler *pf)
{
	int err = 0;

	pthread_rwlock_rdlock(&pf->engine_lock);
	if (!pf->engine) {
		err = fail(-ENODATA, "cannot end the window: never started");
		goto out;
	}
	/* Polling next to the polling thread is safe: the engine serializes
	 * its drains. A stopped one takes no more samples. */
	if (!pf->frozen)
		err = drain(pf);
	if (err)
		log_line(pf, "drain failed: %s", strerror(-err));
	err = 0; /* the window ends all the same */
	profiler__end_window(pf->engine);
out:
	pthread_rwlock_unlock(&pf->engine_lock);
	return err;
}

static int64_t nanos_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000 + (b->tv_nsec - a->tv_nsec);
}

int promfiler_render(struct promfiler *pf, enum promfiler_format format, int pid,
		     enum promfiler_span span, char **out, size_t *len)
{
	struct profiler_render_req req = { .pid = pid };
	struct timespec end;
	struct buf b;
	int err;

	if (!out || !len)
		return fail(-EINVAL, "cannot render: no place for the result");
	*out = NULL;
	*len = 0;
	switch (format) {
	case PROMFILER_FORMAT_PROMETHEUS:
	case PROMFILER_FORMAT_FOLDED:
	case PROMFILER_FORMAT_SVG:
	case PROMFILER_FORMAT_HTML:
	case PROMFILER_FORMAT_PPROF:
		req.format = format;
		break;
	default:
		return fail(-EINVAL, "cannot render: unknown format");
	}
	if (span != PROMFILER_SPAN_WINDOW && span != PROMFILER_SPAN_ALL)
		return fail(-EINVAL, "cannot render: unknown span");
	if (pid < 0 || (pid && format == PROMFILER_FORMAT_PROMETHEUS))
		return fail(-EINVAL, "cannot render: bad pid (the metrics cover every process)");
	req.count = span == PROMFILER_SPAN_ALL ? COUNT_TOTAL : COUNT_WINDOW;

	buf__init(&b);
	pthread_rwlock_rdlock(&pf->engine_lock);
	if (!pf->engine) {
		pthread_rwlock_unlock(&pf->engine_lock);
		return fail(-ENODATA, "cannot render: never started");
	}
	/* What a pprof profile says it covers. */
	if (span == PROMFILER_SPAN_ALL) {
		if (pf->frozen)
			end = pf->stopped;
		else
			clock_gettime(CLOCK_MONOTONIC, &end);
		req.duration_nanos = nanos_between(&pf->started, &end);
	} else {
		req.duration_nanos = (int64_t)pf->opts.window_seconds * 1000000000;
	}
	err = profiler__render(pf->engine, &req, &b);
	pthread_rwlock_unlock(&pf->engine_lock);
	if (!err)
		err = buf__error(&b);
	/* Nothing rendered (an empty folded profile) still gets a buffer:
	 * success always hands out one. */
	if (!err && !b.data)
		buf__puts(&b, "");
	if (!err)
		err = buf__error(&b);
	if (err) {
		buf__release(&b);
		if (err == -ESRCH)
			set_error("cannot render: pid %d is not being profiled", pid);
		else
			fail(err, "cannot render");
		return err;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}

int promfiler_metrics(struct promfiler *pf, char **out, size_t *len)
{
	return promfiler_render(pf, PROMFILER_FORMAT_PROMETHEUS, 0, PROMFILER_SPAN_WINDOW,
				out, len);
}

void promfiler_free_buffer(void *buf)
{
	free(buf);
}

size_t promfiler_targets(struct promfiler *pf, struct promfiler_target *out, size_t max)
{
	/* The engine's summaries are not the API's type: go through a copy. */
	struct profiler_target_summary *t = calloc(max ? max : 1, sizeof(*t));
	size_t n = 0;

	if (!t) {
		fail(-ENOMEM, "cannot list the targets");
		return 0;
	}
	pthread_rwlock_rdlock(&pf->engine_lock);
	if (pf->engine)
		n = profiler__targets(pf->engine, t, max);
	pthread_rwlock_unlock(&pf->engine_lock);
	for (size_t i = 0; i < n && i < max; i++) {
		out[i].pid = t[i].pid;
		snprintf(out[i].comm, sizeof(out[i].comm), "%s", t[i].comm);
		out[i].samples = t[i].samples;
	}
	free(t);
	return n;
}

uint64_t promfiler_samples(struct promfiler *pf)
{
	uint64_t n = 0;

	pthread_rwlock_rdlock(&pf->engine_lock);
	if (pf->engine)
		n = profiler__samples(pf->engine);
	pthread_rwlock_unlock(&pf->engine_lock);
	return n;
}

void promfiler_destroy(struct promfiler *pf)
{
	if (!pf)
		return;
	promfiler_stop(pf);
	profiler__free(pf->engine);
	pthread_cond_destroy(&pf->poll_cond);
	pthread_mutex_destroy(&pf->poll_lock);
	pthread_rwlock_destroy(&pf->engine_lock);
	pthread_mutex_destroy(&pf->control);
	free(pf->pids);
	free(pf);
}
