#!/usr/bin/env bash
# Measures the kernels of pkg/dynamics against numpy on this machine and prints the ratios
# that bench/BENCHMARKS.md records:
#
#   1. single run, gd/sgd, n=20 d=30 and n=40 d=100: Go us/step vs the numpy per-run loop
#      (bench/numpy_gd.py);
#   2. lockstep gd, 64 runs, n=40 d=100 and n=100 d=1000: Go us per run-step (the AVX2
#      assembly kernels on one core and with each step split over two, and the portable Go
#      kernels, PHASESWEEP_NO_ASM=1) vs numpy vectorised over the runs
#      (bench/numpy_lockstep.py), with GFLOP/s against the dgemm peak numpy's BLAS reaches;
#   3. end to end: `sweep run bench/even2023.yaml` (a built binary, embedded server, fresh
#      state, no result cache) vs bench/numpy_sweep.py looping over the same 60 runs;
#   4. memory: peak RSS of `sweep run` (server + worker in one process) on sweeps of 10^3 and
#      10^4 tiny points.
#
#   bash bench/run.sh                  # everything, about 6-10 minutes on 2 quiet cores
#   SKIP_E2E=1 SKIP_MEM=1 bash bench/run.sh   # kernels only (SKIP_KERNELS=1: sweeps only);
#                                             # SKIP_NOASM=1: no PHASESWEEP_NO_ASM=1 sweep
#   GO_COUNT=5 NP_STEPS=100000 NP_REPEATS=5 bash bench/run.sh
#
# Needs Go and Debian's numpy (apt-get install -y python3-numpy; for the OpenBLAS figures also
# libopenblas0-pthread, which update-alternatives makes numpy's libblas.so.3). PYTHON
# overrides the interpreter (default /usr/bin/python3). Idempotent: everything it writes goes
# to a temporary directory that it removes. Figures are medians over the repeats.
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

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(grep -m1 -o 'avx2\|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "# $(go version)"
echo "# numpy $("$PYTHON" -c 'import numpy; print(numpy.__version__)'), $("$PYTHON" --version 2>&1)"
echo "# libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# median_of FILE KEY: the median of the numbers in FILE's lines "KEY value".
median_of() {
	awk -v k="$2" '$1 == k { v[++m] = $2 } END {
		if (m == 0) exit
		for (i = 2; i <= m; i++) { x = v[i]; j = i - 1; while (j >= 1 && v[j] + 0 > x + 0) { v[j+1] = v[j]; j-- } v[j+1] = x }
		print (m % 2) ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2 }' "$1"
}

# gobench_values FILE UNIT: "name value" for every benchmark line of FILE and the value
# before UNIT (name without the -GOMAXPROCS suffix).
gobench_values() {
	awk -v u="$2" '/^Benchmark/ { name = $1; sub(/-[0-9]+$/, "", name)
		for (i = 2; i < NF; i++) if ($(i+1) == u) print name, $i }' "$1"
}

if [ -z "${SKIP_KERNELS:-}" ]; then
# --- Go benchmarks -----------------------------------------------------------------------
echo "# go test ./pkg/dynamics/ -run '^\$' -bench 'GDStep|SGDStep|LockstepStep/gd' -benchmem -count $GO_COUNT" >&2
go test ./pkg/dynamics/ -run '^$' -bench 'GDStep|SGDStep|LockstepStep/gd' -benchmem -count "$GO_COUNT" | tee "$tmp/go.txt" >&2
echo "# PHASESWEEP_NO_ASM=1 go test ./pkg/dynamics/ -run '^\$' -bench 'GDStep|SGDStep|LockstepStep/gd/' -benchmem -count $GO_COUNT" >&2
PHASESWEEP_NO_ASM=1 go test ./pkg/dynamics/ -run '^$' -bench 'GDStep|SGDStep|LockstepStep/gd/' -benchmem -count "$GO_COUNT" | tee "$tmp/gonoasm.txt" >&2

