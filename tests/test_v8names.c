// SPDX-License-Identifier: MIT
/* Unit tests for v8names: layouts read from ELF fixtures holding the
 * v8dbg_* symbols of each Node line from 18 to 26, extracted from the real
 * binaries (tests/fixtures/v8names/layout-NN.c), their checks, and names
 * read from a fake V8 heap (Node 20's layout) in a buffer through the
 * injectable read function: strings of every representation, ScopeInfo
 * names and positions, lines, scripts, the layout check on the heap, stale
 * cookies, the bounded cache, and the walk's ranges. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v8names.h"

/* ---- a fake heap ---------------------------------------------------------- */

#define HEAP_BASE 0x100000000ull
#define HEAP_SIZE (256 * 1024)

static uint8_t heap[HEAP_SIZE];
static size_t heap_used;
static unsigned int reads;
static struct v8_layout layout;
static uint64_t meta_map; /* the map of maps */

#define LAYOUT(line) V8_LAYOUT_DIR "/v8layout-" #line ".so"

static int read_heap(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	reads++;
	if (addr < HEAP_BASE || addr - HEAP_BASE + len > heap_used)
		return -EFAULT;
	memcpy(buf, heap + (addr - HEAP_BASE), len);
	return 0;
}

/* Allocates size bytes; returns the tagged pointer. */
static uint64_t alloc(size_t size)
{
	uint64_t at = HEAP_BASE + heap_used;

	heap_used += (size + 7) & ~(size_t)7;
	cr_assert_leq(heap_used, HEAP_SIZE);
	return at + 1;
}

static void put64(uint64_t tagged, uint32_t off, uint64_t v)
{
	memcpy(heap + (tagged - 1 - HEAP_BASE) + off, &v, 8);
}

static void put32(uint64_t tagged, uint32_t off, uint32_t v)
{
	memcpy(heap + (tagged - 1 - HEAP_BASE) + off, &v, 4);
}

static void put16(uint64_t tagged, uint32_t off, uint16_t v)
{
	memcpy(heap + (tagged - 1 - HEAP_BASE) + off, &v, 2);
}

static uint64_t smi(int64_t v)
{
	return (uint64_t)v << 32;
}

/* A map saying `type`, and an object of that map. */
static uint64_t object(uint16_t type, size_t size)
{
	uint64_t map = alloc(16), obj;

	put64(map, 0, meta_map);
	put16(map, 12, type);
	obj = alloc(size);
	put64(obj, 0, map);
	return obj;
}

enum { ONE_BYTE = 8, SEQ = 0, CONS = 1, EXTERNAL = 2, SLICED = 3, THIN = 5 };

static uint64_t one_byte(const char *s)
{
	size_t n = strlen(s);
	uint64_t o = object(SEQ | ONE_BYTE, 16 + n);

	put32(o, 12, (uint32_t)n);
	memcpy(heap + (o - 1 - HEAP_BASE) + 16, s, n);
	return o;
}

static uint64_t two_byte(const uint16_t *u, size_t n)
{
	uint64_t o = object(SEQ, 16 + 2 * n);

	put32(o, 12, (uint32_t)n);
	memcpy(heap + (o - 1 - HEAP_BASE) + 16, u, 2 * n);
	return o;
}

static uint64_t cons(uint64_t first, uint64_t second, uint32_t len)
{
	uint64_t o = object(CONS | ONE_BYTE, 32);

	put32(o, 12, len);
	put64(o, 16, first);
	put64(o, 24, second);
	return o;
}

/* A Script: name at 16, source at 8, line ends at 56 (Node 20). */
static uint64_t script_with(uint64_t name, uint64_t source, uint64_t line_ends)
{
	uint64_t o = object(167, 64);

	put64(o, 8, source);
	put64(o, 16, name);
	put64(o, 56, line_ends);
	return o;
}

static uint64_t script(uint64_t name)
{
	return script_with(name, 0, 0);
}

static uint64_t sfi(uint64_t name_or_scope_info, uint64_t scr)
{
	uint64_t o = object(262, 48);

	put64(o, 16, name_or_scope_info);
	put64(o, 32, scr);
	return o;
}

