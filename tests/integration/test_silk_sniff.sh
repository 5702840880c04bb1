#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pk-silk's sniffers (--sniff) against real kernel clients, read back from
# the pcap files they wrote. Namespaces as in test_silk_netns.sh
# (silk_env.sh: a veth pair; the node's uplink is net_af_packet on its end,
# its kernel side the TAP it makes). Owner alice reserves UDP and TCP
# ranges, has a UDP echo and a TCP echo there and a sniffer on each echo's
# port (one file by default name, in pk-silk's directory, one named);
# owner bob has a UDP echo on a port of his own and no sniffer. The client
# sends N datagrams to alice's UDP echo and M to bob's, over IPv4 and IPv6,
# each echoed, bob's from the client's port that is alice's port number on
# the node (a sniffer that matched either port would take them), and has a
# TCP exchange with alice's TCP echo in each family. Once pk-silk exited,
# a python3 reader (struct only) checks the files:
# - libpcap's header, link type raw IP (101), every record whole;
# - alice's UDP file: exactly her 2N datagrams per family, in, out, in,
#   out... (each echo copied after its datagram), between the node's
#   address and port and the client's, the payloads sent and echoed;
# - alice's TCP file: only her connections' segments, both directions, the
#   handshake (SYN in, SYN|ACK out, the ACK of it in), the stream and its
#   echo whole, a FIN each way, no reset (but the node's answer to a
#   second ACK of its FIN, when a loaded machine made it send the FIN
#   twice);
# - nothing to or from bob's port, nor any other port, in either file;
# - every IPv4 header checksum and every UDP and TCP checksum valid, above
#   all those of the outgoing copies: they are what left on the wire;
# - pk-silk's lines: each sniffer wrote as many as its file holds, dropped
#   none, no error; the node made as many copies (sniffed) and lost none;
#   it exits 0 after SIGINT with its mempool full.
# Then bob cannot sniff alice's reserved port, nor alice the port one of her
# sniffers has already: pk-silk exits 2 at start-up with the reason.
# Everything it makes goes on exit, also on failure. Needs root, ip,
# python3, ethtool: exits 77 otherwise.
#
# Usage: test_silk_sniff.sh <pk-silk binary>
set -uo pipefail

bin=${1:-}
. "$(dirname "${BASH_SOURCE[0]}")/silk_env.sh"
silk_require ip python3 ethtool
bin=$(readlink -f "$bin") # meson gives it relative to where we start
silk_env sniff 10.89.0.2/24 fd89::2/64
N=10 M=6
cd "$tmp" || fail "cd $tmp" # pk-silk writes its default file here

# shellcheck disable=SC2086 # $eal is words
silk_start $eal -l 0,1 --file-prefix="$prefix" \
	--vdev "net_af_packet0,iface=up0" -- --addr=10.89.0.1/24 \
	--addr6=fd89::1/64 --reserve=alice:udp:7200-7299 \
	--reserve=alice:tcp:8200-8299 --reserve=bob:udp:7300-7399 \
	--udp-echo=alice:7200 --tcp-echo=alice:8200 --udp-echo=bob:7300 \
	--sniff=alice:7200 --sniff=alice:8200:alice-tcp.pcap --stats-period=1
[ -f sniff-alice-7200.pcap ] || fail "no sniff-alice-7200.pcap in $tmp"

# the clients: what they sent, as JSON, for the reader
ip netns exec "$nsc" python3 - "$N" "$M" >"$tmp/sent.json" <<'EOF' ||
import json, os, socket, sys
n, m = int(sys.argv[1]), int(sys.argv[2])
fams = {'4': (socket.AF_INET, '10.89.0.1', '0.0.0.0'),
        '6': (socket.AF_INET6, 'fd89::1', '::')}
out = {'udp': {}, 'tcp': {}}

def udp(fam, dst, port, count, tag, sport=0):
    af, addr, anyaddr = fams[fam]
    s = socket.socket(af, socket.SOCK_DGRAM)
    s.bind((anyaddr, sport))
    s.settimeout(3)
    sent = []
    for i in range(count):
        msg = ('%s-%s-%d-' % (tag, fam, i)).encode() + os.urandom(i * 37)
        s.sendto(msg, (addr, port))
        got, frm = s.recvfrom(4096)
        if got != msg or frm[1] != port:
            sys.exit('%s datagram %d over IPv%s: echo wrong' % (tag, i, fam))
        sent.append(msg.hex())
    cport = s.getsockname()[1]
    s.close()
    return cport, sent

def tcp(fam):
    af, addr, _ = fams[fam]
    data = os.urandom(3000)
    s = socket.create_connection((addr, 8200), timeout=5)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = b''
    while True: # the echo closes once it has read our FIN
        b = s.recv(65536)
        if not b:
            break
        got += b
    if got != data:
        sys.exit('tcp over IPv%s: %d bytes echoed of %d' % (fam, len(got),
                                                            len(data)))
    cport = s.getsockname()[1]
    s.close()
    return cport, data.hex()

