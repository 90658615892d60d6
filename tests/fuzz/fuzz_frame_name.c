// SPDX-License-Identifier: MIT
/* fuzz_frame_name: libFuzzer target for frame_name, which turns names from
 * perf maps (hostile: any process writes its own) and mapped file paths into
 * the frames of a signature.
 *
 * Input: byte 0 picks the style and the output size, byte 1 the separator
 * ("#", ";", or 1..8 printable ASCII bytes taken from the input, with the
 * rules --separator enforces), the rest is the raw name. For
 * frame_name__from_perfmap (both styles), frame_name__sanitize and
 * frame_name__module it checks the contract of frame_name.h: the output is
 * NUL-terminated inside the buffer, valid UTF-8, and free of the separator.
 * The buffer is heap-allocated to its exact size, so ASan sees any write
 * past it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 (RFC 3629): no overlongs, surrogates, or code points past
 * U+10FFFF. */
static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned int cp;
		size_t n;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 2, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 3, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 4, cp = *s & 0x07;
		else
			return false;
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

static void check(const char *what, const char *raw, const char *sep,
		  const char *out, size_t outlen)
{
	const char *bad = NULL;

	if (!memchr(out, '\0', outlen))
		bad = "not NUL-terminated";
	else if (!valid_utf8((const unsigned char *)out))
		bad = "not valid UTF-8";
	else if (strstr(out, sep))
		bad = "holds the separator";
	if (bad) {
		fprintf(stderr, "%s(\"%s\", sep \"%s\", outlen %zu) = \"%s\": %s\n",
			what, raw, sep, outlen, out, bad);
		abort();
	}
}

/* A separator --separator accepts, from printable ASCII: 1..8 bytes, no
 * quote, backslash or newline, and not all of "_-.~". */
static size_t pick_separator(uint8_t sel, const uint8_t *data, size_t size,
			     char *sep)
{
	size_t n = 1 + (sel >> 2) % 8, used = 0;

	if ((sel & 3) == 0) {
		strcpy(sep, "#");
		return 0;
	}
	if ((sel & 3) == 1) {
		strcpy(sep, ";");
		return 0;
	}
	for (size_t i = 0; i < n && used < size; used++) {
		char c = (char)(0x20 + data[used] % 95);

		if (c == '"' || c == '\\')
			continue;
		sep[i++] = c;
		sep[i] = '\0';
	}
	if (!used || !sep[0] || (strchr(sep, '_') && strchr(sep, '-') &&
				 strchr(sep, '.') && strchr(sep, '~')))
		strcpy(sep, "#");
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sep[9] = "";
	size_t outlen, used;
	char *raw, *out;
	uint8_t flags;

	if (size < 2)
		return 0;
	flags = data[0];
	used = pick_separator(data[1], data + 2, size - 2, sep);
	data += 2 + used;
	size -= 2 + used;
	/* Names hold no NUL (perf map lines with one are dropped). */
	raw = strndup((const char *)data, size);
	if (!raw)
		abort();
	/* Small buffers test truncation on a character boundary. */
	outlen = flags & 4 ? 1 + (flags >> 3) : FRAME_NAME_MAX;
	out = malloc(outlen);
	if (!out)
		abort();

	memset(out, 'X', outlen);
	frame_name__from_perfmap(raw, flags & 1 ? FRAME_STYLE_LOCATION : FRAME_STYLE_FUNCTION,
				 sep, out, outlen);
	check("from_perfmap", raw, sep, out, outlen);
	memset(out, 'X', outlen);
	frame_name__from_perfmap(raw, flags & 1 ? FRAME_STYLE_FUNCTION : FRAME_STYLE_LOCATION,
				 sep, out, outlen);
	check("from_perfmap", raw, sep, out, outlen);
	memset(out, 'X', outlen);
	frame_name__sanitize(raw, sep, out, outlen);
	check("sanitize", raw, sep, out, outlen);
	memset(out, 'X', outlen);
	frame_name__module(raw, sep, out, outlen);
	check("module", raw, sep, out, outlen);
	free(out);
	free(raw);
	return 0;
}
