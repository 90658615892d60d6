// SPDX-License-Identifier: MIT
/* v8code: inlined functions from V8's code objects; contract in v8code.h.
 *
 * Objects read (64-bit tagged values; offsets in bytes of the untagged
 * object; a tagged pointer is the address + 1):
 *   InstructionStream, just before the instructions it holds: its map, then
 *     its Code (tagged) at +8; its header is is_header bytes
 *     (v8dbg_class_InstructionStream__instruction_start).
 *   Code: the DeoptimizationData and the source position table (V8 11.3:
 *     v8dbg_class_Code__deoptimization_data / __source_position_table;
 *     from 12.4 not published, the two fields before Code::wrapper), the
 *     InstructionStream (v8dbg_class_Code__instruction_stream), the raw
 *     instruction start (__instruction_start), flags (__flags: the low 4
 *     bits are the code kind; Maglev and TurboFan follow
 *     v8dbg_CodeKindBaseline) and the instruction size (__instruction_size).
 *   DeoptimizationData: a fixed array (FixedArrayBase::length, a Smi, at +8;
 *     elements from +16) whose elements at v8dbg_DeoptimizationData
 *     LiteralArrayIndex and ...InliningPositionsIndex are the literal array
 *     (a weak fixed array: an SFI slot may be a weak reference, tag 3) and
 *     the inlining positions (a byte array: length at +8, bytes from +16).
 *   The source position table: a byte array.
 * Every pointer followed must be a tagged heap pointer, every length in
 * bounds; the inlined functions' SFIs are validated by v8names when named. */
#include "v8code.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "v8inline.h"

struct code_layout {
	int major, minor;
	uint32_t is_header;
	uint32_t code_deopt, code_positions, code_is, code_start, code_flags, code_size;
	uint32_t dd_literals, dd_inlining;
	uint32_t kind_baseline;
	enum v8_offsets offsets;
};

/* Read off each version's v8dbg_* symbols and checked on its processes. */
static const struct code_layout layouts[] = {
	{ 11, 3, 16, 16, 24, 32, 40, 48, 56, 2, 7, 11, V8_OFFSETS_SIGNED },  /* Node 20 */
	{ 12, 4, 32, 8, 16, 32, 40, 48, 52, 2, 7, 10, V8_OFFSETS_SIGNED },   /* Node 22 */
	{ 13, 6, 32, 8, 16, 32, 40, 52, 56, 3, 8, 10, V8_OFFSETS_SIGNED },   /* Node 24 */
	{ 14, 1, 32, 8, 16, 32, 40, 52, 56, 3, 8, 10, V8_OFFSETS_LOW_BIT },  /* Node 25 */
	{ 14, 6, 32, 8, 16, 32, 40, 52, 56, 3, 8, 11, V8_OFFSETS_LOW_BIT },  /* Node 26 */
};
#define ARRAY_LENGTH 8 /* FixedArrayBase::length */
#define ARRAY_DATA 16
#define CODE_READ 64   /* bytes of a Code object read: its fields above */
#define HEAP_TAG 1
#define WEAK_BIT 2

struct slot {
	uint64_t start;          /* 0: empty */
	uint64_t is_map, code;   /* what was at start - is_header */
	uint64_t size;
	uint32_t gen;            /* generation it was last checked in */
	int err;                 /* a load that failed (cached for the generation) */
	struct v8_position_entry *positions; /* source position table, decoded */
	size_t n_positions;
	uint8_t *inlining;       /* InliningPositions */
	size_t n_inlining;
	uint64_t literals;       /* the literal array (tagged) */
	size_t n_literals;
	struct v8_inlined *fns;  /* by literal index, read at first need */
	uint32_t *fns_gen;       /* ... in that generation (0: never) */
};

struct v8code {
	struct code_layout cl;
	uint32_t sfi_name;       /* SharedFunctionInfo::name_or_scope_info */
	v8names_read_fn read;
	void *ctx;
	uint32_t gen;
	struct slot slots[V8CODE_CACHE_SLOTS];
	struct v8code_stats stats;
};

static const struct code_layout *find_layout(const struct v8_layout *l)
{
	if (!l || l->tagged_size != 8 || l->heap_object_tag != HEAP_TAG)
		return NULL;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].major == l->major && layouts[i].minor == l->minor)
			return &layouts[i];
	return NULL;
}

int v8code__supported(const struct v8_layout *layout)
{
	return find_layout(layout) ? 0 : -ENOTSUP;
}

