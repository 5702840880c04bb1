#!/bin/bash
# Install what is missing, build, run every test suite (unit, integration),
# then the unit tests again in an ASan+UBSan build (clang). Ends with a line
# "N passed, N failed, N skipped". Exit status: 0 only if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."

./devtools/install-deps.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
. tests/integration/pk_rundir.sh

# run_suites BUILD_DIR SUITE...: meson test, keeping its summary for the total
run_suites() {
	local dir=$1 rc=0 args=()
	shift
	for s in "$@"; do args+=(--suite "$s"); done
	meson test -C "$dir" "${args[@]}" --print-errorlogs --num-processes 1 \
		2>&1 | tee -a "$log" || rc=$?
	return $rc
}

echo "== build (release)"
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build

status=0
echo "== unit and integration tests"
run_suites build unit integration || status=1

echo "== unit tests under ASan+UBSan"
if [ ! -f build-asan/build.ninja ]; then
	CC=clang meson setup build-asan -Db_sanitize=address,undefined \
		-Db_lundef=false -Dexamples=false -Ddocs=disabled >/dev/null
fi
ninja -C build-asan
run_suites build-asan unit || status=1

echo "== fuzz: flow parser, ${PK_FUZZ_SECONDS:-30} s (libFuzzer)"
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dexamples=false \
		-Ddocs=disabled >/dev/null
fi
# fuzz_run NAME SECONDS SEEDS [libFuzzer args]: one harness, counted as a test
fuzz_run() {
	local name=$1 secs=$2 seeds=$3 dir
	shift 3
	dir=$(mktemp -d)
	if ./build-fuzz/tests/fuzz/"$name" -max_total_time="$secs" \
		-print_final_stats=1 "$@" "$dir" "$seeds" >"$dir.log" 2>&1; then
		grep -E "^Done|stat::number_of_executed_units" "$dir.log" || true
		echo "Ok: 1" >>"$log"
	else
		tail -40 "$dir.log"
		echo "Fail: 1" >>"$log"
		status=1
	fi
	rm -rf "$dir" "$dir.log"
	# a harness that starts an EAL (file prefix: its name and pid) ends
	# in libFuzzer's exit(), which leaves the EAL's runtime directory behind
	pk_rm_rundirs "$name" "${name}_[0-9]*"
}

ninja -C build-fuzz tests/fuzz/fuzz_flow_parse
fuzz_run fuzz_flow_parse "${PK_FUZZ_SECONDS:-30}" tests/fuzz/corpus -max_len=1600

echo "== fuzz: ECN marker, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_ecn_mark
fuzz_run fuzz_ecn_mark "${PK_FUZZ_NUM_SECONDS:-10}" tests/fuzz/corpus -max_len=1600

echo "== fuzz: number parsers, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_parse_num
fuzz_run fuzz_parse_num "${PK_FUZZ_NUM_SECONDS:-10}" tests/fuzz/corpus_num \
	-max_len=256

echo "== fuzz: port reservation specs, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_portmap_spec
fuzz_run fuzz_portmap_spec "${PK_FUZZ_NUM_SECONDS:-10}" \
	tests/fuzz/corpus_portmap -max_len=256

echo "== fuzz: runtime change text, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_ctl
fuzz_run fuzz_ctl "${PK_FUZZ_NUM_SECONDS:-10}" tests/fuzz/corpus_ctl \
	-max_len=300

echo "== fuzz: UDP checks and headers, ${PK_FUZZ_UDP_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_udp
fuzz_run fuzz_udp "${PK_FUZZ_UDP_SECONDS:-10}" tests/fuzz/corpus_udp \
	-max_len=1600

echo "== fuzz: raw send checks, ${PK_FUZZ_RAW_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_raw
fuzz_run fuzz_raw "${PK_FUZZ_RAW_SECONDS:-10}" tests/fuzz/corpus_raw \
	-max_len=4096

echo "== fuzz: capture commands, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_capture_args
fuzz_run fuzz_capture_args "${PK_FUZZ_NUM_SECONDS:-10}" \
	tests/fuzz/corpus_capture -max_len=1025

echo "== fuzz: configuration language, ${PK_FUZZ_CONF_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_conf
fuzz_run fuzz_conf "${PK_FUZZ_CONF_SECONDS:-10}" tests/fuzz/corpus_conf \
	-max_len=4096 -dict=tests/fuzz/conf.dict

echo "== fuzz: queue droppers' arguments, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_dropper
fuzz_run fuzz_dropper "${PK_FUZZ_NUM_SECONDS:-10}" tests/fuzz/corpus_dropper \
	-max_len=256

echo "== fuzz: scheduler policy strings, ${PK_FUZZ_NUM_SECONDS:-10} s (libFuzzer)"
ninja -C build-fuzz tests/fuzz/fuzz_sched_policy
fuzz_run fuzz_sched_policy "${PK_FUZZ_NUM_SECONDS:-10}" \
	tests/fuzz/corpus_sched_policy -max_len=128

sum() { awk -v k="$1" '$1 == k":" { n += $2 } END { print n + 0 }' "$log"; }
passed=$(( $(sum Ok) + $(sum Expected) ))
failed=$(( $(sum Fail) + $(sum Timeout) + $(sum Unexpected) ))
skipped=$(sum Skipped)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
