// SPDX-License-Identifier: MIT
/* http: route dispatch over libmicrohttpd (MHD); the rules are in http.h,
 * HTTP semantics in RFC 9110, basic auth in RFC 7617.
 *
 * MHD's connection timeout counts idle time only: a client that sends a
 * byte every second is never idle. So the server keeps its own record of
 * each connection, with a deadline by which its request must have arrived
 * whole, and a watchdog thread cuts (shutdown(2)) those that miss it. The
 * record holds a dup of the socket, so the watchdog never touches a file
 * descriptor number that MHD may have closed and reused meanwhile. */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>

#include "fileio.h"

#define HTTP_REALM "promfiler-bpf"
/* A response still being sent after this long is cut: no scraper waits so
 * long, and a client reading a byte at a time must not keep its slot. */
#define HTTP_RESPONSE_SECONDS 120
#define WATCHDOG_TICK_MS 250
/* TLS 1.2 and 1.3 only. */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* One TCP connection, from MHD's "started" to its "closed" notification. */
struct conn {
	struct conn *prev, *next;
	int fd;            /* our dup of the socket */
	uint64_t deadline; /* monotonic ms; 0: none */
	bool busy;         /* a request is being answered */
};

struct http_server {
	struct MHD_Daemon *daemon;
	const struct http_route *routes;
	size_t n_routes;
	unsigned int timeout;
	char *tls_cert, *tls_key;     /* PEM, NUL-terminated */
	char *user, *password;        /* basic auth when user != NULL */
	atomic_bool stopping;
	pthread_mutex_t lock;         /* guards what follows */
	pthread_cond_t wake;
	pthread_t watchdog;
	bool watchdog_started, watchdog_stop;
	struct conn conns;            /* list sentinel */
	size_t busy;                  /* conns with busy set */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_why(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Frees a string that held a secret, wiping it first. */
static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Reads a whole small regular file into a NUL-terminated string. 0 or
 * -errno (-EFBIG beyond HTTP_MAX_SECRET_FILE, -EINVAL: not a regular file,
 * refused before it could block, as a FIFO would). */
static int read_file(const char *path, char **out, size_t *out_len)
{
	struct stat st;
	size_t len = 0;
	char *data;
	int fd, err = 0;

	*out = NULL;
	fd = fileio__open_regular(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, &st);
	if (fd < 0)
		return fd;
	if (st.st_size > (off_t)HTTP_MAX_SECRET_FILE) {
		err = -EFBIG;
		goto out;
	}
	/* One byte more than the limit, to notice a file that grew since. */
	data = malloc(HTTP_MAX_SECRET_FILE + 2);
	if (!data) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, data + len, HTTP_MAX_SECRET_FILE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > HTTP_MAX_SECRET_FILE) {
			err = -EFBIG;
			break;
		}
	}
	data[len] = '\0';
	if (err) {
		explicit_bzero(data, len);
		free(data);
	} else {
		*out = data;
		if (out_len)
			*out_len = len;
	}
out:
	close(fd);
	return err;
}

/* Equality of a client's string with the expected one, in a time that
 * depends only on the client's length: no early exit on the first
 * difference, so timing tells an attacker nothing about the secret. */
static bool equal_ct(const char *given, const char *want)
{
	size_t n = strlen(given), m = strlen(want);
	volatile unsigned char diff = n != m;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)given[i] ^
			(unsigned char)(m ? want[i % m] : 0);
	return diff == 0;
}

static bool authorized(struct http_server *s, struct MHD_Connection *conn)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(conn, &pass);
	bool ok = user && pass;

	/* Both compared, always: & not &&. */
	ok = ok & equal_ct(user ? user : "", s->user) &
	     equal_ct(pass ? pass : "", s->password);
	if (pass)
		explicit_bzero(pass, strlen(pass));
	MHD_free(user);
	MHD_free(pass);
	return ok;
}