# --- numpy -------------------------------------------------------------------------------
echo "# $PYTHON bench/numpy_gd.py --minimal --steps $NP_STEPS --repeats $NP_REPEATS" >&2
"$PYTHON" bench/numpy_gd.py --minimal --steps "$NP_STEPS" --repeats "$NP_REPEATS" | tee "$tmp/np.txt" >&2
echo "# $PYTHON bench/numpy_lockstep.py --repeats $NP_REPEATS" >&2
"$PYTHON" bench/numpy_lockstep.py --repeats "$NP_REPEATS" | tee "$tmp/npb.txt" >&2

# --- 1. single run -----------------------------------------------------------------------
gobench_values "$tmp/go.txt" ns/op > "$tmp/go.ns"
gobench_values "$tmp/gonoasm.txt" ns/op > "$tmp/gonoasm.ns"
gobench_values "$tmp/go.txt" allocs/op > "$tmp/go.allocs"
# np_us OPT N D: numpy's median us/step for that line of np.txt.
np_us() {
	awk -v o="$1" -v n="n=$2" -v d="d=$3" '$1 == o && $2 == n && $3 == d { for (i = 4; i <= NF; i++) if ($i ~ /^median_us_per_step=/) { split($i, a, "="); print a[2] } }' "$tmp/np.txt"
}
printf '\n## 1. single run: us per step (goal: numpy / go >= 10x for gd; "go" is the default build with the AVX2 kernels, "portable" PHASESWEEP_NO_ASM=1; "numpy gd-min" times the gd update alone, without the loss and gain that both other sides compute)\n\n'
printf '| opt  | n     | d      |   go us/step | go allocs | portable us/step |   numpy us/step |   numpy / go | numpy gd-min us/step | gd-min / go |\n'
printf '|------|-------|--------|-------------:|----------:|-----------------:|----------------:|-------------:|---------------------:|------------:|\n'
for opt in gd sgd; do
	for shape in "20 30" "40 100"; do
		set -- $shape
		name="Benchmark$(echo "$opt" | tr a-z A-Z)Step/n=$1,d=$2"
		go_ns=$(median_of "$tmp/go.ns" "$name")
		pg_ns=$(median_of "$tmp/gonoasm.ns" "$name")
		allocs=$(awk -v k="$name" '$1 == k && $2 + 0 > m + 0 { m = $2 } END { print m + 0 }' "$tmp/go.allocs")
		np=$(np_us "$opt" "$1" "$2")
		mn=$( [ "$opt" = gd ] && np_us gd-min "$1" "$2" || echo "")
		awk -v o="$opt" -v n="$1" -v d="$2" -v g="$go_ns" -v q="$pg_ns" -v a="$allocs" -v p="$np" -v m="$mn" \
			'BEGIN { g /= 1000; q /= 1000
				mcol = (m == "") ? sprintf("%20s | %11s", "", "") : sprintf("%20.3f | %10.1fx", m, m / g)
				printf "| %-4s | n=%-3s | d=%-4s | %12.3f | %9s | %16.3f | %15.3f | %11.1fx | %s |\n", o, n, d, g, a, q, p, p / g, mcol }'
	done
done

