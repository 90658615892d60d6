// SPDX-License-Identifier: MIT
/* cli: option parsing and validation; see cli.h. The library's options are
 * parsed, checked and described by their table (options.h); the switch
 * below holds only what the command line adds (targets, server, one-shot,
 * launch mode). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define HELP_COLUMN 29 /* where the help of a flag starts */
/* The command line's own defaults (the library's are in options.c). */
#define CLI_HOSTNAME "0.0.0.0"
#define CLI_PORT 9142
#define CLI_METRICS_PATH "/metrics"

static const char usage_line[] =
	"usage: promfiler-bpf [-p PID]... [-c COMM]... [-a] [OPTIONS] [-- COMMAND [ARG]...]\n";

/* The help, in order: a line starting with '@' is the line of the library
 * option with that flag (options_table), the others are printed as they
 * are. */
static const char *const help_layout[] = {
	"promfiler-bpf: continuous CPU profiler for Node.js processes, served to Prometheus.",
	"",
	"Targets (none given: --comm node):",
	"  -p, --pid PID              profile this process (repeatable)",
	"  -c, --comm NAME            profile processes named NAME, including ones",
	"                             started later (repeatable, up to " STR(PROMFILER_MAX_COMMS)
	"; 15 chars)",
	"@all",
	"@kernel",
	"Sampling:",
	"@frequency",
	"  -s, --sampling-interval US same as a period in microseconds (1000 = 1000 Hz)",
	"One-shot (no server):",
	"  -d, --duration SECONDS     profile this long, write one profile, exit",
	"  -f, --format FORMAT        folded (default), svg, html, pprof or prometheus",
	"  -o, --output FILE          write it to FILE (default: standard output)",
	"Launch mode:",
	"  -- COMMAND [ARG]...        run COMMAND with NODE_OPTIONS gaining --perf-basic-prof",
	"                             --interpreted-frames-native-stack, profile it and its",
	"                             children, exit with its status",
	"Profile:",
	"@window",
	"@weight",
	"@separator",
	"@labels",
	"@max-series",
	"@max-depth",
	"@trim-bootstrap",
	"@trim-native-leaves",
	"@no-v8-names",
	"@frames",
	"Server:",
	"      --hostname ADDR        address to listen on (default " CLI_HOSTNAME ")",
	"      --port N               port (default " STR(CLI_PORT) ")",
	"      --path PATH            metrics path (default " CLI_METRICS_PATH ")",
	"      --tls-cert-file FILE   serve HTTPS with this PEM certificate (chain)...",
	"      --tls-key-file FILE    ...and this PEM private key (both or neither)",
	"      --basic-auth-user USER require HTTP basic auth as USER on every path...",
	"      --basic-auth-password-file FILE",
	"                             ...with the password in FILE (trailing newline ignored)",
	"Other:",
	"@verbose",
	"  -V, --version              print the version",
	"  -h, --help                 this help",
	"",
	"Examples (as root, or with sudo):",
	"  promfiler-bpf --pid 1234",
	"  promfiler-bpf --comm node --port 9142",
	"  promfiler-bpf -p 1234 -F 997 --weight total --window 10",
	"  promfiler-bpf -p 1234 --duration 10 --format svg -o cpu.svg",
	"  promfiler-bpf --duration 30 --format html -o app.html -- node app.js",
	"Node 20, 22 and 24 need no flag; --perf-basic-prof adds names of optimized code.",
};

/* The command line's own flags; the library's come from options_table. */
enum {
	OPT_HOSTNAME = 256, OPT_PORT, OPT_PATH, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_AUTH_USER, OPT_AUTH_PASSWORD_FILE,
	OPT_TABLE = 1024, /* + index in options_table, for entries without a short flag */
};

static const char cli_short_opts[] = "+:p:c:s:d:f:o:Vh";

/* Launch mode adds these to the command's NODE_OPTIONS. */
const char cli_launch_node_options[] =
	"--perf-basic-prof --interpreted-frames-native-stack";

static const struct option cli_long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "sampling-interval", required_argument, NULL, 's' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "tls-cert-file", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key-file", required_argument, NULL, OPT_TLS_KEY },
	{ "basic-auth-user", required_argument, NULL, OPT_AUTH_USER },
	{ "basic-auth-password-file", required_argument, NULL, OPT_AUTH_PASSWORD_FILE },
	{ "duration", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
};

#define N_CLI_LONG (sizeof(cli_long_opts) / sizeof(cli_long_opts[0]))
#define MAX_LONG (N_CLI_LONG + 32)   /* the table's entries and the end */
#define MAX_SHORT (sizeof(cli_short_opts) + 64)

