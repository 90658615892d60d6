// SPDX-License-Identifier: MIT
/* cgroup: which container and which Kubernetes pod a process belongs to, for
 * the container_id, pod and namespace labels of a fleet-wide deployment.
 *
 * The container id comes from /proc/PID/cgroup (cgroups(7): one
 * "hierarchy-ID:controller-list:cgroup-path" line per hierarchy, "0::path"
 * for cgroup v2), whose paths name the container in the layouts of
 *   Docker      /docker/<id> (cgroupfs), /system.slice/docker-<id>.scope
 *   containerd  /kubepods/<qos>/pod<uid>/<id> (cgroupfs),
 *               .../kubepods-<qos>-pod<uid_>.slice/cri-containerd-<id>.scope,
 *               ...pod<uid_>.slice:cri-containerd:<id> (systemd-style name
 *               on a cgroupfs driver)
 *   CRI-O       .../kubepods-<qos>-pod<uid_>.slice/crio-<id>.scope
 *   Podman      .../libpod-<id>.scope
 * where <id> is 64 hex digits and <uid_> the pod UID with '_' for '-'
 * (https://kubernetes.io/docs/concepts/architecture/cgroups/). Paths may be
 * relative to the reader's cgroup namespace ("/../../kubepods..."), as an
 * agent in a pod sees them.
 *
 * The pod name and namespace come from the target's own files, read inside
 * its root: the hostname the kubelet gives the container (/etc/hostname: the
 * pod name, cut at 63 characters) and the service account's namespace file.
 * All of it is untrusted: reads are bounded, symlinks resolve inside the
 * target's root, and values that break Kubernetes' naming rules are dropped.
 *
 * Parsers take a buffer, a FILE or a root directory so tests feed fixtures;
 * cgroup__labels_pid only builds the /proc paths. Nothing here prints.
 * Functions return 0 or -errno. */
#ifndef PROMFILER_CGROUP_H
#define PROMFILER_CGROUP_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CGROUP_ID_LEN 64       /* hex digits of a container id */
#define CGROUP_POD_UID_LEN 36  /* 8-4-4-4-12 hex digits */
#define CGROUP_NAME_MAX 63     /* pod name (as a hostname) and namespace */
#define CGROUP_FILE_MAX (64 * 1024) /* bytes of /proc/PID/cgroup looked at */

/* Every field is a NUL-terminated string, "" when unknown. */
struct cgroup_labels {
	char container_id[CGROUP_ID_LEN + 1];  /* 64 lowercase hex digits */
	char pod_uid[CGROUP_POD_UID_LEN + 1];  /* lowercase, with dashes */
	char pod[CGROUP_NAME_MAX + 1];
	char namespace[CGROUP_NAME_MAX + 1];
};

/* Parses len bytes of /proc/PID/cgroup content (need not end in NUL) into
 * l->container_id and l->pod_uid, and clears l->pod and l->namespace. The
 * deepest container in the path wins (the inner one of nested containers);
 * the cgroup v2 line is preferred over v1 lines. A host process, or
 * anything unrecognized, gives "" and 0: unrecognized is not an error. A
 * pod UID is reported only together with a container id. */
int cgroup__parse(const char *buf, size_t len, struct cgroup_labels *l);
/* Same from a stream: reads at most CGROUP_FILE_MAX bytes, and drops a line
 * cut by that limit. -errno on a read error. */
int cgroup__parse_file(FILE *f, struct cgroup_labels *l);

/* A pod name from the content of a container's /etc/hostname: one line, a
 * DNS-1123 subdomain (lowercase alphanumerics, '-' and '.') of at most 63
 * characters, as the kubelet writes it. 0, or -EINVAL with pod = "". */
int cgroup__parse_pod_name(const char *buf, size_t len,
			   char pod[CGROUP_NAME_MAX + 1]);
/* A namespace from the content of the service account's namespace file: a
 * DNS-1123 label of at most 63 characters. 0, or -EINVAL with ns = "". */
int cgroup__parse_namespace(const char *buf, size_t len,
			    char ns[CGROUP_NAME_MAX + 1]);

/* Fills l->pod and l->namespace from the files under root (a process's
 * /proc/PID/root, or a fixture directory), resolving every path and symlink
 * inside root (openat2 RESOLVE_IN_ROOT): a hostile container cannot point
 * them at the agent's own files. Only when l names a Kubernetes container:
 * a container id, and a pod UID or a namespace file. Best effort: a missing
 * or invalid file leaves its field ""; returns 0, or -errno when root
 * itself cannot be opened. */
int cgroup__read_names(const char *root, struct cgroup_labels *l);

/* All labels of process pid: /proc/PID/cgroup, then the names from
 * /proc/PID/root. A pod sharing the host's UTS namespace (hostNetwork) has
 * the node's hostname, so it gets no pod name. -ENOENT (or another -errno)
 * when /proc/PID/cgroup cannot be read: the process is gone. */
int cgroup__labels_pid(pid_t pid, struct cgroup_labels *l);

#endif
