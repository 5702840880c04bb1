#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Each runtime change made on a running pk-run through DPDK's telemetry
# socket (dpdk-telemetry.py), and its effect seen in the counters, measured
# as what moved over an interval before and after (loose bounds: a shared
# machine delays threads, it does not change a split):
#  - fwd.conf on net_null ports: the two forwarding threads split their
#    runner 1:1; /pathkit/thread_shares,f1,4 makes it about 1:4;
#  - owners.conf on net_null ports: the link's split is 3:1 by weight;
#    /pathkit/sched_weight,link_s,bob,3 makes it about 1:1;
#    /pathkit/sched_rate,link_s,5M halves what the link sends (a lower
#    rate: a busy machine may not let a faster one catch up);
#    /pathkit/owner_rate,alice,1M slows alice's own shaper (pace) so that
#    she sends 1 Mbit/s and bob the rest; forty weight changes in a row,
#    and the link's scheduler, once stopped, took in = released + held;
#  - silk.conf, its uplink a pcap of unmatched UDP frames replayed without
#    end: /pathkit/key_add,d udp 10.0.0.3:9 -> web makes the web path take
#    them; /pathkit/key_del makes it stop, the ingress thread drops them
#    again;
#  - each refusal answers {"ok": 0, "errno": N, "error": why} and changes
#    nothing; the threads keep running.
#  - silk.conf with a port map guarding its demux ("portmap ports
#    (demux=d)", "reserve ports alice:udp:9"): a key for bob's web path on
#    UDP port 9 is refused (reserved for alice), the web path takes
#    nothing; /pathkit/portmap_release frees the port, the key goes on and
#    the web path takes the frames; a reservation over the port that key
#    binds is refused, and accepted once the key is deleted; the map's
#    telemetry lists each change;
# Skipped (77) without dpdk-telemetry.py or python3.
#
# Usage: test_run_ctl.sh <pk-run binary> <examples/conf directory>
set -uo pipefail
bin=$1 confdir=$2
teltool=$(command -v dpdk-telemetry.py ||
	ls /usr/share/dpdk/usertools/dpdk-telemetry.py 2>/dev/null)