/* A ScopeInfo: header (flags, parameter count, context local count), the
 * locals' names and infos, a Smi, then `names` (function variable name,
 * its slot, inferred name) as given. */
static uint64_t scope_info(const uint64_t *locals, size_t n, const uint64_t *names,
			   size_t n_names)
{
	size_t slots = 3 + 2 * n + 1 + n_names;
	uint64_t o = object(261, 8 + 8 * slots);
	size_t at = 8;

	put64(o, at, smi(0x1234));
	put64(o, at += 8, smi(1));
	put64(o, at += 8, smi((int64_t)n));
	for (size_t i = 0; i < n; i++)
		put64(o, at += 8, locals[i]);
	for (size_t i = 0; i < n; i++)
		put64(o, at += 8, smi(7));
	put64(o, at += 8, smi(0)); /* an optional Smi slot (receiver info) */
	for (size_t i = 0; i < n_names; i++)
		put64(o, at += 8, names[i]);
	return o;
}

static void setup(void)
{
	memset(heap, 0, sizeof(heap));
	heap_used = 0;
	reads = 0;
	cr_assert_eq(v8_layout__load_file(LAYOUT(20), &layout), 0);
	meta_map = alloc(16);
	put64(meta_map, 0, meta_map);
	put16(meta_map, 12, (uint16_t)layout.type_map);
}

TestSuite(v8names, .init = setup);

/* A reader whose layout check has passed: a first lookup of a function
 * with a script proves the layout (see v8names__verdict). */
static struct v8names *reader(size_t cache)
{
	struct v8names *r = v8names__new(&layout, read_heap, NULL, cache);
	uint64_t s = sfi(one_byte("proof"), script(one_byte("/app/proof.js")));
	struct v8_function fn;
	uint64_t v;

	cr_assert_not_null(r);
	memcpy(&v, heap + (s - 1 - HEAP_BASE) + 16, 8);
	cr_assert_eq(v8names__lookup(r, s, (uint32_t)v, &fn), 0);
	cr_assert_eq(v8names__verdict(r, NULL, 0), 0);
	return r;
}

/* ---- layout -------------------------------------------------------------- */

Test(v8names, layout_from_elf)
{
	char why[160] = "";

	cr_assert_eq(layout.major, 11);
	cr_assert_eq(layout.minor, 3);
	cr_assert_eq(layout.off_fp_function, -16);
	cr_assert_eq(layout.off_fp_context, -8);
	cr_assert_eq(layout.jsfunction_shared, 24);
	cr_assert_eq(layout.sfi_name_or_scope_info, 16);
	cr_assert_eq(layout.sfi_script, 32);
	cr_assert_eq(layout.type_sfi, 262);
	cr_assert_eq(layout.smi_tag, 0, "a .bss symbol is a zero");
	cr_assert_eq(layout.seq_tag, 0);
	cr_assert_eq(layout.blob_code_size, 0x191ac0, "Node 20.20.2's");
	cr_assert_neq(layout.blob_code_vaddr, 0);
	cr_assert_eq(layout.missing, 0);
	cr_assert_eq(v8_layout__check(&layout, why, sizeof(why)), 0, "%s", why);
}

Test(v8names, layout_not_v8)
{
	struct v8_layout l;

	cr_assert_eq(v8_layout__load_file("/proc/self/exe", &l), -ENOENT);
	cr_assert_eq(v8_layout__load_file(FIXTURES "/hot.js", &l), -ENOEXEC);
	cr_assert_eq(v8_layout__load_file("/nonexistent", &l), -ENOENT);
}

/* What docs/v8-names.md measured on each line's binary, read back from
 * its extract: one reader, no version list. */
