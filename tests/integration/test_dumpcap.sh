#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# DPDK's own dpdk-dumpcap attached to the examples' ports. pk-fwd (io mode)
# and then pk-run (fwd.conf) run as primary processes with shared
# configuration on hugepages (a private hugetlbfs mount, a unique
# --file-prefix), forwarding between two network namespaces over
# net_af_packet ports on veths. For each, `dpdk-dumpcap -i net_af_packet0
# -w FILE -c N` attaches while it runs, a namespace pings through it, and
# the pcapng file must hold the echo requests (a -> b) and replies (b -> a)
# that crossed port 0, with their addresses and ICMP ids; the example must
# go on forwarding after dumpcap left, and exit 0 on SIGINT.
#
# Everything it makes (namespaces, veths, the mount, runtime directories,
# files) goes on exit, also on failure, and the hugepage count is put back.
# Needs root, hugepages the kernel can give, hugetlbfs, dpdk-dumpcap
# (Debian: dpdk-dev), ip, ping, ethtool, python3: exits 77 (skipped)
# saying what is missing otherwise. About 15 s.
#
# Usage: test_dumpcap.sh <pk-fwd binary> <pk-run binary> <examples/conf>
set -uo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

fwd=${1:-} run=${2:-} confdir=${3:-}
skip() { echo "SKIP: $*"; exit 77; }
[ -x "$fwd" ] && [ -x "$run" ] && [ -f "$confdir/fwd.conf" ] ||
	skip "usage: $0 <pk-fwd> <pk-run> <examples/conf>"
[ "$(id -u)" -eq 0 ] || skip "needs root (hugepages, network namespaces)"
dumpcap=$(command -v dpdk-dumpcap) ||
	skip "dpdk-dumpcap not installed (Debian: dpdk-dev; devtools/install-deps.sh)"
for t in ip ping ethtool python3 mount umount; do
	command -v "$t" >/dev/null || skip "$t not installed (devtools/install-deps.sh)"
done
grep -qw hugetlbfs /proc/filesystems || skip "the kernel has no hugetlbfs"
[ -w /proc/sys/vm/nr_hugepages ] || skip "cannot set vm.nr_hugepages"

PAGES=128 # 2 MB each: the examples take -m 64, dumpcap its ring and pool
tag=$$
nsa=pkda$tag nsb=pkdb$tag
prefix=pk_dumpcap_$tag
tmp=$(mktemp -d /tmp/pk_dumpcap.XXXXXX)
old_pages=$(cat /proc/sys/vm/nr_hugepages)
pid="" cap_pid="" ping_pid="" mounted=""
. "$(dirname "$0")/pk_rundir.sh"

stop() { # stop PID: SIGINT, then SIGKILL after 3 s
	local i
	kill -INT "$1" 2>/dev/null
	for i in $(seq 30); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	[ -n "$ping_pid" ] && kill "$ping_pid" 2>/dev/null
	[ -n "$cap_pid" ] && stop "$cap_pid"
	[ -n "$pid" ] && stop "$pid"
	cap_pid="" pid=""
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	ip link del "pkda$tag" 2>/dev/null
	ip link del "pkdb$tag" 2>/dev/null
	[ -n "$mounted" ] && umount "$tmp/huge"
	mounted=""
	echo "$old_pages" >/proc/sys/vm/nr_hugepages
	pk_rm_rundirs "$prefix"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
	echo "FAIL: $*"
	for f in app.log cap.log; do
		[ -f "$tmp/$f" ] && { echo "--- $f"; tail -25 "$tmp/$f"; }
	done
	exit 1
}

# hugepages: the count asked for may not all come (fragmented memory)
echo $((old_pages + PAGES)) >/proc/sys/vm/nr_hugepages 2>/dev/null
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
[ "${free:-0}" -ge $((PAGES / 2)) ] ||
	skip "the kernel gave ${free:-0} free 2 MB hugepages, need $((PAGES / 2))"
mkdir "$tmp/huge" && mount -t hugetlbfs -o pagesize=2M nodev "$tmp/huge" ||
	skip "cannot mount hugetlbfs"
mounted=1

ip netns add "$nsa" && ip netns add "$nsb" || fail "netns add"
ip link add "pkda$tag" type veth peer name eth0 netns "$nsa" || fail "veth a"
ip link add "pkdb$tag" type veth peer name eth0 netns "$nsb" || fail "veth b"
i=1
for ns in "$nsa" "$nsb"; do
	# no IPv6: its neighbour and router messages would be captured too
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.eth0.disable_ipv6=1
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "10.79.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || true
	i=$((i + 1))
done
for l in "pkda$tag" "pkdb$tag"; do
	sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1"
	ip link set "$l" up
	ethtool -K "$l" tx off >/dev/null 2>&1 || true
done

