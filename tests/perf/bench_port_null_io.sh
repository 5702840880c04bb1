#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# port.null_io: PathKit port-to-port forwarding against dpdk-testpmd.
#
# Both sides forward net_null0 <-> net_null1 on one lcore (lcore 1 of -l 0,1;
# lcore 0 only reads statistics), burst 32, the same mbuf count, cache 250,
# net_null's defaults (64-byte packets, no copy), the same EAL arguments but
# the --file-prefix. PathKit: bench_port --mode=pk (port_rx -> port_tx stages,
# default arguments), median Mpps over one-second windows after a one-second
# warm-up. testpmd: --forward-mode=io --stats-period 1, stopped with SIGINT;
# per period the ports' Tx-pps summed, median over the periods after the
# first. They alternate, 3 runs each; the line gives the medians of the runs:
#   bench: port.null_io value=<pk Mpps> unit=Mpps baseline=<testpmd Mpps> ...
# A control runs in the same alternation: bench_port --mode=raw, the bare
# rte_eth_rx_burst/rte_eth_tx_burst loop in the same harness, against the
# same testpmd runs (port.null_io.raw). Two processes' mbuf pools land
# differently in 4 KiB pages (no hugepages here): what raw reads against
# testpmd is that, not PathKit.
#
# Usage: bench_port_null_io.sh [REGEX]   (runs only if REGEX matches the id)
# Environment: PK_BUILD_DIR (default <tree>/build), PK_BENCH_SECONDS (5),
# PK_BENCH_RUNS (3), PK_BENCH_MBUFS (8192), PK_BENCH_PK_MODE (bench_port's
# --mode for the PathKit side, default pk; another mode, say pk_bytes,
# prints the line as port.null_io.<mode>). Exits 77 when it cannot run here.
# PK_BENCH_CONTROL=0 leaves the raw control out.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mode=${PK_BENCH_PK_MODE:-pk}
id=port.null_io
[ "$mode" = pk ] || id=port.null_io.$mode
regex=${1:-.}
wanted() { printf '%s\n' "$1" | grep -Eq -- "$regex"; }
control=${PK_BENCH_CONTROL:-1}
[ "$mode" != raw ] && wanted port.null_io.raw || control=0
if ! wanted "$id" && [ "$control" -eq 0 ]; then
	exit 0
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PK_BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
secs=${PK_BENCH_SECONDS:-5}
runs=${PK_BENCH_RUNS:-3}
mbufs=${PK_BENCH_MBUFS:-8192}
bench=$build/tests/perf/bench_port
testpmd=$(command -v dpdk-testpmd || true)

if [ ! -x "$bench" ]; then
	echo "bench_port_null_io: $bench not built" >&2
	exit 77
fi
if [ -z "$testpmd" ]; then
	echo "bench_port_null_io: dpdk-testpmd not found (Debian: dpdk-dev)" >&2
	exit 77
fi

tmp=$(mktemp -d /tmp/pk_bench_null_io.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

eal() {
	echo "--no-huge --no-shconf --no-pci -m 1024 -l 0,1" \
	     "--log-level=lib.eal:error --vdev net_null0 --vdev net_null1" \
	     "--file-prefix=$1"
}

median() {
	sort -n | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) print v[(NR + 1) / 2]
		      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_port --mode=M (run N) prints "port.null_io.M mpps=<median> ...".
run_pk() {
	prefix=pk_bench_nullio_$2_$$_$1
	rc=0
	# shellcheck disable=SC2046
	"$bench" $(eal "$prefix") -- --mode="$2" --seconds="$secs" \
		--mbufs="$mbufs" >"$tmp/$2.$1" 2>>"$tmp/log" || rc=$?
	rm -rf "/var/run/dpdk/$prefix"
	[ "$rc" -eq 0 ] || return 1
	sed -n "s/^port\.null_io\.$2 mpps=\([0-9.]*\).*/\1/p" "$tmp/$2.$1"
}

# testpmd: per period, the Tx-pps of port 0 and port 1 summed; the first
# period (counted from start-up, printed as 0) is left out.
run_testpmd() {
	prefix=pk_bench_nullio_tp_$$_$1
	# SIGINT after warm-up + the window, KILL 10 s later if it hangs.
	# shellcheck disable=SC2046
	timeout -s INT -k 10 $((secs + 3)) "$testpmd" $(eal "$prefix") -- \
		--forward-mode=io --nb-cores=1 --burst=32 \
		--total-num-mbufs="$mbufs" --stats-period 1 --auto-start \
		--no-mlockall >"$tmp/tp.$1" 2>&1 || [ $? -eq 124 ]
	rm -rf "/var/run/dpdk/$prefix"
	awk '/Tx-pps:/ { s += $2; if (++p == 2) { print s; s = p = 0 } }' \
		"$tmp/tp.$1" | tail -n +2 | median |
		awk '{ printf "%.3f\n", $1 / 1e6 }'
}

failed() {
	echo "bench_port_null_io: run $1 failed; logs:" >&2
	cat "$tmp/log" "$tmp/$mode.$1" "$tmp/raw.$1" "$tmp/tp.$1" >&2 \
		2>/dev/null || true
	exit 1
}

# line ID VALUES: the medians of VALUES and of testpmd's runs
line() {
	awk -v id="$1" -v v="$(median <"$2")" -v b="$(median <"$tmp/tp.all")" \
		'BEGIN { printf "bench: %s value=%.3f unit=Mpps baseline=%.3f " \
		"ratio=%.3f\n", id, v, b, (b > 0 ? v / b : 0) }'
}

# Odd runs go PathKit, raw, testpmd; even ones testpmd first (the first of
# a pair gained ~1% in fwd.io.aa, testpmd against itself).
i=1
while [ "$i" -le "$runs" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		t=$(run_testpmd "$i") || t=""
	fi
	v=$(run_pk "$i" "$mode") || v=""
	r=-
	if [ "$control" -eq 1 ]; then
		r=$(run_pk "$i" raw) || r=""
	fi
	if [ $((i % 2)) -eq 1 ]; then
		t=$(run_testpmd "$i") || t=""
	fi
	if [ -z "$v" ] || [ -z "$r" ] || [ -z "$t" ]; then
		failed "$i"
	fi
	echo "$id run $i: $mode $v Mpps, raw $r Mpps, testpmd $t Mpps" >&2
	echo "$v" >>"$tmp/$mode.all"
	[ "$r" = - ] || echo "$r" >>"$tmp/raw.all"
	echo "$t" >>"$tmp/tp.all"
	i=$((i + 1))
done

! wanted "$id" || line "$id" "$tmp/$mode.all"
[ "$control" -eq 0 ] || line port.null_io.raw "$tmp/raw.all"
