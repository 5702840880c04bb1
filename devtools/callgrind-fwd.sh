#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# callgrind-fwd.sh: instructions and cache misses per packet of pk-fwd's
# forwarding loop and of its raw baselines, under callgrind (deterministic on
# a busy machine, unlike timed runs). Two kinds of runs:
#
#   callgrind-fwd.sh BUILD fwd demux1k|raw|io [SECONDS]
#     demux1k: pk-fwd io --flows=1024 on two net_pcap ports replaying 1024
#       frames, one per flow (bench_fwd.sh's fwd.demux1k); counted: the
#       runner's loop (runner_loop) on the forwarding lcore; packets: the
#       final "Accumulated forward statistics" RX-packets.
#     raw: fwd_demux_raw on the same ports (fr_lcore; packets: its flow hits).
#     io: pk-fwd io on two net_null ports (fwd.io).
#     testpmd: dpdk-testpmd --forward-mode=io on the same two net_null ports
#       (BUILD is not used; the binary is Debian's, stripped): counted, the
#       whole thread of the forwarding lcore (--separate-threads=yes, the
#       thread that executed the most instructions), which runs nothing but
#       its forwarding loop once started; packets as for pk-fwd.
#     pk-fwd stops itself after SECONDS (--duration, default 120); the raw
#     program is sent SIGINT after SECONDS + 180 (start-up under valgrind on a
#     busy machine takes minutes).
#   callgrind-fwd.sh BUILD demux ID
#     bench_demux --filter=ID (demux.flows1k.uniform, ...): the demux's push
#     (demux_flow_push_st inclusive) against the rest of db_lookup_bench (the
#     raw loop), 8 x 65536 packets each.
#
# Prints one line per measured side: Ir, D1mr, D1mw, LLd (DLmr + DLmw) per
# packet, with D1 = 32 KiB 8-way and LL = 512 KiB 8-way (the core's L2).
# Output files stay in $PK_CG_DIR (default /tmp/pk_callgrind). Needs valgrind.
# Alternate builds (before, after, before, after): counts repeat to ~0.1%.
set -eu
build=$1 kind=$2 what=$3 secs=${4:-120}
dir=${PK_CG_DIR:-/tmp/pk_callgrind}
mkdir -p "$dir"
tag=$(basename "$(dirname "$build")")_$(basename "$build")
out=$dir/$tag.$what
pfx=pk_cg_$$
cg="valgrind --tool=callgrind --cache-sim=yes --dump-instr=no
    --D1=32768,8,64 --LL=524288,8,64 --collect-atstart=no
    --callgrind-out-file=$out.cg"
# per-function Ir D1mr D1mw DLmr DLmw of the annotation, percentages cut
ann() {
	callgrind_annotate --inclusive="$1" --show=Ir,D1mr,D1mw,DLmr,DLmw \
		"$out.cg" 2>/dev/null | sed 's/([^)]*)//g; s/,//g'
}

if [ "$kind" = demux ]; then
	# shellcheck disable=SC2086
	$cg --toggle-collect=db_lookup_bench "$build/tests/perf/bench_demux" \
		--no-huge --no-shconf --no-pci -m 2048 -l 0,1 \
		--file-prefix=$pfx -- --filter="^$what\$" >"$out.out" 2>&1
	rm -rf "/var/run/dpdk/$pfx"
	ann yes | awk -v pk=$((8 * 65536)) -v id="$what" '
		function z(x) { return x == "." ? 0 : x }
		/PROGRAM TOTALS/ { for (i = 1; i <= 5; i++) t[i] = z($i) }
		/demux_flow_push_[sm]t / && !d {
			d = 1; for (i = 1; i <= 5; i++) v[i] = z($i) }
		END {
			printf "%s demux Ir=%.1f D1mr=%.2f D1mw=%.2f LLd=%.3f\n",
			       id, v[1]/pk, v[2]/pk, v[3]/pk, (v[4]+v[5])/pk
			printf "%s raw   Ir=%.1f D1mr=%.2f D1mw=%.2f LLd=%.3f\n",
			       id, (t[1]-v[1])/pk, (t[2]-v[2])/pk, (t[3]-v[3])/pk,
			       (t[4]+t[5]-v[4]-v[5])/pk }'
	exit 0
