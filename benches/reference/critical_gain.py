"""Workload 2 reference: critical gains of many random systems with NumPy,
by the algorithms of `escalation::analysis` (src/analysis/critical.rs and
sampled.rs), in two styles:

* `loop`: one system at a time, a line-by-line translation of the Rust code;
* `control`: the loop, with python-control's `c2d` for the zero-order hold;
* `batched`: the same algorithm vectorized across systems (NumPy's batched
  `eigvals`, masks for the systems still searching), as an analyst who knows
  NumPy would write it.

Part `perron`: γ* = 1/ρ(A⁻¹K) for 10,000 random non-negative 10-actor systems.
Part `sampled`: the sampled-data critical gain of 1,000 random 5-actor
systems under a controller with period 1 day, lag 2 and derivative 2 days:
scan the gain upward from half the guaranteed-stable gain in steps of 2%
until the companion matrix's spectral radius exceeds 1 + 1e-9, then bisect
on ρ > 1 to machine precision.

The random systems come from a counter-based SplitMix64 stream, the same in
benches/critical_gain.rs, so both sides solve the same systems and print the
same checksum (the sum of the critical gains).

    python benches/reference/critical_gain.py --part perron --mode batched
    python benches/reference/critical_gain.py --part sampled --mode loop
"""

import argparse
import json
import time

import numpy as np

MARGINAL = 1e-9
GAIN_SPAN, GAIN_STEP = 1e4, 1.02
EPS = np.finfo(float).eps
MASK = (1 << 64) - 1


