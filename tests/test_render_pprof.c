// SPDX-License-Identifier: MIT
/* Unit tests for render_pprof: the output is gunzipped (zlib) and walked
 * with a tiny protobuf decoder written here, independent of the encoder, and
 * checked field by field against profile.proto
 * (https://github.com/google/pprof/blob/main/proto/profile.proto).
 * `go tool pprof` reads it in tests/integration/test_pprof_file.sh. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fixture_tree.h"
#include "render_pprof.h"

static struct tree *t1, *t2;
static struct buf out;

/* t1 (fixture_tree.h, no early window), last window: main 1, main>fib 5,
 * main>fib>fib 2, gc 3; total adds main>fib 4 from the window being filled.
 * t2: main>fib 10, "a;b" 1. */
static void setup(void)
{
	fixture__init();
	t1 = fixture__process(false);
	t2 = fixture__tree();
	tree__add(t2, child(t2, child(t2, TREE_ROOT, "main"), "fib"), 10);
	tree__add(t2, child(t2, TREE_ROOT, "a;b"), 1);
	tree__end_window(t2);
	buf__init(&out);
}

static void teardown(void)
{
	buf__release(&out);
	tree__free(t1);
	tree__free(t2);
	fixture__fini();
}

TestSuite(render_pprof, .init = setup, .fini = teardown);

/* --- a tiny protobuf reader ------------------------------------------- */

struct pb {
	const uint8_t *p, *end;
};

static uint64_t pb_varint(struct pb *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		cr_assert_lt(r->p, r->end, "varint runs past its message");
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	cr_assert_fail("varint longer than 10 bytes");
	return 0;
}

/* The next field: its number, and its value (varint) or bytes (len). */
static bool pb_next(struct pb *r, unsigned *field, uint64_t *v, struct pb *bytes)
{
	uint64_t key;

	if (r->p == r->end)
		return false;
	key = pb_varint(r);
	*field = (unsigned)(key >> 3);
	switch (key & 7) {
	case 0:
		*v = pb_varint(r);
		bytes->p = bytes->end = NULL;
		break;
	case 2:
		*v = pb_varint(r);
		cr_assert_leq(*v, (uint64_t)(r->end - r->p), "length past the end");
		bytes->p = r->p;
		bytes->end = r->p + *v;
		r->p += *v;
		break;
	default:
		cr_assert_fail("unexpected wire type %u", (unsigned)(key & 7));
	}
	return true;
}

/* A packed repeated varint field (or one unpacked element). */
static size_t pb_repeated(const struct pb *bytes, uint64_t v, uint64_t *dst, size_t n, size_t cap)
{
	struct pb r = *bytes;

	if (!r.p) {
		cr_assert_lt(n, cap);
		dst[n++] = v;
		return n;
	}
	while (r.p < r.end) {
		cr_assert_lt(n, cap);
		dst[n++] = pb_varint(&r);
	}
	return n;
}

#define MAX 64

struct decoded {
	uint64_t sample_type[2][2];
	size_t n_sample_types;
	struct { uint64_t loc[MAX], value[MAX]; size_t n_loc, n_value; } sample[MAX];
	size_t n_samples;
	struct { uint64_t id, function_id; size_t n_lines; } location[MAX];
	size_t n_locations;
	struct { uint64_t id, name, system_name; } function[MAX];
	size_t n_functions;
	char *strings[MAX];
	size_t n_strings;
	uint64_t time_nanos, duration_nanos, period, period_type[2], default_sample_type;
};

static void value_type(struct pb m, uint64_t vt[2])
{
	struct pb b;
	unsigned f;
	uint64_t v;

	while (pb_next(&m, &f, &v, &b))
		if (f == 1 || f == 2)
			vt[f - 1] = v;
}

