/* symbolize: per-process frame naming over perfmap and procfs; see
 * symbolize.h. The process's mappings are read again at most once per
 * refresh, when an address falls outside all of them (a library loaded
 * since, or JIT code placed in a new region). */
#include "symbolize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfmap.h"
#include "procfs.h"

struct symbolizer {
	pid_t pid;
	struct strtab *frames;
	struct symbolize_opts opts;
	struct perfmap *perfmap; /* NULL when the process has none */
	bool has_perf_map;
	struct procmaps maps;
	bool maps_fresh;         /* read since the last refresh */
};

struct symbolizer *symbolizer__new(pid_t pid, const char *perf_map_path,
				   struct strtab *frames,
				   const struct symbolize_opts *opts)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->pid = pid;
	s->frames = frames;
	s->opts = *opts;
	if (perf_map_path && !(s->perfmap = perfmap__new(perf_map_path))) {
		free(s);
		return NULL;
	}
	return s;
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	perfmap__free(s->perfmap);
	procmaps__release(&s->maps);
	free(s);
}

int symbolizer__refresh(struct symbolizer *s)
{
	int err = 0;

	s->maps_fresh = false;
	if (s->perfmap) {
		err = perfmap__refresh(s->perfmap);
		if (err == 0)
			s->has_perf_map = true;
		else if (err == -ENOENT)
			err = 0;
	}
	return err;
}

static const struct procmap *find_mapping(struct symbolizer *s, uint64_t ip)
{
	const struct procmap *m = procmaps__find(&s->maps, ip);

	if (m || s->maps_fresh)
		return m;
	procmaps__release(&s->maps);
	procmaps__load_pid(s->pid, &s->maps); /* a dead process has none */
	s->maps_fresh = true;
	return procmaps__find(&s->maps, ip);
}

uint32_t symbolizer__frame(struct symbolizer *s, uint64_t ip, bool *resolved)
{
	char name[FRAME_NAME_MAX];
	const char *raw = s->perfmap ? perfmap__lookup(s->perfmap, ip) : NULL;
	const struct procmap *m;

	*resolved = raw != NULL;
	if (raw) {
		frame_name__from_perfmap(raw, s->opts.style, s->opts.separator,
					 name, sizeof(name));
		return strtab__intern(s->frames, name);
	}
	m = find_mapping(s, ip);
	if (m && m->path[0] == '[') /* [vdso], [heap]: already bracketed */
		frame_name__sanitize(m->path, s->opts.separator, name, sizeof(name));
	else if (m && m->path[0])
		frame_name__module(m->path, s->opts.separator, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "[unknown]");
	return strtab__intern(s->frames, name);
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out)
{
	struct perfmap_stats pm = { 0 };

	if (s->perfmap)
		perfmap__stats(s->perfmap, &pm);
	out->has_perf_map = s->has_perf_map;
	out->perf_map_bytes = pm.bytes_read;
}
