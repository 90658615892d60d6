// SPDX-License-Identifier: MIT
/* target: the processes being profiled and their lifecycle. A target is a
 * (pid, start time) pair, so a reused PID is a new target with a fresh tree.
 * Each owns its symbolizer and its call paths under the cardinality budget
 * (budget.h), which hold its signature tree. When its process exits,
 * the target stays for one more completed window (so its last samples are
 * served), then is freed. */
#ifndef PROMFILER_TARGET_H
#define PROMFILER_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "budget.h"
#include "cgroup.h"
#include "procfs.h"
#include "strtab.h"
#include "symbolize.h"
#include "tree.h"

struct target {
	pid_t pid;
	uint64_t start_time;           /* clock ticks after boot */
	char comm[PROCFS_COMM_LEN];
	char pid_label[16];            /* pid as text, for labels */
	struct node_flags flags;       /* how Node was started, for diagnosis */
	struct cgroup_labels labels;   /* container, pod, namespace (best effort) */
	bool diagnosed;                /* its naming problems were logged */
	struct symbolizer *symbolizer;
	struct budget *budget;
	const struct tree *tree;       /* budget__tree(budget) */
	bool exited;
	unsigned int windows_since_exit;
};

struct target_table;

/* Targets whose call paths follow budget (trees rooted at its root_frame).
 * NULL + errno. */
struct target_table *targets__new(struct strtab *frames, const struct budget_opts *budget,
				  const struct symbolize_opts *opts);
void targets__free(struct target_table *tt);
/* The live target of pid, created (comm, start time, perf map path read from
 * /proc) if there is none; for a process that is gone, the target it was
 * while it lived, if still kept. NULL + errno (ESRCH: the process is gone). */
struct target *targets__get(struct target_table *tt, pid_t pid);
/* Marks targets whose process exited, or whose PID now names another
 * process. Returns how many were newly marked. */
size_t targets__check_exits(struct target_table *tt);
/* The live target of pid, or NULL. */
struct target *targets__find(const struct target_table *tt, pid_t pid);
/* Ends the window of every budget (see budget__end_window; *folded gets
 * what they folded) and frees targets that exited before the previous
 * window ended. */
void targets__end_window(struct target_table *tt, uint64_t *folded);
/* budget__credit and budget__served of every target. */
void targets__credit(struct target_table *tt, uint64_t *folded);
void targets__served(struct target_table *tt);
size_t targets__count(const struct target_table *tt);
struct target *targets__at(const struct target_table *tt, size_t i);

#endif
