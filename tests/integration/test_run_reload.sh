#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pk-run reloads its configuration while traffic flows (issue 18): net_null
# ports (an endless source, a sink), a runner with two continuation threads
# and a queue between them.
#  - SIGHUP after the file changed (the queue's size): "reloaded" on stderr,
#    the same runner still running two threads, the sink still counting;
#  - /pathkit/reload (no file: the one given at start) answers ok;
#  - /pathkit/reload,BAD with a file that does not check answers ok 0 and
#    its error, file:line:col; one that does not build (a queue size
#    that is not a power of two) likewise; nothing changed: same stages,
#    the sink counting on; SIGHUP with a bad file says so and pk-run runs
#    on;
#  - SIGINT: a clean exit with the final statistics.
# Skipped (77) without dpdk-telemetry.py or python3.
#
# Usage: test_run_reload.sh <pk-run binary>
set -uo pipefail
bin=$1
teltool=$(command -v dpdk-telemetry.py ||
	ls /usr/share/dpdk/usertools/dpdk-telemetry.py 2>/dev/null)
[ -n "$teltool" ] || { echo "SKIP: no dpdk-telemetry.py (Debian: dpdk-dev)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d /tmp/pk_runrl.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
prefix="pk_runrl_$$"
pid=
trap '[ -n "$pid" ] && kill -INT $pid 2>/dev/null; rm -rf "$tmp"; pk_rm_rundirs "$prefix"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out" ] && tail -30 "$tmp/out"; exit 1; }

# conf <queue size> <file>
conf() {
	cat >"$2" <<EOF
port net_null0
port net_null1
runner r0 (lcore=1)
rx :: port_rx(port=net_null0) -> t :: thread_continuation(runner=r0) ->
	q :: queue_ring(size=$1)
q -> t2 :: thread_continuation(runner=r0) -> tx :: port_tx(port=net_null1)
EOF
}

# waitfor <text> <count>: until the output holds text count times (10 s)
waitfor() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c -- "$1" "$tmp/out")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "no '$1' (x$2) in the output"
}

# tel <python>: run it with tel(cmd) -> the JSON answer
tel() {
	python3 - "$teltool" "$prefix" "$1" <<'EOF'
import json, subprocess, sys, time
tool, prefix, checks = sys.argv[1:4]
def tel(cmd):
    r = subprocess.run([sys.executable, tool, '-f', prefix], input=cmd + '\n',
                       capture_output=True, text=True, timeout=30)
    return json.loads(r.stdout.splitlines()[0])[cmd.split(',')[0]]
def sent():
    return tel('/pathkit/stage,tx')['in_pkts']
def flows():
    a = sent()
    time.sleep(0.3)
    return sent() > a
exec(checks)
EOF
}

conf 256 "$tmp/run.conf"
"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--vdev=net_null0 --vdev=net_null1 \
	--log-level=lib.eal:error --file-prefix="$prefix" -- \
	-f "$tmp/run.conf" >"$tmp/out" 2>&1 &
pid=$!
waitfor "running; SIGINT stops it" 1

conf 512 "$tmp/run.conf"
kill -HUP $pid
waitfor "run.conf: reloaded:" 1
tel '
assert flows(), "no traffic after SIGHUP"
r = tel("/pathkit/runner,r0")
assert r["state"] == "running" and r["threads"] == 2, r
' || fail "after SIGHUP"

tel '
a = tel("/pathkit/reload")
assert a["ok"] == 1 and a["error"] == "" and a["file"].endswith("run.conf"), a
print("reload: %s" % a)
assert flows()
' || fail "telemetry reload"
waitfor "run.conf: reloaded:" 2

printf 'q :: queue_rung\n' >"$tmp/bad.conf"
conf 1000 "$tmp/nobuild.conf"
tel "
before = tel('/pathkit/stage,q')
a = tel('/pathkit/reload,$tmp/bad.conf')
assert a['ok'] == 0 and 'bad.conf:1:6: ' in a['error'], a
print('refused: %s' % a['error'])
a = tel('/pathkit/reload,$tmp/nobuild.conf')
assert a['ok'] == 0 and 'cannot create q (queue_ring)' in a['error'], a
print('refused: %s' % a['error'])
assert flows(), 'no traffic after the refused reloads'
assert tel('/pathkit/runner,r0')['threads'] == 2
" || fail "bad reload"
waitfor "not reloaded, the running configuration is unchanged" 2

cp "$tmp/bad.conf" "$tmp/run.conf"
kill -HUP $pid
waitfor "not reloaded, the running configuration is unchanged" 3
tel 'assert flows()' || fail "no traffic after a bad SIGHUP"

kill -INT $pid
wait $pid || fail "pk-run exited $? after SIGINT"
pid=
grep -q "^== final statistics" "$tmp/out" || fail "no final statistics"
grep -q "kept the running configuration" "$tmp/out" || fail "no reason given"
grep -q "^reloads done=2 refused=3 " "$tmp/out" || fail "no reload statistics"
echo "PASS"
