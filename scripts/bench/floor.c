// SPDX-License-Identifier: MIT
/* floor: loads scripts/bench/floor.bpf.c, the minimal sampler `make bench`
 * measures the agent's BPF program against, and attaches it to a cpu-clock
 * perf event on every online CPU at the agent's frequency (the same event
 * the agent opens: software cpu-clock, frequency mode). Like the agent, it
 * empties its map once a second. Each line read on stdin is answered with
 * one JSON line on stdout, the program's own accounting
 * (kernel.bpf_stats_enabled): {"run_ns":N,"runs":N,"samples":N}, so the
 * bench reads it next to the agent's. Exits when stdin ends.
 *   floor --pid PID -F HZ */
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"

static int usage(void)
{
	fprintf(stderr, "usage: floor --pid PID -F HZ\n");
	return 2;
}

static void clear_counts(int fd)
{
	__u64 key, next;

	if (bpf_map_get_next_key(fd, NULL, &key))
		return;
	for (;;) {
		int more = bpf_map_get_next_key(fd, &key, &next) == 0;

		bpf_map_delete_elem(fd, &key);
		if (!more)
			break;
		key = next;
	}
}

static void report(struct floor_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus();
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), zero = 0;
	__u64 vals[512] = { 0 }, samples = 0;

	bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.floor_sample), &info, &len);
	if (ncpus > 0 && ncpus <= 512 &&
	    bpf_map__lookup_elem(skel->maps.samples, &zero, sizeof(zero), vals,
				 (size_t)ncpus * sizeof(*vals), 0) == 0)
		for (int c = 0; c < ncpus; c++)
			samples += vals[c];
	printf("{\"run_ns\":%llu,\"runs\":%llu,\"samples\":%llu}\n",
	       (unsigned long long)info.run_time_ns, (unsigned long long)info.run_cnt,
	       (unsigned long long)samples);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long pid = 0, hz = 0;
	struct floor_bpf *skel;
	char line[64];
	__u32 key;
	__u8 one = 1;
	time_t last;
	int ncpus;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--pid"))
			pid = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "-F"))
			hz = strtoul(argv[i + 1], NULL, 10);
		else
			return usage();
	}
	if (!pid || !hz)
		return usage();
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: cannot load the BPF program: %s\n", strerror(errno));
		return 1;
	}
	key = (__u32)pid;
	bpf_map__update_elem(skel->maps.pids, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
	ncpus = libbpf_num_possible_cpus();
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK,
			.size = sizeof(attr), .freq = 1, .sample_freq = hz,
		};
		int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

		if (fd < 0)
			continue; /* offline */
		if (!bpf_program__attach_perf_event(skel->progs.floor_sample, fd)) {
			fprintf(stderr, "floor: cannot attach on CPU %d: %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	last = time(NULL);
	for (;;) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		int r = poll(&p, 1, 200);

		if (time(NULL) != last) {
			clear_counts(bpf_map__fd(skel->maps.counts));
			last = time(NULL);
		}
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			if (!fgets(line, sizeof(line), stdin))
				break;
			report(skel);
		}
	}
	floor_bpf__destroy(skel);
	return 0;
}