static const struct {
	const char *path;
	int major, minor;
	uint32_t shared, name, script, first_vars, sfi, scope_info, script_type, map;
	bool position_in_header;
} lines[] = {
	{ LAYOUT(18), 10, 2, 24, 16, 32, 3, 257, 256, 170, 250, false },
	{ LAYOUT(20), 11, 3, 24, 16, 32, 3, 262, 261, 167, 255, false },
	{ LAYOUT(22), 12, 4, 32, 16, 32, 3, 274, 272, 167, 264, false },
	{ LAYOUT(24), 13, 6, 32, 24, 40, 5, 282, 280, 167, 272, true },
	{ LAYOUT(25), 14, 1, 32, 24, 40, 5, 286, 284, 165, 276, true },
	{ LAYOUT(26), 14, 6, 32, 24, 40, 5, 288, 286, 166, 278, true },
};

Test(v8names, layout_of_every_line)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct v8_layout l;
		char why[160] = "";

		cr_assert_eq(v8_layout__load_file(lines[i].path, &l), 0, "%s", lines[i].path);
		cr_assert_eq(l.major, lines[i].major);
		cr_assert_eq(l.minor, lines[i].minor);
		cr_assert_eq(l.jsfunction_shared, lines[i].shared, "V8 %d.%d", l.major, l.minor);
		cr_assert_eq(l.sfi_name_or_scope_info, lines[i].name, "V8 %d.%d", l.major, l.minor);
		cr_assert_eq(l.sfi_script, lines[i].script, "V8 %d.%d: script_or_debug_info "
			     "or script", l.major, l.minor);
		cr_assert_eq(l.scopeinfo_first_vars, lines[i].first_vars);
		cr_assert_eq(l.type_sfi, lines[i].sfi);
		cr_assert_eq(l.type_scope_info, lines[i].scope_info);
		cr_assert_eq(l.type_script, lines[i].script_type);
		cr_assert_eq(l.type_map, lines[i].map);
		cr_assert_eq(l.scopeinfo_position_in_header, lines[i].position_in_header);
		cr_assert_eq(l.script_source, 8);
		cr_assert_eq(l.script_line_ends, 56);
		cr_assert(l.has_lines && l.has_external, "V8 %d.%d", l.major, l.minor);
		cr_assert_eq(l.missing, 0, "V8 %d.%d", l.major, l.minor);
		cr_assert_eq(v8_layout__check(&l, why, sizeof(why)), 0, "V8 %d.%d: %s", l.major,
			     l.minor, why);
	}
}

Test(v8names, layout_refused)
{
	struct v8_layout l = layout;
	char why[160];

	l.major = 15;
	cr_assert_eq(v8_layout__check(&l, why, sizeof(why)), 0, "no version is refused for its number");
	l = layout;
	l.tagged_size = 4;
	cr_assert_eq(v8_layout__check(&l, why, sizeof(why)), -ENOTSUP);
	cr_assert(strstr(why, "pointer compression"), "%s", why);
	l = layout;
	l.missing = 1u << 14;
	cr_assert_eq(v8_layout__check(&l, why, sizeof(why)), -ENOTSUP);
	cr_assert(strstr(why, "v8dbg_class_JSFunction__shared__"), "%s", why);
	l = layout;
	l.blob_code_size = 0;
	cr_assert_eq(v8_layout__check(&l, why, sizeof(why)), -ENOTSUP);
	l = layout;
	l.type_script = l.type_sfi;
	cr_assert_eq(v8_layout__check(&l, why, sizeof(why)), -ENOTSUP);
	cr_assert(strstr(why, "instance types"), "%s", why);
	l = layout;
	l.smi_shift = 0;
	cr_assert_null(v8names__new(&l, read_heap, NULL, 0), "a refused layout has no reader");
}

