// SPDX-License-Identifier: MIT
/* Unit tests for utf8: what RFC 3629 calls valid, and every way to miss it. */
#include <criterion/criterion.h>

#include "utf8.h"

Test(utf8, valid_sequences)
{
	cr_assert_eq(utf8__seq_len("a"), 1);
	cr_assert_eq(utf8__seq_len("\xc3\xa9"), 2);         /* é */
	cr_assert_eq(utf8__seq_len("\xe2\x82\xac"), 3);     /* € */
	cr_assert_eq(utf8__seq_len("\xf0\x9f\x94\xa5"), 4); /* U+1F525 */
	cr_assert_eq(utf8__seq_len("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF */
	cr_assert_eq(utf8__seq_len(UTF8_REPLACEMENT), 3);
}

Test(utf8, invalid_sequences)
{
	static const char *const bad[] = {
		"\x80",             /* a continuation byte alone */
		"\xc0\xaf",         /* overlong '/' */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\xaf",     /* overlong, three bytes */
		"\xf0\x80\x80\xaf", /* overlong, four bytes */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"\xf5\x80\x80\x80", /* no such lead byte */
		"\xff",
		"\xc3",             /* cut at the NUL */
		"\xe2\x82",
		"\xe2(\xac",        /* not a continuation byte */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(utf8__seq_len(bad[i]), 0, "case %zu", i);
}