for fam in fams:
    out['udp'][fam] = udp(fam, fams[fam][1], 7200, n, 'alice')
    # from the client's port 7200: alice's port number, bob's datagrams
    udp(fam, fams[fam][1], 7300, m, 'bob', 7200)
    out['tcp'][fam] = tcp(fam)
json.dump(out, sys.stdout)
EOF
	fail "clients: $(cat "$tmp/sent.json")"
sleep 0.5 # the FINs' ACKs

silk_stop
final_block
# sniff_line PORT: "written W dropped D errors E file F" of alice's sniffer
sniff_line() { final_block | grep "^sniff alice:$1: "; }
for p in 7200 8200; do
	sniff_line $p | grep -q "dropped 0 errors 0 file " ||
		fail "sniffer of $p: '$(sniff_line $p)', want nothing dropped"
done
w1=$(sniff_line 7200 | awk '{ print $4 }')
w2=$(sniff_line 8200 | awk '{ print $4 }')
[ "$(sniff_line 7200 | sed 's/.* file //')" = sniff-alice-7200.pcap ] ||
	fail "default file: $(sniff_line 7200)"
node=$(final_block | grep '^node silk:')
sniffed=${node##* sniffed } sniffed=${sniffed%% *}
[ "$sniffed" = $((w1 + w2)) ] ||
	fail "node sniffed $sniffed copies, the sniffers wrote $w1 + $w2"
grep -q ' sniff_lost 0$' <<<"$node" || fail "copies lost: $node"

python3 - sniff-alice-7200.pcap "$w1" alice-tcp.pcap "$w2" sent.json \
	"$N" <<'EOF' || fail "the pcap files"
import ipaddress, json, struct, sys

NODE = {4: ipaddress.ip_address('10.89.0.1').packed,
        6: ipaddress.ip_address('fd89::1').packed}
CLIENT = {4: ipaddress.ip_address('10.89.0.2').packed,
          6: ipaddress.ip_address('fd89::2').packed}
errors = []

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def records(path, want):
    d = open(path, 'rb').read()
    magic, vmaj, vmin, _, _, snap, link = struct.unpack('<IHHiIII', d[:24])
    if magic != 0xa1b2c3d4 or (vmaj, vmin) != (2, 4):
        sys.exit('%s: not a libpcap file' % path)
    if link != 101:
        sys.exit('%s: link type %d, want 101 (raw IP)' % (path, link))
    off, out = 24, []
    while off < len(d):
        _, _, cap, orig = struct.unpack('<IIII', d[off:off + 16])
        if cap != orig or off + 16 + cap > len(d):
            sys.exit('%s: record %d cut (%d of %d)' % (path, len(out), cap,
                                                      orig))
        out.append(d[off + 16:off + 16 + cap])
        off += 16 + cap
    if len(out) != want:
        sys.exit('%s: %d records, pk-silk wrote %d' % (path, len(out), want))
    return out

def parse(p, what):
    """(family, proto, src, dst, l4 bytes), checksums checked."""
    v = p[0] >> 4
    if v == 4:
        hl = (p[0] & 15) * 4
        tot, proto, src, dst = (struct.unpack('!H', p[2:4])[0], p[9],
                                p[12:16], p[16:20])
        if tot != len(p) or csum(p[:hl]) != 0:
            errors.append('%s: IPv4 length %d of %d or header checksum' %
                          (what, tot, len(p)))
        l4 = p[hl:]
    elif v == 6:
        proto, src, dst = p[6], p[8:24], p[24:40]
        if 40 + struct.unpack('!H', p[4:6])[0] != len(p):
            errors.append('%s: IPv6 length' % what)
        l4 = p[40:]
        v = 6
    else:
        sys.exit('%s: not IP' % what)
    ph = (src + dst + struct.pack('!BBH', 0, proto, len(l4)) if v == 4 else
          src + dst + struct.pack('!IHBB', len(l4), 0, 0, proto))
    ck = struct.unpack('!H', l4[6:8] if proto == 17 else l4[16:18])[0]
    if proto not in (6, 17):
        sys.exit('%s: protocol %d' % (what, proto))
    if ck == 0 or csum(ph + l4) != 0:
        errors.append('%s: bad %s checksum %#x' %
                      (what, 'UDP' if proto == 17 else 'TCP', ck))
    return v, proto, src, dst, l4

def direction(v, src, dst, sport, dport, port, what):
    """'in' or 'out' of the node's port, anything else is a leak."""
    if dst == NODE[v] and dport == port and src == CLIENT[v]:
        return 'in'
    if src == NODE[v] and sport == port and dst == CLIENT[v]:
        return 'out'
    sys.exit('%s: %d -> %d is not the node\'s port %d and the client' %
             (what, sport, dport, port))

sent = json.load(open(sys.argv[5]))
n = int(sys.argv[6])

# alice's UDP port: in, out, in, out... per family, her datagrams only
udp = {4: [], 6: []}
for i, p in enumerate(records(sys.argv[1], int(sys.argv[2]))):
    what = 'udp file record %d' % i
    v, proto, src, dst, l4 = parse(p, what)
    if proto != 17:
        sys.exit('%s: TCP in the UDP port\'s file' % what)
    sport, dport, ulen = struct.unpack('!HHH', l4[:6])
    if 7300 in (sport, dport):
        sys.exit('%s: bob\'s datagram %d -> %d' % (what, sport, dport))
    d = direction(v, src, dst, sport, dport, 7200, what)
    cport = sent['udp'][str(v)][0]
    if (dport if d == 'out' else sport) != cport or ulen != len(l4):
        sys.exit('%s: client port or UDP length wrong' % what)
    udp[v].append((d, l4[8:].hex()))
for v in (4, 6):
    msgs = sent['udp'][str(v)][1]
    want = [(d, m) for m in msgs for d in ('in', 'out')]
    if udp[v] != want:
        sys.exit('IPv%d UDP: %d copies, not the %d datagrams sent and '
                 'echoed in order' % (v, len(udp[v]), len(want)))
    if len(msgs) != n:
        sys.exit('IPv%d: %d datagrams sent, want %d' % (v, len(msgs), n))

# alice's TCP port: her two connections, the handshake, the stream both
# ways, a FIN each way
SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04
resets = 0
segs = {4: [], 6: []}
for i, p in enumerate(records(sys.argv[3], int(sys.argv[4]))):
    what = 'tcp file record %d' % i
    v, proto, src, dst, l4 = parse(p, what)
    if proto != 6:
        sys.exit('%s: UDP in the TCP port\'s file' % what)
    sport, dport, seq, ack, off, flags = struct.unpack('!HHIIBB', l4[:14])
    d = direction(v, src, dst, sport, dport, 8200, what)
    if (dport if d == 'out' else sport) != sent['tcp'][str(v)][0]:
        sys.exit('%s: not the client\'s connection' % what)
    segs[v].append((d, seq, ack, flags, l4[(off >> 4) * 4:]))
def show(s):
    """The connection, one segment a line, for a failure's message."""
    names = 'FSRPAU'
    return ''.join('\n  %-3s %-6s seq %u ack %u len %d' %
                   (d, ''.join(c for i, c in enumerate(names) if f >> i & 1),
                    seq, ack, len(data)) for d, seq, ack, f, data in s)
for v in (4, 6):
    s = segs[v]
    syn = [x for x in s if x[0] == 'in' and x[3] & (SYN | ACK) == SYN]
    synack = [x for x in s if x[0] == 'out' and x[3] & (SYN | ACK) ==
              SYN | ACK]
    if not syn or not synack or synack[0][2] != syn[0][1] + 1:
        sys.exit('IPv%d TCP: no SYN, or no SYN|ACK acknowledging it' % v)
    if s[0][3] & (SYN | ACK) != SYN or s[1][3] & (SYN | ACK) != SYN | ACK:
        sys.exit('IPv%d TCP: the file does not start with the handshake' % v)
    third = s[2]
    if (third[0] != 'in' or third[3] & (SYN | ACK) != ACK or
            third[2] != synack[0][1] + 1):
        sys.exit('IPv%d TCP: the third segment is not the handshake\'s '
                 'ACK' % v)
    # a FIN the node's kernel sent again (its loss probe fires when a
    # loaded machine delays the ACKs) is acknowledged twice, and the closed
    # socket resets the second ACK: the one reset allowed, the node's,
    # last, right after its FIN
    rst = [i for i, x in enumerate(s) if x[3] & RST]
    fin = [x for x in s if x[0] == 'out' and x[3] & FIN]
    if rst and (rst != [len(s) - 1] or s[-1][0] != 'out' or not fin or
                s[-1][1] != (fin[0][1] + 1) & 0xffffffff):
        sys.exit('IPv%d TCP: a reset:%s' % (v, show(s)))
    resets += len(rst)
    for d, isn in (('in', syn[0][1]), ('out', synack[0][1])):
        stream = bytearray()
        for x in s:
            if x[0] != d or not x[4]:
                continue
            at = (x[1] - isn - 1) & 0xffffffff
            if at > len(stream):
                sys.exit('IPv%d TCP %s: a hole before %d' % (v, d, at))
            stream[at:at + len(x[4])] = x[4]
        if bytes(stream).hex() != sent['tcp'][str(v)][1]:
            sys.exit('IPv%d TCP %s: %d bytes, not the stream' %
                     (v, d, len(stream)))
        if not any(x[0] == d and x[3] & FIN for x in s):
            sys.exit('IPv%d TCP %s: no FIN' % (v, d))
if errors:
    sys.exit('\n'.join(errors))
print('udp: %d and %d copies, tcp: %d and %d segments, %d closing reset(s)'
      % (len(udp[4]), len(udp[6]), len(segs[4]), len(segs[6]), resets))
EOF

# bob may not sniff alice's reserved port, nor alice a port sniffed already:
# exit 2 with the reason
refused b "sniff=bob:7205: udp over IPv4: Permission denied" \
	--exception=drop --reserve=alice:udp:7200-7299 --sniff=bob:7205
refused c "sniff=alice:7206:b.pcap: udp over IPv4: Address already in use" \
	--exception=drop --sniff=alice:7206:a.pcap --sniff=alice:7206:b.pcap
echo "silk_sniff: ok ($w1 UDP and $w2 TCP copies of alice's, none of bob's)"
