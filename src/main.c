// SPDX-License-Identifier: MIT
/* main: wires the command line, the profiler and the HTTP server together.
 * Three ways to run: serve /metrics until SIGINT or SIGTERM; one-shot
 * (--duration: profile, write one profile, exit); and launch mode (-- CMD:
 * run CMD under the profiler, forward signals, exit with its status).
 * The profiling itself goes through the public C API (include/promfiler.h),
 * as any program embedding the library would.
 * Exit status: 0 after a clean stop, 1 when the profiler cannot run, 2 on a
 * bad command line, the command's own in launch mode. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <promfiler.h>

#include "caps.h"
#include "cli.h"
#include "http.h"
#include "procfs.h"

static volatile sig_atomic_t stopping;
static volatile pid_t child_pid; /* launch mode's command, once started */

/* Launch mode hands SIGINT/SIGTERM to the command and ends when it does. */
static void on_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
	else
		stopping = 1;
}

static void on_child(int sig)
{
	(void)sig; /* only cuts the loop's sleep short */
}

static void log_line(const char *line)
{
	fprintf(stderr, "promfiler-bpf: %s\n", line);
}

struct server_ctx {
	const struct cli *cli;
	struct promfiler *pf;
};

/* Appends a buffer the library rendered (err: how that went) to out. */
static int take(struct buf *out, int err, char *body, size_t len)
{
	if (!err)
		buf__append(out, body, len);
	promfiler_free_buffer(body);
	return err;
}

static int render_metrics(void *ctx, const struct http_request *req, struct buf *out)
{
	const struct server_ctx *sc = ctx;
	char *body = NULL;
	size_t len = 0;

	int err = promfiler_metrics(sc->pf, &body, &len);

	(void)req;
	return take(out, err, body, len);
}

static int render_health(void *ctx, const struct http_request *req, struct buf *out)
{
	(void)ctx;
	(void)req;
	buf__puts(out, "ok\n");
	return 0;
}

/* "?pid=N" (optional: all targets merged). 0 or -EINVAL. */
static int pid_arg(const struct http_request *req, int *pid)
{
	const char *v = http_request__arg(req, "pid");
	char *end;
	long n;

	*pid = 0;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n <= 0 || n > INT32_MAX)
		return -EINVAL;
	*pid = (int)n;
	return 0;
}

/* A profile of the last completed window, as the /metrics gauges. */
static int render_profile(const struct server_ctx *sc, const struct http_request *req,
			  enum promfiler_format format, struct buf *out)
{
	char *body = NULL;
	size_t len = 0;
	int pid, err;

	if (pid_arg(req, &pid))
		return -EINVAL;
	err = promfiler_render(sc->pf, format, pid, PROMFILER_SPAN_WINDOW, &body, &len);
	return take(out, err, body, len);
}

static int render_flamegraph(void *ctx, const struct http_request *req, struct buf *out)
{
	return render_profile(ctx, req, PROMFILER_FORMAT_HTML, out);
}

static int render_flamegraph_svg(void *ctx, const struct http_request *req, struct buf *out)
{
	return render_profile(ctx, req, PROMFILER_FORMAT_SVG, out);
}

static int render_folded(void *ctx, const struct http_request *req, struct buf *out)
{
	return render_profile(ctx, req, PROMFILER_FORMAT_FOLDED, out);
}

/* go tool pprof asks for ?seconds=30 and waits. The server answers at once
 * (one thread serves every request): with the last completed window when
 * seconds fits in it, else with everything since each target was seen. */
static int render_pprof(void *ctx, const struct http_request *req, struct buf *out)
{
	const struct server_ctx *sc = ctx;
	const char *v = http_request__arg(req, "seconds");
	enum promfiler_span span = PROMFILER_SPAN_WINDOW;
	char *body = NULL, *end;
	size_t len = 0;
	long seconds;
	int pid, err;

	if (pid_arg(req, &pid))
		return -EINVAL;
	if (v) {
		seconds = strtol(v, &end, 10);
		if (end == v || *end || seconds <= 0)
			return -EINVAL;
		if ((unsigned long)seconds > sc->cli->opts.window_seconds)
			span = PROMFILER_SPAN_ALL;
	}
	err = promfiler_render(sc->pf, PROMFILER_FORMAT_PPROF, pid, span, &body, &len);
	return take(out, err, body, len);
}

