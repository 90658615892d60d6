#!/bin/bash
# SPDX-License-Identifier: MIT
# deploy/ checked offline (no cluster, no Docker, no root needed):
# - the Kubernetes manifests validate against the Kubernetes and Prometheus
#   Operator schemas (npm's kubernetes-models, installed into tests/deploy/
#   from its package-lock.json), and their fields that matter are asserted;
# - the Prometheus config's relabeling is run on made-up discovered pods,
#   the rest of it is checked by promtool, and the recording rules pass
#   promtool check rules and promtool test rules;
# - the Dockerfile installs install-deps.sh's build packages, runs the make
#   target the tests build, and installs the Debian packages of the libraries
#   ./promfiler-bpf links (ldd + dpkg -S).
# As root, one more check runs the agent with exactly the DaemonSet's
# capabilities (and nothing else) on a read-only root filesystem against a
# Node process of another user, as it runs in the pod.
source "$(dirname "$0")/lib.sh"
# quietly COMMAND...: runs COMMAND, shows its output only when it fails.
quietly() {
	"$@" >"$WORK/quietly.out" 2>&1 && return 0
	sed 's/^/#   /' "$WORK/quietly.out"
	return 1
}
TOOLS="$ROOT/tests/deploy"
DEPLOY="$ROOT/deploy"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	not_ok "node and npm are needed (scripts/install-deps.sh installs nodejs)"
	finish
fi
if [ ! -d "$TOOLS/node_modules" ]; then
	if ! (cd "$TOOLS" && npm ci --silent --no-audit --no-fund) >"$WORK/npm.log" 2>&1; then
		not_ok "npm ci in tests/deploy (the npm registry must be reachable)"
		sed 's/^/#   /' "$WORK/npm.log"
		finish
	fi
fi

# Debian packages of the libraries the binary needs directly (NEEDED
# entries, resolved by ldd), for the Dockerfile's runtime stage.
RUNTIME_PKGS=
if [ -x "$AGENT" ]; then
	for lib in $(objdump -p "$AGENT" 2>/dev/null | awk '$1 == "NEEDED" { print $2 }'); do
		file=$(ldd "$AGENT" | awk -v l="$lib" '$1 == l { print $3 }')
		[ -n "$file" ] || { not_ok "ldd does not resolve $lib"; continue; }
		# usrmerge: dpkg may know the file under /lib or /usr/lib.
		pkg=$(dpkg -S "$file" 2>/dev/null || dpkg -S "$(readlink -f "$file")" 2>/dev/null ||
			dpkg -S "${file#/usr}" 2>/dev/null || dpkg -S "/usr$file" 2>/dev/null)
		pkg=${pkg%%:*}
		[ -n "$pkg" ] || { not_ok "dpkg -S finds no package for $file"; continue; }
		RUNTIME_PKGS+="$pkg "
	done
	RUNTIME_PKGS=$(xargs -n1 <<<"$RUNTIME_PKGS" | sort -u | xargs)
	echo "# runtime packages of ./promfiler-bpf: $RUNTIME_PKGS"
fi

RUNTIME_PKGS=$RUNTIME_PKGS node "$TOOLS/check.js" "$ROOT" "$WORK" > "$WORK/check.out" 2>&1
rc=$?
cat "$WORK/check.out"
FAILURES=$((FAILURES + $(grep -c '^not ok - ' "$WORK/check.out")))
if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' "$WORK/check.out"; then
	not_ok "tests/deploy/check.js exited $rc"
fi

if command -v promtool >/dev/null; then
	# Debian's promtool is built without Kubernetes discovery, so it cannot
	# read kubernetes_sd_configs: it says so, and the same config with static
	# targets (written by check.js) is checked instead.
	if promtool check config "$DEPLOY/prometheus/prometheus.yml" >"$WORK/promtool.out" 2>&1; then
		ok "promtool check config deploy/prometheus/prometheus.yml"
	elif grep -q 'field kubernetes_sd_configs not found' "$WORK/promtool.out"; then
		skip "promtool check config on deploy/prometheus/prometheus.yml: this promtool has no Kubernetes discovery"
		cp "$DEPLOY/prometheus/recording-rules.yml" "$WORK/"
		check "promtool check config (kubernetes_sd_configs as static targets)" \
			quietly promtool check config "$WORK/prometheus-static.yml"
	else
		not_ok "promtool check config deploy/prometheus/prometheus.yml"
		sed 's/^/#   /' "$WORK/promtool.out"
	fi
	check "promtool check rules deploy/prometheus/recording-rules.yml" \
		quietly promtool check rules "$DEPLOY/prometheus/recording-rules.yml"
	check "promtool test rules: the recording rules on made-up series" \
		quietly promtool test rules "$TOOLS/recording-rules.test.yml"
