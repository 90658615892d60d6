/* symbolize: names the frames of one process by combining its name sources:
 * its V8 perf map for JIT code, then the ELF symbols of the file behind the
 * executable mapping ("node::Start", "uv_run"), and when neither names it,
 * that file's base name ("[libc.so.6]"). Names are normalized by frame_name
 * and interned in a strtab shared by all processes.
 *
 * Mapped files are opened through the process itself, so containers and
 * deleted files work: /proc/PID/map_files/START-END (needs CAP_SYS_ADMIN),
 * else the mapping's path under /proc/PID/root (never for a deleted file:
 * that path may now hold another file). */
#ifndef PROMFILER_SYMBOLIZE_H
#define PROMFILER_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame_name.h"
#include "strtab.h"

struct elfsym_cache;

struct symbolize_opts {
	enum frame_style style;
	const char *separator;
	/* Symbol tables shared by every symbolizer, borrowed: it must outlive
	 * them. NULL: native frames are named by their module only. */
	struct elfsym_cache *elfsyms;
};

struct symbolizer_stats {
	bool has_perf_map;
	uint64_t perf_map_bytes;
	size_t elf_mappings;        /* executable mappings named by ELF symbols */
	size_t elf_failed_mappings; /* ... whose file could not be read */
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
};

/* The interned name of the frame at ip, or STRTAB_NONE when out of memory;
 * *kind tells what named it. A mapped file whose symbols cannot be read is
 * not tried again while its mapping lasts. */
uint32_t symbolizer__frame(struct symbolizer *s, uint64_t ip, enum frame_kind *kind);
void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out);

#endif