Test(v8names, layout_cache_per_owner)
{
	/* Each owner (a profiler) has its own cache: two never share. */
	struct v8_layout_cache *a = v8_layout_cache__new(), *b = v8_layout_cache__new();
	struct v8_layout l;
	int fd20 = open(LAYOUT(20), O_RDONLY), fd26 = open(LAYOUT(26), O_RDONLY);

	cr_assert(a && b && fd20 >= 0 && fd26 >= 0);
	cr_assert_eq(v8_layout_cache__load_fd(a, fd20, &l), 0);
	cr_assert_eq(l.major, 11);
	cr_assert_eq(v8_layout_cache__load_fd(b, fd26, &l), 0);
	cr_assert_eq(l.major, 14);
	cr_assert_eq(v8_layout_cache__load_fd(a, fd20, &l), 0, "cached");
	cr_assert_eq(l.major, 11);
	cr_assert_eq(v8_layout_cache__load_fd(NULL, fd26, &l), 0, "no cache: read");
	cr_assert_eq(l.minor, 6);
	close(fd20);
	close(fd26);
	v8_layout_cache__free(a);
	v8_layout_cache__free(b);
}

/* ---- the layout check on the heap ------------------------------------------ */

static uint32_t cookie_of(uint64_t s);

Test(v8names, nothing_named_before_the_layout_is_proved)
{
	struct v8names *r = v8names__new(&layout, read_heap, NULL, 0);
	uint64_t builtin = sfi(one_byte("forEach"), 0); /* no script: proves nothing */
	uint64_t user = sfi(one_byte("handler"), script(one_byte("/app/app.js")));
	struct v8_function fn;
	char why[200];

	cr_assert_not_null(r);
	cr_assert_eq(v8names__verdict(r, why, sizeof(why)), -EAGAIN);
	cr_assert_eq(v8names__lookup(r, builtin, cookie_of(builtin), &fn), -EAGAIN);
	cr_assert_eq(v8names__lookup(r, user, cookie_of(user), &fn), 0);
	cr_assert_str_eq(fn.name, "handler");
	cr_assert_eq(v8names__verdict(r, why, sizeof(why)), 0);
	cr_assert_eq(v8names__lookup(r, builtin, cookie_of(builtin), &fn), 0, "named now");
	cr_assert_str_eq(fn.name, "forEach");
	v8names__free(r);
}

Test(v8names, a_layout_the_heap_refutes_is_refused)
{
	/* The binary says SFIs are type 262; this heap's are 263 (a layout
	 * read wrong, or a build that changed it): never named. */
	struct v8_layout l = layout;
	struct v8names *r;
	struct v8_function fn;
	uint64_t s[V8NAMES_CHECK_TRIES + 1];
	char why[200];
	int err = 0;

	l.type_sfi = 263;
	r = v8names__new(&l, read_heap, NULL, 0);
	cr_assert_not_null(r);
	for (int i = 0; i <= V8NAMES_CHECK_TRIES; i++)
		s[i] = sfi(one_byte("f"), script(one_byte("/app/app.js")));
	for (int i = 0; i < V8NAMES_CHECK_TRIES; i++) {
		err = v8names__lookup(r, s[i], cookie_of(s[i]), &fn);
		cr_assert_neq(err, 0, "lookup %d named a frame", i);
	}
	cr_assert_eq(err, -ENOTSUP);
	cr_assert_eq(v8names__verdict(r, why, sizeof(why)), -ENOTSUP);
	cr_assert(strstr(why, "layout check failed"), "%s", why);
	cr_assert_eq(v8names__lookup(r, s[V8NAMES_CHECK_TRIES], cookie_of(s[0]), &fn), -ENOTSUP);
	v8names__free(r);

	/* Only builtins' SFIs (no script) for long: refused, by the other
	 * bound. */
	r = v8names__new(&layout, read_heap, NULL, 0);
	s[0] = sfi(one_byte("forEach"), 0);
	for (int i = 0; i < V8NAMES_CHECK_NEUTRAL; i++)
		err = v8names__lookup(r, s[0], cookie_of(s[0]), &fn);
	cr_assert_eq(err, -ENOTSUP);
	cr_assert_eq(v8names__verdict(r, why, sizeof(why)), -ENOTSUP);
	cr_assert(strstr(why, "no SharedFunctionInfo read had a script"), "%s", why);
	v8names__free(r);

	/* Right type numbers, but maps that are no Maps: refused too. */
	r = v8names__new(&layout, read_heap, NULL, 0);
	s[0] = sfi(one_byte("f"), script(one_byte("/app/app.js")));
	put16(meta_map, 12, (uint16_t)(layout.type_map + 1));
	for (int i = 0; i < V8NAMES_CHECK_TRIES; i++)
		err = v8names__lookup(r, s[0], cookie_of(s[0]), &fn);
	cr_assert_eq(err, -ENOTSUP);
	v8names__free(r);
}

