#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile option values for pk-pspat, pk-fwd, pk-skeleton, pk-silk and pk-run: signs, spaces,
# empty, trailing garbage, hex where decimal is wanted, 2^32+1, 2^64, 2^64+1
# and longer, nan, inf, exponents, wrong units, rates and durations that
# would be cut to 0, lists with empty, signed, too many or out-of-range
# elements, unknown words and options. Each must exit 2 with a message on
# stderr that names the option. The examples read their options before the
# EAL starts, so a refusal costs milliseconds; each example also runs once
# with its base options (which every case adds to) to show that they are
# good, so a refusal is the hostile value's doing.
#
# Usage: test_hostile_options.sh <pk-pspat> <pk-fwd> <pk-skeleton> <pk-silk>
#        <pk-run> <examples/conf directory>
set -uo pipefail
pspat=$1 fwd=$2 skel=$3 silk=$4 prun=$5 confdir=$6
tmp=$(mktemp -d /tmp/pk_hostile.XXXXXX)
. "$(dirname "$0")/pk_rundir.sh"
trap 'rm -rf "$tmp"; pk_rm_rundirs "pk_hostile_$$_*"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

eal=(--no-huge --no-shconf --no-pci -m 256 -l 0,1 --log-level=lib.eal:error
     --vdev=net_null0 --vdev=net_null1)
declare -A bin=([pspat]=$pspat [fwd]=$fwd [skel]=$skel [silk]=$silk
		[run]=$prun)
# base options: valid, and short if a hostile value were taken anyway
declare -A base=([pspat]="--clients=2 --source=gen --duration=0.2"
		 [fwd]="--duration=0.2" [skel]="--duration=0.2"
		 [silk]="--addr=10.0.0.1 --exception=drop --duration=0.2"
		 [run]="-f $confdir/fwd.conf --duration=0.2")
declare -A count=([pspat]=0 [fwd]=0 [skel]=0 [silk]=0 [run]=0)
n=0

# run <example> <args after the base options...>: rc in $rc, output in out
run() {
	local ex=$1
	shift
	n=$((n + 1))
	# shellcheck disable=SC2086 # base options are split on purpose
	timeout 20 "${bin[$ex]}" "${eal[@]}" --file-prefix="pk_hostile_$$_$n" \
		-- ${base[$ex]} "$@" >"$tmp/out" 2>&1
	rc=$?
}

# bad <example> <option> <value>: --option=value must be refused, naming it
bad() {
	local ex=$1 opt=$2 val=$3
	run "$ex" "$opt=$val"
	[ $rc -eq 2 ] || fail "$ex $opt='$val' exited $rc, want 2: $(head -3 "$tmp/out")"
	grep -q -F -- "$opt" "$tmp/out" ||
		fail "$ex $opt='$val': the message does not name $opt: $(head -3 "$tmp/out")"
	count[$ex]=$((count[$ex] + 1))
}

# bad_args <example> <what the message names> <args...>: the same, any form
bad_args() {
	local ex=$1 what=$2
	shift 2
	run "$ex" "$@"
	[ $rc -eq 2 ] || fail "$ex $* exited $rc, want 2: $(head -3 "$tmp/out")"
	grep -q -F -- "$what" "$tmp/out" ||
		fail "$ex $*: the message does not name $what: $(head -3 "$tmp/out")"
	count[$ex]=$((count[$ex] + 1))
}

long=$(printf '9%.0s' $(seq 300))
# not a number of any kind: integers, rates and durations all refuse these
never=("" "-1" "+1" "-0" " 1" "1 " $'\t1' $'1\n' "1 1" "1x" "x" "--1" "1_000"
       "1,5" ".5" "1." "1..2" "nan" "NaN" "-nan" "inf" "-inf" "infinity"
       "infG" "1e3" "1E3" "1e30" "1e-3" "0x10" "0X1" "0x1p3" "0b1" "1/2"
       "18446744073709551616" "18446744073709551617" "$long" "١" "１"
       "'1'" "%d" "\$((1))" "1;2")
# integers: also fractions, units and what wraps a 32-bit or 64-bit counter
ints=("1.5" "1.0" "1k" "4294967296" "4294967297" "18446744073709551615"
      "99999999999999999999999")
# rates: also units that are not SI prefixes, and a rate cut to 0 bit/s
rates=("0.5" "0.0001k" "1m" "1g" "1Gb" "1GG" "1 M" "1Mibit/s" "1bit/sx"
       "G" "bps" "11T" "18446744073709551615" "100000000T")
# durations: also unknown units, and a duration cut to 0 ns
durs=("0.0000000001" "0.5ns" "1m" "1h" "1sec" "1S" "1 s" "1ss" "s"
      "10000001" "18446744074")
