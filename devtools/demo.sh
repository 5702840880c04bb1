#!/bin/bash
# Install what is missing, build, then show two things on virtual ports
# (net_null: they generate 64-byte frames as fast as they are read):
#  1. pk-fwd (the testpmd-like forwarder) for a few seconds, printing
#     testpmd's statistics blocks and the forwarding rate;
#  2. pk-run on examples/conf/owners.conf: two owners share one shaped link
#     through a weighted scheduler while one of them floods; prints what
#     each offered, what the link took from each (its share) and what each
#     was charged for, and shows that the flooder gets its weight, not the
#     link.
# DEMO_SECONDS (3) and DEMO_OWNERS_SECONDS (2) set how long each runs.
set -euo pipefail
cd "$(dirname "$0")/.."

./devtools/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

secs=${DEMO_SECONDS:-3}
osecs=${DEMO_OWNERS_SECONDS:-2}
log=/tmp/pk_demo_$$.log
# the EAL leaves its runtime directory (with the telemetry socket) behind
if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run/dpdk/pk_demo_$$
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk/pk_demo_$$
fi
trap 'rm -rf "$log" "$rundir" "${rundir}_owners"' EXIT
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

# --- what paths are for: owners sharing a link
conf=examples/conf/owners.conf
echo
./build/examples/pk-run \
	--no-huge --no-shconf --no-pci -m 512 -l 0,1 \
	--file-prefix="pk_demo_$$_owners" --log-level=lib.eal:error \
	--vdev net_null0 --vdev net_null1 --vdev net_null2 \
	-- -f "$conf" --duration="$osecs" >"$log" 2>&1 || { cat "$log"; exit 1; }
# the configuration's defines, then pk-run's final statistics: each owner's
# line (the sums of its paths: in = offered, out = what the link took,
# dropped = what its queue could not hold) and the link's
report=$(cat <<'AWK'
function val(k,   i, kv) {
	for (i = 1; i <= NF; i++)
		if (split($i, kv, "=") == 2 && kv[1] == k)
			return kv[2]
	return 0
}
# 64-byte frames and 24 bytes of preamble, gap and FCS, as the shaper
# counts them
function mbps(n) { return n * 88 * 8 / s / 1e6 }
FILENAME == conf && $1 == "define" { def[$2] = $4; next }
FILENAME == conf { next }
/^== final statistics/ { fin = 1; next }
fin && $1 == "owner" && $2 != "unknown" {
	o[++n] = $2; in_[$2] = val("in"); out[$2] = val("out")
	drop[$2] = val("dropped"); line[$2] = $0; sum += out[$2]
}
fin && $1 == "link" { sent = val("in") }
END {
	w["alice"] = def["WA"]; w["bob"] = def["WB"]
	printf "== owners.conf: alice (weight %d) and bob (weight %d) share " \
		"a %g Mbit/s link through\n   one scheduler (wfq); alice " \
		"is paced to %g Mbit/s, bob floods; %d s\n", w["alice"], w["bob"],
		def["RATE"] / 1e6, def["ALICE_RATE"] / 1e6, s
	printf "  %-6s %6s %15s %12s %7s %15s\n", "owner", "weight",
		"offered Mbit/s", "sent Mbit/s", "share", "dropped"
	for (i = 1; i <= n; i++)
		printf "  %-6s %6d %15.1f %12.2f %6.1f%% %15.0f\n", o[i],
			w[o[i]], mbps(in_[o[i]]), mbps(out[o[i]]),
			sum ? 100 * out[o[i]] / sum : 0, drop[o[i]]
	printf "  link: %.0f frames sent in about %d s, %.1f Mbit/s (its " \
		"rate: %g)\n", sent, s, mbps(sent), def["RATE"] / 1e6
	print "  their accounts (in: offered, out: sent on the link, " \
		"dropped: at their queue):"
	for (i = 1; i <= n; i++)
		print "    " line[o[i]]
	if (sum == 0 || in_["alice"] == 0 || in_["bob"] == 0) {
		print "== result: the link sent nothing"
		exit 1
	}
	got = out["bob"] / sum; want = w["bob"] / (w["alice"] + w["bob"])
	printf "== result: bob offered %.0f times what alice did and got " \
		"%.1f%% of the link", in_["bob"] / in_["alice"], 100 * got
	if (got > 0.8 * want && got < 1.2 * want)
		printf ": his\n   weight (%.0f%%), not the link; his flood " \
			"was dropped at his own queue, charged to him\n",
			100 * want
	else
		printf ", not his weight (%.0f%%):\n   was the machine " \
			"too busy to keep both queues full?\n", 100 * want
}
AWK
)
awk -v s="$osecs" -v conf="$conf" "$report" "$conf" "$log" ||
	{ cat "$log"; exit 1; }
