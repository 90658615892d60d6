/* cli: the command line of promfiler-bpf (see ../shared/DESIGN.md), parsed
 * into profiler options plus the HTTP settings. Kept apart from main so the
 * rules (defaults, ranges, errors) are unit-tested. */
#ifndef PROMFILER_CLI_H
#define PROMFILER_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <promfiler.h>

#include "profiler.h"

#define CLI_MAX_PIDS 1024
#define CLI_MAX_COMMS PROFILE_MAX_COMMS

struct cli {
	struct profiler_opts profiler;
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
	pid_t pids[CLI_MAX_PIDS];
	const char *comms[CLI_MAX_COMMS];
	char comm_storage[CLI_MAX_COMMS][PROFILE_COMM_LEN]; /* truncated to the kernel's 15 */
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
