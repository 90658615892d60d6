// SPDX-License-Identifier: MIT
/* frame_name: turns what a name source says about a frame into the frame name
 * shown in signatures, so one function is one frame whatever its V8 tier or
 * Node version, and a signature always splits into exactly its frames.
 *
 * Perf map names (V8's --perf-basic-prof; README.md, "Naming frames"):
 *   Node <= 18  "LazyCompile:*fib /app.js:1"      "Function:~ /app.js:3"
 *   Node >= 19  "JS:*fib /app.js:1:13"            "JS:~ /app.js:3:1"
 *   Node 24     "JS:*'fib /app.js:1:13"
 * Tier markers (* ~ ^ + ') are stripped. An empty name is "(anonymous
 * main.js:12)" (the base name of the location, its line, no column), so
 * two anonymous callbacks stay two frames; "(anonymous)" where the entry
 * has no location, and with FRAME_STYLE_LOCATION, which appends the whole
 * location anyway ("(anonymous) /app/main.js:12").
 * Non-JS code keeps its kind: "Builtin:ArrayPrototypePush", "RegExp:^a+$".
 * "Builtin:InterpreterEntryTrampoline", where every interpreted function
 * returns when Node runs without --interpreted-frames-native-stack, is
 * "(interpreted)".
 *
 * Every result is valid UTF-8 (bad bytes become U+FFFD) and holds no
 * separator: each occurrence is replaced by FRAME_NAME_SEP_SUBSTITUTE when
 * the separator is "#" (JS private methods are "#name"), otherwise by the
 * first of "_", "-", ".", "~" that the separator does not contain. */
#ifndef PROMFILER_FRAME_NAME_H
#define PROMFILER_FRAME_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define FRAME_NAME_MAX 1024
#define FRAME_NAME_INTERPRETED "(interpreted)"
#define FRAME_NAME_SEP_SUBSTITUTE "\xe2\x99\xaf" /* U+266F MUSIC SHARP SIGN */

enum frame_style {
	FRAME_STYLE_FUNCTION, /* "fib", as the original promfiler */
	FRAME_STYLE_LOCATION, /* "fib /app.js:1" (line, no column: stable across Node versions) */
};

/* Writes the frame name for a perf map symbol into out (always
 * NUL-terminated, truncated to outlen - 1 bytes on a UTF-8 boundary). */
void frame_name__from_perfmap(const char *raw, enum frame_style style,
			      const char *sep, char *out, size_t outlen);
/* Whether a perf map symbol is a JavaScript function (JS:, LazyCompile:,
 * Function:, Script:, Eval:...), not V8's own code. */
bool frame_name__is_js(const char *raw);
/* "[basename]" of a mapped file, for frames no symbol source names. */
void frame_name__module(const char *path, const char *sep, char *out,
			size_t outlen);
/* Whether names can be kept free of sep: some substitute for it shares no
 * character with it (one of "_", "-", ".", "~" is not in it). */
bool frame_name__separator_ok(const char *sep);
/* Copies `name` making it valid UTF-8 and free of `sep`. */
void frame_name__sanitize(const char *name, const char *sep, char *out,
			  size_t outlen);

#endif
