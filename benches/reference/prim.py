#!/usr/bin/env python3
"""EMA workbench's PRIM on the cases the Rust core wrote, step by step.

    cargo test --release --test it experiments_reference:: -- --ignored
    python benches/reference/prim.py target/experiments-reference [CASE ...]

For each case (default: prim_planted, prim_noisy, prim_ties, prim_big) it
reads `<case>_cases.csv` (columns x1..xm and a 0/1 column y), runs
`ema_workbench.analysis.prim.Prim(x, y, threshold=0.5)` with its defaults
(peel_alpha = paste_alpha = mass_min = 0.05, LENIENT1), takes the peeling and
pasting trajectory of the first box (`find_box`), prints it, and compares it
with `<case>_rust_trajectory.csv`: the number of boxes, every coverage,
density, mass, n, k and restricted-dimension count, and every box limit must
be equal (floats within 1e-12; they are in fact bitwise equal). Exits non-zero
on a difference.

The columns are cast to float64 (EMA peels float columns by quantiles and
integer columns differently; the Rust port handles real-valued columns).
"""
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")
from ema_workbench.analysis import prim as ema_prim  # noqa: E402


def ema_trajectory(x, y):
    alg = ema_prim.Prim(x, y, threshold=0.5)
    box = alg.find_box()
    if len(box.peeling_trajectory) == 1 and box.mean < 0.5:
        # find_box returned its "dump box" (final density below the threshold):
        # rerun its two phases, which is what find_box did before that check.
        box = ema_prim.PrimBox(alg, alg.box_init, alg.yi_remaining[:])
        box = alg._paste(alg._peel(box))
    traj = box.peeling_trajectory
    rows = []
    for i in range(len(traj)):
        lims = box.box_lims[i]
        row = [traj["coverage"][i], traj["density"][i], traj["mass"][i], traj["n"][i], traj["k"][i],
               traj["res_dim"][i]]
        for c in x.columns:
            row += [lims[c][0], lims[c][1]]
        rows.append(row)
    return np.array(rows, dtype=float)


def main(directory, cases):
    root = Path(directory)
    failed = []
    for case in cases:
        data = pd.read_csv(root / f"{case}_cases.csv", float_precision="round_trip")
        y = data.pop("y").to_numpy().astype(int)
        x = data.astype(np.float64)
        t = time.perf_counter()
        ema = ema_trajectory(x, y)
        elapsed = time.perf_counter() - t
        rust_path = root / f"{case}_rust_trajectory.csv"
        print(f"== {case}: {len(x)} cases, {x.shape[1]} columns, {int(y.sum())} of interest; "
              f"EMA workbench {elapsed:.2f}s")
        print(f"{'step':>4} {'coverage':>9} {'density':>9} {'mass':>7} {'res':>3}  limits of restricted columns")
        init = ema[0, 6:]
        for i, row in enumerate(ema):
            lims = row[6:].reshape(-1, 2)
            restricted = [f"{c} [{lo:.4f}, {hi:.4f}]" for c, (lo, hi), (a, b)
                          in zip(x.columns, lims, init.reshape(-1, 2)) if (lo, hi) != (a, b)]
            print(f"{i:>4} {row[0]:>9.4f} {row[1]:>9.4f} {row[2]:>7.4f} {int(row[5]):>3}  {', '.join(restricted)}")
        if rust_path.exists():
            rust = np.loadtxt(rust_path, delimiter=",", skiprows=1, ndmin=2)
            if rust.shape != ema.shape:
                print(f"   DIFFERENT: Rust has {rust.shape[0]} boxes, EMA workbench {ema.shape[0]}")
                failed.append(case)
                continue
            diff = np.max(np.abs(rust - ema))
            bitwise = np.array_equal(rust, ema)
            print(f"   Rust trajectory: {rust.shape[0]} boxes, max |rust - ema| = {diff:.3g}"
                  f"{' (bitwise equal)' if bitwise else ''}")
            if diff > 1e-12:
                failed.append(case)
        print()
    if failed:
        print("FAILED:", ", ".join(failed))
        return 1
    print("all trajectories agree")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    directory = args[0] if args else "target/experiments-reference"
    cases = args[1:] or ["prim_planted", "prim_noisy", "prim_ties", "prim_big"]
    sys.exit(main(directory, cases))
