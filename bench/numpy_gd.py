#!/usr/bin/env python3
"""numpy reference for the gd/sgd step of pkg/dynamics (uv model), for bench/run.sh.

The loop below is the update of docs/science.md sections 1-3 written plainly, the way a
researcher would write it in numpy (arrays, @ products, no numba), with the same work per
step as one iteration of BenchmarkGDStep / BenchmarkSGDStep in pkg/dynamics/bench_test.go:

    r    = X beta - y                      (full residual)
    loss = ||r||^2 / (2n)                  (full training loss, every step)
    g    = X^T r / n                       (gd)   or X_B^T r_B / b, B a size-b subset (sgd)
    u, v = u - gamma v g, v - gamma u g    (both from the old u, v)
    gain += -log|1 - (gamma g)^2|          (Even2023)
    beta = u v

With --minimal it times only the gd update itself (r = X beta - y, g = X^T r/n, the u, v
update, beta = u v: no loss, no gain), the least a numpy loop can do per step; its lines are
labelled "gd-min". The Go step does more than that (loss, gain, skew and max |gamma g|), so
the ratio to it is a lower bound of the ratio for the same work.

Shapes as in the Go benchmark: (n, d) = (20, 30) and (40, 100), alpha = 0.1, gamma = 0.01,
sparsity 3, sgd batch 5. Prints one line per case: "<opt> n=<n> d=<d> <us/step> ..." as
the minimum and median over --repeats timed runs of --steps steps each.

Run with Debian's numpy: /usr/bin/python3 bench/numpy_gd.py
"""
import argparse
import statistics
import time

import numpy as np


def make_data(n, d, s, seed):
    rng = np.random.default_rng(seed)
    beta_star = np.zeros(d)
    beta_star[:s] = rng.standard_normal(s)
    X = rng.standard_normal((n, d))
    y = X @ beta_star
    return X, y


def run(X, y, opt, steps, gamma=0.01, alpha=0.1, batch=5, seed=8):
    """Trains the uv model for `steps` steps; returns (seconds, final loss)."""
    n, d = X.shape
    rng = np.random.default_rng(seed)
    u = np.full(d, np.sqrt(2) * alpha)
    v = np.zeros(d)
    gain = np.zeros(d)
    beta = u * v
    int_loss = 0.0
    t0 = time.perf_counter()
    for _ in range(steps):
        r = X @ beta - y
        loss = r @ r / (2 * n)
        int_loss += gamma * loss
        if opt == "gd":
            g = X.T @ r / n
        else:
            B = rng.choice(n, size=batch, replace=False)
            g = X[B].T @ r[B] / batch
        u, v = u - gamma * v * g, v - gamma * u * g
        gain += -np.log(np.abs(1 - (gamma * g) ** 2))
        beta = u * v
    t1 = time.perf_counter()
    r = X @ beta - y
    return t1 - t0, r @ r / (2 * n)


def run_minimal(X, y, steps, gamma=0.01, alpha=0.1):
    """The gd update alone (no loss, no gain); returns (seconds, final loss)."""
    n, d = X.shape
    u = np.full(d, np.sqrt(2) * alpha)
    v = np.zeros(d)
    beta = u * v
    t0 = time.perf_counter()
    for _ in range(steps):
        r = X @ beta - y
        g = X.T @ r / n
        u, v = u - gamma * v * g, v - gamma * u * g
        beta = u * v
    t1 = time.perf_counter()
    r = X @ beta - y
    return t1 - t0, r @ r / (2 * n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=50000, help="steps per timed run")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per case")
    ap.add_argument("--minimal", action="store_true", help="also time the gd update alone (gd-min)")
    args = ap.parse_args()
    opts = ("gd", "sgd", "gd-min") if args.minimal else ("gd", "sgd")
    for opt in opts:
        for n, d in ((20, 30), (40, 100)):
            X, y = make_data(n, d, 3, seed=7)
            timed = run_minimal if opt == "gd-min" else lambda X, y, steps: run(X, y, opt, steps)
            timed(X, y, min(2000, args.steps))  # warm-up
            times = []
            for _ in range(args.repeats):
                secs, loss = timed(X, y, args.steps)
                if not np.isfinite(loss):
                    raise SystemExit(f"{opt} n={n} d={d}: run diverged (loss {loss})")
                times.append(secs / args.steps * 1e6)
            print(f"{opt} n={n} d={d} min_us_per_step={min(times):.3f} "
                  f"median_us_per_step={statistics.median(times):.3f} steps={args.steps} "
                  f"repeats={args.repeats}", flush=True)


if __name__ == "__main__":
    main()