/* ---- names ----------------------------------------------------------------- */

/* The cookie the BPF program reads: the low half of name_or_scope_info. */
static uint32_t cookie_of(uint64_t s)
{
	uint64_t v;

	memcpy(&v, heap + (s - 1 - HEAP_BASE) + 16, 8);
	return (uint32_t)v;
}

Test(v8names, one_byte_name)
{
	struct v8names *r = reader(0);
	uint64_t s = sfi(one_byte("hotFunction"), script(one_byte("/app/main.js")));
	struct v8_function fn;

	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "hotFunction");
	cr_assert_str_eq(fn.script, "/app/main.js");
	v8names__free(r);
}

Test(v8names, latin1_is_utf8)
{
	struct v8names *r = reader(0);
	uint64_t s = sfi(one_byte("caf\xe9"), 0);
	struct v8_function fn;

	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "caf\xc3\xa9");
	cr_assert_str_eq(fn.script, "", "no script: empty");
	v8names__free(r);
}

Test(v8names, two_byte_name)
{
	/* "λx😀" then a lone high surrogate before 'a'. */
	static const uint16_t u[] = { 0x3bb, 'x', 0xd83d, 0xde00, 0xd800, 'a' };
	struct v8names *r = reader(0);
	uint64_t s = sfi(two_byte(u, 6), 0);
	struct v8_function fn;

	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "\xce\xbbx\xf0\x9f\x98\x80\xef\xbf\xbd" "a");
	v8names__free(r);
}

Test(v8names, cons_thin_sliced)
{
	struct v8names *r = reader(0);
	uint64_t c = cons(one_byte("Module."), one_byte("_compile"), 15);
	uint64_t thin = object(THIN | ONE_BYTE, 24), sliced = object(SLICED | ONE_BYTE, 32);
	struct v8_function fn;
	uint64_t s;

	put32(thin, 12, 15);
	put64(thin, 16, c);
	s = sfi(thin, 0);
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "Module._compile");

	/* "_comp" out of the cons string, through a slice at offset 7. */
	put32(sliced, 12, 5);
	put64(sliced, 16, c);
	put64(sliced, 24, smi(7));
	s = sfi(sliced, script(cons(one_byte("/a/"), one_byte("b.js"), 7)));
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "_comp");
	cr_assert_str_eq(fn.script, "/a/b.js");
	v8names__free(r);
}

Test(v8names, scope_info_function_name)
{
	struct v8names *r = reader(0);
	uint64_t locals[] = { one_byte("i"), one_byte("s") };
	uint64_t names[] = { one_byte("closureWork"), smi(3), 0 };
	struct v8_function fn;
	uint64_t si, s;

	names[2] = object(131, 8); /* undefined: an oddball, not a string */
	si = scope_info(locals, 2, names, 3);
	s = sfi(si, script(one_byte("/app/main.js")));
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "closureWork", "the locals are skipped");
	cr_assert_str_eq(fn.script, "/app/main.js");
	v8names__free(r);
}

Test(v8names, scope_info_inferred_name)
{
	struct v8names *r = reader(0);
	uint64_t names[] = { one_byte(""), smi(0), one_byte("obj.inferredWork") };
	struct v8_function fn;
	uint64_t s = sfi(scope_info(NULL, 0, names, 3), 0);

	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "obj.inferredWork");
	v8names__free(r);
}

Test(v8names, scope_info_anonymous)
{
	struct v8names *r = reader(0);
	uint64_t outer_names[] = { one_byte("outer") };
	uint64_t outer = scope_info(NULL, 0, outer_names, 1);
	uint64_t names[] = { outer };
	struct v8_function fn;
	uint64_t s = sfi(scope_info(NULL, 0, names, 1), 0);

	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "", "the outer scope's names are not this function's");
	v8names__free(r);
}

