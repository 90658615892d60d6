// SPDX-License-Identifier: MIT
/* sampler: loads and drives bpf/profile.bpf.c through its skeleton; see
 * sampler.h. The drain protocol is described at the top of the BPF file.
 *
 * What a drain keeps: the counts of the drained buffer are read and zeroed,
 * not deleted, and the stacks and JS frame lists they name stay in the
 * buffer's maps; what had no sample in the buffer's last turn is deleted
 * (aged out). A map that would keep over a quarter of its room is emptied
 * instead (keeps()). A program run that finds its stack, list and count
 * in place adds one to a counter, where one that inserts copies a 1 KiB
 * stack and a 3 KiB list into cold map memory (8% of shallow Node samples
 * at 97 Hz did when every drain emptied the maps, 4% now). */
#include "sampler.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "profile.h"
#include "profile.skel.h"

/* A growable array of map keys: those a drain read, and those it keeps
 * (sorted, for the map pruning's lookups). */
struct keyset {
	void *keys;
	size_t n, cap, size;
	int (*cmp)(const void *, const void *);
};

struct sampler {
	struct profile_bpf *skel;
	struct bpf_link **links;
	int *perf_fds;
	size_t n_cpus;
	bool kernel_stacks;
	uint64_t stack_missing;
	/* Drain scratch: the drained counts' keys, and what they kept. */
	struct keyset keys, kept_stacks, kept_frames;
	uint64_t v8_unpaired;
	struct ring_buffer *events;
	sampler_event_fn event_fn; /* set for the length of sampler__events */
	void *event_ctx;
	void (*log)(const char *line); /* libbpf's messages, with verbose */
	bool verbose;
	/* Drain scratch: one stack, its JS frames and their pairing. */
	struct profile_stack user, kernel;
	struct profile_v8_frames frames;
	struct sampler_v8_ref refs[PROFILE_MAX_STACK_DEPTH];
};

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_frames_key(const void *a, const void *b)
{
	const struct profile_v8_frames_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return cmp_u64(&x->id, &y->id);
}

static int keyset__add(struct keyset *k, const void *key)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 1024;
		void *keys = realloc(k->keys, cap * k->size);

		if (!keys)
			return -ENOMEM;
		k->keys = keys;
		k->cap = cap;
	}
	memcpy((char *)k->keys + k->n++ * k->size, key, k->size);
	return 0;
}

/* Sorts the keys and drops repeats (the same stack under many counts). */
static void keyset__sort(struct keyset *k)
{
	size_t n = 0;

	if (k->n == 0)
		return;
	qsort(k->keys, k->n, k->size, k->cmp);
	for (size_t i = 1; i < k->n; i++) {
		char *key = (char *)k->keys + i * k->size;

		if (k->cmp((char *)k->keys + n * k->size, key))
			memcpy((char *)k->keys + ++n * k->size, key, k->size);
	}
	k->n = n + 1;
}

/* k sorted (keyset__sort). */
static bool keyset__has(const struct keyset *k, const void *key)
{
	return bsearch(key, k->keys, k->n, k->size, k->cmp) != NULL;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct sampler *s = ctx;
	const struct profile_event *e = data;

	if (size < sizeof(*e) || !s->event_fn)
		return 0;
	if (e->kind == PROFILE_EVENT_EXIT)
		s->event_fn(s->event_ctx, (pid_t)e->pid, SAMPLER_EVENT_EXIT);
	else if (e->kind == PROFILE_EVENT_EXEC)
		s->event_fn(s->event_ctx, (pid_t)e->pid, SAMPLER_EVENT_EXEC);
	return 0;
}

/* libbpf has one print function for the whole process (libbpf_set_print).
 * Ours routes each message to the sampler whose call into libbpf printed
 * it: every sampler function whose libbpf calls can print (open, load and
 * attach, the ring buffer, drains, free; map updates of the skeleton's own
 * sizes print nothing) marks the sampler current on its thread for the
 * length of the call (sampler_enter / sampler_leave), so
 * two samplers in one process, on any threads, each get their own
 * messages. A message printed outside any sampler's call (an embedder's
 * own use of libbpf) goes to the print function installed before ours. */