/* getopt's tables: the command line's own flags, then the table's. */
static void build_opts(struct option *longs, char *shorts)
{
	size_t n = N_CLI_LONG, ns = strlen(cli_short_opts);

	memcpy(longs, cli_long_opts, sizeof(cli_long_opts));
	memcpy(shorts, cli_short_opts, ns);
	for (size_t i = 0; i < options_count && n + 1 < MAX_LONG; i++) {
		const struct option_desc *d = &options_table[i];
		int has_arg = d->kind == OPTION_FLAG ? no_argument : required_argument;

		longs[n++] = (struct option){ d->flag, has_arg, NULL,
					      d->short_flag ? d->short_flag : OPT_TABLE + (int)i };
		if (d->short_flag && ns + 3 < MAX_SHORT) {
			shorts[ns++] = d->short_flag;
			if (has_arg == required_argument)
				shorts[ns++] = ':';
		}
	}
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns] = '\0';
}

/* The table entry getopt returned opt for, or NULL. */
static const struct option_desc *table_entry(int opt)
{
	if (opt >= OPT_TABLE && (size_t)(opt - OPT_TABLE) < options_count)
		return &options_table[opt - OPT_TABLE];
	for (size_t i = 0; i < options_count; i++)
		if (options_table[i].short_flag && options_table[i].short_flag == opt)
			return &options_table[i];
	return NULL;
}

/* The help line of a table entry, as the hand-written ones look. */
static void print_option_help(FILE *out, const struct option_desc *d)
{
	char left[64], def[64];
	int n;

	n = snprintf(left, sizeof(left), "  %c%c%c --%s%s%s",
		     d->short_flag ? '-' : ' ', d->short_flag ? d->short_flag : ' ',
		     d->short_flag ? ',' : ' ', d->flag, d->arg ? " " : "",
		     d->arg ? d->arg : "");
	fputs(left, out);
	if (n >= HELP_COLUMN - 1)
		fprintf(out, "\n%*s", HELP_COLUMN, "");
	else
		fprintf(out, "%*s", HELP_COLUMN - n, "");
	options__default_text(d, def, sizeof(def));
	for (const char *h = d->help; *h; h++) {
		if (h[0] == '%' && h[1] == 'D') {
			fputs(def, out);
			h++;
		} else if (*h == '\n') {
			fprintf(out, "\n%*s", HELP_COLUMN, "");
		} else {
			fputc(*h, out);
		}
	}
	fputc('\n', out);
}

static void print_help(FILE *out)
{
	for (size_t i = 0; i < sizeof(help_layout) / sizeof(help_layout[0]); i++) {
		const struct option_desc *d = help_layout[i][0] == '@' ?
			options__find(help_layout[i] + 1) : NULL;

		if (d)
			print_option_help(out, d);
		else
			fprintf(out, "%s\n", help_layout[i]);
	}
}

/* "folded" -> PROMFILER_FORMAT_FOLDED, ...; false for an unknown name. */
static bool parse_format(const char *name, enum promfiler_format *out)
{
	static const struct {
		const char *name;
		enum promfiler_format format;
	} formats[] = {
		{ "prometheus", PROMFILER_FORMAT_PROMETHEUS },
		{ "folded", PROMFILER_FORMAT_FOLDED },
		{ "svg", PROMFILER_FORMAT_SVG },
		{ "html", PROMFILER_FORMAT_HTML },
		{ "pprof", PROMFILER_FORMAT_PPROF },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return true;
		}
	}
	return false;
}

static enum cli_result bad(FILE *err, const char *fmt, const char *arg)
{
	fputs("promfiler-bpf: ", err);
	fprintf(err, fmt, arg);
	fputc('\n', err);
	fputs(usage_line, err);
	fputs("Try 'promfiler-bpf --help' for more.\n", err);
	return CLI_USAGE;
}

/* "bad --FLAG 'arg': want ..." for a table entry. */
static enum cli_result bad_option(FILE *err, const struct option_desc *d, const char *arg)
{
	char fmt[256], want[128];

	options__want(d, want, sizeof(want));
	snprintf(fmt, sizeof(fmt), "bad --%s '%%s': want %s", d->flag, want);
	return bad(err, fmt, arg);
}

static void defaults(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	promfiler_options_init(&c->opts);
	c->hostname = CLI_HOSTNAME;
	c->port = CLI_PORT;
	c->metrics_path = CLI_METRICS_PATH;
	c->format = PROMFILER_FORMAT_FOLDED;
	c->opts.pids = c->pids;
	c->opts.comms = c->comms;
}

static bool add_comm(struct cli *c, const char *name)
{
	size_t i = c->opts.n_comms;

	if (i == PROMFILER_MAX_COMMS)
		return false;
	/* The kernel keeps 15 characters of a comm: match what it keeps. */
	snprintf(c->comm_storage[i], sizeof(c->comm_storage[i]), "%s", name);
	c->comms[i] = c->comm_storage[i];
	c->opts.n_comms++;
	return true;
}

