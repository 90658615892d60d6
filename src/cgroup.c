// SPDX-License-Identifier: MIT
/* cgroup: container id, pod UID, pod name and namespace of a process; see
 * cgroup.h, cgroups(7) and the Kubernetes cgroup drivers' naming
 * (kubelet's pkg/kubelet/cm/cgroup_manager_linux.go). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"

/* The longest name file worth reading: a valid one is 63 characters and a
 * newline; anything longer is rejected without reading it all. */
#define NAME_FILE_MAX 256

static bool is_hex(char c)
{
	/* Runtimes write ids in lowercase; anything else is not theirs. */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* A container id in one colon-free piece of a path component:
 * "<64hex>" (cgroupfs drivers) or "<prefix>-<64hex>[.scope]" (systemd
 * drivers: docker-, cri-containerd-, crio-, libpod-). The runtimes'
 * monitor processes (crio-conmon-, libpod-conmon-) are not the container. */
static bool id_in_piece(const char *s, size_t n, char *id)
{
	if (ends_with(s, n, ".scope"))
		n -= strlen(".scope");
	if (n < CGROUP_ID_LEN || !all_hex(s + n - CGROUP_ID_LEN, CGROUP_ID_LEN))
		return false;
	if (n > CGROUP_ID_LEN) {
		size_t prefix = n - CGROUP_ID_LEN - 1;

		if (s[prefix] != '-' || prefix == 0 ||
		    ends_with(s, prefix, "conmon"))
			return false;
	}
	memcpy(id, s + n - CGROUP_ID_LEN, CGROUP_ID_LEN);
	id[CGROUP_ID_LEN] = '\0';
	return true;
}

/* A pod UID: 8-4-4-4-12 lowercase hex digits separated by sep. */
static bool uid_with(const char *s, size_t n, char sep, char *uid)
{
	if (n != CGROUP_POD_UID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !is_hex(s[i]))
			return false;
	}
	for (size_t i = 0; i < n; i++)
		uid[i] = s[i] == sep ? '-' : s[i];
	uid[n] = '\0';
	return true;
}

/* A pod UID in one colon-free piece of a path component: "pod<uid>"
 * (cgroupfs driver) or "...kubepods...-pod<uid_>.slice" (systemd driver,
 * which cannot have '-' inside a slice name's parts and writes '_'). */
static bool uid_in_piece(const char *s, size_t n, char *uid)
{
	const size_t k = strlen("pod");

	if (n == k + CGROUP_POD_UID_LEN && memcmp(s, "pod", k) == 0)
		return uid_with(s + k, CGROUP_POD_UID_LEN, '-', uid);
	if (!ends_with(s, n, ".slice") || !memmem(s, n, "kubepods", 8))
		return false;
	n -= strlen(".slice");
	if (n < CGROUP_POD_UID_LEN + 4 ||
	    memcmp(s + n - CGROUP_POD_UID_LEN - 4, "-pod", 4) != 0)
		return false;
	return uid_with(s + n - CGROUP_POD_UID_LEN, CGROUP_POD_UID_LEN, '_', uid);
}

struct found {
	char id[CGROUP_ID_LEN + 1];
	char uid[CGROUP_POD_UID_LEN + 1];
};

/* Scans one cgroup path; the last (deepest) match of each kind wins. A
 * component may hold several ':'-separated pieces (the systemd-style
 * "pod<uid_>.slice:cri-containerd:<id>" name). */
static void scan_path(const char *p, size_t n, struct found *f)
{
	const char *end = p + n;

	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *comp_end = slash ? slash : end;

		while (p < comp_end) {
			const char *colon = memchr(p, ':', (size_t)(comp_end - p));
			const char *piece_end = colon ? colon : comp_end;
			size_t len = (size_t)(piece_end - p);
			char id[CGROUP_ID_LEN + 1], uid[CGROUP_POD_UID_LEN + 1];

			if (id_in_piece(p, len, id))
				memcpy(f->id, id, sizeof(id));
			if (uid_in_piece(p, len, uid))
				memcpy(f->uid, uid, sizeof(uid));
			p = piece_end + (colon ? 1 : 0);
		}
		p = comp_end + (slash ? 1 : 0);
	}
}

int cgroup__parse(const char *buf, size_t len, struct cgroup_labels *l)
{
	const char *p = buf, *end = buf + len;
	struct found v1 = { "", "" }, v2 = { "", "" };
	const struct found *best;

	memset(l, 0, sizeof(*l));
	if (!buf)
		return len ? -EINVAL : 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *c1, *c2;
		struct found f = { "", "" };

		/* The path starts after the second ':' and may hold more. */
		c1 = memchr(p, ':', (size_t)(line_end - p));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(line_end - c1 - 1)) : NULL;
		if (c2 && c2 + 1 < line_end && c2[1] == '/' &&
		    !memchr(p, '\0', (size_t)(line_end - p))) {
			scan_path(c2 + 1, (size_t)(line_end - c2 - 1), &f);
			if (f.id[0]) {
				bool unified = c1 - p == 1 && p[0] == '0' && c2 == c1 + 1;

				if (unified && !v2.id[0])
					v2 = f;
				else if (!unified && !v1.id[0])
					v1 = f;
			}
		}
		p = line_end + (nl ? 1 : 0);
	}
	best = v2.id[0] ? &v2 : &v1;
	memcpy(l->container_id, best->id, sizeof(l->container_id));
	if (best->id[0])
		memcpy(l->pod_uid, best->uid, sizeof(l->pod_uid));
	return 0;
}

