#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# fwd.*: pk-fwd against dpdk-testpmd, alternated in the same run.
#
# fwd.io, fwd.macswap: two net_null vdevs, one forwarding lcore (lcore 1 of
#   -l 0,1; lcore 0 prints statistics), burst 32, the same mbuf count, the
#   same EAL arguments but the --file-prefix and the same testpmd options:
#   pk-fwd takes testpmd's command line unchanged. Both print testpmd's
#   periodic blocks (--stats-period 1); per period the ports' Tx-pps summed,
#   median over the periods after the first. Ratio: Mpps pk-fwd / testpmd.
# fwd.io.aa: testpmd io against testpmd io, alternated the same way: not a
#   result but the measure's own resolution (what a ratio of two identical
#   forwarders spreads to on this machine), against which fwd.io's is read.
# fwd.demux1k: pk-fwd io with --flows=1024 (a demux of 1K UDP flow keys, one
#   path per flow, in front of TX) against fwd_demux_raw (tests/perf): the
#   same work in raw DPDK, as a user would write it (parse, bulk lookup in a
#   table of the same keys and parameters, a packet counter per flow,
#   transmit). fwd.demux1k.testpmd: the same pk-fwd figure against testpmd
#   io (no parse, no lookup). The three alternate in each run. Here the
#   ports are net_pcap vdevs replaying (infinite_rx) a pcap of 60-byte
#   frames of those 1K flows, so that every frame matches a key; the TX
#   side drops.
# fwd.af_packet.iperf3: iperf3 TCP Gbit/s between two namespaces whose veth
#   host ends are net_af_packet ports of pk-fwd, then of testpmd (io).
#   Needs root, ip, iperf3 and ethtool; left out (with a message) otherwise.
#
# Usage: bench_fwd.sh [REGEX]   (runs the ids REGEX matches)
# (POSIX sh; functions share the script's variables.)
# Environment: PK_BUILD_DIR (default <tree>/build), PK_BENCH_SECONDS (5),
# PK_BENCH_RUNS (3), PK_BENCH_MBUFS (8192). Exits 77 when it cannot run.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

regex=${1:-.}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PK_BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
secs=${PK_BENCH_SECONDS:-5}
runs=${PK_BENCH_RUNS:-3}
mbufs=${PK_BENCH_MBUFS:-8192}
fwd=$build/examples/pk-fwd
raw=$build/tests/perf/fwd_demux_raw
testpmd=$(command -v dpdk-testpmd || true)

wanted() { printf '%s\n' "$1" | grep -Eq -- "$regex"; }
if [ ! -x "$fwd" ]; then
	echo "bench_fwd: $fwd not built (meson -Dexamples=true)" >&2
	exit 77
fi
if [ -z "$testpmd" ]; then
	echo "bench_fwd: dpdk-testpmd not found (Debian: dpdk-dev)" >&2
	exit 77
fi

tmp=$(mktemp -d /tmp/pk_bench_fwd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

median() {
	sort -n | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) print v[(NR + 1) / 2]
		      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

report() {
	awk -v id="$1" -v v="$2" -v b="$3" -v u="$4" 'BEGIN {
		printf "bench: %s value=%.3f unit=%s baseline=%.3f ratio=%.3f\n",
		       id, v, u, b, (b > 0 ? v / b : 0) }'
}

# mpps BIN PREFIX VDEVS OPTIONS...: median summed Tx-pps of the periods
# after the first, in Mpps. Both programs print the same blocks.
mpps() {
	bin=$1 prefix=$2_$$ vdevs=$3 rc=0
	shift 3
	# shellcheck disable=SC2086
	timeout -s INT -k 10 $((secs + 3)) "$bin" --no-huge --no-shconf \
		--no-pci -m 1024 -l 0,1 --log-level=lib.eal:error $vdevs \
		--file-prefix="$prefix" -- --nb-cores=1 --burst=32 \
		--total-num-mbufs="$mbufs" --stats-period 1 --auto-start \
		--no-mlockall "$@" >"$tmp/out" 2>&1 || rc=$?
	rm -rf "/var/run/dpdk/$prefix"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || return 1
	awk '/Tx-pps:/ { s += $2; if (++p == 2) { print s; s = p = 0 } }' \
		"$tmp/out" | tail -n +2 | median |
		awk '{ printf "%.3f\n", $1 / 1e6 }'
}

