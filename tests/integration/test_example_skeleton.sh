#!/bin/bash
# pk-skeleton: forwards on two net_null ports and exits by itself; stops
# cleanly on SIGINT and prints its counters; a bad option exits 2.
set -uo pipefail
bin=$1
eal=(--no-huge --no-shconf --no-pci -m 256 -l 0,1 --log-level=lib.eal:error
     --vdev net_null0 --vdev net_null1)
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/pk_rundir.sh"
trap 'pk_rm_rundirs "pk_ex[123]_$$"' EXIT

out=$("$bin" "${eal[@]}" --file-prefix="pk_ex1_$$" -- --duration=1 2>&1) ||
	fail "duration run exited $?: $out"
grep -q "^forwarded [1-9][0-9]* packets" <<<"$out" || fail "no result: $out"
grep -q "macswap0 *proc_macswap *in=[1-9]" <<<"$out" || fail "no counters: $out"

"$bin" "${eal[@]}" --file-prefix="pk_ex2_$$" -- --mode=io >"/tmp/pk_ex2_$$" 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid || fail "SIGINT run exited $?"
grep -q "^forwarded [1-9]" "/tmp/pk_ex2_$$" || fail "no result after SIGINT"
rm -f "/tmp/pk_ex2_$$"

"$bin" "${eal[@]}" --file-prefix="pk_ex3_$$" -- --burst=0 >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "bad option exited $rc, want 2"
echo "pk-skeleton: ok"
