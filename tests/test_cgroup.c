// SPDX-License-Identifier: MIT
/* Unit tests for cgroup: container ids and pod UIDs from /proc/PID/cgroup in
 * every runtime's layout (fixtures/cgroup/, one file per layout), pod and
 * namespace names from a container's files, and hostile input of each. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

#define ID_DOCKER "a27097c21adc4d8dad796da24bf6c02895d7021048dd2a88a177eea1d5ce7714"
#define ID_K8S "4ed73e0849e3bd5cc507b09c4b71eae826ccfc2ee88d3687e2f8fd37004b67a8"
#define UID_K8S "a2c7aa08-8f04-4ad1-a1c3-bd0e4061064f"

static FILE *fixture(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup/%s", FIXTURES, name);
	f = fopen(path, "re");
	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	return f;
}

static void parse_str(const char *s, struct cgroup_labels *l)
{
	cr_assert_eq(cgroup__parse(s, strlen(s), l), 0, "%s", s);
}

Test(cgroup, every_layout)
{
	static const struct {
		const char *file, *id, *uid;
	} want[] = {
		/* Docker, cgroup v1 (cgroupfs driver); the v2 line is systemd's. */
		{ "v1-docker-cgroupfs", ID_DOCKER, "" },
		{ "v1-docker-systemd",
		  "71d4e1710024ea6196bd79660bb9c3da4fb898ad08412ec65c69c77e41a55a7d", "" },
		{ "v2-docker-systemd",
		  "70418395526f2823da85148143a97d66e0c73a0ce9b8626add04a7b9398da875", "" },
		/* Kubernetes with containerd. */
		{ "v1-k8s-containerd-cgroupfs",
		  "4f628db64609ab1aade6dff1770455cad8b9c4e48a853c1f02626ca1835d2cc2",
		  "278e16b4-0b2c-4b60-9594-8de561adfc1e" },
		{ "v1-k8s-containerd-systemd",
		  "6f159b19c16ba4739da48d3ec7852c73cf8f5b9888ffea7b7751238f006f97d2",
		  "5b25f0e4-580a-440f-90f2-e20be3c79673" },
		{ "v1-k8s-containerd-systemd-name",
		  "3f797873bab3d3f58da9317f7cc9f4ac9eaf04cfda20dcfb8b7f261cb4968623",
		  "5b25f0e4-580a-440f-90f2-e20be3c79673" },
		{ "v2-k8s-containerd-systemd", ID_K8S, UID_K8S },
		{ "v2-k8s-containerd-guaranteed",
		  "15e126755f0a5a9881e8c2c093123e3dae00dce5ef8786a08b5aa6d55ea8c370",
		  "ea9febb1-056b-434d-b546-bc36a87d090a" },
		/* Seen from an agent in another pod (private cgroup namespace). */
		{ "v2-k8s-cgroupns", ID_K8S, UID_K8S },
		/* Kubernetes with CRI-O. */
		{ "v1-k8s-crio-systemd",
		  "4484683ac0ce0ff0fb76277b63b3b41e0024b38646882cdfd5c88756bab6fb89",
		  "a67165d9-81a3-4f97-ba26-68af28f80d12" },
		{ "v2-k8s-crio-systemd",
		  "e51f896a98bbe4f4237855e6955f27e03153e80861bec6d3f3b0981a26a767da",
		  "e9dc7674-4901-4534-9e61-2fc7cdcb51b2" },
		/* kind: pods inside a node that is itself a Docker container. */
		{ "v1-kind-nested",
		  "52fad3b3f05f4cf4ac6ef193e45580e04624dde010c1ffd4ee24bfc12f7fa635",
		  "e9dc7674-4901-4534-9e61-2fc7cdcb51b2" },
		{ "v2-kind",
		  "90295c7f284d7e2414f7211ea271329a34b6c8130f39e2b567e00de62abeb74d",
		  "278e16b4-0b2c-4b60-9594-8de561adfc1e" },
		{ "v2-podman-rootless",
		  "52fad3b3f05f4cf4ac6ef193e45580e04624dde010c1ffd4ee24bfc12f7fa635", "" },
		/* Not a container: hosts, and CRI-O's monitor process. */
		{ "v2-crio-conmon", "", "" },
		{ "v2-host-session", "", "" },
		{ "v2-host-service", "", "" },
		{ "v1-host-32hex", "", "" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		FILE *f = fixture(want[i].file);
		struct cgroup_labels l;

		memset(&l, 'x', sizeof(l));
		cr_assert_eq(cgroup__parse_file(f, &l), 0, "%s", want[i].file);
		fclose(f);
		cr_expect_str_eq(l.container_id, want[i].id, "%s: container id", want[i].file);
		cr_expect_str_eq(l.pod_uid, want[i].uid, "%s: pod uid", want[i].file);
		cr_expect_str_eq(l.pod, "", "%s", want[i].file);
		cr_expect_str_eq(l.namespace, "", "%s", want[i].file);
	}
}

