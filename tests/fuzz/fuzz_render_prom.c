// SPDX-License-Identifier: MIT
/* fuzz_render_prom: libFuzzer target for render_prom, the Prometheus text
 * exposition (format 0.0.4) of signature trees whose frame names come from
 * hostile perf maps.
 *
 * Input: byte 0 is flags (names through frame_name__sanitize or raw, weight,
 * separator "#" or ";"); the rest is records split at NUL bytes. The first
 * record is the comm label (any bytes: a process names itself); each other
 * one adds a frame: its first byte picks the parent among the nodes so far,
 * its second the samples (low nibble in the completed window, high nibble
 * after it), the rest is the frame name: quotes, backslashes, newlines,
 * invalid UTF-8, separators, anything.
 *
 * A small parser of the exposition then checks: it is valid UTF-8 (even
 * from raw names and comm: Prometheus drops a scrape that is not), every
 * line is a HELP/TYPE comment or a well-formed sample (quoting balanced, only \\ \" \n escapes,
 * no raw newline in a label value), each family has exactly the expected
 * number of series and the expected sample sums; with sanitized names,
 * every signature splits into exactly its frames and no series repeats. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame_name.h"
#include "render_prom.h"
#include "strtab.h"
#include "tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NODES 512

struct parsed {
	size_t profile, seconds, comments;
	double profile_sum, root_profile;
	char **sigs[2];      /* unescaped signatures by family */
	size_t n_sigs[2];
};

static void fail(const char *why, const char *line, size_t len)
{
	fprintf(stderr, "bad exposition: %s: '%.*s'\n", why, (int)len, line);
	abort();
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

/* Parses one sample line (no newline in it) into p. */
static void parse_sample(struct parsed *p, const char *line, size_t len)
{
	const char *s = line, *end = line + len, *name = s;
	struct buf sig;
	char num[64];
	char *nend;
	double v;
	int fam;

	while (s < end && name_char(*s, s == name))
		s++;
	if (s == name || s == end || *s != '{')
		fail("sample name", line, len);
	if ((size_t)(s - name) == strlen("promfiler_cpu_profile") &&
	    memcmp(name, "promfiler_cpu_profile", (size_t)(s - name)) == 0)
		fam = 0;
	else if ((size_t)(s - name) == strlen("promfiler_cpu_seconds_total") &&
		 memcmp(name, "promfiler_cpu_seconds_total", (size_t)(s - name)) == 0)
		fam = 1;
	else
		fail("unknown family", line, len);
	s++;
	buf__init(&sig);
	for (bool first = true;; first = false) {
		const char *label = s;
		bool is_sig;

		while (s < end && name_char(*s, s == label) && *s != ':')
			s++;
		if (s == label || end - s < 2 || s[0] != '=' || s[1] != '"')
			fail("label name", line, len);
		is_sig = (size_t)(s - label) == 9 && memcmp(label, "signature", 9) == 0;
		if (first != is_sig)
			fail("signature must come first, once", line, len);
		for (s += 2; s < end && *s != '"'; s++) {
			char c = *s;

			if (c == '\\') {
				if (++s == end)
					fail("dangling backslash", line, len);
				if (*s == 'n')
					c = '\n';
				else if (*s == '\\' || *s == '"')
					c = *s;
				else
					fail("unknown escape", line, len);
			}
			if (is_sig)
				buf__append(&sig, &c, 1);
		}
		if (s == end)
			fail("unterminated label value", line, len);
		s++;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '}')
			break;
		fail("after a label value", line, len);
	}
	s++;
	if (s == end || *s != ' ' || (size_t)(end - s - 1) >= sizeof(num))
		fail("value", line, len);
	memcpy(num, s + 1, (size_t)(end - s - 1));
	num[end - s - 1] = '\0';
	v = strtod(num, &nend);
	if (nend == num || *nend || !isfinite(v) || v < 0)
		fail("value", line, len);
	if (buf__error(&sig))
		abort();
	if (fam == 0) {
		p->profile++;
		p->profile_sum += v;
		if (sig.data && strcmp(sig.data, "(root)") == 0)
			p->root_profile = v;
	} else {
		p->seconds++;
	}
	p->sigs[fam] = realloc(p->sigs[fam], (p->n_sigs[fam] + 1) * sizeof(char *));
	if (!p->sigs[fam])
		abort();
	p->sigs[fam][p->n_sigs[fam]++] = sig.data ? sig.data : strdup("");
}

/* Strict UTF-8 (RFC 3629), which the text format requires of the whole
 * exposition: one bad byte in a label value and Prometheus rejects the
 * scrape, every process's series with it. */
