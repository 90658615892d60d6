// SPDX-License-Identifier: MIT
/* Unit tests for elfsym: lookup by file offset in non-PIE, PIE, shared and
 * stripped builds, demangling, debug files, corrupt files, the shared
 * cache. (symbolize, which names frames with it, is test_symbolize.c.) */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_fixtures.h"
#include "elfsym.h"

#define COMPUTE "_ZN9promfiler7fixture7ComputeEiPKc"

TestSuite(elfsym, .init = setup, .fini = teardown);
TestSuite(elfsym_corrupt, .init = setup, .fini = teardown);
TestSuite(elfsym_cache, .init = setup, .fini = teardown);

/* Where symbol `name` of file `path` lies: its address and size from the
 * symbol table, and the file offset of that address, computed the other
 * way round (address -> offset) from the program headers. */
struct where {
	uint64_t vaddr, size, offset;
};

static struct where find_symbol(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	struct where w = { 0 };
	bool found = false;
	size_t phnum;
	Elf *elf;

	cr_assert_geq(fd, 0, "open %s", path);
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(elf);
	for (Elf_Scn *scn = NULL; !found && (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		Elf_Data *data;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			gelf_getsym(data, (int)i, &s);
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (n && strcmp(n, name) == 0 && s.st_shndx != SHN_UNDEF) {
				w.vaddr = s.st_value;
				w.size = s.st_size;
				found = true;
				break;
			}
		}
	}
	cr_assert(found, "%s: no symbol %s", path, name);
	found = false;
	elf_getphdrnum(elf, &phnum);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		gelf_getphdr(elf, (int)i, &ph);
		if (ph.p_type == PT_LOAD && w.vaddr >= ph.p_vaddr &&
		    w.vaddr < ph.p_vaddr + ph.p_filesz) {
			w.offset = w.vaddr - ph.p_vaddr + ph.p_offset;
			found = true;
		}
	}
	cr_assert(found, "%s: %s is in no PT_LOAD", path, name);
	elf_end(elf);
	close(fd);
	return w;
}

static struct elfsym *load(const char *path)
{
	struct elfsym *es = elfsym__load_file(path);

	cr_assert_not_null(es, "load %s: %s", path, strerror(errno));
	return es;
}

/* Asserts that the function at symbol `sym` (+ delta) of `path` is named
 * `want` by es. */
static void expect_named(const struct elfsym *es, const char *path,
			 const char *sym, uint64_t delta, const char *want)
{
	struct where w = find_symbol(path, sym);
	uint64_t off = ~0ull;
	const char *got = elfsym__lookup(es, w.offset + delta, &off);

	cr_assert(got && strcmp(got, want) == 0, "%s: %s+%lu: want '%s', got '%s'",
		  path, sym, (unsigned long)delta, want, got ? got : "(null)");
	cr_assert_eq(off, delta, "%s: offset in %s: %lu", path, sym, (unsigned long)off);
}

/* What every build with a .symtab names. */
static void expect_full_names(const char *path)
{
	struct elfsym *es = load(path);
	struct where w = find_symbol(path, COMPUTE);
	struct elfsym_stats st;
	const char *after;

	expect_named(es, path, COMPUTE, 0, "promfiler::fixture::Compute");
	expect_named(es, path, COMPUTE, 3, "promfiler::fixture::Compute");
	expect_named(es, path, COMPUTE, w.size - 1, "promfiler::fixture::Compute");
	after = elfsym__lookup(es, w.offset + w.size, NULL);
	cr_assert(!after || strcmp(after, "promfiler::fixture::Compute"),
		  "the byte after Compute is not Compute");
	expect_named(es, path, "plain_c_function", 1, "plain_c_function");
	expect_named(es, path, "_ZL12local_helperi", 0, "local_helper");
	expect_named(es, path, "_ZNK9promfiler7fixture6Widget4SpinEl", 2,
		     "promfiler::fixture::Widget::Spin");
	expect_named(es, path, "_ZN9promfiler7fixture5TwiceIiEET_S2_", 0,
		     "promfiler::fixture::Twice<int>");
	expect_named(es, path, "_ZZ14lambda_addressENUliE_4_FUNEi", 0,
		     "lambda_address::{lambda(int)#1}::_FUN");
	/* The resolver shares the IFUNC's address: the global name wins. */
	expect_named(es, path, "ifunc_function", 0, "ifunc_function");
	/* No size: bounded by the next symbol. */
	expect_named(es, path, "unsized_function", 2, "unsized_function");
	elfsym__stats(es, &st);
	cr_assert(st.full);
	cr_assert_not(st.debug_file);
	cr_assert_eq(st.build_id_len, 20, "GNU ld's sha1 build-id");
	cr_assert_geq(st.symbols, 10);
	elfsym__free(es);
}