Test(cgroup, v2_line_wins_over_v1_lines)
{
	struct cgroup_labels l;

	parse_str("4:memory:/docker/" ID_DOCKER "\n"
		  "0::/system.slice/docker-" ID_K8S ".scope\n", &l);
	cr_assert_str_eq(l.container_id, ID_K8S);
	/* Without an id on the v2 line, the first v1 line that has one. */
	parse_str("4:memory:/docker/" ID_DOCKER "\n"
		  "3:pids:/docker/" ID_K8S "\n"
		  "0::/\n", &l);
	cr_assert_str_eq(l.container_id, ID_DOCKER);
}

Test(cgroup, deepest_container_wins)
{
	struct cgroup_labels l;

	/* Docker in Docker: the process belongs to the inner container. */
	parse_str("0::/docker/" ID_DOCKER "/docker/" ID_K8S "\n", &l);
	cr_assert_str_eq(l.container_id, ID_K8S);
	/* A child cgroup inside the container (CRI-O's "container", systemd
	 * units inside a system container) is still the container. */
	parse_str("0::/system.slice/docker-" ID_DOCKER ".scope/system.slice/app.service\n", &l);
	cr_assert_str_eq(l.container_id, ID_DOCKER);
}

Test(cgroup, ids_that_are_not_quite)
{
	static const char *const host[] = {
		/* 63 and 65 hex digits */
		"0::/docker/a27097c21adc4d8dad796da24bf6c02895d7021048dd2a88a177eea1d5ce771\n",
		"0::/docker/a27097c21adc4d8dad796da24bf6c02895d7021048dd2a88a177eea1d5ce77145\n",
		"0::/system.slice/docker-a27097c21adc4d8dad796da24bf6c02895d7021048dd2a88a177eea1d5ce77145.scope\n",
		/* uppercase, and one non-hex digit */
		"0::/docker/A27097C21ADC4D8DAD796DA24BF6C02895D7021048DD2A88A177EEA1D5CE7714\n",
		"0::/docker/a27097c21adc4d8dad796da24bf6c02895d7021048dd2a88a177eea1d5ce771g\n",
		/* a prefix without its dash, or a dash without a prefix */
		"0::/system.slice/docker" ID_DOCKER ".scope\n",
		"0::/system.slice/-" ID_DOCKER ".scope\n",
		/* the runtime's monitor, not the container */
		"0::/system.slice/libpod-conmon-" ID_DOCKER ".scope\n",
		/* not a cgroup line: no path, a relative path, too few fields */
		"0::\n",
		"0::docker/" ID_DOCKER "\n",
		"/docker/" ID_DOCKER "\n",
		"4:/docker/" ID_DOCKER "\n",
		"",
		"\n\n\n",
	};
	struct cgroup_labels l;

	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		parse_str(host[i], &l);
		cr_expect_str_eq(l.container_id, "", "%s", host[i]);
		cr_expect_str_eq(l.pod_uid, "", "%s", host[i]);
	}
	/* A buffer is its length, not its NUL: one digit short of an id. */
	cr_assert_eq(cgroup__parse("0::/docker/" ID_DOCKER, 11 + 63, &l), 0);
	cr_assert_str_eq(l.container_id, "");
	cr_assert_eq(cgroup__parse(NULL, 0, &l), 0);
	cr_assert_str_eq(l.container_id, "");
}

Test(cgroup, nul_bytes_poison_their_line_only)
{
	static const char buf[] = "0::/docker/\0" ID_K8S "\n"
				  "4:memory:/docker/" ID_DOCKER "\n";
	struct cgroup_labels l;

	cr_assert_eq(cgroup__parse(buf, sizeof(buf) - 1, &l), 0);
	cr_assert_str_eq(l.container_id, ID_DOCKER);
}

