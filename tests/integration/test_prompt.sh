#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The -i prompt of pk-run and pk-fwd (examples/common/pk_prompt.h), driven
# with commands piped in, as a user types them; no root:
#  - --help of each prints its usage, -i among the options, and exits 0;
#  - pk-run -i on pspat.conf (net_null ports): help lists the commands;
#    an edge captured on and off, the file reloaded, a missing one refused;
#    show paths names the three clients; start; show sched s has weights
#    1, 2, 4; set weight s client3 8 answers ok and show sched s then says
#    8; set share, set rate (show sched s says 50000000) answer ok; every
#    refusal answers "error: " with its reason (no such queue, shares out
#    of range, a bad rate, no scheduler serving an owner alone, fq_codel
#    over stage queues, a bad param, no demux, no port map, a key of the
#    wrong form); set policy s drr (show sched s then says policy=drr)
#    and back to wfq answer ok; show owners, show port stats
#    all, clear port stats all, show fwd stats all answer as testpmd's;
#    an unknown command is "Command not found"; stop, quit: exit 0 and the
#    final statistics;
#  - pk-run -i on silk.conf: add key, the same again (refused), del key;
#    the end of input without quit ends it as quit does, and so does
#    SIGINT while the prompt waits;
#  - pk-run -i on silk.conf with "portmap ports (demux=d)": reserve, then
#    add key for bob's path on alice's port is refused; release, the key
#    goes on; a reservation over its port is refused;
#  - pk-fwd -i (net_null ports): start, show port stats all, stop (testpmd's
#    forward statistics), start again, show paths (both streams moved
#    packets), set share, quit.
#
# Usage: test_prompt.sh <pk-run binary> <pk-fwd binary> <examples/conf dir>
set -uo pipefail
run_bin=$1 fwd_bin=$2 confdir=$3
tmp=$(mktemp -d /tmp/pk_prompt.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
trap 'rm -rf "$tmp"; pk_rm_rundirs "pk_prompt_$$_*"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -40 "$tmp/out"; exit 1; }
n=0

# drive <binary> <EAL args...> -- <options>: stdin piped in, output in
# $tmp/out, exit code in $rc
drive() {
	local b=$1
	shift
	n=$((n + 1))
	timeout 60 "$b" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="pk_prompt_$$_$n" "$@" \
		>"$tmp/out" 2>&1
	rc=$?
	sed -i 's/\r$//' "$tmp/out" # cmdline ends a line it read with CR LF
}

# has <text>...: each is a line (fixed string) of the output
has() {
	local t
	for t in "$@"; do
		grep -q -F -x -- "$t" "$tmp/out" || fail "no line '$t'"
	done
}

# answer <prompt> <command> <answer>: the line after the prompt and the
# command starts so
answer() {
	grep -A1 -F -x -- "$1$2" "$tmp/out" | sed -n 2p | grep -q -F -- "$3" ||
		fail "'$2' did not answer '$3'"
}

for b in "$run_bin" "$fwd_bin"; do
	"$b" -- --help >"$tmp/out" 2>&1 || fail "$b -- --help exited $?"
	grep -q -- "-i, --interactive" "$tmp/out" || fail "$b: no -i in --help"
done

# --- pk-run -i, pspat.conf: a scheduler and three clients
p="pk-run> "
cmds() {
	echo "help"; echo "show paths"; echo "start"; sleep 1
	echo "show sched s"; echo "set weight s client3 8"; echo "show sched s"
	echo "set weight s nosuch 1"; echo "set weight s client1 0"
	echo "set share t1 3"; echo "set share t1 0"; echo "set share tx 3"
	echo "set rate s 50M"; echo "show sched s"; echo "set rate s fast"
	echo "set rate owner c1 1M"; echo "set rate owner nobody 1M"
	echo "set policy s drr param=default"; echo "show sched s"
	echo "set policy s fq_codel"; echo "set policy s wfq param=bad"
	echo "set policy s wfq param=default"
	echo "add key nod udp 10.0.0.1:53 -> q1"; echo "add key q1 udp"
	echo "reserve pm c1:udp:5000"; echo "release pm c1:udp:5000"
	echo "show sched nosuch"; echo "show owners"; echo "show port stats all"
	echo "clear port stats all"; echo "show fwd stats all"; echo "bogus"
	echo "capture on out $tmp/out.pcapng"; sleep 0.5; echo "capture off out"
	echo "capture off out"; echo "capture on nosuch $tmp/x.pcapng"
	echo "reload $confdir/pspat.conf"; echo "reload $tmp/none.conf"
	echo "stop"; echo "quit"
}
drive "$run_bin" --vdev=net_null0 --vdev=net_null1 --vdev=net_null2 \
	--vdev=net_null3 -- -f "$confdir/pspat.conf" -i < <(cmds)
[ $rc -eq 0 ] || fail "pk-run -i exited $rc"
has "${p}help" "  set weight <sched> <queue> <w>: a queue's weight (quantum, priority)" \
	"  quit: stop and exit (or Ctrl-D)"
grep -q "^path client1 owner=c1 members=rx1,t1,q1 in=0 " "$tmp/out" ||
	fail "show paths before start"
answer "$p" "start" "ok"
grep -q "^  q2 stage=client3 weight=4 " "$tmp/out" || fail "weight 4 at first"
answer "$p" "set weight s client3 8" "ok"
grep -q "^  q2 stage=client3 weight=8 " "$tmp/out" || fail "weight 8 after"
answer "$p" "set weight s nosuch 1" "error: s has no queue nosuch"
answer "$p" "set weight s client1 0" "error: s: 0 is not a wfq parameter in 1.."
answer "$p" "set share t1 3" "ok"
answer "$p" "set share t1 0" "error: shares: '0' is not an integer in 1..65536"
answer "$p" "set share tx 3" "error: no thread named tx"
answer "$p" "set rate s 50M" "ok"
grep -q "^sched s policy=wfq rate_bps=50000000 " "$tmp/out" || fail "50M"
answer "$p" "set rate s fast" "error: rate: 'fast' is not"
answer "$p" "set rate owner c1 1M" "error: no scheduler serves c1 alone"
answer "$p" "set rate owner nobody 1M" "error: no owner named nobody"
answer "$p" "set policy s drr param=default" "ok"
grep -q "^sched s policy=drr rate_bps=50000000 " "$tmp/out" ||
	fail "show sched s after set policy s drr"
answer "$p" "set policy s fq_codel" \
	"error: fq_codel takes internal queues only: 3 stage queues are attached"
answer "$p" "set policy s wfq param=bad" "error: param: 'bad' is not"
answer "$p" "set policy s wfq param=default" "ok"
answer "$p" "add key nod udp 10.0.0.1:53 -> q1" \
	"error: no demux_flow stage named nod"
answer "$p" "add key q1 udp" "error: found 2 words, expected D PROTO"
answer "$p" "reserve pm c1:udp:5000" "error: no port map named pm"
answer "$p" "release pm c1:udp:5000" "error: no port map named pm"
answer "$p" "show sched nosuch" "error: no scheduler named nosuch"
grep -q "^owner c2 id=2 sent=" "$tmp/out" || fail "show owners"
grep -q "NIC statistics for port 3 " "$tmp/out" || fail "show port stats all"
has "  NIC statistics for port 0 cleared"
grep -q "^path client2 owner=2 in=[1-9]" "$tmp/out" || fail "show fwd stats all"
has "Command not found"
# (the library's log line "capture: out -> link on" comes before the answer)
grep -A2 -F -x -- "${p}capture on out $tmp/out.pcapng" "$tmp/out" |
	grep -q -x "ok" || fail "capture on out did not answer ok"
answer "$p" "capture off out" "ok: captured "
grep -A1 -F -x -- "${p}capture off out" "$tmp/out" |
	grep -q "captured [1-9]" || fail "capture of out -> link caught nothing"
grep -A1 -F -x -- "${p}capture off out" "$tmp/out" | sed -n 4p |
	grep -q "^error: " || fail "a second capture off out was not refused"
[ -s "$tmp/out.pcapng" ] || fail "no capture file"
grep -A2 -F -x -- "${p}capture on nosuch $tmp/x.pcapng" "$tmp/out" |
	grep -q "^error: " || fail "capture on nosuch was not refused"
grep -A6 -F -x -- "${p}reload $confdir/pspat.conf" "$tmp/out" |
	grep -q "^ok: moved " || fail "reload of pspat.conf did not answer ok"
grep -q "^error: .*cannot read '$tmp/none.conf'" "$tmp/out" ||
	fail "reload of a missing file"
answer "$p" "stop" "Telling cores to stop..."
has "== final statistics"

# --- pk-run -i, silk.conf: keys added and deleted; input ends, no quit
cmds() {
	echo "add key d udp 10.0.0.3:9 -> web"
	echo "add key d udp 10.0.0.3:9 -> web"
	echo "del key d udp 10.0.0.3:9"; echo "del key d udp 10.0.0.3:9"
	echo "add key d udp 10.0.0.3:9 -> nosuch"
	echo "add key d udp [fd00::1]:53 <- [fd00::2]:4000 -> dns"
}
drive "$run_bin" --vdev=net_null0 --vdev=net_null1 -- \
	-f "$confdir/silk.conf" -i < <(cmds)
[ $rc -eq 0 ] || fail "pk-run -i (silk.conf) exited $rc"
answer "$p" "add key d udp 10.0.0.3:9 -> web" "ok"
grep -A1 -F -x "${p}add key d udp 10.0.0.3:9 -> web" "$tmp/out" | tail -1 |
	grep -q "^error: d has the key udp4 10.0.0.3:9 already" ||
	fail "a key added twice"
answer "$p" "del key d udp 10.0.0.3:9" "ok"
grep -q "^error: d has no key udp4 10.0.0.3:9$" "$tmp/out" ||
	fail "a key deleted twice"
answer "$p" "add key d udp 10.0.0.3:9 -> nosuch" \
	"error: no stage or path named nosuch"
answer "$p" "add key d udp [fd00::1]:53 <- [fd00::2]:4000 -> dns" "ok"
has "== final statistics"

# --- pk-run -i, silk.conf with a port map guarding d: reserve and release
# decide which keys go on
printf 'include "%s"\nportmap ports (demux=d)\n' "$confdir/silk.conf" \
	>"$tmp/map.conf"
cmds() {
	echo "reserve ports alice:udp:9"; echo "add key d udp 10.0.0.3:9 -> web"
	echo "release ports alice:udp:9"; echo "add key d udp 10.0.0.3:9 -> web"
	echo "reserve ports alice:udp:9"; echo "quit"
}
drive "$run_bin" --vdev=net_null0 --vdev=net_null1 -- \
	-f "$tmp/map.conf" -i < <(cmds)
[ $rc -eq 0 ] || fail "pk-run -i (map.conf) exited $rc"
grep -A1 -F -x -e "${p}reserve ports alice:udp:9" \
	-e "${p}add key d udp 10.0.0.3:9 -> web" "$tmp/out" |
	grep -v -F -e "$p" -e "--" >"$tmp/answers"
printf '%s\n' "ok" "error: udp port 9 is reserved for alice in port map ports (the key's target is bob's)" \
	"ok" "error: 'alice:udp:9': a port in the range is bound by another owner" |
	diff - <(sed -n '1p;2p;3p;4p' "$tmp/answers") >/dev/null ||
	fail "port map at the prompt: $(cat "$tmp/answers")"
answer "$p" "release ports alice:udp:9" "ok"

# --- SIGINT at a prompt waiting for input ends it as quit does
"$run_bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--log-level=lib.eal:error --file-prefix="pk_prompt_$$_sig" \
	--vdev=net_null0 --vdev=net_null1 -- -f "$confdir/fwd.conf" -i \
	< <(sleep 20) >"$tmp/out" 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid || fail "pk-run -i exited $? after SIGINT"
has "== final statistics"

# --- pk-fwd -i: testpmd's commands
p="pk-fwd> "
cmds() {
	echo "start"; sleep 0.5; echo "show port stats all"; echo "stop"
	echo "start"; sleep 0.5; echo "show paths"; echo "set share thread1 2"
	echo "quit"
}
drive "$fwd_bin" --vdev=net_null0 --vdev=net_null1 -- -i < <(cmds)
[ $rc -eq 0 ] || fail "pk-fwd -i exited $rc"
answer "$p" "start" "ok"
grep -q "NIC statistics for port 1 " "$tmp/out" || fail "show port stats all"
answer "$p" "stop" "Telling cores to stop..."
grep -q "Accumulated forward statistics for all ports" "$tmp/out" ||
	fail "stop: no forward statistics"
grep -q "^path stream0 owner=unknown members=rx0.0,thread0,tx1.0 in=[1-9]" \
	"$tmp/out" || fail "stream0 moved nothing"
grep -q "^path stream1 owner=unknown members=rx1.0,thread1,tx0.0 in=[1-9]" \
	"$tmp/out" || fail "stream1 moved nothing"
answer "$p" "set share thread1 2" "ok"
has "Done."
echo "prompt: ok"
