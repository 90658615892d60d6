// SPDX-License-Identifier: MIT
/* procfs: /proc readers; see procfs.h and proc(5). */
#include "procfs.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bsearch.h"

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

static void note_flag(const char *arg, size_t len, struct node_flags *out)
{
	static const char *const perf[] = {
		"--perf-basic-prof", "--perf-basic-prof-only-functions", "--perf-prof",
	};

	for (size_t i = 0; i < sizeof(perf) / sizeof(perf[0]); i++)
		if (len == strlen(perf[i]) && memcmp(arg, perf[i], len) == 0)
			out->perf_basic_prof = true;
	if (len == strlen("--interpreted-frames-native-stack") &&
	    memcmp(arg, "--interpreted-frames-native-stack", len) == 0)
		out->interpreted_frames = true;
}

/* node's options that take their value as the next argument. */
static bool takes_value(const char *arg)
{
	static const char *const opts[] = {
		"-r", "--require", "--import", "--loader", "--experimental-loader",
		"-C", "--conditions", "--title", "--env-file", "--inspect-port",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(arg, opts[i]) == 0)
			return true;
	return false;
}

void procfs__parse_node_flags(const char *cmdline, size_t cmdline_len,
			      const char *environ, size_t environ_len,
			      struct node_flags *out)
{
	const char *p = cmdline, *end = cmdline + cmdline_len, *base;
	bool value_next = false;

	memset(out, 0, sizeof(*out));
	if (!cmdline_len)
		return;
	base = strrchr(p, '/');
	base = base && base < end ? base + 1 : p;
	out->is_node = strncmp(base, "node", 4) == 0;
	/* node's own options come before the script; the rest is the app's. */
	for (p += strnlen(p, (size_t)(end - p)) + 1; p < end;
	     p += strnlen(p, (size_t)(end - p)) + 1) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (value_next) {
			value_next = false;
			continue;
		}
		if (p[0] != '-' || strcmp(p, "--") == 0)
			break;
		note_flag(p, len, out);
		value_next = takes_value(p);
	}
	for (p = environ; p < environ + environ_len;
	     p += strnlen(p, (size_t)(environ + environ_len - p)) + 1) {
		size_t len = strnlen(p, (size_t)(environ + environ_len - p));
		const char *v = p + 13, *vend = p + len;

		if (len < 13 || memcmp(p, "NODE_OPTIONS=", 13) != 0)
			continue;
		while (v < vend) {
			size_t n;

			while (v < vend && *v == ' ')
				v++;
			n = strcspn(v, " ");
			if (v + n > vend)
				n = (size_t)(vend - v);
			note_flag(v, n, out);
			v += n;
		}
	}
}

/* Reads a whole /proc file of at most max bytes into *buf (malloc'd). */
static int read_proc_file(pid_t pid, const char *name, size_t max, char **buf,
			  size_t *len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*buf = malloc(max + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	*len = 0;
	while (*len < max && (n = read(fd, *buf + *len, max - *len)) > 0)
		*len += (size_t)n;
	(*buf)[*len] = '\0';
	close(fd);
	return 0;
}

int procfs__node_flags(pid_t pid, struct node_flags *out)
{
	char *cmdline = NULL, *env = NULL;
	size_t cmdline_len = 0, env_len = 0;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_proc_file(pid, "cmdline", 65536, &cmdline, &cmdline_len);
	if (!err && read_proc_file(pid, "environ", 262144, &env, &env_len))
		env_len = 0; /* unreadable environment: judge by the command line */
	if (!err)
		procfs__parse_node_flags(cmdline, cmdline_len, env, env_len, out);
	free(cmdline);
	free(env);
	return err;
}

int procfs__self_usage(struct proc_usage *out)
{
	char buf[1024], *p;
	unsigned long long utime, stime, start, vsize;
	long long rss;
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	struct dirent *de;
	double boot = 0;
	FILE *f;
	DIR *d;
	int err = read_small_file("/proc/self/stat", buf, sizeof(buf));

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	p = strrchr(buf, ')');
	/* Fields 14, 15 (utime, stime), 22 (starttime), 23 (vsize), 24 (rss). */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
			 "%*d %*d %*d %*d %*d %*d %llu %llu %lld", &utime, &stime,
			 &start, &vsize, &rss) != 5 || ticks <= 0)
		return -EINVAL;
	f = fopen("/proc/stat", "re");
	if (f) {
		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "btime %lf", &boot) == 1)
				break;
		fclose(f);
	}
	out->cpu_seconds = (double)(utime + stime) / (double)ticks;
	out->start_time = boot + (double)start / (double)ticks;
	out->virtual_bytes = vsize;
	out->resident_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)page : 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		out->max_fds = rl.rlim_cur;
	d = opendir("/proc/self/fd");
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				out->open_fds++;
		closedir(d);
		out->open_fds--; /* the directory stream's own descriptor */
	}
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct procmap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int procmaps__load_file(FILE *f, struct procmaps *out)
{
	char line[4096 + 256];
	size_t cap = 0, kept = 0;

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
	/* procmaps__find's binary search needs disjoint mappings. The kernel
	 * writes them so, but a read that races with mmap/munmap can see one
	 * twice or overlapping another: keep the first of an overlap. */
	for (size_t i = 0; i < out->count; i++) {
		if (kept && out->maps[i].start < out->maps[kept - 1].end) {
			free(out->maps[i].path);
			continue;
		}
		out->maps[kept++] = out->maps[i];
	}
	out->count = kept;
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
	/* The first mapping ending past addr. */
	size_t lo = COUNT_AT_OR_BELOW(pm->maps, pm->count, end, addr);

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

int procfs__read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}
