#!/usr/bin/env python3
"""numpy counterpart of the Even2023 sweep bench/even2023.yaml, for bench/run.sh.

Loops over the same runs as `sweep run bench/even2023.yaml`: optimizer gd and sgd (batch 1)
x 30 stepsizes log-spaced over [0.005, 0.8], 10^5 steps at most, n = 20, d = 30, s = 3,
alpha = 0.1, 1000 test samples, one after the other in one process. Each run is the loop of
bench/numpy_gd.py (residual, loss, gradient, update, gain every step) with the stopping
rules of pkg/dynamics: stop when the loss is below stop_loss = 1e-9 (converged), above
1e10 times the initial loss or non-finite (diverged), or after 10^5 steps; then it computes
the test loss. The data are numpy's draws of the same distribution (not Go's bits), so the
step counts differ slightly from the Go sweep's; the script prints its total steps so the
two can be compared.

Prints: "sweep runs=60 steps_total=.. seconds=.. converged=.. diverged=.. max_steps=.."
Run with Debian's numpy: /usr/bin/python3 bench/numpy_sweep.py
"""
import argparse
import time

import numpy as np


def run(X, y, Xt, yt, opt, gamma, steps, rng, alpha=0.1, batch=1, stop_loss=1e-9):
    """One run; returns (status, steps taken, test loss)."""
    n, d = X.shape
    u = np.full(d, np.sqrt(2) * alpha)
    v = np.zeros(d)
    gain = np.zeros(d)
    beta = u * v
    r = X @ beta - y
    loss = r @ r / (2 * n)
    limit = 1e10 * loss if loss > 0 else np.inf
    int_loss = 0.0
    status, k = "max_steps", 0
    while True:
        if not np.isfinite(loss) or loss > limit:
            status = "diverged"
            break
        if loss < stop_loss:
            status = "converged"
            break
        if k >= steps:
            break
        int_loss += gamma * loss
        if opt == "gd":
            g = X.T @ r / n
        else:
            B = rng.choice(n, size=batch, replace=False)
            g = X[B].T @ r[B] / batch
        u, v = u - gamma * v * g, v - gamma * u * g
        gain += -np.log(np.abs(1 - (gamma * g) ** 2))
        beta = u * v
        k += 1
        r = X @ beta - y
        loss = r @ r / (2 * n)
    rt = Xt @ beta - yt
    return status, k, rt @ rt / (2 * len(yt))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100000, help="maximum steps per run")
    ap.add_argument("--num", type=int, default=30, help="stepsizes")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    n, d, s = 20, 30, 3
    beta_star = np.zeros(d)
    beta_star[:s] = rng.standard_normal(s)
    X = rng.standard_normal((n, d))
    Xt = rng.standard_normal((1000, d))
    y, yt = X @ beta_star, Xt @ beta_star
    counts = {"converged": 0, "diverged": 0, "max_steps": 0}
    total = 0
    t0 = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for opt in ("gd", "sgd"):
            for gamma in np.logspace(np.log10(0.005), np.log10(0.8), args.num):
                status, k, _ = run(X, y, Xt, yt, opt, gamma, args.steps, np.random.default_rng(2))
                counts[status] += 1
                total += k
    secs = time.perf_counter() - t0
    print(f"sweep runs={2 * args.num} steps_total={total} seconds={secs:.2f} "
          f"converged={counts['converged']} diverged={counts['diverged']} max_steps={counts['max_steps']}",
          flush=True)


if __name__ == "__main__":
    main()
