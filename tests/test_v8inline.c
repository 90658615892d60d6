// SPDX-License-Identifier: MIT
/* Unit tests for v8inline (V8's source position table and inlining
 * positions) and v8code (the reader of optimized Code objects).
 *
 * v8inline is tested on tables captured from real processes
 * (tests/fixtures/v8inline/nodeNN.{spt,inl}, written by capture.py from
 * the optimized code of inline.js's mainLoop or route): every position
 * they give must be a place of inline.js's text where that function is,
 * and every call site one of its calls, which the source alone says. And
 * on hand-made tables: edge cases, and hostile ones (truncated, overlong,
 * out-of-range ids, cycles, random bytes) that must fail cleanly.
 *
 * v8code is tested on a fake heap in a buffer (an InstructionStream, its
 * Code, the tables): what it must refuse, and code replaced at the same
 * address between two generations. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "v8code.h"
#include "v8inline.h"

/* ---- hand-made tables ------------------------------------------------------ */

struct bytes {
	uint8_t b[4096];
	size_t n;
};

static void put_int(struct bytes *t, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

	do {
		t->b[t->n++] = (uint8_t)((u & 0x7f) | (u > 0x7f ? 0x80 : 0));
		u >>= 7;
	} while (u);
}

static uint64_t js_pos(int offset, int inlining_id)
{
	return ((uint64_t)(offset + 1) << 1) | ((uint64_t)(inlining_id + 1) << 31);
}

/* Entries (code offset, raw position, statement) as V8 encodes them. */
static void put_entries(struct bytes *t, enum v8_offsets kind, const int *offsets,
			const uint64_t *pos, size_t n)
{
	int last_off = 0;
	int64_t last_pos = 0;

	for (size_t i = 0; i < n; i++) {
		int d = offsets[i] - last_off;

		/* Odd ones are expressions. */
		if (kind == V8_OFFSETS_LOW_BIT)
			put_int(t, (int64_t)d << 1 | (int64_t)(i % 2));
		else
			put_int(t, i % 2 ? -d - 1 : d);
		put_int(t, (int64_t)pos[i] - last_pos);
		last_off = offsets[i];
		last_pos = (int64_t)pos[i];
	}
}

static void check_positions(enum v8_offsets kind)
{
	static const int offsets[] = { 4, 10, 20, 30 };
	const uint64_t pos[] = { js_pos(100, -1), js_pos(120, 0),
				 (5u << 1) | 1 /* external */, js_pos(7, 1) };
	struct bytes t = { .n = 0 };
	struct v8_source_position sp;
	uint64_t raw;

	put_entries(&t, kind, offsets, pos, 4);
	cr_assert_eq(v8inline__position_at(t.b, t.n, kind, 2, &raw), -ENOENT, "before the first");
	cr_assert_eq(v8inline__position_at(t.b, t.n, kind, 4, &raw), 0);
	cr_assert_eq(raw, pos[0]);
	cr_assert_eq(v8inline__position_at(t.b, t.n, kind, 15, &raw), 0);
	cr_assert_eq(raw, pos[1]);
	cr_assert_eq(v8inline__position_at(t.b, t.n, kind, 25, &raw), 0);
	cr_assert_eq(raw, pos[1], "an external position is not a JS one");
	cr_assert_eq(v8inline__position_at(t.b, t.n, kind, 1000, &raw), 0);
	cr_assert_eq(raw, pos[3]);
	v8inline__unpack(raw, &sp);
	cr_assert(!sp.external);
	cr_assert_eq(sp.script_offset, 7);
	cr_assert_eq(sp.inlining_id, 1);
	v8inline__unpack(pos[2], &sp);
	cr_assert(sp.external);
	cr_assert_eq(sp.inlining_id, V8INLINE_NOT_INLINED);
	cr_assert_eq(v8inline__position_at(t.b, 0, kind, 10, &raw), -ENOENT, "empty table");
	struct v8_position_entry e[4];
	size_t n;

	cr_assert_eq(v8inline__decode(t.b, t.n, kind, e, 4, &n), 0);
	cr_assert_eq(n, 3, "the external entry left out");
	cr_assert_eq(v8inline__lookup(e, n, 25, &raw), 0);
	cr_assert_eq(raw, pos[1]);
	cr_assert_eq(v8inline__lookup(e, n, 3, &raw), -ENOENT);
	cr_assert_eq(v8inline__decode(t.b, t.n, kind, e, 2, &n), -E2BIG);
}