static _Thread_local struct sampler *current;
static libbpf_print_fn_t previous_print;
static pthread_once_t print_once = PTHREAD_ONCE_INIT;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	struct sampler *s = current;
	char text[1024], *line, *save = NULL;

	if (!s)
		return previous_print ? previous_print(level, fmt, ap) : 0;
	if (!s->verbose || !s->log)
		return 0;
	vsnprintf(text, sizeof(text), fmt, ap);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		s->log(line);
	return 0;
}

static void install_print(void)
{
	previous_print = libbpf_set_print(print_libbpf);
}

/* Marks s as the sampler calling libbpf on this thread; returns the one
 * that was (a sampler's call never nests in another's, but be exact). */
static struct sampler *sampler_enter(struct sampler *s)
{
	struct sampler *was = current;

	pthread_once(&print_once, install_print);
	current = s;
	return was;
}

static void sampler_leave(struct sampler *was)
{
	current = was;
}

int sampler__check_support(char *why, size_t len)
{
	bool bpf = caps__have(CAP_BPF), perfmon = caps__have(CAP_PERFMON);
	struct stat st;

	if (!caps__have(CAP_SYS_ADMIN) && (!bpf || !perfmon)) {
		snprintf(why, len, "missing %s%s%s: run as root (sudo) or grant them",
			 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
			 perfmon ? "" : "CAP_PERFMON");
		return -EPERM;
	}
	if (stat("/sys/kernel/btf/vmlinux", &st) != 0) {
		snprintf(why, len, "kernel has no BTF (/sys/kernel/btf/vmlinux): "
			 "needs Linux >= 5.8 built with CONFIG_DEBUG_INFO_BTF=y");
		return -ENOTSUP;
	}
	return 0;
}

/* Online CPUs from /sys/devices/system/cpu/online ("0-3,5,7-8"). */
static int online_cpus(int **cpus, size_t *n)
{
	char buf[4096], *p = buf, *end;
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	size_t cap = 0;

	*cpus = NULL;
	*n = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	while (*p && *p != '\n') {
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0)
			goto bad;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				goto bad;
			p = end;
		}
		for (long c = lo; c <= hi; c++) {
			if (*n == cap) {
				int *q = realloc(*cpus, (cap = cap ? cap * 2 : 16) * sizeof(*q));

				if (!q) {
					free(*cpus);
					return -ENOMEM;
				}
				*cpus = q;
			}
			(*cpus)[(*n)++] = (int)c;
		}
		if (*p == ',')
			p++;
	}
	return 0;
bad:
	free(*cpus);
	*cpus = NULL;
	return -EINVAL;
}

static int attach_cpus(struct sampler *s, unsigned int frequency)
{
	int *cpus, err;
	size_t n;

	err = online_cpus(&cpus, &n);
	if (err)
		return err;
	s->links = calloc(n, sizeof(*s->links));
	s->perf_fds = malloc(n * sizeof(*s->perf_fds));
	if (!s->links || !s->perf_fds) {
		free(cpus);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.size = sizeof(attr),
			.freq = 1,
			.sample_freq = frequency,
		};
		int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpus[i], -1,
				      PERF_FLAG_FD_CLOEXEC);
		struct bpf_link *link;

		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* went offline meanwhile */
			err = -errno;
			break;
		}
		link = bpf_program__attach_perf_event(s->skel->progs.sample, fd);
		if (!link) {
			err = -errno;
			close(fd);
			break;
		}
		s->links[s->n_cpus] = link;
		s->perf_fds[s->n_cpus++] = fd;
	}
	free(cpus);
	if (!err && s->n_cpus == 0)
		err = -ENODEV;
	return err;
}

struct sampler *sampler__open(const struct sampler_opts *opts)
{
	struct sampler *s, *was;
	int err;

