// SPDX-License-Identifier: MIT
/* symbolize: per-process frame naming over perfmap, procfs and elfsym; see
 * symbolize.h. The process's mappings are read again at most once per
 * refresh, when an address falls outside all of them (a library loaded
 * since, or JIT code placed in a new region). Each executable mapping holds
 * a reference to its file's symbol table from the shared cache, kept across
 * re-reads while the mapping stays the same.
 *
 * V8 naming: the node binary's layout is read once per file (the
 * v8_layout_cache the owner passes: many processes run one binary),
 * and the walk's code ranges are computed again whenever the mappings were
 * read again, which happens when the drain meets code outside the known
 * mappings (a grown JIT region among others).
 *
 * Names are memoized by ip from one refresh to the next (a direct-mapped
 * table): a drain meets the same outer frames in most of its stacks, and
 * each name costs a lookup and a normalization. */
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "elfsym.h"
#include "perfmap.h"
#include "procfs.h"
#include "v8code.h"
#include "v8inline.h"
#include "v8names.h"

/* The ELF symbols of one executable mapping, parallel to maps.maps. */
struct map_syms {
	struct elfsym *es; /* a reference from the cache; NULL: none */
	bool tried;        /* loading was attempted: failures are not retried */
};

#define FRAME_MEMO_SIZE 1024 /* entries, a power of two */

struct frame_memo {
	uint64_t ip;
	uint32_t frame;
	uint32_t gen; /* names_gen when stored; 0: never */
	enum frame_kind kind;
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
	/* V8 naming */
	bool v8_tried;
	enum symbolize_v8 v8_state;
	char v8_why[160];
	char v8_version[32];
	struct v8_layout v8_layout;
	struct v8names *v8;
	struct v8code *code;     /* inlined functions; NULL: not read */
	uint64_t inline_missing;
	char *exe_path;          /* as /proc/PID/maps writes it */
	uint64_t maps_generation;  /* bumped by each read of the mappings */
	/* Frames named since the last refresh, by ip: a drain meets the same
	 * outer frames in most stacks. Valid while gen == names_gen. */
	struct frame_memo *memo;
	uint32_t names_gen;        /* bumped by refreshes and mapping reads */
	uint64_t walk_generation;  /* ... as of the last walk info handed out */
	struct v8_walk_info *walk; /* the last walk info handed out */
};

static void reload_maps(struct symbolizer *s);

struct symbolizer *symbolizer__new(pid_t pid, const char *perf_map_path,
				   struct strtab *frames,
				   const struct symbolize_opts *opts)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	char proc_dir[32];
	struct stat st;

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
	/* /proc/PID belongs to the process's user: its map must too. */
	snprintf(proc_dir, sizeof(proc_dir), "/proc/%d", (int)pid);
	if (s->perfmap && stat(proc_dir, &st) == 0)
		perfmap__require_owner(s->perfmap, st.st_uid);
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
	v8names__free(s->v8);
	v8code__free(s->code);
	free(s->exe_path);
	free(s->walk);
	free(s->memo);
	free(s);
}

/* process_vm_readv on another user's process needs CAP_SYS_PTRACE (and on
 * any process under Yama's ptrace_scope >= 1 without it). */
static bool can_ptrace(void)
{
	return caps__have(CAP_SYS_PTRACE);
}

/* Decides, once, whether the process's JS frames are named from V8's
 * objects: its executable must carry a V8 layout this reader supports. */
static void v8_init(struct symbolizer *s)
{
	char path[64], link[4096];
	ssize_t n;
	int fd, err;

	s->v8_tried = true;
	if (s->opts.no_v8_names)
		return;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)s->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	err = v8_layout_cache__load_fd(s->opts.v8layouts, fd, &s->v8_layout);
	close(fd);
	if (err)
		return; /* not V8 (or unreadable): nothing to say */
	snprintf(s->v8_version, sizeof(s->v8_version), "%d.%d.%d.%d",
		 s->v8_layout.major, s->v8_layout.minor, s->v8_layout.build,
		 s->v8_layout.patch);
	if (v8_layout__check(&s->v8_layout, s->v8_why, sizeof(s->v8_why))) {
		s->v8_state = SYMBOLIZE_V8_UNSUPPORTED;
		return;
	}
	if (!can_ptrace()) {
		snprintf(s->v8_why, sizeof(s->v8_why), "reading its memory needs "
			 "CAP_SYS_PTRACE: run as root or grant it");
		s->v8_state = SYMBOLIZE_V8_UNSUPPORTED;
		return;
	}
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		s->exe_path = strdup(link);
	}
	s->v8 = v8names__open(s->pid, &s->v8_layout, 0);
	if (!s->v8 || !s->exe_path) {
		snprintf(s->v8_why, sizeof(s->v8_why), "out of memory");
		s->v8_state = SYMBOLIZE_V8_UNSUPPORTED;
		return;
	}
	s->v8_state = SYMBOLIZE_V8_ACTIVE;
	s->code = v8code__open(s->pid, &s->v8_layout); /* NULL: not this version */
}

