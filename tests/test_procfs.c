// SPDX-License-Identifier: MIT
/* Unit tests for procfs: /proc/PID/stat start time, NSpid, and maps parsing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

static FILE *fixture(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/procfs/%s", FIXTURES, name);
	f = fopen(path, "re");
	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	return f;
}

Test(procfs, stat_start_time_comm_with_spaces_and_parens)
{
	/* Field 22 is 987654; the comm "a) b (c) d" has spaces and ')'. */
	const char *stat = "4242 (a) b (c) d) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
			   "5 6 0 0 20 0 1 0 987654 123456789 100 18446744073709551615\n";
	uint64_t ticks = 0;

	cr_assert_eq(procfs__parse_stat_start_time(stat, &ticks), 0);
	cr_assert_eq(ticks, 987654);
}

Test(procfs, stat_start_time_plain_and_last_field)
{
	uint64_t ticks = 0;

	cr_assert_eq(procfs__parse_stat_start_time(
			     "1 (node) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42", &ticks), 0);
	cr_assert_eq(ticks, 42);
}

Test(procfs, stat_start_time_malformed)
{
	uint64_t ticks = 7;

	cr_assert_eq(procfs__parse_stat_start_time("", &ticks), -EINVAL);
	cr_assert_eq(procfs__parse_stat_start_time("1 node R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42",
						   &ticks), -EINVAL, "no ')'");
	cr_assert_eq(procfs__parse_stat_start_time("1 (node) R 0 1 1 0 -1 0", &ticks), -EINVAL,
		     "too few fields");
	cr_assert_eq(procfs__parse_stat_start_time(
			     "1 (node) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4x2 9", &ticks),
		     -EINVAL, "field 22 not a number");
}

Test(procfs, start_time_of_self)
{
	uint64_t a = 0, b = 0;

	cr_assert_eq(procfs__start_time(getpid(), &a), 0);
	cr_assert_eq(procfs__start_time(getpid(), &b), 0);
	cr_assert_eq(a, b);
	cr_assert_gt(a, 0);
}

Test(procfs, ns_pid_one_level)
{
	FILE *f = fixture("status_nspid1");
	pid_t pid = 0;

	cr_assert_eq(procfs__parse_ns_pid(f, &pid), 0);
	cr_assert_eq(pid, 4242);
	fclose(f);
}

Test(procfs, ns_pid_three_levels_takes_the_last)
{
	FILE *f = fixture("status_nspid3");
	pid_t pid = 0;

	cr_assert_eq(procfs__parse_ns_pid(f, &pid), 0);
	cr_assert_eq(pid, 2, "last field of NSpid (not of NStgid): got %d", (int)pid);
	fclose(f);
}

Test(procfs, ns_pid_missing)
{
	FILE *f = fixture("status_no_nspid");
	pid_t pid = 99;

	cr_assert_eq(procfs__parse_ns_pid(f, &pid), -ENOENT);
	cr_assert_eq(pid, 99);
	fclose(f);
}

Test(procfs, ns_pid_of_self)
{
	pid_t pid = 0;

	cr_assert_eq(procfs__ns_pid(getpid(), &pid), 0);
	cr_assert_gt(pid, 0);
}

Test(procfs, maps_keeps_executable_mappings_sorted)
{
	static const struct {
		uint64_t start, end, offset;
		const char *path;
	} want[] = {
		{ 0x55d4c0a40000, 0x55d4c2800000, 0x40000, "/usr/bin/node" },
		{ 0x7f0000010000, 0x7f0000020000, 0x1000, "/opt/my app/lib with spaces.so" },
		{ 0x7f0000030000, 0x7f0000040000, 0, "[anon:v8]" },
		{ 0x7f00000a0000, 0x7f00000b0000, 0, "" },
		{ 0x7f1000000000, 0x7f1000200000, 0x28000, "/usr/lib/x86_64-linux-gnu/libc.so.6" },
		{ 0x7ffd00000000, 0x7ffd00002000, 0, "[vdso]" },
		{ 0xffffffffff600000, 0xffffffffff601000, 0, "[vsyscall]" },
	};
	FILE *f = fixture("maps");
	struct procmaps pm;

	cr_assert_eq(procmaps__load_file(f, &pm), 0);
	fclose(f);
	cr_assert_eq(pm.count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < pm.count; i++) {
		cr_assert_eq(pm.maps[i].start, want[i].start, "map %zu", i);
		cr_assert_eq(pm.maps[i].end, want[i].end, "map %zu", i);
		cr_assert_eq(pm.maps[i].offset, want[i].offset, "map %zu", i);
		cr_assert_str_eq(pm.maps[i].path, want[i].path, "map %zu", i);
	}
	procmaps__release(&pm);
	cr_assert_eq(pm.count, 0);
	cr_assert_null(pm.maps);
}

