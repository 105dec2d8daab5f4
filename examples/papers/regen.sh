#!/usr/bin/env bash
# Regenerates the figures of the paper recipes: runs `sweep reproduce NAME` (the full spec)
# and `sweep reproduce NAME --quick` for each recipe (all, or the NAMEs given), copies the full
# run's figures into examples/papers/NAME/, and writes both wall times into the table of
# examples/papers/README.md (between the "times" markers; times.tsv keeps the last
# measurement of every recipe).
#
#   bash examples/papers/regen.sh                      # every recipe
#   bash examples/papers/regen.sh even2023-eos momentum
#
# Each run starts from an empty state directory, so the result cache serves nothing and the
# times are those of a first run. Environment: WORK (default: a fresh temporary directory)
# holds the binary, state and outputs; FIGURES=0 measures without copying the figures.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
echo "work directory: $work" >&2

go build -C "$repo" -o "$work/sweep" ./cli
sweep="$work/sweep"

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in "$here"/*/recipe.yaml; do names+=("$(basename "$(dirname "$f")")"); done
fi

times="$here/times.tsv"
touch "$times"

# seconds CMD...: runs CMD, prints its wall time in seconds (one decimal) on stdout.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >&2 || { echo "regen.sh: failed (exit $?): $*" >&2; return 1; }
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
}

for name in "${names[@]}"; do
	[ -f "$here/$name/recipe.yaml" ] || { echo "regen.sh: no recipe $name (examples/papers/$name/recipe.yaml)" >&2; exit 2; }
	rm -rf "$work/$name" "$work/$name-quick" "$work/state-$name" "$work/state-$name-quick"
	echo "== $name" >&2
	full=$(seconds "$sweep" reproduce "$name" --out "$work/$name" --state "$work/state-$name") || exit 1
	quick=$(seconds "$sweep" reproduce "$name" --quick --out "$work/$name-quick" --state "$work/state-$name-quick") || exit 1
	echo "$name: full ${full} s, quick ${quick} s" >&2
	if [ "${FIGURES:-1}" != 0 ]; then
		for png in "$work/$name"/*.png; do cp "$png" "$here/$name/"; done
	fi
	awk -F'\t' -v n="$name" '$1 != n' "$times" > "$times.new"
	printf '%s\t%s\t%s\n' "$name" "$full" "$quick" >> "$times.new"
	sort "$times.new" > "$times" && rm "$times.new"
done

# The README's table, rebuilt from times.tsv between its markers.
readme="$here/README.md"
awk -F'\t' -v tsv="$times" '
	BEGIN { while ((getline line < tsv) > 0) { split(line, f, "\t"); full[f[1]] = f[2]; quick[f[1]] = f[3]; order[++n] = f[1] } }
	/<!-- times -->/ { print; print "| recipe | full run (s) | --quick (s) |"; print "|---|---:|---:|"
		for (i = 1; i <= n; i++) printf "| [%s](%s/) | %s | %s |\n", order[i], order[i], full[order[i]], quick[order[i]]
		skip = 1; next }
	/<!-- \/times -->/ { skip = 0 }
	!skip { print }
' "$readme" > "$readme.new" && mv "$readme.new" "$readme"
echo "figures in examples/papers/*/, times in $readme" >&2
