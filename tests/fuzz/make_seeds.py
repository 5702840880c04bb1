#!/usr/bin/env python3
"""Write the seed corpora: for fuzz_flow_parse (corpus/, or argv[1]), valid
frames of each kind the parser knows; for fuzz_udp (corpus_udp/, or argv[2]),
UDP datagrams with right checksums and a few with one thing wrong. Each frame
is prefixed by the harness's two selector bytes."""
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
here = os.path.dirname(__file__)
for out, corpus in ((sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus'), seeds),
                    (sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, 'corpus_udp'), udp_seeds)):
    os.makedirs(out, exist_ok=True)
    for i, (name, frame) in enumerate(sorted(corpus.items())):
        # selector bytes: segment cuts, and a packet type or checksum flags
        with open(os.path.join(out, name), 'wb') as f:
            f.write(bytes([i * 37 % 256, i % 10]) + frame)
