// SPDX-License-Identifier: MIT
/* fuzz_v8inline: libFuzzer target for the decoders of V8's source position
 * table and inlining positions (src/v8inline.c). Both come from another
 * process's memory, which a hostile or buggy process controls. The input's
 * first byte picks the table format (V8 13 or 14) and where it splits: the
 * bytes before the split are a source position table, those after it the
 * inlining positions. Checks: the table decoded once and streamed give the
 * same position at every pc tried, each chain ends within its bound, and
 * its literal indexes are never negative. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "v8inline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum v8_offsets kind;
	struct v8_position_entry *e;
	size_t split, n = 0, k;
	int32_t fids[V8INLINE_MAX_DEPTH];

	if (size < 1)
		return 0;
	kind = data[0] & 1 ? V8_OFFSETS_LOW_BIT : V8_OFFSETS_SIGNED;
	split = size > 1 ? 1 + (size_t)(data[0] >> 1) * (size - 1) / 127 : 1;
	if (split > size)
		split = size;
	e = malloc((split / 2 + 1) * sizeof(*e));
	if (!e)
		return 0;
	int err = v8inline__decode(data + 1, split - 1, kind, e, split / 2 + 1, &n);

	if (err != 0 && err != -EINVAL)
		abort(); /* len / 2 + 1 entries are always enough */
	for (uint32_t pc = 0; !err && pc < 4096; pc += 7) {
		uint64_t a = 0, b = 0;
		int ea = v8inline__position_at(data + 1, split - 1, kind, pc, &a);
		int eb = v8inline__lookup(e, n, pc, &b);

		if (ea != eb || (!ea && a != b))
			abort(); /* streamed and decoded disagree */
		if (!ea && v8inline__chain(a, data + split, size - split, fids,
					   V8INLINE_MAX_DEPTH, &k) == 0)
			for (size_t i = 0; i < k; i++)
				if (fids[i] < 0)
					abort();
	}
	free(e);
	return 0;
}
