#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Capture at an edge of a running pk-run, switched by telemetry: a path
# rx0 -> f0 (thread) -> fwd (proc_noop) -> tx1 on pcap vdevs, whose input
# is a FIFO the test writes in three phases. Between phases 1 and 2
# /pathkit/capture,on,fwd,FILE puts a capture on the edge fwd -> tx1;
# after phase 2 /pathkit/capture,off,fwd takes it out. Then:
#  - the file is read block by block: it holds exactly the frames of phase
#    2 (every packet that crossed the edge while captured), byte for byte,
#    in order, each with the comment "path=p0to1 owner=alice
#    stage=fwd->tx1";
#  - the capture's counters (the off answer) say captured = written = the
#    frames of phase 2, lost 0;
#  - no frame was lost by switching: the output port sent all three
#    phases, in order.
# Then a second pk-run, rx0 -> f0 -> d (demux_flow) whose key sends the
# frames to q -> f1 -> tx1, with "drops d -> bad :: proc_capture(...,
# drops=1)": frames of phase 2 mixed with malformed ones (IHL 1);
# /pathkit/capture,on,d,q,FILE captures the demux's output d -> q during
# phase 2 and off,d,q ends it. The edge's file holds exactly the good
# frames of phase 2, commented "path=- owner=- stage=d->q"; bad's file
# every malformed frame, each with "drop=malformed from=d"; tx1 sent
# every good frame, in order.
# Skipped (77) without dpdk-telemetry.py or python3.
#
# Usage: test_run_capture.sh <pk-run binary>
set -uo pipefail
bin=$1
teltool=$(command -v dpdk-telemetry.py ||
	ls /usr/share/dpdk/usertools/dpdk-telemetry.py 2>/dev/null)
[ -n "$teltool" ] || { echo "SKIP: no dpdk-telemetry.py (Debian: dpdk-dev)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d /tmp/pk_runcap.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
prefix="pk_runcap_$$"
pid=
trap 'exec 3>&- 2>/dev/null; [ -n "$pid" ] && kill -INT $pid 2>/dev/null;
	rm -rf "$tmp"; pk_rm_rundirs "${prefix%_d}" "${prefix%_d}_d"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -30 "$tmp/out"; exit 1; }

# whole bursts: the pcap PMD reads a FIFO until it has a burst (32), so a
# phase that ended mid-burst would wait for the next one to be delivered
N1=96 N2=320 N3=64

cat >"$tmp/cap.conf" <<'EOF'
owner alice
port 0
port 1
runner r (lcore=1)
path p0to1 (owner=alice) { rx0 :: port_rx(port=0) -> f0 :: thread_continuation(runner=r, burst=32) -> fwd :: proc_noop -> tx1 :: port_tx(port=1) }
EOF

# frames <first> <count> [bad]: pcap records of numbered UDP frames on
# stdout (the global header too when first is "head"); with bad, every
# other one from the second on is malformed (IPv4 IHL 1)
frames() {
	python3 - "$@" <<'EOF'
import struct, sys
if sys.argv[1] == 'head':
    sys.stdout.buffer.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0,
                                        65535, 1))
    sys.exit(0)
first, n = int(sys.argv[1]), int(sys.argv[2])
bad = len(sys.argv) > 3
out = []
for i in range(first, first + n):
    vhl = 0x41 if bad and (i - first) % 2 else 0x45
    f = (b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' +
         struct.pack('!BBHHHBBH4s4s', vhl, 0, 20 + 8 + 4 + 30, 1, 0, 64,
                     17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) +
         struct.pack('!HHHHI', 1024, 9, 8 + 4 + 30, 0, i) + bytes(30))
    out.append(struct.pack('<IIII', 0, i, len(f), len(f)) + f)
sys.stdout.buffer.write(b''.join(out))
EOF
}

# tel <command>: dpdk-telemetry.py's JSON answer to one command
tel() {
	printf '%s\n' "$1" | python3 "$teltool" -f "$prefix" 2>/dev/null |
		grep '^{'
}

# sent <count>: wait until tx1 took count frames (20 s at most)
sent() {
	local i got
	for i in $(seq 100); do
		got=$(tel "/pathkit/stage,tx1" | python3 -c \
			'import json,sys; print(json.load(sys.stdin)["/pathkit/stage"]["in_pkts"])' 2>/dev/null)
		[ "$got" = "$1" ] && return 0
		sleep 0.2
	done
	fail "tx1 took ${got:-?} frames, expected $1"
}