Test(elfsym, non_pie_executable)
{
	const char *path = fixture("nonpie");
	struct where w = find_symbol(path, COMPUTE);

	/* Linked at 0x400000: the offset is not the address. */
	cr_assert_geq(w.vaddr, 0x400000);
	cr_assert_neq(w.offset, w.vaddr);
	expect_full_names(path);
}

Test(elfsym, pie_executable)
{
	expect_full_names(fixture("pie"));
}

Test(elfsym, shared_library)
{
	expect_full_names(fixture("libfixture.so"));
}

Test(elfsym, stripped_library_has_its_dynsym)
{
	const char *full = fixture("libfixture.so"), *path = fixture("libfixture-stripped.so");
	struct elfsym *es = load(path);
	struct elfsym_stats st;

	/* strip moves no loaded byte: offsets from the unstripped file hold. */
	expect_named(es, full, COMPUTE, 1, "promfiler::fixture::Compute");
	expect_named(es, full, "plain_c_function", 0, "plain_c_function");
	expect_named(es, full, "ifunc_function", 0, "ifunc_function");
	cr_assert_null(elfsym__lookup(es, find_symbol(full, "_ZL12local_helperi").offset, NULL),
		       "a local function is not in .dynsym");
	elfsym__stats(es, &st);
	cr_assert_not(st.full);
	cr_assert_gt(st.symbols, 0);
	elfsym__free(es);
}

Test(elfsym, outside_any_function)
{
	struct elfsym *es = load(fixture("pie"));

	cr_assert_null(elfsym__lookup(es, 0, NULL), "the ELF header");
	cr_assert_null(elfsym__lookup(es, 1ull << 40, NULL), "past the file");
	cr_assert_null(elfsym__lookup(es, ~0ull, NULL));
	elfsym__free(es);
}

Test(elfsym, debug_file_brings_the_symtab)
{
	const char *full = fixture("libfixture.so");
	struct elfsym *es = load(fixture("libfixture-stripped.so"));
	uint64_t local = find_symbol(full, "_ZL12local_helperi").offset;
	struct elfsym_stats st;
	char rel[128], want[128];
	int fd;

	/* The debug file's path is its build-id in hex. */
	elfsym__stats(es, &st);
	cr_assert_eq(elfsym__debug_path(es, rel, sizeof(rel)), 0);
	snprintf(want, sizeof(want), ".build-id/%02x/", st.build_id[0]);
	for (size_t i = 1; i < st.build_id_len; i++)
		snprintf(want + strlen(want), 3, "%02x", st.build_id[i]);
	strcat(want, ".debug");
	cr_assert_str_eq(rel, want);
	cr_assert_eq(elfsym__debug_path(es, rel, 20), -ENAMETOOLONG);

	/* Another build's file is refused and changes nothing. */
	fd = open(fixture("pie"), O_RDONLY);
	cr_assert_eq(elfsym__load_debug_fd(es, fd), -ESRCH);
	close(fd);
	cr_assert_null(elfsym__lookup(es, local, NULL));

	fd = open(fixture("libfixture.debug"), O_RDONLY);
	cr_assert_eq(elfsym__load_debug_fd(es, fd), 0);
	close(fd);
	expect_named(es, full, "_ZL12local_helperi", 0, "local_helper");
	expect_named(es, full, COMPUTE, 0, "promfiler::fixture::Compute");
	elfsym__stats(es, &st);
	cr_assert(st.full);
	cr_assert(st.debug_file);
	elfsym__free(es);
}

