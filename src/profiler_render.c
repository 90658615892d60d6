// SPDX-License-Identifier: MIT
/* profiler_render: what the engine renders; see profiler_render.h. The
 * self-metrics catalogue (each family's name, type, help and value) is
 * here and nowhere else. Callers hold the engine's lock. */
#include "profiler_render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "procfs.h"
#include "profiler_int.h"
#include "render_flame.h"
#include "render_folded.h"
#include "render_pprof.h"
#include "render_prom.h"
#include "symbolize.h"
#include "target.h"
#include "tree.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One unlabelled series and its family header. */
struct scalar_metric {
	const char *name;
	const char *type; /* "counter" or "gauge" */
	double value;
	const char *help;
};

static void render_scalars(struct buf *out, const struct scalar_metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		render_prom__header(out, m[i].name, m[i].type, m[i].help);
		render_prom__sample(out, m[i].name, NULL, 0, m[i].value);
	}
}

/* The process_* family every exporter serves (the Prometheus client
 * libraries' names and meanings). */
static void render_process_metrics(struct buf *out)
{
	struct proc_usage u;

	if (procfs__self_usage(&u))
		return;
	const struct scalar_metric m[] = {
		{ "process_cpu_seconds_total", "counter", u.cpu_seconds,
		  "Total user and system CPU time spent in seconds." },
		{ "process_resident_memory_bytes", "gauge", u.resident_bytes,
		  "Resident memory size in bytes." },
		{ "process_virtual_memory_bytes", "gauge", u.virtual_bytes,
		  "Virtual memory size in bytes." },
		{ "process_open_fds", "gauge", u.open_fds,
		  "Number of open file descriptors." },
		{ "process_max_fds", "gauge", u.max_fds,
		  "Maximum number of open file descriptors." },
		{ "process_start_time_seconds", "gauge", u.start_time,
		  "Start time of the process since unix epoch in seconds." },
	};
	render_scalars(out, m, ARRAY_SIZE(m));
}

/* Whether each Node target can have its JS frames named, and by what. */
static void render_target_info(struct profiler *p, struct buf *out)
{
	render_prom__header(out, "promfiler_target_info", "gauge",
			    "Always 1 per target: whether it has a V8 perf map, was "
			    "started with --interpreted-frames-native-stack, and has its JS "
			    "frames named from V8's objects (true, false, unsupported).");
	for (size_t i = 0; i < targets__count(p->targets); i++) {
		struct target *t = targets__at(p->targets, i);
		struct symbolizer_stats st;

		symbolizer__stats(t->symbolizer, &st);
		struct prom_label labels[] = {
			{ "pid", t->pid_label }, { "comm", t->comm },
			{ "perf_map", st.has_perf_map ? "true" : "false" },
			{ "interpreted_frames", t->flags.interpreted_frames ? "true" : "false" },
			{ "v8_names", st.v8 == SYMBOLIZE_V8_ACTIVE ? "true" :
				      st.v8 == SYMBOLIZE_V8_UNSUPPORTED ? "unsupported" : "false" },
		};
		render_prom__sample(out, "promfiler_target_info", labels, 5, 1);
	}
}

/* What the --max-series budget does to each target: its series and the
 * samples it folded. */
static void render_target_budget(struct profiler *p, struct buf *out)
{
	static const struct {
		const char *name, *type, *help;
	} family[] = {
		{ "promfiler_target_series", "gauge",
		  "Series the target's --max-series budget holds now, per family, (other) included." },
		{ "promfiler_target_folded_samples_total", "counter",
		  "Samples of the target counted in an (other) series by the --max-series budget." },
	};

	for (size_t f = 0; f < ARRAY_SIZE(family); f++) {
		render_prom__header(out, family[f].name, family[f].type, family[f].help);
		for (size_t i = 0; i < targets__count(p->targets); i++) {
			const struct target *t = targets__at(p->targets, i);
			struct budget_stats st;
			struct prom_label labels[] = { { "pid", t->pid_label }, { "comm", t->comm } };

			budget__stats(t->budget, &st);
			render_prom__sample(out, family[f].name, labels, 2,
					    f ? (double)st.folded_samples : (double)st.series);
		}
	}
}

