// SPDX-License-Identifier: MIT
/* fileio: opening a file that must be a regular file. A path that another
 * user or a container controls (a perf map in /tmp, a container's
 * /etc/hostname, a secret file) may name a FIFO, a device or a directory;
 * refusing all but a regular file, opened with O_NONBLOCK, keeps a read
 * from blocking or never ending. Returns a file descriptor or -errno. */
#ifndef PROMFILER_FILEIO_H
#define PROMFILER_FILEIO_H

#include <sys/stat.h>

/* Takes fd (>= 0): its stat in *st and fd if it is a regular file, else
 * closes fd and returns -errno (-EINVAL: not a regular file). */
int fileio__regular_fd(int fd, struct stat *st);
/* open(path, flags) of a regular file, its stat in *st: the fd, or -errno
 * (-ENOENT, -ELOOP: a symlink under O_NOFOLLOW, -EINVAL: not regular). */
int fileio__open_regular(const char *path, int flags, struct stat *st);

#endif
