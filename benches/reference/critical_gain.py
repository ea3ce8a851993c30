"""Workload 2 reference: critical gains of many random systems with NumPy.

Two algorithms, each in two styles:

* `--algorithm crate` (the default): the algorithms of `escalation::analysis`
  (src/analysis/perron.rs, schur_cohn.rs, sampled.rs), line by line:
  - Perron: power iteration on B⁴, B = A⁻¹K scaled by a power of two,
    certified by the Collatz–Wielandt bounds, retried on B + I, with the
    eigenvalues as the fallback;
  - sampled: the companion's characteristic polynomial expanded once in
    powers of the gain (principal minors), a 2% scan and a bisection that
    ask the Schur–Cohn test whether ρ(γ) reaches 1, and the crossing
    certified by the companion's eigenvalues at γ(1 ± 10⁻¹¹).
* `--algorithm eigvals`: what the crate did before, and what an analyst
  would write first: ρ from `np.linalg.eigvals` (for the sampled gain, of
  the companion matrix at every step of the same scan and bisection).

and `--mode loop` (one system at a time, as the crate does) or
`--mode batched` (vectorized across systems: NumPy's batched `eigvals`,
masks for the systems still searching). `--mode control` is the
eigenvalue loop with python-control's `c2d` for the zero-order hold.

Part `perron`: γ* = 1/ρ(A⁻¹K) for 10,000 random non-negative 10-actor systems.
Part `sampled`: the sampled-data critical gain of 1,000 random 5-actor
systems under a controller with period 1 day, lag 2 and derivative 2 days:
scan the gain upward from half the guaranteed-stable gain in steps of 2%
until the spectral radius exceeds 1 + 1e-9, then bisect on ρ > 1 to
machine precision.

The random systems come from a counter-based SplitMix64 stream, the same in
benches/critical_gain.rs, so both sides solve the same systems and print the
same checksum (the sum of the critical gains).

    python benches/reference/critical_gain.py --part perron --mode batched
    python benches/reference/critical_gain.py --part sampled --mode loop --algorithm eigvals
"""

import argparse
import itertools
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
    found = np.flatnonzero(~np.isnan(hi))
    out = np.full(len(a), np.nan)
    out[found] = bisect_eig(a[found], k[found], lo[found], hi[found], ctl)
    return out



# --- The crate's algorithms ---------------------------------------------------

PERRON_TOL = 1e-13
PERRON_STEPS = 400
CERTIFY = (1e-11, 1e-7, 1e-4)


def power_iterate(b, shift, tol):
    """src/analysis/perron.rs `iterate`: ρ(B + shift·I) or None."""
    x = np.ones(len(b))
    x_max, previous, checkpoint = 1.0, np.inf, np.inf
    for step in range(PERRON_STEPS):
        y = b @ x + shift * x
        y_max = y.max()
        if not (np.isfinite(y_max) and y_max > 0):
            return None
        mu = y_max / x_max
        if abs(mu - previous) <= tol * mu or step % 16 == 15:
            if not (x > 0).all():
                return None
            r = y / x
            lo, hi = r.min(), r.max()
            if not (lo > 0 and np.isfinite(hi)):
                return None
            if hi - lo <= tol * hi:
                return 0.5 * (lo + hi)
            if step % 16 == 15:
                width = (hi - lo) / hi
                if width > 0.5 * checkpoint:
                    return None
                checkpoint = width
        previous = mu
        e = np.frexp(y_max)[1]
        if not (64 - 1022 <= e <= 1984 - 1022):
            return None
        scale = 2.0 ** (1 - e)
        x, x_max = y * scale, y_max * scale
    return None


def pow2_scale(largest):
    """2^(1−e) for largest = m·2^e, m ∈ [½, 1): brings it into [1, 2)."""
    e = np.frexp(largest)[1]
    ok = np.isfinite(largest) & (64 - 1022 <= e) & (e <= 1984 - 1022)
    return np.where(ok, 2.0 ** (1 - e.astype(float)), np.nan)


