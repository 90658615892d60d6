// SPDX-License-Identifier: MIT
/* Unit tests for fileio: a regular file opens; a directory, a FIFO, a
 * symlink under O_NOFOLLOW and a missing path are refused, leaking no fd. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

#define FLAGS (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_fileio.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(fileio, .init = setup, .fini = teardown, .timeout = 10);

static const char *in_dir(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* The number open() would give next: unchanged after a refusal unless the
 * refused file's fd leaked. */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0);
	close(fd);
	return fd;
}

static void make_file(const char *name, const char *data)
{
	int fd = open(in_dir(name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

static void refused(const char *name, int want)
{
	struct stat st;
	int before = next_fd();

	cr_assert_eq(fileio__open_regular(in_dir(name), FLAGS, &st), want,
		     "%s", name);
	cr_assert_eq(next_fd(), before, "%s: fd leaked", name);
}

Test(fileio, regular_file_opens)
{
	struct stat st;
	char buf[16];
	int fd;

	make_file("map", "hello\n");
	fd = fileio__open_regular(in_dir("map"), FLAGS, &st);
	cr_assert_geq(fd, 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_size, 6);
	cr_assert_eq(read(fd, buf, sizeof(buf)), 6);
	close(fd);
}

Test(fileio, directory_is_einval)
{
	cr_assert_eq(mkdir(in_dir("d"), 0755), 0);
	refused("d", -EINVAL);
}

/* O_NONBLOCK lets open() return on a FIFO with no writer; the suite's
 * timeout fails the test if it blocks. */
Test(fileio, fifo_is_einval_without_blocking)
{
	cr_assert_eq(mkfifo(in_dir("fifo"), 0600), 0);
	refused("fifo", -EINVAL);
}

Test(fileio, symlink_under_nofollow_is_eloop)
{
	make_file("target", "x\n");
	/* Relative to the link's directory: in_dir() has one buffer. */
	cr_assert_eq(symlink("target", in_dir("link")), 0);
	refused("link", -ELOOP);
}

Test(fileio, missing_is_enoent)
{
	refused("missing", -ENOENT);
}

Test(fileio, regular_fd_closes_what_it_refuses)
{
	struct stat st;
	int fd;

	make_file("f", "x\n");
	fd = open(in_dir("f"), O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fileio__regular_fd(fd, &st), fd);
	close(fd);

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fileio__regular_fd(fd, &st), -EINVAL);
	cr_assert_eq(fcntl(fd, F_GETFD), -1, "the refused fd is still open");
	cr_assert_eq(errno, EBADF);
}