# lists (--weights with 2 clients, policy wfq: 1..65536 each)
lists=("" "," "1," ",1" "1,,2" "-1,1" "1,-1" "1,+1" "1, 2" " 1,2" "1;2"
       "1.5,2" "0x1,2" "1,nan" "inf,1" "0,1" "65537,1" "4294967297,1"
       "18446744073709551616,1" "1,2,3" "1" "$(printf '1,%.0s' $(seq 64))1"
       "1e3,1" "1,2x")

# --- pk-pspat
run pspat
[ $rc -eq 0 ] || fail "pk-pspat base options exited $rc: $(head -5 "$tmp/out")"
for v in "${never[@]}" "${ints[@]}" "0" "65"; do bad pspat --clients "$v"; done
for v in "${never[@]}" "${ints[@]}" "0" "59" "1515" "65600"; do
	bad pspat --pkt-size "$v"
done
for v in "${never[@]}" "0" "65537"; do bad pspat --flow-queues "$v"; done
for v in "${never[@]}" "${rates[@]}"; do bad pspat --rate "$v"; done
for v in "${never[@]}" "${durs[@]}"; do bad pspat --duration "$v"; done
for v in "${never[@]}" "${durs[@]}" "0" "999us" "86401"; do
	bad pspat --stats-period "$v"
done
for v in "${lists[@]}"; do bad pspat --weights "$v"; done
bad_args pspat --weights --policy=drr --weights=11082,1 # 11082 frames > 2^24 B
bad_args pspat --weights --policy=prio --weights=16,1
bad_args pspat --weights --flow-queues=8 --weights=1,1
for o in --source --policy --dispatch --mailbox; do
	for v in "" "x" "GEN" $'\e[2J'; do bad pspat "$o" "$v"; done
done
bad_args pspat --bogus --bogus
bad_args pspat --clients --clients
bad_args pspat "'x'" x

# --- pk-fwd
run fwd
[ $rc -eq 0 ] || fail "pk-fwd base options exited $rc: $(head -5 "$tmp/out")"
for o in --burst --rxq --txq --rxd --txd --nb-cores --total-num-mbufs \
	--txpkts; do
	for v in "${never[@]}" "${ints[@]}" "0"; do bad fwd "$o" "$v"; done
done
for v in "513" "65536"; do bad fwd --burst "$v"; done
for v in "65" "1024"; do bad fwd --rxq "$v"; done
for v in "65536" "1048576"; do bad fwd --rxd "$v"; done
for v in "59" "1515" "65600"; do bad fwd --txpkts "$v"; done
for v in "1023" "4294967296"; do bad fwd --total-num-mbufs "$v"; done
for o in --stats-period --duration; do
	for v in "${never[@]}" "${durs[@]}"; do bad fwd "$o" "$v"; done
done
for v in "${never[@]}" "${ints[@]}" "0" "65537"; do bad fwd --flows "$v"; done
bad_args fwd --flows --forward-mode=flowgen --flows=65537
bad_args fwd --flows --forward-mode=macswap --flows=8
for v in "" "0x" "x" "-1" "+3" " 3" "0x1g" "0x0" "0" "0x10000000000000000" \
	"nan" "1.5" "0x1 "; do
	bad fwd --portmask "$v"
done
for v in "" "0" "x,02:00:00:00:00:01" "-1,02:00:00:00:00:01" \
	"32,02:00:00:00:00:01" "4294967296,02:00:00:00:00:01" \
	"1,02:00:00:00:00" "1,zz:00:00:00:00:01" ",02:00:00:00:00:01" "1,"; do
	bad fwd --eth-peer "$v"
done
for v in "" "x" "IO" "io " $'\e[2J'; do bad fwd --forward-mode "$v"; done
bad_args fwd --stats-period --stats-period nan   # testpmd's separate form
bad_args fwd --rxq --rxq=2 --txq=1
bad_args fwd --bogus --bogus
bad_args fwd "'x'" -x   # -i is the prompt now

# --- pk-skeleton
run skel
[ $rc -eq 0 ] || fail "pk-skeleton base options exited $rc: $(head -5 "$tmp/out")"
for v in "${never[@]}" "${ints[@]}" "0" "257"; do bad skel --burst "$v"; done
for v in "${never[@]}" "${durs[@]}"; do bad skel --duration "$v"; done
for v in "" "x" "IO" "swap" $'\e[2J'; do bad skel --mode "$v"; done
bad_args skel --bogus --bogus
bad_args skel --burst --burst
bad_args skel "'x'" x

# --- pk-silk
run silk
[ $rc -eq 0 ] || fail "pk-silk base options exited $rc: $(head -5 "$tmp/out")"
addrs=("" "x" "10.0.0" "10.0.0.256" "10.0.0.1/" "10.0.0.1/33" "10.0.0.1/-1"
       "10.0.0.1/0x10" "10.0.0.1/24/8" " 10.0.0.1" "::1" $'\e[2J')
for v in "${addrs[@]}"; do bad silk --addr "$v"; done
for v in "" "x" "fd00::1/129" "fd00::1/" "10.0.0.1" "fd00::1/-1"; do
	bad silk --addr6 "$v"
