#!/usr/bin/env python3
"""numpy reference for the lockstep gd step of pkg/dynamics (uv model), for bench/run.sh.

B runs on one dataset (different stepsizes), vectorised over the runs the way a researcher
would write it in numpy: beta, u, v, gain are d x B arrays and the products are matrix
products (BLAS dgemm). The same work per run-step as one column of BenchmarkLockstepStep in
pkg/dynamics/lockstep_bench_test.go:

    R    = X Beta - y                      (n x B residuals)
    loss = sum_i R_ib^2 / (2n)             (every step)
    G    = X^T R / n                       (d x B gradients)
    U, V = U - gamma V G, V - gamma U G    (both from the old U, V; gamma one per column)
    gain += -log|1 - (gamma G)^2|          (Even2023)
    Beta = U V

Shapes as the Go benchmark: B = 64 at (n, d) = (40, 100) and (100, 1000), alpha = 0.1,
stepsizes log-spaced over [1e-3, 1e-2]. Also measures the machine's dgemm peak: the best
of a few 4000 x 4000 products (numpy's BLAS, all its threads). Prints one line per case:

    lockstep gd n=40 d=100 B=64 min_us_per_run_step=.. median_us_per_run_step=.. gflops=..
    peak dgemm n=4000 gflops=..
    blas <library numpy loaded>

Run with Debian's numpy: /usr/bin/python3 bench/numpy_lockstep.py
"""
import argparse
import statistics
import time

import numpy as np


def blas_library():
    """Returns the BLAS shared object numpy loaded (from /proc/self/maps)."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in path.lower() or "lapack" in path.lower():
                libs.add(path)
    return ",".join(sorted(libs)) or "unknown"


def run(n, d, width, steps, alpha=0.1):
    """Trains width runs for steps steps; returns (seconds, final losses)."""
    rng = np.random.default_rng(7)
    beta_star = np.zeros(d)
    beta_star[:3] = rng.standard_normal(3)
    X = rng.standard_normal((n, d))
    y = (X @ beta_star)[:, None]
    gamma = np.logspace(-3, -2, width)
    U = np.full((d, width), np.sqrt(2) * alpha)
    V = np.zeros((d, width))
    gain = np.zeros((d, width))
    Beta = U * V
    int_loss = np.zeros(width)
    t0 = time.perf_counter()
    for _ in range(steps):
        R = X @ Beta - y
        loss = np.einsum("ib,ib->b", R, R) / (2 * n)
        int_loss += gamma * loss
        G = X.T @ R / n
        gG = gamma * G
        U, V = U - gG * V, V - gG * U
        gain -= np.log(np.abs(1 - gG * gG))
        Beta = U * V
    t1 = time.perf_counter()
    R = X @ Beta - y
    return t1 - t0, np.einsum("ib,ib->b", R, R) / (2 * n)


def products(n, d, width, seconds=1.0, repeats=3):
    """Best us per run-step of the two BLAS products alone (X @ B and X^T @ R, OpenBLAS
    dgemm on both cores): what a BLAS build of the lockstep kernel could at best spend on them."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((n, d))
    B = rng.standard_normal((d, width))
    R = rng.standard_normal((n, width))
    X @ B, X.T @ R  # warm-up
    best = float("inf")
    for _ in range(repeats):
        k, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds / repeats:
            X @ B
            X.T @ R
            k += 1
        best = min(best, (time.perf_counter() - t0) / k / width * 1e6)
    return best


def peak(size=4000, repeats=3):
    """Best GFLOP/s of a size x size dgemm."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    a @ b  # warm-up
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - t0) / 1e9)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.0, help="target seconds per timed run")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per case")
    ap.add_argument("--width", type=int, default=64, help="runs advanced in lockstep (B)")
    args = ap.parse_args()
    print(f"blas {blas_library()}", flush=True)
    for n, d in ((40, 100), (100, 1000)):
        secs, _ = run(n, d, args.width, 20)  # warm-up, and sizes the timed runs
        steps = max(20, int(args.seconds / (secs / 20)))
        times = []
        for _ in range(args.repeats):
            secs, loss = run(n, d, args.width, steps)
            if not np.all(np.isfinite(loss)):
                raise SystemExit(f"lockstep n={n} d={d}: a run diverged")
            times.append(secs / steps / args.width * 1e6)
        med = statistics.median(times)
        print(f"lockstep gd n={n} d={d} B={args.width} min_us_per_run_step={min(times):.4f} "
              f"median_us_per_run_step={med:.4f} gflops={4 * n * d / (med * 1e3):.2f} "
              f"steps={steps} repeats={args.repeats}", flush=True)
    for n, d in ((40, 100), (100, 1000)):
        us = products(n, d, args.width)
        print(f"products n={n} d={d} B={args.width} min_us_per_run_step={us:.4f} "
              f"gflops={4 * n * d / (us * 1e3):.2f}", flush=True)
    print(f"peak dgemm n=4000 gflops={peak():.1f}", flush=True)


if __name__ == "__main__":
    main()
