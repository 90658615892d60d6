// SPDX-License-Identifier: MIT
/* kallsyms: a sorted table of the kernel's text symbols; see kallsyms.h. */
#include "kallsyms.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bsearch.h"

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset in names */
};

struct kallsyms {
	struct ksym *syms;
	size_t count, cap;
	char *names;
	size_t names_len, names_cap;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add(struct kallsyms *ks, uint64_t addr, const char *name)
{
	size_t len = strlen(name) + 1;

	if (ks->count == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 4096;
		struct ksym *s = realloc(ks->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		ks->syms = s;
		ks->cap = cap;
	}
	if (ks->names_len + len > ks->names_cap) {
		size_t cap = ks->names_cap ? ks->names_cap * 2 : 65536;
		char *n;

		while (cap < ks->names_len + len)
			cap *= 2;
		if (cap > UINT32_MAX || !(n = realloc(ks->names, cap)))
			return -ENOMEM;
		ks->names = n;
		ks->names_cap = cap;
	}
	memcpy(ks->names + ks->names_len, name, len);
	ks->syms[ks->count++] = (struct ksym){ addr, (uint32_t)ks->names_len };
	ks->names_len += len;
	return 0;
}

struct kallsyms *kallsyms__load_file(FILE *f)
{
	struct kallsyms *ks = calloc(1, sizeof(*ks));
	char line[512];

	if (!ks)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char type, name[256];
		uint64_t addr;

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		/* Text symbols only: frames are instruction addresses. */
		if (addr == 0 || (type != 't' && type != 'T' && type != 'w' && type != 'W'))
			continue;
		if (add(ks, addr, name)) {
			kallsyms__free(ks);
			errno = ENOMEM;
			return NULL;
		}
	}
	if (ks->count)
		qsort(ks->syms, ks->count, sizeof(*ks->syms), by_addr);
	return ks;
}

struct kallsyms *kallsyms__load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct kallsyms *ks;

	if (!f)
		return NULL;
	ks = kallsyms__load_file(f);
	fclose(f);
	return ks;
}

void kallsyms__free(struct kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->names);
	free(ks);
}

const char *kallsyms__lookup(const struct kallsyms *ks, uint64_t addr)
{
	/* The last symbol starting at or below addr. */
	size_t lo = COUNT_AT_OR_BELOW(ks->syms, ks->count, addr, addr);

	return lo ? ks->names + ks->syms[lo - 1].name : NULL;
}

size_t kallsyms__count(const struct kallsyms *ks)
{
	return ks->count;
}