else
	not_ok "promtool missing (scripts/install-deps.sh installs prometheus)"
fi

# As root: the agent with the DaemonSet's capabilities only, as in its pod.
if [ "$(id -u)" -ne 0 ] || [ ! -x "$AGENT" ] || ! command -v setpriv >/dev/null; then
	skip "the DaemonSet's capabilities suffice: needs root, setpriv and ./promfiler-bpf"
	finish
fi
caps=$(cd "$TOOLS" && node -e '
	const yaml = require("js-yaml");
	const ds = yaml.load(require("fs").readFileSync(process.argv[1], "utf8"));
	const c = ds.spec.template.spec.containers[0];
	console.log(c.securityContext.capabilities.add.map((k) => "+" + k.toLowerCase()).join(","));
' "$DEPLOY/kubernetes/daemonset.yaml")
echo "# the DaemonSet grants: $caps"
# The agent as the kubelet starts it: root with only the DaemonSet's
# capabilities (for root, the bounding set is the effective set), no new
# privileges, and a read-only root filesystem: / (and /tmp) remounted
# read-only in a mount namespace of its own. Each step execs the next, so
# the agent keeps the wrapper's PID.
caps_only=(setpriv --no-new-privs --inh-caps=-all "--bounding-set=-all,$caps" "$ROOT/promfiler-bpf")
if unshare --mount --propagation private true 2>/dev/null; then
	printf '#!/bin/sh\nexec unshare --mount --propagation private sh -c %q sh %s "$@"\n' \
		'mount -o remount,bind,ro / && { ! mountpoint -q /tmp || mount -o remount,bind,ro /tmp; } && exec "$@"' \
		"$(printf "%q " "${caps_only[@]}")" > "$WORK/agent-in-pod"
	ro=yes
else
	printf '#!/bin/sh\nexec %s "$@"\n' "$(printf "%q " "${caps_only[@]}")" > "$WORK/agent-in-pod"
	skip "read-only root filesystem: unshare --mount is not available here"
	ro=no
fi
chmod +x "$WORK/agent-in-pod"
# A Node process of another user, as in another pod.
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$NODE" "${NODE_FLAGS[@]}" "$FIXTURES/hot.js" >/dev/null 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID")
AGENT="$WORK/agent-in-pod"
if check "the agent starts with the DaemonSet's capabilities only${ro:+ (read-only root: $ro)}" \
	start_agent --comm node --window 2; then
	eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$AGENT_PID/status")
	names=$(capsh --decode="$eff" 2>/dev/null | sed 's/.*=//' | tr ',' '\n' | sed 's/^cap_//' | sort | paste -sd, -)
	# Once attached the agent drops what it no longer needs (perfmon).
	want=$(tr ',' '\n' <<<"${caps//+/}" | grep -vx perfmon | sort | paste -sd, -)
	echo "# agent CapEff: $eff ($names)"
	check "its effective capabilities are the DaemonSet's less perfmon: $want" [ "$names" = "$want" ]
	if [ "$ro" = yes ]; then
		check "its root filesystem is read-only" \
			grep -qE '^[0-9]+ [0-9]+ [^ ]+ / / ro[, ]' "/proc/$AGENT_PID/mountinfo"
	fi
	check "it names hotFunction in another user's Node process" wait_for "hotFunction of $NODE_PID" 30 bash -c \
		"curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'promfiler_cpu_seconds_total{signature=\"[^\"]*#hotFunction\",pid=\"$NODE_PID\"'"
fi
finish