def uniforms(seed, count):
    """SplitMix64 outputs for counters 1..count, as uniforms in [0, 1)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def systems(seed, count, n):
    """Restraints in [0.2, 1) and couplings in [0, 0.3), zero diagonal."""
    per = n + n * (n - 1)
    u = uniforms(seed, count * per).reshape(count, per)
    a = 0.2 + 0.8 * u[:, :n]
    k = np.zeros((count, n, n))
    off = ~np.eye(n, dtype=bool)
    k[:, off] = 0.3 * u[:, n:]
    return a, k


# --- Part 1: Perron critical gain -------------------------------------------

def perron_loop(a, k):
    out = np.empty(len(a))
    for s in range(len(a)):
        b = k[s] / a[s][:, None]
        rho = np.abs(np.linalg.eigvals(b)).max()
        out[s] = 1.0 / rho if rho > 0 else np.nan
    return out


def perron_batched(a, k):
    rho = np.abs(np.linalg.eigvals(k / a[:, :, None])).max(axis=1)
    with np.errstate(divide="ignore"):
        return np.where(rho > 0, 1.0 / rho, np.nan)


# --- Part 2: sampled-data critical gain -------------------------------------

def zoh_control(a, period):
    """Φ = e^{-AΔ} and Γ = ∫₀^Δ e^{-As} ds of one system with python-control."""
    import control

    n = a.size
    sys_d = control.c2d(control.ss(np.diag(-a), np.eye(n), np.eye(n), np.zeros((n, n))), period, method="zoh")
    return np.diag(sys_d.A)[None, :], np.diag(sys_d.B)[None, :]


def companion(a, k, gain, period, lag, r, zoh=None):
    """Companion matrices, batched over the leading axis (see sampled.rs)."""
    m_sys, n = a.shape
    depth = lag + (1 if r > 0 else 0)
    dim = n * (depth + 1)
    if zoh is None:
        phi = np.exp(-a * period)
        gam = -np.expm1(-a * period) / a
    else:
        phi, gam = zoh
    m = np.zeros((m_sys, dim, dim))
    idx = np.arange(n)
    m[:, idx, idx] = phi
    b = gain[:, None, None] * gam[:, :, None] * k
    m[:, :n, lag * n:(lag + 1) * n] += (1.0 + r) * b
    if r > 0:
        m[:, :n, (lag + 1) * n:(lag + 2) * n] -= r * b
    rows = np.arange(n, dim)
    m[:, rows, rows - n] = 1.0
    return m


def radius(a, k, gain, ctl):
    return np.abs(np.linalg.eigvals(companion(a, k, gain, *ctl))).max(axis=1)


def safe_gain(a, k, r):
    rho_abs = np.abs(np.linalg.eigvals(np.abs(k) / a[:, :, None])).max(axis=1)
    return 1.0 / ((1.0 + 2.0 * r) * rho_abs)


def sampled_loop(a, k, ctl, use_control=False):
    r = ctl[2]
    out = np.full(len(a), np.nan)
    for s in range(len(a)):
        aa, kk = a[s:s + 1], k[s:s + 1]
        rho_abs = np.abs(np.linalg.eigvals(np.abs(kk[0]) / aa[0][:, None])).max()
        if rho_abs <= 0:
            continue
        safe = 1.0 / ((1.0 + 2.0 * r) * rho_abs)
        zoh = zoh_control(a[s], ctl[0]) if use_control else None
        rho = lambda g: np.abs(np.linalg.eigvals(companion(aa, kk, np.array([g]), *ctl, zoh=zoh)[0])).max()
        lo = g = 0.5 * safe
        hi = None
        while g <= safe * GAIN_SPAN:
            g *= GAIN_STEP
            if rho(g) > 1.0 + MARGINAL:
                hi = g
                break
            lo = g
        if hi is None:
            continue
        for _ in range(200):
            if hi - lo <= 4.0 * EPS * hi:
                break
            mid = 0.5 * (lo + hi)
            if rho(mid) > 1.0:
                hi = mid
            else:
                lo = mid
        out[s] = 0.5 * (lo + hi)
    return out


def sampled_batched(a, k, ctl):
    r = ctl[2]
    safe = safe_gain(a, k, r)
    lo = 0.5 * safe
    g = lo.copy()
    hi = np.full(len(a), np.nan)
    searching = np.ones(len(a), bool)
    while searching.any():
        s = np.flatnonzero(searching)
        g[s] *= GAIN_STEP
        over = g[s] > safe[s] * GAIN_SPAN
        boom = radius(a[s], k[s], g[s], ctl) > 1.0 + MARGINAL
        hi[s[boom & ~over]] = g[s[boom & ~over]]
        lo[s[~boom & ~over]] = g[s[~boom & ~over]]
        searching[s[boom | over]] = False
    found = ~np.isnan(hi)
    for _ in range(200):
        s = np.flatnonzero(found & ~(hi - lo <= 4.0 * EPS * hi))
        if s.size == 0:
            break
        mid = 0.5 * (lo[s] + hi[s])
        up = radius(a[s], k[s], mid, ctl) > 1.0
        hi[s[up]] = mid[up]
        lo[s[~up]] = mid[~up]
    return np.where(found, 0.5 * (lo + hi), np.nan)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["perron", "sampled"], required=True)
    ap.add_argument("--mode", choices=["loop", "batched", "control"], default="batched",
                    help="control: the loop with python-control's c2d for the ZOH (sampled part)")
    ap.add_argument("--systems", type=int, default=None)
    args = ap.parse_args()
    if args.part == "perron":
        count = args.systems or 10_000
        a, k = systems(1, count, 10)
        f = perron_batched if args.mode == "batched" else perron_loop
        t0 = time.perf_counter()
        g = f(a, k)
    else:
        count = args.systems or 1_000
        a, k = systems(2, count, 5)
        ctl = (1.0, 2, 2.0)  # period (days), lag (periods), τ_D/Δ
        f = {
            "loop": sampled_loop,
            "control": lambda a, k, c: sampled_loop(a, k, c, use_control=True),
            "batched": sampled_batched,
        }[args.mode]
        t0 = time.perf_counter()
        g = f(a, k, ctl)
    secs = time.perf_counter() - t0
    print(json.dumps({
        "workload": f"critical_gain/{args.part}",
        "mode": args.mode,
        "systems": count,
        "seconds": secs,
        "checksum": float(np.nansum(g)),
        "none": int(np.isnan(g).sum()),
        "first": [float(x) for x in g[:3]],
    }))


if __name__ == "__main__":
    main()