/* ---- lines ------------------------------------------------------------------ */

static const char source[] = "'use strict';\n"           /* 0..13 */
			     "// a comment\n"             /* 14..26 */
			     "  function handler(req) {\n" /* 27..52: '(' at 43 */
			     "}\n"
			     "last line, no newline";

/* A pre-12.8 ScopeInfo of a function defined at `start`: function variable
 * name and slot, no inferred name, the position pair, the outer scope. */
static uint64_t positioned_scope_info(int64_t start)
{
	uint64_t outer_names[] = { one_byte("outer") };
	uint64_t outer = scope_info(NULL, 0, outer_names, 1);
	uint64_t names[] = { one_byte("handler"), smi(-1), object(131, 8), smi(start),
			     smi(start + 20), outer };

	return scope_info(NULL, 0, names, 6);
}

Test(v8names, line_counted_in_the_source)
{
	struct v8names *r = reader(0);
	uint64_t scr = script_with(one_byte("/app/app.js"), one_byte(source), smi(0));
	uint64_t s = sfi(positioned_scope_info(43), scr), t;
	struct v8names_stats st;
	struct v8_function fn;

	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "handler");
	cr_assert_eq(fn.line, 3, "line ends not computed by V8: counted (%u)", fn.line);
	/* The last line has no newline; a second function of the script
	 * reuses its lines. */
	t = sfi(positioned_scope_info((int64_t)strlen(source) - 3), scr);
	cr_assert_eq(v8names__lookup(r, t, cookie_of(t), &fn), 0);
	cr_assert_eq(fn.line, 5);
	v8names__stats(r, &st);
	cr_assert_eq(st.scripts_lined, 1);
	/* A position past the source is no line. */
	t = sfi(positioned_scope_info(4000), scr);
	cr_assert_eq(v8names__lookup(r, t, cookie_of(t), &fn), 0);
	cr_assert_eq(fn.line, 0);
	v8names__free(r);
}

Test(v8names, line_from_v8s_line_ends)
{
	/* V8's line ends win over the source (here they disagree on purpose:
	 * lines end at 20 and 30, before the function). */
	struct v8names *r = reader(0);
	uint64_t ends = object((uint16_t)layout.type_fixed_array, 16 + 8 * 5);
	uint64_t s;
	struct v8_function fn;

	put64(ends, 8, smi(5));
	put64(ends, 16, smi(13));
	put64(ends, 24, smi(20));
	put64(ends, 32, smi(30));
	put64(ends, 40, smi(52));
	put64(ends, 48, smi(80));
	s = sfi(positioned_scope_info(43),
		script_with(one_byte("/app/app.js"), one_byte(source), ends));
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_eq(fn.line, 3 + 1);
	v8names__free(r);
}

Test(v8names, position_in_the_header_from_v8_12_8)
{
	/* From V8 12.8 the positions are the header's last two slots. */
	struct v8_layout l = layout;
	struct v8names *r;
	struct v8_function fn;
	uint64_t si = object((uint16_t)layout.type_scope_info, 8 + 8 * 10), s, v;

	l.scopeinfo_first_vars = 5;
	l.scopeinfo_position_in_header = true;
	put64(si, 8, smi(0));
	put64(si, 16, smi(1));
	put64(si, 24, smi(0));  /* no context locals */
	put64(si, 32, smi(43)); /* start */
	put64(si, 40, smi(60)); /* end */
	put64(si, 48, one_byte("handler"));
	put64(si, 56, smi(-1));
	put64(si, 64, smi(7));  /* Smis after the names are not the position */
	put64(si, 72, smi(9));
	put64(si, 80, object(131, 8));
	s = sfi(si, script_with(one_byte("/app/app.js"), one_byte(source), smi(0)));
	r = v8names__new(&l, read_heap, NULL, 0);
	memcpy(&v, heap + (s - 1 - HEAP_BASE) + 16, 8);
	cr_assert_eq(v8names__lookup(r, s, (uint32_t)v, &fn), 0);
	cr_assert_str_eq(fn.name, "handler");
	cr_assert_eq(fn.line, 3);
	v8names__free(r);
}