struct v8code *v8code__new(const struct v8_layout *layout, v8names_read_fn read,
			   void *ctx)
{
	const struct code_layout *cl = find_layout(layout);
	struct v8code *c;

	if (!cl || !read) {
		errno = cl ? EINVAL : ENOTSUP;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cl = *cl;
	c->sfi_name = layout->sfi_name_or_scope_info;
	c->read = read;
	c->ctx = ctx;
	c->gen = 1;
	return c;
}

static int read_pid(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return procfs__read_mem((pid_t)(intptr_t)ctx, addr, buf, len);
}

struct v8code *v8code__open(pid_t pid, const struct v8_layout *layout)
{
	return v8code__new(layout, read_pid, (void *)(intptr_t)pid);
}

static void clear_slot(struct slot *s)
{
	free(s->positions);
	free(s->inlining);
	free(s->fns);
	free(s->fns_gen);
	memset(s, 0, sizeof(*s));
}

void v8code__free(struct v8code *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < V8CODE_CACHE_SLOTS; i++)
		clear_slot(&c->slots[i]);
	free(c);
}

void v8code__next_generation(struct v8code *c)
{
	if (++c->gen == 0)
		c->gen = 1;
}

static bool is_heap(uint64_t v)
{
	return (v & 3) == HEAP_TAG && v > 4096;
}

static int rd(struct v8code *c, uint64_t addr, void *buf, size_t len)
{
	int err = c->read(c->ctx, addr, buf, len);

	return err == -EFAULT || err == -ESRCH || !err ? err : -EFAULT;
}

static int word(struct v8code *c, uint64_t obj, uint32_t off, uint64_t *v)
{
	return rd(c, obj - HEAP_TAG + off, v, sizeof(*v));
}

/* A Smi's value (64-bit Smis: the upper half). */
static int64_t smi(uint64_t v)
{
	return (int64_t)v >> 32;
}

/* The bytes of the byte array at obj (at most V8CODE_TABLE_MAX). */
static int read_bytes(struct v8code *c, uint64_t obj, uint8_t **out, size_t *n)
{
	uint64_t len;
	int err;

	*out = NULL;
	*n = 0;
	if (!is_heap(obj))
		return -EINVAL;
	if ((err = word(c, obj, ARRAY_LENGTH, &len)))
		return err;
	if (len & 1 || smi(len) < 0 || smi(len) > V8CODE_TABLE_MAX)
		return -EINVAL;
	if (!smi(len))
		return 0;
	*out = malloc((size_t)smi(len));
	if (!*out)
		return -ENOMEM;
	err = rd(c, obj - HEAP_TAG + ARRAY_DATA, *out, (size_t)smi(len));
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	*n = (size_t)smi(len);
	return 0;
}

/* The source position table at obj, decoded into s->positions. */
static int read_positions(struct v8code *c, struct slot *s, uint64_t obj)
{
	uint8_t *bytes;
	size_t n;
	int err = read_bytes(c, obj, &bytes, &n);

	if (err || !n)
		return err;
	s->positions = malloc((n / 2 + 1) * sizeof(*s->positions));
	err = s->positions ? v8inline__decode(bytes, n, c->cl.offsets, s->positions,
					      n / 2 + 1, &s->n_positions) : -ENOMEM;
	free(bytes);
	return err;
}

/* The InstructionStream before start and its Code: is_map, code. */
static int read_header(struct v8code *c, uint64_t start, uint64_t *is_map, uint64_t *code)
{
	uint64_t h[2];
	int err = rd(c, start - c->cl.is_header, h, sizeof(h));

	if (err)
		return err;
	*is_map = h[0];
	*code = h[1];
	return is_heap(h[0]) && is_heap(h[1]) ? 0 : -ENOENT;
}

