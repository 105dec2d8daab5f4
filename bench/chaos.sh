#!/usr/bin/env bash
# The chaos test (cli/chaos_test.go, TestChaos): a sweep on `sweep server` with 3
# worker processes, a random worker killed with SIGKILL every few seconds and restarted, the
# server killed with SIGKILL mid-sweep and restarted on the same state and port, `sweep run
# --address` rerun whenever it dies; the table must have one row per point, bit-identical to a
# fault-free run, and no shards left. The test builds the real binaries itself.
#
#   bash bench/chaos.sh             # long: 8,000 points, a worker killed every 1-3 s, 3 server kills
#   MODE=short bash bench/chaos.sh  # what CI runs: 2,000 points, every 2-4 s, 1 server kill
#   SEED=7 bash bench/chaos.sh      # another kill schedule
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MODE=${MODE:-long}
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
env_mode=""
[ "$MODE" = long ] && env_mode=long
PHASESWEEP_CHAOS=$env_mode PHASESWEEP_CHAOS_SEED=${SEED:-1} \
	go test ./cli -run '^TestChaos$' -count 1 -v -timeout 60m
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
