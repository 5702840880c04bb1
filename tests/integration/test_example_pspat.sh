#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pk-pspat without root: generating clients on net_null and net_pcap ports.
#  - weights 1:2:4 at 200 Mbit/s, per-client queues and per-flow queues
#    (each client sends one flow): Jain's index of rate/weight at least
#    0.99. The link, not the CPU, must be the bottleneck for the split to
#    be the scheduler's: 25 kpps of 1000-byte frames keeps every client
#    backlogged even on a busy machine (at 1 Gbit/s a loaded CPU could not,
#    and the index followed what each client managed to offer);
#  - two levels, --policy=owners:wfq,flows:drr and owners:wfq,flows:fq_codel
#    (clients are owners of weight 1:2:4, each with its own flow queues):
#    Jain's index at least 0.99 too (fq_codel's drops inside a client are
#    counted as held, so only the drr run's balance is checked);
#  - dispatcher mode with PSPAT mailboxes sends;
#  - a net_pcap output holds exactly the packets pk-pspat says it sent;
#  - SIGINT stops it cleanly with its exit statistics; while it runs,
#    telemetry names client 0's mailbox stage, which counts its packets;
#  - every run's counters balance at exit: per client admitted = sent +
#    dropped + held (held 0 after the stop) and its mailbox's in = out +
#    held, in = admitted; the same for the arbiter;
#  - bad options print what is wrong and exit 2.
set -uo pipefail
bin=$1
tmp=$(mktemp -d /tmp/pk_expspat.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
trap 'rm -rf "$tmp"; pk_rm_rundirs "pk_expspat_$$_*"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0
run() { # run <pk-pspat options>: net_null0 output, output in $tmp/out
	n=$((n + 1))
	"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="pk_expspat_$$_$n" \
		--vdev=net_null0 -- "$@" >"$tmp/out" 2>&1
}
jain() { awk '/^exit jain/ { print $3 }' "$tmp/out"; }
# balanced <clients>: the exit balance lines of $tmp/out, checked here
balanced() {
	awk -v n="$1" '
	/^exit client [0-9]+ balance:/ {
		# admitted $6 = sent $9 + dropped $12 + held $15
		# (mailbox $17: in $19 out $21 held $23): $24
		c++
		if ($6 != $9 + $12 + $15 || $15 != 0 || $19 != $21 + $23 ||
		    $19 != $6 || $24 != "holds")
			bad++
	}
	/^exit arbiter balance:/ { a++; if ($NF != "holds") bad++ }
	END { exit !(c == n && a == 1 && bad == 0) }' "$tmp/out" ||
		fail "counters do not balance: $(grep balance "$tmp/out")"
}
at_least() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2"; }

run --clients=3 --source=gen --weights=1,2,4 --rate=200M --pkt-size=1000 \
	--duration=2 ||
	fail "wfq run exited $?: $(cat "$tmp/out")"
grep '^exit' "$tmp/out"
at_least "$(jain)" 0.99 || fail "per-client queues: jain $(jain)"
balanced 3

run --clients=3 --source=gen --rate=200M --pkt-size=1000 --flow-queues=64 \
	--duration=2 ||
	fail "flow-queues run exited $?: $(cat "$tmp/out")"
grep -q '64 flow queues' "$tmp/out" || fail "no flow queues: $(cat "$tmp/out")"
at_least "$(jain)" 0.99 || fail "per-flow queues: jain $(jain)"
balanced 3

for inner in drr fq_codel; do
	run --clients=3 --source=gen --weights=1,2,4 --rate=200M \
		--pkt-size=1000 --policy=owners:wfq,flows:$inner \
		--flow-queues=4 --duration=2 ||
		fail "owners/$inner run exited $?: $(cat "$tmp/out")"
	grep -q "4 flow per client queues, policy owners:wfq,flows:$inner" \
		"$tmp/out" || fail "not two levels: $(cat "$tmp/out")"
	at_least "$(jain)" 0.99 || fail "owners/$inner: jain $(jain)"
	[ "$inner" = fq_codel ] || balanced 3
done

run --clients=2 --source=gen --weights=1,3 --rate=100M --policy=drr \
	--dispatch=dispatcher --mailbox=pspat --duration=1 ||
	fail "dispatcher run exited $?: $(cat "$tmp/out")"
grep -Eq '^exit client 1 weight 3: [0-9.]+ Mbit/s sent [1-9]' "$tmp/out" ||
	fail "dispatcher sent nothing: $(cat "$tmp/out")"
grep -q 'pspat mailboxes' "$tmp/out" || fail "no PSPAT mailboxes: $(cat "$tmp/out")"
balanced 2

# every packet it counts as sent is in the file, no more
"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 --log-level=lib.eal:error \
	--file-prefix="pk_expspat_$$_pcap" \
	--vdev=net_pcap0,tx_pcap="$tmp/tx.pcap" -- --clients=2 --source=gen \
	--weights=1,2 --rate=10M --pkt-size=128 --duration=1 >"$tmp/out" 2>&1 ||
	fail "pcap run exited $?: $(cat "$tmp/out")"
balanced 2
sent=$(awk '/^exit client [0-9]+ weight/ { s += $9 } END { print s }' "$tmp/out")
inpcap=$(python3 - "$tmp/tx.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack_from('<I', d, off + 8)[0]
    assert incl == 128, incl
    off += 16 + incl
    n += 1
print(n)
EOF
) || fail "bad pcap file"
echo "pcap: $inpcap frames, pk-pspat sent $sent"
[ "$sent" -gt 0 ] && [ "$inpcap" -eq "$sent" ] ||
	fail "pcap holds $inpcap frames, pk-pspat sent $sent"

"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 --log-level=lib.eal:error \
	--file-prefix="pk_expspat_$$_int" --vdev=net_null0 -- --clients=2 \
	--source=gen --rate=0 >"$tmp/out" 2>&1 &
pid=$!
sleep 1.5
# client 0's mailbox, as telemetry names it, counts what it took
if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run/dpdk
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi
python3 - "$rundir/pk_expspat_$$_int/dpdk_telemetry.v2" <<'EOF' ||
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(1024)
def tel(cmd):
    s.send(cmd.encode())
    return json.loads(s.recv(65536).decode())[cmd.split(',')[0]]
c = tel('/pathkit/arbiter_client,pspat,0')
mb = tel('/pathkit/stage,' + c['mailbox'])
a = tel('/pathkit/arbiter,pspat')
print('telemetry: client 0 admitted %d held %d, mailbox %s in %d out %d '
      'held %d, arbiter held %d' % (c['admitted'], c['held'], c['mailbox'],
      mb['in_pkts'], mb['out_pkts'], mb['held'], a['held']))
assert c['mailbox'] == 'pspat.mb0' and mb['in_pkts'] > 0, (c, mb)
assert a['held'] == a['held_mailboxes'] + a['held_sched'] + \
    a['held_wait'] + a['held_output'], a
EOF
	{ kill -INT $pid; fail "telemetry"; }
sleep 0.5
kill -INT $pid
wait $pid || fail "SIGINT run exited $?: $(cat "$tmp/out")"
grep -q '^exit jain' "$tmp/out" || fail "no exit statistics after SIGINT"
balanced 2

bad() { # bad <what the message names> <options>
	local what=$1
	shift
	run "$@"
	rc=$?
	[ $rc -eq 2 ] || fail "'$*' exited $rc, want 2"
	grep -q -- "$what" "$tmp/out" || fail "'$*' did not name $what"
	grep -q '^usage' "$tmp/out" || fail "'$*' printed no usage"
}
bad --clients --source=gen --clients=0
bad --rate --clients=2 --source=gen --rate=fast
bad --weights --clients=2 --source=gen --weights=1,2,3
bad --weights --clients=2 --source=gen --weights=1,2 --flow-queues=8
bad --flow-queues --clients=2 --source=gen --flow-queues=0
bad --policy --clients=2 --source=gen --policy=best
bad --policy --clients=2 --source=gen --policy=owners:fq_codel,flows:wfq
bad --mailbox --clients=2 --source=gen --mailbox=fast
echo "pk-pspat example: ok"
