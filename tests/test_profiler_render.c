// SPDX-License-Identifier: MIT
/* Unit tests for profiler_render: the exposition of an engine's state (this
 * test process as its one target, a tree of known counts) holds its
 * profile series and every family of the self-metrics catalogue, each with
 * HELP and TYPE, and profile requests go to the renderer of their format.
 * No BPF: the sampler's stats are handed in, as the engine does. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "profiler_int.h"
#include "profiler_render.h"
#include "strtab.h"
#include "target.h"
#include "tree.h"

static struct profiler p;
static char separator[] = "#";

/* An engine with this process as target: (root)#main#work, 5 samples in
 * work, 2 in main, in a completed window. */
static void setup(void)
{
	struct symbolize_opts sym = { .style = FRAME_STYLE_FUNCTION, .separator = "#" };
	struct budget_opts bo = { .max_series = 2000 };
	struct target *t;
	uint32_t path[2];

	memset(&p, 0, sizeof(p));
	promfiler_options_init(&p.opts);
	p.separator = separator;
	p.opts.separator = separator;
	p.frames = strtab__new();
	cr_assert_not_null(p.frames);
	bo.root_frame = strtab__intern(p.frames, "(root)");
	bo.other_frame = strtab__intern(p.frames, "(other)");
	bo.truncated_frame = strtab__intern(p.frames, "(truncated)");
	p.targets = targets__new(p.frames, &bo, &sym);
	cr_assert_not_null(p.targets);
	t = targets__get(p.targets, getpid());
	cr_assert_not_null(t);
	path[0] = strtab__intern(p.frames, "main");
	path[1] = strtab__intern(p.frames, "work");
	cr_assert_eq(budget__add(t->budget, path, 2, 2, 5), 0);
	cr_assert_eq(budget__add(t->budget, path, 1, 1, 2), 0);
	targets__end_window(p.targets, NULL);
	p.samples_drained = 7;
	p.windows_completed = 1;
}

static void teardown(void)
{
	targets__free(p.targets);
	strtab__free(p.frames);
}

TestSuite(profiler_render, .init = setup, .fini = teardown);

Test(profiler_render, exposition_has_the_profile_and_the_catalogue)
{
	static const char *const families[] = {
		"promfiler_cpu_profile", "promfiler_cpu_seconds_total",
		"promfiler_samples_total", "promfiler_samples_dropped_total",
		"promfiler_stack_collisions_total", "promfiler_unresolved_frames_total",
		"promfiler_budget_folded_samples_total", "promfiler_drain_seconds_total",
		"promfiler_drains_total", "promfiler_bpf_program_run_seconds_total",
		"promfiler_bpf_program_runs_total", "promfiler_v8_named_frames_total",
		"promfiler_v8_sfi_read_failures_total", "promfiler_v8_unsupported_targets_total",
		"promfiler_v8_walks_total", "promfiler_v8_walk_seconds_total",
		"promfiler_perf_map_bytes_read_total", "promfiler_targets",
		"promfiler_target_info", "promfiler_profile_windows_total",
		"promfiler_profile_window_seconds", "promfiler_sampling_frequency_hertz",
		"promfiler_attached_cpus", "process_cpu_seconds_total",
		"process_resident_memory_bytes", "promfiler_build_info",
	};
	struct sampler_stats st = { .samples = 9, .stack_collisions = 1 };
	char pid[32], want[256];
	struct buf b;

	buf__init(&b);
	cr_assert_eq(profiler_render__metrics(&p, &st, 2, &b), 0);
	cr_assert_not_null(b.data);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		snprintf(want, sizeof(want), "# HELP %s ", families[i]);
		cr_assert_not_null(strstr(b.data, want), "no HELP of %s", families[i]);
		snprintf(want, sizeof(want), "# TYPE %s ", families[i]);
		cr_assert_not_null(strstr(b.data, want), "no TYPE of %s", families[i]);
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(want, sizeof(want),
		 "promfiler_cpu_profile{signature=\"(root)#main#work\",pid=\"%s\",", pid);
	cr_assert_not_null(strstr(b.data, want), "exposition:\n%s", b.data);
	cr_assert_not_null(strstr(b.data, "\npromfiler_samples_total 9\n"));
	cr_assert_not_null(strstr(b.data,
				  "promfiler_samples_dropped_total{reason=\"stack_collision\"} 1\n"));
	cr_assert_not_null(strstr(b.data, "\npromfiler_attached_cpus 2\n"));
	cr_assert_not_null(strstr(b.data, "\npromfiler_targets 1\n"));
	cr_assert_not_null(strstr(b.data, "\npromfiler_sampling_frequency_hertz 97\n"));
	buf__release(&b);
}

Test(profiler_render, profiles_by_format)
{
	struct profiler_render_req req = { .format = PROMFILER_FORMAT_FOLDED,
					   .count = COUNT_TOTAL };
	struct buf b;

	buf__init(&b);
	cr_assert_eq(profiler_render__profile(&p, &req, &b), 0);
	cr_assert_not_null(strstr(b.data, "main;work 5\n"), "folded:\n%s", b.data);
	cr_assert_not_null(strstr(b.data, "main 2\n"), "folded:\n%s", b.data);
	buf__release(&b);

	buf__init(&b);
	req.format = PROMFILER_FORMAT_SVG;
	req.pid = getpid();
	cr_assert_eq(profiler_render__profile(&p, &req, &b), 0);
	cr_assert_not_null(strstr(b.data, "<svg"));
	buf__release(&b);

	buf__init(&b);
	req.pid = 0x3ffffff0;
	cr_assert_eq(profiler_render__profile(&p, &req, &b), -ESRCH);
	req.format = PROMFILER_FORMAT_PROMETHEUS;
	cr_assert_eq(profiler_render__profile(&p, &req, &b), -EINVAL);
	buf__release(&b);
}
