#!/usr/bin/env bash
# Orchestration overhead: the same sweep run (a) through Temporal, `sweep run` on the embedded
# server with its in-process worker and default chunking, and (b) by bench/overhead, the kernel
# in a plain loop on as many goroutines as cores writing one Parquet. Prints wall and CPU time
# of both and overhead = (temporal - loop) / loop. See bench/SCALE.md.
#
#   bash bench/overhead.sh              # the real-size case: 10^4 points, steps 10^4, n=20, d=30
#   CASE=tiny bash bench/overhead.sh    # 10^4 points, steps 10, n=2, d=2: overhead dominates
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CASE=${CASE:-real}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

case $CASE in
real) params="  n: 20
  d: 30
  sparsity: 3
  batch: 5
  steps: 10000" ;;
tiny) params="  n: 2
  d: 2
  sparsity: 1
  test: 10
  batch: 1
  steps: 10" ;;
*) echo "CASE must be real or tiny" >&2; exit 2 ;;
esac
cat >"$WORK/spec.yaml" <<EOF
name: overhead
seed: 3
params:
$params
grid:
  optimizer: [gd, sgd]
  stepsize: {logspace: [0.001, 0.1], num: 50}
  init: {logspace: [0.01, 1.0], num: 10}
  seed: {range: 10}
EOF

go build -o "$WORK/sweep" ./cli
go build -o "$WORK/overhead" ./bench/overhead

echo "# case $CASE: $(tr '\n' ' ' <"$WORK/spec.yaml" | sed 's/  */ /g')"
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# timed LABEL CMD...: runs CMD under /usr/bin/time, prints "LABEL wall user sys" (seconds).
timed() {
	local label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"
	read -r wall user sys rss <"$WORK/time"
	echo "$label: wall $wall s, cpu $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}') s (user $user, sys $sys), peak RSS $((rss / 1024)) MB"
	eval "${label}_wall=$wall; ${label}_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')"
}

timed loop "$WORK/overhead" --workers "$(nproc)" --out "$WORK/loop.parquet" "$WORK/spec.yaml"
cat "$WORK/loop.out"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
timed temporal "$WORK/sweep" run "$WORK/spec.yaml" --state "$WORK/state" --out "$WORK/out"
tail -1 "$WORK/temporal.out"
grep -o 'in chunks of [0-9]*' "$WORK/temporal.err" || true
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk -v t="$temporal_wall" -v l="$loop_wall" -v tc="$temporal_cpu" -v lc="$loop_cpu" 'BEGIN {
	printf "overhead (wall, whole sweep run incl. embedded server start/stop): %.1f%%\n", 100 * (t - l) / l
	printf "overhead (cpu, whole sweep run incl. server): %.1f%%\n", 100 * (tc - lc) / lc
}'
