#!/usr/bin/env bash
# Compares one gd/sgd step of pkg/dynamics (Go) with the same update written in numpy
# (bench/numpy_gd.py), on this machine, and prints a table of both figures and their ratio.
#
#   bash bench/run.sh                 # defaults: go -count 3, numpy 50000 steps x 3
#   GO_COUNT=5 NP_STEPS=100000 NP_REPEATS=5 bash bench/run.sh
#
# Needs Go and Debian's numpy (apt-get install -y python3-numpy); PYTHON overrides the
# interpreter (default /usr/bin/python3, not a pyenv python on PATH that may lack numpy).
# Figures are microseconds per step: the median over the Go benchmark's -count runs, and the
# median over the numpy script's timed runs. See bench/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
GO_COUNT=${GO_COUNT:-3}
NP_STEPS=${NP_STEPS:-50000}
NP_REPEATS=${NP_REPEATS:-3}

if ! "$PYTHON" -c 'import numpy' 2>/dev/null; then
	echo "bench/run.sh: $PYTHON has no numpy; run: apt-get install -y python3-numpy" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# $(go version)"
echo "# numpy $("$PYTHON" -c 'import numpy; print(numpy.__version__)'), $("$PYTHON" --version 2>&1)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# go test ./pkg/dynamics/ -run '^\$' -bench 'Step' -benchmem -count $GO_COUNT" >&2
go test ./pkg/dynamics/ -run '^$' -bench 'Step' -benchmem -count "$GO_COUNT" | tee "$tmp/go.txt" >&2
echo "# $PYTHON bench/numpy_gd.py --steps $NP_STEPS --repeats $NP_REPEATS" >&2
"$PYTHON" bench/numpy_gd.py --steps "$NP_STEPS" --repeats "$NP_REPEATS" | tee "$tmp/np.txt" >&2

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Go: "BenchmarkGDStep/n=20,d=30-2  N  1234 ns/op  0 B/op  0 allocs/op" -> opt shape median_us
# and the largest allocs/op over the -count runs.
awk '
/^Benchmark(GD|SGD)Step\/n=/ {
	split($1, a, "/"); opt = (a[1] ~ /SGD/) ? "sgd" : "gd"
	shape = a[2]; sub(/-[0-9]+$/, "", shape); sub(/,/, " ", shape)
	key = opt " " shape
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "ns/op") ns[key] = ns[key] " " $i
		if ($(i+1) == "allocs/op" && (!(key in allocs) || $i + 0 > allocs[key] + 0)) allocs[key] = $i
	}
}
END {
	for (k in ns) {
		m = split(substr(ns[k], 2), v, " ")
		# median by insertion sort
		for (i = 2; i <= m; i++) { x = v[i]; j = i - 1; while (j >= 1 && v[j] + 0 > x + 0) { v[j+1] = v[j]; j-- } v[j+1] = x }
		med = (m % 2) ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2
		printf "%s %.4f %s\n", k, med / 1000, allocs[k]
	}
}' "$tmp/go.txt" | sort > "$tmp/go.tab"

# numpy: "gd n=20 d=30 min_us_per_step=.. median_us_per_step=.. ..." -> opt shape median_us
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^median_us_per_step=/) { split($i, a, "="); print $1, $2, $3, a[2] } }' \
	"$tmp/np.txt" | sort > "$tmp/np.tab"

if [ ! -s "$tmp/go.tab" ] || [ ! -s "$tmp/np.tab" ]; then
	echo "bench/run.sh: could not parse the benchmark output" >&2
	exit 1
fi

printf '\n| %-4s | %-5s | %-6s | %12s | %9s | %15s | %12s |\n' opt n d "go us/step" "go allocs" "numpy us/step" "numpy / go"
printf '|------|-------|--------|-------------:|----------:|----------------:|-------------:|\n'
join -j1 <(awk '{print $1"/"$2"/"$3, $4, $5}' "$tmp/go.tab") \
	<(awk '{print $1"/"$2"/"$3, $4}' "$tmp/np.tab") |
	awk '{ split($1, k, "/"); printf "| %-4s | %-5s | %-6s | %12.3f | %9s | %15.3f | %11.1fx |\n", k[1], k[2], k[3], $2, $3, $4, $4 / $2 }'
