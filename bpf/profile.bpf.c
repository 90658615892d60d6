// SPDX-License-Identifier: GPL-2.0
/* The kernel side of promfiler-bpf: a perf_event program run on every
 * cpu-clock tick of every CPU. It keeps only samples of the target processes
 * (a PID set, the process's comm, or all), and aggregates them in the kernel
 * as counts keyed by (pid, user stack id, kernel stack id).
 *
 * Stacks are stored by the program itself, under a seeded 64-bit hash of
 * their frames (see struct profile_stack), not in a stack-trace map.
 *
 * Maps are double-buffered so userspace can drain without losing or double
 * counting: samples go to buffer `active`; userspace flips `active`, waits
 * until no program still writes to the old buffer (`inflight`), then reads
 * and zeroes the old buffer's counts at leisure, and deletes the counts and
 * stacks that had no sample in its turn (src/sampler.c): a stack sampled
 * again is found in place, not stored anew.
 *
 * V8 processes (pids in v8_procs, put there by userspace once it has read
 * the layout of the process's node binary) have their user stack walked by
 * the program itself, once: a frame-pointer walk that reads the same words
 * the kernel's user callchain reads (x86 perf_callchain_user: the leaf IP,
 * then [fp+8] of each frame from regs->bp, stopping where a frame cannot be
 * read or at 127 entries), so it records the same return addresses
 * bpf_get_stack would, and in the same pass, for frames whose code lies in
 * V8's JIT code or embedded builtins and hold a context and a JSFunction,
 * reads the JSFunction's SharedFunctionInfo there and then: the JSFunction
 * may be garbage a moment later, the SFI lives as long as its function's
 * code (docs/v8-names.md). Other processes get bpf_get_stack. Where
 * the kernel's walk can go, this one goes too: it reads the stack by
 * windows, and where a window cannot be read it reads the frame's two words
 * alone, as the kernel does (check_walk, a test hook, walks with
 * bpf_get_stack as well and counts the samples where the two differ).
 * The list of (ip, SFI) pairs goes into the
 * buffer's v8_frames map under a hash of the list, and the hash into the
 * count key, so samples that ran other functions through the same code
 * addresses (interpreted frames all return into one trampoline) stay
 * apart. v8_frames is double-buffered with the counts; v8_procs is only
 * read here, and a torn update of it can only misclassify a frame, which
 * userspace's validation of every SFI catches. v8_stack, v8_scratch and
 * v8_ip_cache are per-CPU scratch and cache, never read by userspace; the
 * cache's entries end with each drain (`epoch`, bumped by userspace). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool filter_all = false;
const volatile bool kernel_stacks = false;
const volatile bool follow_forks = false; /* children of PID-set members join it */
const volatile __u32 n_comms = 0;
const volatile char comms[PROFILE_MAX_COMMS][PROFILE_COMM_LEN] = {};
const volatile __u64 stack_seed = 0; /* random, from userspace: stack hashes
				      * cannot be aimed at one another */
const volatile bool check_walk = false; /* test hook: compare our walks with
					 * bpf_get_stack's (PROFILE_STAT_WALK_*) */

/* Written by userspace through the mmapped .bss. */
__u32 active = 0;
__u32 epoch = 0; /* bumped by every drain: ends v8_ip_cache's entries */
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
		__uint(type, BPF_MAP_TYPE_HASH);                         \
		__uint(max_entries, 16384);                              \
		__type(key, __u64);                                      \
		__type(value, struct profile_stack);                     \
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct profile_v8_proc);
} v8_procs SEC(".maps");

/* Not preallocated: a list is 3 KB and most hosts hold few distinct ones. */
#define V8_FRAMES_MAP(name)                                             \
	struct {                                                        \
		__uint(type, BPF_MAP_TYPE_HASH);                         \
		__uint(max_entries, 8192);                               \
		__uint(map_flags, BPF_F_NO_PREALLOC);                    \
		__type(key, struct profile_v8_frames_key);               \
		__type(value, struct profile_v8_frames);                 \
	} name SEC(".maps")

