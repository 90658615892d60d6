#!/bin/bash
# SPDX-License-Identifier: MIT
# deploy/systemd/promfiler-bpf.service: `make install` stages it under
# $(PREFIX)/lib/systemd/system with ExecStart at $(PREFIX)/bin, it passes
# `systemd-analyze verify` without a warning, it runs as a dynamic user with
# the capabilities the agent keeps (and no others), and those capabilities
# suffice: the agent started as an unprivileged user (setpriv) holding
# exactly the unit's ambient set profiles tests/fixtures/hot.js (hotFunction
# on top of /metrics); the same without CAP_PERFMON is refused, said.
source "$(dirname "$0")/lib.sh"

UNIT=$ROOT/deploy/systemd/promfiler-bpf.service
STAGE=$WORK/stage
if make -C "$ROOT" --no-print-directory install-systemd DESTDIR="$STAGE" PREFIX=/opt/promfiler >"$WORK/install.log" 2>&1; then
	ok "make install-systemd stages the unit"
else
	not_ok "make install-systemd stages the unit"
	sed 's/^/#   /' "$WORK/install.log"
fi
installed=$STAGE/opt/promfiler/lib/systemd/system/promfiler-bpf.service
check "the unit lands in \$(PREFIX)/lib/systemd/system, ExecStart at \$(PREFIX)/bin" \
	grep -q '^ExecStart=/opt/promfiler/bin/promfiler-bpf \$PROMFILER_BPF_ARGS$' "$installed"
# make install (all of it) puts the unit there too.
check "make install puts the unit next to the binary" bash -c "
	make -C '$ROOT' --no-print-directory install DESTDIR='$WORK/full' PREFIX=/usr/local >'$WORK/full.log' 2>&1 &&
	[ -x '$WORK/full/usr/local/bin/promfiler-bpf' ] &&
	grep -q '^ExecStart=/usr/local/bin/promfiler-bpf ' '$WORK/full/usr/local/lib/systemd/system/promfiler-bpf.service'"

if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart's binary to exist: the one just built.
	sed "s|^ExecStart=/opt/promfiler/bin/promfiler-bpf |ExecStart=$AGENT |" "$installed" >"$WORK/promfiler-bpf.service"
	out=$(systemd-analyze verify "$WORK/promfiler-bpf.service" 2>&1); rc=$?
	check "systemd-analyze verify: exit 0, no warning" [ "$rc" -eq 0 -a -z "$out" ]
	[ -n "$out" ] && sed 's/^/#   /' <<<"$out"
else
	not_ok "systemd-analyze missing (scripts/install-deps.sh installs systemd)"
fi

# The unit's capabilities, as setpriv spells them (cap_bpf -> bpf).
caps_of() { sed -n "s/^$1=//p" "$UNIT" | tr ' ' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sort | tr '\n' ' '; }
ambient=$(caps_of AmbientCapabilities)
bounding=$(caps_of CapabilityBoundingSet)
echo "# unit capabilities: $ambient"
check "ambient set = bounding set = bpf checkpoint_restore dac_read_search perfmon sys_ptrace" \
	[ "$ambient" = "$bounding" -a "$ambient" = "bpf checkpoint_restore dac_read_search perfmon sys_ptrace " ]
check "not root: DynamicUser=yes, NoNewPrivileges=yes, no User=root" bash -c \
	"grep -qx 'DynamicUser=yes' '$UNIT' && grep -qx 'NoNewPrivileges=yes' '$UNIT' && ! grep -q '^User=root' '$UNIT'"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	skip "the unit's capabilities as a non-root user: needs root and setpriv"
	finish
fi
# as_user CAPS ARGS...: runs the agent as nobody with CAPS (comma list,
# setpriv's names) as its only capabilities, the way systemd starts the
# unit (ambient capabilities of a non-root user, the bounding set limited).
# It execs: run in the background, $! is the agent.
as_user() {
	local caps=$1 list; shift
	list=$(sed 's/\([a-z_]*\)/+\1/g' <<<"$caps")
	exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="-all,$list" \
		--ambient-caps="-all,$list" --bounding-set="-all,$list" --no-new-privs "$AGENT" "$@"
}
unit_caps=$(tr ' ' ',' <<<"${ambient% }")
start_node "$FIXTURES/hot.js"
PORT=$(free_port)
AGENT_LOG=$WORK/agent.user.log
as_user "$unit_caps" --hostname 127.0.0.1 --port "$PORT" --pid "$NODE_PID" --window 2 2>"$AGENT_LOG" &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
top_is_hot() {
	scrape >"$WORK/user.prom" 2>/dev/null && glob "$(hottest "$WORK/user.prom" promfiler_cpu_seconds_total "$NODE_PID")" "*#hotFunction"
}
if check "as nobody with the unit's capabilities ($unit_caps), the agent profiles hot.js: hotFunction on top" \
	wait_for "hotFunction on top" 40 top_is_hot; then
	check "its process runs as uid 65534, not root" [ "$(stat -c %u "/proc/$AGENT_PID")" = 65534 ]
	eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$AGENT_PID/status")
	echo "# the agent's effective capabilities after start: $eff ($(capsh --decode="$eff" 2>/dev/null | cut -d= -f2))"
	check "after attaching it keeps no more than the unit gave it (no CAP_PERFMON)" \
		bash -c "capsh --decode=$eff | grep -q cap_bpf && ! capsh --decode=$eff | grep -q cap_perfmon"
	check "JS frames are named (V8 reading with CAP_SYS_PTRACE): a signature ends in #hotFunction" \
		grep -q 'signature="[^"]*#hotFunction"' "$WORK/user.prom"
else
	sed 's/^/#   /' "$AGENT_LOG" | tail -10
fi
kill "$AGENT_PID" 2>/dev/null
wait "$AGENT_PID" 2>/dev/null

out=$(as_user "$(sed 's/,perfmon//' <<<"$unit_caps")" --hostname 127.0.0.1 --port "$(free_port)" --pid "$NODE_PID" 2>&1); rc=$?
check "as nobody without CAP_PERFMON: exit 1 naming CAP_PERFMON" [ "$rc" -eq 1 -a -n "$(grep 'CAP_PERFMON' <<<"$out")" ]
finish