def perron_root(b):
    """src/analysis/perron.rs `perron_root` with the eigenvalue fallback."""
    scale = pow2_scale(b.max())
    if np.isfinite(scale):
        bs = b * scale
        square = bs @ bs
        r4 = power_iterate(square @ square, 0.0, 4 * PERRON_TOL)
        if r4 is not None:
            return np.sqrt(np.sqrt(r4)) / scale
        r = power_iterate(bs, 1.0, PERRON_TOL)
        if r is not None:
            return max(r - 1.0, 0.0) / scale
    return np.abs(np.linalg.eigvals(b)).max()


def power_batched(b, shift, tol):
    """`power_iterate` vectorized across systems; NaN where it gives up."""
    count, n = b.shape[:2]
    out = np.full(count, np.nan)
    idx = np.arange(count)
    x = np.ones((count, n))
    x_max = np.ones(count)
    previous = np.full(count, np.inf)
    checkpoint = np.full(count, np.inf)
    for step in range(PERRON_STEPS):
        if idx.size == 0:
            break
        y = np.einsum("sij,sj->si", b, x) + shift * x
        y_max = y.max(axis=1)
        bad = ~(np.isfinite(y_max) & (y_max > 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = y_max / x_max
        check = ~bad & ((np.abs(mu - previous) <= tol * mu) | (step % 16 == 15))
        done = bad.copy()
        c = np.flatnonzero(check)
        if c.size:
            xc, yc = x[c], y[c]
            with np.errstate(divide="ignore", invalid="ignore"):
                r = yc / xc
            lo, hi = r.min(axis=1), r.max(axis=1)
            pos = (xc > 0).all(axis=1) & (lo > 0) & np.isfinite(hi)
            ok = pos & (hi - lo <= tol * hi)
            out[idx[c[ok]]] = 0.5 * (lo[ok] + hi[ok])
            fail = ~pos
            if step % 16 == 15:
                width = (hi - lo) / hi
                fail |= ~ok & (width > 0.5 * checkpoint[c])
                checkpoint[c] = width
            done[c[ok | fail]] = True
        e = np.frexp(y_max)[1]
        done |= ~((64 - 1022 <= e) & (e <= 1984 - 1022))
        scale = 2.0 ** (1 - e)
        keep = ~done
        idx = idx[keep]
        b = b[keep]
        x = y[keep] * scale[keep, None]
        x_max = (y_max * scale)[keep]
        previous = mu[keep]
        checkpoint = checkpoint[keep]
    return out


def perron_roots_batched(b):
    scale = pow2_scale(b.max(axis=(1, 2)))
    bs = b * np.nan_to_num(scale)[:, None, None]
    square = bs @ bs
    rho = np.sqrt(np.sqrt(power_batched(square @ square, 0.0, 4 * PERRON_TOL))) / scale
    left = np.flatnonzero(np.isnan(rho))
    if left.size:
        rho[left] = np.maximum(power_batched(bs[left], 1.0, PERRON_TOL) - 1.0, 0.0) / scale[left]
        left = left[np.isnan(rho[left])]
        if left.size:
            rho[left] = np.abs(np.linalg.eigvals(b[left])).max(axis=1)
    return rho


def perron_crate_loop(a, k):
    out = np.empty(len(a))
    for s in range(len(a)):
        rho = perron_root(k[s] / a[s][:, None])
        out[s] = 1.0 / rho if rho > 0 else np.nan
    return out


def perron_crate_batched(a, k):
    rho = perron_roots_batched(k / a[:, :, None])
    with np.errstate(divide="ignore"):
        return np.where(rho > 0, 1.0 / rho, np.nan)


def polynomial_parts(a, k, period, lag, r):
    """src/analysis/schur_cohn.rs `SampledPolynomial::new`, batched over the
    leading axis: parts[s, j, i] is the coefficient of zⁱ (γ/scale[s])ʲ in
    det(zI − M), expanded for scale·ΓK (scale a power of two)."""
    count, n = a.shape
    phi = np.exp(-a * period)
    g = -np.expm1(-a * period) / a
    e = g[:, :, None] * k
    scale = np.nan_to_num(pow2_scale(np.abs(e).max(axis=(1, 2))), nan=1.0)
    e = e * scale[:, None, None]
    depth = lag + (1 if r > 0 else 0)
    length = n * (depth + 1) + 1
    neg_q = np.array([r, -(1.0 + r)]) if r > 0 else np.array([-1.0])
    parts = np.zeros((count, n + 1, length))
    for members in itertools.product((0, 1), repeat=n):
        inside = [i for i in range(n) if members[i]]
        size = len(inside)
        m = np.linalg.det(e[:, inside][:, :, inside]) if size else np.ones(count)
        poly = m[:, None]
        for i in range(n):
            if not members[i]:
                poly = poly[:, :, None] * np.stack([-phi[:, i], np.ones(count)], axis=1)[:, None, :]
                poly = _collect(poly)
        for _ in range(size):
            poly = _collect(poly[:, :, None] * neg_q[None, None, :])
        shift = depth * (n - size)
        parts[:, size, shift:shift + poly.shape[1]] += poly
    return parts, scale


def _collect(outer):
    """Sums the anti-diagonals of (count, p, q) products: polynomial product."""
    count, p, q = outer.shape
    out = np.zeros((count, p + q - 1))
    for j in range(q):
        out[:, j:j + p] += outer[:, :, j]
    return out


def schur_cohn_reaches(parts, scale, gain, radius):
    """True where the companion at `gain` has an eigenvalue of modulus ≥
    `radius`; NaN rows (non-finite coefficients) are reported separately."""
    gain = gain / scale
    coef = parts[:, -1, :].copy()
    for j in range(parts.shape[1] - 2, -1, -1):
        coef = coef * gain[:, None] + parts[:, j, :]
    if radius != 1.0:
        coef = coef * radius ** np.arange(coef.shape[1])
    undecided = ~np.isfinite(coef).all(axis=1)
    reach = np.zeros(len(coef), bool)
    with np.errstate(all="ignore"):
        for m in range(coef.shape[1] - 1, 0, -1):
            lead = coef[:, m]
            undecided |= ~reach & ((lead == 0) | ~np.isfinite(lead))
            kappa = coef[:, 0] / lead
            reach |= ~(np.abs(kappa) < 1.0)
            coef = coef[:, 1:m + 1] - kappa[:, None] * coef[:, m - 1::-1][:, :m]
    return reach & ~undecided, undecided


def sampled_crate(a, k, ctl, batched):
    """src/analysis/sampled.rs `sampled_critical_gain` (up to 10 actors)."""
    r = ctl[2]
    if not batched:
        return np.array([sampled_crate(a[s:s + 1], k[s:s + 1], ctl, True)[0] for s in range(len(a))])
    count = len(a)
    safe = 1.0 / ((1.0 + 2.0 * r) * perron_roots_batched(np.abs(k) / a[:, :, None]))
    parts, scale = polynomial_parts(a, k, *ctl)

    def reaches(s, g, radius):
        reach, undecided = schur_cohn_reaches(parts[s], scale[s], g, radius)
        if undecided.any():
            u = np.flatnonzero(undecided)
            reach[u] = radius_of(a[s][u], k[s][u], g[u], ctl) >= radius
        return reach

    lo = 0.5 * safe
    g = lo.copy()
    hi = np.full(count, np.nan)
    searching = np.ones(count, bool)
    while searching.any():
        s = np.flatnonzero(searching)
        g[s] *= GAIN_STEP
        over = g[s] > safe[s] * GAIN_SPAN
        boom = reaches(s, g[s], 1.0 + MARGINAL)
        hi[s[boom & ~over]] = g[s[boom & ~over]]
        lo[s[~boom & ~over]] = g[s[~boom & ~over]]
        searching[s[boom | over]] = False
    found = ~np.isnan(hi)
    scan_lo, scan_hi = lo.copy(), hi.copy()
    for _ in range(200):
        s = np.flatnonzero(found & ~(hi - lo <= 4.0 * EPS * hi))
        if s.size == 0:
            break
        mid = 0.5 * (lo[s] + hi[s])
        up = reaches(s, mid, 1.0)
        hi[s[up]] = mid[up]
        lo[s[~up]] = mid[~up]
    gain = np.where(found, 0.5 * (lo + hi), np.nan)
    # Certify with the companion's eigenvalues.
    todo = np.flatnonzero(found)
    out = np.full(count, np.nan)
    for eta in CERTIFY:
        if todo.size == 0:
            break
        below, above = gain[todo] * (1 - eta), gain[todo] * (1 + eta)
        ok = (below > scan_lo[todo]) & (radius_of(a[todo], k[todo], below, ctl) <= 1.0) \
            & (radius_of(a[todo], k[todo], above, ctl) > 1.0)
        done = todo[ok]
        if eta == CERTIFY[0]:
            out[done] = gain[done]
        else:
            out[done] = bisect_eig(a[done], k[done], below[ok], above[ok], ctl)
        todo = todo[~ok]
    if todo.size:
        out[todo] = bisect_eig(a[todo], k[todo], scan_lo[todo], scan_hi[todo], ctl)
    return out


def radius_of(a, k, gain, ctl):
    return radius(a, k, gain, ctl) if len(a) else np.zeros(0)


def bisect_eig(a, k, lo, hi, ctl):
    lo, hi = lo.copy(), hi.copy()
    for _ in range(200):
        s = np.flatnonzero(~(hi - lo <= 4.0 * EPS * hi))
        if s.size == 0:
            break
        mid = 0.5 * (lo[s] + hi[s])
        up = radius_of(a[s], k[s], mid, ctl) > 1.0
        hi[s[up]] = mid[up]
        lo[s[~up]] = mid[~up]
    return 0.5 * (lo + hi)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["perron", "sampled"], required=True)
    ap.add_argument("--mode", choices=["loop", "batched", "control"], default="batched",
                    help="control: the eigenvalue loop with python-control's c2d for the ZOH (sampled part)")
    ap.add_argument("--algorithm", choices=["crate", "eigvals"], default="crate",
                    help="crate: the crate's algorithms; eigvals: ρ from np.linalg.eigvals throughout")
    ap.add_argument("--systems", type=int, default=None)
    args = ap.parse_args()
    if args.mode == "control":
        args.algorithm = "eigvals"
    if args.part == "perron":
        count = args.systems or 10_000
        a, k = systems(1, count, 10)
        f = {
            ("crate", "loop"): perron_crate_loop,
            ("crate", "batched"): perron_crate_batched,
            ("eigvals", "loop"): perron_loop,
            ("eigvals", "batched"): perron_batched,
        }[(args.algorithm, "loop" if args.mode == "loop" else "batched")]
        t0 = time.perf_counter()
        g = f(a, k)
    else:
        count = args.systems or 1_000
        a, k = systems(2, count, 5)
        ctl = (1.0, 2, 2.0)  # period (days), lag (periods), τ_D/Δ
        f = {
            ("eigvals", "loop"): sampled_loop,
            ("eigvals", "control"): lambda a, k, c: sampled_loop(a, k, c, use_control=True),
            ("eigvals", "batched"): sampled_batched,
            ("crate", "loop"): lambda a, k, c: sampled_crate(a, k, c, batched=False),
            ("crate", "batched"): lambda a, k, c: sampled_crate(a, k, c, batched=True),
        }[(args.algorithm, args.mode)]
        t0 = time.perf_counter()
        g = f(a, k, ctl)
    secs = time.perf_counter() - t0
    print(json.dumps({
        "workload": f"critical_gain/{args.part}",
        "mode": args.mode,
        "algorithm": args.algorithm,
        "systems": count,
        "seconds": secs,
        "checksum": float(np.nansum(g)),
        "none": int(np.isnan(g).sum()),
        "first": [float(x) for x in g[:3]],
    }))


if __name__ == "__main__":
    main()
