/* Types shared by the BPF sampler (profile.bpf.c) and its userspace owner
 * (src/sampler.c). Only fixed-width __u32/__u64 types: both sides must agree
 * on the layout byte for byte. */
#ifndef PROMFILER_PROFILE_H
#define PROMFILER_PROFILE_H

#define PROFILE_MAX_STACK_DEPTH 127 /* kernel.perf_event_max_stack default */
#define PROFILE_MAX_COMMS 8
#define PROFILE_COMM_LEN 16
#define PROFILE_NUM_BUFFERS 2 /* double buffer: one written, one drained */

/* One aggregation slot: samples of one process with one pair of stacks. */
struct profile_key {
	__u32 pid;             /* tgid in the initial PID namespace */
	__s32 user_stack_id;   /* id in the buffer's stack map, or -errno */
	__s32 kernel_stack_id; /* -1 when kernel stacks are not collected */
	__u32 pad;
};

/* Per-CPU counters of what happened to matching samples. */
enum profile_stat {
	PROFILE_STAT_SAMPLES,          /* matched the filter */
	PROFILE_STAT_STACK_COLLISION,  /* stack hash bucket held another stack */
	PROFILE_STAT_STACK_ERROR,      /* bpf_get_stackid failed otherwise */
	PROFILE_STAT_MAP_FULL,         /* count map had no room for a new key */
	PROFILE_STAT_COUNT
};

/* Lifecycle events sent to userspace through the `events` ring buffer. */
enum profile_event_kind {
	PROFILE_EVENT_EXIT = 1, /* a target process exited */
	PROFILE_EVENT_EXEC = 2, /* a process replaced its program */
};

struct profile_event {
	__u32 pid;
	__u32 kind;
};

#endif
