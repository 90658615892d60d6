// SPDX-License-Identifier: MIT
/* fuzz_perfmap: libFuzzer target for perfmap, the reader of V8 perf maps
 * (/tmp/perf-PID.map), which any profiled process can write: hostile input.
 *
 * The input is the file's content. It is written in two parts (split at a
 * point derived from the input), with a refresh after each, so the
 * incremental reader sees an unfinished last line, as it does while V8
 * writes. A quarter of the inputs are then appended again and again, with a
 * refresh after each copy, so that the names outgrow what perfmap keeps
 * before it compacts them. Then lookups are compared with a naive model of
 * the format's rules (perfmap.h): among the well-formed complete lines of
 * the whole file, the last one covering an address names it. Any difference
 * aborts. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LOOKUPS 64
#define COPIES 24 /* of a 4 kB input: past perfmap's 64 kB of names */

struct entry {
	uint64_t start, end;
	const char *name; /* into the model's copy of the input */
	size_t name_len;
};

static char path[64];

static void remove_file(void)
{
	unlink(path);
}

static void die(const char *what)
{
	perror(what);
	abort();
}

static void write_at(int fd, const uint8_t *p, size_t n, off_t at)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, at);

		if (w <= 0)
			die("pwrite");
		p += w;
		n -= (size_t)w;
		at += w;
	}
}

/* The reference parser of one hex field: optional 0x, 1..16 digits, one
 * space. Returns the rest of the line or NULL. */
static const char *model_hex(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; p < end; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (digits == 16)
			return NULL;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits || p == end || *p != ' ')
		return NULL;
	*out = v;
	return p + 1;
}

/* Entries of the complete, well-formed lines of text, in file order. */
static size_t model_parse(const char *text, size_t len, struct entry *out)
{
	size_t n = 0;
	const char *p = text, *end = text + len;

	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q;
		uint64_t start, size;

		if (!nl)
			break;
		if (nl - p < PERFMAP_MAX_LINE && (q = model_hex(p, nl, &start)) &&
		    (q = model_hex(q, nl, &size)) && size && start + size >= start &&
		    q < nl && !memchr(q, '\0', (size_t)(nl - q))) {
			out[n].start = start;
			out[n].end = start + size;
			out[n].name = q;
			out[n].name_len = (size_t)(nl - q);
			n++;
		}
		p = nl + 1;
	}
	return n;
}

static const struct entry *model_lookup(const struct entry *e, size_t n,
					uint64_t addr)
{
	while (n--)
		if (e[n].start <= addr && addr < e[n].end)
			return &e[n];
	return NULL;
}

static void check(struct perfmap *m, const struct entry *e, size_t n,
		  uint64_t addr)
{
	const char *got = perfmap__lookup(m, addr);
	const struct entry *want = model_lookup(e, n, addr);

	if (!got && !want)
		return;
	if (!got || !want || strlen(got) != want->name_len ||
	    memcmp(got, want->name, want->name_len) != 0) {
		fprintf(stderr, "lookup %#llx: got '%s', want '%.*s'\n",
			(unsigned long long)addr, got ? got : "(none)",
			want ? (int)want->name_len : 6, want ? want->name : "(none)");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap_stats st;
	struct perfmap *m;
	struct entry *e;
	uint8_t *file;
	size_t split = 0, n, lookups = 0, copies, len;
	uint64_t h = 1469598103934665603ULL;
	int fd, err;

	if (!path[0]) {
		/* tmpfs when there is one: the target is I/O bound otherwise. */
		snprintf(path, sizeof(path), "%s/fuzz-perfmap.XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			die("mkstemp");
		close(fd);
		atexit(remove_file);
	}
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	split = size ? (size_t)(h % (size + 1)) : 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		die("open");
	m = perfmap__new(path);
	if (!m)
		die("perfmap__new");
	write_at(fd, data, split, 0);
	err = perfmap__refresh(m);
	if (err)
		fprintf(stderr, "refresh: %s\n", strerror(-err)), abort();
	write_at(fd, data + split, size - split, (off_t)split);
	err = perfmap__refresh(m);
	if (err)
		fprintf(stderr, "refresh: %s\n", strerror(-err)), abort();
	copies = (h >> 8) % 4 == 0 ? COPIES : 1;
	for (size_t c = 1; c < copies; c++) {
		write_at(fd, data, size, (off_t)(c * size));
		err = perfmap__refresh(m);
		if (err)
			fprintf(stderr, "refresh: %s\n", strerror(-err)), abort();
	}
	close(fd);
	/* Nothing new: one more refresh changes nothing. */
	if (perfmap__refresh(m))
		abort();

	len = size * copies;
	file = malloc(len + 1);
	e = malloc((len / 2 + 1) * sizeof(*e));
	if (!file || !e)
		die("malloc");
	for (size_t c = 0; c < copies; c++)
		memcpy(file + c * size, data, size);
	n = model_parse((const char *)file, len, e);
	perfmap__stats(m, &st);
	if (st.entries != n) {
		fprintf(stderr, "entries %llu, model %zu\n",
			(unsigned long long)st.entries, n);
		abort();
	}
	if (st.bytes_read < len) /* read again when a line was unfinished */
		abort();
	/* Both ends of every range (and just outside them), then addresses
	 * spread over the input's first entry. */
	for (size_t i = n; i-- > 0 && lookups < MAX_LOOKUPS; lookups += 4) {
		check(m, e, n, e[i].start);
		check(m, e, n, e[i].end - 1);
		check(m, e, n, e[i].end);
		check(m, e, n, e[i].start - 1);
	}
	check(m, e, n, 0);
	check(m, e, n, UINT64_MAX);
	/* And some of the first copy's entries, which later copies covered. */
	for (size_t i = 0; i < n && i < 16; i++)
		check(m, e, n, e[i].start + (e[i].end - e[i].start) / 2);
	check(m, e, n, h);
	free(e);
	free(file);
	perfmap__free(m);
	return 0;
}
