// SPDX-License-Identifier: MIT
/* v8inline: V8's source position and inlining tables; see v8inline.h. */
#include "v8inline.h"

#include <errno.h>
#include <string.h>

#include "bsearch.h"

void v8inline__unpack(uint64_t raw, struct v8_source_position *out)
{
	out->external = raw & 1;
	out->script_offset = out->external ? -1 : (int32_t)((raw >> 1) & 0x3fffffff) - 1;
	out->inlining_id = (int32_t)((raw >> 31) & 0xffff) - 1;
}

/* One zig-zag VLQ integer at *pos: 0, or -EINVAL (truncated, or more than
 * 64 bits). */
static int read_int(const uint8_t *p, size_t len, size_t *pos, int64_t *v)
{
	uint64_t u = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (*pos >= len || shift > 63)
			return -EINVAL;
		b = p[(*pos)++];
		u |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

/* The next entry of the table at *pos, accumulated into *offset and
 * *position: 1, 0 at the end, or -EINVAL. */
static int next_entry(const uint8_t *table, size_t len, enum v8_offsets kind, size_t *pos,
		      int64_t *offset, int64_t *position)
{
	int64_t d_off, d_pos;

	if (*pos >= len)
		return 0;
	if (read_int(table, len, pos, &d_off) || read_int(table, len, pos, &d_pos))
		return -EINVAL;
	if (kind == V8_OFFSETS_LOW_BIT) {
		if (d_off < 0)
			return -EINVAL;
		d_off >>= 1;
	} else if (d_off < 0) {
		d_off = -(d_off + 1); /* an expression, not a statement */
	}
	if (d_off > INT32_MAX || *offset + d_off > INT32_MAX)
		return -EINVAL;
	*offset += d_off;
	/* A hostile table's deltas may add past int64: refused, not wrapped. */
	if (__builtin_add_overflow(*position, d_pos, position) || *position < 0)
		return -EINVAL;
	return 1;
}

int v8inline__position_at(const uint8_t *table, size_t len, enum v8_offsets kind,
			  uint32_t pc_offset, uint64_t *raw)
{
	int64_t offset = 0, position = 0;
	size_t pos = 0;
	bool found = false;
	int r;

	while ((r = next_entry(table, len, kind, &pos, &offset, &position)) > 0 &&
	       offset <= pc_offset) {
		if (!(position & 1)) { /* JavaScript, not an external line */
			*raw = (uint64_t)position;
			found = true;
		}
	}
	if (r < 0)
		return -EINVAL;
	return found ? 0 : -ENOENT;
}

int v8inline__decode(const uint8_t *table, size_t len, enum v8_offsets kind,
		     struct v8_position_entry *out, size_t max, size_t *n)
{
	int64_t offset = 0, position = 0;
	size_t pos = 0, k = 0;
	int r;

	*n = 0;
	while ((r = next_entry(table, len, kind, &pos, &offset, &position)) > 0) {
		if (position & 1)
			continue; /* external */
		if (k == max)
			return -E2BIG;
		out[k++] = (struct v8_position_entry){ (uint32_t)offset, (uint64_t)position };
	}
	if (r < 0)
		return -EINVAL;
	*n = k;
	return 0;
}

int v8inline__lookup(const struct v8_position_entry *e, size_t n, uint32_t pc_offset,
		     uint64_t *raw)
{
	/* The last entry at or before pc_offset (offsets ascend). */
	size_t lo = COUNT_AT_OR_BELOW(e, n, code_offset, pc_offset);

	if (!lo)
		return -ENOENT;
	*raw = e[lo - 1].position;
	return 0;
}

int v8inline__chain(uint64_t raw, const uint8_t *positions, size_t len,
		    int32_t *fids, size_t max, size_t *n)
{
	size_t count = len / V8INLINE_POSITION_SIZE, k = 0;
	struct v8_source_position sp;
	int64_t last = INT64_MAX;

	*n = 0;
	/* An external position (a C++ or Torque line) is never inlined JS. */
	for (v8inline__unpack(raw, &sp); !sp.external && sp.inlining_id != V8INLINE_NOT_INLINED;
	     v8inline__unpack(raw, &sp)) {
		const uint8_t *e;
		int32_t fid;

		/* Ids strictly descend: the walk ends within count steps. */
		if (sp.inlining_id < 0 || (size_t)sp.inlining_id >= count ||
		    sp.inlining_id >= last)
			return -EINVAL;
		if (k == max)
			return -E2BIG;
		last = sp.inlining_id;
		e = positions + (size_t)sp.inlining_id * V8INLINE_POSITION_SIZE;
		memcpy(&raw, e, sizeof(raw));
		memcpy(&fid, e + 8, sizeof(fid));
		if (fid < 0)
			return -EINVAL;
		fids[k++] = fid;
	}
	/* Found innermost first. */
	for (size_t i = 0; i < k / 2; i++) {
		int32_t t = fids[i];

		fids[i] = fids[k - 1 - i];
		fids[k - 1 - i] = t;
	}
	*n = k;
	return 0;
}
