// SPDX-License-Identifier: MIT
/* v8names: names JavaScript functions from V8's own heap objects, so a Node
 * process needs no flag (no perf map) for its JS frames to be named.
 *
 * The BPF program reads, at sample time, the SharedFunctionInfo (SFI) of
 * each JS frame's function and a cookie (the low half of the SFI's
 * name_or_scope_info field); this module turns (SFI, cookie) into the
 * function's name and its script's name, reading the process's memory with
 * process_vm_readv (CAP_SYS_PTRACE) or an injected read function (tests).
 *
 * Object layouts come from the node binary's postmortem metadata: the
 * v8dbg_* data symbols V8 emits for debuggers (tools/gen-postmortem-
 * metadata.py in V8; the same data llnode uses), plus V8's version
 * (v8::internal::Version::major_ ...) and the embedded builtins' code
 * (v8_Default_embedded_blob_code_). Symbols in .bss have the value 0.
 * No list of versions: every offset and instance type comes from the
 * binary (class fields matched whatever their type suffix), and the few
 * facts the metadata lacks are derived from V8's version in a small table
 * (v8names.c). A layout with a symbol missing, pointer compression or
 * another tagging scheme is refused by v8_layout__check; one that loads is
 * checked again on the process's own heap before anything is named (the
 * first SFIs read must be what the layout says they are: see
 * v8names__verdict), and refused if it fails. Checked on V8 10.2 to 14.6
 * (Node 18 to 26). docs/v8-names.md has the facts it relies on.
 *
 * Every object read from the process is validated (its map's instance
 * type) before its fields are used; strings may be sequential (one-byte
 * Latin-1 or two-byte UTF-16), cons, thin, sliced or external (cached
 * data), and come out as UTF-8. A function's line is that of its start
 * position in its script: from the script's line ends, or counted in its
 * source when V8 has not computed them (kept per script).
 * Results, failures included, are cached per (SFI, cookie) in a bounded
 * cache (clock eviction). Functions return 0 or -errno; constructors NULL
 * with errno set. Nothing is printed. Not thread-safe. */
#ifndef PROMFILER_V8NAMES_H
#define PROMFILER_V8NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile.h"

#define V8NAMES_CACHE_DEFAULT 16384 /* (SFI, cookie) entries per process */
#define V8NAMES_CACHE_START 256     /* ... held at first: it grows with use */
#define V8NAMES_NAME_MAX 512        /* bytes of a function or script name */

/* What the BPF frame walk needs to know about a process (sampler copies it
 * into the v8_procs map): frame and field offsets, and where V8's code
 * lies (JIT code, embedded builtins and their remapped copy). */
#define V8NAMES_MAX_RANGES PROFILE_V8_MAX_RANGES
struct v8_walk_info {
	int32_t off_fp_function;
	int32_t off_fp_context;
	uint32_t jsfunction_shared;
	uint32_t sfi_name;
	size_t n_ranges;
	struct {
		uint64_t start, end;
		bool jit; /* JIT code (one function per address), else builtins */
	} ranges[V8NAMES_MAX_RANGES];
};

struct v8_layout {
	int major, minor, build, patch;       /* V8's version */
	int32_t off_fp_function, off_fp_context;
	uint32_t tagged_size, pointer_size;
	uint32_t heap_object_tag, heap_object_tag_mask;
	uint32_t smi_tag, smi_tag_mask, smi_shift;
	uint32_t map_instance_type;           /* Map::instance_type (u16) */
	uint32_t jsfunction_shared;
	uint32_t sfi_name_or_scope_info, sfi_script;
	uint32_t script_name, script_source, script_line_ends;
	uint32_t fixed_array_length, fixed_array_data;
	uint32_t string_length;               /* String::length (int32) */
	uint32_t seq_one_byte_chars, seq_two_byte_chars;
	uint32_t cons_first, cons_second, thin_actual;
	uint32_t sliced_parent, sliced_offset;
	uint32_t external_resource;           /* ExternalString::resource */
	uint32_t type_jsfunction, type_sfi, type_scope_info, type_script;
	uint32_t type_map, type_fixed_array;
	uint32_t first_nonstring_type;
	uint32_t string_encoding_mask, one_byte_tag;
	uint32_t string_repr_mask, seq_tag, cons_tag, thin_tag, sliced_tag;
	uint32_t external_tag;
	uint32_t scopeinfo_first_vars, scopeinfo_ncontextlocals;
	bool scopeinfo_position_in_header;    /* derived: V8 >= 12.8 */
	bool has_lines;                       /* the fields lines need were found */
	bool has_external;                    /* ... and external strings */
	uint64_t blob_code_vaddr;             /* embedded builtins, as linked */
	uint64_t blob_code_offset;            /* ... their file offset */
	uint64_t blob_code_size;              /* 0: not found (stripped .symtab) */
	uint64_t missing;                     /* bit per required field not found */
};

