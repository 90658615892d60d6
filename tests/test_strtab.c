// SPDX-License-Identifier: MIT
/* Unit tests for strtab: interning, dense ids, growth, lookup by id. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "strtab.h"

static struct strtab *st;

static void setup(void)
{
	st = strtab__new();
	cr_assert_not_null(st);
}

static void teardown(void)
{
	strtab__free(st);
}

TestSuite(strtab, .init = setup, .fini = teardown);

Test(strtab, empty)
{
	cr_assert_eq(strtab__count(st), 0);
	cr_assert_null(strtab__get(st, 0));
	cr_assert_null(strtab__get(st, STRTAB_NONE));
}

Test(strtab, equal_strings_same_id_dense_ids)
{
	cr_assert_eq(strtab__intern(st, "(root)"), 0);
	cr_assert_eq(strtab__intern(st, "main"), 1);
	cr_assert_eq(strtab__intern(st, "(root)"), 0);
	cr_assert_eq(strtab__intern(st, ""), 2);
	cr_assert_eq(strtab__intern(st, "main"), 1);
	cr_assert_eq(strtab__intern(st, "mai"), 3);
	cr_assert_eq(strtab__count(st), 4);
	cr_assert_str_eq(strtab__get(st, 0), "(root)");
	cr_assert_str_eq(strtab__get(st, 1), "main");
	cr_assert_str_eq(strtab__get(st, 2), "");
	cr_assert_str_eq(strtab__get(st, 3), "mai");
	cr_assert_null(strtab__get(st, 4));
}

Test(strtab, stores_a_copy)
{
	char name[] = "fib";
	uint32_t id = strtab__intern(st, name);

	name[0] = 'X';
	cr_assert_str_eq(strtab__get(st, id), "fib");
	cr_assert_eq(strtab__intern(st, "fib"), id);
	cr_assert_eq(strtab__intern(st, name), id + 1);
}

Test(strtab, many_strings_survive_growth)
{
	enum { N = 100000 };
	char s[32];
	const char *first;

	cr_assert_eq(strtab__intern(st, "s0"), 0);
	first = strtab__get(st, 0);
	for (uint32_t i = 0; i < N; i++) {
		snprintf(s, sizeof(s), "s%u", i);
		cr_assert_eq(strtab__intern(st, s), i, "intern %s", s);
	}
	cr_assert_eq(strtab__count(st), N);
	for (uint32_t i = 0; i < N; i++) {
		snprintf(s, sizeof(s), "s%u", i);
		cr_assert_eq(strtab__intern(st, s), i, "re-intern %s", s);
		cr_assert_str_eq(strtab__get(st, i), s);
	}
	cr_assert_eq(strtab__count(st), N);
	cr_assert_null(strtab__get(st, N));
	/* Ids and their strings stay valid until strtab__free. */
	cr_assert_eq(strtab__get(st, 0), first);
}
