#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pk-silk's kernel ports (--kernel-port, pk_node_kernel_port()) end to end:
# an unmodified kernel server, iperf3 -s bound to the node's address in the
# node's namespace, serves a port claimed for owner alice; an iperf3 client
# in another namespace sends to it for 2 s. Namespaces as in
# test_silk_netns.sh (a veth pair; the node's uplink is net_af_packet on its
# end, its kernel side the TAP it makes). Checks: the transfer succeeds; in
# the final statistics alice's tcp row has received and sent > 0 (segments
# stolen into her path and reinjected; the kernel's answers charged by the
# egress shim), the node stole packets, and its counters balance (rx =
# stolen + full + exception + malformed); pk-silk exits 0 after SIGINT with
# its mempool full. Then two start-up errors (exit 2, with the reason): a
# kernel port reserved for another owner, and one without a TAP
# (--exception=drop). Everything it makes goes on exit, also on failure.
# Needs root, ip, iperf3, ethtool: exits 77 otherwise.
#
# Usage: test_silk_kport.sh <pk-silk binary>
set -uo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

bin=${1:-}
skip() { echo "SKIP: $*"; exit 77; }
if [ -z "$bin" ] || [ ! -x "$bin" ]; then skip "no pk-silk binary given"; fi
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for t in ip iperf3 ethtool; do
	command -v "$t" >/dev/null || skip "$t not installed (devtools/install-deps.sh)"
done

tag=$$
nsn=pkkn$tag nsc=pkkc$tag
tmp=$(mktemp -d /tmp/pk_silk_kport.XXXXXX)
silk_pid="" srv_pid=""
prefix="pk_silk_kp_$tag"

stop() { # PID: SIGINT, then SIGKILL after 4 s
	kill -INT "$1" 2>/dev/null
	for _ in $(seq 20); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	[ -n "$srv_pid" ] && stop "$srv_pid"
	[ -n "$silk_pid" ] && stop "$silk_pid"
	srv_pid="" silk_pid=""
	ip netns del "$nsn" 2>/dev/null
	ip netns del "$nsc" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix" "/var/run/dpdk/${prefix}_b" \
		"/var/run/dpdk/${prefix}_d"
}
final() { cleanup; rm -rf "$tmp"; }
trap final EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	[ -f "$tmp/silk.log" ] && tail -40 "$tmp/silk.log"
	[ -f "$tmp/srv.log" ] && tail -20 "$tmp/srv.log"
	exit 1
}

eal="--no-huge --no-shconf --no-pci -m 256 --log-level=lib.eal:error"

ip netns add "$nsn" || fail "netns add $nsn"
ip netns add "$nsc" || fail "netns add $nsc"
ip link add up0 netns "$nsn" type veth peer name eth0 netns "$nsc" ||
	fail "veth"
for ns in "$nsn" "$nsc"; do
	ip -n "$ns" link set lo up
done
# the node's end carries no address (its TAP does); no TX checksum offload
# on either end: the frames cross user space, where nobody completes one
ip -n "$nsn" link set up0 up
# and the node namespace's kernel must leave up0's frames to pk-silk: no
# IPv6 there, no ARP answers, no routing of what arrives on it
ip netns exec "$nsn" sysctl -q -w net.ipv6.conf.up0.disable_ipv6=1 \
	net.ipv4.conf.up0.arp_ignore=8 net.ipv4.conf.up0.rp_filter=1 \
	net.ipv4.conf.all.rp_filter=1 >/dev/null || fail "sysctl"
ip netns exec "$nsn" ethtool -K up0 tx off >/dev/null 2>&1 || true
ip -n "$nsc" addr add 10.88.0.2/24 dev eth0
ip -n "$nsc" link set eth0 up
ip netns exec "$nsc" ethtool -K eth0 tx off >/dev/null 2>&1 || true

ip netns exec "$nsn" "$bin" $eal -l 0,1 --file-prefix="$prefix" \
	--vdev "net_af_packet0,iface=up0" -- --addr=10.88.0.1/24 \
	--kernel-port=alice:tcp:5201 --stats-period=1 \
	>"$tmp/silk.log" 2>&1 &
