# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# What test_silk_netns.sh and test_silk_kport.sh share, sourced by both:
# two network namespaces joined by a veth pair, the node's ($nsn: up0, no
# address, its kernel kept off it) and the client's ($nsc: eth0); pk-silk
# started in the node's namespace ($silk_pid, its output in $tmp/silk.log)
# and stopped; its final statistics; skip (exit 77) and fail (exit 1).
# Everything made here goes on exit, also on failure: the namespaces, the
# processes in $silk_pid and $srv_pid, the DPDK runtime dirs of $prefix and
# ${prefix}_*, and $tmp.
#
# The caller sets bin (the pk-silk binary), then calls silk_require and
# silk_env; it runs with set -u.

PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
eal="--no-huge --no-shconf --no-pci -m 256 --log-level=lib.eal:error"
silk_pid="" srv_pid=""

skip() { echo "SKIP: $*"; exit 77; }

# silk_require TOOL...: skip unless $bin runs, we are root and each TOOL is
# installed
silk_require() {
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then skip "no pk-silk binary given"; fi
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			skip "$t not installed (devtools/install-deps.sh)"
	done
}

stop() { # PID: SIGINT, then SIGKILL after 4 s
	kill -INT "$1" 2>/dev/null
	for _ in $(seq 20); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	[ -n "$srv_pid" ] && stop "$srv_pid"
	[ -n "$silk_pid" ] && stop "$silk_pid"
	srv_pid="" silk_pid=""
	ip netns del "$nsn" 2>/dev/null
	ip netns del "$nsc" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix" "/var/run/dpdk/${prefix}"_*
}
final() { cleanup; rm -rf "$tmp"; }

fail() {
	echo "FAIL: $*"
	[ -f "$tmp/silk.log" ] && tail -60 "$tmp/silk.log"
	[ -f "$tmp/srv.log" ] && tail -20 "$tmp/srv.log"
	exit 1
}

# silk_env NAME CLIENT_ADDR...: the names of this run (namespaces pkNAMEn$$
# and pkNAMEc$$, DPDK prefix pk_silk_NAME_$$, a fresh $tmp), the traps that
# clean up, then the namespaces and the veth; CLIENT_ADDR (IPv4 or IPv6,
# with its prefix length) go on the client's eth0
silk_env() {
	local name=$1 a ns
	shift
	nsn=pk${name}n$$ nsc=pk${name}c$$
	prefix=pk_silk_${name}_$$
	tmp=$(mktemp -d "/tmp/pk_silk_$name.XXXXXX")
	trap final EXIT
	trap 'exit 1' INT TERM

	ip netns add "$nsn" || fail "netns add $nsn"
	ip netns add "$nsc" || fail "netns add $nsc"
	ip link add up0 netns "$nsn" type veth peer name eth0 netns "$nsc" ||
		fail "veth"
	for ns in "$nsn" "$nsc"; do
		ip -n "$ns" link set lo up
	done
	# the node's end carries no address (its TAP does); no TX checksum
	# offload on either end: the frames cross user space, where nobody
	# completes one
	ip -n "$nsn" link set up0 up
	# and the node namespace's kernel must leave up0's frames to pk-silk:
	# no IPv6 there, no ARP answers, no routing of what arrives on it
	ip netns exec "$nsn" sysctl -q -w net.ipv6.conf.up0.disable_ipv6=1 \
		net.ipv4.conf.up0.arp_ignore=8 net.ipv4.conf.up0.rp_filter=1 \
		net.ipv4.conf.all.rp_filter=1 >/dev/null || fail "sysctl"
	ip netns exec "$nsn" ethtool -K up0 tx off >/dev/null 2>&1 || true
	for a in "$@"; do
		case $a in
		*:*) ip -n "$nsc" addr add "$a" dev eth0 nodad ;;
		*) ip -n "$nsc" addr add "$a" dev eth0 ;;
		esac
	done
	ip -n "$nsc" link set eth0 up
	ip netns exec "$nsc" ethtool -K eth0 tx off >/dev/null 2>&1 || true
}

# silk_start ARG...: pk-silk with these arguments in the node's namespace,
# in the background; returns once it says its node is up
silk_start() {
	ip netns exec "$nsn" "$bin" "$@" >"$tmp/silk.log" 2>&1 &
	silk_pid=$!
	for _ in $(seq 100); do
		grep -q "^pk-silk: node .* up" "$tmp/silk.log" && break
		kill -0 "$silk_pid" 2>/dev/null || fail "pk-silk did not start"
		sleep 0.1
	done
	grep -q "^pk-silk: node .* up" "$tmp/silk.log" || fail "pk-silk not up"
}

# silk_stop: one more periodic print, then SIGINT; pk-silk must exit 0
# with its final statistics and no leak
silk_stop() {
	local rc
	sleep 1.2
	kill -INT "$silk_pid"
	wait "$silk_pid"
	rc=$?
	silk_pid=""
	[ "$rc" -eq 0 ] || fail "pk-silk exited $rc after SIGINT"
	grep -q "^pk-silk: final statistics" "$tmp/silk.log" ||
		fail "no final statistics"
	if grep -q "leak" "$tmp/silk.log"; then fail "pk-silk reports a leak"; fi
}

final_block() { sed -n '/^pk-silk: final statistics/,$p' "$tmp/silk.log"; }
# owner rows: "  OWNER ROW sent P/B received P/B dropped P/B sockets O/C"
row() { # OWNER ROW COLUMN: packets of that column in the final block
	final_block | awk -v o="$1" -v r="$2" -v c="$3" '$1 == o && $2 == r {
		for (i = 3; i < NF; i++) if ($i == c) { split($(i+1), a, "/"); print a[1]; exit } }'
}
# rows_positive "OWNER ROW COLUMN"...: each of these counts is > 0
rows_positive() {
	local spec v
	for spec in "$@"; do
		# shellcheck disable=SC2086 # three words
		set -- $spec
		v=$(row "$1" "$2" "$3")
		[ -n "$v" ] && [ "$v" -gt 0 ] ||
			fail "owner $1 row $2: $3 is '${v:-missing}', want > 0"
	done
}

# refused SUFFIX REASON OPTIONS...: pk-silk (prefix ${prefix}_SUFFIX, in the
# node's namespace, on net_null0) must exit 2 at start-up saying REASON
refused() {
	local suffix=$1 reason=$2 rc
	shift 2
	# shellcheck disable=SC2086 # $eal is words
	ip netns exec "$nsn" "$bin" $eal -l 0 \
		--file-prefix="${prefix}_$suffix" --vdev net_null0 \
		-- --addr=10.88.0.1/24 "$@" >"$tmp/$suffix.log" 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || fail "$*: exit $rc, want 2: $(cat "$tmp/$suffix.log")"
	grep -q -- "$reason" "$tmp/$suffix.log" ||
		fail "$*: no reason given: $(cat "$tmp/$suffix.log")"
}
