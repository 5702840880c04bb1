#!/bin/bash
# Install what is missing, build, and run pk-fwd (the testpmd-like forwarder)
# on two virtual ports (net_null: they generate 64-byte frames) for a few
# seconds, printing testpmd's statistics blocks and PathKit's counters.
set -euo pipefail
cd "$(dirname "$0")/.."

./devtools/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

secs=${DEMO_SECONDS:-3}
log=/tmp/pk_demo_$$.log
# the EAL leaves its runtime directory (with the telemetry socket) behind
if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run/dpdk/pk_demo_$$
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk/pk_demo_$$
fi
trap 'rm -rf "$log" "$rundir"' EXIT
echo "== pk-fwd: net_null0 <-> net_null1, macswap, one forwarding lcore, ${secs} s"
./build/examples/pk-fwd \
	--no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--file-prefix="pk_demo_$$" --log-level=lib.eal:error \
	--vdev net_null0 --vdev net_null1 \
	-- --forward-mode=macswap --nb-cores=1 --total-num-mbufs=8192 \
	--duration="$secs" >"$log" 2>&1 || { cat "$log"; exit 1; }
# testpmd's final blocks and the per-stage counters, without start-up chatter
sed -n '/Forward statistics for port 0/,/^Done/p' "$log"
awk -v s="$secs" '/Accumulated/ { acc = 1 }
	acc && /TX-packets:/ { printf "== result: %.1f Mpps forwarded " \
		"(%d packets in %d s)\n", $2 / s / 1e6, $2, s; exit }' "$log"
