/* symbolize: names the frames of one process by combining its name sources:
 * its V8 perf map for JIT code, then the file behind the executable mapping
 * ("[libc.so.6]") for everything else. Names are normalized by frame_name
 * and interned in a strtab shared by all processes. */
#ifndef PROMFILER_SYMBOLIZE_H
#define PROMFILER_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame_name.h"
#include "strtab.h"

struct symbolize_opts {
	enum frame_style style;
	const char *separator;
};

struct symbolizer_stats {
	bool has_perf_map;
	uint64_t perf_map_bytes;
};

struct symbolizer;

/* Name sources of process pid, whose perf map is at perf_map_path (NULL:
 * none). Nothing is read until the first refresh. NULL + errno. */
struct symbolizer *symbolizer__new(pid_t pid, const char *perf_map_path,
				   struct strtab *frames,
				   const struct symbolize_opts *opts);
void symbolizer__free(struct symbolizer *s);
/* Reads what the sources gained since the last refresh. Call before naming
 * the frames of a drain. 0 or -errno (a missing perf map is not an error). */
int symbolizer__refresh(struct symbolizer *s);
/* The interned name of the frame at ip, or STRTAB_NONE when out of memory.
 * *resolved tells whether a symbol source named it (false: only its module,
 * or nothing, is known). */
uint32_t symbolizer__frame(struct symbolizer *s, uint64_t ip, bool *resolved);
void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out);

#endif
