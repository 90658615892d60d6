/* procfs: /proc readers; see procfs.h and proc(5). */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

int procfs__comm(pid_t pid, char *comm, size_t len)
{
	char path[64], buf[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	err = read_small_file(path, buf, sizeof(buf));
	if (err)
		return err;
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(comm, len, "%s", buf);
	return 0;
}

int procfs__parse_stat_start_time(const char *stat, uint64_t *ticks)
{
	/* The comm (field 2) may hold spaces and ')': fields resume after the
	 * last ')'. Field 3 follows it; we want field 22. */
	const char *p = strrchr(stat, ')');
	char *end;

	if (!p)
		return -EINVAL;
	p++;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EINVAL;
		if (field == 22)
			break;
		p += strcspn(p, " ");
	}
	errno = 0;
	*ticks = strtoull(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\0' && *end != '\n'))
		return -EINVAL;
	return 0;
}

int procfs__start_time(pid_t pid, uint64_t *ticks)
{
	char path[64], buf[1024];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = read_small_file(path, buf, sizeof(buf));
	return err ? err : procfs__parse_stat_start_time(buf, ticks);
}

int procfs__parse_ns_pid(FILE *status, pid_t *ns_pid)
{
	char line[512];

	while (fgets(line, sizeof(line), status)) {
		char *last, *end;
		long v;

		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		if (!last)
			last = strrchr(line, ' ');
		if (!last)
			return -EINVAL;
		errno = 0;
		v = strtol(last + 1, &end, 10);
		if (errno || end == last + 1 || *end || v <= 0 || v > INT32_MAX)
			return -EINVAL;
		*ns_pid = (pid_t)v;
		return 0;
	}
	return -ENOENT;
}

int procfs__ns_pid(pid_t pid, pid_t *ns_pid)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = procfs__parse_ns_pid(f, ns_pid);
	fclose(f);
	if (err == -ENOENT) { /* kernel without NSpid: no PID namespaces */
		*ns_pid = pid;
		err = 0;
	}
	return err;
}

static int by_start(const void *a, const void *b)
{
	const struct procmap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int procmaps__load_file(FILE *f, struct procmaps *out)
{
	char line[4096 + 256];
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end, offset;
		char perms[8];
		int path_at = 0;
		struct procmap *pm;

		if (!strchr(line, '\n') && !feof(f)) {
			/* Overlong line: drop the rest of it. */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*u %n",
			   &start, &end, perms, &offset, &path_at) < 4 ||
		    !path_at || start >= end)
			continue;
		if (strlen(perms) < 3 || perms[2] != 'x')
			continue;
		if (out->count == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct procmap *p = realloc(out->maps, ncap * sizeof(*p));

			if (!p) {
				procmaps__release(out);
				return -ENOMEM;
			}
			out->maps = p;
			cap = ncap;
		}
		pm = &out->maps[out->count];
		pm->path = strdup(line + path_at);
		if (!pm->path) {
			procmaps__release(out);
			return -ENOMEM;
		}
		pm->start = start;
		pm->end = end;
		pm->offset = offset;
		out->count++;
	}
	if (out->count)
		qsort(out->maps, out->count, sizeof(*out->maps), by_start);
	return 0;
}

int procmaps__load_pid(pid_t pid, struct procmaps *out)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = procmaps__load_file(f, out);
	fclose(f);
	return err;
}

const struct procmap *procmaps__find(const struct procmaps *pm, uint64_t addr)
{
	size_t lo = 0, hi = pm->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pm->count && pm->maps[lo].start <= addr)
		return &pm->maps[lo];
	return NULL;
}

void procmaps__release(struct procmaps *pm)
{
	for (size_t i = 0; i < pm->count; i++)
		free(pm->maps[i].path);
	free(pm->maps);
	memset(pm, 0, sizeof(*pm));
}
