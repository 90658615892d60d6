// SPDX-License-Identifier: MIT
/* Tests for kallsyms: parsing /proc/kallsyms text and address lookup. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kallsyms.h"

static struct kallsyms *load_text(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct kallsyms *ks;

	cr_assert_not_null(f);
	ks = kallsyms__load_file(f);
	fclose(f);
	cr_assert_not_null(ks);
	return ks;
}

Test(kallsyms, text_symbols_sorted_and_found)
{
	struct kallsyms *ks = load_text(
		"ffffffff81000200 T do_syscall_64\n"
		"ffffffff81000000 T _stext\n"
		"ffffffff81000100 t helper_local\n"
		"ffffffff82000000 D some_data\n"
		"ffffffffc0001000 t mod_func\t[ext4]\n"
		"garbage line\n");

	cr_assert_eq(kallsyms__count(ks), 4);
	cr_assert_null(kallsyms__lookup(ks, 0xffffffff80ffffffULL));
	cr_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000000ULL), "_stext");
	cr_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000150ULL), "helper_local");
	cr_assert_str_eq(kallsyms__lookup(ks, 0xffffffff81000250ULL), "do_syscall_64");
	cr_assert_str_eq(kallsyms__lookup(ks, 0xffffffffc0001010ULL), "mod_func");
	kallsyms__free(ks);
}

Test(kallsyms, zero_addresses_name_nothing)
{
	/* What an unprivileged reader sees with kptr_restrict. */
	struct kallsyms *ks = load_text("0000000000000000 T _stext\n"
					"0000000000000000 T do_syscall_64\n");

	cr_assert_eq(kallsyms__count(ks), 0);
	cr_assert_null(kallsyms__lookup(ks, 0x1234));
	kallsyms__free(ks);
}
