// SPDX-License-Identifier: MIT
/* Unit tests for symbolize, end to end on this very process: its own and
 * libc's functions by their ELF symbols, anonymous and non-ELF mappings by
 * module, names memoized for one refresh, a dlopen'ed library (with the
 * separator replaced inside names) and a deleted one through
 * /proc/PID/map_files. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_fixtures.h"
#include "elfsym.h"
#include "strtab.h"
#include "symbolize.h"

TestSuite(symbolize, .init = setup, .fini = teardown);

static __attribute__((noinline, used)) int symbolize_test_marker(int x)
{
	return x * 11 + 3;
}

struct naming {
	struct strtab *frames;
	struct elfsym_cache *cache;
	struct symbolizer *s;
};

static struct naming naming_new(void)
{
	struct naming n;
	struct symbolize_opts opts = { .style = FRAME_STYLE_FUNCTION, .separator = "#" };

	n.frames = strtab__new();
	n.cache = elfsym_cache__new(ELFSYM_DEBUG_DIR);
	cr_assert_not_null(n.frames);
	cr_assert_not_null(n.cache);
	opts.elfsyms = n.cache;
	n.s = symbolizer__new(getpid(), NULL, n.frames, &opts);
	cr_assert_not_null(n.s);
	cr_assert_eq(symbolizer__refresh(n.s), 0);
	return n;
}

/* Frees it all; the symbolizer must have dropped every reference. */
static void naming_free(struct naming *n)
{
	struct elfsym_cache_stats st;

	symbolizer__free(n->s);
	elfsym_cache__stats(n->cache, &st);
	cr_assert_eq(st.tables, 0, "%zu tables still referenced", st.tables);
	elfsym_cache__free(n->cache);
	strtab__free(n->frames);
}

static const char *name_at(struct naming *n, const void *addr, bool *resolved)
{
	enum frame_kind kind;
	uint32_t id = symbolizer__frame(n->s, (uint64_t)(uintptr_t)addr, &kind);

	*resolved = kind != FRAME_KIND_UNRESOLVED;
	cr_assert_neq(id, STRTAB_NONE);
	return strtab__get(n->frames, id);
}

Test(symbolize, names_own_and_libc_functions)
{
	struct naming n = naming_new();
	struct elfsym_cache_stats before, after;
	struct symbolizer_stats ss;
	bool resolved = false;
	const char *name;

	name = name_at(&n, (const char *)(uintptr_t)symbolize_test_marker + 1, &resolved);
	cr_assert_str_eq(name, "symbolize_test_marker");
	cr_assert(resolved);
	name = name_at(&n, (const void *)(uintptr_t)getpid, &resolved);
	cr_assert(strcmp(name, "getpid") == 0 || strcmp(name, "__getpid") == 0,
		  "getpid named '%s'", name);
	cr_assert(resolved);

	/* Re-reading the mappings keeps the tables of those still there. */
	elfsym_cache__stats(n.cache, &before);
	symbolizer__refresh(n.s);
	name = name_at(&n, (const void *)16, &resolved);
	cr_assert_str_eq(name, "[unknown]");
	cr_assert_not(resolved);
	name = name_at(&n, (const void *)(uintptr_t)symbolize_test_marker, &resolved);
	cr_assert_str_eq(name, "symbolize_test_marker");
	elfsym_cache__stats(n.cache, &after);
	cr_assert_eq(after.loads, before.loads, "nothing read again");
	symbolizer__stats(n.s, &ss);
	cr_assert_geq(ss.elf_mappings, 2);
	naming_free(&n);
}

