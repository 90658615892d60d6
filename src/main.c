/* main: wires the command line, the profiler and the HTTP server together,
 * and runs the poll loop until SIGINT or SIGTERM. Exit status: 0 after a
 * clean stop, 1 when the profiler cannot run, 2 on a bad command line. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "procfs.h"
#include "profiler.h"
#include "sampler.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void log_line(const char *line)
{
	fprintf(stderr, "promfiler-bpf: %s\n", line);
}

static int render_metrics(void *ctx, struct buf *out)
{
	return profiler__render_metrics(ctx, out);
}

static int render_health(void *ctx, struct buf *out)
{
	(void)ctx;
	buf__puts(out, "ok\n");
	return 0;
}

static int render_index(void *ctx, struct buf *out)
{
	const struct cli *c = ctx;

	buf__printf(out,
		    "<!doctype html><html><head><title>promfiler-bpf</title></head>"
		    "<body><h1>promfiler-bpf %s</h1><p><a href=\"%s\">metrics</a></p>"
		    "</body></html>\n",
		    PROMFILER_VERSION, c->metrics_path);
	return 0;
}

/* Drops --pid values that name no process, saying so. Returns how many are
 * left. A live process that is not Node is kept: its native frames are
 * still worth seeing. */
static size_t check_pids(struct cli *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->profiler.n_pids; i++) {
		pid_t pid = c->pids[i];
		char comm[PROCFS_COMM_LEN];

		if (procfs__comm(pid, comm, sizeof(comm))) {
			fprintf(stderr, "promfiler-bpf: pid %d: no such process, skipped\n",
				(int)pid);
			continue;
		}
		if (strcmp(comm, "node") != 0)
			fprintf(stderr, "promfiler-bpf: pid %d (%s) does not look like Node; "
				"profiling it anyway\n", (int)pid, comm);
		c->pids[kept++] = pid;
	}
	c->profiler.n_pids = kept;
	return kept;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct cli c;
	struct http_route routes[3];
	struct http_server *server;
	struct profiler *p;
	char why[256];
	int err;

	switch (cli__parse(&c, argc, argv, stdout, stderr)) {
	case CLI_EXIT:
		return 0;
	case CLI_USAGE:
		return 2;
	case CLI_RUN:
		break;
	}
	if (sampler__check_support(why, sizeof(why))) {
		fprintf(stderr, "promfiler-bpf: %s\n", why);
		return 1;
	}
	if (c.profiler.n_pids && !check_pids(&c) && !c.profiler.n_comms &&
	    !c.profiler.all) {
		fprintf(stderr, "promfiler-bpf: none of the given processes exists\n");
		return 1;
	}
	c.profiler.log = log_line;
	p = profiler__new(&c.profiler);
	if (!p) {
		err = errno;
		fprintf(stderr, "promfiler-bpf: cannot start the BPF sampler: %s%s\n",
			strerror(err),
			err == EINVAL ? " (is --frequency above kernel.perf_event_max_sample_rate?)" : "");
		return 1;
	}
	routes[0] = (struct http_route){ c.metrics_path,
		"text/plain; version=0.0.4; charset=utf-8", render_metrics, p };
	routes[1] = (struct http_route){ "/healthz", "text/plain; charset=utf-8",
		render_health, NULL };
	routes[2] = (struct http_route){ "/", "text/html; charset=utf-8",
		render_index, &c };
	server = http__start(c.hostname, c.port, routes, 3);
	if (!server) {
		fprintf(stderr, "promfiler-bpf: cannot listen on %s:%u: %s\n",
			c.hostname, c.port, strerror(errno));
		profiler__free(p);
		return 1;
	}
	install_signals();
	fprintf(stderr, "promfiler-bpf: sampling at %u Hz, serving http://%s:%u%s\n",
		c.profiler.frequency, c.hostname, c.port, c.metrics_path);

	while (!stopping) {
		struct timespec second = { 1, 0 };

		/* A signal cuts the sleep short (EINTR): the loop then ends. */
		nanosleep(&second, NULL);
		if (stopping)
			break;
		err = profiler__poll(p);
		if (err)
			fprintf(stderr, "promfiler-bpf: drain failed: %s\n", strerror(-err));
	}
	fprintf(stderr, "promfiler-bpf: stopping\n");
	http__stop(server);
	profiler__free(p);
	return 0;
}
