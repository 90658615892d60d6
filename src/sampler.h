// SPDX-License-Identifier: MIT
/* sampler: the only owner of the BPF skeleton (bpf/profile.bpf.c). It loads
 * the program with the target filter, attaches it to a cpu-clock perf event
 * on every online CPU in frequency mode, and drains the aggregated stacks:
 * each drain flips the double buffer, waits until the kernel side has left
 * the old one, reads it and zeroes its counts (keeping the stacks they name
 * for the buffer's next turn), so every sample is delivered exactly once.
 *
 * For V8 processes (sampler__set_v8) each sample also carries the JS
 * functions the kernel side found on its stack: the SFI and cookie of each
 * JS frame, paired here with the frame's IP by position and address. */
#ifndef PROMFILER_SAMPLER_H
#define PROMFILER_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "v8names.h"

struct sampler_opts {
	bool all;                 /* every process */
	const char *const *comms; /* process comm names (<= 8, 15 chars) */
	size_t n_comms;
	unsigned int frequency;   /* samples per second per CPU */
	bool kernel_stacks;
	bool follow_forks;        /* children of PID-set members join the set */
	/* libbpf's messages while this sampler calls it, one line each (no
	 * newline); NULL: none. Only with verbose, as libbpf's debug ones. */
	void (*log)(const char *line);
	bool verbose;
	bool check_walk;          /* test hook: also walk V8 processes' stacks with
				   * bpf_get_stack, count the differences */
};

struct sampler_stats {
	uint64_t samples;         /* matched the filter in the kernel */
	uint64_t stack_collisions;
	uint64_t stack_errors;
	uint64_t map_full;
	uint64_t stack_missing;   /* stack id gone when drained */
	/* The BPF programs' own accounting; 0 unless kernel.bpf_stats_enabled. */
	uint64_t bpf_run_ns;
	uint64_t bpf_runs;
	uint64_t v8_walks;        /* samples whose stack was walked for JS frames */
	uint64_t v8_frames_full;  /* ... whose JS frames were lost (map full) */
	uint64_t v8_unpaired;     /* JS frames whose IP was not in the stack */
	uint64_t v8_walk_ns;      /* time the BPF program spent in those walks */
};

/* The JS function the BPF walk found in a frame; sfi 0: none. */
struct sampler_v8_ref {
	uint64_t sfi;
	uint32_t cookie;
};

/* One aggregated sample: `count` samples of process pid with this stack.
 * Stacks are leaf first; n_kernel is 0 without kernel stacks. v8 is NULL,
 * or parallel to user: the JS function of each frame (sfi 0: none). */
typedef void (*sampler_sample_fn)(void *ctx, pid_t pid, const uint64_t *user,
				  size_t n_user, const uint64_t *kernel,
				  size_t n_kernel, const struct sampler_v8_ref *v8,
				  uint64_t count);

enum sampler_event {
	SAMPLER_EVENT_EXIT, /* the process exited */
	SAMPLER_EVENT_EXEC, /* the process ran exec: its name may have changed */
};

typedef void (*sampler_event_fn)(void *ctx, pid_t pid, enum sampler_event ev);

struct sampler;

/* Checks what loading needs before trying: 0, or -EPERM / -ENOTSUP with a
 * one-line description of what is missing written into why. */
int sampler__check_support(char *why, size_t len);
/* Opens, loads and attaches. NULL with errno set on failure. */
struct sampler *sampler__open(const struct sampler_opts *opts);
void sampler__free(struct sampler *s);
/* Adds a process to the kernel's PID set. 0 or -errno. */
int sampler__add_pid(struct sampler *s, pid_t pid);
/* Removes pid from the PID set and from the V8 processes. */
int sampler__remove_pid(struct sampler *s, pid_t pid);
/* Makes pid's samples carry their JS functions (info: how to walk its
 * frames), or stops it (info NULL). 0 or -errno. */
int sampler__set_v8(struct sampler *s, pid_t pid, const struct v8_walk_info *info);
/* Delivers every sample taken since the last drain to fn. 0 or -errno. */
int sampler__drain(struct sampler *s, sampler_sample_fn fn, void *ctx);
/* Delivers the lifecycle events queued since the last call. 0 or -errno. */
int sampler__events(struct sampler *s, sampler_event_fn fn, void *ctx);
void sampler__stats(struct sampler *s, struct sampler_stats *out);
/* Number of CPUs attached. */
size_t sampler__cpus(const struct sampler *s);

#endif
