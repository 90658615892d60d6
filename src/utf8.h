// SPDX-License-Identifier: MIT
/* utf8: the one UTF-8 validator (RFC 3629, https://www.rfc-editor.org/rfc/rfc3629)
 * for text that comes from other processes (perf maps, comms, cgroup paths)
 * and goes into an exposition or a frame name. A leaf module. */
#ifndef PROMFILER_UTF8_H
#define PROMFILER_UTF8_H

#include <stddef.h>

/* U+FFFD, what a byte that is not part of valid UTF-8 becomes. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Length of the valid UTF-8 sequence at s, 1..4, or 0 if there is none: a
 * lead byte without its continuation bytes, an overlong form, a surrogate,
 * or a code point past U+10FFFF. s is NUL-terminated: the check stops at
 * the NUL (it is no continuation byte), so it never reads past it. */
size_t utf8__seq_len(const char *s);

#endif
