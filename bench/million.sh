#!/usr/bin/env bash
# A sweep of POINTS tiny runs (default 10^6) on `sweep server` + one `worker` process, as on a
# cluster: prints the wall time of `sweep run --address`, the peak RSS (VmHWM) of the server
# and of the worker, and the longest history of any execution (bench/histlen walks every run
# of the sweep across continue-as-new and every batch child). See bench/SCALE.md.
#
#   bash bench/million.sh                  # 10^6 points: 100 stepsizes x 100 inits x 100 seeds
#   POINTS=100000 bash bench/million.sh    # 10^5: 100 x 100 x 10
#   POINTS=50000 CHUNK=10 bash bench/million.sh   # small chunks: many activities and signals
#   STEPS=10 KEEP=1 WORK=/tmp/m bash bench/million.sh   # KEEP=1 keeps WORK (state, results)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

POINTS=${POINTS:-1000000}
STEPS=${STEPS:-10}
CHUNK=${CHUNK:-0}  # --chunk (0: the default sizing, which gives 1000 for these runs)
WORK=${WORK:-$(mktemp -d)}
PORT=${PORT:-$(( 20000 + RANDOM % 20000 ))}
mkdir -p "$WORK"

seeds=$(( POINTS / 10000 ))
if [ $(( seeds * 10000 )) -ne "$POINTS" ] || [ "$seeds" -lt 1 ]; then
	echo "bench/million.sh: POINTS must be a multiple of 10000" >&2
	exit 2
fi
cat >"$WORK/million.yaml" <<EOF
name: million
seed: 1
params:
  n: 2
  d: 2
  sparsity: 1
  test: 10
  steps: $STEPS
grid:
  stepsize: {logspace: [0.001, 0.5], num: 100}
  init: {logspace: [0.01, 1.0], num: 100}
  seed: {range: $seeds}
EOF

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GB"
echo "# $(go version)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# work dir: $WORK; $POINTS points, steps $STEPS, n=2, d=2"

go build -o "$WORK/sweep" ./cli
go build -o "$WORK/worker" ./worker
go build -o "$WORK/histlen" ./bench/histlen

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

"$WORK/sweep" server --state "$WORK/state" --port "$PORT" >"$WORK/server.out" 2>"$WORK/server.err" &
server=$!
pids+=("$server")
"$WORK/worker" --address "127.0.0.1:$PORT" >"$WORK/worker.out" 2>"$WORK/worker.err" &
worker=$!
pids+=("$worker")

hwm() { awk '/VmHWM/{printf "%.0f MB", $2/1024}' "/proc/$1/status"; }
cpu() { awk '{printf "%.0f s", ($14+$15)/100}' "/proc/$1/stat"; } # utime+stime, 100 Hz ticks

start=$(date +%s.%N)
"$WORK/sweep" run "$WORK/million.yaml" --address "127.0.0.1:$PORT" --out "$WORK/out" --chunk "$CHUNK" --json \
	>"$WORK/run.out" 2>"$WORK/run.err"
end=$(date +%s.%N)
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run: $(cat "$WORK/run.out")"
awk -v s="$start" -v e="$end" -v p="$POINTS" 'BEGIN { printf "wall time: %.1f s (%.0f points/s)\n", e - s, p / (e - s) }'
echo "server: peak RSS $(hwm "$server"), CPU $(cpu "$server")"
echo "worker: peak RSS $(hwm "$worker"), CPU $(cpu "$worker")"
ls -la "$WORK/out"
grep -o 'in chunks of [0-9]*' "$WORK/run.err" || true
"$WORK/histlen" --address "127.0.0.1:$PORT"
