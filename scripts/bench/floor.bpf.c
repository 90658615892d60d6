// SPDX-License-Identifier: GPL-2.0
/* The floor `make bench` measures promfiler-bpf's BPF program against
 * (scripts/bench/floor.c loads it; not part of the product): the least a
 * sampler of user stacks does per cpu-clock tick. It keeps only the
 * samples of one process (a PID-set lookup, as the agent's program does),
 * walks the user stack with bpf_get_stack into per-CPU scratch, and counts
 * the sample in a hash map keyed by a hash of its frames. Nothing else: no
 * stack stored, no double buffer, no JS frames. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define FLOOR_MAX_DEPTH 127 /* kernel.perf_event_max_stack, as the agent */

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

struct frames {
	__u64 ips[FLOOR_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frames);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} samples SEC(".maps");

SEC("perf_event")
int floor_sample(struct bpf_perf_event_data *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0, n;
	__u64 h = 0xcbf29ce484222325ULL, one = 1, *c;
	struct frames *f;
	long len;

	if (!bpf_map_lookup_elem(&pids, &pid))
		return 0;
	c = bpf_map_lookup_elem(&samples, &zero);
	if (c)
		(*c)++;
	f = bpf_map_lookup_elem(&scratch, &zero);
	if (!f)
		return 0;
	len = bpf_get_stack(ctx, f->ips, sizeof(f->ips), BPF_F_USER_STACK);
	if (len <= 0)
		return 0;
	n = (__u32)len / sizeof(__u64);
	for (__u32 i = 0; i < FLOOR_MAX_DEPTH; i++) {
		if (i >= n)
			break;
		h ^= f->ips[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	c = bpf_map_lookup_elem(&counts, &h);
	if (c)
		__sync_fetch_and_add(c, 1);
	else if (bpf_map_update_elem(&counts, &h, &one, BPF_NOEXIST) &&
		 (c = bpf_map_lookup_elem(&counts, &h)))
		__sync_fetch_and_add(c, 1);
	return 0;
}
