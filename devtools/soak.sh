#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Soak: pk-fwd and pk-pspat side by side, each between network namespaces,
# for MINUTES (10) under iperf3 (TCP and UDP), ping, and a burst of
# malformed frames every 30 s; then SIGINT, and a check that every counter
# adds up and that neither program grew. Not in CI as is: CI runs 60 s of
# it (tests/integration/test_soak.sh, PK_SOAK_SECONDS=60).
#
#   FA --eth0==fa--[ pk-fwd io, 64 flows ]--fb==eth0-- FB  10.78.0.1 <-> .2
#   PA --a0==pa0--[ pk-pspat client 0 ]--+
#   PA --a1==pa1--[ pk-pspat client 1 ]--+-- pb0==b0-- PB  10.79.{1,2}.1
#   PA --ra=====================================rb-- PB  -> 10.79.0.2, back
#
# The DPDK ends (fa, fb; pa0, pa1, pb0) live in two hub namespaces, HF and
# HP, with no address: every link and address is in a namespace the script
# creates, and deleting the namespaces deletes them. (Two hubs, as
# net_af_packet names its fanout group getpid() ^ ifindex, unique within a
# namespace only: two programs in one namespace may collide.) pk-fwd
# forwards through a flow demux and pk-pspat queues per flow (WFQ shaped to
# 30 Mbit/s), so the malformed frames (tests/integration/soak_frames.c) go
# through the flow parser of each.
#
# Each 30-s cycle: a burst of malformed frames from FA, FB and PA's two
# clients; 10 s of iperf3 TCP FA->FB and UDP from both pk-pspat clients
# (each offering more than the shaped link), with pings through both; 10 s
# of iperf3 UDP FB->FA and TCP through pk-pspat; then a quiet moment, in
# which it checks over telemetry that each pk-pspat client adds up
# (admitted = sent + dropped, + held when the arbiter reports it, waiting
# up to 30 s for the shaper to drain), that every PathKit stage of both
# programs does (in = out + drops + held), and samples each program's
# resident memory (VmRSS). The first cycle is the warm-up: its sample is
# the baseline.
#
# At the end, the verdict, a line per check; any FAIL fails the run:
#  - both programs alive at every sample, then exit 0 on SIGINT within 30 s;
#  - pk-fwd: both "Balance" lines of its final statistics add up, RX +
#    generated = TX + dropped + TX errors (exactly: net_af_packet counts
#    nothing twice); nothing printed negative or "does NOT add up";
#  - pk-pspat: each client added up at every quiet sample; on exit its
#    sent + dropped (+ held) accounts for all it had admitted at the last
#    one (and equals admitted, if it prints admitted);
#  - traffic flowed: each kind of iperf3 run (fwd TCP, fwd UDP, pspat UDP
#    per client, pspat TCP) delivered bytes in at least half of its runs,
#    pings came back through each program, malformed frames went out. No
#    rate is asserted: a busy machine forwards slowly, not wrongly;
#  - memory: VmRSS at the end at most PK_SOAK_RSS_KB (2048 kB) above the
#    baseline. (Leaked mbufs do not show there, the pools being allocated
#    up front, nor in DPDK 22.11's /mempool/info, which has no count of what
#    is out: they show as counters that do not add up.)
# A stage whose own counters do not add up is a FAIL (a WARN with
# PK_SOAK_STRICT_STAGES=0; port_tx is left out: its out is the NIC, which
# the balance lines check).
#
# Usage: devtools/soak.sh [MINUTES]   (as root)
# Given no binaries, it installs what is missing and builds build/ first,
# as devtools/demo.sh does, so that it soaks the code as it is.
# Environment: PK_SOAK_SECONDS (overrides MINUTES; at least 60, rounded
#   down to 30-s cycles), PK_SOAK_FWD, PK_SOAK_PSPAT, PK_SOAK_FRAMES (the
#   binaries; by default in PK_SOAK_BUILD, build/), PK_SOAK_RSS_KB,
#   PK_SOAK_STRICT_STAGES, PK_SOAK_KEEP=1 (keep the logs even on success).
# Exit: 0 PASS, 1 FAIL (the logs kept, their directory printed), 77 skipped
# (not root, a tool or a binary missing), 2 bad arguments.
set -uo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

