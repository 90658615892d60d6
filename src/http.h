// SPDX-License-Identifier: MIT
/* http: the exporter's HTTP server (libmicrohttpd, internal thread). It knows
 * routes, not metrics: each route renders its body through a callback.
 *
 * Anyone who can reach the port is a client, so the server assumes hostile
 * ones (RFC 9110 status codes):
 * - only GET and HEAD are served (405 with Allow otherwise), request bodies
 *   are refused (413), unknown paths get 404;
 * - the request line and headers share a per-connection memory cap (414 for
 *   a URL, 431 for headers that do not fit);
 * - connections are capped in total and per client address;
 * - a connection idle for the timeout is closed, and so is one whose request
 *   has not arrived whole within the timeout of the connection opening (or
 *   of its previous response): a client that trickles its headers a byte at
 *   a time (slowloris) loses its slot instead of holding it forever;
 * - bodies are gzipped for clients that accept it (Accept-Encoding: gzip);
 * - optional TLS (PEM files) and HTTP basic auth (every route);
 * - http__stop refuses new connections at once and answers requests still
 *   arriving on open connections with 503, while the responses already being
 *   sent finish (up to a grace period). */
#ifndef PROMFILER_HTTP_H
#define PROMFILER_HTTP_H

#include <stddef.h>

#include "buf.h"

#define HTTP_DEFAULT_MAX_CONNECTIONS 64
#define HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP 8
#define HTTP_DEFAULT_TIMEOUT_SECONDS 10
#define HTTP_STOP_GRACE_SECONDS 5
#define HTTP_MAX_REQUEST_BYTES 32768   /* request line + headers */
#define HTTP_MAX_SECRET_FILE (1u << 20) /* TLS and password files */

/* One request as a route sees it. */
struct http_request;

/* The value of query argument name ("?pid=12"), or NULL. */
const char *http_request__arg(const struct http_request *req, const char *name);

/* Appends the body to out. 0, or -errno: -EINVAL is a 400 (bad arguments),
 * -ESRCH a 404 (no such thing), anything else a 500. Called on the server
 * thread, one request at a time. */
typedef int (*http_render_fn)(void *ctx, const struct http_request *req,
			      struct buf *out);

struct http_route {
	const char *path;          /* exact match; the query goes to the callback */
	const char *content_type;
	http_render_fn render;
	void *ctx;
};

struct http_opts {
	const char *host;                 /* a name or address; IPv4 or IPv6 */
	unsigned int port;
	const struct http_route *routes;  /* must outlive the server */
	size_t n_routes;
	/* TLS: PEM certificate (chain) and private key files, both or neither. */
	const char *tls_cert_file;
	const char *tls_key_file;
	/* Basic auth on every route: both or neither. The password is the
	 * file's content without its trailing newline. */
	const char *basic_auth_user;
	const char *basic_auth_password_file;
	/* 0 for the HTTP_DEFAULT_* values. */
	unsigned int max_connections;
	unsigned int max_connections_per_ip;
	unsigned int timeout_seconds;
};

struct http_server;

/* Starts serving opts->routes. The files are read here, once. NULL + errno
 * on failure, with a one-line reason (no newline) written into why when it
 * is not NULL: EINVAL (bad options), ENOTSUP (libmicrohttpd without TLS),
 * ENOENT/EACCES/EFBIG (a file), EADDRINUSE, ... */
struct http_server *http__start_opts(const struct http_opts *opts, char *why,
				     size_t why_len);
/* http__start_opts with only host, port and routes set (plain HTTP). */
struct http_server *http__start(const char *host, unsigned int port,
				const struct http_route *routes, size_t n_routes);
/* Refuses new connections, answers new requests with 503, waits up to
 * HTTP_STOP_GRACE_SECONDS for the responses in flight, then closes every
 * connection and frees. NULL is a no-op. */
void http__stop(struct http_server *s);

#endif