[ -n "$teltool" ] || { echo "SKIP: no dpdk-telemetry.py (Debian: dpdk-dev)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d /tmp/pk_runctl.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
pid=
trap '[ -n "$pid" ] && kill -INT $pid 2>/dev/null; rm -rf "$tmp"; pk_rm_rundirs "pk_runctl_$$_*"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -30 "$tmp/out"; exit 1; }

# start <name> <conf> <EAL vdev args...>: pk-run in the background
start() {
	prefix="pk_runctl_$$_$1"
	local conf=$2
	shift 2
	"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="$prefix" "$@" -- \
		-f "$conf" >"$tmp/out" 2>&1 &
	pid=$!
	sleep 1
	kill -0 $pid 2>/dev/null || fail "$conf did not start"
}

stop() {
	kill -INT $pid
	wait $pid || fail "pk-run exited $? after SIGINT"
	pid=
	grep -q "^== final statistics" "$tmp/out" || fail "no final statistics"
}

# check <python>: with tel(cmd...) (answers of one dpdk-telemetry.py
# session), ok(cmd) (asserts {"ok": 1}), refused(cmd, errno, why) and
# moved(cmds, keys, secs) (what each counter moved over secs seconds)
check() {
	python3 - "$teltool" "$prefix" "$1" <<'EOF'
import json, subprocess, sys, time
tool, prefix, checks = sys.argv[1:4]
def tel(*cmds):
    r = subprocess.run([sys.executable, tool, '-f', prefix],
                       input='\n'.join(cmds) + '\n', capture_output=True,
                       text=True, timeout=20)
    answers = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    assert len(answers) == len(cmds), (cmds, r.stdout, r.stderr)
    vals = [a[c.split(',')[0]] for a, c in zip(answers, cmds)]
    return vals[0] if len(cmds) == 1 else vals
def ok(cmd):
    a = tel(cmd)
    assert a == {"ok": 1}, (cmd, a)
    print("%s: ok" % cmd)
def refused(cmd, errno, why):
    a = tel(cmd)
    assert a["ok"] == 0 and a["errno"] == errno and why in a["error"], \
        (cmd, a)
    print("%s: refused: %s" % (cmd, a["error"]))
def moved(cmds, key, secs=1.0):
    a = tel(*cmds)
    time.sleep(secs)
    b = tel(*cmds)
    if len(cmds) == 1:
        a, b = [a], [b]
    return [y[key] - x[key] for x, y in zip(a, b)]
exec(checks)
EOF
}

# --- fwd.conf: two threads on one runner, shares 1:1 then 1:4
start fwd "$confdir/fwd.conf" --vdev=net_null0 --vdev=net_null1
check '
ts = ("/pathkit/thread,f0", "/pathkit/thread,f1")
a, b = moved(ts, "busy_cycles", 1.5)
print("shares 1:1, busy cycles %d:%d" % (a, b))
assert 0.6 < b / a < 1.6, (a, b)
ok("/pathkit/thread_shares,f1,4")
assert tel("/pathkit/thread,f1")["shares"] == 4
time.sleep(0.3)
a, b = moved(ts, "busy_cycles", 1.5)
print("shares 1:4, busy cycles %d:%d" % (a, b))
assert 2.5 < b / a < 6.5, (a, b)
a, b = moved(ts, "pkts", 1.0)
assert 2.5 < b / a < 6.5, ("packets", a, b)
refused("/pathkit/thread_shares,f1,0", 22, "shares: \x270\x27 is not")
refused("/pathkit/thread_shares,f9,2", 2, "no thread named f9")
refused("/pathkit/thread_shares,f1", 22, "expected THREAD,SHARES")
t = tel("/pathkit/thread,f1")
assert t["shares"] == 4 and t["state"] == "running", t
' || fail "fwd.conf: shares"
stop

# --- owners.conf: weights, the link's rate, alice's own rate
start owners "$confdir/owners.conf" --vdev=net_null0 --vdev=net_null1 \
	--vdev=net_null2
check '
ps = ("/pathkit/path,alice", "/pathkit/path,bob")
a, b = moved(ps, "out_pkts", 2.0)
print("weights 3:1, the link took %d:%d" % (a, b))
assert 2.2 < a / b < 4.0, (a, b)
link0, = moved(("/pathkit/stage,link",), "in_pkts", 2.0)
ok("/pathkit/sched_weight,link_s,bob,3")
s = tel("/pathkit/sched,link_s")
ws = sorted((q["stage"], q["weight"]) for k, q in s.items()
            if k.startswith("q") and isinstance(q, dict))
assert ws == [("alice", 3), ("bob", 3)], ws
time.sleep(0.3)
a, b = moved(ps, "out_pkts", 2.0)
print("weights 3:3, the link took %d:%d" % (a, b))
assert 0.7 < a / b < 1.4, (a, b)
refused("/pathkit/sched_weight,link_s,bob,0", 22,
        "0 is not a wfq parameter")
refused("/pathkit/sched_weight,link_s,carol,1", 2, "link_s has no queue carol")
refused("/pathkit/sched_weight,nosuch,bob,1", 2, "no scheduler named nosuch")
ok("/pathkit/sched_rate,link_s,5M")
assert tel("/pathkit/sched,link_s")["rate_bps"] == 5000000
time.sleep(0.3)
link1, = moved(("/pathkit/stage,link",), "in_pkts", 2.0)
print("the link sent %d, then %d at half the rate" % (link0, link1))
assert 0.35 < link1 / link0 < 0.7, (link0, link1)
refused("/pathkit/sched_rate,link_s,fast", 22, "rate: \x27fast\x27 is not")
ok("/pathkit/owner_rate,alice,1M")
assert tel("/pathkit/sched,pace")["rate_bps"] == 1000000
assert tel("/pathkit/sched,link_s")["rate_bps"] == 5000000
time.sleep(0.5)
a, b = moved(ps, "out_pkts", 2.0)
print("alice paced to 1M of the 5M link: %d:%d" % (a, b))
assert a * 2 < b, (a, b)
refused("/pathkit/owner_rate,bob,1M", 2, "no scheduler serves bob alone")
refused("/pathkit/owner_rate,carol,1M", 2, "no owner named carol")
for t in ("atx", "btx", "out"):
    assert tel("/pathkit/thread," + t)["state"] == "running", t
# forty changes in a row while the link runs: none loses a packet
cmds = ["/pathkit/sched_weight,link_s,bob,%d" % (1 + i % 4) for i in range(40)]
assert tel(*cmds) == [{"ok": 1}] * 40
' || fail "owners.conf: weights and rates"
stop
# once stopped, what the link scheduler took it released or holds
line=$(grep "^link_s " "$tmp/out" | tail -1)
python3 - "$line" <<'EOF' || fail "link_s lost packets: $line"
import re, sys
c = dict((k, int(v)) for k, v in re.findall(r'(\S+)=(\d+)', sys.argv[1]))
assert set(c) == {"in", "out", "held"} and c["in"] == c["out"] + c["held"], c
print("link_s after 43 changes: in %d = out %d + held %d" %
      (c["in"], c["out"], c["held"]))
EOF

# --- silk.conf: a key added to a running demux, then deleted
python3 - "$tmp/miss.pcap" <<'EOF' || fail "frames"
import struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
for i in range(64):
    l4 = struct.pack('!HHHH', 4000 + i, 9, 26, 0) + b'p' * 18
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, 17,
                     0, bytes([10, 0, 0, 9]), bytes([10, 0, 0, 3]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    f = b'\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00' + ip + l4
    out.append(struct.pack('<IIII', 0, i, len(f), len(f)) + f)
open(sys.argv[1], 'wb').write(b''.join(out))
EOF
start silk "$confdir/silk.conf" \
	--vdev="net_pcap0,rx_pcap=$tmp/miss.pcap,infinite_rx=1" \
	--vdev=net_null1
check '
web, drop = "/pathkit/path,web", "/pathkit/thread,ingress"
w, = moved((web,), "in_pkts", 0.5)
d, = moved((drop,), "drop_full", 0.5)
assert w == 0 and d > 0, (w, d)
ok("/pathkit/key_add,d udp 10.0.0.3:9 -> web")
time.sleep(0.2)
w, = moved((web,), "in_pkts", 0.5)
print("with the key, the web path took %d in 0.5 s" % w)
assert w > 0, w
refused("/pathkit/key_add,d udp 10.0.0.3:9 -> web", 17, "already")
refused("/pathkit/key_add,d udp 10.0.0.4:9 -> nosuch", 2,
        "no stage or path named nosuch")
refused("/pathkit/key_add,d udp 10.0.0.4:9 -> ingress", 22,
        "takes no pushes")
refused("/pathkit/key_add,d udp 10.0.0.4 -> web", 22, "a local address")
ok("/pathkit/key_del,d udp 10.0.0.3:9")
time.sleep(0.2)
w, = moved((web,), "in_pkts", 0.5)
d, = moved((drop,), "drop_full", 0.5)
print("without it: the web path took %d, the ingress dropped %d" % (w, d))
assert w == 0 and d > 0, (w, d)
refused("/pathkit/key_del,d udp 10.0.0.3:9", 2, "d has no key")
' || fail "silk.conf: keys"
stop

# --- port map: reservations decide which keys may go on the demux
cat >"$tmp/map.conf" <<EOF
include "$confdir/silk.conf"
portmap ports (demux=d, ephemeral=40000-40999)
reserve ports alice:udp:9
reserve ports alice:tcp:8000-8099
EOF
start map "$tmp/map.conf" \
	--vdev="net_pcap0,rx_pcap=$tmp/miss.pcap,infinite_rx=1" \
	--vdev=net_null1
check '
web, pm = "/pathkit/path,web", "/pathkit/portmap,ports"
resv = lambda: tel(pm)["reservations"]
assert resv() == ["alice:udp:9", "alice:tcp:8000-8099"], tel(pm)
assert tel(pm)["demux"] == "d" and tel(pm)["ephemeral_lo"] == 40000, tel(pm)
refused("/pathkit/key_add,d udp 10.0.0.3:9 -> web", 13,
        "udp port 9 is reserved for alice in port map ports")
w, = moved((web,), "in_pkts", 0.5)
assert w == 0, w
ok("/pathkit/portmap_release,ports,alice:udp:9")
assert resv() == ["alice:tcp:8000-8099"], tel(pm)
ok("/pathkit/key_add,d udp 10.0.0.3:9 -> web")
time.sleep(0.2)
w, = moved((web,), "in_pkts", 0.5)
print("released: the web path took %d in 0.5 s" % w)
assert w > 0, w
refused("/pathkit/portmap_reserve,ports,alice:udp:9", 98, "")
ok("/pathkit/key_del,d udp 10.0.0.3:9")
ok("/pathkit/portmap_reserve,ports,alice:udp:9")
refused("/pathkit/key_add,d udp 10.0.0.3:9 -> web", 13, "reserved for alice")
ok("/pathkit/key_add,d udp 10.0.0.3:9 -> dns")
time.sleep(0.2)
w, = moved((web,), "in_pkts", 0.5)
a, = moved(("/pathkit/path,dns",), "in_pkts", 0.5)
print("reserved again: web took %d, alice\x27s dns path %d" % (w, a))
assert w == 0 and a > 0, (w, a)
' || fail "map.conf: port map"
stop
echo "run ctl: ok"
