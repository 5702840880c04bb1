#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Run PathKit's benchmarks: every build/tests/perf/bench_* binary, then every
# tests/perf/bench_*.sh, and print one line per result:
#   bench: <id> value=<v> unit=<u> baseline=<b> ratio=<r>
# (ratio > 1: PathKit beats the baseline measured in the same run). The lines
# also go to build/bench-results.txt; everything else the benchmarks print
# (spread, errors) goes to build/bench-log.txt.
#
# Usage: ./devtools/bench.sh [REGEX]
#   REGEX (POSIX extended) selects benchmarks by id: "queue_ring", "^path\.",
#   "port.null_io". Default: all.
# Environment: PK_BUILD_DIR, the build directory (default: build). It is set
# up with "meson setup" only if absent; an existing one is built, never
# reconfigured.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

regex=${1:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${PK_BUILD_DIR:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
PK_BUILD_DIR=$build
export PK_BUILD_DIR

out=$(mktemp /tmp/pk_bench.XXXXXX)
trap 'rm -f "$out"' EXIT

./devtools/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
fi
ninja -C "$build" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }

results=$build/bench-results.txt
log=$build/bench-log.txt
: >"$results"
: >"$log"

header="# PathKit benchmarks $(date -u +%Y-%m-%dT%H:%M:%SZ)"
load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)
header="$header host=$(uname -n) cpus=$(nproc) load=$load"
header="$header filter=${regex:-all}"
echo "$header" | tee -a "$results"

# Keep the bench lines of $out; say on stderr if the benchmark failed.
emit() {
	name=$1
	rc=$2
	{ echo "== $name (exit $rc)"; cat "$out"; } >>"$log"
	grep '^bench: ' "$out" | tee -a "$results" || true
	case $rc in
	0) ;;
	77) echo "bench.sh: $name skipped (see $log)" >&2 ;;
	*) echo "bench.sh: $name failed with exit $rc (see $log)" >&2 ;;
	esac
}

failed=0
for b in "$build"/tests/perf/bench_*; do
	if [ ! -f "$b" ] || [ ! -x "$b" ]; then
		continue # bench_*.p/ object directories
	fi
	name=$(basename "$b")
	prefix=pk_bench_${name#bench_}_$$
	set -- --no-huge --no-shconf --no-pci -m 1024 --file-prefix="$prefix" \
		-l 0,1 --log-level=lib.eal:error
	[ -n "$regex" ] && set -- "$@" -- --filter="$regex"
	rc=0
	"$b" "$@" >"$out" 2>&1 || rc=$?
	rm -rf "/var/run/dpdk/$prefix"
	emit "$name" "$rc"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || failed=1
done

for s in "$root"/tests/perf/bench_*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s")
	rc=0
	# each script names its shell on its first line (bench_aqm_kernel.sh
	# needs bash's pipefail)
	read -r shebang <"$s"
	${shebang#\#!} "$s" "${regex:-.}" >"$out" 2>&1 || rc=$?
	emit "$name" "$rc"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || failed=1
done

exit "$failed"
