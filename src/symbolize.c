/* symbolize: per-process frame naming over perfmap, procfs and elfsym; see
 * symbolize.h. The process's mappings are read again at most once per
 * refresh, when an address falls outside all of them (a library loaded
 * since, or JIT code placed in a new region). Each executable mapping holds
 * a reference to its file's symbol table from the shared cache, kept across
 * re-reads while the mapping stays the same. */
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfsym.h"
#include "perfmap.h"
#include "procfs.h"

/* The ELF symbols of one executable mapping, parallel to maps.maps. */
struct map_syms {
	struct elfsym *es; /* a reference from the cache; NULL: none */
	bool tried;        /* loading was attempted: failures are not retried */
};

struct symbolizer {
	pid_t pid;
	struct strtab *frames;
	struct symbolize_opts opts;
	struct perfmap *perfmap; /* NULL when the process has none */
	bool has_perf_map;
	struct procmaps maps;
	struct map_syms *syms;   /* NULL: out of memory, ELF naming is off */
	bool maps_fresh;         /* read since the last refresh */
	char root[48];           /* "/proc/PID/root" */
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
	snprintf(s->root, sizeof(s->root), "/proc/%d/root", (int)pid);
	if (perf_map_path && !(s->perfmap = perfmap__new(perf_map_path))) {
		free(s);
		return NULL;
	}
	return s;
}

static void put_syms(struct symbolizer *s, struct map_syms *ms)
{
	if (ms->es)
		elfsym_cache__put(s->opts.elfsyms, ms->es);
	ms->es = NULL;
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->syms && i < s->maps.count; i++)
		put_syms(s, &s->syms[i]);
	free(s->syms);
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

static bool same_mapping(const struct procmap *a, const struct procmap *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->offset == b->offset && strcmp(a->path, b->path) == 0;
}

/* Reads the mappings again; those still there keep their symbols (and
 * their failures), the others drop them. */
static void reload_maps(struct symbolizer *s)
{
	struct procmaps fresh = { 0 };
	struct map_syms *syms;
	size_t j = 0;

	s->maps_fresh = true;
	procmaps__load_pid(s->pid, &fresh); /* a dead process has none */
	syms = calloc(fresh.count ? fresh.count : 1, sizeof(*syms));
	for (size_t i = 0; s->syms && i < s->maps.count; i++) {
		const struct procmap *old = &s->maps.maps[i];

		/* Both lists are sorted by start address. */
		while (j < fresh.count && fresh.maps[j].start < old->start)
			j++;
		if (syms && j < fresh.count && same_mapping(old, &fresh.maps[j]))
			syms[j] = s->syms[i];
		else
			put_syms(s, &s->syms[i]);
	}
	free(s->syms);
	procmaps__release(&s->maps);
	s->maps = fresh;
	s->syms = syms;
}

static const struct procmap *find_mapping(struct symbolizer *s, uint64_t ip)
{
	const struct procmap *m = procmaps__find(&s->maps, ip);

	if (m || s->maps_fresh)
		return m;
	reload_maps(s);
	return procmaps__find(&s->maps, ip);
}

static bool is_deleted(const char *path)
{
	size_t len = strlen(path), tail = strlen(" (deleted)");

	return len >= tail && strcmp(path + len - tail, " (deleted)") == 0;
}

/* path (absolute, as the process sees it) inside the process's root. The
 * process owns its root: RESOLVE_IN_ROOT keeps its absolute symlinks inside
 * it instead of letting them name the agent's files. */
static int open_in_root(const struct symbolizer *s, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char full[4096 + 64];
	int root, fd;

	root = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	close(root);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* Linux < 5.6: only the plain path is left. */
	snprintf(full, sizeof(full), "%s%s", s->root, path);
	return open(full, (int)how.flags);
}

/* O_NONBLOCK: a FIFO planted at a mapping's path must not hang the drain
 * (elfsym refuses what is not a regular file). */
static int open_mapping(const struct symbolizer *s, const struct procmap *m)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)s->pid, m->start, m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 || m->path[0] != '/' || is_deleted(m->path))
		return fd;
	return open_in_root(s, m->path);
}

/* The symbol table of mapping m, loaded at its first need. */
static const struct elfsym *mapping_syms(struct symbolizer *s,
					 const struct procmap *m)
{
	struct map_syms *ms;
	int fd;

	if (!s->opts.elfsyms || !s->syms)
		return NULL;
	ms = &s->syms[m - s->maps.maps];
	if (!ms->tried) {
		ms->tried = true;
		fd = open_mapping(s, m);
		if (fd >= 0) {
			ms->es = elfsym_cache__get_fd(s->opts.elfsyms, fd, s->root);
			close(fd);
		}
	}
	return ms->es;
}

/* V8's embedded builtins are named twice: "Builtin:JSEntry" in the perf map,
 * "Builtins_JSEntry" in the node binary's symbols; frames land in one or the
 * other copy of the code (V8 may remap it near the JIT code). One name, the
 * perf map's, keeps one builtin one frame. */
static void elf_frame_name(const char *sym, const char *sep, char *out, size_t len)
{
	static const char prefix[] = "Builtins_";
	char builtin[FRAME_NAME_MAX];

	if (strncmp(sym, prefix, sizeof(prefix) - 1) == 0 && sym[sizeof(prefix) - 1]) {
		/* Then named as the perf map's entry would be, trampoline too. */
		snprintf(builtin, sizeof(builtin), "Builtin:%s", sym + sizeof(prefix) - 1);
		frame_name__from_perfmap(builtin, FRAME_STYLE_FUNCTION, sep, out, len);
		return;
	}
	frame_name__sanitize(sym, sep, out, len);
}

uint32_t symbolizer__frame(struct symbolizer *s, uint64_t ip, enum frame_kind *kind)
{
	char name[FRAME_NAME_MAX];
	const char *raw = s->perfmap ? perfmap__lookup(s->perfmap, ip) : NULL;
	const struct procmap *m;
	const struct elfsym *es;

	*kind = FRAME_KIND_UNRESOLVED;
	if (raw) {
		*kind = frame_name__is_js(raw) ? FRAME_KIND_JS : FRAME_KIND_V8;
		frame_name__from_perfmap(raw, s->opts.style, s->opts.separator,
					 name, sizeof(name));
		return strtab__intern(s->frames, name);
	}
	m = find_mapping(s, ip);
	if (m && m->path[0] == '[') { /* [vdso], [heap]: already bracketed */
		frame_name__sanitize(m->path, s->opts.separator, name, sizeof(name));
	} else if (m && m->path[0]) {
		es = mapping_syms(s, m);
		raw = es ? elfsym__lookup(es, ip - m->start + m->offset, NULL) : NULL;
		if (raw)
			*kind = FRAME_KIND_NATIVE;
		if (raw)
			elf_frame_name(raw, s->opts.separator, name, sizeof(name));
		else
			frame_name__module(m->path, s->opts.separator, name, sizeof(name));
	} else {
		snprintf(name, sizeof(name), "[unknown]");
	}
	return strtab__intern(s->frames, name);
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out)
{
	struct perfmap_stats pm = { 0 };

	if (s->perfmap)
		perfmap__stats(s->perfmap, &pm);
	memset(out, 0, sizeof(*out));
	out->has_perf_map = s->has_perf_map;
	out->perf_map_bytes = pm.bytes_read;
	for (size_t i = 0; s->syms && i < s->maps.count; i++) {
		if (s->syms[i].es)
			out->elf_mappings++;
		else if (s->syms[i].tried)
			out->elf_failed_mappings++;
	}
}