static void decode(const uint8_t *data, size_t len, struct decoded *d)
{
	struct pb r = { data, data + len }, m, b, lb;
	unsigned f, g, h;
	uint64_t v, w, x;

	memset(d, 0, sizeof(*d));
	while (pb_next(&r, &f, &v, &m)) {
		switch (f) {
		case 1:
			cr_assert_lt(d->n_sample_types, 2);
			value_type(m, d->sample_type[d->n_sample_types++]);
			break;
		case 2:
			cr_assert_lt(d->n_samples, MAX);
			while (pb_next(&m, &g, &w, &b)) {
				if (g == 1)
					d->sample[d->n_samples].n_loc = pb_repeated(&b, w,
						d->sample[d->n_samples].loc, d->sample[d->n_samples].n_loc, MAX);
				else if (g == 2)
					d->sample[d->n_samples].n_value = pb_repeated(&b, w,
						d->sample[d->n_samples].value, d->sample[d->n_samples].n_value, MAX);
			}
			d->n_samples++;
			break;
		case 4:
			cr_assert_lt(d->n_locations, MAX);
			while (pb_next(&m, &g, &w, &b)) {
				if (g == 1)
					d->location[d->n_locations].id = w;
				if (g != 4)
					continue;
				d->location[d->n_locations].n_lines++;
				while (pb_next(&b, &h, &x, &lb))
					if (h == 1)
						d->location[d->n_locations].function_id = x;
			}
			d->n_locations++;
			break;
		case 5:
			cr_assert_lt(d->n_functions, MAX);
			while (pb_next(&m, &g, &w, &b)) {
				if (g == 1)
					d->function[d->n_functions].id = w;
				else if (g == 2)
					d->function[d->n_functions].name = w;
				else if (g == 3)
					d->function[d->n_functions].system_name = w;
			}
			d->n_functions++;
			break;
		case 6:
			cr_assert_lt(d->n_strings, MAX);
			d->strings[d->n_strings++] = strndup((const char *)m.p, v);
			break;
		case 9: d->time_nanos = v; break;
		case 10: d->duration_nanos = v; break;
		case 11: value_type(m, d->period_type); break;
		case 12: d->period = v; break;
		case 14: d->default_sample_type = v; break;
		default: cr_assert_fail("unexpected Profile field %u", f);
		}
	}
}

static void decoded_free(struct decoded *d)
{
	for (size_t i = 0; i < d->n_strings; i++)
		free(d->strings[i]);
}

static const char *str(const struct decoded *d, uint64_t i)
{
	cr_assert_lt(i, d->n_strings, "string index %lu", (unsigned long)i);
	return d->strings[i];
}

/* The name of a location id, through its line's function. */
static const char *loc_name(const struct decoded *d, uint64_t loc)
{
	for (size_t i = 0; i < d->n_locations; i++) {
		if (d->location[i].id != loc)
			continue;
		for (size_t j = 0; j < d->n_functions; j++)
			if (d->function[j].id == d->location[i].function_id)
				return str(d, d->function[j].name);
		cr_assert_fail("location %lu: no function", (unsigned long)loc);
	}
	cr_assert_fail("no location %lu", (unsigned long)loc);
	return NULL;
}

static uint8_t *gunzip(const char *data, size_t len, size_t *out_len)
{
	size_t cap = 1 << 20;
	uint8_t *raw = malloc(cap);
	z_stream zs;

	cr_assert_not_null(raw);
	cr_assert_gt(len, 2);
	cr_assert(data[0] == '\x1f' && data[1] == '\x8b', "gzip magic");
	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = raw;
	zs.avail_out = (uInt)cap;
	cr_assert_eq(inflate(&zs, Z_FINISH), Z_STREAM_END, "one complete gzip member");
	cr_assert_eq(zs.avail_in, 0, "nothing after it");
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return raw;
}

/* Renders and decodes; samples become "leaf<caller<...=count,nanos". */
static void render_decode(const struct tree *const *trees, size_t n,
			  enum profile_count count, struct decoded *d)
{
	const struct pprof_opts opts = {
		.frames = st, .count = count, .seconds_per_sample = 0.01,
		.time_nanos = 1700000000123456789LL, .duration_nanos = 30000000000LL,
	};
	size_t len;
	uint8_t *raw;

	buf__reset(&out);
	cr_assert_eq(render_pprof__profile(&out, trees, n, &opts), 0);
	raw = gunzip(out.data, out.len, &len);
	decode(raw, len, d);
	free(raw);
}

static char *sample_str(const struct decoded *d, size_t i)
{
	char s[512] = "";
	size_t len = 0;

	for (size_t j = 0; j < d->sample[i].n_loc; j++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%s", j ? "<" : "",
					loc_name(d, d->sample[i].loc[j]));
	cr_assert_eq(d->sample[i].n_value, 2, "two values per sample");
	snprintf(s + len, sizeof(s) - len, "=%lu,%lu", (unsigned long)d->sample[i].value[0],
		 (unsigned long)d->sample[i].value[1]);
	return strdup(s);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Asserts the samples, in any order, equal want[0..n). */
static void assert_samples(const struct decoded *d, const char *const *want, size_t n)
{
	char *got[MAX];

	cr_assert_eq(d->n_samples, n, "samples: %zu", d->n_samples);
	for (size_t i = 0; i < n; i++)
		got[i] = sample_str(d, i);
	qsort(got, n, sizeof(*got), by_str);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(got[i], want[i], "sample %zu", i);
		free(got[i]);
	}
}

