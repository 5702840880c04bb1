#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pk-pspat end to end: two iperf3 TCP flows from namespace pkpa to pkpb go
# through pk-pspat (client 0 receives on veth a0, client 1 on a1, the arbiter
# transmits on b0; net_af_packet ports), shaped to 100 Mbit/s with weights
# 1:3. ACKs come back on a direct veth pair (r). iperf3's own receiver rates
# must be within 10% of 25 and 75 Mbit/s. Needs root, iperf3, ip, ethtool:
# exits 77 (skipped) without them. Everything is removed on exit, also on
# failure.
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
}
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

"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 --log-level=lib.eal:error \
	--file-prefix=pk_pspat_$$ \
	--vdev=net_af_packet0,iface=pa0h$$ --vdev=net_af_packet1,iface=pa1h$$ \
	--vdev=net_af_packet2,iface=pb0h$$ -- --clients=2 --source=ports \
	--weights=1,3 --rate=100M --policy=wfq --dispatch=arbiter \
	--stats-period=2 >"$tmp/pspat.log" 2>&1 &
pids+=($!)
sleep 2
kill -0 "${pids[0]}" 2>/dev/null || fail "pk-pspat: $(cat "$tmp/pspat.log")"
nsdo "$B" iperf3 -s -p 5201 -1 >/dev/null 2>&1 & pids+=($!)
nsdo "$B" iperf3 -s -p 5202 -1 >/dev/null 2>&1 & pids+=($!)
sleep 0.5
nsdo "$A" iperf3 -c 10.9.0.2 -p 5201 -B 10.9.1.1 -t "$secs" -O 2 -J \
	>"$tmp/f0.json" 2>&1 & c0=$!
nsdo "$A" iperf3 -c 10.9.0.2 -p 5202 -B 10.9.2.1 -t "$secs" -O 2 -J \
	>"$tmp/f1.json" 2>&1 & c1=$!
wait $c0 || fail "iperf3 flow 0: $(tail -5 "$tmp/f0.json")"
wait $c1 || fail "iperf3 flow 1: $(tail -5 "$tmp/f1.json")"
rate() { # receiver's bits_per_second, in Mbit/s
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6)' "$1"
}
r0=$(rate "$tmp/f0.json") r1=$(rate "$tmp/f1.json")
echo "iperf3: flow 0 (weight 1) $r0 Mbit/s, flow 1 (weight 3) $r1 Mbit/s"
kill -INT "${pids[0]}"; wait "${pids[0]}"; pids=("${pids[@]:1}")
grep -E "^exit" "$tmp/pspat.log"
python3 -c 'import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(a-25)<=2.5 and abs(b-75)<=7.5 else 1)' "$r0" "$r1" ||
	fail "rates $r0 / $r1 Mbit/s, want 25 / 75 within 10%"
echo "pk-pspat netns: ok"