int cgroup__parse_file(FILE *f, struct cgroup_labels *l)
{
	static const size_t cap = CGROUP_FILE_MAX;
	char *buf = malloc(cap + 1);
	size_t n;
	int err;

	memset(l, 0, sizeof(*l));
	if (!buf)
		return -ENOMEM;
	/* One byte past the cap tells whether the file was cut. */
	n = fread(buf, 1, cap + 1, f);
	if (ferror(f)) {
		err = errno ? -errno : -EIO;
		free(buf);
		return err;
	}
	if (n > cap) {
		/* Keep whole lines only: a cut id must not pass for a short one. */
		char *nl = memrchr(buf, '\n', cap);

		n = nl ? (size_t)(nl - buf) : 0;
	}
	err = cgroup__parse(buf, n, l);
	free(buf);
	return err;
}

/* Strips the trailing newline a name file may end with; nothing else. */
static size_t trim_newline(const char *buf, size_t len)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	return len;
}

static bool is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 1123 label, as Kubernetes checks it (IsDNS1123Label). */
static bool dns_label(const char *s, size_t n)
{
	if (n == 0 || n > CGROUP_NAME_MAX)
		return false;
	if (!is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* RFC 1123 subdomain (IsDNS1123Subdomain), capped at 63 characters as a
 * hostname: dot-separated labels. */
static bool dns_subdomain(const char *s, size_t n)
{
	const char *end = s + n;

	if (n == 0 || n > CGROUP_NAME_MAX)
		return false;
	while (s <= end) {
		const char *dot = memchr(s, '.', (size_t)(end - s));
		const char *label_end = dot ? dot : end;

		if (!dns_label(s, (size_t)(label_end - s)))
			return false;
		if (!dot)
			break;
		s = dot + 1;
	}
	return true;
}

static int parse_name(const char *buf, size_t len, char *out,
		      bool (*valid)(const char *, size_t))
{
	out[0] = '\0';
	if (!buf)
		return -EINVAL;
	len = trim_newline(buf, len);
	if (!valid(buf, len))
		return -EINVAL;
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

int cgroup__parse_pod_name(const char *buf, size_t len,
			   char pod[CGROUP_NAME_MAX + 1])
{
	return parse_name(buf, len, pod, dns_subdomain);
}

int cgroup__parse_namespace(const char *buf, size_t len,
			    char ns[CGROUP_NAME_MAX + 1])
{
	return parse_name(buf, len, ns, dns_label);
}

/* Reads a small regular file at rel inside the directory root_fd, with
 * every symlink and ".." resolved inside it, and no /proc magic links: a
 * container's "/etc/hostname -> /etc/shadow" reads its own /etc/shadow, not
 * ours. O_NONBLOCK and the S_ISREG check keep a FIFO or a device from
 * blocking or feeding us forever. Sets *len; -EFBIG when the file holds
 * more than size - 1 bytes. */
static int read_in_root(int root_fd, const char *rel, char *buf, size_t size,
			size_t *len)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	fd = fileio__regular_fd(fd, &st);
	if (fd < 0)
		return fd;
	n = read(fd, buf, size);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	if ((size_t)n == size) {
		err = -EFBIG;
		goto out;
	}
	*len = (size_t)n;
out:
	close(fd);
	return err;
}

static void read_name(int root_fd, const char *rel, char *out,
		      int (*parse)(const char *, size_t, char *))
{
	char buf[NAME_FILE_MAX];
	size_t len = 0;

	out[0] = '\0';
	if (read_in_root(root_fd, rel, buf, sizeof(buf), &len) == 0)
		parse(buf, len, out);
}

int cgroup__read_names(const char *root, struct cgroup_labels *l)
{
	int root_fd;

	l->pod[0] = '\0';
	l->namespace[0] = '\0';
	/* A host process's hostname is the node's: no names without a
	 * container. */
	if (!l->container_id[0])
		return 0;
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return -errno;
	read_name(root_fd, "var/run/secrets/kubernetes.io/serviceaccount/namespace",
		  l->namespace, cgroup__parse_namespace);
	/* Plain Docker also writes /etc/hostname (the short container id): a
	 * pod name needs evidence of Kubernetes. */
	if (l->pod_uid[0] || l->namespace[0])
		read_name(root_fd, "etc/hostname", l->pod, cgroup__parse_pod_name);
	close(root_fd);
	return 0;
}

/* Whether pid shares the UTS namespace (hostname) of pid 1: with hostPID,
 * pid 1 is the node's init. Unknown counts as not shared. */
static bool host_uts(pid_t pid)
{
	char path[64];
	struct stat self, init;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	if (stat(path, &self) || stat("/proc/1/ns/uts", &init))
		return false;
	return self.st_dev == init.st_dev && self.st_ino == init.st_ino;
}

int cgroup__labels_pid(pid_t pid, struct cgroup_labels *l)
{
	char path[64];
	FILE *f;
	int err;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	err = cgroup__parse_file(f, l);
	fclose(f);
	if (err || !l->container_id[0])
		return err;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	/* Names are best effort: the process may be gone, or its root out of
	 * reach (no CAP_SYS_PTRACE); its container id still stands. */
	cgroup__read_names(path, l);
	if (l->pod[0] && host_uts(pid))
		l->pod[0] = '\0';
	return 0;
}
