// SPDX-License-Identifier: MIT
/* microbench: userspace micro-benchmarks of the agent's own modules on
 * synthetic input, for `make bench` (scripts/bench/run.sh) and its smoke test
 * (tests/integration/test_bench_smoke.sh). It links every src/ module but
 * main.o and needs no root and no BPF:
 *
 *   perfmap    perfmap__refresh over a generated V8 perf map (--perfmap-mb)
 *   symbolize  symbolizer__frame over JS frames (a perf map), native frames
 *              (this process's own executable mappings: ELF symbols) and a
 *              mix of both
 *   render     render_prom__profiles of a tree giving N series (--series)
 *   gzip       that exposition gzipped as src/http.c does (zlib level 1)
 *
 * Each benchmark runs --runs times; one JSON line per benchmark on stdout
 * gives its size and the CPU time of every run ("seconds", the thread's
 * CLOCK_THREAD_CPUTIME_ID: on a shared machine, wall time would also count
 * the time other processes held the CPU) and its wall time ("wall"), so the
 * caller takes medians. Under valgrind --tool=callgrind each measured body
 * (the last run's) is bracketed by client requests: stats are zeroed before
 * it and dumped after it with the benchmark's name ("bench:render:10000"),
 * so instruction counts leave input generation out. Without valgrind the
 * requests cost a few instructions.
 *
 * Input is generated from a fixed seed: two runs measure the same work. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#ifndef HAVE_CALLGRIND
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#include "buf.h"
#include "elfsym.h"
#include "perfmap.h"
#include "procfs.h"
#include "render_prom.h"
#include "strtab.h"
#include "symbolize.h"
#include "tree.h"

struct opts {
	const char *dir;          /* where the generated perf maps go */
	unsigned int perfmap_mb;
	unsigned int frames;      /* frames per symbolize run */
	unsigned int series[8];
	size_t n_series;
	unsigned int runs;
	const char *only;         /* one benchmark, or NULL for all */
};

/* xorshift64*: the same input on every run. Each benchmark starts from the
 * seed, so its input does not depend on which others ran. */
#define RNG_SEED 0x9e3779b97f4a7c15ULL
static uint64_t rng_state = RNG_SEED;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* A run's CPU time (this thread) and wall time, in seconds. */
struct timing {
	double cpu, wall;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timing now(void)
{
	return (struct timing){ clock_s(CLOCK_THREAD_CPUTIME_ID), clock_s(CLOCK_MONOTONIC) };
}

static struct timing since(struct timing t0)
{
	struct timing t = now();