/* Reads the layout from the ELF file open on fd / at path (fd is not closed
 * or moved). 0; -ENOENT when the file has no v8dbg_* symbols (not V8);
 * -ENOEXEC when it is not a readable ELF file; -ENOMEM. A file with some
 * symbols missing loads, with `missing` set: v8_layout__check refuses it. */
int v8_layout__load_fd(int fd, struct v8_layout *out);
int v8_layout__load_file(const char *path, struct v8_layout *out);
/* Layouts of the node binaries seen, so the processes of one binary parse
 * it once: keyed by device, inode, size and mtime, LAYOUT_CACHE_SLOTS of
 * them (round robin). Owned by whoever names processes (the profiler), so
 * two profilers in one process share nothing. Not thread-safe. */
struct v8_layout_cache;
struct v8_layout_cache *v8_layout_cache__new(void);
void v8_layout_cache__free(struct v8_layout_cache *c);
/* As v8_layout__load_fd, from the cache when this file was read before
 * (its result, failures included). c NULL: not cached. */
int v8_layout_cache__load_fd(struct v8_layout_cache *c, int fd, struct v8_layout *out);

/* Whether names can be read with this layout: 0, or -ENOTSUP with the
 * reason (one line, e.g. "V8 14.6: layout symbol v8dbg_type_Map__MAP_TYPE
 * missing") in why. No version is refused for its number. */
int v8_layout__check(const struct v8_layout *l, char *why, size_t len);

/* Reads len bytes of the target's memory at addr: 0 or -errno. */
typedef int (*v8names_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

struct v8names;

struct v8_function {
	const char *name;   /* "" for an anonymous function without inferred name */
	const char *script; /* "" when the function has no script name */
	unsigned int line;  /* 1-based line of its start in the script; 0: unknown */
};

struct v8names_stats {
	uint64_t lookups, hits;
	uint64_t failures;  /* SFIs that could not be read or were not SFIs */
	uint64_t stale;     /* ... of which the cookie no longer matched */
	uint64_t evictions;
	uint64_t scripts_lined; /* scripts whose line ends were read or computed */
	size_t entries;
};

/* A reader of the heap of one process through read (ctx passed back).
 * layout is copied and must pass v8_layout__check. cache_entries: bound of
 * the (SFI, cookie) cache, 0 for V8NAMES_CACHE_DEFAULT. NULL + errno. */
struct v8names *v8names__new(const struct v8_layout *layout, v8names_read_fn read,
			     void *ctx, size_t cache_entries);
/* The same over process pid's memory (process_vm_readv). */
struct v8names *v8names__open(pid_t pid, const struct v8_layout *layout,
			      size_t cache_entries);
void v8names__free(struct v8names *r);
/* The function whose SFI (tagged pointer, as the BPF program read it) and
 * cookie are given. 0 with *out pointing into the cache (valid until the
 * next lookup); -EINVAL when the object is not an SFI (or a string in it
 * is not a string), -ESTALE when its cookie changed (the GC moved or reused
 * it), -EFAULT when memory could not be read; -EAGAIN while the layout is
 * not yet verified and this SFI could not verify it (a builtin's, without
 * script), -ENOTSUP once the layout is refused (v8names__verdict). */
int v8names__lookup(struct v8names *r, uint64_t sfi, uint32_t cookie,
		    struct v8_function *out);
void v8names__stats(const struct v8names *r, struct v8names_stats *out);
/* The check of the layout on the process's heap, made by the first
 * lookups: nothing is named until one SFI proves the layout (its map's
 * instance type is the SFI type, that map's own map is the meta map with
 * the Map type, its name is a String or a ScopeInfo, its script a Script
 * with a String name). 0: verified; -EAGAIN: not yet; -ENOTSUP: refused:
 * V8NAMES_CHECK_TRIES lookups failed (a failed SFI looked up again counts
 * again), or V8NAMES_CHECK_NEUTRAL found SFIs without a script (builtins'),
 * before one proved it (why says which). */
#define V8NAMES_CHECK_TRIES 64
#define V8NAMES_CHECK_NEUTRAL 1024
int v8names__verdict(const struct v8names *r, char *why, size_t len);

/* Fills info's offsets from layout, and its ranges from the process's
 * executable mappings (n of them, each [start, end) at file offset
 * `offset` of `path`): anonymous ones (JIT code) and those of exe_path that
 * hold the embedded builtins. Adjacent ranges are merged; past
 * V8NAMES_MAX_RANGES the closest are joined. */
struct v8_mapping {
	uint64_t start, end, offset;
	const char *path;
};
void v8names__walk_info(const struct v8_layout *layout, const char *exe_path,
			const struct v8_mapping *maps, size_t n,
			struct v8_walk_info *info);

#endif