V8_FRAMES_MAP(v8_frames0);
V8_FRAMES_MAP(v8_frames1);

/* A copy of the stack around the frames being walked: one read of
 * V8_WINDOW bytes serves the next frames (callers live at higher addresses),
 * where a read per frame would cost ~80 ns each on a 127-frame stack. */
#define V8_WINDOW 2048
struct v8_window {
	__u8 buf[V8_WINDOW];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct v8_window);
} v8_stack SEC(".maps");

/* JIT code address -> (SFI, name field) of its function, per CPU, direct
 * mapped: each frame's JSFunction and SFI reads cost ~250 ns in a VM (a
 * TLB miss each), and a busy process runs and returns through the same
 * addresses sample after sample. Only JIT code is kept: such code belongs
 * to one function, and where it returns to, its frame is set up. A sampled
 * leaf may be in a prologue, where fp is still the caller's: its entry
 * holds the JSFunction read from the frame too, and serves a leaf only
 * with the same JSFunction (what a fresh read would name). Entries last
 * one drain (epoch), so code freed and reused at the same address can
 * misname a frame for one drain at most. */
#define V8_IP_CACHE 256
struct v8_ip_entry {
	__u64 ip, func, sfi, name;
	__u32 pid, epoch;
};

struct v8_ip_cache {
	struct v8_ip_entry e[V8_IP_CACHE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct v8_ip_cache);
} v8_ip_cache SEC(".maps");

/* The stack being read: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct profile_stack);
} stack_scratch SEC(".maps");

/* bpf_get_stack's walk, for check_walk. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct profile_stack);
} stack_check SEC(".maps");

/* The list being built: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct profile_v8_frames);
} v8_scratch SEC(".maps");

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

static __always_inline void stat_add(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += n;
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

#define USER_ADDR_MAX 0x00007fffffffffffULL /* x86-64, 4-level page tables */

struct v8_walk {
	const struct profile_v8_proc *proc;
	struct profile_stack *st;     /* the callchain being recorded */
	struct profile_v8_frames *out;
	struct v8_window *win;
	struct v8_ip_cache *cache;
	__u32 pid, epoch;
	__u64 win_start, win_end; /* the user addresses win holds */
	bool near_top;            /* a full window read faulted */
	__u64 ip, fp;           /* the frame being visited, and its code address */
	__u64 last_func, last_sfi, last_name;
	__u64 hash;             /* of the JS frame list */
	__u64 stack_hash;       /* of the callchain so far (stack_hash_add) */
};

enum { V8_CODE_NONE, V8_CODE_BUILTIN, V8_CODE_JIT };

static __always_inline int v8_code(const struct profile_v8_proc *proc, __u64 ip)
{
	for (int i = 0; i < PROFILE_V8_MAX_RANGES; i++) {
		if (i >= proc->n_ranges)
			break;
		if (ip >= proc->ranges[i].start && ip < proc->ranges[i].end)
			return (proc->jit_ranges >> i) & 1 ? V8_CODE_JIT : V8_CODE_BUILTIN;
	}
	return V8_CODE_NONE;
}

/* The SFI of the frame's function, and its name field (the cookie). */
static __always_inline bool frame_sfi(struct v8_walk *w, __u64 func, int code,
				      __u32 index, __u64 *sfi, __u64 *name)
{
	const struct profile_v8_proc *proc = w->proc;
	struct v8_ip_entry *e = NULL;

	if (code == V8_CODE_JIT) {
		e = &w->cache->e[(w->ip ^ (w->ip >> 12)) & (V8_IP_CACHE - 1)];
		if (e->ip == w->ip && e->pid == w->pid && e->epoch == w->epoch &&
		    (index > 0 || e->func == func)) {
			*sfi = e->sfi;
			*name = e->name;
			return true;
		}
	}
	if (func == w->last_func) {
		*sfi = w->last_sfi; /* recursion: read once */
		*name = w->last_name;
		return true;
	}
	if (bpf_probe_read_user(sfi, sizeof(*sfi), (void *)(func - 1 + proc->jsfunction_shared)) ||
	    (*sfi & 3) != 1)
		return false;
	if (bpf_probe_read_user(name, sizeof(*name), (void *)(*sfi - 1 + proc->sfi_name)))
		*name = 0;
	w->last_func = func;
	w->last_sfi = *sfi;
	w->last_name = *name;
	if (e) {
		e->ip = w->ip;
		e->func = func;
		e->sfi = *sfi;
		e->name = *name;
		e->pid = w->pid;
		e->epoch = w->epoch;
	}
	return true;
}