Test(render_pprof, header_fields)
{
	const struct tree *trees[] = { t1 };
	struct decoded d;

	render_decode(trees, 1, COUNT_WINDOW, &d);
	cr_assert_gt(d.n_strings, 0);
	cr_assert_str_eq(d.strings[0], "", "string_table[0] is \"\"");
	cr_assert_eq(d.n_sample_types, 2);
	cr_assert_str_eq(str(&d, d.sample_type[0][0]), "samples");
	cr_assert_str_eq(str(&d, d.sample_type[0][1]), "count");
	cr_assert_str_eq(str(&d, d.sample_type[1][0]), "cpu");
	cr_assert_str_eq(str(&d, d.sample_type[1][1]), "nanoseconds");
	cr_assert_str_eq(str(&d, d.period_type[0]), "cpu");
	cr_assert_str_eq(str(&d, d.period_type[1]), "nanoseconds");
	cr_assert_str_eq(str(&d, d.default_sample_type), "cpu");
	cr_assert_eq(d.period, 10000000, "0.01 s in ns");
	cr_assert_eq(d.time_nanos, 1700000000123456789ULL);
	cr_assert_eq(d.duration_nanos, 30000000000ULL);
	decoded_free(&d);
}

Test(render_pprof, samples_leaf_first_with_self_counts)
{
	const struct tree *trees[] = { t1 };
	const char *want[] = {
		"fib<fib<main=2,20000000",
		"fib<main=5,50000000",
		"gc=3,30000000",
		"main=1,10000000",
	};
	struct decoded d;

	render_decode(trees, 1, COUNT_WINDOW, &d);
	assert_samples(&d, want, 4);
	decoded_free(&d);
}

/* One location and one function per distinct frame, ids unique and > 0,
 * one line each, names interned once, name = system_name. */
Test(render_pprof, locations_and_functions)
{
	const struct tree *trees[] = { t1 };
	struct decoded d;

	render_decode(trees, 1, COUNT_WINDOW, &d);
	cr_assert_eq(d.n_locations, 3, "main, fib, gc");
	cr_assert_eq(d.n_functions, 3);
	for (size_t i = 0; i < d.n_locations; i++) {
		cr_assert_neq(d.location[i].id, 0);
		cr_assert_eq(d.location[i].n_lines, 1);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(d.location[i].id, d.location[j].id);
	}
	for (size_t i = 0; i < d.n_functions; i++) {
		cr_assert_neq(d.function[i].id, 0);
		cr_assert_eq(d.function[i].name, d.function[i].system_name);
		for (size_t j = 0; j < i; j++) {
			cr_assert_neq(d.function[i].id, d.function[j].id);
			cr_assert_str_neq(str(&d, d.function[i].name), str(&d, d.function[j].name));
		}
	}
	cr_assert_eq(d.n_strings, 5 + 3, "\"\", 4 unit strings, 3 names");
	decoded_free(&d);
}

Test(render_pprof, two_trees_merged_total_count)
{
	const struct tree *trees[] = { t1, t2 };
	const char *want[] = {
		"a;b=1,10000000",
		"fib<fib<main=2,20000000",
		"fib<main=19,190000000",
		"gc=3,30000000",
		"main=1,10000000",
	};
	struct decoded d;

	render_decode(trees, 2, COUNT_TOTAL, &d);
	assert_samples(&d, want, 5);
	decoded_free(&d);
}

Test(render_pprof, empty_and_root_samples)
{
	struct tree *t = fixture__tree();
	const struct tree *trees[] = { t };
	const char *want[] = { "(root)=4,40000000" };
	struct decoded d;

	child(t, TREE_ROOT, "unsampled");
	render_decode(trees, 1, COUNT_WINDOW, &d);
	cr_assert_eq(d.n_samples, 0);
	cr_assert_eq(d.n_locations, 0);
	cr_assert_str_eq(d.strings[0], "");
	decoded_free(&d);

	tree__add(t, TREE_ROOT, 4);
	tree__end_window(t);
	render_decode(trees, 1, COUNT_WINDOW, &d);
	assert_samples(&d, want, 1);
	decoded_free(&d);
	tree__free(t);
}

Test(render_pprof, deterministic_bytes)
{
	const struct tree *trees[] = { t1, t2 };
	const struct pprof_opts opts = {
		.frames = st, .count = COUNT_TOTAL, .seconds_per_sample = 1.0 / 97,
	};
	struct buf again;

	buf__init(&again);
	cr_assert_eq(render_pprof__profile(&out, trees, 2, &opts), 0);
	cr_assert_eq(render_pprof__profile(&again, trees, 2, &opts), 0);
	cr_assert_eq(out.len, again.len);
	cr_assert_eq(memcmp(out.data, again.data, out.len), 0);
	buf__release(&again);
}
