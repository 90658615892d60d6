// SPDX-License-Identifier: MIT
/* fuzz_elfsym: libFuzzer target for elfsym, the ELF symbol reader. The
 * files it reads are untrusted (a container controls its own binaries and
 * libraries), and elfsym.h promises that a corrupt or truncated file is an
 * error (-ENOEXEC), never a crash. The input is the file, given through a
 * memfd; when it loads, every symbol lookup, the build-id path and the
 * debug-file merge (the input as its own debug file) run under ASan. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfsym_stats st;
	struct elfsym *es;
	char path[256];
	uint64_t off;
	int err;

	if (fd < 0 && (fd = memfd_create("fuzz-elfsym", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	es = elfsym__load_fd(fd);
	if (!es) {
		if (errno != ENOEXEC && errno != ENOMEM && errno != EINVAL &&
		    errno != EFBIG) {
			fprintf(stderr, "unexpected errno %d (%s)\n", errno, strerror(errno));
			abort();
		}
		return 0;
	}
	elfsym__stats(es, &st);
	if (st.build_id_len > ELFSYM_BUILD_ID_MAX)
		abort();
	err = elfsym__debug_path(es, path, sizeof(path));
	if (err && err != -ENOENT && err != -ENAMETOOLONG)
		abort();
	/* Offsets across the file and a few beyond it. */
	for (off = 0; off < size + 64; off += 1 + size / 64) {
		uint64_t within = UINT64_MAX;
		const char *name = elfsym__lookup(es, off, &within);

		if (name && strlen(name) > (1u << 20))
			abort();
	}
	elfsym__lookup(es, UINT64_MAX, NULL);
	/* The input as its own debug file: same build-id, so it merges
	 * (or fails cleanly); lookups must stay safe either way. */
	err = elfsym__load_debug_fd(es, fd);
	if (err && err != -ENOENT && err != -ESRCH && err != -ENOEXEC && err != -ENOMEM)
		abort();
	for (off = 0; off < size; off += 1 + size / 16)
		elfsym__lookup(es, off, NULL);
	elfsym__free(es);
	return 0;
}
