// SPDX-License-Identifier: MIT
/* profiler: the pipeline engine; see profiler.h. It makes the sampler,
 * symbolizers and trees, polls (drains the samples into the trees, follows
 * the targets' lifecycle) and ends the windows; what it renders, and the
 * catalogue of its self-metrics, are profiler_render.c's. One mutex guards
 * the targets and counters: poll holds it while it merges a drain, renders
 * hold it while they read. */
#include "profiler.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "elfsym.h"
#include "kallsyms.h"
#include "procfs.h"
#include "profiler_int.h"
#include "profiler_render.h"
#include "sampler.h"
#include "strtab.h"
#include "symbolize.h"
#include "target.h"
#include "tree.h"

static void logf_(const struct profiler *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(const struct profiler *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!p->opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->opts.log(line);
}

static void set_window_end(struct profiler *p)
{
	clock_gettime(CLOCK_MONOTONIC, &p->window_end);
	p->window_end.tv_sec += p->opts.window_seconds;
}

/* A --pid target's JS frames are named from its first sample on: its V8
 * walk starts now, not at its first drain (targets are made there). A
 * throwaway symbolizer reads the layout (cached for the real one). */
static void start_v8_walk(struct profiler *p, pid_t pid, const struct symbolize_opts *sym)
{
	struct symbolizer *s = symbolizer__new(pid, NULL, p->frames, sym);
	struct v8_walk_info walk;

	if (s && symbolizer__refresh(s) == 0 && p->sampler &&
	    symbolizer__v8_walk_changed(s, &walk))
		sampler__set_v8(p->sampler, pid, &walk);
	symbolizer__free(s);
}

struct profiler *profiler__new(const struct promfiler_options *opts)
{
	struct symbolize_opts sym = {
		.style = opts->frame_locations ? FRAME_STYLE_LOCATION : FRAME_STYLE_FUNCTION,
		.separator = opts->separator, .no_v8_names = opts->no_v8_names,
	};
	struct sampler_opts so = {
		.all = opts->all, .comms = opts->comms, .n_comms = opts->n_comms,
		.frequency = opts->frequency_hz, .verbose = opts->verbose, .log = opts->log,
		.kernel_stacks = opts->kernel_frames, .follow_forks = opts->follow_forks,
		/* tests/integration/test_walk.sh: reads the counts with bpftool */
		.check_walk = getenv("PROMFILER_CHECK_WALK") != NULL,
	};
	struct profiler *p = calloc(1, sizeof(*p));
	struct budget_opts bo = {
		.max_depth = opts->max_depth, .max_series = opts->max_series,
		.trim_bootstrap = opts->trim_bootstrap,
		/* A one-shot exposition is read once: nothing to wait for. */
		.hold_new = !opts->manual_windows,
	};
	int err = 0;

	if (!p)
		return NULL;
	p->opts = *opts;
	p->separator = strdup(opts->separator);
	p->frames = strtab__new();
	p->elfsyms = elfsym_cache__new(ELFSYM_DEBUG_DIR);
	p->v8layouts = v8_layout_cache__new();
	if (!p->separator || !p->frames || !p->elfsyms || !p->v8layouts) {
		err = -ENOMEM;
		goto fail;
	}
	p->opts.separator = p->separator;
	sym.separator = p->separator;
	sym.elfsyms = p->elfsyms;
	sym.v8layouts = p->v8layouts;
	bo.root_frame = strtab__intern(p->frames, "(root)");
	bo.other_frame = strtab__intern(p->frames, "(other)");
	bo.truncated_frame = strtab__intern(p->frames, "(truncated)");
	if (bo.root_frame == STRTAB_NONE || bo.other_frame == STRTAB_NONE ||
	    bo.truncated_frame == STRTAB_NONE) {
		err = -ENOMEM;
		goto fail;
	}
	p->targets = targets__new(p->frames, &bo, &sym);
	if (!p->targets) {
		err = -ENOMEM;
		goto fail;
	}
	if (opts->kernel_frames && !(p->kallsyms = kallsyms__load())) {
		err = -errno;
		goto fail;
	}
	pthread_mutex_init(&p->lock, NULL);
	/* Read the node binaries' layouts (100 ms each) before sampling
	 * starts, so the first samples are walked already. */
	for (size_t i = 0; i < opts->n_pids; i++)
		start_v8_walk(p, opts->pids[i], &sym);
	p->sampler = sampler__open(&so);
	if (!p->sampler) {
		err = -errno;
		pthread_mutex_destroy(&p->lock);
		goto fail;
	}
	for (size_t i = 0; i < opts->n_pids; i++) {
		err = sampler__add_pid(p->sampler, opts->pids[i]);
		if (err) {
			profiler__free(p);
			errno = -err;
			return NULL;
		}
		start_v8_walk(p, opts->pids[i], &sym);
	}
	p->opts.pids = NULL; /* not kept: the caller owns them */
	p->opts.comms = NULL;
	set_window_end(p);
	return p;
fail:
	kallsyms__free(p->kallsyms);
	targets__free(p->targets);
	elfsym_cache__free(p->elfsyms);
	v8_layout_cache__free(p->v8layouts);
	strtab__free(p->frames);
	free(p->separator);
	free(p);
	errno = -err;
	return NULL;
}

void profiler__free(struct profiler *p)
{
	if (!p)
		return;
	sampler__free(p->sampler);
	targets__free(p->targets);
	elfsym_cache__free(p->elfsyms);
	v8_layout_cache__free(p->v8layouts);
	kallsyms__free(p->kallsyms);
	strtab__free(p->frames);
	free(p->separator);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

struct frame_path;

/* Per-drain state: targets refresh once, at their first stack. */
struct drain_ctx {
	struct profiler *p;
	pid_t *refreshed;
	size_t n_refreshed, cap_refreshed;
	struct frame_path *path;       /* scratch */
};

static bool refreshed_in_drain(struct drain_ctx *d, pid_t pid)
{
	for (size_t i = 0; i < d->n_refreshed; i++)
		if (d->refreshed[i] == pid)
			return true;
	if (d->n_refreshed == d->cap_refreshed) {
		size_t cap = d->cap_refreshed ? d->cap_refreshed * 2 : 16;
		pid_t *r = realloc(d->refreshed, cap * sizeof(*r));

		if (!r)
			return true; /* skip the refresh; names may lag a drain */
		d->refreshed = r;
		d->cap_refreshed = cap;
	}
	d->refreshed[d->n_refreshed++] = pid;
	return false;
}

static void refresh_target(struct profiler *p, struct target *t)
{
	struct symbolizer_stats before, after;
	int err;

	symbolizer__stats(t->symbolizer, &before);
	err = symbolizer__refresh(t->symbolizer);
	symbolizer__stats(t->symbolizer, &after);
	p->perf_map_bytes += after.perf_map_bytes - before.perf_map_bytes;
	if (err && err != -ENOENT)
		logf_(p, "pid %d: cannot read its perf map: %s", (int)t->pid,
		      strerror(-err));
	struct v8_walk_info walk;

	if (symbolizer__v8_walk_changed(t->symbolizer, &walk))
		sampler__set_v8(p->sampler, t->pid, &walk);
	/* Refused at the first refresh (the binary), or at a later one (the
	 * heap did not match the layout): said once either way. */
	if (t->flags.is_node && after.v8 == SYMBOLIZE_V8_UNSUPPORTED &&
	    (before.v8 != SYMBOLIZE_V8_UNSUPPORTED || !t->diagnosed)) {
		p->v8_unsupported++;
		logf_(p, "pid %d (%s): JS frames not named from V8's objects: %s",
		      (int)t->pid, t->comm, after.v8_why);
		sampler__set_v8(p->sampler, t->pid, NULL); /* its walk is no use now */
	}
	if (!t->diagnosed && t->flags.is_node) {
		/* Said once per target, with the flag that fixes it. */
		t->diagnosed = true;
		if (!after.has_perf_map && after.v8 == SYMBOLIZE_V8_ACTIVE)
			logf_(p, "pid %d (%s): no perf map: JS frames named from V8's objects "
			      "(V8 %s)", (int)t->pid, t->comm, after.v8_version);
		else if (!after.has_perf_map)
			logf_(p, "pid %d (%s): no perf map, JS frames cannot be named: "
			      "start node with --perf-basic-prof", (int)t->pid, t->comm);
		if (!t->flags.interpreted_frames && after.v8 != SYMBOLIZE_V8_ACTIVE)
			logf_(p, "pid %d (%s): interpreted functions show as %s: start "
			      "node with --interpreted-frames-native-stack", (int)t->pid,
			      t->comm, FRAME_NAME_INTERPRETED);
	}
}

/* Frames that say only where code runs, not which function: a run of them
 * is shown once. */
static bool is_placeholder(const char *name)
{
	return name && (name[0] == '[' || strcmp(name, FRAME_NAME_INTERPRETED) == 0);
}

/* "name_[k]", as flame graph tools mark kernel frames. */
static uint32_t kernel_frame(struct profiler *p, uint64_t ip)
{
	const char *sym = p->kallsyms ? kallsyms__lookup(p->kallsyms, ip) : NULL;
	char raw[FRAME_NAME_MAX], name[FRAME_NAME_MAX];

	snprintf(raw, sizeof(raw), "%s_[k]", sym ? sym : "[unknown]");
	frame_name__sanitize(raw, p->separator, name, sizeof(name));
	return strtab__intern(p->frames, name);
}

/* A sample's frames, outermost first, as they go into the tree. */
struct frame_path {
	uint32_t frames[2 * PROFILER_MAX_STACK];
	size_t n;
	size_t first_js;           /* index of the outermost JS frame, or n */
	size_t js_end;             /* one past the innermost JS frame, or 0 */
};

/* Names the frames of one stack. false when out of memory. */
static bool name_frames(struct profiler *p, struct target *t, const uint64_t *user,
			size_t n_user, const uint64_t *kernel, size_t n_kernel,
			const struct sampler_v8_ref *v8, uint64_t count,
			struct frame_path *path)
{
	uint32_t prev = STRTAB_NONE;
	struct symbolizer_stats before, after;

	if (v8)
		symbolizer__stats(t->symbolizer, &before);

	path->n = 0;
	path->first_js = SIZE_MAX;
	path->js_end = 0;
	/* Stacks come leaf first; the tree grows from the outermost frame. */
	for (size_t i = n_user; i-- > 0 && path->n < PROFILER_MAX_STACK;) {
		enum frame_kind kind;
		uint32_t outer = STRTAB_NONE;
		uint32_t frame = v8 ? symbolizer__frame_v8(t->symbolizer, user[i], v8[i].sfi,
							   v8[i].cookie, i == 0, &outer, &kind) :
				      symbolizer__frame(t->symbolizer, user[i], &kind);

		if (frame == STRTAB_NONE)
			return false;
		if (kind == FRAME_KIND_UNRESOLVED)
			p->unresolved_frames += count;
		if (kind == FRAME_KIND_JS_V8)
			p->v8_named_frames += count;
		/* The JS function a leaf builtin or bytecode handler runs for. */
		if (outer != STRTAB_NONE && path->n + 2 <= PROFILER_MAX_STACK) {
			p->v8_named_frames += count;
			if (path->first_js == SIZE_MAX)
				path->first_js = path->n;
			path->frames[path->n++] = outer;
			path->js_end = path->n;
			prev = outer;
		}
		if ((kind == FRAME_KIND_JS || kind == FRAME_KIND_JS_V8) &&
		    path->first_js == SIZE_MAX)
			path->first_js = path->n;
		if (frame == prev && is_placeholder(strtab__get(p->frames, frame)))
			continue;
		prev = frame;
		path->frames[path->n++] = frame;
		if (kind == FRAME_KIND_JS || kind == FRAME_KIND_JS_V8) { /* what V8 inlined into it */
			bool missing;
			size_t k = symbolizer__inlined(t->symbolizer, user[i], i == 0,
						       path->frames + path->n,
						       PROFILER_MAX_STACK - path->n, &missing);

			p->inlined_frames += k * count;
			p->inline_missing += missing ? count : 0;
			path->n += k;
			path->js_end = path->n;
		}
	}
	if (path->first_js == SIZE_MAX)
		path->first_js = 0; /* no JS (a libuv or GC thread): keep it all */
	if (v8) {
		symbolizer__stats(t->symbolizer, &after);
		p->v8_failures += after.v8_failures - before.v8_failures;
	}
	/* --trim-native-leaves: what the innermost JS frame calls is its own. */
	if (p->opts.trim_native_leaves && path->js_end) {
		path->n = path->js_end;
		return true;
	}
	/* Kernel frames go below the user frames of the same sample. */
	for (size_t i = n_kernel; i-- > 0;) {
		uint32_t frame = kernel_frame(p, kernel[i]);

		if (frame == STRTAB_NONE)
			return false;
		path->frames[path->n++] = frame;
	}
	return true;
}

static void on_sample(void *ctx, pid_t pid, const uint64_t *user, size_t n_user,
		      const uint64_t *kernel, size_t n_kernel,
		      const struct sampler_v8_ref *v8, uint64_t count)
{
	struct drain_ctx *d = ctx;
	struct profiler *p = d->p;
	struct target *t = targets__get(p->targets, pid);
	struct frame_path *path = d->path;

	p->samples_drained += count;
	if (!t) {
		if (errno == ESRCH)
			p->dropped_exited += count;
		else
			p->dropped_no_memory += count;
		return;
	}
	if (!refreshed_in_drain(d, pid))
		refresh_target(p, t);
	if (!name_frames(p, t, user, n_user, kernel, n_kernel, v8, count, path)) {
		p->dropped_no_memory += count;
		return;
	}
	if (budget__add(t->budget, path->frames, path->n, path->first_js, count))
		p->dropped_no_memory += count;
}

static void on_event(void *ctx, pid_t pid, enum sampler_event ev)
{
	struct profiler *p = ctx;
	struct target *t = targets__find(p->targets, pid);
	char comm[PROCFS_COMM_LEN];

	if (!t)
		return;
	/* An exec seen after the target was made from the new program (as in
	 * launch mode, where our fork runs exec) changes nothing. */
	if (ev == SAMPLER_EVENT_EXEC && procfs__comm(pid, comm, sizeof(comm)) == 0 &&
	    strcmp(comm, t->comm) == 0)
		return;
	t->exited = true;
	if (ev == SAMPLER_EVENT_EXIT) {
		/* A --pid target's PID may be reused by an unrelated process. */
		sampler__remove_pid(p->sampler, pid);
		logf_(p, "pid %d exited", (int)pid);
	} else {
		logf_(p, "pid %d ran exec: it is a new target if it still matches",
		      (int)pid);
	}
}

static bool window_due(const struct profiler *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > p->window_end.tv_sec ||
	       (now.tv_sec == p->window_end.tv_sec &&
		now.tv_nsec >= p->window_end.tv_nsec);
}

/* Hands the pages of freed memory back to the system, once a window. The
 * perf maps of processes that come and go, and of code that churns, free
 * large arrays all the time; glibc keeps what it can reuse, so without this
 * the agent's RSS drifts up to the high-water mark of its heap over hours
 * instead of following what it holds. */
static void give_back_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

int profiler__poll(struct profiler *p)
{
	struct frame_path path;
	struct drain_ctx d = { .p = p, .path = &path };
	struct timespec t0, t1;
	bool window_ended = false;
	size_t before;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&p->lock);
	before = targets__count(p->targets);
	err = sampler__drain(p->sampler, on_sample, &d);
	for (size_t i = before; i < targets__count(p->targets); i++) {
		struct target *t = targets__at(p->targets, i);

		logf_(p, "profiling pid %d (%s)", (int)t->pid, t->comm);
	}
	if (!err)
		err = sampler__events(p->sampler, on_event, p);
	targets__check_exits(p->targets); /* backstop for lost events */
	targets__credit(p->targets, &p->budget_folded_samples);
	if (!p->opts.manual_windows && window_due(p)) {
		targets__end_window(p->targets, &p->budget_folded_samples);
		p->windows_completed++;
		p->window_end.tv_sec += p->opts.window_seconds;
		if (window_due(p)) /* fell behind (suspended): restart the clock */
			set_window_end(p);
		window_ended = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->drains++;
	p->drain_seconds += (double)(t1.tv_sec - t0.tv_sec) +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	pthread_mutex_unlock(&p->lock);
	free(d.refreshed);
	if (window_ended)
		give_back_memory();
	return err;
}

int profiler__render(struct profiler *p, const struct profiler_render_req *req,
		     struct buf *out)
{
	struct sampler_stats st;
	int err;

	pthread_mutex_lock(&p->lock);
	if (req->format == PROMFILER_FORMAT_PROMETHEUS) {
		sampler__stats(p->sampler, &st);
		err = profiler_render__metrics(p, &st, sampler__cpus(p->sampler), out);
	} else {
		err = profiler_render__profile(p, req, out);
	}
	pthread_mutex_unlock(&p->lock);
	return err;
}

int profiler__add_pid(struct profiler *p, pid_t pid)
{
	return sampler__add_pid(p->sampler, pid);
}

void profiler__end_window(struct profiler *p)
{
	pthread_mutex_lock(&p->lock);
	targets__end_window(p->targets, &p->budget_folded_samples);
	p->windows_completed++;
	set_window_end(p);
	pthread_mutex_unlock(&p->lock);
}

uint64_t profiler__samples(struct profiler *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	n = p->samples_drained;
	pthread_mutex_unlock(&p->lock);
	return n;
}

size_t profiler__targets(struct profiler *p, struct profiler_target_summary *out,
			 size_t max)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = targets__count(p->targets);
	for (size_t i = 0; i < n && i < max; i++) {
		const struct target *t = targets__at(p->targets, i);
		const struct tree *tree = t->tree;
		uint64_t samples = 0;

		for (size_t j = 0; j < tree__size(tree); j++)
			samples += tree__node(tree, (uint32_t)j)->self_total;
		out[i].pid = t->pid;
		snprintf(out[i].comm, sizeof(out[i].comm), "%s", t->comm);
		out[i].samples = samples;
	}
	pthread_mutex_unlock(&p->lock);
	return n;
}
