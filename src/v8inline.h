// SPDX-License-Identifier: MIT
/* v8inline: decoders of the two V8 tables that say which functions the
 * optimizing compilers (TurboFan, Maglev) inlined at a point of their code.
 * Pure functions of bytes already read from the process (v8code reads
 * them), so they are tested on tables captured from real processes.
 *
 * The source position table (V8 src/codegen/source-position-table.cc): a
 * byte string of entries, each two integers, the deltas from the previous
 * entry of (code offset, source position). Each integer is zig-zag encoded
 * ((v << 1) ^ (v >> 63)) and written in groups of 7 bits, least
 * significant first, bit 7 set when another group follows. The code offset
 * delta carries the entry's kind (statement or expression) in one of two
 * ways, by V8 version: up to V8 13 in its sign (d >= 0 a statement at
 * offset d, d < 0 an expression at offset -d - 1), from V8 14 in its low
 * bit (offset d >> 1; d is never negative). Seen on real tables: V8 11.3 to
 * 13.6 write every optimized-code entry negative, V8 14.1 and 14.6 every
 * one odd and positive; read the 14 way, a 13 table would have no entries
 * past offset 0, and read the 13 way, a 14 table runs to twice the code's
 * size. Offsets only ascend.
 *
 * A source position (src/codegen/source-position.h) is 64 bits: bit 0 says
 * external (a C++/Torque line, no script offset); bits 1..30 hold the
 * script offset + 1; bits 31..46 the inlining id + 1 (0: not inlined).
 *
 * The inlining positions (DeoptimizationData::InliningPositions, a byte
 * array of struct InliningPosition): 16-byte entries, one per inlining id,
 * each the source position of the inlined call in its caller (itself
 * possibly inlined) and the index of the inlined function's
 * SharedFunctionInfo in the deoptimization literal array. A caller's id
 * is always lower than its callee's (ids are given as the compiler inlines,
 * caller first), which bounds every walk here.
 *
 * Hostile input (truncated, overlong integers, ids out of range, cycles)
 * gives -EINVAL, never a crash or an endless loop. Nothing is printed. */
#ifndef PROMFILER_V8INLINE_H
#define PROMFILER_V8INLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define V8INLINE_NOT_INLINED (-1)
#define V8INLINE_POSITION_SIZE 16 /* bytes of one InliningPosition */
#define V8INLINE_MAX_DEPTH 32     /* inlined functions at one point */

/* How a table's code offsets carry the entry's kind (see above). */
enum v8_offsets {
	V8_OFFSETS_SIGNED,  /* V8 13 and older */
	V8_OFFSETS_LOW_BIT, /* V8 14 */
};

struct v8_source_position {
	bool external;
	int32_t script_offset; /* -1: none (and for external positions) */
	int32_t inlining_id;   /* V8INLINE_NOT_INLINED, or an index */
};

void v8inline__unpack(uint64_t raw, struct v8_source_position *out);

/* The raw source position in effect at pc_offset of the code whose table
 * is table[0..len): that of the last JavaScript (not external) entry whose
 * code offset is <= pc_offset. For a return address (a frame below the
 * leaf), pass its offset minus one: the call, not what follows it. 0 and
 * *raw; -ENOENT when no entry applies; -EINVAL when the table is malformed
 * up to the entry that applies. */
int v8inline__position_at(const uint8_t *table, size_t len, enum v8_offsets kind,
			  uint32_t pc_offset, uint64_t *raw);

/* The same table decoded once, for lookups in O(log n): its JavaScript
 * entries, in order, into out[0..*n). 0; -EINVAL (malformed); -E2BIG
 * (more than max; len / 2 is always enough). */
struct v8_position_entry {
	uint32_t code_offset;
	uint64_t position; /* raw */
};
int v8inline__decode(const uint8_t *table, size_t len, enum v8_offsets kind,
		     struct v8_position_entry *out, size_t max, size_t *n);
/* As v8inline__position_at, over decoded entries. */
int v8inline__lookup(const struct v8_position_entry *e, size_t n, uint32_t pc_offset,
		     uint64_t *raw);

/* The functions inlined at source position raw: their literal array
 * indexes, outermost (the one the code's own function called) first, into
 * fids[0..*n). positions[0..len) is the InliningPositions byte array. 0
 * (*n = 0 when raw is not inlined, or external); -EINVAL for an id out of range, a
 * caller id not below its callee's, or a negative index; -E2BIG when more
 * than max functions are inlined there. */
int v8inline__chain(uint64_t raw, const uint8_t *positions, size_t len,
		    int32_t *fids, size_t max, size_t *n);

#endif