static void render_self_metrics(struct profiler *p, const struct sampler_stats *st,
				size_t cpus, struct buf *out)
{
	const struct scalar_metric taken = {
		"promfiler_samples_total", "counter", st->samples,
		"Samples of target processes taken by the BPF program.",
	};
	const struct {
		const char *reason;
		uint64_t value;
	} dropped[] = {
		{ "stack_collision", st->stack_collisions },
		{ "stack_error", st->stack_errors },
		{ "map_full", st->map_full },
		{ "stack_missing", st->stack_missing },
		{ "process_exited", p->dropped_exited },
		{ "out_of_memory", p->dropped_no_memory },
	};
	const struct scalar_metric pipeline[] = {
		{ "promfiler_stack_collisions_total", "counter", st->stack_collisions,
		  "Stacks whose 64-bit hash matched another stack's (their samples dropped)." },
		{ "promfiler_unresolved_frames_total", "counter", p->unresolved_frames,
		  "Sampled frames no symbol source named (shown by module or [unknown])." },
		{ "promfiler_budget_folded_samples_total", "counter", p->budget_folded_samples,
		  "Samples counted in an (other) series by the --max-series budget, all processes." },
		{ "promfiler_drain_seconds_total", "counter", p->drain_seconds,
		  "Time spent draining and symbolizing samples." },
		{ "promfiler_drains_total", "counter", p->drains,
		  "Drains of the BPF maps." },
		{ "promfiler_bpf_program_run_seconds_total", "counter", st->bpf_run_ns / 1e9,
		  "Run time of the BPF sampling program (needs kernel.bpf_stats_enabled=1)." },
		{ "promfiler_bpf_program_runs_total", "counter", st->bpf_runs,
		  "Runs of the BPF sampling program (needs kernel.bpf_stats_enabled=1)." },
		{ "promfiler_v8_named_frames_total", "counter", p->v8_named_frames,
		  "Sampled JS frames named from V8's objects (no perf map name needed)." },
		{ "promfiler_v8_sfi_read_failures_total", "counter", p->v8_failures,
		  "SharedFunctionInfos of sampled JS frames that could not be read." },
		{ "promfiler_v8_inlined_frames_total", "counter", p->inlined_frames,
		  "Sampled frames of functions V8 inlined into optimized code, shown under their caller." },
		{ "promfiler_v8_inline_missing_frames_total", "counter", p->inline_missing,
		  "Sampled frames of optimized code whose inlined functions could not be read (named as the outer function only)." },
		{ "promfiler_v8_unsupported_targets_total", "counter", p->v8_unsupported,
		  "Node processes whose V8 layout is not supported: JS frames not named from V8's objects." },
		{ "promfiler_v8_walks_total", "counter", st->v8_walks,
		  "Samples whose stack the BPF program walked for JS functions." },
		{ "promfiler_v8_walk_seconds_total", "counter", st->v8_walk_ns / 1e9,
		  "Time the BPF program spent walking stacks for JS functions (part of its run time)." },
		{ "promfiler_perf_map_bytes_read_total", "counter", p->perf_map_bytes,
		  "Bytes read from the targets' V8 perf maps." },
		{ "promfiler_targets", "gauge", targets__count(p->targets),
		  "Processes being profiled." },
	};
	const struct scalar_metric setup[] = {
		{ "promfiler_profile_windows_total", "counter", p->windows_completed,
		  "Completed profile windows (promfiler_cpu_profile changes only when this does)." },
		{ "promfiler_profile_window_seconds", "gauge", p->opts.window_seconds,
		  "Length of the window promfiler_cpu_profile covers." },
		{ "promfiler_sampling_frequency_hertz", "gauge", p->opts.frequency_hz,
		  "Samples per second per CPU." },
		{ "promfiler_attached_cpus", "gauge", cpus,
		  "CPUs the sampler is attached to." },
	};

	render_scalars(out, &taken, 1);
	render_prom__header(out, "promfiler_samples_dropped_total", "counter",
			    "Samples taken but not added to any profile, by reason.");
	for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
		struct prom_label l = { "reason", dropped[i].reason };

		render_prom__sample(out, "promfiler_samples_dropped_total", &l, 1,
				    (double)dropped[i].value);
	}
	render_scalars(out, pipeline, ARRAY_SIZE(pipeline));
	render_target_info(p, out);
	render_target_budget(p, out);
	render_scalars(out, setup, ARRAY_SIZE(setup));
	render_process_metrics(out);
	render_prom__header(out, "promfiler_build_info", "gauge",
			    "Always 1; the version of promfiler-bpf.");
	render_prom__sample(out, "promfiler_build_info",
			    &(struct prom_label){ "version", PROMFILER_VERSION }, 1, 1);
}

/* The value of one series label of a target. */
static const char *label_value(const struct target *t, enum promfiler_label l)
{
	switch (l) {
	case PROMFILER_LABEL_PID: return t->pid_label;
	case PROMFILER_LABEL_COMM: return t->comm;
	case PROMFILER_LABEL_CONTAINER_ID: return t->labels.container_id;
	case PROMFILER_LABEL_POD: return t->labels.pod;
	case PROMFILER_LABEL_NAMESPACE: return t->labels.namespace;
	}
	return "";
}

/* Series of targets with equal label values are one set of series: their
 * budgets' series are merged (dropping pid from --labels merges processes; a
 * reused PID overlaps its exited predecessor for a window). */
struct series_group {
	struct prom_label labels[PROMFILER_LABEL_COUNT];
	size_t n_labels;
	struct tree *tree; /* owned: budget__series of its targets, merged */
};

static bool same_labels(const struct series_group *g, const struct prom_label *l,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(g->labels[i].value, l[i].value) != 0)
			return false;
	return true;
}

