// SPDX-License-Identifier: GPL-2.0
/* The kernel side of promfiler-bpf: a perf_event program run on every
 * cpu-clock tick of every CPU. It keeps only samples of the target processes
 * (a PID set, the process's comm, or all), and aggregates them in the kernel
 * as counts keyed by (pid, user stack id, kernel stack id).
 *
 * Maps are double-buffered so userspace can drain without losing or double
 * counting: samples go to buffer `active`; userspace flips `active`, waits
 * until no program still writes to the old buffer (`inflight`), then reads
 * and clears the old buffer's counts and stacks at leisure. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

#define EEXIST 17 /* errno values are not in vmlinux.h */

char LICENSE[] SEC("license") = "GPL";

const volatile bool filter_all = false;
const volatile bool kernel_stacks = false;
const volatile bool follow_forks = false; /* children of PID-set members join it */
const volatile __u32 n_comms = 0;
const volatile char comms[PROFILE_MAX_COMMS][PROFILE_COMM_LEN] = {};

/* Written by userspace through the mmapped .bss. */
__u32 active = 0;
__u64 inflight[PROFILE_NUM_BUFFERS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} target_pids SEC(".maps");

/* Whether a process matched --comm, decided once per process (forgotten at
 * exec and exit, when the answer may change). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} comm_matched SEC(".maps");

#define STACK_MAP(name)                                                 \
	struct {                                                        \
		__uint(type, BPF_MAP_TYPE_STACK_TRACE);                  \
		__uint(max_entries, 16384);                              \
		__uint(key_size, sizeof(__u32));                         \
		__uint(value_size, PROFILE_MAX_STACK_DEPTH * sizeof(__u64)); \
	} name SEC(".maps")

#define COUNT_MAP(name)                                                 \
	struct {                                                        \
		__uint(type, BPF_MAP_TYPE_HASH);                         \
		__uint(max_entries, 16384);                              \
		__type(key, struct profile_key);                         \
		__type(value, __u64);                                    \
	} name SEC(".maps")

STACK_MAP(stacks0);
STACK_MAP(stacks1);
COUNT_MAP(counts0);
COUNT_MAP(counts1);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROFILE_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		(*v)++; /* per-CPU: no other writer */
}

static __always_inline bool comm_matches(const char *comm)
{
	for (__u32 i = 0; i < PROFILE_MAX_COMMS; i++) {
		if (i >= n_comms)
			return false;
		bool same = true;
		for (int j = 0; j < PROFILE_COMM_LEN; j++) {
			if (comm[j] != comms[i][j]) {
				same = false;
				break;
			}
			if (comm[j] == '\0')
				break;
		}
		if (same)
			return true;
	}
	return false;
}

static __always_inline bool wanted(__u32 pid)
{
	if (pid == 0)
		return false; /* the idle task */
	if (filter_all || bpf_map_lookup_elem(&target_pids, &pid))
		return true;
	if (n_comms == 0)
		return false;
	__u8 *cached = bpf_map_lookup_elem(&comm_matched, &pid);

	if (cached)
		return *cached;
	/* The process's comm (its main thread's), not this thread's; Node >= 24
	 * names its main thread "MainThread", so the executable's file name
	 * counts too. */
	char comm[PROFILE_COMM_LEN] = {};
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const unsigned char *exe;
	__u8 match;

	BPF_CORE_READ_INTO(&comm, task, group_leader, comm);
	match = comm_matches(comm);
	if (!match) {
		exe = BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name);
		__builtin_memset(comm, 0, sizeof(comm));
		if (exe && bpf_probe_read_kernel_str(comm, sizeof(comm), exe) > 0)
			match = comm_matches(comm);
	}
	bpf_map_update_elem(&comm_matched, &pid, &match, BPF_ANY);
	return match;
}

static __always_inline int record(struct bpf_perf_event_data *ctx, __u32 pid,
				  void *stack_map, void *count_map)
{
	struct profile_key key = { .pid = pid, .kernel_stack_id = -1 };
	__u64 one = 1, *count;

	key.user_stack_id = bpf_get_stackid(ctx, stack_map, BPF_F_USER_STACK);
	if (kernel_stacks)
		key.kernel_stack_id = bpf_get_stackid(ctx, stack_map, 0);
	if (key.user_stack_id == -EEXIST || key.kernel_stack_id == -EEXIST) {
		stat_inc(PROFILE_STAT_STACK_COLLISION);
		return 0;
	}
	if (key.user_stack_id < 0 && (!kernel_stacks || key.kernel_stack_id < 0)) {
		stat_inc(PROFILE_STAT_STACK_ERROR);
		return 0;
	}
	count = bpf_map_lookup_elem(count_map, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (bpf_map_update_elem(count_map, &key, &one, BPF_NOEXIST) == 0)
		return 0;
	/* Another CPU inserted the key first: add to its slot. */
	count = bpf_map_lookup_elem(count_map, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		stat_inc(PROFILE_STAT_MAP_FULL);
	return 0;
}

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 buf;

	if (!wanted(pid))
		return 0;
	stat_inc(PROFILE_STAT_SAMPLES);

	/* Announce which buffer we write, then confirm it is still the active
	 * one; userspace flips `active` before it waits for inflight == 0. */
	buf = *(volatile __u32 *)&active & 1;
	__sync_fetch_and_add(&inflight[buf], 1);
	if ((*(volatile __u32 *)&active & 1) != buf) {
		__sync_fetch_and_add(&inflight[buf], -1);
		buf = *(volatile __u32 *)&active & 1;
		__sync_fetch_and_add(&inflight[buf], 1);
	}
	if (buf == 0)
		record(ctx, pid, &stacks0, &counts0);
	else
		record(ctx, pid, &stacks1, &counts1);
	__sync_fetch_and_add(&inflight[buf], -1);
	return 0;
}

static __always_inline void send_event(__u32 pid, __u32 kind)
{
	struct profile_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return; /* full: userspace's /proc check is the backstop */
	e->pid = pid;
	e->kind = kind;
	bpf_ringbuf_submit(e, 0);
}

/* Exits of target processes end their targets at once, instead of at the
 * next look at /proc. Only the thread group leader's exit counts. Raw
 * tracepoints need no tracefs mount (containers often have none). */
SEC("raw_tp/sched_process_exit")
int on_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;

	if (pid != (__u32)id)
		return 0;
	if (wanted(pid))
		send_event(pid, PROFILE_EVENT_EXIT);
	bpf_map_delete_elem(&comm_matched, &pid);
	return 0;
}

/* After exec a process may no longer match --comm, or match it now: every
 * exec is reported (userspace ignores PIDs it does not know). */
SEC("raw_tp/sched_process_exec")
int on_exec(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_map_delete_elem(&comm_matched, &pid);
	send_event(pid, PROFILE_EVENT_EXEC);
	return 0;
}

/* Launch mode profiles the command and every process it starts: a child of
 * a member of the PID set joins the set. (Threads share their parent's
 * tgid, so they change nothing.) */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid = BPF_CORE_READ(parent, tgid), cpid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!follow_forks || ppid == cpid || !bpf_map_lookup_elem(&target_pids, &ppid))
		return 0;
	bpf_map_update_elem(&target_pids, &cpid, &one, BPF_ANY);
	return 0;
}
