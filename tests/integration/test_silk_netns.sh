#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pk-silk end to end with real kernel clients. Two network namespaces joined
# by a veth pair: the node's namespace holds pk-silk (its uplink is
# net_af_packet on its end of the veth, its kernel side the TAP it makes),
# the client's holds ping and socat. Checks: ping (IPv4 and IPv6) reaches the
# node's kernel through the exception path; datagrams sent with socat to a
# UDP echo come back, over IPv4 and IPv6; 4000-byte datagrams too (the
# client's kernel fragments them for the 1500-byte MTU, pk-silk reassembles
# them, IPv6 itself and IPv4 with the kernel's help (see below), and
# fragments the reply, which the client's kernel reassembles); a
# TCP stream through a TCP echo comes back whole, over IPv4 and IPv6;
# malformed and truncated frames at the uplink are counted and break
# nothing; the final per-owner statistics charge the echo's owner (udp and
# tcp rows) and "unknown" (misc: ARP, ICMP); pk-silk exits 0 after SIGINT
# with its mempool full. Then: owner bob cannot bind a port reserved for
# alice (pk-silk exits 2 with the socket API's reason). Everything it makes
# (namespaces, veths, processes, DPDK runtime dirs) goes on exit, also on
# failure. Needs root, ip, ping, socat, python3: exits 77 otherwise.
#
# Usage: test_silk_netns.sh <pk-silk binary>
set -uo pipefail

bin=${1:-}
. "$(dirname "${BASH_SOURCE[0]}")/silk_env.sh"
silk_require ip ping socat python3 ethtool
silk_env ns 10.88.0.2/24 fd88::2/64

# 8 kB frames and mbufs: net_af_packet hands IPv4 fragments over already
# reassembled by the kernel (PACKET_FANOUT_FLAG_DEFRAG), cut to its frame
# size, so a 4000-byte IPv4 datagram needs bigger frames than 2 kB (IPv6
# fragments arrive as they are, and pk-silk's reassembly joins them)
silk_start ${eal/-m 256/-m 512} -l 0,1 \
	--file-prefix="$prefix" \
	--vdev "net_af_packet0,iface=up0,framesz=8192,blocksz=8192" -- \
	--mbuf-size=8320 --addr=10.88.0.1/24 \
	--addr6=fd88::1/64 --reserve=alice:udp:7000-7099 \
	--reserve=alice:tcp:8000-8099 --udp-echo=alice:7007 \
	--tcp-echo=alice:8008 --udp-echo=bob:9009 --stats-period=1

# ping: ARP and ICMP through the exception path to the node's kernel
ip netns exec "$nsc" ping -c 3 -i 0.2 -W 2 10.88.0.1 >"$tmp/ping" 2>&1 ||
	fail "ping: $(cat "$tmp/ping")"
ip netns exec "$nsc" ping -6 -c 3 -i 0.2 -W 2 fd88::1 >"$tmp/ping6" 2>&1 ||
	fail "ping -6: $(cat "$tmp/ping6")"

# udp_echo PORT TEXT: the datagram comes back
udp_echo() {
	local got
	got=$(printf '%s' "$2" | ip netns exec "$nsc" timeout 10 \
		socat -t 3 - "UDP4:10.88.0.1:$1" 2>&1)
	[ "$got" = "$2" ] || fail "udp echo on $1: sent '$2', got '$got'"
}
udp_echo 7007 "hello, silk"
udp_echo 9009 "bob's echo"
got=$(printf 'over six' | ip netns exec "$nsc" timeout 10 \
	socat -t 3 - "UDP6:[fd88::1]:7007" 2>&1)
[ "$got" = "over six" ] || fail "udp echo over IPv6: got '$got'"