	if (opts->n_comms > PROFILE_MAX_COMMS || opts->frequency == 0) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->log = opts->log;
	s->verbose = opts->verbose;
	s->keys = (struct keyset){ .size = sizeof(struct profile_key) };
	s->kept_stacks = (struct keyset){ .size = sizeof(__u64), .cmp = cmp_u64 };
	s->kept_frames = (struct keyset){ .size = sizeof(struct profile_v8_frames_key),
					  .cmp = cmp_frames_key };
	was = sampler_enter(s);
	s->kernel_stacks = opts->kernel_stacks;
	s->skel = profile_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	s->skel->rodata->filter_all = opts->all;
	s->skel->rodata->kernel_stacks = opts->kernel_stacks;
	s->skel->rodata->follow_forks = opts->follow_forks;
	s->skel->rodata->n_comms = (__u32)opts->n_comms;
	s->skel->rodata->check_walk = opts->check_walk;
	if (getrandom((void *)&s->skel->rodata->stack_seed,
		      sizeof(s->skel->rodata->stack_seed), 0) < 0)
		s->skel->rodata->stack_seed = (__u64)time(NULL) ^ (__u64)getpid() << 32;
	for (size_t i = 0; i < opts->n_comms; i++)
		strncpy((char *)s->skel->rodata->comms[i], opts->comms[i],
			PROFILE_COMM_LEN - 1);
	err = profile_bpf__load(s->skel);
	if (err)
		goto fail;
	err = profile_bpf__attach(s->skel); /* the lifecycle tracepoints */
	if (err)
		goto fail;
	s->events = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event,
				     s, NULL);
	if (!s->events) {
		err = -errno;
		goto fail;
	}
	err = attach_cpus(s, opts->frequency);
	if (err)
		goto fail;
	sampler_leave(was);
	return s;
fail:
	sampler__free(s);
	sampler_leave(was);
	errno = -err;
	return NULL;
}

void sampler__free(struct sampler *s)
{
	struct sampler *was;

	if (!s)
		return;
	was = sampler_enter(s);
	for (size_t i = 0; i < s->n_cpus; i++) {
		bpf_link__destroy(s->links[i]);
		close(s->perf_fds[i]);
	}
	free(s->links);
	free(s->perf_fds);
	free(s->keys.keys);
	free(s->kept_stacks.keys);
	free(s->kept_frames.keys);
	ring_buffer__free(s->events);
	profile_bpf__destroy(s->skel);
	sampler_leave(was);
	free(s);
}

int sampler__add_pid(struct sampler *s, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 one = 1;

	return bpf_map__update_elem(s->skel->maps.target_pids, &key, sizeof(key),
				    &one, sizeof(one), BPF_ANY) ? -errno : 0;
}

int sampler__remove_pid(struct sampler *s, pid_t pid)
{
	__u32 key = (__u32)pid;

	int err = bpf_map__delete_elem(s->skel->maps.target_pids, &key, sizeof(key),
				       0) ? -errno : 0;

	sampler__set_v8(s, pid, NULL);
	return err;
}

int sampler__set_v8(struct sampler *s, pid_t pid, const struct v8_walk_info *info)
{
	struct profile_v8_proc v = { 0 };
	__u32 key = (__u32)pid;

	if (!info) {
		if (bpf_map__delete_elem(s->skel->maps.v8_procs, &key, sizeof(key), 0) &&
		    errno != ENOENT)
			return -errno;
		return 0;
	}
	v.n_ranges = (__u32)(info->n_ranges < PROFILE_V8_MAX_RANGES ?
			     info->n_ranges : PROFILE_V8_MAX_RANGES);
	for (__u32 i = 0; i < v.n_ranges; i++) {
		v.ranges[i].start = info->ranges[i].start;
		v.ranges[i].end = info->ranges[i].end;
		if (info->ranges[i].jit)
			v.jit_ranges |= 1u << i;
	}
	v.off_fp_function = info->off_fp_function;
	v.off_fp_context = info->off_fp_context;
	v.jsfunction_shared = info->jsfunction_shared;
	v.sfi_name = info->sfi_name;
	return bpf_map__update_elem(s->skel->maps.v8_procs, &key, sizeof(key), &v,
				    sizeof(v), BPF_ANY) ? -errno : 0;
}

/* Flips the active buffer and waits until no program still writes the old
 * one. Programs run for microseconds; the wait is bounded anyway. */
static unsigned int flip_buffers(struct sampler *s)
{
	unsigned int old = __atomic_load_n(&s->skel->bss->active, __ATOMIC_SEQ_CST) & 1;
	struct timespec pause = { 0, 100000 };

	__atomic_store_n(&s->skel->bss->active, old ^ 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&s->skel->bss->epoch, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(&s->skel->bss->inflight[old], __ATOMIC_SEQ_CST) == 0)
			break;
		nanosleep(&pause, NULL);
	}
	return old;
}