Test(v8names, external_strings_read_from_their_cached_data)
{
	/* Node's own modules' sources are external: their characters are
	 * outside the heap, behind the pointer V8 caches after the resource. */
	struct v8names *r = reader(0);
	uint64_t chars = alloc(sizeof(source)) - 1; /* raw, untagged */
	uint64_t ext = object(EXTERNAL | ONE_BYTE, 32), s;
	struct v8_function fn;

	memcpy(heap + (chars - HEAP_BASE), source, sizeof(source));
	put32(ext, 12, (uint32_t)strlen(source));
	put64(ext, 16, 0x7f0000001000ull); /* the resource object: not read */
	put64(ext, 24, chars);
	s = sfi(positioned_scope_info(43), script_with(one_byte("node:internal/x"), ext, smi(0)));
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_eq(fn.line, 3);
	v8names__free(r);
}

Test(v8names, refuses_what_is_not_an_sfi)
{
	struct v8names *r = reader(0);
	uint64_t str = one_byte("not an sfi"), s;
	uint64_t ext = object(EXTERNAL | ONE_BYTE, 32);
	struct v8_function fn;

	cr_assert_eq(v8names__lookup(r, str, 0, &fn), -EINVAL);
	cr_assert_eq(v8names__lookup(r, 0x10, 0, &fn), -EINVAL, "a Smi");
	cr_assert_eq(v8names__lookup(r, HEAP_BASE + HEAP_SIZE + 1, 0, &fn), -EFAULT);
	put32(ext, 12, 4);
	s = sfi(ext, 0);
	cr_assert_lt(v8names__lookup(r, s, cookie_of(s), &fn), 0, "external strings are not read");
	/* A name that is no string at all: not taken. */
	s = sfi(script(0), 0);
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "");
	v8names__free(r);
}

Test(v8names, stale_cookie)
{
	struct v8names *r = reader(0);
	uint64_t s = sfi(one_byte("before"), 0);
	uint32_t old = cookie_of(s);
	struct v8names_stats st;
	struct v8_function fn;

	/* The GC moved another function here: its name field differs. */
	put64(s, 16, one_byte("after"));
	cr_assert_eq(v8names__lookup(r, s, old, &fn), -ESTALE);
	cr_assert_eq(v8names__lookup(r, s, cookie_of(s), &fn), 0);
	cr_assert_str_eq(fn.name, "after");
	v8names__stats(r, &st);
	cr_assert_eq(st.failures, 1);
	cr_assert_eq(st.stale, 1);
	v8names__free(r);
}

Test(v8names, cache_hits_and_bound)
{
	struct v8names *r = reader(4);
	uint64_t s[10];
	struct v8names_stats st;
	struct v8_function fn;
	unsigned int before;
	char name[16];

	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		s[i] = sfi(one_byte(name), 0);
	}
	cr_assert_eq(v8names__lookup(r, s[0], cookie_of(s[0]), &fn), 0);
	before = reads;
	cr_assert_eq(v8names__lookup(r, s[0], cookie_of(s[0]), &fn), 0);
	cr_assert_eq(reads, before, "a hit reads nothing");
	cr_assert_str_eq(fn.name, "f0");
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(v8names__lookup(r, s[i], cookie_of(s[i]), &fn), 0);
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert_str_eq(fn.name, name);
	}
	v8names__stats(r, &st);
	cr_assert_leq(st.entries, 4);
	cr_assert_geq(st.evictions, 6);
	cr_assert_eq(st.hits, 2);
	/* Failures are cached too. */
	cr_assert_eq(v8names__lookup(r, HEAP_BASE + HEAP_SIZE + 1, 0, &fn), -EFAULT);
	before = reads;
	cr_assert_eq(v8names__lookup(r, HEAP_BASE + HEAP_SIZE + 1, 0, &fn), -EFAULT);
	cr_assert_eq(reads, before);
	v8names__free(r);
}

