#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# silk.tcp.iperf3: iperf3 TCP through pk-silk's TCP path for a kernel
# program (--kernel-port=alice:tcp:5201: the ingress shim steals the
# segments into alice's path, which charges them and reinjects them into the
# kernel through the TAP; the egress shim charges the kernel's answers to
# alice) against the same traffic on the plain exception path (pk-silk
# without --kernel-port: no key, no owner's accounting; the misses go to
# the same TAP queue), alternated A B A B in the same run, medians.
# Namespaces as in tests/integration/test_silk_netns.sh: the node's holds
# pk-silk (uplink net_af_packet on a veth end, -l 0,1: the node's shims on
# lcore 1) and iperf3 -s -1 bound to the node's address on the TAP; the
# client's holds iperf3 -c. Value and baseline: the receiver's Gbit/s;
# ratio: kernel port / plain exception path.
#
# Usage: bench_silk_tcp.sh [REGEX]   (runs silk.tcp.iperf3 if REGEX matches)
# (POSIX sh.) Environment: PK_BUILD_DIR (default <tree>/build),
# PK_BENCH_SECONDS (3 per run), PK_BENCH_RUNS (3 of each). Exits 77 when it
# cannot run (not root, no iperf3/ethtool/ip, pk-silk not built).
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

id=silk.tcp.iperf3
regex=${1:-.}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PK_BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
secs=${PK_BENCH_SECONDS:-3}
runs=${PK_BENCH_RUNS:-3}
silk=$build/examples/pk-silk

printf '%s\n' "$id" | grep -Eq -- "$regex" || exit 0
if [ ! -x "$silk" ]; then
	echo "bench_silk_tcp: $silk not built (meson -Dexamples=true)" >&2
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "bench_silk_tcp: $id needs root (network namespaces)" >&2
	exit 77
fi
for t in ip iperf3 ethtool; do
	if ! command -v "$t" >/dev/null; then
		echo "bench_silk_tcp: $id needs $t" >&2
		exit 77
	fi
done

tag=$$
nsn=pkbsn$tag nsc=pkbsc$tag
prefix=pkb_silk_tcp_$tag
tmp=$(mktemp -d /tmp/pk_bench_silk_tcp.XXXXXX)
pid=""

stop() { # PID: SIGINT, then SIGKILL after 4 s
	kill -INT "$1" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	[ -z "$pid" ] || stop "$pid"
	pid=""
	ip netns pids "$nsn" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
	ip netns del "$nsn" 2>/dev/null || true
	ip netns del "$nsc" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$prefix" "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$nsn"
ip netns add "$nsc"
ip link add up0 netns "$nsn" type veth peer name eth0 netns "$nsc"
ip -n "$nsn" link set lo up
ip -n "$nsc" link set lo up
ip -n "$nsn" link set up0 up
# the node namespace's kernel leaves up0's frames to pk-silk; no TX
# checksum offload: the frames cross user space (test_silk_netns.sh)
ip netns exec "$nsn" sysctl -q -w net.ipv6.conf.up0.disable_ipv6=1 \
	net.ipv4.conf.up0.arp_ignore=8 net.ipv4.conf.up0.rp_filter=1 \
	net.ipv4.conf.all.rp_filter=1 >/dev/null
ip netns exec "$nsn" ethtool -K up0 tx off >/dev/null 2>&1 || true
ip -n "$nsc" addr add 10.88.0.2/24 dev eth0
ip -n "$nsc" link set eth0 up
ip netns exec "$nsc" ethtool -K eth0 tx off >/dev/null 2>&1 || true

median() {
	sort -n | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) print v[(NR + 1) / 2]
		      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# gbps [PK-SILK OPTIONS...]: one iperf3 run through a fresh pk-silk; the
# receiver's Gbit/s on stdout, nothing on failure.
gbps() {
	ip netns exec "$nsn" "$silk" --no-huge --no-shconf --no-pci -m 512 \
		-l 0,1 --log-level=lib.eal:error --file-prefix="$prefix" \
		--vdev "net_af_packet0,iface=up0" -- --addr=10.88.0.1/24 \
		--stats-period=0 "$@" >"$tmp/silk.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "^pk-silk: node .* up" "$tmp/silk.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	ip netns exec "$nsn" iperf3 -s -1 -B 10.88.0.1 >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	ip netns exec "$nsc" timeout $((secs + 15)) iperf3 -c 10.88.0.1 \
		-t "$secs" -f g 2>/dev/null | awk '/receiver/ { print $(NF-2) }'
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	stop "$pid"
	pid=""
	rm -rf "/var/run/dpdk/$prefix"
}

: >"$tmp/a"
: >"$tmp/b"
i=1
while [ "$i" -le "$runs" ]; do
	v=$(gbps --kernel-port=alice:tcp:5201)
	grep -q "alice  *tcp" "$tmp/silk.log" || v=""
	b=$(gbps)
	if [ -z "$v" ] || [ -z "$b" ]; then
		echo "bench_silk_tcp: run $i failed (kernel port '$v'," \
		     "exception path '$b'):" >&2
		tail -20 "$tmp/silk.log" >&2
		exit 1
	fi
	echo "$id run $i: kernel port $v Gbit/s, exception path $b Gbit/s" >&2
	echo "$v" >>"$tmp/a"
	echo "$b" >>"$tmp/b"
	i=$((i + 1))
done
awk -v id="$id" -v v="$(median <"$tmp/a")" -v b="$(median <"$tmp/b")" '
	BEGIN { printf "bench: %s value=%.3f unit=Gbit/s baseline=%.3f ratio=%.3f\n",
		       id, v, b, (b > 0 ? v / b : 0) }'
