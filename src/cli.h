// SPDX-License-Identifier: MIT
/* cli: the command line of promfiler-bpf (README.md, "Flags"), parsed into
 * the library's own options (struct promfiler_options) plus the HTTP,
 * one-shot and launch settings. The library's flags, defaults and ranges
 * come from its table (options.h); kept apart from main so the rules and
 * errors are unit-tested. */
#ifndef PROMFILER_CLI_H
#define PROMFILER_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <promfiler.h>

#define CLI_MAX_PIDS 1024

struct cli {
	/* pids and comms point into the arrays below. */
	struct promfiler_options opts;
	const char *hostname;
	unsigned int port;
	const char *metrics_path;
	/* TLS (PEM files) and basic auth: both of a pair, or neither. */
	const char *tls_cert_file;
	const char *tls_key_file;
	const char *basic_auth_user;
	const char *basic_auth_password_file;
	/* One-shot mode: profile for duration seconds, write one profile. */
	unsigned int duration;         /* 0: serve HTTP until stopped */
	enum promfiler_format format;
	const char *output;            /* NULL: standard output */
	/* Launch mode: the command after "--", NULL-terminated, or NULL. */
	char **command;
	int pids[CLI_MAX_PIDS];
	const char *comms[PROMFILER_MAX_COMMS];
	char comm_storage[PROMFILER_MAX_COMMS][PROMFILER_COMM_LEN]; /* the kernel's 15 */
};

extern const char cli_launch_node_options[];

enum cli_result {
	CLI_RUN,   /* options parsed: run */
	CLI_EXIT,  /* help or version printed: exit 0 */
	CLI_USAGE, /* error and usage line printed to err: exit 2 */
};

/* Parses argv into c. Help and version go to out, errors to err. */
enum cli_result cli__parse(struct cli *c, int argc, char **argv, FILE *out,
			   FILE *err);

#endif
