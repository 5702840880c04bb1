#!/bin/sh
# Install from Debian's packages everything PathKit's build, tests, examples
# and benchmarks need. Idempotent: quiet, and touches nothing, when all is there.
set -eu

PKGS="
build-essential
pkgconf
meson
ninja-build
git
dpdk
dpdk-dev
libdpdk-dev
libnuma-dev
libcmocka-dev
libpcap-dev
libbsd-dev
clang
libclang-rt-14-dev
iproute2
iputils-ping
iperf3
socat
ethtool
procps
python3
doxygen
libsystemd-dev
graphviz
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
