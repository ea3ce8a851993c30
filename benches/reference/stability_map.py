"""Workload 1 reference: the stability map of a two-actor continuous loop
with NumPy's batched `eigvals`, the way an analyst would compute it.

At every grid point (k, l) the Jacobian is M = [[-a, γk], [γl, -b]]; its
spectral abscissa α = max Re λ gives the verdict with the tolerance of
`escalation` (src/analysis): marginal when |α| ≤ 1e-9 · s, with
s = max_i (a_i + |γ| Σ_j |K_ij|), stable below, explosive above.

    python benches/reference/stability_map.py benches/scenarios/richardson.toml \
        --k 0:1:1000 --l 0:1:1000

Equivalent to `escalation sweep benches/scenarios/richardson.toml
--param coupling.X.Y=0:1:1000 --param coupling.Y.X=0:1:1000 --summary`.
Prints the same JSON summary plus the seconds spent computing.
"""

import argparse
import json
import time
import tomllib

import numpy as np

TOL = 1e-9


def axis(spec):
    start, stop, count = spec.split(":")
    return np.linspace(float(start), float(stop), int(count))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--k", default="0:1:1000", help="coupling X→Y (row X, column Y): START:STOP:COUNT")
    ap.add_argument("--l", default="0:1:1000", help="coupling Y→X: START:STOP:COUNT")
    ap.add_argument("--chunk", type=int, default=250_000, help="points per eigvals call")
    args = ap.parse_args()
    with open(args.scenario, "rb") as f:
        sc = tomllib.load(f)
    a, b = (act["restraint"] for act in sc["actor"])
    gain = sc.get("gain", 1.0)
    t0 = time.perf_counter()
    kk, ll = np.meshgrid(axis(args.k), axis(args.l), indexing="ij")
    kk, ll = kk.ravel(), ll.ravel()
    counts = {"stable": 0, "marginal": 0, "explosive": 0}
    for s in range(0, kk.size, args.chunk):
        k, l = kk[s:s + args.chunk], ll[s:s + args.chunk]
        m = np.empty((k.size, 2, 2))
        m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = -a, gain * k, gain * l, -b
        alpha = np.linalg.eigvals(m).real.max(axis=1)
        scale = np.maximum(a + abs(gain) * np.abs(k), b + abs(gain) * np.abs(l))
        tol = TOL * scale
        counts["explosive"] += int(np.count_nonzero(alpha > tol))
        counts["stable"] += int(np.count_nonzero(alpha < -tol))
        counts["marginal"] += int(np.count_nonzero(np.abs(alpha) <= tol))
    secs = time.perf_counter() - t0
    print(json.dumps({"points": int(kk.size), **counts, "seconds": secs}))


if __name__ == "__main__":
    main()
