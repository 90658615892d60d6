// SPDX-License-Identifier: MIT
/* elf_fixtures.h: what the unit tests of elfsym (test_elfsym.c) and of
 * symbolize (test_symbolize.c) share: the ELF fixtures the Makefile builds
 * (ELF_FIXTURES: non-PIE, PIE, shared, stripped, debug file) and a private
 * temporary directory per test, made by setup() and removed by teardown().
 * Header only: each test binary is one .c file, which includes this after
 * <criterion/criterion.h>. The helpers assert rather than return errors. */
#ifndef PROMFILER_TESTS_ELF_FIXTURES_H
#define PROMFILER_TESTS_ELF_FIXTURES_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

static char tmp[] = "/tmp/test_elf.XXXXXX";

static void setup(void)
{
	strcpy(tmp, "/tmp/test_elf.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);
}

/* dir/name in one of 8 rotating buffers: a call's few paths stay valid. */
static const char *path_in(const char *dir, const char *name)
{
	static char path[8][512];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static const char *fixture(const char *name)
{
	return path_in(ELF_FIXTURES, name);
}

static const char *tmp_path(const char *name)
{
	return path_in(tmp, name);
}

static void copy(const char *from, const char *to)
{
	size_t len;
	void *buf = slurp(from, &len);

	spit(to, buf, len);
	free(buf);
}

#endif