static void html_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf__puts(out, "&lt;"); break;
		case '>': buf__puts(out, "&gt;"); break;
		case '&': buf__puts(out, "&amp;"); break;
		case '"': buf__puts(out, "&quot;"); break;
		default: buf__append(out, s, 1);
		}
	}
}

/* The index: every target with links to its views. */
static int render_index(void *ctx, const struct http_request *req, struct buf *out)
{
	const struct server_ctx *sc = ctx;
	struct promfiler_target t[256];
	size_t n = promfiler_targets(sc->pf, t, 256);

	(void)req;
	buf__printf(out, "<!doctype html><html><head><meta charset=\"utf-8\">"
		    "<title>promfiler-bpf</title></head><body>"
		    "<h1>promfiler-bpf %s</h1><p><a href=\"", promfiler_version());
	html_text(out, sc->cli->metrics_path);
	buf__printf(out, "\">metrics</a> &middot; <a href=\"/flamegraph\">flame graph of "
		    "all targets</a> &middot; <a href=\"/healthz\">health</a></p>"
		    "<p>Profiles cover the last completed %u s window.</p>"
		    "<table><tr><th>pid</th><th>comm</th><th>samples</th><th>views</th></tr>",
		    sc->cli->opts.window_seconds);
	for (size_t i = 0; i < n && i < 256; i++) {
		buf__printf(out, "<tr><td>%d</td><td>", t[i].pid);
		html_text(out, t[i].comm);
		buf__printf(out, "</td><td>%llu</td><td><a href=\"/flamegraph?pid=%d\">flame graph"
			    "</a> <a href=\"/flamegraph.svg?pid=%d\">svg</a> "
			    "<a href=\"/folded?pid=%d\">folded</a> "
			    "<a href=\"/debug/pprof/profile?pid=%d\">pprof</a></td></tr>",
			    (unsigned long long)t[i].samples, t[i].pid, t[i].pid, t[i].pid,
			    t[i].pid);
	}
	buf__puts(out, "</table></body></html>\n");
	return 0;
}

/* Drops --pid values that name no process, saying so. Returns how many are
 * left. A live process that is not Node is kept: its native frames are
 * still worth seeing. */
static size_t check_pids(struct cli *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->opts.n_pids; i++) {
		pid_t pid = c->pids[i];
		char comm[PROCFS_COMM_LEN];
		struct node_flags flags;

		if (procfs__comm(pid, comm, sizeof(comm))) {
			fprintf(stderr, "promfiler-bpf: pid %d: no such process, skipped\n",
				(int)pid);
			continue;
		}
		if (procfs__node_flags(pid, &flags) == 0 && !flags.is_node)
			fprintf(stderr, "promfiler-bpf: pid %d (%s) does not look like Node; "
				"profiling it anyway\n", (int)pid, comm);
		c->pids[kept++] = pid;
	}
	c->opts.n_pids = kept;
	return kept;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction sc = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };

	sigemptyset(&sa.sa_mask);
	sigemptyset(&sc.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sc, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The environment of the launch-mode command: ours, with the perf-map flags
 * added to NODE_OPTIONS. NULL when out of memory. */
static char **launch_environment(char **opts)
{
	extern char **environ;
	const char *old = getenv("NODE_OPTIONS");
	size_t n = 0, j = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env || asprintf(opts, "NODE_OPTIONS=%s%s%s", old ? old : "",
			     old && *old ? " " : "", cli_launch_node_options) < 0) {
		free(env);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "NODE_OPTIONS=", 13) != 0)
			env[j++] = environ[i];
	env[j] = *opts;
	return env;
}

/* Starts the launch-mode command. It waits on a pipe until its PID is in the
 * kernel's target set, so its first instructions are profiled too. The
 * child only reads and execs: the profiler's thread runs, so it must not
 * touch malloc's locks. 0 or -errno (said by the caller). */