Test(elfsym, not_an_elf_file)
{
	const char *empty = tmp_path("empty");

	spit(empty, "", 0);
	errno = 0;
	cr_assert_null(elfsym__load_file(empty));
	cr_assert_eq(errno, ENOEXEC);
	cr_assert_null(elfsym__load_file(tmp));
	cr_assert_eq(errno, EINVAL, "a directory");
	cr_assert_null(elfsym__load_file("/dev/null"));
	cr_assert_eq(errno, EINVAL, "a device");
	cr_assert_null(elfsym__load_file(tmp_path("missing")));
	cr_assert_eq(errno, ENOENT);
	/* Not an executable: a relocatable object is not mapped by a loader. */
	cr_assert_null(elfsym__load_file(ELF_FIXTURES "/../elfsym.o"));
	cr_assert_eq(errno, ENOEXEC);
}

/* Loads a corrupt file: it must fail with ENOEXEC (want_error) or load;
 * either way, without crashing. */
static void load_corrupt(const void *buf, size_t len, bool want_error,
			 const char *what)
{
	const char *path = tmp_path("corrupt");
	struct elfsym *es;

	spit(path, buf, len);
	errno = 0;
	es = elfsym__load_file(path);
	if (want_error) {
		cr_assert_null(es, "%s: loaded", what);
		cr_assert_eq(errno, ENOEXEC, "%s: %s", what, strerror(errno));
	}
	for (uint64_t off = 0; es && off < len + 4096; off += 7)
		elfsym__lookup(es, off, NULL);
	elfsym__free(es);
}

Test(elfsym_corrupt, truncated)
{
	size_t len;
	char *buf = slurp(fixture("pie"), &len);

	for (size_t n = 0; n < len; n += 61)
		load_corrupt(buf, n, true, "truncated");
	load_corrupt(buf, len - 1, true, "one byte short");
	free(buf);
}

Test(elfsym_corrupt, random_bytes)
{
	unsigned char buf[4096];

	srand(42);
	for (int i = 0; i < 64; i++) {
		for (size_t j = 0; j < sizeof(buf); j++)
			buf[j] = (unsigned char)rand();
		if (i % 2) /* half of them look like ELF64 at first sight */
			memcpy(buf, ELFMAG "\x02\x01\x01", 7);
		load_corrupt(buf, sizeof(buf), true, "random");
	}
}

/* The fixture with one field changed. */
struct patched {
	char *buf;
	size_t len;
	Elf64_Ehdr *eh;
	Elf64_Shdr *symtab, *strtab;
};

static struct patched patchable(void)
{
	struct patched p;

	p.buf = slurp(fixture("pie"), &p.len);
	p.eh = (Elf64_Ehdr *)p.buf;
	p.symtab = p.strtab = NULL;
	for (int i = 0; i < p.eh->e_shnum; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(p.buf + p.eh->e_shoff) + i;

		if (sh->sh_type == SHT_SYMTAB) {
			p.symtab = sh;
			p.strtab = (Elf64_Shdr *)(p.buf + p.eh->e_shoff) + sh->sh_link;
		}
	}
	cr_assert_not_null(p.symtab);
	return p;
}

