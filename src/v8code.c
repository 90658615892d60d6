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

#include "bsearch.h"
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
#define CODE_STEP 16      /* instruction starts are aligned at least this much */
#define SCAN_CHUNK 4096   /* bytes read at a time while scanning */
#define MISS_SLOTS 256    /* pcs whose code was not found, per generation */
#define SCAN_OWNERS 64    /* Code objects read per search, at most */
#define SCAN_BUDGET (8u << 20) /* bytes searched per generation, at most */

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

/* A code object found by scanning: where pcs in [start, end) look first. */
struct range {
	uint64_t start, end;
};

struct miss {
	uint64_t pc;
	uint32_t gen;
};

struct v8code {
	struct code_layout cl;
	uint32_t sfi_name;       /* SharedFunctionInfo::name_or_scope_info */
	v8names_read_fn read;
	void *ctx;
	uint32_t gen;
	struct slot slots[V8CODE_CACHE_SLOTS];
	struct range *ranges;    /* sorted by start, V8CODE_CACHE_SLOTS at most */
	size_t n_ranges;
	uint64_t is_map;         /* the InstructionStream map, once one was found */
	struct miss misses[MISS_SLOTS];
	uint64_t scan_bytes;     /* searched in generation scan_gen */
	uint32_t scan_gen;
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
	free(c->ranges);
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

/* The fields of code, the Code object named by the InstructionStream
 * before start, into f: 0 when it owns these instructions (points back to
 * them); -ENOENT; -EFAULT. */
static int owner(struct v8code *c, uint64_t start, uint64_t code, uint64_t f[CODE_READ / 8])
{
	const struct code_layout *cl = &c->cl;
	int err = rd(c, code - HEAP_TAG, f, CODE_READ);

	if (err)
		return err;
	return f[cl->code_is / 8] == start - cl->is_header + HEAP_TAG &&
	       f[cl->code_start / 8] == start ? 0 : -ENOENT;
}

static uint32_t field32(const uint64_t *f, uint32_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)f + off, sizeof(v));
	return v;
}

