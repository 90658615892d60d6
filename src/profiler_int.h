// SPDX-License-Identifier: MIT
/* profiler_int: the engine's state (struct profiler), shared by the engine
 * (profiler.c) and its renders (profiler_render.c) only; everyone else sees
 * the opaque struct of profiler.h. */
#ifndef PROMFILER_PROFILER_INT_H
#define PROMFILER_PROFILER_INT_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <promfiler.h>

struct profiler {
	struct promfiler_options opts; /* pids and comms not kept */
	char *separator;
	struct sampler *sampler;
	struct strtab *frames;
	struct target_table *targets;
	struct elfsym_cache *elfsyms;  /* ELF symbol tables shared by the targets */
	struct v8_layout_cache *v8layouts; /* node binaries' V8 layouts, likewise */
	struct kallsyms *kallsyms;     /* with opts.kernel_frames only */
	pthread_mutex_t lock;
	struct timespec window_end;
	uint64_t windows_completed;
	uint64_t unresolved_frames;
	uint64_t budget_folded_samples; /* counted in (other) by --max-series */
	uint64_t drains;
	double drain_seconds;
	uint64_t perf_map_bytes;
	uint64_t dropped_exited;       /* samples of processes gone before the drain */
	uint64_t dropped_no_memory;
	uint64_t samples_drained;
	uint64_t v8_named_frames;      /* frames named from V8's objects */
	uint64_t v8_failures;          /* SFIs that could not be read */
	uint64_t v8_unsupported;       /* Node targets whose V8 layout was refused */
	uint64_t inlined_frames;       /* frames of functions V8 inlined */
	uint64_t inline_missing;       /* optimized frames whose inlining was not read */
};

#endif
