#!/bin/bash
# SPDX-License-Identifier: MIT
# The HTTP server against hostile clients, for real: the agent on a loopback
# port, driven by curl and by bash /dev/tcp connections, only ever against
# 127.0.0.1. Methods other than GET/HEAD get 405, unknown paths 404, bodies
# 413; a huge URL or huge headers are refused while the agent keeps serving;
# 200 slow clients, and one that trickles its headers a byte a second, do
# not keep a scrape from succeeding; gzip when asked; TLS and basic auth.
# Every request is bounded (--max-time) and so is every retry loop.
source "$(dirname "$0")/lib.sh"
require_root

C=(curl -s --max-time 5)
code() { "${C[@]}" -o /dev/null -w '%{http_code}' "$@"; }
one_of() { local v=$1 x; shift; for x; do [ "$v" = "$x" ] && return 0; done; return 1; }
in_range() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
url() { echo "http://127.0.0.1:$PORT$1"; }

start_node "$FIXTURES/hot.js"
check "agent starts" start_agent --pid "$NODE_PID" --window 2
check "a window completes" wait_for "a window" 20 windows_at_least 1

# Methods, paths, bodies.
for m in POST PUT DELETE PATCH OPTIONS; do
	check "$m gets 405" [ "$(code -X "$m" "$(url /metrics)")" = 405 ]
done
check "405 says Allow: GET, HEAD" bash -c \
	"curl -s --max-time 5 -o /dev/null -D - -X POST $(url /metrics) | grep -qi '^allow: GET, HEAD'"
check "HEAD gets 200" [ "$(code -I "$(url /metrics)")" = 200 ]
check "unknown path gets 404" [ "$(code "$(url /nope)")" = 404 ]
check "a GET with a body gets 413" [ "$(code -X GET --data-binary x "$(url /metrics)")" = 413 ]

# Huge request line and headers: refused (414/431) or the connection closed
# (000), and the next scrape is served.
long=$(head -c 70000 /dev/zero | tr '\0' a)
c=$(code "$(url "/$long")")
check "a 70 kB URL is refused ($c)" one_of "$c" 414 000
c=$(code -H "X-Big: $long" "$(url /metrics)")
check "a 70 kB header is refused ($c)" one_of "$c" 431 000
hdrs=()
for i in $(seq 1500); do hdrs+=(-H "X-H$i: aaaaaaaaaaaaaaaaaaaaaaaa"); done
c=$(code "${hdrs[@]}" "$(url /metrics)")
check "1500 headers are refused ($c)" one_of "$c" 431 000
check "the agent still serves after them" [ "$(code "$(url /metrics)")" = 200 ]

# gzip: same families as the plain body, and the right headers.
"${C[@]}" "$(url /metrics)" > "$WORK/plain"
"${C[@]}" --compressed "$(url /metrics)" > "$WORK/gz"
"${C[@]}" -H 'Accept-Encoding: gzip' -D "$WORK/gz.h" -o "$WORK/gz.raw" "$(url /metrics)"
check "gzip: body has the families of the plain one" \
	bash -c "[ -n \"\$(grep '^# TYPE ' '$WORK/plain')\" ] && diff <(grep '^# TYPE ' '$WORK/plain' | sort) <(grep '^# TYPE ' '$WORK/gz' | sort) >/dev/null"
check "gzip: Content-Encoding: gzip" grep -qi '^content-encoding: gzip' "$WORK/gz.h"
check "gzip: Vary: Accept-Encoding" grep -qi '^vary: accept-encoding' "$WORK/gz.h"
check "gzip: the raw body is gzip data" bash -c "gzip -t < '$WORK/gz.raw'"
check "gzip: smaller than the plain body" [ "$(stat -c %s "$WORK/gz.raw")" -lt "$(stat -c %s "$WORK/plain")" ]
check "no Accept-Encoding: no Content-Encoding" bash -c \
	"! curl -s --max-time 5 -D - -o /dev/null $(url /metrics) | grep -qi '^content-encoding'"