/* Whether a "q=" parameter in p[0..end) says "not acceptable" (q=0). */
static bool q_is_zero(const char *p, const char *end)
{
	while ((p = memchr(p, ';', (size_t)(end - p)))) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
			continue;
		p += 2;
		if (p == end || *p != '0')
			return false;
		p++;
		if (p < end && *p == '.')
			for (p++; p < end && *p == '0'; p++)
				;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		return p == end || *p == ';';
	}
	return false;
}

/* Accept-Encoding (RFC 9110 12.5.3) lists gzip with a non-zero q. */
static bool accepts_gzip(const char *v)
{
	while (v && *v) {
		const char *end;
		size_t n;
		bool gzip;

		v += strspn(v, " \t,");
		n = strcspn(v, " \t;,");
		gzip = (n == 4 && strncasecmp(v, "gzip", 4) == 0) ||
		       (n == 6 && strncasecmp(v, "x-gzip", 6) == 0);
		end = v + n + strcspn(v + n, ",");
		if (gzip)
			return !q_is_zero(v + n, end);
		v = end;
	}
	return false;
}

/* The gzip (RFC 1952) form of in, malloc'ed. 0 or -ENOMEM. */
static int gzip_body(const char *in, size_t len, char **out, size_t *out_len)
{
	z_stream z = { 0 };
	uLong bound;
	char *dst;
	int ret;

	if (len > UINT_MAX)
		return -EFBIG;
	/* Fastest level: the exposition is so repetitive that it still
	 * shrinks about tenfold, and scrapes stay cheap for the agent. */
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&z, (uLong)len);
	dst = bound <= UINT_MAX ? malloc(bound) : NULL;
	if (!dst) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)dst;
	z.avail_out = (uInt)bound;
	ret = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (ret != Z_STREAM_END) {
		free(dst);
		return -ENOMEM;
	}
	*out = dst;
	return 0;
}

static struct conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Marks the connection as answering a request (or not), and moves its
 * deadline: a response has HTTP_RESPONSE_SECONDS to be sent, the next
 * request on a kept-alive connection the timeout to arrive. */