Test(v8inline, position_of_each_pc_v8_13) { check_positions(V8_OFFSETS_SIGNED); }
Test(v8inline, position_of_each_pc_v8_14) { check_positions(V8_OFFSETS_LOW_BIT); }

Test(v8inline, malformed_tables)
{
	static const uint8_t truncated[] = { 0x08, 0x80 };
	static const uint8_t half[] = { 0x08 };
	uint8_t overlong[16];
	uint64_t raw;

	memset(overlong, 0xff, sizeof(overlong));
	cr_assert_eq(v8inline__position_at(truncated, sizeof(truncated), V8_OFFSETS_SIGNED, 10, &raw), -EINVAL);
	cr_assert_eq(v8inline__position_at(half, sizeof(half), V8_OFFSETS_SIGNED, 10, &raw), -EINVAL);
	cr_assert_eq(v8inline__position_at(overlong, sizeof(overlong), V8_OFFSETS_SIGNED, 10, &raw), -EINVAL);
	struct v8_position_entry e[4];
	size_t n;

	cr_assert_eq(v8inline__decode(truncated, sizeof(truncated), V8_OFFSETS_SIGNED, e, 4, &n), -EINVAL);
	cr_assert_eq(v8inline__decode(overlong, sizeof(overlong), V8_OFFSETS_LOW_BIT, e, 4, &n), -EINVAL);
	/* A negative delta is no V8 14 table. */
	static const uint8_t negative[] = { 0x03, 0x02 };

	cr_assert_eq(v8inline__decode(negative, sizeof(negative), V8_OFFSETS_LOW_BIT, e, 4, &n),
		     -EINVAL);
	cr_assert_eq(v8inline__decode(negative, sizeof(negative), V8_OFFSETS_SIGNED, e, 4, &n), 0);
}

Test(v8inline, random_bytes_end)
{
	uint32_t x = 12345;
	uint8_t b[64];
	uint64_t raw;
	int32_t fids[8];
	struct v8_position_entry entries[33];
	size_t n;

	/* Whatever the bytes, each call ends with a defined result. */
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 64);

		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = (uint8_t)(x >> 16);
		}
		enum v8_offsets kind = round % 2 ? V8_OFFSETS_LOW_BIT : V8_OFFSETS_SIGNED;
		int err = v8inline__position_at(b, len, kind, x % 4096, &raw);

		cr_assert(err == 0 || err == -ENOENT || err == -EINVAL);
		err = v8inline__decode(b, len, kind, entries, 33, &n);
		cr_assert(err == 0 || err == -EINVAL);
		err = v8inline__chain(x | (uint64_t)x << 32, b, len, fids, 8, &n);
		cr_assert(err == 0 || err == -EINVAL || err == -E2BIG);
		cr_assert_leq(n, 8);
	}
}

static void put_inlining(struct bytes *t, uint64_t pos, int32_t fid)
{
	memcpy(t->b + t->n, &pos, 8);
	memcpy(t->b + t->n + 8, &fid, 4);
	memset(t->b + t->n + 12, 0, 4);
	t->n += V8INLINE_POSITION_SIZE;
}

