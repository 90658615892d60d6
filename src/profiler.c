/* profiler: the pipeline engine; see profiler.h. One mutex guards the
 * targets and counters: poll holds it while it merges a drain, renders hold
 * it while they read. */
#include "profiler.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kallsyms.h"
#include "sampler.h"
#include "strtab.h"
#include "symbolize.h"
#include "target.h"
#include "tree.h"

struct profiler {
	struct profiler_opts opts;
	char *separator;
	struct sampler *sampler;
	struct strtab *frames;
	struct target_table *targets;
	struct kallsyms *kallsyms;     /* with opts.kernel only */
	pthread_mutex_t lock;
	struct timespec window_end;
	uint64_t windows_completed;
	uint64_t unresolved_frames;
	uint64_t perf_map_bytes;
	uint64_t dropped_exited;       /* samples of processes gone before the drain */
	uint64_t dropped_no_memory;
	uint64_t samples_drained;
};

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

struct profiler *profiler__new(const struct profiler_opts *opts)
{
	struct symbolize_opts sym = {
		.style = opts->frame_style, .separator = opts->separator,
	};
	struct sampler_opts so = {
		.all = opts->all, .comms = opts->comms, .n_comms = opts->n_comms,
		.frequency = opts->frequency, .verbose = opts->verbose,
		.kernel_stacks = opts->kernel,
	};
	struct profiler *p = calloc(1, sizeof(*p));
	uint32_t root;
	int err = 0;

	if (!p)
		return NULL;
	p->opts = *opts;
	p->separator = strdup(opts->separator);
	p->frames = strtab__new();
	if (!p->separator || !p->frames) {
		err = -ENOMEM;
		goto fail;
	}
	p->opts.separator = p->separator;
	sym.separator = p->separator;
	root = strtab__intern(p->frames, "(root)");
	p->targets = targets__new(p->frames, root, &sym);
	if (root == STRTAB_NONE || !p->targets) {
		err = -ENOMEM;
		goto fail;
	}
	if (opts->kernel && !(p->kallsyms = kallsyms__load())) {
		err = -errno;
		goto fail;
	}
	pthread_mutex_init(&p->lock, NULL);
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
	}
	p->opts.pids = NULL; /* not kept: the caller owns them */
	p->opts.comms = NULL;
	set_window_end(p);
	return p;
fail:
	kallsyms__free(p->kallsyms);
	targets__free(p->targets);
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
	kallsyms__free(p->kallsyms);
	strtab__free(p->frames);
	free(p->separator);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Per-drain state of one target: refreshed once, at its first stack. */