static int group_targets(struct profiler *p, struct series_group *groups, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < targets__count(p->targets); i++) {
		const struct target *t = targets__at(p->targets, i);
		struct prom_label l[PROMFILER_LABEL_COUNT];
		struct series_group *g = NULL;
		struct tree *series = budget__series(t->budget);
		size_t nl = 0;
		int err;

		if (!series)
			return -ENOMEM;
		for (int k = 0; k < PROMFILER_LABEL_COUNT; k++)
			if (p->opts.labels & (1u << k))
				l[nl++] = (struct prom_label){ options_label_names[k],
							       label_value(t, k) };
		for (size_t j = 0; j < *n && !g; j++)
			if (same_labels(&groups[j], l, nl))
				g = &groups[j];
		if (!g) {
			g = &groups[(*n)++];
			memcpy(g->labels, l, sizeof(l));
			g->n_labels = nl;
			g->tree = series;
			continue;
		}
		err = tree__merge(g->tree, series);
		tree__free(series);
		if (err)
			return err;
	}
	return 0;
}

int profiler_render__metrics(struct profiler *p, const struct sampler_stats *st,
			     size_t cpus, struct buf *out)
{
	struct prom_profile_opts po = {
		.frames = p->frames, .separator = p->separator,
		.weight = p->opts.weight_total ? PROM_WEIGHT_TOTAL : PROM_WEIGHT_SELF,
		.seconds_per_sample = 1.0 / p->opts.frequency_hz,
	};
	struct prom_profile *profiles = NULL;
	struct series_group *groups;
	size_t n = 0, n_alloc;
	int err;

	n_alloc = targets__count(p->targets) + 1; /* a drain may add more later */
	groups = calloc(n_alloc, sizeof(*groups));
	profiles = calloc(n_alloc, sizeof(*profiles));
	err = groups && profiles ? group_targets(p, groups, &n) : -ENOMEM;
	for (size_t i = 0; !err && i < n; i++)
		profiles[i] = (struct prom_profile){
			.tree = groups[i].tree, .labels = groups[i].labels,
			.n_labels = groups[i].n_labels,
		};
	if (!err)
		err = render_prom__profiles(out, profiles, n, &po);
	if (!err)
		targets__served(p->targets); /* their new series may count now */
	render_self_metrics(p, st, cpus, out);
	if (!err)
		err = buf__error(out);
	for (size_t i = 0; groups && i < n_alloc; i++)
		tree__free(groups[i].tree);
	free(groups);
	free(profiles);
	return err;
}

/* The trees a request covers: every target's, or pid's (its live target if
 * any, else its last exited one). Callers hold the lock. */
static int select_trees(struct profiler *p, pid_t pid, const struct tree ***trees,
			size_t *n, const struct target **only)
{
	size_t count = targets__count(p->targets);

	*only = NULL;
	*n = 0;
	*trees = calloc(count ? count : 1, sizeof(**trees));
	if (!*trees)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const struct target *t = targets__at(p->targets, i);

		if (!pid)
			(*trees)[(*n)++] = t->tree;
		else if (t->pid == pid && (!*only || !t->exited))
			*only = t;
	}
	if (pid && !*only) {
		free(*trees);
		*trees = NULL;
		return -ESRCH;
	}
	if (pid)
		(*trees)[(*n)++] = (*only)->tree;
	return 0;
}

int profiler_render__profile(struct profiler *p, const struct profiler_render_req *req,
			     struct buf *out)
{
	const struct tree **trees = NULL;
	const struct target *only;
	char title[96];
	size_t n;
	int err;

	if (req->format == PROMFILER_FORMAT_PROMETHEUS)
		return -EINVAL; /* profiler_render__metrics */
	err = select_trees(p, req->pid, &trees, &n, &only);
	if (err)
		goto out;
	if (only && req->pid)
		snprintf(title, sizeof(title), "promfiler-bpf: pid %d (%s)",
			 (int)only->pid, only->comm);
	else
		snprintf(title, sizeof(title), "promfiler-bpf: all targets");
	switch (req->format) {
	case PROMFILER_FORMAT_FOLDED:
		err = render_folded__trees(out, trees, n, &(struct folded_opts){
			.frames = p->frames, .count = req->count });
		break;
	case PROMFILER_FORMAT_SVG:
	case PROMFILER_FORMAT_HTML: {
		struct flame_opts fo = {
			.frames = p->frames, .count = req->count,
			.seconds_per_sample = 1.0 / p->opts.frequency_hz, .title = title,
		};

		err = req->format == PROMFILER_FORMAT_SVG ?
			render_flame__svg(out, trees, n, &fo) :
			render_flame__html(out, trees, n, &fo);
		break;
	}
	case PROMFILER_FORMAT_PPROF: {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		err = render_pprof__profile(out, trees, n, &(struct pprof_opts){
			.frames = p->frames, .count = req->count,
			.seconds_per_sample = 1.0 / p->opts.frequency_hz,
			.time_nanos = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec -
				      req->duration_nanos,
			.duration_nanos = req->duration_nanos });
		break;
	}
	case PROMFILER_FORMAT_PROMETHEUS:
		break;
	}
out:
	free(trees);
	return err;
}

