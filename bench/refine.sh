#!/usr/bin/env bash
# Measures what adaptive refinement saves (docs/refine.md): the refined gd sweep of
# bench/refine.yaml (stepsize x init, 16 x 16 coarse, on status) with levels 2, 3 and 4,
# against the dense grid of the same finest resolution, 15 2^L + 1 values per axis (61, 121,
# 241: the resolution of a 256 x 256 grid). For each it prints the points and wall time of
# both, and how many of the dense grid's boundary cells (corners of different status) the
# refined sweep resolved (bench/refinecmp).
#
#   bash bench/refine.sh                 # levels 2 3 4, the dense grids of levels 2 and 3
#   LEVELS="2 3" DENSE_MAX=4 bash bench/refine.sh
#   HALO=0 KEEP=/tmp/dense bash bench/refine.sh   # refine.halo 0; keep the dense tables
#   ON=divergence KEEP=/tmp/dense bash bench/refine.sh
#
# HALO sets refine.halo (default: the spec's, 1), ON refine.on (default: the spec's, status). KEEP names a directory where the dense
# tables are kept and, on a later run, reused instead of run again (the dense grid does not
# depend on the refinement). Each sweep runs on a fresh embedded server with no result cache.
# Everything else it writes goes to a temporary directory that it removes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LEVELS=${LEVELS:-"2 3 4"}
DENSE_MAX=${DENSE_MAX:-3} # the dense grid of level 4 has 58081 points
HALO=${HALO:-}
ON=${ON:-}
KEEP=${KEEP:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/sweep" ./cli
go build -o "$tmp/refinecmp" ./bench/refinecmp

# run NAME SPEC: runs the sweep, prints its wall seconds.
run() {
	local start end
	start=$(date +%s.%N)
	"$tmp/sweep" run "$2" --state "$tmp/state-$1" --out "$tmp/$1" --no-cache >/dev/null 2>"$tmp/$1.log"
	end=$(date +%s.%N)
	echo "$end - $start" | bc | xargs printf '%.0f\n'
}

echo "| levels | refined points | refined s | dense grid | dense points | dense s | boundary cells of the dense grid: resolved, within one cell |"
echo "|---|---|---|---|---|---|---|"
for L in $LEVELS; do
	sed "s/^  levels: .*/  levels: $L/" bench/refine.yaml >"$tmp/refined-$L.yaml"
	[[ -n $HALO ]] && echo "  halo: $HALO" >>"$tmp/refined-$L.yaml"
	[[ -n $ON ]] && sed -i "s/^  on: .*/  on: $ON/" "$tmp/refined-$L.yaml"
	tr=$(run "r$L" "$tmp/refined-$L.yaml")
	rows=$(grep -o 'refined: .* points' "$tmp/r$L.log" | tail -1)
	total=$(echo "$rows" | grep -o 'level [0-9]*: [0-9]*' | awk '{s += $3} END {print s}')
	num=$((15 * (1 << L) + 1))
	if ((L > DENSE_MAX)); then
		echo "| $L | $total ($rows) | $tr | ${num}x$num | $((num * num)) | not run | |"
		continue
	fi
	dense=$tmp/d$L/results.parquet
	if [[ -n $KEEP && -e $KEEP/dense-$L.parquet ]]; then
		dense=$KEEP/dense-$L.parquet td="kept"
	else
		sed -e '/^refine:/,$d' -e "s/num: 16/num: $num/" bench/refine.yaml | sed "s/^name: .*/name: refine-dense/" >"$tmp/dense-$L.yaml"
		td=$(run "d$L" "$tmp/dense-$L.yaml")
		[[ -n $KEEP ]] && mkdir -p "$KEEP" && cp "$dense" "$KEEP/dense-$L.parquet"
	fi
	"$tmp/refinecmp" "$tmp/r$L/results.parquet" "$dense" >"$tmp/cmp-$L"
	echo "| $L | $total ($rows) | $tr | ${num}x$num | $((num * num)) | $td | $(head -1 "$tmp/cmp-$L") |"
done
for f in "$tmp"/cmp-*; do # the unresolved boundary cells, by the statuses at their corners
	[[ -e $f ]] && { echo; echo "level ${f##*-}:"; tail -n +2 "$f"; }
done
