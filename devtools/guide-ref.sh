#!/bin/bash
# The user's guide's parts that come from the code (doc/guide/):
#  - language.md's list of stage kinds, between its BEGIN and END
#    pk-run --list-kinds lines: what `pk-run --list-kinds` prints;
#  - language.md's section per kind: a "### `KIND`" heading for every
#    kind, and in its table a "| `ARG` |" row for every argument the kind
#    takes but not every kind does (those are documented once, under
#    "**Every kind takes**"), and nothing more;
#  - fwd.svg and owners.svg: examples/conf/{fwd,owners}.conf drawn by
#    `pk-run --dot | dot -Tsvg` (compared by their nodes and edges).
# Without --check it rewrites the list and the pictures, then checks the
# sections (which are written by hand: it says what is missing). With
# --check it changes nothing. tests/integration/test_guide.sh runs it with
# --check, so the guide cannot drift from the registered kinds.
#
# Usage: devtools/guide-ref.sh [--check] [PK_RUN]   (build/examples/pk-run)
# Exit: 0 when the guide agrees with the code, 1 otherwise, 2 on misuse.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
pkrun=${1:-build/examples/pk-run}
page=doc/guide/language.md
begin='<!-- BEGIN pk-run --list-kinds'
end='<!-- END pk-run --list-kinds -->'
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pkrun" ] || { echo "guide-ref: no $pkrun (build first)" >&2; exit 2; }
"$pkrun" -- --list-kinds >"$tmp/kinds" ||
	{ echo "guide-ref: $pkrun --list-kinds failed" >&2; exit 2; }
if ! grep -q "^$begin" "$page" || ! grep -qx -- "$end" "$page"; then
	echo "guide-ref: $page has no BEGIN/END list-kinds lines" >&2
	exit 2
fi

# --- the list
awk -v b="$begin" -v e="$end" '
	index($0, b) == 1 { f = 1; next }
	$0 == e { f = 0 }
	f && !/^```/' "$page" >"$tmp/listed"
if ! diff -u <(sort "$tmp/listed") <(sort "$tmp/kinds") >"$tmp/diff"; then
	if [ $check -eq 1 ]; then
		echo "$page: the list of kinds is not what pk-run --list-kinds" \
			"prints (- the page, + pk-run); run devtools/guide-ref.sh:"
		tail -n +3 "$tmp/diff"
		status=1
	else
		awk -v b="$begin" -v e="$end" -v k="$tmp/kinds" '
			index($0, b) == 1 {
				print; print "```text"
				while ((getline l < k) > 0) print l
				print "```"; skip = 1; next
			}
			$0 == e { skip = 0 }
			!skip' "$page" >"$tmp/page" && cat "$tmp/page" >"$page"
		echo "$page: list of kinds rewritten"
	fi
fi

# --- the sections: "KIND" and "KIND ARG" lines, from pk-run and the page
awk '{
	name = $0; sub(/\(.*/, "", name)
	args = $0; sub(/^[^(]*\(/, "", args); sub(/\): .*/, "", args)
	kinds[name] = 1; nk++
	n = split(args, a, ", ")
	for (i = 1; i <= n; i++) if (a[i] != "") { has[name, a[i]] = 1; cnt[a[i]]++ }
}
END {
	for (name in kinds) print name
	for (ka in has) {
		split(ka, x, SUBSEP)
		if (cnt[x[2]] < nk) print x[1], x[2]
		else common[x[2]] = 1
	}
	for (c in common) print c > "/dev/stderr"
}' "$tmp/kinds" 2>"$tmp/common" | sort >"$tmp/want"
awk '/^## Stage kinds/ { f = 1; next }
	f && /^## / { f = 0 }
	f && /^### `/ { k = $0; sub(/^### `/, "", k); sub(/`.*/, "", k); print k; next }
	f && k != "" && /^\| `/ { a = $0; sub(/^\| `/, "", a); sub(/`.*/, "", a); print k, a }
' "$page" | sort >"$tmp/have"
while read -r line; do
	# shellcheck disable=SC2086 # "KIND" or "KIND ARG": split on purpose
	set -- $line
	if [ $# -eq 1 ]; then
		echo "$page: kind $1 has no section (### \`$1\`)"
	else
		echo "$page: kind $1: argument $2 is not in its table (| \`$2\` |)"
	fi
	status=1
done < <(comm -23 "$tmp/want" "$tmp/have")
while read -r line; do
	# shellcheck disable=SC2086 # "KIND" or "KIND ARG": split on purpose
	set -- $line
	if [ $# -eq 1 ]; then
		echo "$page: section ### \`$1\`: pk-run has no such kind"
	else
		echo "$page: kind $1: its table has $2, which the kind does not take"
	fi
	status=1
done < <(comm -13 "$tmp/want" "$tmp/have")
while read -r c; do
	grep -q "^\*\*Every kind takes\*\* .*\`$c=" "$page" || {
		echo "$page: argument $c, which every kind takes, is not under **Every kind takes**"
		status=1
	}
done <"$tmp/common"

# --- the pictures
if ! command -v dot >/dev/null; then
	echo "guide-ref: graphviz (dot) not installed: pictures not drawn"
	[ $check -eq 1 ] || status=1
else
	for n in fwd owners; do
		svg=doc/guide/$n.svg
		"$pkrun" -- -f "examples/conf/$n.conf" --dot | dot -Tsvg >"$tmp/$n.svg" ||
			{ echo "guide-ref: cannot draw $n.conf"; status=1; continue; }
		# what is drawn: the nodes and edges (layout varies with versions)
		titles() { grep -o '<title>[^<]*</title>' "$1" | sort; }
		if [ -f "$svg" ] && diff <(titles "$svg") <(titles "$tmp/$n.svg") >/dev/null; then
			continue
		fi
		if [ $check -eq 1 ]; then
			echo "$svg: not the graph of examples/conf/$n.conf; run devtools/guide-ref.sh"
			status=1
		else
			cp "$tmp/$n.svg" "$svg"
			echo "$svg: drawn"
		fi
	done
fi
[ $status -eq 0 ] && echo "guide-ref: the guide agrees with $pkrun"
exit $status
