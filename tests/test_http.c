// SPDX-License-Identifier: MIT
/* Unit tests for http: a real server on a loopback port, driven by raw
 * sockets so that every hostile shape of request can be sent: methods,
 * bodies, huge URLs and headers, gzip negotiation, basic auth, per-address
 * connection caps, slowloris, and a clean refusal during shutdown. No root
 * needed. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "http.h"

#define BODY "# HELP x y\n# TYPE x gauge\nx{signature=\"(root)#a\"} 1\n"

static atomic_int renders;
static atomic_bool render_started;

static int render_body(void *ctx, const struct http_request *req, struct buf *out)
{
	(void)ctx;
	(void)req;
	atomic_fetch_add(&renders, 1);
	for (int i = 0; i < 50; i++) /* repetitive, as the exposition is */
		buf__puts(out, BODY);
	return 0;
}

static int render_slow(void *ctx, const struct http_request *req, struct buf *out)
{
	atomic_store(&render_started, true);
	usleep(800 * 1000);
	return render_body(ctx, req, out);
}

static int render_fail(void *ctx, const struct http_request *req, struct buf *out)
{
	(void)ctx;
	(void)req;
	(void)out;
	return -ENOMEM;
}

/* 8 MiB: far beyond the per-connection memory cap, which holds requests,
 * not responses. */
#define BIG (8u << 20)

static int render_big(void *ctx, const struct http_request *req, struct buf *out)
{
	(void)ctx;
	(void)req;
	for (unsigned int i = 0; i < BIG / 64; i++)
		buf__printf(out, "%063u\n", i);
	return 0;
}

static const struct http_route routes[] = {
	{ "/metrics", "text/plain; version=0.0.4", render_body, NULL },
	{ "/slow", "text/plain", render_slow, NULL },
	{ "/fail", "text/plain", render_fail, NULL },
	{ "/big", "text/plain", render_big, NULL },
};

static unsigned int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static struct http_server *start(struct http_opts *o, unsigned int *port)
{
	char why[256];
	struct http_server *s;

	*port = free_port();
	o->host = "127.0.0.1";
	o->port = *port;
	o->routes = routes;
	o->n_routes = sizeof(routes) / sizeof(routes[0]);
	s = http__start_opts(o, why, sizeof(why));
	cr_assert_not_null(s, "http__start_opts: %s (%s)", why, strerror(errno));
	return s;
}

/* A client socket from source address src (NULL: any), with a receive
 * timeout so a test never hangs. -errno when connect fails. */
static int dial(unsigned int port, const char *src)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	if (src) {
		struct sockaddr_in b = { .sin_family = AF_INET };

		inet_pton(AF_INET, src, &b.sin_addr);
		cr_assert_eq(bind(fd, (struct sockaddr *)&b, sizeof(b)), 0);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Sends s[0..len), len 0 meaning strlen(s). */
static void send_all(int fd, const char *s, size_t len)
{
	if (len == 0)
		len = strlen(s);
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return; /* the server may close early: that is tested */
		s += n;
		len -= (size_t)n;
	}
}

/* Everything the server sends until it closes (or 5 s pass). */
static size_t read_all(int fd, char *out, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = recv(fd, out + len, cap - 1 - len, 0)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	return len;
}

/* Sends req on a new connection and reads the whole answer. */
static size_t exchange(unsigned int port, const char *req, size_t req_len,
		       char *out, size_t cap)
{
	int fd = dial(port, NULL);
	size_t n;

	cr_assert_geq(fd, 0, "connect: %s", strerror(-fd));
	send_all(fd, req, req_len);
	n = read_all(fd, out, cap);
	close(fd);
	return n;
}

static size_t get(unsigned int port, const char *req, char *out, size_t cap)
{
	return exchange(port, req, strlen(req), out, cap);
}

static int status_of(const char *resp)
{
	int code = 0;

	sscanf(resp, "HTTP/1.%*d %d", &code);
	return code;
}

static const char *body_of(const char *resp, size_t len, size_t *body_len)
{
	const char *b = strstr(resp, "\r\n\r\n");

	if (!b)
		return NULL;
	b += 4;
	*body_len = len - (size_t)(b - resp);
	return b;
}

static char resp[BIG + 4096];

