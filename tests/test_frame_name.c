// SPDX-License-Identifier: MIT
/* Unit tests for frame_name: V8 perf map names -> normalized, UTF-8-clean frame names. */
#include <criterion/criterion.h>
#include <string.h>

#include "frame_name.h"

#define FFFD "\xef\xbf\xbd"
#define SHARP FRAME_NAME_SEP_SUBSTITUTE

static char out[FRAME_NAME_MAX];

static const char *fn(const char *raw)
{
	frame_name__from_perfmap(raw, FRAME_STYLE_FUNCTION, "#", out, sizeof(out));
	return out;
}

static const char *loc(const char *raw)
{
	frame_name__from_perfmap(raw, FRAME_STYLE_LOCATION, "#", out, sizeof(out));
	return out;
}

static const char *san(const char *name, const char *sep)
{
	frame_name__sanitize(name, sep, out, sizeof(out));
	return out;
}

/* Strict UTF-8 check (no overlongs, surrogates or code points > U+10FFFF). */
static bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned int cp, n;

		if (s[0] < 0x80) {
			s++;
			continue;
		} else if ((s[0] & 0xe0) == 0xc0) {
			n = 2, cp = s[0] & 0x1f;
		} else if ((s[0] & 0xf0) == 0xe0) {
			n = 3, cp = s[0] & 0x0f;
		} else if ((s[0] & 0xf8) == 0xf0) {
			n = 4, cp = s[0] & 0x07;
		} else {
			return false;
		}
		for (unsigned int i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

Test(frame_name, tier_markers_stripped_node18)
{
	cr_assert_str_eq(fn("LazyCompile:*fib /app.js:1"), "fib");
	cr_assert_str_eq(fn("LazyCompile:~fib /app.js:1"), "fib");
	cr_assert_str_eq(fn("Function:^fib /app.js:1"), "fib");
	cr_assert_str_eq(fn("LazyCompile:fib /app.js:1"), "fib");
}

Test(frame_name, tier_markers_stripped_node20)
{
	cr_assert_str_eq(fn("JS:*fib /app.js:1:13"), "fib");
	cr_assert_str_eq(fn("JS:~fib /app.js:1:13"), "fib");
	cr_assert_str_eq(fn("JS:^fib /app.js:1:13"), "fib");
	cr_assert_str_eq(fn("JS:+fib /app.js:1:13"), "fib");
}

Test(frame_name, tier_markers_stripped_node24)
{
	cr_assert_str_eq(fn("JS:*'fib /app.js:1:13"), "fib");
	cr_assert_str_eq(fn("JS:~'fib /app.js:1:13"), "fib");
	cr_assert_str_eq(fn("JS:+'fib /app.js:1:13"), "fib");
}

Test(frame_name, empty_name_is_anonymous_where_defined)
{
	/* Every tier and Node version gives one name: the base name and line
	 * of where the function is defined, no column. */
	cr_assert_str_eq(fn("JS:~ /app.js:3:1"), "(anonymous app.js:3)");
	cr_assert_str_eq(fn("Function:~ /app.js:3"), "(anonymous app.js:3)");
	cr_assert_str_eq(fn("LazyCompile:* /app.js:3"), "(anonymous app.js:3)");
	cr_assert_str_eq(fn("JS:*' /srv/app/routes/app.js:3:1"), "(anonymous app.js:3)");
	cr_assert_str_eq(fn("JS:~ node:internal/timers:512:7"), "(anonymous timers:512)");
	cr_assert_str_eq(fn("JS:~ node:events:12:3"), "(anonymous node:events:12)");
	/* Two callbacks of one file are two frames. */
	cr_assert_str_eq(fn("JS:~ /app.js:9:1"), "(anonymous app.js:9)");
	cr_assert_str_eq(fn("JS:~ "), "(anonymous)", "no location: bare");
	cr_assert_str_eq(fn("JS:~"), "(anonymous)");
	/* --frames location writes the whole location after it anyway. */
	cr_assert_str_eq(loc("JS:~ /app.js:3:1"), "(anonymous) /app.js:3");
}

Test(frame_name, anonymous_location_never_holds_the_separator)
{
	frame_name__from_perfmap("JS:~ /srv/a#b/x#y.js:3:1", FRAME_STYLE_FUNCTION, "#", out,
				 sizeof(out));
	cr_assert_str_eq(out, "(anonymous x" FRAME_NAME_SEP_SUBSTITUTE "y.js:3)");
	frame_name__from_perfmap("JS:~ /srv/x;y.js:3:1", FRAME_STYLE_FUNCTION, ";", out,
				 sizeof(out));
	cr_assert_str_eq(out, "(anonymous x_y.js:3)");
	frame_name__from_perfmap("JS:~ /srv/x.js:3:1", FRAME_STYLE_FUNCTION, " (", out,
				 sizeof(out));
	cr_assert_null(strstr(out, " ("), "%s", out);
}

Test(frame_name, names_with_spaces)
{
	cr_assert_str_eq(fn("JS:*get foo /app.js:5:3"), "get foo");
	cr_assert_str_eq(fn("LazyCompile:~get foo /app.js:5"), "get foo");
	cr_assert_str_eq(loc("JS:^set bar /app.js:7:3"), "set bar /app.js:7");
}

Test(frame_name, location_style_drops_the_column)
{
	cr_assert_str_eq(loc("LazyCompile:*fib /app.js:1"), "fib /app.js:1");
	cr_assert_str_eq(loc("JS:*fib /app.js:1:13"), "fib /app.js:1");
	cr_assert_str_eq(loc("JS:*'fib /app.js:1:13"), "fib /app.js:1");
	cr_assert_str_eq(loc("JS:~listOnTimeout node:internal/timers:512:7"),
			 "listOnTimeout node:internal/timers:512");
	cr_assert_str_eq(loc("LazyCompile:~listOnTimeout node:internal/timers:512"),
			 "listOnTimeout node:internal/timers:512");
	cr_assert_str_eq(loc("JS:*fib file:///srv/app.mjs:4:10"), "fib file:///srv/app.mjs:4");
}

Test(frame_name, non_js_kinds_kept)
{
	static const char *const raw[] = {
		"Builtin:ArrayPrototypePush", "Stub:CEntry_Return1_ArgvOnStack_NoBuiltinExit",
		"RegExp:^a+$", "BytecodeHandler:LdaZero", "Handler:length",
	};

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		cr_assert_str_eq(fn(raw[i]), raw[i]);
		cr_assert_str_eq(loc(raw[i]), raw[i]);
	}
}

