// SPDX-License-Identifier: MIT
/* Unit tests for cli: defaults, repeatable targets, ranges, errors, help. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

static struct cli c;
static char *out_text, *err_text;

/* Parses the NULL-terminated arguments (after the program name); out and err
 * are captured into out_text and err_text. */
static enum cli_result parse(const char *const *args)
{
	char *argv[32] = { (char *)"promfiler-bpf" };
	size_t out_len, err_len;
	FILE *out, *err;
	enum cli_result r;
	int argc = 1;

	free(out_text);
	free(err_text);
	out = open_memstream(&out_text, &out_len);
	err = open_memstream(&err_text, &err_len);
	cr_assert(out && err);
	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	argv[argc] = NULL;
	r = cli__parse(&c, argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

#define PARSE(...) parse((const char *const[]){ __VA_ARGS__, NULL })

static void teardown(void)
{
	free(out_text);
	free(err_text);
	out_text = err_text = NULL;
}

TestSuite(cli, .fini = teardown);

Test(cli, defaults)
{
	cr_assert_eq(parse((const char *const[]){ NULL }), CLI_RUN);
	cr_assert_eq(c.opts.n_pids, 0);
	cr_assert_eq(c.opts.n_comms, 1);
	cr_assert_str_eq(c.opts.comms[0], "node");
	cr_assert_not(c.opts.all);
	cr_assert_eq(c.opts.frequency_hz, 97);
	cr_assert_eq(c.port, 9142);
	cr_assert_str_eq(c.hostname, "0.0.0.0");
	cr_assert_str_eq(c.metrics_path, "/metrics");
	cr_assert_eq(c.opts.window_seconds, 30);
	cr_assert_not(c.opts.weight_total);
	cr_assert_str_eq(c.opts.separator, "#");
	cr_assert_not(c.opts.frame_locations);
	cr_assert_str_empty(out_text);
	cr_assert_str_empty(err_text);
}

Test(cli, pid_repeatable)
{
	cr_assert_eq(PARSE("-p", "1", "--pid", "22", "-p333", "--pid=4444"), CLI_RUN);
	cr_assert_eq(c.opts.n_pids, 4);
	cr_assert_eq(c.opts.pids[0], 1);
	cr_assert_eq(c.opts.pids[1], 22);
	cr_assert_eq(c.opts.pids[2], 333);
	cr_assert_eq(c.opts.pids[3], 4444);
	cr_assert_eq(c.opts.n_comms, 0, "--pid replaces the default --comm node");
}

Test(cli, comm_repeatable_and_truncated)
{
	cr_assert_eq(PARSE("-c", "node", "--comm", "a-very-long-process-name"), CLI_RUN);
	cr_assert_eq(c.opts.n_comms, 2);
	cr_assert_str_eq(c.opts.comms[0], "node");
	cr_assert_str_eq(c.opts.comms[1], "a-very-long-pro");
	cr_assert_eq(strlen(c.opts.comms[1]), 15);
}

Test(cli, sampling_interval_and_frequency)
{
	cr_assert_eq(PARSE("-s", "1000"), CLI_RUN);
	cr_assert_eq(c.opts.frequency_hz, 1000);
	cr_assert_eq(PARSE("--sampling-interval", "10309"), CLI_RUN);
	cr_assert_eq(c.opts.frequency_hz, 97);
	cr_assert_eq(PARSE("-F", "997"), CLI_RUN);
	cr_assert_eq(c.opts.frequency_hz, 997);
}

Test(cli, other_options)
{
	cr_assert_eq(PARSE("-a", "--port", "9100", "--hostname", "127.0.0.1", "--path", "/m",
			   "--window", "10", "--weight", "total", "--separator", ";",
			   "--frames", "location"), CLI_RUN);
	cr_assert(c.opts.all);
	cr_assert_eq(c.opts.n_comms, 0, "--all replaces the default --comm node");
	cr_assert_eq(c.port, 9100);
	cr_assert_str_eq(c.hostname, "127.0.0.1");
	cr_assert_str_eq(c.metrics_path, "/m");
	cr_assert_eq(c.opts.window_seconds, 10);
	cr_assert(c.opts.weight_total);
	cr_assert_str_eq(c.opts.separator, ";");
	cr_assert(c.opts.frame_locations);
}

Test(cli, bad_values_are_usage_errors)
{
	static const char *const bad[][3] = {
		{ "--port", "0" }, { "--port", "70000" }, { "--port", " 80" },
		{ "-F", "abc" }, { "-F", "0" }, { "-F", "100001" }, { "-F", "" },
		{ "--window", "1x" }, { "--window", "0" },
		{ "-p", "-5" }, { "-p", "0" }, { "-p", "12abc" },
		{ "-p", "99999999999999999999999" },
		{ "-s", "0" }, { "-s", "-1000" },
		{ "--weight", "both" }, { "--frames", "file" }, { "--path", "metrics" },
		{ "--separator", "" }, { "--separator", "a\"b" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse(bad[i]), CLI_USAGE, "%s '%s'", bad[i][0], bad[i][1]);
		cr_assert_not_null(strstr(err_text, "usage:"), "%s '%s': err is '%s'",
				   bad[i][0], bad[i][1], err_text);
		cr_assert_str_empty(out_text);
	}
	/* A good parse after bad ones: getopt state was reset. */
	cr_assert_eq(PARSE("--port", "1"), CLI_RUN);
	cr_assert_eq(c.port, 1);
	cr_assert_str_empty(err_text);
}

Test(cli, unknown_options)
{
	cr_assert_eq(PARSE("--bogus"), CLI_USAGE);
	cr_assert_not_null(strstr(err_text, "usage:"));
	cr_assert_not_null(strstr(err_text, "--bogus"), "err: %s", err_text);
	cr_assert_eq(PARSE("-x"), CLI_USAGE);
	cr_assert_not_null(strstr(err_text, "usage:"));
	cr_assert_not_null(strstr(err_text, "-x"), "err: %s", err_text);
	cr_assert_eq(PARSE("-p", "1", "-q"), CLI_USAGE);
	cr_assert_not_null(strstr(err_text, "usage:"));
}

Test(cli, missing_value)
{
	cr_assert_eq(PARSE("-p"), CLI_USAGE);
	cr_assert_not_null(strstr(err_text, "usage:"));
	cr_assert_eq(PARSE("--port"), CLI_USAGE);
	cr_assert_not_null(strstr(err_text, "usage:"));
}

Test(cli, help_and_version)
{
	cr_assert_eq(PARSE("-h"), CLI_EXIT);
	cr_assert_not_null(strstr(out_text, "--pid"), "help: %s", out_text);
	cr_assert_not_null(strstr(out_text, "--sampling-interval"));
	cr_assert_str_empty(err_text);
	cr_assert_eq(PARSE("--help"), CLI_EXIT);
	cr_assert_not_null(strstr(out_text, "--hostname"));

	cr_assert_eq(PARSE("-V"), CLI_EXIT);
	cr_assert_not_null(strstr(out_text, PROMFILER_VERSION), "version: %s", out_text);
	cr_assert_str_empty(err_text);
	cr_assert_eq(PARSE("--version"), CLI_EXIT);
	cr_assert_not_null(strstr(out_text, PROMFILER_VERSION));
}

Test(cli, library_flag_messages_are_unchanged)
{
	static const struct {
		const char *args[3]; /* NULL-terminated */
		const char *message;
	} cases[] = {
		{ { "-F", "0" }, "bad --frequency '0': want 1..100000 Hz" },
		{ { "--window", "86401" }, "bad --window '86401': want 1..86400 seconds" },
		{ { "--max-series", "10000001" }, "bad --max-series '10000001': want 0 (no limit) or 1..10000000" },
		{ { "--max-depth", "1001" }, "bad --max-depth '1001': want 0 (no limit) or 2..1000" },
		{ { "--weight", "both" }, "bad --weight 'both': want self or total" },
		{ { "--frames", "file" }, "bad --frames 'file': want function or location" },
		{ { "--separator", "_-.~" }, "bad --separator '_-.~': want 1..8 characters, no "
		  "quote, backslash or newline" },
		{ { "--labels", "pid,host" }, "bad --labels 'pid,host': want a list of pid, comm, "
		  "container_id, pod, namespace" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(parse(cases[i].args), CLI_USAGE, "%s %s", cases[i].args[0],
			     cases[i].args[1]);
		cr_assert_not_null(strstr(err_text, cases[i].message), "err: %s", err_text);
	}
}

/* Every boolean of the options table is a flag of the command line that
 * sets its field, and has a help line: nothing else to write for one. */
Test(cli, every_table_flag_is_a_flag)
{
	for (size_t i = 0; i < options_count; i++) {
		const struct option_desc *d = &options_table[i];
		char flag[64];

		if (d->kind != OPTION_FLAG)
			continue;
		snprintf(flag, sizeof(flag), "--%s", d->flag);
		cr_assert_eq(PARSE(flag), CLI_RUN, "%s: %s", flag, err_text);
		cr_assert(*(const bool *)((const char *)&c.opts + d->offset), "%s", flag);
		cr_assert_eq(PARSE("--help"), CLI_EXIT);
		cr_assert_not_null(strstr(out_text, flag), "%s is not in the help", flag);
		cr_assert_not_null(strstr(out_text, d->help), "%s: its help", flag);
	}
}

Test(cli, help_shows_the_table_defaults)
{
	cr_assert_eq(PARSE("--help"), CLI_EXIT);
	cr_assert_not_null(strstr(out_text, "samples per second per CPU (default 97)"));
	cr_assert_not_null(strstr(out_text, "between frames of a signature (default #)"));
	cr_assert_not_null(strstr(out_text, "(default pid,comm; without pid"));
	cr_assert_not_null(strstr(out_text, "\"(other)\"\n                             (default 3000, 0: no limit)"));
	cr_assert_not_null(strstr(out_text, "\n  -a, --all                  profile every process\n"),
			   "help: %s", out_text);
}
