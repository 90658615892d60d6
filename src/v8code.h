// SPDX-License-Identifier: MIT
/* v8code: the functions V8's optimizing compilers (TurboFan, Maglev)
 * inlined at a point of their code, read from the process's own heap, so
 * that each inlined function is a frame of its own under its caller.
 *
 * Given the start of a code object's instructions (from the perf map entry
 * that names it, or found from the pc alone: v8code__inlined_at) and a pc
 * in it, the reader finds the InstructionStream
 * just before the instructions, its Code object (which must point back to
 * the same InstructionStream and hold the same instruction start, and be
 * optimized code that covers pc), then the Code's source position table
 * (v8inline.h) for the inlining id at pc, and its DeoptimizationData's
 * InliningPositions and literal array for the chain of inlined functions'
 * SharedFunctionInfos (SFIs). Layouts, checked on Node 20, 22, 24, 25 and
 * 26 (V8 11.3, 12.4, 13.6, 14.1, 14.6; 64-bit tagged values), are in a
 * table keyed by V8's version (v8code.c says which v8dbg_* symbol each
 * offset matches; docs/v8-names.md the facts); other versions are refused
 * (v8code__supported).
 *
 * Results are cached per code object (its instruction start, with the
 * address of its Code object as the cookie), checked again once per
 * generation (v8code__next_generation, one per drain): code that V8 freed
 * or moved and whose address now holds other code, or nothing, is seen
 * and read again or refused, never taken for the old code. Functions
 * return 0 or -errno; constructors NULL with errno set. Nothing printed. */
#ifndef PROMFILER_V8CODE_H
#define PROMFILER_V8CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "v8names.h"

#define V8CODE_CACHE_SLOTS 1024       /* code objects cached per process */
#define V8CODE_TABLE_MAX (256u << 10) /* bytes of a table read, at most */
#define V8CODE_LITERALS_MAX 65536     /* literal array slots, at most */
#define V8CODE_SCAN_MAX (512u << 10)  /* bytes below a pc searched for its code */

struct v8code;

/* An inlined function: its SFI (tagged) and the cookie v8names__lookup
 * wants (the low half of its name_or_scope_info field). */
struct v8_inlined {
	uint64_t sfi;
	uint32_t cookie;
};

struct v8code_stats {
	uint64_t lookups;   /* optimized frames asked about */
	uint64_t inlined;   /* inlined functions returned */
	uint64_t missing;   /* frames whose inlining could not be read */
	uint64_t reused;    /* cached code objects found replaced (checked again) */
	uint64_t loads;     /* code objects read */
	uint64_t scans;     /* pcs whose code object was searched for */
	uint64_t scanned;   /* bytes read by those searches */
};

/* 0 when layout's V8 version is one this reader knows; -ENOTSUP. */
int v8code__supported(const struct v8_layout *layout);
/* A reader over read (ctx passed back) with layout (copied). NULL + errno
 * (ENOTSUP: see v8code__supported). */
struct v8code *v8code__new(const struct v8_layout *layout, v8names_read_fn read,
			   void *ctx);
/* The same over process pid's memory (procfs__read_mem). */
struct v8code *v8code__open(pid_t pid, const struct v8_layout *layout);
void v8code__free(struct v8code *c);
/* Cached code objects are checked again at their next use. */
void v8code__next_generation(struct v8code *c);
/* The functions inlined at pc of the code whose instructions start at
 * start, outermost first, into out[0..*n). return_address: pc is where a
 * call returns (a frame below the leaf): the call itself is looked up.
 * 0 (*n = 0: nothing inlined there); -ENOEXEC when it is live code that
 * covers pc but is not Maglev or TurboFan code (baseline code, a builtin:
 * nothing inlined, and not counted missing); -ENOENT when the code at start
 * is not a live Code object covering pc (freed or moved code, no code),
 * -EINVAL when its tables are malformed, -EFAULT when memory could not be
 * read, -E2BIG when more than max are inlined. */
int v8code__inlined(struct v8code *c, uint64_t start, uint64_t pc, bool return_address,
		    struct v8_inlined *out, size_t max, size_t *n);
/* The same without knowing where the code starts (no perf map): the code
 * object that holds pc is the nearest InstructionStream below it, at most
 * V8CODE_SCAN_MAX bytes below, whose Code points back to it and covers pc
 * (machine code that merely looks like a header is refused by that check).
 * Code objects found are remembered by address range and checked again as
 * v8code__inlined checks them; a pc whose code is not found is not
 * searched for again in the same generation, and the searches of one
 * generation read at most 8 MiB and 64 look-alike Code objects each (then
 * -ENOENT). Results as v8code__inlined. */
int v8code__inlined_at(struct v8code *c, uint64_t pc, bool return_address,
		       struct v8_inlined *out, size_t max, size_t *n);
void v8code__stats(const struct v8code *c, struct v8code_stats *out);

#endif
