// SPDX-License-Identifier: MIT
/* render_fixture: writes a fixed profile in one of the renderers' formats to
 * stdout, so that shell tests can check the output with outside tools (go
 * tool pprof, a headless browser) without root or BPF.
 *   render_fixture folded|svg|html|pprof
 * The profile looks like a real one of tests/fixtures/hot.js: hotFunction
 * holds most samples, and two frames have hostile names (markup, a script
 * end tag, quotes, U+2028) that the outputs must carry as text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_flame.h"
#include "render_folded.h"
#include "render_pprof.h"

/* Frame path from the root's child to the leaf, and its self samples. */
static const struct {
	const char *path[8];
	uint64_t self;
} stacks[] = {
	{ { "[libc.so.6]", "[node]", "Builtin:JSEntry", "processImmediate",
	    "mainLoop", "hotFunction" }, 281 },
	{ { "[libc.so.6]", "[node]", "Builtin:JSEntry", "processImmediate",
	    "mainLoop", "warmFunction" }, 40 },
	{ { "[libc.so.6]", "[node]", "Builtin:JSEntry", "processImmediate",
	    "mainLoop", "coldFunction" }, 8 },
	{ { "[libc.so.6]", "[node]", "Builtin:JSEntry", "processImmediate",
	    "mainLoop" }, 2 },
	{ { "[libc.so.6]", "[node]", "Builtin:JSEntry", "processImmediate",
	    "mainLoop", "<img src=x onerror=\"document.title='pwned'\"></script>"
	    "<script>document.title='pwned'</script>&amp;" }, 3 },
	{ { "[libc.so.6]", "[node]", "v8::internal::Heap::Scavenge" }, 12 },
	{ { "[libc.so.6]", "[node]", "line\xe2\x80\xa8separated;name" }, 2 },
};

static int build(struct strtab *st, struct tree *t)
{
	for (size_t i = 0; i < sizeof(stacks) / sizeof(stacks[0]); i++) {
		uint32_t node = TREE_ROOT;

		for (size_t d = 0; d < 8 && stacks[i].path[d]; d++) {
			uint32_t f = strtab__intern(st, stacks[i].path[d]);

			if (f == STRTAB_NONE)
				return -ENOMEM;
			node = tree__child(t, node, f);
			if (node == TREE_NONE)
				return -ENOMEM;
		}
		tree__add(t, node, stacks[i].self);
	}
	tree__end_window(t);
	return 0;
}

int main(int argc, char **argv)
{
	const double sps = 1.0 / 97;
	const char *format = argc == 2 ? argv[1] : "";
	struct strtab *st = strtab__new();
	struct tree *t = st ? tree__new(strtab__intern(st, "(root)")) : NULL;
	const struct tree *trees[1] = { t };
	struct buf out;
	int err;

	if (!t) {
		fprintf(stderr, "render_fixture: out of memory\n");
		return 1;
	}
	err = build(st, t);
	buf__init(&out);
	if (err) {
		/* reported below */
	} else if (strcmp(format, "folded") == 0) {
		const struct folded_opts o = { .frames = st, .count = COUNT_WINDOW };

		err = render_folded__trees(&out, trees, 1, &o);
	} else if (strcmp(format, "svg") == 0 || strcmp(format, "html") == 0) {
		const struct flame_opts o = {
			.frames = st, .count = COUNT_WINDOW, .seconds_per_sample = sps,
			.title = "promfiler-bpf: pid 1234 (node) <fixture> & \"co\"",
		};

		err = format[0] == 's' ? render_flame__svg(&out, trees, 1, &o) :
					 render_flame__html(&out, trees, 1, &o);
	} else if (strcmp(format, "pprof") == 0) {
		const struct pprof_opts o = {
			.frames = st, .count = COUNT_WINDOW, .seconds_per_sample = sps,
			.time_nanos = 1700000000LL * 1000000000LL,
			.duration_nanos = 10LL * 1000000000LL,
		};

		err = render_pprof__profile(&out, trees, 1, &o);
	} else {
		fprintf(stderr, "usage: render_fixture folded|svg|html|pprof\n");
		return 2;
	}
	if (!err && fwrite(out.data, 1, out.len, stdout) != out.len)
		err = -errno;
	if (!err && fflush(stdout) != 0)
		err = -errno;
	if (err)
		fprintf(stderr, "render_fixture: %s: %s\n", format, strerror(-err));
	buf__release(&out);
	tree__free(t);
	strtab__free(st);
	return err ? 1 : 0;
}
