#!/bin/bash
# SPDX-License-Identifier: MIT
# The C library (include/promfiler.h) for real. examples/own_server, a
# program with its own libmicrohttpd server that embeds the library, serves
# a Node fixture's profile (promtool-clean) and exits 0 on SIGTERM. Then
# `make install` into a staging directory: the installed files, the
# pkg-config file, a program built on the installed header and static
# library, and the API's contracts (errors, lifecycle, renders, concurrent
# use) through the installed shared library. make builds the example: `make
# test` and `make integration` depend on it.
source "$(dirname "$0")/lib.sh"
require_root

EXAMPLE=${EXAMPLE:-$ROOT/.output/examples/own_server}
CC=${CC:-cc}
if [ ! -x "$EXAMPLE" ]; then
	not_ok "$EXAMPLE is built (make examples)"
	finish
fi

start_node "$FIXTURES/hot.js"

# --- own_server: the library in the program's own HTTP server
PORT=$(free_port)
"$EXAMPLE" -p "$PORT" -w 2 "$NODE_PID" 2>"$WORK/own_server.log" &
EX_PID=$!
PIDS+=("$EX_PID")
hot_series() {
	curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/m" &&
		grep -q "^promfiler_cpu_seconds_total{signature=\"[^\"]*#hotFunction\",pid=\"$NODE_PID\"" "$WORK/m"
}
check "own_server serves a promfiler_cpu_seconds_total series ending in #hotFunction" \
	wait_for "hotFunction in own_server's /metrics" 30 hot_series
check_exposition "own_server's exposition" "$WORK/m"
check "own_server's own routes: 404 elsewhere" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")" = 404 ]
check "the library's log lines reach own_server's callback" \
	grep -q "profiling pid $NODE_PID" "$WORK/own_server.log"
kill -TERM "$EX_PID"
for _ in $(seq 50); do
	kill -0 "$EX_PID" 2>/dev/null || break
	sleep 0.2
done
if kill -0 "$EX_PID" 2>/dev/null; then
	not_ok "own_server stops within 10 s of SIGTERM"
	kill -KILL "$EX_PID"
fi
wait "$EX_PID"
rc=$?
check "own_server exits 0 after SIGTERM (it exited $rc)" [ "$rc" -eq 0 ]

# --- make install: libraries, header, pkg-config file
STAGE="$WORK/stage"
LIB="$STAGE/usr/lib"
if make -C "$ROOT" --no-print-directory -s install DESTDIR="$STAGE" PREFIX=/usr \
	>"$WORK/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	not_ok "make install DESTDIR=... PREFIX=/usr"
	sed 's/^/#   /' "$WORK/install.log"
fi
for f in bin/promfiler-bpf lib/libpromfiler.a lib/libpromfiler.so lib/libpromfiler.so.0 \
	include/promfiler.h lib/pkgconfig/promfiler.pc; do
	check "installed: /usr/$f" [ -e "$STAGE/usr/$f" ]
done
check "libpromfiler.so.0 has soname libpromfiler.so.0" bash -c \
	"readelf -d '$LIB/libpromfiler.so.0' | grep -q 'SONAME.*\[libpromfiler.so.0\]'"
exported=$(nm -D --defined-only "$LIB/libpromfiler.so.0" | awk '{ print $3 }' | grep -v '^promfiler_')
check "the shared library exports only promfiler_* names" [ -z "$exported" ]
exported=$(nm -g --defined-only "$LIB/libpromfiler.a" | awk 'NF == 3 { print $3 }' | grep -v '^promfiler_')
check "the static library defines only promfiler_* globals" [ -z "$exported" ]
check "the library does not need libmicrohttpd (HTTP is the caller's)" bash -c \
	"! readelf -d '$LIB/libpromfiler.so.0' | grep -q microhttpd && ! nm -u '$LIB/libpromfiler.a' | grep -q ' MHD_'"

# The staged .pc says prefix=/usr: the sysroot makes its paths the stage's.
export PKG_CONFIG_PATH="$LIB/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$STAGE"
flags=$(pkg-config --cflags --libs promfiler 2>"$WORK/pc.err")
check "pkg-config --cflags --libs promfiler works" [ $? -eq 0 ]
echo "# pkg-config: $flags"
check "pkg-config gives the installed header and library" \
	glob "$flags" "*-I$STAGE/usr/include*-L$LIB*-lpromfiler*"
check "pkg-config --modversion promfiler is the agent's version" \
	[ "promfiler-bpf $(pkg-config --modversion promfiler)" = "$("$AGENT" --version)" ]

# A program on the installed header and the static library.
cat >"$WORK/version.c" <<'EOF'
#include <stdio.h>
#include <promfiler.h>

