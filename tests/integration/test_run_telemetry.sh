#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What runs, watched with DPDK's own dpdk-telemetry.py (Debian: dpdk-dev,
# /usr/bin) while pk-run runs a shipped configuration on pcap vdevs, whose
# input files end: once the traffic has stopped, every answer is checked
# against the frames sent, exactly.
#  - pspat.conf, clients sending 1000, 2000 and 3000 frames: /pathkit/paths
#    names the three clients; each /pathkit/path,NAME has its owner, its
#    members in order, in = the frames sent = out + dropped + held, held 0,
#    dropped the sum of its drops by reason; /pathkit/threads and
#    /pathkit/thread,NAME (kind, runner, lcore, shares, packets: each
#    client's thread handled its frames); /pathkit/runner,arb schedules
#    four; /pathkit/sched,s has wfq at the link's rate, weights 1, 2, 4,
#    backlogs 0, and took what the clients' paths gave out; the link sent
#    that, and so does the output file; /pathkit/owner,NAME sums each
#    owner's paths; the final statistics agree with telemetry;
#  - silk.conf: alice's DNS and bob's web frames reach their paths, and the
#    owners' accounts (/pathkit/owners, rows of /pathkit/owner,NAME) hold
#    what their paths took, packets and bytes; the 50 unmatched are the
#    ingress thread's "full" drops;
#  - unknown names and wrong classes are answered null.
# Skipped (77) without dpdk-telemetry.py or python3. Root is not needed:
# the EAL and the script find the socket in the same runtime directory.
#
# Usage: test_run_telemetry.sh <pk-run binary> <examples/conf directory>
set -uo pipefail
bin=$1 confdir=$2
teltool=$(command -v dpdk-telemetry.py ||
	ls /usr/share/dpdk/usertools/dpdk-telemetry.py 2>/dev/null)
[ -n "$teltool" ] || { echo "SKIP: no dpdk-telemetry.py (Debian: dpdk-dev)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d /tmp/pk_runtel.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
pid=
trap '[ -n "$pid" ] && kill -INT $pid 2>/dev/null; rm -rf "$tmp"; pk_rm_rundirs "pk_runtel_$$_*"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -30 "$tmp/out"; exit 1; }

# frames <file> <kind:count>...: a pcap file (kinds: dns, web, miss, raw)
frames() {
	python3 - "$@" <<'EOF'
import struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(kind, i):
    if kind == 'raw':
        return b'\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00' + bytes(86)
    proto, dst, dport = {'dns': (17, '10.0.0.1', 53), 'web': (6, '10.0.0.2', 80),
                         'miss': (17, '10.0.0.3', 9)}[kind]
    sport = 4000 + i % 1000
    if proto == 17:
        l4 = struct.pack('!HHHH', sport, dport, 26, 0) + b'p' * 18
    else:
        l4 = struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 0x50, 2, 8192,
                         0, 0) + b'p' * 18
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto,
                     0, bytes([10, 0, 0, 9]), bytes(map(int, dst.split('.'))))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00' + ip + l4
out, i = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)], 0
for spec in sys.argv[2:]:
    kind, count = spec.split(':')
    for _ in range(int(count)):
        f = frame(kind, i)
        out.append(struct.pack('<IIII', 0, i, len(f), len(f)) + f)
        i += 1
open(sys.argv[1], 'wb').write(b''.join(out))
EOF
}

# count <file>: the frames in a pcap file
count() {
	python3 - "$1" <<'EOF'
import struct, sys
d, off, n = open(sys.argv[1], 'rb').read(), 24, 0
while off + 16 <= len(d):
    off += 16 + struct.unpack_from('<I', d, off + 8)[0]
    n += 1
print(n)
EOF
}

# start <name> <conf> <EAL vdev args...>: pk-run in the background
start() {
	prefix="pk_runtel_$$_$1"
	local conf=$2
	shift 2
	"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="$prefix" "$@" -- \
		-f "$conf" >"$tmp/out" 2>&1 &
	pid=$!
}

# stop: SIGINT, a clean exit with the final statistics
stop() {
	kill -INT $pid
	wait $pid || fail "pk-run exited $? after SIGINT"
	pid=
	grep -q "^== final statistics" "$tmp/out" || fail "no final statistics"
}

