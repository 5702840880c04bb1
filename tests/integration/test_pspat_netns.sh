#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pk-pspat end to end: iperf3 TCP flows from namespace pkpa to pkpb go
# through pk-pspat (client 0 receives on veth a0, client 1 on a1, the arbiter
# transmits on b0; net_af_packet ports). ACKs come back on a direct veth
# pair (r). Two runs, each checking iperf3's own receiver rates (goodput:
# 1448 bytes of each 1538 the link carries, with Ethernet header, FCS,
# preamble and gap, so 94.1% of the shaped rate):
#  1. per-client queues: one flow per client, 100 Mbit/s, weights 1:3:
#     within 10% of 25 and 75 Mbit/s of link (23.5, 70.6 of goodput);
#  2. per-flow queues (--flow-queues): one flow on client 0, two on client
#     1, 90 Mbit/s: each flow within 10% of 30 Mbit/s of link (28.2 of
#     goodput), where per-client queues would give client 0 half. Client
#     ports are fixed (--cport) so the flows hash to the same queues.
# Needs root, iperf3, ip, ethtool: exits 77 (skipped) without them.
# Everything is removed on exit, also on failure.
set -uo pipefail
bin=$1
secs=${PK_PSPAT_SECS:-8}
A=pkpa_$$ B=pkpb_$$
tmp=$(mktemp -d /tmp/pk_pspat.XXXXXX)
pids=()

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
for t in iperf3 ip ethtool; do
	command -v $t >/dev/null || skip "needs $t"
done

cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	for l in pa0h$$ pa1h$$ pb0h$$; do ip link del "$l" 2>/dev/null; done
	rm -rf "$tmp"
	pk_rm_rundirs "pk_pspat_$$"
}
. "$(dirname "$0")/pk_rundir.sh"
trap cleanup EXIT

ip netns add "$A" && ip netns add "$B" || fail "netns"
# host-side ends (pk-pspat's ports) and namespace ends
ip link add pa0h$$ type veth peer name a0 netns "$A" &&
ip link add pa1h$$ type veth peer name a1 netns "$A" &&
ip link add pb0h$$ type veth peer name b0 netns "$B" &&
ip -n "$A" link add ra type veth peer name rb netns "$B" || fail "veth"
for l in pa0h$$ pa1h$$ pb0h$$; do
	ip link set "$l" up
	ethtool -K "$l" gro off tx off tso off gso off >/dev/null 2>&1
done
nsdo() { ip netns exec "$@"; }
for l in a0 a1 ra; do
	nsdo "$A" ethtool -K $l tx off tso off gso off gro off >/dev/null 2>&1
	nsdo "$A" ip link set $l up
done
for l in b0 rb; do
	nsdo "$B" ethtool -K $l tx off tso off gso off gro off >/dev/null 2>&1
	nsdo "$B" ip link set $l up
done
nsdo "$A" ip link set lo up; nsdo "$B" ip link set lo up
for ns in "$A" "$B"; do
	nsdo "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
	nsdo "$ns" sysctl -qw net.ipv4.conf.default.rp_filter=0
	for l in $(nsdo "$ns" ls /sys/class/net); do
		nsdo "$ns" sysctl -qw net.ipv4.conf.$l.rp_filter=0 2>/dev/null
	done
done
mac() { ip netns exec "$1" cat /sys/class/net/$2/address; }
nsdo "$A" ip addr add 10.9.1.1/24 dev a0
nsdo "$A" ip addr add 10.9.2.1/24 dev a1
nsdo "$B" ip addr add 10.9.0.2/24 dev b0
# forward: source-routed out of a0 / a1 to b0's MAC (no ARP through pk-pspat)
for i in 1 2; do
	dev=a$((i - 1))
	nsdo "$A" ip route add 10.9.0.2/32 dev $dev table $((100 + i))
	nsdo "$A" ip rule add from 10.9.$i.1 table $((100 + i))
	nsdo "$A" ip neigh replace 10.9.0.2 lladdr "$(mac "$B" b0)" dev $dev
