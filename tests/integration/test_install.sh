#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Install test: PathKit as its users get it. Configures a fresh build of the
# source tree with a temporary prefix, installs it, checks what was installed,
# then compiles tests/integration/consumer/consumer.c out of tree against the
# installed libpathkit.pc, links it once shared and once statically, and runs
# both.
#
# usage: test_install.sh <source dir>
# exit: 0 pass, 1 fail, 77 skip (a tool is missing)
set -eu

src=$(cd "${1:?usage: test_install.sh <source dir>}" && pwd)
CC=${CC:-cc}

say() {
	echo "install-test: $*"
}

fail() {
	say "FAIL: $*" >&2
	exit 1
}

# Run a command, printed first; its output goes to a log shown on failure.
run() {
	log="$tmp/step.log"
	say "+ $*"
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		fail "command failed: $1"
	fi
}

for tool in meson ninja pkg-config "$CC"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		say "SKIP: $tool not found"
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pk_install.XXXXXX")
. "$(dirname "$0")/pk_rundir.sh"
# the consumer names its runtime directory after its pid: pk_consumer_<pid>
trap 'rm -rf "$tmp"; pk_rm_rundirs "pk_consumer_*"' EXIT
trap 'exit 1' INT TERM
prefix="$tmp/prefix"
say "working in $tmp"

# 1. build and install, as a packager would
run meson setup "$tmp/build" "$src" --prefix="$prefix" \
	-Dtests=false -Dexamples=false
run ninja -C "$tmp/build" install

# 2. what was installed
pc=$(find "$prefix" -name libpathkit.pc | head -n 1)
[ -n "$pc" ] || fail "no libpathkit.pc under $prefix"
pcdir=$(dirname "$pc")
export PKG_CONFIG_PATH="$pcdir"
libdir=$(pkg-config --variable=libdir libpathkit)
incdir=$(pkg-config --variable=includedir libpathkit)
say "pkg-config: $pc, libdir $libdir"
case "$libdir" in
"$prefix"/*) ;;
*) fail "libpathkit.pc points outside the prefix: $libdir" ;;
esac
for f in "$libdir/libpathkit.so" "$libdir/libpathkit.a" \
	"$incdir/pathkit/pathkit.h" "$incdir/pathkit/pk_version.h"; do
	[ -e "$f" ] || fail "not installed: $f"
done
for h in "$src"/include/pathkit/*.h; do
	[ -e "$incdir/pathkit/$(basename "$h")" ] ||
		fail "header not installed: $(basename "$h")"
done
version=$(sed -n 's/^#define PK_VERSION_STR "\([^"]*\)".*/\1/p' \
	"$incdir/pathkit/pk_version.h")
[ -n "$version" ] || fail "no PK_VERSION_STR in the installed pk_version.h"
say "installed pathkit $version"
if command -v doxygen >/dev/null 2>&1; then
	[ -e "$prefix/share/doc/pathkit/html/index.html" ] ||
		fail "doxygen is present but the API docs were not installed"
	say "API docs installed in share/doc/pathkit/html"
fi

# 3. every installed header compiles on its own, in a user's program
for h in "$incdir"/pathkit/*.h; do
	printf '#include <pathkit/%s>\nint main(void) { return 0; }\n' \
		"$(basename "$h")" >"$tmp/hdr.c"
	# shellcheck disable=SC2046
	"$CC" -Wall -Wextra -Werror -fsyntax-only "$tmp/hdr.c" \
		$(pkg-config --cflags libpathkit) ||
		fail "$(basename "$h") does not compile on its own"
done
say "every installed header compiles on its own"

# Run the consumer and check what it says.
check_consumer() {
	out="$tmp/consumer.out"
	say "+ $*"
	if ! "$@" >"$out" 2>&1; then
		cat "$out" >&2
		fail "consumer exited with an error"
	fi
	sed 's/^/  | /' "$out"
	grep -qx "consumer: pathkit $version (built against $version)" \
		"$out" || fail "consumer did not report version $version"
	grep -q '^consumer: received 32, path took 32, pulled 32$' "$out" ||
		fail "consumer did not move its burst through the path"
	grep -qx 'consumer: ok' "$out" || fail "consumer did not say ok"
}

# 4. out of tree, shared: the documented one-liner
cd "$tmp"
# shellcheck disable=SC2046
run "$CC" -Wall -Wextra -Werror -o consumer-shared \
	"$src/tests/integration/consumer/consumer.c" \
	$(pkg-config --cflags --libs libpathkit)
LD_LIBRARY_PATH="$libdir" ldd ./consumer-shared | grep -q "$libdir/libpathkit.so" ||
	fail "consumer-shared does not load the installed libpathkit.so"
check_consumer env LD_LIBRARY_PATH="$libdir" ./consumer-shared

# 5. out of tree, static: stage kinds register from constructors, so the
# whole archive goes in, not just the objects main() refers to
# shellcheck disable=SC2046
run "$CC" -Wall -Wextra -Werror -o consumer-static \
	"$src/tests/integration/consumer/consumer.c" \
	$(pkg-config --cflags libpathkit) -L"$libdir" \
	-Wl,--whole-archive -l:libpathkit.a -Wl,--no-whole-archive \
	$(pkg-config --static --libs libdpdk)
if ldd ./consumer-static | grep -Eq 'libpathkit|librte_'; then
	fail "consumer-static still loads libpathkit or DPDK shared objects"
fi
check_consumer ./consumer-static

say "PASS"