Test(v8names, cache_grows_with_use)
{
	/* Past V8NAMES_CACHE_START functions the cache grows instead of
	 * evicting, up to its bound, and keeps every entry through the
	 * rehash (and the reader's first, proving, entry). */
	enum { N = V8NAMES_CACHE_START * 2 + 7 };
	struct v8names *r = reader(N + 1);
	static uint64_t s[N];
	struct v8names_stats st;
	struct v8_function fn;
	unsigned int before;
	char name[16];

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		s[i] = sfi(one_byte(name), 0);
		cr_assert_eq(v8names__lookup(r, s[i], cookie_of(s[i]), &fn), 0);
	}
	before = reads;
	for (int i = 0; i < N; i++) {
		cr_assert_eq(v8names__lookup(r, s[i], cookie_of(s[i]), &fn), 0);
		snprintf(name, sizeof(name), "g%d", i);
		cr_assert_str_eq(fn.name, name);
	}
	cr_assert_eq(reads, before, "all hits");
	v8names__stats(r, &st);
	cr_assert_eq(st.entries, N + 1);
	cr_assert_eq(st.evictions, 0);
	v8names__free(r);
}

/* ---- the walk's ranges ---------------------------------------------------- */

Test(v8names, walk_info_ranges)
{
	uint64_t off = layout.blob_code_offset, size = layout.blob_code_size;
	struct v8_mapping maps[] = {
		/* node's text, holding the builtins where it was linked */
		{ 0x400000, 0x400000 + 0x100 + size + 0x1000, off - 0x100, "/usr/bin/node" },
		/* JIT code, then more JIT code right after it */
		{ 0x7f0000000000, 0x7f0000010000, 0, "" },
		{ 0x7f0000010000, 0x7f0000020000, 0, "" },
		/* V8's remapped copy of the builtins */
		{ 0x7f0010000000, 0x7f0010000000 + size, off, "/usr/bin/node" },
		/* a library: not V8 code */
		{ 0x7f2000000000, 0x7f2000100000, 0, "/usr/lib/libc.so.6" },
	};
	struct v8_walk_info info;

	v8names__walk_info(&layout, "/usr/bin/node", maps, 5, &info);
	cr_assert_eq(info.off_fp_function, -16);
	cr_assert_eq(info.jsfunction_shared, 24);
	cr_assert_eq(info.sfi_name, 16);
	cr_assert_eq(info.n_ranges, 3);
	cr_assert_eq(info.ranges[0].start, 0x400000 + 0x100);
	cr_assert_eq(info.ranges[0].end, 0x400000 + 0x100 + size, "the builtins only");
	cr_assert_not(info.ranges[0].jit);
	cr_assert_eq(info.ranges[1].start, 0x7f0000000000);
	cr_assert_eq(info.ranges[1].end, 0x7f0000020000, "adjacent JIT mappings merge");
	cr_assert(info.ranges[1].jit);
	cr_assert_eq(info.ranges[2].start, 0x7f0010000000);
	cr_assert_eq(info.ranges[2].end, 0x7f0010000000 + size);
	cr_assert_not(info.ranges[2].jit);
}

Test(v8names, walk_info_bounded)
{
	struct v8_mapping maps[20];
	struct v8_walk_info info;

	for (int i = 0; i < 20; i++)
		maps[i] = (struct v8_mapping){ 0x10000000ull * (i + 1),
					       0x10000000ull * (i + 1) + 0x1000, 0, "" };
	v8names__walk_info(&layout, "/usr/bin/node", maps, 20, &info);
	cr_assert_eq(info.n_ranges, V8NAMES_MAX_RANGES);
	/* Every mapping is still covered. */
	for (int i = 0; i < 20; i++) {
		bool in = false;

		for (size_t j = 0; j < info.n_ranges; j++)
			in |= maps[i].start >= info.ranges[j].start &&
			      maps[i].end <= info.ranges[j].end;
		cr_assert(in, "mapping %d lost", i);
	}
}