static __always_inline __u64 mix(__u64 h, __u64 x)
{
	h ^= x;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/* The key of a stack: stack_seed mixed with each frame, then the depth
 * (the same function whoever walked the stack). */
static __always_inline __u64 stack_hash_end(__u64 h, __u32 n)
{
	h = mix(h, n);
	return h ? h : 1;
}

/* Makes the window hold [at, at + 32) (the frame's V8 slots, its saved fp
 * and return address). Returns false when that cannot be read. */
static __always_inline bool window_fill(struct v8_walk *w, __u64 at)
{
	/* A read that faults costs microseconds: once the stack's top is near,
	 * read to the end of the page only (mapped, as the frame is). */
	__u64 len = w->near_top ? 4096 - (at & 4095) : V8_WINDOW;

	if (len < 32)
		len = 32;
	if (len > V8_WINDOW)
		len = V8_WINDOW;
	w->win_start = at;
	w->win_end = at + len;
	if (!bpf_probe_read_user(w->win->buf, len, (void *)at))
		return true;
	w->near_top = true;
	len = 4096 - (at & 4095);
	if (len < 32)
		len = 32;
	if (len > V8_WINDOW)
		len = V8_WINDOW;
	w->win_end = at + len;
	if (!bpf_probe_read_user(w->win->buf, len, (void *)at))
		return true;
	w->win_end = w->win_start; /* empty */
	return false;
}

/* One frame of the walk (a bpf_loop callback: the verifier checks it once,
 * not once per frame). index: the frame's position in the callchain, whose
 * entry w->ip already is. Returns 1 to stop. */
static long v8_walk_step(__u32 index, void *data)
{
	struct v8_walk *w = data;
	const struct profile_v8_proc *proc = w->proc;
	/* [fp-16] function, [fp-8] context or frame-type marker, [fp] caller's
	 * fp, [fp+8] return address. */
	__u64 func, context, sfi, name, at, off, next_fp, ret, pair[2];
	struct profile_v8_frame *f;
	__u32 n = index + 1;
	__u8 *frame;
	int code;

	/* The kernel stops at 127 entries, and at a frame it cannot read (page
	 * 0 is never mapped; nothing is above USER_ADDR_MAX). */
	if (n >= PROFILE_MAX_STACK_DEPTH || w->fp < 4096 || w->fp > USER_ADDR_MAX - 16)
		return 1;
	at = w->fp - 16;
	if (at < w->win_start || at + 32 > w->win_end)
		window_fill(w, at);
	if (at >= w->win_start && at + 32 <= w->win_end) {
		off = at - w->win_start;
		if (off > V8_WINDOW - 32)
			return 1;
		frame = &w->win->buf[off];
		func = *(__u64 *)(frame + ((__u32)(proc->off_fp_function + 16) & 24));
		context = *(__u64 *)(frame + ((__u32)(proc->off_fp_context + 16) & 24));
		next_fp = *(__u64 *)(frame + 16);
		ret = *(__u64 *)(frame + 24);
	} else {
		/* [fp-16, fp) is not readable: the frame's two words alone,
		 * the kernel's read (no JS function then). */
		if (bpf_probe_read_user(pair, sizeof(pair), (void *)w->fp))
			return 1;
		next_fp = pair[0];
		ret = pair[1];
		func = context = 0;
	}
	/* A context is a tagged heap pointer; a typed frame (entry, exit,
	 * stub) keeps a Smi marker there, whose low bit is 0. */
	if ((context & 1) && (func & 3) == 1 && (code = v8_code(proc, w->ip)) != V8_CODE_NONE) {
		if (frame_sfi(w, func, code, index, &sfi, &name)) {
			__u32 k = w->out->n;

			if (k < PROFILE_V8_MAX_FRAMES) {
				f = &w->out->frames[k];
				f->ip = w->ip;
				f->sfi = sfi;
				f->cookie = (__u32)name;
				f->index = index;
				w->out->n = k + 1;
				w->hash = mix(mix(mix(w->hash, w->ip), sfi),
					      ((__u64)index << 32) | (__u32)name);
			}
		}
	}
	/* The check again, on the register the store uses: the verifier
	 * tracks no bound through clang's copies of n. */
	asm volatile("" : "+r"(n));
	if (n >= PROFILE_MAX_STACK_DEPTH)
		return 1;
	w->st->ips[n] = ret;
	w->st->n = n + 1;
	w->stack_hash = mix(w->stack_hash, ret);
	w->ip = ret;
	w->fp = next_fp;
	return 0;
}

/* The user registers of the sampled task: the interrupted ones, or those
 * saved at kernel entry when the sample hit the kernel. */
static __always_inline void user_regs(struct bpf_perf_event_data *ctx,
				      __u64 *ip, __u64 *fp)
{
	struct pt_regs *regs;

	if (ctx->regs.csx & 3) { /* CPL 3: user mode (8-byte ctx reads only) */
		*ip = ctx->regs.ip;
		*fp = ctx->regs.bp;
		return;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	*ip = BPF_CORE_READ(regs, ip);
	*fp = BPF_CORE_READ(regs, bp);
}

/* Test hook (check_walk): the kernel's walk of the same stack, compared
 * with ours. */
static __always_inline void walk_check(struct bpf_perf_event_data *ctx,
				       const struct profile_stack *ours)
{
	__u32 zero = 0, n;
	struct profile_stack *k = bpf_map_lookup_elem(&stack_check, &zero);
	long len;

	if (!k)
		return;
	len = bpf_get_stack(ctx, k->ips, sizeof(k->ips), BPF_F_USER_STACK);
	n = len > 0 ? (__u32)len / sizeof(__u64) : 0;
	stat_inc(PROFILE_STAT_WALK_CHECKED);
	if (ours->n < n)
		stat_inc(PROFILE_STAT_WALK_SHORTER);
	for (__u32 i = 0; i < PROFILE_MAX_STACK_DEPTH; i++) {
		if (i >= n || i >= ours->n)
			break;
		if (k->ips[i] != ours->ips[i]) {
			stat_inc(PROFILE_STAT_WALK_DIFFERENT);
			return;
		}
	}
	if (ours->n != n)
		stat_inc(PROFILE_STAT_WALK_DIFFERENT);
}

/* Walks a V8 process's user stack once: its callchain into st (as
 * bpf_get_stack would record it) and its JS frames, stored in frames_map.
 * Returns false when pid is not a V8 process (st untouched); else *hash is
 * the stack's key and *frames_id the list's (0: none, or not stored). */
static __always_inline bool v8_walk(struct bpf_perf_event_data *ctx, __u32 pid,
				    struct profile_stack *st, void *frames_map,
				    __u64 *hash, __u64 *frames_id)
{
	const struct profile_v8_proc *proc = bpf_map_lookup_elem(&v8_procs, &pid);
	struct profile_v8_frames_key key = { .pid = pid };
	struct v8_walk w = { .proc = proc, .st = st };
	__u32 zero = 0;
	__u64 start;

	if (!proc)
		return false;
	w.out = bpf_map_lookup_elem(&v8_scratch, &zero);
	w.win = bpf_map_lookup_elem(&v8_stack, &zero);
	w.cache = bpf_map_lookup_elem(&v8_ip_cache, &zero);
	if (!w.out || !w.win || !w.cache)
		return false;
	w.pid = pid;
	w.epoch = *(volatile __u32 *)&epoch;
	stat_inc(PROFILE_STAT_V8_WALKS);
	start = bpf_ktime_get_ns();
	w.out->n = 0;
	w.hash = 0xcbf29ce484222325ULL;
	user_regs(ctx, &w.ip, &w.fp);
	st->ips[0] = w.ip;
	st->n = 1;
	w.stack_hash = mix(stack_seed, w.ip);
	bpf_loop(PROFILE_MAX_STACK_DEPTH, v8_walk_step, &w, 0);
	*hash = stack_hash_end(w.stack_hash, st->n);
	stat_add(PROFILE_STAT_V8_WALK_NS, bpf_ktime_get_ns() - start);
	if (check_walk)
		walk_check(ctx, st);
	*frames_id = 0;
	if (w.out->n == 0)
		return true;
	key.id = w.hash ? w.hash : 1;
	if (bpf_map_lookup_elem(frames_map, &key)) {
		*frames_id = key.id; /* the same list, stored by an earlier sample */
		return true;
	}
	if (bpf_map_update_elem(frames_map, &key, w.out, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(frames_map, &key)) {
		stat_inc(PROFILE_STAT_V8_FRAMES_FULL);
		return true;
	}
	*frames_id = key.id;
	return true;
}

/* Reads the sample's user (BPF_F_USER_STACK) or kernel stack into st with
 * bpf_get_stack. Returns its key (0: no stack). */
static __always_inline __u64 kernel_walk(struct bpf_perf_event_data *ctx,
					 struct profile_stack *st, __u64 flags)
{
	__u64 h = stack_seed;
	long len;
	__u32 n;

	len = bpf_get_stack(ctx, st->ips, sizeof(st->ips), flags);
	if (len <= 0)
		return 0;
	n = (__u32)len / sizeof(__u64);
	st->n = n;
	for (__u32 i = 0; i < PROFILE_MAX_STACK_DEPTH; i++) {
		if (i >= n)
			break;
		h = mix(h, st->ips[i]);
	}
	return stack_hash_end(h, n);
}

/* Stores stack st in stack_map under its key h, unless there already.
 * Returns 0, or the PROFILE_STAT_* reason the sample is lost. */
static __always_inline int store_stack(void *stack_map, const struct profile_stack *st,
				       __u64 h)
{
	struct profile_stack *old = bpf_map_lookup_elem(stack_map, &h);

	if (!old && bpf_map_update_elem(stack_map, &h, st, BPF_NOEXIST)) {
		/* Another CPU stored it first, or the map is full. */
		old = bpf_map_lookup_elem(stack_map, &h);
		if (!old)
			return PROFILE_STAT_MAP_FULL;
	}
	/* The same hash for another stack: 2^-64 by chance; checked where it
	 * costs nothing. */
	if (old && (old->n != st->n || old->ips[0] != st->ips[0]))
		return PROFILE_STAT_STACK_COLLISION;
	return 0;
}

static __always_inline int record(struct bpf_perf_event_data *ctx, __u32 pid,
				  void *stack_map, void *count_map,
				  void *frames_map)
{
	struct profile_key key = { .pid = pid };
	__u32 zero = 0;
	struct profile_stack *st = bpf_map_lookup_elem(&stack_scratch, &zero);
	__u64 one = 1, *count, h;
	int lost = 0;

	if (!st)
		return 0;
	if (!v8_walk(ctx, pid, st, frames_map, &h, &key.v8_frames_id))
		h = kernel_walk(ctx, st, BPF_F_USER_STACK);
	if (h) {
		lost = store_stack(stack_map, st, h);
		key.user_stack_id = lost ? 0 : h;
	}
	if (!lost && kernel_stacks && (h = kernel_walk(ctx, st, 0))) {
		lost = store_stack(stack_map, st, h);
		key.kernel_stack_id = lost ? 0 : h;
	}
	if (!lost && !key.user_stack_id && !key.kernel_stack_id)
		lost = PROFILE_STAT_STACK_ERROR;
	if (lost) {
		stat_inc(lost);
		return 0;
	}
	if (!key.user_stack_id)
		key.v8_frames_id = 0;
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
		record(ctx, pid, &stacks0, &counts0, &v8_frames0);
	else
		record(ctx, pid, &stacks1, &counts1, &v8_frames1);
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