done
specs=("" "alice" "alice:udp" "alice:udp:" "alice:sctp:1" "alice:udp:0"
       "alice:udp:65536" "alice:udp:9-8" "alice:udp:1-" "alice:udp:-1"
       "alice:udp:0x10" "alice:udp:1@" "alice:udp:1@10.0.0" ":udp:1"
       "a b:udp:1" "alice:UDP:1" "alice:udp:1 " "$(printf 'a%.0s' {1..40}):udp:1")
for v in "${specs[@]}"; do bad silk --reserve "$v"; done
echos=("" "alice" "alice:" ":7" "alice:0" "alice:65536" "alice:x" "alice:-1"
       "alice:0x7" "alice:7 " "$(printf 'a%.0s' {1..40}):7")
for v in "${echos[@]}"; do
	bad silk --udp-echo "$v"
	bad silk --tcp-echo "$v"
done
for v in "" "alice:udp" "alice:sctp:1" "alice:tcp:0" "alice:tcp:x"; do
	bad silk --kernel-port "$v"
done
raws=("" "alice" "alice:udp" "alice:udp:" "alice:sctp:1" "alice:icmp:1"
      "alice:UDP:1" "alice:udp:0" "alice:udp:65536" "alice:udp:x"
      "alice:udp:-1" "alice:udp:0x10" "alice:udp:1 " "alice:udp:1:2"
      "alice:udp:7000-7001" ":udp:1" "alice:udpx:1"
      "$(printf 'a%.0s' {1..40}):udp:1")
for v in "${raws[@]}"; do bad silk --raw "$v"; done
many=()
for i in $(seq 33); do many+=("--raw=alice:udp:$((7000 + i))"); done
bad_args silk --raw "${many[@]}" # one more than pk-silk's 32
# --sniff=OWNER:PORT[:FILE]: the owner may name the file, so only
# [A-Za-z0-9_.-]; a port 1..65535; a FILE, if any, not empty
sniffs=("" "alice" "alice:" ":7" ":7:f" "alice:0" "alice:65536" "alice:x"
	"alice:-1" "alice:+7" "alice:0x7" "alice:7 " " alice:7" "alice:7:"
	"alice::f" "alice:7x:f" "a b:7" "al/ice:7" "../x:7" "alice\$:7"
	"alice:99999999999999999999999" "alice:4294967303"
	"$(printf 'a%.0s' {1..32}):7" $'\e[2J:7')
for v in "${sniffs[@]}"; do bad silk --sniff "$v"; done
bad_args silk --sniff --sniff=alice:7:same.pcap --sniff=bob:8:same.pcap
bad_args silk --sniff --sniff=alice:7 --sniff=bob:8:sniff-alice-7.pcap
many=()
for i in $(seq 33); do many+=("--sniff=alice:$((7000 + i))"); done
bad_args silk --sniff "${many[@]}" # one more than pk-silk's 32
for v in "" "x" "TAP" $'\e[2J'; do bad silk --exception "$v"; done
for o in --stats-period --duration; do
	for v in "${never[@]}" "${durs[@]}"; do bad silk "$o" "$v"; done
done
bad_args silk --bogus --bogus
bad_args silk "'x'" x

# --- pk-run
run run
[ $rc -eq 0 ] || fail "pk-run base options exited $rc: $(head -5 "$tmp/out")"
for o in --stats-period --duration; do
	for v in "${never[@]}" "${durs[@]}"; do bad run "$o" "$v"; done
done
for v in "${never[@]}" "${ints[@]}" "0" "1022" "16777216"; do
	bad run --mbufs "$v"
done
for v in "" "x" "=1" "1=1" "A B=1" "A-B=1" "\$A=1" $'\e[2J=1' \
	"A=$(printf 'v%.0s' {1..256})"; do
	bad run --define "$v"
done
bad_args run --bogus --bogus
bad_args run "'x'" x

# --help and -h: the usage on stdout, exit 0, nothing started
for ex in pspat fwd skel silk run; do
	for h in --help -h; do
		timeout 20 "${bin[$ex]}" -- "$h" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		[ $rc -eq 0 ] || fail "$ex $h exited $rc, want 0"
		grep -q '^usage: ' "$tmp/out" || fail "$ex $h: no usage on stdout"
		[ ! -s "$tmp/err" ] || fail "$ex $h wrote to stderr: $(head -2 "$tmp/err")"
	done
done

for ex in pspat fwd skel silk run; do
	[ "${count[$ex]}" -ge 50 ] || fail "$ex: only ${count[$ex]} hostile cases"
done
echo "hostile options: pk-pspat ${count[pspat]}, pk-fwd ${count[fwd]}," \
	"pk-skeleton ${count[skel]}, pk-silk ${count[silk]}, pk-run" \
	"${count[run]} refused with exit 2, naming the option"