silk_pid=$!
for _ in $(seq 100); do
	grep -q "^pk-silk: node .* up" "$tmp/silk.log" && break
	kill -0 "$silk_pid" 2>/dev/null || fail "pk-silk did not start"
	sleep 0.1
done
grep -q "^pk-silk: node .* up" "$tmp/silk.log" || fail "pk-silk not up"

# the kernel's server, on the node's address (the TAP's) in its namespace
ip netns exec "$nsn" iperf3 -s -1 -B 10.88.0.1 >"$tmp/srv.log" 2>&1 &
srv_pid=$!
for _ in $(seq 50); do
	ip netns exec "$nsn" ss -ltn 2>/dev/null | grep -q "10.88.0.1:5201" &&
		break
	sleep 0.1
done
ip netns exec "$nsc" timeout 30 iperf3 -c 10.88.0.1 -t 2 -f m \
	>"$tmp/cli.log" 2>&1 || fail "iperf3 client: $(tail -5 "$tmp/cli.log")"
grep -E "receiver" "$tmp/cli.log" || fail "iperf3: no receiver line"
wait "$srv_pid" 2>/dev/null
srv_pid=""

sleep 1.2 # one more periodic print
kill -INT "$silk_pid"
wait "$silk_pid"
rc=$?
silk_pid=""
[ "$rc" -eq 0 ] || fail "pk-silk exited $rc after SIGINT"
grep -q "^pk-silk: final statistics" "$tmp/silk.log" ||
	fail "no final statistics"
grep -q "leak" "$tmp/silk.log" && fail "pk-silk reports a leak"
final_block() { sed -n '/^pk-silk: final statistics/,$p' "$tmp/silk.log"; }
# owner rows: "  OWNER ROW sent P/B received P/B dropped P/B sockets O/C"
row() { # OWNER ROW COLUMN: packets of that column in the final block
	final_block | awk -v o="$1" -v r="$2" -v c="$3" '$1 == o && $2 == r {
		for (i = 3; i < NF; i++) if ($i == c) { split($(i+1), a, "/"); print a[1]; exit } }'
}
for spec in "alice tcp received" "alice tcp sent"; do
	set -- $spec
	v=$(row "$1" "$2" "$3")
	[ -n "$v" ] && [ "$v" -gt 0 ] ||
		fail "owner $1 row $2: $3 is '${v:-missing}', want > 0"
done
# "node NAME: rx N stolen N full N exception N malformed N ..."
node=$(final_block | grep "^node ")
counter() { printf '%s\n' "$node" | awk -v k="$1" '{
	for (i = 3; i < NF; i++) if ($i == k) { print $(i+1); exit } }'; }
rx=$(counter rx) stolen=$(counter stolen) full=$(counter full)
exc=$(counter exception) mal=$(counter malformed)
[ -n "$rx" ] && [ -n "$stolen" ] && [ -n "$full" ] && [ -n "$exc" ] &&
	[ -n "$mal" ] || fail "node counters missing: '$node'"
[ "$stolen" -gt 0 ] || fail "nothing stolen: '$node'"
[ "$rx" -eq $((stolen + full + exc + mal)) ] ||
	fail "node counters do not balance: '$node'"
final_block

# start-up errors, with the socket API's reason and exit code 2
# (in the node's namespace: the first one makes its TAP there)
refused() { # SUFFIX REASON OPTIONS...: pk-silk must exit 2 saying REASON
	local suffix=$1 reason=$2 rc
	shift 2
	ip netns exec "$nsn" "$bin" $eal -l 0 \
		--file-prefix="${prefix}_$suffix" --vdev net_null0 \
		-- --addr=10.88.0.1/24 "$@" >"$tmp/$suffix.log" 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || fail "$*: exit $rc, want 2: $(cat "$tmp/$suffix.log")"
	grep -q -- "$reason" "$tmp/$suffix.log" ||
		fail "$*: no reason given: $(cat "$tmp/$suffix.log")"
}
refused b "kernel-port=bob:tcp:8001: Permission denied" \
	--reserve=alice:tcp:8000-8099 \
	--kernel-port=bob:tcp:8001
refused d "kernel-port=alice:udp:53: Operation not supported" \
	--exception=drop --kernel-port=alice:udp:53
echo "silk_kport: ok"