# reasm_oks: datagrams the client's kernel reassembled (IPv4, IPv6)
reasm_oks() {
	ip netns exec "$nsc" awk '$1 == "Ip:" && $0 ~ /ReasmOKs/ {
		for (i = 2; i <= NF; i++) if ($i == "ReasmOKs") c = i; next }
		$1 == "Ip:" { v4 = $c } END { print v4 }' /proc/net/snmp
	ip netns exec "$nsc" awk '$1 == "Ip6ReasmOKs" { print $2 }' \
		/proc/net/snmp6
}
# 4000 bytes in one datagram: fragments both ways, each way reassembled
head -c 4000 /dev/urandom >"$tmp/big.in"
read -r r4 r6 <<<"$(reasm_oks | tr '\n' ' ')"
for dst in "UDP4:10.88.0.1:7007" "UDP6:[fd88::1]:7007"; do
	ip netns exec "$nsc" timeout 10 socat -t 3 -b 65536 - "$dst" \
		<"$tmp/big.in" >"$tmp/big.out" 2>"$tmp/big.err" ||
		fail "4000-byte datagram to $dst: $(cat "$tmp/big.err")"
	cmp -s "$tmp/big.in" "$tmp/big.out" ||
		fail "4000-byte datagram to $dst: $(stat -c %s "$tmp/big.out") bytes came back"
done
read -r a4 a6 <<<"$(reasm_oks | tr '\n' ' ')"
[ "$a4" -gt "$r4" ] && [ "$a6" -gt "$r6" ] ||
	fail "the replies were not fragments: ReasmOKs $r4 -> $a4, $r6 -> $a6"

# tcp_echo DST BYTES WHAT: BYTES random bytes through the echo at DST
# (socat's address) come back whole
tcp_echo() {
	head -c "$2" /dev/urandom >"$tmp/tcp.in"
	ip netns exec "$nsc" timeout 30 socat -t 5 -b 65536 - "$1,shut-down" \
		<"$tmp/tcp.in" >"$tmp/tcp.out" 2>"$tmp/tcp.err" ||
		fail "$3: $(cat "$tmp/tcp.err")"
	cmp -s "$tmp/tcp.in" "$tmp/tcp.out" ||
		fail "$3: $(stat -c %s "$tmp/tcp.out") of $2 bytes came back"
}
tcp_echo "TCP4:10.88.0.1:8008" 200000 "tcp echo"
tcp_echo "TCP6:[fd88::1]:8008" 100000 "tcp echo over IPv6"

# hostile frames at the uplink: cut short, bad lengths and checksums, junk
ip netns exec "$nsc" python3 - "$(ip -n "$nsc" -br link show eth0 |
	awk '{print $3}')" <<'EOF' || fail "could not send the bad frames"
import random, socket, struct, sys
src = bytes.fromhex(sys.argv[1].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
dst = b'\xff' * 6
def ip4(payload, proto=17, tot=None, ihl=5):
    tot = tot if tot is not None else 20 + len(payload)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, tot, 1, 0, 64, proto, 0,
                    socket.inet_aton('10.88.0.2'), socket.inet_aton('10.88.0.1'))
    return h + payload
def udp(dport, data, length=None, csum=0x1234):
    length = length if length is not None else 8 + len(data)
    return struct.pack('!HHHH', 4000, dport, length, csum) + data
rnd = random.Random(14)
frames = []
for port in (7007, 9009):
    frames += [ip4(udp(port, b'x' * 10, csum=0xdead)),       # bad checksum
               ip4(udp(port, b'x' * 10, length=200)),          # UDP too long
               ip4(udp(port, b'x' * 10, length=3)),            # UDP too short
               ip4(udp(port, b'x' * 10), tot=500),             # IP too long
               ip4(udp(port, b'x' * 10), ihl=3),               # bad IHL
               ip4(udp(port, b'x' * 10))[:30]]                 # cut short
frames += [bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 80)))
           for _ in range(100)]
for f in frames:
    s.send(dst + src + b'\x08\x00' + f)
EOF
sleep 0.5
udp_echo 7007 "still alive"

silk_stop
rows_positive "alice udp received" "alice udp sent" "alice tcp received" \
	"alice tcp sent" "bob udp received" "bob udp sent" \
	"unknown misc received" "unknown misc sent" "alice udp dropped"
# the node's reassembly joined fragments (the IPv6 ones): it took more
# frames than it handed on, rx > stolen + full + exception + malformed
final_block | awk '
	$1 == "node" { rx = $4; out = $6 + $8 + $10 + $12 }
	END { exit !(rx > out) }' ||
	fail "no fragments reassembled by pk-silk: $(grep '^node' "$tmp/silk.log" | tail -1)"
final_block

# bob may not bind alice's port: a start-up error with the reason, exit 2
refused b "udp-echo=bob:7005: Permission denied" --exception=drop \
	--reserve=alice:udp:7000-7099 --udp-echo=bob:7005
echo "silk_netns: ok"