	return (struct timing){ t.cpu - t0.cpu, t.wall - t0.wall };
}

static void print_times(const struct timing *t, unsigned int n)
{
	printf("\"seconds\":[");
	for (unsigned int i = 0; i < n; i++)
		printf("%s%.6f", i ? "," : "", t[i].cpu);
	printf("],\"wall\":[");
	for (unsigned int i = 0; i < n; i++)
		printf("%s%.6f", i ? "," : "", t[i].wall);
	printf("]}\n");
	fflush(stdout);
}

/* A function name as JS code has them: camelCase from a few syllables. */
static void js_name(char *out, size_t len, uint64_t id)
{
	static const char *const syl[] = {
		"get", "set", "handle", "parse", "render", "load", "user", "request",
		"buffer", "emit", "read", "write", "stream", "json", "route", "next",
		"match", "query", "cache", "resolve", "map", "filter", "reduce", "item",
	};
	const size_t n = sizeof(syl) / sizeof(syl[0]);
	size_t o = 0;

	o += (size_t)snprintf(out + o, len - o, "%s", syl[id % n]);
	id /= n;
	for (int i = 0; i < 2 && o < len; i++, id /= n) {
		const char *s = syl[id % n];

		o += (size_t)snprintf(out + o, len - o, "%c%s", s[0] - 32, s + 1);
	}
	if (o < len)
		snprintf(out + o, len - o, "%" PRIu64, id % 1000);
}

/* One perf map line in the forms V8 writes (see frame_name.h). */
static int map_line(char *out, size_t len, uint64_t start, uint64_t size,
		    uint64_t id)
{
	static const char tiers[] = "*~^+";
	char name[96];
	uint64_t kind = id % 20;

	js_name(name, sizeof(name), id);
	if (kind == 0)
		return snprintf(out, len, "%" PRIx64 " %" PRIx64 " Builtin:%s\n",
				start, size, name);
	if (kind == 1)
		return snprintf(out, len, "%" PRIx64 " %" PRIx64 " Stub:%s\n",
				start, size, name);
	if (kind == 2)
		return snprintf(out, len, "%" PRIx64 " %" PRIx64 " RegExp:^(%s|\\d+)$\n",
				start, size, name);
	return snprintf(out, len,
			"%" PRIx64 " %" PRIx64 " JS:%c%s /srv/app/node_modules/pkg%" PRIu64
			"/lib/%s.js:%" PRIu64 ":%" PRIu64 "\n",
			start, size, tiers[id % 4], name, id % 300, name,
			1 + id % 2000, 1 + id % 80);
}

#define JIT_BASE 0x3a0000000000ULL

/* Writes a perf map of about `bytes` to path: code placed at growing
 * addresses, with one line in ten reusing an earlier address (V8 reuses
 * code space; the newer line must win). Returns the number of lines, and
 * the end of the address range through *end. */
static long gen_perfmap(const char *path, uint64_t bytes, uint64_t *end)
{
	FILE *f = fopen(path, "w");
	uint64_t addr = JIT_BASE, written = 0;
	long lines = 0;
	char line[512];

	if (!f)
		return -errno;
	while (written < bytes) {
		uint64_t size = 0x40 + below(0x800) * 8, start = addr;
		int n;

		if (lines > 100 && below(10) == 0)
			start = JIT_BASE + below((addr - JIT_BASE) / 16) * 16;
		else
			addr += size;
		n = map_line(line, sizeof(line), start, size, (uint64_t)lines * 7919 + 13);
		fwrite(line, 1, (size_t)n, f);
		written += (uint64_t)n;
		lines++;
	}
	if (fclose(f))
		return -errno;
	*end = addr;
	return lines;
}

static int bench_perfmap(const struct opts *o)
{
	char path[4096];
	struct timing t[64];
	uint64_t end;
	struct perfmap_stats st = { 0 };
	long lines;

	rng_state = RNG_SEED;
	snprintf(path, sizeof(path), "%s/microbench-%d.map", o->dir, (int)getpid());
	lines = gen_perfmap(path, (uint64_t)o->perfmap_mb << 20, &end);
	if (lines < 0) {
		fprintf(stderr, "microbench: %s: %s\n", path, strerror((int)-lines));
		return 1;
	}
	for (unsigned int r = 0; r < o->runs; r++) {
		struct perfmap *m = perfmap__new(path);
		struct timing t0;
		int err = 0;

		if (!m)
			return 1;
		if (r == o->runs - 1)
			CALLGRIND_ZERO_STATS;
		t0 = now();
		/* A refresh reads at most PERFMAP_MAX_READ: as the agent does
		 * over several drains, read until nothing is left. */
		do {
			uint64_t before = st.bytes_read;

			err = perfmap__refresh(m);
			perfmap__stats(m, &st);
			if (st.bytes_read == before)
				break;
		} while (!err);
		t[r] = since(t0);
		if (r == o->runs - 1)
			CALLGRIND_DUMP_STATS_AT("bench:perfmap");
		perfmap__free(m);
		if (err) {
			fprintf(stderr, "microbench: perfmap: %s\n", strerror(-err));
			unlink(path);
			return 1;
		}
	}
	unlink(path);
	printf("{\"bench\":\"perfmap\",\"bytes\":%" PRIu64 ",\"lines\":%ld,"
	       "\"entries\":%" PRIu64 ",\"ranges\":%zu,", st.bytes_read, lines,
	       st.entries, st.ranges);
	print_times(t, o->runs);
	return 0;
}

/* Frame addresses: JS ones inside the perf map's code, native ones inside
 * this process's executable file mappings. */
static int pick_frames(uint64_t *js, uint64_t *native, size_t n, uint64_t jit_end)
{
	struct procmaps pm = { 0 };
	size_t files = 0;
	int err = procmaps__load_pid(getpid(), &pm);

	if (err)
		return err;
	for (size_t i = 0; i < pm.count; i++)
		files += pm.maps[i].path[0] == '/';
	if (!files) {
		procmaps__release(&pm);
		return -ENOENT;
	}
	for (size_t i = 0; i < n; i++) {
		const struct procmap *m;

		js[i] = JIT_BASE + below(jit_end - JIT_BASE);
		do
			m = &pm.maps[below(pm.count)];
		while (m->path[0] != '/');
		native[i] = m->start + below(m->end - m->start);
	}
	procmaps__release(&pm);
	return 0;
}

static int bench_symbolize(const struct opts *o)
{
	static const char *const kinds[] = { "js", "native", "mix" };
	const size_t n = o->frames;
	uint64_t *js = calloc(n, sizeof(*js)), *native = calloc(n, sizeof(*native));
	uint64_t *ips = calloc(n, sizeof(*ips));
	char path[4096];
	uint64_t jit_end;
	long lines;
	int rc = 1;

	rng_state = RNG_SEED;
	snprintf(path, sizeof(path), "%s/microbench-sym-%d.map", o->dir, (int)getpid());
	/* 2 MB: about 20k functions, a large application's worth. */
	lines = gen_perfmap(path, 2u << 20, &jit_end);
	if (!js || !native || !ips || lines < 0 || pick_frames(js, native, n, jit_end))
		goto out;
	for (size_t i = 0; i < n; i++) /* three JS frames in four */
		ips[i] = below(4) ? js[i] : native[i];
	for (size_t k = 0; k < 3; k++) {
		const uint64_t *set = k == 0 ? js : k == 1 ? native : ips;
		struct timing t[64];
		size_t resolved = 0;
		uint32_t names = 0;
		char label[64];

		for (unsigned int r = 0; r < o->runs; r++) {
			/* A fresh symbolizer and name table per run, warmed by one
			 * pass (perf map read, ELF tables loaded): the measured
			 * pass is the steady state of a long-running agent. */
			struct elfsym_cache *ec = elfsym_cache__new(ELFSYM_DEBUG_DIR);
			struct strtab *st = strtab__new();
			struct symbolize_opts so = { .style = FRAME_STYLE_FUNCTION,
						     .separator = "#", .elfsyms = ec };
			struct symbolizer *s = st && ec ?
				symbolizer__new(getpid(), path, st, &so) : NULL;
			enum frame_kind kind;
			struct timing t0;

			if (!s || symbolizer__refresh(s))
				goto out;
			for (size_t i = 0; i < n; i++)
				symbolizer__frame(s, set[i], &kind);
			snprintf(label, sizeof(label), "bench:symbolize:%s", kinds[k]);
			if (r == o->runs - 1)
				CALLGRIND_ZERO_STATS;
			t0 = now();
			resolved = 0;
			for (size_t i = 0; i < n; i++) {
				uint32_t id = symbolizer__frame(s, set[i], &kind);

				resolved += kind != FRAME_KIND_UNRESOLVED;
				names += id;
			}
			t[r] = since(t0);
			if (r == o->runs - 1)
				CALLGRIND_DUMP_STATS_AT(label);
			symbolizer__free(s);
			strtab__free(st);
			elfsym_cache__free(ec);
		}
		printf("{\"bench\":\"symbolize\",\"kind\":\"%s\",\"frames\":%zu,"
		       "\"resolved\":%zu,\"checksum\":%u,", kinds[k], n, resolved, names);
		print_times(t, o->runs);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "microbench: symbolize: setup failed\n");
	unlink(path);
	free(js);
	free(native);
	free(ips);
	return rc;
}

/* A tree of `nodes` nodes shaped like a Node process's: a native bootstrap
 * trunk, then JS frames; a new node hangs below a recent one more often
 * than not, so signatures are 15 to 60 frames deep. Every node gets self
 * samples, so each gives one series of both families. */
static struct tree *gen_tree(struct strtab *st, size_t nodes)
{
	static const char *const trunk[] = {
		"[libc.so.6]", "node::Start", "node::NodeMainInstance::Run",
		"node::SpinEventLoop", "uv_run", "uv__io_poll", "node::Environment::RunAndClearNativeImmediates",
		"Builtin:JSEntry", "Builtin:JSEntryTrampoline", "processTicksAndRejections",
	};
	uint32_t root = strtab__intern(st, "(root)");
	struct tree *t = tree__new(root);
	uint32_t *depth = calloc(nodes + 16, sizeof(*depth));
	uint32_t node = TREE_ROOT;
	char name[96];

