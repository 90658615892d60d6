// SPDX-License-Identifier: MIT
/* files.h: whole files in and out, for the unit tests (test_fuzz_regressions
 * replays fixture files; test_elfsym and test_symbolize make ELF copies).
 * Header only, after <criterion/criterion.h>; the helpers assert rather
 * than return errors. */
#ifndef PROMFILER_TESTS_FILES_H
#define PROMFILER_TESTS_FILES_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file at path, malloc'd, with one byte to spare past its *len
 * bytes (an empty file is a valid fixture). */
static inline void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	long n;

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Writes len bytes of buf as the whole file at path. */
static inline void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "create %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

#endif