Test(v8inline, chain_outermost_first)
{
	struct bytes t = { .n = 0 };
	int32_t fids[4];
	size_t n;

	put_inlining(&t, js_pos(50, -1), 7); /* id 0: f7 called from the code's own function */
	put_inlining(&t, js_pos(60, 0), 3);  /* id 1: f3 called from f7 */
	put_inlining(&t, js_pos(70, 1), 9);  /* id 2: f9 called from f3 */
	cr_assert_eq(v8inline__chain(js_pos(10, 2), t.b, t.n, fids, 4, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(fids[0], 7);
	cr_assert_eq(fids[1], 3);
	cr_assert_eq(fids[2], 9);
	cr_assert_eq(v8inline__chain(js_pos(10, 0), t.b, t.n, fids, 4, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fids[0], 7);
	cr_assert_eq(v8inline__chain(js_pos(10, -1), t.b, t.n, fids, 4, &n), 0);
	cr_assert_eq(n, 0, "not inlined");
	cr_assert_eq(v8inline__chain(js_pos(10, 2), t.b, t.n, fids, 2, &n), -E2BIG);
	cr_assert_eq(v8inline__chain(js_pos(10, 3), t.b, t.n, fids, 4, &n), -EINVAL,
		     "id past the table");
	cr_assert_eq(v8inline__chain(js_pos(10, 2), t.b, t.n - 1, fids, 4, &n), -EINVAL,
		     "a truncated table ends before id 2");
}

Test(v8inline, chain_hostile)
{
	struct bytes self = { .n = 0 }, loop = { .n = 0 }, neg = { .n = 0 };
	int32_t fids[V8INLINE_MAX_DEPTH];
	size_t n;

	put_inlining(&self, js_pos(50, 0), 1); /* its own caller */
	cr_assert_eq(v8inline__chain(js_pos(1, 0), self.b, self.n, fids, 32, &n), -EINVAL);
	put_inlining(&loop, js_pos(50, 1), 1); /* 0 called from 1, 1 from 0 */
	put_inlining(&loop, js_pos(50, 0), 2);
	cr_assert_eq(v8inline__chain(js_pos(1, 1), loop.b, loop.n, fids, 32, &n), -EINVAL);
	put_inlining(&neg, js_pos(50, -1), -5);
	cr_assert_eq(v8inline__chain(js_pos(1, 0), neg.b, neg.n, fids, 32, &n), -EINVAL);
	cr_assert_eq(v8inline__chain((1u << 1) | 1 | (1ull << 31), neg.b, neg.n, fids, 32, &n),
		     0, "an external position is not inlined JS");
}

/* ---- tables of real processes ------------------------------------------- */

/* The fixture tests/fixtures/v8inline/name, malloc'd (files.h). */
static uint8_t *fixture(const char *name, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/v8inline/%s", FIXTURES, name);
	return slurp(path, len);
}

/* Where things are in inline.js, from its text. */
struct source {
	int score_start, route_start, main_start, end; /* the functions' text */
	int route_call, score_call;                    /* their call sites */
};

static int find(const char *text, const char *what)
{
	const char *p = strstr(text, what);

	cr_assert_not_null(p, "%s", what);
	return (int)(p - text);
}

static void read_source(struct source *s)
{
	size_t n;
	char *text = (char *)fixture("inline.js", &n);

	text[n] = '\0'; /* files.h leaves a byte to spare */
	s->score_start = find(text, "function scoreItem");
	s->route_start = find(text, "function route");
	s->main_start = find(text, "function mainLoop");
	s->end = find(text, "mainLoop();\n");
	s->route_call = find(text, "route(2000)");
	s->score_call = find(text, "scoreItem(j)");
	free(text);
}

static void check_capture(const char *version, enum v8_offsets kind)
{
	static struct v8_position_entry entries[1 << 15];
	uint8_t *spt, *inl, *code;
	size_t n_code, constants = 0;
	size_t n_entries;
	char name[64];
	size_t n_spt, n_inl, n_ids, scored = 0;
	int32_t fid_route = -1, fid_score = -1;
	struct source src;
	bool in_main, seen = false;

	read_source(&src);
	snprintf(name, sizeof(name), "%s.spt", version);
	spt = fixture(name, &n_spt);
	snprintf(name, sizeof(name), "%s.inl", version);
	inl = fixture(name, &n_inl);
	n_ids = n_inl / V8INLINE_POSITION_SIZE;
	cr_assert_gt(n_spt, 0);
	cr_assert_eq(v8inline__decode(spt, n_spt, kind, entries, sizeof(entries) / sizeof(entries[0]),
				      &n_entries), 0);
	cr_assert_gt(n_entries, 0);
	cr_assert_gt(n_ids, 0);
	/* Which literal is which function, by where it was called. */
	for (size_t i = 0; i < n_ids; i++) {
		struct v8_source_position call;
		uint64_t raw;
		int32_t fid;

		memcpy(&raw, inl + i * V8INLINE_POSITION_SIZE, 8);
		memcpy(&fid, inl + i * V8INLINE_POSITION_SIZE + 8, 4);
		v8inline__unpack(raw, &call);
		if (call.script_offset == src.route_call)
			fid_route = fid;
		if (call.script_offset == src.score_call)
			fid_score = fid;
	}
	cr_assert_geq(fid_score, 0, "%s: scoreItem was inlined", version);
	in_main = fid_route >= 0; /* mainLoop's code; else route's */
	for (uint32_t pc = 0; pc < 0x4000; pc++) {
		struct v8_source_position sp;
		int32_t fids[V8INLINE_MAX_DEPTH];
		uint64_t raw;
		size_t n;
		int err = v8inline__position_at(spt, n_spt, kind, pc, &raw);
		uint64_t raw2 = 0;

		cr_assert_eq(v8inline__lookup(entries, n_entries, pc, &raw2), err);
		cr_assert(err || raw2 == raw, "decoded once or streamed: the same");

		if (err == -ENOENT && !seen)
			continue; /* the prologue, before the first position */
		seen = true;
		cr_assert_eq(err, 0, "%s: pc %u", version, pc);
		cr_assert_eq(v8inline__chain(raw, inl, n_inl, fids, V8INLINE_MAX_DEPTH, &n), 0);
		v8inline__unpack(raw, &sp);
		if (n && fids[n - 1] == fid_score) {
			/* In scoreItem's text, called from route, in mainLoop. */
			cr_assert(sp.script_offset >= src.score_start &&
				  sp.script_offset < src.route_start,
				  "%s: pc %u: offset %d", version, pc, sp.script_offset);
			cr_assert_eq(n, in_main ? 2u : 1u, "%s: pc %u", version, pc);
			if (in_main)
				cr_assert_eq(fids[0], fid_route);
			scored++;
		} else if (n && fids[0] == fid_route) {
			cr_assert_eq(n, 1u);
			cr_assert(sp.script_offset >= src.route_start &&
				  sp.script_offset < src.main_start,
				  "%s: pc %u: offset %d", version, pc, sp.script_offset);
		} else if (n == 0) {
			int lo = in_main ? src.main_start : src.route_start;
			int hi = in_main ? src.end : src.main_start;

			cr_assert(sp.script_offset >= lo && sp.script_offset < hi,
				  "%s: pc %u: offset %d outside the code's function", version,
				  pc, sp.script_offset);
		}
	}
	cr_assert_gt(scored, 0, "%s: some code is scoreItem's", version);
	/* The machine code says the same: each modulo by scoreItem's constant
	 * is at a position of scoreItem inlined into route (into mainLoop), or
	 * of one of its callers where the compiler hoisted the constant
	 * (Maglev loads constants where route begins); each by route's own
	 * constant, of route. And no entry lies past the code. */
	snprintf(name, sizeof(name), "%s.code", version);
	code = fixture(name, &n_code);
	cr_assert_lt(entries[n_entries - 1].code_offset, n_code, "%s: entries past the code",
		     version);
	for (size_t i = 0; i + 4 <= n_code; i++) {
		int32_t fids[V8INLINE_MAX_DEPTH], want[2];
		size_t n, n_want = 0;
		uint64_t raw;
		uint32_t imm;

		memcpy(&imm, code + i, 4);
		if (imm != 1000003 && imm != 1000033)
			continue;
		if (in_main)
			want[n_want++] = fid_route;
		if (imm == 1000003)
			want[n_want++] = fid_score;
		cr_assert_eq(v8inline__lookup(entries, n_entries, (uint32_t)i, &raw), 0);
		cr_assert_eq(v8inline__chain(raw, inl, n_inl, fids, V8INLINE_MAX_DEPTH, &n), 0);
		cr_assert_leq(n, n_want, "%s: constant %u at %zu", version, imm, i);
		for (size_t k = 0; k < n; k++)
			cr_assert_eq(fids[k], want[k], "%s: constant %u at %zu", version, imm, i);
		constants += imm == 1000003 && n == n_want;
	}
	cr_assert_gt(constants, 0, "%s: scoreItem's constant in scoreItem's code", version);
	free(code);
	free(spt);
	free(inl);
}

Test(v8inline, node20_turbofan) { check_capture("node20", V8_OFFSETS_SIGNED); }
Test(v8inline, node22_turbofan) { check_capture("node22", V8_OFFSETS_SIGNED); }
Test(v8inline, node24_maglev) { check_capture("node24", V8_OFFSETS_SIGNED); }
Test(v8inline, node25_maglev) { check_capture("node25", V8_OFFSETS_LOW_BIT); }
Test(v8inline, node26_turbofan) { check_capture("node26", V8_OFFSETS_LOW_BIT); }

/* ---- v8code on a fake heap (V8 11.3's layout) ----------------------------- */

#define HEAP_BASE 0x200000000ull
#define HEAP_SIZE 8192
static uint8_t heap[HEAP_SIZE];

static int read_heap(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < HEAP_BASE || addr + len > HEAP_BASE + HEAP_SIZE)
		return -EFAULT;
	memcpy(buf, heap + (addr - HEAP_BASE), len);
	return 0;
}

static void poke(uint64_t addr, uint64_t v)
{
	memcpy(heap + (addr - HEAP_BASE), &v, 8);
}

#define SMI(v) ((uint64_t)(v) << 32)
#define TAG(a) ((a) + 1)
/* Objects of the fake heap, untagged addresses. */
#define IS_AT (HEAP_BASE + 0x400)     /* InstructionStream; code after 16 bytes */
#define START (IS_AT + 16)
#define CODE_AT (HEAP_BASE + 0x100)
#define DD_AT (HEAP_BASE + 0x200)
#define LIT_AT (HEAP_BASE + 0x300)
#define SPT_AT (HEAP_BASE + 0x800)
#define INL_AT (HEAP_BASE + 0xc00)
#define SFI_AT (HEAP_BASE + 0x1000)
#define MAP_AT (HEAP_BASE + 0x1800)

static struct v8_layout fake_layout(void)
{
	return (struct v8_layout){ .major = 11, .minor = 3, .tagged_size = 8,
				   .pointer_size = 8, .heap_object_tag = 1,
				   .sfi_name_or_scope_info = 16 };
}

/* mainLoop's code (0x100 bytes) with f1 inlined at [0x40, 0x80). */
static void build_heap(void)
{
	static const int offsets[] = { 0, 0x40, 0x80 };
	const uint64_t pos[] = { js_pos(10, -1), js_pos(30, 0), js_pos(12, -1) };
	struct bytes t = { .n = 0 }, inl = { .n = 0 };

	memset(heap, 0, sizeof(heap));
	poke(IS_AT, TAG(MAP_AT));
	poke(IS_AT + 8, TAG(CODE_AT));
	poke(CODE_AT, TAG(MAP_AT));
	poke(CODE_AT + 16, TAG(DD_AT));
	poke(CODE_AT + 24, TAG(SPT_AT));
	poke(CODE_AT + 32, TAG(IS_AT));
	poke(CODE_AT + 40, START);
	poke(CODE_AT + 48, 13);                 /* kind TurboFan */
	poke(CODE_AT + 56, 0x100);              /* instruction size */
	put_entries(&t, V8_OFFSETS_SIGNED, offsets, pos, 3);
	poke(SPT_AT + 8, SMI(t.n));
	memcpy(heap + (SPT_AT + 16 - HEAP_BASE), t.b, t.n);
	put_inlining(&inl, js_pos(20, -1), 1);
	poke(INL_AT + 8, SMI(inl.n));
	memcpy(heap + (INL_AT + 16 - HEAP_BASE), inl.b, inl.n);
	poke(DD_AT + 8, SMI(10));
	poke(DD_AT + 16 + 2 * 8, TAG(LIT_AT));
	poke(DD_AT + 16 + 7 * 8, TAG(INL_AT));
	poke(LIT_AT + 8, SMI(2));
	poke(LIT_AT + 16 + 8, TAG(SFI_AT) | 2); /* a weak reference */
	poke(SFI_AT + 16, 0xabcd0001);          /* name_or_scope_info */
}

/* A reader of the fake heap (built again), after f1 was found at 0x50. */
static struct v8code *reader_found_f1(struct v8_inlined *fns)
{
	struct v8_layout l = fake_layout();
	struct v8code *c;
	size_t n;

	build_heap();
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_not_null(c);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), 0);
	cr_assert_eq(n, 1);
	return c;
}