# ab ID VDEVS "PK OPTIONS" "TESTPMD OPTIONS" [BIN]: alternate BIN (default
# pk-fwd) with testpmd, medians, one line. Odd runs start with BIN, even
# ones with testpmd: whichever runs first in a pair gained ~1% in fwd.io.aa
# (testpmd against itself, session 10), so the order takes turns.
ab() {
	id=$1 vdevs=$2 pkopt=$3 tpopt=$4 bin=${5:-$fwd} i=1
	wanted "$id" || return 0
	: >"$tmp/a" && : >"$tmp/b"
	while [ "$i" -le "$runs" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			# shellcheck disable=SC2086
			t=$(mpps "$testpmd" pkb_tp "$vdevs" $tpopt) || t=""
		fi
		# shellcheck disable=SC2086
		v=$(mpps "$bin" pkb_fwd "$vdevs" $pkopt) || v=""
		if [ $((i % 2)) -eq 1 ]; then
			# shellcheck disable=SC2086
			t=$(mpps "$testpmd" pkb_tp "$vdevs" $tpopt) || t=""
		fi
		if [ -z "$v" ] || [ -z "$t" ]; then
			echo "bench_fwd: $id run $i failed:" >&2
			tail -20 "$tmp/out" >&2
			return 1
		fi
		echo "$id run $i: $(basename "$bin") $v Mpps, testpmd $t Mpps" >&2
		echo "$v" >>"$tmp/a"
		echo "$t" >>"$tmp/b"
		i=$((i + 1))
	done
	report "$id" "$(median <"$tmp/a")" "$(median <"$tmp/b")" Mpps
}

null="--vdev net_null0 --vdev net_null1"
ab fwd.io "$null" "--forward-mode=io" "--forward-mode=io"
ab fwd.io.aa "$null" "--forward-mode=io" "--forward-mode=io" "$testpmd"
ab fwd.macswap "$null" "--forward-mode=macswap" "--forward-mode=macswap"

if wanted fwd.demux1k || wanted fwd.demux1k.testpmd; then
	# 1K UDP flows 10.254.0.0:9 -> 10.253.x.y:9, the keys pk-fwd installs
	python3 - "$tmp/flows.pcap" <<'EOF'
import struct, sys
with open(sys.argv[1], 'wb') as o:
    o.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(1024):
        ip = bytes([0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 10, 254, 0, 0,
                    10, 253, i >> 8, i & 255]) + struct.pack('!HHHH', 9, 9, 26, 0)
        f = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0]) + ip
        f += bytes(60 - len(f))
        o.write(struct.pack('<IIII', 0, i, len(f), len(f)) + f)
EOF
	pcap="--vdev net_pcap0,rx_pcap=$tmp/flows.pcap,infinite_rx=1"
	pcap="$pcap --vdev net_pcap1,rx_pcap=$tmp/flows.pcap,infinite_rx=1"
	if [ ! -x "$raw" ]; then
		echo "bench_fwd: $raw not built (meson -Dtests=true)" >&2
		exit 77
	fi
	: >"$tmp/a" && : >"$tmp/b" && : >"$tmp/c"
	i=1
	while [ "$i" -le "$runs" ]; do
		v=$(mpps "$fwd" pkb_fwd "$pcap" --forward-mode=io \
			--flows=1024) || v=""
		r=$(mpps "$raw" pkb_raw "$pcap" --forward-mode=io \
			--flows=1024) || r=""
		t=$(mpps "$testpmd" pkb_tp "$pcap" --forward-mode=io) || t=""
		if [ -z "$v" ] || [ -z "$r" ] || [ -z "$t" ]; then
			echo "bench_fwd: fwd.demux1k run $i failed:" >&2
			tail -20 "$tmp/out" >&2
			exit 1
		fi
		echo "fwd.demux1k run $i: pk-fwd $v Mpps, raw $r Mpps," \
		     "testpmd $t Mpps" >&2
		echo "$v" >>"$tmp/a"
		echo "$r" >>"$tmp/c"
		echo "$t" >>"$tmp/b"
		i=$((i + 1))
	done
	report fwd.demux1k "$(median <"$tmp/a")" "$(median <"$tmp/c")" Mpps
	report fwd.demux1k.testpmd "$(median <"$tmp/a")" \
		"$(median <"$tmp/b")" Mpps
