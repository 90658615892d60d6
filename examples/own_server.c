// SPDX-License-Identifier: MIT
/* own_server: promfiler embedded in a program's own HTTP server, the
 * original promfiler's "use your own HTTP server" mode. The program owns
 * the server (here libmicrohttpd) and its routes; the library only profiles
 * and renders: GET /metrics answers with promfiler_metrics(), the C
 * counterpart of promfiler's getMetrics(). Everything else is 404.
 *
 *   sudo own_server [-H ADDR] [-p PORT] [-w WINDOW_SECONDS] PID...
 *
 * Profiles the given processes (start Node with --perf-basic-prof to name
 * JS frames) until SIGINT or SIGTERM, then exits 0. Exit 1 when the
 * profiler or the server cannot start, 2 on a bad command line. It uses
 * only <promfiler.h>; see README.md for building it against an installed
 * library. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <promfiler.h>

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

static void usage(void)
{
	fprintf(stderr, "usage: own_server [-H ADDR] [-p PORT] [-w WINDOW_SECONDS] PID...\n");
}

static void log_line(const char *line)
{
	fprintf(stderr, "own_server: %s\n", line);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *text)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The program's own handler: its routes, its status codes; the profile is
 * one call. Runs on libmicrohttpd's thread, next to the profiler's. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_data_size,
			      void **req_cls)
{
	struct promfiler *pf = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *body, why[300];
	size_t len;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD\n");
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	err = promfiler_metrics(pf, &body, &len);
	if (err) {
		snprintf(why, sizeof(why), "%s\n", promfiler_error());
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, why);
	}
	/* The buffer is handed over: libmicrohttpd frees it once sent. */
	resp = MHD_create_response_from_buffer_with_free_callback(len, body,
								  promfiler_free_buffer);
	if (!resp) {
		promfiler_free_buffer(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE_METRICS);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A decimal number in [min, max], the whole string. */
static int number(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && end != s && !*end && *out >= min && *out <= max ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	const char *host = "127.0.0.1";
	long port = 9142, window = 30, v;
	struct promfiler_options o;
	struct MHD_Daemon *daemon;
	struct promfiler *pf;
	sigset_t stop;
	int opt, sig, *pids;

	while ((opt = getopt(argc, argv, "H:p:w:h")) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p':
			if (number(optarg, 1, 65535, &port)) {
				usage();
				return 2;
			}
			break;
		case 'w':
			if (number(optarg, 1, 86400, &window)) {
				usage();
				return 2;
			}
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind == argc || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		usage();
		return 2;
	}
	addr.sin_port = htons((uint16_t)port);
	pids = calloc((size_t)(argc - optind), sizeof(*pids));
	if (!pids)
		return 1;
	for (int i = optind; i < argc; i++) {
		if (number(argv[i], 1, INT_MAX, &v)) {
			usage();
			return 2;
		}
		pids[i - optind] = (int)v;
	}

	/* SIGINT and SIGTERM are waited for below: block them before any
	 * thread starts, so that every thread inherits the block. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	promfiler_options_init(&o);
	o.pids = pids;
	o.n_pids = (size_t)(argc - optind);
	o.window_seconds = (unsigned int)window;
	o.log = log_line;
	pf = promfiler_create(&o);
	free(pids); /* copied */
	if (!pf || promfiler_start(pf)) {
		fprintf(stderr, "own_server: %s\n", promfiler_error());
		promfiler_destroy(pf);
		return 1;
	}
	daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
				  (uint16_t)port, NULL, NULL, handle, pf,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				  MHD_OPTION_END);
	if (!daemon) {
		fprintf(stderr, "own_server: cannot serve on %s:%ld\n", host, port);
		promfiler_destroy(pf);
		return 1;
	}
	fprintf(stderr, "own_server: promfiler %s, serving http://%s:%ld/metrics\n",
		promfiler_version(), host, port);
	sigwait(&stop, &sig);
	fprintf(stderr, "own_server: %s, stopping\n", strsignal(sig));
	/* The server first: no handler may run on a destroyed profiler. */
	MHD_stop_daemon(daemon);
	promfiler_destroy(pf);
	return 0;
}