int symbolizer__refresh(struct symbolizer *s)
{
	int err = 0;

	s->maps_fresh = false;
	s->names_gen++;
	if (s->code)
		v8code__next_generation(s->code);
	if (!s->v8_tried) {
		v8_init(s);
		if (s->v8)
			reload_maps(s); /* the walk needs the code ranges now */
	}
	if (s->v8 && v8names__verdict(s->v8, s->v8_why, sizeof(s->v8_why)) == -ENOTSUP) {
		/* The heap did not match the layout: refused now, as a layout
		 * refused from the binary alone is. */
		s->v8_state = SYMBOLIZE_V8_UNSUPPORTED;
		v8names__free(s->v8);
		s->v8 = NULL;
		v8code__free(s->code); /* inlined functions are named by v8names */
		s->code = NULL;
	}
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
	s->maps_generation++;
	s->names_gen++;
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

static uint32_t name_frame(struct symbolizer *s, uint64_t ip, enum frame_kind *kind)
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

uint32_t symbolizer__frame(struct symbolizer *s, uint64_t ip, enum frame_kind *kind)
{
	struct frame_memo *e;

	if (!s->memo && !(s->memo = calloc(FRAME_MEMO_SIZE, sizeof(*s->memo))))
		return name_frame(s, ip, kind);
	if (!s->names_gen)
		s->names_gen = 1; /* 0 marks an empty entry (and wraps) */
	e = &s->memo[((ip >> 2) * 0x9e3779b97f4a7c15ull >> 32) & (FRAME_MEMO_SIZE - 1)];
	if (e->gen == s->names_gen && e->ip == ip) {
		*kind = e->kind;
		return e->frame;
	}
	e->frame = name_frame(s, ip, kind);
	e->ip = ip;
	e->kind = *kind;
	/* Naming may have read the mappings again, which changes names_gen. */
	e->gen = e->frame == STRTAB_NONE ? 0 : s->names_gen;
	return e->frame;
}

static bool is_interpreter_entry(const char *builtin)
{
	/* Where interpreted frames return: the trampoline, or where V8
	 * re-enters the interpreter after a deoptimization or a resume. */
	return strncmp(builtin, "InterpreterEntryTrampoline", 26) == 0 ||
	       strncmp(builtin, "InterpreterEnterAt", 18) == 0;
}

/* The frame name of the function whose SFI is given, or STRTAB_NONE. */
static uint32_t v8_frame(struct symbolizer *s, uint64_t sfi, uint32_t cookie)
{
	char raw[2 * V8NAMES_NAME_MAX + 32], name[FRAME_NAME_MAX];
	struct v8_function fn;

	if (v8names__lookup(s->v8, sfi, cookie, &fn))
		return STRTAB_NONE;
	/* As V8's perf map writes it ("JS:name file:line:col", the column
	 * dropped by normalization), so both sources give one name. Without
	 * a line, no location: "name file" would differ from the perf map's. */
	if (fn.line) /* eval and new Function code has no script name: ":1" */
		snprintf(raw, sizeof(raw), "JS:%s %s:%u", fn.name, fn.script, fn.line);
	else
		snprintf(raw, sizeof(raw), "JS:%s ", fn.name);
	frame_name__from_perfmap(raw, s->opts.style, s->opts.separator, name, sizeof(name));
	return strtab__intern(s->frames, name);
}

uint32_t symbolizer__frame_v8(struct symbolizer *s, uint64_t ip, uint64_t sfi,
			      uint32_t cookie, bool leaf, uint32_t *outer,
			      enum frame_kind *kind)
{
	const char *raw, *sym = NULL;
	const struct procmap *m;
	const struct elfsym *es;
	bool js_code = false;
	uint32_t v8;

	*outer = STRTAB_NONE;
	if (!sfi || !s->v8)
		return symbolizer__frame(s, ip, kind);
	raw = s->perfmap ? perfmap__lookup(s->perfmap, ip) : NULL;
	if (raw) {
		if (frame_name__is_js(raw))
			return symbolizer__frame(s, ip, kind); /* the perf map's name wins */
		js_code = strncmp(raw, "Builtin:", 8) == 0 && is_interpreter_entry(raw + 8);
	} else {
		m = find_mapping(s, ip);
		if (!m || !m->path[0]) {
			js_code = true; /* JIT code */
		} else if (m->path[0] != '[' && (es = mapping_syms(s, m))) {
			sym = elfsym__lookup(es, ip - m->start + m->offset, NULL);
			js_code = sym && strncmp(sym, "Builtins_", 9) == 0 &&
				  is_interpreter_entry(sym + 9);
		}
	}
	if (js_code) {
		v8 = v8_frame(s, sfi, cookie);
		if (v8 != STRTAB_NONE) {
			*kind = FRAME_KIND_JS_V8;
			return v8;
		}
	} else if (leaf) {
		*outer = v8_frame(s, sfi, cookie);
	}
	return symbolizer__frame(s, ip, kind);
}

size_t symbolizer__inlined(struct symbolizer *s, uint64_t ip, bool leaf,
			   uint32_t *frames, size_t max, bool *missing)
{
	struct v8_inlined fns[V8INLINE_MAX_DEPTH];
	uint64_t start;
	const char *raw = s->perfmap ? perfmap__lookup_range(s->perfmap, ip, &start, NULL) : NULL;
	const struct procmap *m;
	size_t n = 0, named = 0, most = max < V8INLINE_MAX_DEPTH ? max : V8INLINE_MAX_DEPTH;
	int err;

	*missing = false;
	if (!max)
		return 0;
	if (raw) {
		/* Optimized code only: TurboFan's "JS:*", Maglev's "JS:+". */
		if (strncmp(raw, "JS:", 3) != 0 || (raw[3] != '*' && raw[3] != '+'))
			return 0;
		err = s->code && s->v8 ? v8code__inlined(s->code, start, ip, !leaf, fns, most, &n)
				       : -ENOTSUP;
	} else {
		/* No perf map names it: JIT code is found from the pc. */
		m = find_mapping(s, ip);
		if (!s->v8 || !m || m->path[0])
			return 0;
		err = s->code ? v8code__inlined_at(s->code, ip, !leaf, fns, most, &n) : -ENOTSUP;
		if (err == -ENOEXEC)
			return 0; /* baseline code, a builtin: nothing inlined */
	}
	if (err) { /* with a perf map, -ENOEXEC too: its name is stale */
		s->inline_missing++;
		*missing = true;
		return 0;
	}
	while (named < n && (frames[named] = v8_frame(s, fns[named].sfi,
						      fns[named].cookie)) != STRTAB_NONE)
		named++;
	if (named < n) {
		s->inline_missing++;
		*missing = true;
	}
	return named == n ? n : 0; /* a chain cut short would misplace the rest */
}

bool symbolizer__v8_walk_changed(struct symbolizer *s, struct v8_walk_info *info)
{
	struct v8_mapping *maps;

	if (!s->v8 || (s->walk && s->walk_generation == s->maps_generation))
		return false;
	maps = calloc(s->maps.count ? s->maps.count : 1, sizeof(*maps));
	if (!maps)
		return false;
	for (size_t i = 0; i < s->maps.count; i++)
		maps[i] = (struct v8_mapping){ s->maps.maps[i].start, s->maps.maps[i].end,
					       s->maps.maps[i].offset, s->maps.maps[i].path };
	v8names__walk_info(&s->v8_layout, s->exe_path, maps, s->maps.count, info);
	free(maps);
	s->walk_generation = s->maps_generation;
	if (s->walk && memcmp(s->walk, info, sizeof(*info)) == 0)
		return false;
	if (!s->walk && !(s->walk = malloc(sizeof(*s->walk))))
		return false;
	*s->walk = *info;
	return true;
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *out)
{
	struct perfmap_stats pm = { 0 };

	if (s->perfmap)
		perfmap__stats(s->perfmap, &pm);
	memset(out, 0, sizeof(*out));
	out->has_perf_map = s->has_perf_map;
	out->perf_map_bytes = pm.bytes_read;
	out->v8 = s->v8_state;
	out->v8_why = s->v8_why;
	snprintf(out->v8_version, sizeof(out->v8_version), "%s", s->v8_version);
	if (s->v8) {
		struct v8names_stats vs;

		v8names__stats(s->v8, &vs);
		out->v8_failures = vs.failures;
	}
	if (s->code) {
		struct v8code_stats cs;

		v8code__stats(s->code, &cs);
		out->inlined_frames = cs.inlined;
	}
	out->inline_missing = s->inline_missing;
	for (size_t i = 0; s->syms && i < s->maps.count; i++) {
		if (s->syms[i].es)
			out->elf_mappings++;
		else if (s->syms[i].tried)
			out->elf_failed_mappings++;
	}
}