done
# reverse: ACKs straight back over r
nsdo "$B" ip route add 10.9.1.0/24 dev rb
nsdo "$B" ip route add 10.9.2.0/24 dev rb
nsdo "$B" ip neigh replace 10.9.1.1 lladdr "$(mac "$A" ra)" dev rb
nsdo "$B" ip neigh replace 10.9.2.1 lladdr "$(mac "$A" ra)" dev rb

# pspat <name> <pk-pspat options>: start pk-pspat in the background
pspat() {
	local name=$1; shift
	"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix=pk_pspat_$$ \
		--vdev=net_af_packet0,iface=pa0h$$ \
		--vdev=net_af_packet1,iface=pa1h$$ \
		--vdev=net_af_packet2,iface=pb0h$$ -- --clients=2 --source=ports \
		--policy=wfq --dispatch=arbiter --stats-period=2 "$@" \
		>"$tmp/$name.log" 2>&1 &
	pids=($! "${pids[@]}")
	sleep 2
	kill -0 "${pids[0]}" 2>/dev/null || fail "pk-pspat: $(cat "$tmp/$name.log")"
}
# stop_pspat <name>: SIGINT, wait, show its exit statistics
stop_pspat() {
	kill -INT "${pids[0]}"; wait "${pids[0]}"; pids=("${pids[@]:1}")
	grep -E "^exit" "$tmp/$1.log"
}
# flows <run> <source address>:<server port>:<client port> ...: one iperf3
# TCP flow each, all at once; prints the receivers' rates in Mbit/s
flows() {
	local run=$1 i=0 f src port cport cs=() out=()
	shift
	for f in "$@"; do
		IFS=: read -r src port cport <<<"$f"
		nsdo "$B" iperf3 -s -p "$port" -1 >/dev/null 2>&1 & pids+=($!)
	done
	sleep 0.5
	for f in "$@"; do
		IFS=: read -r src port cport <<<"$f"
		nsdo "$A" iperf3 -c 10.9.0.2 -p "$port" -B "$src" --cport "$cport" \
			-t "$secs" -O 2 -J >"$tmp/$run.$i.json" 2>&1 &
		cs+=($!); i=$((i + 1))
	done
	for i in "${!cs[@]}"; do
		wait "${cs[$i]}" ||
			fail "iperf3 $run flow $i: $(tail -5 "$tmp/$run.$i.json")"
		out+=("$(rate "$tmp/$run.$i.json")")
	done
	echo "${out[@]}"
}
rate() { # receiver's bits_per_second, in Mbit/s
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6)' "$1"
}
# within <rates> <expected rates>: each within 10%
within() {
	python3 -c 'import sys; n=len(sys.argv)//2; r=sys.argv[1:n+1]; e=sys.argv[n+1:]; sys.exit(0 if all(abs(float(a)-float(b))<=0.1*float(b) for a,b in zip(r,e)) else 1)' "$@"
}

# 1. per-client queues, weights 1:3
pspat clients --weights=1,3 --rate=100M
read -r r0 r1 <<<"$(flows clients 10.9.1.1:5201:40001 10.9.2.1:5202:40002)"
echo "iperf3: flow 0 (weight 1) $r0 Mbit/s, flow 1 (weight 3) $r1 Mbit/s"
stop_pspat clients
within "$r0" "$r1" 23.5 70.6 ||
	fail "rates $r0 / $r1 Mbit/s, want 23.5 / 70.6 within 10%"

# 2. per-flow queues: three flows, two of them from client 1
pspat flows --flow-queues=1024 --rate=90M
read -r r0 r1 r2 <<<"$(flows flows 10.9.1.1:5201:40011 10.9.2.1:5202:40012 \
	10.9.2.1:5203:40013)"
echo "iperf3: client 0 flow $r0, client 1 flows $r1 and $r2 Mbit/s"
stop_pspat flows
within "$r0" "$r1" "$r2" 28.2 28.2 28.2 ||
	fail "rates $r0 / $r1 / $r2 Mbit/s, want 28.2 each within 10%"
echo "pk-pspat netns: ok"
