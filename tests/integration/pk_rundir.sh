# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the integration scripts: where the EAL of a program they run
# puts its runtime directory, so that they can remove it afterwards (the
# EAL leaves it behind, with the telemetry socket in it).

# pk_rm_rundirs <prefix>...: remove the runtime directories of these file
# prefixes (shell patterns allowed)
pk_rm_rundirs() {
	local base p
	if [ "$(id -u)" -eq 0 ]; then
		base=/var/run/dpdk
	else
		base=${XDG_RUNTIME_DIR:-/tmp}/dpdk
	fi
	for p in "$@"; do
		# shellcheck disable=SC2086 # the pattern is meant to expand
		rm -rf "$base"/$p
	done
}