struct drain_ctx {
	struct profiler *p;
	pid_t *refreshed;
	size_t n_refreshed, cap_refreshed;
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

static void on_sample(void *ctx, pid_t pid, const uint64_t *user, size_t n_user,
		      const uint64_t *kernel, size_t n_kernel, uint64_t count)
{
	struct drain_ctx *d = ctx;
	struct profiler *p = d->p;
	struct target *t = targets__get(p->targets, pid);
	uint32_t node = TREE_ROOT, prev = STRTAB_NONE;

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
	/* Stacks come leaf first; the tree grows from the outermost frame. */
	for (size_t i = n_user; i-- > 0;) {
		bool resolved;
		uint32_t frame = symbolizer__frame(t->symbolizer, user[i], &resolved);

		if (!resolved)
			p->unresolved_frames += count;
		if (frame == STRTAB_NONE) {
			p->dropped_no_memory += count;
			return;
		}
		if (frame == prev && is_placeholder(strtab__get(p->frames, frame)))
			continue;
		prev = frame;
		node = tree__child(t->tree, node, frame);
		if (node == TREE_NONE) {
			p->dropped_no_memory += count;
			return;
		}
	}
	/* Kernel frames go below the user frames of the same sample. */
	for (size_t i = n_kernel; i-- > 0;) {
		uint32_t frame = kernel_frame(p, kernel[i]);

		if (frame != STRTAB_NONE)
			node = tree__child(t->tree, node, frame);
		if (frame == STRTAB_NONE || node == TREE_NONE) {
			p->dropped_no_memory += count;
			return;
		}
	}
	tree__add(t->tree, node, count);
}

static void on_event(void *ctx, pid_t pid, enum sampler_event ev)
{
	struct profiler *p = ctx;

	if (!targets__end(p->targets, pid))
		return;
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

int profiler__poll(struct profiler *p)
{
	struct drain_ctx d = { .p = p };
	size_t before;
	int err;

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
	if (window_due(p)) {
		targets__end_window(p->targets);
		p->windows_completed++;
		p->window_end.tv_sec += p->opts.window_seconds;
		if (window_due(p)) /* fell behind (suspended): restart the clock */
			set_window_end(p);
	}
	pthread_mutex_unlock(&p->lock);
	free(d.refreshed);
	return err;
}

static void counter(struct buf *out, const char *name, const char *help,
		    double value)
{
	render_prom__header(out, name, "counter", help);
	render_prom__sample(out, name, NULL, 0, value);
}

static void gauge(struct buf *out, const char *name, const char *help,
		  double value)
{
	render_prom__header(out, name, "gauge", help);
	render_prom__sample(out, name, NULL, 0, value);
}

static void render_self_metrics(struct profiler *p, struct buf *out)
{
	struct sampler_stats st;

	sampler__stats(p->sampler, &st);
	const struct {
		const char *reason;
		uint64_t value;
	} dropped[] = {
		{ "stack_collision", st.stack_collisions },
		{ "stack_error", st.stack_errors },
		{ "map_full", st.map_full },
		{ "stack_missing", st.stack_missing },
		{ "process_exited", p->dropped_exited },
		{ "out_of_memory", p->dropped_no_memory },
	};

	counter(out, "promfiler_samples_total",
		"Samples of target processes taken by the BPF program.",
		(double)st.samples);
	render_prom__header(out, "promfiler_samples_dropped_total", "counter",
			    "Samples taken but not added to any profile, by reason.");
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		struct prom_label l = { "reason", dropped[i].reason };

		render_prom__sample(out, "promfiler_samples_dropped_total", &l, 1,
				    (double)dropped[i].value);
	}
	counter(out, "promfiler_stack_collisions_total",
		"Stacks that hashed to a stack-map bucket holding another stack.",
		(double)st.stack_collisions);
	counter(out, "promfiler_unresolved_frames_total",
		"Sampled frames no symbol source named (shown by module or [unknown]).",
		(double)p->unresolved_frames);
	counter(out, "promfiler_perf_map_bytes_read_total",
		"Bytes read from the targets' V8 perf maps.", (double)p->perf_map_bytes);
	gauge(out, "promfiler_targets", "Processes being profiled.",
	      (double)targets__count(p->targets));
	counter(out, "promfiler_profile_windows_total",
		"Completed profile windows (promfiler_cpu_profile changes only when this does).",
		(double)p->windows_completed);
	gauge(out, "promfiler_profile_window_seconds",
	      "Length of the window promfiler_cpu_profile covers.",
	      (double)p->opts.window_seconds);
	gauge(out, "promfiler_sampling_frequency_hertz",
	      "Samples per second per CPU.", (double)p->opts.frequency);
	gauge(out, "promfiler_attached_cpus", "CPUs the sampler is attached to.",
	      (double)sampler__cpus(p->sampler));
	render_prom__header(out, "promfiler_build_info", "gauge",
			    "Always 1; the version of promfiler-bpf.");
	render_prom__sample(out, "promfiler_build_info",
			    &(struct prom_label){ "version", PROMFILER_VERSION }, 1, 1);
}

int profiler__render_metrics(struct profiler *p, struct buf *out)
{
	struct prom_profile_opts po = {
		.frames = p->frames, .separator = p->separator,
		.weight = p->opts.weight,
		.seconds_per_sample = 1.0 / p->opts.frequency,
	};
	struct prom_profile *profiles;
	struct prom_label *labels;
	size_t n;
	int err;

	pthread_mutex_lock(&p->lock);
	n = targets__count(p->targets);
	profiles = calloc(n ? n : 1, sizeof(*profiles));
	labels = calloc(n ? 2 * n : 1, sizeof(*labels));
	if (!profiles || !labels) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct target *t = targets__at(p->targets, i);

		labels[2 * i] = (struct prom_label){ "pid", t->pid_label };
		labels[2 * i + 1] = (struct prom_label){ "comm", t->comm };
		profiles[i] = (struct prom_profile){
			.tree = t->tree, .labels = &labels[2 * i], .n_labels = 2,
		};
	}
	err = render_prom__profiles(out, profiles, n, &po);
	render_self_metrics(p, out);
	if (!err)
		err = buf__error(out);
out:
	pthread_mutex_unlock(&p->lock);
	free(profiles);
	free(labels);
	return err;
}