static void set_busy(struct http_server *s, struct conn *c, bool busy)
{
	if (!c)
		return;
	pthread_mutex_lock(&s->lock);
	if (c->busy != busy) {
		c->busy = busy;
		if (busy)
			s->busy++;
		else
			s->busy--;
	}
	c->deadline = now_ms() + 1000ull * (busy ? HTTP_RESPONSE_SECONDS : s->timeout);
	pthread_mutex_unlock(&s->lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (!c)
			return;
		pthread_mutex_lock(&s->lock);
		c->prev->next = c->next;
		c->next->prev = c->prev;
		if (c->busy)
			s->busy--;
		pthread_mutex_unlock(&s->lock);
		close(c->fd);
		free(c);
		*socket_context = NULL;
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	{
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		int fd = ci ? ci->connect_fd : -1;

		c = calloc(1, sizeof(*c));
		if (c)
			c->fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
		if (!c || c->fd < 0) {
			/* No way to enforce its deadline: refuse it rather than
			 * let it hold a slot forever. MHD sees EOF and closes. */
			if (fd >= 0)
				shutdown(fd, SHUT_RDWR);
			free(c);
			*socket_context = NULL;
			return;
		}
	}
	c->deadline = now_ms() + 1000ull * s->timeout;
	pthread_mutex_lock(&s->lock);
	c->next = &s->conns;
	c->prev = s->conns.prev;
	c->prev->next = c;
	s->conns.prev = c;
	pthread_mutex_unlock(&s->lock);
	*socket_context = c;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **state, enum MHD_RequestTerminationCode code)
{
	(void)state;
	(void)code;
	set_busy(cls, conn_of(conn), false);
}

static void *watchdog(void *arg)
{
	struct http_server *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->watchdog_stop) {
		uint64_t now = now_ms(), wake = now + WATCHDOG_TICK_MS;
		struct timespec ts = {
			.tv_sec = (time_t)(wake / 1000),
			.tv_nsec = (long)(wake % 1000) * 1000000,
		};

		for (struct conn *c = s->conns.next; c != &s->conns; c = c->next) {
			if (c->deadline && now >= c->deadline) {
				/* MHD sees the end of the stream and closes. */
				shutdown(c->fd, SHUT_RDWR);
				c->deadline = 0;
			}
		}
		pthread_cond_timedwait(&s->wake, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

enum reply_flags {
	REPLY_CLOSE = 1,  /* close the connection after this response */
	REPLY_ROUTE = 2,  /* a route's body: cacheable per Accept-Encoding */
	REPLY_GZIP = 4,   /* body is gzipped */
};

/* Queues body (freed by MHD when mode is MUST_FREE, even on failure). */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *content_type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode, int flags)
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
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (flags & REPLY_ROUTE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
					MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (flags & REPLY_GZIP)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (flags & REPLY_CLOSE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_UNAUTHORIZED)
		ret = MHD_queue_basic_auth_fail_response(conn, HTTP_REALM, resp);
	else
		ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn,
				  unsigned int status, const char *text,
				  int flags)
{
	return reply(conn, status, "text/plain; charset=utf-8", (char *)text,
		     strlen(text), MHD_RESPMEM_PERSISTENT, flags);
}

/* The request announces a body (RFC 9112 6.3). */
static bool has_body(struct MHD_Connection *conn)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return true;
	return len && len[strspn(len, "0")] != '\0';
}

struct http_request {
	struct MHD_Connection *conn;
};

const char *http_request__arg(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result render_route(struct MHD_Connection *conn,
				    const struct http_route *r)
{
	const struct http_request req = { conn };
	const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_ACCEPT_ENCODING);
	struct buf body;
	char *gz;
	size_t gz_len;
	int err;

	buf__init(&body);
	err = r->render(r->ctx, &req, &body);
	if (!err)
		err = buf__error(&body);
	if (err) {
		buf__release(&body);
		if (err == -EINVAL)
			return reply_text(conn, MHD_HTTP_BAD_REQUEST,
					  "bad query arguments\n", 0);
		if (err == -ESRCH)
			return reply_text(conn, MHD_HTTP_NOT_FOUND,
					  "no such target\n", 0);
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "cannot render this page\n", 0);
	}
	if (accepts_gzip(ae) && gzip_body(body.data ? body.data : "", body.len,
					  &gz, &gz_len) == 0) {
		buf__release(&body);
		return reply(conn, MHD_HTTP_OK, r->content_type, gz, gz_len,
			     MHD_RESPMEM_MUST_FREE, REPLY_ROUTE | REPLY_GZIP);
	}
	/* Not gzipped (not asked, or no memory for it): send it as is. MHD
	 * frees the body once sent. */
	if (!body.data)
		return reply(conn, MHD_HTTP_OK, r->content_type, "", 0,
			     MHD_RESPMEM_PERSISTENT, REPLY_ROUTE);
	return reply(conn, MHD_HTTP_OK, r->content_type, body.data, body.len,
		     MHD_RESPMEM_MUST_FREE, REPLY_ROUTE);
}