Test(procfs, maps_find)
{
	FILE *f = fixture("maps");
	struct procmaps pm;

	cr_assert_eq(procmaps__load_file(f, &pm), 0);
	fclose(f);
	cr_assert_str_eq(procmaps__find(&pm, 0x7f1000000000)->path,
			 "/usr/lib/x86_64-linux-gnu/libc.so.6", "start");
	cr_assert_str_eq(procmaps__find(&pm, 0x7f1000123456)->path,
			 "/usr/lib/x86_64-linux-gnu/libc.so.6", "inside");
	cr_assert_str_eq(procmaps__find(&pm, 0x7f10001fffff)->path,
			 "/usr/lib/x86_64-linux-gnu/libc.so.6", "last byte");
	cr_assert_null(procmaps__find(&pm, 0x7f1000200000), "end is exclusive");
	cr_assert_str_eq(procmaps__find(&pm, 0x55d4c0a40000)->path, "/usr/bin/node");
	cr_assert_null(procmaps__find(&pm, 0x55d4c0a3ffff), "r--p mapping is not kept");
	cr_assert_null(procmaps__find(&pm, 0x55d4c2800000), "rw-p mapping is not kept");
	cr_assert_str_eq(procmaps__find(&pm, 0x7f00000a0010)->path, "");
	cr_assert_str_eq(procmaps__find(&pm, 0x7ffd00000100)->path, "[vdso]");
	cr_assert_null(procmaps__find(&pm, 0x7ffc00000100), "[stack] is not executable");
	cr_assert_null(procmaps__find(&pm, 0x1000), "below every mapping");
	cr_assert_null(procmaps__find(&pm, 0xffffffffffffffff), "above every mapping");
	procmaps__release(&pm);
}

Test(procfs, maps_empty)
{
	FILE *f = fmemopen((void *)"", 0, "r");
	struct procmaps pm;

	cr_assert_not_null(f);
	cr_assert_eq(procmaps__load_file(f, &pm), 0);
	fclose(f);
	cr_assert_eq(pm.count, 0);
	cr_assert_null(procmaps__find(&pm, 0x1000));
	procmaps__release(&pm);
}

Test(procfs, maps_of_self_holds_this_code)
{
	struct procmaps pm;
	const struct procmap *m;
	char exe[4096] = "";

	cr_assert_gt(readlink("/proc/self/exe", exe, sizeof(exe) - 1), 0);
	cr_assert_eq(procmaps__load_pid(getpid(), &pm), 0);
	m = procmaps__find(&pm, (uint64_t)(uintptr_t)&fixture);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->path, exe);
	procmaps__release(&pm);
}

static void parse_flags(const char *cmdline, size_t clen, const char *env,
			size_t elen, struct node_flags *f)
{
	procfs__parse_node_flags(cmdline, clen, env, elen, f);
}

Test(procfs, node_flags_from_cmdline_before_the_script)
{
	static const char cmd[] = "/usr/bin/node\0--perf-basic-prof\0-r\0./x.js\0"
				  "--interpreted-frames-native-stack\0app.js\0";
	struct node_flags f;

	parse_flags(cmd, sizeof(cmd) - 1, "", 0, &f);
	cr_assert(f.is_node);
	cr_assert(f.perf_basic_prof);
	cr_assert(f.interpreted_frames);
}

Test(procfs, node_flags_after_the_script_are_the_apps)
{
	static const char cmd[] = "node\0app.js\0--perf-basic-prof\0"
				  "--interpreted-frames-native-stack\0";
	struct node_flags f;

	parse_flags(cmd, sizeof(cmd) - 1, "", 0, &f);
	cr_assert(f.is_node);
	cr_assert_not(f.perf_basic_prof);
	cr_assert_not(f.interpreted_frames);
}

Test(procfs, node_flags_from_node_options)
{
	static const char cmd[] = "/opt/node-v24/bin/node\0server.js\0";
	static const char env[] = "PATH=/bin\0NODE_OPTIONS=--max-old-space-size=512  "
				  "--interpreted-frames-native-stack --perf-basic-prof-only-functions\0"
				  "X_NODE_OPTIONS=--perf-prof\0";
	struct node_flags f;

	parse_flags(cmd, sizeof(cmd) - 1, env, sizeof(env) - 1, &f);
	cr_assert(f.is_node);
	cr_assert(f.perf_basic_prof);
	cr_assert(f.interpreted_frames);
}

Test(procfs, node_flags_of_another_program)
{
	static const char cmd[] = "/usr/bin/python3\0--perf-basic-prof\0";
	struct node_flags f;

	parse_flags(cmd, sizeof(cmd) - 1, "", 0, &f);
	cr_assert_not(f.is_node);
	parse_flags("", 0, "", 0, &f);
	cr_assert_not(f.is_node);
}