static int launch(struct cli *c, struct promfiler *pf)
{
	char *opts = NULL, **env = launch_environment(&opts);
	char failed[256];
	int go[2], err;
	pid_t pid;

	if (!env)
		return -ENOMEM;
	snprintf(failed, sizeof(failed), "promfiler-bpf: cannot run %s: ", c->command[0]);
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		free(opts);
		free(env);
		return err;
	}
	pid = fork();
	if (pid == 0) {
		const char *why;
		char byte;

		close(go[1]);
		if (read(go[0], &byte, 1) != 1)
			_exit(127); /* the profiler gave up */
		execvpe(c->command[0], c->command, env);
		why = strerror(errno);
		if (write(STDERR_FILENO, failed, strlen(failed)) < 0 ||
		    write(STDERR_FILENO, why, strlen(why)) < 0 ||
		    write(STDERR_FILENO, "\n", 1) < 0)
			_exit(127);
		_exit(127);
	}
	err = pid < 0 ? -errno : 0;
	close(go[0]);
	if (!err) {
		err = promfiler_add_pid(pf, pid);
		child_pid = pid;
		if (!err && write(go[1], "g", 1) != 1)
			err = -errno;
	}
	close(go[1]);
	free(opts);
	free(env);
	return err;
}

/* Whether the launched command has ended; its exit status goes to *status
 * as a shell reports it (128 + signal when killed). */
static bool command_ended(int *status)
{
	int ws;

	if (child_pid <= 0 || waitpid(child_pid, &ws, WNOHANG) != child_pid)
		return false;
	child_pid = -1;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return true;
}

static void sleep_a_second(void)
{
	struct timespec second = { 1, 0 };

	/* A signal cuts the sleep short (EINTR): the caller looks at why. */
	nanosleep(&second, NULL);
}

static void drop_thread_capabilities(void)
{
	caps__limit(CAPS_RUNTIME_MASK); /* said by the main thread's drop */
}

/* Once the BPF programs are attached (and a launched command has its own
 * capabilities), keep only what reading other processes needs. */
static void drop_capabilities(bool verbose)
{
	uint64_t kept = 0;
	char names[128];
	int err = caps__limit(CAPS_RUNTIME_MASK);

	if (err) {
		fprintf(stderr, "promfiler-bpf: cannot drop capabilities: %s\n",
			strerror(-err));
		return;
	}
	if (verbose && caps__effective(&kept) == 0) {
		caps__names(kept, names, sizeof(names));
		fprintf(stderr, "promfiler-bpf: capabilities kept: %s\n", names);
	}
}

/* One-shot mode: profiles for --duration seconds (or until the command
 * ends, or a signal), then writes the whole run as one profile. */
static int run_one_shot(const struct cli *c, struct promfiler *pf, FILE *out,
			int *status)
{
	bool progress = isatty(STDERR_FILENO);
	char *body = NULL;
	size_t len = 0;
	int err;

	for (unsigned int left = c->duration; left && !stopping;) {
		sleep_a_second();
		if (command_ended(status))
			break;
		if (child_pid > 0 && stopping)
			continue; /* the command got the signal: wait for it */
		left--;
		if (progress)
			fprintf(stderr, "\rpromfiler-bpf: %u s left, %llu samples   ", left,
				(unsigned long long)promfiler_samples(pf));
	}
	if (progress)
		fputc('\n', stderr);
	/* Stop drains what is left; the profile is the whole run. */
	err = promfiler_stop(pf);
	if (!err)
		err = promfiler_end_window(pf);
	if (!err)
		err = promfiler_render(pf, c->format, 0,
				       PROMFILER_SPAN_ALL, &body, &len);
	if (!err && len && fwrite(body, 1, len, out) != len)
		err = -EIO;
	if (!err && fflush(out))
		err = -errno;
	promfiler_free_buffer(body);
	if (err)
		fprintf(stderr, "promfiler-bpf: cannot write the profile: %s\n",
			strerror(-err));
	return err;
}

