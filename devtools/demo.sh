#!/bin/bash
# Install what is missing, build, and run the main example on two virtual
# ports (net_null: they generate 64-byte frames) for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

./devtools/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

secs=${DEMO_SECONDS:-3}
echo "== pk-skeleton: net_null0 <-> net_null1, macswap, ${secs} s"
trap 'rm -rf "/run/dpdk/pk_demo_$$"' EXIT
./build/examples/pk-skeleton \
	--no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--file-prefix="pk_demo_$$" --log-level=lib.eal:error \
	--vdev net_null0 --vdev net_null1 \
	-- --duration="$secs" --mode=macswap
