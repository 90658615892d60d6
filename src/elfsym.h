// SPDX-License-Identifier: MIT
/* elfsym: names native frames from the function symbols of an ELF file (the
 * node binary, libc, addons), and shares one symbol table per file among
 * all the processes that map it.
 *
 * Follows the System V gABI (ELF object file format, "Symbol Table" and
 * "Program Header" chapters: https://refspecs.linuxfoundation.org/elf/gabi4+/
 * contents.html) read through libelf. Symbols come from .symtab, or from
 * .dynsym when the file was stripped; a stripped file's full .symtab can be
 * added from its separate debug file, found by GNU build-id
 * (/usr/lib/debug/.build-id/xx/yyyy.debug, the layout gdb and Debian's -dbg
 * packages use). C++ names are demangled without argument lists
 * ("v8::internal::Execution::Call"); other names are kept as they are.
 *
 * Callers give FILE OFFSETS (ip - mapping start + mapping offset, from
 * /proc/PID/maps), so one table serves PIE and non-PIE executables and
 * shared libraries wherever they are loaded: the offset is turned into a
 * virtual address through the PT_LOAD program header that holds it.
 *
 * Files are untrusted (a container controls its own): every header, table
 * and string offset is checked against the file's size, and a corrupt or
 * truncated file is an error (-ENOEXEC), never a crash. Functions return 0
 * or -errno; constructors return NULL and set errno. Nothing is printed.
 * Not thread-safe: one thread (the drain) uses a table or a cache. */
#ifndef PROMFILER_ELFSYM_H
#define PROMFILER_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELFSYM_BUILD_ID_MAX 64 /* bytes; GNU ld writes 20 (sha1) */
#define ELFSYM_DEBUG_DIR "/usr/lib/debug" /* where distributions put debug files */

struct elfsym;

struct elfsym_stats {
	size_t symbols;          /* function symbols kept */
	bool full;               /* from a .symtab (own or debug file), not only .dynsym */
	bool debug_file;         /* symbols came from a separate debug file */
	size_t build_id_len;     /* 0: the file has no GNU build-id */
	uint8_t build_id[ELFSYM_BUILD_ID_MAX];
};

/* The function symbols of the ELF file at path / open on fd (the fd is
 * neither closed nor moved: it is read with pread). NULL + errno: ENOEXEC
 * (not an ELF executable or shared object, corrupt or truncated), EINVAL
 * (not a regular file), ENOMEM, or open(2)'s errors. A file without
 * function symbols gives an empty table, not an error. Free with
 * elfsym__free (not tables from a cache: those are put back). */
struct elfsym *elfsym__load_file(const char *path);
struct elfsym *elfsym__load_fd(int fd);
void elfsym__free(struct elfsym *es);

/* Replaces the symbols of es by the .symtab of its separate debug file (fd),
 * keeping es's own program headers for address translation. 0, or -errno:
 * -ENOENT (es has no build-id), -ESRCH (the debug file's build-id differs:
 * it belongs to another build), -ENOEXEC (corrupt, or no .symtab), -ENOMEM.
 * On error es is unchanged. */
int elfsym__load_debug_fd(struct elfsym *es, int fd);
/* Writes ".build-id/xx/yyyy.debug" (relative to a debug directory such as
 * /usr/lib/debug) for es's build-id into buf. 0, -ENOENT (no build-id) or
 * -ENAMETOOLONG. */
int elfsym__debug_path(const struct elfsym *es, char *buf, size_t len);

/* The name of the function that holds file_offset, or NULL. The name is
 * demangled (once, then remembered) and owned by es. *sym_offset (if not
 * NULL) gets the distance from the function's start. */
const char *elfsym__lookup(const struct elfsym *es, uint64_t file_offset,
			   uint64_t *sym_offset);
void elfsym__stats(const struct elfsym *es, struct elfsym_stats *out);

/* A cache of tables, so that every process mapping a file shares one table.
 * A file is known by (device, inode, size, mtime) as seen through the fd
 * (a file rewritten in place is a new one), and by its GNU build-id, so
 * copies of one build (the same image in many containers) share a table
 * too. Tables are reference-counted: each get takes a reference, each put
 * drops one, and a table nobody holds is freed at once. */
struct elfsym_cache;

struct elfsym_cache_stats {
	size_t tables;     /* tables held by someone */
	uint64_t loads;    /* files read */
	uint64_t hits;     /* gets served by a table already loaded */
	uint64_t failures; /* gets that failed */
};

/* debug_dir: where separate debug files are looked for (normally
 * "/usr/lib/debug"), NULL for nowhere. NULL + errno. */
struct elfsym_cache *elfsym_cache__new(const char *debug_dir);
/* Frees the cache and every table still in it: call it after the last put
 * (pointers still held become dangling). */
void elfsym_cache__free(struct elfsym_cache *c);
/* The table of the file open on fd, with a reference the caller drops with
 * elfsym_cache__put. When the file has no .symtab, its debug file is looked
 * for under root + debug_dir first (root: the process's "/proc/PID/root",
 * so a container's own debug files are found; NULL to skip), then under
 * debug_dir. NULL + errno as elfsym__load_fd. */
struct elfsym *elfsym_cache__get_fd(struct elfsym_cache *c, int fd,
				    const char *root);
struct elfsym *elfsym_cache__get_file(struct elfsym_cache *c, const char *path);
/* Drops a reference taken by a get; NULL is ignored. */
void elfsym_cache__put(struct elfsym_cache *c, struct elfsym *es);
void elfsym_cache__stats(const struct elfsym_cache *c,
			 struct elfsym_cache_stats *out);

#endif