/* Server mode: serves HTTP until a signal, or until the command ends. */
static int serve(const struct cli *c, struct promfiler *pf, int *status)
{
	struct server_ctx sc = { c, pf };
	const struct http_route routes[] = {
		{ c->metrics_path, "text/plain; version=0.0.4; charset=utf-8",
		  render_metrics, &sc },
		{ "/healthz", "text/plain; charset=utf-8", render_health, NULL },
		{ "/", "text/html; charset=utf-8", render_index, &sc },
		{ "/flamegraph", "text/html; charset=utf-8", render_flamegraph, &sc },
		{ "/flamegraph.svg", "image/svg+xml", render_flamegraph_svg, &sc },
		{ "/folded", "text/plain; charset=utf-8", render_folded, &sc },
		{ "/debug/pprof/profile", "application/octet-stream", render_pprof, &sc },
	};
	struct http_server *server;
	char why[256];

	server = http__start_opts(&(struct http_opts){
		.host = c->hostname, .port = c->port, .routes = routes,
		.n_routes = sizeof(routes) / sizeof(routes[0]),
		.tls_cert_file = c->tls_cert_file, .tls_key_file = c->tls_key_file,
		.basic_auth_user = c->basic_auth_user,
		.basic_auth_password_file = c->basic_auth_password_file,
	}, why, sizeof(why));
	if (!server) {
		fprintf(stderr, "promfiler-bpf: cannot serve HTTP: %s\n", why);
		return -EADDRNOTAVAIL;
	}
	fprintf(stderr, "promfiler-bpf: sampling at %u Hz, serving %s://%s:%u%s\n",
		c->opts.frequency_hz, c->tls_cert_file ? "https" : "http",
		c->hostname, c->port, c->metrics_path);
	while (!stopping) { /* the library's thread drains */
		sleep_a_second();
		if (command_ended(status))
			break;
	}
	fprintf(stderr, "promfiler-bpf: stopping\n");
	http__stop(server);
	return 0;
}

int main(int argc, char **argv)
{
	static struct cli c;
	struct promfiler_options o;
	struct promfiler *pf;
	FILE *out = stdout;
	int err, status = 0;

	/* A months-long agent: big temporary arrays (perf-map rebuilds) go
	 * straight back to the system instead of fragmenting the heap, and the
	 * HTTP threads share one arena. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_ARENA_MAX, 2);
	switch (cli__parse(&c, argc, argv, stdout, stderr)) {
	case CLI_EXIT:
		return 0;
	case CLI_USAGE:
		return 2;
	case CLI_RUN:
		break;
	}
	if (c.opts.n_pids && !check_pids(&c) && !c.opts.n_comms && !c.opts.all &&
	    !c.command) {
		fprintf(stderr, "promfiler-bpf: none of the given processes exists\n");
		return 1;
	}
	/* Open the output first: a bad path must not cost a profiling run. */
	if (c.output && !(out = fopen(c.output, "wbe"))) {
		fprintf(stderr, "promfiler-bpf: cannot write %s: %s\n", c.output,
			strerror(errno));
		return 1;
	}
	o = c.opts;
	o.log = log_line;
	/* Capabilities are per thread: the library's drains drop theirs. */
	o.thread_start = drop_thread_capabilities;
	pf = promfiler_create(&o);
	err = pf ? promfiler_start(pf) : -errno;
	if (err) {
		fprintf(stderr, "promfiler-bpf: %s\n", promfiler_error());
		promfiler_destroy(pf);
		if (out != stdout)
			fclose(out);
		return 1;
	}
	install_signals();
	err = c.command ? launch(&c, pf) : 0;
	/* The command has its own capabilities; the HTTP threads started next
	 * inherit this thread's reduced set. */
	drop_capabilities(c.opts.verbose);
	if (err)
		fprintf(stderr, "promfiler-bpf: cannot start %s: %s\n", c.command[0],
			strerror(-err));
	else if (c.duration)
		err = run_one_shot(&c, pf, out, &status);
	else
		err = serve(&c, pf, &status);
	if (child_pid > 0) {
		/* The profile is written (or the agent was stopped): the
		 * command was run to be profiled, so it ends with us. */
		int ws;
		pid_t pid = child_pid;

		kill(pid, SIGTERM);
		child_pid = -1;
		/* Ended by us after a complete profile: that is success. */
		if (waitpid(pid, &ws, 0) == pid && !(WIFSIGNALED(ws) &&
						     WTERMSIG(ws) == SIGTERM && !stopping))
			status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	}
	promfiler_destroy(pf);
	if (out != stdout && fclose(out) && !err)
		err = -errno;
	if (err)
		return 1;
	return c.command ? status : 0;
}
