#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The policy of a running pk-pspat's arbiter switched through DPDK's
# telemetry socket (/pathkit/sched_policy, pk_ctl_sched_policy()):
#  - wfq -> fq_codel -> drr -> fq_pie -> wfq while three generating
#    clients keep the 200 Mbit/s link busy: each answers {"ok": 1}, the
#    scheduler then shows the new policy, the arbiter keeps sending, and
#    at exit every counter balances with nothing held (no packet lost by a
#    switch: admitted = sent + dropped, and nothing dropped);
#  - refusals (unknown policy, bad argument, no such scheduler) answer
#    {"ok": 0, "errno": N, "error": why} and change nothing;
#  - fq_codel at 10 Mbit/s drops from its standing queues: those drops are
#    the clients' dropped with the reason "aqm" at exit, and nothing stays
#    held (they used to be counted as held in the scheduler).
# Skipped (77) without python3.
#
# Usage: test_pspat_policy.sh <pk-pspat binary>
set -uo pipefail
bin=$1
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d /tmp/pk_pspatpol.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
pid=
trap '[ -n "$pid" ] && kill -INT $pid 2>/dev/null; rm -rf "$tmp"; pk_rm_rundirs "pk_pspatpol_$$_*"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -30 "$tmp/out"; exit 1; }

# start <name> <pk-pspat options>: in the background, output in $tmp/out
start() {
	prefix="pk_pspatpol_$$_$1"
	shift
	"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="$prefix" \
		--vdev=net_null0 -- "$@" >"$tmp/out" 2>&1 &
	pid=$!
	sleep 1.5
	kill -0 $pid 2>/dev/null || fail "pk-pspat $* did not start"
}

# balanced <clients>: every exit balance line holds, nothing held
balanced() {
	awk -v n="$1" '
	/^exit client [0-9]+ balance:/ {
		c++
		if ($6 != $9 + $12 + $15 || $15 != 0 || $NF != "holds")
			bad++
	}
	/^exit arbiter balance:/ { a++; if ($NF != "holds") bad++ }
	END { exit !(c == n && a == 1 && bad == 0) }' "$tmp/out" ||
		fail "counters do not balance: $(grep balance "$tmp/out")"
}

start switch --clients=3 --source=gen --weights=1,2,4 --rate=200M \
	--pkt-size=1000 --duration=30
python3 - "$prefix" <<'PYEOF' || fail "switches"
import json, os, socket, sys, time
# one connection for every command, as dpdk-telemetry.py makes one
prefix = sys.argv[1]
base = "/var/run/dpdk" if os.getuid() == 0 else \
    os.environ.get("XDG_RUNTIME_DIR", "/tmp") + "/dpdk"
sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
for i in range(100): # the EAL makes the socket early, the arbiter later
    try:
        sock.connect("%s/%s/dpdk_telemetry.v2" % (base, prefix))
        break
    except OSError:
        time.sleep(0.1)
json.loads(sock.recv(1024))
def tel(cmd):
    sock.send(cmd.encode())
    return json.loads(sock.recv(65536))[cmd.split(',')[0]]
for i in range(100):
    if "pspat" in tel("/pathkit/arbiters"):
        break
    time.sleep(0.1)
def sent():
    return tel("/pathkit/arbiter,pspat")["sent"]
keep = "target=10s interval=10s param=default"
for pol in ("fq_codel", "drr", "fq_pie", "wfq", "fq_codel", "wfq"):
    a = tel("/pathkit/sched_policy,pspat,%s,%s" % (pol, keep))
    assert a == {"ok": 1}, (pol, a)
    assert tel("/pathkit/sched,pspat.sched")["policy"] == pol
    s0 = sent()
    time.sleep(0.4)
    s1 = sent()
    print("%s: ok, sent %d in 0.4 s" % (pol, s1 - s0))
    assert s1 > s0, pol
for cmd, errno, why in (
        ("/pathkit/sched_policy,pspat,nosuch", 2, "nosuch"),
        ("/pathkit/sched_policy,pspat,drr,quantum=3", 22, "quantum"),
        ("/pathkit/sched_policy,pspat,drr,param=0", 22, "not in"),
        ("/pathkit/sched_policy,nosuch,drr", 2, "no scheduler named"),
        ("/pathkit/sched_policy,pspat", 22, "SCHED,POLICY")):
    a = tel(cmd)
    assert a["ok"] == 0 and a["errno"] == errno and why in a["error"], \
        (cmd, a)
    print("%s: refused: %s" % (cmd, a["error"]))
assert tel("/pathkit/sched,pspat.sched")["policy"] == "wfq"
PYEOF
kill -INT $pid
wait $pid || fail "pk-pspat exited $? after the switches"
pid=
grep '^exit' "$tmp/out"
balanced 3
grep -q "^exit arbiter drops in the scheduler: aqm 0 full 0 (policy wfq)" \
	"$tmp/out" || fail "drops after the switches: $(grep drops "$tmp/out")"
awk '/^exit client [0-9]+ balance:/ && $12 != 0 { bad++ } END { exit bad }' \
	"$tmp/out" || fail "a switch dropped packets"

# fq_codel's own drops: the clients' dropped, none held
prefix="pk_pspatpol_$$_aqm"
"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--log-level=lib.eal:error --file-prefix="$prefix" --vdev=net_null0 \
	-- --clients=2 --source=gen --policy=fq_codel --rate=10M \
	--pkt-size=1000 --duration=2 >"$tmp/out" 2>&1 ||
	fail "fq_codel run exited $?"
grep '^exit' "$tmp/out"
balanced 2
aqm=$(awk '/^exit arbiter drops in the scheduler:/ { print $8 }' "$tmp/out")
dropped=$(awk '/^exit client [0-9]+ balance:/ { d += $12 } END { print d }' \
	"$tmp/out")
[ -n "$aqm" ] && [ "$aqm" -gt 0 ] || fail "fq_codel dropped nothing: $aqm"
full=$(awk '/^exit arbiter drops in the scheduler:/ { print $10 }' "$tmp/out")
[ "$dropped" -eq $((aqm + full)) ] ||
	fail "clients dropped $dropped, the scheduler aqm $aqm full $full"
echo "PASS"