	rng_state = RNG_SEED;
	if (!t || !depth)
		goto fail;
	for (size_t i = 0; i < sizeof(trunk) / sizeof(trunk[0]); i++) {
		node = tree__child(t, node, strtab__intern(st, trunk[i]));
		if (node == TREE_NONE)
			goto fail;
		depth[node] = (uint32_t)i + 1;
	}
	while (tree__size(t) < nodes) {
		size_t size = tree__size(t);
		uint32_t parent = below(10) < 7 ? (uint32_t)(size - 1 - below(size < 8 ? size : 8))
						: (uint32_t)below(size);

		if (depth[parent] >= 60 || parent == TREE_ROOT)
			parent = (uint32_t)(sizeof(trunk) / sizeof(trunk[0]));
		js_name(name, sizeof(name), below(5000));
		node = tree__child(t, parent, strtab__intern(st, name));
		if (node == TREE_NONE)
			goto fail;
		depth[node] = depth[parent] + 1;
	}
	for (size_t i = 0; i < tree__size(t); i++)
		tree__add(t, (uint32_t)i, 1 + below(50));
	tree__end_window(t);
	free(depth);
	return t;
fail:
	free(depth);
	tree__free(t);
	return NULL;
}

/* zlib as src/http.c's gzip_body: level 1, gzip wrapper, one deflate call
 * into a buffer of deflateBound bytes. *out is malloc'ed. 0, -ENOMEM or
 * -EIO. */
static int gzip(const struct buf *in, unsigned char **out, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap;
	int ret;

	*out = NULL;
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, (uLong)in->len);
	*out = malloc(cap);
	if (!*out) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in->data;
	z.avail_in = (uInt)in->len;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	ret = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (ret != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return -EIO;
	}
	return 0;
}

