#!/usr/bin/env python3
"""SALib 1.6 (and scipy's Sobol' engine) on the matrices the Rust core wrote.

    cargo test --release --test it experiments_reference:: -- --ignored
    python benches/reference/sensitivity.py target/experiments-reference

Checks, and exits non-zero when one fails:
  * the unscrambled Sobol' points equal scipy.stats.qmc.Sobol(d, scramble=False)
    bit for bit (16 dimensions x 8192 points, 1024 dimensions x 64 points);
  * the unscrambled Saltelli design equals SALib.sample.sobol.sample(problem, N,
    calc_second_order=False, scramble=False) bit for bit;
  * the scrambled designs have SALib's row layout (A, AB_1..AB_D, B);
  * SALib.analyze.sobol.analyze(calc_second_order=False) on the same outputs
    gives S1 and ST within 1e-10 of the Rust values;
  * SALib.analyze.morris.analyze(num_levels=4) on the same X and Y gives mu,
    mu_star and sigma within 1e-10 of the Rust values.
The bootstrap intervals are not compared: the resampling generators differ.
Timings of SALib's sample and analyze (1000 resamples) on the same N are
printed next to the Rust timings.
"""
import csv
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import qmc
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

TOL = 1e-10


def load(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def header(path):
    with open(path) as f:
        return next(csv.reader(f))


def problem(bounds):
    d = bounds.shape[0]
    return {"num_vars": d, "names": [f"x{i + 1}" for i in range(d)], "bounds": bounds.tolist()}


def main(directory):
    root = Path(directory)
    failures = []
    rust_times = {}
    for row in csv.DictReader(open(root / "rust_timings.csv")):
        rust_times[(row["case"], row["step"])] = float(row["seconds"])

    for name in ["sobol_8192x16", "sobol_64x1024"]:
        pts = load(root / f"{name}.csv")
        ref = qmc.Sobol(pts.shape[1], scramble=False).random(pts.shape[0])
        diff = np.max(np.abs(pts - ref))
        print(f"{name}: max |rust - scipy| = {diff:.3g}")
        if diff != 0.0:
            failures.append(name)

    plain = load(root / "saltelli_plain_X.csv")
    ref = sobol_sample.sample(problem(np.array([[-np.pi, np.pi]] * 3)), 64,
                              calc_second_order=False, scramble=False)
    diff = np.max(np.abs(plain - ref))
    print(f"unscrambled Saltelli design (N=64, D=3): max |rust - SALib| = {diff:.3g}")
    if diff != 0.0:
        failures.append("saltelli_plain")

    print()
    print(f"{'case':<10} {'N':>6} {'D':>2}  {'max|dS1|':>9} {'max|dST|':>9}  "
          f"{'SALib sample':>12} {'SALib analyze':>13}  {'Rust design':>11} {'Rust analyze':>12}")
    for name in ["ishigami", "gfunc8"]:
        X = load(root / f"{name}_X.csv")
        Y = load(root / f"{name}_Y.csv")[:, 0]
        rust = load(root / f"{name}_rust.csv")
        bounds = load(root / f"{name}_bounds.csv")
        d = bounds.shape[0]
        n = X.shape[0] // (d + 2)
        blocks = X.reshape(n, d + 2, d)
        A, B = blocks[:, 0, :], blocks[:, d + 1, :]
        for i in range(d):
            expect = A.copy()
            expect[:, i] = B[:, i]
            if not np.array_equal(blocks[:, 1 + i, :], expect):
                failures.append(f"{name} layout AB_{i + 1}")
        prob = problem(bounds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            sobol_sample.sample(prob, n, calc_second_order=False, seed=1)
            t_sample = time.perf_counter() - t
            t = time.perf_counter()
            si = sobol_analyze.analyze(prob, Y, calc_second_order=False, num_resamples=1000, seed=1)
            t_analyze = time.perf_counter() - t
        d1 = np.max(np.abs(si["S1"] - rust[:, 0]))
        dt = np.max(np.abs(si["ST"] - rust[:, 1]))
        print(f"{name:<10} {n:>6} {d:>2}  {d1:>9.2e} {dt:>9.2e}  {t_sample:>11.3f}s {t_analyze:>12.3f}s  "
              f"{rust_times[(name, 'design')]:>10.4f}s {rust_times[(name, 'analyze_1000_resamples')]:>11.4f}s")
        for i in range(d):
            print(f"    x{i + 1}: S1 SALib {si['S1'][i]: .6f} Rust {rust[i, 0]: .6f} (conf {si['S1_conf'][i]:.4f} vs "
                  f"{rust[i, 2]:.4f}); ST SALib {si['ST'][i]: .6f} Rust {rust[i, 1]: .6f} "
                  f"(conf {si['ST_conf'][i]:.4f} vs {rust[i, 3]:.4f})")
        if d1 > TOL or dt > TOL:
            failures.append(name)

    print()
    for name in ["morris_ishigami", "morris_gfunc8"]:
        X = load(root / f"{name}_X.csv")
        Y = load(root / f"{name}_Y.csv")[:, 0]
        rust = load(root / f"{name}_rust.csv")
        bounds = load(root / f"{name}_bounds.csv")
        t = time.perf_counter()
        si = morris_analyze.analyze(problem(bounds), X, Y, num_levels=4, num_resamples=1000, seed=1)
        t_analyze = time.perf_counter() - t
        diffs = [np.max(np.abs(np.asarray(si[k], dtype=float) - rust[:, j]))
                 for j, k in enumerate(["mu", "mu_star", "sigma"])]
        print(f"{name}: max |d mu| {diffs[0]:.2e}, |d mu*| {diffs[1]:.2e}, |d sigma| {diffs[2]:.2e}; "
              f"SALib analyze {t_analyze:.3f}s, Rust design+evaluate+analyze "
              f"{rust_times[(name, 'design_evaluate_analyze')]:.4f}s")
        if max(diffs) > TOL:
            failures.append(name)

    print()
    if failures:
        print("FAILED:", ", ".join(failures))
        return 1
    print("all checks passed (tolerance 1e-10)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/experiments-reference"))
