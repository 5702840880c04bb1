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

bin=${1:-}
. "$(dirname "${BASH_SOURCE[0]}")/silk_env.sh"
silk_require ip iperf3 ethtool
silk_env kp 10.88.0.2/24

silk_start $eal -l 0,1 --file-prefix="$prefix" \
	--vdev "net_af_packet0,iface=up0" -- --addr=10.88.0.1/24 \
	--kernel-port=alice:tcp:5201 --stats-period=1

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

silk_stop
rows_positive "alice tcp received" "alice tcp sent"
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
refused b "kernel-port=bob:tcp:8001: Permission denied" \
	--reserve=alice:tcp:8000-8099 \
	--kernel-port=bob:tcp:8001
refused d "kernel-port=alice:udp:53: Operation not supported" \
	--exception=drop --kernel-port=alice:udp:53
echo "silk_kport: ok"