int main(void)
{
	struct promfiler_options o;

	promfiler_options_init(&o);
	printf("promfiler %s\n", promfiler_version());
	return o.size == sizeof(o) ? 0 : 1;
}
EOF
static_flags=$(pkg-config --cflags --libs --static promfiler)
static_flags=${static_flags//-lpromfiler/-l:libpromfiler.a}
check "a program links against the installed static library (pkg-config --static)" \
	$CC -Wall -Werror -o "$WORK/version" "$WORK/version.c" $static_flags
check "... without needing libpromfiler.so" bash -c "! ldd '$WORK/version' | grep -q libpromfiler"
out=$("$WORK/version" 2>&1)
check "... and prints promfiler_version() ($out)" \
	[ "promfiler-bpf ${out#promfiler }" = "$("$AGENT" --version)" ]

# The API's contracts, through the installed shared library.
cat >"$WORK/api.c" <<'EOF'
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <promfiler.h>

static int failures;

static void check(const char *what, int cond)
{
	printf("%s - api: %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failures++;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Whether pid's profile (folded, span) names hotFunction. */
static int has_hot(struct promfiler *pf, int pid, enum promfiler_span span)
{
	char *b;
	size_t len;
	int found;

	if (promfiler_render(pf, PROMFILER_FORMAT_FOLDED, pid, span, &b, &len))
		return 0;
	found = strstr(b, ";hotFunction ") != NULL && strlen(b) == len;
	promfiler_free_buffer(b);
	return found;
}

static int wait_hot(struct promfiler *pf, int pid)
{
	for (int i = 0; i < 20; i++) {
		if (has_hot(pf, pid, PROMFILER_SPAN_ALL))
			return 1;
		usleep(500000);
	}
	return 0;
}

static atomic_int rendering = 1, thread_starts;
static atomic_int libbpf_a, libbpf_b, lines_b;

/* Two handles' logs: libbpf's messages go to the verbose one's only. */
static void log_a(const char *line)
{
	if (strncmp(line, "libbpf: ", 8) == 0)
		libbpf_a++;
}

static void log_b(const char *line)
{
	lines_b++;
	if (strncmp(line, "libbpf: ", 8) == 0)
		libbpf_b++;
}

static void on_thread_start(void)
{
	thread_starts++;
}

/* Renders next to start and stop: must never fail once started. */
static void *render_loop(void *arg)
{
	long bad = 0;
	char *b;
	size_t len;

	while (rendering) {
		if (promfiler_metrics(arg, &b, &len))
			bad++;
		else
			promfiler_free_buffer(b);
	}
	return (void *)bad;
}

int main(int argc, char **argv)
{
	int node = atoi(argv[1]), pids[1] = { node }, bad_pid = 0x3ffffff0;
	struct promfiler_options o;
	struct promfiler_target t[8];
	struct promfiler *pf;
	const char *sep = "\"";
	char *b = (char *)1;
	size_t len = 1, n;
	uint64_t frozen;
	pthread_t th;
	void *bad;
	double t0;

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0); /* a crash still shows how far it got */
	errno = 0;
	check("create(NULL): NULL, EINVAL", !promfiler_create(NULL) && errno == EINVAL);
	promfiler_options_init(&o);
	o.frequency_hz = 0;
	check("a bad frequency: NULL, EINVAL, and said",
	      !promfiler_create(&o) && errno == EINVAL && strstr(promfiler_error(), "frequency"));
	promfiler_options_init(&o);
	o.separator = sep;
	check("a bad separator: EINVAL", !promfiler_create(&o) && errno == EINVAL);
	promfiler_options_init(&o);
	o.size = 0;
	check("options without promfiler_options_init: EINVAL",
	      !promfiler_create(&o) && errno == EINVAL);

	promfiler_options_init(&o);
	o.pids = pids;
	o.n_pids = 1;
	o.window_seconds = 60; /* windows here end by promfiler_end_window */
	o.thread_start = on_thread_start;
	pf = promfiler_create(&o);
	check("create with a pid", pf != NULL);
	if (!pf)
		return 1;
	check("render before start: -ENODATA, *buf NULL",
	      promfiler_metrics(pf, &b, &len) == -ENODATA && !b && !len);
	check("end_window before start: -ENODATA", promfiler_end_window(pf) == -ENODATA);
	check("stop before start: 0", promfiler_stop(pf) == 0);
	check("no targets before start", promfiler_targets(pf, t, 8) == 0);
	check("start: 0", promfiler_start(pf) == 0);
	check("start again: -EALREADY", promfiler_start(pf) == -EALREADY);
	check("folded profile of the pid names hotFunction", wait_hot(pf, node));
	check("thread_start ran on the polling thread", thread_starts == 1);
	n = promfiler_targets(pf, t, 8);
	check("targets: the pid, comm node", n >= 1 && t[0].pid == node &&
	      strcmp(t[0].comm, "node") == 0 && t[0].samples > 0);
	check("samples are counted", promfiler_samples(pf) > 0);
	check("metrics with a pid: -EINVAL",
	      promfiler_render(pf, PROMFILER_FORMAT_PROMETHEUS, node, PROMFILER_SPAN_WINDOW,
			       &b, &len) == -EINVAL && !b);
	check("folded of a pid not profiled: -ESRCH",
	      promfiler_render(pf, PROMFILER_FORMAT_FOLDED, bad_pid, PROMFILER_SPAN_ALL,
			       &b, &len) == -ESRCH && !b && strstr(promfiler_error(), "not being profiled"));
	check("an unknown format: -EINVAL",
	      promfiler_render(pf, (enum promfiler_format)99, 0, PROMFILER_SPAN_ALL,
			       &b, &len) == -EINVAL);
	check("pprof: gzip bytes",
	      promfiler_render(pf, PROMFILER_FORMAT_PPROF, 0, PROMFILER_SPAN_ALL, &b, &len) == 0 &&
	      len > 2 && (unsigned char)b[0] == 0x1f && (unsigned char)b[1] == 0x8b);
	promfiler_free_buffer(b);
	check("end_window: 0", promfiler_end_window(pf) == 0);
	check("the window that just ended names hotFunction",
	      has_hot(pf, node, PROMFILER_SPAN_WINDOW));

	pthread_create(&th, NULL, render_loop, pf);
	t0 = now();
	check("stop: 0", promfiler_stop(pf) == 0);
	check("stop is prompt (< 1 s)", now() - t0 < 1.0);
	frozen = promfiler_samples(pf);
	usleep(1500000);
	check("stopped: the profile is frozen and still renders",
	      promfiler_samples(pf) == frozen && has_hot(pf, node, PROMFILER_SPAN_ALL));
	check("start after stop: 0, a new profile",
	      promfiler_start(pf) == 0 && promfiler_samples(pf) < frozen);
	check("... which fills again", wait_hot(pf, node));
	check("... and runs thread_start again", thread_starts == 2);
	rendering = 0;
	pthread_join(th, &bad);
	check("renders from another thread through stop and start never failed", bad == NULL);
	t0 = now();
	promfiler_destroy(pf);
	check("destroy while running is prompt (< 2 s)", now() - t0 < 2.0);

	promfiler_options_init(&o);
	pf = promfiler_create(&o);
	check("create with no target", pf != NULL);
	if (!pf)
		return 1;
	check("add_pid(-1): -EINVAL", promfiler_add_pid(pf, -1) == -EINVAL);
	check("add_pid before start: 0", promfiler_add_pid(pf, node) == 0);
	check("start: 0", promfiler_start(pf) == 0);
	check("a pid added before start is profiled", wait_hot(pf, node));
	promfiler_destroy(pf);
	promfiler_destroy(NULL);

	/* Two handles in one process: each has its own drains and its own
	 * log, libbpf's messages included. */
	struct promfiler *pa, *pb;

	promfiler_options_init(&o);
	o.pids = pids;
	o.n_pids = 1;
	o.verbose = 1;
	o.log = log_a;
	pa = promfiler_create(&o);
	o.verbose = 0;
	o.log = log_b;
	pb = promfiler_create(&o);
	check("two handles: both start", pa && pb && promfiler_start(pa) == 0 &&
	      promfiler_start(pb) == 0);
	check("two handles: both profiles name hotFunction", pa && pb && wait_hot(pa, node) &&
	      wait_hot(pb, node));
	check("two handles: libbpf's messages reach the verbose handle's log only",
	      libbpf_a > 0 && libbpf_b == 0 && lines_b > 0);
	promfiler_destroy(pa);
	promfiler_destroy(pb);
	return failures != 0;
}
EOF
if $CC -Wall -Wextra -Werror -o "$WORK/api" "$WORK/api.c" \
	$(pkg-config --cflags --libs promfiler) -lpthread -Wl,-rpath,"$LIB" 2>"$WORK/api.err"; then
	ok "a program builds against the installed shared library"
	check "... and loads the staged libpromfiler.so.0" bash -c \
		"ldd '$WORK/api' | grep -q 'libpromfiler.so.0 => $LIB/'"
	"$WORK/api" "$NODE_PID" >"$WORK/api.out" 2>&1
	rc=$?
	cat "$WORK/api.out"
	FAILURES=$((FAILURES + $(grep -c '^not ok' "$WORK/api.out")))
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$WORK/api.out"; then
		not_ok "the API checks exited $rc"
	fi
else
	not_ok "a program builds against the installed shared library"
	sed 's/^/#   /' "$WORK/api.err"
fi
finish