src=$(cd "$(dirname "$0")/.." && pwd)
build=${PK_SOAK_BUILD:-$src/build}
fwd_bin=${PK_SOAK_FWD:-$build/examples/pk-fwd}
pspat_bin=${PK_SOAK_PSPAT:-$build/examples/pk-pspat}
frames_bin=${PK_SOAK_FRAMES:-$build/tests/integration/soak_frames}
rss_allow=${PK_SOAK_RSS_KB:-2048}
strict=${PK_SOAK_STRICT_STAGES:-1}
cycle=30 # seconds: one burst of malformed frames each

usage() { echo "usage: $0 [MINUTES, 1..10080]" >&2; exit 2; }
skip() { echo "SKIP: $*"; exit 77; }
isnum() { [[ $1 =~ ^[0-9]{1,7}$ ]]; }

[ $# -le 1 ] || usage
mins=${1:-10}
{ isnum "$mins" && [ "$mins" -ge 1 ] && [ "$mins" -le 10080 ]; } || usage
secs=${PK_SOAK_SECONDS:-$((10#$mins * 60))}
if ! isnum "$secs" || [ "$secs" -lt 60 ]; then
	echo "$0: PK_SOAK_SECONDS: at least 60" >&2
	exit 2
fi
isnum "$rss_allow" || usage
secs=$((10#$secs)) rss_allow=$((10#$rss_allow)) # 010 is ten, not eight
ncycles=$((secs / cycle))

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
given=${PK_SOAK_BUILD:-}${PK_SOAK_FWD:-}${PK_SOAK_PSPAT:-}${PK_SOAK_FRAMES:-}
if [ -z "$given" ]; then
	"$src/devtools/install-deps.sh" || exit 1
	[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null || exit 1
	ninja -C "$build" >/dev/null || { echo "soak: build failed"; exit 1; }
fi
for t in ip ping iperf3 ethtool python3 timeout; do
	command -v "$t" >/dev/null ||
		skip "$t not installed (devtools/install-deps.sh)"
done
for b in "$fwd_bin" "$pspat_bin" "$frames_bin"; do
	[ -x "$b" ] || skip "$b not built (meson setup build && ninja -C build)"
done

tag=$$
HF=pksoak_hf$tag HP=pksoak_hp$tag FA=pksoak_fa$tag FB=pksoak_fb$tag
PA=pksoak_pa$tag PB=pksoak_pb$tag
all_ns=("$HF" "$HP" "$FA" "$FB" "$PA" "$PB")
fwd_prefix=pk_soak_fwd_$tag pspat_prefix=pk_soak_pspat_$tag
tmp=$(mktemp -d /tmp/pk_soak.XXXXXX)
fwd_pid="" pspat_pid="" bg=() status=0 passed=0

# stop_example PID: SIGINT, up to 30 s, then SIGKILL (status 124); its
# exit status
stop_example() {
	local pid=$1 i
	kill -INT "$pid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid"
		return 124
	fi
	wait "$pid"
}

# cleanup: the programs first (SIGINT), then whatever still runs in the
# namespaces (iperf3, ping: ours, as the namespaces are), then the rest
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local p n pids=()
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$fwd_pid" ] && stop_example "$fwd_pid" >/dev/null 2>&1
	[ -n "$pspat_pid" ] && stop_example "$pspat_pid" >/dev/null 2>&1
	fwd_pid="" pspat_pid=""
	for n in "${all_ns[@]}"; do
		read -r -a p <<<"$(ip netns pids "$n" 2>/dev/null | tr '\n' ' ')"
		pids+=("${p[@]}")
	done
	if [ ${#pids[@]} -gt 0 ]; then
		kill "${pids[@]}" 2>/dev/null
		sleep 0.5
		kill -KILL "${pids[@]}" 2>/dev/null
	fi
	for p in "${bg[@]}"; do wait "$p" 2>/dev/null; done
	bg=()
	for n in "${all_ns[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "/var/run/dpdk/$fwd_prefix" "/var/run/dpdk/$pspat_prefix"
	if [ "$passed" -eq 1 ] && [ "${PK_SOAK_KEEP:-0}" != 1 ]; then
		rm -rf "$tmp"
	else
		echo "soak: logs in $tmp"
	fi
}
trap cleanup EXIT
trap 'echo "soak: interrupted"; exit 1' INT TERM

say() { echo "soak: $*"; }
# verdict OK|WARN|FAIL WHAT...: one line of the verdict
verdict() {
	local v=$1
	shift
	echo "  [$v] $*" | tee -a "$tmp/verdict"
	[ "$v" != FAIL ] || status=1
}
# check STATUS WHAT...: OK if STATUS is 0, else FAIL
check() {
	local s=$1
	shift
	if [ "$s" -eq 0 ]; then verdict OK "$@"; else verdict FAIL "$@"; fi
}
die() { # a failure before there is anything to check
	local f
	echo "FAIL: $*"
	for f in "$tmp/fwd.log" "$tmp/pspat.log"; do
		[ -f "$f" ] && { echo "== tail of $f"; tail -20 "$f"; }
	done
	exit 1
}
nsdo() { ip netns exec "$@"; }
mac() { nsdo "$1" cat "/sys/class/net/$2/address"; }
# rss_kb PID: "VmRSS RssAnon RssFile RssShmem" in kB
rss_kb() {
	awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ { v[$1] = $2 }
		END { print v["VmRSS:"] + 0, v["RssAnon:"] + 0, v["RssFile:"] + 0,
			v["RssShmem:"] + 0 }' "/proc/$1/status" 2>/dev/null
}

# netns NAME...: new namespaces, lo up, no IPv6 (no router solicitation or
# MLD report trickling into the programs while they should be quiet)
netns() {
	local n
	for n in "$@"; do
		ip netns add "$n" || die "netns add $n"
		nsdo "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		nsdo "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		nsdo "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0
		nsdo "$n" sysctl -qw net.ipv4.conf.default.rp_filter=0
		ip -n "$n" link set lo up
	done
}
# up NS IFACE...: up, without offloads (the frames cross user space, where
# no one completes a checksum or splits a TSO frame)
up() {
	local n=$1 l
	shift
	for l in "$@"; do
		nsdo "$n" ethtool -K "$l" tx off tso off gso off gro off \
			>/dev/null 2>&1
		nsdo "$n" sysctl -qw "net.ipv4.conf.$l.rp_filter=0" 2>/dev/null
		ip -n "$n" link set "$l" up || die "link $l up in $n"
	done
}

# The checks that read JSON or parse lines: python3 $tmp/soak.py CMD ARGS
cat >"$tmp/soak.py" <<'EOF'
import json, re, socket, sys

def tel(prefix, cmds):
    """One telemetry reply per command, as a dict (None if refused)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2")
    n = json.loads(s.recv(4096))["max_output_len"]
    out = []
    for c in cmds:
        s.send(c.encode())
        out.append(list(json.loads(s.recv(n)).values())[0])
    s.close()
    return out

def clients(prefix, arbiter, n):
    """Each client: admitted = sent + dropped (+ held). Prints
    "admitted sent dropped held" per client, comma-separated."""
    bad, out = 0, []
    for c in tel(prefix, [f"/pathkit/arbiter_client,{arbiter},{i}"
                          for i in range(int(n))]):
        h = c.get("held", 0)
        out.append(f"{c['admitted']} {c['sent']} {c['dropped']} {h}")
        bad |= c["admitted"] != c["sent"] + c["dropped"] + h
    print(",".join(out))
    return bad

def stages(prefix):
    """Every live stage but port_tx: in = out + drops + held. Prints
    "NAME KIND in I != out O + drops D + held H" for those that do not."""
    names = tel(prefix, ["/pathkit/stages"])[0]
    for name, st in zip(names, tel(prefix, ["/pathkit/stage," + x
                                            for x in names])):
        if not st or st["kind"] == "port_tx":
            continue
        d = sum(v for k, v in st.items() if k.startswith("drop_"))
        if st["in_pkts"] != st["out_pkts"] + d + st["held"]:
            print(f"{name} {st['kind']} in {st['in_pkts']} != out "
                  f"{st['out_pkts']} + drops {d} + held {st['held']}")
    return 0

def iperf(name, path):
    """NAME ok BYTES MBIT/S from iperf3's JSON; fails on no bytes."""
    e = json.load(open(path))["end"]
    r = e.get("sum_received") or e["sum"]
    print(name, "ok", r["bytes"], round(r["bits_per_second"] / 1e6, 1))
    return r["bytes"] <= 0

def fwd_stages(path):
    """pk-fwd's printed per-stage and per-path counters that do not add
    up (refusals are not in: given back, never taken)."""
    text = open(path).read()
    text = text[text.find("PathKit per-stage counters"):]
    for line in text.splitlines():
        m = re.match(r"\s*(path )?(\S+)\s+(\S+).*?\bin=(\d+)(?: \(\d+ B\))?"
                     r" out=(\d+)(?: \(\d+ B\))?(.*)", line)
        if not m or m.group(3) == "port_tx":
            continue
        i, o = int(m.group(4)), int(m.group(5))
        kv = re.findall(r"([\w-]+)=(\d+)", m.group(6))
        if m.group(1):  # path: refused=R dropped=D held=H
            d = sum(int(v) for k, v in kv if k == "dropped")
        else:           # stage: REASON=N refused-REASON=N held=N
            d = sum(int(v) for k, v in kv
                    if not k.startswith("refused") and k != "held")
        h = sum(int(v) for k, v in kv if k == "held")
        if i != o + d + h:
            kind = "path" if m.group(1) else m.group(3)
            print(f"{m.group(2)} {kind} in {i} != out {o} + drops {d} + "
                  f"held {h}")
    return 0

def pspat_exit(line, quiet):
    """An "exit client N balance:" line of pk-pspat against the last quiet
    sample: OK|FAIL and what it found."""
    own = line.split(" (mailbox")[0]  # its mailbox has a held of its own
    kv = {k: int(v) for k, v in re.findall(
        r"\b(admitted|sent|rejected|dropped|held)[ =:]+(-?\d+)", own)}
    c = re.search(r"client (\d+)", line).group(1)
    if any(v < 0 for v in kv.values()) or "sent" not in kv \
            or "dropped" not in kv:
        print(f"FAIL pk-pspat client {c} on exit: cannot read: {line}")
        return 0
    h = kv.get("held", 0)
    out = kv["sent"] + kv["dropped"] + h
    q = quiet.split()
    ok = len(q) == 4 and out >= int(q[0])
    say = (f"sent {kv['sent']} + dropped {kv['dropped']} + held {h} = "
           f"{out} {'>=' if ok else '<'} {q[0] if q else '?'} admitted at "
           f"the last quiet sample")
    if "admitted" in kv:
        ok = ok and kv["admitted"] == out
        say += f"; admitted {kv['admitted']}"
    else:
        say += " (it prints no admitted)"
    print(("OK" if ok else "FAIL") + f" pk-pspat client {c} on exit: "
          f"{say}; rejected {kv.get('rejected', '?')}")
    return 0

try:
    sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
except Exception as e:  # one line, where a verdict shows it
    print(f"{sys.argv[1]}: {type(e).__name__}: {e}")
    sys.exit(3)
EOF
py() { python3 "$tmp/soak.py" "$@"; }

## topology
netns "${all_ns[@]}"
ip -n "$HF" link add fa type veth peer name eth0 netns "$FA" &&
	ip -n "$HF" link add fb type veth peer name eth0 netns "$FB" &&
	ip -n "$HP" link add pa0 type veth peer name a0 netns "$PA" &&
	ip -n "$HP" link add pa1 type veth peer name a1 netns "$PA" &&
	ip -n "$HP" link add pb0 type veth peer name b0 netns "$PB" &&
	ip -n "$PA" link add ra type veth peer name rb netns "$PB" ||
	die "veth"
up "$HF" fa fb
up "$HP" pa0 pa1 pb0
up "$FA" eth0
up "$FB" eth0
up "$PA" a0 a1 ra
up "$PB" b0 rb
ip -n "$FA" addr add 10.78.0.1/24 dev eth0
ip -n "$FB" addr add 10.78.0.2/24 dev eth0
ip -n "$PA" addr add 10.79.1.1/24 dev a0
ip -n "$PA" addr add 10.79.2.1/24 dev a1
ip -n "$PB" addr add 10.79.0.2/24 dev b0
# pk-pspat: each client's traffic source-routed out of its own veth, to b0's
# MAC (no ARP through pk-pspat); replies straight back over r
b0mac=$(mac "$PB" b0) ramac=$(mac "$PA" ra)
for i in 1 2; do
	ip -n "$PA" route add 10.79.0.2/32 dev "a$((i - 1))" table $((100 + i))
	ip -n "$PA" rule add from "10.79.$i.1" table $((100 + i))
	ip -n "$PA" neigh replace 10.79.0.2 lladdr "$b0mac" dev "a$((i - 1))"
	ip -n "$PB" route add "10.79.$i.0/24" dev rb
	ip -n "$PB" neigh replace "10.79.$i.1" lladdr "$ramac" dev rb
done

## the programs (started by ip netns exec itself: $! is the program), with
## pk-fwd's forwarding lcore and pk-pspat's arbiter on different CPUs when
## there are only two
eal=(--no-huge --no-shconf --no-pci --log-level=lib.eal:error)
if [ "$(nproc)" -ge 4 ]; then
	fwd_cores=(-l "2,3")
else
	fwd_cores=("--lcores=0@1,1@0")
fi
ip netns exec "$HF" "$fwd_bin" "${eal[@]}" -m 256 "${fwd_cores[@]}" \
	--file-prefix="$fwd_prefix" \
	--vdev=net_af_packet0,iface=fa --vdev=net_af_packet1,iface=fb -- \
	--forward-mode=io --flows=64 --stats-period 10 >"$tmp/fwd.log" 2>&1 &
fwd_pid=$!
ip netns exec "$HP" "$pspat_bin" "${eal[@]}" -m 512 -l 0,1 \
	--file-prefix="$pspat_prefix" \
	--vdev=net_af_packet0,iface=pa0 --vdev=net_af_packet1,iface=pa1 \
	--vdev=net_af_packet2,iface=pb0 -- --clients=2 --source=ports \
	--policy=wfq --dispatch=arbiter --flow-queues=64 --rate=30M \
	--stats-period=10 >"$tmp/pspat.log" 2>&1 &
pspat_pid=$!
for ((i = 0; i < 100; i++)); do
	[ -S "/var/run/dpdk/$fwd_prefix/dpdk_telemetry.v2" ] &&
		[ -S "/var/run/dpdk/$pspat_prefix/dpdk_telemetry.v2" ] &&
		grep -q "^pk-pspat:" "$tmp/pspat.log" && break
	sleep 0.1
done
sleep 1
kill -0 "$fwd_pid" 2>/dev/null || die "pk-fwd did not start"
kill -0 "$pspat_pid" 2>/dev/null || die "pk-pspat did not start"
grep -q "forwarding, 2 port(s)" "$tmp/fwd.log" || die "pk-fwd: not 2 ports"
grep -q "probe failed" "$tmp/fwd.log" "$tmp/pspat.log" && die "a port failed"
say "pk-fwd pid $fwd_pid, pk-pspat pid $pspat_pid; $ncycles cycles of" \
	"$cycle s; logs in $tmp"

## traffic
# iperf NAME SERVER_NS CLIENT_NS PORT SECONDS IPERF_CLIENT_ARGS...: a one-off
# server, a client; appends "NAME ok BYTES MBIT/S" or "NAME failed" to
# $tmp/iperf (the client's output kept in $tmp/NAME.CYCLE.json)
iperf() {
	local name=$1 sns=$2 cns=$3 port=$4 t=$5 spid out
	shift 5
	out=$tmp/$name.$c.json
	ip netns exec "$sns" iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	nsdo "$cns" timeout $((t + 30)) iperf3 -p "$port" -t "$t" -J \
		--connect-timeout 5000 "$@" >"$out" 2>&1 &&
		py iperf "$name" "$out" >>"$tmp/iperf" 2>/dev/null ||
		echo "$name failed" >>"$tmp/iperf"
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
}
# pings NAME NS ARGS...: 20 pings; appends "NAME 20 RECEIVED" to $tmp/ping
pings() {
	local name=$1 ns=$2 rx
	shift 2
	rx=$(nsdo "$ns" ping -q -c 20 -i 0.25 -W 1 "$@" 2>/dev/null |
		sed -nE 's/.* ([0-9]+) received.*/\1/p')
	echo "$name 20 ${rx:-0}" >>"$tmp/ping"
}
# burst N: malformed frames (seed N) into both programs, from both sides of
# pk-fwd and from both clients of pk-pspat
burst() {
	local n=$1 famac fbmac
	famac=$(mac "$FA" eth0) fbmac=$(mac "$FB" eth0)
	{
		nsdo "$FA" "$frames_bin" eth0 "$fbmac" 10.78.0.1 10.78.0.2 "$n"
		nsdo "$FB" "$frames_bin" eth0 "$famac" 10.78.0.2 10.78.0.1 "$n"
		nsdo "$PA" "$frames_bin" a0 "$b0mac" 10.79.1.1 10.79.0.2 "$n"
		nsdo "$PA" "$frames_bin" a1 "$b0mac" 10.79.2.1 10.79.0.2 "$n"
	} >>"$tmp/frames" 2>&1 || echo "burst $n: a send failed" >>"$tmp/frames"
}
# phase: wait for what runs in the background
phase() {
	local p
	for p in "${bg[@]}"; do wait "$p"; done
	bg=()
}

# pspat_quiet: wait (up to 30 s: the shaper drains what the queues hold,
# slowly if the arbiter is starved) until each pk-pspat client adds up;
# prints the clients' "admitted sent dropped held", status 1 if they never
# did
pspat_quiet() {
	local i out
	for ((i = 0; i < 60; i++)); do
		out=$(py clients "$pspat_prefix" pspat 2 2>&1) &&
			{ echo "$out"; return 0; }
		sleep 0.5
	done
	echo "$out"
	return 1
}

# sample WHEN: when quiet, the checks over telemetry, then VmRSS (after
# them: a telemetry thread's first stack counts in the baseline)
declare -A first last
sample() {
	local k p
	if last[pspat_clients]=$(pspat_quiet); then
		last[pspat_quiet]=ok
	else
		last[pspat_quiet]=FAIL
	fi
	for p in fwd pspat; do
		k=${p}_prefix
		py stages "${!k}" 2>&1 | while read -r l; do
			echo "$1: pk-$p $l"
		done >>"$tmp/stages"
	done
	last[fwd_rss]=$(rss_kb "$fwd_pid")
	last[pspat_rss]=$(rss_kb "$pspat_pid")
	for k in "${!last[@]}"; do
		[ -n "${first[$k]:-}" ] || first[$k]=${last[$k]}
	done
	echo "$1: ${last[pspat_quiet]} ${last[pspat_clients]}" >>"$tmp/samples"
	echo "fwd ${last[fwd_rss]}" >>"$tmp/rss"
	echo "pspat ${last[pspat_rss]}" >>"$tmp/rss"
	say "$1: VmRSS pk-fwd ${last[fwd_rss]%% *} kB, pk-pspat" \
		"${last[pspat_rss]%% *} kB; pk-pspat clients (admitted sent dropped" \
		"held) ${last[pspat_clients]}: ${last[pspat_quiet]}"
}

: >"$tmp/iperf"
: >"$tmp/ping"
: >"$tmp/frames"
: >"$tmp/stages"
start=$SECONDS
for ((c = 1; c <= ncycles; c++)); do
	t0=$SECONDS
	burst "$c"
	iperf fwd_tcp "$FB" "$FA" 5201 10 -c 10.78.0.2 -P 2 &
	bg+=($!)
	iperf pspat_udp0 "$PB" "$PA" 5301 10 -c 10.79.0.2 -B 10.79.1.1 \
		-u -b 25M -l 1400 &
	bg+=($!)
	iperf pspat_udp1 "$PB" "$PA" 5302 10 -c 10.79.0.2 -B 10.79.2.1 \
		-u -b 25M -l 1400 &
	bg+=($!)
	pings fwd "$FA" 10.78.0.2 &
	bg+=($!)
	pings pspat "$PA" -I 10.79.2.1 10.79.0.2 &
	bg+=($!)
	phase
	iperf fwd_udp "$FB" "$FA" 5202 10 -c 10.78.0.2 -R -u -b 200M -l 1400 &
	bg+=($!)
	iperf pspat_tcp "$PB" "$PA" 5303 10 -c 10.79.0.2 -B 10.79.1.1 &
	bg+=($!)
	pings fwd "$FB" 10.78.0.1 &
	bg+=($!)
	pings pspat "$PA" -I 10.79.1.1 10.79.0.2 &
	bg+=($!)
	phase
	kill -0 "$fwd_pid" 2>/dev/null || die "pk-fwd died (cycle $c)"
	kill -0 "$pspat_pid" 2>/dev/null || die "pk-pspat died (cycle $c)"
	sleep 1
	if [ "$c" -eq 1 ]; then
		sample warm-up
	else
		sample "cycle $c/$ncycles"
	fi
	# the next burst 30 s after this one (a busy machine may take longer)
	[ $((SECONDS - t0)) -lt $cycle ] && sleep $((cycle - (SECONDS - t0)))
done
ran=$((SECONDS - start))

## stop and check
say "stopping after $ran s"
: >"$tmp/verdict"
stop_example "$fwd_pid"
rc=$?
fwd_pid=""
check "$rc" "pk-fwd exits $rc on SIGINT"
stop_example "$pspat_pid"
rc=$?
pspat_pid=""
check "$rc" "pk-pspat exits $rc on SIGINT"

# pk-fwd: the balance lines (digits only: a negative number does not parse)
n=0
while read -r a b rx gen tx drop err; do
	n=$((n + 1))
	if [ $((rx + gen)) -eq $((tx + drop + err)) ]; then eq="=" ok=0
	else eq="!=" ok=1; fi
	check "$ok" "pk-fwd P=$a -> P=$b: RX $rx + generated $gen $eq TX $tx" \
		"+ dropped $drop + TX errors $err"
done < <(sed -nE 's/^  Balance P=([0-9]+) -> P=([0-9]+): RX ([0-9]+) \+ generated ([0-9]+) = TX ([0-9]+) \+ dropped ([0-9]+) \+ TX errors ([0-9]+)$/\1 \2 \3 \4 \5 \6 \7/p' "$tmp/fwd.log")
[ "$n" -eq 2 ] || verdict FAIL "pk-fwd: $n balance lines that parse, want 2"
# nothing negative or unbalanced in any statistics line of either
stat_line="^(  Balance|  RX-|  TX-|exit |stats |  .* in=|  path )"
if grep -hiE "not add up|$stat_line.*[=: ]-[0-9]" "$tmp/fwd.log" \
	"$tmp/pspat.log" >"$tmp/negative"; then
	verdict FAIL "negative or unbalanced: $(head -3 "$tmp/negative")"
else
	verdict OK "no statistics line negative or saying it does not add up"
fi

# stages: pk-fwd's final per-stage counters, both programs' over telemetry
py fwd_stages "$tmp/fwd.log" 2>&1 | while read -r l; do
	echo "on exit: pk-fwd $l"
done >>"$tmp/stages"
if [ -s "$tmp/stages" ]; then
	v=WARN
	[ "$strict" = 1 ] && v=FAIL
	# a stage that does not add up: once, with how often and the last time
	sed -E 's/^[^:]*: //; s/ in [0-9]+ != .*//' "$tmp/stages" | sort |
		uniq -c | while read -r k s; do
			verdict "$v" "$s does not add up at $k look(s) (quiet" \
				"samples, exit); last: $(grep -F ": $s in " "$tmp/stages" |
				tail -1 | sed -E 's/^([^:]*): .* in /\1: in /')"
		done
	[ "$v" = FAIL ] && status=1
else
	verdict OK "every stage of both, in = out + drops + held, at" \
		"$ncycles quiet samples and on exit"
fi

# pk-pspat: each client at the quiet samples and on exit
n=$(grep -c " FAIL " "$tmp/samples")
check "$n" "pk-pspat clients added up (admitted = sent + dropped + held)" \
	"at $((ncycles - n)) of $ncycles quiet samples"
IFS=, read -r -a quiet <<<"${last[pspat_clients]:-}"
i=0
while read -r line; do
	read -r v l <<<"$(py pspat_exit "$line" "${quiet[$i]:-}" 2>&1)"
	verdict "${v:-FAIL}" "${l:-pk-pspat: cannot check: $line}"
	i=$((i + 1))
done < <(grep -E "^exit client [0-9]+ balance:" "$tmp/pspat.log")
[ "$i" -eq 2 ] || verdict FAIL "pk-pspat: $i exit balance lines, want 2"

# traffic flowed
for k in fwd_tcp fwd_udp pspat_udp0 pspat_udp1 pspat_tcp; do
	read -r ok runs mb rate <<<"$(awk -v k="$k" '$1 == k { n++ }
		$1 == k && $2 == "ok" { o++; b += $3; r += $4 }
		END { printf "%d %d %.0f %.1f\n", o, n, b / 1e6, o ? r / o : 0 }' \
		"$tmp/iperf")"
	[ "$ok" -gt 0 ] && [ $((2 * ok)) -ge "$runs" ]
	check $? "iperf3 $k: $ok of $runs runs delivered, $mb MB," \
		"$rate Mbit/s on average"
done
for k in fwd pspat; do
	read -r tx rx <<<"$(awk -v k="$k" '$1 == k { t += $2; r += $3 }
		END { print t + 0, r + 0 }' "$tmp/ping")"
	[ "$rx" -gt 0 ]
	check $? "ping through pk-$k: $rx of $tx replies"
done
read -r fsent ftried <<<"$(awk '/^soak_frames/ { s += $4; t += $6 }
	END { print s + 0, t + 0 }' "$tmp/frames")"
[ "$fsent" -gt 0 ]
check $? "malformed frames: $fsent of $ftried sent in $ncycles bursts"

# memory: the last quiet sample against the warm-up's
for p in fwd pspat; do
	read -r a aa af as <<<"${first[${p}_rss]:-0 0 0 0}"
	read -r b ba bf bs <<<"${last[${p}_rss]:-0 0 0 0}"
	[ "$a" -gt 0 ] && [ "$b" -le $((a + rss_allow)) ]
	check $? "pk-$p VmRSS $a -> $b kB ($((b - a)) kB: anon $((ba - aa))," \
		"file $((bf - af)), shmem $((bs - as)); allowed $rss_allow)," \
		"the most at a sample $(awk -v k="$p" \
		'$1 == k && $2 > m { m = $2 } END { print m + 0 }' "$tmp/rss")"
done

echo "soak: pk-fwd final statistics:"
sed -n '/Accumulated forward statistics/,/Balance P=1/p' "$tmp/fwd.log" |
	grep -E "^  (RX|TX|Balance P)" | sed 's/^/  /'
echo "soak: pk-pspat final statistics:"
grep -E "^exit" "$tmp/pspat.log" | sed 's/^/  /'
if [ "$status" -eq 0 ]; then
	passed=1
	echo "soak: PASS ($ran s, $ncycles cycles)"
else
	echo "soak: FAIL ($ran s, $ncycles cycles):"
	grep -F "[FAIL]" "$tmp/verdict"
fi
exit "$status"