/* Reads the stack stored under id into st; returns its depth (0 when id is
 * 0 or the stack is gone). */
static size_t read_stack(int fd, __u64 id, struct profile_stack *st)
{
	if (!id || bpf_map_lookup_elem(fd, &id, st))
		return 0;
	return st->n < PROFILE_MAX_STACK_DEPTH ? st->n : PROFILE_MAX_STACK_DEPTH;
}

static int collect_keys(struct sampler *s, int fd)
{
	struct profile_key key, prev;
	bool first = true;
	int err;

	s->keys.n = 0;
	while (bpf_map_get_next_key(fd, first ? NULL : &prev, &key) == 0) {
		err = keyset__add(&s->keys, &key);
		if (err)
			return err;
		prev = key;
		first = false;
	}
	return 0;
}

/* Deletes from a hash-like map (keys of at most 16 bytes) every key not in
 * keep (sorted); keep NULL empties it. */
static void prune_map(int fd, const struct keyset *keep)
{
	__u64 key[2], next[2];

	/* Deleting while iterating would restart at the first key: walk to
	 * the next key before deleting the current one. */
	if (bpf_map_get_next_key(fd, NULL, key))
		return;
	for (;;) {
		bool more = bpf_map_get_next_key(fd, key, next) == 0;

		if (!keep || !keyset__has(keep, key))
			bpf_map_delete_elem(fd, key);
		if (!more)
			break;
		memcpy(key, next, sizeof(key));
	}
}

/* Pairs the walk's JS frames with the user stack: frame i of the walk is
 * entry f->index of the callchain when both saw the same IP there (the
 * kernel walks the same frame pointers); a frame whose IP differs is
 * dropped, never given to another frame. Returns how many were dropped. */
static size_t pair_v8(const struct profile_v8_frames *fr, const __u64 *user,
		      size_t n_user, struct sampler_v8_ref *refs)
{
	size_t dropped = 0, n = fr->n < PROFILE_V8_MAX_FRAMES ? fr->n : PROFILE_V8_MAX_FRAMES;

	memset(refs, 0, n_user * sizeof(*refs));
	for (size_t i = 0; i < n; i++) {
		const struct profile_v8_frame *f = &fr->frames[i];

		if (f->index < n_user && user[f->index] == f->ip) {
			refs[f->index].sfi = f->sfi;
			refs[f->index].cookie = f->cookie;
		} else {
			dropped++;
		}
	}
	return dropped;
}

/* Whether a map whose `kept` entries a drain would leave in place keeps
 * them: up to a quarter of its room, so a buffer's next turn has at least
 * three quarters of it for new entries (all of it before entries were
 * kept); a host whose stacks change faster gets the map emptied, as if
 * nothing were kept. */
static bool keeps(const struct bpf_map *map, size_t kept)
{
	return kept <= bpf_map__max_entries(map) / 4;
}