fi

# iperf3 through a forwarder between two namespaces (veth + af_packet).
iperf_run() {
	bin=$1 tag=$2
	nsa=pkba$tag nsb=pkbb$tag va=pkbva$tag vb=pkbvb$tag
	ip netns add "$nsa" && ip netns add "$nsb"
	ip link add "$va" type veth peer name eth0 netns "$nsa"
	ip link add "$vb" type veth peer name eth0 netns "$nsb"
	ip link set "$va" up && ip link set "$vb" up
	for n in "$nsa:10.78.0.1" "$nsb:10.78.0.2"; do
		ip -n "${n%%:*}" addr add "${n#*:}/24" dev eth0
		ip -n "${n%%:*}" link set eth0 up
		ip netns exec "${n%%:*}" ethtool -K eth0 tx off >/dev/null 2>&1
	done
	"$bin" --no-huge --no-shconf --no-pci -m 512 -l 0,1 \
		--log-level=lib.eal:error --file-prefix="pkb_ns_$tag" \
		--vdev "net_af_packet0,iface=$va" --vdev "net_af_packet1,iface=$vb" \
		-- --forward-mode=io --nb-cores=1 --auto-start --no-mlockall \
		--total-num-mbufs="$mbufs" --stats-period 1 \
		>"$tmp/ns.out" 2>&1 &
	pid=$!
	sleep 2
	ip netns exec "$nsb" iperf3 -s -1 -B 10.78.0.2 >/dev/null 2>&1 &
	sleep 0.5
	gbps=$(ip netns exec "$nsa" timeout $((secs + 15)) iperf3 -c 10.78.0.2 \
		-t "$secs" -f g 2>/dev/null |
		awk '/receiver/ { print $(NF-2) }')
	kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	ip netns del "$nsa"; ip netns del "$nsb"
	ip link del "$va" 2>/dev/null || true
	ip link del "$vb" 2>/dev/null || true
	rm -rf "/var/run/dpdk/pkb_ns_$tag"
	[ -n "$gbps" ] && echo "$gbps"
}

if wanted fwd.af_packet.iperf3; then
	if [ "$(id -u)" -ne 0 ] || ! command -v iperf3 >/dev/null ||
	   ! command -v ethtool >/dev/null; then
		echo "bench_fwd: fwd.af_packet.iperf3 needs root, iperf3, ethtool" >&2
	else
		: >"$tmp/a" && : >"$tmp/b"
		i=1
		while [ "$i" -le "$runs" ]; do
			v=$(iperf_run "$fwd" "f$$") || v=""
			t=$(iperf_run "$testpmd" "t$$") || t=""
			if [ -z "$v" ] || [ -z "$t" ]; then
				echo "bench_fwd: iperf3 run $i failed" >&2
				exit 1
			fi
			echo "fwd.af_packet.iperf3 run $i: pk-fwd $v Gbit/s," \
			     "testpmd $t Gbit/s" >&2
			echo "$v" >>"$tmp/a"
			echo "$t" >>"$tmp/b"
			i=$((i + 1))
		done
		report fwd.af_packet.iperf3 "$(median <"$tmp/a")" \
			"$(median <"$tmp/b")" Gbit/s
	fi
fi
