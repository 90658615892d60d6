// SPDX-License-Identifier: MIT
/* Replays every input the fuzzers ever crashed on, kept under
 * tests/fixtures/fuzz-regressions/<target>/, through the fuzz target itself
 * (tests/fuzz/fuzz_<target>.c, built without libFuzzer, its entry point
 * renamed fuzz_<target>), so each bug stays fixed with the same checks that
 * found it. A target aborts on a broken contract: Criterion reports the test
 * as crashed, and the log names the file being replayed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"

#define DIR_ROOT FIXTURES "/fuzz-regressions"

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

int fuzz_perfmap(const uint8_t *data, size_t size);
int fuzz_frame_name(const uint8_t *data, size_t size);
int fuzz_render_prom(const uint8_t *data, size_t size);
int fuzz_procmaps(const uint8_t *data, size_t size);
int fuzz_elfsym(const uint8_t *data, size_t size);
int fuzz_v8inline(const uint8_t *data, size_t size);
int fuzz_v8code(const uint8_t *data, size_t size);

static const struct {
	const char *name;
	fuzz_fn fn;
} targets[] = {
	{ "perfmap", fuzz_perfmap },
	{ "frame_name", fuzz_frame_name },
	{ "render_prom", fuzz_render_prom },
	{ "procmaps", fuzz_procmaps },
	{ "elfsym", fuzz_elfsym },
	{ "v8inline", fuzz_v8inline },
	{ "v8code", fuzz_v8code },
};

/* Replays the files of one target's directory; returns how many. */
static size_t replay(const char *name, fuzz_fn fn)
{
	char dir[512], path[1024];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", DIR_ROOT, name);
	d = opendir(dir);
	if (!d)
		return 0; /* nothing found yet for this target */
	while ((de = readdir(d))) {
		uint8_t *data;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cr_log_info("replaying %s", path);
		fprintf(stderr, "replaying %s\n", path);
		data = slurp(path, &len);
		cr_assert_eq(fn(data, len), 0, "%s", path);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

Test(fuzz_regressions, perfmap) { replay("perfmap", fuzz_perfmap); }
Test(fuzz_regressions, frame_name)
{
	cr_assert_geq(replay("frame_name", fuzz_frame_name), 2);
}
Test(fuzz_regressions, render_prom) { replay("render_prom", fuzz_render_prom); }
Test(fuzz_regressions, procmaps)
{
	cr_assert_geq(replay("procmaps", fuzz_procmaps), 1);
}
Test(fuzz_regressions, elfsym) { replay("elfsym", fuzz_elfsym); }
/* A table whose position deltas add past int64 (UBSan in `make sanitize`). */
Test(fuzz_regressions, v8inline)
{
	cr_assert_geq(replay("v8inline", fuzz_v8inline), 1);
}

/* A directory nobody replays would be a regression test that never runs. */
Test(fuzz_regressions, v8code) { replay("v8code", fuzz_v8code); }

Test(fuzz_regressions, every_directory_is_a_target)
{
	DIR *d = opendir(DIR_ROOT);
	struct dirent *de;

	cr_assert_not_null(d, "%s: %s", DIR_ROOT, strerror(errno));
	while ((de = readdir(d))) {
		bool known = false;

		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
			known |= strcmp(de->d_name, targets[i].name) == 0;
		cr_assert(known, "fuzz-regressions/%s: no fuzz target of that name",
			  de->d_name);
	}
	closedir(d);
}