static int load(struct v8code *c, struct slot *s, uint64_t start)
{
	const struct code_layout *cl = &c->cl;
	uint64_t f[CODE_READ / 8], dd_len, dd[16];
	uint32_t kind;
	int err;

	clear_slot(s);
	s->start = start;
	s->gen = c->gen;
	c->stats.loads++;
	if ((err = read_header(c, start, &s->is_map, &s->code)))
		return err;
	if ((err = owner(c, start, s->code, f)))
		return err;
	s->size = field32(f, cl->code_size);
	kind = field32(f, cl->code_flags) & 0xf;
	if (kind != cl->kind_baseline + 1 && kind != cl->kind_baseline + 2)
		return -ENOEXEC; /* not Maglev or TurboFan code: nothing inlined */
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

/* v8code__inlined without the counting. */
static int inlined_in(struct v8code *c, uint64_t start, uint64_t pc, bool return_address,
		      struct v8_inlined *out, size_t max, size_t *n)
{
	int32_t fids[V8INLINE_MAX_DEPTH];
	uint64_t raw, off;
	struct slot *s;
	size_t k;
	int err;

	*n = 0;
	s = code_at(c, start);
	err = s->err;
	off = pc - start;
	if ((!err || err == -ENOEXEC) &&
	    (pc < start || off >= s->size || (return_address && off == 0)))
		err = -ENOENT;
	if (err)
		return err;
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
		return err;
	*n = k;
	return 0;
}

static int counted(struct v8code *c, int err, size_t n)
{
	c->stats.lookups++;
	c->stats.inlined += n;
	if (err && err != -ENOEXEC) /* live code that inlines nothing misses nothing */
		c->stats.missing++;
	return err;
}

int v8code__inlined(struct v8code *c, uint64_t start, uint64_t pc, bool return_address,
		    struct v8_inlined *out, size_t max, size_t *n)
{
	int err = inlined_in(c, start, pc, return_address, out, max, n);

	return counted(c, err, *n);
}

/* The range that starts at or below pc, or NULL. */
static struct range *range_below(struct v8code *c, uint64_t pc)
{
	size_t lo = COUNT_AT_OR_BELOW(c->ranges, c->n_ranges, start, pc);

	return lo ? &c->ranges[lo - 1] : NULL;
}

static void range_add(struct v8code *c, uint64_t start, uint64_t end)
{
	struct range *r;
	size_t i;

	if (!c->ranges && !(c->ranges = malloc(V8CODE_CACHE_SLOTS * sizeof(*c->ranges))))
		return; /* found again by the next scan */
	if (c->n_ranges == V8CODE_CACHE_SLOTS)
		c->n_ranges = 0; /* start over: the hot code comes back first */
	r = range_below(c, start);
	i = r ? (size_t)(r - c->ranges) + 1 : 0;
	if (r && r->start == start) {
		r->end = end;
		return;
	}
	memmove(&c->ranges[i + 1], &c->ranges[i], (c->n_ranges - i) * sizeof(*r));
	c->ranges[i] = (struct range){ start, end };
	c->n_ranges++;
	/* Code objects do not overlap: a neighbour that does is gone. */
	while (i + 1 < c->n_ranges && c->ranges[i + 1].start < end) {
		memmove(&c->ranges[i + 1], &c->ranges[i + 2],
			(c->n_ranges - i - 2) * sizeof(*r));
		c->n_ranges--;
	}
	if (i > 0 && c->ranges[i - 1].end > start)
		c->ranges[i - 1].end = start;
}

static void range_drop(struct v8code *c, struct range *r)
{
	size_t i = (size_t)(r - c->ranges);

	memmove(r, r + 1, (c->n_ranges - i - 1) * sizeof(*r));
	c->n_ranges--;
}

/* The start of the instructions of the code object that holds pc: the
 * nearest InstructionStream below pc (at most V8CODE_SCAN_MAX bytes below)
 * whose Code points back to it, which must cover pc. 0; -ENOENT. */
static int scan(struct v8code *c, uint64_t pc, uint64_t *start)
{
	const uint32_t hs = c->cl.is_header;
	uint64_t buf[SCAN_CHUNK / 8], base = 0, end = 0, f[CODE_READ / 8], w[2];
	uint64_t lowest = pc > V8CODE_SCAN_MAX ? pc - V8CODE_SCAN_MAX : 0;
	uint64_t s = pc & ~(uint64_t)(CODE_STEP - 1);
	unsigned owners = 0;

	/* Bounded work per drain whatever the process's memory holds. */
	if (c->scan_gen != c->gen) {
		c->scan_gen = c->gen;
		c->scan_bytes = 0;
	}
	if (c->scan_bytes >= SCAN_BUDGET)
		return -ENOENT;
	c->stats.scans++;
	if (lowest < 4096 + hs)
		lowest = 4096 + hs;
	for (; s >= lowest; s -= CODE_STEP) {
		uint64_t h = s - hs;

		if (h < base || h + sizeof(w) > end) {
			/* The chunk below: it may reach below the code's
			 * mapping; then the header's own page. */
			end = h + sizeof(w);
			base = end - SCAN_CHUNK < lowest - hs ? lowest - hs : end - SCAN_CHUNK;
			if (rd(c, base, buf, end - base)) {
				base = h & ~(uint64_t)4095;
				if (rd(c, base, buf, end - base))
					return -ENOENT;
			}
			c->stats.scanned += end - base;
			c->scan_bytes += end - base;
		}
		memcpy(w, (char *)buf + (h - base), sizeof(w));
		if (!is_heap(w[0]) || !is_heap(w[1]) || w[0] == w[1] ||
		    (c->is_map && w[0] != c->is_map))
			continue;
		if (++owners > SCAN_OWNERS)
			return -ENOENT; /* not code V8 laid out */
		if (owner(c, s, w[1], f))
			continue;
		c->is_map = w[0]; /* one map for every InstructionStream */
		if (pc - s >= field32(f, c->cl.code_size))
			return -ENOENT; /* pc is past it: in no code */
		*start = s;
		range_add(c, s, s + field32(f, c->cl.code_size));
		return 0;
	}
	return -ENOENT;
}

int v8code__inlined_at(struct v8code *c, uint64_t pc, bool return_address,
		       struct v8_inlined *out, size_t max, size_t *n)
{
	uint64_t at = return_address ? pc - 1 : pc, start;
	struct miss *m = &c->misses[((at >> 4) * 0x9e3779b97f4a7c15ull >> 32) % MISS_SLOTS];
	struct range *r = range_below(c, at);
	int err;

	*n = 0;
	if (r && at < r->end) {
		err = inlined_in(c, r->start, pc, return_address, out, max, n);
		if (err != -ENOENT && err != -EFAULT)
			return counted(c, err, *n);
		range_drop(c, r); /* freed or moved: look again */
	}
	if (m->pc == at && m->gen == c->gen)
		return counted(c, -ENOENT, 0); /* not found in this generation */
	if ((err = scan(c, at, &start))) {
		m->pc = at;
		m->gen = c->gen;
		return counted(c, err, 0);
	}
	err = inlined_in(c, start, pc, return_address, out, max, n);
	return counted(c, err, *n);
}

void v8code__stats(const struct v8code *c, struct v8code_stats *out)
{
	*out = c->stats;
}
