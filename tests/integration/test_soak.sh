#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# devtools/soak.sh for 60 s, as CI runs it: pk-fwd and pk-pspat between
# namespaces under iperf3, ping and two bursts of malformed frames, then
# SIGINT; every counter must add up and neither program may have grown.
# It asserts no rate, so a busy machine slows it, not fails it (about 75 s
# in all). Needs root, iperf3, ip, ethtool, python3: 77 (skipped) otherwise.
#
# Usage: test_soak.sh <source root> <pk-fwd> <pk-pspat> <soak_frames>
# Environment: PK_SOAK_SECONDS (60).
set -uo pipefail
if [ $# -ne 4 ]; then
	echo "usage: $0 <source root> <pk-fwd> <pk-pspat> <soak_frames>" >&2
	exit 2
fi
PK_SOAK_SECONDS=${PK_SOAK_SECONDS:-60} PK_SOAK_FWD=$2 PK_SOAK_PSPAT=$3 \
	PK_SOAK_FRAMES=$4 exec "$1/devtools/soak.sh"