Test(elfsym_corrupt, huge_offsets_and_counts)
{
	struct patched p;

#define CASE(what, stmt)                                   \
	do {                                               \
		p = patchable();                           \
		stmt;                                      \
		load_corrupt(p.buf, p.len, true, what);    \
		free(p.buf);                               \
	} while (0)
	CASE("e_shoff", p.eh->e_shoff = 1ull << 62);
	CASE("e_shoff past the end", p.eh->e_shoff = p.len - 8);
	CASE("e_phoff", p.eh->e_phoff = ~0ull - 8);
	CASE("e_phnum", p.eh->e_phnum = 0xfff0);
	CASE("e_shentsize", p.eh->e_shentsize = 7);
	CASE(".symtab sh_offset", p.symtab->sh_offset = 1ull << 40);
	CASE(".symtab sh_size", p.symtab->sh_size = ~0ull / 2);
	CASE(".symtab sh_entsize", p.symtab->sh_entsize = 0);
	CASE(".symtab sh_link", p.symtab->sh_link = 0xffff);
	CASE(".symtab sh_link to itself", p.symtab->sh_link =
		     (uint32_t)(p.symtab - (Elf64_Shdr *)(p.buf + p.eh->e_shoff)));
	CASE(".strtab sh_size", p.strtab->sh_size = p.len);
#undef CASE
}

Test(elfsym_corrupt, bad_symbols_are_skipped)
{
	struct patched p = patchable();
	Elf64_Sym *syms = (Elf64_Sym *)(p.buf + p.symtab->sh_offset);
	size_t n = p.symtab->sh_size / sizeof(*syms);
	struct elfsym_stats st;
	struct elfsym *es;

	for (size_t i = 0; i < n; i++) {
		if (i % 2)
			syms[i].st_name = 0xfffffff0u; /* past the string table */
		else
			syms[i].st_size = ~0ull;   /* ends past the address space */
	}
	spit(tmp_path("badsyms"), p.buf, p.len);
	es = load(tmp_path("badsyms"));
	elfsym__stats(es, &st);
	cr_assert_eq(st.symbols, 0, "%zu symbols kept", st.symbols);
	cr_assert_null(elfsym__lookup(es, find_symbol(fixture("pie"), COMPUTE).offset, NULL));
	elfsym__free(es);
	free(p.buf);
}

Test(elfsym_corrupt, mutations)
{
	size_t len;
	char *orig = slurp(fixture("pie"), &len), *buf = malloc(len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)orig;
	/* The bytes that steer a reader: headers and the symbol tables. */
	size_t hot[] = { 0, eh->e_phoff, eh->e_shoff };

	cr_assert_not_null(buf);
	srand(7);
	for (int i = 0; i < 400; i++) {
		memcpy(buf, orig, len);
		for (int k = 0; k < 1 + i % 8; k++) {
			size_t base = hot[rand() % 3], at = base + (size_t)rand() % 512;

			if (rand() % 4 == 0)
				at = (size_t)rand() % len;
			if (at < len)
				buf[at] = (char)rand();
		}
		load_corrupt(buf, len, false, "mutated");
	}
	free(buf);
	free(orig);
}

Test(elfsym_cache, one_table_per_file)
{
	struct elfsym_cache *c = elfsym_cache__new(NULL);
	struct elfsym_cache_stats st;
	struct elfsym *a, *b, *other;

	cr_assert_not_null(c);
	a = elfsym_cache__get_file(c, fixture("pie"));
	b = elfsym_cache__get_file(c, fixture("pie"));
	other = elfsym_cache__get_file(c, fixture("nonpie"));
	cr_assert_not_null(a);
	cr_assert_eq(a, b, "same file, same table");
	cr_assert_not_null(other);
	cr_assert_neq(a, other);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.tables, 2);
	cr_assert_eq(st.loads, 2);
	cr_assert_eq(st.hits, 1);

	elfsym_cache__put(c, a);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.tables, 2, "b still holds it");
	expect_named(b, fixture("pie"), COMPUTE, 0, "promfiler::fixture::Compute");
	elfsym_cache__put(c, b);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.tables, 1, "the last put frees it");

	a = elfsym_cache__get_file(c, fixture("pie"));
	cr_assert_not_null(a);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.loads, 3, "a freed table is read again");
	elfsym_cache__put(c, a);
	elfsym_cache__put(c, other);
	elfsym_cache__put(c, NULL);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.tables, 0);
	elfsym_cache__free(c);
}

