// SPDX-License-Identifier: MIT
/* fuzz_v8code: libFuzzer target for v8code (src/v8code.c), which follows
 * pointers through another process's memory: the InstructionStream and
 * Code objects found from a perf-map start or searched for below a pc, the
 * deoptimization data, the literal array and the tables. A hostile or buggy
 * process controls all of it. The input: byte 0 picks the V8 layout (bits
 * 0-2: 11.3, 12.4, 13.6, 14.1, 14.6) and whether the pc is a return address
 * (bit 3); bytes 1-4 are the pc's offset in the image (little endian);
 * the rest is the memory image, at IMAGE_BASE; any read outside it fails
 * as an unmapped page would. Each input is looked up from the pc alone
 * twice (the second from the range the first remembered), then from the
 * start the first found, then once more in the next generation. Checks:
 * every result is one v8code.h documents, never more functions than asked
 * for, each function a tagged heap pointer, and the second lookup the
 * same as the first. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "v8code.h"

#define IMAGE_BASE 0x200000000ull
#define MAX_FNS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct image {
	const uint8_t *b;
	size_t n;
};

static int read_image(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (addr < IMAGE_BASE || addr - IMAGE_BASE > im->n || len > im->n - (addr - IMAGE_BASE))
		return -EFAULT;
	memcpy(buf, im->b + (addr - IMAGE_BASE), len);
	return 0;
}

static void check(int err, const struct v8_inlined *fns, size_t n)
{
	if (err && err != -ENOEXEC && err != -ENOENT && err != -EINVAL && err != -EFAULT &&
	    err != -E2BIG && err != -ENOMEM)
		abort(); /* not a documented result */
	if (err && n)
		abort();
	if (n > MAX_FNS)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((fns[i].sfi & 3) != 1)
			abort(); /* not a tagged heap pointer */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int versions[][2] = { { 11, 3 }, { 12, 4 }, { 13, 6 }, { 14, 1 }, { 14, 6 } };
	struct v8_inlined a[MAX_FNS], b[MAX_FNS];
	struct v8_layout l = { .tagged_size = 8, .pointer_size = 8, .heap_object_tag = 1,
			       .sfi_name_or_scope_info = 16 };
	struct image im;
	struct v8code *c;
	uint32_t off;
	size_t na, nb;
	int ea, eb;
	bool ret;

	if (size < 5)
		return 0;
	l.major = versions[(data[0] & 7) % 5][0];
	l.minor = versions[(data[0] & 7) % 5][1];
	ret = data[0] & 8;
	memcpy(&off, data + 1, 4);
	im = (struct image){ data + 5, size - 5 };
	c = v8code__new(&l, read_image, &im);
	if (!c)
		return 0;
	ea = v8code__inlined_at(c, IMAGE_BASE + off, ret, a, MAX_FNS, &na);
	check(ea, a, na);
	eb = v8code__inlined_at(c, IMAGE_BASE + off, ret, b, MAX_FNS, &nb);
	check(eb, b, nb);
	if (ea != eb || na != nb || (na && memcmp(a, b, na * sizeof(*a))))
		abort(); /* the same memory, the same answer */
	for (uint64_t start = IMAGE_BASE + off; start > IMAGE_BASE + off - 64 && start > IMAGE_BASE;
	     start -= 16) {
		ea = v8code__inlined(c, start & ~15ull, IMAGE_BASE + off, ret, a, MAX_FNS, &na);
		check(ea, a, na);
	}
	v8code__next_generation(c);
	ea = v8code__inlined_at(c, IMAGE_BASE + off, ret, a, MAX_FNS, &na);
	check(ea, a, na);
	v8code__free(c);
	return 0;
}
