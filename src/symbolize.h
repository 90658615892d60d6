// SPDX-License-Identifier: MIT
/* symbolize: names the frames of one process by combining its name sources:
 * its V8 perf map for JIT code, then the ELF symbols of the file behind the
 * executable mapping ("node::Start", "uv_run"), and when neither names it,
 * that file's base name ("[libc.so.6]"). Names are normalized by frame_name
 * and interned in a strtab shared by all processes.
 *
 * Mapped files are opened through the process itself, so containers and
 * deleted files work: /proc/PID/map_files/START-END (needs CAP_SYS_ADMIN),
 * else the mapping's path under /proc/PID/root (never for a deleted file:
 * that path may now hold another file).
 *
 * Node processes get a third source, V8's own heap objects (v8names): the
 * BPF walk pairs JS frames with their function's SharedFunctionInfo, and
 * symbolizer__frame_v8 names them by it where the perf map does not (no
 * perf map, or the shared interpreter trampoline). Names go through the
 * same normalization as perf map names (frame_name__from_perfmap on a
 * "JS:name file:line" entry), so one function is one frame whichever source
 * named it, its location included. The layout is read from the process's
 * own node binary (/proc/PID/exe) at the first refresh; unsupported layouts
 * are refused (see v8names.h), at that refresh or at a later one when the
 * process's heap does not match the layout, and the reason kept for the
 * caller to report. */
#ifndef PROMFILER_SYMBOLIZE_H
#define PROMFILER_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame_name.h"
#include "strtab.h"

struct elfsym_cache;
struct v8_layout_cache;

struct symbolize_opts {
	enum frame_style style;
	const char *separator;
	/* Symbol tables shared by every symbolizer, borrowed: it must outlive
	 * them. NULL: native frames are named by their module only. */
	struct elfsym_cache *elfsyms;
	/* Layouts of the node binaries, shared and borrowed the same way.
	 * NULL: each process's binary is read. */
	struct v8_layout_cache *v8layouts;
	bool no_v8_names;      /* do not name JS frames from V8's objects */
};

/* Whether JS frames are named from V8's objects. */
enum symbolize_v8 {
	SYMBOLIZE_V8_NONE,        /* not tried yet, disabled, or not a V8 binary */
	SYMBOLIZE_V8_ACTIVE,
	SYMBOLIZE_V8_UNSUPPORTED, /* a V8 binary whose layout is refused */
};

struct symbolizer_stats {
	bool has_perf_map;
	uint64_t perf_map_bytes;
	size_t elf_mappings;        /* executable mappings named by ELF symbols */
	size_t elf_failed_mappings; /* ... whose file could not be read */
	enum symbolize_v8 v8;
	const char *v8_why;         /* UNSUPPORTED: the reason; else "" (owned) */
	char v8_version[32];        /* "11.3.244.8", when the binary is V8 */
	uint64_t v8_failures;       /* SFIs that could not be read (cumulative) */
	uint64_t inlined_frames;    /* frames of inlined functions (cumulative) */
	uint64_t inline_missing;    /* optimized frames whose inlining was not read */
};

struct symbolizer;

/* Name sources of process pid, whose perf map is at perf_map_path (NULL:
 * none). Nothing is read here: the perf map is read by refreshes, mappings
 * and their files when a frame needs them. NULL + errno. */
struct symbolizer *symbolizer__new(pid_t pid, const char *perf_map_path,
				   struct strtab *frames,
				   const struct symbolize_opts *opts);
void symbolizer__free(struct symbolizer *s);
/* Reads what the sources gained since the last refresh. Call before naming
 * the frames of a drain. 0 or -errno (a missing perf map is not an error). */
int symbolizer__refresh(struct symbolizer *s);
/* What named a frame. */
enum frame_kind {
	FRAME_KIND_UNRESOLVED, /* only its module ("[libc.so.6]"), or nothing */
	FRAME_KIND_NATIVE,     /* an ELF symbol */
	FRAME_KIND_V8,         /* perf map: V8's builtins, stubs, regexps */
	FRAME_KIND_JS,         /* perf map: a JavaScript function */
	FRAME_KIND_JS_V8,      /* V8's heap objects: a JavaScript function */
};

/* The interned name of the frame at ip, or STRTAB_NONE when out of memory;
 * *kind tells what named it. A mapped file whose symbols cannot be read is
 * not tried again while its mapping lasts. */
uint32_t symbolizer__frame(struct symbolizer *s, uint64_t ip, enum frame_kind *kind);
/* The frame at ip, which the BPF walk paired with a JS function (sfi 0:
 * none; then as symbolizer__frame). JS code (JIT code without a perf-map
 * name, or the interpreter's shared trampoline) is named by the function.
 * leaf: ip is the sampled IP; when it lies in other V8 code (a bytecode
 * handler, a frameless builtin), the function is the JS frame that code
 * runs for, which the callchain does not hold: its name goes to *outer
 * (else STRTAB_NONE), to be put just outside the frame. */
uint32_t symbolizer__frame_v8(struct symbolizer *s, uint64_t ip, uint64_t sfi,
			      uint32_t cookie, bool leaf, uint32_t *outer,
			      enum frame_kind *kind);
/* The functions V8 inlined at ip, in the optimized code the perf map names
 * there, or where no perf map names ip, in the JIT code object that holds
 * it (v8code__inlined_at), named as V8-named frames are: their frames, outermost
 * first, into frames[0..n), n returned, to go just inside ip's own frame.
 * leaf: ip is the sampled IP, else a return address. 0 for other frames,
 * and when the inlining of optimized code cannot be read: then *missing
 * (else false), and inline_missing counts it. */
size_t symbolizer__inlined(struct symbolizer *s, uint64_t ip, bool leaf,
			   uint32_t *frames, size_t max, bool *missing);
/* What the BPF walk needs for this process, when it changed since the last
 * call (the first time, or new JIT mappings): true and *info filled. */
struct v8_walk_info;
bool symbolizer__v8_walk_changed(struct symbolizer *s, struct v8_walk_info *info);
void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out);

#endif
