#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pk-fwd on real kernel traffic: two network namespaces, each with a veth
# pair whose host end is a port of pk-fwd (io mode) between them. For
# net_af_packet and net_tap: ping both ways, then an iperf3 TCP run of a few
# seconds through the forwarder, then SIGINT: each direction of its final
# statistics must add up (RX + generated = TX + dropped + TX errors). It
# asserts no rate: a busy machine may forward slowly, not wrongly. Everything it creates (namespaces, veths,
# processes) is removed on exit, also on failure. Needs root and ip, ping,
# iperf3, ethtool: exits 77 (skipped) with a message otherwise.
#
# Usage: test_fwd_netns.sh <pk-fwd binary> [af_packet|tap ...]
# Environment: PK_NETNS_IPERF_SECONDS (3). Prints, per variant,
#   fwd_netns <variant>: iperf3 <Gbit/s> Gbit/s
set -uo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

bin=${1:-}
shift || true
variants=${*:-af_packet tap}
secs=${PK_NETNS_IPERF_SECONDS:-3}

skip() { echo "SKIP: $*"; exit 77; }
if [ -z "$bin" ] || [ ! -x "$bin" ]; then skip "no pk-fwd binary given"; fi
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for t in ip ping iperf3 ethtool; do
	command -v "$t" >/dev/null || skip "$t not installed (devtools/install-deps.sh)"
done

tag=$$
nsa=pkfa$tag nsb=pkfb$tag
tmp=$(mktemp -d /tmp/pk_fwd_netns.XXXXXX)
fwd_pid="" srv_pid=""

cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	if [ -n "$fwd_pid" ]; then
		kill -INT "$fwd_pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$fwd_pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$fwd_pid" 2>/dev/null
		wait "$fwd_pid" 2>/dev/null
	fi
	fwd_pid="" srv_pid=""
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	ip link del "pkfa$tag" 2>/dev/null
	ip link del "pkfb$tag" 2>/dev/null
	ip link del "pkta$tag" 2>/dev/null
	ip link del "pktb$tag" 2>/dev/null
	rm -rf "/var/run/dpdk/pk_fwd_ns_$tag"
}
final() { cleanup; rm -rf "$tmp"; }
trap final EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	[ -f "$tmp/fwd.log" ] && tail -40 "$tmp/fwd.log"
	exit 1
}

# addr NS IFACE IP: configure the namespace end; no TX checksum offload,
# since the packets cross user space, where nobody completes a checksum.
addr() {
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
}

start_fwd() {
	"$bin" --no-huge --no-shconf --no-pci -m 256 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="pk_fwd_ns_$tag" "$@" \
		-- --forward-mode=io --stats-period 1 >"$tmp/fwd.log" 2>&1 &
	fwd_pid=$!
}

# net_af_packet: veth pairs, host ends are pk-fwd's ports.
setup_af_packet() {
	ip netns add "$nsa" || fail "netns add $nsa"
	ip netns add "$nsb" || fail "netns add $nsb"
	ip link add "pkfa$tag" type veth peer name eth0 netns "$nsa" ||
		fail "veth a"
	ip link add "pkfb$tag" type veth peer name eth0 netns "$nsb" ||
		fail "veth b"
	for l in "pkfa$tag" "pkfb$tag"; do
		ip link set "$l" up
		ethtool -K "$l" tx off >/dev/null 2>&1 || true
	done
	addr "$nsa" eth0 10.77.0.1
	addr "$nsb" eth0 10.77.0.2
	start_fwd --vdev "net_af_packet0,iface=pkfa$tag" \
		--vdev "net_af_packet1,iface=pkfb$tag"
}

# net_tap: pk-fwd creates the TAPs; move them into the namespaces once up.
setup_tap() {
	ip netns add "$nsa" || fail "netns add $nsa"
	ip netns add "$nsb" || fail "netns add $nsb"
	start_fwd --vdev "net_tap0,iface=pkta$tag" \
		--vdev "net_tap1,iface=pktb$tag"
	for _ in $(seq 50); do
		grep -q "^Logical Core" "$tmp/fwd.log" && break
		sleep 0.1
	done
	ip link set "pkta$tag" netns "$nsa" || fail "tap a into $nsa"
	ip link set "pktb$tag" netns "$nsb" || fail "tap b into $nsb"
	addr "$nsa" "pkta$tag" 10.77.0.1
	addr "$nsb" "pktb$tag" 10.77.0.2
}

# balanced VARIANT: each direction of pk-fwd's final statistics adds up,
# RX + generated = TX + dropped + TX errors (ethdev's counters against
# PathKit's drops), for both directions. net_tap counts the packets it
# refuses (which pk-fwd counts as dropped) as TX errors too, and a failed
# write twice, so for it the right side may come out larger, never smaller:
# a packet nobody accounts for fails both.
balanced() {
	local n=0 a b rx gen tx drop err left right
	while read -r a b rx gen tx drop err; do
		n=$((n + 1))
		left=$((rx + gen)) right=$((tx + drop + err))
		[ "$left" -eq "$right" ] ||
			{ [ "$1" = tap ] && [ "$left" -lt "$right" ]; } ||
			fail "$1: P=$a -> P=$b: RX $rx + generated $gen !=" \
				"TX $tx + dropped $drop + TX errors $err"
	done < <(sed -nE 's/^  Balance P=([0-9]+) -> P=([0-9]+): RX ([0-9]+) \+ generated ([0-9]+) = TX ([0-9]+) \+ dropped ([0-9]+) \+ TX errors ([0-9]+).*/\1 \2 \3 \4 \5 \6 \7/p' "$tmp/fwd.log")
	[ "$n" -eq 2 ] || fail "$1: $n balance lines in the final statistics, want 2"
	grep "^  Balance P=" "$tmp/fwd.log"
}

run_variant() {
	local v=$1 gbps
	"setup_$v"
	sleep 1
	kill -0 "$fwd_pid" 2>/dev/null || fail "$v: pk-fwd did not start"
	ip netns exec "$nsa" ping -c 3 -i 0.2 -W 2 10.77.0.2 >"$tmp/ping" 2>&1 ||
		fail "$v: ping a -> b: $(cat "$tmp/ping")"
	ip netns exec "$nsb" ping -c 3 -i 0.2 -W 2 10.77.0.1 >"$tmp/ping" 2>&1 ||
		fail "$v: ping b -> a: $(cat "$tmp/ping")"
	ip netns exec "$nsb" iperf3 -s -1 -B 10.77.0.2 >"$tmp/srv" 2>&1 &
	srv_pid=$!
	sleep 0.5
	ip netns exec "$nsa" timeout $((secs + 15)) iperf3 -c 10.77.0.2 \
		-t "$secs" -f g >"$tmp/iperf" 2>&1 ||
		fail "$v: iperf3: $(cat "$tmp/iperf")"
	gbps=$(awk '/receiver/ { print $(NF-2) }' "$tmp/iperf")
	[ -n "$gbps" ] || fail "$v: no iperf3 result: $(cat "$tmp/iperf")"
	kill -INT "$fwd_pid"
	wait "$fwd_pid" || fail "$v: pk-fwd exited $? after SIGINT"
	fwd_pid=""
	grep -q "Accumulated forward statistics" "$tmp/fwd.log" ||
		fail "$v: no final statistics"
	balanced "$v"
	echo "fwd_netns $v: iperf3 $gbps Gbit/s"
	cleanup
}

for v in $variants; do
	case $v in
	af_packet|tap) run_variant "$v" ;;
	*) fail "unknown variant $v" ;;
	esac
done
echo "fwd_netns: ok"