enum cli_result cli__parse(struct cli *c, int argc, char **argv, FILE *out,
			   FILE *err)
{
	struct option longs[MAX_LONG];
	char shorts[MAX_SHORT];
	bool format_set = false;
	unsigned long v;
	int opt;

	defaults(c);
	build_opts(longs, shorts);
	optind = 0; /* reset getopt: tests parse many command lines */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct option_desc *d = table_entry(opt);

		if (d) {
			if (options__parse(d, optarg, &c->opts))
				return bad_option(err, d, optarg);
			continue;
		}
		switch (opt) {
		case 'p':
			if (!options__parse_decimal(optarg, 1, INT_MAX, &v))
				return bad(err, "bad --pid '%s': want a process id", optarg);
			if (c->opts.n_pids == CLI_MAX_PIDS)
				return bad(err, "too many --pid (at most %s)", STR(CLI_MAX_PIDS));
			c->pids[c->opts.n_pids++] = (int)v;
			break;
		case 'c':
			if (!*optarg)
				return bad(err, "empty --comm%s", "");
			if (!add_comm(c, optarg))
				return bad(err, "too many --comm (at most %s)",
					   STR(PROMFILER_MAX_COMMS));
			break;
		case 's':
			if (!options__parse_decimal(optarg, 10, 1000000, &v))
				return bad(err, "bad --sampling-interval '%s': want 10..1000000 us", optarg);
			c->opts.frequency_hz = (unsigned int)((1000000 + v / 2) / v);
			break;
		case OPT_HOSTNAME:
			if (!*optarg)
				return bad(err, "empty --hostname%s", "");
			c->hostname = optarg;
			break;
		case OPT_PORT:
			if (!options__parse_decimal(optarg, 1, 65535, &v))
				return bad(err, "bad --port '%s': want 1..65535", optarg);
			c->port = (unsigned int)v;
			break;
		case OPT_PATH:
			if (optarg[0] != '/')
				return bad(err, "bad --path '%s': must start with /", optarg);
			c->metrics_path = optarg;
			break;
		case OPT_TLS_CERT:
			if (!*optarg)
				return bad(err, "empty --tls-cert-file%s", "");
			c->tls_cert_file = optarg;
			break;
		case OPT_TLS_KEY:
			if (!*optarg)
				return bad(err, "empty --tls-key-file%s", "");
			c->tls_key_file = optarg;
			break;
		case OPT_AUTH_USER:
			/* RFC 7617: a user-id cannot hold a colon. */
			if (!*optarg || strchr(optarg, ':'))
				return bad(err, "bad --basic-auth-user '%s': want a non-empty name without ':'", optarg);
			c->basic_auth_user = optarg;
			break;
		case OPT_AUTH_PASSWORD_FILE:
			if (!*optarg)
				return bad(err, "empty --basic-auth-password-file%s", "");
			c->basic_auth_password_file = optarg;
			break;
		case 'd':
			if (!options__parse_decimal(optarg, 1, 86400, &v))
				return bad(err, "bad --duration '%s': want 1..86400 seconds", optarg);
			c->duration = (unsigned int)v;
			break;
		case 'f':
			if (!parse_format(optarg, &c->format))
				return bad(err, "bad --format '%s': want folded, svg, html, pprof or prometheus", optarg);
			format_set = true;
			break;
		case 'o':
			if (!*optarg)
				return bad(err, "empty --output%s", "");
			c->output = optarg;
			break;
		case 'V':
			fprintf(out, "promfiler-bpf %s\n", PROMFILER_VERSION);
			return CLI_EXIT;
		case 'h':
			print_help(out);
			return CLI_EXIT;
		case ':':
			return bad(err, "option %s needs a value", argv[optind - 1]);
		default: {
			char shortopt[3] = { '-', (char)optopt, '\0' };

			return bad(err, "unknown option '%s'",
				   optopt ? shortopt : argv[optind - 1]);
		}
		}
	}
	/* getopt stops at "--" and steps over it; anything left is a command
	 * only if "--" was there. */
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return bad(err, "unexpected argument '%s' (a command goes after --)", argv[optind]);
	if (optind < argc)
		c->command = argv + optind;
	if ((format_set || c->output) && !c->duration)
		return bad(err, "--format and --output need --duration%s", "");
	if (c->duration) { /* one window: the whole run */
		c->opts.window_seconds = c->duration;
		c->opts.manual_windows = true;
	}
	c->opts.follow_forks = c->command != NULL;
	if (!c->tls_cert_file != !c->tls_key_file)
		return bad(err, "--tls-cert-file and --tls-key-file go together%s", "");
	if (!c->basic_auth_user != !c->basic_auth_password_file)
		return bad(err, "--basic-auth-user and --basic-auth-password-file go together%s", "");
	if (!c->opts.all && !c->opts.n_pids && !c->opts.n_comms && !c->command)
		add_comm(c, "node");
	return CLI_RUN;
}
