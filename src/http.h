/* http: the exporter's HTTP server (libmicrohttpd, internal thread). It knows
 * routes, not metrics: each route renders its body through a callback. Only
 * GET and HEAD are served (405 otherwise); unknown paths get 404; the number
 * of connections and their idle time are capped. */
#ifndef PROMFILER_HTTP_H
#define PROMFILER_HTTP_H

#include "buf.h"

/* Appends the body to out; 0, or -errno for a 500. Called on server threads. */
typedef int (*http_render_fn)(void *ctx, struct buf *out);

struct http_route {
	const char *path;          /* exact match, query string ignored */
	const char *content_type;
	http_render_fn render;
	void *ctx;
};

struct http_server;

/* Listens on host:port (a name or address; IPv4 or IPv6) and serves the
 * routes, which must outlive the server. NULL + errno. */
struct http_server *http__start(const char *host, unsigned int port,
				const struct http_route *routes, size_t n_routes);
/* Stops accepting, lets in-flight responses finish, frees. */
void http__stop(struct http_server *s);

#endif
