// SPDX-License-Identifier: MIT
/* perfmap: an incremental reader of a V8 perf map (/tmp/perf-PID.map, written
 * by node --perf-basic-prof). Format, one entry a line, addresses in hex
 * without 0x: "START SIZE NAME\n" (see linux tools/perf/Documentation/
 * jit-interface.txt). The file only grows while the process lives; each
 * refresh reads what was appended since the last one. Where entries overlap
 * (V8 reuses code addresses) the one written last wins. Malformed lines,
 * including the tails of multi-line names, are skipped and counted. */
#ifndef PROMFILER_PERFMAP_H
#define PROMFILER_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PERFMAP_MAX_LINE 4096            /* longer lines are skipped */
#define PERFMAP_MAX_READ (64u << 20)     /* bytes read by one refresh */
/* Live entries kept; past it, the least recently used quarter is evicted. */
#define PERFMAP_MAX_RANGES 65536
/* New lines merged at a time: a refresh's scratch memory is bounded by it. */
#define PERFMAP_BATCH 8192

struct perfmap;

struct perfmap_stats {
	uint64_t bytes_read;
	uint64_t entries;       /* lines accepted */
	uint64_t lines_skipped; /* malformed or too long */
	size_t ranges;          /* disjoint address ranges after overlaps */
	size_t name_bytes;      /* memory held for names (superseded ones dropped) */
	uint64_t evicted;       /* entries dropped by the PERFMAP_MAX_RANGES cap */
	size_t memory_bytes;    /* held in all: entries, names, scratch */
};

/* A reader of the file at `path` (not opened yet). NULL + errno on failure. */
struct perfmap *perfmap__new(const char *path);
void perfmap__free(struct perfmap *m);
/* From now on, reads the file only if it is owned by uid or by root: a
 * process's perf map is its own, and another user's file at that path is
 * not read for it. */
void perfmap__require_owner(struct perfmap *m, uid_t uid);
/* Reads the bytes appended since the last call (at most PERFMAP_MAX_READ).
 * A file that was replaced or truncated is read again from its start.
 * 0, or -errno: -ENOENT (no map yet), -ELOOP (a symlink: not followed),
 * -EINVAL (not a regular file), -EPERM (another owner), -ENOMEM. The
 * entries read so far stay. */
int perfmap__refresh(struct perfmap *m);
/* The raw name of the entry covering addr, or NULL. Valid until the next
 * refresh. Marks the entry used (see PERFMAP_MAX_RANGES). */
const char *perfmap__lookup(struct perfmap *m, uint64_t addr);
/* The same, and the bounds [*start, *end) of the range it names: the
 * entry's own, or what newer entries left of it. */
const char *perfmap__lookup_range(struct perfmap *m, uint64_t addr, uint64_t *start,
				  uint64_t *end);
void perfmap__stats(const struct perfmap *m, struct perfmap_stats *out);

#endif