# the EAL of a primary that dumpcap can attach to: hugepages, shared config
eal=(-l 0,1 --no-pci -m 64 --huge-dir="$tmp/huge" --file-prefix="$prefix"
	--log-level=lib.eal:error
	--vdev "net_af_packet0,iface=pkda$tag"
	--vdev "net_af_packet1,iface=pkdb$tag")

# count FILE: "REQ REP" echo requests 10.79.0.1 -> .2 and replies .2 -> .1
# in a pcapng file, read block by block (Ethernet links only), each with
# the ICMP id ping used; exits 1 on a file that is not pcapng
count() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
if len(d) < 12 or struct.unpack_from('<I', d, 0)[0] != 0x0a0d0d0a:
    sys.exit(1)
bo = '<' if struct.unpack_from('<I', d, 8)[0] == 0x1a2b3c4d else '>'
i, req, rep, ids = 0, 0, 0, set()
while i + 12 <= len(d):
    t, n = struct.unpack_from(bo + 'II', d, i)
    if n < 12 or i + n > len(d):
        sys.exit(1)
    if t == 6:  # enhanced packet block
        cap = struct.unpack_from(bo + 'I', d, i + 20)[0]
        f = d[i + 28:i + 28 + cap]
        if len(f) >= 42 and f[12:14] == b'\x08\x00' and f[23] == 1:
            ihl = (f[14] & 15) * 4
            src, dst = f[26:30], f[30:34]
            icmp = f[14 + ihl:]
            a, b = bytes([10, 79, 0, 1]), bytes([10, 79, 0, 2])
            if icmp[0] == 8 and src == a and dst == b:
                req += 1
                ids.add(icmp[4:6])
            elif icmp[0] == 0 and src == b and dst == a:
                rep += 1
                ids.add(icmp[4:6])
    i += n
print(req, rep, len(ids))
EOF
}

# attach NAME: dumpcap on port 0 of the running example while a pings b
attach() {
	local name=$1 n=10 i req rep ids rc
	for i in $(seq 100); do
		[ -S "/var/run/dpdk/$prefix/mp_socket" ] &&
			grep -q "$2" "$tmp/app.log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || fail "$name did not start"
		sleep 0.1
	done
	# warm the neighbours first: the capture then holds pings, not ARP
	ip netns exec "$nsa" ping -c 1 -W 2 10.79.0.2 >/dev/null 2>&1 ||
		fail "$name: no ping through it before dumpcap"
	# ping until dumpcap has its n packets: it may attach after the first
	timeout 30 "$dumpcap" --file-prefix="$prefix" -i net_af_packet0 \
		-w "$tmp/$name.pcapng" -c "$n" >"$tmp/cap.log" 2>&1 &
	cap_pid=$!
	ip netns exec "$nsa" ping -c 100 -i 0.2 -w 25 10.79.0.2 >"$tmp/ping" 2>&1 &
	ping_pid=$!
	wait "$cap_pid"
	rc=$? cap_pid=""
	[ "$rc" -eq 0 ] || fail "$name: dpdk-dumpcap exited $rc"
	kill "$ping_pid" 2>/dev/null
	wait "$ping_pid" 2>/dev/null
	ping_pid=""
	grep -q "bytes from 10.79.0.2" "$tmp/ping" ||
		fail "$name: ping while captured: $(cat "$tmp/ping")"
	read -r req rep ids < <(count "$tmp/$name.pcapng") ||
		fail "$name: $tmp/$name.pcapng is not a pcapng file"
	# dumpcap stops after n packets (or the burst that passes n); all
	# pings crossed port 0 both ways, so n of them are there at least
	[ "$((req + rep))" -ge "$n" ] && [ "$req" -ge $((n / 2 - 1)) ] &&
		[ "$rep" -ge $((n / 2 - 1)) ] && [ "$ids" -eq 1 ] ||
		fail "$name: captured $req requests, $rep replies," \
			"$ids ICMP ids; want $n in all, both ways, one id"
	echo "dumpcap $name: $req echo requests and $rep replies captured on net_af_packet0"
	# dumpcap gone: the example forwards as before and exits cleanly
	ip netns exec "$nsb" ping -c 2 -i 0.2 -W 2 10.79.0.1 >"$tmp/ping" 2>&1 ||
		fail "$name: ping after dumpcap left: $(cat "$tmp/ping")"
	kill -INT "$pid"
	wait "$pid"
	rc=$? pid=""
	[ "$rc" -eq 0 ] || fail "$name exited $rc after SIGINT"
	[ -d "/var/run/dpdk/$prefix" ] && fail "$name left its runtime directory"
	return 0
}

"$fwd" "${eal[@]}" -- --forward-mode=io --stats-period 0 >"$tmp/app.log" 2>&1 &
pid=$!
attach pk-fwd "^Logical Core"

"$run" "${eal[@]}" -- -f "$confdir/fwd.conf" -D P0=net_af_packet0 \
	-D P1=net_af_packet1 >"$tmp/app.log" 2>&1 &
pid=$!
attach pk-run "running"
echo "dumpcap: ok"
