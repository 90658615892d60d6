// SPDX-License-Identifier: MIT
/* strtab: string interning with an open-addressing hash (FNV-1a, linear
 * probing) over an array of owned copies; see strtab.h. */
#include "strtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct strtab {
	char **strs;     /* by id */
	size_t count;
	size_t cap;
	uint32_t *slots; /* id + 1, 0 = empty */
	size_t nslots;   /* power of two */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct strtab *strtab__new(void)
{
	struct strtab *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->nslots = 256;
	st->slots = calloc(st->nslots, sizeof(*st->slots));
	if (!st->slots) {
		free(st);
		errno = ENOMEM;
		return NULL;
	}
	return st;
}

void strtab__free(struct strtab *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->count; i++)
		free(st->strs[i]);
	free(st->strs);
	free(st->slots);
	free(st);
}

static int grow_slots(struct strtab *st)
{
	size_t n = st->nslots * 2;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t id = 0; id < st->count; id++) {
		size_t i = hash_str(st->strs[id]) & (n - 1);

		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = (uint32_t)id + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = n;
	return 0;
}

uint32_t strtab__intern(struct strtab *st, const char *s)
{
	size_t i = hash_str(s) & (st->nslots - 1);
	char *copy;

	for (; st->slots[i]; i = (i + 1) & (st->nslots - 1)) {
		uint32_t id = st->slots[i] - 1;

		if (strcmp(st->strs[id], s) == 0)
			return id;
	}
	if (st->count + 1 >= STRTAB_NONE || st->count + 1 >= st->nslots)
		return STRTAB_NONE;
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 256;
		char **strs = realloc(st->strs, cap * sizeof(*strs));

		if (!strs)
			return STRTAB_NONE;
		st->strs = strs;
		st->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return STRTAB_NONE;
	st->strs[st->count] = copy;
	st->slots[i] = (uint32_t)st->count + 1;
	st->count++;
	if (st->count * 2 > st->nslots)
		grow_slots(st); /* on failure the table stays correct, just fuller */
	return (uint32_t)st->count - 1;
}

const char *strtab__get(const struct strtab *st, uint32_t id)
{
	return id < st->count ? st->strs[id] : NULL;
}

size_t strtab__count(const struct strtab *st)
{
	return st->count;
}