Test(v8code, inlined_at_pc)
{
	struct v8_inlined fns[4];
	struct v8code_stats st;
	size_t n;
	struct v8code *c = reader_found_f1(fns);

	cr_assert_eq(fns[0].sfi, TAG(SFI_AT));
	cr_assert_eq(fns[0].cookie, 0xabcd0001);
	cr_assert_eq(v8code__inlined(c, START, START + 0x20, false, fns, 4, &n), 0);
	cr_assert_eq(n, 0, "the outer function's own code");
	/* A return address just after a call at the end of the inlined part
	 * is the call's. */
	cr_assert_eq(v8code__inlined(c, START, START + 0x80, true, fns, 4, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(v8code__inlined(c, START, START + 0x80, false, fns, 4, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(v8code__inlined(c, START, START + 0x100, false, fns, 4, &n), -ENOENT,
		     "past the code");
	v8code__stats(c, &st);
	cr_assert_eq(st.loads, 1, "read once, cached");
	cr_assert_eq(st.missing, 1);
	v8code__free(c);
}

Test(v8code, refuses_what_is_not_its_code)
{
	struct v8_layout l = fake_layout();
	struct v8code *c;
	struct v8_inlined fns[4];
	size_t n;

	build_heap();
	poke(CODE_AT + 40, START + 64); /* the Code is another code's */
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), -ENOENT);
	v8code__free(c);
	build_heap();
	poke(CODE_AT + 48, 11); /* baseline code: live, but nothing inlined */
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), -ENOEXEC);
	cr_assert_eq(v8code__inlined(c, START, START + 0x100, false, fns, 4, &n), -ENOENT,
		     "past the baseline code");
	v8code__free(c);
	build_heap();
	poke(SPT_AT + 8, SMI(-4)); /* a negative length */
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), -EINVAL);
	v8code__free(c);
	build_heap();
	poke(LIT_AT + 8, SMI(1)); /* the literal index is past the array */
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), -EINVAL);
	v8code__free(c);
	cr_assert_eq(v8code__inlined(c = v8code__new(&l, read_heap, NULL), HEAP_BASE + 8,
				     HEAP_BASE + 9, false, fns, 4, &n), -EFAULT, "unmapped");
	v8code__free(c);
	l.minor = 2;
	cr_assert_null(v8code__new(&l, read_heap, NULL));
	cr_assert_eq(v8code__supported(&l), -ENOTSUP);
}

