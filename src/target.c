// SPDX-License-Identifier: MIT
/* target: the table of profiled processes; see target.h. A flat array:
 * hosts run tens of Node processes, not thousands, and lookups happen once
 * per drained stack. */
#include "target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct target_table {
	struct target **items;
	size_t count, cap;
	struct strtab *frames;
	struct budget_opts budget;
	struct symbolize_opts opts;
};

struct target_table *targets__new(struct strtab *frames, const struct budget_opts *budget,
				  const struct symbolize_opts *opts)
{
	struct target_table *tt = calloc(1, sizeof(*tt));

	if (!tt)
		return NULL;
	tt->frames = frames;
	tt->budget = *budget;
	tt->opts = *opts;
	return tt;
}

static void target_free(struct target *t)
{
	if (!t)
		return;
	symbolizer__free(t->symbolizer);
	budget__free(t->budget);
	free(t);
}

void targets__free(struct target_table *tt)
{
	if (!tt)
		return;
	for (size_t i = 0; i < tt->count; i++)
		target_free(tt->items[i]);
	free(tt->items);
	free(tt);
}

static struct target *target_new(struct target_table *tt, pid_t pid)
{
	struct target *t = calloc(1, sizeof(*t));
	char perf_map[96];
	pid_t ns_pid;
	int err;

	if (!t)
		return NULL;
	t->pid = pid;
	snprintf(t->pid_label, sizeof(t->pid_label), "%d", (int)pid);
	err = procfs__start_time(pid, &t->start_time);
	if (!err)
		err = procfs__comm(pid, t->comm, sizeof(t->comm));
	if (!err)
		err = procfs__ns_pid(pid, &ns_pid);
	if (!err) { /* unreadable: nothing known */
		procfs__node_flags(pid, &t->flags);
		cgroup__labels_pid(pid, &t->labels);
	}
	if (err) {
		free(t);
		errno = err == -ENOENT ? ESRCH : -err;
		return NULL;
	}
	/* The map is in the process's own /tmp, named by its own PID. */
	snprintf(perf_map, sizeof(perf_map), "/proc/%d/root/tmp/perf-%d.map",
		 (int)pid, (int)ns_pid);
	t->symbolizer = symbolizer__new(pid, perf_map, tt->frames, &tt->opts);
	t->budget = budget__new(&tt->budget);
	if (!t->symbolizer || !t->budget) {
		target_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->tree = budget__tree(t->budget);
	return t;
}

struct target *targets__get(struct target_table *tt, pid_t pid)
{
	struct target *t = targets__find(tt, pid);

	if (t)
		return t;
	if (tt->count == tt->cap) {
		size_t cap = tt->cap ? tt->cap * 2 : 16;
		struct target **items = realloc(tt->items, cap * sizeof(*items));

		if (!items)
			return NULL;
		tt->items = items;
		tt->cap = cap;
	}
	t = target_new(tt, pid);
	if (t) {
		tt->items[tt->count++] = t;
		return t;
	}
	if (errno != ESRCH)
		return NULL;
	/* Samples taken just before an exit are drained after it: they
	 * belong to the target that exited. */
	for (size_t i = tt->count; i-- > 0;)
		if (tt->items[i]->pid == pid)
			return tt->items[i];
	return NULL;
}

size_t targets__check_exits(struct target_table *tt)
{
	size_t marked = 0;

	for (size_t i = 0; i < tt->count; i++) {
		struct target *t = tt->items[i];
		uint64_t start;

		if (t->exited)
			continue;
		if (procfs__start_time(t->pid, &start) == 0 && start == t->start_time)
			continue;
		t->exited = true;
		marked++;
	}
	return marked;
}

struct target *targets__find(const struct target_table *tt, pid_t pid)
{
	for (size_t i = 0; i < tt->count; i++)
		if (tt->items[i]->pid == pid && !tt->items[i]->exited)
			return tt->items[i];
	return NULL;
}

void targets__end_window(struct target_table *tt, uint64_t *folded)
{
	size_t kept = 0;

	for (size_t i = 0; i < tt->count; i++) {
		struct target *t = tt->items[i];

		if (t->exited && t->windows_since_exit++ >= 1) {
			target_free(t);
			continue;
		}
		budget__end_window(t->budget, folded); /* -ENOMEM: the old choice stands */
		tt->items[kept++] = t;
	}
	tt->count = kept;
}

void targets__credit(struct target_table *tt, uint64_t *folded)
{
	for (size_t i = 0; i < tt->count; i++)
		budget__credit(tt->items[i]->budget, folded);
}

void targets__served(struct target_table *tt)
{
	for (size_t i = 0; i < tt->count; i++)
		budget__served(tt->items[i]->budget);
}

size_t targets__count(const struct target_table *tt)
{
	return tt->count;
}

struct target *targets__at(const struct target_table *tt, size_t i)
{
	return i < tt->count ? tt->items[i] : NULL;
}