# records <file>: "SEQ COMMENT" per record of a pcapng file
records() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off = 0
while off < len(d):
    t, l = struct.unpack_from('<II', d, off)
    if t == 6:
        caplen = struct.unpack_from('<I', d, off + 20)[0]
        data = d[off + 28:off + 28 + caplen]
        o, comment = off + 28 + (caplen + 3) // 4 * 4, '-'
        while o < off + l - 4:
            code, ol = struct.unpack_from('<HH', d, o)
            if code == 0:
                break
            if code == 1:
                comment = d[o + 4:o + 4 + ol].decode()
            o += 4 + (ol + 3) // 4 * 4
        print(struct.unpack_from('!I', data, 42)[0], comment)
    off += l
EOF
}

mkfifo "$tmp/in.pcap" || fail "mkfifo"
"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--log-level=lib.eal:error --file-prefix="$prefix" \
	--vdev="net_pcap0,rx_pcap=$tmp/in.pcap" \
	--vdev="net_pcap1,tx_pcap=$tmp/sent.pcap" -- \
	-f "$tmp/cap.conf" >"$tmp/out" 2>&1 &
pid=$!
exec 3>"$tmp/in.pcap" # opens once pk-run's EAL opens the FIFO to read
frames head >&3
for i in $(seq 100); do
	grep -q "running" "$tmp/out" && break
	kill -0 $pid 2>/dev/null || fail "pk-run did not start"
	sleep 0.1
done

frames 0 $N1 >&3
sent $N1
on=$(tel "/pathkit/capture,on,fwd,$tmp/cap.pcapng")
echo "on: $on"
grep -q '"captured"' <<<"$on" || fail "capture not on: $on"
[ "$(tel /pathkit/capture)" = '{"/pathkit/capture": {"fwd": "cap.fwd"}}' ] ||
	fail "edge list: $(tel /pathkit/capture)"
frames $N1 $N2 >&3
sent $((N1 + N2))
off=$(tel /pathkit/capture,off,fwd)
echo "off: $off"
frames $((N1 + N2)) $N3 >&3
sent $((N1 + N2 + N3))
exec 3>&-
[ "$(tel /pathkit/capture)" = '{"/pathkit/capture": {}}' ] ||
	fail "edge list after off: $(tel /pathkit/capture)"
kill -INT $pid
wait $pid || fail "pk-run exited $? after SIGINT"
pid=

python3 - "$tmp/cap.pcapng" "$tmp/sent.pcap" "$off" $N1 $N2 $N3 <<'EOF' ||
import json, struct, sys
cap, sent, off = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
n1, n2, n3 = map(int, sys.argv[4:7])
st = off['/pathkit/capture']
assert st['state'] == 'off' and st['captured'] == n2 == st['written'], st
assert st['capture_lost'] == 0 and st['write_errors'] == 0, st
d = open(cap, 'rb').read()
assert struct.unpack_from('<I', d, 0)[0] == 0x0a0d0d0a, 'no section header'
off, recs, ifs = 0, [], []
while off < len(d):
    t, l = struct.unpack_from('<II', d, off)
    assert l % 4 == 0 and struct.unpack_from('<I', d, off + l - 4)[0] == l
    if t == 1:
        ifs.append(d[off + 8:off + l])
    if t == 6:
        ifid, caplen, orig = struct.unpack_from('<I8xII', d, off + 8)
        data = d[off + 28:off + 28 + caplen]
        o, comment = off + 28 + (caplen + 3) // 4 * 4, None
        while o < off + l - 4:
            code, ol = struct.unpack_from('<HH', d, o)
            if code == 0:
                break
            if code == 1:
                comment = d[o + 4:o + 4 + ol].decode()
            o += 4 + (ol + 3) // 4 * 4
        assert ifid < len(ifs) and orig == caplen, (ifid, caplen, orig)
        recs.append((struct.unpack_from('!I', data, 42)[0], comment, data))
    off += l
assert off == len(d), 'trailing bytes'
assert [r[0] for r in recs] == list(range(n1, n1 + n2)), \
    'captured %d frames: %s...' % (len(recs), [r[0] for r in recs][:5])
