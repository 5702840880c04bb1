#!/usr/bin/env python3
"""Write the seed corpora: for fuzz_flow_parse (corpus/, or argv[1]), valid
frames of each kind the parser knows; for fuzz_udp (corpus_udp/, or argv[2]),
UDP datagrams with right checksums and a few with one thing wrong. Each frame
is prefixed by the harness's two selector bytes. For fuzz_raw (corpus_raw/,
or argv[3]), datagrams a raw socket bound to port 5353 may send and a few it
may not, behind that harness's five selector bytes."""
import os
import struct
import sys

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def eth(t, vlans=()):
    h = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01'
    for tpid, vid in vlans:
        h += struct.pack('!HH', tpid, vid)
    return h + struct.pack('!H', t)

def ip4(proto, payload, frag=0, opts=b''):
    ihl = 5 + len(opts) // 4
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, 20 + len(opts) + len(payload),
                    1, frag, 64, proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + opts
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload

def ip6(nh, payload):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nh, 64,
                       b'\xfd' + b'\0' * 14 + b'\x01', b'\xfd' + b'\0' * 14 + b'\x02') + payload

udp = struct.pack('!HHHH', 1024, 53, 12, 0) + b'abcd'
tcp = struct.pack('!HHIIBBHHH', 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
echo = struct.pack('!BBHHH', 8, 0, 0, 0x1234, 1) + b'ping'
unreach = struct.pack('!BBHI', 3, 3, 0, 0) + ip4(17, udp)[:28]
v6_hbh = bytes([6, 0]) + b'\0' * 6  # hop-by-hop, next header TCP
seeds = {
    'ipv4_udp': eth(0x0800) + ip4(17, udp),
    'ipv4_tcp_opts': eth(0x0800) + ip4(6, tcp, opts=b'\x01\x01\x01\x00'),
    'ipv4_icmp_echo': eth(0x0800) + ip4(1, echo),
    'ipv4_icmp_unreach': eth(0x0800) + ip4(1, unreach),
    'ipv4_frag_first': eth(0x0800) + ip4(17, udp, frag=0x2000),
    'ipv4_frag_later': eth(0x0800) + ip4(17, udp[:8], frag=0x0003),
    'vlan_ipv4_udp': eth(0x0800, [(0x8100, 7)]) + ip4(17, udp),
    'qinq_ipv4_udp': eth(0x0800, [(0x88a8, 1), (0x8100, 7)]) + ip4(17, udp),
    'ipv6_tcp': eth(0x86dd) + ip6(6, tcp),
    'ipv6_hbh_tcp': eth(0x86dd) + ip6(0, v6_hbh + tcp),
    'ipv6_icmp6_echo': eth(0x86dd) + ip6(58, struct.pack('!BBHHH', 128, 0, 0, 7, 1)),
    'arp': eth(0x0806) + b'\0' * 28,
}

def udp_seg(src, dst, payload, sport=1024, dport=53):
    """A UDP header and payload with the checksum over src/dst's pseudo-header."""
    ulen = 8 + len(payload)
    c = csum(src + dst + struct.pack('!BBH', 0, 17, ulen) +
             struct.pack('!HHHH', sport, dport, ulen, 0) + payload) or 0xffff
    return struct.pack('!HHHH', sport, dport, ulen, c) + payload

A4, B4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
A6, B6 = b'\xfd' + b'\0' * 14 + b'\x01', b'\xfd' + b'\0' * 14 + b'\x02'
text = bytes(range(33, 33 + 61))  # odd length: words straddle segments
u4, u6 = udp_seg(A4, B4, text), udp_seg(A6, B6, text)
frag6 = bytes([17, 0, 0, 0, 0, 0, 0, 7])  # atomic fragment header
udp_seeds = {
    'v4': eth(0x0800) + ip4(17, u4),
    'v4_opts': eth(0x0800) + ip4(17, u4, opts=b'\x01\x01\x01\x00'),
    'v4_no_csum': eth(0x0800) + ip4(17, u4[:6] + b'\0\0' + u4[8:]),
    'v4_padded': eth(0x0800) + ip4(17, udp_seg(A4, B4, b'ab')) + b'\0' * 14,
    'v4_vlan': eth(0x0800, [(0x8100, 7)]) + ip4(17, u4),
    'v4_qinq': eth(0x0800, [(0x88a8, 1), (0x8100, 7)]) + ip4(17, u4),
    'v4_frag': eth(0x0800) + ip4(17, u4, frag=0x2000),
    'v4_bad_csum': eth(0x0800) + ip4(17, u4[:-1] + b'!'),
    'v6': eth(0x86dd) + ip6(17, u6),
    'v6_ext': eth(0x86dd) + ip6(0, bytes([60, 0]) + b'\0' * 6 +
                                bytes([17, 0]) + b'\0' * 6 + u6),
    'v6_atomic_frag': eth(0x86dd) + ip6(44, frag6 + u6),
    'v6_zero_csum': eth(0x86dd) + ip6(17, u6[:6] + b'\0\0' + u6[8:]),
    'v6_tcp': eth(0x86dd) + ip6(6, tcp),
}

# fuzz_raw: IP datagrams (no Ethernet) from a forged source; the node is
# 10.0.0.1 / fd00::1, the peer 192.0.2.7 / 2001:db8::7, the bound port 5353.
SELF4, PEER4, FORGE4 = bytes([10, 0, 0, 1]), bytes([192, 0, 2, 7]), bytes([6] * 4)
SELF6 = b'\xfd' + b'\0' * 14 + b'\x01'
PEER6 = b'\x20\x01\x0d\xb8' + b'\0' * 11 + b'\x07'
FORGE6 = b'\x20\x01\x0d\xb8' + b'\0' * 10 + b'\x06\0'
BOUND, PEERP = 5353, 40000

def rip4(proto, payload, src=FORGE4, dst=PEER4, opts=b'', ttl=0):
    ihl = 5 + len(opts) // 4
    return struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, 20 + len(opts) + len(payload),
                       7, 0x4000, ttl, proto, 0, src, dst) + opts + payload

