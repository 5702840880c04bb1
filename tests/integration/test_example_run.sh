#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pk-run on the shipped configurations (examples/conf), on vdevs, without
# root:
#  - --list-kinds names every kind with its arguments; --check passes each
#    configuration; --dot of each is a graph that Graphviz draws (dot -Tsvg;
#    only noted when graphviz is not installed);
#  - mistakes in a configuration: exit 2, "file:line:col: found ...,
#    expected ..." on stderr, and no EAL started;
#  - fwd.conf between two net_pcap ports: every frame of each port's input
#    file leaves on the other port, and each path counts them;
#  - silk.conf: the demux hands alice's DNS datagrams and bob's web
#    segments to their paths, and the final statistics charge each owner
#    exactly; unmatched frames are counted, not sent;
#  - pspat.conf on four net_null ports: three flooding clients share the
#    shaped link 1:2:4 (each owner's "out", what the scheduler took);
#  - owners.conf on three net_null ports: alice (weight 3, paced to twice
#    the link) and bob (weight 1, flooding) share the shaped link 3:1
#    (within 25%: a busy machine delays the threads, not the split), every
#    frame each offered is sent or dropped at its own queue, charged to
#    its owner, and the link sends no more than its rate;
#  - SIGINT stops a run cleanly: exit 0 and the final statistics.
#
# Usage: test_example_run.sh <pk-run binary> <examples/conf directory>
set -uo pipefail
bin=$1 confdir=$2
tmp=$(mktemp -d /tmp/pk_exrun.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
trap 'rm -rf "$tmp"; pk_rm_rundirs "pk_exrun_$$_*"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -30 "$tmp/out"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
n=0
# run <EAL vdev args...> -- <pk-run options>: output in $tmp/out, rc in $rc
run() {
	n=$((n + 1))
	timeout 60 "$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="pk_exrun_$$_$n" \
		"$@" >"$tmp/out" 2>&1
	rc=$?
}
# stat <line start> <key>: a counter of the final statistics
stat() {
	awk -v s="$1" -v k="$2" '
	/^== final statistics/ { f = 1; next }
	f && index($0, s) == 1 {
		for (i = 1; i <= NF; i++)
			if (split($i, kv, "=") == 2 && kv[1] == k) { print kv[2]; exit }
	}' "$tmp/out"
}
expect() { # expect <line start> <key> <value>
	local got
	got=$(stat "$1" "$2")
	[ "$got" = "$3" ] || fail "'$1' $2=$got, want $3"
}

# --- listing, checking, drawing: no EAL
"$bin" -- --list-kinds >"$tmp/kinds" 2>&1 || fail "--list-kinds exited $?"
for k in "queue_ring(size, mp, mc, red, pie, bytes): " "pktsched(policy, " \
	"demux_flow(capacity, mt, bytes): " "thread_continuation(runner, "; do
	grep -qF "$k" "$tmp/kinds" || fail "--list-kinds: no '$k'"
done
for f in fwd silk pspat owners; do
	"$bin" -- -f "$confdir/$f.conf" --check >"$tmp/out" 2>&1 ||
		fail "$f.conf --check exited $?"
	grep -qx "$confdir/$f.conf: ok" "$tmp/out" || fail "$f.conf --check"
	"$bin" -- -f "$confdir/$f.conf" --dot >"$tmp/$f.dot" 2>"$tmp/out" ||
		fail "$f.conf --dot exited $?"
	grep -q '^digraph ' "$tmp/$f.dot" || fail "$f.conf --dot: no digraph"
	if command -v dot >/dev/null; then
		dot -Tsvg "$tmp/$f.dot" >"$tmp/$f.svg" 2>"$tmp/out" ||
			fail "$f.conf: dot -Tsvg refused it: $(cat "$tmp/out")"
		grep -q '<svg' "$tmp/$f.svg" || fail "$f.conf: no SVG"
	else
		echo "note: graphviz not installed, $f.dot not drawn"
	fi
done
grep -q 'subgraph "cluster_dns"' "$tmp/silk.dot" || fail "silk.dot: no path"
grep -q 'label="weight=4"' "$tmp/pspat.dot" || fail "pspat.dot: no weights"
grep -q 'label="weight=3"' "$tmp/owners.dot" || fail "owners.dot: no weights"
grep -q 'subgraph "cluster_bob"' "$tmp/owners.dot" || fail "owners.dot: no path"

# --- mistakes: exit 2 with the place, before any EAL
bad() { # bad <text> <message>
	printf '%s\n' "$1" >"$tmp/bad.conf"
	"$bin" --no-such-eal-option -- -f "$tmp/bad.conf" >"$tmp/out" 2>&1
	local rc=$?
	[ $rc -eq 2 ] || fail "'$1' exited $rc, want 2"
	grep -qF -- "$tmp/bad.conf:$2" "$tmp/out" ||
		fail "'$1': want '$2', got: $(head -3 "$tmp/out")"
}
bad "q :: queue_rng" "1:6: found kind 'queue_rng', expected a registered kind: did you mean 'queue_ring'?"
bad "rx :: port_rx(port=0) -> tx :: port_tx(port=1)" "1:26: found rx -> tx: rx (port_rx) does not push and tx (port_tx) does not pull, expected a thread between them"
bad "q :: queue_ring(size=\$S) -> t :: thread_entry -> q2 :: queue_ring" "1:22: found \$S, which is not defined, expected a value for size"
"$bin" -- -f "$tmp/none.conf" >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "cannot read" "$tmp/out" || fail "missing file"
# a port the process does not have: found when built, exit 2
run --vdev=net_null0 -- -f "$confdir/fwd.conf" --duration=0.2
[ $rc -eq 2 ] && grep -qF "fwd.conf:15:6: found port 1, expected one of this process's 1 ethdev ports" "$tmp/out" ||
	fail "fwd.conf on one port exited $rc"

# --- frames in pcap files: python3 writes them, counts them
pcap() { # pcap <file> <kind:count>... | pcap <file> (prints its frames)
	python3 - "$@" <<'EOF'
import struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(proto, dst, dport, sport):
    if proto == 17:
        l4 = struct.pack('!HHHH', sport, dport, 26, 0) + b'p' * 18
    else:
        l4 = struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 0x50, 2, 8192,
                         0, 0) + b'p' * 18
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto,
                     0, bytes([10, 0, 0, 9]), bytes(map(int, dst.split('.'))))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00' + ip + l4