# check <python checks>: run them with tel(cmd...) (one dpdk-telemetry.py
# session per call, its JSON answers), settle(cond) (poll until cond()
# holds twice in a row, 0.2 s apart, 20 s at most), final(line, key) (a
# counter of pk-run's final statistics, once stopped) and out (its output)
check() {
	python3 - "$teltool" "$prefix" "$tmp/out" "$1" <<'EOF'
import json, re, subprocess, sys, time
tool, prefix, out, checks = sys.argv[1:5]
def tel(*cmds):
    r = subprocess.run([sys.executable, tool, '-f', prefix],
                       input='\n'.join(cmds) + '\n', capture_output=True,
                       text=True, timeout=20)
    answers = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    assert len(answers) == len(cmds), (cmds, r.stdout, r.stderr)
    vals = [a[c.split(',')[0]] for a, c in zip(answers, cmds)]
    return vals[0] if len(cmds) == 1 else vals
def settle(cond):
    ok, t0 = 0, time.time()
    while ok < 2:
        assert time.time() - t0 < 20, 'traffic never settled'
        ok = ok + 1 if cond() else 0
        time.sleep(0.2)
def dropped(x):
    return sum(v for k, v in x.items() if k.startswith('drop_'))
def balanced(p):
    return p['in_pkts'] == p['out_pkts'] + dropped(p) + p['held']
def final(line, key):
    text = open(out).read().split('== final statistics', 1)[1]
    for l in text.splitlines():
        if l.startswith(line):
            return int(re.search(r'\b%s=(\d+)' % key, l).group(1))
    raise AssertionError('no final line ' + line)
exec(checks)
EOF
}

# --- pspat.conf: three clients through one scheduler
frames "$tmp/c1.pcap" raw:1000 && frames "$tmp/c2.pcap" raw:2000 &&
	frames "$tmp/c3.pcap" raw:3000 || fail "frames"
start pspat "$confdir/pspat.conf" \
	--vdev="net_pcap0,rx_pcap=$tmp/c1.pcap" \
	--vdev="net_pcap1,rx_pcap=$tmp/c2.pcap" \
	--vdev="net_pcap2,rx_pcap=$tmp/c3.pcap" \
	--vdev="net_pcap3,tx_pcap=$tmp/link.pcap"
sleep 1
kill -0 $pid 2>/dev/null || fail "pspat.conf did not start"
check '
sent = {"client1": 1000, "client2": 2000, "client3": 3000}
def quiet():
    ps = tel(*["/pathkit/path," + c for c in sent])
    s, link = tel("/pathkit/sched,s", "/pathkit/stage,link")
    return all(p["in_pkts"] == sent[p["name"]] and balanced(p) and
               p["held"] == 0 for p in ps) and s["held"] == 0 and \
        s["out_pkts"] == link["in_pkts"] == sum(p["out_pkts"] for p in ps)
settle(quiet)
assert sorted(tel("/pathkit/paths")) == sorted(sent), tel("/pathkit/paths")
took, seen = 0, {}
for i, (name, n) in enumerate(sorted(sent.items()), 1):
    p, t, o = tel("/pathkit/path," + name, "/pathkit/thread,t%d" % i,
                  "/pathkit/owner,c%d" % i)
    assert p["owner"] == "c%d" % i and p["acct"] == "none", p
    assert p["members"] == ["rx%d" % i, "t%d" % i, "q%d" % i], p
    assert p["in_pkts"] == n == p["out_pkts"] + p["dropped"] + p["held"], p
    assert p["held"] == 0 and p["dropped"] == dropped(p), p
    assert t["kind"] == "thread_continuation" and t["runner"] == "arb", t
    assert t["lcore"] == 1 and t["shares"] == 1 and t["path"] == name, t
    assert t["pkts"] == t["in_pkts"] == n and t["state"] == "running", t
    o = o["paths"]
    assert o == {"paths": 1, "in_pkts": n, "out_pkts": p["out_pkts"],
                 "dropped": p["dropped"], "held": 0}, o
    seen[name] = (p["out_pkts"], p["dropped"])
    took += p["out_pkts"]
    print("%s: in %d = out %d + dropped %d + held 0" % (name, n,
          p["out_pkts"], p["dropped"]))
threads = tel("/pathkit/threads")
assert sorted(threads) == ["out", "t1", "t2", "t3"], threads
t = tel("/pathkit/thread,out")
assert (t["runner"], t["lcore"], t["shares"]) == ("arb", 1, 64), t
assert t["pkts"] == t["out_pkts"] == took and t["busy_cycles"] > 0, t
r = tel("/pathkit/runner,arb")
assert (r["lcore"], r["attached"], r["threads"]) == (1, 4, 4), r
assert r["state"] == "running" and r["decisions"] > 0, r
assert tel("/pathkit/runners") == ["arb"] and tel("/pathkit/scheds") == ["s"]
s = tel("/pathkit/sched,s")
assert (s["policy"], s["rate_bps"], s["queues"], s["listed"]) == \
    ("wfq", 100000000, 3, 3), s