Test(frame_name, hash_separator_replaced_by_music_sharp)
{
	cr_assert_str_eq(fn("JS:*#priv /app.js:2:3"), SHARP "priv");
	cr_assert_str_eq(fn("LazyCompile:~#priv /app.js:2"), SHARP "priv");
	cr_assert_str_eq(loc("JS:*#priv /a#b.js:2:3"), SHARP "priv /a" SHARP "b.js:2");
	cr_assert_str_eq(san("a##b", "#"), "a" SHARP SHARP "b");
}

Test(frame_name, other_separator_replaced_by_underscore)
{
	frame_name__from_perfmap("JS:*a;b /app.js:1:1", FRAME_STYLE_FUNCTION, ";", out, sizeof(out));
	cr_assert_str_eq(out, "a_b");
	frame_name__from_perfmap("JS:*#priv /app.js:1:1", FRAME_STYLE_FUNCTION, ";", out, sizeof(out));
	cr_assert_str_eq(out, "#priv", "'#' is only replaced when it is the separator");
	cr_assert_str_eq(san("x->y->z", "->"), "x_y_z");
}

Test(frame_name, result_never_holds_the_separator)
{
	static const char *const cases[][2] = {
		{ "a;b;;c", ";" }, { "x->y", "->" }, { "foo_bar", "_" },
		{ "a___b", "__" }, { "__xx", "_x" }, { "a##b", "#" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		san(cases[i][0], cases[i][1]);
		cr_assert_null(strstr(out, cases[i][1]), "'%s' with separator '%s' gave '%s'",
			       cases[i][0], cases[i][1], out);
	}
}

Test(frame_name, invalid_utf8_replaced)
{
	cr_assert_str_eq(san("a\xe2\x99", "#"), "a" FFFD FFFD, "truncated at the end");
	cr_assert_str_eq(san("a\xe2\x99x", "#"), "a" FFFD FFFD "x", "truncated mid-string");
	cr_assert_str_eq(san("\xc3", "#"), FFFD);
	cr_assert_str_eq(san("\xc0\xaf", "#"), FFFD FFFD, "overlong 2-byte '/'");
	cr_assert_str_eq(san("\xe0\x80\xaf", "#"), FFFD FFFD FFFD, "overlong 3-byte");
	cr_assert_str_eq(san("\xf0\x80\x80\xaf", "#"), FFFD FFFD FFFD FFFD, "overlong 4-byte");
	cr_assert_str_eq(san("\xed\xa0\x80", "#"), FFFD FFFD FFFD, "surrogate U+D800");
	cr_assert_str_eq(san("\xed\xbf\xbf", "#"), FFFD FFFD FFFD, "surrogate U+DFFF");
	cr_assert_str_eq(san("\xf4\x90\x80\x80", "#"), FFFD FFFD FFFD FFFD, "above U+10FFFF");
	cr_assert_str_eq(san("\x80" "b\xff", "#"), FFFD "b" FFFD, "lone continuation, 0xff");
	cr_assert_str_eq(fn("JS:*f\xe9o /app.js:1:1"), "f" FFFD "o", "Latin-1 byte in a JS name");
}

Test(frame_name, valid_multibyte_kept)
{
	static const char *const ok[] = {
		"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xf4\x8f\xbf\xbf", FFFD, "\xc2\x80",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_str_eq(san(ok[i], "#"), ok[i], "case %zu", i);
	cr_assert_str_eq(fn("JS:*\xce\xbb\xf0\x9f\x98\x80 /app.js:1:1"), "\xce\xbb\xf0\x9f\x98\x80");
}

Test(frame_name, truncated_safely)
{
	const char *raw = "JS:*a\xc3\xa9\xe2\x82\xac#\xf0\x9f\x98\x80z /app.js:1:1";
	char full[64], small[64];

	frame_name__from_perfmap(raw, FRAME_STYLE_FUNCTION, "#", full, sizeof(full));
	cr_assert_str_eq(full, "a\xc3\xa9\xe2\x82\xac" SHARP "\xf0\x9f\x98\x80z");
	for (size_t n = 1; n <= strlen(full) + 1; n++) {
		memset(small, 'Q', sizeof(small));
		frame_name__from_perfmap(raw, FRAME_STYLE_FUNCTION, "#", small, n);
		cr_assert_not_null(memchr(small, '\0', n), "outlen %zu: not terminated", n);
		cr_assert_eq(small[n], 'Q', "outlen %zu: wrote past the end", n);
		cr_assert(utf8_valid(small), "outlen %zu: invalid UTF-8", n);
		cr_assert_eq(strncmp(small, full, strlen(small)), 0, "outlen %zu: not a prefix", n);
		cr_assert_gt(strlen(small) + 4, n - 1, "outlen %zu: cut more than one character", n);
	}
	memset(small, 'Q', sizeof(small));
	frame_name__from_perfmap(raw, FRAME_STYLE_FUNCTION, "#", small, 0);
	cr_assert_eq(small[0], 'Q', "outlen 0 writes nothing");
	frame_name__sanitize("\xc3\xa9\xc3\xa9", "#", small, 4);
	cr_assert_str_eq(small, "\xc3\xa9");
}

Test(frame_name, long_valid_name_keeps_valid_characters)
{
	char raw[4200] = "JS:*", big[4096];
	size_t len;

	for (int i = 0; i < 1000; i++)
		strcat(raw, "\xc3\xa9");
	strcat(raw, " /app.js:1:1");
	frame_name__from_perfmap(raw, FRAME_STYLE_FUNCTION, "#", out, sizeof(out));
	len = strlen(out);
	cr_assert(utf8_valid(out));
	cr_assert_lt(len, FRAME_NAME_MAX);
	cr_assert_null(strstr(out, FFFD), "valid input must not gain U+FFFD");
	/* A larger buffer: an internal cut must not split a character either. */
	frame_name__from_perfmap(raw, FRAME_STYLE_FUNCTION, "#", big, sizeof(big));
	cr_assert(utf8_valid(big));
	cr_assert_null(strstr(big, FFFD), "valid input must not gain U+FFFD (got %zu bytes)",
		       strlen(big));
}

Test(frame_name, module_names)
{
	frame_name__module("/usr/lib/x86_64-linux-gnu/libc.so.6", "#", out, sizeof(out));
	cr_assert_str_eq(out, "[libc.so.6]");
	frame_name__module("node", "#", out, sizeof(out));
	cr_assert_str_eq(out, "[node]");
	frame_name__module("/opt/my#lib.so", "#", out, sizeof(out));
	cr_assert_str_eq(out, "[my" SHARP "lib.so]");
	frame_name__module("/opt/a;b\xff.so", ";", out, sizeof(out));
	cr_assert_str_eq(out, "[a_b" FFFD ".so]");
	frame_name__module("/usr/lib/libc.so.6", "#", out, 5);
	cr_assert_str_eq(out, "[lib");
}

Test(frame_name, interpreter_trampoline_is_interpreted)
{
	frame_name__from_perfmap("Builtin:InterpreterEntryTrampoline",
				 FRAME_STYLE_FUNCTION, "#", out, sizeof(out));
	cr_assert_str_eq(out, "(interpreted)");
	frame_name__from_perfmap("Builtin:InterpreterEnterBytecode",
				 FRAME_STYLE_FUNCTION, "#", out, sizeof(out));
	cr_assert_str_eq(out, "Builtin:InterpreterEnterBytecode");
}

Test(frame_name, separator_needs_a_substitute)
{
	cr_assert(frame_name__separator_ok("#"));
	cr_assert(frame_name__separator_ok(";"));
	cr_assert(frame_name__separator_ok("_-."), "~ is left");
	cr_assert_not(frame_name__separator_ok("_-.~"));
	cr_assert_not(frame_name__separator_ok("~._-x"));
}
