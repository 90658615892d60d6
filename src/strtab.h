// SPDX-License-Identifier: MIT
/* strtab: interned strings. Each distinct frame name is stored once and named
 * by a small integer id, so trees compare and hash ids, not strings. Ids are
 * dense (0, 1, 2, ...) and stay valid until strtab__free. */
#ifndef PROMFILER_STRTAB_H
#define PROMFILER_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#define STRTAB_NONE UINT32_MAX

struct strtab;

/* NULL with errno set on failure. */
struct strtab *strtab__new(void);
void strtab__free(struct strtab *st);
/* The id of `s` (added if new), or STRTAB_NONE when out of memory. */
uint32_t strtab__intern(struct strtab *st, const char *s);
/* The string of `id`; the strtab owns it. NULL for an unknown id. */
const char *strtab__get(const struct strtab *st, uint32_t id);
size_t strtab__count(const struct strtab *st);

#endif