static int load(struct v8code *c, struct slot *s, uint64_t start)
{
	const struct code_layout *cl = &c->cl;
	uint64_t f[CODE_READ / 8], dd_len, dd[16];
	uint32_t kind, flags, size;
	int err;

	clear_slot(s);
	s->start = start;
	s->gen = c->gen;
	c->stats.loads++;
	if ((err = read_header(c, start, &s->is_map, &s->code)))
		return err;
	if ((err = rd(c, s->code - HEAP_TAG, f, sizeof(f))))
		return err;
	/* The Code that owns these instructions points back to them. */
	if (f[cl->code_is / 8] != start - cl->is_header + HEAP_TAG ||
	    f[cl->code_start / 8] != start)
		return -ENOENT;
	memcpy(&flags, (char *)f + cl->code_flags, sizeof(flags));
	memcpy(&size, (char *)f + cl->code_size, sizeof(size));
	kind = flags & 0xf;
	if (kind != cl->kind_baseline + 1 && kind != cl->kind_baseline + 2)
		return -ENOENT; /* not Maglev or TurboFan code: nothing inlined */
	s->size = size;
	if ((err = read_positions(c, s, f[cl->code_positions / 8])))
		return err;
	/* The deoptimization data's length, then its first elements. */
	if ((err = word(c, f[cl->code_deopt / 8], ARRAY_LENGTH, &dd_len)))
		return err;
	if (!is_heap(f[cl->code_deopt / 8]) || dd_len & 1)
		return -EINVAL;
	if (smi(dd_len) == 0)
		return 0; /* nothing inlined, no deoptimization point */
	if (smi(dd_len) <= cl->dd_inlining || cl->dd_inlining >= 16)
		return -EINVAL;
	if ((err = rd(c, f[cl->code_deopt / 8] - HEAP_TAG + ARRAY_DATA, dd,
		      (cl->dd_inlining + 1) * 8)))
		return err;
	if ((err = read_bytes(c, dd[cl->dd_inlining], &s->inlining, &s->n_inlining)))
		return err;
	s->literals = dd[cl->dd_literals];
	if (!is_heap(s->literals) || (err = word(c, s->literals, ARRAY_LENGTH, &dd_len)))
		return err ? err : -EINVAL;
	if (dd_len & 1 || smi(dd_len) < 0 || smi(dd_len) > V8CODE_LITERALS_MAX)
		return -EINVAL;
	s->n_literals = (size_t)smi(dd_len);
	return 0;
}

/* The SFI at literal index fid, read once per generation. */
static int literal(struct v8code *c, struct slot *s, int32_t fid, struct v8_inlined *out)
{
	uint64_t v, name;
	int err;

	if ((size_t)fid >= s->n_literals)
		return -EINVAL;
	if (!s->fns) {
		s->fns = calloc(s->n_literals, sizeof(*s->fns));
		s->fns_gen = calloc(s->n_literals, sizeof(*s->fns_gen));
		if (!s->fns || !s->fns_gen)
			return -ENOMEM;
	}
	if (s->fns_gen[fid] == c->gen) {
		*out = s->fns[fid];
		return 0;
	}
	if ((err = word(c, s->literals, ARRAY_DATA + (uint32_t)fid * 8, &v)))
		return err;
	if ((v & 3) == 3)
		v &= ~(uint64_t)WEAK_BIT; /* a weak reference to it */
	if (!is_heap(v))
		return -EINVAL; /* a Smi, or a cleared weak reference */
	if ((err = word(c, v, c->sfi_name, &name)))
		return err;
	s->fns[fid] = (struct v8_inlined){ .sfi = v, .cookie = (uint32_t)name };
	s->fns_gen[fid] = c->gen;
	*out = s->fns[fid];
	return 0;
}

/* The cached code at start, checked in this generation. */
static struct slot *code_at(struct v8code *c, uint64_t start)
{
	struct slot *s = &c->slots[((start >> 5) * 0x9e3779b97f4a7c15ull >> 32) %
				  V8CODE_CACHE_SLOTS];
	uint64_t is_map, code;

	if (s->start == start && s->gen != c->gen) {
		/* The same code still there? Else it was freed or replaced. */
		if (read_header(c, start, &is_map, &code) == 0 && is_map == s->is_map &&
		    code == s->code) {
			s->gen = c->gen;
		} else {
			if (!s->err)
				c->stats.reused++;
			s->start = 0;
		}
	}
	if (s->start != start)
		s->err = load(c, s, start);
	return s;
}

int v8code__inlined(struct v8code *c, uint64_t start, uint64_t pc, bool return_address,
		    struct v8_inlined *out, size_t max, size_t *n)
{
	int32_t fids[V8INLINE_MAX_DEPTH];
	uint64_t raw, off;
	struct slot *s;
	size_t k;
	int err;

	*n = 0;
	c->stats.lookups++;
	s = code_at(c, start);
	err = s->err;
	off = pc - start;
	if (!err && (pc < start || off >= s->size || (return_address && off == 0)))
		err = -ENOENT;
	if (err)
		goto fail;
	if (return_address)
		off--;
	err = v8inline__lookup(s->positions, s->n_positions, (uint32_t)off, &raw);
	if (err == -ENOENT)
		return 0; /* no position before pc: the prologue */
	if (!err)
		err = v8inline__chain(raw, s->inlining, s->n_inlining, fids,
				      max < V8INLINE_MAX_DEPTH ? max : V8INLINE_MAX_DEPTH, &k);
	for (size_t i = 0; !err && i < k; i++)
		err = literal(c, s, fids[i], &out[i]);
	if (err)
		goto fail;
	*n = k;
	c->stats.inlined += k;
	return 0;
fail:
	c->stats.missing++;
	return err;
}

void v8code__stats(const struct v8code *c, struct v8code_stats *out)
{
	*out = c->stats;
}
