// SPDX-License-Identifier: MIT
/* frame_name: normalization of frame names; the formats are in frame_name.h. */
#include "frame_name.h"

#include <stdbool.h>
#include <string.h>

#include "utf8.h"

/* Kinds of perf map entries that are JavaScript functions. */
static const char *const js_kinds[] = {
	"JS:", "LazyCompile:", "Function:", "InterpretedFunction:", "Script:",
	"Eval:",
};

/* Appends len bytes if they fit whole; returns false when out is full. */
static bool put(char *out, size_t outlen, size_t *pos, const char *s, size_t len)
{
	if (*pos + len >= outlen)
		return false;
	memcpy(out + *pos, s, len);
	*pos += len;
	return true;
}

/* What replaces the separator inside a name: a string sharing no character
 * with it, so a replacement can never form a new separator. */
static const char *substitute_for(const char *sep)
{
	static const char *const candidates[] = { "_", "-", ".", "~" };

	if (strcmp(sep, "#") == 0)
		return FRAME_NAME_SEP_SUBSTITUTE;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (!strchr(sep, candidates[i][0]))
			return candidates[i];
	return "";
}

bool frame_name__separator_ok(const char *sep)
{
	return *substitute_for(sep) != '\0';
}

/* Pieces sanitized one by one can still form the separator where they are
 * joined ("[" + "libc.so.6" + "]" with separator "]" or "[l"; "f" + " " +
 * "/app.js" with "f /"): replaces, in place, what the joins made. The
 * substitute shares no character with the separator, so no new occurrence
 * appears, and it is never longer (the 3-byte substitute goes with the
 * 1-byte "#", which no join contains), so the name never grows. */
static void replace_joined_separators(char *s, const char *sep)
{
	const char *subst = substitute_for(sep);
	size_t seplen = strlen(sep), sublen = strlen(subst);
	char *p;

	if (!seplen || sublen > seplen)
		return;
	while ((p = strstr(s, sep))) {
		memcpy(p, subst, sublen);
		memmove(p + sublen, p + seplen, strlen(p + seplen) + 1);
		s = p + sublen;
	}
}

/* Appends the sanitized form of name[0..len) at *pos. */
static void append_sanitized(const char *name, size_t len, const char *sep,
			     char *out, size_t outlen, size_t *pos)
{
	const char *subst = substitute_for(sep);
	size_t seplen = strlen(sep), i = 0;

	while (i < len) {
		const unsigned char *p = (const unsigned char *)name + i;
		size_t n;
		bool ok;

		if (seplen && i + seplen <= len && memcmp(p, sep, seplen) == 0) {
			ok = put(out, outlen, pos, subst, strlen(subst));
			i += seplen;
		} else if (*p == '\0') {
			break;
		} else if ((n = utf8__seq_len((const char *)p)) && i + n <= len) {
			ok = put(out, outlen, pos, (const char *)p, n);
			i += n;
		} else {
			ok = put(out, outlen, pos, UTF8_REPLACEMENT, 3);
			i++;
		}
		if (!ok)
			break;
	}
	out[*pos] = '\0';
}

void frame_name__sanitize(const char *name, const char *sep, char *out,
			  size_t outlen)
{
	size_t pos = 0;

	if (outlen)
		append_sanitized(name, strlen(name), sep, out, outlen, &pos);
}

/* "file:line:col" -> length of "file:line" (drops a trailing ":col" when the
 * location has both a line and a column). */
static size_t location_without_column(const char *loc, size_t len)
{
	const char *last = NULL, *prev = NULL;

	for (size_t i = 0; i < len; i++) {
		if (loc[i] == ':') {
			prev = last;
			last = loc + i;
		}
	}
	if (!last || !prev)
		return len;
	for (const char *p = prev + 1; p < last; p++)
		if (*p < '0' || *p > '9')
			return len;
	for (const char *p = last + 1; p < loc + len; p++)
		if (*p < '0' || *p > '9')
			return len;
	return (size_t)(last - loc);
}

bool frame_name__is_js(const char *raw)
{
	for (size_t i = 0; i < sizeof(js_kinds) / sizeof(js_kinds[0]); i++)
		if (strncmp(raw, js_kinds[i], strlen(js_kinds[i])) == 0)
			return true;
	return false;
}

void frame_name__from_perfmap(const char *raw, enum frame_style style,
			      const char *sep, char *out, size_t outlen)
{
	const char *body = NULL, *space, *name;
	size_t namelen, loclen = 0, pos = 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; i < sizeof(js_kinds) / sizeof(js_kinds[0]); i++) {
		size_t n = strlen(js_kinds[i]);

		if (strncmp(raw, js_kinds[i], n) == 0) {
			body = raw + n;
			break;
		}
	}
	/* Without --interpreted-frames-native-stack every interpreted function
	 * returns into this one shared builtin: say what it is. */
	if (strcmp(raw, "Builtin:InterpreterEntryTrampoline") == 0) {
		frame_name__sanitize(FRAME_NAME_INTERPRETED, sep, out, outlen);
		return;
	}
	if (!body) { /* builtins, stubs, regexps, handlers: keep as written */
		frame_name__sanitize(raw, sep, out, outlen);
		return;
	}
	while (*body && strchr("*~^+'", *body))
		body++;
	/* "name location": the location is the last word; names may hold
	 * spaces ("get foo"). A body without a space is a bare name. */
	space = strrchr(body, ' ');
	name = body;
	namelen = space ? (size_t)(space - body) : strlen(body);
	if (space)
		loclen = location_without_column(space + 1, strlen(space + 1));
	while (namelen && name[namelen - 1] == ' ')
		namelen--;
	if (namelen == 0 && style == FRAME_STYLE_FUNCTION && loclen) {
		/* "(anonymous app.js:12)": two anonymous functions stay two
		 * frames; the file's base name keeps the frame short. */
		const char *loc = space + 1, *base = loc;

		for (size_t i = 0; i < loclen; i++)
			if (loc[i] == '/')
				base = loc + i + 1;
		put(out, outlen, &pos, "(anonymous ", 11);
		append_sanitized(base, loclen - (size_t)(base - loc), sep, out, outlen, &pos);
		put(out, outlen, &pos, ")", 1);
		out[pos] = '\0';
		replace_joined_separators(out, sep);
		return;
	}
	if (namelen == 0) {
		name = "(anonymous)";
		namelen = strlen(name);
	}
	append_sanitized(name, namelen, sep, out, outlen, &pos);
	if (style == FRAME_STYLE_LOCATION && loclen && put(out, outlen, &pos, " ", 1)) {
		append_sanitized(space + 1, loclen, sep, out, outlen, &pos);
		replace_joined_separators(out, sep);
	}
}

void frame_name__module(const char *path, const char *sep, char *out,
			size_t outlen)
{
	const char *base = strrchr(path, '/');
	size_t pos = 0;

	if (outlen == 0)
		return;
	base = base ? base + 1 : path;
	if (!*base)
		base = "unknown";
	if (put(out, outlen, &pos, "[", 1)) {
		append_sanitized(base, strlen(base), sep, out, outlen, &pos);
		put(out, outlen, &pos, "]", 1);
	}
	out[pos] = '\0';
	replace_joined_separators(out, sep);
}
