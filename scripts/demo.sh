#!/bin/bash
# SPDX-License-Identifier: MIT
# One command from a fresh machine to live series: installs the dependencies,
# builds, starts the bundled demo app (demo/app.js) and the exporter on it.
#   sudo ./scripts/demo.sh [EXTRA AGENT FLAGS...]
# Then: curl -s localhost:9142/metrics | grep promfiler_cpu_profile
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make
node --perf-basic-prof --interpreted-frames-native-stack demo/app.js &
app=$!
trap 'kill $app 2>/dev/null' EXIT
echo "demo: exporter on http://localhost:9142/metrics (series after the first 10 s window)"
./promfiler-bpf --pid "$app" --window 10 "$@"