Test(symbolize, anonymous_and_non_elf_mappings)
{
	const char *path = tmp_path("not-elf.bin");
	char junk[8192];
	struct naming n;
	struct symbolizer_stats ss;
	bool resolved = true;
	void *anon, *file;
	int fd;

	memset(junk, 0x90, sizeof(junk));
	spit(path, junk, sizeof(junk));
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	file = mmap(NULL, sizeof(junk), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	anon = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(file, MAP_FAILED, "mmap: %s", strerror(errno));
	cr_assert_neq(anon, MAP_FAILED);

	n = naming_new();
	cr_assert_str_eq(name_at(&n, (char *)anon + 8, &resolved), "[unknown]");
	cr_assert_not(resolved);
	resolved = true;
	cr_assert_str_eq(name_at(&n, (char *)file + 100, &resolved), "[not-elf.bin]");
	cr_assert_not(resolved);
	cr_assert_str_eq(name_at(&n, (char *)file + 200, &resolved), "[not-elf.bin]");
	symbolizer__stats(n.s, &ss);
	cr_assert_eq(ss.elf_failed_mappings, 1, "tried once, remembered");
	naming_free(&n);
}

/* Names are memoized by ip, but only until the next refresh: code mapped
 * since at an address once unknown gets its own name. */
Test(symbolize, memo_lasts_one_refresh)
{
	const char *path = tmp_path("late.bin");
	char junk[4096];
	struct naming n;
	bool resolved;
	void *hole, *late;
	int fd;

	memset(junk, 0x90, sizeof(junk));
	spit(path, junk, sizeof(junk));
	/* An address with nothing mapped at it, kept free for the file. */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(hole, MAP_FAILED);
	cr_assert_eq(munmap(hole, 4096), 0);

	n = naming_new();
	cr_assert_str_eq(name_at(&n, (char *)hole + 16, &resolved), "[unknown]");
	cr_assert_str_eq(name_at(&n, (char *)hole + 16, &resolved), "[unknown]");
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	late = mmap(hole, sizeof(junk), PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	close(fd);
	cr_assert_eq(late, hole, "mmap: %s", strerror(errno));
	cr_assert_str_eq(name_at(&n, (char *)hole + 16, &resolved), "[unknown]",
			 "memoized within one refresh");
	cr_assert_eq(symbolizer__refresh(n.s), 0);
	cr_assert_str_eq(name_at(&n, (char *)hole + 16, &resolved), "[late.bin]");
	munmap(late, sizeof(junk));
	naming_free(&n);
}

Test(symbolize, loaded_library_and_separator)
{
	const char *path = tmp_path("libcopy.so");
	void *(*lambda_address)(void);
	struct naming n;
	bool resolved = false;
	void *lib;

	copy(fixture("libfixture.so"), path);
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(lib, "dlopen: %s", dlerror());
	*(void **)&lambda_address = dlsym(lib, "lambda_address");
	cr_assert_not_null(lambda_address);

	n = naming_new();
	cr_assert_str_eq(name_at(&n, dlsym(lib, "plain_c_function"), &resolved),
			 "plain_c_function");
	cr_assert(resolved);
	cr_assert_str_eq(name_at(&n, dlsym(lib, "Builtins_FixtureBuiltin"), &resolved),
			 "Builtin:FixtureBuiltin", "V8's builtins: the perf map's name");
	/* "{lambda(int)#1}": the separator is replaced inside names. */
	cr_assert_str_eq(name_at(&n, lambda_address(), &resolved),
			 "lambda_address::{lambda(int)" FRAME_NAME_SEP_SUBSTITUTE "1}::_FUN");
	naming_free(&n);
	dlclose(lib);
}

Test(symbolize, deleted_library_through_map_files)
{
	const char *path = tmp_path("libdeleted.so");
	struct naming n;
	bool resolved = false;
	void *lib, *fn;

	if (geteuid() != 0)
		cr_skip_test("/proc/PID/map_files needs root");
	copy(fixture("libfixture.so"), path);
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(lib, "dlopen: %s", dlerror());
	fn = dlsym(lib, "_ZN9promfiler7fixture7ComputeEiPKc");
	cr_assert_not_null(fn);
	cr_assert_eq(unlink(path), 0);

	n = naming_new();
	cr_assert_str_eq(name_at(&n, fn, &resolved), "promfiler::fixture::Compute");
	cr_assert(resolved);
	naming_free(&n);
	dlclose(lib);
}
