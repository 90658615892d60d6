// SPDX-License-Identifier: MIT
/* render_pprof: pprof protobuf encoding of signature trees; see
 * render_pprof.h. The encoder writes only what profile.proto needs: varints
 * (wire type 0) and length-delimited fields (wire type 2) for strings,
 * nested messages and packed repeated integers
 * (https://protobuf.dev/programming-guides/encoding/). A nested message is
 * encoded into a scratch buffer first, as its length comes before it. */
#include "render_pprof.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Field numbers of profile.proto. */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10, PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12, PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2,
	LOCATION_ID = 1, LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1,
	FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3,
};

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* The fixed head of the string table; frame names follow. */
enum { STR_EMPTY, STR_SAMPLES, STR_COUNT, STR_CPU, STR_NANOSECONDS, STR_FIRST_NAME };
static const char *const fixed_strings[] = {
	[STR_EMPTY] = "", [STR_SAMPLES] = "samples", [STR_COUNT] = "count",
	[STR_CPU] = "cpu", [STR_NANOSECONDS] = "nanoseconds",
};

static void pb_varint(struct buf *b, uint64_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	buf__append(b, tmp, n);
}

static void pb_key(struct buf *b, unsigned field, unsigned wire)
{
	pb_varint(b, (uint64_t)field << 3 | wire);
}

/* An int64 or uint64 field; negative int64s take ten bytes, as specified. */
static void pb_uint(struct buf *b, unsigned field, uint64_t v)
{
	pb_key(b, field, WIRE_VARINT);
	pb_varint(b, v);
}

static void pb_bytes(struct buf *b, unsigned field, const char *data, size_t len)
{
	pb_key(b, field, WIRE_LEN);
	pb_varint(b, len);
	buf__append(b, data, len);
}

/* A nested message from the scratch buffer msg, which is then reset. */
static void pb_message(struct buf *b, unsigned field, struct buf *msg)
{
	pb_bytes(b, field, msg->data ? msg->data : "", msg->len);
	buf__reset(msg);
}

static void value_type(struct buf *b, unsigned field, struct buf *scratch,
		       uint64_t type, uint64_t unit)
{
	pb_uint(scratch, VALUE_TYPE_TYPE, type);
	pb_uint(scratch, VALUE_TYPE_UNIT, unit);
	pb_message(b, field, scratch);
}

/* Writes the samples: for each node with self samples, its location ids
 * (leaf first) and values, both packed. */
static void samples(struct buf *b, const struct profile_view *v,
		    const uint32_t *loc_of, int64_t period, struct buf *msg,
		    struct buf *packed)
{
	for (size_t i = 0; i < v->n_nodes; i++) {
		const struct profile_node *pn = &v->nodes[i];
		uint32_t id = (uint32_t)i;

		if (!pn->self)
			continue;
		do {
			pb_varint(packed, loc_of[v->nodes[id].frame]);
			id = v->nodes[id].parent;
		} while (id != 0 && id != PROFILE_NONE); /* the root is 0 */
		pb_message(msg, SAMPLE_LOCATION_ID, packed);
		pb_varint(packed, pn->self);
		pb_varint(packed, (uint64_t)((int64_t)pn->self * period));
		pb_message(msg, SAMPLE_VALUE, packed);
		pb_message(b, PROFILE_SAMPLE, msg);
	}
}