Test(cgroup, pod_uids_need_their_exact_form)
{
	static const char *const no_uid[] = {
		/* cgroupfs form with underscores, systemd form with dashes */
		"0::/kubepods/besteffort/poda2c7aa08_8f04_4ad1_a1c3_bd0e4061064f/" ID_K8S "\n",
		"0::/kubepods.slice/kubepods-besteffort-poda2c7aa08-8f04-4ad1-a1c3-bd0e4061064f.slice/cri-containerd-" ID_K8S ".scope\n",
		/* a slice outside kubepods, a UID one digit short */
		"0::/system.slice/app-poda2c7aa08_8f04_4ad1_a1c3_bd0e4061064f.slice/cri-containerd-" ID_K8S ".scope\n",
		"0::/kubepods/besteffort/poda2c7aa08-8f04-4ad1-a1c3-bd0e4061064/" ID_K8S "\n",
	};
	struct cgroup_labels l;

	for (size_t i = 0; i < sizeof(no_uid) / sizeof(no_uid[0]); i++) {
		parse_str(no_uid[i], &l);
		cr_expect_str_eq(l.container_id, ID_K8S, "%s", no_uid[i]);
		cr_expect_str_eq(l.pod_uid, "", "%s", no_uid[i]);
	}
	/* A pod slice holding no container (the pod's own cgroup). */
	parse_str("0::/kubepods.slice/kubepods-pod" "a2c7aa08_8f04_4ad1_a1c3_bd0e4061064f.slice\n", &l);
	cr_assert_str_eq(l.container_id, "");
	cr_assert_str_eq(l.pod_uid, "", "a pod UID comes only with a container");
}

/* A file of filler lines that ends exactly at the cap inside the line
 * "0::/docker/ID_DOCKER/docker/ID_K8S": the cut line must not pass for the
 * outer container. */
Test(cgroup, file_cut_at_the_cap_drops_the_cut_line)
{
	const char *tail = "0::/docker/" ID_DOCKER "/docker/" ID_K8S "\n";
	size_t cut_at = strlen("0::/docker/" ID_DOCKER "/docker/") + 10;
	size_t size = CGROUP_FILE_MAX - cut_at + strlen(tail);
	char *buf = malloc(size);
	struct cgroup_labels l;
	FILE *f;

	cr_assert_not_null(buf);
	memset(buf, 'x', CGROUP_FILE_MAX - cut_at);
	for (size_t i = 99; i < CGROUP_FILE_MAX - cut_at; i += 100)
		buf[i] = '\n';
	buf[CGROUP_FILE_MAX - cut_at - 1] = '\n';
	memcpy(buf + CGROUP_FILE_MAX - cut_at, tail, strlen(tail));
	f = fmemopen(buf, size, "r");
	cr_assert_not_null(f);
	cr_assert_eq(cgroup__parse_file(f, &l), 0);
	fclose(f);
	cr_assert_str_eq(l.container_id, "");

	/* The whole line fits when the file is a line shorter. */
	f = fmemopen(buf + 100, size - 100, "r");
	cr_assert_not_null(f);
	cr_assert_eq(cgroup__parse_file(f, &l), 0);
	fclose(f);
	cr_assert_str_eq(l.container_id, ID_K8S);
	free(buf);
}

Test(cgroup, pod_names)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "checkout-7d9f8b6c5-x2k4p\n", "checkout-7d9f8b6c5-x2k4p" },
		{ "web-0", "web-0" },
		{ "web-0\r\n", "web-0" },
		{ "api.v2-6c9f5", "api.v2-6c9f5" },
		{ "a", "a" },
		/* 63 characters: the kubelet's cut */
		{ "a23456789012345678901234567890123456789012345678901234567890123",
		  "a23456789012345678901234567890123456789012345678901234567890123" },
		{ "a234567890123456789012345678901234567890123456789012345678901234", "" },
		{ "", "" },
		{ "\n", "" },
		{ "Web-0", "" },
		{ "-web", "" },
		{ "web-", "" },
		{ "web..0", "" },
		{ ".web", "" },
		{ "web.", "" },
		{ "web_0", "" },
		{ "web 0", "" },
		{ "web-0\n\n", "" },
		{ "web-0\nx", "" },
		{ "web\"} 1\nfake{a=\"b", "" },
		{ "caf\xc3\xa9", "" },
	};
	char pod[CGROUP_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = cgroup__parse_pod_name(cases[i].in, strlen(cases[i].in), pod);

		cr_expect_eq(err, cases[i].want[0] ? 0 : -EINVAL, "%s", cases[i].in);
		cr_expect_str_eq(pod, cases[i].want, "%s", cases[i].in);
	}
}