path, specs = sys.argv[1], sys.argv[2:]
if not specs:
    d, off, n = open(path, 'rb').read(), 24, 0
    while off + 16 <= len(d):
        off += 16 + struct.unpack_from('<I', d, off + 8)[0]
        n += 1
    print(n)
    sys.exit(0)
kinds = {'dns': (17, '10.0.0.1', 53), 'web': (6, '10.0.0.2', 80),
         'miss': (17, '10.0.0.3', 9)}
out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
i = 0
for s in specs:
    kind, count = s.split(':')
    for _ in range(int(count)):
        f = frame(*kinds[kind], 4000 + i % 1000)
        out.append(struct.pack('<IIII', 0, i, len(f), len(f)) + f)
        i += 1
open(path, 'wb').write(b''.join(out))
EOF
}

# --- fwd.conf: each way, every frame
pcap "$tmp/in0.pcap" dns:300 web:200 || fail "pcap"
pcap "$tmp/in1.pcap" miss:120 || fail "pcap"
run --vdev="net_pcap0,rx_pcap=$tmp/in0.pcap,tx_pcap=$tmp/out0.pcap" \
	--vdev="net_pcap1,rx_pcap=$tmp/in1.pcap,tx_pcap=$tmp/out1.pcap" -- \
	-f "$confdir/fwd.conf" --duration=1.5
[ $rc -eq 0 ] || fail "fwd.conf exited $rc"
[ "$(pcap "$tmp/out1.pcap")" -eq 500 ] || fail "port 1 sent $(pcap "$tmp/out1.pcap"), want 500"
[ "$(pcap "$tmp/out0.pcap")" -eq 120 ] || fail "port 0 sent $(pcap "$tmp/out0.pcap"), want 120"
expect "path p0to1 " in 500
expect "path p0to1 " out 500
expect "path p1to0 " in 120
expect "path p1to0 " out 120
echo "fwd.conf: 500 and 120 frames forwarded, both paths count them"

# --- silk.conf: per-flow paths, per-owner accounting
pcap "$tmp/silk.pcap" dns:200 web:300 miss:50 dns:100 || fail "pcap"
run --vdev="net_pcap0,rx_pcap=$tmp/silk.pcap" \
	--vdev="net_pcap1,tx_pcap=$tmp/silk_out.pcap" -- \
	-f "$confdir/silk.conf" --duration=1.5
[ $rc -eq 0 ] || fail "silk.conf exited $rc"
[ "$(pcap "$tmp/silk_out.pcap")" -eq 600 ] ||
	fail "the downlink sent $(pcap "$tmp/silk_out.pcap"), want 600"
