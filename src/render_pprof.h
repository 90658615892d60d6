// SPDX-License-Identifier: MIT
/* render_pprof: signature trees -> a gzipped pprof profile, the format of
 * `go tool pprof` and of Go's /debug/pprof/profile
 * (https://github.com/google/pprof/blob/main/proto/profile.proto), encoded
 * here by hand: no protobuf library. Pure: trees and names in, bytes out; no
 * clock (the caller passes the times), no I/O.
 *
 * What the profile holds:
 *   sample_type   [samples/count, cpu/nanoseconds]; period_type
 *                 cpu/nanoseconds, period = seconds_per_sample in ns
 *   sample        one per call-tree node with self samples (the trees
 *                 merged by frame path), location ids leaf first, the tree's
 *                 root left out (root self samples: the root's location),
 *                 values [self samples, self samples * period]
 *   location      one per distinct frame, with one line -> its function
 *   function      one per distinct frame: name = system_name = frame name
 *   string_table  [0] = "", then the units and the frame names */
#ifndef PROMFILER_RENDER_PPROF_H
#define PROMFILER_RENDER_PPROF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "profile_view.h"
#include "strtab.h"
#include "tree.h"

struct pprof_opts {
	const struct strtab *frames; /* names of the trees' frame ids */
	enum profile_count count;    /* which self count to write */
	double seconds_per_sample;   /* the sampling period */
	int64_t time_nanos;          /* when the profile began (ns since the epoch) */
	int64_t duration_nanos;      /* how long it covers */
};

/* Appends the gzipped profile of the n trees, merged. 0, -ENOMEM, or
 * -EOVERFLOW for an encoding over 4 GiB. */
int render_pprof__profile(struct buf *out, const struct tree *const *trees,
			  size_t n, const struct pprof_opts *opts);

#endif
