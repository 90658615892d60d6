/* http: route dispatch over libmicrohttpd; see http.h. */
#include "http.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define HTTP_MAX_CONNECTIONS 64
#define HTTP_TIMEOUT_SECONDS 10

struct http_server {
	struct MHD_Daemon *daemon;
	const struct http_route *routes;
	size_t n_routes;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *content_type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn,
				  unsigned int status, const char *text)
{
	return reply(conn, status, "text/plain; charset=utf-8", (char *)text,
		     strlen(text), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **state)
{
	static int first_call;
	struct http_server *s = cls;
	struct buf body;

	(void)version;
	(void)upload_data;
	if (*state == NULL) { /* headers only so far: answer on the next call */
		*state = &first_call;
		return MHD_YES;
	}
	if (*upload_size) { /* a body we do not want: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: use GET\n");
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct http_route *r = &s->routes[i];

		if (strcmp(url, r->path) != 0)
			continue;
		buf__init(&body);
		if (r->render(r->ctx, &body) || buf__error(&body)) {
			buf__release(&body);
			return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "cannot render this page: out of memory\n");
		}
		/* MHD frees the body once sent. */
		return reply(conn, MHD_HTTP_OK, r->content_type,
			     body.data ? body.data : strdup(""), body.len,
			     MHD_RESPMEM_MUST_FREE);
	}
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

struct http_server *http__start(const char *host, unsigned int port,
				const struct http_route *routes, size_t n_routes)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	struct addrinfo *ai = NULL;
	struct http_server *s;
	char service[16];
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	int err;

	snprintf(service, sizeof(service), "%u", port);
	err = getaddrinfo(host, service, &hints, &ai);
	if (err) {
		errno = err == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		freeaddrinfo(ai);
		return NULL;
	}
	s->routes = routes;
	s->n_routes = n_routes;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	s->daemon = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, handle, s,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!s->daemon) {
		err = errno ? errno : EADDRINUSE;
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

void http__stop(struct http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