qs = sorted((q["stage"], q["weight"], q["backlog"])
            for k, q in s.items() if re.fullmatch(r"q\d+", k))
assert qs == [("client1", 1, 0), ("client2", 2, 0), ("client3", 4, 0)], qs
assert s["in_pkts"] == s["out_pkts"] == took and s["held"] == 0, s
assert tel("/pathkit/stage,link")["in_pkts"] == took
assert sorted(k for k in tel("/pathkit/owners")) == \
    ["c1", "c2", "c3", "unknown"]
bad = ("/pathkit/path,nosuch", "/pathkit/path,q1", "/pathkit/thread,q1",
       "/pathkit/sched,client1", "/pathkit/runner,s", "/pathkit/paths,x",
       "/pathkit/thread", "/pathkit/sched,s,0")
assert tel(*bad) == [None] * len(bad), tel(*bad)
print("pspat.conf: the scheduler took %d frames, the link sent them" % took)
json.dump([took, seen], open(out + ".tel", "w"))
' || fail "pspat.conf telemetry"
stop
# the final statistics say what telemetry said once the traffic had stopped
check '
took, seen = json.load(open(out + ".tel"))
for name, (o, d) in seen.items():
    assert (final("path %s " % name, "out"),
            final("path %s " % name, "dropped")) == (o, d), name
print(took)
' >"$tmp/took" || fail "final statistics differ from telemetry"
took=$(cat "$tmp/took")
[ "$(count "$tmp/link.pcap")" -eq "$took" ] ||
	fail "link.pcap holds $(count "$tmp/link.pcap") frames, telemetry said $took"

# --- silk.conf: per-flow paths, per-owner accounts
frames "$tmp/silk.pcap" dns:200 web:300 miss:50 dns:100 || fail "frames"
start silk "$confdir/silk.conf" --vdev="net_pcap0,rx_pcap=$tmp/silk.pcap" \
	--vdev="net_pcap1,tx_pcap=$tmp/silk_out.pcap"
sleep 1
kill -0 $pid 2>/dev/null || fail "silk.conf did not start"
check '
settle(lambda: [p["out_pkts"] for p in
                tel("/pathkit/path,dns", "/pathkit/path,web")] == [300, 300])
dns, web = tel("/pathkit/path,dns", "/pathkit/path,web")
for p, owner, acct in ((dns, "alice", "udp"), (web, "bob", "tcp")):
    assert (p["owner"], p["acct"]) == (owner, acct), p
    assert p["in_pkts"] == p["out_pkts"] == 300 and dropped(p) == 0, p
    assert p["held"] == 0 and p["in_bytes"] > 0, p
    o = tel("/pathkit/owner," + owner)
    row = o[acct]
    assert row["received_pkts"] == 300 and row["dropped_pkts"] == 0, o
    assert row["received_bytes"] == p["in_bytes"], (row, p)
    assert o["paths"]["paths"] == 1 and o["paths"]["in_pkts"] == 300, o
owners = tel("/pathkit/owners")
assert owners["alice"]["received_pkts"] == owners["bob"]["received_pkts"] == 300
assert owners["alice"]["received_bytes"] == dns["in_bytes"], owners
assert dns["members"] == ["dns_q", "dns_t", "dns_ttl", "dns_tx"], dns
i = tel("/pathkit/thread,ingress")
assert i["in_pkts"] == 650 and i["drop_full"] == 50 and i["path"] == "", i
t = tel("/pathkit/thread,dns_t")
assert (t["runner"], t["shares"], t["pkts"]) == ("node", 2, 300), t
assert tel("/pathkit/scheds") == [] and tel("/pathkit/runners") == ["node"]
assert sorted(tel("/pathkit/paths")) == ["dns", "web"]
print("silk.conf: alice and bob each charged 300 frames, 50 unmatched")
' || fail "silk.conf telemetry"
stop
[ "$(count "$tmp/silk_out.pcap")" -eq 600 ] ||
	fail "the downlink sent $(count "$tmp/silk_out.pcap"), want 600"
echo "run telemetry: ok"