# Slow clients. First one that sends its request a byte a second (never
# idle long enough for an idle timeout), then 200 that send half a request
# and stall. The agent cuts each 10 s after it connected.
trickle() {
	local s=$'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
	local start=$SECONDS i
	trap '' PIPE
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
	( for ((i = 0; i < ${#s}; i++)); do printf '%s' "${s:i:1}" >&3 || exit; sleep 1; done ) &
	timeout 30 cat <&3 >/dev/null
	echo $((SECONDS - start)) > "$WORK/trickle"
	kill $! 2>/dev/null
}
trickle & PIDS+=($!); trickle_pid=$!
sleep 1
(
	trap '' PIPE
	for _ in $(seq 200); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || continue
		printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&"$fd" 2>/dev/null
	done
	sleep 40
) & slow_pid=$!; PIDS+=("$slow_pid")
sleep 2
check "with 200 slow clients, a scrape from another address (127.0.0.2) is served at once" \
	[ "$(code --interface 127.0.0.2 "$(url /metrics)")" = 200 ]
ok=no
for i in $(seq 20); do
	if [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$(url /metrics)")" = 200 ]; then
		ok=yes; break
	fi
	sleep 1
done
echo "# a scrape from the slow clients' address succeeded after $i tries"
check "with 200 slow clients, a scrape from their own address succeeds within 20 tries" [ "$ok" = yes ]
wait "$trickle_pid"
took=$(cat "$WORK/trickle" 2>/dev/null)
echo "# the byte-a-second client was cut after ${took:-?} s"
check "a client sending a header byte a second is cut after 8..14 s" in_range "$took" 8 14
kill "$slow_pid" 2>/dev/null; wait "$slow_pid" 2>/dev/null
check "the agent is still alive" kill -0 "$AGENT_PID"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
check "SIGTERM after all that: exit 0" [ "$rc" -eq 0 ]

# start_agent_as SCHEME CURL_OPTS... -- AGENT_ARGS...: start_agent on the
# port already in $PORT, for TLS and auth, whose health check needs curl
# options.
start_agent_as() {
	local scheme=$1; shift
	local copts=()
	while [ "$1" != -- ]; do copts+=("$1"); shift; done; shift
	AGENT_LOG="$WORK/agent.$PORT.log"
	"$AGENT" --hostname 127.0.0.1 --port "$PORT" "$@" 2>"$AGENT_LOG" &
	AGENT_PID=$!
	PIDS+=("$AGENT_PID")
	for _ in $(seq 50); do
		curl -sf --max-time 2 "${copts[@]}" "$scheme://localhost:$PORT/healthz" >/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "# agent did not come up; its log:"; sed 's/^/#   /' "$AGENT_LOG"
	return 1
}

# TLS with a self-signed certificate. --resolve: the name the certificate
# carries, the address 127.0.0.1.
if openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null; then
	"$AGENT" --tls-cert-file "$WORK/cert.pem" >/dev/null 2>&1; rc=$?
	check "--tls-cert-file without --tls-key-file: exit 2" [ "$rc" -eq 2 ]
	out=$("$AGENT" --pid "$NODE_PID" --hostname 127.0.0.1 --port "$(free_port)" \
		--tls-cert-file "$WORK/none.pem" --tls-key-file "$WORK/key.pem" 2>&1); rc=$?
	echo "# $out" | tail -1
	check "a missing certificate file: exit 1" [ "$rc" -eq 1 ]
	check "a missing certificate file: named" grep -q "none.pem" <<<"$out"
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other -days 1 \
		-keyout "$WORK/key2.pem" -out "$WORK/cert2.pem" 2>/dev/null
	out=$("$AGENT" --pid "$NODE_PID" --hostname 127.0.0.1 --port "$(free_port)" \
		--tls-cert-file "$WORK/cert.pem" --tls-key-file "$WORK/key2.pem" 2>&1); rc=$?
	check "a key that does not match the certificate: exit 1" [ "$rc" -eq 1 ]
	check "a key that does not match the certificate: said" grep -q "key2.pem" <<<"$out"
	PORT=$(free_port)
	check "agent starts with TLS" start_agent_as https --cacert "$WORK/cert.pem" \
		--resolve "localhost:$PORT:127.0.0.1" -- --pid "$NODE_PID" \
		--tls-cert-file "$WORK/cert.pem" --tls-key-file "$WORK/key.pem"
	TLS=(--cacert "$WORK/cert.pem" --resolve "localhost:$PORT:127.0.0.1")
	"${C[@]}" "${TLS[@]}" "https://localhost:$PORT/metrics" > "$WORK/tls"
	check "TLS: /metrics over https with --cacert" grep -q '^# TYPE promfiler_' "$WORK/tls"
	check "TLS: the certificate is checked (no --cacert: refused)" \
		[ "$(code --resolve "localhost:$PORT:127.0.0.1" "https://localhost:$PORT/metrics")" = 000 ]
	check "TLS: plain http on the TLS port gets nothing" [ "$(code "$(url /metrics)")" != 200 ]
	check "TLS: TLS 1.1 is refused" \
		[ "$(code "${TLS[@]}" --tlsv1.1 --tls-max 1.1 "https://localhost:$PORT/metrics")" = 000 ]
	check "TLS: gzip works over TLS" bash -c \
		"curl -s --max-time 5 --compressed --cacert '$WORK/cert.pem' --resolve localhost:$PORT:127.0.0.1 https://localhost:$PORT/metrics | grep -q '^# TYPE promfiler_'"
	kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
	check "TLS: SIGTERM, exit 0" [ "$rc" -eq 0 ]
else
	not_ok "openssl cannot make a self-signed certificate"
fi

# Basic auth; the password file ends with a newline, which is not part of
# the password.
printf 'correct horse\n' > "$WORK/pw"
"$AGENT" --basic-auth-user prom >/dev/null 2>&1; rc=$?
check "--basic-auth-user without a password file: exit 2" [ "$rc" -eq 2 ]
PORT=$(free_port)
check "agent starts with basic auth" start_agent_as http -u 'prom:correct horse' -- \
	--pid "$NODE_PID" --basic-auth-user prom --basic-auth-password-file "$WORK/pw"
check "auth: no credentials gets 401" [ "$(code "$(url /metrics)")" = 401 ]
check "auth: 401 says WWW-Authenticate: Basic" bash -c \
	"curl -s --max-time 5 -o /dev/null -D - $(url /metrics) | grep -qi '^www-authenticate: basic realm='"
check "auth: a wrong password gets 401" [ "$(code -u 'prom:correct horsf' "$(url /metrics)")" = 401 ]
check "auth: the password with its newline gets 401" [ "$(code -u $'prom:correct horse\n' "$(url /metrics)")" = 401 ]
check "auth: a wrong user gets 401" [ "$(code -u 'root:correct horse' "$(url /metrics)")" = 401 ]
check "auth: the right credentials get 200" [ "$(code -u 'prom:correct horse' "$(url /metrics)")" = 200 ]
check "auth: and the body is the exposition" bash -c \
	"curl -s --max-time 5 -u 'prom:correct horse' $(url /metrics) | grep -q '^# TYPE promfiler_'"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
check "auth: SIGTERM, exit 0" [ "$rc" -eq 0 ]
finish