static bool valid_utf8(const unsigned char *s, size_t len)
{
	const unsigned char *end = s + len;

	while (s < end) {
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
		if ((size_t)(end - s) < n)
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

static void parse(struct parsed *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;

	if (len && text[len - 1] != '\n')
		fail("no final newline", text, len);
	if (memchr(text, '\0', len))
		fail("NUL byte", text, len);
	if (!valid_utf8((const unsigned char *)text, len))
		fail("not valid UTF-8", text, len);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)(nl - s);

		if (n >= 7 && (memcmp(s, "# HELP ", 7) == 0 || memcmp(s, "# TYPE ", 7) == 0))
			p->comments++;
		else
			parse_sample(p, s, n);
		s = nl + 1;
	}
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Signatures of sanitized frames: unique, and each splits into frames that
 * are all names of the tree. */
static void check_signatures(struct parsed *p, const struct strtab *st,
			     const char *sep)
{
	for (int f = 0; f < 2; f++) {
		if (p->n_sigs[f])
			qsort(p->sigs[f], p->n_sigs[f], sizeof(char *), by_str);
		for (size_t i = 0; i < p->n_sigs[f]; i++) {
			char *copy, *frame, *rest;

			if (i && strcmp(p->sigs[f][i - 1], p->sigs[f][i]) == 0)
				fail("series repeated", p->sigs[f][i], strlen(p->sigs[f][i]));
			if (strncmp(p->sigs[f][i], "(root)", 6) != 0)
				fail("signature without (root)", p->sigs[f][i], strlen(p->sigs[f][i]));
			copy = strdup(p->sigs[f][i]);
			if (!copy)
				abort();
			for (rest = copy; rest; rest = frame) {
				char *at = strstr(rest, sep);

				frame = at ? at + strlen(sep) : NULL;
				if (at)
					*at = '\0';
				bool known = false;

				for (size_t id = 0; id < strtab__count(st) && !known; id++)
					known = strcmp(strtab__get(st, (uint32_t)id), rest) == 0;
				if (!known)
					fail("signature splits into an unknown frame",
					     p->sigs[f][i], strlen(p->sigs[f][i]));
			}
			free(copy);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[FRAME_NAME_MAX];
	uint32_t ids[MAX_NODES];
	uint64_t window_sum = 0;
	size_t n_ids = 1, want_profile = 0, want_seconds = 0;
	struct parsed p = { 0 };
	struct strtab *st;
	struct tree *t;
	struct buf out;
	const char *sep;
	char *copy, *rec, *next, *comm;
	uint8_t flags;
	bool sanitize;
	uint64_t *incl, *later;

	if (size < 1)
		return 0;
	flags = data[0];
	sanitize = flags & 1;
	sep = flags & 4 ? ";" : "#";
	copy = malloc(size);
	st = strtab__new();
	t = tree__new(0);
	later = calloc(MAX_NODES, sizeof(*later));
	if (!copy || !st || !t || !later || strtab__intern(st, "(root)") != 0)
		abort();
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	comm = copy;
	ids[0] = TREE_ROOT;
	rec = memchr(copy, '\0', size) + 1;
	/* Records end at each NUL; the last at the end of the copy. */
	for (; rec < copy + size && n_ids < MAX_NODES; rec = next) {
		size_t len = strlen(rec);
		uint32_t parent, frame, node;
		size_t before = tree__size(t);

		next = rec + len + 1;
		if (len < 2)
			continue;
		parent = ids[(uint8_t)rec[0] % n_ids];
		if (sanitize) {
			frame_name__sanitize(rec + 2, sep, name, sizeof(name));
			frame = strtab__intern(st, name);
		} else {
			frame = strtab__intern(st, rec + 2);
		}
		if (frame == STRTAB_NONE)
			abort();
		node = tree__child(t, parent, frame);
		if (node == TREE_NONE)
			abort();
		if (tree__size(t) > before)
			ids[n_ids++] = node;
		tree__add(t, node, (uint8_t)rec[1] & 0x0f);
		later[node] += (uint8_t)rec[1] >> 4;
		window_sum += (uint8_t)rec[1] & 0x0f;
	}
	tree__end_window(t);
	for (uint32_t i = 0; i < tree__size(t); i++)
		tree__add(t, i, later[i]);

	/* What the exposition must hold. */
	incl = calloc(tree__size(t), sizeof(*incl));
	if (!incl)
		abort();
	for (size_t i = 0; i < tree__size(t); i++)
		incl[i] = tree__node(t, (uint32_t)i)->self_window;
	for (size_t i = tree__size(t) - 1; i > 0; i--)
		incl[tree__node(t, (uint32_t)i)->parent] += incl[i];
	for (size_t i = 0; i < tree__size(t); i++) {
		want_profile += incl[i] > 0;
		want_seconds += tree__node(t, (uint32_t)i)->self_total > 0;
	}

	{
		const struct prom_label labels[] = { { "pid", "4242" }, { "comm", comm } };
		const struct prom_profile prof = { t, labels, 2 };
		const struct prom_profile_opts opts = {
			.frames = st, .separator = sep,
			.weight = flags & 2 ? PROM_WEIGHT_TOTAL : PROM_WEIGHT_SELF,
			.seconds_per_sample = 1.0 / 97,
		};

		buf__init(&out);
		if (render_prom__profiles(&out, &prof, 1, &opts))
			abort();
		parse(&p, out.data ? out.data : "", out.len);
		if (p.comments != 4)
			fail("HELP and TYPE once per family", out.data, out.len);
		if (p.profile != want_profile || p.seconds != want_seconds) {
			fprintf(stderr, "series: profile %zu (want %zu), seconds %zu (want %zu)\n",
				p.profile, want_profile, p.seconds, want_seconds);
			abort();
		}
		if (opts.weight == PROM_WEIGHT_SELF ? p.profile_sum != (double)window_sum :
		    p.root_profile != (double)window_sum) {
			fprintf(stderr, "profile values do not add up to %llu\n",
				(unsigned long long)window_sum);
			abort();
		}
		if (sanitize)
			check_signatures(&p, st, sep);
	}
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < p.n_sigs[f]; i++)
			free(p.sigs[f][i]);
		free(p.sigs[f]);
	}
	buf__release(&out);
	free(incl);
	free(later);
	tree__free(t);
	strtab__free(st);
	free(copy);
	return 0;
}