Test(v8code, replaced_code_is_read_again)
{
	struct v8_inlined fns[4];
	struct v8code_stats st;
	size_t n;
	struct v8code *c = reader_found_f1(fns);

	/* V8 frees the code and puts other code, without inlining, at the same
	 * address, with a new Code object: the next drain must see it. */
	memcpy(heap + (CODE_AT + 0x600 - HEAP_BASE), heap + (CODE_AT - HEAP_BASE), 64);
	poke(IS_AT + 8, TAG(CODE_AT + 0x600));
	poke(INL_AT + 8, SMI(0));
	/* Within the same drain the cache answers. */
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), 0);
	cr_assert_eq(n, 1);
	v8code__next_generation(c);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), -EINVAL,
		     "the new code's position names an inlining id it does not have");
	v8code__stats(c, &st);
	cr_assert_eq(st.reused, 1);
	cr_assert_eq(st.loads, 2);
	/* Freed, with nothing in its place: refused. */
	poke(IS_AT, 0);
	v8code__next_generation(c);
	cr_assert_eq(v8code__inlined(c, START, START + 0x50, false, fns, 4, &n), -ENOENT);
	v8code__free(c);
}

/* No perf map: the code that holds a pc is found from the pc alone. */
Test(v8code, found_from_the_pc)
{
	struct v8_layout l = fake_layout();
	struct v8_inlined fns[4];
	struct v8code_stats st;
	struct v8code *c;
	size_t n;

	build_heap();
	/* Machine code that looks like a header (two tagged words) whose
	 * "Code" does not point back: passed over. */
	poke(START + 0x20, TAG(MAP_AT));
	poke(START + 0x28, TAG(DD_AT));
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_eq(v8code__inlined_at(c, START + 0x50, false, fns, 4, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fns[0].sfi, TAG(SFI_AT));
	cr_assert_eq(v8code__inlined_at(c, START + 0x80, true, fns, 4, &n), 0,
		     "a return address: the call before it");
	cr_assert_eq(n, 1);
	cr_assert_eq(v8code__inlined_at(c, START + 0x10, false, fns, 4, &n), 0);
	cr_assert_eq(n, 0, "the outer function's own code");
	v8code__stats(c, &st);
	cr_assert_eq(st.scans, 1, "the range found is remembered");
	/* Past the code: in no code object; not searched again this drain. */
	cr_assert_eq(v8code__inlined_at(c, START + 0x180, false, fns, 4, &n), -ENOENT);
	cr_assert_eq(v8code__inlined_at(c, START + 0x180, false, fns, 4, &n), -ENOENT);
	v8code__stats(c, &st);
	cr_assert_eq(st.scans, 2);
	cr_assert_eq(st.missing, 2);
	/* Baseline code: nothing inlined, nothing missing. */
	poke(CODE_AT + 48, 11);
	v8code__next_generation(c);
	poke(IS_AT + 8, TAG(CODE_AT + 0x600)); /* a new Code: read again */
	memcpy(heap + (CODE_AT + 0x600 - HEAP_BASE), heap + (CODE_AT - HEAP_BASE), 64);
	cr_assert_eq(v8code__inlined_at(c, START + 0x50, false, fns, 4, &n), -ENOEXEC);
	/* Freed: the remembered range is checked, dropped, searched again. */
	poke(IS_AT, 0);
	v8code__next_generation(c);
	cr_assert_eq(v8code__inlined_at(c, START + 0x50, false, fns, 4, &n), -ENOENT);
	v8code__stats(c, &st);
	cr_assert_eq(st.scans, 3);
	cr_assert_eq(st.missing, 3);
	v8code__free(c);
	/* Nothing readable below the pc: refused, no crash. */
	c = v8code__new(&l, read_heap, NULL);
	cr_assert_eq(v8code__inlined_at(c, HEAP_BASE + 0x10, false, fns, 4, &n), -ENOENT);
	cr_assert_eq(v8code__inlined_at(c, 0x100, false, fns, 4, &n), -ENOENT);
	v8code__free(c);
}