/* Called once the request line and headers are in. Every request is
 * answered on that first call: nothing we serve needs a body, so none is
 * ever read (a response queued this early makes MHD close the connection
 * instead of reading what follows). */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **state)
{
	struct http_server *s = cls;

	(void)version;
	(void)upload_data;
	if (*state) { /* only if a body came anyway: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	*state = s;
	set_busy(s, conn_of(conn), true);
	if (atomic_load(&s->stopping))
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "shutting down\n", REPLY_CLOSE);
	if (s->user && !authorized(s, conn))
		return reply_text(conn, MHD_HTTP_UNAUTHORIZED,
				  "authentication required\n", 0);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: use GET\n",
				  has_body(conn) ? REPLY_CLOSE : 0);
	if (has_body(conn))
		return reply_text(conn, MHD_HTTP_CONTENT_TOO_LARGE,
				  "request bodies are not accepted\n", REPLY_CLOSE);
	for (size_t i = 0; i < s->n_routes; i++)
		if (strcmp(url, s->routes[i].path) == 0)
			return render_route(conn, &s->routes[i]);
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n", 0);
}

static void server_free(struct http_server *s)
{
	struct conn *c, *next;

	if (s->watchdog_started) {
		pthread_mutex_lock(&s->lock);
		s->watchdog_stop = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->watchdog, NULL);
	}
	/* MHD said "closed" for every connection it knew; be sure anyway. */
	for (c = s->conns.next; c && c != &s->conns; c = next) {
		next = c->next;
		close(c->fd);
		free(c);
	}
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free_secret(s->tls_key);
	free(s->tls_cert);
	free(s->user);
	free_secret(s->password);
	free(s);
}

/* Reads the TLS files and the password into s. 0 or -errno, with why. */
static int load_files(struct http_server *s, const struct http_opts *o,
		      char *why, size_t why_len)
{
	size_t len;
	int err;

	if (o->tls_cert_file) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			set_why(why, why_len, "TLS: this libmicrohttpd was built without TLS support");
			return -ENOTSUP;
		}
		err = read_file(o->tls_cert_file, &s->tls_cert, NULL);
		if (err) {
			set_why(why, why_len, "TLS certificate file %s: %s",
				o->tls_cert_file, strerror(-err));
			return err;
		}
		err = read_file(o->tls_key_file, &s->tls_key, NULL);
		if (err) {
			set_why(why, why_len, "TLS key file %s: %s",
				o->tls_key_file, strerror(-err));
			return err;
		}
		if (!strstr(s->tls_cert, "-----BEGIN ") || !strstr(s->tls_key, "-----BEGIN ")) {
			set_why(why, why_len, "TLS files %s and %s must be PEM",
				o->tls_cert_file, o->tls_key_file);
			return -EINVAL;
		}
	}
	if (o->basic_auth_user) {
		if (MHD_is_feature_supported(MHD_FEATURE_BASIC_AUTH) != MHD_YES) {
			set_why(why, why_len, "basic auth: this libmicrohttpd was built without it");
			return -ENOTSUP;
		}
		s->user = strdup(o->basic_auth_user);
		if (!s->user)
			return -ENOMEM;
		err = read_file(o->basic_auth_password_file, &s->password, &len);
		if (err) {
			set_why(why, why_len, "basic auth password file %s: %s",
				o->basic_auth_password_file, strerror(-err));
			return err;
		}
		/* Editors and `echo` end files with a newline; it is no part
		 * of the password. */
		if (len && s->password[len - 1] == '\n')
			s->password[--len] = '\0';
		if (len && s->password[len - 1] == '\r')
			s->password[--len] = '\0';
		if (!len || strlen(s->password) != len) {
			set_why(why, why_len, "basic auth password file %s: %s",
				o->basic_auth_password_file,
				len ? "holds a NUL byte" : "empty");
			return -EINVAL;
		}
	}
	return 0;
}