int sampler__drain(struct sampler *s, sampler_sample_fn fn, void *ctx)
{
	struct sampler *was = sampler_enter(s);
	unsigned int old = flip_buffers(s);
	const struct bpf_map *counts_map = old ? s->skel->maps.counts1 : s->skel->maps.counts0;
	const struct bpf_map *stacks_map = old ? s->skel->maps.stacks1 : s->skel->maps.stacks0;
	const struct bpf_map *frames_map = old ? s->skel->maps.v8_frames1 :
						 s->skel->maps.v8_frames0;
	int counts = bpf_map__fd(counts_map), stacks = bpf_map__fd(stacks_map);
	int v8_frames = bpf_map__fd(frames_map);
	const __u64 zero = 0;
	bool keep_counts, all_kept = true;
	int err = collect_keys(s, counts);
	size_t n = s->keys.n;

	keep_counts = keeps(counts_map, n);
	s->kept_stacks.n = s->kept_frames.n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct profile_key *k = (const struct profile_key *)s->keys.keys + i;
		struct profile_v8_frames_key fk = { .pid = k->pid, .id = k->v8_frames_id };
		const struct sampler_v8_ref *v8 = NULL;
		size_t n_user, n_kernel;
		__u64 count;

		if (bpf_map_lookup_elem(counts, k, &count))
			continue;
		/* No sample in this turn: aged out; else zeroed for the next
		 * turn (deleted too when there are too many to keep). */
		if (count == 0 || !keep_counts)
			bpf_map_delete_elem(counts, k);
		else
			bpf_map_update_elem(counts, k, &zero, BPF_EXIST);
		if (count == 0)
			continue;
		n_user = read_stack(stacks, k->user_stack_id, &s->user);
		n_kernel = read_stack(stacks, k->kernel_stack_id, &s->kernel);
		if (n_user == 0 && n_kernel == 0) {
			s->stack_missing += count;
			continue;
		}
		if (n_user && keyset__add(&s->kept_stacks, &k->user_stack_id))
			all_kept = false;
		if (n_kernel && keyset__add(&s->kept_stacks, &k->kernel_stack_id))
			all_kept = false;
		if (k->v8_frames_id && n_user &&
		    bpf_map_lookup_elem(v8_frames, &fk, &s->frames) == 0) {
			if (keyset__add(&s->kept_frames, &fk))
				all_kept = false;
			s->v8_unpaired += pair_v8(&s->frames, s->user.ips, n_user,
						  s->refs) * count;
			v8 = s->refs;
		}
		fn(ctx, (pid_t)k->pid, (const uint64_t *)s->user.ips, n_user,
		   (const uint64_t *)s->kernel.ips, n_kernel, v8, count);
	}
	/* Counts not read (no memory for their keys) still need their stacks:
	 * nothing is pruned. Out of memory for the kept lists: nothing kept
	 * rather than too little. */
	if (!err) {
		keyset__sort(&s->kept_stacks);
		keyset__sort(&s->kept_frames);
		prune_map(stacks, all_kept && keeps(stacks_map, s->kept_stacks.n) ?
			  &s->kept_stacks : NULL);
		prune_map(v8_frames, all_kept && keeps(frames_map, s->kept_frames.n) ?
			  &s->kept_frames : NULL);
	}
	sampler_leave(was);
	return err;
}

int sampler__events(struct sampler *s, sampler_event_fn fn, void *ctx)
{
	struct sampler *was = sampler_enter(s);
	int n;

	s->event_fn = fn;
	s->event_ctx = ctx;
	n = ring_buffer__consume(s->events);
	s->event_fn = NULL;
	sampler_leave(was);
	return n < 0 ? n : 0;
}

void sampler__stats(struct sampler *s, struct sampler_stats *out)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t sums[PROFILE_STAT_COUNT] = { 0 };
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	__u64 *vals;

	memset(out, 0, sizeof(*out));
	out->stack_missing = s->stack_missing;
	if (ncpus <= 0 || !(vals = calloc((size_t)ncpus, sizeof(*vals))))
		return;
	for (__u32 k = 0; k < PROFILE_STAT_COUNT; k++) {
		if (bpf_map__lookup_elem(s->skel->maps.stats, &k, sizeof(k), vals,
					 (size_t)ncpus * sizeof(*vals), 0))
			continue;
		for (int c = 0; c < ncpus; c++)
			sums[k] += vals[c];
	}
	free(vals);
	if (bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.sample), &info,
				   &len) == 0) {
		out->bpf_run_ns = info.run_time_ns;
		out->bpf_runs = info.run_cnt;
	}
	out->samples = sums[PROFILE_STAT_SAMPLES];
	out->stack_collisions = sums[PROFILE_STAT_STACK_COLLISION];
	out->stack_errors = sums[PROFILE_STAT_STACK_ERROR];
	out->map_full = sums[PROFILE_STAT_MAP_FULL];
	out->v8_walks = sums[PROFILE_STAT_V8_WALKS];
	out->v8_frames_full = sums[PROFILE_STAT_V8_FRAMES_FULL];
	out->v8_unpaired = s->v8_unpaired;
	out->v8_walk_ns = sums[PROFILE_STAT_V8_WALK_NS];
}

size_t sampler__cpus(const struct sampler *s)
{
	return s->n_cpus;
}