expect "path dns " in 300
expect "path dns " out 300
expect "path web " in 300
expect "path web " out 300
expect "owner alice " in 300
expect "owner alice " dropped 0
expect "owner bob " in 300
expect "d " refused-no-match 50
expect "ingress " full 50
echo "silk.conf: alice 300, bob 300, 50 unmatched, 600 sent"

# --- pspat.conf: weighted shares of a shaped link
run --vdev=net_null0 --vdev=net_null1 --vdev=net_null2 --vdev=net_null3 -- \
	-f "$confdir/pspat.conf" --duration=2
[ $rc -eq 0 ] || fail "pspat.conf exited $rc"
c1=$(stat "owner c1 " out) c2=$(stat "owner c2 " out) c3=$(stat "owner c3 " out)
sent=$(stat "link " in)
echo "pspat.conf: c1 $c1, c2 $c2, c3 $c3 frames through the scheduler, $sent sent"
python3 - "$c1" "$c2" "$c3" "$sent" <<'EOF' || fail "shares c1 $c1 c2 $c2 c3 $c3, sent $sent"
import sys
c = [int(x) for x in sys.argv[1:4]]
x = [c[0] / 1, c[1] / 2, c[2] / 4]
jain = sum(x) ** 2 / (3 * sum(v * v for v in x))
print('jain %.4f' % jain)
# at most 100 Mbit/s of 88-byte frames (64 + 24 of overhead) for 2 s,
# 284 kframes; a busy machine may send fewer, in the same shares
assert jain > 0.99 and 10000 < int(sys.argv[4]) <= 290000, (jain, sys.argv[4])
EOF

# --- owners.conf: a flooding owner gets its weight, not the link
run --vdev=net_null0 --vdev=net_null1 --vdev=net_null2 -- \
	-f "$confdir/owners.conf" --duration=2
[ $rc -eq 0 ] || fail "owners.conf exited $rc"
own=("$(stat "path alice " in)" "$(stat "path alice " out)"
     "$(stat "path alice " dropped)" "$(stat "path alice " held)"
     "$(stat "path bob " in)" "$(stat "path bob " out)"
     "$(stat "path bob " dropped)" "$(stat "path bob " held)"
     "$(stat "link " in)" "$(stat "link_s " held)"
     "$(stat "owner alice " out)" "$(stat "owner bob " dropped)")
echo "owners.conf: alice in ${own[0]} out ${own[1]} dropped ${own[2]}," \
	"bob in ${own[4]} out ${own[5]} dropped ${own[6]}, link ${own[8]}"
python3 - "${own[@]}" <<'EOF' || fail "owners.conf: shares or accounts"
import sys
(ain, aout, adrop, aheld, bin_, bout, bdrop, bheld, sent, sheld, oaout,
 obdrop) = (int(x) for x in sys.argv[1:13])
# every frame offered is sent on, dropped (charged) or still queued
assert ain == aout + adrop + aheld and bin_ == bout + bdrop + bheld
# the owners' accounts are their paths'
assert oaout == aout and obdrop == bdrop
# the link sent what the scheduler took from the queues, less its heads
assert sent + sheld == aout + bout, (sent, sheld, aout, bout)
# bob floods, alice does not; both overflow their queues
assert bin_ > 4 * ain and adrop > 0 and bdrop > 0, (ain, bin_, adrop)
# 10 Mbit/s of 88-byte frames is 14205 a second: for the 2 s the run
# lasts, its start and stop (0.5 s at most), and a bucket of 25000 bytes;
# a busy machine may send fewer, in the same shares
assert 2000 < sent <= 14205 * 2.5 + 285, sent
ratio = aout / bout
print('alice:bob %.2f (weights 3:1)' % ratio)
assert 2.25 <= ratio <= 3.75, ratio
EOF

# --- SIGINT: a clean stop, the final statistics
n=$((n + 1))
"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 --log-level=lib.eal:error \
	--file-prefix="pk_exrun_$$_$n" --vdev=net_null0 --vdev=net_null1 \
	--vdev=net_null2 --vdev=net_null3 -- -f "$confdir/pspat.conf" \
	--stats-period=0.5 >"$tmp/out" 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid || fail "SIGINT run exited $?"
grep -q "^-- statistics at " "$tmp/out" || fail "no periodic statistics"
grep -q "^== final statistics" "$tmp/out" || fail "no final statistics"
[ "$(stat "owner c3 " out)" -gt 0 ] || fail "SIGINT run: c3 sent nothing"
echo "pk-run example: ok"