Test(cgroup, namespaces)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "shop", "shop" },
		{ "kube-system\n", "kube-system" },
		{ "team-a1", "team-a1" },
		{ "a.b", "" }, /* a label: no dots */
		{ "Shop", "" },
		{ "shop-", "" },
		{ "", "" },
		{ "a23456789012345678901234567890123456789012345678901234567890123x", "" },
	};
	char ns[CGROUP_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = cgroup__parse_namespace(cases[i].in, strlen(cases[i].in), ns);

		cr_expect_eq(err, cases[i].want[0] ? 0 : -EINVAL, "%s", cases[i].in);
		cr_expect_str_eq(ns, cases[i].want, "%s", cases[i].in);
	}
}

static void labels_of(const char *cgroup_file, struct cgroup_labels *l)
{
	FILE *f = fixture(cgroup_file);

	cr_assert_eq(cgroup__parse_file(f, l), 0);
	fclose(f);
}

Test(cgroup, names_of_a_kubernetes_container)
{
	/* root-k8s has the projected service account volume's symlinks
	 * (namespace -> ..data/namespace -> ..<timestamp>/namespace) and
	 * /var/run -> /run, absolute: resolved inside the root. */
	struct cgroup_labels l;

	labels_of("v2-k8s-containerd-systemd", &l);
	cr_assert_eq(cgroup__read_names(FIXTURES "/cgroup/root-k8s", &l), 0);
	cr_assert_str_eq(l.pod, "checkout-7d9f8b6c5-x2k4p");
	cr_assert_str_eq(l.namespace, "shop");
	cr_assert_str_eq(l.container_id, ID_K8S, "names leave the ids alone");
	cr_assert_str_eq(l.pod_uid, UID_K8S);
}

Test(cgroup, no_names_without_kubernetes)
{
	struct cgroup_labels l;

	/* Plain Docker: /etc/hostname is the short id, not a pod. */
	labels_of("v1-docker-cgroupfs", &l);
	cr_assert_eq(cgroup__read_names(FIXTURES "/cgroup/root-docker", &l), 0);
	cr_assert_str_eq(l.container_id, ID_DOCKER);
	cr_assert_str_eq(l.pod, "");
	cr_assert_str_eq(l.namespace, "");

	/* A host process gets none, whatever its files say. */
	labels_of("v2-host-session", &l);
	cr_assert_eq(cgroup__read_names(FIXTURES "/cgroup/root-k8s", &l), 0);
	cr_assert_str_eq(l.pod, "");
	cr_assert_str_eq(l.namespace, "");

	/* A pod UID is evidence enough, without a service account. */
	labels_of("v2-k8s-containerd-systemd", &l);
	cr_assert_eq(cgroup__read_names(FIXTURES "/cgroup/root-docker", &l), 0);
	cr_assert_str_eq(l.pod, "a27097c21adc");
	cr_assert_str_eq(l.namespace, "");

	labels_of("v2-k8s-containerd-systemd", &l);
	cr_assert_eq(cgroup__read_names(FIXTURES "/cgroup/no-such-root", &l), -ENOENT);
	cr_assert_str_eq(l.pod, "");
}

/* A hostile container's root, built per test: a temp dir holding "root/"
 * and, beside it, "outside" (a file the container must not reach). */
static char tmp[64];

static void hostile_root(void)
{
	char path[256];
	int fd;

	snprintf(tmp, sizeof(tmp), "/tmp/promfiler-cgroup.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/root", tmp);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/root/etc", tmp);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/outside", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "leaked\n", 7), 7);
	close(fd);
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