# --- 2. lockstep -------------------------------------------------------------------------
peak=$(awk '$1 == "peak" { for (i = 1; i <= NF; i++) if ($i ~ /^gflops=/) { split($i, a, "="); print a[2] } }' "$tmp/npb.txt")
gobench_values "$tmp/go.txt" ns/run-step > "$tmp/go.rs"
gobench_values "$tmp/gonoasm.txt" ns/run-step > "$tmp/gonoasm.rs"
printf '\n## 2. lockstep gd, B = 64: us per run-step (goal: numpy / go >= 2x; GFLOP/s of the 4nd flops of the two products, vs the dgemm peak %s GFLOP/s; "portable" is PHASESWEEP_NO_ASM=1, "asm" the default build on 1 core and split over 2)\n\n' "$peak"
printf '| n     | d      | portable us/run-step | asm 1 core | asm 2 cores | numpy us/run-step | numpy / asm 1 core | numpy / asm 2 cores | asm 1 core GFLOP/s | asm 2 cores GFLOP/s | numpy GFLOP/s | asm 2 cores %% of peak | OpenBLAS products alone us/run-step |\n'
printf '|-------|--------|---------------------:|-----------:|------------:|------------------:|-------------------:|--------------------:|-------------------:|--------------------:|--------------:|----------------------:|-------------------------------------:|\n'
for shape in "40 100" "100 1000"; do
	set -- $shape
	q=$(median_of "$tmp/gonoasm.rs" "BenchmarkLockstepStep/gd/n=$1,d=$2,B=64")
	g=$(median_of "$tmp/go.rs" "BenchmarkLockstepStep/gd/n=$1,d=$2,B=64")
	s=$(median_of "$tmp/go.rs" "BenchmarkLockstepStep/gd-2cores/n=$1,d=$2,B=64")
	p=$(awk -v n="n=$1" -v d="d=$2" '$1 == "lockstep" && $3 == n && $4 == d { for (i = 5; i <= NF; i++) if ($i ~ /^median_us_per_run_step=/) { split($i, a, "="); print a[2] } }' "$tmp/npb.txt")
	o=$(awk -v n="n=$1" -v d="d=$2" '$1 == "products" && $2 == n && $3 == d { for (i = 4; i <= NF; i++) if ($i ~ /^min_us_per_run_step=/) { split($i, a, "="); print a[2] } }' "$tmp/npb.txt")
	awk -v n="$1" -v d="$2" -v q="$q" -v g="$g" -v s="$s" -v p="$p" -v o="$o" -v pk="$peak" 'BEGIN {
		q /= 1000; g /= 1000; s /= 1000; f = 4 * n * d / 1000
		printf "| n=%-3s | d=%-4s | %20.4f | %10.4f | %11.4f | %17.4f | %17.2fx | %18.2fx | %18.2f | %19.2f | %13.2f | %20.1f%% | %36.4f |\n",
			n, d, q, g, s, p, p / g, p / s, f / g, f / s, f / p, 100 * (f / s) / pk, o }'
done

echo "# load average after the kernels: $(cut -d' ' -f1-3 /proc/loadavg)"
fi


# --- 3. end to end -----------------------------------------------------------------------
if [ -z "${SKIP_E2E:-}" ] || [ -z "${SKIP_MEM:-}" ]; then
	echo "# go build -o $tmp/sweep ./cli" >&2
	go build -o "$tmp/sweep" ./cli
