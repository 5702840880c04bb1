#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pk-run's fwd.conf on real kernel traffic: two network namespaces, each
# with a veth pair whose host end is a net_af_packet port of pk-run
# (-D P0=... -D P1=... name them). Ping goes both ways through the two
# paths; after SIGINT each path must have sent everything it took
# (in = out), and more than the pings. Everything it creates (namespaces,
# veths, the process) is removed on exit, also on failure. Needs root, ip,
# ping, ethtool: exits 77 (skipped) with a message otherwise.
#
# Usage: test_run_netns.sh <pk-run binary> <examples/conf directory>
set -uo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

bin=${1:-} confdir=${2:-}
skip() { echo "SKIP: $*"; exit 77; }
[ -x "$bin" ] && [ -f "$confdir/fwd.conf" ] || skip "no pk-run or fwd.conf given"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for t in ip ping ethtool; do
	command -v "$t" >/dev/null || skip "$t not installed (devtools/install-deps.sh)"
done

tag=$$
nsa=pkra$tag nsb=pkrb$tag
tmp=$(mktemp -d /tmp/pk_run_netns.XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill -INT "$pid" 2>/dev/null
		sleep 1
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	ip link del "pkra$tag" 2>/dev/null
	ip link del "pkrb$tag" 2>/dev/null
	rm -rf "/var/run/dpdk/pk_run_ns_$tag" "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL: $*"; tail -30 "$tmp/run.log"; exit 1; }

ip netns add "$nsa" && ip netns add "$nsb" || fail "netns add"
ip link add "pkra$tag" type veth peer name eth0 netns "$nsa" || fail "veth a"
ip link add "pkrb$tag" type veth peer name eth0 netns "$nsb" || fail "veth b"
i=1
for ns in "$nsa" "$nsb"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "10.78.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || true
	i=$((i + 1))
done
for l in "pkra$tag" "pkrb$tag"; do
	ip link set "$l" up
	ethtool -K "$l" tx off >/dev/null 2>&1 || true
done

"$bin" --no-huge --no-shconf --no-pci -m 256 -l 0,1 \
	--log-level=lib.eal:error --file-prefix="pk_run_ns_$tag" \
	--vdev "net_af_packet0,iface=pkra$tag" \
	--vdev "net_af_packet1,iface=pkrb$tag" -- -f "$confdir/fwd.conf" \
	-D P0=net_af_packet0 -D P1=net_af_packet1 >"$tmp/run.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
	grep -q "running" "$tmp/run.log" 2>/dev/null && break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null || fail "pk-run did not start"
ip netns exec "$nsa" ping -c 5 -i 0.2 -W 2 10.78.0.2 >"$tmp/ping" 2>&1 ||
	fail "ping a -> b: $(cat "$tmp/ping")"
ip netns exec "$nsb" ping -c 5 -i 0.2 -W 2 10.78.0.1 >"$tmp/ping" 2>&1 ||
	fail "ping b -> a: $(cat "$tmp/ping")"
kill -INT "$pid"
wait "$pid" || fail "pk-run exited $? after SIGINT"
pid=""
for p in p0to1 p1to0; do
	read -r in out < <(awk -v p="path $p " 'index($0, p) == 1 {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^in=/) { split($i, a, "="); x = a[2] }
			if ($i ~ /^out=/) { split($i, b, "="); y = b[2] }
		}
		print x, y }' "$tmp/run.log")
	[ -n "$in" ] && [ "$in" -ge 10 ] && [ "$in" -eq "$out" ] ||
		fail "path $p: in=$in out=$out"
	echo "run_netns: path $p forwarded $out of $in frames"
done
echo "run_netns: ok"