Test(elfsym_cache, copies_of_one_build_share_a_table)
{
	struct elfsym_cache *c = elfsym_cache__new(NULL);
	struct elfsym *a, *b, *stripped, *full, *stripped2;
	struct elfsym_cache_stats st;
	struct elfsym_stats ss;

	copy(fixture("pie"), tmp_path("pie-copy"));
	a = elfsym_cache__get_file(c, fixture("pie"));
	b = elfsym_cache__get_file(c, tmp_path("pie-copy"));
	cr_assert_not_null(a);
	cr_assert_eq(a, b, "another inode, same build-id");

	/* A stripped copy must not hide the full symbols of its build. */
	copy(fixture("libfixture-stripped.so"), tmp_path("stripped-copy.so"));
	stripped = elfsym_cache__get_file(c, fixture("libfixture-stripped.so"));
	full = elfsym_cache__get_file(c, fixture("libfixture.so"));
	stripped2 = elfsym_cache__get_file(c, tmp_path("stripped-copy.so"));
	cr_assert_not_null(stripped);
	cr_assert_not_null(full);
	cr_assert_neq(stripped, full);
	cr_assert_eq(stripped2, full, "the most complete table of the build");
	elfsym__stats(stripped2, &ss);
	cr_assert(ss.full);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.tables, 3);
	elfsym_cache__put(c, a);
	elfsym_cache__put(c, b);
	elfsym_cache__put(c, stripped);
	elfsym_cache__put(c, full);
	elfsym_cache__put(c, stripped2);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.tables, 0);
	elfsym_cache__free(c);
}

/* Installs the fixture library's debug file under dir, as a -dbg package
 * would under /usr/lib/debug. */
static void install_debug_file(const char *dir)
{
	struct elfsym *es = load(fixture("libfixture.so"));
	char rel[128], path[512], cmd[1024];

	cr_assert_eq(elfsym__debug_path(es, rel, sizeof(rel)), 0);
	elfsym__free(es);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	copy(fixture("libfixture.debug"), path);
}

Test(elfsym_cache, finds_debug_files_by_build_id)
{
	struct elfsym_cache *c;
	struct elfsym *es;
	struct elfsym_stats st;

	install_debug_file(tmp);
	c = elfsym_cache__new(tmp);
	es = elfsym_cache__get_file(c, fixture("libfixture-stripped.so"));
	cr_assert_not_null(es);
	elfsym__stats(es, &st);
	cr_assert(st.debug_file);
	expect_named(es, fixture("libfixture.so"), "_ZL12local_helperi", 0, "local_helper");
	elfsym_cache__put(c, es);
	elfsym_cache__free(c);
}

Test(elfsym_cache, finds_debug_files_under_the_process_root)
{
	struct elfsym_cache *c = elfsym_cache__new("/dbg");
	struct elfsym_stats st;
	struct elfsym *es;
	int fd;

	install_debug_file(tmp_path("dbg"));
	fd = open(fixture("libfixture-stripped.so"), O_RDONLY);
	cr_assert_geq(fd, 0);
	es = elfsym_cache__get_fd(c, fd, tmp);
	close(fd);
	cr_assert_not_null(es);
	elfsym__stats(es, &st);
	cr_assert(st.debug_file, "found at root + debug_dir");
	elfsym_cache__put(c, es);
	elfsym_cache__free(c);
}

Test(elfsym_cache, failures_are_errors)
{
	struct elfsym_cache *c = elfsym_cache__new(NULL);
	struct elfsym_cache_stats st;

	spit(tmp_path("junk"), "junk", 4);
	errno = 0;
	cr_assert_null(elfsym_cache__get_file(c, tmp_path("junk")));
	cr_assert_eq(errno, ENOEXEC);
	cr_assert_null(elfsym_cache__get_file(c, tmp_path("missing")));
	cr_assert_eq(errno, ENOENT);
	elfsym_cache__stats(c, &st);
	cr_assert_eq(st.failures, 2);
	cr_assert_eq(st.tables, 0);
	elfsym_cache__free(c);
}
