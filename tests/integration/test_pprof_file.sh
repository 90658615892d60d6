#!/bin/bash
# SPDX-License-Identifier: MIT
# The pprof output read by the real reader: `go tool pprof` parses the
# profile of a fixture tree (tests/tools/render_fixture.c) and lists the hot
# function first, with the right sample count and period. Needs no root;
# skips without Go (Debian package golang-go).
source "$(dirname "$0")/lib.sh"

RENDER=${RENDER_FIXTURE:-$ROOT/.output/tests/render_fixture}
if [ ! -x "$RENDER" ]; then
	not_ok "$RENDER is missing (make test and make integration build it)"
	finish
fi
if ! command -v go >/dev/null; then
	skip "go is not installed (apt-get install golang-go): pprof file not read by go tool pprof"
	finish
fi
# go wants writable cache and home directories, wherever the test runs.
export HOME=$WORK GOCACHE=$WORK/gocache GOPATH=$WORK/gopath GOFLAGS= GOTOOLCHAIN=local

"$RENDER" pprof >"$WORK/fixture.pb.gz"; rc=$?
check "render_fixture writes a pprof profile" [ "$rc" -eq 0 -a -s "$WORK/fixture.pb.gz" ]
check "the file is gzip" bash -c "gzip -t '$WORK/fixture.pb.gz'"
go tool pprof -top "$WORK/fixture.pb.gz" >"$WORK/top.txt" 2>"$WORK/top.err"; rc=$?
check "go tool pprof -top parses it" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$WORK/top.err"
# Rows follow the header line "flat  flat%  sum%  cum  cum%"; the last field
# of a row is the function name.
first=$(awk 'rows && NF >= 6 { print $6; exit } /flat%/ { rows = 1 }' "$WORK/top.txt")
check "hotFunction is listed first (got '$first')" [ "$first" = hotFunction ]
check "its flat share is 281 of 348 samples (80.75%)" \
	grep -Eq '^ +2\.90s +80\.75% .* hotFunction$' "$WORK/top.txt"
check "the profile is cpu over 10 s" grep -q '^Duration: 10s, Total samples = 3.59s' "$WORK/top.txt"
go tool pprof -raw "$WORK/fixture.pb.gz" >"$WORK/raw.txt" 2>/dev/null
check "sample types are samples/count and cpu/nanoseconds" \
	grep -q '^samples/count cpu/nanoseconds' "$WORK/raw.txt"
check "period is 1/97 s in nanoseconds" grep -qx 'Period: 10309278' "$WORK/raw.txt"
# -raw lists each sample as "COUNT NANOS: LOCATION_IDS", then each
# location as "ID: ADDRESS MAPPING NAME ...": resolve the 281-sample stack.
stack=$(awk '/^Locations/ { locs = 1; next } /^Mappings/ { locs = 0 }
	!locs && $1 == 281 && $2 == "2896907118:" { for (i = 3; i <= NF; i++) ids[++n] = $i }
	locs { sub(":", "", $1); name[$1] = $4 }
	END { for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "<" : ""), name[ids[i]] }' "$WORK/raw.txt")
check "hotFunction's sample: 281 samples, stack leaf first (got '$stack')" [ "$stack" = \
	"hotFunction<mainLoop<processImmediate<Builtin:JSEntry<[node]<[libc.so.6]" ]
if [ "$FAILURES" -gt 0 ]; then
	echo "# go tool pprof -top said:"; sed 's/^/#   /' "$WORK/top.txt"
fi
finish
