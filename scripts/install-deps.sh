#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs what promfiler-bpf needs to build, run and test, from Debian's
# packages (Debian 12 bookworm). Run as root. Quick when all is there.
set -euo pipefail

packages=(
	make gcc clang llvm pkg-config bpftool xxd       # build chain (xxd embeds assets)
	libbpf-dev libelf-dev zlib1g-dev libmicrohttpd-dev libiberty-dev
	libcriterion-dev libxml2-utils                   # unit tests
	prometheus curl libcap2-bin util-linux procps linux-perf # integration tests
	golang-go chromium                               # pprof and flame graph tests
	zip unzip systemd                                # Grafana panel zip, systemd-analyze verify
	libclang-rt-14-dev openssl                       # fuzzers, sanitizers, TLS test
)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)       # the Grafana panel's build (npm ci)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all present (node $(node --version), $(bpftool version | head -1))"
