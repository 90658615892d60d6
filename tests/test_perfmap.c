// SPDX-License-Identifier: MIT
/* Unit tests for perfmap: Node formats, lookup, overlaps, incremental reads, malformed lines, file checks. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfmap.h"

static char dir[] = "/tmp/test_perfmap.XXXXXX";
static char path[64], other[64];
static struct perfmap *m;

static void setup(void)
{
	strcpy(dir, "/tmp/test_perfmap.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/perf-1.map", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	m = perfmap__new(path);
	cr_assert_not_null(m);
}

static void teardown(void)
{
	perfmap__free(m);
	unlink(path);
	rmdir(path); /* when a test made it a directory */
	unlink(other);
	rmdir(dir);
}

TestSuite(perfmap, .init = setup, .fini = teardown);

/* Writes len bytes to file p, appending or replacing its contents. */
static void put(const char *p, const char *mode, const char *data, size_t len)
{
	FILE *f = fopen(p, mode);

	cr_assert_not_null(f, "open %s: %s", p, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void write_map(const char *s)
{
	put(path, "w", s, strlen(s));
}

static void append_map(const char *s)
{
	put(path, "a", s, strlen(s));
}

static void refresh_ok(void)
{
	int err = perfmap__refresh(m);

	cr_assert_eq(err, 0, "refresh: %s", strerror(-err));
}

static struct perfmap_stats stats(void)
{
	struct perfmap_stats s;

	perfmap__stats(m, &s);
	return s;
}

/* Asserts the name at addr (NULL: no entry). */
static void expect(uint64_t addr, const char *name)
{
	const char *got = perfmap__lookup(m, addr);

	if (!name)
		cr_assert_null(got, "0x%lx: want no entry, got '%s'", (unsigned long)addr, got);
	else
		cr_assert(got && strcmp(got, name) == 0, "0x%lx: want '%s', got '%s'",
			  (unsigned long)addr, name, got ? got : "(null)");
}

Test(perfmap, node_formats)
{
	write_map("7f0000001000 80 LazyCompile:*fib /app.js:1\n"
		  "7f0000002000 80 JS:*fib /app.js:1:13\n"
		  "7f0000003000 80 JS:*'fib /app.js:1:13\n"
		  "7f0000004000 40 Builtin:ArrayPrototypePush\n");
	refresh_ok();
	expect(0x7f0000001000, "LazyCompile:*fib /app.js:1");
	expect(0x7f0000002000, "JS:*fib /app.js:1:13");
	expect(0x7f0000003000, "JS:*'fib /app.js:1:13");
	expect(0x7f0000004000, "Builtin:ArrayPrototypePush");
	cr_assert_eq(stats().entries, 4);
	cr_assert_eq(stats().lines_skipped, 0);
}

Test(perfmap, lookup_bounds)
{
	write_map("1000 100 a\n3000 10 b\n3010 10 c\n");
	refresh_ok();
	expect(0x1000, "a");
	expect(0x1080, "a");
	expect(0x10ff, "a");
	expect(0x1100, NULL); /* end is exclusive */
	expect(0xfff, NULL);
	expect(0, NULL);
	expect(0x2000, NULL);
	expect(0x300f, "b");
	expect(0x3010, "c"); /* adjacent ranges */
	expect(0x301f, "c");
	expect(0x3020, NULL);
	expect(UINT64_MAX, NULL);
}

Test(perfmap, empty_map)
{
	write_map("");
	refresh_ok();
	expect(0x1000, NULL);
	cr_assert_eq(stats().ranges, 0);
}

Test(perfmap, newer_line_wins_partial_overlap)
{
	write_map("1000 1000 old\n1800 1000 new\n");
	refresh_ok();
	expect(0x17ff, "old");
	expect(0x1800, "new");
	expect(0x1fff, "new");
	expect(0x27ff, "new");
	expect(0x2800, NULL);
}

Test(perfmap, newer_big_range_covers_older_small_one)
{
	write_map("1400 100 small\n1000 1000 big\n");
	refresh_ok();
	expect(0x1000, "big");
	expect(0x1400, "big");
	expect(0x14ff, "big");
	expect(0x1fff, "big");
	cr_assert_eq(stats().ranges, 1);
}

Test(perfmap, newer_small_inside_older_big)
{
	write_map("1000 1000 big\n1400 100 small\n");
	refresh_ok();
	expect(0x1000, "big");
	expect(0x13ff, "big");
	expect(0x1400, "small");
	expect(0x14ff, "small");
	expect(0x1500, "big");
	expect(0x1fff, "big");
	expect(0x2000, NULL);
	cr_assert_eq(stats().ranges, 3);
}

Test(perfmap, newer_small_inside_older_big_across_refreshes)
{
	write_map("1000 1000 big\n");
	refresh_ok();
	append_map("1400 100 small\n");
	refresh_ok();
	expect(0x13ff, "big");
	expect(0x1400, "small");
	expect(0x14ff, "small");
	expect(0x1500, "big");
	/* And an even newer one over both. */
	append_map("1480 100 newest\n");
	refresh_ok();
	expect(0x147f, "small");
	expect(0x1480, "newest");
	expect(0x157f, "newest");
	expect(0x1580, "big");
	expect(0x13ff, "big");
}

Test(perfmap, same_start_reused)
{
	/* V8 frees code and puts new code at the same address. */
	write_map("1000 100 first\n2000 100 keep\n");
	refresh_ok();
	append_map("1000 100 second\n");
	refresh_ok();
	expect(0x1000, "second");
	expect(0x10ff, "second");
	expect(0x2000, "keep");
	append_map("1000 80 third\n");
	refresh_ok();
	expect(0x1000, "third");
	expect(0x107f, "third");
	expect(0x1080, "second"); /* not covered by the newest: the older one stays */
	write_map("1000 80 x\n1000 100 y\n"); /* replaced file: starts afresh */
	refresh_ok();
	expect(0x1000, "y");
	expect(0x107f, "y");
}

Test(perfmap, growth_between_reads)
{
	write_map("1000 10 a\n2000 10 b\n");
	refresh_ok();
	expect(0x1000, "a");
	expect(0x3000, NULL);
	append_map("3000 10 c\n");
	refresh_ok();
	expect(0x1000, "a");
	expect(0x2000, "b");
	expect(0x3000, "c");
	cr_assert_eq(stats().entries, 3, "old lines are not read twice");
	refresh_ok(); /* nothing new */
	cr_assert_eq(stats().entries, 3);
	expect(0x3000, "c");
}

Test(perfmap, partial_last_line_waits_for_its_newline)
{
	write_map("1000 10 a\n2000 10 JS:*fi");
	refresh_ok();
	expect(0x1000, "a");
	expect(0x2000, NULL);
	cr_assert_eq(stats().entries, 1);
	append_map("b /app.js:1:13");
	refresh_ok();
	expect(0x2000, NULL);
	append_map("\n30");
	refresh_ok();
	expect(0x2000, "JS:*fib /app.js:1:13");
	expect(0x30, NULL);
	append_map("00 10 c\n");
	refresh_ok();
	expect(0x3000, "c"); /* the address was not cut at the old end of file */
	expect(0x30, NULL);
	cr_assert_eq(stats().entries, 3);
	cr_assert_eq(stats().lines_skipped, 0);
}

Test(perfmap, malformed_lines_skipped_and_counted)
{
	static const char head[] =
		"1000 10 good1\n"
		"zzzz 10 nonhex\n"
		"12g4 10 nonhex2\n"
		"2000\n"
		"2000 10\n"
		"3000 0 zerosize\n"
		"12345678901234567 10 toolong\n"
		"ffffffffffffff00 1000 wraps\n"
		"2000 10 good2\n"
		"4000 10 nul\0inside\n"
		"5000 10 JS:~f /app.js:1:1\n"
		"  return 1; }\n"
		"\n";
	char *longline = malloc(PERFMAP_MAX_LINE + 100);

	cr_assert_not_null(longline);
	memset(longline, 'x', PERFMAP_MAX_LINE + 100);
	memcpy(longline, "6000 10 ", 8);
	longline[PERFMAP_MAX_LINE + 99] = '\n';
	put(path, "w", head, sizeof(head) - 1);
	put(path, "a", longline, PERFMAP_MAX_LINE + 100);
	append_map("7000 10 good3\n");
	free(longline);
	refresh_ok();
	expect(0x1000, "good1");
	expect(0x2000, "good2");
	expect(0x3000, NULL);
	expect(0x4000, NULL);
	expect(0x5000, "JS:~f /app.js:1:1");
	expect(0x6000, NULL);
	expect(0x7000, "good3");
	expect(0xffffffffffffff00, NULL);
	cr_assert_eq(stats().entries, 4);
	cr_assert_eq(stats().lines_skipped, 11, "skipped %lu",
		     (unsigned long)stats().lines_skipped);
}

Test(perfmap, longest_line_kept_longer_skipped)
{
	size_t n = PERFMAP_MAX_LINE - 1; /* without its newline */
	char *line = malloc(n + 1);

	cr_assert_not_null(line);
	memset(line, 'k', n);
	memcpy(line, "1000 10 ", 8);
	line[n] = '\n';
	put(path, "w", line, n + 1);
	memcpy(line, "2000 10 ", 8);
	line[n] = 'x'; /* one byte longer */
	put(path, "a", line, n + 1);
	append_map("\n3000 10 after\n");
	free(line);
	refresh_ok();
	cr_assert_not_null(perfmap__lookup(m, 0x1000));
	cr_assert_eq(strlen(perfmap__lookup(m, 0x1000)), n - 8);
	expect(0x2000, NULL);
	expect(0x3000, "after");
	cr_assert_eq(stats().lines_skipped, 1);
}

Test(perfmap, huge_line_across_refreshes)
{
	size_t n = 200000; /* longer than any read chunk */
	char *line = malloc(n);

	cr_assert_not_null(line);
	memset(line, 'h', n);
	memcpy(line, "1000 10 ", 8);
	write_map("500 10 before\n");
	put(path, "a", line, n);
	free(line);
	refresh_ok();
	expect(0x500, "before");
	append_map("hhh\n2000 10 after\n");
	refresh_ok();
	expect(0x1000, NULL);
	expect(0x2000, "after");
	expect(0x500, "before");
	cr_assert_eq(stats().lines_skipped, 1);
	cr_assert_eq(stats().entries, 2);
}

Test(perfmap, replaced_file_read_from_start)
{
	write_map("1000 10 old\n");
	refresh_ok();
	expect(0x1000, "old");
	/* A new inode, longer than what was read: only the inode tells. */
	put(other, "w", "2000 10 new\n3000 10 new2\n", 25);
	cr_assert_eq(rename(other, path), 0);
	refresh_ok();
	expect(0x1000, NULL);
	expect(0x2000, "new");
	expect(0x3000, "new2");
}

Test(perfmap, truncated_file_read_from_start)
{
	write_map("1000 10 aaaaaaaaaaaa\n2000 10 bbbbbbbbbbbb\n");
	refresh_ok();
	expect(0x2000, "bbbbbbbbbbbb");
	write_map("5000 10 c\n"); /* same inode, shorter */
	refresh_ok();
	expect(0x1000, NULL);
	expect(0x2000, NULL);
	expect(0x5000, "c");
	append_map("6000 10 d\n");
	refresh_ok();
	expect(0x5000, "c");
	expect(0x6000, "d");
}

Test(perfmap, symlink_refused)
{
	put(other, "w", "1000 10 secret\n", 15);
	cr_assert_eq(symlink(other, path), 0);
	cr_assert_eq(perfmap__refresh(m), -ELOOP);
	expect(0x1000, NULL);
}

Test(perfmap, errors_keep_entries_read_so_far)
{
	write_map("1000 10 a\n");
	refresh_ok();
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(perfmap__refresh(m), -ENOENT);
	expect(0x1000, "a");
	put(other, "w", "2000 10 b\n", 10);
	cr_assert_eq(symlink(other, path), 0);
	cr_assert_eq(perfmap__refresh(m), -ELOOP);
	expect(0x1000, "a");
	expect(0x2000, NULL);
}

Test(perfmap, directory_refused)
{
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(perfmap__refresh(m), -EINVAL);
}

Test(perfmap, fifo_refused)
{
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(perfmap__refresh(m), -EINVAL);
}

Test(perfmap, missing_file_then_created)
{
	cr_assert_eq(perfmap__refresh(m), -ENOENT);
	expect(0x1000, NULL);
	write_map("1000 10 late\n");
	refresh_ok();
	expect(0x1000, "late");
}

Test(perfmap, superseded_names_are_dropped)
{
	/* A process that keeps compiling code at reused addresses: 20000
	 * lines, two live ranges. Memory must follow the live names. */
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "1000 100 JS:*generated_function_number_%d /app.js:1:1\n"
			   "2000 100 JS:*other_generated_function_%d /app.js:2:1\n", i, i);
	fclose(f);
	refresh_ok();
	expect(0x1000, "JS:*generated_function_number_19999 /app.js:1:1");
	expect(0x2050, "JS:*other_generated_function_19999 /app.js:2:1");
	cr_assert_eq(stats().entries, 40000);
	cr_assert_lt(stats().name_bytes, 65536 + 200, "held %zu bytes", stats().name_bytes);
	/* Growth after compaction still reads and resolves. */
	append_map("3000 10 JS:*late /app.js:3:1\n");
	refresh_ok();
	expect(0x3005, "JS:*late /app.js:3:1");
	expect(0x1000, "JS:*generated_function_number_19999 /app.js:1:1");
}

Test(perfmap, live_entries_are_capped_keeping_used_ones)
{
	/* Endless JIT churn at fresh addresses: the cap holds, and the entry
	 * that samples keep hitting survives the eviction. */
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	for (int i = 0; i < PERFMAP_MAX_RANGES; i++)
		fprintf(f, "%x 10 JS:*f%d /app.js:1:1\n", 0x100000 + i * 0x10, i);
	fclose(f);
	refresh_ok();
	expect(0x100000, "JS:*f0 /app.js:1:1"); /* the hot one: used now */
	for (int i = 1; i < PERFMAP_MAX_RANGES; i += 997) /* and these, spread */
		cr_assert_not_null(perfmap__lookup(m, 0x100000 + i * 0x10));
	f = fopen(path, "a");
	cr_assert_not_null(f);
	for (int i = 0; i < PERFMAP_MAX_RANGES / 2; i++)
		fprintf(f, "%x 10 JS:*g%d /app.js:2:1\n", 0x10000000 + i * 0x10, i);
	fclose(f);
	refresh_ok();
	cr_assert_leq(stats().ranges, PERFMAP_MAX_RANGES);
	cr_assert_gt(stats().evicted, 0);
	expect(0x100000, "JS:*f0 /app.js:1:1");
	for (int i = 1; i < PERFMAP_MAX_RANGES; i += 997) {
		char want[64];

		snprintf(want, sizeof(want), "JS:*f%d /app.js:1:1", i);
		expect(0x100000 + i * 0x10, want);
	}
	/* Unused old entries went first: the oldest of them are gone. */
	cr_assert_null(perfmap__lookup(m, 0x100000 + 2 * 0x10));
	expect(0x10000000 + (PERFMAP_MAX_RANGES / 2 - 1) * 0x10, "JS:*g32767 /app.js:2:1");
}

Test(perfmap, memory_is_bounded_however_much_one_refresh_reads)
{
	/* A process that wrote 300000 lines of fresh code since the last
	 * refresh (or a big map read at once): read in batches, held memory
	 * follows the cap on live entries, not the file. */
	FILE *f = fopen(path, "w");
	struct perfmap_stats st;

	cr_assert_not_null(f);
	for (int i = 0; i < 300000; i++)
		fprintf(f, "%x 10 JS:*generated_%d /app.js:1:1\n", 0x100000 + i * 0x10, i);
	fclose(f);
	refresh_ok();
	st = stats();
	cr_assert_eq(st.entries, 300000);
	cr_assert_leq(st.ranges, PERFMAP_MAX_RANGES);
	cr_assert_lt(st.memory_bytes, 16u << 20, "held %zu bytes for a %ld-byte file",
		     st.memory_bytes, (long)st.bytes_read);
	expect(0x100000 + 299999 * 0x10, "JS:*generated_299999 /app.js:1:1");
}

Test(perfmap, another_owners_file_is_refused)
{
	/* A map owned by uid 4242 (as root the test can give it away; if not,
	 * the test user's own file plays that part). */
	struct stat st;
	uid_t owner;

	write_map("1000 10 JS:*f /app.js:1:1\n");
	if (chown(path, 4242, 4242) != 0)
		cr_log_warn("not root: the file stays the test user's");
	cr_assert_eq(stat(path, &st), 0);
	owner = st.st_uid;
	if (owner == 0) /* root's files are always accepted: nothing to test */
		return;
	perfmap__require_owner(m, owner + 1);
	cr_assert_eq(perfmap__refresh(m), -EPERM);
	cr_assert_null(perfmap__lookup(m, 0x1000));
	perfmap__require_owner(m, owner);
	refresh_ok();
	expect(0x1000, "JS:*f /app.js:1:1");
}