fi

python3 - "$dir/flows.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], 'wb') as o:
    o.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(1024):
        ip = bytes([0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 10, 254, 0, 0,
                    10, 253, i >> 8, i & 255]) + struct.pack('!HHHH', 9, 9, 26, 0)
        f = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0]) + ip
        f += bytes(60 - len(f))
        o.write(struct.pack('<IIII', 0, i, len(f), len(f)) + f)
PY
pcap="--vdev net_pcap0,rx_pcap=$dir/flows.pcap,infinite_rx=1"
pcap="$pcap --vdev net_pcap1,rx_pcap=$dir/flows.pcap,infinite_rx=1"
case $what in
demux1k) bin=$build/examples/pk-fwd fn=runner_loop vd=$pcap t=$((secs * 4 + 600))
	opt="--flows=1024 --duration=$secs" ;;
raw) bin=$build/tests/perf/fwd_demux_raw fn=fr_lcore vd=$pcap t=$((secs + 180))
	opt="--flows=1024" ;;
io) bin=$build/examples/pk-fwd fn=runner_loop t=$((secs * 4 + 600))
	vd="--vdev net_null0 --vdev net_null1" opt="--duration=$secs" ;;
testpmd) bin=$(command -v dpdk-testpmd) fn= t=$((secs * 4 + 90))
	vd="--vdev net_null0 --vdev net_null1" opt=
	# no --duration: SIGINT ends it; every thread counted from its start
	cg="$(echo "$cg" | sed 's/atstart=no/atstart=yes/')"
	cg="$cg --separate-threads=yes" ;;
*) echo "usage: $0 BUILD fwd demux1k|raw|io|testpmd [SECONDS]" \
	"| BUILD demux ID" >&2
   exit 2 ;;
esac
# shellcheck disable=SC2086
timeout -s INT -k 900 $t $cg ${fn:+--toggle-collect=$fn} "$bin" --no-huge \
	--no-shconf --no-pci -m 1024 -l 0,1 --log-level=lib.eal:error $vd \
	--file-prefix=$pfx -- --nb-cores=1 --burst=32 --total-num-mbufs=8192 \
	--stats-period 10 --auto-start --no-mlockall --forward-mode=io $opt \
	>"$out.out" 2>&1 || true
rm -rf "/var/run/dpdk/$pfx"
if [ "$what" = raw ]; then
	pk=$(awk '/flow hits/ { for (i = 1; i < NF; i++)
		if ($i == "hits") s += $(i + 1) } END { print s + 0 }' "$out.out")
else
	pk=$(awk '/Accumulated forward statistics/ { a = 1 }
		a && /RX-packets:/ { print $2; exit }' "$out.out")
fi
if [ "$what" = testpmd ]; then
	# the forwarding lcore: the thread with the most instructions
	f=$(for c in "$out".cg-*; do
		awk -v f="$c" '/^summary:|^totals:/ { print $2, f; exit }' "$c"
	done | sort -n | tail -n 1 | cut -d' ' -f2)
	cp "$f" "$out.cg"
fi
awk -v pk="${pk:-0}" -v id="$what" '/^summary:|^totals:/ {
		for (i = 2; i <= NF; i++) v[i] = $i; got = 1 }
	END { if (!got || pk == 0) { print id ": no data"; exit 1 }
	      printf "%s pkts=%d Ir=%.1f D1mr=%.2f D1mw=%.2f LLd=%.3f\n", id,
		     pk, v[2]/pk, v[6]/pk, v[7]/pk, (v[9]+v[10])/pk }' "$out.cg"