want = 'path=p0to1 owner=alice stage=fwd->tx1'
assert all(r[1] == want for r in recs), set(r[1] for r in recs)
# every frame went out, in order, the captured ones byte for byte
s, o, seqs, byseq = open(sent, 'rb').read(), 24, [], {}
while o + 16 <= len(s):
    l = struct.unpack_from('<I', s, o + 8)[0]
    f = s[o + 16:o + 16 + l]
    seqs.append(struct.unpack_from('!I', f, 42)[0])
    byseq[seqs[-1]] = f
    o += 16 + l
assert seqs == list(range(n1 + n2 + n3)), 'sent %d frames' % len(seqs)
assert all(byseq[q] == data for q, _, data in recs), 'bytes differ'
print('capture: %d of %d frames, all of phase 2, annotated' %
      (len(recs), len(seqs)))
EOF
	fail "capture file"
# ---- a demux's output captured at run time; its malformed drops sunk.
# f1 on an lcore of its own (lcore 2, on the second CPU with lcore 1): f0
# waits inside the pcap PMD's read of the FIFO, which would keep a
# runner's other threads from running
cat >"$tmp/demux.conf" <<EOF
port 0
port 1
runner r (lcore=1)
rx0 :: port_rx(port=0) -> f0 :: thread_continuation(runner=r, burst=32) -> d :: demux_flow
q :: queue_ring -> f1 :: thread_lcore(lcore=2) -> tx1 :: port_tx(port=1)
key d udp 10.0.0.2:9 -> q
drops d -> bad :: proc_capture(file=$tmp/bad.pcapng, drops=1)
EOF
prefix="${prefix}_d"
rm -f "$tmp/in.pcap"
mkfifo "$tmp/in.pcap" || fail "mkfifo"
"$bin" --no-huge --no-shconf --no-pci -m 512 --lcores=0@0,1@1,2@1 \
	--log-level=lib.eal:error --file-prefix="$prefix" \
	--vdev="net_pcap0,rx_pcap=$tmp/in.pcap" \
	--vdev="net_pcap1,tx_pcap=$tmp/sent2.pcap" -- \
	-f "$tmp/demux.conf" >"$tmp/out" 2>&1 &
pid=$!
exec 3>"$tmp/in.pcap"
frames head >&3
for i in $(seq 100); do
	grep -q "running" "$tmp/out" && break
	kill -0 $pid 2>/dev/null || fail "pk-run (demux) did not start"
	sleep 0.1
done
# phase 2: 2 * N2 frames, the odd ones malformed: N2 good, N2 bad
frames 0 $N1 >&3
sent $N1
on=$(tel "/pathkit/capture,on,d,q,$tmp/edge.pcapng")
grep -q '"captured"' <<<"$on" || fail "demux capture not on: $on"
[ "$(tel /pathkit/capture)" = '{"/pathkit/capture": {"d/q": "cap.d.q"}}' ] ||
	fail "demux edge list: $(tel /pathkit/capture)"
frames $N1 $((2 * N2)) bad >&3
sent $((N1 + N2))
off=$(tel /pathkit/capture,off,d,q)
echo "off: $off"
grep -q '"written": '"$N2"',' <<<"$off" || fail "edge capture wrote: $off"
frames $((N1 + 2 * N2)) $N3 >&3
sent $((N1 + N2 + N3))
exec 3>&-
kill -INT $pid
wait $pid || fail "pk-run (demux) exited $? after SIGINT"
pid=
# the edge: exactly the good frames of phase 2, in order, annotated
records "$tmp/edge.pcapng" >"$tmp/edge.txt"
seq $N1 2 $((N1 + 2 * N2 - 1)) | sed 's/$/ path=- owner=- stage=d->q/' |
	diff - "$tmp/edge.txt" >/dev/null ||
	fail "edge file: $(head -3 "$tmp/edge.txt") ($(wc -l <"$tmp/edge.txt") records)"
# the drops: every malformed frame, with its reason and dropping stage
records "$tmp/bad.pcapng" >"$tmp/bad.txt"
seq $((N1 + 1)) 2 $((N1 + 2 * N2)) |
	sed 's/$/ path=- owner=- stage=bad drop=malformed from=d/' |
	diff - "$tmp/bad.txt" >/dev/null ||
	fail "drops file: $(head -3 "$tmp/bad.txt") ($(wc -l <"$tmp/bad.txt") records)"
echo "demux: $N2 frames captured on d -> q, $N2 malformed in bad's file"
echo "PASS"