Test(http, get_head_and_errors)
{
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	size_t n, blen = 0;
	const char *b;

	n = get(port, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200, "%s", resp);
	cr_assert(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
	cr_assert(strstr(resp, "Vary: Accept-Encoding"));
	cr_assert_null(strstr(resp, "Content-Encoding"));
	b = body_of(resp, n, &blen);
	cr_assert_not_null(b);
	cr_assert_eq(blen, 50 * strlen(BODY));

	n = get(port, "HEAD /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200);
	b = body_of(resp, n, &blen);
	cr_assert_eq(blen, 0, "HEAD sends no body");

	for (const char *const *m = (const char *const[]){ "POST", "PUT", "DELETE",
			"OPTIONS", "PATCH", "TRACE", "BREW", NULL }; *m; m++) {
		char req[128];

		snprintf(req, sizeof(req), "%s /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", *m);
		get(port, req, resp, sizeof(resp));
		cr_assert_eq(status_of(resp), 405, "%s: %s", *m, resp);
		cr_assert(strstr(resp, "Allow: GET, HEAD"), "%s", resp);
	}
	get(port, "GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 404);
	get(port, "GET /fail HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 500);
	http__stop(s);
}

Test(http, request_bodies_are_refused_and_the_connection_closed)
{
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	int before = atomic_load(&renders);

	/* The "body" is a second request: it must never be served. */
	get(port, "GET /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 56\r\n\r\n"
		  "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 413, "%s", resp);
	cr_assert_null(strstr(resp + 12, "HTTP/1.1 200"), "smuggled request served: %s", resp);
	get(port, "GET /metrics HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "5\r\nhello\r\n0\r\n\r\n", resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 413, "%s", resp);
	get(port, "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 405, "%s", resp);
	cr_assert_eq(atomic_load(&renders), before);
	/* An empty body is no body. */
	get(port, "GET /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200, "%s", resp);
	http__stop(s);
}

Test(http, huge_url_and_headers_are_refused)
{
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	size_t big = 200000;
	char *req = malloc(big + 200), *p;
	int code;

	cr_assert_not_null(req);
	p = req + sprintf(req, "GET /");
	memset(p, 'a', big);
	p += big;
	p += sprintf(p, " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
	exchange(port, req, (size_t)(p - req), resp, sizeof(resp));
	code = status_of(resp);
	cr_assert(code == 414 || code == 0, "huge URL: %d", code);

	p = req + sprintf(req, "GET /metrics HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < 4000; i++)
		p += sprintf(p, "X-%d: %s\r\n", i, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	p += sprintf(p, "\r\n");
	exchange(port, req, (size_t)(p - req), resp, sizeof(resp));
	code = status_of(resp);
	cr_assert(code == 431 || code == 0, "huge headers: %d", code);

	get(port, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200, "still serving");
	free(req);
	http__stop(s);
}

static size_t gunzip(const char *in, size_t len, char *out, size_t cap)
{
	z_stream z = { 0 };
	size_t n;

	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	n = z.total_out;
	inflateEnd(&z);
	return n;
}

Test(http, gzip_when_asked)
{
	static const char *const yes[] = {
		"gzip", "deflate, gzip", "GZIP;q=0.5", "br;q=1.0, gzip;q=0.001, *;q=0",
		"x-gzip", "identity, gzip ; q=1",
	};
	static const char *const no[] = {
		"identity", "gzip;q=0", "gzip; q=0.000", "deflate", "gzipx", "xgzip, br",
		"br;q=gzip", "",
	};
	static char plain[1 << 16];
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	char req[256];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		size_t n, blen = 0, plen;
		const char *b;

		snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: a\r\n"
			 "Accept-Encoding: %s\r\nConnection: close\r\n\r\n", yes[i]);
		n = get(port, req, resp, sizeof(resp));
		cr_assert_eq(status_of(resp), 200);
		cr_assert(strstr(resp, "Content-Encoding: gzip"), "%s: %s", yes[i], resp);
		cr_assert(strstr(resp, "Vary: Accept-Encoding"));
		b = body_of(resp, n, &blen);
		cr_assert_lt(blen, 50 * strlen(BODY) / 4, "compresses: %zu", blen);
		plen = gunzip(b, blen, plain, sizeof(plain));
		cr_assert_eq(plen, 50 * strlen(BODY));
		cr_assert_eq(memcmp(plain, BODY, strlen(BODY)), 0);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: a\r\n"
			 "Accept-Encoding: %s\r\nConnection: close\r\n\r\n", no[i]);
		get(port, req, resp, sizeof(resp));
		cr_assert_eq(status_of(resp), 200);
		cr_assert_null(strstr(resp, "Content-Encoding"), "%s: %s", no[i], resp);
	}
	http__stop(s);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Starting with the password file pw fails with EINVAL, saying pw and why. */
static void refused_password_file(const char *pw, const char *why_word)
{
	char why[256];
	struct http_opts e = { .host = "127.0.0.1", .port = free_port(),
			       .routes = routes, .n_routes = 1,
			       .basic_auth_user = "prom",
			       .basic_auth_password_file = pw };

	cr_assert_null(http__start_opts(&e, why, sizeof(why)));
	cr_assert_eq(errno, EINVAL);
	cr_assert(strstr(why, pw) && strstr(why, why_word), "%s", why);
}

Test(http, basic_auth)
{
	char pw[] = "/tmp/promfiler-test-pw.XXXXXX";
	int fd = mkstemp(pw);
	struct http_opts o = { .basic_auth_user = "prom",
			       .basic_auth_password_file = pw };
	unsigned int port;
	struct http_server *s;

	cr_assert_geq(fd, 0);
	close(fd);
	write_file(pw, "s3cret\n"); /* the newline is no part of it */
	s = start(&o, &port);
	get(port, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 401);
	cr_assert(strstr(resp, "WWW-Authenticate: Basic realm=\"promfiler-bpf\""), "%s", resp);
	/* prom:s3cret */
	get(port, "GET /metrics HTTP/1.1\r\nHost: a\r\nAuthorization: Basic cHJvbTpzM2NyZXQ=\r\n"
		  "Connection: close\r\n\r\n", resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200, "%s", resp);
	/* prom:s3cret\n, prom:s3cre, prom:s3crett, Prom:s3cret, prom: */
	for (const char *const *c = (const char *const[]){ "cHJvbTpzM2NyZXQK",
			"cHJvbTpzM2NyZQ==", "cHJvbTpzM2NyZXR0", "UHJvbTpzM2NyZXQ=",
			"cHJvbTo=", "!!!", NULL }; *c; c++) {
		char req[256];

		snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: a\r\n"
			 "Authorization: Basic %s\r\nConnection: close\r\n\r\n", *c);
		get(port, req, resp, sizeof(resp));
		cr_assert_eq(status_of(resp), 401, "%s: %s", *c, resp);
	}
	http__stop(s);

	/* An empty password file is an error, said with the path. */
	write_file(pw, "\n");
	refused_password_file(pw, "empty");
	unlink(pw);
	/* A FIFO in its place is refused at once, not waited on. */
	cr_assert_eq(mkfifo(pw, 0600), 0);
	refused_password_file(pw, "");
	unlink(pw);
}

Test(http, bad_options_and_files)
{
	char why[256];
	struct http_opts o = { .host = "127.0.0.1", .port = free_port(),
			       .routes = routes, .n_routes = 1,
			       .tls_cert_file = "/nonexistent/cert.pem",
			       .tls_key_file = "/nonexistent/key.pem" };

	cr_assert_null(http__start_opts(&o, why, sizeof(why)));
	cr_assert_eq(errno, ENOENT);
	cr_assert(strstr(why, "/nonexistent/cert.pem"), "%s", why);

	o.tls_key_file = NULL; /* one without the other */
	cr_assert_null(http__start_opts(&o, why, sizeof(why)));
	cr_assert_eq(errno, EINVAL);

	o.tls_cert_file = "/etc/hostname"; /* not PEM */
	o.tls_key_file = "/etc/hostname";
	cr_assert_null(http__start_opts(&o, why, sizeof(why)));
	cr_assert_eq(errno, EINVAL);
	cr_assert(strstr(why, "PEM"), "%s", why);

	o.tls_cert_file = o.tls_key_file = "/tmp"; /* not a regular file */
	cr_assert_null(http__start_opts(&o, why, sizeof(why)));
	cr_assert_eq(errno, EINVAL);
}

Test(http, address_in_use)
{
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);

	cr_assert_null(http__start("127.0.0.1", port, routes, 1));
	cr_assert_eq(errno, EADDRINUSE);
	http__stop(s);
}

Test(http, per_address_connection_cap)
{
	struct http_opts o = { .max_connections_per_ip = 2 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	int a = dial(port, NULL), b = dial(port, NULL), c;
	char ch;

	cr_assert_geq(a, 0);
	cr_assert_geq(b, 0);
	usleep(100 * 1000);
	/* A third from the same address is accepted by the kernel, then
	 * closed by the server without a word. */
	c = dial(port, NULL);
	cr_assert_geq(c, 0);
	cr_assert_leq(recv(c, &ch, 1, 0), 0, "third connection from one address is closed");
	close(c);
	/* Another address still gets served. */
	c = dial(port, "127.0.0.2");
	cr_assert_geq(c, 0);
	send_all(c, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 0);
	read_all(c, resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200, "%s", resp);
	close(c);
	close(a);
	close(b);
	http__stop(s);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(http, slowloris_is_cut_at_the_deadline)
{
	struct http_opts o = { .timeout_seconds = 1 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	const char *req = "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	int fd = dial(port, NULL);
	double t0 = now_s(), took;
	bool cut = false;
	char ch;

	cr_assert_geq(fd, 0);
	/* A byte every 100 ms: never idle for the 1 s timeout. */
	for (size_t i = 0; req[i] && now_s() - t0 < 5; i++) {
		if (send(fd, &req[i], 1, MSG_NOSIGNAL) != 1) {
			cut = true;
			break;
		}
		usleep(100 * 1000);
		struct timeval tv = { 0, 1000 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(fd, &ch, 1, MSG_DONTWAIT) == 0) {
			cut = true;
			break;
		}
	}
	took = now_s() - t0;
	cr_assert(cut, "slow client still connected after %.1f s", took);
	cr_assert_lt(took, 2.5, "cut after %.1f s", took);
	close(fd);
	http__stop(s);
}

struct stopper {
	struct http_server *s;
	double stopped_at;
};

static void *stop_thread(void *arg)
{
	struct stopper *st = arg;

	http__stop(st->s);
	st->stopped_at = now_s();
	return NULL;
}

Test(http, stop_finishes_in_flight_and_refuses_new)
{
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	struct stopper st = { .s = s };
	pthread_t t;
	size_t n, blen = 0;
	int fd = dial(port, NULL), late;

	cr_assert_geq(fd, 0);
	atomic_store(&render_started, false);
	send_all(fd, "GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 0);
	while (!atomic_load(&render_started))
		usleep(1000);
	pthread_create(&t, NULL, stop_thread, &st);
	usleep(200 * 1000); /* the stop has begun; the render goes on */
	late = dial(port, NULL);
	cr_assert_eq(late, -ECONNREFUSED, "a connection during the stop: %d", late);
	n = read_all(fd, resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200, "in-flight response: %s", resp);
	body_of(resp, n, &blen);
	cr_assert_eq(blen, 50 * strlen(BODY), "whole body");
	close(fd);
	pthread_join(t, NULL);
}

Test(http, big_bodies_plain_and_gzipped)
{
	static char plain[BIG + 1];
	struct http_opts o = { 0 };
	unsigned int port;
	struct http_server *s = start(&o, &port);
	size_t n, blen = 0;
	const char *b;

	n = get(port, "GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200);
	b = body_of(resp, n, &blen);
	cr_assert_eq(blen, BIG, "body of %zu bytes", blen);
	cr_assert_eq(memcmp(b + BIG - 64, "000000000000000000000000000000000000000000000000000000000131071\n", 64), 0);
	n = get(port, "GET /big HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n"
		      "Connection: close\r\n\r\n", resp, sizeof(resp));
	cr_assert_eq(status_of(resp), 200);
	b = body_of(resp, n, &blen);
	cr_assert_lt(blen, BIG / 4);
	cr_assert_eq(gunzip(b, blen, plain, sizeof(plain)), BIG);
	http__stop(s);
}
