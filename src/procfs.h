// SPDX-License-Identifier: MIT
/* procfs: what promfiler-bpf reads about a process from /proc (proc(5)).
 * Parsers take a path or a FILE so tests feed fixtures; the *_pid wrappers
 * only build the /proc path. Functions return 0 or -errno. */
#ifndef PROMFILER_PROCFS_H
#define PROMFILER_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <sys/types.h>

#include "profile.h"

#define PROCFS_COMM_LEN PROFILE_COMM_LEN /* the kernel's TASK_COMM_LEN */

/* /proc/PID/comm, without the newline. */
int procfs__comm(pid_t pid, char *comm, size_t len);
/* Field 22 of /proc/PID/stat (clock ticks after boot): with the PID, it names
 * a process uniquely, so a reused PID is noticed. */
int procfs__start_time(pid_t pid, uint64_t *ticks);
int procfs__parse_stat_start_time(const char *stat, uint64_t *ticks);
/* The PID in the process's own PID namespace: last field of "NSpid:" in
 * /proc/PID/status (the PID itself on kernels without NSpid). */
int procfs__ns_pid(pid_t pid, pid_t *ns_pid);
int procfs__parse_ns_pid(FILE *status, pid_t *ns_pid);

/* What a Node process was started with that matters for naming its frames:
 * from its command line (node's own options, before the script) and its
 * NODE_OPTIONS environment variable. */
struct node_flags {
	bool is_node;            /* argv[0] is a node binary */
	bool perf_basic_prof;    /* --perf-basic-prof[-only-functions] or --perf-prof */
	bool interpreted_frames; /* --interpreted-frames-native-stack */
};

int procfs__node_flags(pid_t pid, struct node_flags *out);
/* cmdline and environ as in /proc: NUL-separated strings. */
void procfs__parse_node_flags(const char *cmdline, size_t cmdline_len,
			      const char *environ, size_t environ_len,
			      struct node_flags *out);

/* What every Prometheus exporter says of its own process (process_*). */
struct proc_usage {
	double cpu_seconds;       /* user + system */
	double start_time;        /* seconds since the epoch */
	uint64_t resident_bytes;
	uint64_t virtual_bytes;
	uint64_t open_fds;
	uint64_t max_fds;
};

int procfs__self_usage(struct proc_usage *out);

/* Executable file mappings of a process, from /proc/PID/maps. */
struct procmap {
	uint64_t start, end;
	uint64_t offset;
	char *path; /* "" for anonymous memory */
};

struct procmaps {
	struct procmap *maps; /* executable mappings, sorted by start */
	size_t count;
};

int procmaps__load_pid(pid_t pid, struct procmaps *out);
int procmaps__load_file(FILE *f, struct procmaps *out);
/* The executable mapping that holds addr, or NULL. */
const struct procmap *procmaps__find(const struct procmaps *pm, uint64_t addr);
void procmaps__release(struct procmaps *pm);

/* Reads len bytes of process pid's memory at addr (process_vm_readv: needs
 * CAP_SYS_PTRACE for another user's process). 0, -EFAULT when not all of
 * it is mapped, or -errno (-ESRCH: the process is gone). */
int procfs__read_mem(pid_t pid, uint64_t addr, void *buf, size_t len);

#endif
