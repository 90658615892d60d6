// SPDX-License-Identifier: MIT
/* bsearch: the binary search the address lookups share (symbols, maps,
 * perf map ranges, code objects, inlining positions), over any array of
 * structs sorted by one of its members. */
#ifndef PROMFILER_BSEARCH_H
#define PROMFILER_BSEARCH_H

#include <stddef.h>

/* How many of the n elements of array (ascending in member) have
 * array[i].member <= key: the index one past the last such element, 0 if
 * none. array and key are read more than once. */
#define COUNT_AT_OR_BELOW(array, n, member, key)            \
	({                                                  \
		size_t lo_ = 0, hi_ = (n);                  \
		while (lo_ < hi_) {                         \
			size_t mid_ = lo_ + (hi_ - lo_) / 2; \
			if ((array)[mid_].member <= (key))  \
				lo_ = mid_ + 1;             \
			else                                \
				hi_ = mid_;                 \
		}                                           \
		lo_;                                        \
	})

#endif
