/* cli: option parsing and validation; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char usage_line[] =
	"usage: promfiler-bpf [-p PID]... [-c COMM]... [-a] [OPTIONS] [-- COMMAND [ARG]...]\n";

static const char help_text[] =
	"promfiler-bpf: continuous CPU profiler for Node.js processes, served to Prometheus.\n"
	"\n"
	"Targets (none given: --comm node):\n"
	"  -p, --pid PID              profile this process (repeatable)\n"
	"  -c, --comm NAME            profile processes named NAME, including ones\n"
	"                             started later (repeatable, up to 8; 15 chars)\n"
	"  -a, --all                  profile every process\n"
	"  -k, --kernel               add kernel frames (name_[k]) below the user frames\n"
	"Sampling:\n"
	"  -F, --frequency HZ         samples per second per CPU (default 97)\n"
	"  -s, --sampling-interval US same as a period in microseconds (1000 = 1000 Hz)\n"
	"One-shot (no server):\n"
	"  -d, --duration SECONDS     profile this long, write one profile, exit\n"
	"  -f, --format FORMAT        folded (default), svg, html, pprof or prometheus\n"
	"  -o, --output FILE          write it to FILE (default: standard output)\n"
	"Launch mode:\n"
	"  -- COMMAND [ARG]...        run COMMAND with NODE_OPTIONS gaining --perf-basic-prof\n"
	"                             --interpreted-frames-native-stack, profile it and its\n"
	"                             children, exit with its status\n"
	"Profile:\n"
	"      --window SECONDS       window promfiler_cpu_profile covers (default 30)\n"
	"      --weight self|total    gauge value: own samples (default) or inclusive\n"
	"      --separator STR        between frames of a signature (default #)\n"
	"      --labels LIST          series labels among pid,comm,container_id,pod,namespace\n"
	"                             (default pid,comm; without pid, processes merge)\n"
	"      --max-series N         call-tree nodes per process; new ones fold into\n"
	"                             \"(other)\" past N (default 2000, 0: no limit)\n"
	"      --max-depth N          frames per signature; deeper ones are cut at\n"
	"                             \"(truncated)\" (default 0: no limit but the kernel's 127)\n"
	"      --trim-bootstrap       drop the native frames below the first JS frame\n"
	"      --no-v8-names          name JS frames from perf maps only, not V8's objects\n"
	"      --frames function|location\n"
	"                             frame names: bare function (default) or with file:line\n"
	"Server:\n"
	"      --hostname ADDR        address to listen on (default 0.0.0.0)\n"
	"      --port N               port (default 9142)\n"
	"      --path PATH            metrics path (default /metrics)\n"
	"      --tls-cert-file FILE   serve HTTPS with this PEM certificate (chain)...\n"
	"      --tls-key-file FILE    ...and this PEM private key (both or neither)\n"
	"      --basic-auth-user USER require HTTP basic auth as USER on every path...\n"
	"      --basic-auth-password-file FILE\n"
	"                             ...with the password in FILE (trailing newline ignored)\n"
	"Other:\n"
	"  -v, --verbose              log more (libbpf messages too)\n"
	"  -V, --version              print the version\n"
	"  -h, --help                 this help\n"
	"\n"
	"Examples:\n"
	"  sudo promfiler-bpf --pid 1234\n"
	"  sudo promfiler-bpf --comm node --port 9142\n"
	"  sudo promfiler-bpf -p 1234 -F 997 --weight total --window 10\n"
	"  sudo promfiler-bpf -p 1234 --duration 10 --format svg -o cpu.svg\n"
	"  sudo promfiler-bpf --duration 30 --format html -o app.html -- node app.js\n"
	"Node 20, 22 and 24 need no flag; --perf-basic-prof adds names of optimized code.\n";

enum {
	OPT_HOSTNAME = 256, OPT_PORT, OPT_PATH, OPT_WINDOW, OPT_WEIGHT,
	OPT_SEPARATOR, OPT_FRAMES, OPT_TLS_CERT, OPT_TLS_KEY, OPT_AUTH_USER,
	OPT_AUTH_PASSWORD_FILE, OPT_LABELS, OPT_MAX_SERIES, OPT_MAX_DEPTH,
	OPT_TRIM_BOOTSTRAP, OPT_NO_V8_NAMES,
};

/* Launch mode adds these to the command's NODE_OPTIONS. */
const char cli_launch_node_options[] =
	"--perf-basic-prof --interpreted-frames-native-stack";

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "all", no_argument, NULL, 'a' },
	{ "kernel", no_argument, NULL, 'k' },
	{ "frequency", required_argument, NULL, 'F' },
	{ "sampling-interval", required_argument, NULL, 's' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "weight", required_argument, NULL, OPT_WEIGHT },
	{ "separator", required_argument, NULL, OPT_SEPARATOR },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "tls-cert-file", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key-file", required_argument, NULL, OPT_TLS_KEY },
	{ "basic-auth-user", required_argument, NULL, OPT_AUTH_USER },
	{ "basic-auth-password-file", required_argument, NULL, OPT_AUTH_PASSWORD_FILE },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "max-series", required_argument, NULL, OPT_MAX_SERIES },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "trim-bootstrap", no_argument, NULL, OPT_TRIM_BOOTSTRAP },
	{ "no-v8-names", no_argument, NULL, OPT_NO_V8_NAMES },
	{ "duration", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A decimal number in [min, max], the whole string. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
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

static void defaults(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	c->hostname = "0.0.0.0";
	c->port = 9142;
	c->metrics_path = "/metrics";
	c->profiler.frequency = 97;
	c->profiler.window_seconds = 30;
	c->profiler.weight = PROM_WEIGHT_SELF;
	c->profiler.separator = "#";
	c->profiler.frame_style = FRAME_STYLE_FUNCTION;
	c->format = PROMFILER_FORMAT_FOLDED;
	c->profiler.labels = PROFILER_LABELS_DEFAULT;
	c->profiler.max_series = 2000;
	c->profiler.pids = c->pids;
	c->profiler.comms = c->comms;
}

static bool add_comm(struct cli *c, const char *name)
{
	size_t i = c->profiler.n_comms;

	if (i == CLI_MAX_COMMS)
		return false;
	/* The kernel keeps 15 characters of a comm: match what it keeps. */
	snprintf(c->comm_storage[i], sizeof(c->comm_storage[i]), "%.15s", name);
	c->comms[i] = c->comm_storage[i];
	c->profiler.n_comms++;
	return true;
}

enum cli_result cli__parse(struct cli *c, int argc, char **argv, FILE *out,
			   FILE *err)
{
	bool format_set = false;
	unsigned long v;
	int opt;

	defaults(c);
	optind = 0; /* reset getopt: tests parse many command lines */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:c:akF:s:d:f:o:vVh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!parse_uint(optarg, 1, INT_MAX, &v))
				return bad(err, "bad --pid '%s': want a process id", optarg);
			if (c->profiler.n_pids == CLI_MAX_PIDS)
				return bad(err, "too many --pid (at most %s)", "1024");
			c->pids[c->profiler.n_pids++] = (pid_t)v;
			break;
		case 'c':
			if (!*optarg)
				return bad(err, "empty --comm%s", "");
			if (!add_comm(c, optarg))
				return bad(err, "too many --comm (at most %s)", "8");
			break;
		case 'a':
			c->profiler.all = true;
			break;
		case 'k':
			c->profiler.kernel = true;
			break;
		case 'F':
			if (!parse_uint(optarg, 1, 100000, &v))
				return bad(err, "bad --frequency '%s': want 1..100000 Hz", optarg);
			c->profiler.frequency = (unsigned int)v;
			break;
		case 's':
			if (!parse_uint(optarg, 10, 1000000, &v))
				return bad(err, "bad --sampling-interval '%s': want 10..1000000 us", optarg);
			c->profiler.frequency = (unsigned int)((1000000 + v / 2) / v);
			break;
		case OPT_HOSTNAME:
			if (!*optarg)
				return bad(err, "empty --hostname%s", "");
			c->hostname = optarg;
			break;
		case OPT_PORT:
			if (!parse_uint(optarg, 1, 65535, &v))
				return bad(err, "bad --port '%s': want 1..65535", optarg);
			c->port = (unsigned int)v;
			break;
		case OPT_PATH:
			if (optarg[0] != '/')
				return bad(err, "bad --path '%s': must start with /", optarg);
			c->metrics_path = optarg;
			break;
		case OPT_WINDOW:
			if (!parse_uint(optarg, 1, 86400, &v))
				return bad(err, "bad --window '%s': want 1..86400 seconds", optarg);
			c->profiler.window_seconds = (unsigned int)v;
			break;
		case OPT_WEIGHT:
			if (strcmp(optarg, "self") == 0)
				c->profiler.weight = PROM_WEIGHT_SELF;
			else if (strcmp(optarg, "total") == 0)
				c->profiler.weight = PROM_WEIGHT_TOTAL;
			else
				return bad(err, "bad --weight '%s': want self or total", optarg);
			break;
		case OPT_SEPARATOR:
			if (!*optarg || strlen(optarg) > 8 || strpbrk(optarg, "\"\\\n") ||
			    (strchr(optarg, '_') && strchr(optarg, '-') &&
			     strchr(optarg, '.') && strchr(optarg, '~')))
				return bad(err, "bad --separator '%s': want 1..8 characters, no quote, backslash or newline", optarg);
			c->profiler.separator = optarg;
			break;
		case OPT_FRAMES:
			if (strcmp(optarg, "function") == 0)
				c->profiler.frame_style = FRAME_STYLE_FUNCTION;
			else if (strcmp(optarg, "location") == 0)
				c->profiler.frame_style = FRAME_STYLE_LOCATION;
			else
				return bad(err, "bad --frames '%s': want function or location", optarg);
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
		case OPT_LABELS:
			if (profiler__parse_labels(optarg, &c->profiler.labels))
				return bad(err, "bad --labels '%s': want a list of pid, comm, container_id, pod, namespace", optarg);
			break;
		case OPT_MAX_SERIES:
			if (!parse_uint(optarg, 0, 10000000, &v) || v == 1)
				return bad(err, "bad --max-series '%s': want 0 (no limit) or 2..10000000", optarg);
			c->profiler.max_series = (unsigned int)v;
			break;
		case OPT_MAX_DEPTH:
			if (!parse_uint(optarg, 0, 1000, &v) || v == 1)
				return bad(err, "bad --max-depth '%s': want 0 (no limit) or 2..1000", optarg);
			c->profiler.max_depth = (unsigned int)v;
			break;
		case OPT_TRIM_BOOTSTRAP:
			c->profiler.trim_bootstrap = true;
			break;
		case OPT_NO_V8_NAMES:
			c->profiler.no_v8_names = true;
			break;
		case 'd':
			if (!parse_uint(optarg, 1, 86400, &v))
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
		case 'v':
			c->profiler.verbose = true;
			break;
		case 'V':
			fprintf(out, "promfiler-bpf %s\n", PROMFILER_VERSION);
			return CLI_EXIT;
		case 'h':
			fputs(help_text, out);
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
		c->profiler.window_seconds = c->duration;
		c->profiler.manual_windows = true;
	}
	c->profiler.follow_forks = c->command != NULL;
	if (!c->tls_cert_file != !c->tls_key_file)
		return bad(err, "--tls-cert-file and --tls-key-file go together%s", "");
	if (!c->basic_auth_user != !c->basic_auth_password_file)
		return bad(err, "--basic-auth-user and --basic-auth-password-file go together%s", "");
	if (!c->profiler.all && !c->profiler.n_pids && !c->profiler.n_comms &&
	    !c->command)
		add_comm(c, "node");
	return CLI_RUN;
}
