// SPDX-License-Identifier: MIT
/* buf: a growable byte buffer that renderers write into. A failed allocation
 * sets `failed` and turns later appends into no-ops, so a renderer checks
 * once at the end (buf__error) instead of after every append. */
#ifndef PROMFILER_BUF_H
#define PROMFILER_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated while !failed */
	size_t len;
	size_t cap;
	bool failed;
};

void buf__init(struct buf *b);
/* Frees the data and leaves an empty buffer. */
void buf__release(struct buf *b);
void buf__reset(struct buf *b);
void buf__append(struct buf *b, const char *data, size_t len);
void buf__puts(struct buf *b, const char *s);
void buf__printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* 0, or -ENOMEM if any append failed since the last reset. */
int buf__error(const struct buf *b);

#endif
