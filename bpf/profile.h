// SPDX-License-Identifier: MIT
/* Types shared by the BPF sampler (profile.bpf.c) and its userspace owner
 * (src/sampler.c). Only fixed-width __u32/__u64 types: both sides must agree
 * on the layout byte for byte. */
#ifndef PROMFILER_PROFILE_H
#define PROMFILER_PROFILE_H

#define PROFILE_MAX_STACK_DEPTH 127 /* kernel.perf_event_max_stack default */
#define PROFILE_MAX_COMMS 8
#define PROFILE_COMM_LEN 16
#define PROFILE_NUM_BUFFERS 2 /* double buffer: one written, one drained */

/* One aggregation slot: samples of one process with one pair of stacks and,
 * for V8 processes, one list of JS functions (the same IPs run different
 * functions where V8 shares code: every interpreted function returns into
 * the one InterpreterEntryTrampoline). */
struct profile_key {
	__u32 pid;             /* tgid in the initial PID namespace */
	__u32 pad;
	__u64 user_stack_id;   /* key in the buffer's stack map; 0: none */
	__u64 kernel_stack_id; /* 0 when kernel stacks are not collected */
	__u64 v8_frames_id;    /* key of the sample's v8_frames list; 0: none */
};

/* A stack as the stack maps hold it, under a seeded 64-bit hash of its
 * frames: the kernel's stack-trace maps keep one stack per bucket of a
 * hash of the addresses, so two stacks meeting in a bucket lose one of
 * them for as long as both run. Frames: the leaf first; user stacks as the
 * kernel's callchain records them (the interrupted IP, then the return
 * address of each frame). */
struct profile_stack {
	__u32 n;    /* frames used in ips */
	__u32 pad;
	__u64 ips[PROFILE_MAX_STACK_DEPTH];
};

/* V8 processes (the v8_procs map, pid -> profile_v8_proc, written by
 * userspace): the BPF program walks their frame pointers itself and, for
 * each frame whose code address lies in one of `ranges` (JIT code and V8's
 * embedded builtins), reads the JSFunction at [fp + off_fp_function] and
 * its SharedFunctionInfo (SFI) at sample time. Offsets come from the
 * node binary's v8dbg_* symbols. */
#define PROFILE_V8_MAX_RANGES 8
#define PROFILE_V8_MAX_FRAMES PROFILE_MAX_STACK_DEPTH

struct profile_v8_range {
	__u64 start, end; /* [start, end) */
};

struct profile_v8_proc {
	__u32 n_ranges;
	__u32 jit_ranges;        /* bit i: range i is JIT code, where a code
				  * address belongs to one function */
	__s32 off_fp_function;   /* v8dbg_off_fp_function: -16 */
	__s32 off_fp_context;    /* v8dbg_off_fp_context: -8 */
	__u32 jsfunction_shared; /* JSFunction::shared field offset */
	__u32 sfi_name;          /* SharedFunctionInfo::name_or_scope_info offset */
	struct profile_v8_range ranges[PROFILE_V8_MAX_RANGES];
};

/* One JS frame of a sample: its code address (the leaf IP for the frame the
 * sample interrupted, else the return address into it, as the kernel's
 * callchain records it), its position in that callchain, the SFI of its
 * function, and a cookie (low half of the SFI's name field) so userspace
 * notices an SFI address reused by the garbage collector. */
struct profile_v8_frame {
	__u64 ip;
	__u64 sfi;    /* tagged pointer, as V8 stores it */
	__u32 cookie;
	__u32 index;  /* position in the user callchain, leaf = 0 */
};

struct profile_v8_frames_key {
	__u32 pid;
	__u32 pad;
	__u64 id;     /* hash of the frames; never 0 */
};

struct profile_v8_frames {
	__u32 n;
	__u32 pad;
	struct profile_v8_frame frames[PROFILE_V8_MAX_FRAMES];
};

/* Per-CPU counters of what happened to matching samples. */
enum profile_stat {
	PROFILE_STAT_SAMPLES,          /* matched the filter */
	PROFILE_STAT_STACK_COLLISION,  /* stack hash already held another stack */
	PROFILE_STAT_STACK_ERROR,      /* no stack could be read */
	PROFILE_STAT_MAP_FULL,         /* count or stack map had no room */
	PROFILE_STAT_V8_WALKS,         /* samples of V8 processes walked for JS frames */
	PROFILE_STAT_V8_FRAMES_FULL,   /* JS frame lists lost: v8_frames map full */
	PROFILE_STAT_V8_WALK_NS,       /* nanoseconds spent in those walks */
	/* check_walk only: our walks compared with bpf_get_stack's */
	PROFILE_STAT_WALK_CHECKED,
	PROFILE_STAT_WALK_DIFFERENT,   /* another callchain than the kernel's */
	PROFILE_STAT_WALK_SHORTER,     /* fewer frames than the kernel's */
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