def rip6(nh, payload, src=FORGE6, dst=PEER6, ext=b''):
    return struct.pack('!IHBB16s16s', 0x60000000, len(ext) + len(payload), nh, 0,
                       src, dst) + ext + payload

def rudp(sport, dport, n):
    return struct.pack('!HHHH', sport, dport, 8 + n, 0) + bytes(range(n))

def rtcp(sport, dport):
    return struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 0x50, 0x18, 65535, 0, 0)

def ricmp(t, rest):
    return struct.pack('!BBH', t, 0, 0) + rest

q4 = rip4(17, rudp(PEERP, BOUND, 4), src=PEER4, dst=SELF4, ttl=1)
q6 = rip6(17, rudp(PEERP, BOUND, 4), src=PEER6, dst=SELF6)
q4t = rip4(6, rtcp(PEERP, BOUND), src=PEER4, dst=SELF4, ttl=1)
hbh = bytes([17, 0, 1, 4, 0, 0, 0, 0])
raw_seeds = {  # name: (v6, tcp, segments, cut1, cut2, datagram)
    'v4_udp': (0, 0, 1, 0, 0, rip4(17, rudp(BOUND, PEERP, 61))),
    'v4_udp_cut': (0, 0, 3, 21, 7, rip4(17, rudp(BOUND, PEERP, 61))),
    'v4_udp_opts': (0, 0, 2, 23, 0, rip4(17, rudp(BOUND, PEERP, 3), opts=b'\x01\x01\x01\x00')),
    'v4_tcp': (0, 1, 1, 0, 0, rip4(6, rtcp(BOUND, PEERP))),
    'v4_echo': (0, 0, 1, 0, 0, rip4(1, ricmp(8, struct.pack('!HH', BOUND, 1)) + b'ping')),
    'v4_unreach': (0, 0, 2, 29, 0, rip4(1, ricmp(3, b'\0' * 4) + q4[:28])),
    'v4_unreach_tcp': (0, 1, 1, 0, 0, rip4(1, ricmp(3, b'\0' * 4) + q4t[:28])),
    'v4_wrong_port': (0, 0, 1, 0, 0, rip4(17, rudp(53, PEERP, 4))),
    'v4_frag': (0, 0, 1, 0, 0, rip4(17, rudp(BOUND, PEERP, 4))[:6] + b'\x20\x00' +
                rip4(17, rudp(BOUND, PEERP, 4))[8:]),
    'v6_udp': (1, 0, 1, 0, 0, rip6(17, rudp(BOUND, PEERP, 61))),
    'v6_udp_cut': (1, 0, 4, 41, 3, rip6(17, rudp(BOUND, PEERP, 61))),
    'v6_hbh_udp': (1, 0, 1, 0, 0, rip6(0, rudp(BOUND, PEERP, 9), ext=hbh)),
    'v6_tcp': (1, 1, 2, 47, 0, rip6(6, rtcp(BOUND, PEERP))),
    'v6_echo': (1, 0, 1, 0, 0, rip6(58, ricmp(128, struct.pack('!HH', BOUND, 1)))),
    'v6_unreach': (1, 0, 3, 45, 10, rip6(58, ricmp(1, b'\0' * 4) + q6)),
    'v6_too_big': (1, 0, 1, 0, 0, rip6(58, ricmp(2, struct.pack('!I', 1280)) + q6[:48])),
    'v6_routing': (1, 0, 1, 0, 0, rip6(43, rudp(BOUND, PEERP, 4), ext=bytes([17, 0, 0, 0, 0, 0, 0, 0]))),
}

here = os.path.dirname(__file__)
for out, corpus in ((sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus'), seeds),
                    (sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, 'corpus_udp'), udp_seeds)):
    os.makedirs(out, exist_ok=True)
    for i, (name, frame) in enumerate(sorted(corpus.items())):
        # selector bytes: segment cuts, and a packet type or checksum flags
        with open(os.path.join(out, name), 'wb') as f:
            f.write(bytes([i * 37 % 256, i % 10]) + frame)
out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, 'corpus_raw')
os.makedirs(out, exist_ok=True)
for name, (v6, tcp, nsegs, cut1, cut2, dgram) in sorted(raw_seeds.items()):
    # selector bytes: socket and segments, the bound port, segment lengths
    with open(os.path.join(out, name), 'wb') as f:
        f.write(bytes([v6 | tcp << 1 | (nsegs - 1) << 2]) +
                struct.pack('!HBB', BOUND, cut1, cut2) + dgram)
