#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pk-silk's raw services (--raw, safe raw sockets) against real kernel
# clients. Namespaces as in test_silk_netns.sh (silk_env.sh: a veth pair;
# the node's uplink is net_af_packet on its end, its kernel side the TAP it
# makes). pk-silk's raw sockets craft their replies with the IP source
# 0.0.0.0 or ::, TTL 0 and every checksum 0: only the library's rewrite
# makes them valid. Checks:
# - UDP, IPv4 and IPv6: socat in the client's namespace sends datagrams to
#   alice's --raw udp port and gets each payload back; socat's socket is
#   connected, so the client's kernel hands it only a datagram from the
#   node's address and that port with a valid checksum;
# - TCP, IPv4 and IPv6: a connect to alice's --raw tcp port is refused at
#   once (the crafted RST|ACK is valid and acknowledges the SYN); a bare ACK
#   segment (from a raw socket) gets a RST whose sequence number is the
#   segment's acknowledgement number (RFC 793, a closed port);
# - a RST, and a UDP datagram whose UDP length lies, get no answer;
# - the final statistics: alice's raw_udp and raw_tcp rows received exactly
#   what the clients sent and sent one answer for each but those two,
#   nothing dropped; pk-silk's raw lines say the same, with no error and no
#   refused send; exit 0 after SIGINT with the mempool full;
# - bob cannot open a raw socket on alice's reserved port, nor alice one on
#   the port of her own echo: pk-silk exits 2 at start-up with the reason,
#   as for an echo.
# Everything it makes goes on exit, also on failure. Needs root, ip, socat,
# python3, ethtool: exits 77 otherwise.
#
# Usage: test_silk_raw.sh <pk-silk binary>
set -uo pipefail

bin=${1:-}
. "$(dirname "${BASH_SOURCE[0]}")/silk_env.sh"
silk_require ip socat python3 ethtool
silk_env raw 10.88.0.2/24 fd88::2/64

# shellcheck disable=SC2086 # $eal is words
silk_start $eal -l 0,1 --file-prefix="$prefix" \
	--vdev "net_af_packet0,iface=up0" -- --addr=10.88.0.1/24 \
	--addr6=fd88::1/64 --reserve=alice:udp:7100-7199 \
	--reserve=alice:tcp:8100-8199 --raw=alice:udp:7100 \
	--raw=alice:tcp:8100 --stats-period=1

# raw_udp DST TEXT: TEXT sent to DST (socat's address) comes back
udp_sent=0
raw_udp() {
	local got
	got=$(printf '%s' "$2" | ip netns exec "$nsc" timeout 10 \
		socat -t 1 - "$1" 2>&1)
	[ "$got" = "$2" ] || fail "raw udp $1: sent '$2', got '$got'"
	udp_sent=$((udp_sent + 1))
}
# 1200 bytes: within the 1500-byte MTU (a raw socket sends whole datagrams,
# it does not fragment them)
big=$(head -c 900 /dev/urandom | base64 -w 0)
for dst in "UDP4:10.88.0.1:7100" "UDP6:[fd88::1]:7100"; do
	raw_udp "$dst" "hello, raw"
	raw_udp "$dst" "a second one"
	raw_udp "$dst" "x"
	raw_udp "$dst" "$big"
done

# tcp_refused ADDR FAMILY: a connect to ADDR:8100 is refused within 1 s
tcp_sent=0
tcp_refused() {
	ip netns exec "$nsc" python3 - "$1" "$2" <<'EOF' ||
import errno, socket, sys, time
s = socket.socket(getattr(socket, sys.argv[2]), socket.SOCK_STREAM)
s.settimeout(5)
t = time.monotonic()
try:
    s.connect((sys.argv[1], 8100))
    sys.exit("connected")
except ConnectionRefusedError:
    pass
except OSError as e:
    sys.exit("connect: %s" % e)
dt = time.monotonic() - t
if dt > 1:
    sys.exit("refused after %.2f s, not at once" % dt)
EOF
		fail "tcp connect to $1:8100"
	tcp_sent=$((tcp_sent + 1))
}
tcp_refused 10.88.0.1 AF_INET
tcp_refused 10.88.0.1 AF_INET
tcp_refused fd88::1 AF_INET6

# a bare ACK (no connection) from a raw socket: the RST takes its sequence
# number from the ACK, and has no ACK itself
ip netns exec "$nsc" python3 - <<'EOF' || fail "RST for an ACK segment"
import select, socket, struct, sys
src, dst = socket.inet_aton('10.88.0.2'), socket.inet_aton('10.88.0.1')
def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
seg = struct.pack('!HHIIBBHHH', 40000, 8100, 1000, 777777, 5 << 4, 0x10,
                  512, 0, 0)
seg = seg[:16] + struct.pack('!H', csum(src + dst + struct.pack('!BBH', 0, 6,
                                        len(seg)) + seg)) + seg[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.sendto(seg, ('10.88.0.1', 0))
while True:
    if not select.select([s], [], [], 3)[0]:
        sys.exit("no RST within 3 s")
    d = s.recv(2048)
    ihl = (d[0] & 15) * 4
    sport, dport, seq, ack, off, flags = struct.unpack('!HHIIBB',
                                                       d[ihl:ihl + 14])
    if d[12:16] == dst and sport == 8100 and dport == 40000:
        break
if flags & 0x3f != 0x04 or seq != 777777:
    sys.exit("got flags %#x seq %d, want RST alone, seq 777777" % (flags, seq))
if csum(dst + src + struct.pack('!BBH', 0, 6, len(d) - ihl) + d[ihl:]) != 0:
    sys.exit("bad TCP checksum on the RST")
EOF
tcp_sent=$((tcp_sent + 1))

# what gets no answer: a RST (a closed port does not answer one), a UDP
# datagram whose UDP length is beyond its IP payload (it cannot be echoed)
ip netns exec "$nsc" python3 - <<'EOF' || fail "could not send the unanswered"
import socket, struct
t = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
t.sendto(struct.pack('!HHIIBBHHH', 40001, 8100, 5, 0, 5 << 4, 0x04, 0, 0, 0),
         ('10.88.0.1', 0))
u = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
u.sendto(struct.pack('!HHHH', 40002, 7100, 200, 0) + b'short', ('10.88.0.1', 0))
EOF
sleep 0.5

silk_stop
final_block
# want OWNER ROW COLUMN N: exactly N packets there
want() {
	local v
	v=$(row "$1" "$2" "$3")
	[ "${v:-missing}" = "$4" ] ||
		fail "owner $1 row $2: $3 is '${v:-missing}', want $4"
}
want alice raw_udp received $((udp_sent + 1))
want alice raw_udp sent "$udp_sent"
want alice raw_udp dropped 0
want alice raw_tcp received $((tcp_sent + 1))
want alice raw_tcp sent "$tcp_sent"
want alice raw_tcp dropped 0
for p in "udp:7100: answered $udp_sent" "tcp:8100: answered $tcp_sent"; do
	final_block | grep -q "^raw alice:$p ignored 1 errors 0$" ||
		fail "want 'raw alice:$p ignored 1 errors 0', got: $(final_block |
			grep '^raw alice:')"
done

# bob may not open a raw socket on alice's port, nor alice on her echo's:
# exit 2 with the reason
refused b "raw=bob:udp:7105: Permission denied" --exception=drop \
	--reserve=alice:udp:7000-7199 --raw=bob:udp:7105
refused c "raw=alice:udp:7106: Address already in use" --exception=drop \
	--udp-echo=alice:7106 --raw=alice:udp:7106
echo "silk_raw: ok ($udp_sent datagrams echoed, $tcp_sent segments reset)"
