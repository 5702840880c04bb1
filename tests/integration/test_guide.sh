#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The user's guide (doc/guide/) against the code:
#  - devtools/guide-ref.sh --check: the reference's list of stage kinds is
#    what pk-run --list-kinds prints, every kind has its section with a row
#    for each of its arguments (and no more), the pictures are the graphs
#    of the shipped configurations;
#  - the tutorial and the reference, run: every command of their console
#    blocks is run in a scratch directory that looks like the top of the
#    source tree (build/ and examples/ are links), in the pages' order, by
#    guide_doctest.py, and must print what the page shows. They run
#    pk-run on net_null vdevs, dot, dpdk-telemetry.py against a running
#    pk-run, and compile two C programs against the build tree.
# No root needed. Skipped (77) without python3, graphviz, dpdk-telemetry.py
# (Debian's dpdk package) or a C compiler: devtools/install-deps.sh
# installs them all.
#
# Usage: test_guide.sh <source root> <build root>
set -uo pipefail
src=$1 build=$2
for t in python3 dot dpdk-telemetry.py cc pkg-config; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
. "$(dirname "$0")/pk_rundir.sh"
tmp=$(mktemp -d /tmp/pk_guide.XXXXXX)
# the pages' EAL prefixes; pk-run removes its own directory, the C
# programs of the tutorial do not
trap 'rm -rf "$tmp"; pk_rm_rundirs tut ref' EXIT
status=0

echo "== devtools/guide-ref.sh --check"
"$src/devtools/guide-ref.sh" --check "$build/examples/pk-run" || status=1

for page in tutorial language; do
	echo "== doc/guide/$page.md, run"
	mkdir -p "$tmp/$page"
	ln -s "$build" "$tmp/$page/build"
	ln -s "$src/examples" "$tmp/$page/examples"
	python3 "$(dirname "$0")/guide_doctest.py" "$src/doc/guide/$page.md" \
		"$tmp/$page" 240 || status=1
done
[ $status -eq 0 ] && echo "guide: ok"
exit $status
