// SPDX-License-Identifier: MIT
/* fileio: opening a file that must be a regular file; see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int fileio__regular_fd(int fd, struct stat *st)
{
	int err;

	if (fstat(fd, st))
		err = -errno;
	else if (!S_ISREG(st->st_mode))
		err = -EINVAL;
	else
		return fd;
	close(fd);
	return err;
}

int fileio__open_regular(const char *path, int flags, struct stat *st)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -errno;
	return fileio__regular_fd(fd, st);
}