struct http_server *http__start_opts(const struct http_opts *o, char *why,
				     size_t why_len)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	struct MHD_OptionItem mo[16];
	struct addrinfo *ai = NULL;
	struct http_server *s;
	pthread_condattr_t ca;
	char service[16];
	/* ITC: MHD_quiesce_daemon needs it. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_USE_ITC;
	size_t n = 0;
	int err;

	set_why(why, why_len, "%s", "");
	if (!o || !o->routes || !o->port || o->port > 65535 ||
	    !o->tls_cert_file != !o->tls_key_file ||
	    !o->basic_auth_user != !o->basic_auth_password_file ||
	    (o->basic_auth_user && (!*o->basic_auth_user ||
				    strchr(o->basic_auth_user, ':')))) {
		set_why(why, why_len, "bad HTTP options");
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->routes = o->routes;
	s->n_routes = o->n_routes;
	s->timeout = o->timeout_seconds ? o->timeout_seconds :
					  HTTP_DEFAULT_TIMEOUT_SECONDS;
	s->conns.next = s->conns.prev = &s->conns;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);

	err = load_files(s, o, why, why_len);
	if (err)
		goto fail;
	snprintf(service, sizeof(service), "%u", o->port);
	err = getaddrinfo(o->host, service, &hints, &ai);
	if (err) {
		set_why(why, why_len, "cannot resolve %s: %s",
			o->host ? o->host : "*", gai_strerror(err));
		err = err == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
		ai = NULL;
		goto fail;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr };
	mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
		o->max_connections ? o->max_connections : HTTP_DEFAULT_MAX_CONNECTIONS, NULL };
	mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		o->max_connections_per_ip ? o->max_connections_per_ip :
					    HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP, NULL };
	mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
		s->timeout, NULL };
	/* The request line and headers must fit here: MHD answers 414 or 431
	 * beyond it. */
	mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		HTTP_MAX_REQUEST_BYTES, NULL };
	if (s->tls_cert) {
		flags |= MHD_USE_TLS;
		mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert };
		mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key };
		mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
			(void *)HTTP_TLS_PRIORITIES };
	}
	mo[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	errno = 0;
	s->daemon = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL,
				     handle, s,
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_ARRAY, mo, MHD_OPTION_END);
	if (!s->daemon) {
		/* MHD sets errno for socket errors only: none means TLS setup
		 * (GnuTLS) refused the certificate or key. */
		if (errno == 0 && s->tls_cert) {
			err = -EINVAL;
			set_why(why, why_len, "TLS: cannot use certificate %s with key %s (not a matching PEM pair?)",
				o->tls_cert_file, o->tls_key_file);
		} else {
			err = errno ? -errno : -EADDRINUSE;
			set_why(why, why_len, "cannot listen on %s:%u: %s",
				o->host ? o->host : "*", o->port, strerror(-err));
		}
		goto fail;
	}
	freeaddrinfo(ai);
	ai = NULL;
	/* MHD read the PEM at start; the key need not stay in memory. */
	if (s->tls_key) {
		free_secret(s->tls_key);
		s->tls_key = NULL;
	}
	err = -pthread_create(&s->watchdog, NULL, watchdog, s);
	if (err) {
		set_why(why, why_len, "cannot start the HTTP watchdog: %s", strerror(-err));
		MHD_stop_daemon(s->daemon);
		goto fail;
	}
	s->watchdog_started = true;
	return s;
fail:
	if (ai)
		freeaddrinfo(ai);
	server_free(s);
	errno = -err;
	return NULL;
}

struct http_server *http__start(const char *host, unsigned int port,
				const struct http_route *routes, size_t n_routes)
{
	struct http_opts o = {
		.host = host, .port = port, .routes = routes, .n_routes = n_routes,
	};

	return http__start_opts(&o, NULL, 0);
}

void http__stop(struct http_server *s)
{
	uint64_t give_up = now_ms() + 1000ull * HTTP_STOP_GRACE_SECONDS;
	MHD_socket lsock;

	if (!s)
		return;
	atomic_store(&s->stopping, true);
	/* Stop accepting, and shut the listening socket down so that clients
	 * get "connection refused" now rather than wait in its backlog. */
	lsock = MHD_quiesce_daemon(s->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		shutdown(lsock, SHUT_RDWR);
	for (;;) {
		size_t busy;

		pthread_mutex_lock(&s->lock);
		busy = s->busy;
		pthread_mutex_unlock(&s->lock);
		if (!busy || now_ms() >= give_up)
			break;
		nanosleep(&(struct timespec){ 0, 10 * 1000000 }, NULL);
	}
	MHD_stop_daemon(s->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock); /* ours after quiesce, closed after the stop */
	server_free(s);
}