static int bench_render(const struct opts *o)
{
	for (size_t k = 0; k < o->n_series; k++) {
		size_t nodes = o->series[k] / 2; /* two series per node */
		struct strtab *st = strtab__new();
		struct tree *t = st ? gen_tree(st, nodes) : NULL;
		const struct prom_label labels[] = { { "pid", "4242" }, { "comm", "node" } };
		struct prom_profile prof = { .tree = t, .labels = labels, .n_labels = 2 };
		struct prom_profile_opts po = { .frames = st, .separator = "#",
						.weight = PROM_WEIGHT_SELF,
						.seconds_per_sample = 1.0 / 97 };
		struct timing tr[64], tz[64];
		struct buf out;
		unsigned char *z = NULL;
		size_t z_len = 0, series = 0;
		char label[64];

		if (!t) {
			fprintf(stderr, "microbench: render: out of memory\n");
			strtab__free(st);
			return 1;
		}
		buf__init(&out);
		for (unsigned int r = 0; r < o->runs; r++) {
			struct timing t0;

			buf__release(&out); /* as the agent: a new buffer per scrape */
			snprintf(label, sizeof(label), "bench:render:%u", o->series[k]);
			if (r == o->runs - 1)
				CALLGRIND_ZERO_STATS;
			t0 = now();
			if (render_prom__profiles(&out, &prof, 1, &po))
				return 1;
			tr[r] = since(t0);
			if (r == o->runs - 1)
				CALLGRIND_DUMP_STATS_AT(label);
			snprintf(label, sizeof(label), "bench:gzip:%u", o->series[k]);
			if (r == o->runs - 1)
				CALLGRIND_ZERO_STATS;
			free(z);
			t0 = now();
			if (gzip(&out, &z, &z_len))
				return 1;
			tz[r] = since(t0);
			if (r == o->runs - 1)
				CALLGRIND_DUMP_STATS_AT(label);
		}
		for (size_t i = 0; i < out.len; i++)
			series += out.data[i] == '\n';
		series -= 4; /* HELP and TYPE of both families */
		printf("{\"bench\":\"render\",\"series\":%zu,\"nodes\":%zu,\"bytes\":%zu,",
		       series, tree__size(t), out.len);
		print_times(tr, o->runs);
		printf("{\"bench\":\"gzip\",\"series\":%zu,\"bytes\":%zu,\"gzip_bytes\":%zu,",
		       series, out.len, z_len);
		print_times(tz, o->runs);
		buf__release(&out);
		free(z);
		tree__free(t);
		strtab__free(st);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: microbench [--quick] [--only perfmap|symbolize|render]\n"
		"                  [--dir DIR] [--perfmap-mb N] [--frames N]\n"
		"                  [--series N[,N...]] [--runs N]\n"
		"  defaults: --perfmap-mb 100 --frames 1000000 --series 1000,10000,100000\n"
		"            --runs 5 --dir /tmp; --quick: 1 MB, 10000 frames,\n"
		"            100,1000 series, 1 run (seconds, for the smoke test)\n");
}