static void hostname_is(const char *how, struct cgroup_labels *l)
{
	char root[128];

	snprintf(root, sizeof(root), "%s/root", tmp);
	parse_str("0::/kubepods/besteffort/pod" UID_K8S "/" ID_K8S "\n", l);
	cr_assert_eq(cgroup__read_names(root, l), 0, "%s", how);
}

TestSuite(cgroup_hostile, .init = hostile_root, .fini = remove_tree);

Test(cgroup_hostile, symlinks_stay_inside_the_root)
{
	char link[256], target[256];
	struct cgroup_labels l;

	snprintf(link, sizeof(link), "%s/root/etc/hostname", tmp);
	/* An absolute path to a real file of ours, and enough ".." to climb
	 * out of any root: both resolve inside the container's root. */
	snprintf(target, sizeof(target), "%s/outside", tmp);
	cr_assert_eq(symlink(target, link), 0);
	hostname_is("absolute symlink", &l);
	cr_assert_str_eq(l.pod, "");
	cr_assert_eq(unlink(link), 0);

	cr_assert_eq(symlink("../../../../../../../../outside", link), 0);
	hostname_is("climbing symlink", &l);
	cr_assert_str_eq(l.pod, "");
	cr_assert_eq(unlink(link), 0);

	/* A path through /proc/self names the container's own /proc (and
	 * its magic links are refused): never ours. */
	cr_assert_eq(symlink("/proc/self/root/etc/hostname", link), 0);
	hostname_is("magic link", &l);
	cr_assert_str_eq(l.pod, "");
	cr_assert_eq(unlink(link), 0);

	cr_assert_eq(symlink("hostname", link), 0);
	hostname_is("symlink loop", &l);
	cr_assert_str_eq(l.pod, "");
	cr_assert_eq(unlink(link), 0);

	/* A symlink that stays inside is followed. */
	snprintf(target, sizeof(target), "%s/root/etc/real-hostname", tmp);
	{
		FILE *f = fopen(target, "we");

		cr_assert_not_null(f);
		fputs("web-0\n", f);
		fclose(f);
	}
	cr_assert_eq(symlink("/etc/real-hostname", link), 0);
	hostname_is("symlink inside", &l);
	cr_assert_str_eq(l.pod, "web-0");
}

Test(cgroup_hostile, fifos_directories_and_floods_are_refused, .timeout = 10)
{
	char path[256];
	struct cgroup_labels l;
	FILE *f;

	/* A FIFO nobody writes to would block a plain open(): not here. */
	snprintf(path, sizeof(path), "%s/root/etc/hostname", tmp);
	cr_assert_eq(mkfifo(path, 0644), 0);
	hostname_is("fifo", &l);
	cr_assert_str_eq(l.pod, "");
	cr_assert_eq(unlink(path), 0);

	/* A valid name followed by a megabyte: read no further than a name. */
	f = fopen(path, "we");
	cr_assert_not_null(f);
	fputs("web-0\n", f);
	for (int i = 0; i < 1024 * 1024; i++)
		fputc('a', f);
	fclose(f);
	hostname_is("flood", &l);
	cr_assert_str_eq(l.pod, "");
	cr_assert_eq(unlink(path), 0);

	/* A directory where the file should be. */
	cr_assert_eq(mkdir(path, 0755), 0);
	hostname_is("directory", &l);
	cr_assert_str_eq(l.pod, "");
}

Test(cgroup, labels_of_self_match_the_parser)
{
	struct cgroup_labels want, got;
	FILE *f = fopen("/proc/self/cgroup", "re");

	cr_assert_not_null(f);
	cr_assert_eq(cgroup__parse_file(f, &want), 0);
	fclose(f);
	cr_assert_eq(cgroup__labels_pid(getpid(), &got), 0);
	cr_assert_str_eq(got.container_id, want.container_id);
	cr_assert_str_eq(got.pod_uid, want.pod_uid);
	if (!got.container_id[0]) {
		cr_assert_str_eq(got.pod, "");
		cr_assert_str_eq(got.namespace, "");
	}
}

Test(cgroup, labels_of_a_gone_process)
{
	struct cgroup_labels l;

	memset(&l, 'x', sizeof(l));
	cr_assert_eq(cgroup__labels_pid(INT_MAX - 1, &l), -ENOENT);
	cr_assert_str_eq(l.container_id, "");
	cr_assert_str_eq(l.pod, "");
}