fi
# e2e NAME BINARY: runs the Even2023 sweep with BINARY and prints "seconds steps
# first_start_seconds". The state directory is first created by a one-point sweep, timed
# apart: the first sweep on a fresh state directory waits about 10 s for the embedded
# server (a one-time cost per state directory, not per sweep).
e2e() {
	local start end first
	printf 'name: warm\nseed: 1\nparams: {n: 5, d: 5, sparsity: 1, steps: 1, stepsize: 0.01}\n' > "$tmp/warm.yaml"
	start=$(date +%s.%N)
	"$2" run "$tmp/warm.yaml" --no-cache --state "$tmp/e2e-state-$1" --out "$tmp/warm-$1" > /dev/null 2> "$tmp/warm-$1.err" ||
		{ echo "bench/run.sh: the one-point sweep failed:" >&2; cat "$tmp/warm-$1.err" >&2; exit 1; }
	first=$(echo "$(date +%s.%N) - $start" | bc)
	echo "# $1: sweep run bench/even2023.yaml --no-cache --state STATE --out OUT" >&2
	start=$(date +%s.%N)
	"$2" run bench/even2023.yaml --no-cache --state "$tmp/e2e-state-$1" --out "$tmp/e2e-out-$1" > /dev/null 2> "$tmp/e2e-$1.err" ||
		{ cat "$tmp/e2e-$1.err" >&2; exit 1; }
	end=$(date +%s.%N)
	tail -1 "$tmp/e2e-$1.err" >&2
	echo "$(echo "$end - $start" | bc) $("$2" export "$tmp/e2e-out-$1/results.parquet" --csv 2>/dev/null |
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "steps") c = i; next } { t += $c } END { print t + 0 }') $first"
}
if [ -z "${SKIP_E2E:-}" ]; then
	e2e go "$tmp/sweep" > "$tmp/e2e-go.txt"
	read -r go_s go_steps go_first < "$tmp/e2e-go.txt"
	noasm_s="" noasm_steps="" noasm_first=""
	if [ -z "${SKIP_NOASM:-}" ]; then
		PHASESWEEP_NO_ASM=1 e2e noasm "$tmp/sweep" > "$tmp/e2e-noasm.txt"
		read -r noasm_s noasm_steps noasm_first < "$tmp/e2e-noasm.txt"
	fi
	echo "# $PYTHON bench/numpy_sweep.py" >&2
	"$PYTHON" bench/numpy_sweep.py | tee "$tmp/nps.txt" >&2
	np_s=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) { split($i, a, "="); print a[2] } }' "$tmp/nps.txt")
	np_steps=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^steps_total=/) { split($i, a, "="); print a[2] } }' "$tmp/nps.txt")
	printf '\n## 3. end to end: the Even2023 sweep, 60 runs x <= 10^5 steps (goal: numpy / go >= 20x)\n\n'
	printf '| | wall seconds | steps taken | numpy / this | first sweep on a fresh state dir (one point), s |\n|---|---:|---:|---:|---:|\n'
	awk -v s="$go_s" -v k="$go_steps" -v p="$np_s" -v f="$go_first" 'BEGIN { printf "| sweep run, default build (embedded server, 1 process; AVX2, gd in lockstep) | %.2f | %s | %.1fx | %.1f |\n", s, k, p / s, f }'
	if [ -n "$noasm_s" ]; then
		awk -v s="$noasm_s" -v k="$noasm_steps" -v p="$np_s" -v f="$noasm_first" 'BEGIN { printf "| sweep run, PHASESWEEP_NO_ASM=1 (portable kernels, no lockstep runs) | %.2f | %s | %.1fx | %.1f |\n", s, k, p / s, f }'
	fi
	printf '| numpy loop (1 process) | %.2f | %s | 1.0x | |\n' "$np_s" "$np_steps"
fi

# --- 4. memory ---------------------------------------------------------------------------
if [ -z "${SKIP_MEM:-}" ]; then
	printf '\n## 4. memory: peak RSS of sweep run (server + worker) against the number of points\n\n'
	printf '| points | chunks | wall seconds | peak RSS MB |\n|---:|---:|---:|---:|\n'
	for k in 1000 10000; do
		cat > "$tmp/tiny$k.yaml" <<-EOF
			name: tiny$k
			seed: 1
			params: {n: 5, d: 5, sparsity: 2, test: 5, steps: 20, optimizer: sgd}
			grid:
			  stepsize: {linspace: [0.001, 0.01], num: $((k / 10))}
			  seed: {range: 10}
		EOF
		/usr/bin/time -v "$tmp/sweep" run "$tmp/tiny$k.yaml" --no-cache --chunk 100 --state "$tmp/mem$k" --out "$tmp/memout$k" \
			> /dev/null 2> "$tmp/mem$k.err" || { cat "$tmp/mem$k.err" >&2; exit 1; }
		awk -v k="$k" '/Maximum resident set size/ { rss = $NF } /Elapsed \(wall clock\)/ { w = $NF }
			END { n = split(w, a, ":"); s = (n == 3) ? a[1] * 3600 + a[2] * 60 + a[3] : a[1] * 60 + a[2]
			printf "| %d | %d | %.1f | %.0f |\n", k, k / 100, s, rss / 1024 }' "$tmp/mem$k.err"
	done
fi
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
