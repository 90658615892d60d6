// SPDX-License-Identifier: MIT
/* fuzz_procmaps: libFuzzer target for procmaps__load_file, the parser of
 * /proc/PID/maps (proc(5)). The kernel writes that file, but the paths in it
 * are names a process chose (any bytes but NUL and newline, and a
 * " (deleted)" tail), and a parser that trusts its shape is one kernel change
 * away from a crash. The input is the file, read through fmemopen; the
 * result must be sorted, hold only executable mappings with start < end, and
 * procmaps__find must agree with a linear search. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct procmap *linear_find(const struct procmaps *pm, uint64_t addr)
{
	for (size_t i = 0; i < pm->count; i++)
		if (pm->maps[i].start <= addr && addr < pm->maps[i].end)
			return &pm->maps[i];
	return NULL;
}

static void check_find(const struct procmaps *pm, uint64_t addr)
{
	const struct procmap *got = procmaps__find(pm, addr);
	const struct procmap *want = linear_find(pm, addr);

	/* Overlapping mappings (impossible from the kernel) may resolve to
	 * either; a miss must be a miss. */
	if (!got != !want || (got && (got->start > addr || addr >= got->end))) {
		fprintf(stderr, "find %#llx disagrees\n", (unsigned long long)addr);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procmaps pm;
	FILE *f;
	int err;

	if (size == 0) /* fmemopen wants a buffer */
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	err = procmaps__load_file(f, &pm);
	fclose(f);
	if (err) {
		if (pm.count || pm.maps)
			abort(); /* an error leaves nothing behind */
		return 0;
	}
	for (size_t i = 0; i < pm.count; i++) {
		const struct procmap *m = &pm.maps[i];

		if (m->start >= m->end || !m->path || strchr(m->path, '\n') ||
		    (i && pm.maps[i - 1].start > m->start))
			abort();
		check_find(&pm, m->start);
		check_find(&pm, m->end - 1);
		check_find(&pm, m->end);
	}
	check_find(&pm, 0);
	check_find(&pm, UINT64_MAX);
	procmaps__release(&pm);
	if (pm.count || pm.maps)
		abort();
	return 0;
}