/* The uncompressed profile. */
static int encode(struct buf *b, const struct profile_view *v,
		  const struct pprof_opts *opts)
{
	struct buf msg, inner;
	uint32_t max_frame = 0, n_locs = 0, *loc_of, *frame_of;
	double sps = opts->seconds_per_sample;
	/* A period that is not a sane number of ns is left out (0). */
	int64_t period = sps > 0 && sps < 1e9 ? llround(sps * 1e9) : 0;
	int err;

	for (size_t i = 0; i < v->n_nodes; i++)
		if (v->nodes[i].frame > max_frame)
			max_frame = v->nodes[i].frame;
	/* Location and function ids are 1, 2, ... by first use; 0 = unused. */
	loc_of = calloc((size_t)max_frame + 1, sizeof(*loc_of));
	frame_of = calloc(v->n_nodes + 1, sizeof(*frame_of));
	if (!loc_of || !frame_of) {
		free(loc_of);
		free(frame_of);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->n_nodes; i++) {
		uint32_t f = v->nodes[i].frame;

		if (i == 0 && !v->nodes[0].self)
			continue; /* the root is in no stack */
		if (!loc_of[f]) {
			loc_of[f] = ++n_locs;
			frame_of[n_locs] = f;
		}
	}

	buf__init(&msg);
	buf__init(&inner);
	value_type(b, PROFILE_SAMPLE_TYPE, &msg, STR_SAMPLES, STR_COUNT);
	value_type(b, PROFILE_SAMPLE_TYPE, &msg, STR_CPU, STR_NANOSECONDS);
	samples(b, v, loc_of, period, &msg, &inner);
	for (uint32_t id = 1; id <= n_locs; id++) {
		pb_uint(&msg, LOCATION_ID, id);
		pb_uint(&inner, LINE_FUNCTION_ID, id);
		pb_message(&msg, LOCATION_LINE, &inner);
		pb_message(b, PROFILE_LOCATION, &msg);
	}
	for (uint32_t id = 1; id <= n_locs; id++) {
		pb_uint(&msg, FUNCTION_ID, id);
		pb_uint(&msg, FUNCTION_NAME, STR_FIRST_NAME + id - 1);
		pb_uint(&msg, FUNCTION_SYSTEM_NAME, STR_FIRST_NAME + id - 1);
		pb_message(b, PROFILE_FUNCTION, &msg);
	}
	for (size_t i = 0; i < STR_FIRST_NAME; i++)
		pb_bytes(b, PROFILE_STRING_TABLE, fixed_strings[i],
			 strlen(fixed_strings[i]));
	for (uint32_t id = 1; id <= n_locs; id++) {
		const char *name = profile_view__name(opts->frames, frame_of[id]);

		pb_bytes(b, PROFILE_STRING_TABLE, name, strlen(name));
	}
	pb_uint(b, PROFILE_TIME_NANOS, (uint64_t)opts->time_nanos);
	pb_uint(b, PROFILE_DURATION_NANOS, (uint64_t)opts->duration_nanos);
	value_type(b, PROFILE_PERIOD_TYPE, &msg, STR_CPU, STR_NANOSECONDS);
	pb_uint(b, PROFILE_PERIOD, (uint64_t)period);
	pb_uint(b, PROFILE_DEFAULT_SAMPLE_TYPE, STR_CPU);

	err = buf__error(&msg) ? buf__error(&msg) : buf__error(&inner);
	buf__release(&msg);
	buf__release(&inner);
	free(loc_of);
	free(frame_of);
	return err ? err : buf__error(b);
}

/* Appends data gzipped (a gzip member, RFC 1952: windowBits 15 + 16). The
 * header's time stays 0, so equal profiles are equal bytes. */
static int gzip_append(struct buf *out, const char *data, size_t len)
{
	z_stream zs;
	uLong bound;
	char *z;
	int err = 0;

	if (len > UINT_MAX)
		return -EOVERFLOW; /* avail_in is an uInt */
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&zs, (uLong)len);
	z = bound <= UINT_MAX ? malloc(bound) : NULL;
	if (!z) {
		deflateEnd(&zs);
		return bound <= UINT_MAX ? -ENOMEM : -EOVERFLOW;
	}
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)z;
	zs.avail_out = (uInt)bound;
	/* deflateBound is enough for a single Z_FINISH call. */
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		err = -ENOMEM;
	else
		buf__append(out, z, zs.total_out);
	deflateEnd(&zs);
	free(z);
	return err ? err : buf__error(out);
}

int render_pprof__profile(struct buf *out, const struct tree *const *trees,
			  size_t n, const struct pprof_opts *opts)
{
	struct profile_view v;
	struct buf raw;
	int err;

	err = profile_view__build(&v, trees, n, opts->frames, opts->count);
	if (err)
		return err;
	buf__init(&raw);
	err = encode(&raw, &v, opts);
	if (!err)
		err = gzip_append(out, raw.data ? raw.data : "", raw.len);
	buf__release(&raw);
	profile_view__release(&v);
	return err;
}