static bool parse_uint(const char *s, unsigned int min, unsigned int max,
		       unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max || s[0] == '-')
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool parse_series(const char *s, struct opts *o)
{
	char copy[256], *save = NULL;

	if (strlen(s) >= sizeof(copy))
		return false;
	strcpy(copy, s);
	o->n_series = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_series == sizeof(o->series) / sizeof(o->series[0]) ||
		    !parse_uint(tok, 2, 10000000, &o->series[o->n_series++]))
			return false;
	}
	return o->n_series > 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .dir = "/tmp", .perfmap_mb = 100, .frames = 1000000,
			  .series = { 1000, 10000, 100000 }, .n_series = 3,
			  .runs = 5 };
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;

		if (strcmp(a, "--quick") == 0) {
			o.perfmap_mb = 1;
			o.frames = 10000;
			o.series[0] = 100;
			o.series[1] = 1000;
			o.n_series = 2;
			o.runs = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			ok = false;
		} else if (strcmp(a, "--only") == 0) {
			o.only = v;
		} else if (strcmp(a, "--dir") == 0) {
			o.dir = v;
		} else if (strcmp(a, "--perfmap-mb") == 0) {
			ok = parse_uint(v, 1, 4096, &o.perfmap_mb);
		} else if (strcmp(a, "--frames") == 0) {
			ok = parse_uint(v, 1, 100000000, &o.frames);
		} else if (strcmp(a, "--series") == 0) {
			ok = parse_series(v, &o);
		} else if (strcmp(a, "--runs") == 0) {
			ok = parse_uint(v, 1, 64, &o.runs);
		} else {
			ok = false;
		}
		if (!ok) {
			fprintf(stderr, "microbench: bad argument: %s\n", a);
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (o.only && strcmp(o.only, "perfmap") && strcmp(o.only, "symbolize") &&
	    strcmp(o.only, "render")) {
		usage(stderr);
		return 2;
	}
	if (!o.only || strcmp(o.only, "perfmap") == 0)
		rc |= bench_perfmap(&o);
	if (!o.only || strcmp(o.only, "symbolize") == 0)
		rc |= bench_symbolize(&o);
	if (!o.only || strcmp(o.only, "render") == 0)
		rc |= bench_render(&o);
	return rc;
}
